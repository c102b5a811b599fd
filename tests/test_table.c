/* Tests of slt/table.h: every output format is written to a temporary file and read
 * back by an independent reader (a small RFC 4180 parser, jansson, line/field splitting),
 * so the references are the format specifications rather than the writer itself. */
#include "slt_test.h"

#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slt/status.h"
#include "slt/table.h"

/* ------------------------------------------------------------------------------------ */
/* Fixture: every column kind and the awkward values                                    */

#define NROWS 9
#define NOUT 6 /* x, x_err, y, n, label, status */

static const char *const out_names[NOUT] = {"x", "x_err", "y", "n", "label", "status"};
static const int out_is_real[NOUT] = {1, 1, 1, 0, 0, 0};

static double xs[NROWS], xerrs[NROWS], ys[NROWS];
static const long long ns[NROWS] = {0, -1, LLONG_MAX, LLONG_MIN, 42, 7, 1000000, -99, 3};
static const char *const labels[NROWS] = {
    "plain",
    "comma, here",
    "quote \"q\" inside",
    "new\nline",
    "tab\there",
    "unicode \xce\xb1\xce\xb2 \xe6\xbc\xa2\xe5\xad\x97 \xc3\xa9",
    "mixed ,\"\r\n end",
    "",
    "tex & % $ # _ { } ~ ^ \\ < > | pipe",
};
/* NULL: left at the default, which must read "ok". */
static const char *const statuses[NROWS] = {NULL, NULL, NULL, NULL, "did not converge",
                                            "diverges, x = inf", NULL, NULL, NULL};

static void fill_values(void)
{
    const double x[NROWS] = {0.1, 1.0 / 3.0, 1e-300, -2.5e300, NAN, INFINITY, -INFINITY,
                             5e-324, DBL_MAX};
    const double e[NROWS] = {1e-17, 0.012345, NAN, 1.5, INFINITY, 0.0, 2.0 / 3.0, 1e300,
                             -INFINITY};
    const double y[NROWS] = {1.0, -1.0 / 3.0, 123456789.123, 1e22, -0.0, NAN, 6.02214076e23,
                             -1e-5, DBL_MIN};
    memcpy(xs, x, sizeof x);
    memcpy(xerrs, e, sizeof e);
    memcpy(ys, y, sizeof y);
}

static double expected_real(size_t row, size_t o)
{
    return o == 0 ? xs[row] : o == 1 ? xerrs[row] : ys[row];
}

static const char *expected_status(size_t row) { return statuses[row] ? statuses[row] : "ok"; }

static slt_table *make_table(void)
{
    fill_values();
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("test-table", &t));
    assert_non_null(t);
    assert_ok(slt_table_param_real(t, "alpha", 1.5));
    assert_ok(slt_table_param_int(t, "modes", 1000));
    assert_ok(slt_table_param_text(t, "convention", "bordelon"));
    assert_ok(slt_table_param_real(t, "third", 1.0 / 3.0));
    assert_ok(slt_table_param_real(t, "undefined", NAN));
    int cx = slt_table_add_column(t, "x", SLT_COL_REAL, 1);
    int cy = slt_table_add_column(t, "y", SLT_COL_REAL, 0);
    int cn = slt_table_add_column(t, "n", SLT_COL_INT, 0);
    int cl = slt_table_add_column(t, "label", SLT_COL_TEXT, 0);
    int cs = slt_table_add_status(t);
    assert_int_equal(cx, 0);
    assert_int_equal(cy, 1);
    assert_int_equal(cn, 2);
    assert_int_equal(cl, 3);
    assert_int_equal(cs, 4);
    for (size_t r = 0; r < NROWS; r++) {
        long idx = slt_table_add_row(t);
        assert_int_equal(idx, (long)r);
        assert_ok(slt_table_set_real(t, r, cx, xs[r], xerrs[r]));
        assert_ok(slt_table_set_real(t, r, cy, ys[r], 99.0)); /* err ignored: no companion */
        assert_ok(slt_table_set_int(t, r, cn, ns[r]));
        assert_ok(slt_table_set_text(t, r, cl, labels[r]));
        if (statuses[r]) assert_ok(slt_table_set_status(t, r, statuses[r]));
    }
    assert_int_equal(slt_table_rows(t), NROWS);
    assert_int_equal(slt_table_columns(t), NOUT);
    return t;
}

/* ------------------------------------------------------------------------------------ */
/* Reading back                                                                         */

static char *read_all(FILE *f, size_t *len_out)
{
    rewind(f);
    size_t cap = 4096, len = 0;
    char *p = malloc(cap);
    assert_non_null(p);
    size_t n;
    while ((n = fread(p + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            cap *= 2;
            p = realloc(p, cap);
            assert_non_null(p);
        }
    }
    p[len] = '\0';
    if (len_out) *len_out = len;
    return p;
}

static char *write_to_string(const slt_table *t, slt_format f)
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_ok(slt_table_write(t, tmp, f));
    size_t len;
    char *s = read_all(tmp, &len);
    fclose(tmp);
    assert_int_equal(strlen(s), len); /* no stray NUL bytes */
    assert_true(len > 0 && s[len - 1] == '\n');
    return s;
}

typedef struct {
    char **item;
    size_t n, cap;
} strlist;

static void strlist_push(strlist *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->item = realloc(l->item, l->cap * sizeof *l->item);
        assert_non_null(l->item);
    }
    l->item[l->n++] = s;
}

static void strlist_free(strlist *l)
{
    for (size_t k = 0; k < l->n; k++) free(l->item[k]);
    free(l->item);
    l->item = NULL;
    l->n = l->cap = 0;
}

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    assert_non_null(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Splits on `sep`; a final empty piece after a trailing separator is dropped only for
 * newline splitting (files end with a newline). */
static strlist split(const char *s, char sep)
{
    strlist l = {0};
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == sep || *p == '\0') {
            if (!(*p == '\0' && sep == '\n' && p == start))
                strlist_push(&l, dup_range(start, (size_t)(p - start)));
            if (*p == '\0') break;
            start = p + 1;
        }
    }
    return l;
}

/* RFC 4180: records end at CRLF or LF outside quotes; a quoted field may hold commas,
 * line breaks and doubled quotes. Returns the records as lists of fields. */
typedef struct {
    strlist *rec;
    size_t n;
} csv_doc;

static csv_doc csv_parse(const char *s)
{
    csv_doc d = {NULL, 0};
    size_t cap = 0;
    while (*s) {
        strlist rec = {0};
        for (;;) {
            char *field = malloc(strlen(s) + 1);
            assert_non_null(field);
            size_t n = 0;
            if (*s == '"') {
                s++;
                for (;;) {
                    assert_true(*s != '\0'); /* an unterminated quote is a writer bug */
                    if (*s == '"') {
                        if (s[1] == '"') {
                            field[n++] = '"';
                            s += 2;
                        } else {
                            s++;
                            break;
                        }
                    } else {
                        field[n++] = *s++;
                    }
                }
                /* after the closing quote only a separator or record end may follow */
                assert_true(*s == ',' || *s == '\n' || *s == '\r' || *s == '\0');
            } else {
                while (*s && *s != ',' && *s != '\n' && *s != '\r') {
                    assert_true(*s != '"'); /* bare quote: the field should have been quoted */
                    field[n++] = *s++;
                }
            }
            field[n] = '\0';
            strlist_push(&rec, field);
            if (*s == ',') {
                s++;
                continue;
            }
            if (*s == '\r') s++;
            if (*s == '\n') s++;
            break;
        }
        if (d.n == cap) {
            cap = cap ? 2 * cap : 16;
            d.rec = realloc(d.rec, cap * sizeof *d.rec);
            assert_non_null(d.rec);
        }
        d.rec[d.n++] = rec;
    }
    return d;
}

static void csv_free(csv_doc *d)
{
    for (size_t k = 0; k < d->n; k++) strlist_free(&d->rec[k]);
    free(d->rec);
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* A real written by a machine format: non-finite as nan/inf/-inf, anything else must
 * come back bit for bit. */
static void assert_real_text(const char *text, double expected)
{
    if (isnan(expected)) {
        assert_string_equal(text, "nan");
        return;
    }
    if (isinf(expected)) {
        assert_string_equal(text, expected > 0 ? "inf" : "-inf");
        return;
    }
    char *end = NULL;
    double v = strtod(text, &end);
    assert_true(end != text && *end == '\0');
    if (!same_bits(v, expected)) {
        print_error("'%s' reads as %.17g, expected %.17g\n", text, v, expected);
        fail();
    }
}

static void assert_int_text(const char *text, long long expected)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    assert_true(end != text && *end == '\0');
    assert_true(v == expected);
}

/* Code points of a UTF-8 line, for column positions that do not depend on bytes. */
static size_t decode_utf8(const char *s, uint32_t *out, size_t max)
{
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < max) {
        uint32_t c = *p;
        int extra = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        if (extra) c &= 0x3Fu >> extra;
        p++;
        for (int k = 0; k < extra; k++) c = (c << 6) | (*p++ & 0x3F);
        out[n++] = c;
    }
    return n;
}

/* tsv and the human formats may not keep line breaks or tabs inside a field. */
static char *flatten(const char *s, int all_controls)
{
    char *d = dup_range(s, strlen(s));
    for (char *p = d; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\t' || c == '\n' || c == '\r' || (all_controls && (c < 0x20 || c == 0x7F)))
            *p = ' ';
    }
    return d;
}

/* ------------------------------------------------------------------------------------ */
/* Formats                                                                              */

static void test_format_parse(void **state)
{
    (void)state;
    const char *names[] = {"table", "csv", "tsv", "json", "markdown", "latex"};
    const slt_format formats[] = {SLT_FORMAT_TABLE, SLT_FORMAT_CSV, SLT_FORMAT_TSV,
                                  SLT_FORMAT_JSON, SLT_FORMAT_MARKDOWN, SLT_FORMAT_LATEX};
    for (size_t k = 0; k < 6; k++) {
        slt_format f = (slt_format)-1;
        assert_ok(slt_format_parse(names[k], &f));
        assert_int_equal(f, formats[k]);
        assert_string_equal(slt_format_name(f), names[k]);
        assert_non_null(strstr(slt_format_choices(), names[k]));
    }
    assert_string_equal(slt_format_choices(), "table|csv|tsv|json|markdown|latex");

    slt_format f = SLT_FORMAT_CSV;
    slt_error_clear();
    assert_status(slt_format_parse("xml", &f), SLT_EINVAL);
    assert_int_equal(f, SLT_FORMAT_CSV); /* untouched on failure */
    assert_non_null(strstr(slt_last_error(), "'xml'"));
    assert_non_null(strstr(slt_last_error(), "table|csv|tsv|json|markdown|latex"));
    assert_status(slt_format_parse("CSV", &f), SLT_EINVAL);
    assert_status(slt_format_parse("", &f), SLT_EINVAL);
    assert_status(slt_format_parse(NULL, &f), SLT_EINVAL);
    assert_status(slt_format_parse("csv", NULL), SLT_EINVAL);
    assert_string_equal(slt_format_name((slt_format)42), "unknown");
}

static void test_csv(void **state)
{
    (void)state;
    slt_table *t = make_table();
    char *s = write_to_string(t, SLT_FORMAT_CSV);
    csv_doc d = csv_parse(s);
    assert_int_equal(d.n, 1 + NROWS); /* exactly one header row */
    assert_int_equal(d.rec[0].n, NOUT);
    for (size_t o = 0; o < NOUT; o++) assert_string_equal(d.rec[0].item[o], out_names[o]);
    for (size_t r = 0; r < NROWS; r++) {
        const strlist *f = &d.rec[r + 1];
        assert_int_equal(f->n, NOUT);
        for (size_t o = 0; o < 3; o++) assert_real_text(f->item[o], expected_real(r, o));
        assert_int_text(f->item[3], ns[r]);
        assert_string_equal(f->item[4], labels[r]); /* exact, line breaks included */
        assert_string_equal(f->item[5], expected_status(r));
    }
    /* quoting only where needed: a plain field stays bare */
    assert_non_null(strstr(s, ",plain,"));
    assert_non_null(strstr(s, ",\"comma, here\","));
    assert_non_null(strstr(s, ",\"quote \"\"q\"\" inside\","));
    csv_free(&d);
    free(s);
    slt_table_free(t);
}

static void test_csv_header_quoting(void **state)
{
    (void)state;
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("q", &t));
    assert_int_equal(slt_table_add_column(t, "a,b", SLT_COL_REAL, 1), 0);
    assert_int_equal(slt_table_add_column(t, "say \"hi\"", SLT_COL_INT, 0), 1);
    assert_int_equal(slt_table_add_row(t), 0);
    char *s = write_to_string(t, SLT_FORMAT_CSV);
    csv_doc d = csv_parse(s);
    assert_int_equal(d.n, 2);
    assert_int_equal(d.rec[0].n, 3);
    assert_string_equal(d.rec[0].item[0], "a,b");
    assert_string_equal(d.rec[0].item[1], "a,b_err");
    assert_string_equal(d.rec[0].item[2], "say \"hi\"");
    /* a fresh row: reals NaN, ints 0 */
    assert_string_equal(d.rec[1].item[0], "nan");
    assert_string_equal(d.rec[1].item[1], "nan");
    assert_string_equal(d.rec[1].item[2], "0");
    csv_free(&d);
    free(s);
    slt_table_free(t);
}

static void test_tsv(void **state)
{
    (void)state;
    slt_table *t = make_table();
    char *s = write_to_string(t, SLT_FORMAT_TSV);
    strlist lines = split(s, '\n');
    assert_int_equal(lines.n, 1 + NROWS);
    strlist head = split(lines.item[0], '\t');
    assert_int_equal(head.n, NOUT);
    for (size_t o = 0; o < NOUT; o++) assert_string_equal(head.item[o], out_names[o]);
    strlist_free(&head);
    for (size_t r = 0; r < NROWS; r++) {
        strlist f = split(lines.item[r + 1], '\t');
        assert_int_equal(f.n, NOUT);
        for (size_t o = 0; o < 3; o++) assert_real_text(f.item[o], expected_real(r, o));
        assert_int_text(f.item[3], ns[r]);
        char *flat = flatten(labels[r], 0);
        assert_string_equal(f.item[4], flat); /* tab, CR, LF became spaces; rest exact */
        free(flat);
        assert_string_equal(f.item[5], expected_status(r));
        strlist_free(&f);
    }
    assert_null(strchr(s, '\r'));
    strlist_free(&lines);
    free(s);
    slt_table_free(t);
}

static void assert_json_real(const json_t *v, double expected)
{
    if (isnan(expected)) { /* no value: null, the status says why */
        assert_true(json_is_null(v));
        return;
    }
    if (isinf(expected)) { /* a meaningful infinity (N = inf, a divergent loss) */
        assert_true(json_is_string(v));
        assert_string_equal(json_string_value(v), expected > 0 ? "inf" : "-inf");
        return;
    }
    assert_true(json_is_real(v)); /* an integral real must not turn into an integer */
    double got = json_real_value(v);
    if (!same_bits(got, expected)) {
        print_error("json real %.17g, expected %.17g\n", got, expected);
        fail();
    }
}

static void test_json(void **state)
{
    (void)state;
    slt_table *t = make_table();
    assert_ok(slt_table_param_real(t, "alpha", 2.25)); /* replaces, keeps one key */
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    assert_ok(slt_table_write(t, tmp, SLT_FORMAT_JSON));
    rewind(tmp);
    json_error_t err;
    json_t *root = json_loadf(tmp, 0, &err); /* fails on anything after the object */
    if (!root) print_error("json: %s at line %d\n", err.text, err.line);
    assert_non_null(root);
    fclose(tmp);

    assert_true(json_is_object(root));
    assert_int_equal(json_object_size(root), 5);
    assert_string_equal(json_string_value(json_object_get(root, "command")), "test-table");
    assert_string_equal(json_string_value(json_object_get(root, "version")), slt_version());

    json_t *params = json_object_get(root, "params");
    assert_true(json_is_object(params));
    assert_int_equal(json_object_size(params), 5);
    assert_json_real(json_object_get(params, "alpha"), 2.25);
    assert_json_real(json_object_get(params, "third"), 1.0 / 3.0);
    assert_true(json_is_integer(json_object_get(params, "modes")));
    assert_true(json_integer_value(json_object_get(params, "modes")) == 1000);
    assert_string_equal(json_string_value(json_object_get(params, "convention")), "bordelon");
    assert_true(json_is_null(json_object_get(params, "undefined")));
    /* insertion order survives: "alpha" was set first */
    assert_string_equal(json_object_iter_key(json_object_iter(params)), "alpha");

    json_t *cols = json_object_get(root, "columns");
    assert_true(json_is_array(cols));
    assert_int_equal(json_array_size(cols), NOUT);
    for (size_t o = 0; o < NOUT; o++)
        assert_string_equal(json_string_value(json_array_get(cols, o)), out_names[o]);

    json_t *rows = json_object_get(root, "rows");
    assert_true(json_is_array(rows));
    assert_int_equal(json_array_size(rows), NROWS);
    for (size_t r = 0; r < NROWS; r++) {
        json_t *row = json_array_get(rows, r);
        assert_true(json_is_array(row));
        assert_int_equal(json_array_size(row), NOUT);
        for (size_t o = 0; o < 3; o++) assert_json_real(json_array_get(row, o), expected_real(r, o));
        json_t *n = json_array_get(row, 3);
        assert_true(json_is_integer(n));
        assert_true(json_integer_value(n) == ns[r]);
        assert_true(json_is_string(json_array_get(row, 4)));
        assert_string_equal(json_string_value(json_array_get(row, 4)), labels[r]);
        assert_string_equal(json_string_value(json_array_get(row, 5)), expected_status(r));
    }
    json_decref(root);
    slt_table_free(t);
}

static void test_json_empty_and_minimal(void **state)
{
    (void)state;
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("empty", &t));
    assert_int_equal(slt_table_add_column(t, "v", SLT_COL_REAL, 0), 0);
    char *s = write_to_string(t, SLT_FORMAT_JSON);
    json_error_t err;
    json_t *root = json_loads(s, 0, &err);
    assert_non_null(root);
    assert_int_equal(json_object_size(json_object_get(root, "params")), 0);
    assert_int_equal(json_array_size(json_object_get(root, "rows")), 0);
    json_decref(root);
    free(s);
    /* no rows: csv is just the header, table is header + rule */
    s = write_to_string(t, SLT_FORMAT_CSV);
    assert_string_equal(s, "v\n");
    free(s);
    s = write_to_string(t, SLT_FORMAT_TABLE);
    assert_string_equal(s, "v\n-\n");
    free(s);
    slt_table_free(t);
}

/* Column spans from the rule line (runs of '-'), in code points. */
static size_t rule_spans(const char *rule, size_t *start, size_t *end, size_t max)
{
    size_t n = 0, k = 0, len = strlen(rule);
    while (k < len && n < max) {
        while (k < len && rule[k] == ' ') k++;
        if (k >= len) break;
        start[n] = k;
        while (k < len && rule[k] == '-') k++;
        end[n++] = k; /* one past */
    }
    return n;
}

static char *cell_text(const uint32_t *cp, size_t a, size_t b, char *out, size_t max)
{
    /* ASCII only is needed: used for the numeric cells */
    size_t n = 0;
    for (size_t k = a; k < b && n + 1 < max; k++)
        if (cp[k] != ' ') out[n++] = (char)cp[k];
    out[n] = '\0';
    return out;
}

static void test_table_format(void **state)
{
    (void)state;
    slt_table *t = make_table();
    char *s = write_to_string(t, SLT_FORMAT_TABLE);
    strlist lines = split(s, '\n');
    assert_int_equal(lines.n, NROWS + 2); /* header, rule, rows */

    uint32_t cp[512];
    size_t width = decode_utf8(lines.item[0], cp, 512);
    for (size_t k = 1; k < lines.n; k++) assert_int_equal(decode_utf8(lines.item[k], cp, 512), width);

    size_t a[NOUT + 1], b[NOUT + 1];
    assert_int_equal(rule_spans(lines.item[1], a, b, NOUT + 1), NOUT);
    assert_int_equal(b[NOUT - 1], width);

    /* header: numbers right-aligned, texts left-aligned */
    size_t n = decode_utf8(lines.item[0], cp, 512);
    assert_int_equal(n, width);
    for (size_t o = 0; o < NOUT; o++) {
        if (out_is_real[o] || o == 3) assert_true(cp[b[o] - 1] != ' ');
        else assert_true(cp[a[o]] != ' ');
    }

    for (size_t r = 0; r < NROWS; r++) {
        decode_utf8(lines.item[r + 2], cp, 512);
        for (size_t o = 0; o < NOUT; o++) {
            if (o > 0) /* the gap between columns stays blank */
                for (size_t k = b[o - 1]; k < a[o]; k++) assert_true(cp[k] == ' ');
            if (o <= 3) assert_true(cp[b[o] - 1] != ' ');
            else if (o == 5 || labels[r][0] != '\0') assert_true(cp[a[o]] != ' ');
        }
        char buf[64], want[64];
        /* 8 significant digits for values, 2 for errors */
        for (size_t o = 0; o < 3; o++) {
            double v = expected_real(r, o);
            if (isnan(v)) snprintf(want, sizeof want, "nan");
            else if (isinf(v)) snprintf(want, sizeof want, v > 0 ? "inf" : "-inf");
            else snprintf(want, sizeof want, o == 1 ? "%.2g" : "%.8g", v);
            assert_string_equal(cell_text(cp, a[o], b[o], buf, sizeof buf), want);
        }
    }
    /* spot checks against hand-written text */
    assert_non_null(strstr(lines.item[3], "0.33333333"));
    assert_null(strstr(lines.item[3], "0.333333333"));
    assert_non_null(strstr(lines.item[3], "0.012 "));
    assert_non_null(strstr(s, "new line"));
    assert_non_null(strstr(s, "did not converge"));
    strlist_free(&lines);
    free(s);
    slt_table_free(t);
}

/* Splits a markdown row on pipes that are not escaped as "\|". */
static size_t md_cells(const char *line)
{
    size_t n = 0;
    for (const char *p = line; *p; p++)
        if (*p == '|' && (p == line || p[-1] != '\\')) n++;
    return n; /* pipes; cells = pipes - 1 */
}

static void test_markdown(void **state)
{
    (void)state;
    slt_table *t = make_table();
    char *s = write_to_string(t, SLT_FORMAT_MARKDOWN);
    strlist lines = split(s, '\n');
    assert_int_equal(lines.n, NROWS + 2);
    uint32_t cp[512];
    size_t width = decode_utf8(lines.item[0], cp, 512);
    for (size_t k = 0; k < lines.n; k++) {
        assert_true(lines.item[k][0] == '|');
        assert_true(lines.item[k][strlen(lines.item[k]) - 1] == '|');
        assert_int_equal(md_cells(lines.item[k]), NOUT + 1);
        assert_int_equal(decode_utf8(lines.item[k], cp, 512), width);
    }
    /* separator: dashes only, numbers marked right-aligned */
    const char *sep = lines.item[1];
    assert_int_equal(strspn(sep, "|-:"), strlen(sep));
    assert_non_null(strstr(sep, "-|"));
    assert_non_null(strstr(sep, "-:|"));
    assert_true(strncmp(sep, "|---", 4) == 0);
    assert_non_null(strstr(lines.item[0], " x_err "));
    assert_non_null(strstr(s, "\\| pipe"));
    assert_null(strstr(s, " | pipe"));
    assert_non_null(strstr(lines.item[3], " 0.33333333 "));
    assert_non_null(strstr(lines.item[6], " nan "));
    strlist_free(&lines);
    free(s);
    slt_table_free(t);
}

/* Counts column separators "&" that are not escaped as "\&". */
static size_t tex_amps(const char *line)
{
    size_t n = 0;
    for (const char *p = line; *p; p++)
        if (*p == '&' && (p == line || p[-1] != '\\')) n++;
    return n;
}

static void test_latex(void **state)
{
    (void)state;
    slt_table *t = make_table();
    char *s = write_to_string(t, SLT_FORMAT_LATEX);
    strlist lines = split(s, '\n');
    assert_int_equal(lines.n, NROWS + 4); /* begin, header, hline, rows, end */
    assert_string_equal(lines.item[0], "\\begin{tabular}{rrrrll}");
    assert_string_equal(lines.item[1], "x & x\\_err & y & n & label & status \\\\");
    assert_string_equal(lines.item[2], "\\hline");
    assert_string_equal(lines.item[lines.n - 1], "\\end{tabular}");
    for (size_t r = 0; r < NROWS; r++) {
        const char *l = lines.item[r + 3];
        size_t len = strlen(l);
        assert_true(len > 3 && strcmp(l + len - 3, " \\\\") == 0);
        assert_int_equal(tex_amps(l), NOUT - 1);
    }
    assert_non_null(strstr(s, "tex \\& \\% \\$ \\# \\_ \\{ \\} \\textasciitilde{} "
                              "\\textasciicircum{} \\textbackslash{} \\textless{} "
                              "\\textgreater{} | pipe"));
    assert_non_null(strstr(lines.item[4], "0.33333333 & 0.012 & -0.33333333 & -1 & "
                                          "comma, here & ok"));
    assert_non_null(strstr(lines.item[7], "nan & inf & -0 & 42"));
    strlist_free(&lines);
    free(s);
    slt_table_free(t);
}

/* ------------------------------------------------------------------------------------ */
/* Misuse and failures                                                                  */

static void assert_message_has(const char *needle)
{
    if (!strstr(slt_last_error(), needle)) {
        print_error("message \"%s\" does not mention \"%s\"\n", slt_last_error(), needle);
        fail();
    }
}

static void test_errors_construction(void **state)
{
    (void)state;
    slt_table *t = (slt_table *)&t;
    assert_status(slt_table_alloc(NULL, &t), SLT_EINVAL);
    assert_null(t);
    assert_message_has("command");
    assert_status(slt_table_alloc("x", NULL), SLT_EINVAL);
    assert_status(slt_table_alloc("bad \xff utf8", &t), SLT_EINVAL);
    assert_message_has("UTF-8");
    slt_table_free(NULL);

    assert_ok(slt_table_alloc("errors", &t));
    assert_int_equal(slt_table_add_row(t), -SLT_EINVAL);
    assert_message_has("no columns");
    assert_status(slt_table_write(t, stdout, SLT_FORMAT_CSV), SLT_EINVAL);
    assert_message_has("no columns");

    assert_int_equal(slt_table_add_column(NULL, "a", SLT_COL_REAL, 0), -SLT_EINVAL);
    assert_message_has("table is NULL");
    assert_int_equal(slt_table_add_column(t, NULL, SLT_COL_REAL, 0), -SLT_EINVAL);
    assert_message_has("column name");
    assert_int_equal(slt_table_add_column(t, "", SLT_COL_REAL, 0), -SLT_EINVAL);
    assert_message_has("empty");
    assert_int_equal(slt_table_add_column(t, "k", SLT_COL_INT, 1), -SLT_EINVAL);
    assert_message_has("'k'");
    assert_message_has("_err");
    assert_int_equal(slt_table_add_column(t, "w", (slt_col_type)99, 0), -SLT_EINVAL);
    assert_message_has("type");

    assert_int_equal(slt_table_add_column(t, "a", SLT_COL_REAL, 1), 0);
    assert_int_equal(slt_table_add_column(t, "a", SLT_COL_TEXT, 0), -SLT_EINVAL);
    assert_message_has("duplicate column name 'a'");
    assert_int_equal(slt_table_add_column(t, "a_err", SLT_COL_REAL, 0), -SLT_EINVAL);
    assert_message_has("duplicate column name 'a_err'");
    assert_int_equal(slt_table_add_column(t, "b_err", SLT_COL_REAL, 0), 1);
    assert_int_equal(slt_table_add_column(t, "b", SLT_COL_REAL, 1), -SLT_EINVAL);
    assert_message_has("duplicate column name 'b_err'");
    assert_int_equal(slt_table_add_column(t, "status", SLT_COL_TEXT, 0), 2);
    assert_int_equal(slt_table_add_status(t), -SLT_EINVAL); /* name taken by a user column */
    assert_message_has("'status'");
    assert_int_equal(slt_table_columns(t), 4);

    assert_status(slt_table_set_status(t, 0, "x"), SLT_EINVAL);
    assert_message_has("no status column");

    assert_int_equal(slt_table_add_row(t), 0);
    assert_int_equal(slt_table_add_column(t, "late", SLT_COL_REAL, 0), -SLT_EINVAL);
    assert_message_has("'late'");
    assert_message_has("after rows");
    assert_int_equal(slt_table_add_status(t), -SLT_EINVAL);
    assert_int_equal(slt_table_columns(t), 4); /* failed calls changed nothing */
    slt_table_free(t);

    assert_ok(slt_table_alloc("errors", &t));
    assert_int_equal(slt_table_add_status(t), 0);
    assert_int_equal(slt_table_add_status(t), -SLT_EINVAL);
    assert_message_has("already has a status column");
    slt_table_free(t);

    assert_int_equal(slt_table_add_status(NULL), -SLT_EINVAL);
    assert_int_equal(slt_table_add_row(NULL), -SLT_EINVAL);
    assert_int_equal(slt_table_rows(NULL), 0);
    assert_int_equal(slt_table_columns(NULL), 0);
}

static void test_errors_cells(void **state)
{
    (void)state;
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("cells", &t));
    int cr = slt_table_add_column(t, "energy", SLT_COL_REAL, 1);
    int ci = slt_table_add_column(t, "count", SLT_COL_INT, 0);
    int ct = slt_table_add_column(t, "name", SLT_COL_TEXT, 0);
    assert_int_equal(slt_table_add_row(t), 0);

    assert_status(slt_table_set_real(NULL, 0, cr, 1.0, 0.0), SLT_EINVAL);
    assert_message_has("table is NULL");
    assert_status(slt_table_set_real(t, 0, ci, 1.0, 0.0), SLT_EINVAL);
    assert_message_has("slt_table_set_real");
    assert_message_has("'count'");
    assert_message_has("int, not real");
    assert_status(slt_table_set_int(t, 0, cr, 1), SLT_EINVAL);
    assert_message_has("'energy'");
    assert_message_has("real, not int");
    assert_status(slt_table_set_text(t, 0, ci, "x"), SLT_EINVAL);
    assert_message_has("int, not text");
    assert_status(slt_table_set_real(t, 0, -1, 1.0, 0.0), SLT_EINVAL);
    assert_message_has("column index -1");
    assert_status(slt_table_set_int(t, 0, 3, 1), SLT_EINVAL);
    assert_message_has("column index 3");
    assert_message_has("3 declared columns");
    assert_status(slt_table_set_real(t, 1, cr, 1.0, 0.0), SLT_EINVAL);
    assert_message_has("row 1 is out of range");
    assert_message_has("1 rows");
    assert_status(slt_table_set_text(t, 5, ct, "x"), SLT_EINVAL);
    assert_message_has("row 5");
    assert_status(slt_table_set_text(t, 0, ct, NULL), SLT_EINVAL);
    assert_message_has("NULL");
    assert_status(slt_table_set_text(t, 0, ct, "\xc3\x28"), SLT_EINVAL);
    assert_message_has("UTF-8");
    assert_status(slt_table_set_text(t, 0, ct, "\xed\xa0\x80"), SLT_EINVAL); /* surrogate */
    assert_status(slt_table_set_text(t, 0, ct, "\xc0\xaf"), SLT_EINVAL);     /* overlong */

    /* setting twice replaces (and frees) the old text */
    assert_ok(slt_table_set_text(t, 0, ct, "first"));
    assert_ok(slt_table_set_text(t, 0, ct, "second"));
    assert_ok(slt_table_set_real(t, 0, cr, 2.5, 0.25));
    assert_ok(slt_table_set_int(t, 0, ci, -7));
    char *s = write_to_string(t, SLT_FORMAT_CSV);
    assert_string_equal(s, "energy,energy_err,count,name\n2.5,0.25,-7,second\n");
    free(s);

    assert_status(slt_table_param_real(NULL, "a", 1.0), SLT_EINVAL);
    assert_message_has("slt_table_param_real");
    assert_status(slt_table_param_int(t, NULL, 1), SLT_EINVAL);
    assert_message_has("parameter key");
    assert_status(slt_table_param_int(t, "", 1), SLT_EINVAL);
    assert_message_has("empty");
    assert_status(slt_table_param_text(t, "k", NULL), SLT_EINVAL);
    assert_message_has("parameter value");
    assert_status(slt_table_param_text(t, "k", "\xfe"), SLT_EINVAL);
    assert_message_has("UTF-8");

    assert_status(slt_table_write(NULL, stdout, SLT_FORMAT_CSV), SLT_EINVAL);
    assert_message_has("table is NULL");
    assert_status(slt_table_write(t, NULL, SLT_FORMAT_CSV), SLT_EINVAL);
    assert_message_has("stream");
    assert_status(slt_table_write(t, stdout, (slt_format)17), SLT_EINVAL);
    assert_message_has("format 17");
    slt_table_free(t);
}

static void test_status_column(void **state)
{
    (void)state;
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("st", &t));
    int c = slt_table_add_column(t, "v", SLT_COL_REAL, 0);
    int cs = slt_table_add_status(t);
    assert_int_equal(cs, 1);
    assert_int_equal(slt_table_add_row(t), 0);
    assert_int_equal(slt_table_add_row(t), 1);
    assert_ok(slt_table_set_real(t, 0, c, 1.0, NAN));
    assert_ok(slt_table_set_status(t, 1, "not computed"));
    assert_status(slt_table_set_status(t, 2, "x"), SLT_EINVAL);
    assert_message_has("row 2");
    assert_status(slt_table_set_status(t, 0, NULL), SLT_EINVAL);
    assert_status(slt_table_set_int(t, 0, cs, 1), SLT_EINVAL);
    assert_message_has("'status'");
    char *s = write_to_string(t, SLT_FORMAT_CSV);
    assert_string_equal(s, "v,status\n1,ok\nnan,not computed\n");
    free(s);
    slt_table_free(t);
}

static void test_write_failure(void **state)
{
    (void)state;
    slt_table *t = make_table();
    for (int f = SLT_FORMAT_TABLE; f <= SLT_FORMAT_LATEX; f++) {
        FILE *full = fopen("/dev/full", "w");
        if (!full) skip();
        slt_error_clear();
        assert_status(slt_table_write(t, full, (slt_format)f), SLT_EIO);
        assert_message_has("slt_table_write");
        assert_message_has(slt_format_name((slt_format)f));
        fclose(full); /* also fails (nothing can be flushed); that is fine here */
    }
    /* a stream that cannot be written at all fails on the first byte, not at flush */
    FILE *ro = fopen("/dev/null", "r");
    assert_non_null(ro);
    assert_status(slt_table_write(t, ro, SLT_FORMAT_CSV), SLT_EIO);
    fclose(ro);
    slt_table_free(t);
}

/* 10^5 rows × 10 columns: appends must stay amortised O(1) and the writers linear. */
static void test_large(void **state)
{
    (void)state;
    enum { ROWS = 100000, COLS = 10 };
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("large", &t));
    int col[COLS];
    for (int c = 0; c < COLS; c++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", c);
        col[c] = slt_table_add_column(t, name, c == 9 ? SLT_COL_TEXT : SLT_COL_REAL, c == 0);
        assert_true(col[c] >= 0);
    }
    for (size_t r = 0; r < ROWS; r++) {
        assert_true(slt_table_add_row(t) == (long)r);
        for (int c = 0; c < 9; c++)
            assert_ok(slt_table_set_real(t, r, col[c], (double)r / (c + 1), 1e-3));
        if (r % 1000 == 0) assert_ok(slt_table_set_text(t, r, col[9], "milestone"));
    }
    assert_int_equal(slt_table_rows(t), ROWS);
    assert_int_equal(slt_table_columns(t), COLS + 1);
    for (int f = SLT_FORMAT_TABLE; f <= SLT_FORMAT_LATEX; f++) {
        FILE *tmp = tmpfile();
        assert_non_null(tmp);
        assert_ok(slt_table_write(t, tmp, (slt_format)f));
        rewind(tmp);
        size_t lines = 0;
        int ch;
        while ((ch = getc(tmp)) != EOF) lines += ch == '\n';
        fclose(tmp);
        size_t extra = f == SLT_FORMAT_CSV || f == SLT_FORMAT_TSV ? 1
                     : f == SLT_FORMAT_LATEX ? 4 : 2;
        if (f == SLT_FORMAT_JSON) extra = 2; /* opening line with "rows": [ and closing ]} */
        assert_int_equal(lines, ROWS + extra);
    }
    slt_table_free(t);
}

/* A long last text column wraps in the plain table: no line wider than the wrap width
 * (110), continuation lines indented to the column, and the words reassemble exactly. */
static void test_table_wraps_long_notes(void **state)
{
    (void)state;
    slt_table *t = NULL;
    assert_ok(slt_table_alloc("wrap", &t));
    int q = slt_table_add_column(t, "quantity", SLT_COL_TEXT, 0);
    int v = slt_table_add_column(t, "value", SLT_COL_REAL, 0);
    int n = slt_table_add_column(t, "note", SLT_COL_TEXT, 0);
    char note[400] = "";
    for (int i = 0; i < 40; i++) strcat(note, i % 3 ? "word " : "longerword ");
    note[strlen(note) - 1] = '\0';
    long r = slt_table_add_row(t);
    assert_ok(slt_table_set_text(t, (size_t)r, q, "width_floor"));
    assert_ok(slt_table_set_real(t, (size_t)r, v, 0.5, 0));
    assert_ok(slt_table_set_text(t, (size_t)r, n, note));
    char *s = write_to_string(t, SLT_FORMAT_TABLE);
    strlist lines = split(s, '\n');
    assert_true(lines.n > 3); /* header, rule, and the row on several lines */
    const char *first = lines.item[2];
    size_t indent = (size_t)(strstr(first, "longerword") - first);
    char joined[800] = "";
    for (size_t i = 2; i < lines.n; i++) {
        const char *l = lines.item[i];
        assert_true(strlen(l) <= 110);
        if (i > 2)
            for (size_t c = 0; c < indent; c++) assert_int_equal(l[c], ' ');
        char seg[200];
        snprintf(seg, sizeof seg, "%s", l + indent);
        for (size_t e = strlen(seg); e > 0 && seg[e - 1] == ' ';) seg[--e] = '\0';
        if (joined[0]) strcat(joined, " ");
        strcat(joined, seg);
    }
    assert_string_equal(joined, note);
    free(s);
    strlist_free(&lines);
    /* machine formats never wrap */
    s = write_to_string(t, SLT_FORMAT_CSV);
    assert_non_null(strstr(s, note));
    free(s);
    slt_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_csv_header_quoting),
        cmocka_unit_test(test_tsv),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_empty_and_minimal),
        cmocka_unit_test(test_table_format),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_latex),
        cmocka_unit_test(test_errors_construction),
        cmocka_unit_test(test_errors_cells),
        cmocka_unit_test(test_status_column),
        cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_table_wraps_long_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
