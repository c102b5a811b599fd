/* cli/task_args.h — the task options shared by every command that takes a task.
 *
 * A task is given in exactly one convention, complete (conventions.md §6):
 *   --alpha A --beta B          canonical letters (plus --amp-lambda, --amp-target)
 *   --a a --b b                 Bordelon–Atanasov–Pehlevan 2024a
 *   --alpha-K K                 Bahri et al. (isotropic teacher)
 *   --alpha-MRS M               Maloney–Roberts–Sully (isotropic teacher)
 *   --alpha-P p --beta-P q      Paquette et al. PLRF
 *   --task FILE                 explicit spectrum 'lambda_k t_k' (where the command allows)
 * Usage:
 *   cli_task_args ta; cli_task_args_init(&ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES);
 *   cli_option opts[CLI_TASK_MAX_OPTIONS + 8]; size_t n = cli_task_options(&ta, opts);
 *   opts[n++] = (cli_option){...command's own options...};
 *   cli_parse(...); cli_task_resolve(cmd, &ta); cli_task_make(cmd, &ta, noise, &task);
 *   cli_task_params(&ta, table);                                                      */
#ifndef SLT_CLI_TASK_ARGS_H
#define SLT_CLI_TASK_ARGS_H

#include "cli.h"
#include "kernel_args.h"
#include "slt/table.h"
#include "slt/task.h"

enum {
    CLI_TASK_FILE = 1,       /* accept --task FILE */
    CLI_TASK_AMPLITUDES = 2, /* accept --amp-lambda / --amp-target with --alpha/--beta */
    CLI_TASK_KERNEL_OK = 4,  /* accept --kernel K (a sphere kernel's level task with its tail,
                                kernel_args.h) and its options */
    CLI_TASK_MODES = 8,      /* accept --M M: the power law truncated at M modes
                                (slt_task_alloc_power_law_truncated) */
    CLI_TASK_MODES_OWN = 16  /* the command has its own --M, the modes it uses (mc: k = 1..M
                                simulated, the tail beyond reported): it sets modes and
                                seen_M before cli_task_resolve; the exponent ranges are those
                                of CLI_TASK_MODES, and the task is truncated only where the
                                infinite law does not exist (alpha <= 1, beta <= 0) */
};

enum { CLI_TASK_CANONICAL, CLI_TASK_BAP, CLI_TASK_BAHRI, CLI_TASK_MALONEY, CLI_TASK_PLRF,
       CLI_TASK_EXPLICIT, CLI_TASK_KERNEL, CLI_TASK_GROUPS };

#define CLI_TASK_MAX_OPTIONS (12 + CLI_KERNEL_MAX_OPTIONS)

typedef struct {
    unsigned flags;
    /* option values, as given */
    double alpha_in, beta_in, amp_lambda, amp_target;
    double a, b, alpha_K, alpha_MRS, alpha_P, beta_P;
    const char *file;
    int seen_alpha, seen_beta, seen_amp, seen_a, seen_b, seen_K, seen_MRS, seen_aP, seen_bP,
        seen_file;
    long long modes;       /* --M (CLI_TASK_MODES), or set by the command before resolving */
    int seen_M;
    /* set by cli_task_resolve */
    int group;             /* CLI_TASK_* */
    double alpha, beta;    /* canonical (NaN for an explicit task) */
    char given[200];       /* the options as given, for messages */
    cli_kernel_args kernel; /* --kernel (CLI_TASK_KERNEL_OK) */
} cli_task_args;

void cli_task_args_init(cli_task_args *ta, unsigned flags);

/* Writes the task options into opts (room for CLI_TASK_MAX_OPTIONS); returns the count. */
size_t cli_task_options(cli_task_args *ta, cli_option *opts);

/* After cli_parse: exactly one convention, complete, converted to canonical (α, β).
 * On error prints one line to stderr and returns the exit code (2); 0 on success. */
int cli_task_resolve(const char *cmd, cli_task_args *ta);

/* Allocates the task (power law with amplitudes, the file, or the kernel's level task with
 * its tail: set ta->kernel.modes_wanted (cli_kernel_modes_for) and, for times,
 * ta->kernel.t_max first) with label noise σ². On error prints one line and returns the
 * exit code; 0 on success. */
int cli_task_make(const char *cmd, cli_task_args *ta, double noise, slt_task **task);

/* Echoes the task into the table's params: convention, the given letters, alpha and beta
 * (and amplitudes), or the file and its number of modes. */
int cli_task_params(const cli_task_args *ta, const slt_task *task, slt_table *table);

/* Paragraphs for a command's --help details (string literals, to concatenate). */
#define CLI_TASK_HELP \
    "The task: eigenvalues lambda_k = k^-alpha (capacity alpha > 1) and target power\n" \
    "t_k = lambda_k w*_k^2 = k^-(alpha beta + 1) (source beta > 0). Give it in exactly one\n" \
    "convention, complete; the others are converted to the canonical (alpha, beta):\n" \
    "  --alpha A --beta B      canonical letters (docs/theory/conventions.md sec. 1)\n" \
    "  --a a --b b             Bordelon-Atanasov-Pehlevan 2024a: lambda_k = k^-b,\n" \
    "                          lambda_k w_k^2 = k^-a; alpha = b, beta = (a-1)/b\n" \
    "  --alpha-K K             Bahri et al.: lambda_n ~ n^-(1+K), isotropic teacher;\n" \
    "                          alpha = 1+K, beta = K/(1+K) (always a hard task)\n" \
    "  --alpha-MRS M           Maloney-Roberts-Sully: lambda_I ~ I^-(1+M), isotropic\n" \
    "                          teacher; alpha = 1+M, beta = M/(1+M) (always hard)\n" \
    "  --alpha-P p --beta-P q  Paquette et al. PLRF: data covariance diag(j^-2p), target\n" \
    "                          b_j = j^-q; alpha = 2p, beta = (2p+2q-1)/(2p)\n"

#define CLI_TASK_HELP_MODES \
    "  --M M                   with a power law in any letters: the task truncated at M\n" \
    "                          modes, lambda_k and t_k as above for k = 1..M only (then any\n" \
    "                          alpha > 0 and --alpha-P p > 0 are allowed: e.g. the PLRF\n" \
    "                          problem at finite V, --alpha-P 0.4 --beta-P 1 --M V, whose\n" \
    "                          loss and step are slt's: docs/theory/conventions.md sec. 6.5)\n"

#define CLI_TASK_HELP_KERNEL CLI_KERNEL_HELP

#define CLI_TASK_HELP_FILE \
    "  --task FILE             an explicit task: two columns 'lambda_k t_k' per line,\n" \
    "                          lambda non-increasing, '#' comments (slt spectrum --save)\n"

#endif
