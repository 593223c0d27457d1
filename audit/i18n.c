/* i18n.c: locale and message catalogue set-up. Chinese when the locale or LANGUAGE asks for it
 * (gettext's own rules), English otherwise. */
#include "audit/i18n.h"

#include <locale.h>

#include "audit/paths.h"

void fw_i18n_init(void)
{
    setlocale(LC_ALL, "");
    bindtextdomain("fundwatch", fw_localedir());
    bind_textdomain_codeset("fundwatch", "UTF-8");
    textdomain("fundwatch");
}
