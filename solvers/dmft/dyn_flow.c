/* Gradient flow: φ_t(u) = e^{−ut}, the resolvent at z = w (docs/theory/dmft.md §1, §3).
 * The reference dynamics: stable, the Talbot contour at every time, nothing left out. */
#include <math.h>

#include "dmft_internal.h"

static void flow_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
                      double complex *phi, double complex *dphi)
{
    (void)w;
    (void)steps;
    *phi = cexp(-u * t);
    *dphi = -u * *phi;
}

static double flow_log_mode(const slt_dmft_workspace *w, double t, double steps, double complex u)
{
    (void)w;
    (void)steps;
    return -creal(u) * t;
}

static void flow_laplace(const slt_dmft_workspace *w, dmft_node *nd)
{
    (void)w;
    nd->z = nd->w;
}

const dmft_dynamics dmft_dyn_flow = {
    .name = "flow",
    .discrete = 0,
    .one_d = 1,
    .ellipse_hint = "momentum*u_max is too large for this time",
    .mode = flow_mode,
    .log_mode = flow_log_mode,
    .laplace = flow_laplace,
};
