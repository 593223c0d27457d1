/* rows.c: the rows of one query over a store statement (see rows.h). A thin owner of the fw_stmt:
 * what it adds is the seam, so that nothing outside audit/ includes the store's statement calls. */
#include "audit/rows.h"

#include <stdlib.h>

#include "audit/store.h"

struct fw_rows {
    fw_stmt *st;
};

fw_rows *fw_rows_of(fw_stmt *st)
{
    fw_rows *r = fw_calloc(1, sizeof *r);
    r->st = st;
    return r;
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

int fw_rows_step(fw_rows *r, fw_err *err) { return fw_stmt_step(r->st, err); }
void fw_rows_rewind(fw_rows *r) { fw_stmt_reset(r->st); }

void fw_rows_close(fw_rows *r)
{
    if (!r)
        return;
    fw_stmt_finalize(r->st);
    free(r);
}

int fw_rows_ncols(fw_rows *r) { return fw_stmt_ncols(r->st); }
const char *fw_rows_name(fw_rows *r, int i) { return fw_stmt_col_name(r->st, i); }
enum fw_dbt fw_rows_type(fw_rows *r, int i) { return fw_stmt_type(r->st, i); }
bool fw_rows_is_null(fw_rows *r, int i) { return fw_stmt_is_null(r->st, i); }
long long fw_rows_int(fw_rows *r, int i) { return fw_stmt_int64(r->st, i); }
double fw_rows_real(fw_rows *r, int i) { return fw_stmt_double(r->st, i); }
const char *fw_rows_text(fw_rows *r, int i) { return fw_stmt_text(r->st, i); }
