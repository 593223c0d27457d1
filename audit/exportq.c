/* exportq.c: the queries behind exports (see exportq.h). Every list starts from one filtered set
 * of leads (LEADS_FROM below: the hits of the filter, built by audit/hitfilter.c as for the hit
 * list and the CLI), so the workbook's summary, lead list, case list and provenance all describe
 * exactly the same rows, and the same rows the screen showed.
 *
 * Through the store (audit/store/store.h): no statement of an engine is held here. The provenance
 * sheets read the runs' JSON, which each engine spells its own way: those queries are named fw_sql
 * with a PostgreSQL text. */
#include "audit/exportq.h"
#include "audit/i18n.h"

#include <iniparser.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/cases.h"
#include "audit/dataset.h"
#include "audit/hitfilter.h"
#include "audit/history.h"
#include "audit/known.h"
#include "audit/money.h"
#include "audit/schema.h"
#include "audit/trail.h"
#include "audit/vocab.h"

/* How a stored code is shown: a workbook is read by people, so every code is in Chinese words. */
enum xmap {
    MAP_NONE,
    MAP_STATUS,    /* case status: 待核查 ... */
    MAP_CATEGORY,  /* rule category: 死亡人员 ... */
    MAP_SEVERITY,  /* 高 中 低 */
    MAP_METHOD,    /* verification method: 入户核查 ... */
    MAP_REASON,    /* dismissal reason: 数据错误 ... */
    MAP_MEASURES,  /* comma list of measures: 停发、追缴 */
    MAP_CODE,      /* a category, status or severity, whichever the code is (summary keys) */
    MAP_DATASET,   /* dataset name: 人员信息 ... */
    MAP_ENCODING,  /* utf-8, gb18030 as their standard names */
    MAP_RESULT,    /* run / rule result: 完成 ... */
    MAP_SELECTION, /* what a run was asked: 全部规则, 类别 死亡人员, 规则 DEC-001,DEC-003 */
    /* Read from the rule file the column holds (run_rules.file), for the rule in column 1: the
     * rule text lives in files, not the workspace. */
    MAP_RULE_NAME,
    MAP_RULE_BASIS, /* '(规则文件不可读)' when the file cannot be read */
    /* A trail record in Chinese words (fw_history_what): the column holds the action, the two
     * statement columns after the last shown one hold before and after. In C on both engines. */
    MAP_HISTORY
};

struct fw_xquery {
    fw_ws *ws; /* for MAP_HISTORY */
    fw_stmt *st;
    bool cached;       /* st is the connection's cached copy (fw_db_cached): reset, not finalized */
    int ncols;
    fw_xcol *cols;     /* owned array; labels point at static or dataset strings */
    enum xmap *maps;   /* owned array, one per column */
    char **made;       /* owned: text composed for the current row, one per column (or NULL) */
};

typedef struct coldef {
    const char *label;
    enum fw_xkind kind;
    enum xmap map;
} coldef;

/* --- labels ----------------------------------------------------------------------------------- */

static const char *const encoding_pairs[][2] = {
    {"utf-8", "UTF-8"}, {"utf-8-bom", "UTF-8（带BOM）"}, {"gb18030", "GB18030"}, {"gbk", "GBK"},
};

static const char *lookup(const char *const (*pairs)[2], int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcmp(pairs[i][0], code) == 0)
            return pairs[i][1];
    return code;
}
#define LOOKUP(pairs, code) lookup(pairs, (int)(sizeof pairs / sizeof pairs[0]), code)

/* The Chinese label of a stored code of one of the vocabularies (audit/vocab.h). */
static const char *zh_label(const fw_label *table, const char *key)
{
    return fw_label_zh(table, key);
}

const char *fw_xq_status_label(const char *status)
{
    return status ? zh_label(fw_case_statuses, status) : "";
}

/* The stored code of a vocabulary word typed as code or label; the text itself when unknown
 * (fw_xq_check_filter has refused unknown words before anything is bound). */
static const char *code_of(const fw_label *table, const char *text)
{
    const char *code = fw_label_code(table, text);
    return code ? code : text;
}

/* "stop_payment,recover_funds" -> "停发、追缴". Caller frees. */
static char *measures_text(const char *list)
{
    fw_buf b = {0};
    char *copy = fw_strdup(list), *save = NULL;
    for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save))
        fw_buf_printf(&b, "%s%s", b.len ? "、" : "", zh_label(fw_measures, m));
    free(copy);
    return b.len ? fw_buf_steal(&b) : (fw_buf_free(&b), fw_strdup(""));
}

/* A run's selection (audit/engine.c: all, category=C, only=A,B) in words. Caller frees. */
static char *selection_text(const char *sel)
{
    if (strcmp(sel, "all") == 0)
        return fw_strdup("全部规则");
    if (strncmp(sel, "category=", 9) == 0)
        return fw_printf("类别 %s", zh_label(fw_categories, sel + 9));
    if (strncmp(sel, "only=", 5) == 0)
        return fw_printf("规则 %s", sel + 5);
    return fw_strdup(sel);
}

/* --- the cursor ------------------------------------------------------------------------------- */

/* cached: sql is an fw_sql * read once per connection (fw_db_cached), for the queries run once per
 * case of a dispatch of thousands; else the SQL text, prepared for this query alone. */
static int xq_new_any(fw_ws *ws, const void *sql, bool cached, const coldef *defs, int ncols, fw_xquery **out,
                      fw_err *err)
{
    *out = NULL;
    fw_stmt *st;
    if (cached ? fw_db_cached(ws->store, sql, &st, err) : fw_db_prepare(ws->store, sql, &st, err))
        return err->code;
    fw_xquery *q = fw_calloc(1, sizeof *q);
    q->ws = ws;
    q->st = st;
    q->cached = cached;
    q->ncols = ncols;
    q->cols = fw_calloc((size_t)ncols, sizeof *q->cols);
    q->maps = fw_calloc((size_t)ncols, sizeof *q->maps);
    q->made = fw_calloc((size_t)ncols, sizeof *q->made);
    for (int i = 0; i < ncols; i++) {
        q->cols[i].label = defs[i].label;
        q->cols[i].kind = defs[i].kind;
        q->maps[i] = defs[i].map;
    }
    *out = q;
    return FW_OK;
}

static int xq_new(fw_ws *ws, const char *sql, const coldef *defs, int ncols, fw_xquery **out, fw_err *err)
{
    return xq_new_any(ws, sql, false, defs, ncols, out, err);
}

int fw_xq_step(fw_xquery *q, fw_err *err)
{
    int rc = fw_stmt_step(q->st, err);
    if (rc >= 0)
        return rc;
    char detail[sizeof err->msg];
    snprintf(detail, sizeof detail, "%s", err->msg);
    fw_fail(err, FW_EWORKSPACE, _("reading the workspace: %s"), detail);
    return -1;
}

int fw_xq_ncols(const fw_xquery *q) { return q->ncols; }
const fw_xcol *fw_xq_col(const fw_xquery *q, int i) { return &q->cols[i]; }
long long fw_xq_int(fw_xquery *q, int i) { return fw_stmt_int64(q->st, i); }
double fw_xq_real(fw_xquery *q, int i) { return fw_stmt_double(q->st, i); }

/* Keeps text composed for cell i of the current row (freed at the next row). */
static const char *made(fw_xquery *q, int i, char *text)
{
    free(q->made[i]);
    q->made[i] = text;
    return text;
}

/* rule_meta(file, rule_id, key): the key's value in the rule's section of its INI file, or NULL
 * (caller frees). Rule text lives in files, not the workspace; run_rules records which file a run
 * loaded. */
static char *rule_meta(const char *file, const char *rule, const char *key)
{
    if (!file || !rule)
        return NULL;
    dictionary *d = access(file, R_OK) == 0 ? iniparser_load(file) : NULL;
    if (!d)
        return NULL;
    char *lookup_key = fw_printf("%s:%s", rule, key);
    for (char *p = lookup_key; *p; p++) /* iniparser lower-cases section and key names */
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    const char *v = iniparser_getstring(d, lookup_key, NULL);
    char *out = v ? fw_strdup(v) : NULL;
    free(lookup_key);
    iniparser_freedict(d);
    return out;
}

const char *fw_xq_text(fw_xquery *q, int i)
{
    const char *s = fw_stmt_text(q->st, i);
    if (q->maps[i] == MAP_RULE_NAME)
        return made(q, i, rule_meta(s, fw_stmt_text(q->st, 1), "name"));
    if (q->maps[i] == MAP_RULE_BASIS) {
        char *basis = rule_meta(s, fw_stmt_text(q->st, 1), "basis");
        return made(q, i, basis ? basis : fw_strdup("(规则文件不可读)"));
    }
    if (q->maps[i] == MAP_HISTORY) {
        /* Copies: reading the JSON runs statements of its own. */
        char *action = s ? fw_strdup(s) : NULL;
        char *before = fw_stmt_is_null(q->st, q->ncols) ? NULL : fw_strdup(fw_stmt_text(q->st, q->ncols));
        char *after = fw_stmt_is_null(q->st, q->ncols + 1) ? NULL : fw_strdup(fw_stmt_text(q->st, q->ncols + 1));
        char *what = fw_history_what(q->ws, action, before, after, FW_WORDS_ZH);
        free(action);
        free(before);
        free(after);
        return made(q, i, what);
    }
    if (!s)
        return NULL;
    switch (q->maps[i]) {
    case MAP_STATUS: return zh_label(fw_case_statuses, s);
    case MAP_CATEGORY: return zh_label(fw_categories, s);
    case MAP_SEVERITY: return zh_label(fw_severities, s);
    case MAP_METHOD: return zh_label(fw_verify_methods, s);
    case MAP_REASON: return zh_label(fw_dismiss_reasons, s);
    case MAP_MEASURES: return made(q, i, measures_text(s));
    case MAP_CODE: {
        const char *c = zh_label(fw_categories, s);
        if (c == s)
            c = zh_label(fw_case_statuses, s);
        return c == s ? zh_label(fw_severities, s) : c;
    }
    case MAP_DATASET: {
        const fw_dataset *ds = fw_dataset_find(s);
        return ds ? ds->label_zh : s;
    }
    case MAP_ENCODING: return LOOKUP(encoding_pairs, s);
    case MAP_RESULT: return zh_label(fw_run_statuses, s);
    case MAP_SELECTION: return made(q, i, selection_text(s));
    default: return s;
    }
}

int fw_xq_is_null(fw_xquery *q, int i)
{
    if (q->maps[i] == MAP_RULE_NAME || q->maps[i] == MAP_RULE_BASIS || q->maps[i] == MAP_HISTORY)
        return fw_xq_text(q, i) == NULL;
    return fw_stmt_is_null(q->st, i);
}

void fw_xq_close(fw_xquery *q)
{
    if (!q)
        return;
    if (q->cached)
        fw_stmt_reset(q->st);
    else
        fw_stmt_finalize(q->st);
    for (int i = 0; i < q->ncols; i++)
        free(q->made[i]);
    free(q->made);
    free(q->cols);
    free(q->maps);
    free(q);
}

/* --- the filter ------------------------------------------------------------------------------- */

/* The filtered leads, as a FROM ... WHERE tail: the token that xq_filtered replaces by the hits of
 * the filter (audit/hitfilter.h), whose conditions end it, so more may follow (" AND ..."). A query
 * names it once; the filter's parameters are then the query's only ones. */
#define LEADS_FROM " @LEADS@"

int fw_xq_case_ids(fw_ws *ws, const fw_hit_filter *f, long long **ids, int *n, fw_err *err)
{
    return fw_hit_filter_case_ids(ws, f, ids, n, err);
}

int fw_xq_check_filter(fw_ws *ws, const fw_hit_filter *f, fw_err *err)
{
    const struct { enum fw_known_field field; const char *value; } fields[] = {
        {FW_KNOWN_CATEGORY, f->category}, {FW_KNOWN_RULE, f->rule_id},   {FW_KNOWN_STATUS, f->status},
        {FW_KNOWN_TOWNSHIP, f->township}, {FW_KNOWN_SEVERITY, f->severity}, {FW_KNOWN_VILLAGE, f->village},
        {FW_KNOWN_PROGRAM, f->program},   {FW_KNOWN_STATE, f->state},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!fields[i].value || !*fields[i].value)
            continue;
        char *known = fw_known_value(ws, fields[i].field, fields[i].value, err);
        if (!known)
            return err->code;
        free(known);
    }
    long long *ids;
    int n;
    if (fw_xq_case_ids(ws, f, &ids, &n, err))
        return err->code;
    free(ids);
    return FW_OK;
}

/* Prepares a query naming LEADS_FROM once, with the hits of the filter in its place, and binds the
 * filter; closes it again on failure. */
static int xq_filtered(fw_ws *ws, const fw_hit_filter *f, const char *sql, const coldef *defs,
                       int ncols, fw_xquery **out, fw_err *err)
{
    *out = NULL;
    fw_hit_where w;
    if (fw_hit_where_build(ws, f, 0, &w, err))
        return err->code;
    const char *at = strstr(sql, "@LEADS@");
    char *full = fw_printf("%.*s" FW_HITS_FROM " WHERE 1 = 1%s%s", (int)(at - sql), sql, w.sql.data,
                           at + strlen("@LEADS@"));
    int rc = xq_new(ws, full, defs, ncols, out, err);
    free(full);
    if (rc == FW_OK)
        fw_hit_where_bind(&w, (*out)->st, 1);
    fw_hit_where_free(&w);
    return rc;
}

char *fw_xq_filter_text(const fw_hit_filter *f)
{
    fw_buf b = {0};
    if (f->category)
        fw_buf_printf(&b, "类别=%s ", zh_label(fw_categories, code_of(fw_categories, f->category)));
    if (f->rule_id)
        fw_buf_printf(&b, "规则=%s ", f->rule_id);
    if (f->status)
        fw_buf_printf(&b, "状态=%s ", fw_xq_status_label(code_of(fw_case_statuses, f->status)));
    if (f->township)
        fw_buf_printf(&b, "乡镇=%s ", f->township);
    if (f->severity)
        fw_buf_printf(&b, "风险等级=%s ", zh_label(fw_severities, code_of(fw_severities, f->severity)));
    if (f->village)
        fw_buf_printf(&b, "行政村=%s ", f->village);
    if (f->program)
        fw_buf_printf(&b, "项目=%s ", f->program);
    if (f->has_min)
        fw_buf_printf(&b, "金额>=%lld.%02lld元 ", f->min_amount / 100, f->min_amount % 100);
    if (f->has_max)
        fw_buf_printf(&b, "金额<=%lld.%02lld元 ", f->max_amount / 100, f->max_amount % 100);
    if (f->search && *f->search)
        fw_buf_printf(&b, "搜索=%s ", f->search);
    if (fw_hit_filter_all_states(f))
        fw_buf_puts(&b, "含已消失和白名单线索 ");
    else if (f->state && *f->state)
        fw_buf_printf(&b, "线索状态=%s ", zh_label(fw_hit_states, code_of(fw_hit_states, f->state)));
    if (f->run_id)
        fw_buf_printf(&b, "运行=%lld ", f->run_id);
    for (int i = 0; i < f->ncases; i++)
        fw_buf_printf(&b, "%s%s%s", i ? "," : "案件=", f->cases[i], i + 1 == f->ncases ? " " : "");
    if (b.len == 0)
        fw_buf_puts(&b, "全部线索");
    else
        b.data[--b.len] = '\0';
    return fw_buf_steal(&b);
}

static void json_member(fw_buf *b, const char *key, const char *value)
{
    if (!value)
        return;
    if (b->len > 1)
        fw_buf_putc(b, ',');
    fw_json_string(b, key);
    fw_buf_putc(b, ':');
    fw_json_string(b, value);
}

/* An amount bound in fen, as a JSON number. */
static void json_amount(fw_buf *b, const char *key, int set, long long fen)
{
    if (!set)
        return;
    if (b->len > 1)
        fw_buf_putc(b, ',');
    fw_json_string(b, key);
    fw_buf_printf(b, ":%lld", fen);
}

char *fw_xq_filter_json(const fw_hit_filter *f)
{
    fw_buf b = {0};
    fw_buf_putc(&b, '{');
    json_member(&b, "category", f->category ? code_of(fw_categories, f->category) : NULL);
    json_member(&b, "rule", f->rule_id);
    json_member(&b, "status", f->status ? code_of(fw_case_statuses, f->status) : NULL);
    json_member(&b, "township", f->township);
    json_member(&b, "severity", f->severity ? code_of(fw_severities, f->severity) : NULL);
    json_member(&b, "village", f->village);
    json_member(&b, "program", f->program);
    json_member(&b, "search", f->search && *f->search ? f->search : NULL);
    json_amount(&b, "min_amount", f->has_min, f->min_amount);
    json_amount(&b, "max_amount", f->has_max, f->max_amount);
    json_member(&b, "states", f->state && *f->state ? code_of(fw_hit_states, f->state) : NULL);
    if (f->run_id) {
        if (b.len > 1)
            fw_buf_putc(&b, ',');
        fw_buf_printf(&b, "\"run\":%lld", f->run_id);
    }
    if (f->ncases > 0) {
        if (b.len > 1)
            fw_buf_putc(&b, ',');
        fw_buf_puts(&b, "\"cases\":[");
        for (int i = 0; i < f->ncases; i++) {
            if (i)
                fw_buf_putc(&b, ',');
            fw_json_string(&b, f->cases[i]);
        }
        fw_buf_putc(&b, ']');
    }
    fw_buf_putc(&b, '}');
    return fw_buf_steal(&b);
}

/* --- the lists -------------------------------------------------------------------------------- */

long long fw_xq_count_leads(fw_ws *ws, const fw_hit_filter *f, fw_err *err)
{
    static const coldef defs[] = {{"线索数", FW_XK_INT, MAP_NONE}};
    fw_xquery *q;
    if (xq_filtered(ws, f, "SELECT count(*)" LEADS_FROM, defs, 1, &q, err))
        return -1;
    long long n = fw_xq_step(q, err) == 1 ? fw_xq_int(q, 0) : -1;
    fw_xq_close(q);
    return n;
}

int fw_xq_leads(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"线索号", FW_XK_INT, MAP_NONE},      {"规则编号", FW_XK_TEXT, MAP_NONE},
        {"类别", FW_XK_TEXT, MAP_CATEGORY},   {"风险等级", FW_XK_TEXT, MAP_SEVERITY},
        {"姓名", FW_XK_TEXT, MAP_NONE},       {"公民身份号码", FW_XK_ID, MAP_NONE},
        {"户编号", FW_XK_TEXT, MAP_NONE},     {"乡镇", FW_XK_TEXT, MAP_NONE},
        {"行政村", FW_XK_TEXT, MAP_NONE},     {"项目名称", FW_XK_TEXT, MAP_NONE},
        {"涉及金额(元)", FW_XK_MONEY, MAP_NONE}, {"起始日期", FW_XK_DATE, MAP_NONE},
        {"截止日期", FW_XK_DATE, MAP_NONE},   {"疑点描述", FW_XK_LONGTEXT, MAP_NONE},
        {"案件编号", FW_XK_TEXT, MAP_NONE},   {"状态", FW_XK_TEXT, MAP_STATUS},
        {"承办人", FW_XK_TEXT, MAP_NONE},
    };
    return xq_filtered(ws, f,
                       "SELECT h.id, h.rule_id, h.category, h.severity, h.name, h.id_number, "
                       "       h.household_id, h.township, h.village, h.program, h.amount, "
                       "       h.first_date, h.last_date, h.detail, c.case_no, "
                       "       COALESCE(c.status, 'new'), c.assignee" LEADS_FROM " ORDER BY h.id",
                       defs, (int)(sizeof defs / sizeof defs[0]), out, err);
}

int fw_xq_summary(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"维度", FW_XK_INT, MAP_NONE},
        {"项目", FW_XK_TEXT, MAP_CODE},
        {"线索数", FW_XK_INT, MAP_NONE},
        {"涉及金额(元)", FW_XK_MONEY, MAP_NONE},
        {"非发放金额(元)", FW_XK_MONEY, MAP_NONE},
    };
    /* The selected leads read once, each under its value of every dimension and under the whole
     * (FW_XDIM_COUNT_); the money of each (dimension, value) is that set's, each payment once. */
    /* A dimension is a number, so "dim:" cannot be confused with any part of a key: no separator
     * character is needed (SQLite's char(31) has no PostgreSQL spelling). */
    char *money = fw_money_ctes("SELECT CAST(dim AS TEXT) || ':' || key, id FROM sum_set");
    char *sql = fw_printf(
        "WITH sel AS MATERIALIZED (SELECT h.id, h.category, h.rule_id, COALESCE(c.status, 'new') AS status, "
        "COALESCE(h.township, '(未填)') AS township" LEADS_FROM "), "
        "sum_set(dim, key, id) AS MATERIALIZED (SELECT %d, category, id FROM sel UNION ALL SELECT %d, rule_id, id "
        "FROM sel UNION ALL SELECT %d, status, id FROM sel UNION ALL SELECT %d, township, id FROM sel "
        "UNION ALL SELECT %d, '合计', id FROM sel), %s"
        "SELECT a.dim, a.key, a.n, COALESCE(m.paid, 0), COALESCE(m.other, 0) FROM (SELECT dim, key, count(*) AS n "
        "FROM sum_set GROUP BY dim, key) a LEFT JOIN fw_money m ON m.grp = CAST(a.dim AS TEXT) || ':' || a.key "
        "ORDER BY a.dim <> %d, a.dim, a.n DESC, a.key",
        FW_XDIM_CATEGORY, FW_XDIM_RULE, FW_XDIM_STATUS, FW_XDIM_TOWNSHIP, FW_XDIM_COUNT_, money, FW_XDIM_COUNT_);
    free(money);
    int rc = xq_filtered(ws, f, sql, defs, (int)(sizeof defs / sizeof defs[0]), out, err);
    free(sql);
    return rc;
}

int fw_xq_cases(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"案件编号", FW_XK_TEXT, MAP_NONE},     {"姓名", FW_XK_TEXT, MAP_NONE},
        {"公民身份号码", FW_XK_ID, MAP_NONE},   {"乡镇", FW_XK_TEXT, MAP_NONE},
        {"行政村", FW_XK_TEXT, MAP_NONE},       {"状态", FW_XK_TEXT, MAP_STATUS},
        {"承办人", FW_XK_TEXT, MAP_NONE},       {"办结期限", FW_XK_DATE, MAP_NONE},
        {"核查结论", FW_XK_LONGTEXT, MAP_NONE}, {"理由", FW_XK_TEXT, MAP_REASON},
        {"整改措施", FW_XK_TEXT, MAP_MEASURES}, {"应追回(元)", FW_XK_MONEY, MAP_NONE},
        {"已追回(元)", FW_XK_MONEY, MAP_NONE},  {"线索数", FW_XK_INT, MAP_NONE},
        {"涉及金额(元)", FW_XK_MONEY, MAP_NONE}, {"最后变更", FW_XK_DATETIME, MAP_NONE},
    };
    /* A case's money: its selected leads, each payment once (audit/money.h). */
    char *money = fw_money_ctes("SELECT case_id, id FROM sel");
    char *sql = fw_printf("WITH sel AS MATERIALIZED (SELECT h.case_id, h.id" LEADS_FROM " AND h.case_id IS NOT NULL), %s"
                          "SELECT c.case_no, c.name, c.id_number, c.township, c.village, c.status, "
                          "       c.assignee, c.due_date, c.conclusion, c.dismiss_reason, c.measures, "
                          "       c.to_recover, c.recovered, count(*), COALESCE(m.paid, 0), c.updated_at "
                          "FROM sel JOIN cases c ON c.id = sel.case_id LEFT JOIN fw_money m ON m.grp = c.id "
                          "GROUP BY c.id, m.paid ORDER BY c.id", /* m.paid: one per case, but PostgreSQL must be told */
                          money);
    free(money);
    int rc = xq_filtered(ws, f, sql, defs, (int)(sizeof defs / sizeof defs[0]), out, err);
    free(sql);
    return rc;
}

/* --- provenance ------------------------------------------------------------------------------- */

/* The runs that produced the selected leads. */
#define SEL_RUNS "sel_runs AS (SELECT DISTINCT h.last_run_id AS id" LEADS_FROM ")"
/* A JSON array of whole numbers, the only shape of runs.imports fundwatch writes. */
#define JSON_NUMBERS "^\\[ *([0-9]+ *(, *[0-9]+ *)*)?\\]$"
#define PROV_IMPORTS_OF_USED                                                                               \
    "SELECT i.id, i.dataset, i.file, i.sha256, i.encoding, i.rows_read, "                                  \
    "       i.rows_loaded, i.rows_rejected, i.user, COALESCE(i.finished_at, i.started_at) "                \
    "FROM imports i WHERE i.id IN (SELECT id FROM used) ORDER BY i.id"

int fw_xq_prov_imports(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"导入号", FW_XK_INT, MAP_NONE},   {"数据集", FW_XK_TEXT, MAP_DATASET},
        {"文件", FW_XK_LONGTEXT, MAP_NONE}, {"SHA-256", FW_XK_TEXT, MAP_NONE},
        {"编码", FW_XK_TEXT, MAP_ENCODING}, {"读入行数", FW_XK_INT, MAP_NONE},
        {"载入行数", FW_XK_INT, MAP_NONE}, {"拒绝行数", FW_XK_INT, MAP_NONE},
        {"导入人", FW_XK_TEXT, MAP_NONE},  {"导入时间", FW_XK_STAMP, MAP_NONE},
    };
    /* A run records the imports it read (a JSON array of their numbers); a run without that record
     * (older or hand-made) is taken to have read every loaded import. PostgreSQL 15 has no
     * json_valid: an array of numbers is recognised by its shape, which is all a run writes. */
    static const fw_sql used = {
        .name = "exportq.prov_imports",
        .sql = "WITH " SEL_RUNS ", "
               "used AS (SELECT CAST(j.value AS INTEGER) AS id FROM runs r, json_each(r.imports) j "
               "         WHERE r.id IN (SELECT id FROM sel_runs) AND json_valid(r.imports) "
               "         UNION SELECT i.id FROM imports i WHERE i.status = 'loaded' AND EXISTS "
               "         (SELECT 1 FROM runs r WHERE r.id IN (SELECT id FROM sel_runs) "
               "          AND (r.imports IS NULL OR NOT json_valid(r.imports)))) " PROV_IMPORTS_OF_USED,
        .postgres = "WITH " SEL_RUNS ", "
                    "used AS (SELECT CAST(j AS BIGINT) AS id FROM runs r, "
                    "         json_array_elements_text(CAST(r.imports AS json)) j "
                    "         WHERE r.id IN (SELECT id FROM sel_runs) AND r.imports ~ '" JSON_NUMBERS "' "
                    "         UNION SELECT i.id FROM imports i WHERE i.status = 'loaded' AND EXISTS "
                    "         (SELECT 1 FROM runs r WHERE r.id IN (SELECT id FROM sel_runs) "
                    "          AND (r.imports IS NULL OR r.imports !~ '" JSON_NUMBERS "'))) " PROV_IMPORTS_OF_USED,
    };
    return xq_filtered(ws, f, fw_db_sql_text(ws->store, &used), defs, (int)(sizeof defs / sizeof defs[0]), out,
                       err);
}

int fw_xq_prov_runs(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"运行号", FW_XK_INT, MAP_NONE},       {"运行人", FW_XK_TEXT, MAP_NONE},
        {"开始", FW_XK_STAMP, MAP_NONE},      {"结束", FW_XK_STAMP, MAP_NONE},
        {"结果", FW_XK_TEXT, MAP_RESULT},     {"范围", FW_XK_TEXT, MAP_SELECTION},
        {"读取的导入", FW_XK_TEXT, MAP_NONE}, {"新增线索", FW_XK_INT, MAP_NONE},
    };
    /* The imports a run read are kept as a JSON array; people read their numbers. */
    static const fw_sql runs = {
        .name = "exportq.prov_runs",
        .sql = "WITH " SEL_RUNS " SELECT r.id, r.user, r.started_at, r.finished_at, r.status, "
               "r.selection, CASE WHEN json_valid(r.imports) THEN (SELECT group_concat(value, '、') "
               "FROM json_each(r.imports)) ELSE r.imports END, r.hits_new FROM runs r "
               "WHERE r.id IN (SELECT id FROM sel_runs) ORDER BY r.id",
        .postgres = "WITH " SEL_RUNS " SELECT r.id, r.user, r.started_at, r.finished_at, r.status, "
                    "r.selection, CASE WHEN r.imports ~ '" JSON_NUMBERS "' THEN (SELECT string_agg(j, '、' "
                    "ORDER BY n) FROM json_array_elements_text(CAST(r.imports AS json)) WITH ORDINALITY AS e(j, n)) "
                    "ELSE r.imports END, r.hits_new FROM runs r "
                    "WHERE r.id IN (SELECT id FROM sel_runs) ORDER BY r.id",
    };
    return xq_filtered(ws, f, fw_db_sql_text(ws->store, &runs), defs, (int)(sizeof defs / sizeof defs[0]), out,
                       err);
}

int fw_xq_prov_rules(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"运行号", FW_XK_INT, MAP_NONE},       {"规则编号", FW_XK_TEXT, MAP_NONE},
        {"版本", FW_XK_TEXT, MAP_NONE},       {"规则文本 SHA-256", FW_XK_TEXT, MAP_NONE},
        {"参数", FW_XK_TEXT, MAP_NONE},       {"规则文件", FW_XK_LONGTEXT, MAP_NONE},
        {"结果", FW_XK_TEXT, MAP_RESULT},     {"命中数", FW_XK_INT, MAP_NONE},
    };
    /* Parameters are kept as a JSON object; people read name = value. On PostgreSQL an object is
     * recognised by its braces (fw_rule_params_json writes them, always as an object). */
    static const fw_sql rules = {
        .name = "exportq.prov_rules",
        .sql = "WITH " SEL_RUNS " SELECT rr.run_id, rr.rule_id, rr.version, rr.text_sha256, "
               "CASE WHEN json_valid(rr.params) THEN (SELECT group_concat(key || ' = ' || value, '，') "
               "FROM json_each(rr.params)) ELSE rr.params END, rr.file, rr.status, rr.hits FROM run_rules rr "
               "WHERE rr.run_id IN (SELECT id FROM sel_runs) ORDER BY rr.run_id, rr.rule_id",
        .postgres = "WITH " SEL_RUNS " SELECT rr.run_id, rr.rule_id, rr.version, rr.text_sha256, "
                    "CASE WHEN rr.params ~ '^\\{.*\\}$' THEN (SELECT string_agg(key || ' = ' || value, '，' "
                    "ORDER BY n) FROM json_each_text(CAST(rr.params AS json)) WITH ORDINALITY AS e(key, value, n)) "
                    "ELSE rr.params END, rr.file, rr.status, rr.hits FROM run_rules rr "
                    "WHERE rr.run_id IN (SELECT id FROM sel_runs) ORDER BY rr.run_id, rr.rule_id",
    };
    return xq_filtered(ws, f, fw_db_sql_text(ws->store, &rules), defs, (int)(sizeof defs / sizeof defs[0]), out,
                       err);
}

/* --- one case --------------------------------------------------------------------------------- */

static int xq_case(fw_ws *ws, long long case_id, const char *sql, const coldef *defs, int ncols,
                   fw_xquery **out, fw_err *err)
{
    if (xq_new(ws, sql, defs, ncols, out, err))
        return err->code;
    fw_stmt_bind_int64((*out)->st, 1, case_id);
    return FW_OK;
}

char *fw_xq_case_no(fw_ws *ws, long long case_id)
{
    fw_stmt *st;
    fw_err err = {0};
    if (fw_db_prepare(ws->store, "SELECT case_no FROM cases WHERE id = ?", &st, &err))
        return NULL;
    fw_stmt_bind_int64(st, 1, case_id);
    char *no = fw_stmt_step(st, &err) == 1 ? fw_strdup(fw_stmt_text(st, 0)) : NULL;
    fw_stmt_finalize(st);
    return no;
}

int fw_xq_case_record(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"案件编号", FW_XK_TEXT, MAP_NONE},    {"姓名", FW_XK_TEXT, MAP_NONE},
        {"公民身份号码", FW_XK_ID, MAP_NONE},  {"县", FW_XK_TEXT, MAP_NONE},
        {"乡镇", FW_XK_TEXT, MAP_NONE},        {"行政村", FW_XK_TEXT, MAP_NONE},
        {"状态", FW_XK_TEXT, MAP_STATUS},     {"承办人", FW_XK_TEXT, MAP_NONE},
        {"受理日期", FW_XK_DATE, MAP_NONE},    {"办结期限", FW_XK_DATE, MAP_NONE},
        {"核查方式", FW_XK_TEXT, MAP_METHOD},  {"核查人", FW_XK_TEXT, MAP_NONE},
        {"核查日期", FW_XK_DATE, MAP_NONE},    {"核查结论", FW_XK_LONGTEXT, MAP_NONE},
        {"不属实理由", FW_XK_TEXT, MAP_REASON}, {"理由说明", FW_XK_LONGTEXT, MAP_NONE},
        {"整改措施", FW_XK_TEXT, MAP_MEASURES},
        {"涉及金额(元)", FW_XK_MONEY, MAP_NONE}, {"非发放金额(元)", FW_XK_MONEY, MAP_NONE},
        {"应追回(元)", FW_XK_MONEY, MAP_NONE}, {"已追回(元)", FW_XK_MONEY, MAP_NONE},
        {"立案时间", FW_XK_DATETIME, MAP_NONE}, {"最后变更", FW_XK_DATETIME, MAP_NONE},
    };
    /* 涉及金额: the case's present leads, each payment once (audit/money.h). */
    char *money = fw_money_ctes("SELECT 0, id FROM hits WHERE case_id = ?1 AND state = 'present'");
    char *sql = fw_printf("WITH %s SELECT case_no, name, id_number, county, township, village, status, assignee, "
                          "       received_at, due_date, verify_method, verifier, verified_at, conclusion, "
                          "       dismiss_reason, dismiss_text, measures, COALESCE((SELECT paid FROM fw_money), 0), "
                          "       CASE WHEN (SELECT other FROM fw_money) > 0 THEN (SELECT other FROM fw_money) END, "
                          "       to_recover, recovered, created_at, updated_at "
                          "FROM cases WHERE id = ?1",
                          money);
    free(money);
    int rc = xq_case(ws, case_id, sql, defs, (int)(sizeof defs / sizeof defs[0]), out, err);
    free(sql);
    return rc;
}

/* The kind a dataset column is presented as. */
static enum fw_xkind kind_of(enum fw_coltype t)
{
    switch (t) {
    case FW_COL_ID: return FW_XK_ID;
    case FW_COL_DATE: case FW_COL_PERIOD: return FW_XK_DATE;
    case FW_COL_MONEY: return FW_XK_MONEY;
    case FW_COL_NUMBER: return FW_XK_REAL;
    default: return FW_XK_TEXT;
    }
}

/* A query over ds_<dataset> rows with all the registry's columns plus the import they came
 * from; `where` selects rows with ?1 = the case id. */
static int xq_dataset(fw_ws *ws, long long case_id, const char *dataset, const char *where,
                      fw_xquery **out, fw_err *err)
{
    const fw_dataset *ds = fw_dataset_find(dataset);
    if (!ds)
        return fw_fail(err, FW_EDATA, _("evidence names an unknown dataset '%s'"), dataset);
    coldef *defs = fw_calloc((size_t)ds->ncolumns + 2, sizeof *defs);
    fw_buf sql = {0};
    fw_buf_puts(&sql, "SELECT ");
    for (int i = 0; i < ds->ncolumns; i++) {
        fw_buf_printf(&sql, "d.%s, ", ds->columns[i].name);
        defs[i].label = ds->columns[i].label_zh;
        defs[i].kind = kind_of(ds->columns[i].type);
    }
    defs[ds->ncolumns] = (coldef){"导入号", FW_XK_INT, MAP_NONE};
    defs[ds->ncolumns + 1] = (coldef){"源文件行号", FW_XK_INT, MAP_NONE};
    fw_buf_printf(&sql, "d.import_id, d.line FROM ds_%s d WHERE %s", ds->name, where);
    int rc = xq_case(ws, case_id, sql.data, defs, ds->ncolumns + 2, out, err);
    fw_buf_free(&sql);
    free(defs);
    return rc;
}

int fw_xq_case_person(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err)
{
    return xq_dataset(ws, case_id, "persons",
                      "d.id_number = (SELECT id_number FROM cases WHERE id = ?1) ORDER BY d.import_id DESC, d.line",
                      out, err);
}

int fw_xq_case_household(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err)
{
    return xq_dataset(ws, case_id, "persons",
                      "d.household_id IN (SELECT p.household_id FROM ds_persons p, cases c "
                      "  WHERE c.id = ?1 AND p.id_number = c.id_number AND p.household_id IS NOT NULL "
                      "  UNION SELECT h.household_id FROM hits h WHERE h.case_id = ?1 "
                      "  AND h.household_id IS NOT NULL) "
                      "ORDER BY d.household_id, d.id_number, d.import_id DESC",
                      out, err);
}

int fw_xq_case_payments(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err)
{
    return xq_dataset(ws, case_id, "payments",
                      "d.row_key IN (SELECT e.row_key FROM hit_evidence e JOIN hits h ON h.id = e.hit_id "
                      "  WHERE h.case_id = ?1 AND e.dataset = 'payments') ORDER BY d.pay_date, d.line",
                      out, err);
}

int fw_xq_case_evidence(fw_ws *ws, long long case_id, const char *dataset, fw_xquery **out,
                        fw_err *err)
{
    char *where = fw_printf("d.row_key IN (SELECT e.row_key FROM hit_evidence e JOIN hits h ON h.id = e.hit_id "
                            "  WHERE h.case_id = ?1 AND e.dataset = '%s') ORDER BY d.import_id, d.line",
                            dataset);
    int rc = fw_dataset_find(dataset) ? xq_dataset(ws, case_id, dataset, where, out, err)
                                      : fw_fail(err, FW_EDATA, _("evidence names an unknown dataset '%s'"), dataset);
    free(where);
    return rc;
}

int fw_xq_case_evidence_sets(fw_ws *ws, long long case_id, char ***names, int *n, fw_err *err)
{
    fw_stmt *st;
    *names = NULL;
    *n = 0;
    if (fw_db_prepare(ws->store,
                      "SELECT DISTINCT e.dataset FROM hit_evidence e JOIN hits h ON h.id = e.hit_id "
                      "WHERE h.case_id = ?1 AND e.dataset <> 'payments' ORDER BY 1",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, case_id);
    int rc;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        const char *name = fw_stmt_text(st, 0);
        if (!fw_dataset_find(name))
            continue; /* a dataset this version does not know has no table to read */
        *names = fw_realloc(*names, (size_t)(*n + 1) * sizeof **names);
        (*names)[(*n)++] = fw_strdup(name);
    }
    fw_stmt_finalize(st);
    if (rc < 0) {
        fw_xq_free_names(*names, *n);
        *names = NULL;
        *n = 0;
        return err->code;
    }
    return FW_OK;
}

void fw_xq_free_names(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int fw_xq_case_rules(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"线索号", FW_XK_INT, MAP_NONE},       {"规则编号", FW_XK_TEXT, MAP_NONE},
        {"规则名称", FW_XK_TEXT, MAP_RULE_NAME}, {"类别", FW_XK_TEXT, MAP_CATEGORY},
        {"风险等级", FW_XK_TEXT, MAP_SEVERITY}, {"政策依据", FW_XK_LONGTEXT, MAP_RULE_BASIS},
        {"疑点描述", FW_XK_LONGTEXT, MAP_NONE}, {"涉及金额(元)", FW_XK_MONEY, MAP_NONE},
        {"起始日期", FW_XK_DATE, MAP_NONE},    {"截止日期", FW_XK_DATE, MAP_NONE},
    };
    /* The name and basis are read from the rule file in C (MAP_RULE_*), not by a host function.
     * Prepared once per connection: a dispatch reads it for every case it sends. */
    static const fw_sql rules_sql = {
        .name = "exportq.case_rules",
        .sql = "SELECT h.id, h.rule_id, rr.file, h.category, h.severity, rr.file, "
               "       h.detail, h.amount, h.first_date, h.last_date "
               "FROM hits h LEFT JOIN run_rules rr ON rr.run_id = h.last_run_id AND rr.rule_id = h.rule_id "
               "WHERE h.case_id = ?1 ORDER BY h.id",
    };
    if (xq_new_any(ws, &rules_sql, true, defs, (int)(sizeof defs / sizeof defs[0]), out, err))
        return err->code;
    fw_stmt_bind_int64((*out)->st, 1, case_id);
    return FW_OK;
}

int fw_xq_case_history(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err)
{
    static const coldef defs[] = {
        {"时间", FW_XK_DATETIME, MAP_NONE},
        {"办理情况", FW_XK_LONGTEXT, MAP_HISTORY},
        {"操作人", FW_XK_TEXT, MAP_NONE},
    };
    /* One line per change, in words (audit/history.h, in C on both engines); notes are trail
     * records too. Before and after follow the shown columns, for the words. */
    return xq_case(ws, case_id,
                   "SELECT at, action, \"user\", \"before\", \"after\" FROM trail "
                   "WHERE object = 'case:' || ?1 ORDER BY seq",
                   defs, (int)(sizeof defs / sizeof defs[0]), out, err);
}

int fw_xq_case_money(fw_ws *ws, long long case_id, fw_money *out, fw_err *err)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", case_id);
    return fw_money_of(ws, "SELECT id FROM hits WHERE case_id = CAST(?1 AS INTEGER)", id, out, err);
}
