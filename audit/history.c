/* history.c: trail records in words (see history.h). The labels of fields are here (actions are a vocabulary, audit/vocab.h),
 * with the case vocabulary of audit/cases.h for the values; the JSON is read by SQLite's json_each
 * on the workspace connection, the same reader the trail's other queries use. */
#include "audit/history.h"

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

/* The leads a run brought to the case ("because": [{change, hit, rule, detail}, ...]). */
static void put_leads(fw_ws *ws, field_list *out, const char *json, enum fw_words_lang lang)
{
    /* json_each and json_extract: SQLite's JSON functions (PostgreSQL needs its own text here). */
    fw_stmt *st;
    fw_err e = {0};
    if (fw_db_prepare(ws->store,
                      "SELECT json_extract(value, '$.change'), json_extract(value, '$.rule'), "
                      "json_extract(value, '$.detail') FROM json_each(?1) WHERE json_valid(?1)",
                      &st, &e))
        return;
    fw_stmt_bind_text(st, 1, json, -1);
    while (fw_stmt_step(st, &e) == 1) {
        const char *change = fw_stmt_text(st, 0);
        const char *rule = fw_stmt_text(st, 1);
        const char *detail = fw_stmt_text(st, 2);
        fw_buf b = {0};
        fw_buf_printf(&b, "%s %s", say(find_word(lead_changes, change), change ? change : "", lang), rule ? rule : "");
        if (detail && *detail)
            fw_buf_printf(&b, "%s%s", chinese(lang) ? "：" : ": ", detail);
        add_field(out, &b);
    }
    fw_stmt_finalize(st);
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
    /* json_each, json_type, json_extract: SQLite's JSON functions (PostgreSQL needs its own text). */
    fw_stmt *st;
    fw_err e = {0};
    if (fw_db_prepare(ws->store,
                      "SELECT j.key, j.type, CASE WHEN j.type IN ('true', 'false') THEN j.type = 'true' "
                      "ELSE j.value END, json_type(?1, j.fullkey), json_extract(?1, j.fullkey) "
                      "FROM json_each(?2) j WHERE json_valid(?2) AND json_valid(?1) "
                      "UNION ALL SELECT j.key, 'null', NULL, j.type, j.value FROM json_each(?1) j "
                      "WHERE json_valid(?1) AND json_valid(?2) AND json_type(?2, j.fullkey) IS NULL",
                      &st, &e))
        return;
    fw_stmt_bind_text(st, 1, before && *before ? before : "{}", -1);
    fw_stmt_bind_text(st, 2, after && *after ? after : "{}", -1);
    while (fw_stmt_step(st, &e) == 1) {
        const char *key = fw_stmt_text(st, 0);
        const char *type = fw_stmt_text(st, 1);
        const char *now = fw_stmt_text(st, 2);
        const char *btype = fw_stmt_text(st, 3);
        const char *was = fw_stmt_text(st, 4);
        if (!key || skip_field(key))
            continue;
        if (strcmp(key, "because") == 0) {
            put_leads(ws, out, now, lang);
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
    fw_stmt_finalize(st);
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
    if (fw_rows_prepare(ws->store, "SELECT seq, at, user, action, before, after FROM trail WHERE object = ? ORDER BY seq",
                        rows, err))
        return err->code;
    char *object = fw_printf("case:%lld", case_id);
    fw_stmt_bind_text(fw_rows_stmt(*rows), 1, object, -1);
    free(object);
    return FW_OK;
}

/* history_what(action, before, after): fw_history_what, for listings; history_what_zh in Chinese.
 * Host functions of this process with the workspace as their context (FW_DBCAP_HOST_FUNCTIONS); an
 * engine without them (PostgreSQL) gets none, and a listing that calls them fails naming them. */
static int history_what_in(fw_ws *ws, const fw_value *args, fw_value *out, enum fw_words_lang lang)
{
    *out = (fw_value){.type = FW_DBT_TEXT};
    out->s = fw_history_what(ws, args[0].s, args[1].s, args[2].s, lang);
    return FW_OK;
}

static int fn_history_what(void *ctx, int nargs, const fw_value *args, fw_value *out, fw_err *err)
{
    (void)nargs, (void)err;
    return history_what_in(ctx, args, out, FW_WORDS_UI);
}

static int fn_history_what_zh(void *ctx, int nargs, const fw_value *args, fw_value *out, fw_err *err)
{
    (void)nargs, (void)err;
    return history_what_in(ctx, args, out, FW_WORDS_ZH);
}

void fw_history_register(fw_ws *ws)
{
    if (!fw_db_has(ws->store, FW_DBCAP_HOST_FUNCTIONS))
        return;
    fw_err ignored = {0};
    fw_db_create_function(ws->store, "history_what", 3, fn_history_what, ws, &ignored);
    fw_db_create_function(ws->store, "history_what_zh", 3, fn_history_what_zh, ws, &ignored);
}

/* A stored record's JSON with its money members in yuan: the trail keeps fen, people read yuan. */
#define YUAN_JSON(col)                                                                                      \
    "json_patch(" col ", (SELECT json_group_object(key, json(printf('%.2f', value / 100.0))) "             \
    "FROM json_each(" col ") WHERE json_valid(" col ") AND key IN ('to_recover', 'recovered') "            \
    "AND type = 'integer'))"

int fw_history_list(fw_ws *ws, const char *object, long limit, int brief, fw_rows **rows, fw_err *err)
{
    fw_history_register(ws);
    const char *sql = brief ? "SELECT seq, at, user, object, history_what(action, before, after) AS what FROM ("
                              "  SELECT * FROM trail WHERE ?1 IS NULL OR object = ?1 ORDER BY seq DESC LIMIT ?2"
                              ") ORDER BY seq"
                            : "SELECT seq, at, user, action, object, " YUAN_JSON("before") " AS before, "
                              YUAN_JSON("after") " AS after, history_what(action, before, after) AS what FROM ("
                              "  SELECT * FROM trail WHERE ?1 IS NULL OR object = ?1 ORDER BY seq DESC LIMIT ?2"
                              ") ORDER BY seq";
    if (fw_rows_prepare(ws->store, sql, rows, err))
        return err->code;
    fw_stmt *st = fw_rows_stmt(*rows);
    fw_stmt_bind_text(st, 1, object, -1);
    fw_stmt_bind_int64(st, 2, limit > 0 ? limit : -1);
    return FW_OK;
}
