/* The moment tail (issue 12, item 2; slt_task_alloc_levels_tail): a geometric spectrum
 * λ_ℓ = r^ℓ with multiplicity m_ℓ = 2ℓ+1 and level power P_ℓ = m_ℓ λ_ℓ^{3/2}, listed up to
 * level L and summarised by its moments beyond. Every named sum of the tailed task must
 * agree with the same spectrum listed level by level (up to where λ leaves the double
 * range, ~10^3–10^4 levels) within the two reported bounds; the bound must be small where
 * ρ = λ_sup/|z| is small; the bracket must hold for any κ; bad tails are refused. */
#include <complex.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"
#include "slt/mc.h"

#define NFULL 10000

typedef struct {
    double r;
    int L, nfull;               /* listed levels 0 … L; the full task 0 … nfull − 1 */
    double lam[NFULL], mult[NFULL], pw[NFULL];
    slt_task_tail tail;
    slt_task *tailed, *full;
} geo;

static double max_ratio = 0.0; /* max |diff|/err over the comparisons (printed) */

static void geo_make(geo *g, double r, int L, size_t n_mom)
{
    memset(g, 0, sizeof *g);
    g->r = r;
    g->L = L;
    int n = 0;
    for (; n < NFULL; n++) {
        double l = pow(r, n);
        if (!(l > 1e-290)) break;
        g->lam[n] = l;
        g->mult[n] = 2.0 * n + 1.0;
        g->pw[n] = g->mult[n] * pow(l, 1.5);
    }
    g->nfull = n;
    /* moments of levels L+1 … nfull−1 (the full task's extra levels) in long double */
    g->tail.n_mom = n_mom;
    g->tail.lambda_sup = g->lam[L + 1];
    g->tail.modes = 0.0;
    for (size_t j = 0; j < n_mom; j++) {
        long double M = 0.0L, T = 0.0L;
        for (int l = n - 1; l > L; l--) {
            long double lam = g->lam[l];
            M += (long double)g->mult[l] * powl(lam, (long double)(j + 1));
            T += (long double)g->pw[l] * powl(lam, (long double)j);
        }
        g->tail.lam_mom[j] = (double)M;
        g->tail.tgt_mom[j] = (double)T;
        /* long-double sum of <= 1e4 positive terms (n·u_ld = 5.4e-16) and the rounding to
         * double: 1e-15 relative */
        g->tail.lam_mom_err[j] = 1e-15 * (double)M;
        g->tail.tgt_mom_err[j] = 1e-15 * (double)T;
    }
    for (int l = L + 1; l < n; l++) g->tail.modes += g->mult[l];
    assert_ok(slt_task_alloc_levels_tail((size_t)L + 1, g->lam, g->mult, g->pw, 0.1, &g->tail,
                                         &g->tailed));
    assert_ok(slt_task_alloc_levels((size_t)n, g->lam, g->mult, g->pw, 0.1, &g->full));
}

static void geo_free(geo *g)
{
    slt_task_free(g->tailed);
    slt_task_free(g->full);
}

/* The tailed sum a against the full one b: within both bounds (slack: none). */
static void agree(const char *what, const slt_sum *a, const slt_sum *b)
{
    double d = fabs(a->value - b->value), e = a->err + b->err;
    if (e > 0 && d / e > max_ratio) max_ratio = d / e;
    assert_within(what, a->value, a->err + b->err, b->value, 0.0);
}

static void agree_c(const char *what, const slt_csum *a, const slt_csum *b)
{
    double d = cabs(a->value - b->value), e = a->err + b->err;
    if (e > 0 && d / e > max_ratio) max_ratio = d / e;
    assert_within_c(what, a->value, a->err + b->err, b->value, 0.0);
}

typedef int (*kfn)(const slt_task *, double, slt_sum *);
static const struct { const char *name; kfn f; } KSUMS[] = {
    {"df", slt_sum_df},   {"df2", slt_sum_df2}, {"kt1", slt_sum_kt1},
    {"k2t2", slt_sum_k2t2}, {"d3", slt_sum_d3},   {"k3", slt_sum_k3},
};
#define NK (sizeof KSUMS / sizeof *KSUMS)

/* (c) every named sum with the tail = the spectrum listed, within both bounds; the bound
 * is <= 1e-12 relative where ρ <= 1/4 (24 moments: the remainder is ~ ρ^24 of the tail's
 * part, 3.6e-15 at ρ = 1/4 but 6e-8 at ρ = 1/2, where only |diff| <= err is asserted). */
static void test_series(void **state)
{
    (void)state;
    static geo g;
    const double rs[] = {0.5, 0.8, 0.95};
    const int Ls[] = {20, 40, 60};
    for (int c = 0; c < 3; c++) {
        geo_make(&g, rs[c], Ls[c], SLT_TAIL_MOMENTS);
        const double ls = g.tail.lambda_sup;
        const double rhos[] = {0.01, 0.1, 0.25, 0.5};
        for (int i = 0; i < 4; i++) {
            double k = ls / rhos[i];
            for (size_t s = 0; s < NK; s++) {
                slt_sum a, b;
                assert_ok(KSUMS[s].f(g.tailed, k, &a));
                assert_ok(KSUMS[s].f(g.full, k, &b));
                agree(KSUMS[s].name, &a, &b);
                if (rhos[i] <= 0.25) assert_true(a.err <= 1e-12 * fabs(a.value));
            }
        }
        slt_sum a, b;
        const double ts[] = {0.0, 0.005 / ls, 0.25 / ls, 10.0 / ls};
        for (int i = 0; i < 4; i++) {
            assert_ok(slt_sum_decay(g.tailed, ts[i], &a));
            assert_ok(slt_sum_decay(g.full, ts[i], &b));
            agree("decay", &a, &b);
            if (2.0 * ls * ts[i] <= 0.5) assert_true(a.err <= 1e-12 * fabs(a.value));
        }
        assert_ok(slt_sum_target(g.tailed, &a));
        assert_ok(slt_sum_target(g.full, &b));
        agree("target", &a, &b);
        assert_true(a.err <= 1e-12 * a.value);
        assert_ok(slt_sum_trace(g.tailed, &a));
        assert_ok(slt_sum_trace(g.full, &b));
        agree("trace", &a, &b);
        assert_true(a.err <= 1e-12 * a.value);
        geo_free(&g);
    }
}

/* Moment errors are propagated: moments off by 1e-8 relative (stated as their error) at
 * ρ = 0.01, where the remainder is negligible, still agree within the bound — and only
 * because of it (the offset is far above everything else in the bound). */
static void test_moment_errors(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.5, 20, SLT_TAIL_MOMENTS);
    slt_task_tail off = g.tail;
    for (size_t j = 0; j < off.n_mom; j++) {
        off.lam_mom[j] *= 1.0 + 1e-8;
        off.tgt_mom[j] *= 1.0 - 1e-8;
        off.lam_mom_err[j] = 1.01e-8 * off.lam_mom[j];
        off.tgt_mom_err[j] = 1.01e-8 * off.tgt_mom[j];
    }
    slt_task *t;
    assert_ok(slt_task_alloc_levels_tail(21, g.lam, g.mult, g.pw, 0.1, &off, &t));
    const double k = 100.0 * off.lambda_sup;
    for (size_t s = 0; s < NK; s++) {
        slt_sum a, b, c;
        assert_ok(KSUMS[s].f(t, k, &a));
        assert_ok(KSUMS[s].f(g.full, k, &b));
        assert_ok(KSUMS[s].f(g.tailed, k, &c));
        agree(KSUMS[s].name, &a, &b);
        assert_true(fabs(a.value - c.value) > 10.0 * c.err); /* the offset shows */
    }
    slt_task_free(t);
    geo_free(&g);
}

/* The tail's part alone, by a long-double direct sum over the tail levels. */
static long double direct_tail(const geo *g, slt_sum_name name, double k)
{
    long double s = 0.0L;
    for (int l = g->nfull - 1; l > g->L; l--) {
        long double lam = g->lam[l], m = g->mult[l], P = g->pw[l], d = lam + k;
        switch (name) {
        case SLT_SUM_DF: s += m * lam / d; break;
        case SLT_SUM_DF2: s += m * lam * lam / (d * d); break;
        case SLT_SUM_KT1: s += P * k / d; break;
        case SLT_SUM_K2T2: s += P * k * k / (d * d); break;
        case SLT_SUM_D3: s += m * lam * lam * k / (d * d * d); break;
        case SLT_SUM_K3: s += P * k * k * lam / (d * d * d); break;
        case SLT_SUM_DECAY: s += P * expl(-2.0L * lam * k); break;
        default: break;
        }
    }
    return s;
}

/* (d) for κ in [λ_sup/100, 100 λ_sup] (and t with 2λ_sup t up to 100) the tail's value
 * ± err contains the direct tail sum; with 1 and 3 moments the bracket decides at large
 * ρ. Slack: the long-double direct sum's rounding, 1e-15 relative. */
static void test_bracket(void **state)
{
    (void)state;
    static geo g;
    const size_t moms[] = {1, 3, SLT_TAIL_MOMENTS};
    for (int c = 0; c < 3; c++) {
        geo_make(&g, 0.7, 30, moms[c]);
        const double ls = g.tail.lambda_sup;
        for (int i = 0; i <= 40; i++) {
            double k = ls * pow(10.0, -2.0 + 0.1 * i);
            const slt_sum_name names[] = {SLT_SUM_DF, SLT_SUM_DF2, SLT_SUM_KT1, SLT_SUM_K2T2,
                                          SLT_SUM_D3, SLT_SUM_K3, SLT_SUM_DECAY};
            for (int s = 0; s < 7; s++) {
                double par = names[s] == SLT_SUM_DECAY ? 1.0 / k : k;
                slt_sum a;
                assert_ok(slt_task_tail_sum(g.tailed, names[s], par, &a));
                double ref = (double)direct_tail(&g, names[s], par);
                assert_within("tail part", a.value, a.err, ref, 1e-15 * fabs(ref));
                /* a bracket of non-negative ends: half-width <= midpoint (+ its rounding) */
                assert_true(a.err <= a.value * (1.0 + 1e-14) + 1e-300);
            }
        }
        geo_free(&g);
    }
}

/* (c) complex z, including Re z < 0 off the spectrum and real z < −λ_1; the fused
 * resolvent gives the four single sums. */
static void test_complex(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.6, 25, SLT_TAIL_MOMENTS);
    const double ls = g.tail.lambda_sup;
    const double th[] = {0.3, 1.5, 2.5, M_PI - 0.05};
    const double rho[] = {0.05, 0.4, 3.0};
    typedef int (*cfn)(const slt_task *, slt_complex, slt_csum *);
    const cfn fs[4] = {slt_csum_df, slt_csum_df2, slt_csum_kt1, slt_csum_k2t2};
    const char *nm[4] = {"cdf", "cdf2", "ckt1", "ck2t2"};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++) {
            double complex z = ls / rho[j] * cexp(I * th[i]);
            slt_csum a, b, ra[4];
            assert_ok(slt_csum_resolvent(g.tailed, z, ra));
            for (int s = 0; s < 4; s++) {
                assert_ok(fs[s](g.tailed, z, &a));
                assert_ok(fs[s](g.full, z, &b));
                agree_c(nm[s], &a, &b);
                agree_c("resolvent", &ra[s], &b);
                if (rho[j] <= 0.05) assert_true(a.err <= 1e-12 * cabs(a.value));
            }
        }
    /* real z < −λ_1 (= −1): every λ + z < 0 */
    const double zr[] = {-1.5, -4.0};
    for (int i = 0; i < 2; i++)
        for (int s = 0; s < 4; s++) {
            slt_csum a, b;
            assert_ok(fs[s](g.tailed, zr[i], &a));
            assert_ok(fs[s](g.full, zr[i], &b));
            agree_c("real z < -lambda_1", &a, &b);
        }
    /* on [−λ_1, 0] (the tail reaches 0): refused */
    slt_csum a;
    assert_int_equal(slt_csum_df(g.tailed, -0.5 * ls, &a), SLT_EDOM);
    assert_int_equal(slt_csum_df(g.tailed, 0.0, &a), SLT_EDOM);
    geo_free(&g);
}

static double trace_fn(double l, double t, void *c) { (void)t; (void)c; return l; }
static double d3_fn(double l, double t, void *c)
{
    (void)t;
    double k = *(const double *)c, f = l / (l + k);
    return f * f * (k / (l + k));
}
static double k3_fn(double l, double t, void *c)
{
    double k = *(const double *)c, g = k / (l + k);
    return t * g * g * (l / (l + k));
}

/* (e) the new named sums equal the generic callbacks on tail-free tasks: TOL_ROUNDING_SUM
 * (the same terms, the levels' m·f against m·f(λ, P/m): a rounding per term); power laws
 * through the same engine (d3, k3) or ζ(α) against quadrature (trace): within both bounds. */
static void test_named_vs_generic(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.9, 50, 4);
    slt_task *plain;
    double l[5] = {1.0, 0.5, 0.5, 0.2, 0.01}, t[5] = {0.3, 0.0, 0.2, 0.1, 0.05};
    assert_ok(slt_task_alloc_explicit(5, l, t, 0.0, &plain));
    slt_power_law_params pp = slt_power_law_params_default();
    slt_task *law;
    assert_ok(slt_task_alloc_power_law(&pp, &law));
    const slt_task *tasks[3] = {g.full, plain, law};
    for (int i = 0; i < 3; i++) {
        slt_sum a, b;
        assert_ok(slt_sum_trace(tasks[i], &a));
        assert_ok(slt_task_sum(tasks[i], trace_fn, NULL, NULL, &b));
        if (i < 2) assert_close(a.value, b.value, TOL_ROUNDING_SUM, 0.0);
        assert_within("trace", a.value, a.err + b.err, b.value, 0.0);
        const double ks[] = {1e-3, 0.1, 2.0};
        for (int j = 0; j < 3; j++) {
            double k = ks[j];
            assert_ok(slt_sum_d3(tasks[i], k, &a));
            assert_ok(slt_task_sum(tasks[i], d3_fn, &k, NULL, &b));
            assert_close(a.value, b.value, TOL_ROUNDING_SUM, 0.0);
            assert_ok(slt_sum_k3(tasks[i], k, &a));
            assert_ok(slt_task_sum(tasks[i], k3_fn, &k, NULL, &b));
            assert_close(a.value, b.value, TOL_ROUNDING_SUM, 0.0);
        }
    }
    /* κ = 0 on a plain explicit task is allowed (0 for d3, k3) */
    slt_sum a;
    assert_ok(slt_sum_d3(plain, 0.0, &a));
    assert_true(a.value == 0.0);
    slt_task_free(plain);
    slt_task_free(law);
    geo_free(&g);
}

/* What a tail changes besides the sums, and what it refuses. */
static void test_api(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.5, 10, 6);
    slt_task_tail out;
    assert_ok(slt_task_get_tail(g.tailed, &out));
    assert_memory_equal(&out, &g.tail, sizeof out);
    assert_int_equal(slt_task_get_tail(g.full, &out), SLT_EDOM);
    assert_true(slt_task_modes(g.tailed) == SLT_MODES_INFINITE);
    assert_close(slt_task_modes_total(g.tailed), slt_task_modes_total(g.full), 0.0, 0.0);
    assert_true(isnan(slt_task_lambda(g.tailed, 1000)));
    slt_sum s;
    slt_csum cs;
    assert_int_equal(slt_task_sum(g.tailed, trace_fn, NULL, NULL, &s), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "use the named sums"));
    assert_int_equal(slt_sum_df(g.tailed, 0.0, &s), SLT_EDOM);
    assert_int_equal(slt_sum_kt1(g.tailed, 0.0, &s), SLT_EDOM);
    assert_int_equal(slt_task_tail_sum(g.full, SLT_SUM_DF, 1.0, &s), SLT_EDOM);
    assert_int_equal(slt_task_tail_sum(g.tailed, SLT_SUM_DF, 0.0, &s), SLT_EDOM);
    (void)cs;
    /* null_power (λ = 0 modes) adds to κT₁, κ²T₂, decay and the target, not to df */
    {
        slt_task_tail nt = g.tail;
        nt.null_power = 0.3;
        nt.null_power_err = 1e-17;
        slt_task *tn;
        assert_ok(slt_task_alloc_levels_tail(11, g.lam, g.mult, g.pw, 0.1, &nt, &tn));
        slt_sum x, y;
        typedef int (*k2)(const slt_task *, double, slt_sum *);
        const k2 with[3] = {slt_sum_kt1, slt_sum_k2t2, slt_sum_decay};
        const k2 without[4] = {slt_sum_df, slt_sum_df2, slt_sum_d3, slt_sum_k3};
        for (int i = 0; i < 3; i++) {
            assert_ok(with[i](tn, 0.5, &x));
            assert_ok(with[i](g.tailed, 0.5, &y));
            assert_close(x.value - y.value, 0.3, TOL_ROUNDING_COND, 0.0); /* a difference */
        }
        for (int i = 0; i < 4; i++) {
            assert_ok(without[i](tn, 0.5, &x));
            assert_ok(without[i](g.tailed, 0.5, &y));
            assert_true(x.value == y.value);
        }
        assert_ok(slt_sum_target(tn, &x));
        assert_ok(slt_sum_target(g.tailed, &y));
        assert_close(x.value - y.value, 0.3, TOL_ROUNDING_COND, 0.0);
        slt_csum cx, cy;
        assert_ok(slt_csum_kt1(tn, 0.2 + 0.7 * I, &cx));
        assert_ok(slt_csum_kt1(g.tailed, 0.2 + 0.7 * I, &cy));
        assert_close(creal(cx.value - cy.value), 0.3, TOL_ROUNDING_COND, 0.0);
        slt_task_free(tn);
    }
    /* tail NULL: the task of slt_task_alloc_levels, sum for sum */
    slt_task *t0, *t1;
    assert_ok(slt_task_alloc_levels_tail(11, g.lam, g.mult, g.pw, 0.1, NULL, &t0));
    assert_ok(slt_task_alloc_levels(11, g.lam, g.mult, g.pw, 0.1, &t1));
    slt_sum a, b;
    assert_ok(slt_sum_df(t0, 0.01, &a));
    assert_ok(slt_sum_df(t1, 0.01, &b));
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(slt_task_modes(t0) == slt_task_modes(t1));
    assert_int_equal(slt_task_get_tail(t0, &out), SLT_EDOM);
    /* the κ solver finds the ridgeless root in the tail: df(κ) = n */
    slt_kappa_result kr;
    double n = slt_task_modes_total(t0) + 3.0;
    assert_ok(slt_task_kappa(g.tailed, n, INFINITY, 0.0, NULL, &kr));
    assert_ok(slt_sum_df(g.full, kr.kappa, &a));
    assert_ok(slt_sum_df(g.tailed, kr.kappa, &b));
    /* df of the listed spectrum at the root is n within the tailed df's bound (the root
     * sits where ρ > 1: the bracket) and the root find (TOL_ROOT) */
    assert_within("df at the root", a.value, a.err + b.err, n, TOL_ROOT * n);
    slt_task_free(t0);
    slt_task_free(t1);
    geo_free(&g);
}

/* Bad tails are refused, the message naming the field. */
static void test_bad_tails(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.5, 10, 6);
    const slt_task_tail good = g.tail;
    struct { const char *field; void (*mod)(slt_task_tail *); } cases[] = {
        {"tail.n_mom", NULL}, {"tail.lambda_sup", NULL}, {"tail.lam_mom[2]", NULL},
    };
    (void)cases;
    slt_task *t = NULL;
#define REFUSED(EXPR, FIELD)                                                              \
    do {                                                                                  \
        slt_task_tail b = good;                                                           \
        EXPR;                                                                             \
        assert_int_equal(slt_task_alloc_levels_tail(11, g.lam, g.mult, g.pw, 0.1, &b, &t), \
                         SLT_EINVAL);                                                     \
        assert_null(t);                                                                   \
        assert_non_null(strstr(slt_last_error(), FIELD));                                 \
    } while (0)
    REFUSED(b.n_mom = 0, "tail.n_mom");
    REFUSED(b.n_mom = SLT_TAIL_MOMENTS + 1, "tail.n_mom");
    REFUSED(b.lambda_sup = 0.0, "tail.lambda_sup");
    REFUSED(b.lambda_sup = INFINITY, "tail.lambda_sup");
    REFUSED(b.lambda_sup = NAN, "tail.lambda_sup");
    REFUSED(b.lam_mom[2] = NAN, "tail.lam_mom[2]");
    REFUSED(b.lam_mom[0] = -1.0, "tail.lam_mom[0]");
    REFUSED(b.tgt_mom_err[3] = INFINITY, "tail.tgt_mom_err[3]");
    REFUSED(b.null_power = -1e-3, "tail.null_power");
    REFUSED(b.null_power_err = NAN, "tail.null_power_err");
    REFUSED(b.modes = NAN, "tail.modes");
    REFUSED(b.modes = 0.0, "tail.modes"); /* M_1 > λ_sup·modes */
    /* inconsistent with lambda_sup: M_3 > λ_sup M_2 (beyond the errors) */
    REFUSED(b.lam_mom[2] = 1.01 * b.lambda_sup * b.lam_mom[1], "tail.lam_mom[2]");
    REFUSED(b.tgt_mom[1] = 2.0 * b.lambda_sup * b.tgt_mom[0], "tail.tgt_mom[1]");
    REFUSED(b.lambda_sup = 0.5 * good.lambda_sup, "exceeds lambda_sup");
    /* a moment exactly λ_sup times the previous (one level at λ_sup) is fine */
    slt_task_tail one = {0};
    one.n_mom = 3;
    one.lambda_sup = 0.25;
    for (int j = 0; j < 3; j++) {
        one.lam_mom[j] = 5.0 * pow(0.25, j + 1);
        one.tgt_mom[j] = 2.0 * pow(0.25, j);
    }
    one.modes = 5.0;
    assert_ok(slt_task_alloc_levels_tail(11, g.lam, g.mult, g.pw, 0.1, &one, &t));
    slt_task_free(t);
    geo_free(&g);
}

/* The statics on a tailed task (kappa solver, named sums, the sensitivities' D₃ and K₃):
 * the test loss agrees with the listed spectrum's within both bounds (slack TOL_ROOT: two
 * root finds), including P beyond the listed modes (441), where κ sits in the tail. */
static void test_statics(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.7, 20, SLT_TAIL_MOMENTS);
    slt_statics_workspace *wa, *wb;
    assert_ok(slt_statics_alloc(g.tailed, &wa));
    assert_ok(slt_statics_alloc(g.full, &wb));
    const double Ps[] = {30.0, 300.0, 460.0}, ridges[] = {0.0, 1e-4};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) {
            slt_statics_params p = slt_statics_params_default();
            p.N = INFINITY;
            p.P = Ps[i];
            p.ridge = ridges[j];
            slt_statics_result a, b;
            assert_ok(slt_statics_solve(wa, &p, &a));
            assert_ok(slt_statics_solve(wb, &p, &b));
            assert_within("statics test loss", a.test, a.test_err + b.test_err, b.test,
                          TOL_ROOT * b.test);
            slt_statics_sensitivity sa, sb;
            assert_ok(slt_statics_sensitivity_at(wa, &a, &sa));
            assert_ok(slt_statics_sensitivity_at(wb, &b, &sb));
            assert_within("dL/d(1/P)", sa.dL_dinvP, sa.dL_dinvP_err + sb.dL_dinvP_err,
                          sb.dL_dinvP, TOL_ROOT * fabs(sb.dL_dinvP));
        }
    /* P beyond the listed modes + M_1/λ_sup (the most the moments can vouch for): refused */
    slt_statics_params p = slt_statics_params_default();
    p.N = INFINITY;
    p.P = 3000.0;
    slt_statics_result a;
    assert_int_equal(slt_statics_solve(wa, &p, &a), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "exceeds what the task resolves"));
    slt_statics_free(wa);
    slt_statics_free(wb);
    geo_free(&g);
}

static int report(void **state)
{
    (void)state;
    printf("# test_tail: max |diff|/err over the comparisons: %.3g\n", max_ratio);
    return 0;
}

/* The Monte Carlo cannot draw features from moments: a tailed task is refused (SLT_EDOM),
 * never simulated on its listed levels alone (which dropped the tail's power with
 * status ok), while the same spectrum listed level by level runs. */
static void test_monte_carlo_refuses(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.7, 20, 4);
    slt_mc_params p = slt_mc_params_default();
    p.model = SLT_MC_RIDGE;
    p.N = INFINITY;
    p.P = 20;
    p.ridge = 1e-3;
    p.trials = 2;
    size_t M = 0;
    assert_status(slt_mc_modes(g.tailed, &p, &M), SLT_EDOM);
    p.M = 6;
    assert_status(slt_mc_modes(g.tailed, &p, &M), SLT_EDOM);
    slt_mc_result *r = NULL;
    assert_status(slt_mc_run(g.tailed, &p, NULL, 0, &r), SLT_EDOM);
    assert_null(r);
    assert_ok(slt_mc_run(g.full, &p, NULL, 0, &r));
    slt_mc_result_free(r);
    geo_free(&g);
}


/* ---- The tail in the task file ----------------------------------------------------- */
static char *tail_temp(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/slt_tail_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    if (text) fputs(text, f);
    fclose(f);
    return path;
}

/* writes task to a new temporary file, reads it back */
static slt_task *round_trip(const slt_task *task, char *path_out)
{
    char *path = tail_temp(NULL);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_ok(slt_task_write(task, f, 1));
    fclose(f);
    slt_task *back = NULL;
    assert_ok(slt_task_read_file(path, slt_task_noise(task), &back));
    strcpy(path_out, path);
    return back;
}

/* the same task, bit for bit: levels, noise and every field of the tail */
static void same_task(const slt_task *a, const slt_task *b)
{
    assert_int_equal(slt_task_levels(a), slt_task_levels(b));
    for (size_t i = 1; i <= slt_task_levels(a); i++) {
        slt_level x, y;
        assert_ok(slt_task_level(a, i, &x));
        assert_ok(slt_task_level(b, i, &y));
        assert_memory_equal(&x, &y, sizeof x);
    }
    assert_true(slt_task_noise(a) == slt_task_noise(b));
    slt_task_tail ta, tb;
    assert_ok(slt_task_get_tail(a, &ta));
    assert_ok(slt_task_get_tail(b, &tb));
    assert_int_equal(ta.n_mom, tb.n_mom);
    size_t n = ta.n_mom * sizeof(double);
    assert_memory_equal(ta.lam_mom, tb.lam_mom, n);
    assert_memory_equal(ta.lam_mom_err, tb.lam_mom_err, n);
    assert_memory_equal(ta.tgt_mom, tb.tgt_mom, n);
    assert_memory_equal(ta.tgt_mom_err, tb.tgt_mom_err, n);
    assert_memory_equal(&ta.lambda_sup, &tb.lambda_sup, sizeof(double));
    assert_memory_equal(&ta.null_power, &tb.null_power, sizeof(double));
    assert_memory_equal(&ta.null_power_err, &tb.null_power_err, sizeof(double));
    assert_memory_equal(&ta.modes, &tb.modes, sizeof(double));
    /* and so every named sum: the read task is the written one */
    slt_sum s, u;
    assert_ok(slt_sum_kt1(a, 1e-3, &s));
    assert_ok(slt_sum_kt1(b, 1e-3, &u));
    assert_memory_equal(&s, &u, sizeof s);
}

/* A task with a tail round-trips through its file bit for bit (the tail as "#%" comment
 * lines, which a plain reader skips); a file without "#%" lines reads as before; a
 * malformed "#%" line is SLT_EINVAL naming its line. */
static void test_file(void **state)
{
    (void)state;
    static geo g;
    geo_make(&g, 0.5, 10, 6);
    char path[64];
    /* levels with multiplicities, a finite mode count, null power, awkward digits */
    slt_task *back = round_trip(g.tailed, path);
    same_task(g.tailed, back);
    slt_task_free(back);
    /* the same file without its "#%" lines: the levels alone (old readers' view) */
    {
        FILE *f = fopen(path, "r");
        char line[4096], text[1 << 14] = "";
        int tail_lines = 0;
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "#%", 2) == 0) tail_lines++;
            else strcat(text, line);
        }
        fclose(f);
        assert_int_equal(tail_lines, 1 + 6); /* "tail" and n_mom "mom" lines */
        unlink(path);
        char *plain = tail_temp(text);
        slt_task *lv = NULL;
        slt_task_tail out;
        assert_ok(slt_task_read_file(plain, 0.1, &lv));
        assert_int_equal(slt_task_get_tail(lv, &out), SLT_EDOM);
        assert_int_equal(slt_task_levels(lv), 11);
        slt_task_free(lv);
        unlink(plain);
    }
    /* every m = 1 (two columns), modes = inf, null power, an irrational λ_sup */
    {
        double lam[3] = {1.0, 1.0 / 3.0, 0.1}, pw[3] = {0.5, M_PI / 10.0, 1e-3};
        slt_task_tail tl;
        memset(&tl, 0, sizeof tl);
        tl.n_mom = 2;
        tl.lambda_sup = 0.1 / 3.0;
        tl.lam_mom[0] = 0.01 / 7.0;
        tl.lam_mom[1] = tl.lam_mom[0] * tl.lambda_sup / 3.0;
        tl.lam_mom_err[0] = 1e-19;
        tl.tgt_mom[0] = 2e-3 / 9.0;
        tl.tgt_mom[1] = tl.tgt_mom[0] * tl.lambda_sup / 2.0;
        tl.tgt_mom_err[1] = 3e-21;
        tl.null_power = 1.0 / 7.0;
        tl.null_power_err = 1e-17;
        tl.modes = INFINITY;
        slt_task *t = NULL;
        assert_ok(slt_task_alloc_levels_tail(3, lam, NULL, pw, 0.0, &tl, &t));
        back = round_trip(t, path);
        same_task(t, back);
        unlink(path);
        slt_task_free(back);
        slt_task_free(t);
    }
    geo_free(&g);
    /* malformed "#%" lines: SLT_EINVAL naming the line */
    static const struct { const char *text, *msg; } BAD[] = {
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n#% mom 1 0.1 0 0.1\n", "line 3"},
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n#% mom 1 0.1 0 x 0\n", "line 3"},
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n#% mom 2 0.1 0 0.1 0\n", "line 3"},
        {"1 0.5\n#% tail n_mom=2 lambda_sup=0.5 modes=inf\n#% mom 1 0.1 0 0.1 0\n", "line 2"},
        {"1 0.5\n#% tail n_mom=1 lambda_sup=-1 modes=inf\n#% mom 1 0.1 0 0.1 0\n", "line 2"},
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf colour=red\n", "line 2"},
        {"1 0.5\n#% tail n_mom=1 modes=inf\n#% mom 1 0.1 0 0.1 0\n", "line 2"},
        {"1 0.5\n#% mom 1 0.1 0 0.1 0\n", "line 2"},
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n#% mom 1 0.1 0 0.1 0\n"
         "#% mom 1 0.1 0 0.1 0\n", "line 4"},
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n#% tail n_mom=1 lambda_sup=0.5 "
         "modes=inf\n", "line 3"},
        {"1 0.5\n#% tails n_mom=1\n", "line 2"},
        {"1 0.5\n#% mom 1 inf 0 0.1 0\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n", "line 2"},
        /* consistency (slt_task_alloc_levels_tail's check): M_1 > λ_sup·modes */
        {"1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=1\n#% mom 1 0.9 0 0.1 0\n", "lines 2-3"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char *p = tail_temp(BAD[i].text);
        slt_task *t = NULL;
        assert_status(slt_task_read_file(p, 0.0, &t), SLT_EINVAL);
        assert_null(t);
        if (!strstr(slt_last_error(), BAD[i].msg))
            fail_msg("bad file %zu: '%s' does not name '%s'", i, slt_last_error(), BAD[i].msg);
        unlink(p);
    }
    /* the "#%" lines may stand anywhere, and a tail written by hand reads */
    char *p = tail_temp("#% mom 1 0.1 0 0.2 0\n1 0.5\n#% tail n_mom=1 lambda_sup=0.5 modes=inf\n");
    slt_task *t = NULL;
    slt_task_tail out;
    assert_ok(slt_task_read_file(p, 0.0, &t));
    assert_ok(slt_task_get_tail(t, &out));
    assert_true(out.lam_mom[0] == 0.1 && out.tgt_mom[0] == 0.2 && isinf(out.modes));
    slt_task_free(t);
    unlink(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_moment_errors),
        cmocka_unit_test(test_bracket),
        cmocka_unit_test(test_complex),
        cmocka_unit_test(test_named_vs_generic),
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_bad_tails),
        cmocka_unit_test(test_statics),
        cmocka_unit_test(test_monte_carlo_refuses),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, report);
}
