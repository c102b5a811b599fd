/* The ranges of the statics parameters: one table per params struct, which the checks
 * apply (statics.c, presets.c) and front ends read. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "slt/statics.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

/* field, lo, hi, lo_open, hi_open, integer */
static const slt_param_range statics_ranges[] = {
    {"N", 0.0, INFINITY, 1, 0, 0},
    {"P", 0.0, INFINITY, 1, 0, 0},
    {"ridge", 0.0, INFINITY, 0, 1, 0},
    {"rel_tol", 1e-16, 1e-3, 0, 0, 0},
    {"max_iter", 1.0, 100000.0, 0, 0, 1},
};

static const slt_param_range scale_time_ranges[] = {
    {"count_small", 0.0, INFINITY, 1, 1, 0},
    {"count_large", 0.0, INFINITY, 1, 1, 0},
    {"scale_exponent", 0.0, 1.0, 1, 0, 0},
    {"time_const", 0.0, INFINITY, 1, 1, 0},
    {"horizon_small", 0.0, INFINITY, 1, 0, 0},
};

static const slt_param_range *find(const slt_param_range *t, size_t n, const char *field)
{
    for (size_t i = 0; field && i < n; i++)
        if (strcmp(field, t[i].field) == 0) return &t[i];
    return NULL;
}

const slt_param_range *slt_statics_param_range(const char *field)
{
    return find(statics_ranges, N_OF(statics_ranges), field);
}

const slt_param_range *slt_statics_scale_time_param_range(const char *field)
{
    return find(scale_time_ranges, N_OF(scale_time_ranges), field);
}
