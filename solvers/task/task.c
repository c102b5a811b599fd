/* Task construction, validation, accessors and the text file format. */
#include "task_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slt/status.h"

slt_power_law_params slt_power_law_params_default(void)
{
    slt_power_law_params p = {.alpha = 2.0, .beta = 0.5, .amp_lambda = 1.0, .amp_target = 1.0,
                              .noise = 0.0};
    return p;
}

int slt_power_law_params_check(const slt_power_law_params *p)
{
    static const char *where = "power-law task";
    if (!p) return slt_error(SLT_EINVAL, "%s: parameters are NULL", where);
    int rc;
    if ((rc = slt_check_range(where, "alpha", p->alpha, 1.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "beta", p->beta, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "amp_lambda", p->amp_lambda, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "amp_target", p->amp_target, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "noise", p->noise, 0.0, 0, INFINITY, 1))) return rc;
    return SLT_OK;
}

static slt_task *task_new(size_t m)
{
    slt_task *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->lambda = malloc(m * sizeof(double));
    t->target = malloc(m * sizeof(double));
    if (!t->lambda || !t->target) {
        slt_task_free(t);
        return NULL;
    }
    t->m = m;
    return t;
}

int slt_task_alloc_power_law(const slt_power_law_params *p, slt_task **task)
{
    if (!task) return slt_error(SLT_EINVAL, "slt_task_alloc_power_law: task pointer is NULL");
    *task = NULL;
    int rc = slt_power_law_params_check(p);
    if (rc) return rc;
    slt_task *t = task_new(SLT_TASK_HEAD_CACHE);
    if (!t) return slt_error(SLT_ENOMEM, "slt_task_alloc_power_law: out of memory");
    t->kind = SLT_TASK_POWER_LAW;
    t->law = *p;
    t->q = p->alpha * p->beta + 1.0;
    t->noise = p->noise;
    /* single powers, to an ulp or so: exp(-q ln k) carried |q ln k| u, 1.2e-13 relative
     * at q = 401, k = 4, which the sums' rounding bound does not see (issue 10) */
    for (size_t k = 1; k <= t->m; k++) {
        t->lambda[k - 1] = p->amp_lambda * pow((double)k, -p->alpha);
        t->target[k - 1] = p->amp_target * pow((double)k, -t->q);
    }
    *task = t;
    return SLT_OK;
}

/* tname: what the second array is called in messages ("target" for modes, "power" for
 * levels). */
static int check_explicit(size_t m, const double *lambda, const double *target, double noise,
                          const char *where, const char *tname)
{
    if (m == 0) return slt_error(SLT_EINVAL, "%s: an explicit task needs at least one mode", where);
    if (!lambda || !target) return slt_error(SLT_EINVAL, "%s: lambda or %s array is NULL", where,
                                             tname);
    int rc = slt_check_range(where, "noise", noise, 0.0, 0, INFINITY, 1);
    if (rc) return rc;
    for (size_t i = 0; i < m; i++) {
        if (!isfinite(lambda[i]) || !(lambda[i] > 0))
            return slt_error(SLT_EINVAL, "%s: lambda_%zu = %.17g is out of range (expected a "
                             "finite lambda > 0)", where, i + 1, lambda[i]);
        if (!isfinite(target[i]) || !(target[i] >= 0))
            return slt_error(SLT_EINVAL, "%s: %s_%zu = %.17g is out of range (expected a "
                             "finite %s >= 0)", where, tname, i + 1, target[i], tname);
        if (i > 0 && lambda[i] > lambda[i - 1])
            return slt_error(SLT_EINVAL, "%s: lambda_%zu = %.17g exceeds lambda_%zu = %.17g "
                             "(eigenvalues must be in descending order)", where, i + 1,
                             lambda[i], i, lambda[i - 1]);
    }
    return SLT_OK;
}

/* A multiplicity: a whole number, 1 <= m < 2^53. */
static int mult_ok(double m) { return m >= 1.0 && m < SLT_LEVEL_MULT_MAX && m == floor(m); }

static int check_mult(size_t n, const double *mult, const char *where)
{
    for (size_t i = 0; mult && i < n; i++)
        if (!mult_ok(mult[i]))
            return slt_error(SLT_EINVAL, "%s: mult_%zu = %.17g is out of range (expected a whole "
                             "number 1 <= mult < 2^53)", where, i + 1, mult[i]);
    return SLT_OK;
}

/* The task of n checked levels; mult NULL or all ones gives the per-mode task. */
static int make_levels(size_t n, const double *lambda, const double *mult, const double *power,
                       double noise, const char *where, slt_task **task)
{
    slt_task *t = task_new(n);
    if (!t) return slt_error(SLT_ENOMEM, "%s: out of memory for %zu modes", where, n);
    t->kind = SLT_TASK_EXPLICIT;
    t->noise = noise;
    memcpy(t->lambda, lambda, n * sizeof(double));
    memcpy(t->target, power, n * sizeof(double));
    t->modes = n;
    int ones = 1;
    for (size_t i = 0; mult && i < n && ones; i++) ones = mult[i] == 1.0;
    if (!ones) {
        t->mult = malloc(n * sizeof(double));
        t->cum = malloc(n * sizeof(size_t));
        if (!t->mult || !t->cum) {
            slt_task_free(t);
            return slt_error(SLT_ENOMEM, "%s: out of memory for %zu levels", where, n);
        }
        memcpy(t->mult, mult, n * sizeof(double));
        size_t c = 0;
        for (size_t i = 0; i < n; i++) {
            /* mult < 2^53 <= SIZE_MAX on 64-bit; saturate on overflow */
            double mi = mult[i];
            size_t k = mi >= (double)SIZE_MAX ? SIZE_MAX : (size_t)mi;
            c = (c > SIZE_MAX - k) ? SIZE_MAX : c + k;
            t->cum[i] = c;
        }
        t->modes = c; /* SIZE_MAX = SLT_MODES_INFINITE: does not fit */
    }
    slt_task_build_clusters(t);
    *task = t;
    return SLT_OK;
}

int slt_task_alloc_explicit(size_t m, const double *lambda, const double *target, double noise,
                            slt_task **task)
{
    static const char *where = "slt_task_alloc_explicit";
    if (!task) return slt_error(SLT_EINVAL, "%s: task pointer is NULL", where);
    *task = NULL;
    int rc = check_explicit(m, lambda, target, noise, where, "target");
    if (rc) return rc;
    return make_levels(m, lambda, NULL, target, noise, where, task);
}

int slt_power_law_truncated_check(const slt_power_law_params *p, size_t M)
{
    static const char *where = "truncated power-law task";
    if (!p) return slt_error(SLT_EINVAL, "%s: parameters are NULL", where);
    if (M < 1 || M > SLT_TASK_TRUNCATED_MAX)
        return slt_error(SLT_EINVAL, "%s: M = %zu is out of range (expected a whole number 1 <= M "
                         "<= %.0f)", where, M, (double)SLT_TASK_TRUNCATED_MAX);
    int rc;
    /* finitely many modes: any α > 0 and any real β give a finite trace and target power */
    if ((rc = slt_check_range(where, "alpha", p->alpha, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "beta", p->beta, -INFINITY, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "amp_lambda", p->amp_lambda, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "amp_target", p->amp_target, 0.0, 1, INFINITY, 1))) return rc;
    if ((rc = slt_check_range(where, "noise", p->noise, 0.0, 0, INFINITY, 1))) return rc;
    return SLT_OK;
}

int slt_task_alloc_power_law_truncated(const slt_power_law_params *p, size_t M, slt_task **task)
{
    static const char *where = "slt_task_alloc_power_law_truncated";
    if (!task) return slt_error(SLT_EINVAL, "%s: task pointer is NULL", where);
    *task = NULL;
    int rc = slt_power_law_truncated_check(p, M);
    if (rc) return rc;
    double *lam = malloc(M * sizeof *lam), *tgt = malloc(M * sizeof *tgt);
    if (!lam || !tgt) {
        free(lam);
        free(tgt);
        return slt_error(SLT_ENOMEM, "%s: out of memory for M = %zu modes", where, M);
    }
    /* the power law's own formulas (slt_task_alloc_power_law): single powers */
    const double q = p->alpha * p->beta + 1.0;
    for (size_t k = 1; k <= M; k++) {
        lam[k - 1] = p->amp_lambda * pow((double)k, -p->alpha);
        tgt[k - 1] = p->amp_target * pow((double)k, -q);
    }
    rc = check_explicit(M, lam, tgt, p->noise, where, "target");
    if (rc == SLT_OK) rc = make_levels(M, lam, NULL, tgt, p->noise, where, task);
    free(lam);
    free(tgt);
    return rc;
}

int slt_task_alloc_levels(size_t n, const double *lambda, const double *mult, const double *power,
                          double noise, slt_task **task)
{
    static const char *where = "slt_task_alloc_levels";
    if (!task) return slt_error(SLT_EINVAL, "%s: task pointer is NULL", where);
    *task = NULL;
    int rc = check_explicit(n, lambda, power, noise, where, "power");
    if (!rc) rc = check_mult(n, mult, where);
    if (rc) return rc;
    return make_levels(n, lambda, mult, power, noise, where, task);
}

/* A finite value >= 0 of the tail, named in the message. */
static int tail_value_ok(const char *where, const char *field, int idx, double v)
{
    if (isfinite(v) && v >= 0.0) return SLT_OK;
    if (idx < 0)
        return slt_error(SLT_EINVAL, "%s: tail.%s = %.17g is out of range (expected a finite "
                         "value >= 0)", where, field, v);
    return slt_error(SLT_EINVAL, "%s: tail.%s[%d] = %.17g is out of range (expected a finite "
                     "value >= 0)", where, field, idx, v);
}

/* The checks of slt_task_alloc_levels_tail on the tail (task.h). */
static int check_tail(const slt_task_tail *tl, const char *where)
{
    if (tl->n_mom < 1 || tl->n_mom > SLT_TAIL_MOMENTS)
        return slt_error(SLT_EINVAL, "%s: tail.n_mom = %zu is out of range (expected 1 <= n_mom "
                         "<= %d)", where, tl->n_mom, SLT_TAIL_MOMENTS);
    if (!isfinite(tl->lambda_sup) || !(tl->lambda_sup > 0.0))
        return slt_error(SLT_EINVAL, "%s: tail.lambda_sup = %.17g is out of range (expected a "
                         "finite lambda_sup > 0)", where, tl->lambda_sup);
    int rc;
    for (size_t j = 0; j < tl->n_mom; j++) {
        if ((rc = tail_value_ok(where, "lam_mom", (int)j, tl->lam_mom[j])) ||
            (rc = tail_value_ok(where, "lam_mom_err", (int)j, tl->lam_mom_err[j])) ||
            (rc = tail_value_ok(where, "tgt_mom", (int)j, tl->tgt_mom[j])) ||
            (rc = tail_value_ok(where, "tgt_mom_err", (int)j, tl->tgt_mom_err[j])))
            return rc;
    }
    if ((rc = tail_value_ok(where, "null_power", -1, tl->null_power)) ||
        (rc = tail_value_ok(where, "null_power_err", -1, tl->null_power_err)))
        return rc;
    if (isnan(tl->modes) || !(tl->modes >= 0.0))
        return slt_error(SLT_EINVAL, "%s: tail.modes = %.17g is out of range (expected modes >= 0,"
                         " INFINITY allowed)", where, tl->modes);
    /* 0 < λ <= λ_sup on the tail: X_{j+1} = Σ w λ^{j+1} <= λ_sup X_j, within the errors;
     * and M_1 = Σ m λ <= λ_sup · modes */
    const double ls = tl->lambda_sup;
    if (tl->lam_mom[0] - tl->lam_mom_err[0] > ls * tl->modes * (1.0 + 8.0 * DBL_EPSILON))
        return slt_error(SLT_EINVAL, "%s: tail.modes = %.17g is too few for tail.lam_mom[0] = "
                         "%.17g with lambda_sup = %.17g (M_1 <= lambda_sup modes)", where,
                         tl->modes, tl->lam_mom[0], ls);
    for (size_t j = 0; j + 1 < tl->n_mom; j++) {
        const double *x[2] = {tl->lam_mom, tl->tgt_mom}, *e[2] = {tl->lam_mom_err, tl->tgt_mom_err};
        static const char *name[2] = {"lam_mom", "tgt_mom"};
        for (int q = 0; q < 2; q++) {
            double lo = x[q][j + 1] - e[q][j + 1], hi = ls * (x[q][j] + e[q][j]);
            if (lo > hi * (1.0 + 8.0 * DBL_EPSILON))
                return slt_error(SLT_EINVAL, "%s: tail.%s[%zu] = %.17g exceeds lambda_sup = %.17g "
                                 "times tail.%s[%zu] = %.17g beyond their errors (the moments "
                                 "of eigenvalues <= lambda_sup must satisfy X_{j+1} <= "
                                 "lambda_sup X_j)", where, name[q], j + 1, x[q][j + 1], ls,
                                 name[q], j, x[q][j]);
        }
    }
    return SLT_OK;
}

int slt_task_alloc_levels_tail(size_t n, const double *lambda, const double *mult,
                               const double *power, double noise, const slt_task_tail *tail,
                               slt_task **task)
{
    static const char *where = "slt_task_alloc_levels_tail";
    if (!task) return slt_error(SLT_EINVAL, "%s: task pointer is NULL", where);
    *task = NULL;
    int rc = check_explicit(n, lambda, power, noise, where, "power");
    if (!rc) rc = check_mult(n, mult, where);
    if (!rc && tail) rc = check_tail(tail, where);
    if (rc) return rc;
    rc = make_levels(n, lambda, mult, power, noise, where, task);
    if (rc || !tail) return rc;
    (*task)->has_tail = 1;
    (*task)->tail = *tail;
    return SLT_OK;
}

int slt_task_get_tail(const slt_task *task, slt_task_tail *out)
{
    if (!task || !out) return slt_error(SLT_EINVAL, "slt_task_get_tail: NULL argument");
    if (!task->has_tail)
        return slt_error(SLT_EDOM, "slt_task_get_tail: the task has no tail (%s)",
                         task->kind == SLT_TASK_POWER_LAW ? "a power law" : "only its levels");
    *out = task->tail;
    return SLT_OK;
}

void slt_task_build_clusters(slt_task *t)
{
    t->n_head = t->m;
    t->n_clusters = 0;
    if (t->kind != SLT_TASK_EXPLICIT || t->m < SLT_CLUSTER_MIN_TASK) return;
    size_t cap = 64, n = 0;
    slt_cluster *cl = malloc(cap * sizeof *cl);
    if (!cl) return;
    /* from the smallest eigenvalue upwards, while runs are long enough to pay off */
    size_t i = t->m; /* clusters cover [i, m) */
    while (i > 0) {
        size_t last = i - 1, j = last;
        const double limit = t->lambda[last] * (1.0 + 2.0 * SLT_CLUSTER_HALF_WIDTH);
        while (j > 0 && t->lambda[j - 1] <= limit) j--;
        size_t count = last - j + 1;
        if (count < SLT_CLUSTER_MIN_MODES) break;
        if (n == cap) {
            slt_cluster *more = realloc(cl, 2 * cap * sizeof *cl);
            if (!more) break;
            cl = more;
            cap *= 2;
        }
        slt_cluster *c = &cl[n++];
        memset(c, 0, sizeof *c);
        c->first = j;
        c->count = count;
        double lo = t->lambda[last], hi = t->lambda[j];
        c->c = 0.5 * (lo + hi);
        c->rho = 0.5 * (hi - lo);
        /* λ − c is exact (Sterbenz: c/2 <= λ <= 2c); a term w·δ^n carries n + 3
         * roundings; blocks of SLT_CLUSTER_BLOCK keep the sum's rounding at
         * block + count/block steps instead of count (sums.c bounds it by mom_round) */
        for (size_t b = j; b <= last; b += SLT_CLUSTER_BLOCK) {
            const size_t e = last + 1 - b > SLT_CLUSTER_BLOCK ? b + SLT_CLUSTER_BLOCK : last + 1;
            double part[3][SLT_CLUSTER_MOMENTS] = {{0}};
            for (size_t k = b; k < e; k++) {
                const double mu = t->mult ? t->mult[k] : 1.0; /* mu·l is l exactly when mu = 1 */
                double l = t->lambda[k], d = l - c->c, w[3] = {mu * l, mu * l * l, t->target[k]};
                double p = 1.0;
                for (int q = 0; q < 3; q++) c->wsum[q] += fabs(w[q]);
                for (int n = 0; n < SLT_CLUSTER_MOMENTS; n++) {
                    for (int q = 0; q < 3; q++) part[q][n] += w[q] * p;
                    p *= d;
                }
            }
            for (int q = 0; q < 3; q++)
                for (int n = 0; n < SLT_CLUSTER_MOMENTS; n++) c->mom[q][n] += part[q][n];
        }
        c->mom_round = ((double)SLT_CLUSTER_BLOCK + (double)(count / SLT_CLUSTER_BLOCK) +
                        SLT_CLUSTER_MOMENTS + 8.0) * DBL_EPSILON;
        i = j;
    }
    if (n == 0) {
        free(cl);
        return;
    }
    t->clusters = cl;
    t->n_clusters = n;
    t->n_head = i;
}

void slt_task_free(slt_task *task)
{
    if (!task) return;
    free(task->lambda);
    free(task->target);
    free(task->mult);
    free(task->cum);
    free(task->clusters);
    free(task);
}

/* Parses one whole-token real; 0 on success. */
static int parse_token(const char *tok, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(tok, &end);
    return (end == tok || *end != '\0') ? -1 : 0;
}

/* Reads line `lineno` of the task file into buf (SLT_TASK_LINE_MAX characters at most,
 * without the line end); *bytes counts what the file has given so far. Returns 1 (a
 * line), 0 (end of file) or a failure status with a message naming the file and line:
 * SLT_EFORMAT for an overlong line, a NUL byte or a file over SLT_TASK_FILE_MAX bytes,
 * SLT_EIO for a read error. A UTF-8 byte-order mark opening line 1 is skipped. */
static int read_task_line(FILE *f, const char *name, size_t lineno, char *buf, size_t *bytes)
{
    size_t n = 0;
    int c, any = 0;
    while ((c = getc(f)) != EOF) {
        any = 1;
        if (++*bytes > SLT_TASK_FILE_MAX)
            return slt_error(SLT_EFORMAT, "%s, line %zu: the file is larger than %zu bytes", name,
                             lineno, (size_t)SLT_TASK_FILE_MAX);
        if (c == '\n') break;
        if (c == '\0')
            return slt_error(SLT_EFORMAT, "%s, line %zu: a NUL byte (not a text file)", name,
                             lineno);
        if (n == SLT_TASK_LINE_MAX)
            return slt_error(SLT_EFORMAT, "%s, line %zu: longer than %d characters", name, lineno,
                             SLT_TASK_LINE_MAX);
        buf[n++] = (char)c;
    }
    if (ferror(f)) return slt_error(SLT_EIO, "%s, line %zu: read error: %s", name, lineno,
                                    strerror(errno));
    buf[n] = '\0';
    if (lineno == 1 && strncmp(buf, "\xEF\xBB\xBF", 3) == 0) memmove(buf, buf + 3, n - 2);
    return any;
}

/* ---- The moment tail in the task file --------------------------------------------- *
 * Structured comment lines, which readers of the plain format skip as comments:
 *   #% tail n_mom=J lambda_sup=… null_power=… null_power_err=… modes=…   (modes may be inf)
 *   #% mom j M_j M_j_err T_{j-1} T_{j-1}_err                          (j = 1 … J, once each)
 * 17 significant digits, so a task round-trips bit for bit. */
typedef struct {
    int have;            /* a "#% tail" line was read */
    size_t tail_line;    /* its line number */
    size_t first, last;  /* the first and last "#%" line */
    unsigned char seen[SLT_TAIL_MOMENTS];
    size_t seen_line[SLT_TAIL_MOMENTS];
    slt_task_tail tail;
} tail_reader;

/* a finite number >= 0 (the tail's moments, errors and powers) */
static int tail_number(const char *tok, double *v, int allow_inf)
{
    if (parse_token(tok, v)) return -1;
    if (isnan(*v) || *v < 0.0 || (!allow_inf && isinf(*v))) return -1;
    return 0;
}

/* One "#%" line (text after the "#%"); SLT_EINVAL naming the file and line. */
static int tail_line(tail_reader *r, char *text, const char *name, size_t lineno)
{
    char *save = NULL, *tok[8];
    int ntok = 0;
    for (char *p = strtok_r(text, " \t\r", &save); p && ntok < 8; p = strtok_r(NULL, " \t\r", &save))
        tok[ntok++] = p;
    if (!r->first) r->first = lineno;
    r->last = lineno;
    if (ntok >= 1 && strcmp(tok[0], "tail") == 0) {
        if (r->have)
            return slt_error(SLT_EINVAL, "%s, line %zu: a second '#%% tail' line (the first is "
                             "line %zu)", name, lineno, r->tail_line);
        r->have = 1;
        r->tail_line = lineno;
        int got_n = 0, got_sup = 0, got_modes = 0;
        for (int i = 1; i < ntok; i++) {
            char *eq = strchr(tok[i], '=');
            double v;
            if (!eq)
                return slt_error(SLT_EINVAL, "%s, line %zu: '%s' is not key=value in the '#%% "
                                 "tail' line", name, lineno, tok[i]);
            *eq = '\0';
            const char *key = tok[i], *val = eq + 1;
            int bad = tail_number(val, &v, strcmp(key, "modes") == 0);
            if (strcmp(key, "n_mom") == 0 && !bad && v >= 1 && v <= SLT_TAIL_MOMENTS && v == floor(v)) {
                r->tail.n_mom = (size_t)v;
                got_n = 1;
            } else if (strcmp(key, "lambda_sup") == 0 && !bad && v > 0) {
                r->tail.lambda_sup = v;
                got_sup = 1;
            } else if (strcmp(key, "null_power") == 0 && !bad) {
                r->tail.null_power = v;
            } else if (strcmp(key, "null_power_err") == 0 && !bad) {
                r->tail.null_power_err = v;
            } else if (strcmp(key, "modes") == 0 && !bad) {
                r->tail.modes = v;
                got_modes = 1;
            } else if (strcmp(key, "n_mom") && strcmp(key, "lambda_sup") &&
                       strcmp(key, "null_power") && strcmp(key, "null_power_err") &&
                       strcmp(key, "modes")) {
                return slt_error(SLT_EINVAL, "%s, line %zu: unknown key '%s' in the '#%% tail' "
                                 "line (expected n_mom, lambda_sup, null_power, null_power_err, "
                                 "modes)", name, lineno, key);
            } else {
                return slt_error(SLT_EINVAL, "%s, line %zu: %s = '%s' is out of range (n_mom: "
                                 "a whole number 1 … %d; lambda_sup: finite > 0; null_power, "
                                 "null_power_err: finite >= 0; modes: >= 0 or inf)", name, lineno,
                                 key, val, SLT_TAIL_MOMENTS);
            }
        }
        if (!got_n || !got_sup || !got_modes)
            return slt_error(SLT_EINVAL, "%s, line %zu: the '#%% tail' line lacks %s", name,
                             lineno, !got_n ? "n_mom=" : !got_sup ? "lambda_sup=" : "modes=");
        return SLT_OK;
    }
    if (ntok >= 1 && strcmp(tok[0], "mom") == 0) {
        double j, v[4];
        if (ntok != 6 || parse_token(tok[1], &j) || !(j >= 1 && j <= SLT_TAIL_MOMENTS) ||
            j != floor(j))
            return slt_error(SLT_EINVAL, "%s, line %zu: expected '#%% mom j M_j M_j_err T_j-1 "
                             "T_j-1_err' with a whole j in 1 … %d", name, lineno,
                             SLT_TAIL_MOMENTS);
        for (int i = 0; i < 4; i++)
            if (tail_number(tok[2 + i], &v[i], 0))
                return slt_error(SLT_EINVAL, "%s, line %zu: '%s' is not a finite number >= 0",
                                 name, lineno, tok[2 + i]);
        size_t k = (size_t)j - 1;
        if (r->seen[k])
            return slt_error(SLT_EINVAL, "%s, line %zu: moment %zu again (first on line %zu)",
                             name, lineno, k + 1, r->seen_line[k]);
        r->seen[k] = 1;
        r->seen_line[k] = lineno;
        r->tail.lam_mom[k] = v[0];
        r->tail.lam_mom_err[k] = v[1];
        r->tail.tgt_mom[k] = v[2];
        r->tail.tgt_mom_err[k] = v[3];
        return SLT_OK;
    }
    return slt_error(SLT_EINVAL, "%s, line %zu: unknown '#%%' line (expected '#%% tail …' or "
                     "'#%% mom …'; a plain comment starts with '#' alone)", name, lineno);
}

/* After the last line: the tail complete (every moment 1 … n_mom, none beyond). */
static int tail_finish(const tail_reader *r, const char *name)
{
    if (!r->first) return SLT_OK;
    if (!r->have)
        return slt_error(SLT_EINVAL, "%s, line %zu: '#%% mom' lines without a '#%% tail' line",
                         name, r->first);
    for (size_t k = r->tail.n_mom; k < SLT_TAIL_MOMENTS; k++)
        if (r->seen[k])
            return slt_error(SLT_EINVAL, "%s, line %zu: moment %zu beyond n_mom = %zu (line "
                             "%zu)", name, r->seen_line[k], k + 1, r->tail.n_mom, r->tail_line);
    for (size_t k = 0; k < r->tail.n_mom; k++)
        if (!r->seen[k])
            return slt_error(SLT_EINVAL, "%s, line %zu: n_mom = %zu, but moment %zu has no '#%% "
                             "mom' line", name, r->tail_line, r->tail.n_mom, k + 1);
    return SLT_OK;
}

int slt_task_read_file(const char *path, double noise, slt_task **task)
{
    static const char *where = "slt_task_read_file";
    if (!task) return slt_error(SLT_EINVAL, "%s: task pointer is NULL", where);
    *task = NULL;
    if (!path) return slt_error(SLT_EINVAL, "%s: path is NULL", where);
    const int from_stdin = strcmp(path, "-") == 0;
    FILE *f = from_stdin ? stdin : fopen(path, "r");
    if (!f) return slt_error(SLT_EIO, "cannot open task file '%s': %s", path, strerror(errno));
    char name[300];
    snprintf(name, sizeof name, from_stdin ? "task file '-' (standard input)" : "task file '%s'",
             path);

    size_t cap = 1024, m = 0, lineno = 0, bytes = 0, first_line = 0;
    int ncol = 0; /* 2 or 3, fixed by the first line with numbers */
    tail_reader tr;
    memset(&tr, 0, sizeof tr);
    double *lam = malloc(cap * sizeof *lam), *tgt = malloc(cap * sizeof *tgt);
    double *mul = malloc(cap * sizeof *mul);
    char *line = malloc(SLT_TASK_LINE_MAX + 1);
    int rc = (lam && tgt && mul && line) ? SLT_OK
                                         : slt_error(SLT_ENOMEM, "%s: out of memory", where);
    while (rc == SLT_OK) {
        int got = read_task_line(f, name, lineno + 1, line, &bytes);
        if (got != 1) {
            if (got != 0) rc = got;
            break;
        }
        lineno++;
        const char *lead = line + strspn(line, " \t");
        if (lead[0] == '#' && lead[1] == '%') { /* the moment tail (structured comment) */
            if ((rc = tail_line(&tr, (char *)lead + 2, name, lineno))) break;
            continue;
        }
        char *hash = strchr(line, '#'); /* a comment, whole-line or trailing */
        if (hash) *hash = '\0';
        char *save = NULL, *tok[4];
        int ntok = 0;
        for (char *p = strtok_r(line, " \t\r,", &save); p && ntok < 4;
             p = strtok_r(NULL, " \t\r,", &save))
            tok[ntok++] = p;
        if (ntok == 0) continue;
        double l, t, mu = 1.0;
        if (ntok < 2 || ntok > 3 || parse_token(tok[0], &l) || parse_token(tok[1], &t) ||
            (ntok == 3 && parse_token(tok[2], &mu))) {
            if (ncol == 3)
                rc = slt_error(SLT_EFORMAT, "%s, line %zu: expected three numbers 'lambda power "
                               "mult'", name, lineno);
            else
                rc = slt_error(SLT_EFORMAT, "%s, line %zu: expected two numbers 'lambda target'",
                               name, lineno);
            break;
        }
        if (ncol == 0) {
            ncol = ntok;
            first_line = lineno;
        } else if (ntok != ncol) {
            rc = slt_error(SLT_EFORMAT, "%s, line %zu: %d numbers, but line %zu has %d (a task "
                           "file has two columns on every line or three on every line)", name,
                           lineno, ntok, first_line, ncol);
            break;
        }
        if (!isfinite(l) || !isfinite(t) || !isfinite(mu)) {
            rc = slt_error(SLT_EFORMAT, "%s, line %zu: '%s' is not a finite number", name, lineno,
                           !isfinite(l) ? tok[0] : !isfinite(t) ? tok[1] : tok[2]);
            break;
        }
        if (!mult_ok(mu)) {
            rc = slt_error(SLT_EINVAL, "%s, line %zu: mult = %.17g is out of range (expected a "
                           "whole number 1 <= mult < 2^53)", name, lineno, mu);
            break;
        }
        if (m == cap) {
            cap *= 2;
            double *nl = realloc(lam, cap * sizeof *lam), *nt = nl ? realloc(tgt, cap * sizeof *tgt) : NULL;
            double *nm = nt ? realloc(mul, cap * sizeof *mul) : NULL;
            if (nl) lam = nl;
            if (nt) tgt = nt;
            if (nm) mul = nm;
            if (!nl || !nt || !nm) {
                rc = slt_error(SLT_ENOMEM, "%s: out of memory at line %zu", where, lineno);
                break;
            }
        }
        lam[m] = l;
        tgt[m] = t;
        mul[m] = mu;
        m++;
    }
    if (!from_stdin) fclose(f);
    free(line);
    if (rc == SLT_OK) rc = tail_finish(&tr, name);
    if (rc == SLT_OK && m == 0)
        rc = slt_error(SLT_EFORMAT, "%s has no modes", name);
    if (rc == SLT_OK) {
        rc = check_explicit(m, lam, tgt, noise, name, ncol == 3 ? "power" : "target");
        if (rc == SLT_OK && tr.have) {
            char tw[360];
            snprintf(tw, sizeof tw, "%s, lines %zu-%zu (the tail)", name, tr.first, tr.last);
            rc = check_tail(&tr.tail, tw);
        }
        if (rc == SLT_OK) rc = make_levels(m, lam, ncol == 3 ? mul : NULL, tgt, noise, where, task);
        if (rc == SLT_OK && tr.have) {
            (*task)->has_tail = 1;
            (*task)->tail = tr.tail;
        }
    }
    free(lam);
    free(tgt);
    free(mul);
    return rc;
}

int slt_task_write(const slt_task *task, FILE *out, size_t m_head)
{
    if (!task || !out) return slt_error(SLT_EINVAL, "slt_task_write: task or stream is NULL");
    size_t m = task->m;
    int bad = 0;
    if (task->kind == SLT_TASK_POWER_LAW) {
        if (m_head < 1) return slt_error(SLT_EINVAL, "slt_task_write: m_head = 0 (expected >= 1)");
        m = m_head;
        slt_sum all;
        int rc = slt_sum_target(task, &all);
        if (rc) return rc;
        double head = 0;
        for (size_t k = 1; k <= m; k++) head += slt_task_target(task, k);
        bad |= fprintf(out, "# power law alpha=%.17g beta=%.17g A_lambda=%.17g A_t=%.17g; "
                       "first %zu modes; target mass left out: %.17g\n",
                       task->law.alpha, task->law.beta, task->law.amp_lambda,
                       task->law.amp_target, m, all.value - head) < 0;
    }
    if (task->has_tail) { /* the moment tail, as structured comments (slt_task_read_file) */
        const slt_task_tail *tl = &task->tail;
        bad |= fprintf(out, "# the spectrum beyond the listed levels, by its moments "
                       "(docs/theory/task.md, \"the moment tail\"): M_j = sum m lambda^j, "
                       "T_j = sum P lambda^j\n") < 0;
        bad |= fprintf(out, "#%% tail n_mom=%zu lambda_sup=%.17g null_power=%.17g "
                       "null_power_err=%.17g modes=%.17g\n", tl->n_mom, tl->lambda_sup,
                       tl->null_power, tl->null_power_err, tl->modes) < 0;
        bad |= fprintf(out, "# j M_j M_j_err T_(j-1) T_(j-1)_err\n") < 0;
        for (size_t j = 0; j < tl->n_mom && !bad; j++)
            bad |= fprintf(out, "#%% mom %zu %.17g %.17g %.17g %.17g\n", j + 1, tl->lam_mom[j],
                           tl->lam_mom_err[j], tl->tgt_mom[j], tl->tgt_mom_err[j]) < 0;
    }
    if (task->kind == SLT_TASK_EXPLICIT && task->mult) {
        bad |= fprintf(out, "# lambda power mult (power: the line's total target power; %zu "
                       "levels)\n", task->m) < 0;
        for (size_t i = 0; i < task->m && !bad; i++)
            bad |= fprintf(out, "%.17g %.17g %.17g\n", task->lambda[i], task->target[i],
                           task->mult[i]) < 0;
        m = 0;
    } else {
        bad |= fprintf(out, "# lambda target\n") < 0;
    }
    for (size_t k = 1; k <= m && !bad; k++)
        bad |= fprintf(out, "%.17g %.17g\n", slt_task_lambda(task, k), slt_task_target(task, k)) < 0;
    if (bad || fflush(out) != 0 || ferror(out))
        return slt_error(SLT_EIO, "writing the task failed");
    return SLT_OK;
}

slt_task_kind slt_task_get_kind(const slt_task *task) { return task->kind; }

size_t slt_task_modes(const slt_task *task)
{
    return (task->kind == SLT_TASK_POWER_LAW || task->has_tail) ? SLT_MODES_INFINITE : task->modes;
}

double slt_task_modes_total(const slt_task *task)
{
    if (task->kind == SLT_TASK_POWER_LAW) return INFINITY;
    double s = 0.0;
    if (!task->mult) s = (double)task->m;
    else
        for (size_t i = 0; i < task->m; i++) s += task->mult[i];
    return task->has_tail ? s + task->tail.modes : s;
}

double slt_task_noise(const slt_task *task) { return task->noise; }

/* The level (0-based) holding mode k >= 1 of a task with multiplicities: the first i with
 * cum[i] >= k; task->m if there is none. */
static size_t level_of_mode(const slt_task *task, size_t k)
{
    size_t lo = 0, hi = task->m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (task->cum[mid] >= k) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

double slt_task_lambda(const slt_task *task, size_t k)
{
    if (k == 0) return NAN;
    if (task->mult) {
        size_t i = level_of_mode(task, k);
        return i < task->m ? task->lambda[i] : NAN;
    }
    if (k <= task->m) return task->lambda[k - 1];
    if (task->kind == SLT_TASK_EXPLICIT) return NAN;
    return task->law.amp_lambda * pow((double)k, -task->law.alpha);
}

double slt_task_target(const slt_task *task, size_t k)
{
    if (k == 0) return NAN;
    if (task->mult) {
        size_t i = level_of_mode(task, k);
        return i < task->m ? task->target[i] / task->mult[i] : NAN;
    }
    if (k <= task->m) return task->target[k - 1];
    if (task->kind == SLT_TASK_EXPLICIT) return NAN;
    return task->law.amp_target * pow((double)k, -task->q);
}

size_t slt_task_levels(const slt_task *task)
{
    return (task && task->kind == SLT_TASK_EXPLICIT) ? task->m : 0;
}

int slt_task_level(const slt_task *task, size_t i, slt_level *level)
{
    if (!task || !level) return slt_error(SLT_EINVAL, "slt_task_level: NULL argument");
    if (i == 0 || (task->kind == SLT_TASK_EXPLICIT && i > task->m))
        return slt_error(SLT_EINVAL, "slt_task_level: level %zu is out of range (expected 1 <= i "
                         "<= %zu)", i, slt_task_levels(task));
    if (task->kind == SLT_TASK_POWER_LAW) {
        slt_level v = {slt_task_lambda(task, i), 1.0, slt_task_target(task, i)};
        *level = v;
        return SLT_OK;
    }
    slt_level v = {task->lambda[i - 1], task->mult ? task->mult[i - 1] : 1.0, task->target[i - 1]};
    *level = v;
    return SLT_OK;
}

int slt_task_power_law(const slt_task *task, slt_power_law_params *p)
{
    if (!task || !p) return slt_error(SLT_EINVAL, "slt_task_power_law: NULL argument");
    if (task->kind != SLT_TASK_POWER_LAW)
        return slt_error(SLT_EINVAL, "slt_task_power_law: the task is explicit, not a power law");
    *p = task->law;
    return SLT_OK;
}
