/* indexes.h: building the datasets' query indexes that a bulk import left out (see import.c,
 * is_bulk_load). Rules, the drill-down and evidence lookups read the ledgers through these
 * indexes; without them every query is still correct, only slower, so whoever needs speed asks
 * for them here: a rule run before its first query, `fundwatch index`, the TUI after an import. */
#ifndef FW_INDEXES_H
#define FW_INDEXES_H

#include <signal.h>
#include <stdbool.h>

#include "audit/store.h"

typedef struct fw_index_opts {
    volatile sig_atomic_t *interrupt; /* set to stop; the index being built is rolled back */
    /* Called before each index is built (done of total so far), again and again while it is
     * being built (same done and index: a screen can repaint and read keys), and once after the
     * last (done == total, index NULL). Returning nonzero stops like the interrupt. May be NULL. */
    int (*progress)(void *ctx, int done, int total, const char *index);
    void *progress_ctx;
} fw_index_opts;

/* Whether the workspace has an index of that name (false when it cannot tell: a query without the
 * index is as correct, only slower). */
bool fw_index_exists(fw_ws *ws, const char *name);

/* How many of the datasets' indexes the workspace lacks. */
int fw_indexes_missing(fw_ws *ws);

/* Builds every missing index, each in its own transaction, so an interrupted build keeps the
 * finished ones. Returns FW_OK, FW_EINTR when interrupted, FW_EWORKSPACE on a database error.
 * o may be NULL. */
int fw_indexes_build(fw_ws *ws, const fw_index_opts *o, fw_err *err);

#endif
