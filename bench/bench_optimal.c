/* The compute-optimal frontier: 40 budgets over 8 decades of C (1e4 .. 1e12) for the hard
 * power-law task α = 2, β = 0.5, gradient flow at P = ∞, C = N·t, by slt_optimal_frontier,
 * against the brute-force baseline a user would otherwise write: a log grid over the same
 * N range, dense enough to locate N* as accurately as the solver does (spacing 2·δ, δ the
 * solver's median relative error of N*). The baseline's cost is its number of loss
 * evaluations times the per-evaluation time measured in this run on the same loss (200
 * of the baseline's evaluations, spread over the N range, are run for real at the middle
 * budget: the cost of an evaluation depends on N); running it whole
 * would take hours. Prints times and the ratio; nothing is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slt/optimal.h"
#include "slt/status.h"
#include "slt/task.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU time of this process: the machine is shared, so wall times vary with the load */
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    enum { NC = 40 };
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = 2;
    pp.beta = 0.5;
    slt_task *task = NULL;
    slt_optimal_provider *prov = NULL;
    slt_dmft_params dp = slt_dmft_params_default();
    if (slt_task_alloc_power_law(&pp, &task) || slt_optimal_provider_dmft(task, &dp, &prov)) {
        fprintf(stderr, "bench_optimal: %s\n", slt_last_error());
        return 1;
    }
    const slt_optimal_cost cost = {SLT_OPTIMAL_COST_NT, 1, 1};
    slt_optimal_params p = slt_optimal_params_default();
    p.N_hi = 1e5;
    double C[NC];
    for (int i = 0; i < NC; i++) C[i] = pow(10.0, 4.0 + 8.0 * i / (NC - 1));
    slt_optimal_point out[NC];
    double t0 = now(), c0 = cpu();
    int rc = slt_optimal_frontier(prov, &cost, &p, C, NC, out, NULL, NULL);
    const double t_solver = now() - t0, c_solver = cpu() - c0;
    if (rc) {
        fprintf(stderr, "bench_optimal: %s\n", slt_last_error());
        return 1;
    }
    size_t evals = 0;
    double rel[NC];
    for (int i = 0; i < NC; i++) {
        evals += out[i].evaluations;
        rel[i] = out[i].N_err / out[i].N;
    }
    qsort(rel, NC, sizeof rel[0], cmp);
    const double delta = rel[NC / 2];
    const double per_eval_solver = t_solver / (double)evals;

    /* the baseline: spacing 2 delta in ln N over [ln N_lo, ln N_hi] at every budget */
    const double du = 2 * delta, span = log(p.N_hi / p.N_lo);
    const double grid = ceil(span / du) + 1;
    const int slice = 200;
    const double Cm = C[NC / 2];
    t0 = now();
    c0 = cpu();
    double best = INFINITY;
    for (int j = 0; j < slice; j++) {
        /* spread over the whole range: the cost of an evaluation depends on N */
        const double N = p.N_lo * exp(span * (j + 0.5) / slice);
        double L, e;
        if (slt_optimal_provider_loss(prov, N, Cm / N, &L, &e)) {
            fprintf(stderr, "bench_optimal: %s\n", slt_last_error());
            return 1;
        }
        if (L < best) best = L;
    }
    const double per_eval_brute = (now() - t0) / slice, cpu_eval_brute = (cpu() - c0) / slice;
    const double t_brute = grid * NC * per_eval_brute, c_brute = grid * NC * cpu_eval_brute;

    printf("compute-optimal frontier, alpha = 2, beta = 0.5, gradient flow, P = inf, C = N t\n");
    printf("  %d budgets, C = 1e4 .. 1e12; N range [%g, %g]\n", NC, p.N_lo, p.N_hi);
    printf("  solver:      %.2f s wall, %.2f s CPU, %zu loss evaluations (%.1f a budget, %.3f s "
           "wall each); median relative error of N* %.2g\n", t_solver, c_solver, evals,
           (double)evals / NC, per_eval_solver, delta);
    printf("  slopes at C = 1e12: N %.5f, t %.5f, L %.5f (table: 1/3, 2/3, -1/3)\n",
           out[NC - 1].slope_N, out[NC - 1].slope_x, out[NC - 1].slope_L);
    printf("  brute force: grid spacing %.2g in ln N, %.3g evaluations a budget; %d of them, "
           "spread over the N range, run at C = %.3g (%.3f s wall, %.3f s CPU each)\n", du, grid,
           slice, Cm, per_eval_brute, cpu_eval_brute);
    printf("  brute force, estimated for %d budgets: %.3g s wall (%.3g h), %.3g s CPU\n", NC,
           t_brute, t_brute / 3600, c_brute);
    printf("  ratio brute force / solver: %.3g wall, %.3g CPU\n", t_brute / t_solver,
           c_brute / c_solver);
    printf("  target of issue 15 (<= 5 s for the solver): %s\n",
           t_solver <= 5 ? "met" : "NOT met");
    slt_optimal_provider_free(prov);
    slt_task_free(task);
    return 0;
}
