/* csv.c: the CSV reader declared in csv.h.
 *
 * How it works. Raw bytes are read in blocks of BLOCK_SIZE and hashed as they arrive. Each block is
 * fed to libcsv in pieces that end at a CR or LF, so that (a) at most one record can complete per
 * piece, which lets a push parser serve a pull API without queueing, and (b) the line counter is
 * exact: a record that starts inside a piece starts on that piece's line, and newlines inside
 * quoted fields are counted like any other.
 *
 * libcsv parses the raw bytes, not converted text. That is safe for GB18030 too: its multi-byte
 * trail bytes are 0x30-0x39 and 0x40-0xFE, never a comma, quote, CR, LF, space or tab. Each field
 * is then converted (iconv) or validated (UTF-8) on its own, so a bad byte is reported with its
 * column and only that record is lost. Memory is bounded by the largest record, not the file. */
#include "audit/csv.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    BLOCK_SIZE = 1 << 20,      /* also the sample that AUTO inspects */
    RECORD_MAX = 64 << 20,     /* a record beyond this is not a ledger row: refuse, do not swap */
    PARSER_BLOCK = 64 << 10,   /* libcsv's first buffer growth step */
};

/* libcsv's parser states (libcsv.c keeps them private; stable since 1.0). */
enum { LIBCSV_ROW_NOT_BEGUN = 0, LIBCSV_FIELD_BEGUN = 2 };

struct fw_csv {
    char *name;                /* for messages: the path or the caller's name */
    FILE *f;                   /* NULL when reading memory */
    const unsigned char *mem;  /* the memory source, or NULL */
    size_t mem_len, mem_off;
    unsigned char *buffer;     /* the file's current block (BLOCK_SIZE), NULL for memory */
    const unsigned char *blk;  /* the current block, in buffer or in mem */
    size_t blen, bpos;
    int eof, finished;
    enum fw_encoding enc;      /* FW_ENC_UTF8 or FW_ENC_GB18030 once opened */
    const char *enc_name;
    iconv_t cd;                /* GB18030 -> UTF-8, or (iconv_t)-1 */
    struct csv_parser parser;
    struct sha256_ctx sha;
    long long done, total;
    long line;                 /* the line of the next byte given to the parser */
    int cr_pending;            /* the last piece ended in CR: a line end unless LF follows */
    int mixed;                 /* AUTO chose UTF-8 for a file with some rows that are not */
    fw_err failure;            /* an unrecoverable error, repeated by every later call */

    /* The record being assembled: raw field bytes back to back, each followed by a NUL. */
    fw_buf raw;
    size_t *offs, *raw_lens;
    int nfields, cap_fields;
    int cap_record; /* room in fields/lens */
    long rec_line;
    int rec_ready;

    /* The record handed out: converted text and the arrays fw_csv_record points into. */
    fw_buf text;
    char **fields;
    size_t *lens;
    char bad[200];
};

/* ---- UTF-8 ---------------------------------------------------------------------------------- */

/* How many bytes at the start of s are well-formed UTF-8. */
static size_t utf8_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0, k;
    while (i < n && (k = fw_utf8_char_len(s + i, n - i)) > 0)
        i += k;
    return i;
}

static int valid_utf8(const unsigned char *s, size_t n) { return utf8_prefix(s, n) == n; }

/* Is the sample valid UTF-8? A character cut off by the end of the sample does not count. */
static int sample_is_utf8(const unsigned char *s, size_t n)
{
    size_t i = utf8_prefix(s, n);
    return i == n || (n - i < 4 && s[i] >= 0xC2);
}

/* What utf8_scrub found; the reader reports the two differently. */
enum { SCRUB_INVALID = 1, SCRUB_NUL = 2 };

/* Replaces every byte that is not valid UTF-8, and every NUL, with '?'. Returns SCRUB_* bits. */
static int utf8_scrub(char *s, size_t n)
{
    int found = 0;
    size_t i = 0;
    while (i < n) {
        unsigned char b = (unsigned char)s[i];
        if (b - 1u < 0x7Fu) { /* plain ASCII, not NUL: most bytes of a ledger */
            i++;
            continue;
        }
        size_t k = b ? fw_utf8_char_len((unsigned char *)s + i, n - i) : 0;
        if (k == 0) {
            found |= s[i] ? SCRUB_INVALID : SCRUB_NUL;
            s[i] = '?';
            k = 1;
        }
        i += k;
    }
    return found;
}

/* ---- reading blocks ------------------------------------------------------------------------- */

/* Makes the next block current. Returns 0, or FW_EDATA on a read error (FW_EFAIL would read as
 * "a record" to fw_csv_next's callers). */
static int next_block(fw_csv *c, fw_err *err)
{
    c->bpos = 0;
    if (c->f) {
        c->blen = fread(c->buffer, 1, BLOCK_SIZE, c->f);
        if (c->blen < BLOCK_SIZE && ferror(c->f))
            return errno == EINTR /* Ctrl-C while a pipe or FIFO waits for data */
                       ? fw_fail(err, FW_EINTR, "%s:%ld: interrupted while waiting for data", c->name, c->line)
                       : fw_fail(err, FW_EDATA, "%s:%ld: read error: %s", c->name, c->line, strerror(errno));
        c->blk = c->buffer;
    } else {
        c->blen = c->mem_len - c->mem_off < BLOCK_SIZE ? c->mem_len - c->mem_off : BLOCK_SIZE;
        c->blk = c->mem + c->mem_off;
        c->mem_off += c->blen;
    }
    if (c->blen == 0)
        c->eof = 1;
    else
        sha256_update(&c->sha, c->blen, c->blk);
    return FW_OK;
}

/* ---- libcsv callbacks ----------------------------------------------------------------------- */

static void on_field(void *field, size_t len, void *data)
{
    fw_csv *c = data;
    if (c->nfields == c->cap_fields) {
        c->cap_fields = c->cap_fields ? c->cap_fields * 2 : 16;
        c->offs = fw_realloc(c->offs, (size_t)c->cap_fields * sizeof *c->offs);
        c->raw_lens = fw_realloc(c->raw_lens, (size_t)c->cap_fields * sizeof *c->raw_lens);
    }
    c->offs[c->nfields] = c->raw.len;
    c->raw_lens[c->nfields] = len;
    c->nfields++;
    fw_buf_reserve(&c->raw, len);
    if (len)
        memcpy(c->raw.data + c->raw.len, field, len);
    c->raw.len += len + 1; /* each field NUL-terminated in place */
    c->raw.data[c->raw.len - 1] = '\0';
}

static void on_record(int terminator, void *data)
{
    (void)terminator;
    ((fw_csv *)data)->rec_ready = 1;
}

/* ---- opening -------------------------------------------------------------------------------- */

/* How the lines of a sample read: those holding non-ASCII bytes that are valid UTF-8, and those
 * that are not. A line cut off by the end of the sample (when more follows) is not counted. */
typedef struct sample_lines {
    long utf8, other;
} sample_lines;

static sample_lines count_lines(const unsigned char *s, size_t n, int whole_file)
{
    sample_lines k = {0, 0};
    size_t start = 0;
    while (start < n) {
        size_t end = start;
        int high = 0;
        while (end < n && s[end] != '\n' && s[end] != '\r')
            high |= s[end++] & 0x80;
        if (end == n && !whole_file)
            break;
        if (high) {
            if (valid_utf8(s + start, end - start))
                k.utf8++;
            else
                k.other++;
        }
        start = end + 1;
    }
    return k;
}

/* AUTO: a BOM, or a sample whose lines are mostly UTF-8, means UTF-8; otherwise GB18030. A file
 * of UTF-8 with a few rows pasted from a GBK file stays UTF-8, so those rows are rejected with
 * their line and column instead of the whole file being read as GB18030 mojibake. A BOM over
 * text that is mostly not UTF-8 is a contradiction, reported rather than guessed at. */
static int choose_encoding(fw_csv *c, enum fw_encoding enc, fw_err *err)
{
    int bom = c->blen >= 3 && memcmp(c->blk, "\xEF\xBB\xBF", 3) == 0;
    size_t skip = bom ? 3 : 0;
    sample_lines k = count_lines(c->blk + skip, c->blen - skip, c->blen < BLOCK_SIZE);
    if (bom && enc == FW_ENC_AUTO && k.other > k.utf8)
        return fw_fail(err, FW_EDATA,
                       "%s: the file starts with a UTF-8 byte-order mark, but %ld of its first %ld lines with "
                       "Chinese text are not UTF-8 (they read as GBK/GB18030): the mark contradicts the encoding. "
                       "Save the file again as UTF-8, or import it with --encoding gb18030",
                       c->name, k.other, k.other + k.utf8);
    if (enc == FW_ENC_AUTO) {
        enc = bom || k.utf8 > k.other || (k.other == 0 && sample_is_utf8(c->blk, c->blen)) ? FW_ENC_UTF8
                                                                                          : FW_ENC_GB18030;
        c->mixed = enc == FW_ENC_UTF8 && k.other > 0;
    }
    c->enc = enc;
    /* The BOM is not text, whatever the encoding; it still counts in bytes and the hash. */
    c->bpos = skip;
    c->done = (long long)skip;
    c->enc_name = enc == FW_ENC_UTF8 ? (bom ? "utf-8-bom" : "utf-8") : "gb18030";
    return FW_OK;
}

/* Shared by both open functions once the source is set: reads the first block, detects. */
static int start_reading(fw_csv *c, enum fw_encoding enc, fw_err *err)
{
    sha256_init(&c->sha);
    c->line = 1;
    c->cd = (iconv_t)-1;
    csv_init(&c->parser, CSV_APPEND_NULL);
    csv_set_blk_size(&c->parser, PARSER_BLOCK);
    int rc = next_block(c, err);
    if (rc)
        return rc;
    if (c->eof)
        return fw_fail(err, FW_EDATA, "%s: file is empty; export the data again", c->name);
    if (choose_encoding(c, enc, err))
        return err->code;
    if (c->enc == FW_ENC_GB18030) {
        c->cd = iconv_open("UTF-8", "GB18030");
        if (c->cd == (iconv_t)-1)
            return fw_fail(err, FW_EFAIL, "%s: cannot convert from GB18030: %s (is glibc's gconv installed?)",
                           c->name, strerror(errno));
    }
    return FW_OK;
}

static fw_csv *new_reader(const char *name)
{
    fw_csv *c = fw_calloc(1, sizeof *c);
    c->name = fw_strdup(name);
    c->cd = (iconv_t)-1;
    return c;
}

int fw_csv_open(const char *path, enum fw_encoding enc, fw_csv **out, fw_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f && errno == EINTR) /* Ctrl-C while a FIFO waits for its writer */
        return fw_fail(err, FW_EINTR, "%s: interrupted while waiting to open it (a FIFO with no writer?)", path);
    if (!f)
        return fw_fail(err, FW_EFAIL, "%s: cannot open: %s; check the path", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fw_fail(err, FW_EFAIL, "%s: is a directory, not a CSV file", path);
    }
    fw_csv *c = new_reader(path);
    c->f = f;
    c->total = S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
    c->buffer = fw_malloc(BLOCK_SIZE);
    int rc = start_reading(c, enc, err);
    if (rc) {
        fw_csv_close(c);
        return rc;
    }
    *out = c;
    return FW_OK;
}

int fw_csv_open_mem(const void *data, size_t n, const char *name, enum fw_encoding enc, fw_csv **out,
                    fw_err *err)
{
    *out = NULL;
    fw_csv *c = new_reader(name ? name : "(memory)");
    c->mem = data ? data : (const unsigned char *)"";
    c->mem_len = data ? n : 0;
    c->total = (long long)c->mem_len;
    int rc = start_reading(c, enc, err);
    if (rc) {
        fw_csv_close(c);
        return rc;
    }
    *out = c;
    return FW_OK;
}

/* ---- handing out records -------------------------------------------------------------------- */

/* Appends the UTF-8 form of a GB18030 field to c->text, '?' for each byte that cannot be
 * converted. Returns 1 if any could not. */
static int gb18030_to_text(fw_csv *c, const char *in, size_t n)
{
    int bad = 0;
    char *src = (char *)in;
    size_t left = n;
    iconv(c->cd, NULL, NULL, NULL, NULL);
    while (left > 0) {
        /* Two bytes become at most three, four become four: 2n + 4 is always enough room. */
        fw_buf_reserve(&c->text, 2 * left + 4);
        char *dst = c->text.data + c->text.len;
        size_t room = c->text.cap - c->text.len - 1;
        size_t r = iconv(c->cd, &src, &left, &dst, &room);
        c->text.len = (size_t)(dst - c->text.data);
        if (r == (size_t)-1 && errno != E2BIG) { /* EILSEQ, or EINVAL for a cut-off character */
            bad = 1;
            c->text.data[c->text.len++] = '?';
            src++;
            left--;
            iconv(c->cd, NULL, NULL, NULL, NULL);
        }
    }
    fw_buf_reserve(&c->text, 1);
    c->text.data[c->text.len] = '\0';
    return bad;
}

static void mark_bad(fw_csv *c, fw_csv_record *rec, int col, int found)
{
    if (rec->bad)
        return;
    const char *what = !(found & SCRUB_INVALID)
                           ? "contains a NUL byte (is this a text CSV file? export it again as CSV)"
                       : c->enc == FW_ENC_UTF8 && c->mixed
                           ? "bytes not valid UTF-8, while most rows of the file are UTF-8 (a row pasted from "
                             "a GBK file?); correct this row and import it again"
                       : c->enc == FW_ENC_UTF8
                           ? "bytes not valid UTF-8 (is the file GBK? use --encoding gb18030)"
                           : "bytes not valid GB18030 (is the file UTF-8? use --encoding utf-8)";
    snprintf(c->bad, sizeof c->bad, "column %d: %s", col, what);
    rec->bad = c->bad;
    rec->bad_col = col;
}

static void fill_record(fw_csv *c, fw_csv_record *rec)
{
    int n = c->nfields;
    if (n > c->cap_record || !c->fields) { /* grown, never shrunk: this runs once per line */
        c->cap_record = n > 0 ? n : 1;
        c->fields = fw_realloc(c->fields, (size_t)c->cap_record * sizeof *c->fields);
        c->lens = fw_realloc(c->lens, (size_t)c->cap_record * sizeof *c->lens);
    }
    rec->n = n;
    rec->line = c->rec_line;
    rec->bad = NULL;
    rec->bad_col = 0;
    fw_buf_reset(&c->text);
    for (int i = 0; i < n; i++) {
        char *raw = c->raw.data + c->offs[i];
        size_t len = c->raw_lens[i];
        int found;
        if (c->enc == FW_ENC_GB18030) {
            size_t at = c->text.len;
            found = gb18030_to_text(c, raw, len) ? SCRUB_INVALID : 0;
            c->offs[i] = at; /* from here on offs index text, not raw */
            c->lens[i] = c->text.len - at;
            /* A NUL inside a field would cut it short for every caller that uses strlen. */
            found |= utf8_scrub(c->text.data + at, c->lens[i]);
            fw_buf_putc(&c->text, '\0');
        } else {
            found = utf8_scrub(raw, len);
            c->lens[i] = len;
        }
        if (found)
            mark_bad(c, rec, i + 1, found);
    }
    const char *base = c->enc == FW_ENC_GB18030 ? c->text.data : c->raw.data;
    for (int i = 0; i < n; i++)
        c->fields[i] = (char *)base + c->offs[i];
    rec->fields = c->fields;
    rec->lens = c->lens;
}

static void start_record(fw_csv *c)
{
    c->rec_ready = 0;
    c->nfields = 0;
    fw_buf_reset(&c->raw);
}

/* Feeds the parser up to and including the next CR or LF of the current block. */
static void feed_piece(fw_csv *c)
{
    const unsigned char *p = c->blk + c->bpos, *end = c->blk + c->blen;
    /* A CR ends a line unless an LF follows (CRLF counts once, at its LF): old Mac files end
     * their lines with CR alone. The next byte may only be known in the next block. */
    if (c->cr_pending) {
        c->cr_pending = 0;
        if (*p != '\n')
            c->line++;
    }
    /* memchr scans a word at a time; the ledger's lines end in \n, a \r (if any) just before it. */
    const unsigned char *q = memchr(p, '\n', (size_t)(end - p));
    if (!q)
        q = end;
    const unsigned char *cr = memchr(p, '\r', (size_t)(q - p));
    if (cr)
        q = cr;
    size_t len = (size_t)(q - p) + (q < end);
    int was_between = c->parser.pstate == LIBCSV_ROW_NOT_BEGUN;
    /* Grow libcsv's field buffer geometrically: its fixed step would make a 10 MB field quadratic. */
    if (c->parser.entry_size > PARSER_BLOCK)
        csv_set_blk_size(&c->parser, c->parser.entry_size);
    size_t used = csv_parse(&c->parser, p, len, on_field, on_record, c);
    if (was_between && (c->rec_ready || c->parser.pstate != LIBCSV_ROW_NOT_BEGUN))
        c->rec_line = c->line;
    c->bpos += used;
    c->done += (long long)used;
    if (used > 0 && p[used - 1] == '\n')
        c->line++;
    else if (used > 0 && p[used - 1] == '\r')
        c->cr_pending = 1;
}

/* Reads on until a record is complete, the file ends (0) or an unrecoverable error (its code). */
static int read_record(fw_csv *c, fw_csv_record *rec, fw_err *err)
{
    while (!c->finished) {
        if (c->bpos < c->blen) {
            feed_piece(c);
            if (csv_error(&c->parser) != CSV_SUCCESS)
                return fw_fail(err, FW_EDATA, "%s:%ld: %s", c->name, c->rec_line,
                               csv_strerror(csv_error(&c->parser)));
            if (c->raw.len + c->parser.entry_pos > RECORD_MAX)
                return fw_fail(err, FW_EDATA,
                               "%s:%ld: the record starting here is larger than %d MB; is this really "
                               "a CSV export? check the quotes",
                               c->name, c->rec_line, RECORD_MAX >> 20);
        } else if (!c->eof) {
            int rc = next_block(c, err);
            if (rc)
                return rc;
        } else {
            if (c->parser.pstate == LIBCSV_FIELD_BEGUN && c->parser.quoted)
                return fw_fail(err, FW_EDATA,
                               "%s:%ld: a quoted field in the record starting on this line is never "
                               "closed (unterminated quote at end of file); check the quotes",
                               c->name, c->rec_line);
            csv_fini(&c->parser, on_field, on_record, c);
            c->finished = 1;
        }
        if (c->rec_ready) {
            fill_record(c, rec);
            return 1;
        }
    }
    return 0;
}

int fw_csv_next(fw_csv *c, fw_csv_record *rec, fw_err *err)
{
    memset(rec, 0, sizeof *rec);
    if (c->failure.code != FW_OK)
        return fw_fail(err, c->failure.code, "%s", c->failure.msg);
    start_record(c);
    int rc = read_record(c, rec, &c->failure);
    if (rc != 0 && rc != 1) /* an fw_exit code, never FW_EFAIL (see csv.h) */
        return fw_fail(err, rc, "%s", c->failure.msg);
    fw_err_clear(&c->failure);
    return rc;
}

/* ---- the rest ------------------------------------------------------------------------------- */

const char *fw_csv_encoding(const fw_csv *c) { return c->enc_name; }
long long fw_csv_bytes_done(const fw_csv *c) { return c->done; }
long long fw_csv_bytes_total(const fw_csv *c) { return c->total; }

void fw_csv_sha256(fw_csv *c, char out[65])
{
    /* sha256_digest resets the context, so digest a copy: reading may go on afterwards. */
    struct sha256_ctx copy = c->sha;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&copy, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void fw_csv_close(fw_csv *c)
{
    if (!c)
        return;
    if (c->f)
        fclose(c->f);
    if (c->cd != (iconv_t)-1)
        iconv_close(c->cd);
    csv_free(&c->parser);
    fw_buf_free(&c->raw);
    fw_buf_free(&c->text);
    free(c->offs);
    free(c->raw_lens);
    free(c->fields);
    free(c->lens);
    free(c->buffer);
    free(c->name);
    free(c);
}
