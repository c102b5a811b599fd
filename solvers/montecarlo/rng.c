/* Random numbers of the Monte Carlo module: GSL's mt19937 and ziggurat normals.
 *
 * This is the only file of the module that includes GSL's random-number headers:
 * gsl_randist.h includes gsl_cblas.h, whose CBLAS enums clash with OpenBLAS's cblas.h
 * (Debian 12), so the BLAS-using files never see it. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "mc_internal.h"

/* mc_rng is never defined: an mc_rng * is a gsl_rng * under another name, so the
 * other files need no GSL header. */
mc_rng *mc_rng_alloc(uint32_t seed)
{
    /* gsl_rng_alloc reports failure through the error handler, which slt_init turned
     * off, and returns NULL. */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    if (!g) return NULL;
    gsl_rng_set(g, (unsigned long)seed);
    return (mc_rng *)g;
}

void mc_rng_free(mc_rng *r)
{
    if (r) gsl_rng_free((gsl_rng *)r);
}

void mc_normals(mc_rng *r, double *x, size_t n)
{
    gsl_rng *g = (gsl_rng *)r;
    for (size_t i = 0; i < n; i++) x[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
}
