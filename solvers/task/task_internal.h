/* Private layout of slt_task, shared by the task layer's own files only. */
#ifndef SLT_TASK_INTERNAL_H
#define SLT_TASK_INTERNAL_H

#include "slt/task.h"

/* Head modes whose λ_k, t_k a power-law task computes once at allocation. Sums start
 * with this head and grow it only when the tail's error estimate asks for more. */
#define SLT_TASK_HEAD_CACHE 512

/* Explicit tasks with many modes are compressed for the resolvent sums (sums.c): runs of
 * consecutive levels whose λ lie within a factor 1 + 2h of each other form a cluster with
 * centre c and radius ρ, summarised by the moments Σ w (λ − c)^n, n < SLT_CLUSTER_MOMENTS,
 * for the weights w = mλ, mλ², P (m the multiplicity, P the level's target power).
 * 1/(λ + z)^j then expands in (λ − c)/(c + z). */
#define SLT_CLUSTER_MOMENTS 16
#define SLT_CLUSTER_MIN_MODES 16      /* levels; smaller runs stay in the direct head */
#define SLT_CLUSTER_HALF_WIDTH 0.05   /* h: λ_max/λ_min <= 1 + 2h within a cluster */
#define SLT_CLUSTER_MIN_TASK 32       /* tasks with fewer levels are not compressed (1024
                                       * until issue 13: a 1000-mode task then ran slower
                                       * than a 1024-mode one; docs/theory/task.md §8) */
#define SLT_CLUSTER_BLOCK 64          /* moments are accumulated in blocks of this many levels */

typedef struct {
    size_t first, count;                      /* levels first … first + count − 1 (0-based) */
    double c, rho;                            /* centre and radius in λ */
    double mom[3][SLT_CLUSTER_MOMENTS];       /* Σ w δ^n, δ = λ − c; w = mλ, mλ², P */
    double wsum[3];                           /* Σ |w| */
    double mom_round;                         /* each mom[q][n] is within mom_round·wsum[q]·ρ^n
                                               * of the exact moment (blocked accumulation
                                               * of terms good to a few ulps) */
} slt_cluster;

struct slt_task {
    slt_task_kind kind;
    slt_power_law_params law; /* power law only */
    double q;                 /* αβ + 1, the decay exponent of t_k (power law only) */
    double noise;
    size_t m;                 /* explicit: number of levels; power law: cached head */
    double *lambda;           /* λ_1 … λ_m */
    double *target;           /* the level's total target power P_1 … P_m (= t_k if m_k = 1) */
    double *mult;             /* multiplicities m_1 … m_m; NULL when every one is 1 (then
                               * every sum runs the per-mode code of old, bit for bit) */
    size_t *cum;              /* with mult: cum[i] = m_1 + … + m_{i+1}, saturated at SIZE_MAX */
    size_t modes;             /* explicit: Σ m_i, or SLT_MODES_INFINITE when it does not fit */
    int has_tail;             /* explicit: a moment tail beyond the listed levels */
    slt_task_tail tail;       /* its moments (slt_task_alloc_levels_tail), when has_tail */
    size_t n_head;            /* explicit: levels summed directly (then the clusters) */
    size_t n_clusters;
    slt_cluster *clusters;
};

/* Builds the clusters of an explicit task (task.c); on allocation failure the task is
 * simply left uncompressed (n_head = m). */
void slt_task_build_clusters(slt_task *task);

/* The tail's part of a named sum (tail_sums.c): by the series in λ/z of
 * docs/theory/task.md, "the moment tail", or the rigorous bracket, whichever bound is
 * smaller. Real: κ > 0 (time >= 0 for decay; par unused for target, trace). Complex: z off
 * [−λ_sup, 0], names DF … K2T2 only. SLT_EDOM (with a message) when no bound exists. */
int slt_tail_real(const slt_task *task, slt_sum_name name, double par, const char *where,
                  double *value, double *err);
int slt_tail_complex(const slt_task *task, slt_sum_name name, double complex z,
                     const char *where, double complex *value, double *err);

#endif
