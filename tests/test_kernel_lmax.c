/* The default lmax of a kernel task (slt_kernels_lmax_for_modes) against multiplicities
 * counted by hand: S² (N(3,ℓ) = 2ℓ + 1, so degrees 0 … L hold (L+1)² modes), S⁹ (degrees
 * 0 … L hold C(L+9, 9) + C(L+8, 9) modes: the number of harmonic polynomials of degree
 * <= L in 10 variables, counted as homogeneous polynomials of degree L and L − 1), the
 * structural zeros of the one-layer ReLU NTK and of poly kernels, and the errors. */
#include <math.h>

#include "slt_test.h"
#include "slt/kernels.h"

static slt_kernels_params sphere(slt_kernel_type k, int dim)
{
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = k;
    p.dim = dim;
    p.depth = 3;
    return p;
}

static size_t lmax_of(const slt_kernels_params *p, double modes, double *held)
{
    size_t L = 0;
    assert_ok(slt_kernels_lmax_for_modes(p, modes, &L, held));
    return L;
}

/* C(n, k) for small arguments, by the product formula */
static double choose(int n, int k)
{
    double c = 1.0;
    for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
    return round(c);
}

static void test_s2(void **state)
{
    (void)state;
    slt_kernels_params p = sphere(SLT_KERNEL_RELU_NTK, 3);
    for (size_t L = 0; L < 40; L++) {
        double full = (double)((L + 1) * (L + 1)), held = 0;
        assert_int_equal(lmax_of(&p, full, &held), L);       /* exactly reached */
        assert_true(held == full);
        assert_int_equal(lmax_of(&p, full + 1.0, NULL), L + 1); /* one more mode */
    }
    assert_int_equal(lmax_of(&p, 1.0, NULL), 0);
}

static void test_s9(void **state)
{
    (void)state;
    slt_kernels_params p = sphere(SLT_KERNEL_RELU_NTK, 10);
    for (int L = 0; L <= 30; L++) {
        double full = choose(L + 9, 9) + (L > 0 ? choose(L + 8, 9) : 0.0), held = 0;
        assert_int_equal(lmax_of(&p, full, &held), (size_t)L);
        assert_true(held == full);
        assert_int_equal(lmax_of(&p, full + 1.0, NULL), (size_t)L + 1);
    }
    /* the count: degrees <= 13 of S⁹ are 791,350 modes */
    assert_int_equal(lmax_of(&p, 791350.0, NULL), 13);
}

static void test_structural_zeros(void **state)
{
    (void)state;
    /* one-layer ReLU NTK: odd degrees >= 3 vanish; S²: degrees 0, 1, 2, 4, 6 hold
     * 1 + 3 + 5 + 9 + 13 = 31 modes */
    slt_kernels_params p = sphere(SLT_KERNEL_RELU_NTK, 3);
    p.depth = 1;
    assert_int_equal(lmax_of(&p, 31.0, NULL), 6);
    assert_int_equal(lmax_of(&p, 19.0, NULL), 6);
    assert_int_equal(lmax_of(&p, 18.0, NULL), 4);
    assert_int_equal(lmax_of(&p, 10.0, NULL), 4); /* degree 3 adds nothing */
    /* poly (1 + t)^2: nothing beyond degree 2 (9 modes on S²): clamped */
    slt_kernels_params q = sphere(SLT_KERNEL_POLY, 3);
    q.poly_degree = 2;
    q.offset = 1.0;
    double held = 0;
    assert_int_equal(lmax_of(&q, 1e6, &held), 2);
    assert_true(held == 9.0);
    /* t^2 (offset 0): degree 1 is a zero, so 2 modes need degree 2 */
    q.offset = 0.0;
    assert_int_equal(lmax_of(&q, 2.0, &held), 2);
    assert_true(held == 6.0);
}

static void test_errors(void **state)
{
    (void)state;
    slt_kernels_params p = sphere(SLT_KERNEL_RELU_NTK, 3);
    size_t L = 0;
    assert_int_equal(slt_kernels_lmax_for_modes(&p, INFINITY, &L, NULL), SLT_EINVAL);
    assert_int_equal(slt_kernels_lmax_for_modes(&p, 0.5, &L, NULL), SLT_EINVAL);
    assert_int_equal(slt_kernels_lmax_for_modes(NULL, 10, &L, NULL), SLT_EINVAL);
    /* S¹ (d = 2): 2·100000 + 1 modes at most */
    p.dim = 2;
    assert_int_equal(slt_kernels_lmax_for_modes(&p, 1e9, &L, NULL), SLT_EDOM);
    slt_kernels_params t = slt_kernels_params_default();
    t.kernel = SLT_KERNEL_GAUSSIAN;
    t.domain = SLT_DOMAIN_TORUS;
    t.dim = 2;
    assert_int_equal(slt_kernels_lmax_for_modes(&t, 10, &L, NULL), SLT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_s2),
        cmocka_unit_test(test_s9),
        cmocka_unit_test(test_structural_zeros),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
