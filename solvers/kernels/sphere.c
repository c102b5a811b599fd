/* Spectra of dot-product kernels on S^{d-1}: three methods per degree, the one with the
 * smallest error estimate wins (docs/theory/kernels.md §2–§4).
 *
 *   quadrature  μ_ℓ = c_d ∫_0^π k(cos θ) P_ℓ(cos θ) sin^{d−2}θ dθ, Gauss–Legendre in θ
 *               (the ReLU and Laplace kernels are analytic in θ), the pair θ, π − θ
 *               folded by parity; error = |Q_n − Q_2n| + rounding floor.
 *   endpoint    k = Σ e_n (1−t)^{n/2} at t = 1 and Σ e'_n (1+t)^{n/2} at t = −1, each
 *               power transformed exactly: μ_ℓ[(1−t)^ν] = 2^ν (−ν)_ℓ Γ(ν+h) Γ(d−1) /
 *               (Γ(h) Γ(ℓ+ν+d−1)), h = (d−1)/2, μ_ℓ[(1+t)^ν] = (−1)^ℓ μ_ℓ[(1−t)^ν].
 *               ReLU family: only the odd n (the singular terms) — an asymptotic series in
 *               1/ℓ, summed to its smallest term; trusted only from the degree where it has
 *               been validated against an accurate quadrature or series value upward.
 *               Laplace: k = exp(−(√2/σ) s), s = √(1−t), entire in s: a convergent series.
 *   series      μ_ℓ = Σ_{j ≥ ℓ, j ≡ ℓ (2)} b_j c_{j,ℓ} with b_j >= 0 the Taylor coefficients
 *               at t = 0; tail <= (k(1) − Σ_{j≤J} b_j)·max_{j>J} c_{j,ℓ} (rigorous). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "kernels_internal.h"
#include "slt/status.h"

enum { C_QUAD = 0, C_END, C_SER, C_BES, NCAND };

/* Gaussian kernel: the positive series up to c = 1/width² = 1e4 (about 8c Taylor terms
 * per degree); the quadrature while its 12/width extra nodes stay below 2400 (width >=
 * 5e-3; the rule is doubled twice, O(n²) each). Narrower Gaussians: the closed form only. */
#define GAUSS_SERIES_MAX_C 1e4
#define QUAD_MAX_WIDTH_NODES 2400.0

typedef struct {
    size_t L;
    int d;
    double *v[NCAND], *e[NCAND];
    unsigned char *structural_zero;
} cands;

static int cand_resolved(const cands *c, size_t l, double tol, int use_end)
{
    if (c->structural_zero[l] && use_end) return 1;
    for (int k = 0; k < NCAND; k++) {
        if (k == C_END && !use_end) continue;
        double v = c->v[k][l], e = c->e[k][l];
        if (isfinite(v) && e <= tol * fabs(v)) return 1;
    }
    return 0;
}

/* Γ(x+1/2)/Γ(x) for x ∈ ½ℕ, x >= 1/2, in long double: a product of rational factors from
 * r(1/2) = 1/√π or r(1) = √π/2, at most 2x + 2 roundings of LDBL_EPSILON/2 (the double
 * exp(lnΓ − lnΓ) loses ~eps·lnΓ: 3e-14 at d = 100). */
static long double half_gamma_ratio(double x)
{
    const long double sqrt_pi = 1.772453850905516027298167483341145183L;
    long double num = 1.0L, den = 1.0L;
    double x0 = (x == floor(x)) ? 1.0 : 0.5;
    for (double y = x0 + 1.0; y <= x; y += 1.0) {
        num *= (long double)y - 0.5L;
        den *= (long double)y - 1.0L;
    }
    return (x0 == 1.0 ? 0.5L * sqrt_pi : 1.0L / sqrt_pi) * (num / den);
}

/* ---- quadrature ---------------------------------------------------------------- */

static int quad_rule(const slt_kernels_workspace *ws, int alt, size_t lq, size_t n, double *Q,
                     double *A)
{
    int d = ws->p.dim;
    /* gsl_integration_fixed (Golub–Welsch): accurate to rounding. GSL 2.7's glfixed tables
     * are accurate to only ~1e-10 for n not in its precomputed list (measured). */
    gsl_integration_fixed_workspace *tab =
        gsl_integration_fixed_alloc(gsl_integration_fixed_legendre, n, 0.0, M_PI, 0.0, 0.0);
    double *a = malloc((lq + 2) * sizeof(double)), *b = malloc((lq + 2) * sizeof(double));
    if (!tab || !a || !b) {
        if (tab) gsl_integration_fixed_free(tab); /* GSL does not accept NULL */
        free(a);
        free(b);
        return SLT_ENOMEM;
    }
    for (size_t l = 1; l <= lq; l++) {
        double den = (double)l + d - 2.0;
        a[l] = (2.0 * l + d - 2.0) / den;
        b[l] = (double)l / den;
    }
    memset(Q, 0, (lq + 1) * sizeof(double));
    memset(A, 0, (lq + 1) * sizeof(double));
    double h = 0.5 * (d - 1.0);
    /* c_d = Γ(d/2)/(√π Γ(h)) */
    double cdn = (double)(half_gamma_ratio(h) / 1.772453850905516027298167483341145183L);
    const double *xs = gsl_integration_fixed_nodes(tab), *wt = gsl_integration_fixed_weights(tab);
    for (size_t i = 0; i < n; i++) {
        double th = xs[i], w = wt[i];
        int middle = fabs(th - M_PI_2) < 1e-14;
        if (th > M_PI_2 && !middle) continue; /* folded into its mirror π − θ */
        double ka = alt ? kn_table_eval_alt(ws, th) : kn_sphere_theta(ws, th);
        double kb = middle ? 0.0 : (alt ? kn_table_eval_alt(ws, M_PI - th)
                                        : kn_sphere_theta(ws, M_PI - th));
        double wsin = w * cdn * exp((d - 2.0) * log(sin(th)));
        if (wsin == 0.0) continue;
        double wp = wsin * (ka + kb), wm = wsin * (ka - kb), wa = wsin * (fabs(ka) + fabs(kb));
        if (middle) wp = wm = wsin * ka;
        double t = cos(th);
        double p0 = 1.0, p1 = t;
        Q[0] += wp;
        A[0] += wa;
        if (lq >= 1) {
            Q[1] += wm * p1;
            A[1] += wa * fabs(p1);
        }
        for (size_t l = 1; l < lq; l++) {
            double p2 = a[l] * t * p1 - b[l] * p0;
            p0 = p1;
            p1 = p2;
            Q[l + 1] += ((l + 1) % 2 ? wm : wp) * p2;
            A[l + 1] += wa * fabs(p2);
            if (fabs(p1) < 1e-280 && fabs(p0) < 1e-280) break;
        }
    }
    gsl_integration_fixed_free(tab);
    free(a);
    free(b);
    return SLT_OK;
}

/* Gauss–Legendre with doubling until the discretisation error is below the tolerance or
 * the rounding floor for every ℓ <= lq. */
static int quadrature(const slt_kernels_workspace *ws, size_t lq, cands *c, size_t *nodes,
                      int *converged)
{
    const slt_kernels_params *p = &ws->p;
    int d = p->dim;
    size_t n = (size_t)ceil(0.8 * ((double)lq + d)) + 24;
    if (ws->type->sphere_quad_nodes) n += ws->type->sphere_quad_nodes(p);
    size_t nmax = 4 * n; /* two doublings at most: node generation is O(n²) */
    double *Q1 = malloc((lq + 1) * sizeof(double)), *A1 = malloc((lq + 1) * sizeof(double));
    double *Q2 = malloc((lq + 1) * sizeof(double)), *A2 = malloc((lq + 1) * sizeof(double));
    double *Qa = NULL, *Aa = NULL;
    double *prev = malloc((lq + 1) * sizeof(double));
    int rc = (Q1 && A1 && Q2 && A2) ? SLT_OK : SLT_ENOMEM;
    if (!prev) rc = SLT_ENOMEM;
    for (size_t l = 0; !rc && l <= lq; l++) prev[l] = INFINITY;
    if (!rc) rc = quad_rule(ws, 0, lq, n, Q1, A1);
    *converged = 0;
    while (!rc) {
        if ((rc = quad_rule(ws, 0, lq, 2 * n, Q2, A2))) break;
        int ok = 1;
        for (size_t l = 0; l <= lq; l++) {
            double fl = KN_EPS * (48.0 + 6.0 * sqrt((double)l) + d) * A2[l];
            double diff = fabs(Q2[l] - Q1[l]);
            /* converged, or no longer decreasing (rounding-limited; diff is in the error) */
            if (diff > fmax(p->rel_tol * fabs(Q2[l]), 4.0 * fl) && diff < 0.5 * prev[l]) ok = 0;
            prev[l] = diff;
        }
        if (ok) {
            *converged = 1;
            break;
        }
        if (4 * n > nmax) break;
        n *= 2;
        double *t = Q1;
        Q1 = Q2;
        Q2 = t;
        t = A1;
        A1 = A2;
        A2 = t;
    }
    *nodes = 2 * n;
    if (!rc && (ws->type->info.params & SLT_KPARAM_TABLE)) {
        /* interpolation error: the same rule on the Akima interpolant */
        Qa = malloc((lq + 1) * sizeof(double));
        Aa = malloc((lq + 1) * sizeof(double));
        rc = (Qa && Aa) ? quad_rule(ws, 1, lq, 2 * n, Qa, Aa) : SLT_ENOMEM;
    }
    if (!rc) {
        for (size_t l = 0; l <= lq; l++) {
            double fl = KN_EPS * (48.0 + 6.0 * sqrt((double)l) + d) * A2[l];
            c->v[C_QUAD][l] = Q2[l];
            c->e[C_QUAD][l] = fabs(Q2[l] - Q1[l]) + fl + (Qa ? fabs(Qa[l] - Q2[l]) : 0.0);
        }
    }
    free(prev);
    free(Q1);
    free(A1);
    free(Q2);
    free(A2);
    free(Qa);
    free(Aa);
    return rc;
}

/* ---- endpoint expansions --------------------------------------------------------- */

/* F(ℓ) = μ_ℓ[(1−t)^{1/2}] = √2 (−1/2)_ℓ Γ(h+1/2) Γ(d−1) / (Γ(h) Γ(ℓ+d−1/2)) in long double,
 * as a long-double mantissa and a binary exponent (it underflows at large d, ℓ).
 * F(0) = √2 r(h)/r(d−1), r(x) = Γ(x+1/2)/Γ(x), by the exact recurrence
 * r(x) = r(x−1)(x−1/2)/(x−1) from r(1/2) = 1/√π or r(1) = √π/2 (x is an integer or a
 * half-integer): at most 3d + 8 roundings of LDBL_EPSILON/2 (2^-64 for x87). The old
 * double F(0) = exp(lf0), lf0 a sum of four lnΓ of size ~ d ln d, was off by 3.8e-14
 * relative at d = 100 (8e-13 at d = 640): the understated bars of issue 12 item 6. Each ℓ step multiplies by
 * (ℓ−3/2)/(ℓ+d−3/2) (exact operands; one division, one product): 2 roundings, which
 * need not cancel, so the bound is linear in ℓ, not √ℓ. kn_fhl_rel: that bound. */
typedef struct {
    long double m;
    long e;
    double rel;
} kn_fhl;

static kn_fhl kn_fhl_start(int d)
{
    kn_fhl F;
    int e;
    F.m = frexpl(1.414213562373095048801688724209698079L * half_gamma_ratio(0.5 * (d - 1.0)) /
                     half_gamma_ratio(d - 1.0),
                 &e);
    F.e = e;
    F.rel = (3.0 * d + 8.0) * (0.5 * LDBL_EPSILON);
    return F;
}

static void kn_fhl_step(kn_fhl *F, size_t l, int d) /* F(ℓ−1) → F(ℓ), ℓ >= 1 */
{
    int e;
    long double L = (long double)l;
    F->m = frexpl(F->m * ((L - 1.5L) / (L + (long double)d - 1.5L)), &e);
    F->e += e;
    F->rel += 2.0 * (0.5 * LDBL_EPSILON);
}

/* F as a scaled double (one more rounding, 2^-53, counted by the callers' bars) */
static kn_sd kn_fhl_sd(const kn_fhl *F)
{
    kn_sd r;
    int e;
    r.m = frexp((double)F->m, &e);
    r.e = F->e + e;
    return r;
}

/* ReLU family: asymptotic series in the odd (singular) terms at both endpoints. */
static void endpoint_relu(const slt_kernels_workspace *ws, cands *c)
{
    int d = ws->p.dim;
    double h = 0.5 * (d - 1.0);
    int kt = (ws->ep_trust - 1) / 2; /* odd coefficients n = 2m+1 < ep_trust */
    kn_fhl F = kn_fhl_start(d);
    for (size_t l = 0; l <= c->L; l++) {
        double L = (double)l;
        if (l > 0) kn_fhl_step(&F, l, d);
        double par = (l % 2) ? -1.0 : 1.0;
        double S = 0.0, sumabs = 0.0, R = 1.0, prev = INFINITY, err = NAN, cerr = 0.0;
        int structural = 1, done = 0;
        for (int m = 0; m < kt; m++) {
            double nu = m + 0.5;
            long double cpl = ws->ep_plus[2 * m + 1], cml = ws->ep_minus[2 * m + 1];
            double cc = (double)(cpl + par * cml), ca = (double)(fabsl(cpl) + fabsl(cml));
            double ce = ws->ep_plus_err[2 * m + 1] + ws->ep_minus_err[2 * m + 1];
            if (fabs(cc) > 64.0 * KN_EPS * ca)
                structural = 0;
            else
                cc = 0.0;
            double T = cc * R, B = ca * fabs(R);
            if (m >= 2 && B > prev && prev > 0) { /* the series has started to diverge */
                err = 2.0 * fabs(T) + 2.0 * KN_EPS * B;
                done = 1;
                break;
            }
            if (m >= 1 && B <= 0.01 * KN_EPS * fabs(S)) {
                err = B;
                done = 1;
                break;
            }
            S += T;
            sumabs += fabs(T);
            cerr += ce * fabs(R);
            prev = B;
            R *= -2.0 * (nu + 1.0) * (nu + h) / ((L - nu - 1.0) * (L + nu + d - 1.0));
        }
        if (!done) err = 2.0 * prev;
        err += cerr; /* the coefficients' errors (kernels.c) */
        if (structural) {
            c->structural_zero[l] = 1;
            c->v[C_END][l] = 0.0;
            c->e[C_END][l] = 0.0;
            continue;
        }
        /* S's roundings; F's error (kn_fhl) and the three roundings F → double, F·S,
         * the final scaling */
        err += (16.0 * sumabs + (4.0 + F.rel / KN_EPS) * fabs(S)) * KN_EPS;
        kn_sd Fd = kn_fhl_sd(&F);
        kn_sd val = kn_sd_mul(Fd, S);
        kn_sd ev = kn_sd_mul(Fd, err);
        c->v[C_END][l] = kn_sd_value(val);
        c->e[C_END][l] = fabs(kn_sd_value(ev));
    }
}

/* Laplace: k = Σ_n e_n s^n, e_n = (−√2/σ)^n / n!, s = √(1−t); convergent. */
static void endpoint_laplace(const slt_kernels_workspace *ws, cands *c)
{
    int d = ws->p.dim;
    double h = 0.5 * (d - 1.0), a = -M_SQRT2 / ws->p.width;
    kn_fhl F = kn_fhl_start(d);
    const int nmax = 4000;
    for (size_t l = 0; l <= c->L; l++) {
        double L = (double)l;
        if (l > 0) kn_fhl_step(&F, l, d);
        /* half-integer chain ν = m + 1/2, coefficient e_{2m+1}; relative to F */
        double S = 0.0, sumabs = 0.0, R = 1.0, e = a, last = 0.0;
        int conv = 0;
        for (int m = 0; 2 * m + 1 < nmax; m++) {
            double nu = m + 0.5, T = e * R;
            S += T;
            sumabs += fabs(T);
            last = fabs(T);
            if (m >= 2 && 2.0 * m + 1 > a * a && fabs(T) <= 0.01 * KN_EPS * fabs(S)) {
                conv = 1;
                break;
            }
            R *= -2.0 * (nu + 1.0) * (nu + h) / ((L - nu - 1.0) * (L + nu + d - 1.0));
            e *= a * a / ((2.0 * m + 2.0) * (2.0 * m + 3.0));
        }
        /* integer chain ν = j >= ℓ, coefficient e_{2j}, relative to F via logs. The ratio
         * e_{2ℓ} F_ℓ(ℓ)/F_{1/2}(ℓ) = a^{2ℓ}/(2ℓ)! · 2^{ℓ−1/2} ℓ! Γ(−1/2)/Γ(ℓ−1/2) ·
         * Γ(ℓ+h)/Γ(h+1/2) · Γ(ℓ+d−1/2)/Γ(2ℓ+d−1) (Γ(d−1), Γ(h) cancel), in long double:
         * the double lnΓ of size ~ d ln d cost 2.4e-13 relative at d = 100, ℓ = 1. Its
         * relative error: 8 roundings of LDBL_EPSILON/2 per unit of Σ|log terms| (lgammal
         * is good to a few ulps) plus the final rounding, times Σ|R_j| (int_abs). */
        int sgl, sgj;
        (void)kn_fh_power_log(d, l, 0.5, &sgl);
        (void)kn_fh_power_log(d, l, L, &sgj);
        long double Ll = (long double)L, hl = (long double)h, dl = (long double)d;
        long double lt[8] = {2.0L * Ll * logl(fabsl((long double)a)), -lgammal(2.0L * Ll + 1.0L),
                             (Ll - 0.5L) * 0.693147180559945309417232121458176568L,
                             lgammal(Ll + 1.0L), lgammal(-0.5L) - lgammal(Ll - 0.5L),
                             lgammal(Ll + hl) - lgammal(hl + 0.5L),
                             lgammal(Ll + dl - 0.5L), -lgammal(2.0L * Ll + dl - 1.0L)};
        long double lr = 0.0L, lr_abs = 0.0L;
        for (int k = 0; k < 8; k++) {
            lr += lt[k];
            lr_abs += fabsl(lt[k]);
        }
        double lr_rel = (double)(8.0L * lr_abs) * (0.5 * LDBL_EPSILON) + KN_EPS, int_abs = 0.0;
        if (lr > -745.0L) {
            double Rj = sgj * sgl * (double)expl(lr); /* e_{2ℓ} F(ℓ) / F(1/2); e_{2j} > 0 */
            for (int j = (int)l; 2 * j < nmax; j++) {
                S += Rj;
                sumabs += fabs(Rj);
                int_abs += fabs(Rj);
                double nu = j;
                if (j >= (int)l + 2 && 2.0 * j > a * a && fabs(Rj) <= 0.01 * KN_EPS * fabs(S)) break;
                Rj *= -2.0 * (nu + 1.0) * (nu + h) / ((L - nu - 1.0) * (L + nu + d - 1.0)) * a * a /
                      ((2.0 * j + 1.0) * (2.0 * j + 2.0));
            }
        }
        double err = (conv ? 0.0 : 2.0 * last) + lr_rel * int_abs +
                     (16.0 * sumabs + (4.0 + F.rel / KN_EPS) * fabs(S)) * KN_EPS;
        kn_sd Fd = kn_fhl_sd(&F);
        c->v[C_END][l] = kn_sd_value(kn_sd_mul(Fd, S));
        c->e[C_END][l] = fabs(kn_sd_value(kn_sd_mul(Fd, err)));
    }
}

/* ---- Gaussian: closed form ------------------------------------------------------- */

/* k(t) = e^{−c(1−t)}, c = 1/σ²: e^{ct} = Γ(ν)(c/2)^{−ν} Σ_ℓ (ℓ+ν) I_{ℓ+ν}(c) C_ℓ^ν(t),
 * ν = (d−2)/2, gives μ_ℓ = Γ(d/2) (2/c)^ν e^{−c} I_{ℓ+ν}(c) per eigenfunction. With
 * Hankel's expansion e^{−c} I_m(c) = (2πc)^{−1/2} [Σ_k (−1)^k a_k(m)/c^k + O(e^{−2c})],
 * a_k = a_{k−1} (4m² − (2k−1)²)/(8k):
 *   μ_ℓ = Γ(d/2) 2^ν σ^{d−1} (2π)^{−1/2} Σ_k (−1)^k a_k(ℓ+ν) σ^{2k}.
 * The sum is finite for half-integer m; otherwise it is used only while the terms fall
 * below the target before they grow. Error: twice the first neglected term, the
 * exponentially small part (bounded by 2e^{−2c} Σ|terms|), roundings. Used for c >= 20;
 * σ^{d−1} as a scaled double, so σ down to the smallest double works. Narrow kernels
 * (large c) are where the quadrature (≈ 12/σ nodes) and the series (≈ 8c terms) become
 * unaffordable. */
static void bessel_gaussian(const slt_kernels_workspace *ws, double tol, cands *c)
{
    int d = ws->p.dim;
    double w = ws->p.width, x = w * w; /* x = 1/c, 0 when it underflows */
    if (!(x <= 1.0 / 20.0)) return;
    double nu0 = 0.5 * (d - 2.0), pre_err;
    kn_sd pre;
    /* Γ(d/2) = (z−1)(z−2)…(z−k) Γ(z−k), z = d/2, z − k <= 100: a product, not exp(lnΓ)
     * (whose rounding, ~eps·lnΓ, is 6e-13 at d = 1000) */
    pre.m = 1.0;
    pre.e = 0;
    double z = 0.5 * d;
    int factors = 0;
    for (; z > 100.0; z -= 1.0, factors++) pre = kn_sd_mul(pre, z - 1.0);
    pre = kn_sd_mul(pre, gsl_sf_gamma(z) / sqrt(2.0 * M_PI));
    pre.e += (long)floor(nu0); /* 2^ν */
    if (nu0 != floor(nu0)) pre = kn_sd_mul(pre, M_SQRT2);
    pre_err = (8.0 + factors) * KN_EPS;
    int we;
    double wm = frexp(w, &we); /* σ^{d−1} = wm^{d−1} 2^{we(d−1)}, wm^{d−1} >= 2^{−999} */
    pre = kn_sd_mul(pre, pow(wm, d - 1.0));
    pre.e += (long)we * (d - 1);
    pre_err += 4.0 * KN_EPS;
    double small = x > 0.0 ? 2.0 * exp(-2.0 / x) : 0.0; /* e^{−2c} part, relative */
    for (size_t l = 0; l <= c->L; l++) {
        double m = nu0 + (double)l, m4 = 4.0 * m * m;
        double S = 1.0, Sabs = 1.0, T = 1.0, err = NAN;
        for (int k = 1; k < 400; k++) {
            double o = 2.0 * k - 1.0;
            double Tn = -T * (m4 - o * o) / (8.0 * k) * x;
            if (Tn == 0.0) { /* terminated (half-integer m) or below the double range */
                err = 0.0;
                break;
            }
            if (fabs(Tn) >= fabs(T) && k > 1) break; /* asymptotic: diverging from here */
            if (fabs(Tn) <= 0.01 * KN_EPS * fabs(S)) {
                err = 2.0 * fabs(Tn);
                break;
            }
            S += Tn;
            Sabs += fabs(Tn);
            T = Tn;
        }
        if (!isfinite(err) || !(S > 0.0)) continue; /* not resolved here: other methods */
        double rel = (err + 4.0 * KN_EPS * Sabs + small * Sabs) / S + pre_err;
        if (rel > tol) continue;
        c->v[C_BES][l] = kn_sd_value(kn_sd_mul(pre, S));
        c->e[C_BES][l] = rel * c->v[C_BES][l];
    }
}

/* ---- positive series ----------------------------------------------------------------- */

static int taylor_coefficients(slt_kernels_workspace *ws, size_t J)
{
    if (ws->taylor && ws->taylor_n >= J + 1) return SLT_OK;
    const slt_kernels_params *p = &ws->p;
    double *b = calloc(J + 1, sizeof(double));
    if (!b) return SLT_ENOMEM;
    int rc = ws->type->sphere_taylor ? ws->type->sphere_taylor(p, J, b) : SLT_OK;
    if (rc) {
        free(b);
        return rc;
    }
    free(ws->taylor);
    ws->taylor = b;
    ws->taylor_n = J + 1;
    return SLT_OK;
}

/* ln c_{j,ℓ} = ln Γ(d/2) + ln j! − j ln 2 − ln((j−ℓ)/2)! − ln Γ((j+ℓ+d)/2) */
static double log_cjl(int d, double j, double l)
{
    return gsl_sf_lngamma(0.5 * d) + gsl_sf_lngamma(j + 1.0) - j * M_LN2 -
           gsl_sf_lngamma(0.5 * (j - l) + 1.0) - gsl_sf_lngamma(0.5 * (j + l + d));
}

static void series(const slt_kernels_workspace *ws, size_t J, const unsigned char *need,
                   cands *c)
{
    int d = ws->p.dim;
    const double *b = ws->taylor;
    size_t top = kn_top_degree(ws->type, &ws->p);
    int finite = top && top <= J;
    double sumb = 0.0;
    int negative = 0;
    for (size_t j = 0; j <= J; j++) {
        sumb += b[j];
        if (b[j] < -64.0 * KN_EPS * fabs(ws->diag)) negative = 1;
    }
    double RJ = finite ? 0.0 : fmax(ws->diag - sumb, 0.0) + 4.0 * KN_EPS * J * ws->diag;
    if (ws->p.kernel == SLT_KERNEL_GAUSSIAN) {
        /* Σ_{j>J} e^{-c} c^j/j! <= b_{J+1} / (1 − c/(J+2)) when c < J + 2 */
        double cc = 1.0 / (ws->p.width * ws->p.width), jj = (double)J;
        if (cc < jj + 2.0) {
            double bn = exp(-cc + (jj + 1.0) * log(cc) - gsl_sf_lngamma(jj + 2.0));
            RJ = fmin(RJ, bn / (1.0 - cc / (jj + 2.0)));
        }
    }
    /* c_{ℓ,ℓ} = Γ(d/2) ℓ! 2^{−ℓ}/Γ(ℓ + d/2) = Π_{k=1}^{ℓ} k/(d + 2k − 2): a product in long
     * double (2 roundings of LDBL_EPSILON/2 per factor), not exp of four double lnΓ, which
     * at d = 1000 (lnΓ(500) ≈ 2600) lost ~5e-13 relative, as much as the whole bar */
    kn_fhl C0l = {1.0L, 0, 0.0};
    for (size_t l = 0; l <= c->L && l <= J; l++) {
        if (l > 0) {
            int e;
            C0l.m = frexpl(C0l.m * ((long double)l / ((long double)d + 2.0L * l - 2.0L)), &e);
            C0l.e += e;
            C0l.rel += 2.0 * (0.5 * LDBL_EPSILON);
        }
        if (need && !need[l]) continue;
        double L = (double)l;
        kn_sd C0 = kn_fhl_sd(&C0l);
        double S = 0.0, R = 1.0;
        long shift = 0; /* S and R are scaled by 2^-shift */
        size_t j = l;
        for (; j <= J; j += 2) {
            S += b[j] * R;
            double jj = (double)j;
            R *= (jj + 1.0) * (jj + 2.0) / ((jj - L + 2.0) * (jj + L + d));
            if (R > 1e200) {
                R = ldexp(R, -600);
                S = ldexp(S, -600);
                shift += 600;
            }
        }
        /* j is now the first same-parity index beyond J; R = c_{j,ℓ}/c_{ℓ,ℓ} (scaled) */
        double jstar = ((L - 2.0) * (L + d) + 2.0) / (d - 1.0);
        double tail_rel; /* tail bound / (C0·2^shift) */
        if ((double)j >= jstar) {
            tail_rel = RJ * R;
        } else {
            double js = ceil(jstar);
            if (fmod(js - L, 2.0) != 0.0) js += 1.0;
            double lc = log_cjl(d, js, L);
            double lc0 = log_cjl(d, L, L) + shift * M_LN2;
            tail_rel = RJ * exp(fmin(lc - lc0, 700.0));
        }
        double err = tail_rel + 8.0 * KN_EPS * (double)(J + 16) * fabs(S) +
                     (2.0 * KN_EPS + C0l.rel) * fabs(S); /* C0 → double, C0·S */
        if (negative) err = INFINITY;
        kn_sd v = C0, ev = C0;
        v.e += shift;
        ev.e += shift;
        c->v[C_SER][l] = kn_sd_value(kn_sd_mul(v, S));
        c->e[C_SER][l] = fabs(kn_sd_value(kn_sd_mul(ev, err)));
        /* coefficients below the double range are 0 here: each adds at most
         * DBL_MIN·c_{j,ℓ} <= DBL_MIN (c_{j,ℓ} <= 1) */
        c->e[C_SER][l] += (double)(J + 1) * DBL_MIN;
        if (isinf(err)) c->e[C_SER][l] = INFINITY;
    }
}

/* Degree from which the ReLU endpoint series is trusted: scanning down from the top of
 * the range where an accurate reference (quadrature or series, relative error <= 1e-3)
 * exists, the first disagreement beyond the combined error ends the trusted range.
 * Returns (size_t)-1 if fewer than 3 agreements were seen. */
static size_t endpoint_validate(const cands *c, size_t *checked)
{
    size_t agree = 0, lv = 0;
    int have_top = 0;
    for (size_t l = c->L + 1; l-- > 0;) {
        if (c->structural_zero[l]) continue;
        double a = c->v[C_END][l], ea = c->e[C_END][l];
        int k = -1;
        double best = INFINITY;
        for (int q = 0; q < NCAND; q++) {
            if (q == C_END) continue;
            double v = c->v[q][l], e = c->e[q][l];
            if (isfinite(v) && v != 0.0 && e <= 1e-3 * fabs(v) && e < best) {
                best = e;
                k = q;
            }
        }
        if (k < 0) continue;
        if (!(ea <= 1e-3 * fabs(a))) { /* the asymptotic series is no longer accurate */
            lv = l + 1;
            have_top = 1;
            break;
        }
        if (fabs(a - c->v[k][l]) > ea + c->e[k][l]) {
            lv = l + 1;
            have_top = 1;
            break;
        }
        agree++;
    }
    (void)have_top;
    *checked = agree;
    return agree >= 3 ? lv : (size_t)-1;
}

int kn_sphere_spectrum(slt_kernels_workspace *ws, slt_kernels_spectrum *s)
{
    const slt_kernels_params *p = &ws->p;
    size_t L = p->lmax;
    int d = p->dim;
    double tol = p->rel_tol;
    cands c = {.L = L, .d = d};
    int rc = SLT_OK, quad_conv = 1;
    unsigned char *need = calloc(L + 1, 1);
    c.structural_zero = calloc(L + 1, 1);
    s->levels = calloc(L + 1, sizeof(slt_kernels_level));
    for (int k = 0; k < NCAND; k++) {
        c.v[k] = malloc((L + 1) * sizeof(double));
        c.e[k] = malloc((L + 1) * sizeof(double));
        if (!c.v[k] || !c.e[k]) rc = SLT_ENOMEM;
    }
    if (!need || !c.structural_zero || !s->levels) rc = SLT_ENOMEM;
    if (rc) goto done;
    for (int k = 0; k < NCAND; k++)
        for (size_t l = 0; l <= L; l++) {
            c.v[k][l] = NAN;
            c.e[k][l] = INFINITY;
        }
    s->n_levels = L + 1;

    /* 1. endpoint expansions (cheap, all degrees) */
    if (ws->has_endpoint == 1) {
        endpoint_relu(ws, &c);
        s->endpoint_terms = (size_t)ws->ep_trust;
    } else if (ws->has_endpoint == 2) {
        endpoint_laplace(ws, &c);
        s->endpoint_terms = 0;
    }
    /* 2. Gaussian: the closed form (all widths); the positive series needs about 8c
     * Taylor terms, c = 1/width², and is used up to c = GAUSS_SERIES_MAX_C */
    int gauss = p->kernel == SLT_KERNEL_GAUSSIAN;
    double gc = gauss ? 1.0 / (p->width * p->width) : 0.0;
    if (gauss) bessel_gaussian(ws, tol, &c);
    /* 2b. exact, cheap positive series (Gaussian, polynomial) */
    if (ws->has_taylor && ws->type->sphere_series_terms && (!gauss || gc <= GAUSS_SERIES_MAX_C)) {
        size_t J = ws->type->sphere_series_terms(p, L);
        if ((rc = taylor_coefficients(ws, J))) goto done;
        series(ws, J, NULL, &c);
        s->series_terms = J + 1;
    }
    /* 3. quadrature over the low degrees (all degrees for table kernels) */
    {
        size_t lq = L;
        if (ws->has_endpoint == 1) lq = L < 64 ? L : 64;
        else if (ws->has_endpoint == 2 || ws->type->sphere_series_terms) {
            size_t top = 0;
            for (size_t l = 0; l <= L; l++)
                if (!cand_resolved(&c, l, tol, 1)) top = l;
            lq = top < 64 ? (L < 64 ? L : 64) : top;
        }
        /* the Gaussian and Laplace rules need about 12/width nodes more: past
         * QUAD_MAX_WIDTH_NODES that is unaffordable (a narrower Laplace kernel is refused
         * by slt_kernels_params_check; a narrow Gaussian has its closed form) */
        int afford = !(gauss && 12.0 / p->width > QUAD_MAX_WIDTH_NODES);
        if (afford && (rc = quadrature(ws, lq, &c, &s->quad_nodes, &quad_conv))) goto done;
    }
    /* 4. ReLU: validate the asymptotic series; positive series where still unresolved */
    if (ws->has_endpoint == 1) {
        size_t checked;
        size_t lv = endpoint_validate(&c, &checked);
        size_t top = 0;
        int any = 0;
        for (size_t l = 0; l <= L; l++) {
            int trusted_end = lv != (size_t)-1 && l >= lv;
            need[l] = !cand_resolved(&c, l, tol, trusted_end);
            if (need[l]) {
                top = l;
                any = 1;
            }
        }
        if (any) {
            double jstar = ((double)top * (top + d)) / (d - 1.0);
            double want = (double)top + 4.0 * jstar + 64.0;
            size_t J = want > 2048.0 ? 2048 : (size_t)want;
            if (J < top) J = top;
            if ((rc = taylor_coefficients(ws, J))) goto done;
            series(ws, J, need, &c);
            s->series_terms = J + 1;
            lv = endpoint_validate(&c, &checked);
        }
        for (size_t l = 0; l <= L; l++) {
            if (lv != (size_t)-1 && l >= lv) continue;
            c.v[C_END][l] = NAN;
            c.e[C_END][l] = INFINITY;
            if (!c.structural_zero[l]) continue;
            /* a parity zero below the validated range: accepted only if the other
             * methods agree that the eigenvalue vanishes */
            c.structural_zero[l] = 0;
            double bound = INFINITY;
            for (int k = 0; k < NCAND; k++)
                if (k != C_END && isfinite(c.v[k][l]) && c.e[k][l] < 1e-8 * fabs(ws->diag) &&
                    fabs(c.v[k][l]) <= 3.0 * c.e[k][l])
                    bound = fmin(bound, fabs(c.v[k][l]) + c.e[k][l]);
            if (bound < INFINITY) {
                c.structural_zero[l] = 1;
                c.v[C_END][l] = 0.0;
                c.e[C_END][l] = bound;
            }
        }
    }
    /* 5. selection, with a consistency check between methods that claim accuracy */
    for (size_t l = 0; l <= L; l++) {
        slt_kernels_level *lev = &s->levels[l];
        lev->degree = l;
        lev->norm2 = (long long)l;
        slt_kernels_multiplicity(d, l, &lev->mult, &lev->log_mult);
        if (c.structural_zero[l]) {
            lev->mu = 0.0;
            lev->mu_err = isfinite(c.e[C_END][l]) ? c.e[C_END][l] : 0.0;
            lev->method = SLT_KMETHOD_ENDPOINT;
            continue;
        }
        int best = -1;
        for (int k = 0; k < NCAND; k++)
            if (isfinite(c.v[k][l]) && (best < 0 || c.e[k][l] < c.e[best][l])) best = k;
        if (best < 0) {
            lev->mu = NAN;
            lev->mu_err = INFINITY;
            lev->method = SLT_KMETHOD_NONE;
            continue;
        }
        double v = c.v[best][l], e = c.e[best][l];
        for (int k = 0; k < NCAND; k++) {
            if (k == best || !isfinite(c.v[k][l])) continue;
            double diff = fabs(c.v[k][l] - v);
            if (c.e[k][l] <= 1e-6 * fabs(c.v[k][l]) && diff > e + c.e[k][l]) e = diff + e;
        }
        lev->mu = v;
        lev->mu_err = e;
        lev->method = best == C_QUAD ? SLT_KMETHOD_QUADRATURE
                      : best == C_END ? SLT_KMETHOD_ENDPOINT
                      : best == C_BES ? SLT_KMETHOD_BESSEL
                                      : SLT_KMETHOD_SERIES;
    }
done:
    for (int k = 0; k < NCAND; k++) {
        free(c.v[k]);
        free(c.e[k]);
    }
    free(c.structural_zero);
    free(need);
    if (rc == SLT_ENOMEM) return slt_error(rc, "slt_kernels_spectrum_compute: out of memory");
    if (rc) return slt_error(rc, "slt_kernels_spectrum_compute: %s", slt_strerror(rc));
    if (!quad_conv)
        return slt_error(SLT_ENOCONV, "slt_kernels_spectrum_compute: Gauss-Legendre quadrature "
                         "reached %zu nodes without its discretisation error falling below "
                         "rel_tol = %g or the rounding floor (errors are reported per degree)",
                         s->quad_nodes, p->rel_tol);
    return SLT_OK;
}
