/* slt spectrum — kernel spectra on the sphere and the torus, empirical Gram spectra, decay
 * fits, target coefficients and the explicit task they define (kernels.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kernel_args.h"
#include "slt/kernels.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_spectrum_info = {
    "spectrum",
    "kernel spectra (sphere, torus, empirical Gram), decay fits and explicit tasks",
    "slt spectrum --kernel K [--domain sphere|torus] [--dim D] [--depth L] [--lmax L]\n"
    "                    [--width S] [--flat | --fit | --empirical N] [--save FILE] [--format F]",
    "Sphere S^(D-1) (D = ambient dimension, uniform probability measure): eigenvalue per\n"
    "eigenfunction mu_l of each of the N(D,l) degree-l spherical harmonics, l = 0..lmax,\n"
    "so that k(t) = sum_l N(D,l) mu_l P_l(t). Kernels: relu-ntk, relu-nngp (depth L hidden\n"
    "layers of the normalised arc-cosine recursion, no bias; NTK(1) = L+1), arccos0 (step),\n"
    "gaussian exp(-|x-y|^2/(2 S^2)), laplace exp(-|x-y|/S), poly (c + t)^p, table (a file of\n"
    "'t k(t)' lines covering t = -1..1, cubic-spline interpolated in theta = arccos t).\n"
    "Each degree comes from quadrature, an endpoint expansion, the positive series or (gaussian)\n"
    "the Bessel closed form, whichever has the smallest error estimate\n"
    "(docs/theory/kernels.md). Laplace on the sphere: S >= 0.005.\n"
    "Torus T^D (D = 1..3, normalised measure): eigenvalue per Fourier mode e^{i n.x}, levels\n"
    "of equal eigenvalue grouped with their multiplicity. Kernels: gaussian (wrapped;\n"
    "isotropic: |n| <= lmax), von-mises exp(sum(cos d_i - 1)/S^2), laplace (periodic,\n"
    "product), table ('delta k(delta)' for delta = 0..pi; on T^2, T^3 the product kernel\n"
    "prod_i k(delta_i)); for these max|n_i| <= lmax, keeping only the modes above the\n"
    "largest eigenvalue outside that cube, so that the flattened spectrum has no gaps.\n"
    "FFT on a grid, grid doubling for the error.\n"
    "\n"
    "Columns (default): degree (sphere l; torus level index ordered by |n|^2), multiplicity,\n"
    "eigenvalue, eigenvalue_err (absolute error estimate; |eigenvalue| <= err means zero or\n"
    "unresolved), local_slope (d ln mu / d ln l over the nearest resolved neighbours; -s for\n"
    "mu ~ l^-s), method, [torus: norm2 = |n|^2, wavevector], [--target: target_power],\n"
    "status (ok; zero: an exact or underflowed zero; unresolved: |eigenvalue| <= its error,\n"
    "a failure: exit 1).\n"
    "--flat: the levels sorted by descending eigenvalue with the flattened index range:\n"
    "k_first, k_last, degree, multiplicity, eigenvalue, eigenvalue_err.\n"
    "--fit: one row: alpha_K, alpha_K_err, window_lo, window_hi, s, s_err, alpha, alpha_err,\n"
    "points, slope_spread, resolution_N(_err), resolution_P(_err) (resolution-limited\n"
    "exponents in N and P: alpha min(beta,1), alpha min(beta,2)), and beta, beta_err\n"
    "(source exponent of the target: (alpha-1)/alpha for the isotropic teacher; otherwise\n"
    "from the tail sums T(k) = sum_{j>k} t_j of the whole task, the target power beyond\n"
    "lmax included (closed form for power-law, Parseval for table), fitted as\n"
    "ln T = c - alpha beta ln k + c1/l over the window). Fit: ln mu = ln C - s ln l + c1/l over\n"
    "the window, + b(-1)^l for ReLU kernels of depth >= 2 on the sphere (odd and even\n"
    "degrees decay on parallel lines); the window is given by --fit-lo/--fit-hi, or the widest\n"
    "top range where the local slope varies by <= --fit-tol; s_err = 2 SE + |s - s_plain|;\n"
    "alpha = s/(D-1) (sphere), s/D\n"
    "(torus); alpha_K = alpha - 1. Last column: status: ok; too-few-points (fewer than 8\n"
    "resolved levels in the window); not-power-law (the local slope varies by more than\n"
    "--fit-tol over the window, or alpha_K <= 0: not the asymptotic decay); no-beta (the\n"
    "source exponent could not be fitted). A failure prints nan exponents and exits 1.\n"
    "--empirical N: N points (--data sphere|torus|gaussian), eigenvalues of K/N (LAPACK\n"
    "dsyevd), averaged over --repeats samples. Columns: degree, multiplicity, eigenvalue,\n"
    "eigenvalue_err (analytic), empirical (mean of the level's block of sorted empirical\n"
    "eigenvalues), empirical_err (standard error of that block mean over the repeats;\n"
    "nan for one sample),\n"
    "k_first. Gaussian data (kernel gaussian, covariance --cov): index, multiplicity,\n"
    "eigenvalue (Rasmussen-Williams closed form), empirical, empirical_err, k_first.\n"
    "--save FILE: the task as levels, 'lambda_i P_i m_i' (eigenvalue, the level's total\n"
    "target power, multiplicity; slt --task reads it), every resolved degree <= lmax; on\n"
    "the sphere the degrees beyond lmax follow as the file's moment tail ('#%' lines), so\n"
    "nothing is left out (a tail that cannot be bounded: exit 1, no file); on the torus\n"
    "the file header and stderr give the target power left out (beyond the computed\n"
    "modes); the target is\n"
    "--target isotropic (t_k = lambda_k, default), power-law (coefficients l^-q, --target-q)\n"
    "or table (--target-file: 't g(t)' on the sphere, 'theta g(theta)' on the circle).",
};

/* The parsed command line; kernel .. data are resolved by spec_validate. */
typedef struct {
    cli_kernel_args k; /* --kernel, --dim, --depth, --width, --offset, --poly-degree, --table */
    const char *domain_s, *save_file, *data_s, *target_s, *target_file;
    long long lmax, empirical, repeats, seed;
    double rel_tol, fit_lo, fit_hi, fit_tol, target_q;
    int flat, fit;
    int seen_repeats, seen_seed, seen_data, seen_cov, seen_fitwin, seen_fittol, seen_q,
        seen_tfile, seen_target;
    cli_list cov;
    slt_format format;
    char tol_help[128];
    slt_domain domain;
    slt_data_kind data;
} spec_args;

/* What the run computed and owns (spec_run_free releases it). */
typedef struct {
    cli_columns ktab, gtab; /* --table, --target-file */
    double *power, *power_err, *slope;
    slt_kernels_workspace *ws;
    slt_kernels_spectrum *sp;
    slt_kernels_empirical *em;
    slt_table *table;
    slt_kernels_beyond beyond; /* the target's power past lmax (--save, --fit) */
    int worst;                 /* the spectrum's status (SLT_ENOCONV: a warning) */
    int fail_exit;             /* a row with a failure status: exit 1 */
    int table_oom;             /* a column or row could not be added */
    char set[256];             /* the user's settings, for the failure messages */
} spec_run;

static void spec_run_free(spec_run *r)
{
    slt_table_free(r->table);
    slt_kernels_empirical_free(r->em);
    slt_kernels_spectrum_free(r->sp);
    slt_kernels_free(r->ws);
    cli_columns_free(&r->ktab); cli_columns_free(&r->gtab); free(r->power); free(r->power_err);
    free(r->slope);
}

/* The option table. The kernel's defaults, names and the parameters each kernel reads
 * come from the library (slt_kernels_params_default, the kernel registry of
 * slt/kernels.h). Returns the number of options. */
static size_t spec_options(spec_args *a, cli_option *opts)
{
    const slt_kernels_params def = slt_kernels_params_default();
    cli_kernel_args_init(&a->k, 0);
    cli_option ko[CLI_KERNEL_MAX_OPTIONS]; /* kernel, dim, depth, width, offset, poly-degree, table */
    cli_kernel_options(&a->k, ko);
    a->domain_s = "sphere";
    a->target_s = "isotropic";
    a->lmax = -1;
    a->repeats = a->seed = 1;
    a->rel_tol = def.rel_tol;
    a->fit_tol = 0.05;
    a->target_q = 1.0;
    a->format = SLT_FORMAT_TABLE;
    snprintf(a->tol_help, sizeof a->tol_help, "target relative accuracy (default %g)",
             def.rel_tol);
    const cli_option o[] = {
        ko[0],
        {.name = "domain", .kind = CLI_CHOICE, .target = &a->domain_s, .metavar = "D",
         .help = "sphere S^(dim-1) or torus T^dim (default sphere)", .choices = "sphere|torus"},
        ko[1],
        ko[2],
        {.name = "lmax", .kind = CLI_INT, .target = &a->lmax, .metavar = "L",
         .help = "largest degree (sphere, default 100) or max_i |n_i| (torus; |n| for the "
                 "gaussian; default 32/16/8 for dim 1/2/3)", .lo = 0, .hi = 100000},
        ko[3],
        ko[4],
        ko[5],
        ko[6],
        {.name = "rel-tol", .kind = CLI_REAL, .target = &a->rel_tol, .metavar = "TOL",
         .help = a->tol_help, .lo = 1e-15, .hi = 1e-2},
        {.name = "flat", .kind = CLI_FLAG, .target = &a->flat,
         .help = "print the levels sorted by eigenvalue with flattened indices"},
        {.name = "fit", .kind = CLI_FLAG, .target = &a->fit,
         .help = "print the decay fit (alpha_K, window, resolution-limited exponents)"},
        {.name = "fit-lo", .kind = CLI_REAL, .target = &a->fit_lo, .metavar = "X",
         .seen = &a->seen_fitwin, .help = "fit window start (degree; with --fit-hi; default: "
         "detected)", .lo = 0, .hi = INFINITY, .lo_open = 1, .hi_open = 1},
        {.name = "fit-hi", .kind = CLI_REAL, .target = &a->fit_hi, .metavar = "X",
         .seen = &a->seen_fitwin, .help = "fit window end (degree)", .lo = 0, .hi = INFINITY,
         .lo_open = 1, .hi_open = 1},
        {.name = "fit-tol", .kind = CLI_REAL, .target = &a->fit_tol, .metavar = "T",
         .seen = &a->seen_fittol, .help = "local-slope variation allowed in the fit window "
         "(default %D)", .lo = 0, .hi = 10, .lo_open = 1, CLI_DEFAULT(a->fit_tol)},
        {.name = "empirical", .kind = CLI_INT, .target = &a->empirical, .metavar = "N",
         .help = "empirical Gram spectrum of N sampled points", .lo = 2, .hi = 20000},
        {.name = "data", .kind = CLI_CHOICE, .target = &a->data_s, .metavar = "X",
         .seen = &a->seen_data, .help = "empirical data (default: the domain)",
         .choices = "sphere|torus|gaussian"},
        {.name = "cov", .kind = CLI_LIST, .target = &a->cov, .metavar = "LIST",
         .seen = &a->seen_cov, .help = "gaussian data: covariance spectrum, dim values (default "
         "ones)", .lo = 0, .hi = INFINITY, .lo_open = 1, .hi_open = 1},
        {.name = "repeats", .kind = CLI_INT, .target = &a->repeats, .metavar = "R",
         .seen = &a->seen_repeats, .help = "empirical: independent samples (default %D)",
         .lo = 1, .hi = 1000, CLI_DEFAULT(a->repeats)},
        {.name = "seed", .kind = CLI_INT, .target = &a->seed, .metavar = "S",
         .seen = &a->seen_seed, .help = "empirical: random seed (default %D)", .lo = 0,
         .hi = 4294967295.0, CLI_DEFAULT(a->seed)},
        {.name = "target", .kind = CLI_CHOICE, .target = &a->target_s, .metavar = "T",
         .seen = &a->seen_target, .help = "target for --save/--fit beta/target_power (default "
         "%D)", .choices = "isotropic|power-law|table", .default_text = a->target_s},
        {.name = "target-q", .kind = CLI_REAL, .target = &a->target_q, .metavar = "Q",
         .seen = &a->seen_q, .help = "power-law target: coefficients l^-Q (default %D)",
         .lo = 0.5, .hi = INFINITY, .lo_open = 1, .hi_open = 1, CLI_DEFAULT(a->target_q)},
        {.name = "target-file", .kind = CLI_TEXT, .target = &a->target_file, .metavar = "FILE",
         .seen = &a->seen_tfile, .help = "table target: 't g(t)' (sphere) or 'theta g' (circle)"},
        {.name = "save", .kind = CLI_TEXT, .target = &a->save_file, .metavar = "FILE",
         .help = "write the task as levels 'lambda_i P_i m_i' to FILE"},
        {.name = "format", .kind = CLI_FORMAT, .target = &a->format, .metavar = "F",
         .help = "output format (default table)"},
    };
    memcpy(opts, o, sizeof o);
    return sizeof o / sizeof *o;
}

#define FAIL_USAGE(...) return cli_usage_error(cmd, __VA_ARGS__)

/* The rules between options; resolves kernel, domain, data and the default lmax. */
static int spec_validate(spec_args *a)
{
    const char *cmd = "spectrum";
    const long long dim = a->k.dim;
    if (!a->k.seen_kernel) FAIL_USAGE("--kernel is required (see 'slt spectrum --help')");
    a->domain = SLT_DOMAIN_SPHERE;
    slt_domain_parse(a->domain_s, &a->domain);
    const slt_domain domain = a->domain;
    const char *kernel_s = a->k.kernel_s, *domain_s = a->domain_s;
    int rc = cli_kernel_validate(cmd, &a->k, domain, domain_s);
    if (rc) return rc;
    if (a->lmax < 0)
        a->lmax = domain == SLT_DOMAIN_SPHERE ? 100 : dim == 1 ? 32 : dim == 2 ? 16 : 8;
    if (domain == SLT_DOMAIN_TORUS) {
        long long cap = dim == 1 ? 4096 : dim == 2 ? 256 : 48;
        if (a->lmax > cap)
            FAIL_USAGE("--lmax: %lld is out of range on the %lld-torus (expected L <= %lld)",
                       a->lmax, dim, cap);
    }
    if ((rc = cli_kernel_validate_params(cmd, &a->k, domain))) return rc;
    if (a->flat + a->fit + (a->empirical > 0) > 1)
        FAIL_USAGE("--flat, --fit and --empirical are separate outputs: give at most one");
    if ((a->seen_fitwin || a->seen_fittol) && !a->fit)
        FAIL_USAGE("--fit-lo/--fit-hi/--fit-tol need --fit");
    if (a->seen_fitwin && !(a->fit_hi > a->fit_lo))
        FAIL_USAGE("--fit-lo %g --fit-hi %g: the window needs both, with fit-lo < fit-hi",
                   a->fit_lo, a->fit_hi);
    if ((a->seen_repeats || a->seen_seed || a->seen_data || a->seen_cov) && a->empirical == 0)
        FAIL_USAGE("--data/--cov/--repeats/--seed need --empirical N");
    slt_data_kind data = domain == SLT_DOMAIN_SPHERE ? SLT_DATA_SPHERE : SLT_DATA_TORUS;
    if (a->data_s) data = !strcmp(a->data_s, "sphere") ? SLT_DATA_SPHERE
                          : !strcmp(a->data_s, "torus") ? SLT_DATA_TORUS : SLT_DATA_GAUSSIAN;
    a->data = data;
    if (a->empirical > 0 && data == SLT_DATA_GAUSSIAN && a->k.kernel != SLT_KERNEL_GAUSSIAN)
        FAIL_USAGE("--data gaussian needs --kernel gaussian (got --kernel %s)", kernel_s);
    if (a->empirical > 0 && data != SLT_DATA_GAUSSIAN &&
        (data == SLT_DATA_SPHERE) != (domain == SLT_DOMAIN_SPHERE))
        FAIL_USAGE("--data %s does not match --domain %s", a->data_s, domain_s);
    if (a->seen_cov && data != SLT_DATA_GAUSSIAN) FAIL_USAGE("--cov needs --data gaussian");
    if (a->seen_cov && (long long)a->cov.count != dim)
        FAIL_USAGE("--cov: %zu values given, --dim is %lld (expected one variance per dimension)",
                   a->cov.count, dim);
    if (data == SLT_DATA_GAUSSIAN && a->empirical > 0 && dim > 64)
        FAIL_USAGE("--dim: %lld is out of range for --data gaussian (expected D <= 64)", dim);
    const int table_target = !strcmp(a->target_s, "table");
    if (a->seen_q && strcmp(a->target_s, "power-law") != 0)
        FAIL_USAGE("--target-q needs --target power-law");
    if (a->seen_tfile != table_target)
        FAIL_USAGE(a->seen_tfile ? "--target-file needs --target table" : "--target table needs "
                   "--target-file FILE");
    if (table_target && domain == SLT_DOMAIN_TORUS && dim != 1)
        FAIL_USAGE("--target table on the torus needs --dim 1 (got %lld)", dim);
    if (a->seen_target && !a->save_file && !a->fit && a->flat)
        FAIL_USAGE("--target is used by --save, --fit and the default table, not by --flat");
    return CLI_OK;
}

/* The spectrum, its local slopes, the target's powers (and past lmax), --save. An exit
 * code with its message on failure. */
static int spec_compute(const spec_args *a, spec_run *r)
{
    const char *cmd = "spectrum";
    int rc, lrc;
    slt_kernels_params p;
    if ((rc = cli_kernel_params(cmd, &a->k, a->domain, &p, &r->ktab))) return rc;
    if (a->target_file && (rc = cli_read_target_table(cmd, a->target_file, &r->gtab)))
        return rc;
    p.lmax = (size_t)a->lmax;
    p.rel_tol = a->rel_tol;
    if ((lrc = slt_kernels_alloc(&p, &r->ws))) return cli_library_error(cmd, lrc);
    r->worst = slt_kernels_spectrum_compute(r->ws, &r->sp);
    if (r->worst && r->worst != SLT_ENOCONV) return cli_library_error(cmd, r->worst);
    if (r->worst) fprintf(stderr, "slt spectrum: warning: %s\n", slt_last_error());
    const slt_kernels_spectrum *sp = r->sp;
    size_t nl = sp->n_levels;
    r->power = calloc(nl + 1, sizeof(double));
    r->power_err = calloc(nl + 1, sizeof(double));
    r->slope = calloc(nl + 1, sizeof(double));
    if (!r->power || !r->power_err || !r->slope)
        return cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory"));
    slt_kernels_local_slope(sp, r->slope, NULL);
    const char *ts = a->target_s;
    if (!strcmp(ts, "isotropic")) lrc = slt_kernels_target_isotropic(sp, r->power, r->power_err);
    else if (!strcmp(ts, "power-law"))
        lrc = slt_kernels_target_power_law(sp, a->target_q, r->power, r->power_err);
    else
        lrc = slt_kernels_target_power(r->ws, sp, cli_columns_eval, &r->gtab, r->power,
                                       r->power_err);
    if (lrc) return cli_library_error(cmd, lrc);
    /* the target's power past lmax: needed by --save (power left out) and --fit (beta) */
    if (a->save_file || a->fit) {
        if (!strcmp(ts, "isotropic")) lrc = slt_kernels_beyond_isotropic(sp, &r->beyond);
        else if (!strcmp(ts, "power-law"))
            lrc = slt_kernels_beyond_power_law(sp, a->target_q, &r->beyond);
        else
            lrc = slt_kernels_beyond_target(r->ws, sp, cli_columns_eval, &r->gtab, r->power,
                                            r->power_err, &r->beyond);
        if (lrc) return cli_library_error(cmd, lrc);
    }
    if (a->save_file) {
        size_t levels = 0;
        double modes = 0, left = 0, left_err = 0;
        /* the sphere: the levels and the degrees beyond lmax as the file's moment tail */
        if (a->domain == SLT_DOMAIN_SPHERE) {
            slt_kernels_target tg = slt_kernels_target_of(
                !strcmp(ts, "isotropic")   ? SLT_KTARGET_ISOTROPIC
                : !strcmp(ts, "power-law") ? SLT_KTARGET_GEGENBAUER
                                           : SLT_KTARGET_ZONAL);
            tg.q = a->target_q;
            tg.g = cli_columns_eval;
            tg.ctx = &r->gtab;
            slt_task_tail tail;
            lrc = slt_kernels_save_tail(&p, sp, &tg, SLT_TAIL_MOMENTS, a->save_file, &levels,
                                        &modes, &tail);
            if (lrc == SLT_OK) {
                fprintf(stderr, "slt spectrum: wrote %zu levels (%.17g modes) and the degrees "
                        "beyond lmax as a moment tail (trace %.3g, target power %.3g, "
                        "lambda_sup %.3g) to %s\n", levels, modes, tail.lam_mom[0],
                        tail.tgt_mom[0] + tail.null_power, tail.lambda_sup, a->save_file);
                return CLI_OK;
            }
            /* no levels-only file on the sphere: a solver reading it would drop the mass
             * beyond lmax without a status */
            if (lrc == SLT_ENOMEM || lrc == SLT_EIO) return cli_library_error(cmd, lrc);
            fprintf(stderr, "slt spectrum: --save %s: %s: %s; no file written (the degrees "
                    "beyond lmax cannot be left out of a task)\n", a->save_file,
                    slt_strerror(lrc), slt_last_error());
            return 1;
        }
        lrc = slt_kernels_save(sp, r->power, &r->beyond, a->save_file, &levels, &modes, &left,
                               &left_err);
        if (lrc) return cli_library_error(cmd, lrc);
        fprintf(stderr, "slt spectrum: wrote %zu levels (%.17g modes) to %s (target power left "
                "out: %.3g +- %.2g, of which beyond lmax %.3g)\n", levels, modes, a->save_file,
                left, left_err, r->beyond.learnable + r->beyond.null);
    }
    return CLI_OK;
}

/* "--kernel K --domain D --dim D --lmax L ..." as the user set them */
static void spec_settings(const spec_args *a, char *set, size_t size)
{
    int sn = snprintf(set, size, "--kernel %s --domain %s --dim %lld --lmax %lld",
                      a->k.kernel_s, a->domain_s, a->k.dim, a->lmax);
    if (sn > 0 && (size_t)sn < size && a->k.relu)
        sn += snprintf(set + sn, size - (size_t)sn, " --depth %lld", a->k.depth);
    if (sn > 0 && (size_t)sn < size && (a->k.kparams & SLT_KPARAM_POLY))
        sn += snprintf(set + sn, size - (size_t)sn, " --offset %g --poly-degree %lld",
                       a->k.offset, a->k.poly_degree);
    if (sn > 0 && (size_t)sn < size && (a->k.kparams & SLT_KPARAM_WIDTH))
        snprintf(set + sn, size - (size_t)sn, " --width %g", a->k.width);
}

/* --fit: one row with the decay fit, beta and the resolution-limited exponents. */
static int spec_fit_rows(const spec_args *a, spec_run *r)
{
    const char *cmd = "spectrum";
    slt_table *table = r->table;
    slt_kernels_fit_params fp = slt_kernels_fit_params_default();
    fp.lo = a->seen_fitwin ? a->fit_lo : 0;
    fp.hi = a->seen_fitwin ? a->fit_hi : 0;
    fp.tol = a->fit_tol;
    slt_kernels_fit f;
    const char *fstatus = "ok";
    int lrc = slt_kernels_fit_decay(r->sp, &fp, &f);
    if (lrc == SLT_EDOM) {
        fstatus = "too-few-points";
        fprintf(stderr, "slt spectrum: --fit: %s: %zu resolved levels with degree in [%g, %g], "
                "at least %zu needed for a decay fit (raise --lmax or widen "
                "--fit-lo/--fit-hi)\n", r->set, f.points, f.lo, f.hi, fp.min_points);
    } else if (lrc) {
        return cli_library_error(cmd, lrc);
    } else if (!f.power_law) {
        fstatus = "not-power-law";
        fprintf(stderr, "slt spectrum: --fit: %s: the spectrum is not a power-law decay over "
                "degrees %g..%g (local slope varies by %.3g, --fit-tol is %g; fitted "
                "alpha_K = %.4g, expected > 0)\n", r->set, f.lo, f.hi, f.slope_spread,
                a->fit_tol, f.alpha_K);
    }
    double beta = NAN, beta_err = NAN;
    if (!strcmp(fstatus, "ok")) {
        if (!strcmp(a->target_s, "isotropic")) {
            beta = f.alpha_K / f.alpha; /* t_k = λ_k: β = (α − 1)/α (conventions.md §6.3) */
            beta_err = f.alpha_err / (f.alpha * f.alpha);
        } else if (slt_kernels_fit_source(r->sp, r->power, r->power_err, &r->beyond, &f, &beta,
                                          &beta_err)) {
            fstatus = "no-beta";
            beta = beta_err = NAN;
            fprintf(stderr, "slt spectrum: --fit: %s --target %s: the source exponent beta "
                    "could not be fitted over degrees %g..%g: %s\n", r->set, a->target_s, f.lo,
                    f.hi, slt_last_error());
        }
    }
    /* resolution-limited exponents α·min(β, c), c = 1 (N) and 2 (P), with errors by
     * interval arithmetic over α ± α_err, β ± β_err (NaN unless both were fitted:
     * fmin would drop a NaN β) */
    double res[2] = {NAN, NAN}, res_err[2] = {NAN, NAN};
    for (int j = 0; j < 2 && !strcmp(fstatus, "ok"); j++) {
        double c = j == 0 ? 1.0 : 2.0, v = f.alpha * fmin(beta, c);
        double lo = (f.alpha - f.alpha_err) * fmin(beta - beta_err, c);
        double hi = (f.alpha + f.alpha_err) * fmin(beta + beta_err, c);
        res[j] = v;
        res_err[j] = fmax(fabs(hi - v), fabs(v - lo));
    }
    if (strcmp(fstatus, "ok") != 0) /* a failed fit prints no exponent */
        f.alpha_K = f.alpha_K_err = f.s = f.s_err = f.alpha = f.alpha_err = NAN;
    int c[14];
    const char *names[] = {"alpha_K", "window_lo", "window_hi", "s", "alpha", "points",
                           "slope_spread", "resolution_N", "resolution_P", "beta"};
    int errs[] = {1, 0, 0, 1, 1, 0, 0, 1, 1, 1};
    for (int i = 0; i < 10; i++) {
        c[i] = slt_table_add_column(table, names[i], i == 5 ? SLT_COL_INT : SLT_COL_REAL, errs[i]);
        if (c[i] < 0) return cli_library_error(cmd, SLT_ENOMEM);
    }
    if (slt_table_add_status(table) < 0) return cli_library_error(cmd, SLT_ENOMEM);
    long row = slt_table_add_row(table);
    if (row < 0) return cli_library_error(cmd, SLT_ENOMEM);
    slt_table_set_real(table, (size_t)row, c[0], f.alpha_K, f.alpha_K_err);
    slt_table_set_real(table, (size_t)row, c[1], f.lo, 0);
    slt_table_set_real(table, (size_t)row, c[2], f.hi, 0);
    slt_table_set_real(table, (size_t)row, c[3], f.s, f.s_err);
    slt_table_set_real(table, (size_t)row, c[4], f.alpha, f.alpha_err);
    slt_table_set_int(table, (size_t)row, c[5], (long long)f.points);
    slt_table_set_real(table, (size_t)row, c[6], f.slope_spread, 0);
    slt_table_set_real(table, (size_t)row, c[7], res[0], res_err[0]);
    slt_table_set_real(table, (size_t)row, c[8], res[1], res_err[1]);
    slt_table_set_real(table, (size_t)row, c[9], beta, beta_err);
    slt_table_set_status(table, (size_t)row, fstatus);
    if (strcmp(fstatus, "ok") != 0) r->fail_exit = 1;
    slt_table_param_text(table, "window", f.detected ? "detected" : "given");
    return CLI_OK;
}

/* --flat: the levels sorted by eigenvalue with flattened indices. */
static int spec_flat_rows(spec_run *r)
{
    slt_table *table = r->table;
    slt_kernels_flat_level *fl = NULL;
    size_t nf = 0;
    int lrc = slt_kernels_flatten(r->sp, &fl, &nf);
    if (lrc) return cli_library_error("spectrum", lrc);
    int c0 = slt_table_add_column(table, "k_first", SLT_COL_REAL, 0);
    int c1 = slt_table_add_column(table, "k_last", SLT_COL_REAL, 0);
    int c2 = slt_table_add_column(table, "degree", SLT_COL_INT, 0);
    int c3 = slt_table_add_column(table, "multiplicity", SLT_COL_REAL, 0);
    int c4 = slt_table_add_column(table, "eigenvalue", SLT_COL_REAL, 1);
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0) r->table_oom = 1;
    for (size_t i = 0; i < nf && !r->table_oom; i++) {
        const slt_kernels_level *L = &r->sp->levels[fl[i].level];
        long row = slt_table_add_row(table);
        if (row < 0) { r->table_oom = 1; break; }
        slt_table_set_real(table, (size_t)row, c0, fl[i].k_first, 0);
        slt_table_set_real(table, (size_t)row, c1, fl[i].k_last, 0);
        slt_table_set_int(table, (size_t)row, c2, (long long)L->degree);
        slt_table_set_real(table, (size_t)row, c3, L->mult, 0);
        slt_table_set_real(table, (size_t)row, c4, L->mu, L->mu_err);
    }
    free(fl);
    return CLI_OK;
}

/* --empirical N: the Gram spectrum's blocks against the analytic levels. */
static int spec_empirical_rows(const spec_args *a, spec_run *r)
{
    slt_table *table = r->table;
    slt_kernels_empirical_params ep = slt_kernels_empirical_params_default();
    ep.n = (size_t)a->empirical;
    ep.repeats = (size_t)a->repeats;
    ep.seed = (unsigned long)a->seed;
    ep.cov = a->seen_cov ? a->cov.values : NULL;
    int lrc = slt_kernels_empirical_compute(r->ws, a->data, &ep, r->sp, &r->em);
    if (lrc) return cli_library_error("spectrum", lrc);
    const slt_kernels_empirical *em = r->em;
    slt_table_param_int(table, "n", a->empirical);
    slt_table_param_int(table, "repeats", a->repeats);
    slt_table_param_real(table, "empirical_trace", em->trace);
    int gauss = a->data == SLT_DATA_GAUSSIAN;
    int c0 = slt_table_add_column(table, gauss ? "index" : "degree", SLT_COL_INT, 0);
    int c1 = slt_table_add_column(table, "multiplicity", SLT_COL_REAL, 0);
    int c2 = slt_table_add_column(table, "eigenvalue", SLT_COL_REAL, 1);
    int c3 = slt_table_add_column(table, "empirical", SLT_COL_REAL, 1);
    int c4 = slt_table_add_column(table, "k_first", SLT_COL_REAL, 0);
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0) r->table_oom = 1;
    for (size_t b = 0; b < em->n_blocks && !r->table_oom; b++) {
        long row = slt_table_add_row(table);
        if (row < 0) { r->table_oom = 1; break; }
        if (gauss) {
            /* blocks of the analytic groups: the block mean per sample, then its mean and
             * standard error over the samples (the library computes both) */
            size_t i = em->block_level[b];
            slt_table_set_int(table, (size_t)row, c0, (long long)i);
            slt_table_set_real(table, (size_t)row, c1, em->gauss_mult[i], 0);
            /* a product of d factors, each a few roundings: 4e-16·(d + 4) relative */
            slt_table_set_real(table, (size_t)row, c2, em->gauss_value[i],
                               4e-16 * (a->k.dim + 4.0) * em->gauss_value[i]);
        } else {
            const slt_kernels_level *L = &r->sp->levels[em->block_level[b]];
            slt_table_set_int(table, (size_t)row, c0, (long long)L->degree);
            slt_table_set_real(table, (size_t)row, c1, L->mult, 0);
            slt_table_set_real(table, (size_t)row, c2, L->mu, L->mu_err);
        }
        slt_table_set_real(table, (size_t)row, c3, em->block_mean[b], em->block_se[b]);
        slt_table_set_real(table, (size_t)row, c4, em->block_first[b], 0);
    }
    return CLI_OK;
}

/* The default table: one row per level, with unresolved levels flagged. */
static void spec_level_rows(const spec_args *a, spec_run *r)
{
    slt_table *table = r->table;
    const slt_kernels_spectrum *sp = r->sp;
    const size_t nl = sp->n_levels;
    const int torus = a->domain == SLT_DOMAIN_TORUS, seen_target = a->seen_target;
    int c0 = slt_table_add_column(table, "degree", SLT_COL_INT, 0);
    int c1 = slt_table_add_column(table, "multiplicity", SLT_COL_REAL, 0);
    int c2 = slt_table_add_column(table, "eigenvalue", SLT_COL_REAL, 1);
    int c3 = slt_table_add_column(table, "local_slope", SLT_COL_REAL, 0);
    int c4 = slt_table_add_column(table, "method", SLT_COL_TEXT, 0);
    int c5 = torus ? slt_table_add_column(table, "norm2", SLT_COL_INT, 0) : -1;
    int c6 = torus ? slt_table_add_column(table, "wavevector", SLT_COL_TEXT, 0) : -1;
    int c7 = seen_target ? slt_table_add_column(table, "target_power", SLT_COL_REAL, 1) : -1;
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0 || (torus && (c5 < 0 || c6 < 0)) ||
        (seen_target && c7 < 0) || slt_table_add_status(table) < 0)
        r->table_oom = 1;
    size_t unresolved = 0;
    for (size_t i = 0; i < nl && !r->table_oom; i++) {
        const slt_kernels_level *L = &sp->levels[i];
        long row = slt_table_add_row(table);
        if (row < 0) { r->table_oom = 1; break; }
        slt_table_set_int(table, (size_t)row, c0, (long long)L->degree);
        slt_table_set_real(table, (size_t)row, c1, L->mult, 0);
        slt_table_set_real(table, (size_t)row, c2, L->mu, L->mu_err);
        slt_table_set_real(table, (size_t)row, c3, r->slope[i], 0);
        slt_table_set_text(table, (size_t)row, c4, slt_kernels_method_name(L->method));
        if (torus) {
            char buf[64];
            if (a->k.dim == 1) snprintf(buf, sizeof buf, "%d", L->wave[0]);
            else if (a->k.dim == 2) snprintf(buf, sizeof buf, "%d,%d", L->wave[0], L->wave[1]);
            else snprintf(buf, sizeof buf, "%d,%d,%d", L->wave[0], L->wave[1], L->wave[2]);
            slt_table_set_int(table, (size_t)row, c5, L->norm2);
            slt_table_set_text(table, (size_t)row, c6, buf);
        }
        if (c7 >= 0) slt_table_set_real(table, (size_t)row, c7, r->power[i], r->power_err[i]);
        if (L->mu == 0.0 && L->mu_err <= 1e-13 * sp->diag)
            slt_table_set_status(table, (size_t)row, "zero");
        else if (!(fabs(L->mu) > L->mu_err)) {
            slt_table_set_status(table, (size_t)row, "unresolved");
            unresolved++;
        }
    }
    if (unresolved) { /* not computed to within the eigenvalue itself: a failure */
        r->fail_exit = 1;
        fprintf(stderr, "slt spectrum: %zu of %zu levels are unresolved (|eigenvalue| <= its "
                "error) for %s at --rel-tol %g%s\n", unresolved, nl, r->set, a->rel_tol,
                r->worst ? "" : " (docs/theory/kernels.md: the range each method covers)");
    }
}

int cmd_spectrum(int argc, char **argv)
{
    const char *cmd = "spectrum";
    spec_args a = {0};
    spec_run r = {0};
    cli_option opts[32];
    size_t n = spec_options(&a, opts);
    int rc = cli_parse(&cmd_spectrum_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc == CLI_OK) rc = spec_validate(&a);
    if (rc == CLI_OK) rc = spec_compute(&a, &r);
    int lrc = rc ? SLT_OK : slt_table_alloc(cmd, &r.table);
    if (lrc) rc = cli_library_error(cmd, lrc);
    if (rc) goto out;
    slt_table *table = r.table;
    const slt_kernels_spectrum *sp = r.sp;
    slt_table_param_text(table, "kernel", a.k.kernel_s);
    slt_table_param_text(table, "domain", a.domain_s);
    slt_table_param_int(table, "dim", a.k.dim);
    if (a.k.relu) slt_table_param_int(table, "depth", a.k.depth);
    if (a.k.seen_width || (a.k.kparams & SLT_KPARAM_WIDTH))
        slt_table_param_real(table, "width", a.k.width);
    slt_table_param_int(table, "lmax", a.lmax);
    slt_table_param_real(table, "diagonal", sp->diag);
    slt_table_param_real(table, "trace", sp->trace);
    slt_table_param_real(table, "trace_err", sp->trace_err);
    slt_table_param_text(table, "eigenvalue", "per eigenfunction (degree total = multiplicity x eigenvalue)");
    spec_settings(&a, r.set, sizeof r.set);
    if (a.fit) rc = spec_fit_rows(&a, &r);
    else if (a.flat) rc = spec_flat_rows(&r);
    else if (a.empirical > 0) rc = spec_empirical_rows(&a, &r);
    else spec_level_rows(&a, &r);
    if (rc) goto out;
    if (r.table_oom) {
        rc = cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory for the output table"));
        goto out;
    }
    rc = cli_write_table(cmd, table, a.format);
    if (!rc && r.worst) rc = slt_exit_class(r.worst);
    if (!rc && r.fail_exit) rc = 1;
out:
    spec_run_free(&r);
    cli_list_free(&a.cov);
    return rc;
}
