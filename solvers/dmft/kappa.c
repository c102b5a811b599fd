/* The effective ridge κ(z): κ(1 − df(κ)/N)(1 − df(κ)/P) = z (docs/theory/dmft.md §1), on
 * the physical branch. Real z >= 0: the task layer's slt_task_kappa. Complex z: Newton on
 * Φ(κ) = κ r1 r3 − z, continued from the real axis (or from the previous contour) in
 * small steps, so that it never jumps to another branch (docs/theory/dmft.md §2; solve for
 * κ, not for D or R, which picked wrong branches at tiny |z|). */
#include <float.h>
#include <math.h>

#include "dmft_internal.h"
#include "slt/status.h"

/* The real axis: the task layer's root finder in its product form with the searched
 * bracket (slt_task_kappa, SLT_KAPPA_PRODUCT_SEARCH), to 1e-15 relative in log κ, which
 * reproduces the DMFT's results from before the solvers were merged bit for bit. */
static const slt_kappa_options real_axis = {.rel_tol = 0.0, .log_rel_tol = 1e-15,
                                            .max_iter = 200,
                                            .method = SLT_KAPPA_PRODUCT_SEARCH,
                                            .kappa_star = -1.0};

int dmft_kappa_star(slt_dmft_workspace *w, double *ks)
{
    if (w->kappa_star >= 0) {
        *ks = w->kappa_star;
        return SLT_OK;
    }
    slt_kappa_result r;
    int rc = slt_task_kappa_star(w->task, fmin(w->p.N, w->p.P), &real_axis, &r);
    if (rc) return rc;
    w->kappa_star = *ks = r.kappa;
    return SLT_OK;
}

int dmft_kappa_real(slt_dmft_workspace *w, double z, double *kappa)
{
    slt_kappa_options o = real_axis;
    int rc = dmft_kappa_star(w, &o.kappa_star); /* cached: not solved again per call */
    if (rc) return rc;
    slt_kappa_result r;
    rc = slt_task_kappa(w->task, w->p.N, w->p.P, z, &o, &r);
    if (rc) return rc;
    *kappa = r.kappa;
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

/* Newton from κ(z(x_from)) to κ(z(x_to)) in `steps` equal sub-steps of x; each failure halves the
 * step (up to 6 times) before giving up. */
int dmft_walk_mapped(slt_dmft_workspace *w, dmft_map_fn map, void *ctx, double complex x_from,
                     double complex x_to, double complex *kappa, int steps, dmft_node *nd)
{
    double complex k = *kappa;
    for (int depth = 0; depth < 6; depth++) {
        int n = steps << depth, ok = 1, most = 0;
        double complex kk = k;
        for (int i = 1; i <= n && ok; i++) {
            double complex xi = x_from + (x_to - x_from) * ((double)i / n);
            int rc = dmft_newton(w, map(w, xi, ctx), &kk, nd);
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
    double complex a = map(w, x_from, ctx), b = map(w, x_to, ctx);
    return slt_error(SLT_ENOCONV, "dmft: could not continue kappa from z = %.6g%+.6gi to "
                     "%.6g%+.6gi", creal(a), cimag(a), creal(b), cimag(b));
}

static double complex identity_map(const slt_dmft_workspace *w, double complex z, void *ctx)
{
    (void)w;
    (void)ctx;
    return z;
}

/* The walk in z itself. */
static int walk(slt_dmft_workspace *w, double complex z_from, double complex z_to,
                double complex *kappa, int steps, dmft_node *nd)
{
    return dmft_walk_mapped(w, identity_map, NULL, z_from, z_to, kappa, steps, nd);
}

/* the upper half circle |z| = R: x in [0, 1] ↦ R e^{iπx} */
static double complex arc_map(const slt_dmft_workspace *w, double complex x, void *ctx)
{
    (void)w;
    double R = *(const double *)ctx;
    return R * cexp(I * M_PI * creal(x));
}

int dmft_kappa_left(slt_dmft_workspace *w, double z, double complex *kappa, dmft_node *nd)
{
    double R = fabs(z), k0;
    int rc = dmft_kappa_real(w, R, &k0);
    if (rc) return rc;
    double complex k = k0;
    if ((rc = dmft_newton(w, R, &k, nd))) return rc;
    if ((rc = dmft_walk_mapped(w, arc_map, &R, 0.0, 1.0, &k, 24, nd))) return rc;
    /* on the real axis left of the spectrum κ is real: drop the rounding residue */
    k = creal(k);
    if ((rc = dmft_newton(w, z, &k, nd))) return rc;
    *kappa = k;
    return SLT_OK;
}

/* Fixed Talbot node j of M for time t: the inversion variable w and its weight. For GD
 * with step η the resolvent is evaluated at z = (e^{ηw} − 1)/η and the weight carries
 * the Jacobian e^{ηw}: (1 + ηz)^n = e^{wηn}, so the same contour inverts discrete time. */
/* dmft_newton/walk overwrite the node's solution fields only; these keep its contour
 * fields (w, z, c) explicitly for clarity at the call sites. */
static int newton_keep(slt_dmft_workspace *w, double complex z, double complex *k, dmft_node *nd)
{
    dmft_node save = *nd;
    int rc = dmft_newton(w, z, k, nd);
    nd->w = save.w;
    nd->z = save.z;
    nd->c = save.c;
    return rc;
}

static int walk_keep(slt_dmft_workspace *w, double complex z0, double complex z1,
                     double complex *k, int steps, dmft_node *nd)
{
    dmft_node save = *nd;
    int rc = walk(w, z0, z1, k, steps, nd);
    nd->w = save.w;
    nd->z = save.z;
    nd->c = save.c;
    return rc;
}

/* e^x − 1 without cancellation at small |x| (|ηw| ≈ 2M/(5n) late: a rounded e^{ηw} − 1
 * would cost n·ε/M relative in z) */
double complex dmft_cexpm1(double complex x)
{
    double a = creal(x), b = cimag(x), sb = sin(0.5 * b);
    return expm1(a) * cos(b) - 2.0 * sb * sb + I * exp(a) * sin(b);
}

/* The Talbot node j for time t; the dynamics maps w to the resolvent variable z and
 * brings its weight factor (dyn_*.c) */
static void talbot_node(const slt_dmft_workspace *w, int j, int M, double r, double t,
                        dmft_node *nd)
{
    double theta = (double)j * M_PI / M;
    if (j == 0) {
        nd->w = r;
        nd->c = r / (2.0 * M) * exp(r * t);
    } else {
        double cot = cos(theta) / sin(theta);
        double sigma = theta + (theta * cot - 1.0) * cot;
        nd->w = r * theta * (cot + I);
        nd->c = r / (2.0 * M) * cexp(nd->w * t) * (1.0 + I * sigma);
    }
    w->dyn->laplace(w, nd);
    nd->dc = nd->w * nd->c; /* every factor of c is e^{wt} times constants */
    nd->outer = j == 0 ? 1.0 : 2.0;
}

int dmft_contour(slt_dmft_workspace *w, int M, double t, dmft_node *node, int slot)
{
    double r = 2.0 * M / (5.0 * t);
    for (int j = 0; j < M; j++) talbot_node(w, j, M, r, t, &node[j]);
    const dmft_map_fn map = w->dyn->walk_map;
    /* Re w falls with θ: nodes from the first one below the cut on are left out (c = 0,
     * κ not computed: the path to them would cross the preimage of the spectrum) */
    int kept = M;
    for (int j = 0; j < M; j++)
        if (creal(node[j].w) < w->talbot_cut) {
            kept = j;
            break;
        }
    for (int j = kept; j < M; j++) {
        node[j].c = node[j].dc = 0.0;
        node[j].kappa = NAN;
        node[j].err = 0.0;
        node[j].newton = 0;
    }
    int rc;
    /* warm start: the slot's previous contour has the same θ_j with z scaled by t_prev/t;
     * walk each node along that ray (only for a nearby, later time) */
    const dmft_node *prev = slot >= 0 ? w->warm + (size_t)slot * w->nodes : NULL;
    double t_prev = slot >= 0 ? w->warm_time[slot] : 0.0;
    if (prev && t_prev > 0 && t > t_prev && t / t_prev < 1.6) {
        int ok = 1;
        for (int j = 0; j < kept && ok; j++) {
            if (prev[j].c == 0.0) { /* left out last time: start cold */
                ok = 0;
                break;
            }
            double complex k = prev[j].kappa;
            dmft_node save = node[j];
            /* a dynamics with a walk map walks in w (e.g. the heavy ball: the upper half
             * w-plane holds no preimage of the spectrum), not along straight lines in z */
            rc = map ? dmft_walk_mapped(w, map, NULL, prev[j].w, node[j].w, &k, 1, &node[j])
                     : walk(w, prev[j].z, node[j].z, &k, 1, &node[j]);
            node[j].w = save.w;
            node[j].z = save.z;
            node[j].c = save.c;
            if (rc == SLT_ENOCONV) ok = 0;
            else if (rc) return rc;
        }
        if (ok) return SLT_OK;
    }
    /* cold start: real root at θ = 0, then outward in θ with four sub-steps per node */
    double k0;
    if ((rc = dmft_kappa_real(w, creal(node[0].z), &k0))) return rc;
    double complex k = k0;
    if ((rc = newton_keep(w, node[0].z, &k, &node[0]))) return rc;
    for (int j = 1; j < kept; j++) {
        if (map) {
            dmft_node save = node[j];
            rc = dmft_walk_mapped(w, map, NULL, node[j - 1].w, node[j].w, &k, 4, &node[j]);
            node[j].w = save.w;
            node[j].z = save.z;
            node[j].c = save.c;
        } else {
            rc = walk_keep(w, node[j - 1].z, node[j].z, &k, 4, &node[j]);
        }
        if (rc) return rc;
    }
    return SLT_OK;
}

int dmft_circle(slt_dmft_workspace *w, int Nc, double n_steps, dmft_node *node)
{
    double umax;
    int rc = dmft_spectrum_edge(w, &umax);
    if (rc) return rc;
    /* centre −u_max/2, radius 0.75 u_max (+ room for the atom at 0): the integrand is
     * analytic outside the spectrum, so the trapezoid rule converges like (2/3)^Nc */
    const double c0 = -0.5 * umax, R = 0.75 * umax + 1e-3 * umax, eta = w->eta;
    const int half = Nc / 2;
    /* nodes at half steps, φ_j = 2π(j + ½)/Nc: none lies on the real axis, where the
     * task layer's principal branches are not defined for negative z */
    for (int j = 0; j < half; j++) {
        double phi = 2.0 * M_PI * (j + 0.5) / Nc;
        dmft_node *nd = &node[j];
        nd->z = c0 + R * cexp(I * phi);
        /* (1/2πi)∮ (1+ηz)^n F dz = (1/Nc) Σ (z − c0)(1 + ηz)^n F(z) */
        nd->c = (nd->z - c0) * cpow(1.0 + eta * nd->z, n_steps) / Nc;
        nd->w = NAN; /* no time derivative on the circle */
        nd->dc = NAN;
        nd->outer = 2.0;
    }
    /* start on the real axis right of the spectrum, then walk the upper half */
    double z0 = c0 + R, k0;
    if ((rc = dmft_kappa_real(w, z0, &k0))) return rc;
    double complex k = k0;
    double complex zprev = z0;
    for (int j = 0; j < half; j++) {
        if ((rc = walk_keep(w, zprev, node[j].z, &k, 4, &node[j]))) return rc;
        zprev = node[j].z;
    }
    return SLT_OK;
}

/* ---- The spectrum's right edge ---------------------------------------------------- */
typedef struct {
    slt_dmft_workspace *w;
    double kappa;
    int rc;
    double iN, iP; /* the 1/N, 1/P of the kernel whose edge is sought */
    double top;    /* the top of the task's spectrum: λ_1, or λ_sup when a tail's is higher */
    int tail;      /* the task has a moment tail: df by its named complex sum */
} edge_ctx;

static double ratio_df(double l, double t, void *p)
{
    (void)t;
    return l / (l + ((edge_ctx *)p)->kappa);
}

/* The top of the task's spectrum, which every contour must enclose: λ_1, or the tail's
 * bound λ_sup when it is larger (the parities of deep ReLU kernels interleave, so a degree
 * beyond lmax may exceed the last listed levels; task.h). *tail: the task has a moment
 * tail, whose lambda_sup goes to *lambda_sup (0 without one; may be NULL). */
double dmft_spectrum_top(const slt_task *task, int *tail, double *lambda_sup)
{
    double top = slt_task_lambda(task, 1);
    slt_task_tail tl;
    if (lambda_sup) *lambda_sup = 0.0;
    /* only a task with infinitely many modes may have a tail: no message is set otherwise */
    *tail = slt_task_get_kind(task) == SLT_TASK_EXPLICIT &&
            slt_task_modes(task) == SLT_MODES_INFINITE && slt_task_get_tail(task, &tl) == SLT_OK;
    if (*tail && lambda_sup) *lambda_sup = tl.lambda_sup;
    if (*tail && !(tl.lambda_sup <= top)) top = tl.lambda_sup;
    return top;
}

/* u(x) = −z(κ) at κ = −top(1 + e^x), minimised over x: the spectral edge. A task without a
 * tail sums df(κ) = Σ λ/(λ + κ) mode by mode (the generic sum, bit for bit as before); a
 * task with one by the named complex sum at the real z = κ < −top, off the excluded segment
 * [−max(λ_1, λ_sup), 0], with its error bound added to |df| (u grows with |df|): the edge
 * is then an upper bound, and the contours around [−u_max, 0] enclose every tail mode. */
static double edge_u(double x, void *p)
{
    edge_ctx *c = p;
    c->kappa = -c->top * (1.0 + exp(x));
    double adf;
    if (c->tail) {
        slt_csum s;
        int rc = slt_csum_df(c->w->task, c->kappa, &s);
        if (rc && !c->rc) c->rc = rc;
        adf = fabs(creal(s.value)) + s.err;
        return fabs(c->kappa) * (1.0 + adf * c->iP) * (1.0 + adf * c->iN);
    }
    slt_sum s;
    int rc = slt_task_sum(c->w->task, ratio_df, c, NULL, &s);
    if (rc && !c->rc) c->rc = rc;
    double r1 = 1.0 - s.value * c->iP, r3 = 1.0 - s.value * c->iN;
    return -c->kappa * r1 * r3;
}

/* the edge for 1/N = iN, 1/P = iP (the workspace's kernel, or the population one) */
static int spectrum_edge_at(slt_dmft_workspace *w, double iN, double iP, double *u_max)
{
    edge_ctx c = {w, 0, 0, iN, iP, 0.0, 0};
    c.top = dmft_spectrum_top(w->task, &c.tail, NULL);
    if (iN == 0.0 && iP == 0.0) {
        *u_max = c.top;
        return SLT_OK;
    }
    /* scan a log grid of x for the minimum, then golden-section refinement */
    double best_x = 0, best = INFINITY;
    for (int i = 0; i <= 120; i++) {
        double x = -30.0 + 0.4 * i, u = edge_u(x, &c);
        if (c.rc) return c.rc;
        if (u < best) { best = u; best_x = x; }
    }
    double a = best_x - 0.4, b = best_x + 0.4;
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double x1 = b - g * (b - a), x2 = a + g * (b - a), f1 = edge_u(x1, &c), f2 = edge_u(x2, &c);
    for (int it = 0; it < 100 && b - a > 1e-10; it++) {
        if (f1 < f2) { b = x2; x2 = x1; f2 = f1; x1 = b - g * (b - a); f1 = edge_u(x1, &c); }
        else { a = x1; x1 = x2; f1 = f2; x2 = a + g * (b - a); f2 = edge_u(x2, &c); }
    }
    if (c.rc) return c.rc;
    *u_max = fmin(f1, f2);
    return SLT_OK;
}

int dmft_spectrum_edge(slt_dmft_workspace *w, double *u_max)
{
    if (w->u_max >= 0) {
        *u_max = w->u_max;
        return SLT_OK;
    }
    int rc = spectrum_edge_at(w, w->inv_N, w->inv_P, &w->u_max);
    if (rc) {
        w->u_max = -1.0;
        return rc;
    }
    *u_max = w->u_max;
    return SLT_OK;
}

int dmft_population_edge(slt_dmft_workspace *w, double *u_H)
{
    return spectrum_edge_at(w, w->inv_N, 0.0, u_H);
}

/* u(κ) = −κ(1 − df/N)(1 − df/P) for real κ in (0, κ_*): −z on the real branch below κ_* */
static double gap_u(slt_dmft_workspace *w, double log_kappa, int *rc)
{
    double kappa = exp(log_kappa);
    slt_sum df;
    int r = slt_sum_df(w->task, kappa, &df);
    if (r && !*rc) *rc = r;
    if (w->has_tail && !r) {
        /* the tail's df is known within err: the smaller u of the two ends, so that u_min,
         * the decay rate the late route relies on, is never overstated (u rises from 0 at
         * κ_* to the gap: any lower envelope's first maximum lies below it); a df not
         * resolved to 1e-6 gives no gap (the late route is then not used) */
        if (!(df.err <= 1e-6 * fabs(df.value)) && !*rc)
            *rc = slt_error(SLT_ELOSS, "dmft: the spectral gap lies where the task's tail is not "
                            "resolved (df(%g) = %g +- %g)", kappa, df.value, df.err);
        double lo = df.value - df.err, hi = df.value + df.err;
        return fmin(-kappa * (1.0 - lo * w->inv_P) * (1.0 - lo * w->inv_N),
                    -kappa * (1.0 - hi * w->inv_P) * (1.0 - hi * w->inv_N));
    }
    return -kappa * (1.0 - df.value * w->inv_P) * (1.0 - df.value * w->inv_N);
}

int dmft_spectrum_gap(slt_dmft_workspace *w, double *u_min)
{
    double ks;
    int rc = dmft_kappa_star(w, &ks);
    if (rc) return rc;
    *u_min = 0.0;
    /* κ_* = 0: no zero modes to separate (min(N, P) >= M); N = P: the bulk reaches 0 */
    if (!(ks > 0) || w->inv_N == w->inv_P) return SLT_OK;
    /* from κ_* down in log κ: −z rises from 0 to the edge, the first local maximum */
    const double h = 0.05, x0 = log(ks);
    double prev = 0.0, cur = 0.0;
    int i, found = 0;
    for (i = 1; i <= 4000; i++) {
        cur = gap_u(w, x0 - h * i, &rc);
        if (rc) return rc;
        if (!isfinite(cur)) return SLT_OK;
        if (i > 1 && cur < prev) {
            found = 1;
            break;
        }
        prev = cur;
    }
    if (!found) return SLT_OK;
    /* the maximum lies in [x0 − h·i, x0 − h·(i − 2)]: golden section */
    double a = x0 - h * i, b = x0 - h * (i - 2);
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double x1 = b - g * (b - a), x2 = a + g * (b - a);
    double f1 = gap_u(w, x1, &rc), f2 = gap_u(w, x2, &rc);
    for (int it = 0; it < 100 && b - a > 1e-10; it++) {
        if (f1 > f2) { b = x2; x2 = x1; f2 = f1; x1 = b - g * (b - a); f1 = gap_u(w, x1, &rc); }
        else { a = x1; x1 = x2; f1 = f2; x2 = a + g * (b - a); f2 = gap_u(w, x2, &rc); }
    }
    if (rc) return rc;
    double u = fmax(f1, f2);
    if (u > 0 && isfinite(u)) *u_min = u;
    return SLT_OK;
}
