/* slt spectrum — kernel spectra on the sphere and the torus, empirical Gram spectra, decay
 * fits, target coefficients and the explicit task they define (kernels.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
    "the window (given by --fit-lo/--fit-hi, or the widest top range where the local slope\n"
    "varies by <= --fit-tol); s_err = 2 SE + |s - s_plain|; alpha = s/(D-1) (sphere), s/D\n"
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
    "--save FILE: the explicit task 'lambda_k t_k' (levels expanded by multiplicity, target\n"
    "power spread evenly over each level, at most --save-max modes); the file header and\n"
    "stderr give the target power left out, the power beyond lmax included; the target is\n"
    "--target isotropic (t_k = lambda_k, default), power-law (coefficients l^-q, --target-q)\n"
    "or table (--target-file: 't g(t)' on the sphere, 'theta g(theta)' on the circle).",
};

/* reads "x y" lines (# comments, blank lines skipped); returns 0 or an exit code */
static int read_columns(const char *cmd, const char *path, double **x, double **y, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        slt_error(SLT_EIO, "cannot open '%s': %s", path, strerror(errno));
        return cli_library_error(cmd, SLT_EIO);
    }
    size_t cap = 256, m = 0, lineno = 0;
    *x = malloc(cap * sizeof(double));
    *y = malloc(cap * sizeof(double));
    char line[512];
    int rc = (*x && *y) ? 0 : 4;
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
            double *nx = realloc(*x, cap * sizeof(double)), *ny = nx ? realloc(*y, cap * sizeof(double)) : NULL;
            if (nx) *x = nx;
            if (ny) *y = ny;
            if (!nx || !ny) { rc = 4; break; }
        }
        (*x)[m] = a;
        (*y)[m] = b;
        m++;
    }
    fclose(f);
    if (rc == 1) {
        slt_error(SLT_EFORMAT, "file '%s', line %zu: expected two finite numbers", path, lineno);
        return cli_library_error(cmd, SLT_EFORMAT);
    }
    if (rc) return cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory"));
    *n = m;
    return 0;
}

typedef struct {
    const double *x, *y;
    size_t n;
} target_table;

/* linear interpolation of the target table (x increasing) */
static double target_eval(double x, void *ctx)
{
    const target_table *t = ctx;
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

#define FAIL_USAGE(...) do { rc = cli_usage_error(cmd, __VA_ARGS__); goto out; } while (0)

int cmd_spectrum(int argc, char **argv)
{
    const char *cmd = "spectrum";
    const char *kernel_s = NULL, *domain_s = "sphere", *table_file = NULL, *save_file = NULL;
    const char *data_s = NULL, *target_s = "isotropic", *target_file = NULL;
    /* the kernel's defaults, names and the parameters each kernel reads come from the
     * library (slt_kernels_params_default, the kernel registry of slt/kernels.h) */
    const slt_kernels_params def = slt_kernels_params_default();
    long long dim = def.dim, depth = def.depth, lmax = -1, poly_degree = def.poly_degree,
              empirical = 0, repeats = 1, seed = 1, save_max = 1000000;
    double width = def.width, offset = def.offset, rel_tol = def.rel_tol, fit_lo = 0, fit_hi = 0,
           fit_tol = 0.05, target_q = 1.0;
    char kernel_choices[256], depth_help[128], width_help[128], offset_help[128],
         pdeg_help[128], tol_help[128];
    slt_kernel_list(kernel_choices, sizeof kernel_choices, 0, 0, "|", "|");
    size_t hn = slt_kernel_list(depth_help, sizeof depth_help, 0, SLT_KPARAM_DEPTH, "/", "/");
    if (hn < sizeof depth_help)
        snprintf(depth_help + hn, sizeof depth_help - hn, " hidden layers (default %d)",
                 def.depth);
    hn = snprintf(width_help, sizeof width_help, "width of ");
    hn += slt_kernel_list(width_help + hn, sizeof width_help - hn, 0, SLT_KPARAM_WIDTH, ", ",
                          ", ");
    if (hn < sizeof width_help)
        snprintf(width_help + hn, sizeof width_help - hn, " (default %g)", def.width);
    snprintf(offset_help, sizeof offset_help, "poly kernel (C + t)^p: offset (default %g)",
             def.offset);
    snprintf(pdeg_help, sizeof pdeg_help, "poly kernel: degree p (default %d)", def.poly_degree);
    snprintf(tol_help, sizeof tol_help, "target relative accuracy (default %g)", def.rel_tol);
    int flat = 0, fit = 0;
    int seen_depth = 0, seen_width = 0, seen_offset = 0, seen_pdeg = 0, seen_table = 0,
        seen_repeats = 0, seen_seed = 0, seen_data = 0, seen_cov = 0, seen_fitwin = 0,
        seen_fittol = 0, seen_q = 0, seen_tfile = 0, seen_target = 0, seen_savemax = 0,
        seen_kernel = 0, seen_dim = 0;
    cli_list cov = {0};
    slt_format format = SLT_FORMAT_TABLE;
    const cli_option opts[] = {
        {.name = "kernel", .kind = CLI_CHOICE, .target = &kernel_s, .metavar = "K",
         .help = "kernel (required)", .seen = &seen_kernel,
         .choices = kernel_choices},
        {.name = "domain", .kind = CLI_CHOICE, .target = &domain_s, .metavar = "D",
         .help = "sphere S^(dim-1) or torus T^dim (default sphere)", .choices = "sphere|torus"},
        {.name = "dim", .kind = CLI_INT, .target = &dim, .metavar = "D", .seen = &seen_dim,
         .help = "ambient dimension: sphere 2..1000, torus 1..3 (default 3)", .lo = 1, .hi = 1000},
        {.name = "depth", .kind = CLI_INT, .target = &depth, .metavar = "L", .seen = &seen_depth,
         .help = depth_help, .lo = 1, .hi = 64},
        {.name = "lmax", .kind = CLI_INT, .target = &lmax, .metavar = "L",
         .help = "largest degree (sphere, default 100) or max_i |n_i| (torus; |n| for the "
                 "gaussian; default 32/16/8 for dim 1/2/3)", .lo = 0, .hi = 100000},
        {.name = "width", .kind = CLI_REAL, .target = &width, .metavar = "S", .seen = &seen_width,
         .help = width_help, .lo = 0, .hi = INFINITY,
         .lo_open = 1, .hi_open = 1},
        {.name = "offset", .kind = CLI_REAL, .target = &offset, .metavar = "C", .seen = &seen_offset,
         .help = offset_help, .lo = 0, .hi = INFINITY, .hi_open = 1},
        {.name = "poly-degree", .kind = CLI_INT, .target = &poly_degree, .metavar = "P",
         .seen = &seen_pdeg, .help = pdeg_help, .lo = 1, .hi = 1000},
        {.name = "table", .kind = CLI_TEXT, .target = &table_file, .metavar = "FILE",
         .seen = &seen_table, .help = "table kernel: file of 't k(t)' (sphere) or 'delta k' (torus)"},
        {.name = "rel-tol", .kind = CLI_REAL, .target = &rel_tol, .metavar = "TOL",
         .help = tol_help, .lo = 1e-15, .hi = 1e-2},
        {.name = "flat", .kind = CLI_FLAG, .target = &flat,
         .help = "print the levels sorted by eigenvalue with flattened indices"},
        {.name = "fit", .kind = CLI_FLAG, .target = &fit,
         .help = "print the decay fit (alpha_K, window, resolution-limited exponents)"},
        {.name = "fit-lo", .kind = CLI_REAL, .target = &fit_lo, .metavar = "X", .seen = &seen_fitwin,
         .help = "fit window start (degree; with --fit-hi; default: detected)", .lo = 0,
         .hi = INFINITY, .lo_open = 1, .hi_open = 1},
        {.name = "fit-hi", .kind = CLI_REAL, .target = &fit_hi, .metavar = "X", .seen = &seen_fitwin,
         .help = "fit window end (degree)", .lo = 0, .hi = INFINITY, .lo_open = 1, .hi_open = 1},
        {.name = "fit-tol", .kind = CLI_REAL, .target = &fit_tol, .metavar = "T", .seen = &seen_fittol,
         .help = "local-slope variation allowed in the fit window (default 0.05)", .lo = 0,
         .hi = 10, .lo_open = 1},
        {.name = "empirical", .kind = CLI_INT, .target = &empirical, .metavar = "N",
         .help = "empirical Gram spectrum of N sampled points", .lo = 2, .hi = 20000},
        {.name = "data", .kind = CLI_CHOICE, .target = &data_s, .metavar = "X", .seen = &seen_data,
         .help = "empirical data (default: the domain)", .choices = "sphere|torus|gaussian"},
        {.name = "cov", .kind = CLI_LIST, .target = &cov, .metavar = "LIST", .seen = &seen_cov,
         .help = "gaussian data: covariance spectrum, dim values (default ones)", .lo = 0,
         .hi = INFINITY, .lo_open = 1, .hi_open = 1},
        {.name = "repeats", .kind = CLI_INT, .target = &repeats, .metavar = "R", .seen = &seen_repeats,
         .help = "empirical: independent samples (default 1)", .lo = 1, .hi = 1000},
        {.name = "seed", .kind = CLI_INT, .target = &seed, .metavar = "S", .seen = &seen_seed,
         .help = "empirical: random seed (default 1)", .lo = 0, .hi = 4294967295.0},
        {.name = "target", .kind = CLI_CHOICE, .target = &target_s, .metavar = "T",
         .seen = &seen_target, .help = "target for --save/--fit beta/target_power (default "
         "isotropic)", .choices = "isotropic|power-law|table"},
        {.name = "target-q", .kind = CLI_REAL, .target = &target_q, .metavar = "Q", .seen = &seen_q,
         .help = "power-law target: coefficients l^-Q (default 1)", .lo = 0.5, .hi = INFINITY,
         .lo_open = 1, .hi_open = 1},
        {.name = "target-file", .kind = CLI_TEXT, .target = &target_file, .metavar = "FILE",
         .seen = &seen_tfile, .help = "table target: 't g(t)' (sphere) or 'theta g' (circle)"},
        {.name = "save", .kind = CLI_TEXT, .target = &save_file, .metavar = "FILE",
         .help = "write the explicit task 'lambda_k t_k' to FILE"},
        {.name = "save-max", .kind = CLI_INT, .target = &save_max, .metavar = "M",
         .seen = &seen_savemax, .help = "--save: at most M modes (default 1000000)", .lo = 1,
         .hi = 100000000},
        {.name = "format", .kind = CLI_FORMAT, .target = &format, .metavar = "F",
         .help = "output format (default table)"},
    };
    int rc = cli_parse(&cmd_spectrum_info, opts, sizeof opts / sizeof *opts, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) { cli_list_free(&cov); return rc; }

    double *tx = NULL, *tk = NULL, *gx = NULL, *gy = NULL, *power = NULL, *power_err = NULL,
           *slope = NULL;
    size_t tn = 0, gn = 0;
    slt_kernels_workspace *ws = NULL;
    slt_kernels_spectrum *sp = NULL;
    slt_kernels_empirical *em = NULL;
    slt_table *table = NULL;
    slt_kernel_type kernel = SLT_KERNEL_RELU_NTK;
    slt_domain domain = SLT_DOMAIN_SPHERE;

    if (!seen_kernel) FAIL_USAGE("--kernel is required (see 'slt spectrum --help')");
    slt_kernel_parse(kernel_s, &kernel);
    slt_domain_parse(domain_s, &domain);
    const slt_kernel_info *kinfo = slt_kernel_info_get(kernel);
    unsigned kparams = kinfo ? kinfo->params : 0;
    int relu = (kparams & SLT_KPARAM_DEPTH) != 0; /* the kernel reads --depth */
    char users[256]; /* the kernels defined on a domain, or reading an option */
    if (!slt_kernel_on_domain(kernel, domain)) {
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
    if (lmax < 0) lmax = domain == SLT_DOMAIN_SPHERE ? 100 : dim == 1 ? 32 : dim == 2 ? 16 : 8;
    if (domain == SLT_DOMAIN_TORUS) {
        long long cap = dim == 1 ? 4096 : dim == 2 ? 256 : 48;
        if (lmax > cap)
            FAIL_USAGE("--lmax: %lld is out of range on the %lld-torus (expected L <= %lld)", lmax,
                       dim, cap);
    }
    if (seen_depth && !relu) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_DEPTH, ", ", " and ");
        FAIL_USAGE("--depth applies to %s only (got --kernel %s)", users, kernel_s);
    }
    if (seen_width && !(kparams & SLT_KPARAM_WIDTH)) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_WIDTH, ", ", " and ");
        FAIL_USAGE("--width applies to %s only (got --kernel %s)", users, kernel_s);
    }
    if ((kparams & SLT_KPARAM_WIDTH) && kinfo->sphere_min_width > 0 &&
        domain == SLT_DOMAIN_SPHERE && !(width >= kinfo->sphere_min_width))
        FAIL_USAGE("--width: %g is out of range for --kernel %s on the sphere (expected "
                   "S >= %g: a narrower kernel needs about 12/S quadrature nodes)", width,
                   kernel_s, kinfo->sphere_min_width);
    if ((seen_offset || seen_pdeg) && !(kparams & SLT_KPARAM_POLY)) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_POLY, ", ", " and ");
        FAIL_USAGE("--offset/--poly-degree apply to --kernel %s only (got --kernel %s)", users,
                   kernel_s);
    }
    if (seen_table != ((kparams & SLT_KPARAM_TABLE) != 0)) {
        slt_kernel_list(users, sizeof users, 0, SLT_KPARAM_TABLE, ", ", " or ");
        if (seen_table)
            FAIL_USAGE("--table FILE needs --kernel %s (got --kernel %s)", users, kernel_s);
        FAIL_USAGE("--kernel %s needs --table FILE", kernel_s);
    }
    if (flat + fit + (empirical > 0) > 1)
        FAIL_USAGE("--flat, --fit and --empirical are separate outputs: give at most one");
    if ((seen_fitwin || seen_fittol) && !fit)
        FAIL_USAGE("--fit-lo/--fit-hi/--fit-tol need --fit");
    if (seen_fitwin && !(fit_hi > fit_lo))
        FAIL_USAGE("--fit-lo %g --fit-hi %g: the window needs both, with fit-lo < fit-hi",
                   fit_lo, fit_hi);
    if ((seen_repeats || seen_seed || seen_data || seen_cov) && empirical == 0)
        FAIL_USAGE("--data/--cov/--repeats/--seed need --empirical N");
    slt_data_kind data = domain == SLT_DOMAIN_SPHERE ? SLT_DATA_SPHERE : SLT_DATA_TORUS;
    if (data_s) data = !strcmp(data_s, "sphere") ? SLT_DATA_SPHERE
                       : !strcmp(data_s, "torus") ? SLT_DATA_TORUS : SLT_DATA_GAUSSIAN;
    if (empirical > 0 && data == SLT_DATA_GAUSSIAN && kernel != SLT_KERNEL_GAUSSIAN)
        FAIL_USAGE("--data gaussian needs --kernel gaussian (got --kernel %s)", kernel_s);
    if (empirical > 0 && data != SLT_DATA_GAUSSIAN &&
        (data == SLT_DATA_SPHERE) != (domain == SLT_DOMAIN_SPHERE))
        FAIL_USAGE("--data %s does not match --domain %s", data_s, domain_s);
    if (seen_cov && data != SLT_DATA_GAUSSIAN) FAIL_USAGE("--cov needs --data gaussian");
    if (seen_cov && (long long)cov.count != dim)
        FAIL_USAGE("--cov: %zu values given, --dim is %lld (expected one variance per dimension)",
                   cov.count, dim);
    if (data == SLT_DATA_GAUSSIAN && empirical > 0 && dim > 64)
        FAIL_USAGE("--dim: %lld is out of range for --data gaussian (expected D <= 64)", dim);
    if (seen_q && strcmp(target_s, "power-law") != 0)
        FAIL_USAGE("--target-q needs --target power-law");
    if (seen_tfile != !strcmp(target_s, "table"))
        FAIL_USAGE(seen_tfile ? "--target-file needs --target table" : "--target table needs "
                   "--target-file FILE");
    if (!strcmp(target_s, "table") && domain == SLT_DOMAIN_TORUS && dim != 1)
        FAIL_USAGE("--target table on the torus needs --dim 1 (got %lld)", dim);
    if (seen_target && !save_file && !fit && flat)
        FAIL_USAGE("--target is used by --save, --fit and the default table, not by --flat");
    if (seen_savemax && !save_file) FAIL_USAGE("--save-max needs --save FILE");

    if (table_file && (rc = read_columns(cmd, table_file, &tx, &tk, &tn))) goto out;
    if (target_file && (rc = read_columns(cmd, target_file, &gx, &gy, &gn))) goto out;

    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = kernel;
    p.domain = domain;
    p.dim = (int)dim;
    p.depth = (int)depth;
    p.lmax = (size_t)lmax;
    p.width = width;
    p.offset = offset;
    p.poly_degree = (int)poly_degree;
    p.rel_tol = rel_tol;
    p.table_x = tx;
    p.table_k = tk;
    p.table_n = tn;
    int lrc = slt_kernels_alloc(&p, &ws);
    if (lrc) { rc = cli_library_error(cmd, lrc); goto out; }
    int worst = slt_kernels_spectrum_compute(ws, &sp);
    if (worst && worst != SLT_ENOCONV) { rc = cli_library_error(cmd, worst); goto out; }
    if (worst) fprintf(stderr, "slt spectrum: warning: %s\n", slt_last_error());
    size_t nl = sp->n_levels;
    power = calloc(nl + 1, sizeof(double));
    power_err = calloc(nl + 1, sizeof(double));
    slope = calloc(nl + 1, sizeof(double));
    if (!power || !power_err || !slope) { rc = cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory")); goto out; }
    slt_kernels_local_slope(sp, slope, NULL);
    if (!strcmp(target_s, "isotropic")) lrc = slt_kernels_target_isotropic(sp, power, power_err);
    else if (!strcmp(target_s, "power-law")) lrc = slt_kernels_target_power_law(sp, target_q, power, power_err);
    else {
        target_table tt = {gx, gy, gn};
        for (size_t i = 1; i < gn; i++)
            if (!(gx[i] > gx[i - 1]))
                FAIL_USAGE("--target-file %s: line %zu: x is not increasing", target_file, i + 1);
        if (gn < 2) FAIL_USAGE("--target-file %s: needs at least 2 points", target_file);
        lrc = slt_kernels_target_power(ws, sp, target_eval, &tt, power, power_err);
    }
    if (lrc) { rc = cli_library_error(cmd, lrc); goto out; }
    /* the target's power past lmax: needed by --save (power left out) and --fit (beta) */
    slt_kernels_beyond beyond = {0, 0, 0, 0};
    if (save_file || fit) {
        if (!strcmp(target_s, "isotropic")) lrc = slt_kernels_beyond_isotropic(sp, &beyond);
        else if (!strcmp(target_s, "power-law")) lrc = slt_kernels_beyond_power_law(sp, target_q, &beyond);
        else {
            target_table tt = {gx, gy, gn};
            lrc = slt_kernels_beyond_target(ws, sp, target_eval, &tt, power, power_err, &beyond);
        }
        if (lrc) { rc = cli_library_error(cmd, lrc); goto out; }
    }

    if (save_file) {
        size_t modes = 0;
        double left = 0, left_err = 0;
        lrc = slt_kernels_save(sp, power, &beyond, (size_t)save_max, save_file, &modes, &left,
                               &left_err);
        if (lrc) { rc = cli_library_error(cmd, lrc); goto out; }
        fprintf(stderr, "slt spectrum: wrote %zu modes to %s (target power left out: %.3g +- "
                "%.2g, of which beyond lmax %.3g)\n", modes, save_file, left, left_err,
                beyond.learnable + beyond.null);
    }

    if ((lrc = slt_table_alloc(cmd, &table))) { rc = cli_library_error(cmd, lrc); goto out; }
    slt_table_param_text(table, "kernel", kernel_s);
    slt_table_param_text(table, "domain", domain_s);
    slt_table_param_int(table, "dim", dim);
    if (relu) slt_table_param_int(table, "depth", depth);
    if (seen_width || (kparams & SLT_KPARAM_WIDTH))
        slt_table_param_real(table, "width", width);
    slt_table_param_int(table, "lmax", lmax);
    slt_table_param_real(table, "diagonal", sp->diag);
    slt_table_param_real(table, "trace", sp->trace);
    slt_table_param_real(table, "trace_err", sp->trace_err);
    slt_table_param_text(table, "eigenvalue", "per eigenfunction (degree total = multiplicity x eigenvalue)");

    int torus = domain == SLT_DOMAIN_TORUS;
    int fail_exit = 0; /* a row with a failure status: exit 1 */
    int table_oom = 0; /* a column or row could not be added */
    /* the user's settings, for the failure messages */
    char set[256];
    int sn = snprintf(set, sizeof set, "--kernel %s --domain %s --dim %lld --lmax %lld",
                      kernel_s, domain_s, dim, lmax);
    if (sn > 0 && (size_t)sn < sizeof set && relu)
        sn += snprintf(set + sn, sizeof set - (size_t)sn, " --depth %lld", depth);
    if (sn > 0 && (size_t)sn < sizeof set && (kparams & SLT_KPARAM_POLY))
        sn += snprintf(set + sn, sizeof set - (size_t)sn, " --offset %g --poly-degree %lld",
                       offset, poly_degree);
    if (sn > 0 && (size_t)sn < sizeof set && (kparams & SLT_KPARAM_WIDTH))
        snprintf(set + sn, sizeof set - (size_t)sn, " --width %g", width);
    if (fit) {
        slt_kernels_fit_params fp = slt_kernels_fit_params_default();
        fp.lo = seen_fitwin ? fit_lo : 0;
        fp.hi = seen_fitwin ? fit_hi : 0;
        fp.tol = fit_tol;
        slt_kernels_fit f;
        const char *fstatus = "ok";
        lrc = slt_kernels_fit_decay(sp, &fp, &f);
        if (lrc == SLT_EDOM) {
            fstatus = "too-few-points";
            fprintf(stderr, "slt spectrum: --fit: %s: %zu resolved levels with degree in [%g, %g], "
                    "at least %zu needed for a decay fit (raise --lmax or widen "
                    "--fit-lo/--fit-hi)\n", set, f.points, f.lo, f.hi, fp.min_points);
        } else if (lrc) {
            rc = cli_library_error(cmd, lrc);
            goto out;
        } else if (!f.power_law) {
            fstatus = "not-power-law";
            fprintf(stderr, "slt spectrum: --fit: %s: the spectrum is not a power-law decay over "
                    "degrees %g..%g (local slope varies by %.3g, --fit-tol is %g; fitted "
                    "alpha_K = %.4g, expected > 0)\n", set, f.lo, f.hi, f.slope_spread, fit_tol,
                    f.alpha_K);
        }
        double beta = NAN, beta_err = NAN;
        if (!strcmp(fstatus, "ok")) {
            if (!strcmp(target_s, "isotropic")) {
                beta = f.alpha_K / f.alpha; /* t_k = λ_k: β = (α − 1)/α (conventions.md §6.3) */
                beta_err = f.alpha_err / (f.alpha * f.alpha);
            } else if (slt_kernels_fit_source(sp, power, power_err, &beyond, &f, &beta, &beta_err)) {
                fstatus = "no-beta";
                beta = beta_err = NAN;
                fprintf(stderr, "slt spectrum: --fit: %s --target %s: the source exponent beta "
                        "could not be fitted over degrees %g..%g: %s\n", set, target_s, f.lo,
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
            if (c[i] < 0) { rc = cli_library_error(cmd, SLT_ENOMEM); goto out; }
        }
        if (slt_table_add_status(table) < 0) { rc = cli_library_error(cmd, SLT_ENOMEM); goto out; }
        long row = slt_table_add_row(table);
        if (row < 0) { rc = cli_library_error(cmd, SLT_ENOMEM); goto out; }
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
        if (strcmp(fstatus, "ok") != 0) fail_exit = 1;
        slt_table_param_text(table, "window", f.detected ? "detected" : "given");
    } else if (flat) {
        slt_kernels_flat_level *fl = NULL;
        size_t nf = 0;
        if ((lrc = slt_kernels_flatten(sp, &fl, &nf))) { rc = cli_library_error(cmd, lrc); goto out; }
        int c0 = slt_table_add_column(table, "k_first", SLT_COL_REAL, 0);
        int c1 = slt_table_add_column(table, "k_last", SLT_COL_REAL, 0);
        int c2 = slt_table_add_column(table, "degree", SLT_COL_INT, 0);
        int c3 = slt_table_add_column(table, "multiplicity", SLT_COL_REAL, 0);
        int c4 = slt_table_add_column(table, "eigenvalue", SLT_COL_REAL, 1);
        if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0) table_oom = 1;
        for (size_t i = 0; i < nf && !table_oom; i++) {
            const slt_kernels_level *L = &sp->levels[fl[i].level];
            long row = slt_table_add_row(table);
            if (row < 0) { table_oom = 1; break; }
            slt_table_set_real(table, (size_t)row, c0, fl[i].k_first, 0);
            slt_table_set_real(table, (size_t)row, c1, fl[i].k_last, 0);
            slt_table_set_int(table, (size_t)row, c2, (long long)L->degree);
            slt_table_set_real(table, (size_t)row, c3, L->mult, 0);
            slt_table_set_real(table, (size_t)row, c4, L->mu, L->mu_err);
        }
        free(fl);
    } else if (empirical > 0) {
        slt_kernels_empirical_params ep = slt_kernels_empirical_params_default();
        ep.n = (size_t)empirical;
        ep.repeats = (size_t)repeats;
        ep.seed = (uint64_t)seed;
        ep.cov = seen_cov ? cov.values : NULL;
        if ((lrc = slt_kernels_empirical_compute(ws, data, &ep, sp, &em))) {
            rc = cli_library_error(cmd, lrc);
            goto out;
        }
        slt_table_param_int(table, "n", empirical);
        slt_table_param_int(table, "repeats", repeats);
        slt_table_param_real(table, "empirical_trace", em->trace);
        int gauss = data == SLT_DATA_GAUSSIAN;
        int c0 = slt_table_add_column(table, gauss ? "index" : "degree", SLT_COL_INT, 0);
        int c1 = slt_table_add_column(table, "multiplicity", SLT_COL_REAL, 0);
        int c2 = slt_table_add_column(table, "eigenvalue", SLT_COL_REAL, 1);
        int c3 = slt_table_add_column(table, "empirical", SLT_COL_REAL, 1);
        int c4 = slt_table_add_column(table, "k_first", SLT_COL_REAL, 0);
        if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0 || c4 < 0) table_oom = 1;
        if (gauss) {
            /* blocks of the analytic groups: the block mean per sample, then its mean and
             * standard error over the samples (the library computes both) */
            for (size_t b = 0; b < em->n_blocks && !table_oom; b++) {
                size_t i = em->block_level[b];
                long row = slt_table_add_row(table);
                if (row < 0) { table_oom = 1; break; }
                slt_table_set_int(table, (size_t)row, c0, (long long)i);
                slt_table_set_real(table, (size_t)row, c1, em->gauss_mult[i], 0);
                /* a product of d factors, each a few roundings: 4e-16·(d + 4) relative */
                slt_table_set_real(table, (size_t)row, c2, em->gauss_value[i],
                                   4e-16 * (dim + 4.0) * em->gauss_value[i]);
                slt_table_set_real(table, (size_t)row, c3, em->block_mean[b], em->block_se[b]);
                slt_table_set_real(table, (size_t)row, c4, em->block_first[b], 0);
            }
        } else {
            for (size_t b = 0; b < em->n_blocks && !table_oom; b++) {
                const slt_kernels_level *L = &sp->levels[em->block_level[b]];
                long row = slt_table_add_row(table);
                if (row < 0) { table_oom = 1; break; }
                slt_table_set_int(table, (size_t)row, c0, (long long)L->degree);
                slt_table_set_real(table, (size_t)row, c1, L->mult, 0);
                slt_table_set_real(table, (size_t)row, c2, L->mu, L->mu_err);
                slt_table_set_real(table, (size_t)row, c3, em->block_mean[b], em->block_se[b]);
                slt_table_set_real(table, (size_t)row, c4, em->block_first[b], 0);
            }
        }
    } else {
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
            table_oom = 1;
        size_t unresolved = 0;
        for (size_t i = 0; i < nl && !table_oom; i++) {
            const slt_kernels_level *L = &sp->levels[i];
            long row = slt_table_add_row(table);
            if (row < 0) { table_oom = 1; break; }
            slt_table_set_int(table, (size_t)row, c0, (long long)L->degree);
            slt_table_set_real(table, (size_t)row, c1, L->mult, 0);
            slt_table_set_real(table, (size_t)row, c2, L->mu, L->mu_err);
            slt_table_set_real(table, (size_t)row, c3, slope[i], 0);
            slt_table_set_text(table, (size_t)row, c4, slt_kernels_method_name(L->method));
            if (torus) {
                char buf[64];
                if (dim == 1) snprintf(buf, sizeof buf, "%d", L->wave[0]);
                else if (dim == 2) snprintf(buf, sizeof buf, "%d,%d", L->wave[0], L->wave[1]);
                else snprintf(buf, sizeof buf, "%d,%d,%d", L->wave[0], L->wave[1], L->wave[2]);
                slt_table_set_int(table, (size_t)row, c5, L->norm2);
                slt_table_set_text(table, (size_t)row, c6, buf);
            }
            if (c7 >= 0) slt_table_set_real(table, (size_t)row, c7, power[i], power_err[i]);
            if (L->mu == 0.0 && L->mu_err <= 1e-13 * sp->diag)
                slt_table_set_status(table, (size_t)row, "zero");
            else if (!(fabs(L->mu) > L->mu_err)) {
                slt_table_set_status(table, (size_t)row, "unresolved");
                unresolved++;
            }
        }
        if (unresolved) { /* not computed to within the eigenvalue itself: a failure */
            fail_exit = 1;
            fprintf(stderr, "slt spectrum: %zu of %zu levels are unresolved (|eigenvalue| <= its "
                    "error) for %s at --rel-tol %g%s\n", unresolved, nl, set, rel_tol,
                    worst ? "" : " (docs/theory/kernels.md: the range each method covers)");
        }
    }
    if (table_oom) {
        rc = cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory for the output table"));
        goto out;
    }
    rc = cli_write_table(cmd, table, format);
    if (!rc && worst) rc = slt_exit_class(worst);
    if (!rc && fail_exit) rc = 1;
out:
    slt_table_free(table);
    slt_kernels_empirical_free(em);
    slt_kernels_spectrum_free(sp);
    slt_kernels_free(ws);
    free(tx); free(tk); free(gx); free(gy); free(power); free(power_err); free(slope);
    cli_list_free(&cov);
    return rc;
}
