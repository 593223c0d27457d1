/* normalize.c: the field normalizers declared in normalize.h. Each one parses a trimmed cell by
 * hand, digit by digit, so that nothing depends on the locale or on floating point, and explains
 * in one line what was wrong when a value cannot be stored. */
#include "audit/normalize.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Cells longer than this are not any field we know; rejecting them keeps the buffers fixed. */
enum { CELL_MAX = 256 };

static int set_why(char why[FW_WHY_SIZE], int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int set_why(char why[FW_WHY_SIZE], int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, FW_WHY_SIZE, fmt, ap);
    va_end(ap);
    return status;
}

static int ok(char why[FW_WHY_SIZE])
{
    why[0] = '\0';
    return FW_NORM_OK;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* ---- trimming and folding ------------------------------------------------------------------- */

/* Length of the blank at s: ASCII space/tab/CR/LF (1) or U+3000 IDEOGRAPHIC SPACE (3), else 0. */
static size_t blank_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)s[0];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        return 1;
    if (avail >= 3 && c == 0xE3 && (unsigned char)s[1] == 0x80 && (unsigned char)s[2] == 0x80)
        return 3;
    return 0;
}

/* Is there a U+3000 ending exactly at s + n? */
static int ends_with_ideographic_space(const char *s, size_t n)
{
    return n >= 3 && (unsigned char)s[n - 3] == 0xE3 && (unsigned char)s[n - 2] == 0x80 &&
           (unsigned char)s[n - 1] == 0x80;
}

static size_t strip_blanks(char *s)
{
    size_t n = strlen(s), start = 0, b;
    while (start < n && (b = blank_len(s + start, n - start)) > 0)
        start += b;
    while (n > start) {
        char c = s[n - 1];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            n--;
        else if (n - start >= 3 && ends_with_ideographic_space(s, n))
            n -= 3;
        else
            break;
    }
    memmove(s, s + start, n - start);
    s[n - start] = '\0';
    return n - start;
}

size_t fw_norm_trim(char *s)
{
    size_t n = strip_blanks(s);
    /* Excel users type '123 to keep a number as text; the apostrophe is not part of the value.
     * Blanks after it are trimmed too, as the user meant the text that follows. */
    if (n > 0 && s[0] == '\'') {
        memmove(s, s + 1, n);
        n = strip_blanks(s);
    }
    return n;
}

/* The ASCII character a full-width form at s stands for, or 0. Folded: digits, Latin letters and
 * ．－／：（）， (U+FF0E U+FF0D U+FF0F U+FF1A U+FF08 U+FF09 U+FF0C), which Chinese input methods
 * produce when the user forgets to switch to half-width. */
static char fullwidth_ascii(const unsigned char *s)
{
    if (s[0] != 0xEF || (s[1] != 0xBC && s[1] != 0xBD) || s[2] < 0x80 || s[2] > 0xBF)
        return 0;
    unsigned cp = 0xFF00u + ((unsigned)(s[1] - 0xBC) << 6) + (unsigned)(s[2] - 0x80);
    char c = (char)(cp - 0xFF00u + 0x20u);
    if (cp < 0xFF01u || cp > 0xFF5Eu)
        return 0;
    if (is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || strchr(".-/:(),", c))
        return c;
    return 0;
}

void fw_norm_fold_fullwidth(char *s)
{
    const unsigned char *r = (const unsigned char *)s;
    char *w = s;
    while (*r) {
        char c = (r[1] && r[2]) ? fullwidth_ascii(r) : 0;
        if (c) {
            *w++ = c;
            r += 3;
        } else {
            *w++ = (char)*r++;
        }
    }
    *w = '\0';
}

/* Copies a cell into buf (size CELL_MAX) with full-width forms folded; 0 when too long. */
static int copy_folded(const char *s, char buf[CELL_MAX])
{
    size_t n = strlen(s);
    if (n >= CELL_MAX)
        return 0;
    memcpy(buf, s, n + 1);
    fw_norm_fold_fullwidth(buf);
    return 1;
}

/* ---- calendar ------------------------------------------------------------------------------- */

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Why y-m-d is not a date, or NULL when it is. Years outside 1900..9999 are refused: no ledger
 * or birth date in this domain lies there, and a year like 0023 is a typing error. */
static const char *date_problem(int y, int m, int d, char buf[80])
{
    if (y < 1900 || y > 9999)
        snprintf(buf, 80, "year %d is out of range (1900-9999)", y);
    else if (m < 1 || m > 12)
        snprintf(buf, 80, "month %d does not exist", m);
    else if (d < 1 || d > days_in_month(y, m))
        snprintf(buf, 80, "day %d does not exist in %04d-%02d", d, y, m);
    else
        return NULL;
    return buf;
}

/* ---- resident ID numbers -------------------------------------------------------------------- */

char fw_id_check_char(const char *first17)
{
    static const int weight[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[12] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(first17[i]))
            return '?';
        sum += (first17[i] - '0') * weight[i];
    }
    return check[sum % 11];
}

/* Excel turns an 18-digit number into 5.20102E+17 or keeps only 15 significant digits. */
static int looks_like_excel_number(const char *s)
{
    const char *e = strpbrk(s, "Ee");
    return e && (e[1] == '+' || is_digit(e[1])) && (is_digit(s[0]) || s[0] == '.');
}

static int check_birth_date(const char *yyyymmdd, char why[FW_WHY_SIZE])
{
    int y = 0, m = 0, d = 0;
    sscanf(yyyymmdd, "%4d%2d%2d", &y, &m, &d);
    char buf[80];
    const char *problem = date_problem(y, m, d, buf);
    if (problem)
        return set_why(why, FW_NORM_BAD,
                       "ID number has an impossible birth date %.8s: %s; check the number", yyyymmdd,
                       problem);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    long today = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    if ((long)y * 10000 + m * 100 + d > today)
        return set_why(why, FW_NORM_BAD, "ID number has a birth date in the future (%.8s); check the number",
                       yyyymmdd);
    return FW_NORM_OK;
}

static int norm_id18(const char *s, char out[19], char why[FW_WHY_SIZE])
{
    if (!all_digits(s, 17) || !(is_digit(s[17]) || s[17] == 'X' || s[17] == 'x'))
        return set_why(why, FW_NORM_BAD,
                       "ID number must be 17 digits and a check digit or X; fix the number");
    if (check_birth_date(s + 6, why) != FW_NORM_OK)
        return FW_NORM_BAD;
    char want = fw_id_check_char(s);
    char got = s[17] == 'x' ? 'X' : s[17];
    if (got != want) {
        /* Excel keeps 15 significant digits: 520102195503120016 becomes 520102195503120000. */
        if (memcmp(s + 15, "000", 3) == 0)
            return set_why(why, FW_NORM_BAD,
                           "ID number ends in 000 and fails its check: Excel probably rounded it; "
                           "re-export the column as text");
        return set_why(why, FW_NORM_BAD,
                       "ID number check character is %c but %c was expected; check for a typing error",
                       got, want);
    }
    memcpy(out, s, 17);
    out[17] = got;
    out[18] = '\0';
    return ok(why);
}

/* A legacy 15-digit number: region(6) YYMMDD(6) sequence(3), born in the 1900s. */
static int norm_id15(const char *s, char out[19], char why[FW_WHY_SIZE])
{
    char id[19];
    memcpy(id, s, 6);
    memcpy(id + 6, "19", 2);
    memcpy(id + 8, s + 6, 9);
    if (check_birth_date(id + 6, why) != FW_NORM_OK)
        return FW_NORM_BAD;
    id[17] = fw_id_check_char(id);
    id[18] = '\0';
    memcpy(out, id, 19);
    return set_why(why, FW_NORM_NOTE, "legacy 15-digit ID number %s converted to 18 digits", s);
}

int fw_norm_id(const char *s, char out[19], char why[FW_WHY_SIZE])
{
    char buf[CELL_MAX];
    out[0] = '\0';
    if (!copy_folded(s, buf))
        return set_why(why, FW_NORM_BAD, "ID number is too long; an ID number has 18 characters");
    size_t n = strlen(buf);
    if (n == 0)
        return set_why(why, FW_NORM_BAD, "ID number is empty");
    if (looks_like_excel_number(buf))
        return set_why(why, FW_NORM_BAD,
                       "ID number is in Excel scientific notation (%.40s) and its digits are lost; "
                       "re-export the column as text",
                       buf);
    if (n == 18)
        return norm_id18(buf, out, why);
    if (n == 15 && all_digits(buf, 15))
        return norm_id15(buf, out, why);
    if (all_digits(buf, n))
        return set_why(why, FW_NORM_BAD,
                       "ID number has %zu digits instead of 18 (or legacy 15); if Excel dropped "
                       "digits, re-export the column as text",
                       n);
    return set_why(why, FW_NORM_BAD,
                   "ID number must be 18 characters (digits, last may be X); got \"%.40s\"", buf);
}
