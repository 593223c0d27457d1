/* cmd_gen.c: the `gen` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_gen[] = "usage: fundwatch gen\n";

int cmd_gen(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

