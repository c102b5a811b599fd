/* The kernel registry: every kernel type, one line each. A kernel is one file
 * (solvers/kernels/k_*.c) defining a kn_kernel_type: its descriptor (slt_kernel_info: name,
 * domains, parameters read, family) and its functions; adding one is that file, a value in
 * slt_kernel_type (slt/kernels.h) and one line here (docs/extending.md). */
#include <string.h>

#include "kernels_internal.h"

/* X(type, the kn_kernel_type defined in its file); the order is the order of every listed
 * name (choices, messages) */
#define KN_KERNEL_TYPES(X)                                                                  \
    X(SLT_KERNEL_RELU_NTK, kn_kernel_relu_ntk)                                              \
    X(SLT_KERNEL_RELU_NNGP, kn_kernel_relu_nngp)                                            \
    X(SLT_KERNEL_ARCCOS0, kn_kernel_arccos0)                                                \
    X(SLT_KERNEL_GAUSSIAN, kn_kernel_gaussian)                                              \
    X(SLT_KERNEL_LAPLACE, kn_kernel_laplace)                                                \
    X(SLT_KERNEL_POLY, kn_kernel_poly)                                                      \
    X(SLT_KERNEL_VON_MISES, kn_kernel_von_mises)                                            \
    X(SLT_KERNEL_TABLE, kn_kernel_table)

#define KN_DECLARE(type, var) extern const kn_kernel_type var;
KN_KERNEL_TYPES(KN_DECLARE)
#define KN_ENTRY(type, var) [type] = &var,
/* indexed by the type */
static const kn_kernel_type *const registry[] = {KN_KERNEL_TYPES(KN_ENTRY)};

#define N_KERNELS (sizeof registry / sizeof *registry)

const kn_kernel_type *kn_kernel_type_get(slt_kernel_type kernel)
{
    /* a type left out of the list (a hole in the designated initialisers) is not a kernel;
     * neither is an entry whose descriptor names another type */
    if ((unsigned)kernel >= N_KERNELS || !registry[kernel] ||
        registry[kernel]->info.type != kernel)
        return NULL;
    return registry[kernel];
}

const slt_kernel_info *slt_kernel_info_get(slt_kernel_type kernel)
{
    const kn_kernel_type *k = kn_kernel_type_get(kernel);
    return k ? &k->info : NULL;
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
    if (!buf) size = 0;
    if (size > 0) buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0) len = append(buf, size, len, i + 1 == n ? last_sep : sep);
        len = append(buf, size, len, names[i]);
    }
    return len;
}
