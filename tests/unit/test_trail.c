/* test_trail.c: the audit trail's hash chain: an intact trail verifies with its count; each kind of
 * tampering an attacker with the file can do (edit, delete, insert, reorder, cut the tail, append
 * behind fundwatch's back, delete the head) is caught and the record named; a rolled-back change
 * leaves no record; setting changes are recorded. The attacker's SQL runs on a second connection
 * after dropping the append-only triggers, as it would with the sqlite3 shell. */
#include "audit/trail.h"
#include "tests/unit/testutil.h"

/* A workspace with five records. */
static fw_ws *five_records(char **dir)
{
    fw_ws *ws = test_open_ws(dir);
    fw_err err = {0};
    for (int i = 1; i <= 5; i++) {
        char obj[32], after[64];
        snprintf(obj, sizeof obj, "case:%d", i);
        snprintf(after, sizeof after, "{\"status\":\"s%d\"}", i);
        assert_int_equal(fw_trail_append(ws, "case.status", obj, "{}", after, &err), FW_OK);
    }
    return ws;
}

/* Tampers through a separate connection (as an attacker with the sqlite3 shell would) and returns
 * what verify says. */
static int tamper_and_verify(fw_ws *ws, const char *attack, long long *checked, fw_err *err)
{
    sqlite3 *evil;
    assert_int_equal(sqlite3_open(ws->path, &evil), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(evil, "DROP TRIGGER trail_no_update; DROP TRIGGER trail_no_delete;", NULL, NULL, &msg);
    assert_int_equal(rc, SQLITE_OK);
    rc = sqlite3_exec(evil, attack, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", attack, msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(evil);
    return fw_trail_verify(ws, checked, err);
}

static void expect_caught(const char *attack, const char *record, const char *how)
{
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    long long checked = -1;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 5);
    assert_int_equal(tamper_and_verify(ws, attack, &checked, &err), FW_EDATA);
    if (!strstr(err.msg, record) || !strstr(err.msg, how))
        fprintf(stderr, "attack: %s\nmessage: %s\n", attack, err.msg);
    assert_non_null(strstr(err.msg, record));
    assert_non_null(strstr(err.msg, how));
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_intact_trail_verifies(void **state)
{
    (void)state;
    fw_set_user("tester"); /* the records name the acting user */
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    long long checked = 0, seq;
    char hash[65];
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 5);
    fw_trail_head(ws, &seq, hash);
    assert_int_equal(seq, 5);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE seq = 5 AND hash = (SELECT substr(value, 3) "
                                   "FROM settings WHERE key = 'trail.head')"),
                     1);
    /* The stored hash is the documented function of the fields. */
    sqlite3_stmt *st;
    assert_int_equal(fw_ws_prepare(ws, "SELECT prev_hash, seq, at, user, action, object, before, after, hash "
                                       "FROM trail WHERE seq = 3", &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char h[65];
    fw_trail_hash(FW_TRAIL_VERSION, (const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1),
                  (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                  (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
                  (const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7), h);
    assert_string_equal(h, (const char *)sqlite3_column_text(st, 8));
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "tester");
    sqlite3_finalize(st);
    fw_ws_close(ws);
    test_rmdir(dir);
    fw_set_user(NULL);
    free(dir);
}

static void test_empty_trail_verifies(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    long long checked = -1;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 0);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_edited_record_caught(void **state)
{
    (void)state;
    expect_caught("UPDATE trail SET after = '{\"status\":\"dismissed\"}' WHERE seq = 3", "record 3", "changed");
    expect_caught("UPDATE trail SET user = 'nobody' WHERE seq = 2", "record 2", "changed");
}

static void test_deleted_record_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM trail WHERE seq = 3", "record 3", "deleted");
    expect_caught("DELETE FROM trail WHERE seq IN (2, 3)", "records 2..3", "deleted");
    /* Deleted and renumbered to hide the gap. */
    expect_caught("DELETE FROM trail WHERE seq = 3; UPDATE trail SET seq = seq - 1 WHERE seq > 3",
                  "record 3", "does not follow");
}

static void test_inserted_record_caught(void **state)
{
    (void)state;
    /* Make room and insert a forged record with a self-consistent hash in the middle. */
    expect_caught("UPDATE trail SET seq = seq + 10 WHERE seq >= 3; UPDATE trail SET seq = seq - 9 WHERE seq >= 13; "
                  "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash) "
                  "SELECT 3, at, user, action, object, before, after, hash, hash FROM trail WHERE seq = 2",
                  "record 3", "changed");
    expect_caught("INSERT INTO trail(seq, at, user, action, prev_hash, hash) VALUES (0, 'x', 'x', 'x', 'x', 'x')",
                  "record 0", "inserted");
}

static void test_reordered_records_caught(void **state)
{
    (void)state;
    expect_caught("UPDATE trail SET seq = 100 WHERE seq = 2; UPDATE trail SET seq = 2 WHERE seq = 3; "
                  "UPDATE trail SET seq = 3 WHERE seq = 100",
                  "record 2", "does not follow");
}

static void test_cut_tail_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM trail WHERE seq = 5", "record 5", "tail was deleted");
    expect_caught("DELETE FROM trail WHERE seq >= 4", "record 4", "tail was deleted");
}

static void test_appended_outside_caught(void **state)
{
    (void)state;
    /* A forged last record whose hash even chains correctly is still past the recorded head. */
    char *dir;
    fw_ws *ws = five_records(&dir);
    sqlite3_stmt *st;
    fw_err err = {0};
    assert_int_equal(fw_ws_prepare(ws, "SELECT hash FROM trail WHERE seq = 5", &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char prev[65], h[65];
    snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    fw_trail_hash(FW_TRAIL_VERSION, prev, 6, "2026-01-01T00:00:00Z", "mallory", "case.status", "case:1", NULL, NULL, h);
    char *attack = fw_printf("INSERT INTO trail(seq, at, user, action, object, prev_hash, hash, version) VALUES "
                             "(6, '2026-01-01T00:00:00Z', 'mallory', 'case.status', 'case:1', '%s', '%s', 2)", prev, h);
    long long checked;
    assert_int_equal(tamper_and_verify(ws, attack, &checked, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "record 6"));
    assert_non_null(strstr(err.msg, "outside fundwatch"));
    assert_int_equal(checked, 6);
    free(attack);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_deleted_head_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM settings WHERE key = 'trail.head'", "trail.head", "missing");
    expect_caught("UPDATE settings SET value = 'garbage' WHERE key = 'trail.head'", "trail.head", "malformed");
}

/* A change rolled back takes its record (and the head) with it. */
static void test_rolled_back_append_leaves_nothing(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    char before[65], after[65];
    long long s1, s2;
    fw_trail_head(ws, &s1, before);
    assert_int_equal(fw_ws_begin(ws, &err), FW_OK);
    assert_int_equal(fw_trail_append(ws, "export", "file:x.xlsx", NULL, NULL, &err), FW_OK);
    fw_ws_rollback(ws);
    fw_trail_head(ws, &s2, after);
    assert_int_equal(s1, s2);
    assert_string_equal(before, after);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail"), 5);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_setting_change_recorded(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "1", &err), FW_OK);
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "1", &err), FW_OK); /* unchanged: no record */
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "0", &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'setting'"), 2);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE seq = 2 AND before = '{\"value\":\"1\"}' "
                                   "AND after = '{\"value\":\"0\"}'"),
                     1);
    sqlite3_stmt *st;
    assert_int_equal(fw_trail_list(ws, "setting:review.second", 1, &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 2);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_json_escaping(void **state)
{
    (void)state;
    fw_buf b = {0};
    fw_buf_puts(&b, "{");
    fw_json_field_str(&b, "note", "say \"hi\"\n\\ \x01");
    fw_json_field_str(&b, "none", NULL);
    fw_json_field_int(&b, "n", -5);
    fw_buf_puts(&b, "}");
    assert_string_equal(b.data, "{\"note\":\"say \\\"hi\\\"\\n\\\\ \\u0001\",\"none\":null,\"n\":-5}");
    fw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_trail_verifies),
        cmocka_unit_test(test_empty_trail_verifies),
        cmocka_unit_test(test_edited_record_caught),
        cmocka_unit_test(test_deleted_record_caught),
        cmocka_unit_test(test_inserted_record_caught),
        cmocka_unit_test(test_reordered_records_caught),
        cmocka_unit_test(test_cut_tail_caught),
        cmocka_unit_test(test_appended_outside_caught),
        cmocka_unit_test(test_deleted_head_caught),
        cmocka_unit_test(test_rolled_back_append_leaves_nothing),
        cmocka_unit_test(test_setting_change_recorded),
        cmocka_unit_test(test_json_escaping),
    };
    return cmocka_run_group_tests_name("trail", tests, NULL, NULL);
}
