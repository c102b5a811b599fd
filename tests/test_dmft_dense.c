/* Dense grids of steps (docs/theory/dmft.md §17): every step of an online-SGD (and P = ∞
 * GD) curve, solved with shared contours, against
 *   - the per-time contour (slt_dmft_set_grid(w, 0)) on ~30 random steps, within the sum
 *     of both error estimates, for power-law and explicit tasks, batch 1 and B > 1;
 *   - at N = ∞ (S = Λ), every step against the direct computation: L_GD(n) and 𝒦(j) as
 *     mode sums, the Volterra equation stepped in O(T²) (an independent solver);
 *   - gradient flow and GD at finite N, P and the heavy ball (both forms), on the general
 *     path (§17, "the 2-D case"): every time of a dense linear grid with the grid, ~30
 *     random ones against the per-time contour, within the sum of both estimates;
 *   - a sparse request, which must not change at all (bit for bit). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "slt/dmft.h"
#include "slt_test.h"

/* a reported error must stay useful: the per-time contour's are ~1e-10..1e-8 of L
 * (dmft.md §7); the shared contour's are measured within 3× of those (dmft.md §17) */
#define DENSE_ERR_REL_MAX 1e-6

static unsigned long lcg(unsigned long *s)
{
    *s = *s * 6364136223846793005UL + 1442695040888963407UL;
    return *s >> 33;
}

static double *step_times(double eta, size_t T)
{
    double *t = malloc(T * sizeof *t);
    assert_non_null(t);
    for (size_t i = 0; i < T; i++) t[i] = eta * (double)(i + 1);
    return t;
}

/* the T times t0 + dt·i with the grid, ~30 random ones of them without it */
static void dense_vs_pointwise_at(const slt_task *task, const slt_dmft_params *p, size_t T,
                                  double t0, double dt, unsigned long seed)
{
    enum { NS = 30 };
    double *times = malloc(T * sizeof *times);
    assert_non_null(times);
    for (size_t i = 0; i < T; i++) times[i] = t0 + dt * (double)i;
    slt_dmft_point *out = malloc(T * sizeof *out);
    assert_non_null(out);
    slt_dmft_workspace *w = NULL;
    assert_status(slt_dmft_alloc(task, p, &w), SLT_OK);
    assert_status(slt_dmft_solve(w, times, T, out), SLT_OK);
    size_t idx[NS];
    double sub[NS];
    for (int k = 0; k < NS; k++) idx[k] = lcg(&seed) % T;
    /* sorted (the per-time solver warm-starts along increasing times) */
    for (int a = 1; a < NS; a++)
        for (int b = a; b > 0 && idx[b - 1] > idx[b]; b--) {
            size_t tmp = idx[b];
            idx[b] = idx[b - 1];
            idx[b - 1] = tmp;
        }
    for (int k = 0; k < NS; k++) sub[k] = times[idx[k]];
    slt_dmft_point ref[NS];
    slt_dmft_workspace *wr = NULL;
    assert_status(slt_dmft_alloc(task, p, &wr), SLT_OK);
    assert_status(slt_dmft_set_grid(wr, 0), SLT_OK);
    assert_status(slt_dmft_solve(wr, sub, NS, ref), SLT_OK);
    for (int k = 0; k < NS; k++) {
        const slt_dmft_point *a = &out[idx[k]];
        assert_int_equal(a->status, SLT_OK);
        assert_close(a->t, ref[k].t, TOL_ROUNDING, 0.0);
        assert_within("dense vs per-time", a->test, a->test_err + ref[k].test_err,
                      ref[k].test, 0.0);
        assert_err_at_most("dense error", a->test_err, DENSE_ERR_REL_MAX * a->test);
        assert_within("dense vs per-time (train)", a->train, a->train_err + ref[k].train_err,
                      ref[k].train, 0.0);
    }
    slt_dmft_free(wr);
    slt_dmft_free(w);
    free(out);
    free(times);
}

/* every step 1 … T with the grid, ~30 random steps without it */
static void dense_vs_pointwise(const slt_task *task, const slt_dmft_params *p, size_t T,
                               unsigned long seed)
{
    dense_vs_pointwise_at(task, p, T, p->eta, p->eta, seed);
}

static slt_task *power_task(double alpha, double beta, double noise)
{
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = alpha;
    pp.beta = beta;
    pp.noise = noise;
    slt_task *t = NULL;
    assert_status(slt_task_alloc_power_law(&pp, &t), SLT_OK);
    return t;
}

/* the PLRF shape of issue 13 at a small size: λ_j = j^{-0.8}, t_j = j^{-2.8}, M modes */
static slt_task *plrf_task(size_t M, double noise, double *trace)
{
    double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt);
    assert_non_null(lam);
    assert_non_null(tgt);
    *trace = 0;
    for (size_t j = 0; j < M; j++) {
        lam[j] = pow(j + 1.0, -0.8);
        tgt[j] = pow(j + 1.0, -2.8);
        *trace += lam[j];
    }
    slt_task *t = NULL;
    assert_status(slt_task_alloc_explicit(M, lam, tgt, noise, &t), SLT_OK);
    free(lam);
    free(tgt);
    return t;
}

static void test_power_law_batch1(void **state)
{
    (void)state;
    slt_task *task = power_task(1.5, 0.7, 0.1);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.batch = 1;
    p.eta = 0.4; /* noise gain ≈ 0.37 */
    dense_vs_pointwise(task, &p, 3000, 11);
    slt_task_free(task);
}

static void test_power_law_batch8_limit(void **state)
{
    (void)state;
    slt_task *task = power_task(2.0, 1.2, 0.0);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 50;
    p.batch = 8;
    p.eta = 1.2;
    p.sgd_form = SLT_DMFT_SGD_LIMIT;
    dense_vs_pointwise(task, &p, 2500, 12);
    slt_task_free(task);
}

static void test_explicit_batch1(void **state)
{
    (void)state;
    double tr;
    slt_task *task = plrf_task(1000, 0.0, &tr);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.batch = 1;
    p.eta = 0.5 / tr;
    dense_vs_pointwise(task, &p, 20000, 13);
    slt_task_free(task);
}

static void test_explicit_batch4_noise(void **state)
{
    (void)state;
    double tr;
    slt_task *task = plrf_task(600, 0.05, &tr);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 200;
    p.batch = 4;
    p.eta = 3.0 / tr;
    dense_vs_pointwise(task, &p, 6000, 14);
    slt_task_free(task);
}

/* full-batch GD at P = ∞ (η·u_max < 1): a dense request goes through the SGD solver with
 * B = ∞ and shares its contours; against the general contour path point by point */
static void test_gd_p_inf(void **state)
{
    (void)state;
    slt_task *task = power_task(1.5, 0.7, 0.1);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.eta = 0.5;
    dense_vs_pointwise(task, &p, 3000, 15);
    slt_task_free(task);
}

/* The general path (dmft.md §17, "the 2-D case"): gradient flow, GD at finite P and the
 * heavy ball share the contours of a band's first time; the 2-D sum is re-weighted at
 * every time (O(nodes²)), each point's estimate evaluated at its own t. Grids start
 * where a band holds >= 16 times (t0 >= 160·dt), so the test stays short. */
static void test_flow_finite_np_power_law(void **state)
{
    (void)state;
    slt_task *task = power_task(1.5, 0.7, 0.1);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = 200;
    dense_vs_pointwise_at(task, &p, 1500, 10.0, 0.05, 21);
    slt_task_free(task);
}

static void test_flow_finite_np_explicit(void **state)
{
    (void)state;
    double tr;
    slt_task *task = plrf_task(600, 0.02, &tr);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = 300;
    dense_vs_pointwise_at(task, &p, 1500, 20.0 / tr, 0.1 / tr, 22);
    slt_task_free(task);
}

static void test_gd_finite_np(void **state)
{
    (void)state;
    slt_task *task = power_task(1.5, 0.7, 0.1);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = 400;
    p.eta = 0.5;
    dense_vs_pointwise_at(task, &p, 1500, 200 * p.eta, p.eta, 23);
    slt_task_free(task);
}

/* continuous heavy ball, underdamped (the Talbot contour leaves out Re w < −0.9/(2μ)) */
static void test_heavy_ball(void **state)
{
    (void)state;
    slt_task *task = power_task(2.0, 0.8, 0.0);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = 200;
    p.momentum = 1.0;
    dense_vs_pointwise_at(task, &p, 1500, 100.0, 0.2, 24);
    slt_task_free(task);
}

static void test_heavy_ball_discrete(void **state)
{
    (void)state;
    slt_task *task = power_task(2.0, 0.8, 0.05);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = 200;
    p.eta = 0.5;
    p.momentum = 0.5;
    dense_vs_pointwise_at(task, &p, 1500, 300 * p.eta, p.eta, 25);
    slt_task_free(task);
}

/* N = ∞: every step against L_GD(n) = Σ t_k g_kⁿ, 𝒦(j) = Σ λ_k² g_k^j (g = 1 − 2ηλ + c₂η²λ²)
 * and the Volterra equation L(n) = L_GD(n) + (η²/B) Σ_{m<n} 𝒦(n−1−m)(L(m) + σ²) */
static void test_every_step_n_inf_direct(void **state)
{
    (void)state;
    enum { M = 300, T = 1500 };
    const double s2 = 0.02;
    const size_t B = 2;
    double lam[M], tgt[M];
    for (int k = 0; k < M; k++) {
        lam[k] = pow(k + 1.0, -1.3);
        tgt[k] = pow(k + 1.0, -1.9);
    }
    slt_task *task = NULL;
    assert_status(slt_task_alloc_explicit(M, lam, tgt, s2, &task), SLT_OK);
    slt_dmft_params p = slt_dmft_params_default();
    p.batch = B;
    p.eta = 0.5;
    const double eta = p.eta, c2 = 1.0 + 1.0 / B, cfac = eta * eta / B;
    double *LGD = calloc(T + 1, sizeof *LGD), *K = calloc(T + 1, sizeof *K),
           *L = calloc(T + 1, sizeof *L);
    assert_non_null(LGD);
    assert_non_null(K);
    assert_non_null(L);
    for (int k = 0; k < M; k++) {
        double g = 1.0 - 2.0 * eta * lam[k] + c2 * eta * eta * lam[k] * lam[k], gn = 1.0;
        for (int n = 0; n <= T; n++) {
            LGD[n] += tgt[k] * gn;
            K[n] += lam[k] * lam[k] * gn;
            gn *= g;
        }
    }
    for (int n = 0; n <= T; n++) {
        double s = LGD[n];
        for (int m = 0; m < n; m++) s += cfac * K[n - 1 - m] * (L[m] + s2);
        L[n] = s;
    }
    double *times = step_times(eta, T);
    slt_dmft_point *out = malloc(T * sizeof *out);
    assert_non_null(out);
    slt_dmft_workspace *w = NULL;
    assert_status(slt_dmft_alloc(task, &p, &w), SLT_OK);
    assert_status(slt_dmft_solve(w, times, T, out), SLT_OK);
    for (int i = 0; i < T; i++) {
        /* slack: the direct sums' rounding, ~n·ε of L(0) */
        assert_within("dense vs direct Volterra", out[i].test, out[i].test_err, L[i + 1],
                      (i + 1) * 4e-16 * L[0]);
        assert_err_at_most("dense error", out[i].test_err, DENSE_ERR_REL_MAX * out[i].test);
    }
    slt_dmft_free(w);
    slt_task_free(task);
    free(out);
    free(times);
    free(LGD);
    free(K);
    free(L);
}

/* a sparse (log-spaced) request never forms a band: bit for bit as without the grid (online
 * SGD, and the general path) */
static void test_sparse_unchanged(void **state)
{
    (void)state;
    enum { NT = 100 };
    slt_task *task = power_task(1.5, 0.7, 0.1);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.batch = 2;
    p.eta = 0.4;
    double times[NT];
    for (int i = 0; i < NT; i++) times[i] = p.eta * round(pow(10.0, 5.0 * i / (NT - 1.0)));
    slt_dmft_point a[NT], b[NT];
    slt_dmft_workspace *w = NULL, *wr = NULL;
    assert_status(slt_dmft_alloc(task, &p, &w), SLT_OK);
    assert_status(slt_dmft_alloc(task, &p, &wr), SLT_OK);
    assert_status(slt_dmft_set_grid(wr, 0), SLT_OK);
    assert_status(slt_dmft_solve(w, times, NT, a), SLT_OK);
    assert_status(slt_dmft_solve(wr, times, NT, b), SLT_OK);
    for (int i = 0; i < NT; i++) {
        assert_true(a[i].test == b[i].test);
        assert_true(a[i].test_err == b[i].test_err);
    }
    assert_status(slt_dmft_set_grid(NULL, 1), SLT_EINVAL);
    slt_dmft_free(w);
    slt_dmft_free(wr);
    /* the general path (flow at finite N, P): 40 log-spaced times form no band either */
    slt_dmft_params q = slt_dmft_params_default();
    q.N = 100;
    q.P = 200;
    for (int i = 0; i < 40; i++) times[i] = pow(10.0, -1.0 + 5.0 * i / 39.0);
    assert_status(slt_dmft_alloc(task, &q, &w), SLT_OK);
    assert_status(slt_dmft_alloc(task, &q, &wr), SLT_OK);
    assert_status(slt_dmft_set_grid(wr, 0), SLT_OK);
    assert_status(slt_dmft_solve(w, times, 40, a), SLT_OK);
    assert_status(slt_dmft_solve(wr, times, 40, b), SLT_OK);
    for (int i = 0; i < 40; i++) {
        assert_true(a[i].test == b[i].test);
        assert_true(a[i].test_err == b[i].test_err);
        assert_true(a[i].train == b[i].train);
    }
    slt_dmft_free(w);
    slt_dmft_free(wr);
    slt_task_free(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_law_batch1),
        cmocka_unit_test(test_power_law_batch8_limit),
        cmocka_unit_test(test_explicit_batch1),
        cmocka_unit_test(test_explicit_batch4_noise),
        cmocka_unit_test(test_gd_p_inf),
        cmocka_unit_test(test_every_step_n_inf_direct),
        cmocka_unit_test(test_flow_finite_np_power_law),
        cmocka_unit_test(test_flow_finite_np_explicit),
        cmocka_unit_test(test_gd_finite_np),
        cmocka_unit_test(test_heavy_ball),
        cmocka_unit_test(test_heavy_ball_discrete),
        cmocka_unit_test(test_sparse_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
