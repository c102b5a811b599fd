/* Translation-invariant kernels on T^d, d = 1, 2, 3 (docs/theory/kernels.md §2, §5):
 * every kernel here is even in each coordinate, so λ_n = (2π)^{-d} ∫ k(δ) e^{-in·δ} dδ
 * is a d-dimensional DCT-I (FFTW REDFT00) of the samples k(2πj/G), j = 0 … G/2, divided by G^d. The samples give
 * the aliased sums Σ_m λ_{n+mG}; the grid is doubled once (G → 2G) and the difference is
 * the error estimate, plus a rounding floor. Plans are made in kn_torus_alloc (ESTIMATE:
 * the arrays are not touched), on the calling thread. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_internal.h"
#include "slt/status.h"

static size_t pow2_at_least(size_t n)
{
    size_t g = 16;
    while (g < n) g *= 2;
    return g;
}

int kn_torus_alloc(slt_kernels_workspace *ws)
{
    const slt_kernels_params *p = &ws->p;
    int d = p->dim;
    size_t need = 2 * (p->lmax + 1) + 16;
    if (ws->type->torus_grid_need) need = ws->type->torus_grid_need(p, need);
    size_t g = pow2_at_least(need);
    size_t cap = d == 1 ? 1u << 18 : d == 2 ? 4096 : 512;
    if (g > cap / 2) g = cap / 2;
    for (int r = 0; r < 2; r++) {
        size_t G = g << r, N = G / 2 + 1, tot = 1;
        for (int i = 0; i < d; i++) tot *= N;
        ws->grid[r] = (int)G;
        ws->fft_buf[r] = fftw_malloc(tot * sizeof(double));
        if (!ws->fft_buf[r]) return slt_error(SLT_ENOMEM, "slt_kernels_alloc: out of memory "
                                              "for a %zu^%d grid", N, d);
        int dims[3] = {(int)N, (int)N, (int)N};
        fftw_r2r_kind kinds[3] = {FFTW_REDFT00, FFTW_REDFT00, FFTW_REDFT00};
        ws->plan[r] = fftw_plan_r2r(d, dims, ws->fft_buf[r], ws->fft_buf[r], kinds, FFTW_ESTIMATE);
        if (!ws->plan[r])
            return slt_error(SLT_EINTERNAL, "slt_kernels_alloc: FFTW could not plan a DCT-I "
                             "of size %zu^%d", N, d);
    }
    return SLT_OK;
}

void kn_torus_free(slt_kernels_workspace *ws)
{
    for (int r = 0; r < 2; r++) {
        if (ws->plan[r]) fftw_destroy_plan(ws->plan[r]);
        if (ws->fft_buf[r]) fftw_free(ws->fft_buf[r]);
        ws->plan[r] = NULL;
        ws->fft_buf[r] = NULL;
    }
}

/* reduce to [0, π] using periodicity and evenness */
static double fold(double x)
{
    x = fmod(fabs(x), 2.0 * M_PI);
    return x > M_PI ? 2.0 * M_PI - x : x;
}

double kn_torus_eval(const slt_kernels_workspace *ws, const double *delta)
{
    const slt_kernels_params *p = &ws->p;
    double v = 1.0;
    if (!ws->type->torus_factor) return NAN;
    for (int i = 0; i < p->dim; i++) {
        double k = ws->type->torus_factor(ws, fold(delta[i])); /* the kernel's file, k_*.c */
        if (isnan(k)) return NAN; /* a table spline that failed */
        v *= k;
    }
    return v;
}

/* fills buffer r with the samples and transforms; returns Σ|k| over the full grid / G^d */
static double torus_transform(slt_kernels_workspace *ws, int r)
{
    int d = ws->p.dim;
    size_t G = (size_t)ws->grid[r], N = G / 2 + 1;
    size_t n2 = d >= 2 ? N : 1, n3 = d >= 3 ? N : 1;
    double *buf = ws->fft_buf[r], h = 2.0 * M_PI / (double)G, absum = 0.0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < n2; j++)
            for (size_t k = 0; k < n3; k++) {
                double delta[3] = {h * i, h * j, h * k};
                double v = kn_torus_eval(ws, delta);
                buf[(i * n2 + j) * n3 + k] = v;
                double wgt = (i == 0 || i == N - 1 ? 1 : 2) * (d >= 2 ? (j == 0 || j == N - 1 ? 1 : 2) : 1) *
                             (d >= 3 ? (k == 0 || k == N - 1 ? 1 : 2) : 1);
                absum += wgt * fabs(v);
            }
    fftw_execute(ws->plan[r]);
    double scale = pow((double)G, -d);
    size_t tot = N * n2 * n3;
    for (size_t i = 0; i < tot; i++) buf[i] *= scale;
    return absum * scale;
}

typedef struct {
    int n[3];
    long long norm2;
} tuple;

static int tuple_cmp(const void *a, const void *b)
{
    const tuple *x = a, *y = b;
    if (x->norm2 != y->norm2) return x->norm2 < y->norm2 ? -1 : 1;
    for (int i = 0; i < 3; i++)
        if (x->n[i] != y->n[i]) return x->n[i] < y->n[i] ? -1 : 1;
    return 0;
}

static double tuple_mult(const int *n, int d)
{
    /* sign choices × distinct permutations */
    double m = 1.0;
    for (int i = 0; i < d; i++)
        if (n[i]) m *= 2.0;
    if (d == 2) m *= (n[0] != n[1]) ? 2.0 : 1.0;
    if (d == 3) {
        if (n[0] == n[1] && n[1] == n[2]) m *= 1.0;
        else if (n[0] == n[1] || n[1] == n[2]) m *= 3.0;
        else m *= 6.0;
    }
    return m;
}

int kn_torus_spectrum(slt_kernels_workspace *ws, slt_kernels_spectrum *s)
{
    const slt_kernels_params *p = &ws->p;
    int d = p->dim;
    long long lm = (long long)p->lmax, l2 = lm * lm;
    double floor_[2];
    for (int r = 0; r < 2; r++) floor_[r] = torus_transform(ws, r);
    s->grid = (size_t)ws->grid[1];
    /* representatives n1 >= n2 >= n3 >= 0: the wrapped Gaussian (λ a decreasing function
     * of |n|²) with |n|² <= lmax²; every other kernel (products of 1-D kernels on T², T³,
     * tables whose coefficients need not decrease) the cube max_i |n_i| = n1 <= lmax, cut
     * below at τ further down */
    int isotropic = ws->type->torus_isotropic;
    size_t cap = 16, cnt = 0;
    tuple *tu = malloc(cap * sizeof *tu);
    if (!tu) return slt_error(SLT_ENOMEM, "slt_kernels_spectrum_compute: out of memory");
    for (long long a = 0; a <= lm; a++)
        for (long long b = 0; b <= (d >= 2 ? a : 0); b++)
            for (long long c = 0; c <= (d >= 3 ? b : 0); c++) {
                long long n2 = a * a + b * b + c * c;
                if (isotropic && d >= 2 && n2 > l2) continue;
                if (cnt == cap) {
                    cap *= 2;
                    tuple *t2 = realloc(tu, cap * sizeof *tu);
                    if (!t2) {
                        free(tu);
                        return slt_error(SLT_ENOMEM, "slt_kernels_spectrum_compute: out of memory");
                    }
                    tu = t2;
                }
                tu[cnt].n[0] = (int)a;
                tu[cnt].n[1] = (int)b;
                tu[cnt].n[2] = (int)c;
                tu[cnt].norm2 = n2;
                cnt++;
            }
    qsort(tu, cnt, sizeof *tu, tuple_cmp);
    s->levels = calloc(cnt, sizeof(slt_kernels_level));
    if (!s->levels) {
        free(tu);
        return slt_error(SLT_ENOMEM, "slt_kernels_spectrum_compute: out of memory");
    }
    /* τ: the largest eigenvalue of a mode outside the enumerated set, over the finer grid
     * (every index up to its Nyquist frequency, which is > lmax + 8; the modes past it are
     * aliased into these values). Keeping only enumerated modes above τ leaves no mode
     * with a larger eigenvalue out. */
    double tau = -INFINITY;
    {
        size_t N = (size_t)ws->grid[1] / 2 + 1, n2 = d >= 2 ? N : 1, n3 = d >= 3 ? N : 1;
        const double *buf = ws->fft_buf[1];
        for (size_t i = 0; i < N; i++)
            for (size_t j = 0; j < n2; j++)
                for (size_t k = 0; k < n3; k++) {
                    long long q2 = (long long)(i * i + j * j + k * k);
                    size_t mx = i > j ? (i > k ? i : k) : (j > k ? j : k);
                    int outside = isotropic ? (d >= 2 ? q2 > l2 : (long long)i > lm)
                                            : (long long)mx > lm;
                    if (outside) tau = fmax(tau, buf[(i * n2 + j) * n3 + k]);
                }
    }
    size_t nl = 0;
    int conv = 1;
    for (size_t i = 0; i < cnt; i++) {
        double v[2];
        for (int r = 0; r < 2; r++) {
            size_t N = (size_t)ws->grid[r] / 2 + 1, n2 = d >= 2 ? N : 1, n3 = d >= 3 ? N : 1;
            v[r] = ws->fft_buf[r][((size_t)tu[i].n[0] * n2 + (size_t)tu[i].n[1]) * n3 + (size_t)tu[i].n[2]];
        }
        double fl = KN_EPS * (8.0 + 2.0 * log2((double)ws->grid[1]) * d) * floor_[1];
        double diff = fabs(v[1] - v[0]);
        double err = diff + fl;
        /* a resolved positive eigenvalue at or below τ: some mode outside may be larger,
         * so this one is left out with them (unresolved levels stay: never flattened) */
        if (v[1] > err && !(v[1] > tau)) continue;
        if (diff > fmax(p->rel_tol * fabs(v[1]), 4.0 * fl)) conv = 0;
        double m = tuple_mult(tu[i].n, d);
        if (isotropic && d >= 2 && nl > 0 && s->levels[nl - 1].norm2 == tu[i].norm2) {
            slt_kernels_level *L = &s->levels[nl - 1];
            double tot = L->mult + m;
            double spread = fabs(v[1] - L->mu);
            L->mu = (L->mu * L->mult + v[1] * m) / tot;
            L->mu_err = fmax(L->mu_err, err) + spread;
            L->mult = tot;
            L->log_mult = log(tot);
            continue;
        }
        slt_kernels_level *L = &s->levels[nl];
        L->degree = nl;
        L->norm2 = tu[i].norm2;
        memcpy(L->wave, tu[i].n, sizeof L->wave);
        L->mult = m;
        L->log_mult = log(m);
        L->mu = v[1];
        L->mu_err = err;
        L->method = SLT_KMETHOD_FFT;
        nl++;
    }
    s->n_levels = nl;
    free(tu);
    if (!conv)
        return slt_error(SLT_ENOCONV, "slt_kernels_spectrum_compute: the %d^%d grid did not "
                         "resolve every eigenvalue to rel_tol = %g (errors are reported per "
                         "level)", ws->grid[1], d, p->rel_tol);
    return SLT_OK;
}
