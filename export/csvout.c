/* csvout.c: lists as CSV (see csvout.h). */
#include "export/csvout.h"

#include <errno.h>
#include <string.h>

void fw_csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static const char *digits(const char *s)
{
    const char *p = s;
    while (*p >= '0' && *p <= '9')
        p++;
    return p > s ? p : NULL;
}

/* Only plain decimals (-12.50, 3, 1.5e-7): strtod would also take "-inf" and "-0x1p3", which a
 * spreadsheet would read as formulas. */
int fw_csv_is_number(const char *s)
{
    if (*s == '-')
        s++;
    if (!(s = digits(s)))
        return 0;
    if (*s == '.' && !(s = digits(s + 1)))
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(s = digits(s)))
            return 0;
    }
    return *s == '\0';
}

int fw_csv_is_formula(const char *s)
{
    return *s && strchr("=+-@\t\r", *s) != NULL;
}

void fw_csv_text(FILE *out, const char *s)
{
    if (!fw_csv_is_formula(s)) {
        fw_csv_field(out, s);
        return;
    }
    /* OWASP: a single quote makes the spreadsheet read the cell as text, and the quotes around the
     * whole cell keep a separator inside it from starting a new cell. */
    fputs("\"'", out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* One cell as text, presented by its kind: money and counts as numbers, everything else as text
 * that a spreadsheet will not run. */
static void cell(FILE *out, fw_xquery *q, int i, int mask_ids)
{
    if (fw_xq_is_null(q, i))
        return;
    switch (fw_xq_col(q, i)->kind) {
    case FW_XK_MONEY: {
        long long v = fw_xq_int(q, i);
        unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        fprintf(out, "%s%llu.%02llu", v < 0 ? "-" : "", a / 100, a % 100);
        return;
    }
    case FW_XK_INT:
    case FW_XK_REAL: {
        /* A number stays a number (-3 is not a formula); text in a number column is still text. */
        const char *t = fw_xq_text(q, i);
        if (fw_csv_is_number(t)) {
            fputs(t, out);
            return;
        }
        break;
    }
    case FW_XK_ID:
        if (mask_ids) {
            char masked[64];
            fw_export_mask_id(fw_xq_text(q, i), masked, sizeof masked);
            fw_csv_text(out, masked);
            return;
        }
        break;
    default:
        break;
    }
    fw_csv_text(out, fw_xq_text(q, i));
}

int fw_csv_write(FILE *out, fw_xquery *q, const fw_export_opts *o, long long total,
                 long long *rows, fw_err *err)
{
    int n = fw_xq_ncols(q);
    *rows = 0;
    fputs("\xEF\xBB\xBF", out);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        fw_csv_text(out, fw_xq_col(q, i)->label);
    }
    fputs("\r\n", out);
    int step;
    while ((step = fw_xq_step(q, err)) == 1) {
        for (int i = 0; i < n; i++) {
            if (i)
                fputc(',', out);
            cell(out, q, i, o->mask_ids);
        }
        fputs("\r\n", out);
        ++*rows;
        if (*rows % FW_EXPORT_PROGRESS_EVERY == 0) {
            if (ferror(out))
                return fw_fail(err, FW_EFAIL, "writing the CSV failed: %s", strerror(errno));
            if (o->progress && o->progress(o->progress_ctx, *rows, total))
                return fw_fail(err, FW_EINTR, "export cancelled; no file was written");
        }
    }
    if (step < 0)
        return err->code;
    if (o->progress && o->progress(o->progress_ctx, *rows, total))
        return fw_fail(err, FW_EINTR, "export cancelled; no file was written");
    if (ferror(out))
        return fw_fail(err, FW_EFAIL, "writing the CSV failed: %s", strerror(errno));
    return FW_OK;
}
