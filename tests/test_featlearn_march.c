/* Tests of method march of the rich DMFT (solvers/featlearn/march.c, docs/theory/featlearn.md
 * §9): the forward marching of the discrete-time DMFT against
 *   - the discrete N = ∞ recursion of docs/theory/featlearn.md §3 (written here), γ = 1;
 *   - a whole-matrix implementation of the closed forms (Picard sweeps over the whole
 *     trajectory, literal H C_w̃ Hᵀ per mode, no eigenspace collapse), finite N, SGD;
 *   - the first-step formula, with and without SGD;
 *   - the lazy solver slt_dmft at γ = 0 (GD with step η at finite N; online SGD in the
 *     DMFT-limit form; gradient flow at finite N against the Richardson extrapolation);
 *   - the width floor at late times for several γ;
 * plus bit-identical results at 1 and 2 threads, the rounding bound against a run in
 * reversed node order, refusals and the divergence status. */
#include "slt_test.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "slt/dmft.h"
#include "slt/featlearn.h"
#include "slt/status.h"
#include "slt/task.h"
#include "../solvers/featlearn/march.h" /* march_omp_min_work: force the parallel loops */

static slt_task *explicit_task(size_t M, const double *lam, const double *tgt)
{
    slt_task *t = NULL;
    assert_int_equal(slt_task_alloc_explicit(M, lam, tgt, 0, &t), SLT_OK);
    return t;
}

static slt_task *power_law(double alpha, double beta, size_t M)
{
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = alpha;
    pp.beta = beta;
    slt_task *t = NULL;
    assert_int_equal(M ? slt_task_alloc_power_law_truncated(&pp, M, &t)
                       : slt_task_alloc_power_law(&pp, &t), SLT_OK);
    return t;
}

static slt_featlearn_params march_params(double gamma, double N, double eta, size_t batch)
{
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_MARCH;
    p.gamma = gamma;
    p.N = N;
    p.eta = eta;
    p.batch = batch;
    return p;
}

/* the march at steps 0..T (times ηn); returns the status */
static int run(const slt_task *task, const slt_featlearn_params *p, size_t T,
               slt_featlearn_point *pt)
{
    double *times = malloc((T + 1) * sizeof *times);
    for (size_t n = 0; n <= T; n++) times[n] = p->eta * (double)n;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_resolved_method(w), SLT_FEATLEARN_MARCH);
    int rc = slt_featlearn_solve(w, times, T + 1, pt);
    slt_featlearn_free(w);
    free(times);
    return rc;
}

/* ---- the discrete N = ∞ recursion (docs/theory/featlearn.md §3, reference) --------- */

static void recursion(const slt_task *task, size_t M, double gamma, double eta, size_t T,
                      double *Lout, double *qout)
{
    double *lam = malloc(M * sizeof *lam), *ws = malloc(M * sizeof *ws), *h = calloc(M, sizeof *h),
           *g = malloc(M * sizeof *g), *Kg = malloc(M * sizeof *Kg), *K = calloc(M * M, sizeof *K);
    for (size_t k = 0; k < M; k++) {
        lam[k] = slt_task_lambda(task, k + 1);
        ws[k] = sqrt(slt_task_target(task, k + 1) / lam[k]);
        K[k * M + k] = 1;
    }
    double q = 0;
    for (size_t n = 0; n <= T; n++) {
        double L = 0;
        for (size_t k = 0; k < M; k++) L += lam[k] * (ws[k] - h[k]) * (ws[k] - h[k]);
        Lout[n] = L;
        qout[n] = q;
        double hg = 0, gKg = 0;
        for (size_t k = 0; k < M; k++) {
            g[k] = lam[k] * (ws[k] - h[k]);
            hg += h[k] * g[k];
        }
        for (size_t i = 0; i < M; i++) {
            Kg[i] = 0;
            for (size_t j = 0; j < M; j++) Kg[i] += K[i * M + j] * g[j];
            gKg += g[i] * Kg[i];
        }
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < M; j++)
                K[i * M + j] += eta * gamma * (g[i] * h[j] + h[i] * g[j]) +
                                eta * eta * gamma * gamma * q * g[i] * g[j];
        for (size_t k = 0; k < M; k++)
            h[k] += eta * (Kg[k] + gamma * q * g[k]) + eta * eta * gamma * hg * g[k];
        q += 2 * eta * hg + eta * eta * gKg;
    }
    free(lam), free(ws), free(h), free(g), free(Kg), free(K);
}

static void test_n_inf_recursion(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 12);
    size_t T = 200;
    double eta = 0.25;
    slt_featlearn_params p = march_params(1.0, INFINITY, eta, 0);
    slt_featlearn_point *pt = malloc((T + 1) * sizeof *pt);
    double *L = malloc((T + 1) * sizeof *L), *q = malloc((T + 1) * sizeof *q);
    assert_int_equal(run(task, &p, T, pt), SLT_OK);
    recursion(task, 12, 1.0, eta, T, L, q);
    for (size_t n = 0; n <= T; n++) {
        assert_int_equal(pt[n].status, SLT_OK);
        assert_close(pt[n].t, eta * (double)n, TOL_ROUNDING, 0);
        assert_within("march N = inf against the recursion", pt[n].test, pt[n].test_err, L[n],
                      0);
        assert_close(pt[n].test, L[n], TOL_ROUNDING_COND, 0);
        assert_close(pt[n].q, q[n], TOL_ROUNDING_COND, 1e-300);
    }
    print_message("N = inf, gamma = 1: L(%zu) = %.15g (recursion %.15g), q = %.15g (%.15g)\n", T,
                  pt[T].test, L[T], pt[T].q, q[T]);
    /* rich beats lazy (observed) and the curve is not the lazy one */
    recursion(task, 12, 0.0, eta, T, L, q);
    assert_true(pt[T].test < 0.9 * L[T]);
    free(pt), free(L), free(q);
    slt_task_free(task);
}

/* ---- whole-matrix Picard implementation (closed forms of §3.1–§3.4) ------------------ */

/* the whole-matrix reference runs in long double: its rounding is far below the march's */
typedef long double real;

/* (I + X)^{-1} for X strictly lower (n × n), by forward substitution */
static void inv_unit_lower(size_t n, const real *X, real *out)
{
    memset(out, 0, n * n * sizeof *out);
    for (size_t c = 0; c < n; c++) {
        for (size_t r = c; r < n; r++) {
            real s = r == c;
            for (size_t m = c; m < r; m++) s -= X[r * n + m] * out[m * n + c];
            out[r * n + c] = s;
        }
    }
}

static void mul(size_t n, const real *A, const real *B, real *C)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            real s = 0;
            for (size_t k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j];
            C[i * n + j] = s;
        }
}

static void mul_t(size_t n, const real *A, const real *B, real *C) /* A B Aᵀ */
{
    real *tmp = malloc(n * n * sizeof *tmp);
    mul(n, A, B, tmp);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            real s = 0;
            for (size_t k = 0; k < n; k++) s += tmp[i * n + k] * A[j * n + k];
            C[i * n + j] = s;
        }
    free(tmp);
}

static void picard(size_t M, const double *lam, const double *tgt, double gamma, double N,
                   double eta, double B, size_t T, double *Lout, double *qout)
{
    size_t n = T + 1, nn = n * n;
    real invN = 1 / N, invB = 1 / B, tr = 0;
    for (size_t k = 0; k < M; k++) tr += lam[k];
    real *Cx = calloc(nn, sizeof(real)), *Rx = calloc(nn, sizeof(real)), *Cu = calloc(nn, sizeof(real)), *Cw = calloc(nn, sizeof(real)),
           *L = calloc(n, sizeof(real)), *X = calloc(nn, sizeof(real)), *Pi = calloc(nn, sizeof(real)), *Q = calloc(nn, sizeof(real)),
           *Phu = calloc(nn, sizeof(real)), *Phw = calloc(nn, sizeof(real)), *Pht = calloc(nn, sizeof(real)), *Cwt = calloc(nn, sizeof(real)),
           *H = calloc(nn, sizeof(real)), *Gk = calloc(nn, sizeof(real)), *Sv = calloc(nn, sizeof(real)), *tmp = calloc(nn, sizeof(real)),
           *Cx2 = calloc(nn, sizeof(real)), *Rx2 = calloc(nn, sizeof(real)), *L2 = calloc(n, sizeof(real)), *vb = calloc(n, sizeof(real));
    for (size_t sweep = 0; sweep < 3 * n + 3; sweep++) { /* row n settles within 2 sweeps of row n − 1 */
        /* Π = (I − η²γ S C_u^<)^{-1} ηS */
        for (size_t i = 0; i < n; i++) /* X = −η²γ S C_u^< */
            for (size_t j = 0; j < n; j++) {
                real s = 0;
                for (size_t m = 0; m < i; m++)
                    if (j < m) s += Cu[m * n + j];
                X[i * n + j] = -eta * eta * gamma * s;
            }
        inv_unit_lower(n, X, tmp);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) X[i * n + j] = j < i ? eta : 0; /* ηS */
        mul(n, tmp, X, Pi);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                Q[i * n + j] = Pi[i * n + j] + (j < i ? eta * gamma * Cw[i * n + j] : 0);
        mul(n, Rx, Q, X);
        for (size_t i = 0; i < nn; i++) X[i] = -X[i];
        inv_unit_lower(n, X, Phu);
        mul(n, Pi, Phu, Phw);
        mul(n, Q, Phu, Pht);
        mul_t(n, Phu, Cx, Cu);
        mul_t(n, Phw, Cx, Cw);
        mul_t(n, Pht, Cx, Cwt);
        memset(Cx2, 0, nn * sizeof(real));
        memset(Rx2, 0, nn * sizeof(real));
        memset(L2, 0, n * sizeof(real));
        for (size_t k = 0; k < M; k++) {
            real l = lam[k], ws = sqrtl(tgt[k] / l);
            for (size_t i = 0; i < nn; i++) X[i] = l * Pht[i];
            inv_unit_lower(n, X, H);
            mul(n, H, Pht, Gk);
            for (size_t i = 0; i < n; i++) {
                real s = 0;
                for (size_t j = 0; j < n; j++) s += H[i * n + j];
                vb[i] = ws * s;
            }
            mul_t(n, H, Cwt, Sv);
            for (size_t i = 0; i < nn; i++) Sv[i] *= invN;
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    real s = 0;
                    for (size_t m = 0; m < n; m++)
                        s += Gk[i * n + m] * l * L[m] * invB * Gk[j * n + m];
                    Sv[i * n + j] += s;
                }
            for (size_t i = 0; i < n; i++) {
                L2[i] += l * (vb[i] * vb[i] + Sv[i * n + i]);
                for (size_t j = 0; j < n; j++) {
                    Cx2[i * n + j] += l * l * (vb[i] * vb[j] + Sv[i * n + j]) -
                                      invB * l * l * (Gk[i * n + j] * L[j] + Gk[j * n + i] * L[i]);
                    Rx2[i * n + j] -= invN * l * H[i * n + j];
                }
            }
        }
        for (size_t i = 0; i < n; i++) Cx2[i * n + i] += tr * L[i] * invB;
        memcpy(Cx, Cx2, nn * sizeof(real));
        memcpy(Rx, Rx2, nn * sizeof(real));
        memcpy(L, L2, n * sizeof(real));
    }
    for (size_t i = 0; i < n; i++) {
        Lout[i] = L[i];
        qout[i] = Cw[i * n + i];
    }
    free(Cx), free(Rx), free(Cu), free(Cw), free(L), free(X), free(Pi), free(Q), free(Phu),
        free(Phw), free(Pht), free(Cwt), free(H), free(Gk), free(Sv), free(tmp), free(Cx2),
        free(Rx2), free(L2), free(vb);
}

static void check_picard(double gamma, double N, size_t B)
{
    /* a degenerate level (0.5 twice, uneven powers) checks the eigenspace collapse too */
    double lam[] = {1.2, 0.5, 0.5, 0.2, 0.05}, tgt[] = {0.3, 0.2, 0.05, 0.1, 0.02};
    slt_task *task = explicit_task(5, lam, tgt);
    size_t T = 9;
    double eta = 0.4;
    slt_featlearn_params p = march_params(gamma, N, eta, B);
    slt_featlearn_point pt[10];
    double L[10], q[10];
    assert_int_equal(run(task, &p, T, pt), SLT_OK);
    picard(5, lam, tgt, gamma, N, eta, B ? (double)B : INFINITY, T, L, q);
    for (size_t n = 0; n <= T; n++) {
        print_message("n %zu: %.17g %.17g rel %.3g  q %.17g %.17g\n", n, pt[n].test, L[n], pt[n].test / L[n] - 1, pt[n].q, q[n]);
        assert_within("march against whole-matrix Picard", pt[n].test, pt[n].test_err, L[n], 0);
        assert_close(pt[n].test, L[n], TOL_ROUNDING_COND, 0);
        assert_close(pt[n].q, q[n], TOL_ROUNDING_COND, 1e-300);
    }
    print_message("Picard gamma %g N %g B %zu: L(9) = %.15g vs %.15g\n", gamma, N, B, pt[T].test,
                  L[T]);
    slt_task_free(task);
}

static void test_picard(void **state)
{
    (void)state;
    check_picard(1.0, 3, 0);
    check_picard(0.7, 2, 4);
    check_picard(0.0, 5, 2);
    check_picard(1.5, INFINITY, 3);
}

/* ---- first step (docs/theory/featlearn.md §9 check 4) -------------------------------- */

static void test_first_step(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.6, 0.3, 0.1}, tgt[] = {0.4, 0.3, 0.2, 0.1};
    slt_task *task = explicit_task(4, lam, tgt);
    double s1 = 0, s2 = 0, s3 = 0, tr = 0, tr2 = 0;
    for (size_t k = 0; k < 4; k++) {
        s1 += tgt[k];
        s2 += tgt[k] * lam[k];
        s3 += tgt[k] * lam[k] * lam[k];
        tr += lam[k];
        tr2 += lam[k] * lam[k];
    }
    double eta = 0.3, N = 7;
    for (int sgd = 0; sgd <= 1; sgd++)
        for (double gamma = 0; gamma <= 2; gamma += 1) {
            size_t B = sgd ? 5 : 0;
            slt_featlearn_params p = march_params(gamma, N, eta, B);
            slt_featlearn_point pt[2];
            assert_int_equal(run(task, &p, 1, pt), SLT_OK);
            double L1 = s1 - 2 * eta * s2 + eta * eta * (s3 + tr / N * s2);
            if (sgd) L1 += eta * eta * s1 / (double)B * (tr2 + tr * tr / N);
            assert_close(pt[1].test, L1, TOL_ROUNDING, 0);
            assert_within("first step", pt[1].test, pt[1].test_err, L1, 0);
            /* q(1) = |η u_0|²/N = η² C_x(0,0) */
            double cx0 = s2 + (sgd ? tr * s1 / (double)B : 0);
            assert_close(pt[1].q, eta * eta * cx0, TOL_ROUNDING, 0);
        }
    slt_task_free(task);
}

/* ---- γ = 0 against the lazy solver --------------------------------------------------- */

static void lazy_points(const slt_task *task, double N, double eta, size_t batch,
                        const double *times, size_t n, slt_dmft_point *out)
{
    slt_dmft_params dp = slt_dmft_params_default();
    dp.N = N;
    dp.eta = eta;
    dp.batch = batch;
    dp.sgd_form = SLT_DMFT_SGD_LIMIT; /* the DMFT limit: same model as featlearn.md §3.4 */
    slt_dmft_workspace *dw = NULL;
    assert_int_equal(slt_dmft_alloc(task, &dp, &dw), SLT_OK);
    assert_int_equal(slt_dmft_solve(dw, times, n, out), SLT_OK);
    slt_dmft_free(dw);
}

static void check_lazy(double N, double eta, size_t batch)
{
    double lam[] = {1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125},
           tgt[] = {0.3, 0.25, 0.2, 0.12, 0.08, 0.05};
    slt_task *task = explicit_task(6, lam, tgt);
    double times[] = {eta, 5 * eta, 20 * eta, 60 * eta, 150 * eta};
    slt_featlearn_params p = march_params(0, N, eta, batch);
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    slt_featlearn_point pt[5];
    slt_dmft_point dp[5];
    assert_int_equal(slt_featlearn_solve(w, times, 5, pt), SLT_OK);
    lazy_points(task, N, eta, batch, times, 5, dp);
    for (size_t i = 0; i < 5; i++) {
        print_message("lazy N %g eta %g B %zu t %g: march %.15g +- %.2g, dmft %.15g +- %.2g\n",
                      N, eta, batch, times[i], pt[i].test, pt[i].test_err, dp[i].test,
                      dp[i].test_err);
        assert_within("gamma = 0 against slt_dmft", pt[i].test, pt[i].test_err, dp[i].test,
                      dp[i].test_err);
    }
    slt_featlearn_free(w);
    slt_task_free(task);
}

static void test_lazy_gd(void **state)
{
    (void)state;
    check_lazy(4, 0.5, 0);
    check_lazy(2, 0.4, 0);
}

static void test_lazy_sgd(void **state)
{
    (void)state;
    check_lazy(INFINITY, 0.5, 4);
    check_lazy(3, 0.4, 2);
}

/* gradient flow at finite N (eta = 0): Richardson over three marchings, against the lazy
 * gradient flow (slt_dmft, eta = 0) at γ = 0 */
static void test_richardson(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.4, 0.16, 0.064}, tgt[] = {0.3, 0.25, 0.2, 0.12};
    slt_task *task = explicit_task(4, lam, tgt);
    double times[] = {0, 0.5, 2, 6};
    slt_featlearn_params p = march_params(0, 3, 0, 0);
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    slt_featlearn_point pt[4];
    slt_dmft_point dp[4];
    assert_int_equal(slt_featlearn_solve(w, times, 4, pt), SLT_OK);
    lazy_points(task, 3, 0, 0, times, 4, dp);
    for (size_t i = 0; i < 4; i++) {
        print_message("flow N = 3 t %g: march %.12g +- %.2g, dmft %.12g +- %.2g\n", times[i],
                      pt[i].test, pt[i].test_err, dp[i].test, dp[i].test_err);
        assert_close(pt[i].t, times[i], 0, 0);
        assert_within("Richardson against the lazy gradient flow", pt[i].test, pt[i].test_err,
                      dp[i].test, dp[i].test_err);
        if (i) assert_true(pt[i].test_err < 1e-4 * pt[i].test); /* the estimate is useful */
        print_message("  slope %.10g +- %.2g, dmft %.10g\n", pt[i].slope, pt[i].slope_err, dp[i].test_slope);
        /* slt_dmft reports d log L/d log t, featlearn the local exponent −d log L/d log t */
        if (i) assert_true(fabs(pt[i].slope + dp[i].test_slope) <= pt[i].slope_err + 1e-6);
    }
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* the same extrapolation at γ = 1, N = ∞, against the CVODE (v, q, K) flow (method ode) */
static void test_richardson_rich(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.4, 0.16, 0.064}, tgt[] = {0.3, 0.25, 0.2, 0.12};
    slt_task *task = explicit_task(4, lam, tgt);
    double times[] = {0.5, 2, 6};
    slt_featlearn_params p = march_params(1, INFINITY, 0, 0), po = p;
    po.method = SLT_FEATLEARN_ODE;
    slt_featlearn_workspace *w = NULL, *wo = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_alloc(task, &po, &wo), SLT_OK);
    slt_featlearn_point pt[3], po_[3];
    assert_int_equal(slt_featlearn_solve(w, times, 3, pt), SLT_OK);
    assert_int_equal(slt_featlearn_solve(wo, times, 3, po_), SLT_OK);
    for (size_t i = 0; i < 3; i++) {
        print_message("flow N = inf gamma 1 t %g: march %.12g +- %.2g, ode %.12g +- %.2g; q %.10g "
                      "+- %.2g vs %.10g\n", times[i], pt[i].test, pt[i].test_err, po_[i].test,
                      po_[i].test_err, pt[i].q, pt[i].q_err, po_[i].q);
        assert_within("Richardson against the rich ode flow", pt[i].test, pt[i].test_err,
                      po_[i].test, po_[i].test_err);
        assert_within("q against the rich ode flow", pt[i].q, pt[i].q_err, po_[i].q,
                      po_[i].q_err);
        assert_within("slope against the rich ode flow", pt[i].slope, pt[i].slope_err,
                      po_[i].slope, po_[i].slope_err);
    }
    slt_featlearn_free(w);
    slt_featlearn_free(wo);
    slt_task_free(task);
}

/* ---- t → ∞: towards the width floor for several γ ---------------------------------- */

static void test_width_floor_trend(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.7, 0.5, 0.35, 0.25, 0.18}, tgt[] = {0.3, 0.25, 0.2, 0.12, 0.08, 0.05};
    slt_task *task = explicit_task(6, lam, tgt);
    double N = 3, fl, fe;
    assert_int_equal(slt_featlearn_width_floor(task, N, &fl, &fe), SLT_OK);
    for (double gamma = 0; gamma <= 1.0; gamma += 0.5) {
        slt_featlearn_params p = march_params(gamma, N, 0.5, 0);
        double times[] = {12.5, 50, 200, INFINITY};
        slt_featlearn_workspace *w = NULL;
        assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
        slt_featlearn_point pt[4];
        /* t = inf with a step is refused: the floor is the limit of gradient flow, and a
         * step's run may diverge or settle above it */
        assert_int_equal(slt_featlearn_solve(w, times, 4, pt), SLT_EDOM);
        assert_non_null(strstr(slt_last_error(), "times[3] = inf with eta = 0.5"));
        assert_int_equal(slt_featlearn_solve(w, times, 3, pt), SLT_OK);
        print_message("gamma %g: L(12.5) %.6g L(50) %.6g L(200) %.6g floor %.6g\n", gamma,
                      pt[0].test, pt[1].test, pt[2].test, fl);
        /* the gap to the floor shrinks, and is small by t = 200 */
        double g0 = pt[0].test - fl, g1 = pt[1].test - fl, g2 = pt[2].test - fl;
        assert_true(g1 < g0 && g2 < g1);
        assert_true(fabs(g2) < 0.05 * fl);
        slt_featlearn_free(w);
    }
    slt_task_free(task);
}

/* ---- threads, rounding bound ----------------------------------------------------------- */

static void test_threads_and_rounding(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 24);
    size_t T = 100;
    slt_featlearn_params p = march_params(1.0, 8, 0.5, 4);
    slt_featlearn_point *a = malloc((T + 1) * sizeof *a), *b = malloc((T + 1) * sizeof *b);
    int nt = omp_get_max_threads();
    march_omp_min_work = 0;
    omp_set_num_threads(1);
    assert_int_equal(run(task, &p, T, a), SLT_OK);
    omp_set_num_threads(2);
    assert_int_equal(run(task, &p, T, b), SLT_OK);
    omp_set_num_threads(nt);
    march_omp_min_work = 4000000;
    for (size_t n = 0; n <= T; n++) {
        assert_true(a[n].test == b[n].test);
        assert_true(a[n].q == b[n].q);
    }
    /* the error estimate (4x the difference from a reversed-node-order marching, plus the
     * bound 16 eps (n + 1)(L(0) + L)) is positive and covers the difference between the two
     * thread counts (zero) */
    for (size_t n = 1; n <= T; n++) assert_true(a[n].test_err > 0);
    free(a), free(b);
    slt_task_free(task);
}

/* ---- refusals and divergence ---------------------------------------------------------- */

static void test_refusals(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.5}, tgt[] = {0.5, 0.5};
    slt_task *task = explicit_task(2, lam, tgt);
    slt_featlearn_params p = march_params(1, 4, 0.5, 0);
    slt_featlearn_workspace *w = NULL;
    slt_featlearn_point pt[2];
    /* half a step */
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t1[] = {0.2};
    assert_int_equal(slt_featlearn_solve(w, t1, 1, pt), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "times[0]"));
    /* beyond max_march_steps */
    slt_featlearn_free(w);
    p.max_march_steps = 100;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t2[] = {1, 60};
    assert_int_equal(slt_featlearn_solve(w, t2, 2, pt), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "max_march_steps = 100"));
    assert_non_null(strstr(slt_last_error(), "120 steps"));
    slt_featlearn_free(w);
    /* gradient flow beyond max_march_steps */
    p.eta = 0;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t3[] = {10};
    assert_int_equal(slt_featlearn_solve(w, t3, 1, pt), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "max_march_steps"));
    slt_featlearn_free(w);
    /* rules */
    p = march_params(1, 4, 0, 3);
    assert_int_equal(slt_featlearn_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "eta"));
    p = march_params(1, 4, 0.5, 3);
    p.P = 100;
    assert_int_equal(slt_featlearn_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "P = inf"));
    p = march_params(1, 4, 0.5, 0); /* finite P is marched; not by ode or isotropic */
    p.P = 100;
    assert_int_equal(slt_featlearn_params_check(&p), SLT_OK);
    p.method = SLT_FEATLEARN_ODE;
    assert_int_equal(slt_featlearn_params_check(&p), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "P = 100"));
    assert_non_null(strstr(slt_last_error(), "march"));
    /* finite P at t = inf: no static formula, refused */
    p.method = SLT_FEATLEARN_MARCH;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t4[] = {1, INFINITY};
    assert_int_equal(slt_featlearn_solve(w, t4, 2, pt), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "times[1] = inf with P = 100"));
    slt_featlearn_free(w);
    p = march_params(1, INFINITY, 0.5, 0);
    p.method = SLT_FEATLEARN_ODE;
    assert_int_equal(slt_featlearn_params_check(&p), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "eta"));
    assert_non_null(strstr(slt_last_error(), "march"));
    p.eta = 0;
    p.batch = 0;
    p.N = 4;
    p.method = SLT_FEATLEARN_ISOTROPIC;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_solve(w, t3, 1, pt), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "method march"));
    slt_featlearn_free(w);
    /* AUTO resolves to march for finite N, eta > 0, batch > 0 */
    p = march_params(1, 4, 0, 0);
    p.method = SLT_FEATLEARN_AUTO;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_resolved_method(w), SLT_FEATLEARN_MARCH);
    slt_featlearn_free(w);
    /* M = inf: a quadrature of more than max_nodes nodes is refused naming it */
    slt_task *pl = power_law(1.5, 0.5, 0);
    p = march_params(1, 4, 0.5, 0);
    p.max_nodes = 50;
    assert_int_equal(slt_featlearn_alloc(pl, &p, &w), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "max_nodes"));
    slt_task_free(pl);
    slt_task_free(task);
}

static void test_divergence(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.5}, tgt[] = {1.0, 0.5};
    slt_task *task = explicit_task(2, lam, tgt);
    /* η λ₁ = 1.5 is stable for the lazy model, the rich kernel 1 + γq pushes it over */
    slt_featlearn_params p = march_params(4, 8, 1.5, 0);
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double times[] = {1.5, 30, 300, 3000};
    slt_featlearn_point pt[4];
    int rc = slt_featlearn_solve(w, times, 4, pt);
    print_message("%s\n", slt_last_error());
    assert_int_equal(rc, SLT_EDIVERGE);
    assert_int_equal(pt[0].status, SLT_OK);
    assert_int_equal(pt[3].status, SLT_EDIVERGE);
    assert_true(isnan(pt[3].test));
    assert_non_null(strstr(slt_last_error(), "step n ="));
    assert_non_null(strstr(slt_last_error(), "eta = 1.5"));
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* ---- finite P (full-batch GD on P samples, docs/theory/featlearn.md §9.8) ------------- */

/* γ = 0 against slt_dmft (GD with the same η at the same N, P): test AND train */
static void check_lazy_p(double N, double P, double eta, size_t T)
{
    double lam[] = {1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125},
           tgt[] = {0.3, 0.25, 0.2, 0.12, 0.08, 0.05};
    slt_task *task = explicit_task(6, lam, tgt);
    double times[] = {eta, 5 * eta, 20 * eta, 60 * eta, (double)T * eta};
    slt_featlearn_params p = march_params(0, N, eta, 0);
    p.P = P;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    slt_featlearn_point pt[5];
    slt_dmft_point dp[5];
    assert_int_equal(slt_featlearn_solve(w, times, 5, pt), SLT_OK);
    slt_dmft_params q = slt_dmft_params_default();
    q.N = N;
    q.P = P;
    q.eta = eta;
    slt_dmft_workspace *dw = NULL;
    assert_int_equal(slt_dmft_alloc(task, &q, &dw), SLT_OK);
    assert_int_equal(slt_dmft_solve(dw, times, 5, dp), SLT_OK);
    slt_dmft_free(dw);
    for (size_t i = 0; i < 5; i++) {
        print_message("lazy N %g P %g eta %g t %g: test %.15g +- %.2g (dmft %.15g +- %.2g), "
                      "train %.15g +- %.2g (dmft %.15g +- %.2g)\n", N, P, eta, times[i],
                      pt[i].test, pt[i].test_err, dp[i].test, dp[i].test_err, pt[i].train,
                      pt[i].train_err, dp[i].train, dp[i].train_err);
        assert_within("finite P, gamma = 0: test against slt_dmft", pt[i].test, pt[i].test_err,
                      dp[i].test, dp[i].test_err);
        assert_within("finite P, gamma = 0: train against slt_dmft", pt[i].train,
                      pt[i].train_err, dp[i].train, dp[i].train_err);
        if (i) assert_true(pt[i].train < pt[i].test); /* the data are fitted better */
    }
    slt_featlearn_free(w);
    slt_task_free(task);
}

static void test_lazy_finite_p(void **state)
{
    (void)state;
    check_lazy_p(4, 6, 0.5, 150);
    check_lazy_p(12, 3, 0.4, 150); /* P < N */
    check_lazy_p(5, 5, 0.5, 100);  /* P = N */
}

/* N = ∞, finite P, γ = 0: the lazy data-limited DMFT (slt_dmft at N = inf) */
static void test_lazy_data_limited(void **state)
{
    (void)state;
    check_lazy_p(INFINITY, 4, 0.5, 150);
    check_lazy_p(INFINITY, 9, 0.3, 120);
}

/* the finite-P equations with 1/P = 0 are the population marching (to roundoff), and a very
 * large P through the public API approaches the population curve at O(1/P) */
static void test_data_limits(void **state)
{
    (void)state;
    double lam[] = {1.2, 0.5, 0.5, 0.2, 0.05}, tgt[] = {0.3, 0.2, 0.05, 0.1, 0.02};
    slt_task *task = explicit_task(5, lam, tgt);
    size_t T = 120;
    double gammas[] = {1.0, 0.5}, Ns[] = {5, INFINITY};
    for (int c = 0; c < 2; c++) {
        slt_featlearn_params p = march_params(gammas[c], Ns[c], 0.3, 0);
        slt_featlearn_point *pop = malloc((T + 1) * sizeof *pop), *big = malloc((T + 1) * sizeof *big);
        assert_int_equal(run(task, &p, T, pop), SLT_OK);
        /* the internal entry with 1/P = 0 (the nodes as the workspace builds them) */
        fl_nodes nd;
        assert_int_equal(fl_nodes_exact(task, 100, &nd), SLT_OK);
        double *L = malloc((T + 1) * sizeof *L), *Lt = malloc((T + 1) * sizeof *Lt),
               *q = malloc((T + 1) * sizeof *q);
        size_t valid = 0;
        assert_int_equal(march_run_data(&nd, &p, 0.3, T, 0, L, Lt, q, &valid), SLT_OK);
        assert_int_equal(valid, T + 1);
        fl_nodes_free(&nd);
        p.P = 1e12;
        assert_int_equal(run(task, &p, T, big), SLT_OK);
        for (size_t n = 0; n <= T; n++) {
            assert_close(L[n], pop[n].test, TOL_ROUNDING_COND, 0);
            assert_close(Lt[n], pop[n].test, TOL_ROUNDING_COND, 0);
            assert_close(q[n], pop[n].q, TOL_ROUNDING_COND, 1e-300);
            /* P = 1e12: O(1/P) away from the population curve */
            assert_close(big[n].test, pop[n].test, 1e-9, 0);   /* O(1/P) with margin */
            assert_close(big[n].train, pop[n].test, 1e-9, 0);  /* O(1/P) with margin */
            assert_true(big[n].train <= big[n].test + big[n].test_err + big[n].train_err);
        }
        print_message("1/P = 0, gamma %g N %g: L(%zu) = %.17g (population %.17g), P = 1e12: "
                      "%.17g train %.17g\n", gammas[c], Ns[c], T, L[T], pop[T].test, big[T].test,
                      big[T].train);
        free(L), free(Lt), free(q), free(pop), free(big);
    }
    slt_task_free(task);
}

/* whole-matrix reference with the data-side process of the shared note §3.5, literally, in
 * long double, iterated over the whole trajectory until exact by causality */
static void picard_data(size_t M, const double *lam, const double *tgt, double gamma, double N,
                        double P, double eta, size_t T, double *Lout, double *Ltr, double *qout)
{
    size_t n = T + 1, nn = n * n;
    real invN = 1 / (real)N, invP = 1 / (real)P;
    real *Cx = calloc(nn, sizeof(real)), *Rx = calloc(nn, sizeof(real)),
         *Rv = calloc(nn, sizeof(real)), *Cv = calloc(nn, sizeof(real)),
         *Cu = calloc(nn, sizeof(real)), *Cw = calloc(nn, sizeof(real)),
         *X = calloc(nn, sizeof(real)), *Pi = calloc(nn, sizeof(real)),
         *Q = calloc(nn, sizeof(real)), *Phu = calloc(nn, sizeof(real)),
         *Phw = calloc(nn, sizeof(real)), *R = calloc(nn, sizeof(real)),
         *Cwt = calloc(nn, sizeof(real)), *H = calloc(nn, sizeof(real)),
         *HR = calloc(nn, sizeof(real)), *Sv = calloc(nn, sizeof(real)),
         *tmp = calloc(nn, sizeof(real)), *tmp2 = calloc(nn, sizeof(real)),
         *Phr = calloc(nn, sizeof(real)), *Cr = calloc(nn, sizeof(real)),
         *Cx2 = calloc(nn, sizeof(real)), *Rx2 = calloc(nn, sizeof(real)),
         *Rv2 = calloc(nn, sizeof(real)), *Cv2 = calloc(nn, sizeof(real)),
         *vb = calloc(n, sizeof(real)), *xb = calloc(n, sizeof(real));
    for (size_t sweep = 0; sweep < 4 * n + 4; sweep++) {
        /* data side: Φ_r = (I − R_v)^{-1}, C_r = Φ_r C_v Φ_rᵀ */
        for (size_t i = 0; i < nn; i++) X[i] = -Rv[i];
        inv_unit_lower(n, X, Phr);
        mul_t(n, Phr, Cv, Cr);
        /* N side (§3.1) */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                real s = 0;
                for (size_t m = 0; m < i; m++)
                    if (j < m) s += Cu[m * n + j];
                X[i * n + j] = -eta * eta * gamma * s;
            }
        inv_unit_lower(n, X, tmp);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) X[i * n + j] = j < i ? eta : 0;
        mul(n, tmp, X, Pi);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                Q[i * n + j] = Pi[i * n + j] + (j < i ? eta * gamma * Cw[i * n + j] : 0);
        mul(n, Rx, Q, X);
        for (size_t i = 0; i < nn; i++) X[i] = -X[i];
        inv_unit_lower(n, X, Phu);
        mul(n, Pi, Phu, Phw);
        mul(n, Q, Phu, R);
        mul_t(n, Phu, Cx, Cu);
        mul_t(n, Phw, Cx, Cw);
        mul_t(n, R, Cx, Cwt);
        memset(Cx2, 0, nn * sizeof(real));
        memset(Rx2, 0, nn * sizeof(real));
        memset(Rv2, 0, nn * sizeof(real));
        memset(Cv2, 0, nn * sizeof(real));
        for (size_t k = 0; k < M; k++) {
            real l = lam[k], ws = sqrtl(tgt[k] / l);
            /* H_k = (I + λ R_w̃ Φ_r)^{-1} */
            mul(n, R, Phr, X);
            for (size_t i = 0; i < nn; i++) X[i] *= l;
            inv_unit_lower(n, X, H);
            mul(n, H, R, HR);
            for (size_t i = 0; i < n; i++) {
                real s = 0;
                for (size_t j = 0; j < n; j++) s += H[i * n + j];
                vb[i] = ws * s;
            }
            for (size_t i = 0; i < n; i++) { /* x̄ = λ Φ_r v̄ */
                real s = 0;
                for (size_t j = 0; j < n; j++) s += Phr[i * n + j] * vb[j];
                xb[i] = l * s;
            }
            /* Σᵛ = (1/N) H C_w̃ Hᵀ + (λ/P)(H R) C_r (H R)ᵀ */
            mul_t(n, H, Cwt, Sv);
            mul_t(n, HR, Cr, tmp);
            for (size_t i = 0; i < nn; i++) Sv[i] = invN * Sv[i] + l * invP * tmp[i];
            mul_t(n, Phr, Sv, tmp);           /* Φ_r Σᵛ Φ_rᵀ */
            mul(n, Phr, HR, X);               /* Φ_r H R */
            mul(n, X, Cr, tmp2);              /* Φ_r H R C_r */
            mul(n, Phr, H, X);                /* Φ_r H, for R_x */
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    Cv2[i * n + j] += l * (vb[i] * vb[j] + Sv[i * n + j]);
                    Cx2[i * n + j] += xb[i] * xb[j] + l * invP * Cr[i * n + j] +
                                      l * l * tmp[i * n + j] -
                                      l * l * invP * (tmp2[i * n + j] + tmp2[j * n + i]);
                    Rv2[i * n + j] -= invP * l * HR[i * n + j];
                    Rx2[i * n + j] -= invN * l * X[i * n + j];
                }
        }
        memcpy(Cx, Cx2, nn * sizeof(real));
        memcpy(Rx, Rx2, nn * sizeof(real));
        memcpy(Rv, Rv2, nn * sizeof(real));
        memcpy(Cv, Cv2, nn * sizeof(real));
    }
    for (size_t i = 0; i < nn; i++) X[i] = -Rv[i];
    inv_unit_lower(n, X, Phr);
    mul_t(n, Phr, Cv, Cr);
    for (size_t i = 0; i < n; i++) {
        Lout[i] = Cv[i * n + i];
        Ltr[i] = Cr[i * n + i];
        qout[i] = Cw[i * n + i];
    }
    free(Cx), free(Rx), free(Rv), free(Cv), free(Cu), free(Cw), free(X), free(Pi), free(Q),
        free(Phu), free(Phw), free(R), free(Cwt), free(H), free(HR), free(Sv), free(tmp),
        free(tmp2), free(Phr), free(Cr), free(Cx2), free(Rx2), free(Rv2), free(Cv2), free(vb),
        free(xb);
}

static void check_picard_data(double gamma, double N, double P)
{
    double lam[] = {1.2, 0.5, 0.5, 0.2, 0.05}, tgt[] = {0.3, 0.2, 0.05, 0.1, 0.02};
    slt_task *task = explicit_task(5, lam, tgt);
    size_t T = 9;
    double eta = 0.4;
    slt_featlearn_params p = march_params(gamma, N, eta, 0);
    p.P = P;
    slt_featlearn_point pt[10];
    double L[10], Lt[10], q[10];
    assert_int_equal(run(task, &p, T, pt), SLT_OK);
    picard_data(5, lam, tgt, gamma, N, P, eta, T, L, Lt, q);
    for (size_t n = 0; n <= T; n++) {
        assert_within("finite P march against whole-matrix Picard (test)", pt[n].test,
                      pt[n].test_err, L[n], 0);
        assert_within("finite P march against whole-matrix Picard (train)", pt[n].train,
                      pt[n].train_err, Lt[n], 0);
        assert_close(pt[n].test, L[n], TOL_ROUNDING_COND, 0);
        assert_close(pt[n].train, Lt[n], TOL_ROUNDING_COND, 0);
        assert_close(pt[n].q, q[n], TOL_ROUNDING_COND, 1e-300);
    }
    print_message("Picard (data) gamma %g N %g P %g: L(9) = %.17g vs %.17g, train %.17g vs "
                  "%.17g\n", gamma, N, P, pt[T].test, L[T], pt[T].train, Lt[T]);
    slt_task_free(task);
}

static void test_picard_data(void **state)
{
    (void)state;
    check_picard_data(1.0, 3, 4);
    check_picard_data(0.7, INFINITY, 2);
    check_picard_data(0.0, 5, 3);
    check_picard_data(1.5, 2, 7);
}

/* gradient flow (eta = 0) at finite N and P: Richardson over three marchings against the
 * lazy gradient flow of slt_dmft, test and train */
static void test_richardson_finite_p(void **state)
{
    (void)state;
    double lam[] = {1.0, 0.4, 0.16, 0.064}, tgt[] = {0.3, 0.25, 0.2, 0.12};
    slt_task *task = explicit_task(4, lam, tgt);
    double times[] = {0, 0.5, 2, 6};
    slt_featlearn_params p = march_params(0, 3, 0, 0);
    p.P = 5;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    slt_featlearn_point pt[4];
    slt_dmft_point dp[4];
    assert_int_equal(slt_featlearn_solve(w, times, 4, pt), SLT_OK);
    slt_dmft_params q = slt_dmft_params_default();
    q.N = 3;
    q.P = 5;
    slt_dmft_workspace *dw = NULL;
    assert_int_equal(slt_dmft_alloc(task, &q, &dw), SLT_OK);
    assert_int_equal(slt_dmft_solve(dw, times, 4, dp), SLT_OK);
    slt_dmft_free(dw);
    for (size_t i = 0; i < 4; i++) {
        print_message("flow N = 3, P = 5, t %g: test %.12g +- %.2g (dmft %.12g +- %.2g), train "
                      "%.12g +- %.2g (dmft %.12g +- %.2g)\n", times[i], pt[i].test,
                      pt[i].test_err, dp[i].test, dp[i].test_err, pt[i].train, pt[i].train_err,
                      dp[i].train, dp[i].train_err);
        assert_within("finite P flow, test", pt[i].test, pt[i].test_err, dp[i].test,
                      dp[i].test_err);
        assert_within("finite P flow, train", pt[i].train, pt[i].train_err, dp[i].train,
                      dp[i].train_err);
        if (i) assert_true(pt[i].train_err < 1e-4 * pt[i].train); /* the estimate is useful */
    }
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* The work budget: a request whose marching work K·T³ exceeds max_march_work is refused
 * before any point is touched (SLT_EDOM naming max_march_work), and the same request within
 * the budget runs. */
static void test_work_budget(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 20); /* 20 exact nodes */
    slt_featlearn_params p = slt_featlearn_params_default();
    p.N = 16;
    p.eta = 0.5;
    p.gamma = 1;
    p.method = SLT_FEATLEARN_MARCH;
    p.max_march_work = 1e6; /* 2 marchings x 20 nodes x 51^3 = 5.3e6 */
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t = 25;
    slt_featlearn_point pt;
    memset(&pt, 0x5a, sizeof pt);
    slt_featlearn_point before = pt;
    assert_int_equal(slt_featlearn_solve(w, &t, 1, &pt), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "max_march_work = 1e+06"));
    assert_memory_equal(&pt, &before, sizeof pt);
    slt_featlearn_free(w);
    p.max_march_work = 1e7;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_solve(w, &t, 1, &pt), SLT_OK);
    assert_true(pt.test > 0 && pt.status == SLT_OK);
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* A catapult (the loss spikes and settles back, accurately computed) is not a divergence;
 * an unstable step whose rounding grows until the estimate reaches the value is refused
 * (SLT_ELOSS), never printed as a number (the second review's two cases, --M 20). */
static void test_catapult_and_amplified(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 20);
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_MARCH;
    p.N = 2, p.P = 2, p.eta = 0.1, p.gamma = 5;
    p.max_march_work = 1e11;
    double t[] = {4.3, 4.7, 5.0, 12.0};
    slt_featlearn_point pt[4];
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_solve(w, t, 4, pt), SLT_OK);
    assert_true(pt[1].train > 10 * pt[0].train && pt[2].train < pt[1].train / 5); /* the spike */
    for (int i = 0; i < 4; i++) assert_true(pt[i].train_err < 1e-3 * pt[i].train);
    slt_featlearn_free(w);
    p.N = 3, p.P = 4, p.eta = 0.2, p.gamma = 1;
    double u[] = {16, 20.8};
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_solve(w, u, 2, pt), SLT_ELOSS);
    assert_int_equal(pt[0].status, SLT_OK);
    assert_int_equal(pt[1].status, SLT_ELOSS);
    assert_true(isnan(pt[1].test) && isnan(pt[1].train));
    slt_featlearn_free(w);
    slt_task_free(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_step),
        cmocka_unit_test(test_n_inf_recursion),
        cmocka_unit_test(test_picard),
        cmocka_unit_test(test_lazy_gd),
        cmocka_unit_test(test_lazy_sgd),
        cmocka_unit_test(test_richardson),
        cmocka_unit_test(test_richardson_rich),
        cmocka_unit_test(test_width_floor_trend),
        cmocka_unit_test(test_threads_and_rounding),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_divergence),
        cmocka_unit_test(test_lazy_finite_p),
        cmocka_unit_test(test_lazy_data_limited),
        cmocka_unit_test(test_data_limits),
        cmocka_unit_test(test_picard_data),
        cmocka_unit_test(test_richardson_finite_p),
        cmocka_unit_test(test_work_budget),
        cmocka_unit_test(test_catapult_and_amplified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
