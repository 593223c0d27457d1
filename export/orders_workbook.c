/* orders_workbook.c: writes a verification order's workbook (orders_workbook.h) with libxlsxwriter.
 * It uses the library directly rather than export/xlsx.h because an order's workbook needs what the
 * report workbooks never do: unlocked cells, data validation, hidden columns and sheets, protection.
 * Every text is written as a string cell (never a formula), so a name such as "=1+1" stays text. */
#include "export/orders_workbook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "audit/i18n.h"
#include "audit/vocab.h"

typedef struct formats {
    lxw_format *title, *label, *wrap, *header, *fact, *fact_money, *answer, *answer_date, *answer_money;
} formats;

static void make_formats(lxw_workbook *wb, formats *f)
{
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    f->label = workbook_add_format(wb);
    format_set_bold(f->label);
    format_set_text_wrap(f->label);
    format_set_align(f->label, LXW_ALIGN_VERTICAL_TOP);
    f->wrap = workbook_add_format(wb);
    format_set_text_wrap(f->wrap);
    format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
    f->header = workbook_add_format(wb);
    format_set_bold(f->header);
    format_set_text_wrap(f->header);
    format_set_bg_color(f->header, 0xD9D9D9);
    format_set_border(f->header, LXW_BORDER_THIN);
    f->fact = workbook_add_format(wb);
    format_set_text_wrap(f->fact);
    format_set_align(f->fact, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(f->fact, 0xF2F2F2);
    format_set_num_format(f->fact, "@");
    f->fact_money = workbook_add_format(wb);
    format_set_num_format(f->fact_money, "#,##0.00");
    format_set_align(f->fact_money, LXW_ALIGN_VERTICAL_TOP);
    format_set_bg_color(f->fact_money, 0xF2F2F2);
    f->answer = workbook_add_format(wb);
    format_set_unlocked(f->answer);
    format_set_text_wrap(f->answer);
    format_set_bg_color(f->answer, 0xFFF2CC);
    format_set_border(f->answer, LXW_BORDER_THIN);
    f->answer_date = workbook_add_format(wb);
    format_set_unlocked(f->answer_date);
    format_set_num_format(f->answer_date, "yyyy-mm-dd");
    format_set_bg_color(f->answer_date, 0xFFF2CC);
    format_set_border(f->answer_date, LXW_BORDER_THIN);
    f->answer_money = workbook_add_format(wb);
    format_set_unlocked(f->answer_money);
    format_set_num_format(f->answer_money, "#,##0.00");
    format_set_bg_color(f->answer_money, 0xFFF2CC);
    format_set_border(f->answer_money, LXW_BORDER_THIN);
}

static lxw_datetime day_of(const char *iso)
{
    lxw_datetime d = {0};
    sscanf(iso, "%d-%d-%d", &d.year, &d.month, &d.day);
    return d;
}

/* --- the cover sheet ----------------------------------------------------------------------------- */

enum { COVER_TEXT_WIDTH = 70 };

/* How many lines text takes wrapped in a column `width` characters wide (a Chinese character is
 * two wide), so the row can be made tall enough: libxlsxwriter does not fit row heights, and a
 * wrapped cell in a row of default height shows its first lines only. */
static int wrapped_lines(const char *text, int width)
{
    int lines = 1, col = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p;) {
        if (*p == '\n') {
            lines++;
            col = 0;
            p++;
            continue;
        }
        int w = *p < 0x80 ? 1 : 2;
        p += *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
        if (col + w > width) {
            lines++;
            col = 0;
        }
        col += w;
    }
    return lines;
}

static void pair(lxw_worksheet *ws, int *row, const formats *f, const char *label, const char *value)
{
    worksheet_write_string(ws, (lxw_row_t)*row, 0, label, f->label);
    worksheet_write_string(ws, (lxw_row_t)*row, 1, value ? value : "", f->wrap);
    int lines = wrapped_lines(value ? value : "", COVER_TEXT_WIDTH - 4);
    if (lines > 1)
        worksheet_set_row(ws, (lxw_row_t)*row, 15.0 * lines + 2, NULL);
    (*row)++;
}

static void write_cover(lxw_workbook *wb, const formats *f, const fw_order_plan *p, const char *contact)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, FW_ORDER_SHEET_COVER);
    worksheet_set_column(ws, 0, 0, 18, NULL);
    worksheet_set_column(ws, 1, 1, COVER_TEXT_WIDTH, NULL);
    int row = 0;
    char *title = fw_printf("核查工单 %s", p->order_no);
    worksheet_write_string(ws, (lxw_row_t)row, 0, title, f->title);
    free(title);
    row += 2;
    char n[32], *sample = NULL;
    snprintf(n, sizeof n, "%zu 条", p->nlines);
    pair(ws, &row, f, "工单号", p->order_no);
    pair(ws, &row, f, "承办单位", p->unit);
    pair(ws, &row, f, "下发日期", p->window_from);
    pair(ws, &row, f, "反馈截止日期", p->due);
    pair(ws, &row, f, "线索数量", n);
    pair(ws, &row, f, "选取条件", p->selection);
    if (p->sample_method) {
        sample = fw_printf("%s抽样，每%s %lld 条，随机种子 %s（同一条件、数量和种子可重现同一样本）",
                           strcmp(p->sample_method, "random") == 0 ? "简单随机" : "按规则和乡镇分层",
                           strcmp(p->sample_method, "random") == 0 ? "次" : "层", p->sample_size, p->sample_seed);
        pair(ws, &row, f, "抽样方法", sample);
        free(sample);
    }
    pair(ws, &row, f, "联系人", contact);
    row++;
    worksheet_write_string(ws, (lxw_row_t)row++, 0, "一、核查什么", f->label);
    pair(ws, &row, f, "", "系统比对发现以下疑点，请逐条核实。每条线索的疑点类型和比对依据写在「核查清单」中。");
    for (size_t i = 0; i < p->nrules; i++) {
        char *head = fw_printf("%s", p->rules[i].rule_id);
        char *body = fw_printf("%s\n政策依据：%s", p->rules[i].name,
                               p->rules[i].basis && *p->rules[i].basis ? p->rules[i].basis : "（未载明）");
        pair(ws, &row, f, head, body);
        free(head);
        free(body);
    }
    row++;
    worksheet_write_string(ws, (lxw_row_t)row++, 0, "二、如何填写", f->label);
    static const char *const how[] = {
        "1. 在「核查清单」中逐行填写黄色单元格；灰色单元格是系统提供的事实，请勿修改。",
        "2. 核查结论从下拉列表选择：属实、部分属实、不属实、数据错误。选择「不属实」时须在「说明」中写明理由。",
        "3. 核查方式从下拉列表选择（线上核查、入户核查）；填写核查人姓名。",
        "4. 核查日期请以日期格式录入（如 2026-12-10），须在下发日期至反馈截止日期之间。",
        "5. 应追缴金额、已追缴金额只填数字（单位：元，最多两位小数），不要写「元」，不要使用公式；已追缴金额不得大于应追缴金额。",
        "6. 整改措施从下拉列表选择，仅在结论为属实或部分属实时填写。",
        "7. 尚未核查完毕的行请留空，系统视为未反馈。",
    };
    for (size_t i = 0; i < sizeof how / sizeof how[0]; i++)
        pair(ws, &row, f, "", how[i]);
    row++;
    worksheet_write_string(ws, (lxw_row_t)row++, 0, "三、注意", f->label);
    pair(ws, &row, f, "",
         "请勿插入或删除行、移动列、重命名或删除工作表。系统对每行的事实和编号逐行校验，被改动的行不予采用。"
         "填写完毕后保存为 .xlsx 文件，在截止日期前交回联系人。");
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_protect(ws, NULL, NULL);
    worksheet_activate(ws);
}

/* --- the rows sheet ------------------------------------------------------------------------------ */

static void validate(lxw_worksheet *ws, int col, lxw_row_t last, lxw_data_validation *dv)
{
    worksheet_data_validation_range(ws, 1, (lxw_col_t)col, last, (lxw_col_t)col, dv);
}

static void list_validation(lxw_worksheet *ws, int col, lxw_row_t last, const char *const *choices,
                            const char *title, const char *msg)
{
    lxw_data_validation dv = {0};
    dv.validate = LXW_VALIDATION_TYPE_LIST;
    dv.value_list = (char **)choices;
    dv.input_title = (char *)title;
    dv.input_message = (char *)msg;
    dv.error_title = (char *)title;
    dv.error_message = (char *)"请从下拉列表中选择。";
    dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    validate(ws, col, last, &dv);
}

/* Text of min to max characters. */
static void length_validation(lxw_worksheet *ws, int col, lxw_row_t last, double min, double max, const char *title,
                              const char *msg, const char *error)
{
    lxw_data_validation dv = {0};
    dv.validate = LXW_VALIDATION_TYPE_LENGTH;
    dv.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
    dv.minimum_number = min;
    dv.maximum_number = max;
    dv.input_title = (char *)title;
    dv.input_message = (char *)msg;
    dv.error_title = (char *)title;
    dv.error_message = (char *)error;
    validate(ws, col, last, &dv);
}

static void add_validations(lxw_worksheet *ws, const fw_order_plan *p, lxw_row_t last)
{
    list_validation(ws, FW_ORDER_COL_ANSWER(FW_OA_CONCLUSION), last, fw_order_conclusion_choices, "核查结论",
                    "请选择：属实、部分属实、不属实或数据错误。不属实须在「说明」中写明理由。");
    list_validation(ws, FW_ORDER_COL_ANSWER(FW_OA_METHOD), last, fw_order_method_choices, "核查方式",
                    "请选择线上核查或入户核查。");
    list_validation(ws, FW_ORDER_COL_ANSWER(FW_OA_MEASURES), last, fw_order_measure_choices, "整改措施",
                    "结论为属实或部分属实时选择整改措施；否则留空。");
    length_validation(ws, FW_ORDER_COL_ANSWER(FW_OA_VERIFIER), last, 1, 50, "核查人", "填写实际核查人的姓名。",
                      "请填写姓名（不超过50个字）。");
    lxw_data_validation date = {0};
    date.validate = LXW_VALIDATION_TYPE_DATE;
    date.criteria = LXW_VALIDATION_CRITERIA_BETWEEN;
    date.minimum_datetime = day_of(p->window_from);
    date.maximum_datetime = day_of(p->due);
    char *dmsg = fw_printf("以日期格式录入，须在 %s 至 %s 之间。", p->window_from, p->due);
    date.input_title = (char *)"核查日期";
    date.input_message = dmsg;
    date.error_title = (char *)"核查日期";
    date.error_message = dmsg;
    validate(ws, FW_ORDER_COL_ANSWER(FW_OA_VERIFIED_AT), last, &date);
    free(dmsg);
    for (int a = FW_OA_TO_RECOVER; a <= FW_OA_RECOVERED; a++) {
        lxw_data_validation money = {0};
        money.validate = LXW_VALIDATION_TYPE_DECIMAL;
        money.criteria = LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO;
        money.value_number = 0;
        money.input_title = (char *)fw_order_column_label(FW_ORDER_COL_ANSWER(a));
        money.input_message = (char *)"只填数字，单位元，最多两位小数；不要写「元」，不要使用公式。";
        money.error_title = money.input_title;
        money.error_message = (char *)"请填写不小于0的数字（单位：元）。";
        validate(ws, FW_ORDER_COL_ANSWER(a), last, &money);
    }
    length_validation(ws, FW_ORDER_COL_ANSWER(FW_OA_NOTE), last, 0, 2000, "说明", "写明核查经过、不属实的理由或其他情况。",
                      "说明不超过2000字。");
}

static void write_line(lxw_worksheet *ws, const formats *f, const fw_order_plan *p, const fw_order_line *l,
                       lxw_row_t row)
{
    for (int c = 0; c < FW_OF_N; c++) {
        const char *v = l->facts[c] ? l->facts[c] : "";
        if (c == FW_OF_AMOUNT)
            worksheet_write_number(ws, row, (lxw_col_t)c, (double)atoll(v) / 100.0, f->fact_money);
        else if (c == FW_OF_ROW_NO)
            worksheet_write_number(ws, row, (lxw_col_t)c, (double)atoll(v), f->fact);
        else
            worksheet_write_string(ws, row, (lxw_col_t)c, v, f->fact);
    }
    for (int a = 0; a < FW_OA_N; a++) {
        lxw_format *fmt = a == FW_OA_VERIFIED_AT                          ? f->answer_date
                          : a == FW_OA_TO_RECOVER || a == FW_OA_RECOVERED ? f->answer_money
                                                                          : f->answer;
        worksheet_write_blank(ws, row, (lxw_col_t)FW_ORDER_COL_ANSWER(a), fmt);
    }
    worksheet_write_string(ws, row, FW_ORDER_COL_KEY(FW_OKEY_ORDER_NO), p->order_no, NULL);
    worksheet_write_number(ws, row, FW_ORDER_COL_KEY(FW_OKEY_CASE_ID), (double)l->case_id, NULL);
    worksheet_write_number(ws, row, FW_ORDER_COL_KEY(FW_OKEY_VERSION), (double)l->version, NULL);
    worksheet_write_string(ws, row, FW_ORDER_COL_KEY(FW_OKEY_MAC), l->mac, NULL);
}

static void write_rows(lxw_workbook *wb, const formats *f, const fw_order_plan *p)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, FW_ORDER_SHEET_ROWS);
    static const double widths[FW_ORDER_NCOLS] = {6, 16, 10, 20, 10, 10, 12, 22, 12, 24, 40,
                                                  12, 12, 10, 12, 14, 14, 14, 30};
    lxw_row_col_options hidden = {.hidden = 1};
    for (int c = 0; c < FW_ORDER_NCOLS; c++) {
        if (c >= FW_ORDER_COL_KEY(0))
            worksheet_set_column_opt(ws, (lxw_col_t)c, (lxw_col_t)c, 12, NULL, &hidden);
        else
            worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)c, fw_order_column_label(c), f->header);
    }
    worksheet_freeze_panes(ws, 1, 3);
    for (size_t i = 0; i < p->nlines; i++)
        write_line(ws, f, p, &p->lines[i], (lxw_row_t)(i + 1));
    lxw_row_t last = (lxw_row_t)(p->nlines ? p->nlines : 1);
    add_validations(ws, p, last);
    lxw_protection prot = {.format_columns = 1, .format_rows = 1};
    worksheet_protect(ws, NULL, &prot);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, 0, 0);
}

static void write_manifest(lxw_workbook *wb, const fw_order_plan *p)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, FW_ORDER_SHEET_MANIFEST);
    char rows[32];
    snprintf(rows, sizeof rows, "%zu", p->nlines);
    const char *kv[][2] = {{"format", FW_ORDER_FORMAT}, {"workspace", p->workspace_id}, {"order", p->order_no},
                           {"unit", p->unit},           {"window_from", p->window_from}, {"due", p->due},
                           {"rows", rows},              {"mac", p->manifest_mac}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        worksheet_write_string(ws, (lxw_row_t)i, 0, kv[i][0], NULL);
        worksheet_write_string(ws, (lxw_row_t)i, 1, kv[i][1], NULL);
    }
    worksheet_protect(ws, NULL, NULL);
    worksheet_hide(ws);
}

int fw_order_workbook_write(const fw_order_plan *p, const char *path, const char *contact, char sha256[65],
                            fw_err *err)
{
    if (access(path, F_OK) == 0)
        return fw_fail(err, FW_ECONFLICT, _("%s exists; choose another folder with --out or move it away"), path);
    char *tmp = fw_printf("%s.tmp%ld", path, (long)getpid());
    lxw_workbook_options opts = {.constant_memory = 0};
    lxw_workbook *wb = workbook_new_opt(tmp, &opts);
    if (!wb) {
        free(tmp);
        return fw_fail(err, FW_EFAIL, _("%s: cannot create the workbook"), path);
    }
    formats f;
    make_formats(wb, &f);
    write_cover(wb, &f, p, contact);
    write_rows(wb, &f, p);
    write_manifest(wb, p);
    lxw_error e = workbook_close(wb);
    int rc = FW_OK;
    if (e != LXW_NO_ERROR)
        rc = fw_fail(err, FW_EFAIL, _("%s: cannot write the workbook: %s"), path, lxw_strerror(e));
    if (!rc)
        rc = fw_order_file_sha256(tmp, sha256, err);
    if (!rc && rename(tmp, path) != 0)
        rc = fw_fail(err, FW_EFAIL, _("%s: cannot write: %s"), path, strerror(errno));
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}

int fw_order_workbook_writer(const fw_order_plan *p, void *ctx, char **path, char sha256[65], fw_err *err)
{
    const fw_order_workbook_target *t = ctx;
    *path = fw_printf("%s/%s.xlsx", t->dir, p->order_no);
    return fw_order_workbook_write(p, *path, t->contact, sha256, err);
}
