/* Mode sums Σ_k f(λ_k, t_k) over every mode of a task, with an error bound.
 *
 * Explicit tasks: a plain blocked sum of the M terms; the bound is the rounding bound.
 * From SLT_CLUSTER_MIN_TASK levels on, the resolvent-type sums (df, df2, kt1, k2t2, d3,
 * k3 and their complex forms) sum a head directly and the rest as clusters by moment
 * expansions, with truncation, rounding and underflow bounds (see cluster_real).
 *
 * Power-law tasks (λ_k = A k^{-α}, t_k = B k^{-q}, q = αβ+1, k → ∞):
 *   S = Σ_{k≤K} g(k) + Σ_{k>K} g(k),   g(x) = f(A x^{-α}, B x^{-q}),
 * and the tail by the midpoint Euler–Maclaurin formula (x0 = K + ½):
 *   Σ_{k>K} g(k) = ∫_{x0}^∞ g(x) dx + g'(x0)/24 − 7 g'''(x0)/5760 + …
 * The integral is in closed form where one exists (decay: incomplete gamma; df, df2, kt1,
 * k2t2: incomplete beta, by our own series because GSL's is normalised), otherwise adaptive
 * quadrature in u = ln(x/x0) up to where λ or t leave the double range, and beyond that an
 * extrapolation with a fitted decay rate and its error (tail_beyond_cap). g' and g''' come from
 * a six-point stencil; the first omitted term (in g⁽⁵⁾) bounds the truncation. If the tail
 * error is above the tolerance (a feature of g near x0, e.g. complex z close to the
 * negative axis), the head grows ×8 up to max_head and the tail is redone; if even that
 * does not reach the tolerance, the sum fails with SLT_ENOCONV.
 * docs/theory/task.md derives the formulas and states the error bound. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_zeta.h>

#include "slt/status.h"
#include "task_internal.h"

#define HEAD_BLOCK 64
#define QUAD_LIMIT 200
/* ln(x/x0) beyond which the tail integrand is not evaluated: x0·e^u would overflow, or
 * λ, t would leave the normal range and f(λ, t) could become 0/0. The part of the
 * integral beyond the cap is extrapolated (tail_beyond_cap) and its error counted. */
#define U_MAX 600.0
#define TINY_NORMAL 1e-290

slt_sum_options slt_sum_options_default(void)
{
    slt_sum_options o = {.rel_tol = 1e-13, .max_head = (size_t)1 << 22};
    return o;
}

static int check_options(const slt_sum_options *o, const char *where)
{
    int rc = slt_check_range(where, "rel_tol", o->rel_tol, 1e-15, 0, 0.1, 0);
    if (rc) return rc;
    if (o->max_head < SLT_TASK_HEAD_CACHE)
        return slt_error(SLT_EINVAL, "%s: max_head = %zu is out of range (expected max_head >= %d)",
                         where, o->max_head, SLT_TASK_HEAD_CACHE);
    return SLT_OK;
}

/* Rounding bound of a blocked sum of n terms, each evaluated with a few ulps of
 * relative error: (block length + number of blocks + per-term error) · u · Σ|terms|. */
static double rounding_bound(size_t n, double abs_sum)
{
    double steps = (double)(n < HEAD_BLOCK ? n : HEAD_BLOCK) + (double)(n / HEAD_BLOCK) + 8.0;
    return steps * DBL_EPSILON * abs_sum;
}

/* The product m·f of a level term adds one rounding per term (none without
 * multiplicities, where the bound stays what it always was). */
static double level_rounding(const slt_task *task, double abs_sum)
{
    return task->mult ? DBL_EPSILON * abs_sum : 0.0;
}

/* ---- Mode terms --------------------------------------------------------------------
 * One real and one complex evaluator for every sum; named sums get specialised inline
 * terms so their head loops compile without indirect calls. */

typedef enum { SUM_GENERIC, SUM_DF, SUM_DF2, SUM_KT1, SUM_K2T2, SUM_DECAY, SUM_TARGET,
               SUM_TRACE, SUM_D3, SUM_K3 } sum_kind;

/* The public name of a named sum (the moment tail's kind); generic: -1. */
static int kind_name(sum_kind k)
{
    switch (k) {
    case SUM_DF: return SLT_SUM_DF;
    case SUM_DF2: return SLT_SUM_DF2;
    case SUM_KT1: return SLT_SUM_KT1;
    case SUM_K2T2: return SLT_SUM_K2T2;
    case SUM_DECAY: return SLT_SUM_DECAY;
    case SUM_TARGET: return SLT_SUM_TARGET;
    case SUM_TRACE: return SLT_SUM_TRACE;
    case SUM_D3: return SLT_SUM_D3;
    case SUM_K3: return SLT_SUM_K3;
    case SUM_GENERIC: break;
    }
    return -1;
}

typedef struct {
    sum_kind kind;
    double par;              /* κ for df..k2t2, time for decay */
    double complex zpar;     /* z for the complex forms */
    slt_mode_fn f;
    slt_mode_cfn cf;
    void *ctx;
} term_spec;

static inline double term_real(const term_spec *s, double l, double t)
{
    double k = s->par;
    switch (s->kind) {
    case SUM_DF: return l / (l + k);
    case SUM_DF2: { double r = l / (l + k); return r * r; }
    case SUM_KT1: return t * k / (l + k);
    case SUM_K2T2: { double r = k / (l + k); return t * r * r; }
    case SUM_DECAY: return t * exp(-2.0 * l * k);
    case SUM_TARGET: return t;
    case SUM_TRACE: return l;
    /* as the statics' callbacks wrote them (regime.c), so they agree bit for bit */
    case SUM_D3: { double f = l / (l + k); return f * f * (k / (l + k)); }
    case SUM_K3: { double g = k / (l + k); return t * g * g * (l / (l + k)); }
    case SUM_GENERIC: break;
    }
    return s->f(l, t, s->ctx);
}

static inline double complex term_complex(const term_spec *s, double l, double t)
{
    double complex z = s->zpar;
    switch (s->kind) {
    case SUM_DF: return l / (l + z);
    case SUM_DF2: { double complex r = l / (l + z); return r * r; }
    case SUM_KT1: return t * z / (l + z);
    case SUM_K2T2: { double complex r = z / (l + z); return t * r * r; }
    default: break;
    }
    return s->cf(l, t, s->ctx);
}

/* Head sums over modes [from, to) of arrays lam/tgt (0-based). Blocked so the rounding
 * bound grows like block + n/block, not n. With multiplicities mul (NULL: every one 1, the
 * per-mode loop) entry i is a level of mul[i] modes and total target power tgt[i]: its
 * term is LEXPR, m·f(λ, P/m) written out (sums linear in t need no division). */
#define DEFINE_HEAD(NAME, EXPR, LEXPR)                                                    \
    static void NAME(const term_spec *s, const double *lam, const double *tgt,            \
                     const double *mul, size_t from, size_t to, double *sum,              \
                     double *abs_sum)                                                     \
    {                                                                                     \
        double total = 0.0, total_abs = 0.0;                                              \
        const double k = s->par;                                                          \
        (void)k;                                                                          \
        for (size_t b = from; b < to; b += HEAD_BLOCK) {                                  \
            size_t e = b + HEAD_BLOCK < to ? b + HEAD_BLOCK : to;                         \
            double acc = 0.0, acc_abs = 0.0;                                              \
            if (!mul) {                                                                   \
                for (size_t i = b; i < e; i++) {                                          \
                    const double l = lam[i], t = tgt[i];                                  \
                    (void)l; (void)t;                                                     \
                    double v = (EXPR);                                                    \
                    acc += v;                                                             \
                    acc_abs += fabs(v);                                                   \
                }                                                                         \
            } else {                                                                      \
                for (size_t i = b; i < e; i++) {                                          \
                    const double l = lam[i], t = tgt[i], w = mul[i];                      \
                    (void)l; (void)t; (void)w;                                            \
                    double v = (LEXPR);                                                   \
                    acc += v;                                                             \
                    acc_abs += fabs(v);                                                   \
                }                                                                         \
            }                                                                             \
            total += acc;                                                                 \
            total_abs += acc_abs;                                                         \
        }                                                                                 \
        *sum += total;                                                                    \
        *abs_sum += total_abs;                                                            \
    }

DEFINE_HEAD(head_df, l / (l + k), w * (l / (l + k)))
DEFINE_HEAD(head_df2, (l / (l + k)) * (l / (l + k)), w * ((l / (l + k)) * (l / (l + k))))
DEFINE_HEAD(head_kt1, t * k / (l + k), t * k / (l + k))
DEFINE_HEAD(head_k2t2, t * (k / (l + k)) * (k / (l + k)), t * (k / (l + k)) * (k / (l + k)))
DEFINE_HEAD(head_decay, t * exp(-2.0 * l * k), t * exp(-2.0 * l * k))
DEFINE_HEAD(head_target, t, t)
DEFINE_HEAD(head_trace, l, w * l)
DEFINE_HEAD(head_d3, (l / (l + k)) * (l / (l + k)) * (k / (l + k)),
            w * ((l / (l + k)) * (l / (l + k)) * (k / (l + k))))
/* K₃ on levels as m·f(λ, P/m), the generic callback's rounding: bit for bit what the
 * statics computed before it had this named sum */
DEFINE_HEAD(head_k3, t * (k / (l + k)) * (k / (l + k)) * (l / (l + k)),
            w * ((t / w) * (k / (l + k)) * (k / (l + k)) * (l / (l + k))))
DEFINE_HEAD(head_generic, s->f(l, t, s->ctx), w * s->f(l, t / w, s->ctx))

static void head_real(const term_spec *s, const double *lam, const double *tgt,
                      const double *mul, size_t from, size_t to, double *sum, double *abs_sum)
{
    switch (s->kind) {
    case SUM_DF: head_df(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_DF2: head_df2(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_KT1: head_kt1(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_K2T2: head_k2t2(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_DECAY: head_decay(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_TARGET: head_target(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_TRACE: head_trace(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_D3: head_d3(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_K3: head_k3(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    case SUM_GENERIC: head_generic(s, lam, tgt, mul, from, to, sum, abs_sum); break;
    }
}

/* Complex head. Unlike κ >= 0, a complex z can make λ + z cancel (z near −λ_k), and then
 * a term's relative error is u·(λ + |z|)/|λ + z|, not a few ulps: *round_err collects
 * that per-term bound for the named sums (a generic callback is assumed well conditioned).
 * mul as in DEFINE_HEAD; a weight of 1 multiplies exactly, so mul = NULL is the per-mode
 * sum bit for bit. */
static void head_complex(const term_spec *s, const double *lam, const double *tgt,
                         const double *mul, size_t from, size_t to, double complex *sum,
                         double *abs_sum, double *round_err)
{
    double complex total = 0.0;
    double total_abs = 0.0, cond_sum = 0.0, zabs = cabs(s->zpar);
    int named = s->kind != SUM_GENERIC;
    /* terms linear in the target carry the level power already */
    int weighted = s->kind == SUM_DF || s->kind == SUM_DF2 || s->kind == SUM_GENERIC;
    for (size_t b = from; b < to; b += HEAD_BLOCK) {
        size_t e = b + HEAD_BLOCK < to ? b + HEAD_BLOCK : to;
        double complex acc = 0.0;
        for (size_t i = b; i < e; i++) {
            double complex v;
            if (!mul) {
                v = term_complex(s, lam[i], tgt[i]);
            } else {
                const double w = mul[i];
                v = weighted ? w * term_complex(s, lam[i], tgt[i] / w)
                             : term_complex(s, lam[i], tgt[i]);
            }
            double av = cabs(v);
            acc += v;
            total_abs += av;
            if (named) cond_sum += av * (lam[i] + zabs) / cabs(lam[i] + s->zpar);
        }
        total += acc;
    }
    *sum += total;
    *abs_sum += total_abs;
    *round_err += 4.0 * DBL_EPSILON * cond_sum;
}

/* Power-law modes on demand beyond the cached head: fills lam/tgt for k = from+1 … to. */
static void power_law_modes(const slt_task *task, size_t from, size_t to, double *lam,
                            double *tgt)
{
    for (size_t k = from + 1; k <= to; k++) {
        double x = (double)k;
        lam[k - from - 1] = task->law.amp_lambda * pow(x, -task->law.alpha);
        tgt[k - from - 1] = task->law.amp_target * pow(x, -task->q);
    }
}

/* ---- Tail integrals ------------------------------------------------------------- */

typedef struct {
    const slt_task *task;
    const term_spec *spec;
    double x0;             /* start of the tail */
    double sl, st;         /* A^{−1/α}, B^{−1/q}: λ(x) = (sl·x)^{−α}, t(x) = (st·x)^{−q} */
    int part;              /* complex: 0 real part, 1 imaginary, 2 modulus; −1 real sum */
    double u_cap;          /* see U_MAX; may be negative (the cap lies inside the head) */
    double u_first;        /* where the first of λ, t reaches TINY_NORMAL (may be < u_cap) */
    double u_lcap;         /* where λ reaches TINY_NORMAL: the second attempt's cap */
    int steep;             /* second attempt at a large exponent (see quad_tail) */
} tail_ctx;

static void tail_ctx_init(tail_ctx *c, const slt_task *task, const term_spec *s, double x0,
                          int part)
{
    const double al = task->law.alpha, q = task->q;
    c->task = task;
    c->spec = s;
    c->x0 = x0;
    c->sl = pow(task->law.amp_lambda, -1.0 / al);
    c->st = pow(task->law.amp_target, -1.0 / q);
    c->part = part;
    /* in logarithms, because t0 itself can underflow (t_k = k^{−(αβ+1)} leaves the double
     * range at k ≈ 300 for α = β = 11, inside the cached head) */
    double ln_tiny = log(TINY_NORMAL);
    double u_l = (log(task->law.amp_lambda) - al * log(x0) - ln_tiny) / al;
    double u_t = (log(task->law.amp_target) - q * log(x0) - ln_tiny) / q;
    /* t_k leaving the range first (q > α, the usual case at large β) caps at λ's end only:
     * t may underflow to 0 there (the head does the same), f(λ, 0) is defined for any
     * summand with a power series in t, and the cap inside the head at large q (t_k <
     * 10⁻²⁹⁰ from k = 2 on for q > 964) left no room to fit a decay rate (issue 10). */
    c->u_first = fmin(u_l, u_t);
    c->u_cap = fmin(U_MAX, c->u_first);
    c->u_lcap = fmin(U_MAX, u_l);
    c->steep = 0;
}

/* λ and t at x as single powers: accurate to (1 + α) u and (1 + q) u relative for the x
 * given. (Forming them as exp(ln λ0 − α u) instead costs |ln λ|·u ≈ 10⁻¹³ relative at
 * the cap, which the quadrature's error estimate does not see.) */
static void tail_law(const tail_ctx *c, double x, double *l, double *t)
{
    *l = pow(c->sl * x, -c->task->law.alpha);
    *t = pow(c->st * x, -c->task->q);
}

/* x·f(λ, t) for the tail's real sum, or the requested part of a complex one (0 real,
 * 1 imaginary, 2 the modulus). */
static double tail_value(const tail_ctx *c, double l, double t, double x)
{
    if (c->part < 0) return x * term_real(c->spec, l, t);
    double complex v = term_complex(c->spec, l, t);
    return x * (c->part == 0 ? creal(v) : c->part == 1 ? cimag(v) : cabs(v));
}

/* The integrand of ∫_{x0}^∞ g(x) dx in u = ln(x/x0): x0 e^u g(x0 e^u). */
static double tail_integrand(double u, void *p)
{
    const tail_ctx *c = p;
    double x = c->x0 * exp(u), l, t;
    tail_law(c, x, &l, &t);
    return tail_value(c, l, t, x);
}

/* ∫_{u_s}^∞ h(u) du with u_s = max(u_cap, 0): the part of the tail where λ or t has left
 * the normal double range and the callback cannot be evaluated. Along a power-law tail
 * a smooth f(λ, t) becomes a sum of powers of x, so h(u) → C e^{−r u}: its local decay
 * rate r(u) = −d ln|h|/du settles to a constant (f = λ: exactly α − 1 from the start).
 * From a point u_f at or before the cap, the rates r0, r1, r2 over
 * [u_f − (i+1)d, u_f − i d] are extrapolated by one Aitken step (a geometric approach to
 * the limit); the step itself is taken as the rate's uncertainty, plus the rounding of the
 * logarithms. The remainder is h(u_f) e^{−r (u_s − u_f)}/r, and its error is what the
 * rate's uncertainty does to it. Two comparable powers (the rate does not settle) are
 * fitted as such (fit_two). A summand that changes sign there, does not decay, or fits
 * neither gives a failure, never a guess (docs/theory/task.md §2). */
#define F_MIN 1e-280 /* |f| below this may be subnormal: no rate can be read off */

/* The decay rate of h at u_f from h(u_f − i d), i = 0 … 3. The samples are formed from
 * λ, t, x at u_f, stepped by the factors e^{α d}, e^{q d}, e^{−d}, so each ratio carries
 * a few ulps of rounding only.
 * Returns 0 with *rate, *rate_err set; 1 when these samples are not a settling power law
 * (a zero, a sign change, a non-finite value, or rates that do not converge). */
static int fit_rate(const tail_ctx *c, double uf, double d, double *h0, double *rate,
                    double *rate_err)
{
    const double al = c->task->law.alpha, q = c->task->q;
    const double fl = exp(al * d), ft = exp(q * d), fx = exp(-d);
    double x = c->x0 * exp(uf), l, t;
    tail_law(c, x, &l, &t);
    double h[4], r[3];
    for (int i = 0; i < 4; i++) {
        h[i] = tail_value(c, l, t, x);
        if (!isfinite(h[i]) || h[i] == 0.0 || (h[i] > 0.0) != (h[0] > 0.0)) return 1;
        l *= fl;
        if (t != 0.0) t *= ft; /* t may have underflowed to 0 (and e^{qd} overflowed) */
        x *= fx;
    }
    *h0 = h[0];
    for (int i = 0; i < 3; i++) r[i] = log(h[i + 1] / h[i]) / d;
    /* Rounding of each ln(h_{i+1}/h_i): 8 u in each evaluation of f (assumed), and the
     * factors' own rounding (u·max(α, q)·d from their rounded exponents, 2 u from the
     * products), which reaches h through f's local exponents (≤ r + 2 in all). ×2 safety. */
    const double ratio_err = (16.0 + (fabs(r[0]) + 2.0) * (2.0 + fmax(al, q) * d)) * DBL_EPSILON;
    const double noise = 2.0 * ratio_err / d;
    double d0 = r[0] - r[1], d1 = r[1] - r[2], rho = d1 != 0.0 ? d0 / d1 : 0.0;
    if (fabs(d0) <= noise && fabs(d1) <= 4.0 * noise) {
        *rate = r[0];
        *rate_err = fabs(d0) + noise;
    } else if (rho > 0.0 && rho < 0.95) {
        /* r(u) − r_∞ ∝ ρ^{u/d}: one Aitken step, and the step itself as the uncertainty */
        double step = d0 * rho / (1.0 - rho);
        *rate = r[0] + step;
        *rate_err = fabs(step) + noise;
    } else {
        /* a steep summand (q = αβ + 1 large) just past a factor like e^{−2λT}: its local
         * rate still rises outward (r0 > r1 > r2 > 0) towards the power law's; the
         * smallest rate seen, with a quarter of it as uncertainty, bounds the remainder
         * while the rate keeps rising (issue 10) */
        if (c->steep && d0 > 0.0 && d1 > 0.0 && r[2] > 0.0) {
            *rate = r[2];
            *rate_err = 0.25 * r[2] + noise;
            return !(*rate_err < 0.5 * *rate);
        }
        return 1;
    }
    return !(*rate > 0.0 && *rate_err < 0.5 * *rate);
}

enum { FAR_FIT_OK, FAR_FIT_ZERO, FAR_FIT_TINY, FAR_FIT_NONE, FAR_FIT_NONFINITE };

/* Finds u_f and fits the rate there (see tail_beyond_cap). */
static int far_fit(const tail_ctx *c, double *uf_out, double *h0, double *rate, double *rate_err)
{
    /* u_f = u_cap − j is the first point back from the cap (not before k = 1) where f
     * itself is well inside the normal range: f = λ·t underflows even where λ, t do not */
    const double uc = c->u_cap, u_lo = -log(c->x0);
    double uf = uc;
    int all_zero = 1, found = 0;
    /* a large exponent (q = αβ + 1 in the hundreds, issue 10) moves f by e^{q} per unit step
     * of u: there the walk stops at k = 1 (below it t_k overflows), and the first normal
     * point is refined by bisection so the samples start where f has just become normal */
    const double qm = fmax(c->task->q, c->task->law.alpha);
    const int steep = c->steep;
    double u_tiny = uc;
    for (int j = 0; uf >= u_lo; j++) {
        uf = uc - j;
        if (steep && uf < u_lo) uf = u_lo;
        double h = tail_integrand(uf, (void *)c);
        *uf_out = uf;
        if (!isfinite(h)) return FAR_FIT_NONFINITE;
        if (h != 0.0) all_zero = 0;
        if (fabs(h) >= F_MIN * c->x0 * exp(uf)) { found = 1; break; }
        u_tiny = uf;
        if (steep && uf == u_lo) break;
    }
    if (!found) return all_zero ? FAR_FIT_ZERO : FAR_FIT_TINY;
    if (steep && u_tiny > uf) {
        double lo = uf, hi = u_tiny; /* f normal at lo, tiny at hi */
        for (int i = 0; i < 40 && hi - lo > 0.25 / qm; i++) {
            double mid = 0.5 * (lo + hi), h = tail_integrand(mid, (void *)c);
            if (isfinite(h) && fabs(h) >= F_MIN * c->x0 * exp(mid)) lo = mid; else hi = mid;
        }
        uf = lo;
        *uf_out = uf;
    }
    /* a wide stencil sees a slow approach to the power law best (d = 8 when two powers
     * differ by ~0.1 in rate); narrower ones keep the samples out of the region where the summand is not yet a power law (e.g. λT ≳ 1 in
     * the weighted decay when the cap lies inside the head) */
    static const double steps[4] = {2.0, 8.0, 0.5, 0.125};
    for (int s = 0; s < 4; s++)
        if (!fit_rate(c, uf, steps[s], h0, rate, rate_err)) return FAR_FIT_OK;
    /* a large exponent (q = αβ + 1 in the hundreds) moves f by e^{qd} per step: steps of
     * 2/q and 0.5/q keep the samples within the double range */
    for (int s = 0; s < 2 && steep; s++)
        if (!fit_rate(c, uf, (s ? 0.5 : 2.0) / qm, h0, rate, rate_err)) return FAR_FIT_OK;
    return FAR_FIT_NONE;
}

/* Two powers, h(u) = C1 e^{−r1 u} + C2 e^{−r2 u}, when one rate does not settle (f = λ + t
 * with close exponents, or both comparable at the cap): six samples h_i = h(u_f − i d)
 * obey h_{i+2} = a h_{i+1} + b h_i with roots y_j = e^{r_j d} of y² = a y + b (Prony). The
 * fit is made three times, from h_0…h_3, h_1…h_4 and h_2…h_5, each extrapolated to u_s;
 * the value is the first, and twice the largest difference is its error (it contains the
 * model error and the rounding the fit amplifies). Returns 1 when the samples are not two
 * decaying powers. */
static int fit_two(const tail_ctx *c, double uf, double d, double us, double *value,
                   double *err)
{
    const double al = c->task->law.alpha, q = c->task->q;
    const double fl = exp(al * d), ft = exp(q * d), fx = exp(-d);
    double x = c->x0 * exp(uf), l, t, h[6], v[3], scale = 0.0;
    tail_law(c, x, &l, &t);
    for (int i = 0; i < 6; i++) {
        h[i] = tail_value(c, l, t, x);
        if (!isfinite(h[i]) || h[i] == 0.0) return 1;
        l *= fl;
        if (t != 0.0) t *= ft; /* t may have underflowed to 0 (and e^{qd} overflowed) */
        x *= fx;
    }
    for (int s = 0; s < 3; s++) {
        const double *g = h + s;
        double det = g[1] * g[1] - g[2] * g[0];
        if (det == 0.0) return 1;
        double a = (g[2] * g[1] - g[3] * g[0]) / det, b = (g[3] * g[1] - g[2] * g[2]) / det;
        double disc = a * a + 4.0 * b;
        if (!(disc > 0.0) || a == 0.0) return 1;
        double y1 = 0.5 * (a + copysign(sqrt(disc), a)), y2 = -b / y1;
        if (!(y1 > 1.0 && y2 > 1.0) || y1 == y2) return 1;
        double r1 = log(y1) / d, r2 = log(y2) / d;
        double c1 = (g[1] - y2 * g[0]) / (y1 - y2), c2 = g[0] - c1;
        double shift = us - (uf - s * d);
        v[s] = c1 * exp(-r1 * shift) / r1 + c2 * exp(-r2 * shift) / r2;
        scale = fmax(scale, fabs(c1 * exp(-r1 * shift) / r1) + fabs(c2 * exp(-r2 * shift) / r2));
        if (!isfinite(v[s])) return 1;
    }
    *value = v[0];
    *err = 2.0 * fmax(fabs(v[1] - v[0]), fabs(v[2] - v[0])) + 16.0 * DBL_EPSILON * scale;
    return !(*err < 0.5 * fabs(*value));
}

/* ∫_{u_s}^∞ h(u_f) e^{−r (u − u_f)} du and what the rate's uncertainty does to it. */
static void far_remainder(double h0, double uf, double us, double rate, double rate_err,
                          double *value, double *err)
{
    double shift = us - uf;
    *value = h0 * exp(-rate * shift) / rate;
    double lo = h0 * exp(-(rate - rate_err) * shift) / (rate - rate_err);
    *err = fabs(lo - *value) + 8.0 * DBL_EPSILON * fabs(*value);
}

static int tail_beyond_cap(const tail_ctx *c, double *value, double *err)
{
    const double uc = c->u_cap, us = fmax(uc, 0.0);
    const double k_cap = c->x0 * exp(uc);
    double uf = uc, h0 = 0.0, rate = 0.0, rate_err = 0.0;
    *value = 0.0;
    *err = 0.0;
    if (c->u_first < -log(c->x0))
        return slt_error(SLT_ENOCONV, "mode sum: lambda_k or t_k is below %g from k = 1 on "
                         "(amp-lambda = %g, amp-target = %g); the tail cannot be evaluated",
                         TINY_NORMAL, c->task->law.amp_lambda, c->task->law.amp_target);
    int fit = far_fit(c, &uf, &h0, &rate, &rate_err);
    if (fit == FAR_FIT_OK) {
        far_remainder(h0, uf, us, rate, rate_err, value, err);
        return SLT_OK;
    }
    if (fit == FAR_FIT_ZERO) return SLT_OK; /* a part that vanishes along the whole far tail */
    if (fit == FAR_FIT_NONE) {
        static const double two_steps[2] = {2.0, 0.5};
        for (int s = 0; s < 2; s++)
            if (!fit_two(c, uf, two_steps[s], us, value, err)) return SLT_OK;
        *value = *err = 0.0;
    }
    if (fit != FAR_FIT_NONFINITE && c->part >= 0) {
        /* One part of a complex summand can be pure rounding noise along the far tail
         * (Im f when λ ≪ |z| makes λ + z round to z): bound that part by the integral of
         * the modulus |f|, fitted the same way, and give it the value 0. */
        tail_ctx m = *c;
        m.part = 2;
        if (far_fit(&m, &uf, &h0, &rate, &rate_err) == FAR_FIT_OK) {
            double v, e;
            far_remainder(h0, uf, us, rate - rate_err, 0.0, &v, &e);
            *err = fabs(v) + e;
            return SLT_OK;
        }
    }
    switch (fit) {
    case FAR_FIT_NONFINITE:
        return slt_error(SLT_EDIVERGE, "mode sum: the summand is not finite along the tail "
                         "(at k = %.3g)", c->x0 * exp(uf));
    case FAR_FIT_TINY:
        return slt_error(SLT_ENOCONV, "mode sum: the summand is below the double range near "
                         "k = %.3g, where lambda_k or t_k leave it; its tail beyond cannot "
                         "be bounded", k_cap);
    default: {
        double ha = tail_integrand(uf, (void *)c), hb = tail_integrand(uf - 0.125, (void *)c);
        if (isfinite(hb) && (hb > 0.0) == (ha > 0.0) && fabs(hb) <= fabs(ha))
            return slt_error(SLT_EDIVERGE, "mode sum: the summand does not decay along the "
                             "tail (k·|f(k)| does not fall near k = %.3g)", c->x0 * exp(uf));
        return slt_error(SLT_ENOCONV, "mode sum: the summand does not settle into a power law "
                         "near k = %.3g, where lambda_k or t_k leave the double range; its "
                         "tail beyond cannot be bounded", k_cap);
    }
    }
}

/* The quadrature workspace, cached per thread: a task is shared read-only between threads,
 * so the cache cannot live in it. A thread's workspace is kept under a pthread key, whose
 * destructor frees it when the thread exits (the main thread's is freed at library unload).
 * quad_acquire takes it out of the slot and quad_release puts it back, so a nested sum (a
 * summand that itself sums) gets a fresh one instead of sharing it. */
static pthread_key_t quad_key;
static pthread_once_t quad_once = PTHREAD_ONCE_INIT;
static int quad_key_ok;

static void quad_ws_free(void *ws)
{
    gsl_integration_workspace_free(ws);
}

static void quad_key_make(void)
{
    quad_key_ok = pthread_key_create(&quad_key, quad_ws_free) == 0;
}

static gsl_integration_workspace *quad_acquire(void)
{
    pthread_once(&quad_once, quad_key_make);
    if (quad_key_ok) {
        gsl_integration_workspace *ws = pthread_getspecific(quad_key);
        if (ws) {
            pthread_setspecific(quad_key, NULL);
            return ws;
        }
    }
    return gsl_integration_workspace_alloc(QUAD_LIMIT);
}

static void quad_release(gsl_integration_workspace *ws)
{
    if (quad_key_ok && !pthread_getspecific(quad_key) && pthread_setspecific(quad_key, ws) == 0)
        return;
    gsl_integration_workspace_free(ws);
}

/* the calling thread's (at exit: the main thread's; the others' go with their threads) */
__attribute__((destructor)) static void quad_cache_free(void)
{
    if (!quad_key_ok) return;
    gsl_integration_workspace *ws = pthread_getspecific(quad_key);
    pthread_setspecific(quad_key, NULL);
    if (ws) gsl_integration_workspace_free(ws);
}

/* ∫_{x0}^∞ g dx = ∫_0^{u_cap} h du by adaptive Gauss–Kronrod (its error estimate) plus the
 * extrapolated rest (tail_beyond_cap, its error bound, also returned alone in *far_err:
 * the cap is a fixed k, so a longer head does not reduce that part). */
static int quad_tail_at(tail_ctx *c, double scale, double rel_tol, double *value,
                        double *err, double *far_err)
{
    double q = 0.0, qerr = 0.0;
    int g = GSL_SUCCESS;
    if (c->u_cap > 0.0) {
        gsl_integration_workspace *ws = quad_acquire();
        if (!ws)
            return slt_error(SLT_ENOMEM, "mode sum: out of memory for the quadrature workspace");
        gsl_function F = {tail_integrand, c};
        double epsabs = 0.05 * rel_tol * scale;
        /* GSL refuses epsrel below 50 u when epsabs is 0, which happens when every head
         * term underflows (e.g. the decay sum at very large t). */
        double epsrel = fmax(0.05 * rel_tol, 60.0 * DBL_EPSILON);
        g = gsl_integration_qag(&F, 0.0, c->u_cap, epsabs, epsrel, QUAD_LIMIT,
                                GSL_INTEG_GAUSS21, ws, &q, &qerr);
        quad_release(ws);
    }
    double beyond = 0.0, beyond_err = 0.0;
    int rc = tail_beyond_cap(c, &beyond, &beyond_err);
    if (rc) return rc;
    *value = q + beyond;
    *err = qerr + beyond_err;
    *far_err = beyond_err;
    /* GSL_EROUND only says the tolerance asked for was below what rounding allows; the
     * returned abserr is still a valid estimate and is judged by the caller. */
    if (g != GSL_SUCCESS && g != GSL_EROUND) {
        if (!isfinite(*value) || g == GSL_EDIVERGE)
            return slt_error(SLT_EDIVERGE, "mode sum: the tail integral diverges (%s)",
                             gsl_strerror(g));
        return slt_error(SLT_ENOCONV, "mode sum: tail quadrature failed: %s (estimate %.17g, "
                         "error %.3g)", gsl_strerror(g), *value, *err);
    }
    if (!isfinite(*value))
        return slt_error(SLT_EDIVERGE, "mode sum: the tail integral is not finite");
    return SLT_OK;
}

/* The tail is first capped where λ or t leaves the normal range. When t leaves it first
 * and the summand there is steep (q = αβ + 1 in the hundreds, issue 10: t_k < 10⁻²⁹⁰
 * from k = 2 on, the cap inside the head, no room left to fit a rate), the second attempt
 * caps at λ's end only and lets t underflow to 0 as the head does; f(λ, 0) is defined
 * for any summand with a power series in t. The far-tail fit then starts where f has
 * just become normal (bisection) with steps of 2/q and 0.5/q. */
static int quad_tail(tail_ctx *c, double scale, double rel_tol, double *value, double *err,
                     double *far_err)
{
    int rc = quad_tail_at(c, scale, rel_tol, value, err, far_err);
    if (rc == SLT_OK || rc == SLT_ENOMEM || !(c->u_first < c->u_lcap) ||
        !(fmax(c->task->q, c->task->law.alpha) > 16.0))
        return rc;
    tail_ctx s = *c;
    s.u_cap = s.u_lcap;
    s.steep = 1;
    int rc2 = quad_tail_at(&s, scale, rel_tol, value, err, far_err);
    return rc2;
}

/* Unnormalised incomplete beta B_x(a, b) = ∫_0^x s^{a−1}(1−s)^{b−1} ds for a > 0 and
 * ANY real b (GSL's gsl_sf_beta_inc divides by B(a, b), which is infinite at
 * b = 0, −1, …, exactly the β = 1, 2 cases of the kt1/k2t2 tails). xc = 1 − x is passed
 * separately because the tails need it when x is within rounding of 1.
 *   x <= ½:  x^a Σ_n (1−b)_n/n! · x^n/(a+n)                      (ratio ≤ ½ per term)
 *   x >  ½:  B_½(a, b) + Σ_n (1−a)_n/n! ∫_{xc}^{½} r^{b+n−1} dr    (ratio ≤ ½ per term)
 * The integral of r^{e−1} is (½^e − xc^e)/e, written with expm1 so that e → 0 (integer b)
 * goes smoothly to the logarithm instead of cancelling. */
static double power_integral(double e, double r1, double r2)
{
    double L = log(r1 / r2);
    if (e == 0.0) return -L;
    return -pow(r2, e) * expm1(e * L) / e;
}

static int incbeta_any(double a, double b, double x, double xc, double *value, double *err)
{
    double acc = 0.0, acc_abs = 0.0;
    int n;
    if (x <= 0.5) {
        double c = 1.0, xn = 1.0;
        for (n = 0; n < 400; n++) {
            double v = c * xn / (a + n);
            acc += v;
            acc_abs += fabs(v);
            if (fabs(v) <= 1e-17 * fabs(acc) && n > 2) break;
            c *= (n + 1.0 - b) / (n + 1.0);
            xn *= x;
        }
        double xa = pow(x, a);
        *value = xa * acc;
        *err = xa * ((n + 8.0) * DBL_EPSILON * acc_abs) + 4.0 * DBL_EPSILON * fabs(*value);
        return n < 400 ? SLT_OK : SLT_ENOCONV;
    }
    double half, half_err;
    int rc = incbeta_any(a, b, 0.5, 0.5, &half, &half_err);
    if (rc) return rc;
    double d = 1.0;
    for (n = 0; n < 400; n++) {
        double v = d * power_integral(b + n, xc, 0.5);
        acc += v;
        acc_abs += fabs(v);
        if (fabs(v) <= 1e-17 * fabs(acc) && n > 2) break;
        d *= (n + 1.0 - a) / (n + 1.0);
    }
    *value = half + acc;
    *err = half_err + (n + 8.0) * DBL_EPSILON * acc_abs + 4.0 * DBL_EPSILON * fabs(*value);
    return n < 400 ? SLT_OK : SLT_ENOCONV;
}

/* expm1 for a complex argument w: e^w − 1 without cancellation for small |w|. */
static double complex cexpm1_stable(double complex w)
{
    double re = creal(w), im = cimag(w);
    /* e^{re}(cos im + i sin im) − 1 = expm1(re)·cos(im) − 2 sin²(im/2) + i e^{re} sin(im) */
    double sh = sin(0.5 * im);
    return (expm1(re) * cos(im) - 2.0 * sh * sh) + I * (exp(re) * sin(im));
}

/* The same incomplete beta for complex x (the tails of the complex named sums), along the
 * straight path from 0 to x. The substitution s = λ/(λ+z) maps the real λ-segment onto an
 * arc that, for z off the negative real axis, crosses neither branch cut, so principal
 * powers are the right branches (docs/theory/task.md §2). Powers advance by recurrence
 * instead of one cpow per term; near e = b + n = 0 the expm1 form keeps integer b smooth.
 * Returns SLT_ENOCONV when neither series converges fast (x near the pole region, where
 * the caller falls back to quadrature and the head grows). */
static int cincbeta_any(double a, double b, double complex x, double complex xc,
                        double complex *value, double *err)
{
    double complex acc = 0.0;
    double acc_abs = 0.0;
    int n;
    if (cabs(x) <= 0.6) {
        double complex c = 1.0, xn = 1.0;
        for (n = 0; n < 400; n++) {
            double complex v = c * xn / (a + n);
            acc += v;
            acc_abs += cabs(v);
            if (cabs(v) <= 1e-17 * cabs(acc) && n > 2) break;
            c *= (n + 1.0 - b) / (n + 1.0);
            xn *= x;
        }
        double complex xa = cpow(x, a);
        *value = xa * acc;
        *err = cabs(xa) * (n + 8.0) * DBL_EPSILON * acc_abs + 4.0 * DBL_EPSILON * cabs(*value);
        return n < 400 ? SLT_OK : SLT_ENOCONV;
    }
    if (cabs(xc) > 0.8) return SLT_ENOCONV;
    double half, half_err;
    int rc = incbeta_any(a, b, 0.5, 0.5, &half, &half_err);
    if (rc) return rc;
    double complex log2xc = clog(2.0 * xc), pxc = cpow(xc, b);
    double h = pow(0.5, b), d = 1.0;
    for (n = 0; n < 400; n++) {
        double e = b + n;
        double complex D;
        if (fabs(e) < 0.1)
            D = (e == 0.0) ? -log2xc : -pow(0.5, e) * cexpm1_stable(e * log2xc) / e;
        else
            D = (h - pxc) / e;
        double complex v = d * D;
        acc += v;
        acc_abs += cabs(v);
        if (cabs(v) <= 1e-17 * cabs(acc) && n > 2) break;
        d *= (n + 1.0 - a) / (n + 1.0);
        h *= 0.5;
        pxc *= xc;
    }
    *value = half + acc;
    *err = half_err + (n + 8.0) * DBL_EPSILON * acc_abs + 4.0 * DBL_EPSILON * cabs(*value);
    return n < 400 ? SLT_OK : SLT_ENOCONV;
}

/* Closed forms of the complex tails: the real ones with κ → z (principal branches). */
static int closed_tail_complex(const slt_task *task, const term_spec *s, double x0,
                               double complex *value, double *err)
{
    const double A = task->law.amp_lambda, B = task->law.amp_target;
    const double al = task->law.alpha, be = task->law.beta;
    const double lam0 = A * pow(x0, -al);
    const double complex z = s->zpar, x = lam0 / (lam0 + z), xc = z / (lam0 + z);
    double complex ib, pref;
    double ib_err;
    int rc;
    switch (s->kind) {
    case SUM_DF:
    case SUM_DF2:
        rc = cincbeta_any((s->kind == SUM_DF ? 1.0 : 2.0) - 1.0 / al, 1.0 / al, x, xc, &ib, &ib_err);
        pref = cpow(A / z, 1.0 / al) / al;
        break;
    case SUM_KT1:
    case SUM_K2T2:
        rc = cincbeta_any(be, (s->kind == SUM_KT1 ? 1.0 : 2.0) - be, x, xc, &ib, &ib_err);
        pref = B / al * pow(A, -be) * cpow(z, be);
        break;
    default: return 0;
    }
    if (rc != SLT_OK) return 0;
    *value = pref * ib;
    *err = cabs(pref) * ib_err + 4.0 * DBL_EPSILON * cabs(*value);
    return isfinite(creal(*value)) && isfinite(cimag(*value));
}

/* Closed forms of ∫_{x0}^∞ g(x) dx for the named real sums; returns 0 when none applies. */
static int closed_tail(const slt_task *task, const term_spec *s, double x0, double *value,
                       double *err)
{
    const double A = task->law.amp_lambda, B = task->law.amp_target;
    const double al = task->law.alpha, be = task->law.beta;
    const double lam0 = A * pow(x0, -al);
    gsl_sf_result r;
    switch (s->kind) {
    case SUM_DF:
    case SUM_DF2: {
        /* ∫ λ^{j−1−1/α}/(λ+κ)^j dλ with s = λ/(λ+κ): (A/κ)^{1/α}/α · B_{s0}(j−1/α, 1/α).
         * 1 − s0 = κ/(λ0+κ) is passed exactly: for κ ≪ λ0, forming it as 1 − s0 (as
         * gsl_sf_beta_inc must) loses digits that no error estimate would report. */
        double a = (s->kind == SUM_DF ? 1.0 : 2.0) - 1.0 / al, b = 1.0 / al;
        double kap = s->par, s0 = lam0 / (lam0 + kap), s0c = kap / (lam0 + kap), ib, ib_err;
        if (incbeta_any(a, b, s0, s0c, &ib, &ib_err) != SLT_OK) return 0;
        double pref = pow(A / kap, 1.0 / al) / al;
        *value = pref * ib;
        *err = pref * ib_err + 4.0 * DBL_EPSILON * fabs(*value);
        return isfinite(*value);
    }
    case SUM_DECAY: {
        /* (B/α) A^{-β} ∫_0^{λ0} λ^{β−1} e^{−2Tλ} dλ = (B/α) A^{-β} λ0^β γ*(β, y)/…, y = 2Tλ0 */
        double y = 2.0 * s->par * lam0;
        if (y < 0.5) {
            /* λ0^β Σ_n (−y)^n/(n!(β+n)): alternating, terms fall by y/n, no cancellation */
            double term = 1.0, acc = 0.0, acc_abs = 0.0;
            for (int n = 0; n < 60; n++) {
                double v = term / (be + n);
                acc += v;
                acc_abs += fabs(v);
                if (fabs(v) < 1e-18 * fabs(acc)) break;
                term *= -y / (n + 1);
            }
            /* (B/α) A^{-β} λ0^β = (B/α) (λ0/A)^β in logarithms: A^{-β} and λ0^β alone
             * overflow or underflow at large β (issue 10) */
            double L = log(B / al) + be * (log(lam0) - log(A)), pl = exp(L);
            *value = pl * acc;
            *err = pl * 8.0 * DBL_EPSILON * acc_abs +
                   (4.0 + 2.0 * fabs(L)) * DBL_EPSILON * fabs(*value) + DBL_TRUE_MIN;
            return isfinite(*value);
        }
        if (gsl_sf_gamma_inc_P_e(be, y, &r) != GSL_SUCCESS) return 0;
        /* (B/α) A^{-β} Γ(β) (2T)^{-β} in logarithms: Γ(β) overflows for β > 171, and
         * (2T)^{-β} went subnormal (2.7e-9 relative lost at α = 1.05, β = 50, T = 1e6 with
         * a bound of 3e-15; issue 10). exp(L) is accurate to about |L| u. */
        double L = log(B / al) - be * log(A) + gsl_sf_lngamma(be) - be * log(2.0 * s->par);
        double g = exp(L);
        *value = g * r.val;
        *err = g * r.err + (8.0 + 2.0 * fabs(L)) * DBL_EPSILON * fabs(*value) + DBL_TRUE_MIN;
        return isfinite(*value);
    }
    case SUM_KT1:
    case SUM_K2T2: {
        /* (B/α) A^{-β} ∫_0^{λ0} λ^{β−1} (κ/(λ+κ))^j dλ = (B/α) A^{-β} κ^β B_{s0}(β, j−β) */
        double kap = s->par, s0 = lam0 / (lam0 + kap), s0c = kap / (lam0 + kap);
        double j = (s->kind == SUM_KT1) ? 1.0 : 2.0, ib, ib_err;
        if (incbeta_any(be, j - be, s0, s0c, &ib, &ib_err) != SLT_OK) return 0;
        double pref = B / al * pow(A, -be) * pow(kap, be);
        *value = pref * ib;
        *err = pref * ib_err + 4.0 * DBL_EPSILON * fabs(*value);
        return isfinite(*value);
    }
    case SUM_TARGET: {
        /* ∫_{x0}^∞ B x^{-q} dx */
        *value = B * pow(x0, 1.0 - task->q) / (task->q - 1.0);
        *err = 4.0 * DBL_EPSILON * fabs(*value);
        return 1;
    }
    default: return 0;
    }
}

static int negligible_t_tail(const slt_task *task, double x0, double lc, double tol,
                             double *bound);

/* Large source exponents q = αβ + 1 (issue 10): t_k = B k^{-q} leaves double's range within a
 * few modes (k^{-q} < 10^{-308} at k = 5.3 for q = 401), and the closed forms of the tail
 * then form 0·∞ (Γ(β) overflows for β > 171, κ^β underflows). For the sums whose summand
 * is t_k times a factor in [0, 1] (decay at T >= 0, κT₁ and κ²T₂ at κ >= 0, Σt) the whole
 * tail is below Σ_{k>K} B k^{-q} <= B K^{1-q}/(q − 1), computed in logarithms. When that
 * is below 10⁻³ of the tolerance (or below 10⁻³⁰⁰ when the head itself has underflowed),
 * the tail is not formed at all and the bound is its error. Returns 1 then. */
static int negligible_tail(const slt_task *task, const term_spec *s, double x0, double tol,
                           double *bound)
{
    switch (s->kind) {
    case SUM_KT1:
    case SUM_K2T2:
    case SUM_DECAY:
        if (!(s->par >= 0.0)) return 0;
        break;
    case SUM_TARGET: break;
    default: return 0;
    }
    return negligible_t_tail(task, x0, 0.0, tol, bound);
}

/* Σ_{k>K} B k^{-q} c <= B c K^{1-q}/(q − 1) with ln c = lc, against tol (see above). */
static int negligible_t_tail(const slt_task *task, double x0, double lc, double tol,
                             double *bound)
{
    const double q = task->q, K = x0 - 0.5;
    double lb = log(task->law.amp_target) + lc + (1.0 - q) * log(K) - log(q - 1.0);
    double lim = tol > 0.0 ? fmax(log(1e-3 * tol), log(1e-300)) : log(1e-300);
    if (!(lb < lim)) return 0;
    *bound = exp(lb) + DBL_TRUE_MIN;
    return 1;
}

/* The same for the complex κT₁ and κ²T₂ at z: |z/(λ+z)| <= c = 1 for Re z >= 0 (then
 * |λ + z| >= |z|), else |z|/|Im z| (|λ + z| >= |Im z|), squared for κ²T₂. */
static int negligible_tail_complex(const slt_task *task, const term_spec *s, double x0,
                                   double tol, double *bound)
{
    if (s->kind != SUM_KT1 && s->kind != SUM_K2T2) return 0;
    double complex z = s->zpar;
    double lc = creal(z) >= 0.0 ? 0.0 : log(cabs(z)) - log(fabs(cimag(z)));
    if (!isfinite(lc)) return 0;
    return negligible_t_tail(task, x0, s->kind == SUM_KT1 ? lc : 2.0 * lc, tol, bound);
}

/* g(x) for the stencil, real and complex. */
static double g_real(const slt_task *task, const term_spec *s, double x)
{
    return term_real(s, task->law.amp_lambda * pow(x, -task->law.alpha),
                     task->law.amp_target * pow(x, -task->q));
}

static double complex g_complex(const slt_task *task, const term_spec *s, double x)
{
    return term_complex(s, task->law.amp_lambda * pow(x, -task->law.alpha),
                        task->law.amp_target * pow(x, -task->q));
}

/* Euler–Maclaurin endpoint terms at x0 from g at x0 ± h, ± 2h, ± 3h (h = x0/64):
 * corr = g'(x0)/24 − 7 g'''(x0)/5760, with g' to sixth and g''' to fourth order. err bounds
 * the difference errors (each by its distance to the next-lower-order formula) and the
 * first omitted term 31 g⁽⁵⁾/967680 (with a factor 2 of safety). */
#define EM_STEP_DIVISOR 64.0
static void em_endpoint(const double complex g[6], double h, double complex *corr, double *err)
{
    /* g[] = g(x0−3h), g(x0−2h), g(x0−h), g(x0+h), g(x0+2h), g(x0+3h) */
    double complex a1 = g[3] - g[2], a2 = g[4] - g[1], a3 = g[5] - g[0];
    double complex d1_6 = (45.0 * a1 - 9.0 * a2 + a3) / (60.0 * h);
    double complex d1_4 = (8.0 * a1 - a2) / (12.0 * h);
    double complex d3_4 = (-a3 + 8.0 * a2 - 13.0 * a1) / (8.0 * h * h * h);
    double complex d3_2 = (a2 - 2.0 * a1) / (2.0 * h * h * h);
    double complex d5_2 = (a3 - 4.0 * a2 + 5.0 * a1) / (2.0 * h * h * h * h * h);
    *corr = d1_6 / 24.0 - 7.0 * d3_4 / 5760.0;
    *err = cabs(d1_6 - d1_4) / 24.0 + 7.0 * cabs(d3_4 - d3_2) / 5760.0 +
           2.0 * 31.0 / 967680.0 * cabs(d5_2);
}

static void em_endpoint_real(const slt_task *task, const term_spec *s, double x0,
                             double complex *corr, double *err)
{
    double h = x0 / EM_STEP_DIVISOR;
    double complex g[6];
    for (int i = 0; i < 3; i++) {
        g[2 - i] = g_real(task, s, x0 - (i + 1) * h);
        g[3 + i] = g_real(task, s, x0 + (i + 1) * h);
    }
    em_endpoint(g, h, corr, err);
}

static void em_endpoint_complex(const slt_task *task, const term_spec *s, double x0,
                                double complex *corr, double *err)
{
    double h = x0 / EM_STEP_DIVISOR;
    double complex g[6];
    for (int i = 0; i < 3; i++) {
        g[2 - i] = g_complex(task, s, x0 - (i + 1) * h);
        g[3 + i] = g_complex(task, s, x0 + (i + 1) * h);
    }
    em_endpoint(g, h, corr, err);
}

/* The Euler–Maclaurin remainder also feels singularities of g off the real axis: for the
 * named complex sums g has a pole where λ(x) = −z, at x_p = (A/(−z))^{1/α} (principal
 * root; the other roots lie at |arg x| >= π/α·… off the positive axis, farther away).
 * By Poisson summation a pole at distance d from the summed ray contributes about
 * 2π|Res| e^{−2πd}; this bound (with a factor 2) is added to the tail error, so that when
 * z approaches the negative axis the head grows past the pole instead of returning a
 * wrong number with a small error. Simple pole for df and kt1, double pole for df2 and
 * k2t2 (its residue-like coefficient carries an extra 2π|x_p|/α). */
static double pole_bound(const slt_task *task, const term_spec *s, double x0)
{
    if (s->kind == SUM_GENERIC) return 0.0;
    double complex mz = -s->zpar;
    double al = task->law.alpha;
    double complex xp = cpow(task->law.amp_lambda / mz, 1.0 / al);
    double d = creal(xp) >= x0 ? fabs(cimag(xp)) : cabs(xp - x0);
    double r = cabs(xp) / al;
    double weight = 1.0;
    if (s->kind == SUM_KT1 || s->kind == SUM_K2T2)
        weight = task->law.amp_target * pow(cabs(xp), -task->q) * exp(task->q * fabs(carg(xp)));
    double coeff = (s->kind == SUM_DF2 || s->kind == SUM_K2T2) ? r * r * 2.0 * M_PI : r;
    return 2.0 * 2.0 * M_PI * coeff * weight * exp(-2.0 * M_PI * d);
}

/* ---- The engine ------------------------------------------------------------------- */

static int check_task(const slt_task *task, const void *out, const char *where)
{
    if (!out) return slt_error(SLT_EINVAL, "%s: result pointer is NULL", where);
    if (!task) return slt_error(SLT_EINVAL, "%s: task is NULL", where);
    return SLT_OK;
}

/* A failed sum leaves NaN behind, never the previous call's numbers. */
static void clear_sum(slt_sum *out)
{
    if (out) *out = (slt_sum){NAN, INFINITY, 0};
}

static void clear_csum(slt_csum *out)
{
    if (out) *out = (slt_csum){NAN, INFINITY, 0};
}

/* The tail is accepted when the part of its error that a longer head reduces is within
 * tol. The far-tail extrapolation (tail_beyond_cap) sits at a fixed k, where λ_k or t_k
 * leave the double range, so growing the head cannot shrink its error: it is accepted up
 * to FAR_TOL_FACTOR·tol (and is always in the returned bound). Returns −1 to grow the
 * head, SLT_OK to accept, SLT_ENOCONV when the far tail alone is too uncertain. */
#define FAR_TOL_FACTOR 1000.0
static int tail_accepted(double tail_err, double far_err, double tol, const char *where)
{
    if (!(tail_err - far_err <= tol)) return -1;
    if (far_err <= FAR_TOL_FACTOR * tol) return SLT_OK;
    return slt_error(SLT_ENOCONV, "%s: the tail beyond the double range of lambda_k, t_k is "
                     "known only to %.3g, above %g times the tolerance %.3g", where, far_err,
                     FAR_TOL_FACTOR, tol);
}

/* Every named sum of a power law converges (α > 1, q > 1, κ > 0 or T >= 0): a failure to
 * evaluate one is SLT_ENOCONV naming α and β, never SLT_EDIVERGE (issue 10). A general
 * callback can diverge, and keeps its status. */
static int named_converges(const slt_task *task, const term_spec *s, const char *where, int rc)
{
    if (rc != SLT_EDIVERGE || s->kind == SUM_GENERIC || task->kind != SLT_TASK_POWER_LAW)
        return rc;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", slt_last_error());
    return slt_error(SLT_ENOCONV, "%s: the sum converges for alpha = %g, beta = %g but could not "
                     "be evaluated (%s)", where, task->law.alpha, task->law.beta, msg);
}

/* ---- Real named sums on clusters ----------------------------------------------------
 * For κ >= 0 and a cluster (centre c, radius ρ, moments m_n = Σ w δ^n, δ = λ − c) put
 * D = c + κ, u = −1/D, r = ρ/D <= h/(1 + h) < 0.05. Then
 *   Σ w/(λ+κ)^j = D^{−j} Σ_n C(n+j−1, j−1) m_n u^n,   j = 1, 2, 3,
 * which gives df (w = mλ, j = 1), df2 (mλ², 2), κT₁ (P, 1), κ²T₂ (P, 2), d3 (mλ², 3) and
 * k3 (Pλ, 3; its moments Σ Pλ δ^n = c·m_n + m_{n+1} from the target's). N terms are kept,
 * the fewest with C(N+j−1, j−1) r^N/(1−r)^j below ε/4 (N = 1 when ρ = 0). Bounds, each
 * times the scale S = Σ|w| D^{−j} (times the sum's power of κ):
 *   truncation  Σ_{n>=N} C(n+j−1, j−1) r^n <= C(N+j−1, j−1) r^N/(1−r)^j;
 *   rounding    (mom_round + (4N + 16)ε)/(1−r)^j: the moments' own (task.c), Horner's
 *               2N, u's relative 2ε raised to the n-th power, the final products;
 *   underflow   a product that left the normal range is off by at most 2^-1075 per
 *               rounding; counted as count·(N+4)·2^-1022·max(1, Σ|w|)·C(N+2, 3)·
 *               max(1, |u|)^(N−1) (2^-1022 keeps the bound's own arithmetic normal).
 * A cluster whose bound is above 1e-10 relative (only where |u|^N overflows: λ + κ below
 * ~1e-19) is summed level by level instead. */
enum { RC_DF, RC_DF2, RC_KT1, RC_K2T2, RC_D3, RC_K3, RC_N };
#define RC_BIT(k) (1u << (k))
#define RC_FOUR (RC_BIT(RC_DF) | RC_BIT(RC_DF2) | RC_BIT(RC_KT1) | RC_BIT(RC_K2T2))

/* The cluster form of a named real sum, or −1 (decay, target, trace, generic). */
static int cluster_index(sum_kind k)
{
    switch (k) {
    case SUM_DF: return RC_DF;
    case SUM_DF2: return RC_DF2;
    case SUM_KT1: return RC_KT1;
    case SUM_K2T2: return RC_K2T2;
    case SUM_D3: return RC_D3;
    case SUM_K3: return RC_K3;
    default: return -1;
    }
}

static double binom_pow(int N, int j)
{
    return j == 1 ? 1.0 : j == 2 ? N + 1.0 : 0.5 * (N + 1.0) * (N + 2.0);
}

/* The sums `need` (RC_BIT mask) of one cluster at κ: values, scales (Σ|term| bounds) and
 * error bounds. Returns 0 when the expansion is not accurate here (then nothing is set). */
static int cluster_real(const slt_cluster *c, double k, unsigned need, double val[RC_N],
                        double sc[RC_N], double er[RC_N])
{
    static const int pw[RC_N] = {1, 2, 1, 2, 3, 3};
    const int P = SLT_CLUSTER_MOMENTS;
    const double D = c->c + k, r = c->rho / D;
    if (!(D > 0.0) || !(r <= 0.1)) return 0;
    const int j = (need & (RC_BIT(RC_D3) | RC_BIT(RC_K3)))    ? 3
                  : (need & (RC_BIT(RC_DF2) | RC_BIT(RC_K2T2))) ? 2
                                                                 : 1;
    const int Nmax = (need & RC_BIT(RC_K3)) ? P - 1 : P;
    const double g = 1.0 / (1.0 - r);
    const double gj = j == 1 ? g : j == 2 ? g * g : g * g * g;
    int N = 1;
    double rn = r;
    while (N < Nmax && binom_pow(N, j) * rn * gj > 0.25 * DBL_EPSILON) {
        N++;
        rn *= r;
    }
    const double u = -1.0 / D, iD = 1.0 / D, q = k * iD;
    const double *m0 = c->mom[0], *m1 = c->mom[1], *m2 = c->mom[2];
    double h[RC_N] = {0};
    for (int i = 0; i < RC_N; i++) {
        if (!(need & RC_BIT(i))) continue;
        const double *mw = i == RC_DF ? m0 : (i == RC_DF2 || i == RC_D3) ? m1 : m2;
        double acc = 0.0;
        switch (pw[i] + (i == RC_K3 ? 3 : 0)) {
        case 1:
            for (int n = N - 1; n >= 0; n--) acc = acc * u + mw[n];
            break;
        case 2:
            for (int n = N - 1; n >= 0; n--) acc = acc * u + (n + 1.0) * mw[n];
            break;
        case 3:
            for (int n = N - 1; n >= 0; n--) acc = acc * u + 0.5 * (n + 1.0) * (n + 2.0) * mw[n];
            break;
        default: /* k3: the moments of Pλ = P(c + δ) */
            for (int n = N - 1; n >= 0; n--)
                acc = acc * u + 0.5 * (n + 1.0) * (n + 2.0) * (c->c * mw[n] + mw[n + 1]);
            break;
        }
        h[i] = acc;
    }
    const double pre[RC_N] = {iD, iD * iD, q, q * q, q * iD * iD, q * q * iD};
    const double wb[RC_N] = {c->wsum[0], c->wsum[1], c->wsum[2], c->wsum[2], c->wsum[1],
                             (c->c + c->rho) * c->wsum[2]};
    const double au = fabs(u);
    double aun = 1.0; /* max(1, |u|)^(N−1) */
    for (int n = 1; n < N && au > 1.0; n++) aun *= au;
    /* 2^-1022 per rounding (above the 2^-1075 of gradual underflow) keeps this product in
     * the normal range: subnormal arithmetic is ~100 times slower */
    const double ufl = (double)c->count * (N + 4.0) * ((N + 2.0) * (N + 1.0) * N / 6.0) * aun *
                       0x1p-1022;
    const double rnd = c->mom_round + (4.0 * N + 16.0) * DBL_EPSILON;
    double v[RC_N], s[RC_N], e[RC_N];
    for (int i = 0; i < RC_N; i++) {
        if (!(need & RC_BIT(i))) continue;
        if (wb[i] == 0.0) {
            /* every weight is 0 (targets): every moment is an exact 0 */
            v[i] = s[i] = e[i] = 0.0;
            continue;
        }
        const double gp = pw[i] == 1 ? g : pw[i] == 2 ? g * g : g * g * g;
        const double base = pre[i] * wb[i];
        v[i] = pre[i] * h[i];
        s[i] = base * gp;
        e[i] = base * binom_pow(N, pw[i]) * rn * gp + s[i] * rnd +
               pre[i] * fmax(1.0, wb[i]) * ufl;
        if (!(e[i] <= 1e-10 * s[i]) || !isfinite(v[i])) return 0;
    }
    for (int i = 0; i < RC_N; i++) {
        if (!(need & RC_BIT(i))) continue;
        val[i] = v[i];
        sc[i] = s[i];
        er[i] = e[i];
    }
    return 1;
}

/* The fused direct loop over levels [from, to) for the sums `need`: blocked as
 * DEFINE_HEAD with the very same terms, so each sum equals its single head bit for bit. */
static void range_real(const slt_task *task, unsigned need, double k, size_t from, size_t to,
                       double sum[RC_N], double abs_sum[RC_N])
{
    const double *lam = task->lambda, *tgt = task->target, *mul = task->mult;
    double total[RC_N] = {0}, total_abs[RC_N] = {0};
    for (size_t b = from; b < to; b += HEAD_BLOCK) {
        size_t e = b + HEAD_BLOCK < to ? b + HEAD_BLOCK : to;
        double acc[RC_N] = {0}, acc_abs[RC_N] = {0};
        if (need == RC_FOUR && !mul) {
            for (size_t i = b; i < e; i++) {
                const double l = lam[i], t = tgt[i];
                const double v0 = l / (l + k), v1 = (l / (l + k)) * (l / (l + k));
                const double v2 = t * k / (l + k), v3 = t * (k / (l + k)) * (k / (l + k));
                acc[0] += v0; acc_abs[0] += fabs(v0);
                acc[1] += v1; acc_abs[1] += fabs(v1);
                acc[2] += v2; acc_abs[2] += fabs(v2);
                acc[3] += v3; acc_abs[3] += fabs(v3);
            }
        } else {
            for (size_t i = b; i < e; i++) {
                const double l = lam[i], t = tgt[i], w = mul ? mul[i] : 1.0;
                double v[RC_N];
                if (!mul) {
                    v[RC_DF] = l / (l + k);
                    v[RC_DF2] = (l / (l + k)) * (l / (l + k));
                    v[RC_D3] = (l / (l + k)) * (l / (l + k)) * (k / (l + k));
                    v[RC_K3] = t * (k / (l + k)) * (k / (l + k)) * (l / (l + k));
                } else {
                    v[RC_DF] = w * (l / (l + k));
                    v[RC_DF2] = w * ((l / (l + k)) * (l / (l + k)));
                    v[RC_D3] = w * ((l / (l + k)) * (l / (l + k)) * (k / (l + k)));
                    v[RC_K3] = w * ((t / w) * (k / (l + k)) * (k / (l + k)) * (l / (l + k)));
                }
                v[RC_KT1] = t * k / (l + k);
                v[RC_K2T2] = t * (k / (l + k)) * (k / (l + k));
                for (int q = 0; q < RC_N; q++) {
                    if (!(need & RC_BIT(q))) continue;
                    acc[q] += v[q];
                    acc_abs[q] += fabs(v[q]);
                }
            }
        }
        for (int q = 0; q < RC_N; q++) {
            total[q] += acc[q];
            total_abs[q] += acc_abs[q];
        }
    }
    for (int q = 0; q < RC_N; q++) {
        sum[q] += total[q];
        abs_sum[q] += total_abs[q];
    }
}

/* Levels [from, to) for the sums `need`: one sum by its own specialised head loop, several
 * by the fused one. */
static void levels_range(const slt_task *task, unsigned need, double k, size_t from,
                         size_t to, double sum[RC_N], double abs_sum[RC_N])
{
    static const sum_kind kinds[RC_N] = {SUM_DF, SUM_DF2, SUM_KT1, SUM_K2T2, SUM_D3, SUM_K3};
    for (int i = 0; i < RC_N; i++)
        if (need == RC_BIT(i)) {
            term_spec s = {.kind = kinds[i], .par = k};
            head_real(&s, task->lambda, task->target, task->mult, from, to, &sum[i],
                      &abs_sum[i]);
            return;
        }
    range_real(task, need, k, from, to, sum, abs_sum);
}

/* The explicit task's levels (no tail) for the sums `need` at κ: the direct head
 * [0, n_head), then every cluster by its expansion (or level by level where that is
 * not accurate). Rounding: the head's blocked bound, each cluster's own, and the
 * sequential sum of the cluster parts. */
static void levels_real(const slt_task *task, unsigned need, double k, double val[RC_N],
                        double err[RC_N])
{
    double head[RC_N] = {0}, habs[RC_N] = {0}, cl[RC_N] = {0}, cabs_[RC_N] = {0},
           cerr[RC_N] = {0};
    const size_t n_head = task->n_clusters > 0 ? task->n_head : task->m;
    levels_range(task, need, k, 0, n_head, head, habs);
    for (size_t q = 0; q < task->n_clusters; q++) {
        const slt_cluster *c = &task->clusters[q];
        double v[RC_N], s[RC_N], e[RC_N];
        if (!cluster_real(c, k, need, v, s, e)) {
            double hs[RC_N] = {0}, ha[RC_N] = {0};
            levels_range(task, need, k, c->first, c->first + c->count, hs, ha);
            for (int i = 0; i < RC_N; i++) {
                v[i] = hs[i];
                s[i] = ha[i];
                e[i] = rounding_bound(c->count, ha[i]) + level_rounding(task, ha[i]);
            }
        }
        for (int i = 0; i < RC_N; i++) {
            if (!(need & RC_BIT(i))) continue;
            cl[i] += v[i];
            cabs_[i] += s[i];
            cerr[i] += e[i];
        }
    }
    for (int i = 0; i < RC_N; i++) {
        val[i] = head[i] + cl[i];
        err[i] = rounding_bound(n_head, habs[i]) + level_rounding(task, habs[i]);
        if (task->n_clusters > 0) /* without clusters: the single head's bound exactly */
            err[i] += cerr[i] + ((double)task->n_clusters + 2.0) * DBL_EPSILON * (habs[i] + cabs_[i]);
    }
}

static int sum_real(const slt_task *task, const term_spec *s, const slt_sum_options *opts,
                    const char *where, slt_sum *out)
{
    slt_sum_options o = opts ? *opts : slt_sum_options_default();
    int rc = check_options(&o, where);
    if (rc) return rc;
    /* until an estimate is reached (slt/status.h: a failure keeps the best one) */
    out->value = NAN;
    out->err = NAN;
    out->head_terms = 0;
    double head = 0.0, head_abs = 0.0;
    const int ci = cluster_index(s->kind);
    if (task->kind == SLT_TASK_EXPLICIT && task->n_clusters > 0 && ci >= 0 && s->par >= 0.0) {
        /* the head levels one by one, the clusters by their moments */
        double v[RC_N], e[RC_N];
        levels_real(task, RC_BIT(ci), s->par, v, e);
        head = v[ci];
        out->value = head;
        out->err = e[ci];
    } else if (task->kind == SLT_TASK_EXPLICIT && task->n_clusters > 0 &&
               (s->kind == SUM_TRACE || s->kind == SUM_TARGET)) {
        /* Σ mλ and Σ P: the head, then each cluster's zeroth moment (within mom_round·Σ|w|) */
        const int q = s->kind == SUM_TRACE ? 0 : 2;
        head_real(s, task->lambda, task->target, task->mult, 0, task->n_head, &head, &head_abs);
        double cl = 0.0, cl_abs = 0.0, cl_err = 0.0;
        for (size_t i = 0; i < task->n_clusters; i++) {
            const slt_cluster *c = &task->clusters[i];
            cl += c->mom[q][0];
            cl_abs += c->wsum[q];
            cl_err += c->mom_round * c->wsum[q];
        }
        out->err = rounding_bound(task->n_head, head_abs) + level_rounding(task, head_abs) +
                   cl_err + ((double)task->n_clusters + 2.0) * DBL_EPSILON * (head_abs + cl_abs);
        head += cl;
    } else {
        head_real(s, task->lambda, task->target, task->mult, 0, task->m, &head, &head_abs);
        out->err = rounding_bound(task->m, head_abs) + level_rounding(task, head_abs);
    }
    if (task->kind == SLT_TASK_EXPLICIT) {
        out->value = head;
        out->head_terms = task->m;
        if (!isfinite(head)) return slt_error(SLT_EDIVERGE, "%s: the sum is not finite", where);
        if (task->has_tail) {
            /* the levels plus the moment tail's part (tail_sums.c) */
            double tv, te;
            if ((rc = slt_tail_real(task, (slt_sum_name)kind_name(s->kind), s->par, where, &tv,
                                    &te)))
                return rc;
            out->value = head + tv;
            out->err += te + 2.0 * DBL_EPSILON * fabs(out->value);
        }
        return SLT_OK;
    }

    size_t K = task->m;
    double *lam = NULL, *tgt = NULL;
    for (;;) {
        double x0 = (double)K + 0.5, integral, ierr, far_err = 0.0;
        double negl;
        if (negligible_tail(task, s, x0, o.rel_tol * head_abs, &negl)) {
            /* the whole tail Σ_{k>K} g(k) is below a bound far under the tolerance */
            out->value = head;
            out->err = rounding_bound(K, head_abs) + negl + 8.0 * (double)K * DBL_TRUE_MIN;
            out->head_terms = K;
            if (!isfinite(head)) rc = slt_error(SLT_ENOCONV, "%s: the head sum is not finite "
                                                "(alpha = %g, beta = %g)", where,
                                                task->law.alpha, task->law.beta);
            break;
        }
        if (!closed_tail(task, s, x0, &integral, &ierr)) {
            tail_ctx c;
            tail_ctx_init(&c, task, s, x0, -1);
            rc = quad_tail(&c, head_abs, o.rel_tol, &integral, &ierr, &far_err);
            if (rc) break;
        }
        double em_err;
        double complex corr;
        em_endpoint_real(task, s, x0, &corr, &em_err);
        double tail = integral + creal(corr), tail_err = ierr + em_err;
        out->value = head + tail;
        out->err = rounding_bound(K, head_abs) + tail_err + 4.0 * DBL_EPSILON * fabs(tail);
        out->head_terms = K;
        if (!isfinite(out->value)) {
            rc = slt_error(SLT_EDIVERGE, "%s: the sum is not finite", where);
            break;
        }
        if ((rc = tail_accepted(tail_err, far_err, o.rel_tol * (head_abs + fabs(tail)), where)) >= 0)
            break;
        rc = SLT_OK;
        size_t next = 8 * K;
        if (next > o.max_head) {
            rc = slt_error(SLT_ENOCONV, "%s: tail error %.3g still above the tolerance %.3g "
                           "with %zu head modes (max_head %zu)", where, tail_err,
                           o.rel_tol * (head_abs + fabs(tail)), K, o.max_head);
            break;
        }
        if (!lam) {
            lam = malloc(7 * K * sizeof *lam);
            tgt = malloc(7 * K * sizeof *tgt);
        } else {
            double *nl = realloc(lam, (next - K) * sizeof *lam);
            double *nt = nl ? realloc(tgt, (next - K) * sizeof *tgt) : NULL;
            if (nl) lam = nl;
            if (nt) tgt = nt;
            if (!nl || !nt) { free(lam); free(tgt); lam = tgt = NULL; }
        }
        if (!lam || !tgt) {
            rc = slt_error(SLT_ENOMEM, "%s: out of memory growing the head to %zu modes", where, next);
            break;
        }
        power_law_modes(task, K, next, lam, tgt);
        head_real(s, lam, tgt, NULL, 0, next - K, &head, &head_abs);
        K = next;
    }
    free(lam);
    free(tgt);
    return named_converges(task, s, where, rc);
}

/* The tail Σ_{k>K} g(k) of a complex sum at x0 = K + ½: the integral (closed form, or
 * quadrature of real and imaginary parts), the Euler–Maclaurin endpoint terms, and the
 * pole bound, with their combined error. */
static int complex_tail_at(const slt_task *task, const term_spec *s, double x0, double head_abs,
                           double rel_tol, double complex *tail, double *tail_err,
                           double *far_err)
{
    double re, re_err, im, im_err, far_re = 0.0, far_im = 0.0;
    double complex closed;
    double closed_err, negl;
    if (negligible_tail_complex(task, s, x0, rel_tol * head_abs, &negl)) {
        /* the whole tail is below the bound (large q = αβ + 1, issue 10) */
        *tail = 0.0;
        *tail_err = negl;
        *far_err = 0.0;
        return SLT_OK;
    }
    if (closed_tail_complex(task, s, x0, &closed, &closed_err)) {
        re = creal(closed);
        im = cimag(closed);
        re_err = closed_err;
        im_err = 0.0;
    } else {
        tail_ctx c;
        tail_ctx_init(&c, task, s, x0, 0);
        int rc = quad_tail(&c, head_abs, rel_tol, &re, &re_err, &far_re);
        if (rc) return rc;
        c.part = 1;
        rc = quad_tail(&c, head_abs, rel_tol, &im, &im_err, &far_im);
        if (rc) return rc;
    }
    double em_err;
    double complex corr;
    em_endpoint_complex(task, s, x0, &corr, &em_err);
    *tail = re + I * im + corr;
    *tail_err = hypot(re_err, im_err) + em_err + pole_bound(task, s, x0);
    *far_err = hypot(far_re, far_im);
    return SLT_OK;
}

static int sum_complex(const slt_task *task, const term_spec *s, const slt_sum_options *opts,
                       const char *where, slt_csum *out)
{
    slt_sum_options o = opts ? *opts : slt_sum_options_default();
    int rc = check_options(&o, where);
    if (rc) return rc;
    /* until an estimate is reached (slt/status.h: a failure keeps the best one) */
    out->value = NAN;
    out->err = NAN;
    out->head_terms = 0;
    double complex head = 0.0;
    double head_abs = 0.0, cond_err = 0.0;
    head_complex(s, task->lambda, task->target, task->mult, 0, task->m, &head, &head_abs,
                 &cond_err);
    if (task->kind == SLT_TASK_EXPLICIT) {
        out->value = head;
        out->err = 2.0 * rounding_bound(task->m, head_abs) + 2.0 * level_rounding(task, head_abs) +
                   cond_err;
        out->head_terms = task->m;
        if (!isfinite(creal(head)) || !isfinite(cimag(head)))
            return slt_error(SLT_EDIVERGE, "%s: the sum is not finite", where);
        if (task->has_tail) {
            double complex tv;
            double te;
            if ((rc = slt_tail_complex(task, (slt_sum_name)kind_name(s->kind), s->zpar, where,
                                       &tv, &te)))
                return rc;
            out->value = head + tv;
            out->err += te + 4.0 * DBL_EPSILON * cabs(out->value);
        }
        return SLT_OK;
    }
    size_t K = task->m;
    double *lam = NULL, *tgt = NULL;
    for (;;) {
        double x0 = (double)K + 0.5, tail_err, far_err;
        double complex tail;
        if ((rc = complex_tail_at(task, s, x0, head_abs, o.rel_tol, &tail, &tail_err, &far_err)))
            break;
        out->value = head + tail;
        out->err = 2.0 * rounding_bound(K, head_abs) + cond_err + tail_err +
                   4.0 * DBL_EPSILON * cabs(tail);
        out->head_terms = K;
        if (!isfinite(creal(out->value)) || !isfinite(cimag(out->value))) {
            rc = slt_error(SLT_EDIVERGE, "%s: the sum is not finite", where);
            break;
        }
        if ((rc = tail_accepted(tail_err, far_err, o.rel_tol * (head_abs + cabs(tail)), where)) >= 0)
            break;
        rc = SLT_OK;
        size_t next = 8 * K;
        if (next > o.max_head) {
            rc = slt_error(SLT_ENOCONV, "%s: tail error %.3g still above the tolerance %.3g "
                           "with %zu head modes (max_head %zu)", where, tail_err,
                           o.rel_tol * (head_abs + cabs(tail)), K, o.max_head);
            break;
        }
        double *nl = realloc(lam, (next - K) * sizeof *lam);
        double *nt = nl ? realloc(tgt, (next - K) * sizeof *tgt) : NULL;
        if (nl) lam = nl;
        if (nt) tgt = nt;
        if (!nl || !nt) {
            rc = slt_error(SLT_ENOMEM, "%s: out of memory growing the head to %zu modes", where, next);
            break;
        }
        power_law_modes(task, K, next, lam, tgt);
        head_complex(s, lam, tgt, NULL, 0, next - K, &head, &head_abs, &cond_err);
        K = next;
    }
    free(lam);
    free(tgt);
    return named_converges(task, s, where, rc);
}

/* ---- Public entries ------------------------------------------------------------- */

int slt_task_sum(const slt_task *task, slt_mode_fn f, void *ctx, const slt_sum_options *opts,
                 slt_sum *out)
{
    clear_sum(out);
    static const char *w = "slt_task_sum";
    int rc = check_task(task, out, w);
    if (rc) return rc;
    if (!f) return slt_error(SLT_EINVAL, "%s: the mode function is NULL", w);
    if (task->has_tail)
        return slt_error(SLT_EDOM, "%s: this task's tail is known by its moments only; use the "
                         "named sums (slt_sum_df, ..., slt_sum_trace, slt_sum_d3, slt_sum_k3)", w);
    term_spec s = {.kind = SUM_GENERIC, .f = f, .ctx = ctx};
    return sum_real(task, &s, opts, w, out);
}

int slt_task_csum(const slt_task *task, slt_mode_cfn f, void *ctx, const slt_sum_options *opts,
                  slt_csum *out)
{
    clear_csum(out);
    static const char *w = "slt_task_csum";
    int rc = check_task(task, out, w);
    if (rc) return rc;
    if (!f) return slt_error(SLT_EINVAL, "%s: the mode function is NULL", w);
    if (task->has_tail)
        return slt_error(SLT_EDOM, "%s: this task's tail is known by its moments only; use the "
                         "named sums (slt_sum_df, ..., slt_sum_trace, slt_sum_d3, slt_sum_k3)", w);
    term_spec s = {.kind = SUM_GENERIC, .cf = f, .ctx = ctx};
    return sum_complex(task, &s, opts, w, out);
}

/* κ must keep every λ_k + κ away from 0: κ > 0 for power laws (κ = 0 makes df infinite),
 * κ >= 0 for explicit tasks. */
static int named_real(const slt_task *task, sum_kind kind, double kappa, const char *where,
                      slt_sum *out)
{
    clear_sum(out);
    int rc = check_task(task, out, where);
    if (rc) return rc;
    if (task->kind == SLT_TASK_POWER_LAW)
        rc = slt_check_range(where, "kappa", kappa, 0.0, 1, INFINITY, 1);
    else
        rc = slt_check_range(where, "kappa", kappa, 0.0, 0, INFINITY, 1);
    if (rc) return rc;
    if (task->has_tail && kappa == 0.0)
        return slt_error(SLT_EDOM, "%s: kappa = 0 on a task with a tail: the ridgeless sums need "
                         "kappa > 0 (the tail's eigenvalues reach 0, df is infinite there)", where);
    term_spec s = {.kind = kind, .par = kappa};
    return sum_real(task, &s, NULL, where, out);
}

int slt_sum_df(const slt_task *task, double kappa, slt_sum *out)
{
    return named_real(task, SUM_DF, kappa, "slt_sum_df", out);
}

int slt_sum_df2(const slt_task *task, double kappa, slt_sum *out)
{
    return named_real(task, SUM_DF2, kappa, "slt_sum_df2", out);
}

int slt_sum_kt1(const slt_task *task, double kappa, slt_sum *out)
{
    return named_real(task, SUM_KT1, kappa, "slt_sum_kt1", out);
}

int slt_sum_k2t2(const slt_task *task, double kappa, slt_sum *out)
{
    return named_real(task, SUM_K2T2, kappa, "slt_sum_k2t2", out);
}

int slt_sum_decay(const slt_task *task, double time, slt_sum *out)
{
    clear_sum(out);
    static const char *w = "slt_sum_decay";
    int rc = check_task(task, out, w);
    if (!rc) rc = slt_check_range(w, "time", time, 0.0, 0, INFINITY, 1);
    if (rc) return rc;
    term_spec s = {.kind = SUM_DECAY, .par = time};
    return sum_real(task, &s, NULL, w, out);
}

int slt_sum_target(const slt_task *task, slt_sum *out)
{
    clear_sum(out);
    static const char *w = "slt_sum_target";
    int rc = check_task(task, out, w);
    if (rc) return rc;
    if (task->kind == SLT_TASK_POWER_LAW) {
        gsl_sf_result r;
        if (gsl_sf_zeta_e(task->q, &r) == GSL_SUCCESS) {
            out->value = task->law.amp_target * r.val;
            out->err = task->law.amp_target * r.err + 2.0 * DBL_EPSILON * fabs(out->value);
            out->head_terms = 0;
            return SLT_OK;
        }
    }
    term_spec s = {.kind = SUM_TARGET};
    return sum_real(task, &s, NULL, w, out);
}

/* Σ λ: A ζ(α) in closed form for power laws (the quadrature tail cannot reach its
 * tolerance for α near 1), the head (plus the tail's M_1) for explicit tasks. */
int slt_sum_trace(const slt_task *task, slt_sum *out)
{
    clear_sum(out);
    static const char *w = "slt_sum_trace";
    int rc = check_task(task, out, w);
    if (rc) return rc;
    if (task->kind == SLT_TASK_POWER_LAW) {
        gsl_sf_result r;
        if (gsl_sf_zeta_e(task->law.alpha, &r) != GSL_SUCCESS || !isfinite(r.val))
            return slt_error(SLT_ENOCONV, "%s: zeta(alpha = %.17g) failed", w, task->law.alpha);
        out->value = task->law.amp_lambda * r.val;
        out->err = task->law.amp_lambda * r.err + 2.0 * DBL_EPSILON * fabs(out->value);
        out->head_terms = 0;
        return SLT_OK;
    }
    term_spec s = {.kind = SUM_TRACE};
    return sum_real(task, &s, NULL, w, out);
}

int slt_sum_d3(const slt_task *task, double kappa, slt_sum *out)
{
    return named_real(task, SUM_D3, kappa, "slt_sum_d3", out);
}

int slt_sum_k3(const slt_task *task, double kappa, slt_sum *out)
{
    return named_real(task, SUM_K3, kappa, "slt_sum_k3", out);
}


/* ---- Fused real resolvent sums -------------------------------------------------------
 * df, df2, κT₁, κ²T₂ at one κ: one pass over an explicit task's head levels and clusters
 * (levels_real); each value and bound is the single named sum's, bit for bit on a task
 * without clusters. Power laws: the four single sums (their tails are separate). */
int slt_sum_resolvent(const slt_task *task, double kappa, slt_sum out[4])
{
    static const char *where = "slt_sum_resolvent";
    static const sum_kind kinds[4] = {SUM_DF, SUM_DF2, SUM_KT1, SUM_K2T2};
    for (int k = 0; out && k < 4; k++) clear_sum(&out[k]);
    int rc = check_task(task, out, where);
    if (rc) return rc;
    if (task->kind == SLT_TASK_POWER_LAW) {
        for (int k = 0; k < 4; k++)
            if ((rc = named_real(task, kinds[k], kappa, where, &out[k]))) {
                for (int j = 0; j < 4; j++) clear_sum(&out[j]);
                return rc;
            }
        return SLT_OK;
    }
    if ((rc = slt_check_range(where, "kappa", kappa, 0.0, 0, INFINITY, 1))) return rc;
    if (task->has_tail && kappa == 0.0)
        return slt_error(SLT_EDOM, "%s: kappa = 0 on a task with a tail: the ridgeless sums need "
                         "kappa > 0 (the tail's eigenvalues reach 0, df is infinite there)", where);
    double v[RC_N], e[RC_N];
    levels_real(task, RC_FOUR, kappa, v, e);
    for (int k = 0; k < 4; k++) {
        if (!isfinite(v[k])) {
            for (int j = 0; j < 4; j++) clear_sum(&out[j]);
            return slt_error(SLT_EDIVERGE, "%s: the sum is not finite", where);
        }
        out[k].value = v[k];
        out[k].err = e[k];
        out[k].head_terms = task->m;
    }
    if (task->has_tail) {
        for (int k = 0; k < 4; k++) {
            double tv, te;
            if ((rc = slt_tail_real(task, (slt_sum_name)kind_name(kinds[k]), kappa, where, &tv,
                                    &te))) {
                for (int j = 0; j < 4; j++) clear_sum(&out[j]);
                return rc;
            }
            out[k].value = v[k] + tv;
            out[k].err += te + 2.0 * DBL_EPSILON * fabs(out[k].value);
        }
    }
    return SLT_OK;
}

int slt_task_tail_sum(const slt_task *task, slt_sum_name name, double par, slt_sum *out)
{
    clear_sum(out);
    static const char *w = "slt_task_tail_sum";
    int rc = check_task(task, out, w);
    if (rc) return rc;
    if ((int)name < (int)SLT_SUM_DF || (int)name > (int)SLT_SUM_K3)
        return slt_error(SLT_EINVAL, "%s: sum name %d is out of range", w, (int)name);
    if (!task->has_tail)
        return slt_error(SLT_EDOM, "%s: the task has no tail", w);
    if (name != SLT_SUM_TARGET && name != SLT_SUM_TRACE && name != SLT_SUM_DECAY) {
        if (isnan(par) || par < 0.0)
            return slt_error(SLT_EINVAL, "%s: kappa = %.17g is out of range (expected kappa > 0)",
                             w, par);
    }
    double v, e;
    if ((rc = slt_tail_real(task, name, par, w, &v, &e))) return rc;
    out->value = v;
    out->err = e;
    out->head_terms = 0;
    return SLT_OK;
}

/* z is admissible when λ + z ≠ 0 for every eigenvalue: off the real segment
 * [−λ_1, 0] for power laws (λ accumulates at 0), off [−λ_1, −λ_M] for explicit tasks. */
static int check_z(const slt_task *task, double complex z, const char *where)
{
    if (!isfinite(creal(z)) || !isfinite(cimag(z)))
        return slt_error(SLT_EINVAL, "%s: z = %.17g%+.17gi is not finite", where, creal(z), cimag(z));
    double top = task->lambda[0];
    double bottom = task->kind == SLT_TASK_POWER_LAW ? 0.0 : task->lambda[task->m - 1];
    if (task->has_tail) {
        /* the tail's eigenvalues fill (0, lambda_sup] as far as the sums know */
        top = fmax(top, task->tail.lambda_sup);
        bottom = 0.0;
    }
    if (cimag(z) == 0.0 && creal(z) >= -top && creal(z) <= -bottom)
        return slt_error(SLT_EDOM, "%s: z = %.17g lies on the negative real axis in [-lambda_1, "
                         "-lambda_min] = [%.6g, %.6g], where lambda + z vanishes", where, creal(z),
                         -top, -bottom);
    return SLT_OK;
}

/* A power law at real z < −λ_1: every λ + z < 0, the sum is real and smooth, but the
 * closed-form tails' principal branches are not defined on the negative axis; the real
 * engine (Euler–Maclaurin + quadrature, which needs no branch) computes it. */
static int negative_real_sum(const slt_task *task, sum_kind kind, double z, const char *where,
                             slt_csum *out)
{
    term_spec s = {.kind = kind, .par = z};
    slt_sum r;
    int rc = sum_real(task, &s, NULL, where, &r);
    out->value = r.value;
    out->err = r.err;
    out->head_terms = r.head_terms;
    return rc;
}

static int named_complex(const slt_task *task, sum_kind kind, double complex z,
                         const char *where, slt_csum *out)
{
    clear_csum(out);
    int rc = check_task(task, out, where);
    if (!rc) rc = check_z(task, z, where);
    if (rc) return rc;
    if (task->kind == SLT_TASK_POWER_LAW && cimag(z) == 0.0 && creal(z) < 0.0)
        return negative_real_sum(task, kind, creal(z), where, out);
    term_spec s = {.kind = kind, .zpar = z};
    return sum_complex(task, &s, NULL, where, out);
}

int slt_csum_df(const slt_task *task, double complex z, slt_csum *out)
{
    return named_complex(task, SUM_DF, z, "slt_csum_df", out);
}

int slt_csum_df2(const slt_task *task, double complex z, slt_csum *out)
{
    return named_complex(task, SUM_DF2, z, "slt_csum_df2", out);
}

int slt_csum_kt1(const slt_task *task, double complex z, slt_csum *out)
{
    return named_complex(task, SUM_KT1, z, "slt_csum_kt1", out);
}

int slt_csum_k2t2(const slt_task *task, double complex z, slt_csum *out)
{
    return named_complex(task, SUM_K2T2, z, "slt_csum_k2t2", out);
}

/* The quotients of resolvent_range's block: 1/d, (l + za)/s, l/s and za/s with
 * d = (l + a)² + b², s = √d, for the n eigenvalues lb[0 … n−1]. Packed SSE2 where the
 * compiler targets it (two lanes; IEEE division and square root round the same packed
 * or not, so the values are those of the scalar loop, bit for bit), scalar otherwise. */
static void resolvent_quotients(const double *lb, size_t n, double a, double b, double za,
                                double *q_inv, double *q_c, double *q_ar, double *q_aq)
{
    size_t j = 0;
#ifdef __SSE2__
    const __m128d va = _mm_set1_pd(a), vb2 = _mm_set1_pd(b * b), vza = _mm_set1_pd(za);
    const __m128d one = _mm_set1_pd(1.0);
    for (; j + 2 <= n; j += 2) {
        const __m128d l = _mm_loadu_pd(lb + j), u = _mm_add_pd(l, va);
        const __m128d d = _mm_add_pd(_mm_mul_pd(u, u), vb2), sd = _mm_sqrt_pd(d);
        _mm_storeu_pd(q_inv + j, _mm_div_pd(one, d));
        _mm_storeu_pd(q_c + j, _mm_div_pd(_mm_add_pd(l, vza), sd));
        _mm_storeu_pd(q_ar + j, _mm_div_pd(l, sd));
        _mm_storeu_pd(q_aq + j, _mm_div_pd(vza, sd));
    }
#endif
    for (; j < n; j++) {
        const double l = lb[j], u = l + a, d = u * u + b * b, sd = sqrt(d);
        q_inv[j] = 1.0 / d;
        q_c[j] = (l + za) / sd;
        q_ar[j] = l / sd;
        q_aq[j] = za / sd;
    }
}

/* The fused loop over modes [from, to) of the resolvent sums, blocked as head_complex:
 * acc[0..7] are re/im of df, df2, κT₁ and κ²T₂ at κ = z; absum and cond their Σ|term| and
 * conditioning-weighted Σ|term| for the rounding bound. */
static void resolvent_range(const slt_task *task, double complex z, size_t from, size_t to,
                            double acc[8], double absum[4], double cond[4])
{
    const double a = creal(z), b = cimag(z), za = cabs(z);
    const double *mul = task->mult, *lam = task->lambda, *tgt = task->target;
    /* Two passes per block, the same operations in the same order as one (bit for bit):
     * first every quotient and square root of the block, as packed SSE2 divisions
     * (resolvent_quotients); then the sums, added mode by mode as before, in locals (through
     * the pointers every += was a store and a reload: they might alias the task's
     * arrays). The divisions were what made small explicit tasks, summed here mode by
     * mode, slower than 1024-mode ones, which are compressed (issue 13). */
    double as0 = absum[0], as1 = absum[1], as2 = absum[2], as3 = absum[3];
    double cd0 = cond[0], cd1 = cond[1], cd2 = cond[2], cd3 = cond[3];
    double q_inv[HEAD_BLOCK], q_c[HEAD_BLOCK], q_ar[HEAD_BLOCK], q_aq[HEAD_BLOCK];
    for (size_t blk = from; blk < to; blk += HEAD_BLOCK) {
        const size_t e = blk + HEAD_BLOCK < to ? blk + HEAD_BLOCK : to, n = e - blk;
        const double *lb = lam + blk;
        resolvent_quotients(lb, n, a, b, za, q_inv, q_c, q_ar, q_aq);
        double bl[8] = {0};
        for (size_t j = 0; j < n; j++) {
            const size_t i = blk + j;
            const double l = lam[i], t = tgt[i];
            const double u = l + a, inv = q_inv[j];
            const double rr = l * u * inv, ri = -l * b * inv; /* λ/(λ+z) */
            /* z/(λ+z) directly: as 1 − λ/(λ+z) it cancels wherever λ ≫ |z| */
            const double qr = (a * l + za * za) * inv, qi = b * l * inv;
            /* a level's multiplicity weights df, df2 (t is its total power already);
             * w = 1 multiplies exactly, so the per-mode sums are unchanged bit for bit */
            const double w = mul ? mul[i] : 1.0;
            bl[0] += w * rr;
            bl[1] += w * ri;
            bl[2] += w * (rr * rr - ri * ri);
            bl[3] += w * (2.0 * rr * ri);
            bl[4] += t * qr;
            bl[5] += t * qi;
            bl[6] += t * (qr * qr - qi * qi);
            bl[7] += t * 2.0 * qr * qi;
            const double c = q_c[j], ar = q_ar[j], aq = q_aq[j];
            as0 += w * ar;
            as1 += w * (ar * ar);
            as2 += t * aq;
            as3 += t * aq * aq;
            cd0 += w * (ar * c);
            cd1 += w * (ar * ar * c);
            cd2 += t * aq * c;
            cd3 += t * aq * aq * c;
        }
        for (int k = 0; k < 8; k++) acc[k] += bl[k];
    }
    absum[0] = as0, absum[1] = as1, absum[2] = as2, absum[3] = as3;
    cond[0] = cd0, cond[1] = cd1, cond[2] = cd2, cond[3] = cd3;
}

/* Clusters of an explicit task: with D = c + z and u = −1/D,
 *   Σ w/(λ+z)  = (1/D)  Σ_n m_n u^n,     Σ w/(λ+z)² = (1/D²) Σ_n (n+1) m_n u^n,
 * m_n = Σ w δ^n. With r = ρ/|D| <= 0.1 the omitted terms are below
 * Σ|w| r^P/((1−r)|D|) (resp. (P+1) r^P/(1−r)² /|D|²), and Horner's rounding below
 * 2P·u·Σ|w|/((1−r)|D|). Closer to a pole (r > 0.1) the cluster is summed mode by mode. */
static void resolvent_clusters(const slt_task *task, double complex z, double acc[8],
                               double absum[4], double cond[4], double err[4])
{
    const int P = SLT_CLUSTER_MOMENTS;
    for (size_t q = 0; q < task->n_clusters; q++) {
        const slt_cluster *c = &task->clusters[q];
        double complex D = c->c + z;
        double aD = cabs(D), r = c->rho / aD;
        if (r > 0.1) {
            resolvent_range(task, z, c->first, c->first + c->count, acc, absum, cond);
            continue;
        }
        double complex u = -1.0 / D, h1[3] = {0, 0, 0}, h2[3] = {0, 0, 0};
        for (int n = P - 1; n >= 0; n--)
            for (int w = 0; w < 3; w++) {
                h1[w] = h1[w] * u + c->mom[w][n];
                h2[w] = h2[w] * u + (n + 1) * c->mom[w][n];
            }
        double complex iD = 1.0 / D, iD2 = iD * iD;
        double complex v[4] = {h1[0] * iD, h2[1] * iD2, z * h1[2] * iD, z * z * h2[2] * iD2};
        for (int k = 0; k < 4; k++) {
            acc[2 * k] += creal(v[k]);
            acc[2 * k + 1] += cimag(v[k]);
        }
        double rp = pow(r, P), g = 1.0 / (1.0 - r);
        double b1 = g / aD, b2 = g * g / (aD * aD);       /* Σ_n r^n, Σ (n+1) r^n scales */
        const double za = cabs(z);
        double sc[4] = {c->wsum[0] * b1, c->wsum[1] * b2, za * c->wsum[2] * b1,
                        za * za * c->wsum[2] * b2};
        double trunc[4] = {rp, (P + 1) * rp, rp, (P + 1) * rp};
        for (int k = 0; k < 4; k++) {
            absum[k] += sc[k];
            err[k] += sc[k] * (trunc[k] + c->mom_round + (2.0 * P + 8.0) * DBL_EPSILON);
        }
    }
}

/* ---- Fused complex resolvent sums ---------------------------------------------------
 * df, df2, κT₁, κ²T₂ at one complex z share every 1/(λ_k + z): one head pass in real
 * arithmetic (C's complex division goes through the slow, overflow-guarded __divdc3)
 * gives all four; the tails are the individual closed forms. Rounding bookkeeping as in
 * head_complex, with the conditioning (λ + |z|)/|λ + z| of each term. */
int slt_csum_resolvent(const slt_task *task, double complex z, slt_csum out[4])
{
    static const char *where = "slt_csum_resolvent";
    for (int k = 0; out && k < 4; k++) clear_csum(&out[k]);
    int rc = check_task(task, out, where);
    if (!rc) rc = check_z(task, z, where);
    if (rc) return rc;
    if (task->kind == SLT_TASK_POWER_LAW && cimag(z) == 0.0 && creal(z) < 0.0) {
        static const sum_kind real_kinds[4] = {SUM_DF, SUM_DF2, SUM_KT1, SUM_K2T2};
        for (int k = 0; k < 4; k++)
            if ((rc = negative_real_sum(task, real_kinds[k], creal(z), where, &out[k]))) return rc;
        return SLT_OK;
    }
    double acc[8] = {0}, absum[4] = {0}, cond[4] = {0}, extra_err[4] = {0};
    size_t m = task->m;
    if (task->kind == SLT_TASK_EXPLICIT && task->n_clusters > 0) {
        resolvent_range(task, z, 0, task->n_head, acc, absum, cond);
        resolvent_clusters(task, z, acc, absum, cond, extra_err);
    } else {
        resolvent_range(task, z, 0, m, acc, absum, cond);
    }
    static const sum_kind kinds[4] = {SUM_DF, SUM_DF2, SUM_KT1, SUM_K2T2};
    for (int k = 0; k < 4; k++) {
        double complex head = acc[2 * k] + I * acc[2 * k + 1];
        double err = 2.0 * rounding_bound(m, absum[k]) + 2.0 * level_rounding(task, absum[k]) +
                     4.0 * DBL_EPSILON * cond[k] + extra_err[k];
        out[k].value = head;
        out[k].err = err;
        out[k].head_terms = m;
        if (task->kind == SLT_TASK_EXPLICIT && task->has_tail) {
            double complex tv;
            double te;
            if ((rc = slt_tail_complex(task, (slt_sum_name)kind_name(kinds[k]), z, where, &tv,
                                       &te)))
                return rc;
            out[k].value = head + tv;
            out[k].err = err + te + 4.0 * DBL_EPSILON * cabs(out[k].value);
        }
        if (task->kind == SLT_TASK_EXPLICIT) continue;
        term_spec s = {.kind = kinds[k], .zpar = z};
        double complex tail;
        double tail_err, far_err;
        slt_sum_options o = slt_sum_options_default();
        rc = complex_tail_at(task, &s, (double)m + 0.5, absum[k], o.rel_tol, &tail, &tail_err,
                             &far_err);
        if (!rc && tail_accepted(tail_err, far_err, o.rel_tol * (absum[k] + cabs(tail)), where) ==
                       SLT_OK) {
            out[k].value = head + tail;
            out[k].err = err + tail_err + 4.0 * DBL_EPSILON * cabs(tail);
            continue;
        }
        /* this tail needs a longer head (a pole close to the cached head's end): the
         * adaptive single sum handles it */
        rc = named_complex(task, kinds[k], z, where, &out[k]);
        if (rc) return rc;
    }
    for (int k = 0; k < 4; k++)
        if (!isfinite(creal(out[k].value)) || !isfinite(cimag(out[k].value)))
            return slt_error(SLT_EDIVERGE, "%s: the sum is not finite", where);
    return SLT_OK;
}
