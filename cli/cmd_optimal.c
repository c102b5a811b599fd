/* slt optimal — the compute-optimal allocation: for each budget C the width N* and the
 * resource t* (time, samples or training-set size) that minimise the predicted loss, the
 * frontier's local slopes and the exponent table's predictions (docs/theory/optimal.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "slt/exponents.h"
#include "slt/optimal.h"
#include "slt/status.h"
#include "slt/table.h"
#include "task_args.h"

const cli_command_info cmd_optimal_info = {
    "optimal",
    "compute-optimal frontier N*(C), t*(C), L*(C) from the loss (lazy DMFT, statics, law)",
    "slt optimal (--alpha A --beta B | other letters | --law E=..,A=..,a=..,B=..,b=..)\n"
    "                --C LIST [--cost nt|6nd|nd:c|power:p] [--P LIST|inf]\n"
    "                [--eta E] [--sgd --batch B] [--static] [--N-range LO:HI]\n"
    "                [--grid G] [--noise S2] [--format F]",
    "For each compute budget C, the allocation that minimises the predicted loss along the\n"
    "budget's constraint, and the frontier over the budgets given (docs/theory/optimal.md).\n"
    "\n"
    "The loss (one of):\n"
    "  lazy DMFT (default): L(N, t; P) of 'slt dmft', gradient flow, full-batch GD with\n"
    "      --eta E (t = eta n; between whole steps the loss is interpolated linearly in\n"
    "      log n), or online SGD with --sgd --batch B --eta E, where the resource is the\n"
    "      samples processed D = B n (t = eta D/B). --P inf (default) or finite P: one\n"
    "      frontier per P, the training set fixed (epochs are then t/eta for GD).\n"
    "  --static: the converged (t -> inf) ridgeless loss L(N, P) of 'slt static'; the\n"
    "      resource is the training-set size P and the cost counts N P.\n"
    "  --law E=e,A=A,a=a,B=B,b=b: a fitted law L = E + A N^-a + B D^-b (resource D).\n"
    "      Keys may come in any order; missing ones keep the defaults E=0,A=1,a=0.5,B=1,\n"
    "      b=0.5. predicted_* are then the law's own exponents, b/(a+pb), a/(a+pb),\n"
    "      -ab/(a+pb) (the last for L - E).\n"
    "\n"
    "Cost models (--cost): the resource x (t, D or P) left at width N is x = C/(c N^p):\n"
    "  nt        C = N t (canonical; default)\n"
    "  6nd       C = 6 N D (transformers: D = tokens = B steps)\n"
    "  nd:c      C = c N D with a constant c > 0\n"
    "  power:p   C = N^p t, p > 0 (predicted_* are then NaN: the table assumes p = 1)\n"
    "\n"
    "Method: a log grid of --grid points per decade over --N-range (narrowed to the widths\n"
    "that leave at least one step: t >= eta for GD, D >= B for SGD, P >= 1 for --static;\n"
    "with --static split at the pole N = P, each side minimised on its own) brackets every\n"
    "local minimum; GSL's Brent minimiser refines each in ln N, a Newton step on central\n"
    "differences polishes it, and the smallest wins. When the smallest loss lies at a bound\n"
    "of the range (the refined minimum reaches it) the row says at-N-lo, at-N-hi or at-x-min\n"
    "(its values null) and the command exits 2 naming --N-range: widen it (or raise C).\n"
    "Two minima equal within their errors (e.g. --static without --noise: the loss is\n"
    "symmetric in N <-> P) give a 'degenerate' row (values null, both N named, exit 2):\n"
    "add --noise or narrow --N-range to one side. Widths where the GD/SGD step is unstable\n"
    "are excluded (a stderr note names them); an optimum within three finite-size spreads\n"
    "of the step's stability limit says 'ok (near edge)', as in 'slt dmft'.\n"
    "\n"
    CLI_TASK_HELP
    "\n"
    CLI_LIST_HELP
    "\n"
    "Columns: C, P (lazy DMFT), N_opt, N_opt_err, t_opt, t_opt_err (the resource: t, D or\n"
    "P, named in the params as 'resource'), L_opt, L_opt_err, slope_N, slope_t, slope_L\n"
    "(d ln X*/d ln C by central differences over the budgets, with _err: the propagated\n"
    "errors plus half the difference of the one-sided slopes; one-sided at the ends; null\n"
    "with fewer than three budgets: two give no error), predicted_N, predicted_t,\n"
    "predicted_L (the exponent table's lazy compute_* rows, sgd_* with --sgd; slope_L's\n"
    "sign: negative), regime, evaluations, status. Errors: ln N* +- sqrt(2 eps/L'')\n"
    "(eps the loss's error, L'' the curvature in ln N) plus the spread of two\n"
    "polishes; L* +- eps + L'' d^2/2.\n"
    "\n"
    "Not yet: --gamma (the rich DMFT provider) and --ensemble (exit 2).",
};

typedef struct {
    cli_list Cs, Ps;
    double eta, noise, gamma, ensemble;
    long long batch, grid;
    int sgd, seen_batch, is_static, seen_gamma, seen_ensemble, seen_law, seen_noise;
    const char *cost_text, *range_text, *law_text;
    slt_format format;
    cli_task_args ta;
} opt_args;

static void progress(void *ctx, size_t done, size_t total, const slt_optimal_point *o)
{
    const char *what = ctx;
    cli_progress("optimal", "%sC = %g (%zu of %zu): N* = %g, %zu evaluations", what, o->C, done,
                 total, o->N, o->evaluations);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "E=..,A=..,a=..,B=..,b=.." into law; a usage error naming --law otherwise */
static int parse_law(const char *cmd, const char *text, slt_optimal_law *law)
{
    *law = slt_optimal_law_default();
    char buf[512];
    if (strlen(text) >= sizeof buf)
        return cli_usage_error(cmd, "--law: '%.40s...' is too long", text);
    strcpy(buf, text);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        double v;
        if (!eq || cli_parse_real(eq + 1, 0, &v))
            return cli_usage_error(cmd, "--law: '%s' is not KEY=VALUE (keys E, A, a, B, b; "
                                   "e.g. --law E=1.69,A=406.4,a=0.34,B=410.7,b=0.28)", tok);
        *eq = 0;
        if (strcmp(tok, "E") == 0) law->E = v;
        else if (strcmp(tok, "A") == 0) law->A = v;
        else if (strcmp(tok, "a") == 0) law->a = v;
        else if (strcmp(tok, "B") == 0) law->B = v;
        else if (strcmp(tok, "b") == 0) law->b = v;
        else return cli_usage_error(cmd, "--law: unknown key '%s' (expected E, A, a, B, b)", tok);
    }
    if (slt_optimal_law_check(law))
        return cli_usage_error(cmd, "--law %s: %s", text, slt_last_error());
    return CLI_OK;
}

static int parse_range(const char *cmd, const char *text, slt_optimal_params *p)
{
    const char *colon = strchr(text, ':');
    char lo[128];
    if (!colon || (size_t)(colon - text) >= sizeof lo)
        return cli_usage_error(cmd, "--N-range: '%s' is not LO:HI", text);
    memcpy(lo, text, (size_t)(colon - text));
    lo[colon - text] = 0;
    if (cli_parse_real(lo, 0, &p->N_lo) || cli_parse_real(colon + 1, 0, &p->N_hi))
        return cli_usage_error(cmd, "--N-range: '%s' is not LO:HI with two numbers", text);
    if (slt_optimal_params_check(p)) {
        const slt_param_range *r = slt_optimal_param_range("N_lo");
        return cli_usage_error(cmd, "--N-range %s: expected %g <= LO < HI < inf (%s)", text,
                               r->lo, slt_last_error());
    }
    return CLI_OK;
}

/* The DMFT's caveat at the optimum (slt_dmft_edge_at): 1 when the step is within
 * SLT_DMFT_NEAR_EDGE_SPREADS finite-size spreads of its stability limit at (N*, P) (some
 * finite models diverge although the DMFT value is right), 0 when not; a library status
 * (negative) when the edge could not be computed. */
static int near_edge_at(const slt_task *task, const slt_dmft_params *q0, double N,
                        slt_dmft_edge *e)
{
    slt_dmft_params q = *q0;
    q.N = N;
    slt_dmft_workspace *w = NULL;
    double umax = NAN;
    int rc = slt_dmft_alloc(task, &q, &w);
    if (!rc) rc = slt_dmft_spectrum_edge(w, &umax);
    if (!rc) rc = slt_dmft_edge_at(&q, umax, e);
    slt_dmft_free(w);
    return rc ? -rc : e->near_edge != 0;
}

int cmd_optimal(int argc, char **argv)
{
    const char *cmd = "optimal";
    slt_dmft_params dp = slt_dmft_params_default();
    slt_optimal_params op = slt_optimal_params_default();
    opt_args a = {.format = SLT_FORMAT_TABLE, .eta = dp.eta, .cost_text = "nt",
                  .grid = op.grid_per_decade, .ensemble = 1};
    char range_default[64];
    snprintf(range_default, sizeof range_default, "%g:%g", op.N_lo, op.N_hi);
    a.range_text = range_default;
    slt_task *task = NULL;
    slt_table *table = NULL;
    slt_optimal_provider *prov = NULL;
    slt_optimal_point *pts = NULL;
    cli_task_args_init(&a.ta, CLI_TASK_AMPLITUDES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 24];
    size_t n = cli_task_options(&a.ta, opts);
    opts[n++] = (cli_option){.name = "C", .kind = CLI_LIST, .target = &a.Cs, .metavar = "LIST",
                             .help = "compute budgets (> 0; sorted, repeats dropped)", .lo = 0,
                             .lo_open = 1, .hi = INFINITY, .hi_open = 1};
    opts[n++] = (cli_option){.name = "cost", .kind = CLI_TEXT, .target = &a.cost_text,
                             .metavar = "MODEL", .help = "nt, 6nd, nd:c or power:p (default %D)",
                             .default_text = "nt"};
    opts[n++] = cli_with_range(
        (cli_option){.name = "P", .kind = CLI_LIST, .target = &a.Ps, .metavar = "LIST",
                     .help = "training-set sizes, lazy DMFT (default inf)", .allow_inf = 1,
                     .integer = 1}, slt_dmft_param_range("P"));
    opts[n++] = cli_with_range(
        (cli_option){.name = "eta", .kind = CLI_REAL, .target = &a.eta, .metavar = "E",
                     .help = "GD (or SGD) step (default %D: gradient flow)",
                     CLI_DEFAULT(dp.eta)}, slt_dmft_param_range("eta"));
    opts[n++] = (cli_option){.name = "sgd", .kind = CLI_FLAG, .target = &a.sgd,
                             .help = "online SGD with --batch B and --eta (resource: samples)"};
    opts[n++] = (cli_option){.name = "batch", .kind = CLI_INT, .target = &a.batch,
                             .metavar = "B", .help = "SGD batch size (with --sgd)", .lo = 1,
                             .hi = 1e15, .seen = &a.seen_batch};
    opts[n++] = (cli_option){.name = "static", .kind = CLI_FLAG, .target = &a.is_static,
                             .help = "the converged loss L(N, P) of the statics (cost N P)"};
    opts[n++] = (cli_option){.name = "law", .kind = CLI_TEXT, .target = &a.law_text,
                             .metavar = "SPEC", .help = "a fitted law E=..,A=..,a=..,B=..,b=..",
                             .seen = &a.seen_law};
    opts[n++] = (cli_option){.name = "N-range", .kind = CLI_TEXT, .target = &a.range_text,
                             .metavar = "LO:HI", .help = "allowed widths (default %D)",
                             .default_text = range_default};
    opts[n++] = cli_with_range(
        (cli_option){.name = "grid", .kind = CLI_INT, .target = &a.grid, .metavar = "G",
                     .help = "grid points a decade of N (default %D)",
                     CLI_DEFAULT(op.grid_per_decade)}, slt_optimal_param_range("grid_per_decade"));
    opts[n++] = (cli_option){.name = "noise", .kind = CLI_REAL, .target = &a.noise,
                             .metavar = "S2", .help = "label-noise variance sigma^2 (default %D)",
                             .lo = 0, .hi = INFINITY, .hi_open = 1, CLI_DEFAULT(0),
                             .seen = &a.seen_noise};
    opts[n++] = (cli_option){.name = "gamma", .kind = CLI_REAL, .target = &a.gamma,
                             .metavar = "G", .help = "feature-learning strength (not implemented "
                             "yet)", .lo = -INFINITY, .hi = INFINITY, .seen = &a.seen_gamma};
    opts[n++] = (cli_option){.name = "ensemble", .kind = CLI_REAL, .target = &a.ensemble,
                             .metavar = "E", .help = "ensembles versus width (not implemented "
                             "yet)", .lo = -INFINITY, .hi = INFINITY, .seen = &a.seen_ensemble};
    opts[n++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &a.format,
                             .metavar = "F", .help = "output format (default table)"};
    int rc = cli_parse(&cmd_optimal_info, opts, n, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) return rc;

    /* ---- validation: every refusal names the option */
    if (a.seen_gamma) {
        rc = cli_usage_error(cmd, "--gamma: the rich (feature-learning) provider is not "
                             "implemented yet (drop --gamma)");
        goto done;
    }
    if (a.seen_ensemble) {
        rc = cli_usage_error(cmd, "--ensemble: ensembles versus width are not implemented yet "
                             "(drop --ensemble)");
        goto done;
    }
    if (a.Cs.count == 0) {
        rc = cli_usage_error(cmd, "--C LIST is required (see 'slt optimal --help')");
        goto done;
    }
    slt_optimal_cost cost;
    if (slt_optimal_cost_parse(a.cost_text, &cost)) {
        rc = cli_usage_error(cmd, "--cost %s: %s", a.cost_text, slt_last_error());
        goto done;
    }
    if ((rc = parse_range(cmd, a.range_text, &op))) goto done;
    op.grid_per_decade = (int)a.grid;
    qsort(a.Cs.values, a.Cs.count, sizeof(double), cmp_double);
    size_t nc = 0;
    for (size_t i = 0; i < a.Cs.count; i++)
        if (nc == 0 || a.Cs.values[i] != a.Cs.values[nc - 1]) a.Cs.values[nc++] = a.Cs.values[i];
    a.Cs.count = nc;
    const int lazy = !a.seen_law && !a.is_static;
    if (a.seen_law && a.is_static) {
        rc = cli_usage_error(cmd, "--law and --static are two different losses (give one)");
        goto done;
    }
    if (!lazy && (a.Ps.count || a.sgd || a.seen_batch || a.eta > 0)) {
        rc = cli_usage_error(cmd, "--P, --eta, --sgd and --batch are for the lazy DMFT (not "
                             "with --%s)", a.seen_law ? "law" : "static");
        goto done;
    }
    if (a.sgd && !a.seen_batch) {
        rc = cli_usage_error(cmd, "--sgd needs --batch B (B >= 1)");
        goto done;
    }
    if (!a.sgd && a.seen_batch) {
        rc = cli_usage_error(cmd, "--batch is for online SGD (add --sgd)");
        goto done;
    }
    if (a.sgd && !(a.eta > 0)) {
        rc = cli_usage_error(cmd, "--sgd needs a step --eta E > 0");
        goto done;
    }
    slt_optimal_law law = slt_optimal_law_default();
    if (a.seen_law) {
        if (a.ta.seen_alpha || a.ta.seen_beta || a.ta.seen_a || a.ta.seen_b || a.ta.seen_K ||
            a.ta.seen_MRS || a.ta.seen_aP || a.ta.seen_bP) {
            rc = cli_usage_error(cmd, "--law replaces the task (drop %s)", "the task options");
            goto done;
        }
        if (a.seen_noise) {
            rc = cli_usage_error(cmd, "--noise is for a task (the law has no label noise; drop "
                                 "--noise)");
            goto done;
        }
        if ((rc = parse_law(cmd, a.law_text, &law))) goto done;
    } else {
        if ((rc = cli_task_resolve(cmd, &a.ta))) goto done;
        if ((rc = cli_task_make(cmd, &a.ta, a.noise, &task))) goto done;
    }
    if (lazy && a.Ps.count == 0) {
        a.Ps.values = malloc(sizeof(double));
        if (!a.Ps.values) {
            rc = cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory"));
            goto done;
        }
        a.Ps.values[0] = INFINITY;
        a.Ps.count = 1;
    }
    if (a.sgd)
        for (size_t i = 0; i < a.Ps.count; i++)
            if (isfinite(a.Ps.values[i])) {
                rc = cli_usage_error(cmd, "--sgd needs --P inf (online SGD draws fresh samples "
                                     "every step); got --P %.17g", a.Ps.values[i]);
                goto done;
            }
    /* the smallest budget must allow one step at the smallest width */
    {
        const double xm = a.sgd ? (double)a.batch : a.is_static ? 1.0 : a.eta;
        const double x = slt_optimal_cost_resource(&cost, a.Cs.values[0], op.N_lo);
        if (xm > 0 && x < xm) {
            rc = cli_usage_error(cmd, "--C %.17g is too small: at the smallest width %.17g "
                                 "(--N-range) the cost %s leaves %s = %.17g, less than one step "
                                 "(%s >= %.17g)", a.Cs.values[0], op.N_lo, a.cost_text,
                                 a.seen_law ? "D" : a.sgd ? "D" : a.is_static ? "P" : "t", x,
                                 a.seen_law ? "D" : a.sgd ? "D" : a.is_static ? "P" : "t", xm);
            goto done;
        }
    }

    /* ---- predictions */
    double pred[3] = {NAN, NAN, NAN};
    const char *regime = "law";
    if (a.seen_law) rc = slt_optimal_law_predicted(&law, &cost, pred);
    else rc = slt_optimal_predicted(a.ta.alpha, a.ta.beta, a.sgd, &cost, pred, &regime);
    if (a.is_static) {
        pred[0] = pred[1] = pred[2] = NAN; /* the table has no rows for converged models */
        regime = "static";
    }
    if (rc) {
        rc = cli_library_error(cmd, rc);
        goto done;
    }

    /* ---- table */
    rc = slt_table_alloc(cmd, &table);
    if (!rc && !a.seen_law) rc = cli_task_params(&a.ta, task, table);
    if (!rc && a.seen_law) {
        rc = slt_table_param_real(table, "E", law.E);
        if (!rc) rc = slt_table_param_real(table, "A", law.A);
        if (!rc) rc = slt_table_param_real(table, "a", law.a);
        if (!rc) rc = slt_table_param_real(table, "B", law.B);
        if (!rc) rc = slt_table_param_real(table, "b", law.b);
    }
    char cname[64];
    if (!rc) rc = slt_optimal_cost_name(&cost, cname, sizeof cname);
    if (!rc) rc = slt_table_param_text(table, "cost", cname);
    if (!rc) rc = slt_table_param_text(table, "loss", a.seen_law ? "law" : a.is_static ? "static"
                                                  : a.sgd ? "dmft-sgd" : "dmft");
    if (!rc) rc = slt_table_param_text(table, "resource", a.seen_law || a.sgd ? "D"
                                                      : a.is_static ? "P" : "t");
    if (!rc && lazy && a.eta > 0) rc = slt_table_param_real(table, "eta", a.eta);
    if (!rc && a.sgd) rc = slt_table_param_real(table, "batch", (double)a.batch);
    if (!rc && !a.seen_law) rc = slt_table_param_real(table, "noise", a.noise);
    if (!rc) rc = slt_table_param_real(table, "N_lo", op.N_lo);
    if (!rc) rc = slt_table_param_real(table, "N_hi", op.N_hi);
    if (!rc) rc = slt_table_param_int(table, "grid_per_decade", op.grid_per_decade);
    if (rc) {
        rc = cli_library_error(cmd, rc);
        goto done;
    }
    int cC = slt_table_add_column(table, "C", SLT_COL_REAL, 0);
    int cP = lazy ? slt_table_add_column(table, "P", SLT_COL_REAL, 0) : -1;
    int cN = slt_table_add_column(table, "N_opt", SLT_COL_REAL, 1);
    int ct = slt_table_add_column(table, "t_opt", SLT_COL_REAL, 1);
    int cL = slt_table_add_column(table, "L_opt", SLT_COL_REAL, 1);
    int csN = slt_table_add_column(table, "slope_N", SLT_COL_REAL, 1);
    int cst = slt_table_add_column(table, "slope_t", SLT_COL_REAL, 1);
    int csL = slt_table_add_column(table, "slope_L", SLT_COL_REAL, 1);
    int cpN = slt_table_add_column(table, "predicted_N", SLT_COL_REAL, 0);
    int cpt = slt_table_add_column(table, "predicted_t", SLT_COL_REAL, 0);
    int cpL = slt_table_add_column(table, "predicted_L", SLT_COL_REAL, 0);
    int creg = slt_table_add_column(table, "regime", SLT_COL_TEXT, 0);
    int cev = slt_table_add_column(table, "evaluations", SLT_COL_INT, 0);
    if (cC < 0 || cN < 0 || ct < 0 || cL < 0 || csN < 0 || cst < 0 || csL < 0 || cpN < 0 ||
        cpt < 0 || cpL < 0 || creg < 0 || cev < 0 || slt_table_add_status(table) < 0) {
        rc = cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory for the table"));
        goto done;
    }
    pts = calloc(a.Cs.count, sizeof *pts);
    if (!pts) {
        rc = cli_library_error(cmd, slt_error(SLT_ENOMEM, "out of memory"));
        goto done;
    }
    int worst = SLT_OK, usage = 0;
    const size_t nP = lazy ? a.Ps.count : 1;
    for (size_t ip = 0; ip < nP; ip++) {
        const double P = lazy ? a.Ps.values[ip] : NAN;
        slt_optimal_provider_free(prov);
        prov = NULL;
        if (a.seen_law) rc = slt_optimal_provider_law(&law, &prov);
        else if (a.is_static) {
            slt_statics_params sp = slt_statics_params_default();
            rc = slt_optimal_provider_statics(task, &sp, &prov);
        } else {
            slt_dmft_params q = dp;
            q.P = P;
            q.eta = a.eta;
            q.batch = a.sgd ? (size_t)a.batch : 0;
            rc = slt_optimal_provider_dmft(task, &q, &prov);
            if (rc) {
                rc = cli_usage_error(cmd, "--eta %.17g --P %.17g: %s", a.eta, P, slt_last_error());
                goto done;
            }
        }
        if (rc) {
            rc = cli_library_error(cmd, rc);
            goto done;
        }
        char what[64] = "";
        if (lazy && nP > 1) snprintf(what, sizeof what, "P = %g, ", P);
        int s = slt_optimal_frontier(prov, &cost, &op, a.Cs.values, a.Cs.count, pts,
                                     a.seen_law ? NULL : progress, what); /* the law is instant */
        if (s == SLT_EINVAL && pts[0].status == SLT_OK) { /* refused before solving */
            rc = cli_usage_error(cmd, "%s", slt_last_error());
            goto done;
        }
        for (size_t i = 0; i < a.Cs.count; i++) {
            const slt_optimal_point *o = &pts[i];
            long row = slt_table_add_row(table);
            if (row < 0) {
                rc = cli_library_error(cmd, (int)-row);
                goto done;
            }
            const size_t r = (size_t)row;
            slt_table_set_real(table, r, cC, o->C, 0);
            if (cP >= 0) slt_table_set_real(table, r, cP, P, 0);
            slt_table_set_real(table, r, cN, o->N, o->N_err);
            slt_table_set_real(table, r, ct, o->x, o->x_err);
            slt_table_set_real(table, r, cL, o->L, o->L_err);
            slt_table_set_real(table, r, csN, o->slope_N, o->slope_N_err);
            slt_table_set_real(table, r, cst, o->slope_x, o->slope_x_err);
            slt_table_set_real(table, r, csL, o->slope_L, o->slope_L_err);
            slt_table_set_real(table, r, cpN, pred[0], 0);
            slt_table_set_real(table, r, cpt, pred[1], 0);
            slt_table_set_real(table, r, cpL, pred[2], 0);
            slt_table_set_text(table, r, creg, regime);
            slt_table_set_int(table, r, cev, (long long)o->evaluations);
            if (lazy && o->diverged && a.eta > 0)
                fprintf(stderr, "slt optimal: note: --eta %.15g: at --C %.15g the loss diverges "
                        "(the step is unstable) at %zu of the widths evaluated, N in [%.6g, "
                        "%.6g]: those widths are excluded\n", a.eta, o->C, o->diverged,
                        o->div_N_lo, o->div_N_hi);
            if (o->status == SLT_OK && o->branch_change && i + 1 < a.Cs.count &&
                pts[i + 1].status == SLT_OK && pts[i + 1].branch_change)
                fprintf(stderr, "slt optimal: note: between --C %.15g and %.15g the optimum "
                        "moves to the other side of the pole N = P (N = %.6g -> %.6g): a jump, "
                        "not a slope; the slopes are taken on each side separately\n", o->C,
                        pts[i + 1].C, o->N, pts[i + 1].N);
            if (o->status == SLT_OK && lazy && a.eta > 0) {
                slt_dmft_params q = dp;
                q.P = P;
                q.eta = a.eta;
                q.batch = a.sgd ? (size_t)a.batch : 0;
                slt_dmft_edge e;
                const int ne = near_edge_at(task, &q, o->N, &e);
                if (ne < 0) {
                    rc = cli_library_error(cmd, -ne);
                    goto done;
                }
                if (ne) {
                    slt_table_set_status(table, r, "ok (near edge)");
                    fprintf(stderr, "slt optimal: warning: --eta %.15g: at --C %.15g the "
                            "optimum N = %.6g is within three finite-size spreads of the "
                            "stability limit (margin %.3g, spread %.3g): some finite models "
                            "diverge; the row says 'ok (near edge)'\n", a.eta, o->C, o->N,
                            e.margin, e.spread);
                }
            }
            if (o->status == SLT_OK) continue;
            if (o->bound == SLT_OPTIMAL_DEGENERATE) {
                slt_table_set_status(table, r, slt_optimal_bound_to_string(o->bound));
                fprintf(stderr, "slt optimal: at --C %.15g the optimum is degenerate: N = %.8g "
                        "(L = %.10g) and N = %.8g (L = %.10g) are equally good within their "
                        "errors (%s); add --noise, or give --N-range on one side to select one\n", o->C, o->N_bound,
                        o->L_bound, o->N2, o->L2,
                        a.is_static ? "the ridgeless loss is symmetric in N <-> P without "
                        "--noise" : "two separate minima");
                usage = 1;
            } else if (o->bound != SLT_OPTIMAL_INSIDE) {
                slt_table_set_status(table, r, slt_optimal_bound_to_string(o->bound));
                fprintf(stderr, "slt optimal: --N-range %s: at --C %.15g the optimum lies at %s "
                        "N = %.15g; widen --N-range%s\n", a.range_text, o->C,
                        o->bound == SLT_OPTIMAL_AT_N_LO ? "the lower bound" : "the upper bound",
                        o->N_bound, o->bound == SLT_OPTIMAL_AT_X_MIN
                        ? " (here one step is all the budget allows: raise --C)" : "");
                usage = 1;
            } else {
                slt_table_set_status(table, r, slt_strerror(o->status));
                if (!worst) worst = o->status;
                if (o->status == SLT_EDIVERGE && lazy && a.eta > 0)
                    fprintf(stderr, "slt optimal: at --C %.15g the loss diverges at every width "
                            "of --N-range %s that the budget allows (--eta %.15g is unstable "
                            "there: lower --eta)\n", o->C, a.range_text, a.eta);
                else fprintf(stderr, "slt optimal: at --C %.15g: %s: %s (a loss evaluation failed; "
                        "if that width is far from the optimum, an --N-range narrower "
                        "than %s avoids it)\n", o->C, slt_strerror(o->status), o->message,
                        a.range_text);
            }
        }
    }
    rc = cli_write_table(cmd, table, a.format);
    if (!rc && worst) rc = slt_exit_class(worst);
    if (!rc && usage) rc = CLI_USAGE;
done:
    free(pts);
    slt_optimal_provider_free(prov);
    slt_table_free(table);
    slt_task_free(task);
    cli_list_free(&a.Cs);
    cli_list_free(&a.Ps);
    return rc;
}
