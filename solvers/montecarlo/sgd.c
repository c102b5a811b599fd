/* One member of online SGD, by explicit steps: every step draws a fresh batch of B
 * samples, takes the batch-mean gradient of L̂/2 and moves w by η times it (t = ηn,
 * docs/theory/conventions.md §4). Derivation and sampling: docs/theory/montecarlo.md §5.
 *
 * Sampling. A sample enters only through (φ, y_c) = (R z, s·z) = X z, z ~ N(0, I_M), with
 * X = [R; sᵀ] ((N+1)×M): a linear image of a Gaussian, hence exactly Gaussian with
 * covariance J = XXᵀ = [[C, h0], [h0ᵀ, S0]] (C = RRᵀ, h0 = R s, S0 = |s|²), for finite N.
 * We factor X = L Q (LQ, from the QR of Xᵀ: Xᵀ = Q̃ U, L = Uᵀ lower triangular, q =
 * min(N+1, M) rows of Q orthonormal) and draw the sample as L ξ, ξ = Qz ~ N(0, I_q): the
 * same distribution as X z (all moments, including the fourth moments that make the SGD
 * noise), at O(N²) per sample instead of O(NM). The factor is backward stable at the
 * rounding level of X itself, so nothing is dropped however steep the spectrum (an
 * eigendecomposition of J would resolve its eigenvalues only down to ~ε·‖J‖). At
 * N = ∞ the sample is z itself (φ = Λ^{1/2} z, y_c = s·z). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"
#include "slt/status.h"


/* n = N with a sampler of dimension d = n + 1 (finite N), or n = M without a sampler
 * (N = ∞, kernel != 0). */
typedef struct {
    size_t Xq, tau, Lt, Xi, Xb, res, w, u;
} sgd_sizes;

static sgd_sizes sizes_of(size_t n, size_t M, size_t B, int kernel)
{
    sgd_sizes z;
    size_t d = n + 1;
    z.Xq = kernel ? 1 : mc_size_mul(d, M);
    z.tau = kernel ? 1 : d;
    z.Lt = kernel ? 1 : mc_size_mul(d, d);
    z.Xi = mc_size_mul(B, kernel ? M : d);
    z.Xb = kernel ? 1 : mc_size_mul(B, d);
    z.res = B;
    z.w = n;
    z.u = M;
    return z;
}

size_t mc_sgd_ws_doubles(size_t n, size_t M, size_t B, size_t T, int kernel)
{
    sgd_sizes z = sizes_of(n, M, B, kernel);
    size_t parts[] = {z.Xq, z.tau, z.Lt, z.Xi, z.Xb, z.res, z.w, z.u, T};
    size_t all = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) all = mc_size_add(all, parts[i]);
    return all;
}

void mc_sgd_ws_free(mc_sgd_ws *w)
{
    if (!w) return;
    double **arrays[] = {&w->Xq, &w->tau, &w->Lt, &w->Xi, &w->Xb, &w->res, &w->w, &w->u};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        free(*arrays[i]);
        *arrays[i] = NULL;
    }
    free(w->order);
    w->order = NULL;
}

int mc_sgd_ws_alloc(mc_sgd_ws *w, size_t n, size_t M, size_t B, size_t T, int kernel)
{
    memset(w, 0, sizeof *w);
    sgd_sizes z = sizes_of(n, M, B, kernel);
    w->n = n;
    w->M = M;
    w->B = B;
    w->T = T;
    struct {
        double **p;
        size_t n;
    } want[] = {{&w->Xq, z.Xq}, {&w->tau, z.tau}, {&w->Lt, z.Lt}, {&w->Xi, z.Xi},
                {&w->Xb, z.Xb}, {&w->res, z.res}, {&w->w, z.w},   {&w->u, z.u}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (want[i].n == SIZE_MAX || want[i].n > SIZE_MAX / sizeof(double) ||
            !(*want[i].p = malloc(want[i].n * sizeof(double)))) {
            mc_sgd_ws_free(w);
            return SLT_ENOMEM;
        }
    }
    w->order = malloc((T ? T : 1) * sizeof(size_t));
    if (!w->order) {
        mc_sgd_ws_free(w);
        return SLT_ENOMEM;
    }
    return SLT_OK;
}

double mc_mode_loss(const mc_rmap *R, const double *s, const double *w, double *u)
{
    size_t M = R->M;
    if (R->dense)
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)R->n, (int)M, 1.0, R->dense, (int)M, w, 1,
                    0.0, u, 1);
    else
        for (size_t m = 0; m < M; m++) u[m] = R->diag[m] * w[m];
    double sum = 0.0;
    for (size_t m = 0; m < M; m++) {
        double r = s[m] - u[m];
        sum += r * r;
    }
    return sum;
}

int mc_sgd_member(const mc_rmap *R, const double *s, double S0, double sigma, double eta,
                  const double *steps, mc_rng *rng, mc_sgd_ws *ws, double *test, double *Ue,
                  int *nonfinite, mc_fail *fail)
{
    const size_t n = R->n, M = R->M, B = ws->B, T = ws->T, d = n + 1;
    const int kernel = R->dense == NULL;
    size_t rank = 0;
    (void)S0; /* |s|² enters through the sampler's last row */
    *nonfinite = 0;

    if (!kernel) {
        /* X = [R; sᵀ] row-major ((n+1)×M) is the column-major M×d matrix Xᵀ; its QR
         * Xᵀ = Q̃ U gives X = Uᵀ Q̃ᵀ, so a sample is ξᵀU (a row) with ξ ~ N(0, I_rank),
         * rank = min(d, M): Lt = U (rank×d, upper trapezoidal, row-major). */
        memcpy(ws->Xq, R->dense, n * M * sizeof(double));
        memcpy(ws->Xq + n * M, s, M * sizeof(double));
        lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)M, (lapack_int)d, ws->Xq,
                                         (lapack_int)M, ws->tau);
        if (info != 0) {
            fail->status = info > 0 ? SLT_ENOCONV : SLT_EINTERNAL;
            fail->info = (int)info;
            fail->size = d;
            fail->what = "LAPACKE_dgeqrf (SGD sampler)";
            return fail->status;
        }
        rank = d < M ? d : M;
        for (size_t r = 0; r < rank; r++)
            for (size_t j = 0; j < d; j++) ws->Lt[r * d + j] = j >= r ? ws->Xq[j * M + r] : 0.0;
    }

    /* evaluation order: ascending steps (insertion sort, T is small) */
    for (size_t i = 0; i < T; i++) {
        size_t j = i;
        while (j > 0 && steps[ws->order[j - 1]] > steps[i]) {
            ws->order[j] = ws->order[j - 1];
            j--;
        }
        ws->order[j] = i;
    }

    double *w = ws->w, *res = ws->res;
    memset(w, 0, n * sizeof(double));
    double done = 0.0;
    const double step = eta / (double)B;
    for (size_t oi = 0; oi < T; oi++) {
        size_t i = ws->order[oi];
        for (; done < steps[i]; done += 1.0) {
            const double *phi;
            size_t ld;
            if (!kernel) {
                mc_normals(rng, ws->Xi, B * rank);
                if (rank > 0)
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)d,
                                (int)rank, 1.0, ws->Xi, (int)rank, ws->Lt, (int)d, 0.0, ws->Xb,
                                (int)d);
                else
                    memset(ws->Xb, 0, B * d * sizeof(double));
                mc_normals(rng, res, B);
                for (size_t mu = 0; mu < B; mu++) res[mu] = ws->Xb[mu * d + n] + sigma * res[mu];
                phi = ws->Xb;
                ld = d;
            } else {
                /* z, then y_c = s·z, then φ = Λ^{1/2} z in place */
                mc_normals(rng, ws->Xi, B * M);
                mc_normals(rng, res, B);
                for (size_t mu = 0; mu < B; mu++) res[mu] *= sigma;
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)B, (int)M, 1.0, ws->Xi, (int)M, s,
                            1, 1.0, res, 1);
                for (size_t mu = 0; mu < B; mu++)
                    for (size_t m = 0; m < M; m++) ws->Xi[mu * M + m] *= R->diag[m];
                phi = ws->Xi;
                ld = M;
            }
            /* res = y − Φ_b w;  w += (η/B) Φ_bᵀ res */
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)B, (int)n, -1.0, phi, (int)ld, w, 1,
                        1.0, res, 1);
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)B, (int)n, step, phi, (int)ld, res, 1,
                        1.0, w, 1);
        }
        test[i] = mc_mode_loss(R, s, w, ws->u);
        if (Ue)
            for (size_t m = 0; m < M; m++) Ue[m * T + i] = ws->u[m];
        if (!isfinite(test[i])) {
            /* diverged: the rest of the trajectory is not computed */
            *nonfinite = 1;
            for (size_t oj = oi; oj < T; oj++) {
                size_t j = ws->order[oj];
                test[j] = NAN;
                if (Ue)
                    for (size_t m = 0; m < M; m++) Ue[m * T + j] = NAN;
            }
            break;
        }
    }
    return SLT_OK;
}
