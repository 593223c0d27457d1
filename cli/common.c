/* common.c: helpers shared by the commands: opening the workspace, error reporting, --help. */
#include <stdarg.h>
#include <string.h>

#include "audit/runlock.h"
#include "cli/cli.h"

int fw_cli_open(fw_cli *cli, fw_ws **ws)
{
    fw_err err = {0};
    if (fw_ws_open(cli->db_path, ws, &err))
        return fw_cli_report(cli, &err);
    /* Runs left 'running' by a fundwatch that was killed become 'interrupted' (audit/runlock.h);
     * failing to do so does not stop the command. */
    int marked = 0;
    if (fw_runs_mark_abandoned(*ws, &marked, &err))
        fprintf(stderr, "fundwatch %s: warning: could not mark abandoned runs: %s\n", cli->command, err.msg);
    else if (marked)
        fprintf(stderr, "fundwatch %s: %d run(s) left 'running' by a fundwatch that ended without finishing "
                        "them are now marked interrupted\n",
                cli->command, marked);
    return FW_OK;
}

void fw_cli_catch_stops(void (*handler)(int), fw_cli_stops *saved)
{
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &saved->old_int);
    sigaction(SIGTERM, &sa, &saved->old_term);
}

void fw_cli_restore_stops(const fw_cli_stops *saved)
{
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
}

int fw_cli_error(fw_cli *cli, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fundwatch %s: ", cli->command ? cli->command : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int fw_cli_report(fw_cli *cli, const fw_err *err)
{
    return fw_cli_error(cli, err->code ? err->code : FW_EFAIL, "%s", err->msg);
}

int fw_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

int fw_cli_report_index(void *ctx, int done, int total, const char *index)
{
    fw_cli_index_progress *p = ctx;
    if (index && index == p->last) /* still building it */
        return 0;
    double now = fw_now_seconds();
    if (p->last)
        fprintf(stderr, "%.1f s\n", now - p->index_started);
    if (index)
        fprintf(stderr, "building %s (%d of %d)… ", index, done + 1, total);
    p->last = index;
    p->index_started = now;
    return 0;
}
