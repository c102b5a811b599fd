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
#include <stdlib.h>
#include <cmocka.h>

#include "slt/status.h"
#include "slt/task.h"

/* ---- tolerance tiers -------------------------------------------------------------
 * The relative tolerances (and absolute floors) of assert_close, by what limits the
 * agreement. A check uses the tier whose reason fits it; a specific number that fits no
 * tier stays a literal with a comment saying where it comes from. docs/testing.md. */
#define TOL_ROUNDING      1e-15 /* a few roundings of one closed form in O(1) numbers      */
#define TOL_ROUNDING_SUM  1e-14 /* rounding accumulated over a sum or product of many terms */
#define TOL_ROUNDING_COND 1e-13 /* the same algebra by another route or summation order,
                                   with conditioning up to ~1e2                             */
#define TOL_ROOT          1e-12 /* through a root find (κ to ~1e-14) or conditioning ~1e3  */
#define TOL_ILL_COND      1e-11 /* through conditioning ~1e3 on top of 1e-14 root finds     */
#define TOL_NUMERIC       1e-10 /* two independent numerical methods (quadrature, series,
                                   another solver), each good to ~1e-12 or better           */
#define TOL_CONTOUR       1e-9  /* a Laplace inversion on a Talbot or ellipse contour
                                   (measured ~1e-11..1e-10): the DMFT's accuracy target     */
#define TOL_CONTOUR_2D    1e-8  /* the DMFT's 2-D Talbot inversion, whose rounding grows like
                                   e^{0.8·nodes} (~1e-10 of L(0); pair with an atol)        */
#define TOL_ASYMPTOTIC    1e-6  /* truncated expansions, finite-difference limits and
                                   ill-conditioned solves (cond ~1e8)                       */
/* a decay exponent s (μ_ℓ ∝ ℓ^-s) fitted over a window of degrees, absolute: what is
 * left of the 1/ℓ corrections the fit does not model */
#define TOL_FIT_SLOPE     0.02
/* Monte Carlo: a mean within this many standard errors (two-sided, a false alarm about
 * once in 16000 checks for a Gaussian mean) */
#define TOL_MC_Z          4.0

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

/* ---- a value within its error bound ------------------------------------------------
 * The one "value within its error bound" check of the suite: passes when
 * |value − ref| <= err + slack, where err is the error the library reported (or k standard
 * errors of a Monte Carlo mean) and slack covers the reference's own error. A NaN anywhere
 * fails. `what` names the check in the failure message (NULL: the value's expression). */
static inline int slt_within(double dist, double err, double slack)
{
    return dist <= err + slack;
}

static inline void slt_assert_within_impl(const char *what, double value, double ref,
                                          double dist, double err, double slack,
                                          const char *expr, const char *file, int line)
{
    if (!slt_within(dist, err, slack)) {
        print_error("%s:%d: %s: %.17g vs %.17g: |diff| %.3g > error %.3g + slack %.3g "
                    "(|diff|/error %.3g)\n",
                    file, line, what ? what : expr, value, ref, dist, err, slack, dist / err);
        _fail(file, line);
    }
}

static inline void slt_assert_within_real(const char *what, double value, double err,
                                          double ref, double slack, const char *expr,
                                          const char *file, int line)
{
    slt_assert_within_impl(what, value, ref, fabs(value - ref), err, slack, expr, file, line);
}

#define assert_within(what, value, err, ref, slack) \
    slt_assert_within_real((what), (value), (err), (ref), (slack), #value, __FILE__, __LINE__)

/* the same for complex values (the distance is |value − ref|; the moduli are printed) */
#define assert_within_c(what, value, err, ref, slack)                                     \
    slt_assert_within_impl((what), cabs(value), cabs(ref), cabs((value) - (ref)), (err),  \
                           (slack), #value, __FILE__, __LINE__)

/* a Monte Carlo mean within k standard errors of ref (|diff|/error is then |z|/k) */
#define assert_within_se(what, mean, se, ref, k) assert_within(what, mean, (k) * (se), ref, 0.0)

/* the reported error is useful: at most `max` (a NaN error fails) */
static inline void slt_assert_err_at_most_impl(const char *what, double err, double max,
                                               const char *expr, const char *file, int line)
{
    if (!(err <= max)) {
        print_error("%s:%d: %s: error %.3g exceeds %.3g\n", file, line, what ? what : expr, err,
                    max);
        _fail(file, line);
    }
}

#define assert_err_at_most(what, err, max) \
    slt_assert_err_at_most_impl((what), (err), (max), #err, __FILE__, __LINE__)

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


/* The levels of task without its moment tail: what a truncated spectrum gives (the
 * sabotage checks of the kernel curves compare against it). */
static inline slt_task *slt_test_without_tail(const slt_task *task)
{
    size_t n = slt_task_levels(task);
    double *l = malloc(3 * n * sizeof(double)), *m = l + n, *pw = l + 2 * n;
    assert_non_null(l);
    for (size_t i = 0; i < n; i++) {
        slt_level L;
        assert_int_equal(slt_task_level(task, i + 1, &L), SLT_OK);
        l[i] = L.lambda;
        m[i] = L.mult;
        pw[i] = L.power;
    }
    slt_task *t = NULL;
    assert_int_equal(slt_task_alloc_levels(n, l, m, pw, 0.0, &t), SLT_OK);
    free(l);
    return t;
}

#endif
