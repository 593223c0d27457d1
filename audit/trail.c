/* trail.c: the hash-chained audit trail (see trail.h): writing records, checking the end of the
 * chain before each write, and verifying the whole chain and the triggers that guard it. */
#include "audit/trail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/schema.h"

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

/* --- the record hash ---------------------------------------------------------------------------- */

/* One field of a record as stored: p NULL for SQL NULL; n bytes (a stored value may hold a NUL,
 * which must not end it early). */
typedef struct field {
    const char *p;
    size_t n;
} field;

enum { NFIELDS = 8 }; /* prev_hash, seq, at, user, action, object, before, after */

/* Version 1 joined the fields with the unit separator 0x1F (NULL written as 0x1E). A field that
 * holds 0x1F can therefore move text into its neighbour without changing the hash; kept only so
 * that records written before version 2 still verify. */
static void encode_v1(fw_buf *b, const field *f)
{
    for (int i = 0; i < NFIELDS; i++) {
        if (f[i].p)
            fw_buf_add(b, f[i].p, f[i].n);
        else
            fw_buf_putc(b, '\x1e');
        fw_buf_putc(b, '\x1f');
    }
}

/* Version 2: a tag naming the version, then every field length-prefixed as a netstring
 * ("5:alice,"), NULL as "-,". Whatever bytes a field holds, the encoding reads back one way. */
static void encode_v2(fw_buf *b, const field *f)
{
    fw_buf_puts(b, "fundwatch-trail-v2\n");
    for (int i = 0; i < NFIELDS; i++) {
        if (!f[i].p) {
            fw_buf_puts(b, "-,");
            continue;
        }
        fw_buf_printf(b, "%zu:", f[i].n);
        fw_buf_add(b, f[i].p, f[i].n);
        fw_buf_putc(b, ',');
    }
}

static void hash_fields(int version, const field *f, char out[65])
{
    fw_buf b = {0};
    fw_buf_reserve(&b, 256);
    if (version == 1)
        encode_v1(&b, f);
    else
        encode_v2(&b, f);
    fw_sha256_hex(b.data, b.len, out);
    fw_buf_free(&b);
}

static field text_field(const char *s)
{
    return (field){s, s ? strlen(s) : 0};
}

void fw_trail_hash(int version, const char *prev_hash, long long seq, const char *at, const char *user,
                   const char *action, const char *object, const char *before_json,
                   const char *after_json, char out[65])
{
    char seqs[32];
    snprintf(seqs, sizeof seqs, "%lld", seq);
    field f[NFIELDS] = {text_field(prev_hash), text_field(seqs),   text_field(at),          text_field(user),
                        text_field(action),    text_field(object), text_field(before_json), text_field(after_json)};
    hash_fields(version, f, out);
}

/* --- reading records ---------------------------------------------------------------------------- */

/* The columns every check reads, in this order. */
#define FIXED_COLUMNS "seq, at, user, action, object, before, after, prev_hash, hash"
#define RECORD_COLUMNS FIXED_COLUMNS ", version"
enum { C_SEQ, C_AT, C_USER, C_ACTION, C_OBJECT, C_BEFORE, C_AFTER, C_PREV, C_HASH, C_VERSION };

/* Whether the trail has the version column (schema 2). A workspace read without being migrated
 * has none: all its records are version 1 and it may not have record 1 trail.start. */
static int has_versions(fw_ws *ws)
{
    return fw_ws_int(ws, "SELECT count(*) FROM pragma_table_info('trail') WHERE name = 'version'") > 0;
}

/* Prepares SELECT RECORD_COLUMNS FROM trail followed by tail. */
static int prepare_records(fw_ws *ws, const char *tail, sqlite3_stmt **st, fw_err *err)
{
    char *sql = fw_printf("SELECT " FIXED_COLUMNS ", %s FROM trail %s", has_versions(ws) ? "version" : "1", tail);
    int rc = fw_ws_prepare(ws, sql, st, err);
    free(sql);
    return rc;
}

static const char *col(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static field col_field(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return (field){NULL, 0};
    const char *p = col(st, i);
    return (field){p ? p : "", (size_t)sqlite3_column_bytes(st, i)};
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The hash a stored record should have, recomputed from its fields, chained to prev. */
static void record_hash(sqlite3_stmt *st, int version, const char *prev, char out[65])
{
    char seqs[32];
    snprintf(seqs, sizeof seqs, "%lld", (long long)sqlite3_column_int64(st, C_SEQ));
    field f[NFIELDS] = {text_field(prev),           text_field(seqs),         col_field(st, C_AT),
                        col_field(st, C_USER),      col_field(st, C_ACTION),  col_field(st, C_OBJECT),
                        col_field(st, C_BEFORE),    col_field(st, C_AFTER)};
    hash_fields(version, f, out);
}

/* Where the chain stands before a record: the seq and hash of the record before it and the
 * version it was written with (chain versions never go back). */
typedef struct chain_pos {
    long long seq;
    char hash[65];
    int version;
} chain_pos;

static void chain_start(chain_pos *c)
{
    c->seq = 0;
    snprintf(c->hash, sizeof c->hash, "%s", genesis);
    c->version = 1;
}

/* Checks one record against the position before it and, when it holds, moves the position past
 * it. Returns FW_OK or FW_EDATA naming the record. */
static int verify_record(sqlite3_stmt *st, chain_pos *c, fw_err *err)
{
    long long seq = sqlite3_column_int64(st, C_SEQ);
    long long expect = c->seq + 1;
    if (seq == expect + 1)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: record %lld before it is missing (deleted)"),
                       seq, expect);
    if (seq > expect)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: records %lld..%lld before it are missing "
                         "(deleted)"),
                       seq, expect, seq - 1);
    if (seq < expect)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: a record numbered before the first one was "
                         "inserted"),
                       seq);
    int version = sqlite3_column_type(st, C_VERSION) == SQLITE_INTEGER ? sqlite3_column_int(st, C_VERSION) : -1;
    if (version < 1 || version > FW_TRAIL_VERSION)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: its chain version '%s' is not one fundwatch "
                         "writes (edited)"),
                       seq, col(st, C_VERSION) ? col(st, C_VERSION) : "NULL");
    if (version < c->version)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it is written in chain version %d after a "
                         "record of version %d (a record was forged or rewritten here)"),
                       seq, version, c->version);
    if (!streq(col(st, C_PREV), c->hash))
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it does not follow record %lld (a record "
                         "was inserted, deleted or reordered here, or record %lld was rewritten)"),
                       seq, seq - 1, seq - 1);
    char h[65];
    record_hash(st, version, c->hash, h);
    if (!streq(h, col(st, C_HASH)))
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: its content was changed after it was written"),
                       seq);
    c->seq = seq;
    memcpy(c->hash, h, sizeof c->hash);
    c->version = version;
    return FW_OK;
}

/* --- the end of the chain against the stored head ------------------------------------------------ */

void fw_trail_head(fw_ws *ws, long long *seq, char hash[65])
{
    *seq = 0;
    hash[0] = '\0';
    char *v = fw_ws_setting(ws, FW_TRAIL_HEAD_KEY);
    if (!v)
        return;
    char h[65] = "";
    if (sscanf(v, "%lld %64s", seq, h) != 2 || *seq < 1 || strlen(h) != 64)
        *seq = -1; /* malformed: verify reports it */
    snprintf(hash, 65, "%s", h);
    free(v);
}

/* An empty trail without a head: since schema 2 every trail begins with record 1 (trail.start,
 * written by the migration), so it was deleted. A workspace still at schema 1 may never have been
 * written to; there every import and every case came with a record. */
static int verify_not_emptied(fw_ws *ws, fw_err *err)
{
    if (has_versions(ws))
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record 1: the trail and its head (setting %s) are gone, but "
                         "every trail begins with record 1 (trail.start): the trail was deleted"),
                       FW_TRAIL_HEAD_KEY);
    long long cases = fw_ws_int(ws, "SELECT count(*) FROM cases");
    long long imports = fw_ws_int(ws, "SELECT count(*) FROM imports");
    if (cases == 0 && imports == 0)
        return FW_OK;
    return fw_fail(err, FW_EDATA,
                   _("audit trail broken at record 1: the trail and its head (setting %s) are gone although "
                     "the workspace holds %lld cases and %lld imports, each written with a record: the "
                     "trail was deleted"),
                   FW_TRAIL_HEAD_KEY, cases, imports);
}

/* The end of the chain (the record at c) against the head stored by the last append. */
static int verify_head(fw_ws *ws, const chain_pos *c, fw_err *err)
{
    long long head_seq;
    char head_hash[65];
    fw_trail_head(ws, &head_seq, head_hash);
    if (head_seq < 0)
        return fw_fail(err, FW_EDATA, _("audit trail head (setting %s) is malformed: it was edited"),
                       FW_TRAIL_HEAD_KEY);
    if (head_seq == 0) {
        if (c->seq == 0)
            return verify_not_emptied(ws, err);
        return fw_fail(err, FW_EDATA,
                       _("audit trail head (setting %s) is missing although there are %lld records: it "
                         "was deleted, so records after record %lld may have been cut off"),
                       FW_TRAIL_HEAD_KEY, c->seq, c->seq);
    }
    if (head_seq > c->seq)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: the trail ends at record %lld but record "
                         "%lld was written (the tail was deleted)"),
                       c->seq + 1, c->seq, head_seq);
    if (head_seq < c->seq)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it was added after the last record "
                         "fundwatch wrote (%lld), outside fundwatch"),
                       head_seq + 1, head_seq);
    if (strcmp(head_hash, c->hash) != 0)
        return fw_fail(err, FW_EDATA,
                       _("audit trail broken at record %lld: it is not the record fundwatch wrote last "
                         "(rewritten)"),
                       c->seq);
    return FW_OK;
}

/* The check before every write: the last record is intact and follows the one before it, and it
 * is the record the stored head names. Two records are read, not the whole chain, so a write
 * costs the same however long the trail; whatever this cannot see, `log verify` walks. */
static int check_end(fw_ws *ws, chain_pos *end, fw_err *err)
{
    sqlite3_stmt *st;
    if (prepare_records(ws, "ORDER BY seq DESC LIMIT 1", &st, err))
        return err->code;
    chain_start(end);
    int rc = FW_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        /* The record before the last one sets the position the last must follow. */
        sqlite3_stmt *prev;
        if (prepare_records(ws, "ORDER BY seq DESC LIMIT 1 OFFSET 1", &prev, err)) {
            sqlite3_finalize(st);
            return err->code;
        }
        if (sqlite3_step(prev) == SQLITE_ROW) {
            end->seq = sqlite3_column_int64(prev, C_SEQ);
            snprintf(end->hash, sizeof end->hash, "%s", col(prev, C_HASH) ? col(prev, C_HASH) : "");
            end->version = sqlite3_column_int(prev, C_VERSION);
        }
        sqlite3_finalize(prev);
        rc = verify_record(st, end, err);
    }
    sqlite3_finalize(st);
    if (rc == FW_OK)
        rc = verify_head(ws, end, err);
    return rc;
}

/* --- appending ---------------------------------------------------------------------------------- */

static int insert_record(fw_ws *ws, const char *action, const char *object, const char *before_json,
                         const char *after_json, fw_err *err)
{
    chain_pos end;
    if (check_end(ws, &end, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fw_fail(err, FW_EDATA,
                       _("refused: the audit trail was altered outside fundwatch (%s); nothing was written. "
                         "Keep the workspace as it is and run `fundwatch log verify`"),
                       why);
    }
    long long seq = end.seq + 1;

    char at[32], hash[65];
    fw_now_iso(at);
    const char *user = fw_user();
    fw_trail_hash(FW_TRAIL_VERSION, end.hash, seq, at, user, action, object, before_json, after_json, hash);
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws,
                      "INSERT INTO trail(" RECORD_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1 + C_SEQ, seq);
    sqlite3_bind_text(st, 1 + C_AT, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_USER, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_ACTION, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_OBJECT, object, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_BEFORE, before_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_AFTER, after_json, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_PREV, end.hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 1 + C_HASH, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 1 + C_VERSION, FW_TRAIL_VERSION);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fw_fail(err, FW_EWORKSPACE, "cannot write the audit trail: %s", sqlite3_errmsg(ws->db));

    char head[128];
    snprintf(head, sizeof head, "%lld %s", seq, hash);
    if (fw_ws_set_setting(ws, FW_TRAIL_HEAD_KEY, head, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fw_fail(err, FW_EWORKSPACE, "cannot write the audit trail head: %s", why);
    }
    return FW_OK;
}

int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err)
{
    /* Outside a transaction the check, the read of the last record and the insert must still be
     * one unit, or two processes could both take the same seq. */
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

/* --- verifying ---------------------------------------------------------------------------------- */

/* The append-only triggers: both present with the text migration 1 gave them, and no other
 * trigger on the trail or the settings (where the head lives) that could change what fundwatch
 * writes. */
static int verify_triggers(fw_ws *ws, fw_err *err)
{
    static const struct {
        const char *name, *sql;
    } shipped[] = {{"trail_no_update", FW_TRAIL_NO_UPDATE_SQL}, {"trail_no_delete", FW_TRAIL_NO_DELETE_SQL}};
    sqlite3_stmt *st;
    int rc = FW_OK;
    if (fw_ws_prepare(ws, "SELECT type FROM sqlite_master WHERE name = 'trail' COLLATE NOCASE", &st, err))
        return err->code;
    if (sqlite3_step(st) != SQLITE_ROW || !streq(col(st, 0), "table"))
        rc = fw_fail(err, FW_EDATA, _("the audit trail is not a table any more: the workspace was rebuilt by hand"));
    sqlite3_finalize(st);
    for (size_t i = 0; rc == FW_OK && i < sizeof shipped / sizeof shipped[0]; i++) {
        if (fw_ws_prepare(ws, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? COLLATE NOCASE",
                          &st, err))
            return err->code;
        sqlite3_bind_text(st, 1, shipped[i].name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            rc = fw_fail(err, FW_EDATA,
                         _("the audit trail's append-only trigger %s is missing: it was dropped, and while it "
                           "was gone records could be changed in ways the chain cannot show; compare the "
                           "head with an anchor taken before (log verify --against)"),
                         shipped[i].name);
        else if (!streq(col(st, 0), shipped[i].sql))
            rc = fw_fail(err, FW_EDATA,
                         _("the audit trail's append-only trigger %s is not the one fundwatch created: it was "
                           "replaced; compare the head with an anchor taken before (log verify --against)"),
                         shipped[i].name);
        sqlite3_finalize(st);
    }
    if (rc)
        return rc;
    if (fw_ws_prepare(ws,
                      "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                      "AND lower(tbl_name) IN ('trail', 'settings') "
                      "AND lower(name) NOT IN ('trail_no_update', 'trail_no_delete') ORDER BY name",
                      &st, err))
        return err->code;
    if (sqlite3_step(st) == SQLITE_ROW)
        rc = fw_fail(err, FW_EDATA,
                     _("a trigger fundwatch did not create (%s, on %s) was added to the workspace: it can change "
                       "what fundwatch writes to the audit trail"),
                     col(st, 0), col(st, 1));
    sqlite3_finalize(st);
    return rc;
}

static int verify_chain(fw_ws *ws, long long *checked, fw_err *err)
{
    sqlite3_stmt *st;
    if (prepare_records(ws, "ORDER BY seq", &st, err))
        return err->code;
    chain_pos c;
    chain_start(&c);
    int rc = FW_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if ((rc = verify_record(st, &c, err)) != FW_OK)
            break;
        (*checked)++;
    }
    if (rc == FW_OK && step != SQLITE_DONE)
        rc = fw_fail(err, FW_EWORKSPACE, "cannot read the audit trail: %s", sqlite3_errmsg(ws->db));
    sqlite3_finalize(st);
    if (rc == FW_OK)
        rc = verify_head(ws, &c, err);
    if (rc == FW_OK)
        rc = verify_triggers(ws, err);
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
