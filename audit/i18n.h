/* i18n.h: every user-facing string goes through _() (gettext, domain "fundwatch"); N_() marks
 * strings in static tables that are translated where they are shown. */
#ifndef FW_I18N_H
#define FW_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* setlocale(LC_ALL, "") and bind the "fundwatch" text domain to fw_localedir(). */
void fw_i18n_init(void);
/* True when the message catalogue in use is Chinese: gettext's choice (LANGUAGE, LC_ALL,
 * LC_MESSAGES, LANG), read from the catalogue's own header. */
bool fw_i18n_chinese(void);

#endif
