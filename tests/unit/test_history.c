/* test_history.c: audit-trail records in words (audit/history.h): each kind of case record read
 * as a person would, in Chinese (workbooks) and English, with codes as labels, money in yuan and
 * times in local time; and a real workflow's records read back from the trail in time order. */
#include "tests/unit/testutil.h"

#include <time.h>

#include "audit/cases.h"
#include "audit/history.h"

static fw_ws *ws;
static char *dir;

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
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

static void expect_what(const char *action, const char *before, const char *after, enum fw_words_lang lang,
                        const char *want)
{
    char *got = fw_history_what(ws, action, before, after, lang);
    if (strcmp(got, want) != 0)
        fail_msg("%s %s -> %s:\n  got  %s\n  want %s", action, before ? before : "-", after ? after : "-", got, want);
    free(got);
}

static void test_status_change_in_words(void **state)
{
    (void)state;
    const char *before = "{\"status\":\"new\",\"verify_method\":null,\"verifier\":null}";
    const char *after = "{\"status\":\"verifying\",\"verify_method\":\"visit\",\"verifier\":\"李明\"}";
    expect_what("case.status", before, after, FW_WORDS_ZH, "状态 待核查 → 核查中；核查方式 入户核查；核查人 李明");
    expect_what("case.status", before, after, FW_WORDS_UI, "status new → verifying; method home visit; verifier 李明");
    char *line = fw_history_line(ws, "2026-12-05T07:48:30Z", "李明", "case.status", before, after, FW_WORDS_ZH);
    assert_string_equal(line, "2026-12-05 15:48 李明 状态 待核查 → 核查中；核查方式 入户核查；核查人 李明");
    free(line);
}

static void test_money_in_yuan_and_measures_as_labels(void **state)
{
    (void)state;
    /* The bug this replaces: `recovered: 0 → 28378` (fen). */
    expect_what("case.status", "{\"status\":\"rectifying\",\"recovered\":0,\"closed_at\":null}",
                "{\"status\":\"closed\",\"recovered\":28378,\"closed_at\":\"2026-12-05\"}", FW_WORDS_ZH,
                "状态 整改中 → 已办结；已追回 ¥0.00 → ¥283.78；办结日期 2026-12-05");
    expect_what("case.status", "{\"status\":\"confirmed\",\"measures\":null,\"to_recover\":0}",
                "{\"status\":\"rectifying\",\"measures\":\"stop_payment,recover_funds\",\"to_recover\":123456789,"
                "\"note\":\"停发\"}",
                FW_WORDS_ZH, "状态 属实 → 整改中；整改措施 停发、追缴；应追回 ¥0.00 → ¥1,234,567.89；备注：停发");
    expect_what("case.status", "{\"status\":\"verifying\",\"dismiss_reason\":null}",
                "{\"status\":\"dismissed\",\"dismiss_reason\":\"data_error\"}", FW_WORDS_UI,
                "status verifying → dismissed; dismissal reason data error");
}

static void test_other_records(void **state)
{
    (void)state;
    expect_what("case.note", NULL, "{\"note\":\"家属已同意退回\"}", FW_WORDS_ZH, "备注：家属已同意退回");
    expect_what("case.assign", "{\"assignee\":null,\"received_at\":null}",
                "{\"assignee\":\"县民政局\",\"received_at\":\"2026-12-05\"}", FW_WORDS_ZH,
                "交办；承办人 县民政局；受理日期 2026-12-05");
    expect_what("case.reopen", "{\"status\":\"closed\"}",
                "{\"status\":\"new\",\"because\":[{\"change\":\"new_hit\",\"hit\":7,\"rule\":\"DEC-003\","
                "\"detail\":\"死亡后仍发放\"}]}",
                FW_WORDS_ZH, "重新打开；状态 已办结 → 待核查；新线索 DEC-003：死亡后仍发放");
    /* A verdict awaiting review: who asked and when are the record's own user and time. */
    expect_what("case.review_requested", "{\"pending_status\":null,\"pending_by\":null,\"pending_at\":null}",
                "{\"pending_status\":\"confirmed\",\"pending_by\":\"alice\",\"pending_at\":\"2026-12-05T07:00:00Z\"}",
                FW_WORDS_ZH, "提请复核；待复核结论 属实");
    expect_what("case.resolved_by_data", "{\"resolved_by_data\":0}",
                "{\"resolved_by_data\":1,\"gone_rules\":\"DEC-001\"}", FW_WORDS_ZH,
                "数据消解；线索均已消失 否 → 是；消失线索的规则 DEC-001");
    /* A field cleared shows what it was; malformed JSON still gives the action. */
    expect_what("case.reopen", "{\"conclusion\":\"属实\"}", "{\"conclusion\":null}", FW_WORDS_UI,
                "reopened; conclusion 属实 → (none)");
    expect_what("case.status", "{oops", "{\"status\":\"new\"}", FW_WORDS_UI, "");
}

/* A real case walked through the workflow: its trail records, in time order, read in words. */
static void test_case_history_from_the_trail(void **state)
{
    (void)state;
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws,
                                "INSERT INTO cases(id, case_no, subject_kind, subject, created_at, updated_at) VALUES "
                                "(1, 'FW-2026-000001', 'person', '520102195503120016', '2026-12-05T00:00:00Z', "
                                "'2026-12-05T00:00:00Z')",
                                &err),
                     FW_OK);
    fw_case_change v = {.to = "verifying", .method = "online", .verifier = "王五"};
    assert_int_equal(fw_case_set_status(ws, 1, 1, &v, &err), FW_OK);
    assert_int_equal(fw_case_add_note(ws, 1, "电话核实", &err), FW_OK);
    fw_rows *rows;
    assert_int_equal(fw_history_case(ws, 1, &rows, &err), FW_OK);
    const char *want[] = {"状态 待核查 → 核查中；核查方式 线上核查；核查人 王五", "备注：电话核实"};
    int n = 0;
    while (fw_rows_step(rows, &err) == 1) {
        assert_true(n < 2);
        char *what = fw_history_what(ws, fw_rows_text(rows, 3), fw_rows_text(rows, 4), fw_rows_text(rows, 5), FW_WORDS_ZH);
        assert_string_equal(what, want[n++]);
        free(what);
        char *line = fw_history_line(ws, fw_rows_text(rows, 1), fw_rows_text(rows, 2), fw_rows_text(rows, 3),
                                     fw_rows_text(rows, 4), fw_rows_text(rows, 5), FW_WORDS_ZH);
        /* "YYYY-MM-DD HH:MM user ...": local time to the minute, never the stored ISO UTC */
        assert_int_equal(line[4], '-');
        assert_int_equal(line[10], ' ');
        assert_int_equal(line[13], ':');
        assert_null(strchr(line, 'T'));
        free(line);
    }
    fw_rows_close(rows);
    assert_int_equal(n, 2);
}

/* fw_history_list: the words are computed in C for each row on every engine (fw_rows_derive), after
 * the shown columns; the columns that feed them stay hidden; --limit keeps the newest. Runs after
 * test_case_history_from_the_trail, on its case 1 (a status change, then a note). */
static void test_history_list_words_per_row(void **state)
{
    (void)state;
    fw_err err = {0};
    fw_rows *rows;
    char *want[2] = {NULL, NULL};
    assert_int_equal(fw_history_case(ws, 1, &rows, &err), FW_OK);
    for (int n = 0; n < 2; n++) {
        assert_int_equal(fw_rows_step(rows, &err), 1);
        want[n] = fw_history_what(ws, fw_rows_text(rows, 3), fw_rows_text(rows, 4), fw_rows_text(rows, 5), FW_WORDS_UI);
    }
    fw_rows_close(rows);

    assert_int_equal(fw_history_list(ws, "case:1", 0, 1, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_ncols(rows), 5);
    assert_string_equal(fw_rows_name(rows, 3), "object");
    assert_string_equal(fw_rows_name(rows, 4), "what");
    for (int pass = 0; pass < 2; pass++) { /* a rewind reads the words again, not the last row's */
        for (int n = 0; n < 2; n++) {
            assert_int_equal(fw_rows_step(rows, &err), 1);
            assert_int_equal(fw_rows_type(rows, 4), FW_DBT_TEXT);
            assert_false(fw_rows_is_null(rows, 4));
            assert_string_equal(fw_rows_text(rows, 4), want[n]);
            assert_string_equal(fw_rows_text(rows, 3), "case:1");
        }
        assert_int_equal(fw_rows_step(rows, &err), 0);
        fw_rows_rewind(rows);
    }
    fw_rows_close(rows);

    /* Full records: 7 shown columns (a note has no before), then the words; the newest one only. */
    assert_int_equal(fw_history_list(ws, "case:1", 1, 0, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_ncols(rows), 8);
    assert_string_equal(fw_rows_name(rows, 5), "before");
    assert_string_equal(fw_rows_name(rows, 7), "what");
    assert_int_equal(fw_rows_step(rows, &err), 1);
    assert_string_equal(fw_rows_text(rows, 3), "case.note");
    assert_true(fw_rows_is_null(rows, 5));
    assert_string_equal(fw_rows_text(rows, 7), want[1]);
    assert_int_equal(fw_rows_step(rows, &err), 0);
    fw_rows_close(rows);
    free(want[0]);
    free(want[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_change_in_words),
        cmocka_unit_test(test_money_in_yuan_and_measures_as_labels),
        cmocka_unit_test(test_other_records),
        cmocka_unit_test(test_case_history_from_the_trail),
        cmocka_unit_test(test_history_list_words_per_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
