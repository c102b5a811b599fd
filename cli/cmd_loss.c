/* slt loss — the N = P = ∞ gradient-flow loss L(t) = Σ_k t_k e^{−2λ_k t}: the reference
 * curve every finite-size solver converges to (conventions.md §4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "cli.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_loss_info = {
    "loss",
    "infinite-width, infinite-data gradient-flow loss L(t) with error estimates",
    "slt loss (--alpha A --beta B | --task FILE) [--t LIST] [--format F]",
    "L(t) = sum_k t_k exp(-2 lambda_k t): the test loss of gradient flow on L/2 with\n"
    "N = P = inf (conventions.md sec. 4), summed over every mode (power laws to k = inf,\n"
    "with an error bound). Time t is the canonical gradient-flow time.\n"
    "\n"
    "The task: --alpha/--beta (with optional --amp-lambda, --amp-target) for\n"
    "lambda_k = A_lambda k^-alpha, t_k = A_t k^-(alpha beta + 1); or --task FILE, a text\n"
    "file of two columns 'lambda_k t_k' (as written by slt spectrum --save).\n"
    "LIST is v1,v2,... or start:stop:count (count log-spaced values, both ends included).\n"
    "\n"
    "Columns: t, loss, loss_err (error bound), slope (local exponent d log L / d log t,\n"
    "-beta at large t for power laws), slope_err, and for power laws asymptote =\n"
    "A_t Gamma(beta)/alpha (2 A_lambda t)^-beta, the large-t limit; status.",
};

/* Σ_k t_k λ_k e^{−2λ_k t}: −(1/2) dL/dt, for the local exponent. */
static double weighted_decay(double lambda, double target, void *ctx)
{
    double time = *(const double *)ctx;
    return target * lambda * exp(-2.0 * lambda * time);
}

int cmd_loss(int argc, char **argv)
{
    double alpha = NAN, beta = NAN, amp_lambda = 1.0, amp_target = 1.0;
    const char *task_file = NULL;
    cli_list times = {0};
    slt_format format = SLT_FORMAT_TABLE;
    int have_alpha = 0, have_beta = 0, have_amp = 0;
    const cli_option opts[] = {
        {.name = "alpha", .kind = CLI_REAL, .target = &alpha, .metavar = "A",
         .help = "capacity exponent alpha", .lo = 1, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
         .seen = &have_alpha},
        {.name = "beta", .kind = CLI_REAL, .target = &beta, .metavar = "B",
         .help = "source exponent beta", .lo = 0, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
         .seen = &have_beta},
        {.name = "amp-lambda", .kind = CLI_REAL, .target = &amp_lambda, .metavar = "A_lambda",
         .help = "eigenvalue amplitude (default 1)", .lo = 0, .hi = INFINITY, .lo_open = 1,
         .hi_open = 1, .seen = &have_amp},
        {.name = "amp-target", .kind = CLI_REAL, .target = &amp_target, .metavar = "A_t",
         .help = "target amplitude (default 1)", .lo = 0, .hi = INFINITY, .lo_open = 1,
         .hi_open = 1, .seen = &have_amp},
        {.name = "task", .kind = CLI_TEXT, .target = &task_file, .metavar = "FILE",
         .help = "explicit task file 'lambda_k t_k' instead of a power law"},
        {.name = "t", .kind = CLI_LIST, .target = &times, .metavar = "LIST",
         .help = "times (default 1:1e6:19)", .lo = 0, .hi = INFINITY, .hi_open = 1},
        {.name = "format", .kind = CLI_FORMAT, .target = &format, .metavar = "F",
         .help = "output format (default table)"},
    };
    int rc = cli_parse(&cmd_loss_info, opts, sizeof opts / sizeof *opts, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) { cli_list_free(&times); return rc; }

    if (task_file && (have_alpha || have_beta || have_amp)) {
        cli_list_free(&times);
        return cli_usage_error("loss", "--task FILE cannot be combined with --alpha/--beta/"
                               "--amp-lambda/--amp-target (give the task one way)");
    }
    if (!task_file && (!have_alpha || !have_beta)) {
        cli_list_free(&times);
        return cli_usage_error("loss", "the task is missing: give --alpha A --beta B, or "
                               "--task FILE (see 'slt loss --help')");
    }
    if (times.count == 0) {
        const size_t n = 19; /* 1 … 1e6, three per decade */
        times.values = malloc(n * sizeof(double));
        if (!times.values) return cli_usage_error("loss", "out of memory");
        for (size_t i = 0; i < n; i++) times.values[i] = pow(10.0, (double)i / 3.0);
        times.count = n;
    }

    slt_task *task = NULL;
    slt_table *table = NULL;
    if (task_file) {
        rc = slt_task_read_file(task_file, 0.0, &task);
    } else {
        slt_power_law_params p = slt_power_law_params_default();
        p.alpha = alpha;
        p.beta = beta;
        p.amp_lambda = amp_lambda;
        p.amp_target = amp_target;
        rc = slt_task_alloc_power_law(&p, &task);
    }
    if (rc) {
        cli_list_free(&times);
        return cli_library_error("loss", rc);
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
    if (is_law) {
        slt_table_param_real(table, "alpha", alpha);
        slt_table_param_real(table, "beta", beta);
        slt_table_param_real(table, "amp_lambda", amp_lambda);
        slt_table_param_real(table, "amp_target", amp_target);
    } else {
        slt_table_param_text(table, "task", task_file);
        slt_table_param_int(table, "modes", (long long)slt_task_modes(task));
    }

    int worst = SLT_OK;
    for (size_t i = 0; i < times.count; i++) {
        double time = times.values[i];
        long row = slt_table_add_row(table);
        if (row < 0) { rc = SLT_ENOMEM; goto done; }
        slt_table_set_real(table, (size_t)row, c_t, time, 0);
        slt_sum loss, weighted;
        int s = slt_sum_decay(task, time, &loss);
        if (!s) s = slt_task_sum(task, weighted_decay, &time, NULL, &weighted);
        if (s) {
            /* a failed point is reported in its row, and the exit code says so */
            slt_table_set_status(table, (size_t)row, slt_strerror(s));
            fprintf(stderr, "slt loss: t = %.17g: %s\n", time, slt_last_error());
            if (!worst) worst = s;
            continue;
        }
        slt_table_set_real(table, (size_t)row, c_loss, loss.value, loss.err);
        double slope = 0.0, slope_err = 0.0;
        if (time > 0.0) {
            slope = -2.0 * time * weighted.value / loss.value;
            slope_err = fabs(slope) * (loss.err / loss.value + weighted.err / fabs(weighted.value));
        }
        slt_table_set_real(table, (size_t)row, c_slope, slope, slope_err);
        if (is_law) {
            double asym = time > 0 ? amp_target * gsl_sf_gamma(beta) / alpha *
                                         pow(2.0 * amp_lambda * time, -beta)
                                   : INFINITY;
            slt_table_set_real(table, (size_t)row, c_asym, asym, 0);
        }
    }
    rc = cli_write_table("loss", table, format);
    if (!rc && worst) rc = slt_exit_class(worst);
    slt_table_free(table);
    slt_task_free(task);
    cli_list_free(&times);
    return rc;
done:
    slt_table_free(table);
    slt_task_free(task);
    cli_list_free(&times);
    return cli_library_error("loss", rc);
}
