/* The task layer's effective-ridge solver slt_task_kappa / slt_task_kappa_star against
 * closed forms: one mode (a cubic in κ, solved by GSL's cubic formula), two equal modes at
 * N = ∞ (a quadratic), and the power law α = 2, whose df is a coth (κ chosen, z made from
 * it). The returned error must cover the truth; κ_* must give df = n; bad input fails
 * with its status; statics and the DMFT return the same κ for the same (task, N, P, z). */
#include <complex.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_poly.h>

#include "slt/dmft.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

/* A closed-form truth carries a few roundings; its conditioning is stated per use. */
#define TRUTH_SLACK(x, cond) (8.0 * DBL_EPSILON * (cond) * fabs(x))

static slt_task *explicit_task(size_t m, double lambda)
{
    double l[4], t[4];
    for (size_t i = 0; i < m; i++) {
        l[i] = lambda;
        t[i] = 1.0;
    }
    slt_task *task = NULL;
    assert_ok(slt_task_alloc_explicit(m, l, t, 0.0, &task));
    return task;
}

/* df at α = 2, A = 1: Σ_k 1/(1 + κk²) = (π/√κ · coth(π/√κ) − 1)/2 */
static double df_alpha2(double kappa)
{
    double a = M_PI / sqrt(kappa);
    return 0.5 * (a / tanh(a) - 1.0);
}

static void check_kappa(const char *what, const slt_kappa_result *r, double truth, double cond)
{
    assert_close(r->kappa, truth, TOL_ROOT, 0); /* Brent to 1e-14 in log κ, conditioning */
    assert_within(what, r->kappa, r->kappa_err, truth, TRUTH_SLACK(truth, cond));
}

/* One mode λ: κ(1 − a/N)(1 − a/P) = z with a = λ/(λ + κ), times (λ + κ)²:
 * κ³ + (c + d − z)κ² + (cd − 2zλ)κ − zλ² = 0, c = λ(1 − 1/N), d = λ(1 − 1/P). */
static void test_one_mode_cubic(void **state)
{
    (void)state;
    const double lambda = 0.7;
    slt_task *task = explicit_task(1, lambda);
    const double cases[][3] = {{3, 5, 0.1}, {2, 40, 1e-3}, {1.5, 1.5, 0.3}, {10, 4, 2.0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double N = cases[i][0], P = cases[i][1], z = cases[i][2];
        double c = lambda * (1 - 1 / N), d = lambda * (1 - 1 / P);
        double x[3];
        int nr = gsl_poly_solve_cubic(c + d - z, c * d - 2 * z * lambda, -z * lambda * lambda,
                                      &x[0], &x[1], &x[2]);
        double truth = x[nr - 1]; /* the largest: the one positive root */
        assert_true(truth > 0);
        slt_kappa_result r;
        assert_ok(slt_task_kappa(task, N, P, z, NULL, &r));
        assert_int_equal(r.root, SLT_KAPPA_CONVERGED);
        check_kappa("one mode, cubic", &r, truth, 100); /* the cubic formula's rounding */
        /* the DMFT's method: the same root, to its own tolerance */
        slt_kappa_options o = slt_kappa_options_default();
        o.method = SLT_KAPPA_PRODUCT_SEARCH;
        slt_kappa_result q;
        assert_ok(slt_task_kappa(task, N, P, z, &o, &q));
        check_kappa("one mode, product form", &q, truth, 100);
        /* a loose tolerance: κ is off by up to ~1e-6 and the error must say so */
        for (int method = 0; method < 2; method++) {
            o.method = method ? SLT_KAPPA_PRODUCT_SEARCH : SLT_KAPPA_RATIO_PROVEN;
            o.rel_tol = 1e-6;
            o.log_rel_tol = 0.0;
            assert_ok(slt_task_kappa(task, N, P, z, &o, &q));
            assert_within("one mode, rel_tol 1e-6", q.kappa, q.kappa_err, truth,
                          TRUTH_SLACK(truth, 100));
            assert_err_at_most("one mode, rel_tol 1e-6", q.kappa_err, 3e-6 * truth);
        }
    }
    /* ridgeless, n = 0.5 < M = 1: df(κ) = ½ at κ = λ */
    slt_kappa_result r;
    assert_ok(slt_task_kappa_star(task, 0.5, NULL, &r));
    check_kappa("one mode, kappa_star", &r, lambda, 1);
    slt_task_free(task);
}

/* Two equal modes λ, N = ∞ (kernel ridge regression): κ(1 − 2λ/(P(λ + κ))) = z, i.e.
 * κ² + bκ − zλ = 0 with b = λ(1 − 2/P) − z; the positive root without cancellation. */
static void test_two_modes_krr_quadratic(void **state)
{
    (void)state;
    const double lambda = 2.5;
    slt_task *task = explicit_task(2, lambda);
    const double cases[][2] = {{3, 0.01}, {1.2, 1e-6}, {50, 4.0}, {0.5, 0.2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double P = cases[i][0], z = cases[i][1];
        double b = lambda * (1 - 2 / P) - z, s = sqrt(b * b + 4 * z * lambda);
        double truth = b > 0 ? 2 * z * lambda / (b + s) : (s - b) / 2;
        slt_kappa_result r;
        assert_ok(slt_task_kappa(task, INFINITY, P, z, NULL, &r));
        check_kappa("two modes, KRR quadratic", &r, truth, 4);
        /* N and P swap: the equation is symmetric */
        slt_kappa_result q;
        assert_ok(slt_task_kappa(task, P, INFINITY, z, NULL, &q));
        assert_true(q.kappa == r.kappa);
    }
    slt_task_free(task);
}

/* The power law α = 2: κ₀ chosen, z = κ₀(1 − df/N)(1 − df/P) by the coth closed form,
 * and back. Also κ_n: n = df(κ₀). */
static void test_power_law_coth(void **state)
{
    (void)state;
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    const double cases[][3] = {{INFINITY, 100, 1e-3}, {50, 100, 2e-3}, {400, 30, 0.05},
                               {INFINITY, 1000, 1e-5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double N = cases[i][0], P = cases[i][1], k0 = cases[i][2], df = df_alpha2(k0);
        double uN = isinf(N) ? 1.0 : 1.0 - df / N, uP = 1.0 - df / P;
        double z = k0 * uN * uP;
        slt_kappa_result r;
        assert_ok(slt_task_kappa(task, N, P, z, NULL, &r));
        /* z carries the rounding of df/n into 1 − df/n: conditioning ~ df/(n − df) */
        double cond = 1.0 + df / (fmin(N, P) - df);
        check_kappa("power law alpha = 2", &r, k0, 10 * cond);
        /* κ_n for n = df(κ₀): df decreases like κ^{-1/2}, so the truth moves by 2× n's
           rounding */
        slt_kappa_result s;
        assert_ok(slt_task_kappa_star(task, df, NULL, &s));
        check_kappa("power law alpha = 2, kappa_star", &s, k0, 4);
    }
    slt_task_free(task);
}

/* κ_* solves df(κ_*) = n, both methods, explicit and power-law tasks. */
static void test_kappa_star_df(void **state)
{
    (void)state;
    slt_task *tasks[2] = {test_power_law(1.5, 1.2, 0.0), NULL};
    double l[300], t[300];
    for (int k = 0; k < 300; k++) {
        l[k] = pow(k + 1.0, -1.3);
        t[k] = pow(k + 1.0, -2.0);
    }
    assert_ok(slt_task_alloc_explicit(300, l, t, 0.0, &tasks[1]));
    const double ns[] = {0.3, 1, 7.5, 100, 299};
    for (int j = 0; j < 2; j++)
        for (int method = 0; method < 2; method++)
            for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
                slt_kappa_options o = slt_kappa_options_default();
                o.method = method ? SLT_KAPPA_PRODUCT_SEARCH : SLT_KAPPA_RATIO_PROVEN;
                slt_kappa_result r;
                assert_ok(slt_task_kappa_star(tasks[j], ns[i], &o, &r));
                assert_true(r.kappa > 0);
                slt_sum d;
                assert_ok(slt_sum_df(tasks[j], r.kappa, &d));
                /* κ to 1e-14 moves df by ~1e-14·n: TOL_ROOT */
                assert_close(d.value, ns[i], TOL_ROOT, 0);
                /* and the root's error covers it: |df(κ) − n| <= |df'| κ_err + the sum's err */
                slt_sum d2;
                assert_ok(slt_sum_df2(tasks[j], r.kappa, &d2));
                double slope = (d.value - d2.value) / r.kappa; /* |df'(κ)| */
                assert_within("df(kappa_star) = n", d.value, slope * r.kappa_err + d.err, ns[i],
                              4 * DBL_EPSILON * ns[i]);
            }
    /* n >= M: every mode is learned, κ_* = 0 exactly */
    slt_kappa_result r;
    assert_ok(slt_task_kappa_star(tasks[1], 300, NULL, &r));
    assert_true(r.kappa == 0.0 && r.kappa_err == 0.0);
    assert_int_equal(r.root, SLT_KAPPA_EXACT);
    for (int j = 0; j < 2; j++) slt_task_free(tasks[j]);
}

/* The closed forms without iteration. */
static void test_exact_cases(void **state)
{
    (void)state;
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    slt_kappa_result r;
    assert_ok(slt_task_kappa(task, INFINITY, INFINITY, 0.25, NULL, &r));
    assert_true(r.kappa == 0.25 && r.kappa_err == 0.0 && r.iterations == 0);
    assert_int_equal(r.root, SLT_KAPPA_EXACT);
    assert_ok(slt_task_kappa(task, INFINITY, INFINITY, 0.0, NULL, &r));
    assert_true(r.kappa == 0.0);
    /* the search method iterates at N = P = ∞ and lands on z to its tolerance */
    slt_kappa_options o = slt_kappa_options_default();
    o.method = SLT_KAPPA_PRODUCT_SEARCH;
    assert_ok(slt_task_kappa(task, INFINITY, INFINITY, 0.25, &o, &r));
    check_kappa("N = P = inf, product form", &r, 0.25, 1);
    slt_task_free(task);
}

static void test_bad_input(void **state)
{
    (void)state;
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    slt_kappa_result r;
    assert_status(slt_task_kappa(task, 0.0, 10, 0.1, NULL, &r), SLT_EINVAL);
    assert_true(isnan(r.kappa) && r.root == SLT_KAPPA_FAILED);
    assert_status(slt_task_kappa(task, -1.0, 10, 0.1, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa(task, 10, NAN, 0.1, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa(task, 10, 10, -1e-3, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa(task, 10, 10, NAN, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa(task, 10, 10, INFINITY, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa(NULL, 10, 10, 0.1, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa(task, 10, 10, 0.1, NULL, NULL), SLT_EINVAL);
    assert_status(slt_task_kappa_star(task, 0.0, NULL, &r), SLT_EINVAL);
    assert_status(slt_task_kappa_star(task, NAN, NULL, &r), SLT_EINVAL);
    slt_kappa_options o = slt_kappa_options_default();
    o.rel_tol = 0.1;
    assert_status(slt_task_kappa(task, 10, 10, 0.1, &o, &r), SLT_EINVAL);
    o = slt_kappa_options_default();
    o.rel_tol = 0.0;
    o.log_rel_tol = 0.0;
    assert_status(slt_task_kappa(task, 10, 10, 0.1, &o, &r), SLT_EINVAL);
    o = slt_kappa_options_default();
    o.max_iter = 0;
    assert_status(slt_task_kappa(task, 10, 10, 0.1, &o, &r), SLT_EINVAL);
    o = slt_kappa_options_default();
    o.kappa_star = NAN;
    assert_status(slt_task_kappa(task, 10, 10, 0.1, &o, &r), SLT_EINVAL);
    /* a kappa_star that is not the ridgeless root would misplace the searched bracket:
     * refused, both a positive wrong value and 0 where a root exists (task: modes > n) */
    o = slt_kappa_options_default();
    o.method = SLT_KAPPA_PRODUCT_SEARCH;
    slt_kappa_result ks;
    assert_ok(slt_task_kappa_star(task, 10, &o, &ks));
    o.kappa_star = ks.kappa;
    assert_ok(slt_task_kappa(task, 10, 20, 0.1, &o, &r));
    o.kappa_star = 0.5 * ks.kappa;
    assert_status(slt_task_kappa(task, 10, 20, 0.1, &o, &r), SLT_EINVAL);
    o.kappa_star = 0.0;
    assert_status(slt_task_kappa(task, 10, 20, 0.1, &o, &r), SLT_EINVAL);
    o = slt_kappa_options_default();
    o.method = (slt_kappa_method)7;
    assert_status(slt_task_kappa(task, 10, 10, 0.1, &o, &r), SLT_EINVAL);
    /* one Brent iteration cannot reach 1e-14: SLT_ENOCONV, NaN, the limit named */
    o = slt_kappa_options_default();
    o.max_iter = 1;
    assert_status(slt_task_kappa(task, 10, 20, 0.1, &o, &r), SLT_ENOCONV);
    assert_true(isnan(r.kappa) && isnan(r.kappa_err));
    assert_int_equal(r.root, SLT_KAPPA_MAX_ITER);
    assert_int_equal(r.iterations, 1);
    assert_non_null(strstr(slt_last_error(), "max_iter = 1"));
    slt_task_free(task);
}

/* Statics, the DMFT and the task layer: one κ for one (task, N, P, z). */
static void test_statics_dmft_agree(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.8, 0.7, 0.0);
    const double cases[][3] = {{50, 100, 1e-3}, {INFINITY, 30, 0.02}, {200, 80, 1e-5}};
    slt_statics_workspace *st = NULL;
    assert_ok(slt_statics_alloc(task, &st));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double N = cases[i][0], P = cases[i][1], z = cases[i][2];
        slt_kappa_result r;
        assert_ok(slt_task_kappa(task, N, P, z, NULL, &r));
        slt_statics_params sp = slt_statics_params_default();
        sp.N = N;
        sp.P = P;
        sp.ridge = z;
        slt_statics_result s;
        assert_ok(slt_statics_solve(st, &sp, &s));
        assert_true(s.kappa == r.kappa); /* the same solver, the same options */
        assert_true(s.kappa_err == r.kappa_err);

        slt_dmft_params dp = slt_dmft_params_default();
        dp.N = N;
        dp.P = P;
        slt_dmft_workspace *w = NULL;
        assert_ok(slt_dmft_alloc(task, &dp, &w));
        double complex kd;
        assert_ok(slt_dmft_kappa(w, z, &kd));
        /* the DMFT's Newton polishes to its rel_tol; both within their errors */
        assert_within("dmft vs statics kappa", creal(kd), r.kappa_err + dp.rel_tol * r.kappa,
                      r.kappa, 0.0);
        assert_true(cimag(kd) == 0.0);
        /* ridgeless: the DMFT's κ_* is the statics root at z = 0 */
        double ks;
        assert_ok(slt_dmft_kappa_star(w, &ks));
        sp.ridge = 0.0;
        assert_ok(slt_statics_solve(st, &sp, &s));
        assert_within("dmft kappa_star vs statics", ks, s.kappa_err, s.kappa,
                      4 * DBL_EPSILON * s.kappa);
        slt_dmft_free(w);
    }
    slt_statics_free(st);
    slt_task_free(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_mode_cubic),
        cmocka_unit_test(test_two_modes_krr_quadratic),
        cmocka_unit_test(test_power_law_coth),
        cmocka_unit_test(test_kappa_star_df),
        cmocka_unit_test(test_exact_cases),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_statics_dmft_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
