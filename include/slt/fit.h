/* slt/fit.h — scaling-law fits to tables of training runs (issue 16, first version).
 *
 * A table of runs (CSV or TSV with a header) is read into columns chosen by name
 * (slt_fit_data_read); a law (slt_fit_law: a type table, docs/theory/fit.md §2) is fitted
 * by minimising an objective (slt_fit_objective) from a deterministic multistart grid,
 * each start refined with GSL's BFGS2 (gsl_multimin) on analytic gradients; the
 * uncertainty is a bootstrap over rows (or groups) with percentile intervals, or the
 * Gauss–Newton covariance at the optimum as the cheap alternative (docs/theory/fit.md §4).
 *
 * Every law is a log-sum-exp of power-law terms in the internal parameters θ:
 *   log L̂ = log Σ_k exp(u_k),  u_k = θ[amp_k] − θ[exp_k] · log x[var_k]
 * (a constant term has no exponent), so the amplitudes E = e^e, A = e^a, B = e^b stay
 * positive without constraints (Hoffmann et al.'s "approach 3"):
 *   power       L = E + A x^-a                 θ = (e, log A, a)
 *   chinchilla  L = E + A N^-α + B D^-β        θ = (e, log A, log B, α, β)
 * Reported parameters are E, A, a and E, A, B, alpha, beta. Derived quantities
 * (chinchilla): a = β/(α+β), b = α/(α+β) and, for each compute budget C under C = 6ND,
 * N*(C) = G (C/6)^a, D*(C) = (C/6)^b / G with G = (αA/(βB))^{1/(α+β)}.
 *
 * Determinism: starts are a fixed grid (or random points drawn from one counter-based
 * stream per start under `seed`), bootstrap replicate r draws its rows from its own
 * counter-based stream seeded by (seed, r); every start and replicate is solved
 * independently and the results are reduced in index order, so results are
 * bit-identical at any OpenMP thread count.
 *
 * Thread safety: every function is re-entrant; objects are not shared between calls.
 * Library code never prints: failures return a status and set slt_last_error(). */
#ifndef SLT_FIT_H
#define SLT_FIT_H

#include "slt/export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "slt/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SLT_FIT_MAX_PARAMS 8
#define SLT_FIT_MAX_X 4
#define SLT_FIT_MAX_C 24 /* compute budgets per fit */

typedef enum { SLT_FIT_LAW_POWER = 0, SLT_FIT_LAW_CHINCHILLA, SLT_FIT_LAW_COUNT } slt_fit_law;

typedef enum {
    SLT_FIT_OBJ_HUBER_LOG = 0, /* Σ w ρ_δ(log y − log L̂), ρ Huber with threshold δ      */
    SLT_FIT_OBJ_LS,            /* Σ w (y − L̂)²/2                                         */
    SLT_FIT_OBJ_LS_LOG,        /* Σ w (log y − log L̂)²/2                                 */
    SLT_FIT_OBJ_COUNT
} slt_fit_objective;

/* Names as the command line spells them: "power", "chinchilla"; "huber", "ls", "ls-log".
 * _from_string: SLT_EINVAL with a message listing the accepted names. */
SLT_API const char *slt_fit_law_to_string(slt_fit_law law);
SLT_API int slt_fit_law_from_string(const char *name, slt_fit_law *law);
SLT_API const char *slt_fit_law_choices(void);          /* "power|chinchilla"   */
SLT_API const char *slt_fit_objective_to_string(slt_fit_objective o);
SLT_API int slt_fit_objective_from_string(const char *name, slt_fit_objective *o);
SLT_API const char *slt_fit_objective_choices(void);    /* "huber|ls|ls-log"     */
/* How many x columns the law takes (power 1, chinchilla 2: N then D), how many
 * parameters it has, and the reported name of parameter i (NULL past the end). */
SLT_API size_t slt_fit_law_n_x(slt_fit_law law);
SLT_API size_t slt_fit_law_n_params(slt_fit_law law);
SLT_API const char *slt_fit_law_param_name(slt_fit_law law, size_t i);
/* The size of the law's default start grid (chinchilla: Besiroglu et al.'s 4,500). */
SLT_API size_t slt_fit_law_grid_size(slt_fit_law law);

/* ---- the table of runs ------------------------------------------------------------ */
typedef struct {
    char *source;            /* the file name given ("-": standard input)                */
    size_t n_rows, n_x;
    char *x_name[SLT_FIT_MAX_X], *y_name, *w_name, *group_name;
    double *x;               /* n_rows × n_x, row-major, every value finite and > 0       */
    double *y;               /* n_rows, finite and > 0                                    */
    double *w;               /* n_rows weights (finite, > 0), or NULL: all 1              */
    size_t *group;           /* n_rows group ids 0 … n_groups−1 (first-seen order) or NULL */
    size_t n_groups;
    long *line;              /* the input line of each row (1-based)                      */
    size_t n_skipped;        /* rows skipped under skip_bad                               */
    char skipped_first[256]; /* why the first skipped row was skipped ("" when none)      */
} slt_fit_data;

/* Reads a table with one header line (comma-separated, or tab-separated when the header
 * holds a tab; fields may be wrapped in double quotes without embedded separators; blank
 * lines and lines starting with '#' are skipped). Columns are chosen by name: n_x x
 * columns, the y column, optionally a weight column and a group column (any text; rows
 * with the same text form one group). A row is bad when it has the wrong number of
 * fields, or a chosen cell is empty, not a number, not finite, or ≤ 0 (x, y, weight).
 * Without skip_bad the first bad row fails with SLT_EFORMAT and a message
 * "SOURCE:LINE: column 'NAME': ..."; with skip_bad it is skipped and counted.
 * Errors: SLT_EFORMAT (empty input, no header, a missing column — the message lists the
 * header's columns —, a bad row, no data row), SLT_EINVAL (n_x outside 1..SLT_FIT_MAX_X,
 * NULL names), SLT_EIO (read error), SLT_ENOMEM. `out` is filled on success and must be
 * released with slt_fit_data_free (which accepts a zeroed or NULL data). */
SLT_API int slt_fit_data_read(FILE *in, const char *source, const char *const *x_cols,
                              size_t n_x, const char *y_col, const char *w_col,
                              const char *group_col, int skip_bad, slt_fit_data *out);
SLT_API void slt_fit_data_free(slt_fit_data *data);

/* ---- parameters --------------------------------------------------------------------- */
typedef struct {
    slt_fit_law law;
    slt_fit_objective objective;
    double huber_delta;  /* δ of the Huber objective (default 1e-3)                      */
    size_t starts;       /* 0: the law's grid; else that many random starts in the grid's box */
    uint64_t seed;       /* random starts and bootstrap resampling (default 1)           */
    size_t bootstrap;    /* bootstrap replicates; 0: Gauss–Newton covariance only        */
    double level;        /* confidence level of the intervals (default 0.95)             */
    size_t max_iter;     /* iterations per start, BFGS2 and Gauss–Newton (default 2000)  */
    double gtol;         /* convergence: |∇f| ≤ gtol · Σw (default 1e-9)                  */
    const double *theta0;/* when not NULL: the one start, internal parameters in the law's
                            coordinates (e.g. a previous estimate's theta); starts ignored */
    const double *C;     /* compute budgets for N*(C), D*(C) (chinchilla), or NULL       */
    size_t n_C;
} slt_fit_params;

SLT_API void slt_fit_params_default(slt_fit_params *p);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range. */
SLT_API int slt_fit_params_check(const slt_fit_params *p);
/* The accepted range of a numeric field ("huber_delta", "starts", "bootstrap", "level",
 * "max_iter", "gtol", "C"), or NULL. */
SLT_API const slt_param_range *slt_fit_param_range(const char *field);

/* ---- results -------------------------------------------------------------------------- */
typedef enum {
    SLT_FIT_CONVERGED = 0, /* the best start met the gradient test                        */
    SLT_FIT_AT_BOUND,      /* converged, but a parameter sits at the edge of its range:
                              its row (and the derived rows that depend on it) is NaN    */
    SLT_FIT_MULTIPLE,      /* another start reached a distinct optimum whose objective is
                              within the tolerance: a failure, estimates NaN, alt holds
                              the second optimum (SLT_ENOCONV, the message names both)   */
    SLT_FIT_MAX_ITER,      /* no start met the gradient test within max_iter             */
    SLT_FIT_NO_PROGRESS,   /* the line search could not go on before the gradient test   */
    SLT_FIT_NO_ERROR,      /* converged, but a row's error estimate could not be computed
                              (singular covariance): that row is NaN                     */
    SLT_FIT_BAD_LAW        /* the law cannot describe the data: an exponent at its bound
                              <= 0 while its term is not negligible (SLT_ENOCONV)         */
} slt_fit_state;
SLT_API const char *slt_fit_state_to_string(slt_fit_state s); /* "ok", "at bound", ... */

typedef struct {
    char name[48];      /* "E", "alpha", "a", "N_opt(C=1e+21)", ...                      */
    double estimate;
    double se;          /* bootstrap standard deviation, or Gauss–Newton (delta method)  */
    double ci_lo, ci_hi;/* percentile interval (bootstrap) or estimate ± z·se            */
    double alt;         /* the value at the second optimum (SLT_FIT_MULTIPLE), else NaN  */
    int at_bound;       /* the parameter sits at the edge of its range                   */
    int derived;        /* 1 for a derived quantity                                      */
    slt_fit_state state;/* the row's status: SLT_FIT_CONVERGED (ok: estimate, se, ci set),
                           SLT_FIT_AT_BOUND (it or a parameter it depends on is at a bound),
                           SLT_FIT_NO_ERROR (no error estimate), SLT_FIT_MULTIPLE: values NaN */
} slt_fit_quantity;

typedef struct {
    slt_fit_state state;
    double objective;      /* the objective at the estimate                             */
    double alt_objective;  /* at the second optimum (NaN unless SLT_FIT_MULTIPLE)        */
    double grad_norm;      /* |∇f| at the estimate                                       */
    size_t n_params;
    double theta[SLT_FIT_MAX_PARAMS]; /* internal parameters at the estimate              */
    size_t starts_run, starts_converged, iterations; /* iterations: of the best start     */
    size_t bootstrap_run, bootstrap_converged;
    int ci_method;         /* 0 none, 1 bootstrap percentile, 2 Gauss–Newton normal       */
    size_t n_quantities;
    slt_fit_quantity *q;   /* parameters first, then derived quantities                  */
} slt_fit_result;

/* Fits p->law to data. Checks first: enough rows (more than the law's parameters; the
 * message names the line of each row when there are few), no constant x column (its
 * exponent cannot be identified; the message names the column and the lines), no two
 * x columns collinear in log (|corr(log x_j, log x_k)| > 1 - 1e-10, e.g. D = 20 N: the
 * message names both columns).
 * Returns SLT_OK when the fit converged (state CONVERGED; or AT_BOUND / NO_ERROR, where
 * the rows concerned, q[k].state != SLT_FIT_CONVERGED, are NaN); SLT_ENOCONV when no
 * start converged (state MAX_ITER or NO_PROGRESS; estimates NaN, slt_last_error() names
 * the best objective and gradient reached), when two distinct optima are within the
 * tolerance (MULTIPLE: estimates NaN, q[k].alt the second optimum, the message names
 * both parameter vectors), or when the law cannot describe the data (BAD_LAW: "law X does
 * not describe the data: its x-term grows", naming the column; estimates NaN);
 * SLT_EINVAL/SLT_EFORMAT for bad parameters or data; SLT_ENOMEM. The result must be
 * released with slt_fit_result_free. OpenMP-parallel over starts and replicates;
 * bit-identical at any thread count. `progress`, when not NULL, is called from the
 * calling thread between stages with a short text (never inside a parallel region). */
SLT_API int slt_fit_run(const slt_fit_data *data, const slt_fit_params *p,
                        slt_fit_result *result,
                        void (*progress)(void *ctx, const char *stage), void *ctx);
SLT_API void slt_fit_result_free(slt_fit_result *result);

/* The law's prediction L̂ at row i of data for internal parameters theta. */
SLT_API double slt_fit_predict(slt_fit_law law, const double *theta, const double *x);

/* One start refined with BFGS2 from theta0 (internal parameters), the in-run baseline of
 * bench/bench_fit.c: theta is overwritten by the optimum, *objective set. Returns the
 * state (SLT_FIT_CONVERGED, SLT_FIT_MAX_ITER, SLT_FIT_NO_PROGRESS). */
SLT_API slt_fit_state slt_fit_single(const slt_fit_data *data, const slt_fit_params *p,
                                     double *theta, double *objective);

#ifdef __cplusplus
}
#endif
#endif
