/* whitelist.h: known exceptions. An entry (ID number, rule, reason, optional last day) tells the rule
 * engine to store that person's hits of that rule as 'whitelisted' instead of 'present': visible,
 * but not a lead. An entry whose `until` day has passed no longer suppresses; a removed entry is kept
 * (removed_at/removed_by) so the list still shows what was suppressed and why. Every change is in
 * the audit trail.
 *
 * For the engine, two equivalent ways to ask:
 *   - in C: fw_whitelist_active(ws, id_number, rule_id, date);
 *   - in SQL: the view whitelist_active(id, id_number, rule_id, reason, until) holds the entries in
 *     force today (local date), e.g.
 *       UPDATE hits SET state = 'whitelisted' WHERE state = 'present' AND EXISTS (
 *         SELECT 1 FROM whitelist_active w WHERE w.id_number = hits.id_number AND w.rule_id = hits.rule_id);
 */
#ifndef FW_WHITELIST_H
#define FW_WHITELIST_H

#include <stdbool.h>

#include "audit/store.h"

/* Adds an entry. id_number: 18 characters with a valid check character (lower-case x accepted);
 * rule_id: letters, digits and '-' (upper-cased); reason: not empty; until: YYYY-MM-DD or NULL, not
 * in the past. FW_EDATA on bad input (nothing written). *id gets the new entry's number. */
int fw_whitelist_add(fw_ws *ws, const char *id_number, const char *rule_id, const char *reason,
                     const char *until, long long *id, fw_err *err);

/* Removes entry N (kept, marked removed). FW_ENOTFOUND when there is no such entry, FW_ECONFLICT when
 * it is already removed. */
int fw_whitelist_remove(fw_ws *ws, long long id, fw_err *err);

/* Entries: id, id_number, rule_id, reason, user, created_at, until, state (active, expired,
 * removed). all = false lists only active ones. today NULL = today (local). */
int fw_whitelist_list(fw_ws *ws, bool all, const char *today, sqlite3_stmt **st, fw_err *err);

/* Does an entry suppress this person's hits of this rule on `date` (YYYY-MM-DD; NULL = today)?
 * `until` counts as the last day it applies. */
bool fw_whitelist_active(fw_ws *ws, const char *id_number, const char *rule_id, const char *date);

#endif
