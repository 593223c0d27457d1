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

bool fw_i18n_chinese(void)
{
    /* gettext("") is the header entry of the catalogue found for the current language, "" when
     * there is none. */
    const char *header = gettext("");
    return header && strstr(header, "\nLanguage: zh") != NULL;
}
