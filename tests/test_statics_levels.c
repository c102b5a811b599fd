/* Per-level output of the statics (issue 12, item 4; slt_statics_level_error,
 * slt_statics_tail_error): on a level task each level's loss and residual equal the sums of
 * the per-mode values over its expansion into modes; on a task with a moment tail the
 * tail's share equals the levels it summarises, listed one by one, within the bounds; and
 * levels + tail + null + noise = L to rounding, for kernel and random-feature regression,
 * ridge and ridgeless. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

static slt_statics_workspace *workspace(const slt_task *t)
{
    slt_statics_workspace *ws = NULL;
    assert_ok(slt_statics_alloc(t, &ws));
    return ws;
}

static slt_statics_result solve(const slt_statics_workspace *ws, double N, double P, double z)
{
    slt_statics_params p = slt_statics_params_default();
    p.N = N;
    p.P = P;
    p.ridge = z;
    slt_statics_result r;
    assert_ok(slt_statics_solve(ws, &p, &r));
    return r;
}

/* points (N, P, z): KRR with ridge, ridgeless, P not a whole number; random features with
 * ridge and ridgeless on both sides of N = P */
static const double pts[][3] = {{INFINITY, 30, 1e-3}, {INFINITY, 57, 0},  {INFINITY, 12.5, 0},
                                {20, 40, 1e-4},       {45, 30, 0},        {60, 25.25, 0},
                                {INFINITY, INFINITY, 1e-2}};
#define NPTS (sizeof pts / sizeof pts[0])

/* ---- (a) a level task against its expansion into modes ------------------------------ */

#define NLEV 30
static void test_levels_vs_modes(void **state)
{
    (void)state;
    double lam[NLEV], mult[NLEV], pw[NLEV], elam[2000], etgt[2000];
    size_t M = 0;
    for (int i = 0; i < NLEV; i++) {
        lam[i] = i == 0 ? 1.0 : (i % 6 == 5 ? lam[i - 1] : lam[i - 1] * 0.7); /* equal λ too */
        mult[i] = 1.0 + (double)((7 * i + 3) % 11);
        pw[i] = i % 9 == 8 ? 0.0 : mult[i] * pow(lam[i], 1.4) * (1.0 + 0.4 * cos(i));
        for (int k = 0; k < (int)mult[i]; k++) {
            elam[M] = lam[i];
            etgt[M++] = pw[i] / mult[i];
        }
    }
    slt_task *lev = NULL, *ex = NULL;
    assert_ok(slt_task_alloc_levels(NLEV, lam, mult, pw, 0.1, &lev));
    assert_ok(slt_task_alloc_explicit(M, elam, etgt, 0.1, &ex));
    slt_statics_workspace *wl = workspace(lev), *we = workspace(ex);
    for (size_t p = 0; p < NPTS; p++) {
        slt_statics_result rl = solve(wl, pts[p][0], pts[p][1], pts[p][2]);
        slt_statics_result re = solve(we, pts[p][0], pts[p][1], pts[p][2]);
        const int krr = isinf(pts[p][0]);
        double sum_loss = 0.0, sum_res = 0.0;
        size_t k = 0;
        for (int i = 0; i < NLEV; i++) {
            slt_statics_level lv;
            assert_ok(slt_statics_level_error(&rl, lam[i], mult[i], pw[i], &lv));
            /* the same level from the expanded task's own solve, mode by mode */
            double ml = 0.0, mr = 0.0, learn = NAN;
            for (int j = 0; j < (int)mult[i]; j++, k++) {
                slt_statics_mode m;
                assert_ok(slt_statics_mode_error(&re, elam[k], etgt[k], &m));
                ml += etgt[k] * m.loss_share;
                mr += m.residual;
                learn = m.learnability;
            }
            assert_close(lv.loss, ml, TOL_ROUNDING_COND, 1e-16 * rl.test);
            assert_within("level loss vs modes", lv.loss, lv.loss_err, ml, 0.0);
            assert_close(lv.learnability, learn, TOL_ROUNDING_COND, 0);
            assert_within("learnability vs modes", lv.learnability, lv.learnability_err, learn, 0.0);
            if (krr) {
                assert_close(lv.residual, mr, TOL_ROUNDING_COND, 1e-16 * rl.test);
                assert_within("level residual vs modes", lv.residual, lv.residual_err, mr, 0.0);
            } else {
                assert_true(isnan(lv.residual) && isnan(lv.residual_err));
            }
            sum_loss += lv.loss;
            sum_res += lv.residual;
        }
        slt_statics_tail_part tp;
        assert_ok(slt_statics_tail_error(wl, &rl, &tp));
        assert_true(tp.tail == 0.0 && tp.null == 0.0 && isnan(tp.lambda_sup));
        assert_true(tp.noise == rl.noise_part);
        assert_close(sum_loss + tp.noise, rl.test, TOL_ROUNDING_SUM, 0);
        if (krr) assert_close(sum_res + tp.tail_residual + tp.null_residual, rl.test, TOL_ROUNDING_SUM, 0);
    }
    slt_statics_free(wl);
    slt_statics_free(we);
    slt_task_free(lev);
    slt_task_free(ex);
}

/* Ridgeless with P >= M modes (κ = 0, the spectrum exhausted): every level's loss is 0,
 * the noise part is all of L = σ²M/(P − M), and the residuals (each mode's variance) sum
 * to it; with a moment tail, its null power stays unlearned. */
static void test_exhausted(void **state)
{
    (void)state;
    const double lam[3] = {1.0, 0.5, 0.1}, mult[3] = {2, 3, 1}, pw[3] = {1.0, 0.3, 0.2};
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_levels(3, lam, mult, pw, 0.2, &t));
    slt_statics_workspace *ws = workspace(t);
    slt_statics_result r = solve(ws, INFINITY, 10, 0);
    assert_true(r.kappa == 0.0);
    assert_close(r.test, 0.2 * 6.0 / 4.0, TOL_ROUNDING, 0);
    double res = 0.0;
    for (int i = 0; i < 3; i++) {
        slt_statics_level lv;
        assert_ok(slt_statics_level_error(&r, lam[i], mult[i], pw[i], &lv));
        assert_true(lv.loss == 0.0 && lv.learnability == 1.0);
        res += lv.residual;
    }
    slt_statics_tail_part tp;
    assert_ok(slt_statics_tail_error(ws, &r, &tp));
    assert_true(tp.noise == r.test);
    assert_close(res, r.test, TOL_ROUNDING, 0);
    slt_statics_free(ws);
    slt_task_free(t);

    /* ... with a moment tail of 4 modes and null power T_null = 0.3 on λ = 0: the λ > 0
     * modes (M = 10) are fitted, the null power never is, so
     * L = (T_null + σ²M/P)/(1 − M/P) (ordinary least squares plus the unlearnable part),
     * and at N = P = ∞ ridgeless on an infinite tail L = T_null */
    slt_task_tail tl;
    memset(&tl, 0, sizeof tl);
    tl.n_mom = 2;
    tl.lam_mom[0] = 4 * 0.04;
    tl.lam_mom[1] = 4 * 0.04 * 0.04;
    tl.tgt_mom[0] = 0.08;
    tl.tgt_mom[1] = 0.08 * 0.04;
    tl.lambda_sup = 0.04;
    tl.modes = 4;
    tl.null_power = 0.3;
    for (int inf_tail = 0; inf_tail < 2; inf_tail++) {
        if (inf_tail) tl.modes = INFINITY;
        assert_ok(slt_task_alloc_levels_tail(3, lam, mult, pw, 0.2, &tl, &t));
        ws = workspace(t);
        const double P = inf_tail ? INFINITY : 25.0;
        r = solve(ws, INFINITY, P, 0);
        assert_true(r.kappa == 0.0);
        assert_close(r.test, inf_tail ? 0.3 : (0.3 + 0.2 * 10 / P) / (1 - 10 / P), TOL_ROUNDING, 0);
        double sum = 0.0;
        res = 0.0;
        for (int i = 0; i < 3; i++) {
            slt_statics_level lv;
            assert_ok(slt_statics_level_error(&r, lam[i], mult[i], pw[i], &lv));
            sum += lv.loss;
            res += lv.residual;
        }
        assert_ok(slt_statics_tail_error(ws, &r, &tp));
        assert_true(tp.tail == 0.0);
        assert_close(tp.null, inf_tail ? 0.3 : 0.3 / (1 - 10 / P), TOL_ROUNDING, 0);
        assert_close(sum + tp.tail + tp.null + tp.noise, r.test, TOL_ROUNDING, 0);
        assert_close(res + tp.tail_residual + tp.null_residual, r.test, TOL_ROUNDING, 0);
        slt_statics_free(ws);
        slt_task_free(t);
    }
}

/* ---- (b) a moment tail ---------------------------------------------------------------- */

/* The geometric spectrum of tests/test_tail.c: λ_ℓ = r^ℓ, m_ℓ = 2ℓ + 1, P_ℓ = m_ℓ λ_ℓ^{3/2},
 * listed up to level Lc and summarised by its moments beyond; the full task lists every
 * level up to where λ leaves the double range. */
#define NFULL 3100
typedef struct {
    int L, nfull;
    double lam[NFULL], mult[NFULL], pw[NFULL];
    slt_task_tail tail;
    slt_task *tailed, *full;
} geo;

static void geo_make(geo *g, double r, int L, double null_power, double noise)
{
    memset(g, 0, sizeof *g);
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
    g->tail.n_mom = SLT_TAIL_MOMENTS;
    g->tail.lambda_sup = g->lam[L + 1];
    g->tail.null_power = null_power;
    for (size_t j = 0; j < SLT_TAIL_MOMENTS; j++) {
        long double M = 0.0L, T = 0.0L;
        for (int l = n - 1; l > L; l--) {
            long double lam = g->lam[l];
            M += (long double)g->mult[l] * powl(lam, (long double)(j + 1));
            T += (long double)g->pw[l] * powl(lam, (long double)j);
        }
        g->tail.lam_mom[j] = (double)M;
        g->tail.tgt_mom[j] = (double)T;
        /* long-double sums of ~1e3 positive terms and the rounding to double */
        g->tail.lam_mom_err[j] = 1e-15 * (double)M;
        g->tail.tgt_mom_err[j] = 1e-15 * (double)T;
    }
    g->tail.modes = INFINITY; /* as for a kernel: κ = 0 is never reached */
    assert_ok(slt_task_alloc_levels_tail((size_t)L + 1, g->lam, g->mult, g->pw, noise, &g->tail,
                                         &g->tailed));
    assert_ok(slt_task_alloc_levels((size_t)n, g->lam, g->mult, g->pw, noise, &g->full));
}

static void geo_free(geo *g)
{
    slt_task_free(g->tailed);
    slt_task_free(g->full);
}

static void test_tail_invariant(void **state)
{
    (void)state;
    geo *g = malloc(sizeof *g);
    assert_non_null(g);
    const double nulls[2] = {0.0, 0.05}, noises[2] = {0.0, 0.1};
    double worst = 0.0;
    for (int v = 0; v < 2; v++) {
        geo_make(g, 0.8, 10, nulls[v], noises[v]);
        slt_statics_workspace *wt = workspace(g->tailed), *wf = workspace(g->full);
        for (size_t p = 0; p < NPTS; p++) {
            const double N = pts[p][0], P = pts[p][1], z = pts[p][2];
            if (isinf(P)) continue;
            slt_statics_result r = solve(wt, N, P, z);
            const int krr = isinf(N);
            slt_statics_level lv[32];
            assert_true(g->L < 32);
            double sum = 0.0, sum_res = 0.0;
            for (int i = 0; i <= g->L; i++) {
                assert_ok(slt_statics_level_error(&r, g->lam[i], g->mult[i], g->pw[i], &lv[i]));
                sum += lv[i].loss;
                sum_res += lv[i].residual;
            }
            slt_statics_tail_part tp;
            assert_ok(slt_statics_tail_error(wt, &r, &tp));
            assert_true(tp.lambda_sup == g->lam[g->L + 1] && tp.null_power == nulls[v]);
            assert_close(tp.null, nulls[v] / r.one_minus_gamma, TOL_ROUNDING, 0);
            /* the invariant: every part together is L, to rounding */
            const double total = sum + tp.tail + tp.null + tp.noise;
            assert_close(total, r.test, TOL_ROUNDING_COND, 0);
            worst = fmax(worst, fabs(total - r.test) / r.test);
            if (krr) {
                const double rs = sum_res + tp.tail_residual + tp.null_residual;
                assert_close(rs, r.test, TOL_ROUNDING_COND, 0);
                worst = fmax(worst, fabs(rs - r.test) / r.test);
            } else {
                assert_true(isnan(tp.tail_residual) && isnan(tp.null_residual));
            }
            if (nulls[v] > 0.0) continue;
            /* the tail's share against its levels listed one by one on the full task */
            slt_statics_result rf = solve(wf, N, P, z);
            /* the listed levels: on the tailed and on the full task, within both bounds */
            for (int i = 0; i <= g->L; i++) {
                slt_statics_level f;
                assert_ok(slt_statics_level_error(&rf, g->lam[i], g->mult[i], g->pw[i], &f));
                assert_within("level loss, tailed vs full", lv[i].loss, lv[i].loss_err + f.loss_err, f.loss, 0.0);
                if (krr)
                    assert_within("level residual, tailed vs full", lv[i].residual,
                                  lv[i].residual_err + f.residual_err, f.residual, 0.0);
            }
            double ft = 0.0, ft_err = 0.0, fres = 0.0, fres_err = 0.0;
            for (int i = g->L + 1; i < g->nfull; i++) {
                slt_statics_level lv;
                assert_ok(slt_statics_level_error(&rf, g->lam[i], g->mult[i], g->pw[i], &lv));
                ft += lv.loss;
                ft_err += lv.loss_err;
                fres += lv.residual;
                fres_err += lv.residual_err;
            }
            assert_within("tail share vs its listed levels", tp.tail, tp.tail_err + ft_err, ft, 0.0);
            if (krr)
                assert_within("tail residual vs its listed levels", tp.tail_residual,
                              tp.tail_residual_err + fres_err, fres, 0.0);
            slt_statics_tail_part fp;
            assert_ok(slt_statics_tail_error(wf, &rf, &fp));
            assert_within("noise part, tailed vs full", tp.noise, tp.noise_err + fp.noise_err,
                          fp.noise, 0.0);
        }
        slt_statics_free(wt);
        slt_statics_free(wf);
        geo_free(g);
    }
    print_message("levels + tail + null + noise vs L: worst relative residual %.3g\n", worst);
    free(g);
}

/* ---- (c) errors ------------------------------------------------------------------------ */

static void test_errors(void **state)
{
    (void)state;
    const double lam[2] = {1.0, 0.5}, pw[2] = {1.0, 0.5};
    slt_task *t = NULL;
    assert_ok(slt_task_alloc_levels(2, lam, NULL, pw, 0.1, &t));
    slt_statics_workspace *ws = workspace(t);
    slt_statics_result r = solve(ws, INFINITY, 1.5, 0);
    slt_statics_level lv;
    slt_statics_tail_part tp;
    assert_status(slt_statics_level_error(NULL, 1.0, 1.0, 1.0, &lv), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, 1.0, 1.0, 1.0, NULL), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, 0.0, 1.0, 1.0, &lv), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, INFINITY, 1.0, 1.0, &lv), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, NAN, 1.0, 1.0, &lv), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, 1.0, 0.0, 1.0, &lv), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, 1.0, 2.5, 1.0, &lv), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "mult = 2.5"));
    assert_status(slt_statics_level_error(&r, 1.0, SLT_LEVEL_MULT_MAX, 1.0, &lv), SLT_EINVAL);
    assert_status(slt_statics_level_error(&r, 1.0, 1.0, -1.0, &lv), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "power"));
    assert_status(slt_statics_tail_error(NULL, &r, &tp), SLT_EINVAL);
    assert_status(slt_statics_tail_error(ws, NULL, &tp), SLT_EINVAL);
    assert_status(slt_statics_tail_error(ws, &r, NULL), SLT_EINVAL);
    /* an unsolved point (the pole: ridgeless N = P) */
    slt_statics_params p = slt_statics_params_default();
    p.N = 1;
    p.P = 1;
    slt_statics_result bad;
    assert_status(slt_statics_solve(ws, &p, &bad), SLT_EDIVERGE);
    assert_status(slt_statics_level_error(&bad, 1.0, 1.0, 1.0, &lv), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "not solved"));
    assert_status(slt_statics_tail_error(ws, &bad, &tp), SLT_EINVAL);
    /* a result from another task (other noise) */
    slt_task *t2 = NULL;
    assert_ok(slt_task_alloc_levels(2, lam, NULL, pw, 0.3, &t2));
    slt_statics_workspace *ws2 = workspace(t2);
    assert_status(slt_statics_tail_error(ws2, &r, &tp), SLT_EINVAL);
    /* a power law: no levels beyond its modes */
    slt_power_law_params lp = slt_power_law_params_default();
    slt_task *law = NULL;
    assert_ok(slt_task_alloc_power_law(&lp, &law));
    slt_statics_workspace *wl = workspace(law);
    slt_statics_result rl = solve(wl, INFINITY, 10, 0);
    assert_status(slt_statics_tail_error(wl, &rl, &tp), SLT_EDOM);
    assert_ok(slt_statics_level_error(&rl, 1.0, 1.0, 1.0, &lv)); /* mode 1 as a level */
    slt_statics_mode m;
    assert_ok(slt_statics_mode_error(&rl, 1.0, 1.0, &m));
    assert_close(lv.loss, m.loss_share, TOL_ROUNDING, 0);
    slt_statics_free(wl);
    slt_task_free(law);
    slt_statics_free(ws2);
    slt_task_free(t2);
    slt_statics_free(ws);
    slt_task_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_vs_modes),
        cmocka_unit_test(test_exhausted),
        cmocka_unit_test(test_tail_invariant),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
