/* Shared helpers for the cmocka test programs.
 *
 * cmocka 1.1.5's assert_float_equal compares in single precision, so every numeric
 * assertion goes through assert_close, which compares doubles and prints 17 digits. */
#ifndef SLT_TEST_H
#define SLT_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "slt/status.h"
#include "slt/task.h"

/* Passes when |actual − expected| <= atol + rtol·|expected|. NaN equals only NaN, and an
 * infinity equals only the same infinity. */
static inline int slt_close_enough(double actual, double expected, double rtol, double atol)
{
    if (isnan(expected) || isnan(actual)) return isnan(expected) && isnan(actual);
    if (isinf(expected) || isinf(actual)) return actual == expected;
    return fabs(actual - expected) <= atol + rtol * fabs(expected);
}

static inline void slt_assert_close_impl(double actual, double expected, double rtol,
                                         double atol, const char *actual_expr,
                                         const char *file, int line)
{
    if (!slt_close_enough(actual, expected, rtol, atol)) {
        double rel = (expected != 0.0) ? fabs(actual - expected) / fabs(expected) : NAN;
        print_error("%s:%d: %s = %.17g, expected %.17g (|diff| = %.3g, rel %.3g; "
                    "rtol %.3g, atol %.3g)\n",
                    file, line, actual_expr, actual, expected, fabs(actual - expected), rel,
                    rtol, atol);
        _fail(file, line);
    }
}

#define assert_close(actual, expected, rtol, atol) \
    slt_assert_close_impl((actual), (expected), (rtol), (atol), #actual, __FILE__, __LINE__)

/* Asserts a status code and shows slt_last_error() when it differs. */
#define assert_status(call, expected)                                                   \
    do {                                                                                \
        int slt_test_rc_ = (call);                                                      \
        if (slt_test_rc_ != (expected)) {                                               \
            print_error("%s:%d: %s returned %d (%s), expected %d; message: %s\n",       \
                        __FILE__, __LINE__, #call, slt_test_rc_,                        \
                        slt_strerror(slt_test_rc_), (int)(expected), slt_last_error()); \
            _fail(__FILE__, __LINE__);                                                  \
        }                                                                               \
    } while (0)

#define assert_ok(call) assert_status(call, 0)

/* The power-law task λ_k = A_λ k^-α, t_k = A_t k^-(αβ+1) with noise σ², or a failed test. */
static inline slt_task *test_power_law_scaled(double alpha, double beta, double amp_lambda,
                                              double amp_target, double noise)
{
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = alpha;
    p.beta = beta;
    p.amp_lambda = amp_lambda;
    p.amp_target = amp_target;
    p.noise = noise;
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_power_law(&p, &t));
    return t;
}

/* The same with unit amplitudes (the canonical task). */
static inline slt_task *test_power_law(double alpha, double beta, double noise)
{
    return test_power_law_scaled(alpha, beta, 1.0, 1.0, noise);
}

/* x_n of the discrete heavy ball x_{n+1} = (1 + β − ηu)x_n − βx_{n−1}, at rest at the
 * start (x_{−1} = x_0 = 1), by the recurrence itself: the reference the DMFT's closed
 * forms are checked against */
static inline double heavy_ball_steps(double u, double eta, double beta, double n)
{
    double xm = 1.0, x = 1.0;
    for (long i = 0; i < (long)n; i++) {
        double xn = (1.0 + beta - eta * u) * x - beta * xm;
        xm = x;
        x = xn;
    }
    return x;
}

/* the mode term t_k x_n(λ_k)² of the heavy ball's loss at N = P = ∞, for slt_task_sum */
typedef struct { double eta, beta, n; } hbs_ctx;
static inline double hbs_term(double l, double tk, void *p)
{
    hbs_ctx *c = p;
    double x = heavy_ball_steps(l, c->eta, c->beta, c->n);
    return tk * x * x;
}

#endif
