/* Result tables and their writers (include/slt/table.h; formats: docs/cli.md, Output).
 *
 * Storage: one flat array of cells, row-major over the *output* columns (a column with
 * an error companion owns two adjacent cells), grown by doubling so appending 10^5 rows
 * costs O(rows) copies in total. Text cells own a heap copy; NULL means "never set",
 * which reads as "" for text columns and "ok" for the status column, so add_row does
 * not allocate a string per text cell.
 *
 * All text that reaches a table (command, column names, parameter keys and values,
 * cells) is checked to be valid UTF-8 when it is stored: jansson refuses to encode
 * anything else, and failing at write time, after the computation, would be the worst
 * moment to find out. */
#include "slt/table.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slt/status.h"

typedef union {
    double r;
    long long i;
    char *s;
} cell;

typedef struct {
    char *name;
    slt_col_type type;
    int with_err;
    int is_status;
    size_t out; /* index of its first output column */
} column;

/* Output column → declared column; the companion shares its parent's declaration. */
typedef struct {
    size_t col;
    int is_err;
} out_column;

struct slt_table {
    char *command;
    json_t *params; /* kept as a jansson object: replace-on-reset and order come free */
    column *cols;
    size_t ncols, cols_cap;
    out_column *outs;
    size_t nout, outs_cap;
    int status_col; /* -1 when absent */
    cell *cells;    /* nrows × nout */
    size_t nrows, rows_cap;
};

/* ------------------------------------------------------------------------------------ */
/* Formats                                                                              */

static const char *const format_names[] = {"table", "csv", "tsv", "json", "markdown", "latex"};
#define FORMAT_COUNT (sizeof format_names / sizeof format_names[0])

int slt_format_parse(const char *name, slt_format *format)
{
    if (!format) return slt_error(SLT_EINVAL, "slt_format_parse: format pointer is NULL");
    if (!name)
        return slt_error(SLT_EINVAL, "slt_format_parse: format name is NULL (expected %s)",
                         slt_format_choices());
    for (size_t k = 0; k < FORMAT_COUNT; k++) {
        if (strcmp(name, format_names[k]) == 0) {
            *format = (slt_format)k;
            return SLT_OK;
        }
    }
    return slt_error(SLT_EINVAL, "slt_format_parse: unknown format '%s' (expected %s)", name,
                     slt_format_choices());
}

const char *slt_format_name(slt_format format)
{
    if ((unsigned)format >= FORMAT_COUNT) return "unknown";
    return format_names[format];
}

const char *slt_format_choices(void) { return "table|csv|tsv|json|markdown|latex"; }

/* ------------------------------------------------------------------------------------ */
/* Helpers                                                                              */

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), the same
 * rule jansson applies, so whatever is accepted here can always be written as json. */
static int utf8_valid(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        size_t n;
        unsigned min, cp;
        if (c < 0x80) { s++; continue; }
        else if (c >= 0xC2 && c <= 0xDF) { n = 1; min = 0x80; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; min = 0x800; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; min = 0x10000; cp = c & 0x07; }
        else return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[k] & 0xC0) != 0x80) return 0; /* also stops at the terminating NUL */
            cp = (cp << 6) | (s[k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        s += n + 1;
    }
    return 1;
}

/* Display width for alignment: code points, not bytes, so accented names line up.
 * East-Asian double-width characters are not accounted for. */
static size_t utf8_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t k = 0; k < len; k++)
        if (((unsigned char)s[k] & 0xC0) != 0x80) w++;
    return w;
}

static char *dup_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int check_text(const char *where, const char *what, const char *s)
{
    if (!s) return slt_error(SLT_EINVAL, "%s: %s is NULL", where, what);
    if (!utf8_valid(s)) return slt_error(SLT_EINVAL, "%s: %s is not valid UTF-8", where, what);
    return SLT_OK;
}

static const char *type_name(slt_col_type t)
{
    switch (t) {
    case SLT_COL_REAL: return "real";
    case SLT_COL_INT: return "int";
    case SLT_COL_TEXT: return "text";
    }
    return "unknown";
}

/* ------------------------------------------------------------------------------------ */
/* Construction                                                                         */

int slt_table_alloc(const char *command, slt_table **table)
{
    if (!table) return slt_error(SLT_EINVAL, "slt_table_alloc: table pointer is NULL");
    *table = NULL;
    int rc = check_text("slt_table_alloc", "command", command);
    if (rc) return rc;
    slt_table *t = calloc(1, sizeof *t);
    if (!t) return slt_error(SLT_ENOMEM, "slt_table_alloc: out of memory");
    t->status_col = -1;
    t->command = dup_string(command);
    t->params = json_object();
    if (!t->command || !t->params) {
        slt_table_free(t);
        return slt_error(SLT_ENOMEM, "slt_table_alloc: out of memory");
    }
    *table = t;
    return SLT_OK;
}

void slt_table_free(slt_table *t)
{
    if (!t) return;
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->cols[c].type == SLT_COL_TEXT) {
            size_t o = t->cols[c].out;
            for (size_t r = 0; r < t->nrows; r++) free(t->cells[r * t->nout + o].s);
        }
        free(t->cols[c].name);
    }
    free(t->cells);
    free(t->cols);
    free(t->outs);
    json_decref(t->params);
    free(t->command);
    free(t);
}

static int set_param(slt_table *t, const char *where, const char *key, json_t *value)
{
    if (!t) {
        json_decref(value);
        return slt_error(SLT_EINVAL, "%s: table is NULL", where);
    }
    int rc = check_text(where, "parameter key", key);
    if (rc == SLT_OK && !key[0]) rc = slt_error(SLT_EINVAL, "%s: parameter key is empty", where);
    if (rc) {
        json_decref(value);
        return rc;
    }
    /* json_object_set_new steals the reference even when it fails. */
    if (!value || json_object_set_new(t->params, key, value) != 0)
        return slt_error(SLT_ENOMEM, "%s: out of memory storing parameter '%s'", where, key);
    return SLT_OK;
}

int slt_table_param_real(slt_table *t, const char *key, double value)
{
    /* json has no NaN/Inf; null matches how non-finite cells are written. */
    return set_param(t, "slt_table_param_real", key,
                     isfinite(value) ? json_real(value) : json_null());
}

int slt_table_param_int(slt_table *t, const char *key, long long value)
{
    return set_param(t, "slt_table_param_int", key, json_integer((json_int_t)value));
}

int slt_table_param_text(slt_table *t, const char *key, const char *value)
{
    int rc = check_text("slt_table_param_text", "parameter value", value);
    if (rc) return rc;
    return set_param(t, "slt_table_param_text", key, json_string(value));
}

/* Output-column names are what must be unique, since that is what readers key on. */
static int out_name_taken(const slt_table *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++) {
        const column *col = &t->cols[c];
        if (strcmp(col->name, name) == 0) return 1;
        if (col->with_err) {
            size_t n = strlen(col->name);
            if (strncmp(name, col->name, n) == 0 && strcmp(name + n, "_err") == 0) return 1;
        }
    }
    return 0;
}

static int add_column(slt_table *t, const char *where, const char *name, slt_col_type type,
                      int with_err, int is_status)
{
    if (!t) return -slt_error(SLT_EINVAL, "%s: table is NULL", where);
    int rc = check_text(where, "column name", name);
    if (rc) return -rc;
    if (!name[0]) return -slt_error(SLT_EINVAL, "%s: column name is empty", where);
    if (type != SLT_COL_REAL && type != SLT_COL_INT && type != SLT_COL_TEXT)
        return -slt_error(SLT_EINVAL, "%s: column '%s' has unknown type %d", where, name,
                          (int)type);
    if (with_err && type != SLT_COL_REAL)
        return -slt_error(SLT_EINVAL,
                          "%s: column '%s' is %s; only real columns can have an _err companion",
                          where, name, type_name(type));
    if (t->nrows > 0)
        return -slt_error(SLT_EINVAL,
                          "%s: cannot add column '%s' after rows were added (table has %zu rows)",
                          where, name, t->nrows);
    if (t->ncols >= (size_t)INT_MAX)
        return -slt_error(SLT_EINVAL, "%s: too many columns", where);

    size_t len = strlen(name);
    char *err_name = NULL;
    if (with_err) {
        err_name = malloc(len + 5);
        if (!err_name) return -slt_error(SLT_ENOMEM, "%s: out of memory", where);
        memcpy(err_name, name, len);
        memcpy(err_name + len, "_err", 5);
    }
    const char *clash = out_name_taken(t, name) ? name
                      : (err_name && out_name_taken(t, err_name)) ? err_name : NULL;
    if (clash) {
        rc = slt_error(SLT_EINVAL, "%s: duplicate column name '%s'", where, clash);
        free(err_name);
        return -rc;
    }
    free(err_name);

    if (t->ncols == t->cols_cap) {
        size_t cap = t->cols_cap ? 2 * t->cols_cap : 8;
        column *p = realloc(t->cols, cap * sizeof *p);
        if (!p) return -slt_error(SLT_ENOMEM, "%s: out of memory", where);
        t->cols = p;
        t->cols_cap = cap;
    }
    size_t need = t->nout + (with_err ? 2 : 1);
    if (need > t->outs_cap) {
        size_t cap = t->outs_cap ? 2 * t->outs_cap : 8;
        while (cap < need) cap *= 2;
        out_column *p = realloc(t->outs, cap * sizeof *p);
        if (!p) return -slt_error(SLT_ENOMEM, "%s: out of memory", where);
        t->outs = p;
        t->outs_cap = cap;
    }
    char *copy = dup_string(name);
    if (!copy) return -slt_error(SLT_ENOMEM, "%s: out of memory", where);

    size_t c = t->ncols++;
    t->cols[c] = (column){copy, type, with_err != 0, is_status, t->nout};
    t->outs[t->nout++] = (out_column){c, 0};
    if (with_err) t->outs[t->nout++] = (out_column){c, 1};
    return (int)c;
}

int slt_table_add_column(slt_table *t, const char *name, slt_col_type type, int with_err)
{
    return add_column(t, "slt_table_add_column", name, type, with_err, 0);
}

int slt_table_add_status(slt_table *t)
{
    if (t && t->status_col >= 0)
        return -slt_error(SLT_EINVAL, "slt_table_add_status: the table already has a status column");
    int c = add_column(t, "slt_table_add_status", "status", SLT_COL_TEXT, 0, 1);
    if (c >= 0) t->status_col = c;
    return c;
}

long slt_table_add_row(slt_table *t)
{
    if (!t) return -(long)slt_error(SLT_EINVAL, "slt_table_add_row: table is NULL");
    if (t->nout == 0)
        return -(long)slt_error(SLT_EINVAL,
                                "slt_table_add_row: the table has no columns; declare them first");
    if (t->nrows >= (size_t)LONG_MAX)
        return -(long)slt_error(SLT_EINVAL, "slt_table_add_row: too many rows");
    if (t->nrows == t->rows_cap) {
        size_t cap = t->rows_cap ? 2 * t->rows_cap : 16;
        if (cap > SIZE_MAX / sizeof(cell) / t->nout)
            return -(long)slt_error(SLT_ENOMEM, "slt_table_add_row: table too large");
        cell *p = realloc(t->cells, cap * t->nout * sizeof *p);
        if (!p) return -(long)slt_error(SLT_ENOMEM, "slt_table_add_row: out of memory");
        t->cells = p;
        t->rows_cap = cap;
    }
    cell *row = t->cells + t->nrows * t->nout;
    for (size_t o = 0; o < t->nout; o++) {
        switch (t->cols[t->outs[o].col].type) {
        case SLT_COL_REAL: row[o].r = NAN; break;
        case SLT_COL_INT: row[o].i = 0; break;
        case SLT_COL_TEXT: row[o].s = NULL; break;
        }
    }
    return (long)t->nrows++;
}

/* The shared checks of every cell setter; returns the column on success. */
static int locate(const slt_table *t, const char *where, size_t row, int col,
                  slt_col_type type, const column **out)
{
    if (!t) return slt_error(SLT_EINVAL, "%s: table is NULL", where);
    if (col < 0 || (size_t)col >= t->ncols)
        return slt_error(SLT_EINVAL, "%s: column index %d is out of range (table has %zu declared columns)",
                         where, col, t->ncols);
    const column *c = &t->cols[col];
    if (c->type != type)
        return slt_error(SLT_EINVAL, "%s: column '%s' is of type %s, not %s", where, c->name,
                         type_name(c->type), type_name(type));
    if (row >= t->nrows)
        return slt_error(SLT_EINVAL, "%s: row %zu is out of range (table has %zu rows)", where,
                         row, t->nrows);
    *out = c;
    return SLT_OK;
}

int slt_table_set_real(slt_table *t, size_t row, int col, double value, double err)
{
    const column *c;
    int rc = locate(t, "slt_table_set_real", row, col, SLT_COL_REAL, &c);
    if (rc) return rc;
    cell *cells = t->cells + row * t->nout + c->out;
    cells[0].r = value;
    if (c->with_err) cells[1].r = err;
    return SLT_OK;
}

int slt_table_set_int(slt_table *t, size_t row, int col, long long value)
{
    const column *c;
    int rc = locate(t, "slt_table_set_int", row, col, SLT_COL_INT, &c);
    if (rc) return rc;
    t->cells[row * t->nout + c->out].i = value;
    return SLT_OK;
}

static int set_text(slt_table *t, const char *where, size_t row, int col, const char *value)
{
    const column *c;
    int rc = locate(t, where, row, col, SLT_COL_TEXT, &c);
    if (rc) return rc;
    rc = check_text(where, "text value", value);
    if (rc) return rc;
    char *copy = dup_string(value);
    if (!copy) return slt_error(SLT_ENOMEM, "%s: out of memory", where);
    cell *cl = &t->cells[row * t->nout + c->out];
    free(cl->s);
    cl->s = copy;
    return SLT_OK;
}

int slt_table_set_text(slt_table *t, size_t row, int col, const char *value)
{
    return set_text(t, "slt_table_set_text", row, col, value);
}

int slt_table_set_status(slt_table *t, size_t row, const char *status)
{
    if (!t) return slt_error(SLT_EINVAL, "slt_table_set_status: table is NULL");
    if (t->status_col < 0)
        return slt_error(SLT_EINVAL, "slt_table_set_status: the table has no status column "
                                     "(call slt_table_add_status before adding rows)");
    return set_text(t, "slt_table_set_status", row, t->status_col, status);
}

size_t slt_table_rows(const slt_table *t) { return t ? t->nrows : 0; }

size_t slt_table_columns(const slt_table *t) { return t ? t->nout : 0; }

/* ------------------------------------------------------------------------------------ */
/* Writing                                                                              */

/* Remembers the first failed write so every writer can be straight-line code; once
 * failed, further output is skipped (the stream is broken anyway). */
typedef struct {
    FILE *f;
    int failed;
    int saved_errno;
} sink;

static void put(sink *k, const char *s)
{
    if (k->failed) return;
    if (fputs(s, k->f) == EOF) {
        k->failed = 1;
        k->saved_errno = errno;
    }
}

static void put_repeat(sink *k, char ch, size_t n)
{
    for (; n > 0 && !k->failed; n--) {
        if (putc(ch, k->f) == EOF) {
            k->failed = 1;
            k->saved_errno = errno;
        }
    }
}

static void put_spaces(sink *k, size_t n) { put_repeat(k, ' ', n); }

/* Growable scratch string: every cell is rendered into it, then measured or written. */
typedef struct {
    char *p;
    size_t len, cap;
    int oom;
} buf;

static void buf_reserve(buf *b, size_t extra)
{
    if (b->oom || b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void buf_putc(buf *b, char c)
{
    buf_reserve(b, 1);
    if (b->oom) return;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

static void buf_puts(buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(b, n);
    if (b->oom) return;
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

static void buf_clear(buf *b)
{
    b->len = 0;
    if (b->p) b->p[0] = '\0';
}

/* Non-finite values are spelled out rather than left to printf, which writes "-nan"
 * for a NaN with its sign bit set. */
static void format_real(char *out, size_t n, double v, int digits)
{
    if (isnan(v)) snprintf(out, n, "nan");
    else if (isinf(v)) snprintf(out, n, v > 0 ? "inf" : "-inf");
    else snprintf(out, n, "%.*g", digits, v);
}

/* Text as it must appear in each format:
 *   csv       RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled.
 *   tsv       tab, CR and LF become a space: tsv has no quoting, and any of them would
 *             split a field or a record.
 *   table     every control character becomes a space, so one row stays one line and
 *             the column widths stay true.
 *   markdown  as table, and "|" becomes "\|" (GFM's escape for a pipe inside a cell).
 *   latex     as table, and the ten special characters are escaped. */
static void render_text(buf *b, const char *s, slt_format f)
{
    if (f == SLT_FORMAT_JSON) { /* jansson escapes when dumping */
        buf_puts(b, s);
        return;
    }
    if (f == SLT_FORMAT_CSV) {
        if (strpbrk(s, ",\"\r\n") == NULL) {
            buf_puts(b, s);
            return;
        }
        buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"') buf_putc(b, '"');
            buf_putc(b, *s);
        }
        buf_putc(b, '"');
        return;
    }
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (f == SLT_FORMAT_TSV) {
            buf_putc(b, (c == '\t' || c == '\n' || c == '\r') ? ' ' : (char)c);
            continue;
        }
        if (c < 0x20 || c == 0x7F) {
            buf_putc(b, ' ');
            continue;
        }
        if (f == SLT_FORMAT_MARKDOWN && c == '|') {
            buf_puts(b, "\\|");
            continue;
        }
        if (f == SLT_FORMAT_LATEX) {
            switch (c) {
            case '&': case '%': case '$': case '#': case '_': case '{': case '}':
                buf_putc(b, '\\');
                buf_putc(b, (char)c);
                continue;
            case '~': buf_puts(b, "\\textasciitilde{}"); continue;
            case '^': buf_puts(b, "\\textasciicircum{}"); continue;
            case '\\': buf_puts(b, "\\textbackslash{}"); continue;
            /* in the default OT1 font encoding a bare < or > prints as ¡ or ¿ */
            case '<': buf_puts(b, "\\textless{}"); continue;
            case '>': buf_puts(b, "\\textgreater{}"); continue;
            default: break;
            }
        }
        buf_putc(b, (char)c);
    }
}

static int is_human(slt_format f)
{
    return f == SLT_FORMAT_TABLE || f == SLT_FORMAT_MARKDOWN || f == SLT_FORMAT_LATEX;
}

static void render_header(const slt_table *t, size_t o, slt_format f, buf *b)
{
    const out_column *oc = &t->outs[o];
    buf_clear(b);
    if (!oc->is_err) {
        render_text(b, t->cols[oc->col].name, f);
        return;
    }
    /* Build "<name>_err" first so escaping sees the whole name. */
    buf raw = {0};
    buf_puts(&raw, t->cols[oc->col].name);
    buf_puts(&raw, "_err");
    if (raw.oom) b->oom = 1;
    else render_text(b, raw.p, f);
    free(raw.p);
}

static void render_cell(const slt_table *t, size_t r, size_t o, slt_format f, buf *b)
{
    const out_column *oc = &t->outs[o];
    const column *c = &t->cols[oc->col];
    const cell *cl = &t->cells[r * t->nout + o];
    char num[40];
    buf_clear(b);
    switch (c->type) {
    case SLT_COL_REAL:
        /* Machine formats keep every bit (17 digits); readers of the human formats get 8
         * digits, and an error estimate is only meaningful to about 2. */
        format_real(num, sizeof num, cl->r, is_human(f) ? (oc->is_err ? 2 : 8) : 17);
        buf_puts(b, num);
        break;
    case SLT_COL_INT:
        snprintf(num, sizeof num, "%lld", cl->i);
        buf_puts(b, num);
        break;
    case SLT_COL_TEXT:
        render_text(b, cl->s ? cl->s : (c->is_status ? "ok" : ""), f);
        break;
    }
}

static int out_is_text(const slt_table *t, size_t o)
{
    return t->cols[t->outs[o].col].type == SLT_COL_TEXT;
}

static void write_delimited(const slt_table *t, sink *k, slt_format f, buf *b)
{
    const char *sep = f == SLT_FORMAT_CSV ? "," : "\t";
    for (size_t o = 0; o < t->nout; o++) {
        render_header(t, o, f, b);
        if (o) put(k, sep);
        put(k, b->p);
    }
    put(k, "\n");
    for (size_t r = 0; r < t->nrows && !k->failed && !b->oom; r++) {
        for (size_t o = 0; o < t->nout; o++) {
            render_cell(t, r, o, f, b);
            if (o) put(k, sep);
            put(k, b->p);
        }
        put(k, "\n");
    }
}

/* One padded cell; numbers are right-aligned so their decimal magnitudes line up. */
static void put_padded(sink *k, const buf *b, size_t width, int left)
{
    size_t w = utf8_width(b->p, b->len);
    size_t pad = width > w ? width - w : 0;
    if (!left) put_spaces(k, pad);
    put(k, b->p);
    if (left) put_spaces(k, pad);
}

/* The plain-text table wraps a long last text column (notes, messages) onto continuation
 * lines so a row stays readable in a terminal; markdown cells cannot span lines, and
 * machine formats never wrap. */
#define WRAP_TOTAL_WIDTH 110
#define WRAP_MIN_COLUMN 40

/* Byte length of the longest prefix of s[0..len) that fits `limit` code points, ending
 * at a space when one exists in it (so words are not split). */
static size_t wrap_cut(const char *s, size_t len, size_t limit)
{
    size_t cps = 0, k = 0, last_space = 0;
    for (; k < len; k++) {
        if (((unsigned char)s[k] & 0xC0) == 0x80) continue;
        if (cps == limit) break;
        if (s[k] == ' ') last_space = k;
        cps++;
    }
    if (k >= len) return len;
    return last_space > 0 ? last_space : k;
}

/* Writes the last column's text in segments of at most `limit` code points; every
 * segment after the first starts on a new line indented by `indent`. */
static void put_wrapped(sink *k, const buf *b, size_t limit, size_t indent)
{
    const char *p = b->p;
    size_t len = b->len;
    int first = 1;
    while (first || len > 0) {
        size_t cut = wrap_cut(p, len, limit);
        if (!first) {
            put(k, "\n");
            put_spaces(k, indent);
        }
        buf seg = {0};
        buf_puts(&seg, ""); /* allocated even when the segment is empty */
        for (size_t i = 0; i < cut; i++) buf_putc(&seg, p[i]);
        if (!seg.oom) put_padded(k, &seg, limit, 1);
        else k->failed = 1;
        free(seg.p);
        p += cut;
        len -= cut;
        while (len > 0 && *p == ' ') { p++; len--; }
        first = 0;
    }
}

/* table and markdown: both aligned, so both need the column widths first, which costs
 * a second rendering pass over the cells but no per-cell storage. */
static void write_aligned(const slt_table *t, sink *k, slt_format f, buf *b, size_t *width)
{
    int md = f == SLT_FORMAT_MARKDOWN;
    for (size_t o = 0; o < t->nout; o++) {
        render_header(t, o, f, b);
        width[o] = utf8_width(b->p, b->len);
        /* markdown needs at least three dashes (plus the colon) in the separator */
        if (md && width[o] < 4) width[o] = 4;
    }
    for (size_t r = 0; r < t->nrows && !b->oom; r++)
        for (size_t o = 0; o < t->nout; o++) {
            render_cell(t, r, o, f, b);
            size_t w = utf8_width(b->p, b->len);
            if (w > width[o]) width[o] = w;
        }
    if (b->oom) return;

    const char *lead = md ? "| " : "", *sep = md ? " | " : "  ", *tail = md ? " |\n" : "\n";
    /* wrap: only the plain table, only a last text column, only when the row is too wide */
    size_t last = t->nout - 1, indent = 0, wrap = 0;
    for (size_t o = 0; o < last; o++) indent += width[o] + 2;
    if (!md && t->nout > 0 && out_is_text(t, last) &&
        indent + width[last] > WRAP_TOTAL_WIDTH) {
        size_t room = indent < WRAP_TOTAL_WIDTH ? WRAP_TOTAL_WIDTH - indent : 0;
        wrap = room > WRAP_MIN_COLUMN ? room : WRAP_MIN_COLUMN;
        if (wrap < width[last]) width[last] = wrap;
        else wrap = 0;
    }
    put(k, lead);
    for (size_t o = 0; o < t->nout; o++) {
        render_header(t, o, f, b);
        if (o) put(k, sep);
        put_padded(k, b, width[o], out_is_text(t, o));
    }
    put(k, tail);

    /* The rule under the header, as wide as the cells so the raw text lines up too;
     * markdown's trailing colon marks number columns right-aligned. */
    put(k, md ? "|" : "");
    for (size_t o = 0; o < t->nout; o++) {
        if (md) {
            int right = !out_is_text(t, o);
            put_repeat(k, '-', width[o] + 2 - (size_t)right);
            put(k, right ? ":|" : "|");
        } else {
            if (o) put(k, sep);
            put_repeat(k, '-', width[o]);
        }
    }
    put(k, "\n");

    for (size_t r = 0; r < t->nrows && !k->failed && !b->oom; r++) {
        put(k, lead);
        for (size_t o = 0; o < t->nout; o++) {
            render_cell(t, r, o, f, b);
            if (o) put(k, sep);
            if (wrap && o == last)
                put_wrapped(k, b, wrap, indent);
            else
                put_padded(k, b, width[o], out_is_text(t, o));
        }
        put(k, tail);
    }
}

static void write_latex(const slt_table *t, sink *k, buf *b)
{
    put(k, "\\begin{tabular}{");
    for (size_t o = 0; o < t->nout; o++) put(k, out_is_text(t, o) ? "l" : "r");
    put(k, "}\n");
    for (size_t o = 0; o < t->nout; o++) {
        render_header(t, o, SLT_FORMAT_LATEX, b);
        if (o) put(k, " & ");
        put(k, b->p);
    }
    put(k, " \\\\\n\\hline\n");
    for (size_t r = 0; r < t->nrows && !k->failed && !b->oom; r++) {
        for (size_t o = 0; o < t->nout; o++) {
            render_cell(t, r, o, SLT_FORMAT_LATEX, b);
            if (o) put(k, " & ");
            put(k, b->p);
        }
        put(k, " \\\\\n");
    }
    put(k, "\\end{tabular}\n");
}

/* 17 digits make every double round-trip; jansson adds ".0" to integral reals so they
 * stay reals when read back. */
#define JSON_FLAGS (JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

/* Dumps and releases `v`; NULL (jansson out of memory) is reported as *oom. */
static void put_json(sink *k, json_t *v, int *oom)
{
    if (!v) {
        *oom = 1;
        return;
    }
    if (!k->failed && json_dumpf(v, k->f, JSON_FLAGS) != 0) {
        k->failed = 1;
        k->saved_errno = errno;
    }
    json_decref(v);
}

static json_t *cell_json(const slt_table *t, size_t r, size_t o)
{
    const column *c = &t->cols[t->outs[o].col];
    const cell *cl = &t->cells[r * t->nout + o];
    switch (c->type) {
    /* JSON has no infinity. ±∞ is a meaningful value here (a size N = ∞, time t = ∞, a
     * divergent loss), distinct from a missing one, so it is written as the strings
     * "inf"/"-inf"; NaN (no value) is null and the status column says why. */
    case SLT_COL_REAL:
        if (isfinite(cl->r)) return json_real(cl->r);
        if (isinf(cl->r)) return json_string(cl->r > 0 ? "inf" : "-inf");
        return json_null();
    case SLT_COL_INT: return json_integer((json_int_t)cl->i);
    case SLT_COL_TEXT: return json_string(cl->s ? cl->s : (c->is_status ? "ok" : ""));
    }
    return NULL;
}

/* The outer object is written by hand and the rows streamed one at a time, so a large
 * table never exists twice in memory as a jansson tree; every value still goes through
 * jansson, which does the escaping and number formatting. One row per line keeps the
 * output diffable. */
static void write_json(const slt_table *t, sink *k, buf *b, int *oom)
{
    put(k, "{\"command\": ");
    put_json(k, json_string(t->command), oom);
    put(k, ", \"version\": ");
    put_json(k, json_string(slt_version()), oom);
    put(k, ", \"params\": ");
    /* Dumped in place rather than through put_json, which would take ownership: the
     * table is const and keeps its parameters. */
    if (!k->failed && json_dumpf(t->params, k->f, JSON_FLAGS) != 0) {
        k->failed = 1;
        k->saved_errno = errno;
    }
    put(k, ", \"columns\": ");
    json_t *names = json_array();
    for (size_t o = 0; names && o < t->nout; o++) {
        render_header(t, o, SLT_FORMAT_JSON, b);
        if (b->oom || json_array_append_new(names, json_string(b->p)) != 0) {
            json_decref(names);
            names = NULL;
        }
    }
    put_json(k, names, oom);
    put(k, ", \"rows\": [");
    for (size_t r = 0; r < t->nrows && !k->failed && !*oom; r++) {
        json_t *row = json_array();
        for (size_t o = 0; row && o < t->nout; o++) {
            if (json_array_append_new(row, cell_json(t, r, o)) != 0) {
                json_decref(row);
                row = NULL;
            }
        }
        put(k, r ? ",\n" : "\n");
        put_json(k, row, oom);
    }
    put(k, t->nrows ? "\n]}\n" : "]}\n");
}

int slt_table_write(const slt_table *t, FILE *out, slt_format format)
{
    if (!t) return slt_error(SLT_EINVAL, "slt_table_write: table is NULL");
    if (!out) return slt_error(SLT_EINVAL, "slt_table_write: output stream is NULL");
    if ((unsigned)format >= FORMAT_COUNT)
        return slt_error(SLT_EINVAL, "slt_table_write: unknown format %d (expected %s)",
                         (int)format, slt_format_choices());
    if (t->nout == 0)
        return slt_error(SLT_EINVAL, "slt_table_write: table '%s' has no columns", t->command);

    sink k = {out, 0, 0};
    buf b = {0};
    int oom = 0;
    size_t *width = NULL;
    switch (format) {
    case SLT_FORMAT_CSV:
    case SLT_FORMAT_TSV: write_delimited(t, &k, format, &b); break;
    case SLT_FORMAT_TABLE:
    case SLT_FORMAT_MARKDOWN:
        width = malloc(t->nout * sizeof *width);
        if (width) write_aligned(t, &k, format, &b, width);
        else oom = 1;
        free(width);
        break;
    case SLT_FORMAT_LATEX: write_latex(t, &k, &b); break;
    case SLT_FORMAT_JSON: write_json(t, &k, &b, &oom); break;
    }
    oom |= b.oom;
    free(b.p);
    if (oom)
        return slt_error(SLT_ENOMEM, "slt_table_write: out of memory writing table '%s' as %s",
                         t->command, slt_format_name(format));

    /* Buffered streams report most failures (a full disk, a closed pipe) only here. */
    if (!k.failed && fflush(out) != 0) {
        k.failed = 1;
        k.saved_errno = errno;
    }
    if (k.failed || ferror(out))
        return slt_error(SLT_EIO, "slt_table_write: writing table '%s' as %s failed: %s",
                         t->command, slt_format_name(format),
                         k.saved_errno ? strerror(k.saved_errno) : "stream error");
    return SLT_OK;
}
