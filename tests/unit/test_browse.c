/* test_browse.c: the engine queries behind the screens (audit/browse.c): keyset paging walks every
 * hit exactly once in the right order for every sort, both directions, including NULL sort keys,
 * and so does every single equality filter under every sort (the rule filter holds what the CLI's
 * `hits --rule` lists);
 * sorting by case status follows cases changed after the hits were linked (triggers keep
 * hits.case_rank); totals in slices equal a plain count; filters parse, format and reject bad words; person detail
 * flags the payments a hit rests on; lookup finds by ID prefix and name prefix. The frequency of
 * every column equals SQL's GROUP BY (money: audit/money.c's query), in slices, largest first, also past the hash table's first
 * size; marking by filter, the ids of a list and the cases of marked hits; a trail record's fields
 * in words. */
#include "tests/unit/testutil.h"

#include "audit/browse.h"
#include "audit/history.h"
#include "audit/engine.h"

static fw_ws *ws;
static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = test_tmpdir();
    char *path = fw_printf("%s/ws.db", dir);
    fw_err err = {0};
    assert_int_equal(fw_ws_open(path, &ws, &err), FW_OK);
    free(path);
    /* 40 hits: names NULL for every 7th, village NULL for every 5th, amounts with ties. */
    assert_int_equal(fw_ws_exec(ws,
        "INSERT INTO runs(id, user, started_at, status) VALUES (1, 't', 'x', 'complete');"
        "INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, user, started_at)"
        " VALUES (1, 'payments', 'p.csv', 'x', 'UTF-8', 'append', 'loaded', 't', 'x');"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
        " INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,"
        "  village, program, amount, detail, evidence_hash, first_run_id, last_run_id)"
        " SELECT i * 3, 'f' || i, CASE i % 3 WHEN 0 THEN 'DEC-001' WHEN 1 THEN 'VEH-001' ELSE 'DUP-001' END,"
        "  'c', CASE i % 4 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END, 'person',"
        "  printf('52010219900101%04d', i), printf('52010219900101%04d', i),"
        "  CASE WHEN i % 7 = 0 THEN NULL ELSE '名' || (i % 9) END,"
        "  CASE WHEN i % 5 = 0 THEN NULL ELSE '村' || (i % 4) END, '低保', (i % 6) * 1000, 'd', 'e', 1, 1 FROM n;"
        "INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date)"
        " VALUES (1, 1, 'P1', '520102199001010001', '名1', '低保', 100, '2023-01-01'),"
        "        (1, 2, 'P2', '520102199001010001', '名1', '低保', 100, '2023-02-01');"
        "INSERT INTO hit_evidence VALUES (3, 'payments', 'P2');"
        /* cases on some hits, linked after the hits exist (as fw_cases_sync does), then moved on in
         * the workflow: the hits' case_rank must follow both through the triggers */
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)"
        " INSERT INTO cases(id, case_no, subject_kind, subject, status, created_at, updated_at)"
        " SELECT i, 'FW-2023-' || i, 'person', 's' || i, 'new', 'x', 'x' FROM n;"
        "UPDATE hits SET case_id = id % 12 + 1 WHERE id % 2 = 0;"
        "UPDATE cases SET status = CASE id % 4 WHEN 0 THEN 'confirmed' WHEN 1 THEN 'dismissed'"
        " WHEN 2 THEN 'verifying' ELSE 'new' END;",
        &err), FW_OK);
    if (err.code)
        fprintf(stderr, "%s\n", err.msg);
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

static const char *order_sql[FW_SORT_COUNT_] = {
    [FW_SORT_ID] = "id", [FW_SORT_SEVERITY] = "CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END",
    [FW_SORT_RULE] = "rule_id", [FW_SORT_NAME] = "name", [FW_SORT_ID_NUMBER] = "id_number",
    [FW_SORT_VILLAGE] = "village", [FW_SORT_PROGRAM] = "program", [FW_SORT_AMOUNT] = "amount",
    /* computed from cases here, not from the case_rank the triggers keep */
    [FW_SORT_STATUS] = "COALESCE((SELECT CASE c.status WHEN 'new' THEN 0 WHEN 'verifying' THEN 1 WHEN 'confirmed' "
                       "THEN 2 WHEN 'partly_confirmed' THEN 3 WHEN 'rectifying' THEN 4 WHEN 'closed' THEN 5 "
                       "WHEN 'dismissed' THEN 6 ELSE 7 END FROM cases c WHERE c.id = hits.case_id), 0)",
};

/* The expected order of hit ids matching where, straight from SQL. */
static int expected_ids_where(const char *where, enum fw_hit_sort s, bool desc, long long *ids)
{
    /* NULL first, as SQLite orders it: the list's order on both engines */
    char *sql = fw_printf("SELECT id FROM hits WHERE %s ORDER BY %s %s, id %s", where, order_sql[s],
                          desc ? "DESC NULLS LAST" : "NULLS FIRST", desc ? "DESC" : "");
    fw_stmt *st = test_prepare(ws, sql);
    int n = 0;
    while (test_step(st) == 1)
        ids[n++] = fw_stmt_int64(st, 0);
    fw_stmt_finalize(st);
    free(sql);
    return n;
}

static int expected_ids(enum fw_hit_sort s, bool desc, long long *ids)
{
    return expected_ids_where("1 = 1", s, desc, ids);
}

/* Pages forward through filter text under sort s, 3 rows a page, into ids; returns how many. */
static int page_all(const char *filter, enum fw_hit_sort s, bool desc, long long *ids)
{
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_err err = {0};
    assert_int_equal(fw_hit_filter_parse(&f, filter, &err), FW_OK);
    fw_hit_row page[3], anchor = {0};
    int n = 0, got;
    bool have_anchor = false;
    do {
        assert_int_equal(fw_hits_page(ws, &f, s, desc, have_anchor ? &anchor : NULL, false, 3, page, &got, &err),
                         FW_OK);
        for (int i = 0; i < got; i++)
            ids[n++] = page[i].id;
        if (got) {
            fw_hit_row_clear(&anchor);
            anchor = page[got - 1];
            memset(&page[got - 1], 0, sizeof page[0]);
            have_anchor = true;
        }
        for (int i = 0; i < got; i++)
            fw_hit_row_clear(&page[i]);
    } while (got == 3 && n < 64 - 3);
    fw_hit_row_clear(&anchor);
    fw_hit_filter_free(&f);
    return n;
}

/* Every single equality filter under every sort, both ways (including the filter that fixes the
 * sort key, read in id order, and the status served by its rank): the pages hold exactly the
 * matching hits in the list's order. */
static void test_paging_filtered(void **state)
{
    (void)state;
    static const struct { const char *filter, *where; } cases[] = {
        {"rule=VEH-001", "rule_id = 'VEH-001'"},
        {"severity=high", "severity = 'high'"},
        {"program=低保", "program = '低保'"},
        {"village=村2", "village = '村2'"},
        {"category=c", "category = 'c'"},
        {"township=乡1", "township = '乡1'"},
        {"status=new", "(case_id IS NULL OR (SELECT status FROM cases WHERE id = case_id) = 'new')"},
        {"status=dismissed", "(SELECT status FROM cases WHERE id = case_id) = 'dismissed'"},
    };
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "UPDATE hits SET township = '乡' || (id % 2) WHERE township IS NULL", &err), FW_OK);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int s = 0; s < FW_SORT_COUNT_; s++)
            for (int desc = 0; desc < 2; desc++) {
                long long want[64], got_ids[64];
                int nwant = expected_ids_where(cases[c].where, (enum fw_hit_sort)s, desc, want);
                if (nwant <= 0 || nwant >= 60)
                    fail_msg("%s: %d expected rows", cases[c].filter, nwant);
                int n = page_all(cases[c].filter, (enum fw_hit_sort)s, desc, got_ids);
                if (n != nwant)
                    fail_msg("%s sort %d desc %d: %d rows, want %d", cases[c].filter, s, desc, n, nwant);
                for (int i = 0; i < n; i++)
                    if (got_ids[i] != want[i])
                        fail_msg("%s sort %d desc %d: row %d is %lld, want %lld", cases[c].filter, s, desc, i,
                                 got_ids[i], want[i]);
            }
}

static int cmp_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* The hit list filtered by rule holds the same hits as the CLI's `hits --rule X` listing. */
static void test_filtered_list_matches_cli(void **state)
{
    (void)state;
    fw_hit_filter hf = {.rule_id = "DUP-001"};
    fw_rows *rows;
    fw_err err = {0};
    assert_int_equal(fw_hits_list(ws, &hf, &rows, &err), FW_OK);
    long long cli[64];
    int ncli = 0;
    while (fw_rows_step(rows, &err) == 1 && ncli < 64)
        cli[ncli++] = fw_rows_int(rows, 0);
    fw_rows_close(rows);
    long long got_ids[64];
    int n = page_all("rule=DUP-001", FW_SORT_ID, false, got_ids);
    if (n != ncli || ncli < 5)
        fail_msg("the hit list has %d hits of DUP-001, the CLI listing %d", n, ncli);
    /* the CLI lists by severity and amount, the list here by id: compare in id order */
    qsort(cli, (size_t)ncli, sizeof cli[0], cmp_id);
    for (int i = 0; i < n; i++)
        assert_int_equal(got_ids[i], cli[i]);
}

static void test_paging_every_sort(void **state)
{
    (void)state;
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    for (int s = 0; s < FW_SORT_COUNT_; s++)
        for (int desc = 0; desc < 2; desc++) {
            long long want[64], got_ids[64];
            int nwant = expected_ids((enum fw_hit_sort)s, desc, want);
            assert_int_equal(nwant, 40);
            /* forward, three rows at a time, each page anchored on the previous page's last row */
            int n = page_all("", (enum fw_hit_sort)s, desc, got_ids);
            assert_int_equal(n, 40);
            for (int i = 0; i < 40; i++)
                assert_int_equal(got_ids[i], want[i]);
            /* backward from the end */
            fw_hit_row page[3], anchor = {0};
            int got;
            bool have_anchor = false;
            fw_err err = {0};
            n = 0;
            do {
                assert_int_equal(fw_hits_page(ws, &f, (enum fw_hit_sort)s, desc, have_anchor ? &anchor : NULL,
                                              true, 3, page, &got, &err), FW_OK);
                for (int i = got - 1; i >= 0; i--)
                    got_ids[n++] = page[i].id;
                if (got) {
                    fw_hit_row_clear(&anchor);
                    anchor = page[0];
                    memset(&page[0], 0, sizeof page[0]);
                    have_anchor = true;
                }
                for (int i = 0; i < got; i++)
                    fw_hit_row_clear(&page[i]);
            } while (got == 3);
            assert_int_equal(n, 40);
            for (int i = 0; i < 40; i++)
                assert_int_equal(got_ids[i], want[39 - i]);
            fw_hit_row_clear(&anchor);
        }
}

static void test_filter_and_totals(void **state)
{
    (void)state;
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_err err = {0};
    assert_int_equal(fw_hit_filter_parse(&f, "rule=dec-001 amount>=10", &err), FW_OK);
    char *text = fw_hit_filter_format(&f);
    assert_string_equal(text, "rule=DEC-001 amount>=10.00");
    free(text);
    long long want = fw_ws_int(ws, "SELECT count(*) FROM hits WHERE rule_id = 'DEC-001' AND amount >= 1000");
    long long want_sum = fw_ws_int(ws, "SELECT sum(amount) FROM hits WHERE rule_id = 'DEC-001' AND amount >= 1000");
    assert_true(want > 0);
    fw_hit_totals t;
    fw_hit_totals_init(ws, &t);
    int steps = 0, rc;
    while ((rc = fw_hit_totals_step(ws, &f, &t, 10, &err)) == 0)
        steps++;
    assert_int_equal(rc, 1);
    assert_true(steps >= 10); /* ids reach 120: sliced, not one query */
    assert_int_equal(t.count, want);
    /* Only hit 3 cites a payment: its money is payment-based, the rest is figures without payments. */
    assert_int_equal(t.amount + t.other, want_sum);
    assert_int_equal(t.amount, fw_ws_int(ws, "SELECT amount FROM hits WHERE id = 3 AND rule_id = 'DEC-001' "
                                             "AND amount >= 1000"));
    fw_hit_totals_free(&t);
    /* a bad word is refused and leaves the filter as it was */
    assert_int_equal(fw_hit_filter_parse(&f, "colour=red", &err), FW_EUSAGE);
    assert_non_null(strstr(err.msg, "colour=red"));
    assert_string_equal(f.rule_id, "DEC-001");
    /* search narrows by ID prefix */
    f.search = fw_strdup("5201021990010100");
    fw_hit_totals_init(ws, &t);
    while (fw_hit_totals_step(ws, &f, &t, 1000, &err) == 0)
        ;
    assert_int_equal(t.count, fw_ws_int(ws, "SELECT count(*) FROM hits WHERE rule_id = 'DEC-001' AND "
                                            "amount >= 1000 AND id_number LIKE '5201021990010100%'"));
    fw_hit_totals_free(&t);
    fw_hit_filter_free(&f);
}

static void test_person_and_lookup(void **state)
{
    (void)state;
    fw_person p;
    fw_err err = {0};
    assert_int_equal(fw_person_load(ws, "520102199001010001", &p, &err), FW_OK);
    int payments = 0, implicated = 0, hits = 0;
    for (int i = 0; i < p.n; i++) {
        if (p.rows[i].flags & FW_DR_HEADER)
            continue;
        if (p.rows[i].section == FW_DS_PAYMENTS) {
            payments++;
            if (p.rows[i].flags & FW_DR_IMPLICATED)
                implicated++;
        }
        hits += p.rows[i].section == FW_DS_HITS;
    }
    assert_int_equal(payments, 2);
    assert_int_equal(implicated, 1);
    assert_int_equal(hits, 1);
    fw_person_free(&p);
    assert_int_equal(fw_person_load(ws, "110105194912310021", &p, &err), FW_ENOTFOUND);

    fw_lookup_row *rows;
    int n;
    assert_int_equal(fw_lookup(ws, "520102199001010001", 10, &rows, &n, &err), FW_OK);
    assert_int_equal(n, 1);
    assert_non_null(strstr(rows[0].sources, "payments ×2"));
    assert_int_equal(rows[0].paid, 200);
    fw_lookup_free(rows, n);
    assert_int_equal(fw_lookup(ws, "名1", 100, &rows, &n, &err), FW_OK);
    assert_int_equal(n, fw_ws_int(ws, "SELECT count(DISTINCT id_number) FROM hits WHERE name = '名1'"));
    fw_lookup_free(rows, n);
}

/* Counts a column of the list of f to the end, in slices of `slice` ids. */
static void count_all(fw_ws *w, const fw_hit_filter *f, fw_freq *fq, enum fw_freq_col col, long long slice)
{
    fw_err err = {0};
    fw_freq_init(w, fq, col);
    int rc;
    while ((rc = fw_freq_step(w, f, fq, slice, &err)) == 0)
        ;
    assert_int_equal(rc, 1);
    fw_freq_sort(fq);
}

static void test_frequency(void **state)
{
    (void)state;
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    static const char *const expr[FW_FREQ_COUNT_] = {
        [FW_FREQ_SEVERITY] = "severity", [FW_FREQ_RULE] = "rule_id", [FW_FREQ_CATEGORY] = "category",
        [FW_FREQ_STATUS] = "(SELECT coalesce(c.status, 'new') FROM (SELECT 1) LEFT JOIN cases c ON c.id = h.case_id)",
        [FW_FREQ_TOWNSHIP] = "township", [FW_FREQ_VILLAGE] = "village", [FW_FREQ_PROGRAM] = "program",
        [FW_FREQ_NAME] = "name", [FW_FREQ_ID_NUMBER] = "id_number", [FW_FREQ_AMOUNT] = "amount",
    };
    for (int c = 0; c < FW_FREQ_COUNT_; c++) {
        fw_freq fq;
        count_all(ws, &f, &fq, (enum fw_freq_col)c, 7);
        /* as many values as SQL finds, each with its count and sum, largest count first */
        char *q = fw_printf("SELECT count(*) FROM (SELECT %s FROM hits h WHERE state = 'present' GROUP BY 1)", expr[c]);
        assert_int_equal(fq.n, fw_ws_int(ws, q));
        free(q);
        assert_int_equal(fq.count, fw_ws_int(ws, "SELECT count(*) FROM hits WHERE state = 'present'"));
        for (int i = 0; i < fq.n; i++) {
            const fw_freq_row *r = &fq.rows[i];
            if (i)
                assert_true(fq.rows[i - 1].count >= r->count);
            const char *v = fw_freq_value(&fq, r);
            if (c == FW_FREQ_VILLAGE && !r->null) /* township, char(31), village: the fixture has no township */
                v = strchr(v, 31) + 1;
            char *cond = r->null ? fw_printf("%s IS NULL", expr[c]) : fw_printf("%s = '%s'", expr[c], v);
            char *cq = fw_printf("SELECT count(*) FROM hits h WHERE state = 'present' AND %s", cond);
            char *sq = fw_printf("SELECT id FROM hits h WHERE state = 'present' AND %s", cond);
            assert_int_equal(r->count, fw_ws_int(ws, cq));
            fw_money m; /* the money at issue, each payment once (test_freq.c has hand-computed sums) */
            fw_err merr = {0};
            assert_int_equal(fw_money_of(ws, sq, NULL, &m, &merr), FW_OK);
            assert_int_equal(fw_freq_paid(r), m.paid);
            assert_int_equal(r->other, m.other);
            free(cond), free(cq), free(sq);
        }
        fw_freq_free(&fq);
    }
    /* the selection of a value is the filter words that give it back */
    fw_freq fq;
    count_all(ws, &f, &fq, FW_FREQ_RULE, 1000);
    bool is_search;
    char *sel = fw_freq_selection(&fq, &fq.rows[0], &is_search);
    assert_false(is_search);
    assert_int_equal(strncmp(sel, "rule=", 5), 0);
    fw_hit_filter g;
    fw_hit_filter_init(&g);
    fw_err err = {0};
    assert_int_equal(fw_hit_filter_parse(&g, sel, &err), FW_OK);
    fw_hit_totals t;
    fw_hit_totals_init(ws, &t);
    while (fw_hit_totals_step(ws, &g, &t, 1000, &err) == 0)
        ;
    assert_int_equal(t.count, fq.rows[0].count);
    free(sel);
    fw_freq_free(&fq);
    fw_hit_filter_free(&g);
    count_all(ws, &f, &fq, FW_FREQ_AMOUNT, 1000);
    sel = fw_freq_selection(&fq, &fq.rows[0], &is_search);
    assert_non_null(strstr(sel, "amount>="));
    free(sel);
    fw_freq_free(&fq);
    count_all(ws, &f, &fq, FW_FREQ_ID_NUMBER, 1000);
    sel = fw_freq_selection(&fq, &fq.rows[0], &is_search);
    assert_true(is_search);
    assert_int_equal(strlen(sel), 18);
    free(sel);
    fw_freq_free(&fq);
    /* under a filter only its hits count */
    assert_int_equal(fw_hit_filter_parse(&f, "rule=DEC-001", &err), FW_OK);
    count_all(ws, &f, &fq, FW_FREQ_SEVERITY, 5);
    assert_int_equal(fq.count, fw_ws_int(ws, "SELECT count(*) FROM hits WHERE rule_id = 'DEC-001'"));
    fw_freq_free(&fq);
    fw_hit_filter_free(&f);
}

/* Thousands of values: the table grows past its first size (it once could not), ties keep the
 * order in which the values came, and a value seen three times comes first. */
static void test_frequency_many_values(void **state)
{
    (void)state;
    char *d = test_tmpdir(), *path = fw_printf("%s/many.db", d);
    fw_ws *w;
    fw_err err = {0};
    assert_int_equal(fw_ws_open(path, &w, &err), FW_OK);
    assert_int_equal(fw_ws_exec(w,
        "INSERT INTO runs(id, user, started_at, status) VALUES (1, 't', 'x', 'complete');"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)"
        " INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number,"
        "  amount, detail, evidence_hash, first_run_id, last_run_id)"
        " SELECT i, 'f' || i, 'R-1', 'c', 'low', 'person', 's' || i,"
        "  CASE WHEN i IN (4000, 5000, 6000) THEN 'SAME' ELSE printf('ID%05d', i) END, i, 'd', 'e', 1, 1 FROM n",
        &err), FW_OK);
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_freq fq;
    count_all(w, &f, &fq, FW_FREQ_ID_NUMBER, 1000);
    assert_int_equal(fq.n, 5998);
    assert_string_equal(fw_freq_value(&fq, &fq.rows[0]), "SAME");
    assert_int_equal(fq.rows[0].count, 3);
    assert_int_equal(fq.rows[0].other, 15000); /* no payment cited: not payment-based */
    assert_string_equal(fw_freq_value(&fq, &fq.rows[1]), "ID00001");
    assert_string_equal(fw_freq_value(&fq, &fq.rows[5997]), "ID05999");
    fw_freq_free(&fq);
    fw_ws_close(w);
    test_rmdir(d);
    free(d);
    free(path);
}

static void test_marks_and_cases(void **state)
{
    (void)state;
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_err err = {0};
    bool empty;
    assert_int_equal(fw_hit_filter_parse(&f, "severity=high amount>=1", &err), FW_OK);
    assert_int_equal(fw_hit_filter_narrow(&f, "rule=DEC-001 amount>=2 amount<=4", &empty, &err), FW_OK);
    assert_false(empty);
    char *text = fw_hit_filter_format(&f);
    assert_string_equal(text, "rule=DEC-001 severity=high amount>=2.00 amount<=4.00");
    free(text);
    assert_int_equal(fw_hit_filter_narrow(&f, "rule=VEH-001", &empty, &err), FW_OK);
    assert_true(empty); /* DEC-001 and VEH-001: no hit is both */
    assert_int_equal(fw_hit_filter_narrow(&f, "colour=red", &empty, &err), FW_EUSAGE);
    fw_hit_filter_free(&f);

    fw_hit_filter_init(&f);
    assert_int_equal(fw_hit_filter_parse(&f, "rule=DUP-001", &err), FW_OK);
    long long *ids, n;
    assert_int_equal(fw_hit_ids(ws, &f, &ids, &n, &err), FW_OK);
    assert_int_equal(n, fw_ws_int(ws, "SELECT count(*) FROM hits WHERE rule_id = 'DUP-001'"));
    for (long long i = 1; i < n; i++)
        assert_true(ids[i - 1] < ids[i]);
    long long *cases, ncases, without;
    assert_int_equal(fw_hits_cases(ws, ids, n, &cases, &ncases, &without, &err), FW_OK);
    assert_int_equal(ncases, fw_ws_int(ws, "SELECT count(DISTINCT case_id) FROM hits WHERE rule_id = 'DUP-001'"));
    assert_int_equal(without, fw_ws_int(ws, "SELECT count(*) FROM hits WHERE rule_id = 'DUP-001' AND case_id IS NULL"));
    assert_true(ncases > 0 && without > 0);
    free(cases);
    free(ids);
    fw_hit_filter_free(&f);
}

/* The screens read trail records through audit/history.h, the one renderer: each changed field in
 * words, codes as labels, money in yuan, a cleared field shown as cleared, non-JSON text whole. */
static void test_trail_words(void **state)
{
    (void)state;
    char **v = fw_history_fields(ws, "{\"status\":\"confirmed\",\"measures\":null,\"to_recover\":0,\"gone\":\"x\"}",
                                 "{\"status\":\"rectifying\",\"measures\":\"stop_payment\",\"to_recover\":28378,"
                                 "\"note\":\"追缴\"}",
                                 FW_WORDS_UI);
    assert_non_null(v);
    assert_string_equal(v[0], "status confirmed → rectifying");
    assert_string_equal(v[1], "measures stop payment"); /* was null: set, not changed */
    assert_string_equal(v[2], "to recover ¥0.00 → ¥283.78");
    assert_string_equal(v[3], "note: 追缴");
    assert_string_equal(v[4], "gone x → (none)");
    assert_null(v[5]);
    fw_strv_free(v);
    char *words = fw_history_details(ws, NULL, "{\"note\":\"电话回访\"}", FW_WORDS_UI);
    assert_string_equal(words, "note: 电话回访");
    free(words);
    words = fw_history_details(ws, NULL, "not json", FW_WORDS_UI);
    assert_string_equal(words, "not json");
    free(words);
    assert_string_equal(fw_history_action("case.status", FW_WORDS_UI), "status changed");
    assert_string_equal(fw_history_action("made.up", FW_WORDS_UI), "made.up");
}

/* Disabling and enabling a rule from the rules screen: the setting is stored, and each change is an
 * audit-trail record. */
static void test_rule_set_enabled(void **state)
{
    (void)state;
    fw_err err = {0};
    long long before = fw_ws_int(ws, "SELECT count(*) FROM trail WHERE object = 'rule:DUP-001'");
    assert_int_equal(fw_rule_set_enabled(ws, "DUP-001", false, &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT value = 'false' FROM rule_settings WHERE rule_id = 'DUP-001' "
                                   "AND key = 'enabled'"), 1);
    assert_int_equal(fw_rule_set_enabled(ws, "DUP-001", true, &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT value = 'true' FROM rule_settings WHERE rule_id = 'DUP-001' "
                                   "AND key = 'enabled'"), 1);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE object = 'rule:DUP-001'"), before + 2);
}

/* --- the same paging on PostgreSQL (FUNDWATCH_TEST_PG) --------------------------------------------
 * The first page of a filtered list there is written apart (the pair's column as a range, ordered
 * by first, browse.c page_lead): its pages must hold the same hits in the same order. Some hits have
 * no name, ID number, village or program (a village's hit): PostgreSQL orders NULL last by default,
 * the list puts it first on both engines, and a page anchored on a NULL key must neither repeat nor
 * skip rows. */
static char *pg_schema;

static void pg_admin_exec(const char *sql)
{
    fw_db *db;
    fw_err err = {0};
    if (fw_db_open(getenv("FUNDWATCH_TEST_PG"), NULL, &db, &err))
        fail_msg("FUNDWATCH_TEST_PG: %s", err.msg);
    if (fw_db_exec(db, sql, &err))
        fail_msg("%s: %s", sql, err.msg);
    fw_db_close(db);
}

static int pg_setup(void **state)
{
    (void)state;
    pg_schema = fw_printf("fwtest_browse_%d", (int)getpid());
    char *sql = fw_printf("CREATE SCHEMA %s", pg_schema);
    pg_admin_exec(sql);
    free(sql);
    char *target = fw_printf("%s options='-c search_path=%s'", getenv("FUNDWATCH_TEST_PG"), pg_schema);
    fw_err err = {0};
    if (fw_ws_open(target, &ws, &err))
        fail_msg("open %s: %s", target, err.msg);
    free(target);
    if (fw_ws_exec(ws,
        "INSERT INTO runs(id, \"user\", started_at, status) VALUES (1, 't', 'x', 'complete');"
        "INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,"
        "  village, program, amount, detail, evidence_hash, first_run_id, last_run_id)"
        " SELECT i * 3, 'f' || i, CASE i % 3 WHEN 0 THEN 'DEC-001' WHEN 1 THEN 'VEH-001' ELSE 'DUP-001' END,"
        "  'c', CASE i % 4 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END, 'person',"
        "  '52010219900101' || lpad(i::text, 4, '0'),"
        "  CASE WHEN i % 13 = 0 THEN NULL ELSE '52010219900101' || lpad(i::text, 4, '0') END,"
        "  CASE WHEN i % 7 = 0 THEN NULL ELSE '名' || (i % 9) END, CASE WHEN i % 5 = 0 THEN NULL ELSE '村' || (i % 4) END,"
        "  CASE WHEN i % 11 = 0 THEN NULL ELSE '低保' END, (i % 6) * 1000, 'd', 'e', 1, 1"
        " FROM generate_series(1, 40) i;"
        "INSERT INTO cases(id, case_no, subject_kind, subject, status, created_at, updated_at)"
        " SELECT i, 'FW-2023-' || i, 'person', 's' || i, 'new', 'x', 'x' FROM generate_series(1, 12) i;"
        "UPDATE hits SET case_id = id % 12 + 1 WHERE id % 2 = 0;"
        "UPDATE cases SET status = CASE id % 4 WHEN 0 THEN 'confirmed' WHEN 1 THEN 'dismissed'"
        " WHEN 2 THEN 'verifying' ELSE 'new' END;"
        "ANALYZE hits;",
        &err))
        fail_msg("fixture: %s", err.msg);
    return 0;
}

static int pg_teardown(void **state)
{
    (void)state;
    fw_ws_close(ws);
    ws = NULL;
    char *sql = fw_printf("DROP SCHEMA %s CASCADE", pg_schema);
    pg_admin_exec(sql);
    free(sql);
    free(pg_schema);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paging_every_sort),
        cmocka_unit_test(test_paging_filtered),
        cmocka_unit_test(test_filtered_list_matches_cli),
        cmocka_unit_test(test_filter_and_totals),
        cmocka_unit_test(test_person_and_lookup),
        cmocka_unit_test(test_frequency),
        cmocka_unit_test(test_frequency_many_values),
        cmocka_unit_test(test_marks_and_cases),
        cmocka_unit_test(test_trail_words),
        cmocka_unit_test(test_rule_set_enabled),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    const char *pg = getenv("FUNDWATCH_TEST_PG");
    if (!pg || !*pg) {
        fprintf(stderr, "PostgreSQL: NOT TESTED (set FUNDWATCH_TEST_PG to a libpq conninfo, see docs/store.md)\n");
        return failed;
    }
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test(test_paging_every_sort),
        cmocka_unit_test(test_paging_filtered),
    };
    return failed + cmocka_run_group_tests_name("postgresql", pg_tests, pg_setup, pg_teardown);
}
