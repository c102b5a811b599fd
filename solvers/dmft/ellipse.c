/* Contours around the whole spectrum (docs/theory/dmft.md §11). Every lazy dynamics
 * multiplies the modes of K by an entire function of the eigenvalue u, its mode function
 * φ_t(u): e^{−ut} (flow), (1 − ηu)^n (GD), the heavy-ball oscillator. The losses are then
 * (1/2πi)²∮∮ φ_t(−z)φ_t(−z′)𝓛(z, z′) dz dz′ and (1/2πi)∮ φ_t(−z)² 𝒯(z) dz on any contour
 * around the spectrum [−u_max, 0] of the flow transforms. A Talbot contour only works
 * where φ is an exponential in time of a map of z; this one works for any φ.
 *
 * The contour is a Bernstein ellipse: z = c₀ + ρ(Re^{iϕ} + e^{−iϕ}/R)/2 with foci at the
 * ends of the spectrum. The trapezoid rule in ϕ converges like R^{−K} for an integrand
 * analytic outside the spectrum, whatever its endpoint singularities; R is chosen as
 * large as the growth of |φ| on the ellipse allows (|φ| ≤ e^{G}: the sum then loses
 * at most e^{2G} to rounding), and K from R. */
#include <float.h>
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

/* log(1 + δ) without forming 1 + δ: near the right end of the spectrum δ = −ηu is tiny,
 * and (1 + δ)ⁿ from a rounded 1 + δ would be off by n·ε */
static double complex clog1p(double complex delta)
{
    double a = creal(delta), b = cimag(delta);
    return 0.5 * log1p(a * (2.0 + a) + b * b) + I * atan2(b, 1.0 + a);
}

/* z^n for a whole n >= 0 by repeated squaring (for |z| <= 1, where an error of n·ε
 * relative is multiplied by |z|ⁿ) */
static double complex ipow(double complex z, double n)
{
    double complex r = 1.0;
    unsigned long long k = (unsigned long long)n;
    while (k) {
        if (k & 1ULL) r *= z;
        z *= z;
        k >>= 1;
    }
    return r;
}

/* The heavy ball μv̈ + v̇ + uv = 0, v(0) = 1, v̇(0) = 0: with a = 1/(2μ) and
 * ω = a√(1 − 4μu), v = e^{−at}[cosh ωt + a·sinh(ωt)/ω] and v̇ = −(u/μ)e^{−at}sinh(ωt)/ω.
 * Both are even in ω, so entire in u; the branch of the root does not matter. Returns
 * C = e^{−at}cosh ωt and S = e^{−at}sinh(ωt)/ω, with log|scale| split off when large. */
static void heavy_ball(double mu, double complex u, double t, double complex *C,
                       double complex *S, double *log_scale)
{
    const double a = 0.5 / mu;
    double complex om = a * csqrt(1.0 - 4.0 * mu * u), x = om * t; /* Re x >= 0 */
    if (cabs(x) < 0.5) {
        /* the series in x²: no cancellation near the critical damping ω = 0 */
        double complex x2 = x * x, c = 1.0, s = 1.0, term = 1.0;
        for (int k = 1; k <= 9; k++) {
            term *= x2 / ((2.0 * k - 1.0) * (2.0 * k));
            c += term;
            s += term / (2.0 * k + 1.0);
        }
        *C = c;
        *S = t * s;
        *log_scale = -a * t;
        return;
    }
    /* factor e^{x − at} out: |e^{−2x}| <= 1. ω − a is the slow root −2u/(1 + √(1 − 4μu)),
     * formed without the cancellation of ω − a (which would cost ε·a·t) */
    double complex e2 = cexp(-2.0 * x);
    *C = 0.5 * (1.0 + e2);
    *S = 0.5 * (1.0 - e2) / om;
    *log_scale = creal(-2.0 * u / (1.0 + csqrt(1.0 - 4.0 * mu * u))) * t;
    double complex ph = cexp(I * cimag(x));
    *C *= ph;
    *S *= ph;
}

/* Discrete heavy ball x_{n+1} = (1 + β − ηu)x_n − βx_{n−1}, x_{−1} = x_0 = 1 (at rest):
 * with r₁,₂ = m ± d the roots of r² − 2mr + β (m = (1 + β − ηu)/2, d² = m² − β),
 * x_n = [r₁^{n+1}(1 − r₂) − r₂^{n+1}(1 − r₁)]/(r₁ − r₂) = U_{n+1} − βU_n with
 * U_k = (r₁^k − r₂^k)/(r₁ − r₂), symmetric in the roots, so entire in u. Returns
 * x_n = e^{log_scale}·val. Near the double root (n|d/m| small) the difference quotient
 * cancels; there U_k = m^{k−1} Σ_j C(k, 2j+1) y^j with y = d²/m² has none. */
static void heavy_ball_discrete(double beta, double eta, double n, double complex u,
                                double *log_scale, double complex *val)
{
    double complex m = 0.5 * (1.0 + beta - eta * u), d = csqrt(m * m - beta);
    if (n < 1) { /* x_0 = 1 */
        *log_scale = 0.0;
        *val = 1.0;
        return;
    }
    if (cabs(m) > 0 && (n + 1.0) * cabs(d / m) < 0.5) {
        /* S1 = Σ C(n+1, 2j+1) y^j, S0 = Σ C(n, 2j+1) y^j: x_n = m^{n−1}(m·S1 − β·S0) */
        double complex y = d * d / (m * m), S1 = 0, S0 = 0, t1 = n + 1.0, t0 = n;
        for (int j = 0; j < 40; j++) {
            S1 += t1;
            S0 += t0;
            double den = (2.0 * j + 2.0) * (2.0 * j + 3.0);
            t1 *= (n - 2.0 * j) * (n - 2.0 * j - 1.0) / den * y;
            t0 *= (n - 2.0 * j - 1.0) * (n - 2.0 * j - 2.0) / den * y;
            if (cabs(t1) + cabs(t0) <= 1e-17 * (cabs(S1) + cabs(S0))) break;
        }
        double complex ph = m / cabs(m);
        *log_scale = (n - 1.0) * log(cabs(m));
        *val = ipow(ph, n - 1.0) * (m * S1 - beta * S0);
        return;
    }
    /* The roots r = m ± d and their distances 1 − r = h ∓ d from 1 (h = 1 − m), each
     * pair by the product rule, never by a difference that cancels: with d chosen so that
     * |m + d| >= |m − d|, r₁ = m + d and r₂ = β/r₁ (r₁r₂ = β); of h ± d the larger in
     * modulus is formed directly and the other is ηu over it ((h − d)(h + d) = ηu). As
     * β → 0 the small root is β/r₁, not 1 − ηu/(h + d), which rounds to ε·|r₁| when
     * Re ηu > 1 and then made r₁ = β/r₂ wrong (the cancellation behind momentum 1e-20). */
    double complex h = 0.5 * (1.0 - beta + eta * u), eu = eta * u;
    if (creal(conj(m) * d) < 0) d = -d;
    double complex r1 = m + d, r2 = beta / r1;
    double complex om1 = h - d, om2 = h + d; /* 1 − r₁, 1 − r₂ */
    if (cabs(om1) >= cabs(om2)) om2 = eu / om1;
    else om1 = eu / om2;
    /* logarithms: of 1 − (1 − r) near r = 1 (the slow mode, where n·log r needs the
     * digits of ηu), of r itself elsewhere */
    double complex L1 = cabs(om1) < 0.5 ? clog1p(-om1) : clog(r1);
    double complex L2 = cabs(om2) < 0.5 ? clog1p(-om2) : clog(r2);
    /* |r₁| >= √β > 0; factor r₁ⁿ out, |r₂/r₁| <= 1; r₁ − r₂ = 2d */
    *log_scale = n * creal(L1);
    *val = cexp(I * n * cimag(L1)) * (r1 * om2 - r2 * cexp(n * (L2 - L1)) * om1) / (2.0 * d);
}

void dmft_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
               double complex *phi, double complex *dphi)
{
    if (w->eta > 0 && w->momentum > 0) {
        double ls;
        double complex v;
        heavy_ball_discrete(w->momentum, w->eta, steps, u, &ls, &v);
        *phi = exp(ls) * v;
        *dphi = NAN;
    } else if (w->eta > 0) {
        /* discrete time has no derivative in t: no local exponent on the ellipse */
        *phi = cexp(steps * clog1p(-w->eta * u));
        *dphi = NAN;
    } else if (w->momentum > 0) {
        double complex C, S;
        double ls;
        heavy_ball(w->momentum, u, t, &C, &S, &ls);
        double sc = exp(ls);
        *phi = sc * (C + 0.5 / w->momentum * S);
        *dphi = -sc * (u / w->momentum) * S;
    } else {
        *phi = cexp(-u * t);
        *dphi = -u * *phi;
    }
}

/* log|φ_t(u)| without overflow */
static double log_mode(const slt_dmft_workspace *w, double t, double steps, double complex u)
{
    if (w->eta > 0 && w->momentum > 0) {
        double ls;
        double complex v;
        heavy_ball_discrete(w->momentum, w->eta, steps, u, &ls, &v);
        return ls + log(cabs(v));
    }
    if (w->eta > 0) return steps * creal(clog1p(-w->eta * u));
    if (w->momentum > 0) {
        double complex C, S;
        double ls;
        heavy_ball(w->momentum, u, t, &C, &S, &ls);
        return ls + log(cabs(C + 0.5 / w->momentum * S));
    }
    return -creal(u) * t;
}

/* The focal segment: the spectrum [−u_max, 0] of the flow transforms, its top end
 * widened by 1e-8 against the rounding of u_max. */
static int focal_segment(slt_dmft_workspace *w, double *c0, double *rho)
{
    double umax;
    int rc = dmft_spectrum_edge(w, &umax);
    if (rc) return rc;
    double hi = umax * (1.0 + 1e-8) + DBL_MIN;
    *c0 = -0.5 * hi;
    *rho = 0.5 * hi;
    return SLT_OK;
}

static double complex ellipse_z(double c0, double rho, double R, double phi)
{
    return c0 + 0.5 * rho * (R * cexp(I * phi) + cexp(-I * phi) / R);
}

/* the largest log|φ_t(−z)| over the ellipse (sampled finely; by the maximum principle it
 * grows with R) */
static double ellipse_growth(const slt_dmft_workspace *w, double t, double steps, double c0,
                             double rho, double R)
{
    double g = -INFINITY;
    for (int i = 0; i <= 512; i++) {
        double v = log_mode(w, t, steps, -ellipse_z(c0, rho, R, M_PI * i / 512.0));
        if (!(v <= g)) g = v; /* NaN and +inf count as growth */
    }
    return g;
}

int dmft_ellipse_size(slt_dmft_workspace *w, double t, double steps, double *R_out, int *K_out)
{
    double c0, rho;
    int rc = focal_segment(w, &c0, &rho);
    if (rc) return rc;
    /* bisection on log(R − 1) in [log 1e-6, log 3] for the largest R with growth <= G */
    const double G = DMFT_ELLIPSE_GROWTH;
    double lo = log(1e-6), hi = log(3.0), R;
    if (ellipse_growth(w, t, steps, c0, rho, 1.0 + exp(hi)) <= G) {
        R = 1.0 + exp(hi);
    } else {
        if (!(ellipse_growth(w, t, steps, c0, rho, 1.0 + exp(lo)) <= G))
            return slt_error(SLT_ENOCONV, "dmft: no ellipse around the spectrum keeps the mode "
                             "function below e^%g at t = %.6g", G, t);
        for (int it = 0; it < 50; it++) {
            double mid = 0.5 * (lo + hi);
            if (ellipse_growth(w, t, steps, c0, rho, 1.0 + exp(mid)) <= G) lo = mid;
            else hi = mid;
        }
        R = 1.0 + exp(lo);
    }
    /* aliasing ~ R^{−K} times the growth on a larger ellipse (≲ e^{4G} at R' − 1 = 2(R − 1))
     * must fall below ε: K log R >= 37 + 4G, plus a margin of e^{-3} */
    double K = ceil((40.0 + 4.0 * G) / log(R) / 8.0) * 8.0;
    if (K < DMFT_ELLIPSE_MIN) K = DMFT_ELLIPSE_MIN;
    if (K > DMFT_ELLIPSE_MAX)
        return slt_error(SLT_ENOCONV, "dmft: the ellipse around the spectrum needs %.0f nodes at "
                         "t = %.6g (at most %d): %s", K, t, DMFT_ELLIPSE_MAX,
                         w->p.contour == SLT_DMFT_CONTOUR_ELLIPSE
                             ? "too late a time for contour = ellipse (use auto)"
                             : w->eta > 0 ? "eta*u_max is too close to 2 for this many steps"
                                          : "momentum*u_max is too large for this time");
    *R_out = R;
    *K_out = (int)K;
    return SLT_OK;
}

typedef struct {
    double c0, rho, R;
} ellipse_map_ctx;

/* x in [0, 1] ↦ the upper half of the ellipse at angle πx */
static double complex ellipse_map(const slt_dmft_workspace *w, double complex x, void *ctx)
{
    (void)w;
    const ellipse_map_ctx *e = ctx;
    return ellipse_z(e->c0, e->rho, e->R, M_PI * creal(x));
}

int dmft_ellipse(slt_dmft_workspace *w, int K, double R, dmft_node *node)
{
    ellipse_map_ctx e;
    int rc = focal_segment(w, &e.c0, &e.rho);
    if (rc) return rc;
    e.R = R;
    /* κ on the real axis right of the spectrum, then along the arc itself (never a chord:
     * a flat ellipse hugs the spectrum) */
    double k0;
    if ((rc = dmft_kappa_real(w, creal(ellipse_map(w, 0.0, &e)), &k0))) return rc;
    double complex k = k0;
    double x_prev = 0.0;
    const int sub = K >= 192 ? 1 : 4;
    for (int j = 0; j < K / 2; j++) {
        double phi = 2.0 * M_PI * (j + 0.5) / K, x = phi / M_PI;
        dmft_node *nd = &node[j];
        if ((rc = dmft_walk_mapped(w, ellipse_map, &e, x_prev, x, &k, sub, nd))) return rc;
        x_prev = x;
        nd->z = ellipse_z(e.c0, e.rho, R, phi);
        /* (1/2πi)∮ f dz = (1/K) Σ f(z_j)·(dz/dϕ)/i */
        nd->c = 0.5 * e.rho * (R * cexp(I * phi) - cexp(-I * phi) / R) / K;
        nd->w = NAN;
        nd->dc = 0.0;
        nd->outer = 2.0;
    }
    return SLT_OK;
}
