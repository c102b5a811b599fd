/* slt/statics.h — static (converged, end-of-training) learning curves: kernel / linear
 * ridge regression and linear random-feature ridge regression, from their deterministic
 * equivalents; variance- and resolution-limited regimes; the Bahri et al. and
 * Maloney–Roberts–Sully presets; the Boopathy–Fiete scale–time surrogate.
 *
 * Notation and units are canonical (docs/theory/conventions.md §1–§4): eigenvalues
 * λ_k, target power t_k, label noise σ² (all from the task), width N (number of random
 * features; N = ∞ is kernel / linear ridge regression), P samples, ridge z >= 0 on the
 * normalised objective (1/P)Σ_μ(y_μ − f(x_μ))² + z‖w‖². Losses carry no factor ½; the
 * test loss L is the excess error on the clean target (add σ² for noisy test labels).
 *
 * The equations (docs/theory/statics.md, which also lists what was verified and how):
 *   κ (1 − df(κ)/N)(1 − df(κ)/P) = z                               effective ridge κ
 *   q = (1 − D₁/N)/(1 − D₂/N),  γ = (D₁ − q(D₁ − D₂))/P             (D₁ = df, D₂ = df₂ at κ)
 *   L = [q κ²T₂ + (1 − q) κT₁ + σ²γ]/(1 − γ)                        test (excess)
 *   L̂ = (1 − D₁/P)² (L + σ²)                                       train
 * N = ∞ gives q = 1 and kernel ridge regression, L = [κ²T₂ + σ²γ_P]/(1 − γ_P).
 * κ is found by the task layer's slt_task_kappa (slt/task.h): Brent's method on log κ in
 * a bracket that is proven to contain exactly the physical root; every mode sum comes from the task layer
 * (to k = ∞ for power laws) with an error bound, and the bounds are propagated.
 *
 * Every function returns an slt status (slt/status.h) and sets slt_last_error() on
 * failure; nothing prints. A workspace holds a pointer to its task: keep the task alive
 * while the workspace is used. A workspace is read-only during solves, so solves on one
 * workspace may run concurrently. */
#ifndef SLT_STATICS_H
#define SLT_STATICS_H

#include "slt/export.h"

#include <stddef.h>

#include "slt/status.h"
#include "slt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Parameters ----------------------------------------------------------------- */

typedef struct {
    double N;       /* width (random features) > 0, or INFINITY = kernel ridge regression;
                       default INFINITY                                                  */
    double P;       /* training samples > 0, or INFINITY; default 100                    */
    double ridge;   /* z >= 0, finite; default 0 (ridgeless: minimum-norm interpolation) */
    double rel_tol; /* relative tolerance on κ (Brent interval on log κ), in
                       [1e-16, 1e-3]; default 1e-14                                       */
    int max_iter;   /* Brent iteration limit, in [1, 100000]; default 200                */
} slt_statics_params;

SLT_API slt_statics_params slt_statics_params_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range. */
SLT_API int slt_statics_params_check(const slt_statics_params *p);
/* The accepted range of a numeric field of slt_statics_params ("N", "P", "ridge",
 * "rel_tol", "max_iter"), the one slt_statics_params_check applies (N and P accept +∞);
 * NULL for another name. Thread-safe (an immutable table). */
SLT_API const slt_param_range *slt_statics_param_range(const char *field);

/* ---- Workspace ------------------------------------------------------------------ */

typedef struct slt_statics_workspace slt_statics_workspace;

/* Caches the task's noise and number of modes (and, for a power law with amplitudes other
 * than 1, a unit-amplitude copy of the task). SLT_EINVAL for a NULL task or output,
 * SLT_ENOMEM. */
SLT_API int slt_statics_alloc(const slt_task *task, slt_statics_workspace **ws);
SLT_API void slt_statics_free(slt_statics_workspace *ws); /* accepts NULL */
SLT_API const slt_task *slt_statics_task(const slt_statics_workspace *ws);

/* ---- One point (N, P, z) -------------------------------------------------------- */

/* How κ was obtained (the stopping reason, separate from the status). */
typedef enum {
    SLT_STATICS_ROOT_CONVERGED = 0, /* Brent met rel_tol                                   */
    SLT_STATICS_ROOT_EXACT,         /* no root finding: κ = z at N = P = ∞, or κ = 0 when
                                       ridgeless with min(N, P) >= M (spectrum exhausted)  */
    SLT_STATICS_ROOT_MAX_ITER,      /* iteration limit reached: status SLT_ENOCONV         */
    SLT_STATICS_ROOT_FAILED         /* a mode sum failed or the bracket was not found      */
} slt_statics_root;

typedef struct {
    /* the point */
    double N, P, ridge, noise;   /* noise = σ² of the task                            */
    /* effective ridge */
    double kappa, kappa_err;     /* κ and a bound on |κ − κ_exact| (root tolerance and
                                    the effect of the df sum's error on the root)      */
    int iterations;              /* Brent iterations (0 when exact)                    */
    slt_statics_root root;
    /* mode sums at κ (conventions.md §1) with the task layer's error bounds; at κ = 0
       df1 = df2 = M and kt1 = k2t2 = 0 exactly, or a moment tail's null power (its
       target on λ = 0, never learned) */
    double df1, df1_err;         /* D₁ = df(κ); set to min(N, P) exactly when ridgeless */
    double df2, df2_err;         /* D₂ = df₂(κ)                                        */
    double kt1, kt1_err;         /* κ T₁(κ)                                            */
    double k2t2, k2t2_err;       /* κ² T₂(κ)                                           */
    /* derived */
    double q;                    /* (1 − D₁/N)/(1 − D₂/N); 1 at N = ∞                  */
    double gamma;                /* γ = (D₁ − q(D₁ − D₂))/P; γ_P = D₂/P at N = ∞        */
    double one_minus_gamma;      /* 1 − γ = (1 − D₁/P) + q(D₁ − D₂)/P, without cancellation;
                                    0 at the pole                                       */
    double signal;               /* [q κ²T₂ + (1 − q) κT₁]/(1 − γ): the target's part   */
    double noise_part;           /* σ²γ/(1 − γ): the label noise's part of L            */
    double test, test_err;       /* L = signal + noise_part; +INFINITY when divergent  */
    double train, train_err;     /* L̂ on the noisy training labels; 0 at interpolation */
    int status;                  /* SLT_OK; SLT_EDIVERGE at the double-descent pole
                                    (ridgeless N = P < M, or ridgeless P = M with
                                    noise); SLT_ENOCONV; or a mode sum's failure        */
} slt_statics_result;

/* Largest relative error bound of an SLT_OK test loss (not one significant digit beyond
 * it): a point whose bound is larger
 * (within rounding of the N = P pole, where one ulp of N or P moves the loss by that much)
 * is refused with SLT_ELOSS and NaN values. */
#define SLT_STATICS_MAX_REL_ERR 0.1

/* Solves one point. Returns r->status. On SLT_EDIVERGE the result is complete (test =
 * +INFINITY, train = 0) and the message says where the pole is; on other failures the
 * values are NaN. */
SLT_API int slt_statics_solve(const slt_statics_workspace *ws, const slt_statics_params *p,
                              slt_statics_result *r);

/* A learning curve over P at the params' N and ridge: out[i] for P = P_list[i]. Every
 * point is solved (a failed point does not stop the others). Returns SLT_OK when every
 * point is SLT_OK or SLT_EDIVERGE (a divergent point is an answer, reported in its
 * status); otherwise the first other failure. */
SLT_API int slt_statics_curve(const slt_statics_workspace *ws, const slt_statics_params *p, size_t n,
                              const double *P_list, slt_statics_result *out);

/* ---- Per mode ------------------------------------------------------------------- */

typedef struct {
    double learnability; /* λ/(λ + κ): the learned fraction of the mode in the average
                            predictor                                                 */
    double loss_share;   /* E_k = [q κ²/(λ+κ)² + (1 − q) κ/(λ+κ)]/(1 − γ): the test loss
                            per unit target power in this mode, so that
                            L = Σ_k t_k E_k + noise_part (KRR: κ²/((1−γ)(λ+κ)²)); 0 at
                            κ = 0 (ridgeless, min(N, P) >= M modes: every mode fitted
                            exactly), also where the formula is 0/0 (P = M, γ = 1)   */
    double residual;     /* λ E[(w*_k − ŵ_k)²]: the error left in this mode, bias plus
                            variance, t κ²/(λ+κ)² + (λ/(λ+κ))² (L + σ²)/P; kernel ridge
                            regression only (NaN for finite N)                        */
} slt_statics_mode;

/* The mode with eigenvalue lambda > 0 and target power target >= 0, at a solved point
 * (status SLT_OK). SLT_EINVAL otherwise. */
SLT_API int slt_statics_mode_error(const slt_statics_result *r, double lambda, double target,
                                   slt_statics_mode *m);

/* ---- Per level (docs/theory/statics.md §4, "per level") --------------------------
 * On a level task (slt_task_alloc_levels, slt_task_alloc_levels_tail) the test loss splits
 * exactly as
 *   L = Σ_i loss_i + tail + null + noise,
 * loss_i = P_i E(λ_i) the level's share (P_i its total target power, E the per-mode loss
 * share of slt_statics_mode), tail the moment tail's modes (λ > 0), null the target power
 * on λ = 0 (never learned: null_power/(1 − γ)) and noise = σ²γ/(1 − γ). For kernel ridge
 * regression the residuals split L the same way (the noise's part sits in the modes'
 * variance, so its residual is 0). Every part has an error bound: the point's inputs
 * (log κ, D₁, D₂, κT₁, κ²T₂, and N, P when not whole numbers) moved by their effective
 * errors through the same assembly as the test loss (§3), plus the tail sums' bounds. */
typedef struct {
    double learnability, learnability_err; /* λ/(λ + κ)                                  */
    double loss, loss_err;                 /* P_i E(λ_i): the level's share of L         */
    double residual, residual_err;         /* Σ over the level's m modes of the residual
                                              of slt_statics_mode: P a² + m (λ/(λ+κ))²
                                              (L + σ²)/P_samples, a = κ/(λ+κ); kernel ridge
                                              regression only (NaN for finite N)          */
} slt_statics_level;

/* The level (lambda > 0 finite, mult a whole number in [1, SLT_LEVEL_MULT_MAX), power >= 0
 * finite: its total target power) at a solved point r (status SLT_OK). The loss does not
 * depend on mult (it is linear in the level's power); the residual does. Equal, to
 * rounding, to the sum of slt_statics_mode_error over the level's m modes of target
 * power/m. Errors: SLT_EINVAL (NULL, r not SLT_OK, an argument out of range, naming it).
 * Thread safe (reads r only). */
SLT_API int slt_statics_level_error(const slt_statics_result *r, double lambda, double mult,
                                    double power, slt_statics_level *out);

/* What is not a listed level: the moment tail, the null power, the label noise. */
typedef struct {
    double lambda_sup;                       /* the tail's bound on its eigenvalues; NaN
                                                without a tail                            */
    double tail_power;                       /* T₀: the tail's target power (0 without)   */
    double tail_modes;                       /* its number of modes (INFINITY for a kernel) */
    double tail, tail_err;                   /* [q κ²T₂ + (1 − q) κT₁]/(1 − γ) over the
                                                tail's modes (λ > 0), from
                                                slt_task_tail_sum                          */
    double tail_residual, tail_residual_err; /* κ²T₂ + df₂ (L + σ²)/P over the tail (KRR;
                                                NaN for finite N)                          */
    double null_power;                       /* the target power on λ = 0                  */
    double null, null_err;                   /* null_power/(1 − γ)                         */
    double null_residual;                    /* null_power (KRR; NaN for finite N)         */
    double noise, noise_err;                 /* σ²γ/(1 − γ), the result's noise_part       */
} slt_statics_tail_part;

/* The parts of L at a solved point r (status SLT_OK, solved on ws) that are not listed
 * levels; together with slt_statics_level_error over the task's levels they sum to
 * r->test to rounding. A task without a tail has tail = null = 0 exactly. Errors:
 * SLT_EINVAL (NULL, r not SLT_OK, r solved on another task's noise), SLT_EDOM (a power
 * law: its modes are levels k = 1 … ∞, use slt_statics_mode_error), a tail sum's failure. Thread safe (reads ws, r). */
SLT_API int slt_statics_tail_error(const slt_statics_workspace *ws, const slt_statics_result *r,
                                   slt_statics_tail_part *out);

/* ---- Sensitivities, variance-limited coefficients, regimes ---------------------- */

typedef struct {
    double dL_dinvN, dL_dinvN_err; /* ∂L/∂(1/N) along the solution (κ moves with N)   */
    double dL_dinvP, dL_dinvP_err; /* ∂L/∂(1/P)                                        */
    double slope_N, slope_N_err;   /* d log L / d log N = −(1/(N L)) ∂L/∂(1/N)         */
    double slope_P, slope_P_err;   /* d log L / d log P                                */
    int status;                    /* SLT_OK: the derivatives are computed; the slopes
                                      are NaN where L = 0 exactly (ridgeless with the
                                      spectrum exhausted: no log-derivative), the only
                                      NaN an SLT_OK sensitivity holds                   */
} slt_statics_sensitivity;

/* Derivatives of the test loss at a solved point r (status SLT_OK, computed with p).
 * Uses two more mode sums, Σ λ²κ/(λ+κ)³ and Σ t κ²λ/(λ+κ)³. Fails with SLT_EDOM where
 * L is not differentiable in 1/N, 1/P: at a divergent point, and ridgeless at
 * N = P = ∞ with infinitely many modes (κ → 0 non-analytically). */
SLT_API int slt_statics_sensitivity_at(const slt_statics_workspace *ws, const slt_statics_result *r,
                                       slt_statics_sensitivity *s);

typedef enum {
    SLT_STATICS_REGIME_WIDTH_LIMITED = 0, /* variance-limited in P (the 1/P law holds), so
                                             resolution-limited in N: N is the bottleneck */
    SLT_STATICS_REGIME_DATA_LIMITED,      /* variance-limited in N, resolution-limited in P */
    SLT_STATICS_REGIME_CROSSOVER,         /* neither 1/P nor 1/N law holds (e.g. N ≈ P)   */
    SLT_STATICS_REGIME_RIDGE_LIMITED,     /* the ridge floor L(∞, ∞) = z²T₂(z) is at least
                                             half the loss                                */
    SLT_STATICS_REGIME_DIVERGENT,         /* at the pole                                  */
    SLT_STATICS_REGIME_UNKNOWN            /* a solve failed                               */
} slt_statics_regime_kind;

/* "width-limited", "data-limited", "crossover", "ridge-limited", "divergent", "unknown" */
SLT_API const char *slt_statics_regime_name(slt_statics_regime_kind kind);

/* The classification (docs/theory/statics.md §7). With e_P = L − L(N,∞) and
 * e_N = L − L(∞,P), the point is variance-limited in P when the 1/P law holds to within
 * TOL, |e_P − coef_P/P| <= TOL·|e_P|, and ∂L/∂(1/P) at the point has the sign of coef_P
 * (likewise in N). Then: ridge-limited if L(∞,∞) >= FLOOR·L (checked first);
 * width-limited if variance-limited in P only;
 * data-limited if in N only; if in both, the larger excess names the scarcer resource
 * (e_P > e_N: data-limited); crossover otherwise. For ridgeless random features TOL = ¼
 * means max(N,P) >= 4 min(N,P). */
#define SLT_STATICS_REGIME_TOL 0.25
#define SLT_STATICS_REGIME_FLOOR 0.5

typedef struct {
    slt_statics_result point;      /* L(N, P)                                           */
    slt_statics_result width_only; /* L(N, ∞): the P → ∞ limit at this N               */
    slt_statics_result data_only;  /* L(∞, P): the N → ∞ limit at this P (KRR)          */
    slt_statics_result floor;      /* L(∞, ∞) = z²T₂(z) (0 when ridgeless)              */
    /* variance-limited coefficients, from the derivatives of the equations:
       L(N, P) − L(N, ∞) ≈ coef_P/P as P → ∞ at fixed N, and
       L(N, P) − L(∞, P) ≈ coef_N/N as N → ∞ at fixed P.
       NaN when the limit is not approached as 1/P (1/N): e.g. ridgeless KRR in P. */
    double coef_P, coef_P_err;
    double coef_N, coef_N_err;
    /* local exponents at the point (negative when L decreases) */
    slt_statics_sensitivity local;
    /* resolution-limited local exponents: d log L(∞,P)/d log P and d log L(N,∞)/d log N
       (for power laws → −α·min(β,2) and −α·min(β,1) ridgeless); NaN where undefined */
    double res_slope_P, res_slope_P_err;
    double res_slope_N, res_slope_N_err;
    slt_statics_regime_kind regime;
    int status;                    /* the point's status, or the first failure          */
} slt_statics_regime;

/* Four solves (the point and its three limits) and three derivative evaluations.
 * Returns the point's status: at the pole SLT_EDIVERGE with the limits and coefficients
 * still filled, regime = DIVERGENT and NaN local exponents; a failed limit's status
 * otherwise. */
SLT_API int slt_statics_regime_at(const slt_statics_workspace *ws, const slt_statics_params *p,
                                  slt_statics_regime *r);

/* ---- Presets: each paper's model mapped onto the task (docs/theory/statics.md §8) ------- */

/* Bahri et al. teacher–student model: teacher feature spectrum λ_k = A_λ k^{-(1+α_K)}
 * over S teacher features (S = INFINITY, or a whole number 1 … 10^7), isotropic teacher
 * weights with E ω² = omega2, so t_k = omega2·λ_k (GP-matched, β = α_K/(1+α_K)).
 * Their model size P_B is our N and their dataset size D our P. */
SLT_API int slt_statics_task_bahri(double alpha_K, double S, double omega2, double amp_lambda,
                                   double noise, slt_task **task);

/* Maloney–Roberts–Sully: latent spectrum λ_I = λ_+ I^{-(1+α_MRS)}, I = 1 … M (whole
 * number 1 … 10^7), teacher w_I ~ N(0, σ_w²/M), so t_k = (σ_w²/M) λ_k. */
SLT_API int slt_statics_task_maloney(double alpha_MRS, double lambda_plus, double sigma_w2,
                                     double M, double noise, slt_task **task);

/* Their ridge γ_MRS on the unnormalised sum → our z = γ_MRS·M/(T·N·σ_u²), with T = P.
 * N or T = INFINITY gives z = 0. Their loss is assumed to carry no ½ (unconfirmed,
 * conventions.md §6.4): if it does, L_MRS = L/2. */
SLT_API int slt_statics_ridge_maloney(double gamma_MRS, double M, double N, double T,
                                      double sigma_u2, double *z);

/* ---- Boopathy–Fiete scale–time equivalence (docs/theory/statics.md §11) --------------
 * The paper's statement [P]: performance depends on model size p and training time t
 * through p·t, so a large model at time t behaves like a small one at time
 * t·p_large/p_small, with effective scale p = (parameter count)^(scale_exponent)
 * (1/3: the follow-up's heuristic), valid while t_small <= the small model's horizon.
 * Our SURROGATE for the loss itself (not the paper's law): a linear model on the task's
 * features, n = P samples, gradient flow for an effective time τ = c·p·t, evaluated in
 * closed form as ridge regression with z = 1/τ in the kernel deterministic equivalent. */
typedef struct {
    double count_small;    /* parameter count of the small model > 0; default 1e6      */
    double count_large;    /* of the large model > 0; default 1e8                       */
    double scale_exponent; /* p = count^e, e in (0, 1]; default 1/3                     */
    double time_const;     /* c > 0 in τ = c·p·t; default 1 (surrogate constant)        */
    double horizon_small;  /* training time available to the small model > 0, or
                              INFINITY; default INFINITY                                */
} slt_statics_scale_time_params;

SLT_API slt_statics_scale_time_params slt_statics_scale_time_params_default(void);
SLT_API int slt_statics_scale_time_params_check(const slt_statics_scale_time_params *st);
/* The accepted range of a field of slt_statics_scale_time_params ("count_small",
 * "count_large", "scale_exponent", "time_const", "horizon_small"; horizon_small accepts
 * +∞), the one slt_statics_scale_time_params_check applies; NULL for another name.
 * Thread-safe (an immutable table). */
SLT_API const slt_param_range *slt_statics_scale_time_param_range(const char *field);

typedef struct {
    /* the paper's statement */
    double t;            /* the large model's training time                              */
    double t_small;      /* the equivalent time of the small model, t·p_large/p_small   */
    int within_horizon;  /* t_small <= horizon_small                                    */
    /* our surrogate */
    double tau;          /* c·p_large·t                                                 */
    double loss, loss_err; /* predicted test loss (excess) of the large model at t,
                              = the small model's at t_small                            */
    double signal, noise_part;
    slt_statics_result krr; /* the underlying solve (N = ∞, P, z = 1/τ)                  */
    int status;
} slt_statics_scale_time;

/* The prediction at one time t > 0 (finite) with P samples (the data volume n). */
SLT_API int slt_statics_scale_time_at(const slt_statics_workspace *ws,
                                      const slt_statics_scale_time_params *st, double P, double t,
                                      slt_statics_scale_time *r);

#ifdef __cplusplus
}
#endif
#endif
