/* sqlfunc.c: SQL helper functions available to rules (documented in docs/rules.md): they work on
 * the stored forms (18-character ID numbers, ISO dates, YYYY-MM periods) so rule SQL stays short. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "audit/store.h"

/* id_birth(id) -> 'YYYY-MM-DD' from an 18-character ID number, NULL otherwise. */
static void fn_id_birth(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *id = (const char *)sqlite3_value_text(argv[0]);
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
    const char *id = (const char *)sqlite3_value_text(argv[0]);
    if (!id || strlen(id) != 18 || id[16] < '0' || id[16] > '9') {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_text(ctx, (id[16] - '0') % 2 ? "M" : "F", 1, SQLITE_STATIC);
}

void fw_sqlfunc_register(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    sqlite3_create_function(db, "id_birth", 1, flags, NULL, fn_id_birth, NULL, NULL);
    sqlite3_create_function(db, "id_sex", 1, flags, NULL, fn_id_sex, NULL, NULL);
}
