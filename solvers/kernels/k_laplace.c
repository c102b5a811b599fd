/* The Laplace kernel: sphere exp(−‖x−y‖/σ) (‖x−y‖ = 2 sin(θ/2)); torus the periodic 1-D
 * Laplace kernel, a product over the dimensions. Its endpoint series on the sphere is in
 * sphere.c. */
#include <math.h>

#include "kernels_internal.h"

static double laplace_theta(const slt_kernels_workspace *ws, double theta)
{
    return exp(-2.0 * sin(0.5 * theta) / ws->p.width);
}

static double periodic_laplace_1d(const slt_kernels_workspace *ws, double x)
{
    double c = 1.0 / ws->p.width;
    return (exp(-c * x) + exp(-c * (2.0 * M_PI - x))) / (1.0 + exp(-2.0 * M_PI * c));
}

static size_t laplace_quad_nodes(const slt_kernels_params *p)
{
    return (size_t)ceil(12.0 / p->width);
}

static size_t laplace_grid_need(const slt_kernels_params *p, size_t need)
{
    double w = p->width;
    need = need > (size_t)ceil(40.0 / w) ? need : (size_t)ceil(40.0 / w);
    return need * 8; /* kink at 0: aliasing ~ G^-2 */
}

const kn_kernel_type kn_kernel_laplace = {
    /* the quadrature needs about 12/σ nodes on the sphere: narrower widths are refused */
    .info = {SLT_KERNEL_LAPLACE, "laplace", KN_SPHERE | KN_TORUS, SLT_KPARAM_WIDTH,
             SLT_KFAMILY_DISTANCE, SLT_KERNELS_MIN_LAPLACE_WIDTH},
    .sphere_theta = laplace_theta,
    .torus_factor = periodic_laplace_1d,
    .sphere_endpoint = 2,
    .sphere_quad_nodes = laplace_quad_nodes,
    .torus_grid_need = laplace_grid_need,
};
