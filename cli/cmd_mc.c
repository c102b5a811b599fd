/* slt mc — the Monte Carlo referee: exact simulation of the linear random-feature model
 * (gradient flow, discrete GD, ridge, kernel ridge regression, online SGD, ensembles) on
 * Gaussian features, and kernel ridge regression with a real kernel on sphere points
 * (--model kernel), with mean, standard error and trial count (slt/mc.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "task_args.h"
#include "slt/mc.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_mc_info = {
    "mc",
    "Monte Carlo referee: exact simulation of random-feature and sphere-kernel models, mean +- SE",
    "slt mc --model rf|ridge|krr|sgd (--alpha A --beta B | other letters | --task FILE)\n"
    "              --N LIST --P LIST [--t LIST] [--eta E] [--ridge Z] [--noise S2]\n"
    "              [--batch B] [--ensemble E --share data|projection|none] [--trials T]\n"
    "              [--seed S] [--first-trial I] [--M M] [--threads K] [--format F]\n"
    "       slt mc --model kernel --dim D --kernel gaussian|laplace|relu-ntk|relu-nngp\n"
    "              [--width W] [--depth L] --P LIST [--ridge Z] [--noise S2]\n"
    "              [--target-power LIST] [--n-test T] [--trials T] [--seed S]\n"
    "              [--first-trial I] [--threads K] [--format F]",
    "Simulates the linear random-feature model f(x) = w.A psi(x)/sqrt(N) on Gaussian\n"
    "features psi = Lambda^1/2 z, z ~ N(0, I_M), with the task's spectrum truncated at M\n"
    "modes, teacher w*_k = sqrt(t_k/lambda_k), labels y = w*.psi + sigma eps, A_ik ~ N(0,1),\n"
    "w(0) = 0 (docs/theory/montecarlo.md sec. 1). Test loss: against the clean target, no\n"
    "1/2, exact over the M modes. Train loss: against the noisy labels, no 1/2\n"
    "(docs/theory/conventions.md sec. 3).\n"
    "Models:\n"
    "  rf     gradient flow on L/2 in canonical time t (default), or discrete GD with\n"
    "         --eta (t = eta n, t must be a multiple of eta). N = inf: kernel gradient\n"
    "         flow; P = inf: population gradient flow (train = test + sigma^2).\n"
    "         t = inf gives the converged (minimum-norm) solution.\n"
    "  ridge  ridge regression at convergence, ridge --ridge Z on\n"
    "         (1/P) sum (y - f)^2 + Z |w|^2 (default 0: minimum-norm least squares).\n"
    "  krr    kernel ridge regression: ridge with N = inf (the default N).\n"
    "  sgd    online SGD: a fresh batch of --batch B samples every step, batch-mean\n"
    "         gradient, step --eta, t = eta n; P = inf (the default P). Train = test +\n"
    "         sigma^2 (the population loss against noisy labels).\n"
    "  kernel kernel ridge regression with a real kernel on P points drawn uniformly on\n"
    "         the sphere S^(D-1) (no Gaussian features: this tests the theories'\n"
    "         Gaussian-feature assumption). Kernels, with t = x.x' (--width W, default 1;\n"
    "         --depth L hidden layers, default 1):\n"
    "           gaussian   exp(-|x-x'|^2/(2 W^2)) = exp((t-1)/W^2)\n"
    "           laplace    exp(-|x-x'|/W)\n"
    "           relu-ntk   ReLU NTK of L hidden layers, normalised, k(1) = L+1\n"
    "           relu-nngp  ReLU NNGP (arc-cosine of degree 1, iterated), k(1) = 1\n"
    "         (the conventions of slt spectrum, so its eigenvalues describe the same\n"
    "         kernel). Target: the zonal f*(x) = sum_l sqrt(p_l N(D,l)) P_l(x_1) (P_l the\n"
    "         Gegenbauer polynomial with P_l(1) = 1, N(D,l) the number of degree-l\n"
    "         harmonics) with --target-power p_0,p_1,... (default 0,0.5,0.5): exactly\n"
    "         power p_l in degree l, E f*^2 = sum_l p_l (one-layer relu kernels have no\n"
    "         odd degrees >= 3: power there is unlearnable). Labels y = f* + sigma eps.\n"
    "         Ridge --ridge Z on (1/P) sum (y - f)^2 + Z |f|_H^2 (0: interpolation).\n"
    "         Test loss on --n-test fresh uniform points per trial (default 2000;\n"
    "         their sampling noise is in test_se). Columns as below with N = inf,\n"
    "         t = inf, M = 0, tail_mass = 0.\n"
    "Full-batch models are solved from one symmetric eigendecomposition per trial\n"
    "(docs/theory/montecarlo.md). --ensemble E averages the predictors of E members that\n"
    "share the data, the projection, or nothing (--share, default none); train is then\n"
    "the members' mean train loss.\n"
    "\n" CLI_TASK_HELP CLI_TASK_HELP_FILE
    "Modes: an explicit task uses all its modes; a power law uses M = max(10 max(N, P),\n"
    "1000) (N = P = inf: 10^6 modes; sgd at N = inf: 10^4), or --M.\n"
    "LIST is v1,v2,... or start:stop:count (log-spaced). N and P lists accept inf; their\n"
    "values are whole numbers, so a log-spaced N or P range is rounded to the nearest\n"
    "integers and repeats are dropped (--N 10:1000:5 runs N = 10, 32, 100, 316, 1000).\n"
    "Default times: 1:1e6:19 for gradient flow; eta n with n = 1 ... 10^4 (3 per decade)\n"
    "for GD and SGD.\n"
    "Trials run in parallel (--threads, default all cores); trial i has its own random\n"
    "stream from (--seed, i), so results do not depend on the thread count, and\n"
    "--first-trial I with --trials T reproduces trials I ... I+T-1 of a larger run.\n"
    "\n"
    "Columns: N, P, t, test, test_se (standard error of the mean = sample SD / sqrt(trials);\n"
    "nan, json null, for a single trial), train, train_se, trials, M (modes simulated),\n"
    "tail_mass (sum_{k>M} t_k, the target power beyond the M modes: not a bound on the\n"
    "effect of truncating, which for alpha near 1 can be many times larger, since the\n"
    "missing modes also act as a ridge; compare a theory on the same truncated task,\n"
    "docs/theory/crosscheck.md), status ('ok'; 'unstable' when GD had eta times the\n"
    "largest eigenvalue >= 2 or SGD diverged in some trial, values as simulated, exit 1;\n"
    "'ill-conditioned' when the spectrum is too steep for double precision at that\n"
    "point: directions of the rank min(N, P, M) below (max size * eps)^2 of the largest\n"
    "eigenvalue had to be dropped where the rule would learn them, e.g. t = inf or\n"
    "ridge 0; values nan, exit 1; a library failure's message otherwise, values nan,\n"
    "exit 1). A value that is not a finite number >= 0 in double precision is never\n"
    "'ok': the row fails, exit 1. Amplitudes, noise, ridge and times are simulated on\n"
    "the normalised task (largest eigenvalue and target 1) and scaled back exactly.",
};


/* Parses the --N or --P list `text` into *out: values in [1, 2147483647] or inf. A
 * log-spaced range (start:stop:count) is rounded to the nearest whole numbers, and
 * repeats (adjacent in a monotone range) are dropped; explicit values must be whole. */
static int size_list(const char *cmd, const char *name, const char *text, cli_list *out)
{
    if (cli_list_parse(cmd, name, text, -INFINITY, 1, out)) return CLI_USAGE;
    const int range = strchr(text, ':') != NULL;
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++) {
        double v = out->values[i];
        if (!isinf(v) && !(v >= 1.0 && v <= 2147483647.0))
            return cli_usage_error(cmd, "--%s: %.17g is out of range (expected 1 <= LIST <= "
                                   "2147483647, or inf)", name, v);
        if (range) v = nearbyint(v);
        else if (!isinf(v) && v != floor(v))
            return cli_usage_error(cmd, "--%s: %.17g is not a whole number (expected %s >= 1, "
                                   "or inf)", name, v, name);
        if (kept > 0 && out->values[kept - 1] == v) continue;
        out->values[kept++] = v;
    }
    out->count = kept;
    return CLI_OK;
}

static int error_out(cli_list *a, cli_list *b, cli_list *c, int rc)
{
    cli_list_free(a);
    cli_list_free(b);
    cli_list_free(c);
    return rc;
}

/* The first task option given, or NULL (model kernel takes none). */
static const char *task_option_given(const cli_task_args *ta)
{
    if (ta->seen_alpha) return "--alpha";
    if (ta->seen_beta) return "--beta";
    if (ta->seen_amp) return "--amp-lambda/--amp-target";
    if (ta->seen_a) return "--a";
    if (ta->seen_b) return "--b";
    if (ta->seen_K) return "--alpha-K";
    if (ta->seen_MRS) return "--alpha-MRS";
    if (ta->seen_aP) return "--alpha-P";
    if (ta->seen_bP) return "--beta-P";
    if (ta->seen_file) return "--task";
    return NULL;
}

/* ---- --model kernel ---------------------------------------------------------------- */

typedef struct {
    const cli_task_args *ta;
    cli_list *Ns, *Ps, *times, *tpower; /* freed by cmd_mc_kernel */
    double ridge, noise, width;
    long long trials, seed, first, threads, dim, depth, n_test;
    const char *kernel;
    slt_format format;
    int seen_N, seen_P, seen_t, seen_eta, seen_batch, seen_share, seen_ensemble, seen_M,
        seen_dim, seen_kernel, seen_width, seen_depth;
} kernel_args;

static int kernel_out(const kernel_args *a, int rc)
{
    cli_list_free(a->tpower);
    return error_out(a->Ns, a->Ps, a->times, rc);
}

/* slt mc --model kernel: KRR with a real kernel on sphere points (slt_mc_sphere). */
/* The output columns of `slt mc`, the same for every model. */
typedef struct {
    int N, P, t, test, test_se, train, train_se, trials, M, tail;
} mc_cols;

static int mc_table(const char *cmd, slt_table **table, mc_cols *c)
{
    int rc = slt_table_alloc(cmd, table);
    if (rc) return rc;
    slt_table *t = *table;
    if ((c->N = slt_table_add_column(t, "N", SLT_COL_REAL, 0)) < 0 ||
        (c->P = slt_table_add_column(t, "P", SLT_COL_REAL, 0)) < 0 ||
        (c->t = slt_table_add_column(t, "t", SLT_COL_REAL, 0)) < 0 ||
        (c->test = slt_table_add_column(t, "test", SLT_COL_REAL, 0)) < 0 ||
        (c->test_se = slt_table_add_column(t, "test_se", SLT_COL_REAL, 0)) < 0 ||
        (c->train = slt_table_add_column(t, "train", SLT_COL_REAL, 0)) < 0 ||
        (c->train_se = slt_table_add_column(t, "train_se", SLT_COL_REAL, 0)) < 0 ||
        (c->trials = slt_table_add_column(t, "trials", SLT_COL_INT, 0)) < 0 ||
        (c->M = slt_table_add_column(t, "M", SLT_COL_INT, 0)) < 0 ||
        (c->tail = slt_table_add_column(t, "tail_mass", SLT_COL_REAL, 0)) < 0 ||
        slt_table_add_status(t) < 0)
        return SLT_ENOMEM;
    return SLT_OK;
}

/* An ok row must hold finite losses >= 0 with a finite standard error: anything else (an
 * overflow or underflow of the simulated values, e.g. amplitudes beyond double precision)
 * is a failure of that row, never a number under ok. Returns 1 if the point is unusable. */
static int point_unusable(const slt_mc_point *pt)
{
    const slt_mc_stat *v[2] = {&pt->test, &pt->train};
    for (int i = 0; i < 2; i++) {
        if (!(isfinite(v[i]->mean) && v[i]->mean >= 0.0)) return 1;
        if (v[i]->trials > 1 && !(isfinite(v[i]->se) && v[i]->se >= 0.0)) return 1;
    }
    return 0;
}

/* Marks row r failed (NaN values) after point_unusable. */
static void fail_row(slt_table *table, const mc_cols *col, size_t r)
{
    slt_table_set_real(table, r, col->test, NAN, 0);
    slt_table_set_real(table, r, col->test_se, NAN, 0);
    slt_table_set_real(table, r, col->train, NAN, 0);
    slt_table_set_real(table, r, col->train_se, NAN, 0);
    slt_table_set_status(table, r, slt_strerror(SLT_ELOSS));
}

static int cmd_mc_kernel(const kernel_args *a)
{
    static const char *cmd = "mc";
    const cli_list *Ns = a->Ns, *Ps = a->Ps, *tp = a->tpower;
#define USAGE(...) return kernel_out(a, cli_usage_error(cmd, __VA_ARGS__))
    const char *task_opt = task_option_given(a->ta);
    if (task_opt)
        USAGE("%s cannot be used with --model kernel (the kernel defines the spectrum and "
              "--target-power the target)", task_opt);
    if (a->seen_t) USAGE("--t cannot be used with --model kernel (it is evaluated at convergence, t = inf)");
    if (a->seen_eta) USAGE("--eta cannot be used with --model kernel (it is solved at convergence)");
    if (a->seen_batch) USAGE("--batch is only used by --model sgd (got --model kernel)");
    if (a->seen_ensemble || a->seen_share)
        USAGE("--%s cannot be used with --model kernel (ensembles are simulated with Gaussian "
              "features only)", a->seen_ensemble ? "ensemble" : "share");
    if (a->seen_M) USAGE("--M cannot be used with --model kernel (the kernel is evaluated directly, there are no modes)");
    if (!a->seen_dim) USAGE("--dim D is missing (the sphere S^(D-1) of --model kernel)");
    if (!a->seen_kernel) USAGE("--kernel K is missing (gaussian, laplace, relu-ntk or relu-nngp)");
    if (!a->seen_P) USAGE("--P LIST is missing (the numbers of samples)");
    int relu = strncmp(a->kernel, "relu", 4) == 0;
    if (a->seen_width && relu)
        USAGE("--width is only used by --kernel gaussian or laplace (got --kernel %s)", a->kernel);
    if (a->seen_depth && !relu)
        USAGE("--depth is only used by --kernel relu-ntk or relu-nngp (got --kernel %s)", a->kernel);
    if (a->seen_N)
        for (size_t i = 0; i < Ns->count; i++)
            if (!isinf(Ns->values[i]))
                USAGE("--N: %.17g with --model kernel (kernel regression is N = inf)", Ns->values[i]);
    for (size_t i = 0; i < Ps->count; i++) {
        if (isinf(Ps->values[i]))
            USAGE("--P: inf with --model kernel (expected a finite number of samples P >= 1)");
        if (Ps->values[i] != floor(Ps->values[i]))
            USAGE("--P: %.17g is not a whole number (expected P >= 1)", Ps->values[i]);
    }
    if (tp->count > SLT_MC_TARGET_LEVELS_MAX)
        USAGE("--target-power: %zu values is too many (expected at most %d, degrees 0 ... %d)",
              tp->count, SLT_MC_TARGET_LEVELS_MAX, SLT_MC_TARGET_LEVELS_MAX - 1);
#undef USAGE

    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_KERNEL;
    p.N = INFINITY;
    p.ridge = a->ridge;
    p.trials = (size_t)a->trials;
    p.first_trial = (size_t)a->first;
    p.seed = (uint64_t)a->seed;
    p.threads = (int)a->threads;
    p.sphere.dim = (int)a->dim;
    p.sphere.kernel = strcmp(a->kernel, "gaussian") == 0   ? SLT_MC_KERNEL_GAUSSIAN
                      : strcmp(a->kernel, "laplace") == 0  ? SLT_MC_KERNEL_LAPLACE
                      : strcmp(a->kernel, "relu-ntk") == 0 ? SLT_MC_KERNEL_RELU_NTK
                                                           : SLT_MC_KERNEL_RELU_NNGP;
    p.sphere.width = a->width;
    p.sphere.depth = (int)a->depth;
    p.sphere.target_power = tp->count ? tp->values : NULL;
    p.sphere.target_levels = tp->count;
    p.sphere.noise = a->noise;
    p.sphere.n_test = (size_t)a->n_test;

    /* every point is checked before the first one runs */
    for (size_t j = 0; j < Ps->count; j++) {
        slt_mc_params q = p;
        q.P = (size_t)Ps->values[j];
        int s = slt_mc_check(NULL, &q, NULL, 0);
        if (s) return kernel_out(a, cli_library_error(cmd, s));
    }

    /* the target as text for the params */
    char target[SLT_MC_TARGET_LEVELS_MAX * 26 + 1] = "0,0.5,0.5";
    if (tp->count) {
        size_t len = 0;
        for (size_t i = 0; i < tp->count; i++)
            len += (size_t)snprintf(target + len, sizeof target - len, "%s%.17g", i ? "," : "",
                                    tp->values[i]);
    }
    slt_table *table = NULL;
    int rc;
    mc_cols col;
    if ((rc = mc_table(cmd, &table, &col)) || slt_table_param_text(table, "model", "kernel") ||
        slt_table_param_text(table, "kernel", a->kernel) ||
        slt_table_param_int(table, "dim", a->dim) ||
        (!relu && slt_table_param_real(table, "width", a->width)) ||
        (relu && slt_table_param_int(table, "depth", a->depth)) ||
        slt_table_param_text(table, "target_power", target) ||
        slt_table_param_real(table, "noise", a->noise) ||
        slt_table_param_real(table, "ridge", a->ridge) ||
        slt_table_param_int(table, "n_test", a->n_test) ||
        slt_table_param_int(table, "trials", a->trials) ||
        slt_table_param_int(table, "first_trial", a->first) ||
        slt_table_param_int(table, "seed", a->seed)) {
        slt_table_free(table);
        kernel_out(a, 0);
        return cli_library_error(cmd, rc ? rc : SLT_ENOMEM);
    }

    int worst = SLT_OK, progress = !cli_quiet;
    for (size_t j = 0; j < Ps->count && rc == SLT_OK; j++) {
        slt_mc_params q = p;
        q.P = (size_t)Ps->values[j];
        slt_mc_result *res = NULL;
        int s = slt_mc_run(NULL, &q, NULL, 0, &res);
        long row = slt_table_add_row(table);
        if (row < 0) {
            slt_mc_result_free(res);
            rc = SLT_ENOMEM;
            break;
        }
        size_t r = (size_t)row;
        slt_table_set_real(table, r, col.N, INFINITY, 0);
        slt_table_set_real(table, r, col.P, Ps->values[j], 0);
        slt_table_set_real(table, r, col.t, INFINITY, 0);
        if (s) {
            slt_table_set_status(table, r, slt_strerror(s));
            if (relu)
                fprintf(stderr, "slt mc: P = %.17g (--kernel %s --depth %lld --ridge %.17g): %s\n",
                        Ps->values[j], a->kernel, a->depth, a->ridge, slt_last_error());
            else
                fprintf(stderr, "slt mc: P = %.17g (--kernel %s --width %.17g --ridge %.17g): %s\n",
                        Ps->values[j], a->kernel, a->width, a->ridge, slt_last_error());
            if (!worst) worst = s;
            continue;
        }
        const slt_mc_point *pt = &res->points[0];
        slt_table_set_real(table, r, col.test, pt->test.mean, 0);
        slt_table_set_real(table, r, col.test_se, pt->test.se, 0);
        slt_table_set_real(table, r, col.train, pt->train.mean, 0);
        slt_table_set_real(table, r, col.train_se, pt->train.se, 0);
        slt_table_set_int(table, r, col.trials, (long long)pt->test.trials);
        slt_table_set_int(table, r, col.M, 0);
        slt_table_set_real(table, r, col.tail, 0.0, 0);
        if (point_unusable(pt)) {
            fail_row(table, &col, r);
            fprintf(stderr, "slt mc: P = %.17g: the simulated loss is not a finite number >= 0 in "
                    "double precision (test %.3g ± %.3g, train %.3g ± %.3g); --target-power or "
                    "--noise is out of the representable range\n", Ps->values[j], pt->test.mean,
                    pt->test.se, pt->train.mean, pt->train.se);
            if (!worst) worst = SLT_ELOSS;
        }
        if (progress && res->seconds > 1.0)
            cli_progress(cmd, "P = %.17g: %zu trials in %.1f s", Ps->values[j], res->trials,
                         res->seconds);
        slt_mc_result_free(res);
    }
    if (rc == SLT_OK) rc = cli_write_table(cmd, table, a->format);
    else rc = cli_library_error(cmd, rc);
    if (!rc && worst) rc = slt_exit_class(worst);
    slt_table_free(table);
    return kernel_out(a, rc);
}

int cmd_mc(int argc, char **argv)
{
    static const char *cmd = "mc";
    const char *model_name = "rf", *share_name = "none", *kernel_name = NULL;
    const char *N_text = NULL, *P_text = NULL;
    cli_list Ns = {0}, Ps = {0}, times = {0}, tpower = {0};
    double eta = NAN, ridge = 0.0, noise = 0.0, width = 1.0;
    long long batch = 1, ensemble = 1, trials = 100, seed = 1, first = 0, modes = 0, threads = 0;
    long long dim = 0, depth = 1, n_test = 2000;
    slt_format format = SLT_FORMAT_TABLE;
    int seen_N = 0, seen_P = 0, seen_t = 0, seen_eta = 0, seen_ridge = 0, seen_batch = 0,
        seen_share = 0, seen_ensemble = 0, seen_M = 0, seen_dim = 0, seen_kernel = 0,
        seen_width = 0, seen_depth = 0, seen_tpower = 0, seen_ntest = 0;
    cli_task_args ta;
    cli_task_args_init(&ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 26];
    size_t n = cli_task_options(&ta, opts);
    opts[n++] = (cli_option){.name = "model", .kind = CLI_CHOICE, .target = &model_name,
                             .metavar = "MODEL", .help = "model (default rf)",
                             .choices = "rf|ridge|krr|sgd|kernel"};
    /* N and P are read as text, so that a log-spaced range (rounded to whole numbers) can
     * be told from explicit values (which must be whole) */
    opts[n++] = (cli_option){.name = "N", .kind = CLI_TEXT, .target = &N_text, .metavar = "LIST",
                             .help = "widths N (krr: inf) [whole 1 <= N <= 2147483647, or inf]",
                             .seen = &seen_N};
    opts[n++] = (cli_option){.name = "P", .kind = CLI_TEXT, .target = &P_text, .metavar = "LIST",
                             .help = "numbers of samples P (sgd: inf) [whole 1 <= P <= "
                                     "2147483647, or inf]",
                             .seen = &seen_P};
    opts[n++] = (cli_option){.name = "t", .kind = CLI_LIST, .target = &times, .metavar = "LIST",
                             .help = "times (not for ridge/krr)", .lo = 0, .hi = INFINITY,
                             .hi_open = 1, .allow_inf = 1, .seen = &seen_t};
    opts[n++] = (cli_option){.name = "eta", .kind = CLI_REAL, .target = &eta, .metavar = "E",
                             .help = "step: discrete GD (rf) or SGD (sgd, required)", .lo = 0,
                             .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &seen_eta};
    opts[n++] = (cli_option){.name = "ridge", .kind = CLI_REAL, .target = &ridge, .metavar = "Z",
                             .help = "ridge z of ridge/krr/kernel (default 0)", .lo = 0,
                             .hi = INFINITY, .hi_open = 1, .seen = &seen_ridge};
    opts[n++] = (cli_option){.name = "noise", .kind = CLI_REAL, .target = &noise,
                             .metavar = "S2", .help = "label-noise variance sigma^2 (default 0)",
                             .lo = 0, .hi = INFINITY, .hi_open = 1};
    opts[n++] = (cli_option){.name = "batch", .kind = CLI_INT, .target = &batch, .metavar = "B",
                             .help = "SGD batch size (default 1)", .lo = 1, .hi = 2147483647,
                             .seen = &seen_batch};
    opts[n++] = (cli_option){.name = "ensemble", .kind = CLI_INT, .target = &ensemble,
                             .metavar = "E", .help = "ensemble members (default 1)", .lo = 1,
                             .hi = 1000000, .seen = &seen_ensemble};
    opts[n++] = (cli_option){.name = "share", .kind = CLI_CHOICE, .target = &share_name,
                             .metavar = "WHAT", .help = "what ensemble members share (default none)",
                             .choices = "data|projection|none", .seen = &seen_share};
    opts[n++] = (cli_option){.name = "trials", .kind = CLI_INT, .target = &trials,
                             .metavar = "T", .help = "trials (default 100)", .lo = 1,
                             .hi = 1000000000};
    opts[n++] = (cli_option){.name = "seed", .kind = CLI_INT, .target = &seed, .metavar = "S",
                             .help = "random seed (default 1)", .lo = 0,
                             .hi = 9007199254740991.0};
    opts[n++] = (cli_option){.name = "first-trial", .kind = CLI_INT, .target = &first,
                             .metavar = "I", .help = "index of the first trial (default 0)",
                             .lo = 0, .hi = 4000000000.0};
    opts[n++] = (cli_option){.name = "M", .kind = CLI_INT, .target = &modes, .metavar = "M",
                             .help = "modes simulated (default: see below)", .lo = 1,
                             .hi = 2147483647, .seen = &seen_M};
    opts[n++] = (cli_option){.name = "threads", .kind = CLI_INT, .target = &threads,
                             .metavar = "K", .help = "OpenMP threads (default all)", .lo = 1,
                             .hi = 4096};
    opts[n++] = (cli_option){.name = "dim", .kind = CLI_INT, .target = &dim, .metavar = "D",
                             .help = "kernel: ambient dimension of the sphere S^(D-1)", .lo = 2,
                             .hi = 1000, .seen = &seen_dim};
    opts[n++] = (cli_option){.name = "kernel", .kind = CLI_CHOICE, .target = &kernel_name,
                             .metavar = "K", .help = "kernel: the kernel",
                             .choices = "gaussian|laplace|relu-ntk|relu-nngp",
                             .seen = &seen_kernel};
    opts[n++] = (cli_option){.name = "width", .kind = CLI_REAL, .target = &width, .metavar = "W",
                             .help = "kernel: width of gaussian/laplace (default 1)", .lo = 0,
                             .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &seen_width};
    opts[n++] = (cli_option){.name = "depth", .kind = CLI_INT, .target = &depth, .metavar = "L",
                             .help = "kernel: hidden layers of relu-ntk/relu-nngp (default 1)",
                             .lo = 1, .hi = 64, .seen = &seen_depth};
    opts[n++] = (cli_option){.name = "target-power", .kind = CLI_LIST, .target = &tpower,
                             .metavar = "LIST",
                             .help = "kernel: target power p_0,p_1,... per degree (default 0,0.5,0.5)",
                             .lo = 0, .hi = INFINITY, .hi_open = 1, .seen = &seen_tpower};
    opts[n++] = (cli_option){.name = "n-test", .kind = CLI_INT, .target = &n_test,
                             .metavar = "T", .help = "kernel: test points per trial (default 2000)",
                             .lo = 1, .hi = 2147483647, .seen = &seen_ntest};
    opts[n++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &format,
                             .metavar = "F", .help = "output format (default table)"};
    int rc = cli_parse(&cmd_mc_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return error_out(&Ns, &Ps, &times, 0);
    if (rc == CLI_OK && seen_N) rc = size_list(cmd, "N", N_text, &Ns);
    if (rc == CLI_OK && seen_P) rc = size_list(cmd, "P", P_text, &Ps);
    if (rc == CLI_OK && strcmp(model_name, "kernel") == 0)
        return cmd_mc_kernel(&(kernel_args){
            .ta = &ta, .Ns = &Ns, .Ps = &Ps, .times = &times, .tpower = &tpower,
            .ridge = ridge, .noise = noise, .width = width, .trials = trials, .seed = seed,
            .first = first, .threads = threads, .dim = dim, .depth = depth, .n_test = n_test,
            .kernel = kernel_name, .format = format, .seen_N = seen_N, .seen_P = seen_P,
            .seen_t = seen_t, .seen_eta = seen_eta, .seen_batch = seen_batch,
            .seen_share = seen_share, .seen_ensemble = seen_ensemble, .seen_M = seen_M,
            .seen_dim = seen_dim, .seen_kernel = seen_kernel, .seen_width = seen_width,
            .seen_depth = seen_depth});
    cli_list_free(&tpower);
    if (rc == CLI_OK) {
        const char *only = seen_dim       ? "--dim"
                           : seen_kernel  ? "--kernel"
                           : seen_width   ? "--width"
                           : seen_depth   ? "--depth"
                           : seen_tpower  ? "--target-power"
                           : seen_ntest   ? "--n-test"
                                          : NULL;
        if (only)
            rc = cli_usage_error(cmd, "%s is only used by --model kernel (got --model %s)", only,
                                 model_name);
    }
    if (rc == CLI_OK) rc = cli_task_resolve(cmd, &ta);
    if (rc != CLI_OK) return error_out(&Ns, &Ps, &times, rc);

    /* ---- the model and the combinations of options ---- */
    slt_mc_params p = slt_mc_params_default();
    int krr = strcmp(model_name, "krr") == 0;
    if (strcmp(model_name, "rf") == 0) p.model = SLT_MC_RF;
    else if (strcmp(model_name, "ridge") == 0 || krr) p.model = SLT_MC_RIDGE;
    else p.model = SLT_MC_SGD;
    const int sgd = p.model == SLT_MC_SGD, ridge_model = p.model == SLT_MC_RIDGE;
#define USAGE(...) return error_out(&Ns, &Ps, &times, cli_usage_error(cmd, __VA_ARGS__))
    if (seen_batch && !sgd) USAGE("--batch is only used by --model sgd (got --model %s)", model_name);
    if (seen_eta && ridge_model)
        USAGE("--eta cannot be used with --model %s (it is solved at convergence)", model_name);
    if (sgd && !seen_eta) USAGE("--model sgd needs the step --eta E");
    if (seen_ridge && !ridge_model)
        USAGE("--ridge is only used by --model ridge or krr (got --model %s)", model_name);
    if (seen_t && ridge_model)
        USAGE("--t cannot be used with --model %s (it is evaluated at convergence, t = inf)",
              model_name);
    if (seen_share && ensemble < 2) USAGE("--share needs --ensemble E with E > 1");
    if (sgd && ensemble > 1 && strcmp(share_name, "data") == 0)
        USAGE("--share data is not supported with --model sgd (use none or projection)");
    if (!seen_N && !krr) USAGE("--N LIST is missing (the widths; inf for the kernel limit)");
    if (!seen_P && !sgd) USAGE("--P LIST is missing (the numbers of samples; inf for the population)");
    if (krr && seen_N)
        for (size_t i = 0; i < Ns.count; i++)
            if (!isinf(Ns.values[i]))
                USAGE("--N: %.17g with --model krr (krr is N = inf; use --model ridge for finite N)",
                      Ns.values[i]);
    if (sgd && seen_P)
        for (size_t i = 0; i < Ps.count; i++)
            if (!isinf(Ps.values[i]))
                USAGE("--P: %.17g with --model sgd (online SGD has P = inf: fresh data every step)",
                      Ps.values[i]);
    if (seen_t && sgd)
        for (size_t i = 0; i < times.count; i++)
            if (isinf(times.values[i])) USAGE("--t: inf with --model sgd (expected finite times)");
    if (seen_t && !sgd && seen_eta)
        for (size_t i = 0; i < times.count; i++)
            if (!isinf(times.values[i]) && fabs(times.values[i] / eta - nearbyint(times.values[i] / eta)) >
                                               1e-9 * fmax(1.0, nearbyint(times.values[i] / eta)))
                USAGE("--t: %.17g is not a multiple of --eta %.17g (GD times are t = eta n)",
                      times.values[i], eta);
#undef USAGE
    double inf_value = INFINITY;
    if (!seen_N) { /* krr */
        Ns.values = malloc(sizeof(double));
        if (!Ns.values) return error_out(&Ns, &Ps, &times, cli_usage_error(cmd, "out of memory"));
        Ns.values[0] = inf_value;
        Ns.count = 1;
    }
    if (!seen_P) { /* sgd */
        Ps.values = malloc(sizeof(double));
        if (!Ps.values) return error_out(&Ns, &Ps, &times, cli_usage_error(cmd, "out of memory"));
        Ps.values[0] = inf_value;
        Ps.count = 1;
    }
    if (!ridge_model && times.count == 0) {
        size_t count = 0;
        times.values = malloc(19 * sizeof(double));
        if (!times.values) return error_out(&Ns, &Ps, &times, cli_usage_error(cmd, "out of memory"));
        if (!seen_eta) {
            for (size_t i = 0; i < 19; i++) times.values[count++] = pow(10.0, (double)i / 3.0);
        } else {
            double last = 0;
            for (size_t i = 0; i <= 12; i++) {
                double steps = nearbyint(pow(10.0, (double)i / 3.0));
                if (steps != last) times.values[count++] = eta * steps;
                last = steps;
            }
        }
        times.count = count;
    }
    p.eta = seen_eta ? eta : 0.0;
    p.ridge = ridge;
    p.batch = (size_t)batch;
    p.ensemble = (size_t)ensemble;
    /* the option table admits only the library's names */
    slt_share_from_string(share_name, &p.share);
    p.trials = (size_t)trials;
    p.first_trial = (size_t)first;
    p.seed = (uint64_t)seed;
    p.M = (size_t)modes;
    p.threads = (int)threads;
    const double *tv = ridge_model ? NULL : times.values;
    const size_t nt = ridge_model ? 0 : times.count;

    slt_task *task = NULL;
    if ((rc = cli_task_make(cmd, &ta, noise, &task))) return error_out(&Ns, &Ps, &times, rc);

    /* every point is checked before the first one runs */
    for (size_t i = 0; i < Ns.count; i++)
        for (size_t j = 0; j < Ps.count; j++) {
            slt_mc_params q = p;
            q.N = Ns.values[i];
            q.P = Ps.values[j];
            int s = slt_mc_check(task, &q, tv, nt);
            if (s) {
                slt_task_free(task);
                return error_out(&Ns, &Ps, &times, cli_library_error(cmd, s));
            }
        }

    slt_table *table = NULL;
    mc_cols col;
    if ((rc = mc_table(cmd, &table, &col)) || cli_task_params(&ta, task, table) ||
        slt_table_param_text(table, "model", model_name) ||
        slt_table_param_real(table, "noise", noise) ||
        slt_table_param_real(table, "eta", p.eta) ||
        slt_table_param_real(table, "ridge", p.ridge) ||
        slt_table_param_int(table, "batch", batch) ||
        slt_table_param_int(table, "ensemble", ensemble) ||
        slt_table_param_text(table, "share", share_name) ||
        slt_table_param_int(table, "trials", trials) ||
        slt_table_param_int(table, "first_trial", first) ||
        slt_table_param_int(table, "seed", seed) ||
        (modes && slt_table_param_int(table, "M", modes))) {
        slt_table_free(table);
        slt_task_free(task);
        error_out(&Ns, &Ps, &times, 0);
        return cli_library_error(cmd, rc ? rc : SLT_ENOMEM);
    }

    int worst = SLT_OK, progress = !cli_quiet;
    size_t ill_rows = 0;
    for (size_t i = 0; i < Ns.count && rc == SLT_OK; i++)
        for (size_t j = 0; j < Ps.count && rc == SLT_OK; j++) {
            slt_mc_params q = p;
            q.N = Ns.values[i];
            q.P = Ps.values[j];
            slt_mc_result *res = NULL;
            int s = slt_mc_run(task, &q, tv, nt, &res);
            size_t rows = ridge_model ? 1 : nt, ill_before = ill_rows;
            for (size_t k = 0; k < rows; k++) {
                long row = slt_table_add_row(table);
                if (row < 0) {
                    rc = SLT_ENOMEM;
                    break;
                }
                size_t r = (size_t)row;
                slt_table_set_real(table, r, col.N, Ns.values[i], 0);
                slt_table_set_real(table, r, col.P, Ps.values[j], 0);
                slt_table_set_real(table, r, col.t, ridge_model ? INFINITY : tv[k], 0);
                if (s) {
                    slt_table_set_status(table, r, slt_strerror(s));
                    continue;
                }
                const slt_mc_point *pt = &res->points[k];
                slt_table_set_real(table, r, col.test, pt->test.mean, 0);
                slt_table_set_real(table, r, col.test_se, pt->test.se, 0);
                slt_table_set_real(table, r, col.train, pt->train.mean, 0);
                slt_table_set_real(table, r, col.train_se, pt->train.se, 0);
                slt_table_set_int(table, r, col.trials, (long long)pt->test.trials);
                slt_table_set_int(table, r, col.M, (long long)res->M);
                slt_table_set_real(table, r, col.tail, res->tail_mass, 0);
                if (res->unstable_trials) slt_table_set_status(table, r, "unstable");
                if (pt->ill_trials) {
                    slt_table_set_status(table, r, "ill-conditioned");
                    ill_rows++;
                }
                else if (!res->unstable_trials && point_unusable(pt)) {
                    fail_row(table, &col, r);
                    fprintf(stderr, "slt mc: N = %.17g, P = %.17g, t = %.17g: the simulated loss "
                            "is not a finite number >= 0 in double precision (test %.3g ± %.3g, "
                            "train %.3g ± %.3g); the amplitudes (--amp-lambda, --amp-target), "
                            "--noise, --ridge or --eta are out of the representable range\n",
                            Ns.values[i], Ps.values[j], ridge_model ? INFINITY : tv[k],
                            pt->test.mean, pt->test.se, pt->train.mean, pt->train.se);
                    if (!worst) worst = SLT_ELOSS;
                }
            }
            if (s) {
                fprintf(stderr, "slt mc: N = %.17g, P = %.17g: %s\n", Ns.values[i],
                        Ps.values[j], slt_last_error());
                if (!worst) worst = s;
            } else {
                if (ill_rows > ill_before) {
                    fprintf(stderr, "slt mc: N = %.17g, P = %.17g: %zu point(s) ill-conditioned: "
                            "up to %zu of the %zu directions of each trial's eigenproblem lie "
                            "below double precision even by SVD ((max size * eps)^2 of the "
                            "largest eigenvalue) and would be learned there, so the simulated "
                            "loss would be too large; values are nan (use finite times, a "
                            "ridge, fewer modes or a less steep spectrum)\n", Ns.values[i],
                            Ps.values[j], ill_rows - ill_before, res->dropped_max, res->rank);
                    if (!worst) worst = SLT_ELOSS;
                }
                if (res->unstable_trials) {
                    /* an answer (the dynamics diverge), but not an ok value: exit 1 */
                    fprintf(stderr, "slt mc: N = %.17g, P = %.17g: %zu of %zu trials unstable "
                            "(%s; --eta %.17g)\n", Ns.values[i], Ps.values[j],
                            res->unstable_trials, res->trials,
                            sgd ? "the iterate diverged" : "eta times the largest eigenvalue >= 2",
                            p.eta);
                    if (!worst) worst = SLT_EDIVERGE;
                }
                if (progress && res->seconds > 1.0)
                    cli_progress(cmd, "N = %.17g, P = %.17g: %zu trials in %.1f s",
                                 Ns.values[i], Ps.values[j], res->trials, res->seconds);
            }
            slt_mc_result_free(res);
        }
    if (rc == SLT_OK) rc = cli_write_table(cmd, table, format);
    else rc = cli_library_error(cmd, rc);
    if (!rc && worst) rc = slt_exit_class(worst);
    slt_table_free(table);
    slt_task_free(task);
    return error_out(&Ns, &Ps, &times, rc);
}
