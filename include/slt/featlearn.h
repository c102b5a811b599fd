/* slt/featlearn.h — the rich (feature-learning) DMFT of Bordelon, Atanasov, Pehlevan
 * (2024b): test loss over training time of the projected-gradient model of
 * docs/theory/featlearn.md §1 (readout w and first layer A trained with strength γ,
 * projector (1/N)A(0)ᵀA(0), output prefactor 1/N, canonical time t).
 *
 * STATUS (first stage, see the header of docs/theory/featlearn.md):
 *   - method ode: N = P = B = ∞, gradient flow, the exact mode equations of
 *     docs/theory/featlearn.md §3 in (v, q, K) form, integrated with SUNDIALS CVODE (BDF,
 *     SPGMR with a block preconditioner). Explicit tasks of at most max_modes distinct
 *     eigenvalues are solved on exact nodes (each eigenspace collapses exactly to one mode
 *     with its total power); power laws at M = ∞ and larger explicit tasks on a spectrum
 *     quadrature (docs/theory/featlearn.md, "spectrum quadrature"): the first 16 (coarse) /
 *     32 (fine) eigenspaces exactly, then groups log-spaced in k, 6 / 12 per decade, two nodes
 *     each, and on a power law one node lumping every mode with λ_k < 1e-10·λ_1; the coarse
 *     set runs at rel_tol, the fine one at rel_tol/16, and their difference (doubled) is the
 *     error estimate; a point where they differ by more than 1 % is SLT_ENOCONV. Tasks with a
 *     moment tail are refused (SLT_EDOM): use isotropic;
 *   - method isotropic: the two-state reduction (τ, q) of §4, an APPROXIMATION (it drops
 *     K − I), valid for any task including M = ∞ power laws (mode sums of the task layer);
 *   - t = ∞ (both methods, any N): the width floor κ_N T₁(κ_N), df(κ_N) = N, the same for
 *     every γ (§5); 0 at N = ∞;
 *   - method march: the discrete-time DMFT of docs/theory/featlearn.md §9 by forward
 *     marching (no iteration): GD with step eta > 0 (population gradient) or online SGD
 *     with batch B, any γ, finite N or N = ∞; on exact nodes for an explicit task of K
 *     distinct eigenvalues with K <= max_nodes and K <= the node count of the two
 *     quadrature sets together (always for K <= 32), otherwise (M = ∞ power laws, larger
 *     explicit tasks) on the spectrum quadrature of method ode, coarse and fine sets
 *     (docs/theory/featlearn.md §9.9; each set at most max_nodes nodes, else SLT_EDOM
 *     naming max_nodes); times round to whole steps (the point's t = ηn); eta = 0
 *     at finite N is gradient flow by Richardson extrapolation over η₀, η₀/2, η₀/4. Finite
 *     P (full-batch GD on P fixed samples, docs/theory/featlearn.md §9.8) adds the
 *     data-side process: `train` is the train loss on the P samples (= test at P = ∞);
 *     t = ∞ with finite P is refused (SLT_EDOM: no static formula). Divergence of the
 *     explicit steps is SLT_EDIVERGE for that point and every later one (NaN), the
 *     message naming the step n, t and eta;
 *   - methods ode and isotropic refuse finite N at finite t, finite P, eta > 0 and batch > 0 with
 *     SLT_EDOM naming the field and pointing to march;
 *   - method auto (the default) resolves to the exact method that fits the request.
 *
 * Error estimates (march): on exact nodes 4x the difference from a second marching with the
 * nodes in reversed order (rounding as the dynamics amplify it) plus 16·eps·(n+1)·(L(0) + L);
 * where that difference passes a quarter of the bound, a third marching (nodes interleaved)
 * and 16x the larger difference; on the quadrature the rounding bound + 2|fine − coarse| +
 * the lumped tail node's bound, SLT_ENOCONV past 1 % between the sets;
 * eta = 0 (Richardson): the difference of the two first-order extrapolations plus that.
 * Error estimates (ode, isotropic): every solve runs CVODE at two tolerances, rel_tol and
 * rel_tol/16 (on a quadrature: the coarse and the fine node set); the finer run is reported
 * and the difference of the two is its error (plus the mode sums' bounds, the lumped tail
 * node's bound, and a rounding floor). A point whose value or estimate is not finite gets
 * SLT_ENOCONV or SLT_ELOSS, its values NaN.
 *
 * Library code: never prints (CVODE's error handler is replaced), returns a status and
 * sets slt_last_error(). */
#ifndef SLT_FEATLEARN_H
#define SLT_FEATLEARN_H

#include "slt/export.h"

#include <stddef.h>

#include "slt/status.h"
#include "slt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the rich DMFT is solved (docs/theory/featlearn.md, status table). Names: "march", "ode",
 * "isotropic", "auto". */
typedef enum {
    SLT_FEATLEARN_MARCH = 0,    /* forward marching of the discrete two-time DMFT (finite N, P,
                                   B; GD/SGD with step eta; eta = 0 at finite N: gradient flow
                                   by Richardson extrapolation η → 0) */
    SLT_FEATLEARN_ODE = 1,      /* N = ∞, P = B = ∞ exact mode equations (§3), CVODE */
    SLT_FEATLEARN_ISOTROPIC = 2,/* two-state isotropic reduction (§4): an approximation */
    SLT_FEATLEARN_AUTO = 3      /* the exact method that fits the request, resolved at alloc:
                                   march when N, P finite, batch > 0 or eta > 0, else ode;
                                   never isotropic. slt_featlearn_resolved_method tells which */
} slt_featlearn_method;

/* "march", "ode", "isotropic", "auto"; NULL for a value that is not one of the enum's. */
SLT_API const char *slt_featlearn_method_to_string(slt_featlearn_method method);
/* SLT_OK, or SLT_EINVAL (leaving *out unchanged) for an unknown or NULL name. */
SLT_API int slt_featlearn_method_from_string(const char *name, slt_featlearn_method *out);
/* 1 for the methods that solve the exact DMFT equations (march, ode, and auto, which
 * resolves to one of them), 0 for the approximation (isotropic) and for unknown values. */
SLT_API int slt_featlearn_method_is_exact(slt_featlearn_method method);

typedef struct {
    double gamma;      /* feature-learning strength γ >= 0 (0 = lazy)            default 0 */
    double N;          /* width, >= 1 (whole) or INFINITY                         default INFINITY */
    double P;          /* training samples (full-batch GD on P fixed samples), >= 1 (whole)
                          or INFINITY (population gradient)                      default INFINITY */
    size_t batch;      /* online SGD batch B (fresh samples every step; needs P = INFINITY and
                          eta > 0, else SLT_EINVAL; method march), or 0 (no SGD) default 0 */
    double eta;        /* GD/SGD step η > 0 (t = ηn; method march), or 0 for gradient flow
                          (at finite N: march, Richardson extrapolation η → 0)  default 0 */
    slt_featlearn_method method; /*                                             default AUTO */
    double rel_tol;    /* CVODE relative tolerance, 1e-12 .. 1e-3                default 1e-9 */
    size_t max_modes;  /* ode: largest explicit task solved on exact nodes (M distinct eigenvalues;
                          M + 1 + M(M+1)/2 states, BDF + SPGMR; 0.5 s at M = 40, 11 s at 200);
                          larger tasks and M = ∞ go through the quadrature, 1 .. 200 default 40 */
    long max_steps;    /* CVODE steps between two requested times, 100 .. 1e9   default 1e6 */
    size_t max_march_steps; /* march: largest number of steps T = t_max/η (time O(K·T³),
                          memory O(K·T²) for K spectral nodes), 1 .. 1e6         default 20000 */
    size_t max_nodes;  /* march: largest number of exact spectral nodes K, and of each
                          quadrature set (M = inf); ode: largest node set of
                          the spectrum quadrature (α = 1.5: 83 and 157 nodes, 4 s to t = 10⁴),
                          1 .. 1e5                                               default 2000 */
    double max_march_work; /* march: largest work K·T³ of one call (summed over its marchings,
                          the finite-P path counted 3.5×; about 0.75 s per 1e9 on the 2-core
                          reference machine), refused with SLT_EDOM above it so that no call
                          runs for hours unannounced, 1e6 .. 1e18          default 4e10 */
} slt_featlearn_params;

SLT_API slt_featlearn_params slt_featlearn_params_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range (also batch > 0
 * without eta > 0 or with P finite); SLT_EDOM naming the field for a value in range that
 * the method does not solve (P finite, eta > 0 or batch > 0 with method ode or isotropic). */
SLT_API int slt_featlearn_params_check(const slt_featlearn_params *p);

/* The accepted range of a numeric field ("gamma", "N", "P", "batch", "eta", "rel_tol",
 * "max_modes", "max_steps", "max_march_steps", "max_nodes", "max_march_work"), the one slt_featlearn_params_check applies; NULL for another
 * name. Thread-safe (an immutable table). */
SLT_API const slt_param_range *slt_featlearn_param_range(const char *field);

typedef struct {
    double t;
    double test, test_err;    /* test loss L(t) = Σ_k λ_k v_k² (clean target) */
    double train, train_err;  /* train loss on the P samples (finite P); = test at P = ∞ */
    double slope, slope_err;  /* local exponent d log L / d log t (NaN at t = 0, ∞, and for
                                 isotropic on a task with a moment tail) */
    double q, q_err;          /* readout norm q(t) = |w|²/N (NaN at t = ∞) */
    double tau;               /* isotropic: effective time τ(t); NaN for ode */
    slt_featlearn_method method; /* the method that computed the point */
    int status;
} slt_featlearn_point;

typedef struct slt_featlearn_workspace slt_featlearn_workspace;

/* The workspace keeps the task (not copied: it must outlive the workspace) and a copy of
 * the parameters. Errors: SLT_EINVAL (NULL, bad params), SLT_EDOM (a case this stage
 * does not solve: march on a task that is not a finite list of at most max_nodes distinct
 * eigenvalues whose quadrature needs more than max_nodes nodes; ode on a task with a moment
 * tail, or whose quadrature needs more than max_nodes nodes — the message names max_modes and max_nodes), SLT_ENOMEM.
 * Thread safety: one workspace per thread; the task may be shared. */
SLT_API int slt_featlearn_alloc(const slt_task *task, const slt_featlearn_params *p,
                                slt_featlearn_workspace **w);
/* The method the workspace solves with (p->method, or what AUTO resolved to); never AUTO. */
SLT_API slt_featlearn_method slt_featlearn_resolved_method(const slt_featlearn_workspace *w);
SLT_API void slt_featlearn_free(slt_featlearn_workspace *w); /* accepts NULL */

/* Losses at n times, nondecreasing, each >= 0 (INFINITY allowed: the width floor).
 * Returns SLT_OK when every point is SLT_OK, else the first failing status with every
 * point filled (failed points NaN, their own status). SLT_EINVAL (NULL, times not
 * nondecreasing or negative or NaN) and SLT_EDOM (finite t with finite N: needs the
 * marching; t = ∞ with finite P: no static formula) before any point is filled. Not thread-safe on the same workspace. */
SLT_API int slt_featlearn_solve(slt_featlearn_workspace *w, const double *times, size_t n,
                                slt_featlearn_point *out);

/* The width floor L_∞(N) = κ_N T₁(κ_N), df(κ_N) = N (0 when N >= M), with a bound on its
 * error (the κ root's and the sum's). The same for every γ (docs/theory/featlearn.md §5).
 * Errors: SLT_EINVAL (NULL, N not >= 1), the task layer's. Thread-safe. */
SLT_API int slt_featlearn_width_floor(const slt_task *task, double N, double *floor,
                                      double *floor_err);

/* ---- Diagnostics (solvers/featlearn/diagnose.c; `slt dmft --gamma ... --diagnose`) ---- */

/* The predicted late-time exponent e of L ∝ t^{-e} at N = P = ∞ for a power-law task
 * (slt_task_power_law gives α, β; the value is slt_exponents_compute's row "time"): at
 * γ > 0 the rich χ(β) = β·max(1, 2/(1+β)), at γ = 0 the lazy β. Errors: SLT_EINVAL (NULL,
 * γ not >= 0), SLT_EDOM for a task that is not a power law (*chi NaN; a truncated power
 * law is explicit). Thread-safe. */
SLT_API int slt_featlearn_chi(const slt_task *task, double gamma, double *chi);

/* L_rich/L_lazy at the same t: the lazy value from the same library at γ = 0 with the
 * same N, P, batch, eta and method (p->method; auto resolves as for the rich solve). */
typedef struct {
    double lazy, lazy_err;   /* L at γ = 0 (test loss) and its error */
    double ratio, ratio_err; /* rich[i].test / lazy, error r·(e_rich/L_rich + e_lazy/L_lazy) */
    int status;              /* SLT_OK; the lazy point's or the rich point's failure; SLT_EDOM
                                where L_lazy = 0 (t = ∞ at N = ∞: 0/0), ratio NaN */
} slt_featlearn_ratio;

/* Solves the lazy curve at times[0..n-1] (nondecreasing, as slt_featlearn_solve) and
 * divides rich[i].test (points of the same times at p->gamma) by it. Returns SLT_OK when
 * every out[i] is SLT_OK or SLT_EDOM (0/0), else the first other failing status with
 * every point filled; SLT_EINVAL (NULL), the errors of slt_featlearn_alloc and
 * slt_featlearn_solve that come before any point is filled. Thread safety: its own
 * workspace; the task may be shared. */
SLT_API int slt_featlearn_lazy_ratio(const slt_task *task, const slt_featlearn_params *p,
                                     const double *times, size_t n,
                                     const slt_featlearn_point *rich, slt_featlearn_ratio *out);

/* The lazy→rich crossover time t_×: the first t in (0, t_max] where γ·q(t) = 1, with
 * q = |w|²/N from slt_featlearn_solve with p. Found by a scan of q on a log grid (8 points
 * a decade from t_max·1e-10 up, and t = 0), then rounds of 32 equal subintervals around
 * the first crossing, and linear interpolation in the last bracket [a, b] (with eta > 0
 * the times are whole steps and the rounds stop at one step; a crossing and recrossing
 * between two scan points, possible only where q is not monotone, is not seen). *t_x_err = (b − a) +
 * q_err/(dq/dt): the bracket plus q's own error moved through the slope. Errors: SLT_EINVAL
 * (NULL, t_max not finite and > 0); SLT_EDOM with *t_x NaN when γ = 0 (no crossover) or
 * γ·q(t) < 1 up to t_max (the message gives γ·q(t_max): the horizon does not reach it);
 * the errors of slt_featlearn_alloc and slt_featlearn_solve. About 5 solves of the curve.
 * Thread safety: its own workspace; the task may be shared. */
SLT_API int slt_featlearn_crossover(const slt_task *task, const slt_featlearn_params *p,
                                    double t_max, double *t_x, double *t_x_err);

#ifdef __cplusplus
}
#endif
#endif
