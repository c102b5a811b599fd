/* Tests of the dmft names (enum <-> string), of slt_dmft_width_gap_slope, of the
 * parameter ranges the checks apply and export (dmft, statics, scale-time), of the rule
 * ids of slt_dmft_params_check_rule and of slt_dmft_edge_at. */
#include "slt_test.h"

#include <string.h>

#include "slt/dmft.h"
#include "slt/statics.h"
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


/* One range pinned: its bounds, and the check it comes from accepting the bound (if
 * closed) and refusing the next double outside it. */
typedef struct {
    const char *field;
    double lo, hi;
    int lo_open, hi_open, integer;
} pinned;

static void assert_pinned(const slt_param_range *r, const pinned *want)
{
    assert_non_null(r);
    assert_string_equal(r->field, want->field);
    /* exact: the ranges are literals, a changed bound must be a deliberate edit here */
    assert_true(r->lo == want->lo && r->hi == want->hi);
    assert_int_equal(r->lo_open, want->lo_open);
    assert_int_equal(r->hi_open, want->hi_open);
    assert_int_equal(r->integer, want->integer);
}

static void test_dmft_ranges(void **state)
{
    (void)state;
    const pinned want[] = {
        {"N", 1, INFINITY, 0, 0, 0},           {"P", 1, INFINITY, 0, 0, 0},
        {"ensemble", 1, INFINITY, 0, 0, 1},    {"nodes", 10, 32, 0, 0, 1},
        {"rel_tol", 1e-15, 1e-6, 0, 0, 0},     {"max_newton", 5, 1000, 0, 0, 1},
        {"eta", 0, INFINITY, 0, 1, 0},         {"momentum", 0, INFINITY, 0, 1, 0},
        {"batch", 0, INFINITY, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        assert_pinned(slt_dmft_param_range(want[i].field), &want[i]);
    assert_null(slt_dmft_param_range("sgd_form"));
    assert_null(slt_dmft_param_range(NULL));
    /* the check applies the table: at each bound, and one step outside */
    const slt_dmft_params d = slt_dmft_params_default();
    slt_dmft_params p = d;
    slt_dmft_rule rule = SLT_DMFT_RULE_OK;
    const char *field = "x";
    assert_int_equal(slt_dmft_params_check_rule(&p, &rule, &field), SLT_OK);
    assert_int_equal(rule, SLT_DMFT_RULE_OK);
    assert_null(field);
    const slt_param_range *nodes = slt_dmft_param_range("nodes");
    p.nodes = (int)nodes->lo;
    assert_int_equal(slt_dmft_params_check(&p), SLT_OK);
    p.nodes = (int)nodes->hi + 1;
    assert_int_equal(slt_dmft_params_check_rule(&p, &rule, &field), SLT_EINVAL);
    assert_int_equal(rule, SLT_DMFT_RULE_RANGE);
    assert_string_equal(field, "nodes");
    assert_non_null(strstr(slt_last_error(), "expected 10 <= nodes <= 32"));
    p = d;
    p.N = nextafter(slt_dmft_param_range("N")->lo, 0);
    assert_int_equal(slt_dmft_params_check_rule(&p, &rule, &field), SLT_EINVAL);
    assert_int_equal(rule, SLT_DMFT_RULE_RANGE);
    assert_string_equal(field, "N");
    p = d;
    p.eta = INFINITY; /* hi open: +inf refused */
    assert_int_equal(slt_dmft_params_check_rule(&p, &rule, &field), SLT_EINVAL);
    assert_string_equal(field, "eta");
    p = d;
    p.rel_tol = slt_dmft_param_range("rel_tol")->hi;
    assert_int_equal(slt_dmft_params_check(&p), SLT_OK);
    p.ensemble = 0;
    assert_int_equal(slt_dmft_params_check_rule(&p, &rule, &field), SLT_EINVAL);
    assert_string_equal(field, "ensemble");
    assert_non_null(strstr(slt_last_error(), "ensemble = 0 is out of range (expected ensemble >= 1)"));
}

static void test_dmft_rules(void **state)
{
    (void)state;
    const slt_dmft_params d = slt_dmft_params_default();
    slt_dmft_params sgd = d;
    sgd.batch = 4;
    sgd.eta = 0.5;
    assert_int_equal(slt_dmft_params_check(&sgd), SLT_OK);
    typedef struct {
        slt_dmft_params p;
        slt_dmft_rule rule;
        const char *field, *name;
    } rule_case;
    rule_case cases[8];
    size_t n = 0;
    cases[n] = (rule_case){sgd, SLT_DMFT_RULE_SGD_NEEDS_STEP, "batch", "sgd-needs-step"};
    cases[n++].p.eta = 0;
    cases[n] = (rule_case){sgd, SLT_DMFT_RULE_SGD_NEEDS_P_INF, "batch", "sgd-needs-p-inf"};
    cases[n++].p.P = 100;
    cases[n] = (rule_case){sgd, SLT_DMFT_RULE_SGD_ENSEMBLE, "batch", "sgd-ensemble"};
    cases[n++].p.ensemble = 2;
    cases[n] = (rule_case){sgd, SLT_DMFT_RULE_SGD_MOMENTUM, "batch", "sgd-momentum"};
    cases[n++].p.momentum = 0.5;
    cases[n] = (rule_case){sgd, SLT_DMFT_RULE_SGD_CONTOUR, "batch", "sgd-contour"};
    cases[n++].p.contour = SLT_DMFT_CONTOUR_ELLIPSE;
    cases[n] = (rule_case){d, SLT_DMFT_RULE_HEAVY_BALL_BETA, "momentum", "heavy-ball-beta"};
    cases[n].p.eta = 0.5;
    cases[n++].p.momentum = 1.0;
    cases[n] = (rule_case){d, SLT_DMFT_RULE_NAME, "share", "name"};
    cases[n++].p.share = (slt_share)9;
    for (size_t i = 0; i < n; i++) {
        slt_dmft_rule rule = SLT_DMFT_RULE_OK;
        const char *field = NULL;
        assert_int_equal(slt_dmft_params_check_rule(&cases[i].p, &rule, &field), SLT_EINVAL);
        assert_int_equal(rule, cases[i].rule);
        assert_string_equal(field, cases[i].field);
        assert_string_equal(slt_dmft_rule_to_string(rule), cases[i].name);
        /* the plain check refuses the same parameters */
        assert_int_equal(slt_dmft_params_check(&cases[i].p), SLT_EINVAL);
    }
    /* with a step, beta just below 1 is allowed; without one any mu >= 0 */
    slt_dmft_params hb = d;
    hb.eta = 0.5;
    hb.momentum = nextafter(1.0, 0);
    assert_int_equal(slt_dmft_params_check(&hb), SLT_OK);
    hb.eta = 0;
    hb.momentum = 5;
    assert_int_equal(slt_dmft_params_check(&hb), SLT_OK);
    slt_dmft_rule rule = SLT_DMFT_RULE_OK;
    assert_int_equal(slt_dmft_params_check_rule(NULL, &rule, NULL), SLT_EINVAL);
    assert_int_equal(rule, SLT_DMFT_RULE_NULL);
    assert_string_equal(slt_dmft_rule_to_string(SLT_DMFT_RULE_OK), "ok");
    assert_string_equal(slt_dmft_rule_to_string(SLT_DMFT_RULE_RANGE), "range");
    assert_null(slt_dmft_rule_to_string((slt_dmft_rule)10));
    assert_null(slt_dmft_rule_to_string((slt_dmft_rule)-1));
}

static void test_statics_ranges(void **state)
{
    (void)state;
    const pinned st[] = {
        {"N", 0, INFINITY, 1, 0, 0},     {"P", 0, INFINITY, 1, 0, 0},
        {"ridge", 0, INFINITY, 0, 1, 0}, {"rel_tol", 1e-16, 1e-3, 0, 0, 0},
        {"max_iter", 1, 100000, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof st / sizeof *st; i++)
        assert_pinned(slt_statics_param_range(st[i].field), &st[i]);
    const pinned sc[] = {
        {"count_small", 0, INFINITY, 1, 1, 0}, {"count_large", 0, INFINITY, 1, 1, 0},
        {"scale_exponent", 0, 1, 1, 0, 0},     {"time_const", 0, INFINITY, 1, 1, 0},
        {"horizon_small", 0, INFINITY, 1, 0, 0},
    };
    for (size_t i = 0; i < sizeof sc / sizeof *sc; i++)
        assert_pinned(slt_statics_scale_time_param_range(sc[i].field), &sc[i]);
    assert_null(slt_statics_param_range("noise"));
    assert_null(slt_statics_scale_time_param_range("N"));
    /* the checks apply them */
    slt_statics_params p = slt_statics_params_default();
    p.rel_tol = 1e-16;
    assert_int_equal(slt_statics_params_check(&p), SLT_OK);
    p.rel_tol = 2e-3;
    assert_int_equal(slt_statics_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "(expected 1e-16 <= rel_tol <= 0.001)"));
    p = slt_statics_params_default();
    p.max_iter = 100001;
    assert_int_equal(slt_statics_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "(expected 1 <= max_iter <= 100000)"));
    slt_statics_scale_time_params t = slt_statics_scale_time_params_default();
    t.scale_exponent = 1.0;
    assert_int_equal(slt_statics_scale_time_params_check(&t), SLT_OK);
    t.scale_exponent = nextafter(1.0, 2.0);
    assert_int_equal(slt_statics_scale_time_params_check(&t), SLT_EINVAL);
    t = slt_statics_scale_time_params_default();
    t.time_const = INFINITY;
    assert_int_equal(slt_statics_scale_time_params_check(&t), SLT_EINVAL);
    assert_int_equal(slt_param_range_check("x", NULL, 1.0), SLT_EINVAL);
}

/* The stability edge: GD 2, heavy ball 2(1 + beta), Gaussian SGD eta (1 + 1/B). */
static void test_edge(void **state)
{
    (void)state;
    slt_dmft_params p = slt_dmft_params_default();
    p.eta = 1.0;
    p.N = 50;
    p.P = 200;
    slt_dmft_edge e;
    assert_int_equal(slt_dmft_edge_at(&p, 1.0, &e), SLT_OK);
    assert_true(e.limit == 2.0 && e.eta_eff == 1.0);
    assert_true(e.margin == 1.0);
    /* sqrt(2/50 + 2/200) = sqrt(0.05): one rounding of a square root */
    assert_close(e.spread, sqrt(0.05), TOL_ROUNDING, 0);
    assert_false(e.near_edge); /* margin 1 > 3 x 0.22 */
    assert_int_equal(slt_dmft_edge_at(&p, 1.6, &e), SLT_OK); /* margin 0.25 <= 0.67 */
    assert_true(e.near_edge);
    p.momentum = 0.5;
    assert_int_equal(slt_dmft_edge_at(&p, 1.0, &e), SLT_OK);
    assert_true(e.limit == 3.0);
    p.momentum = 0;
    p.P = INFINITY;
    p.batch = 4;
    assert_int_equal(slt_dmft_edge_at(&p, 1.0, &e), SLT_OK);
    assert_true(e.eta_eff == 1.25 && e.limit == 2.0);
    assert_close(e.spread, sqrt(0.04), TOL_ROUNDING, 0);
    p.sgd_form = SLT_DMFT_SGD_LIMIT;
    assert_int_equal(slt_dmft_edge_at(&p, 1.0, &e), SLT_OK);
    assert_true(e.eta_eff == 1.0);
    p.eta = 0; /* gradient flow: never near an edge */
    assert_int_equal(slt_dmft_edge_at(&p, NAN, &e), SLT_OK);
    assert_false(e.near_edge);
    assert_int_equal(slt_dmft_edge_at(NULL, 1.0, &e), SLT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_width_gap_slope_power_law),
        cmocka_unit_test(test_dmft_ranges),
        cmocka_unit_test(test_dmft_rules),
        cmocka_unit_test(test_statics_ranges),
        cmocka_unit_test(test_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
