/* shard.c: counties on other PostgreSQL servers through postgres_fdw (see shard.h, docs/scale.md).
 * Everything here is SQL sent through the store: the coordinator's catalogue (FOREIGN SERVER, USER
 * MAPPING, a foreign table per county attached as ds_payments' partition) and, for the shard's own
 * tables, a direct connection to the shard. postgres_fdw runs the remote side of a coordinator
 * transaction as one remote transaction committed with it, so a county's rows move in one
 * transaction on each side: all of them or none. */
#include "audit/shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/partition.h"
#include "audit/rows.h"
#include "audit/sqlfunc.h"
#include "audit/store/store.h"

/* pg_advisory_lock key of runs against county moves: a run holds it shared, a move exclusive. */
#define RUN_LOCK_KEY "7152012"

static bool is_pg(fw_ws *ws) { return fw_db_engine(ws->store) == FW_DB_POSTGRES; }

/* The first column of the first row of sql as malloc'd text (NULL: no row or NULL). */
static int query_text(fw_db *db, const char *sql, char **out, fw_err *err)
{
    *out = NULL;
    fw_stmt *st;
    if (fw_db_prepare(db, sql, &st, err))
        return err->code;
    int step = fw_stmt_step(st, err);
    if (step == 1 && fw_stmt_text(st, 0))
        *out = fw_strdup(fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
    return step < 0 ? err->code : FW_OK;
}

static int exec_buf(fw_db *db, fw_buf *sql, fw_err *err)
{
    int rc = fw_db_exec(db, sql->data, err);
    fw_buf_free(sql);
    return rc;
}

/* Splits a county list into *out (6-digit codes); FW_EUSAGE naming a bad one. */
static int county_list(const char *list, char (**out)[8], int *n, fw_err *err)
{
    *out = NULL;
    *n = 0;
    for (const char *p = list ? list : ""; *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (!len)
            break;
        if (len != 6 || strspn(p, "0123456789") < 6) {
            free(*out);
            *out = NULL;
            return fw_fail(err, FW_EUSAGE, _("a county is a 6-digit code, not '%.*s'"), (int)len, p);
        }
        *out = fw_realloc(*out, (size_t)(*n + 1) * sizeof **out);
        snprintf((*out)[(*n)++], 8, "%.6s", p);
        p += len;
    }
    return FW_OK;
}

/* The payments' columns as DDL ("rowid bigint, import_id bigint, ..."), the shard's tables' and the
 * foreign tables' columns: the same names and types in the same order, so rows move by SELECT *. */
static int column_ddl(fw_db *db, char **out, fw_err *err)
{
    return query_text(db,
                      "SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod) || "
                      "CASE WHEN attnotnull THEN ' NOT NULL' ELSE '' END, ', ' "
                      "ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'ds_payments'::regclass "
                      "AND attnum > 0 AND NOT attisdropped",
                      out, err);
}

static char relkind(fw_db *db, const char *table, fw_err *err)
{
    char *sql = fw_printf("SELECT CAST(relkind AS text) FROM pg_class WHERE oid = to_regclass('%s')", table), *k;
    int rc = query_text(db, sql, &k, err);
    free(sql);
    char c = !rc && k ? k[0] : '\0';
    free(k);
    return c;
}

/* The payments' indexes (those of ds_payments, so every partition's) as DDL for the county's table on
 * the shard: the foreign partition's scans run there, and without them every lookup of one row (a
 * hit's evidence by row_key, a person's payments by id_number) is a sequential scan of the county. */
static int index_ddl(fw_db *db, const char *ctab, char **out, fw_err *err)
{
    char *sql = fw_printf("SELECT COALESCE(string_agg(format('CREATE INDEX IF NOT EXISTS %%I ON %%I%%s;', "
                          "'%s' || substr(c.relname, length('ds_payments') + 1), '%s', "
                          "substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$')), E'\\n'), '') "
                          "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                          "WHERE i.indrelid = 'ds_payments'::regclass",
                          ctab, ctab);
    int rc = query_text(db, sql, out, err);
    free(sql);
    return rc;
}

/* --- the shard's side ---------------------------------------------------------------------------- */

/* Marks the shard as holding this workspace's layout, or refuses one made for another version. */
static int shard_meta(fw_db *sd, int version, const char *label, const char *target, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_puts(&sql, "CREATE TABLE IF NOT EXISTS " FW_SHARD_META_TABLE " (version integer NOT NULL, "
                      "workspace text NOT NULL)");
    if (exec_buf(sd, &sql, err))
        return err->code;
    long long have = -1;
    if (fw_db_query_int(sd, "SELECT COALESCE(max(version), -1) FROM " FW_SHARD_META_TABLE, &have, err))
        return err->code;
    if (have >= 0 && have != version)
        return fw_fail(err, FW_ECONFLICT,
                       _("shard %s has schema version %lld, this workspace %d: refused; upgrade the shard's "
                         "fundwatch tables (or use an empty database) and add it again"),
                       fw_db_where(sd), have, version);
    (void)target;
    if (have >= 0)
        return FW_OK;
    fw_buf_printf(&sql, "INSERT INTO " FW_SHARD_META_TABLE " VALUES (%d, ", version);
    fw_part_literal(&sql, label);
    fw_buf_puts(&sql, ")");
    return exec_buf(sd, &sql, err);
}

/* The county's table on the shard, empty (a county moved there before and back leaves it empty). */
static int shard_table(fw_db *sd, const char *ctab, const char *cols, const char *indexes, const char *county,
                       fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql, "CREATE TABLE IF NOT EXISTS %s (%s);\n%s", ctab, cols, indexes);
    if (exec_buf(sd, &sql, err))
        return err->code;
    long long rows = 0;
    char *count = fw_printf("SELECT count(*) FROM %s", ctab);
    int rc = fw_db_query_int(sd, count, &rows, err);
    free(count);
    if (!rc && rows > 0)
        rc = fw_fail(err, FW_ECONFLICT,
                     _("shard %s already holds %lld rows in %s: county %s is not moved over them; empty that "
                       "table on the shard first"),
                     fw_db_where(sd), rows, ctab, county);
    return rc;
}

/* --- the coordinator's side ---------------------------------------------------------------------- */

/* Refuses a move while a run is going: runs hold RUN_LOCK_KEY shared (fw_shard_run_begin). */
static int no_run_going(fw_db *db, fw_err *err)
{
    long long got = 0;
    if (fw_db_query_int(db, "SELECT CAST(pg_try_advisory_xact_lock(" RUN_LOCK_KEY ") AS integer)", &got, err))
        return err->code;
    if (!got)
        return fw_fail(err, FW_ECONFLICT,
                       _("a rule run is going on this workspace: counties are not moved under it; move them "
                         "after it ends"));
    return FW_OK;
}

/* A county on a shard back into local partitions: its rows copied out, deleted on the shard (in the
 * remote transaction), the foreign table dropped, local county-year partitions made, rows inserted. */
static int bring_back(fw_db *db, const char *county, const char *ctab, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql,
                  "CREATE TEMP TABLE fw_shard_move ON COMMIT DROP AS SELECT * FROM %s;\n"
                  "ALTER TABLE ds_payments DETACH PARTITION %s;\nDELETE FROM %s;\nDROP FOREIGN TABLE %s;\n"
                  "DELETE FROM shard_counties WHERE county = ",
                  ctab, ctab, ctab, ctab);
    fw_part_literal(&sql, county);
    if (exec_buf(db, &sql, err))
        return err->code;
    fw_stmt *st;
    if (fw_db_prepare(db, "SELECT DISTINCT " FW_PART_YEAR_EXPR " FROM fw_shard_move", &st, err))
        return err->code;
    int step, rc = FW_OK;
    while (!rc && (step = fw_stmt_step(st, err)) == 1) {
        char year[FW_PART_YEAR_MAX];
        snprintf(year, sizeof year, "%s", fw_stmt_text(st, 0) ? fw_stmt_text(st, 0) : "");
        rc = fw_part_ensure(db, county, year, err);
    }
    fw_stmt_finalize(st);
    if (rc || step < 0)
        return err->code;
    return fw_db_exec(db, "INSERT INTO ds_payments SELECT * FROM fw_shard_move;\nDROP TABLE fw_shard_move", err);
}

/* A county's local partition (if any) onto shard: a foreign table over the shard's table takes its
 * rows and its place under ds_payments. */
static int send_out(fw_db *db, fw_db *sd, const char *county, const char *ctab, const char *shard, fw_err *err)
{
    char *cols, *indexes = NULL;
    if (column_ddl(db, &cols, err) || index_ddl(db, ctab, &indexes, err) ||
        shard_table(sd, ctab, cols, indexes ? indexes : "", county, err)) {
        free(cols);
        free(indexes);
        return err->code;
    }
    free(indexes);
    char *nsp = NULL;
    if (query_text(sd, "SELECT current_schema()", &nsp, err) || !nsp) {
        free(cols);
        return err->code ? err->code : fw_fail(err, FW_EWORKSPACE, _("shard %s has no schema"), shard);
    }
    fw_buf sql = {0};
    fw_buf_printf(&sql, "CREATE FOREIGN TABLE %s_f (%s) SERVER %s OPTIONS (schema_name ", ctab, cols, shard);
    fw_part_literal(&sql, nsp);
    fw_buf_printf(&sql, ", table_name '%s');\n", ctab);
    free(nsp);
    free(cols);
    fw_err probe = {0};
    if (relkind(db, ctab, &probe) == 'p')
        fw_buf_printf(&sql, "INSERT INTO %s_f SELECT * FROM %s;\nALTER TABLE ds_payments DETACH PARTITION %s;\n"
                            "DROP TABLE %s;\n",
                      ctab, ctab, ctab, ctab);
    fw_buf_printf(&sql, "ALTER TABLE %s_f RENAME TO %s;\nALTER TABLE ds_payments ATTACH PARTITION %s FOR VALUES IN (",
                  ctab, ctab, ctab);
    fw_part_literal(&sql, county);
    fw_buf_puts(&sql, ");\nINSERT INTO shard_counties (county, shard) VALUES (");
    fw_part_literal(&sql, county);
    fw_buf_puts(&sql, ", ");
    fw_part_literal(&sql, shard);
    fw_buf_puts(&sql, ")");
    return exec_buf(db, &sql, err);
}

/* The shard's address as the coordinator's catalogue keeps it, for the direct connection. */
static char *shard_target(fw_db *db, const char *shard, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_puts(&sql, "SELECT array_to_string(ARRAY(SELECT regexp_replace(o, '=', '=''') || '''' FROM unnest("
                      "(SELECT srvoptions FROM pg_foreign_server WHERE srvname = ");
    fw_part_literal(&sql, shard);
    fw_buf_puts(&sql, ") || (SELECT umoptions FROM pg_user_mappings WHERE srvname = ");
    fw_part_literal(&sql, shard);
    fw_buf_puts(&sql, " AND usename = 'public')) AS o WHERE split_part(o, '=', 1) IN "
                      "('host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'sslmode')), ' ')");
    char *t;
    int rc = query_text(db, sql.data, &t, err);
    fw_buf_free(&sql);
    if (!rc && (!t || !*t)) {
        free(t);
        t = NULL;
        fw_fail(err, FW_ENOTFOUND, _("no shard %s; `fundwatch shard list` shows the shards"), shard);
    }
    return t;
}

/* shard: its name for the message (NULL: a new one, whose target may hold a password). */
static int open_shard(const char *target, const char *shard, fw_db **sd, fw_err *err)
{
    fw_db_opts o = {.connect_timeout_s = 10};
    if (fw_db_open(target, &o, sd, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return shard ? fw_fail(err, FW_EWORKSPACE, _("shard %s: %s"), shard, why)
                     : fw_fail(err, FW_EWORKSPACE, _("cannot reach the new shard: %s"), why);
    }
    return FW_OK;
}

/* Moves one county in the open transaction; sd: the target shard's connection (NULL: back home). */
static int move_one(fw_db *db, fw_db *sd, const char *county, const char *shard, fw_err *err)
{
    char ctab[FW_PART_NAME_MAX];
    fw_part_county_table(county, ctab);
    char *where = NULL, *sql = fw_printf("SELECT shard FROM shard_counties WHERE county = '%s'", county);
    int rc = query_text(db, sql, &where, err);
    free(sql);
    if (!rc && where && shard && strcmp(where, shard) == 0) {
        free(where);
        return FW_OK; /* already there */
    }
    if (!rc && where)
        rc = bring_back(db, county, ctab, err);
    free(where);
    return rc || !shard ? rc : send_out(db, sd, county, ctab, shard, err);
}

static int move_all(fw_ws *ws, char (*counties)[8], int n, const char *shard, fw_db *sd, fw_err *err)
{
    int rc = no_run_going(ws->store, err);
    for (int i = 0; !rc && i < n; i++)
        rc = move_one(ws->store, sd, counties[i], shard, err);
    return rc;
}

static int need_partitions(fw_ws *ws, fw_err *err)
{
    if (!is_pg(ws) || !fw_part_active(ws->store))
        return fw_fail(err, FW_EUSAGE,
                       _("%s: shards are for a PostgreSQL workspace (its payments partitioned by county); a "
                         "SQLite file has none"),
                       fw_ws_label(ws));
    return FW_OK;
}

int fw_shard_move(fw_ws *ws, const char *counties, const char *shard, fw_err *err)
{
    char(*list)[8];
    int n;
    if (need_partitions(ws, err) || county_list(counties, &list, &n, err))
        return err->code;
    if (shard && !*shard)
        shard = NULL;
    fw_db *sd = NULL;
    char *target = shard ? shard_target(ws->store, shard, err) : NULL;
    int rc = shard && !target ? err->code : shard ? open_shard(target, shard, &sd, err) : FW_OK;
    free(target);
    if (!rc && !(rc = fw_ws_begin(ws, err))) {
        rc = move_all(ws, list, n, shard, sd, err);
        if (rc)
            fw_ws_rollback(ws);
        else
            rc = fw_ws_commit(ws, err);
    }
    if (sd)
        fw_db_close(sd);
    free(list);
    return rc;
}

/* The user mapping's options: the target's user and password; without a password (trust or peer on
 * the shard) a superuser lets postgres_fdw connect anyway (password_required), else the shard must
 * ask for one. */
static char *mapping_options(fw_db *db, const char *target, fw_err *err)
{
    char *um = fw_db_fdw_options(target, true, err);
    long long super = 0;
    fw_err ignored = {0};
    fw_db_query_int(db, "SELECT CAST(usesuper AS integer) FROM pg_user WHERE usename = current_user", &super,
                    &ignored);
    if (!um || strstr(um, "password '") || !super)
        return um;
    char *with = fw_printf("%s%spassword_required 'false'", um, *um ? ", " : "");
    free(um);
    return with;
}

/* CREATE SERVER (async_capable: the rules' appends of several shards' scans run at once), USER
 * MAPPING and the foreign table of the shard's version, in the open transaction. */
static int define_server(fw_ws *ws, const char *name, const char *target, fw_db *sd, fw_err *err)
{
    const char *place = fw_db_where(sd);
    char *nsp = NULL;
    if (query_text(sd, "SELECT current_schema()", &nsp, err) || !nsp)
        return err->code ? err->code : fw_fail(err, FW_EWORKSPACE, _("shard %s has no schema"), name);
    char *srv = fw_db_fdw_options(target, false, err), *um = srv ? mapping_options(ws->store, target, err) : NULL;
    if (!um) {
        free(srv);
        free(nsp);
        return err->code;
    }
    fw_buf sql = {0};
    /* A foreign table can carry no foreign key, and a partition must carry its parent's: the
     * payments' reference to imports goes when the first shard comes (imports are never deleted,
     * and only fundwatch's import writes import_id, so nothing it guarded can happen). */
    fw_buf_puts(&sql, "DO $fw$ DECLARE c text; BEGIN FOR c IN SELECT conname FROM pg_constraint "
                      "WHERE conrelid = 'ds_payments'::regclass AND contype = 'f' LOOP "
                      "EXECUTE format('ALTER TABLE ds_payments DROP CONSTRAINT %I', c); END LOOP; END $fw$;\n");
    fw_buf_printf(&sql, "CREATE EXTENSION IF NOT EXISTS postgres_fdw;\n"
                        "CREATE SERVER %s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (%s%s",
                  name, srv, *srv ? ", " : "");
    fw_buf_puts(&sql, "async_capable 'true', fetch_size '10000'");
    if (!strstr(srv, "connect_timeout"))
        fw_buf_puts(&sql, ", connect_timeout '10'");
    fw_buf_printf(&sql, ");\nCREATE USER MAPPING FOR PUBLIC SERVER %s OPTIONS (%s);\n", name, um);
    fw_buf_printf(&sql, "CREATE FOREIGN TABLE %s_meta (version integer, workspace text) SERVER %s "
                        "OPTIONS (schema_name ", name, name);
    fw_part_literal(&sql, nsp);
    free(nsp);
    /* every user who runs rules asks the shard's version through it (only a number and a label) */
    fw_buf_printf(&sql, ", table_name '" FW_SHARD_META_TABLE "');\nGRANT SELECT ON %s_meta TO PUBLIC;\n"
                        "INSERT INTO shards (name, place, added_at) VALUES ('%s', ", name, name);
    char now[32];
    fw_now_iso(now);
    fw_part_literal(&sql, place);
    fw_buf_puts(&sql, ", ");
    fw_part_literal(&sql, now);
    fw_buf_puts(&sql, ")");
    free(srv);
    free(um);
    return exec_buf(ws->store, &sql, err);
}

int fw_shard_add(fw_ws *ws, const char *target, const char *counties, char *name, size_t cap, fw_err *err)
{
    char(*list)[8];
    int n;
    if (need_partitions(ws, err) || county_list(counties, &list, &n, err))
        return err->code;
    fw_db *sd;
    if (open_shard(target, NULL, &sd, err)) {
        free(list);
        return err->code;
    }
    int rc = shard_meta(sd, fw_ws_schema_version(ws), fw_ws_label(ws), target, err);
    long long next = 1;
    if (!rc && !(rc = fw_ws_begin(ws, err))) {
        rc = fw_db_query_int(ws->store,
                             "SELECT COALESCE(max(CAST(substr(name, 10) AS integer)), 0) + 1 FROM shards", &next, err);
        snprintf(name, cap, "fw_shard_%lld", next);
        if (!rc)
            rc = define_server(ws, name, target, sd, err);
        if (!rc)
            rc = move_all(ws, list, n, name, sd, err);
        if (rc)
            fw_ws_rollback(ws);
        else
            rc = fw_ws_commit(ws, err);
    }
    fw_db_close(sd);
    free(list);
    return rc;
}

int fw_shard_remove(fw_ws *ws, const char *name, fw_err *err)
{
    if (need_partitions(ws, err))
        return err->code;
    char *sql = fw_printf("SELECT string_agg(county, ',') FROM shard_counties WHERE shard = '%s'", name), *counties;
    long long known = 0;
    char *count = fw_printf("SELECT count(*) FROM shards WHERE name = '%s'", name);
    int rc = strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789") != strlen(name)
                 ? fw_fail(err, FW_ENOTFOUND, _("no shard %s; `fundwatch shard list` shows the shards"), name)
                 : fw_db_query_int(ws->store, count, &known, err);
    free(count);
    if (!rc && !known)
        rc = fw_fail(err, FW_ENOTFOUND, _("no shard %s; `fundwatch shard list` shows the shards"), name);
    if (rc || query_text(ws->store, sql, &counties, err)) {
        free(sql);
        return err->code;
    }
    free(sql);
    char(*list)[8] = NULL;
    int n = 0;
    county_list(counties, &list, &n, err);
    free(counties);
    if (!(rc = fw_ws_begin(ws, err))) {
        rc = move_all(ws, list, n, NULL, NULL, err);
        fw_buf drop = {0};
        fw_buf_printf(&drop, "DROP SERVER %s CASCADE;\nDELETE FROM shards WHERE name = '%s'", name, name);
        if (!rc)
            rc = exec_buf(ws->store, &drop, err);
        else
            fw_buf_free(&drop);
        if (rc)
            fw_ws_rollback(ws);
        else
            rc = fw_ws_commit(ws, err);
    }
    free(list);
    return rc;
}

/* --- who answers --------------------------------------------------------------------------------- */

typedef struct probe {
    char name[64], place[256], counties[512];
    bool up;
    long long version, rows;
    char problem[300];
} probe;

/* Asks each shard for its version (through its foreign table: the coordinator's own route), and
 * counts its counties' rows when it answers with this workspace's version. */
static int probe_shards(fw_ws *ws, probe **out, int *n, fw_err *err)
{
    *out = NULL;
    *n = 0;
    if (!is_pg(ws))
        return FW_OK;
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      "SELECT s.name, s.place, COALESCE((SELECT string_agg(county, ',' ORDER BY county) "
                      "FROM shard_counties c WHERE c.shard = s.name), '') FROM shards s ORDER BY s.name",
                      &st, err))
        return err->code;
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        *out = fw_realloc(*out, (size_t)(*n + 1) * sizeof **out);
        probe *p = &(*out)[(*n)++];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", fw_stmt_text(st, 0));
        snprintf(p->place, sizeof p->place, "%s", fw_stmt_text(st, 1));
        snprintf(p->counties, sizeof p->counties, "%s", fw_stmt_text(st, 2));
    }
    fw_stmt_finalize(st);
    if (step < 0)
        return err->code;
    int mine = fw_ws_schema_version(ws);
    for (int i = 0; i < *n; i++) {
        probe *p = &(*out)[i];
        fw_err e = {0};
        char *sql = fw_printf("SELECT COALESCE(max(version), -1) FROM %s_meta", p->name);
        p->up = fw_db_query_int(ws->store, sql, &p->version, &e) == FW_OK;
        free(sql);
        if (!p->up) {
            snprintf(p->problem, sizeof p->problem, _("unreachable: %.200s"), fw_db_err_words(ws->store, &e));
            char *nl = strchr(p->problem, '\n');
            if (nl)
                *nl = '\0';
        } else if (p->version != mine)
            snprintf(p->problem, sizeof p->problem, _("schema version %lld, this workspace %d"), p->version, mine);
        for (char *c = p->counties; p->up && !p->problem[0] && *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] != 0)) {
            char ctab[FW_PART_NAME_MAX], county[8];
            snprintf(county, sizeof county, "%.6s", c);
            fw_part_county_table(county, ctab);
            long long rows = 0;
            sql = fw_printf("SELECT count(*) FROM %s", ctab);
            if (fw_db_query_int(ws->store, sql, &rows, &e) == FW_OK)
                p->rows += rows;
            free(sql);
        }
    }
    return FW_OK;
}

/* The counties of the shards that did not answer or differ: a SQL list and a sentence. */
static void down_counties(const probe *p, int n, fw_buf *list, fw_buf *why)
{
    for (int i = 0; i < n; i++) {
        if (!p[i].problem[0] || !p[i].counties[0])
            continue;
        for (const char *c = p[i].counties; *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] != 0))
            fw_buf_printf(list, "%s'%.6s'", list->len ? ", " : "", c);
        fw_buf_printf(why, "%s%s (%s at %s: %s)", why->len ? "; " : "", p[i].counties, p[i].name, p[i].place,
                      p[i].problem);
    }
}

int fw_shard_down(fw_ws *ws, fw_buf *list, fw_buf *why, fw_err *err)
{
    probe *p;
    int n;
    if (probe_shards(ws, &p, &n, err))
        return err->code;
    down_counties(p, n, list, why);
    free(p);
    return FW_OK;
}

int fw_shard_list(fw_ws *ws, struct fw_rows **out, fw_err *err)
{
    *out = NULL;
    probe *p;
    int n;
    if (probe_shards(ws, &p, &n, err))
        return err->code;
    if (!n)
        return FW_OK;
    fw_buf sql = {0};
    fw_buf_puts(&sql, "SELECT * FROM (VALUES ");
    for (int i = 0; i < n; i++) {
        fw_buf_puts(&sql, i ? "), (" : "(");
        fw_part_literal(&sql, p[i].name);
        fw_buf_puts(&sql, ", ");
        fw_part_literal(&sql, p[i].place);
        fw_buf_puts(&sql, ", ");
        fw_part_literal(&sql, p[i].counties);
        if (p[i].up && !p[i].problem[0])
            fw_buf_printf(&sql, ", CAST(%lld AS bigint)", p[i].rows);
        else
            fw_buf_puts(&sql, ", CAST(NULL AS bigint)");
        fw_buf_printf(&sql, ", '%s'", p[i].up ? _("yes") : _("no"));
        if (p[i].up)
            fw_buf_printf(&sql, ", CAST(%lld AS bigint), ", p[i].version);
        else
            fw_buf_puts(&sql, ", CAST(NULL AS bigint), ");
        fw_part_literal(&sql, p[i].problem);
    }
    fw_buf_puts(&sql, ")) AS s (shard, place, counties, rows, reachable, schema, problem)");
    free(p);
    int rc = fw_rows_prepare(ws->store, sql.data, out, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- a run ----------------------------------------------------------------------------------------- */

/* FW_SHARD_UNCHECKED_SETTING: the codes of list ("'520102', '520103'") without quotes, comma-separated.
 * The policies that look into the payments (migration 20 in schema.c) cannot see the run's TEMP view;
 * they leave out the first FW_SHARD_UNCHECKED_SLOTS counties of this setting instead. Past that
 * many unchecked counties, the rules reading the registries fail naming the shard (as before
 * migration 20): never a silent partial result. */
static void unchecked_setting(const char *list, fw_buf *sql)
{
    fw_buf codes = {0};
    for (const char *c = list; *c; c++)
        if (*c != '\'' && *c != ' ')
            fw_buf_add(&codes, c, 1);
    fw_buf_puts(sql, "SELECT set_config('" FW_SHARD_UNCHECKED_SETTING "', ");
    fw_part_literal(sql, codes.data ? codes.data : "");
    fw_buf_puts(sql, ", false);\n");
    fw_buf_free(&codes);
}

/* TEMP views: ds_payments without the unchecked counties (partition pruning keeps the run off their
 * shards: the list is of constants of the partition key), and the rule views made again over it;
 * the setting that tells the registries' policies the same. */
static int hide_counties(fw_db *db, const char *list, const char *rule_role, fw_err *err)
{
    fw_buf sql = {0}, views = {0};
    unchecked_setting(list, &sql);
    fw_buf_printf(&sql,
                  "CREATE TEMP VIEW ds_payments WITH (security_invoker = true) AS SELECT * FROM ds_payments "
                  "WHERE " FW_PART_COUNTY_EXPR " NOT IN (%s);\n",
                  list);
    fw_sqlfunc_views_sql(true, &views);
    for (const char *v = views.data; v && *v;) {
        const char *hit = strstr(v, "CREATE OR REPLACE VIEW");
        if (!hit) {
            fw_buf_puts(&sql, v);
            break;
        }
        fw_buf_add(&sql, v, (size_t)(hit - v));
        fw_buf_puts(&sql, "CREATE OR REPLACE TEMP VIEW");
        v = hit + strlen("CREATE OR REPLACE VIEW");
    }
    fw_buf_free(&views);
    if (rule_role && *rule_role)
        fw_buf_printf(&sql, "\nDO $fw$ DECLARE v text; BEGIN FOR v IN SELECT c.relname FROM pg_class c "
                            "WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'v' LOOP "
                            "EXECUTE format('GRANT SELECT ON pg_temp.%%I TO %%I', v, '%s'); END LOOP; END $fw$",
                      rule_role);
    return exec_buf(db, &sql, err);
}

static int record_unchecked(fw_ws *ws, long long run_id, const probe *p, int n, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    fw_buf sql = {0};
    for (int i = 0; i < n; i++)
        for (const char *c = p[i].counties; p[i].problem[0] && *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] != 0)) {
            fw_buf_printf(&sql, "INSERT INTO run_unchecked (run_id, county, shard, reason) VALUES (%lld, '%.6s', ",
                          run_id, c);
            fw_part_literal(&sql, p[i].name);
            fw_buf_puts(&sql, ", ");
            fw_part_literal(&sql, p[i].problem);
            fw_buf_puts(&sql, ");\n");
        }
    if (exec_buf(ws->store, &sql, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    return fw_ws_commit(ws, err);
}

/* The planner settings of a sharded run's sessions. Partitionwise: per-county joins and aggregates
 * go to each partition (a shard's GROUP BY can be shipped). */
static const char run_settings_sql[] = "SET enable_partitionwise_aggregate = on; SET enable_partitionwise_join = on";
/* On the workers' connections, where the rules' queries run, no nested loops either: row-level security
 * (migrations 7, 14) makes the planner guess one row where hundreds come (a registry filtered by
 * `fw_is_admin() OR EXISTS ...`), and a nested loop over that guess scans every shard's payments
 * again for each of those rows (REL-001: over 600 s on a 6,000-person province, 5 s with hash
 * joins, which pull each shard's rows once). Joins with no equality still get a nested loop.
 * The run's own connection keeps them: it stores the hits and looks their rows up one by one (a
 * case's amounts by rowid), where an index probe per row is what is wanted. */
static const char worker_settings_sql[] = "SET enable_nestloop = off";

static bool has_shards(fw_ws *ws, fw_err *err)
{
    long long shards = 0;
    return is_pg(ws) && !fw_db_query_int(ws->store, "SELECT count(*) FROM shards", &shards, err) && shards > 0;
}

int fw_shard_worker_begin(fw_ws *ws, const char *hidden, const char *rule_role, fw_err *err)
{
    if (!has_shards(ws, err))
        return err->code;
    if (fw_db_exec(ws->store, run_settings_sql, err) || fw_db_exec(ws->store, worker_settings_sql, err))
        return err->code;
    return hidden && *hidden ? hide_counties(ws->store, hidden, rule_role, err) : FW_OK;
}

int fw_shard_run_begin(fw_ws *ws, long long run_id, const char *rule_role, char *unchecked, size_t cap,
                       char *hidden, size_t hcap, fw_err *err)
{
    unchecked[0] = hidden[0] = '\0';
    if (!has_shards(ws, err))
        return err->code;
    if (fw_db_exec(ws->store, run_settings_sql, err) ||
        fw_db_exec(ws->store, "SELECT pg_advisory_lock_shared(" RUN_LOCK_KEY ")", err))
        return err->code;
    probe *p;
    int n;
    if (probe_shards(ws, &p, &n, err))
        return err->code;
    fw_buf list = {0}, why = {0};
    down_counties(p, n, &list, &why);
    /* Foreign tables have no statistics until ANALYZEd (autovacuum does not sample them): without
     * them the planner guesses 1,000 rows a county and picks parameterized remote scans, one round
     * trip per outer row. A sample of each reachable shard's counties costs one remote scan. */
    for (int i = 0; i < n; i++)
        for (const char *c = p[i].counties; !p[i].problem[0] && *c; c += strcspn(c, ",") + (c[strcspn(c, ",")] != 0)) {
            char county[8], ctab[FW_PART_NAME_MAX];
            snprintf(county, sizeof county, "%.6s", c);
            fw_part_county_table(county, ctab);
            char *sql = fw_printf("ANALYZE %s", ctab);
            fw_err ignored = {0};
            fw_db_exec(ws->store, sql, &ignored);
            free(sql);
        }
    int rc = FW_OK;
    if (list.len) {
        rc = record_unchecked(ws, run_id, p, n, err);
        if (!rc)
            rc = hide_counties(ws->store, list.data, rule_role, err);
        snprintf(unchecked, cap, "%s", why.data);
        if (list.len >= hcap) /* never run with a county cut off the list: it would be checked on a dead shard */
            rc = fw_fail(err, FW_EWORKSPACE, _("too many unchecked counties to leave out: %s"), why.data);
        snprintf(hidden, hcap, "%s", list.data);
    }
    free(p);
    fw_buf_free(&list);
    fw_buf_free(&why);
    return rc;
}

void fw_shard_run_end(fw_ws *ws)
{
    fw_err ignored = {0};
    long long shards = 0;
    if (!is_pg(ws) || fw_db_query_int(ws->store, "SELECT count(*) FROM shards", &shards, &ignored) || !shards)
        return;
    fw_db_exec(ws->store,
               "DO $fw$ DECLARE v text; BEGIN FOR v IN SELECT c.relname FROM pg_class c "
               "WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'v' AND c.relname <> 'ds_payments' LOOP "
               "EXECUTE format('DROP VIEW pg_temp.%I', v); END LOOP; END $fw$;\n"
               "DROP VIEW IF EXISTS pg_temp.ds_payments;\n"
               "SELECT set_config('" FW_SHARD_UNCHECKED_SETTING "', '', false);\n"
               "RESET enable_partitionwise_aggregate; RESET enable_partitionwise_join;\n"
               "SELECT pg_advisory_unlock_shared(" RUN_LOCK_KEY ")",
               &ignored);
}
