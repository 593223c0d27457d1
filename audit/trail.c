/* trail.c: the hash-chained audit trail (see trail.h). */
#include "audit/trail.h"

#include <stdio.h>
#include <string.h>

static const char genesis[] = "0000000000000000000000000000000000000000000000000000000000000000";

void fw_json_string(fw_buf *buf, const char *s)
{
    fw_buf_putc(buf, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fw_buf_puts(buf, "\\\""); break;
        case '\\': fw_buf_puts(buf, "\\\\"); break;
        case '\n': fw_buf_puts(buf, "\\n"); break;
        case '\r': fw_buf_puts(buf, "\\r"); break;
        case '\t': fw_buf_puts(buf, "\\t"); break;
        default:
            if (*p < 0x20)
                fw_buf_printf(buf, "\\u%04x", *p);
            else
                fw_buf_putc(buf, (char)*p);
        }
    }
    fw_buf_putc(buf, '"');
}

/* Fields are joined with the unit separator, which cannot occur in any of them unnoticed: a NULL
 * field and an empty one hash differently (NULL is written as \x1e). */
static void add_field(fw_buf *b, const char *s)
{
    fw_buf_puts(b, s ? s : "\x1e");
    fw_buf_putc(b, '\x1f');
}

void fw_trail_hash(const char *prev_hash, long long seq, const char *at, const char *user,
                   const char *action, const char *object, const char *before_json,
                   const char *after_json, char out[65])
{
    fw_buf b = {0};
    char seqs[32];
    snprintf(seqs, sizeof seqs, "%lld", seq);
    add_field(&b, prev_hash);
    add_field(&b, seqs);
    add_field(&b, at);
    add_field(&b, user);
    add_field(&b, action);
    add_field(&b, object);
    add_field(&b, before_json);
    add_field(&b, after_json);
    fw_sha256_hex(b.data, b.len, out);
    fw_buf_free(&b);
}

int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err)
{
    sqlite3_stmt *st;
    char prev[65];
    long long seq = 1;
    snprintf(prev, sizeof prev, "%s", genesis);
    if (fw_ws_prepare(ws, "SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1", &st, err))
        return err->code;
    if (sqlite3_step(st) == SQLITE_ROW) {
        seq = sqlite3_column_int64(st, 0) + 1;
        snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);

    char at[32], hash[65];
    fw_now_iso(at);
    const char *user = fw_user();
    fw_trail_hash(prev, seq, at, user, action, object, before_json, after_json, hash);
    if (fw_ws_prepare(ws,
                      "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, object, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, before_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, after_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fw_fail(err, FW_EWORKSPACE, "cannot write the audit trail: %s", sqlite3_errmsg(ws->db));
    return FW_OK;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int fw_trail_verify(fw_ws *ws, long long *checked, fw_err *err)
{
    sqlite3_stmt *st;
    *checked = 0;
    if (fw_ws_prepare(ws, "SELECT seq, at, user, action, object, before, after, prev_hash, hash "
                          "FROM trail ORDER BY seq",
                      &st, err))
        return err->code;
    char prev[65];
    long long expect_seq = 1;
    snprintf(prev, sizeof prev, "%s", genesis);
    int rc = FW_OK;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0);
        char h[65];
        if (seq != expect_seq) {
            rc = fw_fail(err, FW_EDATA, "audit trail broken at record %lld: expected record %lld "
                                        "(a record was deleted or inserted)", seq, expect_seq);
            break;
        }
        if (strcmp(col(st, 7), prev) != 0) {
            rc = fw_fail(err, FW_EDATA, "audit trail broken at record %lld: it does not follow "
                                        "record %lld (deleted, inserted or reordered)", seq, seq - 1);
            break;
        }
        fw_trail_hash(prev, seq, col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6), h);
        if (strcmp(h, col(st, 8)) != 0) {
            rc = fw_fail(err, FW_EDATA, "audit trail broken at record %lld: its content was changed "
                                        "after it was written", seq);
            break;
        }
        snprintf(prev, sizeof prev, "%s", h);
        expect_seq++;
        (*checked)++;
    }
    sqlite3_finalize(st);
    return rc;
}
