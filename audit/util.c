/* util.c: implementation of the shared helpers declared in util.h. */
#include "audit/util.h"
#include "audit/i18n.h"

#include <ctype.h>
#include <nettle/sha2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

int fw_fail(fw_err *err, int code, const char *fmt, ...)
{
    if (err) {
        /* Formatted aside first: a message may quote the error it replaces
         * (fw_fail(err, ..., "%s: ...: %s", path, err->msg)), which vsnprintf into err->msg itself
         * would overwrite before reading. */
        char msg[sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        memcpy(err->msg, msg, sizeof msg);
        err->code = code;
    }
    return code;
}

void fw_err_clear(fw_err *err)
{
    if (err) {
        err->code = FW_OK;
        err->msg[0] = '\0';
    }
}

static void *oom(void)
{
    fputs("fundwatch: out of memory\n", stderr);
    abort();
}

void *fw_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    return p ? p : oom();
}

void *fw_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    return p ? p : oom();
}

void *fw_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    return q ? q : oom();
}

char *fw_strdup(const char *s)
{
    return fw_strndup(s, strlen(s));
}

char *fw_strndup(const char *s, size_t n)
{
    char *p = fw_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *fw_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        oom();
    va_end(ap);
    return s;
}

void fw_buf_reserve(fw_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = fw_realloc(b->data, cap);
    b->cap = cap;
}

void fw_buf_add(fw_buf *b, const char *s, size_t n)
{
    fw_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void fw_buf_puts(fw_buf *b, const char *s)
{
    fw_buf_add(b, s, strlen(s));
}

void fw_buf_putc(fw_buf *b, char c)
{
    fw_buf_add(b, &c, 1);
}

void fw_buf_printf(fw_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        fw_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void fw_buf_reset(fw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void fw_buf_free(fw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *fw_buf_steal(fw_buf *b)
{
    char *d = b->data ? b->data : fw_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

/* Decodes one UTF-8 character; returns its byte length (1 for an invalid byte, with *wc = -1). */
static int utf8_next(const char *s, wchar_t *wc)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = mbrtowc(wc, s, MB_CUR_MAX, &st);
    if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
        *wc = (wchar_t)-1;
        return 1;
    }
    return (int)n;
}

static int char_width(wchar_t wc)
{
    if (wc == (wchar_t)-1)
        return 1;
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

/* Length of the well-formed UTF-8 character at s (no overlongs, no surrogates, <= U+10FFFF), or 0. */
size_t fw_utf8_char_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

int fw_utf8_width(const char *s)
{
    int w = 0;
    while (*s) {
        wchar_t wc;
        s += utf8_next(s, &wc);
        w += char_width(wc);
    }
    return w;
}

int fw_utf8_fit(const char *s, int cols, char *out, size_t outsz)
{
    if (outsz == 0)
        return 0;
    int total = fw_utf8_width(s);
    int budget = total <= cols ? cols : cols - 1; /* keep a column for the ellipsis */
    size_t o = 0;
    int w = 0;
    while (*s) {
        wchar_t wc;
        int n = utf8_next(s, &wc);
        int cw = char_width(wc);
        if (w + cw > budget || o + (size_t)n + 4 > outsz)
            break;
        memcpy(out + o, s, (size_t)n);
        o += (size_t)n;
        w += cw;
        s += n;
    }
    if (*s && cols > 0 && o + 4 <= outsz) {
        memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
        o += 3;
        w += 1;
    }
    out[o] = '\0';
    return w;
}

long fw_utf8_invalid_at(const char *s)
{
    size_t n = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = p[i] < 0x80 ? 1 : fw_utf8_char_len(p + i, n - i);
        if (k == 0)
            return (long)i;
        i += k;
    }
    return -1;
}

/* The code point of a C1 control (U+0080-U+009F) at s, -1 otherwise; *len gets its byte length. */
static int c1_control(const unsigned char *s, int *len)
{
    if (s[0] == 0xC2 && s[1] >= 0x80 && s[1] <= 0x9F) {
        *len = 2;
        return s[1];
    }
    if (s[0] >= 0x80 && s[0] <= 0x9F) { /* a lone byte: an 8-bit terminal would obey it */
        *len = 1;
        return s[0];
    }
    return -1;
}

static int needs_escape(const unsigned char *p)
{
    for (; *p; p++)
        if (*p < 0x20 || *p == 0x7F || (*p >= 0x80 && *p <= 0x9F) || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
            return 1;
    return 0;
}

const char *fw_visible(const char *s, fw_buf *scratch)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!needs_escape(p))
        return s;
    fw_buf_reset(scratch);
    fw_buf_puts(scratch, "");
    const unsigned char *end = p + strlen(s);
    while (*p) {
        int len = (int)fw_utf8_char_len(p, (size_t)(end - p)), c1;
        if (*p < 0x20 || *p == 0x7F) {
            fw_buf_putc(scratch, '^');
            fw_buf_putc(scratch, (char)(*p ^ 0x40));
            p++;
        } else if (*p >= 0x80 && (c1 = c1_control(p, &len)) >= 0) {
            fw_buf_putc(scratch, '~');
            fw_buf_putc(scratch, (char)(c1 - 0x80 + 0x40));
            p += len;
        } else {
            len = *p < 0x80 || len == 0 ? 1 : len;
            fw_buf_add(scratch, (const char *)p, (size_t)len);
            p += len;
        }
    }
    return scratch->data;
}

void fw_sha256_hex(const void *data, size_t n, char out[65])
{
    struct sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_init(&ctx);
    sha256_update(&ctx, n, data);
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

double fw_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fw_now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "YYYY-MM-DD[T ]HH:MM[:SS]Z" -> seconds since the epoch. The Z is required: a time without a
 * zone is not known to be UTC, so it is not converted. */
static int parse_utc(const char *s, time_t *out)
{
    if (!s)
        return 0;
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &n) != 5 || n != 16)
        return 0;
    const char *rest = s + n;
    if (rest[0] == ':' && isdigit((unsigned char)rest[1]) && isdigit((unsigned char)rest[2])) {
        tm.tm_sec = (rest[1] - '0') * 10 + (rest[2] - '0');
        rest += 3;
    }
    if (strcmp(rest, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm);
    return 1;
}

int fw_time_local_tm(const char *stored, struct tm *out)
{
    time_t t;
    if (!parse_utc(stored, &t))
        return 0;
    tzset();
    return localtime_r(&t, out) != NULL;
}

const char *fw_time_local(const char *stored, enum fw_time_style style, char *out, size_t outsz)
{
    struct tm tm;
    if (!fw_time_local_tm(stored, &tm))
        return stored ? stored : "";
    if (style == FW_TIME_MINUTE) {
        strftime(out, outsz, "%Y-%m-%d %H:%M", &tm);
        return out;
    }
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    char day[24];
    strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, outsz, "%s %c%02ld:%02ld", day, sign, off / 3600, off % 3600 / 60);
    return out;
}

static char *user_override;

void fw_set_user(const char *user)
{
    free(user_override);
    user_override = user ? fw_strdup(user) : NULL;
}

const char *fw_user_typed(void)
{
    return user_override && *user_override ? user_override : NULL;
}

const char *fw_user(void)
{
    if (user_override && *user_override)
        return user_override;
    const char *env = getenv("FUNDWATCH_USER");
    if (env && *env)
        return env;
    const char *login = getlogin();
    if (login && *login)
        return login;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name ? pw->pw_name : "unknown";
}

/* ---- "did you mean" ---------------------------------------------------------------------------- */

enum { CLOSEST_MAX = 64 }; /* characters compared; longer words are not typos of options or codes */

/* UTF-8 to code points (ASCII folded to lower case), whatever the locale; an invalid byte counts as
 * one character. -1 when longer than CLOSEST_MAX. */
static int code_points(const char *s, uint32_t out[CLOSEST_MAX])
{
    const unsigned char *p = (const unsigned char *)s;
    int n = 0;
    while (*p) {
        if (n == CLOSEST_MAX)
            return -1;
        uint32_t c = *p;
        int len = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (len > 1) {
            c &= 0x3f >> (len - 1);
            for (int k = 1; k < len; k++) {
                if ((p[k] & 0xc0) != 0x80) { /* invalid: take the lead byte alone */
                    c = *p;
                    len = 1;
                    break;
                }
                c = c << 6 | (p[k] & 0x3f);
            }
        }
        out[n++] = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
        p += len;
    }
    return n;
}

/* Optimal string alignment distance (Levenshtein plus the swap of two neighbours). */
static int edit_distance(const uint32_t *a, int na, const uint32_t *b, int nb)
{
    int d[CLOSEST_MAX + 1][CLOSEST_MAX + 1];
    for (int i = 0; i <= na; i++)
        d[i][0] = i;
    for (int j = 0; j <= nb; j++)
        d[0][j] = j;
    for (int i = 1; i <= na; i++)
        for (int j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[na][nb];
}

const char *fw_closest(const char *word, const char *const *candidates)
{
    uint32_t w[CLOSEST_MAX], c[CLOSEST_MAX];
    int nw = word ? code_points(word, w) : -1;
    if (nw <= 0)
        return NULL;
    int limit = nw / 3 + 1 < 3 ? nw / 3 + 1 : 3, best = limit + 1, prefixed = 0;
    const char *closest = NULL, *prefix = NULL;
    for (const char *const *k = candidates; *k; k++) {
        int nc = code_points(*k, c);
        if (nc < 0)
            continue;
        int dist = edit_distance(w, nw, c, nc);
        if (dist < best) {
            best = dist;
            closest = *k;
        }
        if (nw >= 2 && nc > nw && memcmp(w, c, (size_t)nw * sizeof *w) == 0) {
            prefix = *k;
            prefixed++;
        }
    }
    if (closest)
        return closest;
    return prefixed == 1 ? prefix : NULL;
}
