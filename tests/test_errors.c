/* The documented error returns of the public API that no other test program reaches: each
 * test calls one function the way its header says fails and checks the status (and, where
 * the header promises one, what the message names). The other documented returns are
 * checked next to the function's other tests (docs/testing.md lists where). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "slt/dmft.h"
#include "slt/kernels.h"
#include "slt/mc.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

static void assert_message(const char *part)
{
    if (!strstr(slt_last_error(), part)) {
        print_error("message \"%s\" does not contain \"%s\"\n", slt_last_error(), part);
        fail();
    }
}

/* ---- task.h -------------------------------------------------------------------- */

/* slt_power_law_params_check: SLT_EINVAL naming the field, its value and the range */
static void test_power_law_params_check(void **state)
{
    (void)state;
    slt_power_law_params p = slt_power_law_params_default();
    assert_ok(slt_power_law_params_check(&p));
    p.alpha = 0.5;
    assert_status(slt_power_law_params_check(&p), SLT_EINVAL);
    assert_message("alpha = 0.5");
    p = slt_power_law_params_default();
    p.noise = -1.0;
    assert_status(slt_power_law_params_check(&p), SLT_EINVAL);
    assert_message("noise");
}

/* slt_task_power_law: SLT_EINVAL for an explicit task */
static void test_task_power_law_explicit(void **state)
{
    (void)state;
    const double l[] = {1.0, 0.5}, t[] = {1.0, 0.25};
    slt_task *task = NULL;
    assert_ok(slt_task_alloc_explicit(2, l, t, 0.0, &task));
    slt_power_law_params p;
    assert_status(slt_task_power_law(task, &p), SLT_EINVAL);
    slt_task_free(task);
}

/* ---- dmft.h -------------------------------------------------------------------- */

/* slt_dmft_params_check: SLT_EINVAL naming the field */
static void test_dmft_params_check(void **state)
{
    (void)state;
    slt_dmft_params p = slt_dmft_params_default();
    assert_ok(slt_dmft_params_check(&p));
    p.N = 0.5;
    assert_status(slt_dmft_params_check(&p), SLT_EINVAL);
    assert_message("N = 0.5");
    p = slt_dmft_params_default();
    p.nodes = 9;
    assert_status(slt_dmft_params_check(&p), SLT_EINVAL);
    assert_message("nodes");
}

/* slt_dmft_sgd_gain: SLT_EINVAL when batch = 0 */
static void test_dmft_sgd_gain_full_batch(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.5, 1.0, 0.0);
    slt_dmft_params p = slt_dmft_params_default();
    p.eta = 0.5;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(task, &p, &w));
    double gain, err;
    assert_status(slt_dmft_sgd_gain(w, &gain, &err), SLT_EINVAL);
    slt_dmft_free(w);
    slt_task_free(task);
}

/* slt_dmft_solve: the ellipse contour's node count grows like √(t·u_max); past 8192 nodes
 * the point is SLT_ENOCONV (NaN, its own status), never a value with status ok */
static void test_dmft_ellipse_node_limit(void **state)
{
    (void)state;
    slt_task *task = test_power_law(1.5, 1.0, 0.0);
    slt_dmft_params p = slt_dmft_params_default();
    p.N = 100;
    p.contour = SLT_DMFT_CONTOUR_ELLIPSE;
    slt_dmft_workspace *w = NULL;
    assert_ok(slt_dmft_alloc(task, &p, &w));
    double t = 1e12;
    slt_dmft_point o;
    assert_status(slt_dmft_solve(w, &t, 1, &o), SLT_ENOCONV);
    assert_int_equal(o.status, SLT_ENOCONV);
    assert_true(isnan(o.test));
    slt_dmft_free(w);
    slt_task_free(task);
}

/* ---- kernels.h ----------------------------------------------------------------- */

/* slt_kernel_parse, slt_domain_parse: SLT_EINVAL listing the accepted names */
static void test_kernel_domain_parse(void **state)
{
    (void)state;
    slt_kernel_type k;
    slt_domain d;
    assert_ok(slt_kernel_parse("gaussian", &k));
    assert_int_equal(k, SLT_KERNEL_GAUSSIAN);
    assert_status(slt_kernel_parse("no-such-kernel", &k), SLT_EINVAL);
    assert_message("relu-ntk");
    assert_ok(slt_domain_parse("torus", &d));
    assert_int_equal(d, SLT_DOMAIN_TORUS);
    assert_status(slt_domain_parse("cube", &d), SLT_EINVAL);
    assert_message("sphere");
}

static slt_kernels_spectrum *small_spectrum(void)
{
    slt_kernels_params p = slt_kernels_params_default();
    p.lmax = 40;
    slt_kernels_workspace *ws = NULL;
    slt_kernels_spectrum *s = NULL;
    assert_ok(slt_kernels_alloc(&p, &ws));
    assert_ok(slt_kernels_spectrum_compute(ws, &s));
    slt_kernels_free(ws);
    return s;
}

/* slt_kernels_fit_decay: SLT_EINVAL for a bad window */
static void test_fit_decay_bad_window(void **state)
{
    (void)state;
    slt_kernels_spectrum *s = small_spectrum();
    slt_kernels_fit f;
    slt_kernels_fit_params fp = slt_kernels_fit_params_default();
    fp.lo = 20;
    fp.hi = 10;
    assert_status(slt_kernels_fit_decay(s, &fp, &f), SLT_EINVAL);
    assert_message("window");
    fp = slt_kernels_fit_params_default();
    fp.min_points = 2;
    assert_status(slt_kernels_fit_decay(s, &fp, &f), SLT_EINVAL);
    assert_message("min_points = 2");
    slt_kernels_spectrum_free(s);
}

/* slt_kernels_fit_source: SLT_EDOM with fewer than 5 usable boundaries in the window, and
 * with an infinite tail past lmax */
static void test_fit_source_edom(void **state)
{
    (void)state;
    slt_kernels_spectrum *s = small_spectrum();
    size_t n = s->n_levels;
    double *pw = malloc(n * sizeof(double)), *pe = malloc(n * sizeof(double));
    assert_ok(slt_kernels_target_isotropic(s, pw, pe));
    slt_kernels_beyond b;
    assert_ok(slt_kernels_beyond_isotropic(s, &b));
    slt_kernels_fit f;
    assert_ok(slt_kernels_fit_decay(s, NULL, &f));
    double beta, beta_err;
    slt_kernels_fit narrow = f;
    narrow.lo = 10.0;
    narrow.hi = 11.0;
    assert_status(slt_kernels_fit_source(s, pw, pe, &b, &narrow, &beta, &beta_err), SLT_EDOM);
    assert_message("usable level boundaries");
    slt_kernels_beyond inf = b;
    inf.learnable = INFINITY;
    assert_status(slt_kernels_fit_source(s, pw, pe, &inf, &f, &beta, &beta_err), SLT_EDOM);
    assert_message("beyond->learnable");
    free(pw);
    free(pe);
    slt_kernels_spectrum_free(s);
}

/* slt_kernels_save: SLT_EIO on failure (a directory that does not exist) */
static void test_kernels_save_eio(void **state)
{
    (void)state;
    slt_kernels_spectrum *s = small_spectrum();
    size_t written;
    assert_status(slt_kernels_save(s, NULL, NULL, "/nonexistent-slt-dir/task.txt", &written,
                                   NULL, NULL, NULL),
                  SLT_EIO);
    slt_kernels_spectrum_free(s);
}

/* ---- mc.h ---------------------------------------------------------------------- */

/* slt_mc_kernel_evaluate: SLT_ELOSS for an unusable Gram matrix (two equal training
 * points and no ridge: K is singular) */
static void test_mc_kernel_evaluate_eloss(void **state)
{
    (void)state;
    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_KERNEL;
    p.N = INFINITY;
    p.P = 2;
    p.ridge = 0.0;
    p.sphere.dim = 3;
    p.sphere.kernel = SLT_MC_KERNEL_GAUSSIAN;
    double X[] = {1, 0, 0, 1, 0, 0}, Xt[] = {0, 1, 0}, y[] = {1, -1}, te, tr;
    assert_status(slt_mc_kernel_evaluate(&p, 2, X, y, 1, Xt, &te, &tr), SLT_ELOSS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_law_params_check),
        cmocka_unit_test(test_task_power_law_explicit),
        cmocka_unit_test(test_dmft_params_check),
        cmocka_unit_test(test_dmft_sgd_gain_full_batch),
        cmocka_unit_test(test_dmft_ellipse_node_limit),
        cmocka_unit_test(test_kernel_domain_parse),
        cmocka_unit_test(test_fit_decay_bad_window),
        cmocka_unit_test(test_fit_source_edom),
        cmocka_unit_test(test_kernels_save_eio),
        cmocka_unit_test(test_mc_kernel_evaluate_eloss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
