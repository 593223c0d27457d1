/* store/driver.h: what a store driver provides (private to audit/store/). store.c holds what both
 * engines share (choosing the driver, named statements, settings, migrations, error words) and
 * calls a driver only through this table, so a driver is one file with one exported table. */
#ifndef FW_STORE_DRIVER_H
#define FW_STORE_DRIVER_H

#include "audit/store/store.h"

typedef struct fw_db_driver fw_db_driver;

typedef struct cached_stmt {
    const fw_sql *q;
    fw_stmt *st;
} cached_stmt;

/* The part of a connection every driver has; a driver's connection starts with it. */
struct fw_db {
    const fw_db_driver *drv;
    char *where;                 /* for messages, never with a password */
    unsigned caps;
    enum fw_db_fault fault;
    bool in_txn;
    double timeout_s;
    volatile sig_atomic_t *watch;
    volatile sig_atomic_t cancelled; /* fw_db_cancel was called for the running statement */
    cached_stmt *cache;
    int ncache;
    fw_bulk *bulk;               /* the open bulk load, if any */
    bool (*watch_fn)(void *ctx); /* fw_db_watch_fn */
    void *watch_ctx;
};

/* The part of a statement every driver has. */
struct fw_stmt {
    fw_db *db;
    char *sql;                   /* as the caller wrote it */
    const char *name;            /* a named statement's name, or NULL */
};

/* The part of a bulk load every driver has. */
struct fw_bulk {
    fw_db *db;
    int ncols;
    long long rows;
    bool own_txn;                /* began its own transaction */
    fw_err failed;               /* a row failed: the load is over, finish reports this */
};

struct fw_db_driver {
    const char *name;
    enum fw_db_engine engine;
    int (*open)(const char *target, const fw_db_opts *o, fw_db **out, fw_err *err);
    void (*close)(fw_db *db);
    int (*exec)(fw_db *db, const char *sql, fw_err *err);
    int (*prepare)(fw_db *db, const char *sql, fw_stmt **out, fw_err *err);
    int (*param_count)(fw_stmt *st);
    const char *(*param_name)(fw_stmt *st, int i);
    int (*bind)(fw_stmt *st, int i, const fw_value *v); /* v NULL or FW_DBT_NULL: NULL */
    void (*clear_bindings)(fw_stmt *st);
    int (*step)(fw_stmt *st, fw_err *err);
    void (*reset)(fw_stmt *st);
    void (*finalize)(fw_stmt *st);
    long long (*changes)(fw_stmt *st);
    int (*ncols)(fw_stmt *st);
    const char *(*col_name)(fw_stmt *st, int i);
    enum fw_dbt (*col_type)(fw_stmt *st, int i);
    long long (*col_int64)(fw_stmt *st, int i);
    double (*col_double)(fw_stmt *st, int i);
    const char *(*col_text)(fw_stmt *st, int i);
    bool (*readonly)(fw_stmt *st);
    int (*begin)(fw_db *db, enum fw_txn mode, fw_err *err);
    int (*end)(fw_db *db, bool commit, fw_err *err);      /* commit or roll back */
    void (*cancel)(fw_db *db);
    int (*set_timeout)(fw_db *db, double seconds, fw_err *err);
    int (*bulk_begin)(fw_db *db, const char *table, const char *const *columns, int ncols, fw_bulk **out,
                      fw_err *err);
    int (*bulk_row)(fw_bulk *b, const fw_value *values, fw_err *err);
    int (*bulk_end)(fw_bulk *b, bool keep, fw_err *err);  /* finish (keep) or abort; frees b */
    /* SQL the shared code runs, per engine: the user tables other than the version table (one
     * column: name), and whether a table exists (one parameter: its name). */
    const char *sql_user_tables;
    const char *sql_table_exists;
    /* Engine work around a migration: the SQLite driver adopts PRAGMA user_version workspaces and
     * keeps user_version in step; the PostgreSQL driver serialises migrators and installs the
     * compatibility layer. Each may be NULL. */
    int (*legacy_version)(fw_db *db, int *version, fw_err *err);
    int (*migration_begin)(fw_db *db, fw_err *err);           /* inside the step's transaction */
    int (*migration_done)(fw_db *db, int version, fw_err *err); /* same transaction, after the step */
    /* Installs or upgrades what the engine needs before any step (PostgreSQL: pg_compat.sql). */
    int (*compat)(fw_db *db, fw_err *err);
    /* fw_db_prepare_query (chk cleared by the caller) and fw_db_plan. */
    int (*prepare_query)(fw_db *db, const char *sql, const char *const *functions, fw_stmt **out,
                         fw_query_check *chk, fw_err *err);
    int (*plan)(fw_db *db, const char *sql, fw_plan *out, fw_err *err);
    /* fw_db_set_lock_wait (ms >= 0 or FW_DB_LOCK_WAIT_AT_OPEN) and fw_db_create_function (NULL: the
     * engine has no host functions). */
    int (*set_lock_wait)(fw_db *db, int ms, fw_err *err);
    int (*create_function)(fw_db *db, const char *name, int nargs, fw_db_host_fn fn, void *ctx, fw_err *err);
    /* fw_db_data_version. */
    int (*data_version)(fw_db *db, long long *version, fw_err *err);
    /* fw_db_listen and fw_db_changed_cases; NULL: the engine needs no listening and cannot name
     * the changed cases (SQLite). */
    int (*listen)(fw_db *db, const char *channel, fw_err *err);
    int (*changed_cases)(fw_db *db, long long **ids, int *n, bool *all);
    /* fw_db_target_in_schema (NULL: the engine has no schemas). */
    char *(*target_in_schema)(const char *target, const char *schema, fw_err *err);
    /* fw_db_limit_writes (NULL: the engine's grants decide). */
    int (*limit_writes)(fw_db *db, const char *const *tables, fw_err *err);
};

/* Whether the running statement must stop for fw_db_watch or fw_db_watch_fn. */
bool fw_db_watched_stop(fw_db *db);
/* Appends a step to a plan (detail copied). */
void fw_plan_add(fw_plan *p, int id, int parent, const char *detail);

extern const fw_db_driver fw_sqlite_driver;
extern const fw_db_driver fw_postgres_driver;

/* Records a fault and the message; returns the exit code the fault maps to (docs/store.md). */
int fw_db_failf(fw_db *db, fw_err *err, enum fw_db_fault f, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int fw_db_fault_code(enum fw_db_fault f);
/* Puts context in front of err's message ("hits.insert: ..."), cutting the end if it must. */
void fw_db_err_prefix(fw_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
