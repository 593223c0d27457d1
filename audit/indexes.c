/* indexes.c: builds the dataset indexes a bulk import dropped (see indexes.h). One CREATE INDEX
 * per transaction, in bulk mode (store.h: written once, not through the WAL), with SQLite's
 * progress handler watching the interrupt flag so Esc or Ctrl-C stops even a long sort. */
#include "audit/indexes.h"

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

int fw_indexes_missing(fw_ws *ws)
{
    missing_index *m;
    int n = list_missing(ws, &m);
    free(m);
    return n;
}

static int stop_requested(void *flag) { return *(volatile sig_atomic_t *)flag != 0; }

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
    if (!o)
        o = &none;
    missing_index *m;
    int n = list_missing(ws, &m);
    if (n == 0)
        return FW_OK;
    fw_ws_bulk_enter(ws);
    if (o->interrupt)
        sqlite3_progress_handler(ws->db, 10000, stop_requested, (void *)o->interrupt);
    int rc = FW_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (o->interrupt && *o->interrupt) {
            rc = fw_fail(err, FW_EINTR, "stopped: %d of %d indexes built", i, n);
            break;
        }
        if (o->progress)
            o->progress(o->progress_ctx, i, n, m[i].ix.name);
        rc = build_one(ws, &m[i], err);
        if (rc && o->interrupt && *o->interrupt)
            rc = fw_fail(err, FW_EINTR, "stopped: %d of %d indexes built", i, n);
    }
    if (!rc && o->progress)
        o->progress(o->progress_ctx, n, n, NULL);
    sqlite3_progress_handler(ws->db, 0, NULL, NULL);
    fw_ws_bulk_leave(ws);
    free(m);
    return rc;
}
