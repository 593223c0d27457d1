/* browse.c: the queries behind the screens and `fundwatch overview` (see browse.h). Every statement
 * goes through the store (audit/store/store.h) and works on SQLite and PostgreSQL: named fw_sql with
 * per-engine text where the engines differ. Statements are prepared, stepped and finalized inside
 * one call and results copied into plain records; the overview alone is handed out as fw_rows. */
#include "audit/browse.h"

#include <ctype.h>
#include <dirent.h>
#include <iniparser.h>
#include <stdlib.h>
#include <string.h>

#include "audit/anchor.h"
#include "audit/dataset.h"
#include "audit/history.h"
#include "audit/i18n.h"
#include "audit/vocab.h"
#include "audit/money.h"
#include "audit/paths.h"
#include "audit/schema.h"
#include "audit/trail.h"

static int read_failed(fw_err *err, const char *what);

void fw_yuan(long long fen, char out[32])
{
    char digits[32];
    unsigned long long a = fen < 0 ? (unsigned long long)(-(fen + 1)) + 1 : (unsigned long long)fen;
    snprintf(digits, sizeof digits, "%llu", a / 100);
    size_t n = strlen(digits), o = 0;
    if (fen < 0)
        out[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    snprintf(out + o, 32 - o, ".%02llu", a % 100);
}

/* --- overview ----------------------------------------------------------------------------------- */

/* The present hits read once (on SQLite NOT INDEXED: one sequential pass beats walking an index in
 * group order and visiting the rows at random, 10 s against 1.5 s at a million hits; PostgreSQL's
 * planner chooses the pass itself), each figure's set of hits as grp = section, U+001F, item, and
 * per set its hits, dates and money from audit/money.h (each payment once). A hit counts under each
 * program of its set in the program clusters. The separator is written into the SQL as the
 * character itself, which both engines take in a string literal (SQLite's char() and PostgreSQL's
 * chr() differ). */
#define OV_SEP "\x1f"

static const char overview_hits[] =
    "ov_hit AS MATERIALIZED (SELECT h.id, h.category, h.severity, COALESCE(c.status, 'new') AS status, "
    "h.township, h.village, h.program, substr(h.first_date, 1, 7) AS month "
    "FROM hits h%s LEFT JOIN cases c ON c.id = h.case_id WHERE h.state = 'present'),\n";

/* ov_split is recursive: WITH RECURSIVE, which PostgreSQL needs and SQLite accepts. Its NULL is
 * typed, as PostgreSQL wants the recursion's column types fixed by its first term. */
static const char overview_sets[] =
    "ov_split(id, program, rest) AS (SELECT id, CAST(NULL AS TEXT), program || ',' FROM ov_hit WHERE program <> '' "
    "UNION ALL SELECT id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) "
    "FROM ov_split WHERE rest <> ''),\n"
    "ov_set(grp, hit_id) AS MATERIALIZED ("
    "SELECT 'total" OV_SEP "hits', id FROM ov_hit "
    "UNION ALL SELECT 'category" OV_SEP "' || category, id FROM ov_hit "
    "UNION ALL SELECT 'severity" OV_SEP "' || severity, id FROM ov_hit "
    "UNION ALL SELECT 'status" OV_SEP "' || status, id FROM ov_hit "
    "UNION ALL SELECT 'village" OV_SEP "' || COALESCE(township, '') || ' ' || COALESCE(village, ''), id FROM ov_hit "
    "WHERE township IS NOT NULL OR village IS NOT NULL "
    "UNION ALL SELECT DISTINCT 'program_month" OV_SEP "' || s.program || ' ' || COALESCE(h.month, ''), h.id "
    "FROM ov_split s JOIN ov_hit h ON h.id = s.id WHERE s.program <> ''),\n";

/* Money as BIGINT: PostgreSQL's sum of integers is numeric, which would read as a real. */
static const char overview_figures[] =
    "ov_fig(section, item, n, paid, other, first, last) AS MATERIALIZED (SELECT "
    "substr(grp, 1, instr(grp, '" OV_SEP "') - 1), substr(grp, instr(grp, '" OV_SEP "') + 1), hits, "
    "CAST(paid AS BIGINT), CAST(other AS BIGINT), first, last FROM fw_money)\n";

/* The overview's SQL for one engine. Every NULL of a number column is typed and every subquery in
 * FROM named: PostgreSQL resolves a UNION's column types pair by pair (an untyped NULL becomes text
 * and then meets a number) and wants an alias on each subquery. */
static char *overview_sql(int top, bool sqlite)
{
    fw_buf sql = {0};
    char *money = fw_money_ctes_on("ov_set", "SELECT id FROM ov_hit");
    fw_buf_puts(&sql, "WITH RECURSIVE ");
    fw_buf_printf(&sql, overview_hits, sqlite ? " NOT INDEXED" : "");
    fw_buf_printf(&sql, "%s%s,\n%s", overview_sets, money, overview_figures);
    free(money);
    /* Datasets, in the contract's order. */
    for (int i = 0; i < fw_ndatasets; i++) {
        const char *n = fw_datasets[i].name;
        fw_buf_printf(&sql,
                      "SELECT 'dataset' AS section, '%s' AS item, CAST((SELECT count(*) FROM ds_%s) AS BIGINT) AS count, "
                      "CAST(%s AS BIGINT) AS amount, CAST(NULL AS BIGINT) AS other_amount, "
                      "CAST((SELECT coalesce(sum(rows_rejected), 0) FROM imports WHERE dataset = '%s') AS BIGINT) "
                      "AS rejected, "
                      "(SELECT min(min_date) FROM imports WHERE dataset = '%s' AND status = 'loaded') AS first, "
                      "(SELECT max(max_date) FROM imports WHERE dataset = '%s' AND status = 'loaded') AS last\n"
                      "UNION ALL ",
                      n, n, strcmp(n, "payments") == 0 ? "(SELECT sum(amount) FROM ds_payments)" : "NULL", n, n,
                      n);
    }
    fw_buf_printf(
        &sql,
        "SELECT * FROM (SELECT 'run', '#' || id || ' ' || status, CAST(hits_new + hits_present AS BIGINT), "
        "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), "
        "started_at, finished_at FROM runs ORDER BY id DESC LIMIT 1) ov_run\n"
        "UNION ALL SELECT 'total', 'hits', (SELECT count(*) FROM ov_hit), "
        "COALESCE((SELECT paid FROM ov_fig WHERE section = 'total'), 0), "
        "COALESCE((SELECT other FROM ov_fig WHERE section = 'total'), 0), CAST(NULL AS BIGINT), "
        "(SELECT first FROM ov_fig WHERE section = 'total'), (SELECT last FROM ov_fig WHERE section = 'total')\n"
        "UNION ALL SELECT 'total', 'cases', count(*), CAST(coalesce(sum(to_recover), 0) AS BIGINT), "
        "CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), min(created_at), max(updated_at) FROM cases\n"
        /* verification orders (docs/orders.md), once there are any: those still open (neither
         * settled nor cancelled) and how many of them are past their due date */
        "UNION ALL SELECT 'total', '" FW_OV_ORDERS_OPEN "', (SELECT count(*) FROM orders WHERE state <> 'settled' "
        "AND cancelled_at IS NULL), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), "
        "CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM orders WHERE id = (SELECT min(id) FROM orders)\n"
        "UNION ALL SELECT 'total', '" FW_OV_ORDERS_OVERDUE "', (SELECT count(*) FROM orders WHERE state <> 'settled' "
        "AND cancelled_at IS NULL AND due_date < %s), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), "
        "CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM orders WHERE id = (SELECT min(id) FROM orders)\n"
        "UNION ALL SELECT * FROM (SELECT section, item, n, paid, other, CAST(NULL AS BIGINT), first, last FROM ov_fig "
        "WHERE section = 'category' ORDER BY n DESC, item) ov_category\n"
        "UNION ALL SELECT * FROM (SELECT section, item, n, paid, other, CAST(NULL AS BIGINT), first, last FROM ov_fig "
        "WHERE section = 'severity' ORDER BY CASE item WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END) ov_severity\n"
        "UNION ALL SELECT * FROM (SELECT section, item, n, paid, other, CAST(NULL AS BIGINT), first, last FROM ov_fig "
        "WHERE section = 'status' ORDER BY n DESC, item) ov_status\n"
        "UNION ALL SELECT * FROM (SELECT section, item, n, paid, other, CAST(NULL AS BIGINT), first, last FROM ov_fig "
        "WHERE section = 'village' ORDER BY n DESC, item LIMIT %d) ov_village\n"
        "UNION ALL SELECT * FROM (SELECT section, item, n, paid, other, CAST(NULL AS BIGINT), first, last FROM ov_fig "
        "WHERE section = 'program_month' ORDER BY n DESC, item LIMIT %d) ov_program_month",
        sqlite ? "date('now', 'localtime')" : "CAST(CURRENT_DATE AS TEXT)", top, top);
    return fw_buf_steal(&sql);
}

int fw_overview_prepare(fw_ws *ws, int top, fw_rows **rows, fw_err *err)
{
    *rows = NULL;
    char *sqlite = overview_sql(top, true), *postgres = overview_sql(top, false);
    const fw_sql q = {.name = "browse.overview", .sql = sqlite, .postgres = postgres};
    fw_stmt *st;
    int rc = fw_db_prepare_named(ws->store, &q, &st, err);
    free(sqlite);
    free(postgres);
    if (rc != FW_OK)
        return read_failed(err, _("the overview"));
    *rows = fw_rows_of(st);
    return FW_OK;
}

static char *rows_dup(fw_rows *r, int i)
{
    const char *v = fw_rows_text(r, i);
    return v ? fw_strdup(v) : NULL;
}

static long long rows_int_or(fw_rows *r, int i, long long dflt)
{
    return fw_rows_is_null(r, i) ? dflt : fw_rows_int(r, i);
}

int fw_overview_load(fw_ws *ws, int top, fw_overview *ov, fw_err *err)
{
    return fw_overview_load_until(ws, top, NULL, NULL, ov, err);
}

int fw_overview_load_until(fw_ws *ws, int top, bool (*stop)(void *ctx), void *ctx, fw_overview *ov, fw_err *err)
{
    fw_rows *rows;
    memset(ov, 0, sizeof *ov);
    if (stop && stop(ctx))
        return fw_fail(err, FW_EINTR, _("The overview's figures were not computed: stopped."));
    if (fw_overview_prepare(ws, top, &rows, err))
        return err->code;
    if (stop) /* the store asks stop() every millisecond or so while the query runs */
        fw_db_watch_fn(ws->store, stop, ctx);
    int cap = 0, rc;
    while ((rc = fw_rows_step(rows, err)) == 1) {
        if (ov->n == cap) {
            cap = cap ? cap * 2 : 32;
            ov->rows = fw_realloc(ov->rows, (size_t)cap * sizeof *ov->rows);
        }
        fw_ov_row *r = &ov->rows[ov->n++];
        r->section = rows_dup(rows, 0);
        r->item = rows_dup(rows, 1);
        if (!r->item)
            r->item = fw_strdup("");
        r->count = rows_int_or(rows, 2, -1);
        r->amount = rows_int_or(rows, 3, -1);
        r->other = rows_int_or(rows, 4, -1);
        r->rejected = rows_int_or(rows, 5, -1);
        r->first = rows_dup(rows, 6);
        r->last = rows_dup(rows, 7);
    }
    fw_rows_close(rows);
    if (stop)
        fw_db_watch_fn(ws->store, NULL, NULL);
    if (rc < 0) {
        fw_overview_free(ov);
        if (stop && stop(ctx))
            return fw_fail(err, FW_EINTR, _("The overview's figures were not computed: stopped."));
        return read_failed(err, _("the overview"));
    }
    return FW_OK;
}

void fw_overview_free(fw_overview *ov)
{
    for (int i = 0; i < ov->n; i++) {
        free(ov->rows[i].section);
        free(ov->rows[i].item);
        free(ov->rows[i].first);
        free(ov->rows[i].last);
    }
    free(ov->rows);
    memset(ov, 0, sizeof *ov);
}

/* --- filters ------------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    const char *expr; /* NULL: the hit id alone */
    bool nullable;    /* a village's hit has no person: NULL sorts first, on both engines */
} sorts[FW_SORT_COUNT_] = {
    [FW_SORT_ID] = {"id", NULL},
    [FW_SORT_SEVERITY] = {"severity", SEVERITY_RANK},
    [FW_SORT_RULE] = {"rule", "h.rule_id"},
    [FW_SORT_NAME] = {"name", "h.name", true},
    [FW_SORT_ID_NUMBER] = {"id_number", "h.id_number", true},
    [FW_SORT_VILLAGE] = {"village", "h.village", true},
    [FW_SORT_PROGRAM] = {"program", "h.program", true},
    [FW_SORT_AMOUNT] = {"amount", "h.amount"},
    /* The case's workflow rank, kept on the hit by triggers (audit/schema.c, browse section). */
    [FW_SORT_STATUS] = {"status", "h.case_rank"},
};

const char *fw_hit_sort_name(enum fw_hit_sort s)
{
    return s < FW_SORT_COUNT_ ? sorts[s].name : "?";
}

/* Empties f except its search (the filter line and the search are typed apart). */
static void filter_clear_fields(fw_hit_filter *f)
{
    char *search = f->search;
    f->search = NULL;
    fw_hit_filter_free(f);
    f->search = search;
}

/* "12.50" (yuan) -> 1250 fen; -1 when not a number. */
static long long parse_yuan(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < 0 || v > 9e13)
        return -1;
    return (long long)(v * 100 + 0.5);
}

/* The words of the filter syntax, each in English and in Chinese: both are read, the interface's
 * language is written (`category=死亡人员` and `类别=死亡人员` mean the same). */
enum filter_word { FW_CATEGORY_W, FW_RULE_W, FW_SEVERITY_W, FW_STATUS_W, FW_TOWNSHIP_W, FW_VILLAGE_W, FW_PROGRAM_W,
                   FW_AMOUNT_W, FW_ALL_W, FW_NWORDS };
static const struct { const char *en, *zh; } filter_words[FW_NWORDS] = {
    [FW_CATEGORY_W] = {"category", "类别"}, [FW_RULE_W] = {"rule", "规则"},      [FW_SEVERITY_W] = {"severity", "风险"},
    [FW_STATUS_W] = {"status", "状态"},     [FW_TOWNSHIP_W] = {"township", "乡镇"}, [FW_VILLAGE_W] = {"village", "村"},
    [FW_PROGRAM_W] = {"program", "项目"},   [FW_AMOUNT_W] = {"amount", "金额"},   [FW_ALL_W] = {"all", "全部"},
};

static const char *filter_word(enum filter_word w)
{
    return fw_i18n_chinese() ? filter_words[w].zh : filter_words[w].en;
}

/* When word w starts with filter word k (either language) followed by op, the rest; else NULL. */
static const char *after_word(const char *w, enum filter_word k, const char *op)
{
    const char *names[] = {filter_words[k].en, filter_words[k].zh};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(names[i]), m = strlen(op);
        if (strncmp(w, names[i], n) == 0 && strncmp(w + n, op, m) == 0)
            return w + n + m;
    }
    return NULL;
}

int fw_hit_filter_parse(fw_hit_filter *f, const char *text, fw_err *err)
{
    fw_hit_filter nf;
    fw_hit_filter_init(&nf);
    char *copy = fw_strdup(text ? text : "");
    int rc = FW_OK;
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        char **slot = NULL;
        const char *val = NULL, *v;
        long long amount;
        char **slots[] = {[FW_CATEGORY_W] = &nf.category, [FW_RULE_W] = &nf.rule_id, [FW_SEVERITY_W] = &nf.severity,
                          [FW_STATUS_W] = &nf.status,     [FW_TOWNSHIP_W] = &nf.township, [FW_VILLAGE_W] = &nf.village,
                          [FW_PROGRAM_W] = &nf.program};
        for (int k = FW_CATEGORY_W; k <= FW_PROGRAM_W && !slot; k++)
            if ((val = after_word(w, (enum filter_word)k, "=")))
                slot = slots[k];
        if (slot && *val) {
            free(*slot);
            *slot = fw_strdup(val);
            if (slot == &nf.rule_id)
                for (char *c = *slot; *c; c++)
                    *c = (char)toupper((unsigned char)*c);
        } else if ((v = after_word(w, FW_AMOUNT_W, ">=")) && (amount = parse_yuan(v)) >= 0) {
            nf.has_min = true;
            nf.min_amount = amount;
        } else if ((v = after_word(w, FW_AMOUNT_W, "<=")) && (amount = parse_yuan(v)) >= 0) {
            nf.has_max = true;
            nf.max_amount = amount;
        } else if (strcmp(w, filter_words[FW_ALL_W].en) == 0 || strcmp(w, filter_words[FW_ALL_W].zh) == 0) {
            free(nf.state);
            nf.state = fw_strdup("all");
        } else {
            rc = fw_fail(err, FW_EUSAGE,
                         _("Filter word '%s' not understood: use category= rule= severity= status= "
                           "township= village= program= amount>= amount<= or all."),
                         w);
            break;
        }
    }
    free(copy);
    if (rc) {
        filter_clear_fields(&nf);
        return rc;
    }
    filter_clear_fields(f);
    nf.search = f->search;
    *f = nf;
    return FW_OK;
}

char *fw_hit_filter_format(const fw_hit_filter *f)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    /* Vocabulary words as the interface shows them (the parser reads labels as well as codes). */
    const struct { enum filter_word key; const char *v; } kv[] = {
        {FW_CATEGORY_W, f->category ? fw_label_show(fw_categories, f->category) : NULL},
        {FW_RULE_W, f->rule_id},
        {FW_SEVERITY_W, f->severity ? fw_label_show(fw_severities, f->severity) : NULL},
        {FW_STATUS_W, f->status ? fw_label_show(fw_case_statuses, f->status) : NULL},
        {FW_TOWNSHIP_W, f->township}, {FW_VILLAGE_W, f->village}, {FW_PROGRAM_W, f->program},
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (kv[i].v && *kv[i].v)
            fw_buf_printf(&b, "%s%s=%s", b.len ? " " : "", filter_word(kv[i].key), kv[i].v);
    if (f->has_min)
        fw_buf_printf(&b, "%s%s>=%lld.%02lld", b.len ? " " : "", filter_word(FW_AMOUNT_W), f->min_amount / 100,
                      f->min_amount % 100);
    if (f->has_max)
        fw_buf_printf(&b, "%s%s<=%lld.%02lld", b.len ? " " : "", filter_word(FW_AMOUNT_W), f->max_amount / 100,
                      f->max_amount % 100);
    if (fw_hit_filter_all_states(f))
        fw_buf_printf(&b, "%s%s", b.len ? " " : "", filter_word(FW_ALL_W));
    return fw_buf_steal(&b);
}

static bool looks_like_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && *s != 'X' && *s != 'x')
            return false;
    return true;
}

/* A read through the store failed: the same words as query_failed, the store's detail (which
 * already names the engine's words) in brackets. */
static int read_failed(fw_err *err, const char *what)
{
    char detail[sizeof err->msg];
    snprintf(detail, sizeof detail, "%s", err->msg);
    return fw_fail(err, FW_EWORKSPACE, _("Could not read %s from the workspace (%s)."), what, detail);
}

static char *st_dup(fw_stmt *st, int i)
{
    const char *v = fw_stmt_text(st, i);
    return v ? fw_strdup(v) : NULL;
}

static void st_copy(fw_stmt *st, int i, char *out, size_t outsz)
{
    const char *v = fw_stmt_text(st, i);
    snprintf(out, outsz, "%s", v ? v : "");
}

/* --- the hit list -------------------------------------------------------------------------------- */

void fw_hit_row_clear(fw_hit_row *r)
{
    free(r->name);
    free(r->id_number);
    free(r->township);
    free(r->village);
    free(r->program);
    free(r->detail);
    free(r->key_text);
    memset(r, 0, sizeof *r);
}

static const char hit_columns[] =
    "SELECT h.id, h.rule_id, h.category, h.severity, coalesce(c.status, 'new'), h.name, h.id_number, "
    "h.township, h.village, h.program, h.detail, h.amount, h.first_date, h.last_date, "
    "coalesce(h.case_id, 0), h.state, h.subject_kind";
enum { HIT_KEY_COLUMN = 17 }; /* the sort key, when a page query adds it after the columns above */

static void read_hit_row(fw_stmt *st, fw_hit_row *r, bool has_key)
{
    memset(r, 0, sizeof *r);
    r->id = fw_stmt_int64(st, 0);
    st_copy(st, 1, r->rule_id, sizeof r->rule_id);
    st_copy(st, 2, r->category, sizeof r->category);
    st_copy(st, 3, r->severity, sizeof r->severity);
    st_copy(st, 4, r->status, sizeof r->status);
    r->name = st_dup(st, 5);
    r->id_number = st_dup(st, 6);
    r->township = st_dup(st, 7);
    r->village = st_dup(st, 8);
    r->program = st_dup(st, 9);
    r->detail = st_dup(st, 10);
    r->amount = fw_stmt_int64(st, 11);
    st_copy(st, 12, r->first_date, sizeof r->first_date);
    st_copy(st, 13, r->last_date, sizeof r->last_date);
    r->case_id = fw_stmt_int64(st, 14);
    st_copy(st, 15, r->state, sizeof r->state);
    st_copy(st, 16, r->subject_kind, sizeof r->subject_kind);
    r->key_type = FW_DBT_INT;
    r->key_int = r->id;
    if (has_key) {
        r->key_type = fw_stmt_type(st, HIT_KEY_COLUMN);
        if (r->key_type == FW_DBT_INT)
            r->key_int = fw_stmt_int64(st, HIT_KEY_COLUMN);
        else if (r->key_type != FW_DBT_NULL) {
            r->key_type = FW_DBT_TEXT;
            r->key_text = st_dup(st, HIT_KEY_COLUMN);
        }
    }
}

/* An equality filter (rule, category, village...) can be served two ways: read its rows through its
 * index and sort them, or walk the sort order's index and skip the rows that do not match. SQLite
 * always picks the first (its costs cannot weigh the LIMIT), which sorts 80,000 rows per page for a
 * rule at a million hits (250 ms). Walking is fast when matches are common (a page needs about
 * total/matches rows read), sorting when they are few, so count matches up to BROAD_FILTER_ROWS on
 * the filter's index (a few ms) and choose: both ways then stay far under 50 ms a page. */
enum { BROAD_FILTER_ROWS = 20000 };

static bool filter_is_broad(fw_ws *ws, const fw_hit_filter *f)
{
    if (f->search && *f->search)
        return false;
    /* Only the equality columns, so that the count reads their index alone (no row lookups): an
     * estimate that also counts gone hits, which is all the choice needs. */
    fw_err err = {0};
    fw_hit_where w;
    if (fw_hit_where_build(ws, f, FW_HW_EQUALITIES, &w, &err))
        return false;
    bool broad = false;
    fw_stmt *st;
    char *sql = fw_printf("SELECT count(*) FROM (SELECT 1 FROM hits h WHERE 1 = 1%s LIMIT %d) x", w.sql.data,
                          BROAD_FILTER_ROWS);
    if (w.n && fw_db_prepare(ws->store, sql, &st, &err) == FW_OK) {
        fw_hit_where_bind(&w, st, 1);
        broad = fw_stmt_step(st, &err) == 1 && fw_stmt_int64(st, 0) >= BROAD_FILTER_ROWS;
        fw_stmt_finalize(st);
    }
    free(sql);
    fw_hit_where_free(&w);
    return broad;
}

/* The values of a page's condition on the sort key: the anchor's key and id (borrowed). */
typedef struct key_binds {
    int n;
    struct fw_hit_bind v[2];
} key_binds;

static void key_int(key_binds *b, long long i) { b->v[b->n++] = (struct fw_hit_bind){.is_int = true, .i = i}; }

static void bind_anchor_key(key_binds *b, const fw_hit_row *a)
{
    if (a->key_type == FW_DBT_INT)
        key_int(b, a->key_int);
    else
        b->v[b->n++] = (struct fw_hit_bind){.s = a->key_text ? a->key_text : ""};
}

/* How a page is read: by walking the sort order's index past the rows of other values (broad
 * filters, see filter_is_broad), and the pair's column ordered by first (page_lead, or NULL). */
typedef struct page_how {
    bool walk;
    const char *lead;
    /* The key can be NULL and the engine is PostgreSQL, which sorts NULL last (SQLite: first): the
     * order says NULLS FIRST (ascending) or LAST (descending), as SQLite's is, so the anchors' NULL
     * side (fetch_beyond) is the same on both, and migration 18's indexes are made in that order. */
    bool nulls_first;
} page_how;

/* Runs one page query: hits matching the filter and `cond` (with its binds), ordered by the sort
 * key ascending or descending, appended to out from *got up to n. */
static int page_query(fw_ws *ws, const fw_hit_filter *f, const page_how *how, const char *expr, const char *cond,
                      const key_binds *b, bool ascending, int n, fw_hit_row *out, int *got, fw_err *err)
{
    fw_hit_where w;
    if (fw_hit_where_build_lead(ws, f, how->walk ? FW_HW_WALK : 0, how->lead, &w, err))
        return err->code;
    fw_buf sql = {0};
    fw_buf_puts(&sql, hit_columns);
    if (expr)
        fw_buf_printf(&sql, ", %s", expr);
    fw_buf_printf(&sql, FW_HITS_FROM " WHERE 1 = 1%s AND (%s)", w.sql.data, cond);
    const char *dir = ascending ? "" : " DESC";
    if (how->lead) /* fixed by the filter: orders nothing, but only the pair's index gives this order */
        fw_buf_printf(&sql, " ORDER BY %s%s,", how->lead, dir);
    else
        fw_buf_puts(&sql, " ORDER BY");
    const char *nulls = !how->nulls_first ? "" : ascending ? " NULLS FIRST" : " NULLS LAST";
    if (expr)
        fw_buf_printf(&sql, " %s%s%s, h.id%s LIMIT ?", expr, dir, nulls, dir);
    else
        fw_buf_printf(&sql, " h.id%s LIMIT ?", dir);
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, sql.data, &st, err);
    fw_buf_free(&sql);
    if (rc) {
        fw_hit_where_free(&w);
        return read_failed(err, _("the hit list"));
    }
    int next = fw_hit_where_bind(&w, st, 1);
    fw_hit_where_free(&w);
    for (int i = 0; i < b->n; i++, next++) {
        if (b->v[i].is_int)
            fw_stmt_bind_int64(st, next, b->v[i].i);
        else
            fw_stmt_bind_text(st, next, b->v[i].s, -1);
    }
    fw_stmt_bind_int64(st, next, n - *got);
    rc = 0;
    while (*got < n && (rc = fw_stmt_step(st, err)) == 1)
        read_hit_row(st, &out[(*got)++], expr != NULL);
    fw_stmt_finalize(st);
    if (rc < 0)
        return read_failed(err, _("the hit list"));
    return FW_OK;
}

/* Fetches rows whose key is greater (in ascending order) or smaller (descending order) than the
 * anchor. SQLite sorts NULL below every value; a row value comparison with NULL is never true, so
 * the NULL keys are fetched by a separate query on their side of the range. */
static int fetch_beyond(fw_ws *ws, const fw_hit_filter *f, const page_how *how, const char *expr, const fw_hit_row *a,
                        bool greater, int n, fw_hit_row *out, int *got, fw_err *err)
{
    key_binds b = {0}, none = {0};
    int rc = FW_OK;
    if (!expr) {
        if (a)
            key_int(&b, a->id);
        return page_query(ws, f, how, NULL, a ? (greater ? "h.id > ?" : "h.id < ?") : "1 = 1", &b, greater, n,
                          out, got, err);
    }
    if (!a)
        return page_query(ws, f, how, expr, "1 = 1", &b, greater, n, out, got, err);
    char *cond;
    bool null_key = a->key_type == FW_DBT_NULL;
    if (greater && null_key) {
        key_int(&b, a->id);
        cond = fw_printf("%s IS NULL AND h.id > ?", expr);
        rc = page_query(ws, f, how, expr, cond, &b, true, n, out, got, err);
        free(cond);
        if (!rc && *got < n) {
            cond = fw_printf("%s IS NOT NULL", expr);
            rc = page_query(ws, f, how, expr, cond, &none, true, n, out, got, err);
            free(cond);
        }
    } else if (greater) {
        bind_anchor_key(&b, a);
        key_int(&b, a->id);
        cond = fw_printf("(%s, h.id) > (?, ?)", expr);
        rc = page_query(ws, f, how, expr, cond, &b, true, n, out, got, err);
        free(cond);
    } else if (null_key) {
        key_int(&b, a->id);
        cond = fw_printf("%s IS NULL AND h.id < ?", expr);
        rc = page_query(ws, f, how, expr, cond, &b, false, n, out, got, err);
        free(cond);
    } else {
        bind_anchor_key(&b, a);
        key_int(&b, a->id);
        cond = fw_printf("(%s, h.id) < (?, ?)", expr);
        rc = page_query(ws, f, how, expr, cond, &b, false, n, out, got, err);
        free(cond);
        if (!rc && *got < n) {
            cond = fw_printf("%s IS NULL", expr);
            rc = page_query(ws, f, how, expr, cond, &none, false, n, out, got, err);
            free(cond);
        }
    }
    return rc;
}

/* True when every hit the filter lets through has the same sort key. */
static bool sort_fixed_by_filter(const fw_hit_filter *f, enum fw_hit_sort sort)
{
    const char *v = sort == FW_SORT_SEVERITY ? f->severity
                    : sort == FW_SORT_RULE   ? f->rule_id
                    : sort == FW_SORT_VILLAGE ? f->village
                    : sort == FW_SORT_PROGRAM ? f->program
                    : sort == FW_SORT_STATUS  ? f->status
                                              : NULL;
    return v && *v;
}

/* The column of the filter's equality that an index of the schema leads with, going on in the
 * sort's order ("h.rule_id"...), or NULL: the (filter, sort key) pairs of audit/schema.c for the
 * sorts by few values, and for the id order every single-column index (a rule's, severity's,
 * program's, village's or status's hits in id order); and the two pairs of a sort by many values
 * that goes with its filter (township and ID number, program and amount). The planner then reads
 * the page in order, and walking must not stop it. */
static const char *pair_lead(const fw_hit_filter *f, enum fw_hit_sort sort)
{
    const struct { const char *v, *col; } paired[] = {
        {f->rule_id, "h.rule_id"}, {f->category, "h.category"}, {f->severity, "h.severity"},
        {f->township, "h.township"}, {f->program, "h.program"}};
    const struct { const char *v, *col; } id_ordered[] = {
        {f->rule_id, "h.rule_id"}, {f->severity, "h.severity"}, {f->program, "h.program"},
        {f->village, "h.village"}, {f->status, "h.case_rank"}};
    bool few_values = sort == FW_SORT_SEVERITY || sort == FW_SORT_RULE || sort == FW_SORT_PROGRAM ||
                      sort == FW_SORT_STATUS;
    if (few_values)
        for (size_t i = 0; i < sizeof paired / sizeof paired[0]; i++)
            if (paired[i].v && *paired[i].v)
                return paired[i].col;
    if (sort == FW_SORT_ID)
        for (size_t i = 0; i < sizeof id_ordered / sizeof id_ordered[0]; i++)
            if (id_ordered[i].v && *id_ordered[i].v)
                return id_ordered[i].col;
    if (sort == FW_SORT_ID_NUMBER && f->township && *f->township)
        return "h.township";
    if (sort == FW_SORT_AMOUNT && f->program && *f->program)
        return "h.program";
    return NULL;
}

static bool pair_indexed(const fw_hit_filter *f, enum fw_hit_sort sort) { return pair_lead(f, sort) != NULL; }

/* The column a page on PostgreSQL orders by first (see fw_hit_where_build_lead): the pair's
 * leading column, else NULL. Not the program: its filter names the program's sets (an IN list),
 * which orders nothing. On SQLite the page is written as before (its planner takes the pair). */
static const char *page_lead(fw_ws *ws, const fw_hit_filter *f, enum fw_hit_sort sort)
{
    /* A search, an amount, cases or a run narrow the list more than an equality may: the planner
     * keeps its choice (the search 张 under rule=R-005 read the rule's 83,000 hits through the pair
     * in 67 ms, where the name index finds none at once). */
    bool narrower = (f->search && *f->search) || f->has_min || f->has_max || f->ncases > 0 || f->run_id;
    if (fw_db_engine(ws->store) != FW_DB_POSTGRES || narrower)
        return NULL;
    const char *lead = pair_lead(f, sort);
    return lead && strcmp(lead, "h.program") != 0 ? lead : NULL;
}

int fw_hits_page(fw_ws *ws, const fw_hit_filter *f, enum fw_hit_sort sort, bool desc,
                 const fw_hit_row *anchor, bool backward, int n, fw_hit_row *out, int *got,
                 fw_err *err)
{
    *got = 0;
    if (sort >= FW_SORT_COUNT_)
        sort = FW_SORT_ID;
    /* Moving forward in an ascending list means larger keys; every other case follows. */
    bool greater = desc == backward;
    /* A sort key the filter fixes (rule=X under the rule sort) orders nothing: the list is in id
     * order, which the filter's own index gives without a sort (and keeps no key). Likewise the id
     * sort itself: walking the table in id order would skip every non-match, and hits are stored
     * rule by rule, so a rule's hits sit in one block of ids. */
    bool fixed = sort_fixed_by_filter(f, sort);
    const char *expr = fixed ? NULL : sorts[sort].expr;
    /* The lead on the first page only: a page after an anchor has its condition on (key, id), which
     * PostgreSQL's planner already serves from the pair with the equality (an anchor's range of the
     * key alone, without the lead, made it scan the key's index and sort: 2 s). */
    enum fw_hit_sort order = fixed ? FW_SORT_ID : sort;
    page_how how = {.walk = !fixed && !pair_indexed(f, sort) && filter_is_broad(ws, f),
                    .lead = anchor ? NULL : page_lead(ws, f, order),
                    .nulls_first = expr && sorts[sort].nullable && fw_db_engine(ws->store) == FW_DB_POSTGRES};
    int rc = fetch_beyond(ws, f, &how, expr, anchor, greater, n, out, got, err);
    if (rc) {
        for (int i = 0; i < *got; i++)
            fw_hit_row_clear(&out[i]);
        *got = 0;
        return rc;
    }
    if (backward) /* fetched walking away from the anchor: put back in list order */
        for (int i = 0, j = *got - 1; i < j; i++, j--) {
            fw_hit_row t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
    return FW_OK;
}

int fw_hit_filter_narrow(fw_hit_filter *f, const char *words, bool *empty, fw_err *err)
{
    fw_hit_filter more;
    fw_hit_filter_init(&more);
    *empty = false;
    if (fw_hit_filter_parse(&more, words, err))
        return err->code;
    struct { char **have; char *add; } eq[] = {
        {&f->category, more.category}, {&f->rule_id, more.rule_id}, {&f->severity, more.severity},
        {&f->status, more.status},     {&f->township, more.township}, {&f->village, more.village},
        {&f->program, more.program},
    };
    for (size_t i = 0; i < sizeof eq / sizeof eq[0]; i++) {
        if (!eq[i].add)
            continue;
        if (*eq[i].have && strcmp(*eq[i].have, eq[i].add) != 0)
            *empty = true;
        free(*eq[i].have);
        *eq[i].have = fw_strdup(eq[i].add);
    }
    if (more.has_min && (!f->has_min || more.min_amount > f->min_amount)) {
        f->has_min = true;
        f->min_amount = more.min_amount;
    }
    if (more.has_max && (!f->has_max || more.max_amount < f->max_amount)) {
        f->has_max = true;
        f->max_amount = more.max_amount;
    }
    /* `all` cannot widen a list of present hits: both must hold. */
    fw_hit_filter_free(&more);
    return FW_OK;
}

int fw_hit_ids(fw_ws *ws, const fw_hit_filter *f, long long **ids, long long *n, fw_err *err)
{
    *ids = NULL;
    *n = 0;
    fw_hit_where w;
    if (fw_hit_where_build(ws, f, 0, &w, err))
        return err->code;
    char *sql = fw_printf("SELECT h.id" FW_HITS_FROM " WHERE 1 = 1%s ORDER BY h.id", w.sql.data);
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, sql, &st, err);
    free(sql);
    if (rc) {
        fw_hit_where_free(&w);
        return read_failed(err, _("the hit list"));
    }
    fw_hit_where_bind(&w, st, 1);
    fw_hit_where_free(&w);
    long long cap = 0;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            *ids = fw_realloc(*ids, (size_t)cap * sizeof **ids);
        }
        (*ids)[(*n)++] = fw_stmt_int64(st, 0);
    }
    fw_stmt_finalize(st);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return read_failed(err, _("the hit list"));
    }
    return FW_OK;
}

int fw_hits_cases(fw_ws *ws, const long long *ids, long long n, long long **cases, long long *ncases,
                  long long *without, fw_err *err)
{
    *cases = NULL;
    *ncases = 0;
    *without = 0;
    /* The ids go through a temporary table: one join instead of a query per marked hit. */
    if (fw_ws_exec(ws, "CREATE TEMP TABLE IF NOT EXISTS browse_marked(id INTEGER PRIMARY KEY); "
                       "DELETE FROM browse_marked", err))
        return err->code;
    fw_stmt *ins, *st;
    if (fw_db_prepare(ws->store, "INSERT INTO browse_marked VALUES (?) ON CONFLICT DO NOTHING", &ins, err))
        return read_failed(err, _("the marked hits"));
    /* Inside the caller's transaction, one savepoint around the inserts; outside one, each insert
     * commits on its own (the store opens no transaction behind a caller's back; the table is a
     * TEMP one, so no workspace journal is written for it). */
    bool sp = fw_db_in_txn(ws->store);
    int rc = sp ? fw_db_savepoint(ws->store, "browse_marked", err) : FW_OK;
    for (long long i = 0; i < n && rc == FW_OK; i++) {
        fw_stmt_bind_int64(ins, 1, ids[i]);
        if (fw_stmt_step(ins, err) < 0)
            rc = err->code;
        fw_stmt_reset(ins);
    }
    fw_stmt_finalize(ins);
    if (rc == FW_OK && sp)
        rc = fw_db_release(ws->store, "browse_marked", err);
    if (rc) {
        if (sp) { /* leave the caller's transaction as it was */
            fw_err ignored = {0};
            if (fw_db_rollback_to(ws->store, "browse_marked", &ignored) == FW_OK)
                fw_db_release(ws->store, "browse_marked", &ignored);
        }
        return read_failed(err, _("the marked hits"));
    }
    if (fw_db_prepare(ws->store,
                      "SELECT h.case_id, count(*) FROM browse_marked m JOIN hits h ON h.id = m.id "
                      "GROUP BY h.case_id ORDER BY h.case_id",
                      &st, err))
        return read_failed(err, _("the marked hits"));
    long long cap = 0;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        if (fw_stmt_is_null(st, 0)) {
            *without += fw_stmt_int64(st, 1);
            continue;
        }
        if (*ncases == cap) {
            cap = cap ? cap * 2 : 256;
            *cases = fw_realloc(*cases, (size_t)cap * sizeof **cases);
        }
        (*cases)[(*ncases)++] = fw_stmt_int64(st, 0);
    }
    fw_stmt_finalize(st);
    fw_err ignored = {0};
    fw_db_exec(ws->store, "DELETE FROM browse_marked", &ignored);
    if (rc < 0) {
        free(*cases);
        *cases = NULL;
        *ncases = 0;
        return read_failed(err, _("the marked hits"));
    }
    return FW_OK;
}

void fw_hit_totals_init(fw_ws *ws, fw_hit_totals *t)
{
    memset(t, 0, sizeof *t);
    t->max_id = fw_ws_int(ws, "SELECT coalesce(max(id), 0) FROM hits");
    t->next_id = 1;
    t->done = t->max_id == 0;
}

void fw_hit_totals_free(fw_hit_totals *t)
{
    fw_money_acc_end(&t->money);
}

int fw_hit_totals_step(fw_ws *ws, const fw_hit_filter *f, fw_hit_totals *t, long long slice,
                       fw_err *err)
{
    if (t->done)
        return 1;
    if (t->money.id == 0 && fw_money_acc_begin(ws, &t->money, err))
        return -1;
    fw_hit_where w;
    if (fw_hit_where_build(ws, f, 0, &w, err))
        return -1;
    char *sql = fw_printf("SELECT h.id" FW_HITS_FROM " WHERE h.id >= ? AND h.id < ?%s", w.sql.data);
    /* The slice's hits go to the running total (audit/money.h), where a payment met in an earlier
     * slice is not counted again. */
    char *add = fw_money_acc_add_sql(&t->money, sql);
    free(sql);
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, add, &st, err);
    free(add);
    if (rc == FW_OK) {
        fw_stmt_bind_int64(st, 1, t->next_id);
        fw_stmt_bind_int64(st, 2, t->next_id + slice);
        fw_hit_where_bind(&w, st, 3);
        rc = fw_money_acc_take(&t->money, st, err);
        fw_stmt_finalize(st);
    }
    fw_hit_where_free(&w);
    if (rc != FW_OK) {
        read_failed(err, _("the hit totals"));
        return -1;
    }
    t->count = t->money.hits;
    t->amount = fw_money_acc_paid(&t->money);
    t->other = t->money.other;
    t->next_id += slice;
    t->done = t->next_id > t->max_id;
    if (t->done) /* the payments' shares are needed only while slices come */
        fw_money_acc_end(&t->money);
    return t->done ? 1 : 0;
}

char **fw_hit_values(fw_ws *ws, const char *column, int limit, fw_err *err)
{
    const char *ok[] = {"category", "rule_id", "severity", "township", "village", "program"};
    bool known = false;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        known |= strcmp(ok[i], column) == 0;
    if (!known) {
        fw_fail(err, FW_EUSAGE, _("No such hit column: %s."), column);
        return NULL;
    }
    char *sql = fw_printf("SELECT DISTINCT %s FROM hits WHERE %s IS NOT NULL AND state = 'present' "
                          "ORDER BY 1 LIMIT %d",
                          column, column, limit);
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, sql, &st, err);
    free(sql);
    if (rc) {
        read_failed(err, _("the hit list"));
        return NULL;
    }
    char **v = fw_calloc((size_t)limit + 1, sizeof *v);
    int n = 0;
    while (n < limit && fw_stmt_step(st, err) == 1)
        v[n++] = st_dup(st, 0);
    fw_stmt_finalize(st);
    return v;
}

void fw_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

/* --- person detail ------------------------------------------------------------------------------ */

const char *fw_detail_section_title(enum fw_detail_section s)
{
    static const char *const titles[FW_DS_COUNT_] = {
        N_("Registry record"), N_("Household"),     N_("Payments"),
        N_("Registry evidence"), N_("Hits on this person and household"), N_("Case history"),
    };
    return s < FW_DS_COUNT_ ? titles[s] : "";
}

/* The UI speaks Chinese when the catalogue says so: the translation of the marker "en" is "zh". */
static fw_detail_row *add_row(fw_person *p, enum fw_detail_section s, int flags, const char *link,
                              int ncells)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->rows = fw_realloc(p->rows, (size_t)p->cap * sizeof *p->rows);
    }
    fw_detail_row *r = &p->rows[p->n++];
    memset(r, 0, sizeof *r);
    r->section = s;
    r->flags = flags;
    r->link = link && *link ? fw_strdup(link) : NULL;
    r->ncells = ncells;
    r->cells = fw_calloc((size_t)ncells, sizeof *r->cells);
    return r;
}

static void add_header(fw_person *p, enum fw_detail_section s, int ncells, const char *const *titles)
{
    fw_detail_row *r = add_row(p, s, FW_DR_HEADER, NULL, ncells);
    for (int i = 0; i < ncells; i++)
        r->cells[i] = fw_strdup(titles[i]);
}

/* A cell as text; money columns (listed in money_mask bits) formatted as yuan. */
static char *cell(fw_stmt *st, int i, unsigned money_mask)
{
    if (fw_stmt_is_null(st, i))
        return fw_strdup("");
    if ((money_mask >> i) & 1u) {
        char y[32];
        fw_yuan(fw_stmt_int64(st, i), y);
        return fw_strdup(y);
    }
    return st_dup(st, i);
}

/* Runs q (binding id to every ?1) and adds one row per result: cells are the columns before the
 * last two, which are the implicated flag and the link. */
static int add_query_rows(fw_ws *ws, fw_person *p, enum fw_detail_section s, const fw_sql *q,
                          const char *id, unsigned money_mask, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare_named(ws->store, q, &st, err))
        return read_failed(err, _("the person's records"));
    fw_stmt_bind_text(st, 1, id, -1);
    int nc = fw_stmt_ncols(st) - 2, rc;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        const char *link = fw_stmt_text(st, nc + 1);
        fw_detail_row *r = add_row(p, s, fw_stmt_int64(st, nc) ? FW_DR_IMPLICATED : 0, link, nc);
        for (int i = 0; i < nc; i++)
            r->cells[i] = cell(st, i, money_mask);
        if (s == FW_DS_HITS)
            r->hit_id = fw_stmt_int64(st, 0);
    }
    fw_stmt_finalize(st);
    if (rc < 0)
        return read_failed(err, _("the person's records"));
    return FW_OK;
}

static const fw_sql person_identity = {
    .name = "browse.person_identity",
    .sql = "SELECT (SELECT name FROM ds_persons WHERE id_number = ?1 LIMIT 1),"
           " (SELECT name FROM ds_payments WHERE id_number = ?1 LIMIT 1),"
           " (SELECT name FROM hits WHERE id_number = ?1 AND name IS NOT NULL LIMIT 1),"
           " (SELECT household_id FROM ds_persons WHERE id_number = ?1 AND household_id IS NOT NULL LIMIT 1),"
           " (SELECT id FROM cases WHERE id_number = ?1 OR (subject_kind = 'person' AND subject = ?1) LIMIT 1),"
           " (SELECT count(*) FROM hits WHERE id_number = ?1)",
};

/* Whether some registry holds a row of the ID number (a person no payment and no hit names). */
static bool in_a_registry(fw_ws *ws, const char *id)
{
    bool found = false;
    for (int i = 0; i < fw_ndatasets && !found; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        if (!fw_dataset_column(ds, "id_number"))
            continue;
        char *q = fw_printf("SELECT count(*) FROM ds_%s WHERE id_number = ?", ds->name);
        fw_stmt *st;
        fw_err ignored = {0};
        if (fw_db_prepare(ws->store, q, &st, &ignored) == FW_OK) {
            fw_stmt_bind_text(st, 1, id, -1);
            found = fw_stmt_step(st, &ignored) == 1 && fw_stmt_int64(st, 0) > 0;
            fw_stmt_finalize(st);
        }
        free(q);
    }
    return found;
}

static int load_identity(fw_ws *ws, const char *id, fw_person *p, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare_named(ws->store, &person_identity, &st, err))
        return read_failed(err, _("the person's records"));
    fw_stmt_bind_text(st, 1, id, -1);
    int rc = fw_stmt_step(st, err);
    if (rc != 1) {
        fw_stmt_finalize(st);
        if (rc == 0)
            fw_fail(err, FW_EWORKSPACE, "no row");
        return read_failed(err, _("the person's records"));
    }
    for (int i = 0; i < 3 && !p->name; i++)
        p->name = st_dup(st, i);
    p->household_id = st_dup(st, 3);
    p->case_id = fw_stmt_is_null(st, 4) ? 0 : fw_stmt_int64(st, 4);
    long long nhits = fw_stmt_int64(st, 5);
    fw_stmt_finalize(st);
    p->id_number = fw_strdup(id);
    /* Maybe only a registry knows this ID: look there before saying no. */
    if (!p->name && nhits == 0 && !in_a_registry(ws, id))
        return fw_fail(err, FW_ENOTFOUND, _("No dataset and no hit mentions the ID number %s."), id);
    if (!p->name)
        p->name = fw_strdup("");
    return FW_OK;
}

/* One registry's rows for the person, each as (dataset label, "label value · label value ..."). */
static int add_registry_rows(fw_ws *ws, fw_person *p, const fw_dataset *ds, const char *id, fw_err *err)
{
    if (strcmp(ds->name, "persons") == 0 || strcmp(ds->name, "payments") == 0 ||
        strcmp(ds->name, "standards") == 0 || !fw_dataset_column(ds, "id_number"))
        return FW_OK;
    char *sql = fw_printf("SELECT d.*, EXISTS (SELECT 1 FROM hit_evidence e WHERE e.dataset = '%s' AND "
                          "e.row_key = d.row_key) FROM ds_%s d WHERE d.id_number = ? ORDER BY d.line",
                          ds->name, ds->name);
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, sql, &st, err);
    free(sql);
    if (rc != FW_OK)
        return read_failed(err, _("the registry evidence"));
    fw_stmt_bind_text(st, 1, id, -1);
    bool zh = fw_ui_chinese();
    int nc = fw_stmt_ncols(st), rel_col = -1;
    if (strcmp(ds->name, "relatives") == 0) /* the link: the relative's own page */
        for (int i = 0; i < nc - 1; i++)
            if (strcmp(fw_stmt_col_name(st, i), "relative_id_number") == 0)
                rel_col = i;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        fw_buf b = {0};
        fw_buf_puts(&b, "");
        for (int i = 0; i < nc - 1; i++) {
            const char *name = fw_stmt_col_name(st, i);
            const fw_column *c = fw_dataset_column(ds, name);
            if (!c || strcmp(name, "id_number") == 0 || fw_stmt_is_null(st, i))
                continue;
            const char *v = fw_stmt_text(st, i);
            char y[32];
            if (c->type == FW_COL_MONEY) {
                fw_yuan(fw_stmt_int64(st, i), y);
                v = y;
            }
            fw_buf_printf(&b, "%s%s %s", b.len ? " · " : "", zh ? c->label_zh : c->name, v);
        }
        const char *rel_link = rel_col >= 0 ? fw_stmt_text(st, rel_col) : NULL;
        fw_detail_row *r = add_row(p, FW_DS_EVIDENCE, fw_stmt_int64(st, nc - 1) ? FW_DR_IMPLICATED : 0,
                                   rel_link, 2);
        r->cells[0] = fw_strdup(zh ? ds->label_zh : ds->label_en);
        r->cells[1] = fw_buf_steal(&b);
        fw_buf_free(&b);
    }
    fw_stmt_finalize(st);
    if (rc < 0)
        return read_failed(err, _("the registry evidence"));
    return FW_OK;
}

/* The person's case history, oldest first: each case's making and the trail records of the case,
 * every record in words (a note is its trail record; a note without one, written by an older
 * fundwatch or by hand, is listed from case_notes). */
static int add_case_history(fw_ws *ws, fw_person *p, const char *id, fw_err *err)
{
    static const char *const case_h[] = {N_("When"), N_("Who"), N_("What"), N_("Details")};
    add_header(p, FW_DS_CASE, 4, case_h);
    /* "user" quoted: bare, PostgreSQL reads it as CURRENT_USER. */
    static const fw_sql case_history = {
        .name = "browse.person_case_history",
        .sql = "SELECT at, \"user\", what, details, action, before, after FROM ("
               " SELECT c.created_at AS at, '' AS \"user\", c.case_no AS what, CAST(NULL AS TEXT) AS details,"
               "  'case.made' AS action, CAST(NULL AS TEXT) AS before, CAST(NULL AS TEXT) AS after, 0 AS seq, 0 AS k"
               "  FROM cases c WHERE c.id_number = ?1 OR c.subject = ?1"
               " UNION ALL SELECT n.at, n.\"user\", c.case_no, n.text, 'case.note', NULL, NULL, n.id, 1"
               "  FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE (c.id_number = ?1 OR c.subject = ?1)"
               "  AND NOT EXISTS (SELECT 1 FROM trail t WHERE t.object = 'case:' || c.id"
               "   AND t.action = 'case.note' AND t.at = n.at)"
               " UNION ALL SELECT t.at, t.\"user\", c.case_no, NULL, t.action, t.before, t.after, t.seq, 2"
               "  FROM trail t JOIN cases c ON t.object = 'case:' || c.id"
               "  WHERE c.id_number = ?1 OR c.subject = ?1"
               ") history ORDER BY at, k, seq",
    };
    fw_stmt *st;
    if (fw_db_prepare_named(ws->store, &case_history, &st, err))
        return read_failed(err, _("the person's records"));
    fw_stmt_bind_text(st, 1, id, -1);
    int rc;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        const char *action = fw_stmt_text(st, 4);
        const char *case_no = fw_stmt_text(st, 2);
        fw_detail_row *r = add_row(p, FW_DS_CASE, 0, NULL, 4);
        char when[FW_TIME_SIZE];
        r->cells[0] = fw_strdup(fw_time_local(fw_stmt_text(st, 0), FW_TIME_MINUTE, when, sizeof when));
        r->cells[1] = cell(st, 1, 0);
        r->cells[2] = fw_printf("%s %s", case_no ? case_no : "", fw_history_action(action, FW_WORDS_UI));
        if (!fw_stmt_is_null(st, 3))
            r->cells[3] = cell(st, 3, 0);
        else
            r->cells[3] = fw_history_details(ws, fw_stmt_text(st, 5), fw_stmt_text(st, 6), FW_WORDS_UI);
    }
    fw_stmt_finalize(st);
    if (rc < 0)
        return read_failed(err, _("the person's records"));
    return FW_OK;
}

/* The sections' queries (add_query_rows: cells, then the implicated flag and the link). */
static const fw_sql person_rows = {
    .name = "browse.person_registry",
    .sql = "SELECT name, id_number, household_id, relation, township, village, category, status, "
           "status_date, 0, NULL FROM ds_persons WHERE id_number = ?1 ORDER BY line",
};
static const fw_sql household_rows = {
    .name = "browse.person_household",
    .sql = "SELECT name, id_number, relation, status, 0, id_number FROM ds_persons "
           "WHERE household_id = (SELECT household_id FROM ds_persons WHERE id_number = ?1 "
           "AND household_id IS NOT NULL LIMIT 1) AND id_number <> ?1 "
           "ORDER BY relation <> '户主', line",
};
static const fw_sql payment_rows = {
    .name = "browse.person_payments",
    .sql = "SELECT pay_date, period, program, amount, bank_account, account_name, payment_id, "
           "EXISTS (SELECT 1 FROM hit_evidence e WHERE e.dataset = 'payments' AND "
           "e.row_key = p.row_key), NULL FROM ds_payments p WHERE id_number = ?1 "
           "ORDER BY pay_date, line",
};
/* The cadre or official this person is related to, with the relation path. SQLite takes the
 * official's columns from any row of the group; PostgreSQL wants them named: DISTINCT ON gives one
 * row per (official, relation) in the same order. */
static const fw_sql relation_rows = {
    .name = "browse.person_relation",
    .sql = "SELECT 'relation', coalesce(o.name, r.id_number) || ' (' || coalesce(o.employer, '') || "
           "' ' || coalesce(o.position, '') || ') —' || r.relation || '→ ' || ?1, "
           "1, r.id_number FROM ds_relatives r LEFT JOIN ds_officials o ON o.id_number = r.id_number "
           "WHERE r.relative_id_number = ?1 GROUP BY r.id_number, r.relation",
    .postgres = "SELECT DISTINCT ON (r.id_number, r.relation) 'relation', "
                "coalesce(o.name, r.id_number) || ' (' || coalesce(o.employer, '') || "
                "' ' || coalesce(o.position, '') || ') —' || r.relation || '→ ' || CAST(?1 AS TEXT), "
                "1, r.id_number FROM ds_relatives r LEFT JOIN ds_officials o ON o.id_number = r.id_number "
                "WHERE r.relative_id_number = ?1 ORDER BY r.id_number, r.relation",
};
/* Other people paid into the same bank account (PostgreSQL: the name of the group aggregated). */
static const fw_sql account_rows = {
    .name = "browse.person_account",
    .sql = "SELECT 'account', o.bank_account || ': ' || o.name || ' ' || o.id_number || ' ×' || "
           "count(*), 1, o.id_number FROM ds_payments o WHERE o.bank_account IN (SELECT "
           "bank_account FROM ds_payments WHERE id_number = ?1 AND bank_account IS NOT NULL) "
           "AND o.id_number <> ?1 GROUP BY o.bank_account, o.id_number ORDER BY 2 LIMIT 50",
    .postgres = "SELECT 'account', o.bank_account || ': ' || max(o.name) || ' ' || o.id_number || ' ×' || "
                "count(*), 1, o.id_number FROM ds_payments o WHERE o.bank_account IN (SELECT "
                "bank_account FROM ds_payments WHERE id_number = ?1 AND bank_account IS NOT NULL) "
                "AND o.id_number <> ?1 GROUP BY o.bank_account, o.id_number ORDER BY 2 LIMIT 50",
};
static const fw_sql hit_rows = {
    .name = "browse.person_hits",
    .sql = "SELECT id, rule_id, severity, name, amount, coalesce(first_date, '') || '…' || "
           "coalesce(last_date, ''), detail, state = 'present', id_number FROM hits "
           "WHERE id_number = ?1 OR (household_id IS NOT NULL AND household_id = "
           "(SELECT household_id FROM ds_persons WHERE id_number = ?1 AND household_id IS NOT NULL "
           "LIMIT 1)) ORDER BY id_number <> ?1, id LIMIT 500",
};

static int load_sections(fw_ws *ws, fw_person *p, fw_err *err)
{
    const char *id = p->id_number;
    static const char *const person_h[] = {N_("Name"), N_("ID number"), N_("Household no."), N_("Relation"),
                                           N_("Township"), N_("Village"), N_("Category"), N_("Status"),
                                           N_("Status date")};
    add_header(p, FW_DS_PERSON, 9, person_h);
    if (add_query_rows(ws, p, FW_DS_PERSON, &person_rows, id, 0, err))
        return err->code;

    static const char *const house_h[] = {N_("Name"), N_("ID number"), N_("Relation"), N_("Status")};
    add_header(p, FW_DS_HOUSEHOLD, 4, house_h);
    if (p->household_id && add_query_rows(ws, p, FW_DS_HOUSEHOLD, &household_rows, id, 0, err))
        return err->code;

    static const char *const pay_h[] = {N_("Date"), N_("Period"), N_("Program"), N_("Amount"),
                                        N_("Account"), N_("Account name"), N_("Payment ID")};
    add_header(p, FW_DS_PAYMENTS, 7, pay_h);
    if (add_query_rows(ws, p, FW_DS_PAYMENTS, &payment_rows, id, 1u << 3, err))
        return err->code;

    static const char *const ev_h[] = {N_("Registry"), N_("Record")};
    add_header(p, FW_DS_EVIDENCE, 2, ev_h);
    for (int i = 0; i < fw_ndatasets; i++)
        if (add_registry_rows(ws, p, &fw_datasets[i], id, err))
            return err->code;
    if (add_query_rows(ws, p, FW_DS_EVIDENCE, &relation_rows, id, 0, err) ||
        add_query_rows(ws, p, FW_DS_EVIDENCE, &account_rows, id, 0, err))
        return err->code;

    static const char *const hit_h[] = {N_("Hit"), N_("Rule"), N_("Severity"), N_("Name"), N_("Amount"),
                                        N_("Period"), N_("Detail")};
    add_header(p, FW_DS_HITS, 7, hit_h);
    if (add_query_rows(ws, p, FW_DS_HITS, &hit_rows, id, 1u << 4, err))
        return err->code;

    /* The money at issue of the hits listed (present ones), each payment once. */
    if (fw_money_of(ws,
                    "SELECT id FROM hits WHERE state = 'present' AND (id_number = ?1 OR (household_id IS NOT NULL "
                    "AND household_id = (SELECT household_id FROM ds_persons WHERE id_number = ?1 AND household_id "
                    "IS NOT NULL LIMIT 1)))",
                    id, &p->money, err))
        return err->code;

    return add_case_history(ws, p, id, err);
}

int fw_person_load(fw_ws *ws, const char *id_number, fw_person *p, fw_err *err)
{
    memset(p, 0, sizeof *p);
    int rc = load_identity(ws, id_number, p, err);
    if (!rc)
        rc = load_sections(ws, p, err);
    if (rc)
        fw_person_free(p);
    return rc;
}

void fw_person_free(fw_person *p)
{
    for (int i = 0; i < p->n; i++) {
        for (int c = 0; c < p->rows[i].ncells; c++)
            free(p->rows[i].cells[c]);
        free(p->rows[i].cells);
        free(p->rows[i].link);
    }
    free(p->rows);
    free(p->id_number);
    free(p->name);
    free(p->household_id);
    memset(p, 0, sizeof *p);
}

long long fw_hit_case(fw_ws *ws, long long hit_id, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT case_id FROM hits WHERE id = ?", &st, err)) {
        read_failed(err, _("the hit"));
        return -1;
    }
    fw_stmt_bind_int64(st, 1, hit_id);
    long long id = 0;
    int rc = fw_stmt_step(st, err);
    if (rc == 1)
        id = fw_stmt_int64(st, 0);
    fw_stmt_finalize(st);
    if (rc < 0) {
        read_failed(err, _("the hit"));
        return -1;
    }
    if (id <= 0) {
        fw_fail(err, FW_ENOTFOUND, _("Hit %lld has no case yet (cases are made when the rules run)."), hit_id);
        return -1;
    }
    return id;
}

/* --- lookup ------------------------------------------------------------------------------------- */

int fw_lookup(fw_ws *ws, const char *q, int limit, fw_lookup_row **rows, int *n, fw_err *err)
{
    *rows = NULL;
    *n = 0;
    bool by_id = looks_like_id(q);
    char *key = fw_strdup(q);
    if (by_id)
        for (char *c = key; *c; c++)
            *c = (char)toupper((unsigned char)*c);
    fw_buf sql = {0};
    fw_buf_puts(&sql, "WITH m(id_number, name, src) AS (");
    /* A name's prefix range ends at the prefix followed by U+10FFFF, bound as ?3 (SQLite's char()
     * and PostgreSQL's chr() differ); group_concat is PostgreSQL's through the compatibility layer. */
    const char *cond = by_id ? "id_number >= ?1 AND id_number < ?1 || '~'" : "name >= ?1 AND name < ?1 || ?3";
    int parts = 0;
    for (int i = 0; i < fw_ndatasets; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        if (!fw_dataset_column(ds, "id_number"))
            continue;
        bool has_name = fw_dataset_column(ds, "name") != NULL;
        if (!by_id && !has_name)
            continue;
        fw_buf_printf(&sql, "%sSELECT id_number, %s, '%s' FROM ds_%s WHERE %s", parts++ ? " UNION ALL " : "",
                      has_name ? "name" : "NULL", ds->name, ds->name, cond);
    }
    fw_buf_printf(&sql, " UNION ALL SELECT id_number, name, 'hits' FROM hits WHERE id_number IS NOT NULL AND %s", cond);
    fw_buf_puts(&sql, "), s AS (SELECT id_number, max(name) AS name, src, count(*) AS k FROM m GROUP BY id_number, src)"
                      " SELECT id_number, max(name), group_concat(src || CASE WHEN k > 1 THEN ' ×' || k ELSE '' END, ', '),"
                      " (SELECT coalesce(sum(amount), 0) FROM ds_payments p WHERE p.id_number = s.id_number),"
                      " (SELECT count(*) FROM hits h WHERE h.id_number = s.id_number AND h.state = 'present')"
                      " FROM s GROUP BY id_number ORDER BY max(name), id_number LIMIT ?2");
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, sql.data, &st, err);
    fw_buf_free(&sql);
    if (rc) {
        free(key);
        return read_failed(err, _("the lookup"));
    }
    fw_stmt_bind_text(st, 1, key, -1);
    fw_stmt_bind_int64(st, 2, limit);
    if (!by_id)
        fw_stmt_bind_text(st, 3, "\xf4\x8f\xbf\xbf", -1); /* U+10FFFF in UTF-8 */
    free(key);
    int cap = 0;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *rows = fw_realloc(*rows, (size_t)cap * sizeof **rows);
        }
        fw_lookup_row *r = &(*rows)[(*n)++];
        r->id_number = st_dup(st, 0);
        r->name = st_dup(st, 1);
        if (!r->name)
            r->name = fw_strdup("");
        r->sources = st_dup(st, 2);
        r->paid = fw_stmt_int64(st, 3);
        r->hits = fw_stmt_int64(st, 4);
    }
    fw_stmt_finalize(st);
    if (rc < 0) {
        fw_lookup_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return read_failed(err, _("the lookup"));
    }
    return FW_OK;
}

void fw_lookup_free(fw_lookup_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].id_number);
        free(rows[i].name);
        free(rows[i].sources);
    }
    free(rows);
}

/* --- rules --------------------------------------------------------------------------------------- */

/* The rule files' rows for the rule list's query, as parameters: four values a row. */
typedef struct rule_files {
    char **v;
    int n, cap;
} rule_files;

static void rule_files_add(rule_files *f, const char *rule_id, const char *category, const char *file,
                           const char *name)
{
    if (f->n + 4 > f->cap) {
        f->cap = f->cap ? f->cap * 2 : 256;
        f->v = fw_realloc(f->v, (size_t)f->cap * sizeof *f->v);
    }
    const char *vals[4] = {rule_id, category, file, name};
    for (int i = 0; i < 4; i++)
        f->v[f->n++] = fw_strdup(vals[i]);
}

static void rule_files_free(rule_files *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
}

/* Rule ids from the shipped and user rule files (section names), with their category, file and
 * name (in the language of the interface: `name` is Chinese, `name_en` English), added to f, so a
 * rule that never ran is listed too. */
static void add_rule_files(const char *dir, rule_files *f, bool zh)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini") != 0)
            continue;
        char *path = fw_printf("%s/%s", dir, e->d_name);
        dictionary *ini = iniparser_load(path);
        for (int s = 0; ini && s < iniparser_getnsec(ini); s++) {
            const char *sec = iniparser_getsecname(ini, s);
            char *key = fw_printf("%s:category", sec);
            const char *cat = iniparser_getstring(ini, key, "");
            free(key);
            char *zh_key = fw_printf("%s:name", sec), *en_key = fw_printf("%s:name_en", sec);
            const char *name_zh = iniparser_getstring(ini, zh_key, ""), *name_en = iniparser_getstring(ini, en_key, "");
            const char *name = zh || !*name_en ? name_zh : name_en;
            char *up = fw_strdup(sec);
            for (char *c = up; *c; c++)
                *c = (char)toupper((unsigned char)*c);
            rule_files_add(f, up, cat, path, name);
            free(up);
            free(zh_key);
            free(en_key);
        }
        if (ini)
            iniparser_freedict(ini);
        free(path);
    }
    closedir(d);
}

int fw_rules_list(fw_ws *ws, fw_rule_row **rows, int *n, fw_err *err)
{
    *rows = NULL;
    *n = 0;
    /* The rule files' rows go into the query as parameters (a CTE), not into a temporary table:
     * listing the rules stays a read (a table written, even a temporary one, would be a write on
     * PostgreSQL, refused in a READ ONLY transaction and seen as a change by fw_db_data_version). */
    rule_files f = {0};
    char *dirs[2] = {fw_printf("%s/rules", fw_datadir()), fw_printf("%s/rules", fw_configdir())};
    for (int i = 0; i < 2; i++) {
        add_rule_files(dirs[i], &f, fw_ui_chinese());
        free(dirs[i]);
    }
    fw_buf sql = {0};
    fw_buf_puts(&sql, "WITH browse_rule_files(rule_id, category, file, name) AS (SELECT CAST(NULL AS TEXT), "
                      "CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT) WHERE 1 = 0");
    for (int i = 0; i < f.n; i += 4)
        fw_buf_puts(&sql, " UNION ALL SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT)");
    /* A rule in both folders: the first row (the shipped file), as the list always showed. */
    fw_buf_puts(&sql,
        "), r(rule_id) AS (SELECT rule_id FROM browse_rule_files UNION SELECT rule_id FROM run_rules "
        "UNION SELECT DISTINCT rule_id FROM hits UNION SELECT rule_id FROM rule_settings),"
        " last AS (SELECT rr.rule_id, rr.run_id, rr.status, rr.hits, rr.file, runs.started_at FROM run_rules rr"
        "  JOIN runs ON runs.id = rr.run_id WHERE rr.run_id = (SELECT max(run_id) FROM run_rules x"
        "  WHERE x.rule_id = rr.rule_id))"
        " SELECT r.rule_id, coalesce((SELECT category FROM browse_rule_files f WHERE f.rule_id = r.rule_id LIMIT 1),"
        "  (SELECT category FROM hits WHERE rule_id = r.rule_id LIMIT 1), ''),"
        "  coalesce((SELECT file FROM browse_rule_files f WHERE f.rule_id = r.rule_id LIMIT 1), l.file),"
        "  l.started_at, l.status,"
        "  (SELECT count(*) FROM hits h WHERE h.rule_id = r.rule_id AND h.state = 'present'),"
        "  coalesce(l.hits, 0),"
        "  coalesce((SELECT value FROM rule_settings s WHERE s.rule_id = r.rule_id AND s.key = 'enabled'), 'true'),"
        "  coalesce((SELECT name FROM browse_rule_files f WHERE f.rule_id = r.rule_id LIMIT 1), '')"
        " FROM r LEFT JOIN last l ON l.rule_id = r.rule_id ORDER BY 2, 1");
    fw_stmt *st;
    int prc = fw_db_prepare(ws->store, sql.data, &st, err);
    fw_buf_free(&sql);
    if (prc) {
        rule_files_free(&f);
        return read_failed(err, _("the rule list"));
    }
    for (int i = 0; i < f.n; i++)
        fw_stmt_bind_text(st, i + 1, f.v[i], -1);
    rule_files_free(&f);
    int cap = 0, rc;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *rows = fw_realloc(*rows, (size_t)cap * sizeof **rows);
        }
        fw_rule_row *r = &(*rows)[(*n)++];
        r->rule_id = st_dup(st, 0);
        r->category = st_dup(st, 1);
        r->file = st_dup(st, 2);
        r->last_run_at = st_dup(st, 3);
        r->status = st_dup(st, 4);
        r->hits = fw_stmt_int64(st, 5);
        r->last_hits = fw_stmt_int64(st, 6);
        const char *en = fw_stmt_text(st, 7);
        r->enabled = !(en && (strcmp(en, "false") == 0 || strcmp(en, "0") == 0));
        r->name = st_dup(st, 8);
    }
    fw_stmt_finalize(st);
    if (rc < 0) {
        fw_rules_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return read_failed(err, _("the rule list"));
    }
    return FW_OK;
}

void fw_rules_free(fw_rule_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        free(rows[i].rule_id);
        free(rows[i].category);
        free(rows[i].file);
        free(rows[i].last_run_at);
        free(rows[i].status);
        free(rows[i].name);
    }
    free(rows);
}

int fw_rule_set_enabled(fw_ws *ws, const char *rule_id, bool enabled, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return fw_fail(err, FW_EWORKSPACE, _("The workspace is busy; try again."));
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store,
                           "INSERT INTO rule_settings(rule_id, key, value) VALUES (?, 'enabled', ?) "
                           "ON CONFLICT(rule_id, key) DO UPDATE SET value = excluded.value",
                           &st, err);
    if (rc == FW_OK) {
        fw_stmt_bind_text(st, 1, rule_id, -1);
        fw_stmt_bind_text(st, 2, enabled ? "true" : "false", -1);
        rc = fw_stmt_step(st, err) < 0 ? err->code : FW_OK;
        fw_stmt_finalize(st);
    }
    if (rc != FW_OK) {
        fw_ws_rollback(ws);
        return read_failed(err, _("the rule settings"));
    }
    char *object = fw_printf("rule:%s", rule_id);
    const char *after = enabled ? "{\"enabled\":true}" : "{\"enabled\":false}";
    rc = fw_trail_append(ws, "setting", object, NULL, after, err);
    free(object);
    if (rc || fw_ws_commit(ws, err)) {
        fw_ws_rollback(ws);
        return err->code ? err->code : FW_EWORKSPACE;
    }
    return FW_OK;
}

long long fw_ws_data_version(fw_ws *ws)
{
    long long v = 0;
    fw_err ignored = {0};
    if (!ws->listening) {
        /* On the first call: from now on only other sessions' notices on this workspace's channel
         * count (PostgreSQL, migration 9); SQLite needs nothing. A failure leaves the older answer. */
        ws->listening = true;
        char *id = fw_workspace_id(ws);
        if (id) {
            char *channel = fw_printf(FW_NOTIFY_CHANNEL_PREFIX "%s", id);
            fw_db_listen(ws->store, channel, &ignored);
            free(channel);
            free(id);
        }
    }
    fw_db_data_version(ws->store, &v, &ignored); /* on failure 0, as before: the next poll tries again */
    return v;
}

void fw_ws_changed_cases(fw_ws *ws, long long **ids, int *n, bool *all)
{
    fw_db_changed_cases(ws->store, ids, n, all);
}
