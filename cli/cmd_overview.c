/* cmd_overview.c: the `overview` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_overview[] = "usage: fundwatch overview\n";

int cmd_overview(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

