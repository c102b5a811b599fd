/* Tests of the rich DMFT (solvers/featlearn, docs/theory/featlearn.md): γ = 0 against the
 * lazy closed form Σ t_k e^{−2λ_k t}; the CVODE (v, q, K) equations at γ > 0 against an
 * independent discrete-time N = ∞ recursion (docs/theory/featlearn.md §3) extrapolated η → 0 by
 * Richardson; the isotropic reduction's local exponent against χ(β) = 2β/(1+β); the width
 * floor at t = ∞ against a bisection written here; parameter refusals naming the field. */
#include "slt_test.h"

#include <stdlib.h>
#include <string.h>

#include "slt/featlearn.h"
#include "slt/status.h"
#include "slt/task.h"

static slt_task *power_law(double alpha, double beta, size_t M)
{
    slt_power_law_params pp = slt_power_law_params_default();
    pp.alpha = alpha;
    pp.beta = beta;
    slt_task *t = NULL;
    int rc = M ? slt_task_alloc_power_law_truncated(&pp, M, &t) : slt_task_alloc_power_law(&pp, &t);
    assert_int_equal(rc, SLT_OK);
    return t;
}

static void check_lazy(slt_featlearn_method method, slt_task *task)
{
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = method;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double times[] = {0, 0.1, 1, 10, 100, 1000, 1e4};
    size_t n = sizeof times / sizeof *times;
    slt_featlearn_point pt[7];
    assert_int_equal(slt_featlearn_solve(w, times, n, pt), SLT_OK);
    for (size_t i = 0; i < n; i++) {
        slt_sum s;
        assert_int_equal(slt_sum_decay(task, times[i], &s), SLT_OK);
        assert_int_equal(pt[i].status, SLT_OK);
        assert_int_equal(pt[i].method, method);
        assert_within("gamma = 0 against sum_decay", pt[i].test, pt[i].test_err, s.value, s.err);
        print_message("t = %g  L = %.10g +- %.2g  ref %.10g\n", times[i], pt[i].test,
                      pt[i].test_err, s.value);
        /* the estimate is meaningful (not larger than 1e-6 of the value) while L is not
         * far below the absolute tolerances (1e-6·rel_tol of each state's scale) */
        if (s.value > 1e-6 * pt[0].test) assert_true(pt[i].test_err <= 1e-6 * s.value);
    }
    slt_featlearn_free(w);
}

static void test_lazy_ode(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 20);
    check_lazy(SLT_FEATLEARN_ODE, task);
    slt_task_free(task);
}

static void test_lazy_isotropic(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 0); /* M = ∞ */
    check_lazy(SLT_FEATLEARN_ISOTROPIC, task);
    slt_task_free(task);
}

/* The discrete N = ∞ recursion of docs/theory/featlearn.md §3 (GD, step η), written out on its own:
 * h, q and the full K, with K_{n+1} = K_n + ηγ(g hᵀ + h gᵀ) + η²γ² q g gᵀ. */
static double discrete_loss(const slt_task *task, size_t M, double gamma, double eta, double T)
{
    double *lam = malloc(M * sizeof *lam), *ws = malloc(M * sizeof *ws), *h = calloc(M, sizeof *h),
           *g = malloc(M * sizeof *g), *Kg = malloc(M * sizeof *Kg), *K = calloc(M * M, sizeof *K);
    for (size_t k = 0; k < M; k++) {
        lam[k] = slt_task_lambda(task, k + 1);
        ws[k] = sqrt(slt_task_target(task, k + 1) / lam[k]);
        K[k * M + k] = 1;
    }
    double q = 0;
    long steps = lround(T / eta);
    for (long n = 0; n < steps; n++) {
        double hg = 0, gKg = 0;
        for (size_t k = 0; k < M; k++) {
            g[k] = lam[k] * (ws[k] - h[k]);
            hg += h[k] * g[k];
        }
        for (size_t i = 0; i < M; i++) {
            Kg[i] = 0;
            for (size_t j = 0; j < M; j++) Kg[i] += K[i * M + j] * g[j];
            gKg += g[i] * Kg[i];
        }
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < M; j++)
                K[i * M + j] += eta * gamma * (g[i] * h[j] + h[i] * g[j]) +
                                eta * eta * gamma * gamma * q * g[i] * g[j];
        for (size_t k = 0; k < M; k++)
            h[k] += eta * (Kg[k] + gamma * q * g[k]) + eta * eta * gamma * hg * g[k];
        q += 2 * eta * hg + eta * eta * gKg;
    }
    double L = 0;
    for (size_t k = 0; k < M; k++) L += lam[k] * (ws[k] - h[k]) * (ws[k] - h[k]);
    free(lam), free(ws), free(h), free(g), free(Kg), free(K);
    return L;
}

static void check_rich_vs_discrete(slt_task *task, size_t M)
{
    slt_featlearn_params p = slt_featlearn_params_default();
    p.gamma = 1;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double times[] = {1, 4};
    slt_featlearn_point pt[2];
    assert_int_equal(slt_featlearn_solve(w, times, 2, pt), SLT_OK);
    for (int i = 0; i < 2; i++) {
        double eta = 4e-3;
        double L1 = discrete_loss(task, M, p.gamma, eta, times[i]);
        double L2 = discrete_loss(task, M, p.gamma, eta / 2, times[i]);
        double L4 = discrete_loss(task, M, p.gamma, eta / 4, times[i]);
        double R1 = 2 * L2 - L1, R2 = 2 * L4 - L2;
        /* first order in η (check 11): the Richardson values agree to O(η²); their
         * difference bounds the extrapolation's own error */
        assert_within("ode vs Richardson-extrapolated discrete recursion", pt[i].test,
                      pt[i].test_err, R2, 2 * fabs(R2 - R1));
        /* and the check can tell rich from lazy */
        slt_sum s;
        assert_int_equal(slt_sum_decay(task, times[i], &s), SLT_OK);
        assert_true(fabs(pt[i].test - s.value) > 100 * (pt[i].test_err + 2 * fabs(R2 - R1)));
        assert_true(pt[i].test < s.value); /* rich below lazy (docs/theory/featlearn.md §3) */
    }
    slt_featlearn_free(w);
}

static void test_rich_ode_vs_discrete(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 6);
    check_rich_vs_discrete(task, 6);
    slt_task_free(task);
}

/* Degenerate eigenvalues with uneven per-mode powers: the solver collapses each eigenspace
 * to one mode (3 states of v here), the recursion runs on all 5 modes. */
static void test_degenerate_levels(void **state)
{
    (void)state;
    double lam[5] = {1, 0.5, 0.5, 0.5, 0.2}, tgt[5] = {0.3, 0.3, 0.1, 0.05, 0.2};
    slt_task *task = NULL;
    assert_int_equal(slt_task_alloc_explicit(5, lam, tgt, 0, &task), SLT_OK);
    check_rich_vs_discrete(task, 5);
    slt_task_free(task);
}

static void test_isotropic_exponent(void **state)
{
    (void)state;
    double beta = 0.5, chi = 2 * beta / (1 + beta);
    slt_task *task = power_law(1.5, beta, 0);
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_ISOTROPIC;
    p.gamma = 1;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double times[] = {1e2, 1e4, 1e6, 1e8};
    slt_featlearn_point pt[4];
    assert_int_equal(slt_featlearn_solve(w, times, 4, pt), SLT_OK);
    for (int i = 0; i < 4; i++) {
        print_message("t = %g  L = %.6g +- %.2g  slope = %.6f +- %.2g  q = %.4g\n", pt[i].t,
                      pt[i].test, pt[i].test_err, pt[i].slope, pt[i].slope_err, pt[i].q);
        if (i) assert_true(fabs(pt[i].slope - chi) < fabs(pt[i - 1].slope - chi));
    }
    /* the slope climbs from β (lazy) towards χ; TOL_FIT_SLOPE at the end of the horizon */
    assert_true(pt[0].slope > beta);
    assert_close(pt[3].slope, chi, 0, TOL_FIT_SLOPE);
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* κ_N by bisection on df(κ) = N, then Σ t κ/(λ+κ), on an explicit task */
static void test_width_floor(void **state)
{
    (void)state;
    size_t M = 30;
    slt_task *task = power_law(1.5, 0.5, M);
    double N = 8, lo = 1e-12, hi = 10;
    for (int it = 0; it < 200; it++) {
        double mid = sqrt(lo * hi), df = 0;
        for (size_t k = 1; k <= M; k++) df += slt_task_lambda(task, k) / (slt_task_lambda(task, k) + mid);
        if (df > N) lo = mid; else hi = mid;
    }
    double kap = sqrt(lo * hi), ref = 0;
    for (size_t k = 1; k <= M; k++)
        ref += slt_task_target(task, k) * kap / (slt_task_lambda(task, k) + kap);
    double gammas[] = {0, 0.5, 2};
    for (int i = 0; i < 3; i++) {
        slt_featlearn_params p = slt_featlearn_params_default();
        p.gamma = gammas[i];
        p.N = N;
        p.method = SLT_FEATLEARN_ODE; /* auto would march at finite N */
        slt_featlearn_workspace *w = NULL;
        assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
        double tinf = INFINITY;
        slt_featlearn_point pt;
        assert_int_equal(slt_featlearn_solve(w, &tinf, 1, &pt), SLT_OK);
        assert_within("width floor vs bisection", pt.test, pt.test_err, ref, TOL_ROOT * ref);
        /* finite t at finite N needs the marching (test_featlearn_march.c) */
        double t1 = 1;
        assert_int_equal(slt_featlearn_solve(w, &t1, 1, &pt), SLT_EDOM);
        assert_non_null(strstr(slt_last_error(), "N = 8"));
        slt_featlearn_free(w);
    }
    slt_task_free(task);
}

static void expect_refusal(slt_featlearn_params p, int status, const char *needle)
{
    assert_int_equal(slt_featlearn_params_check(&p), status);
    assert_non_null(strstr(slt_last_error(), needle));
}

static void test_params(void **state)
{
    (void)state;
    slt_featlearn_params d = slt_featlearn_params_default(), p;
    assert_int_equal(slt_featlearn_params_check(&d), SLT_OK);
    p = d, p.gamma = -1, expect_refusal(p, SLT_EINVAL, "gamma = -1");
    p = d, p.gamma = NAN, expect_refusal(p, SLT_EINVAL, "gamma");
    p = d, p.N = 0.5, expect_refusal(p, SLT_EINVAL, "N = 0.5");
    p = d, p.rel_tol = 0.1, expect_refusal(p, SLT_EINVAL, "rel_tol = 0.1");
    p = d, p.max_modes = 0, expect_refusal(p, SLT_EINVAL, "max_modes = 0");
    p = d, p.max_steps = 5, expect_refusal(p, SLT_EINVAL, "max_steps = 5");
    p = d, p.method = (slt_featlearn_method)9, expect_refusal(p, SLT_EINVAL, "method");
    p = d, p.P = 100, assert_int_equal(slt_featlearn_params_check(&p), SLT_OK); /* finite P: march (auto) */
    p.method = SLT_FEATLEARN_ODE, expect_refusal(p, SLT_EDOM, "P = 100");
    p = d, p.batch = 4, expect_refusal(p, SLT_EINVAL, "batch = 4");
    p = d, p.eta = 0.1, p.method = SLT_FEATLEARN_ODE, expect_refusal(p, SLT_EDOM, "eta = 0.1");
    assert_non_null(slt_featlearn_param_range("gamma"));
    assert_null(slt_featlearn_param_range("nope"));
    /* ode on an infinite task, or one with more than max_modes modes: the spectrum
     * quadrature, refused when it needs more than max_nodes nodes */
    slt_task *inf = power_law(1.5, 0.5, 0), *big = power_law(1.5, 0.5, 50);
    slt_featlearn_workspace *w = NULL;
    p = d, p.max_nodes = 20;
    assert_int_equal(slt_featlearn_alloc(inf, &p, &w), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "max_nodes = 20"));
    assert_null(w);
    assert_int_equal(slt_featlearn_alloc(big, &p, &w), SLT_EDOM);
    assert_non_null(strstr(slt_last_error(), "max_nodes = 20"));
    assert_non_null(strstr(slt_last_error(), "M = 50"));
    /* times must be nondecreasing and >= 0 */
    p = d, p.method = SLT_FEATLEARN_ISOTROPIC;
    assert_int_equal(slt_featlearn_alloc(inf, &p, &w), SLT_OK);
    double bad[] = {2, 1};
    slt_featlearn_point pt[2];
    assert_int_equal(slt_featlearn_solve(w, bad, 2, pt), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "times[1]"));
    double neg = -1;
    assert_int_equal(slt_featlearn_solve(w, &neg, 1, pt), SLT_EINVAL);
    slt_featlearn_free(w);
    slt_task_free(inf);
    slt_task_free(big);
    /* names */
    slt_featlearn_method m = SLT_FEATLEARN_ODE;
    assert_int_equal(slt_featlearn_method_from_string("isotropic", &m), SLT_OK);
    assert_int_equal(m, SLT_FEATLEARN_ISOTROPIC);
    assert_int_equal(slt_featlearn_method_from_string("fast", &m), SLT_EINVAL);
    assert_int_equal(m, SLT_FEATLEARN_ISOTROPIC);
    assert_string_equal(slt_featlearn_method_to_string(SLT_FEATLEARN_MARCH), "march");
    assert_false(slt_featlearn_method_is_exact(SLT_FEATLEARN_ISOTROPIC));
    assert_true(slt_featlearn_method_is_exact(SLT_FEATLEARN_ODE));
}

/* On a single level (all λ equal) K − I = γ q along w* exactly, so the (v, q, K)
 * equations equal the isotropic reduction with the boost doubled: ode(γ) = isotropic(2γ).
 * An exact cross-check of the two methods (docs/theory/featlearn.md, "flat spectrum"). */
static void test_flat_spectrum(void **state)
{
    (void)state;
    double lam[3] = {0.7, 0.7, 0.7}, tgt[3] = {0.5, 0.2, 0.3};
    slt_task *task = NULL;
    assert_int_equal(slt_task_alloc_explicit(3, lam, tgt, 0, &task), SLT_OK);
    double times[] = {0.5, 2, 8, 30};
    slt_featlearn_point a[4], b[4];
    slt_featlearn_params p = slt_featlearn_params_default();
    p.gamma = 1.5;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_solve(w, times, 4, a), SLT_OK);
    slt_featlearn_free(w);
    p.method = SLT_FEATLEARN_ISOTROPIC;
    p.gamma = 3;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    assert_int_equal(slt_featlearn_solve(w, times, 4, b), SLT_OK);
    slt_featlearn_free(w);
    for (int i = 0; i < 4; i++) {
        assert_within("flat spectrum: ode(gamma) vs isotropic(2 gamma)", a[i].test,
                      a[i].test_err + b[i].test_err, b[i].test, 0.0);
        assert_within("flat spectrum: q", a[i].q, a[i].q_err + b[i].q_err, b[i].q, 0.0);
    }
    slt_task_free(task);
}

/* The isotropic reduction against a plain RK4 integration of dτ/dt = 1 + γq,
 * dq/dt = 2F(τ) written here with direct mode sums (an explicit task). */
static void iso_rhs(const slt_task *task, size_t M, double gamma, const double y[2], double d[2])
{
    double F = 0;
    for (size_t k = 1; k <= M; k++) {
        double e = exp(-slt_task_lambda(task, k) * y[0]);
        F += slt_task_target(task, k) * e * (1 - e);
    }
    d[0] = 1 + gamma * y[1];
    d[1] = 2 * F;
}

static double iso_rk4(const slt_task *task, size_t M, double gamma, double T, long steps)
{
    double y[2] = {0, 0}, h = T / (double)steps;
    for (long n = 0; n < steps; n++) {
        double k1[2], k2[2], k3[2], k4[2], z[2];
        iso_rhs(task, M, gamma, y, k1);
        for (int j = 0; j < 2; j++) z[j] = y[j] + h / 2 * k1[j];
        iso_rhs(task, M, gamma, z, k2);
        for (int j = 0; j < 2; j++) z[j] = y[j] + h / 2 * k2[j];
        iso_rhs(task, M, gamma, z, k3);
        for (int j = 0; j < 2; j++) z[j] = y[j] + h * k3[j];
        iso_rhs(task, M, gamma, z, k4);
        for (int j = 0; j < 2; j++) y[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
    }
    double L = 0;
    for (size_t k = 1; k <= M; k++)
        L += slt_task_target(task, k) * exp(-2 * slt_task_lambda(task, k) * y[0]);
    return L;
}

static void test_isotropic_rk4(void **state)
{
    (void)state;
    size_t M = 10;
    slt_task *task = power_law(1.5, 0.5, M);
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_ISOTROPIC;
    p.gamma = 1;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double times[] = {1, 10, 50};
    slt_featlearn_point pt[3];
    assert_int_equal(slt_featlearn_solve(w, times, 3, pt), SLT_OK);
    for (int i = 0; i < 3; i++) {
        double r1 = iso_rk4(task, M, p.gamma, times[i], 2000), r2 = iso_rk4(task, M, p.gamma, times[i], 4000);
        assert_within("isotropic vs RK4", pt[i].test, pt[i].test_err, r2, 2 * fabs(r2 - r1));
    }
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* CVODE that cannot reach a time within max_steps: SLT_ENOCONV, NaN values, a message
 * naming max_steps; the points before it keep their values. */
static void test_step_limit(void **state)
{
    (void)state;
    slt_task *task = power_law(1.5, 0.5, 20);
    slt_featlearn_params p = slt_featlearn_params_default();
    p.gamma = 1;
    p.max_steps = 100;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double times[] = {0, 1e6};
    slt_featlearn_point pt[2];
    assert_int_equal(slt_featlearn_solve(w, times, 2, pt), SLT_ENOCONV);
    assert_non_null(strstr(slt_last_error(), "max_steps = 100"));
    assert_int_equal(pt[0].status, SLT_OK);
    assert_int_equal(pt[1].status, SLT_ENOCONV);
    assert_true(isnan(pt[1].test) && isnan(pt[1].test_err));
    slt_featlearn_free(w);
    slt_task_free(task);
}

/* docs/theory/featlearn.md §4 on the isotropic reduction (hard task, β = 0.5): the rich prefactor
 * L(γ₁)/L(γ₂) → (γ₂/γ₁)^{β/(1+β)} at equal late t, and the lazy→rich crossover γq(t_×) = 1
 * at t_× ∝ γ^{−1/(1−β)} as γ → 0. */
static double crossover(const slt_task *task, double gamma)
{
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_ISOTROPIC;
    p.gamma = gamma;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    enum { NT = 121 };
    double times[NT];
    slt_featlearn_point pt[NT];
    for (int i = 0; i < NT; i++) times[i] = pow(10, -2 + 0.1 * i); /* 1e-2 … 1e10 */
    assert_int_equal(slt_featlearn_solve(w, times, NT, pt), SLT_OK);
    slt_featlearn_free(w);
    for (int i = 1; i < NT; i++)
        if (gamma * pt[i].q >= 1) { /* log-log interpolation of q between the grid points */
            double s = (log(1 / gamma) - log(pt[i - 1].q)) / (log(pt[i].q) - log(pt[i - 1].q));
            return exp(log(times[i - 1]) + s * (log(times[i]) - log(times[i - 1])));
        }
    fail_msg("gamma q(t) never reached 1");
    return NAN;
}

static void test_isotropic_scalings(void **state)
{
    (void)state;
    double beta = 0.5;
    slt_task *task = power_law(1.5, beta, 0);
    /* prefactor ratio */
    double g[2] = {1, 4}, t = 1e10;
    slt_featlearn_point pt[2];
    for (int i = 0; i < 2; i++) {
        slt_featlearn_params p = slt_featlearn_params_default();
        p.method = SLT_FEATLEARN_ISOTROPIC;
        p.gamma = g[i];
        slt_featlearn_workspace *w = NULL;
        assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
        assert_int_equal(slt_featlearn_solve(w, &t, 1, &pt[i]), SLT_OK);
        slt_featlearn_free(w);
    }
    double ratio = pt[0].test / pt[1].test, want = pow(g[1] / g[0], beta / (1 + beta));
    print_message("L(gamma=1)/L(gamma=4) at t = 1e10: %.6f, asymptote %.6f\n", ratio, want);
    assert_close(ratio, want, TOL_FIT_SLOPE, 0);
    /* crossover: t_x(1e-3)/t_x(1e-2) → 10^{1/(1−β)} = 100 */
    double t2 = crossover(task, 1e-2), t3 = crossover(task, 1e-3);
    double e = log(t3 / t2) / log(10.0);
    print_message("t_x(1e-2) = %.4g, t_x(1e-3) = %.4g: exponent %.4f, asymptote %.4f\n", t2, t3,
                  e, 1 / (1 - beta));
    assert_close(e, 1 / (1 - beta), TOL_FIT_SLOPE, 0);
    slt_task_free(task);
}

/* Easy task (β = 1.5 > 1) on the isotropic reduction: (1 + γq) dq/dt = d|h|²/dt makes
 * q + γq²/2 → ‖w*‖² = Σ t_k/λ_k, so the late boost is √(1 + 2γ‖w*‖²), the exponent stays
 * β and L_rich/L_lazy → (1 + 2γ‖w*‖²)^{−β/2} (docs/theory/featlearn.md §4). */
static double t_over_lambda(double lambda, double target, void *ctx)
{
    (void)ctx;
    return target / lambda;
}

static void test_isotropic_easy(void **state)
{
    (void)state;
    double beta = 1.5, gamma = 1;
    slt_task *task = power_law(1.5, beta, 0);
    slt_sum norm;
    assert_int_equal(slt_task_sum(task, t_over_lambda, NULL, NULL, &norm), SLT_OK);
    slt_featlearn_params p = slt_featlearn_params_default();
    p.method = SLT_FEATLEARN_ISOTROPIC;
    p.gamma = gamma;
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t = 1e10;
    slt_featlearn_point pt;
    assert_int_equal(slt_featlearn_solve(w, &t, 1, &pt), SLT_OK);
    slt_featlearn_free(w);
    slt_sum lazy;
    assert_int_equal(slt_sum_decay(task, t, &lazy), SLT_OK);
    double want = pow(1 + 2 * gamma * norm.value, -beta / 2);
    print_message("easy: slope %.6f, L_rich/L_lazy %.8f (asymptote %.8f), q %.8f\n", pt.slope,
                  pt.test / lazy.value, want, pt.q);
    assert_close(pt.slope, beta, 0, TOL_FIT_SLOPE);
    /* the approach is like t^{1−β}: 1.7e-5 between t = 1e8 and 1e10, so 1e-4 at 1e10 */
    assert_close(pt.test / lazy.value, want, 1e-4, 0);
    assert_close(pt.q + gamma * pt.q * pt.q / 2, norm.value, 1e-4, 0);
    slt_task_free(task);
}

/* q and the local exponent: at γ = 0, q = |h|² = Σ (t_k/λ_k)(1 − e^{−λ_k t})² in closed
 * form; at γ = 1 the reported slope against a central difference of log L in log t. */
static void test_q_and_slope(void **state)
{
    (void)state;
    size_t M = 12;
    slt_task *task = power_law(1.5, 0.5, M);
    slt_featlearn_params p = slt_featlearn_params_default();
    slt_featlearn_workspace *w = NULL;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double t = 3;
    slt_featlearn_point pt;
    assert_int_equal(slt_featlearn_solve(w, &t, 1, &pt), SLT_OK);
    slt_featlearn_free(w);
    double q = 0;
    for (size_t k = 1; k <= M; k++) {
        double l = slt_task_lambda(task, k), e = 1 - exp(-l * t);
        q += slt_task_target(task, k) / l * e * e;
    }
    assert_within("q at gamma = 0", pt.q, pt.q_err, q, TOL_ROUNDING_SUM * q);
    p.gamma = 1;
    assert_int_equal(slt_featlearn_alloc(task, &p, &w), SLT_OK);
    double h = 1e-3, ts[3] = {t * exp(-h), t, t * exp(h)};
    slt_featlearn_point q3[3];
    assert_int_equal(slt_featlearn_solve(w, ts, 3, q3), SLT_OK);
    slt_featlearn_free(w);
    double fd = -(log(q3[2].test) - log(q3[0].test)) / (2 * h);
    /* central difference: O(h²) ≈ 1e-6 relative, plus the values' errors / h */
    assert_within("slope vs central difference", q3[1].slope, q3[1].slope_err, fd,
                  1e-5 + (q3[0].test_err / q3[0].test + q3[2].test_err / q3[2].test) / (2 * h));
    slt_task_free(task);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lazy_ode),
        cmocka_unit_test(test_lazy_isotropic),
        cmocka_unit_test(test_rich_ode_vs_discrete),
        cmocka_unit_test(test_degenerate_levels),
        cmocka_unit_test(test_isotropic_exponent),
        cmocka_unit_test(test_width_floor),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_flat_spectrum),
        cmocka_unit_test(test_isotropic_rk4),
        cmocka_unit_test(test_step_limit),
        cmocka_unit_test(test_isotropic_scalings),
        cmocka_unit_test(test_isotropic_easy),
        cmocka_unit_test(test_q_and_slope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
