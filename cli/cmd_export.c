/* cmd_export.c: the `export` command: parses the filter and options, calls the export API
 * (export/export.h) and prints what was written. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "audit/i18n.h"
#include "audit/known.h"
#include "export/export.h"

const char usage_export[] =
    N_("usage: fundwatch export FILE.xlsx|FILE.csv [options]\n"
    "       fundwatch export --count [filter options]\n"
    "\n"
    "Writes the leads the filter selects as an Excel workbook (概览 summary with charts, 线索清单\n"
    "leads, 案件 cases, one evidence sheet per --case, 数据来源 provenance) or as a CSV list.\n"
    "The file appears only when complete; the export is recorded in the audit trail.\n"
    "\n"
    "filter (category, status and severity as codes or Chinese labels):\n"
    "  --category C         leads of one category (deceased, official, ...)\n"
    "  --rule ID            leads of one rule (DEC-001)\n"
    "  --status S           case status: new verifying confirmed partly_confirmed dismissed\n"
    "                       rectifying closed, or 待核查 核查中 属实 部分属实 不属实 整改中 已办结\n"
    "  --township T         leads in one township\n"
    "  --severity S         risk level: high, medium or low\n"
    "  --village V          leads in one village\n"
    "  --program P          leads of one fund program\n"
    "  --min-amount Y       amount at risk at least Y yuan (1234.50)\n"
    "  --max-amount Y       amount at risk at most Y yuan\n"
    "  --search Q           name starting with Q, or ID number starting with Q when Q is digits\n"
    "  --all-states         also gone and whitelisted hits (default: present hits only)\n"
    "  --case ID...         these cases only (case numbers or ids); each gets an evidence sheet\n"
    "options:\n"
    "  --format xlsx|csv    output format (default: by FILE's extension, .csv is CSV)\n"
    "  --list leads|cases   which list a CSV holds, or cases for a case-list workbook (default leads)\n"
    "  --mask-ids           ID numbers as 520102********1234\n"
    "  --classification T   footer mark (default: setting export.classification, else 内部资料 注意保密)\n"
    "  --force              replace an existing FILE\n"
    "  --count              print how many leads the filter selects and write nothing\n"
    "  --quiet              no progress on stderr\n"
    "\n"
    "An unknown filter value (a township that does not exist) exits 5 listing the known values.\n"
    "exit codes: 0 written, 2 usage, 4 workspace, 5 unknown case or filter value, 6 FILE exists (use --force),\n"
    "            1 cannot write (directory, disk full), 3 text that is not UTF-8,\n"
    "            130 interrupted (Ctrl-C or SIGTERM; no file is left)\n");

typedef struct export_args {
    fw_hit_filter filter; /* as typed: its strings point into argv */
    fw_export_opts opts;
    enum fw_export_list list;
    const char *file;
    int count_only;
    int quiet;
    const char **cases; /* owned array; strings point into argv */
} export_args;

/* Ctrl-C (or SIGTERM) asks the export to stop at its next progress report, so it can remove its temporary
 * file instead of dying with it on disk. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int report_progress(void *ctx, long long done, long long total)
{
    const int *show = ctx;
    if (*show && total > 0) {
        fputc('\r', stderr);
        fprintf(stderr, _("%lld / %lld leads (%lld%%)"), done, total, done * 100 / total);
    }
    return interrupted;
}

/* The options parse_args reads (for "did you mean" hints; --case takes several words, so the
 * parser is not getopt's). */
static const struct option export_options[] = {
    FW_CLI_FILTER_OPTIONS,
    {"classification", required_argument, NULL, 0}, {"format", required_argument, NULL, 0},
    {"list", required_argument, NULL, 0},           {"mask-ids", no_argument, NULL, 0},
    {"force", no_argument, NULL, 0},                {"count", no_argument, NULL, 0},
    {"quiet", no_argument, NULL, 0},                {NULL, 0, NULL, 0},
};

static int parse_args(fw_cli *cli, export_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc;) {
        const char *arg = argv[i++];
        char *next = i < argc ? argv[i] : NULL;
#define VALUE(dst)                                                                                 \
    do {                                                                                           \
        if (!next)                                                                                 \
            return fw_cli_error(cli, FW_EUSAGE, _("%s needs a value"), arg);                         \
        (dst) = next;                                                                              \
        i++;                                                                                       \
    } while (0)
        bool taken;
        if (fw_cli_filter_option(cli, arg, argc, argv, &i, &a->filter, &a->cases, &taken))
            return FW_EUSAGE;
        if (taken)
            continue;
        if (strcmp(arg, "--classification") == 0)
            VALUE(a->opts.classification);
        else if (strcmp(arg, "--format") == 0) {
            const char *f;
            VALUE(f);
            if (strcmp(f, "xlsx") == 0)
                a->opts.format = FW_EXPORT_XLSX;
            else if (strcmp(f, "csv") == 0)
                a->opts.format = FW_EXPORT_CSV;
            else
                return fw_cli_error(cli, FW_EUSAGE, _("--format must be xlsx or csv, not '%s'"), f);
        } else if (strcmp(arg, "--list") == 0) {
            const char *l;
            VALUE(l);
            if (strcmp(l, "leads") == 0)
                a->list = FW_LIST_LEADS;
            else if (strcmp(l, "cases") == 0)
                a->list = FW_LIST_CASES;
            else
                return fw_cli_error(cli, FW_EUSAGE, _("--list must be leads or cases, not '%s'"), l);
        } else if (strcmp(arg, "--mask-ids") == 0)
            a->opts.mask_ids = 1;
        else if (strcmp(arg, "--force") == 0)
            a->opts.force = 1;
        else if (strcmp(arg, "--count") == 0)
            a->count_only = 1;
        else if (strcmp(arg, "--quiet") == 0)
            a->quiet = 1;
        else if (arg[0] == '-' && arg[1] != '\0')
            return fw_cli_unknown_option(cli, arg, export_options);
        else if (a->file)
            return fw_cli_error(cli, FW_EUSAGE, _("one output file only (got %s and %s)"), a->file, arg);
        else
            a->file = arg;
#undef VALUE
    }
    if (!a->file && !a->count_only)
        return fw_cli_usage(cli);
    return FW_OK;
}

/* main.c takes --format wherever it appears as the global listing option (table|csv|json), so
 * `export --format csv` arrives here as cli->format; --format xlsx is the default anyway. */
static int run_export(fw_cli *cli, fw_ws *ws, export_args *a, const fw_hit_filter *f)
{
    fw_err err = {0};
    if (cli->format == FW_FMT_CSV && a->opts.format == FW_EXPORT_AUTO)
        a->opts.format = FW_EXPORT_CSV;
    else if (cli->format == FW_FMT_JSON)
        return fw_cli_error(cli, FW_EUSAGE, _("an export is xlsx or csv, not json"));
    int rc;
    if (a->count_only) {
        if (fw_xq_check_filter(ws, f, &err))
            return fw_cli_report(cli, &err);
        long long n = fw_xq_count_leads(ws, f, &err);
        if (n < 0)
            return fw_cli_report(cli, &err);
        printf("%lld\n", n);
        return FW_OK;
    }
    int show = !a->quiet && isatty(STDERR_FILENO);
    a->opts.progress = report_progress;
    a->opts.progress_ctx = &show;
    fw_cli_stops stops;
    fw_cli_catch_stops(on_interrupt, &stops);
    fw_export_result res;
    rc = fw_export_list(ws, a->list, f, a->file, &a->opts, &res, &err);
    fw_cli_restore_stops(&stops);
    if (show)
        fputc('\n', stderr);
    if (res.stale_removed)
        fprintf(stderr, "fundwatch export: removed %d temporary file%s left in the folder by exports that were "
                        "killed\n", res.stale_removed, res.stale_removed == 1 ? "" : "s");
    if (rc)
        return fw_cli_report(cli, &err);
    printf(a->list == FW_LIST_CASES ? _("%s: %lld cases, %d sheets, sha256 %s\n")
                                    : _("%s: %lld leads, %d sheets, sha256 %s\n"),
           a->file, res.rows, res.sheets, res.sha256);
    return FW_OK;
}

int cmd_export(fw_cli *cli, int argc, char **argv)
{
    export_args a = {0};
    int rc = parse_args(cli, &a, argc, argv);
    if (rc == FW_OK) {
        fw_ws *ws;
        rc = fw_cli_open(cli, a.count_only ? FW_WS_READ : FW_WS_WRITE, &ws);
        if (rc == FW_OK) {
            /* Every filter value checked against the workspace, in its stored form (the code of a
             * label typed in Chinese): an unknown value is exit 5 listing the known ones. */
            fw_hit_filter f;
            fw_hit_filter_copy(&f, &a.filter);
            fw_err err = {0};
            rc = fw_hit_filter_resolve(ws, &f, &err) ? fw_cli_report(cli, &err) : run_export(cli, ws, &a, &f);
            fw_hit_filter_free(&f);
            fw_ws_close(ws);
        }
    }
    free(a.cases);
    return rc;
}
