/* csvout.c: lists as CSV (see csvout.h). */
#include "export/csvout.h"
#include "audit/i18n.h"

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

/* One cell as text, presented by its kind. */
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
    case FW_XK_ID:
        if (mask_ids) {
            char masked[64];
            fw_export_mask_id(fw_xq_text(q, i), masked, sizeof masked);
            fw_csv_field(out, masked);
            return;
        }
        break;
    default:
        break;
    }
    fw_csv_field(out, fw_xq_text(q, i));
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
        fw_csv_field(out, fw_xq_col(q, i)->label);
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
                return fw_fail(err, FW_EFAIL, _("writing the CSV failed: %s"), strerror(errno));
            if (o->progress && o->progress(o->progress_ctx, *rows, total))
                return fw_fail(err, FW_EINTR, _("export cancelled; no file was written"));
        }
    }
    if (step < 0)
        return err->code;
    if (o->progress && o->progress(o->progress_ctx, *rows, total))
        return fw_fail(err, FW_EINTR, _("export cancelled; no file was written"));
    if (ferror(out))
        return fw_fail(err, FW_EFAIL, _("writing the CSV failed: %s"), strerror(errno));
    return FW_OK;
}
