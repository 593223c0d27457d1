/* normalize.h: turning the cells of real ledgers into stored values. Each normalizer takes a cell
 * (already trimmed by fw_norm_trim), writes the stored form to out and returns:
 *   FW_NORM_OK    the value is valid;
 *   FW_NORM_NOTE  valid after a documented conversion worth showing (a 15-digit ID converted to
 *                 18, a negative amount = reversal): `why` says what was done;
 *   FW_NORM_BAD   invalid: `why` says what is wrong and what to do. Never silently fixed.
 * `why` is always NUL-terminated (empty on OK). Messages are English, one line, no trailing dot. */
#ifndef FW_NORMALIZE_H
#define FW_NORMALIZE_H

#include <stdbool.h>
#include <stddef.h>

enum { FW_NORM_OK = 0, FW_NORM_NOTE = 1, FW_NORM_BAD = -1 };
enum { FW_WHY_SIZE = 200 };

/* Strips leading/trailing ASCII whitespace and full-width spaces (U+3000), in place; also drops a
 * leading apostrophe Excel users type to force text. Returns the new length. */
size_t fw_norm_trim(char *s);

/* Folds full-width digits, Latin letters and ．－／：（）to ASCII, in place (the string shrinks). */
void fw_norm_fold_fullwidth(char *s);

/* Resident ID number (GB 11643-1999): 18 characters with the ISO 7064 MOD 11-2 check character
 * (lower-case x accepted, stored upper-case), or a legacy 15-digit number converted to 18 (NOTE).
 * The birth date inside must be a real date. out holds 18 characters + NUL. When the number fails
 * only its check character (a mistyped digit, not Excel's rounding to ...000), the result is
 * FW_NORM_BAD and out holds the number as written (X upper-case); on any other failure out is "". */
int fw_norm_id(const char *s, char out[19], char why[FW_WHY_SIZE]);
/* The check character for the first 17 digits (for generators and tests). */
char fw_id_check_char(const char *first17);

/* Dates: 2023-01-05, 2023/1/5, 2023.1.5, 20230105, 2023年1月5日, Excel serial day numbers
 * (1..2958465, 1900 date system). A date must exist (no 2023-02-30). out: YYYY-MM-DD. */
int fw_norm_date(const char *s, char out[11], char why[FW_WHY_SIZE]);

/* A month: any date form (its month), or 2023-01, 2023/1, 2023.1, 202301, 2023年1月. out: YYYY-MM. */
int fw_norm_period(const char *s, char out[8], char why[FW_WHY_SIZE]);

/* Money in yuan: 1234.5, 1,234.50, ¥1234.50, ￥1234.50, 1234.50元, RMB/CNY/人民币 forms; at most two
 * decimals; stored as integer fen without floating point (at most 15 integer digits). A negative
 * amount (-12.50, (12.50), -¥12.50) is NOTE "negative amount: reversal" when negative_ok, BAD
 * otherwise; -0.00 is 0. An empty cell is BAD: callers decide about optional columns first. */
int fw_norm_money(const char *s, bool negative_ok, long long *fen, char why[FW_WHY_SIZE]);

/* Unified social credit code (GB 32100-2015): 18 characters over 0-9 and A-Y without I O S V Z,
 * check character verified; lower case accepted. out: upper case. */
int fw_norm_credit(const char *s, char out[19], char why[FW_WHY_SIZE]);

/* Administrative region code: 6, 9 or 12 digits. */
int fw_norm_region(const char *s, char out[13], char why[FW_WHY_SIZE]);

/* A plain non-negative decimal (area): 85, 85.5, 1,085.5, 85.5平方米 / ㎡ / m2 suffixes. */
int fw_norm_number(const char *s, double *v, char why[FW_WHY_SIZE]);

#endif
