/* test_trail.c: the audit trail's hash chain: an intact trail verifies with its count; each kind of
 * tampering an attacker with the file can do (edit, delete, insert, reorder, cut the tail, append
 * behind fundwatch's back, delete the head, empty the trail, move text across fields, downgrade the
 * chain version, drop or replace the triggers) is caught and the record named; a write after such
 * tampering is refused and writes nothing; records of chain version 1 still verify; an anchor
 * catches a rewrite of the whole chain that verify cannot; a rolled-back change leaves no record;
 * setting changes are recorded. The attacker's SQL runs on a second connection after dropping the
 * append-only triggers, as it would with the sqlite3 shell. */
#include "audit/anchor.h"
#include "audit/schema.h"
#include "audit/trail.h"
#include "tests/unit/testutil.h"

#include <ctype.h>
#include <sqlite3.h> /* the attacker's own connection to the file, never the workspace's */

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* A workspace with trail.start (record 1) and five records (2..6). */
static fw_ws *five_records(char **dir)
{
    fw_ws *ws = test_open_ws(dir);
    fw_err err = {0};
    for (int i = 1; i <= 5; i++) {
        char obj[32], after[64];
        snprintf(obj, sizeof obj, "case:%d", i);
        snprintf(after, sizeof after, "{\"status\":\"s%d\"}", i);
        assert_int_equal(fw_trail_append(ws, "case.status", obj, "{}", after, &err), FW_OK);
    }
    return ws;
}

/* Tampers through a separate connection (as an attacker with the sqlite3 shell would) and returns
 * what verify says. */
static int tamper_and_verify(fw_ws *ws, const char *attack, long long *checked, fw_err *err)
{
    sqlite3 *evil;
    assert_int_equal(sqlite3_open(ws->path, &evil), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(evil, "DROP TRIGGER trail_no_update; DROP TRIGGER trail_no_delete;", NULL, NULL, &msg);
    assert_int_equal(rc, SQLITE_OK);
    rc = sqlite3_exec(evil, attack, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", attack, msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(evil);
    return fw_trail_verify(ws, checked, err);
}

static void expect_caught(const char *attack, const char *record, const char *how)
{
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    long long checked = -1;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 6);
    assert_int_equal(tamper_and_verify(ws, attack, &checked, &err), FW_EDATA);
    if (!strstr(err.msg, record) || !strstr(err.msg, how))
        fprintf(stderr, "attack: %s\nmessage: %s\n", attack, err.msg);
    assert_non_null(strstr(err.msg, record));
    assert_non_null(strstr(err.msg, how));
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_intact_trail_verifies(void **state)
{
    (void)state;
    fw_set_user("tester"); /* the records name the acting user */
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    long long checked = 0, seq;
    char hash[65];
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 6);
    fw_trail_head(ws, &seq, hash);
    assert_int_equal(seq, 6);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE seq = 6 AND hash = (SELECT substr(value, 3) "
                                   "FROM settings WHERE key = 'trail.head')"),
                     1);
    /* The stored hash is the documented function of the fields. */
    fw_stmt *st = test_prepare(ws, "SELECT prev_hash, seq, at, user, action, object, before, after, hash "
                                   "FROM trail WHERE seq = 3");
    assert_int_equal(test_step(st), 1);
    char h[65];
    fw_trail_hash(FW_TRAIL_VERSION, fw_stmt_text(st, 0), fw_stmt_int64(st, 1), fw_stmt_text(st, 2),
                  fw_stmt_text(st, 3), fw_stmt_text(st, 4), fw_stmt_text(st, 5), fw_stmt_text(st, 6),
                  fw_stmt_text(st, 7), h);
    assert_string_equal(h, fw_stmt_text(st, 8));
    assert_string_equal(fw_stmt_text(st, 3), "tester");
    fw_stmt_finalize(st);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE seq > 1 AND version = 2"), 5);
    fw_ws_close(ws);
    test_rmdir(dir);
    fw_set_user(NULL);
    free(dir);
}

/* A new workspace's trail is not empty: it starts with record 1, trail.start, the same everywhere. */
static void test_new_trail_starts_with_its_first_record(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    long long checked = -1, seq;
    char hash[65], h[65];
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 1);
    fw_trail_head(ws, &seq, hash);
    assert_int_equal(seq, 1);
    assert_string_equal(hash, FW_TRAIL_START_HASH);
    fw_trail_hash(2, zeros, 1, "-", "fundwatch", "trail.start", NULL, NULL,
                  "{\"note\":\"every audit trail begins with this record\"}", h);
    assert_string_equal(h, FW_TRAIL_START_HASH);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE seq = 1 AND action = 'trail.start' AND version = 2"), 1);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_edited_record_caught(void **state)
{
    (void)state;
    expect_caught("UPDATE trail SET after = '{\"status\":\"dismissed\"}' WHERE seq = 3", "record 3", "changed");
    expect_caught("UPDATE trail SET user = 'nobody' WHERE seq = 2", "record 2", "changed");
}

static void test_deleted_record_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM trail WHERE seq = 3", "record 3", "deleted");
    expect_caught("DELETE FROM trail WHERE seq IN (2, 3)", "records 2..3", "deleted");
    /* Deleted and renumbered to hide the gap. */
    expect_caught("DELETE FROM trail WHERE seq = 3; UPDATE trail SET seq = seq - 1 WHERE seq > 3",
                  "record 3", "does not follow");
}

static void test_inserted_record_caught(void **state)
{
    (void)state;
    /* Make room and insert a forged record with a self-consistent hash in the middle. */
    expect_caught("UPDATE trail SET seq = seq + 10 WHERE seq >= 3; UPDATE trail SET seq = seq - 9 WHERE seq >= 13; "
                  "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash, version) "
                  "SELECT 3, at, user, action, object, before, after, hash, hash, version FROM trail WHERE seq = 2",
                  "record 3", "changed");
    expect_caught("INSERT INTO trail(seq, at, user, action, prev_hash, hash) VALUES (0, 'x', 'x', 'x', 'x', 'x')",
                  "record 0", "inserted");
}

static void test_reordered_records_caught(void **state)
{
    (void)state;
    expect_caught("UPDATE trail SET seq = 100 WHERE seq = 2; UPDATE trail SET seq = 2 WHERE seq = 3; "
                  "UPDATE trail SET seq = 3 WHERE seq = 100",
                  "record 2", "does not follow");
}

static void test_cut_tail_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM trail WHERE seq = 6", "record 6", "tail was deleted");
    expect_caught("DELETE FROM trail WHERE seq >= 4", "record 4", "tail was deleted");
}

static void test_appended_outside_caught(void **state)
{
    (void)state;
    /* A forged last record whose hash even chains correctly is still past the recorded head. */
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    fw_stmt *st = test_prepare(ws, "SELECT hash FROM trail WHERE seq = 6");
    assert_int_equal(test_step(st), 1);
    char prev[65], h[65];
    snprintf(prev, sizeof prev, "%s", fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
    fw_trail_hash(FW_TRAIL_VERSION, prev, 7, "2026-01-01T00:00:00Z", "mallory", "case.status", "case:1", NULL, NULL, h);
    char *attack = fw_printf("INSERT INTO trail(seq, at, user, action, object, prev_hash, hash, version) VALUES "
                             "(7, '2026-01-01T00:00:00Z', 'mallory', 'case.status', 'case:1', '%s', '%s', 2)", prev, h);
    long long checked;
    assert_int_equal(tamper_and_verify(ws, attack, &checked, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "record 7"));
    assert_non_null(strstr(err.msg, "outside fundwatch"));
    assert_int_equal(checked, 7);
    free(attack);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_deleted_head_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM settings WHERE key = 'trail.head'", "trail.head", "missing");
    expect_caught("UPDATE settings SET value = 'garbage' WHERE key = 'trail.head'", "trail.head", "malformed");
}

/* A change rolled back takes its record (and the head) with it. */
static void test_rolled_back_append_leaves_nothing(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    char before[65], after[65];
    long long s1, s2;
    fw_trail_head(ws, &s1, before);
    assert_int_equal(fw_ws_begin(ws, &err), FW_OK);
    assert_int_equal(fw_trail_append(ws, "export", "file:x.xlsx", NULL, NULL, &err), FW_OK);
    fw_ws_rollback(ws);
    fw_trail_head(ws, &s2, after);
    assert_int_equal(s1, s2);
    assert_string_equal(before, after);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail"), 6);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_setting_change_recorded(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = test_open_ws(&dir);
    fw_err err = {0};
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "1", &err), FW_OK);
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "1", &err), FW_OK); /* unchanged: no record */
    assert_int_equal(fw_trail_set_setting(ws, "review.second", "0", &err), FW_OK);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'setting'"), 2);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE seq = 3 AND before = '{\"value\":\"1\"}' "
                                   "AND after = '{\"value\":\"0\"}'"),
                     1);
    fw_rows *rows;
    assert_int_equal(fw_trail_list(ws, "setting:review.second", 1, &rows, &err), FW_OK);
    assert_int_equal(fw_rows_step(rows, &err), 1);
    assert_int_equal(fw_rows_int(rows, 0), 3);
    assert_int_equal(fw_rows_step(rows, &err), 0);
    fw_rows_close(rows);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_json_escaping(void **state)
{
    (void)state;
    fw_buf b = {0};
    fw_buf_puts(&b, "{");
    fw_json_field_str(&b, "note", "say \"hi\"\n\\ \x01");
    fw_json_field_str(&b, "none", NULL);
    fw_json_field_int(&b, "n", -5);
    fw_buf_puts(&b, "}");
    assert_string_equal(b.data, "{\"note\":\"say \\\"hi\\\"\\n\\\\ \\u0001\",\"none\":null,\"n\":-5}");
    fw_buf_free(&b);
}

/* --- a write after tampering ------------------------------------------------------------------- */

/* Runs the attack (the SQL, or what make builds for this workspace), then an ordinary write: it
 * must be refused (naming the record and saying the trail was altered), write nothing, and leave
 * verify still reporting the damage. */
static void expect_write_refused_by(const char *sql, char *(*make)(fw_ws *), const char *record)
{
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    long long checked;
    char *attack = make ? make(ws) : fw_strdup(sql);
    assert_int_equal(tamper_and_verify(ws, attack, &checked, &err), FW_EDATA);
    long long rows = fw_ws_int(ws, "SELECT count(*) FROM trail");
    char *head = fw_ws_setting(ws, FW_TRAIL_HEAD_KEY);
    int rc = fw_trail_append(ws, "case.note", "case:1", NULL, "{\"note\":\"an ordinary note\"}", &err);
    if (rc != FW_EDATA || !strstr(err.msg, "altered") || !strstr(err.msg, record))
        fail_msg("attack %s: write returned %d, '%s'", attack, rc, err.msg);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail"), rows);
    char *after = fw_ws_setting(ws, FW_TRAIL_HEAD_KEY);
    assert_true((head == NULL) == (after == NULL));
    if (head)
        assert_string_equal(head, after);
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_EDATA);
    free(head);
    free(after);
    free(attack);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void expect_write_refused(const char *sql, const char *record)
{
    expect_write_refused_by(sql, NULL, record);
}

/* A forged record 7 whose hash chains onto record 6, appended without moving the head. */
static char *forged_record_7(fw_ws *ws)
{
    long long seq;
    char h6[65], h7[65];
    fw_trail_head(ws, &seq, h6);
    fw_trail_hash(2, h6, 7, "2026-01-01T00:00:00Z", "mallory", "case.note", "case:1", NULL, "{}", h7);
    return fw_printf("INSERT INTO trail(seq, at, user, action, object, after, prev_hash, hash, version) "
                     "VALUES (7, '2026-01-01T00:00:00Z', 'mallory', 'case.note', 'case:1', '{}', '%s', '%s', 2)",
                     h6, h7);
}

static void test_write_after_tampering_refused(void **state)
{
    (void)state;
    expect_write_refused("DELETE FROM trail WHERE seq = 6", "record 6");
    expect_write_refused("DELETE FROM trail WHERE seq >= 5", "record 5");
    expect_write_refused_by(NULL, forged_record_7, "record 7");
    expect_write_refused("DELETE FROM settings WHERE key = 'trail.head'", "record 6");
    expect_write_refused("DELETE FROM trail; DELETE FROM settings WHERE key = 'trail.head'", "record 1");
    expect_write_refused("UPDATE trail SET after = '{\"status\":\"dismissed\"}' WHERE seq = 6", "record 6");
    expect_write_refused("UPDATE settings SET value = '6 " FW_TRAIL_START_HASH "' WHERE key = 'trail.head'",
                         "record 6");
}

static void test_emptied_trail_caught(void **state)
{
    (void)state;
    expect_caught("DELETE FROM trail; DELETE FROM settings WHERE key = 'trail.head'", "record 1", "deleted");
}

/* --- chain versions ----------------------------------------------------------------------------- */

/* Version 1 joined fields with 0x1F: text could move from one field to the next unnoticed. */
static void test_version_2_separates_fields(void **state)
{
    (void)state;
    char a[65], b[65];
    fw_trail_hash(1, zeros, 2, "t", "alice\x1f" "case.note", "x", NULL, NULL, NULL, a);
    fw_trail_hash(1, zeros, 2, "t", "alice", "case.note\x1f" "x", NULL, NULL, NULL, b);
    assert_string_equal(a, b); /* the weakness of version 1 */
    fw_trail_hash(2, zeros, 2, "t", "alice\x1f" "case.note", "x", NULL, NULL, NULL, a);
    fw_trail_hash(2, zeros, 2, "t", "alice", "case.note\x1f" "x", NULL, NULL, NULL, b);
    assert_string_not_equal(a, b);
    /* NULL and empty differ, as does NULL and the text "-". */
    fw_trail_hash(2, zeros, 2, "t", "u", "a", NULL, NULL, NULL, a);
    fw_trail_hash(2, zeros, 2, "t", "u", "a", "", NULL, NULL, b);
    assert_string_not_equal(a, b);
    fw_trail_hash(2, zeros, 2, "t", "u", "a", "-", NULL, NULL, b);
    assert_string_not_equal(a, b);
}

/* A user name holding the separator, and an attacker moving text across the field boundary. */
static void test_text_moved_across_fields_caught(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    fw_set_user("王五\x1f" "case.status");
    assert_int_equal(fw_trail_append(ws, "case.note", "case:2", NULL, "{\"note\":\"n\"}", &err), FW_OK);
    fw_set_user(NULL);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    /* Same bytes under version 1's encoding: user "王五", action "case.status\x1fcase.note". */
    assert_int_equal(tamper_and_verify(ws,
                                       "UPDATE trail SET user = '王五', action = 'case.status' || char(31) || action "
                                       "WHERE seq = 7",
                                       &checked, &err),
                     FW_EDATA);
    assert_non_null(strstr(err.msg, "record 7"));
    assert_non_null(strstr(err.msg, "changed"));
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* A NUL inside a stored field must not end it early: text hidden behind it is a change. */
static void test_text_after_nul_caught(void **state)
{
    (void)state;
    expect_caught("UPDATE trail SET after = CAST(after || x'00' || CAST('{\"status\":\"dismissed\"}' AS BLOB) AS TEXT) "
                  "WHERE seq = 4",
                  "record 4", "changed");
}

/* A workspace of schema 1 (records of version 1, no trail.start), opened by this fundwatch. */
static char *old_workspace(char **dir)
{
    *dir = test_tmpdir();
    char *path = fw_printf("%s/ws.db", *dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (const char *const *sec = fw_schema_v1_sqlite; *sec; sec++)
        assert_int_equal(sqlite3_exec(db, *sec, NULL, NULL, NULL), SQLITE_OK);
    char prev[65], h[65];
    snprintf(prev, sizeof prev, "%s", zeros);
    for (int seq = 1; seq <= 3; seq++) {
        /* A user name with the separator was possible then too; its record still verifies. */
        const char *user = seq == 2 ? "old\x1fuser" : "old";
        fw_trail_hash(1, prev, seq, "2025-01-01T00:00:00Z", user, "case.note", "case:1", NULL, "{}", h);
        char *sql = sqlite3_mprintf("INSERT INTO trail(seq, at, user, action, object, after, prev_hash, hash) "
                                    "VALUES (%d, '2025-01-01T00:00:00Z', %Q, 'case.note', 'case:1', '{}', %Q, %Q)",
                                    seq, user, prev, h);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_free(sql);
        memcpy(prev, h, sizeof prev);
    }
    char *sql = sqlite3_mprintf("INSERT INTO settings VALUES ('trail.head', '3 %q'); PRAGMA user_version = 1", h);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    sqlite3_close(db);
    return path;
}

static void test_old_records_still_verify(void **state)
{
    (void)state;
    char *dir;
    char *path = old_workspace(&dir);
    fw_ws *ws;
    fw_err err = {0};
    assert_int_equal(fw_ws_open(path, &ws, &err), FW_OK);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 3);
    assert_int_equal(fw_ws_int(ws, "SELECT count(*) FROM trail WHERE action = 'trail.start'"), 0);
    assert_int_equal(fw_trail_append(ws, "case.note", "case:1", NULL, "{}", &err), FW_OK);
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 4);
    assert_int_equal(fw_ws_int(ws, "SELECT group_concat(version, '') FROM (SELECT version FROM trail ORDER BY seq)"),
                     1112);
    /* Going back to version 1 after a version-2 record is a forgery, even with a valid v1 hash. */
    char h4[65], h5[65];
    long long seq;
    fw_trail_head(ws, &seq, h4);
    fw_trail_hash(1, h4, 5, "2026-01-01T00:00:00Z", "mallory", "case.note", "case:1", NULL, "{}", h5);
    char *attack = fw_printf("INSERT INTO trail(seq, at, user, action, object, after, prev_hash, hash, version) "
                             "VALUES (5, '2026-01-01T00:00:00Z', 'mallory', 'case.note', 'case:1', '{}', '%s', '%s', 1);"
                             "UPDATE settings SET value = '5 %s' WHERE key = 'trail.head'",
                             h4, h5, h5);
    assert_int_equal(tamper_and_verify(ws, attack, &checked, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "record 5"));
    assert_non_null(strstr(err.msg, "version 1 after a record of version 2"));
    assert_int_equal(fw_trail_append(ws, "case.note", "case:1", NULL, "{}", &err), FW_EDATA);
    free(attack);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
    free(path);
}

/* --- the append-only triggers ------------------------------------------------------------------ */

/* Runs sql on a second connection (no triggers dropped) and returns what verify says. */
static int alter_and_verify(fw_ws *ws, const char *sql, fw_err *err)
{
    sqlite3 *evil;
    assert_int_equal(sqlite3_open(ws->path, &evil), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(evil, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "%s: %s\n", sql, msg);
    assert_int_equal(rc, SQLITE_OK);
    sqlite3_close(evil);
    long long checked;
    return fw_trail_verify(ws, &checked, err);
}

static void test_triggers_checked(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    assert_int_equal(alter_and_verify(ws, "DROP TRIGGER trail_no_delete", &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "trail_no_delete"));
    assert_non_null(strstr(err.msg, "missing"));
    assert_int_equal(alter_and_verify(ws, "CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail WHEN OLD.seq < 0\n"
                                          "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
                                      &err),
                     FW_EDATA);
    assert_non_null(strstr(err.msg, "trail_no_delete"));
    assert_non_null(strstr(err.msg, "not the one fundwatch created"));
    /* Put back exactly as shipped: nothing to report. */
    assert_int_equal(alter_and_verify(ws, "DROP TRIGGER trail_no_delete; " FW_TRAIL_NO_DELETE_SQL, &err), FW_OK);
    assert_int_equal(alter_and_verify(ws, "DROP TRIGGER trail_no_update", &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "trail_no_update"));
    assert_int_equal(alter_and_verify(ws, FW_TRAIL_NO_UPDATE_SQL, &err), FW_OK);
    /* A trigger of one's own on the settings could rewrite the head after every write. */
    assert_int_equal(alter_and_verify(ws, "CREATE TRIGGER keep_head AFTER UPDATE ON settings BEGIN SELECT 1; END", &err),
                     FW_EDATA);
    assert_non_null(strstr(err.msg, "keep_head"));
    assert_non_null(strstr(err.msg, "did not create"));
    assert_int_equal(alter_and_verify(ws, "DROP TRIGGER keep_head; CREATE TRIGGER quiet BEFORE INSERT ON trail "
                                          "BEGIN SELECT RAISE(IGNORE); END",
                                      &err),
                     FW_EDATA);
    assert_non_null(strstr(err.msg, "quiet"));
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

/* --- anchors ------------------------------------------------------------------------------------ */

/* Rewrites record `from` (its after) and every record after it with recomputed hashes, and the
 * head: what someone who knows the recipe does to leave a chain that verifies. */
static void rewrite_chain_from(fw_ws *ws, long long from)
{
    sqlite3 *evil;
    assert_int_equal(sqlite3_open(ws->path, &evil), SQLITE_OK);
    assert_int_equal(sqlite3_exec(evil, "DROP TRIGGER trail_no_update", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(evil, "SELECT seq, at, user, action, object, before, after, hash FROM trail "
                                              "ORDER BY seq", -1, &st, NULL),
                     SQLITE_OK);
    char prev[65] = "", h[65];
    fw_buf sql = {0};
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long seq = sqlite3_column_int64(st, 0);
        if (seq < from) {
            snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(st, 7));
            continue;
        }
        const char *after = seq == from ? "{\"status\":\"dismissed\"}" : (const char *)sqlite3_column_text(st, 6);
        fw_trail_hash(2, prev, seq, (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                      (const char *)sqlite3_column_text(st, 3), (const char *)sqlite3_column_text(st, 4),
                      (const char *)sqlite3_column_text(st, 5), after, h);
        char *one = sqlite3_mprintf("UPDATE trail SET after = %Q, prev_hash = %Q, hash = %Q WHERE seq = %lld;", after,
                                    prev, h, seq);
        fw_buf_puts(&sql, one);
        sqlite3_free(one);
        memcpy(prev, h, sizeof prev);
    }
    sqlite3_finalize(st);
    char *head = sqlite3_mprintf("UPDATE settings SET value = (SELECT max(seq) FROM trail) || ' ' || %Q "
                                 "WHERE key = 'trail.head';" FW_TRAIL_NO_UPDATE_SQL ";",
                                 prev);
    fw_buf_puts(&sql, head);
    sqlite3_free(head);
    char *msg = NULL;
    if (sqlite3_exec(evil, sql.data, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    fw_buf_free(&sql);
    sqlite3_close(evil);
}

static void test_anchor_line_round_trip(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    fw_anchor a, b;
    assert_int_equal(fw_anchor_take(ws, &a, &err), FW_OK);
    assert_int_equal(a.seq, 6);
    assert_int_equal(strlen(a.workspace), 16);
    char line[FW_ANCHOR_LINE_MAX];
    fw_anchor_format(&a, line);
    assert_int_equal(strncmp(line, "fundwatch-anchor ws=", 20), 0);
    assert_int_equal(fw_anchor_parse(line, &b, &err), FW_OK);
    assert_string_equal(a.workspace, b.workspace);
    assert_int_equal(a.seq, b.seq);
    assert_string_equal(a.hash, b.hash);
    assert_string_equal(a.at, b.at);
    /* In a register, wrapped by a mail program, in capitals: all found, in order. */
    char *text = fw_printf("Register of anchors\n2026-10 ok %s\n> fundwatch-anchor seq=1\n>   sha256=%s\n"
                           "note: FUNDWATCH-ANCHOR is not the mark\n",
                           line, FW_TRAIL_START_HASH);
    for (char *p = strstr(text, "sha256=") + 7; *p != '\n'; p++)
        *p = (char)toupper((unsigned char)*p);
    fw_anchor *all;
    int n;
    assert_int_equal(fw_anchor_parse_all(text, strlen(text), &all, &n, &err), FW_OK);
    assert_int_equal(n, 2);
    assert_string_equal(all[0].hash, a.hash);
    assert_int_equal(all[1].seq, 1);
    assert_string_equal(all[1].hash, FW_TRAIL_START_HASH);
    assert_string_equal(all[1].workspace, "");
    free(all);
    free(text);
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"fundwatch-anchor ws=ab seq=3", "lacks sha256="},
        {"fundwatch-anchor sha256=" FW_TRAIL_START_HASH, "lacks seq="},
        {"fundwatch-anchor seq=3 sha256=abc", "sha256= value is malformed"},
        {"fundwatch-anchor seq=3 sha256=" FW_TRAIL_START_HASH "0", "malformed"},
        {"fundwatch-anchor seq=3x sha256=" FW_TRAIL_START_HASH, "seq= value is malformed"},
        {"fundwatch-anchor seq=3 seq=4 sha256=" FW_TRAIL_START_HASH, "twice"},
        {"line one\nfundwatch-anchor seq=0 sha256=" FW_TRAIL_START_HASH, "line 2: an anchor of record 0"},
        {"no anchor here", "no anchor line found"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = fw_anchor_parse(bad[i].text, &b, &err);
        if (rc != FW_EDATA || !strstr(err.msg, bad[i].want))
            fail_msg("'%s': rc %d, '%s'", bad[i].text, rc, err.msg);
    }
    /* The CSV companion's member. */
    char *json = fw_printf("{\"file\":\"x.csv\",\"trail_anchor\":\"%s\"}", line);
    assert_int_equal(fw_anchor_from_json(ws, json, &b, &err), FW_OK);
    assert_string_equal(b.hash, a.hash);
    free(json);
    assert_int_equal(fw_anchor_from_json(ws, "{\"file\":1}", &b, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "trail_anchor"));
    assert_int_equal(fw_anchor_from_json(ws, "{not json", &b, &err), FW_EDATA);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

static void test_anchor_catches_rewritten_chain(void **state)
{
    (void)state;
    char *dir;
    fw_ws *ws = five_records(&dir);
    fw_err err = {0};
    fw_anchor a;
    assert_int_equal(fw_anchor_take(ws, &a, &err), FW_OK);
    /* Later writes keep the anchor. */
    assert_int_equal(fw_trail_append(ws, "case.note", "case:1", NULL, "{}", &err), FW_OK);
    assert_int_equal(fw_anchor_check(ws, &a, &err), FW_OK);
    fw_anchor other = a;
    snprintf(other.workspace, sizeof other.workspace, "00000000000000aa");
    assert_int_equal(fw_anchor_check(ws, &other, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "workspace 00000000000000aa"));
    fw_anchor beyond = a;
    beyond.seq = 99;
    assert_int_equal(fw_anchor_check(ws, &beyond, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "no longer holds record 99"));
    assert_non_null(strstr(err.msg, "ends at record 7"));
    /* A rewrite from record 3 on: the chain verifies, the anchor does not hold. */
    rewrite_chain_from(ws, 3);
    long long checked;
    assert_int_equal(fw_trail_verify(ws, &checked, &err), FW_OK);
    assert_int_equal(checked, 7);
    assert_int_equal(fw_anchor_check(ws, &a, &err), FW_EDATA);
    assert_non_null(strstr(err.msg, "record 6"));
    assert_non_null(strstr(err.msg, "rewritten"));
    /* An anchor of a record before the rewrite still holds: the rewrite began after it. */
    fw_anchor early = {.seq = 2};
    snprintf(early.hash, sizeof early.hash, "%s", (const char *)"");
    fw_stmt *st = test_prepare(ws, "SELECT hash FROM trail WHERE seq = 2");
    assert_int_equal(test_step(st), 1);
    snprintf(early.hash, sizeof early.hash, "%s", fw_stmt_text(st, 0));
    fw_stmt_finalize(st);
    assert_int_equal(fw_anchor_check(ws, &early, &err), FW_OK);
    fw_ws_close(ws);
    test_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_trail_verifies),
        cmocka_unit_test(test_new_trail_starts_with_its_first_record),
        cmocka_unit_test(test_edited_record_caught),
        cmocka_unit_test(test_deleted_record_caught),
        cmocka_unit_test(test_inserted_record_caught),
        cmocka_unit_test(test_reordered_records_caught),
        cmocka_unit_test(test_cut_tail_caught),
        cmocka_unit_test(test_appended_outside_caught),
        cmocka_unit_test(test_deleted_head_caught),
        cmocka_unit_test(test_rolled_back_append_leaves_nothing),
        cmocka_unit_test(test_setting_change_recorded),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_write_after_tampering_refused),
        cmocka_unit_test(test_emptied_trail_caught),
        cmocka_unit_test(test_version_2_separates_fields),
        cmocka_unit_test(test_text_moved_across_fields_caught),
        cmocka_unit_test(test_text_after_nul_caught),
        cmocka_unit_test(test_old_records_still_verify),
        cmocka_unit_test(test_triggers_checked),
        cmocka_unit_test(test_anchor_line_round_trip),
        cmocka_unit_test(test_anchor_catches_rewritten_chain),
    };
    return cmocka_run_group_tests_name("trail", tests, NULL, NULL);
}
