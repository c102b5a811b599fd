/* The polynomial kernel (c + t)^p on the sphere. Its (finite) positive series is in
 * sphere.c, its structural zeros (ℓ > p, parity when c = 0) in beyond.c. */
#include <math.h>

#include <gsl/gsl_sf_gamma.h>

#include "kernels_internal.h"
#include "slt/status.h"

static double poly_theta(const slt_kernels_workspace *ws, double theta)
{
    return pow(ws->p.offset + cos(theta), ws->p.poly_degree);
}

static double poly_diag(const slt_kernels_workspace *ws)
{
    return pow(ws->p.offset + 1.0, ws->p.poly_degree);
}

/* b_j = C(p, j) c^(p−j) */
static int poly_taylor(const slt_kernels_params *p, size_t J, double *b)
{
    for (size_t j = 0; j <= J && j <= (size_t)p->poly_degree; j++)
        b[j] = exp(gsl_sf_lnchoose((unsigned)p->poly_degree, (unsigned)j) +
                   (p->poly_degree - (double)j) * log(p->offset));
    if (p->offset == 0.0)
        for (size_t j = 0; j <= J; j++) b[j] = (j == (size_t)p->poly_degree) ? 1.0 : 0.0;
    return SLT_OK;
}

static size_t poly_degree(const slt_kernels_params *p) { return (size_t)p->poly_degree; }

static size_t poly_series_terms(const slt_kernels_params *p, size_t L)
{
    (void)L;
    return (size_t)p->poly_degree;
}

/* μ_ℓ = 0 for ℓ > p, and for ℓ of the wrong parity when c = 0 */
static int poly_nonzero(const slt_kernels_params *p, size_t l)
{
    return l <= (size_t)p->poly_degree &&
           (p->offset > 0 || ((size_t)p->poly_degree - l) % 2 == 0);
}

static void poly_tail_class(const slt_kernels_params *p, int want, int *h, int *r, int *empty,
                            size_t *from)
{
    (void)h, (void)r;
    *empty = want;
    *from = (size_t)p->poly_degree + 1;
}

const kn_kernel_type kn_kernel_poly = {
    .info = {SLT_KERNEL_POLY, "poly", KN_SPHERE, SLT_KPARAM_POLY, SLT_KFAMILY_POLYNOMIAL, 0.0},
    .sphere_theta = poly_theta,
    .sphere_diag = poly_diag,
    .sphere_taylor = poly_taylor,
    .sphere_series_terms = poly_series_terms,
    .sphere_quad_nodes = poly_degree, /* a degree-p polynomial in t = cos θ */
    .sphere_top_degree = poly_degree,
    .structural_nonzero = poly_nonzero,
    .tail_class = poly_tail_class,
};
