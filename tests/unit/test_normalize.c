/* test_normalize.c: every field normalizer on its accepted forms, each documented conversion and
 * each kind of bad value, asserting the exact status, the stored form and a key phrase of the
 * message the user will read. */
#include "audit/normalize.h"
#include "tests/unit/testutil.h"

static char why[FW_WHY_SIZE];

/* Asserts that why contains phrase, printing why when it does not. */
static void assert_why_has(const char *phrase)
{
    if (!strstr(why, phrase))
        fail_msg("message \"%s\" lacks \"%s\"", why, phrase);
}

/* ---- trimming and folding ------------------------------------------------------------------- */

static void test_trim(void **state)
{
    (void)state;
    char a[] = " \t张三\t ";
    assert_int_equal(fw_norm_trim(a), strlen("张三"));
    assert_string_equal(a, "张三");
    char b[] = "\xE3\x80\x80李四\xE3\x80\x80\xE3\x80\x80"; /* U+3000 on both ends */
    fw_norm_trim(b);
    assert_string_equal(b, "李四");
    char c[] = " '0123 ";
    assert_int_equal(fw_norm_trim(c), 4);
    assert_string_equal(c, "0123");
    char d[] = "a 'b";          /* an apostrophe inside is data */
    fw_norm_trim(d);
    assert_string_equal(d, "a 'b");
    char e[] = "   ";
    assert_int_equal(fw_norm_trim(e), 0);
    assert_string_equal(e, "");
    char f[] = "\xE3\x80";      /* a cut-off U+3000 is not a space and must not be overrun */
    assert_int_equal(fw_norm_trim(f), 2);
}

static void test_fold_fullwidth(void **state)
{
    (void)state;
    char a[] = "１２３ＡＢｘ．－／：（）";
    fw_norm_fold_fullwidth(a);
    assert_string_equal(a, "123ABx.-/:()");
    char b[] = "张三￥１";          /* CJK and the yuan sign stay as they are */
    fw_norm_fold_fullwidth(b);
    assert_string_equal(b, "张三￥1");
    char c[] = "\xEF\xBC";         /* cut-off sequence at the end */
    fw_norm_fold_fullwidth(c);
    assert_string_equal(c, "\xEF\xBC");
}

/* ---- ID numbers ----------------------------------------------------------------------------- */

static void test_id_check_char(void **state)
{
    (void)state;
    assert_int_equal(fw_id_check_char("11010519491231002"), 'X');
    assert_int_equal(fw_id_check_char("52010219550312001"), '6');
    assert_int_equal(fw_id_check_char("1101051949123100"), '?'); /* too short */
}

static void test_id_valid(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(fw_norm_id("11010519491231002X", out, why), FW_NORM_OK);
    assert_string_equal(out, "11010519491231002X");
    assert_string_equal(why, "");
    assert_int_equal(fw_norm_id("11010519491231002x", out, why), FW_NORM_OK);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(fw_norm_id("１１０１０５１９４９１２３１００２ｘ", out, why), FW_NORM_OK);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(fw_norm_id("520102195503120016", out, why), FW_NORM_OK);
    assert_string_equal(out, "520102195503120016");
}

static void test_id_15_to_18(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(fw_norm_id("520102550312001", out, why), FW_NORM_NOTE);
    assert_string_equal(out, "520102195503120016");
    assert_why_has("15-digit");
    assert_why_has("converted to 18");
    assert_int_equal(fw_norm_id("520102550230001", out, why), FW_NORM_BAD); /* 1955-02-30 */
    assert_why_has("impossible birth date");
}

static void test_id_bad(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(fw_norm_id("110105194912310021", out, why), FW_NORM_BAD);
    assert_why_has("check character is 1 but X was expected");
    /* Only a failed check character leaves the number as written, for registries that keep it. */
    assert_string_equal(out, "110105194912310021");
    assert_int_equal(fw_norm_id("520102195503120000", out, why), FW_NORM_BAD);
    assert_string_equal(out, "");
    assert_int_equal(fw_norm_id("5.20102E+17", out, why), FW_NORM_BAD);
    assert_string_equal(out, "");
    assert_why_has("scientific notation");
    assert_why_has("re-export the column as text");
    assert_int_equal(fw_norm_id("520102195503120000", out, why), FW_NORM_BAD); /* 15 digits kept */
    assert_why_has("re-export the column as text");
    assert_int_equal(fw_norm_id("52010219550312001", out, why), FW_NORM_BAD);
    assert_why_has("17 digits instead of 18");
    assert_int_equal(fw_norm_id("", out, why), FW_NORM_BAD);
    assert_why_has("empty");
    assert_int_equal(fw_norm_id("11010519491331002X", out, why), FW_NORM_BAD);
    assert_why_has("month 13 does not exist");
    assert_int_equal(fw_norm_id("1101051949123100ZX", out, why), FW_NORM_BAD);
    assert_why_has("17 digits and a check digit");
    assert_int_equal(fw_norm_id("11010518991231002X", out, why), FW_NORM_BAD);
    assert_why_has("year 1899 is out of range");
    assert_int_equal(fw_norm_id("张三", out, why), FW_NORM_BAD);
    assert_why_has("must be 18 characters");

    /* A birth date after today: built with a correct check character so only the date is wrong. */
    char future[19] = "11010529990101001";
    future[17] = fw_id_check_char(future);
    future[18] = '\0';
    assert_int_equal(fw_norm_id(future, out, why), FW_NORM_BAD);
    assert_why_has("in the future");
}

/* ---- dates and periods ---------------------------------------------------------------------- */

static void expect_date(const char *in, const char *want)
{
    char out[11];
    int rc = fw_norm_date(in, out, why);
    if (rc != FW_NORM_OK)
        fail_msg("date \"%s\": %s", in, why);
    assert_string_equal(out, want);
}

static void expect_date_bad(const char *in, const char *phrase)
{
    char out[11];
    assert_int_equal(fw_norm_date(in, out, why), FW_NORM_BAD);
    assert_string_equal(out, "");
    assert_why_has(phrase);
}

static void test_date_forms(void **state)
{
    (void)state;
    expect_date("2023-01-05", "2023-01-05");
    expect_date("2023/1/5", "2023-01-05");
    expect_date("2023.1.5", "2023-01-05");
    expect_date("20230105", "2023-01-05");
    expect_date("2023年1月5日", "2023-01-05");
    expect_date("２０２３－０１－０５", "2023-01-05");
    expect_date("2023-01-05 00:00:00", "2023-01-05");
    expect_date("2023/1/5 13:45", "2023-01-05");
    expect_date("2024-02-29", "2024-02-29");
    expect_date("2000-02-29", "2000-02-29");
}

static void test_date_excel_serials(void **state)
{
    (void)state;
    expect_date("44931", "2023-01-05");
    expect_date("1", "1900-01-01");
    expect_date("59", "1900-02-28");
    expect_date("61", "1900-03-01"); /* after Excel's fake 1900-02-29 */
    expect_date("36526", "2000-01-01");
    expect_date_bad("60", "1900-02-29");
    expect_date_bad("0", "out of range");
}

static void test_date_bad(void **state)
{
    (void)state;
    expect_date_bad("2023-02-30", "day 30 does not exist in 2023-02");
    expect_date_bad("2023-13-01", "month 13 does not exist");
    expect_date_bad("1900-02-29", "day 29 does not exist");
    expect_date_bad("2023-1/5", "not a recognised date");
    expect_date_bad("2023-01", "has no day");
    expect_date_bad("5/1/2023", "not a recognised date");
    expect_date_bad("2023-01-05 noon", "not a date");
    expect_date_bad("", "empty");
    expect_date_bad("202301051", "not a recognised date");
    expect_date_bad("1899-12-31", "out of range");
}

static void expect_period(const char *in, const char *want)
{
    char out[8];
    int rc = fw_norm_period(in, out, why);
    if (rc != FW_NORM_OK)
        fail_msg("period \"%s\": %s", in, why);
    assert_string_equal(out, want);
}

static void test_period(void **state)
{
    (void)state;
    expect_period("2023-01", "2023-01");
    expect_period("2023/1", "2023-01");
    expect_period("2023.1", "2023-01");
    expect_period("202301", "2023-01");
    expect_period("2023年1月", "2023-01");
    expect_period("2023-11-05", "2023-11");
    expect_period("20231105", "2023-11");
    expect_period("2023年11月5日", "2023-11");
    expect_period("44931", "2023-01");
    char out[8];
    assert_int_equal(fw_norm_period("2023-13", out, why), FW_NORM_BAD);
    assert_why_has("month 13 does not exist");
    assert_int_equal(fw_norm_period("2023-02-30", out, why), FW_NORM_BAD);
    assert_why_has("day 30 does not exist");
    assert_int_equal(fw_norm_period("January", out, why), FW_NORM_BAD);
    assert_why_has("not a recognised date");
}

/* ---- money ---------------------------------------------------------------------------------- */

static void expect_fen(const char *in, long long want)
{
    long long fen = -1;
    int rc = fw_norm_money(in, false, &fen, why);
    if (rc != FW_NORM_OK)
        fail_msg("amount \"%s\": %s", in, why);
    assert_int_equal(fen, want);
}

static void test_money_forms(void **state)
{
    (void)state;
    expect_fen("1234.5", 123450);
    expect_fen("1,234.50", 123450);
    expect_fen("¥1234.50", 123450);
    expect_fen("￥1234.50", 123450);
    expect_fen("1234.50元", 123450);
    expect_fen("1234.50 元", 123450);
    expect_fen("RMB 1234.50", 123450);
    expect_fen("１２３４．５０", 123450);
    expect_fen("0", 0);
    expect_fen("0.01", 1);
    expect_fen("12,345,678.09", 1234567809);
    expect_fen("-0.00", 0);
    expect_fen("- 0", 0);
    /* 0.29 is 0.28999... as a double: the parser must not go through floating point. */
    expect_fen("0.29", 29);
    expect_fen("999999999999999.99", 99999999999999999LL);
}

static void test_money_negative(void **state)
{
    (void)state;
    long long fen = 0;
    assert_int_equal(fw_norm_money("-12.50", true, &fen, why), FW_NORM_NOTE);
    assert_int_equal(fen, -1250);
    assert_why_has("negative amount: reversal");
    assert_int_equal(fw_norm_money("(12.50)", true, &fen, why), FW_NORM_NOTE);
    assert_int_equal(fen, -1250);
    assert_int_equal(fw_norm_money("- ¥3", true, &fen, why), FW_NORM_NOTE);
    assert_int_equal(fen, -300);
    assert_int_equal(fw_norm_money("-12.50", false, &fen, why), FW_NORM_BAD);
    assert_why_has("is negative");
}

static void test_money_bad(void **state)
{
    (void)state;
    long long fen = 0;
    assert_int_equal(fw_norm_money("1.234", false, &fen, why), FW_NORM_BAD);
    assert_why_has("3 decimals");
    assert_int_equal(fw_norm_money("", false, &fen, why), FW_NORM_BAD);
    assert_why_has("empty");
    assert_int_equal(fw_norm_money("1,5", false, &fen, why), FW_NORM_BAD);
    assert_why_has("misplaced thousands separator");
    assert_int_equal(fw_norm_money("12,34.5", false, &fen, why), FW_NORM_BAD);
    assert_why_has("misplaced thousands separator");
    assert_int_equal(fw_norm_money("1.2E+05", false, &fen, why), FW_NORM_BAD);
    assert_why_has("scientific notation");
    assert_int_equal(fw_norm_money("abc", false, &fen, why), FW_NORM_BAD);
    assert_why_has("no digits");
    assert_int_equal(fw_norm_money("12.5x", false, &fen, why), FW_NORM_BAD);
    assert_why_has("not part of a number");
    assert_int_equal(fw_norm_money("1234567890123456", false, &fen, why), FW_NORM_BAD);
    assert_why_has("too large");
    assert_int_equal(fen, 0);
}

/* ---- credit codes, regions, numbers --------------------------------------------------------- */

static void test_credit(void **state)
{
    (void)state;
    char out[19];
    assert_int_equal(fw_norm_credit("91350200MA2YJ1XR9G", out, why), FW_NORM_OK);
    assert_string_equal(out, "91350200MA2YJ1XR9G");
    assert_int_equal(fw_norm_credit("91350200ma2yj1xr9g", out, why), FW_NORM_OK);
    assert_string_equal(out, "91350200MA2YJ1XR9G");
    assert_int_equal(fw_norm_credit("91350200MA2YJ1XR9A", out, why), FW_NORM_BAD);
    assert_why_has("check character is A but G was expected");
    assert_int_equal(fw_norm_credit("91350200MA2YJ1XO9G", out, why), FW_NORM_BAD);
    assert_why_has("'O' at position 16");
    assert_int_equal(fw_norm_credit("91350200MA2YJ1XR9", out, why), FW_NORM_BAD);
    assert_why_has("this one has 17");
}

static void test_region(void **state)
{
    (void)state;
    char out[13];
    assert_int_equal(fw_norm_region("520102", out, why), FW_NORM_OK);
    assert_string_equal(out, "520102");
    assert_int_equal(fw_norm_region("520102001", out, why), FW_NORM_OK);
    assert_int_equal(fw_norm_region("５２０１０２００１００１", out, why), FW_NORM_OK);
    assert_string_equal(out, "520102001001");
    assert_int_equal(fw_norm_region("5201020", out, why), FW_NORM_BAD);
    assert_why_has("6, 9 or 12 digits");
    assert_int_equal(fw_norm_region("52010A", out, why), FW_NORM_BAD);
}

static void test_number(void **state)
{
    (void)state;
    double v = -1;
    assert_int_equal(fw_norm_number("85", &v, why), FW_NORM_OK);
    assert_true(v == 85.0);
    assert_int_equal(fw_norm_number("85.5", &v, why), FW_NORM_OK);
    assert_true(v == 85.5);
    assert_int_equal(fw_norm_number("1,085.5", &v, why), FW_NORM_OK);
    assert_true(v == 1085.5);
    assert_int_equal(fw_norm_number("85.5平方米", &v, why), FW_NORM_OK);
    assert_true(v == 85.5);
    assert_int_equal(fw_norm_number("120㎡", &v, why), FW_NORM_OK);
    assert_true(v == 120.0);
    assert_int_equal(fw_norm_number("0.1 m2", &v, why), FW_NORM_OK);
    assert_true(v == 0.1);
    assert_int_equal(fw_norm_number("-3", &v, why), FW_NORM_BAD);
    assert_why_has("negative");
    assert_int_equal(fw_norm_number("85亩", &v, why), FW_NORM_BAD);
    assert_why_has("not part of a number");
    assert_int_equal(fw_norm_number("", &v, why), FW_NORM_BAD);
    assert_why_has("empty");
}

/* Every normalizer refuses an over-long cell with a message instead of overrunning a buffer. */
static void test_long_cells(void **state)
{
    (void)state;
    char big[1000];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char out[19];
    long long fen;
    double v;
    assert_int_equal(fw_norm_id(big, out, why), FW_NORM_BAD);
    assert_int_equal(fw_norm_date(big, out, why), FW_NORM_BAD);
    assert_int_equal(fw_norm_period(big, out, why), FW_NORM_BAD);
    assert_int_equal(fw_norm_money(big, true, &fen, why), FW_NORM_BAD);
    assert_int_equal(fw_norm_credit(big, out, why), FW_NORM_BAD);
    assert_int_equal(fw_norm_region(big, out, why), FW_NORM_BAD);
    assert_int_equal(fw_norm_number(big, &v, why), FW_NORM_BAD);
    assert_why_has("too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trim),           cmocka_unit_test(test_fold_fullwidth),
        cmocka_unit_test(test_id_check_char),  cmocka_unit_test(test_id_valid),
        cmocka_unit_test(test_id_15_to_18),    cmocka_unit_test(test_id_bad),
        cmocka_unit_test(test_date_forms),     cmocka_unit_test(test_date_excel_serials),
        cmocka_unit_test(test_date_bad),       cmocka_unit_test(test_period),
        cmocka_unit_test(test_money_forms),    cmocka_unit_test(test_money_negative),
        cmocka_unit_test(test_money_bad),      cmocka_unit_test(test_credit),
        cmocka_unit_test(test_region),         cmocka_unit_test(test_number),
        cmocka_unit_test(test_long_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
