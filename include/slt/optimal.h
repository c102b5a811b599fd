/* slt/optimal.h — compute-optimal allocation: for a compute budget C and a cost model,
 * the width N* and resource x* (training time, samples processed or training-set size)
 * that minimise a predicted loss L(N, x), and the frontier N*(C), x*(C), L*(C) with its
 * local slopes d log(X*)/d log C.
 *
 * The loss comes from a *provider*, a type table in the style of GSL's
 * gsl_min_fminimizer_type: a name, what its resource x is, and a function
 * L(N, x) -> value, error, status. Providers in the library: the lazy DMFT
 * (slt_optimal_provider_dmft: gradient flow, full-batch GD, online SGD, P = inf or
 * finite), the statics (slt_optimal_provider_statics: the converged L(N, P)) and a
 * fitted law L = E + A/N^a + B/D^b (slt_optimal_provider_law). Any other loss — the rich
 * (feature-learning) DMFT once it exists, a user's own model — plugs in through
 * slt_optimal_provider_alloc with its own slt_optimal_provider_type, without touching the
 * optimiser.
 *
 * The cost model ties x to N at fixed C: x = C/(c·N^p) (nt: c = p = 1; c·N·D: p = 1;
 * power:p: c = 1). Along this constraint the minimisation is one-dimensional in
 * u = ln N: a log grid over the allowed N range (split at a pole N = x when the provider
 * has one) brackets every local minimum, GSL's Brent minimiser refines each, a Newton
 * polish on central differences pins u* to ~1e-10, and the smallest wins (two equal
 * within their errors: a degenerate optimum, a failure). Equations, error estimates and the
 * measured frontiers: docs/theory/optimal.md. */
#ifndef SLT_OPTIMAL_H
#define SLT_OPTIMAL_H

#include "slt/export.h"

#include <stddef.h>

#include "slt/dmft.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Providers -------------------------------------------------------------------- */

/* A loss provider's type. The optimiser calls only these members.
 * loss: L(N, x) for width N >= 1 and resource x > 0, with an error bound on L; returns
 *   SLT_OK, SLT_EDIVERGE (the loss is +inf there, e.g. the interpolation pole N = P of
 *   the statics: the optimiser treats it as no minimum) or a failure status with the
 *   message set (the optimiser then fails the budget with that status).
 * x_min: the smallest resource the provider accepts (one step of GD, one batch of SGD,
 *   one training sample), 0 when any x > 0 will do; may be NULL (0).
 * free: releases the state; may be NULL.
 * resource: what x is, as the columns name it: "t" (training time), "D" (samples
 *   processed), "P" (training-set size).
 * pole_at_x_eq_N: nonzero when the loss diverges where x = N (the statics' interpolation
 *   pole); the optimiser then splits the range at that width on the constraint and
 *   minimises each side on its own (0 when there is no such pole; a positional
 *   initialiser of the first five members leaves it 0).
 * The rich (feature-learning) DMFT plugs in here: a provider "featlearn" whose loss runs
 * the rich solver at (N, t) — nothing else changes (docs/theory/optimal.md §5). */
typedef struct {
    const char *name;
    const char *resource;
    int (*loss)(void *state, double N, double x, double *L, double *L_err);
    double (*x_min)(const void *state);
    void (*free)(void *state);
    int pole_at_x_eq_N;
} slt_optimal_provider_type;

typedef struct slt_optimal_provider slt_optimal_provider;

/* A provider of the given type around `state` (owned from now on: type->free is called by
 * slt_optimal_provider_free, also when this call fails). SLT_EINVAL for a NULL type,
 * loss or output; SLT_ENOMEM. */
SLT_API int slt_optimal_provider_alloc(const slt_optimal_provider_type *type, void *state,
                                       slt_optimal_provider **out);
SLT_API void slt_optimal_provider_free(slt_optimal_provider *prov); /* accepts NULL */
SLT_API const slt_optimal_provider_type *slt_optimal_provider_get_type(
    const slt_optimal_provider *prov);

/* One evaluation L(N, x) through the provider (what the optimiser calls): SLT_EINVAL for N
 * < 1, x <= 0 or x < x_min, NaN or NULL arguments; otherwise the provider's status. */
SLT_API int slt_optimal_provider_loss(slt_optimal_provider *prov, double N, double x, double *L,
                                      double *L_err);
/* The provider's smallest x (0 when none). */
SLT_API double slt_optimal_provider_x_min(const slt_optimal_provider *prov);

/* The lazy DMFT (slt/dmft.h) with the parameters p (its N is ignored: N is the variable).
 * The resource is the training time t (gradient flow, GD: the steps t/eta are
 * interpolated linearly in log n between whole steps, x_min = eta) or, for online SGD
 * (p->batch > 0), the samples processed D = B·n (t = eta·D/B, x_min = B). Every
 * evaluation allocates a DMFT workspace at that N (κ depends on N). The task must outlive
 * the provider. SLT_EINVAL when slt_dmft_params_check refuses p (N set to 1 for the
 * check) or p->ensemble != 1 (not implemented here yet); SLT_ENOMEM. Not thread-safe on
 * one provider. */
SLT_API int slt_optimal_provider_dmft(const slt_task *task, const slt_dmft_params *p,
                                      slt_optimal_provider **out);

/* The statics (slt/statics.h): the converged test loss L(N, P) at the ridge of p (its N
 * and P are ignored); the resource is the training-set size P (x_min = 1), so that the
 * cost N·P counts a pass of P samples through N features. The interpolation pole
 * (ridgeless N = P) is SLT_EDIVERGE. The task must outlive the provider. */
SLT_API int slt_optimal_provider_statics(const slt_task *task, const slt_statics_params *p,
                                         slt_optimal_provider **out);

/* A fitted law L = E + A·N^-a + B·D^-b (as `slt fit` will produce), resource D. Its error
 * is the rounding of the evaluation. */
typedef struct {
    double E;    /* irreducible loss, finite          default 0 */
    double A, a; /* width term: A >= 0 finite, a > 0  default 1, 0.5 */
    double B, b; /* data term:  B >= 0 finite, b > 0  default 1, 0.5 */
} slt_optimal_law;
SLT_API slt_optimal_law slt_optimal_law_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the range. */
SLT_API int slt_optimal_law_check(const slt_optimal_law *law);
SLT_API int slt_optimal_provider_law(const slt_optimal_law *law, slt_optimal_provider **out);

/* ---- Cost models ------------------------------------------------------------------ */

typedef enum {
    SLT_OPTIMAL_COST_NT = 0, /* C = N·x (canonical: N·t)                                   */
    SLT_OPTIMAL_COST_CND,    /* C = c·N·D, e.g. c = 6 for transformers (D = tokens = B·n)  */
    SLT_OPTIMAL_COST_POWER   /* C = N^p·x                                                  */
} slt_optimal_cost_kind;

typedef struct {
    slt_optimal_cost_kind kind;
    double c; /* the constant of CND (> 0, finite); 1 otherwise */
    double p; /* the power of POWER (> 0, finite); 1 otherwise  */
} slt_optimal_cost;

/* "nt", "6nd" (c = 6), "nd:c" (C = c·N·D), "power:p". SLT_OK, or SLT_EINVAL naming the
 * text and the accepted forms (*out unchanged). */
SLT_API int slt_optimal_cost_parse(const char *text, slt_optimal_cost *out);
/* The cost's name as parse reads it back ("nt", "nd:6", "power:1.5") into buf. */
SLT_API int slt_optimal_cost_name(const slt_optimal_cost *cost, char *buf, size_t size);
/* x = C/(c·N^p), the resource the budget leaves at width N. */
SLT_API double slt_optimal_cost_resource(const slt_optimal_cost *cost, double C, double N);
/* SLT_OK or SLT_EINVAL naming c or p and the range. */
SLT_API int slt_optimal_cost_check(const slt_optimal_cost *cost);

/* ---- The optimiser ---------------------------------------------------------------- */

typedef struct {
    double N_lo, N_hi;   /* the allowed width range, 1 <= N_lo < N_hi < inf
                            default 1, 1e12 */
    int grid_per_decade; /* bracketing grid points per decade of N, 2 .. 200   default 4 */
    double tol;          /* Brent's tolerance on ln N, 1e-8 .. 0.1 (a Newton polish
                            follows)                                  default 1e-4 */
    int max_iter;        /* Brent iterations, 1 .. 1000                         default 100 */
} slt_optimal_params;

SLT_API slt_optimal_params slt_optimal_params_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the range (N_lo < N_hi too). */
SLT_API int slt_optimal_params_check(const slt_optimal_params *p);
/* The accepted range of "N_lo", "N_hi", "grid_per_decade", "tol", "max_iter"; NULL for
 * another name. Thread-safe. */
SLT_API const slt_param_range *slt_optimal_param_range(const char *field);

/* Where the optimum sits. */
typedef enum {
    SLT_OPTIMAL_INSIDE = 0, /* an interior minimum                                        */
    SLT_OPTIMAL_AT_N_LO,    /* the smallest loss on the grid is at N_lo                   */
    SLT_OPTIMAL_AT_N_HI,    /* ... at N_hi                                                */
    SLT_OPTIMAL_AT_X_MIN,   /* ... at the widest N the budget allows (x = x_min: one step) */
    SLT_OPTIMAL_DEGENERATE  /* two separate minima equal within their errors (N_bound, N2) */
} slt_optimal_bound;
/* "inside", "at-N-lo", "at-N-hi", "at-x-min", "degenerate"; NULL for another value. */
SLT_API const char *slt_optimal_bound_to_string(slt_optimal_bound b);

typedef struct {
    double C;                    /* the budget                                           */
    double N, N_err;             /* N* and its error                                     */
    double x, x_err;             /* x* = C/(c N*^p) (t*, D* or P*) and its error         */
    double L, L_err;             /* L* and its error                                     */
    double curvature;            /* d²L/d(ln N)² at the optimum                          */
    double slope_N, slope_N_err; /* d ln(N*)/d ln C over the frontier (NaN: one budget)   */
    double slope_x, slope_x_err; /* d ln(x*)/d ln C                                       */
    double slope_L, slope_L_err; /* d ln(L*)/d ln C                                       */
    slt_optimal_bound bound;     /* inside, or the bound where the refined minimum lies  */
    double N_bound, L_bound;     /* with a bound: that N and its loss; degenerate: the
                                    first minimum (else NaN)                             */
    double N2, L2;               /* degenerate: the second minimum (else NaN)            */
    size_t evaluations;          /* loss evaluations spent on this budget                */
    size_t diverged;             /* evaluations where the loss was +inf (excluded widths:
                                    a pole, an unstable GD/SGD step)                     */
    double div_N_lo, div_N_hi;   /* the smallest and largest such width (NaN: none)      */
    int status;                  /* SLT_OK; SLT_EDOM with a bound or a degenerate optimum
                                    (N, x, L NaN); the provider's failure; SLT_ENOCONV
                                    (Brent, or no curvature at the minimum)              */
    int branch_change;           /* frontier with a pole: the optimum is on the other side
                                    of N = x at the neighbouring ok budget (no slope
                                    across; each run of one side gets its own)         */
    char message[320];           /* this budget's failure message ("" when ok)           */
} slt_optimal_point;

/* The optimum at one budget C > 0 (slopes NaN). The searched range is [N_lo, N_hi]
 * narrowed to the widths that leave x >= x_min; SLT_EINVAL when none does ("budget too
 * small for one step"), naming C, the cost and N_lo. Error estimates: docs/theory/
 * optimal.md §3: ln N* ± sqrt(2 ε/L'') (ε the loss's error at the minimum, L'' the
 * curvature in ln N) plus the spread of two Newton polishes; L* ± ε + ½ L''·δ². Returns
 * out->status. Not thread-safe on one provider. */
SLT_API int slt_optimal_solve(slt_optimal_provider *prov, const slt_optimal_cost *cost,
                              const slt_optimal_params *p, double C, slt_optimal_point *out);

/* Called after each budget of a frontier (done of total); may be NULL. */
typedef void (*slt_optimal_progress)(void *ctx, size_t done, size_t total,
                                     const slt_optimal_point *last);

/* The optimum at each of n budgets C[0] < C[1] < ... (strictly increasing, else
 * SLT_EINVAL before any is solved), then the local slopes by central differences in ln C
 * over the budgets whose status is SLT_OK (one-sided at the ends; NaN with fewer than
 * three: two give no curvature, hence no error): slope = Δ ln(X*)/Δ ln C, error =
 * the propagated errors of the two optima plus half the difference of the one-sided
 * slopes (the frontier's curvature). With a provider that has a pole N = x the slopes are
 * taken within each run of budgets whose optima lie on one side (branch_change marks the
 * two budgets at a switch): no slope across a jump from one branch to the other. Every budget is solved; returns SLT_OK when every
 * point is SLT_OK, else the first failure. */
SLT_API int slt_optimal_frontier(slt_optimal_provider *prov, const slt_optimal_cost *cost,
                                 const slt_optimal_params *p, const double *C, size_t n,
                                 slt_optimal_point *out, slt_optimal_progress progress,
                                 void *ctx);

/* The asymptotic exponents (N*, x*, L*) the exponent table predicts (slt/exponents.h,
 * lazy column) for the task (α, β): rows compute_* for gradient flow / GD, sgd_* for
 * online SGD (sgd != 0), under a cost with p = 1 (the constant c does not change an
 * exponent); NaN for p != 1 (the table assumes C = N·t). *regime: the rows' regime
 * (static string). SLT_EINVAL as slt_exponents_compute. */
SLT_API int slt_optimal_predicted(double alpha, double beta, int sgd, const slt_optimal_cost *cost,
                                  double pred[3], const char **regime);

/* The law's exponents under C = c·N^p·D: N* ∝ C^{b/(a+pb)}, D* ∝ C^{a/(a+pb)},
 * L* − E ∝ C^{-ab/(a+pb)} (the closed form, docs/theory/optimal.md §2). */
SLT_API int slt_optimal_law_predicted(const slt_optimal_law *law, const slt_optimal_cost *cost,
                                      double pred[3]);

#ifdef __cplusplus
}
#endif
#endif
