/* Dense grids of steps for online SGD (and full-batch GD at P = ∞, which runs through
 * the same solver): one pair of Talbot contours serves every requested step in a band
 * [n0, 1.1·n0] (docs/theory/dmft.md §17). The other dynamics share contours in solve.c
 * (talbot_point, band_point), with the band length of dmft_grid_band (eta = 0: continuous).
 *
 * The Talbot sum for time t is Re Σ c_j(t) F(x_j) with c_j(t) = c_j(t0)·e^{x_j(t − t0)}:
 * the nodes x_j and the integrand F(x_j) = ηG(e^{−ηx_j}) (the generating function of the
 * whole Volterra solution, noise feedback included) do not depend on t. A contour designed
 * for t0 and used at t >= t0 is the Talbot contour of a larger node count sampled with the
 * step of M nodes; it stays inside |Im w| < π/η (η·r <= 1 holds for t0), its weights at
 * t > t0 fall faster along the contour than at t0 (the node cut-off stays valid), and the
 * error estimate |f_M − f_{M−2}| plus the amplified rounding is evaluated at t itself. */
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

int slt_dmft_set_grid(slt_dmft_workspace *w, int enable)
{
    if (!w) return slt_error(SLT_EINVAL, "slt_dmft_set_grid: w is NULL");
    w->grid = enable != 0;
    return SLT_OK;
}

size_t dmft_grid_band(const double *times, size_t i, size_t n, double eta, double n_switch)
{
    if (eta == 0.0) { /* continuous time: t0 <= t <= DMFT_GRID_RATIO·t0 */
        double t0 = times[i], prev = t0;
        if (!(isfinite(t0) && t0 > 0)) return 0;
        size_t k = i + 1;
        while (k < n && times[k] >= prev && times[k] <= t0 * DMFT_GRID_RATIO) prev = times[k++];
        return k - i;
    }
    double s0 = round(times[i] / eta);
    if (!(isfinite(s0) && s0 >= n_switch)) return 0;
    double smax = floor(s0 * DMFT_GRID_RATIO), prev = s0;
    size_t k = i + 1;
    while (k < n) {
        double s = round(times[k] / eta);
        if (!(isfinite(s) && s >= prev && s <= smax)) break;
        prev = s;
        k++;
    }
    return k - i;
}

int dmft_grid_dense(const slt_dmft_workspace *w, const double *times, size_t n)
{
    if (!w->grid || !(w->eta > 0)) return 0;
    const double n_switch = dmft_sgd_switch(w);
    for (size_t i = 0; i < n; i++)
        if (dmft_grid_band(times, i, n, w->eta, n_switch) >= DMFT_GRID_MIN) return 1;
    return 0;
}

void dmft_grid_invert(const sgd_node *nd, int M, double dt, sgd_sum *o)
{
    double complex acc = 0.0, dacc = 0.0;
    double a = 0.0;
    for (int j = 0; j < M; j++) {
        if (nd[j].F == 0.0 && nd[j].errF == 0.0) continue; /* left out (sgd_active) */
        double complex c = (j == 0 ? 1.0 : 2.0) * nd[j].c * (dt == 0.0 ? 1.0 : cexp(nd[j].x * dt));
        acc += c * nd[j].F;
        dacc += c * nd[j].x * nd[j].F;
        a += cabs(c) * nd[j].errF;
    }
    o->value = creal(acc);
    o->dvalue = creal(dacc);
    o->abs = a;
}
