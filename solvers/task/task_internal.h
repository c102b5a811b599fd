/* Private layout of slt_task, shared by the task layer's own files only. */
#ifndef SLT_TASK_INTERNAL_H
#define SLT_TASK_INTERNAL_H

#include "slt/task.h"

/* Head modes whose λ_k, t_k a power-law task computes once at allocation. Sums start
 * with this head and grow it only when the tail's error estimate asks for more. */
#define SLT_TASK_HEAD_CACHE 512

struct slt_task {
    slt_task_kind kind;
    slt_power_law_params law; /* power law only */
    double q;                 /* αβ + 1, the decay exponent of t_k (power law only) */
    double noise;
    size_t m;                 /* explicit: number of modes; power law: cached head */
    double *lambda;           /* λ_1 … λ_m */
    double *target;           /* t_1 … t_m */
};

#endif
