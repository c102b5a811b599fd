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
double complex dmft_clog1p(double complex delta)
{
    double a = creal(delta), b = cimag(delta);
    return 0.5 * log1p(a * (2.0 + a) + b * b) + I * atan2(b, 1.0 + a);
}

void dmft_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
               double complex *phi, double complex *dphi)
{
    w->dyn->mode(w, t, steps, u, phi, dphi);
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
        double v = w->dyn->log_mode(w, t, steps, -ellipse_z(c0, rho, R, M_PI * i / 512.0));
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
                             : w->dyn->ellipse_hint);
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
