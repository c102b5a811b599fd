/* The Gaussian kernel: sphere exp(−‖x−y‖²/(2σ²)); torus the wrapped Gaussian (isotropic,
 * the product of 1-D wrapped Gaussians). Its Bessel closed form and positive series on the
 * sphere are in sphere.c. */
#include <math.h>

#include "kernels_internal.h"
#include "slt/status.h"

static double gaussian_theta(const slt_kernels_workspace *ws, double theta)
{
    double s = sin(0.5 * theta);
    return exp(-2.0 * s * s / (ws->p.width * ws->p.width));
}

static double wrapped_gaussian_1d(const slt_kernels_workspace *ws, double x)
{
    double s = ws->p.width;
    if (s <= 1.0) {
        double acc = 0.0;
        int M = 2 + (int)ceil(9.0 * s / (2.0 * M_PI));
        for (int m = -M; m <= M; m++) {
            double y = x + 2.0 * M_PI * m;
            acc += exp(-y * y / (2.0 * s * s));
        }
        return acc;
    }
    /* Poisson dual: (σ/√(2π)) Σ_n e^{-σ²n²/2} cos(nδ) */
    double acc = 1.0;
    for (int n = 1; n < 64; n++) {
        double e = exp(-0.5 * s * s * n * n);
        if (e < 1e-18) break;
        acc += 2.0 * e * cos(n * x);
    }
    return s / sqrt(2.0 * M_PI) * acc;
}

/* b_j = e^{-c} c^j/j!, c = 1/σ² */
static int gaussian_taylor(const slt_kernels_params *p, size_t J, double *b)
{
    /* b_j = e^{-c} c^j/j! carried as v·2^e: e^{-c} alone underflows for c > 745 (the
     * coefficients were all 0 there, and so was every eigenvalue); e^{-c} = 2^{-k}
     * e^{-(c - k ln 2)} with ln 2 split in two parts so that c - k ln 2 is exact */
    double cc = 1.0 / (p->width * p->width);
    double k2 = floor(cc / M_LN2);
    double v = exp(-((cc - k2 * 0.693145751953125) - k2 * 1.4286068203094172321e-6));
    long e2 = -(long)k2;
    for (size_t j = 0; j <= J; j++) {
        b[j] = e2 < -1100 ? 0.0 : ldexp(v, (int)e2);
        v *= cc / (double)(j + 1);
        int ex;
        v = frexp(v, &ex);
        e2 += ex;
    }
    return SLT_OK;
}

/* about 8c terms, c = 1/σ² */
static size_t gaussian_series_terms(const slt_kernels_params *p, size_t L)
{
    return L + 64 + (size_t)ceil(8.0 / (p->width * p->width));
}

static size_t gaussian_quad_nodes(const slt_kernels_params *p)
{
    return (size_t)ceil(12.0 / p->width);
}

static size_t gaussian_grid_need(const slt_kernels_params *p, size_t need)
{
    double w = p->width;
    return need > (size_t)ceil(40.0 / w) ? need : (size_t)ceil(40.0 / w);
}

const kn_kernel_type kn_kernel_gaussian = {
    .info = {SLT_KERNEL_GAUSSIAN, "gaussian", KN_SPHERE | KN_TORUS, SLT_KPARAM_WIDTH,
             SLT_KFAMILY_DISTANCE, 0.0},
    .sphere_theta = gaussian_theta,
    .torus_factor = wrapped_gaussian_1d,
    .sphere_taylor = gaussian_taylor,
    .sphere_series_terms = gaussian_series_terms,
    .sphere_quad_nodes = gaussian_quad_nodes,
    .torus_grid_need = gaussian_grid_need,
    .torus_isotropic = 1,
};
