/* The registry of subcommands: `slt help` lists them in this order. */
#include "cli.h"

int cmd_exponents(int argc, char **argv);
int cmd_loss(int argc, char **argv);
int cmd_spectrum(int argc, char **argv);
int cmd_static(int argc, char **argv);
int cmd_dmft(int argc, char **argv);
int cmd_mc(int argc, char **argv);
int cmd_crosscheck(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_optimal(int argc, char **argv);
extern const cli_command_info cmd_exponents_info;
extern const cli_command_info cmd_loss_info;
extern const cli_command_info cmd_spectrum_info;
extern const cli_command_info cmd_static_info;
extern const cli_command_info cmd_dmft_info;
extern const cli_command_info cmd_mc_info;
extern const cli_command_info cmd_crosscheck_info;
extern const cli_command_info cmd_fit_info;
extern const cli_command_info cmd_optimal_info;

const cli_command cli_commands[] = {
    {"exponents", cmd_exponents, &cmd_exponents_info},
    {"loss", cmd_loss, &cmd_loss_info},
    {"spectrum", cmd_spectrum, &cmd_spectrum_info},
    {"static", cmd_static, &cmd_static_info},
    {"dmft", cmd_dmft, &cmd_dmft_info},
    {"mc", cmd_mc, &cmd_mc_info},
    {"optimal", cmd_optimal, &cmd_optimal_info},
    {"crosscheck", cmd_crosscheck, &cmd_crosscheck_info},
    {"fit", cmd_fit, &cmd_fit_info},
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];
