/* cli/kernel_args.h — the kernel options shared by `slt spectrum` and the commands that take
 * a kernel's task (`--kernel` in task_args.h): the option table, the rules between the
 * options (one copy of the messages), the two-column file reader, and for tasks the
 * target options and the level task with its tail beyond lmax (slt_kernels_level_task).
 *
 * Usage (spectrum): cli_kernel_args_init(&ka, CLI_KERNEL_TORUS); n = cli_kernel_options(&ka,
 * opts); cli_parse(...); cli_kernel_validate(cmd, &ka, domain, domain_s);
 * cli_kernel_params(cmd, &ka, domain, &params).
 * Usage (tasks, through task_args.c): cli_kernel_args_init(&ka, CLI_KERNEL_TASK), the
 * options, cli_kernel_validate(cmd, &ka, SLT_DOMAIN_SPHERE, "sphere"), then
 * cli_kernel_task(cmd, &ka, noise, &task) with ka.modes_wanted / ka.t_max set. */
#ifndef SLT_CLI_KERNEL_ARGS_H
#define SLT_CLI_KERNEL_ARGS_H

#include "cli.h"
#include "slt/kernels.h"
#include "slt/table.h"
#include "slt/task.h"

enum {
    CLI_KERNEL_TORUS = 1, /* the command has --domain (spectrum): --dim covers the torus  */
    CLI_KERNEL_TASK = 2   /* a task: --lmax L|auto and the target options (--target ...) */
};

#define CLI_KERNEL_MAX_OPTIONS 11

/* a two-column table read from a file, with its interpolant (linear in x) */
typedef struct {
    double *x, *y;
    size_t n;
} cli_columns;

/* Reads "x y" lines (# comments and blank lines skipped). Returns 0 or an exit code with
 * its message printed (a bad line: file and line named). */
int cli_read_columns(const char *cmd, const char *opt, const char *path, cli_columns *c);
void cli_columns_free(cli_columns *c);
/* Linear interpolation of c (x increasing), constant beyond the ends; ctx = cli_columns. */
double cli_columns_eval(double x, void *ctx);
/* Reads a zonal target 't g(t)' (sphere) or 'theta g' (circle) for --target-file: x
 * strictly increasing, at least 2 points; a usage error (exit 2) names the file and line. */
int cli_read_target_table(const char *cmd, const char *path, cli_columns *c);

typedef struct {
    unsigned flags;
    /* options, as given */
    const char *kernel_s, *table_file, *target_s, *target_file, *lmax_s;
    long long dim, depth, poly_degree;
    double width, offset, target_q;
    double beta; /* --target power: set by task_args from --beta */
    int seen_kernel, seen_dim, seen_depth, seen_width, seen_offset, seen_pdeg, seen_table,
        seen_target, seen_q, seen_tfile, seen_lmax, seen_beta;
    char kernel_choices[256], depth_help[128], width_help[128], offset_help[128],
        pdeg_help[128];
    /* resolved by cli_kernel_validate */
    slt_kernel_type kernel;
    const slt_kernel_info *kinfo;
    unsigned kparams;
    int relu;               /* the kernel reads --depth */
    slt_kernels_target_kind target;
    long long lmax_given;   /* tasks: --lmax L, or -1 for auto */
    /* tasks: set by the command before cli_kernel_task (NaN/0: none) */
    double modes_wanted;    /* modes the levels should hold (auto lmax)                */
    double t_max;           /* dmft: the largest finite time (lambda_sup t_max <= 1e-2) */
    /* tasks: filled by cli_kernel_task */
    size_t lmax;            /* the lmax used                                           */
    int attempts;           /* rebuilds so far (auto lmax)                             */
    slt_kernels_tail_info info;
    double power_p, alpha, alpha_err; /* --target power: t = mu^p, p = beta + 1/alpha */
    double power_total;     /* the task's target power (levels + tail T_0)             */
    double *degree;         /* the degree of each level of the task (--levels), or NULL */
} cli_kernel_args;

void cli_kernel_args_init(cli_kernel_args *ka, unsigned flags);
/* Frees what cli_kernel_task allocated (the degree map); accepts an unused ka. */
void cli_kernel_args_free(cli_kernel_args *ka);

/* Writes the kernel options into o (room for CLI_KERNEL_MAX_OPTIONS); returns the count.
 * The defaults, names and the parameters each kernel reads come from the library. */
size_t cli_kernel_options(cli_kernel_args *ka, cli_option *o);

/* The rules between the kernel options, in two steps (spectrum sets its --lmax default
 * and range between them): cli_kernel_validate, the kernel on the domain and --dim's
 * range on it; cli_kernel_validate_params, which kernels read --depth, --width,
 * --offset/--poly-degree and --table, the narrowest width, and for tasks --lmax and the
 * target options. One line on stderr and exit 2, or 0. */
int cli_kernel_validate(const char *cmd, cli_kernel_args *ka, slt_domain domain,
                        const char *domain_s);
int cli_kernel_validate_params(const char *cmd, cli_kernel_args *ka, slt_domain domain);

/* The kernel's parameters (defaults for the rest; lmax left at the default); the table
 * file is read into *table, which the caller frees (cli_columns_free) after the
 * workspace is allocated. Returns 0 or an exit code. */
int cli_kernel_params(const char *cmd, const cli_kernel_args *ka, slt_domain domain,
                      slt_kernels_params *p, cli_columns *table);

/* Tasks: the kernel's level task with its tail beyond lmax (slt_kernels_level_task),
 * label noise sigma^2. lmax: --lmax as given, or the library's default for
 * ka->modes_wanted modes × 8^attempts (slt_kernels_lmax_for_modes), raised until
 * lambda_sup t_max <= 1e-2 when t_max is set. Returns 0 or an exit code (message
 * printed: a library failure passes its message through). */
int cli_kernel_task(const char *cmd, cli_kernel_args *ka, double noise, slt_task **task);

/* Auto lmax: 1 (and a progress line) if the task should be rebuilt with 8 times the modes
 * because a row's error bound exceeded SLT_KERNELS_TASK_REL_ACC of its value; 0 when
 * --lmax was given or the attempts are used up. */
int cli_kernel_retry(const char *cmd, cli_kernel_args *ka);
/* 1 if a row's error bound err is too wide for SLT_KERNELS_TASK_REL_ACC: above that
 * fraction of the value, or of 1e-6 of the task's target power for smaller values (the
 * rounding floor of the sums, which no lmax lowers). */
int cli_kernel_bound_wide(const cli_kernel_args *ka, double value, double err);
/* 1 if cli_kernel_retry would rebuild (auto lmax, attempts left). */
int cli_kernel_can_retry(const cli_kernel_args *ka);

/* The modes a curve at the given sizes asks the levels to hold (auto lmax): the largest
 * finite P or N times a factor (default when none is finite). */
double cli_kernel_modes_for(const double *P, size_t nP, const double *N, size_t nN);

/* Echoes the kernel task into the table's params. */
int cli_kernel_echo(const cli_kernel_args *ka, slt_table *table);

/* Names the settings for messages ("--kernel relu-ntk --dim 10 --depth 3 ..."). */
void cli_kernel_settings(const cli_kernel_args *ka, char *buf, size_t size);

#define CLI_KERNEL_HELP \
    "  --kernel K              a sphere kernel's own task (instead of the letters): the\n" \
    "                          levels l = 0..lmax of its spectrum on S^(D-1) (--dim D;\n" \
    "                          --depth, --width, --offset/--poly-degree, --table as in\n" \
    "                          'slt spectrum') with multiplicity N(D,l), plus the\n" \
    "                          degrees beyond lmax as a summed tail (no mode dropped).\n" \
    "                          --lmax auto (default) holds about 64 x max(P, N finite)\n" \
    "                          modes and is raised (modes x8, up to 3 times) while a row's\n" \
    "                          error bound exceeds 1e-8 of its value (docs/cli.md); --lmax\n" \
    "                          L is used as given (such rows then fail). --target: kernel\n" \
    "                          (t = mu^2 per mode, default), isotropic (t = mu), power\n" \
    "                          (t = mu^p, p = --beta + 1/alpha with alpha the fitted\n" \
    "                          flattened decay: --beta is the source exponent relative to\n" \
    "                          that alpha),\n" \
    "                          gegenbauer (coefficients l^-Q, --target-q Q), table (zonal\n" \
    "                          g(t), --target-file of 't g(t)' lines) or degrees\n" \
    "                          (--target-file of 'l P_l' lines: the level power of degree\n" \
    "                          l; degrees not listed have none).\n"

#endif
