/* ruledata.h: whether the data a rule run reads is there. A run over a workspace without payments
 * "completes" every rule with no hits, which reads as "nothing wrong"; so before a run the datasets
 * the chosen rules name (their `datasets` key) are checked, and a run none of whose rules has its
 * data is refused, naming what to import. */
#ifndef FW_RULEDATA_H
#define FW_RULEDATA_H

#include "audit/rules.h"
#include "audit/store.h"

/* The rules a run would choose: the named ones (only, enabled or not), else the enabled ones of
 * category (NULL: all); broken rules are left out. Checks their datasets: FW_ENOTFOUND when no
 * chosen rule has all of its datasets loaded (err names the empty datasets and how to load them);
 * else FW_OK, with *warning (caller frees; NULL when all is there) naming the rules that will find
 * nothing because a dataset of theirs is empty. */
int fw_rules_data_check(fw_ws *ws, fw_ruleset *set, const char *category, const char *const *only, int nonly,
                        char **warning, fw_err *err);

#endif
