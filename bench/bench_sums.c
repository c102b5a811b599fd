/* Mode-sum speed: each named sum of a power-law task, summed to k = ∞ with an error
 * bound, against the baseline a user would otherwise write — a plain loop over 10^6
 * precomputed explicit modes, which is slower and still misses the tail beyond 10^6.
 * Prints per-call times, their ratio, and both errors against the slt value. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slt/task.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { DF, DF2, KT1, K2T2, DECAY, CDF, NSUMS };
static const char *names[NSUMS] = {"df", "df2", "kt1", "k2t2", "decay", "df (complex z)"};

static double call(const slt_task *t, int which, double x, double *err)
{
    slt_sum s;
    slt_csum c;
    int rc = 0;
    switch (which) {
    case DF: rc = slt_sum_df(t, x, &s); break;
    case DF2: rc = slt_sum_df2(t, x, &s); break;
    case KT1: rc = slt_sum_kt1(t, x, &s); break;
    case K2T2: rc = slt_sum_k2t2(t, x, &s); break;
    case DECAY: rc = slt_sum_decay(t, 1.0 / x, &s); break;
    case CDF:
        rc = slt_csum_df(t, x * cexp(2.5 * I), &c);
        s.value = cabs(c.value);
        s.err = c.err;
        break;
    }
    if (rc) {
        fprintf(stderr, "bench_sums: %s failed at %g\n", names[which], x);
        exit(1);
    }
    *err = s.err;
    return s.value;
}

static double baseline(const double *lam, const double *tgt, size_t m, int which, double x)
{
    double acc = 0.0;
    double complex cacc = 0.0, z = x * cexp(2.5 * I);
    for (size_t i = 0; i < m; i++) {
        double l = lam[i], t = tgt[i];
        switch (which) {
        case DF: acc += l / (l + x); break;
        case DF2: acc += (l / (l + x)) * (l / (l + x)); break;
        case KT1: acc += t * x / (l + x); break;
        case K2T2: acc += t * (x / (l + x)) * (x / (l + x)); break;
        case DECAY: acc += t * exp(-2.0 * l / x); break;
        case CDF: cacc += l / (l + z); break;
        }
    }
    return which == CDF ? cabs(cacc) : acc;
}

int main(void)
{
    const double alpha = 1.5, beta = 0.8;
    const size_t m = 1000000;
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = alpha;
    p.beta = beta;
    slt_task *task = NULL;
    if (slt_task_alloc_power_law(&p, &task)) return 1;
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    if (!lam || !tgt) return 1;
    for (size_t k = 1; k <= m; k++) {
        lam[k - 1] = pow((double)k, -alpha);
        tgt[k - 1] = pow((double)k, -(alpha * beta + 1.0));
    }
    printf("power law alpha = %g, beta = %g; kappa (1/t for decay) log-spaced over 1e-8 .. 1\n",
           alpha, beta);
    printf("%-15s %12s %12s %9s %12s %14s\n", "sum", "slt us/call", "loop 1e6 us", "speedup",
           "slt err", "loop 1e6 error");
    const int n_points = 7;
    for (int which = 0; which < NSUMS; which++) {
        int reps = which == CDF ? 20 : 200;
        double t0 = now(), sink = 0.0, worst_bound = 0.0;
        for (int r = 0; r < reps; r++)
            for (int i = 0; i < n_points; i++) {
                double x = pow(10.0, -8.0 + 8.0 * i / (n_points - 1)), e;
                sink += call(task, which, x, &e);
            }
        double t_slt = (now() - t0) / (reps * n_points);
        double worst_loop = 0.0;
        t0 = now();
        for (int i = 0; i < n_points; i++) {
            double x = pow(10.0, -8.0 + 8.0 * i / (n_points - 1)), e;
            double b = baseline(lam, tgt, m, which, x), v = call(task, which, x, &e);
            worst_loop = fmax(worst_loop, fabs(b - v) / fabs(v));
            worst_bound = fmax(worst_bound, e / fabs(v));
        }
        double t_loop = (now() - t0) / n_points;
        printf("%-15s %12.2f %12.0f %8.0fx %12.1e %14.1e%s\n", names[which], 1e6 * t_slt,
               1e6 * t_loop, t_loop / t_slt, worst_bound, worst_loop, sink == 0.0 ? " " : "");
    }
    printf("(errors relative; 'slt err' is the largest returned bound, 'loop' the truncated "
           "loop's actual deviation)\n");
    slt_task_free(task);
    free(lam);
    free(tgt);
    return 0;
}
