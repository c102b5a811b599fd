/* slt exponents — the closed-form exponent table of a power-law task, in any paper's
 * letters (docs/theory/conventions.md §6, §8). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "task_args.h"
#include "slt/exponents.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_exponents_info = {
    "exponents",
    "closed-form scaling exponents of a power-law task (lazy and rich) and its regime",
    "slt exponents (--alpha A --beta B | --a a --b b | --alpha-K K | --alpha-MRS M |\n"
    "                     --alpha-P p --beta-P q) [--format F]",
    CLI_TASK_HELP
    "The json output echoes the given letters and the canonical alpha, beta in \"params\".\n"
    "\n"
    "Regimes: hard beta < 1; easy 1 < beta < 2 - 1/alpha; super-easy beta > 2 - 1/alpha.\n"
    "Exactly at a boundary (to a relative 1e-15) the regime is reported as hard/easy or\n"
    "easy/super-easy; every exponent is continuous there, so both formulas agree.\n"
    "\n"
    "Columns: quantity, lazy (kernel regime), rich (feature learning), regime (the regime\n"
    "whose formula gives the values, or 'any'), note. Exponents are positive numbers e\n"
    "with L ~ X^-e for a loss, N*, t* ~ C^e for compute-optimal width and time (C = N t),\n"
    "and t_x ~ gamma^-e for the crossover time. nan (json null) means no formula; the note\n"
    "says why. Where a paper is reported to state a different exponent, the table lists\n"
    "the derived value and the note says so. Rows:\n"
    "  regime           the task's regime (no exponent)\n"
    "  time             L ~ t^-e at N = P = inf\n"
    "  width_floor      L ~ N^-e at P = inf, t -> inf\n"
    "  data_floor       L ~ P^-e at N = inf, t -> inf (ridgeless KRR)\n"
    "  bias_width       L ~ N^-e at P = inf, bias only (infinite ensemble)\n"
    "  gap_early        L(t,N) - L(t,inf) ~ N^-e while t << N^alpha\n"
    "  gap_late         the same gap once t >> N^alpha\n"
    "  resolution_N/_P  resolution-limited exponents in N and in P\n"
    "  variance_N/_P    variance-limited exponents in N and in P\n"
    "  compute_*_star   compute-optimal N*, t*, L* under gradient flow / full-batch GD\n"
    "  sgd_*_star       the same under online SGD at fixed batch (super-easy differs)\n"
    "  crossover_gamma  lazy->rich crossover time t_x ~ gamma^-e (hard tasks)\n"
    "  rich_gamma       late-time rich loss L ~ gamma^-e (hard tasks)\n"
    "Formulas and sources: docs/theory/exponents.md.",
};

int cmd_exponents(int argc, char **argv)
{
    const char *cmd = cmd_exponents_info.name;
    slt_format format = SLT_FORMAT_TABLE;
    cli_task_args ta;
    cli_task_args_init(&ta, 0); /* amplitudes do not change exponents; no explicit tasks */
    cli_option opts[CLI_TASK_MAX_OPTIONS + 1];
    size_t n_opts = cli_task_options(&ta, opts);
    opts[n_opts++] = (cli_option){.name = "format", .kind = CLI_FORMAT, .target = &format,
                                  .metavar = "F", .help = "output format (default table)"};
    int rc = cli_parse(&cmd_exponents_info, opts, n_opts, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) return rc;
    if ((rc = cli_task_resolve(cmd, &ta))) return rc;
    const double alpha = ta.alpha, beta = ta.beta;

    size_t n_rows = slt_exponents_count();
    slt_exponent_row rows[32];
    if (n_rows > sizeof rows / sizeof rows[0]) {
        slt_error(SLT_EINTERNAL, "the exponent table has %zu rows, more than the %zu the "
                  "command can hold", n_rows, sizeof rows / sizeof rows[0]);
        return cli_library_error(cmd, SLT_EINTERNAL);
    }
    rc = slt_exponents_compute(alpha, beta, rows, sizeof rows / sizeof rows[0], &n_rows);
    if (rc != SLT_OK) {
        fprintf(stderr, "slt %s: %s: %s: %s\n", cmd, ta.given, slt_strerror(rc),
                slt_last_error());
        return slt_exit_class(rc);
    }
    slt_difficulty regime;
    rc = slt_difficulty_of(alpha, beta, &regime);
    if (rc != SLT_OK) return cli_library_error(cmd, rc);

    slt_table *table = NULL;
    rc = slt_table_alloc(cmd, &table);
    int c_q = -1, c_lazy = -1, c_rich = -1, c_regime = -1, c_note = -1;
    if (!rc) rc = cli_task_params(&ta, NULL, table);
    if (!rc) rc = slt_table_param_text(table, "regime", slt_difficulty_name(regime));
    if (!rc) {
        c_q = slt_table_add_column(table, "quantity", SLT_COL_TEXT, 0);
        c_lazy = slt_table_add_column(table, "lazy", SLT_COL_REAL, 0);
        c_rich = slt_table_add_column(table, "rich", SLT_COL_REAL, 0);
        c_regime = slt_table_add_column(table, "regime", SLT_COL_TEXT, 0);
        c_note = slt_table_add_column(table, "note", SLT_COL_TEXT, 0);
        if (c_q < 0) rc = -c_q;
        else if (c_lazy < 0) rc = -c_lazy;
        else if (c_rich < 0) rc = -c_rich;
        else if (c_regime < 0) rc = -c_regime;
        else if (c_note < 0) rc = -c_note;
    }
    for (size_t i = 0; i < n_rows && !rc; i++) {
        long row = slt_table_add_row(table);
        if (row < 0) {
            rc = (int)-row;
            break;
        }
        size_t r = (size_t)row;
        rc = slt_table_set_text(table, r, c_q, rows[i].quantity);
        if (!rc) rc = slt_table_set_real(table, r, c_lazy, rows[i].lazy, NAN);
        if (!rc) rc = slt_table_set_real(table, r, c_rich, rows[i].rich, NAN);
        if (!rc) rc = slt_table_set_text(table, r, c_regime, rows[i].regime);
        if (!rc) rc = slt_table_set_text(table, r, c_note, rows[i].note);
    }
    if (rc) {
        slt_table_free(table);
        return cli_library_error(cmd, rc);
    }
    rc = cli_write_table(cmd, table, format);
    slt_table_free(table);
    return rc;
}
