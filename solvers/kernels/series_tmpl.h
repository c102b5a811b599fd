/* Truncated power series and the ReLU series, written once for two floating types:
 * included by series.c with SER_T = double (the kn_ser_* and kn_relu_series of
 * kernels_internal.h) and SER_T = long double (kn_relu_series_ld, whose coefficients and
 * their difference from the double ones give the endpoint method its coefficient values
 * and error bars: issue 12 item 6). Macros: SER_T, SER_FN(name), SER_API (storage),
 * SER_SQRT, SER_ACOS, SER_PI. No include guard: meant to be included twice. */
SER_API void SER_FN(kn_ser_mul)(const SER_T *a, const SER_T *b, SER_T *c, int m)
{
    for (int n = 0; n < m; n++) {
        SER_T acc = 0.0;
        for (int k = 0; k <= n; k++) acc += a[k] * b[n - k];
        c[n] = acc;
    }
}

SER_API int SER_FN(kn_ser_sqrt)(const SER_T *a, SER_T *c, int m)
{
    if (!(a[0] > 0)) return SLT_EDOM;
    c[0] = SER_SQRT(a[0]);
    for (int n = 1; n < m; n++) {
        SER_T acc = a[n];
        for (int k = 1; k < n; k++) acc -= c[k] * c[n - k];
        c[n] = acc / (2.0 * c[0]);
    }
    return SLT_OK;
}

SER_API int SER_FN(kn_ser_div)(const SER_T *a, const SER_T *b, SER_T *c, int m)
{
    if (b[0] == 0.0) return SLT_EDOM;
    for (int n = 0; n < m; n++) {
        SER_T acc = a[n];
        for (int k = 1; k <= n; k++) acc -= b[k] * c[n - k];
        c[n] = acc / b[0];
    }
    return SLT_OK;
}

/* φ = arccos u and q = sin φ for a series u; endpoint = +1/−1 when u(0) = ±1 exactly in
 * the local variable s (u = ±(1 − s² y)). work: 6m elements. */
static int SER_FN(ser_acos)(const SER_T *u, int endpoint, SER_T *phi, SER_T *q, int m, SER_T *work)
{
    SER_T *w1 = work, *w2 = work + m, *w3 = work + 2 * m, *w4 = work + 3 * m,
           *w5 = work + 4 * m;
    int rc;
    if (endpoint == 0) {
        SER_FN(kn_ser_mul)(u, u, w1, m);
        for (int n = 0; n < m; n++) w1[n] = -w1[n];
        w1[0] += 1.0;
        if ((rc = SER_FN(kn_ser_sqrt)(w1, q, m))) return rc;
        for (int n = 0; n < m - 1; n++) w2[n] = -(SER_T)(n + 1) * u[n + 1];
        w2[m - 1] = 0.0;
        if ((rc = SER_FN(kn_ser_div)(w2, q, w3, m))) return rc;
        phi[0] = SER_ACOS(u[0]);
        for (int n = 1; n < m; n++) phi[n] = w3[n - 1] / n;
        return SLT_OK;
    }
    /* x = 1 − (±u), x0 = x1 = 0 by construction (forced; they are rounding otherwise) */
    SER_T sg = endpoint > 0 ? 1.0 : -1.0;
    for (int n = 0; n < m; n++) w1[n] = -sg * u[n];
    w1[0] += 1.0;
    w1[0] = 0.0;
    w1[1] = 0.0;
    /* y = x / s² */
    for (int n = 0; n < m - 2; n++) w2[n] = w1[n + 2];
    w2[m - 2] = w2[m - 1] = 0.0;
    /* y(2 − x) */
    for (int n = 0; n < m; n++) w3[n] = -w1[n];
    w3[0] += 2.0;
    SER_FN(kn_ser_mul)(w2, w3, w4, m);
    if ((rc = SER_FN(kn_ser_sqrt)(w4, w5, m))) return rc; /* √(y(2−x)) */
    q[0] = 0.0;
    for (int n = 1; n < m; n++) q[n] = w5[n - 1];
    for (int n = 0; n < m; n++) w3[n] = (SER_T)(n + 2) * w2[n]; /* 2y + s y' */
    if ((rc = SER_FN(kn_ser_div)(w3, w5, w4, m))) return rc;
    /* φ'(0) = 2y₀/√(2y₀) = √(2y₀) = q'(0) exactly (x₀ = 0): keep the two equal, so that
     * the s¹ terms of A1 = (Σ(π − φ) + q)/π cancel exactly. The rounded quotient left
     * 7e-17 in relu-nngp's s¹ coefficient (exactly 0), whose term relative to the leading
     * s³ one grows like ℓ(ℓ+d): 2.7e-14 at d = 100, ℓ = 92, 2e-10 at d = 3, ℓ = 2000. */
    w4[0] = w5[0];
    phi[0] = 0.0;
    for (int n = 1; n < m; n++) phi[n] = w4[n - 1] / n;
    if (endpoint < 0) {
        for (int n = 0; n < m; n++) phi[n] = -phi[n];
        phi[0] += SER_PI;
    }
    return SLT_OK;
}

SER_API int SER_FN(kn_relu_series)(slt_kernel_type kind, int depth, int point, int m, SER_T *out)
{
    SER_T *buf = calloc((size_t)m * 12, sizeof(SER_T));
    if (!buf) return SLT_ENOMEM;
    SER_T *sig = buf, *theta = buf + m, *phi = buf + 2 * m, *q = buf + 3 * m,
           *a0 = buf + 4 * m, *a1 = buf + 5 * m, *tmp = buf + 6 * m;
    SER_T *work = calloc((size_t)m * 6, sizeof(SER_T));
    if (!work) {
        free(buf);
        return SLT_ENOMEM;
    }
    /* Σ^(0) = t in the local variable */
    if (point > 0) {
        sig[0] = 1.0;
        if (m > 2) sig[2] = -1.0;
    } else if (point < 0) {
        sig[0] = -1.0;
        if (m > 2) sig[2] = 1.0;
    } else if (m > 1) {
        sig[1] = 1.0;
    }
    memcpy(theta, sig, (size_t)m * sizeof(SER_T));
    int layers = kind == SLT_KERNEL_ARCCOS0 ? 1 : depth;
    int rc = SLT_OK;
    for (int l = 1; l <= layers && !rc; l++) {
        int endpoint = 0;
        if (point > 0) endpoint = 1;
        if (point < 0 && l == 1) endpoint = -1;
        if ((rc = SER_FN(ser_acos)(sig, endpoint, phi, q, m, work))) break;
        for (int n = 0; n < m; n++) {
            a0[n] = -phi[n] / SER_PI;
            tmp[n] = -phi[n];
        }
        a0[0] += 1.0;
        tmp[0] += SER_PI;
        SER_FN(kn_ser_mul)(sig, tmp, a1, m);
        for (int n = 0; n < m; n++) a1[n] = (a1[n] + q[n]) / SER_PI;
        if (kind == SLT_KERNEL_ARCCOS0) {
            memcpy(out, a0, (size_t)m * sizeof(SER_T));
            break;
        }
        SER_FN(kn_ser_mul)(theta, a0, tmp, m);
        for (int n = 0; n < m; n++) theta[n] = tmp[n] + a1[n];
        memcpy(sig, a1, (size_t)m * sizeof(SER_T));
        if (point > 0) sig[0] = 1.0; /* exactly 1 at t = 1 (rounding otherwise) */
    }
    if (!rc && kind != SLT_KERNEL_ARCCOS0)
        memcpy(out, kind == SLT_KERNEL_RELU_NTK ? theta : sig, (size_t)m * sizeof(SER_T));
    free(work);
    free(buf);
    return rc;
}

/* the parameters are per instantiation: the next one defines them anew */
#undef SER_T
#undef SER_FN
#undef SER_API
#undef SER_SQRT
#undef SER_ACOS
#undef SER_PI
