/* engine.c: runs, hits, fingerprints and run provenance (see engine.h). */
#include "audit/engine.h"
#include "audit/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "audit/cases.h"
#include "audit/dataset.h"
#include "audit/indexes.h"
#include "audit/trail.h"

/* ---- time and interruption ------------------------------------------------------------------ */

typedef struct watch {
    volatile sig_atomic_t *interrupt;
    volatile sig_atomic_t *stop; /* the run ended early (another rule was interrupted) */
    double deadline;   /* monotonic seconds */
    bool timed_out;
} watch;

/* SQLite calls this every few thousand VM steps of any statement on the connection; a nonzero
 * return makes the running statement fail with SQLITE_INTERRUPT. */
static int watch_progress(void *ctx)
{
    watch *w = ctx;
    if ((w->interrupt && *w->interrupt) || (w->stop && *w->stop))
        return 1;
    if (fw_now_seconds() > w->deadline) {
        w->timed_out = true;
        return 1;
    }
    return 0;
}

enum { PROGRESS_OPS = 4000 };

/* ---- fingerprints and evidence ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int fw_evidence_split(const char *evidence, char ***keys)
{
    *keys = NULL;
    int n = 0;
    if (!evidence)
        return 0;
    const char *p = evidence;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        size_t l = len;
        while (l && (*s == ' ' || *s == '\t'))
            s++, l--;
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
            l--;
        if (l) {
            *keys = fw_realloc(*keys, (size_t)(n + 1) * sizeof **keys);
            (*keys)[n++] = fw_strndup(s, l);
        }
        p += len + (end ? 1 : 0);
    }
    qsort(*keys, (size_t)n, sizeof **keys, cmp_str);
    int u = 0;
    for (int i = 0; i < n; i++) {
        if (u && strcmp((*keys)[u - 1], (*keys)[i]) == 0)
            free((*keys)[i]);
        else
            (*keys)[u++] = (*keys)[i];
    }
    return u;
}

void fw_evidence_free(char **keys, int n)
{
    for (int i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* Fields are separated by a byte that cannot occur in text (0x1f, unit separator), so that
 * ("A", "BC") and ("AB", "C") hash differently. */
void fw_hit_fingerprint(const char *rule_id, const char *subject, char *const *keys, int nkeys, char out[65])
{
    fw_buf b = {0};
    fw_buf_puts(&b, rule_id);
    fw_buf_putc(&b, '\x1f');
    fw_buf_puts(&b, subject);
    for (int i = 0; i < nkeys; i++) {
        fw_buf_putc(&b, '\x1f');
        fw_buf_puts(&b, keys[i]);
    }
    fw_sha256_hex(b.data ? b.data : "", b.len, out);
    fw_buf_free(&b);
}

/* Prepared lookups of evidence rows by row_key, one per dataset, for the length of a run. */
typedef struct evidence_reader {
    sqlite3_stmt *by_key[32];
} evidence_reader;

static void reader_free(evidence_reader *er)
{
    for (int i = 0; i < 32; i++)
        sqlite3_finalize(er->by_key[i]);
}

/* Appends the content of the rows behind one evidence key ("dataset:row_key") to b, rows sorted so
 * that the order of rows in the table does not matter; import_id and line are left out, so
 * re-importing the same content changes nothing. */
static int hash_evidence_key(fw_ws *ws, evidence_reader *er, const char *key, fw_buf *b, fw_err *err)
{
    const char *colon = strchr(key, ':');
    char dsname[64];
    if (!colon || (size_t)(colon - key) >= sizeof dsname)
        return fw_fail(err, FW_EDATA, _("evidence key '%s' is not dataset:row_key; build it with ev('payments', p.row_key)"),
                       key);
    snprintf(dsname, sizeof dsname, "%.*s", (int)(colon - key), key);
    int di = -1;
    for (int i = 0; i < fw_ndatasets && i < 32; i++)
        if (strcmp(fw_datasets[i].name, dsname) == 0)
            di = i;
    if (di < 0)
        return fw_fail(err, FW_EDATA, _("evidence key '%s' names no dataset ('%s'); use ev('payments', p.row_key)"),
                       key, dsname);
    if (!er->by_key[di]) {
        char *sql = fw_printf("SELECT * FROM main.ds_%s WHERE row_key = ?", dsname);
        int rc = fw_ws_prepare(ws, sql, &er->by_key[di], err);
        free(sql);
        if (rc)
            return rc;
    }
    sqlite3_stmt *st = er->by_key[di];
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, colon + 1, -1, SQLITE_STATIC);
    char **rows = NULL;
    int nrows = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        fw_buf row = {0};
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const char *name = sqlite3_column_name(st, c);
            if (strcmp(name, "import_id") == 0 || strcmp(name, "line") == 0)
                continue;
            const unsigned char *v = sqlite3_column_text(st, c);
            fw_buf_printf(&row, "%s=%s\x1f", name, v ? (const char *)v : "\x01");
        }
        rows = fw_realloc(rows, (size_t)(nrows + 1) * sizeof *rows);
        rows[nrows++] = fw_buf_steal(&row);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fw_evidence_free(rows, nrows);
        return fw_fail(err, FW_EWORKSPACE, _("reading evidence %s: %s"), key, sqlite3_errmsg(ws->db));
    }
    qsort(rows, (size_t)nrows, sizeof *rows, cmp_str);
    fw_buf_puts(b, key);
    fw_buf_putc(b, '\x1e');
    for (int i = 0; i < nrows; i++) {
        fw_buf_puts(b, rows[i]);
        fw_buf_putc(b, '\x1e');
    }
    if (!nrows)
        fw_buf_puts(b, "(no such row)\x1e");
    fw_evidence_free(rows, nrows);
    return FW_OK;
}

static int evidence_hash(fw_ws *ws, evidence_reader *er, char *const *keys, int n, char out[65], fw_err *err)
{
    fw_buf b = {0};
    for (int i = 0; i < n; i++)
        if (hash_evidence_key(ws, er, keys[i], &b, err)) {
            fw_buf_free(&b);
            return err->code;
        }
    fw_sha256_hex(b.data ? b.data : "", b.len, out);
    fw_buf_free(&b);
    return FW_OK;
}

/* ---- one rule --------------------------------------------------------------------------------- */

/* Output columns by name; -1 when absent (optional ones). */
enum out_col { O_SUBJECT, O_ID, O_AMOUNT, O_FIRST, O_LAST, O_DETAIL, O_EVIDENCE, O_NAME, O_HOUSEHOLD,
               O_TOWNSHIP, O_VILLAGE, O_PROGRAM, O_NCOLS };
static const char *const out_names[O_NCOLS] = {"subject", "id_number", "amount", "first_date", "last_date",
                                               "detail", "evidence", "name", "household_id", "township",
                                               "village", "program"};

/* ---- reading a rule's result ------------------------------------------------------------------ */

/* One row of a rule's result, copied out of the statement so that the query can run on a worker's
 * connection while the run's own connection stores the hits. col[O_AMOUNT] is unused (amount). */
typedef struct hit_row {
    char *col[O_NCOLS];
    long long amount;
} hit_row;

/* A rule's query and its outcome. Owns rows. */
typedef struct rule_query {
    const fw_rule *rule;
    double limit_s;
    hit_row *rows;
    long nrows, cap;
    int e; /* FW_OK, or why the query stopped */
    fw_err err;
    bool timed_out, interrupted;
    double seconds;
} rule_query;

static void rule_query_clear(rule_query *q)
{
    for (long i = 0; i < q->nrows; i++)
        for (int k = 0; k < O_NCOLS; k++)
            free(q->rows[i].col[k]);
    free(q->rows);
    q->rows = NULL;
    q->nrows = q->cap = 0;
}

static char *column_copy(sqlite3_stmt *st, int col)
{
    const unsigned char *v = col >= 0 ? sqlite3_column_text(st, col) : NULL;
    return v ? fw_strdup((const char *)v) : NULL;
}

static int find_columns(const fw_rule *r, sqlite3_stmt *st, int col[O_NCOLS], fw_err *err)
{
    for (int k = 0; k < O_NCOLS; k++) {
        col[k] = -1;
        for (int i = 0; i < sqlite3_column_count(st); i++)
            if (strcasecmp(sqlite3_column_name(st, i), out_names[k]) == 0)
                col[k] = i;
        if (k <= O_EVIDENCE && col[k] < 0)
            return fw_fail(err, FW_EDATA, _("%s:%d: [%s] the query has no output column '%s'"), r->file,
                           r->query_line, r->id, out_names[k]);
    }
    return FW_OK;
}

static void add_row(rule_query *q, sqlite3_stmt *st, const int col[O_NCOLS])
{
    if (q->nrows == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->rows = fw_realloc(q->rows, (size_t)q->cap * sizeof *q->rows);
    }
    hit_row *h = &q->rows[q->nrows++];
    for (int k = 0; k < O_NCOLS; k++)
        h->col[k] = k == O_AMOUNT ? NULL : column_copy(st, col[k]);
    h->amount = sqlite3_column_type(st, col[O_AMOUNT]) == SQLITE_FLOAT
                    ? (long long)(sqlite3_column_double(st, col[O_AMOUNT]) + 0.5)
                    : sqlite3_column_int64(st, col[O_AMOUNT]);
}

/* Runs q->rule's SELECT on ws (read only: the authorizer refuses anything else) and keeps its rows,
 * under a progress handler that stops it at the time limit or on an interrupt. */
static void query_rule(fw_ws *ws, rule_query *q, volatile sig_atomic_t *interrupt, volatile sig_atomic_t *stop)
{
    const fw_rule *r = q->rule;
    double t0 = fw_now_seconds();
    watch w = {.interrupt = interrupt, .stop = stop, .deadline = t0 + q->limit_s};
    sqlite3_stmt *st = NULL;
    int col[O_NCOLS];
    q->e = fw_rule_prepare(ws, r, &st, &q->err);
    if (!q->e)
        q->e = fw_rule_bind_params(ws, r, st, &q->err);
    if (!q->e)
        q->e = find_columns(r, st, col, &q->err);
    if (!q->e) {
        sqlite3_progress_handler(ws->db, PROGRESS_OPS, watch_progress, &w);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            add_row(q, st, col);
        sqlite3_progress_handler(ws->db, 0, NULL, NULL);
        if (rc != SQLITE_DONE)
            q->e = fw_fail(&q->err, rc == SQLITE_INTERRUPT ? FW_EINTR : FW_EDATA, "%s:%d: [%s] %s", r->file,
                           r->query_line, r->id, sqlite3_errmsg(ws->db));
    }
    sqlite3_finalize(st);
    q->timed_out = w.timed_out;
    q->interrupted = q->e && interrupt && *interrupt;
    q->seconds = fw_now_seconds() - t0;
}

/* ---- storing a rule's hits -------------------------------------------------------------------- */

typedef struct run_ctx {
    fw_ws *ws;
    long long run_id;
    evidence_reader er;
    sqlite3_stmt *find, *insert, *update, *add_ev, *seen;
} run_ctx;

static void run_ctx_free(run_ctx *rc)
{
    reader_free(&rc->er);
    sqlite3_finalize(rc->find);
    sqlite3_finalize(rc->insert);
    sqlite3_finalize(rc->update);
    sqlite3_finalize(rc->add_ev);
    sqlite3_finalize(rc->seen);
}

static int run_ctx_prepare(run_ctx *rc, fw_err *err)
{
    if (fw_ws_exec(rc->ws, "CREATE TEMP TABLE IF NOT EXISTS fw_seen(hit_id INTEGER PRIMARY KEY)", err))
        return err->code;
    if (fw_ws_prepare(rc->ws, "SELECT id, evidence_hash, last_run_id FROM hits WHERE fingerprint = ?", &rc->find, err) ||
        fw_ws_prepare(rc->ws,
                      "INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, "
                      "id_number, name, household_id, township, village, program, amount, first_date, "
                      "last_date, detail, evidence_hash, state, first_run_id, last_run_id) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                      "'present', ?18, ?18)",
                      &rc->insert, err) ||
        fw_ws_prepare(rc->ws,
                      "UPDATE hits SET last_run_id = ?2, state = 'present', "
                      "evidence_changed = CASE WHEN evidence_hash <> ?3 THEN 1 ELSE evidence_changed END, "
                      "evidence_hash = ?3, amount = ?4, first_date = ?5, last_date = ?6, detail = ?7, "
                      "category = ?8, severity = ?9, "
                      "name = COALESCE(?10, name), household_id = COALESCE(?11, household_id), "
                      "township = COALESCE(?12, township), village = COALESCE(?13, village), "
                      "program = COALESCE(?14, program) WHERE id = ?1",
                      &rc->update, err) ||
        fw_ws_prepare(rc->ws, "INSERT OR IGNORE INTO hit_evidence(hit_id, dataset, row_key) VALUES (?, ?, ?)",
                      &rc->add_ev, err) ||
        fw_ws_prepare(rc->ws, "INSERT OR IGNORE INTO temp.fw_seen(hit_id) VALUES (?)", &rc->seen, err))
        return err->code;
    return FW_OK;
}

static int step_done(fw_ws *ws, sqlite3_stmt *st, fw_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return fw_fail(err, FW_EWORKSPACE, "%s", sqlite3_errmsg(ws->db));
    return FW_OK;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Stores one row of a rule's result as a new or still-present hit. */
static int store_hit(run_ctx *rc, const fw_rule *r, const hit_row *row, fw_rule_result *res, fw_err *err)
{
    const char *subject = row->col[O_SUBJECT];
    if (!subject || !*subject)
        return fw_fail(err, FW_EDATA, _("%s:%d: [%s] a result row has an empty subject; every row needs one"),
                       r->file, r->query_line, r->id);
    const char *detail = row->col[O_DETAIL];
    char **keys;
    int nkeys = fw_evidence_split(row->col[O_EVIDENCE], &keys);
    char fp[65], eh[65];
    fw_hit_fingerprint(r->id, subject, keys, nkeys, fp);
    if (evidence_hash(rc->ws, &rc->er, keys, nkeys, eh, err)) {
        fw_evidence_free(keys, nkeys);
        char *m = fw_printf("%s:%d: [%s] %s", r->file, r->query_line, r->id, err->msg);
        fw_fail(err, err->code, "%s", m);
        free(m);
        return err->code;
    }
    long long amount = row->amount;

    sqlite3_bind_text(rc->find, 1, fp, -1, SQLITE_STATIC);
    long long id = 0, last_run = 0;
    if (sqlite3_step(rc->find) == SQLITE_ROW) {
        id = sqlite3_column_int64(rc->find, 0);
        last_run = sqlite3_column_int64(rc->find, 2);
    }
    sqlite3_reset(rc->find);
    int e = FW_OK;
    if (id && last_run == rc->run_id) {
        /* the same subject and evidence twice in one result: one hit */
    } else if (id) {
        sqlite3_stmt *u = rc->update;
        sqlite3_bind_int64(u, 1, id);
        sqlite3_bind_int64(u, 2, rc->run_id);
        sqlite3_bind_text(u, 3, eh, -1, SQLITE_STATIC);
        sqlite3_bind_int64(u, 4, amount);
        bind_text_or_null(u, 5, row->col[O_FIRST]);
        bind_text_or_null(u, 6, row->col[O_LAST]);
        sqlite3_bind_text(u, 7, detail ? detail : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(u, 8, r->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(u, 9, r->severity, -1, SQLITE_STATIC);
        for (int k = 0; k < 5; k++)
            bind_text_or_null(u, 10 + k, row->col[O_NAME + k]);
        e = step_done(rc->ws, u, err);
        res->hits_present++;
    } else {
        sqlite3_stmt *in = rc->insert;
        sqlite3_bind_text(in, 1, fp, -1, SQLITE_STATIC);
        sqlite3_bind_text(in, 2, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(in, 3, r->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(in, 4, r->severity, -1, SQLITE_STATIC);
        sqlite3_bind_text(in, 5, r->subject_kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(in, 6, subject, -1, SQLITE_STATIC);
        bind_text_or_null(in, 7, row->col[O_ID]);
        for (int k = 0; k < 5; k++)
            bind_text_or_null(in, 8 + k, row->col[O_NAME + k]);
        sqlite3_bind_int64(in, 13, amount);
        bind_text_or_null(in, 14, row->col[O_FIRST]);
        bind_text_or_null(in, 15, row->col[O_LAST]);
        sqlite3_bind_text(in, 16, detail ? detail : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(in, 17, eh, -1, SQLITE_STATIC);
        sqlite3_bind_int64(in, 18, rc->run_id);
        e = step_done(rc->ws, in, err);
        id = sqlite3_last_insert_rowid(rc->ws->db);
        for (int i = 0; !e && i < nkeys; i++) {
            char *colon = strchr(keys[i], ':');
            sqlite3_bind_int64(rc->add_ev, 1, id);
            sqlite3_bind_text(rc->add_ev, 2, keys[i], (int)(colon - keys[i]), SQLITE_STATIC);
            sqlite3_bind_text(rc->add_ev, 3, colon + 1, -1, SQLITE_STATIC);
            e = step_done(rc->ws, rc->add_ev, err);
        }
        res->hits_new++;
    }
    fw_evidence_free(keys, nkeys);
    if (!e) {
        sqlite3_bind_int64(rc->seen, 1, id);
        e = step_done(rc->ws, rc->seen, err);
    }
    return e;
}

/* After a rule's rows: whitelist, fill in missing registry fields, mark what was not seen as gone. */
static int finish_rule_hits(run_ctx *rc, const fw_rule *r, fw_rule_result *res, fw_err *err)
{
    static const char whitelist_sql[] =
        "UPDATE hits SET state = CASE WHEN EXISTS (SELECT 1 FROM whitelist w WHERE w.id_number = hits.id_number "
        "AND w.rule_id = hits.rule_id AND (w.until IS NULL OR w.until >= date('now'))) "
        "THEN 'whitelisted' ELSE 'present' END "
        "WHERE id IN (SELECT hit_id FROM temp.fw_seen)";
    static const char fill_sql[] =
        "UPDATE hits SET "
        "name = COALESCE(name, (SELECT name FROM main.ds_persons WHERE id_number = hits.id_number LIMIT 1), "
        "  (SELECT name FROM main.ds_payments WHERE id_number = hits.id_number ORDER BY pay_date DESC LIMIT 1)), "
        "household_id = COALESCE(household_id, (SELECT household_id FROM main.ds_persons "
        "  WHERE id_number = hits.id_number AND household_id IS NOT NULL LIMIT 1)), "
        "township = COALESCE(township, (SELECT township FROM main.ds_persons "
        "  WHERE id_number = hits.id_number AND township IS NOT NULL LIMIT 1), "
        "  (SELECT township FROM main.ds_payments WHERE id_number = hits.id_number AND township IS NOT NULL "
        "   ORDER BY pay_date DESC LIMIT 1)), "
        "village = COALESCE(village, (SELECT village FROM main.ds_persons "
        "  WHERE id_number = hits.id_number AND village IS NOT NULL LIMIT 1), "
        "  (SELECT village FROM main.ds_payments WHERE id_number = hits.id_number AND village IS NOT NULL "
        "   ORDER BY pay_date DESC LIMIT 1)), "
        "program = COALESCE(program, (SELECT program FROM main.ds_payments WHERE id_number = hits.id_number "
        "  ORDER BY pay_date DESC LIMIT 1)) "
        "WHERE id IN (SELECT hit_id FROM temp.fw_seen) AND id_number IS NOT NULL "
        "AND (name IS NULL OR household_id IS NULL OR township IS NULL OR village IS NULL OR program IS NULL)";
    if (fw_ws_exec(rc->ws, whitelist_sql, err) || fw_ws_exec(rc->ws, fill_sql, err))
        return err->code;
    sqlite3_stmt *st;
    if (fw_ws_prepare(rc->ws,
                      "UPDATE hits SET state = 'gone' WHERE rule_id = ? AND state <> 'gone' "
                      "AND id NOT IN (SELECT hit_id FROM temp.fw_seen)",
                      &st, err))
        return err->code;
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    int e = step_done(rc->ws, st, err);
    sqlite3_finalize(st);
    res->hits_gone = sqlite3_changes(rc->ws->db);
    res->hits = (long)fw_ws_int(rc->ws, "SELECT count(*) FROM temp.fw_seen");
    return e;
}

static int record_rule(run_ctx *rc, const fw_rule *r, const fw_rule_result *res, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(rc->ws,
                      "INSERT OR REPLACE INTO run_rules(run_id, rule_id, version, text_sha256, params, file, "
                      "status, hits, ms, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, err))
        return err->code;
    char *params = fw_rule_params_json(rc->ws, r);
    sqlite3_bind_int64(st, 1, rc->run_id);
    sqlite3_bind_text(st, 2, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, r->version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->text_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, params, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, r->file, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, res->status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, res->hits);
    sqlite3_bind_int64(st, 9, res->ms);
    if (res->message[0])
        sqlite3_bind_text(st, 10, res->message, -1, SQLITE_STATIC);
    int e = step_done(rc->ws, st, err);
    sqlite3_finalize(st);
    free(params);
    return e;
}

/* Stores the rows as hits; the caller holds the transaction. */
static int rule_body(run_ctx *rc, const rule_query *q, fw_rule_result *res, fw_err *err)
{
    if (fw_ws_exec(rc->ws, "DELETE FROM temp.fw_seen", err))
        return err->code;
    int e = FW_OK;
    for (long i = 0; !e && i < q->nrows; i++)
        e = store_hit(rc, q->rule, &q->rows[i], res, err);
    if (!e)
        e = finish_rule_hits(rc, q->rule, res, err);
    if (!e)
        e = fw_cases_sync(rc->ws, rc->run_id, err);
    return e;
}

static void fail_result(const rule_query *q, const fw_err *err, fw_rule_result *res)
{
    res->rows_discarded = q->nrows;
    res->hits = res->hits_new = res->hits_present = res->hits_gone = 0;
    snprintf(res->status, sizeof res->status, "%s", q->interrupted ? "interrupted" : "failed");
    if (q->interrupted)
        snprintf(res->message, sizeof res->message, "interrupted after %lld ms; its partial results were discarded",
                 res->ms);
    else if (q->timed_out)
        snprintf(res->message, sizeof res->message,
                 "stopped at the time limit of %.0f s; its partial results were discarded. Raise the limit "
                 "(fundwatch run --time-limit SECONDS, or time_limit in the rule) or make the query use an index",
                 q->limit_s);
    else
        snprintf(res->message, sizeof res->message, "%.500s", err->msg);
}

/* Stores one queried rule's hits in its own transaction, or records why it has none. Returns FW_OK
 * or the rule's failure code (the run goes on after a failure, stops after an interruption). */
static int store_rule(run_ctx *rc, const rule_query *q, fw_rule_result *res)
{
    fw_err err = q->err;
    double t0 = fw_now_seconds();
    int e = q->e;
    if (!e && !(e = fw_ws_begin(rc->ws, &err))) {
        e = rule_body(rc, q, res, &err);
        res->ms = (long long)((q->seconds + fw_now_seconds() - t0) * 1000 + 0.5);
        if (!e) {
            snprintf(res->status, sizeof res->status, "complete");
            e = record_rule(rc, q->rule, res, &err);
        }
        if (!e)
            e = fw_ws_commit(rc->ws, &err);
        if (!e)
            return FW_OK;
        fw_ws_rollback(rc->ws);
    }
    /* Failure or interruption: nothing of this rule's hits stays, only its record. */
    res->ms = (long long)((q->seconds + fw_now_seconds() - t0) * 1000 + 0.5);
    fail_result(q, &err, res);
    fw_err err2 = {0};
    if (!fw_ws_begin(rc->ws, &err2) && (record_rule(rc, q->rule, res, &err2) || fw_ws_commit(rc->ws, &err2)))
        fw_ws_rollback(rc->ws);
    return q->interrupted ? FW_EINTR : FW_EDATA;
}

/* ---- query workers ---------------------------------------------------------------------------- */

/* Rules are independent reads, so on a machine with several cores they run on worker threads,
 * each with its own read-only view of the workspace (WAL lets readers run beside the writer),
 * while the run's connection stores the results in catalogue order. Workers stay at most
 * AHEAD rules in front of the storing, so memory holds only a few rules' rows. */
enum { MAX_WORKERS = 4, AHEAD = 2 };

typedef struct run_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *path;
    rule_query *q;      /* the selected, runnable rules in catalogue order */
    bool *done;
    int n, next, stored;
    volatile sig_atomic_t *interrupt;
    volatile sig_atomic_t stop; /* the run ended early: workers take no more rules */
} run_queue;

static void *query_worker(void *arg)
{
    run_queue *rq = arg;
    fw_ws *ws = NULL;
    fw_err open_err = {0};
    int opened = fw_ws_open(rq->path, &ws, &open_err);
    pthread_mutex_lock(&rq->mu);
    for (;;) {
        while (!rq->stop && rq->next < rq->n && rq->next >= rq->stored + AHEAD + MAX_WORKERS)
            pthread_cond_wait(&rq->cv, &rq->mu);
        if (rq->stop || rq->next >= rq->n)
            break;
        rule_query *q = &rq->q[rq->next++];
        pthread_mutex_unlock(&rq->mu);
        if (opened) {
            q->e = opened;
            q->err = open_err;
        } else
            query_rule(ws, q, rq->interrupt, &rq->stop);
        pthread_mutex_lock(&rq->mu);
        rq->done[q - rq->q] = true;
        pthread_cond_broadcast(&rq->cv);
    }
    pthread_mutex_unlock(&rq->mu);
    fw_ws_close(ws);
    return NULL;
}

/* How many query threads: one per core (at most MAX_WORKERS), none (query on the run's own
 * connection) for a single rule, a single core or a workspace that is not a file. */
static int worker_count(fw_ws *ws, int nrules)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("FUNDWATCH_RUN_THREADS");
    if (env && *env)
        cores = atol(env);
    if (nrules < 2 || cores < 2 || !ws->path || !*ws->path || strcmp(ws->path, ":memory:") == 0)
        return 0;
    return cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
}

/* ---- the run ---------------------------------------------------------------------------------- */

static bool selected(fw_ws *ws, const fw_rule *r, const fw_run_opts *o)
{
    if (o->nonly) {
        for (int i = 0; i < o->nonly; i++)
            if (strcasecmp(o->only[i], r->id) == 0)
                return true; /* named explicitly: run even when disabled */
        return false;
    }
    if (o->category && strcmp(o->category, r->category) != 0)
        return false;
    return fw_rule_enabled(ws, r);
}

static char *selection_text(const fw_run_opts *o)
{
    if (o->selection)
        return fw_strdup(o->selection);
    fw_buf b = {0};
    if (o->nonly) {
        fw_buf_puts(&b, "only=");
        for (int i = 0; i < o->nonly; i++)
            fw_buf_printf(&b, "%s%s", i ? "," : "", o->only[i]);
    } else if (o->category)
        fw_buf_printf(&b, "category=%s", o->category);
    else
        fw_buf_puts(&b, "all");
    return fw_buf_steal(&b);
}

static double time_limit(fw_ws *ws, const fw_run_opts *o, const fw_rule *r)
{
    if (r->time_limit_s > 0)
        return r->time_limit_s;
    if (o->time_limit_s > 0)
        return o->time_limit_s;
    char *v = fw_ws_setting(ws, "run.time_limit");
    double s = v ? atof(v) : 0;
    free(v);
    return s > 0 ? s : FW_RUN_DEFAULT_TIME_LIMIT_S;
}

static int start_run(fw_ws *ws, const char *selection, long long *run_id, fw_err *err)
{
    char now[32];
    fw_now_iso(now);
    sqlite3_stmt *st;
    if (fw_ws_begin(ws, err))
        return err->code;
    if (fw_ws_prepare(ws,
                      "INSERT INTO runs(user, started_at, status, selection, imports) VALUES (?, ?, 'running', ?, "
                      "(SELECT json_group_array(id) FROM (SELECT id FROM imports WHERE status = 'loaded' ORDER BY id)))",
                      &st, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    sqlite3_bind_text(st, 1, fw_user(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, selection, -1, SQLITE_STATIC);
    int e = step_done(ws, st, err);
    sqlite3_finalize(st);
    *run_id = sqlite3_last_insert_rowid(ws->db);
    if (e || fw_ws_commit(ws, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    return FW_OK;
}

static int finish_run(fw_ws *ws, fw_run_result *res, const char *selection, fw_err *err)
{
    char now[32];
    fw_now_iso(now);
    if (fw_ws_begin(ws, err))
        return err->code;
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws,
                      "UPDATE runs SET finished_at = ?, status = ?, hits_new = ?, hits_present = ?, hits_gone = ? "
                      "WHERE id = ?",
                      &st, err))
        goto fail;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, res->status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, res->hits_new);
    sqlite3_bind_int64(st, 4, res->hits_present);
    sqlite3_bind_int64(st, 5, res->hits_gone);
    sqlite3_bind_int64(st, 6, res->run_id);
    int e = step_done(ws, st, err);
    sqlite3_finalize(st);
    if (e)
        goto fail;
    char *imports = NULL;
    if (fw_ws_prepare(ws, "SELECT imports FROM runs WHERE id = ?", &st, err))
        goto fail;
    sqlite3_bind_int64(st, 1, res->run_id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        imports = fw_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    fw_buf after = {0};
    fw_buf_puts(&after, "{\"status\": ");
    fw_json_string(&after, res->status);
    fw_buf_puts(&after, ", \"selection\": ");
    fw_json_string(&after, selection);
    fw_buf_printf(&after, ", \"imports\": %s, \"rules\": %d, \"hits_new\": %ld, \"hits_present\": %ld, "
                          "\"hits_gone\": %ld}",
                  imports ? imports : "[]", res->nrules, res->hits_new, res->hits_present, res->hits_gone);
    free(imports);
    char object[48];
    snprintf(object, sizeof object, "run:%lld", res->run_id);
    e = fw_trail_append(ws, "run", object, NULL, after.data, err);
    fw_buf_free(&after);
    if (e)
        goto fail;
    return fw_ws_commit(ws, err);
fail:
    fw_ws_rollback(ws);
    return err->code;
}

int fw_run(fw_ws *ws, fw_ruleset *set, const fw_run_opts *o, fw_run_result *res, fw_err *err)
{
    memset(res, 0, sizeof *res);
    for (int i = 0; i < o->nonly; i++)
        if (!fw_ruleset_find(set, o->only[i]))
            return fw_fail(err, FW_ENOTFOUND, _("no rule %s; `fundwatch rules list` shows the rules"), o->only[i]);
    /* Rules are written for the indexes; without them a run is correct but far slower. */
    fw_index_opts io = {.interrupt = o->interrupt, .progress = o->indexing, .progress_ctx = o->progress_ctx};
    if (fw_indexes_build(ws, &io, err))
        return err->code;
    res->rules = fw_calloc((size_t)set->n + 1, sizeof *res->rules);
    char *selection = selection_text(o);
    if (start_run(ws, selection, &res->run_id, err)) {
        free(selection);
        return err->code;
    }
    run_ctx rc = {.ws = ws, .run_id = res->run_id};
    int outcome = run_ctx_prepare(&rc, err);
    /* The queries to make: the selected rules that can run, in catalogue order. */
    rule_query *q = fw_calloc((size_t)set->n + 1, sizeof *q);
    bool *chosen = fw_calloc((size_t)set->n + 1, sizeof *chosen); /* read once: settings may change */
    int nq = 0;
    for (int i = 0; i < set->n; i++)
        if ((chosen[i] = selected(ws, &set->rules[i], o)) && !set->rules[i].broken) {
            q[nq].rule = &set->rules[i];
            q[nq++].limit_s = time_limit(ws, o, &set->rules[i]);
        }
    run_queue rq = {.path = ws->path, .q = q, .done = fw_calloc((size_t)nq + 1, sizeof *rq.done), .n = nq,
                    .interrupt = o->interrupt};
    pthread_mutex_init(&rq.mu, NULL);
    pthread_cond_init(&rq.cv, NULL);
    pthread_t threads[MAX_WORKERS];
    int nthreads = 0, want = outcome ? 0 : worker_count(ws, nq);
    while (nthreads < want && pthread_create(&threads[nthreads], NULL, query_worker, &rq) == 0)
        nthreads++;

    bool failed = false, interrupted = false;
    for (int i = 0, k = 0; !outcome && i < set->n && !interrupted; i++) {
        fw_rule *r = &set->rules[i];
        if (!chosen[i])
            continue;
        fw_rule_result *rr = &res->rules[res->nrules++];
        rr->rule_id = r->id;
        rr->category = r->category;
        if (o->progress)
            o->progress(o->progress_ctx, rr);
        if (r->broken) {
            snprintf(rr->status, sizeof rr->status, "skipped");
            snprintf(rr->message, sizeof rr->message, "the rule has errors; run `fundwatch rules check`");
            fw_err e2 = {0};
            if (!fw_ws_begin(ws, &e2) && (record_rule(&rc, r, rr, &e2) || fw_ws_commit(ws, &e2)))
                fw_ws_rollback(ws);
            failed = true;
        } else {
            if (nthreads) {
                pthread_mutex_lock(&rq.mu);
                while (!rq.done[k])
                    pthread_cond_wait(&rq.cv, &rq.mu);
                pthread_mutex_unlock(&rq.mu);
            } else
                query_rule(ws, &q[k], o->interrupt, NULL);
            int e = store_rule(&rc, &q[k], rr);
            rule_query_clear(&q[k]);
            pthread_mutex_lock(&rq.mu);
            rq.stored = ++k;
            pthread_cond_broadcast(&rq.cv);
            pthread_mutex_unlock(&rq.mu);
            if (e == FW_EINTR)
                interrupted = true;
            else if (e)
                failed = true;
            res->hits_new += rr->hits_new;
            res->hits_present += rr->hits_present;
            res->hits_gone += rr->hits_gone;
        }
        if (o->progress)
            o->progress(o->progress_ctx, rr);
    }
    pthread_mutex_lock(&rq.mu);
    rq.stop = 1;
    pthread_cond_broadcast(&rq.cv);
    pthread_mutex_unlock(&rq.mu);
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
    for (int k = 0; k < nq; k++)
        rule_query_clear(&q[k]);
    free(q);
    free(chosen);
    free(rq.done);
    pthread_mutex_destroy(&rq.mu);
    pthread_cond_destroy(&rq.cv);
    run_ctx_free(&rc);
    snprintf(res->status, sizeof res->status, "%s",
             outcome ? "failed" : interrupted ? "interrupted" : failed ? "failed" : "complete");
    fw_err ferr = {0};
    int fin = finish_run(ws, res, selection, &ferr);
    free(selection);
    if (outcome)
        return outcome;
    if (fin) {
        *err = ferr;
        return fin;
    }
    if (interrupted)
        return fw_fail(err, FW_EINTR, _("run %lld interrupted; the rules that completed before were kept"), res->run_id);
    if (failed)
        return fw_fail(err, FW_EDATA, _("run %lld: some rules failed or were skipped (see above)"), res->run_id);
    return FW_OK;
}

void fw_run_result_free(fw_run_result *res)
{
    free(res->rules);
    memset(res, 0, sizeof *res);
}

/* ---- listings --------------------------------------------------------------------------------- */

int fw_hits_stmt(fw_ws *ws, const fw_hits_filter *f, sqlite3_stmt **st, fw_err *err)
{
    const char *state = f->state && *f->state ? f->state : "present";
    if (strcmp(state, "present") && strcmp(state, "gone") && strcmp(state, "whitelisted") && strcmp(state, "all"))
        return fw_fail(err, FW_EUSAGE, _("--state must be present, gone, whitelisted or all, not '%s'"), state);
    static const char sql[] =
        "SELECT h.id AS hit, h.rule_id, h.category, h.severity, h.state, h.id_number, h.name, h.township, "
        "h.village, h.program, h.amount, h.first_date, h.last_date, h.detail, "
        "COALESCE(c.status, 'new') AS status, c.case_no, h.evidence_changed "
        "FROM hits h LEFT JOIN cases c ON c.id = h.case_id "
        "WHERE (?1 IS NULL OR h.rule_id = upper(?1)) AND (?2 IS NULL OR h.category = ?2) "
        "AND (?3 IS NULL OR COALESCE(c.status, 'new') = ?3) AND (?4 = 'all' OR h.state = ?4) "
        "AND (?5 = 0 OR h.last_run_id = ?5) "
        "ORDER BY CASE h.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, h.amount DESC, h.id";
    if (fw_ws_prepare(ws, sql, st, err))
        return err->code;
    if (f->rule_id)
        sqlite3_bind_text(*st, 1, f->rule_id, -1, SQLITE_TRANSIENT);
    if (f->category)
        sqlite3_bind_text(*st, 2, f->category, -1, SQLITE_TRANSIENT);
    if (f->status)
        sqlite3_bind_text(*st, 3, f->status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*st, 4, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(*st, 5, f->run_id);
    return FW_OK;
}

int fw_rules_list_stmt(fw_ws *ws, fw_ruleset *set, const char *category, sqlite3_stmt **st, fw_err *err)
{
    if (fw_ws_exec(ws,
                   "CREATE TEMP TABLE IF NOT EXISTS fw_rule_list(ord INTEGER, id TEXT, category TEXT, severity TEXT, "
                   "status TEXT, enabled TEXT, name TEXT, source TEXT, broken INTEGER); DELETE FROM temp.fw_rule_list",
                   err))
        return err->code;
    sqlite3_stmt *ins;
    if (fw_ws_prepare(ws, "INSERT INTO temp.fw_rule_list VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins, err))
        return err->code;
    for (int i = 0; i < set->n; i++) {
        const fw_rule *r = &set->rules[i];
        if (category && strcmp(category, r->category) != 0)
            continue;
        char *source = fw_printf("%s (%s)", r->file, r->source ? r->source : "");
        sqlite3_bind_int(ins, 1, i);
        sqlite3_bind_text(ins, 2, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, r->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, r->severity, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, r->status, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, fw_rule_enabled(ws, r) ? "yes" : "no", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 7, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 8, source, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ins, 9, r->broken);
        int e = step_done(ws, ins, err);
        free(source);
        if (e) {
            sqlite3_finalize(ins);
            return e;
        }
    }
    sqlite3_finalize(ins);
    return fw_ws_prepare(ws,
                         "SELECT l.id, l.category, l.severity, CASE WHEN l.broken THEN 'BROKEN' ELSE l.status END "
                         "AS status, l.enabled, l.name, rr.hits AS last_hits, rr.ms AS last_ms, rr.run_id AS last_run, "
                         "l.source FROM temp.fw_rule_list l "
                         "LEFT JOIN run_rules rr ON rr.rule_id = l.id AND rr.run_id = "
                         "(SELECT max(run_id) FROM run_rules WHERE rule_id = l.id) ORDER BY l.ord",
                         st, err);
}

int fw_rule_history_stmt(fw_ws *ws, const char *rule_id, sqlite3_stmt **st, fw_err *err)
{
    if (fw_ws_prepare(ws,
                      "SELECT rr.run_id, r.started_at, r.user, rr.status, rr.hits, rr.ms, rr.version, rr.params, "
                      "rr.message FROM run_rules rr JOIN runs r ON r.id = rr.run_id WHERE rr.rule_id = upper(?) "
                      "ORDER BY rr.run_id DESC LIMIT 10",
                      st, err))
        return err->code;
    sqlite3_bind_text(*st, 1, rule_id, -1, SQLITE_TRANSIENT);
    return FW_OK;
}

int fw_rule_set(fw_ws *ws, const fw_rule *r, const char *key, const char *value, fw_err *err)
{
    if (strcmp(key, "enabled") == 0) {
        if (value && strcmp(value, "true") && strcmp(value, "false"))
            return fw_fail(err, FW_EUSAGE, _("enabled must be true or false, not '%s'"), value);
    } else if (strncmp(key, "param.", 6) == 0) {
        bool known = false;
        for (int i = 0; i < r->nparams; i++)
            known |= strcasecmp(r->params[i].name, key + 6) == 0;
        if (!known)
            return fw_fail(err, FW_ENOTFOUND, _("rule %s has no parameter %s; `fundwatch rules show %s` lists them"),
                           r->id, key + 6, r->id);
    } else
        return fw_fail(err, FW_EUSAGE, _("a rule setting is 'enabled' or 'param.NAME', not '%s'"), key);
    if (fw_ws_begin(ws, err))
        return err->code;
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws,
                      value ? "INSERT INTO rule_settings(rule_id, key, value) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT(rule_id, key) DO UPDATE SET value = excluded.value"
                            : "DELETE FROM rule_settings WHERE rule_id = ?1 AND key = ?2",
                      &st, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    int e = step_done(ws, st, err);
    sqlite3_finalize(st);
    fw_buf after = {0};
    fw_buf_puts(&after, "{\"key\": ");
    fw_json_string(&after, key);
    fw_buf_puts(&after, ", \"value\": ");
    if (value)
        fw_json_string(&after, value);
    else
        fw_buf_puts(&after, "null");
    fw_buf_putc(&after, '}');
    char *object = fw_printf("rule:%s", r->id);
    if (!e)
        e = fw_trail_append(ws, "setting", object, NULL, after.data, err);
    free(object);
    fw_buf_free(&after);
    if (e) {
        fw_ws_rollback(ws);
        return e;
    }
    return fw_ws_commit(ws, err);
}
