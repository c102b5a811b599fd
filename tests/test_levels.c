/* Levels with multiplicity (issue 12, item 1): a task of levels (λ_i, m_i, P_i) gives the
 * same answers as its expansion into Σ m_i modes of (λ_i, P_i/m_i) — every named sum (real
 * and complex, fused resolvent, clusters), the generic callbacks, the per-mode accessors,
 * the statics and the lazy DMFT — and the task file's third column round-trips. */
#include <complex.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slt/dmft.h"
#include "slt/mc.h"
#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

typedef struct {
    size_t n, M;
    double *lam, *mult, *pow; /* levels */
    double *elam, *etgt;      /* expansion */
    slt_task *lev, *exp;
} pair;

static uint64_t rng_state;
static double urand(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) * 0x1.0p-53;
}

/* n levels: λ geometric from 1 down by `ratio` per level, every fifth level repeating the
 * previous λ (equal λ allowed); m_i whole in 1 … mmax; P_i > 0 random, some 0. */
static pair make_pair(size_t n, double ratio, int mmax, double noise, uint64_t seed)
{
    pair p = {0};
    rng_state = seed;
    p.n = n;
    p.lam = malloc(n * sizeof(double));
    p.mult = malloc(n * sizeof(double));
    p.pow = malloc(n * sizeof(double));
    assert_non_null(p.lam);
    assert_non_null(p.mult);
    assert_non_null(p.pow);
    for (size_t i = 0; i < n; i++) {
        p.lam[i] = i == 0 ? 1.0 : (i % 5 == 4 ? p.lam[i - 1] : p.lam[i - 1] * ratio);
        p.mult[i] = 1.0 + floor(urand() * mmax);
        p.pow[i] = i % 7 == 6 ? 0.0 : p.mult[i] * pow(p.lam[i], 1.3) * (0.5 + urand());
        p.M += (size_t)p.mult[i];
    }
    p.elam = malloc(p.M * sizeof(double));
    p.etgt = malloc(p.M * sizeof(double));
    assert_non_null(p.elam);
    assert_non_null(p.etgt);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < (size_t)p.mult[i]; j++, k++) {
            p.elam[k] = p.lam[i];
            p.etgt[k] = p.pow[i] / p.mult[i];
        }
    assert_ok(slt_task_alloc_levels(n, p.lam, p.mult, p.pow, noise, &p.lev));
    assert_ok(slt_task_alloc_explicit(p.M, p.elam, p.etgt, noise, &p.exp));
    return p;
}

static void free_pair(pair *p)
{
    slt_task_free(p->lev);
    slt_task_free(p->exp);
    free(p->lam);
    free(p->mult);
    free(p->pow);
    free(p->elam);
    free(p->etgt);
}

/* The level sum and the per-mode sum are the same algebra in another summation order
 * (a level term m·f against m additions of f): TOL_ROUNDING_COND relative, and within
 * the two reported bounds together. */
static void same_sum(const char *what, const slt_sum *a, const slt_sum *b)
{
    assert_within(what, a->value, a->err + b->err, b->value, 0.0);
    assert_within(what, a->value, 0.0, b->value, TOL_ROUNDING_COND * fabs(b->value));
}

static void same_csum(const char *what, const slt_csum *a, const slt_csum *b)
{
    assert_within_c(what, a->value, a->err + b->err, b->value, 0.0);
    assert_within_c(what, a->value, 0.0, b->value, TOL_ROUNDING_COND * cabs(b->value));
}

static double gen_fn(double l, double t, void *ctx)
{
    (void)ctx;
    return l * l / (l + 0.01) + t * sqrt(l); /* linear in t, not in λ: m·f(λ, P/m) */
}

static double complex gen_cfn(double l, double t, void *ctx)
{
    (void)ctx;
    double complex z = 0.02 + 0.3 * I;
    return l / ((l + z) * (l + z)) + t * z / (l + z);
}

static void check_all_sums(const pair *p)
{
    slt_sum a, b;
    const double kappas[] = {0.0, 1e-12, 1e-6, 1e-3, 0.1, 1.0, 1e3};
    for (size_t i = 0; i < sizeof kappas / sizeof *kappas; i++) {
        double k = kappas[i];
        assert_ok(slt_sum_df(p->lev, k, &a));
        assert_ok(slt_sum_df(p->exp, k, &b));
        same_sum("df", &a, &b);
        assert_ok(slt_sum_df2(p->lev, k, &a));
        assert_ok(slt_sum_df2(p->exp, k, &b));
        same_sum("df2", &a, &b);
        assert_ok(slt_sum_kt1(p->lev, k, &a));
        assert_ok(slt_sum_kt1(p->exp, k, &b));
        same_sum("kt1", &a, &b);
        assert_ok(slt_sum_k2t2(p->lev, k, &a));
        assert_ok(slt_sum_k2t2(p->exp, k, &b));
        same_sum("k2t2", &a, &b);
        assert_ok(slt_sum_decay(p->lev, k, &a));
        assert_ok(slt_sum_decay(p->exp, k, &b));
        same_sum("decay", &a, &b);
    }
    assert_ok(slt_sum_target(p->lev, &a));
    assert_ok(slt_sum_target(p->exp, &b));
    same_sum("target", &a, &b);
    assert_ok(slt_task_sum(p->lev, gen_fn, NULL, NULL, &a));
    assert_ok(slt_task_sum(p->exp, gen_fn, NULL, NULL, &b));
    same_sum("generic", &a, &b);
    assert_int_equal(a.head_terms, p->n); /* one term per level */

    /* complex: right half plane, near the imaginary axis, and real z < −λ_1 */
    const double complex zs[] = {1e-3 + 1e-3 * I, 0.5 - 2.0 * I, 1e-6 + 0.0 * I,
                                 -1e-4 + 1e-2 * I, -3.0 + 0.0 * I, 2.0 + 0.0 * I};
    slt_csum ca, cb, ra[4], rb[4];
    for (size_t i = 0; i < sizeof zs / sizeof *zs; i++) {
        double complex z = zs[i];
        assert_ok(slt_csum_df(p->lev, z, &ca));
        assert_ok(slt_csum_df(p->exp, z, &cb));
        same_csum("csum df", &ca, &cb);
        assert_ok(slt_csum_df2(p->lev, z, &ca));
        assert_ok(slt_csum_df2(p->exp, z, &cb));
        same_csum("csum df2", &ca, &cb);
        assert_ok(slt_csum_kt1(p->lev, z, &ca));
        assert_ok(slt_csum_kt1(p->exp, z, &cb));
        same_csum("csum kt1", &ca, &cb);
        assert_ok(slt_csum_k2t2(p->lev, z, &ca));
        assert_ok(slt_csum_k2t2(p->exp, z, &cb));
        same_csum("csum k2t2", &ca, &cb);
        assert_ok(slt_csum_resolvent(p->lev, z, ra));
        assert_ok(slt_csum_resolvent(p->exp, z, rb));
        for (int k = 0; k < 4; k++) same_csum("resolvent", &ra[k], &rb[k]);
    }
    assert_ok(slt_task_csum(p->lev, gen_cfn, NULL, NULL, &ca));
    assert_ok(slt_task_csum(p->exp, gen_cfn, NULL, NULL, &cb));
    same_csum("generic complex", &ca, &cb);
}

/* a few levels, m up to 50: every level is summed directly */
static void test_sums_small(void **state)
{
    (void)state;
    pair p = make_pair(12, 0.6, 50, 0.0, 1);
    check_all_sums(&p);
    free_pair(&p);
}

/* 3000 levels in runs within 1 + 2h: the resolvent's clusters are built from levels (and
 * the ~75000-mode expansion's from modes) */
static void test_sums_clusters(void **state)
{
    (void)state;
    pair p = make_pair(3000, 0.996, 50, 0.0, 2);
    assert_true(p.n >= 1024 && p.M > 20 * 1024); /* SLT_CLUSTER_MIN_TASK, task_internal.h */
    check_all_sums(&p);
    free_pair(&p);
}

/* the per-mode view of a level task is its expansion, exactly */
static void test_accessors(void **state)
{
    (void)state;
    pair p = make_pair(40, 0.8, 50, 0.25, 3);
    assert_int_equal(slt_task_levels(p.lev), p.n);
    assert_int_equal(slt_task_modes(p.lev), p.M);
    assert_close(slt_task_modes_total(p.lev), (double)p.M, 0, 0);
    assert_int_equal(slt_task_levels(p.exp), p.M);
    assert_int_equal(slt_task_get_kind(p.lev), SLT_TASK_EXPLICIT);
    assert_close(slt_task_noise(p.lev), 0.25, 0, 0);
    for (size_t k = 1; k <= p.M; k++) {
        assert_close(slt_task_lambda(p.lev, k), p.elam[k - 1], 0, 0);
        assert_close(slt_task_target(p.lev, k), p.etgt[k - 1], 0, 0);
    }
    assert_true(isnan(slt_task_lambda(p.lev, p.M + 1)));
    assert_true(isnan(slt_task_target(p.lev, p.M + 1)));
    assert_true(isnan(slt_task_lambda(p.lev, 0)));
    for (size_t i = 1; i <= p.n; i++) {
        slt_level l;
        assert_ok(slt_task_level(p.lev, i, &l));
        assert_close(l.lambda, p.lam[i - 1], 0, 0);
        assert_close(l.mult, p.mult[i - 1], 0, 0);
        assert_close(l.power, p.pow[i - 1], 0, 0);
    }
    slt_level l;
    assert_status(slt_task_level(p.lev, 0, &l), SLT_EINVAL);
    assert_status(slt_task_level(p.lev, p.n + 1, &l), SLT_EINVAL);
    slt_task *law = test_power_law(2.0, 0.5, 0.0);
    assert_int_equal(slt_task_levels(law), 0);
    assert_ok(slt_task_level(law, 3, &l));
    assert_close(l.lambda, 1.0 / 9.0, TOL_ROUNDING, 0);
    assert_close(l.mult, 1.0, 0, 0);
    assert_true(isinf(slt_task_modes_total(law)));
    slt_task_free(law);
    free_pair(&p);
}

/* m = 1 everywhere (NULL or an array of ones) is slt_task_alloc_explicit bit for bit */
static void test_unit_levels_are_modes(void **state)
{
    (void)state;
    const double lam[] = {1.0, 0.5, 0.5, 0.125}, tgt[] = {0.3, 0.2, 0.0, 0.05};
    const double ones[] = {1, 1, 1, 1};
    slt_task *a, *b, *c;
    assert_ok(slt_task_alloc_explicit(4, lam, tgt, 0.1, &a));
    assert_ok(slt_task_alloc_levels(4, lam, NULL, tgt, 0.1, &b));
    assert_ok(slt_task_alloc_levels(4, lam, ones, tgt, 0.1, &c));
    slt_sum sa, sb, sc;
    assert_ok(slt_sum_df(a, 0.01, &sa));
    assert_ok(slt_sum_df(b, 0.01, &sb));
    assert_ok(slt_sum_df(c, 0.01, &sc));
    assert_memory_equal(&sa, &sb, sizeof sa);
    assert_memory_equal(&sa, &sc, sizeof sa);
    slt_csum ra[4], rc4[4];
    assert_ok(slt_csum_resolvent(a, 0.01 + 0.2 * I, ra));
    assert_ok(slt_csum_resolvent(c, 0.01 + 0.2 * I, rc4));
    assert_memory_equal(ra, rc4, sizeof ra);
    slt_task_free(a);
    slt_task_free(b);
    slt_task_free(c);
}

/* statics on a level task = statics on its expansion, within their bounds */
static void test_statics(void **state)
{
    (void)state;
    pair p = make_pair(60, 0.85, 40, 0.05, 4);
    slt_statics_workspace *wa, *wb;
    assert_ok(slt_statics_alloc(p.lev, &wa));
    assert_ok(slt_statics_alloc(p.exp, &wb));
    const double Ns[] = {INFINITY, 300.0, 2000.0}, Ps[] = {10.0, 150.0, 1500.0};
    const double ridges[] = {0.0, 1e-4};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            for (size_t r = 0; r < 2; r++) {
                slt_statics_params sp = slt_statics_params_default();
                sp.N = Ns[i];
                sp.P = Ps[j];
                sp.ridge = ridges[r];
                slt_statics_result ra, rb;
                int rca = slt_statics_solve(wa, &sp, &ra), rcb = slt_statics_solve(wb, &sp, &rb);
                assert_int_equal(rca, rcb);
                if (rca) continue;
                /* root finds to 1e-14 on either side */
                assert_within("kappa", ra.kappa, ra.kappa_err + rb.kappa_err, rb.kappa,
                              TOL_ROOT * rb.kappa);
                assert_within("test", ra.test, ra.test_err + rb.test_err, rb.test,
                              TOL_ROOT * rb.test);
                assert_within("train", ra.train, ra.train_err + rb.train_err, rb.train,
                              TOL_ROOT * rb.train);
                /* the sensitivities use the generic D₃, K₃ callbacks: m·f(λ, P/m) */
                slt_statics_sensitivity sa, sb;
                int qa = slt_statics_sensitivity_at(wa, &ra, &sa);
                int qb = slt_statics_sensitivity_at(wb, &rb, &sb);
                assert_int_equal(qa, qb);
                if (qa) continue;
                assert_within("dL/d(1/P)", sa.dL_dinvP, sa.dL_dinvP_err + sb.dL_dinvP_err,
                              sb.dL_dinvP, TOL_ROOT * fabs(sb.dL_dinvP));
                if (!isinf(sp.N))
                    assert_within("dL/d(1/N)", sa.dL_dinvN, sa.dL_dinvN_err + sb.dL_dinvN_err,
                                  sb.dL_dinvN, TOL_ROOT * fabs(sb.dL_dinvN));
            }
    slt_statics_free(wa);
    slt_statics_free(wb);
    free_pair(&p);
}

/* the lazy DMFT on a level task = on its expansion, within their bounds */
static void test_dmft(void **state)
{
    (void)state;
    pair p = make_pair(30, 0.8, 20, 0.02, 5);
    slt_dmft_params dp = slt_dmft_params_default();
    dp.N = 100.0;
    dp.P = 200.0;
    const double times[] = {1.0, 10.0, 100.0, INFINITY};
    slt_dmft_point a[4], b[4];
    slt_dmft_workspace *wa, *wb;
    assert_ok(slt_dmft_alloc(p.lev, &dp, &wa));
    assert_ok(slt_dmft_alloc(p.exp, &dp, &wb));
    assert_ok(slt_dmft_solve(wa, times, 4, a));
    assert_ok(slt_dmft_solve(wb, times, 4, b));
    for (int i = 0; i < 4; i++) {
        /* contour inversions on either side (TOL_CONTOUR is the DMFT's accuracy target) */
        assert_within("dmft test", a[i].test, a[i].test_err + b[i].test_err, b[i].test,
                      TOL_CONTOUR * b[i].test);
        assert_within("dmft train", a[i].train, a[i].train_err + b[i].train_err, b[i].train,
                      TOL_CONTOUR * b[i].train);
    }
    slt_dmft_free(wa);
    slt_dmft_free(wb);
    free_pair(&p);
}

/* the Monte Carlo on a level task draws the same modes as on its expansion: the same
 * seed gives the same trials; with M below the modes, the tail mass by levels equals the
 * per-mode one */
static void test_montecarlo(void **state)
{
    (void)state;
    pair p = make_pair(8, 0.7, 6, 0.01, 7);
    slt_mc_params mp = slt_mc_params_default();
    mp.N = 20;
    mp.P = 30;
    mp.trials = 4;
    mp.threads = 1;
    const double times[] = {1.0, 10.0};
    for (int cut = 0; cut < 2; cut++) {
        mp.M = cut ? p.M - 7 : 0;
        slt_mc_result *a = NULL, *b = NULL;
        assert_ok(slt_mc_run(p.lev, &mp, times, 2, &a));
        assert_ok(slt_mc_run(p.exp, &mp, times, 2, &b));
        assert_int_equal(a->M, b->M);
        assert_close(a->head_mass, b->head_mass, 0, 0);
        /* a level's share (end − M)·P/m against per-mode additions of P/m */
        assert_within("tail mass", a->tail_mass, a->tail_mass_err + b->tail_mass_err,
                      b->tail_mass, TOL_ROUNDING_SUM * b->tail_mass);
        for (size_t i = 0; i < a->n_points * a->trials; i++)
            assert_close(a->trial_test[i], b->trial_test[i], 0, 0);
        slt_mc_result_free(a);
        slt_mc_result_free(b);
    }
    free_pair(&p);
}

static char *write_temp(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/slt_levels_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

static void expect_message(const char *needle)
{
    if (!strstr(slt_last_error(), needle)) {
        print_error("message '%s' does not contain '%s'\n", slt_last_error(), needle);
        fail();
    }
}

/* write → read → write: the same levels bit for bit and the same bytes */
static void test_file_round_trip(void **state)
{
    (void)state;
    pair p = make_pair(50, 0.7, 50, 0.0, 6);
    char path1[] = "/tmp/slt_levels_a_XXXXXX", path2[] = "/tmp/slt_levels_b_XXXXXX";
    int fd1 = mkstemp(path1), fd2 = mkstemp(path2);
    assert_true(fd1 >= 0 && fd2 >= 0);
    FILE *f1 = fdopen(fd1, "w"), *f2 = fdopen(fd2, "w");
    assert_ok(slt_task_write(p.lev, f1, 0));
    fclose(f1);
    slt_task *u;
    assert_ok(slt_task_read_file(path1, 0.0, &u));
    assert_int_equal(slt_task_levels(u), p.n);
    for (size_t i = 1; i <= p.n; i++) {
        slt_level a, b;
        assert_ok(slt_task_level(u, i, &a));
        assert_ok(slt_task_level(p.lev, i, &b));
        assert_memory_equal(&a, &b, sizeof a);
    }
    assert_ok(slt_task_write(u, f2, 0));
    fclose(f2);
    size_t n1, n2;
    char *b1 = slurp(path1, &n1), *b2 = slurp(path2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    /* three columns were written; the second is the line's total power */
    char first[64];
    snprintf(first, sizeof first, "\n1 %.17g %.17g\n", p.pow[0], p.mult[0]);
    assert_non_null(strstr(b1, first));
    free(b1);
    free(b2);
    slt_task_free(u);
    unlink(path1);
    unlink(path2);

    /* a two-column task is still written with two columns */
    const double lam[] = {1.0, 0.5}, tgt[] = {0.25, 0.125};
    slt_task *t;
    assert_ok(slt_task_alloc_explicit(2, lam, tgt, 0.0, &t));
    char path3[] = "/tmp/slt_levels_c_XXXXXX";
    int fd3 = mkstemp(path3);
    FILE *f3 = fdopen(fd3, "w");
    assert_ok(slt_task_write(t, f3, 0));
    fclose(f3);
    size_t n3;
    char *b3 = slurp(path3, &n3);
    const char want[] = "# lambda target\n1 0.25\n0.5 0.125\n";
    assert_int_equal(n3, strlen(want));
    assert_memory_equal(b3, want, n3);
    free(b3);
    unlink(path3);
    slt_task_free(t);

    /* a file read with three columns is the level task */
    char *path = write_temp("# lambda power mult\n1.0 0.6 3\n0.5,0.2,2 # c\n0.5 0 1\n");
    assert_ok(slt_task_read_file(path, 0.0, &t));
    assert_int_equal(slt_task_levels(t), 3);
    assert_int_equal(slt_task_modes(t), 6);
    assert_close(slt_task_target(t, 3), 0.6 / 3.0, 0, 0);
    assert_close(slt_task_target(t, 4), 0.2 / 2.0, 0, 0);
    assert_close(slt_task_lambda(t, 4), 0.5, 0, 0);
    slt_task_free(t);
    unlink(path);

    /* two and three columns may not be mixed */
    path = write_temp("1.0 0.6 3\n0.5 0.2\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("line 2: 2 numbers, but line 1 has 3");
    unlink(path);
    path = write_temp("1.0 0.6\n0.5 0.2 2\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("line 2: 3 numbers, but line 1 has 2");
    unlink(path);
    path = write_temp("1.0 0.6 3 4\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("line 1");
    unlink(path);
    path = write_temp("1.0 0.6 3\n0.5 0.2 2.5\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EINVAL);
    expect_message("line 2: mult = 2.5 is out of range");
    unlink(path);
    path = write_temp("1.0 0.6 3\n0.5 0.2 0\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EINVAL);
    expect_message("line 2: mult = 0 is out of range");
    unlink(path);
    path = write_temp("1.0 0.6 inf\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("line 1: 'inf' is not a finite number");
    unlink(path);
    free_pair(&p);
}

static void test_bad_mult(void **state)
{
    (void)state;
    const double lam[] = {1.0, 0.5, 0.25}, pw[] = {1.0, 1.0, 1.0};
    const double bad[] = {0.0, 0.5, NAN, INFINITY, -3.0, SLT_LEVEL_MULT_MAX, 1.0 + 0x1p-52};
    const char *shown[] = {"mult_3 = 0 ", "mult_3 = 0.5 ", "mult_3 = nan", "mult_3 = inf",
                           "mult_3 = -3 ", "mult_3 = 9007199254740992 ",
                           "mult_3 = 1.0000000000000002 "};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double m[] = {2.0, 5.0, bad[i]};
        slt_task *t = (slt_task *)0x1;
        assert_status(slt_task_alloc_levels(3, lam, m, pw, 0.0, &t), SLT_EINVAL);
        assert_null(t);
        expect_message("slt_task_alloc_levels");
        expect_message(shown[i]);
    }
    double m[] = {2.0, 5.0, SLT_LEVEL_MULT_MAX - 1.0};
    slt_task *t;
    assert_ok(slt_task_alloc_levels(3, lam, m, pw, 0.0, &t));
    assert_close(slt_task_modes_total(t), 7.0 + (SLT_LEVEL_MULT_MAX - 1.0), 0, 0);
    assert_close(slt_task_target(t, 3), 0.2, 0, 0);
    assert_close(slt_task_lambda(t, 8), 0.25, 0, 0);
    slt_task_free(t);
    const double neg[] = {1.0, -1.0, 1.0};
    assert_status(slt_task_alloc_levels(3, lam, NULL, neg, 0.0, &t), SLT_EINVAL);
    expect_message("power_2 = -1 ");
    const double up[] = {1.0, 2.0, 0.5};
    assert_status(slt_task_alloc_levels(3, up, NULL, pw, 0.0, &t), SLT_EINVAL);
    expect_message("lambda_2 = 2 exceeds");
    assert_status(slt_task_alloc_levels(0, lam, NULL, pw, 0.0, &t), SLT_EINVAL);
    assert_status(slt_task_alloc_levels(3, lam, NULL, pw, 0.0, NULL), SLT_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sums_small),
        cmocka_unit_test(test_sums_clusters),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_unit_levels_are_modes),
        cmocka_unit_test(test_statics),
        cmocka_unit_test(test_dmft),
        cmocka_unit_test(test_montecarlo),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_bad_mult),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
