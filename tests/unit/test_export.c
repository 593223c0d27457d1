/* test_export.c: the export API on a fixture workspace (tests/e2e/export_fixture.sql, with case
 * history appended through fw_trail_append): filters and counts, status and category labels, ID
 * masking, CSV quoting, continuation sheets past the row limit (checked with openpyxl), the case
 * workbook, cancelling, refusing to overwrite, and the audit-trail record. */
#include <sys/stat.h>

#include "audit/browse.h"
#include "audit/exportq.h"
#include "audit/money.h"
#include "audit/trail.h"
#include "export/csvout.h"
#include "export/export.h"
#include "tests/unit/testutil.h"

#define FIXTURE "tests/e2e/export_fixture.sql"
#define RULES "tests/e2e/export_rules.ini"
#define CHECKER "tests/e2e/export_check.py"

typedef struct fixture {
    char *dir;
    fw_ws *ws;
} fixture;

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fw_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fw_buf_add(&b, chunk, n);
    fclose(f);
    return fw_buf_steal(&b);
}

/* Loads the fixture SQL with @RULES@ naming the test rule file (relative to the source tree,
 * where the tests run), and two trail records about case 1. */
static int setup(void **state)
{
    fixture *fx = fw_calloc(1, sizeof *fx);
    fx->ws = test_open_ws(&fx->dir);
    char *text = read_all(FIXTURE);
    fw_buf sql = {0};
    for (char *p = text, *at; *p; p = at + strlen("@RULES@")) {
        if (!(at = strstr(p, "@RULES@"))) {
            fw_buf_puts(&sql, p);
            break;
        }
        fw_buf_add(&sql, p, (size_t)(at - p));
        fw_buf_puts(&sql, RULES);
    }
    free(text);
    fw_err err = {0};
    int rc = fw_ws_exec(fx->ws, sql.data, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, FW_OK);
    fw_buf_free(&sql);
    assert_int_equal(fw_ws_begin(fx->ws, &err), FW_OK);
    assert_int_equal(fw_trail_append(fx->ws, "case.assign", "case:1", "{\"assignee\":null}",
                                     "{\"assignee\":\"陈明\"}", &err), FW_OK);
    assert_int_equal(fw_trail_append(fx->ws, "case.status", "case:1", "{\"status\":\"verifying\"}",
                                     "{\"status\":\"confirmed\"}", &err), FW_OK);
    assert_int_equal(fw_ws_commit(fx->ws, &err), FW_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    fw_ws_close(fx->ws);
    test_rmdir(fx->dir);
    free(fx->dir);
    free(fx);
    return 0;
}

static long long count(fw_ws *ws, const fw_hit_filter *f)
{
    fw_err err = {0};
    long long n = fw_xq_count_leads(ws, f, &err);
    assert_true(n >= 0);
    return n;
}

static void test_mask_id(void **state)
{
    (void)state;
    char out[64];
    fw_export_mask_id("520102195503120016", out, sizeof out);
    assert_string_equal(out, "520102********0016");
    fw_export_mask_id("11010519491231002X", out, sizeof out);
    assert_string_equal(out, "110105********002X");
    fw_export_mask_id("12345", out, sizeof out); /* too short to keep anything */
    assert_string_equal(out, "*****");
}

static void test_filters_count_present_leads(void **state)
{
    fixture *fx = *state;
    fw_hit_filter all = {0};
    assert_int_equal(count(fx->ws, &all), 5); /* gone and whitelisted hits stay out */
    fw_hit_filter town = {.township = "黔灵镇"};
    assert_int_equal(count(fx->ws, &town), 2);
    fw_hit_filter label = {.status = "属实"}, code = {.status = "confirmed"};
    assert_int_equal(count(fx->ws, &label), 2);
    assert_int_equal(count(fx->ws, &code), 2);
    fw_hit_filter fresh = {.status = "new"}; /* includes the lead without a case */
    assert_int_equal(count(fx->ws, &fresh), 2);
    fw_hit_filter rule = {.rule_id = "off-001"};
    assert_int_equal(count(fx->ws, &rule), 1);
    const char *cases[] = {"FW-2026-000002", "3"};
    fw_hit_filter two = {.cases = cases, .ncases = 2};
    assert_int_equal(count(fx->ws, &two), 2);

    fw_err err = {0};
    fw_hit_filter bad = {.status = "maybe"};
    assert_int_equal(fw_xq_check_filter(fx->ws, &bad, &err), FW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "maybe"));
    assert_non_null(strstr(err.msg, "待核查")); /* the known statuses are listed */
    /* A township nobody has is an error naming the known ones, not an empty export. */
    fw_hit_filter nowhere = {.township = "不存在镇"};
    assert_int_equal(fw_xq_check_filter(fx->ws, &nowhere, &err), FW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "不存在镇"));
    assert_non_null(strstr(err.msg, town.township));
    /* Category and severity are read as codes or Chinese labels alike. */
    fw_hit_filter zh = {.category = "公职人员", .severity = "高"}, en = {.category = "official", .severity = "high"};
    assert_int_equal(fw_xq_check_filter(fx->ws, &zh, &err), FW_OK);
    assert_int_equal(count(fx->ws, &zh), count(fx->ws, &en));
    assert_true(count(fx->ws, &en) > 0);
    const char *missing[] = {"FW-1999-000001"};
    fw_hit_filter none = {.cases = missing, .ncases = 1};
    assert_int_equal(fw_xq_check_filter(fx->ws, &none, &err), FW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "FW-1999-000001"));

    char *text = fw_xq_filter_text(&two);
    assert_string_equal(text, "案件=FW-2026-000002,3");
    free(text);
    char *json = fw_xq_filter_json(&town);
    assert_string_equal(json, "{\"township\":\"黔灵镇\"}");
    free(json);
}

/* Each filter the hit list offers narrows the export's lead set; a value nothing has gives 0. */
static void test_list_filters_narrow_leads(void **state)
{
    fixture *fx = *state;
    const struct { fw_hit_filter f; long long want; } cases[] = {
        {{.severity = "high"}, 3},      {{.severity = "medium"}, 1},    {{.severity = "critical"}, 0},
        {{.village = "黔灵村"}, 3},      {{.village = "新寨村"}, 2},      {{.village = "无此村"}, 0},
        {{.program = "低保"}, 3},        {{.program = "特困供养"}, 1},    {{.program = "无此项目"}, 0},
        {{.has_min = 1, .min_amount = 50000}, 3},
        {{.has_max = 1, .max_amount = 30000}, 2},
        {{.has_min = 1, .min_amount = 30000, .has_max = 1, .max_amount = 50000}, 2},
        {{.has_min = 1, .min_amount = 100000}, 0},
        {{.has_max = 1, .max_amount = 0}, 0}, /* a zero bound filters: has_max says so */
        {{.search = "张"}, 2},           {{.search = "5201"}, 4},
        {{.search = "11010519491231002x"}, 1}, /* lower-case x finds the X */
        {{.search = "无"}, 0},           {{.search = "9"}, 0},
        {{.state = "all"}, 7},          {{.state = "all", .village = "新寨村"}, 4},
        {{.severity = "high", .village = "新寨村"}, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long long got = count(fx->ws, &cases[i].f);
        if (got != cases[i].want)
            fail_msg("case %zu: %lld leads, want %lld", i, got, cases[i].want);
    }
}

/* The export's count equals the hit list's own total for the same filter (browse.c), so `x` on
 * the list writes exactly the rows the list shows. */
static long long list_total(fw_ws *ws, const fw_hit_filter *hf)
{
    fw_hit_totals t;
    fw_err err = {0};
    fw_hit_totals_init(ws, &t);
    int rc;
    while ((rc = fw_hit_totals_step(ws, hf, &t, 1000, &err)) == 0) {
    }
    assert_int_equal(rc, 1);
    return t.count;
}

static void test_export_matches_hit_list(void **state)
{
    fixture *fx = *state;
    const char *filters[] = {"severity=high", "village=新寨村 all", "program=低保 amount>=500",
                             "amount<=300 status=new", "category=deceased township=中华北路街道",
                             "all amount>=800"};
    const char *searches[] = {NULL, "钱", "5201", "11010519491231002x"};
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        for (size_t j = 0; j < sizeof searches / sizeof searches[0]; j++) {
            fw_hit_filter hf;
            fw_err err = {0};
            fw_hit_filter_init(&hf);
            assert_int_equal(fw_hit_filter_parse(&hf, filters[i], &err), FW_OK);
            hf.search = searches[j] ? fw_strdup(searches[j]) : NULL;
            long long want = list_total(fx->ws, &hf), got = count(fx->ws, &hf);
            if (got != want)
                fail_msg("'%s' search '%s': export %lld, list %lld", filters[i],
                         searches[j] ? searches[j] : "", got, want);
            fw_hit_filter_free(&hf);
        }
    fw_hit_filter sev = {.severity = "high", .has_min = 1, .min_amount = 50000};
    char *text = fw_xq_filter_text(&sev);
    assert_string_equal(text, "风险等级=高 金额>=500.00元");
    free(text);
    char *json = fw_xq_filter_json(&sev);
    assert_string_equal(json, "{\"severity\":\"high\",\"min_amount\":50000}");
    free(json);
}

static void test_leads_query_labels_and_kinds(void **state)
{
    fixture *fx = *state;
    fw_hit_filter f = {.rule_id = "OFF-001"};
    fw_xquery *q;
    fw_err err = {0};
    assert_int_equal(fw_xq_leads(fx->ws, &f, &q, &err), FW_OK);
    assert_string_equal(fw_xq_col(q, 5)->label, "公民身份号码");
    assert_int_equal(fw_xq_col(q, 5)->kind, FW_XK_ID);
    assert_int_equal(fw_xq_col(q, 10)->kind, FW_XK_MONEY);
    assert_int_equal(fw_xq_col(q, 11)->kind, FW_XK_DATE);
    assert_int_equal(fw_xq_step(q, &err), 1);
    assert_string_equal(fw_xq_text(q, 2), "公职人员");
    assert_string_equal(fw_xq_text(q, 3), "高");
    assert_string_equal(fw_xq_text(q, 5), "11010519491231002X");
    assert_int_equal(fw_xq_int(q, 10), 50000);
    assert_string_equal(fw_xq_text(q, 15), "核查中");
    assert_int_equal(fw_xq_step(q, &err), 0);
    fw_xq_close(q);
    /* The summary: the whole selection first, then each dimension, largest first; money counts each
     * payment once, so 张三's two rules on the same two payments (720.00 each) are 720.00, not
     * 1,440.00. */
    fw_hit_filter all = {0};
    assert_int_equal(fw_xq_summary(fx->ws, &all, &q, &err), FW_OK);
    assert_int_equal(fw_xq_step(q, &err), 1);
    assert_int_equal(fw_xq_int(q, 0), FW_XDIM_COUNT_);
    assert_int_equal(fw_xq_int(q, 2), 5);
    assert_int_equal(fw_xq_int(q, 3), 72000 + 50000 + 30000 + 12345);
    long long township_rows = 0;
    int step;
    while ((step = fw_xq_step(q, &err)) == 1) {
        if (fw_xq_int(q, 0) == FW_XDIM_CATEGORY && strcmp(fw_xq_text(q, 1), "死亡人员") == 0) {
            assert_int_equal(fw_xq_int(q, 2), 2);
            assert_int_equal(fw_xq_int(q, 3), 72000);
        }
        if (fw_xq_int(q, 0) != FW_XDIM_TOWNSHIP)
            continue;
        if (township_rows++ == 0) {
            assert_string_equal(fw_xq_text(q, 1), "中华北路街道");
            assert_int_equal(fw_xq_int(q, 2), 3);
            assert_int_equal(fw_xq_int(q, 3), 72000 + 12345);
        } else {
            assert_string_equal(fw_xq_text(q, 1), "黔灵镇");
            assert_int_equal(fw_xq_int(q, 3), 50000 + 30000);
        }
    }
    assert_int_equal(step, 0);
    assert_int_equal(township_rows, 2);
    fw_xq_close(q);
    assert_string_equal(fw_xq_status_label("partly_confirmed"), "部分属实");
    assert_string_equal(fw_xq_status_label("rectifying"), "整改中");
}

static void test_csv_quoting_money_and_mask(void **state)
{
    fixture *fx = *state;
    fw_hit_filter f = {.rule_id = "OFF-001"};
    fw_export_opts o = {.mask_ids = 1};
    fw_xquery *q;
    fw_err err = {0};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    long long rows;
    assert_int_equal(fw_xq_leads(fx->ws, &f, &q, &err), FW_OK);
    assert_int_equal(fw_csv_write(out, q, &o, 1, &rows, &err), FW_OK);
    fw_xq_close(q);
    fclose(out);
    assert_int_equal(rows, 1);
    assert_memory_equal(text, "\xEF\xBB\xBF线索号,规则编号,", strlen("\xEF\xBB\xBF线索号,规则编号,"));
    assert_non_null(strstr(text, ",110105********002X,"));
    assert_null(strstr(text, "11010519491231002X"));
    assert_non_null(strstr(text, ",500.00,2023-01-15,"));
    /* The detail holds a comma and quotes: quoted, quotes doubled (RFC 4180). */
    assert_non_null(strstr(text, ",\"在职公职人员领取低保, \"\"财政供养\"\"\","));
    assert_non_null(strstr(text, "\r\n"));
    free(text);
}

static int count_trail_exports(fw_ws *ws)
{
    return (int)fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'export'");
}

/* Runs the openpyxl checker on a workbook; returns its exit status. */
static int check_with_openpyxl(const char *file, fw_ws *ws, long long n, const char *extra)
{
    char *cmd = fw_printf("/usr/bin/python3 " CHECKER " xlsx '%s' --db '%s' --count %lld %s", file,
                          ws->path, n, extra);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

static void test_leads_continue_on_more_sheets(void **state)
{
    fixture *fx = *state;
    char *path = fw_printf("%s/split.xlsx", fx->dir);
    fw_hit_filter f = {0};
    fw_export_opts o = {.rows_per_sheet = 2};
    fw_export_result res;
    fw_err err = {0};
    int before = count_trail_exports(fx->ws);
    assert_int_equal(fw_export_workbook(fx->ws, &f, path, &o, &res, &err), FW_OK);
    assert_int_equal(res.rows, 5);
    assert_int_equal(res.sheets, 7); /* 概览, 线索清单 x3 (2+2+1), 案件 x2 (2+1), 数据来源 */
    assert_int_equal(strlen(res.sha256), 64);
    assert_int_equal(check_with_openpyxl(path, fx->ws, 5, "--rows-per-sheet 2 --expect-x"), 0);
    assert_int_equal(count_trail_exports(fx->ws), before + 1);
    char *want = fw_printf("SELECT count(*) FROM trail WHERE action = 'export' AND after LIKE '%%%s%%'",
                           res.sha256);
    assert_int_equal(fw_ws_int(fx->ws, want), 1);
    free(want);
    free(path);
}

static void test_case_workbook(void **state)
{
    fixture *fx = *state;
    char *path = fw_printf("%s/case.xlsx", fx->dir);
    fw_export_opts o = {0};
    fw_export_result res;
    fw_err err = {0};
    assert_int_equal(fw_export_case(fx->ws, "FW-2026-000001", path, &o, &res, &err), FW_OK);
    assert_int_equal(res.rows, 2);
    assert_int_equal(res.sheets, 6); /* 概览, 线索清单, 案件, the case, its evidence, 数据来源 */
    assert_int_equal(check_with_openpyxl(path, fx->ws, 2, "--cases FW-2026-000001"), 0);
    /* The history: the trail records about the case, one line each, in words. */
    fw_xquery *q;
    assert_int_equal(fw_xq_case_history(fx->ws, 1, &q, &err), FW_OK);
    assert_string_equal(fw_xq_col(q, 1)->label, "办理情况");
    assert_int_equal(fw_xq_step(q, &err), 1);
    assert_string_equal(fw_xq_text(q, 1), "交办；承办人 陈明");
    assert_int_equal(fw_xq_step(q, &err), 1);
    assert_string_equal(fw_xq_text(q, 1), "状态 核查中 → 属实");
    assert_string_equal(fw_xq_text(q, 2), fw_user());
    assert_int_equal(fw_xq_step(q, &err), 0);
    fw_xq_close(q);
    /* The leads' money under 命中规则及依据: DEC-001 and DEC-002 cite the same two payments. */
    fw_money m;
    assert_int_equal(fw_xq_case_money(fx->ws, 1, &m, &err), FW_OK);
    assert_int_equal(m.paid, 72000);
    assert_int_equal(m.other, 0);
    /* Payments named as evidence, and the deaths registry as a second evidence set. */
    assert_int_equal(fw_xq_case_payments(fx->ws, 1, &q, &err), FW_OK);
    long long fen = 0;
    while (fw_xq_step(q, &err) == 1)
        fen += fw_xq_int(q, 4);
    fw_xq_close(q);
    assert_int_equal(fen, 72000);
    char **sets;
    int nsets;
    assert_int_equal(fw_xq_case_evidence_sets(fx->ws, 1, &sets, &nsets, &err), FW_OK);
    assert_int_equal(nsets, 1);
    assert_string_equal(sets[0], "deaths");
    fw_xq_free_names(sets, nsets);
    /* The rule's name and basis come from the rule file the run loaded; a rule missing there
     * says so instead of showing nothing. */
    assert_int_equal(fw_xq_case_rules(fx->ws, 1, &q, &err), FW_OK);
    assert_int_equal(fw_xq_step(q, &err), 1);
    assert_string_equal(fw_xq_text(q, 2), "死亡后仍领取补贴");
    assert_string_equal(fw_xq_text(q, 5), "《最低生活保障审核确认办法》第二十八条");
    fw_xq_close(q);
    assert_int_equal(fw_xq_case_rules(fx->ws, 3, &q, &err), FW_OK); /* VEH-001: not in the file */
    assert_int_equal(fw_xq_step(q, &err), 1);
    assert_string_equal(fw_xq_text(q, 5), "(规则文件不可读)");
    fw_xq_close(q);

    /* Unknown case: nothing written. */
    char *other = fw_printf("%s/none.xlsx", fx->dir);
    assert_int_equal(fw_export_case(fx->ws, "FW-1999-000001", other, &o, &res, &err), FW_ENOTFOUND);
    struct stat st;
    assert_int_not_equal(stat(other, &st), 0);
    free(other);
    free(path);
}

static int cancel_at_once(void *ctx, long long done, long long total)
{
    (void)done;
    (void)total;
    ++*(int *)ctx;
    return 1;
}

static int dir_has_dotfile(const char *dir)
{
    char *cmd = fw_printf("ls -A '%s' | grep -q '^\\.'", dir);
    int found = system(cmd) == 0;
    free(cmd);
    return found;
}

static void test_cancel_and_refuse_overwrite(void **state)
{
    fixture *fx = *state;
    char *path = fw_printf("%s/cancel.xlsx", fx->dir);
    fw_hit_filter f = {0};
    int calls = 0;
    fw_export_opts o = {.progress = cancel_at_once, .progress_ctx = &calls};
    fw_export_result res;
    fw_err err = {0};
    int before = count_trail_exports(fx->ws);
    assert_int_equal(fw_export_workbook(fx->ws, &f, path, &o, &res, &err), FW_EINTR);
    assert_int_equal(calls, 1);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0);
    assert_false(dir_has_dotfile(fx->dir));
    char *csv = fw_printf("%s/cancel.csv", fx->dir);
    calls = 0;
    assert_int_equal(fw_export_workbook(fx->ws, &f, csv, &o, &res, &err), FW_EINTR);
    assert_int_not_equal(stat(csv, &st), 0);
    assert_false(dir_has_dotfile(fx->dir));
    assert_int_equal(count_trail_exports(fx->ws), before);

    /* An existing file stays unless forced. */
    FILE *old = fopen(path, "w");
    fputs("old", old);
    fclose(old);
    fw_export_opts plain = {0};
    assert_int_equal(fw_export_list(fx->ws, FW_LIST_CASES, &f, path, &plain, &res, &err), FW_ECONFLICT);
    assert_non_null(strstr(err.msg, "--force"));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 3);
    plain.force = 1;
    assert_int_equal(fw_export_list(fx->ws, FW_LIST_CASES, &f, path, &plain, &res, &err), FW_OK);
    assert_int_equal(res.rows, 3); /* cases 1-3 have present leads; case 4 has none */
    assert_int_equal(res.sheets, 2);
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 3);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(count_trail_exports(fx->ws), before + 1);
    free(csv);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mask_id),
        cmocka_unit_test_setup_teardown(test_filters_count_present_leads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters_narrow_leads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_matches_hit_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leads_query_labels_and_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_quoting_money_and_mask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leads_continue_on_more_sheets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_case_workbook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_refuse_overwrite, setup, teardown),
    };
    return cmocka_run_group_tests_name("export", tests, NULL, NULL);
}
