/* cmd_case.c: the commands `case` (list, show and work cases), `log` (show or verify the audit
 * trail) and `whitelist` (known exceptions). Arguments are parsed here; every rule and every write
 * is in the engine (audit/cases.c, audit/trail.c, audit/whitelist.c), shared with the TUI.
 * Exit codes: 2 the command line cannot be parsed; 3 a value was read but is invalid (amount,
 * date, key, missing field); 5 no such case or entry, or a filter value nothing has; 6 refused by state (illegal transition,
 * changed meanwhile, same reviewer, awaiting review). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "audit/anchor.h"
#include "audit/cases.h"
#include "audit/history.h"
#include "audit/i18n.h"
#include "audit/known.h"
#include "audit/trail.h"
#include "audit/whitelist.h"
#include "cli/cli.h"
#include "export/provenance.h"

const char usage_case[] =
    N_("usage: fundwatch case list [--status S] [--assignee A] [--overdue] [--search TEXT]\n"
    "                           [--township T] [--limit N] [--offset N]\n"
    "       fundwatch case show ID\n"
    "       fundwatch case set ID STATUS [--note T] [--reason R] [--reason-text T]\n"
    "                           [--method online|visit] [--verifier W] [--measures M,...]\n"
    "                           [--to-recover YUAN] [--recovered YUAN] [--expect-version N]\n"
    "       fundwatch case assign ID WHO [--due YYYY-MM-DD] [--expect-version N]\n"
    "       fundwatch case note ID TEXT\n"
    "       fundwatch case approve ID [--reject] [--expect-version N]\n"
    "       fundwatch case review on|off\n"
    "       fundwatch case transitions\n"
    "\n"
    "ID is the case number (FW-2026-000001) or its numeric id.\n"
    "statuses: new 待核查, verifying 核查中, confirmed 属实, partly_confirmed 部分属实,\n"
    "          dismissed 不属实, rectifying 整改中, closed 已办结 (list also takes pending_review);\n"
    "          codes and Chinese labels are both accepted, as for methods, reasons and measures.\n"
    "transitions and the fields each needs: `fundwatch case transitions`.\n"
    "  --method      online (线上核查) or visit (入户核查)\n"
    "  --reason      data_error, allowed_by_policy, already_handled, other (+ --reason-text)\n"
    "  --measures    stop_payment, remove_from_roll, recover_funds, talk, warning, sanction, transfer\n"
    "                (a comma list: \"stop_payment, recover_funds\" or \"停发, 追缴\")\n"
    "  --to-recover, --recovered  amounts in yuan (1234.50, 1,234.5)\n"
    "  --expect-version N  refuse if the case changed since version N (default: the current one)\n"
    "`case review on` makes verdicts (confirmed, partly_confirmed, dismissed) wait for a second user's\n"
    "`case approve`.\n"
    "exit codes: 2 usage, 3 invalid value, 5 no such case or unknown filter value, 6 refused by state\n"
    "or changed meanwhile\n");

const char usage_log[] =
    N_("usage: fundwatch log [--case ID] [--limit N]\n"
    "       fundwatch log verify [--against FILE.xlsx|FILE.csv|FILE|ANCHOR]\n"
    "       fundwatch log anchor\n"
    "\n"
    "Shows the audit trail (oldest first; --limit N shows the newest N), or verifies its hash chain,\n"
    "its stored head and its append-only triggers: exit 0 and the record count and head when intact,\n"
    "exit 3 naming the first broken record.\n"
    "`log anchor` prints the head as one line (workspace, record, hash, local time) to keep outside\n"
    "the workspace: in a register, an e-mail. Every export carries it too (workbook sheet 数据来源;\n"
    "a CSV's FILE.csv.provenance.json). --against also checks that the trail still holds such an\n"
    "anchor, taken from a workbook, a CSV export, a text file of anchor lines, or the line itself:\n"
    "a trail rewritten up to that record fails (exit 3) even when its chain verifies.\n");

const char usage_whitelist[] =
    N_("usage: fundwatch whitelist add ID_NUMBER RULE_ID --reason TEXT [--until YYYY-MM-DD]\n"
    "       fundwatch whitelist list [--all]\n"
    "       fundwatch whitelist remove N\n"
    "       fundwatch whitelist approve N [--reject]\n"
    "\n"
    "An entry makes later rule runs store this person's hits of this rule as 'whitelisted' (shown,\n"
    "not a lead) until the --until day (inclusive). list shows active and pending entries, --all also\n"
    "expired, removed and rejected ones. With `case review on` a new entry is pending until a second\n"
    "user approves it (approve N, or --reject). Every change is recorded in the audit trail.\n");

/* --- shared helpers ----------------------------------------------------------------------------- */

/* Prints the rows and closes them. */
static int print_rows(fw_cli *cli, fw_rows *rows)
{
    fw_err err = {0};
    long n = fw_print_rows(cli, rows, stdout, &err);
    fw_rows_close(rows);
    return n < 0 ? fw_cli_report(cli, &err) : FW_OK;
}

static int parse_count(fw_cli *cli, const char *opt, const char *s, long long *out)
{
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0) {
        fw_cli_error(cli, FW_EUSAGE, _("%s needs a whole number, not '%s'"), opt, s);
        return FW_EUSAGE;
    }
    *out = v;
    return FW_OK;
}

/* Opens the workspace and finds the case named by ref. On failure reports and closes. */
static int open_case(fw_cli *cli, enum fw_ws_mode mode, const char *ref, fw_ws **ws, fw_case *c)
{
    fw_err err = {0};
    int rc = fw_cli_open(cli, mode, ws);
    if (rc)
        return rc;
    if (fw_case_get(*ws, ref, c, &err)) {
        fw_ws_close(*ws);
        *ws = NULL;
        return fw_cli_report(cli, &err);
    }
    return FW_OK;
}

static char *yuan(long long fen)
{
    return fw_printf("%s%lld.%02lld", fen < 0 ? "-" : "", llabs(fen) / 100, llabs(fen) % 100);
}

static const char *zh(const fw_label *table, const char *key)
{
    const fw_label *l = fw_label_find(table, key);
    return l ? l->zh : "";
}

/* --- case list ---------------------------------------------------------------------------------- */

static int case_list(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"status", required_argument, NULL, 's'}, {"assignee", required_argument, NULL, 'a'},
        {"overdue", no_argument, NULL, 'o'},      {"search", required_argument, NULL, 'q'},
        {"township", required_argument, NULL, 't'}, {"limit", required_argument, NULL, 'l'},
        {"offset", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
    };
    fw_case_filter f = {0};
    long long n;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        switch (c) {
        case 's': f.status = optarg; break;
        case 'a': f.assignee = optarg; break;
        case 'o': f.overdue = true; break;
        case 'q': f.search = optarg; break;
        case 't': f.township = optarg; break;
        case 'l': if (parse_count(cli, "--limit", optarg, &n)) return FW_EUSAGE; f.limit = (long)n; break;
        case 'f': if (parse_count(cli, "--offset", optarg, &n)) return FW_EUSAGE; f.offset = (long)n; break;
        default: return fw_cli_usage(cli);
        }
    }
    if (optind != argc)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_err err = {0};
    fw_rows *rows;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    char *status = NULL, *township = NULL;
    if (f.status && !(status = fw_known_value(ws, FW_KNOWN_CASE_STATUS, f.status, &err)))
        rc = fw_cli_report(cli, &err);
    else if (f.township && !(township = fw_known_value(ws, FW_KNOWN_TOWNSHIP, f.township, &err)))
        rc = fw_cli_report(cli, &err);
    else {
        f.status = status ? status : f.status;
        f.township = township ? township : f.township;
        rc = fw_case_list(ws, &f, &rows, &err) ? fw_cli_report(cli, &err) : print_rows(cli, rows);
    }
    free(status);
    free(township);
    fw_ws_close(ws);
    return rc;
}

/* --- case show ---------------------------------------------------------------------------------- */

static void show_line(const char *label, const char *value)
{
    if (value && *value) {
        fputs("  ", stdout);
        fw_cli_pad(stdout, _(label), 16);
        printf(" %s\n", value);
    }
}

/* A stored code (or comma list of codes) as the interface says it: the Chinese labels in Chinese,
 * else the codes (what --method, --reason and --measures take); owned by the caller. */
static char *words_text(const fw_label *table, const char *codes)
{
    if (!codes)
        return NULL;
    fw_buf b = {0};
    char *copy = fw_strdup(codes);
    for (char *save = NULL, *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
        fw_buf_printf(&b, "%s%s", b.len ? (fw_i18n_chinese() ? "、" : ",") : "",
                      fw_i18n_chinese() ? fw_label_show(table, w) : w);
    free(copy);
    return fw_buf_steal(&b);
}

/* A stored UTC time as the person reads it (local time); *buf holds the text. */
static const char *local(const char *stored, char buf[FW_TIME_SIZE])
{
    return stored ? fw_time_local(stored, FW_TIME_MINUTE, buf, FW_TIME_SIZE) : NULL;
}

static void show_case_text(const fw_case *c)
{
    char *to = yuan(c->to_recover), *got = yuan(c->recovered), *amount = yuan(c->amount);
    char *other = c->amount_other ? yuan(c->amount_other) : NULL;
    char created[FW_TIME_SIZE], updated[FW_TIME_SIZE], pending_at[FW_TIME_SIZE];
    char *status = fw_printf("%s%s%s%s", fw_i18n_chinese() ? "" : c->status, fw_i18n_chinese() ? "" : " ",
                             zh(fw_case_statuses, c->status),
                             c->resolved_by_data ? _("  (resolved by data: every hit is gone)") : "");
    char *method = words_text(fw_verify_methods, c->verify_method);
    char *reason = words_text(fw_dismiss_reasons, c->dismiss_reason);
    char *measures = words_text(fw_measures, c->measures);
    char *pending = c->pending_status ? fw_printf(_("%s, asked by %s at %s (needs `case approve` by another user)"),
                                                  fw_label_show(fw_case_statuses, c->pending_status), c->pending_by,
                                                  local(c->pending_at, pending_at))
                                      : NULL;
    char *stat = other ? fw_printf(_("%s (village statistics, hits citing no payment)"), other) : NULL;
    char *hits = fw_printf(_("%lld present of %lld"), c->hits_present, c->hits_total);
    char *period = c->period_from ? fw_printf("%s .. %s", c->period_from, c->period_to ? c->period_to : "") : NULL;
    printf(_("case %s (id %lld, version %lld)\n"), c->case_no, c->id, c->version);
    show_line(N_("status"), status);
    show_line(N_("pending review"), pending);
    show_line(N_("subject"), fw_label_show(fw_subject_kinds, c->subject_kind));
    show_line(N_("name"), c->name);
    show_line(N_("id number"), c->id_number);
    show_line(N_("county"), c->county);
    show_line(N_("township"), c->township);
    show_line(N_("village"), c->village);
    show_line(N_("rules"), c->rules);
    show_line(N_("programs"), c->programs);
    show_line(N_("period"), period);
    show_line(N_("hits"), hits);
    show_line(N_("amount"), amount);
    show_line(N_("not payment-based"), stat);
    show_line(N_("warning date"), local(c->created_at, created));
    show_line(N_("assignee"), c->assignee);
    show_line(N_("received"), c->received_at);
    show_line(N_("due"), c->due_date);
    show_line(N_("method"), method);
    show_line(N_("verifier"), c->verifier);
    show_line(N_("verified"), c->verified_at);
    show_line(N_("conclusion"), c->conclusion);
    show_line(N_("dismiss reason"), reason);
    show_line(N_("reason text"), c->dismiss_text);
    show_line(N_("measures"), measures);
    show_line(N_("to recover"), c->to_recover ? to : NULL);
    show_line(N_("recovered"), c->recovered ? got : NULL);
    show_line(N_("rectified"), c->rectified_at);
    show_line(N_("closed"), c->closed_at);
    show_line(N_("closure note"), c->closure_note);
    show_line(N_("reviewed by"), c->reviewed_by);
    show_line(N_("updated"), local(c->updated_at, updated));
    show_line(N_("updated by"), c->updated_by);
    free(to), free(got), free(amount), free(other), free(stat), free(status), free(pending), free(hits), free(period);
    free(method), free(reason), free(measures);
}

/* "key": money in yuan as a JSON number (283.78), like every money value the CLI prints. */
static void json_yuan(fw_buf *b, const char *key, long long fen)
{
    char *y = yuan(fen);
    if (b->len && b->data[b->len - 1] != '{')
        fw_buf_putc(b, ',');
    fw_json_string(b, key);
    fw_buf_printf(b, ":%s", y);
    free(y);
}

static void show_case_json(const fw_case *c)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "{");
    fw_json_field_int(&b, "id", c->id);
    fw_json_field_str(&b, "case_no", c->case_no);
    fw_json_field_str(&b, "status", c->status);
    fw_json_field_str(&b, "pending_status", c->pending_status);
    fw_json_field_str(&b, "pending_by", c->pending_by);
    fw_json_field_int(&b, "resolved_by_data", c->resolved_by_data);
    fw_json_field_str(&b, "subject_kind", c->subject_kind);
    fw_json_field_str(&b, "name", c->name);
    fw_json_field_str(&b, "id_number", c->id_number);
    fw_json_field_str(&b, "township", c->township);
    fw_json_field_str(&b, "village", c->village);
    fw_json_field_str(&b, "rules", c->rules);
    json_yuan(&b, "amount", c->amount);
    json_yuan(&b, "other_amount", c->amount_other);
    fw_json_field_str(&b, "assignee", c->assignee);
    fw_json_field_str(&b, "due_date", c->due_date);
    fw_json_field_str(&b, "verify_method", c->verify_method);
    fw_json_field_str(&b, "verifier", c->verifier);
    fw_json_field_str(&b, "conclusion", c->conclusion);
    fw_json_field_str(&b, "dismiss_reason", c->dismiss_reason);
    fw_json_field_str(&b, "dismiss_text", c->dismiss_text);
    fw_json_field_str(&b, "measures", c->measures);
    json_yuan(&b, "to_recover", c->to_recover);
    json_yuan(&b, "recovered", c->recovered);
    fw_json_field_str(&b, "closed_at", c->closed_at);
    fw_json_field_int(&b, "version", c->version);
    fw_buf_puts(&b, "}");
    fputs(b.data, stdout);
    fw_buf_free(&b);
}

typedef int (*rows_query)(fw_ws *, long long, fw_rows **, fw_err *);

static void section_heading(fw_cli *cli, const char *name)
{
    if (cli->format == FW_FMT_JSON)
        printf(",\n\"%s\": ", name);
    else
        printf("\n%s%s:\n", cli->format == FW_FMT_CSV ? "# " : "", name);
}

/* One section (hits, notes, history): a heading in table/csv, a member in json. */
static int show_section(fw_cli *cli, fw_ws *ws, long long id, const char *name, rows_query query)
{
    fw_rows *rows;
    fw_err err = {0};
    if (query(ws, id, &rows, &err))
        return fw_cli_report(cli, &err);
    section_heading(cli, name);
    return print_rows(cli, rows);
}

/* The case's history: one line per change in words for people; with the stored records (money in
 * yuan) in csv and json. */
static int case_history_rows(fw_ws *ws, long long id, int brief, fw_rows **rows, fw_err *err)
{
    char *object = fw_printf("case:%lld", id);
    int rc = fw_history_list(ws, object, 0, brief, rows, err);
    free(object);
    return rc;
}

static int case_history_brief(fw_ws *ws, long long id, fw_rows **rows, fw_err *err)
{
    return case_history_rows(ws, id, 1, rows, err);
}

static int case_history_full(fw_ws *ws, long long id, fw_rows **rows, fw_err *err)
{
    return case_history_rows(ws, id, 0, rows, err);
}

static int case_show(fw_cli *cli, int argc, char **argv)
{
    rows_query case_history = cli->format == FW_FMT_TABLE ? case_history_brief : case_history_full;
    if (argc != 2)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_case c;
    int rc = open_case(cli, FW_WS_READ, argv[1], &ws, &c);
    if (rc)
        return rc;
    if (cli->format == FW_FMT_JSON) {
        fputs("{\"case\": ", stdout);
        show_case_json(&c);
    } else {
        show_case_text(&c);
    }
    rc = show_section(cli, ws, c.id, "hits", fw_case_hits);
    if (rc == FW_OK)
        rc = show_section(cli, ws, c.id, "notes", fw_case_notes);
    if (rc == FW_OK)
        rc = show_section(cli, ws, c.id, "history", case_history);
    if (cli->format == FW_FMT_JSON)
        puts("}");
    fw_case_free(&c);
    fw_ws_close(ws);
    return rc;
}

/* --- changes ------------------------------------------------------------------------------------ */

static int parse_money_opt(fw_cli *cli, const char *s, long long *fen)
{
    fw_err err = {0};
    return fw_case_parse_money(s, fen, &err) ? fw_cli_report(cli, &err) : FW_OK;
}

static int case_set(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"note", required_argument, NULL, 'n'},       {"reason", required_argument, NULL, 'r'},
        {"reason-text", required_argument, NULL, 'x'}, {"method", required_argument, NULL, 'm'},
        {"verifier", required_argument, NULL, 'v'},   {"measures", required_argument, NULL, 'M'},
        {"to-recover", required_argument, NULL, 'T'}, {"recovered", required_argument, NULL, 'R'},
        {"expect-version", required_argument, NULL, 'e'}, {NULL, 0, NULL, 0},
    };
    fw_case_change ch = {0};
    long long expect = -1;
    int c, rc;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        switch (c) {
        case 'n': ch.note = optarg; break;
        case 'r': ch.reason = optarg; break;
        case 'x': ch.reason_text = optarg; break;
        case 'm': ch.method = optarg; break;
        case 'v': ch.verifier = optarg; break;
        case 'M': ch.measures = optarg; break;
        case 'T':
            if ((rc = parse_money_opt(cli, optarg, &ch.to_recover)) != FW_OK)
                return rc;
            ch.has_to_recover = true;
            break;
        case 'R':
            if ((rc = parse_money_opt(cli, optarg, &ch.recovered)) != FW_OK)
                return rc;
            ch.has_recovered = true;
            break;
        case 'e': if (parse_count(cli, "--expect-version", optarg, &expect)) return FW_EUSAGE; break;
        default: return fw_cli_usage(cli);
        }
    }
    if (argc - optind != 2)
        return fw_cli_usage(cli);
    ch.to = argv[optind + 1];
    fw_ws *ws;
    fw_case cs;
    fw_err err = {0};
    char *measures = NULL;
    if (fw_case_change_read(&ch, &measures, &err))
        return fw_cli_report(cli, &err);
    if ((rc = open_case(cli, FW_WS_WRITE, argv[optind], &ws, &cs)) != FW_OK) {
        free(measures);
        return rc;
    }
    rc = fw_case_set_status(ws, cs.id, expect >= 0 ? expect : cs.version, &ch, &err);
    if (rc) {
        rc = fw_cli_report(cli, &err);
    } else {
        fw_case now;
        if (fw_case_get_id(ws, cs.id, &now, &err) == FW_OK) {
            if (now.pending_status)
                printf(_("case %s: %s awaits approval by a second user (`fundwatch case approve %s`)\n"),
                       now.case_no, now.pending_status, now.case_no);
            else
                printf(_("case %s: %s -> %s\n"), now.case_no, cs.status, now.status);
            fw_case_free(&now);
        }
    }
    free(measures);
    fw_case_free(&cs);
    fw_ws_close(ws);
    return rc;
}

static int case_assign(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"due", required_argument, NULL, 'd'}, {"expect-version", required_argument, NULL, 'e'}, {NULL, 0, NULL, 0},
    };
    const char *due = NULL;
    long long expect = -1;
    int c, rc;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c == 'd')
            due = optarg;
        else if (c == 'e') {
            if (parse_count(cli, "--expect-version", optarg, &expect))
                return FW_EUSAGE;
        } else
            return fw_cli_usage(cli);
    }
    if (argc - optind != 2)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_case cs;
    fw_err err = {0};
    if ((rc = open_case(cli, FW_WS_WRITE, argv[optind], &ws, &cs)) != FW_OK)
        return rc;
    rc = fw_case_assign(ws, cs.id, expect >= 0 ? expect : cs.version, argv[optind + 1], due, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else
        printf(_("case %s: sent to %s%s%s\n"), cs.case_no, argv[optind + 1], due ? ", due " : "", due ? due : "");
    fw_case_free(&cs);
    fw_ws_close(ws);
    return rc;
}

static int case_note(fw_cli *cli, int argc, char **argv)
{
    int start = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
    if (argc - start != 2)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_case cs;
    fw_err err = {0};
    int rc = open_case(cli, FW_WS_WRITE, argv[start], &ws, &cs);
    if (rc)
        return rc;
    rc = fw_case_add_note(ws, cs.id, argv[start + 1], &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else
        printf(_("case %s: note added\n"), cs.case_no);
    fw_case_free(&cs);
    fw_ws_close(ws);
    return rc;
}

static int case_approve(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"reject", no_argument, NULL, 'r'}, {"expect-version", required_argument, NULL, 'e'}, {NULL, 0, NULL, 0},
    };
    bool reject = false;
    long long expect = -1;
    int c, rc;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c == 'r')
            reject = true;
        else if (c == 'e') {
            if (parse_count(cli, "--expect-version", optarg, &expect))
                return FW_EUSAGE;
        } else
            return fw_cli_usage(cli);
    }
    if (argc - optind != 1)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_case cs;
    fw_err err = {0};
    if ((rc = open_case(cli, FW_WS_WRITE, argv[optind], &ws, &cs)) != FW_OK)
        return rc;
    rc = fw_case_approve(ws, cs.id, expect >= 0 ? expect : cs.version, reject, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else if (reject)
        printf(_("case %s: verdict %s rejected; the case stays %s\n"), cs.case_no, cs.pending_status, cs.status);
    else
        printf(_("case %s: %s -> %s (approved by %s)\n"), cs.case_no, cs.status, cs.pending_status, fw_user());
    fw_case_free(&cs);
    fw_ws_close(ws);
    return rc;
}

static int case_review(fw_cli *cli, int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "on") != 0 && strcmp(argv[1], "off") != 0))
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    rc = fw_trail_set_setting(ws, "review.second", strcmp(argv[1], "on") == 0 ? "1" : "0", &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else
        puts(strcmp(argv[1], "on") == 0 ? _("second reviewer required for verdicts") : _("second reviewer not required"));
    fw_ws_close(ws);
    return rc;
}

static void field_names(unsigned fields, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (unsigned f = 1; f <= FW_CF_RECOVERED && used < n; f <<= 1)
        if (fields & f)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? " " : "", fw_case_field_option(f));
    if (!buf[0])
        snprintf(buf, n, "-");
}

/* The declarative table itself, so users, the TUI and docs/cases.md see one truth. */
static int case_transitions(fw_cli *cli, int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return fw_cli_usage(cli);
    printf("%-17s %-17s %-28s %-52s %s\n", "from", "to", "required", "optional", "second reviewer");
    for (int i = 0; i < fw_ncase_transitions; i++) {
        const fw_transition *t = &fw_case_transitions[i];
        char req[128], opt[128];
        field_names(t->required, req, sizeof req);
        field_names(t->optional, opt, sizeof opt);
        printf("%-17s %-17s %-28s %-52s %s\n", t->from, t->to, req, opt, t->reviewed ? "yes" : "no");
    }
    return FW_OK;
}

int cmd_case(fw_cli *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(fw_cli *, int, char **);
    } subs[] = {
        {"list", case_list},     {"show", case_show},       {"set", case_set},
        {"assign", case_assign}, {"note", case_note},       {"approve", case_approve},
        {"review", case_review}, {"transitions", case_transitions},
    };
    if (argc < 2)
        return fw_cli_usage(cli);
    enum { NSUBS = (int)(sizeof subs / sizeof subs[0]) };
    const char *names[NSUBS + 1] = {0};
    for (int i = 0; i < NSUBS; i++) {
        if (strcmp(argv[1], subs[i].name) == 0) {
            optind = 0; /* 0, not 1: a fresh argument vector, so glibc resets its scan state */
            return subs[i].run(cli, argc - 1, argv + 1);
        }
        names[i] = subs[i].name;
    }
    return fw_cli_unknown_word(cli, _("subcommand"), argv[1], names);
}

/* --- log ---------------------------------------------------------------------------------------- */

/* Checks each anchor `against` holds; returns FW_OK or the first failure's code. */
static int check_anchors(fw_cli *cli, fw_ws *ws, const char *against)
{
    fw_err err = {0};
    fw_anchor *anchors;
    int n;
    if (fw_provenance_read_anchors(ws, against, &anchors, &n, &err))
        return fw_cli_report(cli, &err);
    int rc = FW_OK;
    for (int i = 0; i < n; i++) {
        const fw_anchor *a = &anchors[i];
        if (fw_anchor_check(ws, a, &err) == FW_OK) {
            printf(_("anchor holds: record %lld still has hash %s (anchor taken %s)\n"), a->seq, a->hash,
                   a->at[0] ? a->at : _("at a time not given"));
        } else {
            int e = fw_cli_report(cli, &err);
            rc = rc ? rc : e;
        }
    }
    free(anchors);
    return rc;
}

static int log_verify(fw_cli *cli, const char *against)
{
    fw_ws *ws;
    fw_err err = {0};
    long long checked = 0;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    rc = fw_trail_verify(ws, &checked, &err);
    if (rc) {
        rc = fw_cli_report(cli, &err);
        fprintf(stderr, _("%lld records verified before the break\n"), checked);
    } else {
        long long seq;
        char hash[65];
        fw_trail_head(ws, &seq, hash);
        printf(_("audit trail OK: %lld records verified\nhead: record %lld, hash %s\n"), checked, seq,
               hash[0] ? hash : _("(empty trail)"));
        if (!against)
            printf(_("keep the head outside this file (`fundwatch log anchor` prints it as one line): a later\n"
                     "`log verify --against` that finds the same record with the same hash proves the trail up\n"
                     "to it was not rewritten\n"));
    }
    if (against) {
        int e = check_anchors(cli, ws, against);
        rc = rc ? rc : e;
    }
    fw_ws_close(ws);
    return rc;
}

/* Prints the anchor line of an intact trail; a broken trail gets no anchor (it would vouch for it). */
static int log_anchor(fw_cli *cli)
{
    fw_ws *ws;
    fw_err err = {0};
    long long checked = 0;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_anchor a;
    if (fw_trail_verify(ws, &checked, &err) || fw_anchor_take(ws, &a, &err)) {
        rc = fw_cli_report(cli, &err);
        fprintf(stderr, _("no anchor for a broken trail: run `fundwatch log verify`\n"));
    } else {
        char line[FW_ANCHOR_LINE_MAX];
        fw_anchor_format(&a, line);
        printf("%s\n", line);
    }
    fw_ws_close(ws);
    return rc;
}

int cmd_log(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"case", required_argument, NULL, 'c'}, {"limit", required_argument, NULL, 'l'}, {NULL, 0, NULL, 0},
    };
    if (argc >= 2 && strcmp(argv[1], "verify") == 0) {
        if (argc == 2)
            return log_verify(cli, NULL);
        if (argc == 4 && strcmp(argv[2], "--against") == 0)
            return log_verify(cli, argv[3]);
        if (argc == 3 && strncmp(argv[2], "--against=", 10) == 0)
            return log_verify(cli, argv[2] + 10);
        return fw_cli_usage(cli);
    }
    if (argc >= 2 && strcmp(argv[1], "anchor") == 0)
        return argc == 2 ? log_anchor(cli) : fw_cli_usage(cli);
    const char *case_ref = NULL;
    long long limit = 0;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c == 'c')
            case_ref = optarg;
        else if (c == 'l') {
            if (parse_count(cli, "--limit", optarg, &limit))
                return FW_EUSAGE;
        } else
            return fw_cli_usage(cli);
    }
    if (optind != argc)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_err err = {0};
    int rc;
    fw_rows *rows;
    char *object = NULL;
    if (case_ref) {
        fw_case cs;
        if ((rc = open_case(cli, FW_WS_READ, case_ref, &ws, &cs)) != FW_OK)
            return rc;
        object = fw_printf("case:%lld", cs.id);
        fw_case_free(&cs);
    } else if ((rc = fw_cli_open(cli, FW_WS_READ, &ws)) != FW_OK) {
        return rc;
    }
    /* People read each record in words; csv and json also carry the stored record (money in yuan). */
    rc = fw_history_list(ws, object, (long)limit, cli->format == FW_FMT_TABLE, &rows, &err) ? fw_cli_report(cli, &err)
                                                                                            : print_rows(cli, rows);
    free(object);
    fw_ws_close(ws);
    return rc;
}

/* --- whitelist ---------------------------------------------------------------------------------- */

static int whitelist_add(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"reason", required_argument, NULL, 'r'}, {"until", required_argument, NULL, 'u'}, {NULL, 0, NULL, 0},
    };
    const char *reason = NULL, *until = NULL;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c == 'r')
            reason = optarg;
        else if (c == 'u')
            until = optarg;
        else
            return fw_cli_usage(cli);
    }
    if (argc - optind != 2)
        return fw_cli_usage(cli);
    if (!reason)
        return fw_cli_error(cli, FW_EUSAGE, _("whitelist add needs --reason TEXT (why this is not a lead)"));
    fw_ws *ws;
    fw_err err = {0};
    long long id;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    rc = fw_whitelist_add(ws, argv[optind], argv[optind + 1], reason, until, &id, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else if (fw_case_review_required(ws))
        printf("whitelist entry %lld added; it awaits approval by a second user (`fundwatch whitelist approve %lld`)\n",
               id, id);
    else
        printf(_("whitelist entry %lld added; it takes effect at the next `fundwatch run`\n"), id);
    fw_ws_close(ws);
    return rc;
}

static int whitelist_list(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
    bool all = false;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c != 'a')
            return fw_cli_usage(cli);
        all = true;
    }
    if (optind != argc)
        return fw_cli_usage(cli);
    fw_ws *ws;
    fw_err err = {0};
    fw_rows *rows;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    rc = fw_whitelist_list(ws, all, NULL, &rows, &err) ? fw_cli_report(cli, &err) : print_rows(cli, rows);
    fw_ws_close(ws);
    return rc;
}

static int whitelist_remove(fw_cli *cli, int argc, char **argv)
{
    long long id;
    if (argc != 2)
        return fw_cli_usage(cli);
    if (parse_count(cli, "whitelist remove", argv[1], &id))
        return FW_EUSAGE;
    fw_ws *ws;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    rc = fw_whitelist_remove(ws, id, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else
        printf(_("whitelist entry %lld removed; hits come back at the next `fundwatch run`\n"), id);
    fw_ws_close(ws);
    return rc;
}

static int whitelist_approve(fw_cli *cli, int argc, char **argv)
{
    long long id;
    bool reject = argc == 3 && strcmp(argv[2], "--reject") == 0;
    if (argc != 2 && !reject)
        return fw_cli_usage(cli);
    if (parse_count(cli, "whitelist approve", argv[1], &id))
        return FW_EUSAGE;
    fw_ws *ws;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (rc)
        return rc;
    rc = fw_whitelist_approve(ws, id, reject, &err);
    if (rc)
        rc = fw_cli_report(cli, &err);
    else if (reject)
        printf("whitelist entry %lld rejected by %s; it suppresses nothing\n", id, fw_user());
    else
        printf("whitelist entry %lld approved by %s; it takes effect at the next `fundwatch run`\n", id, fw_user());
    fw_ws_close(ws);
    return rc;
}

int cmd_whitelist(fw_cli *cli, int argc, char **argv)
{
    if (argc < 2)
        return fw_cli_usage(cli);
    optind = 0;
    if (strcmp(argv[1], "add") == 0)
        return whitelist_add(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return whitelist_list(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "remove") == 0)
        return whitelist_remove(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "approve") == 0)
        return whitelist_approve(cli, argc - 1, argv + 1);
    return fw_cli_unknown_word(cli, _("subcommand"), argv[1],
                               (const char *const[]){"add", "list", "remove", "approve", NULL});
}
