/* rows.c: the rows of one query over a store statement (see rows.h). A thin owner of the fw_stmt:
 * what it adds is the seam, so that nothing outside audit/ includes the store's statement calls. */
#include "audit/rows.h"

#include <stdlib.h>

#include "audit/store.h"

struct fw_rows {
    fw_stmt *st;
    /* A derived column (fw_rows_derive): shown after the statement's first `shown` columns; its cell
     * is computed on first read and kept until the next step. shown < 0: none. */
    int shown;
    char *derived_name;
    fw_rows_cell_fn derive;
    void *derive_ctx;
    char *cell;
    bool cell_done;
};

fw_rows *fw_rows_of(fw_stmt *st)
{
    fw_rows *r = fw_calloc(1, sizeof *r);
    r->st = st;
    r->shown = -1;
    return r;
}

void fw_rows_derive(fw_rows *r, int shown, const char *name, fw_rows_cell_fn fn, void *ctx)
{
    free(r->derived_name);
    r->shown = shown;
    r->derived_name = fw_strdup(name);
    r->derive = fn;
    r->derive_ctx = ctx;
}

static void forget_cell(fw_rows *r)
{
    free(r->cell);
    r->cell = NULL;
    r->cell_done = false;
}

static bool is_derived(const fw_rows *r, int i) { return r->shown >= 0 && i == r->shown; }

static const char *derived_cell(fw_rows *r)
{
    if (!r->cell_done) {
        r->cell = r->derive(r->st, r->derive_ctx);
        r->cell_done = true;
    }
    return r->cell;
}

int fw_rows_prepare(fw_db *db, const char *sql, fw_rows **out, fw_err *err)
{
    fw_stmt *st;
    *out = NULL;
    if (fw_db_prepare(db, sql, &st, err))
        return err->code;
    *out = fw_rows_of(st);
    return FW_OK;
}

fw_stmt *fw_rows_stmt(fw_rows *r) { return r->st; }

int fw_rows_step(fw_rows *r, fw_err *err)
{
    forget_cell(r);
    return fw_stmt_step(r->st, err);
}

void fw_rows_rewind(fw_rows *r)
{
    forget_cell(r);
    fw_stmt_reset(r->st);
}

void fw_rows_close(fw_rows *r)
{
    if (!r)
        return;
    forget_cell(r);
    fw_stmt_finalize(r->st);
    free(r->derived_name);
    free(r);
}

int fw_rows_ncols(fw_rows *r) { return r->shown >= 0 ? r->shown + 1 : fw_stmt_ncols(r->st); }
const char *fw_rows_name(fw_rows *r, int i) { return is_derived(r, i) ? r->derived_name : fw_stmt_col_name(r->st, i); }

enum fw_dbt fw_rows_type(fw_rows *r, int i)
{
    if (is_derived(r, i))
        return derived_cell(r) ? FW_DBT_TEXT : FW_DBT_NULL;
    return fw_stmt_type(r->st, i);
}

bool fw_rows_is_null(fw_rows *r, int i) { return is_derived(r, i) ? !derived_cell(r) : fw_stmt_is_null(r->st, i); }

long long fw_rows_int(fw_rows *r, int i)
{
    if (is_derived(r, i))
        return derived_cell(r) ? strtoll(derived_cell(r), NULL, 10) : 0;
    return fw_stmt_int64(r->st, i);
}

double fw_rows_real(fw_rows *r, int i)
{
    if (is_derived(r, i))
        return derived_cell(r) ? strtod(derived_cell(r), NULL) : 0;
    return fw_stmt_double(r->st, i);
}

const char *fw_rows_text(fw_rows *r, int i) { return is_derived(r, i) ? derived_cell(r) : fw_stmt_text(r->st, i); }
