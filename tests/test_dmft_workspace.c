/* The lazy DMFT workspace's contract (include/slt/dmft.h): a solve never writes the
 * parameters it was given or the workspace's copy of them, a workspace solves the same
 * times to the same bits again (its buffers and caches carry no state between solves
 * that changes an answer), and workspaces on one shared task solve concurrently to the
 * bits of a serial solve. References are the workspace's own first (serial) answers: the
 * properties are exact, so every comparison is bitwise, no tolerance. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "slt/dmft.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"
#include "../solvers/dmft/dmft_internal.h" /* the workspace's copy of the parameters */

#define NT 6

static slt_task *power_task(void)
{
    slt_power_law_params tp = slt_power_law_params_default();
    tp.alpha = 2.0;
    tp.beta = 0.5;
    tp.noise = 0.01;
    slt_task *task = NULL;
    assert_ok(slt_task_alloc_power_law(&tp, &task));
    return task;
}

/* every field of the parameters (the struct has padding: no memcmp) */
static void assert_same_params(const slt_dmft_params *a, const slt_dmft_params *b)
{
    assert_memory_equal(&a->N, &b->N, sizeof a->N);
    assert_memory_equal(&a->P, &b->P, sizeof a->P);
    assert_memory_equal(&a->eta, &b->eta, sizeof a->eta);
    assert_memory_equal(&a->momentum, &b->momentum, sizeof a->momentum);
    assert_memory_equal(&a->rel_tol, &b->rel_tol, sizeof a->rel_tol);
    assert_true(a->ensemble == b->ensemble);
    assert_true(a->share == b->share);
    assert_true(a->nodes == b->nodes);
    assert_true(a->max_newton == b->max_newton);
    assert_true(a->batch == b->batch);
    assert_true(a->sgd_form == b->sgd_form);
    assert_true(a->contour == b->contour);
}

/* the points of two solves agree to the bit (NaN fields compare by their bits too) */
static void assert_same_points(const slt_dmft_point *a, const slt_dmft_point *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].status, b[i].status);
        assert_memory_equal(&a[i].t, &b[i].t, sizeof a[i].t);
        assert_memory_equal(&a[i].test, &b[i].test, sizeof a[i].test);
        assert_memory_equal(&a[i].test_err, &b[i].test_err, sizeof a[i].test_err);
        assert_memory_equal(&a[i].train, &b[i].train, sizeof a[i].train);
        assert_memory_equal(&a[i].train_err, &b[i].train_err, sizeof a[i].train_err);
        assert_memory_equal(&a[i].test_slope, &b[i].test_slope, sizeof a[i].test_slope);
        assert_memory_equal(&a[i].sgd_gain, &b[i].sgd_gain, sizeof a[i].sgd_gain);
        assert_int_equal(a[i].newton_max, b[i].newton_max);
    }
}

/* Full-batch GD at P = ∞ with η·u_max in [1, 2): the solve routes through the online-SGD
 * solver with B = ∞ (dyn_gd.c), which used to rewrite w->p around that call. */
static slt_dmft_params gd_sgd_route(const slt_task *task)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 50;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(task, &p, &w));
    double umax;
    assert_ok(slt_dmft_spectrum_edge(w, &umax));
    slt_dmft_free(w);
    p.eta = 1.5 / umax;
    return p;
}

static void times_for(const slt_dmft_params *p, double *t)
{
    const double steps[NT] = {0, 1, 5, 20, 100, 1000};
    for (int i = 0; i < NT; i++) t[i] = p->eta > 0 ? steps[i] * p->eta : steps[i] / 10.0;
}

static void test_solve_leaves_params(void **state)
{
    (void)state;
    slt_task *task = power_task();
    slt_dmft_params p = gd_sgd_route(task);
    unsigned char before[sizeof p];
    memcpy(before, &p, sizeof p);
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(task, &p, &w));
    double t[NT];
    times_for(&p, t);
    slt_dmft_point o[NT];
    assert_ok(slt_dmft_solve(w, t, NT, o));
    assert_true(w->sgd_warm_time[0] > 0); /* the SGD route was taken */
    assert_memory_equal(before, &p, sizeof p); /* the caller's, byte for byte */
    assert_same_params(&w->p, &p);             /* and the workspace's copy */
    slt_dmft_free(w);
    slt_task_free(task);
}

/* flow, GD through either route, the ellipse, both heavy balls, online SGD, finite P */
static slt_dmft_params variant(const slt_task *task, int k)
{
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 50;
    switch (k) {
    case 0: p.P = 100; break;                                        /* flow */
    case 1: p = gd_sgd_route(task); break;                            /* GD via SGD */
    case 2: p.P = 100; p.eta = 0.5; break;                            /* GD, Talbot */
    case 3: p.P = 100; p.eta = 0.5; p.contour = SLT_DMFT_CONTOUR_ELLIPSE; break;
    case 4: p.P = 100; p.momentum = 2; break;                         /* heavy ball */
    case 5: p.P = 100; p.eta = 0.5; p.momentum = 0.5; break;          /* discrete */
    default: p.eta = 0.5; p.batch = 8; break;                         /* online SGD */
    }
    return p;
}
#define NVARIANTS 7

static void test_repeated_solves_agree(void **state)
{
    (void)state;
    slt_task *task = power_task();
    for (int k = 0; k < NVARIANTS; k++) {
        slt_dmft_params p = variant(task, k);
        slt_dmft_workspace *w = NULL;
        assert_ok(slt_dmft_alloc(task, &p, &w));
        double t[NT];
        times_for(&p, t);
        slt_dmft_point a[NT], b[NT], c[1];
        assert_ok(slt_dmft_solve(w, t, NT, a));
        /* a solve at another time in between must not leave anything behind */
        double t_other = 3.7 * (p.eta > 0 ? p.eta : 1.0);
        assert_ok(slt_dmft_solve(w, &t_other, 1, c));
        assert_ok(slt_dmft_solve(w, t, NT, b));
        assert_same_points(a, b, NT);
        slt_dmft_free(w);
    }
    slt_task_free(task);
}

typedef struct {
    const slt_task *task;
    slt_dmft_params p;
    double t[NT];
    slt_dmft_point out[NT];
    int rc;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    slt_dmft_workspace *w = NULL;
    j->rc = slt_dmft_alloc(j->task, &j->p, &w);
    if (!j->rc) j->rc = slt_dmft_solve(w, j->t, NT, j->out);
    slt_dmft_free(w);
    return NULL;
}

/* One task, one workspace per thread, every variant at once: the same bits as alone. */
static void test_threads_share_a_task(void **state)
{
    (void)state;
    slt_task *task = power_task();
    job serial[NVARIANTS], par[NVARIANTS];
    pthread_t th[NVARIANTS];
    for (int k = 0; k < NVARIANTS; k++) {
        serial[k].task = task;
        serial[k].p = variant(task, k);
        times_for(&serial[k].p, serial[k].t);
        run_job(&serial[k]);
        assert_ok(serial[k].rc);
        par[k] = serial[k];
        memset(par[k].out, 0, sizeof par[k].out);
    }
    for (int round = 0; round < 3; round++) {
        for (int k = 0; k < NVARIANTS; k++)
            assert_int_equal(pthread_create(&th[k], NULL, run_job, &par[k]), 0);
        for (int k = 0; k < NVARIANTS; k++) {
            assert_int_equal(pthread_join(th[k], NULL), 0);
            assert_ok(par[k].rc);
            assert_same_points(serial[k].out, par[k].out, NT);
        }
    }
    slt_task_free(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_solve_leaves_params),
        cmocka_unit_test(test_repeated_solves_agree),
        cmocka_unit_test(test_threads_share_a_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
