/* cmd_run.c: the `run` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_run[] = "usage: fundwatch run\n";

int cmd_run(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

const char usage_hits[] = "usage: fundwatch hits\n";

int cmd_hits(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

