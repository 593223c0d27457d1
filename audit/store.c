/* store.c: opening, creating and migrating the workspace file (see store.h). */
#include "audit/store.h"

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
        return fw_fail(err, FW_EWORKSPACE, "%s: cannot create workspace: %s", path, strerror(errno));
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
    return fw_fail(err, FW_EWORKSPACE, "%s: cannot upgrade workspace to schema %d (%s): %s", ws->path,
                   m->version, m->what, err->msg);
}

static int migrate(fw_ws *ws, fw_err *err)
{
    long long have = fw_ws_int(ws, "PRAGMA user_version");
    int newest = fw_migrations[fw_nmigrations - 1].version;
    if (have > newest)
        return fw_fail(err, FW_EWORKSPACE,
                       "%s: workspace schema %lld is newer than this fundwatch understands (%d); "
                       "use a newer fundwatch",
                       ws->path, have, newest);
    for (int i = 0; i < fw_nmigrations; i++)
        if (fw_migrations[i].version > have && apply_migration(ws, &fw_migrations[i], err))
            return err->code;
    return FW_OK;
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

int fw_ws_open(const char *path, fw_ws **out, fw_err *err)
{
    *out = NULL;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    if (create_private(path, err))
        return err->code;
    fw_ws *ws = fw_calloc(1, sizeof *ws);
    ws->path = fw_strdup(path);
    /* NOMUTEX: a connection is only ever used by one thread at a time (threads open their own),
     * so SQLite's per-call connection mutex is pure cost: a tenth of a bulk import's insert time. */
    if (sqlite3_open_v2(path, &ws->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fw_fail(err, FW_EWORKSPACE, "%s: cannot open workspace: %s", path, sqlite3_errmsg(ws->db));
        fw_ws_close(ws);
        return FW_EWORKSPACE;
    }
    sqlite3_busy_timeout(ws->db, FW_WS_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(ws->db, 1);
    if (fw_ws_exec(ws, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                   err) ||
        migrate(ws, err)) {
        if (err->code != FW_EWORKSPACE || strstr(err->msg, path) == NULL)
            fw_fail(err, FW_EWORKSPACE, "%s: not a usable fundwatch workspace: %s", path, err->msg);
        fw_ws_close(ws);
        return FW_EWORKSPACE;
    }
    fw_sqlfunc_register(ws->db);
    *out = ws;
    return FW_OK;
}

void fw_ws_close(fw_ws *ws)
{
    if (!ws)
        return;
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
    return fw_ws_exec(ws, "BEGIN IMMEDIATE", err);
}

int fw_ws_commit(fw_ws *ws, fw_err *err)
{
    return fw_ws_exec(ws, "COMMIT", err);
}

void fw_ws_rollback(fw_ws *ws)
{
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
        return fw_fail(err, FW_EWORKSPACE, "cannot save setting %s: %s", key, sqlite3_errmsg(ws->db));
    return FW_OK;
}
