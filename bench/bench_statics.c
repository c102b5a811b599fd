/* Static learning curves: a 500-point curve at M = ∞ (power-law task, every sum to k = ∞
 * with an error bound) against the baseline a user would otherwise write — plain loops
 * over 10^6 precomputed explicit modes (which still miss the tail beyond 10^6).
 * Prints times and ratios measured in this run; nothing is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The baseline's inner loop: df(κ) over m explicit modes. */
static double loop_df(const double *lam, size_t m, double kappa)
{
    double acc = 0.0;
    for (size_t i = 0; i < m; i++) acc += lam[i] / (lam[i] + kappa);
    return acc;
}

/* The baseline's whole point: bisection on log κ for df(κ) = P (60 halvings, about the
 * 1e-14 the solver reaches) and the four sums; ridgeless KRR. */
static double loop_point(const double *lam, const double *tgt, size_t m, double P)
{
    double lo = 1e-40, hi = 1e3;
    for (int it = 0; it < 60; it++) {
        double mid = sqrt(lo * hi);
        if (loop_df(lam, m, mid) > P) lo = mid;
        else hi = mid;
    }
    double k = sqrt(lo * hi), d2 = 0.0, k2 = 0.0;
    for (size_t i = 0; i < m; i++) {
        double a = lam[i] / (lam[i] + k), b = k / (lam[i] + k);
        d2 += a * a;
        k2 += tgt[i] * b * b;
    }
    return k2 / (1.0 - d2 / P);
}

int main(void)
{
    const double alpha = 1.5, beta = 0.8;
    const size_t n = 500, m = 1000000;
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = alpha;
    pp.beta = beta;
    slt_task *task = NULL;
    slt_statics_workspace *ws = NULL;
    if (slt_task_alloc_power_law(&pp, &task) || slt_statics_alloc(task, &ws)) {
        fprintf(stderr, "bench_statics: %s\n", slt_last_error());
        return 1;
    }
    double *P = malloc(n * sizeof *P), *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    slt_statics_result *out = malloc(n * sizeof *out);
    if (!P || !lam || !tgt || !out) return 1;
    for (size_t i = 0; i < n; i++) P[i] = pow(10.0, 1.0 + 6.0 * (double)i / (double)(n - 1));
    for (size_t k = 1; k <= m; k++) {
        lam[k - 1] = pow((double)k, -alpha);
        tgt[k - 1] = pow((double)k, -(alpha * beta + 1.0));
    }

    printf("alpha = %g, beta = %g; P log-spaced 10 ... 1e7, %zu points\n\n", alpha, beta, n);
    printf("%-34s %10s %10s %9s %12s\n", "slt curve (M = inf)", "total ms", "us/point", "iter/pt",
           "max rel err");
    const struct {
        const char *name;
        double N, z;
    } cases[] = {{"KRR, ridgeless", INFINITY, 0.0},
                 {"KRR, ridge 1e-4", INFINITY, 1e-4},
                 {"random features N = 1000, z = 0", 1000.0, 0.0}};
    double t_curve = 0.0, bound_curve = 0.0;
    for (size_t c = 0; c < 3; c++) {
        slt_statics_params p = slt_statics_params_default();
        p.N = cases[c].N;
        p.ridge = cases[c].z;
        double t0 = now();
        int reps = 0;
        do { /* repeat to at least 0.2 s for a stable time */
            if (slt_statics_curve(ws, &p, n, P, out)) {
                fprintf(stderr, "bench_statics: %s\n", slt_last_error());
                return 1;
            }
            reps++;
        } while (now() - t0 < 0.2);
        double t = (now() - t0) / reps, iters = 0.0, err = 0.0;
        for (size_t i = 0; i < n; i++) {
            iters += out[i].iterations;
            if (out[i].status == SLT_OK) err = fmax(err, out[i].test_err / out[i].test);
        }
        if (c == 0) {
            t_curve = t;
            bound_curve = err;
        }
        printf("%-34s %10.2f %10.1f %9.1f %12.1e\n", cases[c].name, 1e3 * t, 1e6 * t / n,
               iters / n, err);
    }

    /* baseline 1: one plain loop over 10^6 modes */
    double t0 = now(), sink = 0.0;
    int reps = 0;
    do {
        sink += loop_df(lam, m, 1e-6 * (1 + reps));
        reps++;
    } while (now() - t0 < 0.2);
    double t_loop = (now() - t0) / reps;
    /* baseline 2: a whole ridgeless KRR point by plain loops (bisection + sums), at
       P = 10, 10^3, 10^5 (P must stay below the 10^6 modes the loop has) */
    const double probes[] = {10.0, 1e3, 1e5};
    double t_point = 0.0, err[3];
    for (size_t j = 0; j < 3; j++) {
        t0 = now();
        double L = loop_point(lam, tgt, m, probes[j]);
        t_point += now() - t0;
        slt_statics_params p = slt_statics_params_default();
        p.P = probes[j];
        slt_statics_result r;
        slt_statics_solve(ws, &p, &r);
        err[j] = fabs(L - r.test) / r.test;
    }
    t_point /= 3;
    printf("\nbaseline, plain loops over M = 10^6 explicit modes:\n");
    printf("  one loop (df at one kappa)              %9.2f ms\n", 1e3 * t_loop);
    printf("  one KRR point (60 df loops + 2 sums)    %9.2f ms\n", 1e3 * t_point);
    printf("  its error from the missing tail k > 10^6 (vs slt at M = inf):\n"
           "    P = 10: %.1e   P = 1e3: %.1e   P = 1e5: %.1e  (slt's largest bound: %.1e)\n",
           err[0], err[1], err[2], bound_curve);
    printf("  500-point curve (estimated)             %9.2f s\n", n * t_point);
    printf("\nratios (this run):\n");
    printf("  slt 500-point curve / one 10^6-mode loop     = %.1f loops\n", t_curve / t_loop);
    printf("  baseline 500-point curve / slt curve          = %.0fx\n", n * t_point / t_curve);
    if (sink == 42.0) printf(" ");
    free(P);
    free(lam);
    free(tgt);
    free(out);
    slt_statics_free(ws);
    slt_task_free(task);
    return 0;
}
