/* cmd_orders.c: the `orders` command (docs/orders.md): dispatch cases to a unit as a workbook,
 * receive the filled workbook back, list and show orders, accept answers or send them back. The
 * work is audit/orders.h's; the workbook is export/orders_workbook.h's. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "audit/exportq.h"
#include "audit/i18n.h"
#include "audit/known.h"
#include "audit/orders.h"
#include "export/orders_workbook.h"

const char usage_orders[] =
    N_("usage: fundwatch orders dispatch --to UNIT --due YYYY-MM-DD [--out DIR] [filter options]\n"
    "                                [--sample N --seed S [--by rule,township]]\n"
    "       fundwatch orders receive FILE.xlsx [--evidence-dir DIR]\n"
    "       fundwatch orders list\n"
    "       fundwatch orders show ORDER\n"
    "       fundwatch orders accept ORDER ROW|--all-valid\n"
    "       fundwatch orders send-back ORDER ROW --note TEXT\n"
    "       fundwatch orders cancel ORDER --reason TEXT\n"
    "\n"
    "A verification order (核查工单) sends the cases behind the selected leads to the unit that must\n"
    "check them, as one workbook (ORDER.xlsx in DIR, default the current folder): a cover sheet, one\n"
    "row per case with the facts locked and the answer cells validated, a check code per row. The\n"
    "cases are assigned to the unit with the due date. `receive` reads the returned workbook: rows\n"
    "whose facts were changed are refused, every answer is checked again, valid answers are kept as\n"
    "proposed; only `accept` changes the cases (through the case workflow and its second reviewer).\n"
    "\n"
    "filter (as for export): --category C --rule ID --status S --township T --severity S --village V\n"
    "  --program P --min-amount Y --max-amount Y --search Q --all-states --case ID...\n"
    "sample: --sample N --seed S    N cases drawn at random, reproducibly (the same filter, N and S\n"
    "                               give the same cases); --by rule,township draws N per rule and township\n"
    "receive: --evidence-dir DIR    where the copy of the returned file is kept (default: beside the\n"
    "                               workspace, WORKSPACE.evidence/)\n"
    "\n"
    "exit codes: 0 done, 2 usage, 3 a file that is not an order workbook or was changed, 4 workspace,\n"
    "            5 no such order, case or filter value, 6 refused by state (case closed, in an open order,\n"
    "            row not answered, file exists, order cancelled or with accepted rows)\n");

typedef struct dispatch_args {
    fw_hit_filter filter;
    const char **cases;
    const char *to, *due, *out, *seed, *by;
    long long sample;
} dispatch_args;

static const struct option dispatch_options[] = {
    FW_CLI_FILTER_OPTIONS,
    {"to", required_argument, NULL, 0},     {"due", required_argument, NULL, 0},
    {"out", required_argument, NULL, 0},    {"sample", required_argument, NULL, 0},
    {"seed", required_argument, NULL, 0},   {"by", required_argument, NULL, 0},
    {NULL, 0, NULL, 0},
};

/* The filter options of every lead list (fw_cli_filter_option) and dispatch's own. */
static int parse_dispatch(fw_cli *cli, dispatch_args *a, int argc, char **argv)
{
    for (int i = 1; i < argc;) {
        const char *arg = argv[i++];
        char *next = i < argc ? argv[i] : NULL;
        bool taken;
        if (fw_cli_filter_option(cli, arg, argc, argv, &i, &a->filter, &a->cases, &taken))
            return FW_EUSAGE;
        if (taken)
            continue;
        const char **own = NULL;
        if (strcmp(arg, "--to") == 0)
            own = &a->to;
        else if (strcmp(arg, "--due") == 0)
            own = &a->due;
        else if (strcmp(arg, "--out") == 0)
            own = &a->out;
        else if (strcmp(arg, "--seed") == 0)
            own = &a->seed;
        else if (strcmp(arg, "--by") == 0)
            own = &a->by;
        if (own) {
            if (!next)
                return fw_cli_error(cli, FW_EUSAGE, _("%s needs a value"), arg);
            *own = next;
            i++;
        } else if (strcmp(arg, "--sample") == 0) {
            char *end = NULL;
            a->sample = next ? strtoll(next, &end, 10) : 0;
            if (!next || *end || a->sample <= 0)
                return fw_cli_error(cli, FW_EUSAGE, _("--sample needs a number of cases above 0"));
            i++;
        } else if (arg[0] == '-')
            return fw_cli_unknown_option(cli, arg, dispatch_options);
        else
            return fw_cli_error(cli, FW_EUSAGE, _("unexpected word '%s'"), arg);
    }
    if (!a->to || !a->due)
        return fw_cli_error(cli, FW_EUSAGE, _("dispatch needs --to UNIT and --due YYYY-MM-DD"));
    if ((a->sample > 0) != (a->seed != NULL))
        return fw_cli_error(cli, FW_EUSAGE, _("--sample and --seed go together (the seed makes the sample reproducible)"));
    if (a->by && (strcmp(a->by, "rule,township") != 0 || !a->sample))
        return fw_cli_error(cli, FW_EUSAGE, _("--by takes rule,township, with --sample"));
    return FW_OK;
}

static int orders_dispatch(fw_cli *cli, int argc, char **argv)
{
    dispatch_args a = {0};
    int rc = parse_dispatch(cli, &a, argc, argv);
    if (rc) {
        free(a.cases);
        return rc;
    }
    fw_ws *ws;
    if ((rc = fw_cli_open(cli, FW_WS_WRITE, &ws))) {
        free(a.cases);
        return rc;
    }
    fw_err err = {0};
    fw_hit_filter f;
    fw_hit_filter_copy(&f, &a.filter);
    fw_order_plan plan;
    char *selection = NULL, *path = NULL;
    char sha[65] = "";
    rc = fw_hit_filter_resolve(ws, &f, &err);
    if (!rc)
        rc = fw_xq_check_filter(ws, &f, &err);
    if (!rc) {
        selection = fw_xq_filter_text(&f);
        fw_order_request req = {a.to, a.due, &f, a.sample, a.seed, a.by != NULL, selection};
        fw_order_workbook_target target = {a.out ? a.out : ".", fw_user()};
        rc = fw_order_dispatch(ws, &req, fw_order_workbook_writer, &target, &plan, &path, sha, &err);
    }
    if (!rc) {
        printf(_("%s: order %s to %s, %zu cases, due %s, sha256 %s\n"), path, plan.order_no, plan.unit,
               plan.nlines, plan.due, sha);
        if (plan.skipped[0] + plan.skipped[1] + plan.skipped[2])
            printf(_("left out: %lld closed, %lld with a verdict awaiting a second reviewer, %lld in an order not "
                     "yet settled\n"),
                   plan.skipped[0], plan.skipped[1], plan.skipped[2]);
        fw_order_plan_free(&plan);
    }
    if (rc)
        fw_cli_report(cli, &err);
    free(path);
    free(selection);
    fw_hit_filter_free(&f);
    free(a.cases);
    fw_ws_close(ws);
    return rc;
}

static int orders_receive(fw_cli *cli, int argc, char **argv)
{
    const char *file = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--evidence-dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (argv[i][0] == '-')
            return fw_cli_error(cli, FW_EUSAGE, _("unknown option %s"), argv[i]);
        else if (file)
            return fw_cli_error(cli, FW_EUSAGE, _("one file at a time (got %s and %s)"), file, argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    char *evidence = dir ? fw_strdup(dir) : fw_order_evidence_dir(ws);
    fw_order_receipt r;
    fw_err err = {0};
    rc = fw_order_receive(ws, file, evidence, &r, &err);
    if (rc)
        fw_cli_report(cli, &err);
    else if (r.already)
        printf(_("%s: this file (sha256 %s) was received already for order %s %s; nothing changed\n"), file,
               r.sha256, r.order_no, r.report.data ? r.report.data : "");
    else {
        if (r.report.len)
            fputs(r.report.data, stdout);
        printf(_("%s: order %s: %lld answered (proposed), %lld open, %lld invalid, %lld conflicts, %lld missing, "
                 "%lld inserted; copy kept as %s\n"),
               file, r.order_no, r.answered, r.open, r.invalid, r.conflict, r.missing, r.inserted, r.copy_path);
    }
    fw_order_receipt_free(&r);
    free(evidence);
    fw_ws_close(ws);
    return rc;
}

static int print_query(fw_cli *cli, fw_ws *ws, int (*query)(fw_ws *, const char *, fw_rows **, fw_err *),
                       const char *ref)
{
    fw_rows *rows = NULL;
    fw_err err = {0};
    int rc = query(ws, ref, &rows, &err);
    if (!rc && fw_print_rows(cli, rows, stdout, &err) < 0)
        rc = err.code;
    fw_rows_close(rows);
    return rc ? fw_cli_report(cli, &err) : FW_OK;
}

static int list_query(fw_ws *ws, const char *ref, fw_rows **rows, fw_err *err)
{
    (void)ref;
    return fw_order_list(ws, rows, err);
}

static int orders_list(fw_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    rc = print_query(cli, ws, list_query, NULL);
    fw_ws_close(ws);
    return rc;
}

static int orders_show(fw_cli *cli, int argc, char **argv)
{
    if (argc != 2)
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    rc = print_query(cli, ws, fw_order_header, argv[1]);
    if (!rc) {
        putchar('\n');
        rc = print_query(cli, ws, fw_order_rows, argv[1]);
    }
    fw_ws_close(ws);
    return rc;
}

static int row_number(fw_cli *cli, const char *s, long long *row)
{
    char *end;
    *row = strtoll(s, &end, 10);
    if (*end || *row <= 0)
        return fw_cli_error(cli, FW_EUSAGE, _("ROW is a row number of the order (1, 2, ...), not '%s'"), s);
    return FW_OK;
}

static int orders_accept(fw_cli *cli, int argc, char **argv)
{
    if (argc != 3)
        return fw_cli_usage(cli);
    long long row = 0;
    if (strcmp(argv[2], "--all-valid") != 0 && row_number(cli, argv[2], &row))
        return FW_EUSAGE;
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    fw_buf report = {0};
    long long accepted = 0;
    rc = fw_order_accept(ws, argv[1], row, &accepted, &report, &err);
    if (report.len)
        fputs(report.data, stdout);
    if (rc)
        fw_cli_report(cli, &err);
    else
        printf(_("order %s: %lld answers accepted\n"), argv[1], accepted);
    fw_buf_free(&report);
    fw_ws_close(ws);
    return rc;
}

static int orders_send_back(fw_cli *cli, int argc, char **argv)
{
    const char *note = NULL;
    const char *words[2] = {0};
    int nwords = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--note") == 0 && i + 1 < argc)
            note = argv[++i];
        else if (argv[i][0] == '-' || nwords == 2)
            return fw_cli_usage(cli);
        else
            words[nwords++] = argv[i];
    }
    long long row;
    if (nwords != 2 || !note)
        return fw_cli_usage(cli);
    if (row_number(cli, words[1], &row))
        return FW_EUSAGE;
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    rc = fw_order_send_back(ws, words[0], row, note, &err);
    if (rc)
        fw_cli_report(cli, &err);
    else
        printf(_("order %s row %lld sent back\n"), words[0], row);
    fw_ws_close(ws);
    return rc;
}

/* orders cancel ORDER --reason TEXT: the cases get their assignment back, the order is closed to
 * any later receipt (audit/orders.h fw_order_cancel). */
static int orders_cancel(fw_cli *cli, int argc, char **argv)
{
    const char *reason = NULL, *ref = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reason") == 0 && i + 1 < argc)
            reason = argv[++i];
        else if (argv[i][0] == '-' || ref)
            return fw_cli_usage(cli);
        else
            ref = argv[i];
    }
    if (!ref || !reason)
        return fw_cli_usage(cli);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    fw_err err = {0};
    long long restored = 0, kept = 0;
    rc = fw_order_cancel(ws, ref, reason, &restored, &kept, &err);
    if (rc)
        fw_cli_report(cli, &err);
    else
        printf(_("order %s cancelled: %lld cases given back their assignment before the dispatch, %lld assigned "
                 "elsewhere since kept as they are\n"),
               ref, restored, kept);
    fw_ws_close(ws);
    return rc;
}

int cmd_orders(fw_cli *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(fw_cli *, int, char **);
    } subs[] = {
        {"dispatch", orders_dispatch}, {"receive", orders_receive}, {"list", orders_list},
        {"show", orders_show},         {"accept", orders_accept},   {"send-back", orders_send_back},
        {"cancel", orders_cancel},
    };
    if (argc < 2)
        return fw_cli_usage(cli);
    enum { NSUBS = (int)(sizeof subs / sizeof subs[0]) };
    const char *names[NSUBS + 1] = {0};
    for (int i = 0; i < NSUBS; i++) {
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(cli, argc - 1, argv + 1);
        names[i] = subs[i].name;
    }
    return fw_cli_unknown_word(cli, _("subcommand"), argv[1], names);
}
