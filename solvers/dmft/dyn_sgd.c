/* Online SGD with batch B and step η at P = ∞ (docs/theory/dmft.md §7): its own inversion
 * by generating functions (sgd.c), for every time. */
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

static int sgd_check(const slt_dmft_params *p, const char *w, slt_dmft_rule *rule)
{
    if (!(p->eta > 0))
        return *rule = SLT_DMFT_RULE_SGD_NEEDS_STEP, slt_error(SLT_EINVAL, "%s: batch = %zu needs a step eta > 0 (online SGD is "
                         "discrete); eta = %g", w, p->batch, p->eta);
    if (!isinf(p->P))
        return *rule = SLT_DMFT_RULE_SGD_NEEDS_P_INF, slt_error(SLT_EINVAL, "%s: batch = %zu needs P = inf (online SGD draws fresh "
                         "samples every step); P = %.17g", w, p->batch, p->P);
    if (p->ensemble != 1)
        return *rule = SLT_DMFT_RULE_SGD_ENSEMBLE, slt_error(SLT_EINVAL, "%s: batch = %zu with ensemble = %.17g: ensembles of online "
                         "SGD are not implemented (expected ensemble = 1)", w, p->batch,
                         p->ensemble);
    if (p->momentum > 0)
        return *rule = SLT_DMFT_RULE_SGD_MOMENTUM, slt_error(SLT_EINVAL, "%s: batch = %zu with momentum = %g: momentum SGD is not "
                         "implemented (expected momentum = 0)", w, p->batch, p->momentum);
    if (p->contour == SLT_DMFT_CONTOUR_ELLIPSE)
        return *rule = SLT_DMFT_RULE_SGD_CONTOUR, slt_error(SLT_EINVAL, "%s: contour = ellipse with batch = %zu: online SGD has its "
                         "own inversion (expected contour = auto)", w, p->batch);
    return SLT_OK;
}

static int sgd_solve(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out,
                     int *done)
{
    *done = 1;
    return dmft_sgd_solve(w, times, n, out);
}

const dmft_dynamics dmft_dyn_sgd = {
    .name = "sgd",
    .discrete = 1,
    .one_d = 0,
    .sgd_warm = 1,
    .check = sgd_check,
    .solve = sgd_solve,
    .gain = dmft_sgd_gain,
};
