/* cmd_status.c: `fundwatch status`: which engine and workspace this is, its schema version, and per
 * county of the payments their rows, years and (PostgreSQL) partitions: the one place an operator
 * sees how a province workspace is laid out (issue 12; shards will be listed here too). */
#include <stdio.h>

#include "audit/i18n.h"
#include "audit/partition.h"
#include "audit/rows.h"
#include "audit/shard.h"
#include "cli/cli.h"

const char usage_status[] =
    N_("usage: fundwatch status [--set-counties LIST]\n"
    "\n"
    "Prints the workspace's engine, place (a file's name, or postgresql://user@host:port/dbname,\n"
    "never a password) and schema version, then one row per county of the payments:\n"
    "  county      the first 6 digits of region_code ((unknown county): rows without one)\n"
    "  name        the county's name when known\n"
    "  rows        payments of the county\n"
    "  years       the years of their period (else pay date)\n"
    "  partitions  PostgreSQL: the county's year partitions (not shown on SQLite)\n"

    "\n"
    "  --set-counties LIST  the workspace's known counties, 6-digit codes separated by commas\n"
    "              (\"\" forgets them): a payment of any other county is then a reject of its\n"
    "              import (code, file, line); without a list every county is accepted\n"
    "\n"
    "With the global --format csv|json every row also carries engine, workspace and schema.\n");

/* The shards after the counties (table format; csv and json: `fundwatch shard list`). */
static int print_shards(fw_cli *cli, fw_ws *ws)
{
    fw_err err = {0};
    fw_rows *rows = NULL;
    int rc = FW_OK;
    if (fw_shard_list(ws, &rows, &err))
        return fw_cli_report(cli, &err);
    if (rows) {
        printf(_("\nshards (counties on other PostgreSQL servers; a county of a shard that does not answer is not "
                 "counted above)\n"));
        if (fw_print_rows(cli, rows, stdout, &err) < 0)
            rc = fw_cli_report(cli, &err);
    }
    fw_rows_close(rows);
    return rc;
}

int cmd_status(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"set-counties", required_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
    const char *set = NULL;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c != 's')
            return fw_cli_usage(cli);
        set = optarg;
    }
    if (optind != argc)
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, set ? FW_WS_WRITE : FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    if (set && fw_part_set_counties(ws, set, &err)) {
        fw_ws_close(ws);
        return fw_cli_report(cli, &err);
    }
    fw_rows *rows;
    bool table = cli->format == FW_FMT_TABLE;
    if (fw_status_prepare(ws, !table, &rows, &err) == FW_OK) {
        if (table)
            printf(_("engine     %s\nworkspace  %s\nschema     %d\n\n"), fw_status_engine(ws), fw_ws_label(ws),
                   fw_ws_schema_version(ws));
        if (fw_print_rows(cli, rows, stdout, &err) < 0)
            rc = fw_cli_report(cli, &err);
        fw_rows_close(rows);
        if (!rc && table)
            rc = print_shards(cli, ws);
    } else
        rc = fw_cli_report(cli, &err);
    fw_ws_close(ws);
    return rc;
}
