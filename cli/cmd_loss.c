/* slt loss — the N = P = ∞ gradient-flow loss L(t) = Σ_k t_k e^{−2λ_k t}: the reference
 * curve every finite-size solver converges to (conventions.md §4). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "cli.h"
#include "task_args.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_loss_info = {
    "loss",
    "infinite-width, infinite-data gradient-flow loss L(t) with error estimates",
    "slt loss (--alpha A --beta B | other letters | --task FILE) [--t LIST | --t-file FILE]\n"
    "                [--format F]",
    "L(t) = sum_k t_k exp(-2 lambda_k t): the test loss of gradient flow on L/2 with\n"
    "N = P = inf (docs/theory/conventions.md sec. 4), summed over every mode (power laws\n"
    "to k = inf, with an error bound). Time t is the canonical gradient-flow time.\n"
    "\n"
    CLI_TASK_HELP CLI_TASK_HELP_MODES CLI_TASK_HELP_FILE
    "With --alpha/--beta, --amp-lambda and --amp-target set A_lambda and A_t in\n"
    "lambda_k = A_lambda k^-alpha, t_k = A_t k^-(alpha beta + 1).\n"
    CLI_LIST_HELP
    "--t-file FILE reads the times from FILE instead, one value a line ('#' starts a\n"
    "comment, blank lines are skipped, '-' reads standard input; a bad line exits 2 naming\n"
    "it). t = 0 gives L(0), the target power.\n"
    "\n"
    "Columns: t, loss, loss_err (error bound), slope (local exponent d log L / d log t,\n"
    "-beta at large t for power laws), slope_err, and for power laws asymptote =\n"
    "A_t Gamma(beta)/alpha (2 A_lambda t)^-beta, the large-t limit; status.",
};

/* Σ_k t_k (λ_k t) e^{−2λ_k t} = −(t/2) dL/dt, for the local exponent (with t inside the
 * sum, so that it stays O(L) at large t instead of underflowing). */
static double weighted_decay(double lambda, double target, void *ctx)
{
    double time = *(const double *)ctx, x = lambda * time;
    return target * x * exp(-2.0 * x);
}

/* The weighted sum on a task with a moment tail, where the generic sum cannot run (the
 * tail is known by its moments only): the listed levels summed generically (on `levels`,
 * the same levels without the tail) plus the tail's part bracketed from its moments. On
 * the tail λ <= λ_sup, so λt e^{-2λt} >= λt e^{-2 λ_sup t}, and <= λt and <= 1/(2e):
 * Σ_tail P λt e^{-2λt} lies in [t T_1 e^{-2 λ_sup t}, min(t T_1, T_0/(2e))], with T_j
 * = Σ_tail P λ^j (T_1 bounded by λ_sup T_0 when only T_0 is known). value = midpoint,
 * err = half-width (the λ = 0 modes contribute 0). */
static int weighted_tailed(const slt_task *levels, const slt_task_tail *tl, double time,
                           slt_sum *out)
{
    int rc = slt_task_sum(levels, weighted_decay, &time, NULL, out);
    if (rc) return rc;
    double T0 = tl->tgt_mom[0] + tl->tgt_mom_err[0];
    double T1_hi = tl->n_mom >= 2 ? tl->tgt_mom[1] + tl->tgt_mom_err[1] : tl->lambda_sup * T0;
    double T1_lo = tl->n_mom >= 2 ? fmax(tl->tgt_mom[1] - tl->tgt_mom_err[1], 0.0) : 0.0;
    T1_hi = fmin(T1_hi, tl->lambda_sup * T0);
    double hi = fmin(time * T1_hi, T0 / (2.0 * M_E)),
           lo = fmin(time * T1_lo * exp(-2.0 * tl->lambda_sup * time), hi);
    out->value += 0.5 * (lo + hi);
    out->err += 0.5 * (hi - lo) + 4.0 * DBL_EPSILON * hi;
    return SLT_OK;
}

/* The listed levels of a task with a tail, without it (*levels NULL for a task without
 * one, which is summed as it is). */
static int levels_without_tail(const slt_task *task, slt_task **levels, slt_task_tail *tl)
{
    *levels = NULL;
    /* only an explicit task with infinitely many modes may have a tail */
    if (slt_task_get_kind(task) != SLT_TASK_EXPLICIT ||
        slt_task_modes(task) != SLT_MODES_INFINITE || slt_task_get_tail(task, tl) != SLT_OK)
        return SLT_OK;
    size_t n = slt_task_levels(task);
    double *v = malloc(3 * n * sizeof *v);
    if (!v) return slt_error(SLT_ENOMEM, "loss: out of memory");
    for (size_t i = 0; i < n; i++) {
        slt_level L;
        int rc = slt_task_level(task, i + 1, &L);
        if (rc) {
            free(v);
            return rc;
        }
        v[i] = L.lambda;
        v[n + i] = L.mult;
        v[2 * n + i] = L.power;
    }
    int rc = slt_task_alloc_levels(n, v, v + n, v + 2 * n, slt_task_noise(task), levels);
    free(v);
    return rc;
}

int cmd_loss(int argc, char **argv)
{
    cli_times ct = {0};
    slt_format format = SLT_FORMAT_TABLE;
    cli_task_args ta;
    cli_task_args_init(&ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES | CLI_TASK_MODES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 3];
    size_t n_opts = cli_task_options(&ta, opts);
    n_opts += cli_times_options(&ct, (cli_option){.help = "times (default 1:1e6:19)", .lo = 0,
                                                  .hi = INFINITY, .hi_open = 1},
                                0, opts + n_opts);
    opts[n_opts++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &format,
                                  .metavar = "F", .help = "output format (default table)"};
    int rc = cli_parse(&cmd_loss_info, opts, n_opts, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc == CLI_OK) rc = cli_task_resolve("loss", &ta);
    if (rc == CLI_OK) rc = cli_times_resolve("loss", &ct, 0.0);
    if (rc == CLI_OK) rc = cli_stdin_once("loss", "task", ta.file);
    if (rc != CLI_OK) {
        cli_list_free(&ct.t);
        return rc;
    }
    if (ct.t.count == 0) {
        const size_t n = 19; /* 1 … 1e6, three per decade */
        ct.t.values = malloc(n * sizeof(double));
        if (!ct.t.values) return cli_usage_error("loss", "out of memory");
        for (size_t i = 0; i < n; i++) ct.t.values[i] = pow(10.0, (double)i / 3.0);
        ct.t.count = n;
    }

    slt_task *task = NULL, *unit = NULL, *levels = NULL;
    slt_table *table = NULL;
    if ((rc = cli_task_make("loss", &ta, 0.0, &task))) {
        cli_list_free(&ct.t);
        return rc;
    }
    int is_law = slt_task_get_kind(task) == SLT_TASK_POWER_LAW;

    int c_t, c_loss, c_slope, c_asym = -1;
    if ((rc = slt_table_alloc("loss", &table)) ||
        (c_t = slt_table_add_column(table, "t", SLT_COL_REAL, 0)) < 0 ||
        (c_loss = slt_table_add_column(table, "loss", SLT_COL_REAL, 1)) < 0 ||
        (c_slope = slt_table_add_column(table, "slope", SLT_COL_REAL, 1)) < 0 ||
        (is_law && (c_asym = slt_table_add_column(table, "asymptote", SLT_COL_REAL, 0)) < 0) ||
        slt_table_add_status(table) < 0) {
        rc = rc ? rc : SLT_ENOMEM;
        goto done;
    }
    if ((rc = cli_task_params(&ta, task, table))) goto done;
    const double alpha = ta.alpha, beta = ta.beta, amp_lambda = ta.amp_lambda,
                 amp_target = ta.amp_target;

    /* Power laws are summed on the unit task (A_lambda = A_t = 1) at time A_lambda t and
       scaled back, L(t) = A_t L1(A_lambda t): amplitudes near the ends of double's range
       neither underflow the modes nor lose the slope (the local exponent is invariant). */
    double a_l = 1.0, a_t = 1.0;
    if (is_law && (amp_lambda != 1.0 || amp_target != 1.0)) {
        slt_power_law_params lp;
        if ((rc = slt_task_power_law(task, &lp))) goto done;
        lp.amp_lambda = lp.amp_target = 1.0;
        if ((rc = slt_task_alloc_power_law(&lp, &unit))) goto done;
        a_l = amp_lambda;
        a_t = amp_target;
    }
    const slt_task *st = unit ? unit : task;
    /* a task with a moment tail: the weighted sum on its levels plus the tail's bracket */
    slt_task_tail tail;
    if ((rc = levels_without_tail(st, &levels, &tail))) goto done;
    slt_sum mass;
    if (slt_sum_decay(st, 0.0, &mass)) mass.value = NAN; /* only to tell a true 0 loss */

    int worst = SLT_OK;
    for (size_t i = 0; i < ct.t.count; i++) {
        const double time = ct.t.values[i], tt = time * a_l;
        long row = slt_table_add_row(table);
        if (row < 0) { rc = SLT_ENOMEM; goto done; }
        slt_table_set_real(table, (size_t)row, c_t, time, 0);
        slt_sum loss = {0}, weighted = {0};
        int s = SLT_OK;
        if (!isfinite(tt))
            s = slt_error(SLT_EDOM, "--t %.17g times --amp-lambda %.17g is beyond double's range",
                          time, a_l);
        if (!s) s = slt_sum_decay(st, tt, &loss);
        /* a task with a moment tail: the tail's eigenvalues are known to lie in
           (0, lambda_sup] only, so its part of the loss is resolved while lambda_sup*t is
           small; a bound above 1 % of the loss is a failure, as in slt dmft */
        if (!s && levels && !(loss.err <= 1e-2 * loss.value))
            s = slt_error(SLT_ELOSS, "the loss at t = %.17g came out as %.3g +- %.3g, a bound above "
                          "1%% of the loss, on a task with a moment tail (lambda_sup = %.6g, "
                          "lambda_sup*t = %.3g: the tail beyond the listed levels is resolved "
                          "while lambda_sup*t is small); list more levels", time, loss.value,
                          loss.err, tail.lambda_sup, tail.lambda_sup * tt);
        /* the weighted sum at a time ts >= 1e-200/lambda_1, where e^(-2 lambda ts) is already 1
           to double precision, scaled by tt/ts: a subnormal tt keeps the slope's digits */
        double ts = fmax(tt, 1e-200 / slt_task_lambda(st, 1));
        if (!s)
            s = levels ? weighted_tailed(levels, &tail, ts, &weighted)
                       : slt_task_sum(st, weighted_decay, &ts, NULL, &weighted);
        if (!s && ts != tt) {
            weighted.value *= tt / ts;
            weighted.err *= tt / ts;
        }
        double slope = 0.0, slope_err = 0.0;
        if (!s && tt > 0.0) {
            slope = -2.0 * weighted.value / loss.value;
            slope_err = fabs(slope) * (loss.err / loss.value + weighted.err / fabs(weighted.value));
        }
        /* a subnormal slope, or one that underflowed to 0 at t > 0, is known to 2^-1074 */
        if (!s && time > 0.0 && fabs(slope) < DBL_MIN) slope_err += DBL_TRUE_MIN;
        double value = loss.value * a_t, err = loss.err * a_t;
        if (value != 0.0 && fabs(value) < DBL_MIN) err += DBL_TRUE_MIN; /* subnormal rounding */
        double asym = INFINITY;
        if (is_law && tt > 0.0) /* A_t Gamma(beta)/alpha (2 A_lambda t)^-beta, in logs */
            asym = exp(log(a_t) + gsl_sf_lngamma(beta) - log(alpha) - beta * log(2.0 * tt));
        /* zero is the true loss only for a task without target power; a sum that underflowed
           (or a slope from one) is not a value */
        if (!s && !(isfinite(value) && (value > 0.0 || mass.value == 0.0) && isfinite(slope) &&
                    isfinite(slope_err)))
            s = slt_error(SLT_ELOSS, "the loss %.3g at t = %.17g (or its slope %.3g ± %.3g) is "
                          "beyond double's range%s", value, time, slope, slope_err,
                          is_law ? " for these --alpha, --beta, --amp-lambda, --amp-target" : "");
        /* the asymptote's own range is a separate failure: at large --beta, Gamma(beta)
           (2 A_lambda t)^-beta overflows at t = 1 although the loss is e^-2 (issue 10) */
        if (!s && is_law && tt > 0.0 && !(asym > 0.0 && isfinite(asym)))
            s = slt_error(SLT_ELOSS, "the loss is %.17g at t = %.17g, but its large-t asymptote "
                          "A_t Gamma(beta)/alpha (2 A_lambda t)^-beta = 10^%.6g is beyond double's "
                          "range (--beta %g)", value, time,
                          (log(a_t) + gsl_sf_lngamma(beta) - log(alpha) - beta * log(2.0 * tt)) /
                              log(10.0), beta);
        if (s) {
            /* a failed point is reported in its row, and the exit code says so */
            slt_table_set_status(table, (size_t)row, slt_strerror(s));
            fprintf(stderr, "slt loss: t = %.17g: %s\n", time, slt_last_error());
            if (!worst) worst = s;
            continue;
        }
        slt_table_set_real(table, (size_t)row, c_loss, value, err);
        slt_table_set_real(table, (size_t)row, c_slope, slope, slope_err);
        if (is_law) slt_table_set_real(table, (size_t)row, c_asym, asym, 0);
    }
    rc = cli_write_table("loss", table, format);
    if (!rc && worst) rc = slt_exit_class(worst);
    slt_task_free(levels);
    slt_table_free(table);
    slt_task_free(task);
    slt_task_free(unit);
    cli_list_free(&ct.t);
    return rc;
done:
    slt_table_free(table);
    slt_task_free(task);
    slt_task_free(unit);
    slt_task_free(levels);
    cli_list_free(&ct.t);
    return cli_library_error("loss", rc);
}
