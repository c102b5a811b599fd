/* DMFT speed (issue 6 target: a 100-point finite-(N, P) test-loss curve at M = 10^5 in
 * <= 2 s on 2 cores). The baseline, run in the same process, is what the DMFT replaces:
 * Monte Carlo trials of the same model (one realisation of A, Ψ and its eigen-solution).
 * Prints seconds and the curve's cost in units of one trial. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slt/dmft.h"
#include "slt/mc.h"
#include "slt/status.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* eta > 0: GD (times rounded to steps); momentum > 0: heavy ball (with eta: discrete) */
static double curve_seconds(const slt_task *task, double N, double P, double eta, double momentum,
                            const double *times, size_t n)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = N;
    p.P = P;
    p.eta = eta;
    p.momentum = momentum;
    slt_dmft_workspace *w = NULL;
    slt_dmft_point *pt = malloc(n * sizeof *pt);
    double t0 = now();
    if (!pt || slt_dmft_alloc(task, &p, &w) || slt_dmft_solve(w, times, n, pt)) {
        fprintf(stderr, "bench_dmft: %s\n", slt_last_error());
        exit(1);
    }
    double s = now() - t0;
    slt_dmft_free(w);
    free(pt);
    return s;
}

int main(void)
{
    const size_t M = 100000, n = 100;
    const double N = 200, P = 400;
    double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt), times[100];
    for (size_t k = 0; k < M; k++) {
        lam[k] = pow(k + 1.0, -1.5);
        tgt[k] = pow(k + 1.0, -2.05);
    }
    for (size_t i = 0; i < n; i++) times[i] = pow(10.0, -1.0 + 6.0 * (double)i / (n - 1));
    slt_task *explicit_task = NULL, *law = NULL;
    slt_power_law_params pl = slt_power_law_params_default();
    pl.alpha = 1.5;
    pl.beta = 0.7;
    if (slt_task_alloc_explicit(M, lam, tgt, 0.0, &explicit_task) || slt_task_alloc_power_law(&pl, &law))
        return 1;

    double s_explicit = curve_seconds(explicit_task, N, P, 0, 0, times, n);
    double s_law = curve_seconds(law, N, P, 0, 0, times, n);
    /* the dynamics that need the ellipse early (docs/theory/dmft.md §11–§12), on the power
     * law (u_max = 1.197 at these sizes): GD with alternating modes (η·u_max = 1.56),
     * underdamped heavy ball (4μ·u_max = 9.6), heavy ball with steps (β = 0.9) */
    double s_osc = curve_seconds(law, N, P, 1.3, 0, times, n);
    double s_under = curve_seconds(law, N, P, 0, 2.0, times, n);
    double s_steps = curve_seconds(law, N, P, 0.5, 0.9, times, n);

    /* baseline: Monte Carlo trials of the same model at the same M and sizes */
    slt_mc_params mp = slt_mc_params_default();
    mp.N = (size_t)N;
    mp.P = (size_t)P;
    mp.M = M;
    mp.trials = 2;
    slt_mc_result *res = NULL;
    double t0 = now();
    if (slt_mc_run(explicit_task, &mp, times, n, &res)) {
        fprintf(stderr, "bench_dmft: %s\n", slt_last_error());
        return 1;
    }
    double s_trial = (now() - t0) / (double)mp.trials;
    slt_mc_result_free(res);

    printf("DMFT test+train curve, 100 times (0.1 .. 1e5), N = %g, P = %g\n", N, P);
    printf("  explicit task, M = %zu: %7.3f s   (target <= 2 s: %s)   = %.1f Monte Carlo trials\n",
           M, s_explicit, s_explicit <= 2.0 ? "met" : "MISSED", s_explicit / s_trial);
    printf("  power law,  M = inf:    %7.3f s                        = %.1f Monte Carlo trials\n",
           s_law, s_law / s_trial);
    printf("  power law, GD eta = 1.3 (alternating modes):  %7.3f s  = %.1f trials\n", s_osc,
           s_osc / s_trial);
    printf("  power law, heavy ball mu = 2 (underdamped):   %7.3f s  = %.1f trials\n", s_under,
           s_under / s_trial);
    printf("  power law, heavy ball eta = 0.5, beta = 0.9:  %7.3f s  = %.1f trials\n", s_steps,
           s_steps / s_trial);
    printf("  one Monte Carlo trial at M = %zu (baseline): %.3f s\n", M, s_trial);
    slt_task_free(explicit_task);
    slt_task_free(law);
    free(lam);
    free(tgt);
    return 0;
}
