/* cmd_run.c: the `run` command (runs the rule catalogue, Ctrl-C or SIGTERM stops cleanly) and the `hits`
 * command (lists hits). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "audit/engine.h"
#include "audit/rules.h"
#include "cli/cli.h"

const char usage_run[] =
    "usage: fundwatch run [--category C] [--only ID,...] [--rules DIR] [--time-limit SECONDS]\n"
    "                     [--max-hits N]\n"
    "\n"
    "Runs the enabled rules (all, one category, or the named ones, enabled or not) over the\n"
    "workspace. Prints each rule's hits and time on stderr as it goes, then a summary: hits new,\n"
    "still present and gone since the last run. Every rule's results are committed on their own, so\n"
    "Ctrl-C (or SIGTERM) stops cleanly, also while a rule's hits are being saved: the rule being run\n"
    "is discarded, the rules already done are kept (exit 130).\n"
    "A rule whose query and saving of hits together take longer than its time limit is stopped and\n"
    "counted as failed, keeping nothing of it. The limit is the rule's time_limit, else the setting\n"
    "run.time_limit, else 600 s; --time-limit replaces the latter two and caps the former.\n"
    "A rule returning more than --max-hits rows (else the setting run.max_hits, else the larger of\n"
    "100,000 and 10% of the payments loaded) is stopped with \"too many hits: the rule is probably\n"
    "wrong\", keeping nothing of it, and counted as failed.\n"
    "Rules are independent reads: their queries run on one thread per core, each with its own read-only\n"
    "connection, and their hits are stored in catalogue order (FUNDWATCH_RUN_THREADS=N sets the number,\n"
    "1 runs every query on the main connection).\n"
    "Exit: 0 all rules complete, 2 usage, 3 a rule failed (error, time limit, too many hits) or is\n"
    "broken, 5 unknown rule, 130 interrupted.\n";

const char usage_hits[] =
    "usage: fundwatch hits [--rule ID] [--category C] [--status S] [--state present|gone|whitelisted|all]\n"
    "                      [--run N] [--format table|csv|json]\n"
    "\n"
    "Lists hits (one per rule and subject), highest severity and amount first. status is the case's\n"
    "status ('new' when no case yet). amount is in fen in csv and json, yuan in the table.\n";

static volatile sig_atomic_t interrupted;

static void on_stop(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void show_progress(void *ctx, const fw_rule_result *r)
{
    (void)ctx; /* the index progress's (fw_cli_report_index); rules need none */
    if (!r->status[0])
        return;
    fprintf(stderr, "  %-10s %-12s %-11s %6ld hits %8lld ms%s%s\n", r->rule_id, r->category, r->status, r->hits,
            r->ms, r->message[0] ? "  " : "", r->message);
}

static void print_summary(const fw_run_result *res)
{
    printf("%-10s  %-12s  %-11s  %7s  %7s  %7s  %8s\n", "rule", "category", "status", "new", "present", "gone",
           "ms");
    for (int i = 0; i < res->nrules; i++) {
        const fw_rule_result *r = &res->rules[i];
        printf("%-10s  %-12s  %-11s  %7ld  %7ld  %7ld  %8lld\n", r->rule_id, r->category, r->status, r->hits_new,
               r->hits_present, r->hits_gone, r->ms);
    }
    printf("run %lld %s: %d rules, %ld new, %ld present, %ld gone\n", res->run_id, res->status, res->nrules,
           res->hits_new, res->hits_present, res->hits_gone);
}

/* Splits "A,B,C" in place into *ids. */
static int split_ids(char *list, char ***ids)
{
    int n = 0;
    *ids = NULL;
    for (char *save = NULL, *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        *ids = fw_realloc(*ids, (size_t)(n + 1) * sizeof **ids);
        (*ids)[n++] = t;
    }
    return n;
}

int cmd_run(fw_cli *cli, int argc, char **argv)
{
    const char *category = NULL, *rules_dir = NULL;
    char *only_arg = NULL;
    double limit = 0;
    long most = 0;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc || strncmp(o, "--", 2) != 0)
            return fw_cli_usage(cli);
        const char *v = argv[++i];
        if (strcmp(o, "--category") == 0)
            category = v;
        else if (strcmp(o, "--only") == 0)
            only_arg = (char *)v;
        else if (strcmp(o, "--rules") == 0)
            rules_dir = v;
        else if (strcmp(o, "--time-limit") == 0) {
            char *end;
            limit = strtod(v, &end);
            if (*end || end == v || !(limit > 0))
                return fw_cli_error(cli, FW_EUSAGE, "--time-limit needs a positive number of seconds");
        } else if (strcmp(o, "--max-hits") == 0) {
            char *end;
            errno = 0;
            most = strtol(v, &end, 10);
            if (*end || end == v || errno || most <= 0)
                return fw_cli_error(cli, FW_EUSAGE, "--max-hits needs a positive whole number of hits, not '%s'", v);
        } else
            return fw_cli_usage(cli);
    }
    if (category && !fw_rule_category_valid(category))
        return fw_cli_error(cli, FW_EUSAGE, "unknown category '%s'", category);
    fw_ruleset set;
    fw_diags d = {0};
    fw_err err = {0};
    fw_rule_sources src = fw_rule_default_sources(rules_dir);
    if (fw_rules_load(&src, &set, &d, &err)) {
        fw_diags_free(&d);
        return fw_cli_report(cli, &err);
    }
    for (int i = 0; i < d.n; i++)
        if (d.v[i].level == FW_DIAG_ERROR) {
            fw_diags tmp = {.v = &d.v[i], .n = 1};
            fw_diags_print(&tmp, stderr);
        }
    /* A file refused whole hides which rules it holds: no run would say which checks it left out. */
    fw_ws *ws = NULL;
    int rc = set.nrefused ? fw_cli_error(cli, FW_EDATA,
                                         "%d rule file(s) cannot be used (see above); fix them (`fundwatch "
                                         "rules check`) or move them out of the rules folders, then run again",
                                         set.nrefused)
                          : fw_cli_open(cli, &ws);
    char **only = NULL;
    int nonly = 0;
    if (!rc) {
        char *copy = only_arg ? fw_strdup(only_arg) : NULL;
        nonly = copy ? split_ids(copy, &only) : 0;
        fw_cli_stops stops;
        fw_cli_catch_stops(on_stop, &stops);
        fw_cli_index_progress indexing = {0};
        fw_run_opts o = {.category = category, .only = (const char *const *)only, .nonly = nonly,
                         .interrupt = &interrupted, .time_limit_s = limit, .max_hits = most,
                         .progress = show_progress,
                         .indexing = fw_cli_report_index, .progress_ctx = &indexing};
        fw_run_result res;
        rc = fw_run(ws, &set, &o, &res, &err);
        if (rc && indexing.last) /* stopped in the middle of an index */
            fputc('\n', stderr);
        fw_cli_restore_stops(&stops);
        if (res.run_id)
            print_summary(&res);
        if (rc)
            fw_cli_report(cli, &err);
        fw_run_result_free(&res);
        free(only);
        free(copy);
    }
    fw_ws_close(ws);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return rc;
}

int cmd_hits(fw_cli *cli, int argc, char **argv)
{
    fw_hits_filter f = {0};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (i + 1 >= argc)
            return fw_cli_usage(cli);
        const char *v = argv[++i];
        if (strcmp(o, "--rule") == 0)
            f.rule_id = v;
        else if (strcmp(o, "--category") == 0)
            f.category = v;
        else if (strcmp(o, "--status") == 0)
            f.status = v;
        else if (strcmp(o, "--state") == 0)
            f.state = v;
        else if (strcmp(o, "--run") == 0)
            f.run_id = atoll(v);
        else
            return fw_cli_usage(cli);
    }
    fw_ws *ws;
    int rc = fw_cli_open(cli, &ws);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    fw_err err = {0};
    if (fw_hits_stmt(ws, &f, &st, &err))
        rc = fw_cli_report(cli, &err);
    else {
        if (fw_print_rows(cli, st, stdout, &err) < 0)
            rc = fw_cli_report(cli, &err);
        sqlite3_finalize(st);
    }
    fw_ws_close(ws);
    return rc;
}
