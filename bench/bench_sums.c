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

enum { DF, DF2, KT1, K2T2, DECAY, CDF, TRACE, RESOLVENT, NSUMS };
static const char *names[NSUMS] = {"df", "df2", "kt1", "k2t2", "decay", "df (complex z)",
                                   "trace (generic)", "resolvent (4 sums)"};
static size_t max_head; /* largest head any sum grew to */

static double lambda_only(double l, double t, void *ctx)
{
    (void)t;
    (void)ctx;
    return l;
}

static double call(const slt_task *t, int which, double x, double *err)
{
    slt_sum s;
    slt_csum c, f[4];
    int rc = 0;
    s.head_terms = c.head_terms = 0;
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
        s.head_terms = c.head_terms;
        break;
    case TRACE: rc = slt_task_sum(t, lambda_only, NULL, NULL, &s); break;
    case RESOLVENT:
        rc = slt_csum_resolvent(t, x * cexp(2.5 * I), f);
        s.value = cabs(f[0].value);
        s.err = f[0].err;
        for (int k = 0; k < 4; k++)
            if (f[k].head_terms > s.head_terms) s.head_terms = f[k].head_terms;
        break;
    }
    if (!rc && s.head_terms > max_head) max_head = s.head_terms;
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
        case TRACE: acc += l; break;
        case RESOLVENT: cacc += l / (l + z); break;
        }
    }
    return which == CDF || which == RESOLVENT ? cabs(cacc) : acc;
}

static const int n_points = 7; /* κ (1/t for decay) log-spaced over 1e-8 … 1 */

static double point(int i) { return pow(10.0, -8.0 + 8.0 * i / (n_points - 1)); }

/* Mean µs per call of one sum over the κ grid, and the largest relative bound. */
static double time_sum(const slt_task *task, int which, double *worst_bound)
{
    int reps = which == CDF || which == RESOLVENT ? 20 : 200;
    double t0 = now(), sink = 0.0;
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < n_points; i++) {
            double e;
            sink += call(task, which, point(i), &e);
        }
    double us = 1e6 * (now() - t0) / (reps * n_points);
    *worst_bound = 0.0;
    for (int i = 0; i < n_points; i++) {
        double e, v = call(task, which, point(i), &e);
        *worst_bound = fmax(*worst_bound, e / fabs(v));
    }
    return sink == 0.0 ? us + 0.0 : us;
}

static slt_task *law(double alpha, double beta)
{
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = alpha;
    p.beta = beta;
    slt_task *task = NULL;
    if (slt_task_alloc_power_law(&p, &task)) exit(1);
    return task;
}

/* Issue 12, item 5: an explicit task of 10^6 plain modes (the λ_k, t_k above) costs about
 * what 10^3 levels cost, because its real sums run on the clusters' moment expansions.
 * df at 100 κ over 1e-8 … 1: the clustered task, the same modes level by level (the
 * generic sum, which is never clustered, and a plain loop), and a 10^3-level task. */
static double df_mode(double l, double t, void *ctx)
{
    (void)t;
    return l / (l + *(const double *)ctx);
}

static double time_df(const slt_task *t, int generic, int reps, double *worst)
{
    double t0 = now(), sink = 0.0;
    *worst = 0.0;
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < 100; i++) {
            double k = pow(10.0, -8.0 + 8.0 * i / 99.0);
            slt_sum s;
            int rc = generic ? slt_task_sum(t, df_mode, &k, NULL, &s) : slt_sum_df(t, k, &s);
            if (rc) {
                fprintf(stderr, "bench_sums: df failed at kappa %g\n", k);
                exit(1);
            }
            sink += s.value;
            *worst = fmax(*worst, s.err / s.value);
        }
    return sink > 0.0 ? 1e3 * (now() - t0) / reps : NAN; /* ms per 100 κ */
}

static void clusters_vs_levels(const double *lam, const double *tgt, size_t m)
{
    slt_task *big = NULL, *small = NULL;
    if (slt_task_alloc_explicit(m, lam, tgt, 0.0, &big) ||
        slt_task_alloc_explicit(1000, lam, tgt, 0.0, &small))
        exit(1);
    double e_cl, e_gen, e_small;
    double ms_cl = time_df(big, 0, 20, &e_cl);
    double ms_gen = time_df(big, 1, 1, &e_gen);
    double ms_small = time_df(small, 0, 20, &e_small);
    double t0 = now(), sink = 0.0;
    for (int i = 0; i < 100; i++) sink += baseline(lam, tgt, m, DF, pow(10.0, -8.0 + 8.0 * i / 99.0));
    double ms_loop = sink > 0.0 ? 1e3 * (now() - t0) : NAN;
    printf("df at 100 kappa in 1e-8 .. 1 (ms for all 100; err = largest relative bound)\n");
    printf("%-44s %10s %9s %10s\n", "task", "ms", "ratio", "err");
    printf("%-44s %10.3f %8.2fx %10.1e\n", "explicit 10^6 modes, clusters (slt_sum_df)", ms_cl,
           1.0, e_cl);
    printf("%-44s %10.3f %8.2fx %10.1e\n", "same, level by level (slt_task_sum)", ms_gen,
           ms_gen / ms_cl, e_gen);
    printf("%-44s %10.3f %8.2fx %10s\n", "same, plain loop (no bound)", ms_loop, ms_loop / ms_cl,
           "-");
    printf("%-44s %10.3f %8.2fx %10.1e\n", "explicit 10^3 levels (slt_sum_df)", ms_small,
           ms_small / ms_cl, e_small);
    printf("(ratio = time / the clustered 10^6-mode task's; criterion: 10^6 modes cost about "
           "what 10^3 levels cost)\n\n");
    slt_task_free(big);
    slt_task_free(small);
}

int main(void)
{
    const double alpha = 1.5, beta = 0.8;
    const size_t m = 1000000;
    slt_task *task = law(alpha, beta);
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    if (!lam || !tgt) return 1;
    for (size_t k = 1; k <= m; k++) {
        lam[k - 1] = pow((double)k, -alpha);
        tgt[k - 1] = pow((double)k, -(alpha * beta + 1.0));
    }
    printf("power law alpha = %g, beta = %g; kappa (1/t for decay) log-spaced over 1e-8 .. 1\n",
           alpha, beta);
    printf("%-19s %12s %12s %9s %12s %14s\n", "sum", "slt us/call", "loop 1e6 us", "speedup",
           "slt err", "loop 1e6 error");
    double base_us[NSUMS];
    for (int which = 0; which < NSUMS; which++) {
        double worst_bound, worst_loop = 0.0;
        base_us[which] = time_sum(task, which, &worst_bound);
        double t0 = now();
        for (int i = 0; i < n_points; i++) {
            double e, b = baseline(lam, tgt, m, which, point(i)), v = call(task, which, point(i), &e);
            worst_loop = fmax(worst_loop, fabs(b - v) / fabs(v));
        }
        double t_loop = 1e6 * (now() - t0) / n_points;
        printf("%-19s %12.2f %12.0f %8.0fx %12.1e %14.1e\n", names[which], base_us[which],
               t_loop, t_loop / base_us[which], worst_bound, worst_loop);
    }
    printf("(errors relative; 'slt err' is the largest returned bound, 'loop' the truncated "
           "loop's actual deviation)\n\n");
    clusters_vs_levels(lam, tgt, m);
    /* α close to 1: the tails carry most of the sum (Σ_{k>512} λ_k is 88% of ζ(1.02)), and
     * the general sum's far tail lies beyond k ~ 1e57. The same sums must cost about what
     * they cost at α = 1.5, not grow their head to millions of modes. */
    const double near[] = {1.02, 1.05};
    printf("alpha near 1, beta = 4: time per call relative to alpha = 1.5 above\n");
    printf("%-19s %7s %12s %9s %12s\n", "sum", "alpha", "slt us/call", "vs 1.5", "slt err");
    for (int a = 0; a < 2; a++) {
        slt_task *t = law(near[a], 4.0);
        max_head = 0;
        for (int which = 0; which < NSUMS; which++) {
            double worst_bound, us = time_sum(t, which, &worst_bound);
            printf("%-19s %7g %12.2f %8.2fx %12.1e\n", names[which], near[a], us,
                   us / base_us[which], worst_bound);
        }
        printf("%-19s %7g largest head: %zu modes\n", "", near[a], max_head);
        slt_task_free(t);
    }
    slt_task_free(task);
    free(lam);
    free(tgt);
    return 0;
}
