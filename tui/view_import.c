/* view_import.c: the import screen. Until the importer's API (branch `importer`) is merged it
 * shows what is loaded (the dataset figures of the overview) and how to import from the command
 * line; the file browser, header mapping preview and stepped import attach here. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/lines.h"

typedef struct import_view {
    fw_overview ov;
    fw_lines nav;
    int height;
} import_view;

static void load(fw_tui *t, import_view *v)
{
    fw_overview_free(&v->ov);
    fw_err err = {0};
    if (fw_overview_load(t->ws, 1, &v->ov, &err))
        fw_tui_error(t, "%s", err.msg);
    v->nav.n = 0;
    for (int i = 0; i < v->ov.n; i++)
        v->nav.n += strcmp(v->ov.rows[i].section, "dataset") == 0;
}

static void *import_open(fw_tui *t, const char *arg)
{
    (void)arg;
    import_view *v = fw_calloc(1, sizeof *v);
    load(t, v);
    return v;
}

static void import_close(void *p)
{
    import_view *v = p;
    fw_overview_free(&v->ov);
    free(v);
}

static void import_draw(fw_tui *t, void *p, WINDOW *w)
{
    import_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 4;
    fw_lines_scroll(&v->nav, v->height);
    fw_tui_put(w, 0, 0, width, _("Import from the command line: fundwatch import DATASET FILE.csv "
                                 "(see fundwatch import --help)."), false);
    fw_tui_put(w, 1, 0, width, _("The file browser and header preview arrive with the importer module."), false);
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 3, 0, 16, _("Dataset"), false);
    fw_tui_put(w, 3, 16, 10, _("Rows"), true);
    fw_tui_put(w, 3, 28, 10, _("Rejected"), true);
    fw_tui_put(w, 3, 40, width - 40, _("Dates"), false);
    wattrset(w, A_NORMAL);
    int k = 0, y = 4;
    for (int i = 0; i < v->ov.n && y < h; i++) {
        const fw_ov_row *r = &v->ov.rows[i];
        if (strcmp(r->section, "dataset") != 0)
            continue;
        if (k++ < v->nav.top)
            continue;
        char rows[24], rej[24], dates[64];
        snprintf(rows, sizeof rows, "%lld", r->count);
        snprintf(rej, sizeof rej, "%lld", r->rejected > 0 ? r->rejected : 0);
        snprintf(dates, sizeof dates, "%s … %s", r->first ? r->first : "", r->last ? r->last : "");
        wattrset(w, k - 1 == v->nav.cursor ? A_REVERSE : (r->count ? A_NORMAL : A_DIM));
        fw_tui_put(w, y, 0, 16, _(r->item), false);
        fw_tui_put(w, y, 16, 10, rows, true);
        fw_tui_put(w, y, 26, 2, "", false);
        fw_tui_put(w, y, 28, 10, rej, true);
        fw_tui_put(w, y, 38, 2, "", false);
        fw_tui_put(w, y, 40, width - 40, r->first || r->last ? dates : "", false);
        wattrset(w, A_NORMAL);
        y++;
    }
}

static bool import_key(fw_tui *t, void *p, enum fw_action a)
{
    import_view *v = p;
    (void)t;
    return fw_lines_move(&v->nav, a, v->height);
}

static void import_refresh(fw_tui *t, void *p)
{
    load(t, p);
}

static const char *import_title(void *p)
{
    (void)p;
    return _("Import");
}

const fw_view_ops fw_view_import = {
    .name = "import",
    .scope = S_IMPORT,
    .open = import_open,
    .draw = import_draw,
    .key = import_key,
    .reload = import_refresh,
    .close = import_close,
    .title = import_title,
};
