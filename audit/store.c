/* store.c: opening, creating and migrating the workspace file (see store.h). */
#include "audit/store.h"
#include "audit/store/store.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/dataset.h"
#include "audit/i18n.h"
#include "audit/schema.h"

const char *fw_ws_default_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("FUNDWATCH_DB");
    if (env && *env)
        return env;
    return "fundwatch.db";
}

/* SQLite would create the file with the umask's mode; case data is personal, so create it 0600
 * ourselves first. The -wal and -shm files inherit the database file's mode. */
static int create_private(const char *path, fw_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return FW_OK;
        return fw_fail(err, FW_EWORKSPACE, _("%s: cannot create workspace: %s"), path, strerror(errno));
    }
    close(fd);
    return FW_OK;
}

static int apply_migration(fw_ws *ws, const fw_migration *m, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    for (const char *const *s = m->sections; *s; s++)
        if (fw_ws_exec(ws, *s, err))
            goto fail;
    if (m->with_datasets) {
        fw_buf ddl = {0};
        for (int i = 0; i < fw_ndatasets; i++) {
            const fw_dataset *ds = &fw_datasets[i];
            fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
            fw_dataset_ddl(ds, &ddl);
            for (int k = 0, n = fw_dataset_indexes(ds, ix); k < n; k++)
                fw_dataset_index_sql(ds, &ix[k], &ddl);
        }
        int rc = fw_ws_exec(ws, ddl.data, err);
        fw_buf_free(&ddl);
        if (rc)
            goto fail;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
    if (fw_ws_exec(ws, pragma, err))
        goto fail;
    return fw_ws_commit(ws, err);
fail:
    fw_ws_rollback(ws);
    return fw_fail(err, FW_EWORKSPACE, _("%s: cannot upgrade workspace to schema %d (%s): %s"), ws->path,
                   m->version, m->what, err->msg);
}

static int migrate(fw_ws *ws, fw_err *err)
{
    long long have = fw_ws_int(ws, "PRAGMA user_version");
    int newest = fw_migrations[fw_nmigrations - 1].version;
    if (have > newest)
        return fw_fail(err, FW_EWORKSPACE,
                       _("%s: workspace schema %lld is newer than this fundwatch understands (%d); "
                       "use a newer fundwatch"),
                       ws->path, have, newest);
    for (int i = 0; i < fw_nmigrations; i++)
        if (fw_migrations[i].version > have && apply_migration(ws, &fw_migrations[i], err))
            return err->code;
    return FW_OK;
}

/* Every command but those that create a workspace needs one that exists: opening a mistyped path
 * must not create an empty workspace and report nothing found. */
static int must_exist(const char *path, fw_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return S_ISDIR(st.st_mode) ? fw_fail(err, FW_EWORKSPACE, _("%s: is a folder, not a workspace file"), path)
                                   : FW_OK;
    if (errno == ENOENT)
        return fw_fail(err, FW_EWORKSPACE,
                       _("%s: no such workspace (mistyped --db or $FUNDWATCH_DB?); `fundwatch init` creates "
                         "an empty one, `fundwatch import DATASET FILE` creates one and loads data"),
                       path);
    return fw_fail(err, FW_EWORKSPACE, _("%s: cannot open workspace: %s"), path, strerror(errno));
}

/* Why opening failed, with the path once and the reason kept (SQLite's, or the migration's). */
static int open_failed(fw_ws *ws, const char *path, fw_err *err)
{
    if (err->code != FW_EWORKSPACE || strstr(err->msg, path) == NULL) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg[0] ? err->msg : sqlite3_errmsg(ws->db));
        fw_fail(err, FW_EWORKSPACE, _("%s: not a usable fundwatch workspace: %s"), path, why);
    }
    fw_ws_close(ws);
    return FW_EWORKSPACE;
}

static fw_ws *ws_new(const char *path)
{
    fw_ws *ws = fw_calloc(1, sizeof *ws);
    ws->path = fw_strdup(path);
    return ws;
}

/* The opened connection is also seen through the store interface (ws->store) by the modules
 * already converted to it (issue 11). */
static void ws_setup(fw_ws *ws)
{
    sqlite3_busy_timeout(ws->db, FW_WS_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(ws->db, 1);
    fw_db_sqlite_adopt(ws->db, ws->path, &ws->store);
}

/* The opened workspace, its connection given the rules' helper functions. */
static int opened(fw_ws *ws, fw_ws **out)
{
    fw_sqlfunc_register(ws->db);
    *out = ws;
    return FW_OK;
}

/* Opens read-write and migrates; the file exists (or was just created empty). */
static int open_write(const char *path, fw_ws **out, fw_err *err)
{
    if (access(path, W_OK) != 0)
        return fw_fail(err, FW_EWORKSPACE,
                       _("%s: this command changes the workspace, which cannot be written (%s); commands "
                         "that only read it still work"),
                       path, strerror(errno));
    fw_ws *ws = ws_new(path);
    /* NOMUTEX: a connection is only ever used by one thread at a time (threads open their own),
     * so SQLite's per-call connection mutex is pure cost: a tenth of a bulk import's insert time. */
    if (sqlite3_open_v2(path, &ws->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fw_fail(err, FW_EWORKSPACE, _("%s: cannot open workspace: %s"), path, sqlite3_errmsg(ws->db));
        fw_ws_close(ws);
        return FW_EWORKSPACE;
    }
    ws_setup(ws);
    if (fw_ws_exec(ws, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                   err) ||
        migrate(ws, err))
        return open_failed(ws, path, err);
    return opened(ws, out);
}

/* A read-only connection, "file:PATH?mode=ro" (immutable=1: no locks, no -shm); returns the SQLite
 * code of opening it and reading its schema version. */
static int open_ro_uri(fw_ws *ws, const char *path, bool immutable)
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
    fw_db_close(ws->store);
    ws->store = NULL;
    sqlite3_close_v2(ws->db);
    ws->db = NULL;
    int rc = sqlite3_open_v2(b.data, &ws->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    fw_buf_free(&b);
    if (rc == SQLITE_OK) {
        ws_setup(ws);
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(ws->db, "PRAGMA user_version", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            rc = rc == SQLITE_ROW ? SQLITE_OK : sqlite3_extended_errcode(ws->db);
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

/* Opens for reading only, so that a workspace on read-only media (or a file the user may only
 * read) can still be listed, verified and exported from. */
static int open_read(const char *path, fw_ws **out, fw_err *err)
{
    fw_ws *ws = ws_new(path);
    int rc = open_ro_uri(ws, path, false);
    /* In WAL mode even a reader needs the -shm file: where it can be neither created nor written
     * (read-only media, a folder the user may not write) the file cannot change under us either,
     * so read it as immutable. */
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOTADB && access(path, W_OK) != 0) {
        if (wal_pending(path)) {
            fw_fail(err, FW_EWORKSPACE,
                    _("%s: its last changes are still in %s-wal, which a read-only open cannot apply without "
                      "the -shm file; open it once where it can be written"),
                    path, path);
            fw_ws_close(ws);
            return FW_EWORKSPACE;
        }
        rc = open_ro_uri(ws, path, true);
    }
    if (rc != SQLITE_OK) {
        fw_fail(err, FW_EWORKSPACE, "%s", ws->db ? sqlite3_errmsg(ws->db) : sqlite3_errstr(rc));
        return open_failed(ws, path, err);
    }
    long long have = fw_ws_int(ws, "PRAGMA user_version");
    int newest = fw_migrations[fw_nmigrations - 1].version;
    if (have > newest) {
        migrate(ws, err); /* says so, in the same words as a write open */
        return open_failed(ws, path, err);
    }
    if (have < newest) {
        /* An older schema is upgraded by a read-write open, when the file allows one. */
        fw_ws_close(ws);
        if (access(path, W_OK) != 0)
            return fw_fail(err, FW_EWORKSPACE,
                           _("%s: workspace schema %lld is older than this fundwatch's (%d) and the file is "
                             "read-only; open it once where it can be written to upgrade it"),
                           path, have, newest);
        return open_write(path, out, err);
    }
    return opened(ws, out);
}

/* A statement that grows its statement journal past SQLite's 64 KiB default moves the journal to a
 * temporary file for the rest of the transaction; a rule's hits are saved in one transaction of
 * many small statements, and from then on each of them paid two writes per page it touched (100,000
 * hits: 125 s against 28 s). Journals of up to 8 MiB stay in memory. Process-wide, so set once
 * before the first connection (it has no effect after SQLite is initialised). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 8 << 20);
}

int fw_ws_open_mode(const char *path, enum fw_ws_mode mode, fw_ws **out, fw_err *err)
{
    *out = NULL;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    if (mode == FW_WS_CREATE ? create_private(path, err) : must_exist(path, err))
        return err->code;
    return mode == FW_WS_READ ? open_read(path, out, err) : open_write(path, out, err);
}

int fw_ws_open(const char *path, fw_ws **out, fw_err *err)
{
    return fw_ws_open_mode(path, FW_WS_CREATE, out, err);
}

void fw_ws_close(fw_ws *ws)
{
    if (!ws)
        return;
    if (ws->store)
        fw_db_close(ws->store);
    sqlite3_close_v2(ws->db);
    free(ws->path);
    free(ws);
}

/* Sets the journal mode; true when the workspace is now in it. */
static bool set_journal_mode(fw_ws *ws, const char *mode)
{
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    sqlite3_stmt *st;
    bool done = false;
    if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) == SQLITE_OK) {
        done = sqlite3_step(st) == SQLITE_ROW && strcasecmp((const char *)sqlite3_column_text(st, 0), mode) == 0;
        sqlite3_finalize(st);
    }
    return done;
}

enum { BULK_CACHE_KIB = 65536 };

void fw_ws_bulk_enter(fw_ws *ws)
{
    /* Leaving WAL needs the only connection; do not wait for others to go, just stay in WAL. */
    sqlite3_busy_timeout(ws->db, 0);
    if (set_journal_mode(ws, "delete"))
        sqlite3_exec(ws->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL); /* NORMAL is WAL's */
    sqlite3_busy_timeout(ws->db, FW_WS_BUSY_TIMEOUT_MS);
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", BULK_CACHE_KIB);
    sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
    /* Every loaded row refers to the import record written in the same transaction: checking
     * that reference row by row only costs time. */
    sqlite3_exec(ws->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
}

void fw_ws_bulk_leave(fw_ws *ws)
{
    sqlite3_exec(ws->db, "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    /* If this fails (it cannot while we are the only connection), the next fw_ws_open sets WAL. */
    if (set_journal_mode(ws, "wal"))
        sqlite3_exec(ws->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
}

int fw_ws_exec(fw_ws *ws, const char *sql, fw_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(ws->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fw_fail(err, FW_EWORKSPACE, "%s", msg ? msg : sqlite3_errmsg(ws->db));
        sqlite3_free(msg);
        return FW_EWORKSPACE;
    }
    return FW_OK;
}

int fw_ws_prepare(fw_ws *ws, const char *sql, sqlite3_stmt **st, fw_err *err)
{
    if (sqlite3_prepare_v2(ws->db, sql, -1, st, NULL) != SQLITE_OK)
        return fw_fail(err, FW_EWORKSPACE, "%s", sqlite3_errmsg(ws->db));
    return FW_OK;
}

long long fw_ws_int(fw_ws *ws, const char *sql)
{
    sqlite3_stmt *st;
    long long v = 0;
    if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int fw_ws_begin(fw_ws *ws, fw_err *err)
{
    return fw_db_begin(ws->store, FW_TXN_WRITE, err);
}

/* A transaction begun as raw SQL by a module not yet converted ends the same way. */
int fw_ws_commit(fw_ws *ws, fw_err *err)
{
    if (fw_db_in_txn(ws->store))
        return fw_db_commit(ws->store, err);
    return fw_ws_exec(ws, "COMMIT", err);
}

void fw_ws_rollback(fw_ws *ws)
{
    fw_db_rollback(ws->store);
    if (!sqlite3_get_autocommit(ws->db))
        sqlite3_exec(ws->db, "ROLLBACK", NULL, NULL, NULL);
}

char *fw_ws_setting(fw_ws *ws, const char *key)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(ws->db, "SELECT value FROM settings WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = fw_strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

int fw_ws_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "INSERT INTO settings(key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                      &st, err))
        return err->code;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fw_fail(err, FW_EWORKSPACE, _("cannot save setting %s: %s"), key, sqlite3_errmsg(ws->db));
    return FW_OK;
}
