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
#include "audit/normalize.h"
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
    fw_hit_filter filter; /* its strings point into argv or at resolved[] */
    fw_export_opts opts;
    enum fw_export_list list;
    const char *file;
    int count_only;
    int quiet;
    const char **cases; /* owned array; strings point into argv */
    char *resolved[7];  /* the filter's values as checked (fw_known_value), owned */
} export_args;

/* Checks every filter value against the workspace and puts the stored form in its place (the code
 * of a label typed in Chinese, the rule id as written in its file): an unknown value is exit 5 with
 * the known ones listed, not an empty export. */
static int resolve_filter(fw_cli *cli, fw_ws *ws, export_args *a)
{
    fw_hit_filter *f = &a->filter;
    struct { enum fw_known_field field; char **slot; } fields[] = {
        {FW_KNOWN_CATEGORY, &f->category}, {FW_KNOWN_RULE, &f->rule_id},   {FW_KNOWN_STATUS, &f->status},
        {FW_KNOWN_TOWNSHIP, &f->township}, {FW_KNOWN_SEVERITY, &f->severity}, {FW_KNOWN_VILLAGE, &f->village},
        {FW_KNOWN_PROGRAM, &f->program},
    };
    fw_err err = {0};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!*fields[i].slot)
            continue;
        if (!(a->resolved[i] = fw_known_value(ws, fields[i].field, *fields[i].slot, &err)))
            return fw_cli_report(cli, &err);
        *fields[i].slot = a->resolved[i];
    }
    return FW_OK;
}

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

/* Takes the words after --case up to the next option. */
static int take_cases(export_args *a, int argc, char **argv, int *i)
{
    while (*i < argc && argv[*i][0] != '-') {
        a->cases = fw_realloc(a->cases, (size_t)(a->filter.ncases + 1) * sizeof *a->cases);
        a->cases[a->filter.ncases++] = argv[(*i)++];
    }
    a->filter.cases = a->cases;
    return a->filter.ncases > 0;
}

/* An amount bound in yuan (1234.50, 1,234.50, ¥1234.50) as fen. */
static int parse_amount(fw_cli *cli, const char *opt, const char *yuan, long long *fen)
{
    char why[FW_WHY_SIZE] = "";
    if (fw_norm_money(yuan, false, fen, why) != FW_NORM_OK)
        return fw_cli_error(cli, FW_EUSAGE, "%s: %s", opt, why);
    return FW_OK;
}

/* The options parse_args reads (for "did you mean" hints; --case takes several words, so the
 * parser is not getopt's). */
static const struct option export_options[] = {
    {"category", required_argument, NULL, 0},  {"rule", required_argument, NULL, 0},
    {"status", required_argument, NULL, 0},    {"township", required_argument, NULL, 0},
    {"severity", required_argument, NULL, 0},  {"village", required_argument, NULL, 0},
    {"program", required_argument, NULL, 0},   {"search", required_argument, NULL, 0},
    {"all-states", no_argument, NULL, 0},      {"min-amount", required_argument, NULL, 0},
    {"max-amount", required_argument, NULL, 0}, {"classification", required_argument, NULL, 0},
    {"case", required_argument, NULL, 0},      {"format", required_argument, NULL, 0},
    {"list", required_argument, NULL, 0},      {"mask-ids", no_argument, NULL, 0},
    {"force", no_argument, NULL, 0},           {"count", no_argument, NULL, 0},
    {"quiet", no_argument, NULL, 0},           {NULL, 0, NULL, 0},
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
        if (strcmp(arg, "--category") == 0)
            VALUE(a->filter.category);
        else if (strcmp(arg, "--rule") == 0)
            VALUE(a->filter.rule_id);
        else if (strcmp(arg, "--status") == 0)
            VALUE(a->filter.status);
        else if (strcmp(arg, "--township") == 0)
            VALUE(a->filter.township);
        else if (strcmp(arg, "--severity") == 0)
            VALUE(a->filter.severity);
        else if (strcmp(arg, "--village") == 0)
            VALUE(a->filter.village);
        else if (strcmp(arg, "--program") == 0)
            VALUE(a->filter.program);
        else if (strcmp(arg, "--search") == 0)
            VALUE(a->filter.search);
        else if (strcmp(arg, "--all-states") == 0)
            a->filter.state = "all";
        else if (strcmp(arg, "--min-amount") == 0 || strcmp(arg, "--max-amount") == 0) {
            const char *yuan = NULL;
            VALUE(yuan);
            int is_min = arg[2] == 'm' && arg[3] == 'i';
            if (parse_amount(cli, arg, yuan, is_min ? &a->filter.min_amount : &a->filter.max_amount))
                return FW_EUSAGE;
            *(is_min ? &a->filter.has_min : &a->filter.has_max) = 1;
        }
        else if (strcmp(arg, "--classification") == 0)
            VALUE(a->opts.classification);
        else if (strcmp(arg, "--case") == 0) {
            if (!take_cases(a, argc, argv, &i))
                return fw_cli_error(cli, FW_EUSAGE, _("--case needs one or more case numbers"));
        } else if (strcmp(arg, "--format") == 0) {
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
static int run_export(fw_cli *cli, fw_ws *ws, export_args *a)
{
    fw_err err = {0};
    if (cli->format == FW_FMT_CSV && a->opts.format == FW_EXPORT_AUTO)
        a->opts.format = FW_EXPORT_CSV;
    else if (cli->format == FW_FMT_JSON)
        return fw_cli_error(cli, FW_EUSAGE, _("an export is xlsx or csv, not json"));
    int rc = resolve_filter(cli, ws, a);
    if (rc)
        return rc;
    if (a->count_only) {
        if (fw_xq_check_filter(ws, &a->filter, &err))
            return fw_cli_report(cli, &err);
        long long n = fw_xq_count_leads(ws, &a->filter, &err);
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
    rc = fw_export_list(ws, a->list, &a->filter, a->file, &a->opts, &res, &err);
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
            rc = run_export(cli, ws, &a);
            fw_ws_close(ws);
        }
    }
    free(a.cases);
    for (size_t i = 0; i < sizeof a.resolved / sizeof a.resolved[0]; i++)
        free(a.resolved[i]);
    return rc;
}
