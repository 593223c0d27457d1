/* words.c: data words the screens show translated (_() on a value read from the workspace):
 * severities, case and run statuses, rule categories, dataset names. Listed here with N_() only so
 * that xgettext puts them in the catalogue; nothing reads this array. */
#include "audit/i18n.h"

extern const char *const fw_tui_words[];
const char *const fw_tui_words[] = {
    N_("high"), N_("medium"), N_("low"),
    N_("new"), N_("verifying"), N_("confirmed"), N_("partly_confirmed"), N_("dismissed"), N_("rectifying"),
    N_("closed"), N_("complete"), N_("interrupted"), N_("failed"), N_("skipped"), N_("running"),
    N_("deceased"), N_("identity"), N_("official"), N_("relative"), N_("business"), N_("vehicle"),
    N_("property"), N_("duplicate"), N_("standard"), N_("statistical"), N_("eligibility"), N_("account"),
    N_("timing"), N_("household"),
    N_("persons"), N_("payments"), N_("deaths"), N_("officials"), N_("relatives"), N_("businesses"),
    N_("vehicles"), N_("properties"), N_("prisoners"), N_("students"), N_("disabilities"), N_("pensions"),
    N_("standards"), N_("hits"), N_("cases"),
    N_("present"), N_("gone"), N_("whitelisted"), N_("person"), N_("household"), N_("village"),
    N_("active"), N_("pending"), N_("expired"), N_("removed"), N_("rejected"),
};
