/* view_cases.c: the Cases screen and the screen of one case. The list has tabs (Tab cycles): my
 * queue (assignee = the user), overdue, by status and by assignee (v cycles the status or the
 * assignee), and a systemic tab counting confirmed cases by township, village, program and rule
 * (举一反三). Enter opens a case: its fields, its hits (Enter opens the person), notes and the
 * full history from the audit trail, one line per change in words (audit/history.h). The case form keys
 * (c status, a assign, o note) work on both screens. Data comes from audit/cases.h only. */
#include <stdlib.h>
#include <string.h>

#include "audit/cases.h"
#include "audit/history.h"
#include "audit/i18n.h"
#include "tui/lines.h"

/* The list is held in memory: a workspace has thousands of cases, not millions of hits. Beyond
 * this the status line says how many are not shown. */
enum { MAX_LISTED = 20000 };

enum cases_tab { TAB_MINE, TAB_OVERDUE, TAB_STATUS, TAB_ASSIGNEE, TAB_SYSTEMIC, TAB_COUNT_ };

static const char *const tab_titles[TAB_COUNT_] = {
    N_("My queue"), N_("Overdue"), N_("By status"), N_("By assignee"), N_("Systemic"),
};

typedef struct case_row {
    long long id, amount, hits, version;
    bool overdue;
    bool changed;        /* changed by another session since shown: `*` until the cursor is on it */
    char *case_no, *status, *name, *place, *assignee, *due;
} case_row;

typedef struct cases_view {
    enum cases_tab tab;
    int status_index;    /* into fw_case_statuses, for TAB_STATUS */
    char **assignees;    /* for TAB_ASSIGNEE */
    int nassignees, assignee_index;
    case_row *rows;      /* the list tabs */
    char **text;         /* systemic tab: one string a line; also the search text of list rows */
    bool *heading;       /* systemic tab: section lines */
    long long count, total, other; /* total, other: fen (audit/money.h) */
    fw_lines nav;
    int height;
} cases_view;

static char *col_text(fw_rows *rows, int c)
{
    const char *s = fw_rows_text(rows, c);
    return fw_strdup(s ? s : "");
}

/* A text cell as printf's %s takes it: "" for NULL. */
static const char *cell(fw_rows *rows, int c)
{
    const char *s = fw_rows_text(rows, c);
    return s ? s : "";
}

static void free_lines(cases_view *v)
{
    for (int i = 0; i < v->nav.n; i++) {
        if (v->rows) {
            case_row *r = &v->rows[i];
            free(r->case_no), free(r->status), free(r->name), free(r->place), free(r->assignee), free(r->due);
        }
        if (v->text)
            free(v->text[i]);
    }
    free(v->rows), free(v->text), free(v->heading);
    v->rows = NULL, v->text = NULL, v->heading = NULL;
    v->nav.n = 0;
}

static void free_assignees(cases_view *v)
{
    for (int i = 0; i < v->nassignees; i++)
        free(v->assignees[i]);
    free(v->assignees);
    v->assignees = NULL;
    v->nassignees = 0;
}

static int load_assignees(fw_tui *t, cases_view *v)
{
    char *keep = v->nassignees ? fw_strdup(v->assignees[v->assignee_index]) : NULL;
    free_assignees(v);
    fw_err err = {0};
    fw_rows *rows;
    if (fw_case_assignees(t->ws, &rows, &err)) {
        free(keep);
        fw_tui_error(t, "%s", err.msg);
        return err.code;
    }
    int step;
    while ((step = fw_rows_step(rows, &err)) == 1) {
        v->assignees = fw_realloc(v->assignees, (size_t)(v->nassignees + 1) * sizeof *v->assignees);
        v->assignees[v->nassignees++] = col_text(rows, 0);
    }
    fw_rows_close(rows);
    if (step < 0)
        fw_tui_error(t, "%s", err.msg);
    /* The same assignee stays selected across a reload when it still has cases. */
    v->assignee_index = 0;
    for (int i = 0; keep && i < v->nassignees; i++)
        if (strcmp(v->assignees[i], keep) == 0)
            v->assignee_index = i;
    free(keep);
    return FW_OK;
}

static void add_text(cases_view *v, bool heading, char *text)
{
    v->text = fw_realloc(v->text, (size_t)(v->nav.n + 1) * sizeof *v->text);
    v->heading = fw_realloc(v->heading, (size_t)(v->nav.n + 1) * sizeof *v->heading);
    v->text[v->nav.n] = text;
    v->heading[v->nav.n++] = heading;
}

static void load_systemic(fw_tui *t, cases_view *v)
{
    static const char *const titles[FW_CD_COUNT_] = {
        N_("Confirmed cases by township"), N_("Confirmed cases by village"), N_("Confirmed cases by program"),
        N_("Confirmed cases by rule"),
    };
    for (int d = 0; d < FW_CD_COUNT_; d++) {
        fw_err err = {0};
        fw_rows *rows;
        add_text(v, true, fw_strdup(_(titles[d])));
        if (fw_case_systemic(t->ws, (enum fw_case_dimension)d, &rows, &err)) {
            fw_tui_error(t, "%s", err.msg);
            return;
        }
        int n = 0, step;
        while ((step = fw_rows_step(rows, &err)) == 1) {
            char money[32];
            fw_yuan(fw_rows_int(rows, 2), money);
            char *value = col_text(rows, 0);
            int pad = 28 - fw_utf8_width(value);
            add_text(v, false, fw_printf("  %s%*s %6lld %s %14s", value, pad > 0 ? pad : 0, "",
                                         fw_rows_int(rows, 1), _("cases"), money));
            free(value);
            n++;
        }
        fw_rows_close(rows);
        if (step < 0) {
            fw_tui_error(t, "%s", err.msg);
            return;
        }
        if (!n)
            add_text(v, false, fw_strdup(_("  (no confirmed case)")));
    }
}

static void filter_of_tab(cases_view *v, fw_case_filter *f)
{
    memset(f, 0, sizeof *f);
    f->limit = MAX_LISTED;
    switch (v->tab) {
    case TAB_MINE: f->assignee = fw_user(); break;
    case TAB_OVERDUE: f->overdue = true; break;
    case TAB_STATUS: f->status = fw_case_statuses[v->status_index].key; break;
    case TAB_ASSIGNEE: f->assignee = v->nassignees ? v->assignees[v->assignee_index] : "\x01none"; break;
    default: break;
    }
}

static void load_list(fw_tui *t, cases_view *v)
{
    fw_case_filter f;
    filter_of_tab(v, &f);
    fw_err err = {0};
    v->count = fw_case_count(t->ws, &f, &err);
    fw_rows *rows;
    if (v->count < 0 || fw_case_list(t->ws, &f, &rows, &err)) {
        fw_tui_error(t, "%s", err.msg);
        v->count = 0;
        return;
    }
    int step;
    while ((step = fw_rows_step(rows, &err)) == 1) {
        v->rows = fw_realloc(v->rows, (size_t)(v->nav.n + 1) * sizeof *v->rows);
        v->text = fw_realloc(v->text, (size_t)(v->nav.n + 1) * sizeof *v->text);
        case_row *r = &v->rows[v->nav.n];
        r->id = fw_rows_int(rows, FW_CL_ID);
        r->amount = fw_rows_int(rows, FW_CL_AMOUNT);
        r->hits = fw_rows_int(rows, FW_CL_HITS);
        r->overdue = fw_rows_int(rows, FW_CL_OVERDUE) == 1;
        r->version = fw_rows_int(rows, FW_CL_VERSION);
        r->changed = false;
        r->case_no = col_text(rows, FW_CL_CASE_NO);
        r->status = col_text(rows, FW_CL_STATUS);
        r->name = col_text(rows, FW_CL_NAME);
        r->place = fw_printf("%s %s", cell(rows, FW_CL_TOWNSHIP), cell(rows, FW_CL_VILLAGE));
        r->assignee = col_text(rows, FW_CL_ASSIGNEE);
        r->due = col_text(rows, FW_CL_DUE_DATE);
        v->text[v->nav.n] = fw_printf("%s %s %s %s %s", r->case_no, fw_label_show(fw_case_statuses, r->status), r->name, r->place, r->assignee);
        v->nav.n++;
    }
    fw_rows_close(rows);
    if (step < 0) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    /* The total is the listed cases' money as one set: a payment behind two cases counts once. */
    fw_money m;
    if (fw_case_list_money(t->ws, &f, &m, &err))
        fw_tui_error(t, "%s", err.msg);
    else
        v->total = m.paid, v->other = m.other;
}

static void load(fw_tui *t, cases_view *v)
{
    free_lines(v);
    v->total = v->other = 0;
    v->count = 0;
    if (v->tab == TAB_ASSIGNEE && load_assignees(t, v))
        return;
    if (v->tab == TAB_SYSTEMIC)
        load_systemic(t, v);
    else
        load_list(t, v);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

static void *cases_open(fw_tui *t, const char *arg)
{
    (void)arg;
    cases_view *v = fw_calloc(1, sizeof *v);
    load(t, v);
    return v;
}

static void cases_close(void *p)
{
    cases_view *v = p;
    free_lines(v);
    free_assignees(v);
    free(v);
}

/* A tab's title as drawn: by status / by assignee name their current value. Caller frees. */
static char *tab_text(cases_view *v, int i)
{
    if (i == TAB_STATUS && v->tab == TAB_STATUS)
        return fw_printf(" %s: %s ", _(tab_titles[i]), fw_label_text(&fw_case_statuses[v->status_index]));
    if (i == TAB_ASSIGNEE && v->tab == TAB_ASSIGNEE)
        return fw_printf(" %s: %s ", _(tab_titles[i]), v->nassignees ? v->assignees[v->assignee_index] : "-");
    return fw_printf(" %s ", _(tab_titles[i]));
}

/* The tab at column x of the tab bar, or -1. */
static int tab_at(cases_view *v, int x)
{
    int from = 0;
    for (int i = 0; i < TAB_COUNT_; i++) {
        char *s = tab_text(v, i);
        int sw = fw_utf8_width(s);
        free(s);
        if (x >= from && x < from + sw)
            return i;
        from += sw + 1;
    }
    return -1;
}

/* The tab bar: the current tab reversed. */
static void draw_tabs(fw_tui *t, cases_view *v, WINDOW *w, int width)
{
    int x = 0;
    for (int i = 0; i < TAB_COUNT_ && x < width; i++) {
        char *s = tab_text(v, i);
        int sw = fw_utf8_width(s);
        wattrset(w, i == (int)v->tab ? (fw_tui_attr(t, C_HEADER) | A_REVERSE) : A_NORMAL);
        fw_tui_put(w, 0, x, sw < width - x ? sw : width - x, s, false);
        x += sw + 1;
        free(s);
    }
    wattrset(w, A_NORMAL);
}

/* Column widths of the list: case_no, status, person, township/village, amount, assignee, due, hits. */
static const int widths[] = {15, 8, 8, 18, 11, 10, 10, 4};

static int list_width(void)
{
    int x = 0;
    for (size_t c = 0; c < sizeof widths / sizeof widths[0]; c++)
        x += widths[c] + 1;
    return x - 1;
}

/* A row at the columns' widths, scrolled hoff columns (h/l). */
static void draw_row(fw_tui *t, WINDOW *w, int y, int width, const case_row *r, int hoff)
{
    char money[32], hits[24];
    fw_yuan(r->amount, money);
    snprintf(hits, sizeof hits, "%lld", r->hits);
    char marked[64];
    snprintf(marked, sizeof marked, "*%s", r->case_no); /* FW-2026-000001 leaves the column one cell */
    const char *cells[] = {r->changed ? marked : r->case_no, fw_label_show(fw_case_statuses, r->status), r->name,
                           r->place, money, r->assignee, r->due, hits};
    int x = 0;
    for (size_t c = 0; c < sizeof widths / sizeof widths[0] && x < width + hoff; c++) {
        int cw = widths[c] < width + hoff - x ? widths[c] : width + hoff - x;
        attr_t keep = 0;
        if (c == 6 && r->overdue) {
            wattr_get(w, &keep, NULL, NULL);
            wattron(w, fw_tui_attr(t, C_HIGH));
        }
        fw_tui_put_scrolled(w, y, x, cw, cells[c], c == 4 || c == 7, hoff);
        if (c == 6 && r->overdue)
            wattrset(w, keep);
        x += cw + 1;
    }
}

static void cases_draw(fw_tui *t, void *p, WINDOW *w)
{
    cases_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    draw_tabs(t, v, w, width);
    bool list = v->tab != TAB_SYSTEMIC;
    int first = 1;
    if (list) {
        wattrset(w, fw_tui_attr(t, C_HEADER));
        const char *cells[] = {_("Case"), _("Status"), _("Name"), _("Township/village"), _("Amount"),
                               _("Assignee"), _("Due"), _("Hits")};
        int x = 0, hoff = v->nav.hoff;
        fw_tui_put(w, 1, 0, width, "", false);
        for (size_t c = 0; c < 8 && x < width + hoff; c++) {
            int cw = widths[c] < width + hoff - x ? widths[c] : width + hoff - x;
            fw_tui_put_scrolled(w, 1, x, cw, cells[c], c == 4 || c == 7, hoff);
            x += cw + 1;
        }
        wattrset(w, A_NORMAL);
        first = 2;
    }
    v->height = h - first;
    fw_lines_scroll(&v->nav, v->height);
    for (int i = 0; i < v->height; i++) {
        int li = v->nav.top + i;
        fw_tui_put(w, first + i, 0, width, "", false);
        if (li >= v->nav.n) {
            if (li == 0)
                fw_tui_put(w, first, 2, width - 2, list ? _("(no case)") : "", false);
            continue;
        }
        attr_t a = !list && v->heading[li] ? (fw_tui_attr(t, C_HEADER) | A_UNDERLINE) : A_NORMAL;
        if (li == v->nav.cursor)
            a |= A_REVERSE;
        if (list && v->rows[li].changed)
            a |= A_BOLD;
        wattrset(w, a);
        if (list)
            draw_row(t, w, first + i, width, &v->rows[li], v->nav.hoff);
        else
            fw_tui_put_scrolled(w, first + i, 0, width + v->nav.hoff, v->text[li], false, v->nav.hoff);
        wattrset(w, A_NORMAL);
    }
}

static const char *line_text(int i, void *ctx)
{
    return ((cases_view *)ctx)->text[i];
}

static void next_value(fw_tui *t, cases_view *v)
{
    if (v->tab == TAB_STATUS) {
        v->status_index++;
        if (!fw_case_statuses[v->status_index].key)
            v->status_index = 0;
    } else if (v->tab == TAB_ASSIGNEE && v->nassignees) {
        v->assignee_index = (v->assignee_index + 1) % v->nassignees;
    } else {
        fw_tui_message(t, _("v picks the status (by status) or the assignee (by assignee)."));
        return;
    }
    v->nav.cursor = v->nav.top = 0;
    load(t, v);
}

static int cases_key(fw_tui *t, void *p, enum fw_action a)
{
    cases_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height)) {
        if (v->rows && v->nav.cursor < v->nav.n)
            v->rows[v->nav.cursor].changed = false; /* seen: the mark goes */
        return true;
    }
    bool on_case = v->tab != TAB_SYSTEMIC && v->nav.cursor < v->nav.n;
    switch (a) {
    case ACT_TAB: case ACT_TAB_PREV:
        v->tab = (enum cases_tab)((v->tab + (a == ACT_TAB ? 1 : TAB_COUNT_ - 1)) % TAB_COUNT_);
        v->nav.cursor = v->nav.top = 0;
        load(t, v);
        return true;
    case ACT_SCROLL_LEFT: case ACT_SCROLL_RIGHT:
        return fw_lines_hscroll(t, &v->nav, a, COLS,
                                v->tab == TAB_SYSTEMIC ? fw_lines_widest(&v->nav, line_text, v) : list_width()) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    case ACT_CASES_VALUE: next_value(t, v); return true;
    case ACT_ENTER:
        if (on_case) {
            char id[24];
            snprintf(id, sizeof id, "%lld", v->rows[v->nav.cursor].id);
            fw_tui_push(t, &fw_view_case, id);
        }
        return true;
    case ACT_CASE_STATUS: case ACT_CASE_NOTE: case ACT_CASE_ASSIGN:
        if (on_case)
            fw_case_form_start(t, a, &v->rows[v->nav.cursor].id, 1);
        else
            fw_tui_error(t, _("No case under the cursor."));
        return true;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    default: return false;
    }
}

static void cases_search(fw_tui *t, void *p, const char *text, bool final)
{
    cases_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void cases_reload(fw_tui *t, void *p) { load(t, p); }

/* A click on a tab switches to it; on a row, selects it. */
static bool cases_click(fw_tui *t, void *p, int y, int x)
{
    cases_view *v = p;
    if (y == 0) {
        int tab = tab_at(v, x);
        if (tab < 0 || tab == (int)v->tab)
            return false;
        v->tab = (enum cases_tab)tab;
        v->nav.cursor = v->nav.top = 0;
        load(t, v);
        return true;
    }
    bool hit = fw_lines_click(&v->nav, y - (v->tab == TAB_SYSTEMIC ? 1 : 2));
    if (hit && v->rows && v->nav.cursor < v->nav.n)
        v->rows[v->nav.cursor].changed = false;
    return hit;
}

static bool id_in(long long id, const long long *ids, int n)
{
    for (int i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Another session changed the workspace: the tab is read again, the cursor stays on its case, and a
 * case whose version moved, which the list did not have, or which a notice named (a note adds no
 * version) is marked. The marks already shown stay until seen. */
static int cases_refresh(fw_tui *t, void *p, const long long *ids, int n, bool all)
{
    (void)all; /* versions are compared either way */
    cases_view *v = p;
    if (v->tab == TAB_SYSTEMIC) {
        load(t, v);
        return 0;
    }
    int was_n = v->nav.n;
    struct seen { long long id, version; bool changed; } *seen = fw_malloc((size_t)(was_n ? was_n : 1) * sizeof *seen);
    for (int i = 0; i < was_n; i++)
        seen[i] = (struct seen){v->rows[i].id, v->rows[i].version, v->rows[i].changed};
    long long at = v->nav.cursor < was_n ? v->rows[v->nav.cursor].id : 0;
    int top_off = v->nav.cursor - v->nav.top;
    load(t, v);
    int changed = 0;
    for (int i = 0; i < v->nav.n; i++) {
        case_row *r = &v->rows[i];
        int j = 0;
        while (j < was_n && seen[j].id != r->id)
            j++;
        bool moved = j == was_n ? was_n > 0 : seen[j].version != r->version || id_in(r->id, ids, n);
        r->changed = moved || (j < was_n && seen[j].changed);
        if (moved)
            changed++;
        if (r->id == at) {
            v->nav.cursor = i;
            v->nav.top = i - top_off > 0 ? i - top_off : 0;
        }
    }
    free(seen);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
    return changed;
}

static void cases_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    cases_view *v = p;
    if (v->tab == TAB_SYSTEMIC) {
        snprintf(out, outsz, "%s", _("Confirmed = confirmed, partly confirmed, rectifying, closed · Tab next tab"));
        return;
    }
    char money[32], stat[96] = "";
    fw_yuan(v->total, money);
    if (v->other > 0) {
        char y[32];
        fw_yuan(v->other, y);
        snprintf(stat, sizeof stat, _(" · +¥%s not payment-based"), y);
    }
    snprintf(out, outsz, _("%d of %lld cases · ¥%s%s · Tab next tab · v next status/assignee · Enter opens"),
             v->nav.n ? v->nav.cursor + 1 : 0, v->count, money, stat);
}

static const char *cases_title(void *p)
{
    (void)p;
    return _("Cases");
}

const fw_view_ops fw_view_cases = {
    .name = "cases",
    .scope = S_CASES,
    .open = cases_open,
    .draw = cases_draw,
    .key = cases_key,
    .reload = cases_reload,
    .close = cases_close,
    .search = cases_search,
    .status = cases_status,
    .title = cases_title,
    .click = cases_click,
    .others_changed = cases_refresh,
};

/* --- one case --------------------------------------------------------------------------------- */

enum case_line_kind { CL_SECTION, CL_TEXT, CL_HIT };

typedef struct case_line {
    enum case_line_kind kind;
    char *text;
} case_line;

typedef struct case_view {
    fw_case c;
    case_line *lines;
    fw_lines nav;
    int height;
    char title[96];
} case_view;

static void add(case_view *v, enum case_line_kind k, char *text)
{
    v->lines = fw_realloc(v->lines, (size_t)(v->nav.n + 1) * sizeof *v->lines);
    v->lines[v->nav.n++] = (case_line){k, text};
}

static void add_field(case_view *v, const char *label, const char *value)
{
    /* Padded by display width so Chinese labels line up too. */
    int pad = 14 - fw_utf8_width(label);
    if (value && *value)
        add(v, CL_TEXT, fw_printf("  %s%*s %s", label, pad > 0 ? pad : 0, "", value));
}

static void add_fields(fw_tui *t, case_view *v)
{
    const fw_case *c = &v->c;
    char idb[32], amount[32], to_recover[32], recovered[32], hits[48];
    fw_yuan(c->amount, amount);
    fw_yuan(c->to_recover, to_recover);
    fw_yuan(c->recovered, recovered);
    snprintf(hits, sizeof hits, "%lld / %lld", c->hits_present, c->hits_total);
    add(v, CL_SECTION, fw_strdup(_("Case")));
    add_field(v, _("Case"), c->case_no);
    add_field(v, _("Status"), fw_label_show(fw_case_statuses, c->status));
    char pending_at[FW_TIME_SIZE], closed[FW_TIME_SIZE], created[FW_TIME_SIZE];
    if (c->pending_status)
        add(v, CL_TEXT, fw_printf("  %s: %s (%s, %s)", _("Pending"), fw_label_show(fw_case_statuses, c->pending_status), c->pending_by,
                                  fw_time_local(c->pending_at, FW_TIME_MINUTE, pending_at, sizeof pending_at)));
    add_field(v, _("Name"), c->name);
    add_field(v, _("ID number"), c->id_number ? fw_tui_id(t, c->id_number, idb) : NULL);
    fw_buf place = {0};
    const char *parts[] = {c->county, c->township, c->village};
    fw_buf_puts(&place, "");
    for (int i = 0; i < 3; i++)
        if (parts[i] && *parts[i])
            fw_buf_printf(&place, "%s%s", place.len ? " " : "", parts[i]);
    add_field(v, _("Place"), place.data);
    fw_buf_free(&place);
    add_field(v, _("Rules"), c->rules);
    add_field(v, _("Programs"), c->programs);
    add_field(v, _("Amount"), amount);
    if (c->amount_other > 0) { /* a village statistic is no money at issue: said so, kept apart */
        char y[32];
        fw_yuan(c->amount_other, y);
        char *stat = fw_printf(_("¥%s (village statistics, hits citing no payment)"), y);
        add_field(v, _("Not payment-based"), stat);
        free(stat);
    }
    add_field(v, _("Hits"), hits);
    add_field(v, _("Assignee"), c->assignee);
    add_field(v, _("Received"), c->received_at);
    add_field(v, _("Due"), c->due_date);
    add_field(v, _("Method"), c->verify_method);
    add_field(v, _("Verifier"), c->verifier);
    add_field(v, _("Verified"), c->verified_at);
    add_field(v, _("Conclusion"), c->conclusion);
    add_field(v, _("Reason"), c->dismiss_reason);
    add_field(v, _("Measures"), c->measures);
    if (c->to_recover || c->recovered) {
        add_field(v, _("To recover"), to_recover);
        add_field(v, _("Recovered"), recovered);
    }
    add_field(v, _("Closed"), fw_time_local(c->closed_at, FW_TIME_MINUTE, closed, sizeof closed));
    add_field(v, _("Closure note"), c->closure_note);
    add_field(v, _("Warning date"), fw_time_local(c->created_at, FW_TIME_MINUTE, created, sizeof created));
    if (c->resolved_by_data)
        add(v, CL_TEXT, fw_strdup(_("  every hit is gone in a later run (resolved by data)")));
}

static int add_hits(fw_tui *t, case_view *v)
{
    fw_err err = {0};
    fw_rows *rows;
    add(v, CL_SECTION, fw_strdup(_("Hits (Enter opens the person)")));
    if (fw_case_hits(t->ws, v->c.id, &rows, &err))
        return fw_tui_error(t, "%s", err.msg), err.code;
    int step;
    while ((step = fw_rows_step(rows, &err)) == 1) {
        char money[32];
        fw_yuan(fw_rows_int(rows, 9), money);
        add(v, CL_HIT, fw_printf("  %-6lld %-8s %-7s %-8s %10s  %s", fw_rows_int(rows, 0), cell(rows, 1),
                                 _(cell(rows, 4)), cell(rows, 6), money, cell(rows, 10)));
    }
    fw_rows_close(rows);
    if (step < 0)
        return fw_tui_error(t, "%s", err.msg), err.code;
    return FW_OK;
}

static int add_notes(fw_tui *t, case_view *v)
{
    fw_err err = {0};
    fw_rows *rows;
    add(v, CL_SECTION, fw_strdup(_("Notes")));
    if (fw_case_notes(t->ws, v->c.id, &rows, &err))
        return fw_tui_error(t, "%s", err.msg), err.code;
    int n = 0, step;
    while ((step = fw_rows_step(rows, &err)) == 1) {
        char when[FW_TIME_SIZE];
        add(v, CL_TEXT, fw_printf("  %s  %s  %s",
                                  fw_time_local(fw_rows_text(rows, 1), FW_TIME_MINUTE, when, sizeof when),
                                  cell(rows, 2), cell(rows, 3)));
        n++;
    }
    fw_rows_close(rows);
    if (step < 0)
        return fw_tui_error(t, "%s", err.msg), err.code;
    if (!n)
        add(v, CL_TEXT, fw_strdup(_("  (none)")));
    return FW_OK;
}

/* One line per trail record, in words, in time order: "2026-12-05 15:48 李明 状态 待核查 → 核查中；…"
 * (audit/history.h: labels, yuan, local time). */
static int add_history(fw_tui *t, case_view *v)
{
    fw_err err = {0};
    fw_rows *rows;
    add(v, CL_SECTION, fw_strdup(_("History (audit trail)")));
    if (fw_history_case(t->ws, v->c.id, &rows, &err))
        return fw_tui_error(t, "%s", err.msg), err.code;
    int n = 0;
    while (fw_rows_step(rows, &err) == 1) {
        char *line = fw_history_line(t->ws, fw_rows_text(rows, 1), fw_rows_text(rows, 2), fw_rows_text(rows, 3),
                                     fw_rows_text(rows, 4), fw_rows_text(rows, 5), FW_WORDS_UI);
        add(v, CL_TEXT, fw_printf("  %s", line));
        free(line);
        n++;
    }
    fw_rows_close(rows);
    if (!n)
        add(v, CL_TEXT, fw_strdup(_("  (none)")));
    return FW_OK;
}

static void free_case_lines(case_view *v)
{
    for (int i = 0; i < v->nav.n; i++)
        free(v->lines[i].text);
    free(v->lines);
    v->lines = NULL;
    v->nav.n = 0;
}

static bool case_load(fw_tui *t, case_view *v, const char *ref)
{
    fw_err err = {0};
    fw_case c;
    if (fw_case_get(t->ws, ref, &c, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return false;
    }
    fw_case_free(&v->c);
    free_case_lines(v);
    v->c = c;
    add_fields(t, v);
    if (!add_hits(t, v) && !add_notes(t, v))
        add_history(t, v);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
    return true;
}

static void *case_open(fw_tui *t, const char *arg)
{
    case_view *v = fw_calloc(1, sizeof *v);
    if (!arg || !case_load(t, v, arg)) {
        free(v);
        return NULL;
    }
    return v;
}

static void case_close(void *p)
{
    case_view *v = p;
    fw_case_free(&v->c);
    free_case_lines(v);
    free(v);
}

static void case_draw(fw_tui *t, void *p, WINDOW *w)
{
    case_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h;
    fw_lines_scroll(&v->nav, v->height);
    for (int i = 0; i < v->height; i++) {
        int li = v->nav.top + i;
        fw_tui_put(w, i, 0, width, "", false);
        if (li >= v->nav.n)
            continue;
        const case_line *l = &v->lines[li];
        attr_t a = l->kind == CL_SECTION ? (fw_tui_attr(t, C_HEADER) | A_UNDERLINE) : A_NORMAL;
        if (li == v->nav.cursor)
            a |= A_REVERSE;
        wattrset(w, a);
        fw_tui_put_scrolled(w, i, 0, width + v->nav.hoff, l->text, false, v->nav.hoff);
        wattrset(w, A_NORMAL);
    }
}

static const char *case_line_text(int i, void *ctx)
{
    return ((case_view *)ctx)->lines[i].text;
}

/* Tab and Shift-Tab: the next (dir 1) or previous (-1) section. */
static void case_next_section(case_view *v, int dir)
{
    for (int k = 1; k <= v->nav.n; k++) {
        int i = ((v->nav.cursor + dir * k) % v->nav.n + v->nav.n) % v->nav.n;
        if (v->lines[i].kind == CL_SECTION) {
            v->nav.cursor = v->nav.top = i;
            return;
        }
    }
}

static int case_key(fw_tui *t, void *p, enum fw_action a)
{
    case_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return true;
    switch (a) {
    case ACT_TAB: case_next_section(v, 1); return FW_KEY_REDRAW;
    case ACT_TAB_PREV: case_next_section(v, -1); return FW_KEY_REDRAW;
    case ACT_SCROLL_LEFT: case ACT_SCROLL_RIGHT:
        return fw_lines_hscroll(t, &v->nav, a, COLS, fw_lines_widest(&v->nav, case_line_text, v)) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    case ACT_ENTER:
        /* Hits of a case all rest on its subject; a person case opens that person. A village's case
         * is the screen of its hits already: there is no one person to open. A line cut at the edge
         * (programs, a long note) opens in full. */
        if (v->lines[v->nav.cursor].kind != CL_HIT && fw_utf8_width(v->lines[v->nav.cursor].text) > getmaxx(t->body))
            fw_tui_push(t, &fw_view_text, v->lines[v->nav.cursor].text);
        else if (v->lines[v->nav.cursor].kind != CL_HIT)
            fw_tui_message(t, _("Enter on a hit opens the person."));
        else if (v->c.id_number && *v->c.id_number)
            fw_tui_push(t, &fw_view_person, v->c.id_number);
        else
            fw_tui_message(t, _("This case is about %s %s, not one person: its hits and figures are on this screen."),
                           fw_label_show(fw_subject_kinds, v->c.subject_kind), v->c.subject);
        return true;
    case ACT_CASE_STATUS: case ACT_CASE_NOTE: case ACT_CASE_ASSIGN:
        fw_case_form_start(t, a, &v->c.id, 1);
        return true;
    case ACT_EXPORT: fw_export_form_case(t, v->c.id); return true;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, case_line_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    default: return false;
    }
}

static void case_search(fw_tui *t, void *p, const char *text, bool final)
{
    case_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, case_line_text, v);
}

static void case_reload(fw_tui *t, void *p)
{
    case_view *v = p;
    char id[24];
    snprintf(id, sizeof id, "%lld", v->c.id);
    case_load(t, v, id);
}

/* Another session changed the workspace: the case is read again in place (the cursor stays on its
 * line); it counts as changed when its version moved or a notice named it (a note). */
static int case_others_changed(fw_tui *t, void *p, const long long *ids, int n, bool all)
{
    (void)all;
    case_view *v = p;
    long long id = v->c.id, version = v->c.version;
    int cursor = v->nav.cursor, top = v->nav.top;
    case_reload(t, v);
    if (cursor < v->nav.n)
        v->nav.cursor = cursor, v->nav.top = top;
    bool named = false;
    for (int i = 0; i < n && !named; i++)
        named = ids[i] == id;
    return v->c.id == id && (v->c.version != version || named) ? 1 : 0;
}

static bool case_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    return fw_lines_click(&((case_view *)p)->nav, y);
}

static void case_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    case_view *v = p;
    snprintf(out, outsz, _("%s · %s · version %lld · c status · a assign · o note · Tab next section"),
             v->c.case_no, fw_label_show(fw_case_statuses, v->c.status), v->c.version);
}

static const char *case_title(void *p)
{
    case_view *v = p;
    snprintf(v->title, sizeof v->title, "%s %s", _("Case"), v->c.case_no);
    return v->title;
}

const fw_view_ops fw_view_case = {
    .name = "case",
    .scope = S_CASE,
    .open = case_open,
    .draw = case_draw,
    .key = case_key,
    .reload = case_reload,
    .close = case_close,
    .search = case_search,
    .status = case_status,
    .title = case_title,
    .click = case_click,
    .others_changed = case_others_changed,
};
