/* test_sqlfunc.c: the SQL helpers rules use (the SQLite driver's, audit/store/sqlite_funcs.c) at
 * their boundaries: month_add reads its count as 64 bits (4294967295 is not -1, as a 32-bit cut
 * made it) and refuses counts and results it cannot represent with an SQL error instead of a wrong
 * period; yuan() takes the whole 64-bit range. */
#include "tests/unit/testutil.h"

static fw_ws *ws;
static char *dir;

static int setup(void **state)
{
    (void)state;
    ws = test_open_ws(&dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
    return 0;
}

/* The text of a one-value query, or "ERROR: message". */
static char *eval(const char *sql)
{
    sqlite3_stmt *st;
    fw_err err = {0};
    assert_int_equal(fw_ws_prepare(ws, sql, &st, &err), FW_OK);
    char *out;
    if (sqlite3_step(st) == SQLITE_ROW)
        out = fw_strdup(sqlite3_column_type(st, 0) == SQLITE_NULL ? "NULL" : (const char *)sqlite3_column_text(st, 0));
    else
        out = fw_printf("ERROR: %s", sqlite3_errmsg(ws->db));
    sqlite3_finalize(st);
    return out;
}

static void expect(const char *sql, const char *want)
{
    char *got = eval(sql);
    if (strncmp(got, want, strlen(want)) != 0)
        fail_msg("%s: got '%s', want '%s'", sql, got, want);
    free(got);
}

static void test_month_add_boundaries(void **state)
{
    (void)state;
    expect("SELECT month_add('2023-03-10', 0)", "2023-03");
    expect("SELECT month_add('2023-03', -1)", "2023-02");
    expect("SELECT month_add('2023-03', 12)", "2024-03");
    expect("SELECT month_add('2023-03', '2')", "2023-05");
    expect("SELECT month_add('2023-03', 2.0)", "2023-05");
    expect("SELECT month_add('9999-11', 1)", "9999-12");
    expect("SELECT month_add('1000-02', -1)", "1000-01");
    expect("SELECT month_add('2023-03', NULL)", "NULL");
    expect("SELECT month_add('garbage', 1)", "NULL");
    /* a 32-bit cut turned 4294967295 into -1 (2023-02), a period before the death */
    expect("SELECT month_add('2023-03', 4294967295)", "ERROR: month_add: 4294967295 months from 2023-03 is outside");
    expect("SELECT month_add('2023-03', 4294967296)", "ERROR: month_add: 4294967296 months");
    expect("SELECT month_add('2023-03', 9223372036854775807)", "ERROR: month_add: 9223372036854775807 months");
    expect("SELECT month_add('2023-03', -9223372036854775808)", "ERROR: month_add: -9223372036854775808 months");
    expect("SELECT month_add('9999-12', 1)", "ERROR: month_add: 1 months from 9999-12 is outside");
    expect("SELECT month_add('1000-01', -1)", "ERROR: month_add: -1 months from 1000-01 is outside");
    expect("SELECT month_add('2023-03', 1.5)", "ERROR: month_add: the number of months must be a whole number, not '1.5'");
    expect("SELECT month_add('2023-03', 'abc')", "ERROR: month_add: the number of months must be a whole number, not 'abc'");
    expect("SELECT month_add('2023-03', 1e300)", "ERROR: month_add: the number of months must be a whole number");
}

static void test_months_between_and_yuan_take_64_bits(void **state)
{
    (void)state;
    expect("SELECT months_between('1000-01', '9999-12')", "107999");
    expect("SELECT yuan(-9223372036854775808)", "-92,233,720,368,547,758.08");
    expect("SELECT yuan(9223372036854775807)", "92,233,720,368,547,758.07");
    expect("SELECT yuan(-1)", "-0.01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_month_add_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_months_between_and_yuan_take_64_bits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
