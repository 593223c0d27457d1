/* i18n.c: locale and message catalogue set-up. Chinese when the locale or LANGUAGE asks for it
 * (gettext's own rules), English otherwise. */
#include "audit/i18n.h"

#include <locale.h>
#include <string.h>

#include "audit/paths.h"

void fw_i18n_init(void)
{
    setlocale(LC_ALL, "");
    bindtextdomain("fundwatch", fw_localedir());
    bind_textdomain_codeset("fundwatch", "UTF-8");
    textdomain("fundwatch");
}

int fw_ui_chinese(void)
{
    /* TRANSLATORS: the language of this catalogue as a two-letter code ("zh" for Chinese); it picks
     * the Chinese column labels of registry records. */
    return strcmp(_("en"), "zh") == 0;
}
