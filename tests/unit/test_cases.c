/* test_cases.c: the case workflow: every pair of statuses against the declarative transition table
 * (legal ones succeed, illegal ones are refused and write nothing), required and inapplicable
 * fields, keys and amounts, the second-reviewer rule, optimistic concurrency, atomicity of a change
 * and its trail record, list filters and paging, and the re-run rules of fw_cases_sync. Hits and
 * runs are written with SQL here, as the rule engine would. */
#include "audit/cases.h"
#include "audit/trail.h"
#include "tests/unit/testutil.h"

static const char person_a[] = "520102195503120016";
static const char person_b[] = "11010519491231002X";

static void exec_ok(fw_ws *ws, const char *sql)
{
    fw_err err = {0};
    int rc = fw_ws_exec(ws, sql, &err);
    if (rc)
        fprintf(stderr, "%s\n%s\n", sql, err.msg);
    assert_int_equal(rc, FW_OK);
}

/* The engine's side of a run: a runs row. */
static void add_run(fw_ws *ws, long long run_id)
{
    char *sql = fw_printf("INSERT INTO runs(id, user, started_at, status) VALUES (%lld, 'engine', "
                          "'2026-01-01T00:00:00Z', 'complete')", run_id);
    exec_ok(ws, sql);
    free(sql);
}

/* A present hit for subject (a person's ID number), seen first and last in run_id, resting on one
 * payment of its amount (money is counted from the payments a hit cites, audit/money.h). */
static void add_hit(fw_ws *ws, const char *fingerprint, const char *rule, const char *subject, long long amount,
                    long long run_id)
{
    char *sql = fw_printf(
        "INSERT OR IGNORE INTO imports(id, dataset, file, sha256, encoding, mode, status, user, started_at) "
        "VALUES (1, 'payments', 'p.csv', 'x', 'UTF-8', 'append', 'loaded', 't', 'x');"
        "INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date) "
        "VALUES (1, 1, 'pay-%s', '%s', '张三', '低保', %lld, '2023-04-01');"
        "INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, "
        "township, village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id, "
        "last_run_id) VALUES ('%s', '%s', 'deceased', 'high', 'person', '%s', '%s', '张三', '城关镇', '一村', "
        "'低保', %lld, '2023-04', '2023-12', 'detail of %s', 'e-%s', %lld, %lld);"
        "INSERT INTO hit_evidence(hit_id, dataset, row_key) VALUES (last_insert_rowid(), 'payments', 'pay-%s')",
        fingerprint, subject, amount, fingerprint, rule, subject, subject, amount, fingerprint, fingerprint, run_id,
        run_id, fingerprint);
    exec_ok(ws, sql);
    free(sql);
}

static void sync_run(fw_ws *ws, long long run_id)
{
    fw_err err = {0};
    assert_int_equal(fw_ws_begin(ws, &err), FW_OK);
    int rc = fw_cases_sync(ws, run_id, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, FW_OK);
    assert_int_equal(fw_ws_commit(ws, &err), FW_OK);
}

/* A workspace with one case (person_a, two hits) from run 1; returns the case id. */
static long long one_case(fw_ws *ws)
{
    add_run(ws, 1);
    add_hit(ws, "f1", "DEC-001", person_a, 36000, 1);
    add_hit(ws, "f2", "VEH-001", person_a, 12000, 1);
    sync_run(ws, 1);
    return fw_ws_int(ws, "SELECT id FROM cases WHERE subject = '520102195503120016'");
}

static char *status_of(fw_ws *ws, long long id)
{
    fw_case c;
    fw_err err = {0};
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    char *s = fw_strdup(c.status);
    fw_case_free(&c);
    return s;
}

static long long version_of(fw_ws *ws, long long id)
{
    fw_case c;
    fw_err err = {0};
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    long long v = c.version;
    fw_case_free(&c);
    return v;
}

static long long trail_count(fw_ws *ws)
{
    return fw_ws_int(ws, "SELECT count(*) FROM trail");
}

/* A change carrying exactly the required fields of t, with valid values. */
static fw_case_change change_for(const fw_transition *t, const char *to)
{
    fw_case_change c = {.to = to};
    unsigned r = t ? t->required : 0;
    if (r & FW_CF_NOTE) c.note = "核实属实";
    if (r & FW_CF_METHOD) c.method = "visit";
    if (r & FW_CF_VERIFIER) c.verifier = "王五";
    if (r & FW_CF_REASON) c.reason = "data_error";
    if (r & FW_CF_REASON_TEXT) c.reason_text = "text";
    if (r & FW_CF_MEASURES) c.measures = "stop_payment,recover_funds";
    if (r & FW_CF_TO_RECOVER) c.has_to_recover = true, c.to_recover = 100;
    if (r & FW_CF_RECOVERED) c.has_recovered = true, c.recovered = 100;
    return c;
}

static void force_status(fw_ws *ws, long long id, const char *status)
{
    char *sql = fw_printf("UPDATE cases SET status = '%s', version = version + 1 WHERE id = %lld", status, id);
    exec_ok(ws, sql);
    free(sql);
}

/* Every (from, to) pair: legal pairs per the table succeed with their required fields, illegal ones
 * are refused with FW_ECONFLICT naming the allowed next statuses and change nothing. */
static void test_every_pair_against_the_table(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    int legal = 0, illegal = 0;
    for (const fw_label *from = fw_case_statuses; from->key; from++) {
        for (const fw_label *to = fw_case_statuses; to->key; to++) {
            force_status(ws, id, from->key);
            const fw_transition *t = fw_case_transition(from->key, to->key);
            fw_case_change c = change_for(t, to->key);
            fw_err err = {0};
            long long before = trail_count(ws), v = version_of(ws, id);
            int rc = fw_case_set_status(ws, id, v, &c, &err);
            char *now = status_of(ws, id);
            if (t) {
                if (rc)
                    fprintf(stderr, "%s -> %s: %s\n", from->key, to->key, err.msg);
                assert_int_equal(rc, FW_OK);
                assert_string_equal(now, to->key);
                assert_int_equal(trail_count(ws), before + 1);
                assert_int_equal(version_of(ws, id), v + 1);
                legal++;
            } else {
                assert_int_equal(rc, FW_ECONFLICT);
                assert_string_equal(now, from->key);
                assert_int_equal(trail_count(ws), before);
                char next[256];
                fw_case_next_statuses(from->key, next, sizeof next);
                assert_non_null(strstr(err.msg, next));
                illegal++;
            }
            free(now);
        }
    }
    assert_int_equal(legal, fw_ncase_transitions);
    assert_int_equal(legal + illegal, 7 * 7);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* Leaving out any one required field, or adding a field the transition does not take, is refused
 * with FW_EDATA and writes nothing. */
static void test_required_and_inapplicable_fields(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    for (int i = 0; i < fw_ncase_transitions; i++) {
        const fw_transition *t = &fw_case_transitions[i];
        force_status(ws, id, t->from);
        for (unsigned f = 1; f <= FW_CF_RECOVERED; f <<= 1) {
            fw_case_change c = change_for(t, t->to);
            if (t->required & f) { /* drop it */
                switch (f) {
                case FW_CF_NOTE: c.note = NULL; break;
                case FW_CF_METHOD: c.method = NULL; break;
                case FW_CF_VERIFIER: c.verifier = "  "; break; /* blank counts as missing */
                case FW_CF_REASON: c.reason = NULL; break;
                case FW_CF_MEASURES: c.measures = NULL; break;
                default: continue;
                }
            } else if (!(t->optional & f)) { /* add one that does not apply */
                switch (f) {
                case FW_CF_NOTE: c.note = "n"; break;
                case FW_CF_METHOD: c.method = "online"; break;
                case FW_CF_VERIFIER: c.verifier = "v"; break;
                case FW_CF_REASON: c.reason = "data_error"; break;
                case FW_CF_REASON_TEXT: c.reason_text = "t"; break;
                case FW_CF_MEASURES: c.measures = "talk"; break;
                case FW_CF_TO_RECOVER: c.has_to_recover = true; break;
                case FW_CF_RECOVERED: c.has_recovered = true; break;
                }
            } else {
                continue;
            }
            fw_err err = {0};
            long long before = trail_count(ws);
            assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &c, &err), FW_EDATA);
            assert_non_null(strstr(err.msg, fw_case_field_option(f)));
            char *now = status_of(ws, id);
            assert_string_equal(now, t->from);
            free(now);
            assert_int_equal(trail_count(ws), before);
        }
    }
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_keys_and_values_checked(void **state)
{
    (void)state;
    fw_err err = {0};
    fw_case_change c = {.to = "dismissed", .reason = "other"};
    assert_int_equal(fw_case_check_change("verifying", &c, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "--reason-text"));
    c.reason_text = "村委会证明已迁出";
    assert_int_equal(fw_case_check_change("verifying", &c, &err), FW_OK);
    c.reason = "because";
    assert_int_equal(fw_case_check_change("verifying", &c, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "data_error"));

    fw_case_change v = {.to = "verifying", .method = "phone", .verifier = "w"};
    assert_int_equal(fw_case_check_change("new", &v, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "online"));

    fw_case_change r = {.to = "rectifying", .measures = "stop_payment,fine"};
    assert_int_equal(fw_case_check_change("confirmed", &r, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "'fine'"));
    r.measures = "talk,talk";
    assert_int_equal(fw_case_check_change("confirmed", &r, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "twice"));
    r.measures = "talk,,warning";
    assert_int_equal(fw_case_check_change("confirmed", &r, &err), FW_EDATA);
    r.measures = "talk,warning";
    r.has_to_recover = true;
    r.to_recover = -5;
    assert_int_equal(fw_case_check_change("confirmed", &r, &err), FW_EDATA);
    r.to_recover = 5;
    assert_int_equal(fw_case_check_change("confirmed", &r, &err), FW_OK);

    fw_case_change u = {.to = "approved"};
    assert_int_equal(fw_case_check_change("verifying", &u, &err), FW_EDATA);
}

/* One field at a time, as a form checks each answer: the same verdicts as the whole change. */
static void test_field_checks(void **state)
{
    (void)state;
    fw_err err = {0};
    assert_int_equal(fw_case_check_field(FW_CF_METHOD, "visit", &err), FW_OK);
    assert_int_equal(fw_case_check_field(FW_CF_METHOD, "walk", &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "unknown verification method 'walk'"));
    assert_int_equal(fw_case_check_field(FW_CF_REASON, "other", &err), FW_OK); /* its text is asked next */
    assert_int_equal(fw_case_check_field(FW_CF_REASON, "wrong", &err), FW_EDATA);
    assert_int_equal(fw_case_check_field(FW_CF_MEASURES, "stop_payment,recover_funds", &err), FW_OK);
    assert_int_equal(fw_case_check_field(FW_CF_MEASURES, "stop_payment,,talk", &err), FW_EDATA);
    assert_int_equal(fw_case_check_field(FW_CF_MEASURES, "stop_payment,stop_payment", &err), FW_EDATA);
    assert_int_equal(fw_case_check_field(FW_CF_TO_RECOVER, "3,240.50", &err), FW_OK);
    assert_int_equal(fw_case_check_field(FW_CF_TO_RECOVER, "12.345", &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "'12.345' is not an amount"));
    assert_int_equal(fw_case_check_field(FW_CF_RECOVERED, "-1", &err), FW_EDATA);
    assert_int_equal(fw_case_check_field(FW_CF_VERIFIER, "  ", &err), FW_EDATA);
    assert_int_equal(fw_case_check_field(FW_CF_NOTE, "入户核实", &err), FW_OK);
}

static void test_money_and_dates(void **state)
{
    (void)state;
    fw_err err = {0};
    long long fen = -1;
    static const struct { const char *in; long long fen; } good[] = {
        {"0", 0}, {"1234.5", 123450}, {"1,234.50", 123450}, {"\xc2\xa5" "12.05", 1205},
        {"\xef\xbf\xa5" "7", 700}, {"360\xe5\x85\x83", 36000}, {"1,000,000", 100000000},
        {" 1. ", 100}, {".5", 50}, /* read as the importer reads ledger amounts */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(fw_case_parse_money(good[i].in, &fen, &err), FW_OK);
        assert_int_equal(fen, good[i].fen);
    }
    static const char *const bad[] = {"", "-5", "1.234", "12,34", "1,2345", "abc", "1e3",
                                      "12 34", ",100", "99999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fen = 42;
        assert_int_equal(fw_case_parse_money(bad[i], &fen, &err), FW_EDATA);
        assert_int_equal(fen, 42);
        assert_non_null(strstr(err.msg, "not an amount"));
    }
    assert_int_equal(fw_case_parse_date("2024-02-29", &err), FW_OK);
    assert_int_equal(fw_case_parse_date("2023-02-29", &err), FW_EDATA);
    assert_int_equal(fw_case_parse_date("2023-13-01", &err), FW_EDATA);
    assert_int_equal(fw_case_parse_date("2023/01/01", &err), FW_EDATA);
    assert_int_equal(fw_case_parse_date("2023-1-1", &err), FW_EDATA);
}

/* The fields of a full walk land where the ledger keeps them. */
static void test_fields_recorded(void **state)
{
    (void)state;
    fw_set_user("tester"); /* the records name the acting user */
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    fw_err err = {0};
    fw_case_change v = {.to = "verifying", .method = "online", .verifier = "民政局 王五", .note = "开始核查"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &v, &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM case_notes WHERE text = '开始核查'"), 1);
    fw_case_change p = {.to = "partly_confirmed", .note = "3 of 9 months after death"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &p, &err), FW_OK);
    fw_case_change r = {.to = "rectifying", .measures = "stop_payment,recover_funds", .has_to_recover = true,
                        .to_recover = 108000};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &r, &err), FW_OK);
    fw_case_change cl = {.to = "closed", .has_recovered = true, .recovered = 108000, .note = "已追回"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &cl, &err), FW_OK);
    fw_case c;
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    assert_string_equal(c.status, "closed");
    assert_string_equal(c.verify_method, "online");
    assert_string_equal(c.verifier, "民政局 王五");
    assert_string_equal(c.conclusion, "3 of 9 months after death");
    assert_string_equal(c.measures, "stop_payment,recover_funds");
    assert_int_equal(c.to_recover, 108000);
    assert_int_equal(c.recovered, 108000);
    assert_string_equal(c.closure_note, "已追回");
    assert_non_null(c.verified_at);
    assert_non_null(c.rectified_at);
    assert_non_null(c.closed_at);
    assert_int_equal(c.amount, 48000);
    assert_int_equal(c.hits_present, 2);
    assert_string_equal(c.updated_by, "tester");
    fw_case_free(&c);
    /* The trail holds before and after of each change. */
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE object = 'case:1' AND action = 'case.status' "
                                   "AND before LIKE '%\"status\":\"rectifying\"%' AND after LIKE '%\"status\":\"closed\"%'"),
                     1);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, trail_count(ws));
    fw_ws_close(ws);
    test_rmdir(dir);
    fw_set_user(NULL);
    free(dir);
}

static void test_second_reviewer(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    fw_err err = {0};
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "1", &err), FW_OK);
    assert_true(fw_case_review_required(ws));
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'setting' AND object = 'setting:review.second'"), 1);
    force_status(ws, id, "verifying");

    fw_set_user("alice");
    fw_case_change d = {.to = "dismissed", .reason = "allowed_by_policy"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &d, &err), FW_OK);
    fw_case c;
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    assert_string_equal(c.status, "verifying");
    assert_string_equal(c.pending_status, "dismissed");
    assert_string_equal(c.pending_by, "alice");
    fw_case_free(&c);
    /* Listed as awaiting review. */
    fw_case_filter f = {.status = "pending_review"};
    assert_int_equal(fw_case_count(ws, &f, &err), 1);
    /* Nothing else moves while the verdict waits. */
    fw_case_change conf = {.to = "confirmed", .note = "n"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &conf, &err), FW_ECONFLICT);
    assert_non_null(strstr(err.msg, "awaiting"));
    /* The same user cannot approve. */
    assert_int_equal(fw_case_approve(ws, id, version_of(ws, id), false, &err), FW_ECONFLICT);
    assert_non_null(strstr(err.msg, "different user"));
    /* Another user can. */
    fw_set_user("bob");
    assert_int_equal(fw_case_approve(ws, id, version_of(ws, id), false, &err), FW_OK);
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    assert_string_equal(c.status, "dismissed");
    assert_null(c.pending_status);
    assert_string_equal(c.reviewed_by, "bob");
    assert_string_equal(c.dismiss_reason, "allowed_by_policy");
    fw_case_free(&c);
    /* Nothing pending now. */
    assert_int_equal(fw_case_approve(ws, id, version_of(ws, id), false, &err), FW_ECONFLICT);

    /* Reject: the proposed verdict leaves nothing behind. */
    force_status(ws, id, "verifying");
    fw_set_user("alice");
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &conf, &err), FW_OK);
    fw_set_user("bob");
    assert_int_equal(fw_case_approve(ws, id, version_of(ws, id), true, &err), FW_OK);
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    assert_string_equal(c.status, "verifying");
    assert_null(c.pending_status);
    assert_null(c.conclusion);
    fw_case_free(&c);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.review_rejected' AND user = 'bob'"), 1);

    /* Non-verdict transitions are not held for review. */
    force_status(ws, id, "new");
    fw_case_change v = {.to = "verifying", .method = "online", .verifier = "w"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &v, &err), FW_OK);
    char *s = status_of(ws, id);
    assert_string_equal(s, "verifying");
    free(s);
    fw_set_user(NULL);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* Two users on the same case: the second, holding an old version, is told who changed it. */
static void test_concurrent_change_refused(void **state)
{
    (void)state;
    char *dir;
    fw_ws *a = test_open_ws(&dir);
    long long id = one_case(a);
    fw_ws *b;
    fw_err err = {0};
    assert_int_equal(fw_ws_open(a->path, &b, &err), FW_OK);
    long long seen_by_a = version_of(a, id);

    fw_set_user("bob");
    assert_int_equal(fw_case_assign(b, id, version_of(b, id), "民政局", "2026-12-31", &err), FW_OK);
    long long trail_before = trail_count(a);
    fw_set_user("alice");
    fw_case_change v = {.to = "verifying", .method = "visit", .verifier = "alice"};
    assert_int_equal(fw_case_set_status(a, id, seen_by_a, &v, &err), FW_ECONFLICT);
    assert_non_null(strstr(err.msg, "was changed meanwhile by bob at 2"));
    assert_non_null(strstr(err.msg, "nothing was written"));
    assert_non_null(strstr(err.msg, "reload"));
    assert_int_equal(trail_count(a), trail_before);
    char *s = status_of(a, id);
    assert_string_equal(s, "new");
    free(s);
    assert_int_equal(fw_case_assign(a, id, seen_by_a, "x", NULL, &err), FW_ECONFLICT);
    /* Bob's change is intact; after reloading, alice's goes through. */
    fw_case c;
    assert_int_equal(fw_case_get_id(a, id, &c, &err), FW_OK);
    assert_string_equal(c.assignee, "民政局");
    assert_string_equal(c.due_date, "2026-12-31");
    assert_int_equal(fw_case_set_status(a, id, c.version, &v, &err), FW_OK);
    fw_case_free(&c);
    fw_set_user(NULL);
    fw_ws_close(b);
    fw_ws_close(a);
    test_rmdir(dir);
    free(dir);
}

/* A failure inside the transaction (here: the trail refuses the record) leaves neither the change
 * nor its record nor its note. */
static void test_change_and_record_are_atomic(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    exec_ok(ws, "CREATE TEMP TRIGGER fail_trail BEFORE INSERT ON main.trail "
                "BEGIN SELECT RAISE(ABORT, 'disk full (injected)'); END");
    fw_err err = {0};
    long long v = version_of(ws, id), before = trail_count(ws);
    fw_case_change c = {.to = "verifying", .method = "visit", .verifier = "w", .note = "a note"};
    assert_int_not_equal(fw_case_set_status(ws, id, v, &c, &err), FW_OK);
    assert_non_null(strstr(err.msg, "injected"));
    assert_int_not_equal(fw_case_assign(ws, id, v, "民政局", NULL, &err), FW_OK);
    assert_int_not_equal(fw_case_add_note(ws, id, "note", &err), FW_OK);
    assert_int_equal(version_of(ws, id), v);
    char *s = status_of(ws, id);
    assert_string_equal(s, "new");
    free(s);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM case_notes"), 0);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM cases WHERE assignee IS NOT NULL"), 0);
    assert_int_equal(trail_count(ws), before);
    assert_false(fw_db_in_txn(ws->store));
    exec_ok(ws, "DROP TRIGGER temp.fail_trail");
    assert_int_equal(fw_case_set_status(ws, id, v, &c, &err), FW_OK);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_lookup_and_notes(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    fw_err err = {0};
    fw_case c;
    assert_int_equal(fw_case_get(ws, "999", &c, &err), FW_ENOTFOUND);
    assert_int_equal(fw_case_get(ws, "FW-1999-000001", &c, &err), FW_ENOTFOUND);
    assert_non_null(strstr(err.msg, "FW-1999-000001"));
    assert_int_equal(fw_case_get(ws, "1", &c, &err), FW_OK);
    /* A new case: numbered FW-<year>-<6-digit id>, stamped in UTC (the year and time are bound by
     * the code, not taken from an engine's strftime). */
    char now[32], want_no[32];
    fw_now_iso(now);
    snprintf(want_no, sizeof want_no, "FW-%.4s-%06lld", now, id);
    assert_string_equal(c.case_no, want_no);
    assert_int_equal(strlen(c.created_at), 20);
    assert_int_equal(c.created_at[10], 'T');
    assert_int_equal(c.created_at[19], 'Z');
    assert_memory_equal(c.created_at, now, 4);
    assert_string_equal(c.updated_at, c.created_at);
    char *no = fw_strdup(c.case_no);
    fw_case_free(&c);
    assert_int_equal(fw_case_get(ws, no, &c, &err), FW_OK);
    assert_int_equal(c.id, id);
    assert_string_equal(c.rules, "DEC-001,VEH-001");
    fw_case_free(&c);
    free(no);
    assert_int_equal(fw_case_add_note(ws, id, "   ", &err), FW_EDATA);
    assert_int_equal(fw_case_add_note(ws, 999, "x", &err), FW_ENOTFOUND);
    assert_int_equal(fw_case_add_note(ws, id, "电话联系村委会", &err), FW_OK);
    fw_rows *rows;
    assert_int_equal(fw_case_notes(ws, id, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_step(rows, &err), 1);
    assert_string_equal(fw_rows_name(rows, 2), "user");
    assert_string_equal(fw_rows_text(rows, 2), fw_user());
    assert_string_equal(fw_rows_text(rows, 3), "电话联系村委会");
    assert_int_equal(fw_rows_step(rows, &err), 0);
    fw_rows_close(rows);
    assert_int_equal(fw_case_history(ws, id, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_step(rows, &err), 1);
    assert_string_equal(fw_rows_text(rows, 3), "case.note");
    fw_rows_close(rows);
    assert_int_equal(fw_case_assign(ws, id, version_of(ws, id), "", NULL, &err), FW_EDATA);
    assert_int_equal(fw_case_assign(ws, id, version_of(ws, id), "x", "2026-02-30", &err), FW_EDATA);
    force_status(ws, id, "closed");
    assert_int_equal(fw_case_assign(ws, id, version_of(ws, id), "x", NULL, &err), FW_ECONFLICT);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static long long count_listed(fw_ws *ws, const fw_case_filter *f)
{
    fw_rows *rows;
    fw_err err = {0};
    assert_int_equal(fw_case_list(ws, f, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_ncols(rows), FW_CL_NCOLS);
    long long n = 0;
    int step;
    while ((step = fw_rows_step(rows, &err)) == 1)
        n++;
    assert_int_equal(step, 0);
    fw_rows_close(rows);
    return n;
}

/* The row of fw_case_history_fields for action and field (NULL when none): "before -> after". */
static char *history_field(fw_ws *ws, long long id, const char *action, const char *field)
{
    fw_rows *rows;
    fw_err err = {0};
    assert_int_equal(fw_case_history_fields(ws, id, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_ncols(rows), 7);
    assert_string_equal(fw_rows_name(rows, 4), "field");
    assert_string_equal(fw_rows_name(rows, 5), "before");
    assert_string_equal(fw_rows_name(rows, 6), "after");
    char *found = NULL;
    int step;
    while ((step = fw_rows_step(rows, &err)) == 1)
        if (!found && strcmp(fw_rows_text(rows, 3), action) == 0 && fw_rows_text(rows, 4) &&
            strcmp(fw_rows_text(rows, 4), field) == 0)
            found = fw_printf("%s -> %s", fw_rows_text(rows, 5) ? fw_rows_text(rows, 5) : "NULL",
                              fw_rows_text(rows, 6) ? fw_rows_text(rows, 6) : "NULL");
    assert_int_equal(step, 0);
    fw_rows_close(rows);
    return found;
}

static void test_list_filters_and_paging(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    add_run(ws, 1);
    add_hit(ws, "f1", "DEC-001", person_a, 100, 1);
    add_hit(ws, "f2", "DEC-001", person_b, 200, 1);
    add_hit(ws, "f3", "DEC-001", "340524198001010011", 300, 1);
    sync_run(ws, 1);
    fw_err err = {0};
    assert_int_equal(fw_case_assign(ws, 1, version_of(ws, 1), "民政局", "2026-01-10", &err), FW_OK);
    assert_int_equal(fw_case_assign(ws, 2, version_of(ws, 2), "民政局", "2026-03-10", &err), FW_OK);
    force_status(ws, 3, "dismissed");
    /* The trail's records one changed field a row. */
    char *change = history_field(ws, 1, "case.assign", "assignee");
    assert_non_null(change);
    assert_string_equal(change, "NULL -> 民政局");
    free(change);
    change = history_field(ws, 2, "case.assign", "due_date");
    assert_non_null(change);
    assert_string_equal(change, "NULL -> 2026-03-10");
    free(change);
    assert_null(history_field(ws, 1, "case.assign", "status"));
    fw_case_filter all = {0};
    assert_int_equal(count_listed(ws, &all), 3);
    assert_int_equal(fw_case_count(ws, &all, &err), 3);
    fw_case_filter by_status = {.status = "dismissed"};
    assert_int_equal(count_listed(ws, &by_status), 1);
    fw_case_filter by_assignee = {.assignee = "民政局"};
    assert_int_equal(count_listed(ws, &by_assignee), 2);
    fw_case_filter overdue = {.overdue = true, .today = "2026-02-01"};
    assert_int_equal(count_listed(ws, &overdue), 1);
    overdue.today = "2026-06-01";
    assert_int_equal(count_listed(ws, &overdue), 2);
    fw_case_filter search = {.search = person_b};
    assert_int_equal(count_listed(ws, &search), 1);
    fw_case_filter page = {.limit = 2};
    assert_int_equal(count_listed(ws, &page), 2);
    assert_int_equal(fw_case_count(ws, &page, &err), 3);
    page.offset = 2;
    assert_int_equal(count_listed(ws, &page), 1);
    /* Largest amount first within a day. */
    fw_rows *rows;
    assert_int_equal(fw_case_list(ws, &all, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_step(rows, &err), 1);
    assert_int_equal(fw_rows_int(rows, FW_CL_AMOUNT), 300);
    fw_rows_close(rows);
    fw_case_filter bad = {.status = "open"};
    assert_int_equal(fw_case_list(ws, &bad, &rows, &err), FW_EDATA);
    assert_null(rows);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* --- re-runs ------------------------------------------------------------------------------------ */

/* The engine's side of a later run: every hit seen again (unchanged) in run_id. */
static void rerun_unchanged(fw_ws *ws, long long run_id)
{
    add_run(ws, run_id);
    char *sql = fw_printf("UPDATE hits SET last_run_id = %lld, evidence_changed = 0 WHERE state = 'present'", run_id);
    exec_ok(ws, sql);
    free(sql);
}

static void walk_to_dismissed(fw_ws *ws, long long id)
{
    fw_err err = {0};
    fw_case_change v = {.to = "verifying", .method = "visit", .verifier = "w"};
    fw_case_change d = {.to = "dismissed", .reason = "data_error", .note = "death record belongs to a namesake"};
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &v, &err), FW_OK);
    assert_int_equal(fw_case_set_status(ws, id, version_of(ws, id), &d, &err), FW_OK);
}

static void test_rerun_dismissed_stays_dismissed(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    walk_to_dismissed(ws, id);
    rerun_unchanged(ws, 2);
    sync_run(ws, 2);
    char *s = status_of(ws, id);
    assert_string_equal(s, "dismissed");
    free(s);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.reopen'"), 0);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM cases"), 1);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'cases.sync' AND object = 'run:2'"), 1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_rerun_changed_evidence_reopens(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    walk_to_dismissed(ws, id);
    rerun_unchanged(ws, 2);
    exec_ok(ws, "UPDATE hits SET evidence_changed = 1, evidence_hash = 'e-f2b' WHERE fingerprint = 'f2'");
    sync_run(ws, 2);
    fw_case c;
    fw_err err = {0};
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    assert_string_equal(c.status, "new");
    assert_null(c.dismiss_reason);
    assert_null(c.conclusion);
    fw_case_free(&c);
    /* The record says which rule and which evidence, and keeps the old verdict in before. */
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.reopen' AND object = 'case:1' "
                                   "AND after LIKE '%\"change\":\"evidence_changed\"%' "
                                   "AND after LIKE '%\"rule\":\"VEH-001\"%' AND after LIKE '%detail of f2%' "
                                   "AND before LIKE '%\"dismiss_reason\":\"data_error\"%'"),
                     1);
    /* evidence_changed is read only for the run that set it: the next unchanged run leaves it be. */
    walk_to_dismissed(ws, id);
    add_run(ws, 3);
    sync_run(ws, 3);
    char *s = status_of(ws, id);
    assert_string_equal(s, "dismissed");
    free(s);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_rerun_new_hit_reopens_closed(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    force_status(ws, id, "closed");
    rerun_unchanged(ws, 2);
    add_hit(ws, "f9", "OFF-002", person_a, 5000, 2);
    sync_run(ws, 2);
    char *s = status_of(ws, id);
    assert_string_equal(s, "new");
    free(s);
    assert_int_equal(fw_ws_int(ws, "SELECT case_id FROM hits WHERE fingerprint = 'f9'"), id);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.reopen' "
                                   "AND after LIKE '%\"change\":\"new_hit\"%' AND after LIKE '%OFF-002%'"),
                     1);
    /* A new hit on a case under verification does not reset it, but is recorded. */
    force_status(ws, id, "verifying");
    add_run(ws, 3);
    add_hit(ws, "f10", "BIZ-001", person_a, 10, 3);
    sync_run(ws, 3);
    s = status_of(ws, id);
    assert_string_equal(s, "verifying");
    free(s);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.leads' AND after LIKE '%BIZ-001%'"), 1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_rerun_all_gone_resolves_by_data(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    long long id = one_case(ws);
    force_status(ws, id, "verifying");
    add_run(ws, 2);
    exec_ok(ws, "UPDATE hits SET state = 'gone' WHERE fingerprint = 'f1'");
    sync_run(ws, 2);
    assert_int_equal(fw_ws_int(ws, "SELECT resolved_by_data FROM cases"), 0); /* one hit still present */
    add_run(ws, 3);
    exec_ok(ws, "UPDATE hits SET state = 'gone'");
    sync_run(ws, 3);
    fw_case c;
    fw_err err = {0};
    assert_int_equal(fw_case_get_id(ws, id, &c, &err), FW_OK);
    assert_int_equal(c.resolved_by_data, 1);
    assert_string_equal(c.status, "verifying"); /* kept, never deleted */
    assert_int_equal(c.amount, 0);
    fw_case_free(&c);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.resolved_by_data' "
                                   "AND after LIKE '%DEC-001%'"),
                     1);
    /* Said once, not at every run. */
    add_run(ws, 4);
    sync_run(ws, 4);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.resolved_by_data'"), 1);
    /* A hit coming back clears the flag, recorded. */
    add_run(ws, 5);
    exec_ok(ws, "UPDATE hits SET state = 'present', last_run_id = 5 WHERE fingerprint = 'f1'");
    sync_run(ws, 5);
    assert_int_equal(fw_ws_int(ws, "SELECT resolved_by_data FROM cases"), 0);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'case.leads' "
                                   "AND after LIKE '%\"change\":\"reappeared\"%'"),
                     1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* Whitelisted hits are not leads: no case is made for them. */
static void test_whitelisted_hits_make_no_case(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    add_run(ws, 1);
    add_hit(ws, "f1", "DEC-001", person_a, 100, 1);
    exec_ok(ws, "UPDATE hits SET state = 'whitelisted'");
    sync_run(ws, 1);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM cases"), 0);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM hits WHERE case_id IS NULL"), 1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pair_against_the_table),
        cmocka_unit_test(test_required_and_inapplicable_fields),
        cmocka_unit_test(test_keys_and_values_checked),
        cmocka_unit_test(test_field_checks),
        cmocka_unit_test(test_money_and_dates),
        cmocka_unit_test(test_fields_recorded),
        cmocka_unit_test(test_second_reviewer),
        cmocka_unit_test(test_concurrent_change_refused),
        cmocka_unit_test(test_change_and_record_are_atomic),
        cmocka_unit_test(test_lookup_and_notes),
        cmocka_unit_test(test_list_filters_and_paging),
        cmocka_unit_test(test_rerun_dismissed_stays_dismissed),
        cmocka_unit_test(test_rerun_changed_evidence_reopens),
        cmocka_unit_test(test_rerun_new_hit_reopens_closed),
        cmocka_unit_test(test_rerun_all_gone_resolves_by_data),
        cmocka_unit_test(test_whitelisted_hits_make_no_case),
    };
    return cmocka_run_group_tests_name("cases", tests, NULL, NULL);
}
