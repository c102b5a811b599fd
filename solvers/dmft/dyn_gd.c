/* Full-batch gradient descent with step η: φ_n(u) = (1 − ηu)ⁿ, the resolvent at
 * z = (e^{ηw} − 1)/η (docs/theory/dmft.md §11). Stable iff η·u_max < 2. Modes with
 * η·u > 1 alternate in sign; the Talbot contour in w cannot enclose their images on
 * Im w = ±π/η and leaves them out, which costs qⁿ, q = η·u_max − 1: before qⁿ < e^{−37}
 * the ellipse takes over. At P = ∞ the oscillating range goes through the online-SGD
 * solver with B = ∞. */
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

static int gd_solve(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out,
                    int *done)
{
    *done = 0;
    if (!(isinf(w->p.P) && w->p.ensemble == 1 && w->p.contour == SLT_DMFT_CONTOUR_AUTO))
        return SLT_OK;
    /* Full-batch GD at P = ∞ is online SGD without batch noise: B = ∞ makes the noise
     * factor η²/B vanish and c₂ = 1, leaving L(n) = s*ᵀ(I − ηS)^{2n}s*. The SGD
     * solver's generating-function inversion is the faster route through the
     * oscillating range (the general path needs the ellipse for n up to ~37/|log q|,
     * q = η·u_max − 1); use it there only, so the two paths stay independent checks
     * of each other (contour = ellipse forces the general path). */
    double umax;
    int rc = dmft_spectrum_edge(w, &umax);
    if (rc) {
        *done = 1;
        return rc;
    }
    /* a dense grid of steps (docs/theory/dmft.md §17) also goes through it: its
     * contours are shared across the grid there (grid.c) */
    if (!(w->eta * umax >= 1.0 && w->eta * umax < 2.0) &&
        !(w->eta * umax < 1.0 && dmft_grid_dense(w, times, n)))
        return SLT_OK;
    *done = 1;
    /* w->sgd_batch = SIZE_MAX (B = ∞), w->sgd_form = LIMIT (c₂ = 1): set in slt_dmft_alloc */
    rc = dmft_sgd_solve(w, times, n, out);
    for (size_t i = 0; i < n; i++) {
        out[i].sgd_gain = out[i].sgd_gain_err = NAN; /* not SGD */
        if (out[i].status == SLT_OK || out[i].status == SLT_EDIVERGE) {
            out[i].train = out[i].test + slt_task_noise(w->task);
            out[i].train_err = out[i].test_err;
        }
    }
    return rc;
}

static void gd_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
                    double complex *phi, double complex *dphi)
{
    (void)t;
    /* discrete time has no derivative in t: no local exponent on the ellipse */
    *phi = cexp(steps * dmft_clog1p(-w->eta * u));
    *dphi = NAN;
}

static double gd_log_mode(const slt_dmft_workspace *w, double t, double steps, double complex u)
{
    (void)t;
    return steps * creal(dmft_clog1p(-w->eta * u));
}

static void gd_laplace(const slt_dmft_workspace *w, dmft_node *nd)
{
    const double eta = w->eta;
    double complex e = cexp(eta * nd->w);
    nd->z = dmft_cexpm1(eta * nd->w) / eta;
    nd->c *= e;
}

static void gd_plan(slt_dmft_workspace *w, dmft_plan *pl)
{
    double umax;
    pl->rc = dmft_spectrum_edge(w, &umax);
    if (!pl->rc && w->eta * umax >= 2.0)
        pl->rc = slt_error(SLT_EDOM, "dmft: GD with eta = %.17g is unstable: eta*u_max = %.6g "
                           ">= 2 (u_max = %.6g, the top of the spectrum of K)", w->eta,
                           w->eta * umax, umax);
    if (!pl->rc && w->eta * umax > 1.0) {
        pl->osc_q = w->eta * umax - 1.0;
        pl->osc_steps = 37.0 / -log(pl->osc_q);
    }
}

/* the mapped Talbot contour must stay below the nearest image of the spectrum
 * (Im w = ±2π/η for η·u_max <= 1, ±π/η beyond): r = 2·M2/(5t) < 1.8/η, or 0.9/η */
static int gd_use_ellipse(const slt_dmft_workspace *w, const dmft_plan *pl, double t,
                          double steps, int M2)
{
    double r_eta = 2.0 * M2 / (5.0 * t) * w->eta;
    return pl->osc_q > 0 ? (r_eta >= 0.9 || steps < pl->osc_steps) : r_eta >= 1.8;
}

static double gd_drop(const dmft_plan *pl, double t, double steps)
{
    (void)t;
    return pl->osc_q > 0 ? 4.0 * pow(pl->osc_q, steps) : 0.0;
}

const dmft_dynamics dmft_dyn_gd = {
    .name = "gd",
    .discrete = 1,
    .one_d = 1,
    .sgd_warm = 1,
    .ellipse_hint = "eta*u_max is too close to 2 for this many steps",
    .solve = gd_solve,
    .mode = gd_mode,
    .log_mode = gd_log_mode,
    .laplace = gd_laplace,
    .plan = gd_plan,
    .use_ellipse = gd_use_ellipse,
    .drop = gd_drop,
};
