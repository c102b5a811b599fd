/* No speed cliff at small explicit tasks (issue 13): a 100-point lazy-DMFT curve (flow at
 * N = 100, P = 200; online SGD at N = 100, batch 1) on explicit tasks λ_k = k^-1.5,
 * t_k = k^-1.9 of M = 250 … 4000 modes. Tasks of any size are compressed into clusters
 * where runs of >= 16 levels allow (SLT_CLUSTER_MIN_TASK); the baseline, in the same run,
 * is the same task summed mode by mode (its clusters removed: the route every task below
 * 1024 modes took before). Prints the best of 3 runs, the ratio to M = 1024, and whether
 * the time grows with M. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "slt/dmft.h"
#include "slt/status.h"
#include "../solvers/task/task_internal.h" /* to remove the clusters for the baseline */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double curve_seconds(const slt_task *task, int sgd, const double *times, size_t n)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.P = sgd ? INFINITY : 200;
    if (sgd) {
        p.eta = 0.2;
        p.batch = 1;
    }
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        slt_dmft_workspace *w = NULL;
        slt_dmft_point *pt = malloc(n * sizeof *pt);
        double t0 = now();
        if (!pt || slt_dmft_alloc(task, &p, &w) || slt_dmft_solve(w, times, n, pt)) {
            fprintf(stderr, "bench_dmft_small: %s\n", slt_last_error());
            exit(1);
        }
        double s = now() - t0;
        if (s < best) best = s;
        slt_dmft_free(w);
        free(pt);
    }
    return best;
}

int main(void)
{
    static const size_t sizes[] = {250, 500, 1000, 1023, 1024, 2000, 4000};
    enum { NS = sizeof sizes / sizeof sizes[0], NT = 100 };
    double flow_t[NT], sgd_t[NT], sec[2][2][NS];
    size_t clusters[NS];
    for (size_t i = 0; i < NT; i++) {
        flow_t[i] = pow(10.0, -1.0 + 5.0 * (double)i / (NT - 1));
        sgd_t[i] = 0.2 * nearbyint(pow(10.0, 5.0 * (double)i / (NT - 1))); /* whole steps */
    }
    for (size_t s = 0; s < NS; s++) {
        const size_t M = sizes[s];
        double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt);
        for (size_t k = 0; k < M; k++) {
            lam[k] = pow(k + 1.0, -1.5);
            tgt[k] = pow(k + 1.0, -1.9);
        }
        slt_task *task = NULL;
        if (slt_task_alloc_explicit(M, lam, tgt, 0.0, &task)) return 1;
        clusters[s] = task->n_clusters;
        for (int sgd = 0; sgd < 2; sgd++)
            sec[0][sgd][s] = curve_seconds(task, sgd, sgd ? sgd_t : flow_t, NT);
        /* the baseline: the same task, summed mode by mode */
        task->n_clusters = 0;
        task->n_head = task->m;
        for (int sgd = 0; sgd < 2; sgd++)
            sec[1][sgd][s] = curve_seconds(task, sgd, sgd ? sgd_t : flow_t, NT);
        task->n_clusters = clusters[s]; /* freed with the task */
        slt_task_free(task);
        free(lam);
        free(tgt);
    }
    size_t ref = 0;
    for (size_t s = 0; s < NS; s++)
        if (sizes[s] == 1024) ref = s;
    printf("100-point DMFT curves on explicit tasks lambda_k = k^-1.5 (best of 3, seconds)\n");
    printf("%6s %8s %10s %8s %10s %10s %8s %10s\n", "M", "clusters", "flow", "/M=1024",
           "by mode", "sgd", "/M=1024", "by mode");
    int mono[2] = {1, 1};
    for (size_t s = 0; s < NS; s++) {
        printf("%6zu %8zu %10.4f %8.2f %10.4f %10.4f %8.2f %10.4f\n", sizes[s], clusters[s],
               sec[0][0][s], sec[0][0][s] / sec[0][0][ref], sec[1][0][s], sec[0][1][s],
               sec[0][1][s] / sec[0][1][ref], sec[1][1][s]);
        /* monotone within 10 % timing noise */
        for (int q = 0; q < 2; q++)
            if (s > 0 && sec[0][q][s] < 0.9 * sec[0][q][s - 1]) mono[q] = 0;
    }
    printf("time grows with M (within 10%%): flow %s, sgd %s\n", mono[0] ? "yes" : "NO",
           mono[1] ? "yes" : "NO");
    return 0;
}
