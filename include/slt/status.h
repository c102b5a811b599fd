/* slt/status.h — status codes, their messages and CLI exit classes, and the
 * thread-local last-error message.
 *
 * Every library function that can fail returns one of these codes. The code says what
 * kind of failure it was; slt_last_error() says which parameter, which value and what
 * range was expected. Library code never prints, exits or aborts. */
#ifndef SLT_STATUS_H
#define SLT_STATUS_H

#include "slt/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One list generates the enum, slt_strerror() and slt_exit_class(), so they cannot
 * drift apart. Columns: name, value, message, CLI exit class (docs/cli.md: 0 ok,
 * 1 numerical failure, 2 usage or input error, 3 I/O error, 4 internal or memory). */
#define SLT_STATUS_LIST(X)                                                        \
    X(SLT_OK,        0, "success",                                   0)           \
    X(SLT_EINVAL,    1, "invalid argument",                          2)           \
    X(SLT_EDOM,      2, "argument outside the domain of the formula", 2)          \
    X(SLT_ENOMEM,    3, "out of memory",                             4)           \
    X(SLT_ENOCONV,   4, "did not converge",                          1)           \
    X(SLT_EIO,       5, "input/output error",                        3)           \
    X(SLT_EDIVERGE,  6, "result diverges",                           1)           \
    X(SLT_ELOSS,     7, "requested accuracy not reached",            1)           \
    X(SLT_EFORMAT,   8, "malformed input data",                      2)           \
    X(SLT_EINTERNAL, 9, "internal error",                            4)

typedef enum {
#define SLT_X_ENUM(name, value, msg, exit_class) name = value,
    SLT_STATUS_LIST(SLT_X_ENUM)
#undef SLT_X_ENUM
    SLT_STATUS_COUNT
} slt_status;

/* Soft failures — one rule for the whole library.
 *
 * A soft failure is a method that ran but did not reach its tolerance: an iteration, a
 * series or a quadrature that stopped short (SLT_ENOCONV), or a value whose error bound
 * does not hold it (SLT_ELOSS: non-finite, or outside the range a value can take by more
 * than its error). The rule, as GSL's integrators (status plus result and abserr):
 *
 *   1. The status says so: the function returns the failure code and every per-point
 *      result carries it in its own `status` field. SLT_OK is never returned with a value
 *      that is not within its error bound (the project rule: an SLT_OK value is the answer
 *      to within its `_err`).
 *   2. The best estimate is kept where it cannot be mistaken for an answer:
 *      - a mode sum (slt_sum, slt_csum) keeps its best estimate in `value` and that
 *        estimate's error in `err`, as qag keeps result and abserr;
 *      - a solver's point (slt_statics_result, slt_dmft_point) sets its loss fields and
 *        their errors to NaN, and slt_last_error() names the estimate and its error when
 *        one was reached ("estimate ..., error ..." / "came out as ... ± ...").
 *      SLT_EDIVERGE is not a soft failure: the point is complete (+INFINITY, error NaN).
 *   3. The CLI prints NaN (null in JSON) in the value columns, the failure status in the
 *      point's status column and the message on stderr, and exits non-zero (exit class 1
 *      for ENOCONV and ELOSS; README.md lists the statuses that are answers and exit 0).
 */

/* Short, static description of a status code ("did not converge"). Unknown codes give
 * "unknown status". */
SLT_API const char *slt_strerror(int status);

/* The CLI exit code for a status (0–4, see SLT_STATUS_LIST). Unknown codes map to 4. */
SLT_API int slt_exit_class(int status);

/* The detailed message of the last failure on the calling thread, e.g.
 * "slt_task_alloc_power_law: alpha = 0.5 is out of range (expected alpha > 1)".
 * Empty string when nothing failed since slt_error_clear(). Never NULL. */
SLT_API const char *slt_last_error(void);

/* Sets the calling thread's message (printf-style) and returns `status`, so library
 * code can write `return slt_error(SLT_EINVAL, "...", ...)`. Never call it inside an
 * OpenMP parallel region: the message would land on a worker thread. */
SLT_API int slt_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
            ;

SLT_API void slt_error_clear(void);

/* Range checks that name the parameter, its value and the accepted range.
 * lo/hi may be ±INFINITY; *_open says whether the bound itself is excluded.
 * Returns SLT_OK or SLT_EINVAL (message set). NaN and ±Inf are always rejected
 * unless the corresponding bound is itself infinite and closed. */
SLT_API int slt_check_range(const char *where, const char *name, double value,
                            double lo, int lo_open, double hi, int hi_open);

/* The accepted range of one numeric parameter field: what a module's _params_check
 * applies, exported so that front ends (the CLI's option tables) read the range instead
 * of restating it (slt_dmft_param_range, slt_statics_param_range, ...). A bound of
 * ±INFINITY is no bound; hi = INFINITY with hi_open = 0 means +∞ itself is accepted
 * (an infinite size). integer: the field is a whole number (an int or size_t field, or a
 * size whose finite values must be whole). Immutable tables: thread-safe. */
typedef struct {
    const char *field;    /* the struct field's name, as the check's messages spell it */
    double lo, hi;        /* bounds                                                     */
    int lo_open, hi_open; /* bound excluded?                                            */
    int integer;          /* whole numbers only                                         */
} slt_param_range;

/* slt_check_range with the bounds and name of r: SLT_OK or SLT_EINVAL (message set);
 * SLT_EINVAL for a NULL r. Does not check `integer`. */
SLT_API int slt_param_range_check(const char *where, const slt_param_range *r, double value);

/* Library initialisation: turns GSL's abort-on-error handler off. Runs automatically
 * when the library is loaded (constructor); calling it again is harmless. */
SLT_API void slt_init(void);

/* "MAJOR.MINOR.PATCH" of the library. */
SLT_API const char *slt_version(void);

#ifdef __cplusplus
}
#endif
#endif
