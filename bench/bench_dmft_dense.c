/* Every step of an online-SGD curve (issue 13: the PLRF problem of Paquette et al., α_P = 0.4,
 * β_P = 1, V = 10·D modes, batch 1; at D = 1600 the curve has 292,675 steps; target: all of
 * them in <= 5 s).
 * Task: explicit, λ_j = j^{-2α_P} = j^{-0.8}, t_j = λ_j b_j² = j^{-2(α_P+β_P)} = j^{-2.8}
 * (b_j = j^{-β_P}; docs/theory/conventions.md §6.5), j = 1 … V; width N = D, P = ∞,
 * batch 1, Gaussian form. Step η = 0.5/tr(Λ) (the noise gain γ printed is then ~0.25).
 * Steps 1 … T with T = 292,675·D/1600.
 * Measured in one run:
 *   - dense: slt_dmft_solve on all T steps (the grid path shares contours, dmft.md §17);
 *   - baseline: the per-time contour (slt_dmft_set_grid(w, 0)) on 1,000 steps spread
 *     evenly over the curve, its time scaled by T/1000 to the whole curve;
 *   - the largest |dense − per-time|/(err_dense + err_per_time) on that subset.
 * Then the general path (flow and GD at finite N, P; run_general below).
 * Usage: bench_dmft_dense [D ... | general]   (default: 1600, then 100 200 … 12800 dense
 * only, then the general path).
 * Prints times and ratios; nothing is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int run(int D, int baseline)
{
    const size_t V = (size_t)10 * (size_t)D;
    const size_t T = (size_t)llround(292675.0 * D / 1600.0);
    double *lam = malloc(V * sizeof *lam), *tgt = malloc(V * sizeof *tgt);
    double *times = malloc(T * sizeof *times);
    slt_dmft_point *out = malloc(T * sizeof *out);
    if (!lam || !tgt || !times || !out) return 1;
    double trace = 0;
    for (size_t j = 0; j < V; j++) {
        lam[j] = pow(j + 1.0, -0.8);
        tgt[j] = pow(j + 1.0, -2.8);
        trace += lam[j];
    }
    slt_task *task = NULL;
    int rc = slt_task_alloc_explicit(V, lam, tgt, 0.0, &task);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = D;
    p.batch = 1;
    p.eta = 0.5 / trace;
    for (size_t i = 0; i < T; i++) times[i] = p.eta * (double)(i + 1);
    slt_dmft_workspace *w = NULL;
    double t0 = now();
    if (!rc) rc = slt_dmft_alloc(task, &p, &w);
    if (!rc) rc = slt_dmft_solve(w, times, T, out);
    double secs = now() - t0;
    if (rc) {
        fprintf(stderr, "bench_dmft_dense: D = %d: %s\n", D, slt_last_error());
        return 1;
    }
    double worst_rel_err = 0;
    size_t worst_at = 0;
    for (size_t i = 0; i < T; i++) {
        double r = out[i].test_err / out[i].test;
        if (r > worst_rel_err) worst_rel_err = r, worst_at = i;
    }
    /* the per-time contour's own estimate at that step */
    slt_dmft_point one;
    slt_dmft_workspace *w1 = NULL;
    if (!slt_dmft_alloc(task, &p, &w1) && !slt_dmft_set_grid(w1, 0))
        (void)slt_dmft_solve(w1, &times[worst_at], 1, &one);
    slt_dmft_free(w1);
    printf("D = %5d  V = %6zu  eta = %.4g  gain = %.3f  steps = %7zu  dense %.2f s  "
           "(%.2f us/step)  L(T) = %.6g\n  max err/L = %.1e at step %zu (per-time contour "
           "there: %.1e)\n", D, V, p.eta, out[0].sgd_gain, T, secs, 1e6 * secs / T,
           out[T - 1].test, worst_rel_err, worst_at + 1, one.test_err / one.test);
    if (baseline) {
        enum { NB = 1000 };
        double bt[NB];
        slt_dmft_point bo[NB];
        size_t idx[NB];
        for (int k = 0; k < NB; k++) {
            idx[k] = (size_t)((double)(k + 1) * T / NB) - 1;
            bt[k] = times[idx[k]];
        }
        slt_dmft_workspace *wb = NULL;
        double t1 = now();
        rc = slt_dmft_alloc(task, &p, &wb);
        if (!rc) rc = slt_dmft_set_grid(wb, 0);
        if (!rc) rc = slt_dmft_solve(wb, bt, NB, bo);
        double bsecs = now() - t1;
        if (rc) {
            fprintf(stderr, "bench_dmft_dense: baseline: %s\n", slt_last_error());
            return 1;
        }
        double worst = 0, worst_diff = 0, err_ratio = 0;
        for (int k = 0; k < NB; k++) {
            const slt_dmft_point *a = &out[idx[k]], *b = &bo[k];
            double d = fabs(a->test - b->test), q = d / (a->test_err + b->test_err);
            if (q > worst) worst = q;
            if (d / b->test > worst_diff) worst_diff = d / b->test;
            if (a->test_err / b->test_err > err_ratio) err_ratio = a->test_err / b->test_err;
        }
        double scaled = bsecs * (double)T / NB;
        printf("  per-time contour: %d steps %.2f s (%.2f ms/step), scaled to %zu steps "
               "%.1f s; dense/per-time speed-up %.0fx\n",
               NB, bsecs, 1e3 * bsecs / NB, T, scaled, scaled / secs);
        printf("  on the subset: max |dense - per-time|/L = %.2e, max |diff|/(err_dense + "
               "err_per_time) = %.3f, max err_dense/err_per_time = %.2f\n", worst_diff, worst,
               err_ratio);
        slt_dmft_free(wb);
    }
    slt_dmft_free(w);
    slt_task_free(task);
    free(lam);
    free(tgt);
    free(times);
    free(out);
    return 0;
}

/* The general path (dmft.md §17, "the 2-D case"): gradient flow and GD at finite N, P on
 * a 10,000-point linear grid t_i = t1·i, i = 1 … 10,000 (GD: every step 1 … 10,000), dense
 * against the per-time contour on 1,000 of the times spread evenly, scaled by 10. */
static int run_general(const char *name, const slt_task *task, const slt_dmft_params *p,
                       double t1)
{
    enum { T = 10000, NB = 1000 };
    double *times = malloc(T * sizeof *times), bt[NB];
    slt_dmft_point *out = malloc(T * sizeof *out), *bo = malloc(NB * sizeof *bo);
    if (!times || !out || !bo) return 1;
    for (int i = 0; i < T; i++) times[i] = t1 * (i + 1.0);
    slt_dmft_workspace *w = NULL, *wb = NULL;
    double t0 = now();
    int rc = slt_dmft_alloc(task, p, &w);
    if (!rc) rc = slt_dmft_solve(w, times, T, out);
    double secs = now() - t0;
    for (int k = 0; k < NB; k++) bt[k] = times[(k + 1) * (T / NB) - 1];
    double t2 = now();
    if (!rc) rc = slt_dmft_alloc(task, p, &wb);
    if (!rc) rc = slt_dmft_set_grid(wb, 0);
    if (!rc) rc = slt_dmft_solve(wb, bt, NB, bo);
    double bsecs = now() - t2;
    if (rc) {
        fprintf(stderr, "bench_dmft_dense: %s: %s\n", name, slt_last_error());
        return 1;
    }
    double worst = 0, worst_diff = 0, err_ratio = 0, worst_rel = 0;
    for (int i = 0; i < T; i++)
        if (out[i].test_err / out[i].test > worst_rel) worst_rel = out[i].test_err / out[i].test;
    for (int k = 0; k < NB; k++) {
        const slt_dmft_point *a = &out[(k + 1) * (T / NB) - 1], *b = &bo[k];
        double d = fabs(a->test - b->test), q = d / (a->test_err + b->test_err);
        double dt = fabs(a->train - b->train), qt = dt / (a->train_err + b->train_err);
        if (q > worst) worst = q;
        if (qt > worst) worst = qt;
        if (d / b->test > worst_diff) worst_diff = d / b->test;
        if (a->test_err / b->test_err > err_ratio) err_ratio = a->test_err / b->test_err;
    }
    double scaled = bsecs * T / NB;
    printf("%s\n  dense %d times %.3f s (%.1f us/time); per-time contour %d times %.2f s "
           "(%.2f ms/time), scaled %.1f s; speed-up %.0fx\n  max err/L = %.1e; on the subset: "
           "max |dense - per-time|/L = %.2e, max |diff|/(err_dense + err_per_time) = %.3f "
           "(test and train), max err_dense/err_per_time = %.2f\n",
           name, T, secs, 1e6 * secs / T, NB, bsecs, 1e3 * bsecs / NB, scaled, scaled / secs,
           worst_rel, worst_diff, worst, err_ratio);
    slt_dmft_free(w);
    slt_dmft_free(wb);
    free(times);
    free(out);
    free(bo);
    return 0;
}

static int general(void)
{
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = 1.5;
    pp.beta = 0.7;
    pp.noise = 0.1;
    slt_task *pl = NULL;
    int rc = slt_task_alloc_power_law(&pp, &pl);
    if (rc) return 1;
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = 200;
    rc = run_general("flow, power law alpha = 1.5, beta = 0.7, noise 0.1, N = 100, P = 200, "
                     "t = 0.1 ... 1000", pl, &p, 0.1);
    p.eta = 0.5;
    if (!rc) rc = run_general("GD eta = 0.5, same task, N = 100, P = 200, steps 1 ... 10,000", pl,
                              &p, p.eta);
    slt_task_free(pl);
    /* the PLRF shape at D = 1600 (V = 16,000), N = D, P = 2D */
    const size_t V = 16000;
    double *lam = malloc(V * sizeof *lam), *tgt = malloc(V * sizeof *tgt), trace = 0;
    if (!lam || !tgt) return 1;
    for (size_t j = 0; j < V; j++) {
        lam[j] = pow(j + 1.0, -0.8);
        tgt[j] = pow(j + 1.0, -2.8);
        trace += lam[j];
    }
    slt_task *ex = NULL;
    if (!rc) rc = slt_task_alloc_explicit(V, lam, tgt, 0.0, &ex);
    p = slt_dmft_params_default();
    p.N = 1600;
    p.P = 3200;
    if (!rc) rc = run_general("flow, explicit lambda_j = j^-0.8, t_j = j^-2.8, V = 16000, "
                              "N = 1600, P = 3200, t = (1 ... 10,000)*0.5/tr", ex, &p, 0.5 / trace);
    p.eta = 0.5 / trace;
    if (!rc) rc = run_general("GD eta = 0.5/tr, same task, N = 1600, P = 3200, steps 1 ... 10,000",
                              ex, &p, p.eta);
    slt_task_free(ex);
    free(lam);
    free(tgt);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "general") == 0) return general();
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (run(atoi(argv[i]), 1)) return 1;
        return 0;
    }
    if (run(1600, 1)) return 1;
    for (int D = 100; D <= 12800; D *= 2)
        if (run(D, 0)) return 1;
    return general();
}
