/* test_rules.c: rule files: line numbers, iniparser limits and traps, did-you-mean, duplicate ids,
 * parameters, and the read-only authorizer refusing every kind of write. */
#include "tests/unit/testutil.h"

#include <sys/stat.h>

#include "audit/rules.h"

/* Loads one INI text from a scratch file; returns the diagnostics printed into a string. */
static char *load_text(const char *ini, fw_ruleset *set, fw_diags *d, char **dir)
{
    *dir = test_tmpdir();
    char *path = test_write_file(*dir, "r.ini", ini, strlen(ini));
    fw_err err = {0};
    const char *paths[] = {path};
    assert_int_equal(fw_rules_load_paths(paths, 1, set, d, &err), FW_OK);
    free(path);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    fw_diags_print(d, f);
    fclose(f);
    return buf;
}

/* A complete, valid rule; %s slots: extra keys. */
#define GOOD_RULE(ID, EXTRA)                                                                            \
    "[" ID "]\n"                                                                                         \
    "name = 测试\nname_en = test\ncategory = deceased\nseverity = high\ndescription = d\nbasis = b\n"   \
    "datasets = payments\nversion = 1\n"                                                                 \
    "select.1 = p.id_number AS subject\nselect.2 = p.id_number\nselect.3 = p.amount\n"                  \
    "select.4 = p.pay_date AS first_date\nselect.5 = p.pay_date AS last_date\n"                         \
    "select.6 = printf('x') AS detail\nselect.7 = ev('payments', p.row_key) AS evidence\n"              \
    "from = payments p\n" EXTRA                                                                          \
    "example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10\n" \
    "expect.hit = 520102196001010022\n"                                                                  \
    "example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10\n"

static void test_good_rule_loads_and_assembles(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text("; comment\n" GOOD_RULE("dec-900", "where.2 = p.amount > 0\nwhere.1 = p.amount < 9\n"), &set,
                          &d, &dir);
    assert_string_equal(out, "");
    assert_int_equal(set.n, 1);
    fw_rule *r = &set.rules[0];
    assert_string_equal(r->id, "DEC-900"); /* upper-cased back */
    assert_int_equal(r->line, 2);
    /* where parts are ANDed in number order, not file order */
    assert_non_null(strstr(r->sql, "WHERE (p.amount < 9)\n  AND (p.amount > 0)"));
    assert_int_equal(fw_rule_line_at(r, (int)(strstr(r->sql, "p.amount > 0") - r->sql)), 19);
    assert_int_equal(strlen(r->text_sha256), 64);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

static void test_did_you_mean_and_line_numbers(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(GOOD_RULE("X-1", "wehre.2 = 1\nseverty = high\n"), &set, &d, &dir);
    assert_non_null(strstr(out, "r.ini:18: error: [X-1] unknown key 'wehre.2'; did you mean 'where.2'?"));
    assert_non_null(strstr(out, "r.ini:19: error: [X-1] unknown key 'severty'; did you mean 'severity'?"));
    assert_true(set.rules[0].broken);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

/* The PostgreSQL work memory hint: a size as PostgreSQL writes it is read in kB; a bare number, a
 * unit PostgreSQL does not know, below 64 kB or above 1 GB is an error naming the key and value. */
static void test_postgres_work_mem_key(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(GOOD_RULE("W-1", "postgres.work_mem = 16MB\n") GOOD_RULE("W-2", "postgres.work_mem = 512kB\n")
                              GOOD_RULE("W-3", "postgres.work_mem = 1GB\n") GOOD_RULE("W-4", "")
                                  GOOD_RULE("W-5", "postgres.work_mem = 16\n") GOOD_RULE("W-6", "postgres.work_mem = 16mb\n")
                                      GOOD_RULE("W-7", "postgres.work_mem = 2GB\n") GOOD_RULE("W-8", "postgres.work_mem = 32kB\n")
                                          GOOD_RULE("W-9", "postgres.work_mem = -1MB\n"),
                          &set, &d, &dir);
    assert_int_equal(set.n, 9);
    assert_int_equal(set.rules[0].pg_work_mem_kb, 16 * 1024);
    assert_int_equal(set.rules[1].pg_work_mem_kb, 512);
    assert_int_equal(set.rules[2].pg_work_mem_kb, 1024 * 1024);
    for (int i = 0; i < 4; i++)
        assert_false(set.rules[i].broken);
    assert_int_equal(set.rules[3].pg_work_mem_kb, 0);
    const char *bad[] = {"W-5] postgres.work_mem must be a size from 64kB to 1GB written as PostgreSQL does (16MB, 512kB), not '16'",
                         "W-6] postgres.work_mem must be a size", "W-7] postgres.work_mem must be a size",
                         "W-8] postgres.work_mem must be a size", "W-9] postgres.work_mem must be a size"};
    for (int i = 0; i < 5; i++) {
        assert_non_null(strstr(out, bad[i]));
        assert_true(set.rules[4 + i].broken);
    }
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

/* The PostgreSQL join hints: off and on are read, each into its own bit, anything else is an error
 * naming the key, and a near miss of a name is suggested. */
static void test_postgres_join_hint_keys(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(GOOD_RULE("N-1", "postgres.nested_loops = off\n") GOOD_RULE("N-2", "")
                              GOOD_RULE("N-3", "postgres.nested_loops = sometimes\n")
                                  GOOD_RULE("N-4", "postgres.nestedloops = off\n")
                                      GOOD_RULE("N-5", "postgres.hash_joins = off\npostgres.merge_joins = off\n")
                                          GOOD_RULE("N-6", "postgres.merge_joins = off\npostgres.nested_loops = on\n")
                                              GOOD_RULE("N-7", "postgres.hash_joins = maybe\n"),
                          &set, &d, &dir);
    assert_int_equal(set.n, 7);
    assert_true(set.rules[0].pg_joins_off == FW_PG_NO(NESTED_LOOPS) && !set.rules[0].broken);
    assert_int_equal(set.rules[1].pg_joins_off, 0);
    assert_non_null(strstr(out, "[N-3] postgres.nested_loops must be on or off, not 'sometimes'"));
    assert_true(set.rules[2].broken);
    assert_non_null(strstr(out, "[N-4] unknown key 'postgres.nestedloops'; did you mean 'postgres.nested_loops'?"));
    assert_int_equal(set.rules[4].pg_joins_off, FW_PG_NO(HASH_JOINS) | FW_PG_NO(MERGE_JOINS));
    assert_int_equal(set.rules[5].pg_joins_off, FW_PG_NO(MERGE_JOINS));
    assert_false(set.rules[4].broken || set.rules[5].broken);
    assert_non_null(strstr(out, "[N-7] postgres.hash_joins must be on or off, not 'maybe'"));
    assert_true(set.rules[6].broken);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

/* A rule file that is not UTF-8 (a GBK file from Notepad) is refused whole, at the line and column
 * of its first bad byte; valid UTF-8, also 4-byte characters, loads. */
static void test_rule_file_must_be_utf8(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } bad[] = {
        /* 测试 in GBK */
        {"[A-1]\nname_en = x\nname = \xb2\xe2\xca\xd4\n", "r.ini:3: error: not valid UTF-8 (byte 0xB2 at column 8)"},
        /* an overlong encoding of '/', a lone continuation byte, a surrogate, a cut-off character */
        {"[A-1]\nname = \xc0\xaf\n", "r.ini:2: error: not valid UTF-8 (byte 0xC0 at column 8)"},
        {"[A-1]\n\nname = a\x80\n", "r.ini:3: error: not valid UTF-8 (byte 0x80 at column 9)"},
        {"[A-1]\nname = \xed\xa0\x80\n", "r.ini:2: error: not valid UTF-8 (byte 0xED at column 8)"},
        {"[A-1]\nname = \xe6\xb5", "r.ini:2: error: not valid UTF-8 (byte 0xE6 at column 8)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fw_ruleset set;
        fw_diags d = {0};
        char *dir;
        char *out = load_text(bad[i].text, &set, &d, &dir);
        if (!strstr(out, bad[i].want))
            fail_msg("case %zu: want '%s' in:\n%s", i, bad[i].want, out);
        assert_non_null(strstr(out, "rule files must be saved as UTF-8"));
        assert_int_equal(d.errors, 1);
        assert_int_equal(set.n, 0);
        assert_int_equal(set.nrefused, 1);
        assert_true(fw_rules_file_refused(&set, set.files[0]));
        free(out);
        fw_ruleset_free(&set);
        fw_diags_free(&d);
        test_rmdir(dir);
        free(dir);
    }
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(GOOD_RULE("U-1", "false_positives = 𠀀 \xe6\xb5\x8b\n"), &set, &d, &dir);
    assert_int_equal(d.errors, 0);
    assert_int_equal(set.n, 1);
    assert_int_equal(set.nrefused, 0);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

/* Two ids each used twice in one file: both pairs reported, and the loader reads no rule it has
 * already freed while merging (the fuzzer found that; ASan shows it). */
static void test_two_duplicate_pairs_in_one_file(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(GOOD_RULE("D-1", "") GOOD_RULE("D-2", "") GOOD_RULE("D-1", "") GOOD_RULE("D-2", ""), &set,
                          &d, &dir);
    assert_non_null(strstr(out, "rule id D-1 is already used at"));
    assert_non_null(strstr(out, "rule id D-2 is already used at"));
    assert_int_equal(set.n, 2);
    assert_true(set.rules[0].broken && set.rules[1].broken);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

static void test_overlong_line_fails_file_with_line(void **state)
{
    (void)state;
    fw_buf ini = {0};
    fw_buf_puts(&ini, "[A-1]\nselect = 1\nfrom = payments\nwhere.1 = ");
    for (int i = 0; i < 1013; i++) /* "where.1 = " is 10 bytes: 1023 in all */
        fw_buf_putc(&ini, '1');
    fw_buf_putc(&ini, '\n');
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(ini.data, &set, &d, &dir);
    assert_non_null(strstr(out, "r.ini:4: error: line longer than 1022 bytes (1023); split the clause"));
    assert_int_equal(set.n, 0);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);

    /* exactly 1022 bytes is accepted by iniparser and by us */
    ini.len--;
    ini.data[ini.len - 1] = '\n';
    ini.data[ini.len] = '\0';
    out = load_text(ini.data, &set, &d, &dir);
    assert_null(strstr(out, "longer than"));
    assert_int_equal(set.n, 1);
    assert_non_null(strstr(set.rules[0].sql, "1111111111"));
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
    fw_buf_free(&ini);
}

static void test_continued_value_too_long(void **state)
{
    (void)state;
    fw_buf ini = {0};
    fw_buf_puts(&ini, "[A-1]\nname = x\nwhere.1 = ");
    for (int line = 0; line < 3; line++) {
        for (int i = 0; i < 400; i++)
            fw_buf_putc(&ini, 'a');
        fw_buf_puts(&ini, line < 2 ? " \\\n" : "\n");
    }
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text(ini.data, &set, &d, &dir);
    assert_non_null(strstr(out, "r.ini:3: error: value continued with \\ is longer than 1022 bytes"));
    assert_int_equal(set.n, 0);
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
    fw_buf_free(&ini);
}

static void test_quotes_semicolons_and_traps(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    /* a quoted value keeps ; and #; an unquoted ; inside a string literal and a value that starts
     * with a quote are both reported */
    char *out = load_text(GOOD_RULE("Q-1", "where.1 = \"p.name <> 'a;b#c'\"\nwhere.2 = p.name <> 'x;y'\n"
                                           "having = 'a' = 'a' AND 1\n"),
                          &set, &d, &dir);
    assert_non_null(strstr(set.rules[0].sql, "(p.name <> 'a;b#c')"));
    assert_non_null(strstr(out, "r.ini:19: error: the ';' inside a string literal of where.2 would end the value"));
    assert_non_null(strstr(out, "r.ini:20: error: the value of having starts with a quote"));
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

static void test_metadata_and_duplicates(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *dir;
    char *out = load_text("[B-1]\nname = x\ncategory = money\nseverity = urgent\nstatus = draft\nselect = 1\nfrom = payments\n"
                          "[b-1]\nname = y\n",
                          &set, &d, &dir);
    assert_non_null(strstr(out, "r.ini:8: error: rule [b-1] is already defined at line 1"));
    assert_non_null(strstr(out, "r.ini:3: error: [B-1] category 'money' is not one of: deceased identity"));
    assert_non_null(strstr(out, "r.ini:4: error: [B-1] severity 'urgent' is not one of: high medium low"));
    assert_non_null(strstr(out, "r.ini:5: error: [B-1] status 'draft' is not one of"));
    assert_non_null(strstr(out, "[B-1] missing name_en"));
    assert_non_null(strstr(out, "[B-1] missing version"));
    assert_non_null(strstr(out, "[B-1] missing examples"));
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(dir);
    free(dir);
}

static void test_duplicate_id_across_files_and_override(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *a = test_write_file(dir, "a.ini", GOOD_RULE("D-1", ""), strlen(GOOD_RULE("D-1", "")));
    char *b = test_write_file(dir, "b.ini", GOOD_RULE("D-1", ""), strlen(GOOD_RULE("D-1", "")));
    fw_ruleset set;
    fw_diags d = {0};
    fw_err err = {0};
    const char *paths[] = {dir};
    assert_int_equal(fw_rules_load_paths(paths, 1, &set, &d, &err), FW_OK);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.v[0].msg, "rule id D-1 is already used at"));
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    /* across sources a later one overrides: no error, the later file wins */
    char *sub = fw_printf("%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    free(test_write_file(sub, "c.ini", GOOD_RULE("D-1", "where = 1\n"), strlen(GOOD_RULE("D-1", "where = 1\n"))));
    fw_rule_sources src = {a, NULL, sub};
    assert_int_equal(fw_rules_load(&src, &set, &d, &err), FW_OK);
    assert_int_equal(d.errors, 0);
    assert_int_equal(set.n, 1);
    assert_non_null(strstr(set.rules[0].file, "c.ini"));
    assert_string_equal(set.rules[0].source, "--rules");
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    free(sub);
    free(a);
    free(b);
    test_rmdir(dir);
    free(dir);
}

/* Builds a bare rule around one SQL text (no file needed for the authorizer). */
static fw_rule bare_rule(const char *sql)
{
    fw_rule r;
    memset(&r, 0, sizeof r);
    r.id = "T-1";
    r.file = "t.ini";
    r.line = 1;
    r.query_line = 5;
    r.sql = (char *)sql;
    return r;
}

static void test_authorizer_refuses_writes(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    static const struct { const char *sql, *want; } cases[] = {
        {"INSERT INTO settings VALUES ('a', 'b')", "INSERT is refused"},
        {"UPDATE settings SET value = 'x'", "UPDATE is refused"},
        {"DELETE FROM hits", "DELETE is refused"},
        {"DROP TABLE hits", "refused"},
        {"CREATE TABLE t(x)", "refused"},
        {"CREATE TEMP VIEW v AS SELECT 1", "refused"},
        {"ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH is refused"},
        {"DETACH DATABASE temp", "DETACH is refused"},
        {"PRAGMA journal_mode = DELETE", "PRAGMA is refused"},
        {"BEGIN", "a transaction statement is refused"},
        {"SAVEPOINT s", "SAVEPOINT is refused"},
        {"SELECT load_extension('x')", "function load_extension() is not allowed"},
        {"SELECT 1 AS subject; DELETE FROM hits", "more than one statement"},
        {"WITH x AS (SELECT 1) INSERT INTO settings SELECT 'a', 'b' FROM x", "INSERT is refused"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fw_rule r = bare_rule(cases[i].sql);
        fw_rows *st = NULL;
        fw_err err = {0};
        int rc = fw_rule_prepare(ws, &r, &st, &err);
        if (rc != FW_EDATA || !strstr(err.msg, cases[i].want))
            fail_msg("%s: rc %d, '%s'", cases[i].sql, rc, err.msg);
        assert_null(st);
        assert_non_null(strstr(err.msg, "t.ini:"));
    }
    /* nothing was written, and the connection is usable for the engine's own writes afterwards */
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM settings WHERE key NOT IN ('workspace.id', 'trail.head')"), 0);
    fw_err err = {0};
    assert_int_equal(fw_ws_exec(ws, "INSERT INTO settings VALUES ('k', 'v')", &err), FW_OK);
    /* a plain read with a recursive CTE and window function is allowed */
    fw_rule ok = bare_rule("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
                           "SELECT i, row_number() OVER (ORDER BY i), month_add('2023-01', i) FROM n");
    fw_rows *st;
    assert_int_equal(fw_rule_prepare(ws, &ok, &st, &err), FW_OK);
    fw_rows_close(st);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_params_bound_override_and_unbound(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    fw_diags d = {0};
    char *rdir;
    char *out = load_text(GOOD_RULE("P-1", "param.max_amount = 100\nparam.unused = 1\nwhere = p.amount > :max_amount\n"
                                           "param.max_amount.type = integer 0..1000\nparam.unused.type = text\n")
                          GOOD_RULE("P-2", "where = p.amount > :nothing\n"),
                          &set, &d, &rdir);
    free(out);
    fw_rules_check_sql(ws, &set, &d);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    fw_diags_print(&d, f);
    fclose(f);
    assert_non_null(strstr(buf, "r.ini:19: warning: [P-1] param.unused is never used"));
    assert_non_null(strstr(buf, "r.ini:43: error: [P-2] :nothing is not bound: no 'param.nothing = DEFAULT'"));
    assert_int_equal(d.errors, 1);
    free(buf);

    fw_rule *r = fw_ruleset_find(&set, "p-1");
    assert_non_null(r);
    fw_rule bound = bare_rule("SELECT :max_amount + 0");
    bound.params = r->params;
    bound.nparams = r->nparams;
    fw_rows *st;
    fw_err err = {0};
    assert_int_equal(fw_rule_prepare(ws, &bound, &st, &err), FW_OK);
    assert_int_equal(fw_rule_bind_params(ws, &bound, st, &err), FW_OK);
    assert_int_equal(fw_rows_step(st, &err), 1);
    assert_int_equal(fw_rows_int(st, 0), 100); /* bound as a number, from the default */
    fw_rows_close(st);
    assert_int_equal(fw_ws_exec(ws, "INSERT INTO rule_settings VALUES ('T-1', 'param.max_amount', '250')", &err), FW_OK);
    assert_int_equal(fw_rule_prepare(ws, &bound, &st, &err), FW_OK);
    assert_int_equal(fw_rule_bind_params(ws, &bound, st, &err), FW_OK);
    assert_int_equal(fw_rows_step(st, &err), 1);
    assert_int_equal(fw_rows_int(st, 0), 250); /* the workspace override wins */
    fw_rows_close(st);
    /* an override outside the declared range (written before the range was declared) fails the rule */
    assert_int_equal(fw_ws_exec(ws, "UPDATE rule_settings SET value = '4294967295'", &err), FW_OK);
    assert_int_equal(fw_rule_prepare(ws, &bound, &st, &err), FW_OK);
    assert_int_equal(fw_rule_bind_params(ws, &bound, st, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "param.max_amount must be an integer from 0 to 1000, not '4294967295' "
                                    "(a workspace override)"));
    fw_rows_close(st);
    fw_rule unbound = bare_rule("SELECT :other");
    assert_int_equal(fw_rule_prepare(ws, &unbound, &st, &err), FW_OK);
    assert_int_equal(fw_rule_bind_params(ws, &unbound, st, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, ":other is not a declared parameter"));
    fw_rows_close(st);

    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(rdir);
    free(rdir);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* Every parameter declares its type and range; the declarations and the defaults are checked. */
static void test_param_declarations_checked(void **state)
{
    (void)state;
    fw_ruleset set;
    fw_diags d = {0};
    char *rdir;
    char *out = load_text(GOOD_RULE("T-1", "param.a = 5\nparam.a.type = integer 0..10\n"
                                           "param.b = 0.5\nparam.b.type = number 0..1\n"
                                           "param.c = x\nparam.c.type = text\n"
                                           "param.d.type = integer -5..-1\nparam.d = -3\n")
                          GOOD_RULE("T-2", "param.none = 1\n"
                                           "param.ghost.type = integer 0..1\n"
                                           "param.e = 1\nparam.e.type = intger 0..1\n"
                                           "param.f = 1\nparam.f.type = integer 5..1\n"
                                           "param.g = 11\nparam.g.type = integer 0..10\n"
                                           "param.h = 1\nparam.h.type = integer 0..1.5\n"
                                           "param.i = 2\nparam.i.type = number 0..1\n"
                                           "param.j = 1\nparam.j.type = text 0..1\n"),
                          &set, &d, &rdir);
    const fw_rule *t1 = fw_ruleset_find(&set, "T-1"), *t2 = fw_ruleset_find(&set, "T-2");
    assert_false(t1->broken);
    assert_true(t2->broken);
    const fw_rule_param *a = fw_rule_find_param(t1, "a"), *dd = fw_rule_find_param(t1, "d");
    assert_int_equal(a->type, FW_PARAM_INTEGER);
    assert_int_equal(a->imin, 0);
    assert_int_equal(a->imax, 10);
    assert_int_equal(dd->imin, -5);
    assert_int_equal(fw_rule_find_param(t1, "b")->type, FW_PARAM_NUMBER);
    assert_int_equal(fw_rule_find_param(t1, "c")->type, FW_PARAM_TEXT);
    const char *want[] = {
        "r.ini:46: error: [T-2] param.none has no declared type; add 'param.none.type = integer MIN..MAX'",
        "r.ini:47: error: [T-2] param.ghost.type declares a parameter the rule does not have",
        "r.ini:49: error: [T-2] param.e.type = 'intger 0..1' is not a type; write 'integer MIN..MAX'",
        "r.ini:51: error: [T-2] param.f.type = 'integer 5..1' is not a type",
        "r.ini:52: error: [T-2] the default of param.g must be an integer from 0 to 10, not '11'",
        "r.ini:55: error: [T-2] param.h.type = 'integer 0..1.5' is not a type",
        "r.ini:56: error: [T-2] the default of param.i must be a number from 0 to 1, not '2'",
        "r.ini:59: error: [T-2] param.j.type = 'text 0..1' is not a type",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(out, want[i]))
            fail_msg("missing '%s' in:\n%s", want[i], out);
    assert_int_equal(d.errors, (int)(sizeof want / sizeof *want));
    free(out);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(rdir);
    free(rdir);
}

/* Values at and around a declared range, and values no 32-bit or lenient parse should let through. */
static void test_param_values_at_the_boundaries(void **state)
{
    (void)state;
    fw_rule_param p = {.name = "n", .type = FW_PARAM_INTEGER, .imin = 0, .imax = 120};
    fw_err err = {0};
    const char *good[] = {"0", "1", "120", "-0"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_int_equal(fw_rule_param_check(&p, good[i], &err), FW_OK);
    const char *bad[] = {"4294967295", "-1", "121", "abc", "", "1.0", " 5", "5 ", "+5", "0x10", "1e2",
                         "9223372036854775807", "9223372036854775808", "-9223372036854775809", "12abc"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(fw_rule_param_check(&p, bad[i], &err), FW_EUSAGE);
        char *msg = fw_printf("param.n must be an integer from 0 to 120, not '%s'", bad[i]);
        assert_string_equal(err.msg, msg);
        free(msg);
    }
    fw_rule_param whole = {.name = "w", .type = FW_PARAM_INTEGER, .imin = LLONG_MIN, .imax = LLONG_MAX};
    assert_int_equal(fw_rule_param_check(&whole, "9223372036854775807", &err), FW_OK);
    assert_int_equal(fw_rule_param_check(&whole, "-9223372036854775808", &err), FW_OK);
    assert_int_equal(fw_rule_param_check(&whole, "9223372036854775808", &err), FW_EUSAGE);
    fw_rule_param share = {.name = "s", .type = FW_PARAM_NUMBER, .min = 0, .max = 1};
    const char *good_n[] = {"0", "1", "0.2", "1e-3", ".5"};
    for (size_t i = 0; i < sizeof good_n / sizeof *good_n; i++)
        assert_int_equal(fw_rule_param_check(&share, good_n[i], &err), FW_OK);
    const char *bad_n[] = {"-0.001", "1.0000001", "nan", "inf", "0x1", "abc", "", "1e999", "--1"};
    for (size_t i = 0; i < sizeof bad_n / sizeof *bad_n; i++)
        assert_int_equal(fw_rule_param_check(&share, bad_n[i], &err), FW_EUSAGE);
    assert_non_null(strstr(err.msg, "param.s must be a number from 0 to 1, not '--1'"));
    fw_rule_param text = {.name = "t", .type = FW_PARAM_TEXT};
    assert_int_equal(fw_rule_param_check(&text, "anything", &err), FW_OK);
}

static void test_sql_error_line_and_missing_columns(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    fw_diags d = {0};
    char *rdir;
    char *out = load_text(GOOD_RULE("S-1", "where.1 = p.amount > 0\nwhere.2 = p.no_such > 1\n")
                          "[S-2]\nname = x\nselect = p.id_number AS subject\nfrom = payments p\n",
                          &set, &d, &rdir);
    free(out);
    fw_rules_check_sql(ws, &set, &d);
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    fw_diags_print(&d, f);
    fclose(f);
    /* SQLite's message, on the line of the clause that holds the error */
    assert_non_null(strstr(buf, "r.ini:19: error: [S-1] SQL error: no such column: p.no_such"));
    assert_non_null(strstr(buf, "[S-2] the query has no output column 'amount'"));
    free(buf);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(rdir);
    free(rdir);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_plan_warning_for_inner_scan(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_ruleset set;
    fw_diags d = {0};
    char *rdir;
    /* deaths joined on a non-indexed inequality: a full scan of deaths per payment */
    char *out = load_text(GOOD_RULE("W-1", "join = JOIN deaths x ON x.death_date < p.pay_date\n"), &set, &d, &rdir);
    free(out);
    fw_rules_check_sql(ws, &set, &d);
    assert_int_equal(d.errors, 0);
    assert_true(d.warnings >= 1);
    bool found = false;
    for (int i = 0; i < d.n; i++)
        found |= strstr(d.v[i].msg, "scans all of") != NULL;
    assert_true(found);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    test_rmdir(rdir);
    free(rdir);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* The one "did you mean" of audit/util.h: swapped neighbours, a missing letter, a wrong case. */
static void test_closest(void **state)
{
    (void)state;
    const char *const keys[] = {"where", "with", "severity", "select", NULL};
    assert_string_equal(fw_closest("wehre", keys), "where");
    assert_string_equal(fw_closest("severty", keys), "severity");
    assert_string_equal(fw_closest("SELECT", keys), "select");
    assert_null(fw_closest("", keys));
    assert_null(fw_closest("category", keys));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_rule_loads_and_assembles),
        cmocka_unit_test(test_did_you_mean_and_line_numbers),
        cmocka_unit_test(test_postgres_join_hint_keys),
        cmocka_unit_test(test_postgres_work_mem_key),
        cmocka_unit_test(test_rule_file_must_be_utf8),
        cmocka_unit_test(test_two_duplicate_pairs_in_one_file),
        cmocka_unit_test(test_overlong_line_fails_file_with_line),
        cmocka_unit_test(test_continued_value_too_long),
        cmocka_unit_test(test_quotes_semicolons_and_traps),
        cmocka_unit_test(test_metadata_and_duplicates),
        cmocka_unit_test(test_duplicate_id_across_files_and_override),
        cmocka_unit_test(test_authorizer_refuses_writes),
        cmocka_unit_test(test_params_bound_override_and_unbound),
        cmocka_unit_test(test_param_declarations_checked),
        cmocka_unit_test(test_param_values_at_the_boundaries),
        cmocka_unit_test(test_sql_error_line_and_missing_columns),
        cmocka_unit_test(test_plan_warning_for_inner_scan),
        cmocka_unit_test(test_closest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
