/* Heavy ball in continuous time, μv̈ + v̇ + Kv = 0 (momentum = μ): the resolvent of the
 * flow at ζ = w + μw², with a factor (1 + μw) per frequency (docs/theory/dmft.md §8).
 * With a = 1/(2μ) the preimages of the spectrum under ζ are the slow roots on (−a, 0] and
 * the fast or underdamped ones at Re w <= −a. Overdamped spectra (4μ·u_max < 1) keep every
 * preimage on the negative real axis, inside the Talbot contour. Underdamped ones put some on
 * Re w = −a, which the contour's arms cross: nodes left of −0.9a are left out (their
 * weight is below e^{−0.9at}), and before e^{−0.9at} < e^{−37} the ellipse takes over
 * (docs/theory/dmft.md §11). */
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

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

static void hb_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
                    double complex *phi, double complex *dphi)
{
    (void)steps;
    double complex C, S;
    double ls;
    heavy_ball(w->momentum, u, t, &C, &S, &ls);
    double sc = exp(ls);
    *phi = sc * (C + 0.5 / w->momentum * S);
    *dphi = -sc * (u / w->momentum) * S;
}

static double hb_log_mode(const slt_dmft_workspace *w, double t, double steps, double complex u)
{
    (void)steps;
    double complex C, S;
    double ls;
    heavy_ball(w->momentum, u, t, &C, &S, &ls);
    return ls + log(cabs(C + 0.5 / w->momentum * S));
}

/* v̂(w) = (1 + μw)·v̂_flow(ζ): one factor (1 + μw) per frequency in the weight */
static void hb_laplace(const slt_dmft_workspace *w, dmft_node *nd)
{
    const double mu = w->momentum;
    nd->z = nd->w + mu * nd->w * nd->w;
    nd->c *= 1.0 + mu * nd->w;
}

/* walk in w (the upper half w-plane holds no preimage of the spectrum), not along
 * straight lines in ζ */
static double complex hb_map(const slt_dmft_workspace *w, double complex x, void *ctx)
{
    (void)ctx;
    return x + w->momentum * x * x;
}

static void hb_plan(slt_dmft_workspace *w, dmft_plan *pl)
{
    double umax;
    pl->rc = dmft_spectrum_edge(w, &umax);
    pl->a = 0.5 / w->momentum;
    pl->cut = !pl->rc && 4.0 * w->momentum * umax >= 1.0; /* underdamped */
    if (pl->cut) pl->t_ellipse = 37.0 / (0.9 * pl->a);
    pl->talbot_cut = pl->cut ? -0.9 * pl->a : -INFINITY;
}

static int hb_use_ellipse(const slt_dmft_workspace *w, const dmft_plan *pl, double t,
                          double steps, int M2)
{
    (void)w;
    (void)steps;
    (void)M2;
    return pl->cut ? t < pl->t_ellipse : 0;
}

static double hb_drop(const dmft_plan *pl, double t, double steps)
{
    (void)steps;
    return pl->cut ? 4.0 * exp(-0.9 * pl->a * t) : 0.0;
}

const dmft_dynamics dmft_dyn_heavy_ball = {
    .name = "heavy_ball",
    .discrete = 0,
    .one_d = 0, /* the square of the oscillator is not the oscillator at 2t */
    .ellipse_hint = "momentum*u_max is too large for this time",
    .mode = hb_mode,
    .log_mode = hb_log_mode,
    .laplace = hb_laplace,
    .walk_map = hb_map,
    .plan = hb_plan,
    .use_ellipse = hb_use_ellipse,
    .drop = hb_drop,
};
