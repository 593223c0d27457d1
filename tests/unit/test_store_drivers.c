/* test_store_drivers.c: the store interface (audit/store/store.h) on both engines. Every driver test
 * runs on a fresh SQLite file and, when FUNDWATCH_TEST_PG holds a libpq conninfo of a server where
 * that user may create databases and roles, again on a fresh PostgreSQL database; without it the
 * PostgreSQL half is reported as not tested. Then the PostgreSQL compatibility functions are checked
 * against the SQLite driver's (audit/store/sqlite_funcs.c, registered on every SQLite connection) on
 * the same inputs, and the faults a server brings (unreachable, wrong password, another
 * application's database, a newer schema, a killed connection, a timeout). */
#include <ctype.h>
#include <pthread.h>
#include <time.h>

#include "audit/store/store.h"
#include "tests/unit/testutil.h"

/* --- fixtures: a fresh workspace per test on the engine under test ------------------------------------ */

typedef struct engine_case {
    enum fw_db_engine engine;
    char *dir;     /* SQLite: scratch directory */
    char *schema;  /* PostgreSQL: scratch schema (a workspace is the first schema of the search path) */
    char *target;
    fw_db *db;
} engine_case;

static const char *pg_conninfo(void)
{
    const char *s = getenv("FUNDWATCH_TEST_PG");
    return s && *s ? s : NULL;
}

/* The admin connection (the conninfo as given) for creating databases and roles. */
static fw_db *pg_admin(void)
{
    fw_db *db;
    fw_err err = {0};
    if (fw_db_open(pg_conninfo(), NULL, &db, &err)) {
        fprintf(stderr, "FUNDWATCH_TEST_PG: %s\n", err.msg);
        fail();
    }
    return db;
}

static void admin_exec(const char *sql)
{
    fw_db *a = pg_admin();
    fw_err err = {0};
    if (fw_db_exec(a, sql, &err))
        fail_msg("%s: %s", sql, err.msg);
    fw_db_close(a);
}

static int counter;

static int setup_case(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    if (c->engine == FW_DB_SQLITE) {
        c->dir = test_tmpdir();
        c->target = fw_printf("%s/ws.db", c->dir);
    } else {
        c->schema = fw_printf("fwtest_%d_%d", (int)getpid(), ++counter);
        char *sql = fw_printf("CREATE SCHEMA %s", c->schema);
        admin_exec(sql);
        free(sql);
        c->target = fw_printf("%s options='-c search_path=%s'", pg_conninfo(), c->schema);
    }
    fw_db_opts o = {.create = true};
    if (fw_db_open(c->target, &o, &c->db, &err))
        fail_msg("open %s: %s", c->target, err.msg);
    return 0;
}

static int teardown_case(void **state)
{
    engine_case *c = *state;
    fw_db_close(c->db);
    c->db = NULL;
    if (c->engine == FW_DB_SQLITE) {
        test_rmdir(c->dir);
        free(c->dir);
    } else {
        char *sql = fw_printf("DROP SCHEMA %s CASCADE", c->schema);
        admin_exec(sql);
        free(sql);
        free(c->schema);
    }
    free(c->target);
    c->dir = c->schema = c->target = NULL;
    return 0;
}

static void exec_ok(fw_db *db, const char *sql)
{
    fw_err err = {0};
    if (fw_db_exec(db, sql, &err))
        fail_msg("%s: %s", sql, err.msg);
}

static long long int_of(fw_db *db, const char *sql)
{
    long long v = -1;
    fw_err err = {0};
    if (fw_db_query_int(db, sql, &v, &err))
        fail_msg("%s: %s", sql, err.msg);
    return v;
}

static fw_stmt *prep(fw_db *db, const char *sql)
{
    fw_stmt *st;
    fw_err err = {0};
    if (fw_db_prepare(db, sql, &st, &err))
        fail_msg("%s: %s", sql, err.msg);
    return st;
}

/* --- the engine is chosen from the target --------------------------------------------------------------- */

static void test_engine_of_target(void **state)
{
    (void)state;
    assert_int_equal(fw_db_engine_of("county.db"), FW_DB_SQLITE);
    assert_int_equal(fw_db_engine_of("/srv/fw/county.db"), FW_DB_SQLITE);
    assert_int_equal(fw_db_engine_of("./a=b.db"), FW_DB_SQLITE);
    assert_int_equal(fw_db_engine_of("postgresql://fw@db:5432/county"), FW_DB_POSTGRES);
    assert_int_equal(fw_db_engine_of("postgres:///county"), FW_DB_POSTGRES);
    assert_int_equal(fw_db_engine_of("service=county"), FW_DB_POSTGRES);
    assert_int_equal(fw_db_engine_of("host=db dbname=fw"), FW_DB_POSTGRES);
    assert_int_equal(fw_db_engine_of(" dbname = fw"), FW_DB_POSTGRES);
    fw_db *db;
    fw_err err = {0};
    assert_int_equal(fw_db_open("/nonexistent/dir/x.db", &(fw_db_opts){.create = false}, &db, &err), FW_EWORKSPACE);
    assert_null(db);
    assert_non_null(strstr(err.msg, "/nonexistent/dir/x.db"));
}

/* --- statements, parameters, types ---------------------------------------------------------------------- */

static void test_params_and_types(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    /* ? inside a literal is text, not a parameter; :who twice is one parameter */
    fw_stmt *st = prep(c->db, "SELECT CAST(? AS BIGINT) + 1 AS a, :who AS b, :who || '?:x' AS c, "
                              "CAST(? AS DOUBLE PRECISION) AS d, CAST(? AS TEXT) AS e, '?' AS f");
    assert_int_equal(fw_stmt_param_count(st), 4);
    assert_null(fw_stmt_param_name(st, 1));
    assert_string_equal(fw_stmt_param_name(st, 2), ":who");
    assert_int_equal(fw_stmt_ncols(st), 6); /* known before the first step */
    assert_string_equal(fw_stmt_col_name(st, 0), "a");
    assert_string_equal(fw_stmt_col_name(st, 5), "f");
    assert_int_equal(fw_stmt_bind_int64(st, 1, INT64_MAX - 1), FW_OK);
    assert_int_equal(fw_stmt_bind_text(st, 2, "李明\tx", -1), FW_OK);
    assert_int_equal(fw_stmt_bind_double(st, 3, 0.1), FW_OK);
    assert_int_equal(fw_stmt_bind_null(st, 4), FW_OK);
    assert_int_equal(fw_stmt_bind_int64(st, 5, 1), FW_EUSAGE);
    assert_int_equal(fw_stmt_step(st, &err), 1);
    assert_int_equal(fw_stmt_type(st, 0), FW_DBT_INT);
    assert_true(fw_stmt_int64(st, 0) == INT64_MAX);
    assert_int_equal(fw_stmt_type(st, 1), FW_DBT_TEXT);
    assert_string_equal(fw_stmt_text(st, 1), "李明\tx");
    assert_string_equal(fw_stmt_text(st, 2), "李明\tx?:x");
    assert_int_equal(fw_stmt_type(st, 3), FW_DBT_REAL);
    assert_true(fw_stmt_double(st, 3) == 0.1);
    assert_true(fw_stmt_is_null(st, 4));
    assert_null(fw_stmt_text(st, 4));
    assert_int_equal(fw_stmt_int64(st, 4), 0);
    assert_string_equal(fw_stmt_text(st, 5), "?");
    assert_int_equal(fw_stmt_step(st, &err), 0);
    fw_stmt_finalize(st);
    st = prep(c->db, "SELECT CAST(?1 AS BIGINT), CAST(?1 AS BIGINT) - 1, (1 = 1) AS yes, (1 = 2) AS no");
    fw_stmt_bind_int64(st, 1, INT64_MIN + 1);
    assert_int_equal(fw_stmt_step(st, &err), 1);
    assert_true(fw_stmt_int64(st, 0) == INT64_MIN + 1);
    assert_true(fw_stmt_int64(st, 1) == INT64_MIN);
    /* booleans read as SQLite's 1 and 0 on both */
    assert_int_equal(fw_stmt_type(st, 2), FW_DBT_INT);
    assert_string_equal(fw_stmt_text(st, 2), "1");
    assert_string_equal(fw_stmt_text(st, 3), "0");
    fw_stmt_finalize(st);
}

static void test_errors_map_to_exit_codes(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    fw_stmt *st;
    assert_int_equal(fw_db_prepare(c->db, "SELECT nosuchcolumn FROM nosuchtable", &st, &err), FW_EDATA);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_SYNTAX);
    assert_non_null(strstr(err.msg, "nosuchtable"));
    exec_ok(c->db, "CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    exec_ok(c->db, "INSERT INTO t VALUES ('a', 1)");
    static const fw_sql ins = {"t.insert", "INSERT INTO t(k, n) VALUES (?, ?)", NULL, NULL};
    assert_int_equal(fw_db_prepare_named(c->db, &ins, &st, &err), FW_OK);
    fw_stmt_bind_text(st, 1, "a", -1);
    fw_stmt_bind_int64(st, 2, 2);
    assert_int_equal(fw_stmt_step(st, &err), -1);
    assert_int_equal(err.code, FW_ECONFLICT);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_CONSTRAINT);
    assert_true(strncmp(err.msg, "t.insert: ", 10) == 0);
    fw_stmt_reset(st);
    fw_stmt_bind_text(st, 1, "b", -1);
    assert_int_equal(fw_stmt_step(st, &err), 0);
    assert_int_equal(fw_stmt_changes(st), 1);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_NONE);
    fw_stmt_finalize(st);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 2);
}

/* Two cursors on one connection: a write while a read is half-way, then the read goes on. */
static void test_interleaved_cursors(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE src (n INTEGER); CREATE TABLE dst (n INTEGER)");
    fw_stmt *ins = prep(c->db, "INSERT INTO src VALUES (?)");
    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_OK);
    for (int i = 1; i <= 500; i++) {
        fw_stmt_bind_int64(ins, 1, i);
        assert_int_equal(fw_stmt_step(ins, &err), 0);
        fw_stmt_reset(ins);
    }
    assert_int_equal(fw_db_commit(c->db, &err), FW_OK);
    fw_stmt_finalize(ins);
    fw_stmt *rd = prep(c->db, "SELECT n FROM src ORDER BY n");
    fw_stmt *wr = prep(c->db, "INSERT INTO dst VALUES (?)");
    long long sum = 0, rows = 0;
    int rc;
    while ((rc = fw_stmt_step(rd, &err)) == 1) {
        long long n = fw_stmt_int64(rd, 0);
        sum += n;
        rows++;
        if (n % 100 == 0) {
            fw_stmt_bind_int64(wr, 1, n);
            assert_int_equal(fw_stmt_step(wr, &err), 0);
            fw_stmt_reset(wr);
        }
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rows, 500);
    assert_int_equal(sum, 500 * 501 / 2);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM dst"), 5);
    /* a cursor stopped early by reset runs again from the start */
    assert_int_equal(fw_stmt_step(rd, &err), 1);
    assert_int_equal(fw_stmt_step(rd, &err), 1);
    fw_stmt_reset(rd);
    assert_int_equal(fw_stmt_step(rd, &err), 1);
    assert_int_equal(fw_stmt_int64(rd, 0), 1);
    fw_stmt_finalize(rd);
    fw_stmt_finalize(wr);
}

/* --- transactions --------------------------------------------------------------------------------------- */

static void test_transactions(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE t (k TEXT PRIMARY KEY)");
    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_OK);
    assert_true(fw_db_in_txn(c->db));
    exec_ok(c->db, "INSERT INTO t VALUES ('rolled back')");
    fw_db_rollback(c->db);
    assert_false(fw_db_in_txn(c->db));
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 0);

    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_OK);
    exec_ok(c->db, "INSERT INTO t VALUES ('kept')");
    /* a failing statement behind a savepoint: the transaction goes on */
    assert_int_equal(fw_db_savepoint(c->db, "one_rule", &err), FW_OK);
    assert_int_equal(fw_db_exec(c->db, "INSERT INTO t VALUES ('kept')", &err), FW_ECONFLICT);
    assert_int_equal(fw_db_rollback_to(c->db, "one_rule", &err), FW_OK);
    assert_int_equal(fw_db_release(c->db, "one_rule", &err), FW_OK);
    exec_ok(c->db, "INSERT INTO t VALUES ('also kept')");
    assert_int_equal(fw_db_commit(c->db, &err), FW_OK);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 2);

    /* a read-only transaction is enforced by the engine */
    assert_int_equal(fw_db_begin(c->db, FW_TXN_READ, &err), FW_OK);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 2);
    assert_int_equal(fw_db_exec(c->db, "INSERT INTO t VALUES ('refused')", &err), FW_EDATA);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_READONLY);
    fw_db_rollback(c->db);
    exec_ok(c->db, "INSERT INTO t VALUES ('after the read transaction')");
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 3);

    /* a commit after a failed statement does not pretend to have kept anything */
    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_OK);
    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_EWORKSPACE);
    exec_ok(c->db, "INSERT INTO t VALUES ('x1')");
    fw_db_rollback(c->db);
    assert_int_equal(fw_db_commit(c->db, &err), FW_EWORKSPACE); /* none open */
}

/* --- bulk load ------------------------------------------------------------------------------------------ */

static const char *const tricky[] = {
    "tab\there", "new\nline", "back\\slash", "cr\rlf", "\\N", "", "李明 公民身份号码", "end\\", "\\.", "a\"b'c",
};
enum { NTRICKY = (int)(sizeof tricky / sizeof tricky[0]) };

static void test_bulk_load_exact(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE b (n BIGINT NOT NULL, x DOUBLE PRECISION, s TEXT)");
    const char *const cols[] = {"n", "x", "s"};
    fw_bulk *b;
    long long rows = 0;
    assert_int_equal(fw_db_bulk_begin(c->db, "b", cols, 3, &b, &err), FW_OK);
    fw_stmt *st;
    assert_int_equal(fw_db_prepare(c->db, "SELECT 1", &st, &err), FW_EWORKSPACE); /* not during a load */
    for (int i = 0; i < 1000; i++) {
        long long n = i == 0 ? INT64_MIN : i == 1 ? INT64_MAX : i;
        const char *s = tricky[i % NTRICKY];
        fw_value v[3] = {{.type = FW_DBT_INT, .i = n},
                         {.type = i % 7 ? FW_DBT_REAL : FW_DBT_NULL, .d = i / 3.0},
                         {.type = i % 11 ? FW_DBT_TEXT : FW_DBT_NULL, .s = s, .len = strlen(s)}};
        assert_int_equal(fw_bulk_row(b, v, &err), FW_OK);
    }
    assert_int_equal(fw_bulk_finish(b, &rows, &err), FW_OK);
    assert_int_equal(rows, 1000);
    st = prep(c->db, "SELECT n, x, s FROM b ORDER BY n");
    int i = 0, rc;
    while ((rc = fw_stmt_step(st, &err)) == 1) {
        long long n = fw_stmt_int64(st, 0);
        int k = n == INT64_MIN ? 0 : n == INT64_MAX ? 1 : (int)n;
        if (k % 7)
            assert_true(fw_stmt_double(st, 1) == k / 3.0);
        else
            assert_true(fw_stmt_is_null(st, 1));
        if (k % 11)
            assert_string_equal(fw_stmt_text(st, 2), tricky[k % NTRICKY]);
        else
            assert_true(fw_stmt_is_null(st, 2));
        i++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(i, 1000);
    fw_stmt_finalize(st);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM b WHERE s = ''"), 91); /* '' is not NULL */
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM b WHERE s IS NULL"), 91);

    /* in the caller's transaction: all or nothing is the caller's */
    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_OK);
    assert_int_equal(fw_db_bulk_begin(c->db, "b", cols, 3, &b, &err), FW_OK);
    for (int k = 0; k < 100; k++)
        assert_int_equal(fw_bulk_row(b, (fw_value[3]){{.type = FW_DBT_INT, .i = -k}}, &err), FW_OK);
    assert_int_equal(fw_bulk_finish(b, &rows, &err), FW_OK);
    assert_int_equal(rows, 100);
    fw_db_rollback(c->db);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM b"), 1000);

    /* a refused row ends the load and leaves nothing of it */
    assert_int_equal(fw_db_bulk_begin(c->db, "b", cols, 3, &b, &err), FW_OK);
    int failed_at = -1;
    for (int k = 0; k < 200 && failed_at < 0; k++) {
        fw_value v[3] = {{.type = k == 150 ? FW_DBT_NULL : FW_DBT_INT, .i = k}};
        if (fw_bulk_row(b, v, &err))
            failed_at = k;
    }
    int rc2 = fw_bulk_finish(b, &rows, &err);
    assert_true(failed_at >= 0 || rc2 != FW_OK);
    if (failed_at >= 0 && rc2 == FW_OK) /* the row failed at once: the driver already gave up */
        fail_msg("finish after a failed row must fail too");
    assert_int_equal(err.code, FW_ECONFLICT); /* NOT NULL */
    assert_non_null(strstr(err.msg, "bulk load into b"));
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM b"), 1000);
    assert_int_equal(fw_db_bulk_begin(c->db, "b; DROP TABLE b", cols, 3, &b, &err), FW_EDATA);
}

/* --- cancel and timeout ---------------------------------------------------------------------------------- */

/* A statement that runs until stopped: the engines' texts differ, one name. */
static const fw_sql q_endless = {
    "test.endless",
    NULL,
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
    "SELECT pg_sleep(60)",
};

typedef struct canceller {
    fw_db *db;
    volatile sig_atomic_t *flag;
} canceller;

static void *cancel_soon(void *arg)
{
    canceller *k = arg;
    nanosleep(&(struct timespec){0, 300 * 1000000L}, NULL);
    if (k->flag)
        *k->flag = 1;
    else
        fw_db_cancel(k->db);
    return NULL;
}

static void run_cancelled(engine_case *c, volatile sig_atomic_t *flag)
{
    fw_err err = {0};
    fw_stmt *st;
    assert_int_equal(fw_db_prepare_named(c->db, &q_endless, &st, &err), FW_OK);
    canceller k = {c->db, flag};
    pthread_t t;
    double t0 = fw_now_seconds();
    assert_int_equal(pthread_create(&t, NULL, cancel_soon, &k), 0);
    assert_int_equal(fw_stmt_step(st, &err), -1);
    pthread_join(t, NULL);
    assert_true(fw_now_seconds() - t0 < 10);
    assert_int_equal(err.code, FW_EINTR);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_CANCELLED);
    fw_stmt_finalize(st);
    assert_int_equal(int_of(c->db, "SELECT 40 + 2"), 42); /* the connection goes on */
}

static void test_cancel_from_thread(void **state) { run_cancelled(*state, NULL); }

static void test_cancel_by_watched_flag(void **state)
{
    engine_case *c = *state;
    static volatile sig_atomic_t stop;
    stop = 0;
    fw_db_watch(c->db, &stop);
    run_cancelled(c, &stop);
    fw_db_watch(c->db, NULL);
}

static void test_statement_timeout(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    assert_int_equal(fw_db_set_timeout(c->db, 0.3, &err), FW_OK);
    fw_stmt *st;
    assert_int_equal(fw_db_prepare_named(c->db, &q_endless, &st, &err), FW_OK);
    double t0 = fw_now_seconds();
    assert_int_equal(fw_stmt_step(st, &err), -1);
    assert_true(fw_now_seconds() - t0 < 10);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_TIMEOUT);
    assert_int_equal(err.code, FW_EFAIL);
    assert_non_null(strstr(err.msg, "0.3 s"));
    assert_true(strncmp(err.msg, "test.endless: ", 14) == 0);
    fw_stmt_finalize(st);
    assert_int_equal(int_of(c->db, "SELECT 1"), 1); /* short statements still run */
    assert_int_equal(fw_db_begin(c->db, FW_TXN_READ, &err), FW_OK);
    assert_int_equal(fw_db_set_timeout(c->db, 0, &err), FW_EWORKSPACE); /* not inside a transaction */
    fw_db_rollback(c->db);
    assert_int_equal(fw_db_set_timeout(c->db, 0, &err), FW_OK);
}

/* --- guarded queries, plans, watching by a callback ------------------------------------------------ */

/* Prepares sql as a guarded query expecting a refusal; returns the check. */
static fw_query_check refused_query(fw_db *db, const char *sql, const char *const *functions)
{
    fw_query_check chk;
    fw_err err = {0};
    fw_stmt *st = NULL;
    if (fw_db_prepare_query(db, sql, functions, &st, &chk, &err) == FW_OK)
        fail_msg("accepted: %s", sql);
    assert_int_equal(err.code, FW_EDATA);
    assert_null(st);
    return chk;
}

static void test_guarded_query(void **state)
{
    engine_case *c = *state;
    exec_ok(c->db, "CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, 'y')");
    static const char *const fns[] = {"count", "upper", NULL};
    fw_query_check chk;
    fw_err err = {0};
    fw_stmt *st;
    /* a query with a parameter and an allowed function: prepared, only reads, runs */
    assert_int_equal(fw_db_prepare_query(c->db, "SELECT count(*) AS n FROM t WHERE a >= :min; -- end\n", fns, &st,
                                         &chk, &err),
                     FW_OK);
    assert_int_equal(fw_stmt_param_count(st), 1);
    assert_string_equal(fw_stmt_param_name(st, 1), ":min");
    fw_stmt_bind_int64(st, 1, 2);
    assert_int_equal(fw_stmt_step(st, &err), 1);
    assert_int_equal(fw_stmt_int64(st, 0), 1);
    fw_stmt_finalize(st);
    /* a second statement, even a harmless one: where it begins */
    const char *two = "SELECT a FROM t; SELECT 2";
    chk = refused_query(c->db, two, fns);
    assert_int_equal(chk.tail_offset, (int)(strchr(two, ';') - two) + 1);
    /* a ';' inside a string is not a second statement */
    assert_int_equal(fw_db_prepare_query(c->db, "SELECT 'a;b' AS s FROM t", NULL, &st, &chk, &err), FW_OK);
    fw_stmt_finalize(st);
    /* writes and other statements are named */
    chk = refused_query(c->db, "DELETE FROM t", fns);
    assert_string_equal(chk.refused, "DELETE");
    chk = refused_query(c->db, "INSERT INTO t VALUES (3, 'z')", fns);
    assert_string_equal(chk.refused, "INSERT");
    chk = refused_query(c->db, "BEGIN", fns);
    assert_string_equal(chk.refused, "a transaction statement");
    /* a data-modifying WITH compiles as a query but would write */
    if (c->engine == FW_DB_POSTGRES) {
        chk = refused_query(c->db, "WITH d AS (DELETE FROM t RETURNING a) SELECT a FROM d", fns);
        assert_string_equal(chk.refused, "DELETE");
        chk = refused_query(c->db, "SELECT a FROM t FOR UPDATE", fns);
        assert_true(chk.writes);
    } else { /* SQLite: a function outside the list is refused while compiling */
        chk = refused_query(c->db, "SELECT lower(b) FROM t", fns);
        assert_string_equal(chk.function, "lower");
    }
    /* a compile error points into the text */
    const char *bad = "SELECT a,\n  nosuchcol FROM t";
    chk = refused_query(c->db, bad, fns);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_SYNTAX);
    assert_true(chk.error_offset >= (int)(strchr(bad, '\n') - bad));
    chk = refused_query(c->db, "  -- nothing\n", fns);
    assert_true(chk.empty);
    /* nothing was written by any of it */
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 2);
}

static void test_query_plan(void **state)
{
    engine_case *c = *state;
    exec_ok(c->db, "CREATE TABLE p (k INTEGER PRIMARY KEY, v TEXT); CREATE TABLE q (k INTEGER, w TEXT)");
    fw_plan plan;
    fw_err err = {0};
    assert_int_equal(fw_db_plan(c->db, "SELECT p.v, q.w FROM p JOIN q ON q.k = p.k WHERE p.v = :v", &plan, &err),
                     FW_OK);
    assert_true(plan.n >= 2);
    bool saw_p = false, saw_q = false;
    for (int i = 0; i < plan.n; i++) {
        assert_true(plan.v[i].id > 0);
        bool parent_known = plan.v[i].parent == 0;
        for (int k = 0; k < plan.n && !parent_known; k++)
            parent_known = plan.v[k].id == plan.v[i].parent;
        assert_true(parent_known);
        saw_p |= strstr(plan.v[i].detail, " p") != NULL;
        saw_q |= strstr(plan.v[i].detail, " q") != NULL;
    }
    if (!saw_p || !saw_q) { /* both tables are read somewhere in the plan */
        for (int i = 0; i < plan.n; i++)
            fprintf(stderr, "plan %d %d %s\n", plan.v[i].id, plan.v[i].parent, plan.v[i].detail);
        fail_msg("a table is missing from the plan");
    }
    fw_plan_free(&plan);
    assert_int_equal(fw_db_plan(c->db, "SELECT nosuch FROM p", &plan, &err), FW_EDATA);
    assert_int_equal(plan.n, 0);
}

static bool stop_after(void *ctx)
{
    return fw_now_seconds() > *(double *)ctx;
}

static void test_watch_by_callback(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    fw_stmt *st;
    double until = fw_now_seconds() + 0.3;
    fw_db_watch_fn(c->db, stop_after, &until);
    assert_int_equal(fw_db_prepare_named(c->db, &q_endless, &st, &err), FW_OK);
    double t0 = fw_now_seconds();
    assert_int_equal(fw_stmt_step(st, &err), -1);
    assert_true(fw_now_seconds() - t0 < 10);
    assert_int_equal(err.code, FW_EINTR);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_CANCELLED);
    fw_stmt_finalize(st);
    fw_db_watch_fn(c->db, NULL, NULL);
    assert_int_equal(int_of(c->db, "SELECT 40 + 2"), 42);
}

/* --- versioned schema, settings -------------------------------------------------------------------------- */

static const fw_db_migration steps[] = {
    {1, "settings", "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)", NULL, NULL, NULL},
    {2, "cases", "CREATE TABLE cases (id INTEGER PRIMARY KEY, case_no TEXT NOT NULL)", NULL,
     "CREATE TABLE cases (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, case_no TEXT NOT NULL)", NULL},
    {3, "broken step", "CREATE TABLE half (x INTEGER); CREATE TABLE nonsense (", NULL, NULL, NULL},
};

static int version_of(fw_db *db)
{
    int v = -1;
    fw_err err = {0};
    assert_int_equal(fw_db_schema_version(db, &v, &err), FW_OK);
    return v;
}

static void test_migrations(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    int applied = -1;
    assert_int_equal(version_of(c->db), 0);
    assert_int_equal(fw_db_migrate(c->db, steps, 1, NULL, &applied, &err), FW_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, &applied, &err), FW_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(version_of(c->db), 2);
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, &applied, &err), FW_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM " FW_DB_VERSION_TABLE), 2);
    /* the identity column of the PostgreSQL text works as the SQLite rowid does */
    exec_ok(c->db, "INSERT INTO cases(case_no) VALUES ('FW-2026-000001')");
    assert_int_equal(int_of(c->db, "SELECT id FROM cases"), 1);
    /* a failing step keeps nothing of itself and names itself */
    assert_int_equal(fw_db_migrate(c->db, steps, 3, NULL, &applied, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "schema 3 (broken step)"));
    assert_int_equal(version_of(c->db), 2);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM cases"), 1);
    fw_stmt *st;
    assert_int_equal(fw_db_prepare(c->db, "SELECT * FROM half", &st, &err), FW_EDATA);
    /* settings */
    assert_null(fw_db_setting(c->db, "mask_ids"));
    assert_int_equal(fw_db_set_setting(c->db, "mask_ids", "1", &err), FW_OK);
    assert_int_equal(fw_db_set_setting(c->db, "mask_ids", "0", &err), FW_OK);
    char *v = fw_db_setting(c->db, "mask_ids");
    assert_string_equal(v, "0");
    free(v);
    /* a newer schema is refused, naming both versions */
    exec_ok(c->db, "INSERT INTO " FW_DB_VERSION_TABLE " VALUES (7, 'future', 'x', 'x', 'x')");
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, &applied, &err), FW_EWORKSPACE);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_SCHEMA_NEWER);
    assert_non_null(strstr(err.msg, "schema version 7"));
    assert_non_null(strstr(err.msg, "(up to 2)"));
}

static void test_foreign_database_refused(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE customers (id INTEGER); CREATE TABLE orders (id INTEGER)");
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, NULL, &err), FW_EWORKSPACE);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_FOREIGN);
    assert_non_null(strstr(err.msg, "another application"));
    assert_non_null(strstr(err.msg, "customers"));
    fw_stmt *st;
    assert_int_equal(fw_db_prepare(c->db, "SELECT * FROM settings", &st, &err), FW_EDATA); /* untouched */
}

/* SQLite only: the PRAGMA user_version era, and another program's application_id. */
static void test_sqlite_legacy_adopted(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL); "
                   "CREATE TABLE trail (seq INTEGER PRIMARY KEY); PRAGMA user_version = 1");
    assert_int_equal(version_of(c->db), 1);
    int applied = -1;
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, &applied, &err), FW_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM " FW_DB_VERSION_TABLE), 2);
    assert_int_equal(int_of(c->db, "PRAGMA user_version"), 2);
    /* an empty file of another program (its application_id) */
    fw_db_close(c->db);
    assert_int_equal(unlink(c->target), 0);
    assert_int_equal(fw_db_open(c->target, &(fw_db_opts){.create = true}, &c->db, &err), FW_OK);
    exec_ok(c->db, "PRAGMA application_id = 1234");
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, NULL, &err), FW_EWORKSPACE);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_FOREIGN);
    assert_non_null(strstr(err.msg, "application_id"));
}

/* --- the PostgreSQL compatibility layer against sqlite_funcs.c -------------------------------------------------- */

/* Evaluates sql with text/integer parameters on a connection; returns a malloc'd text or NULL. */
static char *eval(fw_db *db, const char *sql, const fw_value *args, int nargs)
{
    fw_err err = {0};
    fw_stmt *st = prep(db, sql);
    for (int i = 0; i < nargs; i++)
        fw_stmt_bind_value(st, i + 1, &args[i]);
    if (fw_stmt_step(st, &err) != 1)
        fail_msg("%s on %s: %s", sql, fw_db_engine_name(db), err.msg);
    char *v = fw_stmt_text(st, 0) ? fw_strdup(fw_stmt_text(st, 0)) : NULL;
    fw_stmt_finalize(st);
    return v;
}

/* As eval, but an SQL error is a result too ("<refused>"): a helper that refuses an argument (month_add
 * beyond the years 1000-9999) must refuse it on both engines. */
static char *eval_or_refusal(fw_db *db, const char *sql, const fw_value *args, int nargs)
{
    fw_err err = {0};
    fw_stmt *st = prep(db, sql);
    for (int i = 0; i < nargs; i++)
        fw_stmt_bind_value(st, i + 1, &args[i]);
    int r = fw_stmt_step(st, &err);
    char *v = r != 1 ? fw_strdup("<refused>") : fw_stmt_text(st, 0) ? fw_strdup(fw_stmt_text(st, 0)) : NULL;
    fw_stmt_finalize(st);
    return v;
}

#define T(str) {.type = FW_DBT_TEXT, .s = (str), .len = sizeof(str) - 1}
#define I(n) {.type = FW_DBT_INT, .i = (n)}
#define N {.type = FW_DBT_NULL}

typedef struct parity_case {
    const char *sql;
    int nargs;
    fw_value args[2];
} parity_case;

static const parity_case parity[] = {
    {"SELECT id_birth(?)", 1, {T("110101199003071234")}},
    {"SELECT id_birth(?)", 1, {T("11010119900307123")}},
    {"SELECT id_birth(?)", 1, {N}},
    {"SELECT id_sex(?)", 1, {T("110101199003071234")}},
    {"SELECT id_sex(?)", 1, {T("110101199003071224")}},
    {"SELECT id_sex(?)", 1, {T("1101011990030712X4")}},
    {"SELECT id_sex(?)", 1, {N}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-06")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-07")}},
    {"SELECT age_on(?, ?)", 2, {T("110101200002291234"), T("2023-02-28")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-3-7")}},
    {"SELECT age_on(?, ?)", 2, {T("1101011990X3071234"), T("2024-03-07x")}},
    {"SELECT age_on(?, ?)", 2, {N, T("2024-03-07")}},
    {"SELECT month_of(?)", 1, {T("2024-12-31")}},
    {"SELECT month_of(?)", 1, {T("2024-13-01")}},
    {"SELECT month_of(?)", 1, {T("0999-01")}},
    {"SELECT month_of(?)", 1, {T("2024/01")}},
    {"SELECT month_of(?)", 1, {T("2024-1x")}},
    {"SELECT month_of(?)", 1, {N}},
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), I(1)}},
    {"SELECT month_add(?, ?)", 2, {T("2024-12-15"), I(1)}},
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), I(-1)}},
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), I(-25)}},
    {"SELECT month_add(?, ?)", 2, {T("1000-02"), I(-1)}},               /* the first month */
    {"SELECT month_add(?, ?)", 2, {T("9999-11"), I(1)}},                /* the last month */
    {"SELECT month_add(?, ?)", 2, {T("1000-01"), I(-12001)}},           /* refused: before 1000 */
    {"SELECT month_add(?, ?)", 2, {T("1000-01"), I(-1)}},               /* refused */
    {"SELECT month_add(?, ?)", 2, {T("9999-12"), I(1)}},                /* refused: after 9999 */
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), I(4294967299LL)}},     /* refused, not truncated to 3 */
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), I(INT64_MIN + 5)}},    /* refused */
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), I(INT64_MAX)}},        /* refused */
    {"SELECT month_add(?, ?)", 2, {T("2024-012"), I(0)}},               /* atoi("012") = 12 */
    {"SELECT month_add(?, ?)", 2, {T("2024-01"), N}},
    {"SELECT months_between(?, ?)", 2, {T("2023-11-30"), T("2024-02-01")}},
    {"SELECT months_between(?, ?)", 2, {T("2024-02"), T("2023-11")}},
    {"SELECT months_between(?, ?)", 2, {T("2024-02"), T("bad")}},
    {"SELECT months_between(?, ?)", 2, {T("2024-00"), T("2024-01")}},
    {"SELECT ev(?, ?)", 2, {T("payments"), T("P000001")}},
    {"SELECT ev(?, ?)", 2, {T("payments"), N}},
    {"SELECT yuan(?)", 1, {I(0)}},
    {"SELECT yuan(?)", 1, {I(5)}},
    {"SELECT yuan(?)", 1, {I(-5)}},
    {"SELECT yuan(?)", 1, {I(-100)}},
    {"SELECT yuan(?)", 1, {I(123456)}},
    {"SELECT yuan(?)", 1, {I(100000000)}},
    {"SELECT yuan(?)", 1, {I(-123456789)}},
    {"SELECT yuan(?)", 1, {I(INT64_MAX)}},
    {"SELECT yuan(?)", 1, {I(INT64_MIN + 1)}},
    {"SELECT yuan(?)", 1, {N}},
    {"SELECT yuan(sum(x)) FROM (SELECT 150 AS x UNION ALL SELECT 250) s", 0, {N}},
    {"SELECT is_near_relation(?)", 1, {T("配偶")}},
    {"SELECT is_near_relation(?)", 1, {T("长子")}},
    {"SELECT is_near_relation(?)", 1, {T("孙子")}},
    {"SELECT is_near_relation(?)", 1, {T("外甥女")}},
    {"SELECT is_near_relation(?)", 1, {T("岳父")}},
    {"SELECT is_near_relation(?)", 1, {T("邻居")}},
    {"SELECT is_near_relation(?)", 1, {T("")}},
    {"SELECT is_near_relation(?)", 1, {N}},
    {"SELECT is_counted_vehicle(?)", 1, {T("小型轿车")}},
    {"SELECT is_counted_vehicle(?)", 1, {T("普通二轮摩托车")}},
    {"SELECT is_counted_vehicle(?)", 1, {T("残疾人专用车")}},
    {"SELECT is_counted_vehicle(?)", 1, {N}},
    {"SELECT instr(?, ?)", 2, {T("法定代表人、股东"), T("股东")}},
    {"SELECT instr(?, ?)", 2, {T("abc"), T("x")}},
    {"SELECT instr(?, ?)", 2, {T("abc"), T("")}},
    {"SELECT instr(?, ?)", 2, {N, T("a")}},
    {"SELECT instr(?, ?)", 2, {T("a"), N}},
    {"SELECT program_set(?)", 1, {T("医疗救助,低保")}},
    {"SELECT program_set(?)", 1, {T(" 低保 ,\t特困,,低保,")}},
    {"SELECT program_set(?)", 1, {T("b,a,B,A,ab")}},                  /* byte order */
    {"SELECT program_set(?)", 1, {T(" , ,")}},
    {"SELECT program_set(?)", 1, {T("")}},
    {"SELECT program_set(?)", 1, {N}},
    {"SELECT program_set(p) FROM (SELECT '医疗救助,低保' AS p UNION ALL SELECT '低保, 临时救助' "
     "UNION ALL SELECT NULL UNION ALL SELECT '') s", 0, {N}},
    {"SELECT program_set(p) FROM (SELECT 'x' AS p) s WHERE p = 'y'", 0, {N}},
    /* pg_compat 3: the well-formed fast paths of the month and age helpers, at their edges */
    {"SELECT months_between(?, ?)", 2, {T("2024-01-15"), T("2025-12")}},
    {"SELECT months_between(?, ?)", 2, {T("2024-01x"), T("2024-10")}},
    {"SELECT month_of(?)", 1, {T("2024-012")}},
    {"SELECT month_of(?)", 1, {T("1000-12-31")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-0712")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-07T10:00")}},
    {"SELECT age_on(?, ?)", 2, {T("11010119900307123X"), T("2024-03-06")}},
    /* pg_compat 5: age_on's well-formed test (LIKE and translate) against what it replaced */
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-061")}}, /* atoi reads day 61: 34, not 33 */
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-07 08:00")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-0７")}},   /* a full-width digit */
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("２024-03-07")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-07日")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024/03/07")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-7x")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("-2024-03-07")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), T("2024-03-")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199003071234"), N}},
    {"SELECT age_on(?, ?)", 2, {T("1101011990030７1234"), T("2024-03-07")}},
    {"SELECT age_on(?, ?)", 2, {T("110101-99003071234"), T("2024-03-07")}},
    {"SELECT age_on(?, ?)", 2, {T("11010119900307123"), T("2024-03-07")}},
    {"SELECT age_on(?, ?)", 2, {T("110101199013321234"), T("2024-03-07")}},  /* an impossible birth date: read, not checked */
    /* pg_compat 3: what the rule catalogue needs besides the helpers */
    {"SELECT date(?, ?)", 2, {T("2024-03-10"), T("-30 days")}},
    {"SELECT date(?, ?)", 2, {T("2024-02-28"), T("+1 day")}},
    {"SELECT date(?, ?)", 2, {T("2023-12-31 23:59:59"), T("1 days")}},
    {"SELECT date(?, ?)", 2, {T("not a date"), T("-1 days")}},
    {"SELECT date(?, ?)", 2, {N, T("-1 days")}},
    {"SELECT date(?)", 1, {T("2024-02-29")}},
    {"SELECT date(?)", 1, {T("2024/02/29")}},
    {"SELECT round(CAST(? AS DOUBLE PRECISION), 2)", 1, {T("12.3456")}},
    {"SELECT round(CAST(? AS DOUBLE PRECISION), 3)", 1, {T("-0.04321")}},
    {"SELECT round(CAST(? AS DOUBLE PRECISION) * 100, 1)", 1, {T("0.123456")}},
};

static void test_pg_compat_matches_sqlite(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    assert_int_equal(fw_db_migrate(c->db, steps, 1, NULL, NULL, &err), FW_OK); /* installs pg_compat.sql */
    char *dir = test_tmpdir();
    char *path = fw_printf("%s/ref.db", dir);
    fw_db *ref;
    assert_int_equal(fw_db_open(path, &(fw_db_opts){.create = true}, &ref, &err),
                     FW_OK);
    int mismatches = 0;
    for (size_t i = 0; i < sizeof parity / sizeof parity[0]; i++) {
        const parity_case *p = &parity[i];
        char *want = eval_or_refusal(ref, p->sql, p->args, p->nargs),
             *got = eval_or_refusal(c->db, p->sql, p->args, p->nargs);
        if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0)) {
            fprintf(stderr, "case %zu: %s: SQLite %s, PostgreSQL %s\n", i, p->sql, want ? want : "NULL",
                    got ? got : "NULL");
            mismatches++;
        }
        free(want);
        free(got);
    }
    /* group_concat: separators, NULLs, no values, DISTINCT, integers */
    const char *setup = "CREATE TABLE g (k INTEGER, x TEXT, n INTEGER);"
                        "INSERT INTO g VALUES (1, 'b', 3), (1, 'a', 1), (1, NULL, NULL), (1, 'b', 3), (1, '', 2),"
                        "(2, NULL, NULL), (3, '甲', 10)";
    exec_ok(ref, setup);
    exec_ok(c->db, setup);
    /* one group per query: the values come in table order on both engines */
    static const char *const gc[] = {
        "SELECT group_concat(x) FROM g WHERE k = 1",
        "SELECT group_concat(x) FROM g WHERE k = 2",
        "SELECT group_concat(x) FROM g WHERE k = 3",
        "SELECT group_concat(x, '、') FROM g WHERE k = 1",
        "SELECT group_concat(x, NULL) FROM g WHERE k = 1",
        "SELECT group_concat(x, '、') FROM g WHERE k = 2",
        "SELECT group_concat(n) FROM g WHERE k = 1",
        "SELECT group_concat(x) FROM g WHERE k = 99",
        "SELECT length(group_concat(DISTINCT x)), count(DISTINCT x) FROM g WHERE k = 1",
        "SELECT group_concat(DISTINCT n) FROM g WHERE k = 3",
        "SELECT k, count(*) FROM g GROUP BY k HAVING group_concat(x) IS NULL",
    };
    for (size_t i = 0; i < sizeof gc / sizeof gc[0]; i++) {
        fw_stmt *a = prep(ref, gc[i]), *b = prep(c->db, gc[i]);
        int ra, rb;
        while ((ra = fw_stmt_step(a, &err)) == 1 && (rb = fw_stmt_step(b, &err)) == 1)
            for (int col = 0; col < fw_stmt_ncols(a); col++) {
                const char *va = fw_stmt_text(a, col), *vb = fw_stmt_text(b, col);
                if ((va == NULL) != (vb == NULL) || (va && strcmp(va, vb) != 0)) {
                    fprintf(stderr, "%s: SQLite %s, PostgreSQL %s\n", gc[i], va ? va : "NULL", vb ? vb : "NULL");
                    mismatches++;
                }
            }
        fw_stmt_finalize(a);
        fw_stmt_finalize(b);
    }
    /* DISTINCT keeps each value once (the order is the engine's) */
    char *d = eval(c->db, "SELECT group_concat(DISTINCT x) FROM g WHERE k = 1", NULL, 0);
    assert_true(strcmp(d, "a,b,") == 0 || strcmp(d, ",a,b") == 0 || strcmp(d, "b,a,") == 0);
    free(d);
    assert_int_equal(mismatches, 0);
    fw_db_close(ref);
    free(path);
    test_rmdir(dir);
    free(dir);
}

/* --- faults a server brings ---------------------------------------------------------------------------------- */

static void test_pg_unreachable(void **state)
{
    (void)state;
    fw_db *db;
    fw_err err = {0};
    assert_int_equal(fw_db_open("host=127.0.0.1 port=1 dbname=x connect_timeout=3", NULL, &db, &err), FW_EWORKSPACE);
    assert_null(db);
    assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL"));
    assert_non_null(strstr(err.msg, "127.0.0.1"));
    assert_non_null(strstr(err.msg, "is the server running"));
    assert_int_equal(fw_db_open("postgresql://127.0.0.1:1/x?connect_timeout=3", NULL, &db, &err), FW_EWORKSPACE);
    assert_non_null(strstr(err.msg, "postgresql://"));
    assert_int_equal(fw_db_open("hots=db dbname=x", NULL, &db, &err), FW_EWORKSPACE); /* a misspelt keyword */
    assert_non_null(strstr(err.msg, "hots"));
}

static void test_pg_wrong_password(void **state)
{
    engine_case *c = *state;
    admin_exec("DROP ROLE IF EXISTS fw_pw_test; CREATE ROLE fw_pw_test LOGIN PASSWORD 'right-password'");
    char *bad = fw_printf("%s user=fw_pw_test password=wrong-password", c->target);
    char *good = fw_printf("%s user=fw_pw_test password=right-password", c->target);
    fw_db *db;
    fw_err err = {0};
    int rc = fw_db_open(bad, NULL, &db, &err);
    if (rc == FW_OK) {
        fw_db_close(db);
        fail_msg("the server let a wrong password in: FUNDWATCH_TEST_PG must point at a server with password "
                 "authentication (pg_virtualenv's is)");
    }
    assert_int_equal(rc, FW_EWORKSPACE);
    assert_non_null(strstr(err.msg, "fw_pw_test"));
    assert_non_null(strstr(err.msg, "password"));
    assert_null(strstr(err.msg, "wrong-password")); /* never echo a password */
    assert_int_equal(fw_db_open(good, NULL, &db, &err), FW_OK);
    assert_non_null(strstr(fw_db_where(db), "fw_pw_test@"));
    fw_db_close(db);
    free(bad);
    free(good);
    admin_exec("DROP ROLE fw_pw_test");
}

static void kill_backend(long long pid)
{
    char *sql = fw_printf("SELECT pg_terminate_backend(%lld)", pid);
    fw_db *a = pg_admin();
    assert_int_equal(int_of(a, sql), 1);
    fw_db_close(a);
    free(sql);
    nanosleep(&(struct timespec){0, 100 * 1000000L}, NULL);
}

static void test_pg_terminated_mid_transaction(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE t (n INTEGER)");
    fw_stmt *ins = prep(c->db, "INSERT INTO t VALUES (?)");
    assert_int_equal(fw_db_begin(c->db, FW_TXN_WRITE, &err), FW_OK);
    for (int i = 0; i < 10; i++) {
        fw_stmt_bind_int64(ins, 1, i);
        assert_int_equal(fw_stmt_step(ins, &err), 0);
        fw_stmt_reset(ins);
    }
    kill_backend(int_of(c->db, "SELECT pg_backend_pid()"));
    fw_stmt_bind_int64(ins, 1, 10);
    assert_int_equal(fw_stmt_step(ins, &err), -1);
    assert_int_equal(err.code, FW_EWORKSPACE);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_LOST);
    assert_non_null(strstr(err.msg, "connection to the PostgreSQL server was lost"));
    assert_non_null(strstr(err.msg, "nothing of it was written"));
    assert_int_equal(fw_db_commit(c->db, &err), FW_EWORKSPACE);
    fw_db_rollback(c->db);
    /* a new connection sees nothing of the transaction */
    fw_db *other;
    assert_int_equal(fw_db_open(c->target, NULL, &other, &err), FW_OK);
    assert_int_equal(int_of(other, "SELECT count(*) FROM t"), 0);
    fw_db_close(other);
    /* the same handle reconnects outside a transaction, and its statements work again */
    fw_stmt_reset(ins);
    fw_stmt_bind_int64(ins, 1, 99);
    assert_int_equal(fw_stmt_step(ins, &err), 0);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 1);
    /* killed between statements: the next one just works */
    kill_backend(int_of(c->db, "SELECT pg_backend_pid()"));
    fw_stmt_reset(ins);
    assert_int_equal(fw_stmt_step(ins, &err), 0);
    assert_int_equal(int_of(c->db, "SELECT count(*) FROM t"), 2);
    fw_stmt_finalize(ins);
}

static void test_pg_compat_installed_once(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    assert_int_equal(fw_db_migrate(c->db, steps, 2, NULL, NULL, &err), FW_OK);
    assert_int_equal(int_of(c->db, "SELECT fw_compat_version()"), FW_DB_PG_COMPAT_VERSION);
    assert_true(fw_db_has(c->db, FW_DBCAP_SERVER | FW_DBCAP_COPY));
    assert_false(fw_db_has(c->db, FW_DBCAP_FILE));
    /* a read-only connection is refused writes by the server */
    fw_db *ro;
    assert_int_equal(fw_db_open(c->target, &(fw_db_opts){.read_only = true}, &ro, &err), FW_OK);
    assert_int_equal(fw_db_exec(ro, "INSERT INTO settings VALUES ('a', 'b')", &err), FW_EDATA);
    assert_int_equal(fw_db_fault(ro), FW_DBF_READONLY);
    fw_db_close(ro);
}

/* --- waiting for locks, host functions ---------------------------------------------------------------------- */

typedef struct delayed_commit {
    fw_db *db;
    int after_ms;
} delayed_commit;

static void *commit_later(void *arg)
{
    delayed_commit *d = arg;
    nanosleep(&(struct timespec){d->after_ms / 1000, (long)(d->after_ms % 1000) * 1000000L}, NULL);
    fw_err err = {0};
    fw_db_commit(d->db, &err);
    return NULL;
}

/* c->db's write of the row another connection has locked: FW_OK, or the error's code. On SQLite the
 * write lock is BEGIN's; on PostgreSQL the row's, taken by the UPDATE. */
static int write_locked_row(fw_db *db, double *took, fw_err *err)
{
    double t0 = fw_now_seconds();
    int rc = fw_db_begin(db, FW_TXN_WRITE, err);
    if (!rc)
        rc = fw_db_exec(db, "UPDATE t SET v = v + 1 WHERE k = 1", err);
    *took = fw_now_seconds() - t0;
    if (rc)
        fw_db_rollback(db);
    else
        rc = fw_db_commit(db, err);
    return rc;
}

static void test_lock_wait(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t VALUES (1, 0)");
    fw_db *other;
    assert_int_equal(fw_db_open(c->target, NULL, &other, &err), FW_OK);
    assert_int_equal(fw_db_begin(other, FW_TXN_WRITE, &err), FW_OK);
    exec_ok(other, "UPDATE t SET v = 10 WHERE k = 1");
    double took;
    /* 0: fails at once, busy */
    assert_int_equal(fw_db_set_lock_wait(c->db, 0, &err), FW_OK);
    assert_int_not_equal(write_locked_row(c->db, &took, &err), FW_OK);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_BUSY);
    assert_true(took < 1.0);
    /* 300 ms: waits about that long, then fails */
    assert_int_equal(fw_db_set_lock_wait(c->db, 300, &err), FW_OK);
    assert_int_not_equal(write_locked_row(c->db, &took, &err), FW_OK);
    assert_int_equal(fw_db_fault(c->db), FW_DBF_BUSY);
    assert_true(took >= 0.25 && took < 5.0);
    /* as at open (SQLite: 30 s; PostgreSQL: no limit): waits for the other to commit, then writes */
    assert_int_equal(fw_db_set_lock_wait(c->db, FW_DB_LOCK_WAIT_AT_OPEN, &err), FW_OK);
    delayed_commit d = {other, 400};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, commit_later, &d), 0);
    int rc = write_locked_row(c->db, &took, &err);
    pthread_join(th, NULL);
    if (rc)
        fail_msg("after the other committed: %s", err.msg);
    assert_true(took >= 0.3);
    assert_int_equal(int_of(c->db, "SELECT v FROM t WHERE k = 1"), 11);
    fw_db_close(other);
}

/* shout(x): x's text in capitals with the call count; shout('fail') fails; NULL for NULL. */
static int host_shout(void *ctx, int nargs, const fw_value *args, fw_value *out, fw_err *err)
{
    int *calls = ctx;
    (*calls)++;
    assert_int_equal(nargs, 1);
    if (args[0].type == FW_DBT_NULL)
        return FW_OK; /* out stays NULL */
    if (strcmp(args[0].s, "fail") == 0)
        return fw_fail(err, FW_EDATA, "shout: refused '%s'", args[0].s);
    char *s = fw_printf("%s#%d/%c", args[0].s, *calls, args[0].type == FW_DBT_INT ? 'i' : 't');
    for (char *p = s; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    *out = (fw_value){.type = FW_DBT_TEXT, .s = s};
    return FW_OK;
}

static void test_host_function(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    int calls = 0;
    int rc = fw_db_create_function(c->db, "shout", 1, host_shout, &calls, &err);
    if (!fw_db_has(c->db, FW_DBCAP_HOST_FUNCTIONS)) {
        assert_int_equal(rc, FW_EUSAGE);
        assert_non_null(strstr(err.msg, "cannot call functions of this program (shout())"));
        return;
    }
    assert_int_equal(rc, FW_OK);
    fw_stmt *st = prep(c->db, "SELECT shout('ab'), shout(42), shout(NULL)");
    assert_int_equal(fw_stmt_step(st, &err), 1);
    assert_string_equal(fw_stmt_text(st, 0), "AB#1/T");
    assert_string_equal(fw_stmt_text(st, 1), "42#2/I");
    assert_true(fw_stmt_is_null(st, 2));
    fw_stmt_finalize(st);
    st = prep(c->db, "SELECT shout('fail')");
    assert_int_equal(fw_stmt_step(st, &err), -1);
    assert_non_null(strstr(err.msg, "shout: refused 'fail'"));
    fw_stmt_finalize(st);
}

/* --- other writers ----------------------------------------------------------------------------------------- */

static long long data_version(fw_db *db)
{
    long long v = -1;
    fw_err err = {0};
    if (fw_db_data_version(db, &v, &err))
        fail_msg("data_version: %s", err.msg);
    return v;
}

/* A commit of another connection moves the number; reading it again with no one writing does not;
 * a read of the other connection does not either. */
static void test_data_version(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    exec_ok(c->db, "CREATE TABLE t (n INTEGER)");
    fw_db *other;
    if (fw_db_open(c->target, NULL, &other, &err))
        fail_msg("second connection: %s", err.msg);
    long long v1 = data_version(c->db);
    assert_int_equal(data_version(c->db), v1);
    assert_int_equal(int_of(other, "SELECT count(*) FROM t"), 0);
    assert_int_equal(data_version(c->db), v1);
    exec_ok(other, "INSERT INTO t VALUES (1)");
    long long v2 = data_version(c->db);
    assert_true(v2 != v1);
    assert_int_equal(data_version(c->db), v2);
    /* a transaction of the other connection: nothing until it commits */
    assert_int_equal(fw_db_begin(other, FW_TXN_WRITE, &err), FW_OK);
    exec_ok(other, "INSERT INTO t VALUES (2)");
    long long v3 = data_version(c->db);
    assert_int_equal(fw_db_commit(other, &err), FW_OK);
    assert_true(data_version(c->db) != v3);
    fw_db_close(other);
}

/* Listening (issue 13): on PostgreSQL only other sessions' notices on the channel move the number
 * (not this session's own notice, not another session's write without one, which moved the snapshot
 * before), and the case ids they name are handed over once; "cases:many" says all. SQLite: listening
 * is nothing to do and the cases cannot be named (all). */
/* The number once it differs from v, waiting up to 2 s for a notice to arrive on the socket; v if
 * it never does. */
static long long data_version_after(fw_db *db, long long v)
{
    for (int i = 0; i < 200; i++) {
        long long now = data_version(db);
        if (now != v)
            return now;
        usleep(10000);
    }
    return v;
}

static void test_data_version_notices(void **state)
{
    engine_case *c = *state;
    fw_err err = {0};
    char channel[64], sql[160];
    snprintf(channel, sizeof channel, "fw_test_%d", (int)getpid());
    assert_int_equal(fw_db_listen(c->db, channel, &err), FW_OK);
    long long *ids;
    int n;
    bool all;
    if (fw_db_engine(c->db) != FW_DB_POSTGRES) {
        assert_int_equal(fw_db_changed_cases(c->db, &ids, &n, &all), FW_OK);
        assert_true(all);
        assert_int_equal(n, 0);
        free(ids);
        return;
    }
    exec_ok(c->db, "CREATE TABLE t (n INTEGER)");
    fw_db *other;
    if (fw_db_open(c->target, NULL, &other, &err))
        fail_msg("second connection: %s", err.msg);
    long long v1 = data_version(c->db);
    exec_ok(other, "INSERT INTO t VALUES (1)"); /* a write that sends no notice */
    snprintf(sql, sizeof sql, "SELECT pg_notify('%s', 'cases:5,7')", channel);
    exec_ok(c->db, sql); /* our own notice */
    assert_int_equal(data_version_after(c->db, v1), v1);
    exec_ok(other, sql);
    long long v2 = data_version_after(c->db, v1);
    assert_true(v2 != v1);
    assert_int_equal(data_version(c->db), v2);
    assert_int_equal(fw_db_changed_cases(c->db, &ids, &n, &all), FW_OK);
    assert_false(all);
    assert_int_equal(n, 2);
    assert_true(ids[0] == 5 && ids[1] == 7);
    free(ids);
    assert_int_equal(fw_db_changed_cases(c->db, &ids, &n, &all), FW_OK); /* taken: empty now */
    assert_int_equal(n, 0);
    free(ids);
    snprintf(sql, sizeof sql, "SELECT pg_notify('%s', 'cases:many')", channel);
    exec_ok(other, sql);
    assert_true(data_version_after(c->db, v2) != v2);
    assert_int_equal(fw_db_changed_cases(c->db, &ids, &n, &all), FW_OK);
    assert_true(all);
    free(ids);
    fw_db_close(other);
}

/* --- running both halves ---------------------------------------------------------------------------------------- */

typedef struct driver_test {
    const char *name;
    CMUnitTestFunction fn;
    bool sqlite, postgres;
} driver_test;

static const driver_test driver_tests[] = {
    {"params_and_types", test_params_and_types, true, true},
    {"errors_map_to_exit_codes", test_errors_map_to_exit_codes, true, true},
    {"interleaved_cursors", test_interleaved_cursors, true, true},
    {"transactions", test_transactions, true, true},
    {"bulk_load_exact", test_bulk_load_exact, true, true},
    {"cancel_from_thread", test_cancel_from_thread, true, true},
    {"cancel_by_watched_flag", test_cancel_by_watched_flag, true, true},
    {"statement_timeout", test_statement_timeout, true, true},
    {"guarded_query", test_guarded_query, true, true},
    {"query_plan", test_query_plan, true, true},
    {"watch_by_callback", test_watch_by_callback, true, true},
    {"migrations", test_migrations, true, true},
    {"foreign_database_refused", test_foreign_database_refused, true, true},
    {"sqlite_legacy_adopted", test_sqlite_legacy_adopted, true, false},
    {"lock_wait", test_lock_wait, true, true},
    {"host_function", test_host_function, true, true},
    {"pg_compat_matches_sqlite", test_pg_compat_matches_sqlite, false, true},
    {"pg_compat_installed_once", test_pg_compat_installed_once, false, true},
    {"pg_wrong_password", test_pg_wrong_password, false, true},
    {"pg_terminated_mid_transaction", test_pg_terminated_mid_transaction, false, true},
    {"data_version", test_data_version, true, true},
    {"data_version_notices", test_data_version_notices, true, true},
};
enum { NDRIVER_TESTS = (int)(sizeof driver_tests / sizeof driver_tests[0]) };

static int run_engine(enum fw_db_engine e, const char *group)
{
    static engine_case cases[NDRIVER_TESTS];
    struct CMUnitTest tests[NDRIVER_TESTS];
    char *names[NDRIVER_TESTS];
    int n = 0;
    for (int i = 0; i < NDRIVER_TESTS; i++) {
        if (!(e == FW_DB_SQLITE ? driver_tests[i].sqlite : driver_tests[i].postgres))
            continue;
        cases[n] = (engine_case){.engine = e};
        names[n] = fw_printf("%s/%s", e == FW_DB_SQLITE ? "sqlite" : "postgresql", driver_tests[i].name);
        tests[n] = (struct CMUnitTest){names[n], driver_tests[i].fn, setup_case, teardown_case, &cases[n]};
        n++;
    }
    int failed = _cmocka_run_group_tests(group, tests, (size_t)n, NULL, NULL);
    for (int i = 0; i < n; i++)
        free(names[i]);
    return failed;
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_engine_of_target),
    };
    int failed = cmocka_run_group_tests_name("store", plain, NULL, NULL);
    failed += run_engine(FW_DB_SQLITE, "store_sqlite");
    if (pg_conninfo()) {
        const struct CMUnitTest pg_plain[] = {
            cmocka_unit_test(test_pg_unreachable),
        };
        failed += cmocka_run_group_tests_name("store_postgresql_faults", pg_plain, NULL, NULL);
        failed += run_engine(FW_DB_POSTGRES, "store_postgresql");
        fw_db *a = pg_admin();
        printf("PostgreSQL: tested on %s\n", fw_db_where(a));
        fw_db_close(a);
    } else if (getenv("FUNDWATCH_REQUIRE_PG")) {
        printf("PostgreSQL: NOT TESTED, but FUNDWATCH_REQUIRE_PG is set: set FUNDWATCH_TEST_PG\n");
        failed++;
    } else {
        printf("PostgreSQL: NOT TESTED (set FUNDWATCH_TEST_PG to a libpq conninfo, see docs/store.md)\n");
    }
    return failed;
}
