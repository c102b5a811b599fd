/* The kernel registry: one descriptor per kernel type (slt/kernels.h, slt_kernel_info).
 * Adding a kernel: one entry here (docs/extending.md, "How to add a kernel"). */
#include <string.h>

#include "kernels_internal.h"

#define SPHERE SLT_KERNEL_ON(SLT_DOMAIN_SPHERE)
#define TORUS SLT_KERNEL_ON(SLT_DOMAIN_TORUS)

/* indexed by the type; the order of the entries is the order of every listed name */
static const slt_kernel_info registry[] = {
    [SLT_KERNEL_RELU_NTK] = {SLT_KERNEL_RELU_NTK, "relu-ntk", SPHERE, SLT_KPARAM_DEPTH,
                             SLT_KFAMILY_ARCCOS, 0.0},
    [SLT_KERNEL_RELU_NNGP] = {SLT_KERNEL_RELU_NNGP, "relu-nngp", SPHERE, SLT_KPARAM_DEPTH,
                              SLT_KFAMILY_ARCCOS, 0.0},
    [SLT_KERNEL_ARCCOS0] = {SLT_KERNEL_ARCCOS0, "arccos0", SPHERE, 0, SLT_KFAMILY_ARCCOS, 0.0},
    [SLT_KERNEL_GAUSSIAN] = {SLT_KERNEL_GAUSSIAN, "gaussian", SPHERE | TORUS, SLT_KPARAM_WIDTH,
                             SLT_KFAMILY_DISTANCE, 0.0},
    [SLT_KERNEL_LAPLACE] = {SLT_KERNEL_LAPLACE, "laplace", SPHERE | TORUS, SLT_KPARAM_WIDTH,
                            SLT_KFAMILY_DISTANCE, SLT_KERNELS_MIN_LAPLACE_WIDTH},
    [SLT_KERNEL_POLY] = {SLT_KERNEL_POLY, "poly", SPHERE, SLT_KPARAM_POLY,
                         SLT_KFAMILY_POLYNOMIAL, 0.0},
    [SLT_KERNEL_VON_MISES] = {SLT_KERNEL_VON_MISES, "von-mises", TORUS, SLT_KPARAM_WIDTH,
                              SLT_KFAMILY_DISTANCE, 0.0},
    [SLT_KERNEL_TABLE] = {SLT_KERNEL_TABLE, "table", SPHERE | TORUS, SLT_KPARAM_TABLE,
                          SLT_KFAMILY_TABLE, 0.0},
};

#define N_KERNELS (sizeof registry / sizeof *registry)

const slt_kernel_info *slt_kernel_info_get(slt_kernel_type kernel)
{
    /* an entry left out of the table (a hole in the designated initialisers) has no name */
    if ((unsigned)kernel >= N_KERNELS || !registry[kernel].name) return NULL;
    return &registry[kernel];
}

size_t slt_kernel_count(void) { return N_KERNELS; }

static size_t append(char *buf, size_t size, size_t len, const char *s)
{
    size_t n = strlen(s);
    if (len < size) {
        size_t room = size - len - 1, k = n < room ? n : room;
        memcpy(buf + len, s, k);
        buf[len + k] = '\0';
    }
    return len + n;
}

size_t slt_kernel_list(char *buf, size_t size, unsigned domains, unsigned params,
                       const char *sep, const char *last_sep)
{
    const char *names[N_KERNELS];
    size_t n = 0, len = 0;
    for (size_t i = 0; i < N_KERNELS; i++) {
        const slt_kernel_info *k = slt_kernel_info_get((slt_kernel_type)i);
        if (k && (!domains || (k->domains & domains)) && (!params || (k->params & params)))
            names[n++] = k->name;
    }
    if (buf && size > 0) buf[0] = '\0';
    if (!buf) size = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0) len = append(buf, size, len, i + 1 == n ? last_sep : sep);
        len = append(buf, size, len, names[i]);
    }
    return len;
}
