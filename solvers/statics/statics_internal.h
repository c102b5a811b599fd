/* Shared between the files of solvers/statics/ only. */
#ifndef SLT_STATICS_INTERNAL_H
#define SLT_STATICS_INTERNAL_H

#include "slt/statics.h"
#include "slt/task.h"

struct slt_statics {
    const slt_task *task;
    double trace;  /* an upper bound on Σ_k λ_k, for the root bracket */
    double noise;  /* σ² */
    double modes;  /* M, or INFINITY */
    int is_law;
    slt_power_law_params law;
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

typedef struct {
    double uN, uP;  /* 1 − D₁/N, 1 − D₁/P (at the root) */
    double q, gamma, den, signal, noise_part, L, train;
    int divergent;
} statics_outputs;

void statics_make_consts(const slt_statics *ws, const slt_statics_params *p, statics_consts *c);
void statics_assemble(const statics_consts *c, const statics_inputs *x, statics_outputs *o);
/* First-order error of L and L̂: each input moved by its error e, one at a time. */
void statics_propagate(const statics_consts *c, const statics_inputs *x, const statics_inputs *e,
                       const statics_outputs *o, double *L_err, double *train_err);
/* 1 − D/X: exactly 1 for X = ∞ and exactly 0 for D = X. */
double statics_one_minus(double D, double X);

#endif
