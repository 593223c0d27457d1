/* cmd_case.c: the `case` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_case[] = "usage: fundwatch case\n";

int cmd_case(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

const char usage_log[] = "usage: fundwatch log\n";

int cmd_log(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

const char usage_whitelist[] = "usage: fundwatch whitelist\n";

int cmd_whitelist(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

