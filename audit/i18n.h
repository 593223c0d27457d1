/* i18n.h: every user-facing string goes through _() (gettext, domain "fundwatch"); N_() marks
 * strings in static tables that are translated where they are shown. */
#ifndef FW_I18N_H
#define FW_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(s) gettext(s)
#define N_(s) s /* no parentheses: it also initializes char arrays (usage texts) */

/* setlocale(LC_ALL, "") and bind the "fundwatch" text domain to fw_localedir(). When the locale the
 * environment names is not installed (LANG=zh_CN.UTF-8 on a machine without it), falls back to
 * C.UTF-8 for the characters and keeps the language for the catalogue (LANGUAGE). */
void fw_i18n_init(void);
/* After a fallback: one sentence saying which locale is missing and how to install it, in the
 * user's language (the CLI prints it on stderr, the TUI on its status line); NULL otherwise. */
const char *fw_i18n_fallback_note(void);
/* True when the message catalogue in use is Chinese: gettext's choice (LANGUAGE, LC_ALL,
 * LC_MESSAGES, LANG), read from the catalogue's own header. */
bool fw_i18n_chinese(void);

/* True when the messages are Chinese (the catalogue in use says so): picks the Chinese column of
 * tables that carry both (labels of registry columns, of case fields). */
int fw_ui_chinese(void);

#endif
