/* Each paper's model mapped onto a task (docs/theory/statics.md §8–§10): Bahri et al.'s
 * teacher–student model, Maloney–Roberts–Sully, and the Boopathy–Fiete scale–time
 * surrogate. Only the task layer is used. */
#include <math.h>
#include <stdlib.h>

#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"

#define MAX_EXPLICIT_MODES 1e7

static int check_modes(const char *where, const char *name, double M, int allow_inf)
{
    if (allow_inf && isinf(M) && M > 0) return SLT_OK;
    if (!(M >= 1.0) || !(M <= MAX_EXPLICIT_MODES) || M != floor(M))
        return slt_error(SLT_EINVAL, "%s: %s = %.17g is out of range (expected a whole number "
                         "1 <= %s <= 1e7%s)", where, name, M, name, allow_inf ? ", or inf" : "");
    return SLT_OK;
}

/* λ_k = A k^{-α}, t_k = c λ_k for k = 1 … M, as an explicit task. */
static int truncated_gp_task(const char *where, double alpha, double A, double c, double M,
                             double noise, slt_task **task)
{
    size_t m = (size_t)M;
    double *lam = malloc(m * sizeof *lam), *tgt = malloc(m * sizeof *tgt);
    if (!lam || !tgt) {
        free(lam);
        free(tgt);
        return slt_error(SLT_ENOMEM, "%s: out of memory for %zu modes", where, m);
    }
    for (size_t k = 0; k < m; k++) {
        lam[k] = A * pow((double)(k + 1), -alpha);
        tgt[k] = c * lam[k];
    }
    int rc = slt_task_alloc_explicit(m, lam, tgt, noise, task);
    free(lam);
    free(tgt);
    return rc;
}

int slt_statics_task_bahri(double alpha_K, double S, double omega2, double amp_lambda,
                           double noise, slt_task **task)
{
    static const char *where = "slt_statics_task_bahri";
    if (!task) return slt_error(SLT_EINVAL, "%s: NULL output pointer", where);
    *task = NULL;
    double alpha, beta;
    int rc = slt_convert_bahri(alpha_K, &alpha, &beta);
    if (rc) return rc;
    if ((rc = check_modes(where, "S", S, 1))) return rc;
    if ((rc = slt_check_range(where, "omega2", omega2, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "amp_lambda", amp_lambda, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "noise", noise, 0.0, 0, INFINITY, 1))) return rc;
    if (isinf(S)) {
        /* t_k = ω²λ_k = ω²A_λ k^{-α} = A_t k^{-(αβ+1)} with αβ + 1 = α */
        slt_power_law_params p = slt_power_law_params_default();
        p.alpha = alpha;
        p.beta = beta;
        p.amp_lambda = amp_lambda;
        p.amp_target = omega2 * amp_lambda;
        p.noise = noise;
        return slt_task_alloc_power_law(&p, task);
    }
    return truncated_gp_task(where, alpha, amp_lambda, omega2, S, noise, task);
}

int slt_statics_task_maloney(double alpha_MRS, double lambda_plus, double sigma_w2, double M,
                             double noise, slt_task **task)
{
    static const char *where = "slt_statics_task_maloney";
    if (!task) return slt_error(SLT_EINVAL, "%s: NULL output pointer", where);
    *task = NULL;
    double alpha, beta;
    int rc = slt_convert_maloney(alpha_MRS, &alpha, &beta);
    if (rc) return rc;
    if ((rc = check_modes(where, "M", M, 0))) return rc;
    if ((rc = slt_check_range(where, "lambda_plus", lambda_plus, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "sigma_w2", sigma_w2, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "noise", noise, 0.0, 0, INFINITY, 1))) return rc;
    return truncated_gp_task(where, alpha, lambda_plus, sigma_w2 / M, M, noise, task);
}

int slt_statics_ridge_maloney(double gamma_MRS, double M, double N, double T, double sigma_u2,
                              double *z)
{
    static const char *where = "slt_statics_ridge_maloney";
    if (!z) return slt_error(SLT_EINVAL, "%s: NULL output pointer", where);
    int rc;
    if ((rc = slt_check_range(where, "gamma_MRS", gamma_MRS, 0.0, 0, INFINITY, 1)) ||
        (rc = slt_check_range(where, "M", M, 0.0, 1, INFINITY, 1)) ||
        (rc = slt_check_range(where, "N", N, 0.0, 1, INFINITY, 0)) ||
        (rc = slt_check_range(where, "T", T, 0.0, 1, INFINITY, 0)) ||
        (rc = slt_check_range(where, "sigma_u2", sigma_u2, 0.0, 1, INFINITY, 1)))
        return rc;
    *z = (isinf(N) || isinf(T)) ? 0.0 : gamma_MRS * M / (T * N * sigma_u2);
    if (!isfinite(*z))
        return slt_error(SLT_EINVAL, "%s: gamma_MRS M/(T N sigma_u2) = %.17g overflows", where, *z);
    return SLT_OK;
}

/* ---- Boopathy–Fiete scale–time ------------------------------------------------------ */

slt_statics_scale_time_params slt_statics_scale_time_params_default(void)
{
    slt_statics_scale_time_params st = {.count_small = 1e6, .count_large = 1e8,
                                        .scale_exponent = 1.0 / 3.0, .time_const = 1.0,
                                        .horizon_small = INFINITY};
    return st;
}

int slt_statics_scale_time_params_check(const slt_statics_scale_time_params *st)
{
    static const char *where = "slt_statics_scale_time_params";
    if (!st) return slt_error(SLT_EINVAL, "%s: NULL parameters", where);
    int rc;
    static const char *const fields[] = {"count_small", "count_large", "scale_exponent",
                                         "time_const", "horizon_small"};
    const double values[] = {st->count_small, st->count_large, st->scale_exponent,
                             st->time_const, st->horizon_small};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if ((rc = slt_param_range_check(where, slt_statics_scale_time_param_range(fields[i]),
                                        values[i])))
            return rc;
    return SLT_OK;
}

int slt_statics_scale_time_at(const slt_statics_workspace *ws, const slt_statics_scale_time_params *st,
                              double P, double t, slt_statics_scale_time *r)
{
    static const char *where = "slt_statics_scale_time_at";
    if (!ws || !r) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    r->t = t;
    r->t_small = r->tau = r->loss = r->loss_err = r->signal = r->noise_part = NAN;
    r->within_horizon = 0;
    int rc;
    if ((rc = slt_statics_scale_time_params_check(st)) ||
        (rc = slt_check_range(where, "t", t, 0.0, 1, INFINITY, 1)) ||
        (rc = slt_check_range(where, "P", P, 0.0, 1, INFINITY, 0)))
        return r->status = rc;
    /* the paper's statement: only p·t matters, p = count^e */
    const double e = st->scale_exponent;
    const double p_small = pow(st->count_small, e), p_large = pow(st->count_large, e);
    r->t_small = t * (p_large / p_small);
    r->within_horizon = r->t_small <= st->horizon_small;
    /* our surrogate: gradient flow for τ = c·p·t ≈ ridge z = 1/τ, N = ∞, P = n */
    r->tau = st->time_const * p_large * t;
    slt_statics_params sp = slt_statics_params_default();
    sp.N = INFINITY;
    sp.P = P;
    sp.ridge = 1.0 / r->tau;
    if (!isfinite(r->tau) || !(sp.ridge > 0.0) || !isfinite(sp.ridge))
        return r->status = slt_error(SLT_EINVAL, "%s: the effective time tau = c p t = %.17g is "
                                     "out of range (expected 0 < tau < inf with 1/tau > 0)",
                                     where, r->tau);
    rc = slt_statics_solve(ws, &sp, &r->krr);
    if (rc) return r->status = rc;
    r->loss = r->krr.test;
    r->loss_err = r->krr.test_err;
    r->signal = r->krr.signal;
    r->noise_part = r->krr.noise_part;
    return r->status = SLT_OK;
}
