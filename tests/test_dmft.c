/* Lazy DMFT (solvers/dmft) against independent references: the task layer's exact
 * N = P = ∞ curve, the 1-D reductions, the t → ∞ closed forms rebuilt here from the raw
 * mode sums, the isotropic (Marchenko–Pastur) κ, the first-order 1/N double sum of
 * dmft.md §11.5, and the asymptotic exponents. Monte Carlo agreement is in cross_dmft.c. */
#include <complex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "slt/dmft.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

static slt_task *power_law(double alpha, double beta, double noise)
{
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = alpha;
    p.beta = beta;
    p.noise = noise;
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_power_law(&p, &t));
    return t;
}

static void solve(const slt_task *task, double N, double P, const double *times, size_t n,
                  slt_dmft_point *out)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = N;
    p.P = P;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(task, &p, &w));
    int rc = slt_dmft_solve(w, times, n, out);
    if (rc != SLT_OK && rc != SLT_EDIVERGE) {
        print_error("slt_dmft_solve: %s\n", slt_last_error());
        fail();
    }
    slt_dmft_free(w);
}

/* |value − ref| within the returned error plus `slack` (for the reference's own error) */
static void check_within(const char *what, double value, double err, double ref, double slack)
{
    if (!(fabs(value - ref) <= err + slack)) {
        print_error("%s: %.17g vs %.17g: |diff| %.3g > error %.3g + slack %.3g\n", what, value, ref,
                    fabs(value - ref), err, slack);
        fail();
    }
}

/* 1. N = P = ∞ is the slt loss curve Σ t_k e^{−2λ_k t}, to 1e-9 and within the bounds. */
static void test_infinite_size_is_loss_curve(void **state)
{
    (void)state;
    double alphas[] = {1.5, 2.5}, betas[] = {0.4, 1.3};
    double times[] = {0, 1e-2, 1, 30, 1e3, 1e5, 1e7};
    slt_dmft_point o[7];
    for (int a = 0; a < 2; a++) {
        slt_task *t = power_law(alphas[a], betas[a], 0.0);
        solve(t, INFINITY, INFINITY, times, 7, o);
        for (int i = 0; i < 7; i++) {
            slt_sum s;
            assert_ok(slt_sum_decay(t, times[i], &s));
            /* 1e-9 (the target) while the loss is within ~1e4 of L(0); beyond, the
             * contour's rounding (1e-14 of L(0) per node) dominates and only the returned
             * bound is promised */
            if (times[i] <= 1e5) assert_close(o[i].test, s.value, 1e-9, 0);
            check_within("N = P = inf test vs decay sum", o[i].test, o[i].test_err, s.value, s.err);
            assert_close(o[i].train, o[i].test, 1e-9, 0); /* train = test at P = ∞ */
            /* the 2-D path too: its rounding is ~1e-10 of L(0), not of L(t) */
            assert_close(o[i].test_2d, s.value, 1e-8, 1e-10 * o[0].test);
            check_within("2-D at N = P = inf", o[i].test_2d, fabs(o[i].test_2d - o[i].test) + o[i].test_err,
                         s.value, s.err);
            if (times[i] >= 1e3) assert_close(o[i].test_slope, -betas[a], 2e-3, 0); /* → −β */
        }
        slt_task_free(t);
    }
}

/* 2. κ at complex z solves the master equation with independently summed df; on the
 *    real axis κ > κ_* and 0 < R_{1,3} < 1; R → 1 as |z| → ∞. */
static void test_master_equation(void **state)
{
    (void)state;
    slt_task *t = power_law(1.8, 0.6, 0.0);
    double NP[][2] = {{100, 300}, {300, 100}, {50, INFINITY}, {INFINITY, 80}, {200, 200}};
    for (int c = 0; c < 5; c++) {
        slt_dmft_params p = slt_dmft_params_default();
        p.N = NP[c][0];
        p.P = NP[c][1];
        slt_dmft_workspace *w = NULL;
        assert_ok(slt_dmft_alloc(t, &p, &w));
        double ks;
        assert_ok(slt_dmft_kappa_star(w, &ks));
        slt_sum d;
        assert_ok(slt_sum_df(t, ks, &d));
        assert_close(d.value, fmin(p.N, p.P), 1e-12, 0); /* df(κ_*) = min(N, P) */
        double complex zs[] = {1e-6, 1e-3, 0.5, 1e3, 2e-4 * cexp(2.0 * I), 0.3 * cexp(-2.8 * I),
                               5e-2 * cexp(1.0 * I)};
        for (int j = 0; j < 7; j++) {
            double complex k;
            assert_ok(slt_dmft_kappa(w, zs[j], &k));
            slt_csum s;
            assert_ok(slt_csum_df(t, k, &s));
            double complex r1 = 1.0 - s.value / p.P, r3 = 1.0 - s.value / p.N;
            double complex resid = k * r1 * r3 - zs[j];
            if (!(cabs(resid) <= 1e-11 * cabs(zs[j]))) {
                print_error("master equation residual %.3g at z = %g%+gi\n", cabs(resid),
                            creal(zs[j]), cimag(zs[j]));
                fail();
            }
            if (cimag(zs[j]) == 0.0) {
                assert_true(cimag(k) == 0.0 || fabs(cimag(k)) < 1e-14 * cabs(k));
                assert_true(creal(k) > ks);
                assert_true(creal(r1) > 0 && creal(r1) <= 1 && creal(r3) > 0 && creal(r3) <= 1);
            }
            if (creal(zs[j]) >= 1e3) /* R_{1,3} → 1 and κ → z as |z| → ∞ */
                assert_true(cabs(r1 - 1) < 0.02 && cabs(r3 - 1) < 0.02);
        }
        slt_dmft_free(w);
    }
    slt_task_free(t);
}

/* 3. Isotropic spectrum (λ ≡ 1, M modes, P = ∞): κ² + κ(1 − M/N − z) − z = 0. */
static void test_isotropic_marchenko_pastur(void **state)
{
    (void)state;
    const size_t M = 300;
    double lam[300], tgt[300];
    for (size_t k = 0; k < M; k++) lam[k] = tgt[k] = 1.0;
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_explicit(M, lam, tgt, 0.0, &t));
    double Ns[] = {150, 600};
    for (int c = 0; c < 2; c++) {
        slt_dmft_params p = slt_dmft_params_default();
        p.N = Ns[c];
        slt_dmft_workspace *w = NULL;
        assert_ok(slt_dmft_alloc(t, &p, &w));
        double complex zs[] = {0.1, 2.0, 0.5 * cexp(1.0 * I), 1.5 * cexp(2.5 * I)};
        for (int j = 0; j < 4; j++) {
            double complex z = zs[j], b = 1.0 - M / p.N - z;
            double complex k;
            assert_ok(slt_dmft_kappa(w, z, &k));
            /* the root continued from the positive one at real z > 0 */
            double complex r1 = (-b + csqrt(b * b + 4.0 * z)) / 2.0, r2 = (-b - csqrt(b * b + 4.0 * z)) / 2.0;
            double complex ref = cabs(k - r1) < cabs(k - r2) ? r1 : r2;
            if (!(cabs(k - ref) <= 1e-12 * cabs(ref)) || (cimag(z) == 0 && creal(ref) <= 0)) {
                print_error("isotropic kappa %g%+gi vs %g%+gi\n", creal(k), cimag(k), creal(ref),
                            cimag(ref));
                fail();
            }
        }
        slt_dmft_free(w);
    }
    slt_task_free(t);
}

/* 4. Train loss: the 2-D P·X equals the 1-D 𝒯(2t), with and without noise; at P = ∞
 *    the 2-D test equals 𝒮(2t); noise at P = ∞ only adds σ² to the train loss. */
static void test_reductions(void **state)
{
    (void)state;
    double noises[] = {0.0, 0.3};
    double times[] = {0.5, 20, 2e3, 1e5};
    slt_dmft_point o[4], c[4];
    for (int n = 0; n < 2; n++) {
        slt_task *t = power_law(2.0, 0.8, noises[n]);
        double NP[][2] = {{100, 300}, {300, 100}, {100, INFINITY}, {INFINITY, 150}};
        for (int k = 0; k < 4; k++) {
            solve(t, NP[k][0], NP[k][1], times, 4, o);
            double L0; /* the 2-D rounding is ~1e-10 of the scale L(0) + σ², not of L(t) */
            slt_sum s;
            slt_sum_target(t, &s);
            L0 = s.value + noises[n];
            for (int i = 0; i < 4; i++) {
                assert_close(o[i].train_2d, o[i].train, 1e-8, 1e-10 * L0);
                if (isinf(NP[k][1])) {
                    assert_close(o[i].test_2d, o[i].test, 1e-8, 1e-10 * L0);
                    assert_close(o[i].train, o[i].test + noises[n], 1e-9, 0);
                }
            }
        }
        slt_task_free(t);
    }
    /* the noise changes nothing at P = ∞ except the train loss's σ² */
    slt_task *a = power_law(2.0, 0.8, 0.0), *b = power_law(2.0, 0.8, 0.3);
    solve(a, 100, INFINITY, times, 4, o);
    solve(b, 100, INFINITY, times, 4, c);
    for (int i = 0; i < 4; i++) assert_close(c[i].test, o[i].test, 1e-12, 0);
    slt_task_free(a);
    slt_task_free(b);
}

/* κ_n: df(κ_n) = n, by Brent here (independent of the solver's root finder) */
typedef struct { const slt_task *t; double n; } dfn_ctx;
static double dfn(double lk, void *p)
{
    dfn_ctx *c = p;
    slt_sum s;
    slt_sum_df(c->t, exp(lk), &s);
    return s.value - c->n;
}
static double kappa_n(const slt_task *t, double n)
{
    dfn_ctx c = {t, n};
    gsl_function F = {dfn, &c};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver_set(s, &F, -80.0, 20.0);
    for (int i = 0; i < 200; i++) {
        gsl_root_fsolver_iterate(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0,
                                   1e-15) == GSL_SUCCESS)
            break;
    }
    double r = exp(gsl_root_fsolver_root(s));
    gsl_root_fsolver_free(s);
    return r;
}

/* 5. t → ∞: the closed forms of dmft.md §10 (statics.md §6, ridgeless), rebuilt here from
 *    the raw sums, with noise; the divergence at N = P; and a large finite t approaching
 *    them. */
static void test_late_time_closed_forms(void **state)
{
    (void)state;
    const double s2 = 0.2;
    slt_task *t = power_law(2.0, 0.7, s2);
    double inf_t = INFINITY;
    slt_dmft_point o;
    slt_sum d2, t1, t2;
    /* N < P */
    double N = 100, P = 400, kN = kappa_n(t, N);
    slt_sum_kt1(t, kN, &t1);
    double ref = t1.value / (1 - N / P) + s2 * N / (P - N);
    solve(t, N, P, &inf_t, 1, &o);
    assert_close(o.test, ref, 1e-10, 0);
    assert_close(o.train, (1 - N / P) * (1 - N / P) * (ref + s2), 1e-10, 0);
    /* P < N */
    N = 400, P = 100;
    double kP = kappa_n(t, P);
    slt_sum_df2(t, kP, &d2);
    slt_sum_kt1(t, kP, &t1);
    slt_sum_k2t2(t, kP, &t2);
    double g = d2.value / P;
    ref = t2.value / (1 - g) + P * t1.value / (N - P) + s2 * (P * (N - d2.value) / ((N - P) * (P - d2.value)) - 1);
    solve(t, N, P, &inf_t, 1, &o);
    assert_close(o.test, ref, 1e-10, 0);
    assert_close(o.train, 0.0, 0, 0);
    /* N = P: divergent, reported as such */
    solve(t, 150, 150, &inf_t, 1, &o);
    assert_int_equal(o.status, SLT_EDIVERGE);
    assert_true(isinf(o.test));
    slt_task_free(t);

    /* a large finite time approaches the limit (noise-free: the approach is a power law in
     * t, so 1e-3 at t = 1e9 with α = 2) */
    t = power_law(2.0, 0.7, 0.0);
    double times[] = {1e9, INFINITY};
    slt_dmft_point two[2];
    double NP[][2] = {{100, 400}, {400, 100}, {100, INFINITY}, {INFINITY, 100}};
    for (int c = 0; c < 4; c++) {
        solve(t, NP[c][0], NP[c][1], times, 2, two);
        assert_close(two[0].test, two[1].test, 1e-3, 0);
        assert_close(two[0].train, two[1].train, 1e-3, 1e-12);
    }
    slt_task_free(t);
}

/* 6. Exponents of the floors by log-slope over a decade (dmft.md §11.3–11.4):
 *    width floor α·min(β,1) (also for β > 1, where the reported α·min(β,2) is excluded),
 *    data floor α·min(β,2). Tolerance 5e-3: the asymptotes converge like a power of 1/N. */
static void test_floor_exponents(void **state)
{
    (void)state;
    double inf_t = INFINITY;
    struct { double alpha, beta, width, data; } cases[] = {{2.0, 0.5, 1.0, 1.0}, {2.0, 1.5, 2.0, 3.0}};
    for (int c = 0; c < 2; c++) {
        slt_task *t = power_law(cases[c].alpha, cases[c].beta, 0.0);
        slt_dmft_point a, b;
        solve(t, 1e4, INFINITY, &inf_t, 1, &a);
        solve(t, 1e5, INFINITY, &inf_t, 1, &b);
        double width = -log(b.test / a.test) / log(10.0);
        assert_close(width, cases[c].width, 5e-3, 0);
        solve(t, INFINITY, 1e4, &inf_t, 1, &a);
        solve(t, INFINITY, 1e5, &inf_t, 1, &b);
        double data = -log(b.test / a.test) / log(10.0);
        assert_close(data, cases[c].data, 5e-3, 0);
        slt_task_free(t);
    }
}

/* 7. Early times: N[L(t,N) − L(t,∞)] → L₁(t), the double sum of dmft.md §11.5, computed
 *    here on an explicit 60-mode task; Richardson in 1/N removes the O(1/N²) term. */
static double L1_double_sum(const double *lam, const double *tgt, size_t m, double t)
{
    double T = 2 * t, total = 0;
    for (size_t k = 0; k < m; k++)
        for (size_t l = 0; l < m; l++) {
            double lk = lam[k], ll = lam[l], f;
            if (fabs(ll - lk) < 1e-12 * lk)
                f = T * T * exp(-lk * T) / 2;
            else
                f = (exp(-ll * T) - exp(-lk * T) + (ll - lk) * T * exp(-lk * T)) / ((ll - lk) * (ll - lk));
            total += lk * tgt[k] * ll * f;
        }
    return total;
}

static void test_early_one_over_N(void **state)
{
    (void)state;
    const size_t m = 60;
    double lam[60], tgt[60];
    for (size_t k = 0; k < m; k++) {
        lam[k] = pow(k + 1.0, -1.5);
        tgt[k] = pow(k + 1.0, -2.2);
    }
    slt_task *task = NULL;
    assert_ok(slt_task_alloc_explicit(m, lam, tgt, 0.0, &task));
    double times[] = {0.3, 3, 30};
    slt_dmft_point inf[3], n1[3], n2[3];
    solve(task, INFINITY, INFINITY, times, 3, inf);
    solve(task, 1e5, INFINITY, times, 3, n1);
    solve(task, 2e5, INFINITY, times, 3, n2);
    for (int i = 0; i < 3; i++) {
        double g1 = 1e5 * (n1[i].test - inf[i].test), g2 = 2e5 * (n2[i].test - inf[i].test);
        double extrapolated = 2 * g2 - g1;
        double ref = L1_double_sum(lam, tgt, m, times[i]);
        /* the gaps are ~1e-5 of L, so solver errors of ~1e-11·L become ~1e-6 of L1 */
        assert_close(extrapolated, ref, 1e-4, 0);
    }
    slt_task_free(task);
}

/* 8. Late times, P = ∞: the local slope of the width gap in N tends to α·min(β,1). */
static void test_late_gap_slope(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.5, 0.0);
    double time = 1e12; /* ≫ N^α = 1e8 */
    slt_dmft_point inf, a, b;
    solve(t, INFINITY, INFINITY, &time, 1, &inf);
    solve(t, 1e4, INFINITY, &time, 1, &a);
    solve(t, 2e4, INFINITY, &time, 1, &b);
    double slope = log((b.test - inf.test) / (a.test - inf.test)) / log(2.0);
    assert_close(slope, -1.0, 5e-3, 0); /* α·min(β,1) = 1 */
    slt_task_free(t);
}

/* 9. Ensembles at P = ∞: sharing data or nothing coincide; L(t, EN) < L_E(t, N); L_E falls
 *    with E towards the infinite ensemble B(t) = Σ t_k H_k(t)². */
static void test_ensembles(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 1.2, 0.0);
    double times[] = {10, 1e3, 1e5};
    slt_dmft_point e[5][3], wide[3], share_none[3];
    size_t Es[] = {1, 2, 4, 16, SIZE_MAX};
    for (int i = 0; i < 5; i++) {
        slt_dmft_params p = slt_dmft_params_default();
        p.N = 100;
        p.ensemble = Es[i];
        slt_dmft_workspace *w = NULL;
        assert_ok(slt_dmft_alloc(t, &p, &w));
        assert_ok(slt_dmft_solve(w, times, 3, e[i]));
        slt_dmft_free(w);
    }
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.ensemble = 4;
    p.share = SLT_DMFT_SHARE_NONE;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(t, &p, &w));
    assert_ok(slt_dmft_solve(w, times, 3, share_none));
    slt_dmft_free(w);
    solve(t, 400, INFINITY, times, 3, wide);
    for (int j = 0; j < 3; j++) {
        assert_close(share_none[j].test, e[2][j].test, 1e-8, 0);
        assert_true(wide[j].test < e[2][j].test);
        for (int i = 1; i < 5; i++) assert_true(e[i][j].test < e[i - 1][j].test);
        /* L_E = L_× + (L − L_×)/E exactly: E = 2 is the mean of E = 1 and E = ∞ */
        assert_close(e[1][j].test, 0.5 * (e[0][j].test + e[4][j].test), 1e-8, 0);
    }
    slt_task_free(t);
}

/* 10. Discrete GD with step η (dmft.md §8): at N = P = ∞ it is Σ_k t_k (1 − ηλ_k)^{2n},
 *     summed here to k = ∞ by the task layer's generic entry; few steps go through the
 *     circle contour, many through the mapped Talbot contour. */
typedef struct { double eta, n; } gd_ctx;
static double gd_term(double l, double tk, void *p)
{
    gd_ctx *c = p;
    return tk * pow(1.0 - c->eta * l, 2.0 * c->n);
}

static void test_discrete_gd_infinite_size(void **state)
{
    (void)state;
    slt_task *t = power_law(1.5, 0.7, 0.0);
    const double eta = 0.7;
    double steps[] = {1, 2, 3, 4, 5, 10, 100, 1e4};
    double times[8];
    for (int i = 0; i < 8; i++) times[i] = eta * steps[i];
    slt_dmft_params p = slt_dmft_params_default();
    p.eta = eta;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(t, &p, &w));
    slt_dmft_point o[8];
    assert_ok(slt_dmft_solve(w, times, 8, o));
    for (int i = 0; i < 8; i++) {
        gd_ctx c = {eta, steps[i]};
        slt_sum s;
        assert_ok(slt_task_sum(t, gd_term, &c, NULL, &s));
        assert_close(o[i].test, s.value, 1e-9, 0);
        check_within("GD at N = P = inf", o[i].test, o[i].test_err, s.value, s.err);
        assert_close(o[i].t, times[i], 1e-15, 0);
    }
    slt_dmft_free(w);
    slt_task_free(t);
}

/* 11. η → 0 at fixed t = ηn converges to gradient flow, at finite N and P (the error is
 *     O(η): halving η halves the gap). */
static void test_discrete_gd_to_flow(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.6, 0.1);
    double time = 50;
    slt_dmft_point flow, a, b;
    solve(t, 80, 160, &time, 1, &flow);
    double gaps[2];
    slt_dmft_point *pts[2] = {&a, &b};
    double etas[2] = {0.05, 0.025};
    for (int k = 0; k < 2; k++) {
        slt_dmft_params p = slt_dmft_params_default();
        p.N = 80;
        p.P = 160;
        p.eta = etas[k];
        slt_dmft_workspace *w = NULL;
        assert_ok(slt_dmft_alloc(t, &p, &w));
        assert_ok(slt_dmft_solve(w, &time, 1, pts[k]));
        gaps[k] = pts[k]->test - flow.test;
        slt_dmft_free(w);
    }
    assert_true(fabs(gaps[1]) < 1e-2 * flow.test);
    assert_close(gaps[0] / gaps[1], 2.0, 0.05, 0); /* first order in η */
    slt_task_free(t);
}

/* 12. The spectrum edge: isotropic λ ≡ 1, M modes, P = ∞ is Marchenko–Pastur with ratio
 *     M/N, edge (1 + √(M/N))²; GD beyond η·u_max = 2 is reported unstable. */
static void test_spectrum_edge_and_stability(void **state)
{
    (void)state;
    const size_t M = 300;
    double lam[300], tgt[300];
    for (size_t k = 0; k < M; k++) lam[k] = tgt[k] = 1.0;
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_explicit(M, lam, tgt, 0.0, &t));
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 600;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(t, &p, &w));
    double umax;
    assert_ok(slt_dmft_spectrum_edge(w, &umax));
    assert_close(umax, pow(1.0 + sqrt(0.5), 2.0), 1e-8, 0);
    slt_dmft_free(w);
    p.eta = 2.05 / umax;
    assert_ok(slt_dmft_alloc(t, &p, &w));
    double time = 10 * p.eta;
    slt_dmft_point o;
    assert_status(slt_dmft_solve(w, &time, 1, &o), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "unstable"));
    assert_int_equal(o.status, SLT_EDOM);
    assert_true(isnan(o.test));
    slt_dmft_free(w);
    p.eta = 1.5 / umax; /* stable but oscillating: refused, not approximated */
    assert_ok(slt_dmft_alloc(t, &p, &w));
    assert_status(slt_dmft_solve(w, &time, 1, &o), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "not supported"));
    slt_dmft_free(w);
    slt_task_free(t);
}

/* 13. Two independent derivations must meet: the DMFT's t → ∞ limit is ridgeless
 *     random-feature ridge regression (statics.md §6, solvers/statics), noise included. */
static void test_limit_equals_statics(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.7, 0.2);
    double NP[][2] = {{100, 300}, {300, 100}, {100, INFINITY}, {INFINITY, 150}};
    double inf_t = INFINITY;
    slt_statics *sw = NULL;
    assert_ok(slt_statics_alloc(t, &sw));
    for (int c = 0; c < 4; c++) {
        slt_dmft_point o;
        solve(t, NP[c][0], NP[c][1], &inf_t, 1, &o);
        slt_statics_params sp = slt_statics_params_default();
        sp.N = NP[c][0];
        sp.P = NP[c][1];
        sp.ridge = 0.0;
        slt_statics_result r;
        assert_ok(slt_statics_solve(sw, &sp, &r));
        assert_close(o.test, r.test, 1e-12, 0);
        assert_close(o.train, r.train, 1e-12, 1e-15);
    }
    slt_statics_free(sw);
    slt_task_free(t);
}

static void test_invalid(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.5, 0.0);
    slt_dmft_params p = slt_dmft_params_default();
    slt_dmft_workspace *w = NULL;
    p.N = 0.5;
    assert_status(slt_dmft_alloc(t, &p, &w), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "N = 0.5"));
    p = slt_dmft_params_default();
    p.nodes = 64;
    assert_status(slt_dmft_alloc(t, &p, &w), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "nodes = 64"));
    p = slt_dmft_params_default();
    assert_ok(slt_dmft_alloc(t, &p, &w));
    double bad = -1;
    slt_dmft_point o;
    assert_status(slt_dmft_solve(w, &bad, 1, &o), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "t = -1"));
    slt_dmft_free(w);
    slt_dmft_free(NULL);
    slt_task_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_infinite_size_is_loss_curve),
        cmocka_unit_test(test_master_equation),
        cmocka_unit_test(test_isotropic_marchenko_pastur),
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_late_time_closed_forms),
        cmocka_unit_test(test_floor_exponents),
        cmocka_unit_test(test_early_one_over_N),
        cmocka_unit_test(test_late_gap_slope),
        cmocka_unit_test(test_ensembles),
        cmocka_unit_test(test_discrete_gd_infinite_size),
        cmocka_unit_test(test_discrete_gd_to_flow),
        cmocka_unit_test(test_spectrum_edge_and_stability),
        cmocka_unit_test(test_limit_equals_statics),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
