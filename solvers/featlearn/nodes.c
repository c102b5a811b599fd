/* Spectral nodes for the rich DMFT (nodes.h). */
#include <stdlib.h>
#include <string.h>

#include "nodes.h"
#include "slt/status.h"

void fl_nodes_free(fl_nodes *n)
{
    if (!n) return;
    free(n->lambda);
    free(n->count);
    free(n->power);
    memset(n, 0, sizeof *n);
}

static int nodes_alloc(fl_nodes *n, size_t K)
{
    memset(n, 0, sizeof *n);
    n->lambda = malloc((K ? K : 1) * sizeof *n->lambda);
    n->count = malloc((K ? K : 1) * sizeof *n->count);
    n->power = malloc((K ? K : 1) * sizeof *n->power);
    if (!n->lambda || !n->count || !n->power) {
        fl_nodes_free(n);
        return slt_error(SLT_ENOMEM, "featlearn: out of memory (%zu spectral nodes)", K);
    }
    return SLT_OK;
}

int fl_nodes_exact(const slt_task *task, size_t max_nodes, fl_nodes *out)
{
    memset(out, 0, sizeof *out);
    slt_task_tail tl;
    if (slt_task_get_kind(task) != SLT_TASK_EXPLICIT || slt_task_get_tail(task, &tl) == SLT_OK) {
        slt_error_clear();
        return slt_error(SLT_EDOM, "featlearn: exact nodes need an explicit task of at most "
                         "%zu distinct eigenvalues; this task has M = inf (a power law at "
                         "M = inf, or a moment tail)", max_nodes);
    }
    slt_error_clear(); /* the probe above leaves "no tail" as the message */
    size_t nlev = slt_task_levels(task), K = 0;
    slt_level lv, prev = {0, 0, 0};
    for (size_t i = 1; i <= nlev; i++) {
        if (slt_task_level(task, i, &lv))
            return slt_error(SLT_EINTERNAL, "featlearn: level %zu: %s", i, slt_last_error());
        if (i == 1 || lv.lambda != prev.lambda) K++;
        prev = lv;
    }
    if (K > max_nodes)
        return slt_error(SLT_EDOM, "featlearn: the task has M = %zu distinct eigenvalues, more "
                         "than max_modes = %zu", K, max_nodes);
    int rc = nodes_alloc(out, K);
    if (rc) return rc;
    size_t k = 0;
    for (size_t i = 1; i <= nlev; i++) {
        slt_task_level(task, i, &lv);
        if (i > 1 && lv.lambda == out->lambda[k - 1]) {
            out->count[k - 1] += lv.mult;
            out->power[k - 1] += lv.power;
        } else {
            out->lambda[k] = lv.lambda;
            out->count[k] = lv.mult;
            out->power[k++] = lv.power;
        }
        out->trace += lv.mult * lv.lambda;
        out->power_total += lv.power;
    }
    out->K = K;
    out->exact = 1;
    return SLT_OK;
}
