/* indexes.c: builds the dataset indexes a bulk import dropped (see indexes.h). One CREATE INDEX
 * per transaction, in bulk mode (store.h: written once, not through the WAL), with SQLite's
 * progress handler watching the interrupt flag so Esc or Ctrl-C stops even a long sort. */
#include "audit/indexes.h"
#include "audit/i18n.h"

#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"

/* One index the workspace lacks. */
typedef struct missing_index {
    const fw_dataset *ds;
    fw_dataset_index ix;
} missing_index;

static bool index_exists(fw_ws *ws, const char *name)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
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
            if (index_exists(ws, ix[k].name))
                continue;
            *out = fw_realloc(*out, (size_t)(n + 1) * sizeof **out);
            (*out)[n++] = (missing_index){&fw_datasets[d], ix[k]};
        }
    }
    return n;
}

static bool declared(const char *table, const char *name)
{
    const fw_dataset *ds = strncmp(table, "ds_", 3) == 0 ? fw_dataset_find(table + 3) : NULL;
    fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
    for (int k = 0, n = ds ? fw_dataset_indexes(ds, ix) : 0; k < n; k++)
        if (strcmp(ix[k].name, name) == 0)
            return true;
    return false;
}

/* Drops the indexes of dataset tables that the declarations no longer list (a workspace made by an
 * older fundwatch: ds_payments_id_number before the covering ds_payments_person), so they neither
 * take space nor slow every insert for nothing. */
static int drop_obsolete(fw_ws *ws, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                          "AND tbl_name LIKE 'ds\\_%' ESCAPE '\\'",
                      &st, err))
        return err->code;
    fw_buf drops = {0};
    fw_buf_puts(&drops, "");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
        if (!declared(table, name))
            fw_buf_printf(&drops, "DROP INDEX \"%s\";", name);
    }
    sqlite3_finalize(st);
    int rc = drops.len ? fw_ws_exec(ws, drops.data, err) : FW_OK;
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

/* The state of one fw_indexes_build, for SQLite's progress handler. */
typedef struct build {
    const fw_index_opts *o;
    int done, total;
    const char *index;
    bool stop;
} build;

static bool report(build *b)
{
    if (b->o->interrupt && *b->o->interrupt)
        b->stop = true;
    if (!b->stop && b->o->progress && b->o->progress(b->o->progress_ctx, b->done, b->total, b->index))
        b->stop = true;
    return b->stop;
}

/* SQLite calls this every few thousand steps of a CREATE INDEX; nonzero makes it roll back. */
static int on_sqlite_progress(void *ctx) { return report(ctx); }

static int build_one(fw_ws *ws, const missing_index *m, fw_err *err)
{
    fw_buf sql = {0};
    fw_dataset_index_sql(m->ds, &m->ix, &sql);
    int rc = fw_ws_begin(ws, err);
    if (!rc) {
        rc = fw_ws_exec(ws, sql.data, err);
        if (!rc)
            rc = fw_ws_commit(ws, err);
        if (rc)
            fw_ws_rollback(ws);
    }
    fw_buf_free(&sql);
    return rc;
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
    build b = {.o = o ? o : &none, .total = n};
    fw_ws_bulk_enter(ws);
    sqlite3_progress_handler(ws->db, 10000, on_sqlite_progress, &b);
    int rc = FW_OK;
    while (b.done < n) {
        b.index = m[b.done].ix.name;
        if (report(&b) || (rc = build_one(ws, &m[b.done], err)))
            break;
        b.done++;
    }
    b.index = NULL;
    if (b.stop)
        rc = fw_fail(err, FW_EINTR, _("stopped: %d of %d indexes built; the rest are built by the next run or "
                                    "`fundwatch index`"),
                     b.done, n);
    else if (!rc)
        report(&b);
    sqlite3_progress_handler(ws->db, 0, NULL, NULL);
    fw_ws_bulk_leave(ws);
    free(m);
    return rc;
}
