/* Diagnostics of the rich DMFT (include/slt/featlearn.h, "Diagnostics"; docs/theory/
 * featlearn.md, status table): the predicted exponent χ, the ratio L_rich/L_lazy at the
 * same t, and the lazy→rich crossover time γ·q(t_×) = 1. Every value comes from the public
 * solver (slt_featlearn_alloc/solve) and the exponent table; nothing here prints. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "slt/exponents.h"
#include "slt/featlearn.h"
#include "slt/status.h"
#include "slt/task.h"

int slt_featlearn_chi(const slt_task *task, double gamma, double *chi)
{
    if (!task || !chi) return slt_error(SLT_EINVAL, "slt_featlearn_chi: NULL argument");
    *chi = NAN;
    if (!(gamma >= 0))
        return slt_error(SLT_EINVAL, "slt_featlearn_chi: gamma = %g is out of range (expected "
                         "gamma >= 0)", gamma);
    if (slt_task_get_kind(task) != SLT_TASK_POWER_LAW)
        return slt_error(SLT_EDOM, "slt_featlearn_chi: the task is not a power law (alpha, "
                         "beta): no predicted exponent");
    slt_power_law_params pl;
    int rc = slt_task_power_law(task, &pl);
    if (rc) return rc;
    size_t n = slt_exponents_count();
    slt_exponent_row *rows = malloc(n * sizeof *rows);
    if (!rows) return slt_error(SLT_ENOMEM, "slt_featlearn_chi: out of memory");
    rc = slt_exponents_compute(pl.alpha, pl.beta, rows, n, &n);
    if (!rc) {
        const slt_exponent_row *r = slt_exponents_find(rows, n, "time");
        if (!r) rc = slt_error(SLT_EINTERNAL, "slt_featlearn_chi: no row 'time' in the "
                               "exponent table");
        else *chi = gamma > 0 ? r->rich : r->lazy;
    }
    free(rows);
    return rc;
}

int slt_featlearn_lazy_ratio(const slt_task *task, const slt_featlearn_params *p,
                             const double *times, size_t n, const slt_featlearn_point *rich,
                             slt_featlearn_ratio *out)
{
    if (!task || !p || (n && (!times || !rich || !out)))
        return slt_error(SLT_EINVAL, "slt_featlearn_lazy_ratio: NULL argument");
    if (n == 0) return SLT_OK;
    slt_featlearn_params q = *p;
    q.gamma = 0;
    slt_featlearn_workspace *w = NULL;
    int rc = slt_featlearn_alloc(task, &q, &w);
    if (rc) return rc;
    slt_featlearn_point *lz = malloc(n * sizeof *lz);
    if (!lz) {
        slt_featlearn_free(w);
        return slt_error(SLT_ENOMEM, "slt_featlearn_lazy_ratio: out of memory (%zu times)", n);
    }
    rc = slt_featlearn_solve(w, times, n, lz);
    slt_featlearn_free(w);
    if (rc == SLT_EINVAL || rc == SLT_EDOM || rc == SLT_ENOMEM) { /* before any point */
        free(lz);
        return rc;
    }
    char msg[512] = "";
    if (rc) snprintf(msg, sizeof msg, "%s", slt_last_error());
    int status = SLT_OK;
    for (size_t i = 0; i < n; i++) {
        slt_featlearn_ratio *o = &out[i];
        const slt_featlearn_point *r = &rich[i], *l = &lz[i];
        o->lazy = l->test;
        o->lazy_err = l->test_err;
        o->ratio = o->ratio_err = NAN;
        o->status = r->status != SLT_OK ? r->status : l->status;
        if (o->status == SLT_OK && !(l->test > 0)) {
            o->status = SLT_EDOM; /* 0/0 at t = ∞, N = ∞ (a defined lazy value, no ratio) */
            continue;
        }
        if (o->status != SLT_OK) {
            if (!status) {
                status = o->status;
                if (r->status != SLT_OK)
                    snprintf(msg, sizeof msg, "slt_featlearn_lazy_ratio: the rich point at "
                             "t = %g failed (%s)", times[i], slt_strerror(r->status));
            }
            continue;
        }
        o->ratio = r->test / l->test;
        /* r·(e_r/L_r + e_l/L_l), written so that L_r = 0 needs no division by it */
        o->ratio_err = r->test_err / l->test + fabs(o->ratio) * l->test_err / l->test;
    }
    free(lz);
    if (status) return slt_error(status, "%s", msg);
    return SLT_OK;
}

/* Solves at times[0..n-1] and keeps q and its error. The solver's status. */
static int solve_q(slt_featlearn_workspace *w, const double *times, size_t n,
                   slt_featlearn_point *pt)
{
    int rc = slt_featlearn_solve(w, times, n, pt);
    for (size_t i = 0; !rc && i < n; i++)
        if (pt[i].status != SLT_OK || !isfinite(pt[i].q) || !isfinite(pt[i].q_err))
            rc = slt_error(SLT_ELOSS, "slt_featlearn_crossover: q(t = %g) came out as %g +- %g",
                           times[i], pt[i].q, pt[i].q_err);
    return rc;
}

/* Subintervals per refinement round, rounds, and the scan's grid. */
enum { XO_SUB = 32, XO_ROUNDS = 4, XO_PER_DECADE = 8, XO_DECADES = 10 };

int slt_featlearn_crossover(const slt_task *task, const slt_featlearn_params *p, double t_max,
                            double *t_x, double *t_x_err)
{
    const char *fn = "slt_featlearn_crossover";
    if (!task || !p || !t_x || !t_x_err) return slt_error(SLT_EINVAL, "%s: NULL argument", fn);
    *t_x = *t_x_err = NAN;
    if (!(t_max > 0) || !isfinite(t_max))
        return slt_error(SLT_EINVAL, "%s: t_max = %g is out of range (expected 0 < t_max < inf)",
                         fn, t_max);
    if (!(p->gamma > 0))
        return slt_error(SLT_EDOM, "%s: gamma = %g: no lazy->rich crossover (gamma q(t) = 1 "
                         "needs gamma > 0)", fn, p->gamma);
    const double gamma = p->gamma, eta = p->eta;
    slt_featlearn_workspace *w = NULL;
    int rc = slt_featlearn_alloc(task, p, &w);
    if (rc) return rc;
    enum { NMAX = XO_PER_DECADE * XO_DECADES + 2 > XO_SUB + 1 ? XO_PER_DECADE * XO_DECADES + 2
                                                                : XO_SUB + 1 };
    double t[NMAX];
    slt_featlearn_point pt[NMAX];
    /* the scan: t = 0, then log-spaced up to t_max (whole steps with eta > 0, each once) */
    size_t n = 0;
    t[n++] = 0;
    for (int k = 0; k <= XO_PER_DECADE * XO_DECADES; k++) {
        double tk = k == XO_PER_DECADE * XO_DECADES
                        ? t_max
                        : t_max * pow(10.0, (double)(k - XO_PER_DECADE * XO_DECADES) / XO_PER_DECADE);
        if (eta > 0) tk = round(tk / eta) * eta;
        if (tk > t[n - 1]) t[n++] = tk;
    }
    rc = solve_q(w, t, n, pt);
    double a = 0, b = 0, qa = 0, qb = 0, ea = 0, eb = 0;
    size_t j = 1;
    while (!rc && j < n && gamma * pt[j].q < 1) j++;
    if (!rc && j == n) {
        double reached = gamma * pt[n - 1].q;
        slt_featlearn_free(w);
        return slt_error(SLT_EDOM, "%s: gamma q(t) = %.6g < 1 at t_max = %g: the crossover lies "
                         "beyond the horizon (ask for later times)", fn, reached, t[n - 1]);
    }
    if (!rc) {
        a = t[j - 1], b = t[j], qa = pt[j - 1].q, qb = pt[j].q;
        ea = pt[j - 1].q_err, eb = pt[j].q_err;
    }
    /* refinement: equal subintervals of [a, b], the first crossing kept */
    for (int round_ = 0; !rc && round_ < XO_ROUNDS; round_++) {
        if (eta > 0 && b - a <= 1.5 * eta) break; /* consecutive steps */
        if (b - a <= 1e-12 * b) break;
        n = 0;
        for (int s = 1; s < XO_SUB; s++) {
            double ts = a + (b - a) * s / XO_SUB;
            if (eta > 0) ts = round(ts / eta) * eta;
            if (ts > a && ts < b && (n == 0 || ts > t[n - 1])) t[n++] = ts;
        }
        if (n == 0) break;
        rc = solve_q(w, t, n, pt);
        if (rc) break;
        size_t m = 0;
        while (m < n && gamma * pt[m].q < 1) m++;
        if (m > 0) a = t[m - 1], qa = pt[m - 1].q, ea = pt[m - 1].q_err;
        if (m < n) b = t[m], qb = pt[m].q, eb = pt[m].q_err;
    }
    slt_featlearn_free(w);
    if (rc) return rc;
    const double slope = (qb - qa) / (b - a); /* > 0: qa < 1/γ <= qb */
    *t_x = a + (b - a) * (1 / gamma - qa) / (qb - qa);
    *t_x_err = (b - a) + (ea > eb ? ea : eb) / slope;
    if (!isfinite(*t_x) || !isfinite(*t_x_err)) {
        double v = *t_x, e = *t_x_err;
        *t_x = *t_x_err = NAN;
        return slt_error(SLT_ELOSS, "%s: t_x came out as %g +- %g (bracket [%g, %g])", fn, v, e,
                         a, b);
    }
    return SLT_OK;
}
