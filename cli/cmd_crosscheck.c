/* slt crosscheck — every solver against the Monte Carlo referee, on a battery of points
 * kept in data/crosscheck.txt (docs/theory/crosscheck.md). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "slt/dmft.h"
#include "slt/featlearn.h"
#include "slt/mc.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/table.h"
#include "slt/task.h"

#ifndef SLT_DATADIR
#define SLT_DATADIR "data"
#endif

const cli_command_info cmd_crosscheck_info = {
    "crosscheck",
    "check every solver against the Monte Carlo referee on a battery of points",
    "slt crosscheck [--quick | --full] [--battery FILE] [--threads K] [--format F]",
    "Runs each line of the battery (default: crosscheck.txt from $SLT_DATADIR, the install's\n"
    "share/slt, or the source tree's data/) through the Monte Carlo referee (slt mc) and\n"
    "the solver named on the line (loss, dmft, static against ridge regression at\n"
    "convergence, dmft against online SGD, dmft --gamma against the feature-learning\n"
    "model), on the same truncated task (the simulation's first M modes; the\n"
    "feature-learning lines use M = 200 modes on both sides), and\n"
    "compares them point by point, test and train loss.\n"
    "\n"
    "  z = (mc - theory) / sqrt(mc_se^2 + theory_err^2 + (allowance * theory)^2)\n"
    "\n"
    "allowance is the solver's stated model error: the DMFT and the statics are exact as\n"
    "N, P -> inf and\n"
    "its mean carries O(1/min(N, P)) finite-size corrections, so allowance = 1/min(N, P)\n"
    "(the rich DMFT with online SGD adds 1/B: it drops the rank-one part of the batch noise);\n"
    "1e-9 where no randomness is left (N = P = inf). A row's verdict is ok (|z| <= 3),\n"
    "warn (3 < |z| <= 4) or FAIL (|z| > 4). The run fails (exit 1) if any |z| > 4 or more\n"
    "than 5% of the points have |z| > 3, and when no point was checked (every line in the\n"
    "other tier); a battery with no lines, or a line that does not parse, is an input\n"
    "error (exit 2, naming file and line). --battery - reads standard input. The seeds\n"
    "are fixed, so a run is deterministic. Progress goes to stderr (--quiet drops it).\n"
    "--quick (the default) runs the quick tier (also part of make check, under 2 minutes\n"
    "on 2 cores); --full adds the full tier.\n"
    "\n"
    "Columns: line, theory, model, N, P, t, quantity (test or train), theory (value),\n"
    "theory_err, allowance, mc, mc_se, trials, z, verdict.",
};

typedef struct {
    int line;
    char tier[16], theory[16], model[16], share[16];
    double alpha, beta, N, P, eta, ridge, noise, gamma;
    long batch, ensemble, trials; /* batch 0: full batch */
    unsigned long long seed;
    cli_list times;
} battery_line;

static FILE *open_battery(const char *given, char *path, size_t n)
{
    if (given) {
        snprintf(path, n, "%s", given);
        return cli_open_input(path);
    }
    const char *env = getenv("SLT_DATADIR");
    if (env && *env) {
        snprintf(path, n, "%s/crosscheck.txt", env);
        FILE *f = fopen(path, "r");
        if (f) return f;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(path, n, "%s/../share/slt/crosscheck.txt", exe);
            FILE *f = fopen(path, "r");
            if (f) return f;
        }
    }
    snprintf(path, n, "%s/crosscheck.txt", SLT_DATADIR);
    return fopen(path, "r");
}

/* Modes of the feature-learning lines (both sides): the march's cost grows like the modes
 * times the cube of the steps. */
#define CROSSCHECK_FEATLEARN_MODES 200

/* Sizes (N, P, batch, ensemble, trials): whole numbers from 1 to SIZE_LIMIT, or the
 * word inf; the limit keeps every later conversion to long and size_t defined. */
#define SIZE_LIMIT 2147483647.0

static int parse_size(const char *s, double *v)
{
    if (strcmp(s, "inf") == 0) {
        *v = INFINITY;
        return 0;
    }
    return (cli_parse_real(s, 0, v) || !(*v >= 1 && *v <= SIZE_LIMIT) || *v != floor(*v)) ? -1 : 0;
}

static int parse_real(const char *s, double *v) { return cli_parse_real(s, 0, v) ? -1 : 0; }

/* One battery line; returns 0, or CLI_USAGE with one message naming file and line. */
static int parse_line(const char *path, int lineno, char *text, battery_line *b)
{
    char *tok[18];
    int n = 0;
    for (char *save, *p = strtok_r(text, " \t\r\n", &save); p && n < 18; p = strtok_r(NULL, " \t\r\n", &save))
        tok[n++] = p;
    const int featlearn = n >= 3 && strcmp(tok[2], "featlearn") == 0;
    if (n != (featlearn ? 17 : 16))
        return cli_usage_error("crosscheck", "%s, line %d: %d fields, expected %d (see the header "
                               "comment)", path, lineno, n, featlearn ? 17 : 16);
    memset(b, 0, sizeof *b);
    b->line = lineno;
    snprintf(b->tier, sizeof b->tier, "%s", tok[0]);
    snprintf(b->theory, sizeof b->theory, "%s", tok[1]);
    snprintf(b->model, sizeof b->model, "%s", tok[2]);
    snprintf(b->share, sizeof b->share, "%s", tok[13]);
    double ens, trials, seed, batch = 0;
    const char *bad = NULL;
    if (strcmp(b->tier, "quick") && strcmp(b->tier, "full")) bad = "tier (quick|full)";
    else if (strcmp(b->theory, "loss") && strcmp(b->theory, "dmft") && strcmp(b->theory, "static"))
        bad = "theory (loss|dmft|static)";
    else if (strcmp(b->model, "rf") && strcmp(b->model, "ridge") && strcmp(b->model, "sgd") &&
             !featlearn)
        bad = "model (rf|ridge|sgd|featlearn)";
    else if (!strcmp(b->theory, "static") != !strcmp(b->model, "ridge") ||
             ((!strcmp(b->model, "sgd") || featlearn) && strcmp(b->theory, "dmft")))
        bad = "pairing (static goes with ridge, sgd and featlearn with dmft, loss and dmft with rf)";
    else if (parse_real(tok[3], &b->alpha) || !(b->alpha > 1)) bad = "alpha (> 1)";
    else if (parse_real(tok[4], &b->beta) || !(b->beta > 0)) bad = "beta (> 0)";
    else if (parse_size(tok[5], &b->N)) bad = "N (whole number >= 1, or inf)";
    else if (parse_size(tok[6], &b->P)) bad = "P (whole number >= 1, or inf)";
    else if (parse_real(tok[8], &b->eta) || b->eta < 0) bad = "eta (>= 0)";
    else if (parse_real(tok[9], &b->ridge) || b->ridge < 0) bad = "ridge (>= 0)";
    else if (strcmp(tok[10], "-") && (parse_size(tok[10], &batch) || isinf(batch)))
        bad = "batch (whole number >= 1, or - for full batch)";
    else if (!featlearn && !strcmp(b->model, "sgd") != (batch > 0))
        bad = "batch (given exactly for model sgd, or online featlearn)";
    else if (featlearn && batch > 0 && isfinite(b->P)) bad = "batch (featlearn online needs P inf)";
    else if (featlearn && !(b->eta > 0)) bad = "eta (featlearn needs a step > 0)";
    else if (parse_real(tok[11], &b->noise) || b->noise < 0) bad = "noise (>= 0)";
    else if (parse_size(tok[12], &ens) || isinf(ens)) bad = "ensemble (whole number >= 1)";
    else if (strcmp(b->share, "-") && strcmp(b->share, "data") && strcmp(b->share, "projection") &&
             strcmp(b->share, "none"))
        bad = "share (data|projection|none|-)";
    else if (parse_size(tok[14], &trials) || isinf(trials)) bad = "trials (whole number >= 1)";
    else if (parse_real(tok[15], &seed) || !(seed >= 0 && seed <= 9007199254740992.0) ||
             seed != floor(seed))
        bad = "seed (whole number from 0 to 2^53)";
    else if (featlearn && (parse_real(tok[16], &b->gamma) || !(b->gamma >= 0)))
        bad = "gamma (>= 0)";
    if (bad) return cli_usage_error("crosscheck", "%s, line %d: bad %s", path, lineno, bad);
    b->ensemble = (long)ens;
    b->batch = (long)batch;
    b->trials = (long)trials;
    b->seed = (unsigned long long)seed;
    char what[64];
    snprintf(what, sizeof what, "times (battery line %d)", lineno);
    return cli_list_parse("crosscheck", what, tok[7], 0.0, 1, &b->times);
}


typedef struct {
    slt_table *table;
    int c_line, c_theory, c_model, c_N, c_P, c_t, c_q, c_val, c_err, c_allow, c_mc, c_se, c_n,
        c_z, c_verdict;
    size_t points, over3, over4;
    double max_z;
} report;

static void add_row(report *r, const battery_line *b, double t, const char *q, double theory,
                    double theory_err, double allow, const slt_mc_stat *mc)
{
    long row = slt_table_add_row(r->table);
    if (row < 0) return;
    size_t i = (size_t)row;
    double sd = sqrt(mc->se * mc->se + theory_err * theory_err + pow(allow * theory, 2));
    if (!isfinite(mc->se)) sd = sqrt(theory_err * theory_err + pow(allow * theory, 2));
    /* zero uncertainty on both sides (e.g. the train loss of an interpolant, 0 = 0):
     * equal values agree exactly, unequal ones disagree infinitely */
    double diff = mc->mean - theory;
    double z = sd > 0 ? diff / sd : diff == 0 ? 0.0 : copysign(INFINITY, diff);
    double az = fabs(z);
    const char *verdict = !(az <= 4) ? "FAIL" : az > 3 ? "warn" : "ok";
    r->points++;
    if (!(az <= 3)) r->over3++;
    if (!(az <= 4)) r->over4++;
    if (!(az <= r->max_z)) r->max_z = isnan(az) ? INFINITY : az;
    slt_table_set_int(r->table, i, r->c_line, b->line);
    slt_table_set_text(r->table, i, r->c_theory, b->theory);
    slt_table_set_text(r->table, i, r->c_model, b->model);
    slt_table_set_real(r->table, i, r->c_N, b->N, 0);
    slt_table_set_real(r->table, i, r->c_P, b->P, 0);
    slt_table_set_real(r->table, i, r->c_t, t, 0);
    slt_table_set_text(r->table, i, r->c_q, q);
    slt_table_set_real(r->table, i, r->c_val, theory, 0);
    slt_table_set_real(r->table, i, r->c_err, theory_err, 0);
    slt_table_set_real(r->table, i, r->c_allow, allow, 0);
    slt_table_set_real(r->table, i, r->c_mc, mc->mean, 0);
    slt_table_set_real(r->table, i, r->c_se, mc->se, 0);
    slt_table_set_int(r->table, i, r->c_n, (long long)mc->trials);
    slt_table_set_real(r->table, i, r->c_z, z, 0);
    slt_table_set_text(r->table, i, r->c_verdict, verdict);
}

/* The simulation's task truncated to its first M modes, for the theory side. */
static int truncated_task(double alpha, double beta, double noise, size_t M, slt_task **task)
{
    double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt);
    if (!lam || !tgt) {
        free(lam);
        free(tgt);
        return slt_error(SLT_ENOMEM, "crosscheck: out of memory for %zu modes", M);
    }
    for (size_t k = 1; k <= M; k++) {
        lam[k - 1] = pow((double)k, -alpha);
        tgt[k - 1] = pow((double)k, -(alpha * beta + 1.0));
    }
    int rc = slt_task_alloc_explicit(M, lam, tgt, noise, task);
    free(lam);
    free(tgt);
    return rc;
}

static int run_line(const battery_line *b, int threads, report *r)
{
    slt_power_law_params law = slt_power_law_params_default();
    law.alpha = b->alpha;
    law.beta = b->beta;
    law.noise = b->noise;
    slt_task *task = NULL, *trunc = NULL;
    slt_mc_result *mc = NULL;
    slt_dmft_workspace *w = NULL;
    slt_dmft_point *pt = NULL;
    int rc = slt_task_alloc_power_law(&law, &task);
    slt_mc_params mp = slt_mc_params_default();
    const int ridge_model = strcmp(b->model, "ridge") == 0, sgd = b->batch > 0;
    const int featlearn = strcmp(b->model, "featlearn") == 0;
    mp.model = ridge_model ? SLT_MC_RIDGE : featlearn ? SLT_MC_FEATLEARN : sgd ? SLT_MC_SGD : SLT_MC_RF;
    mp.batch = sgd ? (size_t)b->batch : 1;
    if (featlearn) {
        /* the march costs O(K T^3) in the modes K: a fixed, smaller truncation on both sides */
        mp.M = CROSSCHECK_FEATLEARN_MODES;
        mp.gamma = b->gamma;
        mp.batch = sgd ? (size_t)b->batch : isinf(b->P) ? 0 : 1;
    }
    mp.ridge = b->ridge;
    mp.N = b->N;
    mp.P = b->P;
    mp.eta = b->eta;
    mp.ensemble = (size_t)b->ensemble;
    if (slt_share_from_string(b->share, &mp.share)) mp.share = SLT_SHARE_NONE;
    mp.trials = (size_t)b->trials;
    mp.seed = b->seed;
    mp.threads = threads;
    size_t M = 0;
    if (!rc) rc = slt_mc_modes(task, &mp, &M);
    if (!rc) rc = slt_mc_run(task, &mp, ridge_model ? NULL : b->times.values,
                             ridge_model ? 0 : b->times.count, &mc);
    if (!rc) rc = truncated_task(b->alpha, b->beta, b->noise, M, &trunc);
    if (rc) goto done;
    const size_t n = b->times.count;
    double allow = (isinf(b->N) && isinf(b->P)) ? 1e-9 : 1.0 / fmin(b->N, b->P);
    if (strcmp(b->theory, "static") == 0) {
        /* ridge at convergence: one point (t = ∞) */
        slt_statics_workspace *sw = NULL;
        slt_statics_params sp = slt_statics_params_default();
        sp.N = b->N;
        sp.P = b->P;
        sp.ridge = b->ridge;
        slt_statics_result sr;
        rc = slt_statics_alloc(trunc, &sw);
        if (!rc) rc = slt_statics_solve(sw, &sp, &sr);
        slt_statics_free(sw);
        if (!rc) {
            add_row(r, b, INFINITY, "test", sr.test, sr.test_err, allow, &mc->points[0].test);
            add_row(r, b, INFINITY, "train", sr.train, sr.train_err, allow, &mc->points[0].train);
        }
        goto done;
    }
    if (strcmp(b->theory, "loss") == 0) {
        for (size_t i = 0; i < n && !rc; i++) {
            slt_sum s;
            if ((rc = slt_sum_decay(trunc, b->times.values[i], &s))) break;
            add_row(r, b, b->times.values[i], "test", s.value, s.err, allow, &mc->points[i].test);
            add_row(r, b, b->times.values[i], "train", s.value + b->noise, s.err, allow,
                    &mc->points[i].train);
        }
        goto done;
    }
    if (featlearn) {
        slt_featlearn_params fp = slt_featlearn_params_default();
        fp.N = b->N;
        fp.P = b->P;
        fp.eta = b->eta;
        fp.batch = (size_t)b->batch;
        fp.gamma = b->gamma;
        fp.method = SLT_FEATLEARN_MARCH;
        slt_featlearn_workspace *fw = NULL;
        slt_featlearn_point *fpt = calloc(n, sizeof *fpt);
        if (!fpt) rc = slt_error(SLT_ENOMEM, "crosscheck: out of memory");
        if (!rc) rc = slt_featlearn_alloc(trunc, &fp, &fw);
        if (!rc) rc = slt_featlearn_solve(fw, b->times.values, n, fpt);
        /* online SGD: the DMFT drops the rank-one part (1/B)ggᵀ of the batch noise
         * (docs/theory/featlearn.md), a stated model error of order 1/B */
        double fallow = allow + (sgd ? 1.0 / (double)b->batch : 0);
        for (size_t i = 0; i < n && !rc; i++) {
            add_row(r, b, fpt[i].t, "test", fpt[i].test, fpt[i].test_err, fallow, &mc->points[i].test);
            if (isfinite(b->P)) /* at P = inf the train loss is the test loss on both sides */
                add_row(r, b, fpt[i].t, "train", fpt[i].train, fpt[i].train_err, fallow,
                        &mc->points[i].train);
        }
        free(fpt);
        slt_featlearn_free(fw);
        goto done;
    }
    slt_dmft_params dp = slt_dmft_params_default();
    dp.N = b->N;
    dp.P = b->P;
    dp.eta = b->eta;
    dp.batch = (size_t)b->batch;
    dp.ensemble = (double)b->ensemble;
    if (slt_share_from_string(b->share, &dp.share)) dp.share = SLT_SHARE_DATA;
    pt = calloc(n, sizeof *pt);
    if (!pt) rc = slt_error(SLT_ENOMEM, "crosscheck: out of memory");
    if (!rc) rc = slt_dmft_alloc(trunc, &dp, &w);
    if (!rc) rc = slt_dmft_solve(w, b->times.values, n, pt);
    for (size_t i = 0; i < n && !rc; i++) {
        add_row(r, b, pt[i].t, "test", pt[i].test, pt[i].test_err, allow, &mc->points[i].test);
        if (b->ensemble == 1)
            add_row(r, b, pt[i].t, "train", pt[i].train, pt[i].train_err, allow, &mc->points[i].train);
    }
done:
    free(pt);
    slt_dmft_free(w);
    slt_mc_result_free(mc);
    slt_task_free(trunc);
    slt_task_free(task);
    return rc;
}

int cmd_crosscheck(int argc, char **argv)
{
    const char *cmd = "crosscheck";
    int quick = 0, full = 0;
    long long threads = 0;
    const char *battery = NULL;
    slt_format format = SLT_FORMAT_TABLE;
    const cli_option opts[] = {
        {.name = "quick", .kind = CLI_FLAG, .target = &quick, .help = "the quick tier only (default)"},
        {.name = "full", .kind = CLI_FLAG, .target = &full, .help = "the quick and the full tier"},
        {.name = "battery", .kind = CLI_TEXT, .target = &battery, .metavar = "FILE",
         .help = "the battery file (default: crosscheck.txt, see below)"},
        {.name = "threads", .kind = CLI_INT, .target = &threads, .metavar = "K",
         .help = "Monte Carlo threads (default: OpenMP's default)", .lo = 0, .hi = 1024},
        {.name = "format", .kind = CLI_FORMAT, .target = &format, .metavar = "F",
         .help = "output format (default table)"},
    };
    int rc = cli_parse(&cmd_crosscheck_info, opts, sizeof opts / sizeof *opts, argc, argv);
    if (rc == CLI_HELP) return 0;
    if (rc != CLI_OK) return rc;
    if (quick && full) return cli_usage_error(cmd, "--quick and --full exclude each other");

    char path[PATH_MAX + 64];
    FILE *f = open_battery(battery, path, sizeof path);
    if (!f) {
        slt_error(SLT_EIO, "cannot open the battery '%s': %s", path, strerror(errno));
        return cli_library_error(cmd, SLT_EIO);
    }
    report r = {0};
    rc = slt_table_alloc(cmd, &r.table);
    if (rc) {
        cli_close_input(f);
        return cli_library_error(cmd, rc);
    }
    slt_table_param_text(r.table, "tier", full ? "full" : "quick");
    slt_table_param_text(r.table, "battery", path);
    r.c_line = slt_table_add_column(r.table, "line", SLT_COL_INT, 0);
    r.c_theory = slt_table_add_column(r.table, "theory", SLT_COL_TEXT, 0);
    r.c_model = slt_table_add_column(r.table, "model", SLT_COL_TEXT, 0);
    r.c_N = slt_table_add_column(r.table, "N", SLT_COL_REAL, 0);
    r.c_P = slt_table_add_column(r.table, "P", SLT_COL_REAL, 0);
    r.c_t = slt_table_add_column(r.table, "t", SLT_COL_REAL, 0);
    r.c_q = slt_table_add_column(r.table, "quantity", SLT_COL_TEXT, 0);
    r.c_val = slt_table_add_column(r.table, "theory_value", SLT_COL_REAL, 0);
    r.c_err = slt_table_add_column(r.table, "theory_err", SLT_COL_REAL, 0);
    r.c_allow = slt_table_add_column(r.table, "allowance", SLT_COL_REAL, 0);
    r.c_mc = slt_table_add_column(r.table, "mc", SLT_COL_REAL, 0);
    r.c_se = slt_table_add_column(r.table, "mc_se", SLT_COL_REAL, 0);
    r.c_n = slt_table_add_column(r.table, "trials", SLT_COL_INT, 0);
    r.c_z = slt_table_add_column(r.table, "z", SLT_COL_REAL, 0);
    r.c_verdict = slt_table_add_column(r.table, "verdict", SLT_COL_TEXT, 0);

    static char text[CLI_LINE_MAX + 1];
    int lineno = 0, lines_run = 0, lines_given = 0, got;
    while ((got = cli_read_line(cmd, f, path, lineno + 1, text, sizeof text)) == 1) {
        lineno++;
        char *p = text;
        while (*p == ' ' || *p == '\t' || *p == '\r') p++;
        if (*p == '#' || *p == '\0') continue;
        lines_given++;
        battery_line b;
        if ((rc = parse_line(path, lineno, text, &b))) break;
        if (strcmp(b.tier, "full") == 0 && !full) {
            cli_list_free(&b.times);
            continue;
        }
        cli_progress(cmd, "line %d: %s vs mc, alpha %g beta %g N %g P %g, %ld trials", lineno,
                     b.theory, b.alpha, b.beta, b.N, b.P, b.trials);
        rc = run_line(&b, (int)threads, &r);
        cli_list_free(&b.times);
        if (rc) {
            fprintf(stderr, "slt crosscheck: line %d: %s: %s\n", lineno, slt_strerror(rc), slt_last_error());
            rc = slt_exit_class(rc);
            break;
        }
        lines_run++;
    }
    if (!rc && got != 0) rc = got;
    cli_close_input(f);
    if (!rc && lines_given == 0)
        rc = cli_usage_error(cmd, "%s: no battery lines (only comments or blank lines)", path);
    if (!rc) rc = cli_write_table(cmd, r.table, format);
    slt_table_free(r.table);
    if (rc) return rc;
    /* no point checked is no evidence: a failure, never a pass */
    int failed = r.points == 0 || r.over4 > 0 || (double)r.over3 > 0.05 * (double)r.points;
    fprintf(stderr, "slt crosscheck: %d lines, %zu points, max |z| %.2f, %zu over 3 (%.1f%%), "
            "%zu over 4: %s%s\n", lines_run, r.points, r.max_z, r.over3,
            r.points ? 100.0 * r.over3 / r.points : 0.0, r.over4, failed ? "FAIL" : "pass",
            r.points ? "" : " (no points checked)");
    return failed ? 1 : 0;
}
