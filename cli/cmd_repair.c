/* cmd_repair.c: `fundwatch repairs`, the repair step for ID numbers mistyped in a registry (issue 16,
 * audit/repair.h): lists the proposals (looking for new ones first) and takes the user's decision on
 * each. Arguments are parsed here; the work and its audit trail are in audit/repair.c. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/repair.h"
#include "cli/cli.h"

const char usage_repairs[] =
    N_("usage: fundwatch repairs [--all]\n"
    "       fundwatch repairs accept N\n"
    "       fundwatch repairs reject N --reason TEXT\n"
    "\n"
    "A registry row whose ID number fails its check character is kept at import as invalid-ID (the\n"
    "number as typed in id_number_raw) and no exact rule joins it. `repairs` proposes, for each such\n"
    "row, the valid numbers one typing error away (one digit changed, two neighbours swapped, the\n"
    "check character mistyped) that a person of the persons registry holds, with the same name key\n"
    "when the row gives a name; then lists the proposals awaiting a decision (--all: every one, with\n"
    "its decision). Columns: id, dataset, line, typed, proposed, row_name, person_name, why, status.\n"
    "\n"
    "  accept N   the row's ID becomes the proposed number (rules join it at the next run; what was\n"
    "             typed stays in id_number_raw); the row's other proposals are superseded\n"
    "  reject N   the proposal is closed with the reason; the row stays invalid-ID\n"
    "\n"
    "Nothing changes a row but an accept; each decision is in the audit trail (`fundwatch log`).\n"
    "\n"
    "Exit: 0 done, 2 usage, 3 reject without a reason, 5 no such proposal, 6 already decided or the\n"
    "row was re-imported.\n");

static int repairs_list(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
    bool all = false;
    int c;
    optind = 0;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c != 'a')
            return fw_cli_usage(cli);
        all = true;
    }
    if (optind != argc)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    long long found = 0;
    fw_rows *rows = NULL;
    if (fw_repair_find(ws, &found, &err) || fw_repair_list(ws, all, &rows, &err)) {
        rc = fw_cli_report(cli, &err);
    } else {
        fprintf(stderr, _("%lld new ID repair proposal(s)\n"), found);
        long n = fw_print_rows(cli, rows, stdout, &err);
        rc = n < 0 ? fw_cli_report(cli, &err) : FW_OK;
    }
    fw_rows_close(rows);
    fw_ws_close(ws);
    return rc;
}

static int repairs_decide(fw_cli *cli, bool accept, int argc, char **argv)
{
    static const struct option opts[] = {{"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
    const char *reason = NULL;
    int c;
    optind = 0;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c != 'r')
            return fw_cli_usage(cli);
        reason = optarg;
    }
    if (optind != argc - 1)
        return fw_cli_usage(cli);
    char *end = NULL;
    long long id = strtoll(argv[optind], &end, 10);
    if (!*argv[optind] || *end || id <= 0)
        return fw_cli_error(cli, FW_EUSAGE, _("repairs %s needs a proposal number, not '%s'"),
                            accept ? "accept" : "reject", argv[optind]);
    fw_ws *ws;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    rc = fw_repair_decide(ws, id, accept, reason, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else if (accept)
        printf(_("ID repair %lld accepted; the row joins the rules at the next `fundwatch run`\n"), id);
    else
        printf(_("ID repair %lld rejected\n"), id);
    fw_ws_close(ws);
    return rc;
}

int cmd_repairs(fw_cli *cli, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "accept") == 0)
        return repairs_decide(cli, true, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "reject") == 0)
        return repairs_decide(cli, false, argc - 1, argv + 1);
    if (argc >= 2 && argv[1][0] != '-')
        return fw_cli_unknown_word(cli, _("subcommand"), argv[1], (const char *const[]){"accept", "reject", NULL});
    return repairs_list(cli, argc, argv);
}
