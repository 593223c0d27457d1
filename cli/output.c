/* output.c: the one printer of listings (fw_print_rows): aligned tables for people, CSV and JSON
 * for programs. Tables are aligned in display columns so Chinese names line up, and show control
 * characters from the data instead of sending them to the terminal; CSV neutralises text that a
 * spreadsheet would run as a formula (export/csvout.h); JSON escapes controls as \u001b. */
#include <stdlib.h>
#include <string.h>

#include "audit/trail.h"
#include "cli/cli.h"
#include "export/csvout.h"

/* Money columns are stored in fen; a table shows yuan. */
static int is_money_column(const char *name)
{
    size_t n = strlen(name);
    return strstr(name, "amount") != NULL || (n > 4 && strcmp(name + n - 4, "_fen") == 0) ||
           strcmp(name, "recovered") == 0 || strcmp(name, "to_recover") == 0;
}

/* A table cell as shown: money in yuan, and data that could hold terminal control codes (a name
 * with ESC ] 0 ; ... BEL would retitle the window) made visible as the TUI shows it. */
static char *cell_text(sqlite3_stmt *st, int i, int as_money, fw_buf *scratch)
{
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL)
        return fw_strdup("");
    if (as_money && type == SQLITE_INTEGER) {
        long long v = sqlite3_column_int64(st, i);
        return fw_printf("%s%lld.%02lld", v < 0 ? "-" : "", llabs(v) / 100, llabs(v) % 100);
    }
    return fw_strdup(fw_visible((const char *)sqlite3_column_text(st, i), scratch));
}

/* JSON strings are escaped by the one escaper the audit trail also uses. */
static void json_string(FILE *out, const char *s)
{
    fw_buf b = {0};
    fw_json_string(&b, s);
    fputs(b.data, out);
    fw_buf_free(&b);
}

static long print_csv(sqlite3_stmt *st, FILE *out, int *rc)
{
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        fw_csv_text(out, sqlite3_column_name(st, i));
    }
    fputs("\r\n", out);
    long rows = 0;
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            if (i)
                fputc(',', out);
            const unsigned char *v = sqlite3_column_text(st, i);
            int type = sqlite3_column_type(st, i);
            /* Numbers stay numbers; text is neutralised against formula injection. */
            if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
                fw_csv_field(out, (const char *)v);
            else
                fw_csv_text(out, v ? (const char *)v : "");
        }
        fputs("\r\n", out);
        rows++;
    }
    return rows;
}

static long print_json(sqlite3_stmt *st, FILE *out, int *rc)
{
    int n = sqlite3_column_count(st);
    long rows = 0;
    fputc('[', out);
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
        fputs(rows ? ",\n {" : "\n {", out);
        for (int i = 0; i < n; i++) {
            if (i)
                fputs(", ", out);
            json_string(out, sqlite3_column_name(st, i));
            fputs(": ", out);
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL: fputs("null", out); break;
            case SQLITE_INTEGER: fprintf(out, "%lld", sqlite3_column_int64(st, i)); break;
            case SQLITE_FLOAT: fprintf(out, "%.17g", sqlite3_column_double(st, i)); break;
            default: json_string(out, (const char *)sqlite3_column_text(st, i));
            }
        }
        fputc('}', out);
        rows++;
    }
    fputs(rows ? "\n]\n" : "]\n", out);
    return rows;
}

static void pad(FILE *out, int n)
{
    while (n-- > 0)
        fputc(' ', out);
}

/* Tables are for people, so they are buffered to align columns; listings meant to be huge should
 * be read as csv. */
static long print_table(sqlite3_stmt *st, FILE *out, int *rc)
{
    int n = sqlite3_column_count(st);
    int *width = fw_calloc((size_t)n, sizeof *width);
    int *money = fw_calloc((size_t)n, sizeof *money);
    char **cells = NULL;
    long rows = 0, cap = 0;
    fw_buf scratch = {0};
    for (int i = 0; i < n; i++) {
        width[i] = fw_utf8_width(fw_visible(sqlite3_column_name(st, i), &scratch));
        money[i] = is_money_column(sqlite3_column_name(st, i));
    }
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (rows == cap) {
            cap = cap ? cap * 2 : 64;
            cells = fw_realloc(cells, (size_t)cap * (size_t)n * sizeof *cells);
        }
        for (int i = 0; i < n; i++) {
            char *c = cell_text(st, i, money[i], &scratch);
            int w = fw_utf8_width(c);
            if (w > width[i])
                width[i] = w;
            cells[rows * n + i] = c;
        }
        rows++;
    }
    for (int i = 0; i < n; i++) {
        const char *h = fw_visible(sqlite3_column_name(st, i), &scratch);
        fputs(h, out);
        if (i + 1 < n)
            pad(out, width[i] - fw_utf8_width(h) + 2);
    }
    fputc('\n', out);
    for (long r = 0; r < rows; r++) {
        for (int i = 0; i < n; i++) {
            char *c = cells[r * n + i];
            int w = fw_utf8_width(c);
            if (money[i])
                pad(out, width[i] - w);
            fputs(c, out);
            if (i + 1 < n)
                pad(out, (money[i] ? 0 : width[i] - w) + 2);
            free(c);
        }
        fputc('\n', out);
    }
    fw_buf_free(&scratch);
    free(cells);
    free(width);
    free(money);
    return rows;
}

long fw_print_rows(fw_cli *cli, sqlite3_stmt *st, FILE *out, fw_err *err)
{
    int rc = SQLITE_DONE;
    long rows;
    switch (cli->format) {
    case FW_FMT_CSV: rows = print_csv(st, out, &rc); break;
    case FW_FMT_JSON: rows = print_json(st, out, &rc); break;
    default: rows = print_table(st, out, &rc); break;
    }
    if (rc != SQLITE_DONE) {
        fw_fail(err, FW_EWORKSPACE, "%s", sqlite3_errmsg(sqlite3_db_handle(st)));
        return -1;
    }
    return rows;
}
