/* test_vocab.c: the vocabularies of audit/vocab.h read what people type (code, English or Chinese
 * label, blanks around, comma lists with spaces or Chinese commas), filter values are checked
 * against what exists (audit/known.h: unknown values are FW_ENOTFOUND listing the known ones), and
 * the "did you mean" of audit/util.h finds typing errors. */
#include "audit/cases.h"
#include "audit/known.h"
#include "audit/vocab.h"
#include "tests/unit/testutil.h"

static void test_labels_read_as_codes(void **state)
{
    (void)state;
    assert_string_equal(fw_label_code(fw_categories, "死亡人员"), "deceased");
    assert_string_equal(fw_label_code(fw_categories, "Deceased"), "deceased");
    assert_string_equal(fw_label_code(fw_case_statuses, " 待核查 "), "new");
    assert_string_equal(fw_label_code(fw_case_statuses, "partly confirmed"), "partly_confirmed");
    assert_string_equal(fw_label_code(fw_severities, "高"), "high");
    assert_string_equal(fw_label_code(fw_verify_methods, "入户核查"), "visit");
    assert_string_equal(fw_label_code(fw_verify_methods, "home visit"), "visit");
    assert_null(fw_label_code(fw_categories, "死亡"));
    assert_null(fw_label_code(fw_categories, ""));
    /* The one Chinese label of each code is the workbooks' and the screens'. */
    assert_string_equal(fw_label_zh(fw_categories, "relative"), "亲属关联");
    assert_string_equal(fw_label_zh(fw_case_statuses, "closed"), "已办结");
    assert_string_equal(fw_label_show(fw_categories, "mine"), "mine"); /* unknown codes shown as stored */
}

static void test_lists_with_spaces_and_chinese_commas(void **state)
{
    (void)state;
    fw_err err = {0};
    const char *forms[] = {"停发,追缴", "停发, 追缴", "stop_payment, recover_funds", "停发，追缴", "停发、 recover funds"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *codes = fw_label_parse_list(fw_measures, "measure", forms[i], &err);
        assert_non_null(codes);
        assert_string_equal(codes, "stop_payment,recover_funds");
        free(codes);
    }
    assert_null(fw_label_parse_list(fw_measures, "measure", "停发, 罚款", &err));
    assert_int_equal(err.code, FW_EDATA);
    assert_non_null(strstr(err.msg, "罚款"));
    assert_non_null(strstr(err.msg, "recover_funds 追缴")); /* the choices are listed */
    assert_null(fw_label_parse_list(fw_measures, "measure", "停发,,追缴", &err));
    assert_non_null(strstr(err.msg, "empty"));
}

/* A change typed in Chinese is read into codes before it is checked. */
static void test_case_change_read(void **state)
{
    (void)state;
    fw_err err = {0};
    char *measures;
    fw_case_change c = {.to = "整改中", .measures = "停发, 追缴"};
    assert_int_equal(fw_case_change_read(&c, &measures, &err), FW_OK);
    assert_string_equal(c.to, "rectifying");
    assert_string_equal(c.measures, "stop_payment,recover_funds");
    assert_int_equal(fw_case_check_change("confirmed", &c, &err), FW_OK);
    free(measures);
    fw_case_change v = {.to = "核查中", .method = "入户核查", .verifier = "王五"};
    assert_int_equal(fw_case_change_read(&v, &measures, &err), FW_OK);
    assert_string_equal(v.method, "visit");
    assert_int_equal(fw_case_check_change("new", &v, &err), FW_OK);
    fw_case_change bad = {.to = "核查中", .method = "电话"};
    assert_int_equal(fw_case_change_read(&bad, &measures, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "电话"));
}

static void test_known_values(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws,
                                "PRAGMA foreign_keys = OFF; "
                                "INSERT INTO ds_persons(import_id, line, row_key, id_number, name, township, village) "
                                "VALUES (1, 2, 'k1', '520102195503120016', '张三', '城关镇', '一村')",
                                &err),
                     FW_OK);
    char *v = fw_known_value(ws, FW_KNOWN_TOWNSHIP, "城关镇", &err);
    assert_non_null(v);
    assert_string_equal(v, "城关镇");
    free(v);
    assert_null(fw_known_value(ws, FW_KNOWN_TOWNSHIP, "不存在镇", &err));
    assert_int_equal(err.code, FW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "不存在镇"));
    assert_non_null(strstr(err.msg, "城关镇"));
    v = fw_known_value(ws, FW_KNOWN_CATEGORY, "死亡人员", &err);
    assert_string_equal(v, "deceased");
    free(v);
    assert_null(fw_known_value(ws, FW_KNOWN_CATEGORY, "死亡", &err));
    assert_non_null(strstr(err.msg, "did you mean 死亡人员"));
    v = fw_known_value(ws, FW_KNOWN_CASE_STATUS, "pending_review", &err);
    assert_string_equal(v, "pending_review");
    free(v);
    assert_null(fw_known_value(ws, FW_KNOWN_STATUS, "pending_review", &err));
    /* A rule of the shipped catalogue is known before any run; ids are read in any case. */
    test_use_checkout_datadir();
    v = fw_known_value(ws, FW_KNOWN_RULE, "dec-001", &err);
    assert_non_null(v);
    assert_string_equal(v, "DEC-001");
    free(v);
    assert_null(fw_known_value(ws, FW_KNOWN_RULE, "XYZ-9", &err));
    assert_int_equal(err.code, FW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "DEC-001"));
    /* The hit list's filter: labels become codes; an unknown value leaves the filter as it was. */
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    assert_int_equal(fw_hit_filter_parse(&f, "类别=死亡人员 status=待核查 风险=高", &err), FW_OK);
    assert_int_equal(fw_hit_filter_resolve(ws, &f, &err), FW_OK);
    assert_string_equal(f.category, "deceased");
    assert_string_equal(f.status, "new");
    assert_string_equal(f.severity, "high");
    f.township = fw_strdup("不存在镇");
    assert_int_equal(fw_hit_filter_resolve(ws, &f, &err), FW_ENOTFOUND);
    assert_string_equal(f.category, "deceased");
    fw_hit_filter_free(&f);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_closest_for_options(void **state)
{
    (void)state;
    const char *const options[] = {"--category", "--rule", "--status", "--state", "--db", NULL};
    assert_string_equal(fw_closest("--categroy", options), "--category");
    assert_string_equal(fw_closest("--stauts", options), "--status");
    assert_null(fw_closest("--township", options));
    const char *const words[] = {"deceased", "死亡人员", NULL};
    assert_string_equal(fw_closest("死亡", words), "死亡人员"); /* the one word it begins */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_read_as_codes),
        cmocka_unit_test(test_lists_with_spaces_and_chinese_commas),
        cmocka_unit_test(test_case_change_read),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_closest_for_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
