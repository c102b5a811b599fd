/* The table of runs: a CSV/TSV file with a header read into the columns a fit needs
 * (include/slt/fit.h, slt_fit_data_read). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slt/fit.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* Splits line (modified in place) at sep; trims spaces and one pair of double quotes.
 * Returns the number of fields (at most max; more are counted but not stored). */
static size_t split_fields(char *line, char sep, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        char *end = strchr(p, sep);
        if (end) *end = '\0';
        char *s = p;
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        size_t len = strlen(s);
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r' ||
                           (s[len - 1] == '\t' && sep != '\t')))
            s[--len] = '\0';
        if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
            s[len - 1] = '\0';
            s++;
        }
        if (n < max) fields[n] = s;
        n++;
        if (!end) break;
        p = end + 1;
    }
    return n;
}

static int is_skipped_line(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r') s++;
    return *s == '\0' || *s == '#';
}

void slt_fit_data_free(slt_fit_data *d)
{
    if (!d) return;
    free(d->source);
    for (size_t j = 0; j < SLT_FIT_MAX_X; j++) free(d->x_name[j]);
    free(d->y_name);
    free(d->w_name);
    free(d->group_name);
    free(d->x);
    free(d->y);
    free(d->w);
    free(d->group);
    free(d->line);
    memset(d, 0, sizeof *d);
}

/* Reads one number from a cell; 0 or a reason written to why. */
static int read_cell(const char *cell, const char *col, int positive, double *v, char *why,
                     size_t why_size)
{
    if (*cell == '\0') {
        snprintf(why, why_size, "column '%s': empty cell", col);
        return 1;
    }
    errno = 0;
    char *end = NULL;
    double x = strtod(cell, &end);
    if (end == cell || *end != '\0') {
        snprintf(why, why_size, "column '%s': '%s' is not a number", col, cell);
        return 1;
    }
    if (!isfinite(x)) {
        snprintf(why, why_size, "column '%s': '%s' is not a finite number", col, cell);
        return 1;
    }
    if (positive && !(x > 0)) {
        snprintf(why, why_size, "column '%s': %s is not positive (expected > 0)", col, cell);
        return 1;
    }
    *v = x;
    return 0;
}

int slt_fit_data_read(FILE *in, const char *source, const char *const *x_cols, size_t n_x,
                      const char *y_col, const char *w_col, const char *group_col,
                      int skip_bad, slt_fit_data *out)
{
    const char *where = "slt_fit_data_read";
    if (!in || !out || !x_cols || !y_col)
        return slt_error(SLT_EINVAL, "%s: NULL argument", where);
    memset(out, 0, sizeof *out);
    if (n_x < 1 || n_x > SLT_FIT_MAX_X)
        return slt_error(SLT_EINVAL, "%s: %zu x columns (expected 1 to %d)", where, n_x,
                         SLT_FIT_MAX_X);
    for (size_t j = 0; j < n_x; j++)
        if (!x_cols[j]) return slt_error(SLT_EINVAL, "%s: NULL x column name", where);
    if (!source) source = "input";
    int status = SLT_OK;
    char *line = NULL;
    size_t cap = 0;
    char **fields = NULL;
    char **group_names = NULL;
    size_t n_group_names = 0, group_cap = 0;
    size_t rows_cap = 0;
    long lineno = 0;
    char sep = ',';
    size_t n_fields = 0;
    /* column index of each chosen column: x..., y, w, group */
    long idx[SLT_FIT_MAX_X + 3];
    const size_t k_y = n_x, k_w = n_x + 1, k_g = n_x + 2;

    out->source = dup_str(source);
    out->n_x = n_x;
    if (!out->source) goto nomem;
    for (size_t j = 0; j < n_x; j++)
        if (!(out->x_name[j] = dup_str(x_cols[j]))) goto nomem;
    if (!(out->y_name = dup_str(y_col))) goto nomem;
    if (w_col && !(out->w_name = dup_str(w_col))) goto nomem;
    if (group_col && !(out->group_name = dup_str(group_col))) goto nomem;

    /* header */
    ssize_t len;
    for (;;) {
        errno = 0;
        len = getline(&line, &cap, in);
        if (len < 0) {
            if (ferror(in)) {
                status = slt_error(SLT_EIO, "%s: reading failed: %s", source, strerror(errno));
                goto fail;
            }
            status = slt_error(SLT_EFORMAT, "%s: empty (no header line with column names)",
                               source);
            goto fail;
        }
        lineno++;
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (memchr(line, '\0', (size_t)len)) {
            status = slt_error(SLT_EFORMAT, "%s:%ld: a NUL byte (not a text table)", source,
                               lineno);
            goto fail;
        }
        if (lineno == 1 && (unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
            (unsigned char)line[2] == 0xBF)
            memmove(line, line + 3, strlen(line + 3) + 1);
        if (!is_skipped_line(line)) break;
    }
    if (strchr(line, '\t')) sep = '\t';
    {
        char *copy = dup_str(line);
        if (!copy) goto nomem;
        n_fields = split_fields(copy, sep, NULL, 0);
        free(copy);
    }
    fields = calloc(n_fields, sizeof *fields);
    if (!fields) goto nomem;
    char *header = dup_str(line);
    if (!header) goto nomem;
    split_fields(header, sep, fields, n_fields);
    const long header_line = lineno;
    for (size_t k = 0; k < n_x + 3; k++) {
        const char *want = k < n_x ? x_cols[k] : k == k_y ? y_col : k == k_w ? w_col : group_col;
        idx[k] = -1;
        if (!want) continue;
        for (size_t f = 0; f < n_fields; f++)
            if (strcmp(fields[f], want) == 0) {
                idx[k] = (long)f;
                break;
            }
        if (idx[k] < 0) {
            char list[512] = "";
            size_t used = 0;
            for (size_t f = 0; f < n_fields && used + 1 < sizeof list; f++) {
                int w = snprintf(list + used, sizeof list - used, "%s'%s'", f ? ", " : "",
                                 fields[f]);
                if (w < 0) break;
                used += (size_t)w;
            }
            status = slt_error(SLT_EFORMAT, "%s:%ld: no column '%s' in the header (columns: %s)",
                               source, header_line, want, list);
            free(header);
            goto fail;
        }
    }
    free(header);

    /* rows */
    for (;;) {
        errno = 0;
        len = getline(&line, &cap, in);
        if (len < 0) {
            if (ferror(in)) {
                status = slt_error(SLT_EIO, "%s: reading failed after line %ld: %s", source,
                                   lineno, strerror(errno));
                goto fail;
            }
            break;
        }
        lineno++;
        if (len > 0 && line[len - 1] == '\n') line[--len] = '\0';
        if (memchr(line, '\0', (size_t)len)) {
            status = slt_error(SLT_EFORMAT, "%s:%ld: a NUL byte (not a text table)", source,
                               lineno);
            goto fail;
        }
        if (is_skipped_line(line)) continue;
        size_t got = split_fields(line, sep, fields, n_fields);
        char why[224] = "";
        double vals[SLT_FIT_MAX_X + 2];
        int bad = 0;
        if (got != n_fields) {
            snprintf(why, sizeof why, "%zu fields, the header has %zu", got, n_fields);
            bad = 1;
        }
        for (size_t k = 0; k < n_x + 2 && !bad; k++) {
            if (idx[k] < 0) continue;
            const char *name = k < n_x ? x_cols[k] : k == k_y ? y_col : w_col;
            bad = read_cell(fields[idx[k]], name, 1, &vals[k], why, sizeof why);
        }
        if (!bad && idx[k_g] >= 0 && fields[idx[k_g]][0] == '\0') {
            snprintf(why, sizeof why, "column '%s': empty cell", group_col);
            bad = 1;
        }
        if (bad) {
            if (!skip_bad) {
                status = slt_error(SLT_EFORMAT, "%s:%ld: %s", source, lineno, why);
                goto fail;
            }
            if (out->n_skipped++ == 0)
                snprintf(out->skipped_first, sizeof out->skipped_first, "line %ld: %s",
                         lineno, why);
            continue;
        }
        if (out->n_rows == rows_cap) {
            size_t nc = rows_cap ? 2 * rows_cap : 64;
            double *nx = realloc(out->x, nc * n_x * sizeof *nx);
            if (!nx) goto nomem;
            out->x = nx;
            double *ny = realloc(out->y, nc * sizeof *ny);
            if (!ny) goto nomem;
            out->y = ny;
            long *nl = realloc(out->line, nc * sizeof *nl);
            if (!nl) goto nomem;
            out->line = nl;
            if (w_col) {
                double *nw = realloc(out->w, nc * sizeof *nw);
                if (!nw) goto nomem;
                out->w = nw;
            }
            if (group_col) {
                size_t *ng = realloc(out->group, nc * sizeof *ng);
                if (!ng) goto nomem;
                out->group = ng;
            }
            rows_cap = nc;
        }
        size_t r = out->n_rows;
        for (size_t j = 0; j < n_x; j++) out->x[r * n_x + j] = vals[j];
        out->y[r] = vals[k_y];
        if (w_col) out->w[r] = vals[k_w];
        out->line[r] = lineno;
        if (group_col) {
            const char *g = fields[idx[k_g]];
            size_t id = 0;
            while (id < n_group_names && strcmp(group_names[id], g) != 0) id++;
            if (id == n_group_names) {
                if (n_group_names == group_cap) {
                    size_t nc = group_cap ? 2 * group_cap : 16;
                    char **ng = realloc(group_names, nc * sizeof *ng);
                    if (!ng) goto nomem;
                    group_names = ng;
                    group_cap = nc;
                }
                if (!(group_names[n_group_names] = dup_str(g))) goto nomem;
                n_group_names++;
            }
            out->group[r] = id;
        }
        out->n_rows++;
    }
    if (out->n_rows == 0) {
        if (out->n_skipped)
            status = slt_error(SLT_EFORMAT, "%s: no usable data row (%zu skipped; first %s)",
                               source, out->n_skipped, out->skipped_first);
        else
            status = slt_error(SLT_EFORMAT, "%s: no data rows after the header (line %ld)",
                               source, header_line);
        goto fail;
    }
    out->n_groups = n_group_names;
    goto done;
nomem:
    status = slt_error(SLT_ENOMEM, "%s: out of memory reading %s", where, source);
fail:
    slt_fit_data_free(out);
done:
    for (size_t i = 0; i < n_group_names; i++) free(group_names[i]);
    free(group_names);
    free(fields);
    free(line);
    return status;
}
