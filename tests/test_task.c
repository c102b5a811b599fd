/* Task layer: construction and validation, file format, converters, and the mode sums
 * against independent references — closed forms (coth sums at α = 2, Riemann/Hurwitz
 * zeta series) and brute-force summation of 10^7 terms in long double plus a Hurwitz-zeta
 * tail. Every sum is checked twice: relative error <= 1e-10, and actual error <= the
 * returned error bound. */
#include <complex.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_zeta.h>

#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"
#include "../solvers/task/task_internal.h" /* the clusters, to check they are used */

/* The reference values below carry their own rounding (double-precision closed forms,
 * ~1e-16 relative); this slack keeps the error-bound check about our sums only. */
#define REF_SLACK(x) (8.0 * 2.2e-16 * fabs(x))

static slt_task *power_law(double alpha, double beta)
{
    return test_power_law(alpha, beta, 0.0);
}

/* value within 1e-10 of ref, and |value − ref| <= the returned bound */
static void check_sum(const char *what, double value, double err, double ref)
{
    assert_within(what, value, 0.0, ref, TOL_NUMERIC * fabs(ref));
    assert_within(what, value, err, ref, REF_SLACK(ref));
}

static void check_csum(const char *what, double complex value, double err, double complex ref)
{
    assert_within_c(what, value, 0.0, ref, TOL_NUMERIC * cabs(ref));
    assert_within_c(what, value, err, ref, REF_SLACK(cabs(ref)));
}

/* ---- Closed forms at α = 2, β = ½ (λ_k = t_k = k^{-2}) ----------------------------
 * Σ_k 1/(k²+a²) = (πa·coth(πa) − 1)/(2a²), so df(κ) = Σ 1/(1+κk²) = (πa coth πa − 1)/2
 * with a = κ^{-1/2}; valid for complex κ off the negative axis. coth is written with
 * e^{-2πa} so large |a| does not overflow. */
static double complex coth_c(double complex x)
{
    double complex e = cexp(-2.0 * x);
    return (1.0 + e) / (1.0 - e);
}

static double complex df_alpha2(double complex kappa)
{
    double complex a = 1.0 / csqrt(kappa);
    return (M_PI * a * coth_c(M_PI * a) - 1.0) / 2.0;
}

/* Σ 1/(k²+a²)² = −(1/2a) d/da Σ 1/(k²+a²); df2(κ) = a⁴ Σ 1/(k²+a²)². */
static double df2_alpha2(double kappa)
{
    double a = 1.0 / sqrt(kappa), pa = M_PI * a;
    double c = 1.0 / tanh(pa), sh = sinh(pa);
    double dS = (M_PI * c - M_PI * pa / (sh * sh)) / (2.0 * a * a) - (pa * c - 1.0) / (a * a * a);
    return pow(a, 4) * (-dS / (2.0 * a));
}

static void test_closed_forms_alpha2(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.5);
    /* κ <= 10: beyond it the reference's πa·coth(πa) − 1 cancels (a = κ^{-1/2} small) */
    double kappas[] = {1e-10, 1e-7, 1e-4, 1e-2, 0.3, 1.0, 10.0};
    for (size_t i = 0; i < sizeof kappas / sizeof *kappas; i++) {
        double k = kappas[i];
        slt_sum s;
        assert_ok(slt_sum_df(t, k, &s));
        check_sum("df", s.value, s.err, creal(df_alpha2(k)));
        assert_ok(slt_sum_df2(t, k, &s));
        check_sum("df2", s.value, s.err, df2_alpha2(k));
        /* with t_k = λ_k: Σ t κ/(λ+κ) = κ·df and Σ t κ²/(λ+κ)² = κ(df − df2) */
        assert_ok(slt_sum_kt1(t, k, &s));
        check_sum("kt1", s.value, s.err, k * creal(df_alpha2(k)));
        assert_ok(slt_sum_k2t2(t, k, &s));
        check_sum("k2t2", s.value, s.err, k * (creal(df_alpha2(k)) - df2_alpha2(k)));
    }
    slt_task_free(t);
}

static void test_complex_closed_forms(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.5);
    /* moduli over 10 decades, arguments up to 0.999π (near the negative axis). The
     * moduli keep the pole λ_k = −z off integer k: at an integer both this sum and the
     * coth reference are ill-conditioned (λ_k + z cancels). */
    double mods[] = {1e-8, 1e-5, 2e-2, 0.7, 100.0};
    double args[] = {0.0, 0.5, 1.5, 2.5, 3.0, 3.1, 3.1384};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 7; j++)
            for (int sign = -1; sign <= 1; sign += 2) {
                double complex z = mods[i] * cexp(I * sign * args[j]);
                slt_csum c;
                assert_ok(slt_csum_df(t, z, &c));
                check_csum("complex df", c.value, c.err, df_alpha2(z));
                assert_ok(slt_csum_kt1(t, z, &c));
                check_csum("complex kt1", c.value, c.err, z * df_alpha2(z));
            }
    slt_task_free(t);
}

/* The pole of λ/(λ+z) sits at k = |z|^{-1/2} = 1000, 5, 1.5 and 0.5 off the real axis.
 * The error bound must stay honest; once the pole is within ~1.5 of the axis its Poisson
 * term e^{-2πd} forces the head past it. */
static void test_complex_near_pole(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.5);
    double phis[] = {0.01, 0.003, 0.001};
    for (size_t i = 0; i < 3; i++) {
        double complex z = -1e-6 * cexp(-I * phis[i]);
        slt_csum c;
        assert_ok(slt_csum_df(t, z, &c));
        check_csum("df near pole", c.value, c.err, df_alpha2(z));
        if (phis[i] <= 0.003) assert_true(c.head_terms > 1000);
    }
    slt_task_free(t);
}

static void test_target_and_decay_series(void **state)
{
    (void)state;
    double alphas[] = {1.2, 2.0, 3.5}, betas[] = {0.2, 1.0, 2.5};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++) {
            double al = alphas[i], be = betas[j], q = al * be + 1.0;
            slt_task *t = power_law(al, be);
            slt_sum s;
            assert_ok(slt_sum_target(t, &s));
            check_sum("target", s.value, s.err, gsl_sf_zeta(q));
            /* Σ k^{-q} e^{-2T k^{-α}} = Σ_n (−2T)^n/n! ζ(q + nα), fine for small T */
            double T = 0.05, ref = 0.0, c = 1.0;
            for (int n = 0; n < 40; n++) {
                ref += c * gsl_sf_zeta(q + n * al);
                c *= -2.0 * T / (n + 1);
            }
            assert_ok(slt_sum_decay(t, T, &s));
            check_sum("decay series", s.value, s.err, ref);
            assert_ok(slt_sum_decay(t, 0.0, &s));
            check_sum("decay at t = 0", s.value, s.err, gsl_sf_zeta(q));
            slt_task_free(t);
        }
}

/* ---- Brute force: Σ_{k <= 10^7} in long double + Σ_{k > 10^7} by Hurwitz zeta ------
 * For k > K the ratio λ_k/κ is below 10^{-4}, so each tail expands in powers of λ/κ:
 *   df   = Σ_{n>=1} (−1)^{n−1} (A/κ)^n ζ(nα, K+1)
 *   df2  = Σ_{n>=2} (−1)^n (n−1) (A/κ)^n ζ(nα, K+1)
 *   kt1  = Σ_{n>=0} (−A/κ)^n ζ(q+nα, K+1)
 *   k2t2 = Σ_{n>=0} (−1)^n (n+1) (A/κ)^n ζ(q+nα, K+1)
 *   decay= Σ_{n>=0} (−2TA)^n/n! ζ(q+nα, K+1)                                         */
#define BRUTE_K 10000000

typedef struct { double alpha, beta, kappa, time; } brute_case;

static double hz(double s) { return gsl_sf_hzeta(s, BRUTE_K + 1.0); }

static void test_brute_force(void **state)
{
    (void)state;
    brute_case cases[] = {{1.5, 0.4, 1e-6, 1e3}, {2.5, 1.7, 1e-9, 1e6}, {1.8, 3.0, 1e-4, 1e5}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        double al = cases[c].alpha, be = cases[c].beta, kap = cases[c].kappa, T = cases[c].time;
        double q = al * be + 1.0, r = 1.0 / kap;
        long double s_df = 0, s_df2 = 0, s_kt1 = 0, s_k2t2 = 0, s_dec = 0;
        for (long k = BRUTE_K; k >= 1; k--) { /* smallest terms first */
            /* terms in double (a few ulps each, unbiased), accumulated in long double */
            double x = (double)k, l = pow(x, -al), t = pow(x, -q);
            long double a = l / (l + kap), b = kap / (l + kap);
            s_df += a;
            s_df2 += a * a;
            s_kt1 += t * b;
            s_k2t2 += t * b * b;
            s_dec += t * exp(-2.0 * l * T);
        }
        double tail_df = 0, tail_df2 = 0, tail_kt1 = 0, tail_k2t2 = 0, tail_dec = 0, p = 1.0, f = 1.0;
        for (int n = 0; n < 8; n++) {
            double sgn = (n % 2) ? -1.0 : 1.0;
            if (n >= 1) tail_df += -sgn * p * hz(n * al);
            if (n >= 2) tail_df2 += sgn * (n - 1) * p * hz(n * al);
            tail_kt1 += sgn * p * hz(q + n * al);
            tail_k2t2 += sgn * (n + 1) * p * hz(q + n * al);
            tail_dec += sgn * f * hz(q + n * al);
            p *= r;
            f *= 2.0 * T / (n + 1);
        }
        slt_task *t = power_law(al, be);
        slt_sum s;
        assert_ok(slt_sum_df(t, kap, &s));
        check_sum("brute df", s.value, s.err, (double)(s_df + tail_df));
        assert_ok(slt_sum_df2(t, kap, &s));
        check_sum("brute df2", s.value, s.err, (double)(s_df2 + tail_df2));
        assert_ok(slt_sum_kt1(t, kap, &s));
        check_sum("brute kt1", s.value, s.err, (double)(s_kt1 + tail_kt1));
        assert_ok(slt_sum_k2t2(t, kap, &s));
        check_sum("brute k2t2", s.value, s.err, (double)(s_k2t2 + tail_k2t2));
        assert_ok(slt_sum_decay(t, T, &s));
        check_sum("brute decay", s.value, s.err, (double)(s_dec + tail_dec));
        slt_task_free(t);
    }
}

/* ---- Generic entries agree with the named sums ------------------------------------ */
static double gen_kt1(double l, double t, void *ctx)
{
    double k = *(double *)ctx;
    return t * k / (l + k);
}

static double complex gen_cdf(double l, double t, void *ctx)
{
    (void)t;
    double complex z = *(double complex *)ctx;
    return l / (l + z);
}

static void test_generic_entries(void **state)
{
    (void)state;
    double betas[] = {0.3, 1.0, 2.0, 4.0};
    for (size_t j = 0; j < 4; j++) {
        slt_task *t = power_law(1.7, betas[j]);
        for (double k = 1e-9; k < 1e2; k *= 100) {
            slt_sum a, b;
            assert_ok(slt_sum_kt1(t, k, &a));
            assert_ok(slt_task_sum(t, gen_kt1, &k, NULL, &b));
            check_sum("generic kt1 vs named", b.value, b.err + a.err, a.value);
        }
        slt_task_free(t);
    }
    slt_task *t = power_law(2.0, 0.5);
    double complex z = 1e-3 * cexp(2.0 * I);
    slt_csum c;
    assert_ok(slt_task_csum(t, gen_cdf, &z, NULL, &c));
    check_csum("generic complex df", c.value, c.err, df_alpha2(z));
    slt_task_free(t);
}

/* The complex named sums use closed-form tails (a complex incomplete beta); the generic
 * complex entry integrates the same tail by quadrature. Both must agree within their
 * bounds over moduli, arguments up to 0.99π, and integer and non-integer β. */
static double complex gen_c_df2(double l, double t, void *ctx)
{
    (void)t;
    double complex r = l / (l + *(double complex *)ctx);
    return r * r;
}

static double complex gen_c_kt1(double l, double t, void *ctx)
{
    double complex z = *(double complex *)ctx;
    return t * z / (l + z);
}

static double complex gen_c_k2t2(double l, double t, void *ctx)
{
    double complex z = *(double complex *)ctx, r = z / (l + z);
    return t * r * r;
}

static void test_complex_closed_tails_vs_quadrature(void **state)
{
    (void)state;
    double alphas[] = {1.5, 3.0}, betas[] = {0.3, 1.0, 2.0, 2.5};
    double mods[] = {1e-9, 1e-4, 0.5}, args[] = {0.0, 1.5, 3.1};
    slt_mode_cfn generic[] = {gen_cdf, gen_c_df2, gen_c_kt1, gen_c_k2t2};
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 4; b++) {
            slt_task *t = power_law(alphas[a], betas[b]);
            for (size_t m = 0; m < 3; m++)
                for (size_t g = 0; g < 3; g++) {
                    double complex z = mods[m] * cexp(I * args[g]);
                    for (int w = 0; w < 4; w++) {
                        slt_csum named, quad;
                        switch (w) {
                        case 0: assert_ok(slt_csum_df(t, z, &named)); break;
                        case 1: assert_ok(slt_csum_df2(t, z, &named)); break;
                        case 2: assert_ok(slt_csum_kt1(t, z, &named)); break;
                        default: assert_ok(slt_csum_k2t2(t, z, &named)); break;
                        }
                        assert_ok(slt_task_csum(t, generic[w], &z, NULL, &quad));
                        check_csum("complex closed tail vs quadrature", named.value,
                                   named.err + quad.err, quad.value);
                    }
                }
            slt_task_free(t);
        }
}

/* The fused resolvent sums equal the four separate sums, for a power law (including z
 * near the pole at the cached head's edge, where a tail falls back to the adaptive sum)
 * and for an explicit task; λ ≫ |z| is included (z/(λ+z) must not be formed as 1 − r). */
static void test_resolvent_fused(void **state)
{
    (void)state;
    size_t m = 5000;
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    for (size_t k = 0; k < m; k++) {
        lam[k] = pow(k + 1.0, -1.5);
        tgt[k] = pow(k + 1.0, -2.05);
    }
    slt_task *tasks[2] = {power_law(1.5, 0.7), NULL};
    assert_ok(slt_task_alloc_explicit(m, lam, tgt, 0.0, &tasks[1]));
    for (int q = 0; q < 2; q++)
        for (int e = -10; e <= 2; e += 2)
            for (int j = 0; j < 7; j++) {
                double complex z = pow(10.0, e) * cexp(I * (-3.0 + j));
                slt_csum f[4], s;
                assert_ok(slt_csum_resolvent(tasks[q], z, f));
                assert_ok(slt_csum_df(tasks[q], z, &s));
                check_csum("fused df", f[0].value, f[0].err + s.err, s.value);
                assert_ok(slt_csum_df2(tasks[q], z, &s));
                check_csum("fused df2", f[1].value, f[1].err + s.err, s.value);
                assert_ok(slt_csum_kt1(tasks[q], z, &s));
                check_csum("fused kt1", f[2].value, f[2].err + s.err, s.value);
                assert_ok(slt_csum_k2t2(tasks[q], z, &s));
                check_csum("fused k2t2", f[3].value, f[3].err + s.err, s.value);
            }
    /* z = −λ_0-ish (the pole at the head's edge): must still agree */
    double complex z = -pow(512.5, -1.5) * cexp(-0.002 * I);
    slt_csum f[4], s;
    assert_ok(slt_csum_resolvent(tasks[0], z, f));
    assert_ok(slt_csum_df(tasks[0], z, &s));
    check_csum("fused df near the head's pole", f[0].value, f[0].err + s.err, s.value);
    slt_csum dummy[4];
    assert_status(slt_csum_resolvent(tasks[0], -1.0, dummy), SLT_EDOM);
    slt_task_free(tasks[0]);
    slt_task_free(tasks[1]);
    free(lam);
    free(tgt);
}

/* Large explicit tasks are compressed into clusters with moment expansions (task.c,
 * sums.c). Against a direct long-double sum: a power-law spectrum with degenerate levels
 * and a kink, z in every direction, and z next to an eigenvalue inside a cluster (where
 * the cluster must fall back to the exact sum). */
static void test_clustered_explicit(void **state)
{
    (void)state;
    const size_t m = 60000;
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    for (size_t k = 0; k < m; k++) {
        double x = (double)(k / 3 + 1); /* levels of three equal eigenvalues */
        lam[k] = x < 5000 ? pow(x, -1.3) : pow(5000.0, 0.7) * pow(x, -2.0); /* a kink */
        tgt[k] = pow(k + 1.0, -1.9) * (1.0 + 0.5 * sin(0.1 * k));
    }
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_explicit(m, lam, tgt, 0.0, &t));
    double complex zs[] = {1e-9, 1e-6 * cexp(2.0 * I), 3e-4 * cexp(-1.0 * I), 0.2, 5.0 * cexp(2.9 * I),
                           -lam[30000] * cexp(1e-4 * I)}; /* beside an eigenvalue deep in the tail */
    for (int j = 0; j < 6; j++) {
        long double complex ref[4] = {0, 0, 0, 0};
        long double complex zz = zs[j];
        for (size_t k = m; k-- > 0;) {
            long double complex r = lam[k] / (lam[k] + zz), q = zz / (lam[k] + zz);
            ref[0] += r;
            ref[1] += r * r;
            ref[2] += tgt[k] * q;
            ref[3] += tgt[k] * q * q;
        }
        slt_csum f[4];
        assert_ok(slt_csum_resolvent(t, zs[j], f));
        for (int k = 0; k < 4; k++) check_csum("clustered resolvent", f[k].value, f[k].err, (double complex)ref[k]);
    }
    slt_task_free(t);
    free(lam);
    free(tgt);
}

/* ---- Real sums on clusters (issue 12, item 5) ----------------------------------------
 * The named real sums of an explicit task of >= 1024 levels run on its clusters' moment
 * expansions (sums.c, cluster_real). Against the generic callback, which sums every level
 * one by one (never clustered): |diff| within both bounds and TOL_ROUNDING_COND relative,
 * for κ = 0 and 1e-12 … 1e3, every named resolvent-type sum and the fused slt_sum_resolvent,
 * on plain modes and on levels with multiplicities. A moment dropped from one cluster
 * must break the check (the sabotage is done here, on the task's private layout). */
typedef struct { int which; double k; } gen_ctx;

static double gen_real(double l, double t, void *vctx)
{
    const gen_ctx *c = vctx;
    const double k = c->k, a = l / (l + k), b = k / (l + k);
    switch (c->which) {
    case 0: return a;             /* df   */
    case 1: return a * a;         /* df2  */
    case 2: return t * b;         /* kt1  */
    case 3: return t * b * b;     /* k2t2 */
    case 4: return a * a * b;     /* d3   */
    default: return t * b * b * a; /* k3 */
    }
}

static double cl_trace(double l, double t, void *ctx)
{
    (void)t;
    (void)ctx;
    return l;
}

static double cl_target(double l, double t, void *ctx)
{
    (void)l;
    (void)ctx;
    return t;
}

static int named_real_sum(const slt_task *t, int which, double k, slt_sum *s)
{
    switch (which) {
    case 0: return slt_sum_df(t, k, s);
    case 1: return slt_sum_df2(t, k, s);
    case 2: return slt_sum_kt1(t, k, s);
    case 3: return slt_sum_k2t2(t, k, s);
    case 4: return slt_sum_d3(t, k, s);
    default: return slt_sum_k3(t, k, s);
    }
}

/* both bounds, TOL_ROUNDING_COND relative, and a useful bound (<= 1e-11 relative) */
static void check_cluster_sum(const char *what, slt_sum s, slt_sum ref)
{
    assert_within(what, s.value, s.err + ref.err, ref.value, 0.0);
    assert_within(what, s.value, 0.0, ref.value, TOL_ROUNDING_COND * fabs(ref.value));
    assert_true(s.err <= 1e-11 * fabs(s.value) || s.value == 0.0);
}

static void check_clustered_real(slt_task *t)
{
    assert_true(t->n_clusters > 0 && t->n_head < t->m / 4); /* the clusters do the work */
    const char *names[6] = {"cluster df", "cluster df2", "cluster kt1", "cluster k2t2",
                            "cluster d3", "cluster k3"};
    for (int j = -1; j <= 30; j++) {
        const double k = j < 0 ? 0.0 : pow(10.0, -12.0 + 0.5 * j); /* 0, 1e-12 … 1e3 */
        slt_sum s[6], ref[6], four[4];
        for (int w = 0; w < 6; w++) {
            gen_ctx c = {w, k};
            assert_ok(named_real_sum(t, w, k, &s[w]));
            assert_ok(slt_task_sum(t, gen_real, &c, NULL, &ref[w]));
            check_cluster_sum(names[w], s[w], ref[w]);
        }
        assert_ok(slt_sum_resolvent(t, k, four));
        for (int w = 0; w < 4; w++) check_cluster_sum("fused resolvent", four[w], ref[w]);
    }
    /* trace and target: the clusters' zeroth moments */
    {
        slt_sum s, ref;
        gen_ctx c = {6, 0.0};
        assert_ok(slt_sum_trace(t, &s));
        assert_ok(slt_task_sum(t, cl_trace, &c, NULL, &ref));
        check_cluster_sum("cluster trace", s, ref);
        assert_ok(slt_sum_target(t, &s));
        assert_ok(slt_task_sum(t, cl_target, &c, NULL, &ref));
        check_cluster_sum("cluster target", s, ref);
    }
    /* sabotage: the first-order moment of the largest cluster dropped must show at κ = 0 */
    size_t big = 0;
    for (size_t q = 1; q < t->n_clusters; q++)
        if (t->clusters[q].count > t->clusters[big].count) big = q;
    double saved = t->clusters[big].mom[0][1];
    t->clusters[big].mom[0][1] = 0.0;
    slt_sum s, ref;
    gen_ctx c = {0, 0.0};
    assert_ok(slt_sum_df(t, 0.0, &s));
    assert_ok(slt_task_sum(t, gen_real, &c, NULL, &ref));
    assert_false(slt_within(fabs(s.value - ref.value), s.err + ref.err, 0.0));
    t->clusters[big].mom[0][1] = saved;
}

static void test_clustered_real_sums(void **state)
{
    (void)state;
    uint64_t x = 12345;
    /* plain modes: 4096 jittered λ_k ∝ k^{-1.7}, random targets (some 0) */
    const size_t m = 4096;
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt),
           *mult = malloc(m * sizeof *mult);
    assert_non_null(lam);
    assert_non_null(tgt);
    assert_non_null(mult);
    for (size_t k = 0; k < m; k++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        double r = (double)(x >> 11) * 0x1.0p-53;
        lam[k] = pow(k + 1.0 + 0.9 * r, -1.7);
        tgt[k] = k % 11 == 3 ? 0.0 : pow(k + 1.0, -1.9) * (0.2 + r);
        mult[k] = 1.0 + floor(1000.0 * r * r);
    }
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_explicit(m, lam, tgt, 0.0, &t));
    check_clustered_real(t);
    slt_task_free(t);
    /* levels: 2048 with multiplicities up to 1000, runs of equal λ (ρ = 0 clusters too) */
    for (size_t k = 0; k < 2048; k++) lam[k] = pow((double)(k / 4 + 1), -2.3);
    assert_ok(slt_task_alloc_levels(2048, lam, mult, tgt, 0.1, &t));
    check_clustered_real(t);
    slt_task_free(t);
    free(lam);
    free(tgt);
    free(mult);
}

/* Regressions: a generic sum whose head underflows to 0 (large t), and one whose summand
 * is 0/0 once λ and t underflow (t/λ). Σ_k λ_k e^{−2λ_k t} is the decay sum of the task
 * with β' = (α−1)/α (t'_k = λ_k); Σ t_k/λ_k = ζ(αβ + 1 − α). */
static double lambda_decay(double l, double t, void *ctx)
{
    (void)t;
    return l * exp(-2.0 * l * *(double *)ctx);
}

static double target_over_lambda(double l, double t, void *ctx)
{
    (void)ctx;
    return t / l;
}

static void test_generic_underflow(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 1.9), *tl = power_law(2.0, 0.5);
    double times[] = {1e-2, 1e3, 1e9, 1e12};
    for (size_t i = 0; i < 4; i++) {
        slt_sum g, d;
        assert_ok(slt_task_sum(t, lambda_decay, &times[i], NULL, &g));
        assert_ok(slt_sum_decay(tl, times[i], &d));
        check_sum("generic lambda decay", g.value, g.err + d.err, d.value);
    }
    slt_sum s;
    assert_ok(slt_task_sum(t, target_over_lambda, NULL, NULL, &s));
    check_sum("sum t/lambda", s.value, s.err, gsl_sf_zeta(2.0 * 1.9 + 1.0 - 2.0));
    slt_task_free(t);
    slt_task_free(tl);
}

/* ---- α close to 1, β up to 12 (issue 10) -----------------------------------------------
 * Independent references: a head summed in long double up to K, where λ_{K+1}/|z| <= 1/20
 * (or 2λ_{K+1}T <= 1/20), and the rest as a series in λ/z (in λT) of Hurwitz zetas,
 *   Σ_{k>K} λ/(λ+z)        = Σ_{n>=1} (−1)^{n−1} z^{−n} ζ(nα, K+1)
 *   Σ_{k>K} λ²/(λ+z)²      = Σ_{n>=2} (−1)^n (n−1) z^{−n} ζ(nα, K+1)
 *   Σ_{k>K} t z/(λ+z)      = Σ_{n>=0} (−1)^n z^{−n} ζ(q+nα, K+1)
 *   Σ_{k>K} t z²/(λ+z)²    = Σ_{n>=0} (−1)^n (n+1) z^{−n} ζ(q+nα, K+1)
 *   Σ_{k>K} λ^j t e^{−2λT} = Σ_{n>=0} (−2T)^n/n! ζ(q+(n+j)α, K+1)
 * None of it shares code or method with the library's incomplete-beta tails or its
 * Euler–Maclaurin / far-tail extrapolation. */
#define NEAR1_RATIO 0.05
#define NEAR1_TERMS 16 /* 0.05^16 ≈ 1.5e-21: the series' truncation is negligible */

typedef struct {
    double complex v[4]; /* df, df2, kt1, k2t2 */
    double err[4];       /* the reference's own error bound */
} near1_ref;

static size_t near1_head(double alpha, double scale)
{
    /* smallest K with λ_{K+1} = (K+1)^{-α} <= NEAR1_RATIO·scale */
    double k = ceil(pow(NEAR1_RATIO * scale, -1.0 / alpha));
    return k < 1.0 ? 0 : (size_t)k;
}

static void near1_resolvent(double alpha, double beta, double complex z, near1_ref *r)
{
    const double q = alpha * beta + 1.0;
    size_t K = near1_head(alpha, cabs(z));
    long double complex s[4] = {0, 0, 0, 0};
    long double a[4] = {0, 0, 0, 0};
    for (size_t k = K; k >= 1; k--) { /* smallest terms first */
        double x = (double)k, l = pow(x, -alpha), t = pow(x, -q);
        long double complex d = (long double)l + (long double complex)z;
        long double complex f = l / d, g = z / d;
        long double complex v[4] = {f, f * f, t * g, t * g * g};
        for (int i = 0; i < 4; i++) {
            s[i] += v[i];
            a[i] += cabsl(v[i]);
        }
    }
    double complex zi = 1.0 / z, p = 1.0;
    double tail_abs[4] = {0, 0, 0, 0}, hz_err[4] = {0, 0, 0, 0};
    double complex tail[4] = {0, 0, 0, 0};
    for (int n = 0; n < NEAR1_TERMS; n++) {
        double sgn = (n % 2) ? -1.0 : 1.0;
        gsl_sf_result h1, h2;
        assert_int_equal(gsl_sf_hzeta_e(q + n * alpha, K + 1.0, &h2), 0);
        double complex c[4] = {0, 0, sgn * p * h2.val, sgn * (n + 1) * p * h2.val};
        double e[4] = {0, 0, cabs(p) * h2.err, (n + 1) * cabs(p) * h2.err};
        if (n >= 1) {
            assert_int_equal(gsl_sf_hzeta_e(n * alpha, K + 1.0, &h1), 0);
            c[0] = -sgn * p * h1.val;
            e[0] = cabs(p) * h1.err;
            if (n >= 2) {
                c[1] = sgn * (n - 1) * p * h1.val;
                e[1] = (n - 1) * cabs(p) * h1.err;
            }
        }
        for (int i = 0; i < 4; i++) {
            tail[i] += c[i];
            tail_abs[i] += cabs(c[i]);
            hz_err[i] += e[i];
        }
        p *= zi;
    }
    for (int i = 0; i < 4; i++) {
        r->v[i] = (double complex)s[i] + tail[i];
        /* head terms: a few ulps each in double (8 u); tail: GSL's errors, 8 u of rounding */
        r->err[i] = 8.0 * 2.2e-16 * ((double)a[i] + tail_abs[i]) + hz_err[i];
    }
}

/* Σ λ^j t e^{−2λT} by the same head + Hurwitz series */
static void near1_decay(double alpha, double beta, double T, int j, double *v, double *err)
{
    const double q = alpha * beta + 1.0;
    size_t K = T > 0.0 ? near1_head(alpha, 1.0 / (2.0 * T)) : 0;
    long double s = 0;
    for (size_t k = K; k >= 1; k--) {
        double x = (double)k, l = pow(x, -alpha);
        s += (long double)pow(l, j) * pow(x, -q) * exp(-2.0 * l * T);
    }
    double tail = 0.0, tail_abs = 0.0, e = 0.0, f = 1.0;
    for (int n = 0; n < NEAR1_TERMS && f != 0.0; n++) {
        gsl_sf_result h;
        assert_int_equal(gsl_sf_hzeta_e(q + (n + j) * alpha, K + 1.0, &h), 0);
        tail += f * h.val;
        tail_abs += fabs(f * h.val);
        e += fabs(f) * h.err;
        f *= -2.0 * T / (n + 1);
    }
    *v = (double)s + tail;
    *err = 8.0 * 2.2e-16 * ((double)s + tail_abs) + e;
}

/* |value − ref| within the sum's bound plus the reference's, and the bound itself not
 * absurd: 1e-10 relative, well above the 1e-13 target but far below anything a caller
 * would notice (the far-tail extrapolation may use up to 1000·rel_tol, see sums.c) */
static void check_near1(const char *what, double alpha, double beta, double complex z,
                        double complex value, double err, double complex ref, double ref_err)
{
    char label[160];
    snprintf(label, sizeof label, "%s alpha %g beta %g z %.6g%+.6gi (value %.17g%+.17gi)", what,
             alpha, beta, creal(z), cimag(z), creal(value), cimag(value));
    assert_within_c(label, value, err, ref, ref_err);
    assert_err_at_most(label, err, TOL_NUMERIC * cabs(ref));
}

static double gen_df_real(double l, double t, void *ctx)
{
    (void)t;
    return l / (l + *(double *)ctx);
}

static double gen_trace(double l, double t, void *ctx) { (void)t; (void)ctx; return l; }
static double gen_target(double l, double t, void *ctx) { (void)l; (void)ctx; return t; }
static double gen_mixed(double l, double t, void *ctx) { (void)ctx; return l + 3.0 * t; }
static double gen_weighted_decay(double l, double t, void *ctx)
{
    return l * t * exp(-2.0 * l * *(double *)ctx);
}

static void test_alpha_near_one(void **state)
{
    (void)state;
    const double alphas[] = {1.02, 1.05, 1.1, 1.3, 2.0, 4.0, 8.0};
    const double betas[] = {0.05, 0.5, 1.0, 1.7, 4.0, 8.0, 12.0};
    /* real κ from small (the statics' and DMFT's large N, P) to O(1), and Talbot-like complex
     * points z = μ(θ cot θ + iθ), θ up to 3 (arg z ≈ π − 0.14) */
    double kappas[] = {1e-6, 1e-2, 3.0};
    const double mus[] = {1e-3, 0.5}, thetas[] = {0.5, 2.0, 3.0};
    const double times[] = {0.0, 1.0, 1e3};
    for (size_t ia = 0; ia < 7; ia++)
        for (size_t ib = 0; ib < 7; ib++) {
            const double al = alphas[ia], be = betas[ib];
            slt_task *t = power_law(al, be);
            slt_sum s;
            slt_csum c, f[4];
            near1_ref r;
            /* the long-double head has (20/κ)^{1/α} terms: κ = 1e-4 keeps it near 2·10^5 at α ≈ 1 */
            kappas[0] = al < 1.2 ? 1e-4 : 1e-6;
            for (size_t i = 0; i < 3; i++) {
                double k = kappas[i];
                near1_resolvent(al, be, k, &r);
                assert_ok(slt_sum_df(t, k, &s));
                check_near1("df", al, be, k, s.value, s.err, r.v[0], r.err[0]);
                assert_ok(slt_sum_df2(t, k, &s));
                check_near1("df2", al, be, k, s.value, s.err, r.v[1], r.err[1]);
                assert_ok(slt_sum_kt1(t, k, &s));
                check_near1("kt1", al, be, k, s.value, s.err, r.v[2], r.err[2]);
                assert_ok(slt_sum_k2t2(t, k, &s));
                check_near1("k2t2", al, be, k, s.value, s.err, r.v[3], r.err[3]);
                /* the general callback on the same sum: quadrature and far-tail path */
                assert_ok(slt_task_sum(t, gen_df_real, &k, NULL, &s));
                check_near1("generic df", al, be, k, s.value, s.err, r.v[0], r.err[0]);
            }
            for (size_t m = 0; m < 2; m++)
                for (size_t j = 0; j < 3; j++) {
                    double th = thetas[j];
                    double complex z = mus[m] * (th / tan(th) + I * th);
                    near1_resolvent(al, be, z, &r);
                    assert_ok(slt_csum_resolvent(t, z, f));
                    for (int i = 0; i < 4; i++)
                        check_near1("resolvent", al, be, z, f[i].value, f[i].err, r.v[i], r.err[i]);
                    assert_ok(slt_task_csum(t, gen_cdf, &z, NULL, &c));
                    check_near1("generic complex df", al, be, z, c.value, c.err, r.v[0], r.err[0]);
                }
            for (size_t i = 0; i < 3; i++) {
                double T = times[i], v, e;
                near1_decay(al, be, T, 0, &v, &e);
                assert_ok(slt_sum_decay(t, T, &s));
                check_near1("decay", al, be, T, s.value, s.err, v, e);
                near1_decay(al, be, T, 1, &v, &e);
                assert_ok(slt_task_sum(t, gen_weighted_decay, &T, NULL, &s));
                check_near1("weighted decay", al, be, T, s.value, s.err, v, e);
            }
            /* closed forms: Σλ = ζ(α) (the DMFT's trace), Σt = ζ(q), Σ(λ + 3t), Σ t/λ = ζ(q − α) */
            gsl_sf_result z1;
            assert_int_equal(gsl_sf_zeta_e(al, &z1), 0);
            assert_ok(slt_task_sum(t, gen_trace, NULL, NULL, &s));
            check_near1("trace", al, be, 0, s.value, s.err, z1.val, z1.err);
            assert_int_equal(gsl_sf_zeta_e(al * be + 1.0, &z1), 0);
            assert_ok(slt_task_sum(t, gen_target, NULL, NULL, &s));
            check_near1("target", al, be, 0, s.value, s.err, z1.val, z1.err);
            /* two powers at once (the far tail's two-term fit when q − 1 is close to α − 1) */
            gsl_sf_result z2;
            assert_int_equal(gsl_sf_zeta_e(al, &z1), 0);
            assert_int_equal(gsl_sf_zeta_e(al * be + 1.0, &z2), 0);
            assert_ok(slt_task_sum(t, gen_mixed, NULL, NULL, &s));
            check_near1("lambda + 3t", al, be, 0, s.value, s.err, z1.val + 3.0 * z2.val,
                        z1.err + 3.0 * z2.err + 4.0 * 2.2e-16 * (z1.val + 3.0 * z2.val));
            if (al * be - al > 0.5) {
                assert_int_equal(gsl_sf_zeta_e(al * be + 1.0 - al, &z1), 0);
                assert_ok(slt_task_sum(t, target_over_lambda, NULL, NULL, &s));
                check_near1("t/lambda", al, be, 0, s.value, s.err, z1.val, z1.err);
            }
            slt_task_free(t);
        }
}

/* Item 9: at α = β = 11, t_k = k^{-122} leaves the double range inside the cached head;
 * the general sum used to fail ("does not decay", |integrand| nan). Σ λ t e^{−2λT} at
 * T = 1 is e^{−2} + 2^{−133} e^{−2^{−10}} + … (terms beyond k = 3 are below 1e-63). */
static void test_huge_exponents(void **state)
{
    (void)state;
    slt_task *t = power_law(11.0, 11.0);
    double T = 1.0;
    long double ref = 0;
    for (int k = 40; k >= 1; k--) {
        long double l = powl(k, -11.0L), tk = powl(k, -122.0L);
        ref += l * tk * expl(-2.0L * l * T);
    }
    slt_sum s;
    assert_ok(slt_task_sum(t, gen_weighted_decay, &T, NULL, &s));
    check_near1("weighted decay, alpha = beta = 11", 11, 11, T, s.value, s.err, (double)ref,
                4.0 * 2.2e-16 * (double)ref);
    assert_ok(slt_task_sum(t, gen_trace, NULL, NULL, &s));
    check_near1("trace, alpha = beta = 11", 11, 11, 0, s.value, s.err, gsl_sf_zeta(11.0),
                4.0 * 2.2e-16 * gsl_sf_zeta(11.0));
    slt_task_free(t);
    /* t_k below the evaluable range from k = 1 on (A_t = 1e-300): the far tail cannot be
     * fitted, and the sum must fail rather than return its head alone (5.2 for ζ(1.1)) */
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = 1.1;
    p.beta = 1.7;
    p.amp_target = 1e-300;
    assert_ok(slt_task_alloc_power_law(&p, &t));
    assert_int_equal(slt_task_sum(t, gen_trace, NULL, NULL, &s), SLT_ENOCONV);
    assert_true(isnan(s.value));
    slt_task_free(t);
}


/* ---- Large source exponents (issue 10) --------------------------------------------
 * q = αβ + 1 in the hundreds to tens of thousands: t_k leaves double's range within a few
 * modes, and the tails used to form 0·∞ (Γ(β) overflow, κ^β underflow) or fit a decay
 * rate where t had already overflowed: "result diverges" for convergent sums. Reference:
 * a long-double sum (exponent range to 10^-4951) with every term formed in logarithms,
 * Kahan-compensated, up to the k where a bound on the rest is below 1e-19 of the sum, plus
 * that bound: Σ_{j>k} t_j <= k^{1−q}/(q − 1) for the t-weighted sums (each term is t_j times
 * a factor in [0, 1]), Σ_{j>k} λ_j/κ <= k^{1−α}/((α − 1)κ) for df and df2. No shared
 * method with the library (no Euler–Maclaurin, no closed-form tail). */
enum { HQ_DF, HQ_DF2, HQ_KT1, HQ_K2T2, HQ_DECAY, HQ_WDECAY, HQ_TARGET };

static void huge_q_reference(double al, double be, int kind, double par, double *ref,
                             double *ref_err)
{
    /* the task's q is the double αβ + 1; a long-double product differs by ~1e-15, which
     * k^-q turns into 2e-14 relative at k = 1e4 */
    const long double q = (long double)(al * be + 1.0), a = al, p = par;
    long double sum = 0, comp = 0, sum_abs = 0, rest = 0;
    for (long k = 1; k <= 4000000; k++) {
        const long double lk = logl((long double)k), ll = -a * lk, lt = -q * lk;
        const long double lam = expl(ll), t = expl(lt);
        long double v;
        switch (kind) {
        case HQ_DF: v = lam / (lam + p); break;
        case HQ_DF2: v = lam / (lam + p); v *= v; break;
        case HQ_KT1: v = t * p / (lam + p); break;
        case HQ_K2T2: v = p / (lam + p); v = t * v * v; break;
        case HQ_DECAY: v = expl(lt - 2.0L * lam * p); break;
        case HQ_WDECAY: v = expl(ll + lt - 2.0L * lam * p); break;
        default: v = t; break;
        }
        long double y = v - comp, s = sum + y; /* Kahan */
        comp = (s - sum) - y;
        sum = s;
        sum_abs += fabsl(v);
        if (kind == HQ_DF || kind == HQ_DF2)
            rest = expl((1.0L - a) * lk) / ((a - 1.0L) * p);
        else
            rest = expl((1.0L - q) * lk) / (q - 1.0L);
        if (k >= 64 && (rest <= 1e-19L * sum_abs || rest < 1e-330L)) break;
    }
    *ref = (double)sum;
    /* the rest, the long-double rounding (a few ulps of 2^-64 per term after compensation)
     * and the rounding of the reference to double, plus one subnormal step */
    *ref_err = (double)(rest + 8.0L * LDBL_EPSILON * sum_abs) + 2.2e-16 * fabs(*ref) + DBL_TRUE_MIN;
}

static double hq_wdecay(double l, double t, void *ctx)
{
    double T = *(const double *)ctx;
    return l * t * exp(-2.0 * l * T);
}

static void check_huge_q(const char *what, double al, double be, double par, int rc,
                         const slt_sum *s, double ref, double ref_err)
{
    if (rc != SLT_OK) {
        print_error("%s alpha %g beta %g at %g: status %d (%s)\n", what, al, be, par, rc,
                    slt_last_error());
        fail();
    }
    /* the bound must be useful: 1e-10 relative (as the other comparisons), or below 1e-300
     * absolute where the sum itself is at the end of double's range (it underflows at
     * T = 1e6 for the larger exponents: the true value is ~10^-889 there) */
    char label[160];
    snprintf(label, sizeof label, "%s alpha %g beta %g at %g", what, al, be, par);
    assert_within(label, s->value, s->err, ref, ref_err);
    assert_err_at_most(label, s->err, TOL_NUMERIC * fabs(ref) + 1e-300);
}

static void test_large_source_exponent(void **state)
{
    (void)state;
    static const double alphas[] = {1.05, 2.0, 8.0, 40.0}, betas[] = {50, 100, 200, 400, 1000};
    static const double kappas[] = {1e-6, 1e-2, 3.0}, times[] = {0.0, 1.0, 100.0, 1e6};
    for (int ia = 0; ia < 4; ia++)
        for (int ib = 0; ib < 5; ib++) {
            const double al = alphas[ia], be = betas[ib];
            slt_task *t = power_law(al, be);
            slt_sum s;
            double ref, ref_err;
            for (int ik = 0; ik < 3; ik++) {
                const double k = kappas[ik];
                /* df and df2 do not involve t; their tails are slow for α <= 2, so the
                 * direct reference is used where it converges within 4e6 modes */
                if (al >= 8.0) {
                    huge_q_reference(al, be, HQ_DF, k, &ref, &ref_err);
                    check_huge_q("df", al, be, k, slt_sum_df(t, k, &s), &s, ref, ref_err);
                    huge_q_reference(al, be, HQ_DF2, k, &ref, &ref_err);
                    check_huge_q("df2", al, be, k, slt_sum_df2(t, k, &s), &s, ref, ref_err);
                } else if (al == 2.0) {
                    /* Σ 1/(1 + κk²) = (π/√κ · coth(π/√κ) − 1)/2 */
                    double r = M_PI / sqrt(k);
                    ref = 0.5 * (r / tanh(r) - 1.0);
                    check_huge_q("df", al, be, k, slt_sum_df(t, k, &s), &s, ref,
                                 8.0 * 2.2e-16 * ref);
                }
                huge_q_reference(al, be, HQ_KT1, k, &ref, &ref_err);
                check_huge_q("kt1", al, be, k, slt_sum_kt1(t, k, &s), &s, ref, ref_err);
                huge_q_reference(al, be, HQ_K2T2, k, &ref, &ref_err);
                check_huge_q("k2t2", al, be, k, slt_sum_k2t2(t, k, &s), &s, ref, ref_err);
            }
            for (int it = 0; it < 4; it++) {
                double T = times[it];
                huge_q_reference(al, be, HQ_DECAY, T, &ref, &ref_err);
                check_huge_q("decay", al, be, T, slt_sum_decay(t, T, &s), &s, ref, ref_err);
                huge_q_reference(al, be, HQ_WDECAY, T, &ref, &ref_err);
                check_huge_q("general weighted decay", al, be, T,
                             slt_task_sum(t, hq_wdecay, &T, NULL, &s), &s, ref, ref_err);
            }
            huge_q_reference(al, be, HQ_TARGET, 0, &ref, &ref_err);
            check_huge_q("target", al, be, 0, slt_sum_target(t, &s), &s, ref, ref_err);
            check_huge_q("general target", al, be, 0, slt_task_sum(t, gen_target, NULL, NULL, &s),
                         &s, ref, ref_err);
            /* the complex κT₁, κ²T₂ (the DMFT's resolvent; the closed tails formed A^{-β} z^β,
             * NaN "tail error" at β >= 200) against a direct long-double sum: at q >= 53.5
             * every term beyond k = 64 is below 64^{-52.5}|z|/|Im z| ~ 1e-93 of the first */
            static const double complex zs[2] = {0.5 + 0.5 * I, -0.3 + 0.2 * I};
            for (int iz = 0; iz < 2; iz++) {
                const double complex z = zs[iz];
                long double complex r1 = 0, r2 = 0;
                for (int k = 64; k >= 1; k--) {
                    long double lam = powl(k, -(long double)al);
                    long double tk = expl(-(long double)(al * be + 1.0) * logl(k));
                    long double complex w = (long double complex)z / (lam + (long double complex)z);
                    r1 += tk * w;
                    r2 += tk * w * w;
                }
                slt_csum cs;
                assert_ok(slt_csum_kt1(t, z, &cs));
                check_near1("complex kt1", al, be, z, cs.value, cs.err, (double complex)r1,
                            4.0 * 2.2e-16 * cabs((double complex)r1));
                assert_ok(slt_csum_k2t2(t, z, &cs));
                check_near1("complex k2t2", al, be, z, cs.value, cs.err, (double complex)r2,
                            4.0 * 2.2e-16 * cabs((double complex)r2));
                slt_csum res[4];
                assert_ok(slt_csum_resolvent(t, z, res));
                check_near1("resolvent kt1", al, be, z, res[2].value, res[2].err,
                            (double complex)r1, 4.0 * 2.2e-16 * cabs((double complex)r1));
            }
            /* Σ(λ + 3t) = ζ(α) + 3ζ(q): the λ part runs far past t's range */
            gsl_sf_result z1;
            assert_int_equal(gsl_sf_zeta_e(al, &z1), 0);
            ref = z1.val + 3.0 * (1.0 + pow(2.0, -(al * be + 1.0)) * (1.0 + 1e-30));
            check_huge_q("lambda + 3t", al, be, 0, slt_task_sum(t, gen_mixed, NULL, NULL, &s), &s,
                         ref, z1.err + 4.0 * 2.2e-16 * ref);
            slt_task_free(t);
        }
}
/* A summand that does not decay along the tail must fail loudly, not return a number. */
static double not_summable(double l, double t, void *ctx)
{
    (void)l; (void)t; (void)ctx;
    return 1.0;
}

static void test_divergent_sum_fails(void **state)
{
    (void)state;
    slt_task *t = power_law(2.0, 0.5);
    slt_sum s;
    int rc = slt_task_sum(t, not_summable, NULL, NULL, &s);
    assert_true(rc == SLT_EDIVERGE || rc == SLT_ENOCONV);
    assert_true(isnan(s.value)); /* a failure leaves no number behind */
    assert_non_null(strstr(slt_last_error(), "slt_task_sum") ? slt_last_error() : strstr(slt_last_error(), "mode sum"));
    slt_task_free(t);
}

/* ---- Explicit tasks -------------------------------------------------------------- */
static void test_explicit_sums(void **state)
{
    (void)state;
    size_t m = 1000000;
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    long double s_df = 0, s_dec = 0;
    double kap = 1e-5, T = 300.0;
    for (size_t i = 0; i < m; i++) {
        lam[i] = 1.0 / ((double)(i + 1) * (double)(i + 1));
        tgt[i] = pow((double)(i + 1), -1.6);
    }
    for (size_t i = m; i-- > 0;) {
        s_df += (long double)lam[i] / ((long double)lam[i] + kap);
        s_dec += (long double)tgt[i] * expl(-2.0L * lam[i] * T);
    }
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_explicit(m, lam, tgt, 0.25, &t));
    assert_int_equal(slt_task_modes(t), m);
    assert_int_equal(slt_task_get_kind(t), SLT_TASK_EXPLICIT);
    assert_close(slt_task_noise(t), 0.25, 0, 0);
    assert_true(isnan(slt_task_lambda(t, m + 1)));
    slt_sum s;
    assert_ok(slt_sum_df(t, kap, &s));
    check_sum("explicit df", s.value, s.err, (double)s_df);
    assert_int_equal(s.head_terms, m);
    assert_ok(slt_sum_decay(t, T, &s));
    check_sum("explicit decay", s.value, s.err, (double)s_dec);
    /* κ = 0 is allowed for a finite task: df(0) = M exactly */
    assert_ok(slt_sum_df(t, 0.0, &s));
    assert_close(s.value, (double)m, 0, 0);
    slt_task_free(t);
    free(lam);
    free(tgt);
}

/* ---- Validation ------------------------------------------------------------------ */
static void expect_message(const char *needle)
{
    if (!strstr(slt_last_error(), needle)) {
        print_error("message '%s' does not contain '%s'\n", slt_last_error(), needle);
        fail();
    }
}

static void test_power_law_validation(void **state)
{
    (void)state;
    slt_task *t = (slt_task *)0x1;
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = 1.0;
    assert_status(slt_task_alloc_power_law(&p, &t), SLT_EINVAL);
    assert_null(t);
    expect_message("alpha = 1 is out of range (expected alpha > 1)");
    p = slt_power_law_params_default();
    p.beta = NAN;
    assert_status(slt_task_alloc_power_law(&p, &t), SLT_EINVAL);
    expect_message("beta = nan");
    p = slt_power_law_params_default();
    p.noise = -1;
    assert_status(slt_task_alloc_power_law(&p, &t), SLT_EINVAL);
    expect_message("noise = -1 is out of range (expected noise >= 0)");
    p = slt_power_law_params_default();
    p.amp_lambda = INFINITY;
    assert_status(slt_task_alloc_power_law(&p, &t), SLT_EINVAL);
    expect_message("amp_lambda = inf");

    t = power_law(2.0, 1.0);
    slt_sum s;
    slt_csum c;
    assert_status(slt_sum_df(t, 0.0, &s), SLT_EINVAL);
    expect_message("kappa = 0 is out of range (expected kappa > 0)");
    assert_status(slt_sum_decay(t, -1.0, &s), SLT_EINVAL);
    expect_message("time = -1");
    assert_status(slt_csum_df(t, -0.5, &c), SLT_EDOM);
    expect_message("negative real axis");
    /* real z < −λ_1 = −1 is admissible: every λ + z < 0; at α = 2 the coth closed form
     * continues to πb·cot(πb) (b = |z|^{-1/2}) */
    slt_task *t2 = power_law(2.0, 0.5);
    double complex zneg[] = {-1.5, -7.0, -30.0}; /* |z| <= 30: the reference cancels beyond */
    for (int j = 0; j < 3; j++) {
        assert_ok(slt_csum_df(t2, zneg[j], &c));
        check_csum("df at real z < -lambda_1", c.value, c.err, df_alpha2(zneg[j]));
        assert_true(cimag(c.value) == 0.0);
        slt_csum f[4];
        assert_ok(slt_csum_resolvent(t2, zneg[j], f));
        check_csum("resolvent df at real z < -lambda_1", f[0].value, f[0].err, df_alpha2(zneg[j]));
        check_csum("resolvent kt1 at real z < -lambda_1", f[2].value, f[2].err,
                   zneg[j] * df_alpha2(zneg[j]));
    }
    slt_task_free(t2);
    assert_status(slt_sum_df(t, 1.0, NULL), SLT_EINVAL);
    slt_sum_options o = slt_sum_options_default();
    o.rel_tol = 0.0;
    assert_status(slt_task_sum(t, gen_kt1, &(double){1.0}, &o, &s), SLT_EINVAL);
    expect_message("rel_tol");
    slt_task_free(t);
    slt_task_free(NULL);
}

static void test_explicit_validation(void **state)
{
    (void)state;
    slt_task *t = NULL;
    double lam[] = {1.0, 0.5, 0.7}, tgt[] = {1.0, 0.5, 0.2};
    assert_status(slt_task_alloc_explicit(3, lam, tgt, 0.0, &t), SLT_EINVAL);
    expect_message("lambda_3 = 0.69999999999999996 exceeds lambda_2");
    double lam2[] = {1.0, 0.5, -0.1};
    assert_status(slt_task_alloc_explicit(3, lam2, tgt, 0.0, &t), SLT_EINVAL);
    expect_message("lambda_3 = -0.10000000000000001 is out of range");
    double tgt2[] = {1.0, NAN, 0.2};
    assert_status(slt_task_alloc_explicit(3, lam, tgt2, 0.0, &t), SLT_EINVAL);
    expect_message("target_2 = nan");
    assert_status(slt_task_alloc_explicit(0, lam, tgt, 0.0, &t), SLT_EINVAL);
    expect_message("at least one mode");
    assert_null(t);
}

/* ---- Task files -------------------------------------------------------------------- */
static char *write_temp(const char *text)
{
    static char path[64];
    strcpy(path, "/tmp/slt_task_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_task_files(void **state)
{
    (void)state;
    slt_task *t = NULL;
    char *path = write_temp("# a comment\n\n1.0 0.5\n0.25\t0.125\n  0.0625 0  \n");
    assert_ok(slt_task_read_file(path, 0.1, &t));
    assert_int_equal(slt_task_modes(t), 3);
    assert_close(slt_task_lambda(t, 2), 0.25, 0, 0);
    assert_close(slt_task_target(t, 3), 0.0, 0, 0);

    /* round trip through slt_task_write keeps every bit */
    FILE *f = fopen(path, "w");
    assert_ok(slt_task_write(t, f, 0));
    fclose(f);
    slt_task *u = NULL;
    assert_ok(slt_task_read_file(path, 0.1, &u));
    for (size_t k = 1; k <= 3; k++) {
        assert_close(slt_task_lambda(u, k), slt_task_lambda(t, k), 0, 0);
        assert_close(slt_task_target(u, k), slt_task_target(t, k), 0, 0);
    }
    slt_task_free(u);
    slt_task_free(t);
    unlink(path);

    path = write_temp("1.0 0.5\n0.5 x\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("line 2: expected two numbers");
    unlink(path);
    path = write_temp("1.0 0.5\n0.5 0.1 7\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("line 2");
    unlink(path);
    path = write_temp("0.5 0.5\n1.0 0.1\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EINVAL);
    expect_message("descending");
    unlink(path);
    path = write_temp("# nothing\n");
    assert_status(slt_task_read_file(path, 0.0, &t), SLT_EFORMAT);
    expect_message("no modes");
    unlink(path);
    assert_status(slt_task_read_file("/nonexistent/task.txt", 0.0, &t), SLT_EIO);
    expect_message("/nonexistent/task.txt");

    /* a power-law task writes its head and states the tail mass it left out */
    slt_task *p = power_law(2.0, 0.5);
    f = tmpfile();
    assert_ok(slt_task_write(p, f, 10));
    rewind(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "target mass left out"));
    double left = atof(strstr(line, "left out: ") + 10);
    assert_close(left, gsl_sf_hzeta(2.0, 11.0), TOL_ROOT, 0); /* Σ_{k>10} k^-2 */
    fclose(f);
    f = fopen("/dev/full", "w");
    assert_status(slt_task_write(p, f, 10), SLT_EIO);
    fclose(f);
    slt_task_free(p);
}

/* ---- Converters (conventions.md §6) ----------------------------------------------- */
static void test_converters(void **state)
{
    (void)state;
    double al, be, a, b;
    assert_ok(slt_convert_bap2024a(2.5, 1.5, &al, &be)); /* α = b, β = (a−1)/b */
    assert_close(al, 1.5, 0, 0);
    assert_close(be, 1.0, TOL_ROUNDING, 0);
    assert_ok(slt_convert_to_bap2024a(al, be, &a, &b));
    assert_close(a, 2.5, TOL_ROUNDING, 0);
    assert_close(b, 1.5, 0, 0);
    assert_status(slt_convert_bap2024a(0.5, 1.5, &al, &be), SLT_EINVAL);
    expect_message("a = 0.5 is out of range (expected a > 1)");

    assert_ok(slt_convert_bahri(0.5, &al, &be)); /* α = 1 + α_K, β = α_K/(1+α_K) */
    assert_close(al, 1.5, 0, 0);
    assert_close(be, 1.0 / 3.0, TOL_ROUNDING, 0);
    assert_status(slt_convert_bahri(-1, &al, &be), SLT_EINVAL);
    expect_message("alpha_K = -1");
    assert_ok(slt_convert_maloney(1.0, &al, &be));
    assert_close(al, 2.0, 0, 0);
    assert_close(be, 0.5, 0, 0);

    assert_ok(slt_convert_plrf(0.75, 0.5, &al, &be)); /* α = 2α_P, β = (2α_P+2β_P−1)/(2α_P) */
    assert_close(al, 1.5, 0, 0);
    assert_close(be, 1.0, TOL_ROUNDING, 0);
    assert_ok(slt_convert_to_plrf(al, be, &a, &b));
    assert_close(a, 0.75, 0, 0);
    assert_close(b, 0.5, TOL_ROUNDING, 0);
    /* Phase boundary: β_P = ½ ⇔ β = 1; β_P = α_P ⇔ β = 2 − 1/α */
    assert_ok(slt_convert_plrf(1.3, 1.3, &al, &be));
    assert_close(be, 2.0 - 1.0 / al, TOL_ROUNDING, 0);
    assert_status(slt_convert_plrf(0.4, 0.5, &al, &be), SLT_EINVAL);
    expect_message("alpha_P = 0.40000000000000002 is out of range (expected alpha_P > 0.5)");
    assert_status(slt_convert_plrf(1.0, -0.6, &al, &be), SLT_EINVAL);
    expect_message("beta (canonical)");

    assert_ok(slt_convert_spigler(6.0, 9.0, 3.0, &al, &be)); /* α = α_S/d, β = (α_T−d)/α_S */
    assert_close(al, 2.0, 0, 0);
    assert_close(be, 1.0, 0, 0);
    assert_status(slt_convert_spigler(2.0, 9.0, 3.0, &al, &be), SLT_EINVAL);
    expect_message("alpha_S");
}

static void test_status_codes(void **state)
{
    (void)state;
    assert_string_equal(slt_strerror(SLT_OK), "success");
    assert_string_equal(slt_strerror(SLT_ENOCONV), "did not converge");
    assert_string_equal(slt_strerror(12345), "unknown status");
    assert_int_equal(slt_exit_class(SLT_OK), 0);
    assert_int_equal(slt_exit_class(SLT_ENOCONV), 1);
    assert_int_equal(slt_exit_class(SLT_EINVAL), 2);
    assert_int_equal(slt_exit_class(SLT_EIO), 3);
    assert_int_equal(slt_exit_class(SLT_ENOMEM), 4);
    assert_int_equal(slt_exit_class(-7), 4);
    slt_error(SLT_EINVAL, "x %d", 3);
    assert_string_equal(slt_last_error(), "x 3");
    slt_error_clear();
    assert_string_equal(slt_last_error(), "");
    assert_status(slt_check_range("f", "width", 0.5, 1.0, 0, 10.0, 1), SLT_EINVAL);
    assert_string_equal(slt_last_error(),
                        "f: width = 0.5 is out of range (expected 1 <= width < 10)");
    assert_ok(slt_check_range("f", "width", 1.0, 1.0, 0, 10.0, 1));
    assert_ok(slt_check_range("f", "n", INFINITY, 1.0, 0, INFINITY, 0));
    assert_status(slt_check_range("f", "n", INFINITY, 1.0, 0, INFINITY, 1), SLT_EINVAL);
}

/* Linking libslt turns GSL's abort-on-error handler off: with GSL's default handler this
 * domain error would abort the whole test program. */
static void test_gsl_handler_off(void **state)
{
    (void)state;
    gsl_sf_result r;
    assert_int_not_equal(gsl_sf_gamma_e(-1.0, &r), 0);
}

/* The double-precision comparison every test relies on. */
static void test_assert_close_helper(void **state)
{
    (void)state;
    assert_true(slt_close_enough(1.0, 1.0 + 1e-12, 1e-11, 0));
    assert_false(slt_close_enough(1.0, 1.0 + 1e-10, 1e-11, 0));
    assert_true(slt_close_enough(1e-20, 0.0, 0, 1e-19));    /* atol alone */
    assert_false(slt_close_enough(1.0 + 1e-9, 1.0, 0, 0));  /* beyond float's 6e-8 too */
    assert_false(slt_close_enough(1.00000001, 1.0, 1e-9, 0)); /* a float compare passes this */
    assert_true(slt_close_enough(NAN, NAN, 0, 0));
    assert_false(slt_close_enough(NAN, 1.0, 1, 1));
    assert_false(slt_close_enough(1.0, NAN, 1, 1));
    assert_true(slt_close_enough(INFINITY, INFINITY, 0, 0));
    assert_false(slt_close_enough(-INFINITY, INFINITY, 1, 1));
    assert_false(slt_close_enough(1e308, INFINITY, 1, 1));
}


/* ---- Power laws truncated at M modes (slt_task_alloc_power_law_truncated) --------- *
 * Against closed forms: α = 2, β = ½ (t_k = λ_k = k^{-2}), M = 5000: Σ_{k<=M} k^{-2} =
 * ζ(2) − ζ(2, M+1) (Hurwitz), and df(κ) = the infinite closed form minus the modes beyond
 * M, Σ_{k>M} 1/(1+κk²) = Σ_j (−1)^{j+1} ζ(2j, M+1)/κ^j (κM² = 2.5e4: the series converges
 * at once). Against the explicit list of the same pairs: every sum bit for bit. And α < 1
 * (the PLRF letters at 2α_P < 1), legal only with finitely many modes. */
static void test_truncated_power_law(void **state)
{
    (void)state;
    slt_power_law_params p = slt_power_law_params_default();
    p.alpha = 2.0;
    p.beta = 0.5;
    const size_t M = 5000;
    slt_task *tr, *list;
    assert_ok(slt_task_alloc_power_law_truncated(&p, M, &tr));
    assert_int_equal(slt_task_get_kind(tr), SLT_TASK_EXPLICIT);
    assert_int_equal(slt_task_modes(tr), M);
    slt_sum s;
    assert_ok(slt_sum_target(tr, &s));
    const double head2 = M_PI * M_PI / 6.0 - gsl_sf_hzeta(2.0, (double)M + 1.0);
    assert_close(s.value, head2, TOL_ROUNDING_SUM, 0.0);
    assert_ok(slt_sum_trace(tr, &s));
    assert_close(s.value, head2, TOL_ROUNDING_SUM, 0.0);
    const double kappa = 1e-3;
    double beyond = 0.0;
    for (int j = 1; j <= 6; j++)
        beyond += (j % 2 ? 1.0 : -1.0) * gsl_sf_hzeta(2.0 * j, (double)M + 1.0) / pow(kappa, j);
    assert_ok(slt_sum_df(tr, kappa, &s));
    assert_within("df truncated", s.value, s.err, creal(df_alpha2(kappa)) - beyond,
                  TOL_ROUNDING_COND * s.value);
    /* the explicit list of the same pairs */
    double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt);
    assert_non_null(lam);
    assert_non_null(tgt);
    for (size_t k = 1; k <= M; k++) lam[k - 1] = tgt[k - 1] = pow((double)k, -2.0);
    assert_ok(slt_task_alloc_explicit(M, lam, tgt, 0.0, &list));
    slt_csum a[4], b[4];
    assert_ok(slt_csum_resolvent(tr, 0.01 + 0.3 * I, a));
    assert_ok(slt_csum_resolvent(list, 0.01 + 0.3 * I, b));
    assert_memory_equal(a, b, sizeof a);
    slt_sum d1, d2;
    assert_ok(slt_sum_decay(tr, 30.0, &d1));
    assert_ok(slt_sum_decay(list, 30.0, &d2));
    assert_memory_equal(&d1, &d2, sizeof d1);
    slt_task_free(tr);
    slt_task_free(list);
    free(lam);
    free(tgt);

    /* α = 0.8 < 1, β = 2.25: the PLRF letters α_P = 0.4, β_P = 1 at V = 100 */
    double alpha, beta;
    assert_int_equal(slt_convert_plrf(0.4, 1.0, &alpha, &beta), SLT_EINVAL);
    assert_ok(slt_convert_plrf_finite(0.4, 1.0, &alpha, &beta));
    assert_close(alpha, 0.8, TOL_ROUNDING, 0.0);
    assert_close(beta, 2.25, TOL_ROUNDING, 0.0);
    p.alpha = alpha;
    p.beta = beta;
    assert_int_equal(slt_task_alloc_power_law(&p, &tr), SLT_EINVAL);
    assert_ok(slt_task_alloc_power_law_truncated(&p, 100, &tr));
    assert_ok(slt_sum_target(tr, &s));
    assert_close(s.value, gsl_sf_zeta(2.8) - gsl_sf_hzeta(2.8, 101.0), TOL_ROUNDING_COND, 0.0);
    assert_ok(slt_sum_trace(tr, &s));
    double tr08 = 0.0; /* Σ_{k<=100} k^{-0.8}, no closed form at α < 1: summed here */
    for (int k = 100; k >= 1; k--) tr08 += pow(k, -0.8);
    assert_close(s.value, tr08, TOL_ROUNDING_SUM, 0.0);
    slt_task_free(tr);

    /* the range: M, α and β */
    assert_int_equal(slt_task_alloc_power_law_truncated(&p, 0, &tr), SLT_EINVAL);
    assert_null(tr);
    assert_int_equal(slt_task_alloc_power_law_truncated(&p, SLT_TASK_TRUNCATED_MAX + 1, &tr),
                     SLT_EINVAL);
    p.alpha = 0.0;
    assert_int_equal(slt_task_alloc_power_law_truncated(&p, 10, &tr), SLT_EINVAL);
    p.alpha = 0.8;
    p.beta = NAN;
    assert_int_equal(slt_task_alloc_power_law_truncated(&p, 10, &tr), SLT_EINVAL);
    p.beta = -2.0; /* t_k = k^{+0.6}: finite over finitely many modes */
    assert_ok(slt_task_alloc_power_law_truncated(&p, 10, &tr));
    slt_task_free(tr);
    assert_int_equal(slt_convert_plrf_finite(0.0, 1.0, &alpha, &beta), SLT_EINVAL);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms_alpha2),
        cmocka_unit_test(test_complex_closed_forms),
        cmocka_unit_test(test_complex_near_pole),
        cmocka_unit_test(test_target_and_decay_series),
        cmocka_unit_test(test_brute_force),
        cmocka_unit_test(test_generic_entries),
        cmocka_unit_test(test_complex_closed_tails_vs_quadrature),
        cmocka_unit_test(test_resolvent_fused),
        cmocka_unit_test(test_clustered_explicit),
        cmocka_unit_test(test_clustered_real_sums),
        cmocka_unit_test(test_generic_underflow),
        cmocka_unit_test(test_alpha_near_one),
        cmocka_unit_test(test_huge_exponents),
        cmocka_unit_test(test_large_source_exponent),
        cmocka_unit_test(test_divergent_sum_fails),
        cmocka_unit_test(test_explicit_sums),
        cmocka_unit_test(test_truncated_power_law),
        cmocka_unit_test(test_power_law_validation),
        cmocka_unit_test(test_explicit_validation),
        cmocka_unit_test(test_task_files),
        cmocka_unit_test(test_converters),
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_gsl_handler_off),
        cmocka_unit_test(test_assert_close_helper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
