/* slt/kernels.h — kernel spectra: dot-product kernels on the sphere S^{d-1}, translation-
 * invariant kernels on the torus T^d, empirical Gram spectra, decay-exponent fits, target
 * coefficients, and the explicit task they define.
 *
 * Conventions (docs/theory/conventions.md §10, binding):
 *   - sphere S^{d-1} ⊂ R^d, d the AMBIENT dimension (d >= 2), uniform probability measure;
 *   - μ_ℓ is the eigenvalue of EACH of the N(d,ℓ) spherical harmonics of degree ℓ (per
 *     eigenfunction); the degree-summed value is N(d,ℓ)·μ_ℓ;  k(t) = Σ_ℓ N(d,ℓ) μ_ℓ P_ℓ(t);
 *   - ReLU depth L = number of hidden layers of the normalised arc-cosine recursion
 *     (σ_w² = 2, no bias): NNGP Σ^(L)(1) = 1, NTK Θ^(L)(1) = L + 1;
 *   - Gaussian k = exp(−‖x−y‖²/(2σ²)), Laplace k = exp(−‖x−y‖/σ) (c = 1/σ in kernels.md);
 *   - torus T^d = [0, 2π)^d with the normalised measure; λ_n per Fourier mode e^{in·x}.
 *
 * Methods on the sphere (docs/theory/kernels.md says which is used where, and why): every
 * degree is computed by up to three methods and the one with the smallest error estimate
 * is reported, with its error estimate:
 *   QUADRATURE  Funk–Hecke in θ (t = cos θ) with Gauss–Legendre nodes, error from node
 *               doubling plus a rounding floor; limited to |μ_ℓ| ≳ 1e-16·μ_0-ish;
 *   ENDPOINT    the expansion of k in s = √(1∓t) at t = ±1, transformed term by term with
 *               the exact Funk–Hecke transform of (1−t)^ν (Gamma ratios): an asymptotic
 *               series for the ReLU family (accurate at high degree, any magnitude), a
 *               convergent series for the Laplace kernel;
 *   SERIES      the positive Schoenberg series Σ_j b_j c_{j,ℓ} (no cancellation) with a
 *               rigorous tail bound (ReLU family, Gaussian, polynomial).
 *
 * Thread safety: a workspace is used by one thread at a time. FFTW plans are made in
 * slt_kernels_alloc; call it from one thread. Library code never prints. */
#ifndef SLT_KERNELS_H
#define SLT_KERNELS_H

#include "slt/export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "slt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SLT_KERNEL_RELU_NTK = 0, /* sphere: ReLU NTK Θ^(L)                                   */
    SLT_KERNEL_RELU_NNGP,    /* sphere: ReLU NNGP Σ^(L) (arc-cosine degree 1, iterated)  */
    SLT_KERNEL_ARCCOS0,      /* sphere: arc-cosine kernel of degree 0, a0(t) = 1 − θ/π   */
    SLT_KERNEL_GAUSSIAN,     /* sphere: exp(−‖x−y‖²/(2σ²)); torus: wrapped Gaussian      */
    SLT_KERNEL_LAPLACE,      /* sphere: exp(−‖x−y‖/σ); torus: periodic Laplace (product) */
    SLT_KERNEL_POLY,         /* sphere: (c + t)^p                                        */
    SLT_KERNEL_VON_MISES,    /* torus: exp(κ Σ_i (cos δ_i − 1)), κ = 1/σ²               */
    SLT_KERNEL_TABLE         /* user table: sphere k(t) at t = cos θ; torus k(δ), on T^2, T^3 the product Π_i k(δ_i) */
    /* a new kernel: a new value here and one entry in solvers/kernels/registry.c
     * (docs/extending.md, "How to add a kernel"); never rely on the order of the values */
} slt_kernel_type;

typedef enum { SLT_DOMAIN_SPHERE = 0, SLT_DOMAIN_TORUS = 1 } slt_domain;

/* ---- Kernel registry -------------------------------------------------------------
 * One descriptor per kernel type: the single source of its name, the domains it is
 * defined on, the parameters it reads and its family. slt_kernels_params_check, the
 * solver and the CLI (choices, help, messages) all read it; nothing branches on the
 * order of the enum values. */
#define SLT_KERNEL_ON(domain) (1u << (unsigned)(domain)) /* bit of a domain in `domains` */

typedef enum {            /* bits of slt_kernel_info.params: the fields the kernel reads */
    SLT_KPARAM_DEPTH = 1, /* depth                                                       */
    SLT_KPARAM_WIDTH = 2, /* width                                                       */
    SLT_KPARAM_POLY = 4,  /* offset, poly_degree                                         */
    SLT_KPARAM_TABLE = 8  /* table_x, table_k, table_n                                   */
} slt_kernel_param;

typedef enum {
    SLT_KFAMILY_ARCCOS = 0, /* arc-cosine recursion (ReLU NTK/NNGP, arccos0): the endpoint
                               expansion and positive series of series.c on the sphere      */
    SLT_KFAMILY_DISTANCE,   /* a function of the distance with a width (Gaussian, Laplace,
                               von Mises)                                                   */
    SLT_KFAMILY_POLYNOMIAL, /* polynomial in t                                              */
    SLT_KFAMILY_TABLE       /* interpolated user table                                      */
} slt_kernel_family;

typedef struct {
    slt_kernel_type type;
    const char *name;            /* "relu-ntk", ...: the name on the command line          */
    unsigned domains;            /* SLT_KERNEL_ON(SLT_DOMAIN_SPHERE) | ...                  */
    unsigned params;             /* slt_kernel_param bits                                  */
    slt_kernel_family family;
    double sphere_min_width;     /* smallest width accepted on the sphere (0: any > 0)     */
} slt_kernel_info;

/* The descriptor of a kernel type, NULL if it is not one; the number of kernel types
 * (the types are 0 .. slt_kernel_count() − 1). */
SLT_API const slt_kernel_info *slt_kernel_info_get(slt_kernel_type kernel);
SLT_API size_t slt_kernel_count(void);
/* The names of the kernels defined on one of `domains` (a mask of SLT_KERNEL_ON bits;
 * 0: any) and reading one of `params` (0: any), in type order, separated by `sep` and the
 * last two by `last_sep` ("a, b or c": ", ", " or "; choices "a|b|c": "|", "|"). Writes
 * at most size bytes, NUL-terminated when size > 0; returns the length of the whole list
 * (as snprintf does). */
SLT_API size_t slt_kernel_list(char *buf, size_t size, unsigned domains, unsigned params,
                               const char *sep, const char *last_sep);

/* Name ↔ type: "relu-ntk", "relu-nngp", "arccos0", "gaussian", "laplace", "poly",
 * "von-mises", "table"; "sphere", "torus". Parse functions return SLT_EINVAL (message
 * lists the accepted names). */
SLT_API const char *slt_kernel_name(slt_kernel_type kernel);
SLT_API int slt_kernel_parse(const char *name, slt_kernel_type *kernel);
SLT_API const char *slt_domain_name(slt_domain domain);
SLT_API int slt_domain_parse(const char *name, slt_domain *domain);
/* 1 if the kernel is defined on the domain. */
SLT_API int slt_kernel_on_domain(slt_kernel_type kernel, slt_domain domain);

typedef struct {
    slt_kernel_type kernel; /*                                       default RELU_NTK   */
    slt_domain domain;      /*                                       default SPHERE     */
    int dim;                /* sphere: ambient d, 2..1000; torus: d, 1..3   default 3   */
    int depth;              /* ReLU hidden layers L, 1..64                  default 1   */
    double width;           /* σ of gaussian, laplace, von-mises, > 0       default 1   */
                            /* laplace on the sphere: >= SLT_KERNELS_MIN_LAPLACE_WIDTH */
    double offset;          /* poly: c >= 0                                 default 1   */
    int poly_degree;        /* poly: p, 1..1000                             default 2   */
    size_t lmax;            /* sphere: degrees 0..lmax (<= 100000); torus (<= 4096 for
                               d = 1, 256 for d = 2, 48 for d = 3): the wrapped Gaussian
                               (isotropic) keeps the wave vectors with |n| <= lmax; every
                               other kernel those with max_i |n_i| <= lmax whose eigenvalue
                               exceeds the largest one outside that cube (see
                               slt_kernels_spectrum_compute)                default 100 */
    double rel_tol;         /* target relative accuracy, [1e-15, 1e-2]      default 1e-12 */
    /* TABLE kernels: table_n >= 4 points (x_i, k_i), x strictly increasing, covering
     * [−1, 1] in t = cos θ (sphere) or [0, π] in δ (torus, d = 1; the kernel is even).
     * Interpolated by cubic splines in θ (sphere) or δ (torus). The arrays are copied. */
    const double *table_x, *table_k;
    size_t table_n;
} slt_kernels_params;

/* The Laplace kernel on the sphere is computed by quadrature with about 12/width nodes
 * (its endpoint series needs 2/width² terms): narrower ones are refused (SLT_EINVAL), not
 * computed for minutes. A narrow Gaussian has its closed form: every width > 0 works. */
#define SLT_KERNELS_MIN_LAPLACE_WIDTH 5e-3

SLT_API slt_kernels_params slt_kernels_params_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range (or the
 * kernel/domain combination that is not defined). */
SLT_API int slt_kernels_params_check(const slt_kernels_params *p);

/* Workspace: the kernel, its expansions (series coefficients), FFTW plans. */
typedef struct slt_kernels_workspace slt_kernels_workspace;

SLT_API int slt_kernels_alloc(const slt_kernels_params *p, slt_kernels_workspace **ws);
SLT_API void slt_kernels_free(slt_kernels_workspace *ws); /* accepts NULL */
SLT_API const slt_kernels_params *slt_kernels_get_params(const slt_kernels_workspace *ws);

/* The kernel itself: sphere k(t) for t ∈ [−1, 1]; torus k(δ) for a point δ ∈ R^dim.
 * NaN outside the domain. */
SLT_API double slt_kernels_eval_sphere(const slt_kernels_workspace *ws, double t);
SLT_API double slt_kernels_eval_torus(const slt_kernels_workspace *ws, const double *delta);
/* k on the diagonal: sphere k(1), torus k(0) (the trace of the operator). */
SLT_API double slt_kernels_diagonal(const slt_kernels_workspace *ws);

/* ---- Spectra ------------------------------------------------------------------ */

typedef enum {
    SLT_KMETHOD_NONE = 0,
    SLT_KMETHOD_QUADRATURE, /* Gauss–Legendre in θ, node doubling          */
    SLT_KMETHOD_ENDPOINT,   /* expansion at t = ±1, exact term transforms   */
    SLT_KMETHOD_SERIES,     /* positive Schoenberg series with tail bound   */
    SLT_KMETHOD_FFT,        /* torus: FFT on a grid, grid doubling          */
    SLT_KMETHOD_BESSEL      /* sphere Gaussian: closed form Γ(d/2)(2/c)^ν e^{-c} I_{ℓ+ν}(c),
                               c = 1/σ², ν = (d−2)/2, by Hankel's expansion (narrow kernels) */
} slt_kernels_method;
SLT_API const char *slt_kernels_method_name(slt_kernels_method m); /* "quadrature", ... */

typedef struct {
    size_t degree;       /* sphere: ℓ; torus: level index (ordered by |n|², then n)     */
    double mult;         /* number of eigenfunctions in the level: sphere N(d,ℓ) (+inf
                            when it overflows a double; see log_mult); torus: count of n */
    double log_mult;     /* ln mult, finite even when mult overflows                    */
    double mu;           /* eigenvalue per eigenfunction (0 when it underflows)         */
    double mu_err;       /* error estimate of mu (absolute); |mu| <= mu_err: unresolved
                            or an exact zero (parity)                                   */
    slt_kernels_method method;
    long long norm2;     /* torus: |n|² of the level; sphere: ℓ                         */
    int wave[3];         /* torus: a representative n, |n_1| >= |n_2| >= |n_3| >= 0     */
} slt_kernels_level;

typedef struct {
    slt_kernels_params params; /* copy (table pointers not owned; NULL)                */
    size_t n_levels;
    slt_kernels_level *levels;
    double diag;               /* k(1) (sphere) or k(0) (torus): the exact trace        */
    double trace, trace_err;   /* Σ_levels mult·mu and its error (levels computed only) */
    double trace_tail, trace_tail_err; /* estimate of the rest, Σ over levels beyond
                                  lmax, from the local power law of the last levels      */
    double hs, hs_err;         /* Σ_levels mult·mu² (Hilbert–Schmidt, computed levels)  */
    size_t quad_nodes;         /* largest Gauss–Legendre rule used (0: none)            */
    size_t series_terms;       /* positive series: Taylor coefficients used (0: none)   */
    size_t endpoint_terms;     /* endpoint expansion: coefficients per endpoint         */
    size_t grid;               /* torus: finest grid points per dimension               */
    double max_rel_err;        /* max over non-zero levels of mu_err/|mu|               */
} slt_kernels_spectrum;

/* Computes the spectrum (sphere: ℓ = 0..lmax; torus: see below).
 * Torus: the wrapped Gaussian depends on |n|² only and decreases in it, so the levels with
 * |n| <= lmax are exactly the eigenvalues above everything left out. For the other kernels
 * (products of 1-D kernels on T², T³, and any table kernel) the eigenvalue is not a
 * function of |n|: the modes with max_i |n_i| <= lmax are computed and only those whose
 * eigenvalue exceeds τ = the largest eigenvalue outside that cube (on the finer grid, up
 * to its Nyquist index; for a decreasing product kernel λ_{lmax+1}·λ_0^{d−1}) are kept,
 * together with the unresolved ones (|mu| <= mu_err: never flattened). So every mode
 * with an eigenvalue above the smallest flattened one is among the levels: the flattened
 * spectrum and the saved task have no gaps.
 * SLT_OK with per-level error estimates; SLT_ENOCONV if the quadrature or grid refinement
 * reached its size limit without its discretisation error falling below rel_tol·|mu| or
 * the rounding floor (the spectrum is still returned, errors included). */
SLT_API int slt_kernels_spectrum_compute(slt_kernels_workspace *ws, slt_kernels_spectrum **out);
SLT_API void slt_kernels_spectrum_free(slt_kernels_spectrum *s); /* accepts NULL */

/* Multiplicity N(d,ℓ) of degree-ℓ spherical harmonics on S^{d-1} and its logarithm
 * (d >= 2). *mult is exact while < 2^53, +inf when it overflows. */
SLT_API int slt_kernels_multiplicity(int d, size_t l, double *mult, double *log_mult);

/* Funk–Hecke transform of (1 − t)^ν on S^{d-1}: μ_ℓ[(1−t)^ν] =
 * 2^ν (−ν)_ℓ Γ(ν+(d−1)/2) Γ(d−1) / (Γ((d−1)/2) Γ(ℓ+ν+d−1)), ν > −(d−1)/2 (derived in
 * docs/theory/kernels.md). Returns the value (0 on underflow, ±inf on overflow). */
SLT_API double slt_kernels_fh_power(int d, size_t l, double nu);

/* Local slope d ln μ / d ln ℓ by centred differences over the nearest non-zero
 * neighbours (same parity when the kernel has parity zeros); slope[i] for level i,
 * NaN where undefined. Sphere: in ℓ; torus: in |n| = √norm2. */
SLT_API int slt_kernels_local_slope(const slt_kernels_spectrum *s, double *slope,
                                    double *slope_err);

/* ---- Decay fit ---------------------------------------------------------------- */

typedef struct {
    double lo, hi;   /* window in degree (sphere ℓ, torus |n|); 0, 0: detect   default 0 */
    double tol;      /* window detection: widest range [lo, top] where the local slope
                        varies by <= tol                                      default 0.05 */
    size_t min_points; /* levels needed in the window, >= 3                  default 8   */
} slt_kernels_fit_params;

SLT_API slt_kernels_fit_params slt_kernels_fit_params_default(void);

typedef struct {
    double s, s_err;       /* per-degree decay μ ∝ ℓ^{-s} (sphere) or |n|^{-s} (torus)  */
    double alpha, alpha_err;     /* flattened λ_n ∝ n^{-α}: α = s/(d−1) (sphere), s/d (torus) */
    double alpha_K, alpha_K_err; /* α − 1 (Bahri et al.)                                */
    double s_plain;        /* plain log-log regression slope (no 1/ℓ correction)         */
    double s_se;           /* standard error of the corrected fit                        */
    double slope_spread;   /* max − min of the local slope over the window               */
    double amplitude;      /* C in μ ≈ C ℓ^{-s} (1 + c1/ℓ)                              */
    double lo, hi;         /* window used                                                */
    size_t points;         /* levels in the fit                                          */
    int detected;          /* 1 if the window was detected                               */
    int power_law;         /* 1 if the window shows a power-law decay: every value finite,
                              slope_spread <= tol, alpha_K > 0 (a continuous kernel is trace
                              class; a fit below that is not in the asymptotic regime); 0:
                              the numbers are not a decay exponent (callers report failure) */
} slt_kernels_fit;

/* Fits ln μ = ln C − s ln ℓ + c1/ℓ over the window (levels with |μ| > 3 mu_err only)
 * by least squares (GSL multifit); arc-cosine kernels on the sphere with both parities in
 * the window (ReLU depth >= 2: singular at t = −1 too, odd and even degrees on parallel
 * lines) get a parity term + b(−1)^ℓ, and C is then the geometric mean of the two
 * amplitudes. s_err = 2·s_se + |s − s_plain| (the drift the 1/ℓ
 * term removed bounds what is left: residuals of an analytic spectrum are not noise).
 * SLT_EINVAL for a bad window; SLT_EDOM when fewer than min_points resolved levels (out
 * then holds NaN values and points = the levels found). A fit that is not a power law
 * returns SLT_OK with power_law = 0. */
SLT_API int slt_kernels_fit_decay(const slt_kernels_spectrum *s, const slt_kernels_fit_params *p,
                                  slt_kernels_fit *out);

/* ---- Target coefficients ------------------------------------------------------ */

/* Target power per level of the spectrum s (same level order), power[i] >= 0, with error:
 *   sphere, zonal target f(x) = g(x·e): level power N(d,ℓ) g_ℓ², g_ℓ = c_d ∫ g P_ℓ w;
 *   torus d = 1: f(θ) = g(θ) even: level power a_0² (n = 0), a_n²/2 (n >= 1), with a_n
 *   the cosine coefficients.
 * The target is a callback g (t = cos θ on the sphere, θ on the circle). */
typedef double (*slt_kernels_target_fn)(double x, void *ctx);
SLT_API int slt_kernels_target_power(const slt_kernels_workspace *ws, const slt_kernels_spectrum *s,
                                     slt_kernels_target_fn g, void *ctx, double *power,
                                     double *power_err);

/* Built-in family: power-law Fourier/Gegenbauer spectrum with coefficients ℓ^{-q}
 * (ℓ >= 1; none at ℓ = 0): circle level power n^{-2q}/2; sphere zonal g_ℓ = ℓ^{-q}/N(d,ℓ)
 * — i.e. level power ℓ^{-2q}/N(d,ℓ); torus T², T³: |n|^{-2q}/4 per mode. q > 1/2, and on
 * T², T³ q > dim/2 (otherwise the total power Σ_n |n|^{-2q} is infinite): SLT_EINVAL. */
SLT_API int slt_kernels_target_power_law(const slt_kernels_spectrum *s, double q, double *power,
                                         double *power_err);

/* Default (isotropic, GP-matched) teacher: level power = mult·mu (t_k = λ_k). */
SLT_API int slt_kernels_target_isotropic(const slt_kernels_spectrum *s, double *power,
                                         double *power_err);

/* ---- Target power beyond the computed levels --------------------------------- */

/* The levels stop at lmax; the target goes on. Its power in the modes that are not among
 * the levels (sphere: ℓ > lmax; torus: modes outside the computed set), split by what the
 * kernel does there:
 *   learnable  modes whose eigenvalue is not structurally zero. Their eigenvalues are
 *              below every flattened level (sphere: μ_ℓ decreases; torus: see
 *              slt_kernels_spectrum_compute), so they belong to every tail sum Σ_{j>k} t_j
 *              of the flattened task (slt_kernels_fit_source);
 *   null       structural zeros beyond lmax (null space, unlearnable): even ℓ >= 2 for
 *              arccos0, odd ℓ >= 3 for one-layer ReLU NTK/NNGP, ℓ > p for poly (and
 *              ℓ ≢ p mod 2 when offset = 0). Torus kernels and sphere table kernels have
 *              no structural zeros: null = 0.
 * Each with an absolute error estimate. */
typedef struct {
    double learnable, learnable_err;
    double null, null_err;
} slt_kernels_beyond;

/* Isotropic teacher (t = λ): learnable = k(1) − trace (sphere) or k(0) − trace (torus), the
 * exact trace identity, error trace_err; null = 0. */
SLT_API int slt_kernels_beyond_isotropic(const slt_kernels_spectrum *s, slt_kernels_beyond *b);

/* Power-law target of slt_kernels_target_power_law, in closed form:
 *   sphere  Σ_{ℓ > lmax} ℓ^{-2q}/N(d,ℓ) over each class, summed term by term until the
 *           bracket on the remainder, from ℓ^{d−2}/N(d,ℓ) increasing to (d−2)!/2 and
 *           integral bounds on Σ ℓ^{-(2q+d−2)}, is below 1e-9 of the sum (error = the
 *           bracket + rounding);
 *   torus   ¼ Z_d(q) − Σ_levels power, with Z_d(q) = Σ_{n≠0} |n|^{-2q} (Epstein zeta: ζ for
 *           d = 1, theta-function integral for d = 2, 3), error from the quadrature and
 *           the cancellation. */
SLT_API int slt_kernels_beyond_power_law(const slt_kernels_spectrum *s, double q,
                                         slt_kernels_beyond *b);

/* Target given by a callback (as slt_kernels_target_power, whose per-level power and
 * error are passed in): by Parseval, ‖g‖² − Σ_levels power, on the sphere separately for
 * the even and odd parts of g (P_ℓ(−t) = (−1)^ℓ P_ℓ(t)), so that the null classes are
 * split off. ‖g‖² by Gauss–Legendre rules n and 4n; error = the rules' difference + the
 * per-level errors + cancellation. For poly kernels with lmax < p only a bracket is known:
 * learnable = null = half the rest, each ± half. */
SLT_API int slt_kernels_beyond_target(const slt_kernels_workspace *ws,
                                      const slt_kernels_spectrum *s, slt_kernels_target_fn g,
                                      void *ctx, const double *power, const double *power_err,
                                      slt_kernels_beyond *b);

/* ---- Flattening and the explicit task ---------------------------------------- */

typedef struct {
    size_t level;          /* index into s->levels                                   */
    double k_first, k_last;/* flattened index range (1-based, doubles: may be huge)   */
    double k_mid;          /* N(d+1,ℓ−1)-style midpoint: k_first − 1 + (mult+1)/2     */
} slt_kernels_flat_level;

/* Levels sorted by descending mu (ties by degree), dropping levels with mu <= 0 or
 * |mu| <= mu_err (null space / unresolved). *out has *n entries; free with free().
 * Reentrant (no global state): threads may flatten concurrently. */
SLT_API int slt_kernels_flatten(const slt_kernels_spectrum *s, slt_kernels_flat_level **out,
                                size_t *n);

/* Source exponent from the target power: fits ln T(k) = c − (αβ) ln k + c1/x at the
 * flattened level boundaries k = k_last whose degree x (sphere ℓ, torus |n|) lies in the
 * fit window [fit->lo, fit->hi], where T(k) = Σ_{j>k} t_j is the tail of the whole
 * (infinite) task: the flattened levels after k, plus the power of levels that are not
 * flattened but not structural zeros (unresolved), plus beyond->learnable (required: the
 * power past lmax; without it T is cut off and β comes out far too large).
 * beta = (αβ)/α with α = fit->alpha; beta_err = [2 SE + |drift-corrected − plain slope| +
 * the slope change when the added tail moves by its error + the slope change the per-level
 * errors (power_err, may be NULL) allow]/α + |β| α_err/α.
 * SLT_EINVAL for NULL arguments; SLT_EDOM with fewer than 5 usable boundaries or an
 * infinite tail. */
SLT_API int slt_kernels_fit_source(const slt_kernels_spectrum *s, const double *power,
                                   const double *power_err, const slt_kernels_beyond *beyond,
                                   const slt_kernels_fit *fit, double *beta, double *beta_err);

/* The explicit task: each flattened level expanded into mult modes with λ = mu and
 * t = power/mult (conventions.md §1, degenerate levels), at most max_modes modes in
 * total (levels that do not fit entirely are left out). power NULL: isotropic teacher.
 * *power_left is the power of the COMPUTED levels that is not in the task (null space,
 * unresolved levels, levels past max_modes). It does NOT count the power beyond lmax,
 * which this function does not know: add slt_kernels_beyond_* (learnable + null) for the
 * total left out, as slt_kernels_save does.
 * SLT_EDOM if not even the first level fits. */
SLT_API int slt_kernels_task(const slt_kernels_spectrum *s, const double *power, double noise,
                             size_t max_modes, slt_task **task, double *power_left);

/* Writes the level task of s to a file in the task layer's three-column format
 * (λ_i, the level's total target power P_i, multiplicity m_i; slt_task_read_file reads it):
 * one level per flattened level (slt_kernels_flatten), none cut, however many modes they
 * hold. Header comments name the kernel and the target power left out: that of the
 * computed levels not in the task (null space, unresolved) plus beyond->learnable +
 * beyond->null (the power past lmax), with its error. beyond NULL: computed with
 * slt_kernels_beyond_isotropic when power is NULL; for an explicit power array the header
 * then says plainly that the power beyond lmax is not counted (and *power_left_err is NaN).
 * Outputs (each may be NULL): the levels and modes written, the total power left out and
 * its error. SLT_EDOM when no level is resolved or a degree has 2^53 modes or more (lower
 * lmax); SLT_EIO on a failed write. */
SLT_API int slt_kernels_save(const slt_kernels_spectrum *s, const double *power,
                             const slt_kernels_beyond *beyond, const char *path,
                             size_t *levels_written, double *modes_written, double *power_left,
                             double *power_left_err);

/* ---- The tail beyond lmax (sphere) ------------------------------------------- */

/* The teacher whose power the tail moments and the level task carry, per degree ℓ
 * (P_ℓ = the level's total target power; T_j = Σ_{ℓ>lmax} P_ℓ μ_ℓ^j):
 *   ISOTROPIC   t = μ_ℓ per mode, P_ℓ = N(d,ℓ)·μ_ℓ (the GP-matched teacher); T_0 = M_1 by
 *               the trace identity, T_j = M_{j+1};
 *   KERNEL      t = μ_ℓ² per mode, P_ℓ = N(d,ℓ)·μ_ℓ² (the kernel-expansion teacher
 *               f = Σ_ℓ μ_ℓ Y_ℓ-type, the default of NTK_Learning_Curves); T_j = M_{j+2};
 *   POWER       t = μ_ℓ^p per mode (p = target.p, finite, > 0), P_ℓ = N(d,ℓ)·μ_ℓ^p: source
 *               exponent β = p − 1/α on a spectrum λ_k ~ k^-α (conventions.md §1);
 *               T_j = Σ N μ^{j+p} summed and modelled (or bracketed) as the M_j (exponent j + p;
 *               T_0 = M_1 exactly when p = 1);
 *   GEGENBAUER  coefficients ℓ^{-q} (q = target.q, finite, > 1/2): P_ℓ = ℓ^{-2q}/N(d,ℓ) for
 *               ℓ >= 1, P_0 = 0 (slt_kernels_target_power_law); T_0 in closed form
 *               (slt_kernels_beyond_power_law's learnable), T_j (j >= 1) summed and
 *               modelled (or bracketed) as the M_j with the weight ℓ^{-2q}/N;
 *   ZONAL       f(x) = g(x·e) given by a callback g(t) (target.g, non-NULL; target.ctx is
 *               passed to it): P_ℓ = N(d,ℓ) g_ℓ² (slt_kernels_target_power); beyond lmax only
 *               T_0 is known (Parseval: slt_kernels_beyond_target's learnable); T_j (j >= 1)
 *               is the bracket [0, λ_sup^j (T_0 + err)]: value and error its half;
 *   DEGREES     P_ℓ given for ℓ = 0 … n_degrees − 1 (target.degree_power, each finite and
 *               >= 0; 1 <= n_degrees <= 100001), 0 beyond: T_j are finite sums over
 *               lmax < ℓ < n_degrees (no model), 0 when n_degrees <= lmax + 1.
 * ISOTROPIC, KERNEL and POWER have no power on structural zeros (μ_ℓ = 0); the others put
 * what they have there — at every degree, <= lmax too (a structural zero is no level) —
 * into the tail's null_power (never learned, never dropped). */
typedef enum {
    SLT_KTARGET_ISOTROPIC = 0,
    SLT_KTARGET_KERNEL = 1,
    SLT_KTARGET_POWER = 2,
    SLT_KTARGET_GEGENBAUER = 3,
    SLT_KTARGET_ZONAL = 4,
    SLT_KTARGET_DEGREES = 5
} slt_kernels_target_kind;

typedef struct {
    slt_kernels_target_kind kind;
    double p;                    /* POWER: t = μ^p per mode                              */
    double q;                    /* GEGENBAUER: coefficients ℓ^-q                        */
    slt_kernels_target_fn g;     /* ZONAL: g(t), t = cos θ                               */
    void *ctx;                   /* ZONAL: passed to g                                   */
    const double *degree_power;  /* DEGREES: P_ℓ, ℓ = 0 … n_degrees − 1 (finite, >= 0)  */
    size_t n_degrees;
} slt_kernels_target;

/* A target of the given kind with every other field zero (set p, q, g or degree_power). */
SLT_API slt_kernels_target slt_kernels_target_of(slt_kernels_target_kind kind);

/* How the remainder beyond l_far was bounded (slt_kernels_tail_info.remainder). */
typedef enum {
    SLT_KTAIL_REM_NONE = 0,    /* no degree beyond l_far (a finite expansion, summed whole)   */
    SLT_KTAIL_REM_MODEL = 1,   /* every remainder from the local decay model, clipped to the
                                  model-free bracket where that is tighter                   */
    SLT_KTAIL_REM_BRACKET = 2, /* every remainder is the model-free bracket (no model: the
                                  Gaussian, table kernels, an unresolved far degree, …)      */
    SLT_KTAIL_REM_MIXED = 3    /* the model for some, the bracket for others (the model's
                                  slope margin leaves them unsummable)                       */
} slt_kernels_tail_remainder;

/* How the tail beyond lmax was summed (slt_kernels_tail_moments). */
typedef struct {
    size_t lmax;            /* the spectrum's last degree                                 */
    size_t l_far;           /* degrees lmax < ℓ <= l_far summed one by one (a second
                               spectrum): the last before the first unresolved one; lmax
                               when none is (no cheap far spectrum); 0 when the kernel is a
                               finite expansion that ends at or below lmax                */
    double lambda_sup;      /* the tail's bound on every μ_ℓ, ℓ > lmax: max of the summed
                               degrees' μ + err and lambda_far                              */
    double lambda_far;      /* R_1/N(d, ℓ) bound on μ_ℓ for ℓ > l_far (R_1 = M_1 − the
                               summed degrees' Nμ, + its error); NaN: nothing beyond     */
    slt_kernels_tail_remainder remainder; /* model, bracket, both or none (above)          */
    double slope[2], slope_err[2]; /* decay μ ≈ A ℓ^{-s} of the even (0) and odd (1)
                               degrees at l_far used for the remainder (NaN: no model)   */
    double remainder_rel;   /* max over M_j (j >= 2) and the summed T_j of (remainder
                               beyond l_far, upper end) / moment: its half is in the
                               error (design: <= 1e-6 for M_2 with the model)             */
    double trace_check, trace_check_err; /* k(1) − Σ_{ℓ<=lmax} Nμ − Σ_{lmax<ℓ<=l_far} Nμ
                               − (remainder beyond l_far): 0 within the error             */
    int trace_check_model;  /* 1: the check's remainder is the model's (or there is none):
                               it tests the sums; 0: no model for M_1, the remainder is the
                               bracket [0, R_1] and the check only tests R_1 >= −err      */
    double m1_model, m1_model_err; /* Σ_{ℓ>lmax} Nμ from the sums and the remainder; the
                               tail's M_1 itself is the exact k(1) − Σ_{ℓ<=lmax} Nμ       */
    size_t levels;          /* slt_kernels_level_task: levels in the task (else 0)         */
} slt_kernels_tail_info;

/* The moments of the spectrum beyond the computed degrees (docs/theory/kernels.md,
 * "the tail beyond lmax"), sphere only: for the degrees ℓ > lmax = s->params.lmax of the
 * spectrum s (computed from the parameters p; p supplies the table of a table kernel,
 * every other field must equal s->params),
 *   M_j = Σ_{ℓ>lmax} N(d,ℓ) μ_ℓ^j (j = 1 … n_mom),  T_j = Σ_{ℓ>lmax} P_ℓ μ_ℓ^j
 *   (j = 0 … n_mom − 1, P_ℓ the target's level power: slt_kernels_target),
 * into *tail (tail->n_mom = n_mom, 1 <= n_mom <= SLT_TAIL_MOMENTS; modes = INFINITY, or the
 * tail's finite mode count for a polynomial kernel; null_power = the target's power on the
 * structural zeros of every degree, with its error: 0 for ISOTROPIC, KERNEL, POWER).
 * M_1 is exact: k(1) − Σ_{ℓ<=lmax} N μ_ℓ (the trace identity).
 * M_j (j >= 2) and the summed T_j: where the kernel's far spectrum is cheap (a finite
 * expansion; the ReLU family and Laplace, whose endpoint expansions cover every degree, with
 * at most 300 extra quadrature nodes: Laplace width >= 0.04), a second spectrum to l_far
 * summed degree by degree (per-degree errors propagated) up to the last degree before the
 * first unresolved one, plus the remainder beyond it. Elsewhere (the Gaussian, table
 * kernels: quadrature at every degree) no far spectrum: l_far = lmax. The remainder is one
 * of two brackets (value = the midpoint, error = the half-width):
 *  - the model-free bracket (every μ >= 0: a positive-definite kernel; a table kernel is
 *    taken to be one, its degrees <= lmax are checked): R_1 = M_1 − the
 *    summed degrees' N μ (+ its error) holds every later degree's N μ, so μ_ℓ <= λ_far =
 *    R_1/N(d, l_far+1) (N is non-decreasing in ℓ; |μ| + err where computed) and
 *    Σ N μ^x ∈ [0, λ_far^{x−1} R_1] for x >= 1 (M_j; ISOTROPIC, KERNEL, POWER with j + p >= 1),
 *    GEGENBAUER Σ ℓ^{-2q}/N μ^j ∈ [0, λ_far^j · (its T_0 beyond l_far, closed form)], DEGREES
 *    [0, λ_far^j Σ P_ℓ]; DEGREES T_0 is exact; ZONAL as above with lambda_sup;
 *  - the local decay model, used when every degree to l_far is summed: for each parity
 *    class μ_ℓ ≈ μ_X (X/ℓ)^s, s ± δs with δs = 2·|change of the local slope between
 *    [X/4, X/2] and [X/2, X]|, and the multiplicity bracket
 *    2ℓ^{d−2}/(d−2)! <= N(d,ℓ) <= N(d,X)(ℓ/X)^{d−2} (for N or for 1/N), summed with Hurwitz ζ,
 *    clipped to the model-free bracket where that is tighter (replaced by it where the model
 *    is not summable or contradicts it).
 * info->remainder says which. l_far starts at max(32·(lmax+1), 1024) (DEGREES: at least
 * n_degrees − 1) and, while the model is used, is raised ×4 (up to 100000) until the
 * remainder of M_2 is below 1e-6 of M_2 (POWER, GEGENBAUER: and that of every summed T_j),
 * or (to 16384) while the slope margin alone keeps M_1 or a T_j with j + p < 1 out of the
 * model; a remainder still larger is in the errors (info->remainder_rel), not a failure.
 * lambda_sup = max(the summed degrees' μ + err, λ_far).
 * The trace check (info): the summed N μ plus the model's j = 1 remainder against
 * k(1) − Σ_{ℓ<=lmax} N μ_ℓ; without the model (info->trace_check_model = 0) the remainder is
 * [0, R_1] and the check only tests R_1 >= −its error.
 * info may be NULL.
 * Errors: SLT_EINVAL (NULL, torus, n_mom out of range, p not matching s, a bad target
 * field: the message names it, e.g. "target.p", "target.degree_power[3]"); SLT_ENOCONV
 * (tail and info still filled) when the trace check fails beyond its error (the message
 * names the kernel and lmax); SLT_EDOM (*tail not usable) for a negative eigenvalue, or a
 * POWER target with j + p < 1 whose T_j the model cannot sum (the message naming
 * target.p: t = μ^{1/2} on S⁹, N μ^{1/2} ~ ℓ^3) or where there is no model (no far
 * spectrum, an unresolved far degree); SLT_ENOMEM.
 * Cost: a spectrum to l_far where cheap (ms at l_far ~ 1000, ~0.5 s at 100000), else O(lmax);
 * ZONAL adds two Gauss–Legendre rules of
 * 4(lmax + d) + 512 and 4× as many nodes (~0.4 s at lmax 20, seconds at lmax 400).
 * Thread safety: reentrant (allocates its own workspace; no shared state) if target.g is. */
SLT_API int slt_kernels_tail_moments(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                                     const slt_kernels_target *target, size_t n_mom,
                                     slt_task_tail *tail, slt_kernels_tail_info *info);

/* The level task of the sphere spectrum s with its tail: one level per degree 0 … lmax
 * with λ = μ_ℓ, m = N(d,ℓ), power = the target's level power P_ℓ (slt_kernels_target),
 * sorted by descending μ as slt_kernels_flatten orders them (its per-mode view is the task
 * slt_kernels_task makes with the same power), plus the degrees beyond lmax as the task's
 * moment tail (slt_kernels_tail_moments, n_mom moments; slt_task_alloc_levels_tail), also
 * returned in *tail. Structural zeros are skipped as levels (their target power is in
 * tail->null_power); a degree that is neither resolved nor a structural zero is a failure
 * (SLT_ENOCONV naming it), never dropped. info may be NULL (info->levels = levels).
 * Errors: those of slt_kernels_tail_moments (then *task is NULL: a task is never made
 * without its tail; *tail and info are still filled where that function fills them),
 * SLT_EDOM when a multiplicity reaches SLT_LEVEL_MULT_MAX (lower lmax), SLT_ENOCONV when a
 * ZONAL target's level powers (quadratures, held by the task without error) are resolved
 * to worse than 1e-9 of their sum, SLT_EINVAL (a bad target field, named), SLT_ENOMEM.
 * Thread safety: reentrant (if target.g is). */
SLT_API int slt_kernels_level_task(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                                   const slt_kernels_target *target, double noise, size_t n_mom,
                                   slt_task **task, slt_task_tail *tail,
                                   slt_kernels_tail_info *info);

/* slt_kernels_save with the degrees beyond lmax in the file: the level task of
 * slt_kernels_level_task (sphere; the teacher `target`, n_mom tail moments, noise 0)
 * written by slt_task_write, whose "#%" comment lines carry the moment tail, after header
 * comments naming the kernel and the tail; slt_task_read_file reads the whole spectrum
 * back (nothing beyond lmax left out). Outputs (each may be NULL): the levels written,
 * the modes in them and the tail. Errors: those of slt_kernels_level_task (nothing is
 * written then: SLT_EINVAL for a torus or a bad target, SLT_ENOCONV /
 * SLT_EDOM for a tail that cannot be bounded), SLT_EIO on a failed write.
 * Thread safety: reentrant. */
SLT_API int slt_kernels_save_tail(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                                  const slt_kernels_target *target, size_t n_mom,
                                  const char *path, size_t *levels_written,
                                  double *modes_written, slt_task_tail *tail);

/* The default lmax of a kernel task: the smallest degree L such that the structurally
 * non-zero degrees 0 … L of the sphere S^{d−1} (d = p->dim; slt_kernels_multiplicity,
 * structural zeros as in slt_kernels_beyond) hold at least `modes` eigenfunctions, so that
 * the task's levels cover the modes a learning curve at P ≈ modes/factor resolves and the
 * rest is the tail (slt_kernels_level_task). A polynomial kernel has no eigenvalue beyond
 * degree poly_degree: L is clamped there (then fewer modes may be held). Only p->kernel,
 * domain, dim, poly_degree and offset are read. *held (may be NULL) = the modes held by
 * the degrees 0 … L (a double: exact while < 2^53).
 * Errors: SLT_EINVAL (NULL, torus, dim < 2, modes not finite >= 1); SLT_EDOM when even
 * degree 100000 (the largest lmax) holds fewer modes (*lmax = 100000).
 * Thread safety: reentrant. */
SLT_API int slt_kernels_lmax_for_modes(const slt_kernels_params *p, double modes, size_t *lmax,
                                       double *held);

/* The relative accuracy a kernel task's learning curve is held to: a row whose error bound
 * exceeds this fraction of its value because of the tail is recomputed with a larger lmax
 * (the issue-12 bar for the untruncated curve). */
#define SLT_KERNELS_TASK_REL_ACC 1e-8

/* The default lmax of a kernel task for a learning curve (the CLI's --lmax auto): the
 * levels hold SLT_KERNELS_TASK_MODES_FACTOR × max(P, N finite) modes (ridgeless κ ≈ λ at
 * mode ~P, so the tail's largest eigenvalue is ~64^-α of κ), or
 * SLT_KERNELS_TASK_MODES_DEFAULT modes when neither is finite; a curve whose bound is too
 * wide (SLT_KERNELS_TASK_REL_ACC) is rebuilt with 8× the modes, at most
 * SLT_KERNELS_TASK_RETRIES times; the DMFT also raises lmax until the tail's largest
 * eigenvalue times the largest finite time is <= SLT_KERNELS_TASK_TAIL_TIME. The automatic
 * lmax never exceeds SLT_KERNELS_TASK_LMAX_AUTO (on S¹ and S² the mode rule would ask for
 * degrees whose tail needs l_far beyond the spectrum's limit; the tail's bound covers the
 * rest, and a P the levels cannot reach fails on its own row). */
#define SLT_KERNELS_TASK_MODES_FACTOR 64.0
#define SLT_KERNELS_TASK_MODES_DEFAULT 1e5
#define SLT_KERNELS_TASK_RETRIES 3
#define SLT_KERNELS_TASK_TAIL_TIME 1e-2
#define SLT_KERNELS_TASK_LMAX_AUTO 3000
/* The largest sphere degree a spectrum computes (slt_kernels_params.lmax). */
#define SLT_KERNELS_LMAX_MAX 100000

/* ---- Empirical Gram spectra --------------------------------------------------- */

typedef enum {
    SLT_DATA_SPHERE = 0,  /* uniform on S^{d-1}                                   */
    SLT_DATA_TORUS,       /* uniform on [0, 2π)^d                                 */
    SLT_DATA_GAUSSIAN     /* x ~ N(0, diag(cov)), Gaussian kernel (width σ)       */
} slt_data_kind;

typedef struct {
    size_t n;              /* points, 2..20000                        default 1000 */
    size_t repeats;        /* independent samples, 1..1000            default 1    */
    uint64_t seed;         /* sample r uses a stream seeded from (seed, r) default 1 */
    const double *cov;     /* GAUSSIAN data: covariance spectrum, length dim (NULL: ones) */
} slt_kernels_empirical_params;

SLT_API slt_kernels_empirical_params slt_kernels_empirical_params_default(void);

typedef struct {
    size_t n, repeats;
    double *eig;           /* n eigenvalues of K/n, descending, averaged over repeats   */
    double *eig_se;        /* standard error over repeats (NaN if repeats == 1)          */
    double trace;          /* (1/n) tr K averaged (exact: k on the diagonal)             */
    /* Level comparison: the sorted empirical eigenvalues are cut into blocks of the
     * flattened analytic levels (slt_kernels_flatten order; Gaussian data: the groups of
     * gauss_value), complete blocks within the n eigenvalues only; per block the mean. */
    size_t n_blocks;
    size_t *block_level;   /* index into the spectrum's levels (Gaussian data: into
                              gauss_value/gauss_mult)                                     */
    double *block_mean;    /* mean over the block (then over repeats)                     */
    double *block_se;      /* standard error of block_mean over repeats (NaN if 1)        */
    double *block_first;   /* first flattened index of the block (1-based)                */
    /* Gaussian data: the analytic spectrum (Rasmussen & Williams §4.3.1), flattened and
     * grouped: value and multiplicity, descending; the top n modes at least, enumerated
     * best-first (no truncation), the last group complete. */
    size_t n_gauss;
    double *gauss_value, *gauss_mult;
} slt_kernels_empirical;

/* Samples, forms K (BLAS), eigenvalues of K/n (LAPACKE_dsyevd). For SPHERE/TORUS data
 * `spectrum` (computed on the same workspace) gives the blocks; it may be NULL. GAUSSIAN
 * data needs a Gaussian kernel and fills gauss_* instead. */
SLT_API int slt_kernels_empirical_compute(const slt_kernels_workspace *ws, slt_data_kind data,
                                          const slt_kernels_empirical_params *p,
                                          const slt_kernels_spectrum *spectrum,
                                          slt_kernels_empirical **out);
SLT_API void slt_kernels_empirical_free(slt_kernels_empirical *e); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif
