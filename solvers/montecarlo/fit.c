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
 * mc_fit_prefer_modes picks the cheaper for a single model.
 *
 * Resolution. The eigenproblem has rank r = min(k, M); forming the Gram matrix squares
 * the condition number, so its eigenvalues are only resolved down to about
 * max(k, other size)·ε·e_max. The k − r smallest are exact zeros and are dropped by
 * count; if one of the other r falls at or below that level (a steep spectrum: λ_k of
 * 1e-13 and below), the member is re-solved from a thin SVD (LAPACKE_dgesdd) of the
 * feature matrix X itself (Φ/√P; P = ∞: R), which resolves eigenvalues down to
 * (max(rows, cols)·ε)²·e_max, and its test loss is then evaluated in mode space (the
 * quadratic form would cancel the digits the SVD gained). Directions among the r that
 * are still below resolution are dropped and counted; where the rule would have learned
 * more than MC_FIT_DROP_TOL of them, a generic (random) member's point is NaN. */
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


typedef struct {
    size_t k, vt, e, a, h, ytil, Q, T1, S, X, Cf, Wn, Wp, tn, tp, xs, sv, ub, fw, fu;
} fit_sizes;

static fit_sizes sizes_of(size_t n, size_t P, size_t M, size_t T, int msp)
{
    fit_sizes z;
    int dual = P != 0 && P < n;
    size_t k = dual ? P : n;
    z.k = k;
    z.vt = mc_size_mul(k, k);
    z.e = z.a = z.h = z.ytil = k;
    z.Q = msp ? 0 : mc_size_mul(k, k);
    z.T1 = msp ? 0 : mc_size_mul(k, k);
    z.S = msp ? 0 : mc_size_mul(k, k);
    z.X = dual && !msp ? mc_size_mul(P, M) : 0;
    z.Cf = msp ? mc_size_mul(k, T) : 0;
    z.Wn = msp ? mc_size_mul(n, T) : 0;
    z.Wp = msp && dual ? mc_size_mul(P, T) : 0;
    z.tn = n;
    z.tp = P ? P : 1;
    /* the SVD fallback (allocated on first use): X copied (P×n, or n×M at P = ∞), its
     * singular values, the square factor, and mode-space vectors w (n) and u (M) */
    z.xs = P ? mc_size_mul(P, n) : mc_size_mul(n, M);
    z.sv = k;
    z.ub = mc_size_mul(k, k);
    z.fw = n;
    z.fu = M;
    return z;
}

size_t mc_fit_ws_doubles(size_t n, size_t P, size_t M, size_t T, int msp)
{
    fit_sizes z = sizes_of(n, P, M, T, msp);
    size_t all = 0;
    size_t parts[] = {z.vt, z.e,  z.a,  z.h,  z.ytil, z.Q,  z.T1, z.S,  z.X,  z.Cf,
                      z.Wn, z.Wp, z.tn, z.tp, z.xs,   z.sv, z.ub, z.fw, z.fu};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) all = mc_size_add(all, parts[i]);
    return all;
}

void mc_fit_ws_free(mc_fit_ws *w)
{
    if (!w) return;
    double **arrays[] = {&w->vt, &w->e,  &w->a,  &w->h,  &w->ytil, &w->Q,  &w->T1,
                         &w->S,  &w->X,  &w->Cf, &w->Wn, &w->Wp,   &w->tn, &w->tp,
                         &w->xs, &w->sv, &w->ub, &w->fw, &w->fu};
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

/* The SVD fallback's arrays, on first use (they stay with the workspace). */
static int svd_ws_alloc(mc_fit_ws *w)
{
    if (w->xs) return SLT_OK;
    fit_sizes z = sizes_of(w->n, w->P, w->M, w->T, w->msp);
    struct {
        double **p;
        size_t n;
    } want[] = {{&w->xs, z.xs}, {&w->sv, z.sv}, {&w->ub, z.ub}, {&w->fw, z.fw}, {&w->fu, z.fu}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        size_t cnt = want[i].n ? want[i].n : 1;
        if (cnt == SIZE_MAX || cnt > SIZE_MAX / sizeof(double) ||
            !(*want[i].p = malloc(cnt * sizeof(double)))) {
            for (size_t j = 0; j <= i; j++) {
                free(*want[j].p);
                *want[j].p = NULL;
            }
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

/* ---- the SVD fallback ------------------------------------------------------------------ */

/* Thin SVD (jobz 'O') of the column-major rows×cols matrix A (lda = rows; overwritten):
 * A = U diag(sv) VT with q = min(rows, cols) singular triplets, sv descending. *U
 * (rows×q, leading dimension *ldu) and *VT (q×cols, *ldvt) point into A or buf (q×q). */
static lapack_int svd_thin(size_t rows, size_t cols, double *A, double *sv, double *buf,
                           const double **U, size_t *ldu, const double **VT, size_t *ldvt)
{
    if (rows >= cols) {
        *U = A;
        *ldu = rows;
        *VT = buf;
        *ldvt = cols;
        return LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'O', (lapack_int)rows, (lapack_int)cols, A,
                              (lapack_int)rows, sv, NULL, 1, buf, (lapack_int)cols);
    }
    *U = buf;
    *ldu = rows;
    *VT = A;
    *ldvt = rows;
    return LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'O', (lapack_int)rows, (lapack_int)cols, A,
                          (lapack_int)rows, sv, buf, (lapack_int)rows, NULL, 1);
}

/* Re-solves the member's eigenproblem from the thin SVD of its feature matrix X:
 *   finite P: X = Φ/√P (P×n), G = XᵀX, K = XXᵀ; row-major X is the column-major n×P
 *             matrix Xᵀ = V_R Σ U_Lᵀ, so G's eigenvectors are V_R's columns, K's are
 *             U_L's, and ỹ = U_Lᵀy gives b = Σỹ/√P (primal) or a = ỹ/P (dual);
 *   P = ∞:    X = R (n×M), C = XXᵀ; row-major R is the column-major M×n matrix
 *             Rᵀ = V_R Σ U_Lᵀ, so C's eigenvectors are U_L's columns and b = Σ V_Rᵀ s.
 * Fills e (ascending: direction j of the SVD goes to slot k − 1 − j), vt, a and ytil
 * (finite P: ỹ in the same slots), with zero slots below when q = min(rows, cols) < k
 * (P = ∞ with M < n: those directions are exact zeros). Primal: *r2out = |y − U_L ỹ|²,
 * the part of y outside the range of Φ (0 otherwise). Dual: ws->xs (k×n, row-major) is
 * left holding the map W with w = Wᵀc. *smax = σ_max, *dim = max(rows, cols). */
static int svd_solve(const mc_member *m, mc_fit_ws *ws, double *r2out, double *smax,
                     size_t *dim, mc_fail *fail)
{
    const size_t n = ws->n, M = ws->M, k = ws->k;
    const int pop = m->P == MC_INFINITE, dual = ws->dual;
    const size_t P = pop ? 0 : m->P;
    double *vt = ws->vt, *e = ws->e, *a = ws->a;
    size_t rows, cols;
    if (pop) {
        rows = M;
        cols = n;
        memcpy(ws->xs, m->R.dense, n * M * sizeof(double));
    } else {
        rows = n;
        cols = P;
        double sc = 1.0 / sqrt((double)P);
        for (size_t i = 0; i < P * n; i++) ws->xs[i] = m->phi[i] * sc;
    }
    const size_t q = rows < cols ? rows : cols;
    const double *U, *VT;
    size_t ldu, ldvt;
    lapack_int info = svd_thin(rows, cols, ws->xs, ws->sv, ws->ub, &U, &ldu, &VT, &ldvt);
    if (info != 0) {
        fail->status = info > 0 ? SLT_ENOCONV : SLT_EINTERNAL;
        fail->info = (int)info;
        fail->size = q;
        fail->what = "LAPACKE_dgesdd";
        return fail->status;
    }
    *smax = q ? ws->sv[0] : 0.0;
    *dim = rows > cols ? rows : cols;
    *r2out = 0.0;
    for (size_t slot = 0; slot < k - q; slot++) {
        e[slot] = 0.0;
        a[slot] = 0.0;
        ws->ytil[slot] = 0.0;
        memset(vt + slot * n, 0, n * sizeof(double)); /* P = ∞ only: rows of length n */
    }
    if (pop) {
        for (size_t j = 0; j < q; j++) {
            size_t slot = k - 1 - j;
            e[slot] = ws->sv[j] * ws->sv[j];
            for (size_t i = 0; i < n; i++) vt[slot * n + i] = VT[i * ldvt + j];
            a[slot] = ws->sv[j] * cblas_ddot((int)M, U + j * ldu, 1, m->s, 1);
        }
        return SLT_OK;
    }
    /* ỹ = U_Lᵀ y (q), into tn first */
    double *yt = ws->tn;
    cblas_dgemv(CblasColMajor, CblasNoTrans, (int)q, (int)P, 1.0, VT, (int)ldvt, m->y, 1, 0.0,
                yt, 1);
    if (!dual) {
        /* k = n = q: G's eigenvectors are the columns of U (n×n) */
        double sp = 1.0 / sqrt((double)P);
        for (size_t j = 0; j < q; j++) {
            size_t slot = k - 1 - j;
            e[slot] = ws->sv[j] * ws->sv[j];
            memcpy(vt + slot * n, U + j * ldu, n * sizeof(double));
            a[slot] = ws->sv[j] * yt[j] * sp;
            ws->ytil[slot] = yt[j];
        }
        /* the part of y outside the range: y − U_L ỹ, without cancellation */
        double *r = ws->tp;
        memcpy(r, m->y, P * sizeof(double));
        cblas_dgemv(CblasColMajor, CblasTrans, (int)q, (int)P, -1.0, VT, (int)ldvt, yt, 1, 1.0,
                    r, 1);
        *r2out = cblas_ddot((int)P, r, 1, r, 1);
    } else {
        /* k = P = q: K's eigenvectors are the columns of U_L, i.e. the rows of VT */
        for (size_t j = 0; j < q; j++) {
            size_t slot = k - 1 - j;
            e[slot] = ws->sv[j] * ws->sv[j];
            for (size_t mu = 0; mu < P; mu++) vt[slot * P + mu] = VT[mu * ldvt + j];
            a[slot] = yt[j] / (double)P;
            ws->ytil[slot] = yt[j];
        }
        /* w = Φᵀ U_L c = Σ_j c_j √P σ_j v_j (Φᵀu_j = √P σ_j v_j): the right singular
         * vectors v_j are the columns of U = xs (n×P, leading dimension n), i.e. its rows
         * as a row-major P×n array. Forming Φᵀ(U_L c) instead would multiply the error of
         * the u_j of small σ_j (~ε·σ_max/σ_j) by c_j ~ 1/σ_j. Reorder them to the slots and
         * scale: xs row `slot` = √P σ_j v_j, so w = xsᵀ c like the primal's w = vtᵀ c. */
        double *V = ws->xs;
        for (size_t j = 0; j < q / 2; j++) {
            double *r1 = V + j * n, *r2 = V + (q - 1 - j) * n;
            for (size_t i = 0; i < n; i++) {
                double tmp = r1[i];
                r1[i] = r2[i];
                r2[i] = tmp;
            }
        }
        for (size_t slot = 0; slot < q; slot++)
            cblas_dscal((int)n, sqrt((double)P) * ws->sv[q - 1 - slot], V + slot * n, 1);
    }
    return SLT_OK;
}

/* The fraction e·ψ(e, x) = 1 − ρ(e, x) of a direction's signal the rule has learned by x
 * (0 for e <= 0: an exact zero learns nothing). */
static double learned_fraction(const mc_rule *rule, double e, double x)
{
    if (!(e > 0)) return 0.0;
    double psi, rho;
    mc_spectral(rule, e, x, 0, &psi, &rho);
    double f = e * psi;
    return isnan(f) ? 1.0 : f;
}

/* ---- the member ------------------------------------------------------------------------ */

int mc_fit_member(const mc_member *m, const mc_rule *rule, const double *x, mc_fit_ws *ws,
                  double *test, double *train, double *Ue, double *emax_out, unsigned char *ill,
                  mc_fit_info *fi, mc_fail *fail)
{
    const mc_rmap *R = &m->R;
    const size_t n = ws->n, M = ws->M, T = ws->T, k = ws->k;
    const int pop = m->P == MC_INFINITE;
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
    /* The rank is r = min(k, M): the k − r smallest eigenvalues are exact zeros (they carry
     * no signal, b_j = 0 exactly) and are dropped by count. The Gram matrix resolves the
     * others down to thr; at P = ∞ with N = ∞ it is diagonal, exact, and keeps all. */
    const size_t r = k < M ? k : M, z0 = k - r;
    size_t other = pop ? n : (dual ? n : P);
    double thr = (double)(k > other ? k : other) * DBL_EPSILON * emax;
    const int exact = pop && !R->dense;
    if (exact) thr = 0.0;
    const int svd = r > 0 && !exact && !(e[z0] > thr);
    double r2out = 0.0;
    if (svd) {
        double smax;
        size_t dim;
        if (svd_ws_alloc(ws)) {
            fail->status = SLT_ENOMEM;
            fail->what = "the SVD workspace";
            return SLT_ENOMEM;
        }
        int rc = svd_solve(m, ws, &r2out, &smax, &dim, fail);
        if (rc) return rc;
        emax = smax * smax;
        double ts = (double)dim * DBL_EPSILON * smax;
        thr = ts * ts;
    }
    *emax_out = emax;
    size_t kept = 0;
    for (size_t j = z0; j < k; j++) kept += e[j] > thr;
    fi->rank = r;
    fi->dropped = r - kept;
    fi->svd = svd;
    fi->thr = thr;

    /* 2. the coefficients a_j of c_j = a_j ψ_j (the SVD fallback has set them). */
    double y2 = 0.0;
    if (svd) {
        /* a, ytil from svd_solve */
    } else if (pop) {
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

    /* 3. the maps from c to the test loss (after the SVD fallback: mode space, below). */
    if (!msp && !svd) {
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

    /* 4. every time: c_j = a_j ψ_j, then test and train. The train loss is
     * |y|²/P − Σ b_j² ψ_j (1 + ρ_j) on the Gram route of the primal, else (dual, or the
     * SVD's primal) (|y − U_L ỹ|² + Σ ỹ_j² ρ_j²)/P, free of cancellation. */
    const int ytil_train = dual || (svd && !pop);
    double *c = ws->tn; /* k <= n */
    for (size_t i = 0; i < T; i++) {
        double tr = 0.0, pop_sum = 0.0;
        for (size_t j = 0; j < k; j++) {
            double psi, rho;
            mc_spectral(rule, e[j], x[i], j < z0 || !(e[j] > thr), &psi, &rho);
            c[j] = a[j] * psi;
            if (pop) pop_sum += a[j] * a[j] * psi * (1.0 + rho);
            else if (!ytil_train) tr += a[j] * a[j] * psi * (1.0 + rho);
            else tr += ws->ytil[j] * ws->ytil[j] * rho * rho;
        }
        if (msp) {
            for (size_t j = 0; j < k; j++) ws->Cf[j * T + i] = c[j];
        } else if (svd) {
            /* w = Wᵀc (W = vt, or the dual's scaled right singular vectors), u = Rᵀw,
             * L = |s − u|² */
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0, dual ? ws->xs : vt,
                        (int)n, c, 1, 0.0, ws->fw, 1);
            rmap_transpose(R, ws->fw, 1, ws->fu);
            double sum = 0.0;
            for (size_t mm = 0; mm < M; mm++) {
                double d = m->s[mm] - ws->fu[mm];
                sum += d * d;
            }
            test[i] = sum;
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
        else if (!ytil_train) {
            /* |y|²/P − Σ cancels to rounding where the model interpolates: ridgeless at
               convergence with every one of the P sample directions kept (rank P), the train
               loss is exactly 0, and rounding would make it a small number of either sign */
            int interp = r == P && fi->dropped == 0 &&
                         (rule->kind == MC_RIDGE ? rule->ridge == 0.0 : isinf(x[i]));
            train[i] = interp ? 0.0 : y2 - tr;
        }
        else train[i] = (r2out + tr) / (double)P;
    }
    if (msp) {
        /* w(t_i) = W c(t_i) for all times at once, then u = Rᵀw */
        if (!dual || svd) {
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n, (int)T, (int)k, 1.0,
                        dual ? ws->xs : vt, (int)n, ws->Cf, (int)T, 0.0, ws->Wn, (int)T);
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
                double d = m->s[mm] - Ue[mm * T + i];
                sum += d * d;
            }
            test[i] = sum;
        }
    }
    if (pop)
        for (size_t i = 0; i < T; i++) train[i] = test[i] + m->noise;

    /* 5. random inputs: a genuine direction dropped where the rule would have learned a
     * fraction of it above MC_FIT_DROP_TOL leaves the loss too large: NaN, never a number. */
    if (m->generic && fi->dropped > 0)
        for (size_t i = 0; i < T; i++) {
            if (!(learned_fraction(rule, thr, x[i]) > MC_FIT_DROP_TOL)) continue;
            test[i] = NAN;
            train[i] = NAN;
            if (msp)
                for (size_t mm = 0; mm < M; mm++) Ue[mm * T + i] = NAN;
            if (ill) ill[i] = 1;
        }
    return SLT_OK;
}
