/* namekey.h: comparison keys for Chinese personal names (issue 16). Registries and ledgers spell
 * one person's name differently: traditional or variant characters (陳建國/陈建国, 叁/三, 堃/坤), a
 * clerk's homophone (张晓燕/张小燕), a dialect that blurs zh/z or n/l. Each name gets three keys,
 * computed once at import and stored beside the name, so rules on either engine compare plain
 * indexed text instead of calling a converter per row:
 *   simp   the name in simplified characters (OpenCC t2s) with variants folded (Unihan
 *          kSemanticVariant/kZVariant, a table generated at build time), spaces removed and the
 *          middle dots of minority names (·, •, ・, ．) written as one U+00B7;
 *   pinyin full pinyin, syllables separated by one space, lower-case ASCII without tones, with
 *          surname readings (ICU's Han-Latin/Names: 曾 zeng, 单 shan, 解 xie);
 *   fuzzy  the pinyin with the usual confusions folded: initials zh/z, ch/c, sh/s, n/l, h/f and
 *          finals ang/an, eng/en, ing/in.
 * A character neither table knows stays as it is in every key (matched exactly); Latin names are
 * lower-cased; an empty or blank name gives three empty keys. */
#ifndef FW_NAMEKEY_H
#define FW_NAMEKEY_H

#include "audit/util.h"

/* Longest key, bytes with the NUL. A longer name is keyed on its first characters. */
enum { FW_NAMEKEY_SIZE = 256 };

typedef struct fw_namekey {
    char simp[FW_NAMEKEY_SIZE];
    char pinyin[FW_NAMEKEY_SIZE];
    char fuzzy[FW_NAMEKEY_SIZE];
} fw_namekey;

/* The converters (OpenCC's dictionaries, ICU's transliterator): opened once, used for many names,
 * by one thread at a time. */
typedef struct fw_namekeyer fw_namekeyer;

/* FW_OK, or FW_EFAIL when OpenCC cannot open its data (err says what to install). ICU's
 * transliterator is opened later, on the first character whose reading is not known. */
int fw_namekeyer_open(fw_namekeyer **out, fw_err *err);
void fw_namekeyer_close(fw_namekeyer *k);

/* Fills out with the keys of name (UTF-8, NULL as empty). Never fails: invalid UTF-8 bytes are
 * dropped from the keys, and a converter's failure leaves that key as the folded input (and, for
 * ICU, sets fw_namekeyer_problem). The keys of the last few thousand distinct names are kept, so a
 * name seen before costs a lookup. */
void fw_namekey_compute(fw_namekeyer *k, const char *name, fw_namekey *out);

/* NULL, or why ICU's transliterator could not be opened (then pinyin keys hold characters unread:
 * a caller storing keys must fail instead). */
const char *fw_namekeyer_problem(const fw_namekeyer *k);

/* ICU's reading of the character cp as an earlier keyer learned it (fw_namekeyer_each_learned), so
 * this one need not open ICU for it: lower-case ASCII letters, "" for a character ICU leaves as it
 * is. A workspace keeps these (table name_readings), which spares each import the 0.1 s ICU takes
 * to build its transliterator. A reading already known is kept. */
void fw_namekeyer_know(fw_namekeyer *k, int cp, const char *latin);

/* Calls fn for each reading this keyer got from ICU itself (not given by fw_namekeyer_know); stops
 * at fn's first failure and returns its code. */
int fw_namekeyer_each_learned(const fw_namekeyer *k, int (*fn)(void *ctx, int cp, const char *latin, fw_err *err),
                              void *ctx, fw_err *err);

/* The fuzzy key of a pinyin key (as fw_namekey_compute makes it), into out (FW_NAMEKEY_SIZE). */
void fw_namekey_fuzzy(const char *pinyin, char *out);

#endif
