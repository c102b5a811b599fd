/* Method march of the rich DMFT (issue 14 target: N = 128, population gradient, T = 2000
 * steps, γ = 1 in <= 30 s on 2 cores, >= 10x a naive marching). Task: λ_k = k^-1.5,
 * t_k = k^-1.75 (α = 1.5, β = 0.5) truncated at K modes (K spectral nodes), η = 0.25 (0.5 is unstable at γ = 1 beyond t ≈ 30, docs/theory/featlearn.md).
 *
 * The library run goes through slt_featlearn_solve (method march). The baseline, in the
 * same process, is a straightforward marching of the same equations written here (node loop
 * outermost, full T×T arrays per node, Σᵛ_j = (1/N) H_j C_w̃ H_jᵀ formed literally, no BLAS,
 * one thread); it is timed at a smaller T and scaled by (T/T_naive)³ (its cost is O(K·T³);
 * the scaling is printed). Its loss at T_naive is compared with the library's.
 * Usage: bench_featlearn_march [T [K [T_naive]]]  (defaults 2000 16 400). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slt/featlearn.h"
#include "slt/status.h"
#include "slt/task.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* naive marching (population, finite N), docs/theory/featlearn.md §9 order, returns L(T) */
static double naive(size_t K, const double *lam, const double *pw, double gam, double N,
                    double eta, size_t T)
{
    size_t n = T + 1, nn = n * n;
    double tr = 0;
    for (size_t j = 0; j < K; j++) tr += lam[j];
    double *Pi = calloc(nn, 8), *Phu = calloc(nn, 8), *Phw = calloc(nn, 8), *Pht = calloc(nn, 8),
           *Cx = calloc(nn, 8), *Cu = calloc(nn, 8), *Cw = calloc(nn, 8), *Cwt = calloc(nn, 8),
           *Rx = calloc(nn, 8), *Q = calloc(nn, 8), *H = calloc(K * nn, 8), *Z = calloc(n, 8),
           *hb = calloc(K * n, 8), *Sv = calloc(K * nn, 8), *L = calloc(n, 8);
    for (size_t i = 0; i < n; i++) {
        /* Π row i: w_{i} = w_{i−1} + η u_{i−1} + η²γ Σ_{m<i−1} C_u(i−1,m) w_m */
        if (i > 0) {
            for (size_t l = 0; l < i; l++) Pi[i * n + l] = Pi[(i - 1) * n + l];
            Pi[i * n + i - 1] += eta;
            for (size_t m = 0; m + 1 < i; m++)
                for (size_t l = 0; l < n; l++)
                    Pi[i * n + l] += eta * eta * gam * Cu[(i - 1) * n + m] * Pi[m * n + l];
        }
        for (size_t l = 0; l < n; l++) { /* Φ_w = Π Φ_u */
            double s = 0;
            for (size_t m = 0; m < i; m++) s += Pi[i * n + m] * Phu[m * n + l];
            Phw[i * n + l] = s;
        }
        for (size_t b = 0; b < n; b++) { /* C_w(i,m) = Φ_w(m) C_x Φ_w(i)ᵀ */
            double s = 0;
            for (size_t a = 0; a < n; a++) s += Cx[b * n + a] * Phw[i * n + a];
            Z[b] = s;
        }
        for (size_t m = 0; m <= i; m++) {
            double s = 0;
            for (size_t b = 0; b < n; b++) s += Phw[m * n + b] * Z[b];
            Cw[i * n + m] = Cw[m * n + i] = s;
        }
        for (size_t m = 0; m < i; m++) Q[i * n + m] = Pi[i * n + m] + eta * gam * Cw[i * n + m];
        for (size_t l = 0; l < n; l++) { /* Φ_w̃ = Q Φ_u */
            double s = 0;
            for (size_t m = 0; m < i; m++) s += Q[i * n + m] * Phu[m * n + l];
            Pht[i * n + l] = s;
        }
        for (size_t b = 0; b < n; b++) { /* C_w̃(i,m) */
            double s = 0;
            for (size_t a = 0; a < n; a++) s += Cx[b * n + a] * Pht[i * n + a];
            Z[b] = s;
        }
        for (size_t m = 0; m <= i; m++) {
            double s = 0;
            for (size_t b = 0; b < n; b++) s += Pht[m * n + b] * Z[b];
            Cwt[i * n + m] = Cwt[m * n + i] = s;
        }
        double Li = 0;
        for (size_t m = 0; m <= i; m++) Rx[i * n + m] = m == i ? -tr / N : 0;
        for (size_t m = 0; m <= i; m++) Cx[i * n + m] = 0;
        for (size_t j = 0; j < K; j++) {
            double *Hj = H + j * nn, *Sj = Sv + j * nn;
            /* H_j row i: H = I − λ R H */
            for (size_t l = 0; l <= i; l++) {
                double s = l == i;
                for (size_t m = l; m < i; m++) s -= lam[j] * Pht[i * n + m] * Hj[m * n + l];
                Hj[i * n + l] = s;
            }
            double h = 0;
            for (size_t l = 0; l <= i; l++) h += Hj[i * n + l];
            hb[j * n + i] = h;
            for (size_t p = 0; p <= i; p++) { /* Z = (H C_w̃)(i, p) */
                double s = 0;
                for (size_t l = 0; l <= i; l++) s += Hj[i * n + l] * Cwt[l * n + p];
                Z[p] = s;
            }
            for (size_t m = 0; m <= i; m++) {
                double s = 0;
                for (size_t p = 0; p <= m; p++) s += Z[p] * Hj[m * n + p];
                Sj[i * n + m] = Sj[m * n + i] = s / N;
            }
            double ws2 = pw[j] / lam[j];
            Li += lam[j] * (ws2 * h * h + Sj[i * n + i]);
            for (size_t m = 0; m <= i; m++) {
                Cx[i * n + m] += lam[j] * lam[j] * (ws2 * h * hb[j * n + m] + Sj[i * n + m]);
                if (m < i) Rx[i * n + m] -= lam[j] * Hj[i * n + m] / N;
            }
        }
        for (size_t m = 0; m <= i; m++) Cx[m * n + i] = Cx[i * n + m];
        L[i] = Li;
        for (size_t l = 0; l <= i; l++) { /* Φ_u = I + R_x Φ_w̃ */
            double s = l == i;
            for (size_t m = 0; m <= i; m++) s += Rx[i * n + m] * Pht[m * n + l];
            Phu[i * n + l] = s;
        }
        for (size_t b = 0; b < n; b++) {
            double s = 0;
            for (size_t a = 0; a < n; a++) s += Cx[b * n + a] * Phu[i * n + a];
            Z[b] = s;
        }
        for (size_t m = 0; m <= i; m++) {
            double s = 0;
            for (size_t b = 0; b < n; b++) s += Phu[m * n + b] * Z[b];
            Cu[i * n + m] = Cu[m * n + i] = s;
        }
    }
    double out = L[T];
    free(Pi), free(Phu), free(Phw), free(Pht), free(Cx), free(Cu), free(Cw), free(Cwt), free(Rx),
        free(Q), free(H), free(Z), free(hb), free(Sv), free(L);
    return out;
}

int main(int argc, char **argv)
{
    size_t T = argc > 1 ? (size_t)atol(argv[1]) : 2000, K = argc > 2 ? (size_t)atol(argv[2]) : 16,
           Tn = argc > 3 ? (size_t)atol(argv[3]) : 400;
    double N = 128, gam = 1, eta = 0.25;
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = 1.5;
    pp.beta = 0.5;
    slt_task *task = NULL;
    if (slt_task_alloc_power_law_truncated(&pp, K, &task)) {
        fprintf(stderr, "bench_featlearn_march: %s\n", slt_last_error());
        return 1;
    }
    double *lam = malloc(K * sizeof *lam), *pw = malloc(K * sizeof *pw);
    for (size_t k = 0; k < K; k++) {
        lam[k] = slt_task_lambda(task, k + 1);
        pw[k] = slt_task_target(task, k + 1);
    }
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_MARCH;
    p.gamma = gam;
    p.N = N;
    p.eta = eta;
    p.max_march_steps = T + 1;
    double tt[2] = {eta * (double)Tn, eta * (double)T};
    slt_featlearn_point pt[2];
    slt_featlearn_workspace *w = NULL;
    double t0 = now();
    int rc = slt_featlearn_alloc(task, &p, &w);
    if (!rc) rc = slt_featlearn_solve(w, tt, 2, pt);
    double tl = now() - t0;
    if (rc) {
        fprintf(stderr, "bench_featlearn_march: %s\n", slt_last_error());
        return 1;
    }
    slt_featlearn_free(w);
    t0 = now();
    double Ln = naive(K, lam, pw, gam, N, eta, Tn);
    double tn = now() - t0, scale = pow((double)T / (double)Tn, 3);
    printf("march N = %g, gamma = %g, eta = %g, K = %zu nodes (alpha 1.5, beta 0.5), T = %zu "
           "steps (population)\n", N, gam, eta, K, T);
    printf("  library march   : %8.2f s   L(T) = %.12g +- %.2g, q = %.6g, slope %.4f\n", tl,
           pt[1].test, pt[1].test_err, pt[1].q, pt[1].slope);
    printf("  naive (T = %zu) : %8.2f s   x (T/%zu)^3 = %.4g -> %8.1f s estimated at T = %zu\n",
           Tn, tn, Tn, scale, tn * scale, T);
    printf("  check at T = %zu : library %.15g, naive %.15g (rel %.2g)\n", Tn, pt[0].test, Ln,
           fabs(pt[0].test / Ln - 1));
    printf("  speed-up (estimated naive / library): %.1fx\n", tn * scale / tl);
    free(lam), free(pw);
    slt_task_free(task);
    return 0;
}
