/* store/store.c: what both engines share (see store.h): choosing the driver from the target,
 * dispatching through its function table, named and cached statements, settings, the error words
 * and exit codes of faults, and the versioned schema (the version table, refusing a newer schema or
 * another application's database). No engine API is called here: only the driver table. */
#include "audit/store/store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/store/driver.h"

#ifndef FW_VERSION
#define FW_VERSION "dev"
#endif

/* --- choosing the engine ---------------------------------------------------------------------------- */

/* A libpq conninfo starts with a keyword and '=' ("service=x", "host=db dbname=fw"). */
static bool looks_like_conninfo(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    const char *k = s;
    while (isalnum((unsigned char)*s) || *s == '_')
        s++;
    if (s == k)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '=';
}

enum fw_db_engine fw_db_engine_of(const char *target)
{
    if (!target)
        return FW_DB_SQLITE;
    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0 ||
        looks_like_conninfo(target))
        return FW_DB_POSTGRES;
    return FW_DB_SQLITE;
}

int fw_db_open(const char *target, const fw_db_opts *o, fw_db **out, fw_err *err)
{
    static const fw_db_opts defaults = {0};
    *out = NULL;
    if (!target || !*target)
        return fw_fail(err, FW_EUSAGE, "no workspace given: name a file or a postgresql:// URI");
    const fw_db_driver *d = fw_db_engine_of(target) == FW_DB_POSTGRES ? &fw_postgres_driver : &fw_sqlite_driver;
    return d->open(target, o ? o : &defaults, out, err);
}

char *fw_db_target_in_schema(const char *target, const char *schema, fw_err *err)
{
    const fw_db_driver *d = fw_db_engine_of(target) == FW_DB_POSTGRES ? &fw_postgres_driver : &fw_sqlite_driver;
    if (!d->target_in_schema) {
        fw_fail(err, FW_EUSAGE, "%s: a %s workspace has no schemas", target, d->name);
        return NULL;
    }
    return d->target_in_schema(target, schema, err);
}

void fw_db_close(fw_db *db)
{
    if (!db)
        return;
    if (db->bulk)
        fw_bulk_abort(db->bulk);
    for (int i = 0; i < db->ncache; i++)
        fw_stmt_finalize(db->cache[i].st);
    free(db->cache);
    db->cache = NULL;
    db->ncache = 0;
    db->drv->close(db);
}

enum fw_db_engine fw_db_engine(const fw_db *db) { return db->drv->engine; }
const char *fw_db_engine_name(const fw_db *db) { return db->drv->name; }
const char *fw_db_where(const fw_db *db) { return db->where; }
unsigned fw_db_caps(const fw_db *db) { return db->caps; }
bool fw_db_has(const fw_db *db, unsigned caps) { return (db->caps & caps) == caps; }
enum fw_db_fault fw_db_fault(const fw_db *db) { return db->fault; }

/* --- faults --------------------------------------------------------------------------------------------- */

const char *fw_db_fault_name(enum fw_db_fault f)
{
    static const char *const names[] = {
        [FW_DBF_NONE] = "none",         [FW_DBF_UNREACHABLE] = "unreachable", [FW_DBF_AUTH] = "auth",
        [FW_DBF_LOST] = "lost",         [FW_DBF_TIMEOUT] = "timeout",         [FW_DBF_CANCELLED] = "cancelled",
        [FW_DBF_BUSY] = "busy",         [FW_DBF_SYNTAX] = "syntax",           [FW_DBF_CONSTRAINT] = "constraint",
        [FW_DBF_READONLY] = "readonly", [FW_DBF_DATA] = "data",               [FW_DBF_SCHEMA_NEWER] = "schema-newer",
        [FW_DBF_FOREIGN] = "foreign",   [FW_DBF_OTHER] = "other",
    };
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "other";
}

/* The exit code of a fault (README "Exit codes"): the workspace cannot be used (4), the user stopped
 * it (130), the SQL or a value was bad (3: only rules bring SQL from outside), refused by state (6). */
int fw_db_fault_code(enum fw_db_fault f)
{
    switch (f) {
    case FW_DBF_NONE: return FW_OK;
    case FW_DBF_CANCELLED: return FW_EINTR;
    case FW_DBF_TIMEOUT: return FW_EFAIL;
    case FW_DBF_SYNTAX:
    case FW_DBF_DATA:
    case FW_DBF_READONLY: return FW_EDATA;
    case FW_DBF_CONSTRAINT: return FW_ECONFLICT;
    default: return FW_EWORKSPACE;
    }
}

int fw_db_failf(fw_db *db, fw_err *err, enum fw_db_fault f, const char *fmt, ...)
{
    if (db)
        db->fault = f;
    int code = fw_db_fault_code(f);
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void fw_db_err_prefix(fw_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    fw_buf b = {0};
    char head[512];
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    fw_buf_puts(&b, head);
    fw_buf_puts(&b, err->msg);
    size_t n = b.len < sizeof err->msg ? b.len : sizeof err->msg - 1;
    memcpy(err->msg, b.data, n);
    err->msg[n] = '\0';
    fw_buf_free(&b);
}

/* --- statements ----------------------------------------------------------------------------------------- */

int fw_db_prepare(fw_db *db, const char *sql, fw_stmt **out, fw_err *err)
{
    *out = NULL;
    if (db->bulk)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: a bulk load is open on this connection", db->where);
    db->fault = FW_DBF_NONE;
    return db->drv->prepare(db, sql, out, err);
}

const char *fw_db_sql_text(const fw_db *db, const fw_sql *q)
{
    const char *own = db->drv->engine == FW_DB_POSTGRES ? q->postgres : q->sqlite;
    return own ? own : q->sql;
}

int fw_db_prepare_named(fw_db *db, const fw_sql *q, fw_stmt **out, fw_err *err)
{
    int rc = fw_db_prepare(db, fw_db_sql_text(db, q), out, err);
    if (rc) {
        fw_db_err_prefix(err, "%s: ", q->name);
        return rc;
    }
    (*out)->name = q->name;
    return FW_OK;
}

int fw_db_cached(fw_db *db, const fw_sql *q, fw_stmt **out, fw_err *err)
{
    for (int i = 0; i < db->ncache; i++)
        if (db->cache[i].q == q) {
            *out = db->cache[i].st;
            fw_stmt_reset(*out);
            fw_stmt_clear_bindings(*out);
            return FW_OK;
        }
    if (fw_db_prepare_named(db, q, out, err))
        return err->code;
    db->cache = fw_realloc(db->cache, (size_t)(db->ncache + 1) * sizeof *db->cache);
    db->cache[db->ncache++] = (cached_stmt){q, *out};
    return FW_OK;
}

int fw_stmt_param_count(fw_stmt *st) { return st->db->drv->param_count(st); }
const char *fw_stmt_param_name(fw_stmt *st, int i) { return st->db->drv->param_name(st, i); }

int fw_stmt_bind_value(fw_stmt *st, int i, const fw_value *v)
{
    if (i < 1 || i > fw_stmt_param_count(st))
        return FW_EUSAGE;
    return st->db->drv->bind(st, i, v);
}

int fw_stmt_bind_int64(fw_stmt *st, int i, long long v)
{
    return fw_stmt_bind_value(st, i, &(fw_value){.type = FW_DBT_INT, .i = v});
}

int fw_stmt_bind_double(fw_stmt *st, int i, double v)
{
    return fw_stmt_bind_value(st, i, &(fw_value){.type = FW_DBT_REAL, .d = v});
}

int fw_stmt_bind_text(fw_stmt *st, int i, const char *s, long len)
{
    if (!s)
        return fw_stmt_bind_null(st, i);
    return fw_stmt_bind_value(st, i,
                              &(fw_value){.type = FW_DBT_TEXT, .s = s, .len = len < 0 ? strlen(s) : (size_t)len});
}

int fw_stmt_bind_null(fw_stmt *st, int i)
{
    return fw_stmt_bind_value(st, i, &(fw_value){.type = FW_DBT_NULL});
}

void fw_stmt_clear_bindings(fw_stmt *st) { st->db->drv->clear_bindings(st); }

int fw_stmt_step(fw_stmt *st, fw_err *err)
{
    fw_db *db = st->db;
    if (db->bulk) {
        fw_db_failf(db, err, FW_DBF_OTHER, "%s: a bulk load is open on this connection", db->where);
        return -1;
    }
    db->fault = FW_DBF_NONE;
    int rc = db->drv->step(st, err);
    if (rc < 0 && st->name)
        fw_db_err_prefix(err, "%s: ", st->name);
    return rc;
}

void fw_stmt_reset(fw_stmt *st) { st->db->drv->reset(st); }

void fw_stmt_finalize(fw_stmt *st)
{
    if (st)
        st->db->drv->finalize(st);
}

long long fw_stmt_changes(fw_stmt *st) { return st->db->drv->changes(st); }
int fw_stmt_ncols(fw_stmt *st) { return st->db->drv->ncols(st); }
const char *fw_stmt_col_name(fw_stmt *st, int i) { return st->db->drv->col_name(st, i); }
enum fw_dbt fw_stmt_type(fw_stmt *st, int i) { return st->db->drv->col_type(st, i); }
bool fw_stmt_is_null(fw_stmt *st, int i) { return fw_stmt_type(st, i) == FW_DBT_NULL; }
long long fw_stmt_int64(fw_stmt *st, int i) { return st->db->drv->col_int64(st, i); }
double fw_stmt_double(fw_stmt *st, int i) { return st->db->drv->col_double(st, i); }
const char *fw_stmt_text(fw_stmt *st, int i) { return st->db->drv->col_text(st, i); }
bool fw_stmt_readonly(fw_stmt *st) { return st->db->drv->readonly(st); }

int fw_db_exec(fw_db *db, const char *sql, fw_err *err)
{
    if (db->bulk)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: a bulk load is open on this connection", db->where);
    db->fault = FW_DBF_NONE;
    return db->drv->exec(db, sql, err);
}

int fw_db_query_int(fw_db *db, const char *sql, long long *out, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(db, sql, &st, err))
        return err->code;
    int rc = fw_stmt_step(st, err);
    if (rc == 1)
        *out = fw_stmt_int64(st, 0);
    fw_stmt_finalize(st);
    if (rc < 0)
        return err->code;
    return rc == 1 ? FW_OK : fw_fail(err, FW_ENOTFOUND, "no row: %s", sql);
}

int fw_db_xact_lock(fw_db *db, const char *what, fw_err *err)
{
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    char *sql = fw_printf("SELECT 1 FROM (SELECT " FW_PG_XACT_LOCK("%s") ") l", what);
    long long one = 0;
    int rc = fw_db_query_int(db, sql, &one, err);
    free(sql);
    return rc;
}

/* --- transactions ----------------------------------------------------------------------------------- */

int fw_db_begin(fw_db *db, enum fw_txn mode, fw_err *err)
{
    if (db->in_txn)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: a transaction is already open", db->where);
    db->fault = FW_DBF_NONE;
    int rc = db->drv->begin(db, mode, err);
    if (!rc)
        db->in_txn = true;
    return rc;
}

int fw_db_commit(fw_db *db, fw_err *err)
{
    if (!db->in_txn)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: commit without a transaction", db->where);
    db->fault = FW_DBF_NONE;
    int rc = db->drv->end(db, true, err);
    db->in_txn = false; /* a failed commit rolled back (the drivers make sure) */
    return rc;
}

void fw_db_rollback(fw_db *db)
{
    if (!db->in_txn)
        return;
    if (db->bulk)
        fw_bulk_abort(db->bulk);
    db->drv->end(db, false, NULL);
    db->in_txn = false;
}

bool fw_db_in_txn(const fw_db *db) { return db->in_txn; }

/* Savepoint names are identifiers written by the code, never by a user: checked, not quoted. */
static int savepoint_sql(fw_db *db, const char *verb, const char *name, fw_err *err)
{
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return fw_db_failf(db, err, FW_DBF_SYNTAX, "bad savepoint name '%s'", name);
    if (!db->in_txn)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: %s %s outside a transaction", db->where, verb, name);
    char sql[160];
    snprintf(sql, sizeof sql, "%s %.100s", verb, name);
    return fw_db_exec(db, sql, err);
}

int fw_db_savepoint(fw_db *db, const char *name, fw_err *err) { return savepoint_sql(db, "SAVEPOINT", name, err); }
int fw_db_release(fw_db *db, const char *name, fw_err *err) { return savepoint_sql(db, "RELEASE SAVEPOINT", name, err); }
int fw_db_rollback_to(fw_db *db, const char *name, fw_err *err)
{
    return savepoint_sql(db, "ROLLBACK TO SAVEPOINT", name, err);
}

/* --- bulk load -------------------------------------------------------------------------------------- */

/* A plain SQL name (letters, digits, _; not starting with a digit): the drivers write table and
 * column names of a bulk load into their SQL unquoted, on both engines alike. */
static bool is_plain_name(const char *s)
{
    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

int fw_db_bulk_begin(fw_db *db, const char *table, const char *const *columns, int ncols, fw_bulk **out,
                     fw_err *err)
{
    *out = NULL;
    if (db->bulk)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: a bulk load is already open", db->where);
    if (ncols < 1)
        return fw_db_failf(db, err, FW_DBF_OTHER, "bulk load into %s: no columns", table);
    bool names_ok = is_plain_name(table);
    for (int c = 0; c < ncols && names_ok; c++)
        names_ok = is_plain_name(columns[c]);
    if (!names_ok)
        return fw_db_failf(db, err, FW_DBF_SYNTAX, "bulk load into %s: table and column names must be plain names",
                           table);
    db->fault = FW_DBF_NONE;
    bool own = !db->in_txn;
    if (own && fw_db_begin(db, FW_TXN_WRITE, err))
        return err->code;
    if (db->drv->bulk_begin(db, table, columns, ncols, out, err)) {
        if (own)
            fw_db_rollback(db);
        return err->code;
    }
    (*out)->db = db;
    (*out)->ncols = ncols;
    (*out)->own_txn = own;
    db->bulk = *out;
    return FW_OK;
}

int fw_bulk_row(fw_bulk *b, const fw_value *values, fw_err *err)
{
    if (b->failed.code)
        return fw_fail(err, b->failed.code, "%s", b->failed.msg);
    fw_err e = {0};
    int rc = b->db->drv->bulk_row(b, values, &e);
    if (!rc)
        b->rows++;
    else {
        b->failed = e;
        if (err)
            *err = e;
    }
    return rc;
}

/* Ends a load: the driver flushes (keep) or discards, then its own transaction ends the same way. */
static int bulk_end(fw_bulk *b, bool keep, long long *rows, fw_err *err)
{
    fw_db *db = b->db;
    bool own = b->own_txn;
    long long n = b->rows;
    fw_err failed = b->failed;
    db->bulk = NULL;
    if (failed.code) /* a row failed: nothing of the load may stay */
        keep = false;
    int rc = db->drv->bulk_end(b, keep, err);
    if (failed.code) {
        enum fw_db_fault f = db->fault;
        if (own)
            fw_db_rollback(db);
        db->fault = f;
        if (rows)
            *rows = 0;
        if (err)
            *err = failed;
        return failed.code;
    }
    if (own) {
        if (keep && !rc)
            rc = fw_db_commit(db, err);
        else
            fw_db_rollback(db);
    }
    if (rows)
        *rows = rc ? 0 : n;
    return rc;
}

int fw_bulk_finish(fw_bulk *b, long long *rows, fw_err *err) { return bulk_end(b, true, rows, err); }
void fw_bulk_abort(fw_bulk *b)
{
    if (b)
        bulk_end(b, false, NULL, NULL);
}

/* --- cancel, timeout -------------------------------------------------------------------------------- */

void fw_db_cancel(fw_db *db)
{
    db->cancelled = 1;
    db->drv->cancel(db);
}

void fw_db_watch(fw_db *db, volatile sig_atomic_t *flag) { db->watch = flag; }

int fw_db_set_timeout(fw_db *db, double seconds, fw_err *err)
{
    /* PostgreSQL would undo a SET with the transaction's rollback: one rule for both engines */
    if (db->in_txn)
        return fw_db_failf(db, err, FW_DBF_OTHER, "%s: set the statement timeout outside a transaction", db->where);
    if (seconds < 0)
        seconds = 0;
    int rc = db->drv->set_timeout(db, seconds, err);
    if (!rc)
        db->timeout_s = seconds;
    return rc;
}

/* --- settings --------------------------------------------------------------------------------------- */

static const fw_sql q_setting_get = {"settings.get", "SELECT value FROM settings WHERE key = ?", NULL, NULL};
static const fw_sql q_setting_set = {"settings.set",
                                     "INSERT INTO settings(key, value) VALUES (?, ?) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                                     NULL, NULL};

char *fw_db_setting(fw_db *db, const char *key)
{
    fw_stmt *st;
    fw_err err = {0};
    char *v = NULL;
    if (fw_db_cached(db, &q_setting_get, &st, &err))
        return NULL;
    fw_stmt_bind_text(st, 1, key, -1);
    if (fw_stmt_step(st, &err) == 1 && fw_stmt_text(st, 0))
        v = fw_strdup(fw_stmt_text(st, 0));
    fw_stmt_reset(st);
    return v;
}

int fw_db_set_setting(fw_db *db, const char *key, const char *value, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_cached(db, &q_setting_set, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, key, -1);
    fw_stmt_bind_text(st, 2, value, -1);
    int rc = fw_stmt_step(st, err);
    fw_stmt_reset(st);
    return rc < 0 ? err->code : FW_OK;
}

/* --- versioned schema ------------------------------------------------------------------------------- */

static const char version_table_ddl[] =
    "CREATE TABLE IF NOT EXISTS " FW_DB_VERSION_TABLE " (\n"
    "  version INTEGER PRIMARY KEY,\n"
    "  what TEXT NOT NULL,\n"
    "  applied_at TEXT NOT NULL,\n"
    "  applied_by TEXT NOT NULL,\n"
    "  fundwatch TEXT NOT NULL\n" /* the version of the program that applied it */
    ")";

static int table_exists(fw_db *db, const char *name, bool *yes, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(db, db->drv->sql_table_exists, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, name, -1);
    int rc = fw_stmt_step(st, err);
    fw_stmt_finalize(st);
    if (rc < 0)
        return err->code;
    *yes = rc == 1;
    return FW_OK;
}

/* The recorded version; *legacy is set when it comes from an engine's older marker (to adopt). An
 * older marker that says more than the version table is a newer fundwatch's word too (SQLite keeps
 * PRAGMA user_version in step, and a fundwatch of that era reads only it): the larger counts. */
static int current_version(fw_db *db, int *version, bool *legacy, fw_err *err)
{
    bool has = false;
    *version = 0;
    *legacy = false;
    if (table_exists(db, FW_DB_VERSION_TABLE, &has, err))
        return err->code;
    if (has) {
        long long v = 0;
        if (fw_db_query_int(db, "SELECT COALESCE(max(version), 0) FROM " FW_DB_VERSION_TABLE, &v, err))
            return err->code;
        *version = (int)v;
    }
    if (db->drv->legacy_version) {
        int old = 0;
        if (db->drv->legacy_version(db, &old, err))
            return err->code;
        if (!has)
            *legacy = old > 0;
        if (old > *version)
            *version = old;
    }
    return FW_OK;
}

int fw_db_schema_version(fw_db *db, int *version, fw_err *err)
{
    bool legacy;
    return current_version(db, version, &legacy, err);
}

/* A database with tables but no version table is another application's: name some of them. */
static int refuse_foreign(fw_db *db, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(db, db->drv->sql_user_tables, &st, err))
        return err->code;
    fw_buf names = {0};
    int n = 0, rc;
    while ((rc = fw_stmt_step(st, err)) == 1) {
        if (n < 5)
            fw_buf_printf(&names, "%s%s", n ? ", " : "", fw_stmt_text(st, 0));
        n++;
    }
    fw_stmt_finalize(st);
    if (rc < 0) {
        fw_buf_free(&names);
        return err->code;
    }
    if (n > 0)
        fw_db_failf(db, err, FW_DBF_FOREIGN,
                    "%s: this %s database belongs to another application (it has %d table%s: %s%s and no %s "
                    "table); fundwatch only initialises an empty database: give it a database of its own",
                    db->where, db->drv->name, n, n == 1 ? "" : "s", names.data, n > 5 ? ", ..." : "",
                    FW_DB_VERSION_TABLE);
    fw_buf_free(&names);
    return n > 0 ? err->code : FW_OK;
}

static int record_version(fw_db *db, int version, const char *what, fw_err *err)
{
    fw_stmt *st;
    char now[32];
    fw_now_iso(now);
    if (fw_db_prepare(db,
                      "INSERT INTO " FW_DB_VERSION_TABLE "(version, what, applied_at, applied_by, fundwatch) "
                      "VALUES (?, ?, ?, ?, ?)",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, version);
    fw_stmt_bind_text(st, 2, what, -1);
    fw_stmt_bind_text(st, 3, now, -1);
    fw_stmt_bind_text(st, 4, fw_user(), -1);
    fw_stmt_bind_text(st, 5, FW_VERSION, -1);
    int rc = fw_stmt_step(st, err);
    fw_stmt_finalize(st);
    return rc < 0 ? err->code : FW_OK;
}

/* Whether a step is applied: recorded in the version table, or, in a workspace that only has the
 * older marker (legacy), at or below it. A step missing below the newest recorded one (a branch's
 * workspace that skipped a number, a test rolling one step back) is applied like a newer one. */
static int step_applied(fw_db *db, int version, bool legacy, int have, bool *done, fw_err *err)
{
    *done = false;
    if (legacy) {
        *done = version <= have;
        return FW_OK;
    }
    bool has = false;
    if (table_exists(db, FW_DB_VERSION_TABLE, &has, err))
        return err->code;
    if (!has)
        return FW_OK;
    char *sql = fw_printf("SELECT count(*) FROM " FW_DB_VERSION_TABLE " WHERE version = %d", version);
    long long n = 0;
    int rc = fw_db_query_int(db, sql, &n, err);
    free(sql);
    *done = n > 0;
    return rc;
}

/* One step in its own transaction. Re-reads the version inside it: another process may have
 * applied the step while this one waited for the lock. */
static int apply_step(fw_db *db, const fw_db_migration *m, void *ctx, bool *applied, fw_err *err)
{
    *applied = false;
    if (fw_db_begin(db, FW_TXN_WRITE, err))
        return err->code;
    int have;
    bool legacy;
    bool done;
    if ((db->drv->migration_begin && db->drv->migration_begin(db, err)) ||
        current_version(db, &have, &legacy, err) || step_applied(db, m->version, legacy, have, &done, err))
        goto fail;
    if (!done) {
        if (fw_db_exec(db, version_table_ddl, err))
            goto fail;
        for (int v = 1; legacy && v <= have; v++) /* adopt: the older marker's steps, as applied */
            if (record_version(db, v, "adopted (PRAGMA user_version)", err))
                goto fail;
        const char *sql = db->drv->engine == FW_DB_POSTGRES ? m->postgres : m->sqlite;
        if (!sql)
            sql = m->sql;
        if ((sql && fw_db_exec(db, sql, err)) || (m->apply && m->apply(db, ctx, err)) ||
            record_version(db, m->version, m->what, err) ||
            (db->drv->migration_done && db->drv->migration_done(db, m->version, err)))
            goto fail;
        *applied = true;
    }
    return fw_db_commit(db, err);
fail:;
    enum fw_db_fault f = db->fault == FW_DBF_NONE ? FW_DBF_OTHER : db->fault;
    fw_db_rollback(db);
    db->fault = f;
    err->code = fw_db_fault_code(f);
    fw_db_err_prefix(err, "%s: cannot bring the workspace to schema %d (%s); nothing of that step was kept: ",
                     db->where, m->version, m->what);
    return err->code;
}

int fw_db_pending_steps(fw_db *db, const fw_db_migration *m, int n, int *pending, fw_err *err)
{
    *pending = 0;
    int have;
    bool legacy, done;
    if (current_version(db, &have, &legacy, err))
        return err->code;
    for (int i = 0; i < n; i++) {
        if (step_applied(db, m[i].version, legacy, have, &done, err))
            return err->code;
        *pending += !done;
    }
    return FW_OK;
}

int fw_db_migrate(fw_db *db, const fw_db_migration *m, int n, void *ctx, int *applied, fw_err *err)
{
    if (applied)
        *applied = 0;
    int have, newest = n > 0 ? m[n - 1].version : 0;
    bool legacy;
    if (current_version(db, &have, &legacy, err))
        return err->code;
    if (have == 0 && refuse_foreign(db, err))
        return err->code;
    if (have > newest)
        return fw_db_failf(db, err, FW_DBF_SCHEMA_NEWER,
                           "%s: the workspace has schema version %d, newer than this fundwatch (%s) knows "
                           "(up to %d); use a newer fundwatch",
                           db->where, have, FW_VERSION, newest);
    if (db->drv->compat && db->drv->compat(db, err))
        return err->code;
    for (int i = 0; i < n; i++) {
        bool did;
        if (step_applied(db, m[i].version, legacy, have, &did, err))
            return err->code;
        if (did)
            continue;
        if (apply_step(db, &m[i], ctx, &did, err))
            return err->code;
        if (did && applied)
            (*applied)++;
    }
    db->fault = FW_DBF_NONE;
    return FW_OK;
}

/* --- guarded queries, query plans, watching by a callback ------------------------------------------ */

int fw_db_prepare_query(fw_db *db, const char *sql, const char *const *functions, fw_stmt **out,
                        fw_query_check *chk, fw_err *err)
{
    *out = NULL;
    memset(chk, 0, sizeof *chk);
    chk->error_offset = chk->tail_offset = -1;
    db->fault = FW_DBF_NONE;
    return db->drv->prepare_query(db, sql, functions, out, chk, err);
}

int fw_db_plan(fw_db *db, const char *sql, fw_plan *out, fw_err *err)
{
    memset(out, 0, sizeof *out);
    db->fault = FW_DBF_NONE;
    int rc = db->drv->plan(db, sql, out, err);
    if (rc)
        fw_plan_free(out);
    return rc;
}

void fw_plan_add(fw_plan *p, int id, int parent, const char *detail)
{
    p->v = fw_realloc(p->v, (size_t)(p->n + 1) * sizeof *p->v);
    p->v[p->n++] = (fw_plan_step){id, parent, fw_strdup(detail ? detail : "")};
}

void fw_plan_free(fw_plan *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->v[i].detail);
    free(p->v);
    memset(p, 0, sizeof *p);
}

void fw_db_watch_fn(fw_db *db, bool (*stop)(void *ctx), void *ctx)
{
    db->watch_fn = stop;
    db->watch_ctx = stop ? ctx : NULL;
}

bool fw_db_watched_stop(fw_db *db)
{
    return (db->watch && *db->watch) || (db->watch_fn && db->watch_fn(db->watch_ctx));
}

const char *fw_db_err_words(const fw_db *db, const fw_err *err)
{
    size_t n = strlen(db->where);
    return strncmp(err->msg, db->where, n) == 0 && strncmp(err->msg + n, ": ", 2) == 0 ? err->msg + n + 2 : err->msg;
}

int fw_db_set_lock_wait(fw_db *db, int ms, fw_err *err)
{
    if (ms < 0)
        ms = FW_DB_LOCK_WAIT_AT_OPEN;
    db->fault = FW_DBF_NONE;
    return db->drv->set_lock_wait(db, ms, err);
}

int fw_db_create_function(fw_db *db, const char *name, int nargs, fw_db_host_fn fn, void *ctx, fw_err *err)
{
    if (!db->drv->create_function || !fw_db_has(db, FW_DBCAP_HOST_FUNCTIONS))
        return fw_fail(err, FW_EUSAGE, "%s: %s cannot call functions of this program (%s())", db->where,
                       db->drv->name, name);
    db->fault = FW_DBF_NONE;
    return db->drv->create_function(db, name, nargs, fn, ctx, err);
}

int fw_db_listen(fw_db *db, const char *channel, fw_err *err)
{
    return db->drv->listen ? db->drv->listen(db, channel, err) : FW_OK;
}

int fw_db_changed_cases(fw_db *db, long long **ids, int *n, bool *all)
{
    *ids = NULL, *n = 0, *all = true;
    return db->drv->changed_cases ? db->drv->changed_cases(db, ids, n, all) : FW_OK;
}

int fw_db_limit_writes(fw_db *db, const char *const *tables, fw_err *err)
{
    db->fault = FW_DBF_NONE;
    return db->drv->limit_writes ? db->drv->limit_writes(db, tables, err) : FW_OK;
}

int fw_db_data_version(fw_db *db, long long *version, fw_err *err)
{
    *version = 0;
    db->fault = FW_DBF_NONE;
    return db->drv->data_version(db, version, err);
}
