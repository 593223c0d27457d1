/* csv.h: reading CSV files as county systems export them: UTF-8 with or without BOM or GB18030/GBK
 * (detected, or forced), CRLF, LF or a CR alone, RFC 4180 quoting with embedded commas, quotes and
 * newlines.
 * Records come out as UTF-8 fields with the line number where the record starts, so every error
 * can name file:line:column. Parsing is libcsv's; conversion is iconv's. Memory stays flat: the
 * file is read in blocks. */
#ifndef FW_CSV_H
#define FW_CSV_H

#include <stddef.h>

#include "audit/util.h"

enum fw_encoding { FW_ENC_AUTO, FW_ENC_UTF8, FW_ENC_GB18030 };

typedef struct fw_csv fw_csv;

typedef struct fw_csv_record {
    char **fields;   /* UTF-8, NUL-terminated; owned by the reader, valid until the next call */
    size_t *lens;
    int n;
    long line;       /* 1-based line where the record starts */
    const char *bad; /* non-NULL when the record's bytes were not valid in the file's encoding:
                        a message naming the column; the record should be rejected */
    int bad_col;     /* 1-based column of that problem, 0 if unknown */
} fw_csv_record;

/* Opens path. enc FW_ENC_AUTO: a UTF-8 BOM means UTF-8; else the lines of the first megabyte that
 * hold Chinese text are checked: when most are valid UTF-8 the file is UTF-8 (its other rows come
 * out with rec->bad, to be rejected), otherwise GB18030 (a superset of GBK). A BOM over text that
 * is mostly not UTF-8 is an error (FW_EDATA: the mark contradicts the encoding); a BOM is skipped
 * whatever the encoding. An empty file is an error. */
int fw_csv_open(const char *path, enum fw_encoding enc, fw_csv **out, fw_err *err);
/* The same over a memory buffer (for fuzzing and tests); data must outlive the reader. */
int fw_csv_open_mem(const void *data, size_t n, const char *name, enum fw_encoding enc, fw_csv **out,
                    fw_err *err);

/* Reads the next record. Returns 1 with rec filled, 0 at end of file, or an fw_exit code with err
 * set ("file:line: ...") on an unrecoverable error (unterminated quote at EOF, read error, a record
 * over 64 MB). That code is always FW_EDATA, never FW_EFAIL (= 1, which would read as a record);
 * later calls repeat the error. Lines holding only spaces/tabs are skipped. Unquoted fields lose surrounding
 * spaces/tabs (libcsv); quoted fields keep them. Invalid bytes (and NULs) come out as '?' with
 * rec->bad set, so the record can still be shown. Line numbers count line ends: LF, CRLF, or
 * a CR alone (old Mac files), inside quoted fields too. */
int fw_csv_next(fw_csv *c, fw_csv_record *rec, fw_err *err);

const char *fw_csv_encoding(const fw_csv *c);   /* "utf-8", "utf-8-bom" or "gb18030" */
long long fw_csv_bytes_done(const fw_csv *c);   /* for progress bars */
long long fw_csv_bytes_total(const fw_csv *c);
/* SHA-256 of every raw byte read so far (BOM included); once fw_csv_next has returned 0 it is the
 * whole file's hash, equal to `sha256sum FILE`. */
void fw_csv_sha256(fw_csv *c, char out[65]);
void fw_csv_close(fw_csv *c);

#endif
