/* The exact N = ∞ rich curve at M = ∞ (issue 14, first performance target): α = 1.5,
 * β = 0.5, γ = 1, gradient flow, t = 0.1 … 10⁴ (25 log-spaced times), method ode on the
 * spectrum quadrature (docs/theory/featlearn.md, "spectrum quadrature"). Target: <= 10 s.
 * Baseline in the same run: the same (v, q, K) equations on explicit modes without node
 * reduction — the power law truncated at M = 200 (the largest max_modes; an M = ∞ curve by
 * explicit modes does not exist, and M = 200 is already truncation-dominated from t ≈ 30).
 * Prints the time of each, their ratio, and the quadrature curve (L, err, local exponent,
 * q) next to the isotropic approximation. Usage: bench_featlearn [t_max] (default 1e4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

static double cpu_last; /* CPU seconds of the last run (the machine is shared: wall > CPU) */

static double run(const slt_task *task, slt_featlearn_method m, size_t max_modes,
                  const double *times, size_t n, slt_featlearn_point *pt)
{
    clock_t c0 = clock();
    slt_featlearn_params p = slt_featlearn_params_default();
    p.gamma = 1;
    p.method = m;
    p.max_modes = max_modes;
    slt_featlearn_workspace *w = NULL;
    double t0 = now();
    int rc = slt_featlearn_alloc(task, &p, &w);
    if (!rc) rc = slt_featlearn_solve(w, times, n, pt);
    double dt = now() - t0;
    cpu_last = (double)(clock() - c0) / CLOCKS_PER_SEC;
    slt_featlearn_free(w);
    if (rc) {
        fprintf(stderr, "bench_featlearn: %s\n", slt_last_error());
        exit(1);
    }
    return dt;
}

int main(int argc, char **argv)
{
    double tmax = argc > 1 ? atof(argv[1]) : 1e4;
    enum { NT = 25 };
    double times[NT];
    for (int i = 0; i < NT; i++) times[i] = 0.1 * pow(tmax / 0.1, i / (double)(NT - 1));
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = 1.5;
    pp.beta = 0.5;
    slt_task *inf = NULL, *trunc = NULL;
    if (slt_task_alloc_power_law(&pp, &inf) || slt_task_alloc_power_law_truncated(&pp, 200, &trunc)) {
        fprintf(stderr, "bench_featlearn: %s\n", slt_last_error());
        return 1;
    }
    slt_featlearn_point q[NT], b[NT], iso[NT];
    double tq = run(inf, SLT_FEATLEARN_ODE, 40, times, NT, q), cq = cpu_last;
    double ti = run(inf, SLT_FEATLEARN_ISOTROPIC, 40, times, NT, iso);
    double tb = run(trunc, SLT_FEATLEARN_ODE, 200, times, NT, b), cb = cpu_last;
    printf("N = inf exact rich curve, alpha = 1.5, beta = 0.5, gamma = 1, t = 0.1 .. %g\n", tmax);
    printf("%-10s %-15s %-9s %-8s %-8s %-9s %-15s %-8s %-15s\n", "t", "L_ode(M=inf)", "err",
           "slope", "q", "iso/ode", "L_ode(M=200)", "slope", "L_iso(M=inf)");
    for (int i = 0; i < NT; i++)
        printf("%-10.4g %-15.9g %-9.2g %-8.4f %-8.4g %-9.5f %-15.9g %-8.4f %-15.9g\n", times[i],
               q[i].test, q[i].test_err, q[i].slope, q[i].q, iso[i].test / q[i].test, b[i].test,
               b[i].slope, iso[i].test);
    printf("time: ode on the quadrature (M = inf) %.2f s wall, %.2f s CPU (target <= 10 s); "
           "baseline ode on 200 explicit modes (no node reduction, truncated) %.2f s wall, "
           "%.2f s CPU; ratio %.2f (CPU %.2f); isotropic %.3f s\n", tq, cq, tb, cb, tb / tq,
           cb / cq, ti);
    slt_task_free(inf);
    slt_task_free(trunc);
    return cq <= 10 ? 0 : 1;
}
