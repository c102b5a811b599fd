/* Monte Carlo referee (slt/mc.h) against independent references:
 *   - hand-computable realisations (N = 1 or 2, M = 2) with closed forms;
 *   - explicit gradient-descent steps and an RK4 integration of the gradient flow on the
 *     same realisation (the eigen-solution must reproduce them);
 *   - the normal equations solved directly (LAPACKE_dposv) for kernel ridge regression;
 *   - the N = P = ∞ limit Σ_{k<=M} t_k e^{−2λ_k t};
 *   - exact expectations: OLS with noise (inverse-Wishart mean), min-norm interpolation
 *     and random-projection ensembles with isotropic features, one step of online SGD
 *     (Isserlis), each within 4 standard errors (a fixed seed, so the outcome is fixed;
 *     4σ is a 6e-5 two-sided false-alarm rate for a correct implementation);
 *   - a replay of the documented draw order with GSL, so a random trial is checked
 *     against the explicit-realisation path;
 *   - determinism (threads, seeds), SE honesty, and input validation;
 *   - the sphere-kernel model (SLT_MC_KERNEL): hand-computable fits (P = 1, 2), the kernels
 *     against closed forms and against the kernel-spectra solver's own evaluation, the
 *     Gegenbauer target against GSL, the target's power by Monte Carlo, the z → ∞ limit,
 *     a replay of the draw order, determinism, and the central check: simulated KRR
 *     against the deterministic equivalent (docs/theory/statics.md §1) on the kernel's spectrum. */
#include <float.h>
#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gegenbauer.h>
#include <gsl/gsl_sf_gamma.h>
#include <lapacke.h>

#include "slt/kernels.h"
#include "slt/mc.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

#define INF INFINITY
/* the shape tables below hold sizes as size_t, with this sentinel for an infinite size */
#define INF_SIZE ((size_t)-1)
static double size_or_inf(size_t v) { return v == INF_SIZE ? INFINITY : (double)v; }

/* ---- helpers ----------------------------------------------------------------------- */

static slt_task *explicit_task(size_t m, const double *lambda, const double *target,
                               double noise)
{
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_explicit(m, lambda, target, noise, &t));
    return t;
}

/* λ_k = k^-a, t_k = k^-b for k = 1..m */
static slt_task *decaying_task(size_t m, double a, double b, double noise)
{
    double *l = malloc(m * sizeof(double)), *t = malloc(m * sizeof(double));
    for (size_t k = 0; k < m; k++) {
        l[k] = pow((double)(k + 1), -a);
        t[k] = pow((double)(k + 1), -b);
    }
    slt_task *task = explicit_task(m, l, t, noise);
    free(l);
    free(t);
    return task;
}

static slt_mc_result *run(const slt_task *task, const slt_mc_params *p, const double *t,
                          size_t nt)
{
    slt_mc_result *r = NULL;
    assert_ok(slt_mc_run(task, p, t, nt, &r));
    assert_non_null(r);
    return r;
}

static void assert_message(const char *needle)
{
    if (!strstr(slt_last_error(), needle)) {
        print_error("message '%s' does not contain '%s'\n", slt_last_error(), needle);
        fail();
    }
}

/* slt_mc_evaluate by both test-loss routes; returns the quadratic-form values and
 * checks the mode-space values against them (equal algebra; 1e-12 relative covers the
 * rounding of either route on these O(1) losses). */
static void eval_routes(slt_mc_params p, const slt_mc_realisation *r, const double *t,
                        size_t nt, double *test, double *train)
{
    size_t n = p.model == SLT_MC_RIDGE ? 1 : nt;
    double *tm = malloc(n * sizeof(double)), *trm = malloc(n * sizeof(double));
    p.route = SLT_MC_ROUTE_QUADRATIC;
    assert_ok(slt_mc_evaluate(&p, r, t, nt, test, train));
    p.route = SLT_MC_ROUTE_MODES;
    assert_ok(slt_mc_evaluate(&p, r, t, nt, tm, trm));
    for (size_t i = 0; i < n; i++) {
        assert_close(tm[i], test[i], TOL_ROOT, TOL_ROUNDING);
        assert_close(trm[i], train[i], TOL_ROOT, TOL_ROUNDING);
    }
    free(tm);
    free(trm);
}

/* ---- parameters and validation ----------------------------------------------------- */

static void test_params_check(void **state)
{
    (void)state;
    slt_mc_params d = slt_mc_params_default();
    assert_ok(slt_mc_params_check(&d));
    assert_int_equal(d.model, SLT_MC_RF);
    assert_int_equal(d.batch, 1);
    assert_int_equal(d.ensemble, 1);
    slt_mc_params p;
#define EXPECT_BAD(mutation, needle)                                      \
    do {                                                                  \
        p = slt_mc_params_default();                                      \
        mutation;                                                         \
        assert_status(slt_mc_params_check(&p), SLT_EINVAL);               \
        assert_message(needle);                                           \
    } while (0)
    EXPECT_BAD(p.N = 0, "N = 0 is out of range");
    EXPECT_BAD(p.P = 0, "P = 0 is out of range");
    EXPECT_BAD(p.N = (size_t)INT_MAX + 1, "N = 2147483648 is out of range");
    EXPECT_BAD(p.eta = -1, "eta = -1 is out of range");
    EXPECT_BAD(p.eta = NAN, "eta = nan");
    EXPECT_BAD(p.ridge = 0.1, "ridge = 0.10000000000000001 with model rf");
    EXPECT_BAD((p.model = SLT_MC_RIDGE, p.ridge = -1), "ridge = -1 is out of range");
    EXPECT_BAD((p.model = SLT_MC_RIDGE, p.eta = 0.1), "eta = 0.10000000000000001 with model ridge");
    EXPECT_BAD(p.batch = 8, "batch = 8 with model rf");
    EXPECT_BAD((p.model = SLT_MC_SGD, p.eta = 0.1), "P = 100 with model sgd");
    EXPECT_BAD((p.model = SLT_MC_SGD, p.P = INF), "eta = 0 with model sgd");
    EXPECT_BAD((p.model = SLT_MC_SGD, p.P = INF, p.eta = 0.1, p.batch = 0), "batch = 0");
    EXPECT_BAD((p.model = SLT_MC_SGD, p.P = INF, p.eta = 0.1, p.ensemble = 2,
                p.share = SLT_SHARE_DATA), "share = data with model sgd");
    EXPECT_BAD(p.ensemble = 0, "ensemble = 0 is out of range");
    EXPECT_BAD(p.share = (slt_share)7, "share = 7 is out of range");
    EXPECT_BAD(p.trials = 0, "trials = 0 is out of range");
    EXPECT_BAD(p.first_trial = UINT32_MAX, "first_trial + trials");
    EXPECT_BAD(p.threads = -1, "threads = -1 is out of range");
    EXPECT_BAD(p.route = (slt_mc_route)5, "route = 5 is out of range");
    EXPECT_BAD((p.route = SLT_MC_ROUTE_QUADRATIC, p.ensemble = 2), "route = quadratic with ensemble > 1");
    EXPECT_BAD(p.model = SLT_MC_KERNEL, "N = 100 with model kernel");
    EXPECT_BAD(p.model = (slt_mc_model)9, "model = 9 is out of range");
    assert_status(slt_mc_params_check(NULL), SLT_EINVAL);
#undef EXPECT_BAD
    assert_string_equal(slt_mc_model_name(SLT_MC_SGD), "sgd");
    assert_string_equal(slt_share_to_string(SLT_SHARE_PROJECTION), "projection");
}

static void test_check_times_and_modes(void **state)
{
    (void)state;
    slt_task *task = decaying_task(50, 1.5, 2.0, 0.0);
    slt_mc_params p = slt_mc_params_default();
    double t[] = {0.0, 0.3, 1.0};
    size_t M;

    /* explicit tasks use all their modes, power laws 10·max(N, P) with a floor */
    assert_ok(slt_mc_modes(task, &p, &M));
    assert_int_equal(M, 50);
    p.M = 51;
    assert_status(slt_mc_modes(task, &p, &M), SLT_EINVAL);
    assert_message("M = 51 exceeds the task's 50 modes");
    p.M = 0;
    slt_task *law = test_power_law(2.0, 0.5, 0.0);
    p.N = 400;
    p.P = 300;
    assert_ok(slt_mc_modes(law, &p, &M));
    assert_int_equal(M, 4000);
    p.N = 20;
    p.P = 30;
    assert_ok(slt_mc_modes(law, &p, &M));
    assert_int_equal(M, SLT_MC_MODES_MIN);
    p.N = INF;
    p.P = INF;
    assert_ok(slt_mc_modes(law, &p, &M));
    assert_int_equal(M, SLT_MC_MODES_NO_SIZE);

    p = slt_mc_params_default();
    assert_ok(slt_mc_check(task, &p, t, 3));
    assert_status(slt_mc_check(task, &p, NULL, 0), SLT_EINVAL);
    assert_message("no times given");
    double neg[] = {1.0, -2.0};
    assert_status(slt_mc_check(task, &p, neg, 2), SLT_EINVAL);
    assert_message("t = -2 (times[1]) is out of range");
    p.eta = 0.2; /* discrete GD: t must be a whole number of steps */
    assert_status(slt_mc_check(task, &p, t, 3), SLT_EINVAL);
    assert_message("t = 0.29999999999999999 (times[1]) is not a whole number of steps of eta = 0.2");
    double ok_gd[] = {0.0, 0.6, 2.0, INFINITY};
    assert_ok(slt_mc_check(task, &p, ok_gd, 4));
    p = slt_mc_params_default();
    p.model = SLT_MC_RIDGE;
    assert_status(slt_mc_check(task, &p, t, 3), SLT_EINVAL);
    assert_message("3 times given with model ridge");
    assert_ok(slt_mc_check(task, &p, NULL, 0));
    p = slt_mc_params_default();
    p.model = SLT_MC_SGD;
    p.P = INF;
    p.eta = 0.5;
    double sgd_inf[] = {1.0, INFINITY};
    assert_status(slt_mc_check(task, &p, sgd_inf, 2), SLT_EINVAL);
    assert_message("t = inf (times[1]) with model sgd");
    /* memory: a clearly impossible size is refused before anything is allocated */
    p = slt_mc_params_default();
    p.N = 100000;
    p.P = 100000;
    p.M = 1000000;
    assert_status(slt_mc_check(law, &p, t, 3), SLT_ENOMEM);
    assert_message("GB of physical memory");
    slt_mc_result *r = (slt_mc_result *)1;
    assert_status(slt_mc_run(law, &p, t, 3, &r), SLT_ENOMEM);
    assert_null(r);
    slt_mc_result_free(NULL);
    slt_task_free(task);
    slt_task_free(law);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void test_trial_seeds(void **state)
{
    (void)state;
    /* distinct and non-zero over 2^20 consecutive trials, for several seeds */
    const size_t n = 1u << 20;
    uint32_t *v = malloc(n * sizeof *v);
    uint64_t seeds[] = {0, 1, 2, 0xffffffffffffffffULL};
    for (size_t s = 0; s < 4; s++) {
        for (size_t i = 0; i < n; i++) {
            v[i] = slt_mc_trial_seed(seeds[s], i);
            assert_true(v[i] != 0);
        }
        qsort(v, n, sizeof *v, cmp_u32);
        for (size_t i = 1; i < n; i++) assert_true(v[i] != v[i - 1]);
    }
    free(v);
    assert_true(slt_mc_trial_seed(1, 0) != slt_mc_trial_seed(2, 0));
    assert_int_equal(slt_mc_trial_seed(7, 5), slt_mc_trial_seed(7, 5));
}

/* ---- hand-computable realisations (M = 2, λ = (1, ¼), w* = (1, 2): t_k = (1, 1)) ----- */

static const double hand_lambda[2] = {1.0, 0.25};
static const double hand_wstar[2] = {1.0, 2.0};

/* N = 1, P = 2, by scalar formulas: Φ_μ = ψ_μ·A, G = ΣΦ²/P, b = ΣΦy/P, and w(t) = b·ψ(G). */
static void test_hand_n1(void **state)
{
    (void)state;
    const double A[2] = {1.0, 2.0};
    const double psi[4] = {0.5, 1.0, 1.0, -1.0}; /* two samples */
    const double y[2] = {3.5, -1.2};             /* clean labels 2.5 and −1, plus noise */
    slt_mc_realisation r = {.N = 1, .P = 2, .M = 2, .lambda = hand_lambda,
                            .wstar = hand_wstar, .A = A, .psi = psi, .y = y};
    double phi[2], G = 0, b = 0;
    for (int mu = 0; mu < 2; mu++) {
        phi[mu] = psi[2 * mu] * A[0] + psi[2 * mu + 1] * A[1];
        G += phi[mu] * phi[mu] / 2.0;
        b += phi[mu] * y[mu] / 2.0;
    }
    /* the test loss of weight w: Σ_k λ_k (w*_k − A_k w)², train (1/P)Σ(y − Φw)² */
#define HAND_TEST(w) (hand_lambda[0] * pow(hand_wstar[0] - A[0] * (w), 2) + \
                      hand_lambda[1] * pow(hand_wstar[1] - A[1] * (w), 2))
#define HAND_TRAIN(w) ((pow(y[0] - phi[0] * (w), 2) + pow(y[1] - phi[1] * (w), 2)) / 2.0)

    double times[] = {0.0, 0.05, 0.3, 2.0, INFINITY};
    double test[5], train[5];
    slt_mc_params p = slt_mc_params_default();
    eval_routes(p, &r, times, 5, test, train);
    for (int i = 0; i < 5; i++) {
        double w = isinf(times[i]) ? b / G : b * (1.0 - exp(-G * times[i])) / G;
        /* rounding only: a few ulps of the O(1) terms */
        assert_close(test[i], HAND_TEST(w), TOL_ROUNDING_COND, TOL_ROUNDING);
        assert_close(train[i], HAND_TRAIN(w), TOL_ROUNDING_COND, TOL_ROUNDING);
    }
    /* discrete GD: w(n) = b (1 − (1 − ηG)^n)/G */
    p.eta = 0.05;
    double tg[] = {0.0, 0.05, 0.5, 5.0};
    eval_routes(p, &r, tg, 4, test, train);
    for (int i = 0; i < 4; i++) {
        double n = round(tg[i] / p.eta);
        double w = b * (1.0 - pow(1.0 - p.eta * G, n)) / G;
        assert_close(test[i], HAND_TEST(w), TOL_ROUNDING_COND, TOL_ROUNDING);
        assert_close(train[i], HAND_TRAIN(w), TOL_ROUNDING_COND, TOL_ROUNDING);
    }
    /* ridge: w = b/(G + z) */
    p = slt_mc_params_default();
    p.model = SLT_MC_RIDGE;
    p.ridge = 0.7;
    eval_routes(p, &r, NULL, 0, test, train);
    assert_close(test[0], HAND_TEST(b / (G + 0.7)), TOL_ROUNDING_COND, TOL_ROUNDING);
    assert_close(train[0], HAND_TRAIN(b / (G + 0.7)), TOL_ROUNDING_COND, TOL_ROUNDING);
#undef HAND_TEST
#undef HAND_TRAIN
}

/* N = 2 (A = I), P = 1: the dual (P×P) route. Φ = ψ/√2 = (0.5, 1)/√2, K = 0.625, y = 2.5
 * (noise-free): u(t) = (1, 2)(1 − e^{−0.625 t}), so L = 2 e^{−1.25 t}, L̂ = 6.25 e^{−1.25 t};
 * ridge: ρ = z/(0.625 + z), L = 2ρ², L̂ = 6.25ρ². */
static void test_hand_dual(void **state)
{
    (void)state;
    const double A[4] = {1.0, 0.0, 0.0, 1.0};
    const double psi[2] = {0.5, 1.0};
    const double y[1] = {2.5};
    slt_mc_realisation r = {.N = 2, .P = 1, .M = 2, .lambda = hand_lambda,
                            .wstar = hand_wstar, .A = A, .psi = psi, .y = y};
    double times[] = {0.0, 0.4, 3.0, 40.0};
    double test[4], train[4];
    slt_mc_params p = slt_mc_params_default();
    eval_routes(p, &r, times, 4, test, train);
    for (int i = 0; i < 4; i++) {
        double e = exp(-1.25 * times[i]);
        /* absolute 1e-15: L(40) = 2e-22 is below the rounding level of the O(1) terms */
        assert_close(test[i], 2.0 * e, TOL_ROOT, TOL_ROUNDING);
        assert_close(train[i], 6.25 * e, TOL_ROOT, TOL_ROUNDING);
    }
    p.model = SLT_MC_RIDGE;
    p.ridge = 0.2;
    eval_routes(p, &r, NULL, 0, test, train);
    double rho = 0.2 / (0.625 + 0.2);
    assert_close(test[0], 2.0 * rho * rho, TOL_ROUNDING_COND, TOL_ROUNDING);
    assert_close(train[0], 6.25 * rho * rho, TOL_ROUNDING_COND, TOL_ROUNDING);
}

/* N = 1, P = ∞, A = (1, −1): C = Σλ_k A_k² = 1.25, h0 = Σλ_k A_k w*_k = 0.5, S0 = 2.
 * w(t) = 0.4 (1 − e^{−1.25 t}), L = S0 − 2 h0 w + C w², train = L + σ². */
static void test_hand_population(void **state)
{
    (void)state;
    const double A[2] = {1.0, -1.0};
    slt_mc_realisation r = {.N = 1, .P = INF, .M = 2, .lambda = hand_lambda,
                            .wstar = hand_wstar, .A = A, .noise = 0.3};
    double times[] = {0.0, 0.7, 5.0, INFINITY};
    double test[4], train[4];
    slt_mc_params p = slt_mc_params_default();
    eval_routes(p, &r, times, 4, test, train);
    for (int i = 0; i < 4; i++) {
        double w = isinf(times[i]) ? 0.4 : 0.4 * (1.0 - exp(-1.25 * times[i]));
        double L = 2.0 - 2.0 * 0.5 * w + 1.25 * w * w;
        assert_close(test[i], L, TOL_ROUNDING_SUM, 0);
        assert_close(train[i], L + 0.3, TOL_ROUNDING_SUM, 0);
    }
    assert_close(test[3], 1.8, TOL_ROUNDING_SUM, 0);
}

/* ---- realisations against explicit stepping ----------------------------------------- */

typedef struct {
    size_t N, P, M;
    double *lambda, *wstar, *A, *psi, *y, *phi;
} realisation;

static void realisation_make(realisation *q, size_t N, size_t P, size_t M, double sigma,
                             unsigned long seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    q->N = N;
    q->P = P;
    q->M = M;
    q->lambda = malloc(M * sizeof(double));
    q->wstar = malloc(M * sizeof(double));
    q->A = malloc(N * M * sizeof(double));
    q->psi = malloc(P * M * sizeof(double));
    q->y = malloc(P * sizeof(double));
    q->phi = malloc(P * N * sizeof(double));
    for (size_t k = 0; k < M; k++) {
        q->lambda[k] = pow((double)(k + 1), -1.5);
        q->wstar[k] = gsl_ran_gaussian(g, 1.0);
    }
    for (size_t i = 0; i < N * M; i++) q->A[i] = gsl_ran_gaussian(g, 1.0);
    for (size_t mu = 0; mu < P; mu++) {
        double yc = 0;
        for (size_t k = 0; k < M; k++) {
            double v = gsl_ran_gaussian(g, 1.0) * sqrt(q->lambda[k]);
            q->psi[mu * M + k] = v;
            yc += v * q->wstar[k];
        }
        q->y[mu] = yc + sigma * gsl_ran_gaussian(g, 1.0);
        for (size_t i = 0; i < N; i++) {
            double f = 0;
            for (size_t k = 0; k < M; k++) f += q->psi[mu * M + k] * q->A[i * M + k];
            q->phi[mu * N + i] = f / sqrt((double)N);
        }
    }
    gsl_rng_free(g);
}

static void realisation_free(realisation *q)
{
    free(q->lambda);
    free(q->wstar);
    free(q->A);
    free(q->psi);
    free(q->y);
    free(q->phi);
}

/* test loss Σ_k λ_k (w*_k − (Aᵀw)_k/√N)² and train loss of a weight vector, directly */
static void direct_losses(const realisation *q, const double *w, double *test, double *train)
{
    double L = 0;
    for (size_t k = 0; k < q->M; k++) {
        double u = 0;
        for (size_t i = 0; i < q->N; i++) u += q->A[i * q->M + k] * w[i];
        double v = q->wstar[k] - u / sqrt((double)q->N);
        L += q->lambda[k] * v * v;
    }
    double tr = 0;
    for (size_t mu = 0; mu < q->P; mu++) {
        double f = 0;
        for (size_t i = 0; i < q->N; i++) f += q->phi[mu * q->N + i] * w[i];
        tr += (q->y[mu] - f) * (q->y[mu] - f);
    }
    *test = L;
    *train = tr / (double)q->P;
}

/* gradient of L̂/2: g = Φᵀ(y − Φw)/P */
static void gradient(const realisation *q, const double *w, double *g)
{
    for (size_t i = 0; i < q->N; i++) g[i] = 0;
    for (size_t mu = 0; mu < q->P; mu++) {
        double r = q->y[mu];
        for (size_t i = 0; i < q->N; i++) r -= q->phi[mu * q->N + i] * w[i];
        for (size_t i = 0; i < q->N; i++) g[i] += q->phi[mu * q->N + i] * r / (double)q->P;
    }
}

static slt_mc_realisation view(const realisation *q)
{
    slt_mc_realisation r = {.N = q->N, .P = q->P, .M = q->M, .lambda = q->lambda,
                            .wstar = q->wstar, .A = q->A, .psi = q->psi, .y = q->y};
    return r;
}

/* Discrete GD from the eigendecomposition equals explicit steps w += η Φᵀ(y − Φw)/P, for
 * N < P (primal) and N > P (dual). */
static void test_gd_equals_explicit_steps(void **state)
{
    (void)state;
    size_t shapes[2][3] = {{6, 10, 15}, {15, 6, 20}};
    for (int s = 0; s < 2; s++) {
        realisation q;
        realisation_make(&q, shapes[s][0], shapes[s][1], shapes[s][2], 0.3, 11 + s);
        slt_mc_realisation r = view(&q);
        slt_mc_params p = slt_mc_params_default();
        p.eta = 0.35;
        const int steps[] = {0, 1, 2, 5, 17, 60};
        double times[6], test[6], train[6];
        for (int i = 0; i < 6; i++) times[i] = p.eta * steps[i];
        eval_routes(p, &r, times, 6, test, train);
        double *w = calloc(q.N, sizeof(double)), *g = malloc(q.N * sizeof(double));
        int n = 0;
        for (int i = 0; i < 6; i++) {
            for (; n < steps[i]; n++) {
                gradient(&q, w, g);
                for (size_t j = 0; j < q.N; j++) w[j] += p.eta * g[j];
            }
            double L, Lh;
            direct_losses(&q, w, &L, &Lh);
            /* both are exact algorithms; 1e-12 allows the rounding of 60 steps and of the
             * eigendecomposition (the loss is O(1) here) */
            assert_close(test[i], L, TOL_ROOT, TOL_ROUNDING_SUM);
            assert_close(train[i], Lh, TOL_ROOT, TOL_ROUNDING_SUM);
        }
        free(w);
        free(g);
        realisation_free(&q);
    }
}

/* Gradient flow from the eigendecomposition equals an RK4 integration of ẇ = Φᵀ(y−Φw)/P
 * with step 1e-3 (global error ~ h⁴·t·|G|⁵ ≈ 1e-10 here), to 1e-6. */
static void test_flow_equals_rk4(void **state)
{
    (void)state;
    size_t shapes[2][3] = {{5, 9, 12}, {9, 5, 12}};
    for (int s = 0; s < 2; s++) {
        realisation q;
        realisation_make(&q, shapes[s][0], shapes[s][1], shapes[s][2], 0.2, 21 + s);
        slt_mc_realisation r = view(&q);
        slt_mc_params p = slt_mc_params_default();
        double times[] = {0.5, 2.0, 8.0}, test[3], train[3];
        eval_routes(p, &r, times, 3, test, train);
        size_t N = q.N;
        double *w = calloc(N, sizeof(double)), *k1 = malloc(N * sizeof(double)),
               *k2 = malloc(N * sizeof(double)), *k3 = malloc(N * sizeof(double)),
               *k4 = malloc(N * sizeof(double)), *tmp = malloc(N * sizeof(double));
        const double h = 1e-3;
        long n = 0;
        for (int i = 0; i < 3; i++) {
            long target = lround(times[i] / h);
            for (; n < target; n++) {
                gradient(&q, w, k1);
                for (size_t j = 0; j < N; j++) tmp[j] = w[j] + 0.5 * h * k1[j];
                gradient(&q, tmp, k2);
                for (size_t j = 0; j < N; j++) tmp[j] = w[j] + 0.5 * h * k2[j];
                gradient(&q, tmp, k3);
                for (size_t j = 0; j < N; j++) tmp[j] = w[j] + h * k3[j];
                gradient(&q, tmp, k4);
                for (size_t j = 0; j < N; j++)
                    w[j] += h / 6.0 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
            }
            double L, Lh;
            direct_losses(&q, w, &L, &Lh);
            assert_close(test[i], L, TOL_ASYMPTOTIC, 0);
            assert_close(train[i], Lh, TOL_ASYMPTOTIC, 0);
        }
        free(w);
        free(k1);
        free(k2);
        free(k3);
        free(k4);
        free(tmp);
        realisation_free(&q);
    }
}

/* The two test-loss routes (quadratic form, mode space) agree on the same realisation in
 * every shape: primal, dual, population, kernel limit; flow, GD and ridge. */
static void test_routes_agree(void **state)
{
    (void)state;
    size_t shapes[4][3] = {{6, 10, 15}, {15, 6, 20}, {5, INF_SIZE, 12}, {INF_SIZE, 7, 12}};
    for (int s = 0; s < 4; s++) {
        realisation q;
        size_t N = shapes[s][0], P = shapes[s][1], M = shapes[s][2];
        realisation_make(&q, N == INF_SIZE ? 1 : N, P == INF_SIZE ? 1 : P, M, 0.4, 51 + s);
        slt_mc_realisation r = view(&q);
        r.N = size_or_inf(N);
        r.P = size_or_inf(P);
        r.noise = 0.16;
        double times[] = {0.0, 0.5, 4.0, 60.0, INFINITY};
        for (int rule = 0; rule < 3; rule++) {
            slt_mc_params p = slt_mc_params_default();
            size_t nt = 5;
            if (rule == 1) p.eta = 0.5;
            if (rule == 2) {
                p.model = SLT_MC_RIDGE;
                p.ridge = 0.01;
                nt = 0;
            }
            double tq[5], trq[5], tm[5], trm[5];
            p.route = SLT_MC_ROUTE_QUADRATIC;
            assert_ok(slt_mc_evaluate(&p, &r, rule == 2 ? NULL : times, nt, tq, trq));
            p.route = SLT_MC_ROUTE_MODES;
            assert_ok(slt_mc_evaluate(&p, &r, rule == 2 ? NULL : times, nt, tm, trm));
            for (size_t i = 0; i < (nt ? nt : 1); i++) {
                /* equal algebra; the quadratic form loses ~log10(L(0)/L) digits */
                assert_close(tq[i], tm[i], TOL_ILL_COND, TOL_ROUNDING_SUM);
                assert_close(trq[i], trm[i], TOL_ROUNDING_COND, TOL_ROUNDING);
            }
        }
        realisation_free(&q);
    }
}

/* Discrete GD at fixed t = ηn converges to gradient flow as η → 0, at first order. */
static void test_gd_to_flow(void **state)
{
    (void)state;
    realisation q;
    realisation_make(&q, 8, 12, 16, 0.1, 31);
    slt_mc_realisation r = view(&q);
    slt_mc_params p = slt_mc_params_default();
    double t[] = {4.0}, flow, gd1, gd2, tr;
    eval_routes(p, &r, t, 1, &flow, &tr);
    p.eta = 1e-2;
    eval_routes(p, &r, t, 1, &gd1, &tr);
    p.eta = 1e-3;
    eval_routes(p, &r, t, 1, &gd2, &tr);
    double e1 = fabs(gd1 - flow), e2 = fabs(gd2 - flow);
    assert_true(e1 > 0);
    /* first order: the error shrinks ~10× for 10× smaller η (between 5× and 20×) */
    assert_true(e2 < e1 / 5.0 && e2 > e1 / 20.0);
    assert_close(gd2, flow, 1e-3, 0);
    realisation_free(&q);
}

/* Kernel ridge regression (N = ∞) against the normal equations (ΨᵀΨ/P + zI)u = Ψᵀy/P
 * solved by Cholesky, for P < M (dual route) and P > M (primal route). */
static void test_krr_normal_equations(void **state)
{
    (void)state;
    size_t shapes[2][2] = {{20, 35}, {40, 25}}; /* {P, M} */
    for (int s = 0; s < 2; s++) {
        size_t P = shapes[s][0], M = shapes[s][1];
        realisation q;
        realisation_make(&q, 1, P, M, 0.5, 41 + s);
        slt_mc_realisation r = view(&q);
        r.N = INF;
        r.A = NULL;
        const double z = 3e-3;
        slt_mc_params p = slt_mc_params_default();
        p.model = SLT_MC_RIDGE;
        p.ridge = z;
        double test, train;
        assert_ok(slt_mc_evaluate(&p, &r, NULL, 0, &test, &train));
        double *G = calloc(M * M, sizeof(double)), *u = calloc(M, sizeof(double));
        for (size_t mu = 0; mu < P; mu++)
            for (size_t i = 0; i < M; i++) {
                u[i] += q.psi[mu * M + i] * q.y[mu] / (double)P;
                for (size_t j = 0; j < M; j++)
                    G[i * M + j] += q.psi[mu * M + i] * q.psi[mu * M + j] / (double)P;
            }
        for (size_t i = 0; i < M; i++) G[i * M + i] += z;
        assert_int_equal(LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)M, 1, G,
                                       (lapack_int)M, u, 1), 0);
        double L = 0, Lh = 0;
        for (size_t k = 0; k < M; k++) L += q.lambda[k] * pow(q.wstar[k] - u[k], 2);
        for (size_t mu = 0; mu < P; mu++) {
            double f = 0;
            for (size_t k = 0; k < M; k++) f += q.psi[mu * M + k] * u[k];
            Lh += pow(q.y[mu] - f, 2) / (double)P;
        }
        /* both solve the same well-conditioned system (z·cond bound ~1e3): 1e-10 */
        assert_close(test, L, TOL_NUMERIC, 0);
        assert_close(train, Lh, TOL_NUMERIC, 0);
        free(G);
        free(u);
        realisation_free(&q);
    }
}

/* ---- random runs ---------------------------------------------------------------------- */

/* N = P = ∞: no randomness left; equals Σ_{k<=M} t_k e^{−2λ_k t} (GD: (1−ηλ)^{2n}) for
 * one trial, train = test + σ², and the full task's decay differs by at most the tail. */
static void test_infinite_limits(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.5, 0.8, 0.25);
    slt_mc_params p = slt_mc_params_default();
    p.N = INF;
    p.P = INF;
    p.M = 20000;
    p.trials = 1;
    double t[] = {0.0, 1.0, 30.0, 1000.0};
    slt_mc_result *r = run(task, &p, t, 4);
    assert_int_equal(r->M, 20000);
    for (int i = 0; i < 4; i++) {
        long double ref = 0;
        for (size_t k = 20000; k >= 1; k--)
            ref += slt_task_target(task, k) * exp(-2.0 * slt_task_lambda(task, k) * t[i]);
        /* the same sum in another order and precision: 1e-13 */
        assert_close(r->points[i].test.mean, (double)ref, TOL_ROUNDING_COND, 0);
        assert_close(r->points[i].train.mean, (double)ref + 0.25, TOL_ROUNDING_COND, 0);
        assert_int_equal(r->points[i].test.trials, 1);
        assert_true(isnan(r->points[i].test.se));
        slt_sum full;
        assert_ok(slt_sum_decay(task, t[i], &full));
        assert_true(full.value - r->points[i].test.mean <= r->tail_mass + full.err + 1e-15);
        assert_true(full.value - r->points[i].test.mean >= -1e-13);
    }
    /* the reported tail: Σ_{k>M} k^{-(αβ+1)} = ζ(2.2, M+1) */
    slt_sum all;
    assert_ok(slt_sum_target(task, &all));
    assert_close(r->head_mass + r->tail_mass, all.value, TOL_ROUNDING_SUM, 0);
    /* Euler–Maclaurin midpoint */
    assert_close(r->tail_mass, pow(20000.5, -1.2) / 1.2, TOL_ASYMPTOTIC, 0);
    slt_mc_result_free(r);

    p.eta = 0.5;
    double tg[] = {0.0, 0.5, 50.0};
    p.trials = 3;
    r = run(task, &p, tg, 3);
    for (int i = 0; i < 3; i++) {
        double n = tg[i] / 0.5, ref = 0;
        for (size_t k = 20000; k >= 1; k--)
            ref += slt_task_target(task, k) * pow(1.0 - 0.5 * slt_task_lambda(task, k), 2 * n);
        assert_close(r->points[i].test.mean, ref, TOL_ROUNDING_COND, 0);
        assert_close(r->points[i].test.se, 0.0, 0, 0); /* identical trials */
        assert_close(r->points[i].steps, n, 0, 0);
    }
    assert_int_equal(r->unstable_trials, 0);
    slt_mc_result_free(r);
    p.eta = 2.5; /* η λ_1 = 2.5 >= 2: unstable, reported */
    double tu[] = {0.0, 2.5, 25.0};
    r = run(task, &p, tu, 3);
    assert_int_equal(r->unstable_trials, 3);
    slt_mc_result_free(r);
    slt_task_free(task);
}

/* Replays the documented draw order with GSL and checks a random trial against the
 * explicit-realisation path: A (N×M), then Z (P×M), then ε (P), mt19937 seeded with
 * slt_mc_trial_seed(seed, trial), ziggurat normals. */
static void test_draw_order_replay(void **state)
{
    (void)state;
    const size_t N = 7, P = 11, M = 18;
    const double sigma2 = 0.09;
    slt_task *task = decaying_task(M, 1.3, 2.1, sigma2);
    slt_mc_params p = slt_mc_params_default();
    p.N = N;
    p.P = P;
    p.trials = 3;
    p.first_trial = 5;
    p.seed = 99;
    double t[] = {0.0, 0.7, 6.0, INFINITY};
    slt_mc_result *res = run(task, &p, t, 4);
    for (size_t tr = 0; tr < 3; tr++) {
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, slt_mc_trial_seed(99, 5 + tr));
        double *A = malloc(N * M * sizeof(double)), *psi = malloc(P * M * sizeof(double));
        double y[11], lambda[18], wstar[18];
        for (size_t k = 0; k < M; k++) {
            lambda[k] = slt_task_lambda(task, k + 1);
            wstar[k] = sqrt(slt_task_target(task, k + 1) / lambda[k]);
        }
        for (size_t i = 0; i < N * M; i++) A[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
        for (size_t mu = 0; mu < P; mu++) {
            y[mu] = 0;
            for (size_t k = 0; k < M; k++) {
                psi[mu * M + k] = gsl_ran_gaussian_ziggurat(g, 1.0) * sqrt(lambda[k]);
                y[mu] += psi[mu * M + k] * wstar[k];
            }
        }
        for (size_t mu = 0; mu < P; mu++) y[mu] += sqrt(sigma2) * gsl_ran_gaussian_ziggurat(g, 1.0);
        slt_mc_realisation r = {.N = (double)N, .P = size_or_inf(P), .M = M, .lambda = lambda, .wstar = wstar,
                                .A = A, .psi = psi, .y = y};
        double test[4], train[4];
        assert_ok(slt_mc_evaluate(&p, &r, t, 4, test, train));
        for (int i = 0; i < 4; i++) {
            /* the same realisation, rounded along two routes (Z Rᵀ vs Ψ Aᵀ/√N) */
            assert_close(res->trial_test[tr * 4 + i], test[i], TOL_NUMERIC, 0);
            assert_close(res->trial_train[tr * 4 + i], train[i], TOL_NUMERIC, 0);
        }
        free(A);
        free(psi);
        gsl_rng_free(g);
    }
    slt_mc_result_free(res);
    slt_task_free(task);
}

/* Exact expectations with noise at N = ∞ (isotropic λ ≡ 1 where needed):
 *   OLS, P > M + 1, z = 0:      E L = σ² M/(P − M − 1),  E L̂ = σ² (P − M)/P;
 *   min-norm, P < M − 1, λ ≡ 1: E L = |s|²(1 − P/M) + σ² P/(M − P − 1),  L̂ = 0. */
static void test_kernel_regression_expectations(void **state)
{
    (void)state;
    const double sigma2 = 0.5;
    slt_task *task = decaying_task(12, 1.7, 2.5, sigma2); /* any spectrum for OLS */
    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_RIDGE;
    p.N = INF;
    p.P = 40;
    p.trials = 4000;
    p.seed = 5;
    slt_mc_result *r = run(task, &p, NULL, 0);
    assert_within_se("OLS test", r->points[0].test.mean, r->points[0].test.se,
                     sigma2 * 12.0 / (40.0 - 12.0 - 1.0), TOL_MC_Z);
    assert_within_se("OLS train", r->points[0].train.mean, r->points[0].train.se,
                     sigma2 * (40.0 - 12.0) / 40.0, TOL_MC_Z);
    assert_true(isinf(r->points[0].t));
    slt_mc_result_free(r);
    slt_task_free(task);

    double lambda[30], target[30], s2 = 0;
    for (int k = 0; k < 30; k++) {
        lambda[k] = 1.0;
        target[k] = 1.0 / (k + 1.0);
        s2 += target[k];
    }
    task = explicit_task(30, lambda, target, sigma2);
    p.P = 10;
    p.trials = 3000;
    r = run(task, &p, NULL, 0);
    assert_within_se("min-norm test", r->points[0].test.mean, r->points[0].test.se,
                     s2 * (1.0 - 10.0 / 30.0) + sigma2 * 10.0 / (30.0 - 10.0 - 1.0), TOL_MC_Z);
    assert_close(r->points[0].train.mean, 0.0, 0, TOL_ROOT); /* interpolation */
    slt_mc_result_free(r);
    /* gradient flow at t = ∞ is the same min-norm solution, trial by trial */
    slt_mc_params f = p;
    f.model = SLT_MC_RF;
    f.trials = 50;
    p.trials = 50;
    double tinf = INFINITY;
    slt_mc_result *a = run(task, &p, NULL, 0), *b = run(task, &f, &tinf, 1);
    for (size_t i = 0; i < 50; i++)
        assert_close(b->trial_test[i], a->trial_test[i], TOL_ILL_COND, 0);
    slt_mc_result_free(a);
    slt_mc_result_free(b);
    slt_task_free(task);
}

/* Random-projection ensembles at P = ∞, t = ∞ with λ ≡ 1: a member's function is the
 * projection of s on a random N-dimensional subspace, E[Π] = (N/M) I, so
 *   L_E = |s|² [(1 − q)² + q(1 − q)/E],  q = N/M,
 * for independent projections; members with one shared projection are identical. */
static void test_ensembles(void **state)
{
    (void)state;
    double lambda[40], target[40], s2 = 0;
    for (int k = 0; k < 40; k++) {
        lambda[k] = 1.0;
        target[k] = exp(-0.1 * k);
        s2 += target[k];
    }
    slt_task *task = explicit_task(40, lambda, target, 0.0);
    slt_mc_params p = slt_mc_params_default();
    p.N = 10;
    p.P = INF;
    p.trials = 2000;
    p.seed = 3;
    double t[] = {INFINITY};
    const double q = 10.0 / 40.0;
    size_t Es[] = {1, 4};
    for (int i = 0; i < 2; i++) {
        p.ensemble = Es[i];
        slt_mc_result *r = run(task, &p, t, 1);
        double ref = s2 * ((1 - q) * (1 - q) + q * (1 - q) / (double)Es[i]);
        assert_within_se("projection ensemble", r->points[0].test.mean, r->points[0].test.se,
                         ref, TOL_MC_Z);
        assert_within_se("ensemble member", r->points[0].member_test.mean,
                         r->points[0].member_test.se, s2 * (1 - q), TOL_MC_Z);
        assert_close(r->points[0].train.mean, r->points[0].member_test.mean, TOL_ROOT, 0);
        slt_mc_result_free(r);
    }
    slt_task_free(task);

    /* Finite data, shared data, independent projections: the ensemble beats its members
     * (variance removed) at every time after 0, and at t = 0 all equal L(0). */
    task = decaying_task(200, 1.5, 2.0, 0.1);
    p = slt_mc_params_default();
    p.N = 30;
    p.P = 60;
    p.trials = 200;
    p.ensemble = 8;
    p.share = SLT_SHARE_DATA;
    double tt[] = {0.0, 10.0, 1000.0};
    slt_mc_result *r = run(task, &p, tt, 3);
    slt_mc_params one = p;
    one.ensemble = 1;
    slt_mc_result *r1 = run(task, &one, tt, 3);
    assert_close(r->points[0].test.mean, r->head_mass, TOL_ROUNDING_SUM, 0);
    for (int i = 1; i < 3; i++) {
        assert_true(r->points[i].test.mean + 3 * r->points[i].test.se <
                    r->points[i].member_test.mean);
        assert_true(r->points[i].test.mean < r1->points[i].test.mean);
        /* members are single models: same distribution as E = 1 (4 combined SE) */
        double se = hypot(r->points[i].member_test.se, r1->points[i].test.se);
        assert_within_se("member vs single", r->points[i].member_test.mean, se,
                         r1->points[i].test.mean, TOL_MC_Z);
    }
    slt_mc_result_free(r);
    slt_mc_result_free(r1);

    /* Identical members: N = ∞ with shared data (the ensemble, through mode space) equals
     * one model evaluated by the quadratic form, trial by trial. */
    p = slt_mc_params_default();
    p.N = INF;
    p.P = 50;
    p.trials = 5;
    p.ensemble = 2;
    p.share = SLT_SHARE_DATA;
    one = p;
    one.ensemble = 1;
    one.route = SLT_MC_ROUTE_QUADRATIC;
    r = run(task, &p, tt, 3);
    r1 = run(task, &one, tt, 3);
    for (size_t i = 0; i < 15; i++) {
        /* two algebraically equal forms; the quadratic form cancels ~L(0)/L digits */
        assert_close(r->trial_test[i], r1->trial_test[i], 1e-9, TOL_ROUNDING_SUM);
        assert_close(r->trial_train[i], r1->trial_train[i], TOL_ROOT, TOL_ROUNDING_SUM);
    }
    slt_mc_result_free(r);
    slt_mc_result_free(r1);
    slt_task_free(task);
}

/* One step of online SGD from w = 0 with batch B (w₁ = (η/B) Φ_bᵀy), in expectation over
 * the projection and the batch (Isserlis for the Gaussian (φ, y)):
 *   E L₁ = S0 − 2η E|h0|² + η² [ (S0 + σ²) E tr C² / B + (B + 1)/B · E h0ᵀCh0 ],
 *   finite N:  E|h0|² = Σλt,  E tr C² = ((N+1)Σλ² + (Σλ)²)/N,
 *              E h0ᵀCh0 = ((N+1)Σλ²t + Σλ·Σλt)/N;     N = ∞: the N → ∞ limits.
 * This checks the exact Gaussian sampler of the batch, fourth moments included. */
static void test_sgd_one_step(void **state)
{
    (void)state;
    const size_t M = 30;
    const double sigma2 = 1.0, eta = 0.5;
    slt_task *task = decaying_task(M, 1.2, 2.0, sigma2);
    double S0 = 0, sl = 0, sl2 = 0, slt_ = 0, sl2t = 0;
    for (size_t k = 1; k <= M; k++) {
        double l = slt_task_lambda(task, k), t = slt_task_target(task, k);
        S0 += t;
        sl += l;
        sl2 += l * l;
        slt_ += l * t;
        sl2t += l * l * t;
    }
    size_t Ns[] = {5, INF_SIZE};
    size_t Bs[] = {1, 4};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            size_t N = Ns[a], B = Bs[b];
            double trC2, hCh;
            if (N == INF_SIZE) {
                trC2 = sl2;
                hCh = sl2t;
            } else {
                trC2 = ((N + 1.0) * sl2 + sl * sl) / (double)N;
                hCh = ((N + 1.0) * sl2t + sl * slt_) / (double)N;
            }
            double ref = S0 - 2 * eta * slt_ +
                         eta * eta * ((S0 + sigma2) * trC2 / (double)B + (B + 1.0) / B * hCh);
            slt_mc_params p = slt_mc_params_default();
            p.model = SLT_MC_SGD;
            p.N = size_or_inf(N);
            p.P = INF;
            p.eta = eta;
            p.batch = B;
            p.trials = 20000;
            p.seed = 17 + 2 * a + b;
            double t[] = {0.0, eta};
            slt_mc_result *r = run(task, &p, t, 2);
            assert_close(r->points[0].test.mean, S0, TOL_ROUNDING_SUM, 0);
            assert_within_se("one SGD step", r->points[1].test.mean, r->points[1].test.se, ref,
                             TOL_MC_Z);
            assert_close(r->points[1].train.mean, r->points[1].test.mean + sigma2,
                         TOL_ROUNDING_SUM, 0);
            assert_close(r->points[1].steps, 1.0, 0, 0);
            slt_mc_result_free(r);
        }
    slt_task_free(task);
}

/* Online SGD with a huge batch follows population GD (P = ∞, same projection: both draw
 * A first from the same stream): the per-trial gap is the batch noise, O(√(η/B)). */
static void test_sgd_large_batch(void **state)
{
    (void)state;
    slt_task *task = decaying_task(100, 1.5, 2.0, 0.0);
    slt_mc_params p = slt_mc_params_default();
    p.N = 10;
    p.P = INF;
    p.eta = 0.5;
    p.trials = 10;
    double t[] = {1.0, 5.0, 10.0};
    slt_mc_result *gd = run(task, &p, t, 3);
    p.model = SLT_MC_SGD;
    p.batch = 20000;
    slt_mc_result *big = run(task, &p, t, 3);
    p.batch = 20;
    slt_mc_result *small = run(task, &p, t, 3);
    double gap_big = 0, gap_small = 0;
    for (size_t i = 0; i < 30; i++) {
        double ref = gd->trial_test[i];
        /* B = 2·10⁴: relative deviation ~ √(η/B) ≈ 0.5 %; allow 3 % */
        assert_close(big->trial_test[i], ref, 3e-2, 0);
        gap_big += fabs(big->trial_test[i] - ref);
        gap_small += fabs(small->trial_test[i] - ref);
    }
    assert_true(gap_big < gap_small / 5.0); /* ~ √1000 ≈ 30× closer */
    slt_mc_result_free(gd);
    slt_mc_result_free(big);
    slt_mc_result_free(small);
    slt_task_free(task);
}

/* ---- determinism and statistics ---------------------------------------------------------- */

static int same_results(const slt_mc_result *a, const slt_mc_result *b)
{
    if (a->n_points != b->n_points || a->trials != b->trials) return 0;
    size_t n = a->n_points * a->trials;
    if (memcmp(a->trial_test, b->trial_test, n * sizeof(double)) ||
        memcmp(a->trial_train, b->trial_train, n * sizeof(double)))
        return 0;
    for (size_t i = 0; i < a->n_points; i++)
        if (memcmp(&a->points[i].test, &b->points[i].test, sizeof(slt_mc_stat)) ||
            memcmp(&a->points[i].train, &b->points[i].train, sizeof(slt_mc_stat)) ||
            memcmp(&a->points[i].member_test, &b->points[i].member_test, sizeof(slt_mc_stat)))
            return 0;
    return 1;
}

static void test_threads_and_seeds(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.4, 0.6, 0.05);
    slt_mc_params cases[4];
    for (int i = 0; i < 4; i++) {
        cases[i] = slt_mc_params_default();
        cases[i].N = 40;
        cases[i].P = 30;
        cases[i].M = 300;
        cases[i].trials = 9;
    }
    cases[1].ensemble = 3; /* ensemble, independent everything */
    cases[2].N = 20;
    cases[2].P = 60; /* primal route, discrete GD */
    cases[2].eta = 0.5;
    cases[3].model = SLT_MC_SGD;
    cases[3].P = INF;
    cases[3].eta = 0.5;
    cases[3].batch = 3;
    cases[3].ensemble = 2;
    cases[3].share = SLT_SHARE_PROJECTION;
    double t[] = {0.0, 1.0, 10.0, 50.0};
    for (int c = 0; c < 4; c++) {
        slt_mc_params p = cases[c];
        p.threads = 1;
        slt_mc_result *one = run(task, &p, t, 4);
        p.threads = 2;
        slt_mc_result *two = run(task, &p, t, 4);
        /* OpenMP's default team too */
        omp_set_num_threads(2);
        p.threads = 0;
        slt_mc_result *dflt = run(task, &p, t, 4);
        assert_true(same_results(one, two));
        assert_true(same_results(one, dflt));
        /* same seed again: identical; another seed: different */
        slt_mc_result *again = run(task, &p, t, 4);
        assert_true(same_results(one, again));
        p.seed = 2;
        slt_mc_result *other = run(task, &p, t, 4);
        assert_true(other->trial_test[1] != one->trial_test[1]);
        assert_true(other->points[2].test.mean != one->points[2].test.mean);
        slt_mc_result_free(one);
        slt_mc_result_free(two);
        slt_mc_result_free(dflt);
        slt_mc_result_free(again);
        slt_mc_result_free(other);
    }
    slt_task_free(task);
}

/* SE honesty: 640 trials in 16 batches of 40 (first_trial splits the same streams). The
 * batch means average to the full mean, and the SE of the full run agrees with the spread
 * of the batch means: (SE_batch/SE_all)² ~ χ²₁₅/15, so the ratio lies in
 * [√(χ²₁₅(0.0005)/15), √(χ²₁₅(0.9995)/15)] = [0.455, 1.627] with probability 0.999. */
static void test_se_honesty(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.5, 0.7, 0.1);
    slt_mc_params p = slt_mc_params_default();
    p.N = 25;
    p.P = 40;
    p.M = 250;
    p.trials = 640;
    p.seed = 2024;
    double t[] = {1.0, 30.0, INFINITY};
    slt_mc_result *all = run(task, &p, t, 3);
    double bm[3][16];
    for (int b = 0; b < 16; b++) {
        slt_mc_params q = p;
        q.trials = 40;
        q.first_trial = 40 * (size_t)b;
        slt_mc_result *r = run(task, &q, t, 3);
        for (int i = 0; i < 3; i++) {
            bm[i][b] = r->points[i].test.mean;
            /* the batch's trials are the full run's trials 40b … 40b+39 */
            assert_true(r->trial_test[i] == all->trial_test[40 * b * 3 + i]);
        }
        slt_mc_result_free(r);
    }
    double lo = sqrt(gsl_cdf_chisq_Pinv(0.0005, 15) / 15.0);
    double hi = sqrt(gsl_cdf_chisq_Pinv(0.9995, 15) / 15.0);
    for (int i = 0; i < 3; i++) {
        double mean = 0, ss = 0;
        for (int b = 0; b < 16; b++) mean += bm[i][b] / 16.0;
        for (int b = 0; b < 16; b++) ss += (bm[i][b] - mean) * (bm[i][b] - mean);
        double se_batch = sqrt(ss / 15.0 / 16.0);
        assert_close(mean, all->points[i].test.mean, TOL_ROOT, 0);
        double ratio = se_batch / all->points[i].test.se;
        if (!(ratio > lo && ratio < hi)) {
            print_error("point %d: SE %.4g vs batch-mean SE %.4g: ratio %.3f outside [%.3f, "
                        "%.3f]\n", i, all->points[i].test.se, se_batch, ratio, lo, hi);
            fail();
        }
        /* and the reported SE is the sample SD / √n of the reported trials */
        double m = all->points[i].test.mean, s = 0;
        for (size_t j = 0; j < 640; j++) s += pow(all->trial_test[j * 3 + i] - m, 2);
        assert_close(all->points[i].test.se, sqrt(s / 639.0 / 640.0), TOL_ROOT, 0);
        assert_int_equal(all->points[i].test.trials, 640);
    }
    slt_mc_result_free(all);
    slt_task_free(task);
}

static void test_evaluate_validation(void **state)
{
    (void)state;
    const double A[2] = {1.0, 2.0}, psi[2] = {0.5, 1.0}, y[1] = {2.5};
    double bad_lambda[2] = {1.0, -0.5}, nan_w[2] = {1.0, NAN};
    slt_mc_realisation r = {.N = 1, .P = 1, .M = 2, .lambda = hand_lambda,
                            .wstar = hand_wstar, .A = A, .psi = psi, .y = y};
    slt_mc_params p = slt_mc_params_default();
    double t[] = {1.0}, test, train;
    slt_mc_realisation b = r;
    b.lambda = bad_lambda;
    assert_status(slt_mc_evaluate(&p, &b, t, 1, &test, &train), SLT_EINVAL);
    assert_message("lambda[1] = -0.5 is out of range");
    b = r;
    b.wstar = nan_w;
    assert_status(slt_mc_evaluate(&p, &b, t, 1, &test, &train), SLT_EINVAL);
    assert_message("wstar[1] = nan is not finite");
    b = r;
    b.M = 0;
    assert_status(slt_mc_evaluate(&p, &b, t, 1, &test, &train), SLT_EINVAL);
    assert_message("M = 0 is out of range");
    b = r;
    b.A = NULL;
    assert_status(slt_mc_evaluate(&p, &b, t, 1, &test, &train), SLT_EINVAL);
    assert_message("A is NULL");
    p.model = SLT_MC_SGD;
    assert_status(slt_mc_evaluate(&p, &r, t, 1, &test, &train), SLT_EINVAL);
    assert_message("model = sgd");
    p = slt_mc_params_default();
    p.eta = 0.3;
    double tb[] = {0.5};
    assert_status(slt_mc_evaluate(&p, &r, tb, 1, &test, &train), SLT_EINVAL);
    assert_message("not a whole number of steps");
}

/* ---- steep spectra: directions below the Gram matrix's resolution ------------------- */

/* λ_k = k^-10, t_k = k^-11 (α = 10, β = 1): at N = 30 the smallest eigenvalues of G, K or
 * C are ~1e-16 of the largest, below the ~max(k, P)·ε at which a Gram matrix resolves
 * them, yet they are genuine modes (the rank is min(N, P, M)) and carry the loss, which is
 * itself ~1e-15. The references solve the same least-squares problems by Householder QR/LQ
 * (LAPACKE_dgels), backward stable in the data matrix itself: no Gram matrix, no SVD. */
#define STEEP_ALPHA 10.0

static void steep_task_arrays(size_t M, double *lambda, double *target, double *wstar)
{
    for (size_t k = 0; k < M; k++) {
        lambda[k] = pow((double)(k + 1), -STEEP_ALPHA);
        target[k] = pow((double)(k + 1), -STEEP_ALPHA - 1.0);
        if (wstar) wstar[k] = sqrt(target[k] / lambda[k]);
    }
}

/* Least squares / minimum norm of the m×n row-major system a x ≈ b by dgels (a and b are
 * overwritten; b has max(m, n) entries, x in its first n). */
static void lstsq(size_t m, size_t n, double *a, double *b)
{
    assert_int_equal(LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', (lapack_int)m, (lapack_int)n, 1, a,
                                   (lapack_int)n, b, 1), 0);
}

/* The ridge-z (z = 0: minimum-norm least-squares, = gradient flow at t = ∞) solution of a
 * realisation by dgels, returned as the function u ∈ R^M (f = uᵀψ), with the direct test
 * loss Σ_k λ_k (w*_k − u_k)² and train loss (1/P)|y − Φw|²:
 *   finite P: [Φ/√P; √z I] w ≈ [y/√P; 0], Φ = ΨAᵀ/√N (N = ∞: Φ = Ψ, w = u);
 *   P = ∞ (z = 0): Rᵀw ≈ s with R = AΛ^{1/2}/√N, s = Λ^{1/2}w*; train = test + σ². */
static void steep_reference(const slt_mc_realisation *r, double z, double *test, double *train)
{
    const size_t M = r->M, finN = !isinf(r->N), n = finN ? (size_t)r->N : M;
    double *u = calloc(M, sizeof(double)), *w = NULL;
    if (r->P == INF) {
        double *a = malloc(M * n * sizeof(double)), *b = malloc(M * sizeof(double));
        for (size_t k = 0; k < M; k++) {
            double d = sqrt(r->lambda[k]);
            b[k] = d * r->wstar[k];
            for (size_t i = 0; i < n; i++)
                a[k * n + i] = finN ? r->A[i * M + k] * d / sqrt((double)n) : (i == k ? d : 0);
        }
        lstsq(M, n, a, b);
        w = b;
        free(a);
    } else {
        const size_t P = r->P, rows = P + (z > 0 ? n : 0);
        double *phi = malloc(P * n * sizeof(double));
        for (size_t mu = 0; mu < P; mu++)
            for (size_t i = 0; i < n; i++) {
                double f = 0;
                if (finN)
                    for (size_t k = 0; k < M; k++) f += r->psi[mu * M + k] * r->A[i * M + k];
                phi[mu * n + i] = finN ? f / sqrt((double)n) : r->psi[mu * M + i];
            }
        double *a = calloc(rows * n, sizeof(double));
        double *b = calloc(rows > n ? rows : n, sizeof(double));
        for (size_t mu = 0; mu < P; mu++) {
            for (size_t i = 0; i < n; i++) a[mu * n + i] = phi[mu * n + i] / sqrt((double)P);
            b[mu] = r->y[mu] / sqrt((double)P);
        }
        for (size_t i = 0; z > 0 && i < n; i++) a[(P + i) * n + i] = sqrt(z);
        lstsq(rows, n, a, b);
        w = b;
        double tr = 0;
        for (size_t mu = 0; mu < P; mu++) {
            double f = r->y[mu];
            for (size_t i = 0; i < n; i++) f -= phi[mu * n + i] * w[i];
            tr += f * f;
        }
        *train = tr / (double)P;
        free(a);
        free(phi);
    }
    for (size_t k = 0; k < M; k++) {
        if (!finN) {
            u[k] = w[k];
            continue;
        }
        for (size_t i = 0; i < n; i++) u[k] += r->A[i * M + k] * w[i];
        u[k] /= sqrt((double)n);
    }
    double L = 0;
    for (size_t k = 0; k < M; k++) L += r->lambda[k] * pow(r->wstar[k] - u[k], 2);
    *test = L;
    if (r->P == INF) *train = L + r->noise;
    free(u);
    free(w);
}

/* A realisation of the steep task (Gaussian A, Ψ; label noise σ). */
static void steep_realisation(realisation *q, size_t N, size_t P, size_t M, double sigma,
                              unsigned long seed)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    q->N = N;
    q->P = P;
    q->M = M;
    q->lambda = malloc(M * sizeof(double));
    q->wstar = malloc(M * sizeof(double));
    double *target = malloc(M * sizeof(double));
    steep_task_arrays(M, q->lambda, target, q->wstar);
    free(target);
    q->A = malloc(N * M * sizeof(double));
    q->psi = malloc(P * M * sizeof(double));
    q->y = malloc(P * sizeof(double));
    q->phi = NULL;
    for (size_t i = 0; i < N * M; i++) q->A[i] = gsl_ran_gaussian(g, 1.0);
    for (size_t mu = 0; mu < P; mu++) {
        q->y[mu] = 0;
        for (size_t k = 0; k < M; k++) {
            q->psi[mu * M + k] = gsl_ran_gaussian(g, 1.0) * sqrt(q->lambda[k]);
            q->y[mu] += q->psi[mu * M + k] * q->wstar[k];
        }
    }
    for (size_t mu = 0; mu < P; mu++) q->y[mu] += sigma * gsl_ran_gaussian(g, 1.0);
    gsl_rng_free(g);
}

/* One realisation at t = ∞ (and ridge z = 0 and z = 1e-14) in every shape: primal
 * (N < P), dual (N > P), population (P = ∞), kernel limit (N = ∞) on both sides of P = M,
 * by all three test-loss routes, against dgels. The Gram-matrix rule used to drop ~20 of
 * the 30 directions and returned losses 1.5–40× too large here. */
static void test_steep_realisation(void **state)
{
    (void)state;
    size_t shapes[5][3] = {{30, 90, 150}, {90, 30, 150}, {30, INF_SIZE, 150}, {INF_SIZE, 30, 150},
                           {INF_SIZE, 200, 60}};
    for (int sh = 0; sh < 5; sh++) {
        size_t N = shapes[sh][0], P = shapes[sh][1], M = shapes[sh][2];
        realisation q;
        /* P > M (the last shape) recovers w* exactly without label noise: give it some */
        steep_realisation(&q, N == INF_SIZE ? 1 : N, P == INF_SIZE ? 1 : P, M, P > M ? 1e-9 : 0.0,
                          71 + (unsigned long)sh);
        slt_mc_realisation r = view(&q);
        r.N = size_or_inf(N);
        r.P = size_or_inf(P);
        double zs[2] = {0.0, 1e-14};
        for (int iz = 0; iz < 2; iz++) {
            if (P == INF_SIZE && zs[iz] > 0) continue;
            double ref_test = NAN, ref_train = NAN;
            steep_reference(&r, zs[iz], &ref_test, &ref_train);
            slt_mc_route routes[3] = {SLT_MC_ROUTE_AUTO, SLT_MC_ROUTE_QUADRATIC,
                                      SLT_MC_ROUTE_MODES};
            for (int ro = 0; ro < 3; ro++) {
                slt_mc_params p = slt_mc_params_default();
                p.route = routes[ro];
                double tinf = INFINITY, test, train;
                if (zs[iz] == 0) {
                    /* gradient flow to t = ∞ and ridgeless regression: the same solution */
                    assert_ok(slt_mc_evaluate(&p, &r, &tinf, 1, &test, &train));
                    /* L ~ 1e-15 of L(0) = 1; two backward-stable solvers agree to ~1e-8 of
                     * it here (cond(Φ) ~ 1e8 times ε on the residual); 1e-6 */
                    assert_close(test, ref_test, TOL_ASYMPTOTIC, 0);
                    /* interpolation: 0 vs ~1e-31 of rounding */
                    assert_close(train, ref_train, TOL_ASYMPTOTIC, 1e-30);
                    /* the loss is ~1e-15 of L(0) = 1; the residual errors of two backward-
                     * stable solvers differ by ~1e-8 of it (cond ~1e8 times ε): 1e-6 */
                }
                p.model = SLT_MC_RIDGE;
                p.ridge = zs[iz];
                assert_ok(slt_mc_evaluate(&p, &r, NULL, 0, &test, &train));
                assert_close(test, ref_test, TOL_ASYMPTOTIC, 0);         /* as above */
                assert_close(train, ref_train, TOL_ASYMPTOTIC, 1e-30);
            }
        }
        realisation_free(&q);
    }
}

/* slt_mc_run on the steep task: every trial (replayed from the documented draw order)
 * equals the dgels reference at t = ∞, primal, dual and population; the members were
 * solved by SVD, none of the min(N, P, M) directions was dropped, no point is NaN. */
static void test_steep_run(void **state)
{
    (void)state;
    const size_t M = 150, trials = 3;
    double lambda[150], target[150], wstar[150];
    steep_task_arrays(M, lambda, target, wstar);
    slt_task *task = explicit_task(M, lambda, target, 0.0);
    size_t shapes[3][2] = {{30, 90}, {90, 30}, {30, INF_SIZE}};
    for (int sh = 0; sh < 3; sh++) {
        const size_t N = shapes[sh][0], P = shapes[sh][1], Pd = P == INF_SIZE ? 0 : P;
        slt_mc_params p = slt_mc_params_default();
        p.N = (double)N;
        p.P = size_or_inf(P);
        p.trials = trials;
        p.seed = 7;
        double t[] = {INFINITY};
        slt_mc_result *res = run(task, &p, t, 1);
        assert_int_equal(res->rank, 30);
        assert_int_equal(res->dropped_max, 0);
        assert_int_equal(res->svd_members, trials); /* λ_30 ≈ 2e-15: beyond the Gram matrix */
        assert_int_equal(res->points[0].ill_trials, 0);
        for (size_t tr = 0; tr < trials; tr++) {
            gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
            gsl_rng_set(g, slt_mc_trial_seed(7, tr));
            double *A = malloc(N * M * sizeof(double));
            double *psi = malloc((Pd ? Pd : 1) * M * sizeof(double));
            double *y = calloc(Pd ? Pd : 1, sizeof(double));
            for (size_t i = 0; i < N * M; i++) A[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
            for (size_t mu = 0; mu < Pd; mu++)
                for (size_t k = 0; k < M; k++) {
                    psi[mu * M + k] = gsl_ran_gaussian_ziggurat(g, 1.0) * sqrt(lambda[k]);
                    y[mu] += psi[mu * M + k] * wstar[k];
                }
            slt_mc_realisation r = {.N = (double)N, .P = size_or_inf(P), .M = M, .lambda = lambda, .wstar = wstar,
                                    .A = A, .psi = psi, .y = y};
            double ref_test = NAN, ref_train = NAN;
            steep_reference(&r, 0.0, &ref_test, &ref_train);
            /* as in test_steep_realisation, plus the two roundings of Φ (Z Rᵀ vs Ψ Aᵀ/√N) */
            assert_close(res->trial_test[tr], ref_test, TOL_ASYMPTOTIC, 0);
            assert_close(res->trial_train[tr], ref_train, TOL_ASYMPTOTIC, 1e-30);
            free(A);
            free(psi);
            free(y);
            gsl_rng_free(g);
        }
        slt_mc_result_free(res);
    }
    slt_task_free(task);
}

/* Beyond double precision even by SVD: λ_k = 10^{-5(k−1)} (k = 1 … 12), N = 8, P = ∞. The
 * 7th and 8th directions (λ ~ 1e-30, 1e-35 of λ_1) are below (12ε)² ≈ 7e-30 and must be
 * dropped. At t = ∞ (and ridge z = 0) the rule would learn them fully: NaN with every
 * trial counted, never a number. At t = 1 (and z = 1) it learns ~1e-29 of them: finite. */
static void test_steep_beyond_double(void **state)
{
    (void)state;
    double lambda[12], target[12];
    for (int k = 0; k < 12; k++) lambda[k] = target[k] = pow(10.0, -5.0 * k);
    slt_task *task = explicit_task(12, lambda, target, 0.0);
    slt_mc_params p = slt_mc_params_default();
    p.N = 8;
    p.P = INF;
    p.trials = 3;
    double t[] = {1.0, INFINITY};
    slt_mc_result *r = run(task, &p, t, 2);
    assert_int_equal(r->rank, 8);
    assert_true(r->dropped_max >= 1 && r->dropped_max <= 3);
    assert_int_equal(r->svd_members, 3);
    assert_int_equal(r->points[0].ill_trials, 0);
    assert_true(isfinite(r->points[0].test.mean) && r->points[0].test.mean > 0);
    assert_int_equal(r->points[1].ill_trials, 3);
    assert_true(isnan(r->points[1].test.mean) && isnan(r->points[1].train.mean));
    assert_true(isnan(r->points[1].member_test.mean));
    for (size_t tr = 0; tr < 3; tr++) {
        assert_true(isnan(r->trial_test[tr * 2 + 1]));
        assert_true(isfinite(r->trial_test[tr * 2]));
    }
    slt_mc_result_free(r);
    p.model = SLT_MC_RIDGE;
    p.ridge = 0.0;
    r = run(task, &p, NULL, 0);
    assert_int_equal(r->points[0].ill_trials, 3);
    assert_true(isnan(r->points[0].test.mean));
    slt_mc_result_free(r);
    p.ridge = 1.0;
    r = run(task, &p, NULL, 0);
    assert_int_equal(r->points[0].ill_trials, 0);
    assert_true(isfinite(r->points[0].test.mean));
    slt_mc_result_free(r);
    /* ensembles through mode space: a NaN member makes the ensemble point NaN */
    p = slt_mc_params_default();
    p.N = 8;
    p.P = INF;
    p.trials = 2;
    p.ensemble = 2;
    r = run(task, &p, t, 2);
    assert_int_equal(r->points[1].ill_trials, 2);
    assert_true(isnan(r->points[1].test.mean));
    assert_true(isfinite(r->points[0].test.mean));
    slt_mc_result_free(r);
    slt_task_free(task);
}

/* Online SGD is linear in the target: scaling every t_k by c = 2^40 scales each trial's
 * loss by exactly c (w(0) = 0, no noise, and multiplying by powers of two commutes with
 * rounding). The batch sampler's factor must therefore not depend on the target's scale:
 * an eigendecomposition of J = [[C, h0], [h0ᵀ, S0]] that drops eigenvalues below
 * max(N+1, M)·ε·‖J‖ drops real feature directions (here λ_k < 0.07) once S0 is large. */
static void test_sgd_target_scale(void **state)
{
    (void)state;
    const size_t M = 200;
    const double c = 1099511627776.0; /* 2^40 */
    double lambda[200], t1[200], tc[200];
    for (size_t k = 0; k < M; k++) {
        lambda[k] = pow((double)(k + 1), -1.5);
        t1[k] = pow((double)(k + 1), -2.0);
        tc[k] = c * t1[k];
    }
    slt_task *a = explicit_task(M, lambda, t1, 0.0), *b = explicit_task(M, lambda, tc, 0.0);
    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_SGD;
    p.N = 10;
    p.P = INF;
    p.eta = 0.5;
    p.batch = 2;
    p.trials = 4;
    double t[] = {5.0, 50.0};
    slt_mc_result *ra = run(a, &p, t, 2), *rb = run(b, &p, t, 2);
    assert_int_equal(ra->rank, 10);
    for (size_t i = 0; i < 8; i++)
        /* exact up to the order of BLAS sums (powers of two scale exactly): 1e-12 */
        assert_close(rb->trial_test[i], c * ra->trial_test[i], TOL_ROOT, 0);
    slt_mc_result_free(ra);
    slt_mc_result_free(rb);
    slt_task_free(a);
    slt_task_free(b);
}

/* ---- the sphere-kernel model (SLT_MC_KERNEL) ----------------------------------------- */

/* Parameters of a kernel run: d, kernel, P, ridge, noise, trials. */
static slt_mc_params kernel_params(int d, slt_mc_kernel_type k, size_t P, double z, double noise,
                                   size_t trials)
{
    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_KERNEL;
    p.N = INF;
    p.P = P;
    p.ridge = z;
    p.trials = trials;
    p.sphere.dim = d;
    p.sphere.kernel = k;
    p.sphere.noise = noise;
    return p;
}

/* n uniform points on S^{d−1} drawn exactly as a trial draws them (normals row by row,
 * each row scaled by 1/√(Σx²)). */
static void sphere_points(gsl_rng *g, double *X, size_t n, int d)
{
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * (size_t)d, r2;
        do {
            for (int j = 0; j < d; j++) x[j] = gsl_ran_gaussian_ziggurat(g, 1.0);
            r2 = 0.0;
            for (int j = 0; j < d; j++) r2 += x[j] * x[j];
        } while (!(r2 > 0));
        double inv = 1.0 / sqrt(r2);
        for (int j = 0; j < d; j++) x[j] *= inv;
    }
}

/* N(d,ℓ) from its binomial form with GSL (independent of both modules' code). */
static double multiplicity_ref(int d, int l)
{
    if (l == 0) return 1.0;
    return (2.0 * l + d - 2.0) / l * gsl_sf_choose((unsigned)(l + d - 3), (unsigned)(d - 2));
}

static void test_kernel_params(void **state)
{
    (void)state;
    slt_mc_params p, good = kernel_params(3, SLT_MC_KERNEL_GAUSSIAN, 50, 0.0, 0.0, 2);
    assert_ok(slt_mc_params_check(&good));
    double neg[] = {0.0, -1.0}, huge[] = {1e300, 1e300, 1e300, 1e300};
#define EXPECT_BAD(mutation, needle)                                      \
    do {                                                                  \
        p = good;                                                         \
        mutation;                                                         \
        assert_status(slt_mc_params_check(&p), SLT_EINVAL);               \
        assert_message(needle);                                           \
    } while (0)
    EXPECT_BAD(p.N = 10, "N = 10 with model kernel");
    EXPECT_BAD(p.P = INF, "P = inf is out of range");
    EXPECT_BAD(p.P = 0, "P = 0 is out of range");
    EXPECT_BAD(p.M = 5, "M = 5 with model kernel");
    EXPECT_BAD(p.eta = 0.1, "eta = 0.10000000000000001 with model kernel");
    EXPECT_BAD(p.ridge = -1, "ridge = -1 is out of range");
    EXPECT_BAD(p.ensemble = 2, "ensemble = 2 with model kernel");
    EXPECT_BAD(p.batch = 2, "batch = 2 with model kernel");
    EXPECT_BAD(p.route = SLT_MC_ROUTE_MODES, "route = 2 with model kernel");
    EXPECT_BAD(p.sphere.dim = 1, "sphere.dim = 1 is out of range (expected 2 <= dim <= 1000");
    EXPECT_BAD(p.sphere.kernel = (slt_mc_kernel_type)9, "sphere.kernel = 9 is out of range");
    EXPECT_BAD(p.sphere.width = 0, "sphere.width = 0 is out of range");
    EXPECT_BAD(p.sphere.width = NAN, "sphere.width = nan");
    EXPECT_BAD((p.sphere.kernel = SLT_MC_KERNEL_RELU_NTK, p.sphere.width = 2),
               "sphere.width = 2 with kernel relu-ntk");
    EXPECT_BAD(p.sphere.depth = 2, "sphere.depth = 2 with kernel gaussian");
    EXPECT_BAD((p.sphere.kernel = SLT_MC_KERNEL_RELU_NNGP, p.sphere.depth = 65),
               "sphere.depth = 65 is out of range");
    EXPECT_BAD(p.sphere.target_levels = 3, "target_power is NULL with target_levels = 3");
    EXPECT_BAD((p.sphere.target_power = neg, p.sphere.target_levels = 0),
               "sphere.target_levels = 0 is out of range");
    EXPECT_BAD((p.sphere.target_power = neg, p.sphere.target_levels = 202),
               "sphere.target_levels = 202 is out of range (expected 1 <= target_levels <= 201");
    EXPECT_BAD((p.sphere.target_power = neg, p.sphere.target_levels = 2),
               "sphere.target_power[1] = -1 is out of range");
    EXPECT_BAD((p.sphere.dim = 1000, p.sphere.target_power = huge, p.sphere.target_levels = 4),
               "sphere.target_power is too large at dim = 1000");
    EXPECT_BAD(p.sphere.noise = -0.5, "sphere.noise = -0.5 is out of range");
    EXPECT_BAD(p.sphere.n_test = 0, "sphere.n_test = 0 is out of range");
#undef EXPECT_BAD
    /* no modes; no task, no times */
    size_t M = 7;
    assert_ok(slt_mc_modes(NULL, &good, &M));
    assert_int_equal(M, 0);
    slt_task *task = decaying_task(5, 1.5, 2.0, 0.0);
    assert_status(slt_mc_check(task, &good, NULL, 0), SLT_EINVAL);
    assert_message("a task was given with model kernel");
    double t1 = 1.0;
    assert_status(slt_mc_check(NULL, &good, &t1, 1), SLT_EINVAL);
    assert_message("1 times given with model kernel");
    slt_mc_result *r = (slt_mc_result *)&M;
    assert_status(slt_mc_run(task, &good, NULL, 0, &r), SLT_EINVAL);
    assert_null(r);
    slt_task_free(task);
    /* the explicit-realisation entry points */
    double X[] = {1, 0, 0, 0.6, 0.8, 0}, Xbad[] = {1, 0, 0, 0.6, 0.8, 1e-5}, y[] = {1, 2};
    double te, tr, K[4], f[2];
    slt_mc_realisation real = {.N = INF, .P = 2, .M = 1};
    assert_status(slt_mc_evaluate(&good, &real, NULL, 0, &te, &tr), SLT_EINVAL);
    assert_message("slt_mc_kernel_evaluate");
    p = good;
    p.model = SLT_MC_RIDGE;
    assert_status(slt_mc_kernel_evaluate(&p, 2, X, y, 2, X, &te, &tr), SLT_EINVAL);
    assert_message("model = ridge is out of range (expected kernel");
    assert_status(slt_mc_kernel_evaluate(&good, 2, Xbad, y, 2, X, &te, &tr), SLT_EINVAL);
    assert_message("row 1 of X has norm 1.00000000005");
    assert_status(slt_mc_kernel_evaluate(&good, 2, X, y, 2, Xbad, &te, &tr), SLT_EINVAL);
    assert_message("row 1 of X_test has norm");
    assert_status(slt_mc_kernel_evaluate(&good, 2, X, y, 0, X, &te, &tr), SLT_EINVAL);
    assert_message("n_test = 0 is out of range");
    assert_status(slt_mc_kernel_gram(&good.sphere, 2, Xbad, K), SLT_EINVAL);
    assert_status(slt_mc_kernel_target(&good.sphere, 2, Xbad, f), SLT_EINVAL);
    p = good;
    p.sphere.dim = 1;
    assert_status(slt_mc_kernel_gram(&p.sphere, 2, X, K), SLT_EINVAL);
    assert_message("slt_mc_kernel_gram: sphere.dim = 1 is out of range");
    assert_string_equal(slt_mc_kernel_name(SLT_MC_KERNEL_RELU_NTK), "relu-ntk");
    assert_string_equal(slt_mc_kernel_name(SLT_MC_KERNEL_LAPLACE), "laplace");
    assert_string_equal(slt_mc_model_name(SLT_MC_KERNEL), "kernel");
    /* ridgeless Gaussian KRR at P = 300 on S^2: the Gram matrix's spectrum falls below
     * rounding (μ_ℓ ~ 2^-ℓ/Γ(ℓ + 3/2) reaches 1e-16·μ_0 by ℓ ≈ 12, about 170 modes), so
     * the run fails with SLT_ELOSS and no result rather than return a wrong number. */
    p = kernel_params(3, SLT_MC_KERNEL_GAUSSIAN, 300, 0.0, 0.1, 2);
    p.sphere.n_test = 10;
    r = (slt_mc_result *)&M;
    assert_status(slt_mc_run(NULL, &p, NULL, 0, &r), SLT_ELOSS);
    assert_null(r);
    assert_message("slt_mc_run: trial 0: K + P z I (300×300, ridge z = 0)");
    assert_message("use a larger ridge z");
}

/* Hand-computable fits: P = 1 and P = 2 on S^2 with k(t) = e^{t−1} (w = 1), target
 * f*(x) = √3 x_1 (p_1 = 1: N(3,1) = 3, P_1(t) = t), ridge z = 1/4.
 *   P = 1, x = e1, y = 2: α = y/(k(1) + z) = 1.6; f(x') = 1.6 e^{x'_1 − 1}.
 *   P = 2, x = e1, e2, y = (1, −1): α = (1, −1)/(1 + 2z − e^{−1}) by symmetry.
 * The train loss is (1/P)Σ(y − Kα)². */
static void test_kernel_hand(void **state)
{
    (void)state;
    slt_mc_params p = kernel_params(3, SLT_MC_KERNEL_GAUSSIAN, 1, 0.25, 0.0, 1);
    double power[] = {0.0, 1.0};
    p.sphere.target_power = power;
    p.sphere.target_levels = 2;
    const double e1 = exp(-1.0), r3 = sqrt(3.0);
    double X1[] = {1, 0, 0}, y1[] = {2.0};
    double Xt[] = {0, 1, 0, 1, 0, 0, 0.6, 0, 0.8};
    double test, train;
    assert_ok(slt_mc_kernel_evaluate(&p, 1, X1, y1, 3, Xt, &test, &train));
    double a = 2.0 / 1.25;
    double want = (a * a * e1 * e1 + (a - r3) * (a - r3) +
                   (a * exp(-0.4) - 0.6 * r3) * (a * exp(-0.4) - 0.6 * r3)) / 3.0;
    /* rounding only: a handful of operations on O(1) numbers */
    assert_close(test, want, TOL_ROUNDING_SUM, TOL_ROUNDING);
    assert_close(train, (2.0 - a) * (2.0 - a), TOL_ROUNDING_SUM, TOL_ROUNDING);

    double X2[] = {1, 0, 0, 0, 1, 0}, y2[] = {1.0, -1.0};
    p.P = 2;
    assert_ok(slt_mc_kernel_evaluate(&p, 2, X2, y2, 3, Xt, &test, &train));
    double c = 1.0 / (1.5 - e1);
    double f0 = c * (e1 - 1.0);          /* at e2: α1 k(0) + α2 k(1) */
    double f1 = c * (1.0 - e1);          /* at e1 */
    double f2 = c * (exp(-0.4) - e1);    /* at (0.6, 0, 0.8): x·e1 = 0.6, x·e2 = 0 */
    want = (f0 * f0 + (f1 - r3) * (f1 - r3) + (f2 - 0.6 * r3) * (f2 - 0.6 * r3)) / 3.0;
    assert_close(test, want, TOL_ROUNDING_SUM, TOL_ROUNDING);
    double res = 1.0 - c * (1.0 - e1); /* y1 − (Kα)_1, and −(the same) for the second */
    assert_close(train, res * res, TOL_ROUNDING_SUM, TOL_ROUNDING);

    /* ridgeless interpolation trains to zero */
    p.ridge = 0.0;
    assert_ok(slt_mc_kernel_evaluate(&p, 2, X2, y2, 3, Xt, &test, &train));
    assert_true(train == 0.0);
    c = 1.0 / (1.0 - e1);
    f1 = c * (1.0 - e1);
    assert_close(f1, 1.0, TOL_ROUNDING, 0);
}

/* The Gram matrices: hand values at t = 1, 0, −1 (orthogonal and antipodal points on the
 * circle), the Gaussian against exp((t − 1)/w²) on random points and positive definite,
 * and every kernel and depth against the kernel-spectra solver's own evaluation
 * (slt_kernels_eval_sphere, a separate implementation of the same closed forms). */
static void test_kernel_gram(void **state)
{
    (void)state;
    /* hand values: e1, e2, −e1 in d = 2; t = 0 gives a0 = 1/2, a1 = 1/π; t = −1 gives 0 */
    double X[] = {1, 0, 0, 1, -1, 0}, K[9];
    slt_mc_sphere s = slt_mc_params_default().sphere;
    s.dim = 2;
    s.kernel = SLT_MC_KERNEL_RELU_NTK;
    assert_ok(slt_mc_kernel_gram(&s, 3, X, K));
    assert_close(K[0], 2.0, 0, 0);                 /* Θ(1) = L + 1 exactly */
    assert_close(K[1], 1.0 / M_PI, TOL_ROUNDING, 0);      /* Θ(0) = 0·½ + 1/π */
    assert_close(K[2], 0.0, 0, 1e-16);             /* Θ(−1) = −1·0 + 0 */
    assert_close(K[3], K[1], 0, 0);                /* symmetric */
    s.kernel = SLT_MC_KERNEL_RELU_NNGP;
    assert_ok(slt_mc_kernel_gram(&s, 3, X, K));
    assert_close(K[0], 1.0, 0, 0);
    assert_close(K[1], 1.0 / M_PI, TOL_ROUNDING, 0);
    assert_close(K[2], 0.0, 0, 1e-16);
    s.kernel = SLT_MC_KERNEL_LAPLACE;
    s.width = 0.5;
    assert_ok(slt_mc_kernel_gram(&s, 3, X, K));
    assert_close(K[1], exp(-sqrt(2.0) / 0.5), TOL_ROUNDING, 0); /* ‖e1 − e2‖ = √2 */
    assert_close(K[2], exp(-2.0 / 0.5), TOL_ROUNDING, 0);      /* ‖e1 + e1‖ = 2 */

    /* random points: Gaussian closed form, symmetry, positive definiteness */
    const size_t n = 60;
    const int d = 4;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 17);
    double *Y = malloc(n * d * sizeof(double)), *G = malloc(n * n * sizeof(double));
    double *ev = malloc(n * sizeof(double));
    sphere_points(g, Y, n, d);
    s = slt_mc_params_default().sphere;
    s.dim = d;
    s.width = 0.7;
    assert_ok(slt_mc_kernel_gram(&s, n, Y, G));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double t = 0.0;
            for (int k = 0; k < d; k++) t += Y[i * d + k] * Y[j * d + k];
            if (i == j) t = 1.0;
            /* the dot product's rounding (~4e-16) times d k/dt = k/w² ≈ 2 */
            assert_close(G[i * n + j], exp((t - 1.0) / 0.49), 2e-15, 2e-15);
            assert_true(G[i * n + j] == G[j * n + i]);
        }
    assert_int_equal(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)n, G, (lapack_int)n, ev), 0);
    print_message("Gaussian Gram (w = 0.7, 60 points on S^3): eigenvalues %.3g … %.3g\n", ev[0],
                  ev[n - 1]);
    /* smallest eigenvalue well above the rounding level n·ε·λ_max ≈ 1e-13·λ_max */
    assert_true(ev[0] > 1e-10 * ev[n - 1]);

    /* every kernel against slt_kernels_eval_sphere */
    struct {
        slt_mc_kernel_type mc;
        slt_kernel_type kt;
        double width;
        int depth;
    } cases[] = {{SLT_MC_KERNEL_GAUSSIAN, SLT_KERNEL_GAUSSIAN, 0.8, 1},
                 {SLT_MC_KERNEL_LAPLACE, SLT_KERNEL_LAPLACE, 1.3, 1},
                 {SLT_MC_KERNEL_RELU_NTK, SLT_KERNEL_RELU_NTK, 1.0, 1},
                 {SLT_MC_KERNEL_RELU_NTK, SLT_KERNEL_RELU_NTK, 1.0, 3},
                 {SLT_MC_KERNEL_RELU_NNGP, SLT_KERNEL_RELU_NNGP, 1.0, 1},
                 {SLT_MC_KERNEL_RELU_NNGP, SLT_KERNEL_RELU_NNGP, 1.0, 4}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        s = slt_mc_params_default().sphere;
        s.dim = d;
        s.kernel = cases[c].mc;
        s.width = cases[c].width;
        s.depth = cases[c].depth;
        slt_kernels_params kp = slt_kernels_params_default();
        kp.kernel = cases[c].kt;
        kp.dim = d;
        kp.width = cases[c].width;
        kp.depth = cases[c].depth;
        kp.lmax = 4;
        slt_kernels_workspace *ws = NULL;
        assert_ok(slt_kernels_alloc(&kp, &ws));
        assert_ok(slt_mc_kernel_gram(&s, n, Y, G));
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double t = 0.0;
                for (int k = 0; k < d; k++) t += Y[i * d + k] * Y[j * d + k];
                t = i == j ? 1.0 : fmax(-1.0, fmin(1.0, t));
                /* two implementations of the same closed forms: rounding of the arccos,
                 * amplified by dk/dt ∝ 1/sin θ, stays far below 1e-13 for these points */
                assert_close(G[i * n + j], slt_kernels_eval_sphere(ws, t), TOL_ROUNDING_COND,
                             TOL_ROUNDING_SUM);
            }
        slt_kernels_free(ws);
    }
    gsl_rng_free(g);
    free(Y);
    free(G);
    free(ev);
}

/* The target: f* = Σ_ℓ √(p_ℓ N(d,ℓ)) P_ℓ(x_1) against GSL's Gegenbauer polynomials
 * (P_ℓ = C_ℓ^λ/C_ℓ^λ(1), λ = (d − 2)/2; d = 2: cos ℓθ) and GSL's binomials; then by Monte
 * Carlo over uniform x: E f*² = Σ p_ℓ, E f* = √p_0, and the coefficient on each unit-norm
 * zonal harmonic √N(d,ℓ) P_ℓ(x_1) is √p_ℓ — the per-level power is what it claims. */
static void test_kernel_target(void **state)
{
    (void)state;
    const int dims[] = {2, 3, 5, 10};
    const double ts[] = {-0.93, -0.4, 0.1, 0.55, 0.99};
    double power[9];
    for (size_t di = 0; di < 4; di++) {
        int d = dims[di];
        double *x = calloc((size_t)d, sizeof(double));
        for (int l = 0; l <= 8; l++) {
            for (int j = 0; j <= l; j++) power[j] = j == l ? 1.0 : 0.0;
            slt_mc_sphere s = slt_mc_params_default().sphere;
            s.dim = d;
            s.target_power = power;
            s.target_levels = (size_t)l + 1;
            for (size_t k = 0; k < 5; k++) {
                double t = ts[k], f;
                x[0] = t;
                x[1] = sqrt(1.0 - t * t);
                assert_ok(slt_mc_kernel_target(&s, 1, x, &f));
                double P;
                if (d == 2) P = cos(l * acos(t));
                else P = gsl_sf_gegenpoly_n(l, 0.5 * (d - 2), t) /
                         gsl_sf_gegenpoly_n(l, 0.5 * (d - 2), 1.0);
                /* two three-term recurrences in double on O(1) values */
                assert_close(f, sqrt(multiplicity_ref(d, l)) * P, TOL_ROOT, TOL_ROUNDING_COND);
            }
        }
        free(x);
    }

    /* Monte Carlo over x: 2·10^5 points; each check within 4 SE (fixed seed). */
    const size_t n = 200000;
    const int d = 5;
    double tp[] = {0.2, 0.0, 0.3, 0.1, 0.0, 0.4};
    slt_mc_sphere s = slt_mc_params_default().sphere;
    s.dim = d;
    s.target_power = tp;
    s.target_levels = 6;
    double *X = malloc(n * d * sizeof(double)), *f = malloc(n * sizeof(double));
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 5);
    sphere_points(g, X, n, d);
    assert_ok(slt_mc_kernel_target(&s, n, X, f));
    double m1 = 0, m2 = 0, v1 = 0, v2 = 0;
    for (size_t i = 0; i < n; i++) {
        m1 += f[i];
        m2 += f[i] * f[i];
    }
    m1 /= n;
    m2 /= n;
    for (size_t i = 0; i < n; i++) {
        v1 += (f[i] - m1) * (f[i] - m1);
        v2 += (f[i] * f[i] - m2) * (f[i] * f[i] - m2);
    }
    assert_within_se("E f*^2", m2, sqrt(v2 / (n - 1) / n), 1.0, TOL_MC_Z);
    assert_within_se("E f*", m1, sqrt(v1 / (n - 1) / n), sqrt(0.2), TOL_MC_Z);
    for (int l = 0; l <= 5; l++) {
        double sq = sqrt(multiplicity_ref(d, l)), c = 0, cv = 0;
        double *h = malloc(n * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            h[i] = f[i] * sq * gsl_sf_gegenpoly_n(l, 1.5, X[i * d]) / gsl_sf_gegenpoly_n(l, 1.5, 1.0);
            c += h[i];
        }
        c /= n;
        for (size_t i = 0; i < n; i++) cv += (h[i] - c) * (h[i] - c);
        char what[64];
        snprintf(what, sizeof what, "coefficient of degree %d", l);
        assert_within_se(what, c, sqrt(cv / (n - 1) / n), sqrt(tp[l]), TOL_MC_Z);
        free(h);
    }
    /* the default target: p_1 = p_2 = 1/2 */
    s.target_power = NULL;
    s.target_levels = 0;
    assert_ok(slt_mc_kernel_target(&s, n, X, f));
    m2 = 0;
    v2 = 0;
    for (size_t i = 0; i < n; i++) m2 += f[i] * f[i];
    m2 /= n;
    for (size_t i = 0; i < n; i++) v2 += (f[i] * f[i] - m2) * (f[i] * f[i] - m2);
    assert_within_se("E f*^2 (default target)", m2, sqrt(v2 / (n - 1) / n), 1.0, TOL_MC_Z);
    gsl_rng_free(g);
    free(X);
    free(f);
}

/* Bit-identical at 1 and 2 threads, first_trial splits a run, another seed differs. */
static void test_kernel_threads(void **state)
{
    (void)state;
    slt_mc_params p = kernel_params(3, SLT_MC_KERNEL_RELU_NTK, 40, 1e-3, 0.1, 6);
    p.sphere.depth = 2;
    p.sphere.n_test = 300;
    p.threads = 1;
    slt_mc_result *one = run(NULL, &p, NULL, 0);
    p.threads = 2;
    slt_mc_result *two = run(NULL, &p, NULL, 0);
    assert_true(same_results(one, two));
    assert_true(one->n_points == 1 && one->M == 0 && one->tail_mass == 0.0);
    assert_true(isinf(one->points[0].t) && isnan(one->points[0].steps));
    assert_true(one->points[0].member_test.mean == one->points[0].test.mean);
    slt_mc_params q = p;
    q.first_trial = 3;
    q.trials = 2;
    slt_mc_result *part = run(NULL, &q, NULL, 0);
    assert_true(part->trial_test[0] == one->trial_test[3]);
    assert_true(part->trial_train[1] == one->trial_train[4]);
    q = p;
    q.seed = 2;
    slt_mc_result *other = run(NULL, &q, NULL, 0);
    assert_true(other->trial_test[0] != one->trial_test[0]);
    slt_mc_result_free(one);
    slt_mc_result_free(two);
    slt_mc_result_free(part);
    slt_mc_result_free(other);
}

/* The documented draw order, replayed with GSL: X (P×d, row by row), ε (P), then the
 * n_test test points; slt_mc_kernel_evaluate on those draws reproduces each trial. */
static void test_kernel_replay(void **state)
{
    (void)state;
    slt_mc_params p = kernel_params(4, SLT_MC_KERNEL_LAPLACE, 25, 0.01, 0.3, 3);
    p.sphere.width = 1.5;
    p.sphere.n_test = 300; /* blocks of 128, 128, 44 */
    p.seed = 99;
    double tp[] = {0.1, 0.4, 0.0, 0.5};
    p.sphere.target_power = tp;
    p.sphere.target_levels = 4;
    slt_mc_result *r = run(NULL, &p, NULL, 0);
    const size_t P = 25, nt = 300;
    const int d = 4;
    double *X = malloc(P * d * sizeof(double)), *y = malloc(P * sizeof(double));
    double *Xt = malloc(nt * d * sizeof(double)), *f = malloc(P * sizeof(double));
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    for (size_t i = 0; i < 3; i++) {
        gsl_rng_set(g, slt_mc_trial_seed(99, i));
        sphere_points(g, X, P, d);
        for (size_t k = 0; k < P; k++) y[k] = gsl_ran_gaussian_ziggurat(g, 1.0);
        sphere_points(g, Xt, nt, d);
        assert_ok(slt_mc_kernel_target(&p.sphere, P, X, f));
        for (size_t k = 0; k < P; k++) y[k] = f[k] + sqrt(0.3) * y[k];
        double test, train;
        assert_ok(slt_mc_kernel_evaluate(&p, P, X, y, nt, Xt, &test, &train));
        /* the same arithmetic in the same order: equal up to the last bit */
        assert_close(test, r->trial_test[i], TOL_ROUNDING, 0);
        assert_close(train, r->trial_train[i], TOL_ROUNDING, 0);
    }
    gsl_rng_free(g);
    free(X);
    free(y);
    free(Xt);
    free(f);
    slt_mc_result_free(r);
}

/* z → ∞: the predictor is O(|y|/(Pz)) → 0, so test → E f*² = Σ p_ℓ and train → E y² =
 * Σ p_ℓ + σ² (the bias at z = 1e8 is ~1e-8, far below the SE); within 4 SE. */
static void test_kernel_large_ridge(void **state)
{
    (void)state;
    slt_mc_params p = kernel_params(3, SLT_MC_KERNEL_GAUSSIAN, 50, 1e8, 0.2, 200);
    p.sphere.n_test = 500;
    slt_mc_result *r = run(NULL, &p, NULL, 0);
    assert_true(r->head_mass == 1.0 && r->noise == 0.2 && r->M == 0);
    assert_within_se("test at z = 1e8", r->points[0].test.mean, r->points[0].test.se, 1.0,
                     TOL_MC_Z);
    assert_within_se("train at z = 1e8", r->points[0].train.mean, r->points[0].train.se, 1.2,
                     TOL_MC_Z);
    print_message("z = 1e8: test %.5f ± %.5f (E f*^2 = 1), train %.5f ± %.5f (E y^2 = 1.2)\n",
                  r->points[0].test.mean, r->points[0].test.se, r->points[0].train.mean,
                  r->points[0].train.se);
    slt_mc_result_free(r);
}

/* ---- the theory side: the KRR deterministic equivalent over the kernel's levels ---- */

typedef struct {
    size_t n;
    double *mult, *mu; /* per level ℓ = 0 … n−1; μ = 0 for parity zeros (null space)   */
    double tail;       /* k(1) − Σ_ℓ N μ: the trace beyond lmax (exact identity)       */
    double mu_last;    /* bound on μ beyond lmax                                        */
    slt_kernels_spectrum *s;
} level_spec;

static level_spec level_spectrum(slt_kernel_type kt, int d, double width, int depth, size_t lmax)
{
    slt_kernels_params kp = slt_kernels_params_default();
    kp.kernel = kt;
    kp.dim = d;
    kp.width = width;
    kp.depth = depth;
    kp.lmax = lmax;
    slt_kernels_workspace *ws = NULL;
    level_spec L = {0};
    assert_ok(slt_kernels_alloc(&kp, &ws));
    assert_ok(slt_kernels_spectrum_compute(ws, &L.s));
    slt_kernels_free(ws);
    L.n = L.s->n_levels;
    L.mult = malloc(L.n * sizeof(double));
    L.mu = malloc(L.n * sizeof(double));
    long double tr = 0.0L;
    for (size_t i = 0; i < L.n; i++) {
        const slt_kernels_level *v = &L.s->levels[i];
        L.mult[i] = v->mult;
        L.mu[i] = fabs(v->mu) <= v->mu_err ? 0.0 : v->mu;
        tr += (long double)v->mult * L.mu[i];
    }
    L.tail = fmax(0.0, L.s->diag - (double)tr);
    L.mu_last = fmax(L.mu[L.n - 1], L.mu[L.n - 2]);
    return L;
}

static void level_free(level_spec *L)
{
    free(L->mult);
    free(L->mu);
    slt_kernels_spectrum_free(L->s);
}

/* df(κ) over the levels plus the tail τ/κ (levels beyond lmax have μ ≤ mu_last ≪ κ:
 * Σ Nμ/(μ+κ) = τ/κ − O(mu_last·τ/κ²)). */
static double level_df(const level_spec *L, double k)
{
    double df = L->tail / k;
    for (size_t i = 0; i < L->n; i++)
        if (L->mu[i] > 0) df += L->mult[i] * L->mu[i] / (L->mu[i] + k);
    return df;
}

/* docs/theory/statics.md §1 (S1)–(S3) and the train loss, over the levels: κ(1 − df(κ)/P) = z by
 * bisection on log κ (g(κ) = κ − κdf/P − z is convex with g(0+) < 0: one positive root),
 * γ = df₂/P, L = [κ²T₂ + σ²γ]/(1 − γ), T₂ = Σ_ℓ p_ℓ/(μ_ℓ + κ)², L̂ = (z/κ)²(L + σ²). */
static void level_krr(const level_spec *L, const double *power, size_t np, double P, double z,
                      double noise, double *kappa, double *test, double *train)
{
    double lo = 1e-30, hi = z + L->s->diag / P;
    for (int it = 0; it < 300; it++) {
        double k = sqrt(lo * hi);
        if (k * (1.0 - level_df(L, k) / P) - z > 0) hi = k;
        else lo = k;
    }
    double k = sqrt(lo * hi), df2 = 0.0, T2 = 0.0;
    for (size_t i = 0; i < L->n; i++) df2 += L->mult[i] * L->mu[i] * L->mu[i] / ((L->mu[i] + k) * (L->mu[i] + k));
    for (size_t i = 0; i < np; i++) T2 += power[i] / ((L->mu[i] + k) * (L->mu[i] + k));
    /* what the tail approximation leaves out, in units of df: far below P·1e-6 */
    assert_true(L->mu_last * L->tail / (k * k) < 1e-6 * P);
    double g = df2 / P;
    *kappa = k;
    *test = (k * k * T2 + noise * g) / (1.0 - g);
    *train = (z / k) * (z / k) * (*test + noise);
}

/* The central check: simulated KRR with a real kernel on S^2 against the deterministic
 * equivalent on the kernel's spectrum (slt_kernels_spectrum_compute) with the target's
 * per-level power: Gaussian (w = 1) and one-layer ReLU NTK, P = 400, z = 1e-3, σ² = 0.1,
 * target p = (0, 0.5, 0.3, 0.1, 0.1) — for the NTK, degree 3 is in the null space
 * (μ_3 = 0) and acts as unlearnable power. Acceptance: |MC − theory| <= 4 SE + 0.5 % of the
 * theory. The 0.5 % is the finite-size allowance: the equivalent is asymptotic in P; with
 * 2000 trials at P = 400 the measured offsets are +0.09 % (Gaussian) and +0.17 % (NTK),
 * at P = 100 about +1.5 %. The level solver is checked against the statics solver
 * (slt_statics_solve on the flattened task) for the Gaussian, whose spectrum is exhausted
 * at lmax = 60. */
/* The losses are exactly a_t times those of the task with amplitudes 1 at time t a_λ (the
 * same draws): checked at amplitudes where λ is denormal (2^-1040) and t_k, σ² near the top
 * of double (2^1000), for every full-batch model and SGD, and with a noisy task. Powers of
 * two make the rescaled inputs exact, so the values must agree to rounding (1e-12). The old
 * code simulated the raw values: denormal features lost their digits, and the squares of
 * 2^1000-sized losses overflowed the standard error to inf under SLT_OK. */
static void test_amplitude_scaling(void **state)
{
    (void)state;
    const double at = ldexp(1.0, 1000);
    /* model, GD/SGD step, log2 of A_λ, the times at amplitude 1 */
    const struct {
        slt_mc_model model;
        double eta;
        int log2_al;
        double t[3];
    } cases[] = {
        {SLT_MC_RF, 0.0, -1040, {0.0, 0x1p-20, INFINITY}}, /* λ denormal: t <= 2^-16 */
        {SLT_MC_RF, 0.0, -1000, {0.5, 4.0, INFINITY}},
        {SLT_MC_RF, 0.5, -1000, {0.5, 4.0, 64.0}},
        {SLT_MC_RIDGE, 0.0, -1040, {0}},
        {SLT_MC_SGD, 0.25, -1000, {0.5, 4.0, 8.0}},
    };
    for (size_t m = 0; m < sizeof cases / sizeof *cases; m++) {
        const double al = ldexp(1.0, cases[m].log2_al);
        slt_power_law_params lp = slt_power_law_params_default();
        lp.alpha = 2.0;
        lp.beta = 0.5;
        lp.noise = 0.25;
        slt_task *unit = NULL, *scaled = NULL;
        assert_ok(slt_task_alloc_power_law(&lp, &unit));
        lp.amp_lambda = al;
        lp.amp_target = at;
        lp.noise = 0.25 * at;
        assert_ok(slt_task_alloc_power_law(&lp, &scaled));
        slt_mc_params p = slt_mc_params_default();
        p.model = cases[m].model;
        p.N = 20;
        p.P = p.model == SLT_MC_SGD ? INF : 30;
        p.trials = 5;
        p.ridge = p.model == SLT_MC_RIDGE ? 0.0625 : 0.0;
        p.eta = cases[m].eta;
        if (p.model == SLT_MC_SGD) p.batch = 2;
        size_t nt = p.model == SLT_MC_RIDGE ? 0 : 3;
        double ts[3];
        slt_mc_params q = p;
        q.ridge = p.ridge * al;
        q.eta = p.eta / al;
        for (size_t i = 0; i < 3; i++) ts[i] = cases[m].t[i] / al;
        slt_mc_result *ru = run(unit, &p, nt ? cases[m].t : NULL, nt);
        slt_mc_result *rs = run(scaled, &q, nt ? ts : NULL, nt);
        for (size_t i = 0; i < ru->n_points; i++) {
            const slt_mc_point *u = &ru->points[i], *s = &rs->points[i];
            assert_true(isfinite(s->test.mean) && isfinite(s->test.se));
            assert_true(isfinite(s->train.mean) && isfinite(s->train.se));
            /* exact scaling up to the rounding of the rescaled inputs: 1e-12 */
            assert_close(s->test.mean, at * u->test.mean, TOL_ROOT, 0);
            assert_close(s->test.se, at * u->test.se, TOL_ROOT, 0);
            assert_close(s->train.mean, at * u->train.mean, TOL_ROOT, 0);
        }
        assert_close(rs->tail_mass, at * ru->tail_mass, TOL_ROOT, 0);
        slt_mc_result_free(ru);
        slt_mc_result_free(rs);
        slt_task_free(unit);
        slt_task_free(scaled);
    }
}

/* Width so small that 1/w² overflows: the Gaussian kernel is the identity on distinct
 * points (k(1) = 1, 0 elsewhere), so interpolation predicts 0 off the sample: test = the
 * mean of f*² over the test points (expectation 1 for the default target), train = 0.
 * The old code computed k(1) as exp(0·inf) = NaN and failed as an internal error. */
static void test_kernel_tiny_width(void **state)
{
    (void)state;
    slt_mc_params p = kernel_params(3, SLT_MC_KERNEL_GAUSSIAN, 10, 0.0, 0.0, 20);
    p.sphere.width = 1e-320;
    slt_mc_result *r = NULL;
    assert_ok(slt_mc_run(NULL, &p, NULL, 0, &r));
    assert_true(r->points[0].train.mean == 0.0);
    /* the default target's E f*² = p_1 + p_2 = 1; 5 standard errors */
    assert_within_se("delta-kernel test loss", r->points[0].test.mean, r->points[0].test.se, 1.0,
                     5.0);
    slt_mc_result_free(r);
}

static void test_kernel_theory(void **state)
{
    (void)state;
    const double P = 400, z = 1e-3, noise = 0.1;
    double power[] = {0.0, 0.5, 0.3, 0.1, 0.1};
    struct {
        slt_kernel_type kt;
        slt_mc_kernel_type mc;
        size_t lmax;
        const char *name;
    } cases[] = {{SLT_KERNEL_GAUSSIAN, SLT_MC_KERNEL_GAUSSIAN, 60, "gaussian"},
                 {SLT_KERNEL_RELU_NTK, SLT_MC_KERNEL_RELU_NTK, 2000, "relu-ntk"}};
    for (size_t c = 0; c < 2; c++) {
        level_spec L = level_spectrum(cases[c].kt, 3, 1.0, 1, cases[c].lmax);
        double kappa, th_test, th_train;
        level_krr(&L, power, 5, P, z, noise, &kappa, &th_test, &th_train);
        if (c == 0) {
            /* the statics solver on the flattened task gives the same numbers */
            double *pw = calloc(L.n, sizeof(double));
            memcpy(pw, power, sizeof power);
            slt_task *task = NULL;
            double left = 0;
            assert_ok(slt_kernels_task(L.s, pw, noise, 100000, &task, &left));
            assert_true(left == 0.0);
            slt_statics_workspace *sw = NULL;
            assert_ok(slt_statics_alloc(task, &sw));
            slt_statics_params sp = slt_statics_params_default();
            sp.N = INFINITY;
            sp.P = P;
            sp.ridge = z;
            slt_statics_result sr;
            assert_ok(slt_statics_solve(sw, &sp, &sr));
            /* two solvers of the same equations; κ to ~1e-14 relative either way */
            assert_close(sr.kappa, kappa, TOL_NUMERIC, 0);
            assert_close(sr.test, th_test, 1e-9, 0);
            assert_close(sr.train, th_train, 1e-9, 0);
            slt_statics_free(sw);
            slt_task_free(task);
            free(pw);
        }
        /* 400 trials of n_test = 500: the trial-to-trial spread of the exact loss (~9 %)
         * dominates the test-point noise (√(2/500) ≈ 6 %), so more trials beat more test
         * points at equal cost */
        slt_mc_params p = kernel_params(3, cases[c].mc, (size_t)P, z, noise, 400);
        p.sphere.n_test = 500;
        p.sphere.target_power = power;
        p.sphere.target_levels = 5;
        p.seed = 11;
        slt_mc_result *r = run(NULL, &p, NULL, 0);
        const slt_mc_stat *te = &r->points[0].test, *tr = &r->points[0].train;
        print_message("%s d = 3, P = 400, z = 1e-3, sigma^2 = 0.1: kappa = %.5g; test: theory "
                      "%.6f, MC %.6f ± %.6f (z = %+.2f, %+.2f %%); train: theory %.6f, MC %.6f ± "
                      "%.6f (z = %+.2f); %.1f s\n",
                      cases[c].name, kappa, th_test, te->mean, te->se,
                      (te->mean - th_test) / te->se, 100 * (te->mean / th_test - 1), th_train,
                      tr->mean, tr->se, (tr->mean - th_train) / tr->se, r->seconds);
        char what[64];
        snprintf(what, sizeof what, "%s test vs theory", cases[c].name);
        assert_within(what, te->mean, TOL_MC_Z * te->se, th_test, 0.005 * th_test);
        snprintf(what, sizeof what, "%s train vs theory", cases[c].name);
        assert_within(what, tr->mean, TOL_MC_Z * tr->se, th_train, 0.005 * th_train);
        slt_mc_result_free(r);
        level_free(&L);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_check_times_and_modes),
        cmocka_unit_test(test_trial_seeds),
        cmocka_unit_test(test_hand_n1),
        cmocka_unit_test(test_hand_dual),
        cmocka_unit_test(test_hand_population),
        cmocka_unit_test(test_gd_equals_explicit_steps),
        cmocka_unit_test(test_flow_equals_rk4),
        cmocka_unit_test(test_routes_agree),
        cmocka_unit_test(test_gd_to_flow),
        cmocka_unit_test(test_krr_normal_equations),
        cmocka_unit_test(test_infinite_limits),
        cmocka_unit_test(test_draw_order_replay),
        cmocka_unit_test(test_kernel_regression_expectations),
        cmocka_unit_test(test_ensembles),
        cmocka_unit_test(test_sgd_one_step),
        cmocka_unit_test(test_sgd_large_batch),
        cmocka_unit_test(test_threads_and_seeds),
        cmocka_unit_test(test_se_honesty),
        cmocka_unit_test(test_evaluate_validation),
        cmocka_unit_test(test_steep_realisation),
        cmocka_unit_test(test_steep_run),
        cmocka_unit_test(test_steep_beyond_double),
        cmocka_unit_test(test_sgd_target_scale),
        cmocka_unit_test(test_amplitude_scaling),
        cmocka_unit_test(test_kernel_tiny_width),
        cmocka_unit_test(test_kernel_params),
        cmocka_unit_test(test_kernel_hand),
        cmocka_unit_test(test_kernel_gram),
        cmocka_unit_test(test_kernel_target),
        cmocka_unit_test(test_kernel_threads),
        cmocka_unit_test(test_kernel_replay),
        cmocka_unit_test(test_kernel_large_ridge),
        cmocka_unit_test(test_kernel_theory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
