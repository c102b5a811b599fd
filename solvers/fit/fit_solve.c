/* Scaling-law fits (include/slt/fit.h; equations in docs/theory/fit.md): the law type
 * table, the objectives with analytic gradients, the multistart BFGS2 fit, the
 * bootstrap and the Gauss–Newton covariance. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "slt/fit.h"

/* ---- the law type table -------------------------------------------------------------- */

/* One term of the log-sum-exp: u = θ[amp] − θ[expo] · log x[var]; expo < 0: constant. */
typedef struct {
    int amp, expo, var;
} fit_term;

enum { KIND_LOG_AMPLITUDE = 0, KIND_EXPONENT = 1 };

typedef struct {
    const char *name;
    size_t n_x, n_params, n_terms;
    fit_term terms[4];
    const char *param_names[SLT_FIT_MAX_PARAMS];
    int kind[SLT_FIT_MAX_PARAMS];
    /* the start grid per internal parameter: lo, lo + step, ..., n values */
    double grid_lo[SLT_FIT_MAX_PARAMS], grid_step[SLT_FIT_MAX_PARAMS];
    int grid_n[SLT_FIT_MAX_PARAMS];
} fit_law_type;

/* exponents above this are reported at the bound of their range */
#define FIT_EXPONENT_MAX 10.0
/* a term contributing less than this fraction of the prediction on every row has its
 * amplitude at the lower bound 0 (and its exponent, if any, undetermined): it changes no
 * prediction by more than this relative amount, below what the gradient test resolves */
#define FIT_TERM_NEGLIGIBLE 1e-6

static const fit_law_type law_types[SLT_FIT_LAW_COUNT] = {
    [SLT_FIT_LAW_POWER] = {
        "power", 1, 3, 2,
        {{0, -1, 0}, {1, 2, 0}},
        {"E", "A", "a"},
        {KIND_LOG_AMPLITUDE, KIND_LOG_AMPLITUDE, KIND_EXPONENT},
        {-1, 0, 0}, {0.5, 5, 0.5}, {5, 6, 5},
    },
    /* Besiroglu et al. 2024's grid: e ∈ {-1, -0.5, …, 1}, a, b ∈ {0, 5, …, 25},
     * α, β ∈ {0, 0.5, …, 2}: 5·6·6·5·5 = 4500 starts */
    [SLT_FIT_LAW_CHINCHILLA] = {
        "chinchilla", 2, 5, 3,
        {{0, -1, 0}, {1, 3, 0}, {2, 4, 1}},
        {"E", "A", "B", "alpha", "beta"},
        {KIND_LOG_AMPLITUDE, KIND_LOG_AMPLITUDE, KIND_LOG_AMPLITUDE, KIND_EXPONENT,
         KIND_EXPONENT},
        {-1, 0, 0, 0, 0}, {0.5, 5, 5, 0.5, 0.5}, {5, 6, 6, 5, 5},
    },
};

static const char *const objective_names[SLT_FIT_OBJ_COUNT] = {"huber", "ls", "ls-log"};
static const char *const state_names[] = {"ok", "at bound", "multiple optima",
                                          "max iterations", "no progress",
                                          "no error estimate", "law does not fit"};

const char *slt_fit_law_to_string(slt_fit_law law)
{
    return (unsigned)law < SLT_FIT_LAW_COUNT ? law_types[law].name : "unknown";
}

int slt_fit_law_from_string(const char *name, slt_fit_law *law)
{
    for (int i = 0; name && i < SLT_FIT_LAW_COUNT; i++)
        if (strcmp(name, law_types[i].name) == 0) {
            *law = (slt_fit_law)i;
            return SLT_OK;
        }
    return slt_error(SLT_EINVAL, "law '%s' is unknown (expected %s)", name ? name : "(null)",
                     slt_fit_law_choices());
}

const char *slt_fit_law_choices(void) { return "power|chinchilla"; }

const char *slt_fit_objective_to_string(slt_fit_objective o)
{
    return (unsigned)o < SLT_FIT_OBJ_COUNT ? objective_names[o] : "unknown";
}

int slt_fit_objective_from_string(const char *name, slt_fit_objective *o)
{
    for (int i = 0; name && i < SLT_FIT_OBJ_COUNT; i++)
        if (strcmp(name, objective_names[i]) == 0) {
            *o = (slt_fit_objective)i;
            return SLT_OK;
        }
    return slt_error(SLT_EINVAL, "objective '%s' is unknown (expected %s)",
                     name ? name : "(null)", slt_fit_objective_choices());
}

const char *slt_fit_objective_choices(void) { return "huber|ls|ls-log"; }

const char *slt_fit_state_to_string(slt_fit_state s)
{
    return (unsigned)s <= SLT_FIT_BAD_LAW ? state_names[s] : "unknown";
}

size_t slt_fit_law_n_x(slt_fit_law law)
{
    return (unsigned)law < SLT_FIT_LAW_COUNT ? law_types[law].n_x : 0;
}

size_t slt_fit_law_n_params(slt_fit_law law)
{
    return (unsigned)law < SLT_FIT_LAW_COUNT ? law_types[law].n_params : 0;
}

const char *slt_fit_law_param_name(slt_fit_law law, size_t i)
{
    if ((unsigned)law >= SLT_FIT_LAW_COUNT || i >= law_types[law].n_params) return NULL;
    return law_types[law].param_names[i];
}

size_t slt_fit_law_grid_size(slt_fit_law law)
{
    if ((unsigned)law >= SLT_FIT_LAW_COUNT) return 0;
    size_t n = 1;
    for (size_t j = 0; j < law_types[law].n_params; j++) n *= (size_t)law_types[law].grid_n[j];
    return n;
}

/* ---- parameters ------------------------------------------------------------------------ */

static const slt_param_range fit_ranges[] = {
    {"huber_delta", 0, INFINITY, 1, 1, 0},
    {"starts", 0, 1e7, 0, 0, 1},
    {"bootstrap", 0, 1e7, 0, 0, 1},
    {"level", 0, 1, 1, 1, 0},
    {"max_iter", 1, 1e7, 0, 0, 1},
    {"gtol", 0, 1, 1, 0, 0},
    {"C", 0, INFINITY, 1, 1, 0},
};

const slt_param_range *slt_fit_param_range(const char *field)
{
    for (size_t i = 0; field && i < sizeof fit_ranges / sizeof fit_ranges[0]; i++)
        if (strcmp(fit_ranges[i].field, field) == 0) return &fit_ranges[i];
    return NULL;
}

void slt_fit_params_default(slt_fit_params *p)
{
    memset(p, 0, sizeof *p);
    p->law = SLT_FIT_LAW_POWER;
    p->objective = SLT_FIT_OBJ_HUBER_LOG;
    p->huber_delta = 1e-3;
    p->starts = 0;
    p->seed = 1;
    p->bootstrap = 0;
    p->level = 0.95;
    p->max_iter = 2000;
    p->gtol = 1e-9;
}

int slt_fit_params_check(const slt_fit_params *p)
{
    const char *w = "slt_fit_params_check";
    if (!p) return slt_error(SLT_EINVAL, "%s: NULL params", w);
    if ((unsigned)p->law >= SLT_FIT_LAW_COUNT)
        return slt_error(SLT_EINVAL, "%s: law = %d is unknown (expected %s)", w, (int)p->law,
                         slt_fit_law_choices());
    if ((unsigned)p->objective >= SLT_FIT_OBJ_COUNT)
        return slt_error(SLT_EINVAL, "%s: objective = %d is unknown (expected %s)", w,
                         (int)p->objective, slt_fit_objective_choices());
    int rc;
    if ((rc = slt_param_range_check(w, slt_fit_param_range("huber_delta"), p->huber_delta)))
        return rc;
    if ((rc = slt_param_range_check(w, slt_fit_param_range("starts"), (double)p->starts)))
        return rc;
    if ((rc = slt_param_range_check(w, slt_fit_param_range("bootstrap"), (double)p->bootstrap)))
        return rc;
    if ((rc = slt_param_range_check(w, slt_fit_param_range("level"), p->level))) return rc;
    if ((rc = slt_param_range_check(w, slt_fit_param_range("max_iter"), (double)p->max_iter)))
        return rc;
    if ((rc = slt_param_range_check(w, slt_fit_param_range("gtol"), p->gtol))) return rc;
    if (p->n_C > SLT_FIT_MAX_C)
        return slt_error(SLT_EINVAL, "%s: n_C = %zu compute budgets (expected at most %d)", w,
                         p->n_C, SLT_FIT_MAX_C);
    if (p->n_C && !p->C) return slt_error(SLT_EINVAL, "%s: n_C = %zu with C NULL", w, p->n_C);
    for (size_t i = 0; i < p->n_C; i++)
        if ((rc = slt_param_range_check(w, slt_fit_param_range("C"), p->C[i]))) return rc;
    if (p->n_C && p->law != SLT_FIT_LAW_CHINCHILLA)
        return slt_error(SLT_EINVAL, "%s: compute budgets C are given with law %s (expected "
                         "law chinchilla, whose N and D make C = 6ND)", w,
                         slt_fit_law_to_string(p->law));
    return SLT_OK;
}

/* ---- the objective ---------------------------------------------------------------------- */

typedef struct {
    const fit_law_type *law;
    size_t n, n_x;
    const double *lx; /* n × n_x logs of x   */
    const double *y, *ly;
    const double *w;  /* n weights (0: row left out) */
    slt_fit_objective obj;
    double delta;
} fit_problem;

/* log L̂ at one row and its gradient dp/dθ (dp may be NULL). */
static double law_logpred(const fit_law_type *law, const double *theta, const double *lx,
                          double *dp)
{
    double u[4], m = -INFINITY;
    for (size_t k = 0; k < law->n_terms; k++) {
        const fit_term *t = &law->terms[k];
        u[k] = theta[t->amp] - (t->expo >= 0 ? theta[t->expo] * lx[t->var] : 0.0);
        if (u[k] > m) m = u[k];
    }
    double s = 0, e[4];
    for (size_t k = 0; k < law->n_terms; k++) {
        e[k] = exp(u[k] - m);
        s += e[k];
    }
    if (dp) {
        for (size_t j = 0; j < law->n_params; j++) dp[j] = 0;
        for (size_t k = 0; k < law->n_terms; k++) {
            const fit_term *t = &law->terms[k];
            double pk = e[k] / s;
            dp[t->amp] += pk;
            if (t->expo >= 0) dp[t->expo] -= pk * lx[t->var];
        }
    }
    return m + log(s);
}

/* The objective at θ and, when g is not NULL, its gradient. */
static double problem_eval(const fit_problem *pb, const double *theta, double *g)
{
    const fit_law_type *law = pb->law;
    const size_t np = law->n_params;
    double f = 0, dp[SLT_FIT_MAX_PARAMS];
    if (g)
        for (size_t j = 0; j < np; j++) g[j] = 0;
    for (size_t i = 0; i < pb->n; i++) {
        const double w = pb->w[i];
        if (w == 0) continue;
        double p = law_logpred(law, theta, pb->lx + i * pb->n_x, g ? dp : NULL);
        double dfdp;
        if (pb->obj == SLT_FIT_OBJ_LS) {
            double pred = exp(p), r = pb->y[i] - pred;
            f += w * 0.5 * r * r;
            dfdp = -w * r * pred;
        } else {
            double r = pb->ly[i] - p;
            if (pb->obj == SLT_FIT_OBJ_LS_LOG || fabs(r) <= pb->delta) {
                f += w * 0.5 * r * r;
                dfdp = -w * r;
            } else {
                f += w * pb->delta * (fabs(r) - 0.5 * pb->delta);
                dfdp = -w * pb->delta * (r > 0 ? 1.0 : -1.0);
            }
        }
        if (g)
            for (size_t j = 0; j < np; j++) g[j] += dfdp * dp[j];
    }
    return f;
}

static double gsl_f(const gsl_vector *v, void *params)
{
    double f = problem_eval(params, v->data, NULL);
    return isfinite(f) ? f : GSL_POSINF;
}

static void gsl_df(const gsl_vector *v, void *params, gsl_vector *g)
{
    problem_eval(params, v->data, g->data);
}

static void gsl_fdf(const gsl_vector *v, void *params, double *f, gsl_vector *g)
{
    *f = problem_eval(params, v->data, g->data);
    if (!isfinite(*f)) *f = GSL_POSINF;
}

/* Gauss–Newton polish (Levenberg–Marquardt damping; Huber's linear rows by their IRLS
 * weight δ/|r|) from where BFGS stopped: the problem's weak directions make the BFGS
 * line search stop short of the gradient test; a few damped Gauss–Newton steps finish.
 * Returns 1 when the gradient test is met. */
static int polish(const fit_problem *pb, double tol, double *theta, double *f_out,
                  double *gnorm_out, size_t *iter, size_t max_iter)
{
    const size_t np = pb->law->n_params;
    double g[SLT_FIT_MAX_PARAMS], dp[SLT_FIT_MAX_PARAMS];
    double f = problem_eval(pb, theta, g);
    double mu = 1e-8;
    for (int it = 0; it < 60; it++) {
        double gn = 0;
        for (size_t j = 0; j < np; j++) gn += g[j] * g[j];
        gn = sqrt(gn);
        *f_out = f;
        *gnorm_out = gn;
        if (gn <= tol) return 1;
        if (*iter >= max_iter) break; /* the start's iteration budget, BFGS2's included */
        double M[SLT_FIT_MAX_PARAMS * SLT_FIT_MAX_PARAMS] = {0};
        for (size_t i = 0; i < pb->n; i++) {
            const double w = pb->w[i];
            if (w == 0) continue;
            double p = law_logpred(pb->law, theta, pb->lx + i * pb->n_x, dp), c;
            if (pb->obj == SLT_FIT_OBJ_LS) {
                double pr = exp(p);
                c = w * pr * pr;
            } else {
                double r = fabs(pb->ly[i] - p);
                c = (pb->obj == SLT_FIT_OBJ_LS_LOG || r <= pb->delta) ? w : w * pb->delta / r;
            }
            for (size_t a = 0; a < np; a++)
                for (size_t b = 0; b < np; b++) M[a * np + b] += c * dp[a] * dp[b];
        }
        int moved = 0;
        for (int tries = 0; tries < 12 && !moved; tries++, mu *= 10) {
            double A[SLT_FIT_MAX_PARAMS * SLT_FIT_MAX_PARAMS], step[SLT_FIT_MAX_PARAMS];
            memcpy(A, M, np * np * sizeof *A);
            for (size_t a = 0; a < np; a++) A[a * np + a] += mu * (M[a * np + a] + 1e-300);
            gsl_matrix_view Av = gsl_matrix_view_array(A, np, np);
            gsl_vector_view gv = gsl_vector_view_array(g, np), sv = gsl_vector_view_array(step, np);
            if (gsl_linalg_cholesky_decomp1(&Av.matrix) != GSL_SUCCESS) continue;
            if (gsl_linalg_cholesky_solve(&Av.matrix, &gv.vector, &sv.vector) != GSL_SUCCESS)
                continue;
            double t2[SLT_FIT_MAX_PARAMS], g2[SLT_FIT_MAX_PARAMS];
            for (size_t j = 0; j < np; j++) t2[j] = theta[j] - step[j];
            double f2 = problem_eval(pb, t2, g2);
            double gn2 = 0;
            for (size_t j = 0; j < np; j++) gn2 += g2[j] * g2[j];
            if (isfinite(f2) && (f2 < f || (f2 <= f + 1e-15 * fabs(f) && sqrt(gn2) < gn))) {
                memcpy(theta, t2, np * sizeof *t2);
                memcpy(g, g2, np * sizeof *g2);
                f = f2;
                moved = 1;
                mu = mu / 100 > 1e-12 ? mu / 100 : 1e-12;
            }
        }
        (*iter)++;
        if (!moved) break;
    }
    return 0;
}

typedef struct {
    double theta[SLT_FIT_MAX_PARAMS];
    double f, gnorm;
    size_t iter;
    slt_fit_state state;
} fit_start;

/* One start: BFGS2 from s->theta, with up to two restarts (a fresh Hessian estimate)
 * when the line search stops short of the gradient test. mz is this thread's minimiser. */
static void run_start(const fit_problem *pb, gsl_multimin_fdfminimizer *mz, gsl_vector *x,
                      double wsum, size_t max_iter, double gtol, fit_start *s)
{
    const size_t np = pb->law->n_params;
    gsl_multimin_function_fdf fn = {gsl_f, gsl_df, gsl_fdf, np, (void *)pb};
    s->iter = 0;
    s->state = SLT_FIT_MAX_ITER;
    const double tol = gtol * wsum;
    for (int round = 0; round < 3 && s->iter < max_iter; round++) {
        for (size_t j = 0; j < np; j++) gsl_vector_set(x, j, s->theta[j]);
        if (gsl_multimin_fdfminimizer_set(mz, &fn, x, 0.1, 0.1) != GSL_SUCCESS) {
            s->state = SLT_FIT_NO_PROGRESS;
            break;
        }
        int st = GSL_CONTINUE;
        if (gsl_multimin_test_gradient(mz->gradient, tol) == GSL_SUCCESS) st = GSL_SUCCESS;
        while (st == GSL_CONTINUE && s->iter < max_iter) {
            s->iter++;
            int it = gsl_multimin_fdfminimizer_iterate(mz);
            if (it != GSL_SUCCESS) {
                st = it;
                break;
            }
            st = gsl_multimin_test_gradient(mz->gradient, tol);
        }
        for (size_t j = 0; j < np; j++) s->theta[j] = gsl_vector_get(mz->x, j);
        s->f = mz->f;
        s->gnorm = gsl_blas_dnrm2(mz->gradient);
        if (st == GSL_SUCCESS) {
            s->state = SLT_FIT_CONVERGED;
            return;
        }
        s->state = st == GSL_CONTINUE ? SLT_FIT_MAX_ITER : SLT_FIT_NO_PROGRESS;
        if (!isfinite(s->f)) return;
        if (polish(pb, tol, s->theta, &s->f, &s->gnorm, &s->iter, max_iter)) {
            s->state = SLT_FIT_CONVERGED;
            return;
        }
    }
}

/* ---- quantities ----------------------------------------------------------------------- */

static size_t n_quantities(const fit_law_type *law, slt_fit_law id, size_t n_C)
{
    return law->n_params + (id == SLT_FIT_LAW_CHINCHILLA ? 2 + 2 * n_C : 0);
}

/* Reported parameters and derived quantities at θ. */
static void quantities_at(slt_fit_law id, const double *theta, const double *C, size_t n_C,
                          double *q)
{
    const fit_law_type *law = &law_types[id];
    for (size_t j = 0; j < law->n_params; j++)
        q[j] = law->kind[j] == KIND_LOG_AMPLITUDE ? exp(theta[j]) : theta[j];
    if (id == SLT_FIT_LAW_CHINCHILLA) {
        const double A = q[1], B = q[2], al = q[3], be = q[4], s = al + be;
        const double a = be / s, b = al / s;
        q[5] = a;
        q[6] = b;
        /* G = (αA/(βB))^{1/(α+β)}, logs to keep the range */
        const double lG = (log(al) + theta[1] - log(be) - theta[2]) / s;
        for (size_t c = 0; c < n_C; c++) {
            const double lc = log(C[c] / 6.0);
            q[7 + c] = exp(lG + a * lc);
            q[7 + n_C + c] = exp(b * lc - lG);
        }
        (void)A;
        (void)B;
    }
}

static void quantity_names(slt_fit_law id, const double *C, size_t n_C, slt_fit_quantity *q)
{
    const fit_law_type *law = &law_types[id];
    for (size_t j = 0; j < law->n_params; j++)
        snprintf(q[j].name, sizeof q[j].name, "%s", law->param_names[j]);
    if (id == SLT_FIT_LAW_CHINCHILLA) {
        snprintf(q[5].name, sizeof q[5].name, "a");
        snprintf(q[6].name, sizeof q[6].name, "b");
        q[5].derived = q[6].derived = 1;
        for (size_t c = 0; c < n_C; c++) {
            snprintf(q[7 + c].name, sizeof q[7 + c].name, "N_opt(C=%.6g)", C[c]);
            snprintf(q[7 + n_C + c].name, sizeof q[7 + n_C + c].name, "D_opt(C=%.6g)", C[c]);
            q[7 + c].derived = q[7 + n_C + c].derived = 1;
        }
    }
}

double slt_fit_predict(slt_fit_law law, const double *theta, const double *x)
{
    if ((unsigned)law >= SLT_FIT_LAW_COUNT || !theta || !x) return NAN;
    double lx[SLT_FIT_MAX_X];
    for (size_t j = 0; j < law_types[law].n_x; j++) lx[j] = log(x[j]);
    return exp(law_logpred(&law_types[law], theta, lx, NULL));
}

/* ---- counter-based random numbers (splitmix64) ------------------------------------------ */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t stream_seed(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint64_t s = seed;
    uint64_t a = splitmix(&s);
    s = a ^ (stream * 0xD1B54A32D192ED03ULL);
    uint64_t b = splitmix(&s);
    s = b ^ (index + 1) * 0x8CB92BA72F3D8DD7ULL;
    return splitmix(&s);
}

static double uniform01(uint64_t *s) { return (double)(splitmix(s) >> 11) * 0x1.0p-53; }

static size_t uniform_index(uint64_t *s, size_t n)
{
    size_t k = (size_t)(uniform01(s) * (double)n);
    return k < n ? k : n - 1;
}

/* ---- the fit ------------------------------------------------------------------------------ */

void slt_fit_result_free(slt_fit_result *r)
{
    if (!r) return;
    free(r->q);
    r->q = NULL;
    r->n_quantities = 0;
}

static int check_data(const slt_fit_data *d, const slt_fit_params *p)
{
    const char *w = "slt_fit_run";
    const fit_law_type *law = &law_types[p->law];
    if (!d || !d->x || !d->y || !d->line || d->n_rows == 0)
        return slt_error(SLT_EINVAL, "%s: no data", w);
    if (d->n_x != law->n_x)
        return slt_error(SLT_EINVAL, "%s: law %s takes %zu x columns, the data has %zu", w,
                         law->name, law->n_x, d->n_x);
    if (d->n_rows <= law->n_params) {
        char lines[160] = "";
        size_t used = 0;
        for (size_t i = 0; i < d->n_rows && used + 1 < sizeof lines; i++) {
            int k = snprintf(lines + used, sizeof lines - used, "%s%ld", i ? ", " : "",
                             d->line[i]);
            if (k < 0) break;
            used += (size_t)k;
        }
        return slt_error(SLT_EFORMAT, "%s: %zu data row%s (line%s %s): law %s has %zu "
                         "parameters and needs at least %zu rows", d->source ? d->source : "input",
                         d->n_rows, d->n_rows == 1 ? "" : "s", d->n_rows == 1 ? "" : "s", lines,
                         law->name, law->n_params, law->n_params + 1);
    }
    for (size_t j = 0; j < d->n_x; j++) {
        int constant = 1;
        for (size_t i = 1; i < d->n_rows && constant; i++)
            if (d->x[i * d->n_x + j] != d->x[j]) constant = 0;
        if (constant)
            return slt_error(SLT_EFORMAT, "%s: column '%s' is constant (%.17g on every row, "
                             "lines %ld-%ld): the exponent of its term cannot be fitted",
                             d->source ? d->source : "input",
                             d->x_name[j] ? d->x_name[j] : "x", d->x[j], d->line[0],
                             d->line[d->n_rows - 1]);
    }
    /* collinear log x columns (e.g. D = 20 N on every row): their exponents cannot be told
     * apart, as for a constant column. |corr| > 1 − 1e-10 (or a column constant in log
     * after centring) is refused. */
    for (size_t j = 0; j < d->n_x; j++)
        for (size_t k = j + 1; k < d->n_x; k++) {
            double mj = 0, mk = 0, sjj = 0, skk = 0, sjk = 0;
            for (size_t i = 0; i < d->n_rows; i++) {
                mj += log(d->x[i * d->n_x + j]);
                mk += log(d->x[i * d->n_x + k]);
            }
            mj /= (double)d->n_rows;
            mk /= (double)d->n_rows;
            for (size_t i = 0; i < d->n_rows; i++) {
                const double a = log(d->x[i * d->n_x + j]) - mj, b = log(d->x[i * d->n_x + k]) - mk;
                sjj += a * a;
                skk += b * b;
                sjk += a * b;
            }
            const double c = sjk / sqrt(sjj * skk);
            if (!(fabs(c) <= 1 - 1e-10))
                return slt_error(SLT_EFORMAT, "%s: columns '%s' and '%s' are collinear "
                                 "(|corr(log %s, log %s)| = %.12g > 1 - 1e-10 over lines "
                                 "%ld-%ld, e.g. %s proportional to %s): the exponents of their "
                                 "terms cannot be told apart", d->source ? d->source : "input",
                                 d->x_name[j] ? d->x_name[j] : "x", d->x_name[k] ? d->x_name[k] : "x",
                                 d->x_name[j] ? d->x_name[j] : "x", d->x_name[k] ? d->x_name[k] : "x",
                                 fabs(c), d->line[0], d->line[d->n_rows - 1],
                                 d->x_name[k] ? d->x_name[k] : "x", d->x_name[j] ? d->x_name[j] : "x");
        }
    if (p->bootstrap && d->group && d->n_groups < 2)
        return slt_error(SLT_EFORMAT, "%s: column '%s' has one group only: a bootstrap over "
                         "groups needs at least 2", d->source ? d->source : "input",
                         d->group_name ? d->group_name : "group");
    return SLT_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (type 7). */
static double quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 0) return NAN;
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1) return v[n - 1];
    return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* Parameters at a bound in either point (they change no prediction) are not compared. */
static int thetas_distinct(const double *a, const double *b, const int *fa, const int *fb,
                           size_t np)
{
    for (size_t j = 0; j < np; j++)
        if (!fa[j] && !fb[j] && fabs(a[j] - b[j]) > 1e-3 * (1 + fabs(a[j]))) return 1;
    return 0;
}

/* max − min of log x[var] over the rows in use */
static double lx_range(const fit_problem *pb, int var)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < pb->n; i++) {
        if (pb->w[i] == 0) continue;
        const double v = pb->lx[i * pb->n_x + (size_t)var];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
    }
    return hi > lo ? hi - lo : 0;
}

/* at_bound flags of the internal parameters at θ (docs/theory/fit.md §3). */
static int flag_bounds(const fit_problem *pb, const double *theta, int *flag)
{
    const fit_law_type *law = pb->law;
    int any = 0;
    for (size_t j = 0; j < law->n_params; j++) flag[j] = 0;
    for (size_t j = 0; j < law->n_params; j++)
        if (law->kind[j] == KIND_EXPONENT && (!(theta[j] > 0) || theta[j] > FIT_EXPONENT_MAX))
            flag[j] = any = 1;
    for (size_t k = 0; k < law->n_terms; k++) {
        const fit_term *t = &law->terms[k];
        double share = 0; /* the term's largest share of the prediction over the rows */
        for (size_t i = 0; i < pb->n; i++) {
            const double *lx = pb->lx + i * pb->n_x;
            double u = theta[t->amp] - (t->expo >= 0 ? theta[t->expo] * lx[t->var] : 0);
            double sh = exp(u - law_logpred(law, theta, lx, NULL));
            if (sh > share) share = sh;
        }
        if (share < FIT_TERM_NEGLIGIBLE) {
            flag[t->amp] = any = 1;
            if (t->expo >= 0) flag[t->expo] = 1;
        } else if (t->expo >= 0 && theta[t->expo] <= FIT_EXPONENT_MAX &&
                   fabs(theta[t->expo]) * lx_range(pb, t->var) < FIT_TERM_NEGLIGIBLE) {
            /* an exponent so close to 0 that its term changes by less than
             * FIT_TERM_NEGLIGIBLE across the data: the term is a constant, and its
             * amplitude and the constant term's (E) are determined only as a sum */
            flag[t->expo] = flag[t->amp] = any = 1;
            for (size_t c = 0; c < law->n_terms; c++)
                if (law->terms[c].expo < 0) flag[law->terms[c].amp] = 1;
        }
    }
    return any;
}

/* The first term whose exponent is at its bound <= 0 while the term is not negligible
 * (at least FIT_TERM_NEGLIGIBLE of the prediction on some row): the law cannot describe
 * data that rise along that variable. -1 when none. */
static int growing_term(const fit_problem *pb, const double *theta)
{
    const fit_law_type *law = pb->law;
    for (size_t k = 0; k < law->n_terms; k++) {
        const fit_term *t = &law->terms[k];
        /* it grows by more than FIT_TERM_NEGLIGIBLE across the data */
        if (t->expo < 0 || -theta[t->expo] * lx_range(pb, t->var) <= FIT_TERM_NEGLIGIBLE)
            continue;
        for (size_t i = 0; i < pb->n; i++) {
            const double *lx = pb->lx + i * pb->n_x;
            double u = theta[t->amp] - theta[t->expo] * lx[t->var];
            if (exp(u - law_logpred(law, theta, lx, NULL)) >= FIT_TERM_NEGLIGIBLE) return (int)k;
        }
    }
    return -1;
}

/* The internal parameters (bit j) quantity k depends on. */
static unsigned quantity_deps(slt_fit_law id, size_t k, size_t np)
{
    if (k < np) return 1u << k;
    if (id == SLT_FIT_LAW_CHINCHILLA) {
        if (k == 5 || k == 6) return 1u << 3 | 1u << 4; /* a, b: alpha, beta */
        return 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4;   /* N_opt, D_opt: A, B, alpha, beta */
    }
    return 0;
}

/* Gauss–Newton covariance of θ over the parameters not fixed (those at a bound, whose
 * rows are not answers: their rows and columns are 0): s² (JᵀJ)⁻¹ with J the Jacobian of the residuals of the
 * objective's scale (log for huber and ls-log) and s² = Σ w r²/(n − p). 0 or -1. */
static int gauss_newton_cov(const fit_problem *pb, const double *theta, const int *fixed,
                            double *cov)
{
    const size_t np_all = pb->law->n_params;
    size_t idx[SLT_FIT_MAX_PARAMS], np = 0; /* the free parameters */
    for (size_t j = 0; j < np_all; j++)
        if (!fixed[j]) idx[np++] = j;
    for (size_t j = 0; j < np_all * np_all; j++) cov[j] = 0;
    if (np == 0) return -1;
    gsl_matrix *jtj = gsl_matrix_calloc(np, np);
    if (!jtj) return -1;
    double rss = 0, dp[SLT_FIT_MAX_PARAMS];
    size_t n_used = 0;
    for (size_t i = 0; i < pb->n; i++) {
        const double w = pb->w[i];
        if (w == 0) continue;
        n_used++;
        double p = law_logpred(pb->law, theta, pb->lx + i * pb->n_x, dp), r, scale = 1;
        if (pb->obj == SLT_FIT_OBJ_LS) {
            scale = exp(p);
            r = pb->y[i] - scale;
        } else
            r = pb->ly[i] - p;
        rss += w * r * r;
        for (size_t a = 0; a < np; a++)
            for (size_t b = 0; b < np; b++)
                *gsl_matrix_ptr(jtj, a, b) += w * scale * scale * dp[idx[a]] * dp[idx[b]];
    }
    int rc = -1;
    if (n_used > np && gsl_linalg_cholesky_decomp1(jtj) == GSL_SUCCESS &&
        gsl_linalg_cholesky_invert(jtj) == GSL_SUCCESS) {
        const double s2 = rss / (double)(n_used - np);
        for (size_t a = 0; a < np; a++)
            for (size_t b = 0; b < np; b++)
                cov[idx[a] * np_all + idx[b]] = s2 * gsl_matrix_get(jtj, a, b);
        rc = 0;
    }
    gsl_matrix_free(jtj);
    return rc;
}

typedef struct {
    const slt_fit_data *d;
    const slt_fit_params *p;
    const fit_law_type *law;
    fit_problem pb;
    double *lx, *ly, *w, *ys;
    double wsum;
    /* log of the geometric mean of y: the optimiser fits y/g (every amplitude shifted by
     * -log g), so the gradient test and the tolerances do not depend on the scale of y */
    double lscale;
    double centre[SLT_FIT_MAX_X]; /* mean log x: lx is stored centred (conditioning) */
} fit_setup;

/* θ in the law's coordinates <-> the centred coordinates the optimiser works in,
 * u = θ[amp] − θ[expo] (log x − c) + … with θ_c[amp] = θ[amp] − θ[expo] c */
static void to_centred(const fit_setup *s, const double *theta, double *tc)
{
    const fit_law_type *law = s->law;
    memcpy(tc, theta, law->n_params * sizeof *tc);
    for (size_t k = 0; k < law->n_terms; k++) {
        const fit_term *t = &law->terms[k];
        tc[t->amp] -= s->lscale;
        if (t->expo >= 0) tc[t->amp] -= theta[t->expo] * s->centre[t->var];
    }
}

static void from_centred(const fit_setup *s, const double *tc, double *theta)
{
    const fit_law_type *law = s->law;
    memcpy(theta, tc, law->n_params * sizeof *tc);
    for (size_t k = 0; k < law->n_terms; k++) {
        const fit_term *t = &law->terms[k];
        theta[t->amp] += s->lscale;
        if (t->expo >= 0) theta[t->amp] += tc[t->expo] * s->centre[t->var];
    }
}

static void setup_free(fit_setup *s)
{
    free(s->lx);
    free(s->ly);
    free(s->w);
    free(s->ys);
}

/* The objective in the units of y from the one of y/g the optimiser sees. */
static double objective_unscaled(const fit_setup *s, double f)
{
    return s->p->objective == SLT_FIT_OBJ_LS ? f * exp(2 * s->lscale) : f;
}

static int setup_init(fit_setup *s, const slt_fit_data *d, const slt_fit_params *p)
{
    memset(s, 0, sizeof *s);
    s->d = d;
    s->p = p;
    s->law = &law_types[p->law];
    const size_t n = d->n_rows;
    s->lx = malloc(n * d->n_x * sizeof *s->lx);
    s->ly = malloc(n * sizeof *s->ly);
    s->w = malloc(n * sizeof *s->w);
    s->ys = malloc(n * sizeof *s->ys);
    if (!s->lx || !s->ly || !s->w || !s->ys) {
        setup_free(s);
        return slt_error(SLT_ENOMEM, "slt_fit_run: out of memory for %zu rows", n);
    }
    for (size_t j = 0; j < d->n_x; j++) {
        double m = 0;
        for (size_t i = 0; i < n; i++) m += log(d->x[i * d->n_x + j]);
        s->centre[j] = m / (double)n;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d->n_x; j++)
            s->lx[i * d->n_x + j] = log(d->x[i * d->n_x + j]) - s->centre[j];
    for (size_t i = 0; i < n; i++) {
        s->ly[i] = log(d->y[i]);
        s->w[i] = d->w ? d->w[i] : 1.0;
        s->wsum += s->w[i];
    }
    for (size_t i = 0; i < n; i++) s->lscale += s->ly[i];
    s->lscale /= (double)n;
    for (size_t i = 0; i < n; i++) {
        s->ly[i] -= s->lscale;
        s->ys[i] = exp(s->ly[i]);
    }
    s->pb = (fit_problem){s->law, n, d->n_x, s->lx, s->ys, s->ly, s->w, p->objective,
                          p->huber_delta};
    return SLT_OK;
}

slt_fit_state slt_fit_single(const slt_fit_data *d, const slt_fit_params *p, double *theta,
                             double *objective)
{
    fit_setup su;
    if (!d || !p || !theta || check_data(d, p) || setup_init(&su, d, p)) return SLT_FIT_NO_PROGRESS;
    const size_t np = su.law->n_params;
    gsl_multimin_fdfminimizer *mz =
        gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, np);
    gsl_vector *x = gsl_vector_alloc(np);
    fit_start s = {.state = SLT_FIT_NO_PROGRESS};
    if (mz && x) {
        to_centred(&su, theta, s.theta);
        run_start(&su.pb, mz, x, su.wsum, p->max_iter, p->gtol, &s);
        from_centred(&su, s.theta, theta);
        if (objective) *objective = objective_unscaled(&su, s.f);
    }
    gsl_vector_free(x);
    gsl_multimin_fdfminimizer_free(mz);
    setup_free(&su);
    return s.state;
}

/* The start points: the grid, or p->starts random points in the grid's box. */
static void start_point(const fit_law_type *law, const slt_fit_params *p, size_t s, double *theta)
{
    if (p->starts == 0) {
        size_t rest = s;
        for (size_t j = law->n_params; j-- > 0;) {
            size_t k = rest % (size_t)law->grid_n[j];
            rest /= (size_t)law->grid_n[j];
            theta[j] = law->grid_lo[j] + (double)k * law->grid_step[j];
        }
    } else {
        uint64_t st = stream_seed(p->seed, 1, s);
        for (size_t j = 0; j < law->n_params; j++)
            theta[j] = law->grid_lo[j] +
                       uniform01(&st) * (double)(law->grid_n[j] - 1) * law->grid_step[j];
    }
}

int slt_fit_run(const slt_fit_data *d, const slt_fit_params *p, slt_fit_result *res,
                void (*progress)(void *ctx, const char *stage), void *ctx)
{
    const char *where = "slt_fit_run";
    if (!res) return slt_error(SLT_EINVAL, "%s: NULL result", where);
    memset(res, 0, sizeof *res);
    int rc = slt_fit_params_check(p);
    if (rc) return rc;
    if ((rc = check_data(d, p))) return rc;
    fit_setup su;
    if ((rc = setup_init(&su, d, p))) return rc;
    const fit_law_type *law = su.law;
    const size_t np = law->n_params;
    const size_t n_starts = p->theta0 ? 1 : p->starts ? p->starts : slt_fit_law_grid_size(p->law);
    const size_t nq = n_quantities(law, p->law, p->n_C);
    fit_start *starts = calloc(n_starts, sizeof *starts);
    res->q = calloc(nq, sizeof *res->q);
    double *boot = NULL;
    if (!starts || !res->q) goto nomem;
    res->n_quantities = nq;
    res->n_params = np;
    quantity_names(p->law, p->C, p->n_C, res->q);
    for (size_t k = 0; k < nq; k++) {
        res->q[k].estimate = res->q[k].se = res->q[k].ci_lo = res->q[k].ci_hi = NAN;
        res->q[k].alt = NAN;
    }
    res->alt_objective = NAN;

    if (progress) progress(ctx, "multistart");
    int alloc_failed = 0;
#pragma omp parallel reduction(| : alloc_failed)
    {
        gsl_multimin_fdfminimizer *mz =
            gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, np);
        gsl_vector *x = gsl_vector_alloc(np);
        if (!mz || !x) alloc_failed = 1;
#pragma omp for schedule(dynamic, 4)
        for (size_t s = 0; s < n_starts; s++) {
            if (!mz || !x) {
                starts[s].state = SLT_FIT_NO_PROGRESS;
                starts[s].f = NAN;
                continue;
            }
            double t0[SLT_FIT_MAX_PARAMS];
            if (p->theta0) memcpy(t0, p->theta0, np * sizeof *t0);
            else start_point(law, p, s, t0);
            to_centred(&su, t0, starts[s].theta);
            run_start(&su.pb, mz, x, su.wsum, p->max_iter, p->gtol, &starts[s]);
        }
        gsl_vector_free(x);
        gsl_multimin_fdfminimizer_free(mz);
    }
    if (alloc_failed) goto nomem;

    /* reduce in start order: the lowest objective of all starts is the estimate; it is
     * an answer only when that start met the gradient test */
    long best = -1;
    for (size_t s = 0; s < n_starts; s++) {
        if (starts[s].state == SLT_FIT_CONVERGED) res->starts_converged++;
        if (isfinite(starts[s].f) && (best < 0 || starts[s].f < starts[best].f ||
                                      (starts[s].f == starts[best].f &&
                                       starts[s].state == SLT_FIT_CONVERGED &&
                                       starts[best].state != SLT_FIT_CONVERGED)))
            best = (long)s;
    }
    res->starts_run = n_starts;
    if (best < 0 || starts[best].state != SLT_FIT_CONVERGED) {
        res->state = best >= 0 ? starts[best].state : SLT_FIT_NO_PROGRESS;
        res->objective = NAN;
        if (best >= 0)
            rc = slt_error(SLT_ENOCONV, "%s: the best of %zu starts (objective %.17g) did not "
                           "meet the gradient test |grad| <= gtol*sum(w) = %.3g: |grad| = %.3g "
                           "(%s after %zu iterations; %zu starts converged, to higher objectives)",
                           where, n_starts, objective_unscaled(&su, starts[best].f), p->gtol * su.wsum, starts[best].gnorm,
                           slt_fit_state_to_string(starts[best].state), starts[best].iter,
                           res->starts_converged);
        else
            rc = slt_error(SLT_ENOCONV, "%s: no start gave a finite objective", where);
        goto done;
    }
    const fit_start *b = &starts[best];
    from_centred(&su, b->theta, res->theta);
    res->objective = objective_unscaled(&su, b->f);
    res->grad_norm = b->gnorm;
    res->iterations = b->iter;
    res->state = SLT_FIT_CONVERGED;
    double qv[64], qa[64];
    quantities_at(p->law, res->theta, p->C, p->n_C, qv); /* law coordinates */
    for (size_t k = 0; k < nq; k++) res->q[k].estimate = qv[k];

    /* a distinct optimum with an objective within the tolerance */
    const double ftol = 1e-6 * fabs(b->f) + 1e-12 * su.wsum;
    int flags[SLT_FIT_MAX_PARAMS], fs[SLT_FIT_MAX_PARAMS];
    const int at_bound = flag_bounds(&su.pb, b->theta, flags);
    const int grows = growing_term(&su.pb, b->theta);
    if (grows >= 0) {
        /* an exponent at its bound <= 0 while its term matters: the loss rises with x */
        const fit_term *t = &law->terms[grows];
        const char *col = d->x_name[t->var] ? d->x_name[t->var] : "x";
        res->state = SLT_FIT_BAD_LAW;
        for (size_t k = 0; k < nq; k++) res->q[k].estimate = NAN;
        rc = slt_error(SLT_ENOCONV, "law %s does not describe the data: its %s-term grows "
                       "(the best fit has exponent %s = %.6g <= 0 on column '%s', a term that is "
                       "not negligible: the loss rises with '%s'); values nan",
                       law->name, col, law->param_names[t->expo], b->theta[t->expo], col, col);
        goto done;
    }
    long alt = -1;
    for (size_t s = 0; s < n_starts; s++) {
        if (starts[s].state != SLT_FIT_CONVERGED || (long)s == best) continue;
        if (starts[s].f - b->f > ftol) continue;
        flag_bounds(&su.pb, starts[s].theta, fs);
        if (!thetas_distinct(b->theta, starts[s].theta, flags, fs, np)) continue;
        if (alt < 0 || starts[s].f < starts[alt].f) alt = (long)s;
    }
    if (at_bound)
        for (size_t j = 0; j < np; j++) res->q[j].at_bound = flags[j];
    if (alt >= 0) {
        /* the data do not single out one optimum: both are named, neither is an answer */
        res->state = SLT_FIT_MULTIPLE;
        res->alt_objective = objective_unscaled(&su, starts[alt].f);
        double ta[SLT_FIT_MAX_PARAMS];
        from_centred(&su, starts[alt].theta, ta);
        quantities_at(p->law, ta, p->C, p->n_C, qa);
        char v1[256] = "", v2[256] = "";
        size_t u1 = 0, u2 = 0;
        for (size_t j = 0; j < np; j++) {
            int k1 = snprintf(v1 + u1, sizeof v1 - u1, "%s%s = %.8g", j ? ", " : "",
                              res->q[j].name, qv[j]);
            int k2 = snprintf(v2 + u2, sizeof v2 - u2, "%s%s = %.8g", j ? ", " : "",
                              res->q[j].name, qa[j]);
            if (k1 > 0 && u1 + (size_t)k1 < sizeof v1) u1 += (size_t)k1;
            if (k2 > 0 && u2 + (size_t)k2 < sizeof v2) u2 += (size_t)k2;
        }
        for (size_t k = 0; k < nq; k++) {
            res->q[k].alt = qa[k];
            res->q[k].estimate = NAN;
            res->q[k].state = SLT_FIT_MULTIPLE;
        }
        rc = slt_error(SLT_ENOCONV, "%s: two distinct optima with objectives %.10g and %.10g "
                       "(within the tolerance 1e-6 relative): (%s) and (%s); the data do not "
                       "single out one: values nan (alt_estimate holds the second)", where,
                       res->objective, res->alt_objective, v1, v2);
        goto done;
    }

    /* uncertainty: Gauss–Newton always (the cheap alternative), bootstrap when asked */
    const double z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * p->level);
    double cov[SLT_FIT_MAX_PARAMS * SLT_FIT_MAX_PARAMS];
    if (gauss_newton_cov(&su.pb, b->theta, flags, cov) == 0) { /* centred coordinates */
        res->ci_method = 2;
        double grad[64][SLT_FIT_MAX_PARAMS];
        for (size_t j = 0; j < np; j++) {
            double tp[SLT_FIT_MAX_PARAMS], tm[SLT_FIT_MAX_PARAMS], qp[64], qm[64];
            const double h = 1e-6 * (1 + fabs(b->theta[j]));
            double cp[SLT_FIT_MAX_PARAMS], cm[SLT_FIT_MAX_PARAMS];
            memcpy(cp, b->theta, np * sizeof *cp);
            memcpy(cm, b->theta, np * sizeof *cm);
            cp[j] += h;
            cm[j] -= h;
            from_centred(&su, cp, tp);
            from_centred(&su, cm, tm);
            quantities_at(p->law, tp, p->C, p->n_C, qp);
            quantities_at(p->law, tm, p->C, p->n_C, qm);
            for (size_t k = 0; k < nq; k++) grad[k][j] = (qp[k] - qm[k]) / (2 * h);
        }
        for (size_t k = 0; k < nq; k++) {
            double v = 0;
            for (size_t a = 0; a < np; a++)
                for (size_t c = 0; c < np; c++) v += grad[k][a] * cov[a * np + c] * grad[k][c];
            res->q[k].se = v >= 0 ? sqrt(v) : NAN;
            res->q[k].ci_lo = res->q[k].estimate - z * res->q[k].se;
            res->q[k].ci_hi = res->q[k].estimate + z * res->q[k].se;
        }
    }

    if (p->bootstrap) {
        if (progress) progress(ctx, "bootstrap");
        const size_t B = p->bootstrap, n = d->n_rows;
        boot = malloc(B * nq * sizeof *boot);
        unsigned char *ok = calloc(B, 1);
        size_t *xid = malloc(n * sizeof *xid); /* the first row with the same x point */
        if (!boot || !ok || !xid) {
            free(ok);
            free(xid);
            goto nomem;
        }
        for (size_t i = 0; i < n; i++) {
            xid[i] = i;
            for (size_t k = 0; k < i; k++)
                if (memcmp(d->x + k * d->n_x, d->x + i * d->n_x, d->n_x * sizeof *d->x) == 0) {
                    xid[i] = k;
                    break;
                }
        }
        alloc_failed = 0;
#pragma omp parallel reduction(| : alloc_failed)
        {
            gsl_multimin_fdfminimizer *mz =
                gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, np);
            gsl_vector *x = gsl_vector_alloc(np);
            double *w = malloc(n * sizeof *w);
            size_t *count = calloc(d->group ? d->n_groups : n, sizeof *count);
            unsigned char *seen = malloc(n);
            if (!mz || !x || !w || !count || !seen) alloc_failed = 1;
#pragma omp for schedule(dynamic, 4)
            for (size_t r = 0; r < B; r++) {
                if (!mz || !x || !w || !count || !seen) continue;
                uint64_t st = stream_seed(p->seed, 2, r);
                const size_t units = d->group ? d->n_groups : n;
                memset(count, 0, units * sizeof *count);
                for (size_t u = 0; u < units; u++) count[uniform_index(&st, units)]++;
                for (size_t i = 0; i < n; i++)
                    w[i] = su.w[i] * (double)count[d->group ? d->group[i] : i];
                fit_problem pb = su.pb;
                pb.w = w;
                double ws = 0;
                for (size_t i = 0; i < n; i++) ws += w[i];
                fit_start s;
                memcpy(s.theta, b->theta, np * sizeof *s.theta);
                run_start(&pb, mz, x, ws, p->max_iter, p->gtol, &s);
                /* a resample with fewer distinct x points than parameters + 1 cannot
                 * determine the law (it interpolates): a failed refit */
                size_t distinct = 0;
                memset(seen, 0, n);
                for (size_t i = 0; i < n; i++)
                    if (w[i] > 0 && !seen[xid[i]]) {
                        seen[xid[i]] = 1;
                        distinct++;
                    }
                ok[r] = s.state == SLT_FIT_CONVERGED && distinct > np;
                double tr[SLT_FIT_MAX_PARAMS];
                from_centred(&su, s.theta, tr);
                quantities_at(p->law, tr, p->C, p->n_C, boot + r * nq);
            }
            free(seen);
            free(count);
            free(w);
            gsl_vector_free(x);
            gsl_multimin_fdfminimizer_free(mz);
        }
        free(xid);
        if (alloc_failed) {
            free(ok);
            goto nomem;
        }
        res->bootstrap_run = B;
        size_t m = 0;
        for (size_t r = 0; r < B; r++)
            if (ok[r]) {
                if (m != r) memmove(boot + m * nq, boot + r * nq, nq * sizeof *boot);
                m++;
            }
        free(ok);
        res->bootstrap_converged = m;
        if (m >= 2) {
            res->ci_method = 1;
            double *col = malloc(m * sizeof *col);
            if (!col) goto nomem;
            for (size_t k = 0; k < nq; k++) {
                double mean = 0, var = 0;
                for (size_t r = 0; r < m; r++) {
                    col[r] = boot[r * nq + k];
                    mean += col[r];
                }
                mean /= (double)m;
                for (size_t r = 0; r < m; r++) var += (col[r] - mean) * (col[r] - mean);
                qsort(col, m, sizeof *col, cmp_double);
                res->q[k].se = sqrt(var / (double)(m - 1));
                res->q[k].ci_lo = quantile_sorted(col, m, 0.5 - 0.5 * p->level);
                res->q[k].ci_hi = quantile_sorted(col, m, 0.5 + 0.5 * p->level);
            }
            free(col);
        }
    }
    /* the rule of the project: a row is ok only when it was computed and has an error
     * estimate. A parameter at a bound (and every derived row that depends on it), or a
     * row whose se could not be computed, is nan with a status saying why. */
    for (size_t k = 0; k < nq; k++) {
        slt_fit_quantity *q = &res->q[k];
        unsigned deps = quantity_deps(p->law, k, np);
        int bound = 0;
        for (size_t j = 0; j < np; j++)
            if ((deps >> j & 1u) && flags[j]) bound = 1;
        if (bound) {
            q->state = SLT_FIT_AT_BOUND;
            q->at_bound = 1;
        } else if (!isfinite(q->se) || !isfinite(q->estimate))
            q->state = SLT_FIT_NO_ERROR;
        if (q->state != SLT_FIT_CONVERGED) {
            q->estimate = q->se = q->ci_lo = q->ci_hi = NAN;
            if (res->state == SLT_FIT_CONVERGED || (res->state == SLT_FIT_NO_ERROR && bound))
                res->state = q->state;
        }
    }
    rc = SLT_OK;
    goto done;
nomem:
    rc = slt_error(SLT_ENOMEM, "%s: out of memory", where);
done:
    free(boot);
    free(starts);
    setup_free(&su);
    if (rc != SLT_OK && rc != SLT_ENOCONV) slt_fit_result_free(res);
    return rc;
}
