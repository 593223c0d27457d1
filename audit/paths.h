/* paths.h: where fundwatch finds its shipped files (rule catalogue, import profile, translations).
 * Installed: $PREFIX/share/fundwatch. Run from a source checkout (build/fundwatch): the checkout
 * itself, so a developer never has to install to test. $FUNDWATCH_DATADIR overrides both. */
#ifndef FW_PATHS_H
#define FW_PATHS_H

const char *fw_datadir(void);   /* holds rules/ and profiles/ */
const char *fw_localedir(void); /* holds <lang>/LC_MESSAGES/fundwatch.mo */
/* $XDG_CONFIG_HOME/fundwatch (or ~/.config/fundwatch): user rules/, config.ini. */
const char *fw_configdir(void);

#endif
