/* main.c: fundwatch's entry point. Reads the global options (accepted anywhere before `--`),
 * then dispatches to the command named by the first word; with no command on a terminal it opens
 * the TUI. The command table below is the only list of commands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "cli/cli.h"

static const fw_command commands[] = {
    {"init", cmd_init, N_("create an empty workspace (import also creates one)"), usage_init},
    {"import", cmd_import, N_("load a CSV ledger or registry into the workspace"), usage_import},
    {"index", cmd_index, N_("build the indexes a large import left for later"), usage_index},
    {"datasets", cmd_datasets, N_("list loaded datasets with counts and provenance"), usage_datasets},
    {"rejects", cmd_rejects, N_("list rows refused by imports, with line, column and reason"), usage_rejects},
    {"programs", cmd_programs, N_("list program names in the payments and how they map"), usage_programs},
    {"gen", cmd_gen, N_("write synthetic ledgers with planted anomalies (for demo, tests, benchmarks)"), usage_gen},
    {"rules", cmd_rules, N_("list, show, check and test the rule catalogue"), usage_rules},
    {"run", cmd_run, N_("run the rule catalogue over the workspace"), usage_run},
    {"hits", cmd_hits, N_("list the hits of the rule runs"), usage_hits},
    {"case", cmd_case, N_("list, show and work cases (leads gathered per person)"), usage_case},
    {"log", cmd_log, N_("show or verify the audit trail"), usage_log},
    {"repairs", cmd_repairs, N_("propose and decide repairs of ID numbers mistyped in a registry"), usage_repairs},
    {"whitelist", cmd_whitelist, N_("known exceptions that suppress hits for a person and rule"), usage_whitelist},
    {"export", cmd_export, N_("write an Excel case workbook or a CSV list"), usage_export},
    {"orders", cmd_orders, N_("send cases to a unit as a verification workbook and take its answers back"), usage_orders},
    {"overview", cmd_overview, N_("print the dashboard figures of the workspace"), usage_overview},
    {"tui", cmd_tui, N_("open the interactive workstation (the default on a terminal)"), usage_tui},
    {"kiosk", cmd_kiosk, N_("the citizen kiosk: one's own benefits by ID number, reports (docs/kiosk.md)"), usage_kiosk},
    {"status", cmd_status, N_("show the engine, schema and each county's payments and partitions"), usage_status},
    {"shard", cmd_shard, N_("put counties' payments on other PostgreSQL servers (postgres_fdw)"), usage_shard},
    {"copy", cmd_copy, N_("copy the whole workspace into a new one, SQLite or PostgreSQL"), usage_copy},
    {"user", cmd_user, N_("add, list and remove the users of a PostgreSQL workspace (roles, regions)"), usage_user},
};
static const int ncommands = (int)(sizeof commands / sizeof commands[0]);

static void print_help(FILE *out)
{
    fprintf(out, _("fundwatch %s: supervision of welfare and poverty-alleviation fund payments\n\n"
                 "usage: fundwatch [--db FILE] [--user NAME] COMMAND [ARGS]\n\ncommands:\n"),
            FW_VERSION);
    for (int i = 0; i < ncommands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, _(commands[i].synopsis));
    fputs(_("\nglobal options:\n"
          "  --db FILE       workspace file (else $FUNDWATCH_DB, else ./fundwatch.db),\n"
          "                  or a PostgreSQL database: postgresql://USER@HOST:PORT/DB, service=NAME\n"
          "  --user NAME     who is acting, for the audit trail (else $FUNDWATCH_USER, else login)\n"
          "  --format F      table, csv or json for listing commands\n"
          "  --help, --version\n\n"
          "exit codes: 0 ok, 1 failure, 2 usage, 3 bad data, 4 workspace, 5 not found,\n"
          "            6 conflict (refused by state), 130 interrupted\n"
          "\n`fundwatch COMMAND --help` describes a command.\n"),
          out);
}

static const fw_command *find_command(const char *name)
{
    for (int i = 0; i < ncommands; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Takes the global options out of argv (anywhere before "--"), leaving the command and its own
 * arguments. Returns FW_EUSAGE on a malformed global option. */
static int take_global_options(fw_cli *cli, int *argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        const char *names[] = {"--db", "--user", "--format"};
        int which = -1;
        if (strcmp(a, "--") == 0) {
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        for (int k = 0; k < 3; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                which = k;
                if (a[n] == '=')
                    val = a + n + 1;
                else if (i + 1 < *argc)
                    val = argv[++i];
                else {
                    fprintf(stderr, _("fundwatch: %s needs a value\n"), names[k]);
                    return FW_EUSAGE;
                }
            }
        }
        if (which < 0) {
            argv[out++] = argv[i];
            continue;
        }
        /* A --format that is not a listing format (export's xlsx) belongs to the command. */
        if (which == 2 && strcmp(val, "table") && strcmp(val, "csv") && strcmp(val, "json")) {
            argv[out++] = (char *)(a[strlen("--format")] == '=' ? a : "--format");
            if (a[strlen("--format")] != '=')
                argv[out++] = argv[i];
            continue;
        }
        if (which == 0)
            cli->db_path = val;
        else if (which == 1)
            fw_set_user(val);
        else if (strcmp(val, "table") == 0)
            cli->format = FW_FMT_TABLE;
        else if (strcmp(val, "csv") == 0)
            cli->format = FW_FMT_CSV;
        else if (strcmp(val, "json") == 0)
            cli->format = FW_FMT_JSON;
        else {
            fprintf(stderr, _("fundwatch: --format must be table, csv or json, not '%s'\n"), val);
            return FW_EUSAGE;
        }
    }
    argv[out] = NULL;
    *argc = out;
    return FW_OK;
}

int main(int argc, char **argv)
{
    fw_i18n_init();
    fw_cli cli = {.db_path = NULL, .format = FW_FMT_TABLE};
    int rc = take_global_options(&cli, &argc, argv);
    if (rc)
        return rc;
    cli.db_path = fw_ws_default_path(cli.db_path);
    if (argc < 2) {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
            cli.command = "tui";
            return cmd_tui(&cli, 1, (char *[]){"tui", NULL});
        }
        print_help(stderr);
        return FW_EUSAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_help(stdout);
        return FW_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("fundwatch %s\n", FW_VERSION);
        return FW_OK;
    }
    const fw_command *cmd = find_command(argv[1]);
    if (!cmd) {
        const char *names[sizeof commands / sizeof commands[0] + 1] = {0};
        for (int i = 0; i < ncommands; i++)
            names[i] = commands[i].name;
        const char *near = fw_closest(argv[1], names);
        if (near)
            fprintf(stderr, _("fundwatch: unknown command '%s'; did you mean %s?\n"), argv[1], near);
        else if (argv[1][0] == '-')
            fprintf(stderr, _("fundwatch: unknown option %s\n"), argv[1]);
        else
            fprintf(stderr, _("fundwatch: unknown command '%s'\n"), argv[1]);
        print_help(stderr);
        return FW_EUSAGE;
    }
    cli.command = cmd->name;
    if (fw_i18n_fallback_note() && strcmp(cmd->name, "tui") != 0) /* the TUI says it on its status line */
        fprintf(stderr, "fundwatch: %s\n", fw_i18n_fallback_note());
    if (fw_cli_wants_help(argc - 1, argv + 1)) {
        fputs(_(cmd->usage), stdout);
        return FW_OK;
    }
    optind = 1;
    rc = cmd->run(&cli, argc - 1, argv + 1);
    fw_set_user(NULL);
    return rc;
}

/* The usage text of the running command, for fw_cli_usage and fw_cli_help. */
static const char *usage_of(const fw_cli *cli)
{
    const fw_command *cmd = cli->command ? find_command(cli->command) : NULL;
    return cmd ? _(cmd->usage) : "";
}

int fw_cli_usage(fw_cli *cli)
{
    fputs(usage_of(cli), stderr);
    return FW_EUSAGE;
}

int fw_cli_help(fw_cli *cli)
{
    fputs(usage_of(cli), stdout);
    return FW_OK;
}
