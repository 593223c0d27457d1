/* test_csv.c: the CSV reader on the files county systems really produce: BOM or not, GBK, CRLF,
 * RFC 4180 quoting with embedded newlines (line numbers must stay right after them), ragged rows,
 * garbage bytes, empty files, unterminated quotes, a 10 MB field, block boundaries, and the
 * SHA-256 that must equal sha256sum's. */
#include "audit/csv.h"
#include "tests/unit/testutil.h"

/* One open reader over a scratch file, so each test reads as a list of expectations. */
struct reader {
    char *dir, *path;
    fw_csv *csv;
    fw_csv_record rec;
    fw_err err;
};

static void open_bytes(struct reader *r, const char *bytes, size_t n, enum fw_encoding enc)
{
    memset(r, 0, sizeof *r);
    r->dir = test_tmpdir();
    r->path = test_write_file(r->dir, "in.csv", bytes, n);
    int rc = fw_csv_open(r->path, enc, &r->csv, &r->err);
    if (rc)
        fail_msg("open: %s", r->err.msg);
}

static void open_text(struct reader *r, const char *text, enum fw_encoding enc)
{
    open_bytes(r, text, strlen(text), enc);
}

static void close_reader(struct reader *r)
{
    fw_csv_close(r->csv);
    test_rmdir(r->dir);
    free(r->dir);
    free(r->path);
}

/* Reads the next record and checks its line, field count and (when given) its fields. */
static void expect_record(struct reader *r, long line, int n, const char *const *fields)
{
    int rc = fw_csv_next(r->csv, &r->rec, &r->err);
    if (rc != 1)
        fail_msg("expected a record at line %ld, got %d (%s)", line, rc, r->err.msg);
    assert_int_equal(r->rec.line, line);
    assert_int_equal(r->rec.n, n);
    for (int i = 0; fields && i < n; i++) {
        assert_string_equal(r->rec.fields[i], fields[i]);
        assert_int_equal(r->rec.lens[i], strlen(fields[i]));
    }
}

static void expect_end(struct reader *r)
{
    assert_int_equal(fw_csv_next(r->csv, &r->rec, &r->err), 0);
}

#define FIELDS(...) ((const char *const[]){__VA_ARGS__})

static void test_utf8_with_bom(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "\xEF\xBB\xBFname,id\n张三,1\n", FW_ENC_AUTO);
    assert_string_equal(fw_csv_encoding(r.csv), "utf-8-bom");
    expect_record(&r, 1, 2, FIELDS("name", "id"));
    expect_record(&r, 2, 2, FIELDS("张三", "1"));
    assert_null(r.rec.bad);
    expect_end(&r);
    close_reader(&r);
}

static void test_utf8_without_bom(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "name,id\n张三,1", FW_ENC_AUTO); /* no final newline */
    assert_string_equal(fw_csv_encoding(r.csv), "utf-8");
    expect_record(&r, 1, 2, FIELDS("name", "id"));
    expect_record(&r, 2, 2, FIELDS("张三", "1"));
    expect_end(&r);
    expect_end(&r); /* stays at the end */
    close_reader(&r);
}

/* 张三 in GBK is D5 C5 C8 FD; 李四 is C0 EE CB C4. */
static const char gbk_file[] = "\xD0\xD5\xC3\xFB,id\r\n\xD5\xC5\xC8\xFD,1\r\n\xC0\xEE\xCB\xC4,2\r\n";

static void test_gbk_detected(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, gbk_file, FW_ENC_AUTO);
    assert_string_equal(fw_csv_encoding(r.csv), "gb18030");
    expect_record(&r, 1, 2, FIELDS("姓名", "id"));
    expect_record(&r, 2, 2, FIELDS("张三", "1"));
    assert_null(r.rec.bad);
    expect_record(&r, 3, 2, FIELDS("李四", "2"));
    expect_end(&r);
    close_reader(&r);
}

static void test_gbk_forced(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, gbk_file, FW_ENC_GB18030);
    assert_string_equal(fw_csv_encoding(r.csv), "gb18030");
    expect_record(&r, 1, 2, FIELDS("姓名", "id"));
    close_reader(&r);

    /* Forcing UTF-8 on a GBK file: every row is flagged with a hint, none is dropped. */
    open_text(&r, gbk_file, FW_ENC_UTF8);
    assert_string_equal(fw_csv_encoding(r.csv), "utf-8");
    expect_record(&r, 1, 2, NULL);
    assert_non_null(r.rec.bad);
    assert_non_null(strstr(r.rec.bad, "column 1: bytes not valid UTF-8"));
    assert_non_null(strstr(r.rec.bad, "--encoding gb18030"));
    assert_int_equal(r.rec.bad_col, 1);
    expect_record(&r, 2, 2, NULL);
    assert_non_null(r.rec.bad);
    expect_record(&r, 3, 2, NULL);
    expect_end(&r);
    close_reader(&r);
}

static void test_gbk_bad_bytes(void **state)
{
    (void)state;
    struct reader r;
    /* 0x81 0x20 is no GB18030 character; 0xFF is never a lead byte. */
    open_text(&r, "\xD5\xC5\xC8\xFD,1\nok,\x81 x\n\xFF,3\n\xC0\xEE\xCB\xC4,4\n", FW_ENC_AUTO);
    assert_string_equal(fw_csv_encoding(r.csv), "gb18030");
    expect_record(&r, 1, 2, FIELDS("张三", "1"));
    expect_record(&r, 2, 2, NULL);
    assert_int_equal(r.rec.bad_col, 2);
    assert_non_null(strstr(r.rec.bad, "column 2: bytes not valid GB18030"));
    expect_record(&r, 3, 2, NULL);
    assert_int_equal(r.rec.bad_col, 1);
    expect_record(&r, 4, 2, FIELDS("李四", "4"));
    assert_null(r.rec.bad);
    close_reader(&r);
}

static void test_crlf_and_quoting(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r,
              "a,b,c\r\n"
              "\"x, y\",\"say \"\"hi\"\"\",plain\r\n"
              "\"two\r\nlines\",\"three\nmore\nlines\",z\r\n"
              "after,the,newlines\r\n"
              "\" keep \",  trim  ,\r\n",
              FW_ENC_AUTO);
    expect_record(&r, 1, 3, FIELDS("a", "b", "c"));
    expect_record(&r, 2, 3, FIELDS("x, y", "say \"hi\"", "plain"));
    expect_record(&r, 3, 3, FIELDS("two\r\nlines", "three\nmore\nlines", "z"));
    expect_record(&r, 7, 3, FIELDS("after", "the", "newlines"));
    expect_record(&r, 8, 3, FIELDS(" keep ", "trim", ""));
    expect_end(&r);
    close_reader(&r);
}

static void test_blank_lines_and_ragged_rows(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "a,b,c\n\n   \n1,2\n1,2,3,4\n\n\nonly\n", FW_ENC_AUTO);
    expect_record(&r, 1, 3, FIELDS("a", "b", "c"));
    expect_record(&r, 4, 2, FIELDS("1", "2"));
    expect_record(&r, 5, 4, FIELDS("1", "2", "3", "4"));
    expect_record(&r, 8, 1, FIELDS("only"));
    expect_end(&r);
    close_reader(&r);
}

static void test_garbage_bytes(void **state)
{
    (void)state;
    static const char data[] = "a,b,c\n1,2,x\xFF\xFEy\nnul,\0,z\n4,5,6\n";
    struct reader r;
    open_bytes(&r, data, sizeof data - 1, FW_ENC_AUTO);
    assert_string_equal(fw_csv_encoding(r.csv), "gb18030"); /* 0xFF cannot be UTF-8 */
    close_reader(&r);

    open_bytes(&r, data, sizeof data - 1, FW_ENC_UTF8);
    expect_record(&r, 1, 3, FIELDS("a", "b", "c"));
    expect_record(&r, 2, 3, FIELDS("1", "2", "x??y"));
    assert_int_equal(r.rec.bad_col, 3);
    assert_non_null(strstr(r.rec.bad, "column 3: bytes not valid UTF-8 (is the file GBK?"));
    expect_record(&r, 3, 3, FIELDS("nul", "?", "z"));
    assert_int_equal(r.rec.bad_col, 2);
    assert_non_null(strstr(r.rec.bad, "column 2: contains a NUL byte"));
    expect_record(&r, 4, 3, FIELDS("4", "5", "6"));
    assert_null(r.rec.bad);
    expect_end(&r);
    close_reader(&r);
}

static void test_empty_file(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, "empty.csv", "", 0);
    fw_csv *c = (fw_csv *)1;
    fw_err err = {0};
    assert_int_equal(fw_csv_open(path, FW_ENC_AUTO, &c, &err), FW_EDATA);
    assert_null(c);
    assert_non_null(strstr(err.msg, "file is empty"));
    assert_non_null(strstr(err.msg, path));
    assert_int_equal(fw_csv_open_mem("", 0, "mem", FW_ENC_AUTO, &c, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "mem: file is empty"));
    free(path);
    path = fw_printf("%s/missing.csv", dir);
    assert_int_equal(fw_csv_open(path, FW_ENC_AUTO, &c, &err), FW_EFAIL);
    assert_non_null(strstr(err.msg, "cannot open"));
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void test_unterminated_quote(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "a,b\n1,2\n3,\"never\nclosed,4\n5,6\n", FW_ENC_AUTO);
    expect_record(&r, 1, 2, NULL);
    expect_record(&r, 2, 2, NULL);
    assert_int_equal(fw_csv_next(r.csv, &r.rec, &r.err), FW_EDATA);
    assert_non_null(strstr(r.err.msg, "in.csv:3: "));
    assert_non_null(strstr(r.err.msg, "unterminated quote"));
    fw_err_clear(&r.err);
    assert_int_equal(fw_csv_next(r.csv, &r.rec, &r.err), FW_EDATA); /* the error stays */
    assert_non_null(strstr(r.err.msg, "in.csv:3: "));
    close_reader(&r);
}

/* A 10 MB quoted field (with commas and newlines in it) between two ordinary records. */
static void test_ten_megabyte_field(void **state)
{
    (void)state;
    const size_t big = 10u << 20;
    char *dir = test_tmpdir();
    char *path = fw_printf("%s/big.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("id,text\n1,\"", f);
    for (size_t i = 0; i < big; i++)
        fputc(i % 1000 == 999 ? '\n' : i % 100 == 99 ? ',' : 'a' + (int)(i % 26), f);
    fputs("\"\n2,small\n", f);
    fclose(f);

    fw_csv *c;
    fw_csv_record rec;
    fw_err err = {0};
    assert_int_equal(fw_csv_open(path, FW_ENC_AUTO, &c, &err), FW_OK);
    assert_int_equal(fw_csv_next(c, &rec, &err), 1);
    assert_int_equal(fw_csv_next(c, &rec, &err), 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.lens[1], big);
    assert_int_equal(strlen(rec.fields[1]), big);
    assert_int_equal(rec.fields[1][99], ',');
    assert_int_equal(rec.fields[1][big - 1], 'a' + (int)((big - 1) % 26));
    assert_int_equal(fw_csv_next(c, &rec, &err), 1);
    assert_int_equal(rec.line, 2 + (long)(big / 1000) + 1);
    assert_string_equal(rec.fields[1], "small");
    assert_int_equal(fw_csv_next(c, &rec, &err), 0);
    fw_csv_close(c);
    free(path);
    test_rmdir(dir);
    free(dir);
}

/* Rows across the reader's 1 MB block boundary, placed so that the boundary cuts the GBK
 * character 张 in row 2 in half: every record keeps its line number and its text, and the byte
 * counts and the hash cover the whole file. */
static void test_block_boundaries_and_counts(void **state)
{
    (void)state;
    const size_t block = 1u << 20;
    fw_buf b = {0};
    fw_buf_puts(&b, "1,");
    while (b.len < block - 3 - 4) /* row 1 ends with ",x\r\n"; row 2 starts "2," */
        fw_buf_putc(&b, 'a');
    fw_buf_puts(&b, ",x\r\n");
    assert_int_equal(b.len + 2, block - 1); /* row 2's 0xD5 is the block's last byte */
    const int rows = 3000;
    for (int i = 2; i <= rows; i++)
        fw_buf_printf(&b, "%d,\xD5\xC5\xC8\xFD%d,x\r\n", i, i);
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, "rows.csv", b.data, b.len);
    fw_csv *c;
    fw_csv_record rec;
    fw_err err = {0};
    /* The first megabyte is ASCII, so AUTO would say UTF-8: that is what forcing is for. */
    assert_int_equal(fw_csv_open(path, FW_ENC_GB18030, &c, &err), FW_OK);
    assert_string_equal(fw_csv_encoding(c), "gb18030");
    assert_int_equal(fw_csv_bytes_total(c), (long long)b.len);
    int n = 0;
    char want[32];
    while (fw_csv_next(c, &rec, &err) == 1) {
        n++;
        assert_int_equal(rec.line, n);
        assert_int_equal(rec.n, 3);
        snprintf(want, sizeof want, "张三%d", n);
        if (n > 1)
            assert_string_equal(rec.fields[1], want);
        assert_null(rec.bad);
        assert_true(fw_csv_bytes_done(c) <= fw_csv_bytes_total(c));
    }
    assert_int_equal(err.code, FW_OK);
    assert_int_equal(n, rows);
    assert_int_equal(fw_csv_bytes_done(c), (long long)b.len);

    /* The hash must be sha256sum's. */
    char hash[65], cmdout[65] = "";
    fw_csv_sha256(c, hash);
    char *cmd = fw_printf("sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(cmdout, sizeof cmdout, p));
    pclose(p);
    assert_string_equal(hash, cmdout);
    fw_csv_close(c);
    free(cmd);
    free(path);
    fw_buf_free(&b);
    test_rmdir(dir);
    free(dir);
}

/* Old Mac files end lines with a CR alone: each CR is a line end, and the line numbers count them,
 * inside quoted fields too; CRLF still counts once. */
static void test_bare_cr_line_ends(void **state)
{
    (void)state;
    struct reader r;
    open_text(&r, "a,b\rx,1\r\"two\rlines\",2\rz,3\r\nw,4\n", FW_ENC_AUTO);
    expect_record(&r, 1, 2, FIELDS("a", "b"));
    expect_record(&r, 2, 2, FIELDS("x", "1"));
    expect_record(&r, 3, 2, FIELDS("two\rlines", "2"));
    expect_record(&r, 5, 2, FIELDS("z", "3"));
    expect_record(&r, 6, 2, FIELDS("w", "4"));
    expect_end(&r);
    close_reader(&r);
}

/* A CR as the last byte of a block: a line end when the next block does not start with LF, part
 * of CRLF when it does. */
static void test_cr_at_block_end(void **state)
{
    (void)state;
    for (int crlf = 0; crlf <= 1; crlf++) {
        const size_t block = 1u << 20;
        fw_buf b = {0};
        fw_buf_puts(&b, "h,v\r1,");
        while (b.len < block - 1)
            fw_buf_putc(&b, 'a');
        fw_buf_puts(&b, crlf ? "\r\n" : "\r"); /* the CR is the block's last byte */
        fw_buf_puts(&b, "2,b\r3,c\r");
        struct reader r;
        open_bytes(&r, b.data, b.len, FW_ENC_AUTO);
        expect_record(&r, 1, 2, FIELDS("h", "v"));
        expect_record(&r, 2, 2, NULL);
        expect_record(&r, 3, 2, FIELDS("2", "b"));
        expect_record(&r, 4, 2, FIELDS("3", "c"));
        expect_end(&r);
        close_reader(&r);
        fw_buf_free(&b);
    }
}

/* A UTF-8 file with one row pasted from a GBK file: the file stays UTF-8 and only that row is bad
 * (with its column); it is not read as GB18030 mojibake. */
static void test_mostly_utf8_keeps_utf8(void **state)
{
    (void)state;
    fw_buf b = {0};
    fw_buf_puts(&b, "姓名,金额\n");
    for (int i = 0; i < 5; i++)
        fw_buf_printf(&b, "张三%d,%d\n", i, i);
    fw_buf_puts(&b, "x,\xD5\xC5\xC8\xFD\n"); /* 张三 in GBK, line 7 column 2 */
    fw_buf_puts(&b, "李四,9\n");
    struct reader r;
    open_bytes(&r, b.data, b.len, FW_ENC_AUTO);
    assert_string_equal(fw_csv_encoding(r.csv), "utf-8");
    expect_record(&r, 1, 2, FIELDS("姓名", "金额"));
    for (int i = 0; i < 5; i++) {
        expect_record(&r, 2 + i, 2, NULL);
        assert_null(r.rec.bad);
    }
    expect_record(&r, 7, 2, NULL);
    assert_int_equal(r.rec.bad_col, 2);
    assert_non_null(strstr(r.rec.bad, "column 2: bytes not valid UTF-8, while most rows of the file are UTF-8"));
    expect_record(&r, 8, 2, FIELDS("李四", "9"));
    assert_null(r.rec.bad);
    expect_end(&r);
    close_reader(&r);
    fw_buf_free(&b);
}

/* A GBK file behind a UTF-8 byte-order mark: the mark contradicts the text, and the reader says
 * so instead of rejecting every row; forced to GB18030 it reads, the mark skipped. */
static void test_bom_over_gbk(void **state)
{
    (void)state;
    static const char data[] = "\xEF\xBB\xBF\xD0\xD5\xC3\xFB,id\n\xD5\xC5\xC8\xFD,1\n"; /* 姓名,id / 张三,1 */
    char *dir = test_tmpdir();
    char *path = test_write_file(dir, "bom.csv", data, sizeof data - 1);
    fw_csv *c;
    fw_err err = {0};
    assert_int_equal(fw_csv_open(path, FW_ENC_AUTO, &c, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "bom.csv: the file starts with a UTF-8 byte-order mark, but 2 of its first 2 "
                                    "lines with Chinese text are not UTF-8"));
    assert_non_null(strstr(err.msg, "the mark contradicts the encoding"));
    assert_non_null(strstr(err.msg, "--encoding gb18030"));
    assert_int_equal(fw_csv_open(path, FW_ENC_GB18030, &c, &err), FW_OK);
    fw_csv_record rec;
    assert_int_equal(fw_csv_next(c, &rec, &err), 1);
    assert_string_equal(rec.fields[0], "姓名");
    assert_int_equal(fw_csv_next(c, &rec, &err), 1);
    assert_string_equal(rec.fields[0], "张三");
    fw_csv_close(c);
    free(path);
    test_rmdir(dir);
    free(dir);
}

static void test_memory_source_and_hash(void **state)
{
    (void)state;
    static const char data[] = "\xEF\xBB\xBFh\n1\n";
    fw_csv *c;
    fw_csv_record rec;
    fw_err err = {0};
    assert_int_equal(fw_csv_open_mem(data, sizeof data - 1, "mem.csv", FW_ENC_AUTO, &c, &err), FW_OK);
    while (fw_csv_next(c, &rec, &err) == 1)
        ;
    char got[65], want[65];
    fw_csv_sha256(c, got);
    fw_sha256_hex(data, sizeof data - 1, want);
    assert_string_equal(got, want);
    assert_int_equal(fw_csv_bytes_done(c), sizeof data - 1);
    fw_csv_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_with_bom),
        cmocka_unit_test(test_utf8_without_bom),
        cmocka_unit_test(test_gbk_detected),
        cmocka_unit_test(test_gbk_forced),
        cmocka_unit_test(test_gbk_bad_bytes),
        cmocka_unit_test(test_crlf_and_quoting),
        cmocka_unit_test(test_blank_lines_and_ragged_rows),
        cmocka_unit_test(test_garbage_bytes),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_ten_megabyte_field),
        cmocka_unit_test(test_block_boundaries_and_counts),
        cmocka_unit_test(test_memory_source_and_hash),
        cmocka_unit_test(test_bare_cr_line_ends),
        cmocka_unit_test(test_cr_at_block_end),
        cmocka_unit_test(test_mostly_utf8_keeps_utf8),
        cmocka_unit_test(test_bom_over_gbk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
