/* cmd_shard.c: the command `shard` — which PostgreSQL servers hold which counties' payments (issue
 * 12, audit/shard.h, docs/scale.md). The operator adds a server with its counties, moves counties
 * between shards and back, lists them with their reachability, removes a shard. */
#include <stdio.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/rows.h"
#include "audit/shard.h"
#include "cli/cli.h"

const char usage_shard[] =
    N_("usage: fundwatch [--db TARGET] shard add SHARD-TARGET [--counties LIST]\n"
    "       fundwatch [--db TARGET] shard move LIST --to SHARD|coordinator\n"
    "       fundwatch [--db TARGET] shard list\n"
    "       fundwatch [--db TARGET] shard remove SHARD\n"
    "\n"
    "A PostgreSQL workspace keeps each county's payments in a partition (docs/scale.md); a shard is\n"
    "another PostgreSQL server holding some counties' partitions, reached through postgres_fdw.\n"
    "  add      SHARD-TARGET is a postgresql:// URI or a conninfo (user and password go into the\n"
    "           server's user mapping); the shard gets the name fw_shard_N and the counties of\n"
    "           --counties (6-digit codes separated by commas) with their rows\n"
    "  move     moves the counties of LIST to SHARD, or back to this server (--to coordinator);\n"
    "           each county's rows move in one transaction on each side, or not at all\n"
    "  list     each shard: place, counties, rows, reachable, schema version, problem\n"
    "  remove   moves the shard's counties back, then forgets the server\n"
    "\n"
    "Counties are not moved while a rule run is going. A shard whose fundwatch tables are of another\n"
    "schema version is refused by name.\n"
    "\n"
    "Exit codes: 0 done; 2 bad command line, a bad county code, or a SQLite workspace; 4 the shard\n"
    "cannot be reached; 5 no such shard; 6 refused: a run is going, the shard's schema version\n"
    "differs, or the shard already holds rows of the county.\n");

static int shard_list(fw_cli *cli)
{
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    fw_rows *rows = NULL;
    if (fw_shard_list(ws, &rows, &err))
        rc = fw_cli_report(cli, &err);
    else if (!rows)
        printf(_("no shards: every county's payments are on this server\n"));
    else if (fw_print_rows(cli, rows, stdout, &err) < 0)
        rc = fw_cli_report(cli, &err);
    fw_rows_close(rows);
    fw_ws_close(ws);
    return rc;
}

/* add TARGET [--counties L] | move L --to S | remove S: the words after the subcommand. */
static int shard_change(fw_cli *cli, const char *sub, int argc, char **argv)
{
    const char *what = NULL, *counties = "", *to = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--counties") == 0 && i + 1 < argc && strcmp(sub, "add") == 0)
            counties = argv[++i];
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc && strcmp(sub, "move") == 0)
            to = argv[++i];
        else if (!what && argv[i][0] != '-')
            what = argv[i];
        else
            return fw_cli_usage(cli);
    }
    if (!what || (strcmp(sub, "move") == 0 && !to))
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    char name[64] = "";
    if (strcmp(sub, "add") == 0)
        rc = fw_shard_add(ws, what, counties, name, sizeof name, &err);
    else if (strcmp(sub, "move") == 0)
        rc = fw_shard_move(ws, what, strcmp(to, "coordinator") == 0 ? NULL : to, &err);
    else
        rc = fw_shard_remove(ws, what, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else if (name[0])
        printf(_("shard %s added%s%s\n"), name, *counties ? _(" with counties ") : "", counties);
    else
        printf(_("done\n"));
    fw_ws_close(ws);
    return rc;
}

int cmd_shard(fw_cli *cli, int argc, char **argv)
{
    static const char *const words[] = {"add", "move", "list", "remove", NULL};
    if (argc < 2)
        return fw_cli_usage(cli);
    if (strcmp(argv[1], "list") == 0)
        return argc == 2 ? shard_list(cli) : fw_cli_usage(cli);
    if (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "move") == 0 || strcmp(argv[1], "remove") == 0)
        return shard_change(cli, argv[1], argc - 2, argv + 2);
    return fw_cli_unknown_word(cli, "subcommand", argv[1], words);
}
