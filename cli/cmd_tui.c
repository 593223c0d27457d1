/* cmd_tui.c: the `tui` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_tui[] = "usage: fundwatch tui\n";

int cmd_tui(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

