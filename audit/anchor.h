/* anchor.h: the trail head taken outside the workspace. Nothing inside the file can show that
 * someone rewrote the whole trail and its head consistently (trail.h); a copy of the head kept
 * elsewhere can. An anchor is that copy: the workspace's id, a record number and that record's
 * hash, and when it was taken, as one line of text to paste into a register or an e-mail:
 *
 *   fundwatch-anchor ws=3f9ac1d2e4b5a697 seq=42 sha256=<64 hex> at=2026-11-23T14:03:12+08:00
 *
 * Every workbook and CSV export carries the anchor of the moment it was written in its provenance
 * (export/provenance.h). Checking an anchor later (`log verify --against`) asks whether record seq
 * still has that hash: as the hash covers the records before it through the chain, a trail that
 * verifies and still holds the anchor's record is, up to that record, the trail of that day. */
#ifndef FW_ANCHOR_H
#define FW_ANCHOR_H

#include <stddef.h>

#include "audit/store.h"

#define FW_ANCHOR_MARK "fundwatch-anchor"
enum { FW_ANCHOR_LINE_MAX = 256 };

typedef struct fw_anchor {
    char workspace[33]; /* the workspace id; "" when the anchor does not name one */
    long long seq;      /* 0 for an empty trail (hash then all zeros) */
    char hash[65];      /* lower-case hex */
    char at[40];        /* when it was taken, local time with offset, as written; "" if not given */
} fw_anchor;

/* The workspace's id (setting workspace.id, made by the schema); NULL when it has none. Caller
 * frees. */
char *fw_workspace_id(fw_ws *ws);

/* The current local time as ISO 8601 with the UTC offset: 2026-11-23T14:03:12+08:00. */
void fw_local_time_iso(char out[40]);

/* The anchor of the trail as it is now: the stored head, the workspace id and the local time.
 * FW_EDATA when the stored head is malformed (the trail needs `log verify`). */
int fw_anchor_take(fw_ws *ws, fw_anchor *a, fw_err *err);

/* Writes a as its line (without newline) into out. */
void fw_anchor_format(const fw_anchor *a, char out[FW_ANCHOR_LINE_MAX]);

/* Finds the anchor lines in text (n bytes; it may hold other text, as an e-mail or a register
 * does) and parses each. *out (caller frees) gets them in order, *count how many. FW_EDATA with
 * "line L: ..." when a line holding the mark is malformed, or when there is none. */
int fw_anchor_parse_all(const char *text, size_t n, fw_anchor **out, int *count, fw_err *err);

/* Parses text that must hold exactly one anchor line. */
int fw_anchor_parse(const char *text, fw_anchor *a, fw_err *err);

/* The anchor line in a CSV export's provenance companion (JSON, member "trail_anchor"). */
int fw_anchor_from_json(fw_ws *ws, const char *json, fw_anchor *a, fw_err *err);

/* Whether this workspace's trail still holds the anchor: same workspace (when the anchor names
 * one) and record a->seq present with hash a->hash. FW_OK, or FW_EDATA saying what differs (the
 * record is gone, or its hash changed: the trail up to it was rewritten after the anchor was
 * taken). It does not walk the chain: run fw_trail_verify as well. */
int fw_anchor_check(fw_ws *ws, const fw_anchor *a, fw_err *err);

#endif
