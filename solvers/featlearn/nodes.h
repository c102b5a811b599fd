/* Spectral nodes of the rich DMFT (docs/theory/featlearn.md, "nodes"): every solver of
 * solvers/featlearn works on a list of nodes j = 1..K, each standing for a group of modes
 * with one eigenvalue λ_j. The DMFT's equations depend on a mode only through λ_k, and
 * their sums carry the weights 1 (counts: TrΛ/N, R_x) and t_k (target power), so a group
 * enters through (λ_j, count_j, power_j).
 *
 * exact = 1: each node is one eigenspace (consecutive equal λ merged): the collapse is
 * exact (docs/theory/featlearn.md §3, "degenerate eigenvalues").
 * exact = 0: a spectrum quadrature (a group of unequal λ stands in for one node): an
 * approximation whose error the caller estimates by refining (head, per_decade).
 * Internal to libslt (not installed). */
#ifndef SLT_FEATLEARN_NODES_H
#define SLT_FEATLEARN_NODES_H

#include <stddef.h>

#include "slt/task.h"

typedef struct {
    size_t K;          /* number of nodes */
    double *lambda;    /* λ_j > 0, non-increasing */
    double *count;     /* modes the node stands for (sum of multiplicities), >= 1; for a
                          quadrature group an effective count > 0 (fl_nodes_quadrature) */
    double *power;     /* their target power Σ t_k >= 0 (the collapsed mode's w*² = power/λ) */
    double trace;      /* Σ_j count_j λ_j: TrΛ of the task (exactly, for exact nodes) */
    double power_total;/* Σ_j power_j */
    double power_left; /* bound on |power_total − the task's Σ t_k| (target power no node
                          stands for, and rounding of the group sums); 0 for exact nodes */
    int exact;         /* 1: exact collapse of eigenspaces; 0: a quadrature */
    double trace_err;  /* bound on |trace − TrΛ of the task| (quadrature: the ζ evaluations) */
    size_t head;       /* quadrature: nodes 0..head-1 are single eigenspaces (explicit) */
    int tail_node;     /* quadrature of a power law: 1 when the last node lumps every mode
                          k > k_end (λ_k below FL_QUAD_LAMBDA_FLOOR·λ_1) */
    double k_end;      /* quadrature of a power law: the last mode a group covers */
} fl_nodes;

/* Exact nodes of a task made of levels (slt_task_levels > 0, no tail): one node per
 * distinct eigenvalue. SLT_EDOM (message names max_nodes) when there are more than
 * max_nodes distinct eigenvalues, or when the task is not a finite list of levels;
 * SLT_ENOMEM. On error *out is zeroed. */
int fl_nodes_exact(const slt_task *task, size_t max_nodes, fl_nodes *out);

/* Spectrum quadrature (docs/theory/featlearn.md, "spectrum quadrature"). The first `head`
 * eigenspaces (distinct eigenvalues; k <= head on a power law) are single nodes; the rest
 * is cut into groups log-spaced in the mode index k, boundaries head·10^{i/per_decade}; a
 * group stands for its modes with
 *     power_j = Σ_group t_k,   λ_j = Σ_group t_k λ_k / power_j  (power-weighted mean),
 *     count_j = Σ_group λ_k / λ_j  (an effective count: count_j λ_j is the group trace),
 * so the trace Σ count·λ, the total power and the first moment Σ t λ are kept exactly (to
 * rounding: trace_err and power_left bound the difference; a group of zero power gets the
 * plain mean λ and its number of modes). On a power law (M = ∞) the groups run up to
 * k_end, the first boundary with λ_k <= FL_QUAD_LAMBDA_FLOOR·λ_1; every mode beyond is one
 * last node (tail_node = 1) built by the same rule, so nothing is dropped. Group sums of a
 * power law are Hurwitz ζ differences (GSL), their error bounds summed into trace_err and
 * power_left. An explicit task with at most `head` distinct eigenvalues gets exact nodes
 * (fl_nodes_exact). Errors: SLT_EDOM for a task with a moment tail (known by its moments
 * only) and when more than max_nodes nodes would be needed (the message names max_nodes);
 * SLT_EINVAL for head or per_decade = 0; SLT_ENOMEM. On error *out is zeroed. */
#define FL_QUAD_LAMBDA_FLOOR 1e-10
/* 1 (default): the group counts also keep Σ count·λ² (put_group); 0: each node takes its
 * power share of the group trace (the first rule). A switch for the measurement of
 * docs/theory/featlearn.md §9.8 and its test; not thread-safe to change during a solve. */
extern int fl_quad_count_moment;
int fl_nodes_quadrature(const slt_task *task, size_t head, size_t per_decade, size_t max_nodes,
                        fl_nodes *out);

void fl_nodes_free(fl_nodes *n); /* frees the arrays, zeroes *n; accepts NULL */

#endif
