/* sqlfunc.h: the rule-facing views of audit/sqlfunc.c. SQLite gets them as TEMP views on every
 * connection (created by audit/store.c when the workspace is opened) over the helper functions its
 * driver registers (audit/store/sqlite_funcs.c); PostgreSQL gets the functions from
 * store/pg_compat.sql and the views from migration 1 (audit/schema.c), both installed by
 * fw_db_migrate. */
#ifndef FW_SQLFUNC_H
#define FW_SQLFUNC_H

#include <stdbool.h>

#include "audit/util.h"

/* The CREATE VIEW statements of the rule-facing views, appended to sql: TEMP views over main.* for
 * SQLite, plain views (CREATE OR REPLACE) in the workspace's schema for PostgreSQL. */
void fw_sqlfunc_views_sql(bool postgres, fw_buf *sql);

/* The same, listing a column added by a later migration (dataset.h, since) and the relatives' name
 * keys only when has(ctx, table, column) says the table has it; has NULL: all of them. For the
 * migrations that make the PostgreSQL views again before the later ones have run. */
void fw_sqlfunc_views_sql_having(bool postgres, bool (*has)(void *ctx, const char *table, const char *column),
                                 void *ctx, fw_buf *sql);

/* The CREATE VIEW of deaths_newest: one row, the newest death date of the whole deaths registry,
 * the date the registry is current to (DEC-004 measures its grace period from it). SQLite: a TEMP
 * view like the others. PostgreSQL (migration 21): a plain view read with its owner's rights, not
 * security_invoker, so that a user scoped to a region reads the registry's date and not the newest
 * death of their own region; it shows a date and no person. Kept apart from the rule views above:
 * a run that leaves counties out makes those again as TEMP views of the runner (audit/shard.c),
 * which would scope this one. */
void fw_sqlfunc_deaths_newest_sql(bool postgres, fw_buf *sql);

#endif
