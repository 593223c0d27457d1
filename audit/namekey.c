/* namekey.c: the name keys of namekey.h, from OpenCC (traditional to simplified), a variant table
 * generated from Unihan at build time (scripts/gen-unihan-variants.py) and ICU's Han-Latin/Names
 * transliterator. No pinyin or character table is written by hand here: the libraries and Unicode's
 * own data are the authority, this file only orders them and folds their output. */
#include "audit/namekey.h"

#include <opencc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "audit/i18n.h"

/* What ICU makes of one character, kept: a county's names use a few thousand distinct characters,
 * and the transliterator costs tens of microseconds a call (Han-Latin reads one character at a
 * time, its /Names variant included, so a name's pinyin is its characters' pinyin). */
typedef struct char_latin {
    UChar32 cp;       /* 0: empty slot */
    bool converted;   /* ICU gave Latin letters; false: kept as it is */
    bool learned;     /* read from ICU by this keyer (not given by fw_namekeyer_know) */
    char latin[22];   /* lower-case ASCII letters and digits, NUL-terminated */
} char_latin;

enum { LATIN_CACHE = 8192 }; /* a power of two */

/* The keys of a whole name seen before: a county's ledgers repeat the same few thousand names. */
typedef struct name_slot {
    char *name; /* NULL: empty; else the name, then its three keys, each NUL-terminated */
} name_slot;

enum { NAME_CACHE = 4096 }; /* a power of two; direct-mapped, a collision replaces */

struct fw_namekeyer {
    opencc_t t2s;
    /* ICU's transliterator, opened on the first character no reading is known for: building it
     * costs about 0.1 s a process, and with the readings a workspace keeps (fw_namekeyer_know) most
     * imports never need it. */
    UTransliterator *latin;
    bool latin_failed;        /* it could not be opened: problem says why */
    char problem[160];
    struct char_latin *cache; /* LATIN_CACHE slots: ICU's reading of each character seen */
    name_slot *names;         /* NAME_CACHE slots, allocated on the first name */
};

typedef struct variant {
    UChar32 from, to;
} variant;

static const variant variants[] = {
#include "audit/unihan_variants.inc"
};

/* Characters kept of a name: a longer one is keyed on its start (no name is this long). */
enum { NAME_MAX_CHARS = 64, UBUF = 4 * FW_NAMEKEY_SIZE };

static const char translit_id[] = "Han-Latin/Names; Latin-ASCII; Lower";

int fw_namekeyer_open(fw_namekeyer **out, fw_err *err)
{
    *out = NULL;
    fw_namekeyer *k = fw_calloc(1, sizeof *k);
    k->t2s = opencc_open("t2s.json");
    if (k->t2s == (opencc_t)-1) {
        free(k);
        return fw_fail(err, FW_EFAIL, _("cannot open OpenCC's t2s conversion (%s); install libopencc1.1"),
                       opencc_error());
    }
    k->cache = fw_calloc(LATIN_CACHE, sizeof *k->cache);
    *out = k;
    return FW_OK;
}

/* ICU's transliterator, opened on first use; NULL when it cannot be (problem then says why). */
static UTransliterator *transliterator(fw_namekeyer *k)
{
    if (k->latin || k->latin_failed)
        return k->latin;
    UErrorCode e = U_ZERO_ERROR;
    UChar id[64];
    u_uastrcpy(id, translit_id);
    k->latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
    if (U_FAILURE(e)) {
        k->latin = NULL;
        k->latin_failed = true;
        snprintf(k->problem, sizeof k->problem, _("cannot open ICU's transliterator %s (%s); install libicu72"),
                 translit_id, u_errorName(e));
    }
    return k->latin;
}

const char *fw_namekeyer_problem(const fw_namekeyer *k)
{
    return k && k->latin_failed ? k->problem : NULL;
}

void fw_namekeyer_close(fw_namekeyer *k)
{
    if (!k)
        return;
    opencc_close(k->t2s);
    if (k->latin)
        utrans_close(k->latin);
    free(k->cache);
    for (int i = 0; k->names && i < NAME_CACHE; i++)
        free(k->names[i].name);
    free(k->names);
    free(k);
}

static int cmp_variant(const void *a, const void *b)
{
    UChar32 x = ((const variant *)a)->from, y = ((const variant *)b)->from;
    return (x > y) - (x < y);
}

static UChar32 fold_variant(UChar32 c)
{
    variant key = {c, c};
    const variant *v = bsearch(&key, variants, sizeof variants / sizeof variants[0], sizeof variants[0], cmp_variant);
    return v ? v->to : c;
}

/* The middle dots clerks type between the parts of a minority name. */
static bool is_name_dot(UChar32 c)
{
    return c == 0x00B7 || c == 0x2022 || c == 0x2027 || c == 0x2219 || c == 0x30FB || c == 0xFF65 ||
           c == 0xFF0E || c == 0x318D || c == '.';
}

static bool is_ascii_alnum(UChar32 c)
{
    return c < 0x80 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

/* UTF-8 to UTF-16 with invalid bytes dropped (substituted, then removed). Returns the length. */
static int32_t to_uchars(const char *s, int32_t slen, UChar *u, int32_t cap)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8WithSub(u, cap - 1, &n, s, slen, 0xFFFD, NULL, &e);
    if (U_FAILURE(e) || n >= cap)
        n = 0;
    int32_t w = 0;
    for (int32_t i = 0; i < n; i++)
        if (u[i] != 0xFFFD)
            u[w++] = u[i];
    u[w] = 0;
    return w;
}

/* UTF-16 to UTF-8 into out (FW_NAMEKEY_SIZE), cut at a character so it always fits. */
static void to_utf8(const UChar *u, int32_t n, char *out)
{
    while (n > 0) {
        UErrorCode e = U_ZERO_ERROR;
        int32_t len = 0;
        u_strToUTF8(out, FW_NAMEKEY_SIZE - 1, &len, u, n, &e);
        if (U_SUCCESS(e) && len < FW_NAMEKEY_SIZE) {
            out[len] = 0;
            return;
        }
        n--;
        if (n > 0 && U16_IS_LEAD(u[n - 1]))
            n--;
    }
    out[0] = 0;
}

/* The first NAME_MAX_CHARS characters of name, spaces dropped (kept as one between two Latin
 * letters or digits), dots unified. */
static int32_t tidy_name(const char *name, UChar *u, int32_t cap)
{
    UChar raw[UBUF];
    int32_t n = to_uchars(name, (int32_t)strnlen(name, 4 * NAME_MAX_CHARS), raw, UBUF);
    int32_t w = 0, chars = 0;
    UChar32 prev = 0;
    bool space = false;
    for (int32_t i = 0; i < n && chars < NAME_MAX_CHARS;) {
        UChar32 c;
        U16_NEXT(raw, i, n, c);
        if (u_isUWhiteSpace(c) || c == 0x3000) {
            space = true;
            continue;
        }
        if (is_name_dot(c))
            c = 0x00B7;
        if (space && is_ascii_alnum(prev) && is_ascii_alnum(c) && w < cap - 1)
            u[w++] = ' ';
        space = false;
        if (w + 2 >= cap)
            break;
        U16_APPEND_UNSAFE(u, w, c);
        prev = c;
        chars++;
    }
    u[w] = 0;
    return w;
}

/* t2s, then the variant table, then ASCII letters lower-cased: the simp key, as UTF-16 in u. */
static int32_t simplify(fw_namekeyer *k, UChar *u, int32_t n, int32_t cap)
{
    char utf8[4 * UBUF];
    UErrorCode e = U_ZERO_ERROR;
    int32_t len = 0;
    u_strToUTF8(utf8, sizeof utf8, &len, u, n, &e);
    if (U_FAILURE(e) || len >= (int32_t)sizeof utf8)
        return n;
    char *s = opencc_convert_utf8(k->t2s, utf8, (size_t)len);
    if (s) {
        int32_t m = to_uchars(s, -1, u, cap);
        opencc_convert_utf8_free(s);
        n = m;
    }
    UChar out[UBUF];
    int32_t w = 0;
    for (int32_t i = 0; i < n && w + 2 < UBUF;) {
        UChar32 c;
        U16_NEXT(u, i, n, c);
        c = fold_variant(c);
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        U16_APPEND_UNSAFE(out, w, c);
    }
    memcpy(u, out, (size_t)w * sizeof *u);
    u[w] = 0;
    return w;
}

/* Appends the UTF-8 of c to out at *w when it fits. */
static void put_char(char *out, size_t *w, UChar32 c)
{
    char b[4];
    int32_t len = 0;
    U8_APPEND_UNSAFE(b, len, c);
    if (*w + (size_t)len < FW_NAMEKEY_SIZE) {
        memcpy(out + *w, b, (size_t)len);
        *w += (size_t)len;
    }
}


/* ICU's reading of c: latin filled with its letters, false when ICU leaves it unconverted (or
 * cannot be opened: then *learned is false, so no reading of a failure is kept). */
static bool latin_of(fw_namekeyer *k, UChar32 c, char latin[22], bool *learned)
{
    UChar u[32];
    int32_t len = 0;
    U16_APPEND_UNSAFE(u, len, c);
    UErrorCode e = U_ZERO_ERROR;
    int32_t limit = len;
    UTransliterator *t = transliterator(k);
    latin[0] = 0;
    *learned = false;
    if (!t)
        return false;
    utrans_transUChars(t, u, &len, 32, 0, &limit, &e);
    *learned = U_SUCCESS(e);
    size_t w = 0;
    for (int32_t i = 0; U_SUCCESS(e) && i < len && w < 21; i++)
        if (is_ascii_alnum(u[i]))
            latin[w++] = (char)(u[i] >= 'A' && u[i] <= 'Z' ? u[i] + ('a' - 'A') : u[i]);
    latin[w] = 0;
    return w > 0;
}

/* The cache slot of c: its own, or the free one it would take; NULL when the probes find neither. */
static char_latin *latin_slot(fw_namekeyer *k, UChar32 c)
{
    for (unsigned h = ((unsigned)c * 2654435761u) & (LATIN_CACHE - 1), probes = 0; probes < 16;
         probes++, h = (h + 1) & (LATIN_CACHE - 1))
        if (k->cache[h].cp == c || k->cache[h].cp == 0)
            return &k->cache[h];
    return NULL;
}

static const char_latin *cached_latin(fw_namekeyer *k, UChar32 c, char_latin *spare)
{
    char_latin *slot = latin_slot(k, c);
    if (slot && slot->cp == c)
        return slot;
    spare->cp = c;
    spare->converted = latin_of(k, c, spare->latin, &spare->learned);
    if (!slot || !spare->learned) /* cache full, or ICU failed: asked again next time */
        return spare;
    *slot = *spare;
    return slot;
}

void fw_namekeyer_know(fw_namekeyer *k, int cp, const char *latin)
{
    if (cp <= 0 || cp > 0x10FFFF || !latin)
        return;
    char_latin *slot = latin_slot(k, (UChar32)cp);
    if (!slot || slot->cp)
        return;
    size_t w = 0;
    for (const char *p = latin; *p && w < sizeof slot->latin - 1; p++)
        if (is_ascii_alnum((unsigned char)*p))
            slot->latin[w++] = *p;
    slot->latin[w] = 0;
    slot->converted = w > 0;
    slot->learned = false;
    slot->cp = (UChar32)cp;
}

int fw_namekeyer_each_learned(const fw_namekeyer *k, int (*fn)(void *ctx, int cp, const char *latin, fw_err *err),
                              void *ctx, fw_err *err)
{
    for (int i = 0; i < LATIN_CACHE; i++) {
        const char_latin *s = &k->cache[i];
        if (s->cp && s->learned && fn(ctx, (int)s->cp, s->converted ? s->latin : "", err))
            return err->code ? err->code : FW_EFAIL;
    }
    return FW_OK;
}

/* The pinyin key from the simplified name: one syllable per Chinese character, Latin words kept
 * (lower-case, accents dropped), any character ICU leaves unconverted kept as a syllable of its
 * own, and everything else (spaces, dots, punctuation) a separator. */
static void pinyin_of(fw_namekeyer *k, const UChar *simp, int32_t n, char *out)
{
    size_t w = 0;
    bool sep = false; /* a separator is due before the next letter */
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        U16_NEXT(simp, i, n, c);
        if (is_ascii_alnum(c)) {
            if (sep && w > 0 && w + 1 < FW_NAMEKEY_SIZE)
                out[w++] = ' ';
            sep = false;
            put_char(out, &w, c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
            continue;
        }
        if (c < 0x80 || is_name_dot(c) || u_isUWhiteSpace(c) || u_ispunct(c)) {
            sep = true;
            continue;
        }
        char_latin spare;
        const char_latin *l = cached_latin(k, c, &spare);
        bool own = !l->converted || u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC);
        if ((sep || own) && w > 0 && out[w - 1] != ' ' && w + 1 < FW_NAMEKEY_SIZE)
            out[w++] = ' ';
        if (l->converted)
            for (const char *p = l->latin; *p; p++)
                put_char(out, &w, (unsigned char)*p);
        else
            put_char(out, &w, c);
        sep = own; /* a syllable stands alone; an accented Latin letter continues its word */
    }
    out[w] = 0;
}

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* One syllable s (len bytes) folded into out at *w. */
static void fuzzy_syllable(const char *s, size_t len, char *out, size_t *w)
{
    char syl[FW_NAMEKEY_SIZE];
    size_t n = 0;
    size_t i = 0;
    if (len >= 2 && (starts(s, "zh") || starts(s, "ch") || starts(s, "sh"))) {
        syl[n++] = s[0];
        i = 2;
    } else if (len >= 1 && s[0] == 'n' && !(len >= 2 && s[1] == 'g')) {
        syl[n++] = 'l';
        i = 1;
    } else if (len >= 1 && s[0] == 'h') {
        syl[n++] = 'f';
        i = 1;
    }
    for (; i < len; i++)
        syl[n++] = s[i];
    if (n >= 3 && syl[n - 1] == 'g' && syl[n - 2] == 'n' && (syl[n - 3] == 'a' || syl[n - 3] == 'e' || syl[n - 3] == 'i'))
        n--;
    if (*w + n < FW_NAMEKEY_SIZE) {
        memcpy(out + *w, syl, n);
        *w += n;
    }
}

void fw_namekey_fuzzy(const char *pinyin, char *out)
{
    size_t w = 0;
    const char *p = pinyin;
    while (*p) {
        size_t len = strcspn(p, " ");
        if (len) {
            if (w && w + 1 < FW_NAMEKEY_SIZE)
                out[w++] = ' ';
            fuzzy_syllable(p, len, out, &w);
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    out[w] = 0;
}

static unsigned name_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h & (NAME_CACHE - 1);
}

static void compute_keys(fw_namekeyer *k, const char *name, fw_namekey *out);

void fw_namekey_compute(fw_namekeyer *k, const char *name, fw_namekey *out)
{
    if (!name || !*name || strlen(name) > 4 * NAME_MAX_CHARS) {
        compute_keys(k, name, out);
        return;
    }
    if (!k->names)
        k->names = fw_calloc(NAME_CACHE, sizeof *k->names);
    name_slot *slot = &k->names[name_hash(name)];
    if (slot->name && strcmp(slot->name, name) == 0) {
        const char *p = slot->name + strlen(slot->name) + 1;
        char *keys[3] = {out->simp, out->pinyin, out->fuzzy};
        for (int i = 0; i < 3; i++) {
            size_t n = strlen(p) + 1;
            memcpy(keys[i], p, n);
            p += n;
        }
        return;
    }
    compute_keys(k, name, out);
    if (k->latin_failed) /* keys made without ICU are not kept */
        return;
    free(slot->name);
    fw_buf b = {0};
    const char *parts[4] = {name, out->simp, out->pinyin, out->fuzzy};
    for (int i = 0; i < 4; i++)
        fw_buf_add(&b, parts[i], strlen(parts[i]) + 1);
    slot->name = b.data;
}

static void compute_keys(fw_namekeyer *k, const char *name, fw_namekey *out)
{
    UChar u[UBUF];
    int32_t n = tidy_name(name ? name : "", u, UBUF);
    n = simplify(k, u, n, UBUF);
    to_utf8(u, n, out->simp);
    pinyin_of(k, u, n, out->pinyin);
    fw_namekey_fuzzy(out->pinyin, out->fuzzy);
}
