/* fuzz_normalize.c: libFuzzer target for the field normalizers. The input, as a NUL-terminated
 * string, goes through trimming, folding and every normalizer; each must return one of its three
 * statuses, leave a NUL-terminated message, and keep the promises of its stored form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_status(int rc, const char *why)
{
    if (rc != FW_NORM_OK && rc != FW_NORM_NOTE && rc != FW_NORM_BAD)
        abort();
    if (strnlen(why, FW_WHY_SIZE) == FW_WHY_SIZE)
        abort();
    if ((rc == FW_NORM_OK) != (why[0] == '\0'))
        abort();
}

static int all_in(const char *s, const char *set)
{
    return strspn(s, set) == strlen(s);
}

static void run_all(const char *s)
{
    char why[FW_WHY_SIZE], out[19];
    int rc = fw_norm_id(s, out, why);
    check_status(rc, why);
    if (rc != FW_NORM_BAD && (strlen(out) != 18 || !all_in(out, "0123456789X") ||
                              fw_id_check_char(out) != out[17]))
        abort();

    rc = fw_norm_date(s, out, why);
    check_status(rc, why);
    if (rc != FW_NORM_BAD && (strlen(out) != 10 || out[4] != '-' || out[7] != '-'))
        abort();
    if (rc != FW_NORM_BAD) {
        char again[11];
        if (fw_norm_date(out, again, why) != FW_NORM_OK || strcmp(again, out) != 0)
            abort(); /* the stored form must itself be accepted unchanged */
    }

    rc = fw_norm_period(s, out, why);
    check_status(rc, why);
    if (rc != FW_NORM_BAD && (strlen(out) != 7 || out[4] != '-'))
        abort();

    long long fen = 0;
    rc = fw_norm_money(s, true, &fen, why);
    check_status(rc, why);
    if ((rc == FW_NORM_NOTE) != (fen < 0))
        abort();
    rc = fw_norm_money(s, false, &fen, why);
    check_status(rc, why);
    if (rc == FW_NORM_NOTE || fen < 0)
        abort();

    rc = fw_norm_credit(s, out, why);
    check_status(rc, why);
    if (rc != FW_NORM_BAD && strlen(out) != 18)
        abort();

    rc = fw_norm_region(s, out, why);
    check_status(rc, why);
    if (rc != FW_NORM_BAD && !all_in(out, "0123456789"))
        abort();

    double v = 0;
    rc = fw_norm_number(s, &v, why);
    check_status(rc, why);
    if (rc != FW_NORM_BAD && !(v >= 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    run_all(s);
    size_t n = fw_norm_trim(s);
    if (n != strlen(s))
        abort();
    run_all(s);
    fw_norm_fold_fullwidth(s);
    if (strlen(s) > n)
        abort();
    run_all(s);
    free(s);
    return 0;
}
