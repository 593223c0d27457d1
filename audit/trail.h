/* trail.h: the audit trail. Every import, run, case change, note, assignment, export and setting
 * change appends one record: who, when, what, before and after (JSON). Records are chained: each
 * carries the SHA-256 of the previous record, so editing, deleting, inserting or reordering a
 * record breaks the chain, which fw_trail_verify finds. The store's triggers refuse UPDATE and
 * DELETE on the table.
 *
 * The chain alone cannot show that its LAST records were cut off, so every append also stores the
 * chain head (last seq and hash) in settings under "trail.head", in the same transaction; verify
 * compares the end of the chain with it. Someone who rewrites the whole trail and the head
 * consistently cannot be caught from inside the file: that needs the head hash written down
 * elsewhere (verify prints it) and compared later. */
#ifndef FW_TRAIL_H
#define FW_TRAIL_H

#include "audit/store.h"

/* The settings key holding "SEQ HASH" of the newest record. */
#define FW_TRAIL_HEAD_KEY "trail.head"

/* Appends a record. Call it inside the transaction that makes the change it records, so that the
 * change and its record commit (or vanish) together; called outside a transaction it opens and
 * commits its own. before/after may be NULL. */
int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err);

/* Walks the chain from the first record and compares its end with the stored head. Returns FW_OK
 * when intact; otherwise FW_EDATA with err naming the first record (seq) where the chain breaks and
 * how (changed, missing, inserted or out of order, tail cut off). *checked gets the number of
 * records that verified. */
int fw_trail_verify(fw_ws *ws, long long *checked, fw_err *err);

/* The stored head: *seq 0 and hash "" when the trail is empty. */
void fw_trail_head(fw_ws *ws, long long *seq, char hash[65]);

/* The records, oldest first, as columns seq, at, user, action, object, before, after. object NULL
 * means all; otherwise exactly that object ("case:12"). limit <= 0 means no limit; with a limit the
 * newest `limit` records are returned (still oldest first). The caller finalizes *st. */
int fw_trail_list(fw_ws *ws, const char *object, long limit, sqlite3_stmt **st, fw_err *err);

/* Changes a workspace setting and records the change (action "setting", object "setting:KEY",
 * before/after {"value": ...}) in one transaction. Nothing is recorded when the value is unchanged. */
int fw_trail_set_setting(fw_ws *ws, const char *key, const char *value, fw_err *err);

/* The hash of a record from its fields (exposed for tests). out: 64 hex + NUL. */
void fw_trail_hash(const char *prev_hash, long long seq, const char *at, const char *user,
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
