/* util.h: small things every module needs: the error record that travels up to the user, exit
 * codes, checked allocation, a growable string buffer and UTF-8 display width.
 *
 * Why one error struct: a message must reach the user as "file:line:column: what was wrong; what to
 * do", so the layer that knows the detail writes it once and every layer above only adds context. */
#ifndef FW_UTIL_H
#define FW_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Exit codes, documented in README.md and fundwatch(1). */
enum fw_exit {
    FW_OK = 0,
    FW_EFAIL = 1,      /* a runtime failure not covered below (I/O, out of memory) */
    FW_EUSAGE = 2,     /* bad command line */
    FW_EDATA = 3,      /* bad input data: rejected file, invalid rule, malformed value */
    FW_EWORKSPACE = 4, /* the workspace file cannot be opened, is locked or is corrupt */
    FW_ENOTFOUND = 5,  /* a named thing (case, rule, hit, person) does not exist */
    FW_ECONFLICT = 6,  /* refused because of state: duplicate import, illegal transition, changed meanwhile */
    FW_EINTR = 130     /* interrupted by the user (Ctrl-C); complete work was kept */
};

typedef struct fw_err {
    int code;          /* one of enum fw_exit; FW_OK when no error */
    char msg[2048];
} fw_err;

/* Sets err (if not NULL) and returns code, so callers can write `return fw_fail(err, ...)`. */
int fw_fail(fw_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void fw_err_clear(fw_err *err);

/* Allocation that never returns NULL: out of memory aborts with a message, since no caller in a
 * terminal tool can do anything better. */
void *fw_malloc(size_t n);
void *fw_calloc(size_t n, size_t size);
void *fw_realloc(void *p, size_t n);
char *fw_strdup(const char *s);
char *fw_strndup(const char *s, size_t n);
char *fw_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated byte buffer. The owner calls fw_buf_free. */
typedef struct fw_buf {
    char *data;
    size_t len, cap;
} fw_buf;
void fw_buf_add(fw_buf *b, const char *s, size_t n);
void fw_buf_reserve(fw_buf *b, size_t extra); /* room for extra more bytes and the NUL */
void fw_buf_puts(fw_buf *b, const char *s);
void fw_buf_putc(fw_buf *b, char c);
void fw_buf_printf(fw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_buf_reset(fw_buf *b);
void fw_buf_free(fw_buf *b);
char *fw_buf_steal(fw_buf *b); /* returns data (never NULL), leaves b empty; caller frees */

/* Length of the well-formed UTF-8 character at s (1 to 4; no overlongs, no surrogates, at most
 * U+10FFFF), or 0 when s does not start one. n: the bytes available at s. */
size_t fw_utf8_char_len(const unsigned char *s, size_t n);
/* Byte offset of the first byte of s that is not well-formed UTF-8, or -1 when s is valid. */
long fw_utf8_invalid_at(const char *s);

/* Terminal display width of UTF-8 text (CJK = 2 columns), using wcwidth() under the current
 * locale; invalid bytes count as one column each. */
int fw_utf8_width(const char *s);
/* Copies at most `cols` display columns of s into out (size outsz), never splitting a character,
 * and ends with "…" when truncated. Returns the display width written. */
int fw_utf8_fit(const char *s, int cols, char *out, size_t outsz);

/* The candidate (NULL-terminated list) a mistyped word most likely meant, for "did you mean"
 * hints: the closest by edit distance in characters (insert, delete, replace, swap two neighbours;
 * ASCII case ignored) when at most a third of the word's length plus one (at most 3) away, else the only
 * candidate the word begins (2 characters or more); NULL when nothing is that close. */
const char *fw_closest(const char *word, const char *const *candidates);

/* s as it may be shown on a terminal: control characters that a terminal would obey (ESC starting
 * an escape sequence, BEL, CR, a newline breaking a table) are shown in caret notation as curses
 * draws them: C0 and DEL as ^X (ESC is ^[, BEL ^G, DEL ^?), C1 (U+0080-U+009F, and such bytes
 * that are not part of a UTF-8 character) as ~X. Returns s itself when it holds none, else the
 * escaped text in *scratch (valid until scratch changes). The CLI's tables and every TUI cell
 * (fw_tui_put) show data through this one function; CSV and JSON keep the data and escape it by
 * their own rules. */
const char *fw_visible(const char *s, fw_buf *scratch);

/* SHA-256 of a byte range as 64 lower-case hex characters + NUL (nettle underneath). */
void fw_sha256_hex(const void *data, size_t n, char out[65]);

/* Current time as ISO 8601 in UTC with seconds ("2026-11-23T12:00:00Z"). */
void fw_now_iso(char out[32]);

/* Times are stored in UTC and shown in local time (TZ, else the machine's zone): the one place
 * that turns a stored time into what a person reads, on screen, in CLI tables and in workbooks. */
enum fw_time_style {
    FW_TIME_MINUTE,   /* "2026-12-05 15:48": screens, tables, history */
    FW_TIME_EVIDENCE  /* "2026-12-05 15:48:30 +08:00": where the time is evidence (provenance) */
};
enum { FW_TIME_SIZE = 40 };
/* Formats a stored UTC time ("2026-12-05T07:48:30Z"; also without seconds or with a space for
 * the T) in local time into out and returns out. Anything else (a date, a month, free text) is
 * returned itself, unchanged, and NULL as "": a day has no time zone. */
const char *fw_time_local(const char *stored, enum fw_time_style style, char *out, size_t outsz);
/* The local broken-down time of a stored UTC time; false when stored is not one. */
int fw_time_local_tm(const char *stored, struct tm *out);
double fw_now_seconds(void); /* a monotonic clock, for durations */

/* The acting user: --user, else $FUNDWATCH_USER, else the login name. */
const char *fw_user(void);
void fw_set_user(const char *user);
/* The name given with --user (fw_set_user), or NULL: what the user typed, for saying it is not used. */
const char *fw_user_typed(void);

#endif
