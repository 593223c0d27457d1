/* partition.c: the payments of a PostgreSQL workspace, partitioned by county, then by year (issue 12;
 * the layout and why in docs/scale.md). A ledger for one county and month must load without
 * rewriting or locking the other counties' rows, and a county's year must be replaceable alone;
 * PostgreSQL's declarative partitioning gives both once the partitions exist, so what lives here is
 * making them: on demand, as the import meets a county-year it has no partition for, each made as
 * a plain table and ATTACHed (SHARE UPDATE EXCLUSIVE on the parent: other sessions keep reading and
 * writing; CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE on the parent for the rest of
 * the import's transaction). The partition keys are expressions of the row's own columns
 * (FW_PART_*_EXPR), so the dataset keeps its columns on both engines and the rule-facing views do
 * not change. SQLite keeps one table; status reads it by the same expressions. */
#include "audit/partition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/rows.h"
#include "audit/shard.h"
#include "audit/store/store.h"
#include "gen/gen.h"
#include "gen/gen_model.h"

static const fw_sql active_sql = {
    .name = "partition.active",
    .sql = "SELECT 0",
    .postgres = "SELECT count(*) FROM pg_class WHERE oid = to_regclass('ds_payments') AND relkind = 'p'",
};

bool fw_part_active(fw_db *db)
{
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return false;
    fw_stmt *st;
    fw_err err = {0};
    if (fw_db_prepare_named(db, &active_sql, &st, &err))
        return false;
    bool yes = fw_stmt_step(st, &err) == 1 && fw_stmt_int64(st, 0) > 0;
    fw_stmt_finalize(st);
    return yes;
}

static void copy_key(char *out, size_t cap, const fw_value *v, size_t take)
{
    out[0] = '\0';
    if (!v || v->type != FW_DBT_TEXT || !v->s)
        return;
    size_t n = v->len < take ? v->len : take;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v->s, n);
    out[n] = '\0';
}

void fw_part_keys(const fw_value *region, const fw_value *period, const fw_value *pay_date,
                  char county[FW_PART_COUNTY_MAX], char year[FW_PART_YEAR_MAX])
{
    /* substr counts characters on both engines; region codes and dates are ASCII digits, and a
     * county key that is not (hex-named below) is still the same first 6 bytes the server cuts. */
    copy_key(county, FW_PART_COUNTY_MAX, region, 6);
    bool has_period = period && period->type == FW_DBT_TEXT && period->s;
    copy_key(year, FW_PART_YEAR_MAX, has_period ? period : pay_date, 4);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static void name_part(const char *s, char *out, size_t cap)
{
    if (!*s) {
        snprintf(out, cap, "unknown");
        return;
    }
    if (all_digits(s)) {
        snprintf(out, cap, "%s", s);
        return;
    }
    size_t k = (size_t)snprintf(out, cap, "x");
    for (; *s && k + 3 < cap; s++)
        k += (size_t)snprintf(out + k, cap - k, "%02x", (unsigned char)*s);
}

void fw_part_county_table(const char *county, char out[FW_PART_NAME_MAX])
{
    char c[2 * FW_PART_COUNTY_MAX + 2];
    name_part(county, c, sizeof c);
    snprintf(out, FW_PART_NAME_MAX, "ds_payments_c%s", c);
}

void fw_part_year_table(const char *county, const char *year, char out[FW_PART_NAME_MAX])
{
    char c[FW_PART_NAME_MAX], y[2 * FW_PART_YEAR_MAX + 2];
    fw_part_county_table(county, c);
    name_part(year, y, sizeof y);
    fw_buf b = {0};
    fw_buf_printf(&b, "%s_y%s", c, y);
    snprintf(out, FW_PART_NAME_MAX, "%.*s", FW_PART_NAME_MAX - 1, b.data);
    fw_buf_free(&b);
}

void fw_part_literal(fw_buf *b, const char *s)
{
    fw_buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            fw_buf_putc(b, '\'');
        fw_buf_putc(b, *s);
    }
    fw_buf_putc(b, '\'');
}

/* What a county-year has: nothing, its county's table, its year's too, or a county on a shard (a
 * postgres_fdw foreign table, audit/shard.c: one remote table holds all its years). */
enum part_have { HAVE_NONE, HAVE_COUNTY, HAVE_YEAR, HAVE_SHARD };

static const fw_sql kind_sql = {
    .name = "partition.kind",
    .sql = "SELECT '' WHERE ? IS NULL",
    .postgres = "SELECT CAST(relkind AS text) FROM pg_class WHERE oid = to_regclass(CAST(? AS text))",
};

/* relkind of the table name ('\0': no such table). */
static int table_kind(fw_db *db, const char *name, char *kind, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_cached(db, &kind_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, name, -1);
    int step = fw_stmt_step(st, err);
    const char *k = step == 1 ? fw_stmt_text(st, 0) : NULL;
    *kind = k ? k[0] : '\0';
    fw_stmt_reset(st);
    return step < 0 ? err->code : FW_OK;
}

/* The one preamble of fw_part_ensure and fw_part_replace_county_year: the tables' names and what
 * exists of them. */
static int part_have(fw_db *db, const char *county, const char *year, char ctab[FW_PART_NAME_MAX],
                     char ytab[FW_PART_NAME_MAX], enum part_have *have, fw_err *err)
{
    fw_part_county_table(county, ctab);
    fw_part_year_table(county, year, ytab);
    char ck, yk = '\0';
    if (table_kind(db, ctab, &ck, err) || (ck == 'p' && table_kind(db, ytab, &yk, err)))
        return err->code;
    *have = ck == 'f' ? HAVE_SHARD : yk ? HAVE_YEAR : ck ? HAVE_COUNTY : HAVE_NONE;
    return FW_OK;
}

/* Rows written by other means than fundwatch's import (a fixture, a DBA's INSERT) into a county or
 * year that has no partition yet wait in DEFAULT partitions (ds_payments_cother, and each county's
 * ..._yother); making the partition first moves that county's (year's) rows out of the default, since
 * ATTACH refuses a partition whose rows the default holds. Normally the defaults are empty and the
 * move costs two statements on an empty table. */
static void move_out(fw_buf *sql, const char *from, const char *expr, const char *value)
{
    fw_buf_printf(sql, "CREATE TEMP TABLE fw_part_move ON COMMIT DROP AS SELECT * FROM %s WHERE %s = ", from, expr);
    fw_part_literal(sql, value);
    fw_buf_printf(sql, ";\nDELETE FROM %s WHERE %s = ", from, expr);
    fw_part_literal(sql, value);
    fw_buf_puts(sql, ";\n");
}

int fw_part_ensure(fw_db *db, const char *county, const char *year, fw_err *err)
{
    char ctab[FW_PART_NAME_MAX], ytab[FW_PART_NAME_MAX];
    enum part_have have;
    if (part_have(db, county, year, ctab, ytab, &have, err))
        return err->code;
    if (have == HAVE_YEAR || have == HAVE_SHARD)
        return FW_OK;
    bool have_county = have == HAVE_COUNTY;
    fw_buf sql = {0};
    if (!have_county) {
        move_out(&sql, FW_PART_OTHER_TABLE, FW_PART_COUNTY_EXPR, county);
        fw_buf_printf(&sql,
                      "CREATE TABLE %s (LIKE ds_payments INCLUDING DEFAULTS) PARTITION BY LIST (" FW_PART_YEAR_EXPR
                      ");\n"
                      "CREATE TABLE %s_yother (LIKE ds_payments INCLUDING DEFAULTS);\n"
                      "ALTER TABLE %s ATTACH PARTITION %s_yother DEFAULT;\n",
                      ctab, ctab, ctab, ctab);
    } else {
        char other[FW_PART_NAME_MAX + 8];
        snprintf(other, sizeof other, "%s_yother", ctab);
        move_out(&sql, other, FW_PART_YEAR_EXPR, year);
    }
    fw_buf_printf(&sql, "CREATE TABLE %s (LIKE ds_payments INCLUDING DEFAULTS);\n", ytab);
    fw_buf_printf(&sql, "ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (", ctab, ytab);
    fw_part_literal(&sql, year);
    fw_buf_puts(&sql, ");\n");
    if (!have_county) {
        fw_buf_printf(&sql, "ALTER TABLE ds_payments ATTACH PARTITION %s FOR VALUES IN (", ctab);
        fw_part_literal(&sql, county);
        fw_buf_puts(&sql, ");\n");
    }
    fw_buf_puts(&sql, "INSERT INTO ds_payments SELECT * FROM fw_part_move;\nDROP TABLE fw_part_move;\n");
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

bool fw_part_set_needs(fw_part_set *s, const char *county, const char *year)
{
    char key[FW_PART_COUNTY_MAX + FW_PART_YEAR_MAX];
    snprintf(key, sizeof key, "%s/%s", county, year);
    if (s->last >= 0 && s->last < s->n && strcmp(s->keys[s->last], key) == 0)
        return false;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], key) == 0) {
            s->last = i;
            return false;
        }
    return true;
}

void fw_part_set_add(fw_part_set *s, const char *county, const char *year)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->keys = realloc(s->keys, (size_t)s->cap * sizeof *s->keys);
        if (!s->keys)
            abort();
    }
    snprintf(s->keys[s->n], sizeof s->keys[s->n], "%s/%s", county, year);
    s->last = s->n++;
}

void fw_part_set_free(fw_part_set *s)
{
    free(s->keys);
    *s = (fw_part_set){.last = -1};
}

/* Migration 12: the rows move in the migration's transaction, keeping their rowids (hits and
 * cases cite payments by rowid); the rule-facing views are pointed at the new table before the old
 * one is dropped. */
int fw_part_migrate_v12(fw_db *db, const char *parent_ddl, const char *index_ddl, const char *columns, fw_err *err)
{
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    fw_buf sql = {0};
    fw_buf_puts(&sql, "ALTER TABLE ds_payments RENAME TO ds_payments_unpartitioned;\n");
    fw_buf_puts(&sql, parent_ddl);
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    if (rc)
        return rc;
    fw_stmt *st;
    if (fw_db_prepare(db,
                      "SELECT DISTINCT COALESCE(substr(region_code, 1, 6), ''), "
                      "substr(COALESCE(period, pay_date), 1, 4) FROM ds_payments_unpartitioned",
                      &st, err))
        return err->code;
    int step, n = 0, cap = 0;
    char(*keys)[2][FW_PART_COUNTY_MAX] = NULL;
    while ((step = fw_stmt_step(st, err)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            keys = realloc(keys, (size_t)cap * sizeof *keys);
            if (!keys)
                abort();
        }
        snprintf(keys[n][0], FW_PART_COUNTY_MAX, "%s", fw_stmt_text(st, 0) ? fw_stmt_text(st, 0) : "");
        snprintf(keys[n][1], FW_PART_COUNTY_MAX, "%s", fw_stmt_text(st, 1) ? fw_stmt_text(st, 1) : "");
        n++;
    }
    fw_stmt_finalize(st);
    rc = step < 0 ? err->code : FW_OK;
    for (int i = 0; !rc && i < n; i++)
        rc = fw_part_ensure(db, keys[i][0], keys[i][1], err);
    free(keys);
    if (rc)
        return rc;
    fw_buf_printf(&sql,
                  "INSERT INTO ds_payments (rowid, %s) SELECT rowid, %s FROM ds_payments_unpartitioned ORDER BY rowid;\n"
                  "SELECT setval(pg_get_serial_sequence('ds_payments', 'rowid'), "
                  "(SELECT COALESCE(max(rowid), 0) + 1 FROM ds_payments), false);\n",
                  columns, columns);
    fw_buf_puts(&sql, index_ddl);
    rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* A county on a shard keeps its years in one remote table: its year's rows are deleted there
 * (postgres_fdw sends the DELETE with its WHERE), in the remote transaction that commits with the
 * import's. */
static int replace_on_shard(fw_db *db, const char *ctab, const char *year, long long *rows, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql, "SELECT count(*) FROM %s WHERE " FW_PART_YEAR_EXPR " = ", ctab);
    fw_part_literal(&sql, year);
    int rc = fw_db_query_int(db, sql.data, rows, err);
    fw_buf_free(&sql);
    if (rc)
        return rc;
    fw_buf_printf(&sql, "DELETE FROM %s WHERE " FW_PART_YEAR_EXPR " = ", ctab);
    fw_part_literal(&sql, year);
    rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

int fw_part_replace_county_year(fw_db *db, const char *county, const char *year, long long *rows, fw_err *err)
{
    char ctab[FW_PART_NAME_MAX], ytab[FW_PART_NAME_MAX];
    *rows = 0;
    enum part_have have;
    if (part_have(db, county, year, ctab, ytab, &have, err))
        return err->code;
    if (have == HAVE_SHARD)
        return replace_on_shard(db, ctab, year, rows, err);
    if (have != HAVE_YEAR)
        return fw_part_ensure(db, county, year, err);
    char *count = fw_printf("SELECT count(*) FROM %s", ytab);
    int rc = fw_db_query_int(db, count, rows, err);
    free(count);
    if (rc)
        return rc;
    /* The old partition goes (its rows with it) and an empty one takes its place: a DROP is a file
     * unlink where a DELETE would write every row's death; readers of other counties never wait. */
    fw_buf sql = {0};
    fw_buf_printf(&sql, "ALTER TABLE %s DETACH PARTITION %s;\nDROP TABLE %s;\n", ctab, ytab, ytab);
    rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc ? rc : fw_part_ensure(db, county, year, err);
}

/* `fundwatch status`: per county (the partition key expression), its name when the generator's
 * 黔东南 list knows the code, its payments, years and (PostgreSQL) year partitions. One query;
 * the engines differ in the ordered text aggregate and the partition count only. */
#define STATUS_INNER "SELECT " FW_PART_COUNTY_EXPR " AS county, " FW_PART_YEAR_EXPR " AS year, count(*) AS n " \
                     "FROM ds_payments"
#define STATUS_INNER_END " GROUP BY 1, 2 ORDER BY 1, 2"
#define STATUS_PARTITIONS                                                                                   \
    ", (SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "                        \
    "WHERE i.inhparent = to_regclass('ds_payments_c' || CASE WHEN county = '' THEN 'unknown' ELSE county END) " \
    "AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT') AS partitions"

int fw_status_prepare(fw_ws *ws, bool with_place, fw_rows **out, fw_err *err)
{
    fw_db *db = ws->store;
    bool pg = fw_db_engine(db) == FW_DB_POSTGRES, parts = pg && fw_part_active(db);
    fw_buf sql = {0};
    fw_buf_puts(&sql, "SELECT ");
    if (with_place)
        fw_buf_puts(&sql, "CAST(?1 AS TEXT) AS engine, CAST(?2 AS TEXT) AS workspace, CAST(?3 AS BIGINT) AS schema, ");
    fw_buf_puts(&sql, "CASE county WHEN '' THEN '(unknown county)' ELSE county END AS county, CASE county");
    for (int i = 0; i < FW_GEN_MAX_COUNTIES; i++)
        fw_buf_printf(&sql, " WHEN '%s' THEN '%s'", gen_counties[i].code, gen_counties[i].name);
    fw_buf_puts(&sql, " WHEN '522601' THEN '凯里市' END AS name, sum(n) AS rows, ");
    fw_buf_puts(&sql, pg ? "string_agg(year, ',' ORDER BY year) AS years" : "group_concat(year, ',') AS years");
    if (parts)
        fw_buf_puts(&sql, STATUS_PARTITIONS);
    fw_buf_puts(&sql, " FROM (" STATUS_INNER);
    /* Counties on a shard that does not answer are left out (the shard list says which), so that
     * status still shows the rest; the list is of partition-key constants, so they are not touched. */
    fw_buf down = {0}, why = {0};
    if (pg && fw_shard_down(ws, &down, &why, err) == FW_OK && down.len)
        fw_buf_printf(&sql, " WHERE " FW_PART_COUNTY_EXPR " NOT IN (%s)", down.data);
    fw_buf_free(&down);
    fw_buf_free(&why);
    fw_buf_puts(&sql, STATUS_INNER_END ") AS p GROUP BY county ORDER BY county");
    int rc = fw_rows_prepare(db, sql.data, out, err);
    fw_buf_free(&sql);
    if (rc || !with_place)
        return rc;
    fw_stmt *st = fw_rows_stmt(*out);
    fw_stmt_bind_text(st, 1, fw_db_engine_name(db), -1);
    fw_stmt_bind_text(st, 2, fw_ws_label(ws), -1);
    fw_stmt_bind_int64(st, 3, fw_ws_schema_version(ws));
    return FW_OK;
}

const char *fw_status_engine(fw_ws *ws) { return fw_db_engine_name(ws->store); }

int fw_part_set_counties(fw_ws *ws, const char *list, fw_err *err)
{
    fw_buf clean = {0};
    fw_buf_puts(&clean, "");
    const char *p = list;
    while (*p) {
        size_t skip = strspn(p, ", "), n;
        p += skip;
        if (!*p)
            break;
        n = strcspn(p, ", ");
        if (n != 6 || strspn(p, "0123456789") < 6) {
            int rc = fw_fail(err, FW_EUSAGE, _("a county is a 6-digit code, not '%.*s'"), (int)n, p);
            fw_buf_free(&clean);
            return rc;
        }
        fw_buf_printf(&clean, "%s%.6s", clean.len ? "," : "", p);
        p += n;
    }
    int rc = fw_ws_set_setting(ws, FW_PART_COUNTIES_KEY, clean.data, err);
    fw_buf_free(&clean);
    return rc;
}
