/* Task options shared by the commands: one convention, complete, converted once. */
#include "task_args.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "slt/status.h"

static const struct {
    const char *name;    /* json "convention" */
    const char *options; /* for messages */
    const char *paper;
} groups[CLI_TASK_GROUPS] = {
    [CLI_TASK_CANONICAL] = {"canonical", "--alpha/--beta", "the canonical convention"},
    [CLI_TASK_BAP] = {"bap2024a", "--a/--b", "the Bordelon-Atanasov-Pehlevan 2024a convention"},
    [CLI_TASK_BAHRI] = {"bahri", "--alpha-K", "the Bahri et al. convention"},
    [CLI_TASK_MALONEY] = {"maloney", "--alpha-MRS", "the Maloney-Roberts-Sully convention"},
    [CLI_TASK_PLRF] = {"plrf", "--alpha-P/--beta-P", "the PLRF convention of Paquette et al."},
    [CLI_TASK_EXPLICIT] = {"explicit", "--task", "an explicit task file"},
    [CLI_TASK_KERNEL] = {"kernel", "--kernel", "a kernel's task"},
};

void cli_task_args_init(cli_task_args *ta, unsigned flags)
{
    memset(ta, 0, sizeof *ta);
    ta->flags = flags;
    ta->alpha_in = ta->beta_in = ta->a = ta->b = ta->alpha_K = ta->alpha_MRS = NAN;
    ta->alpha_P = ta->beta_P = ta->alpha = ta->beta = NAN;
    ta->amp_lambda = ta->amp_target = 1.0;
    ta->group = -1;
    cli_kernel_args_init(&ta->kernel, CLI_KERNEL_TASK);
}

size_t cli_task_options(cli_task_args *ta, cli_option *o)
{
    size_t n = 0;
    o[n++] = (cli_option){.name = "alpha", .kind = CLI_REAL, .target = &ta->alpha_in,
                          .metavar = "A", .help = (ta->flags & (CLI_TASK_MODES | CLI_TASK_MODES_OWN))
                          ? "capacity alpha of lambda_k = k^-alpha (canonical; > 1, or any > 0 with --M)"
                          : "capacity alpha of lambda_k = k^-alpha (canonical)",
                          .lo = (ta->flags & (CLI_TASK_MODES | CLI_TASK_MODES_OWN)) ? 0.0 : 1.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
                          .seen = &ta->seen_alpha};
    o[n++] = (cli_option){.name = "beta", .kind = CLI_REAL, .target = &ta->beta_in,
                          .metavar = "B", .help = (ta->flags & CLI_TASK_KERNEL_OK)
                          ? "source beta of t_k = k^-(alpha beta + 1) (canonical; with --kernel "
                            "--target power: relative to the fitted alpha)"
                          : "source beta of t_k = k^-(alpha beta + 1) (canonical)",
                          .lo = 0.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
                          .seen = &ta->seen_beta};
    if (ta->flags & CLI_TASK_AMPLITUDES) {
        o[n++] = (cli_option){.name = "amp-lambda", .kind = CLI_REAL, .target = &ta->amp_lambda,
                              .metavar = "A_lambda", .help = "eigenvalue amplitude, with --alpha/--beta (default 1)",
                              .lo = 0.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
                              .seen = &ta->seen_amp};
        o[n++] = (cli_option){.name = "amp-target", .kind = CLI_REAL, .target = &ta->amp_target,
                              .metavar = "A_t", .help = "target amplitude, with --alpha/--beta (default 1)",
                              .lo = 0.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1,
                              .seen = &ta->seen_amp};
    }
    o[n++] = (cli_option){.name = "a", .kind = CLI_REAL, .target = &ta->a, .metavar = "a",
                          .help = "2024a target exponent, lambda_k w_k^2 = k^-a (with --b)",
                          .lo = 1.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &ta->seen_a};
    o[n++] = (cli_option){.name = "b", .kind = CLI_REAL, .target = &ta->b, .metavar = "b",
                          .help = "2024a spectrum exponent, lambda_k = k^-b (with --a)",
                          .lo = 1.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &ta->seen_b};
    o[n++] = (cli_option){.name = "alpha-K", .kind = CLI_REAL, .target = &ta->alpha_K,
                          .metavar = "K", .help = "Bahri et al.: lambda_n ~ n^-(1+K), isotropic teacher",
                          .lo = 0.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &ta->seen_K};
    o[n++] = (cli_option){.name = "alpha-MRS", .kind = CLI_REAL, .target = &ta->alpha_MRS,
                          .metavar = "M", .help = "Maloney et al.: lambda_I ~ I^-(1+M), isotropic teacher",
                          .lo = 0.0, .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &ta->seen_MRS};
    o[n++] = (cli_option){.name = "alpha-P", .kind = CLI_REAL, .target = &ta->alpha_P,
                          .metavar = "p", .help = (ta->flags & (CLI_TASK_MODES | CLI_TASK_MODES_OWN))
                          ? "PLRF (Paquette et al.): covariance diag(j^-2p) (with --beta-P; p > 0.5, or any p > 0 with --M = their V)"
                          : "PLRF (Paquette et al.): covariance diag(j^-2p) (with --beta-P)",
                          .lo = (ta->flags & (CLI_TASK_MODES | CLI_TASK_MODES_OWN)) ? 0.0 : 0.5, .hi = INFINITY, .lo_open = 1, .hi_open = 1, .seen = &ta->seen_aP};
    o[n++] = (cli_option){.name = "beta-P", .kind = CLI_REAL, .target = &ta->beta_P,
                          .metavar = "q", .help = "PLRF target b_j = j^-q (with --alpha-P; needs 2p + 2q > 1)",
                          .lo = -INFINITY, .hi = INFINITY, .seen = &ta->seen_bP};
    if (ta->flags & CLI_TASK_FILE)
        o[n++] = (cli_option){.name = "task", .kind = CLI_TEXT, .target = &ta->file,
                              .metavar = "FILE", .help = "explicit task file 'lambda_k t_k' (instead of a power law)",
                              .seen = &ta->seen_file};
    if (ta->flags & CLI_TASK_MODES)
        o[n++] = (cli_option){.name = "M", .kind = CLI_INT, .target = &ta->modes, .metavar = "M",
                              .help = "truncate the power law at M modes, k = 1..M (PLRF: their V)",
                              .lo = 1, .hi = (double)SLT_TASK_TRUNCATED_MAX, .seen = &ta->seen_M};
    if (ta->flags & CLI_TASK_KERNEL_OK) n += cli_kernel_options(&ta->kernel, o + n);
    return n;
}

int cli_task_resolve(const char *cmd, cli_task_args *ta)
{
    cli_kernel_args *ka = &ta->kernel;
    const int kernel = ka->seen_kernel;
    /* with --kernel, --beta is the kernel target's source exponent (--target power) */
    const int seen_beta = ta->seen_beta && !kernel;
    const struct {
        int group;
        const char *option;
        int seen;
    } given[] = {
        {CLI_TASK_CANONICAL, "--alpha", ta->seen_alpha}, {CLI_TASK_CANONICAL, "--beta", seen_beta},
        {CLI_TASK_BAP, "--a", ta->seen_a},               {CLI_TASK_BAP, "--b", ta->seen_b},
        {CLI_TASK_BAHRI, "--alpha-K", ta->seen_K},       {CLI_TASK_MALONEY, "--alpha-MRS", ta->seen_MRS},
        {CLI_TASK_PLRF, "--alpha-P", ta->seen_aP},       {CLI_TASK_PLRF, "--beta-P", ta->seen_bP},
        {CLI_TASK_EXPLICIT, "--task", ta->seen_file},     {CLI_TASK_KERNEL, "--kernel", kernel},
    };
    const size_t n_given = sizeof given / sizeof given[0];
    const char *all = (ta->flags & CLI_TASK_KERNEL_OK)
                          ? "--alpha/--beta, --a/--b, --alpha-K, --alpha-MRS, --alpha-P/--beta-P, "
                            "--task or --kernel"
                      : (ta->flags & CLI_TASK_FILE)
                          ? "--alpha/--beta, --a/--b, --alpha-K, --alpha-MRS, --alpha-P/--beta-P or --task"
                          : "--alpha/--beta, --a/--b, --alpha-K, --alpha-MRS or --alpha-P/--beta-P";
    int group_seen[CLI_TASK_GROUPS] = {0}, n_groups = 0, group = -1;
    for (size_t i = 0; i < n_given; i++)
        if (given[i].seen && !group_seen[given[i].group]++) {
            n_groups++;
            group = given[i].group;
        }
    if (n_groups == 0)
        return cli_usage_error(cmd, "no task given: give one of %s (see 'slt %s --help')", all, cmd);
    if (n_groups > 1) {
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n_given && len < sizeof list; i++)
            if (given[i].seen)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                        given[i].option);
        return cli_usage_error(cmd, "conflicting conventions: %s given; give exactly one of %s",
                               list, all);
    }
    for (size_t i = 0; i < n_given; i++)
        if (given[i].group == group && !given[i].seen) {
            const char *other = NULL;
            for (size_t j = 0; j < n_given; j++)
                if (given[j].group == group && given[j].seen) other = given[j].option;
            return cli_usage_error(cmd, "incomplete convention: %s given without %s (%s needs both %s)",
                                   other, given[i].option, groups[group].paper,
                                   groups[group].options);
        }
    if (group != CLI_TASK_KERNEL) { /* the kernel's own options need --kernel */
        const char *k_only = ka->seen_dim ? "--dim" : ka->seen_depth ? "--depth"
                             : ka->seen_lmax ? "--lmax" : ka->seen_width ? "--width"
                             : ka->seen_offset ? "--offset" : ka->seen_pdeg ? "--poly-degree"
                             : ka->seen_table ? "--table" : ka->seen_target ? "--target"
                             : ka->seen_q ? "--target-q" : ka->seen_tfile ? "--target-file" : NULL;
        if (k_only)
            return cli_usage_error(cmd, "%s goes with --kernel K only (got %s)", k_only,
                                   groups[group].options);
    }
    if (ta->seen_amp && group != CLI_TASK_CANONICAL)
        return cli_usage_error(cmd, "--amp-lambda/--amp-target go with --alpha/--beta only, not "
                               "with %s", groups[group].options);
    /* --M: a power law truncated at M modes (slt_task_alloc_power_law_truncated), where any
     * alpha > 0 is allowed; without it the spectrum must be trace class */
    if (ta->seen_M && (ta->flags & CLI_TASK_MODES) &&
        (group == CLI_TASK_EXPLICIT || group == CLI_TASK_KERNEL))
        return cli_usage_error(cmd, "--M truncates a power law at M modes; %s lists its own modes "
                               "(drop --M)", groups[group].options);
    if (!ta->seen_M && group == CLI_TASK_CANONICAL && !(ta->alpha_in > 1.0))
        return cli_usage_error(cmd, "--alpha: %.15g is out of range (expected A > 1); alpha <= 1 "
                               "needs a finite number of modes: add --M M",
                               ta->alpha_in);
    if (!ta->seen_M && group == CLI_TASK_PLRF && !(ta->alpha_P > 0.5))
        return cli_usage_error(cmd, "--alpha-P: %.15g is out of range (expected p > 0.5); 2p <= 1 "
                               "needs a finite number of modes: add --M M (their V)", ta->alpha_P);

    int rc = SLT_OK;
    ta->group = group;
    switch (group) {
    case CLI_TASK_CANONICAL:
        ta->alpha = ta->alpha_in;
        ta->beta = ta->beta_in;
        snprintf(ta->given, sizeof ta->given, "--alpha %.15g --beta %.15g", ta->alpha, ta->beta);
        break;
    case CLI_TASK_BAP:
        rc = slt_convert_bap2024a(ta->a, ta->b, &ta->alpha, &ta->beta);
        snprintf(ta->given, sizeof ta->given, "--a %.15g --b %.15g", ta->a, ta->b);
        break;
    case CLI_TASK_BAHRI:
        rc = slt_convert_bahri(ta->alpha_K, &ta->alpha, &ta->beta);
        snprintf(ta->given, sizeof ta->given, "--alpha-K %.15g", ta->alpha_K);
        break;
    case CLI_TASK_MALONEY:
        rc = slt_convert_maloney(ta->alpha_MRS, &ta->alpha, &ta->beta);
        snprintf(ta->given, sizeof ta->given, "--alpha-MRS %.15g", ta->alpha_MRS);
        break;
    case CLI_TASK_PLRF:
        rc = ta->seen_M ? slt_convert_plrf_finite(ta->alpha_P, ta->beta_P, &ta->alpha, &ta->beta)
                        : slt_convert_plrf(ta->alpha_P, ta->beta_P, &ta->alpha, &ta->beta);
        snprintf(ta->given, sizeof ta->given, "--alpha-P %.15g --beta-P %.15g", ta->alpha_P,
                 ta->beta_P);
        break;
    case CLI_TASK_KERNEL: {
        ka->seen_beta = ta->seen_beta;
        ka->beta = ta->beta_in;
        int urc = cli_kernel_validate(cmd, ka, SLT_DOMAIN_SPHERE, "sphere");
        if (!urc) urc = cli_kernel_validate_params(cmd, ka, SLT_DOMAIN_SPHERE);
        if (urc) return urc;
        cli_kernel_settings(ka, ta->given, sizeof ta->given);
        break;
    }
    default:
        snprintf(ta->given, sizeof ta->given, "--task %s", ta->file);
        break;
    }
    if (ta->seen_M && (ta->flags & CLI_TASK_MODES) && group != CLI_TASK_EXPLICIT &&
        group != CLI_TASK_KERNEL) {
        size_t len = strlen(ta->given);
        snprintf(ta->given + len, sizeof ta->given - len, " --M %lld", ta->modes);
    }
    if (rc != SLT_OK) {
        /* one line: the options as given, then the converter's range message */
        fprintf(stderr, "slt %s: %s: %s: %s\n", cmd, ta->given, slt_strerror(rc), slt_last_error());
        return slt_exit_class(rc);
    }
    return 0;
}

int cli_task_make(const char *cmd, cli_task_args *ta, double noise, slt_task **task)
{
    int rc;
    if (ta->group == CLI_TASK_KERNEL) return cli_kernel_task(cmd, &ta->kernel, noise, task);
    if (ta->group == CLI_TASK_EXPLICIT) {
        rc = slt_task_read_file(ta->file, noise, task);
    } else {
        slt_power_law_params p = slt_power_law_params_default();
        p.alpha = ta->alpha;
        p.beta = ta->beta;
        p.amp_lambda = ta->amp_lambda;
        p.amp_target = ta->amp_target;
        p.noise = noise;
        /* CLI_TASK_MODES_OWN: the command truncates the infinite law itself where it exists */
        const int own = (ta->flags & CLI_TASK_MODES_OWN) && slt_power_law_params_check(&p) == SLT_OK;
        rc = ta->seen_M && !own ? slt_task_alloc_power_law_truncated(&p, (size_t)ta->modes, task)
                                : slt_task_alloc_power_law(&p, task);
    }
    return rc ? cli_library_error(cmd, rc) : 0;
}

int cli_task_params(const cli_task_args *ta, const slt_task *task, slt_table *table)
{
    int rc = slt_table_param_text(table, "convention", groups[ta->group].name);
    switch (ta->group) {
    case CLI_TASK_BAP:
        if (!rc) rc = slt_table_param_real(table, "a", ta->a);
        if (!rc) rc = slt_table_param_real(table, "b", ta->b);
        break;
    case CLI_TASK_BAHRI:
        if (!rc) rc = slt_table_param_real(table, "alpha_K", ta->alpha_K);
        break;
    case CLI_TASK_MALONEY:
        if (!rc) rc = slt_table_param_real(table, "alpha_MRS", ta->alpha_MRS);
        break;
    case CLI_TASK_PLRF:
        if (!rc) rc = slt_table_param_real(table, "alpha_P", ta->alpha_P);
        if (!rc) rc = slt_table_param_real(table, "beta_P", ta->beta_P);
        break;
    case CLI_TASK_KERNEL:
        if (!rc) rc = cli_kernel_echo(&ta->kernel, table);
        if (!rc && task) rc = slt_table_param_real(table, "modes", slt_task_modes_total(task));
        return rc;
    case CLI_TASK_EXPLICIT:
        if (!rc) rc = slt_table_param_text(table, "task", ta->file);
        /* a task with a moment tail has infinitely many modes (not SIZE_MAX as an int) */
        if (!rc && task)
            rc = slt_task_modes(task) == SLT_MODES_INFINITE
                     ? slt_table_param_text(table, "modes", "inf")
                     : slt_table_param_int(table, "modes", (long long)slt_task_modes(task));
        /* a level task (a three-column file): its number of levels as well */
        if (!rc && task && slt_task_levels(task) != slt_task_modes(task))
            rc = slt_table_param_int(table, "levels", (long long)slt_task_levels(task));
        return rc;
    default: break;
    }
    if (!rc) rc = slt_table_param_real(table, "alpha", ta->alpha);
    if (!rc) rc = slt_table_param_real(table, "beta", ta->beta);
    if (!rc && ta->seen_M && (ta->flags & CLI_TASK_MODES))
        rc = slt_table_param_int(table, "M", ta->modes);
    if (!rc && (ta->flags & CLI_TASK_AMPLITUDES)) {
        rc = slt_table_param_real(table, "amp_lambda", ta->amp_lambda);
        if (!rc) rc = slt_table_param_real(table, "amp_target", ta->amp_target);
    }
    return rc;
}
