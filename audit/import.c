/* import.c: the import pipeline (see import.h): header mapping, per-cell normalization, the rows
 * loaded through the store's bulk load, rejects and flags, the all-or-nothing transaction, the
 * import record and its audit-trail entry, and the listings of imports, rejects and programs.
 * Every statement goes through the store (ws->store, audit/store/store.h), so it runs on SQLite and
 * PostgreSQL alike: "user" is quoted (a reserved word in PostgreSQL), new ids come back by
 * RETURNING.
 *
 * Speed comes from doing per row only what must be done per row, and from using a second core: a
 * reader thread parses and normalizes rows into batches (staged rows) while the calling thread
 * hands them to one bulk load (COPY on PostgreSQL, multi-row INSERTs on SQLite). While a load is
 * open no other statement may run, so the rare rejects and flags wait in memory and are written,
 * in bulk too, when the load pauses (every SIDE_ROWS_HELD of them) or ends. Program names are looked up through a
 * small cache, and for a large load into a (nearly) empty table the table's random-key indexes are
 * dropped and rebuilt at the end inside the same transaction, since building an index by sorting is
 * much cheaper than inserting millions of random keys one by one. */
#include "audit/import.h"
#include "audit/i18n.h"

#include <ctype.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/indexes.h"
#include "audit/namekey.h"
#include "audit/partition.h"
#include "audit/normalize.h"
#include "audit/trail.h"

/* ---- the session: one import's statements and scratch space ------------------------------------ */

enum { PROGRAM_CACHE = 64, MAX_NOTES = 8 };

/* One canonical column's cell while a row is processed. */
typedef struct cell {
    fw_buf text;          /* the record-at-a-time session's copy of the cell */
    char *s;              /* the cell as read, trimmed in place: text.data or the CSV reader's field */
    size_t len;
    bool present;         /* the file has this column */
    int filecol;          /* 1-based column in the file (0: not in the file) */
    char out[32];         /* stored form of ID, DATE, PERIOD, CREDIT, REGION */
    long long fen;
    double num;
} cell;

typedef struct note {
    int column;           /* dataset column index */
    char text[FW_WHY_SIZE];
} note;

/* What one column of the row gets, as normalize_cell decided. Text points into a cell, the
 * profile or the session, so it is valid only until the next row is normalized. */
typedef struct param_value {
    enum fw_dbt type;     /* FW_DBT_NULL, FW_DBT_INT, FW_DBT_REAL or FW_DBT_TEXT */
    long long i;
    double d;
    const char *text;
    size_t len;
} param_value;

/* A reject or a flag held in memory: the first rejects of a file (kept for a failed import), and
 * those waiting for the bulk load to pause. */
typedef struct side_row {
    long line;
    int col;              /* rejects: 1-based file column, 0 for the whole row */
    char *column_name, *value;
    char *text;           /* the reject's reason, or the flag's note */
} side_row;

typedef struct side_rows {
    side_row *v;
    int n, cap;
} side_rows;

struct fw_importer {
    fw_ws *ws;
    const fw_dataset *ds;
    const fw_profile *profile;
    fw_profile *owned_profile;
    long long import_id;
    fw_stmt *ins;         /* the record-at-a-time session's insert of one row */
    fw_bulk *bulk;        /* a file import's load of the rows, while it is open */
    const char **columns; /* nparams: the columns a row fills, in params' order */
    fw_value *row;        /* nparams: the row being inserted */
    cell *cells;
    param_value *params;  /* nparams: params[k] is column k (0 and 1, import_id and line, set at insert) */
    int nparams;
    char row_key[17];     /* the hashed row key of the row being normalized */
    int raw_param;        /* bind index of program_raw, 0 when the dataset has no program column */
    int payment_col;      /* dataset column index of payment_id, -1 when none */
    int program_col;      /* dataset column index of the program column, -1 when none */
    int name_col;         /* dataset column index of name when the dataset has name keys, else -1 */
    int key_param;        /* params index of name_simp (then name_pinyin, name_fuzzy); 0: none */
    fw_namekeyer *keyer;  /* computes the name keys (audit/namekey.h), on the thread staging rows */
    fw_namekey key;       /* the keys of the row being staged */
    int id_col;           /* dataset column index of id_number when bad IDs are kept, else -1 */
    int rawid_param;      /* params index of id_number_raw; 0: the dataset rejects bad IDs */
    long line;            /* the line being staged */
    char bad_id[96];      /* id_number of a row kept with a bad check character */
    struct {
        char *raw;
        const fw_program_info *info;
    } cache[PROGRAM_CACHE];
    int ncache;
    note notes[MAX_NOTES];
    int nnotes;
    long long read, loaded, rejected, flagged;
    long long repeating, replaced; /* --correct: new rows repeating older ones, older rows replaced */
    char min_date[11], max_date[11];
    bool keep_rejects;    /* file import: remember the first rejects for a failed import */
    side_rows kept;       /* those first rejects (at most FW_IMPORT_KEPT_REJECTS) */
    side_rows rejects, flags; /* written at the next flush_side */
    bool partitioned;     /* payments into a partitioned PostgreSQL table: partitions made on demand */
    int region_param, period_param, paydate_param; /* params indexes of the partition keys' columns */
    fw_part_set parts;    /* the county-years whose partitions this import has made sure of */
    bool keyed;           /* payments: the county and year of each row are worked out */
    const char *only_county, *only_year; /* --replace --county --year: the rows' county and year */
    fw_part_set known;    /* counties of persons and standards (empty: none loaded, no check) */
    struct { char key[FW_PART_COUNTY_MAX + FW_PART_YEAR_MAX]; long long rows; } *stray; /* other county-years */
    int nstray, capstray;
};

/* ---- staged rows: normalized, not yet stored ----------------------------------------------------- */

/* A file import normalizes rows on a reader thread while the calling thread inserts them, so a row
 * travels between the two as a staged_row in a batch: everything the insert (or the reject, or the
 * flags) needs, copied into the batch's arena. The record-at-a-time session stages one row and
 * stores it at once. */
enum staged_kind { STAGED_BLANK, STAGED_ROW, STAGED_REJECT };

typedef struct staged_value {
    enum fw_dbt type;     /* as param_value */
    long long i;
    double d;
    size_t off, len;      /* FW_DBT_TEXT: bytes in the arena (NUL-terminated) */
} staged_value;

typedef struct staged_note {
    int column;           /* dataset column index */
    size_t value_off, text_off;
} staged_note;

enum { NO_TEXT = (size_t)-1 };

typedef struct staged_row {
    enum staged_kind kind;
    long line;
    long long bytes_done; /* how far the reader had got: for the progress callback */
    int first_value;      /* STAGED_ROW: the nparams values from here */
    int first_note, nnotes;
    int col;              /* STAGED_REJECT: 1-based file column, 0 for the whole row */
    const char *column_name; /* STAGED_REJECT: the dataset column (static), or NULL */
    bool cell_problem;    /* STAGED_REJECT: a cell failed its normalizer (the session reports it) */
    size_t value_off;     /* STAGED_REJECT: the value shown, or NO_TEXT */
    size_t reason_off;
} staged_row;

typedef struct batch {
    staged_row *rows;
    int nrows, cap_rows;
    staged_value *values;
    int nvalues, cap_values;
    staged_note *notes;
    int nnotes, cap_notes;
    fw_buf arena;
    bool last;            /* the reader stopped after these rows */
    int end;              /* when last: 0 at end of file, else the reader's error code, in err */
    fw_err err;
    struct batch *next;
} batch;

static void batch_reset(batch *b)
{
    b->nrows = b->nvalues = b->nnotes = 0;
    b->last = false;
    b->end = 0;
    fw_buf_reset(&b->arena);
}

/* Frees what the batch holds, not the batch itself (the session's batch lives on the stack). */
static void batch_release(batch *b)
{
    free(b->rows);
    free(b->values);
    free(b->notes);
    fw_buf_free(&b->arena);
}

static void batch_free(batch *b)
{
    if (!b)
        return;
    batch_release(b);
    free(b);
}

/* Copies n bytes and a NUL into the arena; called for every text cell, so one copy, no per-byte
 * appends. */
static size_t arena_add(batch *b, const char *s, size_t n)
{
    size_t off = b->arena.len;
    fw_buf_reserve(&b->arena, n + 1);
    memcpy(b->arena.data + off, s, n);
    b->arena.data[off + n] = '\0';
    b->arena.len = off + n + 1;
    return off;
}

static const char *arena_text(const batch *b, size_t off) { return off == NO_TEXT ? NULL : b->arena.data + off; }

static staged_row *batch_new_row(batch *b, enum staged_kind kind, long line)
{
    if (b->nrows == b->cap_rows) {
        b->cap_rows = b->cap_rows ? 2 * b->cap_rows : 64;
        b->rows = fw_realloc(b->rows, (size_t)b->cap_rows * sizeof *b->rows);
    }
    staged_row *r = &b->rows[b->nrows++];
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->line = line;
    r->value_off = NO_TEXT;
    return r;
}

/* Stages a rejected row: reason always, value and column when known. */
static void stage_reject(batch *b, long line, int col, const char *column_name, const char *value,
                         const char *reason, bool cell_problem)
{
    staged_row *r = batch_new_row(b, STAGED_REJECT, line);
    r->col = col;
    r->column_name = column_name;
    r->cell_problem = cell_problem;
    if (value)
        r->value_off = arena_add(b, value, strlen(value));
    r->reason_off = arena_add(b, reason, strlen(reason));
}


/* Sets err's code and appends "; nothing was loaded" to the message a lower layer wrote. */
static int nothing_loaded(fw_err *err, int code)
{
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof err->msg - n, "; nothing was loaded");
    err->code = code;
    return code;
}

/* A failed statement's err already carries the store's exit code and message: the module's own
 * words go in front of it, as they went in front of the engine's text before. */
static int db_fail(fw_err *err, const char *fmt_one_s)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return fw_fail(err, err->code ? err->code : FW_EWORKSPACE, fmt_one_s, why);
}

/* Copies at most max bytes of s, cut at a character boundary, with invalid UTF-8 bytes shown as
 * '?', so a reject's value is always printable. Caller frees. */
static char *printable_value(const char *s, size_t max)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    const unsigned char *p = (const unsigned char *)s;
    while (*p && b.len < max) {
        int n = *p < 0x80 ? 1 : (*p >> 5) == 6 ? 2 : (*p >> 4) == 14 ? 3 : (*p >> 3) == 30 ? 4 : 0;
        int ok = n > 0;
        for (int k = 1; k < n && ok; k++)
            ok = (p[k] & 0xC0) == 0x80;
        if (!ok) {
            fw_buf_putc(&b, '?');
            p++;
            continue;
        }
        if (b.len + (size_t)n > max)
            break;
        fw_buf_add(&b, (const char *)p, (size_t)n);
        p += n;
    }
    if (*p)
        fw_buf_puts(&b, "…");
    return fw_buf_steal(&b);
}

/* ---- rejects and flags: held, then written in bulk ----------------------------------------------- */

/* How many rejects and flags wait before the bulk load of rows pauses for them. A county ledger has
 * a few rejects and tens of thousands of flags (15-digit IDs converted): a handful of pauses, and
 * the memory of a few thousand short strings. */
enum { SIDE_ROWS_HELD = 8192 };

static void side_add(side_rows *q, long line, int col, const char *column_name, const char *value, const char *text)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 64;
        q->v = fw_realloc(q->v, (size_t)q->cap * sizeof *q->v);
    }
    q->v[q->n++] = (side_row){line, col, column_name ? fw_strdup(column_name) : NULL, value ? fw_strdup(value) : NULL,
                              fw_strdup(text)};
}

static void side_clear(side_rows *q)
{
    for (int i = 0; i < q->n; i++) {
        free(q->v[i].column_name);
        free(q->v[i].value);
        free(q->v[i].text);
    }
    q->n = 0;
}

static void side_free(side_rows *q)
{
    side_clear(q);
    free(q->v);
    q->v = NULL;
    q->cap = 0;
}

static fw_value int_value(long long i) { return (fw_value){.type = FW_DBT_INT, .i = i}; }

static fw_value text_value(const char *s)
{
    return s ? (fw_value){.type = FW_DBT_TEXT, .s = s, .len = strlen(s)} : (fw_value){.type = FW_DBT_NULL};
}

/* Writes the held rows of q into rejects (is_reject) or flags in one bulk load, and empties q. No
 * other load may be open. */
static int load_side(fw_importer *im, bool is_reject, side_rows *q, fw_err *err)
{
    static const char *const reject_cols[] = {"import_id", "line", "col", "column_name", "value", "reason"};
    static const char *const flag_cols[] = {"import_id", "line", "column_name", "value", "note"};
    if (!q->n)
        return FW_OK;
    fw_bulk *b = NULL;
    int rc = is_reject ? fw_db_bulk_begin(im->ws->store, "rejects", reject_cols, 6, &b, err)
                       : fw_db_bulk_begin(im->ws->store, "flags", flag_cols, 5, &b, err);
    for (int i = 0; i < q->n && !rc; i++) {
        const side_row *r = &q->v[i];
        fw_value v[6];
        int n = 0;
        v[n++] = int_value(im->import_id);
        v[n++] = int_value(r->line);
        if (is_reject)
            v[n++] = r->col > 0 ? int_value(r->col) : (fw_value){.type = FW_DBT_NULL};
        v[n++] = text_value(r->column_name);
        v[n++] = text_value(r->value);
        v[n++] = text_value(r->text);
        rc = fw_bulk_row(b, v, err);
    }
    if (b && fw_bulk_finish(b, NULL, err)) /* after a failed row: that row's failure */
        rc = err->code;
    side_clear(q);
    return rc ? db_fail(err, is_reject ? "cannot record a reject: %s" : "cannot record a flag: %s") : FW_OK;
}

static char *rows_table(const fw_importer *im) { return fw_printf("ds_%s", im->ds->name); }

/* Opens the file import's bulk load of rows into the dataset's table. */
static int begin_rows(fw_importer *im, fw_err *err)
{
    char *table = rows_table(im);
    int rc = fw_db_bulk_begin(im->ws->store, table, im->columns, im->nparams, &im->bulk, err);
    free(table);
    return rc ? db_fail(err, "cannot insert a row: %s") : FW_OK;
}

/* Ends the bulk load of rows, keeping them (pause: to write rejects and flags, or at the end). */
static int end_rows(fw_importer *im, fw_err *err)
{
    fw_bulk *b = im->bulk;
    im->bulk = NULL;
    return b && fw_bulk_finish(b, NULL, err) ? db_fail(err, "cannot insert a row: %s") : FW_OK;
}

/* Gives the bulk load up (the transaction is rolled back next): before any rollback, which would
 * end it behind the importer's back. */
static void drop_rows(fw_importer *im)
{
    fw_bulk_abort(im->bulk);
    im->bulk = NULL;
}

/* Writes the held rejects and flags, pausing the bulk load of rows around them. */
static int flush_side(fw_importer *im, fw_err *err)
{
    if (!im->rejects.n && !im->flags.n)
        return FW_OK;
    bool loading = im->bulk != NULL;
    if ((loading && end_rows(im, err)) || load_side(im, true, &im->rejects, err) ||
        load_side(im, false, &im->flags, err) || (loading && begin_rows(im, err)))
        return err->code;
    return FW_OK;
}

static int maybe_flush_side(fw_importer *im, fw_err *err)
{
    return im->rejects.n + im->flags.n >= SIDE_ROWS_HELD ? flush_side(im, err) : FW_OK;
}

/* Records a reject (col 0: the whole row), written at the next flush_side. */
static int record_reject(fw_importer *im, long line, int col, const char *column_name, const char *value,
                         const char *reason, fw_err *err)
{
    im->rejected++;
    char *shown = value ? printable_value(value, FW_IMPORT_REJECT_VALUE_MAX) : NULL;
    if (im->keep_rejects && im->kept.n < FW_IMPORT_KEPT_REJECTS)
        side_add(&im->kept, line, col, column_name, shown, reason);
    side_add(&im->rejects, line, col, column_name, shown, reason);
    free(shown);
    return maybe_flush_side(im, err);
}

static int record_flags(fw_importer *im, const batch *b, const staged_row *r, fw_err *err)
{
    for (int i = 0; i < r->nnotes; i++) {
        const staged_note *n = &b->notes[r->first_note + i];
        side_add(&im->flags, r->line, 0, im->ds->columns[n->column].name, arena_text(b, n->value_off),
                 arena_text(b, n->text_off));
    }
    return maybe_flush_side(im, err);
}

static const fw_program_info *lookup_program(fw_importer *im, const char *raw)
{
    for (int i = 0; i < im->ncache; i++)
        if (strcmp(im->cache[i].raw, raw) == 0)
            return im->cache[i].info;
    const fw_program_info *info = fw_profile_program(im->profile, raw);
    if (im->ncache < PROGRAM_CACHE) {
        im->cache[im->ncache].raw = fw_strdup(raw);
        im->cache[im->ncache++].info = info;
    }
    return info;
}

static void see_date(fw_importer *im, const char *iso)
{
    if (!im->min_date[0] || strcmp(iso, im->min_date) < 0)
        memcpy(im->min_date, iso, 11);
    if (!im->max_date[0] || strcmp(iso, im->max_date) > 0)
        memcpy(im->max_date, iso, 11);
}

static void set_null(param_value *p) { p->type = FW_DBT_NULL; }

static void set_text(param_value *p, const char *text, size_t len)
{
    p->type = FW_DBT_TEXT;
    p->text = text;
    p->len = len;
}

/* A registry row whose ID fails only its check character is kept, flagged (issue 16): the number as
 * written in id_number_raw, and in id_number a value no valid number equals (dataset.h), so exact
 * rules skip it and the flag lists it among the import's notes. */
static int keep_bad_id(fw_importer *im, cell *c, param_value *p, char why[FW_WHY_SIZE])
{
    snprintf(im->bad_id, sizeof im->bad_id, "!%s@%s:%ld", c->out, im->ds->name, im->line);
    set_text(p, im->bad_id, strlen(im->bad_id));
    set_text(&im->params[im->rawid_param], c->out, strlen(c->out));
    static const char kept[] = "; kept as invalid-ID (id_number_raw), rules matching on the ID skip it";
    size_t n = strlen(why);
    if (n + sizeof kept <= FW_WHY_SIZE)
        memcpy(why + n, kept, sizeof kept);
    return FW_NORM_NOTE;
}

/* Normalizes cell i into its parameter(s). Returns FW_NORM_OK/NOTE/BAD with why filled. */
static int normalize_cell(fw_importer *im, int i, char why[FW_WHY_SIZE])
{
    const fw_column *col = &im->ds->columns[i];
    cell *c = &im->cells[i];
    param_value *p = &im->params[3 + i + (im->raw_param && i > im->program_col ? 1 : 0)];
    why[0] = '\0';
    if (!c->present || c->len == 0) {
        if (col->required) {
            snprintf(why, FW_WHY_SIZE, "required column %s is empty; fill it in or drop the row", col->name);
            return FW_NORM_BAD;
        }
        const char *alt = fw_dataset_alternative(im->ds, col->name);
        const fw_column *altcol = alt ? fw_dataset_column(im->ds, alt) : NULL;
        if (altcol && col < altcol) { /* reported once, at the first of the two */
            cell *a = &im->cells[altcol - im->ds->columns];
            if (!a->present || fw_norm_trim(a->s) == 0) {
                snprintf(why, FW_WHY_SIZE, "%s and %s are both empty; fill in one of them or drop the row",
                         col->name, alt);
                return FW_NORM_BAD;
            }
        }
        set_null(p);
        if (col->type == FW_COL_PROGRAM)
            set_null(&im->params[im->raw_param - 1]);
        return FW_NORM_OK;
    }
    if (c->len > FW_IMPORT_MAX_FIELD) {
        snprintf(why, FW_WHY_SIZE, "value is %zu bytes long; at most %d are accepted", c->len, FW_IMPORT_MAX_FIELD);
        return FW_NORM_BAD;
    }
    int rc = FW_NORM_OK;
    const char *text = c->s;
    switch (col->type) {
    case FW_COL_TEXT:
        set_text(p, text, c->len);
        return FW_NORM_OK;
    case FW_COL_ID:
        rc = fw_norm_id(text, c->out, why);
        if (rc == FW_NORM_BAD && i == im->id_col && c->out[0])
            return keep_bad_id(im, c, p, why);
        break;
    case FW_COL_DATE:
        rc = fw_norm_date(text, c->out, why);
        if (rc != FW_NORM_BAD)
            see_date(im, c->out);
        break;
    case FW_COL_PERIOD:
        rc = fw_norm_period(text, c->out, why);
        break;
    case FW_COL_CREDIT:
        rc = fw_norm_credit(text, c->out, why);
        break;
    case FW_COL_REGION:
        rc = fw_norm_region(text, c->out, why);
        break;
    case FW_COL_MONEY:
        rc = fw_norm_money(text, col->negative_ok, &c->fen, why);
        p->type = FW_DBT_INT;
        p->i = c->fen;
        return rc;
    case FW_COL_NUMBER:
        rc = fw_norm_number(text, &c->num, why);
        p->type = FW_DBT_REAL;
        p->d = c->num;
        return rc;
    case FW_COL_PROGRAM: {
        const fw_program_info *info = lookup_program(im, text);
        set_text(p, info ? info->name : text, info ? strlen(info->name) : c->len);
        set_text(&im->params[im->raw_param - 1], text, c->len);
        return FW_NORM_OK;
    }
    }
    if (rc != FW_NORM_BAD)
        set_text(p, c->out, strlen(c->out));
    return rc;
}

/* The stored text of cell i as it enters the row key ("" for NULL). The program column enters as
 * written, so a change of the profile's mapping does not change the keys of old rows. Numbers are
 * formatted here, not per row, since only rows without a payment_id need them. */
static const char *key_text(fw_importer *im, int i)
{
    cell *c = &im->cells[i];
    if (!c->present || c->len == 0)
        return "";
    switch (im->ds->columns[i].type) {
    case FW_COL_TEXT:
    case FW_COL_PROGRAM:
        return c->s;
    case FW_COL_MONEY:
        snprintf(c->out, sizeof c->out, "%lld", c->fen);
        return c->out;
    case FW_COL_NUMBER:
        snprintf(c->out, sizeof c->out, "%.17g", c->num);
        return c->out;
    default:
        return c->out;
    }
}

/* row_key: payment_id when present, else the first 16 hex digits of the SHA-256 of the normalized
 * values joined by \x1f. */
static void set_row_key(fw_importer *im)
{
    int pid = im->payment_col;
    if (pid >= 0 && im->cells[pid].present && im->cells[pid].len) {
        set_text(&im->params[2], im->cells[pid].s, im->cells[pid].len);
        return;
    }
    static const char hexdigits[] = "0123456789abcdef";
    struct sha256_ctx h;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&h);
    for (int i = 0; i < im->ds->ncolumns; i++) {
        const char *t = key_text(im, i);
        if (i)
            sha256_update(&h, 1, (const uint8_t *)"\x1f");
        sha256_update(&h, strlen(t), (const uint8_t *)t);
    }
    sha256_digest(&h, sizeof digest, digest);
    for (int k = 0; k < 8; k++) {
        im->row_key[2 * k] = hexdigits[digest[k] >> 4];
        im->row_key[2 * k + 1] = hexdigits[digest[k] & 15];
    }
    im->row_key[16] = '\0';
    set_text(&im->params[2], im->row_key, 16);
}

/* The name keys of the row (after its row_key, which they do not enter: a re-import with a newer
 * OpenCC or ICU keeps its evidence keys). An empty name gets NULL keys. */
static void set_name_keys(fw_importer *im)
{
    if (!im->key_param)
        return;
    const cell *c = &im->cells[im->name_col];
    if (!c->present || !c->len || !im->keyer) {
        for (int k = 0; k < 3; k++)
            set_null(&im->params[im->key_param + k]);
        return;
    }
    fw_namekey_compute(im->keyer, c->s, &im->key);
    const char *keys[3] = {im->key.simp, im->key.pinyin, im->key.fuzzy};
    for (int k = 0; k < 3; k++)
        set_text(&im->params[im->key_param + k], keys[k], strlen(keys[k]));
}

/* Copies the row's parameters and notes into the batch. */
static void stage_values(fw_importer *im, batch *b, staged_row *r)
{
    if (b->nvalues + im->nparams > b->cap_values) {
        b->cap_values = b->cap_values ? 2 * b->cap_values : 64 * im->nparams;
        b->values = fw_realloc(b->values, (size_t)b->cap_values * sizeof *b->values);
    }
    r->first_value = b->nvalues;
    for (int k = 0; k < im->nparams; k++) {
        const param_value *p = &im->params[k];
        staged_value *v = &b->values[b->nvalues++];
        v->type = p->type;
        v->i = p->i;
        v->d = p->d;
        if (p->type == FW_DBT_TEXT) {
            v->len = p->len;
            v->off = arena_add(b, p->text, p->len);
        }
    }
    if (b->nnotes + im->nnotes > b->cap_notes) {
        b->cap_notes = b->cap_notes ? 2 * b->cap_notes : 64;
        while (b->cap_notes < b->nnotes + im->nnotes)
            b->cap_notes *= 2;
        b->notes = fw_realloc(b->notes, (size_t)b->cap_notes * sizeof *b->notes);
    }
    r->first_note = b->nnotes;
    r->nnotes = im->nnotes;
    for (int i = 0; i < im->nnotes; i++) {
        const cell *c = &im->cells[im->notes[i].column];
        staged_note *n = &b->notes[b->nnotes++];
        n->column = im->notes[i].column;
        n->value_off = arena_add(b, c->s, c->len);
        n->text_off = arena_add(b, im->notes[i].text, strlen(im->notes[i].text));
    }
}

/* Validates the row held in im->cells and stages it as a row to insert or as a reject. Touches
 * neither the database nor the counters, so it can run on the reader thread. */
static void stage_row(fw_importer *im, long line, batch *b)
{
    char why[FW_WHY_SIZE];
    im->nnotes = 0;
    im->line = line;
    if (im->rawid_param)
        set_null(&im->params[im->rawid_param]);
    for (int i = 0; i < im->ds->ncolumns; i++) {
        cell *c = &im->cells[i];
        if (c->present)
            c->len = fw_norm_trim(c->s);
        int rc = normalize_cell(im, i, why);
        if (rc == FW_NORM_BAD) {
            stage_reject(b, line, c->filecol, im->ds->columns[i].name, c->present ? c->s : NULL, why, true);
            return;
        }
        if (rc == FW_NORM_NOTE && im->nnotes < MAX_NOTES) {
            im->notes[im->nnotes].column = i;
            snprintf(im->notes[im->nnotes++].text, FW_WHY_SIZE, "%s", why);
        }
    }
    set_row_key(im);
    set_name_keys(im);
    stage_values(im, b, batch_new_row(b, STAGED_ROW, line));
}

/* The record-at-a-time session inserts its row at once: its caller runs other statements between
 * records, which an open bulk load would refuse. */
static int insert_one(fw_importer *im, const fw_value *v, fw_err *err)
{
    for (int k = 0; k < im->nparams; k++)
        fw_stmt_bind_value(im->ins, k + 1, &v[k]);
    int rc = fw_stmt_step(im->ins, err);
    fw_stmt_reset(im->ins);
    return rc < 0 ? err->code : FW_OK;
}

/* Partitioned payments (PostgreSQL): the first row of a county-year this import has not met makes
 * sure its partition exists, pausing the bulk load around the DDL (COPY into the parent routes the
 * rows; a row without a partition would fail the whole load). Made in the import's transaction, so
 * a failed import leaves no partition behind. */
static int ensure_partition(fw_importer *im, const char *county, const char *year, fw_err *err)
{
    if (!fw_part_set_needs(&im->parts, county, year))
        return FW_OK;
    bool loading = im->bulk != NULL;
    if ((loading && end_rows(im, err)) || fw_part_ensure(im->ws->store, county, year, err))
        return loading && err->code ? err->code : db_fail(err, "cannot make the payments' partition: %s");
    fw_part_set_add(&im->parts, county, year);
    return loading ? begin_rows(im, err) : FW_OK;
}

/* --replace --county --year: a row of another county or year is counted (the file is refused). */
static void note_stray(fw_importer *im, const char *county, const char *year)
{
    char key[FW_PART_COUNTY_MAX + FW_PART_YEAR_MAX];
    snprintf(key, sizeof key, "%s %s", *county ? county : "(none)", year);
    for (int i = 0; i < im->nstray; i++)
        if (strcmp(im->stray[i].key, key) == 0) {
            im->stray[i].rows++;
            return;
        }
    if (im->nstray == im->capstray) {
        im->capstray = im->capstray ? 2 * im->capstray : 8;
        im->stray = realloc(im->stray, (size_t)im->capstray * sizeof *im->stray);
        if (!im->stray)
            abort();
    }
    snprintf(im->stray[im->nstray].key, sizeof im->stray[im->nstray].key, "%s", key);
    im->stray[im->nstray++].rows = 1;
}

/* The counties a payment may name: the workspace's `counties` setting (fundwatch status
 * --set-counties), a comma-separated list of 6-digit codes; not set: any county. */
static int load_known_counties(fw_importer *im, fw_err *err)
{
    (void)err;
    char *list = fw_ws_setting(im->ws, FW_PART_COUNTIES_KEY);
    for (char *tok = list ? strtok(list, ", ") : NULL; tok; tok = strtok(NULL, ", "))
        fw_part_set_add(&im->known, tok, "");
    free(list);
    return FW_OK;
}

/* Inserts a staged row: into the file import's bulk load, or at once in a session. */
static int insert_staged(fw_importer *im, const batch *b, const staged_row *r, fw_err *err)
{
    fw_value *v = im->row;
    v[0] = int_value(im->import_id);
    v[1] = int_value(r->line);
    for (int k = 2; k < im->nparams; k++) {
        const staged_value *sv = &b->values[r->first_value + k];
        v[k] = (fw_value){.type = sv->type, .i = sv->i, .d = sv->d};
        if (sv->type == FW_DBT_TEXT) {
            v[k].s = b->arena.data + sv->off;
            v[k].len = sv->len;
        }
    }
    if (im->keyed) {
        char county[FW_PART_COUNTY_MAX], year[FW_PART_YEAR_MAX];
        fw_part_keys(&v[im->region_param], im->period_param ? &v[im->period_param] : NULL, &v[im->paydate_param],
                     county, year);
        if (*county && im->known.n && fw_part_set_needs(&im->known, county, "")) {
            char reason[160];
            snprintf(reason, sizeof reason,
                     _("region code %s belongs to no known county (fundwatch status lists the workspace's counties)"),
                     v[im->region_param].s);
            return record_reject(im, r->line, 0, "region_code", v[im->region_param].s, reason, err);
        }
        if (im->only_county && (strcmp(county, im->only_county) != 0 || strcmp(year, im->only_year) != 0)) {
            note_stray(im, county, year);
            return FW_OK; /* refused at the end, with every other county-year counted */
        }
        if (im->partitioned) {
            if (ensure_partition(im, county, year, err))
                return err->code;
        } else if (fw_part_set_needs(&im->parts, county, year))
            fw_part_set_add(&im->parts, county, year);
    }
    if (im->bulk ? fw_bulk_row(im->bulk, v, err) : insert_one(im, v, err))
        return db_fail(err, "cannot insert a row: %s");
    im->loaded++;
    if (r->nnotes) {
        im->flagged++;
        return record_flags(im, b, r, err);
    }
    return FW_OK;
}

/* Stores one staged row (not a blank one): inserts it, or records the reject. Returns FW_OK when
 * loaded, FW_EDATA when it is a reject of a cell (err: the reason with line and column), FW_OK for
 * a reject of the whole row, FW_EWORKSPACE on a database error. */
static int store_staged(fw_importer *im, const batch *b, const staged_row *r, fw_err *err)
{
    if (r->kind == STAGED_ROW)
        return insert_staged(im, b, r, err);
    const char *reason = arena_text(b, r->reason_off);
    if (r->cell_problem)
        fw_fail(err, FW_EDATA, _("line %ld, column %d (%s): %s"), r->line, r->col, r->column_name, reason);
    int rc = record_reject(im, r->line, r->col, r->column_name, arena_text(b, r->value_off), reason, err);
    return rc ? rc : r->cell_problem ? FW_EDATA : FW_OK;
}


/* The columns a row fills, in the order of im->params: import_id, line, row_key, the dataset's
 * columns, and program_raw after the program column. */
static void plan_columns(fw_importer *im)
{
    const fw_dataset *ds = im->ds;
    int k = 0;
    im->columns[k++] = "import_id";
    im->columns[k++] = "line";
    im->columns[k++] = "row_key";
    im->program_col = -1;
    im->payment_col = -1;
    for (int i = 0; i < ds->ncolumns; i++) {
        if (strcmp(ds->columns[i].name, "payment_id") == 0)
            im->payment_col = i;
        im->columns[k++] = ds->columns[i].name;
        if (ds->columns[i].type == FW_COL_PROGRAM) {
            im->columns[k++] = "program_raw";
            im->raw_param = k;
            im->program_col = i;
        }
    }
    im->name_col = -1;
    const char *const *keys;
    const char *keyed = fw_dataset_keyed_name(ds, &keys);
    if (keyed) {
        im->name_col = (int)(fw_dataset_column(ds, keyed) - ds->columns);
        im->key_param = k;
        for (int j = 0; j < 3; j++)
            im->columns[k++] = keys[j];
    }
    im->id_col = -1;
    if (fw_dataset_keeps_bad_ids(ds)) {
        im->id_col = (int)(fw_dataset_column(ds, "id_number") - ds->columns);
        im->rawid_param = k;
        im->columns[k++] = "id_number_raw";
    }
}

/* The session's insert of one row. */
static int prepare_insert_one(fw_importer *im, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql, "INSERT INTO ds_%s(", im->ds->name);
    for (int k = 0; k < im->nparams; k++)
        fw_buf_printf(&sql, "%s%s", k ? ", " : "", im->columns[k]);
    fw_buf_puts(&sql, ") VALUES (");
    for (int k = 0; k < im->nparams; k++)
        fw_buf_puts(&sql, k ? ", ?" : "?");
    fw_buf_putc(&sql, ')');
    int rc = fw_db_prepare(im->ws->store, sql.data, &im->ins, err);
    fw_buf_free(&sql);
    return rc;
}

/* The store's message of a failed statement, copied so that fw_fail can put the module's words in
 * front of it. */
static const char *why_of(const fw_err *err, char *why, size_t n)
{
    snprintf(why, n, "%s", err->msg);
    return why;
}

static const fw_sql programs_upsert_sql = {
    .name = "import.programs",
    .sql = "INSERT INTO programs(name, means_tested, fixed_amount) VALUES (?, ?, ?) "
           "ON CONFLICT(name) DO UPDATE SET means_tested = excluded.means_tested, "
           "fixed_amount = excluded.fixed_amount",
};

/* The programs table mirrors the profile, so rules can join payments to means_tested. */
static int sync_programs(fw_ws *ws, const fw_profile *p, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_cached(ws->store, &programs_upsert_sql, &st, err))
        return err->code;
    int rc = 0;
    for (int i = 0; i < fw_profile_nprograms(p) && rc == 0; i++) {
        const fw_program_info *g = fw_profile_program_at(p, i);
        fw_stmt_bind_text(st, 1, g->name, -1);
        fw_stmt_bind_int64(st, 2, g->means_tested);
        fw_stmt_bind_int64(st, 3, g->fixed_amount);
        rc = fw_stmt_step(st, err);
        fw_stmt_reset(st);
    }
    char why[sizeof err->msg];
    return rc == 0 ? FW_OK : fw_fail(err, err->code, _("cannot update programs: %s"), why_of(err, why, sizeof why));
}

static const fw_sql import_insert_sql = {
    .name = "import.record",
    .sql = "INSERT INTO imports(dataset, file, sha256, encoding, mode, status, \"user\", started_at) "
           "VALUES (?, ?, '', ?, ?, ?, ?, ?) RETURNING id",
};

static int insert_import_row(fw_ws *ws, const char *dataset, const char *file, const char *encoding,
                             const char *mode, const char *status, long long *id, fw_err *err)
{
    fw_stmt *st;
    char now[32];
    fw_now_iso(now);
    if (fw_db_cached(ws->store, &import_insert_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, dataset, -1);
    fw_stmt_bind_text(st, 2, file, -1);
    fw_stmt_bind_text(st, 3, encoding, -1);
    fw_stmt_bind_text(st, 4, mode, -1);
    fw_stmt_bind_text(st, 5, status, -1);
    fw_stmt_bind_text(st, 6, fw_user(), -1);
    fw_stmt_bind_text(st, 7, now, -1);
    int rc = fw_stmt_step(st, err);
    if (rc == 1) {
        *id = fw_stmt_int64(st, 0);
        rc = fw_stmt_step(st, err); /* to the end: the insert is complete */
    }
    fw_stmt_reset(st);
    char why[sizeof err->msg];
    if (rc != 0)
        return fw_fail(err, err->code, _("cannot record the import: %s"), why_of(err, why, sizeof why));
    return FW_OK;
}

/* Allocates a session without touching the database. */
/* bench/import_names.sh's reference run only: FUNDWATCH_BENCH_NO_NAMEKEYS=1 leaves the name keys
 * NULL, to time an import without them. Not documented for users: such rows match no name rule. */
static bool name_keys_benched_off(void)
{
    const char *v = getenv("FUNDWATCH_BENCH_NO_NAMEKEYS");
    return v && strcmp(v, "1") == 0;
}

/* The ICU readings earlier imports into this workspace kept (name_readings), given to the keyer. */
static int load_readings(fw_importer *im, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(im->ws->store, "SELECT cp, latin FROM name_readings", &st, err))
        return err->code;
    int rc;
    while ((rc = fw_stmt_step(st, err)) == 1)
        fw_namekeyer_know(im->keyer, (int)fw_stmt_int64(st, 0), fw_stmt_text(st, 1));
    fw_stmt_finalize(st);
    return rc < 0 ? err->code : FW_OK;
}

static const fw_sql reading_insert_sql = {
    .name = "import.reading",
    .sql = "INSERT INTO name_readings (cp, latin) VALUES (?, ?) ON CONFLICT (cp) DO NOTHING",
};

static int save_reading(void *ctx, int cp, const char *latin, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_cached(ctx, &reading_insert_sql, &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, cp);
    fw_stmt_bind_text(st, 2, latin, -1);
    int rc = fw_stmt_step(st, err);
    fw_stmt_reset(st);
    return rc < 0 ? err->code : FW_OK;
}

/* Keeps the readings this import got from ICU for the next one, in its transaction; fails when ICU
 * could not be opened (the pinyin keys would hold unread characters). */
static int save_readings(fw_importer *im, fw_err *err)
{
    if (!im->keyer)
        return FW_OK;
    const char *problem = fw_namekeyer_problem(im->keyer);
    if (problem)
        return fw_fail(err, FW_EFAIL, "%s", problem);
    return fw_namekeyer_each_learned(im->keyer, save_reading, im->ws->store, err);
}

static void importer_free(fw_importer *im);

static int importer_new(fw_ws *ws, const char *dataset, const fw_profile *profile, fw_importer **out,
                        fw_err *err)
{
    *out = NULL;
    const fw_dataset *ds = fw_dataset_find(dataset);
    if (!ds) {
        fw_buf names = {0};
        for (int i = 0; i < fw_ndatasets; i++)
            fw_buf_printf(&names, "%s%s", i ? ", " : "", fw_datasets[i].name);
        fw_fail(err, FW_EUSAGE, _("unknown dataset '%s'; use one of: %s"), dataset, names.data);
        fw_buf_free(&names);
        return FW_EUSAGE;
    }
    fw_importer *im = fw_calloc(1, sizeof *im);
    im->ws = ws;
    im->ds = ds;
    if (!profile) {
        if (fw_profile_load(NULL, &im->owned_profile, err)) {
            free(im);
            return err->code;
        }
        profile = im->owned_profile;
    }
    im->profile = profile;
    im->cells = fw_calloc((size_t)ds->ncolumns, sizeof *im->cells);
    im->nparams = 3 + ds->ncolumns; /* import_id, line, row_key, the columns, program_raw */
    for (int i = 0; i < ds->ncolumns; i++) {
        fw_buf_puts(&im->cells[i].text, "");
        im->nparams += ds->columns[i].type == FW_COL_PROGRAM;
    }
    im->nparams += fw_dataset_keeps_bad_ids(ds); /* id_number_raw */
    const char *const *keys;
    if (fw_dataset_keyed_name(ds, &keys)) {
        im->nparams += 3; /* name_simp, name_pinyin, name_fuzzy (or relative_name_*) */
        if (!name_keys_benched_off() && (fw_namekeyer_open(&im->keyer, err) || load_readings(im, err))) {
            fw_namekeyer_close(im->keyer);
            fw_profile_free(im->owned_profile);
            for (int i = 0; i < ds->ncolumns; i++)
                fw_buf_free(&im->cells[i].text);
            free(im->cells);
            free(im);
            return err->code;
        }
    }
    im->params = fw_calloc((size_t)im->nparams, sizeof *im->params);
    im->columns = fw_calloc((size_t)im->nparams, sizeof *im->columns);
    im->row = fw_calloc((size_t)im->nparams, sizeof *im->row);
    plan_columns(im);
    im->parts.last = -1;
    im->known.last = -1;
    if (strcmp(ds->name, "payments") == 0) {
        im->partitioned = fw_part_active(ws->store);
        im->keyed = true;
        if (load_known_counties(im, err)) {
            importer_free(im);
            return err->code;
        }
        for (int k = 0; k < im->nparams; k++) {
            if (strcmp(im->columns[k], "region_code") == 0)
                im->region_param = k;
            else if (strcmp(im->columns[k], "period") == 0)
                im->period_param = k;
            else if (strcmp(im->columns[k], "pay_date") == 0)
                im->paydate_param = k;
        }
    }
    *out = im;
    return FW_OK;
}

static void importer_free(fw_importer *im)
{
    if (!im)
        return;
    drop_rows(im);
    fw_stmt_finalize(im->ins);
    fw_namekeyer_close(im->keyer);
    for (int i = 0; i < im->ds->ncolumns; i++)
        fw_buf_free(&im->cells[i].text);
    free(im->cells);
    free(im->params);
    free(im->columns);
    free(im->row);
    for (int i = 0; i < im->ncache; i++)
        free(im->cache[i].raw);
    side_free(&im->kept);
    side_free(&im->rejects);
    side_free(&im->flags);
    fw_part_set_free(&im->parts);
    fw_part_set_free(&im->known);
    free(im->stray);
    fw_profile_free(im->owned_profile);
    free(im);
}

static const fw_sql import_finish_sql = {
    .name = "import.finish",
    .sql = "UPDATE imports SET status = ?, sha256 = coalesce(?, sha256), rows_read = ?, "
           "rows_loaded = ?, rows_rejected = ?, rows_flagged = ?, min_date = ?, max_date = ?, "
           "finished_at = ?, message = ? WHERE id = ?",
};

/* Updates the import's record with its final counts. */
static int finish_import_row(fw_importer *im, const char *status, const char *sha256, const char *message,
                             fw_err *err)
{
    fw_stmt *st;
    char now[32];
    fw_now_iso(now);
    if (fw_db_cached(im->ws->store, &import_finish_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, status, -1);
    fw_stmt_bind_text(st, 2, sha256, -1);
    fw_stmt_bind_int64(st, 3, im->read);
    fw_stmt_bind_int64(st, 4, im->loaded);
    fw_stmt_bind_int64(st, 5, im->rejected);
    fw_stmt_bind_int64(st, 6, im->flagged);
    fw_stmt_bind_text(st, 7, im->min_date[0] ? im->min_date : NULL, -1);
    fw_stmt_bind_text(st, 8, im->min_date[0] ? im->max_date : NULL, -1);
    fw_stmt_bind_text(st, 9, now, -1);
    fw_stmt_bind_text(st, 10, message, -1);
    fw_stmt_bind_int64(st, 11, im->import_id);
    int rc = fw_stmt_step(st, err);
    fw_stmt_reset(st);
    char why[sizeof err->msg];
    if (rc < 0)
        return fw_fail(err, err->code, _("cannot update the import record: %s"), why_of(err, why, sizeof why));
    return FW_OK;
}

/* ---- record-at-a-time session ------------------------------------------------------------------ */

int fw_importer_open(fw_ws *ws, const char *dataset, const fw_profile *profile, const char *source,
                     fw_importer **out, fw_err *err)
{
    fw_importer *im;
    if (importer_new(ws, dataset, profile, &im, err))
        return err->code;
    if (sync_programs(ws, im->profile, err) ||
        insert_import_row(ws, dataset, source, "utf-8", "append", "loaded", &im->import_id, err) ||
        prepare_insert_one(im, err)) {
        importer_free(im);
        return err->code;
    }
    *out = im;
    return FW_OK;
}

int fw_import_record(fw_importer *im, int n, const char *const *names, const char *const *values, long line,
                     fw_err *err)
{
    for (int i = 0; i < im->ds->ncolumns; i++) {
        im->cells[i].present = false;
        im->cells[i].filecol = 0;
        fw_buf_reset(&im->cells[i].text);
    }
    for (int k = 0; k < n; k++) {
        const fw_column *col = fw_profile_column(im->profile, im->ds, names[k]);
        if (!col)
            return fw_fail(err, FW_EDATA, _("line %ld: '%s' is not a column of %s (nor an alias of one)"), line,
                           names[k], im->ds->name);
        cell *c = &im->cells[col - im->ds->columns];
        if (c->present)
            return fw_fail(err, FW_EDATA, _("line %ld: '%s' and column %d both give %s; keep one"), line, names[k],
                           c->filecol, col->name);
        c->present = true;
        c->filecol = k + 1;
        fw_buf_puts(&c->text, values[k] ? values[k] : "");
    }
    for (int i = 0; i < im->ds->ncolumns; i++) {
        im->cells[i].s = im->cells[i].text.data;
        im->cells[i].len = im->cells[i].text.len;
    }
    im->read++;
    batch b = {0};
    stage_row(im, line, &b);
    int rc = store_staged(im, &b, &b.rows[0], err);
    batch_release(&b);
    /* The caller reads rejects and flags next: written now, not at a pause of a load. */
    fw_err e2 = {0};
    if (flush_side(im, &e2)) {
        *err = e2;
        return e2.code;
    }
    return rc;
}

int fw_importer_close(fw_importer *im, fw_err *err)
{
    if (!im)
        return FW_OK;
    int rc = save_readings(im, err);
    if (!rc)
        rc = finish_import_row(im, "loaded", NULL, NULL, err);
    importer_free(im);
    return rc;
}

/* ---- header mapping ------------------------------------------------------------------------------ */

/* Maps header fields to dataset columns. colmap[k] is the dataset column index of file column k or
 * -1. Returns FW_OK or FW_EDATA with err naming duplicate or missing columns. Unknown headers are
 * appended to *unknown (caller frees). */
static int map_headers(const fw_dataset *ds, const fw_profile *prof, const char *file, char **fields, int n,
                       int *colmap, char ***unknown, int *nunknown, fw_err *err)
{
    int *seen = fw_calloc((size_t)ds->ncolumns, sizeof *seen); /* 1-based file column per dataset column */
    int rc = FW_OK;
    for (int k = 0; k < n; k++) {
        const fw_column *col = fields[k][0] ? fw_profile_column(prof, ds, fields[k]) : NULL;
        colmap[k] = col ? (int)(col - ds->columns) : -1;
        if (!col) {
            *unknown = fw_realloc(*unknown, (size_t)(*nunknown + 1) * sizeof **unknown);
            (*unknown)[(*nunknown)++] = fields[k][0] ? fw_strdup(fields[k]) : fw_printf("(empty header in column %d)", k + 1);
            continue;
        }
        int i = colmap[k];
        if (seen[i] && !rc)
            rc = fw_fail(err, FW_EDATA,
                         _("%s: columns %d (%s) and %d (%s) both mean %s; delete or rename one of them "
                         "(or change the import profile)"),
                         file, seen[i], fields[seen[i] - 1], k + 1, fields[k], col->name);
        seen[i] = k + 1;
    }
    if (!rc) {
        fw_buf missing = {0};
        for (int i = 0; i < ds->ncolumns; i++) {
            if (ds->columns[i].required && !seen[i])
                fw_buf_printf(&missing, "%s%s (%s)", missing.len ? ", " : "", ds->columns[i].name,
                              ds->columns[i].label_zh);
            const char *alt = fw_dataset_alternative(ds, ds->columns[i].name);
            const fw_column *ac = alt ? fw_dataset_column(ds, alt) : NULL;
            if (ac && &ds->columns[i] < ac && !seen[i] && !seen[ac - ds->columns])
                fw_buf_printf(&missing, "%s%s (%s) or %s (%s)", missing.len ? ", " : "", ds->columns[i].name,
                              ds->columns[i].label_zh, ac->name, ac->label_zh);
        }
        if (missing.len)
            rc = fw_fail(err, FW_EDATA,
                         _("%s: required column missing for %s: %s; add the column or map its header in the "
                         "import profile (--profile)"),
                         file, ds->name, missing.data);
        fw_buf_free(&missing);
    }
    free(seen);
    return rc;
}

/* Reads the header record; FW_EDATA when there is none or it is not valid text. */
static int read_header(fw_csv *csv, const char *file, fw_csv_record *rec, fw_err *err)
{
    int rc = fw_csv_next(csv, rec, err);
    if (rc == 0)
        return fw_fail(err, FW_EDATA, _("%s: the file is empty; export the ledger again with a header row"), file);
    if (rc != 1)
        return rc;
    if (rec->bad)
        return fw_fail(err, FW_EDATA, _("%s:%ld: the header row is not valid text (%s); check the encoding "
                                      "(--encoding utf-8 or gb18030)"),
                        file, rec->line, rec->bad);
    for (int k = 0; k < rec->n; k++)
        rec->lens[k] = fw_norm_trim(rec->fields[k]);
    return FW_OK;
}

int fw_import_preview_file(const char *path, const char *dataset, const fw_profile *profile,
                           enum fw_encoding enc, fw_import_preview *out, fw_err *err)
{
    memset(out, 0, sizeof *out);
    const fw_dataset *ds = fw_dataset_find(dataset);
    if (!ds)
        return fw_fail(err, FW_EUSAGE, _("unknown dataset '%s'"), dataset);
    fw_profile *owned = NULL;
    if (!profile) {
        if (fw_profile_load(NULL, &owned, err))
            return err->code;
        profile = owned;
    }
    fw_csv *csv = NULL;
    fw_csv_record rec;
    int rc = fw_csv_open(path, enc, &csv, err);
    if (rc)
        csv = NULL;
    else {
        rc = read_header(csv, path, &rec, err);
        snprintf(out->encoding, sizeof out->encoding, "%s", fw_csv_encoding(csv));
    }
    if (!rc) {
        out->nheaders = rec.n;
        out->headers = fw_calloc((size_t)rec.n, sizeof *out->headers);
        out->mapped = fw_calloc((size_t)rec.n, sizeof *out->mapped);
        out->missing = fw_calloc((size_t)ds->ncolumns, sizeof *out->missing);
        int *colmap = fw_calloc((size_t)rec.n, sizeof *colmap);
        char **unknown = NULL;
        int nunknown = 0;
        fw_err perr = {0};
        if (map_headers(ds, profile, path, rec.fields, rec.n, colmap, &unknown, &nunknown, &perr))
            out->problem = fw_strdup(perr.msg);
        for (int k = 0; k < rec.n; k++) {
            out->headers[k] = fw_strdup(rec.fields[k]);
            out->mapped[k] = colmap[k] >= 0 ? &ds->columns[colmap[k]] : NULL;
        }
        for (int i = 0; i < ds->ncolumns; i++) {
            int found = 0;
            for (int k = 0; k < rec.n; k++)
                found |= colmap[k] == i;
            if (ds->columns[i].required && !found)
                out->missing[out->nmissing++] = &ds->columns[i];
        }
        for (int i = 0; i < nunknown; i++)
            free(unknown[i]);
        free(unknown);
        free(colmap);
    }
    if (rc != FW_OK && rc != FW_EUSAGE)
        rc = FW_EDATA;
    if (csv)
        fw_csv_close(csv);
    fw_profile_free(owned);
    return rc;
}

void fw_import_preview_free(fw_import_preview *p)
{
    for (int k = 0; k < p->nheaders; k++)
        free(p->headers[k]);
    free(p->headers);
    free(p->mapped);
    free(p->missing);
    free(p->problem);
    memset(p, 0, sizeof *p);
}

/* ---- whole-file import --------------------------------------------------------------------------- */

/* A large file into a table that is empty (or is being replaced) loads in bulk: the table's
 * indexes are dropped first and not rebuilt here. Inserting millions of random keys one by one
 * into B-trees that no longer fit the page cache is what makes a large load slow; building each
 * index afterwards by sorting is several times cheaper, and audit/indexes.c does it once, when
 * something first needs them (a rule run, `fundwatch index`, the TUI after its import). */
static bool is_bulk_load(fw_importer *im, bool replace, long long bytes_total)
{
    enum { BULK_MIN_BYTES = 4 << 20, BYTES_PER_ROW_GUESS = 100 };
    if (bytes_total < BULK_MIN_BYTES)
        return false;
    if (im->only_county)
        return false; /* the parent's indexes are every county's: dropping them would touch them all */
    if (replace)
        return true;
    /* Partitioned payments load in bulk only into an empty table: whether any row exists is
     * enough, where counting would read every county's rows. */
    char *count_sql = im->partitioned ? fw_strdup("SELECT count(*) FROM (SELECT 1 FROM ds_payments LIMIT 1) AS one")
                                      : fw_printf("SELECT count(*) FROM ds_%s", im->ds->name);
    long long have = 0;
    fw_err e = {0};
    fw_db_query_int(im->ws->store, count_sql, &have, &e); /* unreadable: 0, and the import says why */
    free(count_sql);
    /* Partitioned payments: only into an empty table, as dropping the parent's indexes would drop
     * every county's (an append of one county's month must leave the others alone). */
    return im->partitioned ? have == 0 : have <= bytes_total / BYTES_PER_ROW_GUESS;
}

static int drop_indexes(fw_importer *im, fw_err *err)
{
    fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
    fw_buf drops = {0};
    fw_buf_puts(&drops, "");
    for (int k = 0, n = fw_dataset_indexes(im->ds, ix); k < n; k++)
        fw_buf_printf(&drops, "DROP INDEX IF EXISTS %s;", ix[k].name);
    int rc = fw_db_exec(im->ws->store, drops.data, err);
    fw_buf_free(&drops);
    return rc;
}

/* What a bulk load takes off its table on PostgreSQL besides the dataset's indexes (drop_indexes),
 * and puts back before the commit:
 * - its foreign keys: PostgreSQL checks one with a query per inserted row, which was most of a
 *   county's COPY (the same 505,276 payments into the same table: 10-13 s with the import_id key,
 *   3.6-5 s without it); added back, it checks every row in one join;
 * - the indexes that are no dataset index and back no constraint (the partitioned payments' rowid
 *   index, which stands in for their primary key): maintained row by row they were a fifth of the
 *   server's CPU in that COPY; built again, they are one sort.
 * The load already holds the table alone (empty or replaced, its indexes dropped). SQLite turns its
 * checks off for the load instead (fw_ws_bulk_enter) and has none of these: the query finds nothing.
 * Each row: the statement that takes it off, the one that puts it back (indexes before keys; a
 * partitioned table's index is defined "ON ONLY" the parent, put back on the whole tree). */
static const fw_sql bulk_detach_sql = {
    .name = "import.bulk_detach",
    .sql = "SELECT '', '' WHERE :t IS NULL",
    .postgres = "SELECT format('DROP INDEX %I', c.relname), "
                "replace(pg_get_indexdef(i.indexrelid), ' ON ONLY ', ' ON '), 0 AS ord "
                "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = to_regclass(CAST(:t AS text)) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                "UNION ALL SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', CAST(:t AS text), conname), "
                "format('ALTER TABLE %I ADD CONSTRAINT %I %s', CAST(:t AS text), conname, pg_get_constraintdef(oid)), 1 "
                "FROM pg_constraint WHERE conrelid = to_regclass(CAST(:t AS text)) AND contype = 'f' AND conparentid = 0 "
                "ORDER BY 3, 1",
};

/* The statements that take off and put back what a bulk load detached from its table. */
typedef struct saved_keys {
    int n;
    char **drop, **add;
} saved_keys;

static void saved_keys_free(saved_keys *k)
{
    for (int i = 0; i < k->n; i++) {
        free(k->drop[i]);
        free(k->add[i]);
    }
    free(k->drop);
    free(k->add);
    memset(k, 0, sizeof *k);
}

/* Reads what to detach from the bulk load's table into k. */
static int read_detached(fw_importer *im, saved_keys *k, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare_named(im->ws->store, &bulk_detach_sql, &st, err))
        return err->code;
    char *table = rows_table(im);
    fw_stmt_bind_text(st, 1, table, -1);
    free(table);
    int rc;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        k->drop = fw_realloc(k->drop, (size_t)(k->n + 1) * sizeof *k->drop);
        k->add = fw_realloc(k->add, (size_t)(k->n + 1) * sizeof *k->add);
        k->drop[k->n] = fw_strdup(fw_stmt_text(st, 0));
        k->add[k->n++] = fw_strdup(fw_stmt_text(st, 1));
    }
    fw_stmt_finalize(st);
    return rc < 0 ? err->code : FW_OK;
}

/* Runs the saved statements that take off (add false) or put back (add true), in one script. */
static int run_detached(fw_importer *im, const saved_keys *k, bool add, fw_err *err)
{
    if (!k->n)
        return FW_OK;
    fw_buf sql = {0};
    for (int i = 0; i < k->n; i++)
        fw_buf_printf(&sql, "%s;", add ? k->add[i] : k->drop[i]);
    int rc = fw_db_exec(im->ws->store, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* Detaches the foreign keys and the remaining indexes of the bulk load's table, keeping in k what
 * puts them back. */
static int detach_for_bulk(fw_importer *im, saved_keys *k, fw_err *err)
{
    int rc = read_detached(im, k, err);
    return rc ? rc : run_detached(im, k, false, err);
}

static const fw_sql mark_replaced_sql = {
    .name = "import.mark_replaced",
    .sql = "UPDATE imports SET status = 'replaced' WHERE dataset = ? AND status = 'loaded'",
};

static const fw_sql replace_county_year_sql = {
    .name = "import.replace_county_year",
    /* In slices: one DELETE of a county's year grew SQLite's statement journal past the 8 MiB kept
     * in memory (sqlite.c) and failed with "database or disk is full" when it spilled. */
    .sql = "DELETE FROM ds_payments WHERE rowid IN (SELECT rowid FROM ds_payments WHERE " FW_PART_COUNTY_EXPR
           " = ? AND " FW_PART_YEAR_EXPR " = ? LIMIT 1000)",
};

/* --replace --county C --year Y: that county-year's rows go (PostgreSQL: its partition is swapped
 * for an empty one); the earlier imports keep their other rows and their status. */
static int replace_county_year(fw_importer *im, fw_err *err)
{
    long long rows = 0;
    if (im->partitioned) {
        if (fw_part_replace_county_year(im->ws->store, im->only_county, im->only_year, &rows, err))
            return db_fail(err, "cannot replace the county's year: %s");
        fw_part_set_add(&im->parts, im->only_county, im->only_year);
        return FW_OK;
    }
    fw_stmt *st;
    if (fw_db_cached(im->ws->store, &replace_county_year_sql, &st, err))
        return err->code;
    int rc;
    do {
        fw_stmt_bind_text(st, 1, im->only_county, -1);
        fw_stmt_bind_text(st, 2, im->only_year, -1);
        rc = fw_stmt_step(st, err);
        rows = rc == 0 ? fw_stmt_changes(st) : 0;
        fw_stmt_reset(st);
    } while (rc == 0 && rows > 0);
    return rc == 0 ? FW_OK : db_fail(err, "cannot replace the county's year: %s");
}

/* --replace: the dataset's earlier imports are marked replaced and their rows deleted. */
static int replace_previous(fw_importer *im, fw_err *err)
{
    if (im->only_county)
        return replace_county_year(im, err);
    char *sql = fw_printf("DELETE FROM ds_%s", im->ds->name);
    int rc = fw_db_exec(im->ws->store, sql, err);
    free(sql);
    fw_stmt *st;
    if (rc || fw_db_cached(im->ws->store, &mark_replaced_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, im->ds->name, -1);
    rc = fw_stmt_step(st, err);
    fw_stmt_reset(st);
    return rc == 0 ? FW_OK : db_fail(err, "cannot mark earlier imports replaced: %s");
}

static const fw_sql same_bytes_sql = {
    .name = "import.same_bytes",
    .sql = "SELECT id, started_at FROM imports WHERE dataset = ? AND sha256 = ? "
           "AND status = 'loaded' AND id <> ? ORDER BY id LIMIT 1",
};

/* The id of a loaded import of the same bytes into the same dataset (other than this one), or 0. */
static long long same_bytes_loaded(fw_importer *im, const char *sha256, char when[32])
{
    fw_stmt *st;
    fw_err e = {0};
    long long id = 0;
    if (fw_db_cached(im->ws->store, &same_bytes_sql, &st, &e))
        return 0;
    fw_stmt_bind_text(st, 1, im->ds->name, -1);
    fw_stmt_bind_text(st, 2, sha256, -1);
    fw_stmt_bind_int64(st, 3, im->import_id);
    if (fw_stmt_step(st, &e) == 1) {
        id = fw_stmt_int64(st, 0);
        snprintf(when, 32, "%s", fw_stmt_text(st, 1));
    }
    fw_stmt_reset(st);
    return id;
}

static char *trail_json(const fw_importer *im, const char *file, const char *sha256, const char *encoding,
                        const char *mode, const char *status)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "{\"dataset\":");
    fw_json_string(&b, im->ds->name);
    fw_buf_puts(&b, ",\"file\":");
    fw_json_string(&b, file);
    fw_buf_printf(&b, ",\"sha256\":\"%s\",\"encoding\":\"%s\",\"mode\":\"%s\",\"status\":\"%s\","
                      "\"rows_read\":%lld,\"rows_loaded\":%lld,\"rows_rejected\":%lld,\"rows_flagged\":%lld}",
                  sha256, encoding, mode, status, im->read, im->loaded, im->rejected, im->flagged);
    if (im->replaced) {
        b.len--; /* reopen the object */
        fw_buf_printf(&b, ",\"correction\":{\"rows_repeating\":%lld,\"rows_replaced\":%lld}}", im->repeating,
                      im->replaced);
    }
    return fw_buf_steal(&b);
}

/* After a rollback for too many rejects: the failed import's record and its first rejects are
 * committed on their own, so `fundwatch rejects` can show why. */
static int keep_failed_import(fw_importer *im, const char *file, const char *sha256, const char *encoding,
                              const char *mode, const char *message, fw_err *err)
{
    fw_err e2 = {0};
    /* What the rolled-back transaction held is gone: only the kept rejects are written. */
    side_clear(&im->rejects);
    side_clear(&im->flags);
    if (fw_ws_begin(im->ws, &e2) ||
        insert_import_row(im->ws, im->ds->name, file, encoding, mode, "failed", &im->import_id, &e2) ||
        finish_import_row(im, "failed", sha256, message, &e2) || load_side(im, true, &im->kept, &e2))
        goto fail;
    char *after = trail_json(im, file, sha256, encoding, mode, "failed");
    char object[48];
    snprintf(object, sizeof object, "import:%lld", im->import_id);
    int rc = fw_trail_append(im->ws, "import.failed", object, NULL, after, &e2);
    free(after);
    if (rc || fw_ws_commit(im->ws, &e2))
        goto fail;
    return FW_OK;
fail:
    fw_ws_rollback(im->ws);
    im->import_id = 0;
    char *first = fw_strdup(err->msg);
    fw_fail(err, err->code, _("%s (and the failed import could not be recorded: %s)"), first, e2.msg);
    free(first);
    return err->code;
}

/* ---- an append that repeats rows already loaded ------------------------------------------------- */

/* A row repeats a loaded one when its row_key (the payment_id, or the hash of an identical row)
 * is already in the dataset from another import: loading it again would count that payment twice
 * (DUP-006 would report each as a lead). An append refuses such a file unless told it is a
 * correction, which replaces the earlier rows and says so in the audit trail. */
enum { REPEATS_SHOWN = 5, REPLACED_KEYS_RECORDED = 100 };

/* Runs a statement whose ?1 is the import id and that returns one integer. */
static long long import_int(fw_importer *im, const char *sql, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(im->ws->store, sql, &st, err))
        return -1;
    fw_stmt_bind_int64(st, 1, im->import_id);
    int rc = fw_stmt_step(st, err);
    long long v = rc == 1 ? fw_stmt_int64(st, 0) : -1;
    if (rc == 0)
        fw_fail(err, FW_EWORKSPACE, "no row");
    if (v < 0)
        db_fail(err, "cannot look for repeated rows: %s");
    fw_stmt_finalize(st);
    return v;
}

/* "n.row_key is loaded by another import": one probe of the row_key index per new row when the
 * index is there; when a bulk load left it out, the older keys are read once into a sorted list. */
/* Payments repeat within their county and year: the check reads only the county-years the file
 * brings (on PostgreSQL only their partitions, so an append's check does not grow with the
 * province). "" for other datasets; else " AND county IN (...) AND year IN (...)" on columns of
 * alias ("n." or ""), as a prefix for n ("... AND ") or a suffix inside the subquery. */
static char *repeat_scope(fw_importer *im, const char *alias)
{
    if (!im->keyed || !im->parts.n)
        return fw_strdup("");
    fw_buf b = {0}, counties = {0}, years = {0};
    for (int i = 0; i < im->parts.n; i++) {
        const char *k = im->parts.keys[i], *slash = strchr(k, '/');
        fw_buf_printf(&counties, "%s'%.*s'", i ? ", " : "", (int)(slash - k), k);
        fw_buf_printf(&years, "%s'%s'", i ? ", " : "", slash + 1);
    }
    bool prefix = *alias != '\0';
    fw_buf_printf(&b, "%sCOALESCE(substr(%sregion_code, 1, 6), '') IN (%s) AND substr(COALESCE(%speriod, %spay_date), 1, 4) IN (%s)%s",
                  prefix ? "" : " AND ", alias, counties.data, alias, alias, years.data, prefix ? " AND " : "");
    fw_buf_free(&counties);
    fw_buf_free(&years);
    return b.data;
}

static char *repeat_condition(fw_importer *im)
{
    char *index = fw_printf("ds_%s_row_key", im->ds->name);
    bool indexed = fw_index_exists(im->ws, index); /* unknown: the plan without the index, as correct */
    free(index);
    char *scope = repeat_scope(im, "n."), *inner = repeat_scope(im, "");
    char *cond = indexed ? fw_printf("%sEXISTS (SELECT 1 FROM ds_%s o WHERE o.row_key = n.row_key AND o.import_id <> ?1%s)",
                                     scope, im->ds->name, inner)
                         : fw_printf("%sn.row_key IN (SELECT row_key FROM ds_%s WHERE import_id <> ?1%s)", scope,
                                     im->ds->name, inner);
    free(scope);
    free(inner);
    return cond;
}

/* Appends "payment_id P (line 7; loaded at line 3 of import 1)" for the first repeating rows. */
static int describe_repeats(fw_importer *im, const char *cond, fw_buf *out, fw_err *err)
{
    const char *name = im->ds->name;
    bool has_id = im->payment_col >= 0;
    char *sql = fw_printf("SELECT n.line, n.row_key, %s FROM ds_%s n WHERE n.import_id = ?1 AND %s "
                          "ORDER BY n.line LIMIT %d",
                          has_id ? "CASE WHEN n.payment_id IS NOT NULL THEN 1 ELSE 0 END" : "0", name, cond,
                          REPEATS_SHOWN);
    char *older = fw_printf("SELECT import_id, line FROM ds_%s WHERE row_key = ? AND import_id <> ? "
                            "ORDER BY import_id, line LIMIT 1", name);
    fw_stmt *st = NULL, *o = NULL;
    int rc = fw_db_prepare(im->ws->store, sql, &st, err) || fw_db_prepare(im->ws->store, older, &o, err) ? err->code
                                                                                                      : FW_OK;
    free(sql);
    free(older);
    if (rc == FW_OK)
        fw_stmt_bind_int64(st, 1, im->import_id);
    int step = 0;
    for (int k = 0; rc == FW_OK && (step = fw_stmt_step(st, err)) == 1; k++) {
        long line = (long)fw_stmt_int64(st, 0);
        const char *key = fw_stmt_text(st, 1);
        fw_buf_puts(out, k ? "; " : "");
        if (fw_stmt_int64(st, 2))
            fw_buf_printf(out, "payment_id %s (line %ld", key, line);
        else
            fw_buf_printf(out, "line %ld (an identical row", line);
        fw_stmt_bind_text(o, 1, key, -1);
        fw_stmt_bind_int64(o, 2, im->import_id);
        int found = fw_stmt_step(o, err);
        if (found == 1)
            fw_buf_printf(out, "; loaded at line %lld of import %lld", fw_stmt_int64(o, 1), fw_stmt_int64(o, 0));
        fw_stmt_reset(o);
        fw_buf_putc(out, ')');
        if (found < 0)
            rc = err->code;
    }
    if (rc == FW_OK && step < 0)
        rc = err->code;
    fw_stmt_finalize(st);
    fw_stmt_finalize(o);
    return rc ? db_fail(err, "cannot look for repeated rows: %s") : FW_OK;
}

/* The earlier rows a correction replaces, for the audit trail: how many per import, and their
 * first keys. */
static char *replaced_json(fw_importer *im, fw_err *err)
{
    const char *name = im->ds->name;
    char *per_import = fw_printf("SELECT import_id, count(*) FROM ds_%s WHERE import_id <> ?1 AND row_key IN "
                                 "(SELECT row_key FROM ds_%s WHERE import_id = ?1) GROUP BY import_id ORDER BY import_id",
                                 name, name);
    char *keys = fw_printf("SELECT DISTINCT row_key FROM ds_%s WHERE import_id <> ?1 AND row_key IN "
                           "(SELECT row_key FROM ds_%s WHERE import_id = ?1) ORDER BY row_key LIMIT %d",
                           name, name, REPLACED_KEYS_RECORDED);
    fw_stmt *a = NULL, *b = NULL;
    fw_buf j = {0};
    int rc = fw_db_prepare(im->ws->store, per_import, &a, err) || fw_db_prepare(im->ws->store, keys, &b, err)
                 ? err->code
                 : FW_OK;
    free(per_import);
    free(keys);
    int step = 0;
    if (rc == FW_OK) {
        fw_buf_puts(&j, "{\"dataset\":");
        fw_json_string(&j, name);
        fw_buf_puts(&j, ",\"imports\":[");
        fw_stmt_bind_int64(a, 1, im->import_id);
        for (int k = 0; (step = fw_stmt_step(a, err)) == 1; k++)
            fw_buf_printf(&j, "%s{\"import\":%lld,\"rows\":%lld}", k ? "," : "", fw_stmt_int64(a, 0),
                          fw_stmt_int64(a, 1));
        fw_buf_printf(&j, "],\"first_keys\":[");
        fw_stmt_bind_int64(b, 1, im->import_id);
        int key_step = 0;
        for (int k = 0; step == 0 && (key_step = fw_stmt_step(b, err)) == 1; k++) {
            fw_buf_puts(&j, k ? "," : "");
            fw_json_string(&j, fw_stmt_text(b, 0));
        }
        if (key_step < 0)
            step = -1;
        fw_buf_puts(&j, "]}");
        if (step < 0)
            rc = db_fail(err, "cannot replace the repeated rows: %s");
    }
    fw_stmt_finalize(a);
    fw_stmt_finalize(b);
    if (rc) {
        fw_buf_free(&j);
        return NULL;
    }
    return fw_buf_steal(&j);
}

/* --correct: deletes the earlier rows that the new ones repeat and records what was replaced. */
static int replace_repeated(fw_importer *im, const char *path, fw_err *err)
{
    char *before = replaced_json(im, err);
    if (!before)
        return err->code;
    char *del = fw_printf("DELETE FROM ds_%s WHERE import_id <> ?1 AND row_key IN "
                          "(SELECT row_key FROM ds_%s WHERE import_id = ?1)",
                          im->ds->name, im->ds->name);
    fw_stmt *st;
    int rc = fw_db_prepare(im->ws->store, del, &st, err);
    free(del);
    if (rc == FW_OK) {
        fw_stmt_bind_int64(st, 1, im->import_id);
        rc = fw_stmt_step(st, err) == 0 ? FW_OK : db_fail(err, "cannot replace the repeated rows: %s");
        im->replaced = rc ? 0 : fw_stmt_changes(st);
        fw_stmt_finalize(st);
    }
    if (rc == FW_OK) {
        fw_buf after = {0};
        fw_buf_printf(&after, "{\"import\":%lld,\"file\":", im->import_id);
        fw_json_string(&after, path);
        fw_buf_printf(&after, ",\"rows_repeating\":%lld,\"rows_replaced\":%lld}", im->repeating, im->replaced);
        char object[48];
        snprintf(object, sizeof object, "import:%lld", im->import_id);
        rc = fw_trail_append(im->ws, "import.correct", object, before, after.data, err);
        fw_buf_free(&after);
    }
    free(before);
    return rc;
}

/* After the rows of an append are in: refuses rows that repeat rows of earlier imports, or (with
 * correct) replaces those earlier rows. */
static int check_repeats(fw_importer *im, const fw_import_opts *o, fw_err *err)
{
    char *sql = fw_printf("SELECT EXISTS (SELECT 1 FROM imports WHERE dataset = '%s' AND status = 'loaded' "
                          "AND id <> ?1)", im->ds->name);
    long long others = import_int(im, sql, err);
    free(sql);
    if (others <= 0)
        return others < 0 ? err->code : FW_OK;
    char *cond = repeat_condition(im);
    sql = fw_printf("SELECT count(*) FROM ds_%s n WHERE n.import_id = ?1 AND %s", im->ds->name, cond);
    im->repeating = import_int(im, sql, err);
    free(sql);
    int rc = im->repeating < 0 ? err->code : FW_OK;
    if (rc == FW_OK && im->repeating > 0 && o->correct)
        rc = replace_repeated(im, o->path, err);
    else if (rc == FW_OK && im->repeating > 0) {
        fw_buf first = {0};
        rc = describe_repeats(im, cond, &first, err);
        if (rc == FW_OK)
            rc = fw_fail(err, FW_ECONFLICT,
                         _("%s: %lld row%s repeat%s rows already loaded into %s: %s%s; nothing was loaded. If the "
                         "file corrects those rows, load it with --correct (the earlier rows are replaced and the "
                         "correction is recorded in the audit trail); if they are the same payments, remove them "
                         "from the file"),
                         o->path, im->repeating, im->repeating == 1 ? "" : "s", im->repeating == 1 ? "s" : "",
                         im->ds->name, first.data, im->repeating > REPEATS_SHOWN ? "; …" : "");
        fw_buf_free(&first);
    }
    free(cond);
    return rc;
}

/* The state of one running file import, so the steps below stay short. */
typedef struct file_import {
    const fw_import_opts *o;
    fw_importer *im;
    fw_csv *csv;
    int nheader;
    int *colmap;
    long long bytes_total;
    bool bulk; /* see is_bulk_load */
    saved_keys keys; /* what a bulk load detached from its table, put back in settle */
    long long blank;
    long long limit;      /* max rejects; < 0: decide at the end */
    bool complete;        /* the whole file was read (so its SHA-256 is the file's) */
    bool too_many;        /* failed because the rejects exceeded the limit */
} file_import;

static bool all_blank(const fw_csv_record *rec)
{
    for (int k = 0; k < rec->n; k++)
        for (size_t j = 0; j < rec->lens[k]; j++)
            if (!isspace((unsigned char)rec->fields[k][j]))
                return false;
    return true;
}

/* One data record: blank (skipped, counted), ragged, badly encoded, or a row to load. The cells
 * point into the reader's record, which stage_row trims in place. Runs on the reader thread. */
static void stage_record(file_import *f, fw_csv_record *rec, batch *b)
{
    fw_importer *im = f->im;
    if (all_blank(rec)) {
        batch_new_row(b, STAGED_BLANK, rec->line);
        return;
    }
    if (rec->n != f->nheader) {
        char why[FW_WHY_SIZE];
        snprintf(why, sizeof why, "row has %d fields but the header has %d; check for an unquoted comma or a "
                                  "missing field", rec->n, f->nheader);
        stage_reject(b, rec->line, 0, NULL, NULL, why, false);
        return;
    }
    if (rec->bad) {
        int k = rec->bad_col;
        const char *name = k > 0 && f->colmap[k - 1] >= 0 ? im->ds->columns[f->colmap[k - 1]].name : NULL;
        stage_reject(b, rec->line, k, name, k > 0 && k <= rec->n ? rec->fields[k - 1] : NULL, rec->bad, false);
        return;
    }
    for (int i = 0; i < im->ds->ncolumns; i++)
        im->cells[i].present = false;
    for (int k = 0; k < rec->n; k++) {
        int i = f->colmap[k];
        if (i < 0)
            continue;
        cell *c = &im->cells[i];
        c->present = true;
        c->filecol = k + 1;
        c->s = rec->fields[k];
        c->len = rec->lens[k];
    }
    stage_row(im, rec->line, b);
}

/* ---- the reader thread ---------------------------------------------------------------------------- */

/* Reading, decoding and normalizing a ledger costs about as much as inserting it, so a file import
 * does the first on a reader thread and the second on the calling thread (SQLite and the progress
 * callback stay there). The two pass a fixed set of batches back and forth, which keeps memory
 * flat whatever the file's size. */
enum { PIPE_BATCHES = 4, BATCH_ROWS = 512 };

typedef struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch *free_list;          /* batches the reader may fill */
    batch *full_head, *full_tail; /* batches filled, in file order, for the inserter */
    bool stop;                 /* the inserter gave up: the reader stops at its next batch */
    file_import *f;
    batch *all[PIPE_BATCHES];
} pipeline;

/* Reader side: the next batch to fill, or NULL when told to stop. */
static batch *pipe_take_free(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->free_list && !p->stop)
        pthread_cond_wait(&p->cv, &p->mu);
    batch *b = p->stop ? NULL : p->free_list;
    if (b)
        p->free_list = b->next;
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void pipe_put_full(pipeline *p, batch *b)
{
    pthread_mutex_lock(&p->mu);
    b->next = NULL;
    if (p->full_tail)
        p->full_tail->next = b;
    else
        p->full_head = b;
    p->full_tail = b;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Inserter side: the next filled batch (the reader always ends with a `last` one). */
static batch *pipe_take_full(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->full_head)
        pthread_cond_wait(&p->cv, &p->mu);
    batch *b = p->full_head;
    p->full_head = b->next;
    if (!p->full_head)
        p->full_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void pipe_give_free(pipeline *p, batch *b)
{
    batch_reset(b);
    pthread_mutex_lock(&p->mu);
    b->next = p->free_list;
    p->free_list = b;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void pipe_stop(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Fills a batch with up to BATCH_ROWS records; marks it last at end of file or on an error. */
static void fill_batch(file_import *f, batch *b)
{
    fw_csv_record rec;
    while (b->nrows < BATCH_ROWS) {
        int rc = fw_csv_next(f->csv, &rec, &b->err);
        if (rc != 1) {
            b->last = true;
            b->end = rc;
            return;
        }
        stage_record(f, &rec, b);
        b->rows[b->nrows - 1].bytes_done = fw_csv_bytes_done(f->csv);
    }
}

static void *reader_main(void *arg)
{
    pipeline *p = arg;
    batch *b;
    while ((b = pipe_take_free(p))) {
        fill_batch(p->f, b);
        bool last = b->last;
        pipe_put_full(p, b);
        if (last)
            break;
    }
    return NULL;
}

/* ---- the inserting side ---------------------------------------------------------------------------- */

/* Stores one batch. Returns FW_OK to go on, a code to stop with, or sets *done when the rejects
 * already exceed the limit (the file fails anyway, so reading stops). */
static int store_batch(file_import *f, const batch *b, long long *next_progress, bool *done, fw_err *err)
{
    fw_importer *im = f->im;
    for (int k = 0; k < b->nrows; k++) {
        const staged_row *r = &b->rows[k];
        if (r->kind == STAGED_BLANK) {
            f->blank++;
        } else {
            im->read++;
            int rc = store_staged(im, b, r, err);
            if (rc && rc != FW_EDATA)
                return rc;
        }
        if (f->limit >= 0 && im->rejected > f->limit) {
            *done = true;
            return FW_OK;
        }
        if (im->read >= *next_progress) {
            *next_progress += FW_IMPORT_PROGRESS_ROWS;
            if (f->o->progress && f->o->progress(f->o->progress_ctx, im->read, r->bytes_done, f->bytes_total))
                return fw_fail(err, FW_EINTR, _("%s: import cancelled at line %ld; nothing was loaded"), f->o->path,
                               r->line);
        }
    }
    return FW_OK;
}

/* The end of the file as the reader saw it: 0 at end of file, else its error. */
static int reading_ended(file_import *f, const batch *b, fw_err *err)
{
    if (b->end == 0) {
        f->complete = true;
        if (f->o->progress)
            f->o->progress(f->o->progress_ctx, f->im->read, fw_csv_bytes_done(f->csv), f->bytes_total);
        return FW_OK;
    }
    fw_fail(err, b->end, "%s", b->err.msg);
    if (b->end != FW_EINTR)
        return nothing_loaded(err, b->end == FW_EFAIL ? FW_EFAIL : FW_EDATA);
    return b->end;
}

static int read_rows(file_import *f, fw_err *err)
{
    pipeline p = {.f = f};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    for (int i = 0; i < PIPE_BATCHES; i++) {
        p.all[i] = fw_calloc(1, sizeof *p.all[i]);
        p.all[i]->next = p.free_list;
        p.free_list = p.all[i];
    }
    pthread_t reader;
    int rc = pthread_create(&reader, NULL, reader_main, &p);
    bool started = rc == 0;
    if (started)
        pthread_setname_np(reader, "fw-import-read"); /* for top -H and perf */
    if (!started)
        rc = fw_fail(err, FW_EFAIL, _("%s: cannot start the reader thread: %s"), f->o->path, strerror(rc));
    long long next_progress = FW_IMPORT_PROGRESS_ROWS;
    bool done = false;
    while (!rc && !done) {
        batch *b = pipe_take_full(&p);
        rc = store_batch(f, b, &next_progress, &done, err);
        if (!rc && !done && b->last) {
            rc = reading_ended(f, b, err);
            done = true;
        }
        pipe_give_free(&p, b);
    }
    if (started) {
        pipe_stop(&p);
        pthread_join(reader, NULL);
    }
    for (int i = 0; i < PIPE_BATCHES; i++)
        batch_free(p.all[i]);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return rc;
}

static void fill_result(const file_import *f, fw_import_result *res)
{
    const fw_importer *im = f->im;
    res->rows_read = im->read;
    res->rows_loaded = im->loaded;
    res->rows_rejected = im->rejected;
    res->rows_flagged = im->flagged;
    res->rows_blank = f->blank;
    snprintf(res->min_date, sizeof res->min_date, "%s", im->min_date);
    snprintf(res->max_date, sizeof res->max_date, "%s", im->max_date);
}

static char *unknown_message(const fw_import_result *res)
{
    if (!res->nunknown)
        return NULL;
    fw_buf b = {0};
    fw_buf_puts(&b, "unknown headers ignored: ");
    for (int i = 0; i < res->nunknown; i++)
        fw_buf_printf(&b, "%s%s", i ? ", " : "", res->unknown_headers[i]);
    return fw_buf_steal(&b);
}

/* The import record's message: a correction, and headers that were ignored. NULL when neither. */
static char *import_message(const fw_importer *im, const fw_import_result *res)
{
    char *unknown = unknown_message(res);
    if (!im->replaced)
        return unknown;
    char *m = fw_printf("correction: %lld rows replaced %lld earlier rows with the same keys%s%s", im->repeating,
                        im->replaced, unknown ? "; " : "", unknown ? unknown : "");
    free(unknown);
    return m;
}

/* ---- after the last row ---------------------------------------------------------------------------- */

/* Once the rows are read, what remains (the last rows and the held rejects and flags written, the
 * repeat check over the whole dataset, the import record, the trail) can take seconds on a county,
 * with no row left to call the progress callback at. As audit/indexes.c does while an index is
 * built, a thread calls it meanwhile, at once and then every 20 ms (a screen repaints and reads
 * Esc); when it asks to stop, or the interrupt flag is set, the thread sets the flag the store
 * watches (fw_db_watch), which stops the running statement and any that follows. Not fw_db_cancel:
 * a cancel that lands between two statements would stay pending on the connection after the
 * import. The thread is joined before the import goes on, so the callback never runs beside the
 * caller's own code. */
typedef struct settling {
    const fw_import_opts *o;
    fw_db *db;
    long long rows, bytes_done, bytes_total; /* what the callback is told: reading is over */
    volatile sig_atomic_t stop;    /* watched by the store while settling */
    volatile sig_atomic_t running; /* cleared when settling ends */
    pthread_t th;
    bool threaded;
} settling;

static void *settling_thread(void *ctx)
{
    settling *st = ctx;
    const struct timespec tick = {0, 20 * 1000 * 1000};
    do { /* at least once: a stop asked for before the commit is honoured however short settling is */
        if ((st->o->interrupt && *st->o->interrupt) ||
            st->o->progress(st->o->progress_ctx, st->rows, st->bytes_done, st->bytes_total)) {
            st->stop = 1;
            break;
        }
        nanosleep(&tick, NULL);
    } while (__atomic_load_n(&st->running, __ATOMIC_ACQUIRE));
    return NULL;
}

static void settling_begin(settling *st, const file_import *f)
{
    *st = (settling){.o = f->o, .db = f->im->ws->store, .rows = f->im->read, .bytes_total = f->bytes_total,
                     .running = 1};
    st->bytes_done = fw_csv_bytes_done(f->csv);
    st->threaded = f->o->progress && pthread_create(&st->th, NULL, settling_thread, st) == 0;
    if (st->threaded)
        fw_db_watch(st->db, &st->stop);
}

/* Ends settling; true when it was asked to stop. */
static bool settling_end(settling *st)
{
    __atomic_store_n(&st->running, 0, __ATOMIC_RELEASE);
    if (st->threaded) {
        pthread_join(st->th, NULL);
        fw_db_watch(st->db, st->o->interrupt);
    }
    return st->stop || (st->o->interrupt && *st->o->interrupt);
}

/* What follows the last row, up to COMMIT. */
static int settle(file_import *f, fw_import_result *res, fw_err *err);

/* Everything between BEGIN and COMMIT. On any error the caller rolls back. */
static int import_in_transaction(file_import *f, fw_import_result *res, fw_err *err)
{
    fw_importer *im = f->im;
    const fw_import_opts *o = f->o;
    const char *mode = o->replace ? "replace" : "append";
    /* Indexes go before --replace deletes the old rows: SQLite then empties the table at once. */
    if ((f->bulk && (drop_indexes(im, err) || detach_for_bulk(im, &f->keys, err))) ||
        (o->replace && replace_previous(im, err)) ||
        sync_programs(im->ws, im->profile, err) ||
        insert_import_row(im->ws, im->ds->name, o->path, res->encoding, mode, "loaded", &im->import_id, err) ||
        begin_rows(im, err))
        return err->code;
    int rc = read_rows(f, err);
    fill_result(f, res);
    if (rc)
        return rc;
    settling st;
    settling_begin(&st, f);
    rc = settle(f, res, err);
    if (settling_end(&st) && rc != FW_EINTR)
        rc = fw_fail(err, FW_EINTR, _("%s: import cancelled; nothing was loaded"), o->path);
    return rc;
}

static int settle(file_import *f, fw_import_result *res, fw_err *err)
{
    fw_importer *im = f->im;
    const fw_import_opts *o = f->o;
    const char *mode = o->replace ? "replace" : "append";
    int rc;
    if (end_rows(im, err) || flush_side(im, err))
        return err->code;
    if (f->complete)
        fw_csv_sha256(f->csv, res->sha256);
    char when[32];
    long long dup = f->complete ? same_bytes_loaded(im, res->sha256, when) : 0;
    if (dup)
        return fw_fail(err, FW_ECONFLICT,
                       _("%s: these exact bytes (sha256 %.16s…) were already imported into %s as import %lld on %s; "
                       "nothing was loaded; use --replace to load them again in place of the current %s rows"),
                       o->path, res->sha256, im->ds->name, dup, when, im->ds->name);
    if (im->read == 0)
        return fw_fail(err, FW_EDATA, _("%s: the file has a header row but no data rows; nothing was loaded"), o->path);
    if (im->nstray) {
        fw_buf others = {0};
        for (int i = 0; i < im->nstray; i++)
            fw_buf_printf(&others, "%s%s (%lld rows)", i ? ", " : "", im->stray[i].key, im->stray[i].rows);
        rc = fw_fail(err, FW_EDATA,
                     _("%s: --replace of county %s, year %s: the file also holds rows of other counties or years "
                       "(county year): %s; %lld rows are of %s %s; nothing was loaded; split the file by county"),
                     o->path, im->only_county, im->only_year, others.data, im->loaded, im->only_county, im->only_year);
        fw_buf_free(&others);
        return rc;
    }
    res->max_rejects = o->max_rejects >= 0 ? o->max_rejects : (im->read / 100 > 10 ? im->read / 100 : 10);
    f->too_many = im->rejected > res->max_rejects;
    if (f->too_many)
        return fw_fail(err, FW_EDATA,
                       _("%s: %lld of %lld rows rejected, more than the limit of %lld; nothing was loaded; see "
                       "`fundwatch rejects`, fix the file or raise --max-rejects"),
                       o->path, im->rejected, im->read, res->max_rejects);
    if (!o->replace && (rc = check_repeats(im, o, err)))
        return rc;
    res->rows_repeating = im->repeating;
    res->rows_replaced = im->replaced;
    if ((rc = run_detached(im, &f->keys, true, err)))
        return db_fail(err, "cannot restore the table's keys after the load: %s");
    if ((rc = save_readings(im, err)))
        return rc;
    char *message = import_message(im, res);
    rc = finish_import_row(im, "loaded", res->sha256, message, err);
    free(message);
    if (rc)
        return rc;
    char *after = trail_json(im, o->path, res->sha256, res->encoding, mode, "loaded");
    char object[48];
    snprintf(object, sizeof object, "import:%lld", im->import_id);
    rc = fw_trail_append(im->ws, "import", object, NULL, after, err);
    free(after);
    return rc;
}

/* Opens the file, reads and maps its header. */
static int open_and_map(file_import *f, fw_import_result *res, fw_err *err)
{
    const fw_import_opts *o = f->o;
    if (fw_csv_open(o->path, o->encoding, &f->csv, err)) {
        f->csv = NULL;
        return nothing_loaded(err, err->code == FW_EINTR ? FW_EINTR : FW_EDATA);
    }
    snprintf(res->encoding, sizeof res->encoding, "%s", fw_csv_encoding(f->csv));
    f->bytes_total = fw_csv_bytes_total(f->csv);
    fw_csv_record rec;
    int rc = read_header(f->csv, o->path, &rec, err);
    if (rc)
        return nothing_loaded(err, rc == FW_EINTR ? FW_EINTR : FW_EDATA);
    f->nheader = rec.n;
    f->colmap = fw_calloc((size_t)rec.n, sizeof *f->colmap);
    return map_headers(f->im->ds, f->im->profile, o->path, rec.fields, rec.n, f->colmap, &res->unknown_headers,
                       &res->nunknown, err);
}

int fw_import_file(fw_ws *ws, const fw_import_opts *o, fw_import_result *res, fw_err *err)
{
    memset(res, 0, sizeof *res);
    if (o->replace && o->correct)
        return fw_fail(err, FW_EUSAGE, _("--correct replaces single rows of an append; --replace replaces the "
                                       "whole dataset: choose one"));
    file_import f = {.o = o, .limit = o->max_rejects};
    if (importer_new(ws, o->dataset, o->profile, &f.im, err))
        return err->code;
    f.im->keep_rejects = true;
    if ((o->county != NULL) != (o->year != NULL) || (o->county && (!o->replace || strcmp(o->dataset, "payments") != 0))) {
        importer_free(f.im);
        return fw_fail(err, FW_EUSAGE, _("--county and --year go together, with --replace, for payments"));
    }
    f.im->only_county = o->county;
    f.im->only_year = o->year;
    int rc = open_and_map(&f, res, err);
    if (!rc) {
        f.bulk = is_bulk_load(f.im, o->replace, f.bytes_total);
        if (f.bulk)
            fw_ws_bulk_enter(ws);
        fw_db_watch(ws->store, o->interrupt);
        rc = fw_ws_begin(ws, err);
        if (!rc) {
            rc = import_in_transaction(&f, res, err);
            if (!rc)
                rc = fw_ws_commit(ws, err);
            if (rc) {
                fw_db_watch(ws->store, NULL); /* the rollback must not be stopped */
                drop_rows(f.im);
                fw_ws_rollback(ws);
            }
        }
        fw_db_watch(ws->store, NULL);
        if (rc == FW_EINTR && fw_db_fault(ws->store) == FW_DBF_CANCELLED)
            rc = fw_fail(err, FW_EINTR, _("%s: import cancelled; nothing was loaded"), o->path);
        if (f.bulk)
            fw_ws_bulk_leave(ws);
        res->indexes_deferred = f.bulk && !rc;
    }
    if (rc == FW_EDATA && f.too_many) {
        char *message = fw_strdup(err->msg);
        keep_failed_import(f.im, o->path, res->sha256, res->encoding,
                           o->replace ? "replace" : "append", message, err);
        free(message);
    } else if (rc) {
        f.im->import_id = 0;
    }
    res->import_id = f.im->import_id;
    free(f.colmap);
    saved_keys_free(&f.keys);
    if (f.csv)
        fw_csv_close(f.csv);
    importer_free(f.im);
    return rc;
}

void fw_import_result_free(fw_import_result *res)
{
    for (int i = 0; i < res->nunknown; i++)
        free(res->unknown_headers[i]);
    free(res->unknown_headers);
    res->unknown_headers = NULL;
    res->nunknown = 0;
}

/* ---- listings ------------------------------------------------------------------------------------ */

int fw_import_datasets_stmt(fw_ws *ws, fw_rows **rows, fw_err *err)
{
    /* The sums are cast so both engines give integers (PostgreSQL's sum of a bigint is numeric). */
    fw_buf sql = {0};
    fw_buf_puts(&sql,
                "SELECT dataset, id AS import_id, rows_loaded AS rows, rows_rejected AS rejected, "
                "rows_flagged AS flagged, file, sha256, encoding, \"user\", finished_at AS imported_at, min_date, "
                "max_date FROM (SELECT * FROM imports WHERE status = 'loaded' ORDER BY dataset, id) AS loaded");
    for (int i = 0; i < fw_ndatasets; i++) {
        const char *n = fw_datasets[i].name;
        fw_buf_printf(&sql,
                      " UNION ALL SELECT '%s', NULL, (SELECT count(*) FROM ds_%s), CAST(sum(rows_rejected) AS BIGINT), "
                      "CAST(sum(rows_flagged) AS BIGINT), '(total)', NULL, NULL, NULL, max(finished_at), "
                      "min(min_date), max(max_date) "
                      "FROM imports WHERE dataset = '%s' AND status = 'loaded' HAVING count(*) > 0",
                      n, n, n);
    }
    int rc = fw_rows_prepare(ws->store, sql.data, rows, err);
    fw_buf_free(&sql);
    return rc;
}

int fw_import_rejects_stmt(fw_ws *ws, long long import_id, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store,
                        "SELECT r.import_id, i.file, r.line, r.col AS column, r.column_name, r.value, r.reason "
                        "FROM rejects r JOIN imports i ON i.id = r.import_id "
                        "WHERE ?1 <= 0 OR r.import_id = ?1 ORDER BY r.import_id, r.line, r.id",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, import_id);
    return FW_OK;
}

int fw_import_programs_stmt(fw_ws *ws, bool unmapped_only, fw_rows **rows, fw_err *err)
{
    /* One row per name as written: the profile's columns through max(), which PostgreSQL needs
     * beside GROUP BY and which SQLite gives the same single value. */
    if (fw_rows_prepare(ws->store,
                        "SELECT p.program_raw AS program, max(g.name) AS canonical, max(g.means_tested) AS "
                        "means_tested, max(g.fixed_amount) AS fixed, count(*) AS rows, sum(p.amount) AS amount "
                        "FROM ds_payments p LEFT JOIN programs g ON g.name = p.program "
                        "WHERE ?1 = 0 OR g.name IS NULL "
                        "GROUP BY p.program_raw ORDER BY max(g.name) IS NULL DESC, rows DESC, p.program_raw",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, unmapped_only);
    return FW_OK;
}

int fw_import_summary_stmt(fw_ws *ws, long long import_id, fw_rows **rows, fw_err *err)
{
    if (fw_rows_prepare(ws->store,
                        "SELECT id AS import_id, dataset, file, encoding, status, rows_read, rows_loaded, rows_rejected, "
                        "rows_flagged, min_date, max_date, sha256, message FROM imports WHERE id = ?",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, import_id);
    return FW_OK;
}
