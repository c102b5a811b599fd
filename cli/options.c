/* Option-table parsing, help generation and error reporting for `slt` subcommands. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slt/status.h"

int cli_quiet = 0;

/* one line "slt CMD: message" on stderr */
static void say(const char *command, const char *fmt, va_list ap)
{
    fprintf(stderr, "slt %s: ", command);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_progress(const char *command, const char *fmt, ...)
{
    if (cli_quiet) return;
    va_list ap;
    va_start(ap, fmt);
    say(command, fmt, ap);
    va_end(ap);
}

int cli_flush_stdout(const char *command, const char *what)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
    int e = errno;
    fprintf(stderr, "slt%s%s: writing %s to standard output failed%s%s\n", command ? " " : "",
            command ? command : "", what, e ? ": " : "", e ? strerror(e) : "");
    return CLI_IO;
}

FILE *cli_open_input(const char *path)
{
    if (strcmp(path, "-") == 0) return stdin;
    return fopen(path, "r");
}

void cli_close_input(FILE *f)
{
    if (f && f != stdin) fclose(f);
}

/* cli_read_line with at most max_lines lines (LONG_MAX: no limit). */
static int read_line(const char *command, FILE *f, const char *path, long lineno, char *buf,
                     size_t size, long max_lines)
{
    size_t n = 0, limit = size - 1 < CLI_LINE_MAX ? size - 1 : CLI_LINE_MAX;
    int c, any = 0;
    while ((c = getc(f)) != EOF) {
        any = 1;
        if (c == '\n') break;
        if (c == '\0')
            return cli_usage_error(command, "%s, line %ld: a NUL byte (not a text file)", path,
                                   lineno);
        if (n == limit)
            return cli_usage_error(command, "%s, line %ld: longer than %zu characters", path,
                                   lineno, limit);
        buf[n++] = (char)c;
    }
    if (ferror(f)) {
        int e = errno;
        fprintf(stderr, "slt %s: %s, line %ld: read error: %s\n", command, path, lineno,
                strerror(e));
        return CLI_IO;
    }
    if (!any) return 0;
    if (lineno > max_lines)
        return cli_usage_error(command, "%s: more than %ld lines", path, max_lines);
    if (n > 0 && buf[n - 1] == '\r') n--;
    buf[n] = '\0';
    if (lineno == 1 && strncmp(buf, "\xEF\xBB\xBF", 3) == 0) memmove(buf, buf + 3, n - 2);
    return 1;
}

int cli_read_line(const char *command, FILE *f, const char *path, long lineno, char *buf,
                  size_t size)
{
    return read_line(command, f, path, lineno, buf, size, CLI_LINES_MAX);
}

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(command, fmt, ap);
    va_end(ap);
    return CLI_USAGE;
}

int cli_library_error(const char *command, int status)
{
    const char *detail = slt_last_error();
    if (detail[0])
        fprintf(stderr, "slt %s: %s: %s\n", command, slt_strerror(status), detail);
    else
        fprintf(stderr, "slt %s: %s\n", command, slt_strerror(status));
    return slt_exit_class(status);
}

int cli_write_table(const char *command, const slt_table *table, slt_format format)
{
    int rc = slt_table_write(table, stdout, format);
    if (rc == 0 && fflush(stdout) != 0) rc = SLT_EIO;
    if (rc != 0) {
        if (rc == SLT_EIO && !slt_last_error()[0])
            slt_error(SLT_EIO, "writing the results to standard output failed");
        return cli_library_error(command, rc);
    }
    return 0;
}

void cli_list_free(cli_list *list)
{
    if (!list) return;
    free(list->values);
    list->values = NULL;
    list->count = 0;
}

/* cli_parse_real, with -3 for a nonzero number that underflows to 0 (*value = 0). */
static int parse_real(const char *text, int allow_inf, double *value);

int cli_parse_real(const char *text, int allow_inf, double *value)
{
    int rc = parse_real(text, allow_inf, value);
    return rc == -3 ? 0 : rc;
}

static int parse_real(const char *text, int allow_inf, double *value)
{
    if (!text || !*text) return -1;
    if (allow_inf && (strcmp(text, "inf") == 0 || strcmp(text, "Inf") == 0 ||
                      strcmp(text, "infinity") == 0)) {
        *value = INFINITY;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0') return -1;
    if (!isfinite(v)) return -2;
    if (errno == ERANGE && fabs(v) > 1.0) return -2; /* overflow */
    *value = v; /* underflow to a subnormal keeps the value, as close as a double gets */
    return errno == ERANGE && v == 0 ? -3 : 0;
}

/* "> 1", "1 <= x <= 10", ">= 0" for messages and help. */
static void describe_range(char *buf, size_t n, const cli_option *o)
{
    const char *mv = o->kind == CLI_LIST_FILE ? "value" : o->metavar; /* a FILE holds values */
    int has_lo = !(isinf(o->lo) && o->lo < 0), has_hi = !(isinf(o->hi) && o->hi > 0);
    if (has_lo && has_hi)
        snprintf(buf, n, "%.10g %s %s %s %.10g", o->lo, o->lo_open ? "<" : "<=", mv,
                 o->hi_open ? "<" : "<=", o->hi);
    else if (has_lo)
        snprintf(buf, n, "%s %s %.10g", mv, o->lo_open ? ">" : ">=", o->lo);
    else if (has_hi)
        snprintf(buf, n, "%s %s %.10g", mv, o->hi_open ? "<" : "<=", o->hi);
    else
        snprintf(buf, n, "any finite %s", mv);
}

static int in_range(const cli_option *o, double v)
{
    if (isinf(v)) return o->allow_inf && v > 0;
    if (o->lo_open ? !(v > o->lo) : !(v >= o->lo)) return 0;
    if (o->hi_open ? !(v < o->hi) : !(v <= o->hi)) return 0;
    return 1;
}

/* Parses one number of option o, with the message naming option, value and range. */
static int parse_checked(const char *cmd, const cli_option *o, const char *text,
                         const char *whole, double *v)
{
    char range[200];
    describe_range(range, sizeof range, o);
    const char *inf_note = o->allow_inf ? ", or inf" : "";
    int rc = parse_real(text, o->allow_inf, v);
    if (rc == -1)
        return cli_usage_error(cmd, "--%s: '%s' is not a number (expected %s%s)", o->name,
                               whole, range, inf_note);
    if (rc == -2)
        return cli_usage_error(cmd, "--%s: '%s' is not a finite number (expected %s%s)",
                               o->name, whole, range, inf_note);
    if (rc == -3 && !in_range(o, *v))
        return cli_usage_error(cmd, "--%s: %s is below the smallest double and would be 0 "
                               "(expected %s%s)", o->name, whole, range, inf_note);
    if (!in_range(o, *v))
        return cli_usage_error(cmd, "--%s: %s is out of range (expected %s%s)", o->name,
                               whole, range, inf_note);
    if ((o->kind == CLI_INT || o->integer) && !isinf(*v) && *v != floor(*v))
        return cli_usage_error(cmd, "--%s: '%s' is not a whole number (expected %s)",
                               o->name, whole, range);
    /* a long long holds [-2^63, 2^63); converting anything outside is undefined */
    if (o->kind == CLI_INT && !(*v >= -9223372036854775808.0 && *v < 9223372036854775808.0))
        return cli_usage_error(cmd, "--%s: %s is out of range (expected %s, at most "
                               "9223372036854775807)", o->name, whole, range);
    return 0;
}

/* Point i of count log-spaced from a to b (both > 0, finite). The ends are a and b;
 * a point at a power of ten is that power exactly (the decimal literal "1eK"), so
 * 10:1e4:4 gives 10, 100, 1000, 10000 and a pole at N = P = 100 is hit. */
static double log_point(double a, double b, size_t i, size_t count)
{
    if (i == 0) return a;
    if (i == count - 1) return b;
    double la = log10(a), lb = log10(b);
    double e = la + (lb - la) * ((double)i / (double)(count - 1));
    double k = nearbyint(e);
    /* e carries a few ulps of rounding from log10 and the interpolation; 64 ulps of the
     * largest exponent involved is well above that and far below a real step */
    double tol = 64.0 * 2.220446049250313e-16 * (1.0 + fabs(la) + fabs(lb));
    if (fabs(e - k) <= tol && fabs(k) < 400) {
        char lit[16];
        snprintf(lit, sizeof lit, "1e%d", (int)k);
        return strtod(lit, NULL);
    }
    return pow(10.0, e);
}

/* ---- LIST: comma-separated values and ranges ------------------------------------------ */

const char *cli_stdin_option = NULL;

int cli_check_memory(const char *cmd, const char *what, double count, double each)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    const double have = pages > 0 && page > 0 ? (double)pages * (double)page : (double)SIZE_MAX;
    const double need = count * each;
    if (need <= have && need <= (double)(SIZE_MAX / 2)) return 0;
    return cli_usage_error(cmd, "%s: %.17g values would need %.3g bytes (%.3g GB), more than "
                           "the %.3g GB of memory on this machine", what, count, need,
                           need / 1e9, have / 1e9);
}

/* Room for `extra` more values in out (capacity *cap, grown geometrically), within the
 * machine's memory; a usage error naming the option otherwise. */
static int list_reserve(const char *cmd, const cli_option *o, cli_list *out, size_t *cap,
                        double extra)
{
    const double want = (double)out->count + extra;
    if (want <= (double)*cap) return 0;
    char what[64];
    snprintf(what, sizeof what, "--%s", o->name);
    if (cli_check_memory(cmd, what, want, sizeof(double))) return CLI_USAGE;
    size_t n = (size_t)want;
    if (n < 2 * *cap && 2 * *cap <= SIZE_MAX / sizeof(double) / 2) n = 2 * *cap;
    double *v = realloc(out->values, n * sizeof(double));
    if (!v)
        return cli_usage_error(cmd, "--%s: %.17g values would need %.3g bytes: out of memory",
                               o->name, want, want * (double)sizeof(double));
    out->values = v;
    *cap = n;
    return 0;
}

/* Point i of count evenly spaced from a to b (finite): the ends exact, and a grid of whole
 * numbers whose step is whole is exact too ((b - a) i is exact, and so is its quotient). */
static double lin_point(double a, double b, size_t i, size_t count)
{
    if (i == 0) return a;
    if (i == count - 1) return b;
    return a + (b - a) * (double)i / (double)(count - 1);
}

/* Appends the range `item` (start:stop:count[:log|:lin]) of the LIST `text` to out. */
static int parse_range(const char *cmd, const cli_option *o, const char *item,
                       cli_list *out, size_t *cap)
{
    char buf[256];
    if (strlen(item) >= sizeof buf)
        return cli_usage_error(cmd, "--%s: '%s' is too long", o->name, item);
    strcpy(buf, item);
    char *parts[4] = {0};
    int np = 0;
    for (char *p = buf; p; np++) {
        char *next = strchr(p, ':');
        if (next) *next++ = '\0';
        if (np < 4) parts[np] = p;
        p = next;
    }
    int lin = 0;
    if (np == 4 && strcmp(parts[3], "lin") == 0) lin = 1;
    else if (np == 4 && strcmp(parts[3], "log") == 0) lin = 0;
    else if (np != 3)
        return cli_usage_error(cmd, "--%s: '%s' is not a range (expected start:stop:count, "
                               "start:stop:count:log or start:stop:count:lin)", o->name, item);
    double a, b, c;
    if (parse_checked(cmd, o, parts[0], item, &a) || parse_checked(cmd, o, parts[1], item, &b))
        return CLI_USAGE;
    if (cli_parse_real(parts[2], 0, &c) != 0 || c != floor(c) || c < 1)
        return cli_usage_error(cmd, "--%s: count '%s' in '%s' is not a whole number >= 1",
                               o->name, parts[2], item);
    if (isinf(a) || isinf(b))
        return cli_usage_error(cmd, "--%s: '%s': start and stop of a range must be finite",
                               o->name, item);
    if (!lin && !(a > 0 && b > 0))
        return cli_usage_error(cmd, "--%s: '%s': start and stop of a log-spaced range must be "
                               "finite and > 0 (an evenly spaced range may start at 0: "
                               "%s:%s:%s:lin)", o->name, item, parts[0], parts[1], parts[2]);
    if (list_reserve(cmd, o, out, cap, c)) return CLI_USAGE;
    const size_t count = (size_t)c, first = out->count;
    for (size_t i = 0; i < count; i++) {
        /* both ends exact; a single value is the start */
        double v = lin ? lin_point(a, b, i, count) : log_point(a, b, i, count);
        if (o->integer) {
            /* sizes and steps: the nearest whole number, each once */
            v = nearbyint(v);
            if (out->count > first && out->values[out->count - 1] == v) continue;
        }
        out->values[out->count++] = v;
    }
    return 0;
}

static int parse_list(const char *cmd, const cli_option *o, const char *text, cli_list *out)
{
    cli_list_free(out);
    size_t cap = 0;
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[256];
        if (len == 0 || len >= sizeof item) {
            cli_list_free(out);
            return cli_usage_error(cmd, "--%s: '%s' has an empty or overlong entry (expected "
                                   "v1,v2,... or start:stop:count[:lin])", o->name, text);
        }
        memcpy(item, p, len);
        item[len] = '\0';
        /* blanks around an entry are not part of it ('1, 2' and '1 ,2' alike) */
        while (len > 0 && (item[len - 1] == ' ' || item[len - 1] == '\t')) item[--len] = '\0';
        int rc = 0;
        if (strchr(item, ':')) rc = parse_range(cmd, o, item, out, &cap);
        else if (!(rc = list_reserve(cmd, o, out, &cap, 1)) &&
                 !(rc = parse_checked(cmd, o, item, item, &out->values[out->count])))
            out->count++;
        if (rc) {
            cli_list_free(out);
            return CLI_USAGE;
        }
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

/* Reads the values of a LIST_FILE option from `path` ('-': standard input): one a line,
 * '#' to the end of the line a comment, blank lines skipped; no limit on the number of
 * lines but memory. */
static int read_list_file(const char *cmd, const cli_option *o, const char *path, cli_list *out)
{
    cli_list_free(out);
    const int is_stdin = strcmp(path, "-") == 0;
    if (is_stdin) {
        if (cli_stdin_option)
            return cli_usage_error(cmd, "--%s -: standard input is already read by --%s",
                                   o->name, cli_stdin_option);
        cli_stdin_option = o->name;
    }
    FILE *f = cli_open_input(path);
    if (!f) {
        int e = errno;
        fprintf(stderr, "slt %s: --%s: cannot open '%s': %s\n", cmd, o->name, path, strerror(e));
        return CLI_IO;
    }
    char label[CLI_LINE_MAX], buf[CLI_LINE_MAX + 2];
    snprintf(label, sizeof label, "--%s %s", o->name, is_stdin ? "-" : path);
    size_t cap = 0;
    int rc = 0;
    for (long lineno = 1;; lineno++) {
        int got = read_line(cmd, f, label, lineno, buf, sizeof buf, LONG_MAX);
        if (got != 1) {
            rc = got; /* 0 at the end, or the error's exit code */
            break;
        }
        char *s = buf, *hash = strchr(buf, '#');
        if (hash) *hash = '\0';
        while (*s == ' ' || *s == '\t') s++;
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
        if (n == 0) continue;
        /* messages name the file and line: "--t-file times.txt, line 3: 'x' is not ..." */
        char name[CLI_LINE_MAX + 32];
        snprintf(name, sizeof name, "%s, line %ld", label + 2, lineno);
        cli_option lo = *o;
        lo.name = name;
        if ((rc = list_reserve(cmd, &lo, out, &cap, 1))) break;
        if ((rc = parse_checked(cmd, &lo, s, s, &out->values[out->count]))) break;
        out->count++;
    }
    cli_close_input(f);
    if (!rc && out->count == 0)
        rc = cli_usage_error(cmd, "%s: no values (one value a line; '#' starts a comment)", label);
    if (rc) cli_list_free(out);
    return rc;
}

int cli_list_parse(const char *cmd, const char *what, const char *text, double lo, int allow_inf,
                   cli_list *out)
{
    cli_option o = {.name = what, .kind = CLI_LIST, .metavar = "LIST", .lo = lo, .hi = INFINITY,
                    .allow_inf = allow_inf};
    return parse_list(cmd, &o, text, out);
}

static int apply_option(const char *cmd, const cli_option *o, const char *arg)
{
    double v;
    switch (o->kind) {
    case CLI_REAL:
        if (parse_checked(cmd, o, arg, arg, &v)) return CLI_USAGE;
        *(double *)o->target = v;
        break;
    case CLI_INT:
        if (parse_checked(cmd, o, arg, arg, &v)) return CLI_USAGE;
        *(long long *)o->target = (long long)v; /* whole and within long long: checked */
        break;
    case CLI_TEXT:
        if (!*arg) return cli_usage_error(cmd, "--%s: the value is empty", o->name);
        *(const char **)o->target = arg;
        break;
    case CLI_FLAG:
        *(int *)o->target = 1;
        break;
    case CLI_CHOICE: {
        size_t len = strlen(arg);
        const char *c = o->choices;
        int found = 0;
        while (c && *c) {
            const char *bar = strchr(c, '|');
            size_t clen = bar ? (size_t)(bar - c) : strlen(c);
            if (clen == len && strncmp(c, arg, len) == 0) found = 1;
            c = bar ? bar + 1 : c + clen;
        }
        if (!found || len == 0)
            return cli_usage_error(cmd, "--%s: '%s' is not one of %s", o->name, arg, o->choices);
        *(const char **)o->target = arg;
        break;
    }
    case CLI_FORMAT: {
        slt_format f;
        if (slt_format_parse(arg, &f) != 0)
            return cli_usage_error(cmd, "--%s: '%s' is not one of %s", o->name, arg,
                                   slt_format_choices());
        *(slt_format *)o->target = f;
        break;
    }
    case CLI_LIST:
        if (parse_list(cmd, o, arg, (cli_list *)o->target)) return CLI_USAGE;
        break;
    case CLI_LIST_FILE: {
        int rc = read_list_file(cmd, o, arg, (cli_list *)o->target);
        if (rc) return rc;
        break;
    }
    }
    if (o->seen) *o->seen = 1;
    return CLI_OK;
}

cli_option cli_with_range(cli_option o, const slt_param_range *r)
{
    if (!r) return o; /* an unknown field: tests/test_dmft_names.c checks every name used */
    o.lo = r->lo;
    o.hi = r->hi;
    o.lo_open = r->lo_open;
    o.hi_open = r->hi_open;
    if (!(isinf(r->hi) && !r->hi_open)) o.allow_inf = 0;
    return o;
}

void cli_format_number(char *buf, size_t size, double v)
{
    if (isinf(v)) {
        snprintf(buf, size, "%sinf", v < 0 ? "-" : "");
        return;
    }
    for (int k = 2; k <= 16; k++)
        if (v == 1.0 / k) {
            snprintf(buf, size, "1/%d", k);
            return;
        }
    int p = 1;
    char e[48], f[400];
    for (; p < 17; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, v);
        if (strtod(e, NULL) == v) break;
    }
    snprintf(e, sizeof e, "%.*e", p - 1, v);
    char *x = strchr(e, 'e');
    int ex = atoi(x + 1);
    snprintf(x, sizeof e - (size_t)(x - e), "e%d", ex);
    snprintf(f, sizeof f, "%.*f", p - 1 - ex > 0 ? p - 1 - ex : 0, v);
    snprintf(buf, size, "%s", strlen(f) <= strlen(e) ? f : e);
}

/* o->help with %D replaced by the option's default */
static void expand_help(char *buf, size_t n, const cli_option *o)
{
    const char *d = strstr(o->help, "%D");
    if (!d) {
        snprintf(buf, n, "%s", o->help);
        return;
    }
    char num[64];
    if (o->default_text) snprintf(num, sizeof num, "%s", o->default_text);
    else if (o->kind == CLI_INT) snprintf(num, sizeof num, "%.0f", o->default_value); /* whole */
    else cli_format_number(num, sizeof num, o->default_value);
    snprintf(buf, n, "%.*s%s%s", (int)(d - o->help), o->help, num, d + 2);
}

void cli_print_help(FILE *out, const cli_command_info *info, const cli_option *opts,
                    size_t n_opts)
{
    fprintf(out, "usage: %s\n\n%s\n\noptions:\n", info->usage, info->summary);
    for (size_t i = 0; i < n_opts; i++) {
        const cli_option *o = &opts[i];
        char left[96], range[200] = "";
        if (o->kind == CLI_FLAG)
            snprintf(left, sizeof left, "--%s", o->name);
        else
            snprintf(left, sizeof left, "--%s %s", o->name, o->metavar ? o->metavar : "X");
        if (o->kind == CLI_REAL || o->kind == CLI_INT || o->kind == CLI_LIST ||
            o->kind == CLI_LIST_FILE) {
            char r[160];
            describe_range(r, sizeof r, o);
            snprintf(range, sizeof range, " [%s%s]", r, o->allow_inf ? ", or inf" : "");
        } else if (o->kind == CLI_CHOICE) {
            snprintf(range, sizeof range, " [%s]", o->choices);
        } else if (o->kind == CLI_FORMAT) {
            snprintf(range, sizeof range, " [%s]", slt_format_choices());
        }
        char help[512];
        expand_help(help, sizeof help, o);
        fprintf(out, "  %-22s %s%s\n", left, help, range);
    }
    fprintf(out, "  %-22s %s\n", "--quiet", "no progress messages on stderr");
    fprintf(out, "  %-22s %s\n", "-h, --help", "show this help and exit");
    if (info->details) fprintf(out, "\n%s\n", info->details);
}

int cli_parse(const cli_command_info *info, const cli_option *opts, size_t n_opts,
              int argc, char **argv)
{
    struct option *longopts = calloc(n_opts + 3, sizeof *longopts);
    if (!longopts) return cli_usage_error(info->name, "out of memory");
    for (size_t i = 0; i < n_opts; i++) {
        longopts[i].name = opts[i].name;
        longopts[i].has_arg = opts[i].kind == CLI_FLAG ? no_argument : required_argument;
        longopts[i].val = 256 + (int)i;
    }
    longopts[n_opts].name = "help";
    longopts[n_opts].val = 'h';
    longopts[n_opts + 1].name = "quiet";
    longopts[n_opts + 1].val = 'q';

    int rc = CLI_OK;
    /* getopt_long accepts any unique prefix (--time for --time-const), silently; slt
     * wants the whole name, so every "--name" is checked against the table first. */
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) break;
        if (strncmp(a, "--", 2) != 0) continue;
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int found = -1;
        for (size_t k = 0; k <= n_opts + 1; k++)
            if (strlen(longopts[k].name) == len && strncmp(longopts[k].name, name, len) == 0)
                found = (int)k;
        if (found < 0) {
            const char *close = NULL;
            for (size_t k = 0; k <= n_opts + 1 && !close; k++)
                if (len > 0 && strncmp(longopts[k].name, name, len) == 0) close = longopts[k].name;
            if (close)
                rc = cli_usage_error(info->name, "unknown option '--%.*s' (did you mean --%s? options "
                                     "take their whole name)", (int)len, name, close);
            else
                rc = cli_usage_error(info->name, "unknown option '--%.*s' (see 'slt %s --help')",
                                     (int)len, name, info->name);
        } else if (!eq && longopts[found].has_arg == required_argument) {
            i++; /* the value may itself start with "--" only if it is invalid anyway */
        }
    }
    if (rc != CLI_OK) {
        free(longopts);
        return rc;
    }
    opterr = 0;
    optind = 0; /* GNU: full re-initialisation */
    for (;;) {
        int c = getopt_long(argc, argv, "+:h", longopts, NULL);
        if (c == -1) break;
        if (c == 'h') {
            cli_print_help(stdout, info, opts, n_opts);
            rc = cli_flush_stdout(info->name, "the help");
            if (rc == 0) rc = CLI_HELP;
            break;
        }
        if (c == 'q') {
            cli_quiet = 1;
            continue;
        }
        if (c == ':') {
            const char *bad = argv[optind - 1];
            rc = cli_usage_error(info->name, "option '%s' needs a value (see 'slt %s --help')",
                                 bad, info->name);
            break;
        }
        if (c == '?') {
            const char *bad = argv[optind - 1];
            rc = cli_usage_error(info->name, "unknown option '%s' (see 'slt %s --help')", bad,
                                 info->name);
            break;
        }
        rc = apply_option(info->name, &opts[c - 256], optarg);
        if (rc != CLI_OK) break;
    }
    if (rc == CLI_OK && optind < argc)
        rc = cli_usage_error(info->name, "unexpected argument '%s' (see 'slt %s --help')",
                             argv[optind], info->name);
    free(longopts);
    /* help or an error: the command stops here, so the lists parsed so far are freed
     * (cli_list_free is idempotent; callers that free them too stay correct) */
    if (rc != CLI_OK)
        for (size_t i = 0; i < n_opts; i++)
            if (opts[i].kind == CLI_LIST || opts[i].kind == CLI_LIST_FILE)
                cli_list_free((cli_list *)opts[i].target);
    return rc;
}

/* ---- the times of a run: --t, --t-file, --steps, --steps-file, --every ---------------- */

size_t cli_times_options(cli_times *ct, cli_option t_opt, int steps, cli_option *opts)
{
    size_t n = 0;
    t_opt.name = "t", t_opt.kind = CLI_LIST, t_opt.target = &ct->t, t_opt.seen = &ct->seen_t;
    t_opt.metavar = "LIST";
    opts[n++] = t_opt;
    cli_option f = t_opt;
    f.name = "t-file", f.kind = CLI_LIST_FILE, f.metavar = "FILE", f.seen = &ct->seen_t_file;
    f.help = "the times from FILE, one a line ('-': standard input)";
    opts[n++] = f;
    if (!steps) return n;
    /* steps up to 1e15: t = eta n, and n a whole number a double holds exactly */
    const cli_option s = {.name = "steps", .kind = CLI_LIST, .target = &ct->steps,
                          .metavar = "LIST", .help = "whole steps n of --eta instead of times "
                          "(t = eta n; adds a step column)", .lo = 0, .hi = 1e15,
                          .integer = 1, .seen = &ct->seen_steps};
    opts[n++] = s;
    f = s;
    f.name = "steps-file", f.kind = CLI_LIST_FILE, f.metavar = "FILE";
    f.seen = &ct->seen_steps_file;
    f.help = "the steps from FILE, one a line ('-': standard input)";
    opts[n++] = f;
    opts[n++] = (cli_option){.name = "every", .kind = CLI_INT, .target = &ct->every,
                             .metavar = "K", .help = "with --steps: also every K-th step 0, K, "
                             "2K, ... up to the largest", .lo = 1, .hi = 1e15,
                             .seen = &ct->seen_every};
    return n;
}

int cli_times_given(const cli_times *ct)
{
    return ct->seen_t || ct->seen_t_file || ct->seen_steps || ct->seen_steps_file;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int cli_times_resolve(const char *cmd, cli_times *ct, double eta)
{
    static const char *names[] = {"--t", "--t-file", "--steps", "--steps-file"};
    const int seen[] = {ct->seen_t, ct->seen_t_file, ct->seen_steps, ct->seen_steps_file};
    int first = -1;
    for (int i = 0; i < 4; i++) {
        if (!seen[i]) continue;
        if (first >= 0)
            return cli_usage_error(cmd, "%s and %s cannot be used together (give %s)",
                                   names[first], names[i],
                                   (first < 2) == (i < 2) ? "one of them"
                                                          : "the times or the steps");
        first = i;
    }
    const int by_steps = ct->seen_steps || ct->seen_steps_file;
    const char *what = names[first < 0 ? 2 : first];
    if (ct->seen_every && !by_steps)
        return cli_usage_error(cmd, "--every K needs --steps LIST or --steps-file FILE (every "
                               "K-th step up to the largest)");
    if (!by_steps) return CLI_OK;
    if (!(eta > 0))
        return cli_usage_error(cmd, "%s needs a step --eta E (t = eta n); without --eta the "
                               "dynamics is gradient flow, which has no steps (give --t)", what);
    cli_list *s = &ct->steps;
    if (ct->seen_every) {
        /* the multiples of K up to the largest step, with the steps given, sorted, each once */
        const double K = (double)ct->every;
        double top = 0;
        for (size_t i = 0; i < s->count; i++) top = fmax(top, s->values[i]);
        const double total = floor(top / K) + 1 + (double)s->count;
        if (cli_check_memory(cmd, "--every", total, 2 * sizeof(double))) return CLI_USAGE;
        double *v = realloc(s->values, (size_t)total * sizeof(double));
        if (!v)
            return cli_usage_error(cmd, "--every: %.17g steps would need %.3g bytes: out of "
                                   "memory", total, total * (double)sizeof(double));
        s->values = v;
        for (double k = 0; k * K <= top; k++) v[s->count++] = k * K;
        qsort(v, s->count, sizeof *v, cmp_double);
        size_t kept = 0;
        for (size_t i = 0; i < s->count; i++)
            if (kept == 0 || v[i] != v[kept - 1]) v[kept++] = v[i];
        s->count = kept;
    }
    /* t = eta n, computed once here: the solvers round t/eta back to n exactly */
    cli_list_free(&ct->t);
    if (!(ct->t.values = malloc(s->count * sizeof(double))))
        return cli_usage_error(cmd, "%s: %zu steps: out of memory", what, s->count);
    for (size_t i = 0; i < s->count; i++) ct->t.values[i] = eta * s->values[i];
    ct->t.count = s->count;
    for (size_t i = 0; i < s->count; i++)
        if (!isfinite(ct->t.values[i]))
            return cli_usage_error(cmd, "%s: step %.17g times --eta %.17g is beyond double's "
                                   "range", what, s->values[i], eta);
    return CLI_OK;
}

void cli_times_free(cli_times *ct)
{
    cli_list_free(&ct->t);
    cli_list_free(&ct->steps);
}

int cli_stdin_once(const char *cmd, const char *name, const char *path)
{
    if (path && strcmp(path, "-") == 0 && cli_stdin_option)
        return cli_usage_error(cmd, "--%s - and --%s - both read standard input (give one of "
                               "them a file)", name, cli_stdin_option);
    return CLI_OK;
}

int cli_list_parse_option(const char *cmd, const cli_option *o, const char *text, cli_list *out)
{
    return parse_list(cmd, o, text, out);
}
