/* The sphere-kernel model (SLT_MC_KERNEL): kernel ridge regression with a real
 * dot-product kernel on points drawn uniformly on S^{d−1}, and a zonal target whose power
 * per degree is known exactly. No Gaussian features anywhere, so comparing it with the
 * theories (which assume them) tests that assumption. Derivations and conventions:
 * docs/theory/montecarlo.md §10, docs/theory/conventions.md §10.
 *
 * The kernels are evaluated here from their closed forms, independently of
 * solvers/kernels (which computes their spectra): the referee shares no code with what
 * it checks.
 *
 *   gaussian   k(t) = exp((t − 1)/w²)                  (= exp(−‖x−x'‖²/(2w²)) on the sphere)
 *   laplace    k(t) = exp(−√(2 − 2t)/w)                (= exp(−‖x−x'‖/w))
 *   relu-ntk   Θ^(L): Θ^(0) = Σ^(0) = t, Σ^(l) = a1(Σ^(l−1)), Θ^(l) = Θ^(l−1) a0(Σ^(l−1)) + Σ^(l)
 *   relu-nngp  Σ^(L)
 *   a0(u) = 1 − arccos(u)/π,   a1(u) = [√(1 − u²) + u(π − arccos u)]/π
 *
 * Target f*(x) = Σ_ℓ √(p_ℓ N(d,ℓ)) P_ℓ(x_1), P_ℓ = C_ℓ^{(d−2)/2}/C_ℓ^{(d−2)/2}(1) by the
 * three-term recurrence (ℓ + d − 2) P_{ℓ+1} = (2ℓ + d − 2) t P_ℓ − ℓ P_{ℓ−1}. */
#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc_internal.h"
#include "slt/status.h"

/* The default target: p_1 = p_2 = 1/2. */
static const double default_power[] = {0.0, 0.5, 0.5};

const char *slt_mc_kernel_name(slt_mc_kernel_type kernel)
{
    switch (kernel) {
    case SLT_MC_KERNEL_GAUSSIAN: return "gaussian";
    case SLT_MC_KERNEL_LAPLACE: return "laplace";
    case SLT_MC_KERNEL_RELU_NTK: return "relu-ntk";
    case SLT_MC_KERNEL_RELU_NNGP: return "relu-nngp";
    }
    return "unknown";
}

double mc_sphere_multiplicity(int d, size_t l)
{
    if (l == 0) return 1.0;
    /* N(d,ℓ) = (2ℓ + d − 2)/ℓ · C(ℓ + d − 3, ℓ − 1); the binomial as a product of
     * min(ℓ − 1, d − 2) ratios (exact while the partial products are integers < 2^53). */
    double n = (double)l + (double)d - 3.0;
    size_t k = l - 1;
    if ((size_t)(d - 2) < k) k = (size_t)(d - 2);
    double c = 1.0;
    for (size_t i = 1; i <= k; i++) c = c * (n - (double)k + (double)i) / (double)i;
    return (2.0 * (double)l + (double)d - 2.0) / (double)l * c;
}

int mc_sphere_check(const char *w, const slt_mc_sphere *s)
{
    if (s->dim < 2 || s->dim > 1000)
        return slt_error(SLT_EINVAL, "%s: sphere.dim = %d is out of range (expected 2 <= dim <= "
                         "1000, the ambient dimension d of S^{d-1})", w, s->dim);
    int relu = 0;
    switch (s->kernel) {
    case SLT_MC_KERNEL_GAUSSIAN:
    case SLT_MC_KERNEL_LAPLACE:
        break;
    case SLT_MC_KERNEL_RELU_NTK:
    case SLT_MC_KERNEL_RELU_NNGP:
        relu = 1;
        break;
    default:
        return slt_error(SLT_EINVAL, "%s: sphere.kernel = %d is out of range (expected "
                         "SLT_MC_KERNEL_GAUSSIAN, _LAPLACE, _RELU_NTK or _RELU_NNGP)", w,
                         (int)s->kernel);
    }
    const char *kname = slt_mc_kernel_name(s->kernel);
    int rc;
    if ((rc = slt_check_range(w, "sphere.width", s->width, 0.0, 1, INFINITY, 1))) return rc;
    if (relu && s->width != 1.0)
        return slt_error(SLT_EINVAL, "%s: sphere.width = %.17g with kernel %s (expected width = "
                         "1: the width is used by gaussian and laplace only)", w, s->width,
                         kname);
    if (s->depth < 1 || s->depth > 64)
        return slt_error(SLT_EINVAL, "%s: sphere.depth = %d is out of range (expected 1 <= depth "
                         "<= 64)", w, s->depth);
    if (!relu && s->depth != 1)
        return slt_error(SLT_EINVAL, "%s: sphere.depth = %d with kernel %s (expected depth = 1: "
                         "the depth is used by relu-ntk and relu-nngp only)", w, s->depth, kname);
    if (!s->target_power) {
        if (s->target_levels != 0)
            return slt_error(SLT_EINVAL, "%s: sphere.target_power is NULL with target_levels = "
                             "%zu (expected an array of that many powers, or target_levels = 0 "
                             "for the default target)", w, s->target_levels);
    } else {
        if (s->target_levels < 1 || s->target_levels > SLT_MC_TARGET_LEVELS_MAX)
            return slt_error(SLT_EINVAL, "%s: sphere.target_levels = %zu is out of range "
                             "(expected 1 <= target_levels <= %d, degrees 0 … %d)", w,
                             s->target_levels, SLT_MC_TARGET_LEVELS_MAX,
                             SLT_MC_TARGET_LEVELS_MAX - 1);
        double amp = 0.0;
        for (size_t l = 0; l < s->target_levels; l++) {
            double v = s->target_power[l];
            if (!isfinite(v) || v < 0)
                return slt_error(SLT_EINVAL, "%s: sphere.target_power[%zu] = %.17g is out of "
                                 "range (expected a finite power >= 0)", w, l, v);
            amp += sqrt(v) * sqrt(mc_sphere_multiplicity(s->dim, l));
        }
        /* |f*| <= Σ_ℓ √(p_ℓ N(d,ℓ)) since |P_ℓ| <= 1: keep f*² and the losses finite */
        if (!(amp <= 1e150))
            return slt_error(SLT_EINVAL, "%s: sphere.target_power is too large at dim = %d "
                             "(expected sum_l sqrt(p_l N(d,l)) <= 1e150, the bound on |f*|; got "
                             "%.3g)", w, s->dim, amp);
    }
    if ((rc = slt_check_range(w, "sphere.noise", s->noise, 0.0, 0, INFINITY, 1))) return rc;
    if (s->n_test < 1 || s->n_test > (size_t)INT_MAX)
        return slt_error(SLT_EINVAL, "%s: sphere.n_test = %zu is out of range (expected 1 <= "
                         "n_test <= %d)", w, s->n_test, INT_MAX);
    return SLT_OK;
}

void mc_sphere_setup(const slt_mc_sphere *s, mc_sphere *m)
{
    memset(m, 0, sizeof *m);
    m->d = s->dim;
    m->kernel = s->kernel;
    m->depth = s->depth;
    if (s->kernel == SLT_MC_KERNEL_GAUSSIAN) m->inv_w = 1.0 / (s->width * s->width);
    else m->inv_w = 1.0 / s->width;
    m->k1 = mc_sphere_kernel(m, 1.0);
    const double *power = s->target_power ? s->target_power : default_power;
    m->levels = s->target_power ? s->target_levels : sizeof default_power / sizeof *default_power;
    long double sum = 0.0L;
    for (size_t l = m->levels; l-- > 0;) {
        m->amp[l] = sqrt(power[l]) * sqrt(mc_sphere_multiplicity(m->d, l));
        sum += power[l];
    }
    m->power = (double)sum;
    m->noise = s->noise;
    m->sigma = sqrt(s->noise);
    m->n_test = s->n_test;
}

static double clamp1(double t) { return t > 1.0 ? 1.0 : (t < -1.0 ? -1.0 : t); }

/* The arc-cosine kernels of degree 0 and 1 (Cho & Saul) at u ∈ [−1, 1], from one arccos:
 * with θ = arccos u, a0 = 1 − θ/π and a1 = (sin θ + u(π − θ))/π, sin θ = √((1 − u)(1 + u)). */
static void arccos01(double u, double *a0, double *a1)
{
    /* θ = 2 arcsin √((1 − u)/2) near u = 1, where 1 − u is exact and acos loses digits */
    double th = u > 0.5 ? 2.0 * asin(sqrt(0.5 * (1.0 - u))) : acos(u);
    double s = (1.0 - u) * (1.0 + u);
    *a0 = 1.0 - th / M_PI;
    *a1 = clamp1((sqrt(s > 0 ? s : 0.0) + u * (M_PI - th)) / M_PI);
}

double mc_sphere_kernel(const mc_sphere *m, double t)
{
    t = clamp1(t);
    switch (m->kernel) {
    /* k(1) = 1 exactly: for a width so small that 1/w overflows, 0·inf would be NaN (the
       kernel is then the identity on distinct points, which is its true limit) */
    case SLT_MC_KERNEL_GAUSSIAN:
        return t >= 1.0 ? 1.0 : exp((t - 1.0) * m->inv_w);
    case SLT_MC_KERNEL_LAPLACE: {
        double r2 = 2.0 - 2.0 * t;
        return r2 > 0.0 ? exp(-sqrt(r2) * m->inv_w) : 1.0;
    }
    case SLT_MC_KERNEL_RELU_NTK: {
        double sig = t, theta = t, a0, a1;
        for (int l = 0; l < m->depth; l++) {
            arccos01(sig, &a0, &a1);
            theta = theta * a0 + a1;
            sig = a1;
        }
        return theta;
    }
    case SLT_MC_KERNEL_RELU_NNGP: {
        double sig = t, a0, a1;
        for (int l = 0; l < m->depth; l++) {
            arccos01(sig, &a0, &a1);
            sig = a1;
        }
        return sig;
    }
    }
    return NAN;
}

double mc_sphere_target(const mc_sphere *m, const double *x)
{
    double t = clamp1(x[0]), dd = (double)m->d;
    double prev = 1.0, cur = t, f = m->amp[0];
    if (m->levels > 1) f += m->amp[1] * t;
    for (size_t l = 1; l + 1 < m->levels; l++) {
        double dl = (double)l;
        double next = ((2.0 * dl + dd - 2.0) * t * cur - dl * prev) / (dl + dd - 2.0);
        prev = cur;
        cur = next;
        f += m->amp[l + 1] * cur;
    }
    return f;
}

/* ---- workspace ------------------------------------------------------------------------ */

size_t mc_sphere_ws_doubles(size_t P, size_t d)
{
    const size_t B = MC_SPHERE_BLOCK;
    if (P > (size_t)INT_MAX || d > 1000) return SIZE_MAX;
    return P * P + P * (d + 2) + B * (P + d + 1);
}

void mc_sphere_ws_free(mc_sphere_ws *w)
{
    double **arrays[] = {&w->X, &w->y, &w->K, &w->alpha, &w->G, &w->Xt, &w->ft};
    for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) {
        free(*arrays[i]);
        *arrays[i] = NULL;
    }
}

int mc_sphere_ws_alloc(mc_sphere_ws *w, size_t P, size_t d)
{
    memset(w, 0, sizeof *w);
    const size_t B = MC_SPHERE_BLOCK;
    w->P = P;
    w->d = d;
    struct {
        double **p;
        size_t n;
    } want[] = {{&w->X, P * d}, {&w->y, P},      {&w->K, P * P},  {&w->alpha, P},
                {&w->G, B * P}, {&w->Xt, B * d}, {&w->ft, B}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        if (want[i].n > SIZE_MAX / sizeof(double) ||
            !(*want[i].p = malloc(want[i].n * sizeof(double)))) {
            mc_sphere_ws_free(w);
            return SLT_ENOMEM;
        }
    }
    return SLT_OK;
}

/* ---- the fit and the losses -------------------------------------------------------------- */

void mc_sphere_gram(const mc_sphere *m, size_t n, const double *X, double *K)
{
    const int d = m->d;
    /* lower triangle (row-major) of X Xᵀ */
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, (int)n, d, 1.0, X, d, 0.0, K, (int)n);
    for (size_t i = 0; i < n; i++) {
        double *row = K + i * n;
        for (size_t j = 0; j < i; j++) {
            double v = mc_sphere_kernel(m, row[j]);
            row[j] = v;
            K[j * n + i] = v;
        }
        row[i] = m->k1;
    }
}

int mc_sphere_fit(const mc_sphere *m, double z, size_t P, const double *X, const double *y,
                  mc_sphere_ws *w, double *train, mc_fail *fail)
{
    double *K = w->K, *alpha = w->alpha;
    const lapack_int n = (lapack_int)P;
    const double Pz = (double)P * z;
    mc_sphere_gram(m, P, X, K);
    if (Pz != 0)
        for (size_t i = 0; i < P; i++) K[i * P + i] += Pz;
    /* K is full and symmetric: the column-major calls see the same matrix (no copies). */
    double anorm = LAPACKE_dlansy(LAPACK_COL_MAJOR, '1', 'U', n, K, n);
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, K, n);
    fail->size = P;
    if (info != 0) {
        /* info < 0 here is LAPACKE's own check rejecting a NaN entry: the kernel values the
           user's width or target gave are not finite; that is a numerical failure (exit 1) */
        fail->status = SLT_ELOSS;
        fail->info = (int)info;
        fail->what = info > 0 ? "LAPACKE_dpotrf" : "kernel values";
        return fail->status;
    }
    double rcond = 0.0;
    info = LAPACKE_dpocon(LAPACK_COL_MAJOR, 'U', n, K, n, anorm, &rcond);
    fail->rcond = rcond;
    if (info != 0 || !(rcond >= MC_SPHERE_RCOND_MIN)) {
        fail->status = info != 0 ? (info == LAPACK_WORK_MEMORY_ERROR ? SLT_ENOMEM : SLT_EINTERNAL)
                                 : SLT_ELOSS;
        fail->info = (int)info;
        fail->what = "LAPACKE_dpocon";
        return fail->status;
    }
    memcpy(alpha, y, P * sizeof(double));
    info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', n, 1, K, n, alpha, n);
    if (info != 0) {
        fail->status = SLT_EINTERNAL;
        fail->info = (int)info;
        fail->what = "LAPACKE_dpotrs";
        return fail->status;
    }
    /* (K + PzI)α = y, so the training residual is y − Kα = Pz α exactly. */
    double a2 = cblas_ddot(n, alpha, 1, alpha, 1);
    *train = Pz * Pz * a2 / (double)P;
    return SLT_OK;
}

double mc_sphere_test_block(const mc_sphere *m, size_t P, const double *X, size_t n,
                            const double *Xt, mc_sphere_ws *w)
{
    const int d = m->d;
    double *G = w->G, *ft = w->ft;
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)P, d, 1.0, Xt, d, X, d,
                0.0, G, (int)P);
    for (size_t i = 0; i < n * P; i++) G[i] = mc_sphere_kernel(m, G[i]);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)P, 1.0, G, (int)P, w->alpha, 1, 0.0,
                ft, 1);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = ft[i] - mc_sphere_target(m, Xt + i * (size_t)d);
        sum += e * e;
    }
    return sum;
}

/* n uniform points on S^{d−1}: each row d normals, normalised; a row of zeros (which
 * the ziggurat never returns in practice) is drawn again. */
static void sphere_points(mc_rng *rng, double *X, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++) {
        double *x = X + i * d, r2;
        do {
            mc_normals(rng, x, d);
            r2 = 0.0;
            for (size_t j = 0; j < d; j++) r2 += x[j] * x[j];
        } while (!(r2 > 0));
        double inv = 1.0 / sqrt(r2);
        for (size_t j = 0; j < d; j++) x[j] *= inv;
    }
}

int mc_sphere_trial(const mc_sphere *m, double z, size_t P, mc_rng *rng, mc_sphere_ws *w,
                    double *test, double *train, mc_fail *fail)
{
    const size_t d = (size_t)m->d;
    sphere_points(rng, w->X, P, d);
    mc_normals(rng, w->y, P);
    for (size_t i = 0; i < P; i++) w->y[i] = mc_sphere_target(m, w->X + i * d) + m->sigma * w->y[i];
    int rc = mc_sphere_fit(m, z, P, w->X, w->y, w, train, fail);
    if (rc) return rc;
    double sum = 0.0;
    for (size_t done = 0; done < m->n_test; done += MC_SPHERE_BLOCK) {
        size_t n = m->n_test - done < MC_SPHERE_BLOCK ? m->n_test - done : MC_SPHERE_BLOCK;
        sphere_points(rng, w->Xt, n, d);
        sum += mc_sphere_test_block(m, P, w->X, n, w->Xt, w);
    }
    *test = sum / (double)m->n_test;
    return SLT_OK;
}

/* ---- the explicit-realisation entry points -------------------------------------------- */

static int check_points(const char *w, const char *name, const double *X, size_t n, int d)
{
    if (!X) return slt_error(SLT_EINVAL, "%s: %s is NULL", w, name);
    for (size_t i = 0; i < n; i++) {
        double r2 = 0.0;
        for (int j = 0; j < d; j++) {
            double v = X[i * (size_t)d + (size_t)j];
            if (!isfinite(v))
                return slt_error(SLT_EINVAL, "%s: %s[%zu][%d] = %.17g is not finite", w, name, i,
                                 j, v);
            r2 += v * v;
        }
        if (!(fabs(sqrt(r2) - 1.0) <= 1e-12))
            return slt_error(SLT_EINVAL, "%s: row %zu of %s has norm %.17g (expected a unit "
                             "vector, |norm - 1| <= 1e-12)", w, i, name, sqrt(r2));
    }
    return SLT_OK;
}

static int check_count(const char *w, const char *name, size_t n)
{
    if (n < 1 || n > (size_t)INT_MAX)
        return slt_error(SLT_EINVAL, "%s: %s = %zu is out of range (expected 1 <= %s <= %d)", w,
                         name, n, name, INT_MAX);
    return SLT_OK;
}

/* The checks and set-up shared by the two evaluators on n points X */
static int evaluator_setup(const char *w, const slt_mc_sphere *s, size_t n, const double *X,
                           const double *out, mc_sphere *m)
{
    if (!s || !out) return slt_error(SLT_EINVAL, "%s: sphere or output is NULL", w);
    int rc;
    if ((rc = mc_sphere_check(w, s)) || (rc = check_count(w, "n", n)) ||
        (rc = check_points(w, "X", X, n, s->dim)))
        return rc;
    mc_sphere_setup(s, m);
    return SLT_OK;
}

int slt_mc_kernel_gram(const slt_mc_sphere *s, size_t n, const double *X, double *K)
{
    mc_sphere m;
    int rc = evaluator_setup("slt_mc_kernel_gram", s, n, X, K, &m);
    if (rc) return rc;
    mc_sphere_gram(&m, n, X, K);
    return SLT_OK;
}

int slt_mc_kernel_target(const slt_mc_sphere *s, size_t n, const double *X, double *f)
{
    mc_sphere m;
    int rc = evaluator_setup("slt_mc_kernel_target", s, n, X, f, &m);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) f[i] = mc_sphere_target(&m, X + i * (size_t)s->dim);
    return SLT_OK;
}

/* The message of a failed fit (shared with slt_mc_run's trials). */
int mc_sphere_fail_message(const char *w, const char *prefix, const mc_fail *f, double z)
{
    if (f->status == SLT_ELOSS && f->what && strcmp(f->what, "kernel values") == 0)
        return slt_error(SLT_ELOSS, "%s: %sthe %zu×%zu Gram matrix K + P z I (ridge z = %.17g) "
                         "has entries that are not finite numbers: the kernel's width is beyond "
                         "double precision", w, prefix, f->size, f->size, z);
    if (f->status == SLT_ELOSS && f->what && strcmp(f->what, "LAPACKE_dpotrf") == 0)
        return slt_error(SLT_ELOSS, "%s: %sK + P z I (%zu×%zu, ridge z = %.17g) is not positive "
                         "definite in double precision (LAPACKE_dpotrf info = %d): the kernel's "
                         "spectrum falls below rounding at this P; use a larger ridge z", w,
                         prefix, f->size, f->size, z, f->info);
    if (f->status == SLT_ELOSS)
        return slt_error(SLT_ELOSS, "%s: %sK + P z I (%zu×%zu, ridge z = %.17g) is too "
                         "ill-conditioned (reciprocal condition number %.3g < %.0e): the "
                         "solution would be inaccurate; use a larger ridge z", w, prefix,
                         f->size, f->size, z, f->rcond, MC_SPHERE_RCOND_MIN);
    if (f->status == SLT_ENOMEM)
        return slt_error(SLT_ENOMEM, "%s: %sout of memory (%s)", w, prefix,
                         f->what ? f->what : "allocation");
    return slt_error(f->status, "%s: %s%s failed with info = %d on a %zu×%zu matrix", w, prefix,
                     f->what ? f->what : "a step", f->info, f->size, f->size);
}

int slt_mc_kernel_evaluate(const slt_mc_params *p, size_t P, const double *X, const double *y,
                           size_t n_test, const double *X_test, double *test, double *train)
{
    static const char *w = "slt_mc_kernel_evaluate";
    if (!p) return slt_error(SLT_EINVAL, "%s: parameters are NULL", w);
    if (!test || !train) return slt_error(SLT_EINVAL, "%s: output pointers are NULL", w);
    if (p->model != SLT_MC_KERNEL)
        return slt_error(SLT_EINVAL, "%s: model = %s is out of range (expected kernel; "
                         "slt_mc_evaluate takes rf and ridge)", w, slt_mc_model_name(p->model));
    int rc;
    if ((rc = mc_sphere_check(w, &p->sphere)) ||
        (rc = slt_check_range(w, "ridge", p->ridge, 0.0, 0, INFINITY, 1)) ||
        (rc = check_count(w, "P", P)) || (rc = check_count(w, "n_test", n_test)) ||
        (rc = check_points(w, "X", X, P, p->sphere.dim)) ||
        (rc = check_points(w, "X_test", X_test, n_test, p->sphere.dim)))
        return rc;
    if (!y) return slt_error(SLT_EINVAL, "%s: y is NULL", w);
    for (size_t i = 0; i < P; i++)
        if (!isfinite(y[i]))
            return slt_error(SLT_EINVAL, "%s: y[%zu] = %.17g is not finite", w, i, y[i]);
    mc_sphere m;
    mc_sphere_setup(&p->sphere, &m);
    const size_t d = (size_t)m.d;
    mc_sphere_ws ws;
    if (mc_sphere_ws_alloc(&ws, P, d))
        return slt_error(SLT_ENOMEM, "%s: out of memory (P = %zu)", w, P);
    mc_fail fail = {0};
    rc = mc_sphere_fit(&m, p->ridge, P, X, y, &ws, train, &fail);
    if (rc) {
        rc = mc_sphere_fail_message(w, "", &fail, p->ridge);
    } else {
        double sum = 0.0;
        for (size_t done = 0; done < n_test; done += MC_SPHERE_BLOCK) {
            size_t n = n_test - done < MC_SPHERE_BLOCK ? n_test - done : MC_SPHERE_BLOCK;
            sum += mc_sphere_test_block(&m, P, X, n, X_test + done * d, &ws);
        }
        *test = sum / (double)n_test;
    }
    mc_sphere_ws_free(&ws);
    return rc;
}
