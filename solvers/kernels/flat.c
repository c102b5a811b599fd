/* Flattening a spectrum into a task (docs/theory/conventions.md §10, §1 "degenerate
 * levels"), target power per level (docs/theory/kernels.md §3), and --save. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "kernels_internal.h"
#include "slt/status.h"

/* Sorting key: the level's mu is parked in k_first while sorting (no global state, so
 * concurrent calls are safe); the index ranges are filled in afterwards. */
static int flat_cmp(const void *a, const void *b)
{
    const slt_kernels_flat_level *x = a, *y = b;
    double u = x->k_first, v = y->k_first;
    if (u != v) return u > v ? -1 : 1;
    return x->level < y->level ? -1 : x->level > y->level;
}

int slt_kernels_flatten(const slt_kernels_spectrum *s, slt_kernels_flat_level **out, size_t *n)
{
    if (!s || !out || !n) return slt_error(SLT_EINVAL, "slt_kernels_flatten: NULL argument");
    slt_kernels_flat_level *f = malloc((s->n_levels + 1) * sizeof *f);
    if (!f) return slt_error(SLT_ENOMEM, "slt_kernels_flatten: out of memory");
    size_t m = 0;
    for (size_t i = 0; i < s->n_levels; i++) {
        const slt_kernels_level *L = &s->levels[i];
        if (!(L->mu > 0) || !(L->mu > L->mu_err)) continue;
        f[m].level = i;
        f[m].k_first = L->mu;
        m++;
    }
    qsort(f, m, sizeof *f, flat_cmp);
    double k = 0.0;
    for (size_t i = 0; i < m; i++) {
        double mult = s->levels[f[i].level].mult;
        f[i].k_first = k + 1.0;
        f[i].k_last = k + mult;
        f[i].k_mid = k + 0.5 * (mult + 1.0);
        k += mult;
    }
    *out = f;
    *n = m;
    return SLT_OK;
}

int slt_kernels_target_isotropic(const slt_kernels_spectrum *s, double *power, double *power_err)
{
    if (!s || !power) return slt_error(SLT_EINVAL, "slt_kernels_target_isotropic: NULL argument");
    for (size_t i = 0; i < s->n_levels; i++) {
        const slt_kernels_level *L = &s->levels[i];
        power[i] = (L->mu > 0 && isfinite(L->mult)) ? L->mult * L->mu : 0.0;
        if (power_err) power_err[i] = isfinite(L->mult) ? L->mult * L->mu_err : INFINITY;
    }
    return SLT_OK;
}

int slt_kernels_target_power_law(const slt_kernels_spectrum *s, double q, double *power,
                                 double *power_err)
{
    static const char *where = "slt_kernels_target_power_law";
    if (!s || !power) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    int rc = slt_check_range(where, "q", q, 0.5, 1, INFINITY, 1);
    if (rc) return rc;
    if (s->params.domain == SLT_DOMAIN_TORUS && s->params.dim >= 2 && !(q > 0.5 * s->params.dim))
        return slt_error(SLT_EINVAL, "%s: q = %.17g is out of range on T^%d (expected q > %d/2: "
                         "otherwise the total power sum_n |n|^-2q is infinite)", where, q,
                         s->params.dim, s->params.dim);
    for (size_t i = 0; i < s->n_levels; i++) {
        const slt_kernels_level *L = &s->levels[i];
        double x = s->params.domain == SLT_DOMAIN_SPHERE ? (double)L->degree : sqrt((double)L->norm2);
        double pw = 0.0, rel = 4.0 * KN_EPS; /* pow and a product or quotient: few ulp */
        if (x >= 1.0) {
            if (s->params.domain == SLT_DOMAIN_SPHERE) {
                if (isfinite(L->mult) && L->mult < 9007199254740992.0) {
                    pw = pow(x, -2.0 * q) / L->mult; /* N exact */
                } else { /* exp of a log: the log's absolute rounding becomes relative */
                    double lg = -2.0 * q * log(x) - L->log_mult;
                    pw = exp(lg);
                    rel = 8.0 * KN_EPS * (fabs(2.0 * q * log(x)) + fabs(L->log_mult) + 1.0);
                }
            } else if (s->params.dim == 1) pw = 0.5 * pow(x, -2.0 * q);
            else pw = L->mult * 0.25 * pow(x, -2.0 * q); /* per mode, for d >= 2 */
        }
        power[i] = pw;
        if (power_err) power_err[i] = rel * pw;
    }
    return SLT_OK;
}

typedef struct {
    slt_kernels_target_fn g;
    void *ctx;
    size_t l;
    int d;
} zonal_ctx;

int slt_kernels_target_power(const slt_kernels_workspace *ws, const slt_kernels_spectrum *s,
                             slt_kernels_target_fn g, void *ctx, double *power,
                             double *power_err)
{
    static const char *where = "slt_kernels_target_power";
    if (!ws || !s || !g || !power) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    const slt_kernels_params *p = &s->params;
    if (p->domain == SLT_DOMAIN_TORUS && p->dim != 1)
        return slt_error(SLT_EINVAL, "%s: dim = %d: torus targets are supported on the circle "
                         "(dim = 1) only", where, p->dim);
    /* Gauss–Legendre in θ, two rules (n and 2n) for the error estimate */
    size_t lmax = 0;
    for (size_t i = 0; i < s->n_levels; i++) {
        size_t x = p->domain == SLT_DOMAIN_SPHERE ? s->levels[i].degree
                                                  : (size_t)llround(sqrt((double)s->levels[i].norm2));
        if (x > lmax) lmax = x;
    }
    int d = p->domain == SLT_DOMAIN_SPHERE ? p->dim : 2;
    size_t n0 = 4 * (lmax + (size_t)d) + 512;
    double *coef[2];
    coef[0] = calloc(lmax + 1, sizeof(double));
    coef[1] = calloc(lmax + 1, sizeof(double));
    double *a = malloc((lmax + 2) * sizeof(double)), *b = malloc((lmax + 2) * sizeof(double));
    int rc = (coef[0] && coef[1] && a && b) ? SLT_OK : SLT_ENOMEM;
    for (size_t l = 1; !rc && l <= lmax; l++) {
        double den = (double)l + d - 2.0;
        a[l] = (2.0 * l + d - 2.0) / den;
        b[l] = (double)l / den;
    }
    double lcd = gsl_sf_lngamma(0.5 * d) - 0.5 * log(M_PI) - gsl_sf_lngamma(0.5 * (d - 1.0));
    for (int r = 0; r < 2 && !rc; r++) {
        size_t n = n0 << (2 * r); /* rules n0 and 4 n0: the difference bounds the finer one */
        gsl_integration_fixed_workspace *t =
            gsl_integration_fixed_alloc(gsl_integration_fixed_legendre, n, 0.0, M_PI, 0.0, 0.0);
        if (!t) { rc = SLT_ENOMEM; break; }
        const double *xs = gsl_integration_fixed_nodes(t), *wt = gsl_integration_fixed_weights(t);
        for (size_t i = 0; i < n; i++) {
            double th = xs[i], tt = cos(th);
            double gv = g(p->domain == SLT_DOMAIN_SPHERE ? tt : th, ctx);
            double W = wt[i] * gv * exp(lcd + (d - 2.0) * log(sin(th)));
            double p0 = 1.0, p1 = tt;
            coef[r][0] += W;
            if (lmax >= 1) coef[r][1] += W * p1;
            for (size_t l = 1; l < lmax; l++) {
                double p2 = a[l] * tt * p1 - b[l] * p0;
                p0 = p1;
                p1 = p2;
                coef[r][l + 1] += W * p2;
            }
        }
        gsl_integration_fixed_free(t);
    }
    if (!rc) {
        for (size_t i = 0; i < s->n_levels; i++) {
            const slt_kernels_level *L = &s->levels[i];
            size_t l = p->domain == SLT_DOMAIN_SPHERE ? L->degree : (size_t)llround(sqrt((double)L->norm2));
            double g1 = coef[1][l], g0 = coef[0][l], e = 2.0 * fabs(g1 - g0) + 1e-15 * fabs(coef[1][0]);
            double pw, pe;
            if (p->domain == SLT_DOMAIN_SPHERE) {
                /* g = Σ N g_ℓ P_ℓ with g_ℓ = c_d ∫ g P_ℓ w: level power N g_ℓ² */
                pw = L->mult * g1 * g1;
                pe = L->mult * (2.0 * fabs(g1) + e) * e;
            } else {
                /* circle: the d = 2 rule gives (1/π)∫ g cos nθ = a_n/2 for n >= 1, a_0 at 0 */
                double an = l == 0 ? g1 : 2.0 * g1, ae = l == 0 ? e : 2.0 * e;
                pw = l == 0 ? an * an : 0.5 * an * an;
                pe = l == 0 ? (2 * fabs(an) + ae) * ae : 0.5 * (2 * fabs(an) + ae) * ae;
            }
            power[i] = pw;
            if (power_err) power_err[i] = pe;
        }
    }
    free(coef[0]);
    free(coef[1]);
    free(a);
    free(b);
    return rc ? slt_error(rc, "%s: out of memory", where) : SLT_OK;
}

int slt_kernels_task(const slt_kernels_spectrum *s, const double *power, double noise,
                     size_t max_modes, slt_task **task, double *power_left)
{
    static const char *where = "slt_kernels_task";
    if (!s || !task) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    *task = NULL;
    if (max_modes < 1) return slt_error(SLT_EINVAL, "%s: max_modes = 0 (expected >= 1)", where);
    slt_kernels_flat_level *f;
    size_t nf;
    int rc = slt_kernels_flatten(s, &f, &nf);
    if (rc) return rc;
    double *pw = malloc(s->n_levels * sizeof(double));
    if (!pw) { free(f); return slt_error(SLT_ENOMEM, "%s: out of memory", where); }
    if (power) memcpy(pw, power, s->n_levels * sizeof(double));
    else slt_kernels_target_isotropic(s, pw, NULL);
    size_t m = 0, nl = 0;
    while (nl < nf && isfinite(s->levels[f[nl].level].mult) &&
           (double)m + s->levels[f[nl].level].mult <= (double)max_modes) {
        m += (size_t)s->levels[f[nl].level].mult;
        nl++;
    }
    if (m == 0) {
        double first = nf ? s->levels[f[0].level].mult : 0.0; /* read before f is freed */
        free(f); free(pw);
        return slt_error(SLT_EDOM, "%s: the first level has %g modes, more than max_modes = %zu",
                         where, first, max_modes);
    }
    double *lam = malloc(m * sizeof(double)), *tg = malloc(m * sizeof(double));
    if (!lam || !tg) {
        free(f); free(pw); free(lam); free(tg);
        return slt_error(SLT_ENOMEM, "%s: out of memory for %zu modes", where, m);
    }
    size_t k = 0;
    for (size_t i = 0; i < nl; i++) {
        const slt_kernels_level *L = &s->levels[f[i].level];
        size_t cnt = (size_t)L->mult;
        double per = pw[f[i].level] / L->mult;
        for (size_t j = 0; j < cnt; j++, k++) {
            lam[k] = L->mu;
            tg[k] = per;
        }
        pw[f[i].level] = 0.0; /* used */
    }
    /* the levels not used, summed directly (exactly 0 when every level is in the task) */
    double left = 0.0;
    for (size_t i = 0; i < s->n_levels; i++) left += pw[i];
    if (power_left) *power_left = left;
    rc = slt_task_alloc_explicit(m, lam, tg, noise, task);
    free(f); free(pw); free(lam); free(tg);
    return rc;
}

/* The level task of every flattened level (one level per degree: λ = mu, m = mult, the
 * level's power), nothing cut; *power_left is the power of the computed levels not in it
 * (null space, unresolved). */
static int level_task(const slt_kernels_spectrum *s, const double *power, slt_task **task,
                      double *power_left)
{
    static const char *where = "slt_kernels_save";
    slt_kernels_flat_level *f;
    size_t nf;
    int rc = slt_kernels_flatten(s, &f, &nf);
    if (rc) return rc;
    if (nf == 0) {
        free(f);
        return slt_error(SLT_EDOM, "%s: no resolved level with a positive eigenvalue", where);
    }
    double *pw = malloc(s->n_levels * sizeof(double));
    double *lam = malloc(nf * sizeof(double)), *mult = malloc(nf * sizeof(double));
    double *lp = malloc(nf * sizeof(double));
    if (!pw || !lam || !mult || !lp) {
        rc = slt_error(SLT_ENOMEM, "%s: out of memory", where);
    } else {
        if (power) memcpy(pw, power, s->n_levels * sizeof(double));
        else slt_kernels_target_isotropic(s, pw, NULL);
        for (size_t i = 0; i < nf && !rc; i++) {
            const slt_kernels_level *L = &s->levels[f[i].level];
            if (!(L->mult < SLT_LEVEL_MULT_MAX))
                rc = slt_error(SLT_EDOM, "%s: degree %zu has %g modes, more than a level can "
                               "hold (2^53): lower --lmax", where, L->degree, L->mult);
            lam[i] = L->mu;
            mult[i] = L->mult;
            lp[i] = pw[f[i].level];
            pw[f[i].level] = 0.0; /* used */
        }
        double left = 0.0;
        for (size_t i = 0; i < s->n_levels; i++) left += pw[i];
        if (power_left) *power_left = left;
        if (!rc) rc = slt_task_alloc_levels(nf, lam, mult, lp, 0.0, task);
    }
    free(f);
    free(pw);
    free(lam);
    free(mult);
    free(lp);
    return rc;
}

int slt_kernels_save(const slt_kernels_spectrum *s, const double *power,
                     const slt_kernels_beyond *beyond, const char *path, size_t *levels_written,
                     double *modes_written, double *power_left, double *power_left_err)
{
    if (!path) return slt_error(SLT_EINVAL, "slt_kernels_save: path is NULL");
    if (!s) return slt_error(SLT_EINVAL, "slt_kernels_save: NULL spectrum");
    slt_kernels_beyond iso;
    if (!beyond && !power) {
        int rc = slt_kernels_beyond_isotropic(s, &iso);
        if (rc) return rc;
        beyond = &iso;
    }
    slt_task *t = NULL;
    double left = 0.0;
    int rc = level_task(s, power, &t, &left);
    if (rc) return rc;
    /* the computed levels' part is a sum of given numbers: rounding only */
    double total = left, total_err = 4.0 * KN_EPS * (double)s->n_levels * left;
    if (beyond) {
        total += beyond->learnable + beyond->null;
        total_err += beyond->learnable_err + beyond->null_err;
    } else {
        total_err = NAN;
    }
    FILE *out = fopen(path, "w");
    if (!out) {
        slt_task_free(t);
        return slt_error(SLT_EIO, "cannot open '%s' for writing", path);
    }
    const slt_kernels_params *p = &s->params;
    int bad = fprintf(out, "# slt spectrum: kernel %s on the %s, dim %d, depth %d, width %.17g, "
                      "lmax %zu\n# %zu levels, %.17g modes (columns: eigenvalue, the level's "
                      "total target power, multiplicity)\n",
                      slt_kernel_name(p->kernel), slt_domain_name(p->domain), p->dim, p->depth,
                      p->width, p->lmax, slt_task_levels(t), slt_task_modes_total(t)) < 0;
    if (!bad && beyond)
        bad = fprintf(out, "# target power left out: %.17g +- %.3g (computed levels not in the "
                      "task: %.17g; beyond lmax: learnable %.17g +- %.3g, null space %.17g +- "
                      "%.3g)\n", total, total_err, left, beyond->learnable, beyond->learnable_err,
                      beyond->null, beyond->null_err) < 0;
    else if (!bad)
        bad = fprintf(out, "# target power left out: %.17g (computed levels not in the task "
                      "only: the power beyond lmax is NOT counted)\n", left) < 0;
    if (!bad) rc = slt_task_write(t, out, 0);
    if (fclose(out) != 0 || bad) rc = rc ? rc : slt_error(SLT_EIO, "writing '%s' failed", path);
    if (!rc) {
        if (levels_written) *levels_written = slt_task_levels(t);
        if (modes_written) *modes_written = slt_task_modes_total(t);
        if (power_left) *power_left = total;
        if (power_left_err) *power_left_err = total_err;
    }
    slt_task_free(t);
    return rc;
}

int slt_kernels_save_tail(const slt_kernels_params *p, const slt_kernels_spectrum *s,
                          const slt_kernels_target *target, size_t n_mom, const char *path,
                          size_t *levels_written, double *modes_written, slt_task_tail *tail)
{
    static const char *where = "slt_kernels_save_tail";
    if (!path) return slt_error(SLT_EINVAL, "%s: path is NULL", where);
    if (!p || !s || !target) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    slt_task *t = NULL;
    slt_task_tail tl;
    slt_kernels_tail_info info;
    int rc = slt_kernels_level_task(p, s, target, 0.0, n_mom, &t, &tl, &info);
    if (rc) {
        slt_task_free(t);
        return rc;
    }
    double listed = 0.0; /* the modes of the listed levels (the tail's are infinite) */
    for (size_t i = 1; i <= slt_task_levels(t); i++) {
        slt_level L;
        if (slt_task_level(t, i, &L) == SLT_OK) listed += L.mult;
    }
    FILE *out = fopen(path, "w");
    if (!out) {
        slt_task_free(t);
        return slt_error(SLT_EIO, "cannot open '%s' for writing", path);
    }
    const slt_kernels_params *sp = &s->params;
    int bad = fprintf(out, "# slt spectrum: kernel %s on the %s, dim %d, depth %d, width %.17g, "
                      "lmax %zu\n# %zu levels, %.17g modes (columns: eigenvalue, the level's "
                      "total target power, multiplicity)\n# the degrees beyond lmax: the "
                      "moment tail ('#%%' lines; trace M_1 = %.17g, target power T_0 = %.17g, "
                      "null power %.17g, lambda_sup = %.17g; summed to degree %zu, trace "
                      "check %.3g +- %.3g): no target power left out\n",
                      slt_kernel_name(sp->kernel), slt_domain_name(sp->domain), sp->dim,
                      sp->depth, sp->width, sp->lmax, slt_task_levels(t),
                      listed, tl.lam_mom[0], tl.tgt_mom[0],
                      tl.null_power, tl.lambda_sup, info.l_far, info.trace_check,
                      info.trace_check_err) < 0;
    if (!bad) rc = slt_task_write(t, out, 0);
    if (fclose(out) != 0 || bad) rc = rc ? rc : slt_error(SLT_EIO, "writing '%s' failed", path);
    if (!rc) {
        if (levels_written) *levels_written = slt_task_levels(t);
        if (modes_written) *modes_written = listed;
        if (tail) *tail = tl;
    }
    slt_task_free(t);
    return rc;
}
