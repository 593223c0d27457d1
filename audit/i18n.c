/* i18n.c: locale and message catalogue set-up. Chinese when the locale or LANGUAGE asks for it
 * (gettext's own rules), English otherwise.
 *
 * Why a fallback: on a machine where the locale the environment names (LANG=zh_CN.UTF-8) was never
 * generated, setlocale fails and leaves the C locale, in which every Chinese character is garbage on
 * the screen (ncurses draws its bytes as ~T~B) and the catalogue is not used. The characters only
 * need some UTF-8 locale, and C.UTF-8 is always there (glibc builds it in); gettext then takes the
 * language from LANGUAGE, which is set to the language asked for. The user is told once what to
 * install for the real thing. */
#include "audit/i18n.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/paths.h"

static char fallback_note[640];

/* The locale the environment asks for, by POSIX precedence (LC_ALL, LC_CTYPE, LANG). */
static const char *asked_locale(void)
{
    const char *names[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return v;
    }
    return NULL;
}

/* Falls back to C.UTF-8, keeping the language asked for (zh_CN of zh_CN.UTF-8) for the catalogue
 * through LANGUAGE. Writes the language into lang; false when no UTF-8 locale is there either. */
static bool fall_back(const char *asked, char *lang, size_t n)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
        return false;
    snprintf(lang, n, "%s", asked);
    lang[strcspn(lang, ".@")] = '\0';
    const char *language = getenv("LANGUAGE");
    if ((!language || !*language) && strcmp(lang, "C") != 0 && strcmp(lang, "POSIX") != 0)
        setenv("LANGUAGE", lang, 1);
    return true;
}

void fw_i18n_init(void)
{
    const char *asked = asked_locale();
    char lang[64] = "";
    bool fell_back = !setlocale(LC_ALL, "") && asked && fall_back(asked, lang, sizeof lang);
    bindtextdomain("fundwatch", fw_localedir());
    bind_textdomain_codeset("fundwatch", "UTF-8");
    textdomain("fundwatch");
    if (fell_back) /* after binding, so that the note is in the user's language */
        snprintf(fallback_note, sizeof fallback_note,
                 _("the locale %s is not installed on this machine, so C.UTF-8 handles the characters "
                   "instead. To install it: apt-get install locales, then dpkg-reconfigure locales (pick %s), "
                   "or localedef -i %s -f UTF-8 %s.UTF-8"),
                 asked, asked, lang, lang);
}

const char *fw_i18n_fallback_note(void)
{
    return fallback_note[0] ? fallback_note : NULL;
}

bool fw_i18n_chinese(void)
{
    /* gettext("") is the header entry of the catalogue found for the current language, "" when
     * there is none. */
    static const char header_id[] = ""; /* a variable, so that xgettext does not take it for a message */
    const char *header = gettext(header_id);
    return header && strstr(header, "\nLanguage: zh") != NULL;
}

int fw_ui_chinese(void)
{
    /* TRANSLATORS: the language of this catalogue as a two-letter code ("zh" for Chinese); it picks
     * the Chinese column labels of registry records. */
    return strcmp(_("en"), "zh") == 0;
}
