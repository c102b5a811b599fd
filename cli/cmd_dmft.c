/* slt dmft — test and train loss over training time of the random-feature model at width
 * N and data P (dmft.md), by the lazy DMFT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "slt/dmft.h"
#include "slt/status.h"
#include "slt/table.h"
#include "dmft_rich.h"
#include "task_args.h"

const cli_command_info cmd_dmft_info = {
    "dmft",
    "test and train loss over time at width N and data P (lazy DMFT; rich with --gamma)",
    "slt dmft (--alpha A --beta B | other letters | --task FILE | --kernel K ...)\n"
    "                --N LIST --P LIST\n"
    "                (--t LIST | --t-file FILE | --steps LIST | --steps-file FILE [--every K])\n"
    "                [--eta E] [--sgd --batch B [--sgd-form gaussian|limit]]\n"
    "                [--momentum M] [--noise S2] [--ensemble E --share data|projection|none]\n"
    "                [--contour auto|ellipse] [--diagnose] [--format F]\n"
    "       slt dmft ... --gamma LIST [--method auto|march|ode|isotropic] [--diagnose]",
    "The random-feature model of Bordelon, Atanasov, Pehlevan (2024a): Gaussian features\n"
    "with the task's spectrum, a fixed random projection to N features, P training\n"
    "samples reused every step, readout trained by gradient flow on L/2 from zero\n"
    "(canonical time t, docs/theory/conventions.md sec. 4), or by full-batch GD with step --eta\n"
    "(t = eta n: times are rounded to whole steps and the t column shows eta n; a time\n"
    "0 < t < eta/2, which would round to no step, is a usage error, exit 2). GD is\n"
    "stable for eta u_max < 2, u_max the top of the spectrum (eta u_max >= 2 is reported\n"
    "unstable at every t > 0, exit 2); modes with eta u > 1 alternate in sign every step.\n"
    "A finite model's top eigenvalue spreads about u_max by about u_max sqrt(2/N + 2/P):\n"
    "when the stability margin (limit/(eta u_max) - 1; the limit is 2, 2(1 + beta) with\n"
    "momentum, 2/(1 + 1/B) for SGD) is within three such spreads, some finite models\n"
    "diverge although the DMFT value is right: those rows say 'ok (near edge)' and a\n"
    "warning goes to stderr (exit 0).\n"
    "\n"
    "--sgd --batch B: online SGD instead (a fresh batch of B samples every step, batch-mean\n"
    "gradient, step --eta, t = eta n; needs --P inf). The expected test loss solves the\n"
    "discrete Volterra equation of the DMFT exactly (no simulation); --sgd-form gaussian\n"
    "(default) keeps the exact Gaussian fourth moment, per-step factor 1 - 2 eta u +\n"
    "(1 + 1/B) eta^2 u^2, limit drops the 1/B part (the M -> inf DMFT form). The train\n"
    "column is the population value test + noise. Unstable settings are errors (exit 2):\n"
    "(1 + 1/B) eta u_max >= 2, or the noise gain gamma = (eta/B) tr[S (2 - c eta S)^-1] >= 1;\n"
    "gamma is the column sgd_gain, and t = inf gives the plateau\n"
    "(L_GD(inf) + gamma noise)/(1 - gamma).\n"
    "\n"
    "--momentum M: heavy ball. Without --eta in continuous form, M v'' + v' = -grad\n"
    "(gradient flow with inertia, v'(0) = 0), any M >= 0: modes with 4 M u > 1 are\n"
    "underdamped (they ring, decaying like exp(-t/(2M))). With --eta E, M is the\n"
    "coefficient beta in [0, 1) of w_{n+1} = w_n - E grad + beta (w_n - w_{n-1}), starting\n"
    "at rest (PyTorch's momentum), stable for E u_max < 2(1 + beta). Not with --sgd.\n"
    "Computed from the DMFT equations (docs/theory/dmft.md): no simulation, every mode\n"
    "summed to k = inf.\n"
    "\n"
    CLI_TASK_HELP CLI_TASK_HELP_MODES CLI_TASK_HELP_FILE CLI_TASK_HELP_KERNEL
    "With --kernel the auto lmax also keeps the tail slow over the times asked for:\n"
    "lambda_sup t <= 0.01 at the largest finite t.\n"
    "\n"
    CLI_TIMES_HELP CLI_LIST_HELP
    "t = 0 gives L(0), the target power, with every dynamics.\n"
    "\n"
    "N and P accept 'inf'; every N is combined with every P. t accepts 'inf' (the t -> inf\n"
    "closed forms; at N = P the test loss diverges and the row says so, while the train\n"
    "loss is 0: the model interpolates). Times in increasing order are fastest.\n"
    "\n"
    "Columns: N, P, step (with --steps), t, test (clean-target test loss; add the noise\n"
    "for noisy test labels), test_err, train (against the noisy training labels;\n"
    "ensembles: not computed), train_err, status. With --diagnose also:\n"
    "  slope, slope_err        local exponent d log L / d log t of the test loss\n"
    "  width_gap, _err         L(t, N) - L(t, inf) at the same P (null at N = inf)\n"
    "  width_gap_slope, _err   d log(width_gap) / d log N: -1 early (t << N^alpha), tends\n"
    "                          to -alpha min(beta, 1) late (central difference in log N)\n"
    "  generalization_gap, _err  test + noise - train (noisy test minus train loss)\n"
    "  u_max, edge_margin, edge_spread  with --eta: the spectrum edge, the stability margin\n"
    "                          and sqrt(2/N + 2/P) (see above)\n"
    "A failed set-up or point gives its rows NaN values and a failure status (exit 1),\n"
    "with a message on stderr naming --N, --P and --t. t -> 0 gives L(0).\n"
    "Errors are estimates: Talbot contours with two node counts plus the rounding the\n"
    "contour amplifies, and the mode sums' own bounds. Where a Talbot contour cannot\n"
    "be used (few GD steps; GD's alternating modes or ringing heavy-ball modes before\n"
    "they decay to 1e-16) the solver takes an ellipse around the whole spectrum, with\n"
    "2-D node counts growing like sqrt(t u_max) (sqrt(t u_max/(1 - beta)) for the discrete\n"
    "heavy ball, so beta near 1 may exceed the limit: exit 1); no slope on it with --eta.\n"
    "--contour ellipse takes the ellipse at every finite t > 0: an independent check\n"
    "of the default (auto) values, slower at late times (exit 1 beyond 8192 nodes).\n"
    "\n"
    "--gamma LIST: the rich (feature-learning) DMFT of Bordelon, Atanasov, Pehlevan (2024b;\n"
    "docs/theory/featlearn.md): the first layer learns too, with strength gamma (0 = lazy).\n"
    "Every N and P is combined with every gamma and t. The columns gain gamma (after P)\n"
    "and method (before the diagnostics): the method that computed the row, one of\n"
    "  ode        N = P = inf, gradient flow: the exact mode equations (exact nodes for a\n"
    "             task of at most the library's max_modes distinct eigenvalues, e.g. --M 40;\n"
    "             larger tasks and M = inf through a spectrum quadrature, its error included)\n"
    "  march      finite --N or --P, a step --eta, online SGD --sgd --batch B: the discrete\n"
    "             DMFT by forward marching, O(K T^3) for K spectral nodes and T steps (a\n"
    "             request above --max-work exits 2 first); without --eta at finite N,\n"
    "             gradient flow by Richardson extrapolation over three steps\n"
    "  isotropic  the two-state isotropic reduction: an APPROXIMATION (any task, M = inf\n"
    "             included), only when asked for with --method isotropic\n"
    "  lazy       gamma = 0 rows without --method: the lazy solver above, unchanged\n"
    "--method auto (the default) takes the exact method that fits the row; a --method given\n"
    "sends gamma = 0 rows through the rich solver too (--gamma 0 --method ode is an\n"
    "independent check of the lazy solver). A case the library does not solve (yet) exits\n"
    "2 with its message; --momentum, --noise, --ensemble, --share, --contour and --nodes\n"
    "are not implemented with --gamma (exit 2). Online SGD with --gamma is the DMFT limit\n"
    "form (the rank-one (1/B) g g^T part of the batch noise is dropped, an O(1/B) model\n"
    "error): it needs --sgd-form limit, which the gamma = 0 rows then use too. t = inf\n"
    "(the width floor) only without --eta and --sgd. The train column is the train\n"
    "loss on the P samples (the test loss at P = inf). Failed points: NaN (null in JSON),\n"
    "their status, a message naming --N, --P, --gamma, exit 1. With --gamma, --diagnose\n"
    "adds (instead of the width and generalization gaps):\n"
    "  exponent, exponent_err  local exponent -d log L / d log t (L ~ t^-exponent; the\n"
    "                          lazy --diagnose column slope with the sign turned)\n"
    "  chi                     the predicted late-time exponent of a power-law task:\n"
    "                          2 beta/(1 + beta) for beta < 1, else beta; beta at gamma = 0\n"
    "                          (null for other tasks, --M included)\n"
    "  q, q_err                readout norm |w|^2/N (null on lazy rows)\n"
    "  tau                     effective time of the isotropic reduction (null otherwise)\n"
    "  ratio_lazy, _err        L / L(gamma = 0) at the same t, N, P, eta, batch and method\n"
    "                          (1 on lazy rows; null where both are 0)\n"
    "  crossover, _err         lazy->rich crossover time: the first t with gamma q(t) = 1,\n"
    "                          one per N, P, gamma, searched up to the largest t asked for\n"
    "                          (null at gamma = 0, or beyond the horizon: stderr says so)\n"
    "Without --gamma nothing of this applies and the output is the lazy one above.",
};

/* The parsed command line: the library's params plus what only the CLI has. */
typedef struct {
    cli_list Ns, Ps;
    cli_times tm; /* --t, --t-file, --steps, --steps-file, --every */
    slt_dmft_params base; /* the library's defaults, overwritten by the options */
    double noise, ensemble;
    long long nodes, batch;
    int sgd, seen_batch, seen_form, seen_share, diagnose;
    const char *sgd_form, *share, *contour;
    /* --gamma (the rich DMFT, cli/dmft_rich.c) and the options it refuses */
    cli_list gammas;
    const char *method;
    double max_work;
    char max_work_text[32];
    int seen_gamma, seen_method, seen_momentum, seen_noise, seen_ensemble, seen_nodes,
        seen_contour, seen_eta, seen_max_work;
    slt_format format;
    cli_task_args ta;
} dmft_args;

/* The columns of the output table (-1: not shown). */
typedef struct {
    int N, P, step, t, test, train, gain, slope, gap, gslope, gen, umax, margin, spread;
} dmft_cols;

/* Marks every point failed: the asked-for time (rounded to whole steps with a step),
 * NaN values, the status. */
static void fail_all(const cli_list *times, double eta, int status, slt_dmft_point *out)
{
    for (size_t i = 0; i < times->count; i++) {
        double t = times->values[i];
        slt_dmft_point *o = &out[i];
        memset(o, 0, sizeof *o);
        o->t = eta > 0 && isfinite(t) ? round(t / eta) * eta : t;
        o->test = o->test_err = o->train = o->train_err = NAN;
        o->test_slope = o->test_slope_err = o->sgd_gain = o->sgd_gain_err = NAN;
        o->status = status;
    }
}

/* Times per slt_dmft_solve call in a long curve (progress between calls). */
#define DMFT_PROGRESS_CHUNK 50000

/* Solves every time at one (N, P). A failed set-up fails every point (never a point left
 * from an earlier pair or a zeroed buffer). With u_max != NULL also the spectrum edge
 * (NaN when it could not be computed). Returns the set-up's status (0 when the set-up
 * worked, whatever the points' statuses). */
static int solve_one(const slt_task *task, slt_dmft_params p, const cli_list *times,
                     slt_dmft_point *out, double *u_max)
{
    slt_dmft_workspace *w = NULL;
    if (u_max) *u_max = NAN;
    int rc = slt_dmft_alloc(task, &p, &w);
    if (!rc && u_max) rc = slt_dmft_spectrum_edge(w, u_max);
    /* a long curve in chunks, so that stderr shows it advancing; a chunk's edge costs one
     * per-time point where it cuts a band of shared contours (docs/theory/dmft.md §17) */
    const size_t chunk = times->count >= 2 * DMFT_PROGRESS_CHUNK ? DMFT_PROGRESS_CHUNK
                                                                  : times->count;
    for (size_t first = 0; !rc && first < times->count; first += chunk) {
        const size_t n = times->count - first < chunk ? times->count - first : chunk;
        int s = slt_dmft_solve(w, times->values + first, n, out + first);
        if (s == SLT_EINVAL) rc = s; /* refused before filling the points */
        if (!rc && chunk < times->count)
            cli_progress("dmft", "N = %g, P = %g: %zu of %zu times", p.N, p.P, first + n,
                         times->count);
    }
    if (rc) fail_all(times, p.eta, rc, out);
    slt_dmft_free(w);
    return rc;
}

/* slt_dmft_params_check_rule refused p: its rule in the options' words (exit 2). The rule
 * is the library's; this only names the options that set its fields. */
static int params_usage_error(const slt_dmft_params *p, slt_dmft_rule rule)
{
    const char *cmd = "dmft";
    switch (rule) {
    case SLT_DMFT_RULE_SGD_NEEDS_STEP:
        return cli_usage_error(cmd, "--sgd needs a step --eta E > 0");
    case SLT_DMFT_RULE_SGD_NEEDS_P_INF:
        return cli_usage_error(cmd, "--sgd needs --P inf (online SGD draws fresh samples every "
                               "step); got --P %.17g", p->P);
    case SLT_DMFT_RULE_SGD_ENSEMBLE:
        return cli_usage_error(cmd, "--sgd with --ensemble is not implemented (drop --ensemble)");
    case SLT_DMFT_RULE_SGD_MOMENTUM:
        return cli_usage_error(cmd, "--sgd with --momentum is not implemented (drop --momentum)");
    case SLT_DMFT_RULE_SGD_CONTOUR:
        return cli_usage_error(cmd, "--contour ellipse is not for --sgd (online SGD has its own "
                               "inversion)");
    case SLT_DMFT_RULE_HEAVY_BALL_BETA:
        return cli_usage_error(cmd, "--momentum: %.17g is out of range with --eta (the heavy-ball "
                               "coefficient beta: expected 0 <= M < 1)", p->momentum);
    default: /* a rule without option words: the library's message */
        return cli_usage_error(cmd, "%s", slt_last_error());
    }
}

/* The option table: ranges and defaults are the library's (slt_dmft_param_range,
 * slt_dmft_params_default). Returns the number of options. */
static size_t dmft_options(dmft_args *a, cli_option *opts)
{
    const slt_dmft_params *b = &a->base;
    size_t n = cli_task_options(&a->ta, opts);
    opts[n++] = cli_with_range(
        (cli_option){.name = "N", .kind = CLI_LIST, .target = &a->Ns, .metavar = "LIST",
                     .help = "widths (number of random features)", .allow_inf = 1,
                     .integer = 1}, slt_dmft_param_range("N"));
    opts[n++] = cli_with_range(
        (cli_option){.name = "P", .kind = CLI_LIST, .target = &a->Ps, .metavar = "LIST",
                     .help = "training-set sizes", .allow_inf = 1, .integer = 1},
        slt_dmft_param_range("P"));
    /* times: slt_dmft_solve's argument, t >= 0 or inf; or steps of --eta */
    n += cli_times_options(&a->tm, (cli_option){.help = "training times", .lo = 0,
                                                .hi = INFINITY, .allow_inf = 1},
                           1, opts + n);
    opts[n++] = cli_with_range(
        (cli_option){.name = "eta", .kind = CLI_REAL, .target = &a->base.eta, .metavar = "E",
                     .help = "full-batch GD step (default %D: gradient flow)",
                     CLI_DEFAULT(b->eta), .seen = &a->seen_eta}, slt_dmft_param_range("eta"));
    opts[n++] = (cli_option){.name = "sgd", .kind = CLI_FLAG, .target = &a->sgd,
                             .help = "online SGD with --batch B and step --eta (needs --P inf)"};
    /* batch 0 is the library's full batch: --batch counts from 1, and at most 1e15 so
     * that the double it is parsed as holds it exactly */
    opts[n++] = (cli_option){.name = "batch", .kind = CLI_INT, .target = &a->batch,
                             .metavar = "B", .help = "SGD batch size (with --sgd)", .lo = 1,
                             .hi = 1e15, .seen = &a->seen_batch};
    opts[n++] = (cli_option){.name = "sgd-form", .kind = CLI_CHOICE, .target = &a->sgd_form,
                             .metavar = "FORM", .help = "SGD noise: exact Gaussian fourth moment "
                             "or the DMFT limit (default %D)", .choices = "gaussian|limit",
                             .seen = &a->seen_form, .default_text = a->sgd_form};
    opts[n++] = cli_with_range(
        (cli_option){.name = "momentum", .kind = CLI_REAL, .target = &a->base.momentum,
                     .metavar = "M", .help = "heavy ball: time constant mu, or with "
                     "--eta the coefficient beta < 1 (default %D)", CLI_DEFAULT(b->momentum),
                     .seen = &a->seen_momentum},
        slt_dmft_param_range("momentum"));
    opts[n++] = (cli_option){.name = "noise", .kind = CLI_REAL, .target = &a->noise,
                             .metavar = "S2", .help = "label-noise variance sigma^2 (default %D)",
                             .lo = 0, .hi = INFINITY, .hi_open = 1, CLI_DEFAULT(a->noise),
                             .seen = &a->seen_noise};
    opts[n] = cli_with_range(
        (cli_option){.name = "ensemble", .kind = CLI_REAL, .target = &a->ensemble,
                     .metavar = "E", .help = "average the predictors of E models "
                     "(default %D; inf for the infinite ensemble)", .allow_inf = 1,
                     CLI_DEFAULT(a->ensemble), .seen = &a->seen_ensemble}, slt_dmft_param_range("ensemble"));
    opts[n++].hi = 1e15; /* finite E: a whole number the parsed double holds exactly */
    opts[n++] = (cli_option){.name = "share", .kind = CLI_CHOICE, .target = &a->share,
                             .metavar = "WHAT", .help = "what ensemble members share (default %D)",
                             .choices = "data|projection|none", .seen = &a->seen_share,
                             .default_text = a->share};
    opts[n++] = cli_with_range(
        (cli_option){.name = "nodes", .kind = CLI_INT, .target = &a->nodes, .metavar = "M",
                     .help = "Talbot nodes of the 2-D inversion (default %D)",
                     CLI_DEFAULT(b->nodes), .seen = &a->seen_nodes}, slt_dmft_param_range("nodes"));
    opts[n++] = (cli_option){.name = "contour", .kind = CLI_CHOICE, .target = &a->contour,
                             .metavar = "C", .help = "inversion contour: auto, or the ellipse "
                             "everywhere as a check (default %D)", .choices = "auto|ellipse",
                             .default_text = a->contour, .seen = &a->seen_contour};
    /* the rich DMFT: gamma's range and the method names are the library's */
    opts[n++] = cli_with_range(
        (cli_option){.name = "gamma", .kind = CLI_LIST, .target = &a->gammas, .metavar = "LIST",
                     .help = "feature-learning strengths: the rich DMFT (0 = lazy; see below)",
                     .seen = &a->seen_gamma}, slt_featlearn_param_range("gamma"));
    static char methods[64];
    methods[0] = '\0';
    for (int m = 0; slt_featlearn_method_to_string((slt_featlearn_method)m); m++)
        snprintf(methods + strlen(methods), sizeof methods - strlen(methods), "%s%s",
                 m ? "|" : "", slt_featlearn_method_to_string((slt_featlearn_method)m));
    opts[n++] = (cli_option){.name = "method", .kind = CLI_CHOICE, .target = &a->method,
                             .metavar = "M", .help = "with --gamma: how the rich DMFT is solved; "
                             "isotropic is an approximation (default %D)", .choices = methods,
                             .seen = &a->seen_method, .default_text = a->method};
    opts[n++] = cli_with_range(
        (cli_option){.name = "max-work", .kind = CLI_REAL, .target = &a->max_work, .metavar = "W",
                     .help = "with --gamma, method march: the work budget K T^3 (K spectral "
                     "nodes, T steps; about 0.75 s per 1e9 on 2 cores) above which a request "
                     "is refused (default %D)", .default_text = a->max_work_text,
                     .seen = &a->seen_max_work}, slt_featlearn_param_range("max_march_work"));
    opts[n++] = (cli_option){.name = "diagnose", .kind = CLI_FLAG, .target = &a->diagnose,
                             .help = "add local exponents, width gap and generalization gap "
                             "(with --gamma: exponent, chi, q, tau, L/L_lazy, crossover)"};
    opts[n++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &a->format,
                             .metavar = "F", .help = "output format (default table)"};
    return n;
}

/* --method without --gamma, and the options the rich DMFT (--gamma) does not have: exit 2
 * naming the option and its value. */
static int rich_refusals(const dmft_args *a)
{
    const char *cmd = "dmft";
    if (a->seen_method && !a->seen_gamma)
        return cli_usage_error(cmd, "--method %s is for the rich DMFT (add --gamma LIST)",
                               a->method);
    if (a->seen_max_work && !a->seen_gamma)
        return cli_usage_error(cmd, "--max-work %g is for the rich DMFT (add --gamma LIST)",
                               a->max_work);
    if (!a->seen_gamma) return CLI_OK;
    char v[64] = "";
    const char *opt = NULL;
    if (a->seen_momentum) opt = "momentum", snprintf(v, sizeof v, "%.15g", a->base.momentum);
    else if (a->seen_noise) opt = "noise", snprintf(v, sizeof v, "%.15g", a->noise);
    else if (a->seen_ensemble) opt = "ensemble", snprintf(v, sizeof v, "%.15g", a->ensemble);
    else if (a->seen_share) opt = "share", snprintf(v, sizeof v, "%s", a->share);
    else if (a->seen_form && strcmp(a->sgd_form, "limit") != 0)
        opt = "sgd-form", snprintf(v, sizeof v, "%s", a->sgd_form);
    else if (a->seen_contour) opt = "contour", snprintf(v, sizeof v, "%s", a->contour);
    else if (a->seen_nodes) opt = "nodes", snprintf(v, sizeof v, "%lld", a->nodes);
    /* the rich DMFT's online SGD keeps only the trace part (1/B) L Λ of the batch noise
     * (docs/theory/featlearn.md §9): the lazy solver's limit form, not the exact Gaussian
     * one the default gives; the user says so explicitly, and γ = 0 rows use it too */
    if (!opt && a->sgd && !a->seen_form)
        return cli_usage_error(cmd, "--sgd with --gamma: the rich DMFT's online SGD is the DMFT "
                               "limit form (it drops the rank-one part (1/B) g g^T of the batch "
                               "noise, a model error of order 1/B); add --sgd-form limit to "
                               "accept it (gamma = 0 rows then use the same form)");
    if (opt)
        return cli_usage_error(cmd, "--%s %s is not implemented with --gamma (the rich DMFT: "
                               "gradient flow, GD --eta or online SGD --sgd --batch B, at finite "
                               "--N and --P as the library solves them); drop --%s", opt, v, opt);
    return CLI_OK;
}

/* The rules between options, then the library's (slt_dmft_params_check_rule at every P);
 * fills a->base. CLI_OK or a usage error. */
static int dmft_validate(dmft_args *a)
{
    const char *cmd = "dmft";
    slt_dmft_params *b = &a->base;
    const double e = a->ensemble;
    if (a->Ns.count == 0 || a->Ps.count == 0 || !cli_times_given(&a->tm))
        return cli_usage_error(cmd, "--N, --P and --t (or --t-file, --steps, --steps-file) are "
                               "required (see 'slt dmft --help')");
    int rc = cli_times_resolve(cmd, &a->tm, b->eta);
    if (rc) return rc;
    if ((rc = rich_refusals(a))) return rc;
    /* every time: 5 points (--diagnose) and a row per (N, P) of about 24 cells */
    const double pairs = (double)a->Ns.count * (double)a->Ps.count;
    if (cli_check_memory(cmd, a->tm.steps.count ? "--steps" : "--t", (double)a->tm.t.count,
                         5.0 * sizeof(slt_dmft_point) + pairs * 24 * 8))
        return CLI_USAGE;
    if (e != floor(e) && !isinf(e))
        return cli_usage_error(cmd, "--ensemble: %.17g is not a whole number (expected E >= "
                               "%.10g, or inf)", e, slt_dmft_param_range("ensemble")->lo);
    if (a->seen_share && e == 1.0)
        return cli_usage_error(cmd, "--share needs --ensemble E with E > 1");
    if (a->diagnose && e != 1.0)
        return cli_usage_error(cmd, "--diagnose is for single models (drop --ensemble)");
    if (a->sgd && !a->seen_batch)
        return cli_usage_error(cmd, "--sgd needs --batch B (B >= 1)");
    if (!a->sgd && (a->seen_batch || a->seen_form))
        return cli_usage_error(cmd, "--%s is for online SGD (add --sgd)",
                               a->seen_batch ? "batch" : "sgd-form");
    b->nodes = (int)a->nodes;
    b->batch = a->sgd ? (size_t)a->batch : 0;
    b->ensemble = e;
    /* cli_parse accepted only the names in the choices, the library's own */
    if (slt_dmft_sgd_form_from_string(a->sgd_form, &b->sgd_form) ||
        slt_share_from_string(a->share, &b->share) ||
        slt_dmft_contour_from_string(a->contour, &b->contour))
        return cli_usage_error(cmd, "%s", slt_last_error());
    for (size_t i = 0; i < a->Ps.count; i++) {
        slt_dmft_params q = *b;
        slt_dmft_rule rule;
        q.P = a->Ps.values[i];
        if (slt_dmft_params_check_rule(&q, &rule, NULL)) return params_usage_error(&q, rule);
    }
    /* with a step, t = eta n: a time t > 0 that rounds to n = 0 steps would be the start
     * (and skip the step's stability check); ask for t = 0 or at least half a step */
    const double eta = b->eta;
    for (size_t i = 0; eta > 0 && i < a->tm.t.count; i++)
        if (a->tm.t.values[i] > 0 && round(a->tm.t.values[i] / eta) == 0)
            return cli_usage_error(cmd, "--t %.15g with --eta %.15g is less than half a step "
                                   "(t = eta n rounds to n = 0); give --t 0 for the start, or "
                                   "t >= eta/2 = %.15g", a->tm.t.values[i], eta, eta / 2);
    return CLI_OK;
}

/* The table's parameters and columns. A library status on failure. */
static int dmft_table_setup(const dmft_args *a, const slt_task *task, slt_table *table,
                            dmft_cols *c)
{
    const slt_dmft_params *b = &a->base;
    const double eta = b->eta;
    int rc = cli_task_params(&a->ta, task, table);
    if (!rc) rc = slt_table_param_real(table, "noise", a->noise);
    if (!rc && eta > 0) rc = slt_table_param_real(table, "eta", eta);
    if (!rc && a->sgd) {
        rc = slt_table_param_real(table, "batch", (double)a->batch);
        if (!rc) rc = slt_table_param_text(table, "sgd_form", a->sgd_form);
    }
    if (!rc && b->momentum > 0) rc = slt_table_param_real(table, "momentum", b->momentum);
    if (!rc && b->contour == SLT_DMFT_CONTOUR_ELLIPSE)
        rc = slt_table_param_text(table, "contour", a->contour);
    if (!rc && b->ensemble > 1) {
        rc = slt_table_param_real(table, "ensemble", a->ensemble);
        if (!rc) rc = slt_table_param_text(table, "share", a->share);
    }
    if (rc) return rc;
    *c = (dmft_cols){.step = -1, .gain = -1, .slope = -1, .gap = -1, .gslope = -1, .gen = -1,
                     .umax = -1, .margin = -1, .spread = -1};
    c->N = slt_table_add_column(table, "N", SLT_COL_REAL, 0);
    c->P = slt_table_add_column(table, "P", SLT_COL_REAL, 0);
    if (a->tm.steps.count) c->step = slt_table_add_column(table, "step", SLT_COL_INT, 0);
    c->t = slt_table_add_column(table, "t", SLT_COL_REAL, 0);
    c->test = slt_table_add_column(table, "test", SLT_COL_REAL, 1);
    c->train = slt_table_add_column(table, "train", SLT_COL_REAL, 1);
    if (a->sgd) c->gain = slt_table_add_column(table, "sgd_gain", SLT_COL_REAL, 1);
    if (a->diagnose) {
        c->slope = slt_table_add_column(table, "slope", SLT_COL_REAL, 1);
        c->gap = slt_table_add_column(table, "width_gap", SLT_COL_REAL, 1);
        c->gslope = slt_table_add_column(table, "width_gap_slope", SLT_COL_REAL, 1);
        c->gen = slt_table_add_column(table, "generalization_gap", SLT_COL_REAL, 1);
        if (eta > 0) {
            c->umax = slt_table_add_column(table, "u_max", SLT_COL_REAL, 0);
            c->margin = slt_table_add_column(table, "edge_margin", SLT_COL_REAL, 0);
            c->spread = slt_table_add_column(table, "edge_spread", SLT_COL_REAL, 0);
        }
    }
    return slt_table_add_status(table) < 0 ? SLT_ENOMEM : SLT_OK;
}

/* One (N, P): the main solve and its messages (report_pair), then for --diagnose the
 * solves at N = inf and N e^(+-h); the points in pt[0..4 nt). */
typedef struct dmft_pair {
    slt_dmft_params p;
    int setup;          /* the main set-up's status */
    int have_gap;       /* the width gap's points were solved */
    double umax;        /* spectrum edge (with a step) */
    slt_dmft_edge edge; /* where the step stands against it */
    char at[96];        /* "--N 10 --P 30" as the user would write it */
} dmft_pair;

static void report_pair(const dmft_args *a, const struct dmft_pair *pr,
                        const slt_dmft_point *main_pt);

static void solve_pair(const dmft_args *a, const slt_task *task, dmft_pair *pr,
                       slt_dmft_point *pt)
{
    const size_t nt = a->tm.t.count;
    const double h = SLT_DMFT_WIDTH_GAP_STEP;
    const slt_dmft_params *p = &pr->p;
    slt_dmft_point *main_pt = pt, *inf_pt = pt + nt, *up = pt + 2 * nt, *dn = pt + 3 * nt;
    pr->umax = NAN;
    pr->setup = solve_one(task, *p, &a->tm.t, main_pt, p->eta > 0 ? &pr->umax : NULL);
    slt_dmft_edge_at(p, pr->umax, &pr->edge);
    report_pair(a, pr, main_pt); /* before the gap's solves: the messages are the main one's */
    pr->have_gap = a->diagnose && !isinf(p->N);
    if (pr->have_gap) {
        slt_dmft_params q = *p;
        q.N = INFINITY;
        solve_one(task, q, &a->tm.t, inf_pt, NULL);
        q.N = p->N * exp(h);
        solve_one(task, q, &a->tm.t, up, NULL);
        q.N = p->N * exp(-h);
        if (q.N < 1.0) pr->have_gap = 0;
        else solve_one(task, q, &a->tm.t, dn, NULL);
    }
}

/* The pair's messages on stderr: a failed set-up, an unstable step, failed points, a
 * step near the edge. */
static void report_pair(const dmft_args *a, const struct dmft_pair *pr,
                        const slt_dmft_point *main_pt)
{
    const size_t nt = a->tm.t.count;
    const double eta = pr->p.eta, umax = pr->umax;
    const slt_dmft_edge *e = &pr->edge;
    size_t n_fail = 0, first_fail = 0;
    for (size_t i = nt; i-- > 0;)
        if (main_pt[i].status != SLT_OK && main_pt[i].status != SLT_EDIVERGE) {
            n_fail++;
            first_fail = i;
        }
    if (pr->setup)
        fprintf(stderr, "slt dmft: %s: the set-up for this task failed (%s), no time "
                "computed: %s\n", pr->at, slt_strerror(pr->setup), slt_last_error());
    else if (n_fail && main_pt[first_fail].status == SLT_EDOM && eta > 0 &&
             !(e->eta_eff * umax < e->limit))
        fprintf(stderr, "slt dmft: %s: --eta %.15g is unstable: %s*u_max = %.6g >= %s%.6g "
                "(u_max = %.6g, the top of the model's spectrum: stable for --eta < %.6g)\n",
                pr->at, eta, a->sgd ? "(1 + 1/B)*eta" : "eta", e->eta_eff * umax,
                pr->p.momentum > 0 ? "2(1 + momentum) = " : "", e->limit, umax,
                e->limit / umax * eta / e->eta_eff);
    else if (n_fail)
        fprintf(stderr, "slt dmft: %s: %s at %zu of %zu times (first %s %.15g): %s\n", pr->at,
                slt_strerror(main_pt[first_fail].status), n_fail, nt,
                a->tm.steps.count ? "--steps" : "--t",
                a->tm.steps.count ? a->tm.steps.values[first_fail] : a->tm.t.values[first_fail],
                slt_last_error());
    if (e->near_edge)
        fprintf(stderr, "slt dmft: warning: %s --eta %.15g: %s*u_max = %.6g is within "
                "three finite-size spreads of the stability limit %.6g (margin %.3g, spread "
                "%.3g): some finite models diverge; the rows say 'ok (near edge)'\n", pr->at,
                eta, a->sgd ? "(1 + 1/B)*eta" : "eta", e->eta_eff * umax, e->limit, e->margin,
                e->spread);
}

/* The pair's rows. Updates *worst with the first failing status; SLT_ENOMEM when a row
 * could not be added. */
static int add_rows(const dmft_args *a, const dmft_pair *pr, const slt_dmft_point *pt,
                    const dmft_cols *c, slt_table *table, int *worst)
{
    const size_t nt = a->tm.t.count;
    const slt_dmft_point *main_pt = pt, *inf_pt = pt + nt, *up = pt + 2 * nt, *dn = pt + 3 * nt;
    const double h = SLT_DMFT_WIDTH_GAP_STEP;
    int diag_rc = SLT_OK;
    for (size_t i = 0; i < nt; i++) {
        const slt_dmft_point *o = &main_pt[i];
        long row = slt_table_add_row(table);
        if (row < 0) return slt_error(SLT_ENOMEM, "out of memory for the table's rows");
        size_t r = (size_t)row;
        slt_table_set_real(table, r, c->N, pr->p.N, 0);
        slt_table_set_real(table, r, c->P, pr->p.P, 0);
        if (c->step >= 0) slt_table_set_int(table, r, c->step, (long long)a->tm.steps.values[i]);
        slt_table_set_real(table, r, c->t, o->t, 0);
        slt_table_set_real(table, r, c->test, o->test, o->test_err);
        slt_table_set_real(table, r, c->train, o->train, o->train_err);
        if (a->sgd) slt_table_set_real(table, r, c->gain, o->sgd_gain, o->sgd_gain_err);
        int status = o->status;
        if (a->diagnose && pr->have_gap && isfinite(o->t) && status == SLT_OK) {
            /* a diagnostic that could not be computed fails the row */
            const int ds[3] = {inf_pt[i].status, up[i].status, dn[i].status};
            for (int k = 0; k < 3 && !status; k++)
                if (ds[k] != SLT_OK) status = diag_rc = ds[k];
        }
        if (status != SLT_OK) {
            /* a failed set-up is never "divergent": nothing was computed */
            const int div = status == SLT_EDIVERGE && pr->setup == SLT_OK;
            slt_table_set_status(table, r, div ? "divergent" : slt_strerror(status));
            if (!div && !*worst) *worst = status;
        } else if (pr->edge.near_edge && a->tm.t.values[i] > 0) {
            slt_table_set_status(table, r, "ok (near edge)");
        }
        if (!a->diagnose) continue;
        if (pr->p.eta > 0) {
            slt_table_set_real(table, r, c->umax, pr->umax, 0);
            slt_table_set_real(table, r, c->margin, pr->edge.margin, 0);
            slt_table_set_real(table, r, c->spread, pr->edge.spread, 0);
        }
        slt_table_set_real(table, r, c->slope, o->test_slope, o->test_slope_err);
        slt_table_set_real(table, r, c->gen, o->test + a->noise - o->train,
                           o->test_err + o->train_err);
        if (pr->have_gap && isfinite(o->t)) {
            const slt_dmft_point *oi = &inf_pt[i];
            double gs, gs_err; /* null where the gap is not positive */
            slt_table_set_real(table, r, c->gap, o->test - oi->test, o->test_err + oi->test_err);
            if (!slt_dmft_width_gap_slope(o, oi, &up[i], &dn[i], h, &gs, &gs_err))
                slt_table_set_real(table, r, c->gslope, gs, gs_err);
        }
    }
    if (diag_rc)
        fprintf(stderr, "slt dmft: %s --diagnose: the width gap (at N = inf and N*e^(+-%g)) "
                "failed (%s) at some times; those rows say so\n", pr->at, h,
                slt_strerror(diag_rc));
    return SLT_OK;
}

/* The lazy solve at one (N, P) for the rich path's gamma = 0 rows (cli/dmft_rich.h). */
int dmft_lazy_solve(const slt_task *task, slt_dmft_params p, const cli_list *times,
                    slt_dmft_point *out, slt_dmft_edge *edge)
{
    double umax = NAN;
    int rc = solve_one(task, p, times, out, p.eta > 0 ? &umax : NULL);
    slt_dmft_edge_at(&p, umax, edge);
    return rc;
}

int cmd_dmft(int argc, char **argv)
{
    const char *cmd = "dmft";
    dmft_args a = {.base = slt_dmft_params_default(), .format = SLT_FORMAT_TABLE};
    a.ensemble = a.base.ensemble;
    a.nodes = a.base.nodes;
    a.batch = (long long)a.base.batch;
    a.sgd_form = slt_dmft_sgd_form_to_string(a.base.sgd_form);
    a.share = slt_share_to_string(a.base.share);
    a.contour = slt_dmft_contour_to_string(a.base.contour);
    a.method = slt_featlearn_method_to_string(slt_featlearn_params_default().method);
    a.max_work = slt_featlearn_params_default().max_march_work;
    snprintf(a.max_work_text, sizeof a.max_work_text, "%g", a.max_work);
    /* owned below; every exit after parsing goes through `done`, which frees them all */
    slt_task *task = NULL;
    slt_table *table = NULL;
    slt_dmft_point *pt = NULL;
    cli_task_args_init(&a.ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES | CLI_TASK_KERNEL_OK | CLI_TASK_MODES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 24];
    size_t n = dmft_options(&a, opts);
    int rc = cli_parse(&cmd_dmft_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc == CLI_OK) rc = cli_task_resolve(cmd, &a.ta);
    if (rc == CLI_OK) rc = dmft_validate(&a);
    if (rc == CLI_OK) rc = cli_stdin_once(cmd, "task", a.ta.file);
    if (rc == CLI_OK && a.ta.group == CLI_TASK_KERNEL) { /* the kernel's auto lmax */
        a.ta.kernel.modes_wanted = cli_kernel_modes_for(a.Ps.values, a.Ps.count, a.Ns.values,
                                                        a.Ns.count);
        a.ta.kernel.t_max = 0;
        for (size_t i = 0; i < a.tm.t.count; i++)
            if (isfinite(a.tm.t.values[i]) && a.tm.t.values[i] > a.ta.kernel.t_max)
                a.ta.kernel.t_max = a.tm.t.values[i];
    }
    if (rc == CLI_OK) rc = cli_task_make(cmd, &a.ta, a.noise, &task);
    if (rc == CLI_OK && a.seen_gamma) { /* the rich DMFT (cli/dmft_rich.c) */
        dmft_rich_in in = {.Ns = &a.Ns, .Ps = &a.Ps, .gammas = &a.gammas, .tm = &a.tm,
                           .lazy = a.base, .method_given = a.seen_method, .sgd = a.sgd,
                           .max_work = a.max_work,
                           .diagnose = a.diagnose, .format = a.format, .ta = &a.ta};
        /* cli_parse accepted only the names in the choices, the library's own */
        if (slt_featlearn_method_from_string(a.method, &in.method))
            rc = cli_usage_error(cmd, "%s", slt_last_error());
        else
            rc = dmft_rich_run(&in, task);
        goto done;
    }
    if (rc != CLI_OK) goto done;

    dmft_cols cols = {0};
    rc = slt_table_alloc(cmd, &table);
    if (!rc) rc = dmft_table_setup(&a, task, table, &cols);
    const size_t nt = a.tm.t.count, pairs = a.Ns.count * a.Ps.count;
    if (!rc && !(pt = calloc(5 * nt, sizeof *pt)))
        rc = slt_error(SLT_ENOMEM, "out of memory");
    int worst = SLT_OK;
    for (size_t k = 0; !rc && k < pairs; k++) {
        dmft_pair pr = {.p = a.base};
        pr.p.N = a.Ns.values[k / a.Ps.count];
        pr.p.P = a.Ps.values[k % a.Ps.count];
        snprintf(pr.at, sizeof pr.at, "--N %.15g --P %.15g", pr.p.N, pr.p.P);
        if (nt >= 10000) /* a long curve: say what runs before it does */
            cli_progress(cmd, "N = %g, P = %g (%zu of %zu): %zu times%s", pr.p.N, pr.p.P, k + 1,
                         pairs, nt, a.diagnose ? " (and 3 more solves each for --diagnose)" : "");
        else if (pairs > 4)
            cli_progress(cmd, "N = %g, P = %g (%zu of %zu)", pr.p.N, pr.p.P, k + 1, pairs);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        solve_pair(&a, task, &pr, pt);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const double secs =
            (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (nt >= 10000)
            cli_progress(cmd, "N = %g, P = %g: %zu times in %.1f s", pr.p.N, pr.p.P, nt, secs);
        rc = add_rows(&a, &pr, pt, &cols, table, &worst);
    }
    if (rc) {
        rc = cli_library_error(cmd, rc);
        goto done;
    }
    rc = cli_write_table(cmd, table, a.format);
    if (!rc && worst) rc = slt_exit_class(worst);
done:
    free(pt);
    slt_table_free(table);
    slt_task_free(task);
    cli_kernel_args_free(&a.ta.kernel);
    cli_list_free(&a.Ns);
    cli_list_free(&a.Ps);
    cli_list_free(&a.gammas);
    cli_times_free(&a.tm);
    return rc;
}
