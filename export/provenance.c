/* provenance.c: the trail anchor in exports and read back from them (see provenance.h). */
#include "export/provenance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/trail.h"
#include "export/xlsxpair.h"

/* Anything bigger is not a register or an e-mail someone pasted an anchor into. */
enum { MAX_TEXT_BYTES = 16 << 20 };

char *fw_provenance_path(const char *csv_path)
{
    return fw_printf("%s%s", csv_path, FW_PROVENANCE_SUFFIX);
}

/* One member of the companion's object, one per line for people who open it. */
static void member(fw_buf *b, const char *key)
{
    fw_buf_puts(b, b->len > 2 ? ",\n  " : "  ");
    fw_json_string(b, key);
    fw_buf_puts(b, ": ");
}

static void member_str(fw_buf *b, const char *key, const char *value)
{
    member(b, key);
    if (value)
        fw_json_string(b, value);
    else
        fw_buf_puts(b, "null");
}

static void member_int(fw_buf *b, const char *key, long long value)
{
    member(b, key);
    fw_buf_printf(b, "%lld", value);
}

int fw_provenance_write(fw_ws *ws, const fw_provenance *p, const char *path, fw_err *err)
{
    fw_anchor a;
    if (fw_anchor_take(ws, &a, err))
        return err->code;
    char line[FW_ANCHOR_LINE_MAX];
    fw_anchor_format(&a, line);
    fw_buf b = {0};
    fw_buf_puts(&b, "{\n");
    member_str(&b, "file", p->file);
    member_str(&b, "sha256", p->sha256);
    member_str(&b, "list", p->list);
    member_int(&b, "rows", p->rows);
    member_str(&b, "filter", p->filter);
    member_str(&b, "exported_by", fw_user());
    member_str(&b, "exported_at", a.at);
    member_str(&b, "tool", "fundwatch " FW_VERSION);
    member_str(&b, "workspace", p->workspace);
    member_str(&b, "workspace_id", a.workspace[0] ? a.workspace : NULL);
    member_str(&b, "classification", p->classification);
    member_int(&b, "trail_seq", a.seq);
    member_str(&b, "trail_sha256", a.hash);
    member_str(&b, "trail_anchor", line);
    fw_buf_puts(&b, "\n}\n");
    FILE *f = fopen(path, "wb");
    int rc = FW_OK;
    if (!f)
        rc = fw_fail(err, FW_EFAIL, _("cannot write %s: %s"), path, strerror(errno));
    else if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = fw_fail(err, FW_EFAIL, _("writing %s failed: %s (disk full?)"), path, strerror(errno));
    if (f && fclose(f) != 0 && rc == FW_OK)
        rc = fw_fail(err, FW_EFAIL, _("writing %s failed: %s (disk full?)"), path, strerror(errno));
    fw_buf_free(&b);
    return rc;
}

/* --- reading anchors back ------------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The whole of a (small) text file; *len gets its size. */
static int read_text(const char *path, char **text, size_t *len, fw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fw_fail(err, FW_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
    fw_buf b = {0};
    char chunk[65536];
    size_t n;
    int rc = FW_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > MAX_TEXT_BYTES) {
            rc = fw_fail(err, FW_EDATA, _("%s is larger than %d MiB: not a file holding anchor lines"), path,
                         MAX_TEXT_BYTES >> 20);
            break;
        }
        fw_buf_add(&b, chunk, n);
    }
    if (rc == FW_OK && ferror(f))
        rc = fw_fail(err, FW_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
    fclose(f);
    *len = b.len;
    *text = fw_buf_steal(&b);
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

/* Puts "prefix: " before err's message (copied first: a message formatted into itself is lost). */
static int prefixed(fw_err *err, const char *prefix)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return fw_fail(err, err->code, "%s: %s", prefix, why);
}

static int one_anchor(fw_anchor **out, int *n, const fw_anchor *a)
{
    *out = fw_malloc(sizeof **out);
    **out = *a;
    *n = 1;
    return FW_OK;
}

static int from_workbook(const char *path, fw_anchor **out, int *n, fw_err *err)
{
    char *line;
    if (fw_xlsx_read_pair(path, FW_PROVENANCE_SHEET, FW_PROVENANCE_ANCHOR_LABEL, &line, err))
        return err->code;
    fw_anchor a;
    int rc = fw_anchor_parse(line, &a, err);
    free(line);
    if (rc) {
        char *where = fw_printf(_("%s: sheet %s, row %s"), path, FW_PROVENANCE_SHEET, FW_PROVENANCE_ANCHOR_LABEL);
        prefixed(err, where);
        free(where);
        return rc;
    }
    return one_anchor(out, n, &a);
}

static int from_companion(fw_ws *ws, const char *path, fw_anchor **out, int *n, fw_err *err)
{
    char *text;
    size_t len;
    if (read_text(path, &text, &len, err))
        return err->code;
    fw_anchor a;
    int rc = fw_anchor_from_json(ws, text, &a, err);
    free(text);
    if (rc)
        return prefixed(err, path);
    return one_anchor(out, n, &a);
}

static int from_text(const char *path, fw_anchor **out, int *n, fw_err *err)
{
    char *text;
    size_t len;
    if (read_text(path, &text, &len, err))
        return err->code;
    int rc = fw_anchor_parse_all(text, len, out, n, err);
    free(text);
    if (rc)
        return prefixed(err, path);
    return FW_OK;
}

int fw_provenance_read_anchors(fw_ws *ws, const char *what, fw_anchor **out, int *n, fw_err *err)
{
    *out = NULL;
    *n = 0;
    struct stat st;
    if (stat(what, &st) == 0 && S_ISREG(st.st_mode)) {
        if (ends_with(what, ".xlsx"))
            return from_workbook(what, out, n, err);
        if (ends_with(what, ".csv")) {
            char *companion = fw_provenance_path(what);
            int rc = stat(companion, &st) == 0
                         ? from_companion(ws, companion, out, n, err)
                         : fw_fail(err, FW_EDATA,
                                   _("%s has no provenance file %s beside it: a CSV export carries its anchor "
                                     "there (keep the two together)"),
                                   what, companion);
            free(companion);
            return rc;
        }
        if (ends_with(what, ".json"))
            return from_companion(ws, what, out, n, err);
        return from_text(what, out, n, err);
    }
    if (strstr(what, FW_ANCHOR_MARK))
        return fw_anchor_parse_all(what, strlen(what), out, n, err);
    return fw_fail(err, FW_EUSAGE,
                   _("%s is neither a file nor an anchor line (\"%s ws=… seq=… sha256=…\", as `fundwatch log "
                     "anchor` prints it)"),
                   what, FW_ANCHOR_MARK);
}
