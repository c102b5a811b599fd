/* The moment tail's part of the named sums (docs/theory/task.md, "the moment tail").
 *
 * The tail is known by M_j = Σ m λ^j (j = 1 … J), T_j = Σ P λ^j (j = 0 … J−1), a bound
 * λ_sup >= every tail eigenvalue and the target power P_null on λ = 0. Each resolvent-type
 * sum has the form Σ_tail (weight)·λ^s·(1 + λ/z)^{−(deg+1)}, which expands as
 *     S = Σ_{n>=0} (−1)^n C(n+deg, deg) X_{n+s} z^{−(n+s)},   X = M or T.
 * Remainder after n < N:
 *   real z = κ > 0: the Lagrange remainder of (1+x)^{−(deg+1)}, x >= 0, is at most its
 *     first omitted term, so |R_N| <= C(N+deg, deg) X_{N+s} κ^{−(N+s)} (any ρ);
 *   complex z, ρ = λ_sup/|z| < 1: |R_N| <= |z|^{−(N+s)} X_{N+s} Σ_i C(N+i+deg, deg) ρ^i,
 *     from X_{k+i} <= λ_sup^i X_k;
 * with X_k beyond the known moments bounded by λ_sup^{k−j} X_j. Independently, each real
 * sum is monotone in λ ∈ (0, λ_sup], which brackets it (value = midpoint, err =
 * half-width); complex sums are bounded by dist(−z, [0, λ_sup]). The smaller bound wins:
 * the series where ρ is small, the bracket where it is not — never a silent drop. */
#include <complex.h>
#include <float.h>
#include <math.h>

#include "slt/status.h"
#include "task_internal.h"

typedef struct {
    int tgt; /* X = T (target moments) or M (eigenvalue moments) */
    int s;   /* first power of λ */
    int deg; /* w(n) = C(n + deg, deg) */
} series_shape;

static int shape_of(slt_sum_name name, series_shape *sh)
{
    switch (name) {
    case SLT_SUM_DF: *sh = (series_shape){0, 1, 0}; return 1;
    case SLT_SUM_DF2: *sh = (series_shape){0, 2, 1}; return 1;
    case SLT_SUM_KT1: *sh = (series_shape){1, 0, 0}; return 1;
    case SLT_SUM_K2T2: *sh = (series_shape){1, 0, 1}; return 1;
    case SLT_SUM_D3: *sh = (series_shape){0, 2, 2}; return 1;
    case SLT_SUM_K3: *sh = (series_shape){1, 1, 2}; return 1;
    default: return 0;
    }
}

static double weight(int deg, int n)
{
    return deg == 0 ? 1.0 : deg == 1 ? n + 1.0 : 0.5 * (n + 1.0) * (n + 2.0);
}

/* Index range of X: M_1 … M_J or T_0 … T_{J−1}. */
static int kmin_of(int tgt) { return tgt ? 0 : 1; }
static int kmax_of(const slt_task_tail *tl, int tgt) { return kmin_of(tgt) + (int)tl->n_mom - 1; }

static double x_val(const slt_task_tail *tl, int tgt, int k)
{
    return tgt ? tl->tgt_mom[k] : tl->lam_mom[k - 1];
}

static double x_err(const slt_task_tail *tl, int tgt, int k)
{
    return tgt ? tl->tgt_mom_err[k] : tl->lam_mom_err[k - 1];
}

/* An upper bound on X_k, k >= kmin: min over known j <= k of (X_j + err_j) λ_sup^{k−j}. */
static double x_hi(const slt_task_tail *tl, int tgt, int k)
{
    const int lo = kmin_of(tgt), hi = kmax_of(tl, tgt);
    double b = INFINITY;
    for (int j = lo; j <= hi && j <= k; j++) {
        double v = (x_val(tl, tgt, j) + x_err(tl, tgt, j)) * pow(tl->lambda_sup, k - j);
        if (v < b) b = v;
    }
    return b * (1.0 + 4.0 * DBL_EPSILON);
}

/* A lower bound on X_k (0 beyond the known moments). */
static double x_lo(const slt_task_tail *tl, int tgt, int k)
{
    if (k > kmax_of(tl, tgt)) return 0.0;
    double v = x_val(tl, tgt, k) - x_err(tl, tgt, k);
    return v > 0.0 ? v * (1.0 - 4.0 * DBL_EPSILON) : 0.0;
}

/* The series of a resolvent-type sum at z; complex_bound selects the geometric remainder
 * (complex z, needs ρ < 1) over the Lagrange one (z = κ > 0). The N with the smallest
 * total bound is kept. Returns 0 when no finite bound was found. */
static int series(const slt_task_tail *tl, const series_shape *sh, double complex z,
                  int complex_bound, double complex *value, double *err)
{
    const double za = cabs(z), rho = tl->lambda_sup / za;
    if (complex_bound && !(rho < 1.0)) return 0;
    const double complex u = 1.0 / z;
    const double ua = 1.0 / za;
    const int Nmax = kmax_of(tl, sh->tgt) - sh->s + 1;
    double S0 = 0, S1 = 0, S2 = 0;
    if (complex_bound) {
        S0 = 1.0 / (1.0 - rho);
        S1 = rho * S0 * S0;
        S2 = rho * (1.0 + rho) * S0 * S0 * S0;
    }
    double complex acc = 0.0, upow = 1.0;
    double abs_acc = 0.0, mom_err = 0.0, best_err = INFINITY;
    double complex best = 0.0;
    int found = 0;
    for (int i = 0; i < sh->s; i++) upow *= u;
    /* x_hi(k) and |u|^k, k = N + s, advanced by one factor per N (a pow per term made the
     * tail the statics' main cost): x_hi(k+1) = min(X_{k+1} + err, λ_sup·x_hi(k)), each
     * product rounded up by 2ε */
    const int xlo = kmin_of(sh->tgt), xhi_k = kmax_of(tl, sh->tgt);
    double hk = x_hi(tl, sh->tgt, sh->s), uk = pow(ua, sh->s);
    for (int N = 0; N <= (Nmax > 0 ? Nmax : 0); N++, uk *= ua) {
        /* bound with terms n < N summed */
        const int k = N + sh->s;
        double rem;
        if (N > 0) {
            hk *= tl->lambda_sup * (1.0 + 2.0 * DBL_EPSILON);
            if (k >= xlo && k <= xhi_k)
                hk = fmin(hk, (x_val(tl, sh->tgt, k) + x_err(tl, sh->tgt, k)) *
                                  (1.0 + 4.0 * DBL_EPSILON));
        }
        if (!complex_bound) {
            rem = weight(sh->deg, N) * hk * uk;
        } else {
            double ws;
            if (sh->deg == 0) ws = S0;
            else if (sh->deg == 1) ws = (N + 1.0) * S0 + S1;
            else {
                double a = N + 1.0;
                ws = 0.5 * (a * (a + 1.0) * S0 + (2.0 * a + 1.0) * S1 + S2);
            }
            rem = hk * uk * ws;
        }
        double e = rem + mom_err + (2.0 * N + 8.0) * DBL_EPSILON * abs_acc;
        if (isfinite(e) && e < best_err && isfinite(creal(acc)) && isfinite(cimag(acc))) {
            best_err = e;
            best = acc;
            found = 1;
        }
        if (N == Nmax || N >= Nmax) break;
        /* no later N can do better: its bound is at least this one − rem + 2ε·abs_acc
         * (mom_err and the rounding term only grow) */
        if (found && rem <= 2.0 * DBL_EPSILON * abs_acc) break;
        /* add term n = N */
        const double w = weight(sh->deg, N), sg = (N % 2) ? -1.0 : 1.0;
        double complex term = sg * w * x_val(tl, sh->tgt, k) * upow;
        acc += term;
        abs_acc += cabs(term);
        mom_err += w * x_err(tl, sh->tgt, k) * uk;
        upow *= u;
    }
    if (!found) return 0;
    *value = best;
    *err = best_err;
    return 1;
}

/* The monotone bracket of a real resolvent-type sum at κ > 0 (task.md). */
static void bracket(const slt_task_tail *tl, slt_sum_name name, double k, double *value,
                    double *err)
{
    const double ls = tl->lambda_sup, d = ls + k, g = k / d;
    double lo, hi;
    switch (name) {
    case SLT_SUM_DF:
        lo = x_lo(tl, 0, 1) / d;
        hi = x_hi(tl, 0, 1) / k;
        break;
    case SLT_SUM_DF2:
        lo = x_lo(tl, 0, 2) / (d * d);
        hi = fmin(x_hi(tl, 0, 2) / (k * k), x_hi(tl, 0, 1) / (4.0 * k));
        break;
    case SLT_SUM_KT1:
        lo = x_lo(tl, 1, 0) * g;
        hi = x_hi(tl, 1, 0);
        break;
    case SLT_SUM_K2T2:
        lo = x_lo(tl, 1, 0) * g * g;
        hi = x_hi(tl, 1, 0);
        break;
    case SLT_SUM_D3:
        lo = x_lo(tl, 0, 2) * k / (d * d * d);
        hi = fmin(x_hi(tl, 0, 2) / (k * k), 4.0 * x_hi(tl, 0, 1) / (27.0 * k));
        break;
    default: /* SLT_SUM_K3 */
        lo = x_lo(tl, 1, 1) * g * g / d;
        hi = fmin(x_hi(tl, 1, 1) / k, 4.0 * x_hi(tl, 1, 0) / 27.0);
        break;
    }
    if (!(lo <= hi)) lo = hi; /* rounding */
    *value = 0.5 * (lo + hi);
    *err = 0.5 * (hi - lo) + 4.0 * DBL_EPSILON * hi;
}

/* Σ_tail P e^{−2λt}: Taylor series with the Lagrange remainder (2t)^N T_N/N! (valid for
 * every t >= 0), or the bracket [T_0 e^{−2 λ_sup t}, T_0]. */
static void decay(const slt_task_tail *tl, double t, double *value, double *err)
{
    const int kmax = kmax_of(tl, 1);
    double acc = 0.0, abs_acc = 0.0, mom_err = 0.0, c = 1.0; /* c = (−2t)^j/j! */
    double best = 0.0, best_err = INFINITY;
    for (int N = 0; N <= kmax + 1; N++) {
        double rem = fabs(c) * x_hi(tl, 1, N);
        if (N == 0) rem = x_hi(tl, 1, 0); /* |e^{−x}| <= 1 */
        double e = rem + mom_err + (N + 8.0) * DBL_EPSILON * abs_acc;
        if (isfinite(e) && e < best_err) {
            best_err = e;
            best = acc;
        }
        if (N > kmax) break;
        double term = c * tl->tgt_mom[N];
        acc += term;
        abs_acc += fabs(term);
        mom_err += fabs(c) * tl->tgt_mom_err[N];
        c *= -2.0 * t / (N + 1.0);
    }
    double lo = x_lo(tl, 1, 0) * exp(-2.0 * tl->lambda_sup * t), hi = x_hi(tl, 1, 0);
    if (!(lo <= hi)) lo = hi;
    double bv = 0.5 * (lo + hi), be = 0.5 * (hi - lo) + 4.0 * DBL_EPSILON * hi;
    if (be < best_err) {
        best = bv;
        best_err = be;
    }
    *value = best;
    *err = best_err;
}

int slt_tail_real(const slt_task *task, slt_sum_name name, double par, const char *where,
                  double *value, double *err)
{
    const slt_task_tail *tl = &task->tail;
    double v, e;
    int with_null = 0;
    series_shape sh;
    switch (name) {
    case SLT_SUM_TRACE:
        v = tl->lam_mom[0];
        e = tl->lam_mom_err[0];
        break;
    case SLT_SUM_TARGET:
        v = tl->tgt_mom[0];
        e = tl->tgt_mom_err[0];
        with_null = 1;
        break;
    case SLT_SUM_DECAY:
        if (!(par >= 0.0) || !isfinite(par))
            return slt_error(SLT_EINVAL, "%s: time = %.17g is out of range (expected a finite "
                             "time >= 0)", where, par);
        decay(tl, par, &v, &e);
        with_null = 1;
        break;
    default:
        if (!shape_of(name, &sh))
            return slt_error(SLT_EINVAL, "%s: sum name %d is out of range", where, (int)name);
        if (!(par > 0.0) || !isfinite(par))
            return slt_error(SLT_EDOM, "%s: kappa = %.17g on a task with a tail (expected a "
                             "finite kappa > 0: the tail's eigenvalues reach 0, and the "
                             "ridgeless sums need kappa > 0 there)", where, par);
        bracket(tl, name, par, &v, &e);
        double complex sv;
        double se;
        if (series(tl, &sh, par, 0, &sv, &se) && se < e) {
            v = creal(sv);
            e = se;
        }
        with_null = name == SLT_SUM_KT1 || name == SLT_SUM_K2T2;
        break;
    }
    if (with_null) {
        v += tl->null_power;
        e += tl->null_power_err + 2.0 * DBL_EPSILON * fabs(v);
    }
    *value = v;
    *err = e;
    if (!isfinite(v) || !isfinite(e))
        return slt_error(SLT_EDOM, "%s: the tail's part is not finite (%.3g +- %.3g)", where, v, e);
    return SLT_OK;
}

int slt_tail_complex(const slt_task *task, slt_sum_name name, double complex z,
                     const char *where, double complex *value, double *err)
{
    const slt_task_tail *tl = &task->tail;
    series_shape sh;
    if (!shape_of(name, &sh) || name == SLT_SUM_D3 || name == SLT_SUM_K3)
        return slt_error(SLT_EINVAL, "%s: sum name %d has no complex form", where, (int)name);
    const int with_null = name == SLT_SUM_KT1 || name == SLT_SUM_K2T2;
    if (cimag(z) == 0.0 && creal(z) > 0.0) {
        double v, e;
        int rc = slt_tail_real(task, name, creal(z), where, &v, &e);
        *value = v;
        *err = e;
        return rc;
    }
    /* δ = dist(−z, [0, λ_sup]) bounds 1/|λ + z| on the tail */
    const double ls = tl->lambda_sup, wr = -creal(z), wi = -cimag(z);
    double delta = wr < 0.0 ? hypot(wr, wi) : wr > ls ? hypot(wr - ls, wi) : fabs(wi);
    if (!(delta > 0.0))
        return slt_error(SLT_EDOM, "%s: z = %.17g%+.17gi lies on [-lambda_sup, 0] = [%.6g, 0], "
                         "where the tail's eigenvalues may sit", where, creal(z), cimag(z), -ls);
    const double za = cabs(z);
    double fe;
    switch (name) {
    case SLT_SUM_DF: fe = x_hi(tl, 0, 1) / delta; break;
    case SLT_SUM_DF2: fe = x_hi(tl, 0, 2) / (delta * delta); break;
    case SLT_SUM_KT1: fe = x_hi(tl, 1, 0) * za / delta; break;
    default: fe = x_hi(tl, 1, 0) * (za / delta) * (za / delta); break;
    }
    double complex v = 0.0;
    double e = fe, se;
    double complex sv;
    if (series(tl, &sh, z, 1, &sv, &se) && se < e) {
        v = sv;
        e = se;
    }
    if (with_null) {
        v += tl->null_power;
        e += tl->null_power_err + 2.0 * DBL_EPSILON * cabs(v);
    }
    *value = v;
    *err = e;
    if (!isfinite(creal(v)) || !isfinite(cimag(v)) || !isfinite(e))
        return slt_error(SLT_EDOM, "%s: the tail's part is not finite at z = %.6g%+.6gi", where,
                         creal(z), cimag(z));
    return SLT_OK;
}
