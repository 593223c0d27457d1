/* test_payments_index.c: the payments index by person is covering, and the shipped rules that group
 * the whole ledger stream it (no sort, no table read) while no shipped rule walks a payments or
 * persons index that is not covering (what `rules check` warns about). Checked on query plans, so
 * a rule edit or an index edit that brings the 5-9 s sorts back fails here, not only in bench/. */
#include "tests/unit/testutil.h"

#include "audit/dataset.h"
#include "audit/indexes.h"
#include "audit/rules.h"

#include <stdbool.h>

/* The rules rewritten to stream ds_payments_person (issue 3: no rule over 5 s at county scale). */
static const char *const streaming_rules[] = {"DUP-001", "DUP-004", "STD-002", "TIM-004", "IDN-002", "ACC-001"};

static const fw_dataset_index *find_index(const fw_dataset_index *ix, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(ix[i].name, name) == 0)
            return &ix[i];
    return NULL;
}

static void test_person_index_replaces_id_number_index(void **state)
{
    (void)state;
    fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
    int n = fw_dataset_indexes(fw_dataset_find("payments"), ix);
    const fw_dataset_index *person = find_index(ix, n, "ds_payments_person");
    assert_non_null(person);
    /* the grouping order first: person, program, pay date */
    assert_int_equal(strncmp(person->columns, "id_number, program, pay_date,", 29), 0);
    for (const char *col = "period\0amount\0name\0region_code\0bank_account\0"; *col; col += strlen(col) + 1)
        assert_non_null(strstr(person->columns, col));
    assert_null(find_index(ix, n, "ds_payments_id_number"));
    assert_null(find_index(ix, n, "ds_payments_approved_by"));
    assert_non_null(find_index(ix, n, "ds_payments_program"));
    /* other datasets keep one index per ID column */
    n = fw_dataset_indexes(fw_dataset_find("relatives"), ix);
    assert_non_null(find_index(ix, n, "ds_relatives_id_number"));
    assert_non_null(find_index(ix, n, "ds_relatives_relative_id_number"));
}

/* Makes sure every dataset index is there, whether or not the workspace was made with them. */
static void build_indexes(fw_ws *ws)
{
    fw_err err = {0};
    if (fw_indexes_build(ws, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(fw_indexes_missing(ws), 0);
}

/* Whether the plan of r scans ds_payments_person in full with no sort for the GROUP BY of that
 * scan's query: EXPLAIN QUERY PLAN lists "USE TEMP B-TREE FOR GROUP BY" beside the scan (same
 * parent) when the grouping is not in index order. *plan gets the plan text (caller frees). */
static bool streams_person_index(fw_ws *ws, const fw_rule *r, char **plan)
{
    char *sql = fw_printf("EXPLAIN QUERY PLAN %s", r->sql);
    fw_stmt *st = test_prepare(ws, sql);
    free(sql);
    enum { MAXP = 256 };
    int scan_parent[MAXP], sort_parent[MAXP], nscan = 0, nsort = 0;
    fw_buf text = {0};
    while (test_step(st) == 1) {
        int parent = (int)fw_stmt_int64(st, 1);
        const char *detail = fw_stmt_text(st, 3);
        fw_buf_printf(&text, "%d %d %s\n", (int)fw_stmt_int64(st, 0), parent, detail);
        if (strcmp(detail, "SCAN ds_payments USING COVERING INDEX ds_payments_person") == 0 && nscan < MAXP)
            scan_parent[nscan++] = parent;
        if (strcmp(detail, "USE TEMP B-TREE FOR GROUP BY") == 0 && nsort < MAXP)
            sort_parent[nsort++] = parent;
    }
    fw_stmt_finalize(st);
    *plan = fw_buf_steal(&text);
    bool streams = false;
    for (int i = 0; i < nscan; i++) {
        bool sorted = false;
        for (int k = 0; k < nsort; k++)
            sorted |= sort_parent[k] == scan_parent[i];
        streams |= !sorted;
    }
    return streams;
}

static void test_shipped_ledger_groupings_stream_the_index(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    build_indexes(ws);
    fw_ruleset set = {0};
    fw_diags d = {0};
    fw_err err = {0};
    fw_rule_sources src = {"rules", NULL, NULL};
    assert_int_equal(fw_rules_load(&src, &set, &d, &err), FW_OK);
    assert_int_equal(d.errors, 0);

    for (size_t i = 0; i < sizeof streaming_rules / sizeof *streaming_rules; i++) {
        fw_rule *r = fw_ruleset_find(&set, streaming_rules[i]);
        assert_non_null(r);
        char *plan;
        if (!streams_person_index(ws, r, &plan))
            fail_msg("%s does not stream ds_payments_person in GROUP BY order:\n%s", r->id, plan);
        free(plan);
    }

    /* rules check: no non-covering walk of payments or persons anywhere in the catalogue */
    fw_rules_check_sql(ws, &set, &d);
    if (d.warnings)
        fw_diags_print(&d, stderr);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);

    fw_diags_free(&d);
    fw_ruleset_free(&set);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_person_index_replaces_id_number_index),
        cmocka_unit_test(test_shipped_ledger_groupings_stream_the_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
