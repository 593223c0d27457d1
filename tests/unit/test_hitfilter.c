/* test_hitfilter.c: one filter, one query (issue 11, item 2). On the export fixture workspace
 * (tests/e2e/export_fixture.sql: seven hits, present, gone and whitelisted, of four categories,
 * with cases new, verifying, confirmed and dismissed and a hit without a case), the CLI's listing
 * (fw_hits_list), the TUI's list (fw_hits_page, fw_hit_ids) and the export's leads (fw_xq_leads)
 * return the same hit ids for every filter, and each filter's expected ids are written out so a
 * path that filtered differently, or all of them alike but wrongly, fails. */
#include "audit/browse.h"
#include "audit/exportq.h"
#include "audit/hitfilter.h"
#include "tests/unit/testutil.h"

#define FIXTURE "tests/e2e/export_fixture.sql"

static fw_ws *ws;
static char *dir;

static int setup(void **state)
{
    (void)state;
    ws = test_open_ws(&dir);
    FILE *f = fopen(FIXTURE, "rb");
    assert_non_null(f);
    fw_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fw_buf_add(&b, chunk, n);
    fclose(f);
    fw_buf_putc(&b, '\0');
    fw_err err = {0};
    int rc = fw_ws_exec(ws, b.data, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, FW_OK);
    fw_buf_free(&b);
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

/* The ids as "1,2,5" in ascending order. */
static char *ids_text(long long *ids, int n)
{
    for (int i = 1; i < n; i++) /* insertion sort: a handful of ids */
        for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            long long t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    for (int i = 0; i < n; i++)
        fw_buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
    return fw_buf_steal(&b);
}

static char *cli_ids(const fw_hit_filter *f)
{
    fw_rows *rows;
    fw_err err = {0};
    assert_int_equal(fw_hits_list(ws, f, &rows, &err), FW_OK);
    long long ids[64];
    int n = 0, rc;
    while ((rc = fw_rows_step(rows, &err)) == 1 && n < 64)
        ids[n++] = fw_rows_int(rows, 0);
    assert_int_equal(rc, 0);
    fw_rows_close(rows);
    return ids_text(ids, n);
}

static char *tui_ids(const fw_hit_filter *f)
{
    fw_hit_row rows[64];
    int got;
    fw_err err = {0};
    /* the list as the screen pages it, sorted by amount (the key paging walks) */
    assert_int_equal(fw_hits_page(ws, f, FW_SORT_AMOUNT, true, NULL, false, 64, rows, &got, &err), FW_OK);
    long long ids[64];
    for (int i = 0; i < got; i++) {
        ids[i] = rows[i].id;
        fw_hit_row_clear(&rows[i]);
    }
    char *page = ids_text(ids, got);
    long long *all, n;
    assert_int_equal(fw_hit_ids(ws, f, &all, &n, &err), FW_OK); /* marking the whole list */
    char *marked = ids_text(all, (int)n);
    free(all);
    assert_string_equal(page, marked);
    free(marked);
    return page;
}

static char *export_ids(const fw_hit_filter *f)
{
    fw_xquery *q;
    fw_err err = {0};
    assert_int_equal(fw_xq_leads(ws, f, &q, &err), FW_OK);
    long long ids[64];
    int n = 0, rc;
    while ((rc = fw_xq_step(q, &err)) == 1 && n < 64)
        ids[n++] = fw_xq_int(q, 0);
    assert_int_equal(rc, 0);
    fw_xq_close(q);
    assert_int_equal(fw_xq_count_leads(ws, f, &err), n);
    return ids_text(ids, n);
}

static void test_three_paths_same_hits(void **state)
{
    (void)state;
    static const char *const case2[] = {"FW-2026-000002", "4"};
    const struct { fw_hit_filter f; const char *want; } cases[] = {
        {{0}, "1,2,3,4,5"}, /* present only */
        {{.state = "all"}, "1,2,3,4,5,6,7"},
        {{.state = "gone"}, "6"},
        {{.state = "whitelisted"}, "7"},
        {{.state = "已消失"}, "6"},
        {{.category = "deceased"}, "1,2"},
        {{.category = "deceased", .state = "all"}, "1,2,7"},
        {{.category = "公职人员", .state = "all"}, "3,6"},
        {{.status = "new"}, "4,5"}, /* a case still new, and the hit without a case */
        {{.status = "待核查", .state = "all"}, "4,5,7"},
        {{.status = "confirmed"}, "1,2"},
        {{.status = "dismissed"}, ""},
        {{.status = "dismissed", .state = "all"}, "6"},
        {{.rule_id = "off-001", .state = "all"}, "3,6"},
        {{.severity = "高"}, "1,2,3"},
        {{.township = "黔灵镇", .state = "all"}, "3,4,6,7"},
        {{.village = "新寨村", .severity = "high", .state = "all"}, "3,6,7"},
        {{.program = "低保"}, "1,2,3"},
        {{.has_min = true, .min_amount = 50000}, "1,2,3"},
        {{.has_max = true, .max_amount = 30000, .state = "all"}, "4,5"},
        {{.search = "钱", .state = "all"}, "6,7"},
        {{.search = "11010519491231002x"}, "3"},
        {{.cases = case2, .ncases = 2, .state = "all"}, "3,6"},
        {{.run_id = 1, .category = "duplicate"}, "5"},
        {{.run_id = 2}, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cli = cli_ids(&cases[i].f), *tui = tui_ids(&cases[i].f), *exp = export_ids(&cases[i].f);
        if (strcmp(cli, cases[i].want) || strcmp(tui, cases[i].want) || strcmp(exp, cases[i].want))
            fail_msg("filter %zu: CLI [%s], TUI [%s], export [%s], want [%s]", i, cli, tui, exp, cases[i].want);
        free(cli);
        free(tui);
        free(exp);
    }
}

/* A state that is no hit state is refused by the builder, whichever path asks. */
static void test_unknown_state_refused(void **state)
{
    (void)state;
    fw_hit_filter f = {.state = "lost"};
    fw_rows *rows;
    fw_xquery *q;
    long long *ids, n;
    fw_err err = {0};
    assert_int_equal(fw_hits_list(ws, &f, &rows, &err), FW_EUSAGE);
    assert_non_null(strstr(err.msg, "lost"));
    assert_int_equal(fw_hit_ids(ws, &f, &ids, &n, &err), FW_EUSAGE);
    assert_int_equal(fw_xq_leads(ws, &f, &q, &err), FW_EUSAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_paths_same_hits),
        cmocka_unit_test(test_unknown_state_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
