/* xlsx.h: the narrow interface to libxlsxwriter (xlsx.c is the only file that includes
 * xlsxwriter.h). A workbook is written in constant-memory mode: within a sheet, rows must be
 * written in increasing order, one row finished before the next starts. Sheets remember the
 * display width of what was written to each column and fit their columns when the workbook
 * closes. Every sheet is set up for print: A4 landscape, fit to page width, a footer with the
 * classification mark and page numbers. */
#ifndef FW_XLSX_H
#define FW_XLSX_H

#include "audit/util.h"

typedef struct fw_xlsx fw_xlsx;
typedef struct fw_xsheet fw_xsheet;

/* Cell styles. */
enum fw_xstyle {
    FW_XS_PLAIN,
    FW_XS_HEADER, /* bold, shaded, bordered: a table's header row */
    FW_XS_TITLE,  /* bold and larger: a section title */
    FW_XS_LABEL   /* bold: the label of a label/value pair */
};

/* Creates the workbook at path (written when closed). classification is printed in every
 * sheet's footer. */
int fw_xlsx_new(const char *path, const char *classification, fw_xlsx **out, fw_err *err);
/* Writes and frees the workbook. Returns FW_OK or FW_EFAIL with the reason. */
int fw_xlsx_close(fw_xlsx *wb, fw_err *err);
/* Checks that everything written so far reached the sheets' temporary files (FW_EFAIL when the
 * disk is full). Called now and then while writing, and by fw_xlsx_close. */
int fw_xlsx_check(fw_xlsx *wb, fw_err *err);
/* Frees the workbook after a failure or a cancel (the file at path may be left partly written;
 * the caller removes it). */
void fw_xlsx_discard(fw_xlsx *wb);

/* Adds a sheet (Excel's limits: 31 characters, no []:*?/\). NULL with err set on failure. */
fw_xsheet *fw_xlsx_sheet(fw_xlsx *wb, const char *name, fw_err *err);

/* Cells. Each returns FW_OK or FW_EFAIL (err set), e.g. when a row or column is out of range.
 * Text must be valid UTF-8: otherwise FW_EDATA, naming the cell (sheet!A1), its column's header
 * and the row's first cell, since such bytes would make the workbook's XML ill-formed. Control
 * characters are kept, written as Excel's _xHHHH_ escapes. Sheet names and the classification
 * mark must be valid UTF-8 without control characters (FW_EDATA). */
int fw_xs_text(fw_xsheet *s, int row, int col, const char *text, enum fw_xstyle style, fw_err *err);
int fw_xs_number(fw_xsheet *s, int row, int col, double v, fw_err *err);
int fw_xs_money(fw_xsheet *s, int row, int col, long long fen, fw_err *err);
/* "YYYY-MM-DD" -> a date cell (yyyy-mm-dd); "YYYY-MM" -> a date cell (yyyy-mm) on the 1st;
 * anything else is written as text so nothing is lost. */
int fw_xs_date(fw_xsheet *s, int row, int col, const char *iso, fw_err *err);
/* "YYYY-MM-DDTHH:MM:SS[Z]" -> a date-time cell; otherwise as fw_xs_date. */
int fw_xs_datetime(fw_xsheet *s, int row, int col, const char *iso, fw_err *err);

/* Layout. */
void fw_xs_freeze_header(fw_xsheet *s, int header_row);   /* rows up to header_row stay in view */
void fw_xs_repeat_rows(fw_xsheet *s, int first, int last); /* printed on every page */
void fw_xs_autofilter(fw_xsheet *s, int first_row, int last_row, int last_col);
/* Stops measuring column widths after this many rows (measuring every row of a million costs
 * more than it tells). */
void fw_xs_measure_rows(fw_xsheet *s, int rows);

/* A column chart of one series: categories in cat_col, values in val_col, rows first..last of
 * the sheet named data_sheet; inserted at (row, col) of s. */
int fw_xs_column_chart(fw_xsheet *s, int row, int col, const char *title, const char *data_sheet,
                       int first, int last, int cat_col, int val_col, fw_err *err);

/* Excel's row limit: the header plus this many data rows fill a sheet. */
enum { FW_XLSX_MAX_ROWS = 1048576 };

#endif
