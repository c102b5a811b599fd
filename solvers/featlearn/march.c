/* Forward marching of the discrete-time rich DMFT (march.h; equations as implemented in
 * docs/theory/featlearn.md §9).
 *
 * Row n of every two-time object needs only rows < n of the others (plus the diagonal
 * R_x(n,n) = −TrΛ/N). Per step n:
 *   1. Π row n         Π(n,·) = Π(n−1,·) + η e_{n−1} + η²γ Σ_{m<n−1} C_u(n−1,m) Π(m,·)
 *   2. Φ_w row n       Σ_{m<n} Π(n,m) Φ_u(m,·)
 *   3. C_w row n       Φ_w(m,·) C_x Φ_w(n,·)ᵀ, m <= n;  q(n) = C_w(n,n)
 *   4. Q row n         Π(n,·) + ηγ C_w^<(n,·)
 *   5. R = Φ_w̃ row n   Σ_{m<n} Q(n,m) Φ_u(m,·)
 *   6. per node j: G_j = I − H_j = λ_j R H_j (strictly lower), row n:
 *         G_j(n,l) = λ_j [R(n,l) − Σ_{l<m<n} R(n,m) G_j(m,l)];   h̄_j(n) = (H_j 1)_n
 *   7. Y_j(n,l) = (1/N) Σ_{p<n} G_j(n,p) C_x(p,l) + (λ_j/B) G_j(n,l) L(l)   (one GEMM)
 *   8. D_j(n,m) = Σ_{l<m} Y_j(n,l) G_j(m,l), m <= n, and
 *         L(n)     = Σ_j [ power_j h̄_j(n)² + (count_j/λ_j) D_j(n,n) ]
 *         C_x(n,m) = Σ_j [ λ_j power_j h̄_j(n) h̄_j(m) + count_j D_j(n,m) ]
 *                    − (1/B) Σ_j count_j λ_j G_j(n,m) L(m)  (m < n)  + δ_nm TrΛ L(n)/B
 *         R_x(n,m) = (1/N) Σ_j count_j λ_j G_j(n,m) (m < n),   R_x(n,n) = −TrΛ/N
 *   9. Φ_u row n       e_n + Σ_{m<=n} R_x(n,m) R(m,·)
 *  10. C_u row n       Φ_u(m,·) C_x Φ_u(n,·)ᵀ, m <= n
 * Σᵛ_j = (1/N) H_j C_w̃ H_jᵀ = (1/(Nλ_j²)) G_j C_x G_jᵀ because H_j R = (I − H_j)/λ_j and
 * C_w̃ = R C_x Rᵀ: C_w̃ is never formed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>
#include <omp.h>

#include "march.h"
#include "slt/status.h"

/* below this per-step work (n²K) the node loops run on one thread: a parallel region costs
 * more than it saves there, much more on a loaded machine (measured, docs/theory/featlearn.md) */
size_t march_omp_min_work = 4000000;

static inline size_t pk(size_t n, size_t m) { return n * (n + 1) / 2 + m; }

double march_bytes(size_t K, size_t T, double N)
{
    double Tn = (double)T + 1, tri = Tn * (Tn + 1) / 2;
    double d = 4 * tri + Tn * Tn + (double)K * tri + 3 * Tn * (double)K + 8 * Tn + 8 * (double)K;
    (void)N;
    return 8 * d;
}

/* the physical memory of the machine, 0 when unknown */
static double phys_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    return pages > 0 && psz > 0 ? (double)pages * (double)psz : 0;
}

/* The N side of step n (docs/theory/featlearn.md §9.2, steps 1–5): rows n of Π, Φ_w, C_w
 * (cw, and q[n] = C_w(n,n) when q is not NULL), Q (qr) and R, from rows < n of the others;
 * the same for the population and the finite-P marchings. */
static void n_side_row(size_t n, size_t Tn, double eta, double e2g, double eg,
                       const double *cu, double *Pi, double *Phw, const double *Phu,
                       const double *Cx, double *a, double *cw, double *qr, double *Rw, double *q)
{
    double *pin = Pi + pk(n, 0);
    memset(pin, 0, (n + 1) * sizeof *pin);
    if (n > 0) {
        const double *pim = Pi + pk(n - 1, 0);
        memcpy(pin, pim, (n - 1) * sizeof *pin);
        pin[n - 1] = eta;
        if (e2g != 0)
            for (size_t m = 1; m + 1 < n; m++) {
                double c = e2g * cu[m];
                const double *pr = Pi + pk(m, 0);
                for (size_t l = 0; l < m; l++) pin[l] += c * pr[l];
            }
    }
    double *phw = Phw + pk(n, 0);
    memset(phw, 0, (n + 1) * sizeof *phw);
    for (size_t m = 0; m < n; m++) {
        double c = pin[m];
        const double *pr = Phu + pk(m, 0);
        for (size_t l = 0; l <= m; l++) phw[l] += c * pr[l];
    }
    if (n > 0)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, Cx, (int)Tn, phw, 1,
                    0.0, a, 1);
    for (size_t m = 0; m <= n; m++) {
        const double *pr = Phw + pk(m, 0);
        double s = 0;
        for (size_t l = 0; l < m; l++) s += pr[l] * a[l];
        cw[m] = s;
    }
    if (q) q[n] = cw[n];
    for (size_t m = 0; m < n; m++) qr[m] = pin[m] + eg * cw[m];
    double *rn = Rw + pk(n, 0);
    memset(rn, 0, (n + 1) * sizeof *rn);
    for (size_t m = 0; m < n; m++) {
        double c = qr[m];
        const double *pr = Phu + pk(m, 0);
        for (size_t l = 0; l <= m; l++) rn[l] += c * pr[l];
    }
}

int march_run(const fl_nodes *nd, const slt_featlearn_params *p, double eta, size_t T,
              double *test, double *q, size_t *valid)
{
    *valid = 0;
    if (isfinite(p->P)) /* finite data: the data-side process (test loss only here) */
        return march_run_data(nd, p, eta, T, 1 / p->P, test, NULL, q, valid);
    size_t K = nd->K, Tn = T + 1;
    double need = march_bytes(K, T, p->N), have = phys_bytes();
    if (have > 0 && need > 0.8 * have)
        return slt_error(SLT_ENOMEM, "featlearn march: %zu steps on %zu spectral nodes need "
                         "%.3g bytes, more than 80%% of this machine's %.3g (lower the horizon "
                         "or raise eta)", T, K, need, have);
    double invN = isfinite(p->N) ? 1 / p->N : 0;
    double invB = p->batch > 0 ? 1.0 / (double)p->batch : 0;
    double gam = p->gamma, e2g = eta * eta * gam, eg = eta * gam, tr = nd->trace;
    int noise = invN > 0 || invB > 0;
    size_t tri = Tn * (Tn + 1) / 2;
    double *Pi = malloc(tri * sizeof *Pi), *Phw = malloc(tri * sizeof *Phw),
           *Phu = malloc(tri * sizeof *Phu), *Rw = malloc(tri * sizeof *Rw),
           *Cx = malloc(Tn * Tn * sizeof *Cx), *G = malloc(tri * K * sizeof *G),
           *hb = malloc(Tn * K * sizeof *hb), *Y = malloc(Tn * K * sizeof *Y),
           *rows = malloc(8 * Tn * sizeof *rows), *nw = malloc(4 * K * sizeof *nw);
    if (!Pi || !Phw || !Phu || !Rw || !Cx || !G || !hb || !Y || !rows || !nw) {
        free(Pi), free(Phw), free(Phu), free(Rw), free(Cx), free(G), free(hb), free(Y),
            free(rows), free(nw);
        return slt_error(SLT_ENOMEM, "featlearn march: out of memory (%zu steps on %zu spectral "
                         "nodes need %.3g bytes)", T, K, need);
    }
    double *cu = rows, *cw = rows + Tn, *qr = rows + 2 * Tn, *rx = rows + 3 * Tn,
           *a = rows + 4 * Tn, *b = rows + 5 * Tn, *L = rows + 6 * Tn;
    /* per-node constants: λ, λ·power, count·λ, count/λ */
    double *lam = nw, *lp = nw + K, *cl = nw + 2 * K, *cdl = nw + 3 * K;
    for (size_t j = 0; j < K; j++) {
        lam[j] = nd->lambda[j];
        lp[j] = nd->lambda[j] * nd->power[j];
        cl[j] = nd->count[j] * nd->lambda[j];
        cdl[j] = nd->count[j] / nd->lambda[j];
    }
    double L0 = 0;
    for (size_t j = 0; j < K; j++) L0 += nd->power[j];
    double Lmin = L0;
    int rc = SLT_OK;
    for (size_t n = 0; n < Tn; n++) {
        /* 1.–5. Π, Φ_w, C_w, q, Q, R rows n */
        n_side_row(n, Tn, eta, e2g, eg, cu, Pi, Phw, Phu, Cx, a, cw, qr, Rw, q);
        const double *rn = Rw + pk(n, 0);
        /* 6. G row n (every node), h̄(n) */
        double *gn = G + pk(n, 0) * K;
        for (size_t l = 0; l < n; l++)
            for (size_t j = 0; j < K; j++) gn[l * K + j] = rn[l];
        for (size_t j = 0; j < K; j++) gn[n * K + j] = 0;
        /* rows m of G streamed in storage order (one flat axpy per row); each thread owns a
         * block of columns l, every element accumulates over m in increasing order */
#pragma omp parallel if (n * n * K > march_omp_min_work)
        {
            size_t nt = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
            size_t l0 = n * id / nt, l1 = n * (id + 1) / nt;
            for (size_t m = l0 + 1; m < n; m++) {
                double r = rn[m];
                const double *gm = G + pk(m, 0) * K;
                size_t e = (m < l1 ? m : l1) * K;
                for (size_t x = l0 * K; x < e; x++) gn[x] -= r * gm[x];
            }
            for (size_t l = l0; l < l1; l++)
                for (size_t j = 0; j < K; j++) gn[l * K + j] *= lam[j];
        }
        double *hn = hb + n * K;
        for (size_t j = 0; j < K; j++) hn[j] = 1;
        for (size_t l = 0; l < n; l++)
            for (size_t j = 0; j < K; j++) hn[j] -= gn[l * K + j];
        /* 7. Y row n */
        if (noise && n > 0) {
            if (invN > 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)n,
                            invN, Cx, (int)Tn, gn, (int)K, 0.0, Y, (int)K);
            else
                memset(Y, 0, n * K * sizeof *Y);
            if (invB > 0)
                for (size_t l = 0; l < n; l++)
                    for (size_t j = 0; j < K; j++) Y[l * K + j] += invB * lam[j] * gn[l * K + j] * L[l];
        }
        /* 8. D, L(n), C_x row n, R_x row n */
        double Ln = 0, cxnn = 0;
        {
            /* the diagonal first: L(n) enters C_x(n,n) and nothing else of row n */
            double s = 0, c = 0;
            for (size_t j = 0; j < K; j++) {
                double d = 0;
                if (noise)
                    for (size_t l = 0; l < n; l++) d += Y[l * K + j] * gn[l * K + j];
                s += nd->power[j] * hn[j] * hn[j] + cdl[j] * d;
                c += lp[j] * hn[j] * hn[j] + nd->count[j] * d;
            }
            Ln = s;
            cxnn = c + tr * Ln * invB;
        }
        L[n] = Ln;
        test[n] = Ln;
        if (!isfinite(Ln) || Ln > MARCH_DIVERGE_FACTOR * L0 || Ln > MARCH_GROWTH_FACTOR * Lmin ||
            !isfinite(cw[n])) {
            rc = slt_error(SLT_EDIVERGE, "featlearn march: the discrete dynamics diverged at step "
                           "n = %zu (t = %.6g; loss %.3g, lowest so far %.3g, L(0) = %.3g, q = %.3g) with eta = %.17g: "
                           "the step is too large for the rich kernel, which grows like "
                           "lambda_1 (1 + gamma q); lower eta", n, eta * (double)n, Ln, Lmin,
                           L0, cw[n], eta);
            break;
        }
        if (Ln < Lmin) Lmin = Ln;
        *valid = n + 1;
        Cx[n * Tn + n] = cxnn;
        rx[n] = -tr * invN;
#pragma omp parallel for schedule(static) if (n * n * K > march_omp_min_work)
        for (size_t m = 0; m < n; m++) {
            const double *gm = G + pk(m, 0) * K, *hm = hb + m * K, *gnm = gn + m * K;
            double s = 0, r = 0;
            for (size_t j = 0; j < K; j++) {
                double d = 0;
                if (noise)
                    for (size_t l = 0; l < m; l++) d += Y[l * K + j] * gm[l * K + j];
                s += lp[j] * hn[j] * hm[j] + nd->count[j] * d - invB * cl[j] * gnm[j] * L[m];
                r += cl[j] * gnm[j];
            }
            Cx[n * Tn + m] = Cx[m * Tn + n] = s;
            rx[m] = invN * r;
        }
        /* 9. Φ_u row n */
        double *phu = Phu + pk(n, 0);
        memset(phu, 0, (n + 1) * sizeof *phu);
        phu[n] = 1;
        if (invN > 0)
            for (size_t m = 1; m <= n; m++) {
                double c = rx[m];
                const double *pr = Rw + pk(m, 0);
                for (size_t l = 0; l < m; l++) phu[l] += c * pr[l];
            }
        /* 10. C_u row n: b = C_x Φ_u(n,·)ᵀ, C_u(n,m) = Φ_u(m,·)·b */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(n + 1), (int)(n + 1), 1.0, Cx, (int)Tn,
                    phu, 1, 0.0, b, 1);
        for (size_t m = 0; m <= n; m++) {
            const double *pr = Phu + pk(m, 0);
            double s = 0;
            for (size_t l = 0; l <= m; l++) s += pr[l] * b[l];
            cu[m] = s;
        }
    }
    free(Pi), free(Phw), free(Phu), free(Rw), free(Cx), free(G), free(hb), free(Y), free(rows),
        free(nw);
    return rc;
}

/* ---- finite P: full-batch GD on P samples (docs/theory/featlearn.md §9.8) ---------------- */

double march_bytes_data(size_t K, size_t T)
{
    double Tn = (double)T + 1, tri = Tn * (Tn + 1) / 2;
    double d = 6 * tri + 3 * Tn * Tn + 2 * (double)K * tri + 6 * Tn * (double)K + 12 * Tn +
               8 * (double)K;
    return 8 * d;
}

/* The finite-P marching (equations in march.h's comment of march_run_data). invP = 1/P; with
 * invP = 0 it is the population marching in another arrangement (Φ_r = I, F = E, C_r = C_v). */
int march_run_data(const fl_nodes *nd, const slt_featlearn_params *p, double eta, size_t T,
                   double invP, double *test, double *train, double *q, size_t *valid)
{
    *valid = 0;
    if (p->batch > 0)
        return slt_error(SLT_EINVAL, "featlearn march: batch = %zu with finite data (P = "
                         "%.17g): online SGD needs P = inf", p->batch, p->P);
    size_t K = nd->K, Tn = T + 1;
    double need = march_bytes_data(K, T), have = phys_bytes();
    if (have > 0 && need > 0.8 * have)
        return slt_error(SLT_ENOMEM, "featlearn march: %zu steps on %zu spectral nodes at "
                         "finite P need %.3g bytes, more than 80%% of this machine's %.3g (lower "
                         "the horizon or raise eta)", T, K, need, have);
    double invN = isfinite(p->N) ? 1 / p->N : 0;
    double gam = p->gamma, e2g = eta * eta * gam, eg = eta * gam, tr = nd->trace;
    int noise = invN > 0 || invP > 0;
    size_t tri = Tn * (Tn + 1) / 2;
    double *Pi = malloc(tri * sizeof *Pi), *Phw = malloc(tri * sizeof *Phw),
           *Phu = malloc(tri * sizeof *Phu), *Rw = malloc(tri * sizeof *Rw),
           *Phr = malloc(tri * sizeof *Phr), *Bm = malloc(tri * sizeof *Bm),
           *Cx = malloc(Tn * Tn * sizeof *Cx), *Cv = malloc(Tn * Tn * sizeof *Cv),
           *Cr = malloc(Tn * Tn * sizeof *Cr), *E = malloc(tri * K * sizeof *E),
           *F = malloc(tri * K * sizeof *F), *hb = malloc(Tn * K * sizeof *hb),
           *yb = malloc(Tn * K * sizeof *yb), *W1 = malloc(Tn * K * sizeof *W1),
           *W2 = malloc(Tn * K * sizeof *W2), *acc = malloc(Tn * K * sizeof *acc),
           *rows = malloc(12 * Tn * sizeof *rows), *nw = malloc(8 * K * sizeof *nw);
    if (!Pi || !Phw || !Phu || !Rw || !Phr || !Bm || !Cx || !Cv || !Cr || !E || !F || !hb ||
        !yb || !W1 || !W2 || !acc || !rows || !nw) {
        free(Pi), free(Phw), free(Phu), free(Rw), free(Phr), free(Bm), free(Cx), free(Cv),
            free(Cr), free(E), free(F), free(hb), free(yb), free(W1), free(W2), free(acc),
            free(rows), free(nw);
        return slt_error(SLT_ENOMEM, "featlearn march: out of memory (%zu steps on %zu spectral "
                         "nodes at finite P need %.3g bytes)", T, K, need);
    }
    double *cu = rows, *cw = rows + Tn, *qr = rows + 2 * Tn, *rx = rows + 3 * Tn,
           *a = rows + 4 * Tn, *b = rows + 5 * Tn, *rv = rows + 6 * Tn, *sr = rows + 7 * Tn,
           *fr = rows + 8 * Tn, *z = rows + 9 * Tn;
    /* per-node constants: λ, λ·power, count·λ, count·λ², count·λ²/P, count·λ/P... */
    double *lam = nw, *lp = nw + K, *cl = nw + 2 * K, *cl2 = nw + 3 * K, *sv = nw + 4 * K;
    for (size_t j = 0; j < K; j++) {
        lam[j] = nd->lambda[j];
        lp[j] = nd->lambda[j] * nd->power[j];
        cl[j] = nd->count[j] * nd->lambda[j];
        cl2[j] = cl[j] * nd->lambda[j];
    }
    double L0 = 0;
    for (size_t j = 0; j < K; j++) L0 += nd->power[j];
    double Lmin = L0, Lrmin = L0; /* the train loss starts at L(0) too (v = w*) */
    int rc = SLT_OK;
    for (size_t n = 0; n < Tn; n++) {
        n_side_row(n, Tn, eta, e2g, eg, cu, Pi, Phw, Phu, Cx, a, cw, qr, Rw, q);
        const double *rn = Rw + pk(n, 0);
        /* E_j = H_j R row n (strictly lower), backward: E(n,l) = R(n,l) − λ Σ_{l<m<n} E(n,m) B(m,l) */
        double *en = E + pk(n, 0) * K;
        for (size_t j = 0; j < K; j++) en[n * K + j] = 0;
        for (size_t l = n; l-- > 0;) {
            double *s = acc;
            for (size_t j = 0; j < K; j++) s[j] = 0;
            for (size_t m = l + 1; m < n; m++) {
                double c = Bm[pk(m, l)];
                const double *em = en + m * K;
                for (size_t j = 0; j < K; j++) s[j] += em[j] * c;
            }
            for (size_t j = 0; j < K; j++) en[l * K + j] = rn[l] - lam[j] * s[j];
        }
        /* R_v row n = −(1/P) Σ count λ E(n,·); Φ_r row n = e_n + Σ_{m<n} R_v(n,m) Φ_r(m,·) */
        double *phr = Phr + pk(n, 0);
        memset(phr, 0, (n + 1) * sizeof *phr);
        phr[n] = 1;
        for (size_t m = 0; m < n; m++) {
            double s = 0;
            for (size_t j = 0; j < K; j++) s += cl[j] * en[m * K + j];
            rv[m] = -invP * s;
        }
        if (invP > 0)
            for (size_t m = 0; m < n; m++) {
                double c = rv[m];
                const double *pr = Phr + pk(m, 0);
                for (size_t l = 0; l <= m; l++) phr[l] += c * pr[l];
            }
        {
            double s = 0;
            for (size_t l = 0; l <= n; l++) s += phr[l];
            sr[n] = s;
        }
        /* B = Φ_r R row n; F_j = Φ_r E_j row n */
        double *bn = Bm + pk(n, 0), *fn = F + pk(n, 0) * K;
        memset(bn, 0, (n + 1) * sizeof *bn);
        memset(fn, 0, (n + 1) * K * sizeof *fn);
        for (size_t m = 1; m <= n; m++) {
            double c = phr[m];
            if (c == 0) continue;
            const double *pr = Rw + pk(m, 0), *em = E + pk(m, 0) * K;
            for (size_t l = 0; l < m; l++) bn[l] += c * pr[l];
            for (size_t x = 0; x < m * K; x++) fn[x] += c * em[x];
        }
        /* h̄_j(n) = (H_j 1)(n) = 1 − λ Σ_{m<n} E(n,m) (Φ_r 1)(m); y_j(n) = (Φ_r h̄_j)(n) */
        double *hn = hb + n * K, *ynn = yb + n * K;
        for (size_t j = 0; j < K; j++) acc[j] = 0;
        for (size_t m = 0; m < n; m++)
            for (size_t j = 0; j < K; j++) acc[j] += en[m * K + j] * sr[m];
        for (size_t j = 0; j < K; j++) {
            hn[j] = 1 - lam[j] * acc[j];
            ynn[j] = hn[j];
        }
        for (size_t m = 0; m < n; m++) {
            double c = phr[m];
            const double *hm = hb + m * K;
            for (size_t j = 0; j < K; j++) ynn[j] += c * hm[j];
        }
        /* Y_j(l) = Σ_{p<n} E(n,p) M_j(p,l), M_j = (1/N) C_x + (λ_j/P) C_r; Σᵛ_j(n,m) =
         * Σ_{l<m} Y_j(l) E_j(m,l); C_v(n,m) = Σ_j [power h̄h̄ + count λ Σᵛ_j(n,m)], m <= n */
        if (noise && n > 0) {
            if (invN > 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)n,
                            invN, Cx, (int)Tn, en, (int)K, 0.0, W1, (int)K);
            else
                memset(W1, 0, n * K * sizeof *W1);
            if (invP > 0) {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)n,
                            invP, Cr, (int)Tn, en, (int)K, 0.0, W2, (int)K);
                for (size_t l = 0; l < n; l++)
                    for (size_t j = 0; j < K; j++) W1[l * K + j] += lam[j] * W2[l * K + j];
            }
        }
        for (size_t m = 0; m <= n; m++) {
            const double *em = E + pk(m, 0) * K, *hm = hb + m * K;
            double s = 0;
            for (size_t j = 0; j < K; j++) {
                double d = 0;
                if (noise)
                    for (size_t l = 0; l < m; l++) d += W1[l * K + j] * em[l * K + j];
                s += nd->power[j] * hn[j] * hm[j] + cl[j] * d;
            }
            Cv[n * Tn + m] = Cv[m * Tn + n] = s;
        }
        double Ln = Cv[n * Tn + n];
        /* C_r row n = Φ_r(n,·) C_v Φ_r(m,·)ᵀ */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(n + 1), (int)(n + 1), 1.0, Cv, (int)Tn,
                    phr, 1, 0.0, z, 1);
        for (size_t m = 0; m <= n; m++) {
            const double *pr = Phr + pk(m, 0);
            double s = 0;
            for (size_t l = 0; l <= m; l++) s += pr[l] * z[l];
            Cr[n * Tn + m] = Cr[m * Tn + n] = s;
        }
        double Lr = Cr[n * Tn + n];
        test[n] = Ln;
        if (train) train[n] = Lr;
        if (!isfinite(Ln) || !isfinite(Lr) || Ln > MARCH_DIVERGE_FACTOR * L0 ||
            Ln > MARCH_TEST_GROWTH_FACTOR * Lmin || Lr > MARCH_GROWTH_FACTOR * fmax(Lrmin, 0) ||
            !isfinite(cw[n])) {
            rc = slt_error(SLT_EDIVERGE, "featlearn march: the discrete dynamics diverged at step "
                           "n = %zu (t = %.6g; test loss %.3g, train loss %.3g, lowest test so far "
                           "%.3g, lowest train so far %.3g, L(0) = %.3g, q = %.3g) with eta = "
                           "%.17g, P = %.17g: the step is too large for the rich kernel, which "
                           "grows like lambda_1 (1 + gamma q); lower eta", n, eta * (double)n, Ln,
                           Lr, Lmin, Lrmin, L0, cw[n], eta, p->P);
            break;
        }
        if (Ln < Lmin) Lmin = Ln;
        if (Lr < Lrmin) Lrmin = Lr;
        *valid = n + 1;
        /* C_x row n: W1(l) = Σ_{p<n} C_x(l,p) F(n,p) (l < n), W2(l) = Σ_{p<n} C_r(l,p) F(n,p)
         * (l <= n); Z = (1/N) W1 + (λ/P) W2;
         * C_x(n,m) = Σ_j [λ power y(n)y(m) + count λ² Σ_{l<m} Z(l) F(m,l)
         *            − count λ²/P (W2(m) + Σ_{p<m} C_r(n,p) F(m,p))] + (TrΛ/P) C_r(n,m) */
        if (n > 0) {
            if (invN > 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)K, (int)n,
                            invN, Cx, (int)Tn, fn, (int)K, 0.0, W1, (int)K);
            else
                memset(W1, 0, n * K * sizeof *W1);
            if (invP > 0) {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(n + 1), (int)K,
                            (int)n, 1.0, Cr, (int)Tn, fn, (int)K, 0.0, W2, (int)K);
                for (size_t l = 0; l < n; l++)
                    for (size_t j = 0; j < K; j++) W1[l * K + j] += lam[j] * invP * W2[l * K + j];
            } else
                memset(W2, 0, (n + 1) * K * sizeof *W2);
        } else
            memset(W2, 0, K * sizeof *W2);
        for (size_t j = 0; j < K; j++) sv[j] = cl2[j] * invP;
        for (size_t m = 0; m <= n; m++) {
            const double *fm = F + pk(m, 0) * K, *ym = yb + m * K, *crn = Cr + n * Tn;
            double s = 0;
            for (size_t j = 0; j < K; j++) {
                double d = 0, c = 0;
                if (noise)
                    for (size_t l = 0; l < m; l++) d += W1[l * K + j] * fm[l * K + j];
                if (invP > 0)
                    for (size_t l = 0; l < m; l++) c += crn[l] * fm[l * K + j];
                s += lp[j] * ynn[j] * ym[j] + cl2[j] * d - sv[j] * (W2[m * K + j] + c);
            }
            Cx[n * Tn + m] = Cx[m * Tn + n] = s + tr * invP * Cr[n * Tn + m];
        }
        /* R_x row n = −(1/N) [TrΛ Φ_r(n,·) − Σ_{p<n} f(p) Φ_r(p,·)], f(p) = Σ_j count λ² F(n,p) */
        for (size_t m = 0; m <= n; m++) rx[m] = tr * phr[m];
        for (size_t pp = 0; pp < n; pp++) {
            double s = 0;
            for (size_t j = 0; j < K; j++) s += cl2[j] * fn[pp * K + j];
            fr[pp] = s;
            const double *pr = Phr + pk(pp, 0);
            for (size_t m = 0; m <= pp; m++) rx[m] -= s * pr[m];
        }
        for (size_t m = 0; m <= n; m++) rx[m] *= -invN;
        /* Φ_u row n = e_n + Σ_{m<=n} R_x(n,m) R(m,·); C_u row n */
        double *phu = Phu + pk(n, 0);
        memset(phu, 0, (n + 1) * sizeof *phu);
        phu[n] = 1;
        if (invN > 0)
            for (size_t m = 1; m <= n; m++) {
                double c = rx[m];
                const double *pr = Rw + pk(m, 0);
                for (size_t l = 0; l < m; l++) phu[l] += c * pr[l];
            }
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)(n + 1), (int)(n + 1), 1.0, Cx, (int)Tn,
                    phu, 1, 0.0, b, 1);
        for (size_t m = 0; m <= n; m++) {
            const double *pr = Phu + pk(m, 0);
            double s = 0;
            for (size_t l = 0; l <= m; l++) s += pr[l] * b[l];
            cu[m] = s;
        }
    }
    free(Pi), free(Phw), free(Phu), free(Rw), free(Phr), free(Bm), free(Cx), free(Cv), free(Cr),
        free(E), free(F), free(hb), free(yb), free(W1), free(W2), free(acc), free(rows), free(nw);
    return rc;
}

int march_run2(const fl_nodes *nd, const slt_featlearn_params *p, double eta, size_t T,
               double *test, double *train, double *q, size_t *valid)
{
    if (isfinite(p->P)) return march_run_data(nd, p, eta, T, 1 / p->P, test, train, q, valid);
    int rc = march_run(nd, p, eta, T, test, q, valid);
    if (train)
        for (size_t n = 0; n < *valid; n++) train[n] = test[n];
    return rc;
}

/* ---- points ------------------------------------------------------------------------ */

/* Rounding bound of a marched loss at step n (exact nodes): MARCH_ROUND·ε·(n+1)·(L(0) + L),
 * see docs/theory/featlearn.md §9.4 for the measurement that supports it. */
#define MARCH_ROUND 16.0
static double round_err(size_t n, double L0, double L)
{
    return MARCH_ROUND * 2.220446049250313e-16 * (double)(n + 1) * (L0 + fabs(L));
}

static void nan_point(slt_featlearn_point *o, int status)
{
    o->test = o->test_err = o->train = o->train_err = o->slope = o->slope_err = o->q =
        o->q_err = o->tau = NAN;
    o->status = status;
}

/* the nodes in reversed order: a run with other rounding (the node sums run the other way),
 * whose difference from the first run measures the rounding as the dynamics amplify it */
static int reordered(const fl_nodes *nd, int interleave, fl_nodes *r)
{
    *r = *nd;
    size_t K = nd->K ? nd->K : 1;
    r->lambda = malloc(K * sizeof *r->lambda);
    r->count = malloc(K * sizeof *r->count);
    r->power = malloc(K * sizeof *r->power);
    if (!r->lambda || !r->count || !r->power) {
        fl_nodes_free(r);
        return slt_error(SLT_ENOMEM, "featlearn march: out of memory");
    }
    for (size_t j = 0; j < nd->K; j++) {
        /* reversed, or interleaved from both ends: 0, K−1, 1, K−2, ... */
        size_t s = !interleave ? nd->K - 1 - j : j % 2 ? nd->K - 1 - j / 2 : j / 2;
        r->lambda[j] = nd->lambda[s];
        r->count[j] = nd->count[s];
        r->power[j] = nd->power[s];
    }
    return SLT_OK;
}

/* 1 when the two marchings of a point set run on two threads: more than one thread allowed
 * and the per-step work at the last step above march_omp_min_work (on a shared machine a
 * second thread does not pay for small runs, docs/theory/featlearn.md §9.2) */
int march_runs_parallel(size_t K, size_t T)
{
    return omp_get_max_threads() > 1 && (double)T * (double)T * (double)K > (double)march_omp_min_work;
}

/* the factor on the larger of the two order differences where the rounding is amplified
 * (4 elsewhere): measured, the difference from a shuffled or rotated node order reached
 * 5x the reversed-order one at η = 0.45, γ = 1, N = 128 (docs/theory/featlearn.md §9.4) */
#define MARCH_AMPLIFIED_MARGIN 16.0

/* centred local exponent −d ln L/d ln n at step n of L[0..nmax], its spread estimate */
static void local_slope(const double *L, size_t n, size_t nmax, double L0, double *s, double *e)
{
    *s = *e = NAN;
    if (n < 2 || n + 1 > nmax || !(L[n - 1] > 0) || !(L[n] > 0) || !(L[n + 1] > 0)) return;
    double ln1 = log((double)n - 1), ln0 = log((double)n), lp1 = log((double)n + 1);
    double sc = -(log(L[n + 1]) - log(L[n - 1])) / (lp1 - ln1);
    double sf = -(log(L[n + 1]) - log(L[n])) / (lp1 - ln0);
    double sb = -(log(L[n]) - log(L[n - 1])) / (ln0 - ln1);
    double rel = 0;
    for (int k = -1; k <= 1; k++) {
        double r = round_err(n + 1, L0, L[n + k]) / L[n + k];
        if (r > rel) rel = r;
    }
    *s = sc;
    *e = fabs(sf - sb) / 2 + 2 * rel / (lp1 - ln1);
}

int march_points(const fl_nodes *nd, const slt_featlearn_params *p, const double *times,
                 size_t n, slt_featlearn_point *out)
{
    return march_points_ex(nd, p, times, n, out, 1);
}

/* Steps n₀ of the coarsest of the three Richardson marchings for gradient flow to t: eight
 * per unit of the fastest lazy rate λ₁. The rich kernel grows (1 + γq), so where this is too
 * coarse (a coarse march diverges, or the extrapolation moves by as much as its value) the
 * caller retries with 4n₀ within max_march_steps and max_march_work. A fixed bound on the
 * boost from q + γq² <= |w*|² was tried and dropped: for β < 1 at M = ∞, |w*|² is set by
 * where the node grid ends (5.7e5 for α = 1.5, β = 0.5), which made ordinary requests
 * need 24,000 steps. */
static double flow_n0(double t, double lam1)
{
    return fmax(8, ceil(8 * t * lam1));
}

/* The work of the three Richardson marchings from n₀ (K·T³ each, the finite-P path 3.5×). */
static double flow_work(double n0, double K, double pf)
{
    return 73 * pf * K * n0 * n0 * n0;
}

int march_points_ex(const fl_nodes *nd, const slt_featlearn_params *p, const double *times,
                    size_t n, slt_featlearn_point *out, int check)
{
    const char *who = "slt_featlearn_solve (method march)";
    double L0 = 0, wn = 0;
    for (size_t j = 0; j < nd->K; j++) {
        L0 += nd->power[j];
        wn += nd->power[j] / nd->lambda[j];
    }
    double lam1 = nd->K ? nd->lambda[0] : 1;
    size_t maxT = p->max_march_steps;
    double eta = p->eta;
    /* whole-call checks */
    size_t nmax = 0;
    for (size_t i = 0; i < n; i++) {
        double t = times[i];
        if (t == 0) continue;
        if (eta > 0) {
            if (t < eta / 2)
                return slt_error(SLT_EDOM, "%s: times[%zu] = %.17g is below half a step (eta = "
                                 "%.17g): it rounds to step 0 (expected t = 0 or t >= eta/2)",
                                 who, i, t, eta);
            double s = floor(t / eta + 0.5);
            if (s > (double)maxT)
                return slt_error(SLT_EDOM, "%s: times[%zu] = %.17g needs %.17g steps of eta = "
                                 "%.17g, more than max_march_steps = %zu", who, i, t, s, eta, maxT);
            if ((size_t)s > nmax) nmax = (size_t)s;
        } else {
            double n0 = flow_n0(t, lam1);
            if (4 * n0 + 1 > (double)maxT)
                return slt_error(SLT_EDOM, "%s: times[%zu] = %.17g: gradient flow at finite N "
                                 "is extrapolated from steps t/%.17g, t/%.17g and t/%.17g (eta "
                                 "= 0, lambda_1 = %.6g), %.17g steps, more than max_march_steps "
                                 "= %zu", who, i, t, n0, 2 * n0, 4 * n0, lam1, 4 * n0 + 1, maxT);
        }
    }
    /* the work budget: K·T³ per marching (two on exact nodes, up to three where rounding
     * is amplified; the finite-P path costs about 3.5 times the population one) */
    double work = 0, K = (double)nd->K, pf = isfinite(p->P) ? 3.5 : 1;
    if (eta > 0 && nmax > 0) {
        double T = (double)nmax + 1;
        work = (check ? 2 : 1) * pf * K * T * T * T;
    } else if (!(eta > 0)) {
        for (size_t i = 0; i < n; i++) {
            if (!(times[i] > 0)) continue;
            double n0 = flow_n0(times[i], lam1); /* Richardson: n0, 2n0, 4n0 */
            work += flow_work(n0, K, pf);
        }
    }
    if (work > p->max_march_work)
        return slt_error(SLT_EDOM, "%s: the request needs a marching work K T^3 of about %.3g "
                         "(K = %zu spectral nodes, %s%.0f steps), more than max_march_work = "
                         "%.3g (about %.0f s on the 2-core reference machine; raise it (CLI: "
                         "--max-work), or ask for fewer steps: a larger eta or an earlier last "
                         "time)", who, work, nd->K, eta > 0 ? "" : "gradient flow by Richardson "
                         "extrapolation, up to ", eta > 0 ? (double)nmax
                         : cbrt(work / (73 * pf * fmax(K, 1))) * 4, p->max_march_work,
                         0.75e-9 * work);
    int status = SLT_OK;
    char msg[512] = "";
    for (size_t i = 0; i < n; i++) {
        out[i].method = SLT_FEATLEARN_MARCH;
        out[i].t = times[i];
        nan_point(&out[i], SLT_OK);
    }
    if (eta > 0) {
        size_t T = nmax + 1 <= maxT ? nmax + 1 : nmax; /* one more step for the last slope */
        double *L = malloc((T + 1) * sizeof *L), *Q = malloc((T + 1) * sizeof *Q),
               *Lt = malloc((T + 1) * sizeof *Lt), *Lt2 = malloc((T + 1) * sizeof *Lt2);
        if (!L || !Q || !Lt || !Lt2) {
            free(L), free(Q), free(Lt), free(Lt2);
            return slt_error(SLT_ENOMEM, "%s: out of memory", who);
        }
        size_t valid = 0, valid2 = 0;
        /* the same marching in reversed node order: its difference enters the error */
        double *L2 = malloc((T + 1) * sizeof *L2), *Q2 = malloc((T + 1) * sizeof *Q2);
        fl_nodes rv;
        int rc = SLT_OK, rc2 = !check ? SLT_OK
                  : L2 && Q2 ? reordered(nd, 0, &rv) : slt_error(SLT_ENOMEM, "%s: out of memory", who);
        int second = check && !rc2;
        char m1[512] = "", m2[512] = "";
        if (rc2) snprintf(m2, sizeof m2, "%s", slt_last_error());
        /* the two marchings are independent: on two threads when the work is large (each
         * run's own node loops then stay on its thread: no nested parallelism, results
         * unchanged); the second runs to T even if the first stops earlier */
#pragma omp parallel sections num_threads(2) if (second && march_runs_parallel(nd->K, T))
        {
#pragma omp section
            {
                rc = march_run2(nd, p, eta, T, L, Lt, Q, &valid);
                if (rc) snprintf(m1, sizeof m1, "%s", slt_last_error());
            }
#pragma omp section
            {
                if (second) {
                    rc2 = march_run2(&rv, p, eta, T, L2, Lt2, Q2, &valid2);
                    if (rc2) snprintf(m2, sizeof m2, "%s", slt_last_error());
                }
            }
        }
        if (second) fl_nodes_free(&rv);
        if (rc) snprintf(msg, sizeof msg, "%s", m1);
        if (!check && L2 && Q2) { /* no second run: the caller estimates the rest */
            memcpy(L2, L, (T + 1) * sizeof *L2);
            memcpy(Lt2, Lt, (T + 1) * sizeof *Lt2);
            memcpy(Q2, Q, (T + 1) * sizeof *Q2);
            valid2 = valid;
        } else if (!check) {
            rc2 = slt_error(SLT_ENOMEM, "%s: out of memory", who);
            snprintf(m2, sizeof m2, "%s", slt_last_error());
        }
        if (rc2 && !rc) {
            rc = rc2;
            snprintf(msg, sizeof msg, "%s", m2);
        }
        if (valid2 < valid) valid = valid2;
        /* where the two differ by more than the rounding bound the dynamics amplify rounding
         * (an unstable step): the difference of two roundings is then one random sample of
         * the amplified error and can be small by chance (measured: 4x the reversed-order
         * difference fell short of a third order's at η = 0.45, γ = 1, N = 128); a third
         * marching in interleaved order, the larger difference enters the error (§9.4) */
        int amplified = 0;
        for (size_t s = 0; check && !rc2 && s < valid && !amplified; s++)
            amplified = fabs(L[s] - L2[s]) > round_err(s, L0, L[s]) / 4 ||
                        fabs(Lt[s] - Lt2[s]) > round_err(s, L0, Lt[s]) / 4;
        if (amplified && nd->K > 2) {
            double *L3 = malloc((T + 1) * sizeof *L3), *Q3 = malloc((T + 1) * sizeof *Q3),
                   *Lt3 = malloc((T + 1) * sizeof *Lt3);
            size_t valid3 = 0;
            int rc3 = L3 && Q3 && Lt3 ? reordered(nd, 1, &rv)
                                      : slt_error(SLT_ENOMEM, "%s: out of memory", who);
            if (!rc3) {
                rc3 = march_run2(&rv, p, eta, valid - 1, L3, Lt3, Q3, &valid3);
                fl_nodes_free(&rv);
            }
            if (rc3 && !rc) {
                rc = rc3;
                snprintf(msg, sizeof msg, "%s", slt_last_error());
            }
            if (valid3 < valid) valid = valid3;
            for (size_t s = 0; s < valid; s++) { /* keep the larger difference in L2, Q2 */
                if (fabs(L[s] - L3[s]) > fabs(L[s] - L2[s])) L2[s] = L3[s];
                if (fabs(Lt[s] - Lt3[s]) > fabs(Lt[s] - Lt2[s])) Lt2[s] = Lt3[s];
                if (fabs(Q[s] - Q3[s]) > fabs(Q[s] - Q2[s])) Q2[s] = Q3[s];
            }
            free(L3), free(Q3), free(Lt3);
        }
        double margin = amplified ? MARCH_AMPLIFIED_MARGIN : 4;
        for (size_t i = 0; i < n; i++) {
            slt_featlearn_point *o = &out[i];
            size_t s = (size_t)floor(times[i] / eta + 0.5);
            o->t = eta * (double)s;
            if (s >= valid) {
                nan_point(o, rc ? rc : SLT_EINTERNAL);
                if (!status) status = o->status;
                continue;
            }
            if (!(margin * fabs(L[s] - L2[s]) < fabs(L[s])) ||
                !(margin * fabs(Lt[s] - Lt2[s]) < fabs(Lt[s]))) {
                /* the orders disagree by as much as the value: the dynamics amplify rounding
                 * exponentially (an unstable step), the value is not computed */
                nan_point(o, SLT_ELOSS);
                if (!status) {
                    status = SLT_ELOSS;
                    snprintf(msg, sizeof msg, "%s: at step n = %zu (t = %.6g) with eta = %.17g "
                             "the marching amplifies rounding until its error estimate is as "
                             "large as the loss (%.3g +- %.3g): the step is unstable for this "
                             "gamma; lower eta", who, s, o->t, eta, L[s],
                             margin * fabs(L[s] - L2[s]));
                }
                continue;
            }
            o->test = L[s];
            o->test_err = margin * fabs(L[s] - L2[s]) + round_err(s, L0, L[s]);
            o->train = Lt[s];
            o->train_err = margin * fabs(Lt[s] - Lt2[s]) + round_err(s, L0, Lt[s]);
            o->q = Q[s];
            o->q_err = margin * fabs(Q[s] - Q2[s]) + round_err(s, wn, Q[s]);
            local_slope(L, s, valid - 1, L0, &o->slope, &o->slope_err);
            o->status = SLT_OK;
        }
        free(L), free(Q), free(L2), free(Q2), free(Lt), free(Lt2);
    } else {
        for (size_t i = 0; i < n; i++) {
            slt_featlearn_point *o = &out[i];
            double t = times[i];
            if (status) {
                nan_point(o, status);
                continue;
            }
            if (t == 0) {
                o->test = o->train = L0;
                o->test_err = o->train_err = 0;
                o->q = o->q_err = 0;
                o->status = SLT_OK;
                continue;
            }
            size_t n0 = (size_t)flow_n0(t, lam1);
        retry:;
            double Lk[3], Tk[3], Qk[3], Sk[3], Se[3];
            int rc = SLT_OK;
            /* 4n₀ if a retry stays within the limits (the kernel grew beyond the guess) */
            const int can_refine = 16 * (double)n0 + 1 <= (double)maxT &&
                                   flow_work(4 * (double)n0, (double)nd->K,
                                             isfinite(p->P) ? 3.5 : 1) <= p->max_march_work;
            for (int k = 0; k < 3 && !rc; k++) {
                size_t ns = n0 << k, T = ns + 1;
                double *L = malloc((T + 1) * sizeof *L), *Q = malloc((T + 1) * sizeof *Q),
                       *Lt = malloc((T + 1) * sizeof *Lt);
                if (!L || !Q || !Lt) {
                    free(L), free(Q), free(Lt);
                    rc = slt_error(SLT_ENOMEM, "%s: out of memory", who);
                    break;
                }
                size_t valid = 0;
                rc = march_run2(nd, p, t / (double)ns, T, L, Lt, Q, &valid);
                if (!rc) {
                    Lk[k] = L[ns];
                    Tk[k] = Lt[ns];
                    Qk[k] = Q[ns];
                    local_slope(L, ns, T, L0, &Sk[k], &Se[k]);
                }
                free(L), free(Q), free(Lt);
            }
            if (rc == SLT_EDIVERGE && can_refine) {
                n0 *= 4;
                goto retry;
            }
            if (rc == SLT_EDIVERGE) {
                /* gradient flow cannot diverge: the steps chosen for the extrapolation were
                 * too coarse for the grown kernel */
                snprintf(msg, sizeof msg, "%s: gradient flow at t = %.6g (gamma = %.6g): the "
                         "Richardson extrapolation's coarsest steps t/%zu were too large for "
                         "the rich kernel and did not converge (%s)", who, t, p->gamma, n0,
                         slt_last_error());
                rc = SLT_ENOCONV;
            } else if (rc) {
                snprintf(msg, sizeof msg, "%s (gradient flow at t = %.6g by Richardson "
                         "extrapolation from steps t/%zu, t/%zu, t/%zu)", slt_last_error(), t,
                         n0, 2 * n0, 4 * n0);
            }
            if (rc) {
                status = rc;
                nan_point(o, rc);
                continue;
            }
            /* first order in η: A = 2f(η/2) − f(η); then the O(η²) residue: R = A₂ + (A₂ − A₁)/3 */
            double a1 = 2 * Lk[1] - Lk[0], a2 = 2 * Lk[2] - Lk[1];
            o->test = a2 + (a2 - a1) / 3;
            o->test_err = fabs(a2 - a1) + 4 * round_err(4 * n0, L0, Lk[2]);
            double d1 = 2 * Tk[1] - Tk[0], d2 = 2 * Tk[2] - Tk[1];
            o->train = d2 + (d2 - d1) / 3;
            o->train_err = fabs(d2 - d1) + 4 * round_err(4 * n0, L0, Tk[2]);
            double b1 = 2 * Qk[1] - Qk[0], b2 = 2 * Qk[2] - Qk[1];
            o->q = b2 + (b2 - b1) / 3;
            o->q_err = fabs(b2 - b1) + 4 * round_err(4 * n0, wn, Qk[2]);
            double c1 = 2 * Sk[1] - Sk[0], c2 = 2 * Sk[2] - Sk[1];
            o->slope = c2 + (c2 - c1) / 3;
            o->slope_err = fabs(c2 - c1) + 4 * Se[2];
            o->status = SLT_OK;
            if ((!(fabs(a2 - a1) < 0.1 * fabs(o->test)) || !(fabs(d2 - d1) < 0.1 * fabs(o->train)))
                && can_refine) {
                n0 *= 4;
                goto retry;
            }
            if (!(fabs(a2 - a1) < fabs(o->test)) || !(fabs(d2 - d1) < fabs(o->train))) {
                /* an extrapolation whose step dependence is as large as its value has not
                 * converged (the rounding floor alone may exceed a loss near 0: that stays ok) */
                double v = o->test, e = o->test_err;
                nan_point(o, SLT_ENOCONV);
                if (!status) {
                    status = SLT_ENOCONV;
                    snprintf(msg, sizeof msg, "%s: gradient flow at t = %.6g (gamma = %.6g): "
                             "the Richardson extrapolation from steps t/%zu, t/%zu, t/%zu gave "
                             "%.3g +- %.3g, an error as large as the value", who, t, p->gamma,
                             n0, 2 * n0, 4 * n0, v, e);
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        slt_featlearn_point *o = &out[i];
        if (o->status == SLT_OK && (!isfinite(o->test) || !isfinite(o->test_err) ||
                                    o->test < -o->test_err || !isfinite(o->train) ||
                                    !isfinite(o->train_err) || o->train < -o->train_err)) {
            double v = o->test, e = o->test_err;
            nan_point(o, SLT_ELOSS);
            if (!status) {
                status = SLT_ELOSS;
                snprintf(msg, sizeof msg, "%s: at t = %g the loss came out as %g +- %g", who,
                         o->t, v, e);
            }
        }
    }
    if (status) return slt_error(status, "%s", msg);
    return SLT_OK;
}
