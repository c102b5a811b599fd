/* slt dmft --gamma LIST: rows of the rich DMFT (include/slt/featlearn.h) for every N, P,
 * gamma and time; gamma = 0 rows come from the lazy solver (method column `lazy`) unless
 * --method is given. With --diagnose the library's diagnostics (solvers/featlearn/
 * diagnose.c): the CLI only prints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dmft_rich.h"
#include "slt/status.h"
#include "slt/table.h"

/* The method column of rows computed by the lazy solver (slt/dmft.h). */
#define DMFT_LAZY_LABEL "lazy"

typedef struct {
    int N, P, gamma, step, t, test, train, method, slope, chi, q, tau, ratio, cross;
} rich_cols;

/* One (N, P, gamma): its points in the user's time order. */
typedef struct {
    double N, P, gamma;
    int lazy;              /* computed by the lazy solver */
    int near_edge;         /* lazy rows: the step --eta is near the stability edge */
    const char *method;    /* the method column */
    slt_featlearn_point *pt;
    slt_featlearn_ratio *ratio;
    double chi, tx, tx_err;
    int tx_status;         /* the crossover's status (SLT_EDOM: not reached, null) */
    char at[128];          /* "--N 10 --P inf --gamma 0.5" */
} rich_row;

static int add_columns(const dmft_rich_in *in, const slt_task *task, slt_table *table,
                       rich_cols *c)
{
    int rc = cli_task_params(in->ta, task, table);
    if (!rc && in->lazy.eta > 0) rc = slt_table_param_real(table, "eta", in->lazy.eta);
    if (!rc && in->sgd) rc = slt_table_param_real(table, "batch", (double)in->lazy.batch);
    if (rc) return rc;
    *c = (rich_cols){.step = -1, .slope = -1, .chi = -1, .q = -1, .tau = -1, .ratio = -1,
                     .cross = -1};
    c->N = slt_table_add_column(table, "N", SLT_COL_REAL, 0);
    c->P = slt_table_add_column(table, "P", SLT_COL_REAL, 0);
    c->gamma = slt_table_add_column(table, "gamma", SLT_COL_REAL, 0);
    if (in->tm->steps.count) c->step = slt_table_add_column(table, "step", SLT_COL_INT, 0);
    c->t = slt_table_add_column(table, "t", SLT_COL_REAL, 0);
    c->test = slt_table_add_column(table, "test", SLT_COL_REAL, 1);
    c->train = slt_table_add_column(table, "train", SLT_COL_REAL, 1);
    c->method = slt_table_add_column(table, "method", SLT_COL_TEXT, 0);
    if (in->diagnose) {
        c->slope = slt_table_add_column(table, "exponent", SLT_COL_REAL, 1);
        c->chi = slt_table_add_column(table, "chi", SLT_COL_REAL, 0);
        c->q = slt_table_add_column(table, "q", SLT_COL_REAL, 1);
        c->tau = slt_table_add_column(table, "tau", SLT_COL_REAL, 0);
        c->ratio = slt_table_add_column(table, "ratio_lazy", SLT_COL_REAL, 1);
        c->cross = slt_table_add_column(table, "crossover", SLT_COL_REAL, 1);
    }
    return slt_table_add_status(table) < 0 ? SLT_ENOMEM : SLT_OK;
}

/* The lazy solver's points as featlearn points (q, tau unknown; ratio 1). */
static void solve_lazy(const dmft_rich_in *in, const slt_task *task, rich_row *r,
                       slt_dmft_point *lz)
{
    const size_t nt = in->tm->t.count;
    slt_dmft_params p = in->lazy;
    p.N = r->N;
    p.P = r->P;
    slt_dmft_edge e;
    int setup = dmft_lazy_solve(task, p, &in->tm->t, lz, &e);
    r->near_edge = !setup && e.near_edge;
    size_t bad = 0, first = nt;
    for (size_t i = 0; i < nt; i++)
        if (lz[i].status != SLT_OK && lz[i].status != SLT_EDIVERGE && !bad++) first = i;
    if (setup)
        fprintf(stderr, "slt dmft: %s: the set-up for this task failed (%s), no time "
                "computed: %s\n", r->at, slt_strerror(setup), slt_last_error());
    else if (bad)
        fprintf(stderr, "slt dmft: %s: %s at %zu of %zu times (first t = %.15g): %s\n", r->at,
                slt_strerror(lz[first].status), bad, nt, in->tm->t.values[first],
                slt_last_error());
    if (r->near_edge)
        fprintf(stderr, "slt dmft: warning: %s --eta %.15g is within three finite-size spreads "
                "of the stability limit %.6g of eta_eff*u_max (margin %.3g, spread %.3g): some "
                "finite models diverge; the rows say 'ok (near edge)'\n", r->at, p.eta,
                e.limit, e.margin, e.spread);
    for (size_t i = 0; i < nt; i++) {
        slt_featlearn_point *o = &r->pt[i];
        *o = (slt_featlearn_point){.t = lz[i].t, .test = lz[i].test, .test_err = lz[i].test_err,
                                   .train = lz[i].train, .train_err = lz[i].train_err,
                                   .slope = -lz[i].test_slope, /* the exponent: -d log L/d log t */
                                   .slope_err = lz[i].test_slope_err,
                                   .q = NAN, .q_err = NAN, .tau = NAN, .status = lz[i].status};
        const int ok = o->status == SLT_OK;
        r->ratio[i] = (slt_featlearn_ratio){.lazy = o->test, .lazy_err = o->test_err,
                                            .ratio = ok && o->test > 0 ? 1 : NAN,
                                            .ratio_err = ok && o->test > 0 ? 0 : NAN,
                                            .status = ok && o->test > 0 ? SLT_OK : SLT_EDOM};
    }
    r->tx = r->tx_err = NAN;
    r->tx_status = SLT_EDOM;
    if (!setup && !slt_featlearn_chi(task, 0, &r->chi)) return;
    r->chi = NAN;
}

/* Every point NaN with the status. */
static void fail_points(slt_featlearn_point *sp, const double *ts, size_t nt, int status)
{
    for (size_t i = 0; i < nt; i++)
        sp[i] = (slt_featlearn_point){.t = ts[i], .test = NAN, .test_err = NAN, .train = NAN,
                                      .train_err = NAN, .slope = NAN, .slope_err = NAN,
                                      .q = NAN, .q_err = NAN, .tau = NAN, .status = status};
}

/* An exit-2 refusal by the library (a case it does not solve, or a value it rejects). */
static int refused(int rc)
{
    return rc == SLT_EDOM || rc == SLT_EINVAL;
}

/* The rich points of one row: sorted times (whole steps with eta), solve, diagnostics,
 * back in the user's order. Returns 0, or an exit code for a refusal (message printed). */
static int solve_rich(const dmft_rich_in *in, const slt_task *task, rich_row *r,
                      const size_t *order, double *ts, slt_featlearn_point *sp,
                      slt_featlearn_ratio *sr)
{
    const size_t nt = in->tm->t.count;
    const double eta = in->lazy.eta;
    slt_featlearn_params p = slt_featlearn_params_default();
    p.gamma = r->gamma;
    p.N = r->N;
    p.P = r->P;
    p.eta = eta;
    p.batch = in->sgd ? in->lazy.batch : 0;
    p.method = in->method;
    p.max_march_work = in->max_work;
    for (size_t i = 0; i < nt; i++) {
        double t = in->tm->t.values[order[i]];
        ts[i] = eta > 0 && isfinite(t) ? round(t / eta) * eta : t;
    }
    r->chi = r->tx = r->tx_err = NAN;
    r->tx_status = SLT_EDOM;
    /* NOT_SOLVED marks points the library has not filled (a set-up failure, or a refusal
     * of the times before any point) */
    enum { NOT_SOLVED = -1 };
    fail_points(sp, ts, nt, NOT_SOLVED);
    slt_featlearn_workspace *w = NULL;
    int rc = slt_featlearn_alloc(task, &p, &w);
    if (!rc) {
        r->method = slt_featlearn_method_to_string(slt_featlearn_resolved_method(w));
        rc = slt_featlearn_solve(w, ts, nt, sp);
    }
    slt_featlearn_free(w);
    const int no_points = nt > 0 && sp[0].status == NOT_SOLVED;
    if (no_points && refused(rc)) /* a case the library does not solve, or a value it rejects */
        return cli_usage_error("dmft", "%s: %s", r->at, slt_last_error());
    if (no_points) fail_points(sp, ts, nt, rc); /* e.g. out of memory: every point failed */
    for (size_t i = 0; i < nt && rc; i++) /* never a NaN marked ok */
        if (sp[i].status == SLT_OK && !isfinite(sp[i].test)) sp[i].status = rc;
    else if (rc == SLT_ENOMEM) /* refused for memory after marking the points */
        for (size_t i = 0; i < nt; i++) sp[i].status = rc;
    if (rc) {
        size_t bad = 0, first = nt;
        for (size_t i = 0; i < nt; i++)
            if (sp[i].status != SLT_OK) {
                bad++;
                if (first == nt) first = i;
            }
        fprintf(stderr, "slt dmft: %s: %s at %zu of %zu times (first t = %.15g): %s\n", r->at,
                slt_strerror(rc), bad, nt, first < nt ? ts[first] : NAN, slt_last_error());
    }
    for (size_t i = 0; i < nt; i++)
        sr[i] = (slt_featlearn_ratio){.lazy = NAN, .lazy_err = NAN, .ratio = NAN,
                                      .ratio_err = NAN, .status = SLT_EDOM};
    if (in->diagnose && !no_points) {
        if (slt_featlearn_chi(task, r->gamma, &r->chi)) r->chi = NAN;
        int rr = slt_featlearn_lazy_ratio(task, &p, ts, nt, sp, sr);
        if (refused(rr) && sr[0].status == SLT_EDOM && isnan(sr[0].lazy))
            return cli_usage_error("dmft", "%s --diagnose (the lazy reference at gamma = 0): %s",
                                   r->at, slt_last_error());
        if (rr && !rc)
            fprintf(stderr, "slt dmft: %s --diagnose: the lazy reference L(gamma = 0) failed "
                    "(%s): %s; those rows say so\n", r->at, slt_strerror(rr), slt_last_error());
        double t_max = 0;
        for (size_t i = 0; i < nt; i++)
            if (isfinite(ts[i]) && ts[i] > t_max) t_max = ts[i];
        if (r->gamma > 0 && t_max > 0 && !rc) {
            r->tx_status = slt_featlearn_crossover(task, &p, t_max, &r->tx, &r->tx_err);
            if (r->tx_status == SLT_EDOM)
                fprintf(stderr, "slt dmft: %s --diagnose: no crossover within the times asked "
                        "for (column crossover null): %s\n", r->at, slt_last_error());
            else if (r->tx_status)
                fprintf(stderr, "slt dmft: %s --diagnose: the crossover time failed (%s): %s; "
                        "the rows say so\n", r->at, slt_strerror(r->tx_status), slt_last_error());
        }
    }
    for (size_t i = 0; i < nt; i++) { /* back in the user's order */
        r->pt[order[i]] = sp[i];
        r->ratio[order[i]] = sr[i];
    }
    return 0;
}

static int add_rows(const dmft_rich_in *in, const rich_row *r, const rich_cols *c,
                    slt_table *table, int *worst)
{
    const size_t nt = in->tm->t.count;
    for (size_t i = 0; i < nt; i++) {
        const slt_featlearn_point *o = &r->pt[i];
        long row = slt_table_add_row(table);
        if (row < 0) return slt_error(SLT_ENOMEM, "out of memory for the table's rows");
        size_t k = (size_t)row;
        slt_table_set_real(table, k, c->N, r->N, 0);
        slt_table_set_real(table, k, c->P, r->P, 0);
        slt_table_set_real(table, k, c->gamma, r->gamma, 0);
        if (c->step >= 0) slt_table_set_int(table, k, c->step, (long long)in->tm->steps.values[i]);
        slt_table_set_real(table, k, c->t, o->t, 0);
        slt_table_set_real(table, k, c->test, o->test, o->test_err);
        slt_table_set_real(table, k, c->train, o->train, o->train_err);
        slt_table_set_text(table, k, c->method, r->method);
        int status = o->status;
        if (in->diagnose) {
            const slt_featlearn_ratio *q = &r->ratio[i];
            slt_table_set_real(table, k, c->slope, o->slope, o->slope_err);
            slt_table_set_real(table, k, c->chi, r->chi, 0);
            slt_table_set_real(table, k, c->q, o->q, o->q_err);
            slt_table_set_real(table, k, c->tau, o->tau, 0);
            /* a failed diagnostic leaves its columns null and the row's own values and status
             * as they are (it was the γ = 0 reference or the crossover search that failed,
             * not this curve); the run still exits non-zero, and stderr says which */
            int dstat = SLT_OK;
            if (q->status == SLT_OK) slt_table_set_real(table, k, c->ratio, q->ratio, q->ratio_err);
            else if (q->status != SLT_EDOM) dstat = q->status;
            if (r->tx_status == SLT_OK) slt_table_set_real(table, k, c->cross, r->tx, r->tx_err);
            else if (r->tx_status != SLT_EDOM && !dstat) dstat = r->tx_status;
            if (dstat) {
                fprintf(stderr, "slt dmft: %s, t = %.15g: a diagnostic (%s) failed: %s; its "
                        "columns are null\n", r->at, o->t,
                        q->status != SLT_OK && q->status != SLT_EDOM ? "ratio_lazy" : "crossover",
                        slt_strerror(dstat));
                if (!*worst) *worst = dstat;
            }
        }
        if (status == SLT_EDIVERGE && r->lazy && !isfinite(o->t)) {
            slt_table_set_status(table, k, "divergent"); /* the lazy t = inf at N = P */
        } else if (status != SLT_OK) {
            slt_table_set_status(table, k, slt_strerror(status));
            if (!*worst) *worst = status;
        } else if (r->lazy && r->near_edge && in->tm->t.values[i] > 0) {
            slt_table_set_status(table, k, "ok (near edge)");
        }
    }
    return SLT_OK;
}

/* The order that sorts the times (stable), so that the library gets them nondecreasing. */
static int cmp_time(const void *a, const void *b, const double *t)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (t[i] < t[j]) return -1;
    if (t[i] > t[j]) return 1;
    return i < j ? -1 : i > j;
}

static void sort_order(const double *t, size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++) order[i] = i;
    for (size_t i = 1; i < n; i++) /* insertion sort: user lists are short or sorted */
        for (size_t j = i; j > 0 && cmp_time(&order[j - 1], &order[j], t) > 0; j--) {
            size_t s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
}

int dmft_rich_run(const dmft_rich_in *in, const slt_task *task)
{
    const char *cmd = "dmft";
    const size_t nt = in->tm->t.count;
    const size_t nN = in->Ns->count, nP = in->Ps->count, nG = in->gammas->count;
    const size_t rows = nN * nP * nG;
    slt_table *table = NULL;
    rich_cols cols;
    rich_row r = {0};
    size_t *order = malloc(nt * sizeof *order);
    double *ts = malloc(nt * sizeof *ts);
    slt_featlearn_point *sp = malloc(nt * sizeof *sp);
    slt_featlearn_ratio *sr = malloc(nt * sizeof *sr);
    slt_dmft_point *lz = malloc(nt * sizeof *lz);
    r.pt = malloc(nt * sizeof *r.pt);
    r.ratio = malloc(nt * sizeof *r.ratio);
    int rc = order && ts && sp && sr && lz && r.pt && r.ratio ? SLT_OK
                                                             : slt_error(SLT_ENOMEM, "out of memory");
    if (!rc) rc = slt_table_alloc(cmd, &table);
    if (!rc) rc = add_columns(in, task, table, &cols);
    if (!rc) sort_order(in->tm->t.values, nt, order);
    int worst = SLT_OK, code = 0;
    for (size_t k = 0; !rc && !code && k < rows; k++) {
        r.N = in->Ns->values[k / (nP * nG)];
        r.P = in->Ps->values[(k / nG) % nP];
        r.gamma = in->gammas->values[k % nG];
        r.lazy = r.gamma == 0 && !in->method_given;
        r.near_edge = 0;
        r.method = r.lazy ? DMFT_LAZY_LABEL : slt_featlearn_method_to_string(in->method);
        snprintf(r.at, sizeof r.at, "--N %.15g --P %.15g --gamma %.15g", r.N, r.P, r.gamma);
        if (rows > 4 || nt >= 10000 || (in->diagnose && !r.lazy && rows > 1))
            cli_progress(cmd, "N = %g, P = %g, gamma = %g (%zu of %zu)%s", r.N, r.P, r.gamma,
                         k + 1, rows, in->diagnose && !r.lazy
                                          ? ": the curve, the lazy reference and the crossover"
                                          : "");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (r.lazy) solve_lazy(in, task, &r, lz);
        else code = solve_rich(in, task, &r, order, ts, sp, sr);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const double secs =
            (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        if (!code && secs >= 2) /* long work: say what it was */
            cli_progress(cmd, "N = %g, P = %g, gamma = %g: %zu times in %.1f s (%s)", r.N, r.P,
                         r.gamma, nt, secs, r.method);
        if (!code) rc = add_rows(in, &r, &cols, table, &worst);
    }
    if (!code && rc) code = cli_library_error(cmd, rc);
    if (!code) code = cli_write_table(cmd, table, in->format);
    if (!code && worst) code = slt_exit_class(worst);
    free(order);
    free(ts);
    free(sp);
    free(sr);
    free(lz);
    free(r.pt);
    free(r.ratio);
    slt_table_free(table);
    return code;
}
