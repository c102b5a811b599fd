/* The tail beyond lmax on the sphere (docs/theory/kernels.md, "the tail beyond lmax"):
 * the moments M_j = Σ_{ℓ>lmax} N μ_ℓ^j and T_j = Σ_{ℓ>lmax} P_ℓ μ_ℓ^j of a kernel's
 * spectrum past the computed degrees, for the teachers of slt_kernels_target, and the
 * level task of the computed degrees. M_1 is the trace identity; the others are a second
 * spectrum summed to l_far plus a remainder from the local decay, bracketed with Hurwitz ζ
 * and the multiplicity bounds. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_zeta.h>

#include "kernels_internal.h"
#include "slt/status.h"

#define TAIL_SER (2 * SLT_TAIL_MOMENTS + 2) /* M_1 … M_max(n_mom,2), T_0 … T_{n_mom−1}  */
#define TAIL_LFAR_MAX 100000          /* the spectrum's largest lmax                     */
#define TAIL_REM_TOL 1e-6             /* remainder of M_2 relative to M_2                */
#define ZONAL_LEVEL_TOL 1e-9          /* quadrature error of a zonal target's levels     */
#define TAIL_LFAR_TRACE 16384         /* l_far is raised for the trace check's model only to here */
#define TAIL_CHEAP_NODES 300          /* extra quadrature nodes of a cheap far spectrum  */

/* forcing flags of kn_tail_moments_forced (tests): the model-free bracket for every
 * remainder; no spectrum past lmax (as for a kernel whose far spectrum is expensive) */
#define KN_TAIL_NO_MODEL 1
#define KN_TAIL_NO_FAR 2

/* The degrees past lmax are summed one by one (a second spectrum to l_far) only where
 * that spectrum is cheap: a finite expansion (to its top degree), or a kernel with an
 * endpoint expansion for every degree (ReLU family, Laplace) whose quadrature part needs
 * few extra nodes (Laplace: width >= 12/TAIL_CHEAP_NODES). Others (the Gaussian, whose
 * super-exponential decay has no power-law model anyway; table kernels, quadrature at
 * every degree: minutes at l_far ~ 1000) get the model-free bracket from lmax on. */
static int far_cheap(const kn_kernel_type *kt, const slt_kernels_params *p, size_t top)
{
    if (top) return 1;
    if (!kt || !kt->sphere_endpoint) return 0;
    return !kt->sphere_quad_nodes || kt->sphere_quad_nodes(p) <= TAIL_CHEAP_NODES;
}

/* ln of Σ_{k>=1} (1 + k/a)^{-p} (p > 1, a > 0) as a bracket [*lo, *hi]: a^p ζ(p, a+1)
 * by Hurwitz ζ where it does not underflow, within the integral bracket
 * ∫_1^∞ <= Σ <= ∫_0^∞, i.e. [a/(p−1)·(1+1/a)^{1−p}, a/(p−1)], which is used alone
 * otherwise. */
static void shifted_sum(double p, double a, double *lo, double *hi)
{
    double ihi = log(a / (p - 1.0)), ilo = ihi + (1.0 - p) * log1p(1.0 / a);
    *lo = ilo;
    *hi = ihi;
    if ((p - 1.0) * log(a + 1.0) < 600.0) {
        gsl_sf_result z;
        if (!gsl_sf_hzeta_e(p, a + 1.0, &z) && z.val > 0.0 && isfinite(z.val)) {
            double l = p * log(a) + log(z.val);
            double e = z.err / z.val + 8.0 * KN_EPS * (1.0 + fabs(p * log(a)));
            *lo = fmax(ilo, l - 2.0 * e);
            *hi = fmin(ihi, l + 2.0 * e);
            if (*lo > *hi) { /* cannot happen beyond rounding: keep the integral bracket */
                *lo = ilo;
                *hi = ihi;
            }
        }
    }
}

/* The decay of one parity class near X = its last degree <= L: μ ≈ μ_X (X/ℓ)^s. */
typedef struct {
    int empty;             /* structural zeros (or underflow: under = 1)                  */
    int under;             /* μ_X underflows a double                                     */
    size_t X;
    double ln_mu_hi, ln_mu_lo; /* ln(μ_X ± err)                                           */
    double ln_mult;        /* ln N(d, X)                                                  */
    double s, ds;          /* slope and its margin                                        */
} tail_class_fit;

static size_t in_class(size_t l, int r)
{
    return (l % 2 == (size_t)r) ? l : l - 1;
}

static int fit_class(const slt_kernels_params *p, const slt_kernels_spectrum *far, size_t L,
                     int r, tail_class_fit *c)
{
    memset(c, 0, sizeof *c);
    c->X = in_class(L, r);
    if (!kn_structural_nonzero(p, c->X)) {
        c->empty = 1;
        return SLT_OK;
    }
    const slt_kernels_level *lx = &far->levels[c->X];
    c->ln_mult = lx->log_mult;
    if (lx->mu == 0.0 && lx->mu_err == 0.0) { /* below the double range */
        c->empty = c->under = 1;
        return SLT_OK;
    }
    size_t xb = in_class(c->X / 2, r), xc = in_class(xb / 2, r);
    const slt_kernels_level *lb = &far->levels[xb], *lc = &far->levels[xc];
    if (xc < 2 || !(lx->mu > lx->mu_err) || !(lb->mu > lb->mu_err) || !(lc->mu > lc->mu_err))
        return slt_error(SLT_EDOM, "slt_kernels_tail_moments: %s on S^%d: the decay at "
                         "degrees %zu, %zu, %zu is not resolved: no remainder model (the "
                         "tail cannot be bounded)",
                         slt_kernel_name(p->kernel), p->dim - 1, xc, xb, c->X);
    double sa = log(lb->mu / lx->mu) / log((double)c->X / (double)xb);
    double sb = log(lc->mu / lb->mu) / log((double)xb / (double)xc);
    c->s = sa;
    c->ds = 2.0 * fabs(sa - sb) + 1e-9 * fabs(sa);
    c->ln_mu_hi = log(lx->mu + lx->mu_err);
    c->ln_mu_lo = log(lx->mu - lx->mu_err);
    return SLT_OK;
}

/* One moment series over the tail: Σ_{ℓ>lmax} w_ℓ μ_ℓ^x with the weight
 *   W_MULT   w = N(d,ℓ)                 (M_j; T_j of the isotropic, kernel, power targets)
 *   W_INV    w = ℓ^{-c}/N(d,ℓ)          (T_j of the Gegenbauer target, c = 2q)
 *   W_TABLE  w = P_ℓ for ℓ < n, else 0  (T_j of the degree table: a finite sum) */
typedef enum { W_MULT, W_INV, W_TABLE } tail_weight;
typedef struct {
    double x;       /* exponent of μ                                                     */
    tail_weight w;
    double c;       /* W_INV: ℓ^{-c}                                                     */
    int skip;       /* not summed: the value comes from a closed form                    */
    int is_t;       /* a T_j (for the messages)                                          */
    int j;          /* its index j (M_j or T_j)                                          */
} tail_series;

/* Σ over the class beyond X of w μ^x as a bracket [lo, hi] (W_MULT, W_INV). The weight
 * is A·(ℓ/X)^{σ(d−2)}·X^{-c}(ℓ/X)^{-c} with A from the multiplicity bracket
 * 2ℓ^{d−2}/(d−2)! <= N(d,ℓ) <= N(d,X)(ℓ/X)^{d−2} (σ = +1 for N, −1 for 1/N), and
 * μ^x <= μ_X^x (X/ℓ)^{x(s ∓ δs)}: summed with the shifted ζ of exponent
 * x·s + c − σ(d−2). */
static int class_remainder(const slt_kernels_params *p, const tail_class_fit *c,
                           const tail_series *ser, const slt_kernels_target *tg, double *lo,
                           double *hi, int *marginal)
{
    *lo = *hi = 0.0;
    *marginal = 0;
    double x = ser->x;
    int inv = ser->w == W_INV;
    if (c->empty) {
        /* each μ < DBL_TRUE_MIN; N(ℓ) <= N(X)(ℓ/X)^{d−2}: a crude cap (negligible beyond x = 1) */
        if (c->under && x == 1.0 && !inv) *hi = exp(c->ln_mult) * DBL_TRUE_MIN * 1e30;
        else if (c->under && x < 1.0 && !inv)
            *hi = exp(c->ln_mult + x * log(DBL_TRUE_MIN)) * 1e30;
        else if (c->under && inv) /* 1/N <= 1, ℓ^-c <= 1: Σ μ^x over ~ℓ degrees, capped */
            *hi = exp(x * log(DBL_TRUE_MIN)) * 1e30;
        return SLT_OK;
    }
    int d = p->dim;
    double X = (double)c->X, a = 0.5 * X, sg = inv ? -1.0 : 1.0, cc = inv ? ser->c : 0.0;
    double plo = x * (c->s - c->ds) - sg * (d - 2.0), phi = x * (c->s + c->ds) - sg * (d - 2.0);
    if (inv) {
        plo += cc;
        phi += cc;
    }
    if (!(plo > 1.0)) {
        /* the central slope would do: a larger l_far may narrow the margin */
        *marginal = x * c->s - sg * (d - 2.0) + cc > 1.0;
        const char *kn = slt_kernel_name(p->kernel);
        if (ser->is_t && tg->kind == SLT_KTARGET_POWER)
            return slt_error(SLT_EDOM, "slt_kernels_tail_moments: %s on S^%d: local decay "
                             "ell^-%.4g (+-%.2g) at degree %zu: T_%d = sum N mu^(%d+p) with "
                             "target.p = %.6g is not summable in the model (expected "
                             "(j+p)*s - (d-2) > 1: raise p)", kn, d - 1, c->s, c->ds, c->X,
                             ser->j, ser->j, tg->p);
        if (inv)
            return slt_error(SLT_EDOM, "slt_kernels_tail_moments: %s on S^%d: local decay "
                             "ell^-%.4g (+-%.2g) at degree %zu: ell^-2q/N mu^%g (target.q = "
                             "%.6g) is not summable in the model", kn, d - 1, c->s, c->ds,
                             c->X, x, tg->q);
        return slt_error(SLT_EDOM, "slt_kernels_tail_moments: %s on S^%d: local decay "
                         "ell^-%.4g (+-%.2g) at degree %zu: N mu^%g is not summable in the model",
                         kn, d - 1, c->s, c->ds, c->X, x);
    }
    double slo, shi, dummy;
    shifted_sum(plo, a, &dummy, &shi);
    shifted_sum(phi, a, &slo, &dummy);
    double lnfact = d >= 3 ? gsl_sf_lngamma(d - 1.0) : 0.0; /* ln (d−2)! */
    if (!inv) {
        double lnclo = log(2.0) - lnfact;
        *hi = exp(c->ln_mult + x * c->ln_mu_hi + shi);
        *lo = exp(lnclo + (d - 2.0) * log(X) + x * c->ln_mu_lo + slo);
    } else { /* 1/N <= (d−2)!/2 ℓ^{−(d−2)}, 1/N >= (X/ℓ)^{d−2}/N(X) */
        double lnX = log(X);
        *hi = exp(lnfact - log(2.0) - (d - 2.0) * lnX - cc * lnX + x * c->ln_mu_hi + shi);
        *lo = exp(-c->ln_mult - cc * lnX + x * c->ln_mu_lo + slo);
    }
    if (*lo > *hi) *lo = *hi; /* only by rounding (N(X) >= its lower bound) */
    return SLT_OK;
}

slt_kernels_target slt_kernels_target_of(slt_kernels_target_kind kind)
{
    slt_kernels_target t;
    memset(&t, 0, sizeof t);
    t.kind = kind;
    return t;
}

static int params_match(const slt_kernels_params *a, const slt_kernels_params *b)
{
    return a->kernel == b->kernel && a->domain == b->domain && a->dim == b->dim &&
           a->depth == b->depth && a->width == b->width && a->offset == b->offset &&
           a->poly_degree == b->poly_degree;
}

/* The target's fields (kernels.h): SLT_EINVAL naming the first bad one. */
static int check_target(const slt_kernels_target *tg, const char *where)
{
    switch (tg->kind) {
    case SLT_KTARGET_ISOTROPIC:
    case SLT_KTARGET_KERNEL:
        return SLT_OK;
    case SLT_KTARGET_POWER:
        if (!(tg->p > 0.0) || !isfinite(tg->p))
            return slt_error(SLT_EINVAL, "%s: target.p = %.17g is out of range (expected a "
                             "finite p > 0: t = mu^p per mode)", where, tg->p);
        return SLT_OK;
    case SLT_KTARGET_GEGENBAUER:
        if (!(tg->q > 0.5) || !isfinite(tg->q))
            return slt_error(SLT_EINVAL, "%s: target.q = %.17g is out of range (expected a "
                             "finite q > 1/2: coefficients ell^-q)", where, tg->q);
        return SLT_OK;
    case SLT_KTARGET_ZONAL:
        if (!tg->g)
            return slt_error(SLT_EINVAL, "%s: target.g is NULL (expected the callback g(t) "
                             "of the zonal target)", where);
        return SLT_OK;
    case SLT_KTARGET_DEGREES:
        if (!tg->degree_power)
            return slt_error(SLT_EINVAL, "%s: target.degree_power is NULL (expected "
                             "target.n_degrees level powers)", where);
        if (tg->n_degrees < 1 || tg->n_degrees > (size_t)TAIL_LFAR_MAX + 1)
            return slt_error(SLT_EINVAL, "%s: target.n_degrees = %zu is out of range (expected "
                             "1 <= n_degrees <= %d)", where, tg->n_degrees, TAIL_LFAR_MAX + 1);
        for (size_t l = 0; l < tg->n_degrees; l++)
            if (!isfinite(tg->degree_power[l]) || !(tg->degree_power[l] >= 0.0))
                return slt_error(SLT_EINVAL, "%s: target.degree_power[%zu] = %.17g is out of "
                                 "range (expected a finite value >= 0)", where, l,
                                 tg->degree_power[l]);
        return SLT_OK;
    }
    return slt_error(SLT_EINVAL, "%s: target.kind = %d is out of range (expected 0..5: "
                     "isotropic, kernel, power, gegenbauer, zonal, degrees)", where,
                     (int)tg->kind);
}

/* A degree <= lmax that is no level: a structural zero the spectrum does not resolve as
 * positive (slt_kernels_flatten drops it). Its target power is null power. */
static int null_level(const slt_kernels_spectrum *s, size_t i)
{
    const slt_kernels_level *L = &s->levels[i];
    return !kn_structural_nonzero(&s->params, L->degree) && !(L->mu > 0 && L->mu > L->mu_err);
}

/* The target's power P_ℓ (and its error) at each level of s (degrees 0 … lmax). */
static int level_powers(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                        const slt_kernels_target *tg, double *pw, double *pe, const char *where)
{
    size_t n = s->n_levels;
    switch (tg->kind) {
    case SLT_KTARGET_ZONAL: {
        slt_kernels_params q = *p;
        q.lmax = s->params.lmax;
        slt_kernels_workspace *ws = NULL;
        int rc = slt_kernels_alloc(&q, &ws);
        if (!rc) rc = slt_kernels_target_power(ws, s, tg->g, tg->ctx, pw, pe);
        slt_kernels_free(ws);
        for (size_t i = 0; !rc && i < n; i++)
            if (!isfinite(pw[i]) || !isfinite(pe[i]))
                return slt_error(SLT_EINVAL, "%s: target.g: the zonal power at degree %zu is "
                                 "not finite (g returns a non-finite value?)", where,
                                 s->levels[i].degree);
        return rc;
    }
    case SLT_KTARGET_GEGENBAUER:
        return slt_kernels_target_power_law(s, tg->q, pw, pe);
    default:
        break;
    }
    for (size_t i = 0; i < n; i++) {
        const slt_kernels_level *L = &s->levels[i];
        double v = 0.0;
        switch (tg->kind) {
        case SLT_KTARGET_ISOTROPIC: v = L->mult * L->mu; break;
        case SLT_KTARGET_KERNEL: v = L->mult * L->mu * L->mu; break;
        case SLT_KTARGET_POWER: v = L->mu > 0 ? L->mult * pow(L->mu, tg->p) : 0.0; break;
        case SLT_KTARGET_DEGREES: v = L->degree < tg->n_degrees ? tg->degree_power[L->degree] : 0.0;
            break;
        default: break;
        }
        pw[i] = v;
        pe[i] = 0.0;
    }
    return SLT_OK;
}

/* ln of the series' weight at degree l (W_TABLE: P_ℓ); 0 when the weight is zero. */
static int weight_log(const tail_series *t, const slt_kernels_target *tg,
                      const slt_kernels_level *L, size_t l, double *lw)
{
    switch (t->w) {
    case W_MULT: *lw = L->log_mult; return 1;
    case W_INV: *lw = -L->log_mult - t->c * log((double)l); return 1;
    case W_TABLE:
        if (l >= tg->n_degrees || !(tg->degree_power[l] > 0.0)) return 0;
        *lw = log(tg->degree_power[l]);
        return 1;
    }
    return 0;
}

/* slt_kernels_tail_moments; lpw, lpe: the target's level powers of s when the caller has
 * them (the level task: a zonal target's quadrature is not repeated), else NULL. */
static int tail_moments(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                        const slt_kernels_target *tg, size_t n_mom, slt_task_tail *tail,
                        slt_kernels_tail_info *info, const double *lpw, const double *lpe,
                        int force)
{
    static const char *where = "slt_kernels_tail_moments";
    if (!p || !s || !tg || !tail) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    slt_kernels_target_kind target = tg->kind;
    if (s->params.domain != SLT_DOMAIN_SPHERE)
        return slt_error(SLT_EINVAL, "%s: the tail beyond lmax is implemented on the sphere "
                         "only", where);
    if (!params_match(p, &s->params))
        return slt_error(SLT_EINVAL, "%s: the parameters do not match the spectrum's", where);
    int rc = check_target(tg, where);
    if (rc) return rc;
    if (n_mom < 1 || n_mom > SLT_TAIL_MOMENTS)
        return slt_error(SLT_EINVAL, "%s: n_mom = %zu is out of range (expected 1..%d)", where,
                         n_mom, SLT_TAIL_MOMENTS);
    size_t lmax = s->params.lmax;
    if (s->n_levels != lmax + 1)
        return slt_error(SLT_EINVAL, "%s: the spectrum has %zu levels for lmax = %zu", where,
                         s->n_levels, lmax);
    const kn_kernel_type *kt = kn_kernel_type_get(p->kernel);
    size_t top = kn_top_degree(kt, p);
    const char *kname = slt_kernel_name(p->kernel);
    int d = p->dim;

    /* the series: M_1 … M_nM (M_2 drives l_far), then T_0 … T_{n_mom−1} (none for ZONAL) */
    tail_series ser[TAIL_SER];
    size_t nM = n_mom < 2 ? 2 : n_mom, ns = 0;
    for (size_t j = 1; j <= nM; j++)
        ser[ns++] = (tail_series){.x = (double)j, .w = W_MULT, .j = (int)j};
    const size_t t0 = ns;
    if (target != SLT_KTARGET_ZONAL)
        for (size_t j = 0; j < n_mom; j++) {
            tail_series t = {.x = (double)j, .w = W_MULT, .is_t = 1, .j = (int)j};
            switch (target) {
            case SLT_KTARGET_ISOTROPIC: t.x = (double)j + 1.0; t.skip = j == 0; break;
            case SLT_KTARGET_KERNEL: t.x = (double)j + 2.0; break;
            case SLT_KTARGET_POWER: t.x = (double)j + tg->p; t.skip = t.x == 1.0; break;
            case SLT_KTARGET_GEGENBAUER: t.w = W_INV; t.c = 2.0 * tg->q; t.skip = j == 0; break;
            case SLT_KTARGET_DEGREES: t.w = W_TABLE; break;
            default: break;
            }
            ser[ns++] = t;
        }
    /* the T series whose remainder also drives l_far (they may converge slower than M_2) */
    int t_drive = target == SLT_KTARGET_POWER || target == SLT_KTARGET_GEGENBAUER;

    /* T_0 in closed form (Gegenbauer, zonal) and the power on structural zeros: at the
     * degrees <= lmax that are no level, and beyond lmax */
    double t0v = 0.0, t0e = 0.0, nullv = 0.0, nulle = 0.0;
    if (target == SLT_KTARGET_GEGENBAUER || target == SLT_KTARGET_ZONAL ||
        target == SLT_KTARGET_DEGREES) {
        size_t n = s->n_levels;
        double *pw = malloc(2 * n * sizeof *pw), *pe = pw ? pw + n : NULL;
        if (!pw) return slt_error(SLT_ENOMEM, "%s: out of memory", where);
        if (lpw) {
            memcpy(pw, lpw, n * sizeof *pw);
            memcpy(pe, lpe, n * sizeof *pe);
        } else {
            rc = level_powers(p, s, tg, pw, pe, where);
        }
        long double nl = 0.0L, nle = 0.0L;
        for (size_t i = 0; !rc && i < n; i++)
            if (null_level(s, i)) {
                nl += pw[i];
                nle += pe[i];
            }
        nullv = (double)nl;
        nulle = (double)nle + 4.0 * KN_EPS * (double)n * nullv;
        slt_kernels_beyond b;
        if (!rc && target == SLT_KTARGET_GEGENBAUER) {
            rc = slt_kernels_beyond_power_law(s, tg->q, &b);
            if (!rc) {
                t0v = b.learnable;
                t0e = b.learnable_err;
                nullv += b.null;
                nulle += b.null_err;
            }
        } else if (!rc && target == SLT_KTARGET_ZONAL) {
            slt_kernels_params q = *p;
            q.lmax = lmax;
            slt_kernels_workspace *ws = NULL;
            rc = slt_kernels_alloc(&q, &ws);
            if (!rc) rc = slt_kernels_beyond_target(ws, s, tg->g, tg->ctx, pw, pe, &b);
            slt_kernels_free(ws);
            if (!rc && !(isfinite(b.learnable) && isfinite(b.learnable_err) &&
                         isfinite(b.null) && isfinite(b.null_err)))
                rc = slt_error(SLT_EINVAL, "%s: target.g: the zonal target's norm is not "
                               "finite", where);
            if (!rc) {
                t0v = b.learnable;
                t0e = b.learnable_err;
                nullv += b.null;
                nulle += b.null_err;
            }
        } else if (!rc) { /* DEGREES: the table's structural zeros beyond lmax */
            long double z = 0.0L;
            for (size_t l = lmax + 1; l < tg->n_degrees; l++)
                if (!kn_structural_nonzero(p, l)) z += tg->degree_power[l];
            nullv += (double)z;
            nulle += 4.0 * KN_EPS * (double)tg->n_degrees * (double)z;
        }
        free(pw);
        if (rc) return rc;
    }

    slt_kernels_tail_info inf;
    memset(&inf, 0, sizeof inf);
    inf.lmax = lmax;
    inf.slope[0] = inf.slope[1] = inf.slope_err[0] = inf.slope_err[1] = NAN;
    inf.lambda_far = NAN;
    memset(tail, 0, sizeof *tail);
    tail->n_mom = n_mom;
    tail->modes = INFINITY;

    /* M_1 is exact (the trace identity) */
    double m1 = s->diag - s->trace, m1e = s->trace_err + 4.0 * KN_EPS * fabs(s->diag);
    long double msum[TAIL_SER];
    double merr[TAIL_SER], rlo[TAIL_SER], rhi[TAIL_SER];
    double lam_sup = 0.0, modes = 0.0, r1 = 0.0, r1e = 0.0, lam_u = 0.0;
    int use_model = 0, trace_model = 0, n_model = 0, n_brk = 0, rest = 0;
    size_t lfar = 0, lcut = 0;
    if (top && top <= lmax) { /* a finite expansion that ends within the spectrum */
        for (size_t k = 0; k < ns; k++) msum[k] = merr[k] = rlo[k] = rhi[k] = 0.0;
        tail->modes = 0.0;
    } else {
        /* the degrees past lmax one by one where that is cheap (far_cheap), else none */
        if (!far_cheap(kt, p, top) || (force & KN_TAIL_NO_FAR)) {
            lfar = lmax;
        } else {
            lfar = top ? top : (32 * (lmax + 1) > 1024 ? 32 * (lmax + 1) : 1024);
            if (!top && target == SLT_KTARGET_DEGREES && tg->n_degrees > lfar + 1)
                lfar = tg->n_degrees - 1; /* the table's degrees are summed, not modelled */
            if (lfar > TAIL_LFAR_MAX) lfar = TAIL_LFAR_MAX;
        }
        for (;;) {
            slt_kernels_spectrum *far = NULL;
            if (lfar > lmax) {
                slt_kernels_params q = *p;
                q.lmax = lfar;
                slt_kernels_workspace *ws = NULL;
                rc = slt_kernels_alloc(&q, &ws);
                if (rc) return rc;
                rc = slt_kernels_spectrum_compute(ws, &far);
                slt_kernels_free(ws);
                if (rc && rc != SLT_ENOCONV) {
                    slt_kernels_spectrum_free(far);
                    return rc;
                }
                rc = SLT_OK;
            }
            for (size_t k = 0; k < ns; k++) msum[k] = merr[k] = rlo[k] = rhi[k] = 0.0;
            lam_sup = 0.0;
            modes = 0.0;
            /* degrees lmax < ℓ <= lcut are summed: lcut is the last one before the first
             * unresolved (or underflowing) degree; those from there on are the bracket's */
            lcut = lfar;
            int cut = 0;
            for (size_t l = lmax + 1; l <= lfar; l++) {
                const slt_kernels_level *L = &far->levels[l];
                if (!kn_structural_nonzero(p, l)) continue;
                modes += L->mult;
                if (L->mu < -L->mu_err) {
                    slt_kernels_spectrum_free(far);
                    return slt_error(SLT_EDOM, "%s: %s on S^%d: degree %zu has a negative "
                                     "eigenvalue %.3g (+- %.2g)", where, kname, d - 1, l, L->mu,
                                     L->mu_err);
                }
                if (cut) continue;
                if (!(L->mu > L->mu_err)) { /* unresolved or below the double range */
                    cut = 1;
                    lcut = l - 1;
                    continue;
                }
                lam_sup = fmax(lam_sup, L->mu + L->mu_err);
                long double lm = logl(L->mu);
                double rel = L->mu_err / L->mu, lw;
                for (size_t k = 0; k < ns; k++) {
                    if (ser[k].skip || !weight_log(&ser[k], tg, L, l, &lw)) continue;
                    double x = ser[k].x;
                    long double t = expl((long double)lw + (long double)x * lm);
                    msum[k] += t;
                    merr[k] += (double)t * (expm1(x * log1p(rel)) + (6.0 + x + fabs(lw)) * KN_EPS);
                }
            }
            /* the model-free bracket: every degree ℓ > lcut left has N μ_ℓ <= R_1 (all
             * μ >= 0), so μ_ℓ <= λ_U = max over them of R_1/N(d,ℓ) (N non-decreasing in ℓ)
             * and |μ| + err where computed */
            rest = !top || top > lcut; /* degrees beyond lcut that may be non-zero */
            r1 = m1 - (double)msum[0];
            r1e = m1e + merr[0] + 4.0 * KN_EPS * (fabs(m1) + (double)msum[0]);
            double r1up = fmax(r1, 0.0) + r1e, lnr1 = log(r1up);
            lam_u = 0.0;
            if (rest) {
                size_t lend = top ? top : lfar;
                for (size_t l = lcut + 1; l <= lend && l <= lfar; l++) {
                    const slt_kernels_level *L = &far->levels[l];
                    if (!kn_structural_nonzero(p, l)) continue;
                    /* R_1/N with a margin for the rounding of ln N; an underflowing degree
                     * (μ = err = 0: below the double range) has only that bound */
                    double bn = exp(lnr1 - L->log_mult) *
                                (1.0 + 64.0 * KN_EPS * (1.0 + fabs(L->log_mult)));
                    int under = L->mu == 0.0 && L->mu_err == 0.0;
                    lam_u = fmax(lam_u, under ? bn : fmin(fabs(L->mu) + L->mu_err, bn));
                }
                if (!top) {
                    double lnN;
                    slt_kernels_multiplicity(d, lfar + 1, NULL, &lnN);
                    lam_u = fmax(lam_u, exp(lnr1 - lnN) *
                                            (1.0 + 64.0 * KN_EPS * (1.0 + fabs(lnN))));
                }
            }
            /* the decay model beyond l_far: only when every degree to l_far is summed */
            use_model = rest && !cut && lfar > lmax && !top && !(force & KN_TAIL_NO_MODEL);
            tail_class_fit cf[2];
            for (int r = 0; r < 2 && use_model; r++) {
                if (fit_class(p, far, lfar, r, &cf[r])) use_model = 0;
                inf.slope[r] = !use_model || cf[r].empty ? NAN : cf[r].s;
                inf.slope_err[r] = !use_model || cf[r].empty ? NAN : cf[r].ds;
            }
            if (!use_model) inf.slope[0] = inf.slope[1] = inf.slope_err[0] = inf.slope_err[1] = NAN;
            /* the brackets' weights beyond lcut: ℓ^-2q/N (closed form), the table's P_ℓ */
            double g_up = 0.0, tab_up = 0.0;
            if (rest && target == SLT_KTARGET_GEGENBAUER) {
                slt_kernels_spectrum fs = *s;
                fs.params.lmax = lcut;
                slt_kernels_beyond b;
                rc = slt_kernels_beyond_power_law(&fs, tg->q, &b);
                if (rc) {
                    slt_kernels_spectrum_free(far);
                    return rc;
                }
                g_up = b.learnable + b.learnable_err;
            }
            if (rest && target == SLT_KTARGET_DEGREES) {
                long double z = 0.0L;
                for (size_t l = lcut + 1; l < tg->n_degrees && (!top || l <= top); l++)
                    if (kn_structural_nonzero(p, l)) z += tg->degree_power[l];
                tab_up = (double)z * (1.0 + 4.0 * KN_EPS * (double)tg->n_degrees);
            }
            slt_kernels_spectrum_free(far);
            int need_raise = 0, fail_k = -1;
            char fail_msg[320] = "";
            n_model = n_brk = 0;
            trace_model = 0;
            for (size_t k = 0; k < ns && rest; k++) {
                if (ser[k].skip) continue;
                double x = ser[k].x, blo = 0.0, bhi = 0.0, lo = 0.0, hi = 0.0;
                int have_b = 1, have_m = 0, marginal = 0;
                switch (ser[k].w) {
                case W_MULT:
                    if (x >= 1.0) bhi = x == 1.0 ? r1up : exp((x - 1.0) * log(lam_u) + lnr1);
                    else have_b = 0;
                    break;
                case W_INV: bhi = exp(x * log(lam_u)) * g_up; break;
                case W_TABLE:
                    if (x == 0.0) { /* μ^0 = 1: the table's power beyond lcut, exactly */
                        msum[k] += tab_up;
                        merr[k] += 4.0 * KN_EPS * (double)tg->n_degrees * tab_up;
                        continue;
                    }
                    bhi = exp(x * log(lam_u)) * tab_up;
                    break;
                }
                if (use_model && ser[k].w != W_TABLE) {
                    double mlo = 0.0, mhi = 0.0;
                    int mrc = SLT_OK;
                    for (int r = 0; r < 2 && !mrc; r++) {
                        double a, b;
                        mrc = class_remainder(p, &cf[r], &ser[k], tg, &a, &b, &marginal);
                        mlo += a;
                        mhi += b;
                    }
                    if (!mrc) {
                        have_m = 1;
                        lo = mlo;
                        hi = mhi;
                    } else if (!have_b && fail_k < 0) {
                        fail_k = (int)k;
                        snprintf(fail_msg, sizeof fail_msg, "%s", slt_last_error());
                    }
                }
                if (k == 0) { /* M_1: only the trace check uses its remainder */
                    if (have_m) trace_model = 1;
                    else {
                        lo = 0.0;
                        hi = fmax(r1, 0.0);
                        if (marginal && lfar < TAIL_LFAR_TRACE) need_raise = 1;
                    }
                    rlo[k] = lo;
                    rhi[k] = hi;
                    continue;
                }
                if (!have_b && !have_m) {
                    if (marginal) need_raise = 1;
                    else if (fail_k < 0) {
                        fail_k = (int)k;
                        snprintf(fail_msg, sizeof fail_msg, "%s: %s on S^%d: T_%d = "
                                 "sum N mu^(%d+p) with target.p = %.6g beyond degree %zu "
                                 "needs the decay model, which is not available here (%s; "
                                 "exponent j + p < 1 has no model-free bound)", where, kname, d - 1, ser[k].j, ser[k].j,
                                 tg->p, lcut, lcut < lfar ? "an unresolved degree" :
                                 lfar == lmax ? "no spectrum past lmax for this kernel" :
                                 "the local decay is not resolved");
                    }
                    continue;
                }
                if (have_m && have_b) { /* the model, clipped to the bracket */
                    if (lo > bhi) { /* the model contradicts the bound: not used */
                        have_m = 0;
                    } else {
                        hi = fmin(hi, bhi);
                        lo = fmax(lo, blo);
                    }
                }
                if (!have_m) {
                    lo = blo;
                    hi = bhi;
                }
                if (have_m) n_model++;
                else if (hi > 0.0 || ser[k].w != W_TABLE) n_brk++;
                rlo[k] = lo;
                rhi[k] = hi;
            }
            /* l_far is raised (×4, to TAIL_LFAR_MAX) while the model is used and M_2's
             * remainder (POWER, GEGENBAUER: and each summed T_j's) exceeds TAIL_REM_TOL of
             * it, or a margin keeps a needed series out of the model */
            if (use_model && !need_raise) {
                double m2 = (double)msum[1] + 0.5 * (rlo[1] + rhi[1]);
                if (!(rhi[1] <= TAIL_REM_TOL * m2)) need_raise = 1;
                for (size_t k = t0; t_drive && k < ns; k++) {
                    double v = (double)msum[k] + 0.5 * (rlo[k] + rhi[k]);
                    if (!ser[k].skip && !(rhi[k] <= TAIL_REM_TOL * v)) need_raise = 1;
                }
            }
            if (need_raise && use_model && lfar < TAIL_LFAR_MAX) {
                lfar = 4 * lfar > TAIL_LFAR_MAX ? TAIL_LFAR_MAX : 4 * lfar;
                continue;
            }
            if (fail_k >= 0) return slt_error(SLT_EDOM, "%s", fail_msg);
            break;
        }
        if (top) tail->modes = modes;
        inf.remainder = !rest ? SLT_KTAIL_REM_NONE
                        : n_brk == 0 ? SLT_KTAIL_REM_MODEL
                        : n_model == 0 ? SLT_KTAIL_REM_BRACKET : SLT_KTAIL_REM_MIXED;
        if (rest) inf.lambda_far = lam_u;
    }
    inf.l_far = lcut;
    inf.lambda_sup = fmax(lam_sup, lam_u);
    inf.trace_check_model = trace_model || !rest;

    /* the moments: M_1 exact; the others summed + the remainder's midpoint */
    double mom[TAIL_SER], mom_err[TAIL_SER];
    inf.remainder_rel = 0.0;
    for (size_t k = 0; k < ns; k++) {
        double v = (double)msum[k], rm = 0.5 * (rlo[k] + rhi[k]), rh = 0.5 * (rhi[k] - rlo[k]);
        mom[k] = v + rm;
        mom_err[k] = merr[k] + rh + 4.0 * KN_EPS * mom[k];
        if (k >= 1 && !ser[k].skip && mom[k] > 0.0)
            inf.remainder_rel = fmax(inf.remainder_rel, rhi[k] / mom[k]);
    }
    inf.m1_model = mom[0];
    inf.m1_model_err = mom_err[0];
    inf.trace_check = m1 - mom[0];
    inf.trace_check_err = m1e + mom_err[0];
    if (top && top <= lmax) { /* nothing beyond: M_1 is 0 up to the trace's error */
        m1 = 0.0;
        m1e = fabs(inf.trace_check) + m1e;
    }
    double m1v = fmax(m1, 0.0), m1ev = fmax(m1e, -m1);
    mom[0] = m1v;
    mom_err[0] = m1ev;
    for (size_t j = 1; j <= n_mom; j++) {
        tail->lam_mom[j - 1] = mom[j - 1];
        tail->lam_mom_err[j - 1] = mom_err[j - 1];
    }
    /* T_j */
    if (target == SLT_KTARGET_ZONAL) {
        /* only T_0 is known (Parseval); T_j ∈ [0, λ_sup^j (T_0 + err)]: the midpoint ± half */
        double v0 = fmax(t0v, 0.0), e0 = fmax(t0e, -t0v);
        tail->tgt_mom[0] = v0;
        tail->tgt_mom_err[0] = e0;
        double up = v0 + e0;
        for (size_t j = 1; j < n_mom; j++) {
            up *= inf.lambda_sup;
            tail->tgt_mom[j] = 0.5 * up;
            tail->tgt_mom_err[j] = 0.5 * up;
        }
    } else {
        for (size_t j = 0; j < n_mom; j++) {
            const tail_series *t = &ser[t0 + j];
            double v = mom[t0 + j], e = mom_err[t0 + j];
            if (t->skip && t->w == W_MULT) { /* T_0 = M_1 (t = μ): the trace identity */
                v = m1v;
                e = m1ev;
            } else if (t->skip) { /* Gegenbauer T_0 in closed form */
                v = fmax(t0v, 0.0);
                e = fmax(t0e, -t0v);
            }
            tail->tgt_mom[j] = v;
            tail->tgt_mom_err[j] = e;
        }
    }
    /* an empty tail (a finite expansion within lmax) has no eigenvalue: any positive bound
     * holds, and the task layer needs one (info->lambda_sup stays 0) */
    tail->lambda_sup = (top && top <= lmax) ? DBL_MIN : inf.lambda_sup;
    tail->null_power = nullv; /* 0 for the targets t = μ^p: none on structural zeros */
    tail->null_power_err = nulle;
    if (info) *info = inf;
    if (!(fabs(inf.trace_check) <= inf.trace_check_err))
        return slt_error(SLT_ENOCONV, "%s: %s on S^%d, lmax %zu: the trace check fails: "
                         "k(1) - sum_{l<=lmax} N mu - tail = %.3g, beyond its error %.2g",
                         where, kname, d - 1, lmax, inf.trace_check, inf.trace_check_err);
    return SLT_OK;
}

int slt_kernels_tail_moments(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                             const slt_kernels_target *tg, size_t n_mom, slt_task_tail *tail,
                             slt_kernels_tail_info *info)
{
    return tail_moments(p, s, tg, n_mom, tail, info, NULL, NULL, 0);
}

int slt_kernels_level_task(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                           const slt_kernels_target *tg, double noise, size_t n_mom,
                           slt_task **task, slt_task_tail *tail, slt_kernels_tail_info *info)
{
    static const char *where = "slt_kernels_level_task";
    if (!p || !s || !tg || !task || !tail) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    *task = NULL;
    if (s->params.domain != SLT_DOMAIN_SPHERE)
        return slt_error(SLT_EINVAL, "%s: level tasks are implemented on the sphere only", where);
    int rc = check_target(tg, where);
    if (rc) return rc;
    if (!params_match(p, &s->params))
        return slt_error(SLT_EINVAL, "%s: the parameters do not match the spectrum's", where);
    const char *kname = slt_kernel_name(s->params.kernel);
    for (size_t i = 0; i < s->n_levels; i++) {
        const slt_kernels_level *L = &s->levels[i];
        if (!kn_structural_nonzero(&s->params, L->degree)) continue;
        if (L->mu < -L->mu_err)
            return slt_error(SLT_EDOM, "%s: %s on S^%d: degree %zu has a negative eigenvalue "
                             "%.3g (+- %.2g)", where, kname, s->params.dim - 1, L->degree, L->mu,
                             L->mu_err);
        if (!(L->mu > L->mu_err))
            return slt_error(SLT_ENOCONV, "%s: %s on S^%d: degree %zu is unresolved (mu = %.3g "
                             "+- %.2g): it cannot be a level and is not a structural zero", where,
                             kname, s->params.dim - 1, L->degree, L->mu, L->mu_err);
    }
    slt_kernels_flat_level *f = NULL;
    size_t n = 0;
    rc = slt_kernels_flatten(s, &f, &n);
    if (rc) return rc;
    if (n == 0) {
        free(f);
        return slt_error(SLT_EDOM, "%s: the spectrum has no resolved non-zero degree", where);
    }
    size_t nl = s->n_levels;
    double *buf = malloc((3 * n + 2 * nl) * sizeof *buf);
    if (!buf) {
        free(f);
        return slt_error(SLT_ENOMEM, "%s: out of memory", where);
    }
    double *lam = buf, *mult = buf + n, *pow_ = buf + 2 * n, *pw = buf + 3 * n, *pe = pw + nl;
    rc = level_powers(p, s, tg, pw, pe, where);
    long double have = 0.0L, have_err = 0.0L;
    for (size_t i = 0; !rc && i < n; i++) {
        const slt_kernels_level *L = &s->levels[f[i].level];
        if (!(L->mult < SLT_LEVEL_MULT_MAX)) {
            rc = slt_error(SLT_EDOM, "%s: %s on S^%d: degree %zu has multiplicity %.3g >= "
                           "2^53, which a level cannot hold: lower lmax", where, kname,
                           s->params.dim - 1, L->degree, L->mult);
            break;
        }
        lam[i] = L->mu;
        mult[i] = L->mult;
        pow_[i] = pw[f[i].level];
        have += pow_[i];
        have_err += pe[f[i].level];
    }
    /* a zonal target's level powers are quadratures: the task holds them without error,
     * so they must be exact to far below any solver's error */
    if (!rc && tg->kind == SLT_KTARGET_ZONAL && !((double)have_err <= ZONAL_LEVEL_TOL * (double)have))
        rc = slt_error(SLT_ENOCONV, "%s: the zonal target's level powers are resolved to %.2g "
                       "relative only (> %.0e): target.g is not smooth enough for the "
                       "quadrature at lmax %zu", where, (double)(have_err / have),
                       ZONAL_LEVEL_TOL, s->params.lmax);
    free(f);
    /* the tail first: a task is only made with its tail attached, so that no solver ever
     * runs on a kernel task that silently lacks the mass beyond lmax */
    if (!rc) {
        rc = tail_moments(p, s, tg, n_mom, tail, info, pw, pe, 0);
        if (info) info->levels = n;
    }
    if (!rc) rc = slt_task_alloc_levels_tail(n, lam, mult, pow_, noise, tail, task);
    free(buf);
    return rc;
}

/* slt_kernels_tail_moments with forcing flags (KN_TAIL_NO_MODEL: the model-free bracket
 * for every remainder; KN_TAIL_NO_FAR: no spectrum past lmax): for tests only, so that
 * the bracket can be checked on kernels whose model works. Not part of the API. */
int kn_tail_moments_forced(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                           const slt_kernels_target *tg, size_t n_mom, slt_task_tail *tail,
                           slt_kernels_tail_info *info, int force);
int kn_tail_moments_forced(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                           const slt_kernels_target *tg, size_t n_mom, slt_task_tail *tail,
                           slt_kernels_tail_info *info, int force)
{
    return tail_moments(p, s, tg, n_mom, tail, info, NULL, NULL, force);
}
