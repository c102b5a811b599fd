/* slt_mc_evaluate: the losses of one realisation given explicitly (hand-set A, Ψ, y), by
 * the same code path a random trial of rf / ridge takes after its draws. */
#include <math.h>
#include <stdlib.h>

#include <cblas.h>

#include "mc_internal.h"
#include "slt/status.h"

static int check_finite(const char *w, const char *name, const double *v, size_t count)
{
    if (!v) return slt_error(SLT_EINVAL, "%s: %s is NULL", w, name);
    for (size_t i = 0; i < count; i++)
        if (!isfinite(v[i]))
            return slt_error(SLT_EINVAL, "%s: %s[%zu] = %.17g is not finite", w, name, i, v[i]);
    return SLT_OK;
}

int slt_mc_evaluate(const slt_mc_params *p, const slt_mc_realisation *r, const double *times,
                    size_t n_times, double *test, double *train)
{
    static const char *w = "slt_mc_evaluate";
    if (!p || !r) return slt_error(SLT_EINVAL, "%s: parameters or realisation is NULL", w);
    if (!test || !train) return slt_error(SLT_EINVAL, "%s: output arrays are NULL", w);
    if (p->model != SLT_MC_RF && p->model != SLT_MC_RIDGE)
        return slt_error(SLT_EINVAL, "%s: model = %s is out of range (expected rf or ridge; "
                         "online SGD needs random batches: use slt_mc_run; model kernel: "
                         "slt_mc_kernel_evaluate)", w,
                         slt_mc_model_name(p->model));
    /* Only the fields the evaluation uses are checked: the learning rule. */
    slt_mc_params q = slt_mc_params_default();
    q.model = p->model;
    q.eta = p->eta;
    q.ridge = p->ridge;
    q.route = p->route;
    int rc = slt_mc_params_check(&q);
    if (rc) return rc;

    const size_t M = r->M;
    const int finN = !isinf(r->N), finP = !isinf(r->P);
    if (M < 1 || M > (size_t)2147483647)
        return slt_error(SLT_EINVAL, "%s: M = %zu is out of range (expected 1 <= M <= "
                         "2147483647)", w, M);
    if (!(r->N >= 1 && (!finN || (r->N <= 2147483647.0 && r->N == floor(r->N)))))
        return slt_error(SLT_EINVAL, "%s: N = %.17g is out of range (expected a whole number "
                         "1 <= N <= 2147483647, or INFINITY)", w, r->N);
    if (!(r->P >= 1 && (!finP || (r->P <= 2147483647.0 && r->P == floor(r->P)))))
        return slt_error(SLT_EINVAL, "%s: P = %.17g is out of range (expected a whole number "
                         "1 <= P <= 2147483647, or INFINITY)", w, r->P);
    const size_t N = mc_size(r->N), P = mc_size(r->P);
    if ((rc = check_finite(w, "lambda", r->lambda, M))) return rc;
    for (size_t k = 0; k < M; k++)
        if (!(r->lambda[k] > 0))
            return slt_error(SLT_EINVAL, "%s: lambda[%zu] = %.17g is out of range (expected "
                             "lambda > 0)", w, k, r->lambda[k]);
    if ((rc = check_finite(w, "wstar", r->wstar, M))) return rc;
    if (finN && (rc = check_finite(w, "A", r->A, N * M))) return rc;
    if (finP && (rc = check_finite(w, "psi", r->psi, P * M))) return rc;
    if (finP && (rc = check_finite(w, "y", r->y, P))) return rc;
    if ((rc = slt_check_range(w, "noise", r->noise, 0.0, 0, INFINITY, 1))) return rc;

    mc_rule rule = mc_rule_of(&q);
    size_t T = p->model == SLT_MC_RIDGE ? 1 : n_times;
    if (p->model == SLT_MC_RIDGE && n_times != 0)
        return slt_error(SLT_EINVAL, "%s: %zu times given with model ridge (expected none: "
                         "ridge regression is evaluated at convergence)", w, n_times);
    if (p->model != SLT_MC_RIDGE && (n_times == 0 || !times))
        return slt_error(SLT_EINVAL, "%s: no times given (expected at least one time t >= 0)", w);
    double *x = malloc(T * sizeof(double));
    if (!x) return slt_error(SLT_ENOMEM, "%s: out of memory", w);
    for (size_t i = 0; i < T; i++) {
        if (p->model == SLT_MC_RIDGE) {
            x[i] = INFINITY;
            continue;
        }
        double t = times[i];
        if (isnan(t) || t < 0) {
            free(x);
            return slt_error(SLT_EINVAL, "%s: t = %.17g (times[%zu]) is out of range (expected "
                             "t >= 0)", w, t, i);
        }
        x[i] = rule.kind == MC_GD ? mc_steps_of(t, p->eta) : t;
        if (x[i] < 0) {
            free(x);
            return slt_error(SLT_EINVAL, "%s: t = %.17g (times[%zu]) is not a whole number of "
                             "steps of eta = %.17g (expected t = eta·n)", w, t, i, p->eta);
        }
    }

    size_t n = finN ? N : M;
    double *d = malloc(M * sizeof(double)), *s = malloc(M * sizeof(double));
    double *R = finN ? malloc(N * M * sizeof(double)) : NULL;
    double *phi = finN && finP ? malloc(P * N * sizeof(double)) : NULL;
    int msp = p->route == SLT_MC_ROUTE_MODES ||
              (p->route == SLT_MC_ROUTE_AUTO && mc_fit_prefer_modes(n, finP ? P : 0, M, T, finN));
    double *Ue = msp ? malloc(M * T * sizeof(double)) : NULL;
    mc_fit_ws ws;
    int wsrc = mc_fit_ws_alloc(&ws, n, finP ? P : 0, M, T, msp);
    if (!d || !s || (finN && !R) || (finN && finP && !phi) || (msp && !Ue) || wsrc) {
        rc = slt_error(SLT_ENOMEM, "%s: out of memory (N = %zu, P = %zu, M = %zu)", w, N, P, M);
        goto out;
    }
    double S0 = 0.0;
    for (size_t k = 0; k < M; k++) {
        d[k] = sqrt(r->lambda[k]);
        s[k] = d[k] * r->wstar[k];
        S0 += s[k] * s[k];
    }
    if (finN) {
        double scale = 1.0 / sqrt((double)N);
        for (size_t i = 0; i < N; i++)
            for (size_t k = 0; k < M; k++) R[i * M + k] = r->A[i * M + k] * d[k] * scale;
        if (finP)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)P, (int)N, (int)M, scale,
                        r->psi, (int)M, r->A, (int)M, 0.0, phi, (int)N);
    }
    mc_member m = {.R = {.n = n, .M = M, .dense = finN ? R : NULL, .diag = d},
                   .P = P,
                   .phi = finN ? phi : r->psi,
                   .y = r->y,
                   .s = s,
                   .S0 = S0,
                   .noise = r->noise,
                   .generic = 0}; /* given data: its rank is not known */
    mc_fail fail = {0};
    mc_fit_info fi;
    double emax;
    rc = mc_fit_member(&m, &rule, x, &ws, test, train, Ue, &emax, NULL, &fi, &fail);
    if (rc)
        rc = slt_error(rc, "%s: %s failed with info = %d on a %zu×%zu matrix", w, fail.what,
                       fail.info, fail.size, fail.size);
out:
    if (!wsrc) mc_fit_ws_free(&ws);
    free(x);
    free(d);
    free(s);
    free(R);
    free(phi);
    free(Ue);
    return rc;
}
