/* test_kiosk.c: the kiosk's queries on SQLite (audit/kiosk.h): the ID check, the name mask, the
 * 24-month window ending at the ledger's latest month, the rate limit, reports only on the ID's own
 * payments, and a trail that holds hashes, not ID numbers, and still verifies. (PostgreSQL's
 * functions: tests/e2e/kiosk_postgres.sh.) */
#include "tests/unit/testutil.h"

#include "audit/kiosk.h"
#include "audit/trail.h"

#define ID_A "520102195503120016"
#define ID_B "11010519491231002X"

typedef struct fixture {
    char *dir;
    fw_ws *ws;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    char *path = fw_printf("%s/ws.db", f->dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_open(path, &f->ws, &err), FW_OK);
    free(path);
    /* A: 30 monthly payments 2021-01..2023-06, pay_date only for the first, period for the rest;
     * B: one payment in 2023-06. */
    assert_int_equal(fw_ws_exec(f->ws,
        "INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, user, started_at)"
        " VALUES (1, 'payments', 'p.csv', 'x', 'UTF-8', 'append', 'loaded', 't', 'x');"
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)"
        " INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date, period,"
        "  township)"
        " SELECT 1, i + 2, 'A' || i, '" ID_A "', '张三', '低保', 36000 + i,"
        "  printf('%04d-%02d-15', 2021 + i / 12, i % 12 + 1),"
        "  CASE WHEN i = 0 THEN NULL ELSE printf('%04d-%02d', 2021 + i / 12, i % 12 + 1) END, '新州镇' FROM n;"
        "INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date, period)"
        " VALUES (1, 40, 'B0', '" ID_B "', '欧阳娜娜', '高龄津贴', 10000, '2023-06-20', '2023-06');",
        &err), FW_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    fw_ws_close(f->ws);
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void test_id_check(void **state)
{
    (void)state;
    char out[19];
    assert_true(fw_kiosk_id_valid(ID_A, out));
    assert_string_equal(out, ID_A);
    assert_true(fw_kiosk_id_valid("11010519491231002x", out));
    assert_string_equal(out, ID_B);
    assert_false(fw_kiosk_id_valid("520102195503120017", out)); /* wrong check digit */
    assert_string_equal(out, "");
    assert_false(fw_kiosk_id_valid("52010219550312001", out));  /* 17 characters */
    assert_false(fw_kiosk_id_valid("5201021955031200X6", out)); /* X not last */
    assert_false(fw_kiosk_id_valid(NULL, out));
}

static void test_mask(void **state)
{
    (void)state;
    char out[64];
    fw_kiosk_mask_name("张三", out, sizeof out);
    assert_string_equal(out, "张*");
    fw_kiosk_mask_name("欧阳娜娜", out, sizeof out);
    assert_string_equal(out, "欧***");
    fw_kiosk_mask_name("张", out, sizeof out);
    assert_string_equal(out, "张*");
    fw_kiosk_mask_name("张*", out, sizeof out); /* a name the server masked stays as it is */
    assert_string_equal(out, "张*");
    fw_kiosk_mask_name("", out, sizeof out);
    assert_string_equal(out, "");
}

static long long lookups(fixture *f)
{
    return fw_ws_int(f->ws, "SELECT count(*) FROM trail WHERE action = 'kiosk.lookup'");
}

static void test_lookup_window(void **state)
{
    fixture *f = *state;
    fw_kiosk_result r;
    fw_err err = {0};
    assert_int_equal(fw_kiosk_lookup(f->ws, "K1", ID_A, 100, &r, &err), FW_OK);
    assert_int_equal(r.status, FW_KIOSK_FOUND);
    assert_string_equal(r.from, "2021-07");
    assert_string_equal(r.to, "2023-06");
    assert_int_equal(r.n, 24); /* 2021-01..2021-06 are outside the window */
    assert_string_equal(r.name, "张*");
    assert_string_equal(r.rows[0].period, "2023-06");
    assert_int_equal(r.rows[0].amount, 36029);
    assert_string_equal(r.rows[0].department, "新州镇");
    assert_string_equal(r.rows[23].period, "2021-07");
    fw_kiosk_result_free(&r);
    /* a valid ID without payments; a wrong check digit is not looked up at all */
    assert_int_equal(fw_kiosk_lookup(f->ws, "K1", "520102196001010022", 100, &r, &err), FW_OK);
    assert_int_equal(r.status, FW_KIOSK_NONE);
    assert_string_equal(r.to, "2023-06");
    assert_int_equal(r.n, 0);
    long long before = lookups(f);
    assert_int_equal(fw_kiosk_lookup(f->ws, "K1", "520102195503120017", 100, &r, &err), FW_OK);
    assert_int_equal(r.status, FW_KIOSK_BAD_ID);
    assert_int_equal(lookups(f), before);
    assert_int_equal(before, 2);
    /* the trail holds the salted hash, never the number */
    char h[65];
    fw_kiosk_id_hash(f->ws, ID_A, h);
    char *sql = fw_printf("SELECT count(*) FROM trail WHERE after LIKE '%%%s%%'", h);
    assert_int_equal(fw_ws_int(f->ws, sql), 1);
    free(sql);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM trail WHERE after LIKE '%5201021955%'"), 0);
}

static void test_rate(void **state)
{
    fixture *f = *state;
    fw_kiosk_result r;
    fw_err err = {0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(fw_kiosk_lookup(f->ws, "K2", ID_A, 3, &r, &err), FW_OK);
        assert_int_equal(r.status, FW_KIOSK_FOUND);
        fw_kiosk_result_free(&r);
    }
    assert_int_equal(fw_kiosk_lookup(f->ws, "K2", ID_A, 3, &r, &err), FW_OK);
    assert_int_equal(r.status, FW_KIOSK_RATE);
    assert_int_equal(r.rate, 3);
    assert_int_equal(r.n, 0);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM trail WHERE action = 'kiosk.refused' "
                                      "AND object = 'kiosk:K2' AND after LIKE '%\"why\":\"rate\"%'"), 1);
    /* refusals do not count; another kiosk has its own minute */
    assert_int_equal(fw_kiosk_lookup(f->ws, "K3", ID_A, 3, &r, &err), FW_OK);
    assert_int_equal(r.status, FW_KIOSK_FOUND);
    fw_kiosk_result_free(&r);
}

static void test_report(void **state)
{
    fixture *f = *state;
    long long id = 0;
    fw_err err = {0};
    assert_int_equal(fw_kiosk_report(f->ws, "K1", ID_A, "A29", &id, &err), FW_OK);
    assert_int_equal(id, 1);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM reports WHERE payment_key = 'A29' AND id_number = '" ID_A
                                      "' AND period = '2023-06' AND amount = 36029 AND kiosk = 'K1'"),
                     1);
    /* B's payment cannot be reported with A's number: nothing is written */
    long long before = fw_ws_int(f->ws, "SELECT count(*) FROM trail");
    assert_int_equal(fw_kiosk_report(f->ws, "K1", ID_A, "B0", &id, &err), FW_EDATA);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM citizen_reports"), 1);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM trail"), before);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM trail WHERE action = 'kiosk.report' "
                                      "AND after LIKE '%\"payment\":\"payments:A29\"%'"), 1);
    long long checked = 0;
    assert_int_equal(fw_trail_verify(f->ws, &checked, &err), FW_OK);
}

/* The kiosk's own connection (FW_WS_KIOSK) on SQLite writes its reports and the trail, nothing else. */
static void test_kiosk_connection_writes_only_reports(void **state)
{
    fixture *f = *state;
    char *path = fw_printf("%s/ws.db", f->dir);
    fw_ws *k;
    fw_err err = {0};
    assert_int_equal(fw_ws_open_mode(path, FW_WS_KIOSK, &k, &err), FW_OK);
    free(path);
    fw_kiosk_result r;
    int rc = fw_kiosk_lookup(k, "K1", ID_A, 100, &r, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, FW_OK);
    assert_int_equal(r.status, FW_KIOSK_FOUND);
    fw_kiosk_result_free(&r);
    long long id = 0;
    assert_int_equal(fw_kiosk_report(k, "K1", ID_A, "A3", &id, &err), FW_OK);
    const char *refused[] = {"DELETE FROM ds_payments", "UPDATE ds_payments SET amount = 0",
                             "INSERT INTO hits(fingerprint) VALUES ('x')", "DROP TABLE citizen_reports",
                             "CREATE TABLE t(x)", "PRAGMA user_version = 99", "ATTACH ':memory:' AS m"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        memset(&err, 0, sizeof err);
        assert_int_not_equal(fw_ws_exec(k, refused[i], &err), FW_OK);
    }
    fw_ws_close(k);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM ds_payments"), 31);
    assert_int_equal(fw_ws_int(f->ws, "SELECT count(*) FROM citizen_reports"), 1);
    long long checked = 0;
    assert_int_equal(fw_trail_verify(f->ws, &checked, &err), FW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_check),
        cmocka_unit_test(test_mask),
        cmocka_unit_test_setup_teardown(test_lookup_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_connection_writes_only_reports, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
