/* test_money.c: money counted once (audit/money.h) everywhere a total is shown. Real catalogue
 * rules (DEC-001, DEC-003, DUP-001) run over planted payments so that several rules hit the same
 * payments, plus a village statistic and a hit citing no payment; every total is checked against
 * a sum computed by hand:
 *
 *   张三 (龙场镇), died 2023-03-10: pension 146.56 (2023-02, payable), 146.56 (2023-04), 137.22
 *     (2023-05). DEC-001 and DEC-003 both cite the last two: 283.78, not 567.56.
 *   李秀英 (龙场镇), alive: 低保 360.00 twice for 2023-05. DUP-001 puts one of them at risk: 360.00
 *     (its share of each payment is 180.00).
 *   黄梅 (新场镇), died 2023-01-15: 低保 300.00 twice for 2023-03. DEC-001 puts both at risk (600.00),
 *     DUP-001 one of them (300.00): 600.00, not 900.00.
 *   王五 (新场镇), died 2023-01-15: 医疗救助 200.00 and 低保 300.00 for 2023-02. DEC-001: 500.00, its
 *     programs the set "低保,医疗救助".
 *   A village statistic (STA-001, 5,000.00, citing 张三's payment) and a person hit citing no
 *     payment (123.45): not payment-based, counted apart, never added in.
 *
 * Money at issue of everything: 283.78 + 360.00 + 600.00 + 500.00 = 1,743.78; apart: 5,123.45. */
#include "tests/unit/testutil.h"

#include "audit/browse.h"
#include "audit/cases.h"
#include "audit/engine.h"
#include "audit/exportq.h"
#include "audit/import.h"
#include "audit/money.h"
#include "audit/profile.h"
#include "audit/ruletest.h"

static const char *const A = "520102195503120016", *const B = "11010519491231002X", *const C = "520102194505051021",
                  *const D = "520102196001010022";

enum { PAID_A = 28378, PAID_B = 36000, PAID_C = 60000, PAID_D = 50000, VILLAGE = 500000, NO_PAYMENT = 12345 };

static fw_ws *ws;
static char *dir;

static void load(const char *row)
{
    fw_example ex;
    fw_err err = {0};
    assert_int_equal(fw_example_parse(row, &ex, &err), FW_OK);
    fw_importer *im;
    if (fw_importer_open(ws, ex.dataset, NULL, "test", &im, &err) ||
        fw_import_record(im, ex.n, (const char *const *)ex.names, (const char *const *)ex.values, 1, &err))
        fail_msg("%s: %s", row, err.msg);
    assert_int_equal(fw_importer_close(im, &err), FW_OK);
    fw_example_free(&ex);
}

static void exec_ok(const char *sql)
{
    fw_err err = {0};
    if (fw_ws_exec(ws, sql, &err))
        fail_msg("%s: %s", sql, err.msg);
}

static int setup(void **state)
{
    (void)state;
    test_use_checkout_datadir();
    ws = test_open_ws(&dir);
    static const char *const rows[] = {
        "deaths: id_number=520102195503120016, death_date=2023-03-10",
        "deaths: id_number=520102194505051021, death_date=2023-01-15",
        "deaths: id_number=520102196001010022, death_date=2023-01-15",
        "payments: payment_id=A1, id_number=520102195503120016, name=张三, program=城乡居民养老金, amount=146.56, "
        "pay_date=2023-02-10, period=2023-02, township=龙场镇, village=新寨村",
        "payments: payment_id=A2, id_number=520102195503120016, name=张三, program=城乡居民养老金, amount=146.56, "
        "pay_date=2023-04-10, period=2023-04, township=龙场镇, village=新寨村",
        "payments: payment_id=A3, id_number=520102195503120016, name=张三, program=城乡居民养老金, amount=137.22, "
        "pay_date=2023-05-10, period=2023-05, township=龙场镇, village=新寨村",
        "payments: payment_id=B1, id_number=11010519491231002X, name=李秀英, program=低保, amount=360.00, "
        "pay_date=2023-05-10, period=2023-05, township=龙场镇, village=新寨村",
        "payments: payment_id=B2, id_number=11010519491231002X, name=李秀英, program=低保, amount=360.00, "
        "pay_date=2023-05-20, period=2023-05, township=龙场镇, village=新寨村",
        "payments: payment_id=C1, id_number=520102194505051021, name=黄梅, program=低保, amount=300.00, "
        "pay_date=2023-03-10, period=2023-03, township=新场镇, village=大坪村",
        "payments: payment_id=C2, id_number=520102194505051021, name=黄梅, program=低保, amount=300.00, "
        "pay_date=2023-03-20, period=2023-03, township=新场镇, village=大坪村",
        "payments: payment_id=D1, id_number=520102196001010022, name=王五, program=医疗救助, amount=200.00, "
        "pay_date=2023-02-10, period=2023-02, township=新场镇, village=大坪村",
        "payments: payment_id=D2, id_number=520102196001010022, name=王五, program=低保, amount=300.00, "
        "pay_date=2023-02-12, period=2023-02, township=新场镇, village=大坪村",
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        load(rows[i]);
    fw_ruleset set;
    fw_diags d = {0};
    fw_err err = {0};
    char *rules = fw_printf("%s/rules", getenv("FUNDWATCH_DATADIR"));
    fw_rule_sources src = {rules, NULL, NULL};
    assert_int_equal(fw_rules_load(&src, &set, &d, &err), FW_OK);
    fw_diags_free(&d);
    free(rules);
    const char *only[] = {"DEC-001", "DEC-003", "DUP-001"};
    fw_run_opts o = {.only = only, .nonly = 3};
    fw_run_result res;
    if (fw_run(ws, &set, &o, &res, &err))
        fail_msg("run: %s", err.msg);
    fw_run_result_free(&res);
    fw_ruleset_free(&set);
    /* What the statistical rules and a rule citing no payment would store. */
    exec_ok("INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, township, village, "
            "program, amount, detail, evidence_hash, first_run_id, last_run_id) VALUES ('v1', 'STA-001', "
            "'statistical', 'low', 'village', '龙场镇/新寨村', '龙场镇', '新寨村', '城乡居民养老金', 500000, "
            "'village', 'ev', 1, 1);"
            "INSERT INTO hit_evidence VALUES (last_insert_rowid(), 'payments', 'A2');"
            "INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, "
            "township, village, amount, detail, evidence_hash, first_run_id, last_run_id) VALUES ('n1', 'IDN-004', "
            "'identity', 'medium', 'person', '520102199001010011', '520102199001010011', '赵六', '新场镇', "
            "'大坪村', 12345, 'no payment cited', 'en', 1, 1)");
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

static long long q(const char *fmt, const char *arg)
{
    char *sql = fw_printf(fmt, arg);
    long long v = fw_ws_int(ws, sql);
    free(sql);
    return v;
}

static void test_rules_overlap_as_planted(void **state)
{
    (void)state;
    /* The premise: the rules did hit the same payments, so adding hits up counts them twice. */
    assert_int_equal(q("SELECT count(*) FROM hits WHERE subject = '%s'", A), 2);
    assert_int_equal(q("SELECT sum(amount) FROM hits WHERE subject = '%s'", A), 2 * PAID_A);
    assert_int_equal(q("SELECT sum(amount) FROM hits WHERE subject = '%s'", C), PAID_C + 30000);
    assert_int_equal(q("SELECT amount FROM hits WHERE subject = '%s'", B), PAID_B);
    assert_int_equal(q("SELECT count(*) FROM hit_evidence e JOIN hits h ON h.id = e.hit_id WHERE h.subject = '%s' "
                       "AND e.dataset = 'payments'", A),
                     4);
}

static void test_money_of_sets(void **state)
{
    (void)state;
    fw_money m;
    fw_err err = {0};
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE state = 'present'", NULL, &m, &err), FW_OK);
    assert_int_equal(m.paid, PAID_A + PAID_B + PAID_C + PAID_D);
    assert_int_equal(m.other, VILLAGE + NO_PAYMENT);
    assert_int_equal(m.hits, 8);
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE subject = ?1", A, &m, &err), FW_OK);
    assert_int_equal(m.paid, PAID_A);
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE subject = ?1", C, &m, &err), FW_OK);
    assert_int_equal(m.paid, PAID_C);
    /* A rule putting part of the payments at risk keeps its own figure when alone. */
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE rule_id = 'DUP-001' AND subject = ?1", C, &m, &err),
                     FW_OK);
    assert_int_equal(m.paid, 30000);
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE rule_id = ?1", "DUP-001", &m, &err), FW_OK);
    assert_int_equal(m.paid, PAID_B + 30000);
    /* The village statistic cites 张三's payment but adds nothing to it. */
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE subject = ?1 OR subject_kind = 'village'", A, &m, &err),
                     FW_OK);
    assert_int_equal(m.paid, PAID_A);
    assert_int_equal(m.other, VILLAGE);
    assert_int_equal(fw_money_of(ws, "SELECT id FROM hits WHERE 0", NULL, &m, &err), FW_OK);
    assert_int_equal(m.paid + m.other + m.hits, 0);
}

/* The overview's figures (the CLI prints the same query). */
static const fw_ov_row *ov_find(const fw_overview *ov, const char *section, const char *item)
{
    for (int i = 0; i < ov->n; i++)
        if (strcmp(ov->rows[i].section, section) == 0 && strcmp(ov->rows[i].item, item) == 0)
            return &ov->rows[i];
    fail_msg("overview lacks %s %s", section, item);
    return NULL;
}

static void test_overview(void **state)
{
    (void)state;
    fw_overview ov;
    fw_err err = {0};
    assert_int_equal(fw_overview_load(ws, 20, &ov, &err), FW_OK);
    const fw_ov_row *r = ov_find(&ov, "total", "hits");
    assert_int_equal(r->count, 8);
    assert_int_equal(r->amount, PAID_A + PAID_B + PAID_C + PAID_D);
    assert_int_equal(r->other, VILLAGE + NO_PAYMENT);
    r = ov_find(&ov, "category", "deceased");
    assert_int_equal(r->count, 4);
    assert_int_equal(r->amount, PAID_A + PAID_C + PAID_D);
    r = ov_find(&ov, "category", "duplicate");
    assert_int_equal(r->amount, PAID_B + 30000);
    r = ov_find(&ov, "category", "statistical");
    assert_int_equal(r->amount, 0);
    assert_int_equal(r->other, VILLAGE);
    r = ov_find(&ov, "severity", "high");
    assert_int_equal(r->amount, PAID_A + PAID_B + PAID_C + PAID_D);
    r = ov_find(&ov, "status", "new");
    assert_int_equal(r->amount, PAID_A + PAID_B + PAID_C + PAID_D);
    r = ov_find(&ov, "village", "新场镇 大坪村");
    assert_int_equal(r->amount, PAID_C + PAID_D);
    assert_int_equal(r->other, NO_PAYMENT);
    r = ov_find(&ov, "village", "龙场镇 新寨村");
    assert_int_equal(r->amount, PAID_A + PAID_B);
    assert_int_equal(r->other, VILLAGE);
    /* Clusters group by one program: 王五's hit (低保 and 医疗救助) counts under each. */
    r = ov_find(&ov, "program_month", "医疗救助 2023-02");
    assert_int_equal(r->count, 1);
    assert_int_equal(r->amount, PAID_D);
    r = ov_find(&ov, "program_month", "低保 2023-03");
    assert_int_equal(r->count, 2);
    assert_int_equal(r->amount, PAID_C);
    for (int i = 0; i < ov.n; i++)
        if (strcmp(ov.rows[i].section, "program_month") == 0 && strchr(ov.rows[i].item, ','))
            fail_msg("a cluster of several programs: %s", ov.rows[i].item);
    fw_overview_free(&ov);
}

/* The hit list's footer, summed a hit at a time: a payment met again in a later slice is not added. */
static void test_hit_list_totals(void **state)
{
    (void)state;
    fw_hit_filter f;
    fw_err err = {0};
    fw_hit_filter_init(&f);
    fw_hit_totals t;
    fw_hit_totals_init(ws, &t);
    int rc;
    while ((rc = fw_hit_totals_step(ws, &f, &t, 1, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    assert_int_equal(t.count, 8);
    assert_int_equal(t.amount, PAID_A + PAID_B + PAID_C + PAID_D);
    assert_int_equal(t.other, VILLAGE + NO_PAYMENT);
    fw_hit_totals_free(&t);
    assert_int_equal(fw_hit_filter_parse(&f, "category=deceased", &err), FW_OK);
    fw_hit_totals_init(ws, &t);
    while ((rc = fw_hit_totals_step(ws, &f, &t, 2, &err)) == 0)
        ;
    assert_int_equal(t.amount, PAID_A + PAID_C + PAID_D);
    fw_hit_totals_free(&t);
    /* A program filter takes every hit paid under the program, alone or with others. */
    assert_int_equal(fw_hit_filter_parse(&f, "program=医疗救助", &err), FW_OK);
    fw_hit_totals_init(ws, &t);
    while ((rc = fw_hit_totals_step(ws, &f, &t, 100, &err)) == 0)
        ;
    assert_int_equal(t.count, 1);
    assert_int_equal(t.amount, PAID_D);
    fw_hit_totals_free(&t);
    fw_hit_filter_free(&f);
}

static long long case_of(const char *subject)
{
    return q("SELECT id FROM cases WHERE subject = '%s'", subject);
}

static void test_cases_and_person(void **state)
{
    (void)state;
    fw_case c;
    fw_err err = {0};
    char id[24];
    snprintf(id, sizeof id, "%lld", case_of(A));
    assert_int_equal(fw_case_get(ws, id, &c, &err), FW_OK);
    assert_int_equal(c.amount, PAID_A);
    assert_int_equal(c.hits_present, 2);
    assert_string_equal(c.programs, "城乡居民养老金");
    fw_case_free(&c);
    snprintf(id, sizeof id, "%lld", case_of(D));
    assert_int_equal(fw_case_get(ws, id, &c, &err), FW_OK);
    assert_int_equal(c.amount, PAID_D);
    assert_string_equal(c.programs, "低保,医疗救助");
    fw_case_free(&c);
    /* The list: each case's money, and the total of the listed cases. */
    fw_case_filter all = {0};
    fw_rows *rows;
    assert_int_equal(fw_case_list(ws, &all, &rows, &err), FW_OK);
    long long seen = 0;
    while (fw_rows_step(rows, &err) == 1) {
        long long cid = fw_rows_int(rows, FW_CL_ID), fen = fw_rows_int(rows, FW_CL_AMOUNT);
        long long want = cid == case_of(A) ? PAID_A : cid == case_of(B) ? PAID_B : cid == case_of(C) ? PAID_C : PAID_D;
        assert_int_equal(fen, want);
        seen++;
    }
    fw_rows_close(rows);
    assert_int_equal(seen, 4);
    fw_money m;
    assert_int_equal(fw_case_list_money(ws, &all, &m, &err), FW_OK);
    assert_int_equal(m.paid, PAID_A + PAID_B + PAID_C + PAID_D);
    /* The person screen: 张三's hits, 283.78. */
    fw_person p;
    assert_int_equal(fw_person_load(ws, A, &p, &err), FW_OK);
    assert_int_equal(p.money.paid, PAID_A);
    fw_person_free(&p);
}

static void test_systemic(void **state)
{
    (void)state;
    exec_ok("UPDATE cases SET status = 'confirmed'");
    fw_rows *r;
    fw_err err = {0};
    assert_int_equal(fw_case_systemic(ws, FW_CD_RULE, &r, &err), FW_OK);
    int rows = 0;
    while (fw_rows_step(r, &err) == 1) {
        const char *rule = fw_rows_text(r, 0);
        long long fen = fw_rows_int(r, 2);
        if (strcmp(rule, "DEC-001") == 0)
            assert_int_equal(fen, PAID_A + PAID_C + PAID_D);
        else if (strcmp(rule, "DUP-001") == 0)
            assert_int_equal(fen, PAID_B + 30000);
        rows++;
    }
    fw_rows_close(r);
    assert_int_equal(rows, 3);
    assert_int_equal(fw_case_systemic(ws, FW_CD_PROGRAM, &r, &err), FW_OK);
    rows = 0;
    while (fw_rows_step(r, &err) == 1) {
        const char *program = fw_rows_text(r, 0);
        assert_null(strchr(program, ','));
        if (strcmp(program, "低保") == 0) {
            assert_int_equal(fw_rows_int(r, 1), 3); /* 李秀英, 黄梅, 王五 */
            assert_int_equal(fw_rows_int(r, 2), PAID_B + PAID_C + PAID_D);
        }
        rows++;
    }
    fw_rows_close(r);
    assert_int_equal(rows, 3); /* 低保, 城乡居民养老金, 医疗救助 */
    exec_ok("UPDATE cases SET status = 'new'");
}

static void test_export_summary_and_cases(void **state)
{
    (void)state;
    fw_hit_filter f = {0};
    fw_xquery *x;
    fw_err err = {0};
    assert_int_equal(fw_xq_summary(ws, &f, &x, &err), FW_OK);
    assert_int_equal(fw_xq_step(x, &err), 1);
    assert_int_equal(fw_xq_int(x, 0), FW_XDIM_COUNT_);
    assert_int_equal(fw_xq_int(x, 3), PAID_A + PAID_B + PAID_C + PAID_D);
    assert_int_equal(fw_xq_int(x, 4), VILLAGE + NO_PAYMENT);
    int found = 0;
    while (fw_xq_step(x, &err) == 1) {
        if (fw_xq_int(x, 0) == FW_XDIM_TOWNSHIP && strcmp(fw_xq_text(x, 1), "新场镇") == 0) {
            assert_int_equal(fw_xq_int(x, 3), PAID_C + PAID_D);
            found++;
        }
        if (fw_xq_int(x, 0) == FW_XDIM_CATEGORY && strcmp(fw_xq_text(x, 1), "死亡人员") == 0) {
            assert_int_equal(fw_xq_int(x, 3), PAID_A + PAID_C + PAID_D);
            found++;
        }
    }
    fw_xq_close(x);
    assert_int_equal(found, 2);
    assert_int_equal(fw_xq_cases(ws, &f, &x, &err), FW_OK);
    found = 0;
    while (fw_xq_step(x, &err) == 1)
        if (strcmp(fw_xq_text(x, 1), "张三") == 0) {
            assert_int_equal(fw_xq_int(x, 14), PAID_A);
            found++;
        }
    fw_xq_close(x);
    assert_int_equal(found, 1);
}

static void test_program_sets(void **state)
{
    (void)state;
    char *set = fw_program_set("医疗救助,低保, 特困供养 ,医疗救助,,低保");
    assert_string_equal(set, "低保,医疗救助,特困供养");
    free(set);
    assert_null(fw_program_set(" , "));
    assert_null(fw_program_set(NULL));
    fw_stmt *st = test_prepare(ws, "SELECT program_set(p) FROM (SELECT '医疗救助,低保' AS p UNION ALL "
                                   "SELECT '特困供养,医疗救助' UNION ALL SELECT NULL)");
    assert_int_equal(test_step(st), 1);
    assert_string_equal(fw_stmt_text(st, 0), "低保,医疗救助,特困供养");
    fw_stmt_finalize(st);
    /* The engine stores a hit's programs as a set, whatever order the rule joined them in. */
    assert_int_equal(q("SELECT count(*) FROM hits WHERE subject = '%s' AND program = '低保,医疗救助'", D), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_overlap_as_planted),
        cmocka_unit_test(test_money_of_sets),
        cmocka_unit_test(test_overview),
        cmocka_unit_test(test_hit_list_totals),
        cmocka_unit_test(test_cases_and_person),
        cmocka_unit_test(test_systemic),
        cmocka_unit_test(test_export_summary_and_cases),
        cmocka_unit_test(test_program_sets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
