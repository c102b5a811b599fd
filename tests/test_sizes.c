/* One spelling of an infinite size: every size that may be infinite (dmft N, P, ensemble;
 * statics N, P; mc N, P) is a double holding a whole number or INFINITY, and every
 * module refuses a size that is neither. */
#include "slt_test.h"

#include <math.h>

#include "slt/dmft.h"
#include "slt/mc.h"
#include "slt/statics.h"
#include "slt/status.h"

static void test_mc_sizes(void **state)
{
    (void)state;
    slt_mc_params p = slt_mc_params_default();
    p.N = INFINITY;
    p.P = 40;
    assert_int_equal(slt_mc_params_check(&p), SLT_OK);
    p.N = 20;
    p.P = INFINITY;
    assert_int_equal(slt_mc_params_check(&p), SLT_OK);
    p.N = 2.5; /* a width is a count: the old size_t field truncated this to 2 */
    assert_int_equal(slt_mc_params_check(&p), SLT_EINVAL);
    p.N = -INFINITY;
    assert_int_equal(slt_mc_params_check(&p), SLT_EINVAL);
    p.N = NAN;
    assert_int_equal(slt_mc_params_check(&p), SLT_EINVAL);
    /* the default-M rule reads the sizes too: it refuses what the check refuses (a cast of
     * NaN to size_t is undefined) */
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    size_t M = 0;
    assert_int_equal(slt_mc_modes(task, &p, &M), SLT_EINVAL);
    p.N = 1e300;
    assert_int_equal(slt_mc_modes(task, &p, &M), SLT_EINVAL);
    p.N = 20;
    assert_int_equal(slt_mc_modes(task, &p, &M), SLT_OK);
    slt_task_free(task);
    /* the explicit-realisation entry point follows the same rule */
    double lambda[1] = {1.0}, wstar[1] = {1.0}, psi[2] = {0.3, -0.2}, y[2] = {0.3, -0.2};
    slt_mc_realisation r = {.N = INFINITY, .P = 2.5, .M = 1, .lambda = lambda, .wstar = wstar,
                            .psi = psi, .y = y};
    slt_mc_params q = slt_mc_params_default();
    q.model = SLT_MC_RIDGE; /* one value, no times */
    q.ridge = 0.1;
    double test = NAN, train = NAN;
    assert_int_equal(slt_mc_evaluate(&q, &r, NULL, 0, &test, &train), SLT_EINVAL);
    r.P = 2;
    assert_int_equal(slt_mc_evaluate(&q, &r, NULL, 0, &test, &train), SLT_OK);
}

static void test_dmft_sizes(void **state)
{
    (void)state;
    slt_dmft_params p = slt_dmft_params_default();
    assert_true(isinf(p.N) && isinf(p.P));
    p.N = 100;
    p.ensemble = INFINITY;
    assert_int_equal(slt_dmft_params_check(&p), SLT_OK);
    p.ensemble = 3;
    assert_int_equal(slt_dmft_params_check(&p), SLT_OK);
    p.ensemble = 2.5;
    assert_int_equal(slt_dmft_params_check(&p), SLT_EINVAL);
    p.ensemble = 0;
    assert_int_equal(slt_dmft_params_check(&p), SLT_EINVAL);
}

static void test_statics_sizes(void **state)
{
    (void)state;
    slt_statics_params p = slt_statics_params_default();
    p.N = INFINITY;
    p.P = INFINITY;
    assert_int_equal(slt_statics_params_check(&p), SLT_OK);
    p.P = -INFINITY;
    assert_int_equal(slt_statics_params_check(&p), SLT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mc_sizes),
        cmocka_unit_test(test_dmft_sizes),
        cmocka_unit_test(test_statics_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
