/* Kernel spectra (solvers/kernels) against independent references: closed forms (Bessel
 * functions, exact fractions, a0 on S^2 at every degree), the trace and Hilbert–Schmidt
 * identities, fitted decay rates, the published depth-3 NTK values, empirical Gram
 * spectra with a stated sampling rule, and the explicit task round trip. Every value is
 * also checked against its own error estimate (honesty). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_bessel.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sf_zeta.h>

#include "slt/kernels.h"
#include "slt/status.h"
#include "slt/task.h"
#include "slt_test.h"

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x > y ? -1 : x < y;
}

static slt_kernels_spectrum *spectrum(slt_kernels_params p, slt_kernels_workspace **wsp)
{
    slt_kernels_workspace *ws = NULL;
    slt_kernels_spectrum *s = NULL;
    assert_ok(slt_kernels_alloc(&p, &ws));
    assert_ok(slt_kernels_spectrum_compute(ws, &s));
    if (wsp) *wsp = ws;
    else slt_kernels_free(ws);
    return s;
}

/* |mu − ref| <= mu_err + slack(ref) (honesty) and relative error <= rtol */
static double g_atol = 0.0; /* absolute floor allowed on top of rtol (set per test) */
static void check_level(const slt_kernels_level *L, double ref, double rtol, const char *what)
{
    double diff = fabs(L->mu - ref);
    /* slack: the reference's own rounding (closed forms evaluated in double, ~4 ulp) */
    double slack = 1e-15 * fabs(ref);
    if (!(diff <= L->mu_err + slack) || !(diff <= rtol * fabs(ref) + g_atol + 1e-300)) {
        print_error("%s l=%zu: mu %.17g ref %.17g diff %.3g err %.3g (%s)\n", what, L->degree,
                    L->mu, ref, diff, L->mu_err, slt_kernels_method_name(L->method));
        fail();
    }
}

/* Gaussian on S^{d-1}: mu_l = Γ(d/2)(2σ²)^ν e^{-c} I_{l+ν}(c), c = 1/σ², ν = d/2 − 1 */
static void test_gaussian_bessel(void **state)
{
    (void)state;
    int dims[] = {2, 3, 5, 10};
    double widths[] = {0.5, 1.0, 2.0};
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 3; b++) {
            slt_kernels_params p = slt_kernels_params_default();
            p.kernel = SLT_KERNEL_GAUSSIAN;
            p.dim = dims[a];
            p.width = widths[b];
            p.lmax = 60;
            slt_kernels_spectrum *s = spectrum(p, NULL);
            double c = 1.0 / (p.width * p.width), nu = 0.5 * p.dim - 1.0;
            for (size_t l = 0; l <= 60; l++) {
                gsl_sf_result r;
                if (gsl_sf_bessel_Inu_scaled_e(l + nu, c, &r) || r.val < 1e-280) continue;
                double ref = exp(gsl_sf_lngamma(0.5 * p.dim) + nu * log(2.0 / c)) * r.val;
                /* 1e-10: the kernel-spectra note the project started from asked 1e-8 or
                 * better; GSL's I_nu itself ~1e-13 */
                check_level(&s->levels[l], ref, 1e-10, "gaussian");
            }
            slt_kernels_spectrum_free(s);
        }
}

/* Narrow Gaussians (issue 10 #2: width 1e-12 crashed, width 1e-2 gave 0 "unresolved" for
 * every degree, 1e-100 gave 0 "zero"): μ_ℓ = e^{-c} i_ℓ(c) on S^2 (modified spherical
 * Bessel), elementary for ℓ <= 2: μ_0 = (1 − e^{-2c})/(2c), μ_1 = [(1 + e^{-2c}) −
 * (1 − e^{-2c})/c]/(2c), μ_2 = [(1 − e^{-2c})(1 + 3/c²) − 3(1 + e^{-2c})/c]/(2c);
 * on S^3 (ν = 1) μ_ℓ = 2σ³/√(2π) (1 − (4(ℓ+1)² − 1)σ²/8 + …), the correction below
 * double precision at σ = 1e-12. Every value must be ok (resolved) and honest. */
static void test_gaussian_narrow(void **state)
{
    (void)state;
    double widths[] = {1e-2, 3e-3, 1e-3, 1e-12, 1e-100};
    for (int b = 0; b < 5; b++) {
        slt_kernels_params p = slt_kernels_params_default();
        p.kernel = SLT_KERNEL_GAUSSIAN;
        p.dim = 3;
        p.width = widths[b];
        p.lmax = 40;
        slt_kernels_spectrum *s = spectrum(p, NULL);
        double c = 1.0 / (p.width * p.width), x = p.width * p.width, e2 = exp(-2.0 * c);
        double ref[3] = {0.5 * x * (1.0 - e2), 0.5 * x * ((1.0 + e2) - (1.0 - e2) * x),
                         0.5 * x * ((1.0 - e2) * (1.0 + 3.0 * x * x) - 3.0 * (1.0 + e2) * x)};
        /* 1e-13: the closed forms above in double (~4 ulp) and rel_tol 1e-12 */
        for (size_t l = 0; l <= 2; l++) check_level(&s->levels[l], ref[l], 1e-12, "narrow S^2");
        for (size_t l = 0; l <= 40; l++) {
            const slt_kernels_level *L = &s->levels[l];
            assert_true(L->mu > 0.0 && L->mu_err <= 1e-12 * L->mu);
            /* A&S 10.2: e^{-c} i_l(c) = (1/2c) Σ_k (−1)^k (l+k)!/(k!(l−k)!) (2c)^{-k} + O(e^{-2c})
             * (GSL's i_l is off by 4e-11 here at c = 1e4, l = 3) */
            double sum = 0.0;
            for (size_t k = 0; k <= l; k++)
                sum += (k % 2 ? -1.0 : 1.0) *
                       exp(gsl_sf_lnfact((unsigned)(l + k)) - gsl_sf_lnfact((unsigned)k) -
                           gsl_sf_lnfact((unsigned)(l - k)) + k * log(0.5 * x));
            /* 1e-12: rel_tol; the terms' exp(lnfact) rounding is ~1e-14 for l <= 40 */
            check_level(L, 0.5 * x * sum, 1e-12, "narrow S^2 vs A&S 10.2");
        }
        slt_kernels_spectrum_free(s);
    }
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.dim = 4;
    p.width = 1e-12;
    p.lmax = 10;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    for (size_t l = 0; l <= 10; l++)
        check_level(&s->levels[l], 2e-36 / sqrt(2.0 * M_PI), 1e-12, "narrow S^3");
    slt_kernels_spectrum_free(s);
    /* the Laplace kernel on the sphere: refused below its smallest width */
    p.kernel = SLT_KERNEL_LAPLACE;
    p.width = 1e-12;
    assert_status(slt_kernels_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "width"));
}

/* The decay fit says whether it is a power law (issue 10 #14): the ReLU NTK on S^2 is
 * (μ ∝ ℓ^-3); the Gaussian decays faster than any power (local slope spread of tens);
 * the ReLU NTK on S^49 below ℓ = 40 is pre-asymptotic (fitted α_K < 0); too few levels
 * leave NaN values, never numbers. */
static void test_fit_power_law_flag(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    slt_kernels_fit f;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    assert_ok(slt_kernels_fit_decay(s, NULL, &f));
    assert_int_equal(f.power_law, 1);
    slt_kernels_spectrum_free(s);
    p.kernel = SLT_KERNEL_GAUSSIAN;
    s = spectrum(p, NULL);
    assert_ok(slt_kernels_fit_decay(s, NULL, &f));
    assert_int_equal(f.power_law, 0);
    assert_true(f.slope_spread > 1.0);
    slt_kernels_spectrum_free(s);
    p.kernel = SLT_KERNEL_RELU_NTK;
    p.dim = 50;
    p.lmax = 40;
    s = spectrum(p, NULL);
    slt_kernels_fit_params fp = slt_kernels_fit_params_default();
    fp.tol = 10.0;
    assert_ok(slt_kernels_fit_decay(s, &fp, &f));
    assert_true(f.alpha_K < 0.0);
    assert_int_equal(f.power_law, 0);
    slt_kernels_spectrum_free(s);
    p.dim = 3;
    p.lmax = 5;
    s = spectrum(p, NULL);
    assert_status(slt_kernels_fit_decay(s, NULL, &f), SLT_EDOM);
    assert_true(isnan(f.alpha_K) && isnan(f.s) && f.power_law == 0);
    slt_kernels_spectrum_free(s);
}

/* exact fractions of docs/theory/kernels.md §5 (d = 3, 5), to 1e-12 */
static void test_exact_fractions(void **state)
{
    (void)state;
    /* 1e-12 relative (the target of the kernel-spectra note the project started from), or
     * the double-precision quadrature floor of the low degrees, 2e-15·k(1), where
     * μ_ℓ < 1e-3 */
    g_atol = 2e-15;
    struct { slt_kernel_type k; int d; double mu[7]; } rows[] = {
        {SLT_KERNEL_ARCCOS0, 3, {1. / 2, 1. / 8, 0, 1. / 128, 0, 1. / 512, 0}},
        {SLT_KERNEL_RELU_NNGP, 3, {3. / 8, 1. / 6, 3. / 128, 0, 1. / 1536, 0, 3. / 32768}},
        {SLT_KERNEL_RELU_NTK, 3, {1. / 2, 1. / 3, 5. / 64, 0, 1. / 192, 0, 23. / 16384}},
        {SLT_KERNEL_ARCCOS0, 5, {1. / 2, 9. / 128, 0, 1. / 512, 0, 9. / 32768, 0}},
        {SLT_KERNEL_RELU_NNGP, 5, {45. / 128, 1. / 10, 5. / 512, 0, 5. / 32768, 0, 9. / 655360}},
        {SLT_KERNEL_RELU_NTK, 5, {27. / 64, 1. / 5, 1. / 32, 0, 17. / 16384, 0, 27. / 163840}},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        slt_kernels_params p = slt_kernels_params_default();
        p.kernel = rows[i].k;
        p.dim = rows[i].d;
        p.lmax = 40;
        slt_kernels_spectrum *s = spectrum(p, NULL);
        for (int l = 0; l < 7; l++) {
            if (rows[i].mu[l] == 0.0) {
                /* parity zero: exactly zero to roundoff (docs/theory/kernels.md §5) */
                assert_close(s->levels[l].mu, 0.0, 0.0, TOL_ROUNDING);
                assert_true(s->levels[l].mu_err <= 1e-14);
            } else {
                check_level(&s->levels[l], rows[i].mu[l], 1e-12, slt_kernel_name(p.kernel));
            }
        }
        slt_kernels_spectrum_free(s);
    }
    /* μ_1 = 1/(2d) (a1) and 1/d (one-layer NTK) at several d; linear kernel (t) μ_1 = 1/d */
    int dims[] = {3, 10, 100};
    for (int a = 0; a < 3; a++) {
        slt_kernels_params p = slt_kernels_params_default();
        p.dim = dims[a];
        p.lmax = 4;
        p.kernel = SLT_KERNEL_RELU_NNGP;
        slt_kernels_spectrum *s = spectrum(p, NULL);
        check_level(&s->levels[1], 0.5 / p.dim, 1e-12, "a1 mu_1");
        slt_kernels_spectrum_free(s);
        p.kernel = SLT_KERNEL_RELU_NTK;
        s = spectrum(p, NULL);
        check_level(&s->levels[1], 1.0 / p.dim, 1e-12, "ntk mu_1");
        slt_kernels_spectrum_free(s);
        p.kernel = SLT_KERNEL_POLY; /* t²: μ_0 = 1/d, μ_2 = 2/(d(d+2)) */
        p.offset = 0.0;
        p.poly_degree = 2;
        s = spectrum(p, NULL);
        check_level(&s->levels[0], 1.0 / p.dim, 1e-12, "t^2 mu_0");
        check_level(&s->levels[2], 2.0 / (p.dim * (p.dim + 2.0)), 1e-12, "t^2 mu_2");
        assert_close(s->levels[1].mu, 0.0, 0.0, TOL_ROUNDING);
        assert_close(s->levels[4].mu, 0.0, 0.0, TOL_ROUNDING);
        slt_kernels_spectrum_free(s);
    }
    g_atol = 0.0;
}

/* a0 on S^2 at every odd degree to 10^4: μ_{2n+1} = ½[(2n−1)!!/(2n+2)!!]²
 * (docs/theory/kernels.md §5), the ratio r_{n+1}/r_n = (2n+1)/(2n+4) accumulated in long double */
static void test_arccos0_all_degrees(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_ARCCOS0;
    p.dim = 3;
    p.lmax = 10001;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    long double r = 0.5L; /* (−1)!!/2!! */
    for (size_t n = 0; 2 * n + 1 <= p.lmax; n++) {
        check_level(&s->levels[2 * n + 1], (double)(0.5L * r * r), 1e-12, "a0 odd");
        if (2 * n + 2 <= p.lmax) assert_close(s->levels[2 * n + 2].mu, 0.0, 0.0, TOL_ROUNDING);
        r *= (2.0L * n + 1.0L) / (2.0L * n + 4.0L);
    }
    /* ℓ³ μ_ℓ → 1/π: at ℓ = 10001 within 1e-3 (next term O(1/ℓ)) */
    assert_close(pow(10001.0, 3) * s->levels[10001].mu, 1.0 / M_PI, 1e-3, 0);
    slt_kernels_spectrum_free(s);
}

/* Pehlevan-Group/NTK_Learning_Curves, depth-3 NTK on S^9 (docs/theory/kernels.md §5),
 * printed digits */
static void test_published_ntk(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_RELU_NTK;
    p.dim = 10;
    p.depth = 3;
    p.lmax = 1000;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    double ref[] = {1.1327, 0.10007, 0.012867, 1.4364e-3, 2.8311e-4, 5.7886e-5};
    for (int l = 0; l < 6; l++) assert_close(s->levels[l].mu, ref[l], 5e-5, 0); /* 5 digits */
    /* every degree resolved to 1e-8 relative or better */
    assert_true(s->max_rel_err < 1e-8);
    slt_kernels_spectrum_free(s);
}

/* trace Σ N μ = k(1) (with the estimated tail) and Hilbert–Schmidt Σ N μ² = c_d ∫ k² w */
typedef struct { slt_kernels_workspace *ws; int d; } hs_ctx;
static double hs_integrand(double t, void *v)
{
    hs_ctx *c = v;
    double k = slt_kernels_eval_sphere(c->ws, t);
    return k * k * pow(1.0 - t * t, 0.5 * (c->d - 3.0));
}

static void test_identities(void **state)
{
    (void)state;
    slt_kernel_type ks[] = {SLT_KERNEL_RELU_NTK, SLT_KERNEL_RELU_NNGP, SLT_KERNEL_LAPLACE,
                            SLT_KERNEL_GAUSSIAN};
    int dims[] = {3, 4, 7};
    gsl_integration_workspace *iw = gsl_integration_workspace_alloc(1000);
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 3; b++) {
            slt_kernels_params p = slt_kernels_params_default();
            p.kernel = ks[a];
            p.dim = dims[b];
            p.depth = 2;
            p.lmax = 3000;
            slt_kernels_workspace *ws;
            slt_kernels_spectrum *s = spectrum(p, &ws);
            double total = s->trace + s->trace_tail, err = s->trace_err + s->trace_tail_err;
            /* trace: to the reported error (levels + tail estimate) */
            assert_close(total, s->diag, 0, err + 1e-14);
            /* HS: reference by adaptive quadrature (QAGS, 1e-12); tail of Σ N μ² is below
             * N μ_L · μ_L · L — negligible against 1e-9 at L = 3000 */
            hs_ctx c = {ws, p.dim};
            gsl_function F = {hs_integrand, &c};
            double ref, ref_err;
            gsl_integration_qags(&F, -1, 1, 0, 1e-12, 1000, iw, &ref, &ref_err);
            ref *= exp(gsl_sf_lngamma(0.5 * p.dim) - gsl_sf_lngamma(0.5 * (p.dim - 1.0))) / sqrt(M_PI);
            assert_close(s->hs, ref, 1e-9, s->hs_err);
            slt_kernels_spectrum_free(s);
            slt_kernels_free(ws);
        }
    gsl_integration_workspace_free(iw);
}

/* Fits the per-degree decay over [lo, hi] and returns s. h is the Hölder order of the
 * kernel (docs/theory/conventions.md §10: s = d − 1 + h, α_K = h/(d − 1)). α_K is checked
 * independently of the per-degree fit: the isotropic teacher (t = λ) has tail sums
 * Σ_{j>k} λ_j ∝ k^{−(α−1)} over the FLATTENED spectrum (docs/theory/kernels.md §3), the
 * power past lmax being k(1) − trace, so the fitted source slope αβ of
 * slt_kernels_fit_source is α_K itself. */
static double fitted_s(slt_kernel_type k, int d, int depth, double lo, double hi, double h)
{
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = k;
    p.dim = d;
    p.depth = depth;
    p.lmax = (size_t)hi;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    slt_kernels_fit_params fp = slt_kernels_fit_params_default();
    fp.lo = lo;
    fp.hi = hi;
    slt_kernels_fit f;
    assert_ok(slt_kernels_fit_decay(s, &fp, &f));
    double aK = h / (d - 1.0);
    /* α_K from the per-degree fit: within 0.02/(d−1), the §10.6 slope tolerance mapped */
    assert_close(f.alpha_K, aK, 0, TOL_FIT_SLOPE / (d - 1.0));
    double *pw = malloc(s->n_levels * sizeof(double)), *pe = malloc(s->n_levels * sizeof(double));
    assert_ok(slt_kernels_target_isotropic(s, pw, pe));
    slt_kernels_beyond b;
    assert_ok(slt_kernels_beyond_isotropic(s, &b));
    double beta, beta_err;
    assert_ok(slt_kernels_fit_source(s, pw, pe, &b, &f, &beta, &beta_err));
    /* the tail slope and its own error (beta_err less the part due to α's error) */
    double ab = beta * f.alpha, ab_err = beta_err * f.alpha - fabs(beta) * f.alpha_err;
    char label[96];
    snprintf(label, sizeof label, "%s d=%d depth %d: tail slope vs alpha_K", slt_kernel_name(k), d,
             depth);
    assert_within(label, ab, ab_err, aK, 0.0);
    assert_true(ab_err < 0.02);
    free(pw);
    free(pe);
    slt_kernels_spectrum_free(s);
    return f.s;
}

/* Issue 12 item 6: honest error bars at d = 100, where the endpoint method serves ℓ >= ~24.
 * References: the Funk–Hecke integral μ_ℓ = c_d ∫_0^π k(cos θ) P_ℓ(cos θ) sin^98 θ dθ by
 * Gauss–Legendre in θ (where these kernels are analytic) in mpmath at 160 digits, 384 and
 * 768 nodes agreeing to < 1e-160 absolute (scratch script, not in the repository: mpmath
 * GaussLegendre.calc_nodes(8/9, prec), P_ℓ by the three-term recurrence, the kernels by the
 * arc-cosine recursion of kn_relu_theta / exp(−2 sin(θ/2)/width)). The old bars claimed
 * ~7e-15 relative for errors of 3.8e-14 (F(0) from double lnΓ) and, for relu-nngp, up to
 * 2.7e-14 growing like ℓ(ℓ+d) (a 7e-17 residue in an exactly zero s¹ coefficient). */
static void test_endpoint_bars_d100(void **state)
{
    (void)state;
    static const struct {
        slt_kernel_type k;
        int depth;
        size_t l;
        double ref;
    } cases[] = {
        {SLT_KERNEL_RELU_NTK, 1, 36, 1.87809840262069459948853914433e-36},
        {SLT_KERNEL_RELU_NTK, 1, 60, 1.88000263279893951815976908675e-48},
        {SLT_KERNEL_RELU_NTK, 1, 98, 3.29320525305770155495830041044e-62},
        {SLT_KERNEL_RELU_NTK, 3, 41, 7.93730602844563150793430786225e-39},
        {SLT_KERNEL_RELU_NTK, 3, 77, 9.95572402299841755322267199769e-55},
        {SLT_KERNEL_RELU_NNGP, 1, 44, 1.10909191073543780402140273327e-42},
        {SLT_KERNEL_RELU_NNGP, 1, 92, 1.45037203586493547056312801031e-62},
        {SLT_KERNEL_RELU_NNGP, 3, 59, 7.31528931832305977257353101466e-50},
        {SLT_KERNEL_LAPLACE, 1, 1, 0.00173906312132149605730564106831},
        {SLT_KERNEL_LAPLACE, 1, 9, 3.87042808366296609902330203214e-15},
        {SLT_KERNEL_LAPLACE, 1, 50, 1.03052669595587312941695362914e-43},
    };
    slt_kernels_spectrum *s = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (i == 0 || cases[i].k != cases[i - 1].k || cases[i].depth != cases[i - 1].depth) {
            slt_kernels_spectrum_free(s);
            slt_kernels_params p = slt_kernels_params_default();
            p.kernel = cases[i].k;
            p.dim = 100;
            p.lmax = 99;
            if (p.kernel != SLT_KERNEL_LAPLACE) p.depth = cases[i].depth;
            s = spectrum(p, NULL);
        }
        const slt_kernels_level *L = &s->levels[cases[i].l];
        char what[96];
        snprintf(what, sizeof what, "%s depth %d d=100 l=%zu", slt_kernel_name(cases[i].k),
                 cases[i].depth, cases[i].l);
        /* slack: the 30-digit literal rounded to double (half an ulp) */
        assert_within(what, L->mu, L->mu_err, cases[i].ref, 0x1p-53 * fabs(cases[i].ref));
        /* and the bar stays useful: the values are good to ~1e-15 (not inflated past 1e-12) */
        assert_err_at_most(what, L->mu_err, 1e-12 * fabs(cases[i].ref));
    }
    slt_kernels_spectrum_free(s);
}

/* decay rates by fitted slope within 0.02 (the target of the kernel-spectra note the
 * project started from), window 200–2000 */
static void test_decay_rates(void **state)
{
    (void)state;
    for (int d = 3; d <= 5; d++) {
        assert_close(fitted_s(SLT_KERNEL_RELU_NTK, d, 2, 200, 2000, 1), d, 0, TOL_FIT_SLOPE);
        assert_close(fitted_s(SLT_KERNEL_RELU_NTK, d, 1, 200, 2000, 1), d, 0, TOL_FIT_SLOPE);
        assert_close(fitted_s(SLT_KERNEL_LAPLACE, d, 1, 200, 2000, 1), d, 0, TOL_FIT_SLOPE);
        assert_close(fitted_s(SLT_KERNEL_ARCCOS0, d, 1, 200, 2000, 1), d, 0, TOL_FIT_SLOPE);
        assert_close(fitted_s(SLT_KERNEL_RELU_NNGP, d, 2, 200, 2000, 3), d + 2.0, 0, TOL_FIT_SLOPE);
    }
}

/* torus: von Mises e^{-κ}I_n(κ), wrapped Gaussian, periodic Laplace (docs/theory/kernels.md §5) */
static void test_torus_closed_forms(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.domain = SLT_DOMAIN_TORUS;
    p.dim = 1;
    p.lmax = 40;
    p.kernel = SLT_KERNEL_VON_MISES;
    p.width = 0.7;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    double kappa = 1.0 / (p.width * p.width);
    for (size_t i = 0; i < s->n_levels; i++) {
        double ref = gsl_sf_bessel_In_scaled((int)s->levels[i].wave[0], kappa);
        assert_close(s->levels[i].mu, ref, 0, s->levels[i].mu_err + 1e-15 * ref + 1e-17);
        assert_close(s->levels[i].mult, i == 0 ? 1 : 2, 0, 0);
    }
    slt_kernels_spectrum_free(s);
    /* the periodic Laplace kernel has a kink at 0: λ_n ~ n^-2 and the grid converges only
     * algebraically (aliasing ~ G^-2), so ask 1e-2 and check the estimate is honest */
    p.kernel = SLT_KERNEL_LAPLACE;
    p.width = 0.5;
    p.lmax = 10;
    p.rel_tol = 1e-2;
    s = spectrum(p, NULL);
    double c = 1.0 / p.width;
    for (size_t i = 0; i < s->n_levels; i++) {
        double n = s->levels[i].wave[0];
        double ref = c / M_PI * tanh(M_PI * c) / (n * n + c * c);
        assert_close(s->levels[i].mu, ref, 1e-3, 0);
        assert_close(s->levels[i].mu, ref, 0, s->levels[i].mu_err);
    }
    p.rel_tol = 1e-12;
    slt_kernels_spectrum_free(s);
    /* wrapped Gaussian on T^2: (σ/√(2π))² e^{-σ²|n|²/2}, levels grouped by |n|² */
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.dim = 2;
    p.width = 0.6;
    p.lmax = 12;
    s = spectrum(p, NULL);
    double sig = p.width, total = 0;
    for (size_t i = 0; i < s->n_levels; i++) {
        double ref = sig * sig / (2 * M_PI) * exp(-0.5 * sig * sig * s->levels[i].norm2);
        assert_close(s->levels[i].mu, ref, TOL_ROOT, s->levels[i].mu_err + 1e-300);
        total += s->levels[i].mult;
        if (s->levels[i].norm2 == 25) assert_close(s->levels[i].mult, 12, 0, 0); /* (5,0),(3,4) */
    }
    slt_kernels_spectrum_free(s);
}

/* Gaussian data, golden-ratio case s_x² = ℓ_k² = 1, d = 1: λ_k = φ^{-1} φ^{-2k} */
static void test_gaussian_data(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.domain = SLT_DOMAIN_SPHERE;
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.dim = 1 + 1; /* workspace needs a valid sphere; data dimension below */
    p.width = 1.0;
    slt_kernels_workspace *ws;
    assert_ok(slt_kernels_alloc(&p, &ws));
    ws = ws;
    slt_kernels_empirical_params ep = slt_kernels_empirical_params_default();
    ep.n = 400;
    double cov[2] = {1.0, 1.0};
    ep.cov = cov;
    slt_kernels_empirical *e;
    assert_ok(slt_kernels_empirical_compute(ws, SLT_DATA_GAUSSIAN, &ep, NULL, &e));
    double phi = 0.5 * (1 + sqrt(5.0));
    /* d = 2: value φ^{-2} φ^{-2k}, multiplicity k + 1 */
    for (size_t k = 0; k < 5; k++) {
        assert_close(e->gauss_value[k], pow(phi, -2.0 - 2.0 * k), TOL_ROUNDING_COND, 0);
        assert_close(e->gauss_mult[k], k + 1.0, 0, 0);
    }
    assert_close(e->trace, 1.0, TOL_ROUNDING, 0); /* (1/n) tr K = k(x,x) = 1 exactly */
    slt_kernels_empirical_free(e);
    slt_kernels_free(ws);
}

/* Empirical Gram spectrum: n = 2000 points on S^2, Gaussian kernel σ = 0.5, 10 samples.
 * Rule: the block mean of each of the top 20 levels agrees with the analytic μ corrected
 * for the first-order finite-n bias, (μ/n) Σ_{j ∉ level} λ_j/(μ − λ_j) (second-order
 * perturbation of K/n), within 3 standard errors over the samples plus the size of the
 * neglected next order, μ (k/n)² with k the level's last flattened index. */
static void test_empirical_gram(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.dim = 3;
    p.width = 0.5;
    p.lmax = 60;
    slt_kernels_workspace *ws;
    slt_kernels_spectrum *s = spectrum(p, &ws);
    slt_kernels_empirical_params ep = slt_kernels_empirical_params_default();
    ep.n = 2000;
    ep.repeats = 10;
    ep.seed = 7;
    slt_kernels_empirical *e;
    assert_ok(slt_kernels_empirical_compute(ws, SLT_DATA_SPHERE, &ep, s, &e));
    assert_close(e->trace, 1.0, TOL_ROUNDING, 0); /* exact: k(1) = 1 on the diagonal */
    assert_true(e->n_blocks >= 20);
    double n = (double)ep.n;
    for (size_t b = 0; b < 20; b++) {
        const slt_kernels_level *L = &s->levels[e->block_level[b]];
        double bias = 0;
        for (size_t j = 0; j < s->n_levels; j++)
            if (j != e->block_level[b] && s->levels[j].mu > 0)
                bias += s->levels[j].mult * s->levels[j].mu / (L->mu - s->levels[j].mu);
        double expected = L->mu * (1.0 + bias / n);
        double klast = e->block_first[b] + L->mult - 1.0;
        double tol = 3.0 * e->block_se[b] + L->mu * (klast / n) * (klast / n);
        assert_close(e->block_mean[b], expected, 0, tol);
    }
    slt_kernels_empirical_free(e);
    slt_kernels_spectrum_free(s);
    slt_kernels_free(ws);
}

/* the saved task equals the in-memory one, and the flattened spectrum keeps the trace */
static void test_task_round_trip(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_RELU_NTK;
    p.dim = 3;
    p.depth = 2;
    p.lmax = 200;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    slt_task *t;
    double left;
    assert_ok(slt_kernels_task(s, NULL, 0.0, 1000000, &t, &left));
    assert_close((double)slt_task_modes(t), 201.0 * 201.0, 0, 0); /* Σ_{ℓ<=200}(2ℓ+1) */
    char path[] = "/tmp/slt_test_kernels_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    size_t levels;
    double modes, left_err;
    assert_ok(slt_kernels_save(s, NULL, NULL, path, &levels, &modes, &left, &left_err));
    assert_int_equal(levels, 201);                     /* one level per degree, none cut */
    assert_close(modes, 201.0 * 201.0, 0, 0);
    /* every computed level is in the task: what is left out is the power past lmax,
     * k(1) − trace; independently, the eigenvalues of degrees 201..4000 of the same
     * kernel plus that spectrum's own tail estimate */
    {
        slt_kernels_params p2 = p;
        p2.lmax = 4000;
        slt_kernels_spectrum *s2 = spectrum(p2, NULL);
        double ref = s2->trace_tail, ref_err = s2->trace_tail_err + s2->trace_err;
        for (size_t l = 201; l <= 4000; l++) ref += s2->levels[l].mult * s2->levels[l].mu;
        assert_close(left, ref, 0, left_err + ref_err);
        assert_true(left > 1e-4); /* not 0, as before the fix */
        slt_kernels_spectrum_free(s2);
    }
    slt_task *r;
    assert_ok(slt_task_read_file(path, 0.0, &r));
    assert_int_equal(slt_task_modes(r), (size_t)modes);
    assert_int_equal(slt_task_levels(r), levels);
    double kappas[] = {1e-6, 1e-3, 0.1};
    for (int i = 0; i < 3; i++) {
        slt_sum a, b;
        assert_ok(slt_sum_df(t, kappas[i], &a));
        assert_ok(slt_sum_df(r, kappas[i], &b));
        assert_close(b.value, a.value, TOL_ROUNDING_SUM, 0); /* 17 digits written: identical sums */
        assert_ok(slt_sum_kt1(t, kappas[i], &a));
        assert_ok(slt_sum_kt1(r, kappas[i], &b));
        assert_close(b.value, a.value, TOL_ROUNDING_SUM, 0);
    }
    /* isotropic teacher: Σ t = Σ λ = the trace of the levels kept */
    slt_sum tot;
    assert_ok(slt_sum_target(r, &tot));
    assert_close(tot.value, s->trace, TOL_ROUNDING_COND, 0);
    unlink(path);
    slt_task_free(t);
    slt_task_free(r);
    slt_kernels_spectrum_free(s);
}

/* circle target Σ k^{-q} cos kθ: level power n^{-2q}/2 by Fourier projection */
static double fourier_target(double th, void *ctx)
{
    double q = *(double *)ctx, acc = 0;
    for (int k = 2000; k >= 1; k--) acc += pow(k, -q) * cos(k * th);
    return acc;
}

static void test_target_circle(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.domain = SLT_DOMAIN_TORUS;
    p.dim = 1;
    p.kernel = SLT_KERNEL_VON_MISES;
    p.lmax = 30;
    slt_kernels_workspace *ws;
    slt_kernels_spectrum *s = spectrum(p, &ws);
    double q = 2.5, pw[64], pe[64];
    assert_ok(slt_kernels_target_power(ws, s, fourier_target, &q, pw, pe));
    for (size_t i = 1; i < s->n_levels; i++) {
        double n = s->levels[i].wave[0];
        /* the 2000-term partial sum is the exact target (coefficients n^-q); its |θ|^(q−1)
         * cusp limits the projection to ~1e-8 relative; the estimate must cover the error */
        assert_close(pw[i], 0.5 * pow(n, -2 * q), TOL_ASYMPTOTIC, 0);
        assert_close(pw[i], 0.5 * pow(n, -2 * q), 0, pe[i] + 1e-16 * pw[i]);
    }
    assert_close(pw[0], 0.0, 0, 1e-20);
    slt_kernels_spectrum_free(s);
    slt_kernels_free(ws);
}


/* ---- the target's power past lmax, the source exponent ------------------------------ */

/* |value − ref| within the reported error plus the reference's own rounding (ref_slack) */
static void check_within(double v, double err, double ref, double ref_slack, const char *what)
{
    assert_within(what, v, err, ref, ref_slack);
    assert_err_at_most(what, err, 1e-6 * fabs(ref) + 1e-300); /* and the estimate is useful */
}

/* Power-law target ℓ^{-q} on the sphere: level power ℓ^{-2q}/N(d,ℓ); its power past lmax in
 * closed form by digamma functions (partial fractions), split by the kernel's parity zeros.
 * d = 3, q = 1: 1/(ℓ²(2ℓ+1)) = 1/ℓ² − 2/ℓ + 4/(2ℓ+1), so Σ_{ℓ>=M} = ψ1(M) − 2[ψ(M+½) − ψ(M)];
 * even ℓ = 2m: 1/(4m²(4m+1)) → ¼{ψ1(M) − 4[ψ(M+¼) − ψ(M)]} over m >= M.
 * d = 4, q = 1: N = (ℓ+1)², Σ_{ℓ>=M} 1/(ℓ²(ℓ+1)²) = ψ1(M) + ψ1(M+1) − 2/M.
 * d = 2: N = 2, Σ_{ℓ>=M} ℓ^{-2q}/2 = ζ(2q, M)/2 (Hurwitz). */
static void test_power_law_target_sphere(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_RELU_NTK; /* one layer: odd ℓ >= 3 are parity zeros */
    p.dim = 3;
    p.lmax = 100;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    double pw[128], pe[128];
    assert_ok(slt_kernels_target_power_law(s, 1.0, pw, pe));
    assert_close(pw[0], 0.0, 0, 0);
    for (size_t l = 1; l <= 100; l++) { /* ℓ^{-2}/(2ℓ+1): a few roundings, within power_err */
        double ref = 1.0 / ((double)l * l * (2.0 * l + 1.0));
        assert_close(pw[l], ref, TOL_ROUNDING, 0);
        assert_close(pw[l], ref, 0, pe[l] + 2.2e-16 * ref);
    }
    slt_kernels_beyond b;
    assert_ok(slt_kernels_beyond_power_law(s, 1.0, &b));
    double M = 101, total = gsl_sf_psi_1(M) - 2.0 * (gsl_sf_psi(M + 0.5) - gsl_sf_psi(M));
    double Me = 51, even = 0.25 * (gsl_sf_psi_1(Me) - 4.0 * (gsl_sf_psi(Me + 0.25) - gsl_sf_psi(Me)));
    /* the digamma differences cancel ~3 digits: reference rounding 1e-12 relative */
    check_within(b.learnable, b.learnable_err, even, 1e-12 * total, "d=3 even ell > 100");
    check_within(b.null, b.null_err, total - even, 1e-12 * total, "d=3 odd ell > 100");
    slt_kernels_spectrum_free(s);
    /* d = 4, a kernel without parity zeros: everything past lmax is learnable */
    p.kernel = SLT_KERNEL_LAPLACE;
    p.dim = 4;
    p.lmax = 60;
    s = spectrum(p, NULL);
    assert_ok(slt_kernels_target_power_law(s, 1.0, pw, pe));
    assert_close(pw[7], 1.0 / (49.0 * 64.0), TOL_ROUNDING, 0); /* a few roundings */
    assert_ok(slt_kernels_beyond_power_law(s, 1.0, &b));
    M = 61;
    double ref4 = gsl_sf_psi_1(M) + gsl_sf_psi_1(M + 1) - 2.0 / M;
    check_within(b.learnable, b.learnable_err, ref4, 1e-11 * ref4, "d=4 ell > 60"); /* 2/M cancels ~4 digits */
    assert_close(b.null, 0.0, 0, 0);
    slt_kernels_spectrum_free(s);
    /* d = 2 (the circle as S^1), q = 0.75 */
    p.dim = 2;
    p.lmax = 50;
    s = spectrum(p, NULL);
    assert_ok(slt_kernels_beyond_power_law(s, 0.75, &b));
    double ref2 = 0.5 * gsl_sf_hzeta(1.5, 51.0);
    check_within(b.learnable, b.learnable_err, ref2, 1e-14 * ref2, "d=2 ell > 50");
    slt_kernels_spectrum_free(s);
}

/* Power-law target |n|^{-2q}/4 per mode on the torus: the power past the levels is
 * ¼ Σ_{n≠0}|n|^{-2q} − Σ_levels. References: d = 1 ζ(2q, L+1)/2; d = 2
 * Σ_{n≠0}|n|^{-2s} = 4ζ(s)β(s), β(s) = 4^{-s}[ζ(s,¼) − ζ(s,¾)] (Dirichlet beta); d = 3 the
 * simple-cubic lattice sums Σ|n|^{-6} = 8.40192397482 (the Lennard-Jones constant A6,
 * 12 digits; reproduced here by a ball sum to |n| = 120 plus its integral tail) and
 * Σ|n|^{-12} by a direct sum over |n_i| <= 30 (the rest < 4π·30^{-9}/9 < 1e-13). */
static void test_power_law_target_torus(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.domain = SLT_DOMAIN_TORUS;
    p.kernel = SLT_KERNEL_VON_MISES;
    p.dim = 1;
    p.lmax = 30;
    slt_kernels_spectrum *s = spectrum(p, NULL);
    slt_kernels_beyond b;
    assert_ok(slt_kernels_beyond_power_law(s, 1.0, &b));
    double ref = 0.5 * gsl_sf_hzeta(2.0, 31.0);
    /* total − head cancels: ζ(2)/2 ≈ 0.8 against a rest of 0.016, ~2 digits */
    check_within(b.learnable, b.learnable_err, ref, 1e-14, "T^1");
    slt_kernels_spectrum_free(s);
    double *pw = malloc(4096 * sizeof(double));
    for (int d = 2; d <= 3; d++) {
        p.dim = d;
        p.lmax = d == 2 ? 6 : 4;
        s = spectrum(p, NULL);
        double q = d == 2 ? 1.5 : 3.0, have = 0;
        assert_ok(slt_kernels_target_power_law(s, q, pw, NULL));
        for (size_t i = 0; i < s->n_levels; i++) have += pw[i];
        assert_ok(slt_kernels_beyond_power_law(s, q, &b));
        double Z = d == 2 ? 4.0 * gsl_sf_zeta(q) * pow(4.0, -q) * (gsl_sf_hzeta(q, 0.25) - gsl_sf_hzeta(q, 0.75))
                          : 8.40192397482;
        /* published A6 has 12 digits: 1e-11 absolute; 4ζβ: GSL rounding ~1e-14 */
        check_within(b.learnable, b.learnable_err, 0.25 * Z - have, d == 2 ? 1e-13 : 1e-11, "T^d");
        slt_kernels_spectrum_free(s);
    }
    /* T^3, q = 6 against the direct sum */
    s = spectrum(p, NULL);
    long double z = 0.0L;
    for (int a = -30; a <= 30; a++)
        for (int c = -30; c <= 30; c++)
            for (int e = -30; e <= 30; e++) {
                long n2 = (long)a * a + (long)c * c + (long)e * e;
                if (n2) z += powl((long double)n2, -6.0L);
            }
    double have = 0;
    assert_ok(slt_kernels_target_power_law(s, 6.0, pw, NULL));
    for (size_t i = 0; i < s->n_levels; i++) have += pw[i];
    assert_ok(slt_kernels_beyond_power_law(s, 6.0, &b));
    check_within(b.learnable, b.learnable_err, 0.25 * (double)z - have, 1e-13, "T^3 q=6");
    slt_kernels_spectrum_free(s);
    free(pw);
    /* q <= d/2 on T²: the power-law target has infinite power */
    p.dim = 2;
    p.lmax = 4;
    s = spectrum(p, NULL);
    double pw2[64];
    assert_status(slt_kernels_target_power_law(s, 1.0, pw2, NULL), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "q = 1"));
    assert_status(slt_kernels_beyond_power_law(s, 1.0, &b), SLT_EINVAL);
    slt_kernels_spectrum_free(s);
}

/* the circle target Σ_{k>=1} cos(kθ)/k² = π²/6 − πθ/2 + θ²/4 on [0, 2π] (a polynomial on
 * [0, π]: the quadrature is exact), level power n^{-4}/2 */
static double clausen2(double th, void *ctx)
{
    (void)ctx;
    return M_PI * M_PI / 6.0 - 0.5 * M_PI * th + 0.25 * th * th;
}

static double source_beta(slt_kernels_spectrum *s, const double *pw, const double *pe,
                          const slt_kernels_beyond *b, double *alpha, double *beta_err)
{
    slt_kernels_fit f;
    assert_ok(slt_kernels_fit_decay(s, NULL, &f));
    double beta;
    assert_ok(slt_kernels_fit_source(s, pw, pe, b, &f, &beta, beta_err));
    *alpha = f.alpha;
    return beta;
}

/* The source exponent of a power-law target (docs/theory/kernels.md §3): the tail of level power
 * ℓ^{-2q}/N(d,ℓ) over the flattened index k ~ ℓ^{d−1} gives αβ = (2q + d − 3)/(d − 1)
 * (= q on S², the q/α of the review); on the circle n^{-2q}/2 over k ~ 2n gives
 * αβ = 2q − 1. Exact α: s/(d − 1) with s = d (NTK, Laplace), 2 on the circle (periodic
 * Laplace λ_n ∝ 1/(n² + c²)). The reported error must cover the exact β, and be small
 * enough to tell it from the biased values of the old fit (0.926 for q/α = 0.667). */
static void test_fit_source(void **state)
{
    (void)state;
    struct { slt_kernel_type k; int d, depth; size_t lmax; double q, alpha; } sph[] = {
        {SLT_KERNEL_RELU_NTK, 3, 1, 200, 1.0, 1.5},
        {SLT_KERNEL_RELU_NTK, 3, 1, 200, 1.5, 1.5},
        {SLT_KERNEL_RELU_NTK, 3, 2, 200, 1.0, 1.5}, /* all degrees, interleaved levels */
        {SLT_KERNEL_LAPLACE, 4, 1, 300, 0.8, 4.0 / 3.0},
    };
    for (size_t c = 0; c < sizeof sph / sizeof *sph; c++) {
        slt_kernels_params p = slt_kernels_params_default();
        p.kernel = sph[c].k;
        p.dim = sph[c].d;
        p.depth = sph[c].depth;
        p.lmax = sph[c].lmax;
        slt_kernels_spectrum *s = spectrum(p, NULL);
        double *pw = malloc(s->n_levels * sizeof(double)), *pe = malloc(s->n_levels * sizeof(double));
        assert_ok(slt_kernels_target_power_law(s, sph[c].q, pw, pe));
        slt_kernels_beyond b;
        assert_ok(slt_kernels_beyond_power_law(s, sph[c].q, &b));
        double alpha, err, beta = source_beta(s, pw, pe, &b, &alpha, &err);
        double exact = (2.0 * sph[c].q + p.dim - 3.0) / (p.dim - 1.0) / sph[c].alpha;
        print_message("sphere d=%d %s depth %d q=%g: beta %.5f +- %.5f, exact %.5f\n", p.dim,
                      slt_kernel_name(p.kernel), p.depth, sph[c].q, beta, err, exact);
        assert_close(beta, exact, 0, err);
        assert_true(err < 0.03); /* the old bias was 0.26–0.41: ~10 error bars */
        /* without the power past lmax the tail sums are cut off: refused, not biased */
        assert_status(slt_kernels_fit_source(s, pw, pe, NULL, &(slt_kernels_fit){.alpha = 1}, &beta, &err),
                      SLT_EINVAL);
        free(pw);
        free(pe);
        slt_kernels_spectrum_free(s);
    }
    /* circle: periodic Laplace (α = 2), power-law targets q = 1, 1.5 and the table target
     * Σ cos(kθ)/k² (q = 2) through its Fourier coefficients and Parseval */
    slt_kernels_params p = slt_kernels_params_default();
    p.domain = SLT_DOMAIN_TORUS;
    p.kernel = SLT_KERNEL_LAPLACE;
    p.dim = 1;
    p.lmax = 400;
    p.rel_tol = 1e-2; /* the kink of the periodic Laplace kernel: aliasing ~ G^-2 */
    slt_kernels_workspace *ws;
    slt_kernels_spectrum *s = spectrum(p, &ws);
    double *pw = malloc(s->n_levels * sizeof(double)), *pe = malloc(s->n_levels * sizeof(double));
    for (int t = 0; t < 3; t++) {
        double q = t == 0 ? 1.0 : t == 1 ? 1.5 : 2.0;
        slt_kernels_beyond b;
        if (t < 2) {
            assert_ok(slt_kernels_target_power_law(s, q, pw, pe));
            assert_ok(slt_kernels_beyond_power_law(s, q, &b));
        } else {
            assert_ok(slt_kernels_target_power(ws, s, clausen2, NULL, pw, pe));
            assert_ok(slt_kernels_beyond_target(ws, s, clausen2, NULL, pw, pe, &b));
            /* Parseval's rest against the closed form Σ_{n>400} n^{-4}/2 */
            double ref = 0.5 * gsl_sf_hzeta(4.0, 401.0);
            assert_close(b.learnable, ref, 0, b.learnable_err);
            assert_true(b.learnable_err < 0.01 * ref);
        }
        double alpha, err, beta = source_beta(s, pw, pe, &b, &alpha, &err);
        double exact = (2.0 * q - 1.0) / 2.0;
        print_message("circle q=%g: beta %.5f +- %.5f, exact %.5f\n", q, beta, err, exact);
        assert_close(beta, exact, 0, err);
        assert_true(err < 0.03); /* the old fit: 0.910 for 0.5 */
    }
    free(pw);
    free(pe);
    slt_kernels_spectrum_free(s);
    slt_kernels_free(ws);
}

/* Torus tasks on T², T³ have no gaps: every mode of Z^d whose exact eigenvalue exceeds the
 * smallest flattened one is among the flattened levels (counted with multiplicity), and
 * every mode above τ = λ_1(lmax+1)·λ_1(0)^{d−1} (the largest outside the cube) is kept.
 * Exact 1-D coefficients: periodic Laplace c tanh(πc)/(π(n² + c²)), von Mises
 * e^{-κ}I_n(κ). Before the fix the T² Laplace task at lmax = 10 held (7,7) (λ ∝ 1/2500)
 * but not (11,0) (∝ 1/122). */
static double lap1(int n, double c) { return c / M_PI * tanh(M_PI * c) / ((double)n * n + c * c); }

static void test_torus_no_gaps(void **state)
{
    (void)state;
    for (int c = 0; c < 2; c++) {
        slt_kernels_params p = slt_kernels_params_default();
        p.domain = SLT_DOMAIN_TORUS;
        p.kernel = c == 0 ? SLT_KERNEL_LAPLACE : SLT_KERNEL_VON_MISES;
        p.dim = c == 0 ? 2 : 3;
        p.lmax = c == 0 ? 10 : 5;
        p.width = 1.0;
        if (c == 0) p.rel_tol = 1e-2; /* Laplace: aliasing-limited grid (kink) */
        slt_kernels_spectrum *s = spectrum(p, NULL);
        int d = p.dim, B = 40; /* the box |n_i| <= 40 holds every mode above λ_min here */
        double lam1[64];
        for (int n = 0; n <= B + 1; n++)
            lam1[n] = c == 0 ? lap1(n, 1.0) : gsl_sf_bessel_In_scaled(n, 1.0);
        slt_kernels_flat_level *fl;
        size_t nf;
        assert_ok(slt_kernels_flatten(s, &fl, &nf));
        double lmin = INFINITY, kept = 0;
        for (size_t i = 0; i < nf; i++) {
            const slt_kernels_level *L = &s->levels[fl[i].level];
            double ex = 1;
            for (int j = 0; j < d; j++) ex *= lam1[L->wave[j]];
            /* the computed value is the exact one within its error (Laplace: ~1e-3) */
            assert_close(L->mu, ex, 0, L->mu_err + 1e-15 * ex);
            lmin = fmin(lmin, ex);
            kept += L->mult;
        }
        double tau = lam1[p.lmax + 1] * pow(lam1[0], d - 1);
        assert_true(lmin > tau);
        /* count the modes of the box above the smallest kept one (ties: relative 1e-9) */
        double above = 0, above_tau = 0;
        for (int a = -B; a <= B; a++)
            for (int b = -B; b <= B; b++)
                for (int e = (d == 3 ? -B : 0); e <= (d == 3 ? B : 0); e++) {
                    double ex = lam1[abs(a)] * lam1[abs(b)] * (d == 3 ? lam1[abs(e)] : 1.0);
                    if (ex >= lmin * (1 - 1e-9)) above++;
                    if (ex > tau * (1 + 1e-9)) above_tau++;
                }
        assert_close(kept, above, 0, 0);
        assert_close(kept, above_tau, 0, 0);
        /* the saved task: exactly those modes, eigenvalues non-increasing */
        slt_task *t;
        double left;
        assert_ok(slt_kernels_task(s, NULL, 0.0, 1000000, &t, &left));
        assert_close((double)slt_task_modes(t), kept, 0, 0);
        slt_task_free(t);
        free(fl);
        slt_kernels_spectrum_free(s);
    }
}

/* Gaussian data, d = 2, 3, 6 (isotropic, s_x² = ℓ_k² = 1): the analytic spectrum of
 * docs/theory/kernels.md §5 has value (2a/A)^{d/2} B^k with multiplicity C(k+d−1, d−1) for every
 * total degree k whose group lies within the n eigenvalues (n = 400); an anisotropic
 * covariance against a brute-force enumeration. Before the fix d = 6 gave 55 and 119 for
 * C(8,5) = 56 and C(9,5) = 126. Also the block standard error is that of the block mean
 * over the samples: equal to a recomputation from per-sample means is not possible from
 * outside, so check what it must satisfy: SE(mean of block) <= mean of the per-eigenvalue
 * SEs (Minkowski), and the block means are the means of the averaged eigenvalues. */
static void test_gaussian_data_dims(void **state)
{
    (void)state;
    int dims[] = {2, 3, 6};
    double a = 0.25, bb = 0.5, cc = sqrt(a * a + 2 * a * bb), A = a + bb + cc, B = bb / A;
    for (int t = 0; t < 3; t++) {
        int d = dims[t];
        slt_kernels_params p = slt_kernels_params_default();
        p.kernel = SLT_KERNEL_GAUSSIAN;
        p.dim = d;
        p.lmax = 4;
        slt_kernels_workspace *ws;
        assert_ok(slt_kernels_alloc(&p, &ws));
        slt_kernels_empirical_params ep = slt_kernels_empirical_params_default();
        ep.n = 400;
        ep.repeats = 4;
        slt_kernels_empirical *e;
        assert_ok(slt_kernels_empirical_compute(ws, SLT_DATA_GAUSSIAN, &ep, NULL, &e));
        double k_first = 1;
        size_t groups = 0;
        for (size_t k = 0; k < e->n_gauss; k++) {
            double mult = round(gsl_sf_choose((unsigned)(k + d - 1), (unsigned)(d - 1)));
            if (k_first + mult - 1 > ep.n) break;
            assert_close(e->gauss_mult[k], mult, 0, 0);
            /* products of ~d + k factors: 1e-14 relative */
            assert_close(e->gauss_value[k], pow(2 * a / A, 0.5 * d) * pow(B, (double)k),
                         TOL_ROUNDING_SUM, 0);
            k_first += mult;
            groups++;
        }
        assert_true(groups >= 3);
        /* the group straddling n = 400 is complete too */
        assert_true(e->n_gauss > groups);
        assert_close(e->gauss_mult[groups], round(gsl_sf_choose((unsigned)(groups + d - 1), (unsigned)(d - 1))), 0, 0);
        /* blocks: one per complete group, means and their standard errors */
        assert_int_equal(e->n_blocks, groups);
        for (size_t b = 0; b < e->n_blocks; b++) {
            size_t first = (size_t)e->block_first[b] - 1, cnt = (size_t)e->gauss_mult[e->block_level[b]];
            double m = 0, se = 0;
            for (size_t j = 0; j < cnt; j++) {
                m += e->eig[first + j] / cnt;
                se += e->eig_se[first + j] / cnt;
            }
            /* the same numbers summed in another order */
            assert_close(e->block_mean[b], m, TOL_ROOT, 0);
            assert_true(e->block_se[b] > 0 && e->block_se[b] <= se * (1 + 1e-12));
        }
        slt_kernels_empirical_free(e);
        slt_kernels_free(ws);
    }
    /* anisotropic covariance (1, 0.5, 0.2): top 300 values against all k_i <= 60 sorted */
    slt_kernels_params p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.dim = 3;
    slt_kernels_workspace *ws;
    assert_ok(slt_kernels_alloc(&p, &ws));
    double cov[3] = {1.0, 0.5, 0.2}, base = 1, Bi[3];
    for (int i = 0; i < 3; i++) {
        double ai = 1 / (4 * cov[i]), ci = sqrt(ai * ai + 2 * ai * bb), Ai = ai + bb + ci;
        base *= sqrt(2 * ai / Ai);
        Bi[i] = bb / Ai;
    }
    size_t nb = 61 * 61 * 61, k = 0;
    double *all = malloc(nb * sizeof(double));
    for (int i = 0; i <= 60; i++)
        for (int j = 0; j <= 60; j++)
            for (int l = 0; l <= 60; l++) all[k++] = base * pow(Bi[0], i) * pow(Bi[1], j) * pow(Bi[2], l);
    qsort(all, nb, sizeof(double), cmp_desc);
    slt_kernels_empirical_params ep = slt_kernels_empirical_params_default();
    ep.n = 300;
    ep.cov = cov;
    slt_kernels_empirical *e;
    assert_ok(slt_kernels_empirical_compute(ws, SLT_DATA_GAUSSIAN, &ep, NULL, &e));
    k = 0;
    for (size_t g = 0; g < e->n_gauss && k < 300; g++)
        for (size_t j = 0; j < (size_t)e->gauss_mult[g]; j++, k++)
            assert_close(e->gauss_value[g], all[k], TOL_ROOT, 0); /* groups tie within 1e-12 */
    assert_true(k >= 300);
    free(all);
    slt_kernels_empirical_free(e);
    slt_kernels_free(ws);
}

/* slt_kernels_flatten from two threads at once on different spectra (it used a file-level
 * pointer for qsort: 39 of 300 results were unsorted). Synthetic spectra of 3000 levels
 * with unrelated random eigenvalues; each result must be sorted by its own spectrum. */
static void test_flatten_threads(void **state)
{
    (void)state;
    slt_kernels_spectrum *sp[2];
    for (int t = 0; t < 2; t++) {
        sp[t] = calloc(1, sizeof(slt_kernels_spectrum));
        sp[t]->n_levels = 3000;
        sp[t]->levels = calloc(3000, sizeof(slt_kernels_level));
        unsigned long x = 12345 + 999 * (unsigned long)t;
        for (size_t i = 0; i < 3000; i++) {
            x = x * 6364136223846793005UL + 1442695040888963407UL;
            sp[t]->levels[i].mu = (double)(x >> 11) / 9007199254740992.0 + 1e-3;
            sp[t]->levels[i].mult = 1;
            sp[t]->levels[i].degree = i;
        }
    }
    int bad = 0;
#pragma omp parallel for num_threads(2) schedule(static, 1) reduction(+ : bad)
    for (int r = 0; r < 400; r++) {
        const slt_kernels_spectrum *s = sp[r % 2];
        slt_kernels_flat_level *fl = NULL;
        size_t nf = 0;
        if (slt_kernels_flatten(s, &fl, &nf) || nf != 3000) {
            bad++;
        } else {
            for (size_t i = 1; i < nf; i++)
                if (s->levels[fl[i].level].mu > s->levels[fl[i - 1].level].mu) {
                    bad++;
                    break;
                }
        }
        free(fl);
    }
    assert_int_equal(bad, 0);
    for (int t = 0; t < 2; t++) {
        free(sp[t]->levels);
        free(sp[t]);
    }
}

/* a first level with more modes than max_modes is EDOM, and the message names its size
 * (the count used to be read from the flattened list after it was freed: a
 * use-after-free that the sanitized build, make check-asan, reports) */
static void test_task_first_level_too_big(void **state)
{
    (void)state;
    slt_kernels_level L = {.degree = 1, .mult = 3.0, .log_mult = log(3.0), .mu = 1.0,
                           .mu_err = 0.0, .norm2 = 1};
    slt_kernels_spectrum s = {.n_levels = 1, .levels = &L};
    s.params = slt_kernels_params_default();
    slt_task *t = NULL;
    double left = -1.0;
    assert_status(slt_kernels_task(&s, NULL, 0.0, 2, &t, &left), SLT_EDOM);
    assert_null(t);
    assert_non_null(strstr(slt_last_error(), "the first level has 3 modes"));
}

static void test_invalid(void **state)
{
    (void)state;
    slt_kernels_params p = slt_kernels_params_default();
    p.dim = 1;
    assert_status(slt_kernels_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "dim = 1"));
    p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_VON_MISES;
    assert_status(slt_kernels_params_check(&p), SLT_EINVAL);
    p = slt_kernels_params_default();
    p.domain = SLT_DOMAIN_TORUS;
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.dim = 4;
    assert_status(slt_kernels_params_check(&p), SLT_EINVAL);
    p = slt_kernels_params_default();
    p.kernel = SLT_KERNEL_GAUSSIAN;
    p.width = -1;
    assert_status(slt_kernels_params_check(&p), SLT_EINVAL);
    assert_non_null(strstr(slt_last_error(), "width"));
    slt_kernels_free(NULL);
    slt_kernels_spectrum_free(NULL);
    slt_kernels_empirical_free(NULL);
    /* multiplicities N(5,ℓ) = 1, 5, 14, 30, 55, 91, 140 and N(d,1) = d */
    double ref[] = {1, 5, 14, 30, 55, 91, 140}, m, lm;
    for (size_t l = 0; l < 7; l++) {
        assert_ok(slt_kernels_multiplicity(5, l, &m, &lm));
        assert_close(m, ref[l], 0, 0);
        assert_close(lm, log(ref[l]), TOL_ROUNDING_SUM, TOL_ROUNDING);
    }
    assert_ok(slt_kernels_multiplicity(1000, 10000, &m, &lm));
    assert_true(isinf(m) && isfinite(lm) && lm > 700);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gaussian_bessel),
        cmocka_unit_test(test_gaussian_narrow),
        cmocka_unit_test(test_fit_power_law_flag),
        cmocka_unit_test(test_exact_fractions),
        cmocka_unit_test(test_arccos0_all_degrees),
        cmocka_unit_test(test_published_ntk),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_decay_rates),
        cmocka_unit_test(test_endpoint_bars_d100),
        cmocka_unit_test(test_torus_closed_forms),
        cmocka_unit_test(test_gaussian_data),
        cmocka_unit_test(test_empirical_gram),
        cmocka_unit_test(test_task_round_trip),
        cmocka_unit_test(test_target_circle),
        cmocka_unit_test(test_power_law_target_sphere),
        cmocka_unit_test(test_power_law_target_torus),
        cmocka_unit_test(test_fit_source),
        cmocka_unit_test(test_torus_no_gaps),
        cmocka_unit_test(test_gaussian_data_dims),
        cmocka_unit_test(test_flatten_threads),
        cmocka_unit_test(test_task_first_level_too_big),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
