/* The rich DMFT at N = P = B = ∞ in continuous time (docs/theory/featlearn.md §3–§5):
 * the exact (v, q, K) mode equations and the isotropic two-state reduction, both
 * integrated with SUNDIALS CVODE (BDF), and the width floor at t = ∞.
 *
 * SUNDIALS 6.x API (Debian 12 ships 6.4.1): SUNContext_Create(NULL, &ctx), N_VNew_Serial,
 * CVodeCreate(CV_BDF, ctx); ode: SUNLinSol_SPGMR + CVodeSetPreconditioner (the v–v block of
 * the Newton matrix); isotropic: SUNDenseMatrix + SUNLinSol_Dense (all in libsundials_cvode);
 * CVodeSetErrHandlerFn with a handler that keeps the message instead of printing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunmatrix/sunmatrix_dense.h>

#include "march.h"
#include "nodes.h"
#include "slt/featlearn.h"
#include "slt/status.h"

struct slt_featlearn_workspace {
    const slt_task *task;
    slt_featlearn_params p;
    size_t M;         /* ode: modes */
    double *lambda;   /* ode: λ_k */
    double *wstar;    /* ode: w*_k = √(t_k/λ_k) (signs are irrelevant: mode reflections) */
    double *g, *h, *Kg; /* ode scratch */
    double L0, L0_err; /* Σ t_k */
    double trace;      /* ode: Σ λ_k (scale of the stiff rates) */
    double *B;         /* ode: the preconditioner's LU (M × M) */
    size_t *piv;       /* ode: its pivots */
    fl_nodes nd;       /* march: the spectral nodes (exact), unless mquad */
    /* march on a spectrum quadrature (mquad = 1): mq[0] coarse, mq[1] fine (§9.9) */
    int mquad;
    fl_nodes mq[2];
    /* ode on a spectrum quadrature (nodes.h): set 0 coarse, set 1 fine; M, lambda, wstar
     * above point at the active set (quad_use) */
    int quad;
    size_t qM[2];
    double *qlam[2], *qws[2];
    double qtailP[2];  /* power of the lumped tail node (the last), 0 if none */
};

/* Resolutions of the spectrum quadrature (docs/theory/featlearn.md, "spectrum
 * quadrature"): (head, nodes per decade of k) of the coarse and the fine set. */
#define FL_QUAD_HEAD 16
#define FL_QUAD_PER_DECADE 6
/* largest relative coarse–fine disagreement accepted as a quadrature error estimate */
#define FL_QUAD_MAX_REL 1e-2

static void quad_use(slt_featlearn_workspace *w, int set)
{
    w->M = w->qM[set];
    w->lambda = w->qlam[set];
    w->wstar = w->qws[set];
}

/* ---- CVODE glue ---------------------------------------------------------------- */

typedef struct {
    slt_featlearn_workspace *w;
    int sum_status; /* first failing mode-sum status inside the RHS */
    char cv_msg[256];
} rhs_ctx;

static void silent_handler(int code, const char *module, const char *function, char *msg,
                           void *data)
{
    rhs_ctx *c = data;
    if (c && code < 0)
        snprintf(c->cv_msg, sizeof c->cv_msg, "%s/%s: %s", module ? module : "?",
                 function ? function : "?", msg ? msg : "");
}

/* packed upper triangle of the symmetric M×M K: index of (i, j), i <= j */
static inline size_t kidx(size_t M, size_t i, size_t j)
{
    return i * M - i * (i + 1) / 2 + j;
}

/* state: v[0..M-1], q, K packed (M(M+1)/2) */
static int rhs_ode(sunrealtype t, N_Vector y, N_Vector ydot, void *data)
{
    (void)t;
    rhs_ctx *c = data;
    slt_featlearn_workspace *w = c->w;
    size_t M = w->M;
    const double *Y = N_VGetArrayPointer(y);
    double *D = N_VGetArrayPointer(ydot);
    const double *v = Y, *K = Y + M + 1;
    double q = Y[M], gam = w->p.gamma;
    double hg = 0;
    for (size_t k = 0; k < M; k++) {
        w->g[k] = w->lambda[k] * v[k];
        w->h[k] = w->wstar[k] - v[k];
        hg += w->h[k] * w->g[k];
    }
    for (size_t i = 0; i < M; i++) {
        double s = 0;
        for (size_t j = 0; j < M; j++)
            s += K[i <= j ? kidx(M, i, j) : kidx(M, j, i)] * w->g[j];
        D[i] = -(s + gam * q * w->g[i]);
    }
    D[M] = 2 * hg;
    double *dK = D + M + 1;
    for (size_t i = 0; i < M; i++)
        for (size_t j = i; j < M; j++)
            dK[kidx(M, i, j)] = gam * (w->g[i] * w->h[j] + w->h[i] * w->g[j]);
    return 0;
}

static int rhs_iso(sunrealtype t, N_Vector y, N_Vector ydot, void *data)
{
    (void)t;
    rhs_ctx *c = data;
    slt_featlearn_workspace *w = c->w;
    const double *Y = N_VGetArrayPointer(y);
    double *D = N_VGetArrayPointer(ydot);
    double tau = Y[0], q = Y[1];
    if (!(tau >= 0)) tau = 0;
    /* F(τ) = Σ t e^{−λτ}(1 − e^{−λτ}) = decay(τ/2) − decay(τ) */
    slt_sum a, b;
    int rc = slt_sum_decay(w->task, tau / 2, &a);
    if (!rc) rc = slt_sum_decay(w->task, tau, &b);
    if (rc) {
        if (!c->sum_status) c->sum_status = rc;
        return -1;
    }
    D[0] = 1 + w->p.gamma * q;
    D[1] = 2 * (a.value - b.value);
    return 0;
}

/* Block preconditioner for the Newton systems of the (v, q, K) equations: the exact v–v
 * block of I − γ_h J, B = I + γ_h (K + γq) Λ, factored by LU with partial pivoting
 * (O(M³) per set-up, M <= 200); the q and K components are left as they are. */
static int prec_setup(sunrealtype t, N_Vector y, N_Vector fy, sunbooleantype jok,
                      sunbooleantype *jcur, sunrealtype gh, void *data)
{
    (void)t, (void)fy, (void)jok;
    rhs_ctx *c = data;
    slt_featlearn_workspace *w = c->w;
    size_t M = w->M;
    const double *Y = N_VGetArrayPointer(y), *K = Y + M + 1;
    double q = Y[M], *B = w->B;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < M; j++)
            B[i * M + j] = (i == j) + gh * ((i <= j ? K[kidx(M, i, j)] : K[kidx(M, j, i)]) +
                                            (i == j ? w->p.gamma * q : 0)) * w->lambda[j];
    for (size_t k = 0; k < M; k++) {
        size_t p = k;
        for (size_t i = k + 1; i < M; i++)
            if (fabs(B[i * M + k]) > fabs(B[p * M + k])) p = i;
        w->piv[k] = p;
        if (B[p * M + k] == 0) return 1; /* recoverable: CVODE retries with a smaller step */
        if (p != k)
            for (size_t j = 0; j < M; j++) {
                double s = B[k * M + j];
                B[k * M + j] = B[p * M + j];
                B[p * M + j] = s;
            }
        for (size_t i = k + 1; i < M; i++) {
            double f = B[i * M + k] /= B[k * M + k];
            for (size_t j = k + 1; j < M; j++) B[i * M + j] -= f * B[k * M + j];
        }
    }
    *jcur = SUNTRUE;
    return 0;
}

static int prec_solve(sunrealtype t, N_Vector y, N_Vector fy, N_Vector r, N_Vector z,
                      sunrealtype gh, sunrealtype delta, int lr, void *data)
{
    (void)t, (void)y, (void)fy, (void)gh, (void)delta, (void)lr;
    rhs_ctx *c = data;
    slt_featlearn_workspace *w = c->w;
    size_t M = w->M;
    N_VScale(1.0, r, z);
    double *Z = N_VGetArrayPointer(z);
    const double *B = w->B;
    for (size_t k = 0; k < M; k++)
        if (w->piv[k] != k) {
            double s = Z[k];
            Z[k] = Z[w->piv[k]];
            Z[w->piv[k]] = s;
        }
    for (size_t i = 1; i < M; i++)
        for (size_t j = 0; j < i; j++) Z[i] -= B[i * M + j] * Z[j];
    for (size_t i = M; i-- > 0;) {
        for (size_t j = i + 1; j < M; j++) Z[i] -= B[i * M + j] * Z[j];
        Z[i] /= B[i * M + i];
    }
    return 0;
}

/* one integration over the (finite, nondecreasing) times; states at each time into out
 * (ns doubles per time). Returns SLT_OK or a failure with the message set; *done = the
 * number of times reached. */
static int integrate(slt_featlearn_workspace *w, int iso, double rtol, const double *times,
                     size_t n, double *out, size_t *done)
{
    size_t M = w->M, ns = iso ? 2 : M + 1 + M * (M + 1) / 2;
    *done = 0;
    SUNContext ctx = NULL;
    N_Vector y = NULL, atol = NULL;
    SUNMatrix A = NULL;
    SUNLinearSolver LS = NULL;
    void *mem = NULL;
    rhs_ctx c = {.w = w};
    int rc = SLT_OK, flag;
    if (SUNContext_Create(NULL, &ctx)) return slt_error(SLT_ENOMEM, "featlearn: SUNContext_Create failed");
    y = N_VNew_Serial((sunindextype)ns, ctx);
    atol = N_VNew_Serial((sunindextype)ns, ctx);
    if (iso) {
        A = y ? SUNDenseMatrix((sunindextype)ns, (sunindextype)ns, ctx) : NULL;
        LS = A ? SUNLinSol_Dense(y, A, ctx) : NULL;
    } else {
        LS = y ? SUNLinSol_SPGMR(y, SUN_PREC_LEFT, 0, ctx) : NULL;
    }
    mem = CVodeCreate(CV_BDF, ctx);
    if (!y || !atol || (iso && !A) || !LS || !mem) {
        rc = slt_error(SLT_ENOMEM, "featlearn: cannot allocate the CVODE solver (%zu states)", ns);
        goto done;
    }
    double *Y = N_VGetArrayPointer(y), *AT = N_VGetArrayPointer(atol);
    memset(Y, 0, ns * sizeof *Y);
    /* absolute tolerances: a small fraction of each state's scale */
    double aq = rtol * 1e-6 * (w->L0 > 0 ? w->L0 : 1);
    if (iso) {
        AT[0] = rtol * 1e-6;
        AT[1] = aq;
    } else {
        double wn = 0;
        for (size_t k = 0; k < M; k++) {
            Y[k] = w->wstar[k];
            AT[k] = rtol * 1e-6 * fabs(w->wstar[k]) + 1e-300;
            wn += w->wstar[k] * w->wstar[k];
        }
        AT[M] = rtol * 1e-6 * (wn > 0 ? wn : 1);
        for (size_t i = 0; i < M; i++)
            for (size_t j = i; j < M; j++) {
                Y[M + 1 + kidx(M, i, j)] = i == j;
                AT[M + 1 + kidx(M, i, j)] = rtol * 1e-6;
            }
    }
    if ((flag = CVodeSetErrHandlerFn(mem, silent_handler, &c)) ||
        (flag = CVodeInit(mem, iso ? rhs_iso : rhs_ode, 0.0, y)) ||
        (flag = CVodeSetUserData(mem, &c)) ||
        (flag = CVodeSVtolerances(mem, rtol, atol)) ||
        (flag = CVodeSetLinearSolver(mem, LS, A)) ||
        (flag = iso ? 0 : CVodeSetPreconditioner(mem, prec_setup, prec_solve)) ||
        (flag = CVodeSetMaxNumSteps(mem, w->p.max_steps)) ||
        (flag = CVodeSetMaxErrTestFails(mem, 20)) ||
        (flag = CVodeSetMaxConvFails(mem, 50))) {
        rc = slt_error(SLT_EINTERNAL, "featlearn: CVODE set-up failed (flag %d) %s", flag, c.cv_msg);
        goto done;
    }
    double tcur = 0;
    for (size_t i = 0; i < n; i++) {
        if (times[i] > tcur) {
            flag = CVode(mem, times[i], y, &tcur, CV_NORMAL);
            if (flag < 0) {
                if (c.sum_status)
                    rc = slt_error(c.sum_status, "featlearn: a mode sum failed in the isotropic "
                                   "equations near t = %.6g (%s)", tcur, slt_last_error());
                else
                    rc = slt_error(SLT_ENOCONV, "featlearn: CVODE stopped at t = %.6g before "
                                   "t = %.6g (flag %d: %s; rel_tol = %g, max_steps = %ld)",
                                   tcur, times[i], flag, c.cv_msg, rtol, w->p.max_steps);
                goto done;
            }
        }
        memcpy(out + i * ns, Y, ns * sizeof *Y);
        *done = i + 1;
    }
done:
    CVodeFree(&mem);
    if (LS) SUNLinSolFree(LS);
    if (A) SUNMatDestroy(A);
    if (y) N_VDestroy(y);
    if (atol) N_VDestroy(atol);
    SUNContext_Free(&ctx);
    return rc;
}

/* ---- observables ---------------------------------------------------------------- */

typedef struct {
    double L, dL, q, tau;
    int ok;
} obs;

static double dlam_decay(double lambda, double target, void *ctx)
{
    double tau = *(const double *)ctx;
    return -2 * lambda * target * exp(-2 * lambda * tau);
}

static obs observe(slt_featlearn_workspace *w, int iso, const double *Y, double *err_extra)
{
    obs o = {NAN, NAN, NAN, NAN, 1};
    *err_extra = 0;
    if (iso) {
        double tau = Y[0], q = Y[1];
        slt_sum s, d;
        if (slt_sum_decay(w->task, tau, &s)) {
            o.ok = 0;
            return o;
        }
        o.L = s.value;
        *err_extra = s.err;
        o.q = q;
        o.tau = tau;
        if (!slt_task_sum(w->task, dlam_decay, &tau, NULL, &d))
            o.dL = d.value * (1 + w->p.gamma * q);
        return o;
    }
    size_t M = w->M;
    double L = 0, dL = 0, q = Y[M], gam = w->p.gamma;
    const double *v = Y, *K = Y + M + 1;
    for (size_t i = 0; i < M; i++) {
        double s = 0;
        for (size_t j = 0; j < M; j++)
            s += K[i <= j ? kidx(M, i, j) : kidx(M, j, i)] * w->lambda[j] * v[j];
        double dv = -(s + gam * q * w->lambda[i] * v[i]);
        L += w->lambda[i] * v[i] * v[i];
        dL += 2 * w->lambda[i] * v[i] * dv;
    }
    o.L = L;
    o.dL = dL;
    o.q = q;
    *err_extra = 1e-15 * (double)M * L;
    return o;
}

/* ---- public ---------------------------------------------------------------------- */

int slt_featlearn_width_floor(const slt_task *task, double N, double *floor_, double *err)
{
    if (!task || !floor_ || !err) return slt_error(SLT_EINVAL, "slt_featlearn_width_floor: NULL argument");
    if (!(N >= 1)) return slt_error(SLT_EINVAL, "slt_featlearn_width_floor: N = %g is out of range (expected N >= 1)", N);
    *floor_ = *err = NAN;
    if (isinf(N)) {
        *floor_ = 0;
        *err = 0;
        return SLT_OK;
    }
    slt_kappa_result kr;
    int rc = slt_task_kappa_star(task, N, NULL, &kr);
    if (rc) return rc;
    if (kr.kappa == 0) {
        *floor_ = 0;
        *err = 0;
        return SLT_OK;
    }
    slt_sum s[4];
    if ((rc = slt_sum_resolvent(task, kr.kappa, s))) return rc;
    /* d(κT₁)/dκ = Σ t λ/(λ+κ)² = (kt1 − k2t2)/κ >= 0 */
    double deriv = (s[2].value - s[3].value) / kr.kappa;
    *floor_ = s[2].value;
    *err = s[2].err + fabs(deriv) * kr.kappa_err;
    return SLT_OK;
}

/* Nodes of method march (docs/theory/featlearn.md §9.9). Exact nodes when the task is a
 * finite list of K_exact distinct eigenvalues with K_exact <= K_coarse + K_fine (the two
 * quadrature marchings would cost as much: time and memory are linear in the nodes) and
 * K_exact <= max_nodes; otherwise (M = inf, or more eigenvalues) the two quadrature sets of
 * the ode, coarse (16, 6 per decade) and fine (32, 12), each of at most max_nodes nodes. */
static int march_nodes(slt_featlearn_workspace *w, const slt_task *task)
{
    size_t maxn = w->p.max_nodes;
    fl_nodes ex, q[2];
    memset(q, 0, sizeof q);
    int rc = fl_nodes_exact(task, (size_t)-1, &ex), rce = rc;
    if (rc && rc != SLT_EDOM) return rc;
    char why[256] = "";
    if (rc) snprintf(why, sizeof why, "%s", slt_last_error());
    for (int set = 0; set < 2; set++) {
        rc = fl_nodes_quadrature(task, FL_QUAD_HEAD << set, FL_QUAD_PER_DECADE << set, maxn,
                                 &q[set]);
        if (rc) {
            char whyq[256];
            snprintf(whyq, sizeof whyq, "%s", slt_last_error());
            fl_nodes_free(&ex);
            fl_nodes_free(&q[0]);
            return slt_error(rc, "slt_featlearn_alloc: method = march: %s%s%s (the marching "
                             "takes exact nodes of at most max_nodes = %zu distinct "
                             "eigenvalues, or a spectrum quadrature of at most max_nodes nodes)",
                             why, *why ? "; " : "", whyq, maxn);
        }
    }
    if (!rce && (ex.K <= q[0].K + q[1].K || q[1].exact) && ex.K <= maxn) {
        w->nd = ex;
        fl_nodes_free(&q[0]);
        fl_nodes_free(&q[1]);
        return SLT_OK;
    }
    fl_nodes_free(&ex);
    w->mquad = 1;
    w->mq[0] = q[0];
    w->mq[1] = q[1];
    return SLT_OK;
}

int slt_featlearn_alloc(const slt_task *task, const slt_featlearn_params *p,
                        slt_featlearn_workspace **wp)
{
    if (!wp) return slt_error(SLT_EINVAL, "slt_featlearn_alloc: NULL argument");
    *wp = NULL;
    if (!task || !p) return slt_error(SLT_EINVAL, "slt_featlearn_alloc: NULL argument");
    int rc = slt_featlearn_params_check(p);
    if (rc) return rc;
    slt_featlearn_workspace *w = calloc(1, sizeof *w);
    if (!w) return slt_error(SLT_ENOMEM, "slt_featlearn_alloc: out of memory");
    w->task = task;
    w->p = *p;
    if (w->p.method == SLT_FEATLEARN_AUTO) /* march for what only the marching solves */
        w->p.method = isfinite(p->N) || isfinite(p->P) || p->batch > 0 || p->eta > 0
                          ? SLT_FEATLEARN_MARCH : SLT_FEATLEARN_ODE;
    slt_sum s;
    if ((rc = slt_sum_target(task, &s))) {
        free(w);
        return rc;
    }
    w->L0 = s.value;
    w->L0_err = s.err;
    if (w->p.method == SLT_FEATLEARN_MARCH && (rc = march_nodes(w, task))) {
        slt_featlearn_free(w);
        return rc;
    }
    if (w->p.method == SLT_FEATLEARN_ODE) {
        fl_nodes nd;
        if ((rc = fl_nodes_exact(task, p->max_modes, &nd)) == SLT_EDOM) {
            /* a power law at M = inf or more than max_modes eigenvalues: the quadrature */
            char why[256];
            snprintf(why, sizeof why, "%s", slt_last_error()); /* slt_error reuses its buffer */
            w->quad = 1;
            size_t Mmax = 0;
            for (int set = 0; set < 2; set++) {
                fl_nodes q;
                if ((rc = fl_nodes_quadrature(task, FL_QUAD_HEAD << set, FL_QUAD_PER_DECADE << set,
                                              p->max_nodes, &q))) {
                    char whyq[256];
                    snprintf(whyq, sizeof whyq, "%s", slt_last_error());
                    slt_featlearn_free(w);
                    return slt_error(rc, "slt_featlearn_alloc: method = ode: %s; %s (the ode takes "
                                     "at most max_modes = %zu distinct eigenvalues exactly, more "
                                     "through the spectrum quadrature of at most max_nodes = "
                                     "%zu nodes; or use method isotropic, an approximation)",
                                     why, whyq, p->max_modes, p->max_nodes);
                }
                w->qM[set] = q.K;
                w->qlam[set] = q.lambda;
                w->qws[set] = q.power;
                w->qtailP[set] = q.tail_node ? q.power[q.K - 1] : 0;
                q.lambda = q.power = NULL;
                for (size_t k = 0; k < q.K; k++)
                    w->qws[set][k] = sqrt(w->qws[set][k] / w->qlam[set][k]);
                w->trace = q.trace;
                fl_nodes_free(&q);
                if (w->qM[set] > Mmax) Mmax = w->qM[set];
            }
            quad_use(w, 1);
            nd.K = Mmax;
        } else if (rc) {
            char why[256];
            snprintf(why, sizeof why, "%s", slt_last_error()); /* slt_error reuses its buffer */
            free(w);
            return slt_error(rc, "slt_featlearn_alloc: method = ode: %s (the ode needs at most "
                             "max_modes = %zu distinct eigenvalues, M + 1 + M(M+1)/2 states, "
                             "BDF + SPGMR; use a truncated power law, or method isotropic, an "
                             "approximation)", why, p->max_modes);
        }
        size_t M = nd.K;
        if (!w->quad) {
            w->M = M;
            w->lambda = nd.lambda; /* the workspace takes the node arrays it keeps */
            nd.lambda = NULL;
            w->wstar = nd.power;   /* power, turned into w*_k below */
            nd.power = NULL;
            w->trace = nd.trace;
            fl_nodes_free(&nd);
        }
        w->g = malloc(M * sizeof *w->g);
        w->h = malloc(M * sizeof *w->h);
        w->Kg = malloc(M * sizeof *w->Kg);
        w->B = malloc(M * M * sizeof *w->B);
        w->piv = malloc(M * sizeof *w->piv);
        if (!w->g || !w->h || !w->Kg || !w->B || !w->piv) {
            slt_featlearn_free(w);
            return slt_error(SLT_ENOMEM, "slt_featlearn_alloc: out of memory");
        }
        for (size_t k = 0; k < M && !w->quad; k++) /* λ > 0 on explicit tasks */
            w->wstar[k] = sqrt(w->wstar[k] / w->lambda[k]);
    }
    *wp = w;
    return SLT_OK;
}

slt_featlearn_method slt_featlearn_resolved_method(const slt_featlearn_workspace *w)
{
    return w ? w->p.method : SLT_FEATLEARN_AUTO;
}

void slt_featlearn_free(slt_featlearn_workspace *w)
{
    if (!w) return;
    if (w->quad) {
        for (int set = 0; set < 2; set++) {
            free(w->qlam[set]);
            free(w->qws[set]);
        }
    } else {
        free(w->lambda);
        free(w->wstar);
    }
    free(w->g);
    free(w->h);
    free(w->Kg);
    free(w->B);
    free(w->piv);
    fl_nodes_free(&w->nd);
    fl_nodes_free(&w->mq[0]);
    fl_nodes_free(&w->mq[1]);
    free(w);
}

static void fail_point(slt_featlearn_point *o, int status)
{
    o->test = o->test_err = o->train = o->train_err = o->slope = o->slope_err = o->q = o->q_err = o->tau = NAN;
    o->status = status;
}

/* Method march on the two quadrature sets (docs/theory/featlearn.md §9.9): both marched
 * without the reversed-order run (their difference already contains the rounding as the
 * dynamics amplify it, besides the quadrature error); the fine set is reported with
 * err = its rounding bound + 2|fine − coarse| + the lumped tail node's bound; a point where
 * the two differ by more than FL_QUAD_MAX_REL relatively is SLT_ENOCONV naming both
 * resolutions. */
static int march_quad(slt_featlearn_workspace *w, const double *times, size_t n,
                      slt_featlearn_point *out)
{
    slt_featlearn_point *c = malloc((n ? n : 1) * sizeof *c);
    if (!c) return slt_error(SLT_ENOMEM, "slt_featlearn_solve: out of memory");
    /* the two sets are independent marchings: two threads when the work is large */
    double tmax = n && w->p.eta > 0 ? times[n - 1] / w->p.eta + 1 : 0;
    int par = tmax < 1e9 && march_runs_parallel(w->mq[1].K, (size_t)tmax);
    int rcc = SLT_OK, rcf = SLT_OK;
    char mc[512] = "", mf[512] = "", msg[512] = "";
#pragma omp parallel sections num_threads(2) if (par)
    {
#pragma omp section
        {
            rcc = march_points_ex(&w->mq[0], &w->p, times, n, c, 0);
            if (rcc) snprintf(mc, sizeof mc, "%s", slt_last_error());
        }
#pragma omp section
        {
            rcf = march_points_ex(&w->mq[1], &w->p, times, n, out, 0);
            if (rcf) snprintf(mf, sizeof mf, "%s", slt_last_error());
        }
    }
    if (rcc == SLT_EDOM || rcf == SLT_EDOM) { /* a whole-call refusal: the same for both sets */
        free(c);
        return slt_error(SLT_EDOM, "%s", rcc == SLT_EDOM ? mc : mf);
    }
    if (rcc) snprintf(msg, sizeof msg, "%s (coarse quadrature, head %d, %d per decade)", mc,
                      FL_QUAD_HEAD, FL_QUAD_PER_DECADE);
    if (rcf) snprintf(msg, sizeof msg, "%s (fine quadrature, head %d, %d per decade)", mf,
                      2 * FL_QUAD_HEAD, 2 * FL_QUAD_PER_DECADE);
    const fl_nodes *f = &w->mq[1];
    /* the lumped tail node (last): every mode beyond k_end, λ below that of the last
     * group's lower node; what its lumping can change is first order in λ τ */
    double ptail = 0, trtail = 0, ltail = 0;
    if (f->tail_node && f->K >= 2) {
        ptail = f->power[f->K - 1];
        trtail = f->count[f->K - 1] * f->lambda[f->K - 1];
        ltail = f->lambda[f->K - 2];
    }
    int status = SLT_OK;
    for (size_t i = 0; i < n; i++) {
        slt_featlearn_point *o = &out[i];
        if (o->status == SLT_OK && c[i].status != SLT_OK) { /* the coarse set failed alone */
            o->status = c[i].status;
            o->test = o->test_err = o->train = o->train_err = o->slope = o->slope_err =
                o->q = o->q_err = NAN;
        }
        if (o->status != SLT_OK) {
            if (!status) status = o->status;
            continue;
        }
        double d = fabs(o->test - c[i].test), dt = fabs(o->train - c[i].train);
        if (!(d <= FL_QUAD_MAX_REL * fabs(o->test)) || !(dt <= FL_QUAD_MAX_REL * fabs(o->train))) {
            double vf = o->test, vc = c[i].test;
            o->status = SLT_ENOCONV;
            o->test = o->test_err = o->train = o->train_err = o->slope = o->slope_err =
                o->q = o->q_err = NAN;
            if (!status) {
                status = SLT_ENOCONV;
                snprintf(msg, sizeof msg, "slt_featlearn_solve (method march): at t = %g the "
                         "spectrum quadrature did not converge: L = %g with (head %d, %d per "
                         "decade, %zu nodes) and %g with (head %d, %d per decade, %zu nodes), "
                         "more than %g apart relatively", o->t, vf, 2 * FL_QUAD_HEAD,
                         2 * FL_QUAD_PER_DECADE, w->mq[1].K, vc, FL_QUAD_HEAD,
                         FL_QUAD_PER_DECADE, w->mq[0].K, FL_QUAD_MAX_REL);
            }
            continue;
        }
        double tau = o->t * (1 + w->p.gamma * (fabs(o->q) + o->q_err)) *
                     (1 + (isfinite(w->p.N) ? f->trace / w->p.N : 0));
        double et = 4 * ltail * tau * (ptail + fabs(o->test) * trtail / f->trace);
        o->test_err += 2 * d + et + c[i].test_err;
        /* finite P: the train loss is compared the same way; the tail node's bound is the
         * test loss's form with the train loss in place (assumed, as at γ > 0) */
        double ett = 4 * ltail * tau * (ptail + fabs(o->train) * trtail / f->trace);
        o->train_err += 2 * dt + ett + c[i].train_err;
        o->q_err += 2 * fabs(o->q - c[i].q) + c[i].q_err;
        if (isfinite(o->slope))
            o->slope_err += 2 * fabs(o->slope - c[i].slope) + c[i].slope_err;
    }
    free(c);
    if (status) return slt_error(status, "%s", msg);
    return SLT_OK;
}

int slt_featlearn_solve(slt_featlearn_workspace *w, const double *times, size_t n,
                        slt_featlearn_point *out)
{
    if (!w || (n && (!times || !out))) return slt_error(SLT_EINVAL, "slt_featlearn_solve: NULL argument");
    for (size_t i = 0; i < n; i++) {
        if (!(times[i] >= 0))
            return slt_error(SLT_EINVAL, "slt_featlearn_solve: times[%zu] = %g is out of range "
                             "(expected t >= 0)", i, times[i]);
        if (i && times[i] < times[i - 1])
            return slt_error(SLT_EINVAL, "slt_featlearn_solve: times[%zu] = %g < times[%zu] = %g "
                             "(expected nondecreasing times)", i, times[i], i - 1, times[i - 1]);
        if (!isfinite(times[i]) && isfinite(w->p.P))
            return slt_error(SLT_EDOM, "slt_featlearn_solve: times[%zu] = inf with P = %.17g: "
                             "training on finite data has no static limit formula (the "
                             "interpolant depends on the trajectory); give finite times",
                             i, w->p.P);
        /* the width floor is the limit of a run that converges; with a step (or batch noise)
         * that depends on stability for the growing kernel, which nothing here checks */
        if (!isfinite(times[i]) && (w->p.eta > 0 || w->p.batch > 0))
            return slt_error(SLT_EDOM, "slt_featlearn_solve: times[%zu] = inf with %s = %.17g: "
                             "the t = inf width floor is the limit of gradient flow; with a "
                             "step or batch noise the run may diverge or settle above it "
                             "(expected finite times, or eta = 0 and batch = 0)", i,
                             w->p.batch > 0 ? "batch" : "eta",
                             w->p.batch > 0 ? (double)w->p.batch : w->p.eta);
        if (isfinite(times[i]) && isfinite(w->p.N) && w->p.method != SLT_FEATLEARN_MARCH)
            return slt_error(SLT_EDOM, "slt_featlearn_solve: N = %.17g at t = %g: finite width "
                             "at finite time is solved by method march, not %s (use method "
                             "march or auto; or N = inf, or t = inf for the width floor)",
                             w->p.N, times[i], slt_featlearn_method_to_string(w->p.method));
    }
    int iso = w->p.method == SLT_FEATLEARN_ISOTROPIC;
    size_t nf = 0;
    while (nf < n && isfinite(times[nf])) nf++;
    /* on a quadrature (w->quad) the coarse run is set 0 at rel_tol, the fine one set 1 at
     * rel_tol/16: their difference estimates the quadrature and the time-stepping error */
    size_t Mc = w->quad ? w->qM[0] : w->M, Mf = w->quad ? w->qM[1] : w->M;
    size_t nsc = iso ? 2 : Mc + 1 + Mc * (Mc + 1) / 2, ns = iso ? 2 : Mf + 1 + Mf * (Mf + 1) / 2;
    int status = SLT_OK;
    char msg[512] = "";
    /* a whole-call refusal of the march (SLT_EDOM: too many steps, too much work, times
     * below half a step) leaves the caller's points as they were, as documented */
    slt_featlearn_point *saved = NULL;
    if (nf && w->p.method == SLT_FEATLEARN_MARCH) {
        saved = malloc(n * sizeof *saved);
        if (!saved) return slt_error(SLT_ENOMEM, "slt_featlearn_solve: out of memory");
        memcpy(saved, out, n * sizeof *saved);
    }
    for (size_t i = 0; i < n; i++) {
        out[i].t = times[i];
        out[i].method = w->p.method;
        fail_point(&out[i], SLT_OK);
    }
    if (nf && w->p.method == SLT_FEATLEARN_MARCH) {
        int rc = w->mquad ? march_quad(w, times, nf, out) : march_points(&w->nd, &w->p, times, nf, out);
        if (rc == SLT_EDOM) {
            memcpy(out, saved, n * sizeof *saved);
            free(saved);
            return rc;
        }
        free(saved);
        if (rc) {
            status = rc;
            snprintf(msg, sizeof msg, "%s", slt_last_error());
        }
    } else if (nf) {
        double *fine = malloc(nf * ns * sizeof *fine), *coarse = malloc(nf * nsc * sizeof *coarse);
        if (!fine || !coarse) {
            free(fine);
            free(coarse);
            return slt_error(SLT_ENOMEM, "slt_featlearn_solve: out of memory (%zu states x %zu times)", ns, nf);
        }
        size_t d1 = 0, d2 = 0;
        if (w->quad) quad_use(w, 0);
        int rc1 = integrate(w, iso, w->p.rel_tol, times, nf, coarse, &d1);
        if (rc1) snprintf(msg, sizeof msg, "%s", slt_last_error());
        if (w->quad) quad_use(w, 1);
        int rc2 = integrate(w, iso, w->p.rel_tol / 16, times, nf, fine, &d2);
        if (rc2 && !rc1) snprintf(msg, sizeof msg, "%s", slt_last_error());
        size_t done = d1 < d2 ? d1 : d2;
        for (size_t i = 0; i < nf; i++) {
            slt_featlearn_point *o = &out[i];
            if (i >= done) {
                fail_point(o, rc1 ? rc1 : rc2);
                if (!status) status = o->status;
                continue;
            }
            double e1, e2;
            double etail = 0;
            if (w->quad) quad_use(w, 0);
            obs b = observe(w, iso, coarse + i * nsc, &e2);
            if (w->quad) {
                quad_use(w, 1);
                /* the lumped tail node (every mode beyond k_end): its true loss lies between
                 * the node's and its untouched power (at γ = 0 by convexity of e^{-2λτ}),
                 * so what it learned bounds its error [D; the rich case assumed] */
                size_t lt = w->M - 1;
                double r = fine[i * ns + lt] / w->wstar[lt];
                if (w->qtailP[1] > 0) etail = w->qtailP[1] * fabs(1 - r * r);
            }
            obs a = observe(w, iso, fine + i * ns, &e1);
            if (!a.ok || !b.ok) {
                fail_point(o, SLT_ENOCONV);
                if (!status) {
                    status = SLT_ENOCONV;
                    snprintf(msg, sizeof msg, "slt_featlearn_solve: a mode sum failed at t = %g: %s",
                             times[i], slt_last_error());
                }
                continue;
            }
            o->test = a.L;
            /* the coarse-fine difference, doubled: measured actual/estimate up to 0.62 at
             * early times against a rel_tol = 1e-12 run (docs/theory/featlearn.md §6) */
            o->test_err = 2 * fabs(a.L - b.L) + e1 + etail + 4e-16 * w->L0;
            if (w->quad && !(fabs(a.L - b.L) <= FL_QUAD_MAX_REL * a.L)) {
                double v = a.L;
                fail_point(o, SLT_ENOCONV);
                if (!status) {
                    status = SLT_ENOCONV;
                    snprintf(msg, sizeof msg, "slt_featlearn_solve: at t = %g the spectrum "
                             "quadrature did not converge: L = %g with (head %d, %d per decade) "
                             "and %g with (head %d, %d per decade), more than %g apart "
                             "relatively (rel_tol = %g)", times[i], v, 2 * FL_QUAD_HEAD,
                             2 * FL_QUAD_PER_DECADE, b.L, FL_QUAD_HEAD, FL_QUAD_PER_DECADE,
                             FL_QUAD_MAX_REL, w->p.rel_tol);
                }
                continue;
            }
            o->train = o->test; /* P = ∞: the train loss is the population loss */
            o->train_err = o->test_err;
            o->q = a.q;
            o->q_err = 2 * fabs(a.q - b.q) + 4e-16 * fabs(a.q);
            o->tau = iso ? a.tau : NAN;
            if (times[i] > 0 && a.L > 0 && isfinite(a.dL)) {
                o->slope = -times[i] * a.dL / a.L;
                double sb = -times[i] * b.dL / b.L;
                o->slope_err = 2 * fabs(o->slope - sb) + fabs(o->slope) * o->test_err / a.L;
            }
            if (!isfinite(o->test) || !isfinite(o->test_err) || o->test < -o->test_err) {
                double v = o->test, e = o->test_err;
                fail_point(o, SLT_ELOSS);
                if (!status) {
                    status = SLT_ELOSS;
                    snprintf(msg, sizeof msg, "slt_featlearn_solve: at t = %g the loss came out "
                             "as %g +- %g", times[i], v, e);
                }
            }
        }
        free(fine);
        free(coarse);
        if (!status && (rc1 || rc2)) status = rc1 ? rc1 : rc2;
    }
    for (size_t i = nf; i < n; i++) {
        slt_featlearn_point *o = &out[i];
        double fl, fe;
        int rc = slt_featlearn_width_floor(w->task, w->p.N, &fl, &fe);
        if (rc) {
            fail_point(o, rc);
            if (!status) {
                status = rc;
                snprintf(msg, sizeof msg, "%s", slt_last_error());
            }
            continue;
        }
        o->test = o->train = fl;
        o->test_err = o->train_err = fe;
        o->status = SLT_OK;
    }
    if (status) return slt_error(status, "%s", msg);
    return SLT_OK;
}
