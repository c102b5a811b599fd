/* The Gaussian kernel: sphere exp(−‖x−y‖²/(2σ²)); torus the wrapped Gaussian (isotropic,
 * the product of 1-D wrapped Gaussians). Its Bessel closed form and positive series on the
 * sphere are in sphere.c. */
#include <math.h>

#include "kernels_internal.h"

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

const kn_kernel_type kn_kernel_gaussian = {
    .info = {SLT_KERNEL_GAUSSIAN, "gaussian", KN_SPHERE | KN_TORUS, SLT_KPARAM_WIDTH,
             SLT_KFAMILY_DISTANCE, 0.0},
    .sphere_theta = gaussian_theta,
    .torus_factor = wrapped_gaussian_1d,
};
