/* trail.h: the audit trail. Every import, run, case change, note, assignment, export and setting
 * change appends one record: who, when, what, before and after (JSON). Records are chained: each
 * carries the SHA-256 of the previous record, so editing, deleting, inserting or reordering a
 * record breaks the chain, which fw_trail_verify finds. The store's triggers refuse UPDATE and
 * DELETE on the table, and verify checks that they are still there, unchanged.
 *
 * The chain alone cannot show that its LAST records were cut off, so every append also stores the
 * chain head (last seq and hash) in settings under "trail.head", in the same transaction; verify
 * compares the end of the chain with it, and so does every append before it writes: a write
 * refuses to chain onto a trail whose end was tampered with, which would otherwise hide it.
 * Someone who rewrites the whole trail and the head consistently cannot be caught from inside the
 * file: that needs the head written down elsewhere, an anchor (anchor.h). The threat model is in
 * docs/cases.md. */
#ifndef FW_TRAIL_H
#define FW_TRAIL_H

#include "audit/store.h"

/* The settings key holding "SEQ HASH" of the newest record. */
#define FW_TRAIL_HEAD_KEY "trail.head"

/* The chain version new records are written with (column trail.version). Version 1 joined the
 * fields with a separator; version 2 length-prefixes them, so no field's content can pass for
 * another's. Records of both verify; along the chain the version never goes down. */
enum { FW_TRAIL_VERSION = 2 };

/* Appends a record. Call it inside the transaction that makes the change it records, so that the
 * change and its record commit (or vanish) together; called outside a transaction it opens and
 * commits its own. before/after may be NULL. First checks the end of the chain (the last record
 * intact and following the one before it, and named by the stored head; an empty trail only in a
 * workspace without cases or imports): when that fails it writes nothing and returns FW_EDATA,
 * "refused: the audit trail was altered outside fundwatch (audit trail broken at record N: ...)". */
int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err);

/* Walks the chain from the first record, compares its end with the stored head and checks the
 * append-only triggers. Returns FW_OK when intact; otherwise FW_EDATA with err naming the first
 * record (seq) where the chain breaks and how (changed, missing, inserted or out of order, tail
 * cut off, trail emptied in a workspace with cases or imports), or the trigger dropped, replaced or
 * added. *checked gets the number of records that verified. */
int fw_trail_verify(fw_ws *ws, long long *checked, fw_err *err);

/* The stored head: *seq 0 and hash "" when there is none (an empty trail); *seq -1 when it is
 * malformed. */
void fw_trail_head(fw_ws *ws, long long *seq, char hash[65]);

/* The records, oldest first, as columns seq, at, user, action, object, before, after. object NULL
 * means all; otherwise exactly that object ("case:12"). limit <= 0 means no limit; with a limit the
 * newest `limit` records are returned (still oldest first). The caller finalizes *st. */
int fw_trail_list(fw_ws *ws, const char *object, long limit, sqlite3_stmt **st, fw_err *err);

/* Changes a workspace setting and records the change (action "setting", object "setting:KEY",
 * before/after {"value": ...}) in one transaction. Nothing is recorded when the value is unchanged. */
int fw_trail_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err);

/* The hash of a record of chain version 1 or 2 from its fields (exposed for tests). out: 64 hex
 * + NUL. */
void fw_trail_hash(int version, const char *prev_hash, long long seq, const char *at, const char *user,
                   const char *action, const char *object, const char *before_json,
                   const char *after_json, char out[65]);

/* JSON writing for before/after. fw_json_string quotes s (RFC 8259 escapes). The field helpers
 * append "key": value to an object being built in buf: they add the comma unless buf ends with
 * '{'; a NULL string is written as null. The caller writes the braces. */
struct fw_buf;
void fw_json_string(struct fw_buf *buf, const char *s);
void fw_json_field_str(struct fw_buf *buf, const char *key, const char *value);
void fw_json_field_int(struct fw_buf *buf, const char *key, long long value);

#endif
