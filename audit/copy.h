/* copy.h: a whole workspace copied into a new one, on either engine (issue 11: a county's SQLite file
 * joining the provincial PostgreSQL server, or a server workspace taken back to a file). Every table
 * of the schema row for row as stored: datasets with their provenance and row ids, settings, runs
 * and hits with their fingerprints and evidence, cases, notes, the whitelist and the audit trail,
 * whose records keep their numbers and hashes, so the copy's chain verifies and ends at the same
 * head. The target must be a new workspace (only what `init` writes in it); all of it is written in
 * one transaction that commits only after the copy's trail verified. */
#ifndef FW_COPY_H
#define FW_COPY_H

#include "audit/store.h"

typedef struct fw_copy_stats {
    int tables;          /* tables copied */
    long long rows;      /* rows written, every table */
    long long trail;     /* trail records that verified in the copy */
    long long head_seq;  /* the copy's trail head, the source's */
    char head_hash[65];
} fw_copy_stats;

/* Copies src into dst. Refuses (FW_EDATA) a dst that holds more than a new workspace does, or whose
 * schema version differs from src's, naming what; on any failure dst keeps nothing of the copy. */
int fw_ws_copy(fw_ws *src, fw_ws *dst, fw_copy_stats *stats, fw_err *err);

#endif
