/* cmd_export.c: the `export` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_export[] = "usage: fundwatch export\n";

int cmd_export(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

