/* store.h: the workspace, one SQLite file. Opening creates it (mode 0600) when asked to, applies migrations,
 * turns on WAL and a busy timeout (a second fundwatch waits instead of failing) and registers the
 * SQL helper functions that rules use. Every other module reaches the database through fw_ws. */
#ifndef FW_STORE_H
#define FW_STORE_H

#include <sqlite3.h>

#include "audit/util.h"

typedef struct fw_ws {
    sqlite3 *db;     /* issue 11 transition: the raw connection, for modules not yet converted */
    struct fw_db *store; /* the same connection through the store interface (audit/store/store.h) */
    char *path;
} fw_ws;

enum { FW_WS_BUSY_TIMEOUT_MS = 30000 };

/* The workspace path: opt (from --db) if set, else $FUNDWATCH_DB, else ./fundwatch.db. */
const char *fw_ws_default_path(const char *opt);

/* How a command opens the workspace. Only what creates one (`init`, `import`) may find it missing;
 * for every other command a missing file is a mistake (a mistyped --db) and an error naming it. */
enum fw_ws_mode {
    FW_WS_CREATE, /* create the file (mode 0600) when missing, then as FW_WS_WRITE */
    FW_WS_WRITE,  /* an existing workspace, read-write, migrated to the newest schema */
    FW_WS_READ,   /* an existing workspace, read-only: works on read-only media and files the user may
                   * only read (immutable, without the WAL's -shm, when that cannot be created); an
                   * older schema is upgraded by a read-write open when the file allows one */
};

/* Opens as mode says. On failure returns FW_EWORKSPACE with err saying why (the path, then SQLite's
 * or the migration's reason) and *out NULL. The caller owns *out and releases it with fw_ws_close. */
int fw_ws_open_mode(const char *path, enum fw_ws_mode mode, fw_ws **out, fw_err *err);
/* fw_ws_open_mode(path, FW_WS_CREATE, ...): scratch and test workspaces, the engine's threads. */
int fw_ws_open(const char *path, fw_ws **out, fw_err *err);
void fw_ws_close(fw_ws *ws);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE) so a conflict shows up before
 * any work is done; the busy timeout makes a second writer wait. */
int fw_ws_begin(fw_ws *ws, fw_err *err);
int fw_ws_commit(fw_ws *ws, fw_err *err);
void fw_ws_rollback(fw_ws *ws);

/* Bulk loading (a large import into an empty table). Entering, outside any transaction, swaps WAL
 * for a rollback journal when no other connection has the workspace open: in WAL every new page
 * is written twice (to the log, then checkpointed into the file), which costs a county ledger
 * more than its inserts; with a rollback journal the appended pages are written once, and only
 * the few pages that existed before are journaled, so a failed import still leaves nothing. A
 * larger page cache keeps the B-tree's right edge in memory. When another connection is open the
 * workspace stays in WAL (slower, still all-or-nothing). Leaving restores WAL and the cache. */
void fw_ws_bulk_enter(fw_ws *ws);
void fw_ws_bulk_leave(fw_ws *ws);

int fw_ws_exec(fw_ws *ws, const char *sql, fw_err *err);
int fw_ws_prepare(fw_ws *ws, const char *sql, sqlite3_stmt **st, fw_err *err);
/* Runs a query returning one integer (0 when no row). */
long long fw_ws_int(fw_ws *ws, const char *sql);

/* Settings (key/value, per workspace). get returns a malloc'd copy or NULL; caller frees. */
char *fw_ws_setting(fw_ws *ws, const char *key);
int fw_ws_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err);

/* Registers the SQL helper functions (sqlfunc.c) on a connection. */
void fw_sqlfunc_register(sqlite3 *db);

#endif
