/* Converters from each paper's exponent letters to the canonical (α, β)
 * (docs/theory/conventions.md §6), with the inverses the CLI needs. */
#include <math.h>

#include "slt/status.h"
#include "slt/task.h"

/* Every converter ends by checking the canonical result, so a paper's parameters that
 * map outside α > 1, β > 0 are reported in the paper's own letters first. */
static int check_canonical(const char *where, double alpha, double beta)
{
    int rc = slt_check_range(where, "alpha (canonical)", alpha, 1.0, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(where, "beta (canonical)", beta, 0.0, 1, INFINITY, 1);
    return rc;
}

static int out_ok(const char *where, double *x, double *y)
{
    return (x && y) ? SLT_OK : slt_error(SLT_EINVAL, "%s: output pointer is NULL", where);
}

int slt_convert_bap2024a(double a, double b, double *alpha, double *beta)
{
    static const char *w = "Bordelon-Atanasov-Pehlevan 2024a (lambda_k = k^-b, lambda_k w_k^2 = k^-a)";
    int rc = out_ok(w, alpha, beta);
    if (!rc) rc = slt_check_range(w, "a", a, 1.0, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(w, "b", b, 1.0, 1, INFINITY, 1);
    if (rc) return rc;
    *alpha = b;
    *beta = (a - 1.0) / b;
    return check_canonical(w, *alpha, *beta);
}

int slt_convert_to_bap2024a(double alpha, double beta, double *a, double *b)
{
    static const char *w = "canonical to Bordelon-Atanasov-Pehlevan 2024a";
    int rc = out_ok(w, a, b);
    if (!rc) rc = check_canonical(w, alpha, beta);
    if (rc) return rc;
    *b = alpha;
    *a = alpha * beta + 1.0;
    return SLT_OK;
}

/* Bahri et al. and Maloney et al. draw the teacher isotropically, so t_k ∝ λ_k and
 * β = α_K/(1+α_K) < 1: always a hard task. */
static int isotropic_teacher(const char *w, const char *letter, double alpha_K, double *alpha,
                             double *beta)
{
    int rc = out_ok(w, alpha, beta);
    if (!rc) rc = slt_check_range(w, letter, alpha_K, 0.0, 1, INFINITY, 1);
    if (rc) return rc;
    *alpha = 1.0 + alpha_K;
    *beta = alpha_K / (1.0 + alpha_K);
    return check_canonical(w, *alpha, *beta);
}

int slt_convert_bahri(double alpha_K, double *alpha, double *beta)
{
    return isotropic_teacher("Bahri et al. (lambda_n ~ n^-(1+alpha_K), isotropic teacher)",
                             "alpha_K", alpha_K, alpha, beta);
}

int slt_convert_maloney(double alpha_MRS, double *alpha, double *beta)
{
    return isotropic_teacher("Maloney-Roberts-Sully (lambda_I ~ I^-(1+alpha), isotropic teacher)",
                             "alpha_MRS", alpha_MRS, alpha, beta);
}

int slt_convert_plrf(double alpha_P, double beta_P, double *alpha, double *beta)
{
    static const char *w = "Paquette et al. PLRF (D = diag(j^-2alpha), b_j = j^-beta)";
    int rc = out_ok(w, alpha, beta);
    /* 2α_P > 1 is what makes the canonical spectrum trace class (α > 1). */
    if (!rc) rc = slt_check_range(w, "alpha_P", alpha_P, 0.5, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(w, "beta_P", beta_P, -INFINITY, 1, INFINITY, 1);
    if (rc) return rc;
    *alpha = 2.0 * alpha_P;
    *beta = (2.0 * alpha_P + 2.0 * beta_P - 1.0) / (2.0 * alpha_P);
    return check_canonical(w, *alpha, *beta);
}

int slt_convert_to_plrf(double alpha, double beta, double *alpha_P, double *beta_P)
{
    static const char *w = "canonical to Paquette et al. PLRF";
    int rc = out_ok(w, alpha_P, beta_P);
    if (!rc) rc = check_canonical(w, alpha, beta);
    if (rc) return rc;
    *alpha_P = alpha / 2.0;
    *beta_P = (alpha * (beta - 1.0) + 1.0) / 2.0;
    return SLT_OK;
}

int slt_convert_spigler(double alpha_S, double alpha_T, double d, double *alpha, double *beta)
{
    static const char *w = "Spigler-Geiger-Wyart (student |w|^-alpha_S, teacher |w|^-alpha_T, dimension d)";
    int rc = out_ok(w, alpha, beta);
    if (!rc) rc = slt_check_range(w, "d", d, 0.0, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(w, "alpha_S", alpha_S, d, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(w, "alpha_T", alpha_T, d, 1, INFINITY, 1);
    if (rc) return rc;
    *alpha = alpha_S / d;
    *beta = (alpha_T - d) / alpha_S;
    return check_canonical(w, *alpha, *beta);
}

int slt_convert_plrf_finite(double alpha_P, double beta_P, double *alpha, double *beta)
{
    static const char *w = "Paquette et al. PLRF with finitely many modes (D = diag(j^-2alpha), "
                           "b_j = j^-beta)";
    int rc = out_ok(w, alpha, beta);
    /* a finite task has a finite trace and target power for any exponents */
    if (!rc) rc = slt_check_range(w, "alpha_P", alpha_P, 0.0, 1, INFINITY, 1);
    if (!rc) rc = slt_check_range(w, "beta_P", beta_P, -INFINITY, 1, INFINITY, 1);
    if (rc) return rc;
    *alpha = 2.0 * alpha_P;
    *beta = (2.0 * alpha_P + 2.0 * beta_P - 1.0) / (2.0 * alpha_P);
    return SLT_OK;
}
