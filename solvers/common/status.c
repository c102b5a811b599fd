/* Status codes, thread-local error message, range checks, library initialisation. */
#include "slt/status.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifndef SLT_VERSION
#define SLT_VERSION "0.1.0"
#endif

static _Thread_local char last_message[1024];

const char *slt_strerror(int status)
{
    switch (status) {
#define SLT_X_MSG(name, value, msg, exit_class) case value: return msg;
        SLT_STATUS_LIST(SLT_X_MSG)
#undef SLT_X_MSG
    default: return "unknown status";
    }
}

int slt_exit_class(int status)
{
    switch (status) {
#define SLT_X_EXIT(name, value, msg, exit_class) case value: return exit_class;
        SLT_STATUS_LIST(SLT_X_EXIT)
#undef SLT_X_EXIT
    default: return 4;
    }
}

const char *slt_last_error(void) { return last_message; }

void slt_error_clear(void) { last_message[0] = '\0'; }

int slt_error(int status, const char *fmt, ...)
{
    /* formatted into a copy first: an argument may be slt_last_error() itself (a message
     * that wraps the one before), and vsnprintf into its own source is undefined */
    char buf[sizeof last_message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    memcpy(last_message, buf, sizeof buf);
    return status;
}

static void describe_bound(char *buf, size_t n, const char *name,
                           double lo, int lo_open, double hi, int hi_open)
{
    int has_lo = !(isinf(lo) && lo < 0), has_hi = !(isinf(hi) && hi > 0);
    if (has_lo && has_hi)
        snprintf(buf, n, "%.17g %s %s %s %.17g", lo, lo_open ? "<" : "<=", name,
                 hi_open ? "<" : "<=", hi);
    else if (has_lo)
        snprintf(buf, n, "%s %s %.17g", name, lo_open ? ">" : ">=", lo);
    else if (has_hi)
        snprintf(buf, n, "%s %s %.17g", name, hi_open ? "<" : "<=", hi);
    else
        snprintf(buf, n, "%s finite", name);
}

int slt_check_range(const char *where, const char *name, double value,
                    double lo, int lo_open, double hi, int hi_open)
{
    int ok = !isnan(value);
    if (ok && isinf(value))
        ok = (value > 0) ? (isinf(hi) && !hi_open) : (isinf(lo) && !lo_open);
    else if (ok)
        ok = (lo_open ? value > lo : value >= lo) && (hi_open ? value < hi : value <= hi);
    if (ok) return SLT_OK;
    char range[256]; /* formatted only for the message: this check runs on every sum */
    describe_bound(range, sizeof range, name, lo, lo_open, hi, hi_open);
    return slt_error(SLT_EINVAL, "%s: %s = %.17g is out of range (expected %s)",
                     where, name, value, range);
}

int slt_param_range_check(const char *where, const slt_param_range *r, double value)
{
    if (!r) return slt_error(SLT_EINVAL, "%s: no range (NULL)", where ? where : "slt");
    return slt_check_range(where, r->field, value, r->lo, r->lo_open, r->hi, r->hi_open);
}

void slt_init(void)
{
    /* GSL's default handler aborts the process; slt reports through status codes. */
    gsl_set_error_handler_off();
}

__attribute__((constructor)) static void slt_init_on_load(void) { slt_init(); }

const char *slt_version(void) { return SLT_VERSION; }
