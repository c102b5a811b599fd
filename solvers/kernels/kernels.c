/* Kernel-spectra solver: names, parameters, workspace, pointwise kernels, multiplicities
 * and the exact Funk–Hecke transform of (1 − t)^ν. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "kernels_internal.h"
#include "slt/status.h"

static const char *domain_names[] = {"sphere", "torus"};

const char *slt_kernel_name(slt_kernel_type kernel)
{
    const slt_kernel_info *k = slt_kernel_info_get(kernel);
    return k ? k->name : "unknown";
}

int slt_kernel_parse(const char *name, slt_kernel_type *kernel)
{
    for (size_t i = 0; name && i < slt_kernel_count(); i++) {
        const slt_kernel_info *k = slt_kernel_info_get((slt_kernel_type)i);
        if (k && strcmp(name, k->name) == 0) {
            *kernel = k->type;
            return SLT_OK;
        }
    }
    char all[256];
    slt_kernel_list(all, sizeof all, 0, 0, ", ", " or ");
    return slt_error(SLT_EINVAL, "kernel '%s' is unknown (expected %s)", name ? name : "(null)",
                     all);
}

const char *slt_domain_name(slt_domain domain)
{
    return (unsigned)domain < 2 ? domain_names[domain] : "unknown";
}

int slt_domain_parse(const char *name, slt_domain *domain)
{
    for (int i = 0; name && i < 2; i++)
        if (strcmp(name, domain_names[i]) == 0) {
            *domain = (slt_domain)i;
            return SLT_OK;
        }
    return slt_error(SLT_EINVAL, "domain '%s' is unknown (expected sphere or torus)",
                     name ? name : "(null)");
}

int slt_kernel_on_domain(slt_kernel_type k, slt_domain d)
{
    const slt_kernel_info *info = slt_kernel_info_get(k);
    return info && (unsigned)d <= SLT_DOMAIN_TORUS && (info->domains & SLT_KERNEL_ON(d)) != 0;
}

const char *slt_kernels_method_name(slt_kernels_method m)
{
    switch (m) {
    case SLT_KMETHOD_QUADRATURE: return "quadrature";
    case SLT_KMETHOD_ENDPOINT: return "endpoint";
    case SLT_KMETHOD_SERIES: return "series";
    case SLT_KMETHOD_FFT: return "fft";
    case SLT_KMETHOD_BESSEL: return "bessel";
    default: return "none";
    }
}

slt_kernels_params slt_kernels_params_default(void)
{
    slt_kernels_params p = {.kernel = SLT_KERNEL_RELU_NTK, .domain = SLT_DOMAIN_SPHERE,
                            .dim = 3, .depth = 1, .width = 1.0, .offset = 1.0,
                            .poly_degree = 2, .lmax = 100, .rel_tol = 1e-12,
                            .table_x = NULL, .table_k = NULL, .table_n = 0};
    return p;
}

int slt_kernels_params_check(const slt_kernels_params *p)
{
    static const char *where = "slt_kernels_params";
    if (!p) return slt_error(SLT_EINVAL, "%s: parameters are NULL", where);
    const slt_kernel_info *k = slt_kernel_info_get(p->kernel);
    if (!k)
        return slt_error(SLT_EINVAL, "%s: kernel = %d is not a kernel type", where, (int)p->kernel);
    if ((unsigned)p->domain > SLT_DOMAIN_TORUS)
        return slt_error(SLT_EINVAL, "%s: domain = %d is not a domain", where, (int)p->domain);
    if (!slt_kernel_on_domain(p->kernel, p->domain)) {
        char on_sphere[256], on_torus[256];
        slt_kernel_list(on_sphere, sizeof on_sphere, SLT_KERNEL_ON(SLT_DOMAIN_SPHERE), 0, ", ",
                        ", ");
        slt_kernel_list(on_torus, sizeof on_torus, SLT_KERNEL_ON(SLT_DOMAIN_TORUS), 0, ", ", ", ");
        return slt_error(SLT_EINVAL, "%s: kernel %s is not defined on the %s (sphere: %s; "
                         "torus: %s)", where, k->name, slt_domain_name(p->domain), on_sphere,
                         on_torus);
    }
    int rc;
    if (p->domain == SLT_DOMAIN_SPHERE) {
        if ((rc = slt_check_range(where, "dim", p->dim, 2, 0, 1000, 0))) return rc;
        if (p->lmax > SLT_KERNELS_LMAX_MAX)
            return slt_error(SLT_EINVAL, "%s: lmax = %zu is out of range (expected lmax <= "
                             "100000 on the sphere)", where, p->lmax);
    } else {
        if ((rc = slt_check_range(where, "dim", p->dim, 1, 0, 3, 0))) return rc;
        size_t cap = p->dim == 1 ? 4096 : p->dim == 2 ? 256 : 48;
        if (p->lmax > cap)
            return slt_error(SLT_EINVAL, "%s: lmax = %zu is out of range (expected lmax <= %zu "
                             "on the %d-torus)", where, p->lmax, cap, p->dim);
    }
    if ((k->params & SLT_KPARAM_DEPTH) &&
        (rc = slt_check_range(where, "depth", p->depth, 1, 0, 64, 0)))
        return rc;
    if ((k->params & SLT_KPARAM_WIDTH) &&
        (rc = slt_check_range(where, "width", p->width, 0.0, 1, INFINITY, 1)))
        return rc;
    if ((k->params & SLT_KPARAM_WIDTH) && k->sphere_min_width > 0 &&
        p->domain == SLT_DOMAIN_SPHERE &&
        (rc = slt_check_range(where, "width", p->width, k->sphere_min_width, 0, INFINITY, 1)))
        return rc;
    if (k->params & SLT_KPARAM_POLY) {
        if ((rc = slt_check_range(where, "offset", p->offset, 0.0, 0, INFINITY, 1))) return rc;
        if ((rc = slt_check_range(where, "poly_degree", p->poly_degree, 1, 0, 1000, 0))) return rc;
    }
    if ((rc = slt_check_range(where, "rel_tol", p->rel_tol, 1e-15, 0, 1e-2, 0))) return rc;
    if (k->params & SLT_KPARAM_TABLE) {
        if (!p->table_x || !p->table_k || p->table_n < 4)
            return slt_error(SLT_EINVAL, "%s: table_n = %zu: a table kernel needs >= 4 points",
                             where, p->table_x && p->table_k ? p->table_n : 0);
        double lo = p->domain == SLT_DOMAIN_SPHERE ? -1.0 : 0.0;
        double hi = p->domain == SLT_DOMAIN_SPHERE ? 1.0 : M_PI;
        const char *var = p->domain == SLT_DOMAIN_SPHERE ? "t" : "delta";
        for (size_t i = 0; i < p->table_n; i++) {
            if (!isfinite(p->table_x[i]) || !isfinite(p->table_k[i]))
                return slt_error(SLT_EINVAL, "%s: table point %zu is not finite", where, i + 1);
            if (i > 0 && !(p->table_x[i] > p->table_x[i - 1]))
                return slt_error(SLT_EINVAL, "%s: table %s_%zu = %.17g is not above %s_%zu = %.17g "
                                 "(expected strictly increasing)", where, var, i + 1,
                                 p->table_x[i], var, i, p->table_x[i - 1]);
        }
        double tol = 1e-9;
        if (fabs(p->table_x[0] - lo) > tol || fabs(p->table_x[p->table_n - 1] - hi) > tol)
            return slt_error(SLT_EINVAL, "%s: table covers %s in [%.17g, %.17g] (expected the "
                             "whole range [%g, %.17g])", where, var, p->table_x[0],
                             p->table_x[p->table_n - 1], lo, hi);
    }
    return SLT_OK;
}

/* cubic splines of the table in θ (sphere) or δ (torus) */
static int table_setup(slt_kernels_workspace *ws)
{
    const slt_kernels_params *p = &ws->p;
    size_t n = p->table_n;
    ws->tab_x = malloc(n * sizeof(double));
    ws->tab_k = malloc(n * sizeof(double));
    if (!ws->tab_x || !ws->tab_k) return SLT_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (p->domain == SLT_DOMAIN_SPHERE) { /* θ increasing: reverse the t order */
            double t = p->table_x[n - 1 - i];
            t = fmax(-1.0, fmin(1.0, t));
            ws->tab_x[i] = acos(t);
            ws->tab_k[i] = p->table_k[n - 1 - i];
        } else {
            ws->tab_x[i] = p->table_x[i];
            ws->tab_k[i] = p->table_k[i];
        }
    }
    if (p->domain == SLT_DOMAIN_SPHERE) {
        ws->tab_x[0] = 0.0;
        ws->tab_x[n - 1] = M_PI;
    }
    for (size_t i = 1; i < n; i++)
        if (!(ws->tab_x[i] > ws->tab_x[i - 1]))
            return slt_error(SLT_EINVAL, "slt_kernels_alloc: table points %zu and %zu coincide "
                             "in theta = arccos t", i, i + 1);
    ws->tab_lo = ws->tab_x[0];
    ws->tab_hi = ws->tab_x[n - 1];
    ws->spl = gsl_spline_alloc(gsl_interp_cspline, n);
    ws->spl_alt = gsl_spline_alloc(n >= 5 ? gsl_interp_akima : gsl_interp_linear, n);
    if (!ws->spl || !ws->spl_alt) return SLT_ENOMEM;
    if (gsl_spline_init(ws->spl, ws->tab_x, ws->tab_k, n) ||
        gsl_spline_init(ws->spl_alt, ws->tab_x, ws->tab_k, n))
        return slt_error(SLT_EINVAL, "slt_kernels_alloc: cannot build the table spline");
    return SLT_OK;
}

static double table_eval(const slt_kernels_workspace *ws, const gsl_spline *spl, double x)
{
    x = fmax(ws->tab_lo, fmin(ws->tab_hi, x));
    double v;
    if (gsl_spline_eval_e(spl, x, NULL, &v)) return NAN;
    return v;
}

double kn_table_eval(const slt_kernels_workspace *ws, double x)
{
    return table_eval(ws, ws->spl, x);
}

double kn_table_eval_alt(const slt_kernels_workspace *ws, double x)
{
    return table_eval(ws, ws->spl_alt, x);
}

double kn_sphere_theta(const slt_kernels_workspace *ws, double theta)
{
    return ws->type->sphere_theta ? ws->type->sphere_theta(ws, theta) : NAN;
}

double slt_kernels_eval_sphere(const slt_kernels_workspace *ws, double t)
{
    if (!ws || ws->p.domain != SLT_DOMAIN_SPHERE || !(t >= -1.0 && t <= 1.0)) return NAN;
    double theta = t > 0.5 ? 2.0 * asin(sqrt(0.5 * (1.0 - t))) : acos(t);
    return kn_sphere_theta(ws, theta);
}

double slt_kernels_eval_torus(const slt_kernels_workspace *ws, const double *delta)
{
    if (!ws || ws->p.domain != SLT_DOMAIN_TORUS || !delta) return NAN;
    return kn_torus_eval(ws, delta);
}

double slt_kernels_diagonal(const slt_kernels_workspace *ws) { return ws ? ws->diag : NAN; }

const slt_kernels_params *slt_kernels_get_params(const slt_kernels_workspace *ws)
{
    return ws ? &ws->p : NULL;
}

int slt_kernels_alloc(const slt_kernels_params *p, slt_kernels_workspace **out)
{
    if (!out) return slt_error(SLT_EINVAL, "slt_kernels_alloc: workspace pointer is NULL");
    *out = NULL;
    int rc = slt_kernels_params_check(p);
    if (rc) return rc;
    const slt_kernel_info *k = slt_kernel_info_get(p->kernel);
    slt_kernels_workspace *ws = calloc(1, sizeof *ws);
    if (!ws) return slt_error(SLT_ENOMEM, "slt_kernels_alloc: out of memory");
    ws->p = *p;
    ws->type = kn_kernel_type_get(p->kernel);
    ws->p.table_x = ws->p.table_k = NULL;
    if (k->params & SLT_KPARAM_TABLE) {
        ws->p.table_x = p->table_x;
        ws->p.table_k = p->table_k;
        rc = table_setup(ws);
        ws->p.table_x = ws->tab_x; /* our copies (θ/δ order) are what we use from now */
        ws->p.table_k = ws->tab_k;
        if (rc) {
            slt_kernels_free(ws);
            return rc == SLT_ENOMEM ? slt_error(rc, "slt_kernels_alloc: out of memory") : rc;
        }
    }
    if (p->domain == SLT_DOMAIN_SPHERE) {
        ws->diag = ws->type->sphere_diag ? ws->type->sphere_diag(ws) : 1.0;
        ws->has_endpoint = ws->type->sphere_endpoint;
        ws->has_taylor = ws->type->sphere_taylor != NULL;
        if (ws->has_endpoint == 1) { /* the arc-cosine expansions, once */
            /* In long double, with the double twin as the error gauge: the same operations
             * in unit roundoff 2^-53 and LDBL_EPSILON/2, so to first order the long-double
             * error is |c_d − c_ld|·(LDBL_EPSILON/DBL_EPSILON) (2^-11 for x87); bar: 16×
             * that (the roundings do not scale exactly alike) plus 4 roundings of c_ld.
             * The double coefficients alone were not good enough: relu-nngp's s¹
             * coefficient (exactly 0) came out as 7e-17, whose term grows like ℓ(ℓ+d)
             * relative to the leading s³ one: 2.7e-14 relative at d = 100, ℓ = 92.
             * (Where long double is double the gauge reads 0 and only 4 roundings remain:
             * the bar is then as weak as before this change.) */
            int m = KN_EP_M;
            double cd[2][KN_EP_M];
            if ((rc = kn_relu_series_ld(p->kernel, p->depth, +1, m, ws->ep_plus)) ||
                (rc = kn_relu_series_ld(p->kernel, p->depth, -1, m, ws->ep_minus)) ||
                (rc = kn_relu_series(p->kernel, p->depth, +1, m, cd[0])) ||
                (rc = kn_relu_series(p->kernel, p->depth, -1, m, cd[1]))) {
                slt_kernels_free(ws);
                return slt_error(rc == SLT_ENOMEM ? rc : SLT_EINTERNAL,
                                 "slt_kernels_alloc: endpoint expansion of %s (depth %d) failed",
                                 slt_kernel_name(p->kernel), p->depth);
            }
            ws->ep_trust = m - p->depth - 4;
            double ratio = 16.0 * LDBL_EPSILON / DBL_EPSILON, ulp = 4.0 * 0.5 * LDBL_EPSILON;
            for (int n = 0; n < m; n++) {
                long double cp = ws->ep_plus[n], cm = ws->ep_minus[n];
                ws->ep_plus_err[n] = (double)(ratio * fabsl(cd[0][n] - cp) + ulp * fabsl(cp));
                ws->ep_minus_err[n] = (double)(ratio * fabsl(cd[1][n] - cm) + ulp * fabsl(cm));
            }
        }
    } else {
        if ((rc = kn_torus_alloc(ws))) {
            slt_kernels_free(ws);
            return rc;
        }
        double zero[3] = {0, 0, 0};
        ws->diag = kn_torus_eval(ws, zero);
    }
    *out = ws;
    return SLT_OK;
}

void slt_kernels_free(slt_kernels_workspace *ws)
{
    if (!ws) return;
    kn_torus_free(ws);
    gsl_spline_free(ws->spl);
    gsl_spline_free(ws->spl_alt);
    free(ws->tab_x);
    free(ws->tab_k);
    free(ws->taylor);
    free(ws);
}

void slt_kernels_spectrum_free(slt_kernels_spectrum *s)
{
    if (!s) return;
    free(s->levels);
    free(s);
}

int slt_kernels_spectrum_compute(slt_kernels_workspace *ws, slt_kernels_spectrum **out)
{
    if (!ws || !out) return slt_error(SLT_EINVAL, "slt_kernels_spectrum_compute: NULL argument");
    *out = NULL;
    slt_kernels_spectrum *s = calloc(1, sizeof *s);
    if (!s) return slt_error(SLT_ENOMEM, "slt_kernels_spectrum_compute: out of memory");
    s->params = ws->p;
    s->params.table_x = s->params.table_k = NULL;
    s->diag = ws->diag;
    int rc = ws->p.domain == SLT_DOMAIN_SPHERE ? kn_sphere_spectrum(ws, s)
                                               : kn_torus_spectrum(ws, s);
    if (rc && rc != SLT_ENOCONV) {
        slt_kernels_spectrum_free(s);
        return rc;
    }
    /* trace, Hilbert–Schmidt, worst relative error */
    double tr = 0, tre = 0, hs = 0, hse = 0, worst = 0;
    for (size_t i = 0; i < s->n_levels; i++) {
        const slt_kernels_level *L = &s->levels[i];
        if (isinf(L->mult)) continue;
        tr += L->mult * L->mu;
        tre += L->mult * L->mu_err;
        hs += L->mult * L->mu * L->mu;
        hse += L->mult * (2.0 * fabs(L->mu) + L->mu_err) * L->mu_err;
        if (fabs(L->mu) > L->mu_err && L->mu != 0.0) worst = fmax(worst, L->mu_err / fabs(L->mu));
    }
    s->trace = tr;
    s->trace_err = tre + 4.0 * KN_EPS * s->n_levels * fabs(tr);
    s->hs = hs;
    s->hs_err = hse + 4.0 * KN_EPS * s->n_levels * hs;
    s->max_rel_err = worst;
    /* tail: N μ ∝ ℓ^{-p} from the last two resolved non-zero levels; Σ_{ℓ>L} ≈ ∫ */
    s->trace_tail = 0.0;
    s->trace_tail_err = 0.0;
    size_t top = kn_top_degree(ws->type, &ws->p);
    if (ws->p.domain == SLT_DOMAIN_SPHERE && s->n_levels > 8 && !(top && top <= ws->p.lmax)) {
        size_t last = s->n_levels - 1, prev = 0;
        int found = 0;
        while (last > 2 && !(s->levels[last].mu > 2 * s->levels[last].mu_err)) last--;
        for (size_t j = last; j-- > 1;)
            if (s->levels[j].mu > 2 * s->levels[j].mu_err && last - j >= 2) {
                prev = j;
                found = 1;
                break;
            }
        if (found) {
            const slt_kernels_level *a = &s->levels[prev], *b = &s->levels[last];
            double pw = -(log(b->mult * b->mu) - log(a->mult * a->mu)) /
                        (log((double)b->degree) - log((double)a->degree));
            double L = (double)ws->p.lmax, nm = b->mult * b->mu;
            if (pw > 1.05 && isfinite(nm)) {
                /* Σ_{ℓ>L} over the parity class present (step = last − prev) */
                const slt_kernels_level *bm = &s->levels[last - 1];
                double step = (bm->mu > 2 * bm->mu_err) ? 1.0 : 2.0;
                double tail = nm * (double)b->degree / (pw - 1.0) / step *
                              pow(L / (double)b->degree, 1.0 - pw);
                s->trace_tail = tail;
                s->trace_tail_err = 0.5 * tail + nm;
            } else {
                s->trace_tail = NAN;
                s->trace_tail_err = INFINITY;
            }
        }
    }
    *out = s;
    return rc;
}

/* ---- multiplicities and the Funk–Hecke transform of (1 − t)^ν ------------------- */

int slt_kernels_multiplicity(int d, size_t l, double *mult, double *log_mult)
{
    if (d < 2) return slt_error(SLT_EINVAL, "slt_kernels_multiplicity: d = %d is out of range "
                                "(expected d >= 2)", d);
    double m, lm;
    if (l == 0) {
        m = 1.0;
        lm = 0.0;
    } else if (d == 2) {
        m = 2.0;
        lm = M_LN2;
    } else {
        double L = (double)l;
        /* N = (2ℓ + d − 2)/ℓ · C(ℓ + d − 3, d − 2) */
        lm = log(2.0 * L + d - 2.0) - log(L) + gsl_sf_lnchoose((unsigned)(l + d - 3), (unsigned)(d - 2));
        if (lm < 36.0) {
            /* exact product in long double: C(ℓ+d−3, d−2) with k = min(d−2, ℓ−1) factors */
            unsigned long n = (unsigned long)(l + d - 3), k = (unsigned long)(d - 2);
            if (k > n - k) k = n - k;
            long double c = 1.0L;
            for (unsigned long i = 1; i <= k; i++) c = c * (long double)(n - k + i) / (long double)i;
            c = roundl(c);
            m = (double)roundl(c * (long double)(2 * l + d - 2) / (long double)l);
        } else {
            m = lm < 709.0 ? exp(lm) : INFINITY;
        }
    }
    if (mult) *mult = m;
    if (log_mult) *log_mult = lm;
    return SLT_OK;
}

/* ln|μ_ℓ[(1−t)^ν]| and its sign; sign 0 for an exact zero (integer ν < ℓ). */
double kn_fh_power_log(int d, size_t l, double nu, int *sign)
{
    double L = (double)l, h = 0.5 * (d - 1.0);
    /* (−ν)_ℓ = Γ(ℓ − ν)/Γ(−ν); zero when ν is an integer with ν < ℓ */
    if (nu == floor(nu) && nu >= 0 && nu < L) {
        *sign = 0;
        return -INFINITY;
    }
    double lp;
    int sp = 1;
    if (nu == floor(nu) && nu >= 0) {
        /* (−ν)_ℓ = (−1)^ℓ ν!/(ν − ℓ)! */
        lp = gsl_sf_lngamma(nu + 1.0) - gsl_sf_lngamma(nu - L + 1.0);
        sp = (l % 2) ? -1 : 1;
    } else {
        gsl_sf_result a, b;
        double sa, sb;
        gsl_sf_lngamma_sgn_e(L - nu, &a, &sa);
        gsl_sf_lngamma_sgn_e(-nu, &b, &sb);
        lp = a.val - b.val;
        sp = (sa * sb > 0) ? 1 : -1;
    }
    double lv = nu * M_LN2 + lp + gsl_sf_lngamma(nu + h) + gsl_sf_lngamma(d - 1.0) -
                gsl_sf_lngamma(h) - gsl_sf_lngamma(L + nu + d - 1.0);
    *sign = sp;
    return lv;
}

double slt_kernels_fh_power(int d, size_t l, double nu)
{
    if (d < 2 || !(nu > -0.5 * (d - 1.0)) || !isfinite(nu)) return NAN;
    int sg;
    double lv = kn_fh_power_log(d, l, nu, &sg);
    if (sg == 0) return 0.0;
    return sg * exp(lv);
}
