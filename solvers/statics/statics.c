/* Static learning curves: the deterministic equivalents of kernel ridge regression and
 * linear random-feature ridge regression (docs/theory/statics.md §1–§4).
 *
 * One scalar equation covers both, κ(1 − df/N)(1 − df/P) = z, solved for κ by the task
 * layer's root finder (slt_task_kappa: Brent on log κ in a proven bracket,
 * docs/theory/statics.md §2); this file assembles the losses and their errors. */
#include "slt/statics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "slt/status.h"
#include "statics_internal.h"

#define EPS DBL_EPSILON

slt_statics_params slt_statics_params_default(void)
{
    slt_statics_params p = {.N = INFINITY, .P = 100.0, .ridge = 0.0, .rel_tol = 1e-14,
                            .max_iter = 200};
    return p;
}

int slt_statics_params_check(const slt_statics_params *p)
{
    static const char *where = "slt_statics_params";
    if (!p) return slt_error(SLT_EINVAL, "%s: NULL parameters", where);
    int rc;
    const slt_param_range *tol = slt_statics_param_range("rel_tol"),
                          *it = slt_statics_param_range("max_iter");
    if ((rc = slt_param_range_check(where, slt_statics_param_range("N"), p->N)) ||
        (rc = slt_param_range_check(where, slt_statics_param_range("P"), p->P)) ||
        (rc = slt_param_range_check(where, slt_statics_param_range("ridge"), p->ridge)))
        return rc;
    if (!(p->rel_tol >= tol->lo && p->rel_tol <= tol->hi)) /* own message: 1e-16 is not exact */
        return slt_error(SLT_EINVAL, "%s: rel_tol = %.17g is out of range (expected %.10g <= "
                         "rel_tol <= %.10g)", where, p->rel_tol, tol->lo, tol->hi);
    if (p->max_iter < it->lo || p->max_iter > it->hi)
        return slt_error(SLT_EINVAL, "%s: max_iter = %d is out of range (expected %.10g <= "
                         "max_iter <= %.10g)", where, p->max_iter, it->lo, it->hi);
    return SLT_OK;
}

int slt_statics_alloc(const slt_task *task, slt_statics_workspace **ws)
{
    if (!ws) return slt_error(SLT_EINVAL, "slt_statics_alloc: NULL output pointer");
    *ws = NULL;
    if (!task) return slt_error(SLT_EINVAL, "slt_statics_alloc: NULL task");
    slt_statics_workspace *w = calloc(1, sizeof *w);
    if (!w) return slt_error(SLT_ENOMEM, "slt_statics_alloc: out of memory");
    w->task = task;
    w->noise = slt_task_noise(task);
    w->modes = slt_task_modes_total(task); /* Σ multiplicities of a level task */
    w->is_law = slt_task_get_kind(task) == SLT_TASK_POWER_LAW;
    /* only a tailed task has SLT_MODES_INFINITE among explicit ones (saves setting the
       error message of slt_task_get_tail on every other task) */
    if (!w->is_law && slt_task_modes(task) == SLT_MODES_INFINITE) {
        slt_task_tail tl;
        if (slt_task_get_tail(task, &tl) == SLT_OK) {
            w->null_power = tl.null_power;
            w->null_power_err = tl.null_power_err;
        }
    }
    if (w->is_law) {
        slt_task_power_law(task, &w->law);
        const double u = fmax(w->law.amp_target, w->noise);
        if (w->law.amp_lambda != 1.0 || u != 1.0) {
            slt_power_law_params lp = w->law;
            lp.amp_lambda = 1.0;
            /* below DBL_MIN the targets are < 1e-308 of the noise: their part of the loss
               is below the rounding of the noise part */
            lp.amp_target = fmax(w->law.amp_target / u, DBL_MIN);
            lp.noise = w->noise / u;
            int rc = slt_task_alloc_power_law(&lp, &w->unit_task);
            if (!rc) rc = slt_statics_alloc(w->unit_task, &w->unit);
            if (rc) {
                slt_statics_free(w);
                return rc;
            }
            w->unit_lambda = w->law.amp_lambda;
            w->unit_loss = u;
        }
    }
    *ws = w;
    return SLT_OK;
}

void slt_statics_free(slt_statics_workspace *ws)
{
    if (!ws) return;
    slt_statics_free(ws->unit);
    slt_task_free(ws->unit_task);
    free(ws);
}

const slt_task *slt_statics_task(const slt_statics_workspace *ws) { return ws ? ws->task : NULL; }

/* 1 − D/X, exact 1 for X = ∞ and exact 0 for D = X. */
double statics_one_minus(double D, double X) { return isinf(X) ? 1.0 : (X - D) / X; }

/* ---- Assembly: (κ, D₁, D₂, κT₁, κ²T₂) → L, L̂ --------------------------------------- */

void statics_assemble(const statics_consts *c, const statics_inputs *x, statics_outputs *o)
{
    const double D1 = x->D1, D2 = x->D2, K1 = x->K1, K2 = x->K2;
    const int N_is_min = c->N <= c->P;
    double uN, uP;
    if (c->z > 0.0) {
        /* u_n·u_m = z/κ with u_m − u_n = D₁(1/n − 1/m) >= 0: solved for the small factor
           without cancellation, so the pole region N ≈ P keeps its digits */
        double n = N_is_min ? c->N : c->P, m = N_is_min ? c->P : c->N;
        double delta = D1 * ((isinf(n) ? 0.0 : 1.0 / n) - (isinf(m) ? 0.0 : 1.0 / m));
        if (delta < 0.0) delta = 0.0;
        double r = c->z * exp(-x->s);
        double un = 2.0 * r / (delta + sqrt(delta * delta + 4.0 * r));
        double um = un + delta;
        uN = N_is_min ? un : um;
        uP = N_is_min ? um : un;
    } else {
        uN = statics_one_minus(D1, c->N);
        uP = statics_one_minus(D1, c->P);
    }
    double wN = statics_one_minus(D2, c->N);
    double q = (isinf(c->N) || !(wN > 0.0)) ? 1.0 : uN / wN;
    double Delta = D1 - D2;
    double invP = isinf(c->P) ? 0.0 : 1.0 / c->P;
    double gamma = (D1 * (1.0 - q) + q * D2) * invP;
    double den = uP + q * Delta * invP;
    double snum = q * K2 + (1.0 - q) * K1, nnum = c->noise * gamma;
    o->uN = uN;
    o->uP = uP;
    o->q = q;
    o->gamma = gamma;
    o->den = den;
    o->divergent = 0;
    if (den > 0.0) {
        o->signal = snum / den;
        o->noise_part = nnum / den;
        o->L = o->signal + o->noise_part;
        o->train = uP * uP * (o->L + c->noise);
    } else if (snum + nnum > 0.0) {
        o->divergent = 1;
        o->signal = snum > 0.0 ? INFINITY : 0.0;
        o->noise_part = nnum > 0.0 ? INFINITY : 0.0;
        o->L = INFINITY;
        o->train = 0.0; /* den = 0 only where u_P = 0: interpolation */
    } else {
        o->signal = o->noise_part = o->L = 0.0;
        o->train = 0.0;
    }
}

/* First-order error of L and L̂: each input moved by its error, one at a time. */
void statics_propagate(const statics_consts *c, const statics_inputs *x, const statics_inputs *e,
                       const statics_outputs *o, double *L_err, double *train_err)
{
    double dl = 0.0, dt = 0.0;
    for (int i = 0; i < STATICS_N_INPUTS; i++) {
        statics_inputs y = *x, ec = *e;
        double ev = *statics_input_at(&ec, i);
        if (!(ev > 0.0)) continue;
        *statics_input_at(&y, i) += ev;
        statics_outputs p;
        statics_assemble(c, &y, &p);
        if (p.divergent || !isfinite(p.L)) {
            dl = dt = INFINITY;
            break;
        }
        dl += fabs(p.L - o->L);
        dt += fabs(p.train - o->train);
    }
    /* N and P themselves: sizes are counts, exact as whole numbers below 2^53; any other
       value (e.g. 99.999999999999986 from a log-spaced list) is known only to its last bit,
       so it is moved by one ulp (relative EPS) down and up, the larger move counted. Away
       from the pole this is negligible; near N = P the loss goes as 1/|N − P| and this is
       the dominant error, and where an ulp reaches or crosses the ridgeless pole the bound
       is inf (the loss passes through inf there; its value beyond can match by chance).
       Ridgeless with D₁ pinned to min(N, P), D₁ moves with it. */
    for (int j = 0; j < 4 && isfinite(dl); j += 2) {
        double worst_l = 0.0, worst_t = 0.0;
        for (int dir = -1; dir <= 1 && isfinite(dl); dir += 2) {
            statics_consts c2 = *c;
            statics_inputs y = *x;
            double *X = j ? &c2.P : &c2.N;
            if (isinf(*X) || (*X == floor(*X) && *X < 0x1p53)) continue;
            *X *= 1.0 + dir * EPS;
            if (c->pinned) y.D1 = fmin(c2.N, c2.P);
            statics_outputs p;
            statics_assemble(&c2, &y, &p);
            int crossed = c->z == 0.0 && (c2.N - c2.P) * (c->N - c->P) <= 0.0;
            if (crossed || p.divergent || !isfinite(p.L)) {
                dl = dt = INFINITY;
                break;
            }
            worst_l = fmax(worst_l, fabs(p.L - o->L));
            worst_t = fmax(worst_t, fabs(p.train - o->train));
        }
        dl += worst_l;
        dt += worst_t;
    }
    *L_err = dl + 8.0 * EPS * fabs(o->L);
    *train_err = dt + 8.0 * EPS * fabs(o->train);
}

static void set_nan(slt_statics_result *r)
{
    r->kappa = r->kappa_err = NAN;
    r->df1 = r->df1_err = r->df2 = r->df2_err = NAN;
    r->kt1 = r->kt1_err = r->k2t2 = r->k2t2_err = NAN;
    r->q = r->gamma = r->one_minus_gamma = r->signal = r->noise_part = NAN;
    r->test = r->test_err = r->train = r->train_err = NAN;
}

void statics_make_consts(const slt_statics_workspace *ws, const slt_statics_params *p, statics_consts *c)
{
    double n = fmin(p->N, p->P);
    c->N = p->N;
    c->P = p->P;
    c->z = p->ridge;
    c->noise = ws->noise;
    c->exhausted = (p->ridge == 0.0 && n >= ws->modes);
    c->pinned = (p->ridge == 0.0 && n < ws->modes);
}

/* u·v with the rounding of a subnormal product (absolute 2^-1074) added to its bound. */
void statics_scale_value(double u, double *v, double *err)
{
    *v *= u;
    if (err) {
        *err *= u;
        if (*v != 0.0 && fabs(*v) < DBL_MIN) *err += DBL_TRUE_MIN;
    }
}

int statics_scale_back(const slt_statics_workspace *ws, double ridge, slt_statics_result *r)
{
    const double al = ws->unit_lambda, u = ws->unit_loss;
    r->ridge = ridge;
    r->noise = ws->noise;
    statics_scale_value(al, &r->kappa, &r->kappa_err);
    statics_scale_value(u, &r->kt1, &r->kt1_err);
    statics_scale_value(u, &r->k2t2, &r->k2t2_err);
    statics_scale_value(u, &r->signal, NULL);
    statics_scale_value(u, &r->noise_part, NULL);
    statics_scale_value(u, &r->test, &r->test_err);
    statics_scale_value(u, &r->train, &r->train_err);
    /* the unit task's values are finite; times A_λ or the loss unit they can overflow */
    if (r->status == SLT_OK && (isinf(r->kappa) || isinf(r->kappa_err) || isinf(r->test) ||
                                isinf(r->test_err) || isinf(r->train) || isinf(r->train_err))) {
        r->status = slt_error(SLT_EDOM, "slt_statics_solve: at N = %.17g, P = %.17g, kappa or "
                              "the loss scaled back by the amplitudes (A_lambda = %.17g, loss "
                              "unit %.17g) is beyond double's range", r->N, r->P, al, u);
        set_nan(r);
    }
    return r->status;
}

int statics_unit_params(const slt_statics_workspace *ws, const slt_statics_params *p,
                        slt_statics_params *q)
{
    *q = *p;
    q->ridge = p->ridge / ws->unit_lambda;
    if (!isfinite(q->ridge))
        return slt_error(SLT_EDOM, "slt_statics_solve: ridge = %.17g over the eigenvalue "
                         "amplitude A_lambda = %.17g is beyond double's range", p->ridge,
                         ws->unit_lambda);
    return SLT_OK;
}

/* A power law with amplitudes other than 1 (struct slt_statics_workspace): the point of the unit
 * task at ridge z/A_λ, scaled back: κ = A_λ κ̃, κT₁, κ²T₂ and the losses times u. D₁, D₂,
 * q and γ are invariant. */
static int solve_scaled(const slt_statics_workspace *ws, const slt_statics_params *p,
                        slt_statics_result *r)
{
    slt_statics_params q;
    int rc = statics_unit_params(ws, p, &q);
    if (rc) {
        set_nan(r);
        return r->status = rc;
    }
    rc = slt_statics_solve(ws->unit, &q, r);
    int rs = statics_scale_back(ws, p->ridge, r);
    return r->status = rc ? rc : rs;
}

int slt_statics_solve(const slt_statics_workspace *ws, const slt_statics_params *p, slt_statics_result *r)
{
    if (!r) return slt_error(SLT_EINVAL, "slt_statics_solve: NULL result");
    set_nan(r);
    r->iterations = 0;
    r->root = SLT_STATICS_ROOT_FAILED;
    if (!ws) return r->status = slt_error(SLT_EINVAL, "slt_statics_solve: NULL workspace");
    int rc = slt_statics_params_check(p);
    if (rc) return r->status = rc;
    r->N = p->N;
    r->P = p->P;
    r->ridge = p->ridge;
    r->noise = ws->noise;
    if (ws->unit) return solve_scaled(ws, p, r);

    statics_consts c;
    statics_make_consts(ws, p, &c);
    const double n = fmin(p->N, p->P);
    double ds = 0.0; /* error of s = log κ */
    statics_inputs x = {0}, e = {0};
    if (c.exhausted || (isinf(n) && p->ridge == 0.0 && isinf(ws->modes))) {
        /* κ = 0: every mode with λ > 0 is learned; df = df₂ = M (or the N = P = ∞
           limit). A tail's null power (λ = 0) is never learned: κ/(λ+κ) = 1 there, so
           κT₁ = κ²T₂ = null_power (0 without a tail) */
        r->kappa = 0.0;
        r->kappa_err = 0.0;
        r->root = SLT_STATICS_ROOT_EXACT;
        const double M = ws->modes; /* ∞ only at N = P = ∞, where D enters as D/P = 0 */
        r->df1 = r->df2 = M;
        r->df1_err = r->df2_err = 0.0;
        r->kt1 = r->k2t2 = ws->null_power;
        r->kt1_err = r->k2t2_err = ws->null_power_err;
        e.K1 = e.K2 = ws->null_power_err;
        c.exhausted = 1;
        x = (statics_inputs){-INFINITY, isinf(M) ? 0.0 : M, isinf(M) ? 0.0 : M, ws->null_power,
                             ws->null_power};
    } else {
        slt_kappa_options ko = slt_kappa_options_default();
        ko.rel_tol = p->rel_tol;
        ko.max_iter = p->max_iter;
        slt_kappa_result kr;
        rc = slt_task_kappa(ws->task, p->N, p->P, p->ridge, &ko, &kr);
        r->iterations = kr.iterations;
        r->root = kr.root == SLT_KAPPA_EXACT      ? SLT_STATICS_ROOT_EXACT
                  : kr.root == SLT_KAPPA_CONVERGED ? SLT_STATICS_ROOT_CONVERGED
                  : kr.root == SLT_KAPPA_MAX_ITER  ? SLT_STATICS_ROOT_MAX_ITER
                                                   : SLT_STATICS_ROOT_FAILED;
        if (rc) {
            set_nan(r);
            return r->status = rc;
        }
        slt_sum d1 = kr.df, d2 = kr.df2, k1, k2, four[4];
        const double kappa = kr.kappa;
        /* κT₁ and κ²T₂ (df, df2 at the root come with κ): on levels from the fused pass;
           on a power law, whose four tails are separate, from the two sums alone */
        if (slt_task_get_kind(ws->task) == SLT_TASK_EXPLICIT) {
            rc = slt_sum_resolvent(ws->task, kappa, four);
            k1 = four[2];
            k2 = four[3];
        } else if (!(rc = slt_sum_kt1(ws->task, kappa, &k1))) {
            rc = slt_sum_k2t2(ws->task, kappa, &k2);
        }
        if (rc) {
            set_nan(r);
            r->root = SLT_STATICS_ROOT_FAILED;
            return r->status = rc;
        }
        const double D1 = d1.value, Delta = D1 - d2.value;
        ds = kr.log_err;
        r->kappa = kappa;
        r->kappa_err = kr.kappa_err;
        r->df1 = c.pinned ? n : D1;
        r->df1_err = c.pinned ? 0.0 : d1.err;
        r->df2 = d2.value;
        r->df2_err = d2.err;
        r->kt1 = k1.value;
        r->kt1_err = k1.err;
        r->k2t2 = k2.value;
        r->k2t2_err = k2.err;
        x = (statics_inputs){log(kappa), r->df1, r->df2, r->kt1, r->k2t2};
        /* effective errors: the sum's bound plus the move of the sum with s (|d/ds| of
           D₁ = D₁ − D₂, of D₂ <= 2D₂, of κT₁ = |κT₁ − κ²T₂|, of κ²T₂ <= 2κ²T₂) */
        e.s = ds;
        e.D1 = c.pinned ? 0.0 : d1.err + Delta * ds;
        e.D2 = d2.err + 2.0 * d2.value * ds;
        e.K1 = k1.err + fabs(k1.value - k2.value) * ds;
        e.K2 = k2.err + 2.0 * k2.value * ds;
    }
    statics_outputs o;
    statics_assemble(&c, &x, &o);
    r->q = o.q;
    r->gamma = o.gamma;
    r->one_minus_gamma = o.den;
    r->signal = o.signal;
    r->noise_part = o.noise_part;
    r->test = o.L;
    r->train = o.train;
    if (o.divergent) {
        r->test_err = 0.0;
        r->train_err = 0.0;
        return r->status = slt_error(SLT_EDIVERGE,
            "slt_statics_solve: the test loss diverges at N = %.17g, P = %.17g with ridge 0 "
            "(the double-descent pole: the %s; a ridge > 0 regularises it)", p->N, p->P,
            c.exhausted ? "P samples exactly equal the M modes and the labels are noisy"
                        : "model exactly interpolates with N = P");
    }
    statics_propagate(&c, &x, &e, &o, &r->test_err, &r->train_err);
    if (!(r->test_err <= SLT_STATICS_MAX_REL_ERR * r->test) && !(r->test_err == 0.0)) {
        /* a value known to less than SLT_STATICS_MAX_REL_ERR is not a value: near the pole
           the last bit of N or P moves it by that much (statics_propagate) */
        double L = r->test, err = r->test_err;
        set_nan(r);
        r->root = SLT_STATICS_ROOT_FAILED;
        return r->status = slt_error(SLT_ELOSS,
            "slt_statics_solve: the test loss at N = %.17g, P = %.17g, ridge = %.17g is %.3g "
            "known only to ±%.3g: within rounding of the double-descent pole N = P, where "
            "one ulp of N or P moves it by that much (give N = P exactly for the pole, a "
            "ridge > 0, or sizes further apart)", p->N, p->P, p->ridge, L, err);
    }
    return r->status = SLT_OK;
}

int slt_statics_curve(const slt_statics_workspace *ws, const slt_statics_params *p, size_t n,
                      const double *P_list, slt_statics_result *out)
{
    if (!ws || !p || (n && (!P_list || !out)))
        return slt_error(SLT_EINVAL, "slt_statics_curve: NULL argument");
    int first = SLT_OK;
    for (size_t i = 0; i < n; i++) {
        slt_statics_params q = *p;
        q.P = P_list[i];
        int rc = slt_statics_solve(ws, &q, &out[i]);
        if (rc && rc != SLT_EDIVERGE && !first) first = rc;
    }
    return first;
}
