/* cases.c: the case workflow (see cases.h): the vocabulary and transition tables, validation,
 * loading and changing one case (each change one transaction with its trail record), the lists the
 * screens page through, and the re-run rules applied after every rule run.
 *
 * Statements go through the store (ws->store, audit/store/store.h), so they run on SQLite and
 * PostgreSQL alike: "user" is quoted (a reserved word in PostgreSQL), conditions are booleans
 * (instr(...) > 0, not a bare integer), times are bound from C rather than taken from strftime, and
 * an update binds only the columns it changes. Where the engines need different SQL (a case's
 * program set, the case number's zero padding, splitting the trail's JSON) a named fw_sql gives
 * each engine its text. */
#include "audit/cases.h"
#include "audit/normalize.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/i18n.h"
#include "audit/money.h"
#include "audit/trail.h"

/* The vocabulary (statuses, methods, reasons, measures) is declared in audit/vocab.h. */

/* --- the workflow ------------------------------------------------------------------------------- */

const fw_transition fw_case_transitions[] = {
    {"new", "verifying", FW_CF_METHOD | FW_CF_VERIFIER, FW_CF_NOTE, false},
    {"verifying", "confirmed", FW_CF_NOTE, 0, true},
    {"verifying", "partly_confirmed", FW_CF_NOTE, 0, true},
    {"verifying", "dismissed", FW_CF_REASON, FW_CF_REASON_TEXT | FW_CF_NOTE, true},
    {"confirmed", "rectifying", FW_CF_MEASURES, FW_CF_TO_RECOVER | FW_CF_RECOVERED | FW_CF_NOTE, false},
    {"partly_confirmed", "rectifying", FW_CF_MEASURES, FW_CF_TO_RECOVER | FW_CF_RECOVERED | FW_CF_NOTE, false},
    {"rectifying", "closed", 0, FW_CF_MEASURES | FW_CF_TO_RECOVER | FW_CF_RECOVERED | FW_CF_NOTE, false},
    {"dismissed", "closed", 0, FW_CF_NOTE, false},
};
const int fw_ncase_transitions = (int)(sizeof fw_case_transitions / sizeof fw_case_transitions[0]);

const char *fw_case_field_option(unsigned field)
{
    switch (field) {
    case FW_CF_NOTE: return "--note";
    case FW_CF_METHOD: return "--method";
    case FW_CF_VERIFIER: return "--verifier";
    case FW_CF_REASON: return "--reason";
    case FW_CF_REASON_TEXT: return "--reason-text";
    case FW_CF_MEASURES: return "--measures";
    case FW_CF_TO_RECOVER: return "--to-recover";
    case FW_CF_RECOVERED: return "--recovered";
    default: return "?";
    }
}

const fw_transition *fw_case_transition(const char *from, const char *to)
{
    for (int i = 0; i < fw_ncase_transitions; i++)
        if (from && to && strcmp(fw_case_transitions[i].from, from) == 0 &&
            strcmp(fw_case_transitions[i].to, to) == 0)
            return &fw_case_transitions[i];
    return NULL;
}

void fw_case_next_statuses(const char *from, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < fw_ncase_transitions && used < n; i++)
        if (strcmp(fw_case_transitions[i].from, from) == 0)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "", fw_case_transitions[i].to);
    if (!buf[0])
        snprintf(buf, n, "none");
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* The fields a change carries (given and not blank; amounts count when given). */
static unsigned given_fields(const fw_case_change *c)
{
    unsigned f = 0;
    f |= c->note ? FW_CF_NOTE : 0;
    f |= c->method ? FW_CF_METHOD : 0;
    f |= c->verifier ? FW_CF_VERIFIER : 0;
    f |= c->reason ? FW_CF_REASON : 0;
    f |= c->reason_text ? FW_CF_REASON_TEXT : 0;
    f |= c->measures ? FW_CF_MEASURES : 0;
    f |= c->has_to_recover ? FW_CF_TO_RECOVER : 0;
    f |= c->has_recovered ? FW_CF_RECOVERED : 0;
    return f;
}

static const char *field_value(const fw_case_change *c, unsigned field)
{
    switch (field) {
    case FW_CF_NOTE: return c->note;
    case FW_CF_METHOD: return c->method;
    case FW_CF_VERIFIER: return c->verifier;
    case FW_CF_REASON: return c->reason;
    case FW_CF_REASON_TEXT: return c->reason_text;
    case FW_CF_MEASURES: return c->measures;
    default: return "amount";
    }
}

/* Every comma-separated word of list must be a measure key; no empty words, no repeats. */
static int check_measures(const char *list, fw_err *err)
{
    char keys[256];
    fw_label_keys(fw_measures, keys, sizeof keys);
    size_t n = strlen(list);
    if (n == 0 || list[0] == ',' || list[n - 1] == ',' || strstr(list, ",,"))
        return fw_fail(err, FW_EDATA, _("--measures '%s' has an empty item; give a comma list such as "
                                      "stop_payment,recover_funds"), list);
    char *copy = fw_strdup(list), *save = NULL;
    const char *seen[16];
    int nseen = 0, rc = FW_OK;
    for (char *w = strtok_r(copy, ",", &save); w && rc == FW_OK; w = strtok_r(NULL, ",", &save)) {
        if (!fw_label_find(fw_measures, w)) {
            rc = fw_fail(err, FW_EDATA, _("unknown measure '%s'; measures are: %s (comma list, no spaces)"), w, keys);
            break;
        }
        for (int i = 0; i < nseen; i++)
            if (strcmp(seen[i], w) == 0)
                rc = fw_fail(err, FW_EDATA, _("measure '%s' is listed twice"), w);
        if (nseen < 16)
            seen[nseen++] = w;
    }
    free(copy);
    return rc;
}

static int check_keys(const fw_case_change *c, fw_err *err)
{
    char keys[256];
    if (c->method && !fw_label_find(fw_verify_methods, c->method)) {
        fw_label_keys(fw_verify_methods, keys, sizeof keys);
        return fw_fail(err, FW_EDATA, _("unknown verification method '%s'; use one of: %s"), c->method, keys);
    }
    if (c->reason && !fw_label_find(fw_dismiss_reasons, c->reason)) {
        fw_label_keys(fw_dismiss_reasons, keys, sizeof keys);
        return fw_fail(err, FW_EDATA, _("unknown dismissal reason '%s'; use one of: %s"), c->reason, keys);
    }
    if (c->reason && strcmp(c->reason, "other") == 0 && blank(c->reason_text))
        return fw_fail(err, FW_EDATA, _("reason 'other' needs the reason written out: add --reason-text TEXT"));
    if (c->measures && check_measures(c->measures, err))
        return err->code;
    if ((c->has_to_recover && c->to_recover < 0) || (c->has_recovered && c->recovered < 0))
        return fw_fail(err, FW_EDATA, _("amounts cannot be negative"));
    return FW_OK;
}

int fw_case_check_field(unsigned field, const char *value, fw_err *err)
{
    fw_case_change c = {0};
    switch (field) {
    case FW_CF_TO_RECOVER: return fw_case_parse_money(value, &c.to_recover, err);
    case FW_CF_RECOVERED: return fw_case_parse_money(value, &c.recovered, err);
    case FW_CF_METHOD: c.method = value; break;
    case FW_CF_REASON: c.reason = value, c.reason_text = "(asked next)"; break;
    case FW_CF_MEASURES: c.measures = value; break;
    default:
        if (blank(value))
            return fw_fail(err, FW_EDATA, _("%s is empty; write something or leave it out"), fw_case_field_option(field));
        return FW_OK;
    }
    if (blank(value))
        return fw_fail(err, FW_EDATA, _("%s is empty; write something or leave it out"), fw_case_field_option(field));
    return check_keys(&c, err);
}

int fw_case_check_change(const char *from, const fw_case_change *c, fw_err *err)
{
    char next[256];
    if (!c->to || !fw_label_find(fw_case_statuses, c->to)) {
        char keys[256];
        fw_label_keys(fw_case_statuses, keys, sizeof keys);
        return fw_fail(err, FW_EDATA, _("unknown status '%s'; statuses are: %s"), c->to ? c->to : "", keys);
    }
    const fw_transition *t = fw_case_transition(from, c->to);
    if (!t) {
        fw_case_next_statuses(from, next, sizeof next);
        return fw_fail(err, FW_ECONFLICT, _("a case that is %s cannot become %s; allowed next: %s"), from,
                       c->to, next);
    }
    unsigned given = given_fields(c);
    char missing[256] = "";
    size_t used = 0;
    for (unsigned f = 1; f <= FW_CF_RECOVERED; f <<= 1) {
        bool empty = f < FW_CF_TO_RECOVER && (given & f) && blank(field_value(c, f));
        if ((t->required & f) && (!(given & f) || empty))
            used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "",
                                     fw_case_field_option(f));
        else if ((given & f) && !((t->required | t->optional) & f))
            return fw_fail(err, FW_EDATA, _("%s does not apply to %s -> %s; nothing was changed"),
                           fw_case_field_option(f), from, c->to);
        else if (empty)
            return fw_fail(err, FW_EDATA, _("%s is empty; write something or leave it out"), fw_case_field_option(f));
    }
    if (missing[0])
        return fw_fail(err, FW_EDATA, _("%s -> %s needs %s; nothing was changed"), from, c->to, missing);
    return check_keys(c, err);
}

int fw_case_change_read(fw_case_change *c, char **measures, fw_err *err)
{
    *measures = NULL;
    const char *code;
    if (c->to && (code = fw_label_code(fw_case_statuses, c->to)))
        c->to = code;
    const struct { const char **slot; const fw_label *table; const char *what; } words[] = {
        {&c->method, fw_verify_methods, N_("verification method")},
        {&c->reason, fw_dismiss_reasons, N_("dismissal reason")},
    };
    /* A blank value is left for fw_case_check_change, which says the field is required or empty. */
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (blank(*words[i].slot))
            continue;
        if (!(code = fw_label_code(words[i].table, *words[i].slot))) {
            char *choices = fw_label_choices(words[i].table);
            fw_fail(err, FW_EDATA, _("unknown %s '%s'; use one of: %s"), _(words[i].what), *words[i].slot, choices);
            free(choices);
            return FW_EDATA;
        }
        *words[i].slot = code;
    }
    if (!blank(c->measures)) {
        if (!(*measures = fw_label_parse_list(fw_measures, _("measure"), c->measures, err)))
            return err->code;
        c->measures = *measures;
    }
    return FW_OK;
}

/* --- input parsing ------------------------------------------------------------------------------ */

/* Amounts typed by an inspector are read like ledger amounts (audit/normalize.h: ¥, 元, 1,234.5,
 * full-width digits, blanks around), never negative. */
int fw_case_parse_money(const char *s, long long *fen, fw_err *err)
{
    const long long max_fen = 1000000000000000LL; /* ¥10 trillion: beyond that a typing error */
    char *copy = fw_strdup(s);
    char why[FW_WHY_SIZE];
    long long v = 0;
    int rc = fw_norm_trim(copy) == 0 ? FW_NORM_BAD : fw_norm_money(copy, false, &v, why);
    free(copy);
    if (rc == FW_NORM_BAD || v >= max_fen)
        return fw_fail(err, FW_EDATA, _("'%s' is not an amount in yuan; write it like 1234.50 or 1,234.5 "
                                      "(at most two decimals, not negative)"), s);
    *fen = v;
    return FW_OK;
}

int fw_case_parse_date(const char *s, fw_err *err)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int ok = s && strlen(s) == 10 && s[4] == '-' && s[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            ok = 0;
    if (ok) {
        int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        ok = y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] + (m == 2 && leap);
    }
    if (!ok)
        return fw_fail(err, FW_EDATA, _("'%s' is not a date; write it as YYYY-MM-DD (a day that exists)"),
                       s ? s : "");
    return FW_OK;
}

/* A failed statement's err already has the store's exit code and its message; the module's own
 * message goes in front of a copy of that message (fw_fail rewrites err->msg), as it went in front
 * of the engine's text before. */
static const char *why_of(const fw_err *err, char *why, size_t n)
{
    snprintf(why, n, "%s", err->msg);
    return why;
}

static void today_local(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* --- loading and writing one case --------------------------------------------------------------- */

/* The stored columns of a case and where they live in fw_case: loading, diffing and writing all
 * walk this one list. */
typedef struct case_column {
    const char *name;
    size_t offset;
    bool is_int;
} case_column;

#define TEXT_COL(f) {#f, offsetof(fw_case, f), false}
#define INT_COL(f) {#f, offsetof(fw_case, f), true}
static const case_column case_columns[] = {
    INT_COL(id), TEXT_COL(case_no), TEXT_COL(subject_kind), TEXT_COL(subject), TEXT_COL(id_number),
    TEXT_COL(name), TEXT_COL(county), TEXT_COL(township), TEXT_COL(village), TEXT_COL(status),
    INT_COL(resolved_by_data), TEXT_COL(assignee), TEXT_COL(received_at), TEXT_COL(due_date),
    TEXT_COL(verify_method), TEXT_COL(verifier), TEXT_COL(verified_at), TEXT_COL(conclusion),
    TEXT_COL(dismiss_reason), TEXT_COL(dismiss_text), TEXT_COL(measures), INT_COL(to_recover),
    INT_COL(recovered), TEXT_COL(rectified_at), TEXT_COL(closed_at), TEXT_COL(closure_note),
    TEXT_COL(pending_status), TEXT_COL(pending_by), TEXT_COL(pending_at), TEXT_COL(reviewed_by),
    TEXT_COL(reviewed_at), TEXT_COL(created_at), TEXT_COL(updated_at), TEXT_COL(updated_by),
    INT_COL(version),
};
enum { NCASE_COLUMNS = (int)(sizeof case_columns / sizeof case_columns[0]) };

/* Columns the diff and the update skip: identity and bookkeeping written by write_case itself. */
static bool is_bookkeeping(const char *name)
{
    return strcmp(name, "id") == 0 || strcmp(name, "version") == 0 || strcmp(name, "updated_at") == 0 ||
           strcmp(name, "updated_by") == 0;
}

static char **text_at(fw_case *c, const case_column *col)
{
    return (char **)((char *)c + col->offset);
}

static long long *int_at(fw_case *c, const case_column *col)
{
    return (long long *)((char *)c + col->offset);
}

static void set_text(char **field, const char *value)
{
    free(*field);
    *field = value ? fw_strdup(value) : NULL;
}

static char *column_dup(fw_stmt *st, int i)
{
    const char *v = fw_stmt_text(st, i);
    return v ? fw_strdup(v) : NULL;
}

void fw_case_free(fw_case *c)
{
    if (!c)
        return;
    for (int i = 0; i < NCASE_COLUMNS; i++)
        if (!case_columns[i].is_int)
            free(*text_at(c, &case_columns[i]));
    free(c->rules);
    free(c->programs);
    free(c->period_from);
    free(c->period_to);
    memset(c, 0, sizeof *c);
}

/* The statements that load a case, built once per process (their text is fixed: the column list and
 * the money CTEs do not change) and prepared once per connection (fw_db_cached): a dispatch or an
 * accept loads thousands of cases, and parsing these statements each time was most of its cost. */
static fw_sql case_by_id_sql = {.name = "cases.by_id"};
static fw_sql case_by_no_sql = {.name = "cases.by_no"};
static fw_sql hit_summary_sql = {.name = "cases.hit_summary"};
static pthread_once_t load_sql_once = PTHREAD_ONCE_INIT;

/* The case's rules, programs (a set), period and money at issue (present hits, each payment once).
 * The programs of every hit's comma list as one set (audit/profile.h fw_program_set: names trimmed,
 * each once, in byte order): on SQLite the host aggregate program_set of
 * audit/store/sqlite_funcs.c, on PostgreSQL the same set written out in SQL here
 * (audit/store/pg_compat.sql has a program_set aggregate too since compatibility version 2). */
static void build_hit_summary_sql(void)
{
    static const char *const program_set_sql[2] = {
        [FW_DB_SQLITE] = "program_set(program)",
        [FW_DB_POSTGRES] = "(SELECT string_agg(DISTINCT p, ',' ORDER BY p) "
                           "FROM (SELECT btrim(u, ' ' || chr(9)) COLLATE \"C\" AS p FROM hits h2, "
                           "unnest(string_to_array(h2.program, ',')) u WHERE h2.case_id = ?1) x WHERE p <> '')",
    };
    char *money = fw_money_ctes("SELECT 0, id FROM hits WHERE case_id = ?1 AND state = 'present'");
    char *text[2];
    for (int e = 0; e < 2; e++)
        text[e] = fw_printf("WITH %s SELECT group_concat(DISTINCT rule_id), %s, "
                            "       min(first_date), max(last_date), "
                            "       COALESCE((SELECT paid FROM fw_money), 0), COALESCE((SELECT other FROM fw_money), 0), "
                            "       COALESCE(sum(CASE WHEN state = 'present' THEN 1 ELSE 0 END), 0), count(*) "
                            "FROM hits WHERE case_id = ?1",
                            money, program_set_sql[e]);
    free(money);
    hit_summary_sql.sql = text[FW_DB_SQLITE];
    hit_summary_sql.postgres = text[FW_DB_POSTGRES];
}

/* SELECT every stored column (case_columns, in order) of one case, by id or by number. */
static void build_load_sql(void)
{
    fw_buf cols = {0};
    for (int i = 0; i < NCASE_COLUMNS; i++)
        fw_buf_printf(&cols, "%s%s", i ? ", " : "", case_columns[i].name);
    case_by_id_sql.sql = fw_printf("SELECT %s FROM cases WHERE id = ?", cols.data);
    case_by_no_sql.sql = fw_printf("SELECT %s FROM cases WHERE case_no = ?", cols.data);
    fw_buf_free(&cols);
    build_hit_summary_sql();
}

static int load_hit_summary(fw_ws *ws, fw_case *c, fw_err *err)
{
    fw_stmt *st;
    char why[sizeof err->msg];
    if (fw_db_cached(ws->store, &hit_summary_sql, &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, c->id);
    int step = fw_stmt_step(st, err);
    if (step == 1) {
        c->rules = column_dup(st, 0);
        c->programs = column_dup(st, 1);
        c->period_from = column_dup(st, 2);
        c->period_to = column_dup(st, 3);
        c->amount = fw_stmt_int64(st, 4);
        c->amount_other = fw_stmt_int64(st, 5);
        c->hits_present = fw_stmt_int64(st, 6);
        c->hits_total = fw_stmt_int64(st, 7);
    }
    fw_stmt_reset(st);
    if (step < 0)
        return fw_fail(err, err->code, _("cannot read case: %s"), why_of(err, why, sizeof why));
    return FW_OK;
}

/* Loads by id (by_no NULL) or by case number; with its hit summary unless bare (a change that only
 * writes the case's own columns, as an order's accept does thousands of times, reads none of it). */
static int load_case_as(fw_ws *ws, long long id, const char *by_no, bool bare, fw_case *out, fw_err *err)
{
    memset(out, 0, sizeof *out);
    pthread_once(&load_sql_once, build_load_sql);
    fw_stmt *st;
    char why[sizeof err->msg];
    int rc = fw_db_cached(ws->store, by_no ? &case_by_no_sql : &case_by_id_sql, &st, err);
    if (rc)
        return rc;
    if (by_no)
        fw_stmt_bind_text(st, 1, by_no, -1);
    else
        fw_stmt_bind_int64(st, 1, id);
    int step = fw_stmt_step(st, err);
    if (step == 1) {
        for (int i = 0; i < NCASE_COLUMNS; i++) {
            if (case_columns[i].is_int)
                *int_at(out, &case_columns[i]) = fw_stmt_int64(st, i);
            else
                *text_at(out, &case_columns[i]) = column_dup(st, i);
        }
    }
    fw_stmt_reset(st);
    if (step != 1) {
        if (step < 0)
            return fw_fail(err, err->code, _("cannot read case: %s"), why_of(err, why, sizeof why));
        if (by_no)
            return fw_fail(err, FW_ENOTFOUND, _("no case %s; `fundwatch case list` shows the cases"), by_no);
        return fw_fail(err, FW_ENOTFOUND, _("no case with id %lld; `fundwatch case list` shows the cases"), id);
    }
    if (bare)
        return FW_OK;
    /* A failed summary (a run's cancel can land here) leaves nothing for the caller to free. */
    rc = load_hit_summary(ws, out, err);
    if (rc)
        fw_case_free(out);
    return rc;
}

static int load_case(fw_ws *ws, long long id, const char *by_no, fw_case *out, fw_err *err)
{
    return load_case_as(ws, id, by_no, false, out, err);
}

int fw_case_get_id_bare(fw_ws *ws, long long id, fw_case *out, fw_err *err)
{
    return load_case_as(ws, id, NULL, true, out, err);
}

int fw_case_get_id(fw_ws *ws, long long id, fw_case *out, fw_err *err)
{
    return load_case(ws, id, NULL, out, err);
}

int fw_case_get(fw_ws *ws, const char *ref, fw_case *out, fw_err *err)
{
    char *end = NULL;
    long long id = ref && *ref ? strtoll(ref, &end, 10) : 0;
    if (ref && *ref && *end == '\0')
        return load_case(ws, id, NULL, out, err);
    return load_case(ws, 0, ref ? ref : "", out, err);
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void json_column(fw_buf *b, fw_case *c, const case_column *col)
{
    if (col->is_int)
        fw_json_field_int(b, col->name, *int_at(c, col));
    else
        fw_json_field_str(b, col->name, *text_at(c, col));
}

/* The refusal when someone changed the case after the user read it: who and when (local time, as
 * screens show times), so the user knows whose work to look at before trying again. `by` and `at`
 * are the case's updated_by and updated_at as they are now. */
static int changed_meanwhile(fw_err *err, const char *case_no, const char *by, const char *at)
{
    char when[FW_TIME_SIZE];
    return fw_fail(err, FW_ECONFLICT,
                   _("case %s was changed meanwhile by %s at %s; reload it and try again: nothing was written"),
                   case_no, by && *by ? by : "?", at && *at ? fw_time_local(at, FW_TIME_MINUTE, when, sizeof when) : "?");
}

/* The same when the UPDATE found the version moved after the case was loaded: on PostgreSQL another
 * session may commit between the load and the UPDATE (read committed; the UPDATE waits for its row
 * lock and then sees the new version). The case is read again for who changed it; the caller's
 * transaction is still usable (a SELECT after an UPDATE that matched no row). */
static int changed_after_load(fw_ws *ws, const fw_case *was, fw_err *err)
{
    fw_case now;
    fw_err ignored = {0};
    if (load_case(ws, was->id, NULL, &now, &ignored) != FW_OK)
        return changed_meanwhile(err, was->case_no, NULL, NULL);
    changed_meanwhile(err, was->case_no, now.updated_by, now.updated_at);
    fw_case_free(&now);
    return err->code;
}

/* write_case's UPDATE for one set of changed columns, the same fw_sql for the same text, so that the
 * connection prepares it once (fw_db_cached): an order's accept writes thousands of cases with the
 * same few shapes. NULL once FW_UPDATE_SHAPES shapes are kept (the caller then prepares it). */
#define FW_UPDATE_SHAPES 64
static const fw_sql *update_shape(const char *text)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static fw_sql shapes[FW_UPDATE_SHAPES];
    static int n;
    const fw_sql *found = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n && !found; i++)
        if (strcmp(shapes[i].sql, text) == 0)
            found = &shapes[i];
    if (!found && n < FW_UPDATE_SHAPES) {
        shapes[n] = (fw_sql){.name = "cases.update", .sql = fw_strdup(text)};
        found = &shapes[n++];
    }
    pthread_mutex_unlock(&lock);
    return found;
}

/* Writes the columns where `now` differs from `was`, bumps the version (only if it is still the one
 * loaded) and appends the trail record: before/after hold the changed columns; `extra` (a JSON
 * member list, may be NULL) is added to after. Call inside a transaction. Only the changed columns
 * are parameters, numbered in order: PostgreSQL cannot type a parameter the statement never uses. */
static int write_case(fw_ws *ws, fw_case *was, fw_case *now, const char *action, const char *extra,
                      fw_err *err)
{
    fw_buf sql = {0}, before = {0}, after = {0};
    const case_column *changed[NCASE_COLUMNS];
    int nchanged = 0;
    fw_buf_puts(&sql, "UPDATE cases SET ");
    fw_buf_puts(&before, "{");
    fw_buf_puts(&after, "{");
    for (int i = 0; i < NCASE_COLUMNS; i++) {
        const case_column *col = &case_columns[i];
        if (is_bookkeeping(col->name))
            continue;
        bool same = col->is_int ? *int_at(was, col) == *int_at(now, col)
                                : same_text(*text_at(was, col), *text_at(now, col));
        if (same)
            continue;
        changed[nchanged++] = col;
        fw_buf_printf(&sql, "%s = ?%d, ", col->name, nchanged);
        json_column(&before, was, col);
        json_column(&after, now, col);
    }
    if (extra && *extra)
        fw_buf_printf(&after, "%s%s", after.len > 1 ? "," : "", extra);
    fw_buf_puts(&before, "}");
    fw_buf_puts(&after, "}");
    fw_buf_printf(&sql, "updated_at = ?%d, updated_by = ?%d, version = version + 1 WHERE id = ?%d AND version = ?%d",
                  nchanged + 1, nchanged + 2, nchanged + 3, nchanged + 4);

    char at[32], why[sizeof err->msg];
    fw_now_iso(at);
    fw_stmt *st = NULL;
    const fw_sql *shape = update_shape(sql.data);
    int rc = shape ? fw_db_cached(ws->store, shape, &st, err) : fw_db_prepare(ws->store, sql.data, &st, err);
    if (rc == FW_OK) {
        for (int i = 0; i < nchanged; i++) {
            if (changed[i]->is_int)
                fw_stmt_bind_int64(st, i + 1, *int_at(now, changed[i]));
            else
                fw_stmt_bind_text(st, i + 1, *text_at(now, changed[i]), -1);
        }
        fw_stmt_bind_text(st, nchanged + 1, at, -1);
        fw_stmt_bind_text(st, nchanged + 2, fw_user(), -1);
        fw_stmt_bind_int64(st, nchanged + 3, was->id);
        fw_stmt_bind_int64(st, nchanged + 4, was->version);
        if (fw_stmt_step(st, err) < 0)
            rc = fw_fail(err, err->code, _("cannot update case %s: %s"), was->case_no, why_of(err, why, sizeof why));
        else if (fw_stmt_changes(st) != 1)
            rc = changed_after_load(ws, was, err);
        if (shape)
            fw_stmt_reset(st);
        else
            fw_stmt_finalize(st);
    }
    if (rc == FW_OK) {
        char object[48];
        snprintf(object, sizeof object, "case:%lld", was->id);
        rc = fw_trail_append(ws, action, object, before.data, after.data, err);
    }
    fw_buf_free(&sql);
    fw_buf_free(&before);
    fw_buf_free(&after);
    return rc;
}

/* A copy of a loaded case that owns its strings: the second copy a change needs (what will be),
 * without reading the case and its hit summary again. */
static void case_copy(fw_case *dst, const fw_case *src)
{
    *dst = *src;
    for (int i = 0; i < NCASE_COLUMNS; i++)
        if (!case_columns[i].is_int) {
            char **t = text_at(dst, &case_columns[i]);
            *t = *t ? fw_strdup(*t) : NULL;
        }
    char **own[] = {&dst->rules, &dst->programs, &dst->period_from, &dst->period_to};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        *own[i] = *own[i] ? fw_strdup(*own[i]) : NULL;
}

/* Loads the case (what was; a copy of it is what will be) inside the caller's transaction and checks
 * that nobody changed it since the user saw it. On failure nothing is allocated. */
static int load_change(fw_ws *ws, long long id, long long seen_version, fw_case *was, fw_case *now, fw_err *err)
{
    if (load_case(ws, id, NULL, was, err))
        return err->code;
    if (was->version != seen_version) {
        changed_meanwhile(err, was->case_no, was->updated_by, was->updated_at);
        fw_case_free(was);
        return err->code;
    }
    case_copy(now, was);
    return FW_OK;
}

static int begin_change(fw_ws *ws, long long id, long long seen_version, fw_case *was, fw_case *now,
                        fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    if (load_change(ws, id, seen_version, was, now, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    return FW_OK;
}

/* Ends a change: commits when rc is OK, else rolls back; frees both copies. */
static int end_change(fw_ws *ws, int rc, fw_case *was, fw_case *now, fw_err *err)
{
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc != FW_OK)
        fw_ws_rollback(ws);
    fw_case_free(was);
    fw_case_free(now);
    return rc;
}

/* Prepared once per connection: an order's accept inserts a note per case. */
static const fw_sql insert_note_sql = {
    .name = "cases.insert_note",
    .sql = "INSERT INTO case_notes(case_id, \"user\", at, text) VALUES (?, ?, ?, ?)",
};

static int insert_note(fw_ws *ws, long long id, const char *text, fw_err *err)
{
    fw_stmt *st;
    char at[32], why[sizeof err->msg];
    fw_now_iso(at);
    if (fw_db_cached(ws->store, &insert_note_sql, &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, id);
    fw_stmt_bind_text(st, 2, fw_user(), -1);
    fw_stmt_bind_text(st, 3, at, -1);
    fw_stmt_bind_text(st, 4, text, -1);
    int rc = fw_stmt_step(st, err) == 0 ? FW_OK
                                        : fw_fail(err, err->code, _("cannot save the note: %s"),
                                                  why_of(err, why, sizeof why));
    fw_stmt_reset(st);
    return rc;
}

bool fw_case_review_required(fw_ws *ws)
{
    char *v = fw_ws_setting(ws, "review.second");
    bool on = v && strcmp(v, "1") == 0;
    free(v);
    return on;
}

static bool is_verdict(const char *status)
{
    return strcmp(status, "confirmed") == 0 || strcmp(status, "partly_confirmed") == 0 ||
           strcmp(status, "dismissed") == 0;
}

/* Writes the change's fields into the case. The note goes where the ledger keeps it: the conclusion
 * of a verdict, the closure note, or (returned in *loose_note) a plain case note. */
static void apply_change(fw_case *now, const fw_case_change *c, const char **loose_note)
{
    char today[11];
    today_local(today);
    *loose_note = NULL;
    if (c->method)
        set_text(&now->verify_method, c->method);
    if (c->verifier)
        set_text(&now->verifier, c->verifier);
    if (is_verdict(c->to)) {
        set_text(&now->verified_at, today);
        set_text(&now->conclusion, c->note);
        set_text(&now->dismiss_reason, c->reason);
        set_text(&now->dismiss_text, c->reason_text);
    } else if (strcmp(c->to, "closed") == 0) {
        set_text(&now->closed_at, today);
        set_text(&now->closure_note, c->note);
    } else {
        *loose_note = c->note;
    }
    if (strcmp(c->to, "rectifying") == 0)
        set_text(&now->rectified_at, today);
    if (c->measures)
        set_text(&now->measures, c->measures);
    if (c->has_to_recover)
        now->to_recover = c->to_recover;
    if (c->has_recovered)
        now->recovered = c->recovered;
}

static int refuse_if_pending(const fw_case *was, fw_err *err)
{
    if (!was->pending_status)
        return FW_OK;
    return fw_fail(err, FW_ECONFLICT,
                   _("case %s has a verdict (%s) awaiting a second reviewer, asked by %s at %s; "
                   "another user must run `fundwatch case approve %s` (or --reject) first"),
                   was->case_no, was->pending_status, was->pending_by, was->pending_at, was->case_no);
}

/* The status change itself, on a case loaded by load_change. */
static int set_status_loaded(fw_ws *ws, long long id, fw_case *was, fw_case *now, const fw_case_change *c,
                             fw_err *err)
{
    int rc = refuse_if_pending(was, err);
    if (rc == FW_OK)
        rc = fw_case_check_change(was->status, c, err);
    if (rc == FW_OK) {
        const fw_transition *t = fw_case_transition(was->status, c->to);
        const char *loose_note;
        apply_change(now, c, &loose_note);
        const char *action = "case.status";
        if (t->reviewed && fw_case_review_required(ws)) {
            char at[32];
            fw_now_iso(at);
            set_text(&now->pending_status, c->to);
            set_text(&now->pending_by, fw_user());
            set_text(&now->pending_at, at);
            action = "case.review_requested";
        } else {
            set_text(&now->status, c->to);
        }
        fw_buf extra = {0};
        if (loose_note) {
            fw_json_field_str(&extra, "note", loose_note);
            rc = insert_note(ws, id, loose_note, err);
        }
        if (rc == FW_OK)
            rc = write_case(ws, was, now, action, extra.data, err);
        fw_buf_free(&extra);
    }
    return rc;
}

int fw_case_set_status(fw_ws *ws, long long id, long long seen_version, const fw_case_change *c, fw_err *err)
{
    fw_case was, now;
    if (begin_change(ws, id, seen_version, &was, &now, err))
        return err->code;
    return end_change(ws, set_status_loaded(ws, id, &was, &now, c, err), &was, &now, err);
}

int fw_case_set_status_loaded_in(fw_ws *ws, fw_case *c, const fw_case_change *change, fw_err *err)
{
    fw_case now;
    case_copy(&now, c);
    int rc = set_status_loaded(ws, c->id, c, &now, change, err);
    if (rc) {
        fw_case_free(&now);
        return rc;
    }
    now.version = c->version + 1; /* write_case required c->version and bumped it */
    set_text(&now.updated_by, fw_user());
    fw_case_free(c);
    *c = now;
    return FW_OK;
}

int fw_case_approve(fw_ws *ws, long long id, long long seen_version, bool reject, fw_err *err)
{
    fw_case was, now;
    if (begin_change(ws, id, seen_version, &was, &now, err))
        return err->code;
    int rc = FW_OK;
    if (!was.pending_status)
        rc = fw_fail(err, FW_ECONFLICT, _("case %s has no verdict awaiting review (status %s)"), was.case_no, was.status);
    else if (strcmp(was.pending_by, fw_user()) == 0 && fw_db_engine(ws->store) != FW_DB_POSTGRES)
        rc = fw_fail(err, FW_ECONFLICT,
                     _("case %s: %s asked for this verdict and cannot also approve it; a different user "
                     "must (--user NAME or $FUNDWATCH_USER)"),
                     was.case_no, fw_user());
    else if (strcmp(was.pending_by, fw_user()) == 0) /* on a server the user is the role that logged in */
        rc = fw_fail(err, FW_ECONFLICT,
                     _("case %s: %s asked for this verdict and cannot also approve it; a different user "
                       "must, logged in as their own role"),
                     was.case_no, fw_user());
    if (rc == FW_OK) {
        char at[32];
        fw_now_iso(at);
        if (reject) {
            /* The verdict's fields were proposed with it; a rejected verdict leaves none behind. */
            set_text(&now.conclusion, NULL);
            set_text(&now.dismiss_reason, NULL);
            set_text(&now.dismiss_text, NULL);
            set_text(&now.verified_at, NULL);
        } else {
            set_text(&now.status, was.pending_status);
        }
        set_text(&now.reviewed_by, fw_user());
        set_text(&now.reviewed_at, at);
        set_text(&now.pending_status, NULL);
        set_text(&now.pending_by, NULL);
        set_text(&now.pending_at, NULL);
        rc = write_case(ws, &was, &now, reject ? "case.review_rejected" : "case.approve", NULL, err);
    }
    return end_change(ws, rc, &was, &now, err);
}

/* The assignment itself, on a case loaded by load_change: refused on a closed case. */
static int assign_loaded(fw_ws *ws, fw_case *was, fw_case *now, const char *assignee, const char *due, fw_err *err)
{
    if (strcmp(was->status, "closed") == 0)
        return fw_fail(err, FW_ECONFLICT, _("case %s is closed; a closed case is not sent out again"), was->case_no);
    char today[11];
    today_local(today);
    set_text(&now->assignee, assignee);
    set_text(&now->received_at, today);
    if (due)
        set_text(&now->due_date, due);
    return write_case(ws, was, now, "case.assign", NULL, err);
}

/* What an assignment must name, checked before any case is read. */
static int check_assignment(const char *assignee, const char *due, fw_err *err)
{
    if (blank(assignee))
        return fw_fail(err, FW_EDATA, _("say who receives the case (a person or a department)"));
    if (due && fw_case_parse_date(due, err))
        return err->code;
    return FW_OK;
}

int fw_case_assign(fw_ws *ws, long long id, long long seen_version, const char *assignee, const char *due,
                   fw_err *err)
{
    if (check_assignment(assignee, due, err))
        return err->code;
    fw_case was, now;
    if (begin_change(ws, id, seen_version, &was, &now, err))
        return err->code;
    return end_change(ws, assign_loaded(ws, &was, &now, assignee, due, err), &was, &now, err);
}

int fw_case_assign_loaded_in(fw_ws *ws, const fw_case *c, const char *assignee, const char *due, fw_err *err)
{
    if (check_assignment(assignee, due, err))
        return err->code;
    fw_case was, now;
    case_copy(&was, c);
    case_copy(&now, c);
    int rc = assign_loaded(ws, &was, &now, assignee, due, err);
    fw_case_free(&was);
    fw_case_free(&now);
    return rc;
}

int fw_case_restore_assignment_loaded_in(fw_ws *ws, const fw_case *c, const char *assignee, const char *received_at,
                                         const char *due, fw_err *err)
{
    fw_case was, now;
    case_copy(&was, c);
    case_copy(&now, c);
    set_text(&now.assignee, assignee);
    set_text(&now.received_at, received_at);
    set_text(&now.due_date, due);
    int rc = write_case(ws, &was, &now, "case.assign", NULL, err);
    fw_case_free(&was);
    fw_case_free(&now);
    return rc;
}

int fw_case_add_note(fw_ws *ws, long long id, const char *text, fw_err *err)
{
    if (blank(text))
        return fw_fail(err, FW_EDATA, _("the note is empty; write what you want to record"));
    if (fw_ws_begin(ws, err))
        return err->code;
    fw_case c;
    int rc = load_case(ws, id, NULL, &c, err);
    if (rc == FW_OK) {
        fw_buf after = {0};
        char object[48];
        snprintf(object, sizeof object, "case:%lld", id);
        fw_buf_puts(&after, "{");
        fw_json_field_str(&after, "note", text);
        fw_buf_puts(&after, "}");
        rc = insert_note(ws, id, text, err);
        if (rc == FW_OK)
            rc = fw_trail_append(ws, "case.note", object, NULL, after.data, err);
        fw_buf_free(&after);
        fw_case_free(&c);
    }
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    return rc;
}

/* --- lists -------------------------------------------------------------------------------------- */

/* ?1 status ?2 assignee ?3 overdue ?4 search ?5 township ?6 today. The money of each case: its
 * present hits, each payment once (audit/money.h); computed for every case in one pass. A text
 * parameter first seen in "IS NULL" is cast there: PostgreSQL cannot tell its type from that. */
#define CASE_MONEY_SETS "SELECT case_id, id FROM hits WHERE case_id IS NOT NULL AND state = 'present'"
#define CASE_WHERE                                                                                          \
    "(CAST(?1 AS TEXT) IS NULL OR c.status = ?1 OR (?1 = 'pending_review' AND c.pending_status IS NOT NULL)) " \
    "  AND (CAST(?2 AS TEXT) IS NULL OR c.assignee = ?2) "                                                   \
    "  AND (?3 = 0 OR (c.due_date < ?6 AND c.status NOT IN ('dismissed', 'closed'))) "                       \
    "  AND (CAST(?4 AS TEXT) IS NULL OR instr(c.case_no, ?4) > 0 OR instr(c.name, ?4) > 0 "                 \
    "       OR instr(c.id_number, ?4) > 0) "                                                                 \
    "  AND (CAST(?5 AS TEXT) IS NULL OR c.township = ?5) "
#define CASE_FROM                                                                                           \
    "FROM cases c LEFT JOIN ("                                                                              \
    "  SELECT case_id, group_concat(DISTINCT rule_id) AS rules, count(*) AS hits "                          \
    "  FROM hits WHERE case_id IS NOT NULL GROUP BY case_id) h ON h.case_id = c.id "                         \
    "LEFT JOIN fw_money m ON m.grp = c.id WHERE " CASE_WHERE

/* "WITH <the money of every case> " + select: the statement text for a case list query. */
static char *with_case_money(const char *select)
{
    char *money = fw_money_ctes(CASE_MONEY_SETS);
    char *sql = fw_printf("WITH %s %s", money, select);
    free(money);
    return sql;
}

/* Prepares sql (a statement over CASE_WHERE, with ?7 limit and ?8 offset when it pages) and binds
 * the filter. No limit is the largest one: PostgreSQL refuses SQLite's LIMIT -1. */
static int bind_filter(fw_ws *ws, const char *sql, const fw_case_filter *f, fw_stmt **st, fw_err *err)
{
    static const fw_case_filter none = {0};
    if (!f)
        f = &none;
    if (f->status && strcmp(f->status, "pending_review") != 0 && !fw_label_find(fw_case_statuses, f->status)) {
        char keys[256];
        fw_label_keys(fw_case_statuses, keys, sizeof keys);
        return fw_fail(err, FW_EDATA, _("unknown status '%s'; use one of: %s, pending_review"), f->status, keys);
    }
    if (f->today && fw_case_parse_date(f->today, err))
        return err->code;
    if (fw_db_prepare(ws->store, sql, st, err))
        return err->code;
    char today[11];
    today_local(today);
    fw_stmt_bind_text(*st, 1, f->status, -1);
    fw_stmt_bind_text(*st, 2, f->assignee, -1);
    fw_stmt_bind_int64(*st, 3, f->overdue);
    fw_stmt_bind_text(*st, 4, f->search && *f->search ? f->search : NULL, -1);
    fw_stmt_bind_text(*st, 5, f->township, -1);
    fw_stmt_bind_text(*st, 6, f->today ? f->today : today, -1);
    if (fw_stmt_param_count(*st) >= 8) {
        fw_stmt_bind_int64(*st, 7, f->limit > 0 ? f->limit : INT64_MAX);
        fw_stmt_bind_int64(*st, 8, f->offset > 0 ? f->offset : 0);
    }
    return FW_OK;
}

int fw_case_list(fw_ws *ws, const fw_case_filter *f, fw_rows **rows, fw_err *err)
{
    fw_stmt *st;
    *rows = NULL;
    char *sql = with_case_money(
        "SELECT c.id, c.case_no, c.status, c.pending_status AS pending, c.name, c.id_number, "
        "       c.township, c.village, h.rules, COALESCE(h.hits, 0) AS hits, "
        "       COALESCE(m.paid, 0) AS amount, c.assignee, c.due_date, "
        "       (c.due_date < ?6 AND c.status NOT IN ('dismissed', 'closed')) AS overdue, "
        "       c.resolved_by_data, c.version, COALESCE(m.other, 0) AS other_amount " CASE_FROM
        "ORDER BY substr(c.created_at, 1, 10) DESC, amount DESC, c.id LIMIT ?7 OFFSET ?8");
    int rc = bind_filter(ws, sql, f, &st, err);
    free(sql);
    if (rc == FW_OK)
        *rows = fw_rows_of(st);
    return rc;
}

int fw_case_list_money(fw_ws *ws, const fw_case_filter *f, fw_money *out, fw_err *err)
{
    /* The listed cases' present hits as one set: a payment behind two cases (a person's and the
     * household's) counts once. */
    char *money = fw_money_ctes("SELECT 0, h.id FROM hits h JOIN cases c ON c.id = h.case_id "
                                "WHERE h.state = 'present' AND " CASE_WHERE);
    char *sql = fw_printf("WITH %s SELECT COALESCE((SELECT paid FROM fw_money), 0), "
                          "COALESCE((SELECT other FROM fw_money), 0), COALESCE((SELECT hits FROM fw_money), 0)",
                          money);
    free(money);
    fw_stmt *st;
    char why[sizeof err->msg];
    int rc = bind_filter(ws, sql, f, &st, err);
    free(sql);
    if (rc)
        return rc;
    *out = (fw_money){0};
    int step = fw_stmt_step(st, err);
    if (step == 1) {
        out->paid = fw_stmt_int64(st, 0);
        out->other = fw_stmt_int64(st, 1);
        out->hits = fw_stmt_int64(st, 2);
        rc = FW_OK;
    } else
        rc = fw_fail(err, step < 0 ? err->code : FW_EWORKSPACE, _("cannot total the cases' money: %s"),
                     step < 0 ? why_of(err, why, sizeof why) : "no row");
    fw_stmt_finalize(st);
    return rc;
}

long long fw_case_count(fw_ws *ws, const fw_case_filter *f, fw_err *err)
{
    fw_stmt *st;
    char why[sizeof err->msg];
    if (bind_filter(ws, "SELECT count(*) FROM cases c WHERE " CASE_WHERE, f, &st, err))
        return -1;
    int step = fw_stmt_step(st, err);
    long long n = step == 1 ? fw_stmt_int64(st, 0) : -1;
    fw_stmt_finalize(st);
    if (n < 0)
        fw_fail(err, step < 0 ? err->code : FW_EWORKSPACE, _("cannot count cases: %s"),
                step < 0 ? why_of(err, why, sizeof why) : "no row");
    return n;
}

int fw_case_hits(fw_ws *ws, long long id, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store,
                        "SELECT id AS hit_id, rule_id, category, severity, state, evidence_changed, program, "
                        "       first_date, last_date, amount, detail "
                        "FROM hits WHERE case_id = ? ORDER BY state = 'present' DESC, rule_id, id",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, id);
    return FW_OK;
}

int fw_case_notes(fw_ws *ws, long long id, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store, "SELECT id, at, \"user\", text FROM case_notes WHERE case_id = ? ORDER BY id",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, id);
    return FW_OK;
}

int fw_case_history(fw_ws *ws, long long id, fw_rows **rows, fw_err *err)
{
    char object[48];
    snprintf(object, sizeof object, "case:%lld", id);
    return fw_trail_list(ws, object, 0, rows, err);
}

/* The trail keeps before/after as JSON objects of the changed fields only; the engine's JSON
 * functions split them so the screen can show field: before -> after without parsing JSON itself.
 * SQLite: json_each, json_extract, json_type; PostgreSQL: jsonb_each_text and jsonb_exists (not the
 * ? operator, which would read as a parameter). Values are text on PostgreSQL, typed on SQLite.
 * The columns are named as cases.h lists them, the same on both engines. */
#define HISTORY_TRAIL                                                                                       \
    "WITH t AS (SELECT seq, at, \"user\", action, COALESCE(before, '{}') AS b, "                            \
    "                  COALESCE(after, '{}') AS a FROM trail WHERE object = ?1) "
#define HISTORY_UNCHANGED                                                                                   \
    "UNION ALL "                                                                                             \
    "SELECT t.seq, t.at, t.\"user\", t.action, NULL, NULL, NULL FROM t "                                    \
    " WHERE t.a = '{}' AND t.b = '{}' "                                                                      \
    "ORDER BY 1, 5"
static const fw_sql history_fields_sql = {
    .name = "cases.history_fields",
    .sql = HISTORY_TRAIL
    "SELECT t.seq, t.at, t.\"user\", t.action, j.key AS field, json_extract(t.b, j.fullkey) AS \"before\", "
    "       j.value AS \"after\" "
    "  FROM t, json_each(t.a) j "
    "UNION ALL "
    "SELECT t.seq, t.at, t.\"user\", t.action, j.key, j.value, NULL FROM t, json_each(t.b) j "
    " WHERE json_type(t.a, j.fullkey) IS NULL " HISTORY_UNCHANGED,
    .postgres = HISTORY_TRAIL
    "SELECT t.seq, t.at, t.\"user\", t.action, j.key AS field, CAST(t.b AS jsonb) ->> j.key AS \"before\", "
    "       j.value AS \"after\" "
    "  FROM t, jsonb_each_text(CAST(t.a AS jsonb)) j "
    "UNION ALL "
    "SELECT t.seq, t.at, t.\"user\", t.action, j.key, j.value, NULL FROM t, jsonb_each_text(CAST(t.b AS jsonb)) j "
    " WHERE NOT jsonb_exists(CAST(t.a AS jsonb), j.key) " HISTORY_UNCHANGED,
};

int fw_case_history_fields(fw_ws *ws, long long id, fw_rows **rows, fw_err *err)
{
    fw_stmt *st;
    *rows = NULL;
    if (fw_db_prepare_named(ws->store, &history_fields_sql, &st, err))
        return err->code;
    char object[48];
    snprintf(object, sizeof object, "case:%lld", id);
    fw_stmt_bind_text(st, 1, object, -1);
    *rows = fw_rows_of(st);
    return FW_OK;
}

int fw_case_assignees(fw_ws *ws, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store,
                        "SELECT assignee, count(*) FROM cases WHERE assignee IS NOT NULL AND assignee <> '' "
                        "GROUP BY assignee ORDER BY assignee",
                        rows, err))
        return err->code;
    return FW_OK;
}

#define CONFIRMED_STATUSES "('confirmed', 'partly_confirmed', 'rectifying', 'closed')"

/* The SQL splitting each row's program set of table `from` (id, program) into one row per program:
 * a list of programs counts under each of its programs, never as a list. */
#define SPLIT_PROGRAMS(name, from)                                                                          \
    name "(id, program, rest) AS (SELECT id, NULL, program || ',' FROM " from " WHERE program <> '' "        \
    "UNION ALL SELECT id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) "        \
    "FROM " name " WHERE rest <> '')"

int fw_case_systemic(fw_ws *ws, enum fw_case_dimension by, fw_rows **rows, fw_err *err)
{
    *rows = NULL;
    if ((int)by < 0 || by >= FW_CD_COUNT_)
        return fw_fail(err, FW_EUSAGE, _("unknown dimension %d for the systemic view"), (int)by);
    /* The present hits of confirmed cases, each under its value(s); the money of each value is that
     * set's (audit/money.h: each payment once). */
    static const char *const sets[FW_CD_COUNT_] = {
        [FW_CD_TOWNSHIP] = "SELECT COALESCE(township, '-'), id FROM sys_hit",
        [FW_CD_VILLAGE] = "SELECT COALESCE(township || ' ' || village, '-'), id FROM sys_hit",
        [FW_CD_PROGRAM] = "SELECT DISTINCT program, id FROM sys_split WHERE program <> ''",
        [FW_CD_RULE] = "SELECT rule_id, id FROM sys_hit",
    };
    /* Cases counted: by their place (also those whose hits are all gone), else under each program or
     * rule of their present hits. */
    static const char *const cases[FW_CD_COUNT_] = {
        [FW_CD_TOWNSHIP] = "SELECT COALESCE(c.township, '-') AS value, count(*) AS cases FROM cases c "
                           "WHERE c.status IN " CONFIRMED_STATUSES " GROUP BY 1",
        [FW_CD_VILLAGE] = "SELECT COALESCE(c.township || ' ' || c.village, '-') AS value, count(*) AS cases "
                          "FROM cases c WHERE c.status IN " CONFIRMED_STATUSES " GROUP BY 1",
        [FW_CD_PROGRAM] = "SELECT s.grp AS value, count(DISTINCT h.case_id) AS cases FROM fw_money_set s "
                          "JOIN sys_hit h ON h.id = s.hit_id GROUP BY 1",
        [FW_CD_RULE] = "SELECT s.grp AS value, count(DISTINCT h.case_id) AS cases FROM fw_money_set s "
                       "JOIN sys_hit h ON h.id = s.hit_id GROUP BY 1",
    };
    char *money = fw_money_ctes(sets[by]);
    /* RECURSIVE: sys_split refers to itself (SQLite allows it without the word, PostgreSQL does not). */
    char *sql = fw_printf("WITH RECURSIVE sys_hit AS MATERIALIZED (SELECT h.id, h.case_id, h.program, h.rule_id, c.township, "
                          "c.village FROM cases c JOIN hits h ON h.case_id = c.id WHERE c.status IN "
                          CONFIRMED_STATUSES " AND h.state = 'present'), " SPLIT_PROGRAMS("sys_split", "sys_hit")
                          ", %s SELECT v.value, v.cases, COALESCE(m.paid, 0) AS amount, "
                          "COALESCE(m.other, 0) AS other_amount FROM (%s) v LEFT JOIN fw_money m ON m.grp = v.value "
                          "ORDER BY cases DESC, amount DESC, value",
                          money, cases[by]);
    free(money);
    int rc = fw_rows_prepare(ws->store, sql, rows, err);
    free(sql);
    return rc ? err->code : FW_OK;
}

/* --- after a rule run --------------------------------------------------------------------------- */

/* One thing a run changed about an existing case's leads. */
typedef struct lead_change {
    long long case_id, hit_id;
    char *rule_id, *detail;
    const char *kind; /* new_hit, evidence_changed, reappeared */
} lead_change;

typedef struct lead_changes {
    lead_change *v;
    size_t n, cap;
} lead_changes;

static void lead_changes_free(lead_changes *lc)
{
    for (size_t i = 0; i < lc->n; i++) {
        free(lc->v[i].rule_id);
        free(lc->v[i].detail);
    }
    free(lc->v);
}

static const char *const change_kinds[] = {"new_hit", "evidence_changed", "reappeared"};

/* Read before the new hits are attached, so "new" still means case_id IS NULL. */
static int collect_lead_changes(fw_ws *ws, long long run_id, lead_changes *lc, fw_err *err)
{
    fw_stmt *st;
    char why[sizeof err->msg];
    if (fw_db_prepare(ws->store,
                      "SELECT c.id, h.id, h.rule_id, h.detail, 0 FROM hits h "
                      "  JOIN cases c ON c.subject_kind = h.subject_kind AND c.subject = h.subject "
                      "  WHERE h.case_id IS NULL AND h.state = 'present' "
                      "UNION ALL "
                      "SELECT h.case_id, h.id, h.rule_id, h.detail, 1 FROM hits h "
                      "  WHERE h.case_id IS NOT NULL AND h.state = 'present' AND h.evidence_changed = 1 "
                      "    AND h.last_run_id = ?1 "
                      "UNION ALL "
                      "SELECT h.case_id, h.id, h.rule_id, h.detail, 2 FROM hits h "
                      "  JOIN cases c ON c.id = h.case_id "
                      "  WHERE c.resolved_by_data = 1 AND h.state = 'present' "
                      "    AND NOT (h.evidence_changed = 1 AND h.last_run_id = ?1) "
                      "ORDER BY 1, 2",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, run_id);
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        if (lc->n == lc->cap) {
            lc->cap = lc->cap ? lc->cap * 2 : 16;
            lc->v = fw_realloc(lc->v, lc->cap * sizeof *lc->v);
        }
        lead_change *c = &lc->v[lc->n++];
        c->case_id = fw_stmt_int64(st, 0);
        c->hit_id = fw_stmt_int64(st, 1);
        c->rule_id = column_dup(st, 2);
        c->detail = column_dup(st, 3);
        c->kind = change_kinds[fw_stmt_int64(st, 4)];
    }
    fw_stmt_finalize(st);
    if (step < 0)
        return fw_fail(err, err->code, _("cannot read the run's hits: %s"), why_of(err, why, sizeof why));
    return FW_OK;
}

/* New cases get a lead number FW-<year>-<6-digit id>, readable on paper and unique. ?1 the user,
 * ?2 the time (UTC, fw_now_iso), ?3 its year. The number is zero-padded by SQLite's printf and by
 * fw_zero_pad of the PostgreSQL compatibility layer (store/pg_compat.sql). */
#define CREATE_CASES_SQL(padded_number)                                                                     \
    "INSERT INTO cases(case_no, subject_kind, subject, id_number, name, township, village, "                \
    "                  created_at, updated_at, updated_by, region_code) "                                   \
    "SELECT 'FW-' || ?3 || '-' || " padded_number ", "                                                      \
    "       h.subject_kind, h.subject, max(h.id_number), max(h.name), max(h.township), max(h.village), "     \
    "       ?2, ?2, ?1, max(h.region_code) "                                                                 \
    "FROM hits h "                                                                                           \
    "WHERE h.case_id IS NULL AND h.state = 'present' "                                                       \
    "  AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.subject_kind = h.subject_kind AND c.subject = h.subject) " \
    "GROUP BY h.subject_kind, h.subject"
#define NEXT_CASE_ID(max_id) "(" max_id ") + row_number() OVER (ORDER BY min(h.id))"
/* On PostgreSQL the cases a user may see are those of their regions (docs/users.md), so the largest
 * case id is asked of fw_case_max_id (migration 7), which counts them all. */
static const fw_sql create_cases_sql = {
    .name = "cases.create",
    .sql = CREATE_CASES_SQL("printf('%06d', " NEXT_CASE_ID("SELECT COALESCE(max(id), 0) FROM cases") ")"),
    .postgres = CREATE_CASES_SQL("fw_zero_pad(" NEXT_CASE_ID("SELECT fw_case_max_id()") ", 6)"),
};

static const char attach_hits_sql[] =
    "UPDATE hits SET case_id = (SELECT c.id FROM cases c "
    "                           WHERE c.subject_kind = hits.subject_kind AND c.subject = hits.subject) "
    "WHERE case_id IS NULL AND state = 'present'";

/* Runs a prepared write to its end; *changed = the rows it wrote. Finalizes st. */
static int run_counted(fw_stmt *st, long long *changed, fw_err *err)
{
    int rc = fw_stmt_step(st, err) == 0 ? FW_OK : err->code;
    *changed = rc == FW_OK ? fw_stmt_changes(st) : 0;
    fw_stmt_finalize(st);
    return rc;
}

static int create_cases(fw_ws *ws, long long *created, fw_err *err)
{
    fw_stmt *st;
    char at[32], year[5];
    fw_now_iso(at);
    snprintf(year, sizeof year, "%.4s", at);
    if (fw_db_prepare_named(ws->store, &create_cases_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, fw_user(), -1);
    fw_stmt_bind_text(st, 2, at, -1);
    fw_stmt_bind_text(st, 3, year, -1);
    return run_counted(st, created, err);
}

static int attach_hits(fw_ws *ws, long long *attached, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store, attach_hits_sql, &st, err))
        return err->code;
    return run_counted(st, attached, err);
}

/* A dismissed or closed case starts over; what was decided stays in the trail record's "before". */
static void reopen(fw_case *now)
{
    char **cleared[] = {&now->verify_method, &now->verifier, &now->verified_at, &now->conclusion,
                        &now->dismiss_reason, &now->dismiss_text, &now->closed_at, &now->closure_note,
                        &now->pending_status, &now->pending_by, &now->pending_at,
                        &now->reviewed_by, &now->reviewed_at};
    for (size_t i = 0; i < sizeof cleared / sizeof cleared[0]; i++)
        set_text(cleared[i], NULL);
    set_text(&now->status, "new");
}

/* Applies the changes v[0..n) (all of one case). *reopened is set when the case was reopened. */
static int apply_lead_changes(fw_ws *ws, const lead_change *v, size_t n, bool *reopened, fw_err *err)
{
    fw_case was, now;
    if (load_case(ws, v[0].case_id, NULL, &was, err))
        return err->code;
    if (load_case(ws, v[0].case_id, NULL, &now, err)) {
        fw_case_free(&was);
        return err->code;
    }
    bool substantive = false; /* a new lead or new evidence, not just a lead seen again */
    fw_buf extra = {0};
    fw_buf_puts(&extra, "\"because\":[");
    for (size_t i = 0; i < n; i++) {
        substantive |= strcmp(v[i].kind, "reappeared") != 0;
        fw_buf_puts(&extra, i ? ",{" : "{");
        fw_json_field_str(&extra, "change", v[i].kind);
        fw_json_field_int(&extra, "hit", v[i].hit_id);
        fw_json_field_str(&extra, "rule", v[i].rule_id);
        fw_json_field_str(&extra, "detail", v[i].detail);
        fw_buf_puts(&extra, "}");
    }
    fw_buf_puts(&extra, "]");
    *reopened = substantive && (strcmp(was.status, "dismissed") == 0 || strcmp(was.status, "closed") == 0);
    if (*reopened)
        reopen(&now);
    now.resolved_by_data = 0;
    int rc = write_case(ws, &was, &now, *reopened ? "case.reopen" : "case.leads", extra.data, err);
    fw_buf_free(&extra);
    fw_case_free(&was);
    fw_case_free(&now);
    return rc;
}

static int apply_all_lead_changes(fw_ws *ws, const lead_changes *lc, long long *touched, long long *reopened,
                                  fw_err *err)
{
    for (size_t i = 0; i < lc->n;) {
        size_t j = i;
        while (j < lc->n && lc->v[j].case_id == lc->v[i].case_id)
            j++;
        bool re = false;
        if (apply_lead_changes(ws, lc->v + i, j - i, &re, err))
            return err->code;
        (*touched)++;
        *reopened += re;
        i = j;
    }
    return FW_OK;
}

/* Cases whose every hit is gone: flagged, never deleted. */
static int mark_resolved_by_data(fw_ws *ws, long long *resolved, fw_err *err)
{
    fw_stmt *st;
    char why[sizeof err->msg];
    if (fw_db_prepare(ws->store,
                      "SELECT c.id, (SELECT group_concat(DISTINCT rule_id) FROM hits WHERE case_id = c.id) "
                      "FROM cases c WHERE c.resolved_by_data = 0 "
                      "  AND EXISTS (SELECT 1 FROM hits h WHERE h.case_id = c.id) "
                      "  AND NOT EXISTS (SELECT 1 FROM hits h WHERE h.case_id = c.id AND h.state <> 'gone')",
                      &st, err))
        return err->code;
    long long *ids = NULL;
    char **rules = NULL;
    size_t n = 0;
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        ids = fw_realloc(ids, (n + 1) * sizeof *ids);
        rules = fw_realloc(rules, (n + 1) * sizeof *rules);
        ids[n] = fw_stmt_int64(st, 0);
        rules[n++] = column_dup(st, 1);
    }
    fw_stmt_finalize(st);
    int rc = step < 0 ? fw_fail(err, err->code, _("cannot read the run's hits: %s"), why_of(err, why, sizeof why))
                      : FW_OK;
    for (size_t i = 0; i < n && rc == FW_OK; i++) {
        fw_case was, now;
        if ((rc = load_case(ws, ids[i], NULL, &was, err)) != FW_OK)
            break;
        if ((rc = load_case(ws, ids[i], NULL, &now, err)) == FW_OK) {
            fw_buf extra = {0};
            fw_json_field_str(&extra, "gone_rules", rules[i]);
            now.resolved_by_data = 1;
            rc = write_case(ws, &was, &now, "case.resolved_by_data", extra.data, err);
            fw_buf_free(&extra);
            fw_case_free(&now);
        }
        fw_case_free(&was);
        (*resolved)++;
    }
    for (size_t i = 0; i < n; i++)
        free(rules[i]);
    free(rules);
    free(ids);
    return rc;
}

int fw_cases_sync(fw_ws *ws, long long run_id, fw_err *err)
{
    lead_changes lc = {0};
    long long created = 0, attached = 0, touched = 0, reopened = 0, resolved = 0;
    int rc = collect_lead_changes(ws, run_id, &lc, err);
    /* Case numbers follow the largest case id: two runs numbering at once (two inspectors on a
     * PostgreSQL workspace) gave the same FW-year-number and the second rule failed on cases'
     * unique key. The trail's lock orders them: this transaction appends to the trail below and
     * would take it then anyway, and one lock cannot be taken in two orders. */
    if (rc == FW_OK)
        rc = fw_db_xact_lock(ws->store, "trail", err);
    if (rc == FW_OK)
        rc = create_cases(ws, &created, err);
    if (rc == FW_OK)
        rc = attach_hits(ws, &attached, err);
    if (rc == FW_OK)
        rc = apply_all_lead_changes(ws, &lc, &touched, &reopened, err);
    if (rc == FW_OK)
        rc = mark_resolved_by_data(ws, &resolved, err);
    lead_changes_free(&lc);
    if (rc == FW_OK) {
        fw_buf after = {0};
        char object[48];
        snprintf(object, sizeof object, "run:%lld", run_id);
        fw_buf_puts(&after, "{");
        fw_json_field_int(&after, "cases_created", created);
        fw_json_field_int(&after, "hits_attached", attached);
        fw_json_field_int(&after, "cases_with_new_leads", touched);
        fw_json_field_int(&after, "cases_reopened", reopened);
        fw_json_field_int(&after, "cases_resolved_by_data", resolved);
        fw_buf_puts(&after, "}");
        rc = fw_trail_append(ws, "cases.sync", object, NULL, after.data, err);
        fw_buf_free(&after);
    }
    return rc;
}
