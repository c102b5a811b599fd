/* Online SGD curve (issue 6 target: a curve of 10^4 steps at M = 10^4 in <= 0.5 s).
 * Solver: slt_dmft_solve with batch > 0 on an explicit task of M = 10^4 modes at width
 * N = 1000, 100 log-spaced output steps from 1 to 10^4 (each step count costs the same:
 * one pair of Talbot contours, independent of n).
 * Baselines in the same process:
 *   - the full-batch GD curve of the same solver (P = ∞, same N, same times);
 *   - the direct computation a user could write only at N = ∞ (S = Λ): L_GD(n) and 𝒦(j)
 *     for every n <= 10^4 by loops over the M modes, then the Volterra equation stepped
 *     in O(n²).
 * Prints times and ratios; nothing is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slt/dmft.h"
#include "slt/status.h"
#include "slt/task.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int curve(const slt_task *task, double N, double eta, size_t B, const double *times,
                 size_t n, slt_dmft_point *o, double *secs)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = N;
    p.eta = eta;
    p.batch = B;
    slt_dmft_workspace *w = NULL;
    double t0 = now();
    int rc = slt_dmft_alloc(task, &p, &w);
    if (!rc) rc = slt_dmft_solve(w, times, n, o);
    slt_dmft_free(w);
    *secs = now() - t0;
    return rc;
}

int main(void)
{
    enum { M = 10000, NSTEP = 10000, NPT = 100 };
    const double eta = 0.9, N = 1000; /* η·u_max < 1: the GD baseline needs it */
    const size_t B = 8;
    double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt);
    for (int k = 0; k < M; k++) {
        lam[k] = pow(k + 1.0, -1.5);
        tgt[k] = pow(k + 1.0, -2.2);
    }
    slt_task *task = NULL;
    if (slt_task_alloc_explicit(M, lam, tgt, 0.0, &task)) {
        fprintf(stderr, "bench_dmft_sgd: %s\n", slt_last_error());
        return 1;
    }
    double times[NPT];
    size_t n = 0;
    for (int i = 0; i < NPT; i++) {
        double s = round(pow(10.0, 4.0 * i / (NPT - 1)));
        if (n == 0 || s * eta > times[n - 1]) times[n++] = s * eta;
    }
    slt_dmft_point *o = malloc(NPT * sizeof *o), *g = malloc(NPT * sizeof *g);
    double t_sgd, t_gd, t_sgd_inf;
    if (curve(task, N, eta, B, times, n, o, &t_sgd) || curve(task, N, eta, 0, times, n, g, &t_gd) ||
        curve(task, INFINITY, eta, B, times, n, g, &t_sgd_inf)) {
        fprintf(stderr, "bench_dmft_sgd: %s\n", slt_last_error());
        return 1;
    }
    /* GD at finite N again for the ratio (g was overwritten by the N = ∞ SGD curve) */
    curve(task, N, eta, 0, times, n, g, &t_gd);

    /* baseline at N = ∞: every step, O(M·n) + O(n²) */
    double t0 = now();
    double *GD = calloc(NSTEP + 1, sizeof *GD), *K = calloc(NSTEP + 1, sizeof *K),
           *L = calloc(NSTEP + 1, sizeof *L);
    const double c2 = 1.0 + 1.0 / B, cf = eta * eta / B;
    for (int k = 0; k < M; k++) {
        double gk = 1.0 - 2.0 * eta * lam[k] + c2 * eta * eta * lam[k] * lam[k], p = 1.0;
        for (int j = 0; j <= NSTEP; j++) {
            GD[j] += tgt[k] * p;
            K[j] += lam[k] * lam[k] * p;
            p *= gk;
        }
    }
    for (int j = 0; j <= NSTEP; j++) {
        double s = GD[j];
        for (int m = 0; m < j; m++) s += cf * K[j - 1 - m] * L[m];
        L[j] = s;
    }
    double t_base = now() - t0;
    /* accuracy of the solver's N = ∞ curve against the baseline (same task, all modes) */
    slt_dmft_point *oi = malloc(NPT * sizeof *oi);
    double dummy, worst = 0, worst_err = 0;
    curve(task, INFINITY, eta, B, times, n, oi, &dummy);
    for (size_t i = 0; i < n; i++) {
        double ref = L[(int)round(times[i] / eta)], rel = fabs(oi[i].test - ref) / ref;
        if (rel > worst) worst = rel;
        if (oi[i].test_err / ref > worst_err) worst_err = oi[i].test_err / ref;
    }
    printf("online SGD, explicit task M = %d, eta = %g, B = %zu, %zu output steps in [1, %d]\n", M,
           eta, B, n, NSTEP);
    printf("  DMFT SGD curve, N = %g:          %8.3f s   (target <= 0.5 s)\n", N, t_sgd);
    printf("  DMFT full-batch GD curve, N = %g: %8.3f s   ratio SGD/GD %.2f\n", N, t_gd, t_sgd / t_gd);
    printf("  DMFT SGD curve, N = inf:          %8.3f s\n", t_sgd_inf);
    printf("  direct all-step baseline, N = inf: %7.3f s   ratio DMFT(N = inf)/baseline %.2f\n",
           t_base, t_sgd_inf / t_base);
    printf("  N = inf accuracy against the baseline: max rel. error %.2g (max rel. estimate %.2g)\n",
           worst, worst_err);
    printf("  L(n = %d) = %.6g at N = %g, %.6g at N = inf\n", NSTEP, o[n - 1].test, N, oi[n - 1].test);
    free(GD);
    free(K);
    free(L);
    free(o);
    free(g);
    free(oi);
    free(lam);
    free(tgt);
    slt_task_free(task);
    return 0;
}
