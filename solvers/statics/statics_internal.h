/* Shared between the files of solvers/statics/ only. */
#ifndef SLT_STATICS_INTERNAL_H
#define SLT_STATICS_INTERNAL_H

#include "slt/statics.h"
#include "slt/task.h"

struct slt_statics_workspace {
    const slt_task *task;
    double noise;  /* σ² */
    double modes;  /* M, or INFINITY */
    double null_power, null_power_err; /* a moment tail's target on λ = 0 (never learned), 0 */
    int is_law;
    slt_power_law_params law;
    /* Power laws with amplitudes other than 1: the same task with A_λ = 1 and targets and
       noise in the unit u = max(A_t, σ²) solves every point (ridge z/A_λ), and the results
       are scaled back (κ by A_λ, losses by u; statics.c), so that amplitudes near the ends
       of double's range neither underflow nor overflow in the mode sums. NULL otherwise. */
    struct slt_statics_workspace *unit;
    slt_task *unit_task;
    double unit_lambda, unit_loss; /* A_λ and u */
};

/* The constants of one point. */
typedef struct {
    double N, P, z, noise;
    int pinned;    /* ridgeless with min(N, P) < M: D₁ = min(N, P) exactly */
    int exhausted; /* κ = 0: ridgeless with min(N, P) >= M (D₁ = D₂ = M)   */
} statics_consts;

/* What the loss is assembled from: s = log κ and the four sums at κ. */
typedef struct {
    double s, D1, D2, K1, K2;
} statics_inputs;

/* Input i of x (0: s, 1: D₁, 2: D₂, 3: K₁, 4: K₂), named field by field: the struct's
 * members are not an array, so &x->s + i would be undefined behaviour. */
#define STATICS_N_INPUTS 5
static inline double *statics_input_at(statics_inputs *x, int i)
{
    switch (i) {
    case 0: return &x->s;
    case 1: return &x->D1;
    case 2: return &x->D2;
    case 3: return &x->K1;
    default: return &x->K2;
    }
}

typedef struct {
    double uN, uP;  /* 1 − D₁/N, 1 − D₁/P (at the root) */
    double q, gamma, den, signal, noise_part, L, train;
    int divergent;
} statics_outputs;

void statics_make_consts(const slt_statics_workspace *ws, const slt_statics_params *p, statics_consts *c);
void statics_assemble(const statics_consts *c, const statics_inputs *x, statics_outputs *o);
/* First-order error of L and L̂: each input moved by its error e, one at a time. */
void statics_propagate(const statics_consts *c, const statics_inputs *x, const statics_inputs *e,
                       const statics_outputs *o, double *L_err, double *train_err);
/* 1 − D/X: exactly 1 for X = ∞ and exactly 0 for D = X. */
double statics_one_minus(double D, double X);

/* Amplitudes other than 1 (ws->unit): the unit task's parameters (ridge z/A_λ; SLT_EDOM if
 * that overflows), and a unit result scaled back to the task's units at ridge z. */
int statics_unit_params(const slt_statics_workspace *ws, const slt_statics_params *p,
                        slt_statics_params *q);
int statics_scale_back(const slt_statics_workspace *ws, double ridge, slt_statics_result *r);
/* v *= u and err *= u, plus the rounding of a subnormal product (2^-1074) in err (if not NULL). */
void statics_scale_value(double u, double *v, double *err);

#endif
