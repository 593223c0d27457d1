/* sqlfunc.c: the views that rules read (documented in docs/rules.md). On SQLite they are TEMP,
 * created on every connection, so they can use the helper functions (C functions of the SQLite
 * driver, audit/store/sqlite_funcs.c) and change between versions without a schema migration; on
 * PostgreSQL they are plain views made by migration 1 (audit/schema.c) over the helpers of
 * store/pg_compat.sql. The stored tables are ds_*. Only the SQL text is made here (no engine calls),
 * so bench/rules.sh can give the sqlite3 CLI the same views. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit/dataset.h"
#include "audit/sqlfunc.h"

/* The rule-facing views. payments fills period from pay_date and adds the program's tags and the
 * county code; officials adds is_cadre; every view exposes row_key (the evidence key). The tags
 * are scalar subqueries on SQLite rather than a LEFT JOIN of programs: SQLite evaluates them only
 * for the rules that read them, while the join was kept (a lookup per payment) in every grouped
 * query, and it stopped a query that reads only indexed columns from using a covering index.
 * PostgreSQL is the other way round (migration 19): it ran the subquery once per payment, 64 s for
 * `means_tested = 1` over a county's 5 million payments against 3.8 s joined, and it drops a LEFT
 * JOIN on the programs' key from a query that reads none of its columns. */
void fw_sqlfunc_views_sql(bool postgres, fw_buf *sql)
{
    fw_sqlfunc_views_sql_having(postgres, NULL, NULL, sql);
}

void fw_sqlfunc_views_sql_having(bool postgres, bool (*has)(void *ctx, const char *table, const char *column),
                                 void *ctx, fw_buf *sql)
{
    /* SQLite: TEMP views name the stored tables main.*, so a TEMP table of the same name cannot
     * stand in; PostgreSQL: the workspace's schema is first on the search path. PostgreSQL's views
     * read their tables as the caller (security_invoker), under the caller's row-level security
     * (migration 7, docs/users.md); said in every CREATE OR REPLACE, which otherwise resets it. */
    const char *create = postgres ? "CREATE OR REPLACE VIEW" : "CREATE TEMP VIEW IF NOT EXISTS",
               *main = postgres ? "" : "main.", *with = postgres ? " WITH (security_invoker = true)" : "";
    for (int i = 0; i < fw_ndatasets; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        /* The table is aliased by its own name (not a short alias) so that EXPLAIN QUERY PLAN names
         * it ("SCAN ds_payments"), which `rules check` reads to warn about full scans in joins.
         * rowid: SQLite's implicit one, PostgreSQL's column of that name (schema.c). */
        char t[64];
        snprintf(t, sizeof t, "ds_%s", ds->name);
        fw_buf_printf(sql, "%s %s%s AS SELECT %s.rowid AS rid, %s.import_id, %s.line, %s.row_key", create, ds->name,
                      with, t, t, t, t);
        for (int c = 0; c < ds->ncolumns; c++) {
            const char *col = ds->columns[c].name;
            if (ds->columns[c].since)
                continue; /* last, below */
            if (strcmp(ds->name, "payments") == 0 && strcmp(col, "period") == 0)
                fw_buf_printf(sql, ", COALESCE(%s.period, substr(%s.pay_date, 1, 7)) AS period", t, t);
            else
                fw_buf_printf(sql, ", %s.%s", t, col);
            if (ds->columns[c].type == FW_COL_PROGRAM)
                fw_buf_printf(sql, ", %s.program_raw", t);
        }
        bool tagged = strcmp(ds->name, "payments") == 0;
        if (tagged && postgres)
            fw_buf_puts(sql, ", COALESCE(g.means_tested, 0) AS means_tested, COALESCE(g.fixed_amount, 0) AS fixed_amount, "
                             "substr(ds_payments.region_code, 1, 6) AS county_code");
        else if (tagged)
            fw_buf_printf(sql,
                          ", COALESCE((SELECT g.means_tested FROM %sprograms g "
                          "WHERE g.name = ds_payments.program), 0) AS means_tested, "
                          "COALESCE((SELECT g.fixed_amount FROM %sprograms g "
                          "WHERE g.name = ds_payments.program), 0) AS fixed_amount, "
                          "substr(ds_payments.region_code, 1, 6) AS county_code",
                          main, main);
        else if (strcmp(ds->name, "officials") == 0)
            fw_buf_printf(sql,
                          ", (COALESCE(ds_officials.kind, '') LIKE '%%村干部%%' "
                          "OR ds_officials.employer LIKE '%%村委会' "
                          "OR ds_officials.employer LIKE '%%村民委员会') AS is_cadre");
        /* Last, so that PostgreSQL's CREATE OR REPLACE VIEW only appends them (migration 6). */
        for (int k = 0; fw_dataset_has_name_keys(ds) && k < 3; k++)
            fw_buf_printf(sql, ", %s.%s", t, fw_name_key_columns[k]);
        if (fw_dataset_keeps_bad_ids(ds))
            fw_buf_printf(sql, ", %s.id_number_raw", t);
        /* Columns added by later migrations (dataset.h, since), each only once the table has it:
         * migration 6 makes these views again on a workspace that has not yet had migration 11. */
        for (int c = 0; c < ds->ncolumns; c++)
            if (ds->columns[c].since && (!has || has(ctx, t, ds->columns[c].name)))
                fw_buf_printf(sql, ", %s.%s", t, ds->columns[c].name);
        const char *const *keys;
        for (int k = 0; !fw_dataset_has_name_keys(ds) && fw_dataset_keyed_name(ds, &keys) && k < 3; k++)
            if (!has || has(ctx, t, keys[k]))
                fw_buf_printf(sql, ", %s.%s", t, keys[k]);
        fw_buf_printf(sql, " FROM %s%s AS %s%s;\n", main, t, t,
                      tagged && postgres ? " LEFT JOIN programs AS g ON g.name = ds_payments.program" : "");
    }
}

/* Why PostgreSQL's is not security_invoker: sqlfunc.h. An inspector's run measured DEC-004's 90
 * days from the newest death of their own township and missed a person of theirs who had died 174
 * days before the registry's newest death (bench/scope.sh; docs/users.md). */
void fw_sqlfunc_deaths_newest_sql(bool postgres, fw_buf *sql)
{
    fw_buf_printf(sql, "%s deaths_newest AS SELECT max(death_date) AS death_date FROM %sds_deaths;\n",
                  postgres ? "CREATE OR REPLACE VIEW" : "CREATE TEMP VIEW IF NOT EXISTS", postgres ? "" : "main.");
}
