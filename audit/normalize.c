/* normalize.c: the field normalizers declared in normalize.h. Each one parses a trimmed cell by
 * hand, digit by digit, so that nothing depends on the locale or on floating point, and explains
 * in one line what was wrong when a value cannot be stored. */
#include "audit/normalize.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

/* The number written by n digits at s (the caller has checked they are digits). */
static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
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
    if (start)
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

/* Today as YYYYMMDD (UTC). Every ID number asks, so the calendar is worked out once per day per
 * thread, not per row (an import normalizes on its own thread). */
static long today_yyyymmdd(void)
{
    static _Thread_local time_t day_start = -1, day_end = -1;
    static _Thread_local long today;
    time_t now = time(NULL);
    if (now < day_start || now >= day_end) {
        struct tm tm;
        gmtime_r(&now, &tm);
        today = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
        day_start = now - (tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
        day_end = day_start + 86400;
    }
    return today;
}

static int check_birth_date(const char *yyyymmdd, char why[FW_WHY_SIZE])
{
    int y = digits_value(yyyymmdd, 4), m = digits_value(yyyymmdd + 4, 2), d = digits_value(yyyymmdd + 6, 2);
    char buf[80];
    const char *problem = date_problem(y, m, d, buf);
    if (problem)
        return set_why(why, FW_NORM_BAD,
                       "ID number has an impossible birth date %.8s: %s; check the number", yyyymmdd,
                       problem);
    if ((long)y * 10000 + m * 100 + d > today_yyyymmdd())
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
        /* The number as written, for a registry that keeps such rows flagged (import.c). */
        memcpy(out, s, 17);
        out[17] = got;
        out[18] = '\0';
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

/* ---- dates and months ----------------------------------------------------------------------- */

/* Reads 1..maxd digits at *p as a number; 0 digits fails. */
static int read_num(const char **p, int maxd, int *v)
{
    int n = 0, x = 0;
    while (is_digit(**p) && n < maxd) {
        x = x * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *v = x;
    return n > 0 && !is_digit(**p);
}

static int eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* The parts of a date or month as written; day 0 means the cell named a month only. */
struct ymd {
    int y, m, d;
};

/* Y-M[-D] with one separator (- / .), or Y年M月[D日]: the forms with explicit separators. */
static int parse_separated(const char *s, struct ymd *t)
{
    const char *p = s;
    t->d = 0;
    if (!read_num(&p, 4, &t->y) || p - s != 4)
        return 0;
    if (eat(&p, "年")) {
        if (!read_num(&p, 2, &t->m) || !eat(&p, "月"))
            return 0;
        if (*p == '\0')
            return 1;
        return read_num(&p, 2, &t->d) && (eat(&p, "日") || eat(&p, "号")) && *p == '\0';
    }
    char sep = *p;
    if (sep != '-' && sep != '/' && sep != '.')
        return 0;
    p++;
    if (!read_num(&p, 2, &t->m))
        return 0;
    if (*p == '\0')
        return 1;
    if (*p != sep)
        return 0;
    p++;
    return read_num(&p, 2, &t->d) && *p == '\0';
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), and back: Howard Hinnant's algorithms. */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, struct ymd *t)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    t->d = (int)(doy - (153 * mp + 2) / 5 + 1);
    t->m = (int)(mp < 10 ? mp + 3 : mp - 9);
    t->y = (int)(yoe + era * 400 + (t->m <= 2));
}

/* An Excel serial day number (1900 date system). Excel counts 1900-02-29, which never existed, as
 * serial 60 (a Lotus 1-2-3 bug it kept), so serials from 61 on are one day ahead of a plain count
 * from 1899-12-31. */
static int excel_serial_date(long serial, struct ymd *t, char why[FW_WHY_SIZE])
{
    if (serial < 1 || serial > 2958465)
        return set_why(why, FW_NORM_BAD, "Excel day number %ld is out of range (1-2958465)", serial);
    if (serial == 60)
        return set_why(why, FW_NORM_BAD,
                       "Excel day number 60 is 1900-02-29, a day that does not exist; enter the date as YYYY-MM-DD");
    long base = days_from_civil(1899, 12, 31);
    civil_from_days(base + serial - (serial > 60), t);
    return FW_NORM_OK;
}

/* Drops a time of day after the date ("2023-01-05 00:00:00"); the time must look like one. */
static int cut_time_part(char *buf)
{
    char *sp = strchr(buf, ' ');
    if (!sp)
        return 1;
    const char *t = sp;
    while (*t == ' ')
        t++;
    if (!is_digit(*t))
        return 0;
    for (; *t; t++)
        if (!is_digit(*t) && *t != ':' && *t != '.')
            return 0;
    *sp = '\0';
    return 1;
}

/* Parses any accepted date or month form into t (d = 0 for a month). */
static int parse_date_or_month(const char *s, struct ymd *t, char why[FW_WHY_SIZE], const char *what)
{
    char buf[CELL_MAX];
    if (!copy_folded(s, buf))
        return set_why(why, FW_NORM_BAD, "%s is too long to be a date", what);
    size_t n = strlen(buf);
    if (n == 0)
        return set_why(why, FW_NORM_BAD, "%s is empty", what);
    if (!cut_time_part(buf))
        return set_why(why, FW_NORM_BAD, "%s \"%.40s\" is not a date; use YYYY-MM-DD", what, s);
    n = strlen(buf);
    if (all_digits(buf, n)) {
        if (n <= 5) {
            long serial = 0;
            for (size_t i = 0; i < n; i++)
                serial = serial * 10 + (buf[i] - '0');
            return excel_serial_date(serial, t, why);
        }
        if (n == 8 || n == 6) { /* YYYYMMDD or YYYYMM */
            t->y = digits_value(buf, 4);
            t->m = digits_value(buf + 4, 2);
            t->d = n == 8 ? digits_value(buf + 6, 2) : 0;
            return FW_NORM_OK;
        }
    } else if (parse_separated(buf, t)) {
        return FW_NORM_OK;
    }
    return set_why(why, FW_NORM_BAD,
                   "%s \"%.40s\" is not a recognised date; use YYYY-MM-DD (also 2023/1/5, 20230105, "
                   "2023年1月5日)",
                   what, s);
}

/* Writes n decimal digits of v (zero-padded). The importer formats two dates per payment row, so
 * this replaces snprintf, which cost more than the whole date parse. */
static char *put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        out[i] = (char)('0' + v % 10);
    return out + n;
}

/* YYYY-MM, and -DD when d > 0; y is 1900-9999 here (date_problem checked it). */
static void format_ymd(char *out, int y, int m, int d)
{
    out = put_digits(out, y, 4);
    *out++ = '-';
    out = put_digits(out, m, 2);
    if (d > 0) {
        *out++ = '-';
        out = put_digits(out, d, 2);
    }
    *out = '\0';
}

int fw_norm_date(const char *s, char out[11], char why[FW_WHY_SIZE])
{
    struct ymd t = {0, 0, 0};
    out[0] = '\0';
    if (parse_date_or_month(s, &t, why, "date") != FW_NORM_OK)
        return FW_NORM_BAD;
    if (t.d == 0)
        return set_why(why, FW_NORM_BAD, "date \"%.40s\" has no day; use YYYY-MM-DD", s);
    char buf[80];
    const char *problem = date_problem(t.y, t.m, t.d, buf);
    if (problem)
        return set_why(why, FW_NORM_BAD, "date \"%.40s\" is impossible: %s", s, problem);
    format_ymd(out, t.y, t.m, t.d);
    return ok(why);
}

int fw_norm_period(const char *s, char out[8], char why[FW_WHY_SIZE])
{
    struct ymd t = {0, 0, 0};
    out[0] = '\0';
    if (parse_date_or_month(s, &t, why, "period") != FW_NORM_OK)
        return FW_NORM_BAD;
    char buf[80];
    /* A day, when given, must exist too: 2023-02-30 is a typing error, not February. */
    const char *problem = date_problem(t.y, t.m, t.d ? t.d : 1, buf);
    if (problem)
        return set_why(why, FW_NORM_BAD, "period \"%.40s\" is impossible: %s", s, problem);
    format_ymd(out, t.y, t.m, 0);
    return ok(why);
}

/* ---- decimals: money and numbers ------------------------------------------------------------ */

/* A decimal as written: integer digits (with optional thousands commas) and fraction digits. */
struct decimal {
    long long units;  /* the integer part */
    long long frac;   /* the fraction digits as an integer */
    int frac_digits;
};

enum { INT_DIGITS_MAX = 15 }; /* 10^15 yuan in fen still fits in 64 bits */

/* Parses [digits with , groups][.digits] spanning all of s. Returns NULL or what is wrong. */
static const char *parse_decimal(const char *s, struct decimal *d)
{
    const char *p = s;
    int digits = 0, group = -1; /* digits since the last comma; -1 before any comma */
    d->units = d->frac = 0;
    d->frac_digits = 0;
    for (; is_digit(*p) || *p == ','; p++) {
        if (*p == ',') {
            if (digits == 0 || (group >= 0 && group != 3) || (group < 0 && digits > 3))
                return "has a misplaced thousands separator (the decimal point is a dot)";
            group = 0;
            continue;
        }
        if (++digits > INT_DIGITS_MAX)
            return "is too large";
        d->units = d->units * 10 + (*p - '0');
        if (group >= 0)
            group++;
    }
    if (group >= 0 && group != 3)
        return "has a misplaced thousands separator (the decimal point is a dot)";
    if (*p == '.') {
        p++;
        for (; is_digit(*p); p++) {
            if (++d->frac_digits > 9)
                return "has too many decimals";
            d->frac = d->frac * 10 + (*p - '0');
        }
    }
    if (digits == 0 && d->frac_digits == 0)
        return "has no digits";
    if (*p == 'e' || *p == 'E')
        return "is in scientific notation";
    if (*p != '\0')
        return "contains characters that are not part of a number";
    return NULL;
}

/* Removes prefix at the start of *s (case-insensitive ASCII) and the blanks after it. */
static int strip_prefix(char **s, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncasecmp(*s, prefix, n) != 0)
        return 0;
    *s += n;
    while (**s == ' ')
        (*s)++;
    return 1;
}

/* Removes suffix at the end of s (case-insensitive ASCII) and the blanks before it. */
static int strip_suffix(char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    if (n < k || strcasecmp(s + n - k, suffix) != 0)
        return 0;
    n -= k;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    s[n] = '\0';
    return 1;
}

static int strip_currency(char **p)
{
    return strip_prefix(p, "¥") || strip_prefix(p, "￥") || strip_prefix(p, "RMB") ||
           strip_prefix(p, "CNY") || strip_prefix(p, "人民币");
}

/* Takes the sign off an amount: -x, x-, (x) and the minus around a currency symbol. */
static int strip_sign(char **p)
{
    char *s = *p;
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        s[n - 1] = '\0';
        *p = s + 1;
        return 1;
    }
    if (s[0] == '-') {
        for (s++; *s == ' ';)
            s++;
        *p = s;
        return 1;
    }
    return 0;
}

int fw_norm_money(const char *s, bool negative_ok, long long *fen, char why[FW_WHY_SIZE])
{
    char buf[CELL_MAX];
    *fen = 0;
    if (!copy_folded(s, buf))
        return set_why(why, FW_NORM_BAD, "amount is too long to be a number");
    char *p = buf;
    if (*p == '\0')
        return set_why(why, FW_NORM_BAD, "amount is empty; enter 0 if nothing was paid");
    int negative = strip_sign(&p);
    strip_currency(&p);
    if (!negative)
        negative = strip_sign(&p);
    if (!strip_suffix(p, "元"))
        if (!strip_suffix(p, "RMB"))
            strip_suffix(p, "CNY");
    struct decimal d;
    const char *problem = parse_decimal(p, &d);
    if (problem)
        return set_why(why, FW_NORM_BAD, "amount \"%.40s\" %s; write yuan like 1234.50", s, problem);
    if (d.frac_digits > 2)
        return set_why(why, FW_NORM_BAD,
                       "amount \"%.40s\" has %d decimals; yuan have at most 2 (fen), check the value",
                       s, d.frac_digits);
    long long value = d.units * 100 + d.frac * (d.frac_digits == 1 ? 10 : 1);
    if (!negative || value == 0) {
        *fen = value;
        return ok(why);
    }
    if (!negative_ok)
        return set_why(why, FW_NORM_BAD,
                       "amount \"%.40s\" is negative; this column does not allow reversals, check the value", s);
    *fen = -value;
    return set_why(why, FW_NORM_NOTE, "negative amount: reversal");
}

int fw_norm_number(const char *s, double *v, char why[FW_WHY_SIZE])
{
    static const char *const units[] = {"平方米", "平米", "㎡", "m²", "m2", "sqm"};
    static const double pow10[10] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    char buf[CELL_MAX];
    *v = 0;
    if (!copy_folded(s, buf))
        return set_why(why, FW_NORM_BAD, "number is too long");
    if (buf[0] == '\0')
        return set_why(why, FW_NORM_BAD, "number is empty");
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strip_suffix(buf, units[i]))
            break;
    if (buf[0] == '-')
        return set_why(why, FW_NORM_BAD, "number \"%.40s\" is negative; check the value", s);
    struct decimal d;
    const char *problem = parse_decimal(buf, &d);
    if (problem)
        return set_why(why, FW_NORM_BAD, "number \"%.40s\" %s; write it like 85.5", s, problem);
    /* Both operands are exact in a double and IEEE division rounds once: no locale, no drift. */
    *v = (double)d.units + (double)d.frac / pow10[d.frac_digits];
    return ok(why);
}

/* ---- unified social credit codes and region codes ------------------------------------------- */

/* The 31 characters of GB 32100-2015 in value order: I O S V Z are left out as look-alikes. */
static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int credit_value(char c)
{
    const char *p = c ? strchr(credit_chars, c) : NULL;
    return p ? (int)(p - credit_chars) : -1;
}

int fw_norm_credit(const char *s, char out[19], char why[FW_WHY_SIZE])
{
    static const int weight[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    char buf[CELL_MAX];
    out[0] = '\0';
    if (!copy_folded(s, buf))
        return set_why(why, FW_NORM_BAD, "credit code is too long; it has 18 characters");
    if (strlen(buf) != 18)
        return set_why(why, FW_NORM_BAD,
                       "credit code must have 18 characters, this one has %zu; check the code",
                       strlen(buf));
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        if (buf[i] >= 'a' && buf[i] <= 'z')
            buf[i] = (char)(buf[i] - 'a' + 'A');
        int v = credit_value(buf[i]);
        if (v < 0)
            return set_why(why, FW_NORM_BAD,
                           "credit code has '%c' at position %d; only 0-9 and A-Y without I O S V Z "
                           "are used, check the code",
                           buf[i] > ' ' && buf[i] < 127 ? buf[i] : '?', i + 1);
        if (i < 17)
            sum += v * weight[i];
    }
    char want = credit_chars[(31 - sum % 31) % 31];
    if (buf[17] != want)
        return set_why(why, FW_NORM_BAD,
                       "credit code check character is %c but %c was expected; check for a typing error",
                       buf[17], want);
    memcpy(out, buf, 19);
    return ok(why);
}

int fw_norm_region(const char *s, char out[13], char why[FW_WHY_SIZE])
{
    char buf[CELL_MAX];
    out[0] = '\0';
    if (!copy_folded(s, buf))
        return set_why(why, FW_NORM_BAD, "region code is too long; it has 6, 9 or 12 digits");
    size_t n = strlen(buf);
    if (!all_digits(buf, n) || (n != 6 && n != 9 && n != 12))
        return set_why(why, FW_NORM_BAD,
                       "region code \"%.40s\" must be 6, 9 or 12 digits; check the code", s);
    memcpy(out, buf, n + 1);
    return ok(why);
}
