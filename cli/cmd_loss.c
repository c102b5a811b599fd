/* slt loss — the N = P = ∞ gradient-flow loss L(t) = Σ_k t_k e^{−2λ_k t}: the reference
 * curve every finite-size solver converges to (conventions.md §4). */
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
    "slt loss (--alpha A --beta B | other letters | --task FILE) [--t LIST] [--format F]",
    "L(t) = sum_k t_k exp(-2 lambda_k t): the test loss of gradient flow on L/2 with\n"
    "N = P = inf (conventions.md sec. 4), summed over every mode (power laws to k = inf,\n"
    "with an error bound). Time t is the canonical gradient-flow time.\n"
    "\n"
    CLI_TASK_HELP CLI_TASK_HELP_FILE
    "With --alpha/--beta, --amp-lambda and --amp-target set A_lambda and A_t in\n"
    "lambda_k = A_lambda k^-alpha, t_k = A_t k^-(alpha beta + 1).\n"
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
    cli_list times = {0};
    slt_format format = SLT_FORMAT_TABLE;
    cli_task_args ta;
    cli_task_args_init(&ta, CLI_TASK_FILE | CLI_TASK_AMPLITUDES);
    cli_option opts[CLI_TASK_MAX_OPTIONS + 2];
    size_t n_opts = cli_task_options(&ta, opts);
    opts[n_opts++] = (cli_option){.name = "t", .kind = CLI_LIST, .target = &times,
                                  .metavar = "LIST", .help = "times (default 1:1e6:19)",
                                  .lo = 0, .hi = INFINITY, .hi_open = 1};
    opts[n_opts++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &format,
                                  .metavar = "F", .help = "output format (default table)"};
    int rc = cli_parse(&cmd_loss_info, opts, n_opts, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc == CLI_OK) rc = cli_task_resolve("loss", &ta);
    if (rc != CLI_OK) {
        cli_list_free(&times);
        return rc;
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
    if ((rc = cli_task_make("loss", &ta, 0.0, &task))) {
        cli_list_free(&times);
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
