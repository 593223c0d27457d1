/* fuzz_trail.c: libFuzzer target for what the trail verifier reads: trail rows and head as an
 * attacker could leave them in the file, and anchors as someone presents them (a line, a register,
 * a CSV export's JSON companion, a workbook). One input is read four ways:
 *
 * 1. As a trail. The first line holds two control bytes (how the head is stored, what becomes of
 *    the triggers; "00" = as fundwatch leaves them), each further line one record: a control byte
 *    (XOR '0', so "0" takes nothing from the input), then tab-separated at, user,
 *    action, object, before, after and an "own" value. The control byte's bits take the seq,
 *    prev_hash or hash from the own value instead of computing them, make the record chain
 *    version 1, or make object/before/after NULL. The rows are written inside a transaction that is
 *    rolled back afterwards, so one workspace serves every input. Checked properties: a trail built
 *    honestly (nothing taken from the input, versions never going back, head and triggers as
 *    fundwatch leaves them) verifies; a write that refuses implies verify fails; after verify
 *    passes, a write succeeds and verify still passes; an anchor taken from a verified trail holds
 *    and reads back as itself.
 * 2. As text holding anchor lines: every anchor parsed reads back unchanged from its own line.
 * 3. As a companion's JSON.
 * 4. As a workbook (.xlsx) in memory: reading the anchor's row never crashes, and a value found
 *    is a string. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/anchor.h"
#include "audit/schema.h"
#include "audit/store/store.h"
#include "audit/trail.h"
#include "export/provenance.h"
#include "export/xlsxpair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/* Every input prepares a few dozen SQLite statements, each a burst of small allocations; with
 * ASan's default 256 MB quarantine they keep touching fresh pages and the target runs ten times
 * slower (35 inputs/s). A 16 MB quarantine still catches a use after free within an input. */
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=16";
}

enum { MAX_RECORDS = 64 };
enum { OWN_SEQ = 1, OWN_PREV = 2, OWN_HASH = 4, VERSION_1 = 8, NULL_OBJECT = 16, NULL_BEFORE = 32, NULL_AFTER = 64 };
enum { HEAD_RIGHT, HEAD_ABSENT, HEAD_OWN, HEAD_WRONG_HASH };
enum { TRIGGERS_SHIPPED, TRIGGER_DROPPED, TRIGGER_ALTERED, TRIGGER_ADDED };

static fw_ws *ws;
static char *ws_dir;

static void remove_workspace(void)
{
    fw_ws_close(ws);
    char *cmd = fw_printf("rm -rf '%s'", ws_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_trail: could not remove %s\n", ws_dir);
    free(cmd);
    free(ws_dir);
}

static void exec(const char *sql)
{
    fw_err err = {0};
    if (fw_ws_exec(ws, sql, &err) != FW_OK) {
        fprintf(stderr, "%s: %s\n", sql, err.msg);
        abort();
    }
}

static void open_workspace(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    ws_dir = fw_printf("%s/fuzz_trail.XXXXXX", base);
    if (!mkdtemp(ws_dir))
        abort();
    char *path = fw_printf("%s/ws.db", ws_dir);
    fw_err err = {0};
    if (fw_ws_open(path, &ws, &err) != FW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        abort();
    }
    free(path);
    fw_set_user("fuzz");
    atexit(remove_workspace);
    /* Only what the trail's checks read stays, and the trail starts empty: every input then writes
     * its rows into a transaction without touching the schema (whose every change SQLite re-reads),
     * unless it asks for the triggers to change. */
    fw_stmt *st;
    fw_buf drop = {0};
    fw_buf_puts(&drop, "PRAGMA foreign_keys = OFF;");
    if (fw_db_prepare(ws->store, "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND "
                          "name NOT IN ('trail', 'settings', 'cases', 'imports', 'trail_no_update', 'trail_no_delete') "
                          "AND type IN ('table', 'view', 'trigger') ORDER BY type = 'table'",
                      &st, &err))
        abort();
    int rc;
    while ((rc = fw_stmt_step(st, &err)) == 1)
        fw_buf_printf(&drop, "DROP %s IF EXISTS \"%s\";", fw_stmt_text(st, 0), fw_stmt_text(st, 1));
    if (rc < 0)
        abort();
    fw_stmt_finalize(st);
    fw_buf_puts(&drop, "DROP TRIGGER trail_no_update; DROP TRIGGER trail_no_delete; "
                       "DELETE FROM trail; DELETE FROM settings WHERE key = 'trail.head';"
                       FW_TRAIL_NO_UPDATE_SQL ";" FW_TRAIL_NO_DELETE_SQL ";");
    exec(drop.data);
    fw_buf_free(&drop);
}

/* The tab-separated fields of one line (at most n; missing ones are ""). Cuts line in place. */
static void split(char *line, char **f, int n)
{
    for (int i = 0; i < n; i++) {
        f[i] = line;
        char *tab = line ? strchr(line, '\t') : NULL;
        if (tab)
            *tab = '\0';
        line = tab ? tab + 1 : NULL;
        if (!f[i])
            f[i] = "";
    }
}

/* Writes the records of `lines` (after the control line); returns whether the trail is one
 * fundwatch could have written (every value computed, versions never going back). */
static int write_records(char **lines, int nlines, char last_hash[65], long long *last_seq)
{
    static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
    char prev[65];
    snprintf(prev, sizeof prev, "%s", zeros);
    int honest = 1, last_version = 1;
    fw_err err = {0};
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "INSERT OR REPLACE INTO trail(seq, at, user, action, object, before, after, prev_hash, "
                          "hash, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      &st, &err))
        abort();
    for (int i = 0; i < nlines; i++) {
        char *f[8];
        split(lines[i], f, 8);
        int ctl = (unsigned char)f[0][0] ^ '0'; /* '0' is a record with nothing taken from the input */
        long long seq = i + 1;
        if (ctl & OWN_SEQ) {
            seq = strtoll(f[7], NULL, 10);
            honest = 0;
        }
        int version = ctl & VERSION_1 ? 1 : 2;
        if (version < last_version)
            honest = 0;
        last_version = version;
        const char *object = ctl & NULL_OBJECT ? NULL : f[4], *before = ctl & NULL_BEFORE ? NULL : f[5],
                   *after = ctl & NULL_AFTER ? NULL : f[6];
        const char *p = ctl & OWN_PREV ? f[7] : prev;
        char h[65];
        fw_trail_hash(version, p, seq, f[1], f[2], f[3], object, before, after, h);
        const char *hash = ctl & OWN_HASH ? f[7] : h;
        honest &= !(ctl & (OWN_PREV | OWN_HASH));
        fw_stmt_bind_int64(st, 1, seq);
        const char *text[8] = {f[1], f[2], f[3], object, before, after, p, hash};
        for (int k = 0; k < 8; k++)
            fw_stmt_bind_text(st, 2 + k, text[k], -1);
        fw_stmt_bind_int64(st, 10, version);
        if (fw_stmt_step(st, &err) != 0)
            honest = 0; /* e.g. a NOT NULL column given nothing: the row is not there */
        fw_stmt_reset(st);
        snprintf(prev, sizeof prev, "%s", hash);
    }
    fw_stmt_finalize(st);
    snprintf(last_hash, 65, "%s", prev);
    *last_seq = nlines;
    return honest && nlines > 0;
}

static void store_head(int mode, const char *own, long long seq, const char *hash)
{
    fw_err err = {0};
    char *v = mode == HEAD_OWN          ? fw_strdup(own)
              : mode == HEAD_WRONG_HASH ? fw_printf("%lld %064d", seq, 7)
                                        : fw_printf("%lld %s", seq, hash);
    if (mode != HEAD_ABSENT && fw_ws_set_setting(ws, FW_TRAIL_HEAD_KEY, v, &err))
        abort();
    free(v);
}

static void set_triggers(int mode)
{
    if (mode == TRIGGER_DROPPED)
        exec("DROP TRIGGER trail_no_delete");
    else if (mode == TRIGGER_ALTERED)
        exec("DROP TRIGGER trail_no_delete; CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail WHEN 0 "
             "BEGIN SELECT 1; END");
    else if (mode == TRIGGER_ADDED)
        exec("CREATE TRIGGER fuzz_added AFTER INSERT ON trail BEGIN SELECT 1; END");
}

static void check_anchor_round_trip(const fw_anchor *a)
{
    char line[FW_ANCHOR_LINE_MAX];
    fw_anchor_format(a, line);
    fw_anchor b;
    fw_err err = {0};
    if (fw_anchor_parse(line, &b, &err) != FW_OK || b.seq != a->seq || strcmp(b.hash, a->hash) != 0 ||
        strcmp(b.workspace, a->workspace) != 0 || strcmp(b.at, a->at) != 0) {
        fprintf(stderr, "anchor did not read back: '%s' (%s)\n", line, err.msg);
        abort();
    }
}

static void fuzz_trail(char *text)
{
    char *lines[MAX_RECORDS + 1];
    int n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && n <= MAX_RECORDS; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    if (n == 0)
        return;
    /* '0' is 48: a control line "00" asks for the head and the triggers as fundwatch leaves them. */
    int head_mode = (unsigned char)lines[0][0] % 4, trigger_mode = lines[0][0] ? (unsigned char)lines[0][1] % 4 : 0;
    const char *own_head = lines[0][0] && lines[0][1] ? lines[0] + 2 : "";

    /* Through the workspace, so the store knows the transaction is open (a raw BEGIN would make
     * the verifier's own read transaction fail to start). */
    fw_err err = {0};
    if (fw_ws_begin(ws, &err) != FW_OK) {
        fprintf(stderr, "BEGIN: %s\n", err.msg);
        abort();
    }
    char last_hash[65];
    long long last_seq;
    int honest = write_records(lines + 1, n - 1, last_hash, &last_seq);
    store_head(head_mode, own_head, last_seq, last_hash);
    set_triggers(trigger_mode);
    honest &= head_mode == HEAD_RIGHT && trigger_mode == TRIGGERS_SHIPPED;

    long long checked;
    int verified = fw_trail_verify(ws, &checked, &err);
    if (honest && verified != FW_OK) {
        fprintf(stderr, "an honest trail failed to verify: %s\n", err.msg);
        abort();
    }
    if (verified == FW_OK) {
        fw_anchor a;
        if (fw_anchor_take(ws, &a, &err) || fw_anchor_check(ws, &a, &err)) {
            fprintf(stderr, "the anchor of a verified trail does not hold: %s\n", err.msg);
            abort();
        }
        check_anchor_round_trip(&a);
    }
    int wrote = fw_trail_append(ws, "case.note", "case:1", NULL, "{\"note\":\"fuzz\"}", &err);
    if (wrote != FW_OK && verified == FW_OK) {
        fprintf(stderr, "a write refused on a trail that verifies: %s\n", err.msg);
        abort();
    }
    if (wrote == FW_OK && verified == FW_OK && fw_trail_verify(ws, &checked, &err) != FW_OK) {
        fprintf(stderr, "a write broke a trail that verified: %s\n", err.msg);
        abort();
    }
    fw_ws_rollback(ws);
}

static void fuzz_anchor_text(const char *text, size_t n)
{
    fw_anchor *all;
    int count;
    fw_err err = {0};
    if (fw_anchor_parse_all(text, n, &all, &count, &err) == FW_OK) {
        for (int i = 0; i < count; i++)
            check_anchor_round_trip(&all[i]);
        free(all);
    } else if (strnlen(err.msg, sizeof err.msg) == sizeof err.msg) {
        abort();
    }
    fw_anchor a;
    if (fw_anchor_from_json(ws, text, &a, &err) == FW_OK)
        check_anchor_round_trip(&a);
}

static void fuzz_workbook(const uint8_t *data, size_t size)
{
    char *value = NULL;
    fw_err err = {0};
    if (fw_xlsx_read_pair_mem(data, size, "fuzz.xlsx", FW_PROVENANCE_SHEET, FW_PROVENANCE_ANCHOR_LABEL, &value,
                              &err) == FW_OK) {
        if (!value)
            abort();
        fw_anchor a;
        (void)fw_anchor_parse(value, &a, &err);
    }
    free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ws)
        open_workspace();
    char *text = fw_strndup((const char *)data, size); /* stops at a NUL: what SQLite text would */
    size_t n = strlen(text);
    fuzz_anchor_text(text, n);
    fuzz_trail(text);
    free(text);
    fuzz_workbook(data, size);
    return 0;
}
