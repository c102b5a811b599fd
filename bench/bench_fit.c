/* Fit speed (issue 16 targets on the 2-core machine): the Chinchilla law on 240 runs,
 *   1. the 4,500-start grid of Besiroglu et al. (target <= 1 s);
 *   2. 4,000 bootstrap refits (target <= 5 s);
 * each next to the in-run baseline: a plain single-start BFGS loop (slt_fit_single from
 * one start, repeated) timed in the same process, and the ratio printed.
 * The runs are synthetic (the law at E = 1.82, A = 482, B = 2085, alpha = 0.35,
 * beta = 0.37 on 40 sizes N x 6 token counts D, log-normal noise of 3 %, a fixed stream),
 * or the table given as argv[1] with columns N, D, loss (e.g. Besiroglu et al.'s data,
 * not shipped: docs/theory/fit.md §6). Prints the figures; nothing is asserted. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slt/fit.h"
#include "slt/status.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_fit: %s failed: %s (%s)\n", what, slt_strerror(rc), slt_last_error());
    exit(1);
}

static double normal(uint64_t *s)
{
    double u[2];
    for (int k = 0; k < 2; k++) {
        uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        u[k] = ((double)(z >> 11) + 0.5) * 0x1.0p-53;
    }
    return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

static void print_fit(const char *what, const slt_fit_result *r)
{
    printf("  %s: status %s, objective %.10g:", what, slt_fit_state_to_string(r->state),
           r->objective);
    for (size_t k = 0; k < r->n_quantities && k < 5; k++)
        printf(" %s %.5g", r->q[k].name, r->q[k].estimate);
    printf("\n");
}

int main(int argc, char **argv)
{
    static char text[240 * 96 + 64];
    FILE *in;
    if (argc > 1) {
        in = fopen(argv[1], "r");
        if (!in) {
            perror(argv[1]);
            return 1;
        }
    } else {
        size_t used = (size_t)sprintf(text, "N,D,loss\n");
        uint64_t s = 2024;
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 6; j++) {
                double N = pow(10.0, 7.8 + 2.4 * i / 39.0), D = 20 * N * pow(10.0, (j - 2.5) / 2.5);
                double L = (1.82 + 482 * pow(N, -0.35) + 2085 * pow(D, -0.37)) *
                           exp(0.03 * normal(&s));
                used += (size_t)sprintf(text + used, "%.17g,%.17g,%.17g\n", N, D, L);
            }
        in = fmemopen(text, used, "r");
    }
    const char *xc[] = {"N", "D"};
    slt_fit_data d;
    int rc = slt_fit_data_read(in, argc > 1 ? argv[1] : "synthetic", xc, 2, "loss", NULL, NULL, 0, &d);
    fclose(in);
    if (rc) die("reading", rc);
    printf("bench_fit: chinchilla law, %zu runs, %d threads\n", d.n_rows, omp_get_max_threads());

    slt_fit_params p;
    slt_fit_params_default(&p);
    p.law = SLT_FIT_LAW_CHINCHILLA;

    /* baseline: one start (Besiroglu et al.'s bootstrap start) refined, repeated */
    const double start[5] = {log(1.69), log(406.4), log(410.7), 0.34, 0.28};
    const int reps = 20;
    double t0 = now(), f = NAN;
    for (int k = 0; k < reps; k++) {
        double th[5];
        memcpy(th, start, sizeof th);
        slt_fit_single(&d, &p, th, &f);
    }
    const double single = (now() - t0) / reps;
    printf("  baseline: one start refined by BFGS2 (+ Gauss-Newton polish), one thread: "
           "%.3f ms per fit\n", 1e3 * single);

    slt_fit_result r;
    t0 = now();
    rc = slt_fit_run(&d, &p, &r, NULL, NULL);
    double t_grid = now() - t0;
    if (rc) die("grid fit", rc);
    printf("grid: %zu starts in %.2f s (target <= 1 s); %.2f x the baseline per fit; "
           "baseline x 4500 = %.2f s on one thread\n", r.starts_run, t_grid,
           t_grid / single / (double)r.starts_run, single * (double)r.starts_run);
    print_fit("grid estimate", &r);
    double best[5];
    memcpy(best, r.theta, sizeof best);
    slt_fit_result_free(&r);

    p.theta0 = best; /* the bootstrap cost alone: the grid's estimate as the one start */
    p.bootstrap = 4000;
    t0 = now();
    rc = slt_fit_run(&d, &p, &r, NULL, NULL);
    double t_boot = now() - t0;
    if (rc) die("bootstrap", rc);
    printf("bootstrap: %zu refits (%zu converged) in %.2f s (target <= 5 s); baseline x 4000 "
           "= %.2f s on one thread\n", r.bootstrap_run, r.bootstrap_converged, t_boot,
           single * 4000);
    for (size_t k = 0; k < 7; k++)
        printf("  %-6s %.5g  se %.3g  95%% [%.5g, %.5g]\n", r.q[k].name, r.q[k].estimate,
               r.q[k].se, r.q[k].ci_lo, r.q[k].ci_hi);
    slt_fit_result_free(&r);
    slt_fit_data_free(&d);
    return 0;
}
