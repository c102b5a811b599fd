/* slt exponents — the closed-form exponent table of a power-law task, in any paper's
 * letters (conventions.md §6, §8). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "slt/exponents.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

const cli_command_info cmd_exponents_info = {
    "exponents",
    "closed-form scaling exponents of a power-law task (lazy and rich) and its regime",
    "slt exponents (--alpha A --beta B | --a a --b b | --alpha-K K | --alpha-MRS M |\n"
    "                     --alpha-P p --beta-P q) [--format F]",
    "The task: eigenvalues lambda_k = k^-alpha (capacity alpha > 1) and target power\n"
    "t_k = lambda_k w*_k^2 = k^-(alpha beta + 1) (source beta > 0). Give it in exactly one\n"
    "convention, complete; the others are converted to the canonical (alpha, beta):\n"
    "  --alpha A --beta B      canonical letters (conventions.md sec. 1)\n"
    "  --a a --b b             Bordelon-Atanasov-Pehlevan 2024a: lambda_k = k^-b,\n"
    "                          lambda_k w_k^2 = k^-a; alpha = b, beta = (a-1)/b\n"
    "  --alpha-K K             Bahri et al.: lambda_n ~ n^-(1+K), isotropic teacher;\n"
    "                          alpha = 1+K, beta = K/(1+K) (always a hard task)\n"
    "  --alpha-MRS M           Maloney-Roberts-Sully: lambda_I ~ I^-(1+M), isotropic\n"
    "                          teacher; alpha = 1+M, beta = M/(1+M) (always hard)\n"
    "  --alpha-P p --beta-P q  Paquette et al. PLRF: data covariance diag(j^-2p), target\n"
    "                          b_j = j^-q; alpha = 2p, beta = (2p+2q-1)/(2p)\n"
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

/* The convention groups, in the order of the help text. */
enum { G_CANONICAL, G_BAP, G_BAHRI, G_MALONEY, G_PLRF, G_COUNT };

static const struct {
    const char *name;      /* json "convention" */
    const char *options;   /* for messages */
    const char *paper;
} groups[G_COUNT] = {
    [G_CANONICAL] = {"canonical", "--alpha/--beta", "the canonical convention"},
    [G_BAP] = {"bap2024a", "--a/--b", "the Bordelon-Atanasov-Pehlevan 2024a convention"},
    [G_BAHRI] = {"bahri", "--alpha-K", "the Bahri et al. convention"},
    [G_MALONEY] = {"maloney", "--alpha-MRS", "the Maloney-Roberts-Sully convention"},
    [G_PLRF] = {"plrf", "--alpha-P/--beta-P", "the PLRF convention of Paquette et al."},
};

#define ALL_GROUPS "--alpha/--beta, --a/--b, --alpha-K, --alpha-MRS or --alpha-P/--beta-P"

/* The letters of the given convention, for the table's params. */
typedef struct {
    const char *key;
    double value;
} letter;

int cmd_exponents(int argc, char **argv)
{
    const char *cmd = cmd_exponents_info.name;
    double alpha = NAN, beta = NAN, a = NAN, b = NAN, alpha_K = NAN, alpha_MRS = NAN,
           alpha_P = NAN, beta_P = NAN;
    int seen_alpha = 0, seen_beta = 0, seen_a = 0, seen_b = 0, seen_K = 0, seen_MRS = 0,
        seen_aP = 0, seen_bP = 0;
    slt_format format = SLT_FORMAT_TABLE;

    const cli_option opts[] = {
        {"alpha", CLI_REAL, &alpha, "A", "capacity alpha of lambda_k = k^-alpha (canonical)",
         1.0, INFINITY, 1, 0, NULL, 0, &seen_alpha},
        {"beta", CLI_REAL, &beta, "B", "source beta of t_k = k^-(alpha beta + 1) (canonical)",
         0.0, INFINITY, 1, 0, NULL, 0, &seen_beta},
        {"a", CLI_REAL, &a, "a", "2024a target exponent, lambda_k w_k^2 = k^-a (with --b)",
         1.0, INFINITY, 1, 0, NULL, 0, &seen_a},
        {"b", CLI_REAL, &b, "b", "2024a spectrum exponent, lambda_k = k^-b (with --a)",
         1.0, INFINITY, 1, 0, NULL, 0, &seen_b},
        {"alpha-K", CLI_REAL, &alpha_K, "K",
         "Bahri et al.: lambda_n ~ n^-(1+K), isotropic teacher", 0.0, INFINITY, 1, 0, NULL, 0,
         &seen_K},
        {"alpha-MRS", CLI_REAL, &alpha_MRS, "M",
         "Maloney et al.: lambda_I ~ I^-(1+M), isotropic teacher", 0.0, INFINITY, 1, 0, NULL,
         0, &seen_MRS},
        {"alpha-P", CLI_REAL, &alpha_P, "p",
         "PLRF (Paquette et al.): covariance diag(j^-2p) (with --beta-P)", 0.5, INFINITY, 1, 0,
         NULL, 0, &seen_aP},
        {"beta-P", CLI_REAL, &beta_P, "q",
         "PLRF target b_j = j^-q (with --alpha-P; needs 2p + 2q > 1)", -INFINITY, INFINITY, 0,
         0, NULL, 0, &seen_bP},
        {"format", CLI_FORMAT, &format, "F", "output format (default table)", 0, 0, 0, 0, NULL,
         0, NULL},
    };
    int rc = cli_parse(&cmd_exponents_info, opts, sizeof opts / sizeof opts[0], argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) return rc;

    /* Exactly one convention group, complete. */
    const struct {
        int group;
        const char *option;
        int seen;
    } given[] = {
        {G_CANONICAL, "--alpha", seen_alpha}, {G_CANONICAL, "--beta", seen_beta},
        {G_BAP, "--a", seen_a},               {G_BAP, "--b", seen_b},
        {G_BAHRI, "--alpha-K", seen_K},       {G_MALONEY, "--alpha-MRS", seen_MRS},
        {G_PLRF, "--alpha-P", seen_aP},       {G_PLRF, "--beta-P", seen_bP},
    };
    const size_t n_given = sizeof given / sizeof given[0];
    int group_seen[G_COUNT] = {0}, n_groups = 0, group = -1;
    for (size_t i = 0; i < n_given; i++)
        if (given[i].seen && !group_seen[given[i].group]++) {
            n_groups++;
            group = given[i].group;
        }
    if (n_groups == 0)
        return cli_usage_error(cmd, "no task given: give one of " ALL_GROUPS
                               " (see 'slt exponents --help')");
    if (n_groups > 1) {
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n_given && len < sizeof list; i++)
            if (given[i].seen)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                        len ? ", " : "", given[i].option);
        return cli_usage_error(cmd, "conflicting conventions: %s given; give exactly one of "
                               ALL_GROUPS, list);
    }
    for (size_t i = 0; i < n_given; i++)
        if ((int)given[i].group == group && !given[i].seen) {
            const char *other = NULL;
            for (size_t j = 0; j < n_given; j++)
                if ((int)given[j].group == group && given[j].seen) other = given[j].option;
            return cli_usage_error(cmd, "incomplete convention: %s given without %s (%s "
                                   "needs both %s)", other, given[i].option,
                                   groups[group].paper, groups[group].options);
        }

    /* Convert to the canonical letters (slt_convert_* name the paper's letter). */
    letter letters[2];
    size_t n_letters = 0;
    char given_text[160];
    switch (group) {
    case G_CANONICAL:
        rc = SLT_OK;
        snprintf(given_text, sizeof given_text, "--alpha %.15g --beta %.15g", alpha, beta);
        break;
    case G_BAP:
        rc = slt_convert_bap2024a(a, b, &alpha, &beta);
        letters[n_letters++] = (letter){"a", a};
        letters[n_letters++] = (letter){"b", b};
        snprintf(given_text, sizeof given_text, "--a %.15g --b %.15g", a, b);
        break;
    case G_BAHRI:
        rc = slt_convert_bahri(alpha_K, &alpha, &beta);
        letters[n_letters++] = (letter){"alpha_K", alpha_K};
        snprintf(given_text, sizeof given_text, "--alpha-K %.15g", alpha_K);
        break;
    case G_MALONEY:
        rc = slt_convert_maloney(alpha_MRS, &alpha, &beta);
        letters[n_letters++] = (letter){"alpha_MRS", alpha_MRS};
        snprintf(given_text, sizeof given_text, "--alpha-MRS %.15g", alpha_MRS);
        break;
    default:
        rc = slt_convert_plrf(alpha_P, beta_P, &alpha, &beta);
        letters[n_letters++] = (letter){"alpha_P", alpha_P};
        letters[n_letters++] = (letter){"beta_P", beta_P};
        snprintf(given_text, sizeof given_text, "--alpha-P %.15g --beta-P %.15g", alpha_P,
                 beta_P);
        break;
    }
    if (rc != SLT_OK) {
        /* One line naming the options and values, then the converter's range message. */
        fprintf(stderr, "slt %s: %s: %s: %s\n", cmd, given_text, slt_strerror(rc),
                slt_last_error());
        return slt_exit_class(rc);
    }

    size_t n_rows = slt_exponents_count();
    slt_exponent_row rows[32];
    if (n_rows > sizeof rows / sizeof rows[0]) {
        slt_error(SLT_EINTERNAL, "the exponent table has %zu rows, more than the %zu the "
                  "command can hold", n_rows, sizeof rows / sizeof rows[0]);
        return cli_library_error(cmd, SLT_EINTERNAL);
    }
    rc = slt_exponents_compute(alpha, beta, rows, sizeof rows / sizeof rows[0], &n_rows);
    if (rc != SLT_OK) {
        fprintf(stderr, "slt %s: %s: %s: %s\n", cmd, given_text, slt_strerror(rc),
                slt_last_error());
        return slt_exit_class(rc);
    }
    slt_regime regime;
    rc = slt_regime_of(alpha, beta, &regime);
    if (rc != SLT_OK) return cli_library_error(cmd, rc);

    slt_table *table = NULL;
    rc = slt_table_alloc(cmd, &table);
    int c_q = -1, c_lazy = -1, c_rich = -1, c_regime = -1, c_note = -1;
    if (!rc) rc = slt_table_param_text(table, "convention", groups[group].name);
    for (size_t i = 0; i < n_letters && !rc; i++)
        rc = slt_table_param_real(table, letters[i].key, letters[i].value);
    if (!rc) rc = slt_table_param_real(table, "alpha", alpha);
    if (!rc) rc = slt_table_param_real(table, "beta", beta);
    if (!rc) rc = slt_table_param_text(table, "regime", slt_regime_name(regime));
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
