/* repair.h: the repair step of issue 16 for ID numbers mistyped in a registry. Such a row is kept at
 * import, flagged, with the number as typed in id_number_raw and '!typed@dataset:line' in id_number
 * (dataset.h), so no exact rule joins it. Here the valid numbers one typing error away (one digit
 * changed, two adjacent characters swapped, the check character itself mistyped; GB 11643 check
 * recomputed, a real birth date) that a person of the persons registry holds, with the same name key
 * when the row gives a name, are proposed (table id_repairs). A user accepts or rejects each; only an
 * accepted repair changes the row (id_number becomes the proposed number, id_number_raw keeps what
 * was typed), and every decision is in the audit trail. */
#ifndef FW_REPAIR_H
#define FW_REPAIR_H

#include <stdbool.h>

#include "audit/rows.h"
#include "audit/store.h"

enum fw_id_edit { FW_ID_EDIT_DIGIT, FW_ID_EDIT_SWAP, FW_ID_EDIT_CHECK };

typedef struct fw_id_candidate {
    char id[19];          /* a valid number: check character right, real birth date */
    enum fw_id_edit edit;
    int pos;              /* 1-based: the character changed, or the first of the two swapped */
} fw_id_candidate;

/* Every candidate of typed goes in at most this many slots (17 digits, 17 swaps, the check). */
enum { FW_ID_CANDIDATES_MAX = 40 };

/* The valid numbers one typing error away from typed (18 characters: 17 digits and a digit or X,
 * lower-case x accepted). Returns how many were written to out (at most max); 0 for anything that
 * is not such a number. typed itself is never among them. */
int fw_id_candidates(const char *typed, fw_id_candidate *out, int max);

/* The words of one edit for a hit or a list, in the user's language ("digit 14 typed 3, the
 * person's number has 8"), into out. */
void fw_id_edit_words(const char *typed, const fw_id_candidate *c, char *out, size_t size);

/* Looks at every kept invalid-ID row of every registry and records the new proposals (a proposal
 * already recorded, accepted or rejected is not made again). *found gets the number of new ones. */
int fw_repair_find(fw_ws *ws, long long *found, fw_err *err);

/* Proposals: id, dataset, line, typed, proposed, row_name, person_name, why, status (proposed,
 * accepted, rejected, superseded), decided_by, reason. all = false: only those awaiting a
 * decision. The caller steps and closes *rows. */
int fw_repair_list(fw_ws *ws, bool all, fw_rows **rows, fw_err *err);

/* Accepts proposal id: the row's id_number becomes the proposed number (exact rules join it from
 * then on), the other proposals for that row are superseded; or rejects it, reason required. One
 * transaction with its trail record. FW_ENOTFOUND: no such proposal; FW_ECONFLICT: already decided,
 * or the row is no longer loaded as it was (re-imported); FW_EDATA: reject without a reason. */
int fw_repair_decide(fw_ws *ws, long long id, bool accept, const char *reason, fw_err *err);

#endif
