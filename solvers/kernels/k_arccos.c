/* The arc-cosine family on the sphere: ReLU NTK Θ^(L), ReLU NNGP Σ^(L) (depth L hidden
 * layers of the normalised recursion, σ_w² = 2, no bias) and the degree-0 arc-cosine
 * kernel a0(t) = 1 − θ/π. Their series and endpoint expansions are in series.c. */
#include "kernels_internal.h"

static double arccos_theta(const slt_kernels_workspace *ws, double theta)
{
    return kn_relu_theta(ws->p.kernel, ws->p.depth, theta);
}

static double ntk_diag(const slt_kernels_workspace *ws) { return ws->p.depth + 1.0; }

const kn_kernel_type kn_kernel_relu_ntk = {
    .info = {SLT_KERNEL_RELU_NTK, "relu-ntk", KN_SPHERE, SLT_KPARAM_DEPTH, SLT_KFAMILY_ARCCOS,
             0.0},
    .sphere_theta = arccos_theta,
    .sphere_diag = ntk_diag, /* Θ^(L)(1) = L + 1 */
};

const kn_kernel_type kn_kernel_relu_nngp = {
    .info = {SLT_KERNEL_RELU_NNGP, "relu-nngp", KN_SPHERE, SLT_KPARAM_DEPTH, SLT_KFAMILY_ARCCOS,
             0.0},
    .sphere_theta = arccos_theta,
};

const kn_kernel_type kn_kernel_arccos0 = {
    .info = {SLT_KERNEL_ARCCOS0, "arccos0", KN_SPHERE, 0, SLT_KFAMILY_ARCCOS, 0.0},
    .sphere_theta = arccos_theta,
};
