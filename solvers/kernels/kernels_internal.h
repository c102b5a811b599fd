/* Internal interfaces of the kernel-spectra solver (not installed). */
#ifndef SLT_KERNELS_INTERNAL_H
#define SLT_KERNELS_INTERNAL_H

#include <fftw3.h>
#include <gsl/gsl_spline.h>
#include <stddef.h>

#include "slt/kernels.h"

#define KN_EPS 2.220446049250313e-16

/* Endpoint expansion length per endpoint (coefficients of s^0 … s^(KN_EP_M−1)). */
#define KN_EP_M 96

/* ---- kernel types (one file per kernel, solvers/kernels/k_*.c; listed in registry.c) */
typedef struct slt_kernels_workspace slt_kernels_workspace;
typedef struct {
    slt_kernel_info info; /* the public descriptor: name, domains, parameters, family   */
    /* sphere: k at the angle θ ∈ [0, π] (t = cos θ), accurate near θ = 0; NULL when the
     * kernel is not defined on the sphere */
    double (*sphere_theta)(const slt_kernels_workspace *ws, double theta);
    /* sphere: k(1), the trace; NULL: 1 */
    double (*sphere_diag)(const slt_kernels_workspace *ws);
    /* torus: the 1-D factor k_1(x), x ∈ [0, π], of k(δ) = Π_i k_1(δ_i); NULL when the
     * kernel is not defined on the torus */
    double (*torus_factor)(const slt_kernels_workspace *ws, double x);
    /* ---- what the kernel brings to the methods (all optional; NULL/0: not used) ---- */
    /* sphere, the endpoint expansion (sphere.c): 1 the asymptotic arc-cosine expansion
     * of series.c, 2 the convergent Laplace series                                     */
    int sphere_endpoint;
    /* sphere: Taylor coefficients b_0..b_J of k at t = 0 (b holds J + 1 zeros), the
     * positive Schoenberg series                                                       */
    int (*sphere_taylor)(const slt_kernels_params *p, size_t J, double *b);
    /* sphere: the positive series is computed up front for every degree with this many
     * Taylor terms − 1 (L = lmax); NULL: only where the other methods fail             */
    size_t (*sphere_series_terms)(const slt_kernels_params *p, size_t L);
    /* sphere: Gauss–Legendre nodes the kernel's shape needs on top of the degree's     */
    size_t (*sphere_quad_nodes)(const slt_kernels_params *p);
    /* sphere: a finite expansion (μ_ℓ = 0 for ℓ above it): its highest degree         */
    size_t (*sphere_top_degree)(const slt_kernels_params *p);
    /* sphere: 0 when μ_ℓ is a structural zero (parity, finite degree) (beyond.c)       */
    int (*structural_nonzero)(const slt_kernels_params *p, size_t l);
    /* sphere: beyond the first few degrees {ℓ : structural_nonzero == want} is the class
     * ℓ ≡ r (mod h) from degree `from` on, or empty; NULL: every degree non-zero        */
    void (*tail_class)(const slt_kernels_params *p, int want, int *h, int *r, int *empty,
                       size_t *from);
    /* torus: grid points per dimension the kernel's shape needs, given `need` for the
     * wave vectors (torus.c)                                                           */
    size_t (*torus_grid_need)(const slt_kernels_params *p, size_t need);
    int torus_isotropic; /* torus: λ a decreasing function of |n|² (keep |n| <= lmax)   */
} kn_kernel_type;

/* the highest degree of a finite expansion on the sphere, 0 for an infinite one */
static inline size_t kn_top_degree(const kn_kernel_type *t, const slt_kernels_params *p)
{
    return t && t->sphere_top_degree ? t->sphere_top_degree(p) : 0;
}

#define KN_SPHERE SLT_KERNEL_ON(SLT_DOMAIN_SPHERE)
#define KN_TORUS SLT_KERNEL_ON(SLT_DOMAIN_TORUS)

/* registry.c: the kernel type of an enum value, NULL if it is not one */
const kn_kernel_type *kn_kernel_type_get(slt_kernel_type kind);

struct slt_kernels_workspace {
    slt_kernels_params p;
    const kn_kernel_type *type; /* the kernel type of p.kernel                          */
    double *tab_x, *tab_k; /* owned copies of the table                                 */
    gsl_spline *spl, *spl_alt; /* cubic spline and Akima spline of k in θ (or δ)      */
    double tab_lo, tab_hi;    /* θ (or δ) range of the spline                           */
    double diag;              /* k(1) or k(0)                                            */
    /* endpoint expansions: k = Σ_n ep_plus[n] s^n, s = √(1−t); Σ ep_minus[n] r^n, r = √(1+t) */
    int has_endpoint;         /* 1: ReLU family (asymptotic, two-sided); 2: Laplace (exact) */
    /* in long double, with absolute error bars ep_*_err (kernels.c, from the double twin) */
    long double ep_plus[KN_EP_M], ep_minus[KN_EP_M];
    double ep_plus_err[KN_EP_M], ep_minus_err[KN_EP_M];
    int ep_trust;             /* number of trusted coefficients                          */
    /* Taylor coefficients at t = 0 (positive series), computed on demand */
    int has_taylor;
    double *taylor;
    size_t taylor_n;
    /* torus */
    int grid[2];              /* grid sizes G and 2G per dimension                       */
    double *fft_buf[2];
    fftw_plan plan[2];
};

/* 1 for the arc-cosine family (registry.c): the kernels of kn_relu_series/kn_relu_theta */
static inline int kn_arccos_family(slt_kernel_type kind)
{
    const slt_kernel_info *k = slt_kernel_info_get(kind);
    return k && k->family == SLT_KFAMILY_ARCCOS;
}

/* ---- truncated power series (series.c) ---------------------------------------- */
/* All arrays have length m; results may not alias inputs unless stated. */
void kn_ser_mul(const double *a, const double *b, double *c, int m);
int kn_ser_sqrt(const double *a, double *c, int m);      /* a[0] > 0 */
int kn_ser_div(const double *a, const double *b, double *c, int m); /* b[0] != 0 */

/* ReLU-family kernel (kind SLT_KERNEL_RELU_NTK, _RELU_NNGP, _ARCCOS0, depth L) as a series
 * at point: +1 (variable s, t = 1 − s²), −1 (variable r, t = −1 + r²) or 0 (variable t).
 * out has m coefficients; at the endpoints the last `depth + 2` are not trusted. */
int kn_relu_series(slt_kernel_type kind, int depth, int point, int m, double *out);
/* The same computation in long double (series_tmpl.h). */
int kn_relu_series_ld(slt_kernel_type kind, int depth, int point, int m, long double *out);

/* Pointwise kernels in θ ∈ [0, π] (sphere), accurate near θ = 0. */
double kn_relu_theta(slt_kernel_type kind, int depth, double theta);
double kn_sphere_theta(const slt_kernels_workspace *ws, double theta);

/* Scaled doubles m·2^e for quantities that underflow (μ_ℓ at large d, ℓ). */
typedef struct {
    double m;
    long e;
} kn_sd;
kn_sd kn_sd_from_log(double lnv, int sign);
kn_sd kn_sd_mul(kn_sd a, double f);
double kn_sd_value(kn_sd a);

/* torus.c */
int kn_torus_alloc(slt_kernels_workspace *ws);
void kn_torus_free(slt_kernels_workspace *ws);
int kn_torus_spectrum(slt_kernels_workspace *ws, slt_kernels_spectrum *s);
double kn_torus_eval(const slt_kernels_workspace *ws, const double *delta);

/* kernels.c */
double kn_fh_power_log(int d, size_t l, double nu, int *sign);
double kn_table_eval(const slt_kernels_workspace *ws, double x);     /* cubic spline */
double kn_table_eval_alt(const slt_kernels_workspace *ws, double x); /* Akima spline */

/* beyond.c: 1 unless μ_ℓ is a structural zero (parity zeros of arccos0 and one-layer
 * ReLU kernels, ℓ > p and wrong parity of poly); always 1 on the torus */
int kn_structural_nonzero(const slt_kernels_params *p, size_t l);

/* sphere.c */
int kn_sphere_spectrum(slt_kernels_workspace *ws, slt_kernels_spectrum *s);

#endif
