/* One member of the full-batch models (gradient flow, discrete GD, ridge) solved exactly
 * from one symmetric eigendecomposition. Notation: mc_internal.h; derivation:
 * docs/theory/montecarlo.md §3.
 *
 * Primal (n <= P, or P = ∞): G = ΦᵀΦ/P (population: G = C) = U diag(e) Uᵀ,
 *   b = UᵀΦᵀy/P (population: Uᵀh0), w(t) = U c(t) with c_j = b_j ψ(e_j, t).
 * Dual (P < n): K = ΦΦᵀ/P = V diag(e) Vᵀ, ỹ = Vᵀy, w(t) = ΦᵀV c(t) with
 *   c_j = (ỹ_j/P) ψ(e_j, t)   (push-through: ψ(G)Φᵀ = Φᵀψ(K)).
 * In both, w = W c for a fixed W (U or ΦᵀV). The test loss is computed by one of two
 * routes, algebraically equal:
 *   quadratic form  L = S0 − 2 hᵀc + cᵀQc,  h = Wᵀh0,  Q = WᵀCW, precomputed once
 *                   (O(Mn² + k³)); each time then costs O(k²);
 *   mode space      u(t) = Rᵀ W c(t), L = |s − u|², all times at once (O(T(M + k)n));
 *                   cancellation-free, and what ensembles need (they average u).
 * mc_fit_prefer_modes picks the cheaper for a single model. */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"
#include "slt/status.h"

void mc_spectral(const mc_rule *rule, double e, double x, int dropped, double *psi,
                 double *rho)
{
    if (dropped) {
        *psi = 0.0;
        *rho = 1.0;
        return;
    }
    switch (rule->kind) {
    case MC_RIDGE: {
        double d = e + rule->ridge;
        *psi = 1.0 / d;
        *rho = rule->ridge / d;
        return;
    }
    case MC_GD: {
        double q = rule->eta * e; /* per-step factor 1 − q */
        if (x == 0) {
            *psi = 0.0;
            *rho = 1.0;
        } else if (isinf(x)) {
            if (q > 0 && q < 2) {
                *psi = 1.0 / e;
                *rho = 0.0;
            } else {
                *psi = NAN;
                *rho = NAN;
            }
        } else if (q < 1) {
            double l = x * log1p(-q); /* log (1 − q)^n */
            *psi = -expm1(l) / e;
            *rho = exp(l);
        } else if (q == 1) {
            *psi = 1.0 / e;
            *rho = 0.0;
        } else {
            *rho = pow(1.0 - q, x);
            *psi = (1.0 - *rho) / e;
        }
        return;
    }
    case MC_FLOW:
    default:
        if (isinf(x)) {
            *psi = 1.0 / e;
            *rho = 0.0;
        } else {
            *psi = -expm1(-e * x) / e;
            *rho = exp(-e * x);
        }
        return;
    }
}

/* ---- workspace ---------------------------------------------------------------------- */

static size_t mul(size_t a, size_t b)
{
    if (a != 0 && b > SIZE_MAX / a) return SIZE_MAX;
    return a * b;
}

static size_t add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

typedef struct {
    size_t k, vt, e, a, h, ytil, Q, T1, S, X, Cf, Wn, Wp, tn, tp;
} fit_sizes;

static fit_sizes sizes_of(size_t n, size_t P, size_t M, size_t T, int msp)
{
    fit_sizes z;
    int dual = P != 0 && P < n;
    size_t k = dual ? P : n;
    z.k = k;
    z.vt = mul(k, k);
    z.e = z.a = z.h = z.ytil = k;
    z.Q = msp ? 0 : mul(k, k);
    z.T1 = msp ? 0 : mul(k, k);
    z.S = msp ? 0 : mul(k, k);
    z.X = dual && !msp ? mul(P, M) : 0;
    z.Cf = msp ? mul(k, T) : 0;
    z.Wn = msp ? mul(n, T) : 0;
    z.Wp = msp && dual ? mul(P, T) : 0;
    z.tn = n;
    z.tp = P ? P : 1;
    return z;
}

size_t mc_fit_ws_doubles(size_t n, size_t P, size_t M, size_t T, int msp)
{
    fit_sizes z = sizes_of(n, P, M, T, msp);
    size_t all = 0;
    size_t parts[] = {z.vt, z.e,  z.a,  z.h,  z.ytil, z.Q,  z.T1, z.S,
                      z.X,  z.Cf, z.Wn, z.Wp, z.tn,   z.tp};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) all = add(all, parts[i]);
    return all;
}

void mc_fit_ws_free(mc_fit_ws *w)
{
    if (!w) return;
    double **arrays[] = {&w->vt, &w->e,  &w->a,  &w->h,  &w->ytil, &w->Q,  &w->T1,
                         &w->S,  &w->X,  &w->Cf, &w->Wn, &w->Wp,   &w->tn, &w->tp};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        free(*arrays[i]);
        *arrays[i] = NULL;
    }
}

/* P = 0 means P = ∞. */
int mc_fit_ws_alloc(mc_fit_ws *w, size_t n, size_t P, size_t M, size_t T, int msp)
{
    memset(w, 0, sizeof *w);
    fit_sizes z = sizes_of(n, P, M, T, msp);
    w->n = n;
    w->P = P;
    w->M = M;
    w->T = T;
    w->dual = P != 0 && P < n;
    w->msp = msp;
    w->k = z.k;
    struct {
        double **p;
        size_t n;
    } want[] = {{&w->vt, z.vt}, {&w->e, z.e},   {&w->a, z.a},   {&w->h, z.h},
                {&w->ytil, z.ytil}, {&w->Q, z.Q}, {&w->T1, z.T1}, {&w->S, z.S},
                {&w->X, z.X},   {&w->Cf, z.Cf}, {&w->Wn, z.Wn}, {&w->Wp, z.Wp},
                {&w->tn, z.tn}, {&w->tp, z.tp}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (want[i].n == 0) continue;
        if (want[i].n == SIZE_MAX || want[i].n > SIZE_MAX / sizeof(double) ||
            !(*want[i].p = malloc(want[i].n * sizeof(double)))) {
            mc_fit_ws_free(w);
            return SLT_ENOMEM;
        }
    }
    return SLT_OK;
}

/* ---- the map R ---------------------------------------------------------------------- */

/* out (n×n, upper triangle, row-major, leading dimension ld) = R Rᵀ. */
static void rmap_gram(const mc_rmap *R, double *out, size_t ld)
{
    size_t n = R->n;
    if (R->dense) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)R->M, 1.0, R->dense,
                    (int)R->M, 0.0, out, (int)ld);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        memset(out + i * ld, 0, n * sizeof(double));
        out[i * ld + i] = R->diag[i] * R->diag[i];
    }
}

/* out (n) = R s. */
static void rmap_apply(const mc_rmap *R, const double *s, double *out)
{
    if (R->dense) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)R->n, (int)R->M, 1.0, R->dense, (int)R->M,
                    s, 1, 0.0, out, 1);
        return;
    }
    for (size_t m = 0; m < R->M; m++) out[m] = R->diag[m] * s[m];
}

/* X (P×M) = Φ R, Φ being P×n. */
static void rmap_right(const mc_rmap *R, const double *phi, size_t P, double *X)
{
    size_t n = R->n, M = R->M;
    if (R->dense) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)P, (int)M, (int)n, 1.0, phi,
                    (int)n, R->dense, (int)M, 0.0, X, (int)M);
        return;
    }
    for (size_t mu = 0; mu < P; mu++)
        for (size_t m = 0; m < M; m++) X[mu * M + m] = phi[mu * n + m] * R->diag[m];
}

/* Ue (M×T) = Rᵀ Wn, Wn being n×T. */
static void rmap_transpose(const mc_rmap *R, const double *Wn, size_t T, double *Ue)
{
    size_t n = R->n, M = R->M;
    if (R->dense) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)T, (int)n, 1.0,
                    R->dense, (int)M, Wn, (int)T, 0.0, Ue, (int)T);
        return;
    }
    for (size_t m = 0; m < M; m++)
        for (size_t i = 0; i < T; i++) Ue[m * T + i] = R->diag[m] * Wn[m * T + i];
}

int mc_fit_prefer_modes(size_t n, size_t P, size_t M, size_t T, int dense)
{
    /* rough flop counts of the two routes for one member (P = 0: population) */
    double dn = (double)n, dP = (double)P, dM = (double)M, dT = (double)T;
    int dual = P != 0 && P < n;
    double quad, modes;
    if (P == 0) {
        quad = 0.0; /* Q = diag(e) comes with the eigenproblem */
        modes = 2 * dT * (dn * dn + (dense ? dM * dn : dM));
    } else if (!dual) {
        quad = (dense ? dM * dn * dn : dn * dn) + 4 * dn * dn * dn;
        modes = 2 * dT * (dn * dn + (dense ? dM * dn : dM));
    } else {
        quad = (dense ? 2 * dP * dn * dM : dP * dM) + dP * dP * dM + 4 * dP * dP * dP;
        modes = 2 * dT * (dP * dP + dn * dP + (dense ? dM * dn : dM));
    }
    return modes < quad;
}

/* Q (k×k) = Vt S Vtᵀ, with S symmetric (upper triangle, k×k) and T1 a k×k scratch. */
static void sandwich(const double *vt, const double *S, size_t k, double *T1, double *Q)
{
    cblas_dsymm(CblasRowMajor, CblasRight, CblasUpper, (int)k, (int)k, 1.0, S, (int)k, vt,
                (int)k, 0.0, T1, (int)k);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)k, (int)k, (int)k, 1.0, T1,
                (int)k, vt, (int)k, 0.0, Q, (int)k);
}

/* ---- the member ------------------------------------------------------------------------ */

int mc_fit_member(const mc_member *m, const mc_rule *rule, const double *x, mc_fit_ws *ws,
                  double *test, double *train, double *Ue, double *emax_out, mc_fail *fail)
{
    const mc_rmap *R = &m->R;
    const size_t n = ws->n, M = ws->M, T = ws->T, k = ws->k;
    const int pop = m->P == SLT_MC_INFINITE;
    const size_t P = pop ? 0 : m->P;
    const int dual = ws->dual, msp = ws->msp;
    double *vt = ws->vt, *e = ws->e, *a = ws->a;

    /* 1. the eigenproblem: C (population), G = ΦᵀΦ/P (primal) or K = ΦΦᵀ/P (dual), upper
     * triangle row-major = lower triangle column-major. */
    if (pop)
        rmap_gram(R, vt, n);
    else if (!dual)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)n, (int)P, 1.0 / (double)P,
                    m->phi, (int)n, 0.0, vt, (int)n);
    else
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)P, (int)n, 1.0 / (double)P,
                    m->phi, (int)n, 0.0, vt, (int)P);
    /* Column-major call on the row-major array: its eigenvectors come back as columns,
     * i.e. as rows of our row-major vt. */
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)k, vt,
                                     (lapack_int)k, e);
    if (info != 0) {
        fail->status = info > 0 ? SLT_ENOCONV : SLT_EINTERNAL;
        fail->info = (int)info;
        fail->size = k;
        fail->what = "LAPACKE_dsyevd";
        return fail->status;
    }
    double emax = e[k - 1] > 0 ? e[k - 1] : 0.0;
    *emax_out = emax;
    /* Eigenvalues at or below the rounding level of the matrix are zeros of the exact
     * problem: such directions carry no signal (b_j = 0 exactly) and are left out. */
    size_t other = pop ? n : (dual ? n : P);
    double thr = (double)(k > other ? k : other) * DBL_EPSILON * emax;

    /* 2. the coefficients a_j of c_j = a_j ψ_j. */
    double y2 = 0.0;
    if (pop) {
        rmap_apply(R, m->s, ws->tn);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)k, (int)n, 1.0, vt, (int)n, ws->tn, 1,
                    0.0, a, 1);
    } else if (!dual) {
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)P, (int)n, 1.0 / (double)P, m->phi, (int)n,
                    m->y, 1, 0.0, ws->tn, 1);
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)k, (int)n, 1.0, vt, (int)n, ws->tn, 1,
                    0.0, a, 1);
        y2 = cblas_ddot((int)P, m->y, 1, m->y, 1) / (double)P;
    } else {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)P, (int)P, 1.0, vt, (int)P, m->y, 1, 0.0,
                    ws->ytil, 1);
        for (size_t j = 0; j < k; j++) a[j] = ws->ytil[j] / (double)P;
    }

    /* 3. the maps from c to the test loss. */
    if (!msp) {
        if (pop) {
            /* Q = UᵀCU = diag(e), h = Uᵀh0 = a: handled in the loop below. */
        } else if (!dual) {
            rmap_gram(R, ws->S, n);
            sandwich(vt, ws->S, k, ws->T1, ws->Q);
            rmap_apply(R, m->s, ws->tn);
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)k, (int)n, 1.0, vt, (int)n, ws->tn, 1,
                        0.0, ws->h, 1);
        } else {
            rmap_right(R, m->phi, P, ws->X);
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)P, (int)M, 1.0, ws->X,
                        (int)M, 0.0, ws->S, (int)P);
            sandwich(vt, ws->S, k, ws->T1, ws->Q);
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)P, (int)M, 1.0, ws->X, (int)M, m->s, 1,
                        0.0, ws->tp, 1);
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)k, (int)P, 1.0, vt, (int)P, ws->tp, 1,
                        0.0, ws->h, 1);
        }
    }

    /* 4. every time: c_j = a_j ψ_j, then test and train. */
    double *c = ws->tn; /* k <= n */
    for (size_t i = 0; i < T; i++) {
        double tr = 0.0, pop_sum = 0.0;
        for (size_t j = 0; j < k; j++) {
            double psi, rho;
            mc_spectral(rule, e[j], x[i], !(e[j] > thr), &psi, &rho);
            c[j] = a[j] * psi;
            if (pop) pop_sum += a[j] * a[j] * psi * (1.0 + rho);
            else if (!dual) tr += a[j] * a[j] * psi * (1.0 + rho);
            else tr += ws->ytil[j] * ws->ytil[j] * rho * rho;
        }
        if (msp) {
            for (size_t j = 0; j < k; j++) ws->Cf[j * T + i] = c[j];
        } else if (pop) {
            test[i] = m->S0 - pop_sum;
        } else {
            /* cᵀQc with the upper triangle only, so Q is exactly symmetric. */
            cblas_dsymv(CblasRowMajor, CblasUpper, (int)k, 1.0, ws->Q, (int)k, c, 1, 0.0,
                        ws->T1, 1);
            test[i] = m->S0 - 2.0 * cblas_ddot((int)k, ws->h, 1, c, 1) +
                      cblas_ddot((int)k, c, 1, ws->T1, 1);
        }
        if (pop) train[i] = NAN; /* set below, from the test loss */
        else if (!dual) train[i] = y2 - tr;
        else train[i] = tr / (double)P;
    }
    if (msp) {
        /* w(t_i) = W c(t_i) for all times at once, then u = Rᵀw */
        if (!dual) {
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)T, (int)k, 1.0, vt,
                        (int)n, ws->Cf, (int)T, 0.0, ws->Wn, (int)T);
        } else {
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)P, (int)T, (int)P, 1.0, vt,
                        (int)P, ws->Cf, (int)T, 0.0, ws->Wp, (int)T);
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)T, (int)P, 1.0,
                        m->phi, (int)n, ws->Wp, (int)T, 0.0, ws->Wn, (int)T);
        }
        rmap_transpose(R, ws->Wn, T, Ue);
        for (size_t i = 0; i < T; i++) {
            double sum = 0.0;
            for (size_t mm = 0; mm < M; mm++) {
                double r = m->s[mm] - Ue[mm * T + i];
                sum += r * r;
            }
            test[i] = sum;
        }
    }
    if (pop)
        for (size_t i = 0; i < T; i++) train[i] = test[i] + m->noise;
    return SLT_OK;
}
