/* One member of the feature-learning model (SLT_MC_FEATLEARN), by explicit steps:
 * exactly the updates of docs/theory/montecarlo.md §11.1 (the rich DMFT's §1.2–§1.3),
 * docs/theory/montecarlo.md §11.
 *
 * The model, f(x) = (1/N) wᵀA(n)ψ(x), w(0) = 0, A(0) i.i.d. N(0,1):
 *     w(n+1) = w(n) + η A(n) ĝ(n)
 *     A(n+1) = A(n) + ηγ w(n) ĝ(n)ᵀ (1/N)A(0)ᵀA(0),
 * with ĝ = Λv (population), (1/P)Σ_μ Δ_μψ_μ (P fixed samples) or (1/B)Σ_μ Δ_μψ_μ (a fresh
 * batch each step), Δ = y − f. Every A(n) = Ω(n)A(0) with Ω ∈ R^{N×N}, Ω(0) = I, and in
 * this module's whitened units (w' = w/√N, φ = Rz = A(0)ψ/√N, R = A(0)Λ^{1/2}/√N, the
 * map of the other models) the updates are, with g = (1/B)Σ_μ Δ_μ φ_μ = A(0)ĝ/√N:
 *     w̃ = Ωᵀw',  Δ_μ = y_μ − φ_μ·w̃,
 *     w'(n+1) = w'(n) + η Ω(n) g,      Ω(n+1) = Ω(n) + ηγ w'(n) gᵀ,
 * and v = w* − A(n)ᵀw/N = Λ^{-1/2}(s − Rᵀw̃): the test loss is |s − Rᵀw̃|². At γ = 0, Ω = I
 * and these are the steps of the lazy model (the rf model's GD, the sgd model's SGD). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"
#include "slt/status.h"


typedef struct {
    size_t Om, w, wt, g, tmp, res, u, C, h0, Xq, tau, Lt, Xi, Xb;
} fl_sizes;

static fl_sizes sizes_of(size_t n, size_t M, size_t B, size_t P)
{
    fl_sizes z;
    size_t d = n + 1;
    int online = B > 0, pop = B == 0 && P == 0;
    z.Om = mc_size_mul(n, n);
    z.w = z.wt = z.g = z.tmp = n;
    z.res = online ? B : (P > 0 ? P : 1);
    z.u = M;
    z.C = pop ? mc_size_mul(n, n) : 1;
    z.h0 = pop ? n : 1;
    z.Xq = online ? mc_size_mul(d, M) : 1;
    z.tau = online ? d : 1;
    z.Lt = online ? mc_size_mul(d, d) : 1;
    z.Xi = online ? mc_size_mul(B, d) : 1;
    z.Xb = online ? mc_size_mul(B, d) : 1;
    return z;
}

size_t mc_fl_ws_doubles(size_t n, size_t M, size_t B, size_t P, size_t T)
{
    fl_sizes z = sizes_of(n, M, B, P);
    size_t parts[] = {z.Om, z.w,  z.wt, z.g,  z.tmp, z.res, z.u, z.C,
                      z.h0, z.Xq, z.tau, z.Lt, z.Xi,  z.Xb,  T};
    size_t all = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) all = mc_size_add(all, parts[i]);
    return all;
}

void mc_fl_ws_free(mc_fl_ws *w)
{
    if (!w) return;
    double **arrays[] = {&w->Om, &w->w,  &w->wt,  &w->g,  &w->tmp, &w->res, &w->u,
                         &w->C,  &w->h0, &w->Xq, &w->tau, &w->Lt, &w->Xi,  &w->Xb};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        free(*arrays[i]);
        *arrays[i] = NULL;
    }
    free(w->order);
    w->order = NULL;
}

int mc_fl_ws_alloc(mc_fl_ws *w, size_t n, size_t M, size_t B, size_t P, size_t T)
{
    memset(w, 0, sizeof *w);
    fl_sizes z = sizes_of(n, M, B, P);
    w->n = n;
    w->M = M;
    w->B = B;
    w->P = P;
    w->T = T;
    struct {
        double **p;
        size_t n;
    } want[] = {{&w->Om, z.Om}, {&w->w, z.w},     {&w->wt, z.wt}, {&w->g, z.g},
                {&w->tmp, z.tmp}, {&w->res, z.res}, {&w->u, z.u},   {&w->C, z.C},
                {&w->h0, z.h0}, {&w->Xq, z.Xq},   {&w->tau, z.tau}, {&w->Lt, z.Lt},
                {&w->Xi, z.Xi}, {&w->Xb, z.Xb}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (want[i].n == SIZE_MAX || want[i].n > SIZE_MAX / sizeof(double) ||
            !(*want[i].p = malloc(want[i].n * sizeof(double)))) {
            mc_fl_ws_free(w);
            return SLT_ENOMEM;
        }
    }
    w->order = malloc((T ? T : 1) * sizeof(size_t));
    if (!w->order) {
        mc_fl_ws_free(w);
        return SLT_ENOMEM;
    }
    return SLT_OK;
}

int mc_fl_member(const mc_rmap *R, const double *s, double sigma, double noise, double eta,
                 double gamma, const double *phi, const double *y, const double *steps,
                 mc_rng *rng, mc_fl_ws *ws, double *test, double *train, int *nonfinite,
                 mc_fail *fail)
{
    const size_t n = R->n, M = R->M, B = ws->B, P = ws->P, T = ws->T, d = n + 1;
    const int online = B > 0, pop = B == 0 && P == 0;
    size_t rank = 0;
    *nonfinite = 0;

    if (online) {
        /* the sampler of sgd.c: X = [R; sᵀ] = L Q, a sample (φ, y_c) = ξᵀU, ξ ~ N(0, I) */
        memcpy(ws->Xq, R->dense, n * M * sizeof(double));
        memcpy(ws->Xq + n * M, s, M * sizeof(double));
        lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)M, (lapack_int)d, ws->Xq,
                                         (lapack_int)M, ws->tau);
        if (info != 0) {
            fail->status = info > 0 ? SLT_ENOCONV : SLT_EINTERNAL;
            fail->info = (int)info;
            fail->size = d;
            fail->what = "LAPACKE_dgeqrf (featlearn sampler)";
            return fail->status;
        }
        rank = d < M ? d : M;
        for (size_t r = 0; r < rank; r++)
            for (size_t j = 0; j < d; j++) ws->Lt[r * d + j] = j >= r ? ws->Xq[j * M + r] : 0.0;
    } else if (pop) {
        /* the population gradient E[φ(y − φ·w̃)] = h0 − C w̃, C = RRᵀ, h0 = R s */
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)M, 1.0, R->dense,
                    (int)M, 0.0, ws->C, (int)n);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < i; j++) ws->C[i * n + j] = ws->C[j * n + i];
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)M, 1.0, R->dense, (int)M, s, 1, 0.0,
                    ws->h0, 1);
    }

    for (size_t i = 0; i < T; i++) {
        size_t j = i;
        while (j > 0 && steps[ws->order[j - 1]] > steps[i]) {
            ws->order[j] = ws->order[j - 1];
            j--;
        }
        ws->order[j] = i;
    }

    double *w = ws->w, *wt = ws->wt, *g = ws->g, *Om = ws->Om, *res = ws->res;
    memset(w, 0, n * sizeof(double));
    memset(wt, 0, n * sizeof(double));
    memset(Om, 0, n * n * sizeof(double));
    for (size_t i = 0; i < n; i++) Om[i * n + i] = 1.0;
    double done = 0.0;
    for (size_t oi = 0; oi < T; oi++) {
        size_t i = ws->order[oi];
        for (; done < steps[i]; done += 1.0) {
            /* g ← η × the gradient signal in φ space */
            if (online) {
                mc_normals(rng, ws->Xi, B * rank);
                if (rank > 0)
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)d,
                                (int)rank, 1.0, ws->Xi, (int)rank, ws->Lt, (int)d, 0.0, ws->Xb,
                                (int)d);
                else
                    memset(ws->Xb, 0, B * d * sizeof(double));
                mc_normals(rng, res, B);
                for (size_t mu = 0; mu < B; mu++) res[mu] = ws->Xb[mu * d + n] + sigma * res[mu];
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)B, (int)n, -1.0, ws->Xb, (int)d, wt,
                            1, 1.0, res, 1);
                cblas_dgemv(CblasRowMajor, CblasTrans, (int)B, (int)n, eta / (double)B, ws->Xb,
                            (int)d, res, 1, 0.0, g, 1);
            } else if (pop) {
                memcpy(g, ws->h0, n * sizeof(double));
                cblas_dsymv(CblasRowMajor, CblasUpper, (int)n, -1.0, ws->C, (int)n, wt, 1, 1.0, g,
                            1);
                for (size_t k = 0; k < n; k++) g[k] *= eta;
            } else {
                memcpy(res, y, P * sizeof(double));
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)P, (int)n, -1.0, phi, (int)n, wt, 1,
                            1.0, res, 1);
                cblas_dgemv(CblasRowMajor, CblasTrans, (int)P, (int)n, eta / (double)P, phi,
                            (int)n, res, 1, 0.0, g, 1);
            }
            /* w' += Ω(n) g with the old Ω, then Ω += γ w'(n) gᵀ with the old w', w̃ = Ωᵀw' */
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, Om, (int)n, g, 1, 0.0,
                        ws->tmp, 1);
            if (gamma != 0.0)
                cblas_dger(CblasRowMajor, (int)n, (int)n, gamma, w, 1, g, 1, Om, (int)n);
            for (size_t k = 0; k < n; k++) w[k] += ws->tmp[k];
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)n, 1.0, Om, (int)n, w, 1, 0.0, wt,
                        1);
        }
        test[i] = mc_mode_loss(R, s, wt, ws->u);
        if (P > 0 && !online) {
            memcpy(res, y, P * sizeof(double));
            cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)P, (int)n, -1.0, phi, (int)n, wt, 1,
                        1.0, res, 1);
            double sum = 0.0;
            for (size_t mu = 0; mu < P; mu++) sum += res[mu] * res[mu];
            train[i] = sum / (double)P;
        } else {
            train[i] = test[i] + noise;
        }
        if (!isfinite(test[i]) || !isfinite(train[i])) {
            *nonfinite = 1;
            for (size_t oj = oi; oj < T; oj++) test[ws->order[oj]] = train[ws->order[oj]] = NAN;
            break;
        }
    }
    return SLT_OK;
}
