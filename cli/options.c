/* Option-table parsing, help generation and error reporting for `slt` subcommands. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

int cli_read_line(const char *command, FILE *f, const char *path, long lineno, char *buf,
                  size_t size)
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
    if (lineno > CLI_LINES_MAX)
        return cli_usage_error(command, "%s: more than %ld lines", path, CLI_LINES_MAX);
    if (n > 0 && buf[n - 1] == '\r') n--;
    buf[n] = '\0';
    if (lineno == 1 && strncmp(buf, "\xEF\xBB\xBF", 3) == 0) memmove(buf, buf + 3, n - 2);
    return 1;
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
    int has_lo = !(isinf(o->lo) && o->lo < 0), has_hi = !(isinf(o->hi) && o->hi > 0);
    if (has_lo && has_hi)
        snprintf(buf, n, "%.10g %s %s %s %.10g", o->lo, o->lo_open ? "<" : "<=", o->metavar,
                 o->hi_open ? "<" : "<=", o->hi);
    else if (has_lo)
        snprintf(buf, n, "%s %s %.10g", o->metavar, o->lo_open ? ">" : ">=", o->lo);
    else if (has_hi)
        snprintf(buf, n, "%s %s %.10g", o->metavar, o->hi_open ? "<" : "<=", o->hi);
    else
        snprintf(buf, n, "any finite %s", o->metavar);
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

static int parse_list(const char *cmd, const cli_option *o, const char *text, cli_list *out)
{
    cli_list_free(out);
    const char *colon = strchr(text, ':');
    if (colon) {
        /* start:stop:count, log-spaced inclusive of both ends */
        char buf[256];
        if (strlen(text) >= sizeof buf)
            return cli_usage_error(cmd, "--%s: '%s' is too long", o->name, text);
        strcpy(buf, text);
        char *parts[3] = {0};
        int np = 0;
        for (char *p = buf; p && np < 4; np++) {
            char *next = strchr(p, ':');
            if (next) *next++ = '\0';
            if (np < 3) parts[np] = p;
            p = next;
        }
        if (np != 3)
            return cli_usage_error(cmd, "--%s: '%s' is not a list (expected v1,v2,... or "
                                   "start:stop:count)", o->name, text);
        double a, b, c;
        if (parse_checked(cmd, o, parts[0], text, &a) || parse_checked(cmd, o, parts[1], text, &b))
            return CLI_USAGE;
        if (cli_parse_real(parts[2], 0, &c) != 0 || c != floor(c) || c < 1 || c > CLI_LIST_MAX)
            return cli_usage_error(cmd, "--%s: count '%s' in '%s' is not a whole number "
                                   "from 1 to %d", o->name, parts[2], text, CLI_LIST_MAX);
        if (!(a > 0) || !(b > 0) || isinf(a) || isinf(b))
            return cli_usage_error(cmd, "--%s: '%s': start and stop of a log-spaced range "
                                   "must be finite and > 0", o->name, text);
        size_t count = (size_t)c, kept = 0;
        out->values = malloc(count * sizeof(double));
        if (!out->values) return cli_usage_error(cmd, "out of memory");
        for (size_t i = 0; i < count; i++) {
            /* both ends exact; a single value is the start */
            double v = log_point(a, b, i, count);
            if (o->integer) {
                /* sizes: the nearest whole number, each once */
                v = nearbyint(v);
                if (kept > 0 && out->values[kept - 1] == v) continue;
            }
            out->values[kept++] = v;
        }
        out->count = kept;
        return 0;
    }
    size_t cap = 1;
    for (const char *p = text; *p; p++) cap += (*p == ',');
    if (cap > CLI_LIST_MAX)
        return cli_usage_error(cmd, "--%s: more than %d values", o->name, CLI_LIST_MAX);
    out->values = malloc(cap * sizeof(double));
    if (!out->values) return cli_usage_error(cmd, "out of memory");
    const char *p = text;
    for (size_t i = 0; i < cap; i++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char item[128];
        if (len == 0 || len >= sizeof item) {
            cli_list_free(out);
            return cli_usage_error(cmd, "--%s: '%s' has an empty or overlong entry (expected "
                                   "v1,v2,... or start:stop:count)", o->name, text);
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (parse_checked(cmd, o, item, item, &out->values[i])) {
            cli_list_free(out);
            return CLI_USAGE;
        }
        out->count = i + 1;
        p = end ? end + 1 : p + len;
    }
    return 0;
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
        if (o->kind == CLI_REAL || o->kind == CLI_INT || o->kind == CLI_LIST) {
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
            if (opts[i].kind == CLI_LIST) cli_list_free((cli_list *)opts[i].target);
    return rc;
}
