/* Truncated power series and the ReLU (arc-cosine) recursion as series: at t = ±1 in the
 * local variables s = √(1−t), r = √(1+t) (endpoint expansions), and at t = 0 (Taylor
 * coefficients of the positive Schoenberg series). Also the pointwise ReLU kernels in θ.
 *
 * The recursion (docs/theory/kernels.md §5): Σ^(0) = Θ^(0) = t; per layer, with
 * φ = arccos Σ,
 *   A0 = 1 − φ/π,  A1 = (sin φ + Σ(π − φ))/π,  Θ ← Θ·A0 + A1,  Σ ← A1.
 * arccos of a series u(z):
 *   u(0) ∈ (−1, 1):  q = √(1 − u²), φ' = −u'/q, φ = arccos u(0) + ∫φ'          (no loss)
 *   u(0) = 1 (z = s): x = 1 − u = s² y,  q = sin φ = s √(y(2 − x)),
 *                     φ' = x'/q = (2y + s y')/√(y(2 − x))                    (loses 1 order)
 *   u(0) = −1:        the case above for −u, then φ = π − φ̃, q = q̃. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"
#include "slt/status.h"

#define SER_T double
#define SER_FN(name) name
#define SER_API
#define SER_SQRT sqrt
#define SER_ACOS acos
#define SER_PI M_PI
#include "series_tmpl.h"

#define SER_T long double
#define SER_FN(name) name##_l
#define SER_API static
#define SER_SQRT sqrtl
#define SER_ACOS acosl
#define SER_PI 3.141592653589793238462643383279502884L
#include "series_tmpl.h"

int kn_relu_series_ld(slt_kernel_type kind, int depth, int point, int m, long double *out)
{
    return kn_relu_series_l(kind, depth, point, m, out);
}

/* φ − sin φ without cancellation */
static double phi_minus_sin(double f)
{
    if (f > 0.25) return f - sin(f);
    double f2 = f * f, term = f * f2 / 6.0, acc = 0.0;
    for (int k = 1; k < 9; k++) {
        acc += term;
        term *= -f2 / ((2.0 * k + 2.0) * (2.0 * k + 3.0));
    }
    return acc;
}

double kn_relu_theta(slt_kernel_type kind, int depth, double theta)
{
    double u = cos(theta), s2 = sin(0.5 * theta), x = 2.0 * s2 * s2, phi = theta;
    double th = u;
    int layers = kind == SLT_KERNEL_ARCCOS0 ? 1 : depth;
    for (int l = 1; l <= layers; l++) {
        double a0 = 1.0 - phi / M_PI;
        if (kind == SLT_KERNEL_ARCCOS0) return a0;
        double q = sqrt(fmax(x * (2.0 - x), 0.0));
        double a1 = (q + u * (M_PI - phi)) / M_PI;
        /* 1 − A1 = (πx + uφ − q)/π, uφ − q = (φ − sin φ) − xφ */
        double xn = (M_PI * x + phi_minus_sin(phi) - x * phi) / M_PI;
        th = th * a0 + a1;
        u = a1;
        x = xn;
        phi = x < 0.5 ? 2.0 * asin(sqrt(0.5 * x)) : acos(u);
    }
    return kind == SLT_KERNEL_RELU_NTK ? th : u;
}

/* ---- scaled doubles -------------------------------------------------------------- */
kn_sd kn_sd_from_log(double lnv, int sign)
{
    kn_sd r;
    double l2 = lnv / M_LN2;
    double e = floor(l2);
    r.m = (sign < 0 ? -1.0 : 1.0) * exp2(l2 - e);
    r.e = (long)e;
    return r;
}

kn_sd kn_sd_mul(kn_sd a, double f)
{
    int e;
    double m = frexp(a.m * f, &e);
    a.m = m;
    a.e += e;
    return a;
}

double kn_sd_value(kn_sd a)
{
    if (a.m == 0.0) return 0.0;
    if (a.e > 2000) return copysign(INFINITY, a.m);
    if (a.e < -2200) return copysign(0.0, a.m);
    return ldexp(a.m, (int)a.e);
}
