/* The tail beyond lmax on the sphere (docs/theory/kernels.md, "the tail beyond lmax"):
 * the moments M_j = Σ_{ℓ>lmax} N μ_ℓ^j and T_j = Σ_{ℓ>lmax} P_ℓ μ_ℓ^j of a kernel's
 * spectrum past the computed degrees, and the level task of the computed degrees.
 * M_1 is the trace identity; the others are a second spectrum summed to l_far plus a
 * remainder from the local decay, bracketed with Hurwitz ζ and the multiplicity bounds. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_zeta.h>

#include "kernels_internal.h"
#include "slt/status.h"

#define TAIL_J (SLT_TAIL_MOMENTS + 2) /* M_1 … M_{n_mom+2} (the kernel target's T_j)   */
#define TAIL_LFAR_MAX 100000          /* the spectrum's largest lmax                     */
#define TAIL_REM_TOL 1e-6             /* remainder of M_2 relative to M_2                */

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

/* Σ over the class beyond X of N μ^j as a bracket [lo, hi]. */
static int class_remainder(const slt_kernels_params *p, const tail_class_fit *c, int j,
                           double *lo, double *hi)
{
    *lo = *hi = 0.0;
    if (c->empty) {
        if (c->under && j == 1) /* each μ < DBL_TRUE_MIN; N(ℓ) <= N(X)(ℓ/X)^{d−2}: a crude cap */
            *hi = exp(c->ln_mult) * DBL_TRUE_MIN * 1e30;
        return SLT_OK;
    }
    int d = p->dim;
    double X = (double)c->X, a = 0.5 * X;
    double plo = j * (c->s - c->ds) - (d - 2.0), phi = j * (c->s + c->ds) - (d - 2.0);
    if (!(plo > 1.0))
        return slt_error(SLT_EDOM, "slt_kernels_tail_moments: %s on S^%d: local decay "
                         "ell^-%.4g (+-%.2g) at degree %zu: N mu^%d is not summable in the model",
                         slt_kernel_name(p->kernel), d - 1, c->s, c->ds, c->X, j);
    double slo, shi, dummy;
    shifted_sum(plo, a, &dummy, &shi);
    shifted_sum(phi, a, &slo, &dummy);
    double lnclo = log(2.0) - (d >= 3 ? gsl_sf_lngamma(d - 1.0) : 0.0);
    *hi = exp(c->ln_mult + j * c->ln_mu_hi + shi);
    *lo = exp(lnclo + (d - 2.0) * log(X) + j * c->ln_mu_lo + slo);
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

int slt_kernels_tail_moments(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                             const slt_kernels_target *tg, size_t n_mom, slt_task_tail *tail,
                             slt_kernels_tail_info *info)
{
    static const char *where = "slt_kernels_tail_moments";
    if (!p || !s || !tg || !tail) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    slt_kernels_target_kind target = tg->kind;
    if (s->params.domain != SLT_DOMAIN_SPHERE)
        return slt_error(SLT_EINVAL, "%s: the tail beyond lmax is implemented on the sphere "
                         "only", where);
    if (!params_match(p, &s->params))
        return slt_error(SLT_EINVAL, "%s: the parameters do not match the spectrum's", where);
    if (target != SLT_KTARGET_ISOTROPIC && target != SLT_KTARGET_KERNEL)
        return slt_error(SLT_EINVAL, "%s: target = %d is not implemented (yet: "
                         "isotropic and kernel)", where, (int)target);
    if (n_mom < 1 || n_mom > SLT_TAIL_MOMENTS)
        return slt_error(SLT_EINVAL, "%s: n_mom = %zu is out of range (expected 1..%d)", where,
                         n_mom, SLT_TAIL_MOMENTS);
    size_t lmax = s->params.lmax;
    if (s->n_levels != lmax + 1)
        return slt_error(SLT_EINVAL, "%s: the spectrum has %zu levels for lmax = %zu", where,
                         s->n_levels, lmax);
    const kn_kernel_type *kt = kn_kernel_type_get(p->kernel);
    size_t top = kn_top_degree(kt, p);
    size_t J = n_mom + (target == SLT_KTARGET_KERNEL ? 2 : 1); /* moments M_1..M_J needed */
    const char *kname = slt_kernel_name(p->kernel);
    int d = p->dim;

    slt_kernels_tail_info inf;
    memset(&inf, 0, sizeof inf);
    inf.lmax = lmax;
    inf.slope[0] = inf.slope[1] = inf.slope_err[0] = inf.slope_err[1] = NAN;
    memset(tail, 0, sizeof *tail);
    tail->n_mom = n_mom;
    tail->modes = INFINITY;

    long double msum[TAIL_J + 1];
    double merr[TAIL_J + 1], rlo[TAIL_J + 1], rhi[TAIL_J + 1];
    double lam_sup = 0.0, modes = 0.0;
    int rc = SLT_OK, fail = SLT_OK;
    char fail_msg[256] = "";
    size_t lfar = 0;
    if (top && top <= lmax) { /* a finite expansion that ends within the spectrum */
        for (int j = 0; j <= TAIL_J; j++) msum[j] = merr[j] = rlo[j] = rhi[j] = 0.0;
        tail->modes = 0.0;
    } else {
        lfar = top ? top : (32 * (lmax + 1) > 1024 ? 32 * (lmax + 1) : 1024);
        if (lfar > TAIL_LFAR_MAX) lfar = TAIL_LFAR_MAX;
        for (;;) {
            slt_kernels_params q = *p;
            q.lmax = lfar;
            slt_kernels_workspace *ws = NULL;
            slt_kernels_spectrum *far = NULL;
            rc = slt_kernels_alloc(&q, &ws);
            if (rc) return rc;
            rc = slt_kernels_spectrum_compute(ws, &far);
            slt_kernels_free(ws);
            if (rc && rc != SLT_ENOCONV) {
                slt_kernels_spectrum_free(far);
                return rc;
            }
            rc = SLT_OK;
            fail = SLT_OK;
            for (int j = 0; j <= TAIL_J; j++) msum[j] = merr[j] = rlo[j] = rhi[j] = 0.0;
            lam_sup = 0.0;
            modes = 0.0;
            for (size_t l = lmax + 1; l <= lfar; l++) {
                const slt_kernels_level *L = &far->levels[l];
                if (!kn_structural_nonzero(p, l)) continue;
                modes += L->mult;
                if (L->mu == 0.0 && L->mu_err == 0.0) { /* underflow: μ < DBL_TRUE_MIN */
                    merr[1] += exp(L->log_mult) * DBL_TRUE_MIN;
                    continue;
                }
                if (L->mu < -L->mu_err) {
                    slt_kernels_spectrum_free(far);
                    return slt_error(SLT_EDOM, "%s: %s on S^%d: degree %zu has a negative "
                                     "eigenvalue %.3g (+- %.2g)", where, kname, d - 1, l, L->mu,
                                     L->mu_err);
                }
                lam_sup = fmax(lam_sup, fmax(L->mu, 0.0) + L->mu_err);
                if (!(L->mu > L->mu_err)) { /* unresolved: only its bound is known */
                    if (!fail) {
                        fail = SLT_ENOCONV;
                        snprintf(fail_msg, sizeof fail_msg, "%s: %s on S^%d: degree %zu is "
                                 "unresolved (mu = %.3g +- %.2g); its bound is in the errors",
                                 where, kname, d - 1, l, L->mu, L->mu_err);
                    }
                    for (size_t j = 1; j <= J; j++)
                        merr[j] += exp(L->log_mult + (double)j * log(L->mu_err + fabs(L->mu)));
                    continue;
                }
                long double lm = logl(L->mu);
                double rel = L->mu_err / L->mu;
                for (size_t j = 1; j <= J; j++) {
                    long double t = expl((long double)L->log_mult + (long double)j * lm);
                    msum[j] += t;
                    merr[j] += (double)t * (expm1((double)j * log1p(rel)) +
                                            (6.0 + j + fabs(L->log_mult)) * KN_EPS);
                }
            }
            /* remainder beyond l_far (none for a finite expansion) */
            if (!top || top > lfar) {
                for (int r = 0; r < 2 && !rc; r++) {
                    tail_class_fit c;
                    rc = fit_class(p, far, lfar, r, &c);
                    if (rc) break;
                    inf.slope[r] = c.empty ? NAN : c.s;
                    inf.slope_err[r] = c.empty ? NAN : c.ds;
                    for (size_t j = 1; j <= J && !rc; j++) {
                        double lo, hi;
                        rc = class_remainder(p, &c, (int)j, &lo, &hi);
                        rlo[j] += lo;
                        rhi[j] += hi;
                    }
                }
            } else {
                tail->modes = modes;
            }
            slt_kernels_spectrum_free(far);
            if (rc) return rc;
            double m2 = (double)msum[2] + 0.5 * (rlo[2] + rhi[2]);
            if (rhi[2] <= TAIL_REM_TOL * m2 || (top && top <= lfar)) break;
            if (lfar >= TAIL_LFAR_MAX) {
                if (!fail) {
                    fail = SLT_ENOCONV;
                    snprintf(fail_msg, sizeof fail_msg, "%s: %s on S^%d, lmax %zu: the "
                             "remainder beyond l_far = %zu is %.2g of M_2 (> %.0e); it is in "
                             "the errors", where, kname, d - 1, lmax, lfar, rhi[2] / m2,
                             TAIL_REM_TOL);
                }
                break;
            }
            lfar = 4 * lfar > TAIL_LFAR_MAX ? TAIL_LFAR_MAX : 4 * lfar;
        }
    }
    inf.l_far = lfar;
    inf.lambda_sup = lam_sup;

    /* the moments: M_1 exact; the others summed + the remainder's midpoint */
    double mom[TAIL_J + 1], mom_err[TAIL_J + 1];
    double m1 = s->diag - s->trace, m1e = s->trace_err + 4.0 * KN_EPS * fabs(s->diag);
    inf.remainder_rel = 0.0;
    for (size_t j = 1; j <= J; j++) {
        double v = (double)msum[j], rm = 0.5 * (rlo[j] + rhi[j]), rh = 0.5 * (rhi[j] - rlo[j]);
        mom[j] = v + rm;
        mom_err[j] = merr[j] + rh + 4.0 * KN_EPS * mom[j];
        if (j >= 2 && mom[j] > 0.0) inf.remainder_rel = fmax(inf.remainder_rel, rhi[j] / mom[j]);
    }
    inf.m1_model = mom[1];
    inf.m1_model_err = mom_err[1];
    inf.trace_check = m1 - mom[1];
    inf.trace_check_err = m1e + mom_err[1];
    if (top && top <= lmax) { /* nothing beyond: M_1 is 0 up to the trace's error */
        m1 = 0.0;
        m1e = fabs(inf.trace_check) + m1e;
    }
    mom[1] = fmax(m1, 0.0);
    mom_err[1] = fmax(m1e, -m1);
    for (size_t j = 1; j <= n_mom; j++) {
        tail->lam_mom[j - 1] = mom[j];
        tail->lam_mom_err[j - 1] = mom_err[j];
    }
    size_t shift = target == SLT_KTARGET_KERNEL ? 2 : 1; /* T_j = M_{j+shift} */
    for (size_t j = 0; j < n_mom; j++) {
        tail->tgt_mom[j] = mom[j + shift];
        tail->tgt_mom_err[j] = mom_err[j + shift];
    }
    tail->lambda_sup = lam_sup;
    tail->null_power = tail->null_power_err = 0.0; /* no power on structural zeros */
    if (info) *info = inf;
    if (fail) return slt_error(fail, "%s", fail_msg);
    if (!(fabs(inf.trace_check) <= inf.trace_check_err))
        return slt_error(SLT_ENOCONV, "%s: %s on S^%d, lmax %zu: the trace check fails: "
                         "k(1) - sum_{l<=lmax} N mu - tail = %.3g, beyond its error %.2g",
                         where, kname, d - 1, lmax, inf.trace_check, inf.trace_check_err);
    return SLT_OK;
}

int slt_kernels_level_task(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                           const slt_kernels_target *tg, double noise, size_t n_mom,
                           slt_task **task, slt_task_tail *tail, slt_kernels_tail_info *info)
{
    static const char *where = "slt_kernels_level_task";
    if (!p || !s || !tg || !task || !tail) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    slt_kernels_target_kind target = tg->kind;
    *task = NULL;
    if (s->params.domain != SLT_DOMAIN_SPHERE)
        return slt_error(SLT_EINVAL, "%s: level tasks are implemented on the sphere only", where);
    if (target != SLT_KTARGET_ISOTROPIC && target != SLT_KTARGET_KERNEL)
        return slt_error(SLT_EINVAL, "%s: target = %d is not implemented (yet: "
                         "isotropic and kernel)", where, (int)target);
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
    int rc = slt_kernels_flatten(s, &f, &n);
    if (rc) return rc;
    if (n == 0) {
        free(f);
        return slt_error(SLT_EDOM, "%s: the spectrum has no resolved non-zero degree", where);
    }
    double *buf = malloc(3 * n * sizeof *buf);
    if (!buf) {
        free(f);
        return slt_error(SLT_ENOMEM, "%s: out of memory", where);
    }
    double *lam = buf, *mult = buf + n, *pow_ = buf + 2 * n;
    for (size_t i = 0; i < n; i++) {
        const slt_kernels_level *L = &s->levels[f[i].level];
        if (!(L->mult < SLT_LEVEL_MULT_MAX)) {
            size_t deg = L->degree;
            free(f);
            free(buf);
            return slt_error(SLT_EDOM, "%s: %s on S^%d: degree %zu has multiplicity %.3g >= "
                             "2^53, which a level cannot hold: lower lmax", where, kname,
                             s->params.dim - 1, deg, L->mult);
        }
        lam[i] = L->mu;
        mult[i] = L->mult;
        pow_[i] = target == SLT_KTARGET_KERNEL ? L->mult * L->mu * L->mu : L->mult * L->mu;
    }
    free(f);
    /* the tail first: a task is only made with its tail attached, so that no solver ever
     * runs on a kernel task that silently lacks the mass beyond lmax */
    rc = slt_kernels_tail_moments(p, s, tg, n_mom, tail, info);
    if (info) info->levels = n;
    if (!rc) rc = slt_task_alloc_levels_tail(n, lam, mult, pow_, noise, tail, task);
    free(buf);
    return rc;
}
