/* output.c: the one printer of listings (fw_print_rows): aligned tables for people, CSV and JSON
 * for programs. Tables are aligned in display columns so Chinese names line up, and show control
 * characters from the data instead of sending them to the terminal; CSV neutralises text that a
 * spreadsheet would run as a formula (export/csvout.h); JSON escapes controls as \u001b. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/orders.h"
#include "audit/trail.h"
#include "audit/vocab.h"
#include "cli/cli.h"
#include "export/csvout.h"

/* Money columns are stored in fen and shown in yuan with two decimals in every format; a column
 * that keeps fen says so in its name (..._fen) and is printed as stored. */
static int is_money_column(const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && strcmp(name + n - 4, "_fen") == 0)
        return 0;
    return strstr(name, "amount") != NULL || strcmp(name, "recovered") == 0 || strcmp(name, "to_recover") == 0;
}

static char *yuan_text(long long v)
{
    return fw_printf("%s%lld.%02lld", v < 0 ? "-" : "", llabs(v) / 100, llabs(v) % 100);
}

/* A cell as text: money in yuan. In a table (for people, scratch given) a stored UTC time reads in
 * local time, and data that could hold terminal control codes (a name with ESC ] 0 ; ... BEL would
 * retitle the window) is made visible as the TUI shows it; CSV and JSON keep the stored ISO time,
 * whose Z says its zone. */
static char *cell_text(fw_rows *st, int i, int as_money, fw_buf *scratch)
{
    int type = fw_rows_type(st, i);
    if (type == FW_DBT_NULL)
        return fw_strdup("");
    if (as_money && type == FW_DBT_INT)
        return yuan_text(fw_rows_int(st, i));
    const char *v = fw_rows_text(st, i);
    if (strcmp(fw_rows_name(st, i), "problems") == 0) { /* an order row's, stored language-neutral */
        char *text = fw_order_problems_text(v);
        char *shown = fw_strdup(scratch ? fw_visible(text, scratch) : text);
        free(text);
        return shown;
    }
    if (scratch && type == FW_DBT_TEXT) {
        char when[FW_TIME_SIZE];
        return fw_strdup(fw_visible(fw_time_local(v, FW_TIME_MINUTE, when, sizeof when), scratch));
    }
    return fw_strdup(scratch ? fw_visible(v, scratch) : v);
}

/* JSON strings are escaped by the one escaper the audit trail also uses. */
static void json_string(FILE *out, const char *s)
{
    fw_buf b = {0};
    fw_json_string(&b, s);
    fputs(b.data, out);
    fw_buf_free(&b);
}

static long print_csv(fw_rows *st, FILE *out, int *rc, fw_err *err)
{
    int n = fw_rows_ncols(st);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        fw_csv_text(out, fw_rows_name(st, i));
    }
    fputs("\r\n", out);
    long rows = 0;
    while ((*rc = fw_rows_step(st, err)) == 1) {
        for (int i = 0; i < n; i++) {
            if (i)
                fputc(',', out);
            int type = fw_rows_type(st, i);
            char *c = cell_text(st, i, is_money_column(fw_rows_name(st, i)), NULL);
            /* Numbers (money in yuan too) stay numbers; text is neutralised against formula injection. */
            if (type == FW_DBT_INT || type == FW_DBT_REAL)
                fw_csv_field(out, c);
            else
                fw_csv_text(out, c);
            free(c);
        }
        fputs("\r\n", out);
        rows++;
    }
    return rows;
}

static long print_json(fw_rows *st, FILE *out, int *rc, fw_err *err)
{
    int n = fw_rows_ncols(st);
    long rows = 0;
    fputc('[', out);
    while ((*rc = fw_rows_step(st, err)) == 1) {
        fputs(rows ? ",\n {" : "\n {", out);
        for (int i = 0; i < n; i++) {
            if (i)
                fputs(", ", out);
            json_string(out, fw_rows_name(st, i));
            fputs(": ", out);
            int type = fw_rows_type(st, i);
            if (type == FW_DBT_INT && is_money_column(fw_rows_name(st, i))) {
                char *y = yuan_text(fw_rows_int(st, i)); /* a JSON number in yuan: 283.78 */
                fputs(y, out);
                free(y);
                continue;
            }
            switch (type) {
            case FW_DBT_NULL: fputs("null", out); break;
            case FW_DBT_INT: fprintf(out, "%lld", fw_rows_int(st, i)); break;
            case FW_DBT_REAL: fprintf(out, "%.17g", fw_rows_real(st, i)); break;
            default: {
                char *c = cell_text(st, i, 0, NULL); /* problems in words */
                json_string(out, c);
                free(c);
            }
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

/* Column names of the listings, so that a table (for people) can head them in the interface's
 * language; csv and json keep the names, which programs read. */
static const char *const column_titles[] = {
    N_("action"), N_("after"), N_("amount"), N_("assignee"), N_("at"), N_("before"), N_("canonical"), N_("case"),
    N_("case_no"), N_("category"), N_("closed_at"), N_("column"), N_("column_name"), N_("conclusion"), N_("count"),
    N_("created_at"), N_("dataset"), N_("detail"), N_("dismiss_reason"), N_("dismiss_text"), N_("due_date"),
    N_("enabled"), N_("encoding"), N_("evidence_changed"), N_("field"), N_("file"), N_("first"), N_("first_date"),
    N_("fixed_amount"), N_("flagged"), N_("hit"), N_("hit_id"), N_("hits"), N_("id"), N_("id_number"),
    N_("import_id"), N_("imported_at"), N_("item"), N_("last"), N_("last_date"), N_("last_hits"), N_("last_ms"),
    N_("last_run"), N_("line"), N_("max_date"), N_("means_tested"), N_("measures"), N_("message"), N_("min_date"),
    N_("ms"), N_("name"), N_("object"), N_("overdue"), N_("params"), N_("pending"), N_("pending_by"),
    N_("pending_status"), N_("program"), N_("reason"), N_("recovered"), N_("rejected"), N_("resolved_by_data"),
    N_("rows"), N_("rule_id"), N_("rules"), N_("run_id"), N_("section"), N_("seq"), N_("severity"), N_("sha256"),
    N_("source"), N_("started_at"), N_("state"), N_("status"), N_("subject_kind"), N_("text"), N_("to_recover"),
    N_("township"), N_("until"), N_("user"), N_("value"), N_("verifier"), N_("verify_method"), N_("version"),
    N_("village"),
    /* verification orders (docs/orders.md) */
    N_("order_no"), N_("unit"), N_("order_state"), N_("open"), N_("answered"), N_("accepted"), N_("sent_back"),
    N_("conflict"), N_("invalid"), N_("sent_by"), N_("row_no"), N_("row_state"), N_("verdict"), N_("verified_at"),
    N_("note"), N_("problems"), N_("sent_back_note"), N_("window_from"), N_("selection"), N_("sample_method"),
    N_("sample_seed"), N_("sample_size"), N_("workbook_file"), N_("workbook_sha256"), NULL,
};

static const char *header_text(const char *name)
{
    for (const char *const *c = column_titles; *c; c++)
        if (strcmp(*c, name) == 0)
            return _(name);
    return name;
}

/* In the Chinese interface a table shows the words of closed vocabularies by their labels. */
static char *table_value(const char *column, char *value)
{
    static const struct { const char *column; const fw_label *tables[3]; } words[] = {
        {"category", {fw_categories}},
        {"severity", {fw_severities}},
        {"status", {fw_case_statuses, fw_run_statuses, fw_rule_statuses}},
        {"pending_status", {fw_case_statuses}},
        {"state", {fw_hit_states}},
        {"subject_kind", {fw_subject_kinds}},
        {"verify_method", {fw_verify_methods}},
        {"dismiss_reason", {fw_dismiss_reasons}},
        {"action", {fw_trail_actions}},
        {"order_state", {fw_order_states}},
        {"row_state", {fw_order_row_states}},
        {"verdict", {fw_order_conclusions}},
    };
    if (!*value || !fw_i18n_chinese())
        return value;
    /* The overview's rows: the section, and items that are vocabulary words or dataset names. */
    static const char *const sections[] = {N_("dataset"), N_("run"),  N_("total"), N_("category"), N_("severity"),
                                           N_("status"),  N_("village"), N_("program_month"), NULL};
    const fw_label *item_tables[] = {fw_categories, fw_severities, fw_case_statuses};
    for (const char *const *k = sections; strcmp(column, "section") == 0 && *k; k++)
        if (strcmp(*k, value) == 0) {
            char *t = fw_strdup(_(value));
            free(value);
            return t;
        }
    for (size_t i = 0; strcmp(column, "item") == 0 && i < sizeof item_tables / sizeof item_tables[0]; i++)
        if (fw_label_find(item_tables[i], value)) {
            char *t = fw_strdup(fw_label_find(item_tables[i], value)->zh);
            free(value);
            return t;
        }
    const char *space = strchr(value, ' ');
    if (strcmp(column, "item") == 0 && value[0] == '#' && space) { /* a run: "#3 complete" */
        char *t = fw_printf("%.*s %s", (int)(space - value), value, fw_label_zh(fw_run_statuses, space + 1));
        free(value);
        return t;
    }
    if (strcmp(column, "item") == 0 && strcmp(_(value), value) != 0) { /* dataset names, hits, cases */
        char *t = fw_strdup(_(value));
        free(value);
        return t;
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcmp(words[i].column, column) != 0)
            continue;
        for (int t = 0; t < 3 && words[i].tables[t]; t++) {
            const fw_label *l = fw_label_find(words[i].tables[t], value);
            if (l) {
                free(value);
                return fw_strdup(l->zh);
            }
        }
    }
    return value;
}

/* Tables are for people, so they are buffered to align columns; listings meant to be huge should
 * be read as csv. */
static long print_table(fw_rows *st, FILE *out, int *rc, fw_err *err)
{
    int n = fw_rows_ncols(st);
    int *width = fw_calloc((size_t)n, sizeof *width);
    int *money = fw_calloc((size_t)n, sizeof *money);
    char **cells = NULL;
    long rows = 0, cap = 0;
    fw_buf scratch = {0};
    for (int i = 0; i < n; i++) {
        width[i] = fw_utf8_width(fw_visible(header_text(fw_rows_name(st, i)), &scratch));
        money[i] = is_money_column(fw_rows_name(st, i));
    }
    while ((*rc = fw_rows_step(st, err)) == 1) {
        if (rows == cap) {
            cap = cap ? cap * 2 : 64;
            cells = fw_realloc(cells, (size_t)cap * (size_t)n * sizeof *cells);
        }
        for (int i = 0; i < n; i++) {
            char *c = table_value(fw_rows_name(st, i), cell_text(st, i, money[i], &scratch));
            int w = fw_utf8_width(c);
            if (w > width[i])
                width[i] = w;
            cells[rows * n + i] = c;
        }
        rows++;
    }
    for (int i = 0; i < n; i++) {
        const char *h = fw_visible(header_text(fw_rows_name(st, i)), &scratch);
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

long fw_print_rows(fw_cli *cli, fw_rows *st, FILE *out, fw_err *err)
{
    int rc = 0;
    long rows;
    switch (cli->format) {
    case FW_FMT_CSV: rows = print_csv(st, out, &rc, err); break;
    case FW_FMT_JSON: rows = print_json(st, out, &rc, err); break;
    default: rows = print_table(st, out, &rc, err); break;
    }
    return rc < 0 ? -1 : rows;
}
