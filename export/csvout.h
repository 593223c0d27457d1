/* csvout.h: a list as CSV for other programs and for Excel users who want plain text: UTF-8 with
 * a byte-order mark (so Excel detects UTF-8), RFC 4180 quoting, CRLF line ends, one header row of
 * Chinese column labels. Money is written in yuan with two decimals, dates as ISO text, statuses
 * as their Chinese labels, ID numbers as text (masked on request). Text cells are neutralised
 * against formula injection (fw_csv_text). */
#ifndef FW_CSVOUT_H
#define FW_CSVOUT_H

#include <stdio.h>

#include "audit/exportq.h"
#include "export/export.h"

/* Writes every row of q to out. *rows gets the rows written. Returns FW_OK, FW_EINTR when the
 * progress callback cancelled, FW_EFAIL on a write error, or the query's error. */
int fw_csv_write(FILE *out, fw_xquery *q, const fw_export_opts *o, long long total,
                 long long *rows, fw_err *err);

/* Writes one field with RFC 4180 quoting (quoted when it holds a comma, quote, CR or LF), as it
 * is: for numbers and for the program's own labels. */
void fw_csv_field(FILE *out, const char *s);

/* Writes one text field so that a spreadsheet cannot run it (CSV formula injection): text that
 * starts with = + - @, a tab or a CR is written as OWASP recommends, with a single quote in front
 * and the whole cell in double quotes ("'=HYPERLINK(...)"); other text as fw_csv_field. Every
 * text cell of every CSV fundwatch writes goes through here; numbers do not, so -12.50 stays a
 * number. */
void fw_csv_text(FILE *out, const char *s);

/* True when s would start a formula in a spreadsheet (see fw_csv_text). */
int fw_csv_is_formula(const char *s);
/* True when s is a plain decimal number (-12.50, 3, 1.5e-7): written unchanged. */
int fw_csv_is_number(const char *s);

#endif
