/* store/sqlite_funcs.c: the SQL helper functions rules call (documented in docs/rules.md), as C
 * functions of the SQLite driver, registered on every connection it opens (store/sqlite.c). They
 * are SQLite machinery: PostgreSQL has the same functions in SQL (store/pg_compat.sql, checked
 * against these by tests/unit/test_store_drivers.c), so this file and the driver are the only ones
 * that register anything with SQLite. Functions work on the stored forms (18-character IDs, ISO
 * dates, YYYY-MM periods). */
#include "audit/store/sqlite_funcs.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/profile.h"

static const char *text_arg(sqlite3_value *v)
{
    return (const char *)sqlite3_value_text(v);
}

/* Parses YYYY-MM (also the start of YYYY-MM-DD) into a month count; -1 when malformed. */
static long month_index(const char *s)
{
    if (!s || strlen(s) < 7 || s[4] != '-')
        return -1;
    int y = atoi(s), m = atoi(s + 5);
    if (y < 1000 || m < 1 || m > 12)
        return -1;
    return (long)y * 12 + (m - 1);
}

/* id_birth(id) -> 'YYYY-MM-DD' from an 18-character ID number, NULL otherwise. */
static void fn_id_birth(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *id = text_arg(argv[0]);
    if (!id || strlen(id) != 18) {
        sqlite3_result_null(ctx);
        return;
    }
    char out[11];
    snprintf(out, sizeof out, "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
    sqlite3_result_text(ctx, out, 10, SQLITE_TRANSIENT);
}

/* id_sex(id) -> 'M' or 'F' (17th digit odd = male), NULL when not an 18-character ID. */
static void fn_id_sex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *id = text_arg(argv[0]);
    if (!id || strlen(id) != 18 || id[16] < '0' || id[16] > '9') {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, (id[16] - '0') % 2 ? "M" : "F", 1, SQLITE_STATIC);
}

/* age_on(id, date) -> whole years of age on date (birth date from the ID number). */
static void fn_age_on(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *id = text_arg(argv[0]), *d = text_arg(argv[1]);
    if (!id || strlen(id) != 18 || !d || strlen(d) < 10) {
        sqlite3_result_null(ctx);
        return;
    }
    int by = atoi((char[5]){id[6], id[7], id[8], id[9], 0});
    int bmd = atoi((char[5]){id[10], id[11], id[12], id[13], 0});
    int y = atoi(d), md = atoi(d + 5) * 100 + atoi(d + 8);
    sqlite3_result_int(ctx, y - by - (md < bmd ? 1 : 0));
}

/* month_of(date) -> 'YYYY-MM'. */
static void fn_month_of(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *d = text_arg(argv[0]);
    if (month_index(d) < 0) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, d, 7, SQLITE_TRANSIENT);
}

/* The months a period can name: the years 1000-9999 that month_index reads. */
enum { MONTH_FIRST = 1000 * 12, MONTH_LAST = 9999 * 12 + 11 };

/* A whole number argument as 64 bits: an integer, or a real or text that holds one exactly.
 * False for anything else (text that is no number, 1.5, a real beyond 64 bits). */
static bool whole_arg(sqlite3_value *v, sqlite3_int64 *out)
{
    int t = sqlite3_value_numeric_type(v);
    if (t == SQLITE_INTEGER) {
        *out = sqlite3_value_int64(v);
        return true;
    }
    double d = sqlite3_value_double(v);
    if (t != SQLITE_FLOAT || d != floor(d) || d < -9.2e18 || d > 9.2e18)
        return false;
    *out = (sqlite3_int64)d;
    return true;
}

/* month_add(period_or_date, n) -> 'YYYY-MM' n months later (n may be negative). n is read as 64
 * bits (never cut to 32: 4294967295 is not -1) and a month outside the years 1000-9999, or an n
 * that is not a whole number, is an SQL error rather than a wrong period. */
static void fn_month_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    long m = month_index(text_arg(argv[0]));
    if (m < 0 || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_int64 n;
    if (!whole_arg(argv[1], &n)) {
        char *msg = sqlite3_mprintf("month_add: the number of months must be a whole number, not '%s'",
                                    (const char *)sqlite3_value_text(argv[1]));
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_free(msg);
        return;
    }
    if (n > MONTH_LAST - m || n < MONTH_FIRST - m) {
        char *msg = sqlite3_mprintf("month_add: %lld months from %.7s is outside the years 1000-9999",
                                    (long long)n, text_arg(argv[0]));
        sqlite3_result_error(ctx, msg, -1);
        sqlite3_free(msg);
        return;
    }
    m += (long)n;
    char out[32];
    snprintf(out, sizeof out, "%04ld-%02ld", m / 12, m % 12 + 1);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* months_between(a, b) -> number of months from a's month to b's month (b - a). */
static void fn_months_between(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    long a = month_index(text_arg(argv[0])), b = month_index(text_arg(argv[1]));
    if (a < 0 || b < 0) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int64(ctx, b - a);
}

/* ev(dataset, row_key) -> 'dataset:row_key', the evidence key format. */
static void fn_ev(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *ds = text_arg(argv[0]), *key = text_arg(argv[1]);
    if (!ds || !key) {
        sqlite3_result_null(ctx);
        return;
    }
    char *s = sqlite3_mprintf("%s:%s", ds, key);
    sqlite3_result_text(ctx, s, -1, sqlite3_free);
}

/* yuan(fen) -> '1,234.50', for detail texts. */
static void fn_yuan(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    long long f = sqlite3_value_int64(argv[0]);
    unsigned long long a = f < 0 ? 0ULL - (unsigned long long)f : (unsigned long long)f; /* also LLONG_MIN */
    char digits[32], out[48];
    snprintf(digits, sizeof digits, "%llu", a / 100);
    size_t n = strlen(digits), o = 0;
    if (f < 0)
        out[o++] = '-';
    for (size_t i = 0; i < n; i++) {
        out[o++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            out[o++] = ',';
    }
    snprintf(out + o, sizeof out - o, ".%02llu", a % 100);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static int contains_any(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strstr(s, *words))
            return 1;
    return 0;
}

/* is_near_relation(relation) -> 1 for spouse, parents, children, siblings and in-laws. */
static void fn_is_near_relation(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    static const char *const near[] = {"配偶", "夫", "妻", "父", "母", "子", "女", "儿", "兄", "弟",
                                       "姐", "妹", "公公", "婆婆", "岳", "媳", "婿", NULL};
    static const char *const far[] = {"孙", "外", "侄", "甥", "堂", "表", "叔", "伯", "舅", "姑", "姨",
                                      "祖", NULL};
    const char *r = text_arg(argv[0]);
    sqlite3_result_int(ctx, r && contains_any(r, near) && !contains_any(r, far));
}

/* is_counted_vehicle(vehicle_type) -> 0 for motorcycles, farm and low-speed vehicles and
 * disability mobility vehicles, which policy does not count as wealth; 1 otherwise. */
static void fn_is_counted_vehicle(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    static const char *const exempt[] = {"摩托", "三轮汽车", "低速货车", "拖拉机", "农用", "残疾人", NULL};
    const char *t = text_arg(argv[0]);
    sqlite3_result_int(ctx, !(t && contains_any(t, exempt)));
}

/* program_set(list) aggregate -> the programs of every row's comma list, as one set
 * (fw_program_set): each name once, in a stable order. */
static void program_set_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *v = text_arg(argv[0]);
    fw_buf *b = sqlite3_aggregate_context(ctx, sizeof *b);
    if (!b) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (v && *v)
        fw_buf_printf(b, "%s,", v);
}

static void program_set_final(sqlite3_context *ctx)
{
    fw_buf *b = sqlite3_aggregate_context(ctx, 0);
    char *set = b ? fw_program_set(b->data) : NULL;
    if (set)
        sqlite3_result_text(ctx, set, -1, free);
    else
        sqlite3_result_null(ctx);
    if (b)
        fw_buf_free(b);
}

void fw_sqlite_funcs_register(sqlite3 *db)
{
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"id_birth", 1, fn_id_birth},       {"id_sex", 1, fn_id_sex},
        {"age_on", 2, fn_age_on},           {"month_of", 1, fn_month_of},
        {"month_add", 2, fn_month_add},     {"months_between", 2, fn_months_between},
        {"ev", 2, fn_ev},                   {"yuan", 1, fn_yuan},
        {"is_near_relation", 1, fn_is_near_relation},
        {"is_counted_vehicle", 1, fn_is_counted_vehicle},
    };
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        sqlite3_create_function(db, fns[i].name, fns[i].nargs, flags, NULL, fns[i].fn, NULL, NULL);
    sqlite3_create_function(db, "program_set", 1, flags, NULL, NULL, program_set_step, program_set_final);
}
