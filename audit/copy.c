/* copy.c: a whole workspace copied into a new one, either engine to either (see copy.h). The tables
 * come from the target's catalogue in an order where a table follows those its foreign keys name;
 * each is read from the source with the target's columns and bulk-loaded (COPY on PostgreSQL). The
 * trail's first record is the one every workspace starts with (the same fields, hence the same
 * hash), which init already wrote in the target: the copy checks it is the same and appends the
 * rest. Settings replace the target's (its own workspace id and trail head among them). */
#include "audit/copy.h"
#include "audit/partition.h"

#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/store/store.h"
#include "audit/trail.h"

typedef struct table {
    char *name;
    char **parents; /* the tables its foreign keys name */
    int nparents;
    bool placed;
} table;

typedef struct table_list {
    table *v;
    int n;
} table_list;

static void tables_free(table_list *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->v[i].name);
        for (int j = 0; j < l->v[i].nparents; j++)
            free(l->v[i].parents[j]);
        free(l->v[i].parents);
    }
    free(l->v);
    *l = (table_list){0};
}

/* The schema's tables (not the version table) with the tables their foreign keys name, in the
 * order they were made. */
static const fw_sql tables_sql = {
    .name = "copy.tables",
    .sqlite = "SELECT m.name, f.\"table\" FROM sqlite_master m LEFT JOIN pragma_foreign_key_list(m.name) f "
              "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name <> 'fundwatch_schema' "
              "ORDER BY m.rowid",
    .postgres = "SELECT CAST(c.relname AS text), CAST(r.relname AS text) FROM pg_class c "
                "LEFT JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'f' "
                "LEFT JOIN pg_class r ON r.oid = k.confrelid "
                "WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relkind IN ('r', 'p') AND NOT c.relispartition "
                "AND c.relname <> 'fundwatch_schema' ORDER BY c.oid",
};

static table *find_table(table_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

static int read_tables(fw_db *db, table_list *l, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare_named(db, &tables_sql, &st, err))
        return err->code;
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        const char *name = fw_stmt_text(st, 0);
        table *t = find_table(l, name);
        if (!t) {
            l->v = fw_realloc(l->v, (size_t)(l->n + 1) * sizeof *l->v);
            t = &l->v[l->n++];
            *t = (table){.name = fw_strdup(name)};
        }
        const char *parent = fw_stmt_text(st, 1);
        if (parent && strcmp(parent, name) != 0) {
            t->parents = fw_realloc(t->parents, (size_t)(t->nparents + 1) * sizeof *t->parents);
            t->parents[t->nparents++] = fw_strdup(parent);
        }
    }
    fw_stmt_finalize(st);
    return step < 0 ? err->code : FW_OK;
}

/* The tables, each after the tables it refers to (into *order, pointers into l). */
static int order_tables(table_list *l, table ***order, fw_err *err)
{
    *order = fw_calloc((size_t)l->n + 1, sizeof **order);
    int placed = 0;
    for (bool moved = true; moved && placed < l->n;) {
        moved = false;
        for (int i = 0; i < l->n; i++) {
            table *t = &l->v[i];
            bool ready = !t->placed;
            for (int j = 0; ready && j < t->nparents; j++) {
                table *p = find_table(l, t->parents[j]);
                ready = !p || p->placed;
            }
            if (ready) {
                t->placed = true;
                (*order)[placed++] = t;
                moved = true;
            }
        }
    }
    if (placed < l->n)
        return fw_fail(err, FW_EWORKSPACE, _("cannot copy: the tables' foreign keys form a cycle"));
    return FW_OK;
}

/* The columns a SELECT * of table gives on db. */
static int table_columns(fw_db *db, const char *name, char ***cols, int *n, fw_err *err)
{
    char *sql = fw_printf("SELECT * FROM \"%s\" WHERE 1 = 0", name);
    fw_stmt *st;
    int rc = fw_db_prepare(db, sql, &st, err);
    free(sql);
    if (rc)
        return rc;
    *n = fw_stmt_ncols(st);
    *cols = fw_calloc((size_t)*n + 2, sizeof **cols);
    for (int i = 0; i < *n; i++)
        (*cols)[i] = fw_strdup(fw_stmt_col_name(st, i));
    fw_stmt_finalize(st);
    return FW_OK;
}

static bool has_column(char **cols, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return true;
    return false;
}

static void columns_free(char **cols, int n)
{
    for (int i = 0; cols && i < n; i++)
        free(cols[i]);
    free(cols);
}

/* Rows a new workspace holds in table: the trail's first record and the settings init wrote. */
static long long rows_beyond_new(fw_ws *ws, const char *name)
{
    if (strcmp(name, "settings") == 0)
        return 0;
    char *sql = strcmp(name, "trail") == 0 ? fw_strdup("SELECT count(*) FROM trail WHERE seq > 1")
                                           : fw_printf("SELECT count(*) FROM \"%s\"", name);
    long long n = fw_ws_int(ws, sql);
    free(sql);
    return n;
}

static int check_target_new(fw_ws *src, fw_ws *dst, table **order, fw_err *err)
{
    long long vs = fw_ws_int(src, "SELECT max(version) FROM fundwatch_schema");
    long long vd = fw_ws_int(dst, "SELECT max(version) FROM fundwatch_schema");
    if (vs != vd)
        return fw_fail(err, FW_EDATA, _("cannot copy: the source has schema %lld, the target %lld; open both with this fundwatch first"),
                       vs, vd);
    for (int i = 0; order[i]; i++) {
        long long n = rows_beyond_new(dst, order[i]->name);
        if (n != 0)
            return fw_fail(err, FW_EDATA,
                           _("cannot copy into %s: it already holds a workspace's data (%lld rows in %s); copy only into a new, empty workspace"),
                           fw_ws_where(dst), n, order[i]->name);
    }
    /* Every trail starts with the same record; a different one is another chain. */
    char *h1 = NULL, *h2 = NULL;
    fw_stmt *st;
    fw_err e = {0};
    for (int k = 0; k < 2; k++) {
        fw_ws *ws = k ? dst : src;
        if (fw_db_prepare(ws->store, "SELECT hash FROM trail WHERE seq = 1", &st, &e) == FW_OK) {
            if (fw_stmt_step(st, &e) == 1 && fw_stmt_text(st, 0))
                *(k ? &h2 : &h1) = fw_strdup(fw_stmt_text(st, 0));
            fw_stmt_finalize(st);
        }
    }
    bool same = h1 && h2 && strcmp(h1, h2) == 0;
    free(h1);
    free(h2);
    if (!same)
        return fw_fail(err, FW_EDATA, _("cannot copy: the first records of the two audit trails differ (run `fundwatch log verify` on the source)"));
    return FW_OK;
}

static fw_value value_of(fw_stmt *st, int i)
{
    fw_value v = {.type = fw_stmt_type(st, i)};
    if (v.type == FW_DBT_INT)
        v.i = fw_stmt_int64(st, i);
    else if (v.type == FW_DBT_REAL)
        v.d = fw_stmt_double(st, i);
    else if (v.type == FW_DBT_TEXT) {
        v.s = fw_stmt_text(st, i);
        v.len = strlen(v.s);
    }
    return v;
}

/* The bulk load takes plain names only, which it does not quote: a table with a column named
 * "user" (reserved on PostgreSQL: the trail, imports, runs, notes, the whitelist; all small) is
 * written by a prepared INSERT instead, one row at a time. */
static bool bulk_can_load(char **cols, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], "user") == 0)
            return false;
    return true;
}

static int insert_rows(fw_ws *dst, const char *name, char **cols, int n, fw_stmt *src, long long *rows, fw_err *err)
{
    fw_buf sql = {0};
    fw_buf_printf(&sql, "INSERT INTO \"%s\" (", name);
    for (int i = 0; i < n; i++)
        fw_buf_printf(&sql, "%s\"%s\"", i ? ", " : "", cols[i]);
    fw_buf_puts(&sql, ") VALUES (");
    for (int i = 0; i < n; i++)
        fw_buf_printf(&sql, "%s?", i ? ", " : "");
    fw_buf_puts(&sql, ")");
    fw_stmt *ins;
    int rc = fw_db_prepare(dst->store, sql.data, &ins, err);
    fw_buf_free(&sql);
    if (rc)
        return rc;
    int step;
    fw_err e = {0};
    while ((step = fw_stmt_step(src, &e)) == 1) {
        fw_stmt_reset(ins);
        for (int i = 0; i < n; i++) {
            fw_value v = value_of(src, i);
            fw_stmt_bind_value(ins, i + 1, &v);
        }
        if (fw_stmt_step(ins, err) < 0)
            break;
        ++*rows;
    }
    fw_stmt_finalize(ins);
    if (step == 1)
        return err->code;
    if (step < 0)
        return fw_fail(err, e.code, "%s", e.msg);
    return FW_OK;
}

static int load_rows(fw_ws *dst, const char *name, char **cols, int n, fw_stmt *st, long long *rows, fw_err *err)
{
    if (!bulk_can_load(cols, n))
        return insert_rows(dst, name, cols, n, st, rows, err);
    fw_bulk *bulk = NULL;
    if (fw_db_bulk_begin(dst->store, name, (const char *const *)cols, n, &bulk, err))
        return err->code;
    fw_value *vals = fw_calloc((size_t)n, sizeof *vals);
    int step;
    fw_err e = {0};
    while ((step = fw_stmt_step(st, &e)) == 1) {
        for (int i = 0; i < n; i++)
            vals[i] = value_of(st, i);
        if (fw_bulk_row(bulk, vals, err))
            break;
    }
    free(vals);
    if (step == 1) { /* a row failed: err says which */
        fw_bulk_abort(bulk);
        return err->code;
    }
    if (step < 0) {
        fw_bulk_abort(bulk);
        return fw_fail(err, e.code, "%s", e.msg);
    }
    long long loaded = 0;
    if (fw_bulk_finish(bulk, &loaded, err))
        return err->code;
    *rows += loaded;
    return FW_OK;
}

/* A partitioned payments table on the target (PostgreSQL, audit/partition.h) gets the partitions
 * of the source's county-years before the rows arrive: COPY into the parent refuses a row that no
 * partition takes. */
static int prepare_partitions(fw_ws *src, fw_ws *dst, const char *name, fw_err *err)
{
    if (strcmp(name, "ds_payments") != 0 || !fw_part_active(dst->store))
        return FW_OK;
    fw_stmt *st;
    if (fw_db_prepare(src->store,
                      "SELECT DISTINCT " FW_PART_COUNTY_EXPR ", " FW_PART_YEAR_EXPR " FROM ds_payments", &st, err))
        return err->code;
    int step, rc = FW_OK;
    fw_err e = {0};
    while (!rc && (step = fw_stmt_step(st, &e)) == 1) {
        const char *c = fw_stmt_text(st, 0), *y = fw_stmt_text(st, 1);
        rc = fw_part_ensure(dst->store, c ? c : "", y ? y : "", err);
    }
    fw_stmt_finalize(st);
    if (!rc && step < 0)
        rc = fw_fail(err, e.code, "%s", e.msg);
    return rc;
}

/* One table: the source's rows with the target's columns (and the row ids of the dataset tables,
 * which SQLite keeps implicit and PostgreSQL as a column), loaded into the target. */
static int copy_table(fw_ws *src, fw_ws *dst, const char *name, long long *rows, fw_err *err)
{
    char **cols = NULL, **scols = NULL;
    int n = 0, ns = 0;
    if (table_columns(dst->store, name, &cols, &n, err) || table_columns(src->store, name, &scols, &ns, err)) {
        columns_free(cols, n);
        return err->code;
    }
    if (has_column(scols, ns, "rowid") && !has_column(cols, n, "rowid"))
        cols[n++] = fw_strdup("rowid");
    columns_free(scols, ns);
    if (prepare_partitions(src, dst, name, err)) {
        columns_free(cols, n);
        return err->code;
    }
    fw_buf sel = {0};
    fw_buf_puts(&sel, "SELECT ");
    for (int i = 0; i < n; i++)
        fw_buf_printf(&sel, "%s\"%s\"", i ? ", " : "", cols[i]);
    fw_buf_printf(&sel, " FROM \"%s\"%s", name, strcmp(name, "trail") == 0 ? " WHERE seq > 1 ORDER BY seq" : "");
    fw_stmt *st;
    int rc = fw_db_prepare(src->store, sel.data, &st, err);
    fw_buf_free(&sel);
    if (rc != FW_OK) {
        columns_free(cols, n);
        return rc;
    }
    rc = load_rows(dst, name, cols, n, st, rows, err);
    fw_stmt_finalize(st);
    columns_free(cols, n);
    return rc;
}

/* PostgreSQL's identity columns go on after the copied ids (SQLite's rowids do by themselves). */
static const fw_sql identities_sql = {
    .name = "copy.identities",
    .sql = "SELECT NULL, NULL WHERE 1 = 0",
    .postgres = "SELECT CAST(c.relname AS text), CAST(a.attname AS text) FROM pg_attribute a "
                "JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = CAST(current_schema() AS regnamespace) "
                "AND c.relkind IN ('r', 'p') AND a.attidentity <> '' AND NOT a.attisdropped",
};

static int move_identities(fw_ws *dst, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare_named(dst->store, &identities_sql, &st, err))
        return err->code;
    fw_buf sql = {0};
    fw_buf_puts(&sql, "");
    int step;
    while ((step = fw_stmt_step(st, err)) == 1)
        fw_buf_printf(&sql, "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'), COALESCE(max(\"%s\"), 0) + 1, false) "
                            "FROM \"%s\";",
                      fw_stmt_text(st, 0), fw_stmt_text(st, 1), fw_stmt_text(st, 1), fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
    int rc = step < 0 ? err->code : sql.len ? fw_db_exec(dst->store, sql.data, err) : FW_OK;
    fw_buf_free(&sql);
    return rc;
}

static int copy_all(fw_ws *src, fw_ws *dst, table **order, fw_copy_stats *stats, fw_err *err)
{
    if (fw_ws_exec(dst, "DELETE FROM settings", err))
        return err->code;
    for (int i = 0; order[i]; i++) {
        if (copy_table(src, dst, order[i]->name, &stats->rows, err)) {
            char *why = fw_strdup(err->msg);
            fw_fail(err, err->code, _("cannot copy table %s: %s"), order[i]->name, why);
            free(why);
            return err->code;
        }
        stats->tables++;
    }
    if (move_identities(dst, err))
        return err->code;
    if (fw_trail_verify(dst, &stats->trail, err))
        return err->code;
    long long src_seq;
    char src_hash[65];
    fw_trail_head(src, &src_seq, src_hash);
    fw_trail_head(dst, &stats->head_seq, stats->head_hash);
    if (src_seq != stats->head_seq || strcmp(src_hash, stats->head_hash) != 0)
        return fw_fail(err, FW_EDATA, _("cannot copy: the copy's trail head (record %lld) is not the source's (record %lld)"),
                       stats->head_seq, src_seq);
    return FW_OK;
}

int fw_ws_copy(fw_ws *src, fw_ws *dst, fw_copy_stats *stats, fw_err *err)
{
    *stats = (fw_copy_stats){0};
    table_list l = {0};
    table **order = NULL;
    int rc = read_tables(dst->store, &l, err);
    if (rc == FW_OK)
        rc = order_tables(&l, &order, err);
    if (rc == FW_OK)
        rc = check_target_new(src, dst, order, err);
    /* One snapshot of the source, one transaction on the target: all of it or nothing. */
    bool src_txn = false;
    if (rc == FW_OK && (rc = fw_db_begin(src->store, FW_TXN_READ, err)) == FW_OK)
        src_txn = true;
    if (rc == FW_OK && (rc = fw_ws_begin(dst, err)) == FW_OK) {
        rc = copy_all(src, dst, order, stats, err);
        if (rc == FW_OK)
            rc = fw_ws_commit(dst, err);
        else
            fw_ws_rollback(dst);
    }
    if (src_txn)
        fw_db_rollback(src->store);
    free(order);
    tables_free(&l);
    return rc;
}
