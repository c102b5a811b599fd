/* slt mc — the Monte Carlo referee: exact simulation of the linear random-feature model
 * (gradient flow, discrete GD, ridge, kernel ridge regression, online SGD, ensembles) on
 * Gaussian features, and kernel ridge regression with a real kernel on sphere points
 * (--model kernel), with mean, standard error and trial count (slt/mc.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "task_args.h"
#include "slt/mc.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_mc_info = {
    "mc",
    "Monte Carlo referee: exact simulation of random-feature and sphere-kernel models, mean +- SE",
    "slt mc --model rf|ridge|krr|sgd|featlearn (--alpha A --beta B | other letters |\n"
    "              --task FILE)\n"
    "              --N LIST --P LIST [--t LIST | --t-file FILE | --steps LIST |\n"
    "              --steps-file FILE [--every K]] [--eta E] [--ridge Z] [--noise S2]\n"
    "              [--batch B] [--gamma G] [--ensemble E --share data|projection|none]\n"
    "              [--trials T]\n"
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
    "  featlearn  the feature-learning model of docs/theory/featlearn.md sec. 1.2:\n"
    "         f = w.A(n) psi/N, w += eta A g, A += eta G w g^T A(0)^T A(0)/N with the\n"
    "         gradient signal g = Lambda v (--P inf: the population gradient), the mean\n"
    "         over the --P fixed samples (full-batch GD; test and train), or over a fresh\n"
    "         batch of --batch B samples every step (online, P = inf); step --eta\n"
    "         (required), richness --gamma G (default 0: the lazy model, step by step\n"
    "         the same as rf's GD and sgd). Finite N only; no ensembles\n"
    "         (docs/theory/montecarlo.md sec. 11).\n"
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
    "1000) (N = P = inf: 10^6 modes; sgd at N = inf: 10^4), or --M: modes k = 1..M, the\n"
    "task of the theory commands' --M (slt dmft --M M). A power law that exists only\n"
    "truncated (alpha <= 1, e.g. --alpha-P p <= 0.5: the PLRF problem at V = M) is the\n"
    "task of M modes itself, so its tail_mass is 0.\n"
    CLI_LIST_HELP
    "N and P lists accept inf; their values are whole numbers, so a range of N or P is\n"
    "rounded to the nearest integers and repeats are dropped (--N 10:1000:5 runs N = 10,\n"
    "32, 100, 316, 1000).\n"
    CLI_TIMES_HELP
    "Default times: 1:1e6:19 for gradient flow; eta n with n = 1 ... 10^4 (3 per decade)\n"
    "for GD and SGD.\n"
    "Trials run in parallel (--threads, default all cores); trial i has its own random\n"
    "stream from (--seed, i), so results do not depend on the thread count, and\n"
    "--first-trial I with --trials T reproduces trials I ... I+T-1 of a larger run.\n"
    "\n"
    "Columns: N, P, step (with --steps), t, test, test_se (standard error of the mean =\n"
    "sample SD / sqrt(trials); nan, json null, for a single trial), train, train_se,\n"
    "trials, M (modes simulated),\n"
    "tail_mass (sum_{k>M} t_k, the target power beyond the M modes: not a bound on the\n"
    "effect of truncating, which for alpha near 1 can be many times larger, since the\n"
    "missing modes also act as a ridge; compare a theory on the same truncated task,\n"
    "docs/theory/crosscheck.md), status ('ok'; 'unstable' when GD had eta times the\n"
    "largest eigenvalue >= 2 or SGD diverged in some trial, values nan, exit 1;\n"
    "'ill-conditioned' when the spectrum is too steep for double precision at that\n"
    "point: directions of the rank min(N, P, M) below (max size * eps)^2 of the largest\n"
    "eigenvalue had to be dropped where the rule would learn them, e.g. t = inf or\n"
    "ridge 0; values nan, exit 1; a library failure's message otherwise, values nan,\n"
    "exit 1). A value that is not a finite number >= 0 in double precision is never\n"
    "'ok': the row fails, exit 1. Amplitudes, noise, ridge and times are simulated on\n"
    "the normalised task (largest eigenvalue and target 1) and scaled back exactly.",
};

static const char cmd[] = "mc";

/* Parses the --N or --P list `text` into *out: values in [1, 2147483647] or inf. A
 * range (start:stop:count[:lin]) is rounded to the nearest whole numbers, explicit values
 * must be whole, and adjacent repeats are dropped. */
static int size_list(const char *name, const char *text, cli_list *out)
{
    const cli_option o = {.name = name, .kind = CLI_LIST, .metavar = "LIST", .lo = 1,
                          .hi = 2147483647, .allow_inf = 1, .integer = 1};
    if (cli_list_parse_option(cmd, &o, text, out)) return CLI_USAGE;
    size_t kept = 0;
    for (size_t i = 0; i < out->count; i++)
        if (kept == 0 || out->values[kept - 1] != out->values[i])
            out->values[kept++] = out->values[i];
    out->count = kept;
    return CLI_OK;
}

/* The first of --t, --t-file, --steps, --steps-file given (for messages). */
static const char *times_option_given(const cli_times *tm)
{
    return tm->seen_t ? "--t" : tm->seen_t_file ? "--t-file" : tm->seen_steps ? "--steps"
                                                                           : "--steps-file";
}

/* The first task option given, or NULL (model kernel takes none). */
static const char *task_option_given(const cli_task_args *ta)
{
    static const char *names[] = {"--alpha", "--beta", "--amp-lambda/--amp-target", "--a", "--b",
                                  "--alpha-K", "--alpha-MRS", "--alpha-P", "--beta-P", "--task"};
    const int seen[] = {ta->seen_alpha, ta->seen_beta, ta->seen_amp, ta->seen_a, ta->seen_b,
                        ta->seen_K, ta->seen_MRS, ta->seen_aP, ta->seen_bP, ta->seen_file};
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        if (seen[i]) return names[i];
    return NULL;
}

/* ---- parse: the command line, with the library's defaults ---------------------------- */

#define HELP_LEN 96

/* Everything `slt mc` reads from its command line. */
typedef struct {
    cli_task_args ta;
    const char *model, *share, *kernel, *N_text, *P_text;
    cli_list Ns, Ps, tpower;
    cli_times tm; /* --t, --t-file, --steps, --steps-file, --every */
    double eta, ridge, noise, width, gamma;
    long long batch, ensemble, trials, seed, first, modes, threads, dim, depth, n_test;
    slt_format format;
    int seen_N, seen_P, seen_eta, seen_ridge, seen_batch, seen_share, seen_ensemble,
        seen_M, seen_dim, seen_kernel, seen_width, seen_depth, seen_tpower, seen_ntest,
        seen_gamma;
    char help[13][HELP_LEN]; /* help texts that name a library default */
} mc_args;

static int args_out(mc_args *a, int rc)
{
    cli_list *lists[] = {&a->Ns, &a->Ps, &a->tpower};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) cli_list_free(lists[i]);
    cli_times_free(&a->tm);
    return rc;
}

/* `text` with the default appended: "text (default X)". */
__attribute__((format(printf, 2, 3))) static const char *with_default(char *buf, const char *fmt,
                                                                      ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, HELP_LEN, fmt, ap);
    va_end(ap);
    return buf;
}

/* The option values start at slt_mc_params_default()'s, which the help texts quote. */
static size_t mc_options(mc_args *a, cli_option *opts)
{
    const slt_mc_params d = slt_mc_params_default();
    char(*h)[HELP_LEN] = a->help;
    a->model = slt_mc_model_name(d.model), a->share = slt_share_to_string(d.share);
    a->eta = NAN, a->gamma = d.gamma, a->ridge = d.ridge, a->noise = d.sphere.noise, a->width = d.sphere.width;
    a->batch = (long long)d.batch, a->ensemble = (long long)d.ensemble;
    a->trials = (long long)d.trials, a->seed = (long long)d.seed;
    a->first = (long long)d.first_trial, a->modes = (long long)d.M, a->threads = d.threads;
    a->depth = d.sphere.depth, a->n_test = (long long)d.sphere.n_test;
    a->format = SLT_FORMAT_TABLE;
    cli_task_args_init(&a->ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES | CLI_TASK_MODES_OWN);
    size_t n = cli_task_options(&a->ta, opts);
#define OPT(...) (opts[n++] = (cli_option){__VA_ARGS__})
    OPT(.name = "model", .kind = CLI_CHOICE, .target = &a->model, .metavar = "MODEL",
        .help = with_default(h[0], "model (default %s)", a->model),
        .choices = "rf|ridge|krr|sgd|kernel|featlearn");
    /* N and P are read as text, so that a log-spaced range (rounded to whole numbers) can
     * be told from explicit values (which must be whole) */
    OPT(.name = "N", .kind = CLI_TEXT, .target = &a->N_text, .metavar = "LIST", .seen = &a->seen_N,
        .help = "widths N (krr: inf) [whole 1 <= N <= 2147483647, or inf]");
    OPT(.name = "P", .kind = CLI_TEXT, .target = &a->P_text, .metavar = "LIST", .seen = &a->seen_P,
        .help = "numbers of samples P (sgd: inf) [whole 1 <= P <= 2147483647, or inf]");
    n += cli_times_options(&a->tm, (cli_option){.help = "times (not for ridge/krr)", .lo = 0,
                                                .hi = INFINITY, .hi_open = 1, .allow_inf = 1},
                           1, opts + n);
    OPT(.name = "eta", .kind = CLI_REAL, .target = &a->eta, .metavar = "E", .seen = &a->seen_eta,
        .help = "step: discrete GD (rf) or SGD (sgd, required)", .lo = 0, .hi = INFINITY,
        .lo_open = 1, .hi_open = 1);
    OPT(.name = "ridge", .kind = CLI_REAL, .target = &a->ridge, .metavar = "Z", .seen = &a->seen_ridge,
        .help = with_default(h[1], "ridge z of ridge/krr/kernel (default %g)", a->ridge), .lo = 0,
        .hi = INFINITY, .hi_open = 1);
    OPT(.name = "noise", .kind = CLI_REAL, .target = &a->noise, .metavar = "S2", .lo = 0,
        .help = with_default(h[2], "label-noise variance sigma^2 (default %g)", a->noise),
        .hi = INFINITY, .hi_open = 1);
    OPT(.name = "batch", .kind = CLI_INT, .target = &a->batch, .metavar = "B", .seen = &a->seen_batch,
        .help = with_default(h[3], "SGD batch size (default %lld; featlearn: online)", a->batch),
        .lo = 1, .hi = 2147483647);
    OPT(.name = "gamma", .kind = CLI_REAL, .target = &a->gamma, .metavar = "G", .seen = &a->seen_gamma,
        .help = with_default(h[12], "featlearn: richness gamma >= 0 (default %g)", a->gamma),
        .lo = 0, .hi = INFINITY, .hi_open = 1);
    OPT(.name = "ensemble", .kind = CLI_INT, .target = &a->ensemble, .metavar = "E",
        .help = with_default(h[4], "ensemble members (default %lld)", a->ensemble), .lo = 1,
        .hi = 1000000, .seen = &a->seen_ensemble);
    OPT(.name = "share", .kind = CLI_CHOICE, .target = &a->share, .metavar = "WHAT",
        .help = with_default(h[5], "what ensemble members share (default %s)", a->share),
        .choices = "data|projection|none", .seen = &a->seen_share);
    OPT(.name = "trials", .kind = CLI_INT, .target = &a->trials, .metavar = "T", .lo = 1,
        .help = with_default(h[6], "trials (default %lld)", a->trials), .hi = 1000000000);
    OPT(.name = "seed", .kind = CLI_INT, .target = &a->seed, .metavar = "S", .lo = 0,
        .help = with_default(h[7], "random seed (default %lld)", a->seed), .hi = 9007199254740991.0);
    OPT(.name = "first-trial", .kind = CLI_INT, .target = &a->first, .metavar = "I", .lo = 0,
        .help = with_default(h[8], "index of the first trial (default %lld)", a->first),
        .hi = 4000000000.0);
    OPT(.name = "M", .kind = CLI_INT, .target = &a->modes, .metavar = "M", .seen = &a->seen_M,
        .help = "modes simulated (default: see below)", .lo = 1, .hi = 2147483647);
    OPT(.name = "threads", .kind = CLI_INT, .target = &a->threads, .metavar = "K",
        .help = "OpenMP threads (default all)", .lo = 1, .hi = 4096);
    OPT(.name = "dim", .kind = CLI_INT, .target = &a->dim, .metavar = "D", .seen = &a->seen_dim,
        .help = "kernel: ambient dimension of the sphere S^(D-1)", .lo = 2, .hi = 1000);
    OPT(.name = "kernel", .kind = CLI_CHOICE, .target = &a->kernel, .metavar = "K",
        .help = "kernel: the kernel", .choices = "gaussian|laplace|relu-ntk|relu-nngp",
        .seen = &a->seen_kernel);
    OPT(.name = "width", .kind = CLI_REAL, .target = &a->width, .metavar = "W", .seen = &a->seen_width,
        .help = with_default(h[9], "kernel: width of gaussian/laplace (default %g)", a->width),
        .lo = 0, .hi = INFINITY, .lo_open = 1, .hi_open = 1);
    OPT(.name = "depth", .kind = CLI_INT, .target = &a->depth, .metavar = "L", .seen = &a->seen_depth,
        .help = with_default(h[10], "kernel: hidden layers of relu-ntk/relu-nngp (default %lld)",
                             a->depth), .lo = 1, .hi = 64);
    OPT(.name = "target-power", .kind = CLI_LIST, .target = &a->tpower, .metavar = "LIST",
        .help = "kernel: target power p_0,p_1,... per degree (default 0,0.5,0.5)", .lo = 0,
        .hi = INFINITY, .hi_open = 1, .seen = &a->seen_tpower);
    OPT(.name = "n-test", .kind = CLI_INT, .target = &a->n_test, .metavar = "T", .lo = 1,
        .help = with_default(h[11], "kernel: test points per trial (default %lld)", a->n_test),
        .hi = 2147483647, .seen = &a->seen_ntest);
    OPT(.name = "format", .kind = CLI_FORMAT, .target = &a->format, .metavar = "F",
        .help = "output format (default table)");
#undef OPT
    return n;
}

/* ---- print: the table, its rows and the per-point messages, shared by every model ---- */

/* The output table and its columns, the same for every model, and the worst status. */
typedef struct {
    slt_table *table;
    int N, P, step, t, test, test_se, train, train_se, trials, M, tail; /* column indices */
    int worst;
    const double *steps; /* --steps: the step of each time, a column step (-1: none) */
} mc_out;

static int mc_table(mc_out *o)
{
    static const char *names[] = {"N", "P", "step", "t", "test", "test_se", "train", "train_se",
                                  "trials", "M", "tail_mass"};
    int *cols[] = {&o->N, &o->P, &o->step, &o->t, &o->test, &o->test_se, &o->train,
                   &o->train_se, &o->trials, &o->M, &o->tail};
    int rc = slt_table_alloc(cmd, &o->table);
    o->step = -1;
    for (size_t i = 0; i < 11 && !rc; i++) {
        if (cols[i] == &o->step && !o->steps) continue;
        const slt_col_type type =
            cols[i] == &o->trials || cols[i] == &o->M || cols[i] == &o->step ? SLT_COL_INT
                                                                             : SLT_COL_REAL;
        if ((*cols[i] = slt_table_add_column(o->table, names[i], type, 0)) < 0) rc = SLT_ENOMEM;
    }
    if (!rc && slt_table_add_status(o->table) < 0) rc = SLT_ENOMEM;
    return rc;
}

/* Notes status s as the run's exit status unless an earlier point already failed. */
static void note(mc_out *o, int s)
{
    if (!o->worst) o->worst = s;
}

/* A new row for (N, P, t) in *r; SLT_ENOMEM if the table cannot grow. */
static int add_row(mc_out *o, double N, double P, double t, size_t *r)
{
    long row = slt_table_add_row(o->table);
    if (row < 0) return SLT_ENOMEM;
    *r = (size_t)row;
    slt_table_set_real(o->table, *r, o->N, N, 0);
    slt_table_set_real(o->table, *r, o->P, P, 0);
    slt_table_set_real(o->table, *r, o->t, t, 0);
    return SLT_OK;
}

/* Row r's values from a point of a successful run (M modes, tail mass `tail`). */
static void set_point(mc_out *o, size_t r, const slt_mc_point *pt, size_t M, double tail)
{
    slt_table_set_real(o->table, r, o->test, pt->test.mean, 0);
    slt_table_set_real(o->table, r, o->test_se, pt->test.se, 0);
    slt_table_set_real(o->table, r, o->train, pt->train.mean, 0);
    slt_table_set_real(o->table, r, o->train_se, pt->train.se, 0);
    slt_table_set_int(o->table, r, o->trials, (long long)pt->test.trials);
    slt_table_set_int(o->table, r, o->M, (long long)M);
    slt_table_set_real(o->table, r, o->tail, tail, 0);
}

/* An ok row must hold finite losses >= 0 with a finite standard error: anything else (an
 * overflow or underflow of the simulated values, e.g. amplitudes beyond double precision)
 * is a failure of that row, never a number under ok. Returns 1, after marking row r failed
 * (NaN values) and naming `where` and the options that set the scale (`culprits`), if the
 * point is unusable. */
static int check_point(mc_out *o, size_t r, const slt_mc_point *pt, const char *where,
                       const char *culprits)
{
    const slt_mc_stat *v[2] = {&pt->test, &pt->train};
    int bad = 0;
    for (int i = 0; i < 2; i++)
        if (!(isfinite(v[i]->mean) && v[i]->mean >= 0.0) ||
            (v[i]->trials > 1 && !(isfinite(v[i]->se) && v[i]->se >= 0.0)))
            bad = 1;
    if (!bad) return 0;
    for (int c = o->test; c <= o->train_se; c++) /* test ... train_se are adjacent */
        slt_table_set_real(o->table, r, c, NAN, 0);
    slt_table_set_status(o->table, r, slt_strerror(SLT_ELOSS));
    fprintf(stderr, "slt mc: %s: the simulated loss is not a finite number >= 0 in double "
            "precision (test %.3g ± %.3g, train %.3g ± %.3g); %s out of the representable "
            "range\n", where, pt->test.mean, pt->test.se, pt->train.mean, pt->train.se, culprits);
    note(o, SLT_ELOSS);
    return 1;
}

static void progress(const char *where, const slt_mc_result *res)
{
    if (!cli_quiet && res->seconds > 1.0)
        cli_progress(cmd, "%s: %zu trials in %.1f s", where, res->trials, res->seconds);
}

/* Writes the table (rc = SLT_OK) or reports rc; the exit status; frees the table. */
static int mc_finish(mc_out *o, int rc, slt_format format)
{
    if (rc == SLT_OK) rc = cli_write_table(cmd, o->table, format);
    else rc = cli_library_error(cmd, rc);
    if (!rc && o->worst) rc = slt_exit_class(o->worst);
    slt_table_free(o->table);
    return rc;
}

/* ---- --model kernel: KRR with a real kernel on sphere points (slt_mc_sphere) -------- */

/* The rules between options of --model kernel (a usage error), in the order reported. */
static int kernel_usage(const mc_args *a, int relu)
{
#define USAGE(...) return cli_usage_error(cmd, __VA_ARGS__)
    const char *task_opt = task_option_given(&a->ta);
    if (task_opt)
        USAGE("%s cannot be used with --model kernel (the kernel defines the spectrum and "
              "--target-power the target)", task_opt);
    if (cli_times_given(&a->tm))
        USAGE("%s cannot be used with --model kernel (it is evaluated at convergence, t = inf)",
              times_option_given(&a->tm));
    if (a->seen_eta) USAGE("--eta cannot be used with --model kernel (it is solved at convergence)");
    if (a->seen_batch) USAGE("--batch is only used by --model sgd (got --model kernel)");
    if (a->seen_gamma) USAGE("--gamma is only used by --model featlearn (got --model kernel)");
    if (a->seen_ensemble || a->seen_share)
        USAGE("--%s cannot be used with --model kernel (ensembles are simulated with Gaussian "
              "features only)", a->seen_ensemble ? "ensemble" : "share");
    if (a->seen_M) USAGE("--M cannot be used with --model kernel (the kernel is evaluated directly, there are no modes)");
    if (!a->seen_dim) USAGE("--dim D is missing (the sphere S^(D-1) of --model kernel)");
    if (!a->seen_kernel) USAGE("--kernel K is missing (gaussian, laplace, relu-ntk or relu-nngp)");
    if (!a->seen_P) USAGE("--P LIST is missing (the numbers of samples)");
    if (a->seen_width && relu)
        USAGE("--width is only used by --kernel gaussian or laplace (got --kernel %s)", a->kernel);
    if (a->seen_depth && !relu)
        USAGE("--depth is only used by --kernel relu-ntk or relu-nngp (got --kernel %s)", a->kernel);
    for (size_t i = 0; i < a->Ns.count; i++) /* (size_list made N and P whole or inf) */
        if (!isinf(a->Ns.values[i]))
            USAGE("--N: %.17g with --model kernel (kernel regression is N = inf)", a->Ns.values[i]);
    for (size_t i = 0; i < a->Ps.count; i++)
        if (isinf(a->Ps.values[i]))
            USAGE("--P: inf with --model kernel (expected a finite number of samples P >= 1)");
    if (a->tpower.count > SLT_MC_TARGET_LEVELS_MAX)
        USAGE("--target-power: %zu values is too many (expected at most %d, degrees 0 ... %d)",
              a->tpower.count, SLT_MC_TARGET_LEVELS_MAX, SLT_MC_TARGET_LEVELS_MAX - 1);
#undef USAGE
    return CLI_OK;
}

static slt_mc_params kernel_params(const mc_args *a)
{
    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_KERNEL, p.N = INFINITY, p.ridge = a->ridge, p.threads = (int)a->threads;
    p.trials = (size_t)a->trials, p.first_trial = (size_t)a->first, p.seed = (uint64_t)a->seed;
    /* the option table admits only the library's names */
    for (int k = SLT_MC_KERNEL_GAUSSIAN; k <= SLT_MC_KERNEL_RELU_NNGP; k++)
        if (strcmp(a->kernel, slt_mc_kernel_name((slt_mc_kernel_type)k)) == 0)
            p.sphere.kernel = (slt_mc_kernel_type)k;
    p.sphere.dim = (int)a->dim, p.sphere.width = a->width, p.sphere.depth = (int)a->depth;
    p.sphere.target_power = a->tpower.count ? a->tpower.values : NULL;
    p.sphere.target_levels = a->tpower.count;
    p.sphere.noise = a->noise, p.sphere.n_test = (size_t)a->n_test;
    return p;
}

static int kernel_table(const mc_args *a, int relu, mc_out *o)
{
    /* the target as text for the params */
    char target[SLT_MC_TARGET_LEVELS_MAX * 26 + 1] = "0,0.5,0.5";
    for (size_t i = 0, len = 0; i < a->tpower.count; i++)
        len += (size_t)snprintf(target + len, sizeof target - len, "%s%.17g", i ? "," : "",
                                a->tpower.values[i]);
    int rc = mc_table(o);
    if (rc) return rc;
    slt_table *t = o->table;
    if (slt_table_param_text(t, "model", "kernel") || slt_table_param_text(t, "kernel", a->kernel) ||
        slt_table_param_int(t, "dim", a->dim) ||
        (!relu && slt_table_param_real(t, "width", a->width)) ||
        (relu && slt_table_param_int(t, "depth", a->depth)) ||
        slt_table_param_text(t, "target_power", target) ||
        slt_table_param_real(t, "noise", a->noise) || slt_table_param_real(t, "ridge", a->ridge) ||
        slt_table_param_int(t, "n_test", a->n_test) || slt_table_param_int(t, "trials", a->trials) ||
        slt_table_param_int(t, "first_trial", a->first) || slt_table_param_int(t, "seed", a->seed))
        return SLT_ENOMEM;
    return SLT_OK;
}

/* Runs the sphere kernel at P (one row). SLT_ENOMEM if the table cannot grow. */
static int kernel_point(const mc_args *a, int relu, slt_mc_params p, double P, mc_out *o)
{
    p.P = P;
    slt_mc_result *res = NULL;
    int s = slt_mc_run(NULL, &p, NULL, 0, &res);
    size_t r;
    int rc = add_row(o, INFINITY, P, INFINITY, &r);
    char where[64];
    snprintf(where, sizeof where, "P = %.17g", P);
    if (!rc && s) {
        slt_table_set_status(o->table, r, slt_strerror(s));
        if (relu)
            fprintf(stderr, "slt mc: %s (--kernel %s --depth %lld --ridge %.17g): %s\n", where,
                    a->kernel, a->depth, a->ridge, slt_last_error());
        else
            fprintf(stderr, "slt mc: %s (--kernel %s --width %.17g --ridge %.17g): %s\n", where,
                    a->kernel, a->width, a->ridge, slt_last_error());
        note(o, s);
    } else if (!rc) {
        set_point(o, r, &res->points[0], 0, 0.0);
        check_point(o, r, &res->points[0], where, "--target-power or --noise is");
        progress(where, res);
    }
    slt_mc_result_free(res);
    return rc;
}

static int cmd_mc_kernel(mc_args *a)
{
    const int relu = a->kernel && strncmp(a->kernel, "relu", 4) == 0;
    int rc = kernel_usage(a, relu);
    if (rc) return args_out(a, rc);
    slt_mc_params p = kernel_params(a);
    /* every point is checked before the first one runs */
    for (size_t j = 0; j < a->Ps.count; j++) {
        slt_mc_params q = p;
        q.P = a->Ps.values[j];
        int s = slt_mc_check(NULL, &q, NULL, 0);
        if (s) return args_out(a, cli_library_error(cmd, s));
    }
    mc_out o = {0};
    if ((rc = kernel_table(a, relu, &o))) {
        slt_table_free(o.table);
        return args_out(a, cli_library_error(cmd, rc));
    }
    for (size_t j = 0; j < a->Ps.count && rc == SLT_OK; j++)
        rc = kernel_point(a, relu, p, a->Ps.values[j], &o);
    return args_out(a, mc_finish(&o, rc, a->format));
}

/* ---- --model rf|ridge|krr|sgd: the random-feature model on Gaussian features -------- */

/* The rules between options of the Gaussian-feature models (a usage error). */
static int features_usage(mc_args *a, slt_mc_model model, int krr)
{
    const int fl = model == SLT_MC_FEATLEARN;
    const int sgd = model == SLT_MC_SGD, ridge_model = model == SLT_MC_RIDGE;
    const char *name = a->model;
#define USAGE(...) return cli_usage_error(cmd, __VA_ARGS__)
    if (a->seen_batch && !sgd && !fl)
        USAGE("--batch is only used by --model sgd or featlearn (got --model %s)", name);
    if (a->seen_gamma && !fl) USAGE("--gamma is only used by --model featlearn (got --model %s)", name);
    if (fl && !a->seen_eta) USAGE("--model featlearn needs the step --eta E");
    if (fl && a->ensemble > 1) USAGE("--ensemble cannot be used with --model featlearn (no ensembles)");
    if (fl && a->seen_share) USAGE("--share cannot be used with --model featlearn (no ensembles)");
    if (fl)
        for (size_t i = 0; i < a->Ns.count; i++)
            if (isinf(a->Ns.values[i]))
                USAGE("--N: inf with --model featlearn (expected finite widths: the simulation "
                      "steps a finite network)");
    if (fl && a->seen_batch)
        for (size_t i = 0; i < a->Ps.count; i++)
            if (!isinf(a->Ps.values[i]))
                USAGE("--P: %.17g with --model featlearn --batch (online batches have P = inf)",
                      a->Ps.values[i]);
    if (a->seen_eta && ridge_model)
        USAGE("--eta cannot be used with --model %s (it is solved at convergence)", name);
    if (sgd && !a->seen_eta) USAGE("--model sgd needs the step --eta E");
    if (a->seen_ridge && !ridge_model)
        USAGE("--ridge is only used by --model ridge or krr (got --model %s)", name);
    if (cli_times_given(&a->tm) && ridge_model)
        USAGE("%s cannot be used with --model %s (it is evaluated at convergence, t = inf)", 
              times_option_given(&a->tm), name);
    if (a->seen_share && a->ensemble < 2) USAGE("--share needs --ensemble E with E > 1");
    if (sgd && a->ensemble > 1 && strcmp(a->share, "data") == 0)
        USAGE("--share data is not supported with --model sgd (use none or projection)");
    if (!a->seen_N && !krr) USAGE("--N LIST is missing (the widths; inf for the kernel limit)");
    if (!a->seen_P && !sgd && !(fl && a->seen_batch)) USAGE("--P LIST is missing (the numbers of samples; inf for the population)");
    if (krr)
        for (size_t i = 0; i < a->Ns.count; i++)
            if (!isinf(a->Ns.values[i]))
                USAGE("--N: %.17g with --model krr (krr is N = inf; use --model ridge for finite N)",
                      a->Ns.values[i]);
    if (sgd)
        for (size_t i = 0; i < a->Ps.count; i++)
            if (!isinf(a->Ps.values[i]))
                USAGE("--P: %.17g with --model sgd (online SGD has P = inf: fresh data every step)",
                      a->Ps.values[i]);
    int rc = cli_times_resolve(cmd, &a->tm, a->seen_eta ? a->eta : 0.0);
    if (rc) return rc;
    for (size_t i = 0; i < a->tm.t.count; i++) {
        const double t = a->tm.t.values[i], n = nearbyint(t / a->eta);
        if ((sgd || fl) && isinf(t)) USAGE("--t: inf with --model %s (expected finite times)", name);
        if (!sgd && a->seen_eta && !isinf(t) && fabs(t / a->eta - n) > 1e-9 * fmax(1.0, n))
            USAGE("--t: %.17g is not a multiple of --eta %.17g (GD times are t = eta n)", t, a->eta);
    }
#undef USAGE
    return CLI_OK;
}

/* The lists the options left out: N = inf (krr), P = inf (sgd), and the times 1:1e6:19
 * (gradient flow) or eta n, n = 1 ... 10^4, 3 per decade (GD and SGD). */
static int default_grids(mc_args *a, int ridge_model)
{
    cli_list *inf_lists[2] = {a->seen_N ? NULL : &a->Ns, a->seen_P ? NULL : &a->Ps};
    for (int i = 0; i < 2; i++) {
        if (!inf_lists[i]) continue;
        if (!(inf_lists[i]->values = malloc(sizeof(double))))
            return cli_usage_error(cmd, "out of memory");
        inf_lists[i]->values[0] = INFINITY;
        inf_lists[i]->count = 1;
    }
    if (ridge_model || a->tm.t.count > 0) return CLI_OK;
    size_t count = 0;
    double *v = a->tm.t.values = malloc(19 * sizeof(double)), last = 0;
    if (!v) return cli_usage_error(cmd, "out of memory");
    for (size_t i = 0; i < (a->seen_eta ? 13 : 19); i++) {
        double steps = pow(10.0, (double)i / 3.0);
        if (!a->seen_eta) v[count++] = steps;
        else if ((steps = nearbyint(steps)) != last) v[count++] = a->eta * steps;
        last = steps;
    }
    a->tm.t.count = count;
    return CLI_OK;
}

static slt_mc_params features_params(const mc_args *a, slt_mc_model model)
{
    slt_mc_params p = slt_mc_params_default();
    p.model = model, p.eta = a->seen_eta ? a->eta : 0.0, p.ridge = a->ridge, p.gamma = a->gamma;
    p.batch = (size_t)a->batch, p.ensemble = (size_t)a->ensemble, p.M = (size_t)a->modes;
    slt_share_from_string(a->share, &p.share); /* the option table admits only its names */
    p.trials = (size_t)a->trials, p.first_trial = (size_t)a->first, p.seed = (uint64_t)a->seed;
    p.threads = (int)a->threads;
    return p;
}

static int features_table(const mc_args *a, const slt_task *task, const slt_mc_params *p,
                          mc_out *o)
{
    int rc = mc_table(o);
    if (rc) return rc;
    slt_table *t = o->table;
    if (cli_task_params(&a->ta, task, t) || slt_table_param_text(t, "model", a->model) ||
        slt_table_param_real(t, "noise", a->noise) || slt_table_param_real(t, "eta", p->eta) ||
        slt_table_param_real(t, "ridge", p->ridge) ||
        (p->model == SLT_MC_FEATLEARN && !a->seen_batch
             ? slt_table_param_text(t, "batch", "full")
             : slt_table_param_int(t, "batch", a->batch)) ||
        (p->model == SLT_MC_FEATLEARN && slt_table_param_real(t, "gamma", p->gamma)) ||
        slt_table_param_int(t, "ensemble", a->ensemble) ||
        slt_table_param_text(t, "share", a->share) || slt_table_param_int(t, "trials", a->trials) ||
        slt_table_param_int(t, "first_trial", a->first) || slt_table_param_int(t, "seed", a->seed) ||
        (a->modes && slt_table_param_int(t, "M", a->modes)))
        return SLT_ENOMEM;
    return SLT_OK;
}

/* Runs one (N, P) point at the times tv (ridge: none, one row at t = inf): its rows and
 * its messages. SLT_ENOMEM if the table cannot grow. */
static int features_point(const slt_task *task, slt_mc_params p, const double *tv, size_t nt,
                          mc_out *o)
{
    const int ridge_model = p.model == SLT_MC_RIDGE;
    slt_mc_result *res = NULL;
    int s = slt_mc_run(task, &p, tv, nt, &res), rc = SLT_OK;
    size_t rows = ridge_model ? 1 : nt, ill_rows = 0;
    char where[80], at[120];
    snprintf(where, sizeof where, "N = %.17g, P = %.17g", p.N, p.P);
    for (size_t k = 0, r; k < rows; k++) {
        const double t = ridge_model ? INFINITY : tv[k];
        if ((rc = add_row(o, p.N, p.P, t, &r))) break;
        if (o->step >= 0) slt_table_set_int(o->table, r, o->step, (long long)o->steps[k]);
        if (s) {
            slt_table_set_status(o->table, r, slt_strerror(s));
            continue;
        }
        const slt_mc_point *pt = &res->points[k];
        set_point(o, r, pt, res->M, res->tail_mass);
        if (res->unstable_trials) { /* a diverged run's mean estimates nothing: NaN */
            slt_table_set_status(o->table, r, "unstable");
            slt_table_set_real(o->table, r, o->test, NAN, 0);
            slt_table_set_real(o->table, r, o->test_se, NAN, 0);
            slt_table_set_real(o->table, r, o->train, NAN, 0);
            slt_table_set_real(o->table, r, o->train_se, NAN, 0);
        }
        if (pt->ill_trials) {
            slt_table_set_status(o->table, r, "ill-conditioned");
            ill_rows++;
        } else if (!res->unstable_trials) {
            snprintf(at, sizeof at, "%s, t = %.17g", where, t);
            check_point(o, r, pt, at, "the amplitudes (--amp-lambda, --amp-target), --noise, "
                        "--ridge or --eta are");
        }
    }
    if (s) {
        fprintf(stderr, "slt mc: %s: %s\n", where, slt_last_error());
        note(o, s);
        slt_mc_result_free(res);
        return rc;
    }
    if (ill_rows) {
        fprintf(stderr, "slt mc: %s: %zu point(s) ill-conditioned: up to %zu of the %zu "
                "directions of each trial's eigenproblem lie below double precision even by SVD "
                "((max size * eps)^2 of the largest eigenvalue) and would be learned there, so "
                "the simulated loss would be too large; values are nan (use finite times, a "
                "ridge, fewer modes or a less steep spectrum)\n", where, ill_rows,
                res->dropped_max, res->rank);
        note(o, SLT_ELOSS);
    }
    if (res->unstable_trials) {
        /* an answer (the dynamics diverge), but not an ok value: exit 1 */
        fprintf(stderr, "slt mc: %s: %zu of %zu trials unstable (%s; --eta %.17g)\n", where,
                res->unstable_trials, res->trials, p.model != SLT_MC_RF ? "the iterate diverged"
                : "eta times the largest eigenvalue >= 2", p.eta);
        note(o, SLT_EDIVERGE);
    }
    progress(where, res);
    slt_mc_result_free(res);
    return rc;
}

static int cmd_mc_features(mc_args *a)
{
    const int krr = strcmp(a->model, "krr") == 0;
    slt_mc_model model = krr ? SLT_MC_RIDGE : SLT_MC_RF;
    for (int m = SLT_MC_RF; m <= SLT_MC_SGD; m++)
        if (strcmp(a->model, slt_mc_model_name((slt_mc_model)m)) == 0) model = (slt_mc_model)m;
    if (strcmp(a->model, slt_mc_model_name(SLT_MC_FEATLEARN)) == 0) model = SLT_MC_FEATLEARN;
    a->ta.modes = a->modes; /* mc's own --M: the modes simulated (task_args.h) */
    a->ta.seen_M = a->seen_M;
    int rc = cli_task_resolve(cmd, &a->ta);
    if (rc == CLI_OK) rc = features_usage(a, model, krr);
    if (rc == CLI_OK) rc = default_grids(a, model == SLT_MC_RIDGE);
    if (rc == CLI_OK) rc = cli_stdin_once(cmd, "task", a->ta.file);
    if (rc != CLI_OK) return args_out(a, rc);
    slt_mc_params p = features_params(a, model);
    const double *tv = model == SLT_MC_RIDGE ? NULL : a->tm.t.values;
    const size_t nt = model == SLT_MC_RIDGE ? 0 : a->tm.t.count;

    slt_task *task = NULL;
    if ((rc = cli_task_make(cmd, &a->ta, a->noise, &task))) return args_out(a, rc);
    /* every point is checked before the first one runs */
    for (size_t i = 0; i < a->Ns.count && rc == SLT_OK; i++)
        for (size_t j = 0; j < a->Ps.count && rc == SLT_OK; j++) {
            slt_mc_params q = p;
            q.N = a->Ns.values[i];
            q.P = a->Ps.values[j];
            if (model == SLT_MC_FEATLEARN && !a->seen_batch) q.batch = isinf(q.P) ? 0 : 1;
            rc = slt_mc_check(task, &q, tv, nt);
        }
    /* the library keeps test, train and member-test (doubles) and a flag per trial and time */
    if (rc == SLT_OK && nt > 0 &&
        cli_check_memory(cmd, a->tm.steps.count ? "--steps" : "--t", (double)nt,
                         (double)a->trials * 25.0 + 2 * 11 * 8)) {
        slt_task_free(task);
        return args_out(a, CLI_USAGE);
    }
    mc_out o = {.steps = a->tm.steps.count ? a->tm.steps.values : NULL};
    if (rc == SLT_OK && (rc = features_table(a, task, &p, &o))) slt_table_free(o.table);
    if (rc != SLT_OK) {
        slt_task_free(task);
        return args_out(a, cli_library_error(cmd, rc));
    }
    for (size_t i = 0; i < a->Ns.count && rc == SLT_OK; i++)
        for (size_t j = 0; j < a->Ps.count && rc == SLT_OK; j++) {
            p.N = a->Ns.values[i];
            p.P = a->Ps.values[j];
            /* featlearn without --batch: the population gradient at P = inf (batch 0),
               full-batch GD on the P samples otherwise */
            if (model == SLT_MC_FEATLEARN && !a->seen_batch) p.batch = isinf(p.P) ? 0 : 1;
            rc = features_point(task, p, tv, nt, &o);
        }
    rc = mc_finish(&o, rc, a->format);
    slt_task_free(task);
    return args_out(a, rc);
}

int cmd_mc(int argc, char **argv)
{
    mc_args a = {0};
    cli_option opts[CLI_TASK_MAX_OPTIONS + 28];
    size_t n = mc_options(&a, opts);
    int rc = cli_parse(&cmd_mc_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return args_out(&a, 0);
    if (rc == CLI_OK && a.seen_N) rc = size_list("N", a.N_text, &a.Ns);
    if (rc == CLI_OK && a.seen_P) rc = size_list("P", a.P_text, &a.Ps);
    if (rc == CLI_OK && strcmp(a.model, "kernel") == 0) return cmd_mc_kernel(&a);
    static const char *kernel_only[] = {"--dim", "--kernel", "--width", "--depth",
                                        "--target-power", "--n-test"};
    const int seen[] = {a.seen_dim, a.seen_kernel, a.seen_width, a.seen_depth, a.seen_tpower,
                        a.seen_ntest};
    for (size_t i = 0; i < sizeof seen / sizeof seen[0] && rc == CLI_OK; i++)
        if (seen[i])
            rc = cli_usage_error(cmd, "%s is only used by --model kernel (got --model %s)",
                                 kernel_only[i], a.model);
    if (rc != CLI_OK) return args_out(&a, rc);
    return cmd_mc_features(&a);
}
