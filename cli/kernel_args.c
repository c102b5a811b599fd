/* The kernel options of `slt spectrum` and of the kernel tasks (--kernel in task_args):
 * one option table, one copy of the rules and messages, the level task with its tail. */
#include "kernel_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slt/status.h"

/* auto lmax: the policy (factor, default, retries, the DMFT's time rule, the cap) is the
 * library's: SLT_KERNELS_TASK_* in kernels.h */

int cli_read_columns(const char *cmd, const char *opt, const char *path, cli_columns *c)
{
    c->x = c->y = NULL;
    c->n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        slt_error(SLT_EIO, "--%s: cannot open '%s': %s", opt, path, strerror(errno));
        return cli_library_error(cmd, SLT_EIO);
    }
    size_t cap = 256, m = 0, lineno = 0;
    c->x = malloc(cap * sizeof(double));
    c->y = malloc(cap * sizeof(double));
    char line[512];
    int rc = (c->x && c->y) ? 0 : 4;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '#' || *p == '\n' || *p == '\0' || *p == '\r') continue;
        char *end;
        double a = strtod(p, &end);
        if (end == p) { rc = 1; break; }
        p = end;
        double b = strtod(p, &end);
        if (end == p || !isfinite(a) || !isfinite(b)) { rc = 1; break; }
        if (m == cap) {
            cap *= 2;
            double *nx = realloc(c->x, cap * sizeof(double)), *ny = nx ? realloc(c->y, cap * sizeof(double)) : NULL;
            if (nx) c->x = nx;
            if (ny) c->y = ny;
            if (!nx || !ny) { rc = 4; break; }
        }
        c->x[m] = a;
        c->y[m] = b;
        m++;
    }
    fclose(f);
    if (rc == 1) {
        slt_error(SLT_EFORMAT, "file '%s', line %zu: expected two finite numbers", path, lineno);
        return cli_library_error(cmd, SLT_EFORMAT);
    }
    if (rc) return cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory"));
    c->n = m;
    return 0;
}

void cli_columns_free(cli_columns *c)
{
    free(c->x);
    free(c->y);
    c->x = c->y = NULL;
    c->n = 0;
}

double cli_columns_eval(double x, void *ctx)
{
    const cli_columns *t = ctx;
    if (x <= t->x[0]) return t->y[0];
    if (x >= t->x[t->n - 1]) return t->y[t->n - 1];
    size_t lo = 0, hi = t->n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (t->x[mid] <= x) lo = mid; else hi = mid;
    }
    double f = (x - t->x[lo]) / (t->x[hi] - t->x[lo]);
    return t->y[lo] + f * (t->y[hi] - t->y[lo]);
}

#define FAIL_USAGE(...) return cli_usage_error(cmd, __VA_ARGS__)

int cli_read_target_table(const char *cmd, const char *path, cli_columns *c)
{
    int rc = cli_read_columns(cmd, "target-file", path, c);
    if (rc) return rc;
    for (size_t i = 1; i < c->n; i++)
        if (!(c->x[i] > c->x[i - 1]))
            FAIL_USAGE("--target-file %s: line %zu: x is not increasing", path, i + 1);
    if (c->n < 2) FAIL_USAGE("--target-file %s: needs at least 2 points", path);
    return 0;
}

void cli_kernel_args_init(cli_kernel_args *ka, unsigned flags)
{
    memset(ka, 0, sizeof *ka);
    ka->flags = flags;
    const slt_kernels_params def = slt_kernels_params_default();
    ka->dim = def.dim;
    ka->depth = def.depth;
    ka->poly_degree = def.poly_degree;
    ka->width = def.width;
    ka->offset = def.offset;
    ka->target_q = 1.0;
    ka->target_s = "kernel";
    ka->lmax_s = "auto";
    ka->lmax_given = -1;
    ka->beta = NAN;
    ka->modes_wanted = NAN;
    ka->t_max = NAN;
    ka->power_p = ka->alpha = ka->alpha_err = NAN;
}

size_t cli_kernel_options(cli_kernel_args *a, cli_option *o)
{
    const slt_kernels_params def = slt_kernels_params_default();
    const int task = (a->flags & CLI_KERNEL_TASK) != 0;
    slt_kernel_list(a->kernel_choices, sizeof a->kernel_choices,
                    task ? SLT_KERNEL_ON(SLT_DOMAIN_SPHERE) : 0, 0, "|", "|");
    size_t hn = slt_kernel_list(a->depth_help, sizeof a->depth_help, 0, SLT_KPARAM_DEPTH, "/", "/");
    if (hn < sizeof a->depth_help)
        snprintf(a->depth_help + hn, sizeof a->depth_help - hn, " hidden layers (default %d)",
                 def.depth);
    hn = snprintf(a->width_help, sizeof a->width_help, "width of ");
    hn += slt_kernel_list(a->width_help + hn, sizeof a->width_help - hn,
                          task ? SLT_KERNEL_ON(SLT_DOMAIN_SPHERE) : 0, SLT_KPARAM_WIDTH, ", ", ", ");
    if (hn < sizeof a->width_help)
        snprintf(a->width_help + hn, sizeof a->width_help - hn, " (default %g)", def.width);
    snprintf(a->offset_help, sizeof a->offset_help, "poly kernel (C + t)^p: offset (default %g)",
             def.offset);
    snprintf(a->pdeg_help, sizeof a->pdeg_help, "poly kernel: degree p (default %d)",
             def.poly_degree);
    size_t n = 0;
    o[n++] = (cli_option){.name = "kernel", .kind = CLI_CHOICE, .target = &a->kernel_s,
                          .metavar = "K", .seen = &a->seen_kernel, .choices = a->kernel_choices,
                          .help = task ? "a sphere kernel's task: its levels with the tail "
                                         "beyond lmax" : "kernel (required)"};
    o[n++] = (cli_option){.name = "dim", .kind = CLI_INT, .target = &a->dim, .metavar = "D",
                          .seen = &a->seen_dim,
                          .help = task ? "--kernel: ambient dimension of the sphere S^(D-1), "
                                         "2..1000 (default %D)"
                                       : "ambient dimension: sphere 2..1000, torus 1..3 "
                                         "(default %D)",
                          .lo = task ? 2 : 1, .hi = 1000, CLI_DEFAULT(def.dim)};
    o[n++] = (cli_option){.name = "depth", .kind = CLI_INT, .target = &a->depth, .metavar = "L",
                          .seen = &a->seen_depth, .help = a->depth_help, .lo = 1, .hi = 64};
    if (task)
        o[n++] = (cli_option){.name = "lmax", .kind = CLI_TEXT, .target = &a->lmax_s,
                              .metavar = "L", .seen = &a->seen_lmax,
                              .help = "--kernel: last degree of the levels, 0..100000, or auto "
                                      "(default auto)"};
    o[n++] = (cli_option){.name = "width", .kind = CLI_REAL, .target = &a->width, .metavar = "S",
                          .seen = &a->seen_width, .help = a->width_help, .lo = 0, .hi = INFINITY,
                          .lo_open = 1, .hi_open = 1};
    o[n++] = (cli_option){.name = "offset", .kind = CLI_REAL, .target = &a->offset,
                          .metavar = "C", .seen = &a->seen_offset, .help = a->offset_help,
                          .lo = 0, .hi = INFINITY, .hi_open = 1};
    o[n++] = (cli_option){.name = "poly-degree", .kind = CLI_INT, .target = &a->poly_degree,
                          .metavar = "P", .seen = &a->seen_pdeg, .help = a->pdeg_help, .lo = 1,
                          .hi = 1000};
    o[n++] = (cli_option){.name = "table", .kind = CLI_TEXT, .target = &a->table_file,
                          .metavar = "FILE", .seen = &a->seen_table,
                          .help = task ? "table kernel: file of 't k(t)' lines"
                                       : "table kernel: file of 't k(t)' (sphere) or 'delta k' "
                                         "(torus)"};
    if (task) {
        o[n++] = (cli_option){.name = "target", .kind = CLI_CHOICE, .target = &a->target_s,
                              .metavar = "T", .seen = &a->seen_target,
                              .help = "--kernel: the teacher (default %D)",
                              .choices = "kernel|isotropic|power|gegenbauer|table|degrees",
                              .default_text = a->target_s};
        o[n++] = (cli_option){.name = "target-q", .kind = CLI_REAL, .target = &a->target_q,
                              .metavar = "Q", .seen = &a->seen_q,
                              .help = "--target gegenbauer: coefficients l^-Q (default %D)",
                              .lo = 0.5, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
                              CLI_DEFAULT(a->target_q)};
        o[n++] = (cli_option){.name = "target-file", .kind = CLI_TEXT, .target = &a->target_file,
                              .metavar = "FILE", .seen = &a->seen_tfile,
                              .help = "--target table: 't g(t)' lines; degrees: 'l P_l' lines"};
    }
    return n;
}

static int parse_lmax(const char *cmd, cli_kernel_args *a)
{
    a->lmax_given = -1;
    if (!strcmp(a->lmax_s, "auto")) return 0;
    char *end;
    errno = 0;
    double v = strtod(a->lmax_s, &end);
    if (end == a->lmax_s || *end || errno || !(v >= 0 && v <= 100000) || v != floor(v))
        FAIL_USAGE("--lmax: '%s' is not accepted (expected a whole number 0 <= L <= 100000, "
                   "or auto)", a->lmax_s);
    a->lmax_given = (long long)v;
    return 0;
}

int cli_kernel_validate(const char *cmd, cli_kernel_args *a, slt_domain domain,
                        const char *domain_s)
{
    const long long dim = a->dim;
    a->kernel = SLT_KERNEL_RELU_NTK;
    slt_kernel_parse(a->kernel_s, &a->kernel);
    const char *kernel_s = a->kernel_s;
    a->kinfo = slt_kernel_info_get(a->kernel);
    const unsigned kparams = a->kparams = a->kinfo ? a->kinfo->params : 0;
    a->relu = (kparams & SLT_KPARAM_DEPTH) != 0;
    char users[256]; /* the kernels defined on a domain, or reading an option */
    if (!slt_kernel_on_domain(a->kernel, domain)) {
        char on_torus[256];
        slt_kernel_list(users, sizeof users, SLT_KERNEL_ON(SLT_DOMAIN_SPHERE), 0, ", ", ", ");
        slt_kernel_list(on_torus, sizeof on_torus, SLT_KERNEL_ON(SLT_DOMAIN_TORUS), 0, ", ", ", ");
        FAIL_USAGE("--kernel %s is not defined on --domain %s (sphere: %s; torus: %s)", kernel_s,
                   domain_s, users, on_torus);
    }
    if (domain == SLT_DOMAIN_SPHERE && dim < 2)
        FAIL_USAGE("--dim: %lld is out of range on the sphere (expected 2 <= D <= 1000)", dim);
    if (domain == SLT_DOMAIN_TORUS && dim > 3)
        FAIL_USAGE("--dim: %lld is out of range on the torus (expected 1 <= D <= 3)", dim);
    return 0;
}

int cli_kernel_validate_params(const char *cmd, cli_kernel_args *a, slt_domain domain)
{
    const char *kernel_s = a->kernel_s;
    const unsigned kparams = a->kparams;
    char users[256];
    if (a->seen_depth && !a->relu) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_DEPTH, ", ", " and ");
        FAIL_USAGE("--depth applies to %s only (got --kernel %s)", users, kernel_s);
    }
    if (a->seen_width && !(kparams & SLT_KPARAM_WIDTH)) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_WIDTH, ", ", " and ");
        FAIL_USAGE("--width applies to %s only (got --kernel %s)", users, kernel_s);
    }
    if ((kparams & SLT_KPARAM_WIDTH) && a->kinfo->sphere_min_width > 0 &&
        domain == SLT_DOMAIN_SPHERE && !(a->width >= a->kinfo->sphere_min_width))
        FAIL_USAGE("--width: %g is out of range for --kernel %s on the sphere (expected "
                   "S >= %g: a narrower kernel needs about 12/S quadrature nodes)", a->width,
                   kernel_s, a->kinfo->sphere_min_width);
    if ((a->seen_offset || a->seen_pdeg) && !(kparams & SLT_KPARAM_POLY)) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_POLY, ", ", " and ");
        FAIL_USAGE("--offset/--poly-degree apply to --kernel %s only (got --kernel %s)", users,
                   kernel_s);
    }
    if (a->seen_table != ((kparams & SLT_KPARAM_TABLE) != 0)) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_TABLE, ", ", " or ");
        if (a->seen_table)
            FAIL_USAGE("--table FILE needs --kernel %s (got --kernel %s)", users, kernel_s);
        FAIL_USAGE("--kernel %s needs --table FILE", kernel_s);
    }
    if (!(a->flags & CLI_KERNEL_TASK)) return 0;
    /* tasks: the target options */
    int rc = parse_lmax(cmd, a);
    if (rc) return rc;
    const char *ts = a->target_s;
    a->target = !strcmp(ts, "kernel")       ? SLT_KTARGET_KERNEL
                : !strcmp(ts, "isotropic")  ? SLT_KTARGET_ISOTROPIC
                : !strcmp(ts, "power")      ? SLT_KTARGET_POWER
                : !strcmp(ts, "gegenbauer") ? SLT_KTARGET_GEGENBAUER
                : !strcmp(ts, "table")      ? SLT_KTARGET_ZONAL
                                            : SLT_KTARGET_DEGREES;
    if (a->seen_beta != (a->target == SLT_KTARGET_POWER))
        FAIL_USAGE(a->seen_beta ? "--beta with --kernel needs --target power (got --target %s)"
                                : "--target power needs --beta B (the source exponent, "
                                  "relative to the fitted alpha)", ts);
    if (a->seen_q && a->target != SLT_KTARGET_GEGENBAUER)
        FAIL_USAGE("--target-q needs --target gegenbauer (got --target %s)", ts);
    const int file_target = a->target == SLT_KTARGET_ZONAL || a->target == SLT_KTARGET_DEGREES;
    if (a->seen_tfile != file_target)
        FAIL_USAGE(a->seen_tfile ? "--target-file needs --target table or degrees (got --target "
                                   "%s)" : "--target %s needs --target-file FILE", ts);
    return 0;
}

int cli_kernel_params(const char *cmd, const cli_kernel_args *a, slt_domain domain,
                      slt_kernels_params *p, cli_columns *table)
{
    int rc;
    table->x = table->y = NULL;
    table->n = 0;
    if (a->table_file && (rc = cli_read_columns(cmd, "table", a->table_file, table))) return rc;
    *p = slt_kernels_params_default();
    p->kernel = a->kernel;
    p->domain = domain;
    p->dim = (int)a->dim;
    p->depth = (int)a->depth;
    p->width = a->width;
    p->offset = a->offset;
    p->poly_degree = (int)a->poly_degree;
    p->table_x = table->x;
    p->table_k = table->y;
    p->table_n = table->n;
    return 0;
}

void cli_kernel_settings(const cli_kernel_args *a, char *set, size_t size)
{
    int sn = snprintf(set, size, "--kernel %s --dim %lld", a->kernel_s, a->dim);
    if (sn > 0 && (size_t)sn < size && a->relu)
        sn += snprintf(set + sn, size - (size_t)sn, " --depth %lld", a->depth);
    if (sn > 0 && (size_t)sn < size && (a->kparams & SLT_KPARAM_POLY))
        sn += snprintf(set + sn, size - (size_t)sn, " --offset %g --poly-degree %lld",
                       a->offset, a->poly_degree);
    if (sn > 0 && (size_t)sn < size && (a->kparams & SLT_KPARAM_WIDTH))
        sn += snprintf(set + sn, size - (size_t)sn, " --width %g", a->width);
    if (sn > 0 && (size_t)sn < size && a->lmax_given >= 0)
        snprintf(set + sn, size - (size_t)sn, " --lmax %lld", a->lmax_given);
}

double cli_kernel_modes_for(const double *P, size_t nP, const double *N, size_t nN)
{
    double m = 0.0;
    for (size_t i = 0; i < nP; i++)
        if (isfinite(P[i]) && P[i] > m) m = P[i];
    for (size_t i = 0; i < nN; i++)
        if (isfinite(N[i]) && N[i] > m) m = N[i];
    return m > 0 ? SLT_KERNELS_TASK_MODES_FACTOR * m : SLT_KERNELS_TASK_MODES_DEFAULT;
}

/* --target degrees: 'l P_l' lines into an array P_0 .. P_lmax (0 where not listed) */
static int read_degrees(const char *cmd, const char *path, double **power, size_t *n)
{
    cli_columns c;
    int rc = cli_read_columns(cmd, "target-file", path, &c);
    if (rc) return rc;
    size_t top = 0;
    for (size_t i = 0; i < c.n; i++) {
        const double l = c.x[i], pl = c.y[i]; /* kept: the message is printed after the free */
        if (!(l >= 0 && l <= SLT_KERNELS_LMAX_MAX && l == floor(l))) {
            cli_columns_free(&c);
            FAIL_USAGE("--target-file %s: degree %g is not accepted (expected a whole number "
                       "0 <= l <= %d)", path, l, SLT_KERNELS_LMAX_MAX);
        }
        if (!(pl >= 0 && isfinite(pl))) {
            cli_columns_free(&c);
            FAIL_USAGE("--target-file %s: degree %g: power %g is not accepted (expected a "
                       "finite power >= 0)", path, l, pl);
        }
        if ((size_t)c.x[i] + 1 > top) top = (size_t)c.x[i] + 1;
    }
    if (c.n == 0) {
        cli_columns_free(&c);
        FAIL_USAGE("--target-file %s: no 'l P_l' line", path);
    }
    double *pw = calloc(top, sizeof(double));
    unsigned char *seen = calloc(top, 1);
    if (!pw || !seen) {
        free(pw);
        free(seen);
        cli_columns_free(&c);
        return cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory"));
    }
    for (size_t i = 0; i < c.n; i++) {
        size_t l = (size_t)c.x[i];
        if (seen[l]++) {
            free(pw);
            free(seen);
            cli_columns_free(&c);
            FAIL_USAGE("--target-file %s: degree %zu is listed twice", path, l);
        }
        pw[l] = c.y[i];
    }
    free(seen);
    cli_columns_free(&c);
    *power = pw;
    *n = top;
    return 0;
}

/* --target power: the fitted flattened decay alpha of the kernel (on a spectrum to at least
 * degree 100, the spectrum command's default) */
static int fit_alpha(const char *cmd, const slt_kernels_params *p0, cli_kernel_args *a)
{
    slt_kernels_params p = *p0;
    if (p.lmax < 100) p.lmax = 100;
    slt_kernels_workspace *ws = NULL;
    slt_kernels_spectrum *s = NULL;
    int rc = slt_kernels_alloc(&p, &ws);
    if (!rc) rc = slt_kernels_spectrum_compute(ws, &s);
    if (rc == SLT_ENOCONV) rc = SLT_OK; /* per-level errors carried; the fit uses resolved levels */
    slt_kernels_fit f;
    slt_kernels_fit_params fp = slt_kernels_fit_params_default();
    if (!rc) rc = slt_kernels_fit_decay(s, &fp, &f);
    slt_kernels_spectrum_free(s);
    slt_kernels_free(ws);
    char set[256];
    cli_kernel_settings(a, set, sizeof set);
    if (rc) {
        fprintf(stderr, "slt %s: %s --target power: the decay alpha could not be fitted "
                "(degrees 0..%zu): %s\n", cmd, set, p.lmax, slt_last_error());
        return slt_exit_class(rc);
    }
    if (!f.power_law) {
        fprintf(stderr, "slt %s: %s --target power: the spectrum is not a power-law decay over "
                "degrees %g..%g (fitted alpha_K = %.4g): beta relative to alpha is undefined\n",
                cmd, set, f.lo, f.hi, f.alpha_K);
        return 1;
    }
    a->alpha = f.alpha;
    a->alpha_err = f.alpha_err;
    a->power_p = a->beta + 1.0 / f.alpha;
    return 0;
}

/* The degree of each level of the task, in the task's order: the level task lists the
 * flattened levels (slt_kernels_flatten's order, kernels.h). */
static int level_degrees(const slt_kernels_spectrum *s, const slt_task *task, double **degree)
{
    free(*degree);
    *degree = NULL;
    slt_kernels_flat_level *f = NULL;
    size_t n = 0;
    int rc = slt_kernels_flatten(s, &f, &n);
    if (rc) return rc;
    if (n != slt_task_levels(task)) {
        free(f);
        return slt_error(SLT_EINTERNAL, "--levels: %zu flattened levels for a task of %zu",
                         n, slt_task_levels(task));
    }
    *degree = malloc(n * sizeof **degree);
    if (!*degree) rc = slt_error(SLT_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) (*degree)[i] = (double)s->levels[f[i].level].degree;
    free(f);
    return rc;
}

void cli_kernel_args_free(cli_kernel_args *a)
{
    free(a->degree);
    a->degree = NULL;
}

int cli_kernel_task(const char *cmd, cli_kernel_args *a, double noise, slt_task **task)
{
    *task = NULL;
    slt_kernels_params p;
    cli_columns table;
    int rc = cli_kernel_params(cmd, a, SLT_DOMAIN_SPHERE, &p, &table);
    if (rc) return rc;
    char set[256];
    cli_kernel_settings(a, set, sizeof set);
    double *deg = NULL;
    size_t n_deg = 0;
    cli_columns g = {0};
    slt_kernels_target tg = slt_kernels_target_of(a->target);
    if (a->target == SLT_KTARGET_DEGREES) {
        if ((rc = read_degrees(cmd, a->target_file, &deg, &n_deg))) goto out;
        tg.degree_power = deg;
        tg.n_degrees = n_deg;
    } else if (a->target == SLT_KTARGET_ZONAL) {
        if ((rc = cli_read_target_table(cmd, a->target_file, &g))) goto out;
        tg.g = cli_columns_eval;
        tg.ctx = &g;
    } else if (a->target == SLT_KTARGET_GEGENBAUER) {
        tg.q = a->target_q;
    } else if (a->target == SLT_KTARGET_POWER) {
        if (isnan(a->power_p) && (rc = fit_alpha(cmd, &p, a))) goto out;
        tg.p = a->power_p;
    }
    size_t lmax = 0;
    slt_task_tail tail;
    double modes = isfinite(a->modes_wanted) && a->modes_wanted >= 1 ? a->modes_wanted
                                                                      : SLT_KERNELS_TASK_MODES_DEFAULT;
    for (int k = 0; k < a->attempts; k++) modes *= 8.0;
    for (int raise = 0;; raise++) {
        if (a->lmax_given >= 0) {
            lmax = (size_t)a->lmax_given;
        } else {
            int lrc = slt_kernels_lmax_for_modes(&p, modes, &lmax, NULL);
            if (lrc && lrc != SLT_EDOM) { rc = cli_library_error(cmd, lrc); goto out; }
            if (lmax > SLT_KERNELS_TASK_LMAX_AUTO) lmax = SLT_KERNELS_TASK_LMAX_AUTO;
        }
        p.lmax = lmax;
        if (lmax >= 1000) /* the spectrum and its tail to l_far >= 32 (lmax + 1): seconds */
            cli_progress(cmd, "--kernel: the levels to lmax %zu and the tail beyond", lmax);
        slt_kernels_workspace *ws = NULL;
        slt_kernels_spectrum *s = NULL;
        int lrc = slt_kernels_alloc(&p, &ws);
        if (!lrc) lrc = slt_kernels_spectrum_compute(ws, &s);
        if (lrc == SLT_ENOCONV) {
            fprintf(stderr, "slt %s: warning: %s\n", cmd, slt_last_error());
            lrc = SLT_OK;
        }
        memset(&tail, 0, sizeof tail);
        memset(&a->info, 0, sizeof a->info);
        if (!lrc)
            lrc = slt_kernels_level_task(&p, s, &tg, noise, SLT_TAIL_MOMENTS, task, &tail,
                                         &a->info);
        if (!lrc) lrc = level_degrees(s, *task, &a->degree);
        slt_kernels_spectrum_free(s);
        slt_kernels_free(ws);
        a->lmax = lmax;
        if (lrc == SLT_EDOM && strstr(slt_last_error(), "multiplicity")) {
            fprintf(stderr, "slt %s: %s (lmax %zu): %s: %s (give a smaller --lmax or --dim)\n",
                    cmd, set, lmax, slt_strerror(lrc), slt_last_error());
            rc = slt_exit_class(lrc);
            goto out;
        }
        if (lrc) { /* the library's failure, passed through: exit 1 */
            if (a->lmax_given >= 0)
                fprintf(stderr, "slt %s: %s --target %s: %s: %s\n", cmd, set, a->target_s,
                        slt_strerror(lrc), slt_last_error());
            else
                fprintf(stderr, "slt %s: %s --target %s (lmax %zu): %s: %s\n", cmd, set,
                        a->target_s, lmax, slt_strerror(lrc), slt_last_error());
            rc = lrc == SLT_ENOMEM ? slt_exit_class(lrc) : 1;
            goto out;
        }
        /* dmft: the tail's modes must stay slow over the times asked for */
        if (a->lmax_given < 0 && isfinite(a->t_max) && a->t_max > 0 &&
            a->info.lambda_sup * a->t_max > SLT_KERNELS_TASK_TAIL_TIME && raise < 6 && lmax < SLT_KERNELS_TASK_LMAX_AUTO) {
            slt_task_free(*task);
            *task = NULL;
            modes *= 8.0;
            continue;
        }
        break;
    }
    /* the task's total target power: the levels' and the tail's T_0 */
    a->power_total = tail.tgt_mom[0];
    for (size_t i = 1; i <= slt_task_levels(*task); i++) {
        slt_level L;
        if (slt_task_level(*task, i, &L) == SLT_OK) a->power_total += L.power;
    }
out:
    free(deg);
    cli_columns_free(&g);
    cli_columns_free(&table);
    return rc;
}

int cli_kernel_bound_wide(const cli_kernel_args *a, double value, double err)
{
    /* relative to the value, or to 1e-6 of the task's target power for smaller values:
     * below that the sums' rounding (~1e-16 of the power) is what is left, not the tail */
    double scale = fmax(fabs(value), 1e-6 * a->power_total);
    return isfinite(value) && !(err <= SLT_KERNELS_TASK_REL_ACC * scale);
}

int cli_kernel_can_retry(const cli_kernel_args *a)
{
    return a->lmax_given < 0 && a->attempts < SLT_KERNELS_TASK_RETRIES && a->lmax < SLT_KERNELS_TASK_LMAX_AUTO;
}

int cli_kernel_retry(const char *cmd, cli_kernel_args *a)
{
    if (!cli_kernel_can_retry(a)) return 0;
    a->attempts++;
    cli_progress(cmd, "--kernel: an error bound is above %g of its value at lmax %zu; "
                 "rebuilding with 8x the modes (attempt %d of %d)", SLT_KERNELS_TASK_REL_ACC,
                 a->lmax, a->attempts, SLT_KERNELS_TASK_RETRIES);
    return 1;
}

int cli_kernel_echo(const cli_kernel_args *a, slt_table *t)
{
    int rc = slt_table_param_text(t, "kernel", a->kernel_s);
    if (!rc) rc = slt_table_param_int(t, "dim", a->dim);
    if (!rc && a->relu) rc = slt_table_param_int(t, "depth", a->depth);
    if (!rc && (a->kparams & SLT_KPARAM_WIDTH)) rc = slt_table_param_real(t, "width", a->width);
    if (!rc && (a->kparams & SLT_KPARAM_POLY)) {
        rc = slt_table_param_real(t, "offset", a->offset);
        if (!rc) rc = slt_table_param_int(t, "poly_degree", a->poly_degree);
    }
    if (!rc && a->table_file) rc = slt_table_param_text(t, "table", a->table_file);
    if (!rc) rc = slt_table_param_text(t, "target", a->target_s);
    if (!rc && a->target == SLT_KTARGET_POWER) {
        rc = slt_table_param_real(t, "beta", a->beta);
        if (!rc) rc = slt_table_param_real(t, "p", a->power_p);
        if (!rc) rc = slt_table_param_real(t, "alpha", a->alpha);
        if (!rc) rc = slt_table_param_real(t, "alpha_err", a->alpha_err);
    }
    if (!rc && a->target == SLT_KTARGET_GEGENBAUER)
        rc = slt_table_param_real(t, "target_q", a->target_q);
    if (!rc && a->target_file) rc = slt_table_param_text(t, "target_file", a->target_file);
    if (!rc) rc = slt_table_param_int(t, "lmax", (long long)a->lmax);
    if (!rc) rc = slt_table_param_text(t, "lmax_from", a->lmax_given >= 0 ? "given" : "auto");
    if (!rc) rc = slt_table_param_int(t, "l_far", (long long)a->info.l_far);
    if (!rc) rc = slt_table_param_int(t, "levels", (long long)a->info.levels);
    if (!rc) rc = slt_table_param_real(t, "lambda_sup", a->info.lambda_sup);
    if (!rc) rc = slt_table_param_real(t, "trace_check", a->info.trace_check);
    if (!rc) rc = slt_table_param_real(t, "trace_check_err", a->info.trace_check_err);
    return rc;
}
