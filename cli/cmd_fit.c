/* slt fit — scaling-law fits to a table of training runs, with bootstrap intervals
 * (include/slt/fit.h, docs/theory/fit.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "slt/fit.h"
#include "slt/status.h"
#include "slt/table.h"

const cli_command_info cmd_fit_info = {
    "fit",
    "fit a scaling law (power, chinchilla) to a table of runs, with bootstrap intervals",
    "slt fit FILE|- --law power|chinchilla --x COLS --y COL [--weight COL] [--group COL]\n"
    "               [--objective O] [--starts S] [--bootstrap B] [--seed S] [--C LIST]\n"
    "               [--residuals] [--skip-bad] [--format F]",
    "Input: FILE (or '-', standard input) is a CSV table with one header line, or TSV when\n"
    "the header holds a tab; blank lines and lines starting with '#' are skipped; a field\n"
    "may be wrapped in double quotes (without separators inside). Columns are chosen by\n"
    "name: --x gives the law's variables (power: one, x; chinchilla: two, N then D, e.g.\n"
    "--x params,tokens), --y the loss. A row whose chosen cells are empty, not numbers,\n"
    "not finite or <= 0 (x, y, weight), or that has the wrong number of fields, exits 2\n"
    "naming its line and column; with --skip-bad it is skipped and counted (params\n"
    "'skipped'; the first is named on stderr). A constant x column, or two x columns\n"
    "collinear in log (|corr(log N, log D)| > 1 - 1e-10, e.g. D = 20 N), exits 2 naming them.\n"
    "\n"
    "Laws (docs/theory/fit.md §2), fitted in log-sum-exp form (Hoffmann et al.'s approach\n"
    "3: E = e^e, A = e^a, B = e^b):\n"
    "  power        L = E + A x^-a                  parameters E, A, a\n"
    "  chinchilla   L = E + A/N^alpha + B/D^beta    parameters E, A, B, alpha, beta; derived\n"
    "               a = beta/(alpha+beta), b = alpha/(alpha+beta) and, for each --C budget\n"
    "               under C = 6ND, N_opt(C) = G (C/6)^a, D_opt(C) = (C/6)^b / G with\n"
    "               G = (alpha A/(beta B))^(1/(alpha+beta)).\n"
    "Not yet: bnsl (broken power laws), the theory's forms, scale-time, `slt compare`.\n"
    "\n"
    "Objectives (--objective): huber (default) sum of w rho(log y - log L), rho Huber with\n"
    "threshold --huber-delta (1e-3: Hoffmann et al.); ls sum of w (y - L)^2/2; ls-log sum of\n"
    "w (log y - log L)^2/2. w is the --weight column (default 1): precision weights\n"
    "(e.g. 1/variance), not frequency weights (a row of weight 3 is one run, not three).\n"
    "\n"
    "Optimiser: every start (--starts 0: the law's grid — chinchilla: Besiroglu et al.'s\n"
    "4,500 points e in -1:1 by 0.5, a, b in 0:25 by 5, alpha, beta in 0:2 by 0.5; power:\n"
    "150 points; --starts S: S random points in that box under --seed) is refined with\n"
    "GSL's BFGS2 on analytic gradients, finished by damped Gauss-Newton steps, until\n"
    "|grad| <= gtol * sum(w). The lowest objective is the estimate.\n"
    "\n"
    "Uncertainty: --bootstrap B resamples rows (or, with --group COL, whole groups, e.g.\n"
    "seeds) B times, refits each from the estimate, and gives the standard deviation (se)\n"
    "and percentile interval at --level; a refit that misses the gradient test, or whose\n"
    "resample has fewer distinct x points than parameters + 1, is left out (counted in\n"
    "bootstrap_converged); the results are bit-identical at any thread\n"
    "count. Without --bootstrap, se comes from the Gauss-Newton covariance s^2 (J'WJ)^-1 at\n"
    "the estimate (s^2 = sum w r^2/(n - p), residuals on the objective's scale) through the\n"
    "delta method, and the interval is estimate +- z se (a local, symmetric approximation).\n"
    "\n"
    "Output: one row per parameter and derived quantity: parameter, estimate, se, ci_lo,\n"
    "ci_hi, at_bound (1: an exponent <= 0 or > 10, or a term below 1e-6 of the prediction\n"
    "on every row: its amplitude is at 0 and its exponent undetermined), alt_estimate (the\n"
    "other optimum, see below), status. json params: objective_value, fit_status, starts,\n"
    "starts_converged, rows, skipped, ci_method, bootstrap_converged and the options.\n"
    "Status: a row says 'ok' only when its value was computed and has an error estimate.\n"
    "Otherwise its values are nan, stderr says why, and the exit status is 1: 'at bound'\n"
    "(the parameter, or a parameter a derived row depends on, is at the edge of its\n"
    "range); 'no error estimate' (singular covariance); 'multiple optima' (another start\n"
    "reached a distinct optimum, parameters not at a bound differing by more than 1e-3,\n"
    "whose objective is within 1e-6 relative: stderr names both parameter vectors,\n"
    "alt_estimate holds the second, every estimate is nan); 'law does not fit' (an\n"
    "exponent driven to <= 0 while its term is not negligible: the loss rises with that\n"
    "column, 'law X does not describe the data: its x-term grows'); 'max iterations' or\n"
    "'no progress' (no start met the gradient test). Tolerances are scale-free: y is\n"
    "divided by its geometric mean for the fit.\n"
    "--residuals prints instead one row per run: line, the x columns, y, prediction,\n"
    "residual (log y - log prediction).",
};

static const char cmd[] = "fit";

static int split_names(const char *text, char *buf, size_t size, const char **names, size_t max,
                       size_t *n)
{
    if (strlen(text) + 1 > size) return cli_usage_error(cmd, "--x: '%s' is too long", text);
    strcpy(buf, text);
    *n = 0;
    char *p = buf;
    for (;;) {
        char *c = strchr(p, ',');
        if (c) *c = '\0';
        if (!*p) return cli_usage_error(cmd, "--x: '%s' has an empty column name", text);
        if (*n == max)
            return cli_usage_error(cmd, "--x: '%s' names more than %zu columns", text, max);
        names[(*n)++] = p;
        if (!c) break;
        p = c + 1;
    }
    return CLI_OK;
}

static void progress(void *ctx, const char *stage)
{
    const slt_fit_params *p = ctx;
    if (strcmp(stage, "bootstrap") == 0)
        cli_progress(cmd, "bootstrap: %zu refits", p->bootstrap);
    else
        cli_progress(cmd, "%s: %zu starts", stage,
                     p->starts ? p->starts : slt_fit_law_grid_size(p->law));
}

int cmd_fit(int argc, char **argv)
{
    slt_fit_params d;
    slt_fit_params_default(&d);
    const char *law = "power", *objective = "huber", *x_text = NULL, *y_col = NULL;
    const char *w_col = NULL, *g_col = NULL;
    long long starts = (long long)d.starts, bootstrap = 0, seed = (long long)d.seed;
    long long max_iter = (long long)d.max_iter;
    double delta = d.huber_delta, level = d.level, gtol = d.gtol;
    int residuals = 0, skip_bad = 0;
    cli_list C = {0};
    slt_format format = SLT_FORMAT_TABLE;
    char law_help[96], obj_help[96];
    snprintf(law_help, sizeof law_help, "the law: %s (default power)", slt_fit_law_choices());
    snprintf(obj_help, sizeof obj_help, "objective: %s (default huber)",
             slt_fit_objective_choices());
    cli_option opts[] = {
        {.name = "law", .kind = CLI_CHOICE, .target = &law, .metavar = "LAW", .help = law_help,
         .choices = "power|chinchilla"},
        {.name = "x", .kind = CLI_TEXT, .target = &x_text, .metavar = "COLS",
         .help = "the law's variable columns, comma-separated (chinchilla: N,D)"},
        {.name = "y", .kind = CLI_TEXT, .target = &y_col, .metavar = "COL",
         .help = "the loss column"},
        {.name = "weight", .kind = CLI_TEXT, .target = &w_col, .metavar = "COL",
         .help = "a column of precision weights > 0, not frequency weights (default: all 1)"},
        {.name = "group", .kind = CLI_TEXT, .target = &g_col, .metavar = "COL",
         .help = "bootstrap whole groups of rows with the same text in COL (e.g. a seed)"},
        {.name = "objective", .kind = CLI_CHOICE, .target = &objective, .metavar = "O",
         .help = obj_help, .choices = "huber|ls|ls-log"},
        cli_with_range((cli_option){.name = "huber-delta", .kind = CLI_REAL, .target = &delta,
                                    .metavar = "DELTA", .help = "Huber threshold on log loss "
                                    "(default %D)", CLI_DEFAULT(d.huber_delta)},
                       slt_fit_param_range("huber_delta")),
        cli_with_range((cli_option){.name = "starts", .kind = CLI_INT, .target = &starts,
                                    .metavar = "S", .help = "random starts; 0: the law's grid "
                                    "(default %D)", CLI_DEFAULT(d.starts)},
                       slt_fit_param_range("starts")),
        cli_with_range((cli_option){.name = "bootstrap", .kind = CLI_INT, .target = &bootstrap,
                                    .metavar = "B", .help = "bootstrap refits; 0: Gauss-Newton "
                                    "covariance (default %D)", CLI_DEFAULT(0)},
                       slt_fit_param_range("bootstrap")),
        {.name = "seed", .kind = CLI_INT, .target = &seed, .metavar = "S", .lo = 0,
         .hi = 9007199254740991.0, .help = "seed of random starts and resampling (default %D)",
         CLI_DEFAULT(d.seed)},
        cli_with_range((cli_option){.name = "level", .kind = CLI_REAL, .target = &level,
                                    .metavar = "P", .help = "confidence level of the "
                                    "intervals (default %D)", CLI_DEFAULT(d.level)},
                       slt_fit_param_range("level")),
        cli_with_range((cli_option){.name = "max-iter", .kind = CLI_INT, .target = &max_iter,
                                    .metavar = "K", .help = "iterations per start (default %D)",
                                    CLI_DEFAULT(d.max_iter)},
                       slt_fit_param_range("max_iter")),
        cli_with_range((cli_option){.name = "gtol", .kind = CLI_REAL, .target = &gtol,
                                    .metavar = "G", .help = "convergence: |grad| <= G sum(w) "
                                    "(default %D)", CLI_DEFAULT(d.gtol)},
                       slt_fit_param_range("gtol")),
        cli_with_range((cli_option){.name = "C", .kind = CLI_LIST, .target = &C,
                                    .metavar = "LIST", .help = "compute budgets (FLOP, C = 6ND) "
                                    "for N_opt, D_opt (chinchilla)"},
                       slt_fit_param_range("C")),
        {.name = "residuals", .kind = CLI_FLAG, .target = &residuals,
         .help = "print one row per run (prediction, residual) instead"},
        {.name = "skip-bad", .kind = CLI_FLAG, .target = &skip_bad,
         .help = "skip bad rows (counted) instead of exiting 2"},
        {.name = "format", .kind = CLI_FORMAT, .target = &format, .metavar = "F",
         .help = "output format (default table)"},
    };
    const size_t n_opts = sizeof opts / sizeof opts[0];

    /* FILE is the one positional argument: taken out before the options are parsed */
    const char *path = NULL;
    char **args = malloc((size_t)(argc + 1) * sizeof *args);
    if (!args) return cli_usage_error(cmd, "out of memory");
    int n_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i > 0 && !path && (strcmp(a, "-") == 0 || a[0] != '-')) {
            path = a;
            continue;
        }
        args[n_args++] = argv[i];
        if (i > 0 && strncmp(a, "--", 2) == 0 && !strchr(a, '=')) {
            for (size_t k = 0; k < n_opts; k++)
                if (strcmp(a + 2, opts[k].name) == 0 && opts[k].kind != CLI_FLAG && i + 1 < argc) {
                    args[n_args++] = argv[++i];
                    break;
                }
        }
    }
    args[n_args] = NULL;
    int rc = cli_parse(&cmd_fit_info, opts, n_opts, n_args, args);
    free(args);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) return rc;
    slt_fit_params p = d;
    if (slt_fit_law_from_string(law, &p.law) ||
        slt_fit_objective_from_string(objective, &p.objective)) {
        cli_list_free(&C);
        return cli_library_error(cmd, SLT_EINVAL);
    }
    if (!path) {
        cli_list_free(&C);
        return cli_usage_error(cmd, "no input: give FILE or '-' for standard input "
                               "(see 'slt fit --help')");
    }
    if (!x_text || !y_col) {
        cli_list_free(&C);
        return cli_usage_error(cmd, "--%s is required (see 'slt fit --help')",
                               !x_text ? "x" : "y");
    }
    char xbuf[1024];
    const char *x_cols[SLT_FIT_MAX_X];
    size_t n_x = 0;
    if ((rc = split_names(x_text, xbuf, sizeof xbuf, x_cols, SLT_FIT_MAX_X, &n_x))) {
        cli_list_free(&C);
        return rc;
    }
    if (n_x != slt_fit_law_n_x(p.law)) {
        cli_list_free(&C);
        return cli_usage_error(cmd, "--x %s: law %s takes %zu column%s (%s), %zu given", x_text,
                               law, slt_fit_law_n_x(p.law), slt_fit_law_n_x(p.law) == 1 ? "" : "s",
                               p.law == SLT_FIT_LAW_CHINCHILLA ? "N then D" : "x", n_x);
    }
    if (C.count && p.law != SLT_FIT_LAW_CHINCHILLA) {
        cli_list_free(&C);
        return cli_usage_error(cmd, "--C: compute budgets need --law chinchilla (C = 6ND), "
                               "not --law %s", law);
    }
    if (C.count > SLT_FIT_MAX_C) {
        cli_list_free(&C);
        return cli_usage_error(cmd, "--C: %zu budgets (expected at most %d)", C.count,
                               SLT_FIT_MAX_C);
    }
    p.huber_delta = delta;
    p.starts = (size_t)starts;
    p.bootstrap = (size_t)bootstrap;
    p.seed = (uint64_t)seed;
    p.level = level;
    p.max_iter = (size_t)max_iter;
    p.gtol = gtol;
    p.C = C.values;
    p.n_C = C.count;

    FILE *in = cli_open_input(path);
    if (!in) {
        int e = errno;
        cli_list_free(&C);
        fprintf(stderr, "slt %s: %s: %s\n", cmd, path, strerror(e));
        return CLI_USAGE;
    }
    slt_fit_data data;
    rc = slt_fit_data_read(in, strcmp(path, "-") == 0 ? "(stdin)" : path, x_cols, n_x, y_col,
                           w_col, g_col, skip_bad, &data);
    cli_close_input(in);
    if (rc) {
        cli_list_free(&C);
        fprintf(stderr, "slt %s: %s\n", cmd, slt_last_error());
        return slt_exit_class(rc);
    }
    if (data.n_skipped)
        fprintf(stderr, "slt %s: skipped %zu bad row%s (--skip-bad); first: %s\n", cmd,
                data.n_skipped, data.n_skipped == 1 ? "" : "s", data.skipped_first);

    slt_fit_result res;
    int fit_rc = slt_fit_run(&data, &p, &res, progress, &p);
    if (fit_rc != SLT_OK && fit_rc != SLT_ENOCONV) {
        cli_list_free(&C);
        slt_fit_data_free(&data);
        fprintf(stderr, "slt %s: %s\n", cmd, slt_last_error());
        return slt_exit_class(fit_rc);
    }
    int rows_ok = fit_rc == SLT_OK;
    if (fit_rc == SLT_ENOCONV) fprintf(stderr, "slt %s: %s\n", cmd, slt_last_error());
    for (size_t k = 0; fit_rc == SLT_OK && k < res.n_quantities; k++) {
        const slt_fit_quantity *q = &res.q[k];
        if (q->state == SLT_FIT_CONVERGED) continue;
        rows_ok = 0;
        if (q->state == SLT_FIT_AT_BOUND)
            fprintf(stderr, "slt %s: %s: nan, at bound (%s): the data (--x %s, --y %s) do "
                    "not determine it\n", cmd, q->name, q->derived ? "it depends on a parameter "
                    "at the edge of its range" : "an exponent <= 0 or > 10, or a term below 1e-6 "
                    "of the prediction on every row", x_text, y_col);
        else
            fprintf(stderr, "slt %s: %s: nan, %s (the covariance at the estimate is singular%s)\n",
                    cmd, q->name, slt_fit_state_to_string(q->state),
                    bootstrap ? " and the bootstrap gave no interval" : "; try --bootstrap");
    }

    if (fit_rc == SLT_OK && res.bootstrap_run && res.bootstrap_converged < res.bootstrap_run)
        fprintf(stderr, "slt %s: note: %zu of %zu bootstrap refits did not meet the gradient "
                "test or drew fewer distinct x points than parameters + 1, and are left out of se "
                "and the intervals%s\n", cmd,
                res.bootstrap_run - res.bootstrap_converged, res.bootstrap_run,
                res.ci_method == 1 ? "" : " (fewer than 2 left: Gauss-Newton se instead)");

    slt_table *t = NULL;
    rc = slt_table_alloc(cmd, &t);
    if (!rc) rc = slt_table_param_text(t, "file", path);
    if (!rc) rc = slt_table_param_text(t, "law", law);
    if (!rc) rc = slt_table_param_text(t, "objective", objective);
    if (!rc) rc = slt_table_param_real(t, "huber_delta", p.huber_delta);
    if (!rc) rc = slt_table_param_int(t, "rows", (long long)data.n_rows);
    if (!rc) rc = slt_table_param_int(t, "skipped", (long long)data.n_skipped);
    if (!rc) rc = slt_table_param_int(t, "starts", (long long)res.starts_run);
    if (!rc) rc = slt_table_param_int(t, "starts_converged", (long long)res.starts_converged);
    if (!rc) rc = slt_table_param_int(t, "seed", seed);
    if (!rc) rc = slt_table_param_int(t, "bootstrap", bootstrap);
    if (!rc) rc = slt_table_param_int(t, "bootstrap_converged", (long long)res.bootstrap_converged);
    if (!rc) rc = slt_table_param_real(t, "level", p.level);
    if (!rc)
        rc = slt_table_param_text(t, "ci_method", res.ci_method == 1 ? "bootstrap percentile"
                                  : res.ci_method == 2 ? "gauss-newton normal" : "none");
    if (!rc) rc = slt_table_param_real(t, "objective_value", res.objective);
    if (!rc) rc = slt_table_param_text(t, "fit_status", slt_fit_state_to_string(res.state));
    if (!rc && g_col) rc = slt_table_param_int(t, "groups", (long long)data.n_groups);
    const int ok_fit = fit_rc == SLT_OK;
    if (!rc && residuals) {
        int c_line = slt_table_add_column(t, "line", SLT_COL_INT, 0), c_x[SLT_FIT_MAX_X];
        for (size_t j = 0; j < n_x; j++) c_x[j] = slt_table_add_column(t, x_cols[j], SLT_COL_REAL, 0);
        int c_y = slt_table_add_column(t, y_col, SLT_COL_REAL, 0);
        int c_pred = slt_table_add_column(t, "prediction", SLT_COL_REAL, 0);
        int c_res = slt_table_add_column(t, "residual", SLT_COL_REAL, 0);
        int c_st = slt_table_add_status(t);
        if (c_line < 0 || c_y < 0 || c_pred < 0 || c_res < 0 || c_st < 0) rc = SLT_ENOMEM;
        for (size_t i = 0; i < data.n_rows && !rc; i++) {
            long row = slt_table_add_row(t);
            if (row < 0) {
                rc = (int)-row;
                break;
            }
            const double *x = data.x + i * n_x;
            double pred = ok_fit ? slt_fit_predict(p.law, res.theta, x) : NAN;
            rc = slt_table_set_int(t, (size_t)row, c_line, data.line[i]);
            for (size_t j = 0; j < n_x && !rc; j++)
                rc = slt_table_set_real(t, (size_t)row, c_x[j], x[j], NAN);
            if (!rc) rc = slt_table_set_real(t, (size_t)row, c_y, data.y[i], NAN);
            if (!rc) rc = slt_table_set_real(t, (size_t)row, c_pred, pred, NAN);
            if (!rc) rc = slt_table_set_real(t, (size_t)row, c_res, log(data.y[i]) - log(pred), NAN);
            if (!rc)
                rc = slt_table_set_status(t, (size_t)row, slt_fit_state_to_string(res.state));
        }
    } else if (!rc) {
        int c_p = slt_table_add_column(t, "parameter", SLT_COL_TEXT, 0);
        int c_e = slt_table_add_column(t, "estimate", SLT_COL_REAL, 0);
        int c_se = slt_table_add_column(t, "se", SLT_COL_REAL, 0);
        int c_lo = slt_table_add_column(t, "ci_lo", SLT_COL_REAL, 0);
        int c_hi = slt_table_add_column(t, "ci_hi", SLT_COL_REAL, 0);
        int c_b = slt_table_add_column(t, "at_bound", SLT_COL_INT, 0);
        int c_alt = slt_table_add_column(t, "alt_estimate", SLT_COL_REAL, 0);
        int c_st = slt_table_add_status(t);
        if (c_p < 0 || c_e < 0 || c_se < 0 || c_lo < 0 || c_hi < 0 || c_b < 0 || c_alt < 0 ||
            c_st < 0)
            rc = SLT_ENOMEM;
        for (size_t k = 0; k < res.n_quantities && !rc; k++) {
            const slt_fit_quantity *q = &res.q[k];
            long row = slt_table_add_row(t);
            if (row < 0) {
                rc = (int)-row;
                break;
            }
            const size_t r = (size_t)row;
            const char *st = slt_fit_state_to_string(ok_fit ? q->state : res.state);
            rc = slt_table_set_text(t, r, c_p, q->name);
            if (!rc) rc = slt_table_set_real(t, r, c_e, ok_fit ? q->estimate : NAN, NAN);
            if (!rc) rc = slt_table_set_real(t, r, c_se, ok_fit ? q->se : NAN, NAN);
            if (!rc) rc = slt_table_set_real(t, r, c_lo, ok_fit ? q->ci_lo : NAN, NAN);
            if (!rc) rc = slt_table_set_real(t, r, c_hi, ok_fit ? q->ci_hi : NAN, NAN);
            if (!rc) rc = slt_table_set_int(t, r, c_b, q->at_bound);
            if (!rc) rc = slt_table_set_real(t, r, c_alt, q->alt, NAN);
            if (!rc) rc = slt_table_set_status(t, r, st);
        }
    }
    if (rc) {
        slt_table_free(t);
        slt_fit_result_free(&res);
        slt_fit_data_free(&data);
        cli_list_free(&C);
        return cli_library_error(cmd, rc);
    }
    rc = cli_write_table(cmd, t, format);
    slt_table_free(t);
    slt_fit_result_free(&res);
    slt_fit_data_free(&data);
    cli_list_free(&C);
    if (rc) return rc;
    return rows_ok ? 0 : ok_fit ? 1 : slt_exit_class(fit_rc);
}
