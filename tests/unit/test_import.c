/* test_import.c: the import pipeline end to end on small files: every way a file or a row can be
 * bad (with the exact error and the proof that nothing was half-loaded), normalization on the way
 * in (15-digit IDs, money forms, GBK), max-rejects, duplicate imports and --replace, program
 * mapping, a user profile, cancelling through the progress callback, the header preview and the
 * record-at-a-time session used by `rules test`. */
#include <iconv.h>
#include <limits.h>
#include <sys/stat.h>

#include "audit/import.h"
#include "tests/unit/testutil.h"

/* A fresh workspace and scratch dir per test. */
typedef struct fx {
    char *dir;
    fw_ws *ws;
    fw_err err;
    fw_import_result res;
} fx;

static int setup(void **state)
{
    fx *f = fw_calloc(1, sizeof *f);
    f->ws = test_open_ws(&f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    fw_import_result_free(&f->res);
    fw_ws_close(f->ws);
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* Writes content as dir/name and imports it with the given options. */
static int import_opts(fx *f, const char *dataset, const char *name, const char *content, size_t n,
                       fw_import_opts o)
{
    char *path = test_write_file(f->dir, name, content, n);
    o.dataset = dataset;
    o.path = path;
    fw_import_result_free(&f->res);
    fw_err_clear(&f->err);
    int rc = fw_import_file(f->ws, &o, &f->res, &f->err);
    free(path);
    return rc;
}

static int import_str(fx *f, const char *dataset, const char *content)
{
    return import_opts(f, dataset, "in.csv", content, strlen(content), (fw_import_opts){.max_rejects = -1});
}

static long long count(fx *f, const char *sql)
{
    return fw_ws_int(f->ws, sql);
}

static void assert_msg(const fx *f, const char *needle)
{
    if (!strstr(f->err.msg, needle))
        fail_msg("error '%s' lacks '%s'", f->err.msg, needle);
}

/* Nothing of a failed file: no data rows, no import record, no trail record. */
static void assert_nothing_loaded(fx *f, const char *table)
{
    char *sql = fw_printf("SELECT count(*) FROM %s", table);
    assert_int_equal(count(f, sql), 0);
    free(sql);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM trail WHERE action <> 'trail.start'"), 0);
}

#define PAY_HEADER "发放流水号,身份证号码,姓名,项目名称,发放金额,发放日期,所属期\n"

static void test_good_file_and_record(void **state)
{
    fx *f = *state;
    int rc = import_str(f, "payments",
                        PAY_HEADER "P1,11010519491231002X,张三,城乡低保,360,2023-05-10,2023-05\n"
                                   ",520102195503120016,李四,高龄补贴,100,2023/6/1,\n");
    assert_int_equal(rc, FW_OK);
    assert_int_equal(f->res.rows_read, 2);
    assert_int_equal(f->res.rows_loaded, 2);
    assert_int_equal(f->res.rows_rejected, 0);
    assert_string_equal(f->res.encoding, "utf-8");
    assert_string_equal(f->res.min_date, "2023-05-10");
    assert_string_equal(f->res.max_date, "2023-06-01");
    assert_int_equal(strlen(f->res.sha256), 64);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE row_key = 'P1' AND line = 2 AND "
                              "program = '低保' AND program_raw = '城乡低保' AND amount = 36000 AND period = '2023-05'"),
                     1);
    /* No payment_id: the key is 16 hex digits of a hash; no period: stored NULL. */
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE line = 3 AND length(row_key) = 16 AND "
                              "period IS NULL AND pay_date = '2023-06-01'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE status = 'loaded' AND rows_loaded = 2 AND "
                              "user = 'tester' AND encoding = 'utf-8' AND length(sha256) = 64"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM trail WHERE action = 'import' AND object = 'import:1'"), 1);
    assert_int_equal(count(f, "SELECT means_tested FROM programs WHERE name = '低保'"), 1);
}

static void test_ragged_rows(void **state)
{
    fx *f = *state;
    assert_int_equal(import_str(f, "deaths", "id_number,death_date\n11010519491231002X,2023-01-01\n"
                                             "11010519491231002X,2023-01-02,extra\n520102195503120016\n"),
                     FW_OK);
    assert_int_equal(f->res.rows_rejected, 2);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 3 AND col IS NULL AND reason = "
                              "'row has 3 fields but the header has 2; check for an unquoted comma or a missing field'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 4 AND reason LIKE 'row has 1 fields but the header has 2%'"), 1);
}

static void test_unknown_and_duplicate_headers(void **state)
{
    fx *f = *state;
    assert_int_equal(import_str(f, "deaths", "ID_NUMBER ,死亡日期,备注\n11010519491231002X,2023-01-01,x\n"), FW_OK);
    assert_int_equal(f->res.nunknown, 1);
    assert_string_equal(f->res.unknown_headers[0], "备注");
    assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE message = 'unknown headers ignored: 备注'"), 1);
    teardown(state);
    setup(state);
    f = *state;
    assert_int_equal(import_str(f, "deaths", "身份证号,死亡日期,公民身份号码\n11010519491231002X,2023-01-01,x\n"),
                     FW_EDATA);
    assert_msg(f, "in.csv: columns 1 (身份证号) and 3 (公民身份号码) both mean id_number; delete or rename one");
    assert_nothing_loaded(f, "ds_deaths");
}

static void test_missing_required_and_empty(void **state)
{
    fx *f = *state;
    assert_int_equal(import_str(f, "payments", "身份证号,姓名,项目名称,发放日期\n11010519491231002X,a,低保,2023-01-01\n"),
                     FW_EDATA);
    assert_msg(f, "in.csv: required column missing for payments: amount (发放金额); add the column");
    assert_nothing_loaded(f, "ds_payments");
    assert_int_equal(import_str(f, "payments", ""), FW_EDATA);
    assert_msg(f, "in.csv: file is empty");
    assert_nothing_loaded(f, "ds_payments");
    assert_int_equal(import_str(f, "deaths", "id_number,death_date\n"), FW_EDATA);
    assert_msg(f, "in.csv: the file has a header row but no data rows; nothing was loaded");
    assert_nothing_loaded(f, "ds_deaths");
    fw_import_opts o = {.dataset = "deaths", .path = "/nonexistent/dir/x.csv", .max_rejects = -1};
    assert_int_equal(fw_import_file(f->ws, &o, &f->res, &f->err), FW_EDATA);
    assert_msg(f, "/nonexistent/dir/x.csv: cannot open");
    o.dataset = "nosuch";
    assert_int_equal(fw_import_file(f->ws, &o, &f->res, &f->err), FW_EUSAGE);
    assert_msg(f, "unknown dataset 'nosuch'; use one of: persons, payments");
    assert_nothing_loaded(f, "ds_deaths");
}

static void test_invalid_values(void **state)
{
    fx *f = *state;
    assert_int_equal(import_str(f, "payments", PAY_HEADER
                                "P1,11010519491231002Y,张三,低保,360,2023-05-10,\n"
                                "P2,11010519491231002X,张三,低保,360,2023-02-30,\n"
                                "P3,11010519491231002X,张三,低保,abc,2023-02-01,\n"
                                "P4,11010519491231002X,,低保,1,2023-02-01,\n"
                                "P5,11010519491231002X,张三,低保,1,2023-02-01,\n"),
                     FW_OK);
    assert_int_equal(f->res.rows_loaded, 1);
    assert_int_equal(f->res.rows_rejected, 4);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 2 AND col = 2 AND column_name = 'id_number' "
                              "AND value = '11010519491231002Y'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 3 AND col = 6 AND column_name = 'pay_date' "
                              "AND value = '2023-02-30' AND reason LIKE '%2023-02-30%'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 4 AND col = 5 AND column_name = 'amount'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 5 AND col = 3 AND reason = "
                              "'required column name is empty; fill it in or drop the row'"),
                     1);
    assert_int_equal(count(f, "SELECT line FROM ds_payments"), 6);
}

static void test_garbage_bytes_and_huge_field(void **state)
{
    fx *f = *state;
    const char garbage[] = "id_number,name,death_date\n11010519491231002X,\xff\xfe\x80,2023-01-01\n"
                           "520102195503120016,ok,2023-01-02\n";
    assert_int_equal(import_opts(f, "deaths", "g.csv", garbage, sizeof garbage - 1,
                                 (fw_import_opts){.encoding = FW_ENC_UTF8, .max_rejects = -1}),
                     FW_OK);
    assert_int_equal(f->res.rows_loaded, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 2 AND col = 2 AND column_name = 'name'"), 1);
    /* A 10 MB cell: that row is rejected, the rest loads, memory stays bounded by the record. */
    size_t big = 10u << 20;
    fw_buf b = {0};
    fw_buf_puts(&b, "id_number,name,death_date\n11010519491231002X,");
    char *huge = fw_malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = '\0';
    fw_buf_add(&b, huge, big);
    fw_buf_puts(&b, ",2023-01-01\n520102195503120016,ok,2023-01-03\n"); /* not a repeat of g.csv's row */
    free(huge);
    assert_int_equal(import_opts(f, "deaths", "big.csv", b.data, b.len, (fw_import_opts){.max_rejects = -1}), FW_OK);
    fw_buf_free(&b);
    assert_int_equal(f->res.rows_loaded, 1);
    assert_int_equal(f->res.rows_rejected, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line = 2 AND column_name = 'name' AND "
                              "reason = 'value is 10485760 bytes long; at most 4096 are accepted' AND length(value) < 300"),
                     1);
}

/* Converts UTF-8 text to GB18030 (caller frees). */
static char *to_gb18030(const char *utf8, size_t *outlen)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = strlen(utf8), cap = inleft * 2 + 16, outleft = cap;
    char *out = fw_malloc(cap), *in = (char *)utf8, *o = out;
    assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    iconv_close(cd);
    *outlen = cap - outleft;
    return out;
}

static void test_gbk_and_normal_forms(void **state)
{
    fx *f = *state;
    size_t n;
    char *gbk = to_gb18030("公民身份号码,姓名,项目名称,发放金额,发放日期\n"
                           "520102550312001,张三,农村低保,\"1,234.50\",2023年1月5日\n"
                           "520102195503120016,张三,农村低保,¥1234.5,20230205\n"
                           "11010519491231002x,李四,临时救助,1234.50元,2023.3.5\n"
                           "11010519491231002X,李四,临时救助,-20,2023-03-06\n",
                           &n);
    assert_int_equal(import_opts(f, "payments", "gbk.csv", gbk, n, (fw_import_opts){.max_rejects = -1}), FW_OK);
    free(gbk);
    assert_string_equal(f->res.encoding, "gb18030");
    assert_int_equal(f->res.rows_loaded, 4);
    assert_int_equal(f->res.rows_flagged, 2);
    /* The 15-digit ID is stored as its 18-digit form, so both rows are one person. */
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE id_number = '520102195503120016' AND name = '张三'"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE id_number = '11010519491231002X'"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE amount = 123450"), 3);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE amount = -2000"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE pay_date = '2023-01-05'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM flags WHERE line = 2 AND column_name = 'id_number' AND value = '520102550312001'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM flags WHERE line = 5 AND column_name = 'amount'"), 1);
}

/* n rows of deaths, the given ones with an invalid ID. */
static char *deaths_file(int n, int bad_every)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "id_number,death_date\n");
    for (int i = 0; i < n; i++)
        fw_buf_puts(&b, bad_every && i % bad_every == 0 ? "123,2023-01-01\n" : "11010519491231002X,2023-01-01\n");
    return fw_buf_steal(&b);
}

static void test_max_rejects(void **state)
{
    fx *f = *state;
    char *file = deaths_file(100, 5); /* 20 bad of 100: above the default limit of 10 */
    assert_int_equal(import_str(f, "deaths", file), FW_EDATA);
    assert_msg(f, "in.csv: 20 of 100 rows rejected, more than the limit of 10; nothing was loaded");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE status = 'failed' AND rows_rejected = 20"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE import_id = (SELECT id FROM imports)"), 20);
    assert_int_equal(count(f, "SELECT count(*) FROM trail WHERE action = 'import.failed'"), 1);
    assert_true(f->res.import_id > 0);
    /* Raising the limit loads the good rows. */
    assert_int_equal(import_opts(f, "deaths", "in.csv", file, strlen(file), (fw_import_opts){.max_rejects = 20}), FW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 80);
    /* An explicit limit stops reading early; the rejects seen are kept. */
    assert_int_equal(import_opts(f, "deaths", "in2.csv", file, strlen(file), (fw_import_opts){.max_rejects = 0}),
                     FW_EDATA);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 80);
    assert_int_equal(count(f, "SELECT rows_rejected FROM imports ORDER BY id DESC LIMIT 1"), 1);
    free(file);
}

static void test_duplicate_and_replace(void **state)
{
    fx *f = *state;
    const char *a = "id_number,death_date\n11010519491231002X,2023-01-01\n520102195503120016,2023-01-02\n";
    assert_int_equal(import_str(f, "deaths", a), FW_OK);
    assert_int_equal(import_str(f, "deaths", a), FW_ECONFLICT);
    assert_msg(f, "were already imported into deaths as import 1");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 1);
    /* The same bytes into another dataset are fine. */
    assert_int_equal(import_str(f, "prisoners", "id_number,start_date\n11010519491231002X,2023-01-01\n"), FW_OK);
    const char *b = "id_number,death_date\n11010519491231002X,2023-01-01\n";
    assert_int_equal(import_opts(f, "deaths", "b.csv", b, strlen(b), (fw_import_opts){.replace = true, .max_rejects = -1}),
                     FW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE dataset = 'deaths' AND status = 'replaced'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE status = 'loaded' AND mode = 'replace'"), 1);
    /* After the replace the first file is no longer the same bytes as a loaded one, but its first
     * row repeats the loaded row: an append refuses it, a correction replaces that row. */
    assert_int_equal(import_str(f, "deaths", a), FW_ECONFLICT);
    assert_msg(f, "1 row repeats rows already loaded into deaths: line 2 (an identical row; loaded at line 2 of "
                  "import 3); nothing was loaded");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 1);
    assert_int_equal(import_opts(f, "deaths", "in.csv", a, strlen(a),
                                 (fw_import_opts){.correct = true, .max_rejects = -1}),
                     FW_OK);
    assert_int_equal(f->res.rows_repeating, 1);
    assert_int_equal(f->res.rows_replaced, 1);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths WHERE import_id = 3"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM trail WHERE action = 'import.correct' AND object = 'import:4' "
                              "AND before LIKE '%\"imports\":[{\"import\":3,\"rows\":1}]%'"),
                     1);
    /* A correction that repeats nothing is a plain append; --replace with --correct is refused. */
    const char *c = "id_number,death_date\n520103197502023455,2023-02-01\n";
    assert_int_equal(import_opts(f, "deaths", "c.csv", c, strlen(c), (fw_import_opts){.correct = true, .max_rejects = -1}),
                     FW_OK);
    assert_int_equal(f->res.rows_replaced, 0);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 3);
    assert_int_equal(import_opts(f, "deaths", "c.csv", c, strlen(c),
                                 (fw_import_opts){.correct = true, .replace = true, .max_rejects = -1}),
                     FW_EUSAGE);
}

static void test_programs_listing(void **state)
{
    fx *f = *state;
    assert_int_equal(import_str(f, "payments", PAY_HEADER "P1,11010519491231002X,张三,城乡低保,360,2023-05-10,\n"
                                                          "P2,11010519491231002X,张三,奇怪项目,10,2023-05-10,\n"
                                                          "P3,11010519491231002X,张三,奇怪项目,20,2023-05-10,\n"),
                     FW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE program = '奇怪项目' AND program_raw = '奇怪项目'"), 2);
    fw_rows *st;
    assert_int_equal(fw_import_programs_stmt(f->ws, true, &st, &f->err), FW_OK);
    assert_int_equal(fw_rows_step(st, &f->err), 1);
    assert_string_equal(fw_rows_text(st, 0), "奇怪项目");
    assert_true(fw_rows_is_null(st, 1));
    assert_int_equal(fw_rows_int(st, 4), 2);
    assert_int_equal(fw_rows_int(st, 5), 3000);
    assert_int_equal(fw_rows_step(st, &f->err), 0);
    fw_rows_close(st);
    assert_int_equal(fw_import_programs_stmt(f->ws, false, &st, &f->err), FW_OK);
    int rows = 0;
    while (fw_rows_step(st, &f->err) == 1)
        rows++;
    fw_rows_close(st);
    assert_int_equal(rows, 2);
}

static void test_user_profile(void **state)
{
    fx *f = *state;
    char *cfg = fw_printf("%s/cfg", f->dir);
    char *sub = fw_printf("%s/fundwatch", cfg);
    assert_int_equal(mkdir(cfg, 0700), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    const char ini[] = "[aliases]\nid_number = 身份证件号\n[programs]\n低保 = 奇怪项目\n";
    free(test_write_file(sub, "import.ini", ini, sizeof ini - 1));
    char *old = getenv("XDG_CONFIG_HOME") ? fw_strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    setenv("XDG_CONFIG_HOME", cfg, 1);
    int rc = import_str(f, "payments", "身份证件号,姓名,项目名称,发放金额,发放日期\n11010519491231002X,张三,奇怪项目,1,2023-01-01\n");
    if (old)
        setenv("XDG_CONFIG_HOME", old, 1);
    else
        unsetenv("XDG_CONFIG_HOME");
    free(old);
    assert_int_equal(rc, FW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE program = '低保' AND program_raw = '奇怪项目'"), 1);
    free(sub);
    free(cfg);
}

static int cancel_at_second_call(void *ctx, long long rows, long long done, long long total)
{
    int *calls = ctx;
    assert_true(rows > 0 && done > 0 && done <= total);
    return ++*calls >= 2;
}

static void test_cancel_leaves_workspace_as_before(void **state)
{
    fx *f = *state;
    assert_int_equal(import_str(f, "prisoners", "id_number,start_date\n11010519491231002X,2023-01-01\n"), FW_OK);
    char *file = deaths_file(3 * FW_IMPORT_PROGRESS_ROWS, 0);
    int calls = 0;
    int rc = import_opts(f, "deaths", "in.csv", file, strlen(file),
                         (fw_import_opts){.replace = true, .max_rejects = -1, .progress = cancel_at_second_call, .progress_ctx = &calls});
    free(file);
    assert_int_equal(rc, FW_EINTR);
    assert_int_equal(calls, 2);
    assert_msg(f, "import cancelled at line");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM trail WHERE action <> 'trail.start'"), 1);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_prisoners"), 1);
}

/* Sets the interrupt flag at the end of reading (as Ctrl-C would arrive then), and lets the
 * import go on: only the store's watch of the flag can stop what follows. */
static volatile sig_atomic_t stop_flag;
static int interrupt_at_end(void *ctx, long long rows, long long done, long long total)
{
    (void)ctx;
    (void)rows;
    if (done == total)
        stop_flag = 1;
    return 0;
}

/* The interrupt flag stops a statement that runs after the rows are read (here the repeat check
 * over thousands of rows): the import is rolled back as for a cancel between rows. */
static void test_interrupt_stops_a_running_statement(void **state)
{
    fx *f = *state;
    char *file = deaths_file(3 * FW_IMPORT_PROGRESS_ROWS, 0);
    assert_int_equal(import_str(f, "deaths", file), FW_OK);
    file[strlen(file) - 1] = ' '; /* other bytes, the same rows: the repeat check has work to do */
    stop_flag = 0;
    int rc = import_opts(f, "deaths", "again.csv", file, strlen(file),
                         (fw_import_opts){.max_rejects = -1, .progress = interrupt_at_end, .interrupt = &stop_flag});
    free(file);
    assert_int_equal(stop_flag, 1);
    assert_int_equal(rc, FW_EINTR);
    assert_msg(f, "again.csv: import cancelled; nothing was loaded");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths"), 3 * FW_IMPORT_PROGRESS_ROWS);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 1);
    /* The watch ended with the import: the next statement on the workspace runs. */
    assert_int_equal(count(f, "SELECT count(*) FROM ds_deaths WHERE line > 0"), 3 * FW_IMPORT_PROGRESS_ROWS);
}

/* Returns "stop" only once reading is over: as Esc pressed while the screen shows the full bar. */
static int stop_after_reading(void *ctx, long long rows, long long done, long long total)
{
    int *ends = ctx;
    (void)rows;
    return done == total && ++*ends >= 2;
}

/* After the last row the progress callback is still called (the TUI repaints and reads Esc), and
 * its stop is honoured: nothing is committed. */
static void test_stop_after_reading_loads_nothing(void **state)
{
    fx *f = *state;
    char *file = deaths_file(3 * FW_IMPORT_PROGRESS_ROWS, 0);
    int ends = 0;
    int rc = import_opts(f, "deaths", "in.csv", file, strlen(file),
                         (fw_import_opts){.max_rejects = -1, .progress = stop_after_reading, .progress_ctx = &ends});
    free(file);
    assert_int_equal(rc, FW_EINTR);
    assert_true(ends >= 2);
    assert_msg(f, "in.csv: import cancelled; nothing was loaded");
    assert_nothing_loaded(f, "ds_deaths");
}

/* A file import parses on a reader thread and inserts on the caller's, in batches of a few hundred
 * rows: a file many batches long must come out exactly as written, in order, with each reject,
 * flag and blank line on its own line number, and an error near the end must still load nothing. */
static void test_many_batches_keep_order_and_lines(void **state)
{
    fx *f = *state;
    enum { ROWS = 5000 };
    fw_buf b = {0};
    fw_buf_puts(&b, PAY_HEADER);
    for (int i = 0; i < ROWS; i++) {
        int line = i + 2;
        if (line == 1500)
            fw_buf_puts(&b, ",,, ,,,\n"); /* blank cells only: skipped, counted */
        else if (line % 1000 == 777)
            fw_buf_printf(&b, "P%d,11010519491231002X,张三,城乡低保,abc,2023-05-10,\n", line);
        else if (line == 4321)
            fw_buf_printf(&b, "P%d,110105491231002,张三,城乡低保,-1.5,2023-05-10,\n", line);
        else
            fw_buf_printf(&b, "P%d,11010519491231002X,张三,城乡低保,%d.%02d,2023-05-10,\n", line, line, line % 100);
    }
    assert_int_equal(import_opts(f, "payments", "big.csv", b.data, b.len, (fw_import_opts){.max_rejects = -1}), FW_OK);
    assert_int_equal(f->res.rows_blank, 1);
    assert_int_equal(f->res.rows_read, ROWS - 1);
    assert_int_equal(f->res.rows_rejected, 5); /* lines 777, 1777, 2777, 3777, 4777 */
    assert_int_equal(f->res.rows_loaded, ROWS - 1 - 5);
    assert_int_equal(f->res.rows_flagged, 1);
    /* Every row's line, key and amount match what was written there, and rowids follow the file. */
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE row_key <> 'P' || line OR "
                              "amount <> line * 100 + line % 100 AND line <> 4321"),
                     0);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments a JOIN ds_payments b ON b.rowid = a.rowid + 1 "
                              "WHERE b.line <= a.line"),
                     0);
    assert_int_equal(count(f, "SELECT count(*) FROM rejects WHERE line % 1000 = 777 AND col = 5 AND "
                              "column_name = 'amount' AND value = 'abc'"),
                     5);
    assert_int_equal(count(f, "SELECT count(*) FROM flags WHERE line = 4321"), 2); /* 15-digit ID, reversal */
    assert_int_equal(count(f, "SELECT amount FROM ds_payments WHERE line = 4321"), -150);
    /* An unterminated quote on the last line, batches after the first rejects: nothing loaded. */
    fw_buf_puts(&b, "P9,\"11010519491231002X,张三\n");
    assert_int_equal(import_opts(f, "payments", "bad.csv", b.data, b.len, (fw_import_opts){.replace = true, .max_rejects = -1}),
                     FW_EDATA);
    assert_msg(f, "bad.csv:5002: a quoted field in the record starting on this line is never closed");
    assert_msg(f, "nothing was loaded");
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments"), ROWS - 1 - 5);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 1);
    fw_buf_free(&b);
}

static void test_preview(void **state)
{
    fx *f = *state;
    const char csv[] = "身份证号,备注,死亡日期\n11010519491231002X,x,2023-01-01\n";
    char *path = test_write_file(f->dir, "p.csv", csv, sizeof csv - 1);
    fw_import_preview pv;
    assert_int_equal(fw_import_preview_file(path, "deaths", NULL, FW_ENC_AUTO, &pv, &f->err), FW_OK);
    assert_int_equal(pv.nheaders, 3);
    assert_string_equal(pv.mapped[0]->name, "id_number");
    assert_null(pv.mapped[1]);
    assert_string_equal(pv.headers[1], "备注");
    assert_string_equal(pv.mapped[2]->name, "death_date");
    assert_int_equal(pv.nmissing, 0);
    assert_null(pv.problem);
    fw_import_preview_free(&pv);
    assert_int_equal(fw_import_preview_file(path, "payments", NULL, FW_ENC_AUTO, &pv, &f->err), FW_OK);
    assert_int_equal(pv.nmissing, 4); /* name, program, amount, pay_date */
    assert_non_null(strstr(pv.problem, "required column missing for payments: name"));
    fw_import_preview_free(&pv);
    assert_int_equal(count(f, "SELECT count(*) FROM imports"), 0);
    free(path);
}

static void test_record_session(void **state)
{
    fx *f = *state;
    fw_importer *im;
    assert_int_equal(fw_ws_begin(f->ws, &f->err), FW_OK);
    assert_int_equal(fw_importer_open(f->ws, "payments", NULL, "rule R01 example", &im, &f->err), FW_OK);
    const char *names[] = {"id_number", "姓名", "program", "amount", "pay_date", "period"};
    const char *good[] = {"520102550312001", "张三", "城乡低保", "360", "2023-05-10", "2023-05"};
    assert_int_equal(fw_import_record(im, 6, names, good, 1, &f->err), FW_OK);
    const char *bad[] = {"520102195503120016", "张三", "低保", "360", "2023-02-30", "2023-05"};
    assert_int_equal(fw_import_record(im, 6, names, bad, 2, &f->err), FW_EDATA);
    assert_msg(f, "line 2, column 5 (pay_date)");
    const char *unknown[] = {"no_such"};
    assert_int_equal(fw_import_record(im, 1, unknown, good, 3, &f->err), FW_EDATA);
    assert_msg(f, "'no_such' is not a column of payments");
    assert_int_equal(fw_importer_close(im, &f->err), FW_OK);
    assert_int_equal(fw_ws_commit(f->ws, &f->err), FW_OK);
    assert_int_equal(count(f, "SELECT count(*) FROM ds_payments WHERE id_number = '520102195503120016' AND "
                              "program = '低保' AND amount = 36000 AND period = '2023-05'"),
                     1);
    assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE file = 'rule R01 example' AND rows_loaded = 1 "
                              "AND rows_rejected = 1 AND rows_flagged = 1"),
                     1);
}

int main(void)
{
    test_use_checkout_datadir();
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_good_file_and_record),  T(test_ragged_rows),        T(test_unknown_and_duplicate_headers),
        T(test_missing_required_and_empty), T(test_invalid_values), T(test_garbage_bytes_and_huge_field),
        T(test_gbk_and_normal_forms),  T(test_max_rejects),        T(test_duplicate_and_replace),
        T(test_programs_listing),      T(test_user_profile),       T(test_cancel_leaves_workspace_as_before),
        T(test_interrupt_stops_a_running_statement), T(test_stop_after_reading_loads_nothing),
        T(test_many_batches_keep_order_and_lines),
        T(test_preview),               T(test_record_session),
    };
    return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
