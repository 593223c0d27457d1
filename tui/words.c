/* words.c: data words the screens show translated (_() on a value read from the workspace): dataset
 * names and the overview's totals. Listed here with N_() only so that xgettext puts them in the
 * catalogue; nothing reads this array. Severities, statuses, categories and the other closed
 * vocabularies have their labels in audit/vocab.h. */
#include "audit/i18n.h"

extern const char *const fw_tui_words[];
const char *const fw_tui_words[] = {
    N_("persons"), N_("payments"), N_("deaths"), N_("officials"), N_("relatives"), N_("businesses"),
    N_("vehicles"), N_("properties"), N_("prisoners"), N_("students"), N_("disabilities"), N_("pensions"),
    N_("standards"), N_("hits"), N_("cases"),
    /* sources of a person's evidence besides the datasets (audit/browse.c) */
    N_("relation"), N_("account"),
    /* a whitelist entry's state (audit/whitelist.c) */
    N_("active"), N_("pending"), N_("expired"), N_("removed"), N_("rejected"),
};
