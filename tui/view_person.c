/* view_person.c: everything known about one person, reached by Enter on a hit or a lookup result:
 * registry record, household, every payment (the ones a hit rests on highlighted), the evidence of
 * each registry (death record, official post and relation path, vehicle, company, shared account),
 * every hit on the person and household, and the case history. Enter on a line that names
 * another person (household member, cadre, co-owner of an account) opens that person. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/vocab.h"
#include "tui/lines.h"

enum line_kind { L_SECTION, L_HEADER, L_ROW, L_EMPTY };

typedef struct line {
    enum line_kind kind;
    enum fw_detail_section section;
    int row; /* index into person.rows, or -1 */
    char *text;   /* searchable text */
    bool changed; /* new since shown, read after another session's change: `*` until the cursor is on it */
} line;

typedef struct person_view {
    fw_person person;
    line *lines;
    fw_lines nav;
    int widths[FW_DS_COUNT_][12];
    int height;
    char title[128];
} person_view;

static void add_line(person_view *v, enum line_kind k, enum fw_detail_section s, int row, char *text)
{
    v->lines = fw_realloc(v->lines, (size_t)(v->nav.n + 1) * sizeof *v->lines);
    v->lines[v->nav.n++] = (line){k, s, row, text};
}


/* A cell as the screen shows it: column titles and the words of closed vocabularies translated
 * (an evidence row's source is a dataset name, 'relation' or 'account'; a hit row's severity; a
 * case row's action). buf holds a composed text. */
static const char *cell_text(const fw_detail_row *r, int c, char *buf, size_t n)
{
    const char *s = r->cells[c];
    if ((r->flags & FW_DR_HEADER) || (r->section == FW_DS_EVIDENCE && c == 0))
        return _(s);
    if (r->section == FW_DS_HITS && c == 2)
        return fw_label_show(fw_severities, s);
    if (r->section == FW_DS_CASE && c == 2) { /* a trail action, a note, or "CASE_NO status" */
        const char *space = strchr(s, ' ');
        if (!space)
            return fw_label_show(fw_trail_actions, s);
        snprintf(buf, n, "%.*s %s", (int)(space - s), s, fw_label_show(fw_case_statuses, space + 1));
        return buf;
    }
    return s;
}

static char *row_text(const fw_detail_row *r)
{
    fw_buf b = {0};
    char cb[128];
    fw_buf_puts(&b, "");
    for (int c = 0; c < r->ncells; c++)
        fw_buf_printf(&b, "%s%s", c ? " " : "", cell_text(r, c, cb, sizeof cb));
    return fw_buf_steal(&b);
}

/* Lays the person's rows out as lines and measures each section's column widths. */
static void build_lines(person_view *v)
{
    memset(v->widths, 0, sizeof v->widths);
    for (int s = 0; s < FW_DS_COUNT_; s++) {
        add_line(v, L_SECTION, (enum fw_detail_section)s, -1, fw_strdup(_(fw_detail_section_title(s))));
        int rows = 0;
        for (int i = 0; i < v->person.n; i++) {
            const fw_detail_row *r = &v->person.rows[i];
            if (r->section != (enum fw_detail_section)s)
                continue;
            for (int c = 0; c < r->ncells && c < 12; c++) {
                char cb[128];
                int w = fw_utf8_width(cell_text(r, c, cb, sizeof cb));
                if (w > v->widths[s][c])
                    v->widths[s][c] = w > 40 ? 40 : w;
            }
            if (r->flags & FW_DR_HEADER)
                add_line(v, L_HEADER, (enum fw_detail_section)s, i, row_text(r));
            else {
                add_line(v, L_ROW, (enum fw_detail_section)s, i, row_text(r));
                rows++;
            }
        }
        if (!rows)
            add_line(v, L_EMPTY, (enum fw_detail_section)s, -1, fw_strdup(_("(none)")));
    }
}

static void free_lines(person_view *v)
{
    for (int i = 0; i < v->nav.n; i++)
        free(v->lines[i].text);
    free(v->lines);
    v->lines = NULL;
    v->nav.n = 0;
}

static bool load(fw_tui *t, person_view *v, const char *id)
{
    fw_err err = {0};
    fw_person p;
    if (fw_person_load(t->ws, id, &p, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return false;
    }
    fw_person_free(&v->person);
    free_lines(v);
    v->person = p;
    build_lines(v);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
    return true;
}

static void *person_open(fw_tui *t, const char *arg)
{
    person_view *v = fw_calloc(1, sizeof *v);
    if (!arg || !load(t, v, arg)) {
        free(v);
        return NULL;
    }
    return v;
}

static void person_close(void *p)
{
    person_view *v = p;
    fw_person_free(&v->person);
    free_lines(v);
    free(v);
}

/* The cells of a row at their section's column widths, scrolled v->nav.hoff columns (h/l); the
 * last cell runs to the edge or to its end, whichever is further. */
static void draw_cells(fw_tui *t, person_view *v, WINDOW *w, int y, const line *l, int width)
{
    const fw_detail_row *r = &v->person.rows[l->row];
    int x = 2, hoff = v->nav.hoff;
    for (int c = 0; c < r->ncells && x < width + hoff; c++) {
        int cw = c < 12 ? v->widths[l->section][c] : 10;
        char cb[128], idb[32];
        const char *s = cell_text(r, c, cb, sizeof cb);
        if (c == r->ncells - 1) {
            int natural = fw_utf8_width(s);
            cw = width + hoff - x > natural ? width + hoff - x : natural;
        }
        if (l->kind == L_HEADER)
            ;
        else if (strlen(s) == 18 && r->link && strcmp(s, r->link) == 0)
            s = fw_tui_id(t, s, idb);
        else if (strlen(s) == 18 && strcmp(s, v->person.id_number) == 0)
            s = fw_tui_id(t, s, idb);
        fw_tui_put_scrolled(w, y, x, cw, s, false, hoff);
        x += cw + 2;
    }
}

/* How wide the widest row is, laid out as draw_cells does. */
static int content_width(const person_view *v)
{
    int widest = 0;
    for (int i = 0; i < v->nav.n; i++) {
        const line *l = &v->lines[i];
        if (l->kind != L_ROW && l->kind != L_HEADER)
            continue;
        const fw_detail_row *r = &v->person.rows[l->row];
        int x = 2;
        for (int c = 0; c < r->ncells; c++) {
            char cb[128];
            x += (c == r->ncells - 1 ? fw_utf8_width(cell_text(r, c, cb, sizeof cb))
                                     : c < 12 ? v->widths[l->section][c] : 10) + 2;
        }
        if (x > widest)
            widest = x;
    }
    return widest;
}

static void person_draw(fw_tui *t, void *p, WINDOW *w)
{
    person_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    char idb[32];
    char casebuf[48] = "";
    if (v->person.case_id)
        snprintf(casebuf, sizeof casebuf, "  %s #%lld", _("case"), v->person.case_id);
    char *head = fw_printf("%s  %s  %s %s%s", v->person.name, fw_tui_id(t, v->person.id_number, idb),
                           _("household"), v->person.household_id ? v->person.household_id : "-", casebuf);
    wattrset(w, A_BOLD);
    fw_tui_put(w, 0, 0, width, head, false);
    free(head);
    wattrset(w, A_NORMAL);
    v->height = h - 1;
    fw_lines_scroll(&v->nav, v->height);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int li = v->nav.top + i;
        const line *l = &v->lines[li];
        bool sel = li == v->nav.cursor;
        attr_t a = A_NORMAL;
        if (l->kind == L_SECTION)
            a = fw_tui_attr(t, C_HEADER) | A_UNDERLINE;
        else if (l->kind == L_HEADER)
            a = A_DIM;
        else if (l->kind == L_ROW && (v->person.rows[l->row].flags & FW_DR_IMPLICATED))
            a = fw_tui_attr(t, C_IMPLICATED);
        if (l->changed)
            a |= A_BOLD;
        if (sel)
            a |= A_REVERSE;
        wattrset(w, a);
        fw_tui_put(w, i + 1, 0, width, "", false);
        if (l->kind == L_SECTION || l->kind == L_EMPTY)
            fw_tui_put(w, i + 1, l->kind == L_EMPTY ? 2 : 0, width - 2, l->text, false);
        else {
            const fw_detail_row *r = &v->person.rows[l->row];
            mvwaddstr(w, i + 1, 0, l->changed ? "*" : (r->flags & FW_DR_IMPLICATED) ? "!" : (r->link ? "›" : " "));
            draw_cells(t, v, w, i + 1, l, width);
        }
        wattrset(w, A_NORMAL);
    }
}

static const char *line_text(int i, void *ctx)
{
    return ((person_view *)ctx)->lines[i].text;
}

/* Tab and Shift-Tab: the next (dir 1) or previous (-1) section. */
static void next_section(person_view *v, int dir)
{
    for (int k = 1; k <= v->nav.n; k++) {
        int i = ((v->nav.cursor + dir * k) % v->nav.n + v->nav.n) % v->nav.n;
        if (v->lines[i].kind == L_SECTION) {
            v->nav.cursor = i;
            v->nav.top = i;
            return;
        }
    }
}

static void follow(fw_tui *t, person_view *v)
{
    const line *l = &v->lines[v->nav.cursor];
    if (l->kind != L_ROW)
        return;
    const fw_detail_row *r = &v->person.rows[l->row];
    if (r->link && strcmp(r->link, v->person.id_number) != 0)
        fw_tui_push(t, &fw_view_person, r->link);
    else if (r->hit_id || fw_utf8_width(l->text) + 2 > getmaxx(t->body))
        /* Nothing to follow: the line in full, wrapped, when it does not fit (detail, programs). */
        fw_tui_push(t, &fw_view_text, l->text);
    else
        fw_tui_message(t, _("This line names no other person."));
}

static int person_key(fw_tui *t, void *p, enum fw_action a)
{
    person_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height)) {
        if (v->nav.cursor < v->nav.n)
            v->lines[v->nav.cursor].changed = false; /* seen: the mark goes */
        return true;
    }
    switch (a) {
    case ACT_TAB: next_section(v, 1); return FW_KEY_REDRAW;
    case ACT_TAB_PREV: next_section(v, -1); return FW_KEY_REDRAW;
    case ACT_SCROLL_LEFT: case ACT_SCROLL_RIGHT: return fw_lines_hscroll(t, &v->nav, a, COLS, content_width(v)) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    case ACT_ENTER: follow(t, v); return true;
    case ACT_CASE_STATUS: case ACT_CASE_NOTE: case ACT_CASE_ASSIGN:
        if (v->person.case_id > 0)
            fw_case_form_start(t, a, &v->person.case_id, 1);
        else
            fw_tui_error(t, _("This person has no case: cases come from hits when the rules run."));
        return true;
    case ACT_EXPORT:
        if (v->person.case_id > 0)
            fw_export_form_case(t, v->person.case_id);
        else
            fw_tui_error(t, _("This person has no case to export."));
        return true;
    case ACT_WL_ADD: {
        /* The rule of the hit under the cursor, when it is on one of this person's hits. */
        const line *l = &v->lines[v->nav.cursor];
        const fw_detail_row *r = l->kind == L_ROW ? &v->person.rows[l->row] : NULL;
        bool own_hit = r && r->section == FW_DS_HITS && r->ncells > 1 && r->link &&
                       strcmp(r->link, v->person.id_number) == 0;
        fw_whitelist_form_start(t, v->person.id_number, own_hit ? r->cells[1] : NULL);
        return true;
    }
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    default: return false;
    }
}

static void person_search(fw_tui *t, void *p, const char *text, bool final)
{
    person_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void person_refresh(fw_tui *t, void *p)
{
    person_view *v = p;
    char *id = fw_strdup(v->person.id_number);
    load(t, v, id);
    free(id);
}

static const line *line_with_text(const line *lines, int n, const char *text)
{
    for (int i = 0; i < n; i++)
        if (lines[i].kind == L_ROW && strcmp(lines[i].text, text) == 0)
            return &lines[i];
    return NULL;
}

static const char *lines_changed_text(int n)
{
    return ngettext("%d line changed by others", "%d lines changed by others", n);
}

/* Another session changed the workspace (the person's case moved on, a note, a hit refreshed): the
 * person is read again in place (the cursor stays on its line number) and each row that was not on
 * screen before, word for word, is marked until the cursor is on it: a case's new status, a new
 * history record, a hit's new state. Returns how many rows are new. */
static int person_others_changed(fw_tui *t, void *p, const long long *ids, int n, bool all)
{
    (void)ids, (void)n, (void)all; /* the rows are compared */
    person_view *v = p;
    line *was = v->lines;
    int was_n = v->nav.n;
    v->lines = NULL, v->nav.n = 0; /* kept in was to compare */
    char *id = fw_strdup(v->person.id_number);
    bool read = load(t, v, id);
    free(id);
    int changed = 0;
    for (int i = 0; read && i < v->nav.n; i++) {
        line *l = &v->lines[i];
        if (l->kind != L_ROW)
            continue;
        const line *before = line_with_text(was, was_n, l->text);
        l->changed = !before || before->changed;
        changed += !before;
    }
    if (!read) { /* the person as shown stays */
        free_lines(v);
        v->lines = was, v->nav.n = was_n;
        return 0;
    }
    for (int i = 0; i < was_n; i++)
        free(was[i].text);
    free(was);
    return changed;
}

static bool person_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    return fw_lines_click(&((person_view *)p)->nav, y - 1);
}

static void person_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    person_view *v = p;
    int pay = 0, implicated = 0, hits = 0;
    for (int i = 0; i < v->person.n; i++) {
        const fw_detail_row *r = &v->person.rows[i];
        if (r->flags & FW_DR_HEADER)
            continue;
        if (r->section == FW_DS_PAYMENTS) {
            pay++;
            implicated += (r->flags & FW_DR_IMPLICATED) != 0;
        }
        hits += r->section == FW_DS_HITS;
    }
    char money[32], stat[96] = "";
    fw_yuan(v->person.money.paid, money);
    if (v->person.money.other > 0) { /* not payment-based (village statistics): shown apart */
        char y[32];
        fw_yuan(v->person.money.other, y);
        snprintf(stat, sizeof stat, _(" · +¥%s not payment-based"), y);
    }
    snprintf(out, outsz,
             _("%d payments, %d implicated (!) · %d hits · ¥%s at issue%s · › opens a related person · Tab next section"),
             pay, implicated, hits, money, stat);
}

static const char *person_title(void *p)
{
    person_view *v = p;
    snprintf(v->title, sizeof v->title, "%s %s", _("Person"), v->person.name);
    return v->title;
}

const fw_view_ops fw_view_person = {
    .name = "person",
    .scope = S_PERSON,
    .open = person_open,
    .draw = person_draw,
    .key = person_key,
    .reload = person_refresh,
    .close = person_close,
    .search = person_search,
    .status = person_status,
    .title = person_title,
    .click = person_click,
    .others_changed = person_others_changed,
    .changed_text = lines_changed_text,
};
