/* slt/dmft.h — DMFT of the lazy random-feature model (Bordelon, Atanasov, Pehlevan 2024a):
 * test and train loss over training time at width N and data P (either may be ∞).
 *
 * Model (the one the Monte Carlo referee simulates, docs/theory/montecarlo.md §1):
 * Gaussian features with the task's spectrum, a fixed random projection A (N × M),
 * readout trained by gradient flow on L̂/2 from zero, canonical time t
 * (docs/theory/conventions.md §4). The solver works in the Laplace domain: the effective
 * ridge κ(z) solves the master equation κ(1 − df(κ)/N)(1 − df(κ)/P) = z on a fixed
 * Talbot contour (continued by Newton from the positive real axis), the test loss comes
 * from the two-frequency 2×2 system and a 2-D inverse transform, the train loss from its
 * exact 1-D reduction 𝒯(2t). Every mode sum runs to k = ∞ for power-law tasks (task
 * layer).
 * Error estimates: the difference between two Talbot node counts plus the rounding that
 * the contour amplifies. Equations as implemented: docs/theory/dmft.md.
 *
 * Variants: full-batch GD with step η (eta > 0); online SGD with batch B and step η
 * (batch > 0, P = ∞: the discrete Volterra equation of docs/theory/dmft.md §7, inverted
 * through its generating function); heavy-ball momentum in continuous form,
 * μv̈ + v̇ = −∇ (momentum > 0: everything at ζ = z + μz², docs/theory/dmft.md §8), or
 * with steps (eta > 0 and momentum = β: ζ = (s − 1)(s − β)/(ηs), docs/theory/dmft.md
 * §12). */
#ifndef SLT_DMFT_H
#define SLT_DMFT_H

#include "slt/export.h"

#include <stddef.h>

#include "slt/status.h"
#include "slt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How online SGD treats the batch noise (docs/theory/dmft.md §7). Gaussian features make
 * the per-step mean-square factor of a mode of S with eigenvalue u equal to
 * 1 − 2ηu + (1 + 1/B)η²u² exactly; the M → ∞ DMFT limit drops the 1/B part,
 * (1 − ηu)². Both keep the batch-noise kernel (η²/B)·tr[S²(…)^j]·(L + σ²). */
typedef enum {
    SLT_DMFT_SGD_GAUSSIAN = 0, /* exact for Gaussian features (what the Monte Carlo simulates) */
    SLT_DMFT_SGD_LIMIT         /* the DMFT limit (docs/theory/dmft.md §7): (1 − ηu)² */
} slt_dmft_sgd_form;

/* Which contour inverts the transforms (docs/theory/dmft.md §3, §11). */
typedef enum {
    SLT_DMFT_CONTOUR_AUTO = 0, /* Talbot where it is exact, the ellipse where it is not */
    SLT_DMFT_CONTOUR_ELLIPSE   /* the ellipse around the whole spectrum at every finite t > 0:
                                  an independent check of the Talbot values; its node count
                                  grows like √(t·u_max), so late times cost more (SLT_ENOCONV
                                  beyond 8192 nodes) */
} slt_dmft_contour;

typedef struct {
    double N;            /* width, >= 1 or INFINITY                        default INFINITY */
    double P;            /* training samples, >= 1 or INFINITY             default INFINITY */
    double ensemble;     /* E members averaged: whole E >= 1, or INFINITY  default 1 */
    slt_share share;/* what the members share                         default DATA */
    int nodes;           /* Talbot nodes of the 2-D inversion, 10 .. 32   default 16;
                            1-D inversions use nodes + 8. Rounding grows like e^{0.8·nodes}
                            in 2-D (e^{0.4·nodes} in 1-D) while truncation falls like
                            10^{-0.6·nodes}: 16 and 24 balance them in double precision
                            (measured: 1.5e-11 and 7e-12 relative, docs/theory/dmft.md) */
    double rel_tol;      /* Newton tolerance on κ, relative                default 1e-14 */
    int max_newton;      /* Newton iterations per node                     default 60 */
    double eta;          /* full-batch GD step η > 0, or 0 for gradient flow default 0.
                            Time is t = ηn: requested times are rounded to whole steps
                            and each point reports t = ηn. Needs η·u_max < 2, u_max the
                            top of the spectrum of K (reported by slt_dmft_spectrum_edge);
                            η·u_max >= 2 diverges (SLT_EDOM, "unstable"). Modes with
                            η·u > 1 oscillate; as η·u_max → 2 they decay ever more slowly
                            and the ellipse needs more nodes (SLT_ENOCONV beyond 8192,
                            around η·u_max ≈ 1.998). No local exponent at points on the
                            ellipse (few steps, or oscillating modes not yet decayed).
                            With batch > 0 it is the SGD step (needs η·u_max < 2/(1+1/B)). */
    size_t batch;        /* online SGD batch B >= 1 (fresh samples every step, batch-mean
                            gradient, t = ηn), or 0 for full batch     default 0.
                            Needs eta > 0, P = INFINITY, ensemble = 1, momentum = 0.
                            Stable iff (1+1/B)·η·u_max < 2 and the noise gain
                            γ = (η/B)·tr[S(2 − (1+1/B)ηS)^{-1}] < 1 (else SLT_EDOM). */
    slt_dmft_sgd_form sgd_form; /* see above                           default GAUSSIAN */
    double momentum;     /* heavy ball, 0 = none                          default 0.
                            With eta = 0: the time constant μ >= 0 of μv̈ + v̇ = −∇(L̂/2),
                            v̇(0) = 0. With eta > 0: the coefficient β in [0, 1) of
                            w_{n+1} = w_n − η∇ + β(w_n − w_{n−1}), starting at rest; stable
                            iff η·u_max < 2(1 + β) (else SLT_EDOM); the ellipse's cost grows
                            like √(t·u_max/(1 − β)), so β near 1 may hit its node limit
                            (SLT_ENOCONV). Needs batch = 0. Any μ: modes with 4μu > 1 are
                            underdamped (they ring, and decay like e^{−t/(2μ)}); for
                            t < 82μ those spectra use the ellipse, where the node count
                            grows like √(μ·u_max). On Talbot contours the train loss (and
                            the test loss at P = ∞) comes from the 2-D inversion. */
    slt_dmft_contour contour; /* see slt_dmft_contour                  default AUTO */
} slt_dmft_params;

/* Names of the choices, as the CLI and the tables spell them: sgd_form "gaussian",
 * "limit"; contour "auto", "ellipse" (share: slt_share_to_string in slt/task.h).
 * _to_string gives NULL for a value that is not one of the enum's; _from_string gives
 * SLT_OK, or SLT_EINVAL (leaving *out unchanged) for an unknown or NULL name. */
SLT_API const char *slt_dmft_sgd_form_to_string(slt_dmft_sgd_form form);
SLT_API int slt_dmft_sgd_form_from_string(const char *name, slt_dmft_sgd_form *out);
SLT_API const char *slt_dmft_contour_to_string(slt_dmft_contour contour);
SLT_API int slt_dmft_contour_from_string(const char *name, slt_dmft_contour *out);

SLT_API slt_dmft_params slt_dmft_params_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range. */
SLT_API int slt_dmft_params_check(const slt_dmft_params *p);

/* The accepted range of a numeric field of slt_dmft_params ("N", "P", "ensemble",
 * "nodes", "rel_tol", "max_newton", "eta", "momentum", "batch"), the one
 * slt_dmft_params_check applies; NULL for another name. "ensemble" accepts +∞ as the
 * infinite ensemble (INFINITY) and only whole numbers. Cross-field rules narrow these (momentum
 * < 1 with eta > 0; batch > 0 needs eta > 0 and P = ∞, ...): see slt_dmft_rule.
 * Thread-safe (an immutable table). */
SLT_API const slt_param_range *slt_dmft_param_range(const char *field);

/* Which rule slt_dmft_params_check_rule found broken, so that a front end can word the
 * refusal in its own terms without matching the message. The values are stable. */
typedef enum {
    SLT_DMFT_RULE_OK = 0,           /* every rule holds                                  */
    SLT_DMFT_RULE_NULL,             /* p is NULL                                          */
    SLT_DMFT_RULE_RANGE,            /* a field is out of its slt_dmft_param_range         */
    SLT_DMFT_RULE_NAME,             /* share, sgd_form or contour is not a value of its enum */
    SLT_DMFT_RULE_SGD_NEEDS_STEP,   /* batch > 0 needs eta > 0                            */
    SLT_DMFT_RULE_SGD_NEEDS_P_INF,  /* batch > 0 needs P = INFINITY                       */
    SLT_DMFT_RULE_SGD_ENSEMBLE,     /* batch > 0 needs ensemble = 1                       */
    SLT_DMFT_RULE_SGD_MOMENTUM,     /* batch > 0 needs momentum = 0                       */
    SLT_DMFT_RULE_SGD_CONTOUR,      /* batch > 0 needs contour = AUTO                     */
    SLT_DMFT_RULE_HEAVY_BALL_BETA   /* eta > 0 with momentum > 0 needs momentum < 1       */
} slt_dmft_rule;

/* slt_dmft_params_check, also saying which rule failed: *rule (if rule != NULL) is
 * SLT_DMFT_RULE_OK on SLT_OK, else the first broken rule in the check's order (the
 * fields' ranges and names, then the dynamics' rules, then contour's name); *field (if field != NULL) is the field
 * the rule names (the range's field for SLT_DMFT_RULE_RANGE, e.g. "nodes"; "momentum"
 * for SLT_DMFT_RULE_HEAVY_BALL_BETA; "batch" for the SGD rules; NULL when none).
 * Returns the same status and sets the same message as slt_dmft_params_check.
 * Thread-safe (the message is the calling thread's). */
SLT_API int slt_dmft_params_check_rule(const slt_dmft_params *p, slt_dmft_rule *rule,
                                       const char **field);

/* "ok", "null", "range", "name", "sgd-needs-step", "sgd-needs-p-inf", "sgd-ensemble",
 * "sgd-momentum", "sgd-contour", "heavy-ball-beta"; NULL for another value. */
SLT_API const char *slt_dmft_rule_to_string(slt_dmft_rule rule);

typedef struct {
    double t;
    double test, test_err;   /* clean-target test loss L(t) (add σ² for noisy test labels) */
    double train, train_err; /* train loss L̂(t) against the noisy training labels */
    double test_slope;       /* local exponent d log L / d log t (single models) */
    double test_slope_err;
    double test_2d;          /* the 2-D result; equals test except at P = ∞, where test is the
                                exact 1-D reduction 𝒮(2t) (docs/theory/dmft.md §1) — a
                                cross-check */
    double train_2d;         /* cross-check: the train loss P·X from the 2-D system (§4) */
    int status;              /* SLT_OK, or SLT_EDIVERGE (N = P at t = ∞: test +∞, train 0,
                                the interpolating model), SLT_ENOCONV, ... */
    int newton_max;          /* largest Newton iteration count at any node */
    double sgd_gain;         /* online SGD: the noise gain γ (see batch); the plateau is
                                L_∞ = (L_∞^GD + γσ²)/(1 − γ). NaN for other models */
    double sgd_gain_err;
} slt_dmft_point;

typedef struct slt_dmft_workspace slt_dmft_workspace;

/* The workspace keeps the task (not copied: it must outlive the workspace), a copy of the
 * parameters and every buffer a solve needs; reuse it across calls.
 *
 * Memory: slt_dmft_alloc sizes all of the solver's buffers from the parameters (nodes,
 * and the dynamics: the ellipse's buffers, up to 8192 nodes, only where it can be used;
 * the online-SGD solver's only with a step) and fails with SLT_ENOMEM, the workspace not
 * created, if one cannot be had; the solves below do not allocate them again (the task
 * layer's quadrature workspace is cached per thread). The parameters are read, never
 * written, after slt_dmft_alloc: a solve never changes them, for any dynamics.
 *
 * Thread safety: a task is read-only and may be shared by the workspaces of any number of
 * threads. A workspace is used by one thread at a time: slt_dmft_solve and the other
 * functions taking a workspace write its caches (κ_*, u_max, warm starts, the SGD gain)
 * and its buffers, so give each thread its own workspace. Everything else the library
 * keeps is per thread (slt_last_error's message, the quadrature workspace). */
SLT_API int slt_dmft_alloc(const slt_task *task, const slt_dmft_params *p, slt_dmft_workspace **w);
SLT_API void slt_dmft_free(slt_dmft_workspace *w); /* accepts NULL */

/* Losses at n times (t >= 0, t = INFINITY allowed: the closed forms of docs/theory/dmft.md §13).
 * Times in increasing order are fastest (each contour starts from the previous one).
 * Returns SLT_OK when every point has status SLT_OK; otherwise the first failing
 * status, with every point still filled (failed points NaN with their own status; a value
 * that comes out non-finite, or negative beyond its error, is SLT_ELOSS, never SLT_OK).
 * SLT_EINVAL for a NULL argument or a time out of range, before any point is filled.
 * 0 < t·u_max <= 1e-18 (gradient flow) gives L(0) with the error 2t·u_max·L(0). With a
 * step, stability is checked at every t > 0, also one that rounds to 0 steps. */
SLT_API int slt_dmft_solve(slt_dmft_workspace *w, const double *times, size_t n,
                           slt_dmft_point *out);

/* Dense grids of steps (docs/theory/dmft.md §17). With online SGD, and full-batch GD at
 * P = ∞ (which runs through the same solver), slt_dmft_solve lets a run of requested
 * times in nondecreasing order that falls within a factor 1.1 of its first time and has
 * at least 16 points share one pair of contours, designed for its first time: every
 * step of a long curve then costs a sum over ~40 nodes instead of two contour solves.
 * Each point keeps its own error estimate (the two node counts and the amplified
 * rounding, at its own time). Sparse requests (e.g. log-spaced, 100 per decade) never
 * form such a run and are solved time by time as before. The other dynamics (gradient
 * flow and GD at finite N, P, the heavy ball in both forms; not ensembles) share their
 * contours the same way: a run of times (whole steps for the discrete ones) within a
 * factor 1.1 of its first and with at least 16 points keeps the first time's 2-D and 1-D
 * contours, and each later time re-weights the kept 2-D pair values, O(nodes²) instead
 * of new κ solves. A point whose relative estimate exceeds max(8× the first point's,
 * 1e-10) gets its own contours and ends the run. enable = 0 turns the sharing
 * off for this workspace (every point its own contours: the per-time baseline), 1 (the
 * default) back on. SLT_EINVAL for w = NULL. Not thread-safe on the same workspace. */
SLT_API int slt_dmft_set_grid(slt_dmft_workspace *w, int enable);

/* The effective ridge κ(z) on the physical branch, for Re z > 0 or any z reached by
 * continuation along the ray from |z| (diagnostics and tests). */
SLT_API int slt_dmft_kappa(slt_dmft_workspace *w, slt_complex z, slt_complex *kappa);

/* The right edge u_max of the spectrum of K = (AᵀA/N)Σ̂ (λ_1 at N = P = ∞): GD with
 * step η is stable iff η·u_max < 2. */
SLT_API int slt_dmft_spectrum_edge(slt_dmft_workspace *w, double *u_max);

/* κ_* = lim_{z→0} κ: the root of df(κ) = min(N, P) (0 when min(N, P) >= M). */
SLT_API int slt_dmft_kappa_star(slt_dmft_workspace *w, double *kappa_star);

/* Online SGD (batch > 0): the noise gain γ = (η/B)·tr[S(2 − c₂ηS)^{-1}] = −df(κ(z₀))/(c₂B)
 * at z₀ = −2/(c₂η), with c₂ = 1 + 1/B (GAUSSIAN) or 1 (LIMIT), and a bound on its error.
 * The Volterra equation is stable iff γ < 1 (and c₂·η·u_max < 2, checked first:
 * SLT_EDOM when violated). SLT_EINVAL when batch = 0. */
SLT_API int slt_dmft_sgd_gain(slt_dmft_workspace *w, double *gain, double *gain_err);

/* Where the step puts a model relative to its stability edge (docs/theory/dmft.md §4).
 * GD with step η is stable iff eta_eff·u_max < limit: eta_eff = η, limit = 2; the
 * heavy ball with steps (momentum = β) limit = 2(1 + β); online SGD eta_eff = (1 + 1/B)η
 * (GAUSSIAN) or η (LIMIT), limit 2. A finite model's top eigenvalue spreads about u_max by
 * about u_max·spread, spread = √(2/N + 2/P); within SLT_DMFT_NEAR_EDGE_SPREADS spreads of
 * the limit some finite models diverge although the DMFT value is right. */
#define SLT_DMFT_NEAR_EDGE_SPREADS 3.0
typedef struct {
    double eta_eff;  /* the step the limit applies to (0 for gradient flow)               */
    double limit;    /* the stability limit of eta_eff·u_max                               */
    double margin;   /* limit/(eta_eff·u_max) − 1: > 0 stable (NaN or ∞ without a step)   */
    double spread;   /* √(2/N + 2/P), the terms at N or P = ∞ dropped                     */
    int near_edge;   /* eta > 0 and 0 < margin <= SLT_DMFT_NEAR_EDGE_SPREADS·spread        */
} slt_dmft_edge;

/* The edge quantities above for parameters p and the spectrum edge u_max (from
 * slt_dmft_spectrum_edge; NaN gives NaN margin). SLT_EINVAL for a NULL argument.
 * Thread-safe. */
SLT_API int slt_dmft_edge_at(const slt_dmft_params *p, double u_max, slt_dmft_edge *e);

/* The local exponent d log(gap) / d log N of the width gap gap(N) = L(t, N) − L(t, ∞)
 * at one time, by a central difference in log N from the points solved at N (at), at
 * N = ∞ (at_inf) and at N·e^{±h} (up, down), all at the same P and t: −1 early
 * (t << N^α), tending to −α·min(β, 1) late. The error adds the propagated solve errors
 * and the O(h²) curvature, bounded by half the difference of the one-sided slopes.
 * SLT_DMFT_WIDTH_GAP_STEP is the h the CLI uses. SLT_EDOM when the gap at N·e^{±h} is not
 * positive (no logarithm), SLT_EINVAL for a NULL argument or h not in (0, ∞); the
 * outputs are set only on SLT_OK. */
#define SLT_DMFT_WIDTH_GAP_STEP 0.05
SLT_API int slt_dmft_width_gap_slope(const slt_dmft_point *at, const slt_dmft_point *at_inf,
                                     const slt_dmft_point *up, const slt_dmft_point *down,
                                     double h, double *slope, double *slope_err);

#ifdef __cplusplus
}
#endif
#endif
