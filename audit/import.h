/* import.h: loading CSV ledgers and registries into the workspace.
 *
 * A file import is all-or-nothing: one write transaction (fw_ws_begin) holds the import's record,
 * its rows, its rejects and flags and its audit-trail record, so a crash or Ctrl-C leaves the
 * workspace as it was. The rows go in through the store's bulk load (audit/store/store.h: COPY on
 * PostgreSQL, multi-row INSERTs on SQLite) inside that transaction. Every cell goes through the normalizers (normalize.h); a row with an invalid
 * cell is not loaded but written to `rejects` with line, column and reason; a row accepted after a
 * documented conversion (15-digit ID, negative amount) is loaded and listed in `flags`. When the
 * rejects exceed the limit the whole file fails: no data row is kept, but the failed import's
 * record and its rejects are committed afterwards so the user can read why.
 *
 * Three more entry points share the same normalizers: a header preview (for the TUI's import
 * screen), a record-at-a-time session (for `rules test`, which loads example rows) and prepared
 * listings for the `datasets`, `rejects` and `programs` commands. */
#ifndef FW_IMPORT_H
#define FW_IMPORT_H

#include <signal.h>
#include <stdbool.h>

#include "audit/csv.h"
#include "audit/dataset.h"
#include "audit/profile.h"
#include "audit/rows.h"
#include "audit/store.h"
#include "audit/util.h"

enum {
    FW_IMPORT_PROGRESS_ROWS = 4096,    /* the progress callback runs every this many rows */
    FW_IMPORT_MAX_FIELD = 4096,        /* longer cells are rejected (bytes, after conversion) */
    FW_IMPORT_KEPT_REJECTS = 1000,     /* rejects kept for a failed import (the first ones) */
    FW_IMPORT_REJECT_VALUE_MAX = 200,  /* bytes of a rejected value stored in `rejects` */
};

/* Called every FW_IMPORT_PROGRESS_ROWS rows and once at the end of reading. Returning nonzero
 * cancels the import: it is rolled back and fw_import_file returns FW_EINTR. */
typedef int (*fw_import_progress_fn)(void *ctx, long long rows_done, long long bytes_done,
                                     long long bytes_total);

typedef struct fw_import_opts {
    const char *dataset;          /* e.g. "payments" */
    const char *path;             /* the CSV file */
    const fw_profile *profile;    /* NULL: fw_profile_load(NULL) is used */
    enum fw_encoding encoding;    /* FW_ENC_AUTO by default */
    bool replace;                 /* true: the dataset's previous rows are deleted (same transaction) */
    bool correct;                 /* an append whose rows repeat loaded ones (same row_key: payment_id,
                                     or an identical row) replaces those earlier rows and records it in
                                     the trail; false: such an append is refused (FW_ECONFLICT) */
    long long max_rejects;        /* < 0: default, 1% of rows read and at least 10 */
    /* payments with replace: only this county's (6-digit code) rows of this year (YYYY) are
     * replaced (on PostgreSQL by swapping that county-year's partition, audit/partition.h); every
     * row of the file must be of that county and year, else FW_EDATA naming the others. Both or
     * neither; NULL: the whole dataset. */
    const char *county, *year;
    fw_import_progress_fn progress;
    void *progress_ctx;
    /* Set (by a signal handler) to stop: the store watches it (fw_db_watch), so it stops even a
     * long statement such as the repeat check, and the import is rolled back (FW_EINTR). May be
     * NULL. */
    volatile sig_atomic_t *interrupt;
} fw_import_opts;

/* What an import did. The caller frees it with fw_import_result_free. */
typedef struct fw_import_result {
    long long import_id;          /* 0 when no import record was kept */
    char sha256[65];
    char encoding[16];
    long long rows_read, rows_loaded, rows_rejected, rows_flagged, rows_blank;
    long long max_rejects;        /* the limit that applied */
    long long rows_repeating;     /* rows of this file whose key an earlier import had (correct) */
    long long rows_replaced;      /* earlier rows that a correction replaced */
    char min_date[11], max_date[11]; /* over the date columns of loaded rows; "" when none */
    char **unknown_headers;       /* headers that map to no column (ignored) */
    int nunknown;
    bool indexes_deferred;        /* a bulk load: the dataset's indexes are left to audit/indexes.h */
} fw_import_result;

/* Imports one file. Returns FW_OK; FW_EDATA for a file-level problem (unreadable, empty, missing
 * required column, duplicate columns, too many rejects) with nothing loaded; FW_ECONFLICT when the
 * same bytes are already loaded into the dataset and !replace, or when an append repeats rows
 * already loaded and !correct (the message names the first repeated ids and lines, and how many);
 * FW_EUSAGE for replace with correct; FW_EINTR when cancelled;
 * FW_EWORKSPACE on a database error. res is filled as far as the import got (for the summary). */
int fw_import_file(fw_ws *ws, const fw_import_opts *opts, fw_import_result *res, fw_err *err);
void fw_import_result_free(fw_import_result *res);

/* ---- header preview (no import) --------------------------------------------------------------- */
typedef struct fw_import_preview {
    char encoding[16];
    int nheaders;
    char **headers;               /* the file's header row, trimmed, UTF-8 */
    const fw_column **mapped;     /* per header: the canonical column, or NULL when unknown */
    int nmissing;
    const fw_column **missing;    /* required columns no header maps to */
    char *problem;                /* a file-level problem the import would refuse (duplicate
                                     columns, missing columns), or NULL */
} fw_import_preview;

/* Reads only the header row of path. FW_EDATA when the file cannot be read or is empty; a mapping
 * problem is not an error here but is described in out->problem. Free with
 * fw_import_preview_free. */
int fw_import_preview_file(const char *path, const char *dataset, const fw_profile *profile,
                           enum fw_encoding enc, fw_import_preview *out, fw_err *err);
void fw_import_preview_free(fw_import_preview *p);

/* ---- record-at-a-time session (rules test, tools) ---------------------------------------------- */
typedef struct fw_importer fw_importer;

/* Starts a session loading rows into dataset: records an import (file = source, e.g. "rule R01
 * example") and prepares the statements. It does NOT begin or commit a transaction: the caller
 * decides. profile NULL: fw_profile_load(NULL). Close with fw_importer_close. */
int fw_importer_open(fw_ws *ws, const char *dataset, const fw_profile *profile, const char *source,
                     fw_importer **out, fw_err *err);
/* Validates and inserts one record given as column names (canonical or any alias) and string
 * values, through the same normalizers as a file import. Columns not given are empty. Returns
 * FW_OK when loaded (possibly with a flag), FW_EDATA when rejected (err says which column and why,
 * and the reject is recorded), another code on a database error. line is stored as the row's line. */
int fw_import_record(fw_importer *im, int n, const char *const *names, const char *const *values,
                     long line, fw_err *err);
/* Updates the import record's counts and releases the session. Safe with NULL. */
int fw_importer_close(fw_importer *im, fw_err *err);

/* ---- listings (printed by the CLI through fw_print_rows) --------------------------------------- */
/* Each returns the rows of its query (audit/rows.h): the caller steps them and closes them. */
/* One row per loaded import (dataset, import_id, rows, rejected, flagged, file, sha256, encoding,
 * user, imported_at, min_date, max_date), then one total row per dataset (import_id NULL, file
 * '(total)', rows = rows now in the dataset's table). */
int fw_import_datasets_stmt(fw_ws *ws, fw_rows **rows, fw_err *err);
/* One row per rejected row: import_id, file, line, column, column_name, value, reason.
 * import_id <= 0: all imports. */
int fw_import_rejects_stmt(fw_ws *ws, long long import_id, fw_rows **rows, fw_err *err);
/* Distinct program names in payments: program (as written), canonical (NULL when unmapped),
 * means_tested, fixed (fixed_amount: named so tables do not print it as money), rows, amount (fen). unmapped_only: only names the profile does not
 * know. */
int fw_import_programs_stmt(fw_ws *ws, bool unmapped_only, fw_rows **rows, fw_err *err);
/* One import's record: import_id, dataset, file, encoding, status, rows_read, rows_loaded,
 * rows_rejected, rows_flagged, min_date, max_date, sha256, message. */
int fw_import_summary_stmt(fw_ws *ws, long long import_id, fw_rows **rows, fw_err *err);

#endif
