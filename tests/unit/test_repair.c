/* test_repair.c: the candidate generator of the ID repair step (audit/repair.c): from a number with
 * one typing error (a digit changed, two neighbours swapped, the check character wrong) the true
 * number is among the candidates, named with the edit that makes it; every candidate is valid and one
 * edit away; a number two edits away from the true one never yields it; bad input yields nothing. */
#include "tests/unit/testutil.h"

#include <string.h>

#include "audit/normalize.h"
#include "audit/repair.h"

static const char truth[] = "11010519491231002X"; /* GB 11643's own example */

/* Whether a differs from b by one character, or by one swap of two neighbours. */
static bool one_edit(const char *a, const char *b)
{
    int diff[18], n = 0;
    for (int i = 0; i < 18; i++)
        if (a[i] != b[i] && n < 18)
            diff[n++] = i;
    if (n == 1)
        return true;
    return n == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]];
}

/* The candidates of typed, each checked valid and one edit away; the index of want, or -1. */
static int find(const char *typed_as_is, const char *want, fw_id_candidate *c, int *n)
{
    *n = fw_id_candidates(typed_as_is, c, FW_ID_CANDIDATES_MAX);
    char typed[19];
    snprintf(typed, sizeof typed, "%s", typed_as_is);
    if (typed[17] == 'x')
        typed[17] = 'X';
    int at = -1;
    for (int i = 0; i < *n; i++) {
        char out[19], why[FW_WHY_SIZE];
        assert_int_equal(fw_norm_id(c[i].id, out, why), FW_NORM_OK);
        assert_true(one_edit(typed, c[i].id));
        assert_string_not_equal(c[i].id, typed);
        if (strcmp(c[i].id, want) == 0)
            at = i;
    }
    return at;
}

static void fails_check(const char *typed)
{
    assert_true(fw_id_check_char(typed) != typed[17]);
}

static void swapped_pair(void **state)
{
    (void)state;
    const char *typed = "11010519491231020X"; /* the 16th and 17th digits swapped */
    fails_check(typed);
    fw_id_candidate c[FW_ID_CANDIDATES_MAX];
    int n, at = find(typed, truth, c, &n);
    assert_true(at >= 0);
    assert_int_equal(c[at].edit, FW_ID_EDIT_SWAP);
    assert_int_equal(c[at].pos, 16);
    char words[200];
    fw_id_edit_words(typed, &c[at], words, sizeof words);
    assert_non_null(strstr(words, "16 and 17"));
}

static void changed_digit(void **state)
{
    (void)state;
    const char *typed = "11010519491237002X"; /* the 14th digit 1 typed as 7 */
    fails_check(typed);
    fw_id_candidate c[FW_ID_CANDIDATES_MAX];
    int n, at = find(typed, truth, c, &n);
    assert_true(at >= 0);
    assert_int_equal(c[at].edit, FW_ID_EDIT_DIGIT);
    assert_int_equal(c[at].pos, 14);
    char words[200];
    fw_id_edit_words(typed, &c[at], words, sizeof words);
    assert_string_equal(words, "digit 14 typed 7, the person's number has 1");
}

static void check_character(void **state)
{
    (void)state;
    const char *typed = "110105194912310021"; /* X typed as 1 */
    fails_check(typed);
    fw_id_candidate c[FW_ID_CANDIDATES_MAX];
    int n, at = find(typed, truth, c, &n);
    assert_true(at >= 0);
    assert_int_equal(c[at].edit, FW_ID_EDIT_CHECK);
    assert_int_equal(c[at].pos, 18);
    /* lower-case x is the same number */
    assert_true(find("11010519491237002x", truth, c, &n) >= 0);
}

static void two_edits_away_is_no_candidate(void **state)
{
    (void)state;
    const char *typed = "11010519491231507X"; /* two digits changed: 15th 0->5, 17th 2->7 */
    fw_id_candidate c[FW_ID_CANDIDATES_MAX];
    int n;
    assert_int_equal(find(typed, truth, c, &n), -1);
    assert_true(n > 0); /* other valid numbers one edit away exist; only the true one is out of reach */
    const char *swapped_twice = "10113519491231002X"; /* 2nd/3rd swapped and the 5th digit changed */
    assert_int_equal(find(swapped_twice, truth, c, &n), -1);
}

static void bad_input_gives_nothing(void **state)
{
    (void)state;
    fw_id_candidate c[FW_ID_CANDIDATES_MAX];
    assert_int_equal(fw_id_candidates(NULL, c, FW_ID_CANDIDATES_MAX), 0);
    assert_int_equal(fw_id_candidates("", c, FW_ID_CANDIDATES_MAX), 0);
    assert_int_equal(fw_id_candidates("1101051949123100", c, FW_ID_CANDIDATES_MAX), 0);
    assert_int_equal(fw_id_candidates("1101051949A231002X", c, FW_ID_CANDIDATES_MAX), 0);
    assert_int_equal(fw_id_candidates("11010519491231002X1", c, FW_ID_CANDIDATES_MAX), 0);
    assert_int_equal(fw_id_candidates("X1010519491231002X", c, FW_ID_CANDIDATES_MAX), 0);
    assert_int_equal(fw_id_candidates("11010519491237002X", c, 2), 2); /* max respected */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(swapped_pair),
        cmocka_unit_test(changed_digit),
        cmocka_unit_test(check_character),
        cmocka_unit_test(two_edits_away_is_no_candidate),
        cmocka_unit_test(bad_input_gives_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
