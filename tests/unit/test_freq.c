/* test_freq.c: the frequency view's money (audit/freq.c) counts each payment once. Two rules on the
 * same payments (DEC-001 and DEC-003 on the same two payments of ¥141.89) make ¥283.78 under their
 * severity, not ¥567.56; a hit citing part of a payment gives it its share, and a hit citing the
 * whole payment raises it to the whole; hits about a village and hits citing no payment are not
 * payment-based and are kept apart; the total counts a payment once over all values while each
 * value counts it under itself. Every figure is hand-computed below, and each value's figures also
 * equal audit/money.c's query (fw_money_of) for that value's hits, so the screen and every other
 * money total cannot drift apart. */
#include "tests/unit/testutil.h"

#include "audit/browse.h"

static fw_ws *ws;
static char *dir;

/* Payments P1, P2 ¥141.89 each (person A), P3 ¥100.00 and P4 ¥300.00 (person B). Hits:
 *   1 DEC-001 high   A  28378 cites P1 P2        -> P1 14189, P2 14189 (whole payments)
 *   2 DEC-003 high   A  28378 cites P1 P2        -> the same shares again: counted once
 *   3 DUP-006 medium B   5000 cites P3 P4        -> P3 1250, P4 3750 (its 5000 spread 1:3)
 *   4 DEC-001 medium B  40000 cites P3 P4        -> P3 10000, P4 30000 (whole payments)
 *   5 STAT-01 low    -  70000 village, cites P1  -> not payment-based (the village's statistic)
 *   6 DEC-003 low    C    999 cites none         -> not payment-based
 * so by severity: high 28378 (not 56756), medium 40000 (not 45000), low 0 + 70999 apart; by rule:
 * DEC-001 68378, DEC-003 28378 + 999 apart, DUP-006 5000, STAT-01 0 + 70000 apart; the total
 * 14189 + 14189 + 10000 + 30000 = 68378, and 70999 apart. */
static int setup(void **state)
{
    (void)state;
    ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws,
        "INSERT INTO runs(id, user, started_at, status) VALUES (1, 't', 'x', 'complete');"
        "INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, user, started_at)"
        " VALUES (1, 'payments', 'p.csv', 'x', 'UTF-8', 'append', 'loaded', 't', 'x');"
        "INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date) VALUES"
        " (1, 1, 'P1', '520102195503120016', '甲', '低保', 14189, '2023-01-01'),"
        " (1, 2, 'P2', '520102195503120016', '甲', '低保', 14189, '2023-02-01'),"
        " (1, 3, 'P3', '520102196805050031', '乙', '低保', 10000, '2023-01-01'),"
        " (1, 4, 'P4', '520102196805050031', '乙', '低保', 30000, '2023-02-01');"
        "INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,"
        "  township, village, amount, detail, evidence_hash, first_run_id, last_run_id) VALUES"
        " (1, 'f1', 'DEC-001', 'deceased', 'high', 'person', 'A', '520102195503120016', '甲', '乡', '村', 28378, 'd', 'e', 1, 1),"
        " (2, 'f2', 'DEC-003', 'deceased', 'high', 'person', 'A', '520102195503120016', '甲', '乡', '村', 28378, 'd', 'e', 1, 1),"
        " (3, 'f3', 'DUP-006', 'duplicate', 'medium', 'person', 'B', '520102196805050031', '乙', '乡', '村', 5000, 'd', 'e', 1, 1),"
        " (4, 'f4', 'DEC-001', 'deceased', 'medium', 'person', 'B', '520102196805050031', '乙', '乡', '村', 40000, 'd', 'e', 1, 1),"
        " (5, 'f5', 'STAT-01', 'statistic', 'low', 'village', '乡/村', NULL, NULL, '乡', '村', 70000, 'd', 'e', 1, 1),"
        " (6, 'f6', 'DEC-003', 'deceased', 'low', 'person', 'C', '520102197001010011', '丙', '乡', '村', 999, 'd', 'e', 1, 1);"
        "INSERT INTO hit_evidence(hit_id, dataset, row_key) VALUES (1, 'payments', 'P1'), (1, 'payments', 'P2'),"
        " (2, 'payments', 'P1'), (2, 'payments', 'P2'), (3, 'payments', 'P3'), (3, 'payments', 'P4'),"
        " (4, 'payments', 'P3'), (4, 'payments', 'P4'), (5, 'payments', 'P1');",
        &err), FW_OK);
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

/* Counts a column of the whole list in slices of `slice` hit ids (1: every hit its own slice, so a
 * payment met in one slice is met again in the next). */
static void count_all(fw_freq *fq, enum fw_freq_col col, long long slice)
{
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_err err = {0};
    fw_freq_init(ws, fq, col);
    int rc;
    while ((rc = fw_freq_step(ws, &f, fq, slice, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    fw_freq_sort(fq);
}

static const fw_freq_row *row_of(const fw_freq *fq, const char *value)
{
    for (int i = 0; i < fq->n; i++)
        if (strcmp(fw_freq_value(fq, &fq->rows[i]), value) == 0)
            return &fq->rows[i];
    fail_msg("no row for %s", value);
    return NULL;
}

static void expect(const fw_freq *fq, const char *value, long long count, long long paid, long long other)
{
    const fw_freq_row *r = row_of(fq, value);
    assert_int_equal(r->count, count);
    assert_int_equal(fw_freq_paid(r), paid);
    assert_int_equal(r->other, other);
}

static void test_money_once_by_severity(void **state)
{
    (void)state;
    for (long long slice = 1; slice <= 1000; slice *= 1000) {
        fw_freq fq;
        count_all(&fq, FW_FREQ_SEVERITY, slice);
        assert_int_equal(fq.n, 3);
        expect(&fq, "high", 2, 28378, 0); /* DEC-001 and DEC-003 on P1, P2: once, not 56756 */
        expect(&fq, "medium", 2, 40000, 0); /* P3 and P4 whole (hit 4), not 40000 + 5000 */
        expect(&fq, "low", 2, 0, 70999);  /* a village statistic and a hit citing no payment */
        assert_int_equal(fq.count, 6);
        assert_int_equal(fw_freq_total_paid(&fq), 68378);
        assert_int_equal(fw_freq_total_other(&fq), 70999);
        fw_freq_free(&fq);
    }
}

static void test_money_once_by_rule_and_person(void **state)
{
    (void)state;
    fw_freq fq;
    count_all(&fq, FW_FREQ_RULE, 2);
    expect(&fq, "DEC-001", 2, 68378, 0);
    expect(&fq, "DEC-003", 2, 28378, 999);
    expect(&fq, "DUP-006", 1, 5000, 0);
    expect(&fq, "STAT-01", 1, 0, 70000);
    /* P1, P2 count under DEC-001 and under DEC-003, once in the total */
    assert_int_equal(fw_freq_total_paid(&fq), 68378);
    fw_freq_free(&fq);
    count_all(&fq, FW_FREQ_ID_NUMBER, 1000);
    expect(&fq, "520102195503120016", 2, 28378, 0);
    expect(&fq, "520102196805050031", 2, 40000, 0);
    expect(&fq, "520102197001010011", 1, 0, 999);
    fw_freq_free(&fq);
    count_all(&fq, FW_FREQ_AMOUNT, 1000);
    expect(&fq, "28378", 2, 28378, 0); /* the two rules' hits have the same amount: one value */
    fw_freq_free(&fq);
}

/* Each value's figures are those of audit/money.c's query over the value's hits: one rule. */
static void test_same_as_money_query(void **state)
{
    (void)state;
    static const char *const expr[FW_FREQ_COUNT_] = {
        [FW_FREQ_SEVERITY] = "severity", [FW_FREQ_RULE] = "rule_id", [FW_FREQ_CATEGORY] = "category",
        [FW_FREQ_STATUS] = "'new'", [FW_FREQ_TOWNSHIP] = "township", [FW_FREQ_VILLAGE] = "township || char(31) || village",
        [FW_FREQ_PROGRAM] = "program", [FW_FREQ_NAME] = "name", [FW_FREQ_ID_NUMBER] = "id_number", [FW_FREQ_AMOUNT] = "amount",
    };
    for (int c = 0; c < FW_FREQ_COUNT_; c++) {
        fw_freq fq;
        count_all(&fq, (enum fw_freq_col)c, 3);
        for (int i = 0; i < fq.n; i++) {
            const fw_freq_row *r = &fq.rows[i];
            char *sql = r->null ? fw_printf("SELECT id FROM hits WHERE state = 'present' AND %s IS NULL", expr[c])
                                : fw_printf("SELECT id FROM hits WHERE state = 'present' AND %s = ?1", expr[c]);
            fw_money m;
            fw_err err = {0};
            assert_int_equal(fw_money_of(ws, sql, r->null ? NULL : fw_freq_value(&fq, r), &m, &err), FW_OK);
            free(sql);
            assert_int_equal(r->count, m.hits);
            assert_int_equal(fw_freq_paid(r), m.paid);
            assert_int_equal(r->other, m.other);
        }
        fw_money all;
        fw_err err = {0};
        assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE state = 'present'", NULL, &all, &err), FW_OK);
        assert_int_equal(fw_freq_total_paid(&fq), all.paid);
        assert_int_equal(fw_freq_total_other(&fq), all.other);
        fw_freq_free(&fq);
    }
}

/* 25,000 values (the counting sort's path), counts 1 to 3 in a pattern; a hit citing one payment
 * each: the money of a value is its hits' payments, once. */
static void test_many_values_sorted(void **state)
{
    (void)state;
    char *d;
    fw_ws *w = test_open_ws(&d);
    fw_err err = {0};
    /* value v (0..24999) has 1 + (v % 7 == 0) + (v % 11 == 0) hits; hit ids interleave the values */
    assert_int_equal(fw_ws_exec(w,
        "INSERT INTO runs(id, user, started_at, status) VALUES (1, 't', 'x', 'complete');"
        "WITH RECURSIVE v(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM v WHERE i < 24999),"
        " k(j) AS (VALUES (0), (1), (2)),"
        " h(val, j) AS (SELECT i, j FROM v, k WHERE j = 0 OR (j = 1 AND i % 7 = 0) OR (j = 2 AND i % 11 = 0))"
        " INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number,"
        "  amount, detail, evidence_hash, first_run_id, last_run_id)"
        " SELECT j * 100000 + val + 1, 'f' || j || '-' || val, 'R-1', 'c', 'low', 'person', 's',"
        "  printf('ID%05d', val), 100, 'd', 'e', 1, 1 FROM h",
        &err), FW_OK);
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_freq fq;
    fw_freq_init(w, &fq, FW_FREQ_ID_NUMBER);
    int rc;
    while ((rc = fw_freq_step(w, &f, &fq, 30000, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    fw_freq_sort(&fq);
    assert_int_equal(fq.n, 25000);
    long long seen = 0;
    int last_value = -1;
    for (int i = 0; i < fq.n; i++) {
        const fw_freq_row *r = &fq.rows[i];
        int v = atoi(fw_freq_value(&fq, r) + 2);
        assert_int_equal(r->count, 1 + (v % 7 == 0) + (v % 11 == 0));
        assert_int_equal(r->other, 100 * r->count); /* no payment cited */
        if (i && fq.rows[i - 1].count == r->count)
            assert_true(v > last_value); /* ties: first seen first (value order here) */
        else if (i)
            assert_true(fq.rows[i - 1].count > r->count);
        last_value = v;
        seen += r->count;
    }
    assert_string_equal(fw_freq_value(&fq, &fq.rows[0]), "ID00000"); /* 0 = 0 mod 77: three hits */
    assert_int_equal(seen, fq.count);
    fw_freq_free(&fq);
    fw_ws_close(w);
    test_rmdir(d);
    free(d);
}

static bool stop_at_once(void *ctx)
{
    ++*(int *)ctx;
    return true;
}

/* Stopped inside a slice (the store asks stop() while the slice's query runs): 2, a prefix of the
 * hits by id counted whole (fq.next_id the first not counted), no value without hits, and counting
 * may not go on past a stop without a new start (the view counts again from scratch). Then the same
 * slice unstopped counts every hit, and the arrays sized after a first slice of values that are
 * nearly all new (freq_foresee) hold the 60,000 values. */
static void test_stopped_inside_a_slice(void **state)
{
    (void)state;
    char *d;
    fw_ws *w = test_open_ws(&d);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(w,
        "INSERT INTO runs(id, user, started_at, status) VALUES (1, 't', 'x', 'complete');"
        "WITH RECURSIVE v(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM v WHERE i < 60000)"
        " INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number,"
        "  amount, detail, evidence_hash, first_run_id, last_run_id)"
        " SELECT i, 'f' || i, 'R-1', 'c', 'low', 'person', 's', printf('ID%06d', i), 100, 'd', 'e', 1, 1 FROM v",
        &err), FW_OK);
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_freq fq;
    fw_freq_init(w, &fq, FW_FREQ_ID_NUMBER);
    int asked = 0;
    assert_int_equal(fw_freq_step_until(w, &f, &fq, 100000, stop_at_once, &asked, &err), 2);
    assert_true(asked >= 1);
    assert_true(fq.count < 60000);
    assert_int_equal(fq.count, fq.next_id - 1); /* ids 1.. next_id - 1, each whole */
    assert_int_equal(fq.n, fq.count);           /* a value per hit, none without its hit */
    for (int i = 0; i < fq.n; i++)
        assert_int_equal(fq.rows[i].count, 1);
    assert_false(fq.done);
    fw_freq_free(&fq);

    fw_freq_init(w, &fq, FW_FREQ_ID_NUMBER);
    int rc;
    while ((rc = fw_freq_step_until(w, &f, &fq, 20000, NULL, NULL, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    assert_true(fq.sized);
    assert_int_equal(fq.n, 60000);
    assert_int_equal(fq.count, 60000);
    fw_freq_sort(&fq);
    assert_string_equal(fw_freq_value(&fq, &fq.rows[59999]), "ID060000");
    fw_freq_free(&fq);
    fw_ws_close(w);
    test_rmdir(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_once_by_severity),
        cmocka_unit_test(test_money_once_by_rule_and_person),
        cmocka_unit_test(test_same_as_money_query),
        cmocka_unit_test(test_many_values_sorted),
        cmocka_unit_test(test_stopped_inside_a_slice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
