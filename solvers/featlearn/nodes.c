/* Spectral nodes for the rich DMFT (nodes.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_zeta.h>

#include "nodes.h"
#include "slt/status.h"

void fl_nodes_free(fl_nodes *n)
{
    if (!n) return;
    free(n->lambda);
    free(n->count);
    free(n->power);
    memset(n, 0, sizeof *n);
}

static int nodes_alloc(fl_nodes *n, size_t K)
{
    memset(n, 0, sizeof *n);
    n->lambda = malloc((K ? K : 1) * sizeof *n->lambda);
    n->count = malloc((K ? K : 1) * sizeof *n->count);
    n->power = malloc((K ? K : 1) * sizeof *n->power);
    if (!n->lambda || !n->count || !n->power) {
        fl_nodes_free(n);
        return slt_error(SLT_ENOMEM, "featlearn: out of memory (%zu spectral nodes)", K);
    }
    return SLT_OK;
}

int fl_nodes_exact(const slt_task *task, size_t max_nodes, fl_nodes *out)
{
    memset(out, 0, sizeof *out);
    slt_task_tail tl;
    if (slt_task_get_kind(task) != SLT_TASK_EXPLICIT || slt_task_get_tail(task, &tl) == SLT_OK) {
        slt_error_clear();
        return slt_error(SLT_EDOM, "featlearn: exact nodes need an explicit task of at most "
                         "%zu distinct eigenvalues; this task has M = inf (a power law at "
                         "M = inf, or a moment tail)", max_nodes);
    }
    slt_error_clear(); /* the probe above leaves "no tail" as the message */
    size_t nlev = slt_task_levels(task), K = 0;
    slt_level lv, prev = {0, 0, 0};
    for (size_t i = 1; i <= nlev; i++) {
        if (slt_task_level(task, i, &lv))
            return slt_error(SLT_EINTERNAL, "featlearn: level %zu: %s", i, slt_last_error());
        if (i == 1 || lv.lambda != prev.lambda) K++;
        prev = lv;
    }
    if (K > max_nodes)
        return slt_error(SLT_EDOM, "featlearn: the task has M = %zu distinct eigenvalues, more "
                         "than max_modes = %zu", K, max_nodes);
    int rc = nodes_alloc(out, K);
    if (rc) return rc;
    size_t k = 0;
    for (size_t i = 1; i <= nlev; i++) {
        slt_task_level(task, i, &lv);
        if (i > 1 && lv.lambda == out->lambda[k - 1]) {
            out->count[k - 1] += lv.mult;
            out->power[k - 1] += lv.power;
        } else {
            out->lambda[k] = lv.lambda;
            out->count[k] = lv.mult;
            out->power[k++] = lv.power;
        }
        out->trace += lv.mult * lv.lambda;
        out->power_total += lv.power;
    }
    out->K = K;
    out->exact = 1;
    return SLT_OK;
}

/* ---- spectrum quadrature -------------------------------------------------------- */

/* Σ_{k=a}^{b} k^{-s} (b = INFINITY: to ∞) as a Hurwitz ζ difference, with a bound */
static int zsum(double s, double a, double b, double *val, double *err)
{
    gsl_sf_result r1, r2 = {0, 0};
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int e1 = gsl_sf_hzeta_e(s, a, &r1);
    int e2 = isfinite(b) ? gsl_sf_hzeta_e(s, b + 1, &r2) : GSL_SUCCESS;
    gsl_set_error_handler(old);
    if (e1 || e2 || !isfinite(r1.val) || !isfinite(r2.val))
        return slt_error(SLT_ENOCONV, "featlearn: spectrum quadrature: Hurwitz zeta(%g, %g) "
                         "failed", s, e1 ? a : b + 1);
    *val = r1.val - r2.val;
    *err = r1.err + r2.err + 4 * DBL_EPSILON * (fabs(r1.val) + fabs(r2.val));
    return SLT_OK;
}

/* one group from its sums: power moments mu[i] = Σ t (λ/lref)^i (i = 0..2), trace TR, modes
 * n. Two nodes at the power-weighted mean λ ± its standard deviation, half the power each
 * (they keep Σ t λ^i, i <= 2); one node (the mean) when the spread is below rounding. The
 * 2-point Gauss rule (also keeping Σ t λ³) was measured 6–7 times less accurate at late
 * times (docs/theory/featlearn.md, "spectrum quadrature"); it is the fallback when
 * mean ± deviation leaves the group's range [lmin, lref] (a strongly skewed group), so the
 * nodes stay ordered. The counts split the group trace TR = Σ count·λ between the two
 * nodes so that the trace measure's first moment TR2 = Σ count·λ² is kept too (the march's
 * count sums, R_x and the noise, are trace-measure integrals of smooth functions of λ:
 * docs/theory/featlearn.md §9.9); when TR2/TR lies outside the two nodes (only possible
 * for a skewed group) each node takes its power share of the trace, count_i λ_i = TR·P_i/P.
 * TR2 <= 0: power shares. */
int fl_quad_count_moment = 1;

static void put_group(fl_nodes *o, const double *mu, double lref, double lmin, double TR,
                      double TR2, double n)
{
    if (!fl_quad_count_moment) TR2 = 0;
    size_t j = o->K;
    if (!(mu[0] > 0)) { /* no power: the plain mean */
        o->lambda[j] = TR / n;
        o->power[j] = 0;
        o->count[j] = n;
        o->K++;
        o->trace += TR;
        return;
    }
    double P = mu[0], m = mu[1] / P, var = mu[2] / P - m * m;
    if (!(var > 1e-12 * m * m)) {
        o->lambda[j] = m * lref;
        o->power[j] = P;
        o->count[j] = TR / (m * lref);
        o->K++;
    } else {
        double sd = sqrt(var), wp = P / 2, wm = P / 2;
        double lp = (m + sd) * lref, lm = (m - sd) * lref;
        if (!(lm >= lmin && lp <= lref)) { /* Gauss: roots of y² − c y − var, inside the range */
            double k3 = mu[3] / P - 3 * m * mu[2] / P + 2 * m * m * m;
            double c = k3 / var, r = sqrt(c * c + 4 * var);
            double yp = (c + r) / 2, ym = (c - r) / 2;
            wp = P * (-ym) / (yp - ym);
            wm = P * yp / (yp - ym);
            lp = (m + yp) * lref;
            lm = (m + ym) * lref;
        }
        double ap = TR * (wp / P), am = TR * (wm / P); /* trace shares */
        if (TR2 > 0 && lp > lm) {
            double xp = (TR2 - TR * lm) / (lp - lm);
            if (xp > 0 && xp < TR) {
                ap = xp;
                am = TR - xp;
            }
        }
        o->lambda[j] = lp;
        o->power[j] = wp;
        o->count[j] = ap / lp;
        o->lambda[j + 1] = lm;
        o->power[j + 1] = wm;
        o->count[j + 1] = am / lm;
        o->K += 2;
    }
    o->trace += TR;
    o->power_total += P;
}

static int quad_power_law(const slt_task *task, size_t head, size_t per_decade,
                          size_t max_nodes, fl_nodes *out)
{
    slt_power_law_params pl;
    if (slt_task_power_law(task, &pl)) return slt_error(SLT_EINTERNAL, "featlearn: not a power law");
    double st = pl.alpha * pl.beta + 1, sl = pl.alpha;
    double lam1 = pl.amp_lambda, lfloor = FL_QUAD_LAMBDA_FLOOR * lam1;
    double step = pow(10.0, 1.0 / (double)per_decade);
    /* count the groups first */
    size_t G = 0;
    double a = (double)head + 1, bnd = (double)head, kend = (double)head;
    for (;;) {
        bnd *= step;
        double b = floor(bnd);
        if (b < a) continue;
        G++;
        kend = b;
        if (pl.amp_lambda * pow(b, -pl.alpha) <= lfloor) break;
        a = b + 1;
    }
    size_t K = head + 2 * G + 1; /* at most: two nodes a group, one for the tail */
    if (K > max_nodes)
        return slt_error(SLT_EDOM, "featlearn: the spectrum quadrature of this power law needs "
                         "%zu nodes (head %zu, %zu per decade, down to lambda = %g lambda_1), "
                         "more than max_nodes = %zu", K, head, per_decade, FL_QUAD_LAMBDA_FLOOR,
                         max_nodes);
    int rc = nodes_alloc(out, K);
    if (rc) return rc;
    for (size_t k = 1; k <= head; k++) {
        out->lambda[out->K] = slt_task_lambda(task, k);
        out->count[out->K] = 1;
        out->power[out->K] = slt_task_target(task, k);
        out->trace += out->lambda[out->K];
        out->power_total += out->power[out->K++];
    }
    double perr = 8 * DBL_EPSILON * out->power_total, terr = 8 * DBL_EPSILON * out->trace;
    a = (double)head + 1;
    bnd = (double)head;
    for (size_t g = 0; g <= G; g++) {
        double b;
        if (g < G) {
            do {
                bnd *= step;
                b = floor(bnd);
            } while (b < a);
        } else {
            b = INFINITY;
        }
        /* moments in units of lref = λ_a: Σ t (λ/λ_a)^i = A_t a^{iα} Σ k^{-(st + iα)} */
        double mu[4], emu, TR, eTR, P, eP = 0;
        for (int i = 0; i < 4; i++) {
            if ((rc = zsum(st + i * sl, a, b, &mu[i], &emu))) break;
            mu[i] *= pl.amp_target * pow(a, i * sl);
            if (i == 0) eP = emu * pl.amp_target;
        }
        double TR2 = 0, eTR2;
        if (rc || (rc = zsum(sl, a, b, &TR, &eTR)) || (rc = zsum(2 * sl, a, b, &TR2, &eTR2))) {
            fl_nodes_free(out);
            return rc;
        }
        P = mu[0];
        TR *= pl.amp_lambda;
        TR2 *= pl.amp_lambda * pl.amp_lambda;
        eTR *= pl.amp_lambda;
        if (g == G) mu[2] = mu[3] = 0; /* the lumped tail: one node (its bound in solve.c) */
        put_group(out, mu, pl.amp_lambda * pow(a, -sl), isfinite(b) ? pl.amp_lambda * pow(b, -sl) : 0,
                  TR, TR2, isfinite(b) ? b - a + 1 : INFINITY);
        /* count·λ = TR·(1 ± rounding); the TL error only moves λ within the group */
        perr += eP + 4 * DBL_EPSILON * P;
        terr += eTR + 8 * DBL_EPSILON * TR;
        a = b + 1;
    }
    out->power_left = perr;
    out->trace_err = terr;
    out->head = head;
    out->tail_node = 1;
    out->k_end = kend;
    out->exact = 0;
    return SLT_OK;
}

int fl_nodes_quadrature(const slt_task *task, size_t head, size_t per_decade, size_t max_nodes,
                        fl_nodes *out)
{
    memset(out, 0, sizeof *out);
    if (!task || !head || !per_decade)
        return slt_error(SLT_EINVAL, "featlearn: spectrum quadrature: head = %zu, per_decade = "
                         "%zu (expected >= 1 each)", head, per_decade);
    slt_task_tail tl;
    if (slt_task_get_kind(task) == SLT_TASK_POWER_LAW)
        return quad_power_law(task, head, per_decade, max_nodes, out);
    if (slt_task_get_tail(task, &tl) == SLT_OK)
        return slt_error(SLT_EDOM, "featlearn: spectrum quadrature: this task has a moment tail "
                         "(known by its moments only, no eigenvalues to place nodes at); the "
                         "exact equations need eigenvalues: use method isotropic, an "
                         "approximation, or list the tail's levels explicitly");
    slt_error_clear();
    fl_nodes ex;
    int rc = fl_nodes_exact(task, (size_t)-1, &ex);
    if (rc) return rc;
    if (ex.K <= head) {
        if (ex.K > max_nodes) {
            fl_nodes_free(&ex);
            return slt_error(SLT_EDOM, "featlearn: the task has %zu distinct eigenvalues, more "
                             "than max_nodes = %zu", ex.K, max_nodes);
        }
        *out = ex;
        return SLT_OK;
    }
    double step = pow(10.0, 1.0 / (double)per_decade);
    /* pass 0 counts the nodes, pass 1 fills them */
    for (int pass = 0; pass < 2; pass++) {
        size_t K = head;
        double cum = 0;
        for (size_t j = 0; j < head; j++) {
            cum += ex.count[j];
            if (pass) {
                out->lambda[j] = ex.lambda[j];
                out->count[j] = ex.count[j];
                out->power[j] = ex.power[j];
                out->trace += ex.count[j] * ex.lambda[j];
                out->power_total += ex.power[j];
            }
        }
        out->K = head;
        double bnd = cum, mu[4] = {0, 0, 0, 0}, TR = 0, TR2 = 0, n = 0, lref = 0;
        for (size_t j = head; j < ex.K; j++) {
            if (n == 0) lref = ex.lambda[j];
            double x = ex.lambda[j] / lref;
            mu[0] += ex.power[j];
            mu[1] += ex.power[j] * x;
            mu[2] += ex.power[j] * x * x;
            mu[3] += ex.power[j] * x * x * x;
            TR += ex.count[j] * ex.lambda[j];
            TR2 += ex.count[j] * ex.lambda[j] * ex.lambda[j];
            n += ex.count[j];
            cum += ex.count[j];
            if (j + 1 == ex.K || cum >= bnd * step) {
                while (cum >= bnd * step) bnd *= step;
                if (pass) put_group(out, mu, lref, ex.lambda[j], TR, TR2, n);
                else K += 2;
                mu[0] = mu[1] = mu[2] = mu[3] = TR = TR2 = n = 0;
            }
        }
        if (!pass) {
            if (K > max_nodes) {
                fl_nodes_free(&ex);
                return slt_error(SLT_EDOM, "featlearn: the spectrum quadrature of this task "
                                 "needs %zu nodes (head %zu, %zu per decade), more than "
                                 "max_nodes = %zu", K, head, per_decade, max_nodes);
            }
            if ((rc = nodes_alloc(out, K))) {
                fl_nodes_free(&ex);
                return rc;
            }
        }
    }
    out->power_left = 8 * DBL_EPSILON * (double)out->K * ex.power_total;
    out->trace_err = 8 * DBL_EPSILON * (double)out->K * ex.trace;
    out->head = head;
    out->exact = 0;
    fl_nodes_free(&ex);
    return SLT_OK;
}
