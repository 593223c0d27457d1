/* view_hits.c: the hit list. It never holds more than one screenful of rows: each movement past
 * the edge fetches the neighbouring rows by their sort key (fw_hits_page), so a million hits
 * scroll as fast as a hundred. Count and money total of the filter fill in from the idle loop
 * (fw_hit_totals_step). Sort by any column (s, S), filter (f), narrowing search (/), marks
 * (space), drill down to the person (Enter). */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/known.h"
#include "audit/vocab.h"
#include "tui/lines.h"
#include "tui/tui.h"

/* Hit ids summed per idle step: counting each payment once (audit/money.h) looks at each hit's
 * evidence, about three times the work of adding up amounts, so a step takes about what a 100,000
 * id step took before (tens of ms): keys are read between steps. */
enum { MAX_PAGE = 400, TOTALS_SLICE = 30000 };

typedef struct hits_view {
    fw_hit_filter filter;
    enum fw_hit_sort sort;
    bool desc;
    fw_hit_row rows[MAX_PAGE];
    int nrows, page, cursor;
    long long top_index;    /* position of rows[0] in the whole list; -1 when unknown */
    long long after_page;   /* rows after the page's last one, when reached from the end; else -1 */
    fw_hit_totals totals;
    bool totals_failed;
    long long *marks;       /* marked hit ids, ascending (a whole list of a million can be marked) */
    long long nmarks, capmarks;
    char *saved_search;     /* the search before the prompt opened, restored on Esc */
    char title[64];
    int hcol;               /* columns scrolled off to the left (h/l); 0 = the columns that matter most */
    bool pane;              /* the detail pane under the list (d) */
    long long *changed;     /* hits whose case another session changed (issue 13): drawn bold with `+` */
    int nchanged;
    long long rest_id;      /* the hit under the cursor when they were marked: its mark waits for a move */
} hits_view;

/* --- paging -------------------------------------------------------------------------------------- */

static void clear_rows(hits_view *v, int from, int to)
{
    for (int i = from; i < to; i++)
        fw_hit_row_clear(&v->rows[i]);
}

static int fetch(fw_tui *t, hits_view *v, const fw_hit_row *anchor, bool backward, int n, fw_hit_row *out)
{
    int got = 0;
    fw_err err = {0};
    if (fw_hits_page(t->ws, &v->filter, v->sort, v->desc, anchor, backward, n, out, &got, &err))
        fw_tui_error(t, "%s", err.msg);
    return got;
}

static void restart_totals(fw_tui *t, hits_view *v)
{
    fw_hit_totals_free(&v->totals);
    fw_hit_totals_init(t->ws, &v->totals);
    v->totals_failed = false;
}

static void load_first(fw_tui *t, hits_view *v)
{
    clear_rows(v, 0, v->nrows);
    v->nrows = fetch(t, v, NULL, false, v->page, v->rows);
    v->cursor = 0;
    v->top_index = 0;
    v->after_page = -1;
}

static void load_last(fw_tui *t, hits_view *v)
{
    clear_rows(v, 0, v->nrows);
    v->nrows = fetch(t, v, NULL, true, v->page, v->rows);
    v->cursor = v->nrows - 1;
    v->top_index = v->totals.done ? v->totals.count - v->nrows : -1;
    v->after_page = 0;
}

/* Reloads the page from its first row on (after a resize, a reload or a change): the first row is
 * fetched again too, as the neighbour after the row before it, since its case status (or any other
 * column) may have changed; keeping it as cached showed the old status until it was paged away. */
static void load_from_top_row(fw_tui *t, hits_view *v)
{
    if (v->nrows == 0) {
        load_first(t, v);
        return;
    }
    fw_hit_row before;
    int cursor = v->cursor;
    long long top_index = v->top_index;
    bool has_before = fetch(t, v, &v->rows[0], true, 1, &before) == 1;
    if (!has_before) {
        load_first(t, v);
    } else {
        clear_rows(v, 0, v->nrows);
        v->nrows = fetch(t, v, &before, false, v->page, v->rows);
        fw_hit_row_clear(&before);
        v->top_index = top_index;
        if (v->nrows < v->page) /* the end of the list came closer: fill the page from before */
            v->after_page = 0;
    }
    v->cursor = cursor < v->nrows ? cursor : v->nrows - 1;
    if (v->cursor < 0)
        v->cursor = 0;
}

/* Scrolls by up to k rows; returns how many it moved. */
static int scroll_down(fw_tui *t, hits_view *v, int k)
{
    if (v->nrows == 0)
        return 0;
    fw_hit_row tmp[MAX_PAGE];
    int got = fetch(t, v, &v->rows[v->nrows - 1], false, k, tmp);
    int keep = v->nrows + got > v->page ? v->page - got : v->nrows;
    int drop = v->nrows - keep;
    clear_rows(v, 0, drop);
    memmove(v->rows, v->rows + drop, (size_t)keep * sizeof *v->rows);
    memcpy(v->rows + keep, tmp, (size_t)got * sizeof *tmp);
    v->nrows = keep + got;
    if (v->top_index >= 0)
        v->top_index += drop;
    if (v->after_page >= 0)
        v->after_page = v->after_page > got ? v->after_page - got : 0;
    return got;
}

static int scroll_up(fw_tui *t, hits_view *v, int k)
{
    if (v->nrows == 0)
        return 0;
    fw_hit_row tmp[MAX_PAGE];
    int got = fetch(t, v, &v->rows[0], true, k, tmp);
    int keep = v->nrows + got > v->page ? v->page - got : v->nrows;
    int dropped = v->nrows - keep;
    clear_rows(v, keep, v->nrows);
    memmove(v->rows + got, v->rows, (size_t)keep * sizeof *v->rows);
    memcpy(v->rows, tmp, (size_t)got * sizeof *tmp);
    v->nrows = keep + got;
    if (v->top_index >= 0)
        v->top_index = v->top_index >= got ? v->top_index - got : -1;
    if (v->after_page >= 0)
        v->after_page += dropped;
    return got;
}

static void set_page_size(fw_tui *t, hits_view *v, int height)
{
    int page = height - 1; /* one line for the column titles */
    if (page < 1)
        page = 1;
    if (page > MAX_PAGE)
        page = MAX_PAGE;
    if (page == v->page)
        return;
    v->page = page;
    load_from_top_row(t, v);
}

/* --- open, close ------------------------------------------------------------------------------- */

static void *hits_open(fw_tui *t, const char *arg)
{
    hits_view *v = fw_calloc(1, sizeof *v);
    fw_hit_filter_init(&v->filter);
    v->sort = FW_SORT_SEVERITY;
    fw_err err = {0};
    if (arg && (fw_hit_filter_parse(&v->filter, arg, &err) || fw_hit_filter_resolve(t->ws, &v->filter, &err))) {
        fw_tui_error(t, "%s", err.msg);
        fw_hit_filter_free(&v->filter);
        free(v);
        return NULL;
    }
    int h, w;
    getmaxyx(t->body, h, w);
    (void)w;
    v->page = h - 1 > 0 ? (h - 1 < MAX_PAGE ? h - 1 : MAX_PAGE) : 1;
    restart_totals(t, v);
    load_first(t, v);
    return v;
}

static void hits_close(void *p)
{
    hits_view *v = p;
    clear_rows(v, 0, v->nrows);
    fw_hit_totals_free(&v->totals);
    fw_hit_filter_free(&v->filter);
    free(v->marks);
    free(v->changed);
    free(v->saved_search);
    free(v);
}

void fw_hits_apply_filter(fw_tui *t, void *p, const char *text)
{
    hits_view *v = p;
    fw_err err = {0};
    /* A value the workspace does not know is refused with the known ones; the filter in force stays. */
    char *before = fw_hit_filter_format(&v->filter);
    if (fw_hit_filter_parse(&v->filter, text, &err) || fw_hit_filter_resolve(t->ws, &v->filter, &err)) {
        fw_err ignored = {0};
        fw_hit_filter_parse(&v->filter, before, &ignored);
        fw_hit_filter_resolve(t->ws, &v->filter, &ignored);
        free(before);
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    free(before);
    restart_totals(t, v);
    load_first(t, v);
}

const fw_hit_filter *fw_hits_list_filter(void *p)
{
    return &((hits_view *)p)->filter;
}

void fw_hits_set_filter(fw_tui *t, void *p, const char *words, const char *search)
{
    hits_view *v = p;
    fw_err err = {0};
    if (fw_hit_filter_parse(&v->filter, words, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    free(v->filter.search);
    v->filter.search = search && *search ? fw_strdup(search) : NULL;
    restart_totals(t, v);
    load_first(t, v); /* the status line shows the filter */
}

/* --- drawing ------------------------------------------------------------------------------------- */

enum col_id { COL_MARK, COL_ID, COL_SEV, COL_RULE, COL_NAME, COL_IDNO, COL_AMOUNT, COL_STATUS, COL_STATE,
              COL_PLACE, COL_PROGRAM, COL_DETAIL, NCOLS };

static const struct {
    const char *title;
    int width;
    bool right;
    enum fw_hit_sort sort; /* the sort this column shows, or FW_SORT_COUNT_ */
} cols[NCOLS] = {
    [COL_MARK] = {"", 1, false, FW_SORT_COUNT_},
    [COL_ID] = {N_("Hit"), 7, true, FW_SORT_ID},
    [COL_SEV] = {N_("Severity"), 8, false, FW_SORT_SEVERITY},
    [COL_RULE] = {N_("Rule"), 8, false, FW_SORT_RULE},
    [COL_NAME] = {N_("Name"), 12, false, FW_SORT_NAME},
    [COL_IDNO] = {N_("ID number"), 18, false, FW_SORT_ID_NUMBER},
    [COL_AMOUNT] = {N_("Amount"), 12, true, FW_SORT_AMOUNT},
    [COL_STATUS] = {N_("Status"), 9, false, FW_SORT_STATUS},
    [COL_STATE] = {N_("State"), 11, false, FW_SORT_COUNT_}, /* only with `all`: present, gone, whitelisted */
    [COL_PLACE] = {N_("Village"), 16, false, FW_SORT_VILLAGE},
    [COL_PROGRAM] = {N_("Program"), 10, false, FW_SORT_PROGRAM},
    [COL_DETAIL] = {N_("Detail"), 0, false, FW_SORT_COUNT_},
};

/* The sort as the column it orders is headed (translated). */
static const char *sort_title(enum fw_hit_sort sort)
{
    for (int c = 0; c < NCOLS; c++)
        if (cols[c].sort == sort)
            return _(cols[c].title);
    return fw_hit_sort_name(sort);
}

/* Columns are kept in this order of importance until the width runs out; detail takes the rest.
 * The state column is there only when the filter lets gone and whitelisted hits in (`all`). */
static const enum col_id priority[] = {COL_MARK, COL_ID, COL_NAME, COL_IDNO, COL_AMOUNT, COL_STATE, COL_RULE,
                                       COL_SEV, COL_STATUS, COL_PLACE, COL_PROGRAM};
/* Scrolled sideways (h/l), the mark, hit and name stay; the others follow in screen order from the
 * hcol-th on. */
static const enum col_id pinned[] = {COL_MARK, COL_ID, COL_NAME};
static const enum col_id scrolling[] = {COL_SEV, COL_RULE, COL_IDNO, COL_AMOUNT, COL_STATE, COL_STATUS, COL_PLACE,
                                        COL_PROGRAM};
enum { NSCROLLING = sizeof scrolling / sizeof scrolling[0] };

static void layout(int width, int hcol, bool with_state, int x[NCOLS], int w[NCOLS])
{
    bool on[NCOLS] = {false};
    int used = 0;
    if (hcol == 0) {
        for (size_t i = 0; i < sizeof priority / sizeof priority[0]; i++) {
            enum col_id c = priority[i];
            if (c == COL_STATE && !with_state)
                continue;
            if (used + cols[c].width + 1 <= width) {
                on[c] = true;
                used += cols[c].width + 1;
            }
        }
    } else {
        for (size_t i = 0; i < sizeof pinned / sizeof pinned[0]; i++) {
            on[pinned[i]] = true;
            used += cols[pinned[i]].width + 1;
        }
        for (int i = hcol; i < NSCROLLING && used + cols[scrolling[i]].width + 1 <= width; i++) {
            if (scrolling[i] == COL_STATE && !with_state)
                continue;
            on[scrolling[i]] = true;
            used += cols[scrolling[i]].width + 1;
        }
    }
    int pos = 0;
    for (int c = 0; c < NCOLS; c++) {
        w[c] = on[c] ? cols[c].width : 0;
        if (c == COL_DETAIL)
            w[c] = width - pos > 0 ? width - pos : 0;
        x[c] = pos;
        if (w[c])
            pos += w[c] + 1;
    }
}

static int cmp_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static bool is_marked(const hits_view *v, long long id)
{
    return v->nmarks && bsearch(&id, v->marks, (size_t)v->nmarks, sizeof *v->marks, cmp_id) != NULL;
}

static int changed_index(const hits_view *v, long long id)
{
    for (int i = 0; i < v->nchanged; i++)
        if (v->changed[i] == id)
            return i;
    return -1;
}

/* The cursor is on the hit: its "changed by others" mark goes, unless the cursor has not moved since
 * the mark was made (it was resting there). */
static void seen_changed(hits_view *v, long long id)
{
    if (id == v->rest_id)
        return;
    v->rest_id = -1;
    int i = changed_index(v, id);
    if (i >= 0)
        v->changed[i] = v->changed[--v->nchanged];
}

static void draw_row(fw_tui *t, hits_view *v, WINDOW *win, int y, const fw_hit_row *r, bool selected,
                     const int x[NCOLS], const int w[NCOLS])
{
    char buf[256], idb[32], amount[32];
    bool marked = is_marked(v, r->id);
    if (selected)
        seen_changed(v, r->id);
    bool changed = changed_index(v, r->id) >= 0;
    attr_t base = selected ? A_REVERSE : (marked ? fw_tui_attr(t, C_MARKED) : A_NORMAL);
    if (changed)
        base |= A_BOLD;
    wattrset(win, base);
    for (int c = 0; c < NCOLS; c++) {
        if (!w[c])
            continue;
        const char *s = "";
        switch ((enum col_id)c) {
        case COL_MARK: s = marked ? "*" : changed ? "+" : " "; break;
        case COL_ID: snprintf(buf, sizeof buf, "%lld", r->id); s = buf; break;
        case COL_SEV:
            if (!selected)
                wattrset(win, base | fw_tui_attr(t, strcmp(r->severity, fw_severities[FW_SEV_HIGH].key) == 0 ? C_HIGH
                                                    : strcmp(r->severity, fw_severities[FW_SEV_MEDIUM].key) == 0
                                                        ? C_MEDIUM
                                                        : C_LOW));
            s = fw_label_show(fw_severities, r->severity);
            break;
        case COL_RULE: s = r->rule_id; break;
        case COL_NAME: s = r->name; break;
        case COL_IDNO: s = fw_tui_id(t, r->id_number, idb); break;
        case COL_AMOUNT: fw_yuan(r->amount, amount); s = amount; break;
        case COL_STATUS: s = fw_label_show(fw_case_statuses, r->status); break;
        case COL_STATE: s = fw_label_show(fw_hit_states, r->state); break;
        case COL_PLACE:
            snprintf(buf, sizeof buf, "%s %s", r->township ? r->township : "", r->village ? r->village : "");
            s = buf;
            break;
        case COL_PROGRAM: s = r->program; break;
        case COL_DETAIL: s = r->detail; break;
        default: break;
        }
        fw_tui_put(win, y, x[c], w[c], s, cols[c].right);
        wattrset(win, base);
        if (c != COL_DETAIL)
            fw_tui_put(win, y, x[c] + w[c], 1, " ", false);
        wattrset(win, base);
    }
    wattrset(win, A_NORMAL);
}

/* The lines of the detail pane: every field of the hit under the cursor, wrapped to the width. */
enum { PANE_HEIGHT = 7 };

static void draw_pane(fw_tui *t, hits_view *v, WINDOW *win, int y, int width)
{
    wattrset(win, fw_tui_attr(t, C_HEADER));
    fw_tui_put(win, y, 0, width, "", false);
    if (!v->nrows) {
        fw_tui_put(win, y, 0, width, _("── no hit ──"), false);
        wattrset(win, A_NORMAL);
        return;
    }
    const fw_hit_row *r = &v->rows[v->cursor];
    char idb[32], money[32];
    char *head = fw_printf(_("── Hit %lld · %s · %s · %s ──"), r->id, r->rule_id,
                           fw_label_show(fw_categories, r->category), fw_label_show(fw_severities, r->severity));
    fw_tui_put(win, y, 0, width, head, false);
    free(head);
    wattrset(win, A_NORMAL);
    fw_yuan(r->amount, money);
    char *text = fw_printf(_("%s %s · %s %s · %s · ¥%s · %s … %s · case: %s\n%s"), r->name ? r->name : "",
                           fw_tui_id(t, r->id_number, idb), r->township ? r->township : "",
                           r->village ? r->village : "", r->program ? r->program : "", money, r->first_date,
                           r->last_date, fw_label_show(fw_case_statuses, r->status), r->detail ? r->detail : "");
    char **lines;
    int n = fw_text_wrap(text, width, &lines);
    for (int i = 0; i < n; i++) {
        if (i < PANE_HEIGHT - 1)
            fw_tui_put(win, y + 1 + i, 0, width, lines[i], false);
        free(lines[i]);
    }
    free(lines);
    free(text);
}

static void hits_draw(fw_tui *t, void *p, WINDOW *win)
{
    hits_view *v = p;
    int h, width;
    getmaxyx(win, h, width);
    bool pane = v->pane && h > PANE_HEIGHT + 3;
    if (pane)
        h -= PANE_HEIGHT;
    set_page_size(t, v, h);
    if (pane)
        draw_pane(t, v, win, h, width);
    int x[NCOLS], w[NCOLS];
    layout(width, v->hcol, fw_hit_filter_all_states(&v->filter), x, w);
    wattrset(win, fw_tui_attr(t, C_HEADER));
    for (int c = 0; c < NCOLS; c++) {
        if (!w[c])
            continue;
        char title[64];
        snprintf(title, sizeof title, "%s%s", cols[c].title[0] ? _(cols[c].title) : "",
                 cols[c].sort == v->sort ? (v->desc ? "↓" : "↑") : "");
        fw_tui_put(win, 0, x[c], w[c], title, cols[c].right);
    }
    wattrset(win, A_NORMAL);
    if (v->nrows == 0) {
        fw_tui_put(win, 2, 2, width - 4,
                   v->filter.search || v->filter.rule_id || v->filter.category || v->filter.severity
                       ? _("No hit matches the filter or search (Backspace clears them).")
                       : _("No hits yet: import data and run the rules (fundwatch run)."),
                   false);
        return;
    }
    for (int i = 0; i < v->nrows && i + 1 < h; i++)
        draw_row(t, v, win, i + 1, &v->rows[i], i == v->cursor, x, w);
}

static void hits_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    hits_view *v = p;
    char pos[64] = "", total[192], money[32], other[32], stat[96] = "";
    if (v->top_index >= 0 && v->nrows)
        snprintf(pos, sizeof pos, "%lld", v->top_index + v->cursor + 1);
    else if (v->nrows)
        snprintf(pos, sizeof pos, "?");
    fw_yuan(v->totals.amount, money);
    if (v->totals.other > 0) { /* not payment-based (village statistics): shown apart, labelled */
        fw_yuan(v->totals.other, other);
        snprintf(stat, sizeof stat, _(" · +¥%s not payment-based"), other);
    }
    if (v->totals_failed)
        snprintf(total, sizeof total, "%s", _("totals unavailable"));
    else if (v->totals.done)
        snprintf(total, sizeof total, _("%s of %lld · ¥%s%s"), pos, v->totals.count, money, stat);
    else
        snprintf(total, sizeof total, _("%s of ≥%lld (counting…) · ¥%s%s"), pos, v->totals.count, money, stat);
    char *filter = fw_hit_filter_format(&v->filter);
    snprintf(out, outsz, "%s · %s %s%s%s%s%s%s", total, _("sort"), sort_title(v->sort), v->desc ? "↓" : "↑",
             *filter ? " · " : "", filter, v->filter.search ? " · /" : "", v->filter.search ? v->filter.search : "");
    free(filter);
    if (v->nmarks) {
        size_t n = strlen(out);
        snprintf(out + n, outsz - n, _(" · %lld marked"), v->nmarks);
    }
}

static const char *hits_title(void *p)
{
    hits_view *v = p;
    snprintf(v->title, sizeof v->title, "%s", _("Hits"));
    return v->title;
}

/* --- actions ------------------------------------------------------------------------------------- */

static void reserve_marks(hits_view *v, long long n)
{
    if (n <= v->capmarks)
        return;
    v->capmarks = n > 2 * v->capmarks ? n : 2 * v->capmarks;
    v->marks = fw_realloc(v->marks, (size_t)v->capmarks * sizeof *v->marks);
}

static void toggle_mark(hits_view *v)
{
    if (!v->nrows)
        return;
    long long id = v->rows[v->cursor].id, at = 0;
    while (at < v->nmarks && v->marks[at] < id) /* sorted: find the place */
        at++;
    if (at < v->nmarks && v->marks[at] == id) {
        memmove(v->marks + at, v->marks + at + 1, (size_t)(v->nmarks - at - 1) * sizeof *v->marks);
        v->nmarks--;
        return;
    }
    reserve_marks(v, v->nmarks + 1);
    memmove(v->marks + at + 1, v->marks + at, (size_t)(v->nmarks - at) * sizeof *v->marks);
    v->marks[at] = id;
    v->nmarks++;
}

/* Sets the marks to (marks ∪ ids) or, inverting, to the marks outside ids plus the ids that were
 * not marked; both lists ascending. */
static void merge_marks(hits_view *v, const long long *ids, long long n, bool invert)
{
    long long *out = fw_calloc((size_t)(v->nmarks + n + 1), sizeof *out), k = 0, i = 0, j = 0;
    while (i < v->nmarks || j < n) {
        if (j == n || (i < v->nmarks && v->marks[i] < ids[j]))
            out[k++] = v->marks[i++];
        else if (i == v->nmarks || ids[j] < v->marks[i])
            out[k++] = ids[j++];
        else { /* in both */
            if (!invert)
                out[k++] = ids[j];
            i++, j++;
        }
    }
    free(v->marks);
    v->marks = out;
    v->nmarks = k;
    v->capmarks = v->nmarks + n + 1;
}

/* Marks (or with invert, inverts the marks of) the hits of the list narrowed by words. */
static void mark_matching(fw_tui *t, hits_view *v, const char *words, bool invert)
{
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    char *list = fw_hit_filter_format(&v->filter);
    fw_err err = {0};
    bool empty = false;
    fw_hit_filter_parse(&f, list, &err);
    free(list);
    f.search = v->filter.search ? fw_strdup(v->filter.search) : NULL;
    if (fw_hit_filter_narrow(&f, words ? words : "", &empty, &err)) {
        fw_tui_error(t, "%s", err.msg);
        fw_hit_filter_free(&f);
        return;
    }
    long long *ids = NULL, n = 0;
    long long before = v->nmarks;
    if (!empty && fw_hit_ids(t->ws, &f, &ids, &n, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        merge_marks(v, ids, n, invert);
        if (invert)
            fw_tui_message(t, _("Marks inverted over %lld hits: %lld marked."), n, v->nmarks);
        else
            fw_tui_message(t, _("%lld hits match, %lld newly marked: %lld marked."), n, v->nmarks - before, v->nmarks);
    }
    free(ids);
    fw_hit_filter_free(&f);
}

typedef struct mark_form {
    hits_view *v;
} mark_form;

static void mark_answered(fw_tui *t, void *p, const char *text)
{
    mark_form *m = p;
    mark_matching(t, m->v, text, false);
    free(m);
}

/* Enter: the person a hit is about; a hit about no one person (a statistical hit about a village)
 * opens its case, which holds the village's hits and figures, rather than some payee of its
 * evidence. */
static void open_hit(fw_tui *t, hits_view *v)
{
    if (!v->nrows)
        return;
    const fw_hit_row *r = &v->rows[v->cursor];
    if (r->id_number && *r->id_number) {
        fw_tui_push(t, &fw_view_person, r->id_number);
        return;
    }
    if (r->case_id > 0) {
        char id[24];
        snprintf(id, sizeof id, "%lld", r->case_id);
        fw_tui_push(t, &fw_view_case, id);
        return;
    }
    fw_tui_message(t, _("Hit %lld (%s, about a %s) has no case yet: %s"), r->id, r->rule_id, fw_label_show(fw_subject_kinds, r->subject_kind),
                   r->detail ? r->detail : "");
}

static void move_down(fw_tui *t, hits_view *v, int k)
{
    int room = v->nrows - 1 - v->cursor;
    if (room >= k) {
        v->cursor += k;
        return;
    }
    v->cursor = v->nrows - 1;
    int moved = scroll_down(t, v, k - room);
    (void)moved;
}

static void move_up(fw_tui *t, hits_view *v, int k)
{
    if (v->cursor >= k) {
        v->cursor -= k;
        return;
    }
    int need = k - v->cursor;
    v->cursor = 0;
    scroll_up(t, v, need);
}


/* The sortable columns in screen order, for < and >. */
static const enum col_id sort_order[] = {COL_ID, COL_SEV, COL_RULE, COL_NAME, COL_IDNO, COL_AMOUNT, COL_STATUS,
                                         COL_PLACE, COL_PROGRAM};
enum { NSORT_ORDER = sizeof sort_order / sizeof sort_order[0] };

/* Whether the sort column is on screen with the columns scrolled hcol to the left. */
static bool sort_column_shown(const hits_view *v, int hcol)
{
    int x[NCOLS], w[NCOLS];
    layout(COLS, hcol, fw_hit_filter_all_states(&v->filter), x, w);
    for (int c = 0; c < NCOLS; c++)
        if (w[c] && cols[c].sort == v->sort)
            return true;
    return false;
}

/* Keeps the columns where they are when the sort column is on screen, else scrolls as little as
 * needed to show it. */
static void show_sort_column(hits_view *v)
{
    if (sort_column_shown(v, v->hcol))
        return;
    for (int hcol = 0; hcol <= NSCROLLING; hcol++)
        if (sort_column_shown(v, hcol)) {
            v->hcol = hcol;
            return;
        }
}

static void set_sort(fw_tui *t, hits_view *v, enum fw_hit_sort sort)
{
    v->sort = sort;
    v->desc = v->sort == FW_SORT_AMOUNT; /* the largest sums first: that is what one looks for */
    show_sort_column(v);
    load_first(t, v);
    fw_tui_message(t, _("Sorted by %s %s."), sort_title(v->sort), v->desc ? "↓" : "↑");
}

/* < and >: the sort moves to the column left or right of the sorted one, as on screen. */
static void sort_beside(fw_tui *t, hits_view *v, int dir)
{
    int at = 0;
    for (int i = 0; i < NSORT_ORDER; i++)
        if (cols[sort_order[i]].sort == v->sort)
            at = i;
    at = (at + dir + NSORT_ORDER) % NSORT_ORDER;
    set_sort(t, v, cols[sort_order[at]].sort);
}

static void scroll_columns(fw_tui *t, hits_view *v, int dir)
{
    int to = v->hcol + dir;
    if (to < 0 || to > NSCROLLING) {
        fw_tui_message(t, "%s", dir > 0 ? _("Nothing more to the right.") : _("Already at the left edge."));
        return;
    }
    v->hcol = to;
}

/* A click on a row selects it; on a column title, sorts by that column (again: reverses). */
static bool hits_click(fw_tui *t, void *p, int y, int xc)
{
    hits_view *v = p;
    if (y == 0) {
        int x[NCOLS], w[NCOLS];
        layout(getmaxx(t->body), v->hcol, fw_hit_filter_all_states(&v->filter), x, w);
        for (int c = 0; c < NCOLS; c++)
            if (w[c] && xc >= x[c] && xc <= x[c] + w[c] && cols[c].sort != FW_SORT_COUNT_) {
                if (cols[c].sort == v->sort) {
                    v->desc = !v->desc;
                    load_first(t, v);
                } else
                    set_sort(t, v, cols[c].sort);
                return true;
            }
        return false;
    }
    if (y - 1 >= v->nrows)
        return false;
    v->cursor = y - 1;
    return true;
}

static bool hits_unsaved(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    hits_view *v = p;
    if (!v->nmarks)
        return false;
    snprintf(out, outsz, _("%lld marked hits in the hit list would be unmarked"), v->nmarks);
    return true;
}

/* The cases of the marked hits (each once), else of the hit under the cursor, go to the form. */
static void case_action(fw_tui *t, hits_view *v, enum fw_action a)
{
    if (!v->nrows)
        return;
    long long one = v->rows[v->cursor].id;
    long long *cases = NULL, ncases = 0, without = 0;
    fw_err err = {0};
    if (fw_hits_cases(t->ws, v->nmarks ? v->marks : &one, v->nmarks ? v->nmarks : 1, &cases, &ncases, &without,
                      &err)) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    if (without)
        fw_tui_error(t, _("%lld of the hits have no case yet (cases are made when the rules run)."), without);
    else if (ncases > 0x7fffffff)
        fw_tui_error(t, _("Too many cases at once: mark fewer hits."));
    else
        fw_case_form_start(t, a, cases, (int)ncases);
    free(cases);
}

/* D and :dispatch: the cases of the marked hits, or of the whole list, go out as a verification order
 * (the form of view_orders.c asks which when hits are marked). */
static void dispatch_marked(fw_tui *t, hits_view *v)
{
    if (!v->nmarks) {
        fw_order_dispatch_form_start(t, &v->filter, NULL, 0, 0);
        return;
    }
    long long *cases = NULL, ncases = 0, without = 0;
    fw_err err = {0};
    if (fw_hits_cases(t->ws, v->marks, v->nmarks, &cases, &ncases, &without, &err))
        fw_tui_error(t, "%s", err.msg);
    else if (without)
        fw_tui_error(t, _("%lld of the hits have no case yet (cases are made when the rules run)."), without);
    else if (ncases > 0x7fffffff)
        fw_tui_error(t, _("Too many cases at once: mark fewer hits."));
    else
        fw_order_dispatch_form_start(t, &v->filter, cases, ncases, v->nmarks);
    free(cases);
}

/* The column whose values F counts: the one the list is sorted by (the id sort: the rule). */
static enum fw_freq_col freq_col_of_sort(enum fw_hit_sort s)
{
    switch (s) {
    case FW_SORT_SEVERITY: return FW_FREQ_SEVERITY;
    case FW_SORT_NAME: return FW_FREQ_NAME;
    case FW_SORT_ID_NUMBER: return FW_FREQ_ID_NUMBER;
    case FW_SORT_VILLAGE: return FW_FREQ_VILLAGE;
    case FW_SORT_PROGRAM: return FW_FREQ_PROGRAM;
    case FW_SORT_AMOUNT: return FW_FREQ_AMOUNT;
    case FW_SORT_STATUS: return FW_FREQ_STATUS;
    default: return FW_FREQ_RULE;
    }
}

static int hits_key(fw_tui *t, void *p, enum fw_action a)
{
    hits_view *v = p;
    switch (a) {
    case ACT_DOWN: case ACT_SEARCH_NEXT: move_down(t, v, 1); return true;
    case ACT_UP: case ACT_SEARCH_PREV: move_up(t, v, 1); return true;
    case ACT_PAGE_DOWN: {
        int c = v->cursor;
        if (scroll_down(t, v, v->page) == 0)
            v->cursor = v->nrows - 1;
        else
            v->cursor = c < v->nrows ? c : v->nrows - 1;
        return true;
    }
    case ACT_PAGE_UP: {
        int c = v->cursor;
        if (scroll_up(t, v, v->page) == 0)
            v->cursor = 0;
        else
            v->cursor = c < v->nrows ? c : v->nrows - 1;
        return true;
    }
    case ACT_TOP: load_first(t, v); return true;
    case ACT_BOTTOM: load_last(t, v); return true;
    case ACT_ENTER: open_hit(t, v); return true;
    case ACT_HALF_DOWN: move_down(t, v, v->page / 2 > 0 ? v->page / 2 : 1); return FW_KEY_REDRAW;
    case ACT_HALF_UP: move_up(t, v, v->page / 2 > 0 ? v->page / 2 : 1); return FW_KEY_REDRAW;
    case ACT_SORT: set_sort(t, v, (enum fw_hit_sort)((v->sort + 1) % FW_SORT_COUNT_)); return FW_KEY_REDRAW;
    case ACT_SORT_REVERSE:
        v->desc = !v->desc;
        load_first(t, v);
        fw_tui_message(t, _("Sorted by %s %s."), sort_title(v->sort), v->desc ? "↓" : "↑");
        return true;
    case ACT_SORT_LEFT: sort_beside(t, v, -1); return FW_KEY_REDRAW;
    case ACT_SORT_RIGHT: sort_beside(t, v, 1); return FW_KEY_REDRAW;
    case ACT_SCROLL_LEFT: scroll_columns(t, v, -1); return FW_KEY_REDRAW;
    case ACT_SCROLL_RIGHT: scroll_columns(t, v, 1); return FW_KEY_REDRAW;
    case ACT_DETAIL: v->pane = !v->pane; return FW_KEY_REDRAW;
    case ACT_FILTER: {
        char *f = fw_hit_filter_format(&v->filter);
        fw_tui_prompt(t, P_FILTER, _("Filter: "), f);
        free(f);
        return true;
    }
    case ACT_FILTER_CLEAR:
        fw_hit_filter_free(&v->filter);
        fw_hit_filter_init(&v->filter);
        restart_totals(t, v);
        load_first(t, v);
        fw_tui_message(t, _("Filter and search cleared."));
        return true;
    case ACT_SEARCH:
        free(v->saved_search);
        v->saved_search = v->filter.search ? fw_strdup(v->filter.search) : NULL;
        fw_tui_prompt(t, P_SEARCH, _("Search name or ID number: "), v->filter.search);
        return true;
    case ACT_MARK:
        toggle_mark(v);
        move_down(t, v, 1);
        return true;
    case ACT_CASE_STATUS: case ACT_CASE_NOTE: case ACT_CASE_ASSIGN: case_action(t, v, a); return true;
    case ACT_EXPORT: fw_export_form_leads(t, &v->filter); return true;
    case ACT_ORDER_DISPATCH: dispatch_marked(t, v); return true;
    case ACT_FREQ: fw_tui_push(t, &fw_view_freq, fw_freq_col_name(freq_col_of_sort(v->sort))); return true;
    case ACT_MARK_FILTER: {
        mark_form *m = fw_calloc(1, sizeof *m);
        m->v = v;
        fw_tui_ask(t, _("Mark the hits of the list matching (filter words; Enter marks all of them): "), "",
                   mark_answered, free, m);
        return true;
    }
    case ACT_MARK_INVERT: mark_matching(t, v, "", true); return true;
    case ACT_MARK_CLEAR:
        fw_tui_message(t, _("%lld marks cleared."), v->nmarks);
        v->nmarks = 0;
        return true;
    case ACT_WL_ADD:
        if (v->nrows && !v->rows[v->cursor].id_number)
            fw_tui_error(t, _("Hit %lld is not about one person (%s): the whitelist is per person and rule."),
                         v->rows[v->cursor].id, fw_label_show(fw_subject_kinds, v->rows[v->cursor].subject_kind));
        else if (v->nrows)
            fw_whitelist_form_start(t, v->rows[v->cursor].id_number, v->rows[v->cursor].rule_id);
        return true;
    default:
        return false;
    }
}

static void hits_search(fw_tui *t, void *p, const char *text, bool final)
{
    hits_view *v = p;
    if (!text) { /* cancelled: back to what was there */
        free(v->filter.search);
        v->filter.search = v->saved_search;
        v->saved_search = NULL;
    } else {
        free(v->filter.search);
        v->filter.search = *text ? fw_strdup(text) : NULL;
    }
    (void)final;
    restart_totals(t, v);
    load_first(t, v);
}

static void hits_refresh(fw_tui *t, void *p)
{
    hits_view *v = p;
    restart_totals(t, v);
    load_from_top_row(t, v);
}

/* Another session changed the workspace: the page is read again from its first row (the cursor and the
 * marks stay) and a hit whose case status moved, or whose case a notice named, is marked `+` (bold)
 * until the cursor is on it. Returns how many cases of the page changed. */
static int hits_others_changed(fw_tui *t, void *p, const long long *ids, int n, bool all)
{
    (void)all; /* the statuses shown are compared either way */
    hits_view *v = p;
    int was_n = v->nrows;
    struct seen { long long id, case_id; char status[20]; } *seen = fw_malloc((size_t)(was_n ? was_n : 1) * sizeof *seen);
    for (int i = 0; i < was_n; i++) {
        seen[i].id = v->rows[i].id;
        seen[i].case_id = v->rows[i].case_id;
        memcpy(seen[i].status, v->rows[i].status, sizeof seen[i].status);
    }
    long long at = v->cursor < was_n ? v->rows[v->cursor].id : -1;
    restart_totals(t, v);
    load_from_top_row(t, v);
    long long *cases = fw_malloc((size_t)(v->nrows ? v->nrows : 1) * sizeof *cases);
    int ncases = 0;
    for (int i = 0; i < v->nrows; i++) {
        const fw_hit_row *r = &v->rows[i];
        int j = 0;
        while (j < was_n && seen[j].id != r->id)
            j++;
        bool named = false;
        for (int k = 0; k < n && r->case_id && !named; k++)
            named = ids[k] == r->case_id;
        bool moved = named || (j < was_n && (strcmp(seen[j].status, r->status) != 0 || seen[j].case_id != r->case_id));
        if (!moved)
            continue;
        if (changed_index(v, r->id) < 0) {
            v->changed = fw_realloc(v->changed, (size_t)(v->nchanged + 1) * sizeof *v->changed);
            v->changed[v->nchanged++] = r->id;
        }
        bool counted = false;
        for (int k = 0; k < ncases && !counted; k++)
            counted = cases[k] == r->case_id;
        if (!counted)
            cases[ncases++] = r->case_id;
    }
    v->rest_id = at;
    free(seen);
    free(cases);
    return ncases;
}

static bool hits_idle(fw_tui *t, void *p)
{
    hits_view *v = p;
    if (v->totals.done || v->totals_failed)
        return false;
    fw_err err = {0};
    if (fw_hit_totals_step(t->ws, &v->filter, &v->totals, TOTALS_SLICE, &err) < 0)
        v->totals_failed = true;
    if (v->totals.done && v->top_index < 0 && v->after_page >= 0)
        /* Reached from the end (G): the position is known once the count is. */
        v->top_index = v->totals.count - v->after_page - v->nrows;
    return !v->totals.done && !v->totals_failed;
}

const fw_view_ops fw_view_hits = {
    .name = "hits",
    .scope = S_HITS,
    .open = hits_open,
    .draw = hits_draw,
    .key = hits_key,
    .reload = hits_refresh,
    .close = hits_close,
    .idle = hits_idle,
    .search = hits_search,
    .status = hits_status,
    .title = hits_title,
    .click = hits_click,
    .unsaved = hits_unsaved,
    .others_changed = hits_others_changed,
};
