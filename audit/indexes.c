/* indexes.c: builds the dataset indexes a bulk import dropped (see indexes.h). One CREATE INDEX
 * per transaction, in bulk mode (store.h: written once, not through the WAL). The store watches the
 * interrupt flag (fw_db_watch) so Ctrl-C stops even a long sort; while an index is being built a
 * thread calls the progress callback a few times a second (the screen repaints and reads Esc) and
 * stops the statement with fw_db_cancel when it asks to. The thread is joined before the build
 * goes on, so the callback never runs beside the caller's own code. */
#include "audit/indexes.h"
#include "audit/partition.h"
#include "audit/i18n.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/store/store.h"

#include "audit/dataset.h"

/* One index the workspace lacks. */
typedef struct missing_index {
    const fw_dataset *ds;
    fw_dataset_index ix;
} missing_index;

/* Index lookups read the engine's own catalogue: SQLite's sqlite_schema, PostgreSQL's pg_indexes in
 * the workspace's schema (the first of the search path), since neither engine has the other's. */
static const fw_sql index_exists_sql = {
    .name = "indexes.exists",
    .sqlite = "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?",
    .postgres = "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?",
};

bool fw_index_exists(fw_ws *ws, const char *name)
{
    fw_stmt *st;
    fw_err e = {0};
    if (fw_db_cached(ws->store, &index_exists_sql, &st, &e))
        return false;
    fw_stmt_bind_text(st, 1, name, -1);
    bool found = fw_stmt_step(st, &e) == 1;
    fw_stmt_reset(st);
    return found;
}

/* Lists the missing indexes into *out (caller frees); returns how many. */
static int list_missing(fw_ws *ws, missing_index **out)
{
    int n = 0;
    *out = NULL;
    for (int d = 0; d < fw_ndatasets; d++) {
        fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
        for (int k = 0, nix = fw_dataset_indexes(&fw_datasets[d], ix); k < nix; k++) {
            if (fw_index_exists(ws, ix[k].name))
                continue;
            *out = fw_realloc(*out, (size_t)(n + 1) * sizeof **out);
            (*out)[n++] = (missing_index){&fw_datasets[d], ix[k]};
        }
    }
    return n;
}

static bool declared(const char *table, const char *name)
{
    if (strcmp(name, FW_PART_ROWID_INDEX) == 0)
        return true; /* the partitioned payments' rowid key (audit/partition.h) */
    const fw_dataset *ds = strncmp(table, "ds_", 3) == 0 ? fw_dataset_find(table + 3) : NULL;
    fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
    for (int k = 0, n = ds ? fw_dataset_indexes(ds, ix) : 0; k < n; k++)
        if (strcmp(ix[k].name, name) == 0)
            return true;
    return false;
}

/* The indexes made by CREATE INDEX on the dataset tables (table, index): not those that carry a
 * table's primary key or a UNIQUE constraint (SQLite's autoindexes have no sql; PostgreSQL names
 * them in pg_constraint), which the declarations do not list and a DROP INDEX cannot remove. */
static const fw_sql dataset_indexes_sql = {
    .name = "indexes.of_datasets",
    .sqlite = "SELECT tbl_name, name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
              "AND tbl_name LIKE 'ds\\_%' ESCAPE '\\'",
    .postgres = "SELECT t.relname, i.relname FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE n.nspname = current_schema() AND t.relname LIKE 'ds\\_%' ESCAPE '\\' "
                "AND NOT t.relispartition "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
                "AND c.contype IN ('p', 'u', 'x'))",
};

/* Drops the indexes of dataset tables that the declarations no longer list (a workspace made by an
 * older fundwatch: ds_payments_id_number before the covering ds_payments_person), so they neither
 * take space nor slow every insert for nothing. */
static int drop_obsolete(fw_ws *ws, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare_named(ws->store, &dataset_indexes_sql, &st, err))
        return err->code;
    fw_buf drops = {0};
    fw_buf_puts(&drops, "");
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        const char *table = fw_stmt_text(st, 0), *name = fw_stmt_text(st, 1);
        if (!declared(table, name))
            fw_buf_printf(&drops, "DROP INDEX \"%s\";", name);
    }
    fw_stmt_finalize(st);
    int rc = step < 0 ? err->code : drops.len ? fw_ws_exec(ws, drops.data, err) : FW_OK;
    fw_buf_free(&drops);
    return rc;
}

int fw_indexes_missing(fw_ws *ws)
{
    missing_index *m;
    int n = list_missing(ws, &m);
    free(m);
    return n;
}

/* The state of one fw_indexes_build, shared with the progress thread while an index is built. */
typedef struct build {
    const fw_index_opts *o;
    fw_db *db;
    int done, total;
    const char *index;
    bool stop;
    volatile sig_atomic_t building; /* cleared by the builder when the index's transaction ends */
} build;

static bool report(build *b)
{
    if (b->o->interrupt && *b->o->interrupt)
        b->stop = true;
    if (!b->stop && b->o->progress && b->o->progress(b->o->progress_ctx, b->done, b->total, b->index))
        b->stop = true;
    return b->stop;
}

/* While an index is being built: the callback every 20 ms until the builder is done or the
 * callback asks to stop, which cancels the running statement (its transaction rolls back). */
static void *progress_thread(void *ctx)
{
    build *b = ctx;
    const struct timespec tick = {0, 20 * 1000 * 1000};
    while (__atomic_load_n(&b->building, __ATOMIC_ACQUIRE)) {
        nanosleep(&tick, NULL);
        if (!__atomic_load_n(&b->building, __ATOMIC_ACQUIRE))
            break;
        if (report(b)) {
            fw_db_cancel(b->db);
            break;
        }
    }
    return NULL;
}

/* Two runs that start together after an import (two inspectors on a PostgreSQL workspace) both find
 * the same indexes missing; two CREATE INDEX of one name then collide in the server's catalogue and
 * the second run failed ("duplicate key value violates unique constraint pg_class_relname_nsp_index").
 * So a build first takes the workspace's "indexes" lock, held to its commit, and looks again: the
 * run that waited finds the index the other built and goes on. */
static int build_one(fw_ws *ws, build *b, const missing_index *m, fw_err *err)
{
    /* Only a callback needs the thread; the interrupt flag is the store's to watch. */
    pthread_t th;
    b->building = 1;
    bool threaded = b->o->progress && pthread_create(&th, NULL, progress_thread, b) == 0;
    fw_buf sql = {0};
    fw_dataset_index_sql(m->ds, &m->ix, &sql);
    int rc = fw_ws_begin(ws, err);
    if (!rc) {
        rc = fw_db_xact_lock(ws->store, "indexes", err);
        if (!rc && !fw_index_exists(ws, m->ix.name))
            rc = fw_ws_exec(ws, sql.data, err);
        if (!rc)
            rc = fw_ws_commit(ws, err);
        if (rc)
            fw_ws_rollback(ws);
    }
    fw_buf_free(&sql);
    __atomic_store_n(&b->building, 0, __ATOMIC_RELEASE);
    if (threaded)
        pthread_join(th, NULL);
    return rc;
}

/* PostgreSQL plans from statistics, and a bulk load leaves the loaded table without any until
 * autovacuum samples it, some time later (the first run after an import usually starts before it
 * does), and never gives a partitioned table statistics of its own (ds_payments as a whole, from
 * which the planner estimates the joins and GROUP BYs over all its partitions). Without them it
 * chose nested loops over millions of index probes and hash tables spilled to disk (docs/store.md,
 * "The catalogue on PostgreSQL at county scale"). So a table whose dropped indexes were just built
 * again is analyzed with them: ANALYZE samples a fixed number of rows (about 1 s for a county's
 * 5 million payments, with each partition). And vacuumed: a bulk load leaves the visibility map
 * empty, and until VACUUM marks the pages all-visible an index-only scan must visit the table for
 * every row, so the planner rightly avoids the covering indexes the rules are written for (STD-002
 * on a county: 11.3 s on the first runs, 6.1 s once vacuumed; the VACUUM 1.7 s, since the index
 * builds have just read every page). Statistics only make plans better, so a failed VACUUM/ANALYZE
 * fails nothing: a county's shard that does not answer (its foreign partition is sampled through
 * postgres_fdw) leaves the statistics as they were, and the run says which counties it could not
 * check. An interrupt still stops the build. SQLite: nothing; its rules are written for its planner
 * without sqlite_stat1, which would change their plans. */
static int analyze_built(fw_ws *ws, const missing_index *m, int n, const volatile sig_atomic_t *interrupt,
                         fw_err *err)
{
    if (fw_db_engine(ws->store) != FW_DB_POSTGRES)
        return FW_OK;
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = m[j].ds == m[i].ds;
        if (seen)
            continue;
        char sql[96];
        snprintf(sql, sizeof sql, "VACUUM (ANALYZE) ds_%s", m[i].ds->name);
        fw_err why = {0};
        if (fw_ws_exec(ws, sql, &why) && interrupt && *interrupt)
            return fw_fail(err, why.code, "%s", why.msg);
    }
    return FW_OK;
}

int fw_indexes_build(fw_ws *ws, const fw_index_opts *o, fw_err *err)
{
    static const fw_index_opts none = {0};
    if (drop_obsolete(ws, err))
        return err->code;
    missing_index *m;
    int n = list_missing(ws, &m);
    if (n == 0)
        return FW_OK;
    build b = {.o = o ? o : &none, .db = ws->store, .total = n};
    fw_ws_bulk_enter(ws);
    fw_db_watch(ws->store, b.o->interrupt);
    int rc = FW_OK;
    while (b.done < n) {
        b.index = m[b.done].ix.name;
        if (report(&b) || (rc = build_one(ws, &b, &m[b.done], err)))
            break;
        b.done++;
        if (b.stop) /* asked for as the index was committed: it is kept */
            break;
    }
    /* The store stopped the statement for the watched flag: the same stop. */
    if (b.o->interrupt && *b.o->interrupt)
        b.stop = true;
    b.index = NULL;
    if (b.stop)
        rc = fw_fail(err, FW_EINTR, _("stopped: %d of %d indexes built; the rest are built by the next run or "
                                    "`fundwatch index`"),
                     b.done, n);
    else if (!rc && !(rc = analyze_built(ws, m, n, b.o->interrupt, err)))
        report(&b);
    fw_db_watch(ws->store, NULL);
    fw_ws_bulk_leave(ws);
    free(m);
    return rc;
}
