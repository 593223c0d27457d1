/* partition.h: the payments of a PostgreSQL workspace partitioned by county and year (issue 12,
 * docs/scale.md). Loading one county's month must touch only that county's partitions, and a
 * county's year must be replaceable on its own; this module names the partitions, creates the ones
 * an import needs before its rows arrive, swaps a county's year, and lists the counties for
 * `fundwatch status`. SQLite keeps one table (fw_part_active is false there); status and the known
 * counties work on both engines. */
#ifndef FW_PARTITION_H
#define FW_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/store.h"
#include "audit/util.h"

struct fw_db;
struct fw_value;

/* The partition keys, as expressions of the row (PostgreSQL prunes on the same expressions): the
 * county is the first 6 characters of region_code, '' for a row without one (the partition
 * ds_payments_cunknown, "unknown county"); the year is that of period, else of pay_date. */
#define FW_PART_COUNTY_EXPR "COALESCE(substr(region_code, 1, 6), '')"
#define FW_PART_YEAR_EXPR "substr(COALESCE(period, pay_date), 1, 4)"

/* The workspace's known counties (settings): "522622,522623"; unset: any county is accepted. */
#define FW_PART_COUNTIES_KEY "counties"
/* Sets (or with "" clears) that list; each code must be 6 digits (FW_EUSAGE naming the bad one). */
int fw_part_set_counties(fw_ws *ws, const char *list, fw_err *err);

/* The partitioned table's stand-in for the primary key on rowid (an expression key allows none): an
 * index that no bulk load drops and `fundwatch index` keeps (it is no declared dataset index). */
#define FW_PART_ROWID_INDEX "ds_payments_rowid"

/* The DEFAULT partition of the parent: rows of a county without a partition yet (written by SQL, not
 * by fundwatch's import, which makes the partition first). Each county has its own ..._yother. */
#define FW_PART_OTHER_TABLE "ds_payments_cother"

enum { FW_PART_COUNTY_MAX = 32, FW_PART_YEAR_MAX = 16, FW_PART_NAME_MAX = 96 };

/* Appends s as an SQL string literal ('it''s'): partition bounds and the names kept with them. */
void fw_part_literal(fw_buf *b, const char *s);

/* Whether the workspace's ds_payments is partitioned (a PostgreSQL workspace at schema 12). */
bool fw_part_active(struct fw_db *db);

/* A row's keys from its region_code, period and pay_date (any may be NULL). */
void fw_part_keys(const struct fw_value *region, const struct fw_value *period, const struct fw_value *pay_date,
                  char county[FW_PART_COUNTY_MAX], char year[FW_PART_YEAR_MAX]);
/* The partition tables' names: ds_payments_c522622 and ds_payments_c522622_y2023
 * (ds_payments_cunknown for ''; a county that is not six digits gets its bytes in hex, x...). */
void fw_part_county_table(const char *county, char out[FW_PART_NAME_MAX]);
void fw_part_year_table(const char *county, const char *year, char out[FW_PART_NAME_MAX]);

/* Creates the county's partition (itself partitioned by year) and the county-year's when missing:
 * each made as a plain table and ATTACHed, which locks the parent only against other DDL (SHARE
 * UPDATE EXCLUSIVE), not against readers or writers of other counties. In the caller's transaction. */
int fw_part_ensure(struct fw_db *db, const char *county, const char *year, fw_err *err);

/* The partitions an import has made sure of, so that each row costs a comparison. */
typedef struct fw_part_set {
    char (*keys)[FW_PART_COUNTY_MAX + FW_PART_YEAR_MAX];
    int n, cap;
    int last; /* index of the last key seen, -1 */
} fw_part_set;
/* True when (county, year) is not in the set yet (then the caller calls fw_part_ensure and adds). */
bool fw_part_set_needs(fw_part_set *s, const char *county, const char *year);
void fw_part_set_add(fw_part_set *s, const char *county, const char *year);
void fw_part_set_free(fw_part_set *s);

/* Migration 12 (audit/schema.c): turns ds_payments into the partitioned table, moving its rows. */
int fw_part_migrate_v12(struct fw_db *db, const char *parent_ddl, const char *index_ddl, const char *columns,
                        fw_err *err);

/* --replace --county C --year Y: empties that county-year's partition by swapping in a new empty
 * one (DETACH, DROP, CREATE, ATTACH) in the caller's transaction; *rows: the rows it held. */
int fw_part_replace_county_year(struct fw_db *db, const char *county, const char *year, long long *rows,
                                fw_err *err);

/* `fundwatch status`: one row per county of the payments: county, name (NULL when unknown), rows,
 * years ("2022,2023"), and on a partitioned PostgreSQL workspace partitions (the county's year
 * tables). with_place: engine, workspace (fw_ws_label: never a password) and schema lead every row
 * (for csv and json). */
struct fw_rows;
const char *fw_status_engine(fw_ws *ws); /* "SQLite" or "PostgreSQL" */
int fw_status_prepare(fw_ws *ws, bool with_place, struct fw_rows **out, fw_err *err);

#endif
