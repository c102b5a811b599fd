/* The polynomial kernel (c + t)^p on the sphere. Its (finite) positive series is in
 * sphere.c, its structural zeros (ℓ > p, parity when c = 0) in beyond.c. */
#include <math.h>

#include "kernels_internal.h"

static double poly_theta(const slt_kernels_workspace *ws, double theta)
{
    return pow(ws->p.offset + cos(theta), ws->p.poly_degree);
}

static double poly_diag(const slt_kernels_workspace *ws)
{
    return pow(ws->p.offset + 1.0, ws->p.poly_degree);
}

const kn_kernel_type kn_kernel_poly = {
    .info = {SLT_KERNEL_POLY, "poly", KN_SPHERE, SLT_KPARAM_POLY, SLT_KFAMILY_POLYNOMIAL, 0.0},
    .sphere_theta = poly_theta,
    .sphere_diag = poly_diag,
};
