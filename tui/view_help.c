/* view_help.c: the keys of the screen the user came from, and the global ones, generated from the
 * key table (keys.c), so the help can never disagree with the bindings. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/paths.h"
#include "tui/lines.h"

typedef struct help_view {
    char **lines;
    fw_lines nav;
    int height;
} help_view;

static void add(help_view *v, char *line)
{
    v->lines = fw_realloc(v->lines, (size_t)(v->nav.n + 1) * sizeof *v->lines);
    v->lines[v->nav.n++] = line;
}

/* Whether the space-separated list already holds name. */
static bool lists_key(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* One line per action: its keys, its config name and what it does. */
static void add_actions(help_view *v, int scope, bool global)
{
    int n;
    const fw_binding *b = fw_bindings(&n);
    for (int a = 1; a < ACT_COUNT_; a++) {
        char keys[96] = "";
        for (int i = 0; i < n; i++) {
            if (b[i].action != (enum fw_action)a || !(b[i].scope & scope) || ((b[i].scope == S_ALL) != global))
                continue;
            char name[16];
            fw_key_name(b[i].key, name);
            if (lists_key(keys, name)) /* Enter is '\n', '\r' and KEY_ENTER: show it once */
                continue;
            size_t len = strlen(keys);
            snprintf(keys + len, sizeof keys - len, "%s%s", len ? " " : "", name);
        }
        if (!keys[0])
            continue;
        int kw = fw_utf8_width(keys);
        add(v, fw_printf("  %s%*s %-13s %s", keys, kw < 16 ? 16 - kw : 0, "", fw_action_name(a),
                         _(fw_action_help(a))));
    }
}

/* A screen's name (the view's stable name, as `?` passes it) as its title reads. */
static const char *screen_title(const char *name)
{
    static const struct { const char *name, *title; } titles[] = {
        {"overview", N_("Overview")}, {"hits", N_("Hits")},   {"person", N_("Person")}, {"lookup", N_("Lookup")},
        {"rules", N_("Rules")},       {"import", N_("Import")}, {"cases", N_("Cases")}, {"case", N_("Case")},
        {"orders", N_("Verification orders")}, {"order", N_("One verification order")},
    };
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (strcmp(titles[i].name, name) == 0)
            return _(titles[i].title);
    return name;
}

static void *help_open(fw_tui *t, const char *arg)
{
    (void)t;
    help_view *v = fw_calloc(1, sizeof *v);
    int scope = S_HITS;
    const fw_view_ops *views[] = {&fw_view_overview, &fw_view_hits, &fw_view_person, &fw_view_lookup,
                                  &fw_view_rules, &fw_view_import, &fw_view_cases, &fw_view_case,
                                  &fw_view_whitelist, &fw_view_log, &fw_view_freq,
                                  &fw_view_orders, &fw_view_order};
    const char *title = arg;
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        if (arg && strcmp(views[i]->name, arg) == 0) {
            scope = views[i]->scope;
            title = views[i]->title ? NULL : arg;
        }
    add(v, fw_printf(_("Keys of this screen (%s)"), screen_title(title ? title : arg ? arg : "hits")));
    add_actions(v, scope, false);
    add(v, fw_strdup(""));
    add(v, fw_strdup(_("Keys everywhere")));
    add_actions(v, S_ALL, true);
    add(v, fw_strdup(""));
    add(v, fw_printf(_("Rebind keys in %s/config.ini, section [keys]: action = key (e.g. sort = o, page_down = "
                       "C-d). Names: the middle column above."),
                     fw_configdir()));
    add(v, fw_strdup(""));
    add(v, fw_strdup(_("Commands after ':' (Tab completes, Up/Down recalls earlier ones)")));
    char **commands;
    int ncommands = fw_tui_commands_help(&commands);
    for (int i = 0; i < ncommands; i++)
        add(v, commands[i]);
    free(commands);
    return v;
}

static void help_close(void *p)
{
    help_view *v = p;
    for (int i = 0; i < v->nav.n; i++)
        free(v->lines[i]);
    free(v->lines);
    free(v);
}

static void help_draw(fw_tui *t, void *p, WINDOW *w)
{
    help_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h;
    fw_lines_scroll(&v->nav, h);
    for (int i = 0; i < h && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const char *s = v->lines[k];
        wattrset(w, s[0] && s[0] != ' ' ? fw_tui_attr(t, C_HEADER) : A_NORMAL);
        if (k == v->nav.cursor)
            wattron(w, A_REVERSE);
        fw_tui_put_scrolled(w, i, 0, width + v->nav.hoff, s, false, v->nav.hoff);
        wattrset(w, A_NORMAL);
    }
}

static const char *line_text(int i, void *ctx)
{
    return ((help_view *)ctx)->lines[i];
}

static int help_key(fw_tui *t, void *p, enum fw_action a)
{
    help_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return true;
    if (a == ACT_HELP) {
        fw_tui_pop(t);
        return true;
    }
    if (a == ACT_SEARCH) {
        fw_tui_prompt(t, P_SEARCH, "/", v->nav.search);
        return true;
    }
    if (a == ACT_SEARCH_NEXT || a == ACT_SEARCH_PREV) {
        fw_lines_find(&v->nav, a == ACT_SEARCH_NEXT ? 1 : -1, false, line_text, v);
        return true;
    }
    if (a == ACT_SCROLL_LEFT || a == ACT_SCROLL_RIGHT)
        return fw_lines_hscroll(t, &v->nav, a, COLS, fw_lines_widest(&v->nav, line_text, v)) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    return false;
}

static bool help_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    return fw_lines_click(&((help_view *)p)->nav, y);
}

static void help_search(fw_tui *t, void *p, const char *text, bool final)
{
    help_view *v = p;
    (void)t;
    (void)final;
    if (text) {
        snprintf(v->nav.search, sizeof v->nav.search, "%s", text);
        fw_lines_find(&v->nav, 1, true, line_text, v);
    }
}

static void help_refresh(fw_tui *t, void *p)
{
    (void)t;
    (void)p;
}

static const char *help_title(void *p)
{
    (void)p;
    return _("Help");
}

const fw_view_ops fw_view_help = {
    .name = "help",
    .scope = S_HELP,
    .open = help_open,
    .draw = help_draw,
    .key = help_key,
    .reload = help_refresh,
    .close = help_close,
    .search = help_search,
    .title = help_title,
    .click = help_click,
};
