/* rows.h: the rows of one query, for code outside audit/. Screens, the CLI and export never hold a
 * statement of the store (issue 11): a query function of audit/ returns an fw_rows, its caller
 * steps it and reads typed cells by column, and closes it. Rows stream: a million rows take the
 * memory of one. The export cursor (fw_xquery, audit/exportq.h) is the same idea with Chinese
 * labels and presentation kinds per column; fw_rows carries the columns' names as the query
 * wrote them (AS ...), which is what the CLI's printer keys money and time columns on. */
#ifndef FW_ROWS_H
#define FW_ROWS_H

#include <stdbool.h>

#include "audit/store/store.h"
#include "audit/util.h"

typedef struct fw_rows fw_rows;

/* Moves to the next row: 1 = a row, 0 = done, -1 = failed (err says why; its code is an exit code). */
int fw_rows_step(fw_rows *r, fw_err *err);
/* Back before the first row, to read the same query again (parameters kept). */
void fw_rows_rewind(fw_rows *r);
void fw_rows_close(fw_rows *r); /* NULL is fine */

/* Columns, known before the first step. */
int fw_rows_ncols(fw_rows *r);
const char *fw_rows_name(fw_rows *r, int i);

/* The current row's cells (0-based column). Text is NULL for NULL and stays valid until the next
 * step; an integer of NULL is 0. */
enum fw_dbt fw_rows_type(fw_rows *r, int i);
bool fw_rows_is_null(fw_rows *r, int i);
long long fw_rows_int(fw_rows *r, int i);
double fw_rows_real(fw_rows *r, int i);
const char *fw_rows_text(fw_rows *r, int i);

/* --- for audit/ only: making one ---------------------------------------------------------------- */

/* Wraps a prepared (and bound) statement; the rows own it from now on. */
fw_rows *fw_rows_of(fw_stmt *st);
/* Prepares sql on db and wraps it: bind through fw_rows_stmt before the first step. */
int fw_rows_prepare(fw_db *db, const char *sql, fw_rows **out, fw_err *err);
fw_stmt *fw_rows_stmt(fw_rows *r);

/* A column the engines cannot compute alike (words from the trail's JSON): the rows show the
 * statement's first `shown` columns, then one text column `name` whose cell fn computes from the
 * statement's current row (reading any of its columns, the hidden ones after `shown` included).
 * fn returns a malloc'd text, or NULL for NULL; called at most once a row. */
typedef char *(*fw_rows_cell_fn)(fw_stmt *st, void *ctx);
void fw_rows_derive(fw_rows *r, int shown, const char *name, fw_rows_cell_fn fn, void *ctx);

#endif
