/* Private to solvers/dmft. */
#ifndef SLT_DMFT_INTERNAL_H
#define SLT_DMFT_INTERNAL_H

#include <complex.h>

#include "slt/dmft.h"
#include "slt/task.h"

/* Everything the loss assembly needs at one contour node. */
typedef struct {
    double complex w;            /* the inversion variable: L(t) = Re Σ c F, c ∝ e^{wt} */
    double complex z, kappa, c;  /* the resolvent variable z(w) (= w for gradient flow;
                                    (e^{ηw} − 1)/η for GD with step η), κ(z), weight;
                                    c = 0 marks a node left out of the sums */
    double complex dc;           /* d c/dt: the weight of the time derivative */
    double outer;                /* how often the node counts in the outer loop of the 2-D
                                    sum: 1 on the real axis, 2 in the upper half plane,
                                    0 for the mirrored lower half (Re f(z̄,z̄′) = Re f(z,z′)) */
    double complex r1, r3;       /* 1 − df/P, 1 − df/N */
    double complex df, df2, kt1, k2t2;
    double err;                  /* relative error bound carried by the sums */
    int newton;                  /* iterations used */
} dmft_node;

typedef struct dmft_dynamics dmft_dynamics;

struct slt_dmft_workspace {
    const slt_task *task;
    slt_dmft_params p;
    const dmft_dynamics *dyn;    /* the dynamics, chosen once from p (dmft_dynamics_select) */
    double inv_N, inv_P;         /* 1/N, 1/P (0 for ∞) */
    double eta;                  /* GD step (0: gradient flow) */
    double trace;                /* Σ λ_k */
    double target_total;         /* Σ t_k = L(0) */
    double target_total_err;     /* its bound (slt_sum_target)                       */
    int has_tail;                /* the task has a moment tail (slt_task_alloc_levels_tail) */
    double tail_sup;             /* its λ_sup (0 without a tail) */
    double kappa_star;           /* κ_* (−1 until computed) */
    double u_max;                /* right edge of the spectrum of K (−1 until computed) */
    int nodes;                   /* the larger node count M of the two used */
    /* per contour: 2M − 1 nodes (negative θ are conjugates, stored for simplicity) */
    dmft_node *node, *node_lo;   /* M and the cheaper M_lo (error estimate) */
    /* warm starts: the last contour solved in each slot (M or M_lo nodes, at t or 2t),
     * so the next time's Newton starts next to its answer */
    dmft_node *warm;             /* DMFT_WARM_SLOTS × nodes */
    double warm_time[4];         /* time of each slot's contour, 0 when empty */
    double momentum;             /* the dynamics' momentum constant: heavy-ball μ (flow), β
                                    (discrete heavy ball); 0 for the others */
    double talbot_cut;           /* Talbot nodes with Re w below this are left out (−∞: none);
                                    set per point for underdamped momentum */
    /* online SGD (batch > 0): the last contour of each node count, for warm starts */
    double complex *sgd_warm;    /* 2 slots × nodes × {w, κ(z₊), κ(z₋), Φ′(κ(z₊)), Φ′(κ(z₋))} */
    double sgd_warm_time[2];
    double sgd_gain, sgd_gain_err; /* γ and its error (NaN until computed) */
    /* the batch noise the online-SGD solver (sgd.c) uses, fixed at alloc: p->batch and
     * p->sgd_form for online SGD; B = ∞ (SIZE_MAX) and c₂ = 1 (LIMIT) for full-batch GD,
     * which routes through that solver (dyn_gd.c) without touching p */
    size_t sgd_batch;
    slt_dmft_sgd_form sgd_form;
    int no_late;                 /* set while solving the late route's anchor time */
    int grid;                    /* dense runs of steps may share contours (grid.c; default 1) */
    /* scratch sized in slt_dmft_alloc (a solve never allocates); NULL where the dynamics
     * never needs it */
    void *pair_g;                /* two_frequency's per-node sums: pair_g_cap nodes */
    int pair_g_cap;
    dmft_node *ell_node;         /* the ellipse's nodes (DMFT_ELLIPSE_MAX) ... */
    double complex *ell_mode;    /* ... and its Jacobian, φ, φ′ per upper-half node */
    dmft_node *sgd_circle;       /* sgd.c: the few-step circle's upper-half nodes */
    double *sgd_table;           /* sgd.c: the few-step Volterra table (8 rows) */
    void *sgd_hi, *sgd_lo;       /* sgd.c: the two half contours (sgd_node[nodes]) */
    /* solve.c: a dense band on the general path (docs/theory/dmft.md §17): the 2-D pair
     * values of its two contours, their nodes and the two 1-D contours; NULL: no bands */
    void *band_pair;
    dmft_node *band_node, *band_scratch;
};

/* kappa.c */
/* e^x − 1 without cancellation at small |x| */
double complex dmft_cexpm1(double complex x);
/* log(1 + δ) without forming 1 + δ (ellipse.c) */
double complex dmft_clog1p(double complex delta);
int dmft_kappa_real(slt_dmft_workspace *w, double z, double *kappa);
int dmft_newton(slt_dmft_workspace *w, double complex z, double complex *kappa, dmft_node *nd);
int dmft_kappa_star(slt_dmft_workspace *w, double *ks);
/* The top of the task's spectrum: max(λ_1, λ_sup of a moment tail); *tail: the task has a
 * tail, and its λ_sup in *lambda_sup (0 without; lambda_sup may be NULL). */
double dmft_spectrum_top(const slt_task *task, int *tail, double *lambda_sup);
/* A point of a task with a tail whose test-loss bound exceeds this fraction of the loss
 * fails (SLT_ELOSS naming λ_sup·t): the tail beyond the listed levels is not resolved. */
#define DMFT_TAIL_REL_MAX 1e-2
/* u_max = −max_{κ < −λ_1} κ(1 − df/N)(1 − df/P), the edge of the spectrum of K. */
int dmft_spectrum_edge(slt_dmft_workspace *w, double *u_max);
/* the top of the spectrum of the population feature covariance H (the edge at P = ∞, same N) */
int dmft_population_edge(slt_dmft_workspace *w, double *u_H);
/* u_min: the bottom of the nonzero spectrum of K (the slowest decaying mode), the first
 * maximum of −κ(1 − df/N)(1 − df/P) below κ_*; 0 when there is no gap to 0 (N = P) or no
 * zero modes (κ_* = 0) */
int dmft_spectrum_gap(slt_dmft_workspace *w, double *u_min);
/* The circle |z − c0| = R around the spectrum with Nc nodes (upper half: Nc/2, off the real axis),
 * weights for (1 + ηz)^n; for few GD steps, where the mapped Talbot contour cannot be used. */
int dmft_circle(slt_dmft_workspace *w, int Nc, double n_steps, dmft_node *node);
/* ellipse.c: the Bernstein ellipse around the whole spectrum, for any mode function */
#define DMFT_ELLIPSE_GROWTH 1.5 /* |φ_t| <= e^G on the ellipse: rounding grows by <= e^{2G} */
#define DMFT_ELLIPSE_MIN 48
#define DMFT_ELLIPSE_MAX 8192
/* φ_t(u) of the workspace's dynamics (steps = t/η for GD) and dφ/dt (NaN for GD) */
void dmft_mode(const slt_dmft_workspace *w, double t, double steps, double complex u,
               double complex *phi, double complex *dphi);
/* the ratio R of the ellipse and its node count K for time t */
int dmft_ellipse_size(slt_dmft_workspace *w, double t, double steps, double *R, int *K);
/* the K/2 upper-half nodes with κ and the sums; c holds the Jacobian weight (the mode
 * function is the caller's), outer = 2 */
int dmft_ellipse(slt_dmft_workspace *w, int K, double R, dmft_node *node);
/* Newton from κ(z(w_from)) to κ(z(w_to)) along the straight segment in the inversion
 * variable w, mapped to the resolvent variable by map (steps sub-steps, halved on failure):
 * the mapped path avoids the spectrum whenever the w-segment avoids its preimage. */
typedef double complex (*dmft_map_fn)(const slt_dmft_workspace *w, double complex x, void *ctx);
int dmft_walk_mapped(slt_dmft_workspace *w, dmft_map_fn map, void *ctx, double complex x_from,
                     double complex x_to, double complex *kappa, int steps, dmft_node *nd);
/* κ at a real z < −u_max (left of the spectrum): along the upper half circle |z| = const
 * from the positive real axis. */
int dmft_kappa_left(slt_dmft_workspace *w, double z, double complex *kappa, dmft_node *nd);
/* Fills κ and the sums at the M Talbot nodes θ_j = jπ/M, j = 0..M−1, for time t. */
#define DMFT_WARM_SLOTS 4
int dmft_contour(slt_dmft_workspace *w, int M, double t, dmft_node *node, int slot);

/* sgd.c: online SGD (batch > 0), all times */
typedef struct {
    double complex x, c;    /* Talbot node (inversion variable) and weight for time t */
    double complex kp, km;  /* κ(z₊), κ(z₋) */
    double complex dp, dm;  /* dz/dκ = Φ′(κ) there: the first-order predictor of the next κ */
    double complex F;
    double errF;
} sgd_node;
typedef struct {
    double value, dvalue, abs; /* L(t), dL/dt, the rounding the contour amplifies */
} sgd_sum;
/* grid.c: dense grids of steps (docs/theory/dmft.md §17). A run of requested times, in
 * nondecreasing order, that fall in [t, DMFT_GRID_RATIO·t] shares one pair of contours
 * designed for its first time t when it has at least DMFT_GRID_MIN points. */
#define DMFT_GRID_RATIO 1.1
#define DMFT_GRID_MIN 16
/* a band's point whose relative error estimate exceeds this many times the estimate at
 * the band's first time (or 1e-10) is solved with its own contours instead */
#define DMFT_GRID_GROWTH 8.0
/* the most nodes a 2-D contour of a band has (2·nodes − 1 <= 63) */
#define DMFT_BAND_MAXN 64
/* the number of times from times[i] on (steps = round(t/η) >= n_switch, finite,
 * or, with eta = 0, times t > 0 within DMFT_GRID_RATIO·times[i];
 * nondecreasing, at most DMFT_GRID_RATIO times the first) that one band can take */
size_t dmft_grid_band(const double *times, size_t i, size_t n, double eta, double n_switch);
/* whether the times hold a run that dmft_grid_band takes (w->grid set, step η) */
int dmft_grid_dense(const slt_dmft_workspace *w, const double *times, size_t n);
/* the inversion of a half contour solved for time t0 at the time t0 + dt (dt >= 0): the
 * weights become c·e^{x·dt} */
void dmft_grid_invert(const sgd_node *nd, int M, double dt, sgd_sum *o);
int dmft_sgd_solve(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out);
/* the scratch dmft_sgd_solve needs, allocated into w (SLT_ENOMEM: message set) */
int dmft_sgd_scratch(slt_dmft_workspace *w);
int dmft_sgd_gain(slt_dmft_workspace *w, double *gain, double *gain_err);
/* the first step the SGD solver inverts on the Talbot contour (η·r <= 1); fewer: the circle */
int dmft_sgd_switch(const slt_dmft_workspace *w);

/* ---- Dynamics: one type per training dynamics (dyn_*.c) --------------------------------
 * The lazy DMFT solves every dynamics the same way: the loss is a sum over the spectrum of
 * K of the mode function φ_t(u), inverted from the resolvent of the flow by a contour. A
 * dynamics is what changes: φ_t itself, the map from the inversion variable w to the
 * resolvent variable z (the Laplace map) and the weight factor it brings, when it is stable,
 * which contour resolves a time, which part of the spectrum's preimage the contour leaves
 * out and what that costs. dmft_dynamics_select picks the type once from the parameters;
 * the solver calls through it and never re-tests eta, momentum or batch. To add one: a new
 * dyn_<name>.c defining a const dmft_dynamics, and its line in dynamics.c. */

/* What a dynamics decides once per solve, before the times (stability, contour plan). */
typedef struct {
    int rc;             /* SLT_OK, or the stability error every t > 0 then fails with */
    double osc_q;       /* > 0: modes ringing with |.| = q per step, left out of the
                           Talbot contour (cost 4q^n); 0: none */
    double osc_steps;   /* the ellipse until q^n < e^{-37}: n < osc_steps */
    double a;           /* preimages at Re w <= −a are left out of the Talbot contour */
    double t_ellipse;   /* the ellipse before this time (because of the cut) */
    int cut;            /* the cut at −0.9a applies */
    double talbot_cut;  /* Talbot nodes with Re w below this are left out (−∞: none) */
} dmft_plan;

struct dmft_dynamics {
    const char *name;
    int discrete;       /* steps of η: times round to whole steps, no d/dt on the ellipse */
    int one_d;          /* the 1-D sums at time 2t are the square of the mode function (not
                           for an oscillator), and the late route and the t = ∞ forms apply */
    int sgd_warm;       /* the workspace keeps the online-SGD warm starts */
    const char *ellipse_hint; /* why the ellipse may grow too large (its ENOCONV message) */
    /* cross-field rules of this dynamics' parameters (w: the caller's name; *rule: the
     * rule that failed); NULL: none */
    int (*check)(const slt_dmft_params *p, const char *w, slt_dmft_rule *rule);
    /* the whole solve, or a route for some parameters: sets *done when it answered;
     * NULL: the contour solver */
    int (*solve)(slt_dmft_workspace *w, const double *times, size_t n, slt_dmft_point *out,
                 int *done);
    /* the mode function φ_t(u) (steps = t/η when discrete) and dφ/dt (NaN if discrete) */
    void (*mode)(const slt_dmft_workspace *w, double t, double steps, double complex u,
                 double complex *phi, double complex *dphi);
    /* log|φ_t(u)| without overflow */
    double (*log_mode)(const slt_dmft_workspace *w, double t, double steps, double complex u);
    /* the Laplace map at a Talbot node: sets nd->z from nd->w, multiplies nd->c by the
     * weight factor the change of variable brings */
    void (*laplace)(const slt_dmft_workspace *w, dmft_node *nd);
    /* Newton walks between Talbot nodes in w through this map (NULL: straight in z) */
    dmft_map_fn walk_map;
    /* stability edge and contour plan, once per solve (NULL: stable, Talbot throughout) */
    void (*plan)(slt_dmft_workspace *w, dmft_plan *pl);
    /* the ellipse at this time (finite t > 0, contour = auto)? M2: the 2-D node count */
    int (*use_ellipse)(const slt_dmft_workspace *w, const dmft_plan *pl, double t,
                       double steps, int M2);
    /* the bound on what the Talbot contour leaves out, relative to L(0) + σ² */
    double (*drop)(const dmft_plan *pl, double t, double steps);
    /* online SGD's noise gain (NULL: not a stochastic dynamics) */
    int (*gain)(slt_dmft_workspace *w, double *gain, double *gain_err);
};

/* The dynamics the parameters describe (dynamics.c, the registry: one line per dynamics). */
const dmft_dynamics *dmft_dynamics_select(const slt_dmft_params *p);

#endif
