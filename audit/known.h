/* known.h: what a filter may name. A filter value nobody has ever seen (`--township 不存在镇`,
 * `category=死亡`, `--rule XYZ-9`) is a mistake, and answering it with an empty list would make the
 * mistake look like "no leads there". So every filter value, on the command line, in the TUI's
 * filter line and in exports, goes through fw_known_value first: a vocabulary word is read as its
 * code or either label (audit/vocab.h) and returned as the code; a data value (township, village,
 * program, rule) must occur in the workspace (or, for a rule, in the rule catalogue); anything else
 * is FW_ENOTFOUND with the known values listed (and the closest one suggested). */
#ifndef FW_KNOWN_H
#define FW_KNOWN_H

#include "audit/browse.h"
#include "audit/store.h"

enum fw_known_field {
    FW_KNOWN_CATEGORY,
    FW_KNOWN_SEVERITY,
    FW_KNOWN_STATUS,       /* a case status (a hit without a case counts as new) */
    FW_KNOWN_CASE_STATUS,  /* the same, plus pending_review (verdicts awaiting approval): case lists */
    FW_KNOWN_STATE,        /* present, gone, whitelisted, all */
    FW_KNOWN_RULE,         /* ASCII case ignored (dec-001) */
    FW_KNOWN_TOWNSHIP,
    FW_KNOWN_VILLAGE,
    FW_KNOWN_PROGRAM,
};

/* The option or filter word of a field ("category"; translate with _() to show it). */
const char *fw_known_name(enum fw_known_field field);

/* The value to filter on for what a person typed (caller frees): the code of a vocabulary word,
 * the stored rule id, or the data value itself. NULL with err (FW_ENOTFOUND) when the value is
 * unknown: "unknown township '不存在镇'; the workspace knows: 城关镇, 黔灵镇". ws may be NULL for
 * the vocabulary fields. */
char *fw_known_value(fw_ws *ws, enum fw_known_field field, const char *value, fw_err *err);

/* Replaces each field of a hit-list filter by its checked value (fw_known_value); on the first
 * unknown one returns FW_ENOTFOUND with err and leaves f as it was. */
int fw_hit_filter_resolve(fw_ws *ws, fw_hit_filter *f, fw_err *err);

#endif
