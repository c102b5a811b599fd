/* The featlearn parameters: defaults, the ranges of the numeric fields (one table, which
 * the check applies and slt_featlearn_param_range exports), the method names. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "slt/featlearn.h"
#include "slt/status.h"

static const char *const method_names[] = {"march", "ode", "isotropic", "auto"};
#define N_OF(a) (sizeof(a) / sizeof *(a))

const char *slt_featlearn_method_to_string(slt_featlearn_method m)
{
    return (int)m >= 0 && (size_t)m < N_OF(method_names) ? method_names[m] : NULL;
}

int slt_featlearn_method_from_string(const char *name, slt_featlearn_method *out)
{
    if (!out) return slt_error(SLT_EINVAL, "slt_featlearn_method_from_string: NULL argument");
    for (size_t i = 0; name && i < N_OF(method_names); i++)
        if (strcmp(name, method_names[i]) == 0) {
            *out = (slt_featlearn_method)i;
            return SLT_OK;
        }
    return slt_error(SLT_EINVAL, "featlearn: method = '%s' is not a known name (expected "
                     "march, ode, isotropic or auto)", name ? name : "(null)");
}

int slt_featlearn_method_is_exact(slt_featlearn_method m)
{
    return m == SLT_FEATLEARN_MARCH || m == SLT_FEATLEARN_ODE || m == SLT_FEATLEARN_AUTO;
}

enum { R_GAMMA, R_N, R_P, R_BATCH, R_ETA, R_REL_TOL, R_MAX_MODES, R_MAX_STEPS, R_MAX_MARCH_STEPS, R_MAX_NODES, R_MAX_MARCH_WORK, R_COUNT };

static const slt_param_range ranges[R_COUNT] = {
    [R_GAMMA] = {"gamma", 0, INFINITY, 0, 1, 0},
    [R_N] = {"N", 1, INFINITY, 0, 0, 0},
    [R_P] = {"P", 1, INFINITY, 0, 0, 0},
    [R_BATCH] = {"batch", 0, INFINITY, 0, 1, 1},
    [R_ETA] = {"eta", 0, INFINITY, 0, 1, 0},
    [R_REL_TOL] = {"rel_tol", 1e-12, 1e-3, 0, 0, 0},
    [R_MAX_MODES] = {"max_modes", 1, 200, 0, 0, 1},
    [R_MAX_STEPS] = {"max_steps", 100, 1e9, 0, 0, 1},
    [R_MAX_MARCH_STEPS] = {"max_march_steps", 1, 1e6, 0, 0, 1},
    [R_MAX_NODES] = {"max_nodes", 1, 1e5, 0, 0, 1},
    [R_MAX_MARCH_WORK] = {"max_march_work", 1e6, 1e18, 0, 0, 0},
};

const slt_param_range *slt_featlearn_param_range(const char *field)
{
    for (size_t i = 0; field && i < R_COUNT; i++)
        if (strcmp(field, ranges[i].field) == 0) return &ranges[i];
    return NULL;
}

slt_featlearn_params slt_featlearn_params_default(void)
{
    slt_featlearn_params p = {
        .gamma = 0,
        .N = INFINITY,
        .P = INFINITY,
        .batch = 0,
        .eta = 0,
        .method = SLT_FEATLEARN_AUTO,
        .rel_tol = 1e-9,
        .max_modes = 40,
        .max_steps = 1000000,
        .max_march_steps = 20000,
        .max_nodes = 2000,
        .max_march_work = 4e10,
    };
    return p;
}

int slt_featlearn_params_check(const slt_featlearn_params *p)
{
    const char *w = "slt_featlearn_params_check";
    if (!p) return slt_error(SLT_EINVAL, "%s: NULL argument", w);
    int rc;
    if ((rc = slt_param_range_check(w, &ranges[R_GAMMA], p->gamma))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_N], p->N))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_P], p->P))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_ETA], p->eta))) return rc;
    if ((rc = slt_param_range_check(w, &ranges[R_REL_TOL], p->rel_tol))) return rc;
    if (p->max_modes < 1 || p->max_modes > 200)
        return slt_error(SLT_EINVAL, "%s: max_modes = %zu is out of range (expected 1 <= "
                         "max_modes <= 200)", w, p->max_modes);
    if (p->max_steps < 100 || p->max_steps > 1000000000L)
        return slt_error(SLT_EINVAL, "%s: max_steps = %ld is out of range (expected 100 <= "
                         "max_steps <= 1e9)", w, p->max_steps);
    if (p->max_march_steps < 1 || p->max_march_steps > 1000000)
        return slt_error(SLT_EINVAL, "%s: max_march_steps = %zu is out of range (expected 1 <= "
                         "max_march_steps <= 1e6)", w, p->max_march_steps);
    if (p->max_nodes < 1 || p->max_nodes > 100000)
        return slt_error(SLT_EINVAL, "%s: max_nodes = %zu is out of range (expected 1 <= "
                         "max_nodes <= 1e5)", w, p->max_nodes);
    if ((rc = slt_param_range_check(w, &ranges[R_MAX_MARCH_WORK], p->max_march_work))) return rc;
    if (!slt_featlearn_method_to_string(p->method))
        return slt_error(SLT_EINVAL, "%s: method = %d is not a value of slt_featlearn_method",
                         w, (int)p->method);
    if (floor(p->N) != p->N && isfinite(p->N))
        return slt_error(SLT_EINVAL, "%s: N = %.17g is out of range (expected a whole number "
                         ">= 1, or inf)", w, p->N);
    /* rules between the fields */
    if (p->batch > 0 && !(p->eta > 0))
        return slt_error(SLT_EINVAL, "%s: batch = %zu needs eta > 0 (online SGD takes steps; "
                         "eta = %.17g)", w, p->batch, p->eta);
    if (p->batch > 0 && isfinite(p->P))
        return slt_error(SLT_EINVAL, "%s: batch = %zu needs P = inf (online SGD draws fresh "
                         "samples; P = %.17g)", w, p->batch, p->P);
    /* in range, but not solved by this stage */
    if (p->method == SLT_FEATLEARN_ODE || p->method == SLT_FEATLEARN_ISOTROPIC) {
        const char *m = slt_featlearn_method_to_string(p->method);
        if (p->batch > 0)
            return slt_error(SLT_EDOM, "%s: batch = %zu: online SGD is solved by method march, "
                             "not %s (use method march or auto)", w, p->batch, m);
        if (isfinite(p->P))
            return slt_error(SLT_EDOM, "%s: P = %.17g: finite data (full-batch GD on P samples) "
                             "is solved by method march, not %s (use method march or auto)", w,
                             p->P, m);
        if (p->eta > 0)
            return slt_error(SLT_EDOM, "%s: eta = %.17g: discrete steps are solved by method "
                             "march, not %s (use method march or auto)", w, p->eta, m);
    }
    return SLT_OK;
}
