/* Target power beyond the computed levels (docs/theory/kernels.md §3): the isotropic
 * teacher by the trace identity, the power-law target in closed form (sphere: a direct sum
 * with a rigorous bracket on the remainder; torus: Epstein zeta), a callback target by
 * Parseval. Split into the modes where the kernel is structurally non-zero (learnable)
 * and its structural zeros (null space). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_zeta.h>

#include "kernels_internal.h"
#include "slt/status.h"

int kn_structural_nonzero(const slt_kernels_params *p, size_t l)
{
    if (p->domain != SLT_DOMAIN_SPHERE) return 1;
    const kn_kernel_type *t = kn_kernel_type_get(p->kernel);
    return t && t->structural_nonzero ? t->structural_nonzero(p, l) : 1;
}

/* Beyond the first few degrees the set {ℓ : nonzero(ℓ) == want} is a residue class
 * ℓ ≡ r (mod h) or empty; from which degree on (`from`). */
static void tail_class(const slt_kernels_params *p, int want, int *h, int *r, int *empty,
                       size_t *from)
{
    *h = 1;
    *r = 0;
    *empty = 0;
    *from = 3;
    const kn_kernel_type *t = kn_kernel_type_get(p->kernel);
    if (t && t->tail_class) t->tail_class(p, want, h, r, empty, from);
    else *empty = !want;
}

/* Σ_{ℓ > L, nonzero(ℓ) == want} ℓ^{-2q}/N(d,ℓ) with an absolute error bound. Terms by the
 * exact ratio N(ℓ+1)/N(ℓ) in logs; the remainder from X on (X in the class) is bracketed:
 * g(ℓ) = ℓ^{d−2}/N(d,ℓ) increases to c∞ = (d−2)!/2 (d = 2: g = ½), so with p = 2q + d − 2,
 *   g(X)·X^{1−p}/(h(p−1)) <= rest <= c∞·(X^{-p} + X^{1−p}/(h(p−1))). */
static void sphere_power_sum(const slt_kernels_params *p, size_t L, double q, int want,
                             double *sum, double *err)
{
    int d = p->dim, h, r, empty;
    size_t from;
    tail_class(p, want, &h, &r, &empty, &from);
    double pe = 2.0 * q + d - 2.0;
    double lcinf = (d >= 3 ? gsl_sf_lngamma(d - 1.0) : 0.0) - M_LN2;
    long double acc = 0.0L;
    double rem = 0.0, rem_err = 0.0, lnmax = 0.0, l0;
    size_t cnt = 0, steps = 0, since = 64, l = L + 1;
    slt_kernels_multiplicity(d, l, NULL, &l0);
    long double lnN = l0; /* ln N(d,ℓ), advanced by the exact ratio in long double */
    for (;; l++) {
        if (l > L + 1 && d >= 3) {
            long double m = (long double)(l - 1);
            lnN += logl((2.0L * m + d) / (2.0L * m + d - 2.0L)) + logl((m + d - 2.0L) / (m + 1.0L));
            steps++;
        }
        lnmax = fmax(lnmax, fabs((double)lnN));
        if (l >= from && (empty || (int)(l % (size_t)h) == r)) {
            if (empty) break;
            if (++since >= 64) {
                since = 0;
                double X = (double)l, lf = -2.0 * q * log(X) - (double)lnN;
                double lg = (d - 2.0) * log(X) - (double)lnN, k = X / (h * (pe - 1.0));
                double lower = exp(lf + log(k)), upper = exp(lf + (lcinf - lg) + log1p(k));
                if (upper - lower <= 1e-9 * ((double)acc + lower) || l - L > 4000000) {
                    rem = 0.5 * (upper + lower);
                    rem_err = 0.5 * (upper - lower);
                    break;
                }
            }
        }
        if (kn_structural_nonzero(p, l) != want) continue;
        acc += (long double)exp(-2.0 * q * log((double)l) - (double)lnN);
        cnt++;
    }
    /* per term: exp and logs in double (~8 ε); ln N carries ≲ 4 long-double roundings of
     * size |ln N| + 2 per ratio step */
    double rel = 8.0 * KN_EPS + (double)steps * 4.0 * 1.1e-19 * (lnmax + 2.0);
    *sum = (double)acc + rem;
    *err = rem_err + (rel + (double)cnt * 1.1e-19) * (double)acc; /* + the long-double sum */
}

/* Epstein zeta Z_d(s) = Σ_{n ∈ Z^d, n ≠ 0} |n|^{-2s}, s > d/2. d = 1: 2ζ(2s). d = 2, 3:
 *   π^{-s}Γ(s) Z_d(s) = ∫_1^∞ (θ(t)^d − 1)(t^{s−1} + t^{d/2−s−1}) dt + 1/(s − d/2) − 1/s,
 * θ(t) = Σ_n e^{−πn²t} (Jacobi θ(1/t) = √t θ(t) folds (0, 1) onto (1, ∞)). */
typedef struct {
    int d;
    double s;
} ep_ctx;

static double ep_integrand(double t, void *v)
{
    const ep_ctx *c = v;
    double x = 0.0; /* θ(t) − 1 */
    for (int n = 1; n < 12; n++) {
        double e = exp(-M_PI * n * n * t);
        x += 2.0 * e;
        if (e < 1e-30 * x) break;
    }
    double pw = c->d == 1 ? x : c->d == 2 ? x * (2.0 + x) : x * (3.0 + x * (3.0 + x));
    return pw * (exp((c->s - 1.0) * log(t)) + exp((0.5 * c->d - c->s - 1.0) * log(t)));
}

static int epstein(int d, double s, double *val, double *err)
{
    if (d == 1) {
        gsl_sf_result z;
        if (gsl_sf_zeta_e(2.0 * s, &z)) return SLT_EDOM;
        *val = 2.0 * z.val;
        *err = 2.0 * z.err + 4.0 * KN_EPS * fabs(*val);
        return SLT_OK;
    }
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(200);
    if (!w) return SLT_ENOMEM;
    ep_ctx c = {d, s};
    gsl_function F = {ep_integrand, &c};
    double in, in_err;
    int st = gsl_integration_qagiu(&F, 1.0, 0.0, 1e-13, 200, w, &in, &in_err);
    gsl_integration_workspace_free(w);
    if (st && st != GSL_EROUND) return SLT_ENOCONV;
    double tot = in + 1.0 / (s - 0.5 * d) - 1.0 / s;
    double pre = exp(s * log(M_PI) - gsl_sf_lngamma(s));
    *val = pre * tot;
    *err = pre * (in_err + 8.0 * KN_EPS * (fabs(in) + 1.0 / (s - 0.5 * d) + 1.0 / s)) +
           8.0 * KN_EPS * (1.0 + s) * fabs(*val);
    return SLT_OK;
}

int slt_kernels_beyond_isotropic(const slt_kernels_spectrum *s, slt_kernels_beyond *b)
{
    if (!s || !b) return slt_error(SLT_EINVAL, "slt_kernels_beyond_isotropic: NULL argument");
    double v = s->diag - s->trace, e = s->trace_err + 4.0 * KN_EPS * fabs(s->diag);
    b->learnable = fmax(v, 0.0);
    b->learnable_err = fmax(e, -v);
    b->null = 0.0;
    b->null_err = 0.0;
    return SLT_OK;
}

int slt_kernels_beyond_power_law(const slt_kernels_spectrum *s, double q, slt_kernels_beyond *b)
{
    static const char *where = "slt_kernels_beyond_power_law";
    if (!s || !b) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    int rc = slt_check_range(where, "q", q, 0.5, 1, INFINITY, 1);
    if (rc) return rc;
    const slt_kernels_params *p = &s->params;
    b->null = b->null_err = 0.0;
    if (p->domain == SLT_DOMAIN_SPHERE) {
        sphere_power_sum(p, p->lmax, q, 1, &b->learnable, &b->learnable_err);
        sphere_power_sum(p, p->lmax, q, 0, &b->null, &b->null_err);
        return SLT_OK;
    }
    if (p->dim >= 2 && !(q > 0.5 * p->dim))
        return slt_error(SLT_EINVAL, "%s: q = %.17g is out of range on T^%d (expected q > %d/2: "
                         "otherwise the total power sum_n |n|^-2q is infinite)", where, q, p->dim,
                         p->dim);
    /* torus: per mode |n|^{-2q}/4 (d = 1: level power n^{-2q}/2 = two modes); the levels
     * are exactly the computed modes, so the rest is the total minus their power */
    double Z, Ze;
    rc = epstein(p->dim, q, &Z, &Ze);
    if (rc) return slt_error(rc, "%s: the Epstein zeta sum at q = %.17g failed", where, q);
    double *pw = malloc((s->n_levels + 1) * sizeof(double));
    if (!pw) return slt_error(SLT_ENOMEM, "%s: out of memory", where);
    slt_kernels_target_power_law(s, q, pw, NULL);
    long double have = 0.0L;
    for (size_t i = 0; i < s->n_levels; i++) have += pw[i];
    free(pw);
    double total = 0.25 * Z, v = total - (double)have;
    double e = 0.25 * Ze + 4.0 * KN_EPS * (total + (double)s->n_levels * (double)have);
    b->learnable = fmax(v, 0.0);
    b->learnable_err = fmax(e, -v);
    return SLT_OK;
}

/* ---- callback targets: Parseval ------------------------------------------------ */

/* for parity class c (0 even, 1 odd) of ℓ > L: 1 all structurally non-zero, 0 all zero,
 * −1 mixed */
static int class_status(const slt_kernels_params *p, size_t L, int c)
{
    size_t top = L + 8 + kn_top_degree(kn_kernel_type_get(p->kernel), p);
    int seen1 = 0, seen0 = 0;
    for (size_t l = L + 1; l <= top; l++) {
        if ((int)(l % 2) != c) continue;
        if (kn_structural_nonzero(p, l)) seen1 = 1;
        else seen0 = 1;
    }
    return seen1 && seen0 ? -1 : seen1;
}

int slt_kernels_beyond_target(const slt_kernels_workspace *ws, const slt_kernels_spectrum *s,
                              slt_kernels_target_fn g, void *ctx, const double *power,
                              const double *power_err, slt_kernels_beyond *b)
{
    static const char *where = "slt_kernels_beyond_target";
    if (!ws || !s || !g || !power || !b) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    const slt_kernels_params *p = &s->params;
    if (p->domain == SLT_DOMAIN_TORUS && p->dim != 1)
        return slt_error(SLT_EINVAL, "%s: dim = %d: torus targets are supported on the circle "
                         "(dim = 1) only", where, p->dim);
    int sphere = p->domain == SLT_DOMAIN_SPHERE, d = sphere ? p->dim : 2;
    /* ‖g_even‖², ‖g_odd‖² (sphere, weight c_d sin^{d−2}θ on [0, π]) or ‖g‖² (circle,
     * (1/π)dθ on [0, π]), with rules n and 4n as slt_kernels_target_power */
    size_t n0 = 4 * (p->lmax + (size_t)d) + 512;
    double nrm[2][2] = {{0, 0}, {0, 0}}; /* [rule][class] */
    double lcd = sphere ? gsl_sf_lngamma(0.5 * d) - 0.5 * log(M_PI) - gsl_sf_lngamma(0.5 * (d - 1.0))
                        : -log(M_PI);
    for (int r = 0; r < 2; r++) {
        size_t n = n0 << (2 * r);
        gsl_integration_fixed_workspace *t =
            gsl_integration_fixed_alloc(gsl_integration_fixed_legendre, n, 0.0, M_PI, 0.0, 0.0);
        if (!t) return slt_error(SLT_ENOMEM, "%s: out of memory", where);
        const double *xs = gsl_integration_fixed_nodes(t), *wt = gsl_integration_fixed_weights(t);
        for (size_t i = 0; i < n; i++) {
            double th = xs[i], W = wt[i] * exp(lcd + (d - 2.0) * log(sin(th)));
            if (sphere) {
                double tt = cos(th), a = g(tt, ctx), c = g(-tt, ctx);
                nrm[r][0] += W * 0.25 * (a + c) * (a + c);
                nrm[r][1] += W * 0.25 * (a - c) * (a - c);
            } else {
                double a = g(th, ctx);
                nrm[r][0] += W * a * a;
            }
        }
        gsl_integration_fixed_free(t);
    }
    b->learnable = b->learnable_err = b->null = b->null_err = 0.0;
    for (int c = 0; c < (sphere ? 2 : 1); c++) {
        long double have = 0.0L, have_err = 0.0L;
        for (size_t i = 0; i < s->n_levels; i++) {
            if (sphere && (int)(s->levels[i].degree % 2) != c) continue;
            have += power[i];
            if (power_err) have_err += power_err[i];
        }
        double rest = nrm[1][c] - (double)have;
        double e = 2.0 * fabs(nrm[1][c] - nrm[0][c]) + (double)have_err +
                   1e-14 * (nrm[1][c] + (double)have);
        double v = fmax(rest, 0.0);
        e = fmax(e, -rest);
        int st = sphere ? class_status(p, p->lmax, c) : 1;
        if (st == 1) {
            b->learnable += v;
            b->learnable_err += e;
        } else if (st == 0) {
            b->null += v;
            b->null_err += e;
        } else { /* mixed: only the bracket [0, rest] is known for each part */
            b->learnable += 0.5 * v;
            b->learnable_err += 0.5 * v + e;
            b->null += 0.5 * v;
            b->null_err += 0.5 * v + e;
        }
    }
    return SLT_OK;
}
