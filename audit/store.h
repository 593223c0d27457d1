/* store.h: the workspace: one SQLite file (the default) or a PostgreSQL database, reached through
 * the store (audit/store/store.h). Opening creates a SQLite file (mode 0600) when asked to, brings
 * the schema to this fundwatch's version on either engine (fw_db_migrate; an empty PostgreSQL
 * database is initialised), and gives SQLite the SQL helper functions that rules use (PostgreSQL
 * has them from the migration). Every other module reaches the database through fw_ws. */
#ifndef FW_STORE_H
#define FW_STORE_H

#include <stdbool.h>

#include "audit/sqlfunc.h"
#include "audit/util.h"

typedef struct fw_ws {
    struct fw_db *store; /* the connection (audit/store/store.h) */
    char *path;          /* the target as given: a file path or a PostgreSQL URI/conninfo */
    bool created;        /* this open made a new workspace (the database had no schema before) */
    int schema_before;   /* a write open: the schema version found (older than now: this open migrated it) */
    bool listening;      /* fw_ws_data_version asked for the workspace's change notices */
} fw_ws;

enum { FW_WS_BUSY_TIMEOUT_MS = 30000 };

/* The workspace: opt (from --db) if set, else $FUNDWATCH_DB, else ./fundwatch.db. A file path is a
 * SQLite workspace; "postgresql://..." or a libpq conninfo ("host=db dbname=fw", "service=county")
 * a PostgreSQL one (fw_db_engine_of). */
const char *fw_ws_default_path(const char *opt);

/* How a command opens the workspace. Only what creates one (`init`, `import`) may find it missing;
 * for every other command a missing file is a mistake (a mistyped --db) and an error naming it. */
enum fw_ws_mode {
    FW_WS_CREATE, /* create the file (mode 0600) when missing, then as FW_WS_WRITE */
    FW_WS_WRITE,  /* an existing workspace, read-write, migrated to the newest schema */
    FW_WS_READ,   /* an existing workspace, read-only: works on read-only media and files the user may
                   * only read (immutable, without the WAL's -shm, when that cannot be created); an
                   * older schema is upgraded by a read-write open when the file allows one */
    FW_WS_KIOSK,  /* the citizen kiosk (audit/kiosk.h): a SQLite file as FW_WS_WRITE, then able to write
                   * only citizen_reports, the trail and the settings (fw_db_limit_writes); on PostgreSQL only
                   * the connection, no migration or version check, since the kiosk's login may do
                   * nothing but call the kiosk functions (a missing one says the schema is older) */
};

/* Opens as mode says (on PostgreSQL CREATE and WRITE are the same: the database must exist, its
 * schema is created when empty). On failure returns FW_EWORKSPACE with err saying why (the place,
 * then the engine's or the migration's reason) and *out NULL. The caller owns *out and releases it with fw_ws_close. */
int fw_ws_open_mode(const char *path, enum fw_ws_mode mode, fw_ws **out, fw_err *err);
/* fw_ws_open_mode(path, FW_WS_CREATE, ...): scratch and test workspaces, the engine's threads. */
int fw_ws_open(const char *path, fw_ws **out, fw_err *err);
void fw_ws_close(fw_ws *ws);
/* Whether a workspace target names a database server (PostgreSQL) rather than a file. */
bool fw_ws_target_is_server(const char *target);
/* The workspace for messages: the file path, or postgresql://user@host:port/dbname (never a password). */
const char *fw_ws_where(fw_ws *ws);
/* The workspace as a printed record names it: a file's name without its folders (paths on a
 * workstation are nobody's business in a filed workbook), a server's fw_ws_where. */
const char *fw_ws_label(fw_ws *ws);
/* The workspace's schema version (fundwatch's migrations, audit/schema.c). */
int fw_ws_schema_version(fw_ws *ws);

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE) so a conflict shows up before
 * any work is done; the busy timeout makes a second writer wait. */
int fw_ws_begin(fw_ws *ws, fw_err *err);
/* Stops the statement running on the workspace's connection now (from another thread too): it fails
 * as interrupted. No effect when nothing runs. */
void fw_ws_cancel(fw_ws *ws);
int fw_ws_commit(fw_ws *ws, fw_err *err);
void fw_ws_rollback(fw_ws *ws);

/* Bulk loading (a large import into an empty table), on a SQLite file (no-ops elsewhere). Entering, outside any transaction, swaps WAL
 * for a rollback journal when no other connection has the workspace open: in WAL every new page
 * is written twice (to the log, then checkpointed into the file), which costs a county ledger
 * more than its inserts; with a rollback journal the appended pages are written once, and only
 * the few pages that existed before are journaled, so a failed import still leaves nothing. A
 * larger page cache keeps the B-tree's right edge in memory. When another connection is open the
 * workspace stays in WAL (slower, still all-or-nothing). Leaving restores WAL and the cache. */
void fw_ws_bulk_enter(fw_ws *ws);
void fw_ws_bulk_leave(fw_ws *ws);

int fw_ws_exec(fw_ws *ws, const char *sql, fw_err *err);
/* Runs a query returning one integer (0 when no row). */
long long fw_ws_int(fw_ws *ws, const char *sql);

/* Settings (key/value, per workspace). get returns a malloc'd copy or NULL; caller frees. */
char *fw_ws_setting(fw_ws *ws, const char *key);
int fw_ws_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err);
/* A PostgreSQL role of this workspace, "fw_<word>_<workspace id>" (the rule role fw_rules_...,
 * the users' group roles fw_inspector_..., docs/users.md): roles are the server's, so each
 * workspace's carry its id; always a plain identifier. */
void fw_ws_role_name(fw_ws *ws, const char *word, char *buf, size_t n);

#endif
