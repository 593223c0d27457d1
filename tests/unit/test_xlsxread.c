/* test_xlsxread.c: the workbook reader (audit/xlsxread.h) and the text checks of the workbook
 * writer (export/xlsx.h). A workbook written through export/xlsx.h reads back: its parts are
 * listed and a sheet streams through the callbacks with its text intact. Broken workbooks are
 * caught with the part, line and column: a truncated file, a part with invalid UTF-8 or a control
 * character XML forbids, a missing workbook part, a part whose bytes no longer match their CRC
 * (the broken zips are made with libzip itself). The writer refuses text that is not UTF-8, naming
 * sheet!cell, the column's header and the row, and refuses a classification mark or sheet name it
 * could not write safely. */
#include <stdbool.h>
#include <sys/stat.h>
#include <zip.h>

#include "audit/xlsxread.h"
#include "export/xlsx.h"
#include "tests/unit/testutil.h"

typedef struct fixture {
    char *dir;
    fw_err err;
} fixture;

static int setup(void **state)
{
    fixture *f = fw_calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    test_rmdir(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* A small workbook: sheet 名单 with a header row and one data row. */
static char *write_workbook(fixture *f, const char *name)
{
    char *path = fw_printf("%s/%s", f->dir, name);
    fw_xlsx *x;
    assert_int_equal(fw_xlsx_new(path, "内部资料", &x, &f->err), FW_OK);
    fw_xsheet *s = fw_xlsx_sheet(x, "名单", &f->err);
    assert_non_null(s);
    assert_int_equal(fw_xs_text(s, 0, 0, "编号", FW_XS_HEADER, &f->err), FW_OK);
    assert_int_equal(fw_xs_text(s, 0, 1, "姓名", FW_XS_HEADER, &f->err), FW_OK);
    assert_int_equal(fw_xs_number(s, 1, 0, 1, &f->err), FW_OK);
    assert_int_equal(fw_xs_text(s, 1, 1, "张三 & <李四>", FW_XS_PLAIN, &f->err), FW_OK);
    assert_int_equal(fw_xlsx_close(x, &f->err), FW_OK);
    return path;
}

typedef struct seen {
    int cells;
    fw_buf text;
} seen;

static void on_start(void *ctx, const char *element, const char **attrs)
{
    (void)attrs;
    if (strcmp(fw_xml_local(element), "c") == 0)
        ((seen *)ctx)->cells++;
}

static void on_text(void *ctx, const char *s, int len)
{
    fw_buf_add(&((seen *)ctx)->text, s, (size_t)len);
}

static void test_workbook_reads_back(void **state)
{
    fixture *f = *state;
    char *path = write_workbook(f, "good.xlsx");
    fw_xlsxr *r;
    assert_int_equal(fw_xlsxr_open(path, &r, &f->err), FW_OK);
    assert_true(fw_xlsxr_nparts(r) >= 6);
    int sheet = fw_xlsxr_find(r, "xl/worksheets/sheet1.xml");
    assert_true(sheet >= 0);
    assert_string_equal(fw_xlsxr_part(r, sheet), "xl/worksheets/sheet1.xml");
    assert_true(fw_xlsxr_is_xml(r, sheet));
    assert_int_equal(fw_xlsxr_find(r, "xl/nothing.xml"), -1);
    seen s = {0};
    fw_buf_puts(&s.text, "");
    fw_xml_handlers h = {.start = on_start, .text = on_text};
    assert_int_equal(fw_xlsxr_parse(r, sheet, &h, &s, &f->err), FW_OK);
    assert_int_equal(s.cells, 4);
    assert_non_null(strstr(s.text.data, "张三 & <李四>")); /* entities decoded */
    fw_buf_free(&s.text);
    assert_int_equal(fw_xlsxr_check(r, &f->err), FW_OK);
    fw_xlsxr_close(r);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_OK);
    free(path);
}

static void test_truncated_workbook(void **state)
{
    fixture *f = *state;
    char *path = write_workbook(f, "cut.xlsx");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size / 2), 0);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "not a readable workbook"));
    free(path);
    char *none = fw_printf("%s/none.xlsx", f->dir);
    assert_int_equal(fw_xlsxr_check_file(none, &f->err), FW_EFAIL);
    free(none);
}

/* A zip of the given parts (name, content pairs), stored uncompressed when store is true. */
static char *make_zip(fixture *f, const char *name, const char *const *parts, int n, bool store)
{
    char *path = fw_printf("%s/%s", f->dir, name);
    int code;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code);
    assert_non_null(za);
    for (int i = 0; i < n; i++) {
        zip_source_t *src = zip_source_buffer(za, parts[2 * i + 1], strlen(parts[2 * i + 1]), 0);
        assert_non_null(src);
        zip_int64_t idx = zip_file_add(za, parts[2 * i], src, ZIP_FL_ENC_UTF_8);
        assert_true(idx >= 0);
        if (store)
            assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
    }
    assert_int_equal(zip_close(za), 0);
    return path;
}

#define TYPES "[Content_Types].xml", "<Types/>"

static void test_ill_formed_parts(void **state)
{
    fixture *f = *state;
    const char *gbk[] = {TYPES, "xl/workbook.xml", "<workbook>\n<name>\xb9\xab\xd6\xb0</name></workbook>"};
    char *path = make_zip(f, "gbk.xlsx", gbk, 2, false);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "part xl/workbook.xml, line 2, column 7: not well-formed XML"));
    free(path);

    const char *ctl[] = {TYPES, "xl/workbook.xml", "<workbook/>", "xl/worksheets/sheet1.xml", "<s>a\x1b]0;x</s>"};
    path = make_zip(f, "ctl.xlsx", ctl, 3, false);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "part xl/worksheets/sheet1.xml, line 1"));
    free(path);

    const char *missing[] = {TYPES, "xl/worksheets/sheet1.xml", "<s/>"};
    path = make_zip(f, "missing.xlsx", missing, 2, false);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "the part xl/workbook.xml is missing"));
    free(path);

    const char *empty[] = {TYPES, "xl/workbook.xml", ""};
    path = make_zip(f, "empty.xlsx", empty, 2, false);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "no element found"));
    free(path);
}

static void test_crc_mismatch(void **state)
{
    fixture *f = *state;
    const char *parts[] = {TYPES, "xl/workbook.xml", "<workbook><sheets>MARKER</sheets></workbook>"};
    char *path = make_zip(f, "crc.xlsx", parts, 2, true);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_OK);
    /* Change one stored byte: still well-formed XML, but no longer the bytes the CRC was made of. */
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    char *m = memmem(buf, n, "MARKER", 6);
    assert_non_null(m);
    assert_int_equal(fseek(fp, (long)(m - buf), SEEK_SET), 0);
    fputc('W', fp);
    fclose(fp);
    assert_int_equal(fw_xlsxr_check_file(path, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "part xl/workbook.xml cannot be read"));
    assert_non_null(strstr(f->err.msg, "CRC"));
    free(path);
}

static void test_writer_refuses_bad_text(void **state)
{
    fixture *f = *state;
    char *path = fw_printf("%s/bad.xlsx", f->dir);
    fw_xlsx *x;
    assert_int_equal(fw_xlsx_new(path, "内部资料", &x, &f->err), FW_OK);
    fw_xsheet *s = fw_xlsx_sheet(x, "规则集", &f->err);
    assert_non_null(s);
    assert_int_equal(fw_xs_text(s, 0, 0, "规则编号", FW_XS_HEADER, &f->err), FW_OK);
    assert_int_equal(fw_xs_text(s, 0, 1, "规则名称", FW_XS_HEADER, &f->err), FW_OK);
    assert_int_equal(fw_xs_text(s, 1, 0, "DEC-001", FW_XS_PLAIN, &f->err), FW_OK);
    /* 死亡 in UTF-8, then 公职 as GBK bytes. */
    assert_int_equal(fw_xs_text(s, 1, 1, "死亡\xb9\xab\xd6\xb0", FW_XS_PLAIN, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "规则集!B2 (规则名称, in the row of 规则编号 DEC-001): the text is not valid "
                                       "UTF-8 (byte 0xB9 after \"死亡\"); no workbook was written"));
    /* A long text: the message shows its last whole characters before the bad byte, as UTF-8. */
    fw_buf lng = {0};
    for (int i = 0; i < 30; i++)
        fw_buf_puts(&lng, "死亡");
    fw_buf_puts(&lng, "ab\xb9"); /* 60 bytes back from the bad byte is inside a character */
    assert_int_equal(fw_xs_text(s, 3, 1, lng.data, FW_XS_PLAIN, &f->err), FW_EDATA);
    assert_int_equal(fw_utf8_invalid_at(f->err.msg), -1);
    assert_non_null(strstr(f->err.msg, "(byte 0xB9 after \"…亡死亡死"));
    assert_non_null(strstr(f->err.msg, "死亡ab\")"));
    fw_buf_free(&lng);
    /* Control characters are data: kept (libxlsxwriter writes them as _x001B_). */
    assert_int_equal(fw_xs_text(s, 2, 1, "a\x1b]0;x\x07", FW_XS_PLAIN, &f->err), FW_OK);
    assert_null(fw_xlsx_sheet(x, "bad\x01name", &f->err));
    assert_non_null(strstr(f->err.msg, "a sheet name holds a control character"));
    fw_xlsx_discard(x);
    assert_int_equal(fw_xlsx_new(path, "秘密\x1b[2J", &x, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "the classification mark holds a control character (byte 0x1B after \"秘密\")"));
    assert_int_equal(fw_xlsx_new(path, "\xc3", &x, &f->err), FW_EDATA);
    assert_non_null(strstr(f->err.msg, "is not valid UTF-8 (byte 0xC3 at the start)"));
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_workbook_reads_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_workbook, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ill_formed_parts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crc_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_refuses_bad_text, setup, teardown),
    };
    return cmocka_run_group_tests_name("xlsxread", tests, NULL, NULL);
}
