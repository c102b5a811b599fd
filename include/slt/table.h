/* slt/table.h — result tables: named, typed columns, optional `<name>_err` companions,
 * an optional status column, and writers for every output format of the CLI.
 *
 * Shapes (docs/cli.md, Output):
 *   csv/tsv   exactly one header row; reals with 17 significant digits; non-finite
 *             reals written as nan, inf, -inf; csv fields quoted per RFC 4180 when needed.
 *   json      one object {"command", "version", "params": {...}, "columns": [...],
 *             "rows": [[...], ...]}; reals with 17 significant digits; ±∞ as the
 *             strings "inf"/"-inf" (JSON has no infinity; a size N = ∞ or a divergent
 *             loss is a value, not a missing one); NaN as null (the status column, when
 *             present, says why).
 *   table     aligned plain text for reading (8 significant digits, errors 2).
 *   markdown  a pipe table with the same numbers as `table`.
 *   latex     a tabular environment, special characters escaped.
 * A column declared with an error companion appears as two columns, `name` then
 * `name_err`, in every format. */
#ifndef SLT_TABLE_H
#define SLT_TABLE_H

#include "slt/export.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SLT_FORMAT_TABLE = 0,
    SLT_FORMAT_CSV,
    SLT_FORMAT_TSV,
    SLT_FORMAT_JSON,
    SLT_FORMAT_MARKDOWN,
    SLT_FORMAT_LATEX
} slt_format;

/* "table", "csv", "tsv", "json", "markdown", "latex" → format. SLT_EINVAL otherwise,
 * with a message listing the accepted names. */
SLT_API int slt_format_parse(const char *name, slt_format *format);
SLT_API const char *slt_format_name(slt_format format);
/* "table|csv|tsv|json|markdown|latex", for help texts. */
SLT_API const char *slt_format_choices(void);

typedef enum { SLT_COL_REAL = 0, SLT_COL_INT, SLT_COL_TEXT } slt_col_type;

typedef struct slt_table slt_table;

/* `command` is the name shown in json's "command" field. */
SLT_API int slt_table_alloc(const char *command, slt_table **table);
SLT_API void slt_table_free(slt_table *table); /* accepts NULL */

/* Parameters echoed in json's "params" object (and as a comment line in no other
 * format). Setting a key twice replaces the value. */
SLT_API int slt_table_param_real(slt_table *table, const char *key, double value);
SLT_API int slt_table_param_int(slt_table *table, const char *key, long long value);
SLT_API int slt_table_param_text(slt_table *table, const char *key, const char *value);

/* Declares a column; returns its index (>= 0) or a negative status.
 * with_err != 0 (SLT_COL_REAL only) adds the companion `<name>_err`.
 * All columns must be declared before the first row is added. */
SLT_API int slt_table_add_column(slt_table *table, const char *name, slt_col_type type,
                                 int with_err);
/* Declares the text column "status" (at most once); returns its index. Rows default
 * to "ok". */
SLT_API int slt_table_add_status(slt_table *table);

/* Appends an empty row (reals NaN, ints 0, texts ""); returns its index or a negative
 * status. */
SLT_API long slt_table_add_row(slt_table *table);

/* Cell setters; col is an index returned by slt_table_add_column. set_real's err is
 * ignored for columns without a companion (pass NAN or 0). */
SLT_API int slt_table_set_real(slt_table *table, size_t row, int col, double value, double err);
SLT_API int slt_table_set_int(slt_table *table, size_t row, int col, long long value);
SLT_API int slt_table_set_text(slt_table *table, size_t row, int col, const char *value);
SLT_API int slt_table_set_status(slt_table *table, size_t row, const char *status);

SLT_API size_t slt_table_rows(const slt_table *table);
/* Number of output columns, companions included. */
SLT_API size_t slt_table_columns(const slt_table *table);

/* Writes the whole table. SLT_EIO when a write fails (fflush and ferror are checked). */
SLT_API int slt_table_write(const slt_table *table, FILE *out, slt_format format);

#ifdef __cplusplus
}
#endif
#endif
