/* view_freq.c: the frequency view of the hit list (F, as VisiData's Shift-F): for one column, each
 * value with its number of hits, its share of the list, a bar and its money at issue (each payment
 * once however many of the value's hits cite it, audit/money.h, as every other screen counts money),
 * largest first; figures not based on payments (village statistics) in a column apart, shown only
 * when there are some. It opens on the column the list is sorted by (the list's "current" column)
 * and Tab goes to the next column. The counts fill in from the idle loop in slices of hit ids
 * (fw_freq_step_until, audit/freq.c), so keys work meanwhile; Esc or Ctrl-C stops the counting,
 * inside a slice too (the store asks the keyboard while a slice's query runs), keeping what was
 * counted (marked partial). Enter goes back to the hit list filtered to the
 * value: the list's own filter and search plus the value's filter words (a name or ID number becomes
 * the search). The figures are those of the list's filter, as its status line counts them. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/lines.h"

enum { FREQ_SLICE = 100000, BAR_WIDTH = 16 };

typedef struct freq_view {
    void *hits;           /* the hit list's state under this view, to filter on Enter */
    fw_hit_filter filter; /* a copy of the list's filter when the view opened */
    char *filter_text;    /* the same as filter words, to add the value's to */
    fw_freq fq;
    bool stopped, failed;
    double started, took; /* seconds: when counting began, how long it took */
    fw_lines nav;
    int height;
    char title[96];
} freq_view;

static const char *const col_titles[FW_FREQ_COUNT_] = {
    N_("Severity"), N_("Rule"), N_("Category"), N_("Status"), N_("Township"), N_("Village"),
    N_("Program"), N_("Name"), N_("ID number"), N_("Amount"),
};

static void start_counting(fw_tui *t, freq_view *v, enum fw_freq_col col)
{
    fw_freq_free(&v->fq);
    fw_freq_init(t->ws, &v->fq, col);
    v->stopped = v->failed = false;
    v->started = fw_now_seconds();
    v->took = 0;
    v->nav = (fw_lines){0};
}

static char *dup_or_null(const char *s) { return s && *s ? fw_strdup(s) : NULL; }

/* Opened from the hit list (the topmost one in the stack) on the column named by arg. */
static void *freq_open(fw_tui *t, const char *arg)
{
    int i = t->depth - 1;
    while (i >= 0 && t->stack[i].ops != &fw_view_hits)
        i--;
    if (i < 0) {
        fw_tui_error(t, _("The frequency view counts the hit list's values: open the hit list (2) first."));
        return NULL;
    }
    enum fw_freq_col col = FW_FREQ_RULE;
    for (int c = 0; arg && c < FW_FREQ_COUNT_; c++)
        if (strcmp(arg, fw_freq_col_name((enum fw_freq_col)c)) == 0)
            col = (enum fw_freq_col)c;
    freq_view *v = fw_calloc(1, sizeof *v);
    v->hits = t->stack[i].state;
    const fw_hit_filter *f = fw_hits_list_filter(v->hits);
    fw_hit_filter_copy(&v->filter, f);
    v->filter_text = fw_hit_filter_format(&v->filter);
    start_counting(t, v, col);
    return v;
}

static void freq_close(void *p)
{
    freq_view *v = p;
    fw_freq_free(&v->fq);
    fw_hit_filter_free(&v->filter);
    free(v->filter_text);
    free(v);
}

/* The value as shown: the village with its township, an empty one as "(none)". */
static void shown_value(const freq_view *v, const fw_freq_row *r, char *out, size_t outsz)
{
    const char *s = fw_freq_value(&v->fq, r);
    if (r->null || !*s) {
        snprintf(out, outsz, "%s", _("(none)"));
        return;
    }
    if (v->fq.col == FW_FREQ_AMOUNT) {
        char y[32];
        fw_yuan(strtoll(s, NULL, 10), y);
        snprintf(out, outsz, "%s", y);
        return;
    }
    if (v->fq.col == FW_FREQ_SEVERITY || v->fq.col == FW_FREQ_CATEGORY || v->fq.col == FW_FREQ_STATUS)
        s = _(s);
    snprintf(out, outsz, "%s", s);
    for (char *c = out; *c; c++)
        if (*c == '\x1f')
            *c = ' ';
}

/* Whether any value counted so far has figures not based on payments (their column is shown). */
static bool has_other(const freq_view *v)
{
    return fw_freq_total_other(&v->fq) != 0;
}

static void freq_draw(fw_tui *t, void *p, WINDOW *w)
{
    freq_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 1;
    v->nav.n = v->fq.n;
    fw_lines_scroll(&v->nav, v->height);
    bool other = has_other(v);
    /* the value keeps room for an ID number (18) at 100 columns: the bar gives way to the money */
    int w_count = 10, w_share = 7, w_money = width >= 100 ? 16 : 14, w_other = !other ? 0 : width >= 100 ? 18 : 14;
    int w_bar = other ? (width >= 120 ? BAR_WIDTH * 2 : BAR_WIDTH / 2) : width >= 100 ? BAR_WIDTH * 2 : BAR_WIDTH;
    int w_value = width - w_count - w_share - w_bar - w_money - w_other - (other ? 5 : 4);
    int x_count = w_value + 1, x_share = x_count + w_count + 1, x_bar = x_share + w_share + 1,
        x_money = x_bar + w_bar + 1, x_other = x_money + w_money + 1;
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, width, "", false);
    fw_tui_put(w, 0, 0, w_value, _(col_titles[v->fq.col]), false);
    fw_tui_put(w, 0, x_count, w_count, _("Hits"), true);
    fw_tui_put(w, 0, x_share, w_share, _("Share"), true);
    fw_tui_put(w, 0, x_money, w_money, _("Money at issue"), true);
    if (other)
        fw_tui_put(w, 0, x_other, w_other, _("Not payment-based"), true);
    wattrset(w, A_NORMAL);
    long long top = v->fq.top; /* the bars are scaled by the largest count, sorted or not yet */
    for (int i = 0; i < v->height && v->nav.top + i < v->fq.n; i++) {
        int k = v->nav.top + i;
        const fw_freq_row *r = &v->fq.rows[k];
        char value[256], count[32], share[16], money[32], other_money[32] = "", bar[4 * BAR_WIDTH * 2 + 1] = "";
        shown_value(v, r, value, sizeof value);
        snprintf(count, sizeof count, "%lld", r->count);
        snprintf(share, sizeof share, "%.1f%%", v->fq.count ? 100.0 * (double)r->count / (double)v->fq.count : 0.0);
        fw_yuan(fw_freq_paid(r), money);
        if (r->other)
            fw_yuan(r->other, other_money);
        int cells = top ? (int)((r->count * w_bar + top - 1) / top) : 0;
        for (int c = 0; c < cells && c < w_bar; c++)
            strcat(bar, "█");
        wattrset(w, k == v->nav.cursor ? A_REVERSE : A_NORMAL);
        fw_tui_put(w, i + 1, 0, width, "", false);
        fw_tui_put(w, i + 1, 0, w_value, value, false);
        fw_tui_put(w, i + 1, x_count, w_count, count, true);
        fw_tui_put(w, i + 1, x_share, w_share, share, true);
        fw_tui_put(w, i + 1, x_bar, w_bar, bar, false);
        fw_tui_put(w, i + 1, x_money, w_money, money, true);
        if (other)
            fw_tui_put(w, i + 1, x_other, w_other, other_money, true);
        wattrset(w, A_NORMAL);
    }
    if (v->fq.n == 0 && v->fq.done)
        fw_tui_put(w, 2, 2, width - 4, _("No hit in the list: nothing to count."), false);
}

/* Esc or Ctrl-C: the counting stops, what was counted stays. */
static void stop_counting(fw_tui *t, freq_view *v)
{
    v->stopped = true;
    fw_freq_sort(&v->fq);
    fw_tui_message(t, _("Counting stopped: the figures are partial. Esc or q goes back, R counts again."));
}

/* While a slice's query runs: Esc or Ctrl-C typed (remembered: it is taken from the keyboard). */
typedef struct typed_watch {
    fw_tui *t;
    bool typed;
} typed_watch;

static bool typed_stop(void *ctx)
{
    typed_watch *w = ctx;
    return w->typed || (w->typed = fw_tui_stop_typed(w->t));
}

static bool freq_idle(fw_tui *t, void *p)
{
    freq_view *v = p;
    if (v->fq.done || v->stopped || v->failed)
        return false;
    fw_err err = {0};
    typed_watch watch = {t, false};
    int rc = fw_freq_step_until(t->ws, &v->filter, &v->fq, FREQ_SLICE, typed_stop, &watch, &err);
    if (rc == 2 || (rc == 0 && watch.typed)) { /* Esc or Ctrl-C typed while the slice was read */
        stop_counting(t, v);
        return true;
    }
    if (rc < 0) {
        v->failed = true;
        fw_tui_error(t, "%s", err.msg);
        return false;
    }
    /* Sorted as it fills while the values are few; a column of a million values once, at the end. */
    if (rc == 1 || v->fq.n <= 5000)
        fw_freq_sort(&v->fq);
    if (rc == 1)
        v->took = fw_now_seconds() - v->started;
    return rc == 0;
}

static const char *line_text(int i, void *ctx)
{
    freq_view *v = ctx;
    static char value[256];
    shown_value(v, &v->fq.rows[i], value, sizeof value);
    return value;
}

/* Back to the hit list, filtered to the value under the cursor. */
static void select_value(fw_tui *t, freq_view *v)
{
    if (!v->fq.n)
        return;
    fw_freq_sort(&v->fq);
    bool is_search = false;
    char *sel = fw_freq_selection(&v->fq, &v->fq.rows[v->nav.cursor], &is_search);
    if (!sel) {
        fw_tui_error(t, _("This value cannot be put in a filter (it is empty or holds a space)."));
        return;
    }
    char *words = is_search ? fw_strdup(v->filter_text) : fw_printf("%s%s%s", v->filter_text, *v->filter_text ? " " : "", sel);
    char *search = is_search ? fw_strdup(sel) : dup_or_null(v->filter.search);
    void *hits = v->hits;
    while (t->depth > 1 && t->stack[t->depth - 1].state != hits)
        fw_tui_pop(t); /* v is freed here */
    fw_hits_set_filter(t, hits, words, search);
    free(words);
    free(search);
    free(sel);
}

static int freq_key(fw_tui *t, void *p, enum fw_action a)
{
    freq_view *v = p;
    v->nav.n = v->fq.n;
    if (fw_lines_move(&v->nav, a, v->height))
        return FW_KEY_REDRAW;
    switch (a) {
    case ACT_BACK:
        if (!v->fq.done && !v->stopped && !v->failed) {
            /* Esc (or Ctrl-C) between two slices: a second Esc goes back. */
            stop_counting(t, v);
            return FW_KEY_REDRAW;
        }
        return FW_KEY_UNHANDLED;
    case ACT_TAB:
        start_counting(t, v, (enum fw_freq_col)((v->fq.col + 1) % FW_FREQ_COUNT_));
        return FW_KEY_REDRAW;
    case ACT_ENTER: select_value(t, v); return FW_KEY_REDRAW;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        fw_freq_sort(&v->fq);
        return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v);
    default: return FW_KEY_UNHANDLED;
    }
}

static void freq_search(fw_tui *t, void *p, const char *text, bool final)
{
    freq_view *v = p;
    (void)final;
    v->nav.n = v->fq.n;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void freq_reload(fw_tui *t, void *p)
{
    freq_view *v = p;
    start_counting(t, v, v->fq.col);
}

static void freq_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    freq_view *v = p;
    char money[32], state[128], other[96] = "";
    fw_yuan(fw_freq_total_paid(&v->fq), money);
    if (fw_freq_total_other(&v->fq) > 0) { /* as the hit list's footer: apart, labelled */
        char y[32];
        fw_yuan(fw_freq_total_other(&v->fq), y);
        snprintf(other, sizeof other, _(" · +¥%s not payment-based"), y);
    }
    int pct = v->fq.max_id ? (int)((v->fq.next_id - 1) * 100 / v->fq.max_id) : 100;
    if (v->fq.done)
        snprintf(state, sizeof state, _("counted in %.2f s"), v->took);
    else if (v->stopped || v->failed)
        snprintf(state, sizeof state, _("stopped at %d%%: partial"), pct > 100 ? 100 : pct);
    else
        snprintf(state, sizeof state, _("counting… %d%% (Esc stops)"), pct > 100 ? 100 : pct);
    snprintf(out, outsz, _("%d values · %lld hits · ¥%s%s · %s · Enter filters the list · Tab next column"), v->fq.n,
             v->fq.count, money, other, state);
}

static const char *freq_title(void *p)
{
    freq_view *v = p;
    snprintf(v->title, sizeof v->title, _("Frequency of %s%s%s"), _(col_titles[v->fq.col]),
             *v->filter_text ? " · " : "", v->filter_text);
    return v->title;
}

const fw_view_ops fw_view_freq = {
    .name = "frequency",
    .scope = S_FREQ,
    .open = freq_open,
    .draw = freq_draw,
    .key = freq_key,
    .reload = freq_reload,
    .close = freq_close,
    .idle = freq_idle,
    .search = freq_search,
    .status = freq_status,
    .title = freq_title,
};
