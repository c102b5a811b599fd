/* slt/task.h — learning tasks and the mode sums every solver is built from.
 *
 * A task is the sequence of feature/kernel eigenvalues λ_k (descending), the target
 * power per mode t_k = λ_k w*_k², and the label-noise variance σ²
 * (docs/theory/conventions.md §1). Two kinds:
 *   power law   λ_k = A_λ k^{-α},  t_k = A_t k^{-(αβ+1)},  k = 1 … ∞;
 *   explicit    finite arrays (λ_k, t_k), k = 1 … M, from memory or a text file; or
 *               levels (λ_i, m_i, P_i), i = 1 … n: m_i modes sharing λ_i, total target
 *               power P_i, summed level by level (slt_task_alloc_levels).
 *
 * Mode sums Σ_k f(λ_k, t_k) run over every mode. For power-law tasks they run to
 * k = ∞: an explicit head plus an Euler–Maclaurin tail (integral by adaptive quadrature,
 * or in closed form where one exists; where λ_k or t_k leave the double range, the rest is
 * extrapolated from the summand's fitted power-law decay) with an error estimate.
 * Nothing is truncated silently: every sum returns value and error bound, or a failure
 * status.
 *
 * A task is immutable after allocation, so sums on one task may run concurrently. */
#ifndef SLT_TASK_H
#define SLT_TASK_H

#include "slt/export.h"

#include <stddef.h>
#include <stdio.h>

/* slt_complex: the complex double of the public interface. In C it is `double complex`
 * (C99 <complex.h>); in C++ std::complex<double>, which has the same layout (an array of
 * two doubles, real part first) and is passed and returned the same way, so C++ programs
 * can include these headers and call the library. */
#ifdef __cplusplus
#include <complex>
typedef std::complex<double> slt_complex;
#else
#include <complex.h>
typedef double complex slt_complex;
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SLT_TASK_POWER_LAW = 0, SLT_TASK_EXPLICIT = 1 } slt_task_kind;

/* Number of modes reported for an infinite (power-law) task. */
#define SLT_MODES_INFINITE ((size_t)-1)

typedef struct slt_task slt_task;

/* What the E members of an ensemble share, one enum for every solver and the Monte Carlo
 * (docs/theory/dmft.md, docs/theory/montecarlo.md §6). Unused when E = 1. */
typedef enum {
    SLT_SHARE_NONE = 0,      /* independent projections A and independent data            */
    SLT_SHARE_DATA = 1,      /* one training set, independent projections                 */
    SLT_SHARE_PROJECTION = 2 /* one projection A, independent training sets (bagging)      */
} slt_share;

/* "none", "data", "projection"; NULL for a value that is not one of the enum's. */
SLT_API const char *slt_share_to_string(slt_share share);
/* SLT_OK, or SLT_EINVAL (leaving *out unchanged) for an unknown or NULL name. */
SLT_API int slt_share_from_string(const char *name, slt_share *out);

/* ---- Power-law tasks ------------------------------------------------------------ */

typedef struct {
    double alpha;      /* capacity α > 1 (trace-class spectrum)            default 2   */
    double beta;       /* source β > 0 (finite initial loss)               default 0.5 */
    double amp_lambda; /* A_λ > 0                                          default 1   */
    double amp_target; /* A_t > 0                                          default 1   */
    double noise;      /* label-noise variance σ² >= 0                     default 0   */
} slt_power_law_params;

SLT_API slt_power_law_params slt_power_law_params_default(void);
/* SLT_OK, or SLT_EINVAL naming the field, its value and the accepted range. */
SLT_API int slt_power_law_params_check(const slt_power_law_params *p);
SLT_API int slt_task_alloc_power_law(const slt_power_law_params *p, slt_task **task);

/* ---- Power laws truncated at M modes --------------------------------------------- */

/* Largest M of a truncated power law (16 bytes a mode, plus the clusters). */
#define SLT_TASK_TRUNCATED_MAX ((size_t)100000000)

/* SLT_OK, or SLT_EINVAL naming the field or M, its value and the accepted range:
 * 1 <= M <= SLT_TASK_TRUNCATED_MAX, alpha > 0 and beta finite (any sign: finitely many
 * modes have a finite trace and target power, so alpha <= 1 is allowed, e.g. the PLRF
 * letters with 2 alpha_P < 1), amplitudes > 0, noise >= 0. Thread safe. */
SLT_API int slt_power_law_truncated_check(const slt_power_law_params *p, size_t M);

/* The power law truncated at M modes: λ_k = A_λ k^{-α}, t_k = A_t k^{-(αβ+1)},
 * k = 1 … M (each a single pow, as slt_task_alloc_power_law computes its head), as an
 * explicit task of M modes (SLT_TASK_EXPLICIT): every sum is the exact finite sum over
 * the M modes with the explicit task's error bound (docs/theory/task.md, "power laws
 * truncated at M"). This is the one rule behind every command's --M. Errors: those of
 * slt_power_law_truncated_check, SLT_EINVAL when λ_M or t_M leaves the double range
 * (naming the mode), SLT_ENOMEM. Thread safety: none needed (no shared state). */
SLT_API int slt_task_alloc_power_law_truncated(const slt_power_law_params *p, size_t M,
                                               slt_task **task);

/* ---- Explicit tasks ------------------------------------------------------------- */

/* Copies m >= 1 pairs. λ_k must be finite, > 0 and non-increasing; t_k finite, >= 0;
 * noise finite, >= 0. The message names the first offending index. */
SLT_API int slt_task_alloc_explicit(size_t m, const double *lambda, const double *target,
                                    double noise, slt_task **task);

/* ---- Levels: eigenvalues shared by several modes --------------------------------- */

/* A level: the eigenvalue lambda > 0 shared by `mult` modes (a whole number >= 1), and
 * `power`, the level's TOTAL target power Σ over its modes of t (per-mode t = power/mult).
 * A plain mode is a level with mult = 1 and power = t. */
typedef struct {
    double lambda, mult, power;
} slt_level;

/* Largest multiplicity a level may have: mult must be a whole number below 2^53 (every
 * whole number up to it is a double). */
#define SLT_LEVEL_MULT_MAX 9007199254740992.0

/* Copies n >= 1 levels (λ_i, m_i, P_i): λ finite, > 0, non-increasing (equal λ allowed);
 * mult NULL means every m_i = 1, otherwise each m_i finite, whole, 1 <= m_i <
 * SLT_LEVEL_MULT_MAX; power finite, >= 0 (the level's total target power); noise finite,
 * >= 0. The task is explicit (SLT_TASK_EXPLICIT) and every sum, solver and accessor gives
 * the same answer as on its expansion into Σ m_i modes, at the cost of n levels.
 * With every m_i = 1 it is the task slt_task_alloc_explicit(n, lambda, power, ...) makes,
 * bit for bit. Errors: SLT_EINVAL naming the first bad level (index from 1) and its value,
 * SLT_ENOMEM. Thread safety: none needed (no shared state). */
SLT_API int slt_task_alloc_levels(size_t n, const double *lambda, const double *mult,
                                  const double *power, double noise, slt_task **task);

/* The part of a spectrum not listed as levels (e.g. a kernel's degrees beyond lmax),
 * known by its moments. All values finite and >= 0, errors absolute:
 *   lam_mom[j-1] = M_j = Σ_tail m λ^j, j = 1 … n_mom (M_1 is the tail's trace);
 *   tgt_mom[j]   = T_j = Σ_tail P λ^j, j = 0 … n_mom−1 (T_0 is its target power);
 * lambda_sup >= every tail eigenvalue (it may exceed the last level's λ: the parities of
 * deep ReLU kernels interleave); null_power is the target power on λ = 0 modes (never
 * learned); modes is the number of tail modes (INFINITY for a kernel). The sums use
 * M_{j+i} <= lambda_sup^i M_j for the remainder of their series in λ/z.
 * (docs/theory/task.md, "the moment tail") */
#define SLT_TAIL_MOMENTS 24
typedef struct {
    size_t n_mom; /* 1 … SLT_TAIL_MOMENTS */
    double lam_mom[SLT_TAIL_MOMENTS], lam_mom_err[SLT_TAIL_MOMENTS];
    double tgt_mom[SLT_TAIL_MOMENTS], tgt_mom_err[SLT_TAIL_MOMENTS];
    double lambda_sup;
    double null_power, null_power_err;
    double modes;
} slt_task_tail;

/* slt_task_alloc_levels plus a moment tail: the task's spectrum is the n levels AND the
 * part `tail` describes (copied; NULL = no tail, then exactly slt_task_alloc_levels).
 * The tail is checked: 1 <= n_mom <= SLT_TAIL_MOMENTS; every moment, error, null_power
 * and null_power_err finite and >= 0; lambda_sup finite and > 0; modes >= 0 (INFINITY
 * allowed, NaN not); and consistent with lambda_sup: M_{j+1} <= lambda_sup·M_j and
 * T_{j+1} <= lambda_sup·T_j, M_1 <= lambda_sup·modes, within their errors. On a task with a tail: every named sum
 * (slt_sum_df, df2, kt1, k2t2, decay, target, trace, d3, k3, the slt_csum_ forms and
 * slt_csum_resolvent) is the levels' sum plus the tail's (slt_task_tail_sum), bounded;
 * κ = 0 and z on [−max(λ_1, lambda_sup), 0] are SLT_EDOM (the tail reaches λ → 0);
 * the generic slt_task_sum / slt_task_csum are SLT_EDOM (the tail is known by its moments
 * only); slt_task_modes is SLT_MODES_INFINITE and slt_task_modes_total adds tail->modes;
 * slt_task_lambda/target(k) are NaN beyond the listed modes; slt_task_write writes the tail
 * as "#%" comment lines (below). Errors: those of slt_task_alloc_levels,
 * SLT_EINVAL naming the first bad tail field (e.g. "tail.lam_mom[2]"). Thread safety: none
 * needed (no shared state). */
SLT_API int slt_task_alloc_levels_tail(size_t n, const double *lambda, const double *mult,
                                       const double *power, double noise,
                                       const slt_task_tail *tail, slt_task **task);

/* Copies the task's tail into *out. Errors: SLT_EINVAL (NULL argument), SLT_EDOM (the
 * task has no tail: a power law or a task without one). Thread safe (immutable task). */
SLT_API int slt_task_get_tail(const slt_task *task, slt_task_tail *out);

/* Number of levels of an explicit task (its number of modes when it was made by
 * slt_task_alloc_explicit or has every m = 1); 0 for a power law. Never fails.
 * Thread safe (the task is immutable). */
SLT_API size_t slt_task_levels(const slt_task *task);

/* Level i (1 <= i <= slt_task_levels) into *level: λ_i, m_i, P_i. On a power law, level i
 * is mode i (mult 1, power t_i), for any i >= 1. Errors: SLT_EINVAL (NULL argument, i = 0
 * or i beyond the levels of an explicit task), leaving *level unchanged.
 * Thread safe (the task is immutable). */
SLT_API int slt_task_level(const slt_task *task, size_t i, slt_level *level);

/* Reads a text file of two columns λ_k t_k (separated by blanks or a comma), one mode
 * per line, or of three columns λ_i P_i m_i, one level per line: P_i is the line's total
 * target power and m_i its multiplicity (a whole number >= 1); a file has either two
 * columns on every line or three on every line (docs/cli.md, "task file"). The task is
 * that of slt_task_alloc_levels. Path "-" is standard input. '#' starts a comment (a whole line or after the
 * numbers); blank lines, a UTF-8 byte-order mark and CRLF line ends are accepted.
 * Errors name the file and line: SLT_EIO (cannot open/read), SLT_EFORMAT (not two
 * numbers, a NUL byte, a line over SLT_TASK_LINE_MAX characters, a file over
 * SLT_TASK_FILE_MAX bytes), SLT_EINVAL (values).
 * A moment tail (slt_task_alloc_levels_tail) is read from structured comment lines, which
 * other readers skip as comments (docs/theory/task.md, "the tail in the task file"):
 *   #% tail n_mom=J lambda_sup=L null_power=P null_power_err=E modes=M   (M may be inf)
 *   #% mom j M_j M_j_err T_(j-1) T_(j-1)_err                   (j = 1 … J, once each)
 * anywhere in the file (n_mom, lambda_sup and modes required; null_power and its error
 * default to 0); a file without "#%" lines has no tail. SLT_EINVAL naming the line for a
 * malformed "#%" line (unknown keyword or key, a value out of range, a moment twice,
 * missing or beyond n_mom, no "#% tail" line), naming the tail's lines for a tail the
 * allocation refuses. A plain comment must not start with "#%". */
#define SLT_TASK_LINE_MAX 4096
#define SLT_TASK_FILE_MAX ((size_t)1 << 30)
SLT_API int slt_task_read_file(const char *path, double noise, slt_task **task);

/* Writes an explicit task in the format slt_task_read_file reads, 17 significant
 * digits: two columns λ t, or three columns λ P m (one line per level) when some level
 * has m != 1. A power-law task is written with its first m_head modes (m_head >= 1) and a
 * header comment giving the tail mass left out. A task with a moment tail is written with
 * its tail as the "#%" lines slt_task_read_file reads, 17 significant digits: it reads
 * back bit for bit (levels and every tail field). SLT_EIO on a failed write. */
SLT_API int slt_task_write(const slt_task *task, FILE *out, size_t m_head);

SLT_API void slt_task_free(slt_task *task); /* accepts NULL */

/* ---- Accessors ------------------------------------------------------------------ */

SLT_API slt_task_kind slt_task_get_kind(const slt_task *task);
/* Number of modes M = Σ m_i; SLT_MODES_INFINITE for a power law, and for an explicit task
 * whose Σ m_i does not fit a size_t below SIZE_MAX. */
SLT_API size_t slt_task_modes(const slt_task *task);
/* The number of modes as a double: Σ m_i (rounded above 2^53, never saturated); INFINITY
 * for a power law. Never fails. Thread safe (the task is immutable). */
SLT_API double slt_task_modes_total(const slt_task *task);
SLT_API double slt_task_noise(const slt_task *task);
/* The per-mode view, mode k >= 1 in level order (a level of multiplicity m is m
 * consecutive modes, each with λ_i and t = P_i/m_i; O(log levels) per call): λ_k and t_k;
 * NaN if k = 0 or k > M. Thread safe (the task is immutable). */
SLT_API double slt_task_lambda(const slt_task *task, size_t k);
SLT_API double slt_task_target(const slt_task *task, size_t k);
/* The power-law parameters; SLT_EINVAL for an explicit task. */
SLT_API int slt_task_power_law(const slt_task *task, slt_power_law_params *p);

/* ---- Mode sums ------------------------------------------------------------------ */

typedef struct {
    double value;
    double err;        /* bound on |value − exact sum|: rounding, tail and quadrature */
    size_t head_terms; /* terms summed one by one (the levels of an explicit task) */
} slt_sum;

typedef struct {
    slt_complex value;
    double err;        /* bound on |value − exact sum| (complex modulus) */
    size_t head_terms;
} slt_csum;

typedef struct {
    double rel_tol;    /* target relative accuracy of the tail, default 1e-13; the part
                        * beyond the double range of λ_k, t_k, which a longer head cannot
                        * improve, is accepted up to 1000·rel_tol (always within err) */
    size_t max_head;   /* largest head the sum may grow to before giving up, default 2^22 */
} slt_sum_options;

SLT_API slt_sum_options slt_sum_options_default(void);

/* General entry: S = Σ_k f(λ_k, t_k) (on a level task Σ_i m_i f(λ_i, P_i/m_i)). For power-law tasks f(λ, t) must vanish as
 * λ, t → 0 fast enough for the sum to converge, and be smooth in λ, t on the tail; where
 * λ or t leave the double range (k ~ 10^{290/(αβ+1)}) it must behave like a sum of powers
 * of λ and t (its decay rate in k settling), or the sum fails with SLT_ENOCONV.
 * opts may be NULL (defaults). Fails with SLT_ENOCONV when the accuracy cannot be
 * reached, SLT_EDIVERGE when the tail integral diverges. */
typedef double (*slt_mode_fn)(double lambda, double target, void *ctx);
typedef slt_complex (*slt_mode_cfn)(double lambda, double target, void *ctx);

/* On a task with a moment tail (slt_task_alloc_levels_tail) both return SLT_EDOM: "this
 * task's tail is known by its moments only; use the named sums". */
SLT_API int slt_task_sum(const slt_task *task, slt_mode_fn f, void *ctx,
                         const slt_sum_options *opts, slt_sum *out);
SLT_API int slt_task_csum(const slt_task *task, slt_mode_cfn f, void *ctx,
                          const slt_sum_options *opts, slt_csum *out);

/* The named sums of conventions.md §1 (κ > 0; for the complex forms any z with
 * λ_k + z ≠ 0, i.e. off the real segment [−λ_1, 0] for power laws and [−λ_1, −λ_M] for
 * explicit tasks — real z < −λ_1 included):
 *   df(κ)   = Σ λ/(λ+κ)            degrees of freedom
 *   df2(κ)  = Σ λ²/(λ+κ)²
 *   kt1(κ)  = Σ t κ/(λ+κ)          = κ·T₁(κ)
 *   k2t2(κ) = Σ t κ²/(λ+κ)²        = κ²·T₂(κ)
 *   decay(t)= Σ t_k e^{−2λ_k t}    gradient-flow loss at N = P = ∞, time t >= 0 */
SLT_API int slt_sum_df(const slt_task *task, double kappa, slt_sum *out);
SLT_API int slt_sum_df2(const slt_task *task, double kappa, slt_sum *out);
SLT_API int slt_sum_kt1(const slt_task *task, double kappa, slt_sum *out);
SLT_API int slt_sum_k2t2(const slt_task *task, double kappa, slt_sum *out);
SLT_API int slt_sum_decay(const slt_task *task, double time, slt_sum *out);

SLT_API int slt_csum_df(const slt_task *task, slt_complex z, slt_csum *out);
SLT_API int slt_csum_df2(const slt_task *task, slt_complex z, slt_csum *out);
SLT_API int slt_csum_kt1(const slt_task *task, slt_complex z, slt_csum *out);
SLT_API int slt_csum_k2t2(const slt_task *task, slt_complex z, slt_csum *out);

/* All four complex sums at one z from a single pass over the modes:
 * out[0] = df, out[1] = df2, out[2] = kt1, out[3] = k2t2 (same conventions as above).
 * Several times faster than four separate calls; the DMFT's inner loop. */
SLT_API int slt_csum_resolvent(const slt_task *task, slt_complex z, slt_csum out[4]);

/* All four real sums at one κ from a single pass over the levels:
 * out[0] = df, out[1] = df2, out[2] = kt1, out[3] = k2t2 (κ and tail rules as the single
 * named sums: κ > 0 for power laws and tasks with a tail, κ >= 0 otherwise). Each value
 * and bound equals the single sum's (bit for bit on an explicit task without clusters:
 * fewer than 32 levels, or no run of 16 levels within a factor 1.1); on a power law it is
 * the four single sums. The statics' per-point sums. Errors:
 * SLT_EINVAL (NULL, κ out of range), SLT_EDOM (κ = 0 with a tail), SLT_EDIVERGE, the
 * sum engine's SLT_ENOCONV; on failure all four are NaN. Thread safe (immutable task). */
SLT_API int slt_sum_resolvent(const slt_task *task, double kappa, slt_sum out[4]);

/* Total target power L(0) = Σ t_k (closed form ζ(αβ+1)·A_t for power laws). */
SLT_API int slt_sum_target(const slt_task *task, slt_sum *out);

/* Named sums for what used to need a generic callback (they also work on tasks with a
 * tail, where slt_task_sum cannot):
 *   trace       = Σ λ  (Σ m λ on levels; closed form A ζ(α) for power laws)
 *   d3(κ)       = Σ λ² κ/(λ+κ)³          (κ > 0; κ >= 0 on explicit tasks without tail)
 *   k3(κ)       = Σ t κ² λ/(λ+κ)³
 * On tasks without a tail they equal slt_task_sum with the same summand (to rounding).
 * Errors: SLT_EINVAL (NULL, κ out of range), SLT_EDOM (κ = 0 with a tail), the sum
 * engine's SLT_ENOCONV. Thread safe (the task is immutable). */
SLT_API int slt_sum_trace(const slt_task *task, slt_sum *out);
SLT_API int slt_sum_d3(const slt_task *task, double kappa, slt_sum *out);
SLT_API int slt_sum_k3(const slt_task *task, double kappa, slt_sum *out);

/* The named sums by name, for slt_task_tail_sum. */
typedef enum {
    SLT_SUM_DF, SLT_SUM_DF2, SLT_SUM_KT1, SLT_SUM_K2T2, SLT_SUM_DECAY, SLT_SUM_TARGET,
    SLT_SUM_TRACE, SLT_SUM_D3, SLT_SUM_K3
} slt_sum_name;

/* The tail's part alone of a named sum (par: κ > 0, or the time >= 0 for SLT_SUM_DECAY;
 * unused for TARGET and TRACE). null_power counts in KT1, K2T2, DECAY and TARGET.
 * head_terms = 0. Value and bound: the series in λ/κ truncated with the remainder bound
 * from M_{j+i} <= lambda_sup^i M_j and the moment errors, or the rigorous bracket
 * (value the midpoint, err the half-width), whichever bound is smaller
 * (docs/theory/task.md, "the moment tail"). Errors: SLT_EINVAL (NULL, name or par out of
 * range), SLT_EDOM (no tail; κ = 0). Thread safe (the task is immutable). */
SLT_API int slt_task_tail_sum(const slt_task *task, slt_sum_name name, double par,
                              slt_sum *out);

/* ---- The effective ridge κ ------------------------------------------------------ *
 * The one real root finder of the deterministic equivalents (statics and the DMFT's real
 * axis; docs/theory/statics.md §2). κ > 0 solves, on the physical branch,
 *     κ (1 − df(κ)/N)(1 − df(κ)/P) = z,     df(κ) = Σ_k λ_k/(λ_k + κ),
 * with sizes N, P > 0 (each may be INFINITY) and ridge z >= 0. With n = min(N, P) and
 * m = max(N, P) it is the one sign change of F(κ) = (1 − df/n) − z/(κ(1 − df/m)).
 * Brent's method (gsl_root_fsolver_brent) runs on s = log κ in a bracket proven to hold
 * the root: above, κ_hi = 8z + 2Σλ/n (F >= ¼ there); below, max(z, λ_j) with
 * j = ⌊2n⌋ + 1 (df > n there; λ_M (M/n − 1)/2 when j > M modes). It stops when the
 * bracket on s is narrower than rel_tol + log_rel_tol·|s| (by default 1e-14 + 4ε|s|).
 * Closed forms, no iteration (root SLT_KAPPA_EXACT):
 *   z = 0 and n >= M (every mode learned, including N = P = ∞ on an infinite task): κ = 0;
 *   n = ∞, z > 0 (SLT_KAPPA_RATIO_PROVEN):                                       κ = z.
 * z = 0 with n < M gives the ridgeless root κ_n, df(κ_n) = n (slt_task_kappa_star).
 * Errors: SLT_EINVAL (NULL pointers, N or P not > 0 or NaN, ridge not finite >= 0, options
 * out of range; the message names the input), SLT_ENOCONV (no sign change on the bracket,
 * a failed Brent step, or max_iter reached: root SLT_KAPPA_MAX_ITER, the message gives
 * N, P, ridge and the interval width), or a mode sum's status. On failure every value is
 * NaN. Thread safety: reentrant (the task is read only; one GSL solver per call). */
typedef enum {
    SLT_KAPPA_RATIO_PROVEN = 0, /* F above in the proven bracket (the default; statics)    */
    SLT_KAPPA_PRODUCT_SEARCH    /* Φ(κ) = κ(1 − df/P)(1 − df/N) − z (df − n at z = 0) in a
                                 * bracket searched outward in log κ: from log(Σλ/n) ∓ 1 in
                                 * steps of 2 for z = 0; for z > 0 from just above κ_n (this
                                 * method's own κ_n solve; log z − 40 when κ_n = 0) and
                                 * log max(2z, 2κ_n), in steps of 5 and 1, 400 at most. It
                                 * always iterates (also at N = P = ∞). The DMFT's real axis
                                 * uses it: it reproduces that solver's earlier results bit
                                 * for bit; the two methods agree to their tolerances. */
} slt_kappa_method;

typedef struct {
    double rel_tol;     /* target relative accuracy of κ: absolute width of the final
                         * bracket on log κ; 0, or in [1e-16, 1e-3]; default 1e-14 */
    double log_rel_tol; /* and relative width on log κ (GSL's gsl_root_test_interval with
                         * epsabs = rel_tol, epsrel = log_rel_tol); in [0, 1e-3], default
                         * 4ε = 8.9e-16; one of the two must be >= 1e-16 */
    int max_iter;       /* Brent iteration limit, in [1, 100000]; default 200 */
    slt_kappa_method method; /* default SLT_KAPPA_RATIO_PROVEN */
    double kappa_star;  /* SLT_KAPPA_PRODUCT_SEARCH with z > 0: the ridgeless root κ_n of
                         * the same task and n = min(N, P), if the caller has it (from
                         * slt_task_kappa_star with the same method; >= 0), which saves
                         * solving for it again; any other value makes a wrong bracket.
                         * < 0 (the default, -1): solved here. Unused by the other method. */
} slt_kappa_options;

typedef enum {
    SLT_KAPPA_CONVERGED = 0, /* Brent met rel_tol                                     */
    SLT_KAPPA_EXACT,         /* closed form, no iteration (κ = 0 or κ = z)           */
    SLT_KAPPA_MAX_ITER,      /* iteration limit reached: status SLT_ENOCONV           */
    SLT_KAPPA_FAILED         /* no bracket, a failed step or a failed mode sum        */
} slt_kappa_root;

typedef struct {
    double kappa;       /* κ */
    double kappa_err;   /* bound on |κ − κ_exact| = κ (e^{log_err} − 1) */
    double log_err;     /* bound on |log κ − log κ_exact|: the final Brent interval plus
                         * the root's shift by the df sum's error,
                         * |∂F/∂df| err(df) / |dF/d log κ| (inf where dF/d log κ <= 0) */
    slt_sum df, df2;    /* df(κ) and df2(κ) = Σ λ²/(λ+κ)² at the root (M, M at κ = 0) */
    int iterations;     /* Brent iterations (0 when exact) */
    slt_kappa_root root;
} slt_kappa_result;

SLT_API slt_kappa_options slt_kappa_options_default(void);
/* opts may be NULL (defaults). */
SLT_API int slt_task_kappa(const slt_task *task, double N, double P, double ridge,
                           const slt_kappa_options *opts, slt_kappa_result *out);
/* κ_n with df(κ_n) = n, n > 0 (the ridgeless root, where the ridgeless branch of the
 * DMFT starts): slt_task_kappa(task, n, INFINITY, 0, …); κ = 0 when n >= M. */
SLT_API int slt_task_kappa_star(const slt_task *task, double n, const slt_kappa_options *opts,
                                slt_kappa_result *out);

/* ---- Conventions: each paper's letters → canonical (α, β) (conventions.md §6) ----
 * Each returns SLT_OK or SLT_EINVAL naming the paper's letter that is out of range. */
/* λ = k^-b, λw² = k^-a */
SLT_API int slt_convert_bap2024a(double a, double b, double *alpha, double *beta);
/* bahri and maloney: an isotropic teacher */
SLT_API int slt_convert_bahri(double alpha_K, double *alpha, double *beta);
SLT_API int slt_convert_maloney(double alpha_MRS, double *alpha, double *beta);
SLT_API int slt_convert_plrf(double alpha_P, double beta_P, double *alpha, double *beta);
/* The PLRF letters for a task of finitely many modes (slt_task_alloc_power_law_truncated):
 * alpha_P > 0 and any real beta_P (alpha = 2 alpha_P may be <= 1, beta any sign), the same
 * formulas as slt_convert_plrf. SLT_EINVAL naming the letter out of range. */
SLT_API int slt_convert_plrf_finite(double alpha_P, double beta_P, double *alpha, double *beta);
SLT_API int slt_convert_spigler(double alpha_S, double alpha_T, double d, double *alpha,
                                double *beta);
/* Inverses, canonical → paper. */
SLT_API int slt_convert_to_bap2024a(double alpha, double beta, double *a, double *b);
SLT_API int slt_convert_to_plrf(double alpha, double beta, double *alpha_P, double *beta_P);

#ifdef __cplusplus
}
#endif
#endif
