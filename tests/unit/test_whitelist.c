/* test_whitelist.c: known exceptions: input is checked (nothing written on bad input), an entry
 * suppresses its person and rule through its last day and not after, removal is kept and recorded,
 * and the SQL view the engine reads agrees with fw_whitelist_active. */
#include <time.h>

#include "audit/trail.h"
#include "audit/whitelist.h"
#include "tests/unit/testutil.h"

static const char person[] = "520102195503120016";

static void today_plus(int days, char out[11])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static void test_bad_input_refused(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    long long id = 0;
    char yesterday[11];
    today_plus(-1, yesterday);
    assert_int_equal(fw_whitelist_add(ws, "52010219550312001", "DEC-001", "r", NULL, &id, &err), FW_EDATA);
    assert_int_equal(fw_whitelist_add(ws, "520102195503120017", "DEC-001", "r", NULL, &id, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "check character"));
    assert_int_equal(fw_whitelist_add(ws, "520102550312001", "DEC-001", "r", NULL, &id, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "15-digit ID number; whitelist its 18-character form 520102195503120016"));
    assert_int_equal(fw_whitelist_add(ws, person, "DEC 001", "r", NULL, &id, &err), FW_EDATA);
    assert_int_equal(fw_whitelist_add(ws, person, "DEC-001", " ", NULL, &id, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "reason"));
    assert_int_equal(fw_whitelist_add(ws, person, "DEC-001", "r", "2026-02-30", &id, &err), FW_EDATA);
    assert_int_equal(fw_whitelist_add(ws, person, "DEC-001", "r", yesterday, &id, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "past"));
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM whitelist"), 0);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action <> 'trail.start'"), 0);
    /* Lower-case x is accepted and stored upper-case; the rule id is upper-cased. */
    assert_int_equal(fw_whitelist_add(ws, "11010519491231002x", "dec-001", "r", NULL, &id, &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM whitelist WHERE id_number = '11010519491231002X' "
                                   "AND rule_id = 'DEC-001'"),
                     1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_expiry(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    long long id;
    char today[11];
    today_plus(0, today);
    assert_int_equal(fw_whitelist_add(ws, person, "DEC-001", "政策允许: 丧葬补助", "2030-06-30", &id, &err), FW_OK);
    assert_true(fw_whitelist_active(ws, person, "DEC-001", "2030-06-29"));
    assert_true(fw_whitelist_active(ws, person, "DEC-001", "2030-06-30")); /* the last day counts */
    assert_false(fw_whitelist_active(ws, person, "DEC-001", "2030-07-01"));
    assert_false(fw_whitelist_active(ws, person, "DEC-002", "2030-06-01")); /* other rule */
    assert_false(fw_whitelist_active(ws, "11010519491231002X", "DEC-001", "2030-06-01")); /* other person */
    /* The engine's view says the same for today. */
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM whitelist_active WHERE id_number = '520102195503120016' "
                                   "AND rule_id = 'DEC-001'"),
                     1);
    /* An entry that expired (written as an old workspace would hold it) suppresses nothing. */
    assert_int_equal(fw_ws_exec(ws, "UPDATE whitelist SET until = '2020-01-01'", &err), FW_OK);
    assert_false(fw_whitelist_active(ws, person, "DEC-001", NULL));
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM whitelist_active"), 0);
    sqlite3_stmt *st;
    assert_int_equal(fw_whitelist_list(ws, false, NULL, &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(fw_whitelist_list(ws, true, NULL, &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 7), "expired");
    sqlite3_finalize(st);
    /* No end date: in force until removed. */
    assert_int_equal(fw_whitelist_add(ws, person, "VEH-001", "残疾人代步车", NULL, &id, &err), FW_OK);
    assert_true(fw_whitelist_active(ws, person, "VEH-001", "2099-12-31"));
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_remove_kept_and_recorded(void **state)
{
    (void)state;
    fw_set_user("tester"); /* the records name the acting user */
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    long long id;
    assert_int_equal(fw_whitelist_add(ws, person, "DEC-001", "reason", NULL, &id, &err), FW_OK);
    assert_int_equal(fw_whitelist_remove(ws, id + 1, &err), FW_ENOTFOUND);
    assert_int_equal(fw_whitelist_remove(ws, id, &err), FW_OK);
    assert_int_equal(fw_whitelist_remove(ws, id, &err), FW_ECONFLICT);
    assert_false(fw_whitelist_active(ws, person, "DEC-001", NULL));
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM whitelist WHERE removed_by = 'tester'"), 1);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'whitelist.add' "
                                   "AND after LIKE '%\"reason\":\"reason\"%'"),
                     1);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'whitelist.remove' "
                                   "AND before LIKE '%DEC-001%'"),
                     1);
    sqlite3_stmt *st;
    assert_int_equal(fw_whitelist_list(ws, true, NULL, &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 7), "removed");
    sqlite3_finalize(st);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 3); /* trail.start, add, remove */
    fw_ws_close(ws);
    test_rmdir(dir);
    fw_set_user(NULL);
    free(dir);
}

/* The form's checks, one field at a time, refuse what fw_whitelist_add refuses, with the reason. */
static void test_field_checks(void **state)
{
    (void)state;
    fw_err err = {0};
    char id[19], rule[33], yesterday[11], tomorrow[11];
    today_plus(-1, yesterday);
    today_plus(1, tomorrow);
    assert_int_equal(fw_whitelist_check_id("520102195503120017", id, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "check character"));
    assert_int_equal(fw_whitelist_check_id("11010519491231002x", id, &err), FW_OK);
    assert_string_equal(id, "11010519491231002X");
    assert_int_equal(fw_whitelist_check_rule("DEC 001", rule, &err), FW_EDATA);
    assert_int_equal(fw_whitelist_check_rule("dec-001", rule, &err), FW_OK);
    assert_string_equal(rule, "DEC-001");
    assert_int_equal(fw_whitelist_check_reason("  ", "DEC-001", &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "DEC-001"));
    assert_int_equal(fw_whitelist_check_reason("政策允许", "DEC-001", &err), FW_OK);
    assert_int_equal(fw_whitelist_check_until("2026-02-30", &err), FW_EDATA);
    assert_int_equal(fw_whitelist_check_until(yesterday, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "past"));
    assert_int_equal(fw_whitelist_check_until(tomorrow, &err), FW_OK);
    assert_int_equal(fw_whitelist_check_until("", &err), FW_OK);
    assert_int_equal(fw_whitelist_check_until(NULL, &err), FW_OK);
}

/* With review.second = 1 an entry waits for a second user: it suppresses nothing while pending,
 * its author cannot approve it, another user's approval puts it in force and a rejection keeps it,
 * removed; each step is in the trail and the chain verifies. */
static void test_second_reviewer(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    long long a, b;
    assert_int_equal(fw_ws_set_setting(ws, "review.second", "1", &err), FW_OK);
    fw_set_user("alice");
    assert_int_equal(fw_whitelist_add(ws, person, "DEC-001", "政策允许", NULL, &a, &err), FW_OK);
    assert_int_equal(fw_whitelist_add(ws, person, "VEH-001", "代步车", NULL, &b, &err), FW_OK);
    assert_false(fw_whitelist_active(ws, person, "DEC-001", NULL));
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM whitelist_active"), 0);
    sqlite3_stmt *st;
    assert_int_equal(fw_whitelist_list(ws, false, NULL, &st, &err), FW_OK); /* pending ones are listed */
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 7), "pending");
    sqlite3_finalize(st);
    assert_int_equal(fw_whitelist_approve(ws, a, false, &err), FW_ECONFLICT);
    assert_non_null(strstr(err.msg, "second user"));
    fw_set_user("bob");
    assert_int_equal(fw_whitelist_approve(ws, a, false, &err), FW_OK);
    assert_true(fw_whitelist_active(ws, person, "DEC-001", NULL));
    assert_int_equal(fw_whitelist_approve(ws, a, false, &err), FW_ECONFLICT); /* nothing pending any more */
    assert_int_equal(fw_whitelist_approve(ws, b, true, &err), FW_OK);
    assert_false(fw_whitelist_active(ws, person, "VEH-001", NULL));
    assert_int_equal(fw_whitelist_approve(ws, b + 1, false, &err), FW_ENOTFOUND);
    assert_int_equal(fw_whitelist_list(ws, true, NULL, &st, &err), FW_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 7), "active");
    assert_string_equal((const char *)sqlite3_column_text(st, 8), "bob");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 7), "rejected");
    sqlite3_finalize(st);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'whitelist.add' AND after LIKE '%\"pending\":true%'"), 2);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'whitelist.approve' AND user = 'bob'"), 1);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'whitelist.review_rejected'"), 1);
    /* Without the rule an entry is in force at once. */
    assert_int_equal(fw_ws_set_setting(ws, "review.second", "0", &err), FW_OK);
    assert_int_equal(fw_whitelist_add(ws, "11010519491231002X", "DEC-001", "r", NULL, &a, &err), FW_OK);
    assert_true(fw_whitelist_active(ws, "11010519491231002X", "DEC-001", NULL));
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    fw_ws_close(ws);
    test_rmdir(dir);
    fw_set_user(NULL);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_checks),
        cmocka_unit_test(test_second_reviewer),
        cmocka_unit_test(test_bad_input_refused),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_remove_kept_and_recorded),
    };
    return cmocka_run_group_tests_name("whitelist", tests, NULL, NULL);
}
