/* workbook.c: the layout of a fundwatch workbook (see workbook.h and docs/export.md).
 *
 * The workbook is written in constant-memory mode, so every sheet is written top to bottom, once:
 * summaries are queried before the rows they head, and a table's width and autofilter are set
 * after its last row (libxlsxwriter applies them when the file is assembled). */
#include "export/workbook.h"
#include "audit/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"
#include "audit/money.h"
#include "export/provenance.h"
#include "export/xlsx.h"

typedef struct wb {
    fw_ws *ws;
    const fw_hit_filter *f;
    const fw_export_opts *o;
    const char *classification;
    fw_xlsx *x;
    fw_err *err;
    char *filter_text;   /* owned */
    long long total;     /* leads the filter selects */
    long long done;      /* leads written so far */
    int sheets;
} wb;

/* --- cells and tables ------------------------------------------------------------------------- */

/* Writes cell i of q's current row, presented by its column's kind. */
static int put_cell(wb *w, fw_xsheet *s, int row, int col, fw_xquery *q, int i)
{
    if (fw_xq_is_null(q, i))
        return FW_OK;
    switch (fw_xq_col(q, i)->kind) {
    case FW_XK_MONEY: return fw_xs_money(s, row, col, fw_xq_int(q, i), w->err);
    case FW_XK_INT: return fw_xs_number(s, row, col, (double)fw_xq_int(q, i), w->err);
    case FW_XK_REAL: return fw_xs_number(s, row, col, fw_xq_real(q, i), w->err);
    case FW_XK_DATE: return fw_xs_date(s, row, col, fw_xq_text(q, i), w->err);
    case FW_XK_DATETIME: return fw_xs_datetime(s, row, col, fw_xq_text(q, i), w->err);
    case FW_XK_STAMP: { /* evidence: the local time with its offset, as text nobody can misread */
        char when[FW_TIME_SIZE];
        return fw_xs_text(s, row, col, fw_time_local(fw_xq_text(q, i), FW_TIME_EVIDENCE, when, sizeof when),
                          FW_XS_PLAIN, w->err);
    }
    case FW_XK_LONGTEXT: return fw_xs_text(s, row, col, fw_xq_text(q, i), FW_XS_WRAP, w->err);
    case FW_XK_ID:
        if (w->o->mask_ids) {
            char masked[64];
            fw_export_mask_id(fw_xq_text(q, i), masked, sizeof masked);
            return fw_xs_text(s, row, col, masked, FW_XS_PLAIN, w->err);
        }
        /* An ID number is text, always: as a number Excel would keep 15 digits and show 5.2E+17. */
        return fw_xs_text(s, row, col, fw_xq_text(q, i), FW_XS_PLAIN, w->err);
    default: return fw_xs_text(s, row, col, fw_xq_text(q, i), FW_XS_PLAIN, w->err);
    }
}

static int put_row(wb *w, fw_xsheet *s, int row, fw_xquery *q)
{
    for (int i = 0; i < fw_xq_ncols(q); i++)
        if (put_cell(w, s, row, i, q, i))
            return w->err->code;
    return FW_OK;
}

static int put_header(wb *w, fw_xsheet *s, int row, fw_xquery *q)
{
    for (int i = 0; i < fw_xq_ncols(q); i++)
        if (fw_xs_text(s, row, i, fw_xq_col(q, i)->label, FW_XS_HEADER, w->err))
            return w->err->code;
    return FW_OK;
}

static int put_pair(wb *w, fw_xsheet *s, int row, const char *label, const char *value)
{
    if (fw_xs_text(s, row, 0, label, FW_XS_LABEL, w->err) ||
        fw_xs_text(s, row, 1, value, FW_XS_PLAIN, w->err))
        return w->err->code;
    return FW_OK;
}

/* Takes ownership of q (closed here, also on failure). */
static int close_with(fw_xquery *q, int rc)
{
    fw_xq_close(q);
    return rc;
}

/* What a 合计 row sums: nothing, the money columns, or the money and count columns. */
enum totals { NO_TOTALS, MONEY_TOTALS, ALL_TOTALS };

/* A titled table: the title, a header row, every row of q, and a 合计 row as totals asks. *row ends past a blank line; first and last (if not NULL) get the data rows. */
static int put_table(wb *w, fw_xsheet *s, int *row, const char *title, fw_xquery *q, enum totals totals,
                     int *first, int *last)
{
    int n = fw_xq_ncols(q);
    long long *sum = fw_calloc((size_t)n, sizeof *sum);
    int rc = FW_OK, step, r = *row;
    if (fw_xs_text(s, r++, 0, title, FW_XS_TITLE, w->err) || put_header(w, s, r++, q))
        goto fail;
    int top = r;
    while ((step = fw_xq_step(q, w->err)) == 1) {
        if (put_row(w, s, r++, q))
            goto fail;
        for (int i = 0; i < n; i++) {
            enum fw_xkind k = fw_xq_col(q, i)->kind;
            if (k == FW_XK_MONEY || k == FW_XK_INT)
                sum[i] += fw_xq_int(q, i);
        }
    }
    if (step < 0)
        goto fail;
    if (first)
        *first = top;
    if (last)
        *last = r - 1;
    fw_xs_keep_together(s, *row, r); /* title, header, rows and 合计 on one page when they fit */
    if (r == top) {
        if (fw_xs_text(s, r++, 0, "(无)", FW_XS_PLAIN, w->err))
            goto fail;
    } else if (totals != NO_TOTALS) {
        if (fw_xs_text(s, r, 0, "合计", FW_XS_LABEL, w->err))
            goto fail;
        for (int i = 1; i < n; i++) {
            enum fw_xkind k = fw_xq_col(q, i)->kind;
            if ((k == FW_XK_MONEY && fw_xs_money(s, r, i, sum[i], w->err)) ||
                (k == FW_XK_INT && totals == ALL_TOTALS && fw_xs_number(s, r, i, (double)sum[i], w->err)))
                goto fail;
        }
        r++;
    }
    *row = r + 1;
    free(sum);
    return close_with(q, FW_OK);
fail:
    rc = w->err->code ? w->err->code : FW_EFAIL;
    free(sum);
    return close_with(q, rc);
}

/* A one-row query laid out as label/value pairs down the sheet. */
static int put_record(wb *w, fw_xsheet *s, int *row, const char *title, fw_xquery *q)
{
    int r = *row, step;
    if (fw_xs_text(s, r++, 0, title, FW_XS_TITLE, w->err))
        return close_with(q, w->err->code);
    if ((step = fw_xq_step(q, w->err)) < 0)
        return close_with(q, w->err->code);
    for (int i = 0; step == 1 && i < fw_xq_ncols(q); i++, r++)
        if (fw_xs_text(s, r, 0, fw_xq_col(q, i)->label, FW_XS_LABEL, w->err) ||
            put_cell(w, s, r, 1, q, i))
            return close_with(q, w->err->code);
    fw_xs_keep_together(s, *row, r - 1);
    *row = r + 1;
    return close_with(q, FW_OK);
}

static fw_xsheet *new_sheet(wb *w, const char *name)
{
    fw_xsheet *s = fw_xlsx_sheet(w->x, name, w->err);
    if (s)
        w->sheets++;
    return s;
}

/* --- 概览: the summary ------------------------------------------------------------------------
 * Written last, into the sheet added first, from one query over the selected leads
 * (fw_xq_summary): every total counts each payment once, so a table's 合计 row is the money of the
 * whole selection, not the sum of its rows (two rules on one payment sit in two rows). */

static const struct {
    const char *title, *label, *chart;
} dims[FW_XDIM_COUNT_] = {
    [FW_XDIM_CATEGORY] = {"按类别", "类别", "各类别线索数"},
    [FW_XDIM_RULE] = {"按规则", "规则", NULL},
    [FW_XDIM_STATUS] = {"按状态", "状态", NULL},
    [FW_XDIM_TOWNSHIP] = {"按乡镇", "乡镇", "各乡镇线索数"},
};

/* One summary row: value, leads, money at issue, figures not based on payments. */
static int put_summary_row(wb *w, fw_xsheet *s, int row, fw_xquery *q, enum fw_xstyle key_style)
{
    return fw_xs_text(s, row, 0, fw_xq_text(q, 1), key_style, w->err) ||
                   fw_xs_number(s, row, 1, (double)fw_xq_int(q, 2), w->err) ||
                   fw_xs_money(s, row, 2, fw_xq_int(q, 3), w->err) ||
                   (fw_xq_int(q, 4) && fw_xs_money(s, row, 3, fw_xq_int(q, 4), w->err))
               ? w->err->code
               : FW_OK;
}

/* The whole selection's figures: every dimension's 合计. */
typedef struct totals_row {
    long long leads, paid, other;
} totals_row;

/* One dimension's table, kept on one page with its chart below it: q is at the dimension's first
 * row (or past the end) and is left at the next dimension's. *more: q's last step. */
static int put_dimension(wb *w, fw_xsheet *s, int *row, int d, fw_xquery *q, int *more, const totals_row *all)
{
    int r = *row, top = r;
    if (fw_xs_text(s, r++, 0, dims[d].title, FW_XS_TITLE, w->err) ||
        fw_xs_text(s, r, 0, dims[d].label, FW_XS_HEADER, w->err) ||
        fw_xs_text(s, r, 1, "线索数", FW_XS_HEADER, w->err) || fw_xs_text(s, r, 2, "涉及金额(元)", FW_XS_HEADER, w->err) ||
        fw_xs_text(s, r++, 3, "非发放金额(元)", FW_XS_HEADER, w->err))
        return w->err->code;
    int first = r;
    while (*more == 1 && fw_xq_int(q, 0) == d) {
        if (put_summary_row(w, s, r++, q, FW_XS_PLAIN))
            return w->err->code;
        *more = fw_xq_step(q, w->err);
    }
    if (*more < 0)
        return w->err->code;
    int last = r - 1;
    if (r == first) {
        if (fw_xs_text(s, r++, 0, "(无)", FW_XS_PLAIN, w->err))
            return w->err->code;
    } else if (fw_xs_text(s, r, 0, "合计", FW_XS_LABEL, w->err) || fw_xs_number(s, r, 1, (double)all->leads, w->err) ||
               fw_xs_money(s, r, 2, all->paid, w->err) || (all->other && fw_xs_money(s, r, 3, all->other, w->err)))
        return w->err->code;
    else
        r++;
    fw_xs_keep_together(s, top, r - 1);
    if (dims[d].chart && last >= first) {
        /* The chart under its table, never cut by a page break (with the table when both fit). */
        if (fw_xs_column_chart(s, r + 1, 0, dims[d].chart, "概览", first, last, 0, 1, w->err))
            return w->err->code;
        fw_xs_keep_together(s, r + 1, r + FW_XS_CHART_ROWS);
        fw_xs_keep_together(s, top, r + FW_XS_CHART_ROWS);
        r += 1 + FW_XS_CHART_ROWS;
    }
    *row = r + 1;
    return FW_OK;
}

static int put_summary(wb *w, fw_xsheet *s)
{
    char now[32];
    fw_now_iso(now);
    int row = 0;
    if (fw_xs_text(s, row++, 0, "财政补贴资金监督 线索汇总", FW_XS_TITLE, w->err) ||
        put_pair(w, s, row++, "筛选条件", w->filter_text) ||
        fw_xs_text(s, row, 0, "线索数", FW_XS_LABEL, w->err) ||
        fw_xs_number(s, row++, 1, (double)w->done, w->err) ||
        fw_xs_text(s, row, 0, "导出时间", FW_XS_LABEL, w->err) ||
        fw_xs_datetime(s, row++, 1, now, w->err) ||
        fw_xs_text(s, row, 0, "说明", FW_XS_LABEL, w->err) ||
        fw_xs_text(s, row++, 1, "涉及金额：线索依据的发放记录金额，同一笔发放只计一次；", FW_XS_NOTE, w->err) ||
        fw_xs_text(s, row++, 1, "合计是全部线索的涉及金额，不是各行相加。", FW_XS_NOTE, w->err) ||
        fw_xs_text(s, row++, 1, "非发放金额：村级统计值和未引用发放记录的线索金额，不计入涉及金额。", FW_XS_NOTE, w->err))
        return w->err->code;
    row++;
    fw_xquery *q;
    if (fw_xq_summary(w->ws, w->f, &q, w->err))
        return w->err->code;
    totals_row all = {0};
    int more = fw_xq_step(q, w->err);
    if (more == 1 && fw_xq_int(q, 0) == FW_XDIM_COUNT_) {
        all = (totals_row){fw_xq_int(q, 2), fw_xq_int(q, 3), fw_xq_int(q, 4)};
        more = fw_xq_step(q, w->err);
    }
    for (int d = 0; d < FW_XDIM_COUNT_; d++)
        if (put_dimension(w, s, &row, d, q, &more, &all))
            return close_with(q, w->err->code);
    return close_with(q, FW_OK);
}

/* The total the summary reports, which is also the progress total. */
static int count_leads(wb *w)
{
    w->total = fw_xq_count_leads(w->ws, w->f, w->err);
    return w->total < 0 ? w->err->code : FW_OK;
}

/* --- 线索清单 / 案件: long lists --------------------------------------------------------------- */

static void finish_list_sheet(fw_xsheet *s, int last_row, int ncols)
{
    fw_xs_autofilter(s, 0, last_row, ncols - 1);
}

static fw_xsheet *start_list_sheet(wb *w, const char *base, int part, fw_xquery *q)
{
    char name[64];
    if (part == 1)
        snprintf(name, sizeof name, "%s", base);
    else
        snprintf(name, sizeof name, "%s(%d)", base, part);
    fw_xsheet *s = new_sheet(w, name);
    if (!s || put_header(w, s, 0, q))
        return NULL;
    fw_xs_freeze_header(s, 0);
    fw_xs_repeat_rows(s, 0, 0);
    return s;
}

static int report_progress(wb *w)
{
    if (fw_xlsx_check(w->x, w->err))
        return w->err->code;
    if (w->o->progress && w->o->progress(w->o->progress_ctx, w->done, w->total))
        return fw_fail(w->err, FW_EINTR, _("export cancelled; no file was written"));
    return FW_OK;
}

/* Writes every row of q on sheets named base, base(2), ... each holding at most rows_per_sheet
 * rows under its header. Leads count towards progress when counts_progress. Takes q. */
static int put_list(wb *w, const char *base, fw_xquery *q, int counts_progress, long long *rows)
{
    long long limit = w->o->rows_per_sheet > 0 ? w->o->rows_per_sheet : FW_XLSX_MAX_ROWS - 1;
    if (limit > FW_XLSX_MAX_ROWS - 1)
        limit = FW_XLSX_MAX_ROWS - 1;
    int part = 1, step;
    long long row = 1;
    *rows = 0;
    fw_xsheet *s = start_list_sheet(w, base, part, q);
    if (!s)
        return close_with(q, w->err->code);
    while ((step = fw_xq_step(q, w->err)) == 1) {
        if (row - 1 == limit) {
            finish_list_sheet(s, (int)row - 1, fw_xq_ncols(q));
            if (!(s = start_list_sheet(w, base, ++part, q)))
                return close_with(q, w->err->code);
            row = 1;
        }
        if (put_row(w, s, (int)row++, q))
            return close_with(q, w->err->code);
        ++*rows;
        if (counts_progress && ++w->done % FW_EXPORT_PROGRESS_EVERY == 0 && report_progress(w))
            return close_with(q, w->err->code);
    }
    if (step < 0)
        return close_with(q, w->err->code);
    finish_list_sheet(s, (int)row - 1, fw_xq_ncols(q));
    return close_with(q, FW_OK);
}

/* --- one case: its evidence sheet ------------------------------------------------------------- */

/* A case number as a sheet name: Excel refuses []:*?/\ and more than 31 characters. */
static void sheet_name_for(const char *case_no, char *out, size_t outsz)
{
    snprintf(out, outsz < 32 ? outsz : 32, "%s", case_no);
    for (char *p = out; *p; p++)
        if (strchr("[]:*?/\\", *p))
            *p = '_';
}

/* The rule columns of fw_xq_case_rules. */
enum { RULE_HIT, RULE_ID, RULE_NAME, RULE_CATEGORY, RULE_SEVERITY, RULE_BASIS, RULE_DETAIL, RULE_AMOUNT,
       RULE_FROM, RULE_TO };

/* 命中规则及依据 as a form, three lines a lead (rule; finding; policy basis), the long texts in the
 * dossier's one wide column: a table with both texts side by side is too wide to print. Then the
 * leads' money, each payment once (two rules on the same payments do not double it). */
static int put_case_rules(wb *w, fw_xsheet *s, int *row, long long case_id)
{
    fw_xquery *q;
    if (fw_xq_case_rules(w->ws, case_id, &q, w->err))
        return w->err->code;
    int r = *row, step;
    static const char *const head[] = {"规则", "规则名称（类别，风险等级）", "涉及金额(元)", "起始日期", "截止日期"};
    if (fw_xs_text(s, r++, 0, "命中规则及依据", FW_XS_TITLE, w->err))
        return close_with(q, w->err->code);
    for (int c = 0; c < 5; c++)
        if (fw_xs_text(s, r, c, head[c], FW_XS_HEADER, w->err))
            return close_with(q, w->err->code);
    fw_xs_keep_together(s, *row, r + 3);
    r++;
    while ((step = fw_xq_step(q, w->err)) == 1) {
        char *name = fw_printf("%s（%s，风险%s）", fw_xq_text(q, RULE_NAME) ? fw_xq_text(q, RULE_NAME) : "",
                               fw_xq_text(q, RULE_CATEGORY), fw_xq_text(q, RULE_SEVERITY));
        int top = r;
        int rc = fw_xs_text(s, r, 0, fw_xq_text(q, RULE_ID), FW_XS_LABEL, w->err) ||
                 fw_xs_text(s, r, 1, name, FW_XS_WRAP, w->err) || put_cell(w, s, r, 2, q, RULE_AMOUNT) ||
                 put_cell(w, s, r, 3, q, RULE_FROM) || put_cell(w, s, r, 4, q, RULE_TO) ||
                 fw_xs_text(s, ++r, 0, "疑点描述", FW_XS_PLAIN, w->err) || put_cell(w, s, r, 1, q, RULE_DETAIL) ||
                 fw_xs_text(s, ++r, 0, "政策依据", FW_XS_PLAIN, w->err) || put_cell(w, s, r, 1, q, RULE_BASIS);
        free(name);
        if (rc)
            return close_with(q, w->err->code);
        fw_xs_keep_together(s, top, r);
        r++;
    }
    if (step < 0)
        return close_with(q, w->err->code);
    fw_money m;
    if (fw_xq_case_money(w->ws, case_id, &m, w->err))
        return close_with(q, w->err->code);
    if (fw_xs_text(s, r, 0, "合计", FW_XS_LABEL, w->err) ||
        fw_xs_text(s, r, 1, "同一笔发放只计一次", FW_XS_PLAIN, w->err) || fw_xs_money(s, r, 2, m.paid, w->err))
        return close_with(q, w->err->code);
    if (m.other && (fw_xs_text(s, ++r, 0, "非发放金额", FW_XS_LABEL, w->err) ||
                    fw_xs_text(s, r, 1, "村级统计值等，不计入涉及金额", FW_XS_PLAIN, w->err) ||
                    fw_xs_money(s, r, 2, m.other, w->err)))
        return close_with(q, w->err->code);
    *row = r + 2;
    return close_with(q, FW_OK);
}

/* A sheet of the case workbook, named by the case number and suffix, with its title. */
static fw_xsheet *case_sheet(wb *w, const char *case_no, const char *suffix, const char *what, int *row)
{
    char name[64], base[32];
    sheet_name_for(case_no, base, sizeof base);
    snprintf(name, sizeof name, "%s%s", base, suffix);
    fw_xsheet *s = new_sheet(w, name);
    char *title = fw_printf("案件 %s %s", case_no, what);
    int rc = !s || fw_xs_text(s, 0, 0, title, FW_XS_TITLE, w->err);
    free(title);
    if (rc)
        return NULL;
    fw_xs_measure_rows(s, FW_XLSX_MAX_ROWS);
    *row = 2;
    return s;
}

/* The case itself, readable at full size: its record, the leads and rules, the history one line per
 * change. Long texts share the wide second column. */
static int put_case_dossier(wb *w, long long case_id, const char *case_no)
{
    int row;
    fw_xsheet *s = case_sheet(w, case_no, "", "核查材料", &row);
    fw_xquery *q;
    if (!s)
        return w->err->code;
    fw_xs_text_width(s, 60);
    if (fw_xq_case_record(w->ws, case_id, &q, w->err) || put_record(w, s, &row, "案件信息", q) ||
        put_case_rules(w, s, &row, case_id) || fw_xq_case_history(w->ws, case_id, &q, w->err) ||
        put_table(w, s, &row, "办理过程", q, NO_TOTALS, NULL, NULL))
        return w->err->code;
    return FW_OK;
}

/* The registries' rows behind the case (person, household, payments, every other registry cited),
 * with all their columns: wide tables, on their own sheet so they do not shrink the dossier. */
static int put_case_evidence(wb *w, long long case_id, const char *case_no)
{
    int row;
    fw_xsheet *s = case_sheet(w, case_no, "证据", "比对证据", &row);
    fw_xquery *q;
    if (!s)
        return w->err->code;
    fw_xs_text_width(s, 24);
    if (fw_xq_case_person(w->ws, case_id, &q, w->err) || put_table(w, s, &row, "人员信息", q, NO_TOTALS, NULL, NULL) ||
        fw_xq_case_household(w->ws, case_id, &q, w->err) ||
        put_table(w, s, &row, "家庭成员", q, NO_TOTALS, NULL, NULL) ||
        fw_xq_case_payments(w->ws, case_id, &q, w->err) ||
        put_table(w, s, &row, "涉及发放记录", q, MONEY_TOTALS, NULL, NULL))
        return w->err->code;
    char **sets;
    int nsets;
    if (fw_xq_case_evidence_sets(w->ws, case_id, &sets, &nsets, w->err))
        return w->err->code;
    int rc = FW_OK;
    for (int i = 0; i < nsets && !rc; i++) {
        char *t = fw_printf("比对证据：%s", fw_dataset_find(sets[i])->label_zh);
        rc = fw_xq_case_evidence(w->ws, case_id, sets[i], &q, w->err) || put_table(w, s, &row, t, q, NO_TOTALS, NULL, NULL);
        free(t);
    }
    fw_xq_free_names(sets, nsets);
    return rc ? w->err->code : FW_OK;
}

static int put_case_sheet(wb *w, long long case_id)
{
    char *case_no = fw_xq_case_no(w->ws, case_id);
    if (!case_no)
        return fw_fail(w->err, FW_ENOTFOUND, _("case %lld disappeared while exporting"), case_id);
    int rc = put_case_dossier(w, case_id, case_no) || put_case_evidence(w, case_id, case_no) ? w->err->code : FW_OK;
    free(case_no);
    return rc;
}

static int put_case_sheets(wb *w)
{
    long long *ids;
    int n;
    if (fw_xq_case_ids(w->ws, w->f, &ids, &n, w->err))
        return w->err->code;
    for (int i = 0; i < n; i++)
        if (put_case_sheet(w, ids[i])) {
            free(ids);
            return w->err->code;
        }
    free(ids);
    return FW_OK;
}

/* --- 数据来源: provenance ---------------------------------------------------------------------- */

/* The trail anchor of this moment (export/provenance.h), which `log verify --against` reads back. */
static int put_anchor(wb *w, fw_xsheet *s, int row)
{
    fw_anchor a;
    if (fw_anchor_take(w->ws, &a, w->err))
        return w->err->code;
    char line[FW_ANCHOR_LINE_MAX];
    fw_anchor_format(&a, line);
    return put_pair(w, s, row, FW_PROVENANCE_ANCHOR_LABEL, line);
}

static int put_provenance(wb *w, long long rows)
{
    fw_xsheet *s = new_sheet(w, "数据来源");
    if (!s)
        return w->err->code;
    char now[32], stamp[FW_TIME_SIZE];
    fw_now_iso(now);
    char *version = fw_printf("fundwatch %s", FW_VERSION);
    int row = 0;
    /* Times here are evidence: local time with seconds and the offset from UTC. */
    int rc = fw_xs_text(s, row++, 0, "数据来源与导出记录", FW_XS_TITLE, w->err) ||
             put_pair(w, s, row++, "导出人", fw_user()) ||
             put_pair(w, s, row++, "导出时间", fw_time_local(now, FW_TIME_EVIDENCE, stamp, sizeof stamp)) ||
             put_pair(w, s, row++, "工具版本", version) ||
             put_pair(w, s, row++, "工作区", fw_ws_label(w->ws)) ||
             put_pair(w, s, row++, "筛选条件", w->filter_text) ||
             fw_xs_text(s, row, 0, "导出行数", FW_XS_LABEL, w->err) ||
             fw_xs_number(s, row++, 1, (double)rows, w->err) ||
             put_pair(w, s, row++, "保密标识", w->classification) || put_anchor(w, s, row++);
    free(version);
    if (rc)
        return w->err->code;
    row++;
    fw_xquery *q;
    if (fw_xq_prov_imports(w->ws, w->f, &q, w->err) || put_table(w, s, &row, "导入数据", q, NO_TOTALS, NULL, NULL) ||
        fw_xq_prov_runs(w->ws, w->f, &q, w->err) || put_table(w, s, &row, "规则运行", q, NO_TOTALS, NULL, NULL) ||
        fw_xq_prov_rules(w->ws, w->f, &q, w->err) || put_table(w, s, &row, "规则集", q, NO_TOTALS, NULL, NULL))
        return w->err->code;
    return FW_OK;
}

/* --- the workbook ----------------------------------------------------------------------------- */

static int put_sheets(wb *w, enum fw_wb_content what, fw_export_result *res)
{
    fw_xquery *q;
    long long cases = 0;
    if (count_leads(w))
        return w->err->code;
    if (what == FW_WB_CASE_LIST) {
        if (fw_xq_cases(w->ws, w->f, &q, w->err) || put_list(w, "案件", q, 0, &cases) || report_progress(w))
            return w->err->code;
        res->rows = cases;
        return put_provenance(w, cases);
    }
    /* A cancel is seen between the long parts too: the case list and the summary count money
     * with a query each, which at a million leads takes seconds. */
    fw_xsheet *summary = new_sheet(w, "概览"); /* first in the workbook, written last */
    if (!summary || report_progress(w) || fw_xq_leads(w->ws, w->f, &q, w->err) ||
        put_list(w, "线索清单", q, 1, &res->rows) || report_progress(w) ||
        fw_xq_cases(w->ws, w->f, &q, w->err) || put_list(w, "案件", q, 0, &cases) || report_progress(w) ||
        put_case_sheets(w) || report_progress(w) || put_summary(w, summary) || report_progress(w))
        return w->err->code;
    return put_provenance(w, res->rows);
}

int fw_wb_write(fw_ws *ws, const fw_hit_filter *f, enum fw_wb_content what, const char *path,
                const char *classification, const fw_export_opts *o, fw_export_result *res,
                fw_err *err)
{
    wb w = {.ws = ws, .f = f, .o = o, .classification = classification, .err = err};
    if (fw_xlsx_new(path, classification, &w.x, err))
        return err->code;
    w.filter_text = fw_xq_filter_text(f);
    int rc = put_sheets(&w, what, res);
    free(w.filter_text);
    res->sheets = w.sheets;
    if (rc) {
        fw_xlsx_discard(w.x);
        return rc;
    }
    return fw_xlsx_close(w.x, err);
}
