/* store/sqlite.c: the SQLite driver, the embedded default: the workspace is one file, created
 * 0600, in WAL mode with a busy timeout (a second fundwatch waits instead of failing); a read-only
 * open also works on read-only media (immutable when the -shm cannot be made). The only
 * file of the program that calls sqlite3_*. Cancel and the statement timeout are one progress
 * handler per connection; bulk load is multi-row INSERTs through statements prepared once. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/store/driver.h"
#include "audit/store/sqlite_funcs.h"

/* PRAGMA application_id of a fundwatch workspace ("FWKS"): another program's SQLite file is told
 * apart even when it is empty. */
enum { FW_SQLITE_APP_ID = 0x46574B53 };
/* VM steps between two looks at the clock and the watched flag: about a millisecond. */
enum { PROGRESS_OPS = 1000 };
/* Rows per multi-row INSERT in a bulk load (fewer when a row has many columns). */
enum { BULK_ROWS = 32, MAX_VARIABLES = 32766 };

typedef struct sq_db {
    fw_db base;
    sqlite3 *h;
    double deadline;       /* the running statement's end (0: none) */
    bool timed_out;        /* the progress handler stopped it for the deadline */
    bool read_txn;         /* query_only is on for a READ transaction */
    int busy_ms;           /* the busy timeout given at open (fw_db_set_lock_wait's -1) */
    char **writable;       /* fw_db_limit_writes: the tables this connection may write (NULL: any) */
} sq_db;

typedef struct sq_stmt {
    fw_stmt base;
    sqlite3_stmt *h;
    bool running;
    long long changes;
} sq_stmt;

typedef struct sq_bulk {
    fw_bulk base;
    sqlite3_stmt *one, *many;
    int many_rows;         /* rows per execution of many */
    fw_value *pending;     /* many_rows * ncols values waiting for a full batch */
    int npending;          /* rows in pending */
    fw_buf arena;          /* the pending texts */
    long long flushed;     /* rows written before the pending ones (for messages) */
    char *table;
} sq_bulk;

static sq_db *SQ(fw_db *db) { return (sq_db *)db; }
static sq_stmt *SQS(fw_stmt *st) { return (sq_stmt *)st; }

/* --- errors ----------------------------------------------------------------------------------------- */

/* The fault of an SQLite result code; at_prepare: a compile error is the SQL's fault. */
static enum fw_db_fault fault_of(sq_db *d, int rc, bool at_prepare)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return FW_DBF_BUSY;
    case SQLITE_CONSTRAINT: return FW_DBF_CONSTRAINT;
    case SQLITE_READONLY: return d->read_txn ? FW_DBF_READONLY : FW_DBF_OTHER;
    case SQLITE_INTERRUPT: return d->timed_out ? FW_DBF_TIMEOUT : FW_DBF_CANCELLED;
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: return FW_DBF_DATA;
    case SQLITE_ERROR: return at_prepare ? FW_DBF_SYNTAX : FW_DBF_DATA;
    case SQLITE_CANTOPEN: return FW_DBF_UNREACHABLE;
    default: return FW_DBF_OTHER;
    }
}

static int fail_rc(sq_db *d, fw_err *err, int rc, bool at_prepare, const char *msg)
{
    enum fw_db_fault f = fault_of(d, rc, at_prepare);
    if (f == FW_DBF_TIMEOUT)
        return fw_db_failf(&d->base, err, f, "%s: the statement ran longer than %g s and was stopped",
                           d->base.where, d->base.timeout_s);
    if (f == FW_DBF_CANCELLED)
        return fw_db_failf(&d->base, err, f, "%s: interrupted", d->base.where);
    return fw_db_failf(&d->base, err, f, "%s: %s", d->base.where, msg ? msg : sqlite3_errstr(rc));
}

/* --- progress: cancel and timeout -------------------------------------------------------------------- */

static int on_progress(void *arg)
{
    sq_db *d = arg;
    if (d->base.cancelled || fw_db_watched_stop(&d->base))
        return 1;
    if (d->deadline > 0 && fw_now_seconds() > d->deadline) {
        d->timed_out = true;
        return 1;
    }
    return 0;
}

/* A statement (or script) starts: its own deadline, no stale stop. */
static void statement_starts(sq_db *d)
{
    d->deadline = d->base.timeout_s > 0 ? fw_now_seconds() + d->base.timeout_s : 0;
    d->timed_out = false;
    d->base.cancelled = 0;
}

static void sq_cancel(fw_db *db) { sqlite3_interrupt(SQ(db)->h); }

static int sq_set_timeout(fw_db *db, double seconds, fw_err *err)
{
    (void)db, (void)seconds, (void)err;
    return FW_OK; /* read by statement_starts */
}

/* --- connecting --------------------------------------------------------------------------------------- */

/* SQLite would create the file with the umask's mode; case data is personal, so create it 0600 first.
 * The -wal and -shm files take the database file's mode. */
static int create_private(const char *path, fw_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return FW_OK;
        return fw_db_failf(NULL, err, FW_DBF_UNREACHABLE, _("%s: cannot create workspace: %s"), path,
                           strerror(errno));
    }
    close(fd);
    return FW_OK;
}

static void sq_close(fw_db *db)
{
    sq_db *d = SQ(db);
    for (char **t = d->writable; t && *t; t++)
        free(*t);
    free(d->writable);
    sqlite3_close_v2(d->h);
    free(d->base.where);
    free(d);
}

/* Statement journals stay in memory, always, in SQLite's small (1 KiB) chunks. Why not a spill
 * threshold: (1) a positive SQLITE_CONFIG_STMTJRNL_SPILL is also the in-memory journal's chunk size
 * (memjournal.c, sqlite3JournalOpen: nChunkSize = nSpill), so 8 MiB made every statement that wrote
 * its journal allocate and free 8 MiB: under ASan that is an mmap and 1 MiB of shadow poisoned and
 * unpoisoned per statement (`init` 2.4-2.9 s against 0.18 s plain). (2) SQLite 3.40.1 fails a
 * statement whose in-memory journal spills to its file with SQLITE_FULL ("database or disk is
 * full") for cases.create's INSERT ... SELECT with a window function: a 30,000-hit rule failed on a
 * fresh workspace at 8 MiB, a 10,000-hit one at 1 MiB and 256 KiB (a standalone repro on the system
 * library: 100,000 rows fail at 1 MiB, 400,000 at 256 KiB); and once spilled the journal is not
 * truncated when each statement ends (the old 64 KiB default: 100,000 hits 125 s against 28 s).
 * What bounds memory now is the statement itself: its journal holds the pages it changes that
 * existed when it began (4 KiB each) and is freed when it ends; the engine saves hits one row per
 * statement, and bulk deletes go in slices (docs/scale.md). glibc would hand the freed chunks back
 * to the kernel after every statement (brk down and up, saving 2-3x slower), so its trim threshold is
 * raised to 64 MiB. Process-wide, so set once before the first connection (it has no effect after
 * SQLite is initialised). Figures: docs/store.md "Statement journals". */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
#ifdef M_TRIM_THRESHOLD
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

/* Opens path read-only as the URI "file:PATH?mode=ro" (immutable=1: no locks, no -shm) and reads
 * its header, where a missing -shm or a file that is not a database shows; the SQLite code. */
static int open_ro_uri(sq_db *d, const char *path, bool immutable)
{
    /* '?' and '#' in a file name would end the URI's path part: escape them (and '%'). */
    fw_buf b = {0};
    fw_buf_puts(&b, "file:");
    for (const char *c = path; *c; c++) {
        if (*c == '?' || *c == '#' || *c == '%')
            fw_buf_printf(&b, "%%%02X", (unsigned char)*c);
        else
            fw_buf_putc(&b, *c);
    }
    fw_buf_printf(&b, "?mode=ro%s", immutable ? "&immutable=1" : "");
    sqlite3_close_v2(d->h);
    d->h = NULL;
    int rc = sqlite3_open_v2(b.data, &d->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    fw_buf_free(&b);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(d->h, 1);
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(d->h, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            rc = rc == SQLITE_ROW ? SQLITE_OK : sqlite3_extended_errcode(d->h);
            sqlite3_finalize(st);
        }
    }
    return rc;
}

/* True when PATH-wal holds committed changes not yet in the file (an immutable open skips them). */
static bool wal_pending(const char *path)
{
    char *wal = fw_printf("%s-wal", path);
    struct stat st;
    bool pending = stat(wal, &st) == 0 && st.st_size > 0;
    free(wal);
    return pending;
}

/* A read-only open also works on read-only media and on a file the user may only read: in WAL mode
 * even a reader needs the -shm file, and where it can be neither created nor written the file
 * cannot change under us either, so it is read as immutable. Changes still in the -wal would be
 * skipped by an immutable open: refused rather than read stale. */
static int open_read_only(sq_db *d, const char *path, fw_err *err)
{
    int rc = open_ro_uri(d, path, false);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOTADB && access(path, W_OK) != 0) {
        if (wal_pending(path))
            return fw_db_failf(&d->base, err, FW_DBF_UNREACHABLE,
                               _("%s: its last changes are still in %s-wal, which a read-only open cannot apply "
                                 "without the -shm file; open it once where it can be written"),
                               path, path);
        rc = open_ro_uri(d, path, true);
    }
    if (rc != SQLITE_OK)
        return fw_db_failf(&d->base, err, (rc & 0xff) == SQLITE_CANTOPEN ? FW_DBF_UNREACHABLE : FW_DBF_OTHER,
                           _("%s: not a usable fundwatch workspace: %s"), path,
                           d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
    return FW_OK;
}

/* Opens read-write: a file that cannot be opened, or is no database, is said so with the path once. */
static int open_read_write(sq_db *d, const char *path, bool memory, fw_err *err)
{
    /* NOMUTEX: a connection is used by one thread at a time (threads open their own), so SQLite's
     * per-call connection mutex is pure cost: a tenth of a bulk import's insert time.
     * sqlite3_interrupt needs none. */
    int rc = sqlite3_open_v2(path, &d->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return fw_db_failf(&d->base, err, FW_DBF_UNREACHABLE, _("%s: cannot open workspace: %s"), path,
                           d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
    char *msg = NULL;
    if (!memory && sqlite3_exec(d->h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", NULL, NULL, &msg) !=
                       SQLITE_OK) {
        fw_db_failf(&d->base, err, FW_DBF_OTHER, _("%s: not a usable fundwatch workspace: %s"), path,
                    msg ? msg : sqlite3_errmsg(d->h));
        sqlite3_free(msg);
        return err->code;
    }
    return FW_OK;
}

static int sq_open(const char *target, const fw_db_opts *o, fw_db **out, fw_err *err)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    bool memory = strcmp(target, ":memory:") == 0;
    if (!memory && o->create && !o->read_only && create_private(target, err))
        return err->code;
    if (!memory && access(target, F_OK) != 0)
        return fw_db_failf(NULL, err, FW_DBF_UNREACHABLE, "%s: no such workspace file", target);
    sq_db *d = fw_calloc(1, sizeof *d);
    d->base.drv = &fw_sqlite_driver;
    d->base.where = fw_strdup(target);
    d->base.caps = FW_DBCAP_FILE | FW_DBCAP_STMT_READONLY | FW_DBCAP_HOST_FUNCTIONS;
    if (o->read_only && !memory ? open_read_only(d, target, err) : open_read_write(d, target, memory, err)) {
        sq_close(&d->base);
        return err->code;
    }
    d->busy_ms = o->busy_ms > 0 ? o->busy_ms : FW_DB_BUSY_MS;
    sqlite3_busy_timeout(d->h, d->busy_ms);
    sqlite3_extended_result_codes(d->h, 1);
    sqlite3_progress_handler(d->h, PROGRESS_OPS, on_progress, d);
    sqlite3_exec(d->h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    fw_sqlite_funcs_register(d->h); /* the rules' helpers (PostgreSQL: store/pg_compat.sql) */
    *out = &d->base;
    return FW_OK;
}

/* --- statements --------------------------------------------------------------------------------------- */

static int sq_exec(fw_db *db, const char *sql, fw_err *err)
{
    sq_db *d = SQ(db);
    char *msg = NULL;
    statement_starts(d);
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        /* exec runs code-written scripts: an error there is the script's, like a compile error */
        fail_rc(d, err, rc, (rc & 0xff) == SQLITE_ERROR, msg ? msg : sqlite3_errmsg(d->h));
        sqlite3_free(msg);
        return err->code;
    }
    return FW_OK;
}

static int sq_prepare(fw_db *db, const char *sql, fw_stmt **out, fw_err *err)
{
    sq_db *d = SQ(db);
    sqlite3_stmt *h;
    int rc = sqlite3_prepare_v2(d->h, sql, -1, &h, NULL);
    if (rc != SQLITE_OK)
        return fail_rc(d, err, rc, true, sqlite3_errmsg(d->h));
    sq_stmt *s = fw_calloc(1, sizeof *s);
    s->base.db = db;
    s->base.sql = fw_strdup(sql);
    s->h = h;
    *out = &s->base;
    return FW_OK;
}

static int sq_param_count(fw_stmt *st) { return sqlite3_bind_parameter_count(SQS(st)->h); }

static const char *sq_param_name(fw_stmt *st, int i)
{
    const char *n = sqlite3_bind_parameter_name(SQS(st)->h, i);
    return n && n[0] != '?' ? n : NULL;
}

static int bind_one(sqlite3_stmt *h, int i, const fw_value *v, sqlite3_destructor_type how)
{
    switch (v ? v->type : FW_DBT_NULL) {
    case FW_DBT_INT: return sqlite3_bind_int64(h, i, v->i);
    case FW_DBT_REAL: return sqlite3_bind_double(h, i, v->d);
    case FW_DBT_TEXT: return sqlite3_bind_text64(h, i, v->s, v->len, how, SQLITE_UTF8);
    default: return sqlite3_bind_null(h, i);
    }
}

static int sq_bind(fw_stmt *st, int i, const fw_value *v)
{
    return bind_one(SQS(st)->h, i, v, SQLITE_TRANSIENT) == SQLITE_OK ? FW_OK : FW_EUSAGE;
}

static void sq_clear_bindings(fw_stmt *st) { sqlite3_clear_bindings(SQS(st)->h); }

static int sq_step(fw_stmt *st, fw_err *err)
{
    sq_stmt *s = SQS(st);
    sq_db *d = SQ(st->db);
    if (!s->running) {
        statement_starts(d);
        s->running = true;
    }
    int rc = sqlite3_step(s->h);
    if (rc == SQLITE_ROW)
        return 1;
    s->running = false;
    if (rc == SQLITE_DONE) {
        s->changes = sqlite3_stmt_readonly(s->h) ? 0 : sqlite3_changes64(d->h);
        return 0;
    }
    fail_rc(d, err, rc, false, sqlite3_errmsg(d->h));
    sqlite3_reset(s->h);
    return -1;
}

static void sq_reset(fw_stmt *st)
{
    SQS(st)->running = false;
    sqlite3_reset(SQS(st)->h);
}

static void sq_finalize(fw_stmt *st)
{
    sqlite3_finalize(SQS(st)->h);
    free(st->sql);
    free(st);
}

static long long sq_changes(fw_stmt *st) { return SQS(st)->changes; }
static int sq_ncols(fw_stmt *st) { return sqlite3_column_count(SQS(st)->h); }
static const char *sq_col_name(fw_stmt *st, int i) { return sqlite3_column_name(SQS(st)->h, i); }

static enum fw_dbt sq_col_type(fw_stmt *st, int i)
{
    switch (sqlite3_column_type(SQS(st)->h, i)) {
    case SQLITE_INTEGER: return FW_DBT_INT;
    case SQLITE_FLOAT: return FW_DBT_REAL;
    case SQLITE_NULL: return FW_DBT_NULL;
    default: return FW_DBT_TEXT;
    }
}

static long long sq_col_int64(fw_stmt *st, int i) { return sqlite3_column_int64(SQS(st)->h, i); }
static double sq_col_double(fw_stmt *st, int i) { return sqlite3_column_double(SQS(st)->h, i); }
static const char *sq_col_text(fw_stmt *st, int i) { return (const char *)sqlite3_column_text(SQS(st)->h, i); }
static bool sq_readonly(fw_stmt *st) { return sqlite3_stmt_readonly(SQS(st)->h); }

/* --- transactions ------------------------------------------------------------------------------------- */

static int sq_begin(fw_db *db, enum fw_txn mode, fw_err *err)
{
    sq_db *d = SQ(db);
    if (mode == FW_TXN_WRITE)
        return sq_exec(db, "BEGIN IMMEDIATE", err);
    if (sq_exec(db, "BEGIN DEFERRED; PRAGMA query_only = 1", err)) {
        if (!sqlite3_get_autocommit(d->h))
            sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
        return err->code;
    }
    d->read_txn = true;
    return FW_OK;
}

static int sq_end(fw_db *db, bool commit, fw_err *err)
{
    sq_db *d = SQ(db);
    int rc = FW_OK;
    if (commit)
        rc = sq_exec(db, "COMMIT", err);
    if (!sqlite3_get_autocommit(d->h)) /* a rollback, or a commit that failed */
        sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
    if (d->read_txn) {
        sqlite3_exec(d->h, "PRAGMA query_only = 0", NULL, NULL, NULL);
        d->read_txn = false;
    }
    return rc;
}

/* --- bulk load ---------------------------------------------------------------------------------------- */

static int prepare_insert(sq_db *d, const char *table, const char *const *columns, int ncols, int rows,
                          sqlite3_stmt **out, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql, "INSERT INTO %s(", table);
    for (int c = 0; c < ncols; c++)
        fw_buf_printf(&sql, "%s%s", c ? ", " : "", columns[c]);
    fw_buf_puts(&sql, ") VALUES ");
    for (int r = 0; r < rows; r++) {
        fw_buf_puts(&sql, r ? ", (" : "(");
        for (int c = 0; c < ncols; c++)
            fw_buf_puts(&sql, c ? ", ?" : "?");
        fw_buf_putc(&sql, ')');
    }
    int rc = sqlite3_prepare_v2(d->h, sql.data, -1, out, NULL);
    fw_buf_free(&sql);
    if (rc != SQLITE_OK)
        return fail_rc(d, err, rc, true, sqlite3_errmsg(d->h));
    return FW_OK;
}

static int sq_bulk_begin(fw_db *db, const char *table, const char *const *columns, int ncols, fw_bulk **out,
                         fw_err *err)
{
    sq_db *d = SQ(db);
    sq_bulk *b = fw_calloc(1, sizeof *b);
    b->many_rows = ncols * BULK_ROWS <= MAX_VARIABLES ? BULK_ROWS : 1;
    b->table = fw_strdup(table);
    if (prepare_insert(d, table, columns, ncols, 1, &b->one, err) ||
        (b->many_rows > 1 && prepare_insert(d, table, columns, ncols, b->many_rows, &b->many, err))) {
        sqlite3_finalize(b->one);
        free(b->table);
        free(b);
        return err->code;
    }
    b->pending = fw_calloc((size_t)(b->many_rows * ncols), sizeof *b->pending);
    *out = &b->base;
    return FW_OK;
}

/* Runs an insert of rows pending values (bound from index 0); texts are in the arena. */
static int bulk_insert(sq_bulk *b, sqlite3_stmt *h, int first_row, int rows, fw_err *err)
{
    sq_db *d = SQ(b->base.db);
    int n = b->base.ncols;
    for (int k = 0; k < rows * n; k++) {
        fw_value v = b->pending[first_row * n + k];
        if (v.type == FW_DBT_TEXT)
            v.s = b->arena.data + (size_t)v.i; /* the arena offset, kept in i until now */
        bind_one(h, k + 1, &v, SQLITE_STATIC);
    }
    statement_starts(d);
    int rc = sqlite3_step(h);
    sqlite3_reset(h);
    if (rc != SQLITE_DONE) {
        fail_rc(d, err, rc, false, sqlite3_errmsg(d->h));
        fw_db_err_prefix(err, "bulk load into %s, rows %lld-%lld: ", b->table, b->flushed + first_row + 1,
                         b->flushed + first_row + rows);
        return err->code;
    }
    return FW_OK;
}

static int flush_pending(sq_bulk *b, fw_err *err)
{
    int rc = FW_OK;
    if (b->npending == b->many_rows && b->many)
        rc = bulk_insert(b, b->many, 0, b->npending, err);
    else
        for (int r = 0; r < b->npending && !rc; r++)
            rc = bulk_insert(b, b->one, r, 1, err);
    b->flushed += b->npending;
    b->npending = 0;
    fw_buf_reset(&b->arena);
    return rc;
}

static int sq_bulk_row(fw_bulk *base, const fw_value *values, fw_err *err)
{
    sq_bulk *b = (sq_bulk *)base;
    int n = base->ncols;
    fw_value *row = &b->pending[b->npending * n];
    for (int c = 0; c < n; c++) {
        row[c] = values[c];
        if (values[c].type == FW_DBT_TEXT) {
            row[c].i = (long long)b->arena.len; /* an offset: the arena may move */
            fw_buf_add(&b->arena, values[c].s, values[c].len);
            fw_buf_putc(&b->arena, '\0');
        }
    }
    b->npending++;
    return b->npending == b->many_rows ? flush_pending(b, err) : FW_OK;
}

static int sq_bulk_end(fw_bulk *base, bool keep, fw_err *err)
{
    sq_bulk *b = (sq_bulk *)base;
    int rc = keep ? flush_pending(b, err) : FW_OK;
    sqlite3_finalize(b->one);
    sqlite3_finalize(b->many);
    fw_buf_free(&b->arena);
    free(b->pending);
    free(b->table);
    free(b);
    return rc;
}

/* --- versions ----------------------------------------------------------------------------------------- */

static long long pragma_int(sq_db *d, const char *sql)
{
    sqlite3_stmt *h;
    long long v = 0;
    if (sqlite3_prepare_v2(d->h, sql, -1, &h, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(h) == SQLITE_ROW)
        v = sqlite3_column_int64(h, 0);
    sqlite3_finalize(h);
    return v;
}

/* Workspaces made before the version table carry their schema in PRAGMA user_version, and have the
 * settings and trail tables; another program's file may carry its own application_id. */
static int sq_legacy_version(fw_db *db, int *version, fw_err *err)
{
    sq_db *d = SQ(db);
    *version = 0;
    long long app = pragma_int(d, "PRAGMA application_id");
    if (app != 0 && app != FW_SQLITE_APP_ID)
        return fw_db_failf(db, err, FW_DBF_FOREIGN,
                           "%s: this SQLite file belongs to another application (application_id 0x%08llx); "
                           "give fundwatch a file of its own",
                           db->where, (unsigned long long)app & 0xffffffffu);
    long long uv = pragma_int(d, "PRAGMA user_version");
    if (uv > 0 && pragma_int(d, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                "name IN ('settings', 'trail')") == 2)
        *version = (int)uv;
    return FW_OK;
}

/* Keeps PRAGMA user_version in step, so an older fundwatch (which reads only that) refuses a newer
 * workspace, and marks the file as fundwatch's. */
static int sq_migration_done(fw_db *db, int version, fw_err *err)
{
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", version, FW_SQLITE_APP_ID);
    return sq_exec(db, sql, err);
}

/* --- guarded queries, query plans --------------------------------------------------------------------- */

typedef struct guard {
    const char *const *functions;
    fw_query_check *chk;
} guard;

static const char *action_name(int code)
{
    switch (code) {
    case SQLITE_INSERT: return "INSERT";
    case SQLITE_UPDATE: return "UPDATE";
    case SQLITE_DELETE: return "DELETE";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_PRAGMA: return "PRAGMA";
    case SQLITE_TRANSACTION: return "a transaction statement";
    case SQLITE_SAVEPOINT: return "SAVEPOINT";
    case SQLITE_ANALYZE: return "ANALYZE";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
    default:
        if (code >= SQLITE_CREATE_INDEX && code <= SQLITE_DROP_VIEW)
            return code <= SQLITE_CREATE_VIEW || code == SQLITE_CREATE_INDEX ? "CREATE" : "DROP";
        return "a statement that is not a SELECT";
    }
}

/* The authorizer SQLite asks for every action while compiling: reading and allowed functions pass,
 * everything else is refused and the first refusal remembered. */
static int authorize(void *ctx, int code, const char *a, const char *b, const char *dbname, const char *trigger)
{
    (void)a, (void)dbname, (void)trigger;
    guard *g = ctx;
    switch (code) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_FUNCTION: /* the function's name is the second argument */
        if (!g->functions)
            return SQLITE_OK;
        if (b)
            for (const char *const *f = g->functions; *f; f++)
                if (strcasecmp(b, *f) == 0)
                    return SQLITE_OK;
        if (!g->chk->refused[0] && !g->chk->function[0])
            snprintf(g->chk->function, sizeof g->chk->function, "%s", b ? b : "?");
        return SQLITE_DENY;
    default:
        if (!g->chk->refused[0] && !g->chk->function[0])
            snprintf(g->chk->refused, sizeof g->chk->refused, "%s", action_name(code));
        return SQLITE_DENY;
    }
}

/* fw_db_limit_writes: reading, transactions, savepoints, functions and PRAGMAs that only read (or
 * query_only, which READ transactions set, and the catalogue's table_info and the like) pass; INSERT, UPDATE and DELETE only on the tables of
 * d->writable (and TEMP ones); everything else, schema changes and ATTACH included, is refused. */
static int limit_authorize(void *ctx, int code, const char *a, const char *b, const char *dbname, const char *trigger)
{
    (void)trigger;
    sq_db *d = ctx;
    switch (code) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
    case SQLITE_FUNCTION:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
        return SQLITE_OK;
    case SQLITE_PRAGMA: {
        /* with an argument a PRAGMA may set something; these only read (pragma_table_info(...)) */
        static const char *const reading[] = {"query_only", "table_info", "table_xinfo", "index_list",
                                              "index_info", "index_xinfo", "foreign_key_list", NULL};
        if (!b)
            return SQLITE_OK;
        for (const char *const *r = reading; a && *r; r++)
            if (strcasecmp(a, *r) == 0)
                return SQLITE_OK;
        return SQLITE_DENY;
    }
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        /* TEMP tables are this connection's; SQLite itself asks for sqlite_master when it sets up a
         * table-valued PRAGMA (pragma_table_info), and a statement cannot write it unless
         * writable_schema is set, a PRAGMA refused above */
        if ((dbname && strcmp(dbname, "temp") == 0) || (a && strcasecmp(a, "sqlite_master") == 0))
            return SQLITE_OK;
        for (char **t = d->writable; a && t && *t; t++)
            if (strcasecmp(a, *t) == 0)
                return SQLITE_OK;
        return SQLITE_DENY;
    default:
        return SQLITE_DENY;
    }
}

static int sq_limit_writes(fw_db *db, const char *const *tables, fw_err *err)
{
    (void)err;
    sq_db *d = SQ(db);
    int n = 0;
    while (tables && tables[n])
        n++;
    d->writable = fw_calloc((size_t)n + 1, sizeof *d->writable);
    for (int i = 0; i < n; i++)
        d->writable[i] = fw_strdup(tables[i]);
    sqlite3_set_authorizer(d->h, limit_authorize, d);
    return FW_OK;
}

static int sq_prepare_query(fw_db *db, const char *sql, const char *const *functions, fw_stmt **out,
                            fw_query_check *chk, fw_err *err)
{
    sq_db *d = SQ(db);
    guard g = {functions, chk};
    sqlite3_stmt *h = NULL, *second = NULL;
    const char *tail = NULL, *t2 = NULL;
    sqlite3_set_authorizer(d->h, authorize, &g);
    int rc = sqlite3_prepare_v2(d->h, sql, -1, &h, &tail);
    if (rc != SQLITE_OK)
        chk->error_offset = sqlite3_error_offset(d->h);
    char msg[512];
    snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(d->h));
    /* Anything after the first statement is refused, even a harmless one: the caller wants one. */
    if (rc == SQLITE_OK && tail && *tail &&
        (sqlite3_prepare_v2(d->h, tail, -1, &second, &t2) != SQLITE_OK || second))
        chk->tail_offset = (int)(tail - sql);
    sqlite3_finalize(second);
    /* back to the connection's own limit, if it has one (fw_db_limit_writes) */
    sqlite3_set_authorizer(d->h, d->writable ? limit_authorize : NULL, d->writable ? d : NULL);
    if (chk->tail_offset >= 0) {
        sqlite3_finalize(h);
        return fw_db_failf(db, err, FW_DBF_SYNTAX, "%s: more than one statement", d->base.where);
    }
    if (rc != SQLITE_OK && (chk->refused[0] || chk->function[0]))
        return fw_db_failf(db, err, chk->refused[0] ? FW_DBF_READONLY : FW_DBF_SYNTAX, "%s: %s", d->base.where, msg);
    if (rc != SQLITE_OK)
        return fail_rc(d, err, rc, true, msg);
    if (!h) {
        chk->empty = true;
        return fw_db_failf(db, err, FW_DBF_SYNTAX, "%s: no statement", d->base.where);
    }
    if (!sqlite3_stmt_readonly(h)) {
        chk->writes = true;
        sqlite3_finalize(h);
        return fw_db_failf(db, err, FW_DBF_READONLY, "%s: the statement would write", d->base.where);
    }
    sq_stmt *s = fw_calloc(1, sizeof *s);
    s->base.db = db;
    s->base.sql = fw_strdup(sql);
    s->h = h;
    *out = &s->base;
    return FW_OK;
}

/* EXPLAIN QUERY PLAN's rows are id, parent, notused, detail. */
static int sq_plan(fw_db *db, const char *sql, fw_plan *out, fw_err *err)
{
    sq_db *d = SQ(db);
    char *q = fw_printf("EXPLAIN QUERY PLAN %s", sql);
    sqlite3_stmt *h;
    int rc = sqlite3_prepare_v2(d->h, q, -1, &h, NULL);
    free(q);
    if (rc != SQLITE_OK)
        return fail_rc(d, err, rc, true, sqlite3_errmsg(d->h));
    statement_starts(d);
    while ((rc = sqlite3_step(h)) == SQLITE_ROW)
        fw_plan_add(out, sqlite3_column_int(h, 0), sqlite3_column_int(h, 1),
                    (const char *)sqlite3_column_text(h, 3));
    if (rc != SQLITE_DONE) {
        fail_rc(d, err, rc, false, sqlite3_errmsg(d->h));
        sqlite3_finalize(h);
        return err->code;
    }
    sqlite3_finalize(h);
    return FW_OK;
}

/* --- waiting for locks, host functions -------------------------------------------------------------- */

static int sq_set_lock_wait(fw_db *db, int ms, fw_err *err)
{
    (void)err;
    sqlite3_busy_timeout(SQ(db)->h, ms < 0 ? SQ(db)->busy_ms : ms); /* 0 clears the wait */
    return FW_OK;
}

typedef struct host_fn {
    fw_db_host_fn fn;
    void *ctx;
} host_fn;

/* Calls a host function with its arguments as fw_values (each non-NULL one with its text form too). */
static void call_host_fn(sqlite3_context *sctx, int argc, sqlite3_value **argv)
{
    const host_fn *h = sqlite3_user_data(sctx);
    fw_value *args = fw_calloc(argc > 0 ? (size_t)argc : 1, sizeof *args);
    for (int i = 0; i < argc; i++) {
        int t = sqlite3_value_type(argv[i]);
        args[i].type = t == SQLITE_NULL ? FW_DBT_NULL : t == SQLITE_INTEGER ? FW_DBT_INT
                     : t == SQLITE_FLOAT ? FW_DBT_REAL : FW_DBT_TEXT;
        if (t == SQLITE_NULL)
            continue;
        args[i].i = sqlite3_value_int64(argv[i]);
        args[i].d = sqlite3_value_double(argv[i]);
        args[i].s = (const char *)sqlite3_value_text(argv[i]);
        args[i].len = (size_t)sqlite3_value_bytes(argv[i]);
    }
    fw_value out = {.type = FW_DBT_NULL};
    fw_err err = {0};
    if (h->fn(h->ctx, argc, args, &out, &err)) {
        sqlite3_result_error(sctx, err.msg, -1);
        if (out.type == FW_DBT_TEXT)
            free((char *)out.s);
    } else if (out.type == FW_DBT_INT)
        sqlite3_result_int64(sctx, out.i);
    else if (out.type == FW_DBT_REAL)
        sqlite3_result_double(sctx, out.d);
    else if (out.type == FW_DBT_TEXT && out.s)
        sqlite3_result_text(sctx, out.s, -1, free);
    else
        sqlite3_result_null(sctx);
    free(args);
}

static int sq_create_function(fw_db *db, const char *name, int nargs, fw_db_host_fn fn, void *ctx, fw_err *err)
{
    host_fn *h = fw_calloc(1, sizeof *h);
    *h = (host_fn){fn, ctx};
    /* SQLite calls free on h when the function is replaced or the connection closes, even on failure. */
    int rc = sqlite3_create_function_v2(SQ(db)->h, name, nargs, SQLITE_UTF8, h, call_host_fn, NULL, NULL, free);
    if (rc != SQLITE_OK)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: cannot register %s(): %s", db->where, name,
                           sqlite3_errmsg(SQ(db)->h));
    return FW_OK;
}

/* PRAGMA data_version moves when another connection commits (never for this one's own writes). */
static int sq_data_version(fw_db *db, long long *version, fw_err *err)
{
    sq_db *d = SQ(db);
    sqlite3_stmt *h;
    int rc = sqlite3_prepare_v2(d->h, "PRAGMA data_version", -1, &h, NULL);
    if (rc != SQLITE_OK)
        return fail_rc(d, err, rc, true, sqlite3_errmsg(d->h));
    rc = sqlite3_step(h);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(h, 0);
    else
        fail_rc(d, err, rc, false, sqlite3_errmsg(d->h));
    sqlite3_finalize(h);
    return rc == SQLITE_ROW ? FW_OK : err->code;
}

const fw_db_driver fw_sqlite_driver = {
    .name = "SQLite",
    .engine = FW_DB_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .param_count = sq_param_count,
    .param_name = sq_param_name,
    .bind = sq_bind,
    .clear_bindings = sq_clear_bindings,
    .step = sq_step,
    .reset = sq_reset,
    .finalize = sq_finalize,
    .changes = sq_changes,
    .ncols = sq_ncols,
    .col_name = sq_col_name,
    .col_type = sq_col_type,
    .col_int64 = sq_col_int64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .readonly = sq_readonly,
    .begin = sq_begin,
    .end = sq_end,
    .cancel = sq_cancel,
    .set_timeout = sq_set_timeout,
    .bulk_begin = sq_bulk_begin,
    .bulk_row = sq_bulk_row,
    .bulk_end = sq_bulk_end,
    .sql_user_tables = "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
                       "AND name <> '" FW_DB_VERSION_TABLE "' ORDER BY name",
    .sql_table_exists = "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?",
    .legacy_version = sq_legacy_version,
    .migration_done = sq_migration_done,
    .prepare_query = sq_prepare_query,
    .plan = sq_plan,
    .set_lock_wait = sq_set_lock_wait,
    .create_function = sq_create_function,
    .data_version = sq_data_version,
    .limit_writes = sq_limit_writes,
};
