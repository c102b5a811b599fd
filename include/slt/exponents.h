/* slt/exponents.h — closed-form scaling exponents of a power-law task (α, β), lazy and
 * rich, with the task's regime.
 *
 * Everything is in canonical letters (docs/theory/conventions.md §1, §8): the
 * spectrum λ_k ∝ k^{-α} (α > 1) and the target power t_k ∝ k^{-(αβ+1)} (β > 0). Other
 * papers' letters are converted with slt_convert_* (slt/task.h) before calling here.
 *
 * Sign convention (conventions.md §8): every exponent is a number e with
 *   L ∝ X^{-e}            for a loss against a resource X (t, N, P, C, γ), and
 *   N*, t* ∝ C^{+e}       for the compute-optimal width and training time, and
 *   t_× ∝ γ^{-e}          for the lazy→rich crossover time.
 * A quantity without a formula (for example the data floor of the rich model) is NaN,
 * and the row's note says why. Where our derivation differs from what a paper is
 * reported to state (conventions.md §9), the table lists the derived value and the note
 * says what the paper is reported to state ("the rule" of §9).
 *
 * The formulas and their sources are listed in docs/theory/exponents.md. */
#ifndef SLT_EXPONENTS_H
#define SLT_EXPONENTS_H

#include "slt/export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Task difficulty (docs/theory/conventions.md §5) ---------------------------- */

/* The class of a task by its source exponent β: whether the target lies in the RKHS of the
 * initial kernel and how smooth it is. Called "regime" in the seeds and in the exponent
 * table's column; named apart here from the statics' slt_statics_regime, which classifies
 * a point (N, P) as width-, data- or ridge-limited. */

typedef enum {
    SLT_DIFFICULTY_HARD = 0,        /* β < 1: target outside the RKHS of the initial kernel  */
    SLT_DIFFICULTY_HARD_EASY,       /* β = 1 exactly: the hard/easy boundary                 */
    SLT_DIFFICULTY_EASY,            /* 1 < β < 2 − 1/α                                       */
    SLT_DIFFICULTY_EASY_SUPER,      /* β = 2 − 1/α exactly: the easy/super-easy boundary     */
    SLT_DIFFICULTY_SUPER_EASY       /* β > 2 − 1/α                                           */
} slt_difficulty;

/* Relative tolerance of "exactly at a boundary": |β − b| <= SLT_DIFFICULTY_BOUNDARY_RTOL·b,
 * a few units in the last place, so that a boundary reached through a converter (e.g.
 * PLRF's β_P = α_P, which is β = 2 − 1/α up to rounding) is still recognised. */
#define SLT_DIFFICULTY_BOUNDARY_RTOL 1e-15

/* The easy/super-easy threshold 2 − 1/α (in (1, 2) for α > 1). NaN if α <= 1 or not
 * finite. */
SLT_API double slt_difficulty_super_easy_threshold(double alpha);

/* Classifies (α, β). SLT_OK, or SLT_EINVAL naming alpha or beta (α > 1 and β > 0,
 * both finite) or a NULL output pointer. */
SLT_API int slt_difficulty_of(double alpha, double beta, slt_difficulty *difficulty);

/* "hard", "hard/easy", "easy", "easy/super-easy", "super-easy"; "unknown" otherwise. */
SLT_API const char *slt_difficulty_name(slt_difficulty difficulty);

/* ---- The exponent table --------------------------------------------------------- */

/* Size of the note buffer of a row (notes carry numbers for the given α, β). */
#define SLT_EXPONENTS_NOTE_MAX 512

typedef struct {
    const char *quantity;   /* short stable identifier, e.g. "time", "width_floor"     */
    const char *definition; /* what is measured, e.g. "L ∝ t^-e at N = P = ∞"         */
    double lazy;            /* kernel regime (2024a; 2024b at γ = 0); NaN: no formula   */
    double rich;            /* feature learning (2024b);              NaN: no formula   */
    const char *regime;     /* the regime whose formula gives the values: a name of
                               slt_difficulty_name(), or "any" when the formula is the same
                               in every regime                                         */
    const char *status;     /* tags of conventions.md §0, e.g. "[A] exponent; [DC]"     */
    const char *source;     /* e.g. "conventions.md §8.1; exponents.md time"            */
    char note[SLT_EXPONENTS_NOTE_MAX]; /* caveats; "" when there are none               */
} slt_exponent_row;

/* Number of rows slt_exponents_compute writes (the same for every α, β). */
SLT_API size_t slt_exponents_count(void);

/* Fills rows[0 .. n−1] for the task (α, β); *n is set to slt_exponents_count() whenever
 * n is not NULL, so a call with rows = NULL, cap = 0 queries the size.
 * Returns SLT_OK; SLT_EINVAL when α <= 1, β <= 0 or either is not finite (the message
 * names the parameter, its value and the range), when n is NULL, or when cap is smaller
 * than slt_exponents_count() (rows are then left untouched); SLT_EDOM when an exponent
 * would overflow a double (α or β near 1e308; the rows are then filled but not valid).
 *
 * Row order (quantity identifiers):
 *   regime            the task's regime (lazy, rich NaN; see the note)
 *   time              L ∝ t^-e, N = P = ∞
 *   width_floor       L ∝ N^-e, P = ∞, t → ∞ (ridgeless)
 *   data_floor        L ∝ P^-e, N = ∞, t → ∞ (ridgeless KRR)
 *   bias_width        L ∝ N^-e, P = ∞, bias only (infinite ensemble)
 *   gap_early         L(t,N) − L(t,∞) ∝ N^-e for t ≪ N^α (likewise P)
 *   gap_late          L(t,N) − L(t,∞) ∝ N^-e for t ≫ N^α
 *   resolution_N      resolution-limited, L ∝ N^-e (P = ∞)
 *   resolution_P      resolution-limited, L ∝ P^-e (N = ∞)
 *   variance_N        variance-limited, L − L(N=∞) ∝ N^-e at fixed P < N
 *   variance_P        variance-limited, L − L(P=∞) ∝ P^-e at fixed N < P
 *   compute_N_star    N* ∝ C^e  gradient flow / full-batch GD, P = ∞, C = N·t
 *   compute_t_star    t* ∝ C^e  ditto
 *   compute_L_star    L* ∝ C^-e ditto
 *   sgd_N_star        N* ∝ C^e  online SGD at fixed batch B
 *   sgd_t_star        t* ∝ C^e  ditto
 *   sgd_L_star        L* ∝ C^-e ditto
 *   crossover_gamma   lazy→rich crossover time t_× ∝ γ^-e (hard tasks)
 *   rich_gamma        late-time rich loss L ∝ γ^-e at fixed t (hard tasks) */
SLT_API int slt_exponents_compute(double alpha, double beta, slt_exponent_row *rows, size_t cap,
                                  size_t *n);

/* The row with the given quantity identifier, or NULL. */
SLT_API const slt_exponent_row *slt_exponents_find(const slt_exponent_row *rows, size_t n,
                                                   const char *quantity);

#ifdef __cplusplus
}
#endif
#endif
