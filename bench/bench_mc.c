/* Monte Carlo speed: the per-trial cost of the random-feature model (N = P = 400,
 * M = 4000, 20 times) next to two baselines measured in the same process, all on one
 * thread:
 *   1. a bare LAPACKE_dsyevd of a 400×400 symmetric matrix (the one eigendecomposition
 *      a trial needs; target: trial <= 1.5× this);
 *   2. explicit gradient descent on the same realisation to 10^4 steps, recording the
 *      test loss at the same 20 step counts (target: the eigen-solution >= 20× faster).
 * Also splits a trial into sampling, the product Φ = ΨAᵀ/√N (which every method needs)
 * and the solve, and checks that the eigen-solution and the explicit steps agree.
 * Prints the figures; nothing is asserted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cblas.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>

#include "slt/mc.h"
#include "slt/status.h"
#include "slt/task.h"

/* gsl_randist.h would pull in gsl_cblas.h, which clashes with OpenBLAS's cblas.h. */
double gsl_ran_gaussian_ziggurat(const gsl_rng *r, const double sigma);
void openblas_set_num_threads(int num_threads);

enum { N = 400, P = 400, M = 4000, T = 20, REPS = 4, GD_STEPS = 10000 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_mc: %s failed: %s (%s)\n", what, slt_strerror(rc), slt_last_error());
    exit(1);
}

int main(void)
{
    openblas_set_num_threads(1);
    slt_power_law_params lp = slt_power_law_params_default();
    lp.alpha = 1.5;
    lp.beta = 0.5;
    lp.noise = 0.01;
    slt_task *task = NULL;
    int rc = slt_task_alloc_power_law(&lp, &task);
    if (rc) die("task", rc);

    /* GD with eta = 1 (stable: eta·g_max ≈ 1.5 here) at 20 log-spaced step counts to 10^4 */
    const double eta = 1.0;
    double times[T];
    long steps[T];
    for (int i = 0; i < T; i++) {
        steps[i] = lround(pow(10.0, 4.0 * (i + 1) / T));
        times[i] = eta * (double)steps[i];
    }

    /* ---- 1. the MC trial (slt_mc_run, one thread) ---- */
    slt_mc_params p = slt_mc_params_default();
    p.N = N;
    p.P = P;
    p.M = M;
    p.eta = eta;
    p.trials = REPS;
    p.threads = 1;
    slt_mc_result *r = NULL;
    double t0 = now();
    if ((rc = slt_mc_run(task, &p, times, T, &r))) die("slt_mc_run", rc);
    double per_trial = (now() - t0) / REPS;
    if (r->unstable_trials) fprintf(stderr, "bench_mc: note: %zu unstable trials\n", r->unstable_trials);
    slt_mc_result_free(r);

    /* ---- 2. a bare dsyevd of the same size ---- */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 12345);
    double *X = malloc(sizeof(double) * N * P), *S = malloc(sizeof(double) * N * N),
           *ev = malloc(sizeof(double) * N), *work = malloc(sizeof(double) * N * N);
    for (size_t i = 0; i < (size_t)N * P; i++) X[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, N, P, 1.0 / P, X, N, 0.0, S, N);
    double best_evd = INFINITY, sum_evd = 0;
    for (int rep = 0; rep < REPS; rep++) {
        for (size_t i = 0; i < (size_t)N * N; i++) work[i] = S[i];
        t0 = now();
        if (LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', N, work, N, ev) != 0) die("dsyevd", 0);
        double dt = now() - t0;
        sum_evd += dt;
        if (dt < best_evd) best_evd = dt;
    }
    double evd = sum_evd / REPS;

    /* ---- 3. one realisation: sampling, the eigen-solution, explicit GD ---- */
    double *lambda = malloc(sizeof(double) * M), *wstar = malloc(sizeof(double) * M);
    double *A = malloc(sizeof(double) * N * M), *psi = malloc(sizeof(double) * P * M);
    double *y = malloc(sizeof(double) * P), *phi = malloc(sizeof(double) * P * N);
    for (size_t k = 0; k < M; k++) {
        lambda[k] = slt_task_lambda(task, k + 1);
        wstar[k] = sqrt(slt_task_target(task, k + 1) / lambda[k]);
    }
    t0 = now();
    for (size_t i = 0; i < (size_t)N * M; i++) A[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
    for (size_t mu = 0; mu < P; mu++)
        for (size_t k = 0; k < M; k++)
            psi[mu * M + k] = gsl_ran_gaussian_ziggurat(g, 1.0) * sqrt(lambda[k]);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, P, M, 1.0, psi, M, wstar, 1, 0.0, y, 1);
    for (size_t mu = 0; mu < P; mu++) y[mu] += 0.1 * gsl_ran_gaussian_ziggurat(g, 1.0);
    double sampling = now() - t0;

    slt_mc_realisation real = {.N = N, .P = P, .M = M, .lambda = lambda, .wstar = wstar,
                               .A = A, .psi = psi, .y = y};
    double test_eig[T], train_eig[T];
    t0 = now();
    if ((rc = slt_mc_evaluate(&p, &real, times, T, test_eig, train_eig))) die("evaluate", rc);
    double eigen = now() - t0;

    /* explicit GD: Φ = ΨAᵀ/√N once, then w += η Φᵀ(y − Φw)/P; the test loss
     * Σ_k λ_k (w*_k − (Aᵀw)_k/√N)² at the same step counts */
    double *w = calloc(N, sizeof(double)), *res = malloc(sizeof(double) * P),
           *u = malloc(sizeof(double) * M), test_gd[T];
    t0 = now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, P, N, M, 1.0 / sqrt((double)N), psi, M,
                A, M, 0.0, phi, N);
    double gd_setup = now() - t0;
    long done = 0;
    for (int i = 0; i < T; i++) {
        for (; done < steps[i]; done++) {
            for (size_t mu = 0; mu < P; mu++) res[mu] = y[mu];
            cblas_dgemv(CblasRowMajor, CblasNoTrans, P, N, -1.0, phi, N, w, 1, 1.0, res, 1);
            cblas_dgemv(CblasRowMajor, CblasTrans, P, N, eta / P, phi, N, res, 1, 1.0, w, 1);
        }
        cblas_dgemv(CblasRowMajor, CblasTrans, N, M, 1.0 / sqrt((double)N), A, M, w, 1, 0.0, u, 1);
        double L = 0;
        for (size_t k = 0; k < M; k++) L += lambda[k] * (wstar[k] - u[k]) * (wstar[k] - u[k]);
        test_gd[i] = L;
    }
    double gd = now() - t0;
    double maxrel = 0;
    for (int i = 0; i < T; i++) {
        double rel = fabs(test_eig[i] - test_gd[i]) / fabs(test_gd[i]);
        if (rel > maxrel) maxrel = rel;
    }

    printf("Monte Carlo referee, rf model, N = P = %d, M = %d, %d times (GD, eta = %g, up to %d "
           "steps), 1 thread\n", N, M, T, eta, (int)GD_STEPS);
    printf("  MC trial (slt_mc_run, mean of %d)         %8.1f ms\n", REPS, 1e3 * per_trial);
    printf("  bare LAPACKE_dsyevd %dx%d (mean; best)   %8.1f ms; %.1f ms\n", N, N, 1e3 * evd,
           1e3 * best_evd);
    printf("  ratio trial / dsyevd                      %8.2f   (target <= 1.5)\n",
           per_trial / evd);
    printf("  one realisation: sampling A, Psi, y (%zu normals) %8.1f ms\n",
           (size_t)(N + P) * M + P, 1e3 * sampling);
    printf("  one realisation: eigen-solution, %d times  %8.1f ms\n", T, 1e3 * eigen);
    printf("  one realisation: explicit GD, 10^4 steps   %8.1f ms (of which Phi %.1f ms)\n",
           1e3 * gd, 1e3 * gd_setup);
    printf("  ratio explicit GD / eigen-solution         %8.2f   (target >= 20)\n", gd / eigen);
    printf("  ratio (sampling + GD) / (sampling + eigen)  %8.2f   (the whole trial)\n",
           (sampling + gd) / (sampling + eigen));
    printf("  both need Phi = Psi A^T/sqrt(N) (%.2f GFlop); beyond it:\n", 2e-9 * P * N * M);
    printf("    eigen-solution without Phi               %8.1f ms = %.2f x dsyevd\n",
           1e3 * (eigen - gd_setup), (eigen - gd_setup) / evd);
    printf("    MC trial without sampling and Phi        %8.1f ms = %.2f x dsyevd\n",
           1e3 * (per_trial - sampling - gd_setup), (per_trial - sampling - gd_setup) / evd);
    printf("    ratio explicit GD / eigen, without Phi   %8.2f (slt_mc_evaluate); %.2f (in-trial "
           "solve)\n", (gd - gd_setup) / (eigen - gd_setup),
           (gd - gd_setup) / (per_trial - sampling - gd_setup));
    printf("  eigen-solution vs explicit GD: max relative difference of the test loss %.2g\n",
           maxrel);

    free(X); free(S); free(ev); free(work); free(lambda); free(wstar); free(A); free(psi);
    free(y); free(phi); free(w); free(res); free(u);
    gsl_rng_free(g);
    slt_task_free(task);
    return 0;
}
