/* The effective ridge κ(z): κ(1 − df(κ)/N)(1 − df(κ)/P) = z (dmft.md §2), on the physical
 * branch. Real z > 0: bracketed Brent on log κ above κ_*. Complex z: Newton on
 * Φ(κ) = κ r1 r3 − z, continued from the real axis (or from the previous contour) in
 * small steps, so that it never jumps to another branch (dmft.md §12.2: solve for κ, not
 * for D or R, which picked wrong branches at tiny |z|). */
#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "dmft_internal.h"
#include "slt/status.h"

static int real_df(const slt_task *task, double kappa, double *df)
{
    slt_sum s;
    int rc = slt_sum_df(task, kappa, &s);
    *df = s.value;
    return rc;
}

/* df(κ) − n, for the bracketing of κ_n on log κ */
typedef struct {
    const slt_task *task;
    double n;
    int rc;
} df_root_ctx;

static double df_minus_n(double log_kappa, void *p)
{
    df_root_ctx *c = p;
    double df = NAN;
    int rc = real_df(c->task, exp(log_kappa), &df);
    if (rc && !c->rc) c->rc = rc;
    return df - c->n;
}

/* Brent on u in [lo, hi]; f(lo), f(hi) of opposite signs. */
static int brent(gsl_function *F, double lo, double hi, double *root, int *rc_out)
{
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s) return slt_error(SLT_ENOMEM, "dmft: out of memory for the root finder");
    int g = gsl_root_fsolver_set(s, F, lo, hi), iter = 0;
    while (g == GSL_SUCCESS && iter++ < 200) {
        g = gsl_root_fsolver_iterate(s);
        if (g != GSL_SUCCESS || (rc_out && *rc_out)) break;
        double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(a, b, 0.0, 1e-15) == GSL_SUCCESS) break;
    }
    *root = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    if (rc_out && *rc_out) return *rc_out;
    if (g != GSL_SUCCESS || iter > 200)
        return slt_error(SLT_ENOCONV, "dmft: Brent did not converge (%s)", gsl_strerror(g));
    return SLT_OK;
}

int dmft_kappa_star(slt_dmft_workspace *w, double *ks)
{
    if (w->kappa_star >= 0) {
        *ks = w->kappa_star;
        return SLT_OK;
    }
    double n = fmin(w->p.N, w->p.P);
    size_t M = slt_task_modes(w->task);
    if (isinf(n) || (M != SLT_MODES_INFINITE && n >= (double)M)) {
        w->kappa_star = *ks = 0.0;
        return SLT_OK;
    }
    /* df decreases from M (or ∞) at κ = 0 to 0 at κ = ∞: bracket log κ by doubling */
    df_root_ctx c = {w->task, n, 0};
    gsl_function F = {df_minus_n, &c};
    double lo = log(w->trace / n) - 1.0, hi = lo + 2.0;
    int k;
    for (k = 0; k < 400 && df_minus_n(lo, &c) <= 0; k++) lo -= 2.0;
    for (k = 0; k < 400 && df_minus_n(hi, &c) >= 0; k++) hi += 2.0;
    if (c.rc) return c.rc;
    double root;
    int rc = brent(&F, lo, hi, &root, &c.rc);
    if (rc) return rc;
    w->kappa_star = *ks = exp(root);
    return SLT_OK;
}

/* Φ(κ) for real κ > κ_*, on log κ */
typedef struct {
    slt_dmft_workspace *w;
    double z;
    int rc;
} phi_ctx;

static double phi_real(double log_kappa, void *p)
{
    phi_ctx *c = p;
    double kappa = exp(log_kappa), df = NAN;
    int rc = real_df(c->w->task, kappa, &df);
    if (rc && !c->rc) c->rc = rc;
    double r1 = 1.0 - df * c->w->inv_P, r3 = 1.0 - df * c->w->inv_N;
    return kappa * r1 * r3 - c->z;
}

int dmft_kappa_real(slt_dmft_workspace *w, double z, double *kappa)
{
    double ks;
    int rc = dmft_kappa_star(w, &ks);
    if (rc) return rc;
    phi_ctx c = {w, z, 0};
    gsl_function F = {phi_real, &c};
    /* Φ(κ_*) = −z < 0, Φ increases above κ_* and Φ(κ) >= κ·(…) → +∞ */
    double lo = ks > 0 ? log(ks) + 1e-12 : log(z) - 40.0;
    double hi = log(fmax(2.0 * z, 2.0 * ks) + DBL_MIN);
    int k;
    for (k = 0; k < 400 && phi_real(hi, &c) <= 0; k++) hi += 1.0;
    if (ks == 0.0)
        for (k = 0; k < 400 && phi_real(lo, &c) >= 0; k++) lo -= 5.0;
    if (c.rc) return c.rc;
    double root;
    rc = brent(&F, lo, hi, &root, &c.rc);
    if (rc) return rc;
    *kappa = exp(root);
    return SLT_OK;
}

/* Newton on Φ(κ) = κ r1 r3 − z from *kappa. One fused pass of the task layer gives df and
 * df2 (for Φ, Φ') and κT₁, κ²T₂ (for the loss) at once. On convergence the node's sums
 * are those at the accepted κ, and nd->err carries their error bounds plus the size of
 * the last Newton step (quadratic convergence: the error of κ is below it). */
int dmft_newton(slt_dmft_workspace *w, double complex z, double complex *kappa, dmft_node *nd)
{
    double complex k = *kappa;
    const double iN = w->inv_N, iP = w->inv_P;
    for (int it = 1; it <= w->p.max_newton; it++) {
        slt_csum s[4];
        int rc = slt_csum_resolvent(w->task, k, s);
        if (rc) return rc;
        double complex df = s[0].value, df2 = s[1].value;
        double complex r1 = 1.0 - df * iP, r3 = 1.0 - df * iN;
        double complex phi = k * r1 * r3 - z;
        /* Φ' = r1 r3 − κ df'(κ)(r1/N + r3/P), and κ df' = −(df − df2) */
        double complex dphi = r1 * r3 + (df - df2) * (r1 * iN + r3 * iP);
        double complex step = phi / dphi;
        if (cabs(step) <= w->p.rel_tol * cabs(k)) {
            double e = 0.0;
            for (int j = 0; j < 4; j++)
                e = fmax(e, s[j].err / fmax(cabs(s[j].value), DBL_MIN));
            nd->kappa = *kappa = k;
            nd->df = df;
            nd->df2 = df2;
            nd->kt1 = s[2].value;
            nd->k2t2 = s[3].value;
            nd->r1 = r1;
            nd->r3 = r3;
            nd->err = e + 2.0 * cabs(step) / cabs(k) + 8 * DBL_EPSILON;
            nd->newton = it;
            return SLT_OK;
        }
        /* a step longer than 0.3|κ| would leave the basin of this branch */
        double cap = 0.3 * cabs(k);
        if (cabs(step) > cap) step *= cap / cabs(step);
        k -= step;
        if (!isfinite(creal(k)) || !isfinite(cimag(k))) break;
    }
    return slt_error(SLT_ENOCONV, "dmft: Newton for kappa did not converge at z = %.6g%+.6gi "
                     "within %d iterations", creal(z), cimag(z), w->p.max_newton);
}

/* Newton from κ(z_from) to κ(z_to) in `steps` equal sub-steps; each failure halves the
 * step (up to 6 times) before giving up. */
static int walk(slt_dmft_workspace *w, double complex z_from, double complex z_to,
                double complex *kappa, int steps, dmft_node *nd)
{
    double complex k = *kappa;
    for (int depth = 0; depth < 6; depth++) {
        int n = steps << depth, ok = 1, most = 0;
        double complex kk = k;
        for (int i = 1; i <= n && ok; i++) {
            double complex zi = z_from + (z_to - z_from) * ((double)i / n);
            int rc = dmft_newton(w, zi, &kk, nd);
            if (rc == SLT_ENOCONV) ok = 0;
            else if (rc) return rc;
            most = nd->newton > most ? nd->newton : most;
        }
        if (ok) {
            *kappa = kk;
            nd->newton = most;
            return SLT_OK;
        }
    }
    return slt_error(SLT_ENOCONV, "dmft: could not continue kappa from z = %.6g%+.6gi to "
                     "%.6g%+.6gi", creal(z_from), cimag(z_from), creal(z_to), cimag(z_to));
}

static void talbot_node(int j, int M, double r, double t, dmft_node *nd)
{
    double theta = (double)j * M_PI / M;
    if (j == 0) {
        nd->z = r;
        nd->c = r / (2.0 * M) * exp(r * t);
        return;
    }
    double cot = cos(theta) / sin(theta);
    double sigma = theta + (theta * cot - 1.0) * cot;
    nd->z = r * theta * (cot + I);
    nd->c = r / (2.0 * M) * cexp(nd->z * t) * (1.0 + I * sigma);
}

int dmft_contour(slt_dmft_workspace *w, int M, double t, dmft_node *node, int slot)
{
    double r = 2.0 * M / (5.0 * t);
    for (int j = 0; j < M; j++) talbot_node(j, M, r, t, &node[j]);
    int rc;
    /* warm start: the slot's previous contour has the same θ_j with z scaled by t_prev/t;
     * walk each node along that ray (only for a nearby, later time) */
    const dmft_node *prev = slot >= 0 ? w->warm + (size_t)slot * w->nodes : NULL;
    double t_prev = slot >= 0 ? w->warm_time[slot] : 0.0;
    if (prev && t_prev > 0 && t > t_prev && t / t_prev < 1.6) {
        int ok = 1;
        for (int j = 0; j < M && ok; j++) {
            double complex k = prev[j].kappa;
            dmft_node save = node[j];
            rc = walk(w, prev[j].z, node[j].z, &k, 1, &node[j]);
            node[j].z = save.z;
            node[j].c = save.c;
            if (rc == SLT_ENOCONV) ok = 0;
            else if (rc) return rc;
        }
        if (ok) return SLT_OK;
    }
    /* cold start: real root at θ = 0, then outward in θ with four sub-steps per node */
    double k0;
    if ((rc = dmft_kappa_real(w, r, &k0))) return rc;
    double complex k = k0;
    if ((rc = dmft_newton(w, r, &k, &node[0]))) return rc;
    for (int j = 1; j < M; j++)
        if ((rc = walk(w, node[j - 1].z, node[j].z, &k, 4, &node[j]))) return rc;
    return SLT_OK;
}
