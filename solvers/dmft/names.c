/* Names of the dmft choices (enum <-> string, as the CLI and tables spell them) and the
 * width-gap slope of the diagnostics (docs/theory/dmft.md). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "slt/dmft.h"
#include "slt/status.h"

static const char *const sgd_form_names[] = {"gaussian", "limit"};
static const char *const contour_names[] = {"auto", "ellipse"};

#define N_OF(a) (sizeof(a) / sizeof *(a))

static const char *to_string(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? names[v] : NULL;
}

static int from_string(const char *what, const char *const *names, size_t n, const char *s,
                       int *v)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *v = (int)i;
            return SLT_OK;
        }
    return slt_error(SLT_EINVAL, "dmft: %s = '%s' is not a known name", what, s ? s : "(null)");
}

const char *slt_dmft_sgd_form_to_string(slt_dmft_sgd_form form)
{
    return to_string(sgd_form_names, N_OF(sgd_form_names), (int)form);
}

int slt_dmft_sgd_form_from_string(const char *name, slt_dmft_sgd_form *form)
{
    if (!form) return slt_error(SLT_EINVAL, "slt_dmft_sgd_form_from_string: NULL argument");
    int v;
    int rc = from_string("sgd_form", sgd_form_names, N_OF(sgd_form_names), name, &v);
    if (!rc) *form = (slt_dmft_sgd_form)v;
    return rc;
}

const char *slt_dmft_contour_to_string(slt_dmft_contour contour)
{
    return to_string(contour_names, N_OF(contour_names), (int)contour);
}

int slt_dmft_contour_from_string(const char *name, slt_dmft_contour *contour)
{
    if (!contour) return slt_error(SLT_EINVAL, "slt_dmft_contour_from_string: NULL argument");
    int v;
    int rc = from_string("contour", contour_names, N_OF(contour_names), name, &v);
    if (!rc) *contour = (slt_dmft_contour)v;
    return rc;
}

int slt_dmft_width_gap_slope(const slt_dmft_point *at, const slt_dmft_point *at_inf,
                             const slt_dmft_point *up, const slt_dmft_point *down, double h,
                             double *slope, double *slope_err)
{
    if (!at || !at_inf || !up || !down || !slope || !slope_err)
        return slt_error(SLT_EINVAL, "slt_dmft_width_gap_slope: NULL argument");
    if (!(h > 0) || !isfinite(h))
        return slt_error(SLT_EINVAL, "slt_dmft_width_gap_slope: h = %g (expected 0 < h < inf)", h);
    double gap = at->test - at_inf->test, gu = up->test - at_inf->test,
           gd = down->test - at_inf->test;
    if (!(gu > 0 && gd > 0))
        return slt_error(SLT_EDOM, "slt_dmft_width_gap_slope: the width gap at N e^(+-h) is not "
                         "positive (%g, %g): no logarithmic slope", gu, gd);
    *slope = (log(gu) - log(gd)) / (2 * h);
    /* propagated solve errors, and the O(h²) curvature of the central difference bounded
     * by comparing with the one-sided slopes */
    double e = ((up->test_err + at_inf->test_err) / gu +
                (down->test_err + at_inf->test_err) / gd) / (2 * h);
    double one_sided = fabs((log(gu) - log(gap)) / h - (log(gap) - log(gd)) / h);
    *slope_err = e + one_sided / 2;
    return SLT_OK;
}
