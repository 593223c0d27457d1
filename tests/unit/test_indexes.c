/* test_indexes.c: bulk loads and the indexes they leave for later (audit/import.c is_bulk_load,
 * audit/indexes.c). A file over the bulk threshold into an empty table loads with the table's
 * indexes dropped and the workspace back in WAL afterwards; a failed bulk load leaves the table,
 * its indexes and the journal mode as they were; fw_indexes_build restores every index so the
 * plans use them again, reports progress, and stops on the interrupt flag keeping what it built.
 * A second connection keeps the workspace in WAL during the load, and the load still works. */
#include <limits.h>

#include "audit/import.h"
#include "audit/indexes.h"
#include "tests/unit/testutil.h"

typedef struct fx {
    char *dir, *big; /* big: a payments file over the bulk threshold */
    fw_ws *ws;
    fw_err err;
    fw_import_result res;
} fx;

enum { BIG_ROWS = 60000, BAD_LINE = 30001 };

/* BIG_ROWS payments (> 4 MB), one person per 10 rows; bad_line (if > 0) has an invalid amount. */
static char *write_big(const char *dir, const char *name, int bad_line)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "发放流水号,身份证号码,姓名,项目名称,发放金额,发放日期,所属期,银行账号,审批人身份证号\n");
    for (int i = 0; i < BIG_ROWS; i++) {
        int line = i + 2;
        fw_buf_printf(&b, "PAY%08d,11010519491231002X,张三丰%d,城乡居民基本养老保险待遇,%s,2023-05-10,2023-05,"
                          "6217000012345678%04d,11010519491231002X\n",
                      line, i / 10, line == bad_line ? "abc" : "123.45", i % 10000);
    }
    char *path = test_write_file(dir, name, b.data, b.len);
    fw_buf_free(&b);
    return path;
}

static int setup(void **state)
{
    fx *f = fw_calloc(1, sizeof *f);
    f->ws = test_open_ws(&f->dir);
    f->big = write_big(f->dir, "big.csv", 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fw_import_result_free(&f->res);
    fw_ws_close(f->ws);
    test_rmdir(f->dir);
    free(f->dir);
    free(f->big);
    free(f);
    return 0;
}

static int import_path(fx *f, const char *path, fw_import_opts o)
{
    o.dataset = "payments";
    o.path = path;
    fw_import_result_free(&f->res);
    fw_err_clear(&f->err);
    return fw_import_file(f->ws, &o, &f->res, &f->err);
}

static long long count(fx *f, const char *sql) { return fw_ws_int(f->ws, sql); }

static long long payment_indexes(fx *f)
{
    return count(f, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ds_payments'");
}

static void assert_journal(fx *f, const char *mode)
{
    fw_stmt *st = test_prepare(f->ws, "PRAGMA journal_mode");
    assert_int_equal(test_step(st), 1);
    assert_string_equal(fw_stmt_text(st, 0), mode);
    fw_stmt_finalize(st);
}

/* The plan of a lookup by id_number names the id_number index (or not). */
static bool lookup_uses_index(fx *f)
{
    fw_stmt *st = test_prepare(f->ws, "EXPLAIN QUERY PLAN SELECT amount FROM ds_payments WHERE id_number = ?");
    bool found = false;
    while (test_step(st) == 1)
        found |= strstr(fw_stmt_text(st, 3), "ds_payments_person") != NULL;
    fw_stmt_finalize(st);
    return found;
}

static void test_bulk_load_defers_indexes(void **state)
{
    fx *f = *state;
    long long all = payment_indexes(f);
    assert_true(all >= 3);
    assert_int_equal(fw_indexes_missing(f->ws), 0);
    assert_int_equal(import_path(f, f->big, (fw_import_opts){.max_rejects = -1}), FW_OK);
    assert_true(f->res.indexes_deferred);
    assert_int_equal(f->res.rows_loaded, BIG_ROWS);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments"), BIG_ROWS);
    assert_int_equal(count(f, "SELECT sum(amount) FROM ds_payments"), 12345LL * BIG_ROWS);
    assert_int_equal(payment_indexes(f), 0);
    assert_int_equal(fw_indexes_missing(f->ws), all);
    assert_false(lookup_uses_index(f));
    assert_journal(f, "wal");
    assert_int_equal(count(f, "PRAGMA foreign_keys"), 1); /* off only for the load */
    assert_int_equal(count(f, "PRAGMA cache_size"), -2000);
    char *journal = fw_printf("%s/ws.db-journal", f->dir);
    assert_int_not_equal(access(journal, F_OK), 0); /* committed: no rollback journal left behind */
    free(journal);

    /* An index an older fundwatch declared (and one on a table that is not a dataset's) */
    assert_int_equal(fw_ws_exec(f->ws, "CREATE INDEX ds_payments_id_number ON ds_payments(id_number);"
                                       "CREATE INDEX mine ON trail(at)", &f->err), FW_OK);
    assert_int_equal(fw_indexes_build(f->ws, NULL, &f->err), FW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE name = 'ds_payments_id_number'"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE name = 'mine'"), 1);
    assert_int_equal(payment_indexes(f), all);
    assert_int_equal(fw_indexes_missing(f->ws), 0);
    assert_true(lookup_uses_index(f));
    assert_journal(f, "wal");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE id_number = '11010519491231002X'"), BIG_ROWS);
    assert_int_equal(count(f, "PRAGMA integrity_check = 1") == 0, 1); /* "ok" reads as 0 */
}

static void test_small_append_keeps_indexes(void **state)
{
    fx *f = *state;
    assert_int_equal(import_path(f, f->big, (fw_import_opts){.max_rejects = -1}), FW_OK);
    assert_int_equal(fw_indexes_build(f->ws, NULL, &f->err), FW_OK);
    /* A small file is no bulk load: the indexes are kept up to date row by row. */
    const char *small = "发放流水号,身份证号码,姓名,项目名称,发放金额,发放日期\n"
                        "S1,11010519491231002X,张三,城乡低保,1,2023-01-05\n";
    char *path = test_write_file(f->dir, "small.csv", small, strlen(small));
    assert_int_equal(import_path(f, path, (fw_import_opts){.max_rejects = -1}), FW_OK);
    assert_false(f->res.indexes_deferred);
    assert_int_equal(fw_indexes_missing(f->ws), 0);
    assert_true(lookup_uses_index(f));
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments INDEXED BY ds_payments_person "
                              "WHERE id_number = '11010519491231002X' AND row_key = 'S1'"),
                     1);
    free(path);
}

static void test_failed_bulk_load_leaves_everything(void **state)
{
    fx *f = *state;
    long long all = payment_indexes(f);
    char *bad = write_big(f->dir, "bad.csv", BAD_LINE);
    /* max_rejects 0: the one bad row fails the file after every row was inserted. */
    assert_int_equal(import_path(f, bad, (fw_import_opts){.max_rejects = 0}), FW_EDATA);
    assert_false(f->res.indexes_deferred);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments"), 0);
    assert_int_equal(payment_indexes(f), all); /* the DROP INDEX was rolled back with the rows */
    assert_journal(f, "wal");
    free(bad);
}

/* Counts the indexes announced (calls repeat while one is built), the final call, the total. */
typedef struct seen {
    const char *last;
    int indexes, finals, total;
} seen;

static int on_progress(void *ctx, int done, int total, const char *index)
{
    seen *s = ctx;
    assert_true(done >= 0 && done <= total);
    assert_true((index == NULL) == (done == total));
    if (index && index != s->last)
        s->indexes++;
    s->finals += index == NULL;
    s->last = index;
    s->total = total;
    return 0;
}

/* Stops while the second index is being built, after the progress handler's first call for it. */
static int stop_in_second(void *ctx, int done, int total, const char *index)
{
    (void)total;
    seen *s = ctx;
    if (done == 1 && index == s->last)
        return 1;
    s->last = index;
    return 0;
}

static void test_build_progress_and_interrupt(void **state)
{
    fx *f = *state;
    assert_int_equal(import_path(f, f->big, (fw_import_opts){.max_rejects = -1}), FW_OK);
    int all = fw_indexes_missing(f->ws);
    assert_true(all >= 3);
    /* Stopped before it starts: nothing built. */
    volatile sig_atomic_t stop = 1;
    fw_index_opts o = {.interrupt = &stop};
    assert_int_equal(fw_indexes_build(f->ws, &o, &f->err), FW_EINTR);
    assert_int_equal(fw_indexes_missing(f->ws), all);
    /* Stopped while the second is built: the first is kept, the second rolled back. The stop comes
     * from the progress thread's tick (20 ms); when the second index is done before that tick
     * cancels it (a loaded machine), the stop lands as it commits and the index is kept, as
     * documented: then two are built. Either way the message counts what the workspace holds. */
    seen s = {0};
    o = (fw_index_opts){.progress = stop_in_second, .progress_ctx = &s};
    assert_int_equal(fw_indexes_build(f->ws, &o, &f->err), FW_EINTR);
    int built = strstr(f->err.msg, "stopped: 1 of") ? 1 : strstr(f->err.msg, "stopped: 2 of") ? 2 : 0;
    if (built == 0)
        fail_msg("unexpected stop message: %s", f->err.msg);
    assert_int_equal(fw_indexes_missing(f->ws), all - built);
    assert_journal(f, "wal");
    assert_int_equal(count(f, "PRAGMA integrity_check = 1") == 0, 1);
    /* The rest, with progress: each announced, then one final call. */
    s = (seen){0};
    o = (fw_index_opts){.progress = on_progress, .progress_ctx = &s};
    assert_int_equal(fw_indexes_build(f->ws, &o, &f->err), FW_OK);
    assert_int_equal(s.total, all - built);
    assert_int_equal(s.indexes, all - built);
    assert_int_equal(s.finals, 1);
    assert_int_equal(fw_indexes_missing(f->ws), 0);
}

/* Runs on the importing thread mid-load: the other connection must still read (the committed
 * state: no payments yet), which it could not if the load had taken the rollback journal. */
typedef struct reader {
    fw_ws *ws;
    int reads;
} reader;

static int read_meanwhile(void *ctx, long long rows, long long done, long long total)
{
    (void)done;
    (void)total;
    reader *r = ctx;
    fw_ws *other = r->ws;
    if (rows < BIG_ROWS / 2)
        return 0;
    r->reads++;
    fw_stmt *st = test_prepare(other, "SELECT count(*) FROM ds_payments");
    assert_int_equal(test_step(st), 1);
    assert_int_equal(fw_stmt_int64(st, 0), 0);
    fw_stmt_finalize(st);
    return 0;
}

static void test_other_connection_keeps_wal(void **state)
{
    fx *f = *state;
    char *path = fw_printf("%s/ws.db", f->dir);
    fw_ws *other;
    fw_err err = {0};
    assert_int_equal(fw_ws_open(path, &other, &err), FW_OK);
    /* a blocked read fails at once instead of waiting */
    assert_int_equal(fw_db_set_lock_wait(other->store, 0, &err), FW_OK);
    reader r = {other, 0};
    assert_int_equal(import_path(f, f->big, (fw_import_opts){.max_rejects = -1, .progress = read_meanwhile,
                                                             .progress_ctx = &r}),
                     FW_OK);
    assert_true(r.reads > 0);
    assert_journal(f, "wal");
    assert_int_equal(fw_ws_int(other, "SELECT count(*) FROM ds_payments"), BIG_ROWS);
    fw_ws_close(other);
    free(path);
}

int main(void)
{
    test_use_checkout_datadir();
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_bulk_load_defers_indexes),  T(test_small_append_keeps_indexes),
        T(test_failed_bulk_load_leaves_everything), T(test_build_progress_and_interrupt),
        T(test_other_connection_keeps_wal),
    };
    return cmocka_run_group_tests_name("indexes", tests, NULL, NULL);
}
