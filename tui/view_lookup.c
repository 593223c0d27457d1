/* view_lookup.c: lookup by ID number (or its first digits) or name (or its first characters): one
 * line per person with every dataset that mentions them, what they were paid and their hits.
 * Enter opens the person. `/` asks again. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/lines.h"

typedef struct lookup_view {
    char query[128];
    fw_lookup_row *rows;
    fw_lines nav;
    int height;
    char title[160];
} lookup_view;

static void run_lookup(fw_tui *t, lookup_view *v, const char *q)
{
    fw_lookup_free(v->rows, v->nav.n);
    v->rows = NULL;
    v->nav = (fw_lines){0};
    snprintf(v->query, sizeof v->query, "%s", q);
    fw_err err = {0};
    if (fw_lookup(t->ws, q, 500, &v->rows, &v->nav.n, &err))
        fw_tui_error(t, "%s", err.msg);
    else if (v->nav.n == 0)
        fw_tui_message(t, _("Nobody in any dataset matches '%s'."), q);
}

static void *lookup_open(fw_tui *t, const char *arg)
{
    lookup_view *v = fw_calloc(1, sizeof *v);
    if (arg && *arg)
        run_lookup(t, v, arg);
    else
        fw_tui_prompt(t, P_SEARCH, _("Look up ID number or name: "), "");
    return v;
}

static void lookup_close(void *p)
{
    lookup_view *v = p;
    fw_lookup_free(v->rows, v->nav.n);
    free(v);
}


/* "persons, payments ×12" with each dataset named as the interface names it (caller frees). */
static char *sources_text(const char *sources)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    const char *p = sources ? sources : "";
    while (*p) {
        size_t item = strcspn(p, ","), word = strcspn(p, " ,");
        char *name = fw_strndup(p, word);
        fw_buf_printf(&b, "%s%.*s", _(name), (int)(item - word), p + word);
        free(name);
        p += item;
        if (*p == ',') {
            fw_buf_puts(&b, fw_i18n_chinese() ? "，" : ", ");
            p++;
            while (*p == ' ')
                p++;
        }
    }
    return fw_buf_steal(&b);
}

static void lookup_draw(fw_tui *t, void *p, WINDOW *w)
{
    lookup_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 1;
    fw_lines_scroll(&v->nav, v->height);
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, 13, _("Name"), false);
    fw_tui_put(w, 0, 14, 18, _("ID number"), false);
    fw_tui_put(w, 0, 33, 5, _("Hits"), true);
    fw_tui_put(w, 0, 39, 14, _("Paid"), true);
    fw_tui_put(w, 0, 54, width - 54, _("Datasets"), false);
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const fw_lookup_row *r = &v->rows[k];
        char idb[32], hits[16], paid[32];
        snprintf(hits, sizeof hits, "%lld", r->hits);
        fw_yuan(r->paid, paid);
        wattrset(w, k == v->nav.cursor ? A_REVERSE : (r->hits ? fw_tui_attr(t, C_HIGH) : A_NORMAL));
        fw_tui_put(w, i + 1, 0, 14, r->name, false);
        fw_tui_put(w, i + 1, 14, 19, fw_tui_id(t, r->id_number, idb), false);
        fw_tui_put(w, i + 1, 33, 5, hits, true);
        fw_tui_put(w, i + 1, 38, 15, paid, true);
        fw_tui_put(w, i + 1, 53, 1, " ", false);
        char *sources = sources_text(r->sources);
        fw_tui_put(w, i + 1, 54, width - 54, sources, false);
        free(sources);
        wattrset(w, A_NORMAL);
    }
}

static int lookup_key(fw_tui *t, void *p, enum fw_action a)
{
    lookup_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return true;
    switch (a) {
    case ACT_ENTER:
        if (v->nav.n)
            fw_tui_push(t, &fw_view_person, v->rows[v->nav.cursor].id_number);
        return true;
    case ACT_SEARCH: fw_tui_prompt(t, P_SEARCH, _("Look up ID number or name: "), v->query); return true;
    default: return false;
    }
}

static void lookup_search(fw_tui *t, void *p, const char *text, bool final)
{
    /* A lookup reads every dataset, so it runs on Enter, not on each keystroke. */
    if (final && text && *text)
        run_lookup(t, p, text);
}

static void lookup_refresh(fw_tui *t, void *p)
{
    lookup_view *v = p;
    char q[128];
    snprintf(q, sizeof q, "%s", v->query);
    if (*q)
        run_lookup(t, v, q);
}

static bool lookup_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    return fw_lines_click(&((lookup_view *)p)->nav, y - 1);
}

static void lookup_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    lookup_view *v = p;
    snprintf(out, outsz, _("%d people match '%s' · Enter opens · / new lookup"), v->nav.n, v->query);
}

static const char *lookup_title(void *p)
{
    lookup_view *v = p;
    snprintf(v->title, sizeof v->title, "%s %s", _("Lookup"), v->query);
    return v->title;
}

const fw_view_ops fw_view_lookup = {
    .name = "lookup",
    .scope = S_LOOKUP,
    .open = lookup_open,
    .draw = lookup_draw,
    .key = lookup_key,
    .reload = lookup_refresh,
    .close = lookup_close,
    .search = lookup_search,
    .status = lookup_status,
    .title = lookup_title,
    .click = lookup_click,
};
