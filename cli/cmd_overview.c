/* cmd_overview.c: `fundwatch overview`: the dashboard figures (datasets, last run, hits by
 * category, severity and case status, money at issue counted once, clusters by village and by
 * program and month) as one listing. The TUI's overview screen reads the same query (fw_overview_prepare), so
 * the two always agree. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "audit/browse.h"
#include "audit/i18n.h"
#include "cli/cli.h"

const char usage_overview[] =
    N_("usage: fundwatch overview [--top N]\n"
    "\n"
    "Prints the dashboard figures of the workspace, one row per figure:\n"
    "  section   dataset, run, total, category, severity, status, village, program_month\n"
    "  item      what the row counts (dataset name, category, township and village, ...)\n"
    "  count     rows in the dataset, or present hits\n"
    "  amount    payments total (dataset payments), or the money at issue of the hits: the payments\n"
    "            they cite, each counted once however many rules hit it (yuan, two decimals)\n"
    "  other_amount  figures of hits not based on payments (village statistics, hits citing no\n"
    "            payment): shown apart, never added to amount\n"
    "  rejected  rows refused by the imports of a dataset\n"
    "  first, last  date range (dataset dates, run start and finish, hit periods); times in local\n"
    "            time in the table, as stored (UTC, ISO) in csv and json\n"
    "\n"
    "  --top N   rows in each cluster section (village, program_month); default 10\n"
    "\n"
    "Use the global --format csv|json for machine-readable output. The TUI's overview screen shows\n"
    "the same figures.\n");

int cmd_overview(fw_cli *cli, int argc, char **argv)
{
    int top = 10;
    static const struct option opts[] = {{"top", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c != 't')
            return fw_cli_usage(cli);
        char *end;
        long v = strtol(optarg, &end, 10);
        if (*end || v < 1 || v > 1000)
            return fw_cli_error(cli, FW_EUSAGE, _("--top must be a number from 1 to 1000, not '%s'"), optarg);
        top = (int)v;
    }
    if (optind != argc)
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    fw_rows *rows;
    if (fw_overview_prepare(ws, top, &rows, &err) == FW_OK) {
        if (fw_print_rows(cli, rows, stdout, &err) < 0)
            rc = fw_cli_report(cli, &err);
        fw_rows_close(rows);
    } else
        rc = fw_cli_report(cli, &err);
    fw_ws_close(ws);
    return rc;
}
