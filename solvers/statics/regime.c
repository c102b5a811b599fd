/* Per-mode errors, derivatives of the loss in 1/N and 1/P along the solution, the
 * variance-limited coefficients and the regime of a point (docs/theory/statics.md §5–§7). */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "slt/statics.h"
#include "slt/status.h"
#include "statics_internal.h"

#define EPS DBL_EPSILON

int slt_statics_mode_error(const slt_statics_result *r, double lambda, double target,
                           slt_statics_mode *m)
{
    static const char *where = "slt_statics_mode_error";
    if (!r || !m) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    if (r->status != SLT_OK)
        return slt_error(SLT_EINVAL, "%s: the point was not solved (status: %s)", where,
                         slt_strerror(r->status));
    int rc;
    if ((rc = slt_check_range(where, "lambda", lambda, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "target", target, 0.0, 0, INFINITY, 1))) return rc;
    const double k = r->kappa, learn = lambda / (lambda + k), a = k / (lambda + k);
    m->learnability = learn;
    if (k == 0.0) {
        /* κ = 0: ridgeless with min(N, P) >= M modes, so every mode is fitted exactly
         * (a = 0) and the signal part of the loss is 0 for every target, as the point's
         * own L = Σ t_k E_k + noise_part says: E_k = 0. The formula would be 0/0 at P = M,
         * where γ = 1; for kernel regression 0 is also its limit as z → 0 or P → M. */
        m->loss_share = 0.0;
    } else {
        m->loss_share = (r->q * a * a + (1.0 - r->q) * a) / r->one_minus_gamma;
    }
    if (isinf(r->N)) {
        double var = isinf(r->P) ? 0.0 : learn * learn * (r->test + r->noise) / r->P;
        m->residual = target * a * a + var;
    } else {
        m->residual = NAN;
    }
    return SLT_OK;
}

/* ---- ∂L/∂(1/N), ∂L/∂(1/P) ---------------------------------------------------------
 * L is written as A(D₁, D₂, κT₁, κ²T₂; a = 1/N, b = 1/P) with q = (1 − aD₁)/(1 − aD₂),
 * γ = b(D₁ − q(D₁ − D₂)), L = [q κ²T₂ + (1 − q)κT₁ + σ²γ]/(1 − γ). Along the solution
 * the sums move with s = log κ, and s with (a, b) through G = κ(1 − aD₁)(1 − bD₁) − z = 0:
 *   ds/da = D₁u_P/H,  ds/db = D₁u_N/H,  H = u_N u_P + (D₁ − D₂)(a u_P + b u_N),
 *   dD₁/ds = −(D₁ − D₂), dD₂/ds = −2D₃, d(κT₁)/ds = κT₁ − κ²T₂, d(κ²T₂)/ds = 2K₃,
 * with D₃ = Σ λ²κ/(λ+κ)³ and K₃ = Σ t κ²λ/(λ+κ)³. */

typedef struct {
    double s, D1, D2, K1, K2, D3, K3;
} sens_inputs;

/* Input i of x in declaration order, named field by field (the members are not an array,
 * so &x->s + i would be undefined behaviour). */
#define SENS_N_INPUTS 7
static double *sens_input_at(sens_inputs *x, int i)
{
    switch (i) {
    case 0: return &x->s;
    case 1: return &x->D1;
    case 2: return &x->D2;
    case 3: return &x->K1;
    case 4: return &x->K2;
    case 5: return &x->D3;
    default: return &x->K3;
    }
}

static int sens_eval(const statics_consts *c, const sens_inputs *x, double *dLda, double *dLdb)
{
    statics_inputs xi = {x->s, x->D1, x->D2, x->K1, x->K2};
    statics_outputs o;
    statics_assemble(c, &xi, &o);
    if (o.divergent || !(o.den > 0.0) || !isfinite(o.L)) return 1;
    const double a = isinf(c->N) ? 0.0 : 1.0 / c->N, b = isinf(c->P) ? 0.0 : 1.0 / c->P;
    const double den = o.den, L = o.L, q = o.q;
    if (c->exhausted) {
        /* κ = 0 stays 0 nearby: L = σ² bM/(1 − bM) */
        *dLda = 0.0;
        *dLdb = c->noise * x->D1 / (den * den);
        return 0;
    }
    const double D1 = x->D1, D2 = x->D2, Delta = D1 - D2;
    const double wN = statics_one_minus(D2, c->N);
    if (!(wN > 0.0)) return 1;
    const double q_a = (-D1 + q * D2) / wN, q_D1 = -a / wN, q_D2 = q * a / wN;
    const double g_a = -b * Delta * q_a, g_b = D1 - q * Delta;
    const double g_D1 = b * (1.0 - q - Delta * q_D1), g_D2 = b * (q - Delta * q_D2);
    const double S = c->noise + L, dK = x->K2 - x->K1;
    const double L_a = (dK * q_a + S * g_a) / den, L_b = S * g_b / den;
    const double L_D1 = (dK * q_D1 + S * g_D1) / den, L_D2 = (dK * q_D2 + S * g_D2) / den;
    const double L_K1 = (1.0 - q) / den, L_K2 = q / den;
    const double H = o.uN * o.uP + Delta * (a * o.uP + b * o.uN);
    if (!(H > 0.0)) return 1;
    const double chain = -L_D1 * Delta - 2.0 * L_D2 * x->D3 + L_K1 * (x->K1 - x->K2) +
                         2.0 * L_K2 * x->K3;
    *dLda = L_a + chain * D1 * o.uP / H;
    *dLdb = L_b + chain * D1 * o.uN / H;
    return 0;
}

int slt_statics_sensitivity_at(const slt_statics_workspace *ws, const slt_statics_result *r,
                               slt_statics_sensitivity *s)
{
    static const char *where = "slt_statics_sensitivity_at";
    if (!ws || !r || !s) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    s->dL_dinvN = s->dL_dinvN_err = s->dL_dinvP = s->dL_dinvP_err = NAN;
    s->slope_N = s->slope_N_err = s->slope_P = s->slope_P_err = NAN;
    if (r->status == SLT_EDIVERGE)
        return s->status = slt_error(SLT_EDOM, "%s: the loss diverges at N = %.17g, P = %.17g "
                                     "(no derivative at the pole)", where, r->N, r->P);
    if (r->status != SLT_OK)
        return s->status = slt_error(SLT_EINVAL, "%s: the point was not solved (status: %s)",
                                     where, slt_strerror(r->status));
    slt_statics_params p = slt_statics_params_default();
    p.N = r->N;
    p.P = r->P;
    p.ridge = r->ridge;
    if (ws->unit) {
        /* amplitudes other than 1: the derivatives of the unit task's point (statics.c,
           solve_scaled), times u; the local exponents are invariant */
        slt_statics_result ru;
        p.ridge = r->ridge / ws->unit_lambda;
        int rc = slt_statics_solve(ws->unit, &p, &ru);
        if (rc) return s->status = rc;
        rc = slt_statics_sensitivity_at(ws->unit, &ru, s);
        const double u = ws->unit_loss;
        statics_scale_value(u, &s->dL_dinvN, &s->dL_dinvN_err);
        statics_scale_value(u, &s->dL_dinvP, &s->dL_dinvP_err);
        return s->status = rc;
    }
    statics_consts c;
    statics_make_consts(ws, &p, &c);
    sens_inputs x = {0}, e = {0};
    if (r->kappa == 0.0) {
        if (isinf(ws->modes))
            return s->status = slt_error(SLT_EDOM, "%s: ridgeless at N = P = inf the loss is 0 and "
                                         "approaches it as a power of 1/N, 1/P, not linearly "
                                         "(no derivative)", where);
        c.exhausted = 1;
        x = (sens_inputs){-INFINITY, r->df1, r->df2, 0.0, 0.0, 0.0, 0.0};
    } else {
        slt_sum d3, k3;
        double kappa = r->kappa;
        int rc;
        /* the named sums: the callbacks' terms bit for bit, and they work on a task with
           a moment tail */
        if ((rc = slt_sum_d3(ws->task, kappa, &d3)) || (rc = slt_sum_k3(ws->task, kappa, &k3)))
            return s->status = rc;
        const double ds = log1p(r->kappa_err / kappa), Delta = r->df1 - r->df2;
        x = (sens_inputs){log(kappa), r->df1, r->df2, r->kt1, r->k2t2, d3.value, k3.value};
        e.s = ds;
        e.D1 = c.pinned ? 0.0 : r->df1_err + Delta * ds;
        e.D2 = r->df2_err + 2.0 * r->df2 * ds;
        e.K1 = r->kt1_err + fabs(r->kt1 - r->k2t2) * ds;
        e.K2 = r->k2t2_err + 2.0 * r->k2t2 * ds;
        e.D3 = d3.err + 2.0 * d3.value * ds;
        e.K3 = k3.err + 2.0 * k3.value * ds;
    }
    double da, db;
    if (sens_eval(&c, &x, &da, &db))
        return s->status = slt_error(SLT_EDOM, "%s: the loss is not differentiable in 1/N, 1/P at "
                                     "N = %.17g, P = %.17g, ridge = %.17g", where, r->N, r->P,
                                     r->ridge);
    /* first-order error: each input moved by its error, one at a time */
    double ea = 8.0 * EPS * fabs(da), eb = 8.0 * EPS * fabs(db);
    for (int i = 0; i < SENS_N_INPUTS; i++) {
        double ev = *sens_input_at(&e, i);
        if (!(ev > 0.0)) continue;
        sens_inputs y = x;
        *sens_input_at(&y, i) += ev;
        double pa, pb;
        if (sens_eval(&c, &y, &pa, &pb)) {
            ea = eb = INFINITY;
            break;
        }
        ea += fabs(pa - da);
        eb += fabs(pb - db);
    }
    s->dL_dinvN = da;
    s->dL_dinvN_err = ea;
    s->dL_dinvP = db;
    s->dL_dinvP_err = eb;
    const double L = r->test, Lrel = r->test > 0.0 ? r->test_err / r->test : NAN;
    if (L > 0.0) {
        double a = isinf(r->N) ? 0.0 : 1.0 / r->N, b = isinf(r->P) ? 0.0 : 1.0 / r->P;
        s->slope_N = a == 0.0 ? 0.0 : -a * da / L;
        s->slope_N_err = fabs(a) * (ea + fabs(da) * Lrel) / L;
        s->slope_P = b == 0.0 ? 0.0 : -b * db / L;
        s->slope_P_err = fabs(b) * (eb + fabs(db) * Lrel) / L;
    }
    return s->status = SLT_OK;
}

/* ---- Regime at a point ------------------------------------------------------------ */

const char *slt_statics_regime_name(slt_statics_regime_kind kind)
{
    switch (kind) {
    case SLT_STATICS_REGIME_WIDTH_LIMITED: return "width-limited";
    case SLT_STATICS_REGIME_DATA_LIMITED: return "data-limited";
    case SLT_STATICS_REGIME_CROSSOVER: return "crossover";
    case SLT_STATICS_REGIME_RIDGE_LIMITED: return "ridge-limited";
    case SLT_STATICS_REGIME_DIVERGENT: return "divergent";
    default: return "unknown";
    }
}

/* The 1/X law L − L_lim ≈ coef/X holds to within SLT_STATICS_REGIME_TOL, and the loss
 * moves with 1/X the way the law says (dL/d(1/X) has the sign of coef): on the far side
 * of the double-descent pole the value can match by coincidence, the direction cannot. */
static int variance_limited(double excess, double coef, double X, double deriv)
{
    if (!isfinite(coef) || !isfinite(excess) || !isfinite(deriv) || coef * deriv < 0.0) return 0;
    double lin = isinf(X) ? 0.0 : coef / X;
    return fabs(excess - lin) <= SLT_STATICS_REGIME_TOL * fabs(excess);
}

static slt_statics_regime_kind classify(const slt_statics_regime *r)
{
    const double L = r->point.test, fl = r->floor.test;
    if (fl > 0.0 && fl >= SLT_STATICS_REGIME_FLOOR * L) return SLT_STATICS_REGIME_RIDGE_LIMITED;
    if (r->local.status) return SLT_STATICS_REGIME_CROSSOVER; /* no derivative: no law */
    const double eP = L - r->width_only.test, eN = L - r->data_only.test;
    const int vP = variance_limited(eP, r->coef_P, r->point.P, r->local.dL_dinvP);
    const int vN = variance_limited(eN, r->coef_N, r->point.N, r->local.dL_dinvN);
    if (vP && !vN) return SLT_STATICS_REGIME_WIDTH_LIMITED;
    if (vN && !vP) return SLT_STATICS_REGIME_DATA_LIMITED;
    if (vP && vN && eP != eN)
        return eP > eN ? SLT_STATICS_REGIME_DATA_LIMITED : SLT_STATICS_REGIME_WIDTH_LIMITED;
    return SLT_STATICS_REGIME_CROSSOVER;
}

/* A limit's own pole (test = inf with SLT_EDIVERGE, e.g. L(∞, P) ridgeless at P = M with
 * noise) is an answer the classification handles; any other failure of a limit or of a
 * derivative leaves the point's values valid but the regime undetermined: SLT_ELOSS (never
 * SLT_EDIVERGE, which would read as the point's own pole), with the cause in the message. */
static int aux_status(const slt_statics_result *limit, int rc)
{
    return (rc == SLT_EDIVERGE && limit->test == INFINITY) ? SLT_OK : rc;
}

static int aux_failure(const slt_statics_params *p, const char *what)
{
    char cause[400];
    snprintf(cause, sizeof cause, "%s", slt_last_error());
    return slt_error(SLT_ELOSS, "slt_statics_regime_at: the regime at N = %.17g, P = %.17g is "
                     "undetermined (the point itself is solved): %s failed: %s", p->N, p->P,
                     what, cause);
}

int slt_statics_regime_at(const slt_statics_workspace *ws, const slt_statics_params *p,
                          slt_statics_regime *r)
{
    if (!ws || !p || !r) return slt_error(SLT_EINVAL, "slt_statics_regime_at: NULL argument");
    r->coef_P = r->coef_P_err = r->coef_N = r->coef_N_err = NAN;
    r->res_slope_P = r->res_slope_P_err = r->res_slope_N = r->res_slope_N_err = NAN;
    r->local = (slt_statics_sensitivity){NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, SLT_EDOM};
    r->regime = SLT_STATICS_REGIME_UNKNOWN;
    if (ws->unit) {
        /* amplitudes other than 1: classified on the unit task, where the excesses L − L_lim
           keep their digits; values scaled back (losses and coefficients by u) */
        slt_statics_params q;
        int rc = statics_unit_params(ws, p, &q);
        if (rc) return r->status = rc;
        rc = slt_statics_regime_at(ws->unit, &q, r);
        slt_statics_result *parts[4] = {&r->point, &r->width_only, &r->data_only, &r->floor};
        /* the point last, so that an overflow message names the point itself */
        for (int i = 3; i >= 0; i--) statics_scale_back(ws, p->ridge, parts[i]);
        if (!rc && r->point.status != SLT_OK) rc = r->point.status; /* overflowed */
        const double u = ws->unit_loss;
        statics_scale_value(u, &r->coef_P, &r->coef_P_err);
        statics_scale_value(u, &r->coef_N, &r->coef_N_err);
        statics_scale_value(u, &r->local.dL_dinvN, &r->local.dL_dinvN_err);
        statics_scale_value(u, &r->local.dL_dinvP, &r->local.dL_dinvP_err);
        return r->status = rc;
    }
    int rc = slt_statics_solve(ws, p, &r->point);
    if (rc && rc != SLT_EDIVERGE) return r->status = rc;
    slt_statics_params q = *p;
    q.P = INFINITY;
    int rw = slt_statics_solve(ws, &q, &r->width_only);
    q = *p;
    q.N = INFINITY;
    int rd = slt_statics_solve(ws, &q, &r->data_only);
    q.P = INFINITY;
    int rf = slt_statics_solve(ws, &q, &r->floor);
    rw = aux_status(&r->width_only, rw);
    rd = aux_status(&r->data_only, rd);
    rf = aux_status(&r->floor, rf);
    if ((rw || rd || rf) && rc != SLT_EDIVERGE)
        return r->status = aux_failure(p, rw ? "the limit L(N, inf)" : rd ? "the limit L(inf, P)"
                                                 : "the limit L(inf, inf)");

    /* coefficients: L(N,P) − L(N,∞) ≈ coef_P/P is ∂L/∂(1/P) at 1/P = 0 (same for N) */
    slt_statics_sensitivity sw, sd;
    int sw_rc = slt_statics_sensitivity_at(ws, &r->width_only, &sw);
    int sd_rc = slt_statics_sensitivity_at(ws, &r->data_only, &sd);
    /* SLT_EDOM: no derivative there (a law not approached as 1/P), a NaN the classification
       reads; anything else is a failed sum */
    if (((sw_rc && sw_rc != SLT_EDOM) || (sd_rc && sd_rc != SLT_EDOM)) && rc != SLT_EDIVERGE)
        return r->status = aux_failure(p, "the derivatives at the limits");
    if (!sw_rc) {
        r->coef_P = sw.dL_dinvP;
        r->coef_P_err = sw.dL_dinvP_err;
        r->res_slope_N = sw.slope_N;
        r->res_slope_N_err = sw.slope_N_err;
    }
    if (!sd_rc) {
        r->coef_N = sd.dL_dinvN;
        r->coef_N_err = sd.dL_dinvN_err;
        r->res_slope_P = sd.slope_P;
        r->res_slope_P_err = sd.slope_P_err;
    }
    if (rc == SLT_EDIVERGE) {
        r->regime = SLT_STATICS_REGIME_DIVERGENT;
        slt_error(SLT_EDIVERGE, "slt_statics_regime_at: the test loss diverges at N = %.17g, "
                  "P = %.17g with ridge 0", p->N, p->P);
        return r->status = SLT_EDIVERGE;
    }
    int sc = slt_statics_sensitivity_at(ws, &r->point, &r->local);
    if (sc && sc != SLT_EDOM) return r->status = aux_failure(p, "the derivatives at the point");

    r->regime = classify(r);
    return r->status = SLT_OK;
}
