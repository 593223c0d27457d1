/* view_text.c: one line that does not fit its screen (a hit's detail, a case's programs), shown in
 * full and wrapped to the window, opened by Enter on it; q goes back. So nothing an inspector
 * needs to read is ever only a "…". */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/lines.h"

typedef struct text_view {
    char *text;
    char **lines;
    fw_lines nav;
    int wrapped_at; /* the width the lines were wrapped for */
    int height;
} text_view;

static void free_wrapped(text_view *v)
{
    for (int i = 0; i < v->nav.n; i++)
        free(v->lines[i]);
    free(v->lines);
    v->lines = NULL;
    v->nav.n = 0;
}

static void *text_open(fw_tui *t, const char *arg)
{
    (void)t;
    text_view *v = fw_calloc(1, sizeof *v);
    /* The lines of list screens are indented; the full text needs no indent. */
    while (arg && *arg == ' ')
        arg++;
    v->text = fw_strdup(arg ? arg : "");
    return v;
}

static void text_close(void *p)
{
    text_view *v = p;
    free_wrapped(v);
    free(v->text);
    free(v);
}

static void text_draw(fw_tui *t, void *p, WINDOW *w)
{
    (void)t;
    text_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    if (v->wrapped_at != width) { /* a resize wraps again */
        free_wrapped(v);
        v->nav.n = fw_text_wrap(v->text, width - 2, &v->lines);
        v->wrapped_at = width;
    }
    v->height = h;
    fw_lines_scroll(&v->nav, h);
    for (int i = 0; i < h && v->nav.top + i < v->nav.n; i++) {
        wattrset(w, v->nav.top + i == v->nav.cursor ? A_BOLD : A_NORMAL);
        fw_tui_put(w, i, 1, width - 2, v->lines[v->nav.top + i], false);
    }
    wattrset(w, A_NORMAL);
}

static const char *line_text(int i, void *ctx)
{
    return ((text_view *)ctx)->lines[i];
}

static int text_key(fw_tui *t, void *p, enum fw_action a)
{
    text_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return FW_KEY_REDRAW;
    if (a == ACT_SCROLL_LEFT || a == ACT_SCROLL_RIGHT) /* wrapped: nothing is beside the window */
        return FW_KEY_REDRAW;
    return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
}

static void text_search(fw_tui *t, void *p, const char *text, bool final)
{
    text_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void text_reload(fw_tui *t, void *p)
{
    (void)t;
    (void)p;
}

static void text_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    (void)p;
    snprintf(out, outsz, "%s", _("The whole line · q back"));
}

static const char *text_title(void *p)
{
    (void)p;
    return _("Full text");
}

const fw_view_ops fw_view_text = {
    .name = "text",
    .scope = S_HELP,
    .open = text_open,
    .draw = text_draw,
    .key = text_key,
    .reload = text_reload,
    .close = text_close,
    .search = text_search,
    .status = text_status,
    .title = text_title,
};
