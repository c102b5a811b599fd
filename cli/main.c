/* slt — command-line front end: dispatches `slt CMD [options]` to cmd_<CMD>. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "slt/status.h"

static void print_overview(FILE *out)
{
    fprintf(out,
            "usage: slt [--quiet] <command> [options]\n"
            "       slt help <command>     help for one command (same as slt <command> --help)\n"
            "       slt --version\n\n"
            "slt turns the theory of neural scaling laws into numbers: exponents, learning\n"
            "curves and loss dynamics for power-law or explicit tasks.\n\n"
            "commands:\n");
    for (size_t i = 0; i < cli_command_count; i++)
        fprintf(out, "  %-12s %s\n", cli_commands[i].name, cli_commands[i].info->summary);
    fprintf(out, "\n--quiet (here or among a command's options) silences the progress messages\n"
                 "long runs (mc, crosscheck) print on stderr.\n");
    fprintf(out, "\nExit codes: 0 ok, 1 numerical failure, 2 usage or input error, "
                 "3 I/O error, 4 internal error.\n");
}

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0) return &cli_commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    slt_init();
    /* global options before the command */
    while (argc >= 2 && strcmp(argv[1], "--quiet") == 0) {
        cli_quiet = 1;
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc < 2) {
        print_overview(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("slt %s\n", slt_version());
        return cli_flush_stdout(NULL, "the version");
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc < 3 || strcmp(name, "help") != 0) {
            print_overview(stdout);
            return cli_flush_stdout(NULL, "the help");
        }
        const cli_command *cmd = find_command(argv[2]);
        if (!cmd) {
            fprintf(stderr, "slt help: unknown command '%s' (see 'slt help')\n", argv[2]);
            return 2;
        }
        char *help_argv[] = {(char *)cmd->name, (char *)"--help", NULL};
        return cmd->run(2, help_argv);
    }
    const cli_command *cmd = find_command(name);
    if (!cmd) {
        fprintf(stderr, "slt: unknown command '%s' (see 'slt help')\n", name);
        return 2;
    }
    return cmd->run(argc - 1, argv + 1);
}
