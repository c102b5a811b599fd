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

void kn_ser_mul(const double *a, const double *b, double *c, int m)
{
    for (int n = 0; n < m; n++) {
        double acc = 0.0;
        for (int k = 0; k <= n; k++) acc += a[k] * b[n - k];
        c[n] = acc;
    }
}

int kn_ser_sqrt(const double *a, double *c, int m)
{
    if (!(a[0] > 0)) return SLT_EDOM;
    c[0] = sqrt(a[0]);
    for (int n = 1; n < m; n++) {
        double acc = a[n];
        for (int k = 1; k < n; k++) acc -= c[k] * c[n - k];
        c[n] = acc / (2.0 * c[0]);
    }
    return SLT_OK;
}

int kn_ser_div(const double *a, const double *b, double *c, int m)
{
    if (b[0] == 0.0) return SLT_EDOM;
    for (int n = 0; n < m; n++) {
        double acc = a[n];
        for (int k = 1; k <= n; k++) acc -= b[k] * c[n - k];
        c[n] = acc / b[0];
    }
    return SLT_OK;
}

/* φ = arccos u and q = sin φ for a series u; endpoint = +1/−1 when u(0) = ±1 exactly in
 * the local variable s (u = ±(1 − s² y)). work: 6m doubles. */
static int ser_acos(const double *u, int endpoint, double *phi, double *q, int m, double *work)
{
    double *w1 = work, *w2 = work + m, *w3 = work + 2 * m, *w4 = work + 3 * m,
           *w5 = work + 4 * m;
    int rc;
    if (endpoint == 0) {
        kn_ser_mul(u, u, w1, m);
        for (int n = 0; n < m; n++) w1[n] = -w1[n];
        w1[0] += 1.0;
        if ((rc = kn_ser_sqrt(w1, q, m))) return rc;
        for (int n = 0; n < m - 1; n++) w2[n] = -(double)(n + 1) * u[n + 1];
        w2[m - 1] = 0.0;
        if ((rc = kn_ser_div(w2, q, w3, m))) return rc;
        phi[0] = acos(u[0]);
        for (int n = 1; n < m; n++) phi[n] = w3[n - 1] / n;
        return SLT_OK;
    }
    /* x = 1 − (±u), x0 = x1 = 0 by construction (forced; they are rounding otherwise) */
    double sg = endpoint > 0 ? 1.0 : -1.0;
    for (int n = 0; n < m; n++) w1[n] = -sg * u[n];
    w1[0] += 1.0;
    w1[0] = 0.0;
    w1[1] = 0.0;
    /* y = x / s² */
    for (int n = 0; n < m - 2; n++) w2[n] = w1[n + 2];
    w2[m - 2] = w2[m - 1] = 0.0;
    /* y(2 − x) */
    for (int n = 0; n < m; n++) w3[n] = -w1[n];
    w3[0] += 2.0;
    kn_ser_mul(w2, w3, w4, m);
    if ((rc = kn_ser_sqrt(w4, w5, m))) return rc; /* √(y(2−x)) */
    q[0] = 0.0;
    for (int n = 1; n < m; n++) q[n] = w5[n - 1];
    for (int n = 0; n < m; n++) w3[n] = (double)(n + 2) * w2[n]; /* 2y + s y' */
    if ((rc = kn_ser_div(w3, w5, w4, m))) return rc;
    phi[0] = 0.0;
    for (int n = 1; n < m; n++) phi[n] = w4[n - 1] / n;
    if (endpoint < 0) {
        for (int n = 0; n < m; n++) phi[n] = -phi[n];
        phi[0] += M_PI;
    }
    return SLT_OK;
}

int kn_relu_series(slt_kernel_type kind, int depth, int point, int m, double *out)
{
    double *buf = calloc((size_t)m * 12, sizeof(double));
    if (!buf) return SLT_ENOMEM;
    double *sig = buf, *theta = buf + m, *phi = buf + 2 * m, *q = buf + 3 * m,
           *a0 = buf + 4 * m, *a1 = buf + 5 * m, *tmp = buf + 6 * m;
    double *work = calloc((size_t)m * 6, sizeof(double));
    if (!work) {
        free(buf);
        return SLT_ENOMEM;
    }
    /* Σ^(0) = t in the local variable */
    if (point > 0) {
        sig[0] = 1.0;
        if (m > 2) sig[2] = -1.0;
    } else if (point < 0) {
        sig[0] = -1.0;
        if (m > 2) sig[2] = 1.0;
    } else if (m > 1) {
        sig[1] = 1.0;
    }
    memcpy(theta, sig, (size_t)m * sizeof(double));
    int layers = kind == SLT_KERNEL_ARCCOS0 ? 1 : depth;
    int rc = SLT_OK;
    for (int l = 1; l <= layers && !rc; l++) {
        int endpoint = 0;
        if (point > 0) endpoint = 1;
        if (point < 0 && l == 1) endpoint = -1;
        if ((rc = ser_acos(sig, endpoint, phi, q, m, work))) break;
        for (int n = 0; n < m; n++) {
            a0[n] = -phi[n] / M_PI;
            tmp[n] = -phi[n];
        }
        a0[0] += 1.0;
        tmp[0] += M_PI;
        kn_ser_mul(sig, tmp, a1, m);
        for (int n = 0; n < m; n++) a1[n] = (a1[n] + q[n]) / M_PI;
        if (kind == SLT_KERNEL_ARCCOS0) {
            memcpy(out, a0, (size_t)m * sizeof(double));
            break;
        }
        kn_ser_mul(theta, a0, tmp, m);
        for (int n = 0; n < m; n++) theta[n] = tmp[n] + a1[n];
        memcpy(sig, a1, (size_t)m * sizeof(double));
        if (point > 0) sig[0] = 1.0; /* exactly 1 at t = 1 (rounding otherwise) */
    }
    if (!rc && kind != SLT_KERNEL_ARCCOS0)
        memcpy(out, kind == SLT_KERNEL_RELU_NTK ? theta : sig, (size_t)m * sizeof(double));
    free(work);
    free(buf);
    return rc;
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
