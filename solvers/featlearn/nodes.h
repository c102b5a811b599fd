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
    double *count;     /* modes the node stands for (sum of multiplicities), >= 1 */
    double *power;     /* their target power Σ t_k >= 0 (the collapsed mode's w*² = power/λ) */
    double trace;      /* Σ_j count_j λ_j: TrΛ of the task (exactly, for exact nodes) */
    double power_total;/* Σ_j power_j */
    double power_left; /* target power of modes no node stands for (0 for exact nodes) */
    int exact;         /* 1: exact collapse of eigenspaces; 0: a quadrature */
} fl_nodes;

/* Exact nodes of a task made of levels (slt_task_levels > 0, no tail): one node per
 * distinct eigenvalue. SLT_EDOM (message names max_nodes) when there are more than
 * max_nodes distinct eigenvalues, or when the task is not a finite list of levels;
 * SLT_ENOMEM. On error *out is zeroed. */
int fl_nodes_exact(const slt_task *task, size_t max_nodes, fl_nodes *out);

void fl_nodes_free(fl_nodes *n); /* frees the arrays, zeroes *n; accepts NULL */

#endif
