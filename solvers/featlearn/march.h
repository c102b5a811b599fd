/* Forward marching of the discrete-time rich DMFT (docs/theory/featlearn.md §9, "method
 * march"): GD with step η at width N (1/N = 0 allowed), population gradient or online SGD
 * with batch B, any γ >= 0, on a list of spectral nodes (nodes.h). Internal to libslt.
 *
 * march_run computes, for every step n = 0..T, the test loss L(n) and the readout norm
 * q(n) = C_w(n,n) = |w_n|²/N. It is exact for the discrete DMFT (up to rounding) on exact
 * nodes. Cost O(K·T³) time, O(K·T²) memory (march_bytes). Deterministic: the results do
 * not depend on the number of OpenMP threads (every output element is accumulated by one
 * thread in a fixed order; node sums run in node order).
 *
 * Returns SLT_OK (all T + 1 rows valid), SLT_EDIVERGE (the loss became non-finite or
 * exceeded MARCH_DIVERGE_FACTOR·L(0) at step *valid; rows < *valid are valid; the message
 * names the step, t = ηn and eta), SLT_ENOMEM (the message gives the bytes needed),
 * SLT_EINVAL (batch > 0 with finite P). Not thread-safe with respect to slt_last_error
 * only (per thread); otherwise reentrant.
 *
 * Finite P (full-batch GD on P fixed samples, docs/theory/featlearn.md §9.8): march_run2
 * (and march_run, which then returns the test loss only) adds the data-side process of the
 * shared note §3.5: per node E_j = H_j R_w̃, F_j = Φ_r E_j with H_j = (I + λ_j R_w̃ Φ_r)^{-1},
 * R_v = −(1/P) Σ count λ E, Φ_r = (I − R_v)^{-1}, C_v (test loss on its diagonal) and
 * C_r = Φ_r C_v Φ_rᵀ (train loss on its diagonal). About 3.5× the work and 2× the memory
 * of the population marching (march_bytes_data). */
#ifndef SLT_FEATLEARN_MARCH_H
#define SLT_FEATLEARN_MARCH_H

#include <stddef.h>

#include "nodes.h"
#include "slt/featlearn.h"

/* A loss above this multiple of L(0) counts as divergence (a stable GD/SGD run never
 * exceeds L(0) by more than a modest factor: the loss of each mode is bounded by its
 * initial value times the growth of oscillating modes, which stays O(1) below the edge). */
#define MARCH_DIVERGE_FACTOR 1e8
/* ... or the loss being descended (the test loss with the population gradient or online
 * SGD, the train loss at finite P) above this multiple of its lowest value so far. Not
 * tighter: a catapult (the loss spiking and settling back) is a legitimate, accurately
 * computed run (measured: 22× at N = P = 2, γ = 5, η = 0.1, errors 1e-5 relative; 27× at
 * N = 3, P = 2, γ = 1). Values on a trajectory that becomes unstable are caught by their
 * error estimate instead: the rounding of an unstable mode grows exponentially, and a
 * point whose error is as large as its value is SLT_ELOSS (march_points_ex). */
#define MARCH_GROWTH_FACTOR 100.0
/* ... and the test loss at finite P above this multiple of its lowest value (it may rise
 * legitimately, overfitting near N = P, but not by two decades) */
#define MARCH_TEST_GROWTH_FACTOR 100.0

/* Per-step work n²K below which the node loops stay on one thread (default 4e6); tests set
 * it to 0 to exercise the parallel loops. Not thread-safe to change during a run. */
extern size_t march_omp_min_work;

/* 1 when two independent marchings of K nodes and T steps (march_points: the reversed-order
 * run; solve.c: the coarse and fine quadrature sets) run on two threads at once. */
int march_runs_parallel(size_t K, size_t T);

/* Bytes march_run allocates for K nodes and T steps at this N (finite N needs the
 * finite-width arrays), as a double (no overflow). */
double march_bytes(size_t K, size_t T, double N);

/* Bytes the finite-P marching allocates for K nodes and T steps, as a double. */
double march_bytes_data(size_t K, size_t T);

/* test[n], q[n] for n = 0..T (arrays of T + 1 doubles; q may be NULL). eta > 0.
 * p supplies gamma, N, batch, P (finite P: the test loss of the finite-P marching). */
int march_run(const fl_nodes *nd, const slt_featlearn_params *p, double eta, size_t T,
              double *test, double *q, size_t *valid);

/* march_run with the train loss too: train[n] for n = 0..T (NULL allowed); = test at P = ∞. */
int march_run2(const fl_nodes *nd, const slt_featlearn_params *p, double eta, size_t T,
               double *test, double *train, double *q, size_t *valid);

/* The finite-P marching with 1/P = invP given (0 allowed: the population equations in the
 * finite-P arrangement, Φ_r = I, F = E, C_r = C_v; used by the tests); p->P is only named in
 * messages. batch > 0 is SLT_EINVAL. */
int march_run_data(const fl_nodes *nd, const slt_featlearn_params *p, double eta, size_t T,
                   double invP, double *test, double *train, double *q, size_t *valid);

#endif

/* The points of slt_featlearn_solve for method march at the FINITE times times[0..n−1]
 * (nondecreasing, >= 0; the caller handles t = ∞). eta > 0: one marching to the largest
 * step, times rounded to whole steps (the point's t = ηn). eta = 0: gradient flow by
 * Richardson extrapolation over three marchings per time (steps η₀, η₀/2, η₀/4 with
 * t = n₀η₀, n₀ = max(8, ⌈8tλ₁⌉)). Whole-call errors before any point is filled: SLT_EDOM
 * (0 < t < η/2 naming times[i]; more than max_march_steps steps, naming it and the steps
 * needed). Otherwise every point is filled (failed ones NaN with their status) and the
 * first failing status is returned with its message. */
int march_points(const fl_nodes *nd, const slt_featlearn_params *p, const double *times,
                 size_t n, slt_featlearn_point *out);
/* The same with the error estimate chosen: check = 1 as march_points; check = 0 no second
 * marching, test_err and q_err only the rounding bound (for a caller that estimates the
 * rest itself, as the quadrature does with its two node sets). */
int march_points_ex(const fl_nodes *nd, const slt_featlearn_params *p, const double *times,
                    size_t n, slt_featlearn_point *out, int check);
