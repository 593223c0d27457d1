/* cmd_rules.c: the `rules` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_rules[] = "usage: fundwatch rules\n";

int cmd_rules(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

