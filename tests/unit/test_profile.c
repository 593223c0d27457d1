/* test_profile.c: the import profile: every alias of the foundation issue maps to its column in
 * the shipped profile, headers match case-insensitively after trimming, a dataset section wins over
 * [aliases], programs and their tags, a later file overriding an earlier one, and clear errors for
 * unknown columns, sections and tags. */
#include <limits.h>

#include "audit/profile.h"
#include "tests/unit/testutil.h"

/* The checkout holding profiles/default.ini: the test binary is <checkout>/<build>/tests/test_x. */
static fw_profile *shipped(void)
{
    fw_profile *p = NULL;
    fw_err err = {0};
    int rc = fw_profile_load(NULL, &p, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, FW_OK);
    return p;
}

static const char *column_of(const fw_profile *p, const char *dataset, const char *header)
{
    const fw_column *c = fw_profile_column(p, fw_dataset_find(dataset), header);
    return c ? c->name : "(none)";
}

static void test_issue_aliases(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"persons", "公民身份号码", "id_number"}, {"persons", "身份证号码", "id_number"},
        {"persons", "身份证号", "id_number"},     {"persons", "证件号码", "id_number"},
        {"persons", "姓名", "name"},             {"persons", "户编号", "household_id"},
        {"persons", "户号", "household_id"},     {"persons", "与户主关系", "relation"},
        {"relatives", "与户主关系", "relation"}, {"persons", "行政区划代码", "region_code"},
        {"persons", "区划代码", "region_code"},  {"persons", "乡镇", "township"},
        {"persons", "所属乡镇", "township"},     {"persons", "行政村", "village"},
        {"persons", "村", "village"},            {"persons", "所属村", "village"},
        {"persons", "人员类别", "category"},     {"persons", "状态", "status"},
        {"persons", "人员状态", "status"},       {"businesses", "登记状态", "status"},
        {"persons", "状态日期", "status_date"},  {"persons", "变更日期", "status_date"},
        {"payments", "发放流水号", "payment_id"}, {"payments", "流水号", "payment_id"},
        {"payments", "项目名称", "program"},     {"payments", "资金名称", "program"},
        {"payments", "补贴项目", "program"},     {"payments", "发放金额", "amount"},
        {"payments", "金额", "amount"},          {"payments", "发放日期", "pay_date"},
        {"payments", "所属期", "period"},        {"payments", "发放月份", "period"},
        {"payments", "银行账号", "bank_account"}, {"payments", "银行卡号", "bank_account"},
        {"payments", "账号", "bank_account"},    {"payments", "账户户名", "account_name"},
        {"payments", "户名", "account_name"},    {"payments", "开户名", "account_name"},
        {"payments", "审批人身份证号", "approved_by"}, {"payments", "审批日期", "approval_date"},
        {"deaths", "死亡日期", "death_date"},    {"deaths", "注销日期", "death_date"},
        {"officials", "工作单位", "employer"},   {"officials", "单位名称", "employer"},
        {"officials", "职务", "position"},       {"officials", "人员类型", "kind"},
        {"properties", "房屋性质", "kind"},      {"disabilities", "类别", "kind"},
        {"prisoners", "开始日期", "start_date"}, {"officials", "任职日期", "start_date"},
        {"prisoners", "结束日期", "end_date"},   {"officials", "离职日期", "end_date"},
        {"relatives", "亲属身份证号码", "relative_id_number"}, {"businesses", "企业名称", "enterprise_name"},
        {"businesses", "市场主体名称", "enterprise_name"}, {"businesses", "统一社会信用代码", "credit_code"},
        {"businesses", "任职类型", "role"},      {"businesses", "角色", "role"},
        {"businesses", "注册资本", "capital"},   {"vehicles", "登记日期", "reg_date"},
        {"businesses", "成立日期", "reg_date"},  {"businesses", "注册日期", "reg_date"},
        {"vehicles", "号牌号码", "plate"},       {"vehicles", "车牌号", "plate"},
        {"vehicles", "车辆类型", "vehicle_type"}, {"properties", "坐落", "address"},
        {"properties", "地址", "address"},       {"properties", "房屋坐落", "address"},
        {"properties", "建筑面积", "area"},      {"properties", "面积", "area"},
        {"properties", "用途", "usage"},         {"properties", "规划用途", "usage"},
        {"students", "学校名称", "school"},      {"students", "学校", "school"},
        {"students", "学段", "stage"},           {"disabilities", "残疾等级", "grade"},
        {"disabilities", "发证日期", "issue_date"}, {"pensions", "月领取金额", "monthly_amount"},
        {"standards", "月标准", "max_monthly_amount"}, {"standards", "最高月标准", "max_monthly_amount"},
        {"standards", "起始日期", "valid_from"}, {"standards", "生效日期", "valid_from"},
        {"standards", "截止日期", "valid_to"},   {"standards", "失效日期", "valid_to"},
    };
    fw_profile *p = shipped();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = column_of(p, cases[i][0], cases[i][1]);
        if (strcmp(got, cases[i][2]) != 0)
            fail_msg("%s: header %s -> %s, expected %s", cases[i][0], cases[i][1], got, cases[i][2]);
    }
    fw_profile_free(p);
}

static void test_case_and_trim(void **state)
{
    (void)state;
    fw_profile *p = shipped();
    assert_string_equal(column_of(p, "payments", "  ID_Number "), "id_number");
    assert_string_equal(column_of(p, "payments", "\xe3\x80\x80姓名\xe3\x80\x80"), "name");
    assert_string_equal(column_of(p, "payments", "Pay_Date"), "pay_date");
    /* A column of another dataset is not a column here. */
    assert_string_equal(column_of(p, "payments", "死亡日期"), "(none)");
    assert_string_equal(column_of(p, "payments", "备注"), "(none)");
    fw_profile_free(p);
}

static void test_programs_and_tags(void **state)
{
    (void)state;
    fw_profile *p = shipped();
    static const char *const map[][2] = {
        {"城乡低保", "低保"}, {"农村低保", "低保"}, {"城市低保", "低保"}, {"最低生活保障金", "低保"},
        {"低保金", "低保"}, {"特困人员供养", "特困供养"}, {"特困供养金", "特困供养"}, {"五保", "特困供养"},
        {"农村危房改造", "危房改造"}, {"高龄补贴", "高龄津贴"}, {"城乡居民基本养老保险待遇", "城乡居民养老金"},
        {"居民养老金", "城乡居民养老金"}, {"困难残疾人生活补贴", "残疾人两项补贴"},
        {"重度残疾人护理补贴", "残疾人两项补贴"}, {" 临时救助 ", "临时救助"}, {"医疗救助", "医疗救助"},
        {"教育资助", "教育资助"}, {"产业奖补", "产业奖补"}, {"公益岗位", "公益岗位"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const fw_program_info *g = fw_profile_program(p, map[i][0]);
        if (!g || strcmp(g->name, map[i][1]) != 0)
            fail_msg("program %s -> %s, expected %s", map[i][0], g ? g->name : "(none)", map[i][1]);
    }
    assert_null(fw_profile_program(p, "奇怪项目"));
    assert_true(fw_profile_program(p, "低保")->means_tested);
    assert_false(fw_profile_program(p, "低保")->fixed_amount);
    assert_true(fw_profile_program(p, "危房改造")->means_tested);
    assert_true(fw_profile_program(p, "高龄津贴")->fixed_amount);
    assert_false(fw_profile_program(p, "高龄津贴")->means_tested);
    assert_false(fw_profile_program(p, "产业奖补")->means_tested);
    assert_false(fw_profile_program(p, "产业奖补")->fixed_amount);
    assert_int_equal(fw_profile_nprograms(p), 11);
    fw_profile_free(p);
}

static void test_user_file_overrides(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    const char ini[] = "[aliases]\nid_number = 身份证件号 ; a comment\n"
                       "[payments]\nname = 领款人\n"
                       "[programs]\n低保 = 低保补助\n新项目 = 新项目补助\n"
                       "[program_tags]\n高龄津贴 = means_tested\n新项目 = fixed_amount\n";
    char *path = test_write_file(dir, "extra.ini", ini, sizeof ini - 1);
    fw_profile *p;
    fw_err err = {0};
    assert_int_equal(fw_profile_load(path, &p, &err), FW_OK);
    assert_string_equal(column_of(p, "payments", "身份证件号"), "id_number");
    assert_string_equal(column_of(p, "persons", "身份证件号"), "id_number");
    assert_string_equal(column_of(p, "payments", "领款人"), "name");
    assert_string_equal(column_of(p, "persons", "领款人"), "(none)");
    assert_string_equal(column_of(p, "payments", "身份证号"), "id_number"); /* shipped aliases kept */
    assert_string_equal(fw_profile_program(p, "低保补助")->name, "低保");
    assert_string_equal(fw_profile_program(p, "城乡低保")->name, "低保");
    assert_true(fw_profile_program(p, "新项目补助")->fixed_amount);
    assert_true(fw_profile_program(p, "高龄津贴")->means_tested);   /* tags replaced */
    assert_false(fw_profile_program(p, "高龄津贴")->fixed_amount);
    assert_non_null(strstr(fw_profile_sources(p), "extra.ini"));
    fw_profile_free(p);
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void expect_profile_error(const char *ini, const char *needle)
{
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, "bad.ini", ini, strlen(ini));
    fw_profile *p = NULL;
    fw_err err = {0};
    const char *paths[] = {path};
    assert_int_equal(fw_profile_load_files(paths, 1, &p, &err), FW_EDATA);
    assert_null(p);
    if (!strstr(err.msg, needle))
        fail_msg("error '%s' lacks '%s'", err.msg, needle);
    assert_non_null(strstr(err.msg, "bad.ini"));
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void test_errors(void **state)
{
    (void)state;
    expect_profile_error("[aliases]\nnot_a_column = x\n", "[aliases] not_a_column: not a column of any dataset");
    expect_profile_error("[deaths]\namount = x\n", "[deaths] amount: not a column of deaths");
    expect_profile_error("[misc]\na = b\n", "unknown section [misc]");
    expect_profile_error("[program_tags]\n低保 = means_test\n", "unknown tag 'means_test'");
    fw_profile *p = NULL;
    fw_err err = {0};
    assert_int_equal(fw_profile_load("/nonexistent/x.ini", &p, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "/nonexistent/x.ini: import profile not found"));
}

int main(void)
{
    test_use_checkout_datadir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_aliases),     cmocka_unit_test(test_case_and_trim),
        cmocka_unit_test(test_programs_and_tags), cmocka_unit_test(test_user_file_overrides),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
