/* export_floor.c: the floor for bench/export.sh: the least work that turns the same leads into
 * the same cells: one plain SELECT over hits, each row written with libxlsxwriter in
 * constant-memory mode (17 cells: numbers, inline strings, money with #,##0.00, two dates), and
 * nothing else (no summary, no case list, no provenance, no widths, no hash, no trail).
 *
 * usage: export_floor WORKSPACE OUT.xlsx */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>

static void put_date(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const unsigned char *s, lxw_format *f)
{
    if (!s)
        return;
    lxw_datetime dt = {atoi((const char *)s), atoi((const char *)s + 5), atoi((const char *)s + 8), 0, 0, 0};
    worksheet_write_datetime(ws, r, c, &dt, f);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: export_floor WORKSPACE OUT.xlsx\n");
        return 2;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT h.id, h.rule_id, h.category, h.severity, h.name, h.id_number, "
                           "h.household_id, h.township, h.village, h.program, h.amount, h.first_date, "
                           "h.last_date, h.detail, c.case_no, COALESCE(c.status, 'new'), c.assignee "
                           "FROM hits h LEFT JOIN cases c ON c.id = h.case_id "
                           "WHERE h.state = 'present' ORDER BY h.id",
                           -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "export_floor: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .use_zip64 = LXW_TRUE};
    lxw_workbook *wb = workbook_new_opt(argv[2], &opt);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "leads");
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd");
    for (lxw_col_t c = 0; c < 17; c++)
        worksheet_write_string(ws, 0, c, "header", NULL);
    lxw_row_t r = 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int c = 0; c < 17; c++) {
            const unsigned char *s = sqlite3_column_text(st, c);
            if (c == 0)
                worksheet_write_number(ws, r, 0, (double)sqlite3_column_int64(st, 0), NULL);
            else if (c == 10)
                worksheet_write_number(ws, r, 10, sqlite3_column_int64(st, 10) / 100.0, money);
            else if (c == 11 || c == 12)
                put_date(ws, r, (lxw_col_t)c, s, date);
            else if (s)
                worksheet_write_string(ws, r, (lxw_col_t)c, (const char *)s, NULL);
        }
        r++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
