/* Tests of the compute-optimal solver (slt/optimal.h).
 *
 * (1) A fitted law L = E + A N^-a + B D^-b under C = 6ND against its closed-form optimum
 *     (docs/theory/optimal.md §2), to 1e-8.
 * (2) Against brute force: a dense grid over N of the same loss (lazy DMFT; statics)
 *     finds the same optimum within the grid's resolution, and never a lower loss.
 * (3) The hard lazy task α = 2, β = 0.5 over 8 decades of C: the local slopes converge
 *     to the exponent table's 1/(1+α), α/(1+α), −αβ/(1+α).
 * (4) Bad input: statuses and messages; an optimum at a bound is flagged, not returned.
 * Measured values are printed so that a failing tolerance can be judged. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "slt_test.h"

#include "slt/optimal.h"

#define M_SQRT10 3.16227766016837933

static const slt_optimal_cost COST_NT = {SLT_OPTIMAL_COST_NT, 1, 1};

/* ---- (1) the law's closed form ----------------------------------------------------- */

static void test_law_closed_form(void **state)
{
    (void)state;
    /* Hoffmann et al.'s fitted values (any positive numbers would do) */
    const slt_optimal_law law = {.E = 1.69, .A = 406.4, .a = 0.34, .B = 410.7, .b = 0.28};
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_law(&law, &prov));
    slt_optimal_cost cost;
    assert_ok(slt_optimal_cost_parse("6nd", &cost));
    assert_int_equal(cost.kind, SLT_OPTIMAL_COST_CND);
    assert_close(cost.c, 6.0, 0.0, 0.0);
    slt_optimal_params p = slt_optimal_params_default();
    p.N_hi = 1e14;
    const double C[5] = {1e18, 1e20, 1e22, 1e24, 1e26};
    slt_optimal_point out[5];
    assert_ok(slt_optimal_frontier(prov, &cost, &p, C, 5, out, NULL, NULL));
    for (int i = 0; i < 5; i++) {
        /* dL/dN = 0 along D = C/(6N): a A N^-a = b B D^-b, so
         * N* = (a A/(b B))^{1/(a+b)} (C/6)^{b/(a+b)} */
        const double a = law.a, b = law.b;
        const double N = pow(a * law.A / (b * law.B), 1 / (a + b)) * pow(C[i] / 6, b / (a + b));
        const double D = C[i] / (6 * N);
        const double L = law.E + law.A * pow(N, -a) + law.B * pow(D, -b);
        printf("C = %g: N* = %.15g (closed %.15g, rel %.2g, err %.2g), L* = %.15g\n", C[i],
               out[i].N, N, fabs(out[i].N / N - 1), out[i].N_err / N, out[i].L);
        /* 1e-8: the accuracy for this closed form (the polish reaches ~1e-10) */
        assert_close(out[i].N, N, 1e-8, 0);
        assert_close(out[i].x, D, 1e-8, 0);
        assert_close(out[i].L, L, 1e-8, 0);
        assert_within("N* within its error", out[i].N, out[i].N_err, N, 0);
        assert_within("L* within its error", out[i].L, out[i].L_err, L, 0);
        /* N* ∝ C^{b/(a+b)} exactly: the central differences see no curvature */
        double pred[3];
        assert_ok(slt_optimal_law_predicted(&law, &cost, pred));
        assert_close(out[i].slope_N, pred[0], 0, 1e-6);
        assert_close(out[i].slope_x, pred[1], 0, 1e-6);
        assert_close(pred[0], b / (a + b), TOL_ROUNDING, 0);
    }
    slt_optimal_provider_free(prov);
}

/* ---- (2) brute force ---------------------------------------------------------------- */

/* the smallest loss over a dense grid of ln N in [u0, u1] with spacing du */
static void brute(slt_optimal_provider *prov, const slt_optimal_cost *cost, double C, double u0,
                  double u1, double du, double *u_best, double *L_best)
{
    *L_best = INFINITY;
    for (double u = u0; u <= u1 + 1e-12; u += du) {
        double L, e;
        int rc = slt_optimal_provider_loss(prov, exp(u), slt_optimal_cost_resource(cost, C, exp(u)),
                                           &L, &e);
        if (rc == SLT_EDIVERGE) continue;
        assert_ok(rc);
        if (L < *L_best) *L_best = L, *u_best = u;
    }
}

static void test_brute_force_dmft(void **state)
{
    (void)state;
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    slt_dmft_params dp = slt_dmft_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_dmft(task, &dp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    p.N_hi = 1e5;
    const double C = 1e6;
    slt_optimal_point o;
    assert_ok(slt_optimal_solve(prov, &COST_NT, &p, C, &o));
    /* the grid: spacing 0.02 in ln N over N in [150, 600], fixed in advance (the
     * hard-task optimum N* ≈ 0.6 C^{1/3} lies inside), wider than the minimiser's bracket */
    const double du = 0.02;
    double ub, Lb;
    brute(prov, &COST_NT, C, log(150.0), log(600.0), du, &ub, &Lb);
    printf("dmft C = %g: N* = %.10g +- %.2g, brute force N = %.10g; L* = %.12g, brute %.12g\n",
           C, o.N, o.N_err, exp(ub), o.L, Lb);
    assert_true(fabs(log(o.N) - ub) <= du); /* within the grid's resolution */
    assert_true(o.L <= Lb + o.L_err);       /* the dense grid finds no lower loss */
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

static void test_brute_force_statics(void **state)
{
    (void)state;
    /* the converged loss L(N, P = C/N): two branches meet at the pole N = P; the whole
     * range is scanned densely, so a wrong (local) minimum would show */
    slt_task *task = test_power_law(1.5, 0.8, 0.01);
    slt_statics_params sp = slt_statics_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_statics(task, &sp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    p.N_hi = 1e8;
    const double C = 1e8;
    slt_optimal_point o;
    int rc = slt_optimal_solve(prov, &COST_NT, &p, C, &o);
    printf("statics C = %g: status %d, N* = %.10g +- %.2g, P* = %.10g, L* = %.12g (%s)\n", C, rc,
           o.N, o.N_err, o.x, o.L, o.message);
    assert_ok(rc);
    const double du = 0.005;
    double ub, Lb;
    brute(prov, &COST_NT, C, 0, log(C), du, &ub, &Lb);
    printf("  brute force N = %.10g, L = %.12g\n", exp(ub), Lb);
    assert_true(fabs(log(o.N) - ub) <= du);
    assert_true(o.L <= Lb + o.L_err);
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

/* ---- (3) the hard lazy task ---------------------------------------------------------- */

static void test_hard_lazy_slopes(void **state)
{
    (void)state;
    const double alpha = 2, beta = 0.5;
    slt_task *task = test_power_law(alpha, beta, 0.0);
    slt_dmft_params dp = slt_dmft_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_dmft(task, &dp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    p.N_hi = 1e6;
    enum { NC = 5 };
    const double C[NC] = {1e4, 1e6, 1e8, 1e10, 1e12}; /* 8 decades */
    slt_optimal_point o[NC];
    assert_ok(slt_optimal_frontier(prov, &COST_NT, &p, C, NC, o, NULL, NULL));
    double pred[3];
    const char *regime = NULL;
    assert_ok(slt_optimal_predicted(alpha, beta, 0, &COST_NT, pred, &regime));
    assert_string_equal(regime, "hard");
    assert_close(pred[0], 1 / (1 + alpha), TOL_ROUNDING, 0);
    assert_close(pred[1], alpha / (1 + alpha), TOL_ROUNDING, 0);
    assert_close(pred[2], -alpha * beta / (1 + alpha), TOL_ROUNDING, 0);
    double dev_first = 0, dev_last = 0;
    for (int i = 0; i < NC; i++) {
        printf("C = %g: N* = %.8g, t* = %.8g, L* = %.8g; slopes %.5f +- %.1g, %.5f, %.5f +- %.1g\n",
               C[i], o[i].N, o[i].x, o[i].L, o[i].slope_N, o[i].slope_N_err, o[i].slope_x,
               o[i].slope_L, o[i].slope_L_err);
        const double dev = fmax(fabs(o[i].slope_N - pred[0]),
                                fmax(fabs(o[i].slope_x - pred[1]), fabs(o[i].slope_L - pred[2])));
        if (i == 0) dev_first = dev;
        if (i == NC - 1) dev_last = dev;
    }
    /* the convergence rule: at the largest budget every slope is within TOL_FIT_SLOPE of
     * its asymptote, and no farther from it than at the smallest budget */
    assert_true(dev_last <= TOL_FIT_SLOPE);
    assert_true(dev_last <= dev_first);
    /* N* t* = C on the constraint: the two slopes add up to 1 */
    assert_close(o[NC - 1].slope_N + o[NC - 1].slope_x, 1.0, 0, 1e-9);
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

/* An easy task, α = 2, β = 1.25: the measured slopes settle which balance of the exponent
 * table's note is right (docs/theory/optimal.md §7). The F_ac balance (the table's value)
 * gives (αβ−α+1)/(αβ+1) = 3/7 for N*; the two-term balances t^-β + N^-m give β/(β+m) =
 * 5/13 (m = α) and 1/3 (m = 2.5). At C = 1e14..1e16 the measured slopes lie within
 * TOL_FIT_SLOPE of the F_ac values and more than 0.03 from both others. */
static void test_easy_balance(void **state)
{
    (void)state;
    const double alpha = 2, beta = 1.25;
    slt_task *task = test_power_law(alpha, beta, 0.0);
    slt_dmft_params dp = slt_dmft_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_dmft(task, &dp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    p.N_lo = 1e4;
    p.N_hi = 1e9;
    enum { NC = 3 };
    const double C[NC] = {1e14, 1e15, 1e16};
    slt_optimal_point o[NC];
    assert_ok(slt_optimal_frontier(prov, &COST_NT, &p, C, NC, o, NULL, NULL));
    double pred[3];
    const char *regime = NULL;
    assert_ok(slt_optimal_predicted(alpha, beta, 0, &COST_NT, pred, &regime));
    assert_string_equal(regime, "easy");
    const double fac[3] = {3.0 / 7, 4.0 / 7, -5.0 / 7};
    for (int k = 0; k < 3; k++) assert_close(pred[k], fac[k], TOL_ROUNDING, 0);
    const double m[2] = {alpha * fmin(beta, 1), alpha * fmin(beta, 2)};
    const double s[3] = {o[NC - 1].slope_N, o[NC - 1].slope_x, o[NC - 1].slope_L};
    printf("easy C = 1e16: slopes %.5f, %.5f, %.5f; F_ac %.5f, %.5f, %.5f\n", s[0], s[1], s[2],
           fac[0], fac[1], fac[2]);
    for (int k = 0; k < 3; k++) assert_true(fabs(s[k] - fac[k]) <= TOL_FIT_SLOPE);
    for (int j = 0; j < 2; j++) {
        const double two[3] = {beta / (beta + m[j]), m[j] / (beta + m[j]),
                               -beta * m[j] / (beta + m[j])};
        assert_true(fabs(s[0] - two[0]) > 0.03 && fabs(s[2] - two[2]) > 0.03);
    }
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

/* ---- (4) bad input -------------------------------------------------------------------- */

static void test_bad_input(void **state)
{
    (void)state;
    const slt_optimal_law law = slt_optimal_law_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_law(&law, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    slt_optimal_point o;
    /* C <= 0 */
    assert_status(slt_optimal_solve(prov, &COST_NT, &p, 0.0, &o), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "C = 0"));
    assert_true(isnan(o.N));
    assert_status(slt_optimal_solve(prov, &COST_NT, &p, -1.0, &o), SLT_EINVAL);
    /* empty N range */
    slt_optimal_params q = p;
    q.N_lo = 100;
    q.N_hi = 10;
    assert_status(slt_optimal_solve(prov, &COST_NT, &q, 1e6, &o), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "empty"));
    /* budgets not increasing */
    const double C2[2] = {1e6, 1e5};
    slt_optimal_point o2[2];
    assert_status(slt_optimal_frontier(prov, &COST_NT, &p, C2, 2, o2, NULL, NULL), SLT_EINVAL);
    /* costs */
    slt_optimal_cost c;
    assert_status(slt_optimal_cost_parse("nq", &c), SLT_EINVAL);
    assert_status(slt_optimal_cost_parse("power:0", &c), SLT_EINVAL);
    assert_status(slt_optimal_cost_parse("power:", &c), SLT_EINVAL);
    assert_status(slt_optimal_cost_parse("nd:2x", &c), SLT_EINVAL);
    assert_ok(slt_optimal_cost_parse("power:1.5", &c));
    assert_close(c.p, 1.5, 0, 0);
    /* a law with a negative coefficient */
    slt_optimal_law bad = law;
    bad.a = 0;
    assert_status(slt_optimal_provider_law(&bad, &prov), SLT_EINVAL);
    /* the optimum at a bound: flagged, values NaN. With a = b = 1/2, A = B = 1 the
     * optimum is N* = sqrt(C) = 1e3 */
    q = p;
    q.N_hi = 10;
    assert_status(slt_optimal_solve(prov, &COST_NT, &q, 1e6, &o), SLT_EDOM);
    assert_int_equal(o.bound, SLT_OPTIMAL_AT_N_HI);
    assert_true(isnan(o.N) && isnan(o.L));
    assert_close(o.N_bound, 10, TOL_ROUNDING, 0);
    q = p;
    q.N_lo = 1e5;
    assert_status(slt_optimal_solve(prov, &COST_NT, &q, 1e6, &o), SLT_EDOM);
    assert_int_equal(o.bound, SLT_OPTIMAL_AT_N_LO);
    assert_ok(slt_optimal_solve(prov, &COST_NT, &p, 1e6, &o));
    assert_close(o.N, 1e3, 1e-8, 0);
    slt_optimal_provider_free(prov);

    /* a budget too small for one step of GD (eta = 1: t >= 1 at N >= N_lo = 1) */
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    slt_dmft_params dp = slt_dmft_params_default();
    dp.eta = 1;
    assert_ok(slt_optimal_provider_dmft(task, &dp, &prov));
    assert_status(slt_optimal_solve(prov, &COST_NT, &p, 0.5, &o), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "too small"));
    slt_optimal_provider_free(prov);
    /* online SGD at finite P is refused by the DMFT's own check */
    dp.batch = 4;
    dp.P = 100;
    assert_status(slt_optimal_provider_dmft(task, &dp, &prov), SLT_EINVAL);
    slt_task_free(task);
}

/* ---- (5) the reviewer's defects ------------------------------------------------------ */

/* The statics around the pole N = P: at C = 1e6 (α = 1.5, β = 0.8, σ² = 0.01) the better
 * branch lies below the pole (N ≈ 420, P ≈ 2380, L ≈ 0.00954), the other one above it
 * (N ≈ 3119, L ≈ 0.01009). A dense scan of the whole range is the reference. */
static void test_statics_pole_branches(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.5, 0.8, 0.01);
    slt_statics_params sp = slt_statics_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_statics(task, &sp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    const double C = 1e6;
    slt_optimal_point o;
    int rc = slt_optimal_solve(prov, &COST_NT, &p, C, &o);
    printf("statics C = %g: status %d, N* = %.10g +- %.2g, L* = %.12g (%s)\n", C, rc, o.N,
           o.N_err, o.L, o.message);
    assert_ok(rc);
    const double du = 0.005;
    double ub, Lb;
    brute(prov, &COST_NT, C, 0, log(C), du, &ub, &Lb);
    printf("  brute force N = %.10g, L = %.12g\n", exp(ub), Lb);
    assert_true(fabs(log(o.N) - ub) <= du);
    assert_true(o.L <= Lb + o.L_err);
    assert_true(o.N < sqrt(C)); /* the branch below the pole */
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

/* Without noise the ridgeless loss is symmetric in N <-> P: two equal optima N1 and
 * N2 = C/N1. The solver reports a degenerate optimum (SLT_EDOM, values NaN, both widths),
 * never one of them silently. */
static void test_statics_degenerate(void **state)
{
    (void)state;
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    slt_statics_params sp = slt_statics_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_statics(task, &sp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    const double C[2] = {1e3, 1e4};
    for (int i = 0; i < 2; i++) {
        slt_optimal_point o;
        assert_status(slt_optimal_solve(prov, &COST_NT, &p, C[i], &o), SLT_EDOM);
        printf("C = %g: %s\n", C[i], o.message);
        assert_int_equal(o.bound, SLT_OPTIMAL_DEGENERATE);
        assert_true(isnan(o.N) && isnan(o.L) && isnan(o.x));
        assert_non_null(strstr(o.message, "degenerate"));
        /* the mirror images: N1 N2 = C (1e-6: each located to ~1e-7 in ln N) */
        assert_close(o.N_bound * o.N2, C[i], 1e-6, 0);
        assert_close(o.L_bound, o.L2, 1e-9, 0); /* equal up to the solver's error */
    }
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

/* A law whose optimum lies just inside N_lo = 1: N* = (aA/(bB))^{1/(a+b)} C^{b/(a+b)} =
 * 1.0347 at C = 2e7, 1.1171 at C = 1e8. Neither a stencil that leaves the range nor a
 * false at-N-lo. */
static void test_law_near_lower_bound(void **state)
{
    (void)state;
    const slt_optimal_law law = {.E = 0, .A = 0.01, .a = 2, .B = 1, .b = 0.1};
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_law(&law, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    const double C[2] = {2e7, 1e8};
    const int grid[2] = {40, 4};
    for (int i = 0; i < 2; i++) {
        p.grid_per_decade = grid[i];
        slt_optimal_point o;
        int rc = slt_optimal_solve(prov, &COST_NT, &p, C[i], &o);
        const double a = law.a, b = law.b;
        const double N = pow(a * law.A / (b * law.B), 1 / (a + b)) * pow(C[i], b / (a + b));
        printf("C = %g: status %d, N* = %.12g +- %.2g (closed %.12g) %s\n", C[i], rc, o.N,
               o.N_err, N, o.message);
        assert_ok(rc);
        assert_int_equal(o.bound, SLT_OPTIMAL_INSIDE);
        assert_within("N* within its error", o.N, o.N_err, N, 0);
        assert_close(o.N, N, 1e-6, 0); /* 1e-6: the polish at a shifted stencil */
    }
    /* a minimum really at the bound is still flagged: N_lo = 2 > N* */
    p.grid_per_decade = 4;
    p.N_lo = 2;
    slt_optimal_point o;
    assert_status(slt_optimal_solve(prov, &COST_NT, &p, 1e8, &o), SLT_EDOM);
    assert_int_equal(o.bound, SLT_OPTIMAL_AT_N_LO);
    slt_optimal_provider_free(prov);
}

/* GD with eta = 1 is unstable at the small widths of the default range (eta u_max >= 2):
 * those are excluded (+inf), and the optimum among the stable widths is the one a range
 * of stable widths only (N >= 20) finds. */
static void test_gd_unstable_widths(void **state)
{
    (void)state;
    slt_task *task = test_power_law(2.0, 0.5, 0.0);
    slt_dmft_params dp = slt_dmft_params_default();
    dp.eta = 1;
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_dmft(task, &dp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    slt_optimal_point o, r;
    int rc = slt_optimal_solve(prov, &COST_NT, &p, 1e4, &o);
    printf("GD eta = 1, C = 1e4: status %d, N* = %.10g +- %.2g, %zu diverged in [%g, %g] %s\n",
           rc, o.N, o.N_err, o.diverged, o.div_N_lo, o.div_N_hi, o.message);
    assert_ok(rc);
    assert_true(o.diverged > 0);
    assert_close(o.div_N_lo, 1, TOL_ROUNDING, 0);
    p.N_lo = 20;
    p.N_hi = 1e6;
    assert_ok(slt_optimal_solve(prov, &COST_NT, &p, 1e4, &r));
    assert_int_equal(r.diverged, 0);
    assert_within("the same optimum", o.N, o.N_err + r.N_err, r.N, 0);
    assert_within("the same loss", o.L, o.L_err + r.L_err, r.L, 0);
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

/* Each budget keeps its own message: a frontier whose first budget sits at a bound and
 * whose second is ok. */
static void test_point_messages(void **state)
{
    (void)state;
    const slt_optimal_law law = slt_optimal_law_default(); /* N* = sqrt(C) */
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_law(&law, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    p.N_lo = 50;
    const double C[3] = {1e3, 1e6, 1e8};
    slt_optimal_point o[3];
    assert_status(slt_optimal_frontier(prov, &COST_NT, &p, C, 3, o, NULL, NULL), SLT_EDOM);
    assert_int_equal(o[0].status, SLT_EDOM);
    assert_non_null(strstr(o[0].message, "C = 1000 "));
    assert_ok(o[1].status);
    assert_string_equal(o[1].message, "");
    assert_ok(o[2].status);
    slt_optimal_provider_free(prov);
}

/* A noisy statics frontier that changes branch: at C = 1e5, 3.16e5 the optimum lies above
 * the pole (N > P), from C = 1e6 below it. No slope across the jump: the run of two gets
 * none, the run of three its own. */
static void test_statics_branch_change(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.5, 0.8, 0.01);
    slt_statics_params sp = slt_statics_params_default();
    slt_optimal_provider *prov = NULL;
    assert_ok(slt_optimal_provider_statics(task, &sp, &prov));
    slt_optimal_params p = slt_optimal_params_default();
    enum { NC = 5 };
    const double C[NC] = {1e5, 1e5 * M_SQRT10, 1e6, 1e6 * M_SQRT10, 1e7};
    slt_optimal_point o[NC];
    assert_ok(slt_optimal_frontier(prov, &COST_NT, &p, C, NC, o, NULL, NULL));
    for (int i = 0; i < NC; i++)
        printf("C = %g: N* = %.8g, P* = %.8g, slope_N %.5g, branch_change %d\n", C[i], o[i].N,
               o[i].x, o[i].slope_N, o[i].branch_change);
    assert_true(o[1].N > o[1].x && o[2].N < o[2].x);
    assert_true(o[1].branch_change && o[2].branch_change);
    assert_true(!o[0].branch_change && !o[3].branch_change && !o[4].branch_change);
    assert_true(isnan(o[0].slope_N) && isnan(o[1].slope_N)); /* a run of two */
    /* the run of three: the central slope from its own ends */
    assert_close(o[3].slope_N, log(o[4].N / o[2].N) / log(C[4] / C[2]), TOL_ROUNDING, 0);
    slt_optimal_provider_free(prov);
    slt_task_free(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_law_closed_form),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_brute_force_statics),
        cmocka_unit_test(test_brute_force_dmft),
        cmocka_unit_test(test_hard_lazy_slopes),
        cmocka_unit_test(test_easy_balance),
        cmocka_unit_test(test_statics_pole_branches),
        cmocka_unit_test(test_statics_degenerate),
        cmocka_unit_test(test_law_near_lower_bound),
        cmocka_unit_test(test_gd_unstable_widths),
        cmocka_unit_test(test_point_messages),
        cmocka_unit_test(test_statics_branch_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
