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
    CLI_LIST,    /* cli_list: values and ranges separated by commas (CLI_LIST_HELP):
                    start:stop:count[:log] count log-spaced values (start, stop > 0;
                    powers of ten exact, e.g. 10:1e4:4 is 10, 100, 1000, 10000),
                    start:stop:count:lin count evenly spaced (0:10:11:lin is 0 ... 10
                    exactly); every value within the option's range. No cap on the
                    count but the machine's memory (exit 2 naming count and bytes) */
    CLI_LIST_FILE /* cli_list read from FILE ('-': standard input, once per run): one
                    value a line, '#' starts a comment, blank lines skipped; each
                    value checked like a LIST element; errors name file and line */
} cli_kind;

/* LIST's grammar for the commands' help texts. */
#define CLI_LIST_HELP                                                                      \
    "LIST: values and ranges separated by commas. start:stop:count is count log-spaced\n"    \
    "values, both ends included, start and stop > 0 (also start:stop:count:log; powers\n"  \
    "of ten exact: 10:1e4:4 is 10,100,1000,10000); start:stop:count:lin is count evenly\n" \
    "spaced values, both ends included, from any start (0:10:11:lin is 0,1,...,10);\n"     \
    "a count of 1 is the start alone. E.g. 0,1:1e6:19. No limit but memory.\n"

/* A list of reals. `allow_inf` lets a value be "inf" (e.g. N = ∞). */
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

/* Parses a LIST (CLI_LIST's grammar) as an option named `what` would be,
 * every value >= lo (and inf when allowed); errors print one line and return CLI_USAGE. */
int cli_list_parse(const char *cmd, const char *what, const char *text, double lo, int allow_inf,
                   cli_list *out);
/* Parses a LIST as option o would be (its range, allow_inf and integer): for an option
 * read as text, e.g. to treat its values further. */
int cli_list_parse_option(const char *cmd, const cli_option *o, const char *text, cli_list *out);

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

/* The option that read standard input (a LIST_FILE given '-'), or NULL: a command that
 * reads it later too (--task -) refuses the second read. */
extern const char *cli_stdin_option;
/* A usage error when option --name, which reads `path` later, was given "-" and a LIST_FILE
 * option already read standard input. */
int cli_stdin_once(const char *cmd, const char *name, const char *path);

/* 0, or a usage error (exit 2: "WHAT: COUNT values would need B bytes (G GB), more than
 * the M GB of memory on this machine") when count items of `each` bytes exceed the
 * machine's physical memory. */
int cli_check_memory(const char *cmd, const char *what, double count, double each);

/* The times of a run: --t LIST or --t-file FILE, or, with a step --eta, whole steps
 * --steps LIST or --steps-file FILE (t = eta n) with --every K (CLI_TIMES_HELP). */
typedef struct {
    cli_list t;     /* the times (after cli_times_resolve also those of the steps)   */
    cli_list steps; /* the steps n, whole (count 0 when times were given)            */
    long long every;
    int seen_t, seen_t_file, seen_steps, seen_steps_file, seen_every;
} cli_times;

#define CLI_TIMES_HELP                                                                     \
    "Times: --t LIST, or --t-file FILE (one value a line, '#' starts a comment, blank\n"     \
    "lines skipped, '-' reads standard input; a bad line exits 2 naming it). With a step\n" \
    "--eta, whole steps n instead: --steps LIST or --steps-file FILE, t = eta n (the t\n"    \
    "column shows eta n, and a column step shows n); --every K adds every K-th step 0,\n"   \
    "K, 2K, ... up to the largest given, the steps then sorted, each once (--steps 1000\n"  \
    "--every 1 is every step from 0 to 1000). Give one of --t, --t-file, --steps,\n"        \
    "--steps-file; --steps without --eta (gradient flow) is a usage error. Ranges of\n"     \
    "steps are rounded to whole steps, each kept once (--steps 1:1e6:25 is 1, 2, 3, 6,\n"   \
    "...). No limit on the number of times but memory (exit 2 when it would not fit).\n"

/* Adds to opts the option --t (t_opt: its help and range; name, kind, target, metavar
 * and seen are set here), --t-file FILE with the same range, and with `steps` also
 * --steps, --steps-file and --every. Returns how many options were added (at most 5). */
size_t cli_times_options(cli_times *ct, cli_option t_opt, int steps, cli_option *opts);

/* 1 when any of --t, --t-file, --steps, --steps-file was given. */
int cli_times_given(const cli_times *ct);

/* After cli_parse: at most one of --t, --t-file, --steps, --steps-file; --every only
 * with steps; steps only with a step eta > 0 (0 or NaN: gradient flow, a usage error
 * naming --steps and --eta). Applies --every and sets ct->t to eta n for the steps.
 * CLI_OK or a usage error (its line printed). */
int cli_times_resolve(const char *cmd, cli_times *ct, double eta);
void cli_times_free(cli_times *ct);

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
