/* The effective ridge κ: the one real root finder behind statics and the DMFT
 * (docs/theory/statics.md §2, docs/theory/dmft.md §1).
 *
 * κ solves κ (1 − df(κ)/N)(1 − df(κ)/P) = z on the physical branch. With n = min(N, P),
 * m = max(N, P) it is found as the sign change of
 *     F(κ) = (1 − df(κ)/n) − z / (κ (1 − df(κ)/m))        (taken as (1 − df/n) − 1 where
 *                                                          1 − df/m <= 0, and = 1 − df/n
 *                                                          when z = 0)
 * which is increasing on the physical branch and negative below it, so it has exactly one
 * sign change, at the physical root (docs/theory/statics.md §2). Brent's method runs on
 * s = log κ in a bracket proven to contain it. */
#include "task_internal.h"

#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_zeta.h>

#include "slt/status.h"

#define EPS DBL_EPSILON

slt_kappa_options slt_kappa_options_default(void)
{
    slt_kappa_options o = {.rel_tol = 1e-14, .log_rel_tol = 4.0 * EPS, .max_iter = 200,
                           .method = SLT_KAPPA_RATIO_PROVEN, .kappa_star = -1.0};
    return o;
}

static int check_options(const slt_kappa_options *o, const char *where)
{
    if (!(o->rel_tol == 0.0 || (o->rel_tol >= 1e-16 && o->rel_tol <= 1e-3)))
        return slt_error(SLT_EINVAL, "%s: rel_tol = %.17g is out of range (expected 0, or "
                         "1e-16 <= rel_tol <= 0.001)", where, o->rel_tol);
    if (!(o->log_rel_tol >= 0.0 && o->log_rel_tol <= 1e-3))
        return slt_error(SLT_EINVAL, "%s: log_rel_tol = %.17g is out of range (expected 0 <= "
                         "log_rel_tol <= 0.001)", where, o->log_rel_tol);
    if (o->rel_tol == 0.0 && o->log_rel_tol < 1e-16)
        return slt_error(SLT_EINVAL, "%s: rel_tol = 0 and log_rel_tol = %.17g: no stopping "
                         "test (expected one of them >= 1e-16)", where, o->log_rel_tol);
    if (!isfinite(o->kappa_star))
        return slt_error(SLT_EINVAL, "%s: kappa_star = %.17g is not finite (expected kappa_n "
                         ">= 0, or < 0 for unknown)", where, o->kappa_star);
    if (o->method != SLT_KAPPA_RATIO_PROVEN && o->method != SLT_KAPPA_PRODUCT_SEARCH)
        return slt_error(SLT_EINVAL, "%s: method = %d is not a slt_kappa_method", where,
                         (int)o->method);
    if (o->max_iter < 1 || o->max_iter > 100000)
        return slt_error(SLT_EINVAL, "%s: max_iter = %d is out of range (expected 1 <= max_iter "
                         "<= 100000)", where, o->max_iter);
    return SLT_OK;
}

static double trace_term(double lambda, double target, void *ctx)
{
    (void)target;
    (void)ctx;
    return lambda;
}

/* An upper bound on Σ_k λ_k, which the upper bracket needs. Power laws: A ζ(α) in closed
 * form (the general sum's quadrature tail cannot reach its tolerance for α near 1). */
static int trace_bound(const slt_task *task, double *trace)
{
    if (task->kind == SLT_TASK_POWER_LAW) {
        gsl_sf_result zeta;
        if (gsl_sf_zeta_e(task->law.alpha, &zeta) || !isfinite(zeta.val))
            return slt_error(SLT_EINTERNAL, "slt_task_kappa: zeta(alpha = %.17g) failed",
                             task->law.alpha);
        *trace = task->law.amp_lambda * (zeta.val + 2.0 * zeta.err) * (1.0 + 1e-12);
        return SLT_OK;
    }
    slt_sum tr;
    int rc = slt_sum_trace(task, &tr); /* the generic sum's loop, bit for bit; and tails */
    if (rc) return rc;
    *trace = tr.value + tr.err; /* an upper bound keeps the bracket proof valid */
    return SLT_OK;
}

/* Σ_k λ_k as the sum gives it: the scale the search bracket starts from. */
static int trace_sum(const slt_task *task, double *trace)
{
    slt_sum tr;
    /* explicit: slt_sum_trace is the generic loop bit for bit (and works with a tail);
     * power laws keep the general engine's value, which their brackets start from */
    int rc = task->kind == SLT_TASK_EXPLICIT ? slt_sum_trace(task, &tr)
                                              : slt_task_sum(task, trace_term, NULL, NULL, &tr);
    *trace = tr.value;
    return rc;
}

/* λ_j for a real index j >= 1 (power laws: any j; explicit: j <= M). */
static double lambda_at(const slt_task *task, double j)
{
    if (task->kind == SLT_TASK_POWER_LAW) return task->law.amp_lambda * pow(j, -task->law.alpha);
    return slt_task_lambda(task, (size_t)j);
}

/* 1 − D/X, exact 1 for X = ∞ and exact 0 for D = X. */
static double one_minus(double D, double X) { return isinf(X) ? 1.0 : (X - D) / X; }

typedef struct {
    const slt_task *task;
    double n, m, z;
    double inv_N, inv_P; /* 1/N, 1/P (0 for ∞): the product form */
    int status;
} root_ctx;

/* df at κ into *d; a failed sum is kept in c->status (the first one) and gives NaN */
static int df_at(root_ctx *c, double kappa, slt_sum *d)
{
    int rc = slt_sum_df(c->task, kappa, d);
    if (rc && !c->status) c->status = rc;
    return rc;
}

static double root_fn(double s, void *vctx)
{
    root_ctx *c = vctx;
    double kappa = exp(s);
    slt_sum d;
    if (df_at(c, kappa, &d)) return NAN;
    double u = one_minus(d.value, c->n);
    if (c->z == 0.0) return u;
    double w = one_minus(d.value, c->m);
    if (w <= 0.0) return u - 1.0; /* unphysical side: both factors <= 0; keep F < 0 */
    return u - c->z / (kappa * w);
}

/* The product form Φ(κ) = κ (1 − df/P)(1 − df/N) − z; at z = 0 (the ridgeless root κ_n)
 * df − n. */
static double product_fn(double s, void *vctx)
{
    root_ctx *c = vctx;
    double kappa = exp(s);
    slt_sum d;
    if (df_at(c, kappa, &d)) return NAN;
    if (c->z == 0.0) return d.value - c->n;
    double r1 = 1.0 - d.value * c->inv_P, r3 = 1.0 - d.value * c->inv_N;
    return kappa * r1 * r3 - c->z;
}

/* The searched bracket of SLT_KAPPA_PRODUCT_SEARCH on s = log κ. z = 0: df falls from M
 * (or ∞) at κ = 0 to 0 at κ = ∞, so from log(Σλ/n) ∓ 1 step out by 2 until df − n changes
 * sign. z > 0: Φ(κ_n) = −z < 0, Φ increases above κ_n and Φ(κ) → +∞; from just above κ_n
 * (or log z − 40 when κ_n = 0) and log max(2z, 2κ_n) step out until Φ changes sign. */
static int search_bracket(root_ctx *c, double M, const slt_kappa_options *o, double *slo,
                          double *shi)
{
    double lo, hi;
    int k, rc;
    *slo = *shi = NAN;
    if (c->z == 0.0) {
        double trace = NAN;
        if ((rc = trace_sum(c->task, &trace))) return rc;
        lo = log(trace / c->n) - 1.0;
        hi = lo + 2.0;
        for (k = 0; k < 400 && product_fn(lo, c) <= 0; k++) lo -= 2.0;
        for (k = 0; k < 400 && product_fn(hi, c) >= 0; k++) hi += 2.0;
    } else {
        double ks = 0.0;
        if (o->kappa_star >= 0.0) {
            ks = o->kappa_star; /* the caller's κ_n, checked: a wrong one misplaces the bracket */
            const int has_root = !isinf(c->n) && c->n < M;
            slt_sum d = {.value = NAN, .err = NAN};
            if (ks > 0.0 && (rc = slt_sum_df(c->task, ks, &d))) return rc;
            /* 1e-6: κ_n comes from a Brent solve to at most rel_tol 1e-6 in log κ, and
             * |d log df/d log κ| <= 1, so df(κ_n) is within 1e-6 n; a wrong κ_n is off by
             * far more */
            if (has_root ? !(ks > 0.0 && fabs(d.value - c->n) <= 1e-6 * c->n + d.err)
                         : ks != 0.0)
                return slt_error(SLT_EINVAL, "slt_task_kappa: kappa_star = %.17g is not the "
                                 "ridgeless root for n = %.17g (df(kappa_star) = %.17g; expected "
                                 "%s)", ks, c->n, d.value,
                                 has_root ? "df = n" : "0: n is at least the number of modes");
        } else if (!isinf(c->n) && c->n < M) {
            slt_kappa_result r;
            if ((rc = slt_task_kappa(c->task, c->n, INFINITY, 0.0, o, &r))) return rc;
            ks = r.kappa;
        }
        lo = ks > 0 ? log(ks) + 1e-12 : log(c->z) - 40.0;
        hi = log(fmax(2.0 * c->z, 2.0 * ks) + DBL_MIN);
        for (k = 0; k < 400 && product_fn(hi, c) <= 0; k++) hi += 1.0;
        if (ks == 0.0)
            for (k = 0; k < 400 && product_fn(lo, c) >= 0; k++) lo -= 5.0;
    }
    *slo = lo;
    *shi = hi;
    return c->status;
}

/* The proven bracket of SLT_KAPPA_RATIO_PROVEN on κ (docs/theory/statics.md §2). */
static int proven_bracket(const slt_task *task, double N, double P, double z, double M,
                          double *lo_out, double *hi_out)
{
    const double n = fmin(N, P);
    double trace = NAN;
    int status = trace_bound(task, &trace);
    if (status) return status;
    /* Upper bracket: df(κ) <= Σλ/κ, so at κ_hi = 8z + 2Σλ/n, 1 − df/n >= ½ and
       F >= ½ − 2z/κ_hi >= ¼ > 0. */
    double hi = 8.0 * z + 2.0 * trace / n;
    /* Lower bracket. Ridgeless root κ₀ (df(κ₀) = n < M): at κ = λ_j with j = ⌊2n⌋ + 1,
       the j modes with λ_k >= κ give df >= j/2 > n; if j > M, κ = λ_M (M/n − 1)/2 gives
       df >= 2Mn/(M + n) > n. With z > 0, F(z) < 0 (F = u − 1/w <= u − 1 < 0). */
    double lo = z;
    if (n < M) {
        double j = floor(2.0 * n) + 1.0, lo0;
        if (j <= M) lo0 = lambda_at(task, j);
        else lo0 = lambda_at(task, M) * (M / n - 1.0) / 2.0;
        if (task->has_tail && isnan(lo0)) {
            /* mode j lies in the moment tail: from the smallest of λ_last and λ_sup, step
             * κ down ×4 until df(κ) > n (F < 0 there: 1 − df/n < 0) */
            double k = fmin(task->lambda[task->m - 1], task->tail.lambda_sup);
            slt_sum d;
            int i;
            for (i = 0; i < 400; i++, k *= 0.25) {
                int rc = slt_sum_df(task, k, &d);
                if (rc) return rc;
                if (d.value - d.err > n) break;
            }
            if (i == 400)
                return slt_error(SLT_EDOM, "slt_task_kappa: min(N, P) = %.17g exceeds what the "
                                 "task resolves (df stays below it down to kappa = %.3g; the "
                                 "listed levels and the tail's modes are too few)", n, k);
            lo0 = k;
        }
        lo = fmax(lo, lo0);
    }
    if (!(lo > 0.0) || !(hi > lo) || !isfinite(hi))
        return slt_error(SLT_ENOCONV, "slt_task_kappa: no root bracket for N = %.17g, P = "
                         "%.17g, ridge = %.17g (bracket [%.3g, %.3g])", N, P, z, lo, hi);
    *lo_out = lo;
    *hi_out = hi;
    return SLT_OK;
}

/* Brent on s = log κ. Sets out->kappa, out->iterations, out->root; returns a status and
 * the root's error in s from the final interval (*ds). */
static int brent_log_kappa(const slt_task *task, double N, double P, double z, double M,
                           const slt_kappa_options *o, slt_kappa_result *out, double *ds)
{
    const int proven = o->method == SLT_KAPPA_RATIO_PROVEN;
    root_ctx ctx = {task, fmin(N, P), fmax(N, P), z, isinf(N) ? 0.0 : 1.0 / N,
                    isinf(P) ? 0.0 : 1.0 / P, SLT_OK};
    double slo, shi;
    int status;
    if (proven) {
        double lo = NAN, hi = NAN;
        if ((status = proven_bracket(task, N, P, z, M, &lo, &hi))) return status;
        slo = log(lo);
        shi = log(hi);
    } else if ((status = search_bracket(&ctx, M, o, &slo, &shi))) {
        return status;
    }
    gsl_function fn = {proven ? root_fn : product_fn, &ctx};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return slt_error(SLT_ENOMEM, "slt_task_kappa: out of memory");
    int grc = gsl_root_fsolver_set(s, &fn, slo, shi);
    /* A proven bracket: widening only guards against rounding at its ends. */
    for (int widen = 0; proven && widen < 7 && grc == GSL_EINVAL && !ctx.status; widen++) {
        slo -= log(4.0);
        shi += log(4.0);
        grc = gsl_root_fsolver_set(s, &fn, slo, shi);
    }
    if (ctx.status) {
        status = ctx.status;
    } else if (grc) {
        status = slt_error(SLT_ENOCONV, "slt_task_kappa: the effective-ridge equation does not "
                           "change sign on [%.3g, %.3g] (N = %.17g, P = %.17g, ridge = %.17g)",
                           exp(slo), exp(shi), N, P, z);
    }
    int iter = 0, converged = 0;
    while (!status && iter < o->max_iter) {
        iter++;
        grc = gsl_root_fsolver_iterate(s);
        if (ctx.status) {
            status = ctx.status;
            break;
        }
        if (grc) {
            status = slt_error(SLT_ENOCONV, "slt_task_kappa: Brent iteration failed (%s) at "
                               "N = %.17g, P = %.17g, ridge = %.17g", gsl_strerror(grc), N, P, z);
            break;
        }
        double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(a, b, o->rel_tol, o->log_rel_tol) == GSL_SUCCESS) {
            converged = 1;
            *ds = b - a;
            break;
        }
    }
    out->iterations = iter;
    if (!status && !converged) {
        out->root = SLT_KAPPA_MAX_ITER;
        double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
        status = slt_error(SLT_ENOCONV, "slt_task_kappa: Brent did not reach rel_tol = %.3g in "
                           "max_iter = %d iterations (N = %.17g, P = %.17g, ridge = %.17g; "
                           "log-kappa interval width %.3g)", o->rel_tol, o->max_iter, N, P, z,
                           b - a);
    } else if (!status) {
        out->root = SLT_KAPPA_CONVERGED;
        out->kappa = exp(gsl_root_fsolver_root(s));
    }
    gsl_root_fsolver_free(s);
    return status;
}

static void set_nan(slt_kappa_result *out)
{
    out->kappa = out->kappa_err = out->log_err = NAN;
    out->df = out->df2 = (slt_sum){NAN, NAN, 0};
    out->iterations = 0;
    out->root = SLT_KAPPA_FAILED;
}

int slt_task_kappa(const slt_task *task, double N, double P, double ridge,
                   const slt_kappa_options *opts, slt_kappa_result *out)
{
    static const char *where = "slt_task_kappa";
    if (!out) return slt_error(SLT_EINVAL, "%s: NULL result", where);
    set_nan(out);
    if (!task) return slt_error(SLT_EINVAL, "%s: NULL task", where);
    slt_kappa_options o = opts ? *opts : slt_kappa_options_default();
    int rc;
    if ((rc = check_options(&o, where))) return rc;
    if ((rc = slt_check_range(where, "N", N, 0.0, 1, INFINITY, 0))) return rc;
    if ((rc = slt_check_range(where, "P", P, 0.0, 1, INFINITY, 0))) return rc;
    if ((rc = slt_check_range(where, "ridge", ridge, 0.0, 0, INFINITY, 1))) return rc;

    const double n = fmin(N, P), z = ridge;
    const double M = slt_task_modes_total(task); /* Σ multiplicities of a level task */
    if (z == 0.0 && n >= M) {
        /* κ = 0: every mode is learned; df = df₂ = M (or the N = P = ∞ limit) */
        out->kappa = out->kappa_err = out->log_err = 0.0;
        out->df = out->df2 = (slt_sum){M, 0.0, 0};
        out->root = SLT_KAPPA_EXACT;
        return SLT_OK;
    }
    double ds = 0.0; /* error of s = log κ */
    if (isinf(n) && o.method == SLT_KAPPA_RATIO_PROVEN) {
        out->kappa = z; /* N = P = ∞: κ = z */
        out->root = SLT_KAPPA_EXACT;
    } else if ((rc = brent_log_kappa(task, N, P, z, M, &o, out, &ds))) {
        int iterations = out->iterations;
        slt_kappa_root root = out->root == SLT_KAPPA_MAX_ITER ? SLT_KAPPA_MAX_ITER
                                                               : SLT_KAPPA_FAILED;
        set_nan(out);
        out->iterations = iterations;
        out->root = root;
        return rc;
    }
    const double kappa = out->kappa;
    slt_sum d1, d2;
    if ((rc = slt_sum_df(task, kappa, &d1)) || (rc = slt_sum_df2(task, kappa, &d2))) {
        int iterations = out->iterations;
        set_nan(out);
        out->iterations = iterations;
        return rc;
    }
    /* the df sum's error moves the root: δs = |∂F/∂D₁| err(D₁) / |dF/ds| */
    if (!isinf(n)) {
        double D1 = d1.value, Delta = D1 - d2.value;
        double m = fmax(N, P), invn = 1.0 / n, invm = isinf(m) ? 0.0 : 1.0 / m;
        double dFdD, dFds;
        if (z == 0.0) {
            dFdD = invn;
            dFds = invn * Delta;
        } else {
            double w = one_minus(D1, m), zk = z / kappa;
            dFdD = invn + zk * invm / (w * w);
            dFds = zk / w + dFdD * Delta;
        }
        if (dFds > 0.0) ds += dFdD * d1.err / dFds;
        else ds = INFINITY;
    }
    out->log_err = ds;
    out->kappa_err = kappa * expm1(ds);
    out->df = d1;
    out->df2 = d2;
    return SLT_OK;
}

int slt_task_kappa_star(const slt_task *task, double n, const slt_kappa_options *opts,
                        slt_kappa_result *out)
{
    if (!out) return slt_error(SLT_EINVAL, "slt_task_kappa_star: NULL result");
    int rc = slt_check_range("slt_task_kappa_star", "n", n, 0.0, 1, INFINITY, 0);
    if (rc) {
        set_nan(out);
        return rc;
    }
    return slt_task_kappa(task, n, INFINITY, 0.0, opts, out);
}
