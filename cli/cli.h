/* cli/cli.h — the option-table machinery shared by every `slt` subcommand.
 *
 * Each command declares one array of cli_option. That array generates the
 * getopt_long table, the --help text and the parsing/validation of values, so help
 * and behaviour cannot disagree. Values are written through the `target` pointers.
 *
 * Errors in user input print one line to stderr naming the option, the value and the
 * accepted range, and make cli_parse return CLI_USAGE (exit code 2). */
#ifndef SLT_CLI_H
#define SLT_CLI_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "slt/status.h"
#include "slt/table.h"

enum { CLI_OK = 0, CLI_HELP = -1, CLI_USAGE = 2, CLI_IO = 3 };

typedef enum {
    CLI_REAL,    /* double, finite, within [lo, hi] (bounds open per flags)     */
    CLI_INT,     /* long long, whole, within [lo, hi] and the range of long long */
    CLI_TEXT,    /* const char *                                                 */
    CLI_FLAG,    /* int set to 1, no argument                                    */
    CLI_CHOICE,  /* const char * restricted to `choices` ("a|b|c")               */
    CLI_FORMAT,  /* slt_format via slt_format_parse                              */
    CLI_LIST     /* cli_list: "v1,v2,..." or "start:stop:count" (log-spaced; the
                    points that are powers of ten are exact, e.g. 10:1e4:4 is
                    10, 100, 1000, 10000)                                         */
} cli_kind;

/* A list of reals. `allow_inf` lets a value be "inf" (e.g. N = ∞). */
#define CLI_LIST_MAX 100000
typedef struct {
    double *values;
    size_t count;
} cli_list;
void cli_list_free(cli_list *list);

typedef struct {
    const char *name;     /* long option, without "--"                           */
    cli_kind kind;
    void *target;         /* double*, long long*, const char**, int*, slt_format*, cli_list* */
    const char *metavar;  /* shown in help: --alpha A                            */
    const char *help;     /* one line                                            */
    double lo, hi;        /* accepted range for REAL, INT and every LIST element */
    int lo_open, hi_open; /* bound excluded?                                     */
    const char *choices;  /* CHOICE: "hard|easy"                                 */
    int allow_inf;        /* LIST: "inf" accepted as +∞                          */
    int *seen;            /* optional: set to 1 when the option was given        */
    int integer;          /* LIST: sizes; given values must be whole, a log-spaced
                             range is rounded to whole numbers (repeats dropped)  */
    /* help: the token %D in `help` is replaced by default_text, or else by default_value
     * (cli_format_number; an INT option's in whole digits), so a default shown is the
     * one the code uses (CLI_DEFAULT) */
    const char *default_text;
    double default_value;
} cli_option;

/* .default_value = V for an option whose help says "(default %D)" */
#define CLI_DEFAULT(v) .default_value = (double)(v)

/* o with the range the library accepts for the field (lo, hi and which bound is open,
 * from slt_*_param_range), so the option cannot restate it; `allow_inf` stays as o
 * sets it (whether "inf" may be typed), cleared when the library refuses +inf. */
cli_option cli_with_range(cli_option o, const slt_param_range *r);

/* The shortest decimal that reads back as v, in plain or exponent form, whichever is
 * shorter ("200", "0.05", "1e6", "1e-14"); 1/k for small k is "1/k", ±∞ is "inf". */
void cli_format_number(char *buf, size_t size, double v);

typedef struct {
    const char *name;      /* "exponents"                                        */
    const char *summary;   /* one line for `slt help`                            */
    const char *usage;     /* "slt exponents --alpha A --beta B [options]"       */
    const char *details;   /* paragraphs printed after the option list (or NULL) */
} cli_command_info;

/* Parses argv[1..] (argv[0] is the command name). Returns CLI_OK, CLI_HELP (help was
 * printed to stdout; exit 0), CLI_USAGE (one line printed to stderr; exit 2) or CLI_IO
 * (the help could not be written, e.g. to a full disk; message on stderr; exit 3).
 * Every command also takes --help and --quiet (sets cli_quiet). */
int cli_parse(const cli_command_info *info, const cli_option *opts, size_t n_opts,
              int argc, char **argv);

void cli_print_help(FILE *out, const cli_command_info *info, const cli_option *opts,
                    size_t n_opts);

/* Prints "slt CMD: message" to stderr and returns CLI_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reports a library failure: "slt CMD: <strerror>: <last_error>" on stderr; returns
 * the exit class of the status. */
int cli_library_error(const char *command, int status);

/* Writes a table to stdout and flushes; a failed write is reported and gives exit 3. */
int cli_write_table(const char *command, const slt_table *table, slt_format format);

/* Parses a LIST ("v1,v2,..." or "start:stop:count") as an option named `what` would be,
 * every value >= lo (and inf when allowed); errors print one line and return CLI_USAGE. */
int cli_list_parse(const char *cmd, const char *what, const char *text, double lo, int allow_inf,
                   cli_list *out);

/* Parses one real the same way options are parsed (strtod, whole string, finite
 * unless allow_inf). Returns 0 on success. Exposed for list and file parsing. */
int cli_parse_real(const char *text, int allow_inf, double *value);

/* --quiet (before or after the command name): no progress messages on stderr. */
extern int cli_quiet;

/* One progress line "slt CMD: ..." on stderr for long runs, unless --quiet was given.
 * Every long command reports its progress through this one function. */
void cli_progress(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Writes what was printed to stdout out and reports a failure ("slt CMD: writing ... to
 * standard output failed: No space left on device"); returns 0 or CLI_IO. */
int cli_flush_stdout(const char *command, const char *what);

/* Opens an input file; "-" is standard input. NULL with errno set on failure. */
FILE *cli_open_input(const char *path);
/* Closes what cli_open_input opened (standard input is left open). */
void cli_close_input(FILE *f);

/* Longest line of a text input (battery) file, and most lines read from one file. */
#define CLI_LINE_MAX 4096
#define CLI_LINES_MAX 1000000L

/* Reads line number `lineno` of a text input into buf (size > CLI_LINE_MAX), without its
 * line end (LF or CRLF); a UTF-8 byte-order mark at the start of line 1 is skipped.
 * Returns 1 (a line), 0 (end of file), or an exit code with one message naming
 * file:line: CLI_USAGE for a line longer than CLI_LINE_MAX, a NUL byte or more than
 * CLI_LINES_MAX lines; CLI_IO for a read error. */
int cli_read_line(const char *command, FILE *f, const char *path, long lineno, char *buf,
                  size_t size);

/* Every subcommand: int cmd_NAME(int argc, char **argv), argv[0] = "NAME". */
typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const cli_command_info *info;
} cli_command;

extern const cli_command cli_commands[];
extern const size_t cli_command_count;

#endif
