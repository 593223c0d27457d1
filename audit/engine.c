/* engine.c: runs, hits, fingerprints and run provenance (see engine.h). */
#include "audit/engine.h"
#include "audit/schema.h"
#include "audit/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "audit/cases.h"
#include "audit/dataset.h"
#include "audit/indexes.h"
#include "audit/profile.h"
#include "audit/runlock.h"
#include "audit/shard.h"
#include "audit/trail.h"

/* ---- time and interruption ------------------------------------------------------------------ */

/* What stops a rule: Ctrl-C or SIGTERM (interrupt), the run ending early (stop), the storing of
 * the rule giving up on it (abort), or its deadline. The store asks it while a statement runs
 * (fw_db_watch_fn), the loops between statements ask it themselves. */
typedef struct watch {
    volatile sig_atomic_t *interrupt;
    atomic_int *stop;
    atomic_int *abort;
    double deadline; /* monotonic seconds */
    bool timed_out;
} watch;

/* True when the rule must stop (and timed_out when it is because of its deadline). */
static bool watch_expired(watch *w)
{
    if ((w->interrupt && *w->interrupt) || (w->stop && atomic_load(w->stop)) || (w->abort && atomic_load(w->abort)))
        return true;
    if (fw_now_seconds() > w->deadline) {
        w->timed_out = true;
        return true;
    }
    return false;
}

/* For fw_db_watch_fn: true makes the running statement fail as cancelled (FW_EINTR). */
static bool watch_stops(void *ctx)
{
    return watch_expired(ctx);
}

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

/* Evidence rows are read ahead for a batch of hits, EVIDENCE_CHUNK row keys per statement, and kept
 * until the next batch: read one key at a time, each evidence row was a round trip to PostgreSQL
 * (a DUP-003 hit cites twelve payments, and a county's run stores some 17,000 hits). */
enum {
    EVIDENCE_CHUNK = 64, /* row keys per lookup */
    EVIDENCE_ROWS = 16,  /* a new hit's evidence keys per INSERT */
    REGION_ROWS = 32,    /* hits per region lookup (read_batch_regions) */
    FIND_ROWS = 64,      /* fingerprints per lookup of stored hits (read_batch_hits) */
    SEEN_ROWS = 64,      /* hit ids per INSERT into fw_seen (note_seen) */
};

/* One row behind an evidence key, as it enters the evidence hash. */
typedef struct evidence_row {
    char *key;  /* "dataset:row_key" */
    char *text; /* "column=value\x1f..." without import_id and line */
} evidence_row;

/* The lookups (one prepared statement per dataset, for the length of a run) and what they read. */
typedef struct evidence_reader {
    fw_stmt *by_keys[32];
    char **asked; /* keys looked up since evidence_forget, sorted */
    int nasked;
    evidence_row *rows; /* their rows, sorted by key, then text */
    int nrows, caprows;
} evidence_reader;

static void evidence_forget(evidence_reader *er)
{
    fw_evidence_free(er->asked, er->nasked);
    for (int i = 0; i < er->nrows; i++) {
        free(er->rows[i].key);
        free(er->rows[i].text);
    }
    free(er->rows);
    er->asked = NULL;
    er->rows = NULL;
    er->nasked = er->nrows = er->caprows = 0;
}

static void reader_free(evidence_reader *er)
{
    evidence_forget(er);
    for (int i = 0; i < 32; i++)
        fw_stmt_finalize(er->by_keys[i]);
}

static int cmp_evidence_row(const void *a, const void *b)
{
    const evidence_row *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->text, y->text);
}

/* The dataset an evidence key names (its index in fw_datasets), or -1. */
static int evidence_dataset(const char *key)
{
    const char *colon = strchr(key, ':');
    if (!colon)
        return -1;
    for (int i = 0; i < fw_ndatasets && i < 32; i++)
        if (strlen(fw_datasets[i].name) == (size_t)(colon - key) && strncmp(fw_datasets[i].name, key, (size_t)(colon - key)) == 0)
            return i;
    return -1;
}

/* Appends rows parenthesised lists of width parameters: put_tuples(sql, 2, 3) is
 * "(?, ?, ?), (?, ?, ?)", put_tuples(sql, 1, 64) the list of an IN. The statements that read and
 * write a batch at a time are made of them. */
static void put_tuples(fw_buf *sql, int rows, int width)
{
    for (int r = 0; r < rows; r++) {
        fw_buf_puts(sql, r ? ", (" : "(");
        for (int c = 0; c < width; c++)
            fw_buf_puts(sql, c ? ", ?" : "?");
        fw_buf_putc(sql, ')');
    }
}

static fw_stmt *evidence_lookup(fw_ws *ws, evidence_reader *er, int di, fw_err *err)
{
    if (!er->by_keys[di]) {
        fw_buf sql = {0};
        fw_buf_printf(&sql, "SELECT * FROM ds_%s WHERE row_key IN ", fw_datasets[di].name);
        put_tuples(&sql, 1, EVIDENCE_CHUNK);
        int rc = fw_db_prepare(ws->store, sql.data, &er->by_keys[di], err);
        fw_buf_free(&sql);
        if (rc)
            return NULL;
    }
    return er->by_keys[di];
}

/* Keeps one row of st (a row of dataset di) in er->rows. */
static void keep_evidence_row(evidence_reader *er, fw_stmt *st, int di)
{
    fw_buf row = {0};
    const char *row_key = "";
    for (int c = 0; c < fw_stmt_ncols(st); c++) {
        const char *name = fw_stmt_col_name(st, c);
        if (strcmp(name, "import_id") == 0 || strcmp(name, "line") == 0)
            continue;
        const char *v = fw_stmt_text(st, c);
        if (strcmp(name, "row_key") == 0 && v)
            row_key = v;
        fw_buf_printf(&row, "%s=%s\x1f", name, v ? v : "\x01");
    }
    if (er->nrows == er->caprows) {
        er->caprows = er->caprows ? 2 * er->caprows : 256;
        er->rows = fw_realloc(er->rows, (size_t)er->caprows * sizeof *er->rows);
    }
    er->rows[er->nrows].key = fw_printf("%s:%s", fw_datasets[di].name, row_key);
    er->rows[er->nrows++].text = fw_buf_steal(&row);
}

/* Reads the rows of keys[0..n) (all of dataset di, at most EVIDENCE_CHUNK) into er->rows. */
static int read_evidence_chunk(fw_ws *ws, evidence_reader *er, int di, char *const *keys, int n, fw_err *err)
{
    fw_stmt *st = evidence_lookup(ws, er, di, err);
    if (!st)
        return err->code;
    fw_stmt_reset(st);
    for (int i = 0; i < EVIDENCE_CHUNK; i++)
        if (i < n)
            fw_stmt_bind_text(st, i + 1, strchr(keys[i], ':') + 1, -1);
        else
            fw_stmt_bind_null(st, i + 1);
    int rc;
    fw_err why = {0};
    while ((rc = fw_stmt_step(st, &why)) == 1)
        keep_evidence_row(er, st, di);
    fw_stmt_reset(st);
    if (rc < 0)
        return fw_fail(err, FW_EWORKSPACE, _("reading evidence %s: %s"), keys[0], fw_db_err_words(ws->store, &why));
    return FW_OK;
}

/* Reads the rows behind keys (sorted, distinct, not asked before; those naming no dataset are
 * left to hash_evidence_key's message) and remembers that they were asked. */
static int read_evidence(fw_ws *ws, evidence_reader *er, char *const *keys, int n, fw_err *err)
{
    for (int i = 0; i < n;) {
        int di = evidence_dataset(keys[i]), j = i + 1;
        while (j < n && j - i < EVIDENCE_CHUNK && evidence_dataset(keys[j]) == di)
            j++;
        if (di >= 0 && read_evidence_chunk(ws, er, di, keys + i, j - i, err))
            return err->code;
        i = j;
    }
    if (!n)
        return FW_OK;
    er->asked = fw_realloc(er->asked, (size_t)(er->nasked + n) * sizeof *er->asked);
    for (int i = 0; i < n; i++)
        er->asked[er->nasked++] = fw_strdup(keys[i]);
    qsort(er->asked, (size_t)er->nasked, sizeof *er->asked, cmp_str);
    if (er->nrows > 1)
        qsort(er->rows, (size_t)er->nrows, sizeof *er->rows, cmp_evidence_row);
    return FW_OK;
}

static bool evidence_asked(const evidence_reader *er, const char *key)
{
    return er->nasked && bsearch(&key, er->asked, (size_t)er->nasked, sizeof *er->asked, cmp_str);
}

/* Appends the content of the rows behind one evidence key ("dataset:row_key") to b, rows sorted so
 * that the order of rows in the table does not matter; import_id and line are left out, so
 * re-importing the same content changes nothing. A key not read ahead is read now. */
static int hash_evidence_key(fw_ws *ws, evidence_reader *er, const char *key, fw_buf *b, fw_err *err)
{
    const char *colon = strchr(key, ':');
    char dsname[64];
    if (!colon || (size_t)(colon - key) >= sizeof dsname)
        return fw_fail(err, FW_EDATA, _("evidence key '%s' is not dataset:row_key; build it with ev('payments', p.row_key)"),
                       key);
    snprintf(dsname, sizeof dsname, "%.*s", (int)(colon - key), key);
    if (evidence_dataset(key) < 0)
        return fw_fail(err, FW_EDATA, _("evidence key '%s' names no dataset ('%s'); use ev('payments', p.row_key)"),
                       key, dsname);
    char *one = (char *)key;
    if (!evidence_asked(er, key) && read_evidence(ws, er, &one, 1, err))
        return err->code;
    fw_buf_puts(b, key);
    fw_buf_putc(b, '\x1e');
    int lo = 0, hi = er->nrows; /* the first row whose key is not below key */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(er->rows[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int found = 0;
    for (int i = lo; i < er->nrows && strcmp(er->rows[i].key, key) == 0; i++, found++) {
        fw_buf_puts(b, er->rows[i].text);
        fw_buf_putc(b, '\x1e');
    }
    if (!found)
        fw_buf_puts(b, "(no such row)\x1e");
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
    char *region; /* the hit's region code, from read_batch_regions; NULL when none is found */
    /* From read_batch_hits: the fingerprint, the stored hit (id 0: none) and its last run; a repeat
     * of an earlier row of the batch (the same subject and evidence) is one hit with it. */
    char fp[65];
    long long id, last_run;
    bool repeat;
} hit_row;

/* Rows read and not yet stored. A rule's rows pass from its query to the storing in batches, so
 * memory holds a few thousand rows per rule whatever the rule returns. */
typedef struct row_batch {
    hit_row *rows;
    long n, cap;
} row_batch;

enum {
    BATCH_ROWS = 256,  /* rows read between two looks at the queue */
    READY_ROWS = 4096, /* rows a query may read ahead of their storing */
};

static void batch_clear(row_batch *b)
{
    for (long i = 0; i < b->n; i++) {
        for (int k = 0; k < O_NCOLS; k++)
            free(b->rows[i].col[k]);
        free(b->rows[i].region);
    }
    b->n = 0;
}

static void batch_free(row_batch *b)
{
    batch_clear(b);
    free(b->rows);
    b->rows = NULL;
    b->cap = 0;
}

/* Moves from's rows to the end of to; from is left empty. */
static void batch_move(row_batch *to, row_batch *from)
{
    if (!to->n) {
        row_batch t = *to;
        *to = *from;
        *from = t;
        return;
    }
    if (to->n + from->n > to->cap) {
        to->cap = to->n + from->n;
        to->rows = fw_realloc(to->rows, (size_t)to->cap * sizeof *to->rows);
    }
    memcpy(to->rows + to->n, from->rows, (size_t)from->n * sizeof *from->rows);
    to->n += from->n;
    from->n = 0;
}

/* A rule's query and its outcome. With query workers, every field after max_hits is shared
 * between the worker that reads the query and the run's thread that stores its rows, and is used
 * under run_queue.mu. */
typedef struct rule_query {
    const fw_rule *rule;
    double limit_s;       /* the rule's time: reading and storing together */
    long max_hits;        /* more rows than this: the rule is wrong and nothing of it is kept */
    row_batch ready;      /* rows read and not yet taken by the storing */
    long nread;           /* rows read so far */
    bool started, done;   /* the query began; it ended (e says how) */
    bool storing;         /* the storing of this rule began */
    double deadline;      /* monotonic; moved on by the time the query waited for its turn */
    double waiting_since; /* the query waits for its turn since then (0: it does not) */
    int e;                /* FW_OK, or why the query stopped */
    fw_err err;
    bool timed_out, too_many;
    atomic_int abort;     /* the storing gave up on the rule: stop reading */
} rule_query;

static char *column_copy(fw_rows *rows, int col)
{
    const char *v = col >= 0 ? fw_rows_text(rows, col) : NULL;
    return v ? fw_strdup(v) : NULL;
}

static int find_columns(const fw_rule *r, fw_rows *rows, int col[O_NCOLS], fw_err *err)
{
    for (int k = 0; k < O_NCOLS; k++) {
        col[k] = -1;
        for (int i = 0; i < fw_rows_ncols(rows); i++)
            if (strcasecmp(fw_rows_name(rows, i), out_names[k]) == 0)
                col[k] = i;
        if (k <= O_EVIDENCE && col[k] < 0)
            return fw_fail(err, FW_EDATA, _("%s:%d: [%s] the query has no output column '%s'"), r->file,
                           r->query_line, r->id, out_names[k]);
    }
    return FW_OK;
}

static void add_row(row_batch *b, fw_rows *st, const int col[O_NCOLS])
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : BATCH_ROWS;
        b->rows = fw_realloc(b->rows, (size_t)b->cap * sizeof *b->rows);
    }
    hit_row *h = &b->rows[b->n++];
    *h = (hit_row){0};
    for (int k = 0; k < O_NCOLS; k++)
        h->col[k] = k == O_AMOUNT ? NULL : column_copy(st, col[k]);
    /* A hit's programs are a set, however the rule joined them (audit/profile.h). */
    char *programs = fw_program_set(h->col[O_PROGRAM]);
    free(h->col[O_PROGRAM]);
    h->col[O_PROGRAM] = programs;
    h->amount = fw_rows_type(st, col[O_AMOUNT]) == FW_DBT_REAL ? (long long)(fw_rows_real(st, col[O_AMOUNT]) + 0.5)
                                                                : fw_rows_int(st, col[O_AMOUNT]);
}

/* A rule's prepared SELECT (read only: the store refuses anything else, rules.c) and where its
 * output columns are. */
typedef struct cursor {
    fw_rows *rows;
    int col[O_NCOLS];
    fw_err err; /* why the query stopped (cursor_read returned -1) */
} cursor;

static int cursor_open(fw_ws *ws, const fw_rule *r, cursor *c, fw_err *err)
{
    memset(c, 0, sizeof *c);
    if (fw_rule_prepare(ws, r, &c->rows, err) || fw_rule_bind_params(ws, r, c->rows, err) ||
        find_columns(r, c->rows, c->col, err))
        return err->code;
    return FW_OK;
}

/* Reads up to BATCH_ROWS more rows into b. Returns 1 when more may follow, 0 at the end, -1 when
 * the query stopped (c->err says why: FW_EINTR when its watch said so). */
static int cursor_read(cursor *c, row_batch *b)
{
    for (int k = 0; k < BATCH_ROWS; k++) {
        int rc = fw_rows_step(c->rows, &c->err);
        if (rc != 1)
            return rc;
        add_row(b, c->rows, c->col);
    }
    return 1;
}

/* Counts a batch of q's rows and turns the end of the query, its failure or too many rows into
 * q's outcome. Returns true when the query is over. With workers, called under run_queue.mu. */
static bool query_after_batch(fw_ws *ws, rule_query *q, int rc, const fw_err *why, long rows, const watch *w)
{
    const fw_rule *r = q->rule;
    q->nread += rows;
    if (q->nread > q->max_hits) {
        q->too_many = true;
        q->e = fw_fail(&q->err, FW_EDATA,
                       _("%s:%d: [%s] too many hits: the rule is probably wrong (it returned more than %ld rows; "
                       "nothing of it was kept). Check its query with `fundwatch rules show %s`, or raise the "
                       "limit with `fundwatch run --max-hits N` or the setting run.max_hits"),
                       r->file, r->query_line, r->id, q->max_hits, r->id);
    } else if (rc == 1)
        return false;
    else if (rc < 0) {
        q->timed_out = w->timed_out;
        q->e = fw_fail(&q->err, why->code == FW_EINTR ? FW_EINTR : FW_EDATA, "%s:%d: [%s] %s", r->file,
                       r->query_line, r->id, fw_db_err_words(ws->store, why));
    }
    q->done = true;
    return true;
}

/* The rule's own time so far: since its query began, less the time it waited for its turn. */
static long long rule_ms(const rule_query *q)
{
    return (long long)((fw_now_seconds() - (q->deadline - q->limit_s)) * 1000 + 0.5);
}

/* ---- storing a rule's hits -------------------------------------------------------------------- */

typedef struct run_ctx {
    fw_ws *ws;
    long long run_id;
    evidence_reader er;
    fw_stmt *insert, *update;
    fw_stmt *add_ev[2]; /* a hit's evidence keys: one, or EVIDENCE_ROWS at once */
    fw_stmt *regions;   /* region codes of REGION_ROWS rows (read_batch_regions) */
    fw_stmt *find_many; /* stored hits of FIND_ROWS fingerprints (read_batch_hits) */
    fw_stmt *add_seen;  /* SEEN_ROWS hit ids into fw_seen (note_seen) */
    long long seen[SEEN_ROWS]; /* ids stored and not yet in fw_seen */
    int nseen;
    /* PostgreSQL, run by a user kept to some regions (docs/users.md): the rules see only those
     * regions' rows, so a hit they do not find again may still hold on the whole data; it is not
     * marked gone (the owner's run, which sees everything, does that). */
    bool scoped;
} run_ctx;

static void run_ctx_free(run_ctx *rc)
{
    reader_free(&rc->er);
    fw_stmt_finalize(rc->insert);
    fw_stmt_finalize(rc->update);
    fw_stmt_finalize(rc->add_ev[0]);
    fw_stmt_finalize(rc->add_ev[1]);
    fw_stmt_finalize(rc->regions);
    fw_stmt_finalize(rc->find_many);
    fw_stmt_finalize(rc->add_seen);
}

/* Prepares "INSERT INTO table VALUES" rows tuples of width parameters "ON CONFLICT DO NOTHING". */
static int prepare_insert_rows(fw_db *db, const char *table, int rows, int width, fw_stmt **st, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql, "INSERT INTO %s VALUES ", table);
    put_tuples(&sql, rows, width);
    fw_buf_puts(&sql, " ON CONFLICT DO NOTHING");
    int e = fw_db_prepare(db, sql.data, st, err);
    fw_buf_free(&sql);
    return e;
}

/* hit_evidence's INSERT for one key and for EVIDENCE_ROWS keys (add_evidence). */
static int prepare_add_evidence(fw_db *db, run_ctx *rc, fw_err *err)
{
    static const char table[] = "hit_evidence(hit_id, dataset, row_key)";
    if (prepare_insert_rows(db, table, 1, 3, &rc->add_ev[0], err) ||
        prepare_insert_rows(db, table, EVIDENCE_ROWS, 3, &rc->add_ev[1], err))
        return err->code;
    return FW_OK;
}

/* The region codes of REGION_ROWS hits in one statement (read_batch_regions): the row's number and
 * its region, for the rows whose number is bound. */
static int prepare_regions(fw_db *db, run_ctx *rc, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_puts(&sql, "WITH v(n, kind, id_number, household, subject, township) AS (VALUES ");
    put_tuples(&sql, REGION_ROWS, 6);
    fw_buf_puts(&sql, ") SELECT n, " HIT_REGION_SQL("v.kind", "v.id_number", "v.household", "v.subject", "v.township")
                      " FROM v WHERE n IS NOT NULL");
    int e = fw_db_prepare(db, sql.data, &rc->regions, err);
    fw_buf_free(&sql);
    return e;
}

/* The stored hits of FIND_ROWS fingerprints, and fw_seen's INSERT of SEEN_ROWS ids. */
static int prepare_lists(fw_db *db, run_ctx *rc, fw_err *err)
{
    fw_buf find = {0};
    fw_buf_puts(&find, "SELECT fingerprint, id, last_run_id FROM hits WHERE fingerprint IN ");
    put_tuples(&find, 1, FIND_ROWS);
    int e = fw_db_prepare(db, find.data, &rc->find_many, err);
    fw_buf_free(&find);
    return e ? e : prepare_insert_rows(db, "fw_seen(hit_id)", SEEN_ROWS, 1, &rc->add_seen, err);
}

/* fw_seen: the hits the rule being stored produced (a TEMP table: this connection's own). */
static int run_ctx_prepare(run_ctx *rc, fw_err *err)
{
    fw_db *db = rc->ws->store;
    if (fw_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS fw_seen(hit_id BIGINT PRIMARY KEY)", err))
        return err->code;
    long long admin = 1;
    if (fw_db_engine(db) == FW_DB_POSTGRES && fw_db_query_int(db, "SELECT fw_is_admin()::int", &admin, err))
        return err->code;
    rc->scoped = !admin;
    if (prepare_lists(db, rc, err) ||
        fw_db_prepare(db,
                      "INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, "
                      "id_number, name, household_id, township, village, program, amount, first_date, "
                      "last_date, detail, evidence_hash, state, first_run_id, last_run_id, region_code) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                      "'present', ?18, ?18, ?19) "
                      "ON CONFLICT (fingerprint) DO NOTHING RETURNING id",
                      &rc->insert, err) ||
        fw_db_prepare(db,
                      "UPDATE hits SET last_run_id = ?2, state = 'present', "
                      "evidence_changed = CASE WHEN evidence_hash <> ?3 THEN 1 ELSE evidence_changed END, "
                      "evidence_hash = ?3, amount = ?4, first_date = ?5, last_date = ?6, detail = ?7, "
                      "category = ?8, severity = ?9, "
                      "name = COALESCE(?10, name), household_id = COALESCE(?11, household_id), "
                      "township = COALESCE(?12, township), village = COALESCE(?13, village), "
                      "program = COALESCE(?14, program) WHERE id = ?1",
                      &rc->update, err) ||
        prepare_add_evidence(db, rc, err) || prepare_regions(db, rc, err))
        return err->code;
    return FW_OK;
}

/* Runs a write to its end, ready to run again; a failure is the workspace's (FW_EWORKSPACE). */
static int step_done(fw_stmt *st, fw_err *err)
{
    int rc;
    while ((rc = fw_stmt_step(st, err)) == 1)
        ;
    fw_stmt_reset(st);
    return rc < 0 ? fw_fail(err, FW_EWORKSPACE, "%s", err->msg) : FW_OK;
}

static void bind_text_or_null(fw_stmt *st, int i, const char *v)
{
    if (v && *v)
        fw_stmt_bind_text(st, i, v, -1);
    else
        fw_stmt_bind_null(st, i);
}

/* Writes a new hit's evidence keys, EVIDENCE_ROWS per statement (each a round trip on PostgreSQL);
 * a last statement short of keys repeats its last one, which ON CONFLICT DO NOTHING absorbs. */
static int add_evidence(run_ctx *rc, long long id, char *const *keys, int nkeys, fw_err *err)
{
    for (int i = 0; i < nkeys;) {
        int rows = nkeys - i == 1 ? 1 : EVIDENCE_ROWS;
        fw_stmt *st = rc->add_ev[rows > 1];
        for (int r = 0; r < rows; r++) {
            const char *key = keys[i + r < nkeys ? i + r : nkeys - 1];
            const char *colon = strchr(key, ':');
            fw_stmt_bind_int64(st, 3 * r + 1, id);
            fw_stmt_bind_text(st, 3 * r + 2, key, (long)(colon - key));
            fw_stmt_bind_text(st, 3 * r + 3, colon + 1, -1);
        }
        if (step_done(st, err))
            return err->code;
        i += rows;
    }
    return FW_OK;
}

/* Puts the ids noted so far into fw_seen, SEEN_ROWS per statement; a last statement short of ids
 * repeats its last one. */
static int flush_seen(run_ctx *rc, fw_err *err)
{
    if (!rc->nseen)
        return FW_OK;
    for (int i = 0; i < SEEN_ROWS; i++)
        fw_stmt_bind_int64(rc->add_seen, i + 1, rc->seen[i < rc->nseen ? i : rc->nseen - 1]);
    rc->nseen = 0;
    return step_done(rc->add_seen, err);
}

/* The rule produced hit id this run (fw_seen, read by finish_rule_hits). */
static int note_seen(run_ctx *rc, long long id, fw_err *err)
{
    rc->seen[rc->nseen++] = id;
    return rc->nseen == SEEN_ROWS ? flush_seen(rc, err) : FW_OK;
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
    char eh[65];
    const char *fp = row->fp;
    if (evidence_hash(rc->ws, &rc->er, keys, nkeys, eh, err)) {
        fw_evidence_free(keys, nkeys);
        char *m = fw_printf("%s:%d: [%s] %s", r->file, r->query_line, r->id, err->msg);
        fw_fail(err, err->code, "%s", m);
        free(m);
        return err->code;
    }
    long long amount = row->amount;

    long long id = row->id;
    int e = FW_OK;
    if (row->repeat || (id && row->last_run == rc->run_id)) {
        /* the same subject and evidence twice in one result: one hit */
    } else if (id) {
        fw_stmt *u = rc->update;
        fw_stmt_bind_int64(u, 1, id);
        fw_stmt_bind_int64(u, 2, rc->run_id);
        fw_stmt_bind_text(u, 3, eh, -1);
        fw_stmt_bind_int64(u, 4, amount);
        bind_text_or_null(u, 5, row->col[O_FIRST]);
        bind_text_or_null(u, 6, row->col[O_LAST]);
        fw_stmt_bind_text(u, 7, detail ? detail : "", -1);
        fw_stmt_bind_text(u, 8, r->category, -1);
        fw_stmt_bind_text(u, 9, r->severity, -1);
        for (int k = 0; k < 5; k++)
            bind_text_or_null(u, 10 + k, row->col[O_NAME + k]);
        e = step_done(u, err);
        res->hits_present++;
    } else {
        fw_stmt *in = rc->insert;
        fw_stmt_bind_text(in, 1, fp, -1);
        fw_stmt_bind_text(in, 2, r->id, -1);
        fw_stmt_bind_text(in, 3, r->category, -1);
        fw_stmt_bind_text(in, 4, r->severity, -1);
        fw_stmt_bind_text(in, 5, r->subject_kind, -1);
        fw_stmt_bind_text(in, 6, subject, -1);
        bind_text_or_null(in, 7, row->col[O_ID]);
        for (int k = 0; k < 5; k++)
            bind_text_or_null(in, 8 + k, row->col[O_NAME + k]);
        fw_stmt_bind_int64(in, 13, amount);
        bind_text_or_null(in, 14, row->col[O_FIRST]);
        bind_text_or_null(in, 15, row->col[O_LAST]);
        fw_stmt_bind_text(in, 16, detail ? detail : "", -1);
        fw_stmt_bind_text(in, 17, eh, -1);
        fw_stmt_bind_int64(in, 18, rc->run_id);
        bind_text_or_null(in, 19, row->region);
        int stored = fw_stmt_step(in, err);
        if (stored == 1) /* RETURNING id */
            id = fw_stmt_int64(in, 0);
        else if (stored == 0 && rc->scoped) {
            /* The hit is stored already, in a region this user does not see (the owner's run placed
             * its subject elsewhere): it is not theirs to refresh. */
            fw_stmt_reset(in);
            fw_evidence_free(keys, nkeys);
            return FW_OK;
        } else
            e = fw_fail(err, FW_EWORKSPACE, "%s",
                        stored == 0 ? "hits.insert: the hit was stored meanwhile by another run" : err->msg);
        if (!e)
            e = step_done(in, err);
        else
            fw_stmt_reset(in);
        if (!e)
            e = add_evidence(rc, id, keys, nkeys, err);
        res->hits_new++;
    }
    fw_evidence_free(keys, nkeys);
    return e ? e : note_seen(rc, id, err);
}

/* A run that could not check some counties (their shard down, audit/shard.h) marks no hit gone: not
 * seen is not gone there, and not elsewhere either, since a rule may weigh counties together (a
 * cross-county join; STA-004's months span the province, so a village spike in a checked county
 * depended on the unchecked ones' payments). New and present hits are recorded as usual. */
#define UNCHECKED_KEEP "AND NOT EXISTS (SELECT 1 FROM run_unchecked u WHERE u.run_id = ?2)"

/* After a rule's rows: whitelist, fill in missing registry fields, mark what was not seen as gone. */
static int finish_rule_hits(run_ctx *rc, const fw_rule *r, fw_rule_result *res, fw_err *err)
{
    static const char whitelist_sql[] =
        /* whitelist_active (audit/schema.c): not removed, approved, not expired (local date) */
        "UPDATE hits SET state = CASE WHEN EXISTS (SELECT 1 FROM whitelist_active w "
        "WHERE w.id_number = hits.id_number AND w.rule_id = hits.rule_id) "
        "THEN 'whitelisted' ELSE 'present' END "
        "WHERE id IN (SELECT hit_id FROM fw_seen)";
    static const char fill_sql[] =
        "UPDATE hits SET "
        "name = COALESCE(name, (SELECT name FROM ds_persons WHERE id_number = hits.id_number LIMIT 1), "
        "  (SELECT name FROM ds_payments WHERE id_number = hits.id_number ORDER BY pay_date DESC LIMIT 1)), "
        "household_id = COALESCE(household_id, (SELECT household_id FROM ds_persons "
        "  WHERE id_number = hits.id_number AND household_id IS NOT NULL LIMIT 1)), "
        "township = COALESCE(township, (SELECT township FROM ds_persons "
        "  WHERE id_number = hits.id_number AND township IS NOT NULL LIMIT 1), "
        "  (SELECT township FROM ds_payments WHERE id_number = hits.id_number AND township IS NOT NULL "
        "   ORDER BY pay_date DESC LIMIT 1)), "
        "village = COALESCE(village, (SELECT village FROM ds_persons "
        "  WHERE id_number = hits.id_number AND village IS NOT NULL LIMIT 1), "
        "  (SELECT village FROM ds_payments WHERE id_number = hits.id_number AND village IS NOT NULL "
        "   ORDER BY pay_date DESC LIMIT 1)), "
        "program = COALESCE(program, (SELECT program FROM ds_payments WHERE id_number = hits.id_number "
        "  ORDER BY pay_date DESC LIMIT 1)) "
        "WHERE id IN (SELECT hit_id FROM fw_seen) AND id_number IS NOT NULL "
        "AND (name IS NULL OR household_id IS NULL OR township IS NULL OR village IS NULL OR program IS NULL)";
    fw_db *db = rc->ws->store;
    if (fw_db_exec(db, whitelist_sql, err) || fw_db_exec(db, fill_sql, err))
        return err->code;
    fw_stmt *st;
    long long seen = 0;
    if (rc->scoped) {
        if (fw_db_query_int(db, "SELECT count(*) FROM fw_seen", &seen, err))
            return err->code;
        res->hits_gone = 0;
        res->hits = (long)seen;
        return FW_OK;
    }
    if (fw_db_prepare(db,
                      "UPDATE hits SET state = 'gone' WHERE rule_id = ?1 AND state <> 'gone' "
                      "AND id NOT IN (SELECT hit_id FROM fw_seen) " UNCHECKED_KEEP,
                      &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, r->id, -1);
    fw_stmt_bind_int64(st, 2, rc->run_id);
    int e = step_done(st, err);
    res->hits_gone = (long)fw_stmt_changes(st);
    fw_stmt_finalize(st);
    if (!e && fw_db_query_int(db, "SELECT count(*) FROM fw_seen", &seen, err))
        e = err->code;
    res->hits = (long)seen;
    return e;
}

static int record_rule(run_ctx *rc, const fw_rule *r, const fw_rule_result *res, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(rc->ws->store,
                      "INSERT INTO run_rules(run_id, rule_id, version, text_sha256, params, file, "
                      "status, hits, ms, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                      "ON CONFLICT(run_id, rule_id) DO UPDATE SET version = excluded.version, "
                      "text_sha256 = excluded.text_sha256, params = excluded.params, file = excluded.file, "
                      "status = excluded.status, hits = excluded.hits, ms = excluded.ms, message = excluded.message",
                      &st, err))
        return err->code;
    char *params = fw_rule_params_json(rc->ws, r);
    fw_stmt_bind_int64(st, 1, rc->run_id);
    fw_stmt_bind_text(st, 2, r->id, -1);
    fw_stmt_bind_text(st, 3, r->version, -1);
    fw_stmt_bind_text(st, 4, r->text_sha256, -1);
    fw_stmt_bind_text(st, 5, params, -1);
    fw_stmt_bind_text(st, 6, r->file, -1);
    fw_stmt_bind_text(st, 7, res->status, -1);
    fw_stmt_bind_int64(st, 8, res->hits);
    fw_stmt_bind_int64(st, 9, res->ms);
    if (res->message[0])
        fw_stmt_bind_text(st, 10, res->message, -1);
    else
        fw_stmt_bind_null(st, 10);
    int e = step_done(st, err);
    fw_stmt_finalize(st);
    free(params);
    return e;
}

/* ---- query workers ---------------------------------------------------------------------------- */

/* Rules are independent reads, so on a machine with several cores they run on worker threads,
 * each with its own read-only view of the workspace (WAL lets readers run beside the writer),
 * while the run's connection stores the results in catalogue order. Workers stay at most AHEAD
 * rules in front of the storing, and a query reads at most READY_ROWS rows ahead of their
 * storing: memory stays flat whatever the rules return. */
enum { MAX_WORKERS = 4, AHEAD = 2 };

/* ---- the rule sandbox on PostgreSQL ------------------------------------------------------------ */

/* On SQLite a rule is held to reading by the store's authorizer and a read-only statement
 * (rules.c). On PostgreSQL the store can check the statement's kind but not what the functions it
 * calls do, so each rule's query runs in a READ ONLY transaction of its own, on a worker's
 * connection, as a role that may read the rule views, the tables under them (the views are
 * security_invoker: read as the user who runs, under that user's row-level security, migration 7)
 * and programs, and nothing else (not cases, trail or settings). NOLOGIN, one per workspace (roles
 * are the server's). Each run brings its role up to date (the grants follow the views); a user who
 * may not create roles or grant on the views runs rules in READ ONLY transactions only, and is told
 * so. Two such roles, which differ only in the rows they see:
 * - fw_rules_ + the workspace id, for the users with regions (inspectors, supervisors: their groups
 *   are its members, users.c): the region policies keep their rules to their regions;
 * - fw_rules_all_ + the workspace id, for the administrator (the owner, who alone is its member):
 *   each table under row-level security it reads has one more policy, `FOR SELECT TO` it `USING
 *   (true)`. The rows are the same the region policies give the administrator (fw_is_admin() is
 *   true for them); the plans are not. The planner cannot evaluate `(SELECT fw_is_admin()) OR
 *   region_code LIKE ANY (...)` and guesses it keeps half the rows: every scan of the payments was
 *   estimated at 2.7 of 5.1 million rows, a join of two at a quarter, and the plans chosen on those
 *   guesses were slow (IDN-002 25.5 s; 5.4 s as this role, on a county of 5 million payments:
 *   docs/store.md). Policies are ORed, and `true OR ...` folds to true before planning, so this
 *   role's scans carry no filter at all. */
static const char *const sandbox_setup_sql =
    "DO $fw$\n"
    "DECLARE r text := %s; v text;\n"
    "BEGIN\n"
    "  PERFORM " FW_ROLES_PG_LOCK ";\n"
    "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN\n"
    "    EXECUTE format('CREATE ROLE %%I NOLOGIN', r);\n"
    "  END IF;\n"
    "  IF NOT pg_has_role(current_user, r, 'MEMBER') THEN\n"
    "    EXECUTE format('GRANT %%I TO %%I', r, current_user);\n"
    "  END IF;\n"
    "  EXECUTE format('GRANT USAGE ON SCHEMA %%I TO %%I', current_schema(), r);\n"
    "  FOREACH v IN ARRAY ARRAY[%s] LOOP\n"
    "    IF to_regclass(format('%%I', v)) IS NOT NULL THEN\n"
    "      EXECUTE format('GRANT SELECT ON %%I TO %%I', v, r);\n"
    "    END IF;\n"
    "  END LOOP;\n"
    "END\n"
    "$fw$";

/* The administrator's role's policies (above): made once per table, and again only if the policy
 * names another role (a workspace copied under a new id). Policies need the table's owner. */
static const char *const whole_policies_sql =
    "DO $fw$\n"
    "DECLARE r text := %s; t text;\n"
    "BEGIN\n"
    "  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace\n"
    "           WHERE n.nspname = current_schema() AND c.relrowsecurity AND c.relname = ANY (ARRAY[%s]) LOOP\n"
    "    IF NOT EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = current_schema() AND p.tablename = t\n"
    "                   AND p.policyname = 'fw_whole' AND p.roles = ARRAY[r]::name[]) THEN\n"
    "      EXECUTE format('DROP POLICY IF EXISTS fw_whole ON %%I', t);\n"
    "      EXECUTE format('CREATE POLICY fw_whole ON %%I FOR SELECT TO %%I USING (true)', t, r);\n"
    "    END IF;\n"
    "  END LOOP;\n"
    "END\n"
    "$fw$";

static const char *const rule_role_words[] = {"rules", "rules_all"};

int fw_rules_role_drop(fw_ws *ws, fw_err *err)
{
    if (!fw_db_has(ws->store, FW_DBCAP_ROLES))
        return FW_OK;
    for (size_t i = 0; i < sizeof rule_role_words / sizeof *rule_role_words; i++) {
        char name[64];
        fw_ws_role_name(ws, rule_role_words[i], name, sizeof name); /* fw_rules_(all_) + the workspace id */
        char *sql = fw_printf("DO $fw$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN "
                              "DROP OWNED BY %s; DROP ROLE %s; END IF; END $fw$",
                              name, name, name);
        int rc = fw_ws_exec(ws, sql, err);
        free(sql);
        if (rc)
            return rc;
    }
    return FW_OK;
}

/* Whether the user who runs is the workspace's administrator (migration 7's fw_is_admin). */
static bool runs_as_admin(fw_ws *ws)
{
    long long admin = 0;
    fw_err ignored = {0};
    return fw_db_query_int(ws->store, "SELECT fw_is_admin()::int", &admin, &ignored) == FW_OK && admin;
}

/* Creates or updates the role name and its grants (and, whole, its policies), in one transaction. */
static int rule_role_setup(fw_ws *ws, const char *name, bool whole, fw_err *err)
{
    fw_buf views = {0};
    /* the program tags, the citizen reports (CIT-001, docs/kiosk.md) and the deaths registry's
     * date (DEC-004, sqlfunc.h): readable by rules */
    fw_buf_puts(&views, "'programs', 'reports', 'citizen_reports', 'deaths_newest'");
    /* The views are security_invoker (migration 7): the role reads the ds_ tables under them as
     * itself, under the row-level security of the user who runs (docs/users.md). */
    for (int i = 0; i < fw_ndatasets; i++)
        fw_buf_printf(&views, ", '%s', 'ds_%s'", fw_datasets[i].name, fw_datasets[i].name);
    char quoted[80];
    snprintf(quoted, sizeof quoted, "'%s'", name);
    char *sql = fw_printf(sandbox_setup_sql, quoted, views.data);
    char *policies = whole ? fw_printf(whole_policies_sql, quoted, views.data) : NULL;
    fw_buf_free(&views);
    int e = fw_ws_begin(ws, err);
    if (!e && (e = fw_ws_exec(ws, sql, err)) == FW_OK && (!policies || (e = fw_ws_exec(ws, policies, err)) == FW_OK))
        e = fw_ws_commit(ws, err);
    if (e)
        fw_ws_rollback(ws);
    free(sql);
    free(policies);
    return e;
}

/* Why the role name could not be set up (member: the user may still run as it). */
static void prepare_note(const char *name, bool member, const fw_err *err, char *note, size_t nsize)
{
    snprintf(note, nsize,
             member ? _("the rule role %s could not be brought up to date (%s); rules run as it with the "
                        "grants it has")
                    : _("the rule role %s could not be set up (%s): rules run in READ ONLY transactions, but "
                        "not as a role that may read only the dataset views; let the workspace's owner (a "
                        "user who may create roles) run once, see docs/rules.md"),
             name, err->msg);
}

/* engine.h. Makes the rule role; role gets its name ("" when rules run READ ONLY only), note why not. */
void fw_rule_role_prepare(fw_ws *ws, bool for_run, char *role, size_t rsize, char *note, size_t nsize)
{
    role[0] = note[0] = '\0';
    if (!fw_db_has(ws->store, FW_DBCAP_ROLES))
        return;
    bool whole = for_run && runs_as_admin(ws);
    char name[64];
    fw_err err = {0};
    if (whole) { /* the users' role too: their runs may not update it, the owner's keep it current */
        fw_ws_role_name(ws, rule_role_words[0], name, sizeof name);
        if (rule_role_setup(ws, name, false, &err))
            prepare_note(name, true, &err, note, nsize); /* said; the run goes on as the owner's role */
        err = (fw_err){0};
    }
    fw_ws_role_name(ws, rule_role_words[whole], name, sizeof name); /* fw_rules_(all_) + the workspace id */
    int e = rule_role_setup(ws, name, whole, &err);
    char *check = fw_printf("SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') "
                            "AND pg_has_role(current_user, '%s', 'MEMBER') THEN 1 ELSE 0 END", name, name);
    long long member = 0;
    fw_err err2 = {0};
    if (fw_db_query_int(ws->store, check, &member, &err2))
        member = 0;
    free(check);
    if (member)
        snprintf(role, rsize, "%s", name);
    if (e)
        prepare_note(name, member, &err, note, nsize);
}

/* Opens the rule's sandbox on a worker's connection: a READ ONLY transaction (sandbox_enter),
 * in which the query is prepared and its parameters read from the rule settings, then the rule role
 * for running it (sandbox_role). role NULL: SQLite (nothing to do). Every PostgreSQL session runs
 * without JIT (store/postgres.c, session_settings), these included. */
static int sandbox_enter(fw_ws *ws, const char *role, const fw_rule *r, fw_err *err)
{
    fw_err why = {0};
    if (role && fw_db_begin(ws->store, FW_TXN_READ, &why))
        return fw_fail(err, why.code, "%s:%d: [%s] %s", r->file, r->query_line, r->id, why.msg);
    return FW_OK;
}

/* The planner of a rule's transaction on PostgreSQL, for a rule that gives it hints (docs/rules.md);
 * SET LOCAL: the rule's transaction only. Sharded runs' workers have no nested loops for every
 * rule (shard.c).
 * - `postgres.hash_joins = off`, `postgres.merge_joins = off`: a `HAVING min(x) <> max(x)` CTE
 *   PostgreSQL guesses at nearly every person (200 come) made DUP-004 hash the whole ledger
 *   against it (11-12 s; 5.3 s probing the person index).
 * - `postgres.nested_loops = off`: row-level security on every table (migrations 7, 14) and a
 *   rule's filtered CTEs can make the planner guess one row where thousands come, and a nested loop
 *   over that guess runs its inner side again for each of them: on a county (5 million payments)
 *   HH-002 re-aggregated 200,000 persons 600 times (155 s; 12.5 s with hash joins), VEH-002 ran
 *   past its 600 s limit (10.8 s). Not for every rule: other rules' plans got slower without
 *   nested loops (docs/scale.md).
 * - `postgres.work_mem = 16MB`: sorts and hashes of the whole ledger that spill to disk at the
 *   server's 4 MB (ELI-001 6.4 s → 3.3 s). Not for every rule either: with more memory the planner
 *   picks hash aggregates over CTEs it guesses at a few rows (XC-003 9 s → 17 s, IDN-002 6 s →
 *   24 s; docs/store.md). */
static int sandbox_planner(fw_ws *ws, const fw_rule *r, fw_err *err)
{
    static const struct { unsigned bit; const char *sql; } joins[] = {
#define FW_PG_HINT_SET(name, key, setting) {FW_PG_NO(name), "SET LOCAL " setting " = off;"},
        FW_PG_JOIN_HINTS(FW_PG_HINT_SET)
#undef FW_PG_HINT_SET
    };
    fw_buf sql = {0};
    for (size_t i = 0; i < sizeof joins / sizeof *joins; i++)
        if (r->pg_joins_off & joins[i].bit)
            fw_buf_puts(&sql, joins[i].sql);
    if (r->pg_work_mem_kb)
        fw_buf_printf(&sql, "SET LOCAL work_mem = '%dkB';", r->pg_work_mem_kb);
    fw_err why = {0};
    int e = sql.len ? fw_db_exec(ws->store, sql.data, &why) : FW_OK;
    fw_buf_free(&sql);
    return e ? fw_fail(err, why.code, "%s:%d: [%s] %s", r->file, r->query_line, r->id, why.msg) : FW_OK;
}

static int sandbox_role(fw_ws *ws, const char *role, const fw_rule *r, fw_err *err)
{
    if (!role) /* SQLite */
        return FW_OK;
    fw_err why = {0};
    if (sandbox_planner(ws, r, err))
        return err->code;
    if (!*role)
        return FW_OK;
    char *sql = fw_printf("SET LOCAL ROLE %s", role);
    int e = fw_db_exec(ws->store, sql, &why);
    free(sql);
    if (e)
        return fw_fail(err, FW_EWORKSPACE, _("%s:%d: [%s] cannot run as the rule role %s: %s"), r->file,
                       r->query_line, r->id, role, why.msg);
    return FW_OK;
}

typedef struct run_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const char *path;
    const char *role; /* PostgreSQL: the rule role to read as ("": READ ONLY only), NULL on SQLite */
    const char *shard_hidden; /* PostgreSQL with shards: the counties the rules must not see (shard.h) */
    rule_query *q; /* the selected, runnable rules in catalogue order */
    int n, next, stored;
    volatile sig_atomic_t *interrupt;
    atomic_int stop; /* the run ended early: workers take no more rules and stop reading */
} run_queue;

/* Ends the time q waited for its turn: it does not count against the rule's limit. */
static void end_waiting(rule_query *q)
{
    if (q->waiting_since) {
        q->deadline += fw_now_seconds() - q->waiting_since;
        q->waiting_since = 0;
    }
}

/* Waits (under rq->mu) until q->ready has room. Returns false when the rule or the run was
 * given up meanwhile. */
static bool wait_for_room(run_queue *rq, rule_query *q, watch *w)
{
    while (q->ready.n >= READY_ROWS && !atomic_load(&q->abort) && !atomic_load(&rq->stop)) {
        if (!q->storing && !q->waiting_since)
            q->waiting_since = fw_now_seconds();
        pthread_cond_wait(&rq->cv, &rq->mu);
    }
    end_waiting(q);
    w->deadline = q->deadline;
    return !atomic_load(&q->abort) && !atomic_load(&rq->stop);
}

/* Reads q on a worker's connection, handing its rows over in batches through q->ready. */
static void query_in_worker(fw_ws *ws, run_queue *rq, rule_query *q)
{
    pthread_mutex_lock(&rq->mu);
    q->started = true;
    q->deadline = fw_now_seconds() + q->limit_s;
    watch w = {.interrupt = rq->interrupt, .stop = &rq->stop, .abort = &q->abort, .deadline = q->deadline};
    pthread_mutex_unlock(&rq->mu);
    cursor c = {0};
    fw_err err = {0};
    int e = sandbox_enter(ws, rq->role, q->rule, &err);
    if (!e)
        e = cursor_open(ws, q->rule, &c, &err);
    if (!e)
        e = sandbox_role(ws, rq->role, q->rule, &err);
    row_batch b = {0};
    fw_db_watch_fn(ws->store, watch_stops, &w);
    int rc = 0;
    for (bool over = false; !over;) {
        rc = e ? -1 : cursor_read(&c, &b);
        pthread_mutex_lock(&rq->mu);
        if (e) {
            q->e = e;
            q->err = err;
            q->done = over = true;
        } else if (!(over = query_after_batch(ws, q, rc, &c.err, b.n, &w)) && !wait_for_room(rq, q, &w)) {
            q->e = fw_fail(&q->err, FW_EINTR, _("stopped"));
            q->done = over = true;
        }
        if (!q->e)
            batch_move(&q->ready, &b);
        pthread_cond_broadcast(&rq->cv);
        pthread_mutex_unlock(&rq->mu);
        batch_clear(&b);
    }
    fw_db_watch_fn(ws->store, NULL, NULL);
    /* Given up with rows still to come (too many, the run stopping): inside the sandbox's transaction
     * closing the statement would read them all (store.md, "Rows stream"); cancel it instead. */
    if (rq->role && rc == 1)
        fw_db_cancel(ws->store);
    fw_rows_close(c.rows);
    if (rq->role)
        fw_db_rollback(ws->store); /* it only read */
    batch_free(&b);
}

static void *query_worker(void *arg)
{
    run_queue *rq = arg;
    fw_ws *ws = NULL;
    fw_err open_err = {0};
    int opened = fw_ws_open(rq->path, &ws, &open_err);
    if (!opened && rq->role) /* shards: this connection plans and hides like the run's (shard.h) */
        opened = fw_shard_worker_begin(ws, rq->shard_hidden, rq->role, &open_err);
    pthread_mutex_lock(&rq->mu);
    for (;;) {
        while (!atomic_load(&rq->stop) && rq->next < rq->n && rq->next >= rq->stored + AHEAD + MAX_WORKERS)
            pthread_cond_wait(&rq->cv, &rq->mu);
        if (atomic_load(&rq->stop) || rq->next >= rq->n)
            break;
        rule_query *q = &rq->q[rq->next++];
        if (opened) {
            q->e = opened;
            q->err = open_err;
            q->started = q->done = true;
            pthread_cond_broadcast(&rq->cv);
            continue;
        }
        pthread_mutex_unlock(&rq->mu);
        query_in_worker(ws, rq, q);
        pthread_mutex_lock(&rq->mu);
    }
    pthread_mutex_unlock(&rq->mu);
    fw_ws_close(ws);
    return NULL;
}

/* The storing's side: waits until a worker has begun q, then starts the rule's clock for good
 * (the time q waited for its turn is not the rule's). */
static void begin_storing(run_queue *rq, rule_query *q, watch *w)
{
    pthread_mutex_lock(&rq->mu);
    while (!q->started)
        pthread_cond_wait(&rq->cv, &rq->mu);
    q->storing = true;
    end_waiting(q);
    w->deadline = q->deadline;
    pthread_cond_broadcast(&rq->cv);
    pthread_mutex_unlock(&rq->mu);
}

/* Takes the rows q's worker has read into b, waiting for some; false when the query is over and
 * every row was taken. */
static bool take_rows(run_queue *rq, rule_query *q, row_batch *b)
{
    pthread_mutex_lock(&rq->mu);
    while (!q->ready.n && !q->done)
        pthread_cond_wait(&rq->cv, &rq->mu);
    batch_move(b, &q->ready);
    pthread_cond_broadcast(&rq->cv);
    pthread_mutex_unlock(&rq->mu);
    return b->n > 0;
}

/* The storing gave up on q: stops its worker and waits until it has let go of q. */
static void abandon_query(run_queue *rq, rule_query *q)
{
    pthread_mutex_lock(&rq->mu);
    atomic_store(&q->abort, 1);
    pthread_cond_broadcast(&rq->cv);
    while (!q->done)
        pthread_cond_wait(&rq->cv, &rq->mu);
    batch_clear(&q->ready);
    pthread_mutex_unlock(&rq->mu);
}

/* How many query threads: one per core (at most MAX_WORKERS), none (query on the run's own
 * connection) for a single rule, a single core or a workspace that is not a file. */
static int worker_count(fw_ws *ws, int nrules)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("FUNDWATCH_RUN_THREADS");
    if (env && *env)
        cores = atol(env);
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES) /* always: the sandbox is the worker's transaction */
        return nrules < 1 ? 0 : cores < 1 ? 1 : cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
    if (nrules < 2 || cores < 2 || !ws->path || !*ws->path || strcmp(ws->path, ":memory:") == 0)
        return 0;
    return cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
}

/* ---- one rule, read and stored under one clock ------------------------------------------------ */

/* Where the storing gets a rule's rows: from its worker (rq), or by reading the query itself on
 * the run's connection (c), inside the rule's transaction. */
typedef struct feed {
    run_queue *rq;
    rule_query *q;
    fw_ws *ws;
    cursor c;
    const watch *w;
} feed;

/* The next rows of the rule into b; false when there are no more (q->e says whether the query
 * failed). */
static bool next_rows(feed *f, row_batch *b)
{
    if (f->rq)
        return take_rows(f->rq, f->q, b);
    if (f->q->done)
        return false;
    int rc = cursor_read(&f->c, b);
    if (query_after_batch(f->ws, f->q, rc, &f->c.err, b->n, f->w) && f->q->e)
        batch_clear(b);
    return b->n > 0;
}

/* Reads ahead the evidence rows that a batch of a rule's rows cites, instead of the ones read before
 * it (see EVIDENCE_CHUNK). */
static int read_batch_evidence(fw_ws *ws, evidence_reader *er, const row_batch *b, fw_err *err)
{
    evidence_forget(er);
    char **all = NULL;
    int n = 0;
    for (long i = 0; i < b->n; i++) {
        char **keys;
        int nkeys = fw_evidence_split(b->rows[i].col[O_EVIDENCE], &keys);
        if (!nkeys)
            continue;
        all = fw_realloc(all, (size_t)(n + nkeys) * sizeof *all);
        memcpy(all + n, keys, (size_t)nkeys * sizeof *keys);
        n += nkeys;
        free(keys);
    }
    if (n > 1)
        qsort(all, (size_t)n, sizeof *all, cmp_str);
    int u = 0;
    for (int i = 0; i < n; i++) {
        if (u && strcmp(all[u - 1], all[i]) == 0)
            free(all[i]);
        else
            all[u++] = all[i];
    }
    int e = read_evidence(ws, er, all, u, err);
    fw_evidence_free(all, u);
    return e;
}

static int cmp_row_fp(const void *a, const void *b)
{
    const hit_row *x = *(hit_row *const *)a, *y = *(hit_row *const *)b;
    int c = strcmp(x->fp, y->fp);
    return c ? c : (x < y ? -1 : x > y);
}

/* Fingerprints each row of a batch, marks the rows that repeat an earlier one, and looks up the
 * stored hits of the others, FIND_ROWS per statement instead of one each. */
static int read_batch_hits(run_ctx *rc, const fw_rule *r, row_batch *b, fw_err *err)
{
    hit_row **order = fw_realloc(NULL, (size_t)(b->n ? b->n : 1) * sizeof *order);
    for (long i = 0; i < b->n; i++) {
        hit_row *row = &b->rows[i];
        char **keys;
        int nkeys = fw_evidence_split(row->col[O_EVIDENCE], &keys);
        fw_hit_fingerprint(r->id, row->col[O_SUBJECT] ? row->col[O_SUBJECT] : "", keys, nkeys, row->fp);
        fw_evidence_free(keys, nkeys);
        order[i] = row;
    }
    qsort(order, (size_t)b->n, sizeof *order, cmp_row_fp);
    int e = FW_OK;
    fw_stmt *st = rc->find_many;
    for (long i = 0; !e && i < b->n;) {
        hit_row *asked[FIND_ROWS];
        int n = 0;
        for (; i < b->n && n < FIND_ROWS; i++) {
            order[i]->repeat = i > 0 && strcmp(order[i - 1]->fp, order[i]->fp) == 0;
            if (!order[i]->repeat)
                asked[n++] = order[i];
        }
        if (!n)
            continue;
        fw_stmt_reset(st);
        for (int k = 0; k < FIND_ROWS; k++)
            fw_stmt_bind_text(st, k + 1, asked[k < n ? k : n - 1]->fp, -1);
        int rc2;
        while ((rc2 = fw_stmt_step(st, err)) == 1) {
            const char *fp = fw_stmt_text(st, 0);
            int at = 0;
            while (at < n && strcmp(asked[at]->fp, fp) != 0)
                at++;
            if (at < n) {
                asked[at]->id = fw_stmt_int64(st, 1);
                asked[at]->last_run = fw_stmt_int64(st, 2);
            }
        }
        fw_stmt_reset(st);
        if (rc2 < 0)
            e = fw_fail(err, FW_EWORKSPACE, "%s", err->msg);
    }
    free(order);
    return e;
}

/* Finds the region of each row of a batch (HIT_REGION_SQL: the region that decides who sees the
 * hit), REGION_ROWS rows per statement. In the INSERT of each hit the lookups were planned again for
 * every hit on PostgreSQL (half a millisecond: six subqueries over the partitioned payments); here
 * they are planned once per statement. Only new hits need one (read_batch_hits runs first). */
static int read_batch_regions(run_ctx *rc, const fw_rule *r, row_batch *b, fw_err *err)
{
    fw_stmt *st = rc->regions;
    for (long base = 0; base < b->n; base += REGION_ROWS) {
        fw_stmt_reset(st);
        for (int k = 0; k < REGION_ROWS; k++) {
            int p = 6 * k;
            if (base + k >= b->n || b->rows[base + k].id || b->rows[base + k].repeat) {
                for (int c = 1; c <= 6; c++)
                    fw_stmt_bind_null(st, p + c);
                continue;
            }
            const hit_row *row = &b->rows[base + k];
            fw_stmt_bind_int64(st, p + 1, k);
            fw_stmt_bind_text(st, p + 2, r->subject_kind, -1);
            bind_text_or_null(st, p + 3, row->col[O_ID]);
            bind_text_or_null(st, p + 4, row->col[O_HOUSEHOLD]);
            bind_text_or_null(st, p + 5, row->col[O_SUBJECT]);
            bind_text_or_null(st, p + 6, row->col[O_TOWNSHIP]);
        }
        int rc2;
        while ((rc2 = fw_stmt_step(st, err)) == 1) {
            long long k = fw_stmt_int64(st, 0);
            const char *region = fw_stmt_text(st, 1);
            if (k >= 0 && k < REGION_ROWS && base + k < b->n && region)
                b->rows[base + k].region = fw_strdup(region);
        }
        fw_stmt_reset(st);
        if (rc2 < 0)
            return fw_fail(err, FW_EWORKSPACE, "%s", err->msg);
    }
    return FW_OK;
}

/* What storing a batch of rows needs from the workspace, read for the whole batch in a few
 * statements rather than row by row: on PostgreSQL each statement is a round trip, and a hit took
 * four of them plus one per row it cites. */
static int read_batch_ahead(run_ctx *rc, const fw_rule *r, row_batch *b, fw_err *err)
{
    if (read_batch_evidence(rc->ws, &rc->er, b, err) || read_batch_hits(rc, r, b, err) ||
        read_batch_regions(rc, r, b, err))
        return err->code;
    return FW_OK;
}

/* Stores the rule's rows as hits as they come; the caller holds the transaction. The watch is
 * looked at between rows too, so the time limit and Ctrl-C hold while hits are saved. */
static int rule_body(run_ctx *rc, feed *f, watch *w, fw_rule_result *res, fw_err *err)
{
    if (fw_db_exec(rc->ws->store, "DELETE FROM fw_seen", err))
        return err->code;
    rc->nseen = 0;
    row_batch b = {0};
    int e = FW_OK;
    while (!e && next_rows(f, &b)) {
        e = read_batch_ahead(rc, f->q->rule, &b, err);
        for (long i = 0; !e && i < b.n; i++)
            e = watch_expired(w) ? fw_fail(err, FW_EINTR, _("stopped while its hits were saved"))
                                 : store_hit(rc, f->q->rule, &b.rows[i], res, err);
        batch_clear(&b);
    }
    batch_free(&b);
    if (!e && f->q->e) {
        *err = f->q->err;
        e = f->q->e;
    }
    if (!e)
        e = flush_seen(rc, err);
    if (!e)
        e = finish_rule_hits(rc, f->q->rule, res, err);
    if (!e)
        e = fw_cases_sync(rc->ws, rc->run_id, err);
    return e;
}

static void fail_result(const rule_query *q, const fw_err *err, bool timed_out, bool interrupted,
                        fw_rule_result *res)
{
    res->rows_discarded = q->nread;
    res->hits = res->hits_new = res->hits_present = res->hits_gone = 0;
    snprintf(res->status, sizeof res->status, "%s", interrupted ? "interrupted" : "failed");
    if (interrupted)
        snprintf(res->message, sizeof res->message, "interrupted after %lld ms; its partial results were discarded",
                 res->ms);
    else if (q->too_many)
        snprintf(res->message, sizeof res->message, "%.500s", q->err.msg);
    else if (timed_out)
        snprintf(res->message, sizeof res->message,
                 "stopped at the time limit of %g s; its partial results were discarded. Raise the limit "
                 "(fundwatch run --time-limit SECONDS, or time_limit in the rule) or make the query use an index",
                 q->limit_s);
    else
        snprintf(res->message, sizeof res->message, "%.500s", err->msg);
}

/* Reads and stores one rule in its own transaction, under one clock and one watch, or records why
 * it has nothing. rq: the query workers, NULL to read the query here. Returns FW_OK or the rule's
 * failure code (the run goes on after a failure, stops after an interruption). On return no worker
 * touches q any more. */
static int store_rule(run_ctx *rc, rule_query *q, run_queue *rq, volatile sig_atomic_t *interrupt,
                      fw_rule_result *res)
{
    watch w = {.interrupt = interrupt};
    feed f = {.rq = rq, .q = q, .ws = rc->ws, .w = &w};
    fw_err err = {0};
    if (rq)
        begin_storing(rq, q, &w);
    else {
        q->started = q->storing = true;
        q->deadline = w.deadline = fw_now_seconds() + q->limit_s;
        if ((q->e = cursor_open(rc->ws, q->rule, &f.c, &q->err)))
            q->done = true;
    }
    fw_db_watch_fn(rc->ws->store, watch_stops, &w);
    int e = fw_ws_begin(rc->ws, &err);
    bool lost = e && fw_db_fault(rc->ws->store) == FW_DBF_LOST;
    if (!e) {
        e = rule_body(rc, &f, &w, res, &err);
        fw_rows_close(f.c.rows);
        f.c.rows = NULL;
        res->ms = rule_ms(q);
        if (!e) {
            snprintf(res->status, sizeof res->status, "complete");
            e = record_rule(rc, q->rule, res, &err);
        }
        if (!e)
            e = fw_ws_commit(rc->ws, &err);
        /* The run's own connection, not a worker's: asked before the rollback resets the fault. */
        lost = e && fw_db_fault(rc->ws->store) == FW_DBF_LOST;
        if (e)
            fw_ws_rollback(rc->ws);
    }
    fw_db_watch_fn(rc->ws->store, NULL, NULL);
    fw_rows_close(f.c.rows);
    if (!e)
        return FW_OK;
    /* Failure, time limit or interruption: nothing of this rule's hits stays, only its record. */
    if (rq)
        abandon_query(rq, q);
    res->ms = rule_ms(q);
    bool interrupted = interrupt && *interrupt;
    fail_result(q, &err, w.timed_out || q->timed_out, interrupted, res);
    fw_err err2 = {0};
    if (!fw_ws_begin(rc->ws, &err2) && (record_rule(rc, q->rule, res, &err2) || fw_ws_commit(rc->ws, &err2)))
        fw_ws_rollback(rc->ws);
    /* A lost run connection ends the run: the server dropped this connection's TEMP tables
     * (fw_seen) with it, so every later rule would fail for that reason instead of its own. */
    return interrupted ? FW_EINTR : lost ? FW_EWORKSPACE : FW_EDATA;
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

/* A rule's time limit: its own time_limit, else the setting run.time_limit, else the default;
 * run --time-limit replaces the latter two and caps the former. */
static double time_limit(fw_ws *ws, const fw_run_opts *o, const fw_rule *r)
{
    double cap = o->time_limit_s;
    if (r->time_limit_s > 0)
        return cap > 0 && cap < r->time_limit_s ? cap : r->time_limit_s;
    if (cap > 0)
        return cap;
    char *v = fw_ws_setting(ws, "run.time_limit");
    double s = v ? atof(v) : 0;
    free(v);
    return s > 0 ? s : FW_RUN_DEFAULT_TIME_LIMIT_S;
}

/* The most rows a rule may return: run --max-hits, else the setting run.max_hits, else the larger
 * of FW_RUN_DEFAULT_MAX_HITS and FW_RUN_MAX_HITS_PERCENT of the payments loaded. */
static long max_hits(fw_ws *ws, const fw_run_opts *o)
{
    if (o->max_hits > 0)
        return o->max_hits;
    char *v = fw_ws_setting(ws, "run.max_hits");
    long n = v ? atol(v) : 0;
    free(v);
    if (n > 0)
        return n;
    long long payments = 0;
    fw_err err = {0};
    fw_db_query_int(ws->store, "SELECT COALESCE(sum(rows_loaded), 0) FROM imports "
                               "WHERE dataset = 'payments' AND status = 'loaded'",
                    &payments, &err); /* unknown: the default alone */
    long long share = payments / 100 * FW_RUN_MAX_HITS_PERCENT;
    return share > FW_RUN_DEFAULT_MAX_HITS ? (long)share : FW_RUN_DEFAULT_MAX_HITS;
}

/* The run's imports are a JSON array of ids, [1,2,3] on both engines. */
static const fw_sql q_run_insert = {
    "runs.insert", NULL,
    "INSERT INTO runs(user, started_at, status, selection, imports) VALUES (?, ?, 'running', ?, "
    "(SELECT json_group_array(id) FROM (SELECT id FROM imports WHERE status = 'loaded' ORDER BY id))) RETURNING id",
    "INSERT INTO runs(\"user\", started_at, status, selection, imports) VALUES (?, ?, 'running', ?, "
    "(SELECT '[' || COALESCE(string_agg(id::text, ',' ORDER BY id), '') || ']' FROM imports "
    "WHERE status = 'loaded')) RETURNING id"};

/* Records the run as 'running' and locks it for this process (audit/runlock.h) in one step. */
static int start_run(fw_ws *ws, const char *selection, long long *run_id, fw_runlock *lk, fw_err *err)
{
    char now[32];
    fw_now_iso(now);
    fw_stmt *st;
    if (fw_ws_begin(ws, err))
        return err->code;
    if (fw_db_prepare_named(ws->store, &q_run_insert, &st, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    fw_stmt_bind_text(st, 1, fw_user(), -1);
    fw_stmt_bind_text(st, 2, now, -1);
    fw_stmt_bind_text(st, 3, selection, -1);
    int e = fw_stmt_step(st, err) == 1 ? FW_OK : fw_fail(err, FW_EWORKSPACE, "%s", err->msg);
    *run_id = e ? 0 : fw_stmt_int64(st, 0);
    if (!e)
        e = step_done(st, err);
    fw_stmt_finalize(st);
    if (!e)
        e = fw_runlock_take(ws, *run_id, lk, err);
    if (e || fw_ws_commit(ws, err)) {
        fw_runlock_release(lk);
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
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      "UPDATE runs SET finished_at = ?, status = ?, hits_new = ?, hits_present = ?, hits_gone = ? "
                      "WHERE id = ?",
                      &st, err))
        goto fail;
    fw_stmt_bind_text(st, 1, now, -1);
    fw_stmt_bind_text(st, 2, res->status, -1);
    fw_stmt_bind_int64(st, 3, res->hits_new);
    fw_stmt_bind_int64(st, 4, res->hits_present);
    fw_stmt_bind_int64(st, 5, res->hits_gone);
    fw_stmt_bind_int64(st, 6, res->run_id);
    int e = step_done(st, err);
    fw_stmt_finalize(st);
    if (e)
        goto fail;
    char *imports = NULL;
    if (fw_db_prepare(ws->store, "SELECT imports FROM runs WHERE id = ?", &st, err))
        goto fail;
    fw_stmt_bind_int64(st, 1, res->run_id);
    if (fw_stmt_step(st, err) == 1 && !fw_stmt_is_null(st, 0))
        imports = fw_strdup(fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
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
    fw_runlock lock;
    if (start_run(ws, selection, &res->run_id, &lock, err)) {
        free(selection);
        return err->code;
    }
    run_ctx rc = {.ws = ws, .run_id = res->run_id};
    int outcome = run_ctx_prepare(&rc, err);
    /* The queries to make: the selected rules that can run, in catalogue order. */
    rule_query *q = fw_calloc((size_t)set->n + 1, sizeof *q);
    bool *chosen = fw_calloc((size_t)set->n + 1, sizeof *chosen); /* read once: settings may change */
    int nq = 0;
    long most = max_hits(ws, o);
    for (int i = 0; i < set->n; i++)
        if ((chosen[i] = selected(ws, &set->rules[i], o)) && !set->rules[i].broken) {
            q[nq].rule = &set->rules[i];
            q[nq].max_hits = most;
            q[nq++].limit_s = time_limit(ws, o, &set->rules[i]);
        }
    char role[64], shard_hidden[2048] = "";
    bool postgres = fw_db_engine(ws->store) == FW_DB_POSTGRES;
    if (postgres && !outcome)
        fw_rule_role_prepare(ws, true, role, sizeof role, res->sandbox_note, sizeof res->sandbox_note);
    if (!outcome) /* shards: partitionwise plans, the counties it cannot check left out and recorded */
        outcome = fw_shard_run_begin(ws, res->run_id, postgres ? role : NULL, res->unchecked, sizeof res->unchecked,
                                     shard_hidden, sizeof shard_hidden, err);
    run_queue rq = {.path = ws->path, .role = postgres ? role : NULL, .shard_hidden = shard_hidden, .q = q, .n = nq,
                    .interrupt = o->interrupt};
    pthread_mutex_init(&rq.mu, NULL);
    pthread_cond_init(&rq.cv, NULL);
    pthread_t threads[MAX_WORKERS];
    int nthreads = 0, want = outcome ? 0 : worker_count(ws, nq);
    while (nthreads < want && pthread_create(&threads[nthreads], NULL, query_worker, &rq) == 0)
        nthreads++;

    bool failed = false, interrupted = false;
    const char *lost_at = NULL; /* the rule during which the run's connection was lost */
    fw_err lost_err = {0};
    for (int i = 0, k = 0; !outcome && i < set->n && !interrupted && !lost_at; i++) {
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
            int e = store_rule(&rc, &q[k], nthreads ? &rq : NULL, o->interrupt, rr);
            pthread_mutex_lock(&rq.mu);
            batch_free(&q[k].ready);
            rq.stored = ++k;
            pthread_cond_broadcast(&rq.cv);
            pthread_mutex_unlock(&rq.mu);
            if (e == FW_EINTR)
                interrupted = true;
            else if (e == FW_EWORKSPACE) {
                lost_at = r->id;
                snprintf(lost_err.msg, sizeof lost_err.msg, "%s", rr->message);
                failed = true;
            } else if (e)
                failed = true;
            res->hits_new += rr->hits_new;
            res->hits_present += rr->hits_present;
            res->hits_gone += rr->hits_gone;
        }
        if (o->progress)
            o->progress(o->progress_ctx, rr);
    }
    pthread_mutex_lock(&rq.mu);
    atomic_store(&rq.stop, 1);
    pthread_cond_broadcast(&rq.cv);
    pthread_mutex_unlock(&rq.mu);
    for (int t = 0; t < nthreads; t++)
        pthread_join(threads[t], NULL);
    for (int k = 0; k < nq; k++)
        batch_free(&q[k].ready);
    free(q);
    free(chosen);
    pthread_mutex_destroy(&rq.mu);
    pthread_cond_destroy(&rq.cv);
    run_ctx_free(&rc);
    snprintf(res->status, sizeof res->status, "%s",
             outcome ? "failed" : interrupted ? "interrupted" : failed ? "failed" : "complete");
    fw_err ferr = {0};
    int fin = finish_run(ws, res, selection, &ferr);
    fw_runlock_release(&lock); /* after the final status: see runlock.h */
    fw_shard_run_end(ws);
    free(selection);
    if (outcome)
        return outcome;
    if (fin) {
        *err = ferr;
        return fin;
    }
    if (interrupted)
        return fw_fail(err, FW_EINTR, _("run %lld interrupted; the rules that completed before were kept"), res->run_id);
    if (lost_at)
        return fw_fail(err, FW_EWORKSPACE,
                       _("run %lld stopped at rule %s: %s. The rules that completed before were kept, the rest were "
                         "not run; the run is recorded as failed: run it again"),
                       res->run_id, lost_at, lost_err.msg);
    if (failed && res->unchecked[0]) /* both said: a failed rule must not hide the unchecked counties */
        return fw_fail(err, FW_EDATA,
                       _("run %lld is incomplete: some rules failed or were skipped (see above), and the payments of "
                         "%s were not checked; bring the shard back and run again"),
                       res->run_id, res->unchecked);
    if (failed)
        return fw_fail(err, FW_EDATA, _("run %lld: some rules failed or were skipped (see above)"), res->run_id);
    if (res->unchecked[0])
        return fw_fail(err, FW_EDATA,
                       _("run %lld is incomplete: the payments of %s were not checked; the other counties' hits "
                         "stand, and no hit of those counties was marked gone; bring the shard back and run again"),
                       res->run_id, res->unchecked);
    return FW_OK;
}

void fw_run_result_free(fw_run_result *res)
{
    free(res->rules);
    memset(res, 0, sizeof *res);
}

/* ---- listings --------------------------------------------------------------------------------- */

int fw_rules_list_rows(fw_ws *ws, fw_ruleset *set, const char *category, fw_rows **rows, fw_err *err)
{
    *rows = NULL;
    fw_db *db = ws->store;
    if (fw_db_exec(db,
                   "CREATE TEMP TABLE IF NOT EXISTS fw_rule_list(ord INTEGER, id TEXT, category TEXT, severity TEXT, "
                   "status TEXT, enabled TEXT, name TEXT, source TEXT, broken INTEGER); DELETE FROM fw_rule_list",
                   err))
        return err->code;
    fw_stmt *ins;
    if (fw_db_prepare(db, "INSERT INTO fw_rule_list VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins, err))
        return err->code;
    for (int i = 0; i < set->n; i++) {
        const fw_rule *r = &set->rules[i];
        if (category && strcmp(category, r->category) != 0)
            continue;
        char *source = fw_printf("%s (%s)", r->file, r->source ? r->source : "");
        fw_stmt_bind_int64(ins, 1, i);
        fw_stmt_bind_text(ins, 2, r->id, -1);
        fw_stmt_bind_text(ins, 3, r->category, -1);
        fw_stmt_bind_text(ins, 4, r->severity, -1);
        fw_stmt_bind_text(ins, 5, r->status, -1);
        fw_stmt_bind_text(ins, 6, fw_rule_enabled(ws, r) ? "yes" : "no", -1);
        fw_stmt_bind_text(ins, 7, r->name, -1);
        fw_stmt_bind_text(ins, 8, source, -1);
        fw_stmt_bind_int64(ins, 9, r->broken);
        int e = step_done(ins, err);
        free(source);
        if (e) {
            fw_stmt_finalize(ins);
            return e;
        }
    }
    fw_stmt_finalize(ins);
    return fw_rows_prepare(db,
                           "SELECT l.id, l.category, l.severity, CASE WHEN l.broken <> 0 THEN 'BROKEN' ELSE l.status END "
                           "AS status, l.enabled, l.name, rr.hits AS last_hits, rr.ms AS last_ms, rr.run_id AS last_run, "
                           "l.source FROM fw_rule_list l "
                           "LEFT JOIN run_rules rr ON rr.rule_id = l.id AND rr.run_id = "
                           "(SELECT max(run_id) FROM run_rules WHERE rule_id = l.id) ORDER BY l.ord",
                           rows, err);
}

int fw_rule_history_rows(fw_ws *ws, const char *rule_id, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store,
                        "SELECT rr.run_id, r.started_at, r.\"user\", rr.status, rr.hits, rr.ms, rr.version, rr.params, "
                        "rr.message FROM run_rules rr JOIN runs r ON r.id = rr.run_id "
                        "WHERE rr.rule_id = upper(CAST(? AS TEXT)) ORDER BY rr.run_id DESC LIMIT 10",
                        rows, err))
        return err->code;
    fw_stmt_bind_text(fw_rows_stmt(*rows), 1, rule_id, -1);
    return FW_OK;
}

int fw_rule_set(fw_ws *ws, const fw_rule *r, const char *key, const char *value, fw_err *err)
{
    if (strcmp(key, "enabled") == 0) {
        if (value && strcmp(value, "true") && strcmp(value, "false"))
            return fw_fail(err, FW_EUSAGE, _("enabled must be true or false, not '%s'"), value);
    } else if (strncmp(key, "param.", 6) == 0) {
        const fw_rule_param *p = fw_rule_find_param(r, key + 6);
        if (!p)
            return fw_fail(err, FW_ENOTFOUND, _("rule %s has no parameter %s; `fundwatch rules show %s` lists them"),
                           r->id, key + 6, r->id);
        fw_err why = {0};
        if (value && fw_rule_param_check(p, value, &why))
            return fw_fail(err, why.code, _("%s: %s (declared at %s:%d)"), r->id, why.msg, r->file, p->type_line);
    } else
        return fw_fail(err, FW_EUSAGE, _("a rule setting is 'enabled' or 'param.NAME', not '%s'"), key);
    if (fw_ws_begin(ws, err))
        return err->code;
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      value ? "INSERT INTO rule_settings(rule_id, key, value) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT(rule_id, key) DO UPDATE SET value = excluded.value"
                            : "DELETE FROM rule_settings WHERE rule_id = ?1 AND key = ?2",
                      &st, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    fw_stmt_bind_text(st, 1, r->id, -1);
    fw_stmt_bind_text(st, 2, key, -1);
    if (value)
        fw_stmt_bind_text(st, 3, value, -1);
    int e = step_done(st, err);
    fw_stmt_finalize(st);
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
