/* The von Mises kernel on the torus: exp(κ Σ_i (cos δ_i − 1)), κ = 1/σ², a product over
 * the dimensions. */
#include <math.h>

#include "kernels_internal.h"

static double von_mises_1d(const slt_kernels_workspace *ws, double x)
{
    double s = sin(0.5 * x);
    return exp(-2.0 * s * s / (ws->p.width * ws->p.width));
}

static size_t von_mises_grid_need(const slt_kernels_params *p, size_t need)
{
    double w = p->width;
    return need > (size_t)ceil(40.0 / w) ? need : (size_t)ceil(40.0 / w);
}

const kn_kernel_type kn_kernel_von_mises = {
    .info = {SLT_KERNEL_VON_MISES, "von-mises", KN_TORUS, SLT_KPARAM_WIDTH, SLT_KFAMILY_DISTANCE,
             0.0},
    .torus_factor = von_mises_1d,
    .torus_grid_need = von_mises_grid_need,
};
