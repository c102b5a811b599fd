/* Loss assembly of the lazy DMFT (docs/theory/dmft.md §1, §3, §13): per-node mode sums, the
 * two-frequency sums by partial fractions, the 2×2 system, the 2-D and 1-D Talbot sums,
 * the t → ∞ closed forms, and the error estimate from two node counts. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmft_internal.h"
#include "slt/status.h"

static size_t node_g_size(void); /* sizeof the per-node sums of two_frequency */
static size_t pair_val_size(void); /* sizeof a pair value of two_frequency */

static double lambda_only(double l, double t, void *ctx)
{
    (void)t;
    (void)ctx;
    return l;
}

int slt_dmft_alloc(const slt_task *task, const slt_dmft_params *p, slt_dmft_workspace **out)
{
    if (!out) return slt_error(SLT_EINVAL, "slt_dmft_alloc: workspace pointer is NULL");
    *out = NULL;
    if (!task) return slt_error(SLT_EINVAL, "slt_dmft_alloc: task is NULL");
    int rc = slt_dmft_params_check(p);
    if (rc) return rc;
    slt_dmft_workspace *w = calloc(1, sizeof *w);
    if (!w) return slt_error(SLT_ENOMEM, "slt_dmft_alloc: out of memory");
    w->task = task;
    w->p = *p;
    w->dyn = dmft_dynamics_select(p);
    w->inv_N = isinf(p->N) ? 0.0 : 1.0 / p->N;
    w->inv_P = isinf(p->P) ? 0.0 : 1.0 / p->P;
    w->eta = p->eta;
    w->kappa_star = -1.0;
    w->u_max = -1.0;
    w->momentum = p->momentum;
    w->talbot_cut = -INFINITY;
    w->sgd_gain = w->sgd_gain_err = NAN;
    w->grid = 1;
    w->nodes = p->nodes + 8; /* the largest contour: 1-D */
    size_t n = (size_t)(2 * w->nodes);
    w->node = calloc(n, sizeof *w->node);
    w->node_lo = calloc(n, sizeof *w->node_lo);
    w->warm = calloc(DMFT_WARM_SLOTS * (size_t)w->nodes, sizeof *w->warm);
    /* online SGD, and full-batch GD, which may route through the SGD solver */
    const int sgd_path = w->dyn->sgd_warm;
    if (sgd_path) w->sgd_warm = calloc(2 * 5 * (size_t)w->nodes, sizeof *w->sgd_warm);
    /* the online-SGD solver's batch noise: full-batch GD routes through it with B = ∞
     * and c₂ = 1 (dyn_gd.c); fixed here, so a solve never rewrites p */
    w->sgd_batch = p->batch > 0 ? p->batch : SIZE_MAX;
    w->sgd_form = p->batch > 0 ? p->sgd_form : SLT_DMFT_SGD_LIMIT;
    /* the scratch of a solve, sized once: the 2-D sums over a Talbot contour (2M − 1
     * nodes) or over the ellipse (at most DMFT_ELLIPSE_MAX nodes), the ellipse's own
     * nodes and mode values, and the online-SGD solver's contours and tables */
    const int ellipse = w->dyn->use_ellipse || p->contour == SLT_DMFT_CONTOUR_ELLIPSE;
    w->pair_g_cap = ellipse ? DMFT_ELLIPSE_MAX : (int)n;
    w->pair_g = malloc((size_t)w->pair_g_cap * node_g_size());
    if (ellipse) {
        w->ell_node = malloc(DMFT_ELLIPSE_MAX * sizeof *w->ell_node);
        w->ell_mode = malloc(DMFT_ELLIPSE_MAX * 3 / 2 * sizeof *w->ell_mode);
    }
    /* a dense band on the general path (docs/theory/dmft.md §17): every dynamics but online
     * SGD, which has its own (grid.c) */
    int band_ok = 1;
    if (p->batch == 0 && 2 * p->nodes - 1 <= DMFT_BAND_MAXN) {
        const size_t n2 = (size_t)(2 * p->nodes - 1), n2lo = n2 - 4, n1 = n2 + 16, n1lo = n1 - 4;
        w->band_pair = malloc((n2 * n2 + n2lo * n2lo) * pair_val_size());
        w->band_node = malloc((n2 + n2lo + n1 + n1lo) * sizeof *w->band_node);
        w->band_scratch = malloc(n1 * sizeof *w->band_scratch);
        band_ok = w->band_pair && w->band_node && w->band_scratch;
    }
    if (!w->node || !w->node_lo || !w->warm || (sgd_path && !w->sgd_warm) || !w->pair_g ||
        (ellipse && (!w->ell_node || !w->ell_mode)) || (sgd_path && dmft_sgd_scratch(w)) || !band_ok) {
        slt_dmft_free(w);
        return slt_error(SLT_ENOMEM, "slt_dmft_alloc: out of memory");
    }
    slt_sum s;
    /* explicit: slt_sum_trace is the generic loop bit for bit and works with a moment
       tail; power laws keep the general engine's value */
    rc = slt_task_get_kind(task) == SLT_TASK_EXPLICIT
             ? slt_sum_trace(task, &s)
             : slt_task_sum(task, lambda_only, NULL, NULL, &s);
    if (rc) {
        slt_dmft_free(w);
        return rc;
    }
    w->trace = s.value;
    if ((rc = slt_sum_target(task, &s))) {
        slt_dmft_free(w);
        return rc;
    }
    w->target_total = s.value;
    w->target_total_err = s.err;
    (void)dmft_spectrum_top(task, &w->has_tail, &w->tail_sup);
    *out = w;
    return SLT_OK;
}

void slt_dmft_free(slt_dmft_workspace *w)
{
    if (!w) return;
    free(w->node);
    free(w->node_lo);
    free(w->warm);
    free(w->sgd_warm);
    free(w->pair_g);
    free(w->ell_node);
    free(w->ell_mode);
    free(w->sgd_circle);
    free(w->sgd_table);
    free(w->sgd_hi);
    free(w->sgd_lo);
    free(w->band_pair);
    free(w->band_node);
    free(w->band_scratch);
    free(w);
}

int slt_dmft_spectrum_edge(slt_dmft_workspace *w, double *u_max)
{
    if (!w || !u_max) return slt_error(SLT_EINVAL, "slt_dmft_spectrum_edge: NULL argument");
    return dmft_spectrum_edge(w, u_max);
}

int slt_dmft_sgd_gain(slt_dmft_workspace *w, double *gain, double *gain_err)
{
    if (!w || !gain) return slt_error(SLT_EINVAL, "slt_dmft_sgd_gain: NULL argument");
    if (!w->dyn->gain)
        return slt_error(SLT_EINVAL, "slt_dmft_sgd_gain: batch = 0 (the gain is for online SGD)");
    double e = NAN;
    int rc = w->dyn->gain(w, gain, &e);
    if (gain_err) *gain_err = e;
    return rc;
}

int slt_dmft_kappa_star(slt_dmft_workspace *w, double *ks)
{
    if (!w || !ks) return slt_error(SLT_EINVAL, "slt_dmft_kappa_star: NULL argument");
    return dmft_kappa_star(w, ks);
}

int slt_dmft_kappa(slt_dmft_workspace *w, double complex z, double complex *kappa)
{
    if (!w || !kappa) return slt_error(SLT_EINVAL, "slt_dmft_kappa: NULL argument");
    if (!(cabs(z) > 0) || !isfinite(cabs(z)))
        return slt_error(SLT_EINVAL, "slt_dmft_kappa: z = %g%+gi (expected finite, nonzero)",
                         creal(z), cimag(z));
    double k0;
    int rc = dmft_kappa_real(w, cabs(z), &k0);
    if (rc) return rc;
    /* along the arc from |z| to z in 64 steps of argument */
    double complex k = k0;
    double phi = carg(z);
    dmft_node nd;
    for (int i = 0; i <= 64; i++) {
        double complex zi = cabs(z) * cexp(I * phi * i / 64.0);
        if ((rc = dmft_newton(w, zi, &k, &nd))) return rc;
    }
    *kappa = k;
    return SLT_OK;
}

/* ---- Per-node data for the assembly ------------------------------------------------ */

/* The one-frequency sums G_w(κ) = Σ_k w_k/(κ+λ_k) and G_w'(κ) for the four weights
 * w = t, λ, λ², λt, from df, df2, κT₁, κ²T₂ (so the tails of the task layer apply). */
typedef struct {
    double complex G[4], dG[4];
} node_g;

enum { W_T = 0, W_L, W_L2, W_LT };

static size_t node_g_size(void) { return sizeof(node_g); }

static void node_sums(const slt_dmft_workspace *w, const dmft_node *n, node_g *g)
{
    double complex k = n->kappa;
    double complex T1 = n->kt1 / k, T2 = n->k2t2 / (k * k);
    g->G[W_T] = T1;
    g->dG[W_T] = -T2;
    g->G[W_L] = n->df;
    g->dG[W_L] = -(n->df - n->df2) / k;
    g->G[W_L2] = w->trace - k * n->df;
    g->dG[W_L2] = -n->df2;
    g->G[W_LT] = w->target_total - n->kt1;
    g->dG[W_LT] = -T1 + k * T2;
}

/* Writes the conjugates of nodes 1 … m−1 (in reverse order) to dst: the real function
 * makes F(z̄) = conj F(z), and the weights are conjugate too. */
static void mirror_from(const dmft_node *src, int first, int m, dmft_node *dst)
{
    for (int j = first; j < m; j++) {
        dmft_node *c = &dst[m - 1 - j];
        *c = src[j];
        c->w = conj(src[j].w);
        c->z = conj(src[j].z);
        c->c = conj(src[j].c);
        c->dc = conj(src[j].dc);
        c->outer = 0.0;
        c->kappa = conj(src[j].kappa);
        c->r1 = conj(src[j].r1);
        c->r3 = conj(src[j].r3);
        c->df = conj(src[j].df);
        c->df2 = conj(src[j].df2);
        c->kt1 = conj(src[j].kt1);
        c->k2t2 = conj(src[j].k2t2);
    }
}

static void mirror(const dmft_node *src, int m, dmft_node *dst)
{
    mirror_from(src, 1, m, dst);
}

/* Full contour (2M − 1 nodes, negative θ as conjugates) for time t, into buf; the M
 * half-contour nodes are remembered in the warm-start slot. */
static int full_contour(slt_dmft_workspace *w, int M, double t, dmft_node *buf, int slot)
{
    int rc = dmft_contour(w, M, t, buf, slot);
    if (rc) {
        w->warm_time[slot] = 0.0;
        return rc;
    }
    memcpy(w->warm + (size_t)slot * w->nodes, buf, (size_t)M * sizeof *buf);
    w->warm_time[slot] = t;
    mirror(buf, M, buf + M);
    return SLT_OK;
}

typedef struct {
    double test, test_abs;   /* Re Σ c c' 𝓛 and Σ |c c' 𝓛| (rounding amplification) */
    double dtest;            /* Re Σ c c' (z + z') 𝓛: dL/dt */
    double train2d, train2d_abs;
    double cross, cross_abs; /* ensemble cross-replica loss */
} sums2d;

/* the pair values of the 2-D sum, kept for a dense band (store != NULL, n x n, row a, column b) */
typedef struct {
    double complex L, Xt;
    double absL, absXt; /* |L|, |Xt|: the rounding sums at other times */
} pair_val;

static size_t pair_val_size(void) { return sizeof(pair_val); }

static int two_frequency(const slt_dmft_workspace *w, const dmft_node *nd, int n, sums2d *o,
                         pair_val *store)
{
    const double iN = w->inv_N, iP = w->inv_P, s2 = slt_task_noise(w->task);
    node_g *g = w->pair_g;
    memset(o, 0, sizeof *o);
    if (n > w->pair_g_cap) /* the caps in slt_dmft_alloc cover every contour */
        return slt_error(SLT_EINTERNAL, "dmft: %d contour nodes exceed the workspace's %d", n,
                         w->pair_g_cap);
    for (int j = 0; j < n; j++) node_sums(w, &nd[j], &g[j]);
    double complex acc = 0, dacc = 0, tacc = 0, xacc = 0;
    /* the outer loop over the upper half only (the integrand is real: the lower half's
     * pairs are the conjugates of the upper half's), each pair counted `outer` times */
    for (int a = 0; a < n; a++) {
        if (nd[a].outer == 0.0 || nd[a].c == 0.0) continue;
        const double mult = nd[a].outer;
        double complex acc_a = 0, dacc_a = 0, tacc_a = 0, xacc_a = 0;
        double test_abs_a = 0, train_abs_a = 0, cross_abs_a = 0;
        for (int b = 0; b < n; b++) {
            if (nd[b].c == 0.0) continue; /* left out (beyond the cut) */
            const dmft_node *A = &nd[a], *B = &nd[b];
            double complex Q[4];
            double complex dk = B->kappa - A->kappa;
            if (a == b)
                for (int k = 0; k < 4; k++) Q[k] = -g[a].dG[k];
            else if (cabs(dk) <= 1e-5 * cabs(A->kappa))
                /* (nearly) one κ twice: the last Talbot node with few steps sits on the real
                 * axis beyond the spectrum, where κ is real and its mirror image is the same
                 * number (0/0 gave NaN). The midpoint derivative is off by |dk|²|G‴|/24, below
                 * 1e-11 relative here; the divided difference would lose ε|κ|/|dk| */
                for (int k = 0; k < 4; k++) Q[k] = -0.5 * (g[a].dG[k] + g[b].dG[k]);
            else
                for (int k = 0; k < 4; k++) Q[k] = (g[a].G[k] - g[b].G[k]) / dk;
            double complex zz = A->z * B->z, pref = A->kappa * B->kappa / zz;
            double complex S0 = pref * Q[W_T], S1 = pref * Q[W_L], S2 = pref * Q[W_L2],
                           S2t = pref * Q[W_LT];
            double complex q = A->r1 * B->r1, s = A->r3 * B->r3;
            /* X̃ = P·X (train), Y (model side); docs/theory/dmft.md §1, first row times P */
            double complex a11 = 1.0 - q * s * S2 * iP, a12 = -q * S1;
            double complex a21 = -s * zz * S1 * iN * iP, a22 = 1.0 - q * s * S2 * iN;
            double complex b1 = q * (S0 + s2 / zz), b2 = q * s * S2t * iN;
            double complex det = a11 * a22 - a12 * a21;
            double complex Xt = (b1 * a22 - a12 * b2) / det, Y = (a11 * b2 - a21 * b1) / det;
            double complex L = S0 + Y * S1 + s * S2 * Xt * iP;
            if (store) store[(size_t)a * n + b] = (pair_val){L, Xt, cabs(L), cabs(Xt)};
            double complex cc = A->c * B->c;
            acc_a += cc * L;
            dacc_a += (A->dc * B->c + A->c * B->dc) * L;
            tacc_a += cc * Xt;
            double e = A->err + B->err;
            test_abs_a += e * cabs(cc * L);
            train_abs_a += e * cabs(cc * Xt);
            if (w->p.ensemble > 1) {
                double complex Lx;
                if (w->p.share == SLT_SHARE_DATA) {
                    double complex Xx = q * (S0 + s2 / zz) / (1.0 - q * s * S2 * iP);
                    Lx = S0 + s * S2 * Xx * iP;
                } else if (w->p.share == SLT_SHARE_PROJECTION) {
                    double complex Yx = q * s * S2t * iN / (1.0 - q * s * S2 * iN);
                    Lx = S0 + S1 * Yx;
                } else {
                    Lx = S0;
                }
                xacc_a += cc * Lx;
                cross_abs_a += e * cabs(cc * Lx);
            }
        }
        acc += mult * acc_a;
        dacc += mult * dacc_a;
        tacc += mult * tacc_a;
        xacc += mult * xacc_a;
        o->test_abs += mult * test_abs_a;
        o->train2d_abs += mult * train_abs_a;
        o->cross_abs += mult * cross_abs_a;
    }
    o->test = creal(acc);
    o->dtest = creal(dacc);
    o->train2d = creal(tacc);
    o->cross = creal(xacc);
    return SLT_OK;
}

/* 1-D inversions on a contour for time 2t: the train loss 𝒯 and, at P = ∞, 𝒮. */
typedef struct {
    double train, train_abs, dtrain; /* 𝒯(2t), its rounding bound, d/dt 𝒯(2t) */
    double test, test_abs, dtest;    /* 𝒮(2t) (the P = ∞ test loss), likewise */
} sums1d;

static void one_frequency(const slt_dmft_workspace *w, const dmft_node *nd, int n, sums1d *o)
{
    const double s2 = slt_task_noise(w->task);
    double complex tr = 0, dtr = 0, te = 0, dte = 0;
    memset(o, 0, sizeof *o);
    for (int j = 0; j < n; j++) {
        if (nd[j].c == 0.0) continue; /* left out (beyond the cut) */
        double complex T = nd[j].r1 * (nd[j].kt1 + s2) / nd[j].z, S = nd[j].kt1 / nd[j].z;
        tr += nd[j].c * T;
        dtr += nd[j].dc * T;
        te += nd[j].c * S;
        dte += nd[j].dc * S;
        o->train_abs += nd[j].err * cabs(nd[j].c * T);
        o->test_abs += nd[j].err * cabs(nd[j].c * S);
    }
    o->train = creal(tr);
    o->dtrain = 2.0 * creal(dtr); /* d/dt f(2t) = 2 f'(2t) */
    o->test = creal(te);
    o->dtest = 2.0 * creal(dte);
}

/* ---- t → ∞ (docs/theory/dmft.md §1, §13, with label noise) ------------------------- */
static int limit_point(slt_dmft_workspace *w, slt_dmft_point *o)
{
    const double N = w->p.N, P = w->p.P, s2 = slt_task_noise(w->task);
    double M = slt_task_modes_total(w->task);
    double ks;
    int rc = dmft_kappa_star(w, &ks);
    if (rc) return rc;
    o->test_err = o->train_err = 0;
    if (isinf(N) && isinf(P)) {
        o->test = 0.0;
        o->train = s2;
        return SLT_OK;
    }
    if (N == P && N < M) {
        /* the test loss diverges; the train loss is 0: the N x N feature matrix of the P = N
         * samples is invertible, so the ridgeless limit interpolates every (noisy) label,
         * the limit of train = (1 - N/P)^2 (L + noise) from N < P and of train = 0 from N > P */
        o->test = INFINITY;
        o->test_err = NAN; /* no error estimate for a divergent value */
        o->train = o->train_err = 0.0;
        o->status = SLT_EDIVERGE;
        return slt_error(SLT_EDIVERGE, "dmft: at N = P = %.17g the loss diverges as t -> inf "
                         "(the double-descent peak)", N);
    }
    if (ks == 0.0) {
        /* min(N, P) >= M: least squares on the M-dimensional feature space */
        if (isinf(P)) { o->test = 0.0; o->train = s2; return SLT_OK; }
        if (P > M) {
            o->test = s2 * M / (P - M);
            o->train = s2 * (P - M) / P;
            return SLT_OK;
        }
        if (s2 == 0.0) { o->test = o->train = 0.0; return SLT_OK; }
        o->test = INFINITY; /* P = M samples of M features: interpolated, train 0 */
        o->train = o->train_err = 0.0;
        o->test_err = NAN;
        o->status = SLT_EDIVERGE;
        return slt_error(SLT_EDIVERGE, "dmft: P = M = %.17g with label noise diverges as t -> inf", P);
    }
    slt_sum d1, d2, t1, t2;
    if ((rc = slt_sum_df(w->task, ks, &d1)) || (rc = slt_sum_df2(w->task, ks, &d2)) ||
        (rc = slt_sum_kt1(w->task, ks, &t1)) || (rc = slt_sum_k2t2(w->task, ks, &t2)))
        return rc;
    double rel = (d1.err / d1.value + t1.err / t1.value + t2.err / fmax(t2.value, DBL_MIN));
    if (N < P) {
        double f = 1.0 - N / P; /* 0 < f <= 1; f = 1 at P = ∞ */
        o->test = t1.value / f + (isinf(P) ? 0.0 : s2 * N / (P - N));
        o->train = f * f * (o->test + s2);
    } else {
        double D2 = d2.value, g = D2 / P;
        o->test = t2.value / (1.0 - g) + (isinf(N) ? 0.0 : P * t1.value / (N - P)) +
                  s2 * (isinf(N) ? g / (1.0 - g) : P * (N - D2) / ((N - P) * (P - D2)) - 1.0);
        o->train = 0.0; /* interpolation */
    }
    o->test_err = fabs(o->test) * (rel + 64 * DBL_EPSILON);
    o->train_err = fabs(o->train) * (rel + 64 * DBL_EPSILON);
    return SLT_OK;
}

/* The point's losses from the 2-D sums at two node counts (hi, lo) and, when have_1d, the
 * 1-D sums (without them the 2-D train loss stands in: heavy ball on Talbot contours,
 * where the square of the oscillator is not an oscillator at 2t). drop_err bounds what the
 * contour leaves out, relative to L(0) + σ². */
static void assemble(const slt_dmft_workspace *w, double t, const sums2d *hi, const sums2d *lo,
                     sums1d h1, sums1d l1, int have_1d, double drop_err, slt_dmft_point *o)
{
    const double E = w->p.ensemble;
    const int ens = w->p.ensemble > 1, ens_inf = isinf(w->p.ensemble);
    if (!have_1d) {
        h1.train = hi->train2d;
        l1.train = lo->train2d;
        h1.train_abs = hi->train2d_abs;
    }
    double test2d = hi->test, test2d_err = fabs(hi->test - lo->test) + hi->test_abs;
    double test, test_err, dtest, dtest_err;
    if (isinf(w->p.P) && !ens && have_1d) { /* the exact 1-D reduction is the accurate one */
        test = h1.test;
        test_err = fabs(h1.test - l1.test) + h1.test_abs;
        dtest = h1.dtest;
        dtest_err = fabs(h1.dtest - l1.dtest);
    } else {
        test = test2d;
        test_err = test2d_err;
        dtest = hi->dtest;
        dtest_err = fabs(hi->dtest - lo->dtest);
    }
    if (ens) {
        double cross_err = fabs(hi->cross - lo->cross) + hi->cross_abs;
        if (ens_inf) {
            test = hi->cross;
            test_err = cross_err;
        } else {
            test = hi->cross + (hi->test - hi->cross) / E;
            test_err = cross_err + test_err / E;
        }
    }
    const double scale = drop_err * (w->target_total + slt_task_noise(w->task));
    o->test = test;
    o->test_err = test_err + scale;
    o->test_2d = test2d;
    o->train = ens ? NAN : h1.train;
    o->train_err = ens ? NAN : fabs(h1.train - l1.train) + h1.train_abs + scale;
    o->train_2d = hi->train2d;
    if (!ens && isfinite(dtest)) {
        o->test_slope = t * dtest / test;
        o->test_slope_err = t * dtest_err / fabs(test) + fabs(o->test_slope) * o->test_err / fabs(test);
    }
}

/* A point on the ellipse around the whole spectrum (ellipse.c, docs/theory/dmft.md §11):
 * K nodes against 7K/8 for the error estimate. The 2-D sums weigh a node pair by
 * φ_t(−z)φ_t(−z′), the 1-D sums a node by φ_t(−z)², so one set of nodes serves both. */
static int ellipse_point(slt_dmft_workspace *w, double t, double steps, slt_dmft_point *o)
{
    double R;
    int K, rc = dmft_ellipse_size(w, t, steps, &R, &K);
    if (rc) return rc;
    /* K <= DMFT_ELLIPSE_MAX nodes and jac, φ, φ′ per upper-half node, sized at alloc for
     * every dynamics that may take the ellipse */
    dmft_node *buf = w->ell_node;
    double complex *mode = w->ell_mode;
    if (!buf || !mode)
        return slt_error(SLT_EINTERNAL, "dmft: the workspace has no ellipse buffers");
    sums2d s2[2];
    sums1d s1[2];
    for (int pass = 0; pass < 2 && !rc; pass++) {
        const int Kp = pass == 0 ? K : (K * 7 / 8) & ~1, half = Kp / 2;
        if ((rc = dmft_ellipse(w, Kp, R, buf))) break;
        int newton = 0;
        for (int j = 0; j < half; j++) {
            double complex *m = &mode[3 * j];
            m[0] = buf[j].c;
            dmft_mode(w, t, steps, -buf[j].z, &m[1], &m[2]);
            buf[j].c = m[0] * m[1];
            buf[j].dc = m[0] * m[2];
            if (buf[j].newton > newton) newton = buf[j].newton;
        }
        if (pass == 0) o->newton_max = newton;
        mirror_from(buf, 0, half, buf + half);
        if ((rc = two_frequency(w, buf, Kp, &s2[pass], NULL))) break;
        for (int j = 0; j < half; j++) {
            const double complex *m = &mode[3 * j];
            buf[j].c = m[0] * m[1] * m[1];
            buf[j].dc = m[0] * m[1] * m[2];
        }
        mirror_from(buf, 0, half, buf + half);
        one_frequency(w, buf, Kp, &s1[pass]);
    }
    if (rc) return rc;
    assemble(w, t, &s2[0], &s2[1], s1[0], s1[1], 1, 0.0, o);
    return SLT_OK;
}

/* ---- Late times: the t = ∞ closed form plus a bound on the remainder ------------------
 * (docs/theory/dmft.md §13). For flow and GD the readout is a(t) = a_∞ + v(t) with
 * v(t) = e^{−Kt}v(0) in the range of K (v_n = (1 − ηK)ⁿv_0 for GD), so with u_min the
 * bottom of the nonzero spectrum of K, u_H the top of the population covariance H and
 * D(t) = L̂(t) − L̂_∞ = vᵀKv (the train loss is the quadratic form of K):
 *   D(t) <= D(t₀)·f,  f = e^{−2u_min(t − t₀)} (GD: q^{2(n − n₀)}, q = max|1 − ηu| on the
 *   spectrum), and the clean test loss ‖e_∞ + Φv‖² differs from L_∞ = ‖e_∞‖² by at most
 *   2√(L_∞·Q) + Q with Q = vᵀHv <= (u_H/u_min)·D (at P = ∞, H = K: by at most D itself).
 * Past the time where both bounds fall below 1e-14·(L(0) + σ²), the point is L_∞ with
 * the bound added to its error: the contour there would need κ − κ_* below rounding. */
typedef struct {
    int state;            /* 0: not yet tried, 2: spectrum known, 1: ready, −1: not available */
    double u_min, u_H, u_K, q; /* q: GD's contraction per step; u_K the top of K */
    double t0, steps0;    /* the anchor */
    double D0;            /* upper bound of D(t₀) */
    double t_late;        /* from here on the late route */
    slt_dmft_point inf;   /* the t = ∞ point */
} late_route;

static int limit_point(slt_dmft_workspace *w, slt_dmft_point *o);

/* the remainder bounds at time t (steps for GD); Q bounds vᵀHv */
static void late_bounds(const slt_dmft_workspace *w, const late_route *lr, double t, double steps,
                        double *r_test, double *r_train, double *Q_out)
{
    double f = w->dyn->discrete ? exp(2.0 * (steps - lr->steps0) * log(lr->q))
                          : exp(-2.0 * lr->u_min * (t - lr->t0));
    double D = lr->D0 * f;
    double Q = isinf(w->p.P) ? D : lr->u_H / lr->u_min * D;
    *r_train = D;
    *r_test = isinf(w->p.P) ? D : 2.0 * sqrt((lr->inf.test + lr->inf.test_err) * Q) + Q;
    if (Q_out) *Q_out = Q;
}

int slt_dmft_solve(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out);

/* Stage 1 (state 0 → 2 or −1): the spectrum's gap and edges and the anchor time t₀, cheap.
 * Stage 2 (state 2 → 1 or −1), only once a time reaches t₀: the anchor point, the t = ∞
 * point and t_late. Never fails the solve: without the route the contour is used. */
static void late_setup(slt_dmft_workspace *w, late_route *lr, double t)
{
    if (lr->state == 0) {
        lr->state = -1;
        if (dmft_spectrum_gap(w, &lr->u_min) || !(lr->u_min > 0)) return;
        if (dmft_spectrum_edge(w, &lr->u_K) || dmft_population_edge(w, &lr->u_H)) return;
        if (w->dyn->discrete) {
            lr->q = fmax(fabs(1.0 - w->eta * lr->u_min), fabs(1.0 - w->eta * lr->u_K));
            if (!(lr->q < 1.0)) return;
        }
        /* the anchor: 8 time constants of the slowest mode, a time the contour resolves */
        lr->t0 = 8.0 / lr->u_min;
        lr->steps0 = 0.0;
        if (w->dyn->discrete) {
            lr->steps0 = ceil(lr->t0 / w->eta);
            lr->t0 = lr->steps0 * w->eta;
        }
        lr->state = 2;
    }
    if (lr->state != 2 || t < lr->t0) return;
    lr->state = -1;
    slt_dmft_point a;
    double t0 = lr->t0;
    w->no_late = 1;
    int rc = slt_dmft_solve(w, &t0, 1, &a);
    w->no_late = 0;
    for (int s = 0; s < DMFT_WARM_SLOTS; s++) w->warm_time[s] = 0.0;
    if (rc || a.status != SLT_OK) return;
    if (limit_point(w, &lr->inf) || !isfinite(lr->inf.test) || !isfinite(lr->inf.train)) return;
    lr->D0 = fmax(0.0, (a.train + a.train_err) - (lr->inf.train - lr->inf.train_err));
    /* t_late: both bounds below tol (doubling, then bisection in log t; they fall with t) */
    const double tol = 1e-14 * (w->target_total + slt_task_noise(w->task));
    double lo = t0, hi = 2.0 * t0, rt = INFINITY, rr = INFINITY;
    for (int k = 0; k < 200; k++) {
        late_bounds(w, lr, hi, w->dyn->discrete ? hi / w->eta : 0.0, &rt, &rr, NULL);
        if (rt <= tol && rr <= tol) break;
        lo = hi;
        hi *= 2.0;
    }
    if (!(rt <= tol && rr <= tol)) return;
    for (int k = 0; k < 60; k++) {
        double mid = sqrt(lo * hi);
        late_bounds(w, lr, mid, w->dyn->discrete ? mid / w->eta : 0.0, &rt, &rr, NULL);
        if (rt <= tol && rr <= tol) hi = mid;
        else lo = mid;
    }
    lr->t_late = hi;
    lr->state = 1;
}

/* Gradient flow (continuous, also with momentum) at 0 < t <= DMFT_TINY_T/u_max: every
 * mode has moved by at most 2·t·u_max·L(0) <= 2e-18·L(0), below the rounding of L(0),
 * and the Talbot nodes (|z| ~ nodes/t) would overflow. The point is L(0) (docs/theory/dmft.md §1,
 * t = 0) with that bound as its error. */
#define DMFT_TINY_T 1e-18

/* t is such a time (u_max: NaN when no time is below 1e-3, then none is) */
static int tiny_time(double t, double umax)
{
    return t > 0 && t * umax <= DMFT_TINY_T;
}

/* ---- The Talbot point at one time, and dense bands of times (docs/theory/dmft.md §17) ----
 * A point on the Talbot contours: two 2-D contours (M2, M2 − 2 nodes) for t and, when the
 * dynamics has the 1-D reduction, two 1-D contours (M1, M1 − 2) for 2t. With keep set the
 * contours are also kept for a band: the 2-D pair values and the nodes. */
typedef struct {
    int active;
    int discrete;
    double t0, s0;         /* the band's first time (its steps when discrete) */
    double umax;           /* the last time (steps) the band takes */
    double prev;           /* the last time (steps) taken: times must not decrease */
    double rel0, rel0_train; /* the first point's relative estimates */
    int newton;            /* the first point's newton_max */
    int one_d;
} dense_band;

/* the 2-D sums at t0 + dt from a band's kept nodes and pair values: the weights become
 * c·e^{w·dt}, d c/dt = w·c (every factor of c is e^{wt} times constants) */
static void band_two(const dmft_node *nd, int n, const pair_val *pv, double dt, sums2d *o)
{
    double complex c[DMFT_BAND_MAXN], dc[DMFT_BAND_MAXN];
    double ac[DMFT_BAND_MAXN]; /* |c| */
    memset(o, 0, sizeof *o);
    for (int j = 0; j < n; j++) {
        c[j] = nd[j].c == 0.0 ? 0.0 : nd[j].c * cexp(nd[j].w * dt);
        dc[j] = nd[j].w * c[j];
        ac[j] = cabs(c[j]);
    }
    double complex acc = 0, dacc = 0, tacc = 0;
    for (int a = 0; a < n; a++) {
        if (nd[a].outer == 0.0 || nd[a].c == 0.0) continue;
        double complex acc_a = 0, dacc_a = 0, tacc_a = 0;
        double test_abs_a = 0, train_abs_a = 0;
        const pair_val *row = pv + (size_t)a * n;
        for (int b = 0; b < n; b++) {
            if (nd[b].c == 0.0) continue;
            double complex cc = c[a] * c[b];
            acc_a += cc * row[b].L;
            dacc_a += (dc[a] * c[b] + c[a] * dc[b]) * row[b].L;
            tacc_a += cc * row[b].Xt;
            double e = nd[a].err + nd[b].err;
            const double acc2 = e * ac[a] * ac[b]; /* |c c'| = |c||c'| */
            test_abs_a += acc2 * row[b].absL;
            train_abs_a += acc2 * row[b].absXt;
        }
        acc += nd[a].outer * acc_a;
        dacc += nd[a].outer * dacc_a;
        tacc += nd[a].outer * tacc_a;
        o->test_abs += nd[a].outer * test_abs_a;
        o->train2d_abs += nd[a].outer * train_abs_a;
    }
    o->test = creal(acc);
    o->dtest = creal(dacc);
    o->train2d = creal(tacc);
}

/* the 1-D sums of a kept contour (for 2t0) at 2t0 + dt2 */
static void band_one(const slt_dmft_workspace *w, const dmft_node *nd, int n, double dt2,
                     dmft_node *scratch, sums1d *o)
{
    for (int j = 0; j < n; j++) {
        scratch[j] = nd[j];
        if (nd[j].c == 0.0) continue;
        scratch[j].c = nd[j].c * cexp(nd[j].w * dt2);
        scratch[j].dc = nd[j].w * scratch[j].c;
    }
    one_frequency(w, scratch, n, o);
}

static int talbot_point(slt_dmft_workspace *w, double t, double steps, const dmft_plan *plan,
                        int keep, slt_dmft_point *o)
{
    const dmft_dynamics *dyn = w->dyn;
    const int M2 = w->p.nodes, M1 = w->p.nodes + 8;
    const int n2 = 2 * M2 - 1, n2lo = 2 * (M2 - 2) - 1, n1 = 2 * M1 - 1, n1lo = 2 * (M1 - 2) - 1;
    pair_val *pv = keep ? w->band_pair : NULL;
    int rc = SLT_OK;
    sums2d hi, lo;
    sums1d h1, l1;
    memset(&h1, 0, sizeof h1);
    memset(&l1, 0, sizeof l1);
    if (!rc) rc = full_contour(w, M2, t, w->node, 0);
    if (!rc) rc = two_frequency(w, w->node, n2, &hi, pv);
    for (int j = 0; !rc && j < M2; j++)
        if (w->node[j].newton > o->newton_max) o->newton_max = w->node[j].newton;
    if (!rc && keep) memcpy(w->band_node, w->node, (size_t)n2 * sizeof *w->node);
    if (!rc) rc = full_contour(w, M2 - 2, t, w->node_lo, 1);
    if (!rc) rc = two_frequency(w, w->node_lo, n2lo, &lo, pv ? pv + (size_t)n2 * n2 : NULL);
    if (!rc && keep) memcpy(w->band_node + n2, w->node_lo, (size_t)n2lo * sizeof *w->node);
    /* 1-D quantities are inverse transforms evaluated at time 2t (not for an
     * oscillator: its square is not the oscillator at 2t) */
    const int one_d = dyn->one_d;
    if (!rc && one_d) rc = full_contour(w, M1, 2.0 * t, w->node, 2);
    if (!rc && one_d) one_frequency(w, w->node, n1, &h1);
    if (!rc && one_d && keep) memcpy(w->band_node + n2 + n2lo, w->node, (size_t)n1 * sizeof *w->node);
    if (!rc && one_d) rc = full_contour(w, M1 - 2, 2.0 * t, w->node_lo, 3);
    if (!rc && one_d) one_frequency(w, w->node_lo, n1lo, &l1);
    if (!rc && one_d && keep)
        memcpy(w->band_node + n2 + n2lo + n1, w->node_lo, (size_t)n1lo * sizeof *w->node);
    /* what the contour leaves out, relative to L(0) + σ² (e.g. the oscillating GD
     * modes, q^n per factor; the underdamped heavy ball beyond the cut) */
    double drop = dyn->drop ? dyn->drop(plan, t, steps) : 0.0;
    if (!rc) assemble(w, t, &hi, &lo, h1, l1, one_d, drop, o);
    return rc;
}

/* the relative estimates a band's guard compares */
static double rel_est(double v, double e) { return e / fabs(v); }

/* A point of an active band at time t (steps when discrete) from the kept contours; 0 when
 * the guard refuses it (its estimate grew beyond DMFT_GRID_GROWTH times the first's): the
 * caller then solves it with its own contours. */
static int band_point(slt_dmft_workspace *w, const dense_band *bd, double t, double steps,
                      const dmft_plan *plan, slt_dmft_point *o)
{
    const int M2 = w->p.nodes, M1 = w->p.nodes + 8;
    const int n2 = 2 * M2 - 1, n2lo = 2 * (M2 - 2) - 1, n1 = 2 * M1 - 1, n1lo = 2 * (M1 - 2) - 1;
    const double dt = bd->discrete ? (steps - bd->s0) * w->eta : t - bd->t0;
    const dmft_node *nd = w->band_node;
    const pair_val *pv = w->band_pair;
    sums2d hi, lo;
    sums1d h1, l1;
    memset(&h1, 0, sizeof h1);
    memset(&l1, 0, sizeof l1);
    band_two(nd, n2, pv, dt, &hi);
    band_two(nd + n2, n2lo, pv + (size_t)n2 * n2, dt, &lo);
    if (bd->one_d) {
        band_one(w, nd + n2 + n2lo, n1, 2.0 * dt, w->band_scratch, &h1);
        band_one(w, nd + n2 + n2lo + n1, n1lo, 2.0 * dt, w->band_scratch, &l1);
    }
    double drop = w->dyn->drop ? w->dyn->drop(plan, t, steps) : 0.0;
    slt_dmft_point p = *o;
    assemble(w, t, &hi, &lo, h1, l1, bd->one_d, drop, &p);
    const double r = rel_est(p.test, p.test_err), rt = rel_est(p.train, p.train_err);
    if (!(r <= fmax(DMFT_GRID_GROWTH * bd->rel0, 1e-10)) ||
        !(rt <= fmax(DMFT_GRID_GROWTH * bd->rel0_train, 1e-10)))
        return 0;
    p.newton_max = bd->newton;
    *o = p;
    return 1;
}

/* The points at times[0 … n−1]; a continuous-time t with tiny_time(t, umax) is solved as
 * t = 0 (slt_dmft_solve adds the bound). A dynamics' own solver gets the times as asked:
 * the dynamics with one are discrete, where no time is tiny. */
static int solve_points(slt_dmft_workspace *w, const double *times, size_t n, double umax,
                        slt_dmft_point *out)
{
    const dmft_dynamics *dyn = w->dyn;
    if (dyn->solve) { /* a dynamics with its own solver, or its own route here */
        int done = 0, rc = dyn->solve(w, times, n, out, &done);
        if (done) return rc;
    }
    /* 2-D contours: M2 nodes (M2 − 2 for the error estimate); 1-D (talbot_point): M2 + 8 */
    const int M2 = w->p.nodes;
    const int ens = w->p.ensemble > 1;
    const int force_ellipse = w->p.contour == SLT_DMFT_CONTOUR_ELLIPSE;
    int first_rc = SLT_OK;
    for (int s = 0; s < DMFT_WARM_SLOTS; s++) w->warm_time[s] = 0.0;
    /* once per solve: the dynamics' stability edge (its error fails every t > 0) and its
     * contour plan: what the Talbot contour leaves out and until when the ellipse is used */
    dmft_plan plan = {.rc = SLT_OK, .talbot_cut = -INFINITY};
    if (dyn->plan) dyn->plan(w, &plan);
    const int gd_rc = plan.rc;
    late_route late = {0};
    dense_band band = {0}; /* a band of times sharing contours (§17) */
    const int late_ok = dyn->one_d && !ens && !force_ellipse && !w->no_late;
    for (size_t i = 0; i < n; i++) {
        int general = 0; /* the point took the Talbot branch */
        slt_dmft_point *o = &out[i];
        const double ti = !dyn->discrete && tiny_time(times[i], umax) ? 0.0 : times[i];
        memset(o, 0, sizeof *o);
        o->t = ti;
        o->status = SLT_OK;
        o->test_slope = o->test_slope_err = NAN;
        o->train_2d = o->test_2d = NAN;
        o->sgd_gain = o->sgd_gain_err = NAN;
        int rc = SLT_OK;
        double steps = 0;
        if (dyn->discrete && isfinite(ti)) {
            steps = round(ti / w->eta);
            o->t = steps * w->eta;
        }
        const int finite_t = isfinite(o->t) && o->t > 0;
        /* which contour: the dynamics decides when the Talbot contour cannot resolve t */
        int ellipse = 0;
        if (finite_t && force_ellipse) ellipse = 1;
        else if (finite_t && dyn->use_ellipse) ellipse = dyn->use_ellipse(w, &plan, o->t, steps, M2);
        w->talbot_cut = plan.talbot_cut;
        int is_late = 0;
        if (!gd_rc && late_ok && finite_t) {
            late_setup(w, &late, o->t);
            is_late = late.state == 1 && o->t >= late.t_late;
        }
        if (gd_rc && ti != 0.0) { /* also when t rounds to 0 steps */
            rc = gd_rc;
        } else if (is_late) {
            double r_test, r_train, Q;
            late_bounds(w, &late, o->t, steps, &r_test, &r_train, &Q);
            o->test = late.inf.test;
            o->test_err = late.inf.test_err + r_test;
            o->train = late.inf.train;
            o->train_err = late.inf.train_err + r_train;
            o->test_2d = o->test;
            o->train_2d = o->train;
            /* flow: dL/dt = 2⟨e_∞ + Φv, Φv̇⟩ with v̇ = −Kv, so |dL/dt| <= 2(√L_∞ + √Q)·
             * u_K√(u_H|v|²) and |v|² <= D/u_min: the local exponent is 0 within that
             * (GD: no time derivative, as on the ellipse) */
            if (dyn->discrete) {
                o->test_slope = o->test_slope_err = NAN;
            } else {
                double v2 = r_train / late.u_min;
                double dL = 2.0 * (sqrt(late.inf.test + late.inf.test_err) + sqrt(Q)) *
                            late.u_K * sqrt(late.u_H * v2);
                o->test_slope = 0.0;
                o->test_slope_err = o->t * dL / fmax(o->test - o->test_err, DBL_MIN);
            }
        } else if (ellipse) {
            rc = ellipse_point(w, o->t, steps, o);
        } else if (o->t == 0.0) {
            o->test = w->target_total;
            o->train = w->target_total + slt_task_noise(w->task);
            o->test_err = o->train_err = w->target_total_err; /* L(0) = Σ t_k, a sum's bound */
            o->test_slope = 0.0;
            o->test_slope_err = 0.0;
            o->train_2d = o->train;
            o->test_2d = o->test;
        } else if (isinf(ti)) {
            rc = limit_point(w, o);
            if (ens && rc == SLT_OK) {
                o->test = NAN; /* the ensemble limit needs the cross term at z → 0 */
                rc = slt_error(SLT_EDOM, "dmft: the t -> inf limit of an ensemble is not "
                               "implemented; use a large finite t");
            }
        } else {
            general = 1;
            const double u = dyn->discrete ? steps : o->t; /* the band's unit */
            int done = 0;
            if (band.active && u >= band.prev && u <= band.umax)
                done = band_point(w, &band, o->t, steps, &plan, o);
            if (done) {
                band.prev = u;
            } else {
                /* its own contours; kept when a band can start here */
                band.active = 0;
                const int keep = w->grid && !ens && w->band_pair &&
                                 dmft_grid_band(times, i, n, dyn->discrete ? w->eta : 0.0, 1.0) >=
                                     DMFT_GRID_MIN;
                rc = talbot_point(w, o->t, steps, &plan, keep, o);
                if (!rc && keep && isfinite(o->test) && isfinite(o->train)) {
                    band.active = 1;
                    band.discrete = dyn->discrete;
                    band.one_d = dyn->one_d;
                    band.t0 = o->t;
                    band.s0 = steps;
                    band.prev = u;
                    band.umax = dyn->discrete ? floor(steps * DMFT_GRID_RATIO) : o->t * DMFT_GRID_RATIO;
                    band.rel0 = rel_est(o->test, o->test_err);
                    band.rel0_train = rel_est(o->train, o->train_err);
                    band.newton = o->newton_max;
                }
            }
        }
        if (!general) band.active = 0;
        if (rc) {
            if (o->status == SLT_OK) o->status = rc;
            if (rc != SLT_EDIVERGE) {
                o->test = o->train = NAN;
                o->test_err = o->train_err = NAN;
            }
            if (!first_rc) first_rc = rc;
        }
    }
    w->talbot_cut = -INFINITY;
    return first_rc;
}

/* Marks a point failed: NaN values, the time that was asked for (rounded to whole steps
 * with a step), and the status. */
static void fail_point(const slt_dmft_workspace *w, double t, int status, slt_dmft_point *o)
{
    memset(o, 0, sizeof *o);
    o->t = w->dyn->discrete && isfinite(t) ? round(t / w->eta) * w->eta : t;
    o->test = o->test_err = o->train = o->train_err = NAN;
    o->test_slope = o->test_slope_err = o->test_2d = o->train_2d = NAN;
    o->sgd_gain = o->sgd_gain_err = NAN;
    o->status = status;
}


int slt_dmft_solve(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out)
{
    if (!w || (!times && n) || (!out && n))
        return slt_error(SLT_EINVAL, "slt_dmft_solve: NULL argument");
    for (size_t i = 0; i < n; i++) {
        int rc = slt_check_range("slt_dmft_solve", "t", times[i], 0.0, 0, INFINITY, 0);
        if (rc) return rc;
    }
    if (n == 0) return SLT_OK;
    /* every point starts failed (status -1: not reached), so a routine that stops early
     * never leaves a point that looks computed */
    for (size_t i = 0; i < n; i++) fail_point(w, times[i], -1, &out[i]);
    double umax = NAN; /* NaN: no time is tiny */
    int tiny = 0, rc = SLT_OK;
    if (!w->dyn->discrete) {
        for (size_t i = 0; i < n && !tiny; i++) tiny = times[i] > 0 && times[i] < 1e-3;
        if (tiny) rc = dmft_spectrum_edge(w, &umax);
    }
    if (!rc) rc = solve_points(w, times, n, umax, out);
    int first_rc = SLT_OK;
    const int ens = w->p.ensemble > 1;
    for (size_t i = 0; i < n; i++) {
        slt_dmft_point *o = &out[i];
        if (o->status == -1) { /* not reached */
            o->status = rc ? rc : slt_error(SLT_EINTERNAL, "dmft: the point at t = %g was not "
                                            "computed", times[i]);
        } else if (!w->dyn->discrete && tiny_time(times[i], umax) && o->status == SLT_OK) {
            double bound = 2.0 * times[i] * umax;
            o->t = times[i];
            o->test_err += bound * o->test;
            o->train_err += bound * o->train;
            o->test_slope = o->test_slope_err = NAN;
        }
        /* never a non-finite, or a negative beyond its error, value under SLT_OK */
        if (o->status == SLT_OK &&
            (!isfinite(o->test) || !(o->test_err >= 0) || o->test < -o->test_err ||
             (!ens && (!isfinite(o->train) || !(o->train_err >= 0) || o->train < -o->train_err)))) {
            /* a soft failure (slt/status.h): NaN values, the estimate in the message */
            int s = slt_error(SLT_ELOSS, "dmft: the loss at t = %g came out as %g +- %g "
                              "(train %g +- %g): not a value within its error estimate", o->t,
                              o->test, o->test_err, o->train, o->train_err);
            fail_point(w, times[i], s, o);
        }
        /* a task with a moment tail: a bound wider than DMFT_TAIL_REL_MAX of the loss means
         * the tail (known by its moments, eigenvalues anywhere in (0, λ_sup]) is not resolved
         * at this time (λ_sup·t no longer small at N = P = ∞): said as a status, not as a
         * value with an error bar larger than itself */
        if (o->status == SLT_OK && w->has_tail && o->t > 0 &&
            !(o->test_err <= DMFT_TAIL_REL_MAX * fabs(o->test))) {
            int s = slt_error(SLT_ELOSS, "dmft: the loss at t = %g came out as %g +- %g, a bound "
                              "above %g of the loss, on a task with a moment tail "
                              "(lambda_sup = %.6g, lambda_sup*t = %.3g: the tail beyond the "
                              "listed levels is resolved while lambda_sup*t is small); list "
                              "more levels (a larger lmax)", o->t, o->test, o->test_err,
                              DMFT_TAIL_REL_MAX, w->tail_sup, w->tail_sup * o->t);
            fail_point(w, times[i], s, o);
        }
        /* a loss is >= 0: a value below 0 but within its error (rounding of a loss that has
         * all but vanished) is printed as 0, whose distance to the truth is still <= err */
        if (o->status == SLT_OK) {
            if (o->test < 0) o->test = 0.0;
            if (!ens && o->train < 0) o->train = 0.0;
        }
        if (o->status != SLT_OK && !first_rc) first_rc = o->status;
    }
    return first_rc;
}
