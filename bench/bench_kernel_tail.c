/* The tail beyond lmax (solvers/kernels/tail.c): accuracy of the moments M_1 … M_6 and
 * T_0 … T_5 (kernel target) beyond lmax = 20 against the direct sum over a spectrum to
 * lmax = 400 plus its own moments beyond 400, the trace check, and the time per call.
 * docs/theory/kernels.md, "the tail beyond lmax". */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "slt/kernels.h"
#include "slt/status.h"

/* a target of one kind (the kinds these checks use carry no parameter) */
#define TG(k) (&(slt_kernels_target){.kind = (k)})

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static slt_kernels_spectrum *spec(const slt_kernels_params *p)
{
    slt_kernels_workspace *ws = NULL;
    slt_kernels_spectrum *s = NULL;
    if (slt_kernels_alloc(p, &ws)) return NULL;
    int rc = slt_kernels_spectrum_compute(ws, &s);
    slt_kernels_free(ws);
    if (rc && rc != SLT_ENOCONV) {
        slt_kernels_spectrum_free(s);
        return NULL;
    }
    return s;
}

int main(void)
{
    enum { NM = 6 };
    static const struct { slt_kernel_type k; int d, depth; } cs[] = {
        {SLT_KERNEL_RELU_NTK, 3, 1}, {SLT_KERNEL_RELU_NTK, 3, 3}, {SLT_KERNEL_RELU_NTK, 5, 1},
        {SLT_KERNEL_RELU_NTK, 5, 3}, {SLT_KERNEL_RELU_NTK, 10, 1}, {SLT_KERNEL_RELU_NTK, 10, 3},
        {SLT_KERNEL_LAPLACE, 3, 1}, {SLT_KERNEL_LAPLACE, 5, 1}, {SLT_KERNEL_LAPLACE, 10, 1},
    };
    printf("%-9s %3s %5s %6s %8s %10s %10s %10s %10s %10s\n", "kernel", "d", "depth", "l_far",
           "ms", "max|dM|/M", "max err/M", "max|dM|/e", "trace/k1", "terr/k1");
    int bad = 0;
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        slt_kernels_params p = slt_kernels_params_default();
        p.kernel = cs[c].k;
        p.dim = cs[c].d;
        p.depth = cs[c].depth;
        p.lmax = 20;
        slt_kernels_params q = p;
        q.lmax = 400;
        slt_kernels_spectrum *s20 = spec(&p), *s400 = spec(&q);
        if (!s20 || !s400) return 1;
        slt_task_tail t20, t400;
        slt_kernels_tail_info i20, i400;
        double t0 = now();
        int rc = slt_kernels_tail_moments(&p, s20, TG(SLT_KTARGET_KERNEL), NM, &t20, &i20);
        double ms = 1e3 * (now() - t0);
        int rc2 = slt_kernels_tail_moments(&q, s400, TG(SLT_KTARGET_KERNEL), NM, &t400, &i400);
        if (rc || rc2) {
            printf("%s d=%d: %s\n", slt_kernel_name(p.kernel), p.dim, slt_last_error());
            bad = 1;
            continue;
        }
        long double dm[NM + 3] = {0};
        for (size_t l = 21; l <= 400; l++)
            for (int j = 1; j <= NM + 2; j++)
                dm[j] += (long double)s400->levels[l].mult * powl((long double)s400->levels[l].mu, j);
        double dmax = 0, emax = 0, zmax = 0;
        for (int j = 1; j <= NM; j++) {
            double ref = (double)dm[j] + t400.lam_mom[j - 1], e = t20.lam_mom_err[j - 1];
            double dif = fabs(t20.lam_mom[j - 1] - ref);
            dmax = fmax(dmax, dif / ref);
            emax = fmax(emax, e / ref);
            zmax = fmax(zmax, dif / (e + t400.lam_mom_err[j - 1]));
        }
        printf("%-9s %3d %5d %6zu %8.2f %10.2e %10.2e %10.2f %10.2e %10.2e\n",
               slt_kernel_name(p.kernel), p.dim, p.depth, i20.l_far, ms, dmax, emax, zmax,
               i20.trace_check / s20->diag, i20.trace_check_err / s20->diag);
        slt_kernels_spectrum_free(s20);
        slt_kernels_spectrum_free(s400);
    }
    return bad;
}
