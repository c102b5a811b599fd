/* Decay-exponent fits (docs/theory/kernels.md §3): local slope, windowed regression with
 * a 1/ℓ drift term, window detection, and the source exponent from the target's tail
 * sums. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_multifit.h>

#include "kernels_internal.h"
#include "slt/status.h"

static int resolved(const slt_kernels_level *L) { return L->mu > 0 && L->mu > 3.0 * L->mu_err; }

static double level_x(const slt_kernels_spectrum *s, size_t i)
{
    return s->params.domain == SLT_DOMAIN_SPHERE ? (double)s->levels[i].degree
                                                 : sqrt((double)s->levels[i].norm2);
}

int slt_kernels_local_slope(const slt_kernels_spectrum *s, double *slope, double *slope_err)
{
    if (!s || !slope) return slt_error(SLT_EINVAL, "slt_kernels_local_slope: NULL argument");
    for (size_t i = 0; i < s->n_levels; i++) {
        slope[i] = NAN;
        if (slope_err) slope_err[i] = NAN;
        if (!resolved(&s->levels[i]) || level_x(s, i) <= 0) continue;
        /* nearest resolved neighbours below and above with the same parity when the
         * adjacent level is a zero (sphere), or the adjacent level (torus) */
        size_t lo = i, hi = i;
        for (size_t j = i; j-- > 0;)
            if (resolved(&s->levels[j]) && level_x(s, j) > 0) { lo = j; break; }
        for (size_t j = i + 1; j < s->n_levels; j++)
            if (resolved(&s->levels[j])) { hi = j; break; }
        if (lo == i || hi == i) continue;
        const slt_kernels_level *a = &s->levels[lo], *b = &s->levels[hi];
        double dx = log(level_x(s, hi)) - log(level_x(s, lo));
        if (!(dx > 0)) continue;
        slope[i] = (log(b->mu) - log(a->mu)) / dx;
        if (slope_err) slope_err[i] = (a->mu_err / a->mu + b->mu_err / b->mu) / dx;
    }
    return SLT_OK;
}

slt_kernels_fit_params slt_kernels_fit_params_default(void)
{
    slt_kernels_fit_params p = {.lo = 0, .hi = 0, .tol = 0.05, .min_points = 8};
    return p;
}

/* least squares of y on columns (1, ln x, [z], [par]) with the drift column z = 1/x when z
 * is NULL, and the parity column par (NULL: none); returns the coefficient of ln x and its
 * SE */
static int regress_zp(const double *x, const double *z, const double *par, const double *y,
                      size_t n, int drift, double *slope, double *se, double *amp)
{
    size_t p = (drift ? 3 : 2) + (par ? 1 : 0);
    if (n < p + 1) return SLT_EDOM;
    gsl_matrix *X = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *Y = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    int rc = SLT_OK;
    if (!X || !cov || !Y || !c || !w) rc = SLT_ENOMEM;
    if (!rc) {
        for (size_t i = 0; i < n; i++) {
            gsl_matrix_set(X, i, 0, 1.0);
            gsl_matrix_set(X, i, 1, log(x[i]));
            if (drift) gsl_matrix_set(X, i, 2, z ? z[i] : 1.0 / x[i]);
            if (par) gsl_matrix_set(X, i, p - 1, par[i]);
            gsl_vector_set(Y, i, y[i]);
        }
        double chisq;
        if (gsl_multifit_linear(X, Y, c, cov, &chisq, w)) rc = SLT_EDOM;
        else {
            *slope = gsl_vector_get(c, 1);
            *se = sqrt(fmax(gsl_matrix_get(cov, 1, 1) * chisq / (double)(n - p), 0.0));
            *amp = exp(gsl_vector_get(c, 0));
        }
    }
    gsl_multifit_linear_free(w);
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(Y);
    gsl_vector_free(c);
    return rc;
}

static int regress_z(const double *x, const double *z, const double *y, size_t n, int drift,
                     double *slope, double *se, double *amp)
{
    return regress_zp(x, z, NULL, y, n, drift, slope, se, amp);
}

int slt_kernels_fit_decay(const slt_kernels_spectrum *s, const slt_kernels_fit_params *p,
                          slt_kernels_fit *out)
{
    static const char *where = "slt_kernels_fit_decay";
    if (!s || !out) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    slt_kernels_fit_params d = p ? *p : slt_kernels_fit_params_default();
    int rc;
    if ((rc = slt_check_range(where, "lo", d.lo, 0, 0, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "hi", d.hi, 0, 0, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "tol", d.tol, 0, 1, INFINITY, 1))) return rc;
    if (d.min_points < 3) return slt_error(SLT_EINVAL, "%s: min_points = %zu is out of range "
                                           "(expected min_points >= 3)", where, d.min_points);
    if ((d.lo > 0 || d.hi > 0) && !(d.hi > d.lo))
        return slt_error(SLT_EINVAL, "%s: window [%g, %g] is empty (expected lo < hi)", where,
                         d.lo, d.hi);
    /* NaN until computed: no caller can print a number the fit did not produce */
    out->s = out->s_err = out->alpha = out->alpha_err = out->alpha_K = out->alpha_K_err = NAN;
    out->s_plain = out->s_se = out->slope_spread = out->amplitude = NAN;
    out->lo = out->hi = NAN;
    out->points = 0;
    out->detected = 0;
    out->power_law = 0;
    size_t n = s->n_levels;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    double *sl = malloc(n * sizeof(double)), *par = malloc(n * sizeof(double));
    if (!x || !y || !sl || !par) {
        free(x); free(y); free(sl); free(par);
        return slt_error(SLT_ENOMEM, "%s: out of memory", where);
    }
    slt_kernels_local_slope(s, sl, NULL);
    double lo = d.lo, hi = d.hi;
    out->detected = 0;
    if (!(lo > 0 || hi > 0)) {
        /* widest [lo, top] where the local slope varies by <= tol */
        out->detected = 1;
        double top = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(sl[i])) top = fmax(top, level_x(s, i));
        hi = top;
        lo = top;
        double smin = INFINITY, smax = -INFINITY;
        size_t cnt = 0;
        for (size_t i = n; i-- > 0;) {
            if (!isfinite(sl[i]) || level_x(s, i) <= 0) continue;
            double nmin = fmin(smin, sl[i]), nmax = fmax(smax, sl[i]);
            if (nmax - nmin > d.tol && cnt >= d.min_points) break;
            smin = nmin;
            smax = nmax;
            lo = level_x(s, i);
            cnt++;
        }
    }
    size_t m = 0, n_par[2] = {0, 0};
    double smin = INFINITY, smax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double xi = level_x(s, i);
        if (xi < lo || xi > hi || xi <= 0 || !resolved(&s->levels[i])) continue;
        x[m] = xi;
        y[m] = log(s->levels[i].mu);
        par[m] = s->levels[i].degree % 2 ? -1.0 : 1.0;
        n_par[s->levels[i].degree % 2]++;
        if (isfinite(sl[i])) {
            smin = fmin(smin, sl[i]);
            smax = fmax(smax, sl[i]);
        }
        m++;
    }
    free(sl);
    if (m < d.min_points) {
        free(x);
        free(y);
        free(par);
        out->lo = lo;
        out->hi = hi;
        out->points = m;
        return slt_error(SLT_EDOM, "%s: %zu resolved levels in the window [%g, %g] (expected at "
                         "least %zu)", where, m, lo, hi, d.min_points);
    }
    /* arc-cosine kernels of depth >= 2 on the sphere (recognised by both parities being
     * resolved in the window; depth 1 is zero at odd ℓ >= 3, arccos0 at even ℓ >= 2) are
     * singular at t = -1 as well as at t = 1: μ_ℓ ≈ ℓ^{-s}(A + (-1)^ℓ B), odd and even
     * degrees on two parallel lines
     * (odd/even -> 0.714 for the depth-2 NTK on S⁴, 0.904 for depth 3 on S⁹). A parity
     * column (−1)^ℓ in the regression absorbs the offset; without it the zig-zag went into
     * the residuals and the drift term (depth-2 NTK on S⁴, lmax 200: α_K = 0.28 ± 0.08 for
     * the exact 1/4). Other kernels are smooth at t = -1 (no such term): no column. */
    const double *pc = NULL;
    if (s->params.domain == SLT_DOMAIN_SPHERE && kn_arccos_family(s->params.kernel) &&
        n_par[0] >= 2 && n_par[1] >= 2)
        pc = par;
    double s3, se3, a3, s2, se2, a2;
    rc = regress_zp(x, NULL, pc, y, m, 1, &s3, &se3, &a3);
    if (!rc) rc = regress_zp(x, NULL, pc, y, m, 0, &s2, &se2, &a2);
    free(x);
    free(y);
    free(par);
    if (rc) return slt_error(rc, "%s: the least-squares fit failed", where);
    int dim = s->params.dim;
    double denom = s->params.domain == SLT_DOMAIN_SPHERE ? dim - 1.0 : (double)dim;
    out->s = -s3;
    out->s_se = se3;
    out->s_plain = -s2;
    out->s_err = 2.0 * se3 + fabs(s3 - s2);
    out->alpha = out->s / denom;
    out->alpha_err = out->s_err / denom;
    out->alpha_K = out->alpha - 1.0;
    out->alpha_K_err = out->alpha_err;
    out->slope_spread = smax - smin;
    out->amplitude = a3;
    out->lo = lo;
    out->hi = hi;
    out->points = m;
    out->power_law = isfinite(out->s) && isfinite(out->s_err) && isfinite(out->alpha_K) &&
                     isfinite(out->slope_spread) && out->slope_spread <= d.tol &&
                     out->alpha_K > 0.0;
    return SLT_OK;
}

/* ln T = c − (αβ) ln k + c1 k^{−1/D} at the window's level boundaries, T = tail + C;
 * D = d − 1 (sphere) or d (torus), so that k^{−1/D} ∝ 1/ℓ: the drift of the staircase */
static int source_fit(const double *k, double D, const double *tail, size_t m, double C,
                      int drift, double *slope, double *se)
{
    double *y = malloc((m + 1) * sizeof(double)), *z = malloc((m + 1) * sizeof(double));
    double *kk = malloc((m + 1) * sizeof(double));
    if (!y || !z || !kk) {
        free(y); free(z); free(kk);
        return SLT_ENOMEM;
    }
    size_t n = 0;
    for (size_t i = 0; i < m; i++) {
        double T = tail[i] + C;
        if (!(T > 0) || !isfinite(T)) continue;
        kk[n] = k[i];
        z[n] = pow(k[i], -1.0 / D); /* ∝ 1/ℓ (1/|n|), but smooth in k across interleaved levels */
        y[n] = log(T);
        n++;
    }
    double amp;
    int rc = n >= 5 ? regress_z(kk, z, y, n, drift, slope, se, &amp) : SLT_EDOM;
    free(y); free(z); free(kk);
    return rc;
}

int slt_kernels_fit_source(const slt_kernels_spectrum *s, const double *power,
                           const double *power_err, const slt_kernels_beyond *beyond,
                           const slt_kernels_fit *fit, double *beta, double *beta_err)
{
    static const char *where = "slt_kernels_fit_source";
    if (!s || !power || !fit || !beta || !beta_err)
        return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    if (!beyond)
        return slt_error(SLT_EINVAL, "%s: beyond is NULL: the target power past lmax is needed "
                         "(slt_kernels_beyond_isotropic, _power_law or _target)", where);
    if (!isfinite(beyond->learnable) || !isfinite(beyond->learnable_err) || beyond->learnable < 0)
        return slt_error(SLT_EDOM, "%s: beyond->learnable = %g +- %g (expected a finite value "
                         ">= 0)", where, beyond->learnable, beyond->learnable_err);
    if (!(fit->alpha > 0) || !isfinite(fit->alpha))
        return slt_error(SLT_EINVAL, "%s: fit->alpha = %g is out of range (expected alpha > 0)",
                         where, fit->alpha);
    slt_kernels_flat_level *fl;
    size_t nf;
    int rc = slt_kernels_flatten(s, &fl, &nf);
    if (rc) return rc;
    /* the tail of the whole task past the flattened levels: levels not flattened that are
     * not structural zeros (unresolved: their eigenvalues are below every flattened one)
     * and the learnable power beyond lmax */
    char *flat = calloc(s->n_levels + 1, 1);
    double *tail = malloc((nf + 1) * sizeof(double)), *terr = malloc((nf + 1) * sizeof(double));
    double *x = malloc((nf + 1) * sizeof(double));
    double *tw = malloc((nf + 1) * sizeof(double));
    if (!flat || !tail || !terr || !x || !tw) {
        free(fl); free(flat); free(tail); free(terr); free(x); free(tw);
        return slt_error(SLT_ENOMEM, "%s: out of memory", where);
    }
    for (size_t i = 0; i < nf; i++) flat[fl[i].level] = 1;
    double C = beyond->learnable, Ce = beyond->learnable_err;
    for (size_t i = 0; i < s->n_levels; i++) {
        size_t deg = s->params.domain == SLT_DOMAIN_SPHERE ? s->levels[i].degree : 1;
        if (flat[i] || !kn_structural_nonzero(&s->params, deg)) continue;
        C += power[i];
        if (power_err) Ce += power_err[i];
    }
    /* tail[i] = Σ_{j > i} power over the flattened levels after boundary i */
    tail[nf] = 0.0;
    terr[nf] = 0.0;
    for (size_t i = nf; i-- > 0;) {
        tail[i] = i + 1 < nf ? tail[i + 1] + power[fl[i + 1].level] : 0.0;
        terr[i] = i + 1 < nf ? terr[i + 1] + (power_err ? power_err[fl[i + 1].level] : 0.0) : 0.0;
    }
    /* Boundaries are usable only above every eigenvalue past lmax: below that, modes past
     * lmax belong in front of the level and its k_last is too small. Sphere: μ decreases
     * within each parity (it need not across them: deep ReLU kernels interleave), so the
     * largest eigenvalue past lmax is below the last computed level of each parity. Torus:
     * the kept levels are above every mode left out by construction. */
    double mu_cut = 0.0;
    if (s->params.domain == SLT_DOMAIN_SPHERE)
        for (size_t i = s->n_levels; i-- > 0 && i + 2 >= s->n_levels;)
            mu_cut = fmax(mu_cut, s->levels[i].mu + s->levels[i].mu_err);
    size_t m = 0;
    double rel = 0.0, kmin = INFINITY, kmax = 0.0;
    for (size_t i = 0; i < nf; i++) {
        double xi = level_x(s, fl[i].level);
        if (xi < fit->lo || xi > fit->hi || !(xi > 0) || !(tail[i] + C > 0)) continue;
        if (!(s->levels[fl[i].level].mu > mu_cut)) continue;
        x[m] = fl[i].k_last;
        tw[m] = tail[i];
        /* relative error of T from the per-level errors (C's error is handled below) */
        rel = fmax(rel, terr[i] / (tail[i] + C));
        kmin = fmin(kmin, x[m]);
        kmax = fmax(kmax, x[m]);
        m++;
    }
    double D = s->params.domain == SLT_DOMAIN_SPHERE ? s->params.dim - 1.0 : (double)s->params.dim;
    double s3 = 0, se3 = 0, s2 = 0, se2 = 0, sl = 0, sh = 0, sd;
    rc = source_fit(x, D, tw, m, C, 1, &s3, &se3);
    if (!rc) rc = source_fit(x, D, tw, m, C, 0, &s2, &se2);
    if (!rc) rc = source_fit(x, D, tw, m, C + Ce, 1, &sh, &sd);
    if (!rc) {
        /* the lower end of C may leave no tail at the last boundaries: mirror the upper */
        if (source_fit(x, D, tw, m, fmax(C - Ce, 0.0), 1, &sl, &sd)) sl = s3 + (s3 - sh);
    }
    free(fl); free(flat); free(tail); free(terr); free(x); free(tw);
    if (rc == SLT_ENOMEM) return slt_error(rc, "%s: out of memory", where);
    if (rc)
        return slt_error(SLT_EDOM, "%s: %zu usable level boundaries in the window [%g, %g] "
                         "(expected >= 5)", where, m, fit->lo, fit->hi);
    /* a relative perturbation <= rel of every T moves the slope by <= 2 rel/Δ ln k */
    double dk = log(kmax / kmin);
    double ab_err = 2.0 * se3 + fabs(s3 - s2) + fmax(fabs(sh - s3), fabs(sl - s3)) +
                    (dk > 0 ? 2.0 * rel / dk : INFINITY);
    *beta = -s3 / fit->alpha;
    *beta_err = ab_err / fit->alpha + fabs(*beta) * fit->alpha_err / fit->alpha;
    return SLT_OK;
}
