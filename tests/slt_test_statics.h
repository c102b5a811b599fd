/* Shared helper of the tests that solve kernel learning curves (statics). */
#ifndef SLT_TEST_STATICS_H
#define SLT_TEST_STATICS_H

#include <math.h>

#include "slt_test.h"
#include "slt/statics.h"

/* The kernel regression test loss at P (ridgeless, N = ∞) on task. */
static inline slt_statics_result slt_test_krr(const slt_task *task, double P)
{
    slt_statics_workspace *w = NULL;
    assert_int_equal(slt_statics_alloc(task, &w), SLT_OK);
    slt_statics_params sp = slt_statics_params_default();
    sp.N = INFINITY;
    sp.P = P;
    slt_statics_result r;
    assert_int_equal(slt_statics_solve(w, &sp, &r), SLT_OK);
    slt_statics_free(w);
    return r;
}

#endif
