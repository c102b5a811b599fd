/* Tests of the dmft names (enum <-> string) and of slt_dmft_width_gap_slope. */
#include "slt_test.h"

#include <string.h>

#include "slt/dmft.h"
#include "slt/status.h"

static void test_names_round_trip(void **state)
{
    (void)state;
    const char *shares[] = {"data", "projection", "none"};
    for (int i = 0; i < 3; i++) {
        slt_share v = SLT_SHARE_NONE;
        assert_int_equal(slt_share_from_string(shares[i], &v), SLT_OK);
        assert_string_equal(slt_share_to_string(v), shares[i]);
    }
    assert_int_equal(slt_share_from_string(NULL, &(slt_share){0}), SLT_EINVAL);
    slt_dmft_sgd_form f = SLT_DMFT_SGD_GAUSSIAN;
    assert_int_equal(slt_dmft_sgd_form_from_string("limit", &f), SLT_OK);
    assert_int_equal(f, SLT_DMFT_SGD_LIMIT);
    assert_int_equal(slt_dmft_sgd_form_from_string("exact", &f), SLT_EINVAL);
    assert_int_equal(f, SLT_DMFT_SGD_LIMIT); /* unchanged on failure */
    assert_string_equal(slt_dmft_sgd_form_to_string(SLT_DMFT_SGD_GAUSSIAN), "gaussian");
    slt_dmft_contour c = SLT_DMFT_CONTOUR_AUTO;
    assert_int_equal(slt_dmft_contour_from_string("ellipse", &c), SLT_OK);
    assert_int_equal(c, SLT_DMFT_CONTOUR_ELLIPSE);
    assert_string_equal(slt_dmft_contour_to_string(SLT_DMFT_CONTOUR_AUTO), "auto");
    assert_null(slt_dmft_contour_to_string((slt_dmft_contour)7));
    assert_null(slt_share_to_string((slt_share)-1));
    /* the defaults have names */
    slt_dmft_params p = slt_dmft_params_default();
    assert_non_null(slt_share_to_string(p.share));
    assert_non_null(slt_dmft_sgd_form_to_string(p.sgd_form));
    assert_non_null(slt_dmft_contour_to_string(p.contour));
}

/* A pure power law gap(N) = N^-a is reproduced with a tiny curvature error. */
static void test_width_gap_slope_power_law(void **state)
{
    (void)state;
    const double N = 100.0, a = 0.7, h = SLT_DMFT_WIDTH_GAP_STEP;
    slt_dmft_point inf = {.test = 0.25, .test_err = 0};
    slt_dmft_point at = {.test = 0.25 + pow(N, -a)}, up = {.test = 0.25 + pow(N * exp(h), -a)},
                   dn = {.test = 0.25 + pow(N * exp(-h), -a)};
    double s = NAN, e = NAN;
    assert_int_equal(slt_dmft_width_gap_slope(&at, &inf, &up, &dn, h, &s, &e), SLT_OK);
    assert_true(fabs(s + a) < TOL_ROOT);
    assert_true(e >= 0 && e < TOL_ROOT);
    /* a gap that is not positive has no logarithmic slope; outputs untouched */
    up.test = 0.2;
    s = e = 3.0;
    assert_int_equal(slt_dmft_width_gap_slope(&at, &inf, &up, &dn, h, &s, &e), SLT_EDOM);
    assert_true(s == 3.0 && e == 3.0);
    assert_int_equal(slt_dmft_width_gap_slope(&at, &inf, &up, &dn, 0.0, &s, &e), SLT_EINVAL);
    assert_int_equal(slt_dmft_width_gap_slope(NULL, &inf, &up, &dn, h, &s, &e), SLT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_width_gap_slope_power_law),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
