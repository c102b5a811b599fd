/* Per-level output: the test loss of a level task split into its levels, the moment tail,
 * the null power and the label noise, each with an error bound (docs/theory/statics.md §4,
 * "per level").
 *
 * Every part is a function of the point's state (κ, q, γ, 1 − γ, L). The bounds move the
 * point's inputs (s = log κ, D₁, D₂, κT₁, κ²T₂, and N, P when they are not whole numbers)
 * by their effective errors, one at a time, through the same assembly as the test loss
 * (statics_assemble, statics_propagate), and sum the moves of the part. */
#include <float.h>
#include <math.h>

#include "slt/statics.h"
#include "slt/status.h"
#include "slt/task.h"
#include "statics_internal.h"

#define EPS DBL_EPSILON

typedef struct {
    double kappa, q, gamma, den, L;
} pt_state;

typedef struct {
    pt_state base;           /* the state reassembled from the result's inputs         */
    pt_state in[5];          /* one input moved by its effective error                 */
    int n_in;
    pt_state ulp[2][2];      /* N (0) or P (1) moved by one ulp down and up            */
    int n_ulp[2];
    int unbounded;           /* a move reached or crossed the pole: the bound is inf   */
    double ds;               /* bound on |log κ − log κ_exact|                          */
    double P, noise;         /* samples and σ² of the point                            */
} pt_moves;

static pt_state state_of(const statics_inputs *x, const statics_outputs *o)
{
    pt_state s = {isinf(x->s) ? 0.0 : exp(x->s), o->q, o->gamma, o->den, o->L};
    return s;
}

/* The moves of a solved point (mirrors slt_statics_solve and statics_propagate). */
static void make_moves(const slt_statics_result *r, pt_moves *mv)
{
    statics_consts c = {.N = r->N, .P = r->P, .z = r->ridge, .noise = r->noise};
    const double kappa = r->kappa;
    c.exhausted = kappa == 0.0;
    c.pinned = r->ridge == 0.0 && kappa > 0.0; /* ridgeless with min(N, P) < M */
    statics_inputs x, e = {0};
    double ds = 0.0;
    if (kappa > 0.0) {
        x = (statics_inputs){log(kappa), r->df1, r->df2, r->kt1, r->k2t2};
        ds = log1p(r->kappa_err / kappa);
        const double Delta = r->df1 - r->df2;
        e.s = ds;
        e.D1 = c.pinned ? 0.0 : r->df1_err + Delta * ds;
        e.D2 = r->df2_err + 2.0 * r->df2 * ds;
        e.K1 = r->kt1_err + fabs(r->kt1 - r->k2t2) * ds;
        e.K2 = r->k2t2_err + 2.0 * r->k2t2 * ds;
    } else {
        const double M = isinf(r->df1) ? 0.0 : r->df1; /* N = P = ∞: D enters as D/P = 0 */
        x = (statics_inputs){-INFINITY, M, M, 0.0, 0.0};
    }
    mv->ds = ds;
    mv->P = r->P;
    mv->noise = r->noise;
    mv->unbounded = 0;
    mv->n_in = 0;
    statics_outputs o;
    statics_assemble(&c, &x, &o);
    mv->base = state_of(&x, &o);
    for (int i = 0; i < 5; i++) {
        statics_inputs y = x, ec = e;
        const double ev = *statics_input_at(&ec, i);
        if (!(ev > 0.0)) continue;
        *statics_input_at(&y, i) += ev;
        statics_outputs p;
        statics_assemble(&c, &y, &p);
        if (p.divergent || !isfinite(p.L)) mv->unbounded = 1;
        mv->in[mv->n_in++] = state_of(&y, &p);
    }
    for (int j = 0; j < 2; j++) {
        mv->n_ulp[j] = 0;
        for (int dir = -1; dir <= 1; dir += 2) {
            statics_consts c2 = c;
            statics_inputs y = x;
            double *X = j ? &c2.P : &c2.N;
            if (isinf(*X) || (*X == floor(*X) && *X < 0x1p53)) continue;
            *X *= 1.0 + dir * EPS;
            if (c.pinned) y.D1 = fmin(c2.N, c2.P);
            statics_outputs p;
            statics_assemble(&c2, &y, &p);
            int crossed = c.z == 0.0 && (c2.N - c2.P) * (c.N - c.P) <= 0.0;
            if (crossed || p.divergent || !isfinite(p.L)) mv->unbounded = 1;
            mv->ulp[j][mv->n_ulp[j]++] = state_of(&y, &p);
        }
    }
}

typedef double (*part_fn)(const pt_state *s, const void *ctx);

/* First-order bound on a part: the sum of its moves (the larger of the two ulp moves of N
 * and of P), plus 8ε of its value. */
static double part_err(const pt_moves *mv, part_fn f, const void *ctx, double value)
{
    if (mv->unbounded) return INFINITY;
    const double f0 = f(&mv->base, ctx);
    double d = 0.0;
    for (int i = 0; i < mv->n_in; i++) d += fabs(f(&mv->in[i], ctx) - f0);
    for (int j = 0; j < 2; j++) {
        double worst = 0.0;
        for (int k = 0; k < mv->n_ulp[j]; k++) worst = fmax(worst, fabs(f(&mv->ulp[j][k], ctx) - f0));
        d += worst;
    }
    return d + 8.0 * EPS * fabs(value);
}

static pt_state state_of_result(const slt_statics_result *r)
{
    pt_state s = {r->kappa, r->q, r->gamma, r->one_minus_gamma, r->test};
    return s;
}

/* ---- a level ---------------------------------------------------------------------- */

typedef struct {
    double lambda, mult, power, P, noise;
} level_ctx;

static double level_learn(const pt_state *s, const void *vc)
{
    const level_ctx *c = vc;
    return c->lambda / (c->lambda + s->kappa);
}

/* P_i E(λ_i), E as in slt_statics_mode_error (0 at κ = 0: every mode fitted exactly) */
static double level_loss(const pt_state *s, const void *vc)
{
    const level_ctx *c = vc;
    if (s->kappa == 0.0) return 0.0;
    const double a = s->kappa / (c->lambda + s->kappa);
    return c->power * ((s->q * a * a + (1.0 - s->q) * a) / s->den);
}

static double level_residual(const pt_state *s, const void *vc)
{
    const level_ctx *c = vc;
    const double a = s->kappa / (c->lambda + s->kappa), learn = c->lambda / (c->lambda + s->kappa);
    const double var = isinf(c->P) ? 0.0 : c->mult * learn * learn * (s->L + c->noise) / c->P;
    return c->power * a * a + var;
}

static int check_solved(const char *where, const slt_statics_result *r)
{
    if (r->status != SLT_OK)
        return slt_error(SLT_EINVAL, "%s: the point was not solved (status: %s)", where,
                         slt_strerror(r->status));
    return SLT_OK;
}

int slt_statics_level_error(const slt_statics_result *r, double lambda, double mult,
                            double power, slt_statics_level *out)
{
    static const char *where = "slt_statics_level_error";
    if (!r || !out) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    int rc;
    if ((rc = check_solved(where, r))) return rc;
    if ((rc = slt_check_range(where, "lambda", lambda, 0.0, 1, INFINITY, 1)) ||
        (rc = slt_check_range(where, "mult", mult, 1.0, 0, SLT_LEVEL_MULT_MAX, 1)) ||
        (rc = slt_check_range(where, "power", power, 0.0, 0, INFINITY, 1)))
        return rc;
    if (mult != floor(mult))
        return slt_error(SLT_EINVAL, "%s: mult = %.17g is not a whole number (the level's "
                         "number of modes)", where, mult);
    pt_moves mv;
    make_moves(r, &mv);
    const level_ctx c = {lambda, mult, power, r->P, r->noise};
    const pt_state s = state_of_result(r);
    out->learnability = level_learn(&s, &c);
    out->learnability_err = part_err(&mv, level_learn, &c, out->learnability);
    out->loss = level_loss(&s, &c);
    out->loss_err = part_err(&mv, level_loss, &c, out->loss);
    if (isinf(r->N)) {
        out->residual = level_residual(&s, &c);
        out->residual_err = part_err(&mv, level_residual, &c, out->residual);
    } else {
        out->residual = out->residual_err = NAN;
    }
    return SLT_OK;
}

/* ---- the tail, the null power and the noise --------------------------------------- */

typedef struct {
    double K1, K2, null, noise, df2, P;
} rest_ctx;

static double tail_loss(const pt_state *s, const void *vc)
{
    const rest_ctx *c = vc;
    return (s->q * c->K2 + (1.0 - s->q) * c->K1) / s->den;
}

static double null_loss(const pt_state *s, const void *vc)
{
    const rest_ctx *c = vc;
    return c->null / s->den;
}

static double noise_loss(const pt_state *s, const void *vc)
{
    const rest_ctx *c = vc;
    return c->noise * s->gamma / s->den;
}

static double tail_residual(const pt_state *s, const void *vc)
{
    const rest_ctx *c = vc;
    return c->K2 + (isinf(c->P) ? 0.0 : c->df2 * (s->L + c->noise) / c->P);
}

int slt_statics_tail_error(const slt_statics_workspace *ws, const slt_statics_result *r,
                           slt_statics_tail_part *out)
{
    static const char *where = "slt_statics_tail_error";
    if (!ws || !r || !out) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    int rc;
    if ((rc = check_solved(where, r))) return rc;
    const slt_task *task = ws->task;
    if (slt_task_get_kind(task) == SLT_TASK_POWER_LAW)
        return slt_error(SLT_EDOM, "%s: a power law has no levels beyond its modes k = 1 ... inf "
                         "(use slt_statics_mode_error per mode)", where);
    if (!(r->noise == ws->noise))
        return slt_error(SLT_EINVAL, "%s: the point was solved with noise %.17g, the task has "
                         "%.17g (solve it on this workspace)", where, r->noise, ws->noise);
    slt_task_tail tl;
    const int has_tail = slt_task_modes(task) == SLT_MODES_INFINITE &&
                         slt_task_get_tail(task, &tl) == SLT_OK;
    pt_moves mv;
    make_moves(r, &mv);
    const pt_state s = state_of_result(r);
    const int krr = isinf(r->N);
    rest_ctx c = {0.0, 0.0, 0.0, r->noise, 0.0, r->P};

    /* the noise: the result's own noise part */
    out->noise = r->noise_part;
    out->noise_err = part_err(&mv, noise_loss, &c, out->noise);

    if (!has_tail) {
        out->lambda_sup = NAN;
        out->tail_power = out->tail_modes = 0.0;
        out->tail = out->tail_err = 0.0;
        out->tail_residual = krr ? 0.0 : NAN;
        out->tail_residual_err = krr ? 0.0 : NAN;
        out->null_power = out->null = out->null_err = 0.0;
        out->null_residual = krr ? 0.0 : NAN;
        return SLT_OK;
    }
    slt_sum k1, k2, d2;
    if (r->kappa > 0.0) {
        if ((rc = slt_task_tail_sum(task, SLT_SUM_KT1, r->kappa, &k1)) ||
            (rc = slt_task_tail_sum(task, SLT_SUM_K2T2, r->kappa, &k2)) ||
            (krr && (rc = slt_task_tail_sum(task, SLT_SUM_DF2, r->kappa, &d2))))
            return rc;
    } else {
        /* κ = 0 (ridgeless, min(N, P) >= M with finitely many tail modes): every tail mode
           with λ > 0 is fitted (a = 0, learnability 1, so df₂ = its number of modes); the
           null power stays (κT₁ = κ²T₂ = null_power) */
        k1 = k2 = (slt_sum){tl.null_power, tl.null_power_err, 0};
        d2 = (slt_sum){isinf(tl.modes) ? 0.0 : tl.modes, 0.0, 0};
    }
    /* the named sums count null_power in κT₁ and κ²T₂ (λ = 0: κ/(λ+κ) = 1); the tail's
       own modes (λ > 0) are the rest */
    const double np = tl.null_power, ds = mv.ds;
    c.K1 = fmax(k1.value - np, 0.0);
    c.K2 = fmax(k2.value - np, 0.0);
    c.null = np;
    const double eK1 = k1.err + 2.0 * EPS * k1.value + fabs(c.K1 - c.K2) * ds,
                 eK2 = k2.err + 2.0 * EPS * k2.value + 2.0 * c.K2 * ds;
    out->lambda_sup = tl.lambda_sup;
    out->tail_power = tl.tgt_mom[0];
    out->tail_modes = tl.modes;
    out->tail = tail_loss(&s, &c);
    out->tail_err = part_err(&mv, tail_loss, &c, out->tail) +
                    (fabs(s.q) * eK2 + fabs(1.0 - s.q) * eK1) / s.den;
    out->null_power = np;
    out->null = null_loss(&s, &c);
    out->null_err = part_err(&mv, null_loss, &c, out->null) + tl.null_power_err / s.den;
    if (krr) {
        c.df2 = d2.value;
        const double ed2 = d2.err + 2.0 * d2.value * ds;
        out->tail_residual = tail_residual(&s, &c);
        out->tail_residual_err = part_err(&mv, tail_residual, &c, out->tail_residual) + eK2 +
                                 (isinf(r->P) ? 0.0 : ed2 * (s.L + r->noise) / r->P);
        out->null_residual = np;
    } else {
        out->tail_residual = out->tail_residual_err = out->null_residual = NAN;
    }
    return SLT_OK;
}
