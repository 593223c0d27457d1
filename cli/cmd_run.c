/* cmd_run.c: the `run` command (runs the rule catalogue, Ctrl-C or SIGTERM stops cleanly) and the `hits`
 * command (lists hits). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "audit/engine.h"
#include "audit/hitfilter.h"
#include "audit/i18n.h"
#include "audit/known.h"
#include "audit/ruledata.h"
#include "audit/rules.h"
#include "audit/vocab.h"
#include "cli/cli.h"

const char usage_run[] =
    /* xgettext:no-c-format */
    N_("usage: fundwatch run [--category C] [--only ID,...] [--rules DIR] [--time-limit SECONDS]\n"
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
    "1 runs every query on the main connection; on PostgreSQL on one thread, in the rule sandbox).\n"
    "A run none of whose rules finds its datasets loaded is refused, naming the datasets to import.\n"
    "Exit: 0 all rules complete, 2 usage, 3 a rule failed (error, time limit, too many hits) or is\n"
    "broken, 5 unknown rule or category, or none of the data the rules need, 130 interrupted.\n");

const char usage_hits[] =
    N_("usage: fundwatch hits [--rule ID] [--category C] [--status S] [--state present|gone|whitelisted|all]\n"
    "                      [--run N] [--format table|csv|json]\n"
    "\n"
    "Lists hits (one per rule and subject), highest severity and amount first. status is the case's\n"
    "status ('new' when no case yet). Categories and statuses may be typed as codes or Chinese labels;\n"
    "an unknown value exits 5 listing the known ones. amount is in fen in csv and json, yuan in the table.\n");

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
    fprintf(stderr, "  %-10s ", r->rule_id);
    fw_cli_pad(stderr, fw_label_show(fw_categories, r->category), 12);
    fputc(' ', stderr);
    fw_cli_pad(stderr, fw_label_show(fw_run_statuses, r->status), 11);
    fprintf(stderr, _(" %6ld hits %8lld ms"), r->hits, r->ms);
    fprintf(stderr, "%s%s\n", r->message[0] ? "  " : "", r->message);
}

static void print_summary(const fw_run_result *res)
{
    const char *head[] = {_("rule"), _("category"), _("status"), _("new"), _("present"), _("gone"), _("ms")};
    const int width[] = {10, 12, 11, 7, 7, 7, 8};
    for (int c = 0; c < 7; c++) {
        if (c >= 3) /* numbers: right-aligned */
            printf("%*s", width[c] - fw_utf8_width(head[c]) > 0 ? width[c] - fw_utf8_width(head[c]) : 0, "");
        c < 3 ? fw_cli_pad(stdout, head[c], width[c]) : (void)fputs(head[c], stdout);
        fputs(c < 6 ? "  " : "\n", stdout);
    }
    for (int i = 0; i < res->nrules; i++) {
        const fw_rule_result *r = &res->rules[i];
        printf("%-10s  ", r->rule_id);
        fw_cli_pad(stdout, fw_label_show(fw_categories, r->category), 12);
        fputs("  ", stdout);
        fw_cli_pad(stdout, fw_label_show(fw_run_statuses, r->status), 11);
        printf("  %7ld  %7ld  %7ld  %8lld\n", r->hits_new, r->hits_present, r->hits_gone, r->ms);
    }
    printf(_("run %lld %s: %d rules, %ld new, %ld present, %ld gone\n"), res->run_id,
           fw_label_show(fw_run_statuses, res->status), res->nrules, res->hits_new, res->hits_present, res->hits_gone);
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
    static const struct option opts[] = {
        {"category", required_argument, NULL, 'c'}, {"only", required_argument, NULL, 'o'},
        {"rules", required_argument, NULL, 'r'},    {"time-limit", required_argument, NULL, 't'},
        {"max-hits", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0},
    };
    const char *category = NULL, *rules_dir = NULL;
    char *only_arg = NULL;
    double limit = 0;
    long most = 0;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        char *end;
        switch (c) {
        case 'c': category = optarg; break;
        case 'o': only_arg = optarg; break;
        case 'r': rules_dir = optarg; break;
        case 't':
            limit = strtod(optarg, &end);
            if (*end || end == optarg || !(limit > 0))
                return fw_cli_error(cli, FW_EUSAGE, _("--time-limit needs a positive number of seconds"));
            break;
        case 'm':
            errno = 0;
            most = strtol(optarg, &end, 10);
            if (*end || end == optarg || errno || most <= 0)
                return fw_cli_error(cli, FW_EUSAGE, _("--max-hits needs a positive whole number of hits, not '%s'"),
                                    optarg);
            break;
        default: return fw_cli_usage(cli);
        }
    }
    if (optind != argc) {
        fw_cli_error(cli, FW_EUSAGE, _("unexpected argument '%s'"), argv[optind]);
        return fw_cli_usage(cli);
    }
    fw_err err = {0};
    char *category_code = NULL;
    if (category && !(category_code = fw_known_value(NULL, FW_KNOWN_CATEGORY, category, &err)))
        return fw_cli_report(cli, &err);
    category = category_code;
    fw_ruleset set;
    fw_diags d = {0};
    fw_rule_sources src = fw_rule_default_sources(rules_dir);
    if (fw_rules_load(&src, &set, &d, &err)) {
        fw_diags_free(&d);
        free(category_code);
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
                                         _("%d rule file(s) cannot be used (see above); fix them (`fundwatch "
                                           "rules check`) or move them out of the rules folders, then run again"),
                                         set.nrefused)
                          : fw_cli_open(cli, FW_WS_WRITE, &ws);
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
        fw_run_result res = {0};
        char *warning = NULL;
        rc = fw_rules_data_check(ws, &set, category, (const char *const *)only, nonly, &warning, &err);
        if (warning)
            fprintf(stderr, "fundwatch run: %s\n", warning);
        free(warning);
        if (rc == FW_OK)
            rc = fw_run(ws, &set, &o, &res, &err);
        if (rc && indexing.last) /* stopped in the middle of an index */
            fputc('\n', stderr);
        fw_cli_restore_stops(&stops);
        if (res.run_id)
            print_summary(&res);
        if (res.sandbox_note[0]) /* PostgreSQL: rules ran READ ONLY but not as the rule role */
            fprintf(stderr, "fundwatch run: %s\n", res.sandbox_note);
        if (rc)
            fw_cli_report(cli, &err);
        fw_run_result_free(&res);
        free(only);
        free(copy);
    }
    fw_ws_close(ws);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    free(category_code);
    return rc;
}

int cmd_hits(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"rule", required_argument, NULL, 'r'},  {"category", required_argument, NULL, 'c'},
        {"status", required_argument, NULL, 's'}, {"state", required_argument, NULL, 'S'},
        {"run", required_argument, NULL, 'n'},   {NULL, 0, NULL, 0},
    };
    fw_hit_filter f; /* its strings point into argv or at fields[].owned below */
    fw_hit_filter_init(&f);
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        char *end;
        switch (c) {
        case 'r': f.rule_id = optarg; break;
        case 'c': f.category = optarg; break;
        case 's': f.status = optarg; break;
        case 'S': f.state = optarg; break;
        case 'n':
            f.run_id = strtoll(optarg, &end, 10);
            if (!*optarg || *end || f.run_id <= 0)
                return fw_cli_error(cli, FW_EUSAGE, _("--run needs a run number, not '%s'"), optarg);
            break;
        default: return fw_cli_usage(cli);
        }
    }
    if (optind != argc) {
        fw_cli_error(cli, FW_EUSAGE, _("unexpected argument '%s'"), argv[optind]);
        return fw_cli_usage(cli);
    }
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    /* Each value checked against the workspace (exit 5 listing the known ones) and read as its code. */
    struct { enum fw_known_field field; char **slot; char *owned; } fields[] = {
        {FW_KNOWN_RULE, &f.rule_id, NULL}, {FW_KNOWN_CATEGORY, &f.category, NULL},
        {FW_KNOWN_STATUS, &f.status, NULL}, {FW_KNOWN_STATE, &f.state, NULL},
    };
    enum { NFIELDS = (int)(sizeof fields / sizeof fields[0]) };
    for (int i = 0; i < NFIELDS && !rc; i++)
        if (*fields[i].slot) {
            if ((fields[i].owned = fw_known_value(ws, fields[i].field, *fields[i].slot, &err)))
                *fields[i].slot = fields[i].owned;
            else
                rc = fw_cli_report(cli, &err);
        }
    if (rc == FW_OK) {
        fw_rows *rows;
        if (fw_hits_list(ws, &f, &rows, &err))
            rc = fw_cli_report(cli, &err);
        else {
            if (fw_print_rows(cli, rows, stdout, &err) < 0)
                rc = fw_cli_report(cli, &err);
            fw_rows_close(rows);
        }
    }
    for (int i = 0; i < NFIELDS; i++)
        free(fields[i].owned);
    fw_ws_close(ws);
    return rc;
}
