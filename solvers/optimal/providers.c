/* The loss providers of the compute-optimal solver (slt/optimal.h): the type table
 * wrapper, the lazy DMFT, the statics and a fitted law. Equations:
 * docs/theory/optimal.md §1. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "slt/optimal.h"

struct slt_optimal_provider {
    const slt_optimal_provider_type *type;
    void *state;
};

int slt_optimal_provider_alloc(const slt_optimal_provider_type *type, void *state,
                               slt_optimal_provider **out)
{
    if (!type || !type->loss || !out) {
        if (type && type->free) type->free(state);
        return slt_error(SLT_EINVAL, "slt_optimal_provider_alloc: NULL type, loss or output");
    }
    slt_optimal_provider *p = malloc(sizeof *p);
    if (!p) {
        if (type->free) type->free(state);
        return slt_error(SLT_ENOMEM, "slt_optimal_provider_alloc: out of memory");
    }
    p->type = type;
    p->state = state;
    *out = p;
    return SLT_OK;
}

void slt_optimal_provider_free(slt_optimal_provider *prov)
{
    if (!prov) return;
    if (prov->type->free) prov->type->free(prov->state);
    free(prov);
}

const slt_optimal_provider_type *slt_optimal_provider_get_type(const slt_optimal_provider *prov)
{
    return prov ? prov->type : NULL;
}

double slt_optimal_provider_x_min(const slt_optimal_provider *prov)
{
    if (!prov || !prov->type->x_min) return 0.0;
    return prov->type->x_min(prov->state);
}

int slt_optimal_provider_loss(slt_optimal_provider *prov, double N, double x, double *L,
                              double *L_err)
{
    if (!prov || !L || !L_err)
        return slt_error(SLT_EINVAL, "slt_optimal_provider_loss: NULL argument");
    if (!(N >= 1) || !isfinite(N))
        return slt_error(SLT_EINVAL, "slt_optimal_provider_loss: N = %.17g is out of range "
                         "(expected 1 <= N < inf)", N);
    const double xm = slt_optimal_provider_x_min(prov);
    if (!(x > 0) || !isfinite(x) || x < xm)
        return slt_error(SLT_EINVAL, "slt_optimal_provider_loss: %s = %.17g is out of range "
                         "(expected %.17g <= %s < inf, and > 0)", prov->type->resource, x, xm,
                         prov->type->resource);
    *L = *L_err = NAN;
    return prov->type->loss(prov->state, N, x, L, L_err);
}

/* ---- The lazy DMFT ---------------------------------------------------------------- */

typedef struct {
    const slt_task *task;
    slt_dmft_params p;
} dmft_state;

static int dmft_at(dmft_state *s, double N, const double *times, size_t n, slt_dmft_point *pt)
{
    slt_dmft_params q = s->p;
    q.N = N;
    slt_dmft_workspace *w = NULL;
    int rc = slt_dmft_alloc(s->task, &q, &w);
    /* a step unstable at this width (eta_eff*u_max >= limit, slt_dmft_edge_at: GD
     * eta*u_max >= 2, online SGD (1 + 1/B) eta*u_max >= 2, ...): the loss diverges, +inf
     * for the optimiser (the width is excluded) */
    if (!rc && q.eta > 0) {
        double umax = NAN;
        slt_dmft_edge e;
        rc = slt_dmft_spectrum_edge(w, &umax);
        if (!rc) rc = slt_dmft_edge_at(&q, umax, &e);
        if (!rc && !(e.margin > 0)) {
            slt_dmft_free(w);
            for (size_t i = 0; i < n; i++) pt[i].test = INFINITY, pt[i].test_err = NAN,
                                           pt[i].status = SLT_EDIVERGE;
            return SLT_EDIVERGE;
        }
    }
    if (!rc) rc = slt_dmft_solve(w, times, n, pt);
    slt_dmft_free(w);
    return rc;
}

/* Gradient flow: t = x. With a step: n = x/unit steps (unit = 1 for GD's t/eta, B for
 * SGD's samples), interpolated linearly in ln n between whole steps n0 and n0 + 1; the
 * interpolation's error is bounded by |L(n0+1) − L(n0)|/(4 n0) (a smooth L with
 * |d²L/d(ln n)²| <= |dL/d ln n|: the linear interpolant between neighbours 1/n0 apart in
 * ln n misses by at most (1/n0)²|L''|/8, and |ΔL| ≈ |L'|/n0). */
static int dmft_loss(void *state, double N, double x, double *L, double *L_err)
{
    dmft_state *s = state;
    slt_dmft_point pt[2];
    if (s->p.eta <= 0) {
        int rc = dmft_at(s, N, &x, 1, pt);
        if (rc && rc != SLT_EDIVERGE) return rc;
        *L = pt[0].test;
        *L_err = pt[0].test_err;
        return pt[0].status;
    }
    const double unit = s->p.batch > 0 ? (double)s->p.batch : s->p.eta;
    const double n = x / unit;
    double n0 = floor(n);
    if (n0 < 1) n0 = 1;
    const double eta = s->p.eta;
    if (n == n0) {
        double t = eta * n0;
        int rc = dmft_at(s, N, &t, 1, pt);
        if (rc && rc != SLT_EDIVERGE) return rc;
        *L = pt[0].test;
        *L_err = pt[0].test_err;
        return pt[0].status;
    }
    double t[2] = {eta * n0, eta * (n0 + 1)};
    int rc = dmft_at(s, N, t, 2, pt);
    if (rc == SLT_EDIVERGE) {
        *L = INFINITY;
        *L_err = NAN;
    }
    if (rc) return rc;
    const double w = log(n / n0) / log((n0 + 1) / n0);
    *L = (1 - w) * pt[0].test + w * pt[1].test;
    *L_err = (1 - w) * pt[0].test_err + w * pt[1].test_err +
             fabs(pt[1].test - pt[0].test) / (4 * n0);
    return SLT_OK;
}

static double dmft_x_min(const void *state)
{
    const dmft_state *s = state;
    if (s->p.eta <= 0) return 0.0;
    return s->p.batch > 0 ? (double)s->p.batch : s->p.eta;
}

static const slt_optimal_provider_type dmft_flow_type = {"dmft", "t", dmft_loss, dmft_x_min,
                                                         free, 0};
static const slt_optimal_provider_type dmft_sgd_type = {"dmft-sgd", "D", dmft_loss, dmft_x_min,
                                                        free, 0};

int slt_optimal_provider_dmft(const slt_task *task, const slt_dmft_params *p,
                              slt_optimal_provider **out)
{
    if (!task || !p || !out)
        return slt_error(SLT_EINVAL, "slt_optimal_provider_dmft: NULL argument");
    slt_dmft_params q = *p;
    q.N = 1;
    int rc = slt_dmft_params_check(&q);
    if (rc) return rc;
    if (q.ensemble != 1)
        return slt_error(SLT_EINVAL, "slt_optimal_provider_dmft: ensemble = %.17g is not "
                         "implemented for the compute-optimal frontier yet (expected 1)",
                         q.ensemble);
    dmft_state *s = malloc(sizeof *s);
    if (!s) return slt_error(SLT_ENOMEM, "slt_optimal_provider_dmft: out of memory");
    s->task = task;
    s->p = *p;
    return slt_optimal_provider_alloc(p->batch > 0 ? &dmft_sgd_type : &dmft_flow_type, s, out);
}

/* ---- The statics ------------------------------------------------------------------ */

typedef struct {
    slt_statics_workspace *ws;
    slt_statics_params p;
} statics_state;

static int statics_loss(void *state, double N, double x, double *L, double *L_err)
{
    statics_state *s = state;
    slt_statics_params q = s->p;
    q.N = N;
    q.P = x;
    slt_statics_result r;
    int rc = slt_statics_solve(s->ws, &q, &r);
    /* within rounding of the pole N = P the statics refuse the value (SLT_ELOSS): the loss
     * is huge there (it diverges at the pole), never a minimum */
    if (rc == SLT_ELOSS && fabs(N - x) <= 1e-6 * fmax(N, x)) rc = SLT_EDIVERGE;
    if (rc == SLT_EDIVERGE) {
        *L = INFINITY;
        *L_err = NAN;
        return rc;
    }
    if (rc) return rc;
    *L = r.test;
    *L_err = r.test_err;
    return SLT_OK;
}

static double statics_x_min(const void *state)
{
    (void)state;
    return 1.0;
}

static void statics_free(void *state)
{
    statics_state *s = state;
    if (!s) return;
    slt_statics_free(s->ws);
    free(s);
}

static const slt_optimal_provider_type statics_type = {"statics", "P", statics_loss,
                                                       statics_x_min, statics_free, 1};

int slt_optimal_provider_statics(const slt_task *task, const slt_statics_params *p,
                                 slt_optimal_provider **out)
{
    if (!task || !p || !out)
        return slt_error(SLT_EINVAL, "slt_optimal_provider_statics: NULL argument");
    slt_statics_params q = *p;
    q.N = q.P = 1;
    int rc = slt_statics_params_check(&q);
    if (rc) return rc;
    statics_state *s = malloc(sizeof *s);
    if (!s) return slt_error(SLT_ENOMEM, "slt_optimal_provider_statics: out of memory");
    s->p = *p;
    s->ws = NULL;
    rc = slt_statics_alloc(task, &s->ws);
    if (rc) {
        free(s);
        return rc;
    }
    return slt_optimal_provider_alloc(&statics_type, s, out);
}

/* ---- A fitted law ----------------------------------------------------------------- */

slt_optimal_law slt_optimal_law_default(void)
{
    return (slt_optimal_law){.E = 0, .A = 1, .a = 0.5, .B = 1, .b = 0.5};
}

int slt_optimal_law_check(const slt_optimal_law *law)
{
    const char *w = "slt_optimal_law_check";
    if (!law) return slt_error(SLT_EINVAL, "%s: NULL law", w);
    int rc;
    if ((rc = slt_check_range(w, "E", law->E, -INFINITY, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(w, "A", law->A, 0, 0, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(w, "a", law->a, 0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(w, "B", law->B, 0, 0, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(w, "b", law->b, 0, 1, INFINITY, 1))) return rc;
    return SLT_OK;
}

static int law_loss(void *state, double N, double x, double *L, double *L_err)
{
    const slt_optimal_law *l = state;
    const double tn = l->A * pow(N, -l->a), td = l->B * pow(x, -l->b);
    *L = l->E + tn + td;
    /* rounding: each pow within a few ulps, the sum within one per term */
    *L_err = 8 * DBL_EPSILON * (fabs(l->E) + tn + td);
    if (!isfinite(*L))
        return slt_error(SLT_ELOSS, "law: L(N = %.17g, D = %.17g) is not finite", N, x);
    return SLT_OK;
}

static const slt_optimal_provider_type law_type = {"law", "D", law_loss, NULL, free, 0};

int slt_optimal_provider_law(const slt_optimal_law *law, slt_optimal_provider **out)
{
    int rc = slt_optimal_law_check(law);
    if (rc) return rc;
    if (!out) return slt_error(SLT_EINVAL, "slt_optimal_provider_law: NULL output");
    slt_optimal_law *s = malloc(sizeof *s);
    if (!s) return slt_error(SLT_ENOMEM, "slt_optimal_provider_law: out of memory");
    *s = *law;
    return slt_optimal_provider_alloc(&law_type, s, out);
}
