/* Online SGD with batch B and step η at P = ∞ (docs/theory/dmft.md §7).
 *
 * With S = Λ^{1/2}FΛ^{1/2}, s* = Λ^{1/2}w* and the per-step mean-square factor of a mode of S
 * with eigenvalue u, g(u) = 1 − 2ηu + c₂η²u² (c₂ = 1 + 1/B for Gaussian features, exactly;
 * c₂ = 1 in the DMFT limit), the expected test loss obeys the discrete Volterra equation
 *
 *     L(n) = L_GD(n) + (η²/B) Σ_{m<n} 𝒦(n−1−m) (L(m) + σ²),
 *     L_GD(n) = s*ᵀ g(S)ⁿ s*,   𝒦(j) = tr[S² g(S)^j].
 *
 * Its generating function is algebraic: with G_f(ζ) = Σ ζⁿ f(n),
 *
 *     G(ζ) = [G_L(ζ) + (η²/B)σ² ζG_K(ζ)/(1 − ζ)] / [1 − (η²/B) ζG_K(ζ)],
 *     G_f(ζ) = [r_f(z₊) − r_f(z₋)] / (2ηζD),   D = √(1 − c₂ + c₂/ζ),  ηz± = (−1 ± D)/c₂,
 *
 * by partial fractions of 1/(1 − ζg(u)) = −1/(ζc₂η²(u + z₊)(u + z₋)), where the resolvent
 * functionals are r_L(z) = s*ᵀ(z+S)^{-1}s* = κT₁(κ)/z and r_K(z) = tr[S²(z+S)^{-1}] =
 * Σλ − z·df(κ), κ = κ(z) at P = ∞. L(n) is the n-th coefficient; with ζ = e^{−ηw} it is the
 * inverse Laplace transform of ηG(e^{−ηw}) at t = ηn, taken on a fixed Talbot contour in w
 * with η·r <= 1 (so |Im w| < π/η: z₊ stays in the upper, z₋ in the lower half plane and the
 * periodic copies of the singular set at Im w = ±2π/η stay outside). For the few steps
 * where η·r > 1, L_GD(j) and 𝒦(j) come from a circle around the spectrum and the Volterra
 * equation is stepped directly. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dmft_internal.h"
#include "slt/status.h"

static double c2_of(const slt_dmft_workspace *w)
{
    return w->sgd_form == SLT_DMFT_SGD_LIMIT ? 1.0 : 1.0 + 1.0 / (double)w->sgd_batch;
}

/* D(w) = √(1 + c₂(e^{ηw} − 1)) = √(1 − c₂ + c₂/ζ): principal root, continuous for
 * 0 <= Im w < π/η (Im D² >= 0 there) */
static double complex sgd_D(double eta, double c2, double complex x, double complex *E)
{
    *E = dmft_cexpm1(eta * x);
    return csqrt(1.0 + c2 * *E);
}

static double complex zplus(const slt_dmft_workspace *w, double complex x, void *ctx)
{
    double c2 = *(const double *)ctx, eta = w->eta;
    double complex E, D = sgd_D(eta, c2, x, &E);
    return E / ((D + 1.0) * eta); /* = (D − 1)/(c₂η) without cancellation */
}

static double complex zminus(const slt_dmft_workspace *w, double complex x, void *ctx)
{
    double c2 = *(const double *)ctx, eta = w->eta;
    double complex E, D = sgd_D(eta, c2, x, &E);
    return -(1.0 + D) / (c2 * eta);
}

/* F(w) = ηG(e^{−ηw}) from the sums at z₊ and z₋, with an absolute error bound */
static void sgd_F(const slt_dmft_workspace *w, double c2, double complex x, const dmft_node *np,
                  const dmft_node *nm, double complex *F, double *errF)
{
    const double eta = w->eta, cfac = eta * eta / (double)w->sgd_batch;
    const double s2 = slt_task_noise(w->task);
    double complex E, D = sgd_D(eta, c2, x, &E);
    double complex zp = E / ((D + 1.0) * eta), zm = -(1.0 + D) / (c2 * eta);
    double complex Sp = np->kt1 / zp, Sm = nm->kt1 / zm;
    double complex Kp = zp * np->df, Km = zm * nm->df; /* r_K = Σλ − z·df: Σλ cancels */
    double complex q = 1.0 / (2.0 * eta * D);
    double complex zGL = (Sp - Sm) * q, zGK = (Km - Kp) * q; /* ζG_L, ζG_K */
    double complex inv_zeta = cexp(eta * x), omz = -dmft_cexpm1(-eta * x); /* 1/ζ, 1 − ζ */
    double complex den = 1.0 - cfac * zGK;
    double complex num = zGL * inv_zeta + (s2 > 0 ? cfac * s2 * zGK / omz : 0.0);
    double complex G = num / den;
    *F = eta * G;
    double eS = np->err * cabs(Sp) + nm->err * cabs(Sm);
    double eK = np->err * cabs(Kp) + nm->err * cabs(Km);
    *errF = eta * cabs(q) * (eS * cabs(inv_zeta) + cfac * eK * (s2 / cabs(omz) + cabs(G))) /
            cabs(den);
}

/* Φ′(κ) = r₁r₃ + (df − df₂)(r₁/N + r₃/P) from a node's sums */
static double complex phi_prime(const slt_dmft_workspace *w, const dmft_node *nd)
{
    return nd->r1 * nd->r3 + (nd->df - nd->df2) * (nd->r1 * w->inv_N + nd->r3 * w->inv_P);
}

/* A node's κ at z₊ and z₋, Φ′ there, the integrand F, and the largest Newton count */
static void store_node(const slt_dmft_workspace *w, double c2, double complex kp, double complex km,
                       const dmft_node *np, const dmft_node *nm, sgd_node *nd, int *newton_max)
{
    nd->kp = kp;
    nd->km = km;
    nd->dp = phi_prime(w, np);
    nd->dm = phi_prime(w, nm);
    sgd_F(w, c2, nd->x, np, nm, &nd->F, &nd->errF);
    if (np->newton > *newton_max) *newton_max = np->newton;
    if (nm->newton > *newton_max) *newton_max = nm->newton;
}

/* Talbot weights fall like e^{(2M/5)(θ cot θ − 1)} relative to the real node, whatever t;
 * nodes beyond 1e-20 of it (|F| stays bounded along the contour) are left out. */
static int sgd_active(int M)
{
    for (int j = 1; j < M; j++) {
        double th = (double)j * M_PI / M, tc = th * cos(th) / sin(th);
        double sigma = th + (tc - 1.0) * cos(th) / sin(th);
        if ((2.0 * M / 5.0) * (tc - 1.0) + 0.5 * log(1.0 + sigma * sigma) < log(1e-20)) return j;
    }
    return M;
}

/* The M half-contour nodes for time t, warm-started from the slot's previous contour
 * (along the rays θ = const) or cold from the real node. */
static int sgd_contour(slt_dmft_workspace *w, double c2, int M, double t, sgd_node *nd, int slot,
                       int *newton_max)
{
    const double r = 2.0 * M / (5.0 * t);
    for (int j = 0; j < M; j++) {
        double theta = (double)j * M_PI / M;
        if (j == 0) {
            nd[j].x = r;
            nd[j].c = r / (2.0 * M) * exp(r * t);
        } else {
            double cot = cos(theta) / sin(theta), sigma = theta + (theta * cot - 1.0) * cot;
            nd[j].x = r * theta * (cot + I);
            nd[j].c = r / (2.0 * M) * cexp(nd[j].x * t) * (1.0 + I * sigma);
        }
    }
    double complex *prev = w->sgd_warm + (size_t)slot * 5 * w->nodes;
    const int Ma = sgd_active(M);
    for (int j = Ma; j < M; j++) nd[j].F = nd[j].errF = 0.0;
    double t_prev = w->sgd_warm_time[slot];
    dmft_node np, nm;
    int rc, ok = 0;
    if (t_prev > 0) {
        int steps = 1 + (int)(fabs(log(t / t_prev)) / log(1.6));
        if (steps > 64) steps = 64;
        ok = 1;
        for (int j = 0; j < Ma && ok; j++) {
            double complex x0 = prev[5 * j], kp = prev[5 * j + 1], km = prev[5 * j + 2];
            if (steps == 1) { /* first-order predictor along the ray */
                kp += (zplus(w, nd[j].x, &c2) - zplus(w, x0, &c2)) / prev[5 * j + 3];
                km += (zminus(w, nd[j].x, &c2) - zminus(w, x0, &c2)) / prev[5 * j + 4];
            }
            rc = dmft_walk_mapped(w, zplus, &c2, x0, nd[j].x, &kp, steps, &np);
            if (!rc) rc = dmft_walk_mapped(w, zminus, &c2, x0, nd[j].x, &km, steps, &nm);
            if (rc == SLT_ENOCONV) ok = 0;
            else if (rc) return rc;
            if (!ok) break;
            store_node(w, c2, kp, km, &np, &nm, &nd[j], newton_max);
        }
    }
    if (!ok) {
        /* real node: z₊ > 0 by Brent, z₋ < −u_max along the upper half circle */
        double complex zp = zplus(w, r, &c2), zm = zminus(w, r, &c2), kp, km;
        double k0;
        if ((rc = dmft_kappa_real(w, creal(zp), &k0))) return rc;
        kp = k0;
        if ((rc = dmft_newton(w, creal(zp), &kp, &np))) return rc;
        if ((rc = dmft_kappa_left(w, creal(zm), &km, &nm))) return rc;
        for (int j = 0; j < Ma; j++) {
            if (j > 0) {
                if ((rc = dmft_walk_mapped(w, zplus, &c2, nd[j - 1].x, nd[j].x, &kp, 4, &np)))
                    return rc;
                if ((rc = dmft_walk_mapped(w, zminus, &c2, nd[j - 1].x, nd[j].x, &km, 4, &nm)))
                    return rc;
            }
            store_node(w, c2, kp, km, &np, &nm, &nd[j], newton_max);
        }
    }
    for (int j = 0; j < Ma; j++) {
        prev[5 * j] = nd[j].x;
        prev[5 * j + 1] = nd[j].kp;
        prev[5 * j + 2] = nd[j].km;
        prev[5 * j + 3] = nd[j].dp;
        prev[5 * j + 4] = nd[j].dm;
    }
    w->sgd_warm_time[slot] = t;
    return SLT_OK;
}

static void sgd_invert(const sgd_node *nd, int M, sgd_sum *o)
{
    double complex acc = nd[0].c * nd[0].F, dacc = nd[0].c * nd[0].x * nd[0].F;
    double a = cabs(nd[0].c) * nd[0].errF;
    for (int j = 1; j < M; j++) {
        acc += 2.0 * nd[j].c * nd[j].F;
        dacc += 2.0 * nd[j].c * nd[j].x * nd[j].F;
        a += 2.0 * cabs(nd[j].c) * nd[j].errF;
    }
    o->value = creal(acc);
    o->dvalue = creal(dacc);
    o->abs = a;
}

/* Talbot needs η·r <= 1 with r = 2M/(5t), i.e. n >= 2M/5 steps (M = nodes + 8 = w->nodes);
 * fewer: the circle, for n = 0 … sgd_switch − 1 */
int dmft_sgd_switch(const slt_dmft_workspace *w)
{
    return (int)ceil(2.0 * (w->p.nodes + 8) / 5.0);
}

/* L(n) for n = 0 … J by the Volterra recursion, with L_GD(j) and 𝒦(j) from the trapezoid
 * rule on a circle around the spectrum: (1/2πi)∮ g(−z)^j r(z) dz, Nc = 96 against 80 nodes. */
#define SGD_CIRCLE 96
static int sgd_small(slt_dmft_workspace *w, double c2, int J, double *L, double *Lerr)
{
    const double eta = w->eta, cfac = eta * eta / (double)w->sgd_batch;
    const double s2 = slt_task_noise(w->task);
    dmft_node *nd = w->sgd_circle;  /* SGD_CIRCLE / 2 nodes */
    double *buf = w->sgd_table;     /* 8 rows of J + 1 <= dmft_sgd_switch(w) */
    double *val[2] = {buf, buf + (J + 1)}, *err = buf + 2 * (J + 1);
    double *GD = buf + 3 * (J + 1), *K = buf + 4 * (J + 1), *eGD = buf + 5 * (J + 1),
           *eK = buf + 6 * (J + 1), *Lp = buf + 7 * (J + 1);
    int rc = SLT_OK;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        int Nc = pass == 0 ? SGD_CIRCLE : SGD_CIRCLE - 16;
        if ((rc = dmft_circle(w, Nc, 0.0, nd))) break;
        for (int j = 0; j <= J; j++) GD[j] = K[j] = eGD[j] = eK[j] = 0.0;
        for (int q = 0; q < Nc / 2; q++) {
            double complex z = nd[q].z, g = 1.0 + 2.0 * eta * z + c2 * eta * eta * z * z, gj = 1.0;
            double complex S = nd[q].kt1 / z, R = -z * nd[q].df; /* Σλ integrates to 0 */
            for (int j = 0; j <= J; j++) {
                double complex cg = 2.0 * nd[q].c * gj;
                GD[j] += creal(cg * S);
                K[j] += creal(cg * R);
                eGD[j] += cabs(cg * S) * (nd[q].err + 4 * DBL_EPSILON * (j + 1));
                eK[j] += cabs(cg * R) * (nd[q].err + 4 * DBL_EPSILON * (j + 1));
                gj *= g;
            }
        }
        GD[0] = w->target_total;
        double *Lv = val[pass];
        for (int n = 0; n <= J; n++) {
            double s = GD[n], e = eGD[n];
            for (int m = 0; m < n; m++) {
                s += cfac * K[n - 1 - m] * (Lv[m] + s2);
                e += cfac * (eK[n - 1 - m] * (Lv[m] + s2) + fabs(K[n - 1 - m]) * Lp[m]);
            }
            Lv[n] = s;
            Lp[n] = e;
        }
        if (pass == 0) memcpy(err, Lp, (size_t)(J + 1) * sizeof *err);
    }
    if (!rc)
        for (int n = 0; n <= J; n++) {
            L[n] = val[0][n];
            Lerr[n] = fabs(val[0][n] - val[1][n]) + err[n];
        }
    return rc;
}

int dmft_sgd_gain(slt_dmft_workspace *w, double *gain, double *gain_err)
{
    if (!isnan(w->sgd_gain)) {
        *gain = w->sgd_gain;
        *gain_err = w->sgd_gain_err;
        return SLT_OK;
    }
    const double c2 = c2_of(w), eta = w->eta, B = (double)w->sgd_batch;
    double umax;
    int rc = dmft_spectrum_edge(w, &umax);
    if (rc) return rc;
    if (c2 * eta * umax >= 2.0)
        return slt_error(SLT_EDOM, "dmft: online SGD with eta = %.17g, batch = %zu is unstable: "
                         "(1+1/B)*eta*u_max = %.6g >= 2 (u_max = %.6g, the top of the spectrum "
                         "of S)", eta, w->sgd_batch, c2 * eta * umax, umax);
    /* tr[S(2 − c₂ηS)^{-1}] = −df(κ(z₀))/(c₂η) at z₀ = −2/(c₂η), left of the spectrum */
    double complex k;
    dmft_node nd;
    if ((rc = dmft_kappa_left(w, -2.0 / (c2 * eta), &k, &nd))) return rc;
    w->sgd_gain = -creal(nd.df) / (c2 * B);
    w->sgd_gain_err = fabs(w->sgd_gain) * nd.err + fabs(cimag(nd.df)) / (c2 * B);
    *gain = w->sgd_gain;
    *gain_err = w->sgd_gain_err;
    return SLT_OK;
}

/* t → ∞: L_∞ = (L_∞^GD + γσ²)/(1 − γ), L_∞^GD = κ_N T₁(κ_N) (the width floor; 0 for N >= M) */
static int sgd_plateau(slt_dmft_workspace *w, double gain, double gain_err, slt_dmft_point *o)
{
    double ks;
    int rc = dmft_kappa_star(w, &ks);
    if (rc) return rc;
    double floor = 0.0, floor_err = 0.0;
    if (ks > 0) {
        slt_sum s;
        if ((rc = slt_sum_kt1(w->task, ks, &s))) return rc;
        floor = s.value;
        floor_err = s.err + 1e-14 * s.value; /* κ_* from Brent to ~1e-15 relative */
    }
    const double s2 = slt_task_noise(w->task);
    o->test = (floor + gain * s2) / (1.0 - gain);
    o->test_err = (floor_err + gain_err * s2) / (1.0 - gain) +
                  fabs(o->test) * gain_err / (1.0 - gain) + 8 * DBL_EPSILON * fabs(o->test);
    return SLT_OK;
}

int dmft_sgd_solve(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out)
{
    const double eta = w->eta, c2 = c2_of(w), s2 = slt_task_noise(w->task);
    const int M1 = w->p.nodes + 8;
    const double n_switch = dmft_sgd_switch(w);
    double gain = NAN, gain_err = NAN;
    int stab_rc = dmft_sgd_gain(w, &gain, &gain_err);
    if (!stab_rc && !(gain < 1.0))
        stab_rc = slt_error(SLT_EDOM, "dmft: online SGD with eta = %.17g, batch = %zu is unstable: "
                            "the noise gain (eta/B) tr[S(2 - c2 eta S)^-1] = %.6g >= 1", eta,
                            w->sgd_batch, gain);
    int first_rc = SLT_OK;
    w->sgd_warm_time[0] = w->sgd_warm_time[1] = 0.0;
    /* the few-step table, up to the largest requested n below the switch */
    int J = 0;
    for (size_t i = 0; i < n; i++) {
        double s = round(times[i] / eta);
        if (isfinite(s) && s < n_switch && s > J) J = (int)s;
    }
    double small_L[64], small_err[64];
    int small_rc = SLT_OK;
    if (!stab_rc && J > 0) small_rc = sgd_small(w, c2, J, small_L, small_err);
    sgd_node *hi = w->sgd_hi, *lo = w->sgd_lo; /* M1 = w->nodes each */
    size_t band_end = 0; /* points before this index use the band's contours (from band_t0) */
    double band_t0 = 0.0, band_rel0 = 0.0;
    int band_newton = 0;
    for (size_t i = 0; i < n; i++) {
        slt_dmft_point *o = &out[i];
        memset(o, 0, sizeof *o);
        o->status = SLT_OK;
        o->test_slope = o->test_slope_err = NAN;
        o->test_2d = o->train_2d = NAN;
        o->sgd_gain = gain;
        o->sgd_gain_err = gain_err;
        double steps = round(times[i] / eta);
        o->t = isfinite(times[i]) ? steps * eta : INFINITY;
        int rc = SLT_OK;
        if (stab_rc && times[i] != 0.0) { /* also when t rounds to 0 steps */
            rc = stab_rc;
        } else if (o->t == 0.0) {
            o->test = w->target_total;
            o->test_err = w->target_total_err; /* L(0) = Σ t_k, a sum's bound */
            o->test_slope = o->test_slope_err = 0.0;
        } else if (isinf(o->t)) {
            rc = sgd_plateau(w, gain, gain_err, o);
        } else if (steps < n_switch) {
            rc = small_rc;
            if (!rc) {
                o->test = small_L[(int)steps];
                o->test_err = small_err[(int)steps];
            }
        } else {
            double t = o->t;
            sgd_sum a, b;
            /* a dense run of steps shares one pair of contours (grid.c) */
            if (w->grid && i >= band_end) {
                size_t nb = dmft_grid_band(times, i, n, eta, n_switch);
                if (nb >= DMFT_GRID_MIN) {
                    band_newton = 0;
                    rc = sgd_contour(w, c2, M1, t, hi, 0, &band_newton);
                    if (!rc) rc = sgd_contour(w, c2, M1 - 2, t, lo, 1, &band_newton);
                    if (!rc) {
                        band_end = i + nb;
                        band_t0 = t;
                    }
                    rc = SLT_OK; /* on failure the points go one by one, and say why */
                }
            }
            if (i < band_end) {
                o->newton_max = band_newton;
                dmft_grid_invert(hi, M1, t - band_t0, &a);
                dmft_grid_invert(lo, M1 - 2, t - band_t0, &b);
                double rel = (fabs(a.value - b.value) + a.abs) / fabs(a.value);
                if (t == band_t0) band_rel0 = rel;
                /* the guard (dmft.md §17): an estimate grown past 8× the band's first one
                 * (or 1e-10) is not trusted; the point gets its own contours, which ends
                 * the band (they overwrite its nodes) */
                if (!(rel <= fmax(DMFT_GRID_GROWTH * band_rel0, 1e-10))) band_end = i;
            }
            if (i >= band_end) {
                rc = sgd_contour(w, c2, M1, t, hi, 0, &o->newton_max);
                if (!rc) rc = sgd_contour(w, c2, M1 - 2, t, lo, 1, &o->newton_max);
                if (!rc) {
                    sgd_invert(hi, M1, &a);
                    sgd_invert(lo, M1 - 2, &b);
                }
            }
            if (!rc) {
                o->test = a.value;
                o->test_err = fabs(a.value - b.value) + a.abs;
                o->test_slope = t * a.dvalue / a.value;
                o->test_slope_err = t * fabs(a.dvalue - b.dvalue) / fabs(a.value) +
                                    fabs(o->test_slope) * o->test_err / fabs(a.value);
            }
        }
        if (!rc && !(isfinite(o->test) && isfinite(o->test_err)))
            rc = slt_error(SLT_ENOCONV, "dmft: the loss at t = %.6g came out non-finite (%g)",
                           o->t, o->test);
        if (!rc) {
            /* the population train loss of a fresh sample: test + σ² */
            o->train = o->test + s2;
            o->train_err = o->test_err;
        } else {
            o->status = rc;
            o->test = o->train = NAN;
            o->test_err = o->train_err = NAN;
            if (!first_rc) first_rc = rc;
        }
    }
    return first_rc;
}

int dmft_sgd_scratch(slt_dmft_workspace *w)
{
    const size_t M1 = (size_t)w->nodes, rows = (size_t)dmft_sgd_switch(w);
    w->sgd_circle = malloc((SGD_CIRCLE / 2) * sizeof *w->sgd_circle);
    w->sgd_table = malloc(8 * rows * sizeof *w->sgd_table);
    w->sgd_hi = malloc(M1 * sizeof(sgd_node));
    w->sgd_lo = malloc(M1 * sizeof(sgd_node));
    if (!w->sgd_circle || !w->sgd_table || !w->sgd_hi || !w->sgd_lo)
        return slt_error(SLT_ENOMEM, "slt_dmft_alloc: out of memory");
    return SLT_OK;
}
