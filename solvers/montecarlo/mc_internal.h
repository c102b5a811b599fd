/* Private interfaces of the Monte Carlo module (solvers/montecarlo/ only).
 *
 * Files:
 *   params.c    defaults, validation, the M rule, seeds, memory estimate, names
 *   rng.c       GSL random numbers (the only file including GSL's randist/rng headers:
 *               gsl_randist.h pulls in gsl_cblas.h, whose enums clash with OpenBLAS's
 *               cblas.h, so no file includes both)
 *   fit.c       one member of the full-batch models: eigendecomposition and the
 *               closed-form losses at every time
 *   sgd.c       one member of online SGD, by explicit steps
 *   featlearn.c one member of the feature-learning model (population, P samples, online)
 *   sphere.c    the sphere-kernel model (SLT_MC_KERNEL): kernels, target, one trial,
 *               and its explicit-realisation entry points (slt_mc_kernel_*)
 *   run.c       trials, OpenMP, statistics, slt_mc_run
 *   evaluate.c  slt_mc_evaluate (one realisation given explicitly)
 *
 * Units (whitened coordinates): z ~ N(0, I_M) is the raw feature, ψ = Λ^{1/2} z, and
 * s_k = √t_k = Λ^{1/2} w*. A member is described by a map R (n×M) with its features
 * φ = R z ∈ R^n: finite N has R = A Λ^{1/2}/√N (n = N), N = ∞ has R = Λ^{1/2} (n = M,
 * diagonal). The student's function is f = wᵀφ = (Rᵀw)·z, so the test loss is
 * |s − Rᵀw|², and with C = RRᵀ, h0 = R s, S0 = |s|²:  L = S0 − 2 wᵀh0 + wᵀCw. */
#ifndef SLT_MC_INTERNAL_H
#define SLT_MC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <math.h>

#include "slt/mc.h"

/* ---- rng.c ------------------------------------------------------------------------ */
/* Inside the Monte Carlo an infinite size is this size_t; the public API spells it
 * INFINITY in a double (slt/mc.h). mc_size converts a checked public size. */
#define MC_INFINITE ((size_t)-1)
static inline size_t mc_size(double v) { return isinf(v) ? MC_INFINITE : (size_t)v; }

/* Workspace sizes that saturate at SIZE_MAX instead of wrapping (the alloc then fails). */
static inline size_t mc_size_mul(size_t a, size_t b)
{
    return (a != 0 && b > SIZE_MAX / a) ? SIZE_MAX : a * b;
}
static inline size_t mc_size_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}


typedef struct mc_rng mc_rng;
mc_rng *mc_rng_alloc(uint32_t seed);      /* NULL when out of memory */
void mc_rng_free(mc_rng *r);              /* accepts NULL */
void mc_normals(mc_rng *r, double *x, size_t n); /* n standard normals, in order */

/* ---- the learning rule ------------------------------------------------------------ */
typedef enum { MC_FLOW = 0, MC_GD = 1, MC_RIDGE = 2 } mc_rule_kind;

typedef struct {
    mc_rule_kind kind;
    double eta;    /* GD */
    double ridge;  /* RIDGE */
} mc_rule;

/* The spectral factors of one eigen-direction with eigenvalue e after "time" x (flow:
 * t, GD: steps n; both may be INFINITY; ridge ignores x):
 *   psi = the coefficient map, w_j = psi · (Φᵀy/P)_j    (flow: (1 − e^{−et})/e,
 *         GD: (1 − (1 − ηe)^n)/e, ridge: 1/(e + z));
 *   rho = 1 − e·psi, the factor left on the residual    (e^{−et}, (1 − ηe)^n, z/(e+z)),
 * both computed without cancellation. `dropped` marks a direction whose eigenvalue is
 * numerically zero: psi = 0, rho = 1. */
void mc_spectral(const mc_rule *rule, double e, double x, int dropped, double *psi,
                 double *rho);

/* ---- the map R -------------------------------------------------------------------- */
typedef struct {
    size_t n, M;
    const double *dense; /* n×M row-major, or NULL for the diagonal map   */
    const double *diag;  /* M entries √λ_k (n = M) when dense == NULL      */
} mc_rmap;

/* u = Rᵀ w and the test loss |s − u|² over the M modes (sgd.c; the featlearn model's
 * w̃ too). */
double mc_mode_loss(const mc_rmap *R, const double *s, const double *w, double *u);

/* ---- fit.c: one full-batch member --------------------------------------------------- */
/* The k×k eigenproblem of a member (k = min(n, P)) has rank r = min(k, M) exactly when
 * its inputs are generic (random): its k − r smallest eigenvalues are exact zeros and the
 * other r carry signal. The Gram matrix (G, K or C) resolves eigenvalues only down to
 * about max(k, other size)·ε·e_max (forming it squares the condition number); when one
 * of the r is at or below that, the member is solved again from a thin SVD of the
 * feature matrix itself (Φ/√P, or R at P = ∞), which resolves eigenvalues down to
 * (max(rows, cols)·ε)²·e_max. What is still below is dropped (ψ = 0, ρ = 1). */

/* A dropped direction of eigenvalue e <= the threshold is learned by the rule to the
 * fraction 1 − ρ(e, x) = e·ψ(e, x) of its signal by "time" x. When that can exceed this
 * tolerance for one of the r genuine directions, the point is ill-conditioned: its loss
 * would come out too large by up to about that fraction of the signal left in them.
 * docs/theory/montecarlo.md §3. */
#define MC_FIT_DROP_TOL 1e-6

typedef struct {
    mc_rmap R;
    size_t P;            /* samples, or MC_INFINITE (population)                   */
    const double *phi;   /* P×n training features (finite P)                        */
    const double *y;     /* P labels (finite P)                                     */
    const double *s;     /* M: s_k = Λ^{1/2} w*                                      */
    double S0;           /* |s|²                                                     */
    double noise;        /* σ²: train loss at P = ∞                                  */
    int generic;         /* 1: random inputs (slt_mc_run), the rank is min(k, M) and a
                            dropped genuine direction that matters makes the point
                            ill-conditioned (NaN); 0: given inputs (slt_mc_evaluate),
                            whose rank is unknown: directions below resolution are
                            exact zeros (the pseudo-inverse convention)               */
} mc_member;

/* What a fit needs to hold, sized once per run and reused by one thread. */
typedef struct {
    size_t n, P, M, T;   /* features, samples (0 when ∞), modes, times             */
    int dual;            /* eigenproblem on K = ΦΦᵀ/P (P < n)                        */
    int msp;             /* losses through the M-space function (ensembles)        */
    size_t k;            /* eigenproblem size                                      */
    double *vt, *e, *a, *h, *ytil, *Q, *T1, *S, *X, *Cf, *Wn, *Wp, *tn, *tp;
    /* the SVD fallback, allocated on first use (sizes in mc_fit_ws_doubles): a copy of
     * the feature matrix, its singular values, the square factor, and, for the quadratic
     * route, vectors to evaluate the loss in mode space instead */
    double *xs, *sv, *ub, *fw, *fu;
} mc_fit_ws;

/* What one fit did. */
typedef struct {
    size_t rank;         /* r = min(k, M)                                           */
    size_t dropped;      /* directions among the r that were dropped                */
    int svd;             /* 1: solved by the SVD fallback                           */
    double thr;          /* absolute eigenvalue threshold of the dropping           */
} mc_fit_info;

/* 1 when the mode-space route is cheaper than the quadratic form for one member with
 * these sizes (P = 0: population; dense = finite N). */
int mc_fit_prefer_modes(size_t n, size_t P, size_t M, size_t T, int dense);

/* Sizes for one member of a run; returns the number of doubles (for the memory check). */
size_t mc_fit_ws_doubles(size_t n, size_t P, size_t M, size_t T, int msp);
int mc_fit_ws_alloc(mc_fit_ws *w, size_t n, size_t P, size_t M, size_t T, int msp);
void mc_fit_ws_free(mc_fit_ws *w);

/* Failure details of a trial (filled instead of calling slt_error in parallel code). */
typedef struct {
    int status;         /* SLT_OK or the failure                                    */
    int info;           /* LAPACK info                                              */
    size_t member;      /* ensemble member                                          */
    size_t size;        /* matrix size                                              */
    const char *what;   /* "LAPACKE_dsyevd" ...                                     */
    double rcond;       /* sphere kernel: reciprocal condition number of K + PzI    */
} mc_fail;

/* Fits one member and writes, for each of the T times x[i] (flow: t, GD: steps; ridge:
 * ignored):
 *   test[i]  the member's test loss: by the quadratic form S0 − 2hᵀc + cᵀQc when
 *            ws->msp == 0 (or, after the SVD fallback, |s − Rᵀw|² one time at a time);
 *            when ws->msp != 0 through the member's function in mode space,
 *            u(t_i) = Rᵀw(t_i), written to Ue (M×T, row-major), as |s − u(t_i)|²;
 *   train[i] the member's train loss (population: test + σ²).
 * With m->generic, a time at which dropped genuine directions could matter (above) gets
 * test = train = NaN (and a NaN column of Ue) and ill[i] = 1 (ill may be NULL; entries
 * are only ever set, never cleared).
 * *emax receives the largest eigenvalue (GD stability: η·emax < 2); *info what the fit
 * did. Returns SLT_OK or a status with *fail filled; never calls slt_error (thread-safe). */
int mc_fit_member(const mc_member *m, const mc_rule *rule, const double *x, mc_fit_ws *ws,
                  double *test, double *train, double *Ue, double *emax, unsigned char *ill,
                  mc_fit_info *info, mc_fail *fail);

/* ---- sgd.c: one online-SGD member ---------------------------------------------------- */
typedef struct {
    size_t n, M, B, T;
    double *Xq, *tau, *Lt, *Xi, *Xb, *res, *w, *u;
    size_t *order;
} mc_sgd_ws;

/* kernel != 0: N = ∞ (n = M, no sampler). */
size_t mc_sgd_ws_doubles(size_t n, size_t M, size_t B, size_t T, int kernel);
int mc_sgd_ws_alloc(mc_sgd_ws *w, size_t n, size_t M, size_t B, size_t T, int kernel);
void mc_sgd_ws_free(mc_sgd_ws *w);

/* Runs one member of online SGD with batch B and step eta on map R (drawing its batches
 * from rng), noise sigma (standard deviation), and writes at each of the T step counts
 * steps[i]: test[i] = |s − Rᵀw|² and, when Ue != NULL, u = Rᵀw into Ue (M×T).
 * Returns SLT_OK, or a status with *fail filled. *nonfinite is set when the iterate
 * stopped being finite (the remaining points are then NaN). */
int mc_sgd_member(const mc_rmap *R, const double *s, double S0, double sigma, double eta,
                  const double *steps, mc_rng *rng, mc_sgd_ws *ws, double *test,
                  double *Ue, int *nonfinite, mc_fail *fail);

/* ---- featlearn.c: one member of the feature-learning model ---------------------------- */
/* B > 0: online batches of B; B = 0 and P > 0: full-batch GD on P fixed samples; B = 0 and
 * P = 0: the population gradient. Finite N only (R dense). */
typedef struct {
    size_t n, M, B, P, T;
    double *Om, *w, *wt, *g, *tmp, *res, *u, *C, *h0, *Xq, *tau, *Lt, *Xi, *Xb;
    size_t *order;
} mc_fl_ws;

size_t mc_fl_ws_doubles(size_t n, size_t M, size_t B, size_t P, size_t T);
int mc_fl_ws_alloc(mc_fl_ws *w, size_t n, size_t M, size_t B, size_t P, size_t T);
void mc_fl_ws_free(mc_fl_ws *w);

/* Runs one member of the feature-learning model (featlearn.c's header: the updates of
 * docs/theory/montecarlo.md §11.1 in whitened units) with step eta and strength gamma (both
 * in normalised units) on map R, writing at each of the T step counts steps[i]: test[i] =
 * |s − Rᵀw̃|² and train[i] = |y − Φw̃|²/P (fixed samples phi (P×n), y) or test + noise
 * (population, online). Online batches are drawn from rng as in mc_sgd_member. Returns
 * SLT_OK, or a status with *fail filled; *nonfinite is set when the iterate stopped being
 * finite (the remaining points are then NaN). */
int mc_fl_member(const mc_rmap *R, const double *s, double sigma, double noise, double eta,
                 double gamma, const double *phi, const double *y, const double *steps,
                 mc_rng *rng, mc_fl_ws *ws, double *test, double *train, int *nonfinite,
                 mc_fail *fail);

/* ---- sphere.c: the sphere-kernel model ------------------------------------------------ */
/* Smallest accepted reciprocal condition number (LAPACKE_dpocon, 1-norm) of K + PzI: the
 * computed coefficients then carry a relative error of at most about ε/rcond ≈ 2e-5. */
#define MC_SPHERE_RCOND_MIN 1e-11
/* Test points handled per block (the draw order does not depend on it). */
#define MC_SPHERE_BLOCK 128

/* The validated model: kernel constants and the target's amplitudes. */
typedef struct {
    int d;
    slt_mc_kernel_type kernel;
    double inv_w;         /* 1/w (laplace), 1/w² (gaussian)                          */
    int depth;            /* ReLU hidden layers                                       */
    double k1;            /* k(1)                                                     */
    size_t levels;        /* target degrees ℓ = 0 … levels−1                          */
    double amp[SLT_MC_TARGET_LEVELS_MAX]; /* √(p_ℓ N(d,ℓ)): f* = Σ amp_ℓ P_ℓ(x_1)     */
    double power;         /* Σ_ℓ p_ℓ = E f*²                                          */
    double noise, sigma;  /* σ², σ                                                    */
    size_t n_test;
} mc_sphere;

/* SLT_OK or SLT_EINVAL naming the field of s (prefixed by `where`), value and range. */
int mc_sphere_check(const char *where, const slt_mc_sphere *s);
/* Fills m from a checked s. */
void mc_sphere_setup(const slt_mc_sphere *s, mc_sphere *m);
/* k(t) for t ∈ [−1, 1] (clamped); f*(x) at a unit vector x (length d). */
double mc_sphere_kernel(const mc_sphere *m, double t);
double mc_sphere_target(const mc_sphere *m, const double *x);
/* Multiplicity N(d, ℓ) of degree-ℓ harmonics on S^{d−1} (+inf on overflow). */
double mc_sphere_multiplicity(int d, size_t l);

typedef struct {
    size_t P, d;
    double *X, *y, *K, *alpha, *G, *Xt, *ft;
} mc_sphere_ws;

size_t mc_sphere_ws_doubles(size_t P, size_t d);
int mc_sphere_ws_alloc(mc_sphere_ws *w, size_t P, size_t d);
void mc_sphere_ws_free(mc_sphere_ws *w);

/* Gram matrix of n unit vectors X (n×d) into K (n×n, full): dsyrk, then the kernel
 * entrywise, the diagonal exactly k(1). */
void mc_sphere_gram(const mc_sphere *m, size_t n, const double *X, double *K);
/* KRR with ridge z on (X, y): K + PzI in w->K (overwritten by its Cholesky factor),
 * coefficients in w->alpha, *train = P z² |α|² (= (1/P)|y − Kα|², exact). Returns SLT_OK
 * or SLT_ELOSS (K + PzI not positive definite, or rcond < MC_SPHERE_RCOND_MIN) with *fail
 * filled; never calls slt_error. */
int mc_sphere_fit(const mc_sphere *m, double z, size_t P, const double *X, const double *y,
                  mc_sphere_ws *w, double *train, mc_fail *fail);
/* Σ_i (f(x'_i) − f*(x'_i))² over n <= MC_SPHERE_BLOCK test points Xt, for the fit in w
 * (uses w->G, w->ft). */
double mc_sphere_test_block(const mc_sphere *m, size_t P, const double *X, size_t n,
                            const double *Xt, mc_sphere_ws *w);
/* One trial: draws X (P×d), ε (P), then the n_test test points, from rng in that order. */
int mc_sphere_trial(const mc_sphere *m, double z, size_t P, mc_rng *rng, mc_sphere_ws *w,
                    double *test, double *train, mc_fail *fail);
/* Sets slt_error from a failed fit or trial ("<w>: <prefix>…") and returns its status. */
int mc_sphere_fail_message(const char *w, const char *prefix, const mc_fail *f, double z);

/* ---- params.c ------------------------------------------------------------------------- */
/* Builds the rule of p (RF: flow or GD; RIDGE). */
mc_rule mc_rule_of(const slt_mc_params *p);
/* t/η as a whole number of steps (or INFINITY); -1 when t is not a multiple of η. */
double mc_steps_of(double t, double eta);

/* ---- run.c ----------------------------------------------------------------------------- */
/* Doubles one trial of p needs (M modes, T times), saturating at SIZE_MAX. */
size_t mc_trial_doubles(const slt_mc_params *p, size_t M, size_t T);

#endif
