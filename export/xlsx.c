/* xlsx.c: fundwatch's only contact with libxlsxwriter (see xlsx.h). Keeping the library behind
 * this file means the rest of export/ speaks in rows, kinds and styles, and a change of library
 * (or of its version's quirks) touches one file. */
#include "export/xlsx.h"
#include "audit/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "audit/util.h"

enum { MAX_COLS = 64, DEFAULT_MEASURE_ROWS = 10000, ROW_START_MAX = 64, SHOWN_MAX = 60 };

/* A text cell that may wrap: its column and display width, kept to estimate its row's height. */
typedef struct wide_cell {
    int row, col, width;
} wide_cell;

/* Rows printed together when they fit on a page. */
typedef struct block {
    int first, last;
} block;

struct fw_xsheet {
    lxw_worksheet *ws;
    struct fw_xlsx *book;   /* the workbook holding the formats */
    int width[MAX_COLS];    /* widest display width written to each column */
    int measure_rows;       /* rows below this are not measured */
    /* Where a cell is, in words, for an error about its text: the latest header of each column
     * and the first cell of the row being written. */
    char *header[MAX_COLS];
    char row_start[ROW_START_MAX];
    int row_start_row;
    int last_row;           /* the highest row written (measured rows only) */
    int height_row, height_lines; /* the row whose height was set last, and its lines */
    int text_width;         /* widest a text column gets (fw_xs_text_width) */
    unsigned char *tall;    /* per measured row: 1 = a title (larger font) */
    int ntall;
    wide_cell *wide;        /* text cells wider than a narrow column, measured rows only */
    int nwide, capwide;
    block *blocks;
    int nblocks;
    struct fw_xsheet *next;
};

struct fw_xlsx {
    lxw_workbook *wb;
    char *footer;
    char *path;
    lxw_format *header, *title, *label, *wrap, *plain, *number, *money, *date, *month, *datetime;
    fw_xsheet *sheets;     /* owned list, newest first */
};

/* ---- text that may go into the workbook's XML ------------------------------------------------- */

/* Copies at most max bytes of s into out (size max + 1), cut at a character boundary. */
static void copy_start(char *out, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Why text cannot be written as it is, or NULL: not valid UTF-8 (the XML would not be
 * well-formed), or for names and marks, which libxlsxwriter does not escape, a control character.
 * *at gets the offending byte's offset. */
static const char *text_problem(const char *text, int controls_allowed, long *at)
{
    if ((*at = fw_utf8_invalid_at(text)) >= 0)
        return "is not valid UTF-8";
    if (controls_allowed)
        return NULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20) {
            *at = (long)(p - (const unsigned char *)text);
            return "holds a control character";
        }
    return NULL;
}

/* "byte 0xB7 after \"发放流水号\"" (or "at the start"), printable whatever the text holds. */
static void describe_byte(fw_buf *out, const char *text, long at)
{
    char *before = fw_strndup(text, (size_t)at);
    const char *from = at > SHOWN_MAX ? before + at - SHOWN_MAX : before;
    while (((unsigned char)*from & 0xC0) == 0x80) /* the last SHOWN_MAX bytes, whole characters */
        from++;
    char shown[SHOWN_MAX + 1];
    copy_start(shown, from, SHOWN_MAX);
    fw_buf scratch = {0};
    const char *v = fw_visible(shown, &scratch);
    fw_buf_printf(out, "byte 0x%02X ", (unsigned char)text[at]);
    if (at == 0)
        fw_buf_puts(out, "at the start");
    else
        fw_buf_printf(out, "after \"%s%s\"", at > SHOWN_MAX ? "…" : "", v);
    fw_buf_free(&scratch);
    free(before);
}

static int lxw_fail(fw_err *err, lxw_error e, const char *what)
{
    return fw_fail(err, FW_EFAIL, "%s: %s", what, lxw_strerror(e));
}

/* The footer: classification on the left, "第 N 页 共 M 页" in the middle. A literal '&' in the
 * classification must be doubled, since '&' starts a footer code. */
static char *make_footer(const char *classification)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "&L");
    for (const char *p = classification; *p; p++) {
        if (*p == '&')
            fw_buf_putc(&b, '&');
        fw_buf_putc(&b, *p);
    }
    fw_buf_puts(&b, "&C第 &P 页 共 &N 页");
    return fw_buf_steal(&b);
}

static void make_formats(fw_xlsx *x)
{
    x->header = workbook_add_format(x->wb);
    format_set_bold(x->header);
    format_set_bg_color(x->header, 0xD9E1F2);
    format_set_border(x->header, LXW_BORDER_THIN);
    format_set_text_wrap(x->header);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_TOP);
    x->title = workbook_add_format(x->wb);
    format_set_bold(x->title);
    format_set_font_size(x->title, 14);
    x->label = workbook_add_format(x->wb);
    format_set_bold(x->label);
    format_set_text_wrap(x->label);
    format_set_align(x->label, LXW_ALIGN_VERTICAL_TOP);
    /* Text wraps within its column: cut off or running into the next cell it cannot be read. */
    x->plain = workbook_add_format(x->wb);
    format_set_text_wrap(x->plain);
    format_set_align(x->plain, LXW_ALIGN_VERTICAL_TOP);
    x->wrap = x->plain;
    /* Everything at the top of its row, so a number sits level with the wrapped text beside it. */
    x->number = workbook_add_format(x->wb);
    format_set_align(x->number, LXW_ALIGN_VERTICAL_TOP);
    x->money = workbook_add_format(x->wb);
    format_set_align(x->money, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(x->money, "#,##0.00");
    x->date = workbook_add_format(x->wb);
    format_set_align(x->date, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(x->date, "yyyy-mm-dd");
    x->month = workbook_add_format(x->wb);
    format_set_align(x->month, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(x->month, "yyyy-mm");
    x->datetime = workbook_add_format(x->wb);
    format_set_align(x->datetime, LXW_ALIGN_VERTICAL_TOP);
    format_set_num_format(x->datetime, "yyyy-mm-dd hh:mm");
}

int fw_xlsx_new(const char *path, const char *classification, fw_xlsx **out, fw_err *err)
{
    *out = NULL;
    long at;
    const char *why = text_problem(classification, 0, &at);
    if (why) {
        fw_buf b = {0};
        describe_byte(&b, classification, at);
        fw_fail(err, FW_EDATA, _("the classification mark %s (%s); no workbook was written; give a plain one with "
                               "--classification or set export.classification again"), why, b.data);
        fw_buf_free(&b);
        return FW_EDATA;
    }
    /* libxlsxwriter's own temporary files go beside the output, so a full disk shows up while
     * rows are written, and a small /tmp does not limit the size of a workbook. */
    char *dir = fw_strdup(path);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .use_zip64 = LXW_TRUE,
                                .tmpdir = slash ? dir : NULL};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    free(dir);
    if (!wb)
        return fw_fail(err, FW_EFAIL, _("cannot start a workbook at %s (out of memory or temporary files)"), path);
    fw_xlsx *x = fw_calloc(1, sizeof *x);
    x->wb = wb;
    x->footer = make_footer(classification);
    x->path = fw_strdup(path);
    make_formats(x);
    *out = x;
    return FW_OK;
}

/* Each column fitted to the widest text measured, text columns at most the sheet's text width
 * (longer text wraps). Excel's width unit is about one Latin character; fw_utf8_width counts a
 * CJK character as two. */
static int column_width(const fw_xsheet *s, int c)
{
    if (s->width[c] == 0)
        return 0;
    int w = s->width[c] + 2;
    return w > s->text_width ? s->text_width : w;
}

static void fit_columns(fw_xsheet *s)
{
    for (int c = 0; c < MAX_COLS; c++)
        if (s->width[c])
            worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, column_width(s, c), NULL);
}

/* --- print layout ----------------------------------------------------------------------------
 * A4 landscape, default margins (0.7 in left and right, 0.75 in top and bottom): 741 x 487 points
 * to print on. Sheets are scaled to fit the page width (an explicit scale rather than Excel's "fit
 * to 1 page wide", which would ignore the page breaks that keep blocks together). The estimates
 * err on the large side (wider characters, taller lines than Calibri's), so that a block believed
 * to fit does fit in LibreOffice and Excel alike. */
enum { PRINT_WIDTH_PT = 741, PRINT_HEIGHT_PT = 487, LINE_PT = 15, WRAP_LINE_PT = 14, TITLE_PT = 22,
       MAX_BREAKS = 1000 };

/* Lines a text of this display width takes in a column of at most cap: the column is never
 * narrower than its widest text up to the cap, so only text beyond it wraps. The margin covers
 * CJK glyphs a little wider than two digits and breaks at spaces. */
static int wrapped_lines(int width, int cap)
{
    int room = cap - 1;
    return width + 2 <= cap ? 1 : (int)((width * 1.05 + room - 1) / room);
}

static double column_points(int width)
{
    return width ? (7.0 * width + 5) * 0.75 * 1.1 : 48 * 1.1; /* unset: Excel's default 8.43 */
}

static int print_scale(const fw_xsheet *s)
{
    int lastcol = -1;
    for (int c = 0; c < MAX_COLS; c++)
        if (s->width[c])
            lastcol = c;
    double total = 0;
    for (int c = 0; c <= lastcol; c++)
        total += column_points(column_width(s, c));
    int scale = total > PRINT_WIDTH_PT ? (int)(100.0 * PRINT_WIDTH_PT / total) : 100;
    return scale < 10 ? 10 : scale;
}

/* Estimated printed height of each row up to the last measured one, in points. Caller frees. */
static double *row_heights(const fw_xsheet *s)
{
    double *h = fw_calloc((size_t)s->last_row + 1, sizeof *h);
    for (int r = 0; r <= s->last_row; r++)
        h[r] = r < s->ntall && s->tall[r] ? TITLE_PT : LINE_PT;
    for (int i = 0; i < s->nwide; i++) {
        const wide_cell *c = &s->wide[i];
        int lines = wrapped_lines(c->width, s->text_width);
        if (lines > 1 && lines * WRAP_LINE_PT > h[c->row])
            h[c->row] = lines * WRAP_LINE_PT;
    }
    return h;
}

/* By first row, then the longest first. */
static int by_first(const void *a, const void *b)
{
    const block *x = a, *y = b;
    return x->first != y->first ? x->first - y->first : y->last - x->last;
}

/* Places a page break before every block that would otherwise be split and fits on a page. */
static void place_breaks(fw_xsheet *s, int scale)
{
    if (!s->nblocks || s->last_row <= 0)
        return;
    qsort(s->blocks, (size_t)s->nblocks, sizeof *s->blocks, by_first);
    double *h = row_heights(s);
    double page = PRINT_HEIGHT_PT * 100.0 / scale, y = 0;
    lxw_row_t *breaks = fw_calloc(MAX_BREAKS + 1, sizeof *breaks);
    int nbreaks = 0, b = 0;
    for (int r = 0; r <= s->last_row; r++) {
        while (b < s->nblocks && s->blocks[b].first < r)
            b++;
        /* Of the blocks starting here, the longest that fits on a page decides. */
        for (; b < s->nblocks && s->blocks[b].first == r; b++) {
            double need = 0;
            for (int k = r; k <= s->blocks[b].last && k <= s->last_row; k++)
                need += h[k];
            if (need > page)
                continue;
            if (y > 0 && y + need > page && nbreaks < MAX_BREAKS) {
                breaks[nbreaks++] = (lxw_row_t)r;
                y = 0;
            }
            break;
        }
        if (y + h[r] > page)
            y = 0; /* the page ends here by itself */
        y += h[r];
    }
    if (nbreaks)
        worksheet_set_h_pagebreaks(s->ws, breaks);
    free(breaks);
    free(h);
}

static void lay_out(fw_xsheet *s)
{
    fit_columns(s);
    int scale = print_scale(s);
    worksheet_set_print_scale(s->ws, (uint16_t)scale); /* replaces fit-to-width: breaks count */
    place_breaks(s, scale);
}

static void free_sheets(fw_xlsx *x)
{
    while (x->sheets) {
        fw_xsheet *next = x->sheets->next;
        for (int c = 0; c < MAX_COLS; c++)
            free(x->sheets->header[c]);
        free(x->sheets->tall);
        free(x->sheets->wide);
        free(x->sheets->blocks);
        free(x->sheets);
        x->sheets = next;
    }
}

/* A complete .xlsx (a zip without a comment) ends with the 22-byte end-of-central-directory
 * record. Checked because a short write of the archive must not pass for a workbook. */
static int check_zip_end(const char *path, fw_err *err)
{
    unsigned char end[22];
    FILE *f = fopen(path, "rb");
    int ok = f && fseek(f, -22, SEEK_END) == 0 && fread(end, 1, sizeof end, f) == sizeof end &&
             memcmp(end, "PK\x05\x06", 4) == 0;
    if (f)
        fclose(f);
    return ok ? FW_OK : fw_fail(err, FW_EFAIL, _("the workbook was not written completely (disk full?)"));
}

int fw_xlsx_check(fw_xlsx *x, fw_err *err)
{
    for (fw_xsheet *s = x->sheets; s; s = s->next) {
        FILE *f = s->ws->optimize_tmpfile;
        if (f && (fflush(f) != 0 || ferror(f)))
            return fw_fail(err, FW_EFAIL, _("writing the sheet data failed: %s (disk full?)"), strerror(errno));
    }
    return FW_OK;
}

int fw_xlsx_close(fw_xlsx *x, fw_err *err)
{
    /* libxlsxwriter 1.1 does not check its writes to a constant-memory sheet's temporary file:
     * a full disk would give a truncated sheet in a workbook it calls complete. */
    if (fw_xlsx_check(x, err)) {
        fw_xlsx_discard(x);
        return err->code;
    }
    for (fw_xsheet *s = x->sheets; s; s = s->next)
        lay_out(s);
    lxw_error e = workbook_close(x->wb);
    free_sheets(x);
    free(x->footer);
    int rc = e != LXW_NO_ERROR ? lxw_fail(err, e, "writing the workbook failed (disk full or not writable?)")
                               : check_zip_end(x->path, err);
    free(x->path);
    free(x);
    return rc;
}

void fw_xlsx_discard(fw_xlsx *x)
{
    if (!x)
        return;
    lxw_workbook_free(x->wb);
    free_sheets(x);
    free(x->footer);
    free(x->path);
    free(x);
}

fw_xsheet *fw_xlsx_sheet(fw_xlsx *x, const char *name, fw_err *err)
{
    long at;
    const char *why = text_problem(name, 0, &at);
    if (why) {
        fw_buf b = {0};
        describe_byte(&b, name, at);
        fw_fail(err, FW_EDATA, _("a sheet name %s (%s); no workbook was written"), why, b.data);
        fw_buf_free(&b);
        return NULL;
    }
    lxw_error e = workbook_validate_sheet_name(x->wb, name);
    if (e != LXW_NO_ERROR) {
        lxw_fail(err, e, name);
        return NULL;
    }
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws) {
        fw_fail(err, FW_EFAIL, _("cannot add the sheet %s"), name);
        return NULL;
    }
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    /* the print scale is set when the workbook closes (lay_out), from the final column widths */
    worksheet_set_footer(ws, x->footer);
    fw_xsheet *s = fw_calloc(1, sizeof *s);
    s->ws = ws;
    s->book = x;
    s->measure_rows = DEFAULT_MEASURE_ROWS;
    s->height_row = -1;
    s->text_width = FW_XS_TEXT_WIDTH;
    s->next = x->sheets;
    x->sheets = s;
    return s;
}

static void measure(fw_xsheet *s, int row, int col, int width)
{
    if (col < MAX_COLS && row < s->measure_rows && width > s->width[col])
        s->width[col] = width;
    if (row < s->measure_rows && row > s->last_row)
        s->last_row = row;
}

/* A row holding wrapped text gets its height set: neither LibreOffice nor Excel grows a row for
 * wrapped text written this way, and the text would print over the next row. */
static void fit_row_height(fw_xsheet *s, int row, int width)
{
    int lines = wrapped_lines(width, s->text_width);
    if (lines < 2)
        return;
    if (s->height_row != row)
        s->height_row = row, s->height_lines = 1;
    if (lines > s->height_lines) {
        s->height_lines = lines;
        worksheet_set_row(s->ws, (lxw_row_t)row, WRAP_LINE_PT * lines, NULL);
    }
}

/* Remembers a text cell that may wrap (wider than the narrowest text column), for its row's height. */
static void remember_wide(fw_xsheet *s, int row, int col, int width)
{
    if (row >= s->measure_rows || col >= MAX_COLS || width <= 8)
        return;
    if (s->nwide == s->capwide) {
        s->capwide = s->capwide ? s->capwide * 2 : 64;
        s->wide = fw_realloc(s->wide, (size_t)s->capwide * sizeof *s->wide);
    }
    s->wide[s->nwide++] = (wide_cell){row, col, width};
}

static void remember_title(fw_xsheet *s, int row)
{
    if (row >= s->measure_rows)
        return;
    if (row >= s->ntall) {
        int n = row + 64;
        s->tall = fw_realloc(s->tall, (size_t)n);
        memset(s->tall + s->ntall, 0, (size_t)(n - s->ntall));
        s->ntall = n;
    }
    s->tall[row] = 1;
}

void fw_xs_text_width(fw_xsheet *s, int width)
{
    s->text_width = width;
}

void fw_xs_keep_together(fw_xsheet *s, int first, int last)
{
    if (first < 0 || last < first || last >= s->measure_rows)
        return;
    s->blocks = fw_realloc(s->blocks, (size_t)(s->nblocks + 1) * sizeof *s->blocks);
    s->blocks[s->nblocks++] = (block){first, last};
}

static int check(lxw_error e, int row, int col, fw_err *err)
{
    if (e == LXW_NO_ERROR)
        return FW_OK;
    return fw_fail(err, FW_EFAIL, _("cell row %d column %d: %s"), row + 1, col + 1, lxw_strerror(e));
}

/* The format for a style (NULL = default). */
static lxw_format *style_format(fw_xsheet *s, enum fw_xstyle style)
{
    fw_xlsx *x = s->book;
    switch (style) {
    case FW_XS_HEADER: return x->header;
    case FW_XS_TITLE: return x->title;
    case FW_XS_LABEL: return x->label;
    case FW_XS_WRAP: return x->wrap;
    case FW_XS_NOTE: return NULL;
    default: return x->plain;
    }
}

/* Spreadsheet column letters: 0 -> A, 25 -> Z, 26 -> AA. */
static void column_letters(int col, char out[8])
{
    char rev[8];
    int n = 0;
    for (col++; col > 0 && n < 7; col = (col - 1) / 26)
        rev[n++] = (char)('A' + (col - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    out[n] = '\0';
}

/* Remembers what will name a cell in an error: headers, and the first cell of each row. */
static void remember(fw_xsheet *s, int row, int col, const char *text, enum fw_xstyle style)
{
    if (col >= MAX_COLS)
        return;
    if (style == FW_XS_HEADER) {
        free(s->header[col]);
        s->header[col] = fw_strdup(text);
    }
    if (col == 0) {
        copy_start(s->row_start, text, ROW_START_MAX - 1);
        s->row_start_row = row;
    }
}

/* The error for text that cannot be written: sheet!cell, the column's header and the row's first
 * cell, so the user can find the lead, case or rule it came from. */
static int bad_text(fw_xsheet *s, int row, int col, const char *text, const char *why, long at, fw_err *err)
{
    char letters[8];
    column_letters(col, letters);
    fw_buf where = {0}, scratch = {0};
    fw_buf_printf(&where, "%s!%s%d", s->ws->name, letters, row + 1);
    const char *head = col < MAX_COLS ? s->header[col] : NULL;
    if (head)
        fw_buf_printf(&where, " (%s", fw_visible(head, &scratch));
    if (col > 0 && s->row_start_row == row && s->row_start[0])
        fw_buf_printf(&where, "%s in the row of %s%s%s", head ? "," : " (", s->header[0] ? s->header[0] : "",
                      s->header[0] ? " " : "", fw_visible(s->row_start, &scratch));
    if (head || (col > 0 && s->row_start_row == row && s->row_start[0]))
        fw_buf_putc(&where, ')');
    fw_buf byte = {0};
    describe_byte(&byte, text, at);
    fw_fail(err, FW_EDATA,
            _("%s: the text %s (%s); no workbook was written. The text comes from the workspace: a rule file or "
            "ledger not saved as UTF-8? Check the rule files with `fundwatch rules check`, correct the source and "
            "run the rules again"),
            where.data, why, byte.data);
    fw_buf_free(&where);
    fw_buf_free(&scratch);
    fw_buf_free(&byte);
    return FW_EDATA;
}

int fw_xs_text(fw_xsheet *s, int row, int col, const char *text, enum fw_xstyle style, fw_err *err)
{
    if (!text || !*text) {
        if (style == FW_XS_PLAIN || style == FW_XS_WRAP)
            return FW_OK;
        text = "";
    }
    /* Control characters are fine here: libxlsxwriter writes them as Excel's _xHHHH_ escapes. */
    long at;
    const char *why = text_problem(text, 1, &at);
    if (why)
        return bad_text(s, row, col, text, why, at, err);
    remember(s, row, col, text, style);
    /* A header is measured with a little room for the autofilter button; a title and a note read
     * across the empty cells beside them and do not widen their column. */
    if (row < s->measure_rows) {
        int width = fw_utf8_width(text) + (style == FW_XS_HEADER ? 2 : 0);
        if (style == FW_XS_TITLE)
            remember_title(s, row);
        if (style == FW_XS_TITLE || style == FW_XS_NOTE)
            measure(s, row, col, 0);
        else {
            measure(s, row, col, width);
            remember_wide(s, row, col, width);
        }
    }
    if (style != FW_XS_TITLE && style != FW_XS_NOTE)
        fit_row_height(s, row, fw_utf8_width(text));
    lxw_format *f = style_format(s, style);
    lxw_error e = *text ? worksheet_write_string(s->ws, (lxw_row_t)row, (lxw_col_t)col, text, f)
                        : worksheet_write_blank(s->ws, (lxw_row_t)row, (lxw_col_t)col, f);
    return check(e, row, col, err);
}

int fw_xs_number(fw_xsheet *s, int row, int col, double v, fw_err *err)
{
    if (col == 0) {
        snprintf(s->row_start, sizeof s->row_start, "%.15g", v);
        s->row_start_row = row;
    }
    measure(s, row, col, 10);
    return check(worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col, v, s->book->number), row, col, err);
}

int fw_xs_money(fw_xsheet *s, int row, int col, long long fen, fw_err *err)
{
    measure(s, row, col, 14);
    return check(worksheet_write_number(s->ws, (lxw_row_t)row, (lxw_col_t)col, (double)fen / 100.0,
                                        s->book->money),
                 row, col, err);
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Parses YYYY-MM[-DD][THH:MM:SS]; returns the number of parts found (2 month, 3 date, 6
 * date-time) or 0 when the text is none of these. */
static int parse_iso(const char *s, lxw_datetime *dt)
{
    size_t n = strlen(s);
    memset(dt, 0, sizeof *dt);
    if (n < 7 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2))
        return 0;
    dt->year = atoi(s);
    dt->month = atoi(s + 5);
    dt->day = 1;
    if (dt->year < 1900 || dt->month < 1 || dt->month > 12)
        return 0;
    if (n == 7)
        return 2;
    if (n < 10 || s[7] != '-' || !digits(s + 8, 2))
        return 0;
    dt->day = atoi(s + 8);
    if (dt->day < 1 || dt->day > 31)
        return 0;
    if (n == 10)
        return 3;
    if (n < 19 || (s[10] != 'T' && s[10] != ' ') || !digits(s + 11, 2) || !digits(s + 14, 2) ||
        !digits(s + 17, 2))
        return 0;
    dt->hour = atoi(s + 11);
    dt->min = atoi(s + 14);
    dt->sec = atoi(s + 17);
    return 6;
}

static int write_when(fw_xsheet *s, int row, int col, const char *iso, int want_time, fw_err *err)
{
    if (!iso || !*iso)
        return FW_OK;
    lxw_datetime dt;
    int parts = parse_iso(iso, &dt);
    struct tm tm;
    if (parts == 6 && fw_time_local_tm(iso, &tm)) { /* stored in UTC, read in local time */
        dt.year = tm.tm_year + 1900, dt.month = tm.tm_mon + 1, dt.day = tm.tm_mday;
        dt.hour = tm.tm_hour, dt.min = tm.tm_min, dt.sec = tm.tm_sec;
    }
    if (parts == 0)
        return fw_xs_text(s, row, col, iso, FW_XS_PLAIN, err);
    fw_xlsx *x = s->book;
    lxw_format *f = parts == 2 ? x->month : parts == 6 && want_time ? x->datetime : x->date;
    if (!want_time)
        dt.hour = dt.min = 0, dt.sec = 0;
    measure(s, row, col, f == x->datetime ? 16 : 10);
    return check(worksheet_write_datetime(s->ws, (lxw_row_t)row, (lxw_col_t)col, &dt, f), row, col, err);
}

int fw_xs_date(fw_xsheet *s, int row, int col, const char *iso, fw_err *err)
{
    return write_when(s, row, col, iso, 0, err);
}

int fw_xs_datetime(fw_xsheet *s, int row, int col, const char *iso, fw_err *err)
{
    return write_when(s, row, col, iso, 1, err);
}

void fw_xs_freeze_header(fw_xsheet *s, int header_row)
{
    worksheet_freeze_panes(s->ws, (lxw_row_t)(header_row + 1), 0);
}

void fw_xs_repeat_rows(fw_xsheet *s, int first, int last)
{
    worksheet_repeat_rows(s->ws, (lxw_row_t)first, (lxw_row_t)last);
}

void fw_xs_autofilter(fw_xsheet *s, int first_row, int last_row, int last_col)
{
    worksheet_autofilter(s->ws, (lxw_row_t)first_row, 0, (lxw_row_t)last_row, (lxw_col_t)last_col);
}

void fw_xs_measure_rows(fw_xsheet *s, int rows)
{
    s->measure_rows = rows;
}

int fw_xs_column_chart(fw_xsheet *s, int row, int col, const char *title, const char *data_sheet,
                       int first, int last, int cat_col, int val_col, fw_err *err)
{
    fw_xlsx *x = s->book;
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    if (!chart)
        return fw_fail(err, FW_EFAIL, _("cannot add the chart %s"), title);
    lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
    chart_series_set_categories(series, data_sheet, (lxw_row_t)first, (lxw_col_t)cat_col,
                                (lxw_row_t)last, (lxw_col_t)cat_col);
    chart_series_set_values(series, data_sheet, (lxw_row_t)first, (lxw_col_t)val_col,
                            (lxw_row_t)last, (lxw_col_t)val_col);
    chart_title_set_name(chart, title);
    if (row + FW_XS_CHART_ROWS - 1 > s->last_row && row + FW_XS_CHART_ROWS - 1 < s->measure_rows)
        s->last_row = row + FW_XS_CHART_ROWS - 1; /* the rows it covers count for the page layout */
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    /* Counts and money start at 0: an axis LibreOffice scales from 80 (three townships with 89 to
     * 103 leads) makes them look ten times apart. */
    chart_axis_set_min(chart->y_axis, 0);
    return check(worksheet_insert_chart(s->ws, (lxw_row_t)row, (lxw_col_t)col, chart), row, col, err);
}
