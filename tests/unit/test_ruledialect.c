/* test_ruledialect.c: the rule assembler's PostgreSQL spelling (audit/ruledialect.c). Each of
 * SQLite's forms the shipped rules use is rewritten, only where it is that form (a binary + stays,
 * IS NULL stays, a CROSS JOIN without ON stays, text in quotes and comments is never touched), and
 * an offset of the result maps back to the byte of the rule text it came from. tests/e2e/
 * run_postgres.sh runs the rewritten catalogue on a real server. */
#include "tests/unit/testutil.h"

#include "audit/ruledialect.h"

static void expect_pg(const char *sqlite, const char *want)
{
    char *got = fw_rule_sql_postgres(sqlite, NULL);
    if (strcmp(got, want) != 0)
        fail_msg("%s\n  gave %s\n  want %s", sqlite, got, want);
    free(got);
}

static void test_joins(void **state)
{
    (void)state;
    expect_pg("SELECT 1 FROM a CROSS JOIN payments p ON p.id = a.id", "SELECT 1 FROM a JOIN payments p ON p.id = a.id");
    expect_pg("SELECT 1 FROM a CROSS JOIN (SELECT x FROM b) q ON q.x = a.x",
              "SELECT 1 FROM a JOIN (SELECT x FROM b) q ON q.x = a.x");
    expect_pg("SELECT 1 FROM a CROSS JOIN b WHERE b.x = a.x", "SELECT 1 FROM a CROSS JOIN b WHERE b.x = a.x");
    expect_pg("SELECT 1 FROM t JOIN b LEFT JOIN d ON d.x = t.x", "SELECT 1 FROM t CROSS JOIN b LEFT JOIN d ON d.x = t.x");
    expect_pg("SELECT 1 FROM a JOIN b AS c USING (x)", "SELECT 1 FROM a JOIN b AS c USING (x)");
    expect_pg("SELECT 1 FROM a LEFT JOIN b ON b.x = a.x", "SELECT 1 FROM a LEFT JOIN b ON b.x = a.x");
}

static void test_unary_plus(void **state)
{
    (void)state;
    expect_pg("SELECT a FROM p WHERE +p.program = 'x' GROUP BY +p.id_number",
              "SELECT a FROM p WHERE p.program = 'x' GROUP BY p.id_number");
    expect_pg("SELECT q.q3 + 1.5 * (q.q3 - q.q1), (a) + b, 1 + 2 FROM q", "SELECT q.q3 + 1.5 * (q.q3 - q.q1), (a) + b, 1 + 2 FROM q");
    expect_pg("SELECT '+x', -- +y\n 1", "SELECT '+x', -- +y\n 1");
}

static void test_is_and_in(void **state)
{
    (void)state;
    expect_pg("SELECT 1 WHERE a.t IS b.t AND c IS NOT d", "SELECT 1 WHERE a.t IS NOT DISTINCT FROM b.t AND c IS DISTINCT FROM d");
    expect_pg("SELECT 1 WHERE a IS NULL AND b IS NOT NULL AND c IS NOT DISTINCT FROM d",
              "SELECT 1 WHERE a IS NULL AND b IS NOT NULL AND c IS NOT DISTINCT FROM d");
    expect_pg("SELECT 1 WHERE r.id IN lb AND r.x IN (1, 2) AND r.y NOT IN lb2",
              "SELECT 1 WHERE r.id IN (SELECT * FROM lb) AND r.x IN (1, 2) AND r.y NOT IN (SELECT * FROM lb2)");
    expect_pg("SELECT 'a IS b', \"IS\" FROM t", "SELECT 'a IS b', \"IS\" FROM t");
}

static void test_casts(void **state)
{
    (void)state;
    expect_pg("SELECT CAST(substr(id, 1, 17) AS INTEGER), CAST(:f AS REAL), CAST(x AS TEXT)",
              "SELECT CAST(substr(id, 1, 17) AS BIGINT), CAST(:f AS DOUBLE PRECISION), CAST(x AS TEXT)");
    expect_pg("SELECT 1 AS real_thing, x AS integer_col", "SELECT 1 AS real_thing, x AS integer_col");
}

static void test_group_by_rid(void **state)
{
    (void)state;
    expect_pg("SELECT p.rid, p.id_number, p.name, max(b.x) AS m FROM b JOIN payments p ON p.id_number = b.id "
              "GROUP BY p.rid",
              "SELECT p.rid, p.id_number, p.name, max(b.x) AS m FROM b JOIN payments p ON p.id_number = b.id "
              "GROUP BY p.rid, p.id_number, p.name");
    expect_pg("SELECT k.cid, p.rid, p.amount FROM k JOIN payments p ON p.id_number = k.id GROUP BY k.cid, p.rid",
              "SELECT k.cid, p.rid, p.amount FROM k JOIN payments p ON p.id_number = k.id GROUP BY k.cid, p.rid, p.amount, "
              "p.id_number");
    /* only the columns of its own SELECT, not an outer one's */
    expect_pg("SELECT p.zz FROM (SELECT p.rid, p.a FROM payments p GROUP BY p.rid) p",
              "SELECT p.zz FROM (SELECT p.rid, p.a FROM payments p GROUP BY p.rid, p.a) p");
    expect_pg("SELECT p.rid FROM payments p WHERE p.rid > 3", "SELECT p.rid FROM payments p WHERE p.rid > 3");
}

/* Every offset of the result maps to the rule text's byte it came from: the error position of a
 * rewritten query names the rule file's line. */
static void test_offsets_map_back(void **state)
{
    (void)state;
    const char *sql = "SELECT a\nFROM x CROSS JOIN y ON y.a = x.a\nWHERE +x.b IS y.b\nAND oops";
    int *map;
    char *pg = fw_rule_sql_postgres(sql, &map);
    assert_string_equal(pg, "SELECT a\nFROM x JOIN y ON y.a = x.a\nWHERE x.b IS NOT DISTINCT FROM y.b\nAND oops");
    const char *at = strstr(pg, "oops");
    assert_int_equal(map[at - pg], (int)(strstr(sql, "oops") - sql));
    at = strstr(pg, "DISTINCT");
    assert_int_equal(map[at - pg], (int)(strstr(sql, "IS y") - sql));
    assert_int_equal(map[strlen(pg)], (int)strlen(sql));
    free(pg);
    free(map);
    expect_pg("", "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_joins),           cmocka_unit_test(test_unary_plus),
        cmocka_unit_test(test_is_and_in),       cmocka_unit_test(test_casts),
        cmocka_unit_test(test_group_by_rid),    cmocka_unit_test(test_offsets_map_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
