/* cmd_import.c: the `import` command (placeholder until its issue lands: prints that it is not built yet). */
#include "cli/cli.h"

const char usage_import[] = "usage: fundwatch import\n";

int cmd_import(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

const char usage_datasets[] = "usage: fundwatch datasets\n";

int cmd_datasets(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

const char usage_rejects[] = "usage: fundwatch rejects\n";

int cmd_rejects(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

const char usage_programs[] = "usage: fundwatch programs\n";

int cmd_programs(fw_cli *cli, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fw_cli_error(cli, FW_EFAIL, "not built yet");
}

