/* cli/dmft_rich.h — `slt dmft --gamma LIST`: the rich (feature-learning) DMFT of
 * include/slt/featlearn.h, with γ = 0 rows from the lazy solver (slt/dmft.h) unless a
 * --method is given. Shared between cli/cmd_dmft.c (parsing, the lazy path) and
 * cli/dmft_rich.c (the rich rows). */
#ifndef SLT_CLI_DMFT_RICH_H
#define SLT_CLI_DMFT_RICH_H

#include "cli.h"
#include "slt/dmft.h"
#include "slt/featlearn.h"
#include "slt/task.h"
#include "task_args.h"

/* What the rich path needs of the parsed command line. */
typedef struct {
    const cli_list *Ns, *Ps, *gammas;
    const cli_times *tm;         /* resolved: tm->t holds the times (eta n with --steps) */
    slt_dmft_params lazy;        /* the lazy solver's params (γ = 0 rows), N and P set per row */
    slt_featlearn_method method; /* --method (default: the library's) */
    int method_given;            /* --method was given: γ = 0 rows through featlearn too */
    double max_work;             /* --max-work: the march's work budget (library default) */
    int sgd, diagnose;
    slt_format format;
    const cli_task_args *ta;
} dmft_rich_in;

/* The lazy solve of cmd_dmft.c at one (N, P): every point filled (a failed set-up fails
 * them all), and where a step --eta stands against the spectrum edge (*edge, as the
 * lazy rows use it for "ok (near edge)"); returns the set-up's status. */
int dmft_lazy_solve(const slt_task *task, slt_dmft_params p, const cli_list *times,
                    slt_dmft_point *out, slt_dmft_edge *edge);

/* Runs the rows, writes the table; returns the exit code. */
int dmft_rich_run(const dmft_rich_in *in, const slt_task *task);

#endif
