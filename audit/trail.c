/* trail.c: the hash-chained audit trail (see trail.h). */
#include "audit/trail.h"
#include "audit/i18n.h"

#include <stdio.h>
#include <stdlib.h>
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

static void json_key(fw_buf *buf, const char *key)
{
    if (buf->len > 0 && buf->data[buf->len - 1] != '{' && buf->data[buf->len - 1] != '[')
        fw_buf_putc(buf, ',');
    fw_json_string(buf, key);
    fw_buf_putc(buf, ':');
}

void fw_json_field_str(fw_buf *buf, const char *key, const char *value)
{
    json_key(buf, key);
    if (value)
        fw_json_string(buf, value);
    else
        fw_buf_puts(buf, "null");
}

void fw_json_field_int(fw_buf *buf, const char *key, long long value)
{
    json_key(buf, key);
    fw_buf_printf(buf, "%lld", value);
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

/* The newest record's seq and hash, from the table itself (not the stored head). */
static int last_record(fw_ws *ws, long long *seq, char hash[65], fw_err *err)
{
    sqlite3_stmt *st;
    *seq = 0;
    snprintf(hash, 65, "%s", genesis);
    if (fw_ws_prepare(ws, "SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1", &st, err))
        return err->code;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        const char *h = (const char *)sqlite3_column_text(st, 1);
        snprintf(hash, 65, "%s", h ? h : "");
    }
    sqlite3_finalize(st);
    return FW_OK;
}

static int insert_record(fw_ws *ws, const char *action, const char *object, const char *before_json,
                         const char *after_json, fw_err *err)
{
    long long seq;
    char prev[65];
    if (last_record(ws, &seq, prev, err))
        return err->code;
    seq++;

    char at[32], hash[65];
    fw_now_iso(at);
    const char *user = fw_user();
    fw_trail_hash(prev, seq, at, user, action, object, before_json, after_json, hash);
    sqlite3_stmt *st;
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
        return fw_fail(err, FW_EWORKSPACE, _("cannot write the audit trail: %s"), sqlite3_errmsg(ws->db));

    char head[128];
    snprintf(head, sizeof head, "%lld %s", seq, hash);
    if (fw_ws_set_setting(ws, FW_TRAIL_HEAD_KEY, head, err))
        return fw_fail(err, FW_EWORKSPACE, _("cannot write the audit trail head: %s"), err->msg);
    return FW_OK;
}

int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err)
{
    /* Outside a transaction the read of the last record and the insert must still be one unit, or
     * two processes could both take the same seq. */
    int own = sqlite3_get_autocommit(ws->db);
    if (own && fw_ws_begin(ws, err))
        return err->code;
    int rc = insert_record(ws, action, object, before_json, after_json, err);
    if (own) {
        if (rc == FW_OK)
            rc = fw_ws_commit(ws, err);
        if (rc)
            fw_ws_rollback(ws);
    }
    return rc;
}

void fw_trail_head(fw_ws *ws, long long *seq, char hash[65])
{
    *seq = 0;
    hash[0] = '\0';
    char *v = fw_ws_setting(ws, FW_TRAIL_HEAD_KEY);
    if (!v)
        return;
    char h[65] = "";
    if (sscanf(v, "%lld %64s", seq, h) != 2)
        *seq = -1; /* malformed: verify reports it */
    snprintf(hash, 65, "%s", h);
    free(v);
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Checks one record against the one before it; returns FW_OK or FW_EDATA naming the record. */
static int verify_record(sqlite3_stmt *st, long long expect_seq, const char *prev, char hash_out[65],
                         fw_err *err)
{
    long long seq = sqlite3_column_int64(st, 0);
    if (seq == expect_seq + 1)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: record %lld before it is missing (deleted)"),
                       seq, expect_seq);
    if (seq > expect_seq)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: records %lld..%lld before it are missing "
                       "(deleted)"),
                       seq, expect_seq, seq - 1);
    if (seq < expect_seq)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: a record numbered before the first one was "
                       "inserted"), seq);
    if (!streq(col(st, 7), prev))
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it does not follow record %lld (a record "
                       "was inserted, deleted or reordered here, or record %lld was rewritten)"),
                       seq, seq - 1, seq - 1);
    fw_trail_hash(prev, seq, col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5), col(st, 6), hash_out);
    if (!streq(hash_out, col(st, 8)))
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: its content was changed after it was written"),
                       seq);
    return FW_OK;
}

/* The end of the chain against the head stored by the last append. */
static int verify_head(fw_ws *ws, long long last_seq, const char *last_hash, fw_err *err)
{
    long long head_seq;
    char head_hash[65];
    fw_trail_head(ws, &head_seq, head_hash);
    if (head_seq < 0)
        return fw_fail(err, FW_EDATA, _("audit trail head (setting %s) is malformed: it was edited"),
                       FW_TRAIL_HEAD_KEY);
    if (head_seq == 0 && head_hash[0] == '\0') {
        if (last_seq == 0)
            return FW_OK;
        return fw_fail(err, FW_EDATA,
                       _("audit trail head (setting %s) is missing although there are %lld records: it "
                       "was deleted, so a cut-off tail cannot be ruled out"),
                       FW_TRAIL_HEAD_KEY, last_seq);
    }
    if (head_seq > last_seq)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: the trail ends at record %lld but record "
                       "%lld was written (the tail was deleted)"),
                       last_seq + 1, last_seq, head_seq);
    if (head_seq < last_seq)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it was added after the last record "
                       "fundwatch wrote (%lld), outside fundwatch"),
                       head_seq + 1, head_seq);
    if (strcmp(head_hash, last_hash) != 0)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it is not the record fundwatch wrote last "
                       "(rewritten)"),
                       last_seq);
    return FW_OK;
}

static int verify_chain(fw_ws *ws, long long *checked, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "SELECT seq, at, user, action, object, before, after, prev_hash, hash "
                          "FROM trail ORDER BY seq",
                      &st, err))
        return err->code;
    char prev[65];
    snprintf(prev, sizeof prev, "%s", genesis);
    int rc = FW_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        char h[65];
        if ((rc = verify_record(st, *checked + 1, prev, h, err)) != FW_OK)
            break;
        memcpy(prev, h, sizeof prev);
        (*checked)++;
    }
    if (rc == FW_OK && step != SQLITE_DONE)
        rc = fw_fail(err, FW_EWORKSPACE, _("cannot read the audit trail: %s"), sqlite3_errmsg(ws->db));
    sqlite3_finalize(st);
    if (rc == FW_OK)
        rc = verify_head(ws, *checked, prev, err);
    return rc;
}

int fw_trail_verify(fw_ws *ws, long long *checked, fw_err *err)
{
    *checked = 0;
    /* One read transaction, so the chain and the head are seen at the same moment. */
    int own = sqlite3_get_autocommit(ws->db);
    if (own && fw_ws_exec(ws, "BEGIN", err))
        return err->code;
    int rc = verify_chain(ws, checked, err);
    if (own)
        fw_ws_rollback(ws);
    return rc;
}

int fw_trail_list(fw_ws *ws, const char *object, long limit, sqlite3_stmt **st, fw_err *err)
{
    if (fw_ws_prepare(ws,
                      "SELECT seq, at, user, action, object, before, after FROM ("
                      "  SELECT * FROM trail WHERE ?1 IS NULL OR object = ?1 "
                      "  ORDER BY seq DESC LIMIT ?2"
                      ") ORDER BY seq",
                      st, err))
        return err->code;
    sqlite3_bind_text(*st, 1, object, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(*st, 2, limit > 0 ? limit : -1);
    return FW_OK;
}

static int set_setting_recorded(fw_ws *ws, const char *key, const char *value, fw_err *err)
{
    char *old = fw_ws_setting(ws, key);
    int rc = FW_OK;
    if (!streq(old, value)) {
        fw_buf before = {0}, after = {0}, object = {0};
        fw_buf_puts(&before, "{");
        fw_json_field_str(&before, "value", old);
        fw_buf_puts(&before, "}");
        fw_buf_puts(&after, "{");
        fw_json_field_str(&after, "value", value);
        fw_buf_puts(&after, "}");
        fw_buf_printf(&object, "setting:%s", key);
        rc = fw_ws_set_setting(ws, key, value, err);
        if (rc == FW_OK)
            rc = fw_trail_append(ws, "setting", object.data, before.data, after.data, err);
        fw_buf_free(&before);
        fw_buf_free(&after);
        fw_buf_free(&object);
    }
    free(old);
    return rc;
}

int fw_trail_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    if (set_setting_recorded(ws, key, value, err)) {
        fw_ws_rollback(ws);
        return err->code;
    }
    return fw_ws_commit(ws, err);
}
