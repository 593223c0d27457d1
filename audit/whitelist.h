/* whitelist.h: known exceptions. An entry (ID number, rule, reason, optional last day) tells the rule
 * engine to store that person's hits of that rule as 'whitelisted' instead of 'present': visible,
 * but not a lead. An entry whose `until` day has passed no longer suppresses; a removed entry is kept
 * (removed_at/removed_by) so the list still shows what was suppressed and why. Every change is in
 * the audit trail.
 *
 * For the engine, two equivalent ways to ask:
 *   - in C: fw_whitelist_active(ws, id_number, rule_id, date);
 *   - in SQL: the view whitelist_active(id, id_number, rule_id, reason, until) holds the entries in
 *     force today (local date: not removed, not pending review, not expired), e.g.
 *       UPDATE hits SET state = 'whitelisted' WHERE state = 'present' AND EXISTS (
 *         SELECT 1 FROM whitelist_active w WHERE w.id_number = hits.id_number AND w.rule_id = hits.rule_id);
 */
#ifndef FW_WHITELIST_H
#define FW_WHITELIST_H

#include <stdbool.h>

#include "audit/store.h"

/* Adds an entry. id_number: 18 characters with a valid check character (lower-case x accepted);
 * rule_id: letters, digits and '-' (upper-cased); reason: not empty; until: YYYY-MM-DD or NULL, not
 * in the past. FW_EDATA on bad input (nothing written). *id gets the new entry's number. With the
 * second-reviewer rule on (setting review.second = 1, as for case verdicts) the entry is pending:
 * it suppresses nothing until another user approves it (fw_whitelist_approve). */
int fw_whitelist_add(fw_ws *ws, const char *id_number, const char *rule_id, const char *reason,
                     const char *until, long long *id, fw_err *err);

/* The checks fw_whitelist_add makes, one field at a time, for a form that checks each answer as it
 * is given. FW_EDATA with the reason; id and rule come back normalized (upper case) in out. An
 * empty or NULL until is "no last day". */
int fw_whitelist_check_id(const char *id_number, char out[19], fw_err *err);
int fw_whitelist_check_rule(const char *rule_id, char out[33], fw_err *err);
int fw_whitelist_check_reason(const char *reason, const char *rule_id, fw_err *err);
int fw_whitelist_check_until(const char *until, fw_err *err);

/* The second reviewer: approves a pending entry (it suppresses from then on) or, with reject,
 * discards it (kept, removed, with the reviewer). FW_ENOTFOUND, or FW_ECONFLICT when the entry
 * awaits no review or the reviewer is the user who added it. */
int fw_whitelist_approve(fw_ws *ws, long long id, bool reject, fw_err *err);

/* Removes entry N (kept, marked removed). FW_ENOTFOUND when there is no such entry, FW_ECONFLICT when
 * it is already removed. */
int fw_whitelist_remove(fw_ws *ws, long long id, fw_err *err);

/* Entries: id, id_number, rule_id, reason, user, created_at, until, state (active, pending,
 * expired, removed, rejected), reviewed_by. all = false lists only active and pending ones. today
 * NULL = today (local). */
int fw_whitelist_list(fw_ws *ws, bool all, const char *today, sqlite3_stmt **st, fw_err *err);

/* Does an entry suppress this person's hits of this rule on `date` (YYYY-MM-DD; NULL = today)?
 * `until` counts as the last day it applies. */
bool fw_whitelist_active(fw_ws *ws, const char *id_number, const char *rule_id, const char *date);

#endif
