/* i18n.h: every user-facing string goes through _() (gettext, domain "fundwatch"); N_() marks
 * strings in static tables that are translated where they are shown. */
#ifndef FW_I18N_H
#define FW_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* setlocale(LC_ALL, "") and bind the "fundwatch" text domain to fw_localedir(). */
void fw_i18n_init(void);

/* True when the messages are Chinese (the catalogue in use says so): picks the Chinese column of
 * tables that carry both (labels of registry columns, of case fields). */
int fw_ui_chinese(void);

#endif
