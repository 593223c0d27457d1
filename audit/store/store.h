/* store/store.h: one store, two engines. The workspace is either one SQLite file (the embedded
 * default) or a PostgreSQL database (a shared server); this interface is all the rest of audit/
 * sees of either. The engine is chosen at run time from the target string (as Kamailio picks its
 * db module from the URL): each engine is a driver, a table of functions in its own file
 * (store/sqlite.c, store/postgres.c), and those two files are the only ones that call sqlite3_* or
 * PQ*. Statements are prepared from SQL with positional parameters; a statement that must differ
 * between engines is declared once as a named fw_sql whose per-engine text overrides the common one
 * (as PowerDNS's generic SQL backends name their queries and let a backend replace one).
 *
 * Nothing outside audit/ ever holds an fw_stmt: screens, CLI and export get typed rows through the
 * query functions of audit/ (docs/store.md). */
#ifndef FW_STORE_STORE_H
#define FW_STORE_STORE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "audit/util.h"

typedef struct fw_db fw_db;     /* a connection */
typedef struct fw_stmt fw_stmt; /* a prepared statement on one connection */
typedef struct fw_bulk fw_bulk; /* a bulk load into one table */

enum fw_db_engine { FW_DB_SQLITE, FW_DB_POSTGRES };

/* Where the engines differ in what they can do (DB_CAPABILITY in Kamailio). A caller asks instead of
 * testing the engine, so a third driver states its own answers. */
enum fw_db_cap {
    FW_DBCAP_FILE = 1u << 0,           /* the workspace is a local file (mode 0600, journal modes) */
    FW_DBCAP_SERVER = 1u << 1,         /* a server shared by other sessions and users */
    FW_DBCAP_COPY = 1u << 2,           /* bulk load streams rows (COPY) instead of inserting them */
    FW_DBCAP_ROLES = 1u << 3,          /* roles and grants: a sandbox can be a role that may only read */
    FW_DBCAP_ROW_LOCKS = 1u << 4,      /* several writers at once (SQLite: one writer, the others wait) */
    FW_DBCAP_PARALLEL_QUERY = 1u << 5, /* one query may use several cores */
    FW_DBCAP_STMT_READONLY = 1u << 6,  /* a statement can be asked, before it runs, whether it writes */
    FW_DBCAP_HOST_FUNCTIONS = 1u << 7, /* SQL functions can be C functions of this process */
};

/* Why the last call failed, finer than the exit code (err->code), for callers that react
 * differently: a rule that timed out is recorded as failed, a lost connection ends the command. */
enum fw_db_fault {
    FW_DBF_NONE,
    FW_DBF_UNREACHABLE,   /* no server at that address, or the file cannot be opened */
    FW_DBF_AUTH,          /* the server refused the user or the password */
    FW_DBF_LOST,          /* the connection died (server restarted, pg_terminate_backend) */
    FW_DBF_TIMEOUT,       /* the statement ran longer than fw_db_set_timeout allows */
    FW_DBF_CANCELLED,     /* fw_db_cancel or the watched flag stopped it */
    FW_DBF_BUSY,          /* locked by another connection for longer than the wait */
    FW_DBF_SYNTAX,        /* the SQL does not compile: no such table, column, function, bad syntax */
    FW_DBF_CONSTRAINT,    /* refused by a constraint or trigger (unique, check, append-only trail) */
    FW_DBF_READONLY,      /* a write in a read-only transaction */
    FW_DBF_DATA,          /* a value the engine cannot take (bad number, too large) */
    FW_DBF_SCHEMA_NEWER,  /* the workspace was made by a newer fundwatch */
    FW_DBF_FOREIGN,       /* the database belongs to another application */
    FW_DBF_OTHER
};

/* --- connecting ------------------------------------------------------------------------------- */

/* Which engine a target names, without connecting: "postgresql://..." or "postgres://..." (a libpq
 * URI) and "key=value ..." (a libpq conninfo such as "service=county" or "host=db dbname=fw") are
 * PostgreSQL, with the PG* environment variables and ~/.pg_service.conf as libpq defines them;
 * anything else is a SQLite file path (write ./a=b.db for a file whose name has '='). */
enum fw_db_engine fw_db_engine_of(const char *target);

typedef struct fw_db_opts {
    bool create;        /* SQLite: create the file (mode 0600) when missing */
    bool read_only;     /* open for reading only (SQLite: on read-only media too, see sqlite.c) */
    int busy_ms;        /* SQLite: how long to wait for another writer (0: FW_DB_BUSY_MS) */
    double connect_timeout_s; /* PostgreSQL: give up connecting after this (0: libpq's default) */
} fw_db_opts;

enum { FW_DB_BUSY_MS = 30000 };

/* Connects. On failure returns the exit code (FW_EWORKSPACE: unreachable, refused password,
 * unusable file), err says what and where (the target without its password), *out is NULL. */
int fw_db_open(const char *target, const fw_db_opts *o, fw_db **out, fw_err *err);
/* The target of another workspace on the same server: TARGET with its search path replaced by
 * SCHEMA (which must exist to be opened), as a string that the workers' own connections can be
 * given too. PostgreSQL only (a SQLite file has no schemas: FW_EUSAGE). The caller frees it. */
char *fw_db_target_in_schema(const char *target, const char *schema, fw_err *err);
void fw_db_close(fw_db *db);

enum fw_db_engine fw_db_engine(const fw_db *db);
const char *fw_db_engine_name(const fw_db *db);  /* "SQLite" or "PostgreSQL" */
const char *fw_db_where(const fw_db *db);        /* for messages: the path, or user@host:port/dbname */
unsigned fw_db_caps(const fw_db *db);
bool fw_db_has(const fw_db *db, unsigned caps);  /* every capability in caps */
enum fw_db_fault fw_db_fault(const fw_db *db);   /* of the last failed call; FW_DBF_NONE after success */
const char *fw_db_fault_name(enum fw_db_fault f);

/* --- statements --------------------------------------------------------------------------------- */

/* Parameters are written the SQLite way on both engines: ? (the next number), ?NNN, or :name (the
 * same name is the same parameter); the PostgreSQL driver turns them into $N, leaving string
 * literals, quoted names, comments, dollar-quoted bodies and :: casts alone. Numbered from 1. */
int fw_db_prepare(fw_db *db, const char *sql, fw_stmt **out, fw_err *err);

/* A named statement: the common SQL, and per-engine text that replaces it where an engine needs
 * its own. The name appears in error messages ("hits.insert: ..."). */
typedef struct fw_sql {
    const char *name;
    const char *sql;
    const char *sqlite;   /* NULL: use sql */
    const char *postgres; /* NULL: use sql */
} fw_sql;
const char *fw_db_sql_text(const fw_db *db, const fw_sql *q); /* the text this engine runs */
int fw_db_prepare_named(fw_db *db, const fw_sql *q, fw_stmt **out, fw_err *err);
/* The connection's own prepared copy of q (prepared on first use, kept until close): reset with its
 * bindings cleared, ready to bind. The caller does not finalize it and must not use it twice at once. */
int fw_db_cached(fw_db *db, const fw_sql *q, fw_stmt **out, fw_err *err);

/* Column and value types as both engines can report them. Booleans read as integers 1/0 (SQLite's
 * comparisons), PostgreSQL's numeric and float types as REAL, every other type as TEXT. */
enum fw_dbt { FW_DBT_NULL, FW_DBT_INT, FW_DBT_REAL, FW_DBT_TEXT };

typedef struct fw_value {
    enum fw_dbt type;
    long long i;
    double d;
    const char *s; /* FW_DBT_TEXT: UTF-8, len bytes (no NUL inside: PostgreSQL text cannot hold one) */
    size_t len;
} fw_value;

int fw_stmt_param_count(fw_stmt *st);
const char *fw_stmt_param_name(fw_stmt *st, int i); /* ":name", or NULL for ? and ?NNN */
/* Binding copies the value. Returns FW_OK, or FW_EUSAGE for a parameter number out of range. */
int fw_stmt_bind_int64(fw_stmt *st, int i, long long v);
int fw_stmt_bind_double(fw_stmt *st, int i, double v);
int fw_stmt_bind_text(fw_stmt *st, int i, const char *s, long len); /* len -1: up to the NUL; s NULL: NULL */
int fw_stmt_bind_null(fw_stmt *st, int i);
int fw_stmt_bind_value(fw_stmt *st, int i, const fw_value *v);
void fw_stmt_clear_bindings(fw_stmt *st);

/* Runs the statement or moves to its next row: 1 = a row, 0 = done, -1 = failed (err set, its code
 * an exit code, fw_db_fault says why). Rows stream: a million rows take the memory of one. */
int fw_stmt_step(fw_stmt *st, fw_err *err);
/* Ready to run again (bindings kept). A statement not stepped to its end must be reset before
 * another statement on the connection writes in the same transaction. */
void fw_stmt_reset(fw_stmt *st);
void fw_stmt_finalize(fw_stmt *st);
/* Rows written by the last run of an INSERT, UPDATE or DELETE. */
long long fw_stmt_changes(fw_stmt *st);

/* Result columns: known once prepared (before the first step). */
int fw_stmt_ncols(fw_stmt *st);
const char *fw_stmt_col_name(fw_stmt *st, int i);
/* The current row's cell (0-based column). text is NULL for NULL and stays valid until the next
 * step, reset or finalize; int64 of NULL is 0, of text its leading number (as SQLite converts). */
enum fw_dbt fw_stmt_type(fw_stmt *st, int i);
bool fw_stmt_is_null(fw_stmt *st, int i);
long long fw_stmt_int64(fw_stmt *st, int i);
double fw_stmt_double(fw_stmt *st, int i);
const char *fw_stmt_text(fw_stmt *st, int i);

/* Whether the statement only reads (FW_DBCAP_STMT_READONLY; true on engines that cannot tell, which
 * rely on read-only transactions instead). */
bool fw_stmt_readonly(fw_stmt *st);

/* Runs SQL without parameters and without rows: one statement or a script of several. */
int fw_db_exec(fw_db *db, const char *sql, fw_err *err);
/* The first column of the first row as an integer: FW_OK and *out, FW_ENOTFOUND when no row. */
int fw_db_query_int(fw_db *db, const char *sql, long long *out, fw_err *err);
/* This workspace's lock named WHAT (a literal word), held until the transaction ends: on PostgreSQL a
 * transaction-level advisory lock per schema (any role may take it, unlike LOCK TABLE), for writers
 * that must follow one another; a statement after it sees what the previous holder committed.
 * FW_PG_XACT_LOCK is its SQL, for scripts that take it themselves (plpgsql: PERFORM ...). SQLite:
 * nothing, its write lock already lets one writer in at a time. */
#define FW_PG_XACT_LOCK(what) "pg_advisory_xact_lock(hashtext('fundwatch." what ":' || current_schema()))"
int fw_db_xact_lock(fw_db *db, const char *what, fw_err *err);
/* PostgreSQL: the SCRAM verifier of password for role, made here by libpq (PQencryptPasswordConn)
 * so that the password itself never travels in a statement (CREATE ROLE ... PASSWORD 'verifier');
 * caller frees *out. FW_EUSAGE on SQLite, which has no roles. */
int fw_db_password_verifier(fw_db *db, const char *role, const char *password, char **out, fw_err *err);
/* PostgreSQL: target's connection keywords as postgres_fdw OPTIONS text ("host 'h', port '5433'"):
 * the server's (user_mapping false) or the user mapping's (user, password). Caller frees; NULL and
 * FW_EUSAGE when libpq cannot parse the target. */
char *fw_db_fdw_options(const char *target, bool user_mapping, fw_err *err);

/* --- transactions --------------------------------------------------------------------------------- */

/* WRITE takes the write lock at once on SQLite (BEGIN IMMEDIATE: a conflict shows before any work).
 * READ is enforced by the engine on both (SQLite: query_only; PostgreSQL: READ ONLY): a write in it
 * fails with FW_DBF_READONLY. After a failed statement in a transaction, roll back (PostgreSQL
 * refuses anything else); a savepoint lets a transaction survive one statement's failure. */
enum fw_txn { FW_TXN_WRITE, FW_TXN_READ };
int fw_db_begin(fw_db *db, enum fw_txn mode, fw_err *err);
int fw_db_commit(fw_db *db, fw_err *err);
void fw_db_rollback(fw_db *db); /* no-op outside a transaction; never fails */
bool fw_db_in_txn(const fw_db *db);
int fw_db_savepoint(fw_db *db, const char *name, fw_err *err);
int fw_db_release(fw_db *db, const char *name, fw_err *err);
int fw_db_rollback_to(fw_db *db, const char *name, fw_err *err);

/* --- bulk load ------------------------------------------------------------------------------------ */

/* Appends many rows to one table: SQLite inserts them in multi-row batches through statements
 * prepared once; PostgreSQL streams them with COPY FROM STDIN (text format, escaped here). Inside
 * the caller's transaction when one is open (all or nothing is the caller's), else in its own.
 * While a load is open no other statement may run on the connection. */
int fw_db_bulk_begin(fw_db *db, const char *table, const char *const *columns, int ncols, fw_bulk **out,
                     fw_err *err);
int fw_bulk_row(fw_bulk *b, const fw_value *values, fw_err *err); /* ncols values */
/* Ends the load; *rows (when not NULL) is the number of rows written. A failure ends it too. */
int fw_bulk_finish(fw_bulk *b, long long *rows, fw_err *err);
void fw_bulk_abort(fw_bulk *b); /* gives up: nothing of the load stays (its own transaction) */

/* --- cancel, timeout ------------------------------------------------------------------------------ */

/* Stops the statement running on db now, from another thread or a signal handler: it fails with
 * FW_DBF_CANCELLED (FW_EINTR). No effect when nothing runs. */
void fw_db_cancel(fw_db *db);
/* Stops a running statement when *flag becomes non-zero (checked several times a second): the
 * engine's interrupt flags (Ctrl-C, Esc) without a thread. NULL stops watching. */
void fw_db_watch(fw_db *db, volatile sig_atomic_t *flag);
/* Each statement may run at most this long (0: no limit), then fails with FW_DBF_TIMEOUT
 * (PostgreSQL: statement_timeout). */
int fw_db_set_timeout(fw_db *db, double seconds, fw_err *err);

/* --- settings ------------------------------------------------------------------------------------- */

/* Per-workspace key/value settings (the settings table of the schema). get returns a malloc'd copy
 * or NULL; the caller frees. */
char *fw_db_setting(fw_db *db, const char *key);
int fw_db_set_setting(fw_db *db, const char *key, const char *value, fw_err *err);

/* --- versioned schema ----------------------------------------------------------------------------- */

/* One step of the schema. Versions are 1, 2, 3...; a released step is never edited. It runs in one
 * transaction with its version row: the common sql, or an engine's own text, then apply (if set). */
typedef struct fw_db_migration {
    int version;
    const char *what;
    const char *sql;
    const char *sqlite;   /* NULL: use sql */
    const char *postgres; /* NULL: use sql */
    int (*apply)(fw_db *db, void *ctx, fw_err *err);
} fw_db_migration;

/* The table that marks a fundwatch workspace and records its schema steps. */
#define FW_DB_VERSION_TABLE "fundwatch_schema"

/* Brings the workspace to the newest version in m (sorted by version): an empty database is
 * initialised (on PostgreSQL with the compatibility functions too, store/pg_compat.sql). Refused,
 * FW_EWORKSPACE: a schema newer than m knows (the version named, FW_DBF_SCHEMA_NEWER), a database
 * with tables but no version table (another application's, the tables named, FW_DBF_FOREIGN). A
 * SQLite workspace of the PRAGMA user_version era is adopted at its version. Concurrent callers
 * wait for each other; each step is all or nothing. *applied (when not NULL) counts the new steps. */
int fw_db_migrate(fw_db *db, const fw_db_migration *m, int n, void *ctx, int *applied, fw_err *err);
/* How many steps of m fw_db_migrate would apply (a read-only open asks before it upgrades). */
int fw_db_pending_steps(fw_db *db, const fw_db_migration *m, int n, int *pending, fw_err *err);
/* The workspace's version (0: not a fundwatch workspace yet). */
int fw_db_schema_version(fw_db *db, int *version, fw_err *err);

/* The version of the PostgreSQL compatibility layer this binary installs. */
enum { FW_DB_PG_COMPAT_VERSION = 5 }; /* 2: program_set; 3: date, round of a real; 4: age_on's malformed arm;
                                      5: age_on's well-formed test without regular expressions */

/* --- guarded queries, query plans, watching by a callback (issue 11: rules) ------------------------ */

/* Why fw_db_prepare_query refused a query, for the caller's own message. */
typedef struct fw_query_check {
    int error_offset;  /* byte of sql the engine's compile error points at; -1: unknown */
    int tail_offset;   /* byte where a second statement begins; -1: there is none */
    char refused[64];  /* what the guard refused: "INSERT", "ATTACH", "a transaction statement", ... */
    char function[64]; /* a function that is not in the allowed list */
    bool empty;        /* no statement at all (only blanks or comments) */
    bool writes;       /* it compiles, but it would write in a way refused names not (FOR UPDATE) */
} fw_query_check;

/* Prepares sql as exactly one statement that only reads, for SQL a user wrote (a rule). Refused,
 * FW_EDATA with chk saying why (err the engine's words): a second statement (even a harmless one),
 * anything but a query (the statement kind named in chk->refused), a function outside functions
 * (a NULL-terminated list, case-insensitive; NULL allows any), a compile error (chk->error_offset),
 * a statement that would write. SQLite checks all of it with an authorizer while compiling;
 * PostgreSQL checks the statement's kind and its plan (a data-modifying WITH, FOR UPDATE) but not
 * the functions: a server function that writes is for a READ ONLY transaction to stop. */
int fw_db_prepare_query(fw_db *db, const char *sql, const char *const *functions, fw_stmt **out,
                        fw_query_check *chk, fw_err *err);

/* The plan the engine would use for sql, without running it (parameters need no values): one step
 * per node (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (COSTS OFF), one step per line, the
 * parent found by indentation). A step's parent is another step's id, 0 at the top. */
typedef struct fw_plan_step {
    int id, parent;
    char *detail; /* SQLite: "SCAN ds_payments USING INDEX ..."; PostgreSQL: "Seq Scan on ds_payments" */
} fw_plan_step;
typedef struct fw_plan {
    fw_plan_step *v;
    int n;
} fw_plan;
int fw_db_plan(fw_db *db, const char *sql, fw_plan *out, fw_err *err);
void fw_plan_free(fw_plan *p);

/* Stops a running statement as soon as stop(ctx) returns true (asked several times a second, on
 * the thread running the statement), for what one flag cannot say: several flags, a deadline that
 * moves. It fails with FW_DBF_CANCELLED. NULL stops watching; fw_db_watch's flag works beside it. */
void fw_db_watch_fn(fw_db *db, bool (*stop)(void *ctx), void *ctx);

/* err's message without the "where: " the store puts in front (the engine's own words), for a
 * caller whose message names the place itself ("rules.ini:12: [DEC-001] no such column: x"). */
const char *fw_db_err_words(const fw_db *db, const fw_err *err);

/* --- waiting for locks, host functions (issue 11: run locks, history) ---------------------------- */

/* How long a statement waits for a lock another connection holds before it fails with FW_DBF_BUSY:
 * ms milliseconds; 0 not at all (a caller that would rather come back later than wait); -1 as at
 * open (SQLite: fw_db_opts.busy_ms; PostgreSQL: no limit). SQLite: the busy timeout, which BEGIN
 * IMMEDIATE's write lock obeys; PostgreSQL: lock_timeout (0 is 1 ms there: its 0 means no limit). */
enum { FW_DB_LOCK_WAIT_AT_OPEN = -1 };
int fw_db_set_lock_wait(fw_db *db, int ms, fw_err *err);

/* A function of this process that SQL on db may call by name (FW_DBCAP_HOST_FUNCTIONS), for what
 * only the program knows (words of the UI's language, the workspace's vocabularies). fn gets the
 * call's nargs arguments (every non-NULL one has its text form in s too, whatever its type) and
 * sets *out; a text result is malloc'd by fn and freed by the store. Returning non-zero fails the
 * statement with err's message. ctx is passed as it is and must outlive the connection or a new
 * registration of the name. Refused, FW_EUSAGE, on an engine without host functions. */
typedef int (*fw_db_host_fn)(void *ctx, int nargs, const fw_value *args, fw_value *out, fw_err *err);
int fw_db_create_function(fw_db *db, const char *name, int nargs, fw_db_host_fn fn, void *ctx, fw_err *err);

/* From now on this connection may write only the rows of the tables named (NULL-terminated):
 * INSERT, UPDATE and DELETE on any other table, and every statement that changes the schema or
 * attaches a file, are refused when prepared (FW_DBF_READONLY). For a client that must not change
 * anything else whatever its code does, on an engine without grants (SQLite: an authorizer); on
 * PostgreSQL the server's grants decide and this does nothing. */
int fw_db_limit_writes(fw_db *db, const char *const *tables, fw_err *err);

/* --- other writers (issue 11: browse) ------------------------------------------------------------- */

/* A number that differs from the one the last call returned when another connection has committed
 * to the database since, for a screen that redraws when someone else changed the workspace. Equal
 * numbers mean nothing was committed by anyone else. The engines differ in what else moves it, so a
 * caller reads it again after its own writes: SQLite's PRAGMA data_version moves only for other
 * connections; on PostgreSQL, once fw_db_listen was called, it counts the change notices other
 * sessions sent (migration 9's triggers); before that, the changes of the server's snapshot
 * (pg_current_snapshot: any transaction that wrote ends), which moves for this connection's writes
 * too, and for a write to another database of the same server (a needless redraw, never a missed
 * one). */
int fw_db_data_version(fw_db *db, long long *version, fw_err *err);

/* Asks to be told of other sessions' changes through the notices on channel (PostgreSQL: LISTEN;
 * the workspace's triggers send them, audit/schema.c migration 9). From then on fw_db_data_version
 * counts only the notices other sessions sent on it, not the server's snapshot: autovacuum and other
 * databases no longer move it, and this connection's own writes do not either. The changed cases
 * the notices name are kept for fw_db_changed_cases. Again after a lost connection is restored
 * (counted as a change: notices sent meanwhile are lost). SQLite: nothing to do (its data_version
 * already moves only for other connections' commits). */
int fw_db_listen(fw_db *db, const char *channel, fw_err *err);

/* The ids of the cases other sessions' notices named since the last call, taken (the set is
 * emptied): *ids malloc'd (caller frees; NULL when none), *n how many; *all true when a notice said
 * too many to list, or the engine cannot tell (SQLite: always true; the
 * caller compares what it shows with the workspace). */
int fw_db_changed_cases(fw_db *db, long long **ids, int *n, bool *all);

#endif
