/* test_time.c: stored UTC times shown in local time (fw_time_local), under TZ=Asia/Shanghai and
 * TZ=UTC, in both styles; text that is not a stored time passes through unchanged. */
#include "testutil.h"

#include <time.h>

static void use_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static void expect_local(const char *stored, enum fw_time_style style, const char *want)
{
    char out[FW_TIME_SIZE];
    assert_string_equal(fw_time_local(stored, style, out, sizeof out), want);
}

static void test_shanghai(void **state)
{
    (void)state;
    use_tz("Asia/Shanghai");
    expect_local("2026-12-05T07:48:30Z", FW_TIME_MINUTE, "2026-12-05 15:48");
    expect_local("2026-12-05T07:48:30Z", FW_TIME_EVIDENCE, "2026-12-05 15:48:30 +08:00");
    /* past midnight local time: the day changes too */
    expect_local("2026-12-31T16:30:00Z", FW_TIME_MINUTE, "2027-01-01 00:30");
    expect_local("2026-12-05 07:48Z", FW_TIME_MINUTE, "2026-12-05 15:48");
    struct tm tm;
    assert_true(fw_time_local_tm("2026-12-05T07:48:30Z", &tm));
    assert_int_equal(tm.tm_hour, 15);
    assert_int_equal(tm.tm_sec, 30);
}

static void test_utc(void **state)
{
    (void)state;
    use_tz("UTC");
    expect_local("2026-12-05T07:48:30Z", FW_TIME_MINUTE, "2026-12-05 07:48");
    expect_local("2026-12-05T07:48:30Z", FW_TIME_EVIDENCE, "2026-12-05 07:48:30 +00:00");
}

static void test_negative_offset(void **state)
{
    (void)state;
    use_tz("America/St_Johns"); /* -03:30 in December */
    expect_local("2026-12-05T07:48:30Z", FW_TIME_EVIDENCE, "2026-12-05 04:18:30 -03:30");
}

static void test_not_a_time(void **state)
{
    (void)state;
    use_tz("Asia/Shanghai");
    /* dates, months, times without a zone and text are shown as stored */
    expect_local("2026-12-05", FW_TIME_MINUTE, "2026-12-05");
    expect_local("2026-12", FW_TIME_MINUTE, "2026-12");
    expect_local("2026-12-05T07:48:30", FW_TIME_MINUTE, "2026-12-05T07:48:30");
    expect_local("2026-13-05T07:48:30Z", FW_TIME_MINUTE, "2026-13-05T07:48:30Z");
    expect_local("入户核查", FW_TIME_MINUTE, "入户核查");
    expect_local(NULL, FW_TIME_MINUTE, "");
    struct tm tm;
    assert_false(fw_time_local_tm("2026-12-05", &tm));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shanghai),
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_negative_offset),
        cmocka_unit_test(test_not_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
