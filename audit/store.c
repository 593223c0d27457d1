/* store.c: opening the workspace through the store (audit/store/store.h) and bringing its schema
 * to this fundwatch's version (see store.h). A target is a SQLite file or a PostgreSQL database;
 * the engines' own work (creating the file 0600, WAL, read-only media, connecting) is the drivers'. */
#include "audit/store.h"
#include "audit/store/store.h"

#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int newest_version(void)
{
    return fw_migrations[fw_nmigrations - 1].version;
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

/* Why opening failed, with the place once and the reason kept (the driver's, or the migration's):
 * a message that already starts with the place passes as it is. */
static int open_failed(const char *where, fw_err *err)
{
    size_t n = strlen(where);
    if (strncmp(err->msg, where, n) != 0 || strncmp(err->msg + n, ": ", 2) != 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        fw_fail(err, FW_EWORKSPACE, _("%s: not a usable fundwatch workspace: %s"), where, why);
    }
    err->code = FW_EWORKSPACE;
    return FW_EWORKSPACE;
}

/* A workspace made by a newer fundwatch, in the words every open uses. */
static int refuse_newer(const char *where, int have, fw_err *err)
{
    return fw_fail(err, FW_EWORKSPACE,
                   _("%s: workspace schema %lld is newer than this fundwatch understands (%d); use a newer fundwatch"),
                   where, (long long)have, newest_version());
}

/* The rule-facing views (sqlfunc.h) on a SQLite connection: TEMP, this connection's, over the
 * helper functions its driver registered. PostgreSQL has them from migration 1. */
static void create_views(fw_db *db)
{
    if (fw_db_engine(db) != FW_DB_SQLITE)
        return;
    fw_buf sql = {0};
    fw_sqlfunc_views_sql(false, &sql);
    fw_sqlfunc_deaths_newest_sql(false, &sql);
    fw_err err = {0};
    if (fw_db_exec(db, sql.data, &err)) /* a bug, not a user error */
        fprintf(stderr, "fundwatch: internal error creating views: %s\n", fw_db_err_words(db, &err));
    fw_buf_free(&sql);
}

/* Connects; *out owns the connection. */
static int connect(const char *path, bool create, bool read_only, fw_ws **out, fw_err *err)
{
    /* A read open is read-only for a file (read-only media; the engine refuses writes). On a server
     * it is an ordinary session: listings keep scratch TEMP tables, which PostgreSQL's read-only
     * mode refuses as SQLite's does not, and what a user may write is the server's grants'. */
    fw_db_opts o = {.create = create,
                    .read_only = read_only && fw_db_engine_of(path) == FW_DB_SQLITE,
                    .busy_ms = FW_WS_BUSY_TIMEOUT_MS};
    fw_db *db;
    if (fw_db_open(path, &o, &db, err)) {
        /* A server's refusal is the driver's message, which names the place without the password
         * the target may hold; a file's is said as every unusable file is. */
        if (fw_db_engine_of(path) == FW_DB_POSTGRES)
            return err->code = FW_EWORKSPACE;
        return open_failed(path, err);
    }
    create_views(db);
    fw_ws *ws = fw_calloc(1, sizeof *ws);
    ws->path = fw_strdup(path);
    ws->store = db;
    *out = ws;
    return FW_OK;
}

/* On a shared PostgreSQL workspace everybody, its owner included, acts as the role that logged in
 * (docs/users.md, issue 13): the case fields that name who did something, notes, runs and the
 * second-reviewer rule take session_user, as the trail does, never a name typed with --user, with
 * which one login could pass for several people (or approve its own verdict). A --user that names
 * another role is said once, so nobody believes it was used. Set only when it differs, since the
 * run's worker threads open the same workspace while fw_user() is being read. */
static void act_as_session_user(fw_ws *ws)
{
    static bool said;
    if (fw_db_engine(ws->store) != FW_DB_POSTGRES)
        return;
    fw_err err = {0};
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT session_user::text", &st, &err))
        return;
    const char *role = fw_stmt_step(st, &err) == 1 ? fw_stmt_text(st, 0) : NULL;
    if (role && strcmp(fw_user(), role) != 0) {
        const char *typed = fw_user_typed();
        if (typed && !said) {
            said = true;
            fprintf(stderr, _("fundwatch: --user %s ignored: on PostgreSQL you act as role %s, the one you logged in as\n"),
                    typed, role);
        }
        fw_set_user(role);
    }
    fw_stmt_finalize(st);
}

/* Opens read-write and brings the schema to this fundwatch's (an empty database is initialised). */
static int open_write(const char *path, bool create, fw_ws **out, fw_err *err)
{
    bool file = fw_db_engine_of(path) == FW_DB_SQLITE;
    if (file && (!create || access(path, F_OK) == 0) && access(path, W_OK) != 0)
        return fw_fail(err, FW_EWORKSPACE,
                       _("%s: this command changes the workspace, which cannot be written (%s); commands "
                         "that only read it still work"),
                       path, strerror(errno));
    fw_ws *ws;
    if (connect(path, create, false, &ws, err))
        return err->code;
    int before = 0;
    fw_err ignored = {0};
    if (fw_db_schema_version(ws->store, &before, &ignored) == FW_OK) {
        ws->created = before == 0;
        ws->schema_before = before;
    }
    if (fw_db_migrate(ws->store, fw_migrations, fw_nmigrations, NULL, NULL, err)) {
        int have = 0;
        if (fw_db_fault(ws->store) == FW_DBF_SCHEMA_NEWER && !fw_db_schema_version(ws->store, &have, &ignored))
            refuse_newer(fw_db_where(ws->store), have, err);
        else
            open_failed(fw_db_where(ws->store), err);
        fw_ws_close(ws);
        return FW_EWORKSPACE;
    }
    *out = ws;
    return FW_OK;
}

/* Opens for reading only, so that a workspace on read-only media (or a file the user may only
 * read, or a server session that must not write) can still be listed, verified and exported from.
 * An older schema is upgraded by a read-write open when the file allows one. */
static int open_read(const char *path, fw_ws **out, fw_err *err)
{
    fw_ws *ws;
    if (connect(path, false, true, &ws, err))
        return err->code;
    int have = 0;
    if (fw_db_schema_version(ws->store, &have, err)) {
        open_failed(fw_db_where(ws->store), err);
        fw_ws_close(ws);
        return FW_EWORKSPACE;
    }
    int pending = 0;
    if (have == newest_version() && !fw_db_pending_steps(ws->store, fw_migrations, fw_nmigrations, &pending, err) &&
        pending == 0) {
        *out = ws;
        return FW_OK;
    }
    if (have > newest_version()) {
        refuse_newer(fw_db_where(ws->store), have, err);
        fw_ws_close(ws);
        return FW_EWORKSPACE;
    }
    fw_ws_close(ws);
    if (fw_db_engine_of(path) == FW_DB_SQLITE && access(path, W_OK) != 0)
        return fw_fail(err, FW_EWORKSPACE,
                       _("%s: workspace schema %lld is older than this fundwatch's (%d) and the file is "
                         "read-only; open it once where it can be written to upgrade it"),
                       path, (long long)have, newest_version());
    return open_write(path, false, out, err);
}

int fw_ws_open_mode(const char *path, enum fw_ws_mode mode, fw_ws **out, fw_err *err)
{
    *out = NULL;
    bool file = fw_db_engine_of(path) == FW_DB_SQLITE;
    if (mode != FW_WS_CREATE && file && must_exist(path, err))
        return err->code;
    if (mode == FW_WS_KIOSK && !file)
        return connect(path, false, false, out, err);
    if (mode == FW_WS_KIOSK) {
        /* One file, no grants: the kiosk's connection itself refuses any write but its reports, the
         * trail and the trail's head (kept in the settings). */
        static const char *const kiosk_writes[] = {"citizen_reports", "trail", "settings", NULL};
        if (open_write(path, false, out, err))
            return err->code;
        if (fw_db_limit_writes((*out)->store, kiosk_writes, err)) {
            fw_ws_close(*out);
            *out = NULL;
            return err->code;
        }
        return FW_OK;
    }
    int rc = mode == FW_WS_READ ? open_read(path, out, err) : open_write(path, mode == FW_WS_CREATE, out, err);
    if (rc == FW_OK)
        act_as_session_user(*out);
    return rc;
}

int fw_ws_open(const char *path, fw_ws **out, fw_err *err)
{
    return fw_ws_open_mode(path, FW_WS_CREATE, out, err);
}

void fw_ws_close(fw_ws *ws)
{
    if (!ws)
        return;
    fw_db_close(ws->store);
    free(ws->path);
    free(ws);
}

bool fw_ws_target_is_server(const char *target)
{
    return fw_db_engine_of(target) == FW_DB_POSTGRES;
}

const char *fw_ws_where(fw_ws *ws)
{
    return fw_db_where(ws->store);
}

const char *fw_ws_label(fw_ws *ws)
{
    const char *where = fw_ws_where(ws);
    if (!fw_db_has(ws->store, FW_DBCAP_FILE))
        return where;
    const char *base = strrchr(where, '/');
    return base ? base + 1 : where;
}

int fw_ws_schema_version(fw_ws *ws)
{
    int v = 0;
    fw_err ignored = {0};
    fw_db_schema_version(ws->store, &v, &ignored);
    return v;
}

/* Sets the journal mode; true when the workspace is now in it. */
static bool set_journal_mode(fw_ws *ws, const char *mode)
{
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    fw_stmt *st;
    fw_err err = {0};
    bool done = false;
    if (fw_db_prepare(ws->store, sql, &st, &err) == FW_OK) {
        done = fw_stmt_step(st, &err) == 1 && fw_stmt_text(st, 0) && strcasecmp(fw_stmt_text(st, 0), mode) == 0;
        fw_stmt_finalize(st);
    }
    return done;
}

/* Best effort: a pragma that fails leaves the import slower, not wrong. */
static void pragma(fw_ws *ws, const char *sql)
{
    fw_err ignored = {0};
    fw_db_exec(ws->store, sql, &ignored);
}

enum { BULK_CACHE_KIB = 65536 };

void fw_ws_bulk_enter(fw_ws *ws)
{
    if (!fw_db_has(ws->store, FW_DBCAP_FILE)) /* journal modes and page caches are a file's */
        return;
    /* Leaving WAL needs the only connection; do not wait for others to go, just stay in WAL. */
    pragma(ws, "PRAGMA busy_timeout = 0");
    if (set_journal_mode(ws, "delete"))
        pragma(ws, "PRAGMA synchronous = FULL"); /* NORMAL is WAL's */
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA busy_timeout = %d", FW_WS_BUSY_TIMEOUT_MS);
    pragma(ws, sql);
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", BULK_CACHE_KIB);
    pragma(ws, sql);
    /* Every loaded row refers to the import record written in the same transaction: checking
     * that reference row by row only costs time. */
    pragma(ws, "PRAGMA foreign_keys = OFF");
}

void fw_ws_bulk_leave(fw_ws *ws)
{
    if (!fw_db_has(ws->store, FW_DBCAP_FILE))
        return;
    pragma(ws, "PRAGMA cache_size = -2000; PRAGMA foreign_keys = ON");
    /* If this fails (it cannot while we are the only connection), the next fw_ws_open sets WAL. */
    if (set_journal_mode(ws, "wal"))
        pragma(ws, "PRAGMA synchronous = NORMAL");
}

int fw_ws_exec(fw_ws *ws, const char *sql, fw_err *err)
{
    if (fw_db_exec(ws->store, sql, err))
        return err->code = FW_EWORKSPACE;
    return FW_OK;
}

long long fw_ws_int(fw_ws *ws, const char *sql)
{
    long long v = 0;
    fw_err ignored = {0};
    if (fw_db_query_int(ws->store, sql, &v, &ignored))
        return 0;
    return v;
}

int fw_ws_begin(fw_ws *ws, fw_err *err)
{
    return fw_db_begin(ws->store, FW_TXN_WRITE, err);
}

void fw_ws_cancel(fw_ws *ws)
{
    fw_db_cancel(ws->store);
}

/* Every transaction begins through the store (fw_ws_begin), so it ends there; a commit without one
 * is the caller's mistake and fails with the store's "commit without a transaction". */
int fw_ws_commit(fw_ws *ws, fw_err *err)
{
    return fw_db_commit(ws->store, err);
}

void fw_ws_rollback(fw_ws *ws)
{
    fw_db_rollback(ws->store);
}

char *fw_ws_setting(fw_ws *ws, const char *key)
{
    return fw_db_setting(ws->store, key);
}

void fw_ws_role_name(fw_ws *ws, const char *word, char *buf, size_t n)
{
    char *id = fw_ws_setting(ws, "workspace.id");
    snprintf(buf, n, "fw_%s_%s", word, id && *id ? id : "workspace");
    free(id);
    for (char *c = buf; *c; c++) /* the id is hex; keep the name a plain identifier whatever it is */
        if (!isalnum((unsigned char)*c) && *c != '_')
            *c = '_';
}

int fw_ws_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err)
{
    if (fw_db_set_setting(ws->store, key, value, err) == FW_OK)
        return FW_OK;
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return fw_fail(err, FW_EWORKSPACE, _("cannot save setting %s: %s"), key, why);
}
