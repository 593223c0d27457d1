/* cmd_copy.c: the command `copy` — the whole workspace (--db) copied into a new one (--to), either
 * engine to either, its audit trail verified there and ending at the same head (audit/copy.h). */
#include <getopt.h>
#include <stdio.h>

#include "audit/copy.h"
#include "audit/i18n.h"
#include "cli/cli.h"

const char usage_copy[] =
    N_("usage: fundwatch [--db SOURCE] copy --to TARGET\n"
    "\n"
    "Copies the whole workspace SOURCE into TARGET, a new workspace: a SQLite file that does not\n"
    "exist yet or holds only what `fundwatch init` wrote, or such a PostgreSQL database (a libpq URI\n"
    "or conninfo, as for --db). Datasets with their provenance, settings, runs and hits with their\n"
    "fingerprints and evidence, cases and notes, the whitelist and the audit trail, record for\n"
    "record: the copy's trail verifies and ends at the source's head. A target that holds more is\n"
    "refused (exit 3) and nothing is written; so is any copy that fails half-way.\n");

int cmd_copy(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"to", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
    const char *to = NULL;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c == 't')
            to = optarg;
        else
            return fw_cli_usage(cli);
    }
    if (optind != argc || !to)
        return fw_cli_usage(cli);
    fw_ws *src, *dst;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_READ, &src);
    if (rc)
        return rc;
    if (fw_ws_open_mode(to, FW_WS_CREATE, &dst, &err)) {
        fw_ws_close(src);
        return fw_cli_report(cli, &err);
    }
    fw_copy_stats st;
    rc = fw_ws_copy(src, dst, &st, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else
        printf(_("copied %s to %s: %d tables, %lld rows; audit trail OK: %lld records verified, head %lld %s\n"),
               fw_ws_where(src), fw_ws_where(dst), st.tables, st.rows, st.trail, st.head_seq, st.head_hash);
    fw_ws_close(dst);
    fw_ws_close(src);
    return rc;
}
