/* The arc-cosine family on the sphere: ReLU NTK Θ^(L), ReLU NNGP Σ^(L) (depth L hidden
 * layers of the normalised recursion, σ_w² = 2, no bias) and the degree-0 arc-cosine
 * kernel a0(t) = 1 − θ/π. Their series and endpoint expansions are in series.c. */
#include "kernels_internal.h"

static double arccos_theta(const slt_kernels_workspace *ws, double theta)
{
    return kn_relu_theta(ws->p.kernel, ws->p.depth, theta);
}

static double ntk_diag(const slt_kernels_workspace *ws) { return ws->p.depth + 1.0; }

static int arccos_taylor(const slt_kernels_params *p, size_t J, double *b)
{
    return kn_relu_series(p->kernel, p->depth, 0, (int)J + 1, b);
}

/* one layer: the odd degrees >= 3 of the ReLU kernels vanish (depth >= 2: none) */
static int relu_nonzero(const slt_kernels_params *p, size_t l)
{
    return p->depth >= 2 || l <= 2 || l % 2 == 0;
}

static void relu_tail_class(const slt_kernels_params *p, int want, int *h, int *r, int *empty,
                            size_t *from)
{
    (void)from;
    if (p->depth >= 2) *empty = !want;
    else {
        *h = 2;
        *r = want ? 0 : 1;
    }
}

/* a0: the even degrees >= 2 vanish */
static int arccos0_nonzero(const slt_kernels_params *p, size_t l)
{
    (void)p;
    return l == 0 || l % 2 == 1;
}

static void arccos0_tail_class(const slt_kernels_params *p, int want, int *h, int *r,
                               int *empty, size_t *from)
{
    (void)p, (void)empty, (void)from;
    *h = 2;
    *r = want ? 1 : 0;
}

const kn_kernel_type kn_kernel_relu_ntk = {
    .info = {SLT_KERNEL_RELU_NTK, "relu-ntk", KN_SPHERE, SLT_KPARAM_DEPTH, SLT_KFAMILY_ARCCOS,
             0.0},
    .sphere_theta = arccos_theta,
    .sphere_diag = ntk_diag, /* Θ^(L)(1) = L + 1 */
    .sphere_endpoint = 1,
    .sphere_taylor = arccos_taylor,
    .structural_nonzero = relu_nonzero,
    .tail_class = relu_tail_class,
};

const kn_kernel_type kn_kernel_relu_nngp = {
    .info = {SLT_KERNEL_RELU_NNGP, "relu-nngp", KN_SPHERE, SLT_KPARAM_DEPTH, SLT_KFAMILY_ARCCOS,
             0.0},
    .sphere_theta = arccos_theta,
    .sphere_endpoint = 1,
    .sphere_taylor = arccos_taylor,
    .structural_nonzero = relu_nonzero,
    .tail_class = relu_tail_class,
};

const kn_kernel_type kn_kernel_arccos0 = {
    .info = {SLT_KERNEL_ARCCOS0, "arccos0", KN_SPHERE, 0, SLT_KFAMILY_ARCCOS, 0.0},
    .sphere_theta = arccos_theta,
    .sphere_endpoint = 1,
    .sphere_taylor = arccos_taylor,
    .structural_nonzero = arccos0_nonzero,
    .tail_class = arccos0_tail_class,
};
