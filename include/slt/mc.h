/* slt/mc.h — the Monte Carlo referee: exact simulation of the linear random-feature
 * model and its relatives on Gaussian features, trial by trial.
 *
 * Everything is in canonical units (docs/theory/conventions.md §1–§4; the model is
 * docs/theory/montecarlo.md §1):
 *   features   ψ = Λ^{1/2} z, z ~ N(0, I_M), Λ = diag(λ_1 … λ_M): the task's spectrum
 *              truncated at M modes (the missing target mass Σ_{k>M} t_k is reported);
 *   teacher    w*_k = +√(t_k/λ_k) (signs +1: with Gaussian z the distribution of every
 *              loss depends on t_k only); training labels y = w*·ψ + σε, σ² = task noise;
 *   student    f(x) = (1/√N) wᵀAψ(x), A ∈ R^{N×M} with A_ik ~ N(0,1), w(0) = 0;
 *              N = ∞ is the kernel limit F = AᵀA/N → I, i.e. f = uᵀψ with u ∈ R^M;
 *   losses     test  L = E_x[(f − f*)²] against the clean target, no ½ (= Σ_k λ_k v_k²);
 *              train L̂ = (1/P) Σ_μ (f(x_μ) − y_μ)² against the noisy labels, no ½;
 *   training   gradient flow on L̂/2 in canonical time t (dv/dt = −(AᵀA/N)Σ̂v), discrete
 *              GD with step η (t = ηn), ridge regression at convergence with ridge z on
 *              (1/P)Σ(y − f)² + z|w|², or online SGD (fresh batch of B, batch-mean
 *              gradient, t = ηn).
 * Full-batch models are solved exactly from ONE symmetric eigendecomposition per member
 * (N×N or P×P, whichever is smaller); the test loss is exact over the M modes. The
 * formulas are in docs/theory/montecarlo.md.
 *
 * Randomness: trial i (i = first_trial, first_trial + 1, …) draws everything from its
 * own GSL mt19937 stream seeded with slt_mc_trial_seed(seed, i), so results are
 * bit-identical for any number of threads and can be split across processes by
 * first_trial. Every quantity is reported as mean, standard error and trial count.
 *
 * SLT_MC_FEATLEARN is the feature-learning model written out in docs/theory/montecarlo.md
 * §11.1 (student (1/N)wᵀA(n)ψ, the rich DMFT's normalisation).
 *
 * SLT_MC_KERNEL leaves Gaussian features behind: real kernels on sampled sphere points
 * (slt_mc_sphere), so the Gaussian-feature assumption of the theories is itself tested.
 *
 * This module is the independent referee: it uses the task layer and the libraries
 * only, never another solver's code. */
#ifndef SLT_MC_H
#define SLT_MC_H

#include "slt/export.h"

#include <stddef.h>
#include <stdint.h>

#include "slt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes N and P are doubles holding a whole number, or INFINITY for an infinite size
 * (N = ∞: kernel limit; P = ∞: population / online data), as in slt/dmft.h and
 * slt/statics.h. */

/* Default number of modes M for power-law tasks: max(SLT_MC_MODES_FACTOR · the largest
 * finite size among N and P, SLT_MC_MODES_MIN). With N = P = ∞ (no finite size) the
 * full-batch models need no matrices and use SLT_MC_MODES_NO_SIZE modes; online SGD at
 * N = ∞ (which samples M-dimensional features every step) uses SLT_MC_MODES_SGD_KERNEL.
 * Explicit tasks use all their modes unless M is given. */
#define SLT_MC_MODES_FACTOR 10
#define SLT_MC_MODES_MIN 1000
#define SLT_MC_MODES_NO_SIZE 1000000
#define SLT_MC_MODES_SGD_KERNEL 10000

typedef enum {
    SLT_MC_RF = 0,    /* random-feature model: gradient flow (eta = 0) or discrete GD
                         (eta > 0) at the requested times; N = ∞ is kernel gradient flow */
    SLT_MC_RIDGE = 1, /* ridge regression at convergence with ridge z >= 0 (z = 0: the
                         minimum-norm least-squares solution); N = ∞ is kernel ridge
                         regression (KRR) */
    SLT_MC_SGD = 2,   /* online SGD with batch B and step eta, P = ∞ (fresh data) */
    SLT_MC_KERNEL = 3, /* kernel ridge regression with a real dot-product kernel on points
                         drawn uniformly on the sphere S^{d-1}, a target with known
                         per-degree power (slt_mc_sphere below); no Gaussian features */
    SLT_MC_FEATLEARN = 4 /* the feature-learning model (docs/theory/montecarlo.md §11.1):
                         f = (1/N) wᵀA(n)ψ, step eta > 0 on w and, with strength gamma, on
                         A through the projector (1/N)A(0)ᵀA(0); finite N only. Data:
                         P finite (full-batch GD on P fixed samples, batch = 1), or P =
                         INFINITY with batch = 0 (the population gradient, B = ∞) or
                         batch = B >= 1 (online, a fresh batch every step). gamma = 0 is
                         the lazy model (rf's GD, sgd's SGD) step by step. No ensembles.
                         docs/theory/montecarlo.md §11 */
} slt_mc_model;

/* How the full-batch models evaluate the test loss (docs/theory/montecarlo.md §3); the
 * two routes are algebraically equal, so this only trades speed and rounding. */
typedef enum {
    SLT_MC_ROUTE_AUTO = 0,      /* the cheaper of the two for the sizes (ensembles: modes) */
    SLT_MC_ROUTE_QUADRATIC = 1, /* L = S0 − 2hᵀc + cᵀQc with Q precomputed: O(Mn² + n³)
                                   once, O(n²) per time; E = 1 only                      */
    SLT_MC_ROUTE_MODES = 2      /* u = Rᵀw(t) in mode space, L = |s − u|²: O(T·Mn),
                                   free of cancellation                                  */
} slt_mc_route;

/* ---- The sphere-kernel model (SLT_MC_KERNEL; docs/theory/montecarlo.md §10) ----------
 * Data x uniform on S^{d-1} (normalised Gaussian vectors; uniform probability measure, as
 * docs/theory/conventions.md §10). The kernels are evaluated from their closed forms in
 * this module (not by the kernel-spectra solver), with t = x·x':
 *   gaussian   exp(−‖x−x'‖²/(2w²)) = exp((t − 1)/w²)         k(1) = 1
 *   laplace    exp(−‖x−x'‖/w)      = exp(−√(2 − 2t)/w)       k(1) = 1
 *   relu-ntk   Θ^(L)(t) of the normalised arc-cosine recursion (σ_w² = 2, no bias; kernels.md
 *              §2): Θ^(0) = Σ^(0) = t, Σ^(l) = a1(Σ^(l−1)), Θ^(l) = Θ^(l−1) a0(Σ^(l−1)) + Σ^(l),
 *              a0(u) = 1 − arccos(u)/π, a1(u) = [√(1−u²) + u(π − arccos u)]/π;  k(1) = L + 1
 *   relu-nngp  Σ^(L)(t)                                          k(1) = 1
 * the same normalisations as slt/kernels.h, so slt_kernels_spectrum_compute gives their
 * per-eigenfunction eigenvalues μ_ℓ.
 * Target: the zonal function f*(x) = Σ_ℓ √(p_ℓ N(d,ℓ)) P_ℓ(x·e₁), ℓ = 0 … n−1, with P_ℓ the
 * normalised Gegenbauer polynomial (P_ℓ(1) = 1) and N(d,ℓ) the multiplicity of degree ℓ.
 * Since ‖P_ℓ(x·e₁)‖² = 1/N(d,ℓ), p_ℓ is exactly the target power in degree ℓ (the level
 * power of conventions.md §1: spread evenly, t = p_ℓ/N(d,ℓ) per eigenfunction), and
 * E_x f*² = Σ_ℓ p_ℓ. By rotation invariance the expected losses depend on the target
 * only through the p_ℓ, so this zonal target stands for every target with those powers.
 * Labels y = f*(x) + σε. Predictor f = k(·,X)(K + PzI)^{-1} y: the minimiser of
 * (1/P)Σ(y − f)² + z‖f‖²_H (z = p.ridge; z = 0 interpolates). Test loss against the clean
 * target on n_test fresh uniform points per trial (an unbiased estimate; its sampling
 * noise is part of the trial-to-trial spread, hence of the SE); train loss on the training
 * points against the noisy labels. */
typedef enum {
    SLT_MC_KERNEL_GAUSSIAN = 0,  /* exp((t − 1)/w²)                                  */
    SLT_MC_KERNEL_LAPLACE = 1,   /* exp(−√(2 − 2t)/w)                                */
    SLT_MC_KERNEL_RELU_NTK = 2,  /* ReLU NTK Θ^(L), L = depth hidden layers          */
    SLT_MC_KERNEL_RELU_NNGP = 3  /* ReLU NNGP Σ^(L)                                  */
} slt_mc_kernel_type;

/* Largest number of target degrees (ℓ = 0 … 200). */
#define SLT_MC_TARGET_LEVELS_MAX 201

typedef struct {
    int dim;                     /* ambient dimension d, 2 <= d <= 1000      default 3 */
    slt_mc_kernel_type kernel;   /*                                   default GAUSSIAN */
    double width;                /* w > 0 for gaussian and laplace; must be 1 for the
                                    ReLU kernels                             default 1 */
    int depth;                   /* hidden layers L, 1 <= L <= 64, ReLU kernels; must
                                    be 1 for gaussian and laplace            default 1 */
    const double *target_power;  /* p_ℓ >= 0 for ℓ = 0 … target_levels−1, with
                                    Σ_ℓ √(p_ℓ N(d,ℓ)) <= 1e150 (a bound on |f*|; not
                                    copied: keep it alive during the call), or NULL with
                                    target_levels = 0: the default target
                                    p_1 = p_2 = 1/2 (E f*² = 1)           default NULL */
    size_t target_levels;        /* 1 … SLT_MC_TARGET_LEVELS_MAX, or 0 with NULL
                                                                             default 0 */
    double noise;                /* label-noise variance σ² >= 0             default 0 */
    size_t n_test;               /* test points per trial, 1 … 2^31 − 1   default 2000 */
} slt_mc_sphere;

typedef struct {
    slt_mc_model model;  /* default SLT_MC_RF                                           */
    double N;            /* width: whole N >= 1, or INFINITY               default 100  */
    double P;            /* samples: whole P >= 1, or INFINITY (rf, ridge); online SGD
                            needs INFINITY                                 default 100  */
    size_t M;            /* modes; 0 = the default rule above              default 0    */
    double eta;          /* rf: 0 = gradient flow, > 0 = discrete GD step; sgd and
                            featlearn: step > 0; ridge: must be 0          default 0    */
    double ridge;        /* ridge z >= 0, model ridge only                 default 0    */
    size_t batch;        /* SGD batch B >= 1; featlearn at P = INFINITY: B >= 1 online,
                            0 = the population gradient (B = ∞); other models and
                            featlearn at finite P: must be 1               default 1    */
    double gamma;        /* featlearn: richness γ >= 0 (0 = lazy); other models: must be
                            0                                              default 0    */
    size_t ensemble;     /* members E >= 1                                 default 1    */
    slt_share share;  /* default SLT_SHARE_NONE                                   */
    size_t trials;       /* trials >= 1                                    default 100  */
    size_t first_trial;  /* index of the first trial (splitting a run)     default 0    */
    uint64_t seed;       /* any value                                      default 1    */
    int threads;         /* OpenMP threads; 0 = OpenMP's default           default 0    */
    slt_mc_route route;  /* test-loss route of rf/ridge; sgd uses modes    default AUTO */
    slt_mc_sphere sphere; /* model kernel only (read by no other model); there N must be
                            INFINITY, M = 0, eta = 0, ensemble = 1, route AUTO,
                            and the task argument NULL: the kernel, the target and σ²
                            are all given here                                       */
} slt_mc_params;

SLT_API slt_mc_params slt_mc_params_default(void);

/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range, including
 * combinations (e.g. batch != 1 without model sgd, share = data for sgd ensembles,
 * route = quadratic with an ensemble or with sgd, N finite with model kernel). The
 * sphere fields are checked with model kernel only. */
SLT_API int slt_mc_params_check(const slt_mc_params *p);

/* The number of modes a run of p on task uses (the default rule, or p->M checked
 * against the task). SLT_EINVAL if p->M exceeds an explicit task's modes or N, P are not
 * sizes; SLT_EDOM for a task with a moment tail (slt_task_alloc_levels_tail: its
 * eigenvalues beyond the levels are not known one by one, so it cannot be simulated).
 * Model kernel simulates no modes: *M = 0 (task is not read and may be NULL). */
SLT_API int slt_mc_modes(const slt_task *task, const slt_mc_params *p, size_t *M);

/* Everything slt_mc_run checks before it starts: the parameters, M against the task,
 * the times (finite-time models: t >= 0; gradient flow may use t = ∞; GD and SGD need
 * t = ηn for a whole n, within 1e-9 relative; ridge and kernel take no times), the task
 * (model kernel: task must be NULL), and the memory one trial needs (SLT_ENOMEM when the
 * threads' trials would exceed physical memory). */
SLT_API int slt_mc_check(const slt_task *task, const slt_mc_params *p, const double *times,
                         size_t n_times);

/* ---- Results -------------------------------------------------------------------- */

typedef struct {
    double mean;   /* mean over trials                                                */
    double se;     /* standard error: sample standard deviation (n − 1) / √n;
                      NaN when n < 2                                                  */
    size_t trials; /* n, the number of trials in the mean                            */
} slt_mc_stat;

typedef struct {
    double t;                /* canonical time; INFINITY for ridge and converged flow */
    double steps;            /* n = t/η for GD and SGD; NaN for gradient flow, ridge  */
    slt_mc_stat test;        /* test loss of the (ensemble-averaged) predictor         */
    slt_mc_stat train;       /* train loss against the noisy labels; for E > 1 the
                                mean of the members' own train losses; at P = ∞ and for
                                online SGD the population value L_member + σ²          */
    slt_mc_stat member_test; /* mean test loss of single members (= test when E = 1)   */
    size_t ill_trials;       /* trials whose value here is beyond double precision (see
                                dropped_max below): when > 0, test, train, member_test
                                and their trials' values are NaN, never a number        */
} slt_mc_point;

typedef struct {
    slt_mc_params params;   /* the parameters of the run, with M resolved (model
                               kernel: sphere.target_power is the caller's pointer)     */
    size_t M;               /* modes simulated (model kernel: 0, no modes)            */
    double head_mass;       /* Σ_{k<=M} t_k: the simulated L(0) (kernel: Σ_ℓ p_ℓ)      */
    double tail_mass;       /* Σ_{k>M} t_k, the target power beyond the M modes (kernel:
                               0, the target has finitely many degrees). Not a bound on
                               the truncation's effect on the loss: for α near 1 the
                               missing modes also act as an effective ridge, and the
                               loss can move by many times this (compare a theory on the
                               same truncated task, docs/theory/crosscheck.md)          */
    double tail_mass_err;   /* bound on the error of tail_mass                        */
    double noise;           /* σ²                                                     */
    size_t n_points;        /* = n_times, or 1 for ridge (t = ∞)                       */
    slt_mc_point *points;
    size_t trials;          /* = params.trials                                        */
    double *trial_test;     /* trials × n_points, row-major: the per-trial values     */
    double *trial_train;    /* trials × n_points                                      */
    size_t unstable_trials; /* GD: trials with η·g_max >= 2 (no convergence); SGD and
                               featlearn: trials whose loss became non-finite         */
    size_t rank;            /* min(N, P, M) over the finite sizes: the rank of each full-
                               batch member's eigenproblem, the directions that carry
                               signal (kernel: 0)                                     */
    size_t dropped_max;     /* the most of those directions one member had to drop as
                               numerically zero (eigenvalue below (max(rows, cols)·ε)²
                               ·e_max even by SVD; docs/theory/montecarlo.md §3). Where
                               the rule would have learned more than 1e-6 of such a
                               direction's signal (t·e or e/z not small; always at t = ∞
                               or z = 0) the point is NaN with ill_trials > 0; elsewhere
                               the drop is harmless. 0 for sgd (its sampler drops
                               nothing) and for N = P = ∞                             */
    size_t svd_members;     /* full-batch members (over trials and ensembles) whose Gram
                               matrix could not resolve every one of the rank's
                               directions (a steep spectrum) and that were solved by SVD
                               of the feature matrix instead (slower, same result)     */
    double seconds;         /* wall-clock time of the run                             */
} slt_mc_result;

/* Runs p->trials trials of p->model on the task at the given times and allocates
 * *result (free with slt_mc_result_free). Returns SLT_OK; the statuses of
 * slt_mc_check; or, if any trial fails (SLT_ENOCONV: an eigensolver did not converge,
 * SLT_ELOSS: model kernel's K + PzI is not positive definite, or too ill-conditioned,
 * in double precision — e.g. z = 0 with a Gaussian kernel at large P; SLT_ENOMEM), that
 * status with a message naming the first failed trial, and *result = NULL — never an
 * average over fewer trials. Model kernel: task = NULL, times = NULL, n_times = 0; one
 * point (t = ∞).
 *
 * Threads: trials run in parallel with OpenMP (p->threads); each trial runs BLAS/LAPACK
 * single-threaded, so this call sets OpenBLAS to one thread while it runs and restores
 * the previous setting afterwards. Do not run it concurrently with other OpenBLAS work
 * that needs its own thread count. */
SLT_API int slt_mc_run(const slt_task *task, const slt_mc_params *p, const double *times,
                       size_t n_times, slt_mc_result **result);

SLT_API void slt_mc_result_free(slt_mc_result *result); /* accepts NULL */

/* ---- One realisation given explicitly (the deterministic core of rf and ridge) ----
 * With every random input fixed, the losses are deterministic; this is the function a
 * trial of SLT_MC_RF / SLT_MC_RIDGE calls after drawing them. Arrays are row-major. */
typedef struct {
    double N;             /* width (whole), or INFINITY (then A is unused: f = uᵀψ)  */
    double P;             /* samples (whole), or INFINITY (population: psi, y unused) */
    size_t M;             /* modes >= 1                                              */
    const double *lambda; /* M eigenvalues λ_k > 0                                   */
    const double *wstar;  /* M teacher weights w*_k                                  */
    const double *A;      /* N×M projection (finite N)                               */
    const double *psi;    /* P×M training features ψ(x_μ) (finite P)                 */
    const double *y;      /* P training labels (finite P)                            */
    double noise;         /* σ², used only for the train loss at P = ∞               */
} slt_mc_realisation;

/* Test and train loss of the realisation under p->model (SLT_MC_RF with p->eta, or
 * SLT_MC_RIDGE with p->ridge; p->N, p->P, p->M, trials, seed, ensemble and threads are
 * ignored) at the n_times times (ridge: n_times = 0 and one value is written).
 * The given data may be rank-deficient, so directions below double's resolution (as in
 * slt_mc_result.dropped_max) are taken as exact zeros here (the pseudo-inverse
 * convention) rather than reported as NaN.
 * SLT_EINVAL for bad sizes, values or times; SLT_ENOCONV if the eigensolver fails. */
SLT_API int slt_mc_evaluate(const slt_mc_params *p, const slt_mc_realisation *r,
                            const double *times, size_t n_times, double *test, double *train);

/* ---- The sphere-kernel model, one realisation given explicitly --------------------
 * The deterministic core of a SLT_MC_KERNEL trial. Points are rows of row-major arrays
 * with d = p->sphere.dim columns and must be unit vectors (|‖x‖ − 1| <= 1e-12). */

/* Gram matrix K_ij = k(x_i·x_j) (n×n, full, row-major) of the kernel of s, with the
 * diagonal exactly k(1) and x_i·x_j clamped to [−1, 1]. SLT_EINVAL for a bad s or a
 * point off the sphere. */
SLT_API int slt_mc_kernel_gram(const slt_mc_sphere *s, size_t n, const double *X, double *K);

/* The target f*(x_i) of s at n points. */
SLT_API int slt_mc_kernel_target(const slt_mc_sphere *s, size_t n, const double *X, double *f);

/* Kernel ridge regression with ridge p->ridge (p->model must be SLT_MC_KERNEL; the kernel
 * and target are p->sphere's, p->sphere.n_test and .noise are not used) on P training
 * points X with labels y: writes *test = (1/n_test) Σ_i (f(x'_i) − f*(x'_i))² over the
 * n_test rows of X_test, and *train = (1/P) Σ_μ (f(x_μ) − y_μ)². The statuses of
 * slt_mc_run's kernel trials (SLT_ELOSS for an unusable Gram matrix). */
SLT_API int slt_mc_kernel_evaluate(const slt_mc_params *p, size_t P, const double *X,
                                   const double *y, size_t n_test, const double *X_test,
                                   double *test, double *train);

/* ---- Small helpers -------------------------------------------------------------- */

/* The 32-bit seed of trial `trial`'s stream: distinct for distinct trials of one seed
 * (trial < 2^32 − 1) and never 0 (gsl_rng_set maps 0 to 4357). */
SLT_API uint32_t slt_mc_trial_seed(uint64_t seed, uint64_t trial);

/* "rf", "ridge", "sgd", "kernel", "featlearn" */
SLT_API const char *slt_mc_model_name(slt_mc_model model);
/* "gaussian", "laplace", "relu-ntk", "relu-nngp" (the names of slt/kernels.h) */
SLT_API const char *slt_mc_kernel_name(slt_mc_kernel_type kernel);

#ifdef __cplusplus
}
#endif
#endif
