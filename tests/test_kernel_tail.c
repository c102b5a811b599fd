/* The tail beyond lmax on the sphere (solvers/kernels/tail.c; docs/theory/kernels.md,
 * "the tail beyond lmax"): its moments against direct sums over a longer spectrum, the
 * trace identity, and the level task against the flattened per-mode task. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slt_test.h"
#include "slt_test_statics.h"
#include "slt/kernels.h"
#include "slt/statics.h"

/* a target of one kind (the kinds these checks use carry no parameter) */
#define TG(k) (&(slt_kernels_target){.kind = (k)})

typedef struct {
    slt_kernel_type kernel;
    int dim, depth;
} kcase;

static const kcase cases[] = {
    {SLT_KERNEL_RELU_NTK, 3, 1}, {SLT_KERNEL_RELU_NTK, 3, 3}, {SLT_KERNEL_RELU_NTK, 5, 1},
    {SLT_KERNEL_RELU_NTK, 5, 3}, {SLT_KERNEL_RELU_NTK, 10, 1}, {SLT_KERNEL_RELU_NTK, 10, 3},
    {SLT_KERNEL_LAPLACE, 3, 1},
};
#define N_CASES (sizeof cases / sizeof cases[0])

static slt_kernels_params params_of(const kcase *c, size_t lmax)
{
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = c->kernel;
    p.dim = c->dim;
    p.depth = c->depth;
    p.lmax = lmax;
    return p;
}

static slt_kernels_spectrum *spectrum_of(const slt_kernels_params *p)
{
    slt_kernels_workspace *ws = NULL;
    slt_kernels_spectrum *s = NULL;
    assert_ok(slt_kernels_alloc(p, &ws));
    int rc = slt_kernels_spectrum_compute(ws, &s);
    assert_true(rc == SLT_OK || rc == SLT_ENOCONV); /* per-degree errors are checked below */
    slt_kernels_free(ws);
    return s;
}

/* M_j and T_j beyond lmax = 20 equal Σ_{20<ℓ<=400} of the lmax = 400 spectrum plus the
 * moments beyond 400, within the two reported errors and the direct sum's own error. */
static void test_moments_vs_longer_spectrum(void **state)
{
    (void)state;
    enum { NM = 6 };
    for (size_t ci = 0; ci < N_CASES; ci++)
        for (int tg = 0; tg < 2; tg++) {
            slt_kernels_params p20 = params_of(&cases[ci], 20), p400 = params_of(&cases[ci], 400);
            slt_kernels_spectrum *s20 = spectrum_of(&p20), *s400 = spectrum_of(&p400);
            slt_task_tail t20, t400;
            slt_kernels_tail_info i20, i400;
            assert_ok(slt_kernels_tail_moments(&p20, s20, TG((slt_kernels_target_kind)tg), NM, &t20,
                                               &i20));
            assert_ok(slt_kernels_tail_moments(&p400, s400, TG((slt_kernels_target_kind)tg), NM,
                                               &t400, &i400));
            assert_int_equal(t20.n_mom, NM);
            assert_true(isinf(t20.modes) && t20.null_power == 0.0);
            /* direct sums over 20 < ℓ <= 400 (long double), error from the per-degree bars */
            long double dm[NM + 3] = {0};
            double de[NM + 3] = {0};
            double sup = 0.0;
            for (size_t l = 21; l <= 400; l++) {
                const slt_kernels_level *L = &s400->levels[l];
                assert_true(L->mu >= -L->mu_err);
                sup = fmax(sup, fmax(L->mu, 0.0) + L->mu_err);
                for (int j = 1; j <= NM + 2; j++) {
                    dm[j] += (long double)L->mult * powl((long double)L->mu, j);
                    de[j] += L->mult * j * pow(fabs(L->mu) + L->mu_err, j - 1) * L->mu_err;
                }
            }
            int shift = tg == SLT_KTARGET_KERNEL ? 2 : 1;
            for (int j = 1; j <= NM; j++) {
                double ref = (double)dm[j] + t400.lam_mom[j - 1];
                /* the two reported errors + the direct sum's per-degree errors and rounding
                 * of its 380 terms (TOL_ROUNDING_SUM) */
                assert_within("M_j beyond 20 vs direct sum to 400 + beyond 400", t20.lam_mom[j - 1],
                              t20.lam_mom_err[j - 1] + t400.lam_mom_err[j - 1] + de[j],
                              ref, TOL_ROUNDING_SUM * ref);
                double tref = (double)dm[j - 1 + shift] + t400.tgt_mom[j - 1];
                assert_within("T_j beyond 20 vs direct sum to 400 + beyond 400", t20.tgt_mom[j - 1],
                              t20.tgt_mom_err[j - 1] + t400.tgt_mom_err[j - 1] + de[j - 1 + shift],
                              tref, TOL_ROUNDING_SUM * tref);
                /* the bars are useful: the modelled remainder is small (the 1e-6 design) */
                assert_err_at_most("M_j error", t20.lam_mom_err[j - 1], 1e-6 * t20.lam_mom[j - 1]);
            }
            /* λ_sup bounds every tail eigenvalue and is attained up to the errors */
            assert_true(t20.lambda_sup >= sup);
            /* the max is at ℓ = 21 or 22; the two spectra (to 400 and to l_far) may pick
             * different methods there: two numerical methods (TOL_NUMERIC) */
            assert_within("lambda_sup = max of the tail", t20.lambda_sup, 0.0, sup,
                          TOL_NUMERIC * sup);
            slt_kernels_spectrum_free(s20);
            slt_kernels_spectrum_free(s400);
        }
}

/* M_1 by the trace identity against the sums + model remainder (the trace check), for
 * every case, and a trace check that detects a missing degree. */
static void test_trace_identity(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < N_CASES; ci++) {
        slt_kernels_params p = params_of(&cases[ci], 20);
        slt_kernels_spectrum *s = spectrum_of(&p);
        slt_task_tail t;
        slt_kernels_tail_info in;
        assert_ok(slt_kernels_tail_moments(&p, s, TG(SLT_KTARGET_ISOTROPIC), 4, &t, &in));
        assert_within("M_1 (trace identity) vs summed + modelled", t.lam_mom[0],
                      t.lam_mom_err[0] + in.m1_model_err, in.m1_model, 0.0);
        assert_within("trace check", in.trace_check, in.trace_check_err, 0.0, 0.0);
        /* the check is informative: its error is below the mass of one tail degree */
        double n21, l21;
        assert_ok(slt_kernels_multiplicity(p.dim, 22, &n21, &l21));
        assert_err_at_most("trace check error", in.trace_check_err, 0.1 * n21 * s->levels[20].mu);
        assert_within("isotropic T_0 = M_1", t.tgt_mom[0], 0.0, t.lam_mom[0], 0.0);
        assert_true(in.l_far >= 1024 && in.lmax == 20);
        /* a spectrum missing degree 20 (its mass moved out of the trace) fails the check */
        slt_kernels_spectrum bad = *s;
        bad.trace -= s->levels[20].mult * s->levels[20].mu;
        bad.trace += s->levels[20].mult * s->levels[20].mu * 1e-3; /* not the identity */
        if (s->levels[20].mu > 0) {
            assert_status(slt_kernels_tail_moments(&p, &bad, TG(SLT_KTARGET_ISOTROPIC), 4, &t, &in),
                          SLT_ENOCONV);
            assert_non_null(strstr(slt_last_error(), "trace check"));
        }
        slt_kernels_spectrum_free(s);
    }
}

/* The level task's per-mode view equals slt_kernels_task's flattened task. */
static void test_level_task_expansion(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < N_CASES; ci++)
        for (int tg = 0; tg < 2; tg++) {
            size_t lmax = cases[ci].dim >= 10 ? 6 : 20;
            slt_kernels_params p = params_of(&cases[ci], lmax);
            slt_kernels_spectrum *s = spectrum_of(&p);
            double *pw = malloc(s->n_levels * sizeof *pw);
            assert_non_null(pw);
            for (size_t i = 0; i < s->n_levels; i++) {
                const slt_kernels_level *L = &s->levels[i];
                pw[i] = L->mult * L->mu * (tg == SLT_KTARGET_KERNEL ? L->mu : 1.0);
            }
            slt_task *flat = NULL, *lev = NULL;
            double left;
            assert_ok(slt_kernels_task(s, pw, 0.1, 100000000, &flat, &left));
            slt_task_tail tail;
            slt_kernels_tail_info in;
            assert_ok(slt_kernels_level_task(&p, s, TG((slt_kernels_target_kind)tg), 0.1, 4, &lev,
                                             &tail, &in));
            assert_true(slt_task_levels(lev) == in.levels && in.levels < s->n_levels + 1);
            /* the listed levels are the flattened task's modes; the tail comes on top */
            slt_task_tail attached;
            assert_ok(slt_task_get_tail(lev, &attached));
            assert_true(attached.lam_mom[0] == tail.lam_mom[0]);
            double listed = 0;
            for (size_t i = 1; i <= in.levels; i++) {
                slt_level L;
                assert_ok(slt_task_level(lev, i, &L));
                listed += L.mult;
            }
            assert_true(listed == slt_task_modes_total(flat));
            assert_true(slt_task_modes_total(lev) >= listed);
            size_t M = slt_task_modes(flat);
            for (size_t k = 1; k <= M; k++) {
                assert_true(slt_task_lambda(lev, k) == slt_task_lambda(flat, k));
                /* t = P/m in both: the same division (bitwise) */
                assert_true(slt_task_target(lev, k) == slt_task_target(flat, k));
            }
            assert_true(slt_task_noise(lev) == 0.1);
            slt_task_free(flat);
            slt_task_free(lev);
            free(pw);
            slt_kernels_spectrum_free(s);
        }
}

/* Finite and refused cases. */
static void test_edges(void **state)
{
    (void)state;
    /* a polynomial (1 + t)^2 ends at degree 2: nothing beyond lmax = 2, one degree beyond 1 */
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_POLY;
    p.lmax = 2;
    slt_kernels_spectrum *s = spectrum_of(&p);
    slt_task_tail t;
    slt_kernels_tail_info in;
    assert_ok(slt_kernels_tail_moments(&p, s, TG(SLT_KTARGET_KERNEL), 3, &t, &in));
    assert_true(t.modes == 0.0 && t.lam_mom[1] == 0.0 && t.tgt_mom[0] == 0.0);
    slt_kernels_spectrum_free(s);
    p.lmax = 1;
    s = spectrum_of(&p);
    assert_ok(slt_kernels_tail_moments(&p, s, TG(SLT_KTARGET_KERNEL), 3, &t, &in));
    double n2;
    assert_ok(slt_kernels_multiplicity(3, 2, &n2, NULL));
    assert_true(t.modes == n2);
    /* (1+t)^2 = 1 + 2t + t²: on S², t² has the degree-2 part (2/3) P_2: N μ_2 = 2/3 */
    assert_close(t.lam_mom[0], 2.0 / 3.0, TOL_ROUNDING_SUM, 0.0); /* a few roundings of k(1) − trace */
    assert_close(t.lam_mom[1], n2 * pow(2.0 / 3.0 / n2, 2), TOL_ROUNDING_SUM, 0.0);
    /* a finite expansion past lmax, (1 + t)^30 beyond 20: no remainder, so the moments are
     * the direct sums over degrees 21..30 and their errors carry the per-degree errors */
    slt_kernels_params pp = slt_kernels_params_default();
    pp.kernel = SLT_KERNEL_POLY;
    pp.poly_degree = 30;
    pp.lmax = 20;
    slt_kernels_params pq = pp;
    pq.lmax = 30;
    slt_kernels_spectrum *s20 = spectrum_of(&pp), *s30 = spectrum_of(&pq);
    assert_ok(slt_kernels_tail_moments(&pp, s20, TG(SLT_KTARGET_ISOTROPIC), 4, &t, &in));
    assert_true(in.l_far == 30 && in.remainder_rel == 0.0);
    for (int j = 2; j <= 4; j++) {
        long double dm = 0.0L;
        double de = 0.0, modes = 0.0;
        for (size_t l = 21; l <= 30; l++) {
            const slt_kernels_level *L = &s30->levels[l];
            if (!(L->mu > L->mu_err)) continue; /* (1+t)^30 has every degree <= 30 */
            dm += (long double)L->mult * powl((long double)L->mu, j);
            de += L->mult * j * pow(L->mu, j - 1) * L->mu_err;
            modes += L->mult;
        }
        assert_true(t.modes == modes);
        /* the same per-degree values (same methods at ℓ <= 30): rounding of 10 terms */
        assert_within("M_j of a finite tail = its direct sum", t.lam_mom[j - 1],
                      t.lam_mom_err[j - 1], (double)dm, TOL_ROUNDING_SUM * (double)dm);
        /* the per-degree errors are propagated, not dropped */
        assert_true(t.lam_mom_err[j - 1] >= de);
    }
    slt_kernels_spectrum_free(s20);
    slt_kernels_spectrum_free(s30);
    /* the Gaussian decays faster than any power: no remainder model, so the model-free
     * bracket from lmax on (its far spectrum is not computed: l_far = lmax) */
    slt_kernels_params g = slt_kernels_params_default();
    g.kernel = SLT_KERNEL_GAUSSIAN;
    g.lmax = 20;
    slt_kernels_spectrum *sg = spectrum_of(&g);
    slt_task *tk = NULL;
    assert_ok(slt_kernels_level_task(&g, sg, TG(SLT_KTARGET_KERNEL), 0.0, 3, &tk, &t, &in));
    assert_non_null(tk);
    assert_true(in.remainder == SLT_KTAIL_REM_BRACKET && in.l_far == 20 && !in.trace_check_model);
    slt_task_free(tk);
    slt_kernels_spectrum_free(sg);
    /* refused: n_mom out of range, torus, parameters not those of the spectrum */
    assert_status(slt_kernels_tail_moments(&p, s, TG(SLT_KTARGET_KERNEL), 0, &t, &in), SLT_EINVAL);
    assert_status(slt_kernels_tail_moments(&p, s, TG(SLT_KTARGET_KERNEL), SLT_TAIL_MOMENTS + 1, &t,
                                           &in), SLT_EINVAL);
    slt_kernels_params q = p;
    q.dim = 4;
    assert_status(slt_kernels_tail_moments(&q, s, TG(SLT_KTARGET_KERNEL), 3, &t, &in), SLT_EINVAL);
    assert_status(slt_kernels_tail_moments(&p, s, TG((slt_kernels_target_kind)7), 3, &t, &in),
                  SLT_EINVAL);
    slt_kernels_spectrum_free(s);
}

/* ---- the targets with a parameter: power, Gegenbauer, zonal, degree table ---- */

static double g_sqrt(double t, void *ctx)
{
    (void)ctx;
    return sqrt(1.0 - t); /* √2 sin(θ/2): smooth in θ, algebraic Gegenbauer decay */
}

static double deg_table[300];
static void fill_table(void)
{
    for (size_t l = 0; l < 300; l++) deg_table[l] = 1.0 / ((1.0 + l) * (1.0 + l));
}

/* the targets checked, for one case (the zonal one needs the spectrum for its powers) */
enum { N_TG = 6 };
static slt_kernels_target target_k(int k)
{
    slt_kernels_target t = slt_kernels_target_of(SLT_KTARGET_POWER);
    switch (k) {
    case 0: t.p = 1.5; break;
    case 1: t.p = 2.5; break;
    case 2: t.kind = SLT_KTARGET_GEGENBAUER; t.q = 1.0; break;
    case 3: t.kind = SLT_KTARGET_ZONAL; t.g = g_sqrt; break;
    case 4: t.kind = SLT_KTARGET_DEGREES; t.degree_power = deg_table; t.n_degrees = 15; break;
    default: t.kind = SLT_KTARGET_DEGREES; t.degree_power = deg_table; t.n_degrees = 300; break;
    }
    return t;
}

/* one-layer ReLU NTK: structural zeros at odd ℓ >= 3 (docs/theory/kernels.md) */
static int is_zero_degree(const kcase *c, size_t l)
{
    return c->kernel == SLT_KERNEL_RELU_NTK && c->depth == 1 && l >= 3 && l % 2 == 1;
}

/* T_j beyond lmax = 20 of each target against Σ_{20<ℓ<=400} P_ℓ μ_ℓ^j of the lmax = 400
 * spectrum + its own T_j beyond 400, within the two reported errors and the direct sum's
 * error (the zonal T_0 likewise; its T_j >= 1 are a bracket that must hold the direct
 * sum); T_j is also the same target summed over the listed levels when the table ends
 * inside lmax (0). */
static void test_targets_vs_longer_spectrum(void **state)
{
    (void)state;
    enum { NM = 5 };
    fill_table();
    static const size_t cs[] = {0, 3, 5, 6}; /* relu-ntk S² depth 1, S⁴ depth 3, S⁹ depth 3, laplace S² */
    for (size_t ii = 0; ii < sizeof cs / sizeof cs[0]; ii++) {
        const kcase *c = &cases[cs[ii]];
        slt_kernels_params p20 = params_of(c, 20), p400 = params_of(c, 400);
        slt_kernels_spectrum *s20 = spectrum_of(&p20), *s400 = spectrum_of(&p400);
        for (int k = 0; k < N_TG; k++) {
            slt_kernels_target tg = target_k(k);
            /* the zonal quadratures take seconds at lmax 400: two cases (zeros; S⁹) */
            if (tg.kind == SLT_KTARGET_ZONAL && cs[ii] != 0 && cs[ii] != 5) continue;
            slt_task_tail t20, t400;
            slt_kernels_tail_info i20, i400;
            assert_ok(slt_kernels_tail_moments(&p20, s20, &tg, NM, &t20, &i20));
            assert_ok(slt_kernels_tail_moments(&p400, s400, &tg, NM, &t400, &i400));
            /* the level powers P_ℓ of the direct sums, independently: N μ^p, ℓ^{-2q}/N, the
             * table; the zonal powers from slt_kernels_target_power at lmax 400 */
            double *P = malloc(401 * sizeof *P), *Pe = malloc(401 * sizeof *Pe);
            assert_non_null(P);
            assert_non_null(Pe);
            if (tg.kind == SLT_KTARGET_ZONAL) {
                slt_kernels_workspace *ws = NULL;
                assert_ok(slt_kernels_alloc(&p400, &ws));
                assert_ok(slt_kernels_target_power(ws, s400, g_sqrt, NULL, P, Pe));
                slt_kernels_free(ws);
            }
            long double dm[NM] = {0};
            double de[NM] = {0};
            for (size_t l = 21; l <= 400; l++) {
                const slt_kernels_level *L = &s400->levels[l];
                if (is_zero_degree(c, l)) continue;
                double mu = L->mu, e = L->mu_err, pl = 0.0, ple = 0.0, x0 = 0.0;
                int mult_w = 0;
                switch (tg.kind) {
                case SLT_KTARGET_POWER: mult_w = 1; x0 = tg.p; break;
                case SLT_KTARGET_GEGENBAUER: pl = pow((double)l, -2.0 * tg.q) / L->mult; break;
                case SLT_KTARGET_ZONAL: pl = P[l]; ple = Pe[l]; break;
                default: pl = l < tg.n_degrees ? tg.degree_power[l] : 0.0; break;
                }
                for (int j = 0; j < NM; j++) {
                    double x = j + x0, w = mult_w ? L->mult : pl;
                    dm[j] += (long double)w * powl((long double)mu, x);
                    de[j] += w * (x > 0 ? x * pow(fabs(mu) + e, x - 1) * e : 0.0) +
                             ple * pow(fabs(mu) + e, j);
                }
            }
            for (int j = 0; j < NM; j++) {
                double ref = (double)dm[j] + t400.tgt_mom[j];
                if (tg.kind == SLT_KTARGET_ZONAL && j >= 1) {
                    /* the bracket [0, λ_sup^j (T_0 + err)] holds the direct sum */
                    assert_true((double)dm[j] <= t20.tgt_mom[j] + t20.tgt_mom_err[j]);
                    assert_true(t20.tgt_mom[j] - t20.tgt_mom_err[j] <= 0.0);
                    continue;
                }
                assert_within("T_j beyond 20 vs direct sum to 400 + beyond 400", t20.tgt_mom[j],
                              t20.tgt_mom_err[j] + t400.tgt_mom_err[j] + de[j], ref,
                              TOL_ROUNDING_SUM * ref);
                if (tg.kind == SLT_KTARGET_DEGREES && tg.n_degrees <= 21)
                    assert_true(t20.tgt_mom[j] == 0.0 && t20.tgt_mom_err[j] == 0.0);
                else if (tg.kind != SLT_KTARGET_ZONAL) /* the bars are useful */
                    assert_err_at_most("T_j error", t20.tgt_mom_err[j], 1e-6 * t20.tgt_mom[j]);
            }
            /* null power: the targets t = μ^p have none; the others' on the structural zeros
             * (the one-layer ReLU NTK's odd ℓ >= 3), against closed forms */
            if (!is_zero_degree(c, 3) || tg.kind == SLT_KTARGET_POWER) {
                assert_true(t20.null_power == 0.0);
            } else if (tg.kind == SLT_KTARGET_GEGENBAUER) {
                /* Σ_{odd ℓ>=3} ℓ^{-2}/(2ℓ+1) (q = 1, N(3,ℓ) = 2ℓ+1), summed to 2e6; the rest
                 * < ∫_{L−2}^∞ dx/(4x³) = 1/(8(L−2)²) */
                long double z = 0.0L;
                for (long l = 3; l <= 2000000; l += 2) z += 1.0L / ((long double)l * l * (2 * l + 1));
                double rest = 1.0 / (8.0 * 1999998.0 * 1999998.0);
                assert_within("Gegenbauer null power", t20.null_power, t20.null_power_err + rest,
                              (double)z, TOL_ROUNDING_SUM * (double)z);
            } else if (tg.kind == SLT_KTARGET_ZONAL) {
                /* ‖g_odd‖² − P_1 = (4 − π)/8 − 8/75 (c_3 = 1/2: ⅛∫(2 − 2√(1−t²)) dt, and
                 * g_1 = ½∫ t√(1−t) dt = −2√2/15, P_1 = 3 g_1²) */
                double ref = (4.0 - M_PI) / 8.0 - 8.0 / 75.0;
                assert_within("zonal null power", t20.null_power, t20.null_power_err, ref,
                              TOL_ROUNDING_SUM * ref);
                assert_err_at_most("zonal null power error", t20.null_power_err, 1e-9 * ref);
            } else { /* the table's odd degrees >= 3 */
                long double z = 0.0L;
                for (size_t l = 3; l < tg.n_degrees; l += 2) z += tg.degree_power[l];
                assert_close(t20.null_power, (double)z, TOL_ROUNDING_SUM, 0.0);
            }
            free(P);
            free(Pe);
        }
        /* p = 1 is the isotropic teacher: T_0 is the trace identity M_1, exactly */
        slt_kernels_target one = slt_kernels_target_of(SLT_KTARGET_POWER);
        one.p = 1.0;
        slt_task_tail a, b;
        assert_ok(slt_kernels_tail_moments(&p20, s20, &one, NM, &a, NULL));
        assert_ok(slt_kernels_tail_moments(&p20, s20, TG(SLT_KTARGET_ISOTROPIC), NM, &b, NULL));
        for (int j = 0; j < NM; j++) assert_true(a.tgt_mom[j] == b.tgt_mom[j]);
        slt_kernels_spectrum_free(s20);
        slt_kernels_spectrum_free(s400);
    }
}

/* The statics on the level task of each target: lmax 13 and 29 agree within the reported
 * errors (relu-ntk depth 3 on S⁹, P = 100); the level task without its tail does not. */
static void test_targets_lmax_convergence(void **state)
{
    (void)state;
    fill_table();
    kcase c = {SLT_KERNEL_RELU_NTK, 10, 3};
    slt_kernels_params p13 = params_of(&c, 13), p29 = params_of(&c, 29);
    slt_kernels_spectrum *s13 = spectrum_of(&p13), *s29 = spectrum_of(&p29);
    for (int k = 0; k < N_TG; k++) {
        slt_kernels_target tg = target_k(k);
        if (k == 4) tg.n_degrees = 20; /* a table that ends between 13 and 29 … */
        if (k == 5) tg.n_degrees = 60; /* … and one beyond 29 */
        slt_task *t13 = NULL, *t29 = NULL;
        slt_task_tail tail;
        assert_ok(slt_kernels_level_task(&p13, s13, &tg, 0.0, 24, &t13, &tail, NULL));
        assert_ok(slt_kernels_level_task(&p29, s29, &tg, 0.0, 24, &t29, &tail, NULL));
        slt_statics_result a = slt_test_krr(t13, 100), b = slt_test_krr(t29, 100);
        print_message("target kind %d: lmax 13 %.12g +- %.2g, lmax 29 %.12g +- %.2g, |diff| %.2g\n",
                      (int)tg.kind, a.test, a.test_err, b.test, b.test_err, fabs(a.test - b.test));
        assert_within("statics lmax 13 vs 29", a.test, a.test_err, b.test, b.test_err);
        if (tg.kind != SLT_KTARGET_ZONAL) assert_err_at_most("test error", a.test_err, 1e-8 * a.test);
        slt_task_free(t13);
        slt_task_free(t29);
    }
    slt_kernels_spectrum_free(s13);
    slt_kernels_spectrum_free(s29);
    /* with structural zeros (one-layer ReLU NTK on S⁹: odd ℓ >= 3): the zeros' power is
     * null power at every degree, <= lmax too, so lmax 13 and 29 still agree */
    kcase c1 = {SLT_KERNEL_RELU_NTK, 10, 1};
    slt_kernels_params q13 = params_of(&c1, 13), q29 = params_of(&c1, 29);
    slt_kernels_spectrum *z13 = spectrum_of(&q13), *z29 = spectrum_of(&q29);
    for (int k = 2; k < N_TG; k++) {
        slt_kernels_target tg = target_k(k);
        if (k == 4) tg.n_degrees = 20;
        if (k == 5) tg.n_degrees = 60;
        slt_task *t13 = NULL, *t29 = NULL;
        slt_task_tail a13, a29;
        assert_ok(slt_kernels_level_task(&q13, z13, &tg, 0.0, 24, &t13, &a13, NULL));
        assert_ok(slt_kernels_level_task(&q29, z29, &tg, 0.0, 24, &t29, &a29, NULL));
        assert_true(a13.null_power > 0.0);
        assert_within("null power lmax 13 vs 29", a13.null_power, a13.null_power_err,
                      a29.null_power, a29.null_power_err);
        slt_statics_result a = slt_test_krr(t13, 100), b = slt_test_krr(t29, 100);
        print_message("depth 1, target kind %d: lmax 13 %.12g +- %.2g, lmax 29 %.12g +- %.2g, "
                      "null %.6g\n", (int)tg.kind, a.test, a.test_err, b.test, b.test_err,
                      a13.null_power);
        assert_within("statics with null power, lmax 13 vs 29", a.test, a.test_err, b.test,
                      b.test_err);
        slt_task_free(t13);
        slt_task_free(t29);
    }
    slt_kernels_spectrum_free(z13);
    slt_kernels_spectrum_free(z29);
    /* a finite expansion, (1 + t)^2 on S²: its one degree beyond lmax = 1 as a finite tail,
     * and nothing beyond lmax = 2 (an empty tail), give the same statics */
    slt_kernels_params r1 = slt_kernels_params_default(), r2;
    r1.kernel = SLT_KERNEL_POLY;
    r1.lmax = 1;
    r2 = r1;
    r2.lmax = 2;
    slt_kernels_spectrum *y1 = spectrum_of(&r1), *y2 = spectrum_of(&r2);
    slt_kernels_target tg = target_k(4);
    slt_task *u1 = NULL, *u2 = NULL;
    slt_task_tail b1, b2;
    assert_ok(slt_kernels_level_task(&r1, y1, &tg, 0.0, 24, &u1, &b1, NULL));
    assert_ok(slt_kernels_level_task(&r2, y2, &tg, 0.0, 24, &u2, &b2, NULL));
    /* P = 2 of 9 modes: near the interpolation threshold the moment sums of a finite tail
     * (5 modes at one λ) converge slowly and say so (SLT_ENOCONV at P = 6) */
    slt_statics_result a = slt_test_krr(u1, 2), b = slt_test_krr(u2, 2);
    assert_within("finite tail vs none", a.test, a.test_err, b.test, b.test_err);
    slt_task_free(u1);
    slt_task_free(u2);
    slt_kernels_spectrum_free(y1);
    slt_kernels_spectrum_free(y2);
}

/* Refused targets, each naming its field. */
static void test_target_inputs(void **state)
{
    (void)state;
    fill_table();
    kcase c = {SLT_KERNEL_RELU_NTK, 10, 3};
    slt_kernels_params p = params_of(&c, 13);
    slt_kernels_spectrum *s = spectrum_of(&p);
    slt_task_tail t;
    slt_task *task = NULL;
    double neg[4] = {1, 0.5, 0.25, -1e-3};
    struct {
        slt_kernels_target tg;
        const char *name;
    } bad[] = {
        {{.kind = SLT_KTARGET_POWER, .p = 0.0}, "target.p"},
        {{.kind = SLT_KTARGET_POWER, .p = -1.0}, "target.p"},
        {{.kind = SLT_KTARGET_POWER, .p = NAN}, "target.p"},
        {{.kind = SLT_KTARGET_GEGENBAUER, .q = 0.5}, "target.q"},
        {{.kind = SLT_KTARGET_ZONAL}, "target.g"},
        {{.kind = SLT_KTARGET_DEGREES, .n_degrees = 4}, "target.degree_power"},
        {{.kind = SLT_KTARGET_DEGREES, .degree_power = neg, .n_degrees = 4}, "target.degree_power[3]"},
        {{.kind = SLT_KTARGET_DEGREES, .degree_power = neg, .n_degrees = 0}, "target.n_degrees"},
        {{.kind = (slt_kernels_target_kind)6}, "target.kind"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(slt_kernels_tail_moments(&p, s, &bad[i].tg, 4, &t, NULL), SLT_EINVAL);
        assert_non_null(strstr(slt_last_error(), bad[i].name));
        assert_status(slt_kernels_level_task(&p, s, &bad[i].tg, 0.0, 4, &task, &t, NULL), SLT_EINVAL);
        assert_non_null(strstr(slt_last_error(), bad[i].name));
        assert_null(task);
    }
    /* t = μ^{1/2} on S⁹: N μ^{1/2} ~ ℓ^{8−5} is not summable: a status naming p */
    slt_kernels_target half = slt_kernels_target_of(SLT_KTARGET_POWER);
    half.p = 0.5;
    assert_status(slt_kernels_tail_moments(&p, s, &half, 4, &t, NULL), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "target.p = 0.5"));
    slt_kernels_spectrum_free(s);
}


/* ---- the model-free bracket (kernels.h: slt_kernels_tail_info.remainder) ---- */

/* tail.c's forcing entry point (tests only, not in the API): KN_TAIL_NO_MODEL = 1, the
 * bracket for every remainder; KN_TAIL_NO_FAR = 2, no spectrum past lmax */
int kn_tail_moments_forced(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                           const slt_kernels_target *tg, size_t n_mom, slt_task_tail *tail,
                           slt_kernels_tail_info *info, int force);

/* The bracket holds the direct sum: M_j and T_j beyond lmax = 20 of relu-ntk (S², depth 1
 * and 3) and Laplace (S²), the bracket forced with and without the far spectrum, against
 * Σ_{20<ℓ<=400} of the lmax = 400 spectrum + its own moments beyond 400. */
static void test_bracket_holds_direct_sum(void **state)
{
    (void)state;
    enum { NM = 6 };
    static const size_t cs[] = {0, 1, 6};
    for (size_t ii = 0; ii < sizeof cs / sizeof cs[0]; ii++) {
        const kcase *c = &cases[cs[ii]];
        slt_kernels_params p20 = params_of(c, 20), p400 = params_of(c, 400);
        slt_kernels_spectrum *s20 = spectrum_of(&p20), *s400 = spectrum_of(&p400);
        slt_task_tail t400;
        assert_ok(slt_kernels_tail_moments(&p400, s400, TG(SLT_KTARGET_KERNEL), NM, &t400, NULL));
        long double dm[NM + 3] = {0};
        double de[NM + 3] = {0}, sup = 0.0;
        for (size_t l = 21; l <= 400; l++) {
            const slt_kernels_level *L = &s400->levels[l];
            sup = fmax(sup, fmax(L->mu, 0.0) + L->mu_err);
            for (int j = 1; j <= NM + 2; j++) {
                dm[j] += (long double)L->mult * powl((long double)L->mu, j);
                de[j] += L->mult * j * pow(fabs(L->mu) + L->mu_err, j - 1) * L->mu_err;
            }
        }
        for (int force = 1; force <= 3; force += 2) {
            slt_task_tail t;
            slt_kernels_tail_info in;
            assert_ok(kn_tail_moments_forced(&p20, s20, TG(SLT_KTARGET_KERNEL), NM, &t, &in, force));
            assert_true(in.remainder == SLT_KTAIL_REM_BRACKET && !in.trace_check_model);
            assert_true(force == 3 ? in.l_far == 20 : in.l_far >= 1024);
            print_message("%s S^%d depth %d force %d: l_far %zu lambda_far %.3g M_2 %.6g +- %.2g "
                          "(direct %.6g)\n", slt_kernel_name(c->kernel), c->dim - 1, c->depth,
                          force, in.l_far, in.lambda_far, t.lam_mom[1], t.lam_mom_err[1],
                          (double)dm[2] + t400.lam_mom[1]);
            for (int j = 1; j <= NM; j++) {
                double ref = (double)dm[j] + t400.lam_mom[j - 1];
                assert_within("bracketed M_j holds the direct sum", t.lam_mom[j - 1],
                              t.lam_mom_err[j - 1] + t400.lam_mom_err[j - 1] + de[j], ref,
                              TOL_ROUNDING_SUM * ref);
                double tref = (double)dm[j + 1] + t400.tgt_mom[j - 1];
                assert_within("bracketed T_j holds the direct sum", t.tgt_mom[j - 1],
                              t.tgt_mom_err[j - 1] + t400.tgt_mom_err[j - 1] + de[j + 1], tref,
                              TOL_ROUNDING_SUM * tref);
            }
            assert_true(t.lambda_sup >= sup);
            /* a bracket [0, hi] at worst: its midpoint ± half (+ rounding), never below 0 */
            assert_err_at_most("bracketed M_2", t.lam_mom_err[1], (1.0 + 1e-12) * t.lam_mom[1]);
        }
        slt_kernels_spectrum_free(s20);
        slt_kernels_spectrum_free(s400);
    }
}

/* Statics on level tasks at lmax L and 2L agree within the reported errors where the tail
 * is the bracket (the Gaussian on S², S⁴) or the model's slope margin once failed at
 * j = 1 (relu-ntk on S²³, S⁴⁹: N μ ~ ℓ^-2 at the edge of the model). */
static void test_bracket_statics_lmax(void **state)
{
    (void)state;
    struct {
        slt_kernel_type k;
        int dim;
        size_t L;
        double P;
    } cs[] = {
        {SLT_KERNEL_GAUSSIAN, 3, 8, 30},  {SLT_KERNEL_GAUSSIAN, 3, 16, 100},
        {SLT_KERNEL_GAUSSIAN, 5, 5, 100}, {SLT_KERNEL_RELU_NTK, 24, 3, 100},
        {SLT_KERNEL_RELU_NTK, 50, 2, 100},
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        kcase c = {cs[i].k, cs[i].dim, 1};
        slt_kernels_params pa = params_of(&c, cs[i].L), pb = params_of(&c, 2 * cs[i].L);
        slt_kernels_spectrum *sa = spectrum_of(&pa), *sb = spectrum_of(&pb);
        slt_task *ta = NULL, *tb = NULL;
        slt_task_tail la, lb;
        slt_kernels_tail_info ia, ib;
        assert_ok(slt_kernels_level_task(&pa, sa, TG(SLT_KTARGET_KERNEL), 0.0, 24, &ta, &la, &ia));
        assert_ok(slt_kernels_level_task(&pb, sb, TG(SLT_KTARGET_KERNEL), 0.0, 24, &tb, &lb, &ib));
        slt_statics_result a = slt_test_krr(ta, cs[i].P), b = slt_test_krr(tb, cs[i].P);
        print_message("%s S^%d P %g: lmax %zu %.12g +- %.2g (remainder %d, l_far %zu), lmax %zu "
                      "%.12g +- %.2g\n", slt_kernel_name(c.kernel), c.dim - 1, cs[i].P, cs[i].L,
                      a.test, a.test_err, (int)ia.remainder, ia.l_far, 2 * cs[i].L, b.test,
                      b.test_err);
        assert_within("statics lmax L vs 2L", a.test, a.test_err, b.test, b.test_err);
        if (c.kernel == SLT_KERNEL_GAUSSIAN)
            assert_true(ia.remainder == SLT_KTAIL_REM_BRACKET && ia.l_far == cs[i].L);
        else /* the sums past lmax and the model where it is summable */
            assert_true(ia.l_far >= 1024 && ia.remainder != SLT_KTAIL_REM_BRACKET);
        /* the tail matters at the smaller lmax: the task without it disagrees */
        slt_task_free(ta);
        slt_task_free(tb);
        slt_kernels_spectrum_free(sa);
        slt_kernels_spectrum_free(sb);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A table kernel (the Laplace kernel exp(−2 sin(θ/2)) tabulated, 2001 points in θ) builds
 * its level task in < 1 s (no far spectrum by quadrature: the bracket from lmax), and its
 * statics hold the built-in Laplace kernel's. The circle at lmax 3000 (relu-ntk): the
 * remainder of M_2 beyond l_far = 100000 is in the error, not a failure. */
static void test_bracket_table_and_circle(void **state)
{
    (void)state;
    enum { NT = 2001 };
    static double tx[NT], tk[NT];
    for (int i = 0; i < NT; i++) {
        double th = M_PI * (double)(NT - 1 - i) / (NT - 1);
        tx[i] = i == 0 ? -1.0 : i == NT - 1 ? 1.0 : cos(th);
        tk[i] = exp(-2.0 * sin(0.5 * th));
    }
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_TABLE;
    p.table_x = tx;
    p.table_k = tk;
    p.table_n = NT;
    p.rel_tol = 1e-9; /* a spline through 2001 points: ~1e-12 (tests/cli/spectrum.sh) */
    p.lmax = 20;
    slt_kernels_params q = slt_kernels_params_default();
    q.kernel = SLT_KERNEL_LAPLACE;
    q.lmax = 20;
    double t0 = now_s();
    slt_kernels_spectrum *s = spectrum_of(&p);
    slt_task *task = NULL;
    slt_task_tail tail;
    slt_kernels_tail_info in;
    assert_ok(slt_kernels_level_task(&p, s, TG(SLT_KTARGET_KERNEL), 0.0, 24, &task, &tail, &in));
    double dt = now_s() - t0;
    print_message("table kernel lmax 20: %.3f s, l_far %zu, lambda_sup %.3g, M_1 %.6g\n", dt,
                  in.l_far, tail.lambda_sup, tail.lam_mom[0]);
    assert_true(dt < 1.0);
    assert_true(in.remainder == SLT_KTAIL_REM_BRACKET && in.l_far == 20);
    slt_kernels_spectrum *sq = spectrum_of(&q);
    slt_task *lap = NULL;
    slt_task_tail lt;
    assert_ok(slt_kernels_level_task(&q, sq, TG(SLT_KTARGET_KERNEL), 0.0, 24, &lap, &lt, NULL));
    slt_statics_result a = slt_test_krr(task, 10), b = slt_test_krr(lap, 10);
    print_message("P = 10: table %.12g +- %.2g, laplace %.12g +- %.2g\n", a.test, a.test_err,
                  b.test, b.test_err);
    /* the same kernel up to the spline (~1e-12 relative: TOL_NUMERIC) */
    assert_within("table vs built-in Laplace", a.test, a.test_err, b.test,
                  b.test_err + TOL_NUMERIC * b.test);
    slt_task_free(task);
    slt_task_free(lap);
    slt_kernels_spectrum_free(s);
    slt_kernels_spectrum_free(sq);

    kcase c = {SLT_KERNEL_RELU_NTK, 2, 1};
    slt_kernels_params pc = params_of(&c, 3000);
    slt_kernels_spectrum *sc = spectrum_of(&pc);
    assert_ok(slt_kernels_tail_moments(&pc, sc, TG(SLT_KTARGET_KERNEL), 6, &tail, &in));
    print_message("circle lmax 3000: l_far %zu, remainder_rel %.2g, M_2 %.6g +- %.2g\n",
                  in.l_far, in.remainder_rel, tail.lam_mom[1], tail.lam_mom_err[1]);
    assert_true(in.l_far == 100000 && in.remainder_rel > 1e-6);
    /* the model bracket is narrow there (N = 2 exactly, the slope settled): a useful bar */
    assert_err_at_most("M_2 on the circle", tail.lam_mom_err[1], 1e-6 * tail.lam_mom[1]);
    slt_kernels_spectrum_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moments_vs_longer_spectrum),
        cmocka_unit_test(test_trace_identity),
        cmocka_unit_test(test_level_task_expansion),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_targets_vs_longer_spectrum),
        cmocka_unit_test(test_targets_lmax_convergence),
        cmocka_unit_test(test_target_inputs),
        cmocka_unit_test(test_bracket_holds_direct_sum),
        cmocka_unit_test(test_bracket_statics_lmax),
        cmocka_unit_test(test_bracket_table_and_circle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
