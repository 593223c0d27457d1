/* trail.c: the hash-chained audit trail (see trail.h): writing records, checking the end of the
 * chain before each write, and verifying the whole chain and the triggers that guard it. */
#include "audit/trail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/schema.h"
#include "audit/store/store.h"

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

/* The columns every check reads, in this order. "user" is quoted: PostgreSQL reserves the word. */
#define FIXED_COLUMNS "seq, at, \"user\", action, object, before, after, prev_hash, hash"
#define RECORD_COLUMNS FIXED_COLUMNS ", version"
enum { C_SEQ, C_AT, C_USER, C_ACTION, C_OBJECT, C_BEFORE, C_AFTER, C_PREV, C_HASH, C_VERSION, C_LEN };

/* After the record columns, the byte length of each hashed text field (at..after, C_LEN + i for
 * field C_AT + i): a value stored outside fundwatch may hold a NUL, and the hash must cover the
 * bytes after it too, or such an edit would verify. The store reads text up to a NUL, so the
 * length comes from the engine (PostgreSQL text cannot hold a NUL, but says the same). */
#define FIELD_LENGTHS_PG                                                                           \
    "octet_length(at), octet_length(\"user\"), octet_length(action), octet_length(object), "         \
    "octet_length(before), octet_length(after)"
#define FIELD_LENGTHS_SQLITE                                                                       \
    "length(CAST(at AS BLOB)), length(CAST(\"user\" AS BLOB)), length(CAST(action AS BLOB)), "       \
    "length(CAST(object AS BLOB)), length(CAST(before AS BLOB)), length(CAST(after AS BLOB))"
static const fw_sql field_lengths = {
    .name = "trail.field_lengths",
    .sql = FIELD_LENGTHS_PG,
    .sqlite = FIELD_LENGTHS_SQLITE,
};

/* The last record and the one before it, read before every append (check_end): prepared once per
 * connection (fw_db_cached), since a dispatch or an accept of thousands of cases appends a record
 * per case. Indexed [has versions][the one before]. */
#define END_RECORD_SQL(version, engine_lengths, tail)                                              \
    "SELECT " FIXED_COLUMNS ", " version ", " engine_lengths " FROM trail ORDER BY seq DESC LIMIT 1" tail
#define END_RECORD(label, version, tail)                                                           \
    {.name = label, .sql = END_RECORD_SQL(version, FIELD_LENGTHS_PG, tail),                          \
     .sqlite = END_RECORD_SQL(version, FIELD_LENGTHS_SQLITE, tail)}
static const fw_sql end_records[2][2] = {
    {END_RECORD("trail.end_v1", "1", ""), END_RECORD("trail.before_end_v1", "1", " OFFSET 1")},
    {END_RECORD("trail.end", "version", ""), END_RECORD("trail.before_end", "version", " OFFSET 1")},
};
static const fw_sql insert_record_sql = {
    .name = "trail.insert",
    .sql = "INSERT INTO trail(" RECORD_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

/* Whether the trail has the version column (schema 2). A workspace read without being migrated
 * has none: all its records are version 1 and it may not have record 1 trail.start. */
static const fw_sql version_column = {
    .name = "trail.has_versions",
    .sql = "SELECT count(*) FROM information_schema.columns WHERE table_name = 'trail' AND column_name = 'version'",
    .sqlite = "SELECT count(*) FROM pragma_table_info('trail') WHERE name = 'version'",
};

static int has_versions(fw_ws *ws)
{
    fw_err e = {0};
    fw_stmt *st;
    if (fw_db_cached(ws->store, &version_column, &st, &e))
        return 0;
    long long n = fw_stmt_step(st, &e) == 1 ? fw_stmt_int64(st, 0) : 0;
    fw_stmt_reset(st);
    return n > 0;
}

/* Prepares SELECT RECORD_COLUMNS, the field lengths FROM trail followed by tail. */
static int prepare_records(fw_ws *ws, const char *tail, fw_stmt **st, fw_err *err)
{
    char *sql = fw_printf("SELECT " FIXED_COLUMNS ", %s, %s FROM trail %s", has_versions(ws) ? "version" : "1",
                          fw_db_sql_text(ws->store, &field_lengths), tail);
    int rc = fw_db_prepare(ws->store, sql, st, err);
    free(sql);
    return rc;
}

static const char *col(fw_stmt *st, int i)
{
    return fw_stmt_text(st, i);
}

static field col_field(fw_stmt *st, int i)
{
    if (fw_stmt_is_null(st, i))
        return (field){NULL, 0};
    const char *p = col(st, i);
    return (field){p ? p : "", (size_t)fw_stmt_int64(st, C_LEN + (i - C_AT))};
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The hash a stored record should have, recomputed from its fields, chained to prev. */
static void record_hash(fw_stmt *st, int version, const char *prev, char out[65])
{
    char seqs[32];
    snprintf(seqs, sizeof seqs, "%lld", fw_stmt_int64(st, C_SEQ));
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
static int verify_record(fw_stmt *st, chain_pos *c, fw_err *err)
{
    long long seq = fw_stmt_int64(st, C_SEQ);
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
    int version = fw_stmt_type(st, C_VERSION) == FW_DBT_INT ? (int)fw_stmt_int64(st, C_VERSION) : -1;
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

/* A count, 0 when it cannot be read (the verdict then rests on the other evidence). */
static long long count_rows(fw_ws *ws, const char *sql)
{
    fw_err e = {0};
    long long n = 0;
    if (fw_db_query_int(ws->store, sql, &n, &e))
        return 0;
    return n;
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
    long long cases = count_rows(ws, "SELECT count(*) FROM cases");
    long long imports = count_rows(ws, "SELECT count(*) FROM imports");
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
    const fw_sql *q = end_records[has_versions(ws) ? 1 : 0];
    fw_stmt *st;
    if (fw_db_cached(ws->store, &q[0], &st, err))
        return err->code;
    chain_start(end);
    int rc = FW_OK;
    int step = fw_stmt_step(st, err);
    if (step == 1) {
        /* The record before the last one sets the position the last must follow. */
        fw_stmt *prev;
        if (fw_db_cached(ws->store, &q[1], &prev, err)) {
            fw_stmt_reset(st);
            return err->code;
        }
        step = fw_stmt_step(prev, err);
        if (step == 1) {
            end->seq = fw_stmt_int64(prev, C_SEQ);
            snprintf(end->hash, sizeof end->hash, "%s", col(prev, C_HASH) ? col(prev, C_HASH) : "");
            end->version = (int)fw_stmt_int64(prev, C_VERSION);
        }
        fw_stmt_reset(prev);
        rc = step < 0 ? err->code : verify_record(st, end, err);
    } else if (step < 0) {
        rc = err->code;
    }
    fw_stmt_reset(st);
    if (rc == FW_OK)
        rc = verify_head(ws, end, err);
    return rc;
}

/* --- appending ---------------------------------------------------------------------------------- */

/* Appends are one at a time: two that read the same end of the chain would both write its next
 * number (one fails on the key, or worse, a record chained to a record that was not the last; the
 * next append then finds the chain "altered outside fundwatch"). SQLite's write transaction
 * (BEGIN IMMEDIATE) already holds the one write lock. On PostgreSQL several transactions write at
 * once, so an append first takes a transaction-level advisory lock of this workspace (its schema),
 * held until commit or rollback; under read committed the statements after it see the records the
 * previous holder committed. Found by bench/concurrency.sh (issue 13). The kiosk's functions
 * (migration 8), which append in SQL, take the same lock (FW_TRAIL_PG_LOCK, schema.h). */
static const fw_sql append_lock_sql = {
    .name = "trail.append_lock",
    .sql = "SELECT 1",
    .postgres = "SELECT 1 FROM (SELECT " FW_TRAIL_PG_LOCK ") l",
};

static int lock_for_append(fw_ws *ws, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_cached(ws->store, &append_lock_sql, &st, err))
        return err->code;
    int step = fw_stmt_step(st, err);
    fw_stmt_reset(st);
    return step < 0 ? err->code : FW_OK;
}

static int insert_record(fw_ws *ws, const char *action, const char *object, const char *before_json,
                         const char *after_json, fw_err *err)
{
    chain_pos end;
    if (lock_for_append(ws, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fw_fail(err, err->code == FW_EINTR ? FW_EINTR : FW_EWORKSPACE,
                       _("cannot write the audit trail: %s"), why);
    }
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
    /* Who: on PostgreSQL the role that logged in (session_user, which the rule sandbox's SET ROLE
     * does not change), not a name the client typed; on SQLite, one workstation, fw_user(). */
    char *db_user = NULL;
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES) {
        fw_stmt *who;
        if (fw_db_prepare(ws->store, "SELECT session_user::text", &who, err))
            return err->code;
        if (fw_stmt_step(who, err) == 1 && fw_stmt_text(who, 0))
            db_user = fw_strdup(fw_stmt_text(who, 0));
        fw_stmt_finalize(who);
        if (!db_user)
            return fw_fail(err, FW_EWORKSPACE, _("cannot write the audit trail: the server did not say who is logged in"));
    }
    const char *user = db_user ? db_user : fw_user();
    fw_trail_hash(FW_TRAIL_VERSION, end.hash, seq, at, user, action, object, before_json, after_json, hash);
    fw_stmt *st;
    if (fw_db_cached(ws->store, &insert_record_sql, &st, err)) {
        free(db_user);
        return err->code;
    }
    fw_stmt_bind_int64(st, 1 + C_SEQ, seq);
    fw_stmt_bind_text(st, 1 + C_AT, at, -1);
    fw_stmt_bind_text(st, 1 + C_USER, user, -1);
    fw_stmt_bind_text(st, 1 + C_ACTION, action, -1);
    fw_stmt_bind_text(st, 1 + C_OBJECT, object, -1);
    fw_stmt_bind_text(st, 1 + C_BEFORE, before_json, -1);
    fw_stmt_bind_text(st, 1 + C_AFTER, after_json, -1);
    fw_stmt_bind_text(st, 1 + C_PREV, end.hash, -1);
    fw_stmt_bind_text(st, 1 + C_HASH, hash, -1);
    fw_stmt_bind_int64(st, 1 + C_VERSION, FW_TRAIL_VERSION);
    int rc = fw_stmt_step(st, err);
    fw_stmt_reset(st);
    free(db_user);
    if (rc < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fw_fail(err, FW_EWORKSPACE, _("cannot write the audit trail: %s"), why);
    }

    char head[128];
    snprintf(head, sizeof head, "%lld %s", seq, hash);
    if (fw_ws_set_setting(ws, FW_TRAIL_HEAD_KEY, head, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fw_fail(err, FW_EWORKSPACE, _("cannot write the audit trail head: %s"), why);
    }
    return FW_OK;
}

int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err)
{
    /* Outside a transaction the check, the read of the last record and the insert must still be
     * one unit, or two processes could both take the same seq. */
    bool own = !fw_db_in_txn(ws->store);
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
/* PostgreSQL's catalogue: the trail a table; each guard trigger present, enabled, firing before
 * each row of its event and calling fw_trail_append_only with the body migration 1 gave it; no
 * other trigger on the trail or the settings. Same messages as SQLite's check. */
static int verify_triggers_pg(fw_ws *ws, fw_err *err)
{
    enum { ROW = 1, BEFORE = 2, INSERT = 4, DELETE = 8, UPDATE = 16, TRUNCATE = 32 }; /* pg_trigger.tgtype */
    static const struct {
        const char *name;
        int type;
    } shipped[] = {{"trail_no_update", ROW | BEFORE | UPDATE},
                   {"trail_no_delete", ROW | BEFORE | DELETE},
                   {"trail_no_truncate", BEFORE | TRUNCATE}};
    fw_stmt *st;
    int rc = FW_OK, step;
    if (fw_db_prepare(ws->store, "SELECT relkind::text FROM pg_class WHERE oid = to_regclass('trail')", &st, err))
        return err->code;
    step = fw_stmt_step(st, err);
    if (step < 0)
        rc = err->code;
    else if (step == 0 || (!streq(col(st, 0), "r") && !streq(col(st, 0), "p")))
        rc = fw_fail(err, FW_EDATA, _("the audit trail is not a table any more: the workspace was rebuilt by hand"));
    fw_stmt_finalize(st);
    for (size_t i = 0; rc == FW_OK && i < sizeof shipped / sizeof shipped[0]; i++) {
        if (fw_db_prepare(ws->store,
                          "SELECT t.tgenabled::text IN ('O', 'A') AND t.tgtype = CAST(? AS INTEGER) "
                          "AND p.proname = '" FW_TRAIL_GUARD_PG_FUNCTION "' AND p.prosrc = ? "
                          "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                          "WHERE t.tgrelid = to_regclass('trail') AND t.tgname = ? AND NOT t.tgisinternal",
                          &st, err))
            return err->code;
        fw_stmt_bind_int64(st, 1, shipped[i].type);
        fw_stmt_bind_text(st, 2, FW_TRAIL_GUARD_PG_BODY, -1);
        fw_stmt_bind_text(st, 3, shipped[i].name, -1);
        step = fw_stmt_step(st, err);
        if (step < 0)
            rc = err->code;
        else if (step == 0)
            rc = fw_fail(err, FW_EDATA,
                         _("the audit trail's append-only trigger %s is missing: it was dropped, and while it "
                           "was gone records could be changed in ways the chain cannot show; compare the "
                           "head with an anchor taken before (log verify --against)"),
                         shipped[i].name);
        else if (fw_stmt_int64(st, 0) != 1)
            rc = fw_fail(err, FW_EDATA,
                         _("the audit trail's append-only trigger %s is not the one fundwatch created: it was "
                           "replaced; compare the head with an anchor taken before (log verify --against)"),
                         shipped[i].name);
        fw_stmt_finalize(st);
    }
    if (rc)
        return rc;
    /* Migration 9's notice trigger on the trail only sends a notice after each INSERT statement:
     * accepted when it is exactly that (AFTER INSERT, per statement, calling the notice function with
     * the body the migration gave it), else it is a trigger like any other. */
    if (fw_db_prepare(ws->store,
                      "SELECT t.tgname::text, c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                      "JOIN pg_proc p ON p.oid = t.tgfoid "
                      "WHERE t.tgrelid IN (to_regclass('trail'), to_regclass('settings')) AND NOT t.tgisinternal "
                      "AND t.tgname NOT IN ('trail_no_update', 'trail_no_delete', 'trail_no_truncate') "
                      "AND NOT (t.tgrelid = to_regclass('trail') AND t.tgname = '" FW_NOTIFY_TRAIL_TRIGGER "' "
                      "AND t.tgtype = CAST(? AS INTEGER) AND t.tgenabled::text IN ('O', 'A') "
                      "AND p.proname = '" FW_NOTIFY_PG_FUNCTION "' AND p.prosrc = ?) ORDER BY 1",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, INSERT);
    fw_stmt_bind_text(st, 2, FW_NOTIFY_PG_BODY, -1);
    step = fw_stmt_step(st, err);
    if (step < 0)
        rc = err->code;
    else if (step == 1)
        rc = fw_fail(err, FW_EDATA,
                     _("a trigger fundwatch did not create (%s, on %s) was added to the workspace: it can change "
                       "what fundwatch writes to the audit trail"),
                     col(st, 0), col(st, 1));
    fw_stmt_finalize(st);
    return rc;
}

static int verify_triggers(fw_ws *ws, fw_err *err)
{
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES)
        return verify_triggers_pg(ws, err);
    static const struct {
        const char *name, *sql;
    } shipped[] = {{"trail_no_update", FW_TRAIL_NO_UPDATE_SQL}, {"trail_no_delete", FW_TRAIL_NO_DELETE_SQL}};
    /* SQLite's catalogue (sqlite_master) and its trigger text; PostgreSQL: verify_triggers_pg. */
    fw_stmt *st;
    int rc = FW_OK, step;
    if (fw_db_prepare(ws->store, "SELECT type FROM sqlite_master WHERE name = 'trail' COLLATE NOCASE", &st, err))
        return err->code;
    step = fw_stmt_step(st, err);
    if (step < 0)
        rc = err->code;
    else if (step == 0 || !streq(col(st, 0), "table"))
        rc = fw_fail(err, FW_EDATA, _("the audit trail is not a table any more: the workspace was rebuilt by hand"));
    fw_stmt_finalize(st);
    for (size_t i = 0; rc == FW_OK && i < sizeof shipped / sizeof shipped[0]; i++) {
        if (fw_db_prepare(ws->store,
                          "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? COLLATE NOCASE", &st,
                          err))
            return err->code;
        fw_stmt_bind_text(st, 1, shipped[i].name, -1);
        step = fw_stmt_step(st, err);
        if (step < 0)
            rc = err->code;
        else if (step == 0)
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
        fw_stmt_finalize(st);
    }
    if (rc)
        return rc;
    if (fw_db_prepare(ws->store,
                      "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' "
                      "AND lower(tbl_name) IN ('trail', 'settings') "
                      "AND lower(name) NOT IN ('trail_no_update', 'trail_no_delete') ORDER BY name",
                      &st, err))
        return err->code;
    step = fw_stmt_step(st, err);
    if (step < 0)
        rc = err->code;
    else if (step == 1)
        rc = fw_fail(err, FW_EDATA,
                     _("a trigger fundwatch did not create (%s, on %s) was added to the workspace: it can change "
                       "what fundwatch writes to the audit trail"),
                     col(st, 0), col(st, 1));
    fw_stmt_finalize(st);
    return rc;
}

static int verify_chain(fw_ws *ws, long long *checked, fw_err *err)
{
    fw_stmt *st;
    if (prepare_records(ws, "ORDER BY seq", &st, err))
        return err->code;
    chain_pos c;
    chain_start(&c);
    int rc = FW_OK, step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        if ((rc = verify_record(st, &c, err)) != FW_OK)
            break;
        (*checked)++;
    }
    if (rc == FW_OK && step < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        rc = fw_fail(err, FW_EWORKSPACE, _("cannot read the audit trail: %s"), why);
    }
    fw_stmt_finalize(st);
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
    bool own = !fw_db_in_txn(ws->store);
    if (own && fw_db_begin(ws->store, FW_TXN_READ, err))
        return err->code;
    int rc = verify_chain(ws, checked, err);
    if (own)
        fw_ws_rollback(ws);
    return rc;
}

int fw_trail_list(fw_ws *ws, const char *object, long limit, fw_rows **rows, fw_err *err)
{
    /* No limit is no LIMIT clause: PostgreSQL takes no LIMIT -1. The object is cast so that
     * "? IS NULL" has a type on PostgreSQL. */
    *rows = NULL;
    char *sql = fw_printf("SELECT seq, at, \"user\", action, object, before, after FROM ("
                          "  SELECT * FROM trail WHERE CAST(?1 AS TEXT) IS NULL OR object = ?1 "
                          "  ORDER BY seq DESC%s"
                          ") AS t ORDER BY seq",
                          limit > 0 ? " LIMIT ?2" : "");
    int rc = fw_rows_prepare(ws->store, sql, rows, err);
    free(sql);
    if (rc)
        return err->code;
    fw_stmt *st = fw_rows_stmt(*rows);
    fw_stmt_bind_text(st, 1, object, -1);
    if (limit > 0)
        fw_stmt_bind_int64(st, 2, limit);
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
