/* export_form.c: `x` on the hit list and on the person screen. Asks for the .xlsx path in the
 * prompt line (default ./fundwatch-leads-YYYYMMDD.xlsx, or the case number for a person), then
 * writes the workbook through export/export.h with the progress in the message line; Esc cancels
 * (the export leaves no partial file). The hit list's filter, search included, becomes the export's
 * filter member for member, so the workbook holds exactly the rows the list shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/i18n.h"
#include "export/export.h"
#include "tui/tui.h"

/* The form keeps its own copy of the list's filter: the list may change before the path is
 * answered. */
typedef struct export_form {
    bool is_case;
    long long case_id;
    fw_hit_filter hf;
} export_form;

static void form_free(void *p)
{
    export_form *f = p;
    fw_hit_filter_free(&f->hf);
    free(f);
}

/* Every step of the export goes to the shared progress bar; Esc cancels. */
static int on_progress(void *p, long long done, long long total)
{
    fw_progress *pr = p;
    char *text = fw_printf(_("Exporting: %lld of %lld leads…"), done, total);
    bool cancel = fw_progress_update(pr, done, total, text);
    free(text);
    return cancel;
}

static void path_answered(fw_tui *t, void *p, const char *text)
{
    export_form *f = p;
    if (!*text) {
        fw_tui_message(t, _("No file name: nothing exported."));
        form_free(f);
        return;
    }
    fw_progress pr;
    fw_progress_begin(&pr, t, NULL);
    fw_export_opts o = {.format = FW_EXPORT_AUTO, .mask_ids = t->mask_ids, .progress = on_progress,
                        .progress_ctx = &pr};
    fw_export_result res = {0};
    fw_err err = {0};
    int rc;
    fw_progress_update(&pr, 0, 0, _("Exporting…"));
    if (f->is_case) {
        char *ref = fw_printf("%lld", f->case_id);
        rc = fw_export_case(t->ws, ref, text, &o, &res, &err);
        free(ref);
    } else {
        rc = fw_export_list(t->ws, FW_LIST_LEADS, &f->hf, text, &o, &res, &err);
    }
    if (rc == FW_EINTR)
        fw_tui_message(t, _("Export cancelled: no file written."));
    else if (rc)
        fw_tui_error(t, "%s", err.msg);
    else
        fw_tui_message(t, _("Exported %lld leads to %s (%d sheets)."), res.rows, text, res.sheets);
    t->data_version = fw_ws_data_version(t->ws); /* the export's trail record is ours */
    form_free(f);
}

static void ask_path(fw_tui *t, export_form *f, const char *what)
{
    char day[16];
    time_t now = time(NULL);
    strftime(day, sizeof day, "%Y%m%d", localtime(&now));
    char *initial = fw_printf("./fundwatch-%s-%s.xlsx", what, day);
    fw_tui_ask(t, _("Export to (.xlsx): "), initial, path_answered, form_free, f);
    free(initial);
}

void fw_export_form_leads(fw_tui *t, const fw_hit_filter *hf)
{
    export_form *f = fw_calloc(1, sizeof *f);
    fw_hit_filter_copy(&f->hf, hf);
    ask_path(t, f, "leads");
}

void fw_export_form_case(fw_tui *t, long long case_id)
{
    export_form *f = fw_calloc(1, sizeof *f);
    fw_hit_filter_init(&f->hf);
    f->is_case = true;
    f->case_id = case_id;
    ask_path(t, f, "case");
}
