/* The degree a sphere spectrum must reach to hold a given number of modes (the default
 * lmax of a kernel task): cumulative multiplicities over the structurally non-zero
 * degrees, clamped to the last non-zero degree of a finite (polynomial) kernel. */
#include <math.h>

#include "kernels_internal.h"
#include "slt/status.h"

/* the largest lmax the spectrum solver accepts (slt_kernels_params.lmax) */
#define LMAX_CAP SLT_KERNELS_LMAX_MAX

int slt_kernels_lmax_for_modes(const slt_kernels_params *p, double modes, size_t *lmax,
                               double *held)
{
    static const char *where = "slt_kernels_lmax_for_modes";
    if (!p || !lmax) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    if (p->domain != SLT_DOMAIN_SPHERE)
        return slt_error(SLT_EINVAL, "%s: the sphere only (got the %s)", where,
                         slt_domain_name(p->domain));
    if (p->dim < 2)
        return slt_error(SLT_EINVAL, "%s: dim = %d is out of range (expected d >= 2)", where,
                         p->dim);
    if (!(modes >= 1.0) || isinf(modes))
        return slt_error(SLT_EINVAL, "%s: modes = %g is out of range (expected a finite "
                         "number >= 1)", where, modes);
    const slt_kernel_info *k = slt_kernel_info_get(p->kernel);
    if (!k) return slt_error(SLT_EINVAL, "%s: unknown kernel type %d", where, (int)p->kernel);
    /* a polynomial kernel (c + t)^p has no eigenvalue beyond degree p */
    size_t top = LMAX_CAP;
    if (k->family == SLT_KFAMILY_POLYNOMIAL && p->poly_degree >= 0 &&
        (size_t)p->poly_degree < top)
        top = (size_t)p->poly_degree;
    double sum = 0.0;
    for (size_t l = 0; l <= top; l++) {
        if (!kn_structural_nonzero(p, l)) continue;
        double m = 0.0;
        int rc = slt_kernels_multiplicity(p->dim, l, &m, NULL);
        if (rc) return rc;
        sum += m; /* exact while < 2^53; beyond, modes (finite) is passed anyway */
        if (sum >= modes) {
            *lmax = l;
            if (held) *held = sum;
            return SLT_OK;
        }
    }
    if (top < LMAX_CAP) { /* a finite kernel: every non-zero degree, fewer modes */
        *lmax = top;
        if (held) *held = sum;
        return SLT_OK;
    }
    if (held) *held = sum;
    *lmax = LMAX_CAP;
    return slt_error(SLT_EDOM, "%s: degrees 0 ... %d of the sphere S^%d hold %.6g modes, "
                     "fewer than the %.6g asked for", where, LMAX_CAP, p->dim - 1, sum, modes);
}
