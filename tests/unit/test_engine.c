/* test_engine.c: running rules: fingerprints stable across runs, evidence changes flagged, re-runs
 * giving new/present/gone, the whitelist, an interrupted run keeping complete rules and discarding
 * the partial one, the time limit, and `rules test` telling a firing rule from a silent one. */
#include "tests/unit/testutil.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include "audit/engine.h"
#include "audit/hitfilter.h"
#include "audit/import.h"
#include "audit/profile.h"
#include "audit/ruletest.h"
#include "audit/runlock.h"
#include "audit/store/store.h"

#ifdef __SANITIZE_ADDRESS__
/* The peak-memory checks measure the program, not AddressSanitizer's quarantine of freed blocks
 * (256 MB by default): with statement journals in memory a run frees many small chunks per second,
 * and the default quarantine alone took the peak past 200 MB. Small, as tests/e2e/run_limits.sh
 * sets it; freed blocks are still poisoned. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=4";
}
#endif

static const char *const A = "520102195503120016"; /* dies 2023-03, paid after */
static const char *const B = "520102196001010022"; /* one large means-tested payment */

/* The profile lives in the checkout; the tests run from its root. */
static void use_checkout_datadir(void)
{
    if (!getenv("FUNDWATCH_DATADIR") && access("profiles/default.ini", R_OK) == 0) {
        char cwd[4096];
        assert_non_null(getcwd(cwd, sizeof cwd));
        setenv("FUNDWATCH_DATADIR", cwd, 1);
    }
}

/* Loads example-style rows ("payments: col=v, ...") through the importer. */
static void load(fw_ws *ws, const char *row)
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

/* Loads the rules of base (plus extra); none may have errors. */
static void load_rules_from(fw_ruleset *set, const char *base, const char *extra)
{
    fw_diags d = {0};
    fw_err err = {0};
    fw_rule_sources src = {base, NULL, extra};
    assert_int_equal(fw_rules_load(&src, set, &d, &err), FW_OK);
    if (d.errors)
        fw_diags_print(&d, stderr);
    assert_int_equal(d.errors, 0);
    fw_diags_free(&d);
}

static void load_rules(fw_ruleset *set, const char *extra)
{
    load_rules_from(set, "tests/data/rules/good", extra);
}

static long long q(fw_ws *ws, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long q(fw_ws *ws, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = NULL;
    assert_true(vasprintf(&sql, fmt, ap) >= 0);
    va_end(ap);
    long long v = fw_ws_int(ws, sql);
    free(sql);
    return v;
}

static int run_all(fw_ws *ws, fw_ruleset *set, fw_run_result *res)
{
    fw_run_opts o = {0};
    fw_err err = {0};
    int rc = fw_run(ws, set, &o, res, &err);
    if (rc) {
        fprintf(stderr, "run: %s\n", err.msg);
        for (int i = 0; i < res->nrules; i++)
            if (strcmp(res->rules[i].status, "complete") != 0)
                fprintf(stderr, "  %s %s: %s\n", res->rules[i].rule_id, res->rules[i].status, res->rules[i].message);
    }
    return rc;
}

static void test_fingerprint(void **state)
{
    (void)state;
    char **k1, **k2;
    int n1 = fw_evidence_split("payments:b, deaths:a,payments:b", &k1);
    int n2 = fw_evidence_split("deaths:a,payments:b", &k2);
    assert_int_equal(n1, 2); /* duplicates and spaces removed */
    char f1[65], f2[65], f3[65];
    fw_hit_fingerprint("R-1", A, k1, n1, f1);
    fw_hit_fingerprint("R-1", A, k2, n2, f2);
    fw_hit_fingerprint("R-1", B, k2, n2, f3);
    assert_string_equal(f1, f2); /* order of evidence does not matter */
    assert_string_not_equal(f1, f3);
    fw_evidence_free(k1, n1);
    fw_evidence_free(k2, n2);
}

static void test_rerun_new_present_gone_and_evidence_changed(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    load_rules(&set, NULL);
    load(ws, "deaths: id_number=520102195503120016, death_date=2023-03-10");
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-05-10");
    load(ws, "payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10");

    fw_run_result res;
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    assert_int_equal(res.hits_new, 2);
    assert_string_equal(res.status, "complete");
    long long run1 = res.run_id;
    fw_run_result_free(&res);
    long long hit_a = q(ws, "SELECT id FROM hits WHERE rule_id = 'TST-001' AND subject = '%s'", A);
    assert_true(hit_a > 0);
    assert_int_equal(q(ws, "SELECT amount FROM hits WHERE id = %lld", hit_a), 36000);
    assert_int_equal(q(ws, "SELECT count(*) FROM hit_evidence WHERE hit_id = %lld", hit_a), 2);
    assert_int_equal(q(ws, "SELECT count(*) FROM run_rules WHERE run_id = %lld AND length(text_sha256) = 64 "
                           "AND params = '{\"grace_months\": \"0\"}' AND status = 'complete'", run1), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM trail WHERE action = 'run' AND object = 'run:%lld'", run1), 1);
    assert_int_equal(q(ws, "SELECT imports = '[1,2,3]' FROM runs WHERE id = %lld", run1), 1);

    /* same data: same hits, still present */
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    assert_int_equal(res.hits_new, 0);
    assert_int_equal(res.hits_present, 2);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT id FROM hits WHERE rule_id = 'TST-001' AND subject = '%s'", A), hit_a);
    assert_int_equal(q(ws, "SELECT evidence_changed FROM hits WHERE id = %lld", hit_a), 0);

    /* a row behind the hit changes under the same key: same hit, flagged */
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "UPDATE ds_deaths SET source = '火化记录'", &err), FW_OK);
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    assert_int_equal(res.hits_present, 2);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT evidence_changed FROM hits WHERE id = %lld", hit_a), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE evidence_changed = 1"), 1);

    /* B's payment disappears: its hit is gone, never deleted; A gets another month: new evidence set,
     * new hit, the old one gone */
    assert_int_equal(fw_ws_exec(ws, "DELETE FROM ds_payments WHERE id_number = '520102196001010022'", &err), FW_OK);
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-06-10");
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    assert_int_equal(res.hits_new, 1);
    assert_int_equal(res.hits_gone, 2);
    assert_int_equal(res.hits_present, 0);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits"), 3);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE state = 'gone'"), 2);
    assert_int_equal(q(ws, "SELECT amount FROM hits WHERE state = 'present'"), 72000);

    fw_ruleset_free(&set);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* A rule citing many rows: the storing reads evidence rows ahead, EVIDENCE_CHUNK (64) keys per
 * statement, and writes a new hit's keys EVIDENCE_ROWS (16) per statement. Hits of 71, 18 and 2
 * keys (one key without a row each) cross both sizes; every key is kept, and a change to a row
 * past the first chunk still flags its hit, and only its hit. */
static const char many_keys_rule[] =
    "[EVB-001]\nname = 引用多行(测试)\nname_en = Many evidence rows (test)\ncategory = standard\n"
    "severity = low\ndescription = Every payment of a person, and one key without a row.\nbasis = test rule\n"
    "datasets = payments\nversion = 1\nauthor = engine tests\n"
    "select.1 = p.id_number AS subject\nselect.2 = p.id_number\nselect.3 = sum(p.amount) AS amount\n"
    "select.4 = min(p.pay_date) AS first_date\nselect.5 = max(p.pay_date) AS last_date\n"
    "select.6 = count(*) || ' payments' AS detail\n"
    "select.7 = group_concat(ev('payments', p.row_key)) || ',payments:absent-' || p.id_number AS evidence\n"
    "from = payments p\ngroup_by = p.id_number\n"
    "example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10\n"
    "expect.hit = 520102196001010022\n"
    "example.clean.1 = deaths: id_number=520102195503120016, death_date=2023-03-10\n";

static void test_many_evidence_keys(void **state)
{
    (void)state;
    char *dir, *rdir = test_tmpdir();
    free(test_write_file(rdir, "many.ini", many_keys_rule, strlen(many_keys_rule)));
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    load_rules(&set, rdir);
    const char *who[] = {"520102196001010022", "520102197005050034", A};
    const int rows[] = {70, 17, 1};
    for (int p = 0; p < 3; p++)
        for (int i = 1; i <= rows[p]; i++) {
            char *row = fw_printf("payments: payment_id=K%d-%03d, id_number=%s, name=某, program=低保, amount=%d, "
                                  "pay_date=2023-05-10", p, i, who[p], 100 + i);
            load(ws, row);
            free(row);
        }
    fw_run_result res;
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    for (int p = 0; p < 3; p++)
        assert_int_equal(q(ws, "SELECT count(*) FROM hit_evidence e JOIN hits h ON h.id = e.hit_id "
                               "WHERE h.rule_id = 'EVB-001' AND h.subject = '%s'", who[p]), rows[p] + 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM hit_evidence WHERE row_key = 'K0-070'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM hit_evidence WHERE row_key LIKE 'absent-%%'"), 3);

    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'EVB-001' AND state = 'present'"), 3);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE evidence_changed = 1"), 0);

    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "UPDATE ds_payments SET name = '某某' WHERE row_key = 'K0-070'", &err), FW_OK);
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE evidence_changed = 1"), 1);
    assert_int_equal(q(ws, "SELECT evidence_changed FROM hits WHERE rule_id = 'EVB-001' AND subject = '%s'", who[0]), 1);

    fw_ruleset_free(&set);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
    test_rmdir(rdir);
    free(rdir);
}

static void test_whitelist_and_params_override(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    load_rules(&set, NULL);
    load(ws, "deaths: id_number=520102195503120016, death_date=2023-03-10");
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-05-10");
    load(ws, "payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10");
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "INSERT INTO whitelist(id_number, rule_id, reason, user, created_at, until) "
                                    "VALUES ('520102195503120016', 'TST-001', '核实为同名', 't', '2024-01-01', NULL), "
                                    "('520102196001010022', 'TST-002', '过期', 't', '2020-01-01', '2020-12-31')",
                                &err),
                     FW_OK);
    fw_run_result res;
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-001' AND state = 'whitelisted'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-002' AND state = 'present'"), 1);

    /* A removed entry, and one still awaiting its second reviewer, suppress nothing at the next run
     * (the run read the table itself and still honoured removed entries). */
    assert_int_equal(fw_ws_exec(ws, "UPDATE whitelist SET removed_at = '2024-02-01', removed_by = 't' "
                                    "WHERE rule_id = 'TST-001'; "
                                    "INSERT INTO whitelist(id_number, rule_id, reason, user, created_at, pending) "
                                    "VALUES ('520102196001010022', 'TST-002', '待复核', 't', '2024-01-01', 1)",
                                &err),
                     FW_OK);
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-001' AND state = 'present'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-002' AND state = 'present'"), 1);

    /* raising the parameter in this workspace silences TST-002: its hit is gone */
    fw_rule *r = fw_ruleset_find(&set, "TST-002");
    assert_int_equal(fw_rule_set(ws, r, "param.max_amount", "600000", &err), FW_OK);
    assert_int_equal(fw_rule_set(ws, r, "param.nope", "1", &err), FW_ENOTFOUND);
    /* values outside the declared type and range are refused, nothing recorded */
    fw_rule *t1 = fw_ruleset_find(&set, "TST-001"); /* grace_months: integer 0..120 */
    const char *refused[] = {"4294967295", "-1", "121", "abc", "", "1.5"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        assert_int_equal(fw_rule_set(ws, t1, "param.grace_months", refused[i], &err), FW_EUSAGE);
        assert_non_null(strstr(err.msg, "param.grace_months must be an integer from 0 to 120"));
    }
    assert_int_equal(q(ws, "SELECT count(*) FROM rule_settings WHERE rule_id = 'TST-001'"), 0);
    assert_int_equal(fw_rule_set(ws, t1, "param.grace_months", "120", &err), FW_OK);
    assert_int_equal(fw_rule_set(ws, t1, "param.grace_months", "0", &err), FW_OK);
    assert_int_equal(q(ws, "SELECT count(*) FROM trail WHERE action = 'setting' AND object = 'rule:TST-001'"), 2);
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-002' AND state = 'gone'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM trail WHERE action = 'setting' AND object = 'rule:TST-002'"), 1);
    fw_ruleset_free(&set);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* A rule that produces rows for a long time (a counter to :rows). */
static const char slow_rule[] =
    "[SLOW-1]\nname = 慢\nname_en = slow\ncategory = statistical\nseverity = low\ndescription = d\n"
    "basis = b\ndatasets = payments\nversion = 1\nparam.rows = 3000000\nparam.rows.type = integer 1..100000000\n%s"
    "with = RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)\n"
    "select.1 = printf('S%%d', i) AS subject\nselect.2 = NULL AS id_number\nselect.3 = 1 AS amount\n"
    "select.4 = NULL AS first_date\nselect.5 = NULL AS last_date\nselect.6 = printf('x') AS detail\n"
    "select.7 = printf('') AS evidence\nfrom = n\n"
    "example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10\n"
    "expect.hit = S1\n"
    "example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10\n";

static char *write_slow_rule(const char *extra_key)
{
    char *dir = test_tmpdir();
    char *text = fw_printf(slow_rule, extra_key);
    free(test_write_file(dir, "slow.ini", text, strlen(text)));
    free(text);
    return dir;
}

static volatile sig_atomic_t stop_flag;

static void interrupt_at_slow_rule(void *ctx, const fw_rule_result *r)
{
    (void)ctx;
    if (!r->status[0] && strcmp(r->rule_id, "SLOW-1") == 0)
        stop_flag = 1; /* as Ctrl-C would, while the slow rule runs */
}

static void test_interrupted_run_keeps_complete_rules(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    char *rdir = write_slow_rule("");
    fw_ruleset set;
    load_rules(&set, rdir);
    load(ws, "deaths: id_number=520102195503120016, death_date=2023-03-10");
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-05-10");
    stop_flag = 0;
    fw_run_opts o = {.interrupt = &stop_flag, .progress = interrupt_at_slow_rule};
    fw_run_result res;
    fw_err err = {0};
    assert_int_equal(fw_run(ws, &set, &o, &res, &err), FW_EINTR);
    assert_string_equal(res.status, "interrupted");
    assert_int_equal(res.nrules, 3);
    assert_string_equal(res.rules[2].status, "interrupted");
    assert_true(res.rules[2].rows_discarded > 0); /* it had produced rows: they were rolled back */
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-001'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'SLOW-1'"), 0);
    assert_int_equal(q(ws, "SELECT count(*) FROM runs WHERE id = %lld AND status = 'interrupted' "
                           "AND finished_at IS NOT NULL", res.run_id), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM run_rules WHERE rule_id = 'SLOW-1' AND status = 'interrupted'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM run_rules WHERE rule_id = 'TST-001' AND status = 'complete'"), 1);
    /* the workspace is left usable: no transaction open */
    assert_false(fw_db_in_txn(ws->store));
    fw_run_result_free(&res);
    fw_ruleset_free(&set);
    test_rmdir(rdir);
    free(rdir);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* A run watches its rules through the store (fw_db_watch_fn): the store's own cancel and timeout
 * still work on the workspace afterwards. (The engine used to install its own SQLite progress
 * handler and clear it after each rule, which switched off the store's for good.) */
static void test_store_timeout_holds_after_a_run(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    char *rdir = write_slow_rule("");
    fw_ruleset set;
    load_rules(&set, rdir);
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-05-10");
    fw_run_opts o = {.only = (const char *const[]){"TST-001"}, .nonly = 1};
    fw_run_result res;
    fw_err err = {0};
    assert_int_equal(fw_run(ws, &set, &o, &res, &err), FW_OK);
    fw_run_result_free(&res);
    assert_int_equal(fw_db_set_timeout(ws->store, 0.3, &err), FW_OK);
    long long n;
    double t0 = fw_now_seconds();
    assert_int_not_equal(fw_db_query_int(ws->store,
                                         "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                                         "WHERE x < 400000000) SELECT count(*) FROM c",
                                         &n, &err),
                         FW_OK);
    assert_true(fw_now_seconds() - t0 < 5);
    assert_int_equal(fw_db_fault(ws->store), FW_DBF_TIMEOUT);
    assert_int_equal(fw_db_set_timeout(ws->store, 0, &err), FW_OK);
    fw_ruleset_free(&set);
    test_rmdir(rdir);
    free(rdir);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_time_limit_discards_partial_rule(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    char *rdir = write_slow_rule("time_limit = 0.05\n");
    fw_ruleset set;
    load_rules(&set, rdir);
    load(ws, "payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10");
    fw_run_result res;
    fw_err err = {0};
    fw_run_opts o = {0};
    assert_int_equal(fw_run(ws, &set, &o, &res, &err), FW_EDATA);
    assert_string_equal(res.status, "failed");
    assert_string_equal(res.rules[2].status, "failed");
    assert_non_null(strstr(res.rules[2].message, "time limit"));
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'SLOW-1'"), 0);
    assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-002'"), 1);
    fw_run_result_free(&res);
    fw_ruleset_free(&set);
    test_rmdir(rdir);
    free(rdir);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* Runs the test rules and SLOW-1 (rows: how many it returns) with o; both thread modes. */
static int run_slow(fw_ws *ws, fw_ruleset *set, const char *rows, fw_run_opts *o, fw_run_result *res)
{
    fw_err err = {0};
    if (rows)
        assert_int_equal(fw_rule_set(ws, fw_ruleset_find(set, "SLOW-1"), "param.rows", rows, &err), FW_OK);
    return fw_run(ws, set, o, res, &err);
}

/* A rule returning more rows than the limit is stopped as wrong and nothing of it is kept, with
 * its query on the run's connection and on a worker; the other rules are kept. The limit comes
 * from the run's options, else the setting run.max_hits. */
static void test_too_many_hits_keeps_nothing(void **state)
{
    (void)state;
    const char *threads[] = {"1", "3"};
    for (int t = 0; t < 2; t++) {
        char *dir;
        fw_ws *ws = test_open_ws(&dir);
        char *rdir = write_slow_rule("");
        fw_ruleset set;
        load_rules(&set, rdir);
        load(ws, "payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10");
        setenv("FUNDWATCH_RUN_THREADS", threads[t], 1);
        fw_run_opts o = {.max_hits = 1000};
        fw_run_result res;
        assert_int_equal(run_slow(ws, &set, "3000", &o, &res), FW_EDATA);
        assert_string_equal(res.rules[2].rule_id, "SLOW-1");
        assert_string_equal(res.rules[2].status, "failed");
        assert_non_null(strstr(res.rules[2].message, "too many hits: the rule is probably wrong"));
        assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'SLOW-1'"), 0);
        assert_int_equal(q(ws, "SELECT count(*) FROM cases WHERE subject LIKE 'S%%'"), 0);
        assert_int_equal(q(ws, "SELECT count(*) FROM run_rules WHERE rule_id = 'SLOW-1' AND status = 'failed' "
                               "AND message LIKE '%%too many hits: the rule is probably wrong%%'"), 1);
        assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-002'"), 1);
        fw_run_result_free(&res);
        /* exactly at the limit is allowed */
        assert_int_equal(run_slow(ws, &set, "1000", &o, &res), FW_OK);
        assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'SLOW-1'"), 1000);
        fw_run_result_free(&res);
        /* the setting, when the run names no limit */
        fw_err err = {0};
        assert_int_equal(fw_ws_set_setting(ws, "run.max_hits", "999", &err), FW_OK);
        fw_run_opts none = {0};
        assert_int_equal(run_slow(ws, &set, NULL, &none, &res), FW_EDATA);
        assert_non_null(strstr(res.rules[2].message, "more than 999 rows"));
        assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'SLOW-1' AND state = 'present'"), 1000);
        fw_run_result_free(&res);
        unsetenv("FUNDWATCH_RUN_THREADS");
        fw_ruleset_free(&set);
        test_rmdir(rdir);
        free(rdir);
        fw_ws_close(ws);
        test_rmdir(dir);
        free(dir);
    }
}

/* The time limit covers saving the hits, not only the query: a million quick rows would take
 * minutes to save, and the run's --time-limit caps the rule's own (longer) time_limit. Memory
 * stays flat: the rows are not all held before they are saved. */
static void test_time_limit_holds_while_saving(void **state)
{
    (void)state;
    const char *threads[] = {"1", "3"};
    for (int t = 0; t < 2; t++) {
        char *dir;
        fw_ws *ws = test_open_ws(&dir);
        char *rdir = write_slow_rule("time_limit = 600\n");
        fw_ruleset set;
        load_rules(&set, rdir);
        load(ws, "payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10");
        setenv("FUNDWATCH_RUN_THREADS", threads[t], 1);
        fw_run_opts o = {.time_limit_s = 1.5, .max_hits = 10000000};
        fw_run_result res;
        double t0 = fw_now_seconds();
        assert_int_equal(run_slow(ws, &set, "1000000", &o, &res), FW_EDATA);
        double took = fw_now_seconds() - t0;
        unsetenv("FUNDWATCH_RUN_THREADS");
        assert_true(took < 10);
        assert_string_equal(res.rules[2].status, "failed");
        assert_non_null(strstr(res.rules[2].message, "time limit of 1.5 s"));
        assert_true(res.rules[2].ms >= 1500 && res.rules[2].ms < 5000);
        assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'SLOW-1'"), 0);
        assert_int_equal(q(ws, "SELECT count(*) FROM hits WHERE rule_id = 'TST-002'"), 1);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        assert_true(ru.ru_maxrss < 200 * 1024); /* KiB; holding a million rows took 250 MB */
        fw_run_result_free(&res);
        fw_ruleset_free(&set);
        test_rmdir(rdir);
        free(rdir);
        fw_ws_close(ws);
        test_rmdir(dir);
        free(dir);
    }
}

/* A run left 'running' with nobody holding its lock is marked interrupted, with a trail record;
 * one whose lock is held (here by another open file description of this process, as another
 * fundwatch would) is left alone until it lets go. */
static void test_abandoned_runs_marked_live_ones_kept(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "INSERT INTO runs(id, user, started_at, status) VALUES "
                                    "(1, 'u', '2026-01-01T00:00:00Z', 'running'), "
                                    "(2, 'u', '2026-01-01T00:00:00Z', 'running'), "
                                    "(3, 'u', '2026-01-01T00:00:00Z', 'complete')",
                                &err),
                     FW_OK);
    fw_runlock lk;
    assert_int_equal(fw_runlock_take(ws, 2, &lk, &err), FW_OK);
    int marked = -1;
    assert_int_equal(fw_runs_mark_abandoned(ws, &marked, &err), FW_OK);
    assert_int_equal(marked, 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM runs WHERE id = 1 AND status = 'interrupted' "
                           "AND finished_at IS NOT NULL"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM runs WHERE id = 2 AND status = 'running'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM runs WHERE id = 3 AND status = 'complete'"), 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM trail WHERE action = 'run' AND object = 'run:1' "
                           "AND after LIKE '%%found_at%%'"), 1);
    fw_runlock_release(&lk);
    assert_int_equal(fw_runs_mark_abandoned(ws, &marked, &err), FW_OK);
    assert_int_equal(marked, 1);
    assert_int_equal(q(ws, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
    assert_int_equal(fw_runs_mark_abandoned(ws, &marked, &err), FW_OK);
    assert_int_equal(marked, 0);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_rule_examples(void **state)
{
    (void)state;
    fw_ruleset set;
    load_rules(&set, NULL);
    fw_err err = {0};
    fw_ruletest_result res;
    fw_rule *r = fw_ruleset_find(&set, "TST-001");
    assert_int_equal(fw_rule_test(&set, r, NULL, NULL, &res, &err), FW_OK);
    if (!res.passed)
        fail_msg("%s", res.reason);
    assert_int_equal(res.hits_on_hit_rows, 1);
    assert_int_equal(res.hits_on_clean_rows, 0);

    /* the clean look-alike made to fire: a payment after the death month */
    free(r->clean_examples[1].text);
    r->clean_examples[1].text = fw_strdup("payments: id_number=520102195503120016, name=张三, program=低保, "
                                          "amount=360, pay_date=2023-04-02");
    assert_int_equal(fw_rule_test(&set, r, NULL, NULL, &res, &err), FW_OK);
    assert_false(res.passed);
    assert_non_null(strstr(res.reason, "the clean examples must give no hit"));

    /* expecting a subject the rule does not produce */
    free(r->expect_hit);
    r->expect_hit = fw_strdup("520102196001010022");
    assert_int_equal(fw_rule_test(&set, r, NULL, NULL, &res, &err), FW_OK);
    assert_false(res.passed);
    assert_non_null(strstr(res.reason, "but expect.hit is {520102196001010022}"));

    /* an example the importer rejects names its line (a death registry keeps a row whose ID fails
     * only its check character, flagged invalid-ID, so the rejected example has an impossible date) */
    free(r->hit_examples[0].text);
    r->hit_examples[0].text = fw_strdup("deaths: id_number=520102195503120016, death_date=2023-02-30");
    assert_int_equal(fw_rule_test(&set, r, NULL, NULL, &res, &err), FW_OK);
    assert_false(res.passed);
    assert_non_null(strstr(res.reason, "test.ini:"));
    assert_non_null(strstr(res.reason, "rejected by the importer"));
    fw_ruleset_free(&set);
}

/* The whole shipped catalogue over the same rows, its queries on worker threads (as on any
 * multi-core machine) and on the run's own connection: the same hits, ids and evidence. */
static char *run_catalogue_with_threads(const char *threads)
{
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    load_rules_from(&set, "rules", NULL); /* the shipped catalogue */
    assert_true(set.n >= 60);
    load(ws, "deaths: id_number=520102195503120016, death_date=2023-03-10");
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-05-10");
    load(ws, "payments: id_number=520102195503120016, name=张三, program=低保, amount=360, pay_date=2023-05-10");
    load(ws, "payments: id_number=520102196001010022, name=李四, program=高龄津贴, amount=100, pay_date=2023-05-10");
    setenv("FUNDWATCH_RUN_THREADS", threads, 1);
    fw_run_result res;
    int rc = run_all(ws, &set, &res);
    unsetenv("FUNDWATCH_RUN_THREADS");
    assert_int_equal(rc, FW_OK);
    assert_true(res.nrules >= 60);
    fw_run_result_free(&res);
    /* hits from several rules, so the order in which results are stored shows in the ids */
    assert_true(q(ws, "SELECT count(DISTINCT rule_id) FROM hits") >= 2);
    fw_stmt *st = test_prepare(ws, "SELECT group_concat(id || rule_id || fingerprint || evidence_hash || amount, ';') "
                                   "FROM (SELECT * FROM hits ORDER BY id)");
    assert_int_equal(test_step(st), 1);
    char *all = fw_strdup(fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
    fw_ruleset_free(&set);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
    return all;
}

static void test_threads_give_the_same_hits(void **state)
{
    (void)state;
    char *serial = run_catalogue_with_threads("1");
    char *parallel = run_catalogue_with_threads("3");
    assert_string_equal(serial, parallel);
    free(serial);
    free(parallel);
}

static void test_hits_listing(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    load_rules(&set, NULL);
    load(ws, "payments: id_number=520102196001010022, name=李四, program=低保, amount=5000, pay_date=2023-05-10");
    fw_run_result res;
    assert_int_equal(run_all(ws, &set, &res), FW_OK);
    fw_run_result_free(&res);
    fw_hit_filter f = {.category = "standard"};
    fw_rows *rows;
    fw_err err = {0};
    assert_int_equal(fw_hits_list(ws, &f, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_step(rows, &err), 1);
    int n = fw_rows_ncols(rows);
    for (int i = 0; i < n; i++) {
        const char *c = fw_rows_name(rows, i);
        if (!strcmp(c, "amount"))
            assert_int_equal(fw_rows_int(rows, i), 500000);
        if (!strcmp(c, "status"))
            assert_string_equal(fw_rows_text(rows, i), "new");
        if (!strcmp(c, "name"))
            assert_string_equal(fw_rows_text(rows, i), "李四");
    }
    assert_int_equal(fw_rows_step(rows, &err), 0);
    fw_rows_close(rows);
    f.state = "bogus";
    assert_int_equal(fw_hits_list(ws, &f, &rows, &err), FW_EUSAGE);
    assert_null(rows);
    fw_ruleset_free(&set);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    use_checkout_datadir();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint),
        cmocka_unit_test(test_rerun_new_present_gone_and_evidence_changed),
        cmocka_unit_test(test_many_evidence_keys),
        cmocka_unit_test(test_whitelist_and_params_override),
        cmocka_unit_test(test_interrupted_run_keeps_complete_rules),
        cmocka_unit_test(test_time_limit_discards_partial_rule),
        cmocka_unit_test(test_store_timeout_holds_after_a_run),
        cmocka_unit_test(test_too_many_hits_keeps_nothing),
        cmocka_unit_test(test_time_limit_holds_while_saving),
        cmocka_unit_test(test_abandoned_runs_marked_live_ones_kept),
        cmocka_unit_test(test_rule_examples),
        cmocka_unit_test(test_hits_listing),
        cmocka_unit_test(test_threads_give_the_same_hits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
