/* Empirical Gram spectra (docs/theory/kernels.md §3): n sampled points, K formed with
 * BLAS, the eigenvalues of K/n from LAPACKE_dsyevd, averaged over independent samples;
 * for Gaussian data the analytic spectrum of Rasmussen & Williams §4.3.1
 * (docs/theory/kernels.md §5). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h> /* CBLAS declarations (OpenBLAS provides the symbols) */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <lapacke.h>

#include "kernels_internal.h"
#include "slt/status.h"

/* OpenBLAS's own thread control (as in solvers/montecarlo/run.c): the Gram product and
 * the eigensolver run on one BLAS thread, so that a seed gives bit-identical eigenvalues
 * at any OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (threaded BLAS splits sums differently). */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

slt_kernels_empirical_params slt_kernels_empirical_params_default(void)
{
    slt_kernels_empirical_params p = {.n = 1000, .repeats = 1, .seed = 1, .cov = NULL};
    return p;
}

void slt_kernels_empirical_free(slt_kernels_empirical *e)
{
    if (!e) return;
    free(e->eig);
    free(e->eig_se);
    free(e->block_level);
    free(e->block_mean);
    free(e->block_se);
    free(e->block_first);
    free(e->gauss_value);
    free(e->gauss_mult);
    free(e);
}

/* distinct non-zero 32-bit seeds per sample (GSL keeps 32 bits and maps 0 to 4357) */
static unsigned long sample_seed(uint64_t seed, size_t r)
{
    unsigned long long z = (unsigned long long)seed * 0x9E3779B97F4A7C15ULL + r + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    unsigned long s = (unsigned long)(z & 0xffffffffULL);
    return s ? s : 1;
}

typedef struct {
    double v, m;
} gval;

/* max-heap of multi-indices by value; a node stores its value and the largest coordinate
 * it may still raise (j >= last): each multi-index k ≠ 0 has the unique parent
 * k − e_{m(k)}, m(k) = its last non-zero coordinate, so children k + e_j, j >= m(k),
 * enumerate every multi-index exactly once */
typedef struct {
    double v;
    int last;
} hnode;

static void heap_push(hnode *h, size_t *n, hnode x)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h[p].v >= x.v) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = x;
}

static hnode heap_pop(hnode *h, size_t *n)
{
    hnode top = h[0], x = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1].v > h[c].v) c++;
        if (h[c].v <= x.v) break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0) h[i] = x;
    return top;
}

/* The analytic spectrum Π_i √(2a_i/A_i) B_i^{k_i} (docs/theory/kernels.md §3, §5),
 * best-first: values come off the heap in non-increasing order (every B_i < 1), so the
 * first `need` modes are exactly the top ones; popping goes on while the value equals
 * the last one (relative 1e-12), so the last group is complete. Groups of equal values get
 * their multiplicity. */
static int gauss_analytic(const slt_kernels_params *p, const double *cov, size_t need,
                          slt_kernels_empirical *e)
{
    int d = p->dim;
    double base[64], B[64], top = 1.0;
    if (d > 64) return slt_error(SLT_EINVAL, "Gaussian data: dim = %d is out of range (expected "
                                 "dim <= 64)", d);
    for (int i = 0; i < d; i++) {
        double s = cov ? cov[i] : 1.0;
        double a = 1.0 / (4.0 * s), b = 1.0 / (2.0 * p->width * p->width);
        double c = sqrt(a * a + 2.0 * a * b), A = a + b + c;
        base[i] = sqrt(2.0 * a / A);
        B[i] = b / A;
        top *= base[i];
    }
    /* at most need + (a group) pops; each pop pushes <= d children */
    size_t cap_out = need + 64, cap_h = 64 + (size_t)d * 8, n = 0, nh = 0;
    gval *g = malloc(cap_out * sizeof *g);
    hnode *h = malloc(cap_h * sizeof *h);
    if (!g || !h) {
        free(g); free(h);
        return SLT_ENOMEM;
    }
    heap_push(h, &nh, (hnode){top, 0});
    double last = 0.0;
    while (nh > 0) {
        if (n >= need && !(h[0].v >= last * (1.0 - 1e-12))) break;
        hnode x = heap_pop(h, &nh);
        if (!(x.v >= DBL_MIN)) { /* refuse rather than stop short of n modes */
            free(g); free(h);
            return slt_error(SLT_EDOM, "Gaussian data: the analytic eigenvalue of mode %zu "
                             "underflows (%g < DBL_MIN) before the %zu modes needed; width = "
                             "%.17g and the covariances are too extreme", n + 1, x.v, need,
                             p->width);
        }
        if (n == cap_out || nh + (size_t)d > cap_h) {
            size_t co = n == cap_out ? 2 * cap_out : cap_out, ch = nh + (size_t)d > cap_h ? 2 * cap_h : cap_h;
            gval *g2 = realloc(g, co * sizeof *g);
            if (g2) g = g2;
            hnode *h2 = g2 ? realloc(h, ch * sizeof *h) : NULL;
            if (h2) h = h2;
            if (!g2 || !h2) {
                free(g); free(h);
                return SLT_ENOMEM;
            }
            cap_out = co;
            cap_h = ch;
        }
        g[n++] = (gval){x.v, 1.0};
        last = x.v;
        for (int j = x.last; j < d; j++) heap_push(h, &nh, (hnode){x.v * B[j], j});
    }
    free(h);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && fabs(g[i].v - g[m - 1].v) <= 1e-12 * g[m - 1].v) {
            g[m - 1].m += 1.0;
            continue;
        }
        g[m++] = g[i];
    }
    e->gauss_value = malloc((m + 1) * sizeof(double));
    e->gauss_mult = malloc((m + 1) * sizeof(double));
    if (!e->gauss_value || !e->gauss_mult) {
        free(g);
        return SLT_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        e->gauss_value[i] = g[i].v;
        e->gauss_mult[i] = g[i].m;
    }
    e->n_gauss = m;
    free(g);
    return SLT_OK;
}

int slt_kernels_empirical_compute(const slt_kernels_workspace *ws, slt_data_kind data,
                                  const slt_kernels_empirical_params *p,
                                  const slt_kernels_spectrum *spectrum,
                                  slt_kernels_empirical **out)
{
    static const char *where = "slt_kernels_empirical_compute";
    if (!ws || !p || !out) return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    *out = NULL;
    const slt_kernels_params *kp = &ws->p;
    int rc;
    if ((rc = slt_check_range(where, "n", (double)p->n, 2, 0, 20000, 0))) return rc;
    if ((rc = slt_check_range(where, "repeats", (double)p->repeats, 1, 0, 1000, 0))) return rc;
    if ((data == SLT_DATA_SPHERE && kp->domain != SLT_DOMAIN_SPHERE) ||
        (data == SLT_DATA_TORUS && kp->domain != SLT_DOMAIN_TORUS))
        return slt_error(SLT_EINVAL, "%s: data on the %s needs a kernel on the %s", where,
                         data == SLT_DATA_SPHERE ? "sphere" : "torus",
                         data == SLT_DATA_SPHERE ? "sphere" : "torus");
    if (data == SLT_DATA_GAUSSIAN && kp->kernel != SLT_KERNEL_GAUSSIAN)
        return slt_error(SLT_EINVAL, "%s: Gaussian data needs the gaussian kernel (got %s)",
                         where, slt_kernel_name(kp->kernel));
    if (data == SLT_DATA_GAUSSIAN && p->cov)
        for (int i = 0; i < kp->dim; i++)
            if (!(p->cov[i] > 0) || !isfinite(p->cov[i]))
                return slt_error(SLT_EINVAL, "%s: cov_%d = %.17g is out of range (expected a "
                                 "finite cov > 0)", where, i + 1, p->cov[i]);
    size_t n = p->n, R = p->repeats;
    int d = kp->dim;
    slt_kernels_empirical *e = calloc(1, sizeof *e);
    double *X = malloc(n * (size_t)d * sizeof(double));
    double *K = malloc(n * n * sizeof(double));
    double *w = malloc(n * sizeof(double));
    double *sum = calloc(n, sizeof(double)), *sum2 = calloc(n, sizeof(double));
    slt_kernels_flat_level *fl = NULL;
    size_t nf = 0;
    double *bsum = NULL, *bsum2 = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    rc = (e && X && K && w && sum && sum2 && rng) ? SLT_OK : SLT_ENOMEM;
    if (!rc && spectrum && data != SLT_DATA_GAUSSIAN) {
        rc = slt_kernels_flatten(spectrum, &fl, &nf);
        if (!rc) {
            bsum = calloc(nf + 1, sizeof(double));
            bsum2 = calloc(nf + 1, sizeof(double));
            if (!bsum || !bsum2) rc = SLT_ENOMEM;
        }
    }
    /* Gaussian data: the analytic groups are the blocks (computed before sampling) */
    if (!rc && data == SLT_DATA_GAUSSIAN) {
        rc = gauss_analytic(kp, p->cov, n, e);
        if (!rc) {
            nf = e->n_gauss;
            fl = malloc((nf + 1) * sizeof *fl);
            bsum = calloc(nf + 1, sizeof(double));
            bsum2 = calloc(nf + 1, sizeof(double));
            if (!fl || !bsum || !bsum2) rc = SLT_ENOMEM;
            double k = 0.0;
            for (size_t i = 0; !rc && i < nf; i++) {
                fl[i].level = i;
                fl[i].k_first = k + 1.0;
                fl[i].k_last = k + e->gauss_mult[i];
                fl[i].k_mid = k + 0.5 * (e->gauss_mult[i] + 1.0);
                k += e->gauss_mult[i];
            }
        }
    }
    size_t nb = 0;
    while (!rc && nb < nf && fl[nb].k_last <= (double)n) nb++;
    double trace_acc = 0.0;
    int blas_threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    for (size_t r = 0; r < R && !rc; r++) {
        gsl_rng_set(rng, sample_seed(p->seed, r));
        for (size_t i = 0; i < n; i++) {
            double *x = X + i * (size_t)d;
            if (data == SLT_DATA_SPHERE) {
                double nr = 0.0;
                do {
                    nr = 0.0;
                    for (int k = 0; k < d; k++) {
                        x[k] = gsl_ran_gaussian(rng, 1.0);
                        nr += x[k] * x[k];
                    }
                } while (nr == 0.0);
                nr = 1.0 / sqrt(nr);
                for (int k = 0; k < d; k++) x[k] *= nr;
            } else if (data == SLT_DATA_TORUS) {
                for (int k = 0; k < d; k++) x[k] = 2.0 * M_PI * gsl_rng_uniform(rng);
            } else {
                for (int k = 0; k < d; k++)
                    x[k] = gsl_ran_gaussian(rng, sqrt(p->cov ? p->cov[k] : 1.0));
            }
        }
        if (data != SLT_DATA_TORUS)
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, d, 1.0, X, d, 0.0, K,
                        (int)n);
        double tr = 0.0;
        if (data == SLT_DATA_GAUSSIAN)
            for (size_t i = 0; i < n; i++) w[i] = K[i * n + i]; /* squared norms */
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) {
                double v;
                if (data == SLT_DATA_SPHERE) {
                    double t = i == j ? 1.0 : fmax(-1.0, fmin(1.0, K[i * n + j]));
                    v = slt_kernels_eval_sphere(ws, t);
                } else if (data == SLT_DATA_TORUS) {
                    double dl[3] = {0, 0, 0};
                    for (int k = 0; k < d; k++) dl[k] = X[i * (size_t)d + k] - X[j * (size_t)d + k];
                    v = kn_torus_eval(ws, dl);
                } else {
                    double r2 = i == j ? 0.0 : fmax(w[i] + w[j] - 2.0 * K[i * n + j], 0.0);
                    v = exp(-r2 / (2.0 * kp->width * kp->width));
                }
                K[i * n + j] = v;
                if (i == j) tr += v;
            }
        for (size_t i = 0; i < n; i++) /* lower triangle, after the diagonal was used above */
            for (size_t j = 0; j < i; j++) K[i * n + j] = K[j * n + i];
        trace_acc += tr / (double)n;
        lapack_int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)n, K,
                                         (lapack_int)n, w);
        if (info != 0) {
            rc = slt_error(SLT_ENOCONV, "%s: LAPACKE_dsyevd failed (info = %d)", where, (int)info);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            double v = w[n - 1 - i] / (double)n;
            sum[i] += v;
            sum2[i] += v * v;
        }
        size_t k = 0;
        for (size_t b = 0; b < nb; b++) {
            size_t cnt = (size_t)(fl[b].k_last - fl[b].k_first + 1.0);
            double acc = 0.0;
            for (size_t j = 0; j < cnt; j++, k++) acc += w[n - 1 - k] / (double)n;
            acc /= (double)cnt;
            bsum[b] += acc;
            bsum2[b] += acc * acc;
        }
    }
    openblas_set_num_threads(blas_threads);
    if (!rc) {
        e->n = n;
        e->repeats = R;
        e->eig = malloc(n * sizeof(double));
        e->eig_se = malloc(n * sizeof(double));
        e->n_blocks = nb;
        e->block_level = malloc((nb + 1) * sizeof(size_t));
        e->block_mean = malloc((nb + 1) * sizeof(double));
        e->block_se = malloc((nb + 1) * sizeof(double));
        e->block_first = malloc((nb + 1) * sizeof(double));
        if (!e->eig || !e->eig_se || !e->block_level || !e->block_mean || !e->block_se ||
            !e->block_first)
            rc = SLT_ENOMEM;
    }
    if (!rc) {
        double Rd = (double)R;
        for (size_t i = 0; i < n; i++) {
            double m = sum[i] / Rd;
            e->eig[i] = m;
            e->eig_se[i] = R > 1 ? sqrt(fmax(sum2[i] / Rd - m * m, 0.0) * Rd / (Rd - 1.0) / Rd) : NAN;
        }
        for (size_t b = 0; b < nb; b++) {
            double m = bsum[b] / Rd;
            e->block_level[b] = fl[b].level;
            e->block_mean[b] = m;
            e->block_first[b] = fl[b].k_first;
            e->block_se[b] = R > 1 ? sqrt(fmax(bsum2[b] / Rd - m * m, 0.0) * Rd / (Rd - 1.0) / Rd) : NAN;
        }
        e->trace = trace_acc / Rd;
    }
    gsl_rng_free(rng);
    free(X); free(K); free(w); free(sum); free(sum2); free(fl); free(bsum); free(bsum2);
    if (rc) {
        slt_kernels_empirical_free(e);
        return rc == SLT_ENOMEM ? slt_error(rc, "%s: out of memory for n = %zu", where, n) : rc;
    }
    *out = e;
    return SLT_OK;
}
