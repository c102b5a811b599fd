/* slt_mc_run: trials in parallel, one RNG stream per trial, statistics in trial order.
 *
 * Determinism: trial i draws everything from the stream seeded with
 * slt_mc_trial_seed(seed, first_trial + i) in a fixed order, runs BLAS/LAPACK
 * single-threaded, and writes only its own slots; means and standard errors are then
 * summed in trial order on one thread. So the output is bit-identical for any number of
 * threads. Workspaces are allocated once per thread and fully overwritten by each trial.
 *
 * Draw order within a trial, member by member (e = 0 … E−1):
 *   the projection A (N×M, row-major)  if N is finite and (e = 0 or share != projection);
 *   full-batch models: the raw features Z (P×M, row-major), then the label noise ε (P),
 *                      if P is finite and (e = 0 or share != data);
 *   online SGD: per step, the batch's Gaussian coordinates (B×rank, or B×M at N = ∞),
 *               then its label noise (B)
 *               (featlearn: full batch as the full-batch models, online as SGD).
 * Model kernel (sphere.c): the training points (P×d normals, row by row, each row
 * normalised), the label noise ε (P), then the n_test test points (n_test×d). */
#include <cblas.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sf_zeta.h>

#include "mc_internal.h"
#include "slt/status.h"

/* OpenBLAS's own thread control (declared here in case cblas.h is not OpenBLAS's). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

typedef struct {
    slt_mc_params p;
    mc_rule rule;
    size_t M, T, n, P, E;  /* n = N or M (N = ∞); P = 0 when ∞ */
    int finN, finP, sgd, fl; /* fl: model featlearn */
    double gamma;          /* featlearn: γ in normalised units */
    int msp;               /* full batch: the test loss through mode space */
    const double *lambda, *d, *s, *target;
    double S0, noise, sigma;
    const double *x;       /* per point: flow t, GD/SGD steps, ridge ∞ */
} run_ctx;

typedef struct {
    double *R, *Z, *phi, *y, *mtest, *mtrain, *Ue, *Ubar, *acc_train, *acc_mtest;
    mc_fit_ws fit;
    mc_sgd_ws sgd;
    mc_fl_ws fl;
} trial_ws;



typedef struct {
    size_t R, Z, phi, y, vec, Ue, Ubar;
} trial_sizes;

static trial_sizes trial_sizes_of(const run_ctx *c)
{
    trial_sizes z;
    int full = !c->sgd;
    z.R = c->finN ? mc_size_mul(c->n, c->M) : 0;
    z.Z = full && c->finP ? mc_size_mul(c->P, c->M) : 0;
    z.phi = full && c->finN && c->finP ? mc_size_mul(c->P, c->n) : 0;
    z.y = full && c->finP ? c->P : 0;
    z.vec = c->T;
    z.Ue = c->E > 1 || (!c->sgd && !c->fl && c->msp) ? mc_size_mul(c->M, c->T) : 0;
    z.Ubar = c->E > 1 ? mc_size_mul(c->M, c->T) : 0;
    return z;
}

static void ctx_sizes(run_ctx *c, const slt_mc_params *p, size_t M, size_t T)
{
    c->p = *p;
    c->M = M;
    c->T = T;
    c->finN = !isinf(p->N);
    c->finP = !isinf(p->P);
    c->sgd = p->model == SLT_MC_SGD;
    c->fl = p->model == SLT_MC_FEATLEARN;
    c->n = c->finN ? (size_t)p->N : M;
    c->P = c->finP ? (size_t)p->P : 0;
    c->E = p->ensemble;
    c->msp = c->E > 1 || p->route == SLT_MC_ROUTE_MODES ||
             (p->route == SLT_MC_ROUTE_AUTO && mc_fit_prefer_modes(c->n, c->P, M, T, c->finN));
}

static size_t ctx_doubles(const run_ctx *c)
{
    trial_sizes z = trial_sizes_of(c);
    size_t all = mc_size_add(mc_size_add(mc_size_add(z.R, z.Z), mc_size_add(z.phi, z.y)), mc_size_add(mc_size_mul(4, z.vec), mc_size_add(z.Ue, z.Ubar)));
    if (c->sgd)
        all = mc_size_add(all, mc_sgd_ws_doubles(c->n, c->M, c->p.batch, c->T, !c->finN));
    else if (c->fl)
        all = mc_size_add(all, mc_fl_ws_doubles(c->n, c->M, c->finP ? 0 : c->p.batch, c->P, c->T));
    else if (c->finN || c->finP)
        all = mc_size_add(all, mc_fit_ws_doubles(c->n, c->P, c->M, c->T, c->msp));
    return all;
}

size_t mc_trial_doubles(const slt_mc_params *p, size_t M, size_t T)
{
    run_ctx c;
    ctx_sizes(&c, p, M, T);
    return ctx_doubles(&c);
}

static void trial_ws_free(trial_ws *w)
{
    double **arrays[] = {&w->R,   &w->Z,    &w->phi,       &w->y,        &w->mtest,
                         &w->mtrain, &w->Ue, &w->Ubar, &w->acc_train, &w->acc_mtest};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        free(*arrays[i]);
        *arrays[i] = NULL;
    }
    mc_fit_ws_free(&w->fit);
    mc_sgd_ws_free(&w->sgd);
    mc_fl_ws_free(&w->fl);
}

static int trial_ws_alloc(trial_ws *w, const run_ctx *c)
{
    memset(w, 0, sizeof *w);
    trial_sizes z = trial_sizes_of(c);
    struct {
        double **p;
        size_t n;
    } want[] = {{&w->R, z.R},         {&w->Z, z.Z},         {&w->phi, z.phi},
                {&w->y, z.y},         {&w->mtest, z.vec},   {&w->mtrain, z.vec},
                {&w->Ue, z.Ue},       {&w->Ubar, z.Ubar},   {&w->acc_train, z.vec},
                {&w->acc_mtest, z.vec}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (want[i].n == 0) continue;
        if (want[i].n == SIZE_MAX || want[i].n > SIZE_MAX / sizeof(double) ||
            !(*want[i].p = malloc(want[i].n * sizeof(double)))) {
            trial_ws_free(w);
            return SLT_ENOMEM;
        }
    }
    int rc = SLT_OK;
    if (c->sgd)
        rc = mc_sgd_ws_alloc(&w->sgd, c->n, c->M, c->p.batch, c->T, !c->finN);
    else if (c->fl)
        rc = mc_fl_ws_alloc(&w->fl, c->n, c->M, c->finP ? 0 : c->p.batch, c->P, c->T);
    else
        rc = mc_fit_ws_alloc(&w->fit, c->n, c->P, c->M, c->T, c->msp);
    if (rc) trial_ws_free(w);
    return rc;
}

/* One trial: writes test, train, member-test at every point; sets *unstable, the points
 * made ill-conditioned by dropped directions (ill, T entries, zeroed by the caller), the
 * most directions one member dropped and the number of members solved by SVD. */
static int run_trial(const run_ctx *c, trial_ws *w, size_t trial, double *test, double *train,
                     double *mtest_out, int *unstable, unsigned char *ill, size_t *dropped,
                     size_t *svd, mc_fail *fail)
{
    const size_t M = c->M, T = c->T, n = c->n, P = c->P, E = c->E;
    const int ens = E > 1;
    mc_rng *rng = mc_rng_alloc(slt_mc_trial_seed(c->p.seed, (uint64_t)c->p.first_trial + trial));
    if (!rng) {
        fail->status = SLT_ENOMEM;
        fail->what = "gsl_rng_alloc";
        return SLT_ENOMEM;
    }
    *unstable = 0;
    if (ens) {
        memset(w->Ubar, 0, M * T * sizeof(double));
        memset(w->acc_train, 0, T * sizeof(double));
        memset(w->acc_mtest, 0, T * sizeof(double));
    }
    const double rscale = c->finN ? 1.0 / sqrt((double)n) : 0.0;
    int rc = SLT_OK;
    for (size_t e = 0; e < E; e++) {
        fail->member = e;
        int draw_proj = c->finN && (e == 0 || c->p.share != SLT_SHARE_PROJECTION);
        int draw_data = !c->sgd && c->finP && (e == 0 || c->p.share != SLT_SHARE_DATA);
        if (draw_proj) {
            /* R = A Λ^{1/2} / √N */
            mc_normals(rng, w->R, n * M);
            for (size_t i = 0; i < n; i++) {
                double *row = w->R + i * M;
                for (size_t m = 0; m < M; m++) row[m] *= c->d[m] * rscale;
            }
        }
        mc_rmap R = {.n = n, .M = M, .dense = c->finN ? w->R : NULL, .diag = c->d};
        if (c->sgd) {
            int nonfinite = 0;
            rc = mc_sgd_member(&R, c->s, c->S0, c->sigma, c->p.eta, c->x, rng, &w->sgd,
                               w->mtest, ens ? w->Ue : NULL, &nonfinite, fail);
            if (rc) break;
            for (size_t i = 0; i < T; i++) w->mtrain[i] = w->mtest[i] + c->noise;
            if (nonfinite) *unstable = 1;
        } else {
            if (draw_data) {
                /* Z, then ε; y = Z s + σ ε; at N = ∞ the features are Φ = Z Λ^{1/2} (in place) */
                mc_normals(rng, w->Z, P * M);
                mc_normals(rng, w->y, P);
                for (size_t mu = 0; mu < P; mu++) w->y[mu] *= c->sigma;
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)P, (int)M, 1.0, w->Z, (int)M, c->s,
                            1, 1.0, w->y, 1);
                if (!c->finN)
                    for (size_t mu = 0; mu < P; mu++)
                        for (size_t m = 0; m < M; m++) w->Z[mu * M + m] *= c->d[m];
            }
            /* Φ = Z Rᵀ = Ψ Aᵀ/√N */
            if (c->finN && c->finP && (draw_proj || draw_data))
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)P, (int)n, (int)M, 1.0,
                            w->Z, (int)M, w->R, (int)M, 0.0, w->phi, (int)n);
            if (c->fl) {
                /* featlearn: the data of rf (A; Z, ε at finite P), or online batches of sgd */
                int nonfinite = 0;
                rc = mc_fl_member(&R, c->s, c->sigma, c->noise, c->p.eta, c->gamma, w->phi, w->y,
                                  c->x, rng, &w->fl, w->mtest, w->mtrain, &nonfinite, fail);
                if (rc) break;
                if (nonfinite) *unstable = 1;
                goto member_done;
            }
            mc_member mem = {.R = R,
                             .P = c->finP ? P : MC_INFINITE,
                             .phi = c->finN ? w->phi : w->Z,
                             .y = w->y,
                             .s = c->s,
                             .S0 = c->S0,
                             .noise = c->noise,
                             .generic = 1};
            double emax = 0.0;
            mc_fit_info fi;
            rc = mc_fit_member(&mem, &c->rule, c->x, &w->fit, w->mtest, w->mtrain,
                               c->msp ? w->Ue : NULL, &emax, ill, &fi, fail);
            if (rc) break;
            if (fi.dropped > *dropped) *dropped = fi.dropped;
            *svd += (size_t)fi.svd;
            if (c->rule.kind == MC_GD && c->p.eta * emax >= 2.0) *unstable = 1;
        }
    member_done:
        if (!ens) {
            memcpy(test, w->mtest, T * sizeof(double));
            memcpy(train, w->mtrain, T * sizeof(double));
            memcpy(mtest_out, w->mtest, T * sizeof(double));
        } else {
            for (size_t i = 0; i < M * T; i++) w->Ubar[i] += w->Ue[i];
            for (size_t i = 0; i < T; i++) {
                w->acc_train[i] += w->mtrain[i];
                w->acc_mtest[i] += w->mtest[i];
            }
        }
    }
    mc_rng_free(rng);
    if (rc) return rc;
    if (ens) {
        double inv = 1.0 / (double)E;
        for (size_t i = 0; i < T; i++) {
            double sum = 0.0;
            for (size_t m = 0; m < M; m++) {
                double r = c->s[m] - w->Ubar[m * T + i] * inv;
                sum += r * r;
            }
            test[i] = sum;
            train[i] = w->acc_train[i] * inv;
            mtest_out[i] = w->acc_mtest[i] * inv;
        }
    }
    return SLT_OK;
}

/* Mean and standard error of v[0], v[stride], … in trial order: the mean as the first
 * value plus the mean deviation from it (exact when all values are equal), then the
 * sample variance from a second pass. */
static void stat_of(const double *v, size_t stride, size_t count, slt_mc_stat *out)
{
    double v0 = v[0], dev = 0.0;
    for (size_t i = 0; i < count; i++) dev += v[i * stride] - v0;
    double mean = v0 + dev / (double)count;
    double ss = 0.0;
    for (size_t i = 0; i < count; i++) {
        double dlt = v[i * stride] - mean;
        ss += dlt * dlt;
    }
    out->mean = mean;
    out->se = count > 1 ? sqrt(ss / (double)(count - 1) / (double)count) : NAN;
    out->trials = count;
}

static int team_size(const slt_mc_params *p)
{
    int threads = p->threads > 0 ? p->threads : omp_get_max_threads();
    if (threads < 1) threads = 1;
    if ((size_t)threads > p->trials) threads = (int)p->trials;
    return threads;
}

/* The threads' workspaces (per doubles each) against physical memory; `what` names the
 * sizes and `reduce` what to reduce, for the message. */
static int memory_check(const char *w, size_t per, int team, const char *what,
                        const char *reduce)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    double need = (double)per * (double)sizeof(double) * (double)team;
    if (pages > 0 && page > 0 && (per == SIZE_MAX || need > (double)pages * (double)page))
        return slt_error(SLT_ENOMEM, "%s: %s needs about %.3g GB for %d thread(s), more than the "
                         "%.3g GB of physical memory (reduce %s or threads)", w, what,
                         need / 1e9, team, (double)pages * (double)page / 1e9, reduce);
    return SLT_OK;
}

/* slt_mc_check for model kernel (parameters already checked). */
static int kernel_check(const char *w, const slt_task *task, const slt_mc_params *p,
                        size_t n_times)
{
    if (task)
        return slt_error(SLT_EINVAL, "%s: a task was given with model kernel (expected task = "
                         "NULL: the kernel, target and noise are p->sphere's)", w);
    if (n_times != 0)
        return slt_error(SLT_EINVAL, "%s: %zu times given with model kernel (expected none: "
                         "kernel ridge regression is evaluated at convergence, t = inf)", w,
                         n_times);
    char what[96];
    snprintf(what, sizeof what, "model kernel at P = %zu, dim = %d", (size_t)p->P, p->sphere.dim);
    return memory_check(w, mc_sphere_ws_doubles((size_t)p->P, (size_t)p->sphere.dim), team_size(p),
                        what, "P");
}

int slt_mc_check(const slt_task *task, const slt_mc_params *p, const double *times,
                 size_t n_times)
{
    static const char *w = "slt_mc_check";
    int rc = slt_mc_params_check(p);
    if (rc) return rc;
    if (p->model == SLT_MC_KERNEL) return kernel_check(w, task, p, n_times);
    size_t M;
    if ((rc = slt_mc_modes(task, p, &M))) return rc;
    mc_rule rule = mc_rule_of(p);
    if (p->model == SLT_MC_RIDGE) {
        if (n_times != 0)
            return slt_error(SLT_EINVAL, "%s: %zu times given with model ridge (expected none: "
                             "ridge regression is evaluated at convergence, t = inf)", w, n_times);
    } else {
        if (n_times == 0 || !times)
            return slt_error(SLT_EINVAL, "%s: no times given (expected at least one time t >= 0)",
                             w);
        for (size_t i = 0; i < n_times; i++) {
            double t = times[i];
            if (isnan(t) || t < 0)
                return slt_error(SLT_EINVAL, "%s: t = %.17g (times[%zu]) is out of range "
                                 "(expected t >= 0)", w, t, i);
            if (isinf(t) && (p->model == SLT_MC_SGD || p->model == SLT_MC_FEATLEARN))
                return slt_error(SLT_EINVAL, "%s: t = inf (times[%zu]) with model %s (expected "
                                 "a finite t = eta·n)", w, i, slt_mc_model_name(p->model));
            if (rule.kind == MC_GD || p->model == SLT_MC_SGD || p->model == SLT_MC_FEATLEARN) {
                if (mc_steps_of(t, p->eta) < 0)
                    return slt_error(SLT_EINVAL, "%s: t = %.17g (times[%zu]) is not a whole "
                                     "number of steps of eta = %.17g (expected t = eta·n, n = "
                                     "0, 1, 2, … below 2^53)", w, t, i, p->eta);
            }
        }
    }
    /* Memory: the threads' workspaces against physical memory. */
    size_t T = p->model == SLT_MC_RIDGE ? 1 : n_times;
    char nb[32], pb[32], what[96];
    snprintf(nb, sizeof nb, isinf(p->N) ? "inf" : "%.17g", p->N);
    snprintf(pb, sizeof pb, isinf(p->P) ? "inf" : "%.17g", p->P);
    snprintf(what, sizeof what, "N = %s, P = %s, M = %zu", nb, pb, M);
    return memory_check(w, mc_trial_doubles(p, M, T), team_size(p), what, "M, N, P");
}

void slt_mc_result_free(slt_mc_result *r)
{
    if (!r) return;
    free(r->points);
    free(r->trial_test);
    free(r->trial_train);
    free(r);
}

/* Σ_{k<=M} t_k (summed from the small end) and the tail Σ_{k>M} t_k with its bound. */
static int target_masses(const slt_task *task, size_t M, const double *target, double *head,
                         double *tail, double *tail_err)
{
    long double h = 0.0L;
    for (size_t k = M; k-- > 0;) h += target[k];
    *head = (double)h;
    size_t task_modes = slt_task_modes(task), levels = slt_task_levels(task);
    if (task_modes != SLT_MODES_INFINITE && levels < task_modes) {
        /* levels with multiplicity: whole levels beyond M by their power, the level
           holding mode M + 1 by its share (not task_modes − M per-mode look-ups) */
        long double tl = 0.0L;
        size_t end = task_modes; /* modes of levels 1 … i end at mode `end` */
        for (size_t i = levels; i >= 1 && end > M; i--) {
            slt_level lv;
            int rc = slt_task_level(task, i, &lv);
            if (rc) return rc;
            size_t first = end - (size_t)lv.mult; /* the level is modes first+1 … end */
            tl += first >= M ? (long double)lv.power
                             : (long double)(end - M) * ((long double)lv.power / lv.mult);
            end = first;
        }
        *tail = (double)tl;
        *tail_err = (double)(task_modes - M) * DBL_EPSILON * (*tail);
        return SLT_OK;
    }
    if (task_modes != SLT_MODES_INFINITE) {
        long double tl = 0.0L;
        for (size_t k = task_modes; k > M; k--) tl += slt_task_target(task, k);
        *tail = (double)tl;
        *tail_err = (double)(task_modes - M) * DBL_EPSILON * (*tail);
        return SLT_OK;
    }
    slt_power_law_params lp;
    gsl_sf_result hz;
    if (!slt_task_power_law(task, &lp) &&
        !gsl_sf_hzeta_e(lp.alpha * lp.beta + 1.0, (double)M + 1.0, &hz) && isfinite(hz.val)) {
        /* Σ_{k>M} A_t k^-q = A_t ζ(q, M + 1) directly: the difference of the whole sum and
           the head cancels to the rounding of the whole sum when the tail is small */
        *tail = lp.amp_target * hz.val;
        *tail_err = lp.amp_target * hz.err + 2.0 * DBL_EPSILON * (*tail);
        return SLT_OK;
    }
    slt_sum all;
    int rc = slt_sum_target(task, &all);
    if (rc) return rc;
    *tail = all.value - *head;
    *tail_err = all.err + 2.0 * DBL_EPSILON * fabs(all.value);
    if (*tail < 0) *tail = 0.0; /* within the bound */
    return SLT_OK;
}

/* The scales of a run (docs/theory/montecarlo.md, "Scales"): with λ = a_λ λ̃, t_k = a_t t̃_k,
 * σ² = a_t σ̃², the losses of a realisation are a_t times those of (λ̃, t̃, σ̃²) at ridge
 * z/a_λ and time t a_λ (GD and SGD: step η a_λ, the same steps), with the same random
 * draws. So the simulation runs on the normalised task (largest λ̃ and t̃ equal to 1) and
 * scales its losses back: eigenvalues or targets near the ends of double's range then
 * neither underflow to denormals nor overflow in the squares of the statistics.
 * Writes the normalised λ̃, t̃ of the M modes; *norm_task is a power law's normalised
 * task (amplitudes 1), NULL for explicit tasks. */
static int normalise(const slt_task *task, size_t M, double *lambda, double *target,
                     double *a_l, double *a_t, slt_task **norm_task)
{
    static const char *w = "slt_mc_run";
    *norm_task = NULL;
    *a_l = 1.0;
    *a_t = 1.0;
    slt_power_law_params lp;
    if (slt_task_get_kind(task) == SLT_TASK_POWER_LAW && !slt_task_power_law(task, &lp)) {
        *a_l = lp.amp_lambda;
        *a_t = lp.amp_target;
        lp.amp_lambda = lp.amp_target = 1.0;
        lp.noise = 0.0;
        int rc = slt_task_alloc_power_law(&lp, norm_task);
        if (rc) return rc;
        for (size_t k = 0; k < M; k++) {
            lambda[k] = slt_task_lambda(*norm_task, k + 1);
            target[k] = slt_task_target(*norm_task, k + 1);
        }
        return SLT_OK;
    }
    double lmax = 0.0, tmax = 0.0;
    for (size_t k = 0; k < M; k++) {
        lambda[k] = slt_task_lambda(task, k + 1);
        target[k] = slt_task_target(task, k + 1);
        if (lambda[k] > lmax) lmax = lambda[k];
        if (target[k] > tmax) tmax = target[k];
    }
    if (!(lmax > 0.0 && isfinite(lmax)))
        return slt_error(SLT_EINVAL, "%s: the task's largest eigenvalue %.17g is not a finite "
                         "number > 0", w, lmax);
    *a_l = lmax;
    *a_t = (tmax > 0.0 && isfinite(tmax)) ? tmax : 1.0;
    for (size_t k = 0; k < M; k++) {
        lambda[k] /= *a_l;
        target[k] /= *a_t;
    }
    return SLT_OK;
}

/* Model kernel (checked): trials in parallel, statistics in trial order. */
static int run_kernel(const slt_mc_params *p, slt_mc_result **result)
{
    static const char *w = "slt_mc_run";
    double start = omp_get_wtime();
    const size_t trials = p->trials, P = (size_t)p->P;
    mc_sphere m;
    mc_sphere_setup(&p->sphere, &m);
    int rc = SLT_OK;
    slt_mc_result *r = calloc(1, sizeof *r);
    mc_fail *fails = calloc(trials, sizeof *fails);
    if (r) {
        r->points = calloc(1, sizeof *r->points);
        r->trial_test = malloc(trials * sizeof(double));
        r->trial_train = malloc(trials * sizeof(double));
    }
    if (!r || !fails || !r->points || !r->trial_test || !r->trial_train) {
        rc = slt_error(SLT_ENOMEM, "%s: out of memory for %zu trials", w, trials);
        goto out;
    }
    int team = team_size(p);
    int saved = openblas_get_num_threads();
    openblas_set_num_threads(1);
#pragma omp parallel num_threads(team)
    {
        mc_sphere_ws ws;
        int wsrc = mc_sphere_ws_alloc(&ws, P, (size_t)m.d);
#pragma omp for schedule(dynamic, 1)
        for (size_t tr = 0; tr < trials; tr++) {
            if (wsrc) {
                fails[tr].status = wsrc;
                fails[tr].what = "workspace";
                continue;
            }
            mc_rng *rng =
                mc_rng_alloc(slt_mc_trial_seed(p->seed, (uint64_t)p->first_trial + tr));
            if (!rng) {
                fails[tr].status = SLT_ENOMEM;
                fails[tr].what = "gsl_rng_alloc";
                continue;
            }
            mc_sphere_trial(&m, p->ridge, P, rng, &ws, r->trial_test + tr,
                            r->trial_train + tr, &fails[tr]);
            mc_rng_free(rng);
        }
        if (!wsrc) mc_sphere_ws_free(&ws);
    }
    openblas_set_num_threads(saved);
    for (size_t tr = 0; tr < trials; tr++) {
        if (fails[tr].status == SLT_OK) continue;
        char prefix[48];
        snprintf(prefix, sizeof prefix, "trial %zu: ", p->first_trial + tr);
        if (fails[tr].status == SLT_ENOMEM)
            rc = slt_error(SLT_ENOMEM, "%s: %sout of memory (%s; about %.3g MB per thread)", w,
                           prefix, fails[tr].what ? fails[tr].what : "allocation",
                           (double)mc_sphere_ws_doubles(P, (size_t)m.d) * sizeof(double) / 1e6);
        else
            rc = mc_sphere_fail_message(w, prefix, &fails[tr], p->ridge);
        goto out;
    }
    r->params = *p;
    r->M = 0;
    r->head_mass = m.power;
    r->tail_mass = 0.0;
    r->tail_mass_err = 0.0;
    r->noise = m.noise;
    r->n_points = 1;
    r->trials = trials;
    slt_mc_point *pt = &r->points[0];
    pt->t = INFINITY;
    pt->steps = NAN;
    stat_of(r->trial_test, 1, trials, &pt->test);
    stat_of(r->trial_train, 1, trials, &pt->train);
    pt->member_test = pt->test;
    r->seconds = omp_get_wtime() - start;
    *result = r;
    r = NULL;
out:
    slt_mc_result_free(r);
    free(fails);
    return rc;
}

int slt_mc_run(const slt_task *task, const slt_mc_params *p, const double *times,
               size_t n_times, slt_mc_result **result)
{
    static const char *w = "slt_mc_run";
    if (!result) return slt_error(SLT_EINVAL, "%s: result pointer is NULL", w);
    *result = NULL;
    int rc = slt_mc_check(task, p, times, n_times);
    if (rc) return rc;
    if (p->model == SLT_MC_KERNEL) return run_kernel(p, result);
    double start = omp_get_wtime();
    size_t M;
    slt_mc_modes(task, p, &M);
    const size_t T = p->model == SLT_MC_RIDGE ? 1 : n_times;
    const size_t trials = p->trials;

    run_ctx c;
    ctx_sizes(&c, p, M, T);
    slt_task *norm_task = NULL;

    slt_mc_result *r = calloc(1, sizeof *r);
    double *lambda = malloc(M * sizeof(double)), *target = malloc(M * sizeof(double));
    double *d = malloc(M * sizeof(double)), *s = malloc(M * sizeof(double));
    double *x = malloc(T * sizeof(double));
    double *mtest = malloc(trials * T * sizeof(double));
    mc_fail *fails = calloc(trials, sizeof *fails);
    unsigned char *unstable = calloc(trials, 1);
    unsigned char *ill = calloc(trials * T, 1);
    size_t *dropped = calloc(trials, sizeof(size_t)), *svd = calloc(trials, sizeof(size_t));
    if (r) {
        r->points = calloc(T, sizeof *r->points);
        r->trial_test = malloc(trials * T * sizeof(double));
        r->trial_train = malloc(trials * T * sizeof(double));
    }
    if (!r || !lambda || !target || !d || !s || !x || !mtest || !fails || !unstable || !ill ||
        !dropped || !svd || !r->points || !r->trial_test || !r->trial_train) {
        rc = slt_error(SLT_ENOMEM, "%s: out of memory for %zu trials × %zu times and M = %zu "
                       "modes", w, trials, T, M);
        goto out;
    }
    double a_l, a_t;
    if ((rc = normalise(task, M, lambda, target, &a_l, &a_t, &norm_task))) goto out;
    if ((rc = target_masses(norm_task ? norm_task : task, M, target, &r->head_mass,
                            &r->tail_mass, &r->tail_mass_err)))
        goto out;
    r->head_mass *= a_t; /* the explicit task's tail is in its own units already */
    if (norm_task) {
        r->tail_mass *= a_t;
        r->tail_mass_err *= a_t;
    }
    if (slt_task_noise(task) > a_t) {
        /* label noise above the targets: the noise is the unit, so its square stays finite */
        double f = a_t / slt_task_noise(task);
        for (size_t k = 0; k < M; k++) target[k] *= f;
        a_t = slt_task_noise(task);
    }
    /* the normalised noise, ridge, step and times (see normalise) */
    c.noise = slt_task_noise(task) / a_t;
    c.sigma = sqrt(c.noise);
    c.p.ridge = p->ridge / a_l;
    c.p.eta = p->eta * a_l;
    c.rule = mc_rule_of(&c.p);
    /* featlearn: q = |w|²/N scales as a_t/a_λ, so γ enters as γ a_t/a_λ (montecarlo.md §11) */
    c.gamma = p->gamma == 0.0 ? 0.0 : p->gamma * (a_t / a_l);
    if (!isfinite(c.gamma) || (p->gamma > 0.0 && !(c.gamma > 0.0))) {
        rc = slt_error(SLT_EDOM, "%s: gamma = %.17g is out of double's range relative to the "
                       "task's scales (largest eigenvalue %.17g, largest target power %.17g: "
                       "gamma·target/eigenvalue = %.3g must be finite and > 0)", w, p->gamma,
                       a_l, a_t, c.gamma);
        goto out;
    }
    if (!isfinite(c.noise) || !isfinite(c.p.ridge) || !isfinite(c.p.eta) ||
        (p->eta > 0.0 && !(c.p.eta > 0.0))) {
        rc = slt_error(SLT_EDOM, "%s: out of double's range relative to the task's scales "
                       "(largest eigenvalue %.17g, largest target power %.17g): noise = "
                       "%.17g, ridge = %.17g, eta = %.17g (noise/target %.3g, "
                       "ridge/eigenvalue %.3g, eta·eigenvalue %.3g must be finite, eta·"
                       "eigenvalue > 0)", w, a_l, a_t, slt_task_noise(task), p->ridge, p->eta,
                       c.noise, c.p.ridge, c.p.eta);
        goto out;
    }
    for (size_t k = 0; k < M; k++) {
        d[k] = sqrt(lambda[k]);
        s[k] = sqrt(target[k]);
    }
    c.lambda = lambda;
    c.target = target;
    c.d = d;
    c.s = s;
    c.S0 = 0.0;
    for (size_t k = M; k-- > 0;) c.S0 += s[k] * s[k];
    for (size_t i = 0; i < T; i++) {
        if (p->model == SLT_MC_RIDGE) x[i] = INFINITY;
        else if (c.rule.kind == MC_FLOW && !c.fl) x[i] = times[i] * a_l;
        else x[i] = mc_steps_of(times[i], p->eta);
    }
    for (size_t i = 0; i < T && c.rule.kind == MC_FLOW && p->model != SLT_MC_RIDGE; i++) {
        /* t a_λ beyond double: every mode with λ̃ >= 1e-290 has t λ > 1e18, so the flow has
           converged exactly (t = ∞); a flatter spectrum than that cannot be represented */
        double lmin = lambda[M - 1];
        for (size_t k = 0; k < M; k++) lmin = fmin(lmin, lambda[k]);
        if (isinf(x[i]) && isfinite(times[i]) && !(lmin >= 1e-290)) {
            rc = slt_error(SLT_EDOM, "%s: t = %.17g times the largest eigenvalue %.17g is beyond "
                           "double precision", w, times[i], a_l);
            goto out;
        }
    }
    c.x = x;

    if (!c.finN && !c.finP && !c.sgd) {
        /* N = P = ∞: F = I and Σ̂ = Λ, no randomness left; L = Σ_k t_k ρ(λ_k)². */
        int unst = c.rule.kind == MC_GD && c.p.eta * lambda[0] >= 2.0;
        for (size_t i = 0; i < T; i++) {
            double sum = 0.0;
            for (size_t k = M; k-- > 0;) {
                double psi, rho;
                mc_spectral(&c.rule, lambda[k], x[i], 0, &psi, &rho);
                sum += target[k] * rho * rho;
            }
            for (size_t tr = 0; tr < trials; tr++) {
                r->trial_test[tr * T + i] = sum;
                r->trial_train[tr * T + i] = sum + c.noise;
                mtest[tr * T + i] = sum;
            }
        }
        for (size_t tr = 0; tr < trials; tr++) unstable[tr] = (unsigned char)unst;
    } else {
        int team = team_size(p);
        int saved = openblas_get_num_threads();
        openblas_set_num_threads(1);
#pragma omp parallel num_threads(team)
        {
            trial_ws ws;
            int wsrc = trial_ws_alloc(&ws, &c);
#pragma omp for schedule(dynamic, 1)
            for (size_t tr = 0; tr < trials; tr++) {
                if (wsrc) {
                    fails[tr].status = wsrc;
                    fails[tr].what = "workspace";
                    continue;
                }
                int un = 0;
                run_trial(&c, &ws, tr, r->trial_test + tr * T, r->trial_train + tr * T,
                          mtest + tr * T, &un, ill + tr * T, &dropped[tr], &svd[tr],
                          &fails[tr]);
                unstable[tr] = (unsigned char)un;
            }
            if (!wsrc) trial_ws_free(&ws);
        }
        openblas_set_num_threads(saved);
    }

    for (size_t tr = 0; tr < trials; tr++) {
        const mc_fail *f = &fails[tr];
        if (f->status == SLT_OK) continue;
        size_t index = p->first_trial + tr;
        if (f->status == SLT_ENOMEM)
            rc = slt_error(SLT_ENOMEM, "%s: trial %zu: out of memory (%s; about %.3g MB per "
                           "thread)", w, index, f->what ? f->what : "allocation",
                           (double)ctx_doubles(&c) * sizeof(double) / 1e6);
        else
            rc = slt_error(f->status, "%s: trial %zu, member %zu: %s failed with info = %d on "
                           "a %zu×%zu matrix", w, index, f->member, f->what ? f->what : "a step", f->info,
                           f->size, f->size);
        goto out;
    }

    r->params = *p;
    r->params.M = M;
    r->M = M;
    r->noise = c.noise;
    r->n_points = T;
    r->trials = trials;
    {
        /* min(N, P, M) over the finite sizes */
        size_t rank = M;
        if (c.finN && (size_t)p->N < rank) rank = (size_t)p->N;
        if (c.finP && (size_t)p->P < rank) rank = (size_t)p->P;
        r->rank = rank;
    }
    for (size_t tr = 0; tr < trials; tr++) {
        r->unstable_trials += unstable[tr];
        if (dropped[tr] > r->dropped_max) r->dropped_max = dropped[tr];
        r->svd_members += svd[tr];
    }
    for (size_t i = 0; i < T; i++) {
        slt_mc_point *pt = &r->points[i];
        for (size_t tr = 0; tr < trials; tr++) pt->ill_trials += ill[tr * T + i];
        pt->t = p->model == SLT_MC_RIDGE ? INFINITY : times[i];
        pt->steps = (c.rule.kind == MC_GD || c.sgd || c.fl) ? x[i] : NAN;
        stat_of(r->trial_test + i, T, trials, &pt->test);
        stat_of(r->trial_train + i, T, trials, &pt->train);
        stat_of(mtest + i, T, trials, &pt->member_test);
        /* back to the task's units (normalise): the statistics of the normalised values
           scaled, so that their squares never overflow */
        slt_mc_stat *st[3] = {&pt->test, &pt->train, &pt->member_test};
        for (int j = 0; j < 3; j++) {
            st[j]->mean *= a_t;
            st[j]->se *= a_t;
        }
    }
    for (size_t i = 0; i < trials * T; i++) {
        r->trial_test[i] *= a_t;
        r->trial_train[i] *= a_t;
    }
    r->seconds = omp_get_wtime() - start;
    *result = r;
    r = NULL;
    rc = SLT_OK;
out:
    slt_mc_result_free(r);
    free(lambda);
    free(target);
    free(d);
    free(s);
    free(x);
    free(mtest);
    free(fails);
    free(unstable);
    free(ill);
    free(dropped);
    slt_task_free(norm_task);
    free(svd);
    return rc;
}
