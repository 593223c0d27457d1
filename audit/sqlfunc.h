/* sqlfunc.h: the SQL helper functions and rule-facing views of audit/sqlfunc.c. SQLite gets the
 * functions as C functions and the views as TEMP views on every connection (fw_sqlfunc_register, the
 * driver's setup hook); PostgreSQL gets the functions from store/pg_compat.sql and the views from
 * migration 1 (audit/schema.c), both installed by fw_db_migrate. */
#ifndef FW_SQLFUNC_H
#define FW_SQLFUNC_H

#include <stdbool.h>
#include <sqlite3.h>

#include "audit/util.h"

/* Registers the helper functions and creates the views on a SQLite connection. */
void fw_sqlfunc_register(sqlite3 *db);

/* The CREATE VIEW statements of the rule-facing views, appended to sql: TEMP views over main.* for
 * SQLite, plain views (CREATE OR REPLACE) in the workspace's schema for PostgreSQL. */
void fw_sqlfunc_views_sql(bool postgres, fw_buf *sql);

#endif
