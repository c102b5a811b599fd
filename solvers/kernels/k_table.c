/* The table kernel: a user table interpolated by a cubic spline in θ = arccos t (sphere)
 * or δ (torus, on T^2 and T^3 the product Π_i k(δ_i)). The table is checked in
 * slt_kernels_params_check and splined in slt_kernels_alloc (kernels.c). */
#include "kernels_internal.h"

static double table_theta(const slt_kernels_workspace *ws, double theta)
{
    return kn_table_eval(ws, theta);
}

static double table_diag(const slt_kernels_workspace *ws) { return kn_table_eval(ws, 0.0); }

const kn_kernel_type kn_kernel_table = {
    .info = {SLT_KERNEL_TABLE, "table", KN_SPHERE | KN_TORUS, SLT_KPARAM_TABLE, SLT_KFAMILY_TABLE,
             0.0},
    .sphere_theta = table_theta,
    .sphere_diag = table_diag,
    .torus_factor = table_theta, /* the same spline, in δ */
};
