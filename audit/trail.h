/* trail.h: the audit trail. Every import, run, case change, note, assignment, export and setting
 * change appends one record: who, when, what, before and after (JSON). Records are chained: each
 * carries the SHA-256 of the previous record, so editing, deleting, inserting or reordering a
 * record breaks the chain, which fw_trail_verify finds. The store's triggers refuse UPDATE and
 * DELETE on the table. */
#ifndef FW_TRAIL_H
#define FW_TRAIL_H

#include "audit/store.h"

/* Appends a record. Call it inside the transaction that makes the change it records, so that the
 * change and its record commit (or vanish) together. before/after may be NULL. */
int fw_trail_append(fw_ws *ws, const char *action, const char *object, const char *before_json,
                    const char *after_json, fw_err *err);

/* Walks the chain from the first record. Returns FW_OK when intact; otherwise FW_EDATA with err
 * naming the first record (seq) where the chain breaks and how. *checked gets the number of
 * records that verified. */
int fw_trail_verify(fw_ws *ws, long long *checked, fw_err *err);

/* The hash of a record from its fields (exposed for tests). out: 64 hex + NUL. */
void fw_trail_hash(const char *prev_hash, long long seq, const char *at, const char *user,
                   const char *action, const char *object, const char *before_json,
                   const char *after_json, char out[65]);

/* Quotes s as a JSON string into buf (with the quotes), escaping as RFC 8259 requires. */
struct fw_buf;
void fw_json_string(struct fw_buf *buf, const char *s);

#endif
