/* Parameters of the Monte Carlo module: defaults, validation, the default number of
 * modes, trial seeds and names. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "mc_internal.h"
#include "slt/status.h"

slt_mc_params slt_mc_params_default(void)
{
    slt_mc_params p = {
        .model = SLT_MC_RF,
        .N = 100,
        .P = 100,
        .M = 0,
        .eta = 0.0,
        .ridge = 0.0,
        .batch = 1,
        .gamma = 0.0,
        .ensemble = 1,
        .share = SLT_SHARE_NONE,
        .trials = 100,
        .first_trial = 0,
        .seed = 1,
        .threads = 0,
        .route = SLT_MC_ROUTE_AUTO,
        .sphere = {.dim = 3,
                   .kernel = SLT_MC_KERNEL_GAUSSIAN,
                   .width = 1.0,
                   .depth = 1,
                   .target_power = NULL,
                   .target_levels = 0,
                   .noise = 0.0,
                   .n_test = 2000},
    };
    return p;
}

const char *slt_mc_model_name(slt_mc_model model)
{
    switch (model) {
    case SLT_MC_RF: return "rf";
    case SLT_MC_RIDGE: return "ridge";
    case SLT_MC_SGD: return "sgd";
    case SLT_MC_KERNEL: return "kernel";
    case SLT_MC_FEATLEARN: return "featlearn";
    }
    return "unknown";
}

/* A size as text for messages: "inf" for INFINITY. */
static const char *size_text(double v, char *buf, size_t n)
{
    if (isinf(v) && v > 0) snprintf(buf, n, "inf");
    else snprintf(buf, n, "%.17g", v);
    return buf;
}

/* A size of a BLAS/LAPACK dimension: a whole number 1 <= v <= INT_MAX, or ∞ where
 * allowed. */
static int check_size(const char *where, const char *name, double v, int allow_inf)
{
    char buf[32];
    if (isinf(v) && v > 0) {
        if (allow_inf) return SLT_OK;
        return slt_error(SLT_EINVAL, "%s: %s = inf is out of range (expected 1 <= %s <= %d)",
                         where, name, name, INT_MAX);
    }
    if (!(v >= 1 && v <= (double)INT_MAX && v == floor(v)))
        return slt_error(SLT_EINVAL, "%s: %s = %s is out of range (expected a whole number "
                         "1 <= %s <= %d%s)", where, name, size_text(v, buf, sizeof buf), name,
                         INT_MAX, allow_inf ? ", or INFINITY" : "");
    return SLT_OK;
}

/* Model kernel: the fields it uses, and the others at their neutral values. */
static int kernel_check(const char *w, const slt_mc_params *p)
{
    int rc;
    char buf[32];
    if (!(isinf(p->N) && p->N > 0))
        return slt_error(SLT_EINVAL, "%s: N = %s with model kernel (expected N = "
                         "INFINITY: kernel regression has no width)", w,
                         size_text(p->N, buf, sizeof buf));
    if ((rc = check_size(w, "P", p->P, 0))) return rc;
    if (p->M != 0)
        return slt_error(SLT_EINVAL, "%s: M = %zu with model kernel (expected M = 0: the kernel "
                         "is evaluated directly, there are no modes)", w, p->M);
    if ((rc = slt_check_range(w, "eta", p->eta, 0.0, 0, INFINITY, 1))) return rc;
    if (p->eta != 0)
        return slt_error(SLT_EINVAL, "%s: eta = %.17g with model kernel (expected eta = 0: "
                         "kernel ridge regression is solved at convergence)", w, p->eta);
    if ((rc = slt_check_range(w, "ridge", p->ridge, 0.0, 0, INFINITY, 1))) return rc;
    if (p->batch != 1)
        return slt_error(SLT_EINVAL, "%s: batch = %zu with model kernel (expected batch = 1; the "
                         "batch size is used by model sgd only)", w, p->batch);
    if (p->ensemble != 1)
        return slt_error(SLT_EINVAL, "%s: ensemble = %zu with model kernel (expected ensemble = "
                         "1: ensembles are simulated with Gaussian features only)", w,
                         p->ensemble);
    if (p->route != SLT_MC_ROUTE_AUTO)
        return slt_error(SLT_EINVAL, "%s: route = %d with model kernel (expected route = "
                         "SLT_MC_ROUTE_AUTO: the kernel model has one route)", w, (int)p->route);
    if (p->trials < 1)
        return slt_error(SLT_EINVAL, "%s: trials = 0 is out of range (expected trials >= 1)", w);
    if (p->first_trial > (size_t)UINT32_MAX - 1 ||
        p->trials > (size_t)UINT32_MAX - 1 - p->first_trial)
        return slt_error(SLT_EINVAL, "%s: first_trial + trials = %zu + %zu is out of range "
                         "(expected at most %lu trial indices)", w, p->first_trial, p->trials,
                         (unsigned long)UINT32_MAX - 1);
    if (p->threads < 0)
        return slt_error(SLT_EINVAL, "%s: threads = %d is out of range (expected threads >= 0; "
                         "0 = OpenMP's default)", w, p->threads);
    return mc_sphere_check(w, &p->sphere);
}

int slt_mc_params_check(const slt_mc_params *p)
{
    static const char *w = "slt_mc_params";
    if (!p) return slt_error(SLT_EINVAL, "%s: parameters are NULL", w);
    int rc;
    switch (p->model) {
    case SLT_MC_RF:
    case SLT_MC_RIDGE:
    case SLT_MC_SGD:
    case SLT_MC_FEATLEARN:
        break;
    case SLT_MC_KERNEL:
        break;
    default:
        return slt_error(SLT_EINVAL, "%s: model = %d is out of range (expected SLT_MC_RF, "
                         "SLT_MC_RIDGE, SLT_MC_SGD, SLT_MC_KERNEL or SLT_MC_FEATLEARN)", w,
                         (int)p->model);
    }
    const int fl = p->model == SLT_MC_FEATLEARN;
    if ((rc = slt_check_range(w, "gamma", p->gamma, 0.0, 0, INFINITY, 1))) return rc;
    if (!fl && p->gamma != 0)
        return slt_error(SLT_EINVAL, "%s: gamma = %.17g with model %s (expected gamma = 0; the "
                         "richness is used by model featlearn only)", w, p->gamma,
                         slt_mc_model_name(p->model));
    if (p->model == SLT_MC_KERNEL) return kernel_check(w, p);
    const char *model = slt_mc_model_name(p->model);
    if ((rc = check_size(w, "N", p->N, 1))) return rc;
    if ((rc = check_size(w, "P", p->P, 1))) return rc;
    if (p->model == SLT_MC_SGD && !isinf(p->P))
        return slt_error(SLT_EINVAL, "%s: P = %.17g with model sgd (expected P = INFINITY: "
                         "online SGD draws fresh samples every step)", w, p->P);
    if (fl && isinf(p->N))
        return slt_error(SLT_EINVAL, "%s: N = inf with model featlearn (expected a whole N >= 1: "
                         "the simulation steps a finite network; N = inf is the DMFT's "
                         "deterministic limit)", w);
    if (p->M != 0 && (rc = check_size(w, "M", p->M, 0))) return rc;

    if ((rc = slt_check_range(w, "eta", p->eta, 0.0, 0, INFINITY, 1))) return rc;
    if ((p->model == SLT_MC_SGD || fl) && !(p->eta > 0))
        return slt_error(SLT_EINVAL, "%s: eta = %.17g with model %s (expected eta > 0)", w,
                         p->eta, model);
    if (p->model == SLT_MC_RIDGE && p->eta != 0)
        return slt_error(SLT_EINVAL, "%s: eta = %.17g with model ridge (expected eta = 0: ridge "
                         "regression is solved at convergence)", w, p->eta);

    if ((rc = slt_check_range(w, "ridge", p->ridge, 0.0, 0, INFINITY, 1))) return rc;
    if (p->model != SLT_MC_RIDGE && p->ridge != 0)
        return slt_error(SLT_EINVAL, "%s: ridge = %.17g with model %s (expected ridge = 0; the "
                         "ridge is used by model ridge only)", w, p->ridge, model);

    if (fl && isinf(p->P) && p->batch > (size_t)INT_MAX)
        return slt_error(SLT_EINVAL, "%s: batch = %zu is out of range (expected 0 <= batch <= "
                         "%d with model featlearn at P = inf; 0 = the population gradient)", w,
                         p->batch, INT_MAX);
    if (fl && !isinf(p->P) && p->batch != 1)
        return slt_error(SLT_EINVAL, "%s: batch = %zu with model featlearn at P = %.17g "
                         "(expected batch = 1: full-batch GD on the P samples; batches are "
                         "online, P = inf)", w, p->batch, p->P);
    if (!fl && (p->batch < 1 || p->batch > (size_t)INT_MAX))
        return slt_error(SLT_EINVAL, "%s: batch = %zu is out of range (expected 1 <= batch <= "
                         "%d)", w, p->batch, INT_MAX);
    if (!fl && p->model != SLT_MC_SGD && p->batch != 1)
        return slt_error(SLT_EINVAL, "%s: batch = %zu with model %s (expected batch = 1; the "
                         "batch size is used by model sgd only)", w, p->batch, model);

    if (p->ensemble < 1 || p->ensemble > 1000000)
        return slt_error(SLT_EINVAL, "%s: ensemble = %zu is out of range (expected 1 <= "
                         "ensemble <= 1000000)", w, p->ensemble);
    if (p->share != SLT_SHARE_NONE && p->share != SLT_SHARE_DATA &&
        p->share != SLT_SHARE_PROJECTION)
        return slt_error(SLT_EINVAL, "%s: share = %d is out of range (expected "
                         "SLT_SHARE_NONE, _DATA or _PROJECTION)", w, (int)p->share);
    if (fl && p->ensemble != 1)
        return slt_error(SLT_EINVAL, "%s: ensemble = %zu with model featlearn (expected "
                         "ensemble = 1: ensembles of the feature-learning model are not "
                         "simulated)", w, p->ensemble);
    if (fl && p->share != SLT_SHARE_NONE)
        return slt_error(SLT_EINVAL, "%s: share = %d with model featlearn (expected "
                         "SLT_SHARE_NONE: no ensembles)", w, (int)p->share);
    if (p->model == SLT_MC_SGD && p->ensemble > 1 && p->share == SLT_SHARE_DATA)
        return slt_error(SLT_EINVAL, "%s: share = data with model sgd is not supported "
                         "(expected share = none or projection for online-SGD ensembles)", w);

    if (p->trials < 1)
        return slt_error(SLT_EINVAL, "%s: trials = 0 is out of range (expected trials >= 1)", w);
    if (p->first_trial > (size_t)UINT32_MAX - 1 ||
        p->trials > (size_t)UINT32_MAX - 1 - p->first_trial)
        return slt_error(SLT_EINVAL, "%s: first_trial + trials = %zu + %zu is out of range "
                         "(expected at most %lu trial indices)", w, p->first_trial, p->trials,
                         (unsigned long)UINT32_MAX - 1);
    if (p->route != SLT_MC_ROUTE_AUTO && p->route != SLT_MC_ROUTE_QUADRATIC &&
        p->route != SLT_MC_ROUTE_MODES)
        return slt_error(SLT_EINVAL, "%s: route = %d is out of range (expected "
                         "SLT_MC_ROUTE_AUTO, _QUADRATIC or _MODES)", w, (int)p->route);
    if (p->route == SLT_MC_ROUTE_QUADRATIC && (p->ensemble > 1 || p->model == SLT_MC_SGD || fl))
        return slt_error(SLT_EINVAL, "%s: route = quadratic with %s (expected route = auto or "
                         "modes: ensembles, online SGD and featlearn evaluate the loss in mode "
                         "space)", w,
                         p->model == SLT_MC_SGD ? "model sgd"
                                                : (fl ? "model featlearn" : "ensemble > 1"));
    if (p->threads < 0)
        return slt_error(SLT_EINVAL, "%s: threads = %d is out of range (expected threads >= 0; "
                         "0 = OpenMP's default)", w, p->threads);
    return SLT_OK;
}

int slt_mc_modes(const slt_task *task, const slt_mc_params *p, size_t *M)
{
    static const char *w = "slt_mc_modes";
    if (!p || !M) return slt_error(SLT_EINVAL, "%s: parameters or output pointer is NULL", w);
    if (p->model == SLT_MC_KERNEL) {
        *M = 0;
        return SLT_OK;
    }
    if (!task) return slt_error(SLT_EINVAL, "%s: task is NULL", w);
    int rc;
    if ((rc = check_size(w, "N", p->N, 1)) || (rc = check_size(w, "P", p->P, 1))) return rc;
    /* A moment tail gives the sums of its eigenvalues' powers, not the eigenvalues a
     * simulation draws features from: simulating the listed levels alone would drop the
     * tail's power (a wrong loss with status ok). */
    slt_task_tail tail;
    if (slt_task_get_tail(task, &tail) == SLT_OK)
        return slt_error(SLT_EDOM, "%s: the task has a moment tail (the spectrum beyond its "
                         "levels is known by its moments only), which cannot be simulated: "
                         "simulate the kernel itself (model kernel) or a task listed mode by "
                         "mode", w);
    size_t task_modes = slt_task_modes(task);
    if (p->M != 0) {
        if (task_modes != SLT_MODES_INFINITE && p->M > task_modes)
            return slt_error(SLT_EINVAL, "%s: M = %zu exceeds the task's %zu modes (expected "
                             "1 <= M <= %zu)", w, p->M, task_modes, task_modes);
        *M = p->M;
        return SLT_OK;
    }
    if (task_modes != SLT_MODES_INFINITE) {
        *M = task_modes;
        return SLT_OK;
    }
    size_t largest = 0;
    if (!isinf(p->N) && (size_t)p->N > largest) largest = (size_t)p->N;
    if (!isinf(p->P) && (size_t)p->P > largest) largest = (size_t)p->P;
    if (largest == 0) {
        *M = p->model == SLT_MC_SGD ? SLT_MC_MODES_SGD_KERNEL : SLT_MC_MODES_NO_SIZE;
        return SLT_OK;
    }
    size_t m = largest > (size_t)INT_MAX / SLT_MC_MODES_FACTOR ? (size_t)INT_MAX
                                                              : largest * SLT_MC_MODES_FACTOR;
    *M = m < SLT_MC_MODES_MIN ? SLT_MC_MODES_MIN : m;
    return SLT_OK;
}

/* splitmix64 (Steele, Lea, Flood 2014): a 64-bit finaliser with full avalanche. */
static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A bijection of 32-bit words with good avalanche (C. Wellons' "lowbias32"): each step,
 * x ^= x >> r and x *= odd, is invertible, so distinct inputs give distinct outputs. */
static uint32_t mix32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* seed32(i) = mix32(base + i) with base = the top half of splitmix64(seed). The inputs
 * base + i are distinct mod 2^32 for i < 2^32 − 1 and never equal base − 1, so the
 * outputs are distinct; the one input that maps to 0 is sent to mix32(base − 1) instead,
 * which is neither 0 nor any other trial's seed. */
uint32_t slt_mc_trial_seed(uint64_t seed, uint64_t trial)
{
    uint32_t base = (uint32_t)(splitmix64(seed) >> 32);
    uint32_t x = mix32(base + (uint32_t)trial);
    if (x == 0) x = mix32(base - 1U);
    return x;
}

mc_rule mc_rule_of(const slt_mc_params *p)
{
    mc_rule r = {.kind = MC_FLOW, .eta = p->eta, .ridge = p->ridge};
    if (p->model == SLT_MC_RIDGE) r.kind = MC_RIDGE;
    else if (p->eta > 0) r.kind = MC_GD;
    return r;
}

double mc_steps_of(double t, double eta)
{
    if (isinf(t)) return INFINITY;
    double q = t / eta;
    if (!isfinite(q) || q > 9007199254740992.0) return -1.0; /* beyond 2^53 steps */
    double n = nearbyint(q);
    if (fabs(q - n) > 1e-9 * fmax(1.0, n)) return -1.0;
    return n;
}
