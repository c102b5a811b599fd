/* slt dmft — test and train loss over training time of the random-feature model at width
 * N and data P (dmft.md), by the lazy DMFT. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "slt/dmft.h"
#include "slt/status.h"
#include "slt/table.h"
#include "task_args.h"

const cli_command_info cmd_dmft_info = {
    "dmft",
    "test and train loss over time at width N and data P (lazy DMFT; flow, GD, SGD, momentum)",
    "slt dmft (--alpha A --beta B | other letters | --task FILE) --N LIST --P LIST\n"
    "                --t LIST [--eta E] [--sgd --batch B [--sgd-form gaussian|limit]]\n"
    "                [--momentum M] [--noise S2] [--ensemble E --share data|projection|none]\n"
    "                [--contour auto|ellipse] [--diagnose] [--format F]",
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
    CLI_TASK_HELP CLI_TASK_HELP_FILE
    "\n"
    "N and P accept 'inf'; every N is combined with every P. t accepts 'inf' (the t -> inf\n"
    "closed forms; at N = P the test loss diverges and the row says so, while the train\n"
    "loss is 0: the model interpolates). Times in increasing order are fastest.\n"
    "\n"
    "Columns: N, P, t, test (clean-target test loss; add the noise for noisy test labels),\n"
    "test_err, train (against the noisy training labels; ensembles: not computed),\n"
    "train_err, status. With --diagnose also:\n"
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
    "of the default (auto) values, slower at late times (exit 1 beyond 8192 nodes).",
};

typedef struct {
    int t, test, train, slope, gap, gap_slope, gen;
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
    if (!rc) {
        int s = slt_dmft_solve(w, times->values, times->count, out);
        if (s == SLT_EINVAL) rc = s; /* refused before filling the points */
    }
    if (rc) fail_all(times, p.eta, rc, out);
    slt_dmft_free(w);
    return rc;
}

/* "--N 10 --P 30" as the user would write it. */
static void pair_text(char *buf, size_t size, double N, double P)
{
    snprintf(buf, size, "--N %.15g --P %.15g", N, P);
}

/* slt_dmft_params_check refused p: its message in the options' words (exit 2). The rule
 * is the library's; this only renames its fields to the options that set them. */
static int params_usage_error(const slt_dmft_params *p)
{
    const char *cmd = "dmft", *e = slt_last_error();
    if (strstr(e, "needs a step eta > 0"))
        return cli_usage_error(cmd, "--sgd needs a step --eta E > 0");
    if (strstr(e, "needs P = inf"))
        return cli_usage_error(cmd, "--sgd needs --P inf (online SGD draws fresh samples every "
                               "step); got --P %.17g", p->P);
    if (strstr(e, "ensembles of online SGD"))
        return cli_usage_error(cmd, "--sgd with --ensemble is not implemented (drop --ensemble)");
    if (strstr(e, "momentum SGD is not implemented"))
        return cli_usage_error(cmd, "--sgd with --momentum is not implemented (drop --momentum)");
    if (strstr(e, "online SGD has its own inversion"))
        return cli_usage_error(cmd, "--contour ellipse is not for --sgd (online SGD has its own "
                               "inversion)");
    if (strstr(e, "the heavy-ball coefficient beta"))
        return cli_usage_error(cmd, "--momentum: %.17g is out of range with --eta (the heavy-ball "
                               "coefficient beta: expected 0 <= M < 1)", p->momentum);
    return cli_usage_error(cmd, "%s", e); /* a rule without option words: the library's */
}

int cmd_dmft(int argc, char **argv)
{
    const char *cmd = "dmft";
    cli_list Ns = {0}, Ps = {0}, times = {0};
    /* owned below; every exit after parsing goes through `done`, which frees them all */
    slt_task *task = NULL;
    slt_table *table = NULL;
    slt_dmft_point *pt = NULL;
    /* the library's defaults; the options overwrite them */
    slt_dmft_params base = slt_dmft_params_default();
    double noise = 0.0, eta = base.eta, momentum = base.momentum;
    double ensemble = base.ensemble;
    long long nodes = base.nodes, batch = (long long)base.batch;
    int sgd = 0, seen_batch = 0, seen_form = 0;
    const char *sgd_form = slt_dmft_sgd_form_to_string(base.sgd_form);
    const char *share = slt_share_to_string(base.share);
    const char *contour = slt_dmft_contour_to_string(base.contour);
    int diagnose = 0, seen_share = 0;
    slt_format format = SLT_FORMAT_TABLE;
    cli_task_args ta;
    cli_task_args_init(&ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 16];
    size_t n = cli_task_options(&ta, opts);
    opts[n++] = (cli_option){.name = "N", .kind = CLI_LIST, .target = &Ns, .metavar = "LIST",
                             .help = "widths (number of random features)", .lo = 1,
                             .hi = INFINITY, .allow_inf = 1, .integer = 1};
    opts[n++] = (cli_option){.name = "P", .kind = CLI_LIST, .target = &Ps, .metavar = "LIST",
                             .help = "training-set sizes", .lo = 1, .hi = INFINITY, .allow_inf = 1,
                             .integer = 1};
    opts[n++] = (cli_option){.name = "t", .kind = CLI_LIST, .target = &times, .metavar = "LIST",
                             .help = "training times", .lo = 0, .hi = INFINITY, .allow_inf = 1};
    opts[n++] = (cli_option){.name = "eta", .kind = CLI_REAL, .target = &eta, .metavar = "E",
                             .help = "full-batch GD step (default 0: gradient flow)", .lo = 0,
                             .hi = INFINITY, .hi_open = 1};
    opts[n++] = (cli_option){.name = "sgd", .kind = CLI_FLAG, .target = &sgd,
                             .help = "online SGD with --batch B and step --eta (needs --P inf)"};
    opts[n++] = (cli_option){.name = "batch", .kind = CLI_INT, .target = &batch, .metavar = "B",
                             .help = "SGD batch size (with --sgd)", .lo = 1, .hi = 1e15,
                             .seen = &seen_batch};
    opts[n++] = (cli_option){.name = "sgd-form", .kind = CLI_CHOICE, .target = &sgd_form,
                             .metavar = "FORM", .help = "SGD noise: exact Gaussian fourth moment "
                             "or the DMFT limit (default gaussian)", .choices = "gaussian|limit",
                             .seen = &seen_form};
    opts[n++] = (cli_option){.name = "momentum", .kind = CLI_REAL, .target = &momentum,
                             .metavar = "M", .help = "heavy ball: time constant mu, or with "
                             "--eta the coefficient beta < 1 (default 0)",
                             .lo = 0, .hi = INFINITY, .hi_open = 1};
    opts[n++] = (cli_option){.name = "noise", .kind = CLI_REAL, .target = &noise, .metavar = "S2",
                             .help = "label-noise variance sigma^2 (default 0)", .lo = 0,
                             .hi = INFINITY, .hi_open = 1};
    opts[n++] = (cli_option){.name = "ensemble", .kind = CLI_REAL, .target = &ensemble,
                             .metavar = "E", .help = "average the predictors of E models "
                             "(default 1; inf for the infinite ensemble)", .lo = 1,
                             .hi = 1e15, .allow_inf = 1};
    opts[n++] = (cli_option){.name = "share", .kind = CLI_CHOICE, .target = &share,
                             .metavar = "WHAT", .help = "what ensemble members share (default data)",
                             .choices = "data|projection|none", .seen = &seen_share};
    opts[n++] = (cli_option){.name = "nodes", .kind = CLI_INT, .target = &nodes, .metavar = "M",
                             .help = "Talbot nodes of the 2-D inversion (default 16)", .lo = 10,
                             .hi = 32};
    opts[n++] = (cli_option){.name = "contour", .kind = CLI_CHOICE, .target = &contour,
                             .metavar = "C", .help = "inversion contour: auto, or the ellipse "
                             "everywhere as a check (default auto)", .choices = "auto|ellipse"};
    opts[n++] = (cli_option){.name = "diagnose", .kind = CLI_FLAG, .target = &diagnose,
                             .help = "add local exponents, width gap and generalization gap"};
    opts[n++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &format,
                             .metavar = "F", .help = "output format (default table)"};
    int rc = cli_parse(&cmd_dmft_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc == CLI_OK) rc = cli_task_resolve(cmd, &ta);
    if (rc == CLI_OK && (Ns.count == 0 || Ps.count == 0 || times.count == 0))
        rc = cli_usage_error(cmd, "--N, --P and --t are required (see 'slt dmft --help')");
    if (rc == CLI_OK && ensemble != floor(ensemble) && !isinf(ensemble))
        rc = cli_usage_error(cmd, "--ensemble: %.17g is not a whole number (expected E >= 1, or inf)",
                             ensemble);
    if (rc == CLI_OK && seen_share && ensemble == 1.0)
        rc = cli_usage_error(cmd, "--share needs --ensemble E with E > 1");
    if (rc == CLI_OK && diagnose && ensemble != 1.0)
        rc = cli_usage_error(cmd, "--diagnose is for single models (drop --ensemble)");
    if (rc == CLI_OK && sgd && !seen_batch)
        rc = cli_usage_error(cmd, "--sgd needs --batch B (B >= 1)");
    if (rc == CLI_OK && !sgd && (seen_batch || seen_form))
        rc = cli_usage_error(cmd, "--%s is for online SGD (add --sgd)", seen_batch ? "batch" : "sgd-form");
    if (rc == CLI_OK) {
        base.nodes = (int)nodes;
        base.eta = eta;
        base.batch = sgd ? (size_t)batch : 0;
        base.momentum = momentum;
        base.ensemble = ensemble;
        /* cli_parse accepted only the names in the choices above, the library's own */
        if (slt_dmft_sgd_form_from_string(sgd_form, &base.sgd_form) ||
            slt_share_from_string(share, &base.share) ||
            slt_dmft_contour_from_string(contour, &base.contour))
            rc = cli_usage_error(cmd, "%s", slt_last_error());
    }
    /* the library's cross-field rules (slt_dmft_params_check), at every P */
    for (size_t i = 0; rc == CLI_OK && i < Ps.count; i++) {
        slt_dmft_params q = base;
        q.P = Ps.values[i];
        if (slt_dmft_params_check(&q)) rc = params_usage_error(&q);
    }
    /* with a step, t = eta n: a time t > 0 that rounds to n = 0 steps would be the start
     * (and skip the step's stability check); ask for t = 0 or at least half a step */
    if (rc == CLI_OK && eta > 0)
        for (size_t i = 0; i < times.count && rc == CLI_OK; i++)
            if (times.values[i] > 0 && round(times.values[i] / eta) == 0)
                rc = cli_usage_error(cmd, "--t %.15g with --eta %.15g is less than half a step "
                                     "(t = eta n rounds to n = 0); give --t 0 for the start, or "
                                     "t >= eta/2 = %.15g", times.values[i], eta, eta / 2);
    if (rc == CLI_OK) rc = cli_task_make(cmd, &ta, noise, &task);
    if (rc != CLI_OK) goto done;


    int c_N, c_P, c_t, c_test, c_train, c_status, c_slope = -1, c_gap = -1, c_gslope = -1,
        c_gen = -1, c_gain = -1, c_umax = -1, c_margin = -1, c_spread = -1;
    rc = slt_table_alloc(cmd, &table);
    if (!rc) rc = cli_task_params(&ta, task, table);
    if (!rc) rc = slt_table_param_real(table, "noise", noise);
    if (!rc && eta > 0) rc = slt_table_param_real(table, "eta", eta);
    if (!rc && sgd) {
        rc = slt_table_param_real(table, "batch", (double)batch);
        if (!rc) rc = slt_table_param_text(table, "sgd_form", sgd_form);
    }
    if (!rc && momentum > 0) rc = slt_table_param_real(table, "momentum", momentum);
    if (!rc && base.contour == SLT_DMFT_CONTOUR_ELLIPSE)
        rc = slt_table_param_text(table, "contour", contour);
    if (!rc && base.ensemble > 1) {
        rc = slt_table_param_real(table, "ensemble", ensemble);
        if (!rc) rc = slt_table_param_text(table, "share", share);
    }
    if (!rc) {
        c_N = slt_table_add_column(table, "N", SLT_COL_REAL, 0);
        c_P = slt_table_add_column(table, "P", SLT_COL_REAL, 0);
        c_t = slt_table_add_column(table, "t", SLT_COL_REAL, 0);
        c_test = slt_table_add_column(table, "test", SLT_COL_REAL, 1);
        c_train = slt_table_add_column(table, "train", SLT_COL_REAL, 1);
        if (sgd) c_gain = slt_table_add_column(table, "sgd_gain", SLT_COL_REAL, 1);
        if (diagnose) {
            c_slope = slt_table_add_column(table, "slope", SLT_COL_REAL, 1);
            c_gap = slt_table_add_column(table, "width_gap", SLT_COL_REAL, 1);
            c_gslope = slt_table_add_column(table, "width_gap_slope", SLT_COL_REAL, 1);
            c_gen = slt_table_add_column(table, "generalization_gap", SLT_COL_REAL, 1);
            if (eta > 0) {
                c_umax = slt_table_add_column(table, "u_max", SLT_COL_REAL, 0);
                c_margin = slt_table_add_column(table, "edge_margin", SLT_COL_REAL, 0);
                c_spread = slt_table_add_column(table, "edge_spread", SLT_COL_REAL, 0);
            }
        }
        c_status = slt_table_add_status(table);
        if (c_status < 0) rc = SLT_ENOMEM;
    }
    if (rc) {
        rc = cli_library_error(cmd, rc);
        goto done;
    }
    (void)c_status;

    size_t nt = times.count;
    pt = calloc(5 * nt, sizeof *pt);
    int worst = SLT_OK;
    /* the stability limit of eta_eff·u_max: GD 2, heavy ball 2(1 + beta), SGD 2/(1 + 1/B)
     * (2 in the limit form) */
    double limit = 2.0, eta_eff = eta;
    if (momentum > 0 && eta > 0) limit = 2.0 * (1.0 + momentum);
    if (sgd && base.sgd_form == SLT_DMFT_SGD_GAUSSIAN) eta_eff = eta * (1.0 + 1.0 / (double)batch);
    for (size_t a = 0; a < Ns.count && pt; a++)
        for (size_t b = 0; b < Ps.count; b++) {
            slt_dmft_params p = base;
            p.N = Ns.values[a];
            p.P = Ps.values[b];
            char at[96];
            pair_text(at, sizeof at, p.N, p.P);
            if (Ns.count * Ps.count > 4)
                cli_progress(cmd, "N = %g, P = %g (%zu of %zu)", p.N, p.P,
                             a * Ps.count + b + 1, Ns.count * Ps.count);
            slt_dmft_point *main_pt = pt, *inf_pt = pt + nt, *up = pt + 2 * nt, *dn = pt + 3 * nt;
            double umax = NAN;
            int s = solve_one(task, p, &times, main_pt, eta > 0 ? &umax : NULL);
            size_t n_fail = 0, first_fail = 0;
            for (size_t i = nt; i-- > 0;)
                if (main_pt[i].status != SLT_OK && main_pt[i].status != SLT_EDIVERGE) {
                    n_fail++;
                    first_fail = i;
                }
            if (s)
                fprintf(stderr, "slt dmft: %s: the set-up for this task failed (%s), no time "
                        "computed: %s\n", at, slt_strerror(s), slt_last_error());
            else if (n_fail && main_pt[first_fail].status == SLT_EDOM && eta > 0 &&
                     !(eta_eff * umax < limit))
                fprintf(stderr, "slt dmft: %s: --eta %.15g is unstable: %s*u_max = %.6g >= %s%.6g "
                        "(u_max = %.6g, the top of the model's spectrum: stable for --eta < %.6g)\n",
                        at, eta, sgd ? "(1 + 1/B)*eta" : "eta", eta_eff * umax,
                        momentum > 0 ? "2(1 + momentum) = " : "", limit, umax,
                        limit / umax * eta / eta_eff);
            else if (n_fail)
                fprintf(stderr, "slt dmft: %s: %s at %zu of %zu times (first --t %.15g): %s\n", at,
                        slt_strerror(main_pt[first_fail].status), n_fail, nt,
                        times.values[first_fail], slt_last_error());
            /* finite-size stability: a finite model's top eigenvalue spreads about u_max by
             * ~u_max·sqrt(2/N + 2/P) (docs/theory/dmft.md §4); within three spreads of the
             * limit a share of finite models diverges, though the DMFT value is right */
            double margin = limit / (eta_eff * umax) - 1.0;
            double spread = sqrt((isinf(p.N) ? 0.0 : 2.0 / p.N) + (isinf(p.P) ? 0.0 : 2.0 / p.P));
            int near_edge = eta > 0 && margin > 0 && margin <= 3.0 * spread;
            if (near_edge)
                fprintf(stderr, "slt dmft: warning: %s --eta %.15g: %s*u_max = %.6g is within "
                        "three finite-size spreads of the stability limit %.6g (margin %.3g, spread "
                        "%.3g): some finite models diverge; the rows say 'ok (near edge)'\n", at,
                        eta, sgd ? "(1 + 1/B)*eta" : "eta", eta_eff * umax, limit, margin, spread);
            /* diagnostics: the N = ∞ curve and N·e^{±h} for the local slope in N */
            const double h = SLT_DMFT_WIDTH_GAP_STEP;
            int have_gap = diagnose && !isinf(p.N), diag_rc = SLT_OK;
            if (have_gap) {
                slt_dmft_params q = p;
                q.N = INFINITY;
                solve_one(task, q, &times, inf_pt, NULL);
                q.N = p.N * exp(h);
                solve_one(task, q, &times, up, NULL);
                q.N = p.N * exp(-h);
                if (q.N < 1.0) have_gap = 0;
                else solve_one(task, q, &times, dn, NULL);
            }
            for (size_t i = 0; i < nt; i++) {
                const slt_dmft_point *o = &main_pt[i];
                long row = slt_table_add_row(table);
                if (row < 0) {
                    slt_error(SLT_ENOMEM, "out of memory for the table's rows");
                    rc = cli_library_error(cmd, SLT_ENOMEM);
                    goto done;
                }
                size_t r = (size_t)row;
                slt_table_set_real(table, r, c_N, p.N, 0);
                slt_table_set_real(table, r, c_P, p.P, 0);
                slt_table_set_real(table, r, c_t, o->t, 0);
                slt_table_set_real(table, r, c_test, o->test, o->test_err);
                slt_table_set_real(table, r, c_train, o->train, o->train_err);
                if (sgd) slt_table_set_real(table, r, c_gain, o->sgd_gain, o->sgd_gain_err);
                int status = o->status;
                const int setup_failed = s != SLT_OK; /* never "divergent": nothing was computed */
                if (diagnose && have_gap && isfinite(o->t) && status == SLT_OK) {
                    /* a diagnostic that could not be computed fails the row */
                    const int ds[3] = {inf_pt[i].status, up[i].status, dn[i].status};
                    for (int k = 0; k < 3 && !status; k++)
                        if (ds[k] != SLT_OK) status = diag_rc = ds[k];
                }
                if (status != SLT_OK) {
                    const int div = status == SLT_EDIVERGE && !setup_failed;
                    slt_table_set_status(table, r, div ? "divergent" : slt_strerror(status));
                    if (!div && !worst) worst = status;
                } else if (near_edge && times.values[i] > 0) {
                    slt_table_set_status(table, r, "ok (near edge)");
                }
                if (!diagnose) continue;
                if (eta > 0) {
                    slt_table_set_real(table, r, c_umax, umax, 0);
                    slt_table_set_real(table, r, c_margin, margin, 0);
                    slt_table_set_real(table, r, c_spread, spread, 0);
                }
                slt_table_set_real(table, r, c_slope, o->test_slope, o->test_slope_err);
                slt_table_set_real(table, r, c_gen, o->test + noise - o->train,
                                   o->test_err + o->train_err);
                if (have_gap && isfinite(o->t)) {
                    const slt_dmft_point *oi = &inf_pt[i];
                    double gs, gs_err; /* null where the gap is not positive */
                    slt_table_set_real(table, r, c_gap, o->test - oi->test,
                                       o->test_err + oi->test_err);
                    if (!slt_dmft_width_gap_slope(o, oi, &up[i], &dn[i], h, &gs, &gs_err))
                        slt_table_set_real(table, r, c_gslope, gs, gs_err);
                }
            }
            if (diag_rc)
                fprintf(stderr, "slt dmft: %s --diagnose: the width gap (at N = inf and N*e^(+-%g)) "
                        "failed (%s) at some times; those rows say so\n", at, h,
                        slt_strerror(diag_rc));
        }
    if (!pt) {
        slt_error(SLT_ENOMEM, "out of memory");
        rc = cli_library_error(cmd, SLT_ENOMEM);
        goto done;
    }
    rc = cli_write_table(cmd, table, format);
    if (!rc && worst) rc = slt_exit_class(worst);
done:
    free(pt);
    slt_table_free(table);
    slt_task_free(task);
    cli_list_free(&Ns);
    cli_list_free(&Ps);
    cli_list_free(&times);
    return rc;
}
