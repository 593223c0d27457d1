/* history.c: trail records in words (see history.h). The labels of fields are here (actions are a vocabulary, audit/vocab.h),
 * with the case vocabulary of audit/cases.h for the values; the JSON is read by the engine's own
 * JSON functions on the workspace connection (named fw_sql per engine), the words made in C, so a
 * SQLite and a PostgreSQL workspace say the same. */
#include "audit/history.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/browse.h"
#include "audit/cases.h"
#include "audit/dataset.h"
#include "audit/i18n.h"

typedef struct word {
    const char *key, *zh, *en;
} word;

/* Case fields and record members worth reading; a key not listed is shown as stored. Bookkeeping
 * that the record's own time and user already say (who asked for review, when) is left out. */
static const word fields[] = {
    {"status", "状态", "status"},
    {"pending_status", "待复核结论", "verdict awaiting review"},
    {"assignee", "承办人", "assignee"},
    {"received_at", "受理日期", "received"},
    {"due_date", "办结期限", "due"},
    {"verify_method", "核查方式", "method"},
    {"verifier", "核查人", "verifier"},
    {"verified_at", "核查日期", "verified"},
    {"conclusion", "核查结论", "conclusion"},
    {"dismiss_reason", "不属实理由", "dismissal reason"},
    {"dismiss_text", "理由说明", "reason"},
    {"measures", "整改措施", "measures"},
    {"to_recover", "应追回", "to recover"},
    {"recovered", "已追回", "recovered"},
    {"rectified_at", "整改日期", "rectified"},
    {"closed_at", "办结日期", "closed"},
    {"closure_note", "办结说明", "closure note"},
    {"resolved_by_data", "线索均已消失", "every hit gone"},
    {"note", "备注", "note"},
    {"gone_rules", "消失线索的规则", "rules of the gone hits"},
    {"name", "姓名", "name"},
    {"id_number", "公民身份号码", "ID number"},
    {"county", "县", "county"},
    {"township", "乡镇", "township"},
    {"village", "行政村", "village"},
    {"reason", "理由", "reason"},
    {"until", "有效期至", "until"},
    {"rule", "规则", "rule"},
    {"file", "文件", "file"},
    {"rows", "行数", "rows"},
    {"value", "值", "value"},
    {"enabled", "启用", "enabled"},
    {NULL, NULL, NULL},
};

static const char *const skipped[] = {"pending_by", "pending_at", "reviewed_by", "reviewed_at", "updated_at",
                                      "updated_by", "version", NULL};

/* Actions whose fields say it all: a sentence does not repeat their words ("状态 待核查 → 核查中",
 * not "状态变更；状态 待核查 → 核查中"). */
static const char *const self_evident[] = {"case.status", "case.note", NULL};

static const word lead_changes[] = {
    {"new_hit", "新线索", "new lead"},
    {"evidence_changed", "证据变化", "evidence changed"},
    {"reappeared", "线索重现", "lead back"},
    {NULL, NULL, NULL},
};

static int chinese(enum fw_words_lang lang)
{
    return lang == FW_WORDS_ZH || fw_ui_chinese();
}

static const word *find_word(const word *table, const char *key)
{
    for (const word *w = table; key && w->key; w++)
        if (strcmp(w->key, key) == 0)
            return w;
    return NULL;
}

static const char *say(const word *w, const char *key, enum fw_words_lang lang)
{
    if (!w)
        return key;
    return chinese(lang) ? w->zh : w->en;
}

static const char *label_of(const fw_label *table, const char *key, enum fw_words_lang lang)
{
    const fw_label *l = fw_label_find(table, key);
    if (!l)
        return key;
    return chinese(lang) ? l->zh : l->en;
}

static int is_money_field(const char *key)
{
    return strcmp(key, "to_recover") == 0 || strcmp(key, "recovered") == 0 || strstr(key, "amount") != NULL;
}

/* A stored value as a person reads it: codes as labels, fen as yuan, UTC times as local time. */
static void put_value(fw_buf *b, const char *key, const char *v, enum fw_words_lang lang)
{
    if (!v) {
        fw_buf_puts(b, chinese(lang) ? "（空）" : "(none)");
        return;
    }
    if (strcmp(key, "status") == 0 || strcmp(key, "pending_status") == 0)
        fw_buf_puts(b, label_of(fw_case_statuses, v, lang));
    else if (strcmp(key, "verify_method") == 0)
        fw_buf_puts(b, label_of(fw_verify_methods, v, lang));
    else if (strcmp(key, "dismiss_reason") == 0)
        fw_buf_puts(b, label_of(fw_dismiss_reasons, v, lang));
    else if (strcmp(key, "measures") == 0) {
        char *copy = fw_strdup(v), *save = NULL;
        int n = 0;
        for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save))
            fw_buf_printf(b, "%s%s", n++ ? (chinese(lang) ? "、" : ", ") : "", label_of(fw_measures, m, lang));
        free(copy);
    } else if (is_money_field(key)) {
        char y[32];
        fw_yuan(strtoll(v, NULL, 10), y);
        fw_buf_printf(b, "¥%s", y);
    } else if (strcmp(key, "resolved_by_data") == 0 || strcmp(key, "enabled") == 0) {
        int yes = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
        fw_buf_puts(b, chinese(lang) ? (yes ? "是" : "否") : (yes ? "yes" : "no"));
    } else {
        char when[FW_TIME_SIZE];
        fw_buf_puts(b, fw_time_local(v, FW_TIME_MINUTE, when, sizeof when));
    }
}

static const char *separator(enum fw_words_lang lang) { return chinese(lang) ? "；" : "; "; }

/* A growing NULL-terminated list of the record's fields in words. */
typedef struct field_list {
    char **v;
    int n;
} field_list;

static void add_field(field_list *l, fw_buf *b)
{
    l->v = fw_realloc(l->v, (size_t)(l->n + 2) * sizeof *l->v);
    l->v[l->n++] = fw_buf_steal(b);
    l->v[l->n] = NULL;
}

/* The trail's JSON read by the engine's own functions. SQLite: json_each, json_extract, json_type,
 * guarded by json_valid. PostgreSQL: json_each / json_array_elements of the json type (not jsonb,
 * which would reorder the members), booleans read as SQLite's 1/0; a value that is not an object
 * (an array) iterates nothing; text that is not JSON fails the statement, which a savepoint keeps
 * from failing the caller's transaction. */
static const fw_sql leads_sql = {
    .name = "history.leads",
    .sql = "SELECT json_extract(value, '$.change'), json_extract(value, '$.rule'), "
           "json_extract(value, '$.detail') FROM json_each(?1) WHERE json_valid(?1)",
    .postgres = "SELECT e.v ->> 'change', e.v ->> 'rule', e.v ->> 'detail' "
                "FROM json_array_elements(CASE WHEN json_typeof(CAST(?1 AS json)) = 'array' THEN CAST(?1 AS json) "
                "ELSE CAST('[]' AS json) END) WITH ORDINALITY e(v, n) ORDER BY e.n",
};

/* key, type, value after, type before (NULL: absent), value before; members of after, then those
 * only in before. */
#define PG_JSON_TEXT(v) "CASE json_typeof(" v ") WHEN 'boolean' THEN CASE WHEN CAST(" v " AS text) = 'true' " \
                        "THEN '1' ELSE '0' END ELSE " v " #>> '{}' END"
#define PG_OBJECT(p) "CASE WHEN json_typeof(CAST(" p " AS json)) = 'object' THEN CAST(" p " AS json) " \
                     "ELSE CAST('{}' AS json) END"
static const fw_sql fields_sql = {
    .name = "history.fields",
    .sql = "SELECT j.key, j.type, CASE WHEN j.type IN ('true', 'false') THEN j.type = 'true' "
           "ELSE j.value END, json_type(?1, j.fullkey), json_extract(?1, j.fullkey) "
           "FROM json_each(?2) j WHERE json_valid(?2) AND json_valid(?1) "
           "UNION ALL SELECT j.key, 'null', NULL, j.type, j.value FROM json_each(?1) j "
           "WHERE json_valid(?1) AND json_valid(?2) AND json_type(?2, j.fullkey) IS NULL",
    .postgres = "SELECT j.key, json_typeof(j.v), " PG_JSON_TEXT("j.v") ", "
                "json_typeof(" PG_OBJECT("?1") " -> j.key), " PG_JSON_TEXT("(" PG_OBJECT("?1") " -> j.key)") ", "
                "1 AS part, j.n FROM json_each(" PG_OBJECT("?2") ") WITH ORDINALITY j(key, v, n) "
                "UNION ALL SELECT j.key, 'null', NULL, json_typeof(j.v), " PG_JSON_TEXT("j.v") ", 2, j.n "
                "FROM json_each(" PG_OBJECT("?1") ") WITH ORDINALITY j(key, v, n) "
                "WHERE (" PG_OBJECT("?2") " -> j.key) IS NULL ORDER BY 6, 7",
};

/* The connection's copy of q, ready to step with text1 and text2 bound (NULL: not bound), inside a
 * savepoint when a transaction is open (end_json_read releases it): PostgreSQL fails a statement on
 * text that is not JSON, which would otherwise fail the caller's transaction. */
static fw_stmt *begin_json_read(fw_ws *ws, const fw_sql *q, const char *text1, const char *text2, bool *saved)
{
    fw_stmt *st;
    fw_err e = {0};
    *saved = false;
    if (fw_db_cached(ws->store, q, &st, &e))
        return NULL;
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES && fw_db_in_txn(ws->store)) {
        if (fw_db_savepoint(ws->store, "fw_history_json", &e))
            return NULL;
        *saved = true;
    }
    fw_stmt_bind_text(st, 1, text1, -1);
    if (text2)
        fw_stmt_bind_text(st, 2, text2, -1);
    return st;
}

static void end_json_read(fw_ws *ws, fw_stmt *st, bool saved, bool failed)
{
    fw_err e = {0};
    fw_stmt_reset(st);
    if (saved && failed)
        fw_db_rollback_to(ws->store, "fw_history_json", &e);
    if (saved)
        fw_db_release(ws->store, "fw_history_json", &e);
}

/* The leads a run brought to the case ("because": [{change, hit, rule, detail}, ...]). Collected
 * first: the statement is the connection's one copy, and the fields' reader is stepping its own. */
static void put_leads(fw_ws *ws, field_list *out, const char *json, enum fw_words_lang lang)
{
    bool saved;
    fw_stmt *st = begin_json_read(ws, &leads_sql, json, NULL, &saved);
    if (!st)
        return;
    fw_err e = {0};
    int step;
    while ((step = fw_stmt_step(st, &e)) == 1) {
        const char *change = fw_stmt_text(st, 0);
        const char *rule = fw_stmt_text(st, 1);
        const char *detail = fw_stmt_text(st, 2);
        fw_buf b = {0};
        fw_buf_printf(&b, "%s %s", say(find_word(lead_changes, change), change ? change : "", lang), rule ? rule : "");
        if (detail && *detail)
            fw_buf_printf(&b, "%s%s", chinese(lang) ? "：" : ": ", detail);
        add_field(out, &b);
    }
    end_json_read(ws, st, saved, step < 0);
}

static int skip_field(const char *key)
{
    for (int i = 0; skipped[i]; i++)
        if (strcmp(skipped[i], key) == 0)
            return 1;
    return 0;
}

/* The record's members: those in after (with their value before, when there was one), then those
 * only in before (removed). */
static void put_fields(fw_ws *ws, field_list *out, const char *before, const char *after, enum fw_words_lang lang)
{
    bool saved;
    fw_stmt *st = begin_json_read(ws, &fields_sql, before && *before ? before : "{}", after && *after ? after : "{}",
                                  &saved);
    if (!st)
        return;
    fw_err e = {0};
    int step;
    while ((step = fw_stmt_step(st, &e)) == 1) {
        const char *key = fw_stmt_text(st, 0);
        const char *type = fw_stmt_text(st, 1);
        const char *now = fw_stmt_text(st, 2);
        const char *btype = fw_stmt_text(st, 3);
        const char *was = fw_stmt_text(st, 4);
        if (!key || skip_field(key))
            continue;
        if (strcmp(key, "because") == 0) {
            char *because = fw_strdup(now); /* the row's text may not outlive another statement */
            put_leads(ws, out, because, lang);
            free(because);
            continue;
        }
        bool had = btype && strcmp(btype, "null") != 0;
        bool has = type && strcmp(type, "null") != 0;
        if (!had && !has)
            continue;
        fw_buf b = {0};
        const char *label = say(find_word(fields, key), key, lang);
        if (strcmp(key, "note") == 0 && !had) /* a note is read as it was written */
            fw_buf_printf(&b, "%s%s%s", label, chinese(lang) ? "：" : ": ", now);
        else {
            fw_buf_printf(&b, "%s ", label);
            if (had) { /* a change shows what was; a new value just itself */
                put_value(&b, key, was, lang);
                fw_buf_puts(&b, " → ");
            }
            put_value(&b, key, has ? now : NULL, lang);
        }
        add_field(out, &b);
    }
    end_json_read(ws, st, saved, step < 0);
}

const char *fw_history_action(const char *action, enum fw_words_lang lang)
{
    return action ? label_of(fw_trail_actions, action, lang) : "";
}

char **fw_history_fields(fw_ws *ws, const char *before_json, const char *after_json, enum fw_words_lang lang)
{
    field_list l = {fw_calloc(1, sizeof(char *)), 0};
    put_fields(ws, &l, before_json, after_json, lang);
    /* Not a JSON object (written by hand or by an older fundwatch): what there is, plainly. */
    if (l.n == 0 && after_json && *after_json && after_json[0] != '{') {
        fw_buf b = {0};
        fw_buf_puts(&b, after_json);
        add_field(&l, &b);
    }
    return l.v;
}

char *fw_history_details(fw_ws *ws, const char *before_json, const char *after_json, enum fw_words_lang lang)
{
    char **v = fw_history_fields(ws, before_json, after_json, lang);
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    for (char **f = v; *f; f++)
        fw_buf_printf(&b, "%s%s", f == v ? "" : separator(lang), *f);
    fw_strv_free(v);
    return fw_buf_steal(&b);
}

char *fw_history_what(fw_ws *ws, const char *action, const char *before_json, const char *after_json,
                      enum fw_words_lang lang)
{
    char *details = fw_history_details(ws, before_json, after_json, lang);
    bool silent = false;
    for (int i = 0; action && self_evident[i]; i++)
        silent = silent || strcmp(self_evident[i], action) == 0;
    fw_buf b = {0};
    fw_buf_puts(&b, silent ? "" : fw_history_action(action, lang));
    if (*details)
        fw_buf_printf(&b, "%s%s", b.len ? separator(lang) : "", details);
    free(details);
    return fw_buf_steal(&b);
}

char *fw_history_line(fw_ws *ws, const char *at, const char *user, const char *action, const char *before_json,
                      const char *after_json, enum fw_words_lang lang)
{
    char when[FW_TIME_SIZE];
    char *what = fw_history_what(ws, action, before_json, after_json, lang);
    char *line = fw_printf("%s %s %s", fw_time_local(at, FW_TIME_MINUTE, when, sizeof when), user ? user : "", what);
    free(what);
    return line;
}

int fw_history_case(fw_ws *ws, long long case_id, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store, "SELECT seq, at, \"user\", action, \"before\", \"after\" FROM trail WHERE object = ? ORDER BY seq",
                        rows, err))
        return err->code;
    char *object = fw_printf("case:%lld", case_id);
    fw_stmt_bind_text(fw_rows_stmt(*rows), 1, object, -1);
    free(object);
    return FW_OK;
}

/* A stored record's JSON with its money members in yuan: the trail keeps fen, people read yuan.
 * SQLite patches the object (json_patch keeps the members' order); PostgreSQL rebuilds it from its
 * members in their order, each value's text as stored. */
#define YUAN_JSON(col)                                                                                      \
    "json_patch(" col ", (SELECT json_group_object(key, json(printf('%.2f', value / 100.0))) "             \
    "FROM json_each(" col ") WHERE json_valid(" col ") AND key IN ('to_recover', 'recovered') "            \
    "AND type = 'integer'))"
#define PG_YUAN_JSON(col)                                                                                   \
    "CASE WHEN " col " IS NULL OR json_typeof(CAST(" col " AS json)) <> 'object' THEN " col " ELSE (SELECT COALESCE('{' || "    \
    "string_agg(CAST(to_json(j.key) AS text) || ':' || CASE WHEN j.key IN ('to_recover', 'recovered') "      \
    "AND CAST(j.v AS text) ~ '^-?[0-9]+$' THEN CAST(CAST(CAST(CAST(j.v AS text) AS numeric) / 100 AS "       \
    "numeric(30, 2)) AS text) ELSE CAST(j.v AS text) END, ',' ORDER BY j.n) || '}', '{}') "                  \
    "FROM json_each(CAST(" col " AS json)) WITH ORDINALITY j(key, v, n)) END"
#define TRAIL_NEWEST                                                                                        \
    " FROM (SELECT * FROM trail WHERE CAST(?1 AS TEXT) IS NULL OR object = CAST(?1 AS TEXT) "                \
    "ORDER BY seq DESC LIMIT ?2) t ORDER BY seq"

/* Brief: 4 columns shown, then action, before, after for the words. */
static const fw_sql list_brief_sql = {
    .name = "history.list",
    .sql = "SELECT seq, at, \"user\", object, action, \"before\", \"after\"" TRAIL_NEWEST,
};
/* Full: 7 columns shown (money in yuan), then action and the stored before and after. */
static const fw_sql list_full_sql = {
    .name = "history.list_records",
    .sql = "SELECT seq, at, \"user\", action, object, " YUAN_JSON("\"before\"") " AS \"before\", "
           YUAN_JSON("\"after\"") " AS \"after\", action, \"before\", \"after\"" TRAIL_NEWEST,
    .postgres = "SELECT seq, at, \"user\", action, object, " PG_YUAN_JSON("\"before\"") " AS \"before\", "
                PG_YUAN_JSON("\"after\"") " AS \"after\", action, \"before\", \"after\"" TRAIL_NEWEST,
};

/* The words of a listed row whose action is column `action`, before and after the next two. */
static char *what_of_row(fw_stmt *st, fw_ws *ws, int action)
{
    /* Copies: reading the JSON runs statements of its own, and the row's texts may not outlive them. */
    char *act = fw_strdup(fw_stmt_text(st, action));
    char *before = fw_stmt_is_null(st, action + 1) ? NULL : fw_strdup(fw_stmt_text(st, action + 1));
    char *after = fw_stmt_is_null(st, action + 2) ? NULL : fw_strdup(fw_stmt_text(st, action + 2));
    char *what = fw_history_what(ws, act, before, after, FW_WORDS_UI);
    free(act);
    free(before);
    free(after);
    return what;
}

enum { BRIEF_SHOWN = 4, FULL_SHOWN = 7 };
static char *what_of_brief(fw_stmt *st, void *ws) { return what_of_row(st, ws, BRIEF_SHOWN); }
static char *what_of_full(fw_stmt *st, void *ws) { return what_of_row(st, ws, FULL_SHOWN); }

int fw_history_list(fw_ws *ws, const char *object, long limit, int brief, fw_rows **rows, fw_err *err)
{
    /* The words are C's (fw_history_what) on both engines, computed as each row is read. */
    fw_stmt *st;
    *rows = NULL;
    if (fw_db_prepare_named(ws->store, brief ? &list_brief_sql : &list_full_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, object, -1);
    fw_stmt_bind_int64(st, 2, limit > 0 ? limit : INT64_MAX);
    *rows = fw_rows_of(st);
    fw_rows_derive(*rows, brief ? BRIEF_SHOWN : FULL_SHOWN, "what", brief ? what_of_brief : what_of_full, ws);
    return FW_OK;
}
