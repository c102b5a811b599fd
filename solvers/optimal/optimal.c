/* The compute-optimal optimiser (slt/optimal.h): cost models, parameters, the
 * one-dimensional minimisation along the budget's constraint, the frontier's slopes and
 * the exponent table's predictions. Equations: docs/theory/optimal.md §2–§4. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include "slt/exponents.h"
#include "slt/optimal.h"

/* ---- Cost models ------------------------------------------------------------------ */

int slt_optimal_cost_check(const slt_optimal_cost *cost)
{
    const char *w = "slt_optimal_cost_check";
    if (!cost) return slt_error(SLT_EINVAL, "%s: NULL cost", w);
    if (cost->kind != SLT_OPTIMAL_COST_NT && cost->kind != SLT_OPTIMAL_COST_CND &&
        cost->kind != SLT_OPTIMAL_COST_POWER)
        return slt_error(SLT_EINVAL, "%s: kind = %d is not a cost model", w, (int)cost->kind);
    int rc = slt_check_range(w, "c", cost->c, 0, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(w, "p", cost->p, 0, 1, INFINITY, 1);
    return rc;
}

int slt_optimal_cost_parse(const char *text, slt_optimal_cost *out)
{
    const char *forms = "expected nt, 6nd, nd:c with c > 0, or power:p with p > 0";
    if (!text || !out) return slt_error(SLT_EINVAL, "slt_optimal_cost_parse: NULL argument");
    slt_optimal_cost c = {SLT_OPTIMAL_COST_NT, 1, 1};
    char *end = NULL;
    if (strcmp(text, "nt") == 0) {
        *out = c;
        return SLT_OK;
    }
    if (strcmp(text, "6nd") == 0) {
        c.kind = SLT_OPTIMAL_COST_CND;
        c.c = 6;
        *out = c;
        return SLT_OK;
    }
    double v = NAN;
    if (strncmp(text, "nd:", 3) == 0) {
        c.kind = SLT_OPTIMAL_COST_CND;
        v = strtod(text + 3, &end);
        c.c = v;
    } else if (strncmp(text, "power:", 6) == 0) {
        c.kind = SLT_OPTIMAL_COST_POWER;
        v = strtod(text + 6, &end);
        c.p = v;
    } else {
        return slt_error(SLT_EINVAL, "cost '%s' is not a cost model (%s)", text, forms);
    }
    if (!end || *end || end == text + (c.kind == SLT_OPTIMAL_COST_CND ? 3 : 6) ||
        !(v > 0) || !isfinite(v))
        return slt_error(SLT_EINVAL, "cost '%s': the number is out of range (%s, finite)",
                         text, forms);
    *out = c;
    return SLT_OK;
}

int slt_optimal_cost_name(const slt_optimal_cost *cost, char *buf, size_t size)
{
    if (!cost || !buf || size == 0) return slt_error(SLT_EINVAL, "slt_optimal_cost_name: NULL");
    int k;
    if (cost->kind == SLT_OPTIMAL_COST_NT) k = snprintf(buf, size, "nt");
    else if (cost->kind == SLT_OPTIMAL_COST_CND) k = snprintf(buf, size, "nd:%.17g", cost->c);
    else k = snprintf(buf, size, "power:%.17g", cost->p);
    if (k < 0 || (size_t)k >= size)
        return slt_error(SLT_EINVAL, "slt_optimal_cost_name: buffer of %zu bytes too small", size);
    return SLT_OK;
}

double slt_optimal_cost_resource(const slt_optimal_cost *cost, double C, double N)
{
    return C / (cost->c * pow(N, cost->p));
}

/* ---- Parameters ------------------------------------------------------------------- */

enum { R_N_LO, R_N_HI, R_GRID, R_TOL, R_ITER, R_COUNT };
static const slt_param_range ranges[R_COUNT] = {
    {"N_lo", 1, INFINITY, 0, 1, 0},
    {"N_hi", 1, INFINITY, 1, 1, 0},
    {"grid_per_decade", 2, 200, 0, 0, 1},
    {"tol", 1e-8, 0.1, 0, 0, 0},
    {"max_iter", 1, 1000, 0, 0, 1},
};

const slt_param_range *slt_optimal_param_range(const char *field)
{
    if (!field) return NULL;
    for (size_t i = 0; i < R_COUNT; i++)
        if (strcmp(field, ranges[i].field) == 0) return &ranges[i];
    return NULL;
}

slt_optimal_params slt_optimal_params_default(void)
{
    return (slt_optimal_params){.N_lo = 1, .N_hi = 1e12, .grid_per_decade = 4, .tol = 1e-4,
                                .max_iter = 100};
}

int slt_optimal_params_check(const slt_optimal_params *p)
{
    const char *w = "slt_optimal_params_check";
    if (!p) return slt_error(SLT_EINVAL, "%s: NULL params", w);
    int rc;
    if ((rc = slt_param_range_check(w, &ranges[R_N_LO], p->N_lo))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_N_HI], p->N_hi))) return rc;
    if (!(p->N_lo < p->N_hi))
        return slt_error(SLT_EINVAL, "%s: the N range %.17g .. %.17g is empty (expected N_lo "
                         "< N_hi)", w, p->N_lo, p->N_hi);
    if ((rc = slt_param_range_check(w, &ranges[R_GRID], p->grid_per_decade))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_TOL], p->tol))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_ITER], p->max_iter))) return rc;
    return SLT_OK;
}

const char *slt_optimal_bound_to_string(slt_optimal_bound b)
{
    switch (b) {
    case SLT_OPTIMAL_INSIDE: return "inside";
    case SLT_OPTIMAL_AT_N_LO: return "at-N-lo";
    case SLT_OPTIMAL_AT_N_HI: return "at-N-hi";
    case SLT_OPTIMAL_AT_X_MIN: return "at-x-min";
    case SLT_OPTIMAL_DEGENERATE: return "degenerate";
    }
    return NULL;
}

/* ---- One budget ------------------------------------------------------------------- */

typedef struct {
    slt_optimal_provider *prov;
    const slt_optimal_cost *cost;
    double C;
    int status;      /* first failure inside a GSL callback */
    size_t evals;
    double last_err; /* the error of the last value */
    size_t diverged; /* evaluations at +inf */
    double div_lo, div_hi;
} line;

/* f(u) = L(e^u, x(C, e^u)); +inf where the provider says the loss diverges. */
static int line_eval(line *ln, double u, double *f, double *err)
{
    const double N = exp(u);
    double x = slt_optimal_cost_resource(ln->cost, ln->C, N);
    const double xm = slt_optimal_provider_x_min(ln->prov);
    if (x < xm) x = xm; /* the last ulp of the feasible range */
    ln->evals++;
    int rc = slt_optimal_provider_loss(ln->prov, N, x, f, err);
    if (rc == SLT_EDIVERGE) {
        *f = INFINITY;
        *err = 0;
        if (!ln->diverged || N < ln->div_lo) ln->div_lo = N;
        if (!ln->diverged || N > ln->div_hi) ln->div_hi = N;
        ln->diverged++;
        return SLT_OK;
    }
    if (!rc && !isfinite(*f))
        rc = slt_error(SLT_ELOSS, "%s: L(N = %.17g, %s = %.17g) came out as %g",
                       slt_optimal_provider_get_type(ln->prov)->name, N,
                       slt_optimal_provider_get_type(ln->prov)->resource, x, *f);
    return rc;
}

static double gsl_line(double u, void *ctx)
{
    line *ln = ctx;
    double f, e;
    if (ln->status) return DBL_MAX;
    int rc = line_eval(ln, u, &f, &e);
    if (rc) {
        ln->status = rc;
        return DBL_MAX;
    }
    ln->last_err = e;
    return isfinite(f) ? f : DBL_MAX;
}

static void point_nan(slt_optimal_point *o, double C)
{
    *o = (slt_optimal_point){.C = C};
    o->N = o->N_err = o->x = o->x_err = o->L = o->L_err = o->curvature = NAN;
    o->slope_N = o->slope_N_err = o->slope_x = o->slope_x_err = NAN;
    o->slope_L = o->slope_L_err = NAN;
    o->N_bound = o->L_bound = o->N2 = o->L2 = NAN;
    o->div_N_lo = o->div_N_hi = NAN;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Newton step on the central-difference derivative with step h, taken at the centre
 * c = u moved inside [lo + h, hi − h] (the stencil never leaves the range). */
static int polish(line *ln, double u, double h, double lo, double hi, double curv,
                  double *u_new)
{
    double fp, fm, e;
    const double c = clampd(u, lo + h, hi - h);
    int rc = line_eval(ln, c + h, &fp, &e);
    if (!rc) rc = line_eval(ln, c - h, &fm, &e);
    if (rc) return rc;
    *u_new = c - (fp - fm) / (2 * h) / curv;
    return SLT_OK;
}

/* a refined minimum */
typedef struct {
    double u, u_err, L, L_err, curv;
} cand;

/* Refine the minimum bracketed by a < u < b (f(u) below both ends when strict; a flat
 * triple otherwise) inside the segment [lo, hi]: Brent, then curvature and Newton polish
 * on stencils kept inside [lo, hi]. */
static int refine(line *ln, const slt_optimal_params *p, double lo, double hi, double a,
                  double u, double b, int strict, cand *out)
{
    const char *w = "slt_optimal_solve";
    const double C = ln->C;
    int rc;
    double fu, e0;
    if (strict) {
        gsl_min_fminimizer *s = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        if (!s) return slt_error(SLT_ENOMEM, "%s: out of memory", w);
        gsl_function F = {gsl_line, ln};
        int g = gsl_min_fminimizer_set(s, &F, u, a, b);
        int it = 0, done = 0;
        while (g == GSL_SUCCESS && !ln->status && it < p->max_iter) {
            it++;
            g = gsl_min_fminimizer_iterate(s);
            if (g != GSL_SUCCESS) break;
            if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(s),
                                      gsl_min_fminimizer_x_upper(s), p->tol, 0) == GSL_SUCCESS) {
                done = 1;
                break;
            }
        }
        u = gsl_min_fminimizer_x_minimum(s);
        gsl_min_fminimizer_free(s);
        if (ln->status) return ln->status;
        if (!done)
            return slt_error(SLT_ENOCONV, "%s: at C = %.17g Brent did not reach tol = %g in "
                             "ln N within %d iterations (gsl status %d)", w, C, p->tol,
                             p->max_iter, g);
    }
    /* curvature on a stencil of half-width H inside [lo, hi] (shrunk, then shifted) */
    const double H = fmin(0.05, 0.25 * (hi - lo)), h = fmin(1e-4, 0.1 * H);
    const double cH = clampd(u, lo + H, hi - H);
    double fH[3], eH;
    rc = line_eval(ln, u, &fu, &e0);
    fH[2] = fu;
    if (!rc && cH != u) rc = line_eval(ln, cH, &fH[2], &eH);
    if (!rc) rc = line_eval(ln, cH + H, &fH[0], &eH);
    if (!rc) rc = line_eval(ln, cH - H, &fH[1], &eH);
    if (rc) return rc;
    const double curv = (fH[0] - 2 * fH[2] + fH[1]) / (H * H);
    if (!(curv > 0) || !isfinite(curv))
        return slt_error(SLT_ENOCONV, "%s: at C = %.17g the loss has no positive curvature at "
                         "its minimum N = %.17g (d2L/d(ln N)^2 = %g): the optimum is not "
                         "resolved", w, C, exp(u), curv);
    double u1, u2;
    rc = polish(ln, u, h, lo, hi, curv, &u1);
    if (!rc) rc = polish(ln, u, 2 * h, lo, hi, curv, &u2);
    if (rc) return rc;
    double spread;
    if (fabs(u1 - u) <= 10 * p->tol + 10 * h && u1 > a && u1 < b && u1 >= lo && u1 <= hi) {
        spread = fabs(u1 - u2) + 0.01 * fabs(u1 - u) + fabs(u - cH) * 0.01;
        u = u1;
        rc = line_eval(ln, u, &fu, &e0);
        if (rc) return rc;
    } else {
        /* the polish left the bracket: Brent's interval stands, or without Brent (a flat
         * triple on the grid) the grid's cell */
        spread = strict ? p->tol : 0.5 * (b - a);
    }
    if (!isfinite(fu))
        return slt_error(SLT_ELOSS, "%s: at C = %.17g the loss at the minimum N = %.17g is %g",
                         w, C, exp(u), fu);
    out->u = u;
    out->u_err = spread + sqrt(2 * e0 / curv);
    out->L = fu;
    out->L_err = e0 + 0.5 * curv * out->u_err * out->u_err;
    out->curv = curv;
    return SLT_OK;
}

/* One side of the range [lo, hi] (the whole range, or a side of a pole): the grid, every
 * strict local minimum refined (cands), and the ends that are a bound of the range with
 * a grid value below their neighbour (ends[0], ends[1]: u and f, NaN when not). */
typedef struct {
    cand c[64];
    size_t n;
    double end_u[2], end_f[2];
} found;

static int scan(line *ln, const slt_optimal_params *p, double lo, double hi, int lo_is_bound,
                int hi_is_bound, found *fd)
{
    const char *w = "slt_optimal_solve";
    const double du_max = log(10.0) / p->grid_per_decade;
    size_t m = (size_t)ceil((hi - lo) / du_max) + 1;
    if (m < 5) m = 5;
    double *f = malloc(m * sizeof *f);
    if (!f) return slt_error(SLT_ENOMEM, "%s: out of memory", w);
    const double du = (hi - lo) / (double)(m - 1);
    int rc = SLT_OK;
#define GU(j) ((j) + 1 == m ? hi : lo + du * (double)(j))
    for (size_t j = 0; j < m && !rc; j++) {
        double e;
        rc = line_eval(ln, GU(j), &f[j], &e);
    }
    size_t jflat = m; /* the grid's smallest value when it is a flat (non-strict) minimum */
    {
        size_t jb = m;
        for (size_t j = 0; j < m && !rc; j++)
            if (isfinite(f[j]) && (jb == m || f[j] < f[jb])) jb = j;
        if (jb != m && jb > 0 && jb + 1 < m && !(f[jb] < f[jb - 1] && f[jb] < f[jb + 1]))
            jflat = jb;
    }
    for (size_t j = 1; j + 1 < m && !rc; j++) {
        const int strict = isfinite(f[j]) && f[j] < f[j - 1] && f[j] < f[j + 1];
        if (!strict && j != jflat) continue;
        if (fd->n == sizeof fd->c / sizeof fd->c[0]) {
            rc = slt_error(SLT_ENOCONV, "%s: at C = %.17g the loss has more than %zu local "
                           "minima on the grid", w, ln->C, fd->n);
            break;
        }
        const double a = GU(j - 1), b = GU(j + 1);
        rc = refine(ln, p, lo, hi, a, GU(j), b, strict, &fd->c[fd->n]);
        if (!rc) fd->n++;
    }
    for (int k = 0; k < 2 && !rc; k++) {
        const size_t j = k == 0 ? 0 : m - 1, jn = k == 0 ? 1 : m - 2;
        fd->end_u[k] = fd->end_f[k] = NAN;
        if (!(k == 0 ? lo_is_bound : hi_is_bound) || !isfinite(f[j]) || !(f[j] < f[jn]))
            continue;
        /* a minimum near the bound: look for a lower value ever closer to the end
         * (d = du/2, du/4, ...); the first one found brackets an interior minimum
         * (end, end ± d, end ± 2d), else the minimum is at the bound within tol */
        const double s = k == 0 ? 1 : -1, ue = GU(j);
        int inner = 0;
        for (double d = 0.5 * du; d >= 0.5 * p->tol && !rc; d *= 0.5) {
            double fv, e;
            rc = line_eval(ln, ue + s * d, &fv, &e);
            if (rc || !(fv < f[j])) continue;
            if (fd->n == sizeof fd->c / sizeof fd->c[0]) break;
            rc = refine(ln, p, lo, hi, k == 0 ? ue : ue - 2 * d, ue + s * d,
                        k == 0 ? ue + 2 * d : ue, 1, &fd->c[fd->n]);
            if (!rc) {
                /* the refined minimum within tol of the bound is the bound */
                if (fabs(fd->c[fd->n].u - ue) > p->tol) inner = 1, fd->n++;
            }
            break;
        }
        if (!rc && !inner) fd->end_u[k] = ue, fd->end_f[k] = f[j];
    }
#undef GU
    free(f);
    return rc;
}

static int solve_impl(slt_optimal_provider *prov, const slt_optimal_cost *cost,
                      const slt_optimal_params *p, double C, slt_optimal_point *out, line *ln)
{
    const char *w = "slt_optimal_solve";
    const slt_optimal_provider_type *ty = slt_optimal_provider_get_type(prov);
    const double xm = slt_optimal_provider_x_min(prov);
    double u_lo = log(p->N_lo), u_hi = log(p->N_hi);
    slt_optimal_bound hi_bound = SLT_OPTIMAL_AT_N_HI;
    if (xm > 0) {
        const double u_max = log(C / (cost->c * xm)) / cost->p; /* x(N) = x_min */
        if (u_max < u_hi) {
            u_hi = u_max;
            hi_bound = SLT_OPTIMAL_AT_X_MIN;
        }
    }
    if (!(u_hi > u_lo)) {
        char cn[64] = "?";
        slt_optimal_cost_name(cost, cn, sizeof cn);
        return slt_error(SLT_EINVAL, "%s: budget C = %.17g is too small: at the smallest width "
                         "N_lo = %.17g the cost %s leaves %s = %.17g, less than one step (%s >= "
                         "%.17g)", w, C, p->N_lo, cn, ty->resource,
                         slt_optimal_cost_resource(cost, C, p->N_lo), ty->resource, xm);
    }
    /* the sides: split at the pole N = x, i.e. N^{1+p} = C/c, when inside the range; the
     * pole's neighbourhood (1e-3 in ln N, where the loss is huge) is left out */
    double seg[2][2] = {{u_lo, u_hi}, {0, 0}};
    int nseg = 1, bnd[2][2] = {{1, 1}, {0, 0}};
    if (ty->pole_at_x_eq_N) {
        const double up = log(C / cost->c) / (1 + cost->p), gap = 1e-3;
        if (up - gap > u_lo && up + gap < u_hi) {
            seg[0][1] = up - gap;
            seg[1][0] = up + gap;
            seg[1][1] = u_hi;
            bnd[0][1] = 0;
            bnd[1][0] = 0;
            bnd[1][1] = 1;
            nseg = 2;
        }
    }
    found fd[2];
    cand all[128];
    size_t na = 0;
    double end_u[2] = {NAN, NAN}, end_f[2] = {NAN, NAN};
    for (int s = 0; s < nseg; s++) {
        fd[s].n = 0;
        int rc = scan(ln, p, seg[s][0], seg[s][1], bnd[s][0], bnd[s][1], &fd[s]);
        if (rc) return rc;
        for (size_t i = 0; i < fd[s].n; i++) all[na++] = fd[s].c[i];
        for (int k = 0; k < 2; k++)
            if (bnd[s][k] && isfinite(fd[s].end_f[k])) end_u[k] = fd[s].end_u[k], end_f[k] = fd[s].end_f[k];
    }
    /* the best refined minimum, and the runner-up of another place */
    size_t ib = na, i2 = na;
    for (size_t i = 0; i < na; i++)
        if (ib == na || all[i].L < all[ib].L) ib = i;
    for (size_t i = 0; i < na; i++) {
        if (i == ib || fabs(all[i].u - all[ib].u) <= all[i].u_err + all[ib].u_err + p->tol)
            continue;
        if (i2 == na || all[i].L < all[i2].L) i2 = i;
    }
    /* a bound whose value lies below every refined minimum */
    int kb = -1;
    for (int k = 0; k < 2; k++)
        if (isfinite(end_f[k]) && (ib == na || end_f[k] < all[ib].L - all[ib].L_err) &&
            (kb < 0 || end_f[k] < end_f[kb]))
            kb = k;
    if (kb >= 0) {
        out->bound = kb == 0 ? SLT_OPTIMAL_AT_N_LO : hi_bound;
        out->N_bound = exp(end_u[kb]);
        out->L_bound = end_f[kb];
        return slt_error(SLT_EDOM, "%s: at C = %.17g the smallest loss lies at the %s of the N "
                         "range, N = %.17g (%s = %.17g)%s", w, C,
                         kb == 0 ? "lower bound" : "upper bound", out->N_bound, ty->resource,
                         slt_optimal_cost_resource(cost, C, out->N_bound),
                         out->bound == SLT_OPTIMAL_AT_X_MIN ? ": one step; a larger budget is "
                         "needed" : kb == 0 ? ": lower N_lo" : ": raise N_hi");
    }
    if (ib == na)
        return slt_error(SLT_EDIVERGE, "%s: at C = %.17g the loss diverges at every width of "
                         "the grid", w, C);
    if (i2 != na && fabs(all[i2].L - all[ib].L) <= all[i2].L_err + all[ib].L_err) {
        const cand *c1 = all[ib].u < all[i2].u ? &all[ib] : &all[i2];
        const cand *c2 = c1 == &all[ib] ? &all[i2] : &all[ib];
        out->bound = SLT_OPTIMAL_DEGENERATE;
        out->N_bound = exp(c1->u);
        out->L_bound = c1->L;
        out->N2 = exp(c2->u);
        out->L2 = c2->L;
        return slt_error(SLT_EDOM, "%s: at C = %.17g the optimum is degenerate: N = %.8g (L = "
                         "%.10g +- %.2g) and N = %.8g (L = %.10g +- %.2g) are equally good "
                         "within their errors", w, C, out->N_bound, c1->L, c1->L_err, out->N2,
                         c2->L, c2->L_err);
    }
    const cand *c = &all[ib];
    out->N = exp(c->u);
    out->N_err = out->N * expm1(c->u_err);
    out->x = slt_optimal_cost_resource(cost, C, out->N);
    out->x_err = out->x * expm1(cost->p * c->u_err);
    out->L = c->L;
    out->L_err = c->L_err;
    out->curvature = c->curv;
    out->bound = SLT_OPTIMAL_INSIDE;
    if (!isfinite(out->L) || !isfinite(out->L_err)) {
        const double L = out->L, Le = out->L_err;
        return slt_error(SLT_ELOSS, "%s: at C = %.17g the optimum came out as %g +- %g", w, C,
                         L, Le);
    }
    return SLT_OK;
}

int slt_optimal_solve(slt_optimal_provider *prov, const slt_optimal_cost *cost,
                      const slt_optimal_params *p, double C, slt_optimal_point *out)
{
    const char *w = "slt_optimal_solve";
    if (!prov || !cost || !p || !out) return slt_error(SLT_EINVAL, "%s: NULL argument", w);
    int rc = slt_optimal_cost_check(cost);
    if (!rc) rc = slt_optimal_params_check(p);
    if (rc) return rc;
    point_nan(out, C);
    if (!(C > 0) || !isfinite(C)) {
        out->status = slt_error(SLT_EINVAL, "%s: C = %.17g is out of range (expected 0 < C < "
                                "inf)", w, C);
        snprintf(out->message, sizeof out->message, "%s", slt_last_error());
        return out->status;
    }
    line ln = {prov, cost, C, 0, 0, 0, 0, NAN, NAN};
    rc = solve_impl(prov, cost, p, C, out, &ln);
    out->evaluations = ln.evals;
    out->diverged = ln.diverged;
    if (ln.diverged) out->div_N_lo = ln.div_lo, out->div_N_hi = ln.div_hi;
    if (rc) {
        out->N = out->N_err = out->x = out->x_err = out->L = out->L_err = NAN;
        out->curvature = NAN;
        snprintf(out->message, sizeof out->message, "%s", slt_last_error());
    }
    return out->status = rc;
}

/* ---- The frontier ----------------------------------------------------------------- */

/* the slope of ln X between points i and j, with the propagated error */
static void slope2(const slt_optimal_point *pi, const slt_optimal_point *pj, int which,
                   double *s, double *e)
{
    double xi, xj, ei, ej;
    if (which == 0) xi = pi->N, xj = pj->N, ei = pi->N_err / pi->N, ej = pj->N_err / pj->N;
    else if (which == 1) xi = pi->x, xj = pj->x, ei = pi->x_err / pi->x, ej = pj->x_err / pj->x;
    else xi = pi->L, xj = pj->L, ei = pi->L_err / pi->L, ej = pj->L_err / pj->L;
    const double dc = log(pj->C / pi->C);
    *s = log(xj / xi) / dc;
    *e = (ei + ej) / fabs(dc);
}

/* the slopes over the ok points out[ok[0]], ..., out[ok[k-1]] */
static void slopes_run(slt_optimal_point *out, const size_t *ok, size_t k)
{
    for (size_t q = 0; k >= 3 && q < k; q++) { /* two points: no curvature, no error */
        slt_optimal_point *o = &out[ok[q]];
        for (int which = 0; which < 3; which++) {
            double s, e;
            if (q == 0 || q + 1 == k) {
                /* one-sided: the pair at this end, its curvature from the next pair */
                const size_t i0 = q == 0 ? 0 : k - 2;
                slope2(&out[ok[i0]], &out[ok[i0 + 1]], which, &s, &e);
                {
                    double s2, e2;
                    const size_t j0 = q == 0 ? 1 : k - 3;
                    slope2(&out[ok[j0]], &out[ok[j0 + 1]], which, &s2, &e2);
                    e += fabs(s - s2);
                }
            } else {
                slope2(&out[ok[q - 1]], &out[ok[q + 1]], which, &s, &e);
                double sl, el, sr, er;
                slope2(&out[ok[q - 1]], o, which, &sl, &el);
                slope2(o, &out[ok[q + 1]], which, &sr, &er);
                e += 0.5 * fabs(sr - sl);
            }
            if (which == 0) o->slope_N = s, o->slope_N_err = e;
            else if (which == 1) o->slope_x = s, o->slope_x_err = e;
            else o->slope_L = s, o->slope_L_err = e;
        }
    }
}

int slt_optimal_frontier(slt_optimal_provider *prov, const slt_optimal_cost *cost,
                         const slt_optimal_params *p, const double *C, size_t n,
                         slt_optimal_point *out, slt_optimal_progress progress, void *ctx)
{
    const char *w = "slt_optimal_frontier";
    if (!prov || !cost || !p || (!C && n) || (!out && n))
        return slt_error(SLT_EINVAL, "%s: NULL argument", w);
    int rc = slt_optimal_cost_check(cost);
    if (!rc) rc = slt_optimal_params_check(p);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        if (!(C[i] > 0) || !isfinite(C[i]))
            return slt_error(SLT_EINVAL, "%s: C[%zu] = %.17g is out of range (expected 0 < C "
                             "< inf)", w, i, C[i]);
        if (i > 0 && !(C[i] > C[i - 1]))
            return slt_error(SLT_EINVAL, "%s: the budgets are not strictly increasing (C[%zu] "
                             "= %.17g after %.17g)", w, i, C[i], C[i - 1]);
    }
    int first = SLT_OK;
    char msg[1024] = "";
    for (size_t i = 0; i < n; i++) {
        int s = slt_optimal_solve(prov, cost, p, C[i], &out[i]);
        if (s && !first) {
            first = s;
            snprintf(msg, sizeof msg, "%s", out[i].message);
        }
        if (progress) progress(ctx, i + 1, n, &out[i]);
    }
    /* slopes over the ok points, within a branch: with a pole N = x the two sides are
     * separate minima, and a frontier that moves from one to the other has no slope
     * across the jump (each run of budgets on one side gets its own) */
    size_t *ok = malloc((n ? n : 1) * sizeof *ok), k_all = 0;
    if (!ok) return slt_error(SLT_ENOMEM, "%s: out of memory", w);
    for (size_t i = 0; i < n; i++)
        if (out[i].status == SLT_OK) ok[k_all++] = i;
    const int pole = slt_optimal_provider_get_type(prov)->pole_at_x_eq_N;
    for (size_t r0 = 0; r0 < k_all;) {
        size_t r1 = r0 + 1;
        while (r1 < k_all && (!pole || (out[ok[r1]].N > out[ok[r1]].x) ==
                                           (out[ok[r0]].N > out[ok[r0]].x)))
            r1++;
        if (r1 < k_all) {
            out[ok[r1 - 1]].branch_change = 1;
            out[ok[r1]].branch_change = 1;
        }
        slopes_run(out, ok + r0, r1 - r0);
        r0 = r1;
    }
    free(ok);
    if (first) return slt_error(first, "%s", msg);
    return SLT_OK;
}

/* ---- Predictions ------------------------------------------------------------------ */

int slt_optimal_predicted(double alpha, double beta, int sgd, const slt_optimal_cost *cost,
                          double pred[3], const char **regime)
{
    if (!pred || !cost) return slt_error(SLT_EINVAL, "slt_optimal_predicted: NULL argument");
    slt_exponent_row rows[64];
    size_t n = 0;
    int rc = slt_exponents_compute(alpha, beta, rows, 64, &n);
    if (rc) return rc;
    const char *names[2][3] = {{"compute_N_star", "compute_t_star", "compute_L_star"},
                               {"sgd_N_star", "sgd_t_star", "sgd_L_star"}};
    for (int i = 0; i < 3; i++) {
        const slt_exponent_row *r = slt_exponents_find(rows, n, names[sgd ? 1 : 0][i]);
        if (!r) return slt_error(SLT_EINTERNAL, "slt_optimal_predicted: no row %s",
                                 names[sgd ? 1 : 0][i]);
        pred[i] = cost->p == 1 ? r->lazy : NAN;
        /* the table's regime strings are static */
        if (i == 0 && regime) *regime = r->regime;
    }
    pred[2] = -pred[2]; /* L* ∝ C^{-e}: the slope of ln L* is -e */
    return SLT_OK;
}

int slt_optimal_law_predicted(const slt_optimal_law *law, const slt_optimal_cost *cost,
                              double pred[3])
{
    int rc = slt_optimal_law_check(law);
    if (!rc) rc = slt_optimal_cost_check(cost);
    if (rc) return rc;
    if (!pred) return slt_error(SLT_EINVAL, "slt_optimal_law_predicted: NULL output");
    const double a = law->a, b = law->b, q = law->a + cost->p * law->b;
    pred[0] = b / q;
    pred[1] = a / q;
    pred[2] = -a * b / q;
    return SLT_OK;
}
