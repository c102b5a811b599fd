/* The dmft parameters: defaults, the ranges of the numeric fields (one table, which the
 * check applies and front ends read), and the check with the rule that failed. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dmft_internal.h"
#include "slt/status.h"

slt_dmft_params slt_dmft_params_default(void)
{
    slt_dmft_params p = {.N = INFINITY, .P = INFINITY, .ensemble = 1,
                         .share = SLT_SHARE_DATA, .nodes = 16, .rel_tol = 1e-14,
                         .max_newton = 60, .batch = 0, .sgd_form = SLT_DMFT_SGD_GAUSSIAN,
                         .momentum = 0.0, .contour = SLT_DMFT_CONTOUR_AUTO};
    return p;
}

enum { R_N, R_P, R_ENSEMBLE, R_NODES, R_REL_TOL, R_MAX_NEWTON, R_ETA, R_MOMENTUM, R_BATCH, R_COUNT };

/* field, lo, hi, lo_open, hi_open, integer */
static const slt_param_range ranges[R_COUNT] = {
    [R_N] = {"N", 1.0, INFINITY, 0, 0, 0},
    [R_P] = {"P", 1.0, INFINITY, 0, 0, 0},
    [R_ENSEMBLE] = {"ensemble", 1.0, INFINITY, 0, 0, 1}, /* +∞: the infinite ensemble */
    /* Talbot nodes: rounding grows like e^{0.8·nodes}, truncation falls like 10^{-0.6·nodes} */
    [R_NODES] = {"nodes", 10.0, 32.0, 0, 0, 1},
    [R_REL_TOL] = {"rel_tol", 1e-15, 1e-6, 0, 0, 0},
    [R_MAX_NEWTON] = {"max_newton", 5.0, 1000.0, 0, 0, 1},
    [R_ETA] = {"eta", 0.0, INFINITY, 0, 1, 0},
    [R_MOMENTUM] = {"momentum", 0.0, INFINITY, 0, 1, 0},
    [R_BATCH] = {"batch", 0.0, INFINITY, 0, 1, 1},
};

const slt_param_range *slt_dmft_param_range(const char *field)
{
    for (size_t i = 0; field && i < R_COUNT; i++)
        if (strcmp(field, ranges[i].field) == 0) return &ranges[i];
    return NULL;
}

static const char *const rule_names[] = {
    "ok", "null", "range", "name", "sgd-needs-step", "sgd-needs-p-inf", "sgd-ensemble",
    "sgd-momentum", "sgd-contour", "heavy-ball-beta"};

const char *slt_dmft_rule_to_string(slt_dmft_rule rule)
{
    return (int)rule >= 0 && (size_t)rule < sizeof rule_names / sizeof *rule_names
               ? rule_names[rule]
               : NULL;
}

/* an integer field against its range, in the field's own printf form */
static int check_count(const char *w, const slt_param_range *r, double v, const char *shown)
{
    if (v >= r->lo && v <= r->hi) return SLT_OK;
    if (isinf(r->hi))
        return slt_error(SLT_EINVAL, "%s: %s = %s is out of range (expected %s >= %.10g)", w,
                         r->field, shown, r->field, r->lo);
    return slt_error(SLT_EINVAL, "%s: %s = %s is out of range (expected %.10g <= %s <= %.10g)", w,
                     r->field, shown, r->lo, r->field, r->hi);
}

static int check(const slt_dmft_params *p, slt_dmft_rule *rule, const char **field)
{
    static const char *w = "dmft";
    if (!p) return *rule = SLT_DMFT_RULE_NULL, slt_error(SLT_EINVAL, "%s: parameters are NULL", w);
    char shown[32];
    int rc;
    *rule = SLT_DMFT_RULE_RANGE;
    if ((rc = slt_param_range_check(w, &ranges[R_N], p->N))) return *field = "N", rc;
    if ((rc = slt_param_range_check(w, &ranges[R_P], p->P))) return *field = "P", rc;
    *field = "ensemble";
    if ((rc = slt_param_range_check(w, &ranges[R_ENSEMBLE], p->ensemble))) return rc;
    if (!isinf(p->ensemble) && p->ensemble != floor(p->ensemble))
        return slt_error(SLT_EINVAL, "%s: ensemble = %.17g is out of range (expected a whole "
                         "number ensemble >= 1, or INFINITY)", w, p->ensemble);
    *field = "share";
    if (p->share != SLT_SHARE_DATA && p->share != SLT_SHARE_PROJECTION &&
        p->share != SLT_SHARE_NONE)
        return *rule = SLT_DMFT_RULE_NAME,
               slt_error(SLT_EINVAL, "%s: share = %d is not one of data, projection, none", w,
                         (int)p->share);
    snprintf(shown, sizeof shown, "%d", p->nodes);
    *field = "nodes";
    if ((rc = check_count(w, &ranges[R_NODES], p->nodes, shown))) return rc;
    *field = "rel_tol";
    if ((rc = slt_param_range_check(w, &ranges[R_REL_TOL], p->rel_tol))) return rc;
    *field = "eta";
    if ((rc = slt_param_range_check(w, &ranges[R_ETA], p->eta))) return rc;
    snprintf(shown, sizeof shown, "%d", p->max_newton);
    *field = "max_newton";
    if ((rc = check_count(w, &ranges[R_MAX_NEWTON], p->max_newton, shown))) return rc;
    *field = "momentum";
    if ((rc = slt_param_range_check(w, &ranges[R_MOMENTUM], p->momentum))) return rc;
    *field = "sgd_form";
    if (p->sgd_form != SLT_DMFT_SGD_GAUSSIAN && p->sgd_form != SLT_DMFT_SGD_LIMIT)
        return *rule = SLT_DMFT_RULE_NAME,
               slt_error(SLT_EINVAL, "%s: sgd_form = %d is not one of gaussian, limit", w,
                         (int)p->sgd_form);
    /* the dynamics' own cross-field rules (dyn_*.c) */
    const dmft_dynamics *dyn = dmft_dynamics_select(p);
    if (dyn->check && (rc = dyn->check(p, w, rule)))
        return *field = *rule == SLT_DMFT_RULE_HEAVY_BALL_BETA ? "momentum" : "batch", rc;
    *field = "contour";
    if (p->contour != SLT_DMFT_CONTOUR_AUTO && p->contour != SLT_DMFT_CONTOUR_ELLIPSE)
        return *rule = SLT_DMFT_RULE_NAME,
               slt_error(SLT_EINVAL, "%s: contour = %d is not one of auto, ellipse", w,
                         (int)p->contour);
    *field = NULL;
    *rule = SLT_DMFT_RULE_OK;
    return SLT_OK;
}

int slt_dmft_params_check_rule(const slt_dmft_params *p, slt_dmft_rule *rule, const char **field)
{
    slt_dmft_rule r = SLT_DMFT_RULE_OK;
    const char *f = NULL;
    int rc = check(p, &r, &f);
    if (rule) *rule = r;
    if (field) *field = f;
    return rc;
}

int slt_dmft_params_check(const slt_dmft_params *p)
{
    return slt_dmft_params_check_rule(p, NULL, NULL);
}

int slt_dmft_edge_at(const slt_dmft_params *p, double u_max, slt_dmft_edge *e)
{
    if (!p || !e) return slt_error(SLT_EINVAL, "slt_dmft_edge_at: NULL argument");
    e->limit = 2.0;
    e->eta_eff = p->eta;
    if (p->momentum > 0 && p->eta > 0) e->limit = 2.0 * (1.0 + p->momentum);
    if (p->batch > 0 && p->sgd_form == SLT_DMFT_SGD_GAUSSIAN)
        e->eta_eff = p->eta * (1.0 + 1.0 / (double)p->batch);
    e->margin = e->limit / (e->eta_eff * u_max) - 1.0;
    e->spread = sqrt((isinf(p->N) ? 0.0 : 2.0 / p->N) + (isinf(p->P) ? 0.0 : 2.0 / p->P));
    e->near_edge = p->eta > 0 && e->margin > 0 &&
                   e->margin <= SLT_DMFT_NEAR_EDGE_SPREADS * e->spread;
    return SLT_OK;
}
