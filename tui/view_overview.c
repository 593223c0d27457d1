/* view_overview.c: the dashboard, the first screen: datasets with counts, dates and rejects; the
 * last run; hits by category, severity and case status with the money at risk; clusters by
 * township and village and by program and month (举一反三: where one case is, look for more).
 * The figures come from fw_overview_load, the same query `fundwatch overview` prints. Enter on a
 * figure opens the hit list filtered to it. At a million hits the figures take seconds, so they
 * are computed by a worker thread on its own connection while the screen stays live; leaving the
 * overview (another screen over it) stops that worker within a few milliseconds (the store asks its
 * stop flag while the query runs), so it does not compete with the screen the user went to, and the
 * figures are computed again when the overview is back on top. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/vocab.h"
#include "tui/lines.h"

typedef struct ov_line {
    int row;      /* index into ov.rows, or -1 for a section title */
    char *text;   /* the line as drawn (and searched) */
} ov_line;

/* The worker: computes the figures on its own connection; `state` tells the main loop when. */
enum { JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_TAKEN, JOB_STOPPED };
typedef struct loader {
    pthread_t thread;
    char *path;
    fw_overview ov;
    fw_err err;
    atomic_int state; /* JOB_*: set by the worker when it ends, JOB_TAKEN by the main loop */
    atomic_bool stop; /* set by the main loop: the figures are no longer wanted */
    bool started;     /* a thread to join */
} loader;

typedef struct overview_view {
    fw_overview ov;
    ov_line *lines;
    fw_lines nav;
    int height;
    loader job;
} overview_view;

static const struct {
    const char *section, *title;
} sections[] = {
    {"dataset", N_("Datasets (rows, payments total, rejected rows, date range)")},
    {"run", N_("Last rule run")},
    {"total", N_("Totals: present hits and money at issue (each payment once); cases")},
    {"category", N_("Hits by category")},
    {"severity", N_("Hits by severity")},
    {"status", N_("Hits by case status")},
    {"village", N_("Clusters by township and village")},
    {"program_month", N_("Clusters by program and month")},
};

static const char *section_title(const char *s)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (strcmp(sections[i].section, s) == 0)
            return _(sections[i].title);
    return s;
}

/* An item as the interface says it: vocabulary words by their label (audit/vocab.h), dataset names
 * and totals through the catalogue, a run ("#3 complete") by its number and status; places and
 * programs as they are. buf holds a composed item. */
static const char *item_text(const fw_ov_row *r, char *buf, size_t n)
{
    if (strcmp(r->section, "category") == 0)
        return fw_label_show(fw_categories, r->item);
    if (strcmp(r->section, "severity") == 0)
        return fw_label_show(fw_severities, r->item);
    if (strcmp(r->section, "status") == 0)
        return fw_label_show(fw_case_statuses, r->item);
    if (strcmp(r->section, "dataset") == 0 || strcmp(r->section, "total") == 0)
        return _(r->item);
    const char *space = strchr(r->item, ' ');
    if (strcmp(r->section, "run") == 0 && r->item[0] == '#' && space) {
        snprintf(buf, n, "%.*s %s", (int)(space - r->item), r->item, fw_label_show(fw_run_statuses, space + 1));
        return buf;
    }
    return r->item;
}

static char *format_row(const fw_ov_row *r)
{
    char count[32] = "", amount[40] = "", note[80] = "", item[160], first[FW_TIME_SIZE], last[FW_TIME_SIZE];
    if (r->count >= 0)
        snprintf(count, sizeof count, "%lld", r->count);
    if (r->amount >= 0) {
        char y[32];
        fw_yuan(r->amount, y);
        snprintf(amount, sizeof amount, "¥%s", y);
    }
    if (r->rejected > 0)
        snprintf(note, sizeof note, _("%lld rejected"), r->rejected);
    else if (r->other > 0) { /* a village statistic is no money at issue: said so, never added in */
        char y[32];
        fw_yuan(r->other, y);
        snprintf(note, sizeof note, _("+¥%s not payment-based"), y);
    }
    char composed[96];
    const char *text = item_text(r, composed, sizeof composed);
    int w = fw_utf8_width(text);
    snprintf(item, sizeof item, "%s%*s", text, w < 24 ? 24 - w : 0, "");
    return fw_printf("  %s %10s %16s  %-14s %s%s%s", item, count, amount, note,
                     fw_time_local(r->first, FW_TIME_MINUTE, first, sizeof first), r->first || r->last ? " … " : "",
                     fw_time_local(r->last, FW_TIME_MINUTE, last, sizeof last));
}

static void build(overview_view *v)
{
    const char *prev = "";
    v->lines = fw_calloc((size_t)v->ov.n * 2 + 2, sizeof *v->lines);
    v->nav.n = 0;
    for (int i = 0; i < v->ov.n; i++) {
        const fw_ov_row *r = &v->ov.rows[i];
        if (strcmp(prev, r->section) != 0) {
            v->lines[v->nav.n++] = (ov_line){-1, fw_strdup(section_title(r->section))};
            prev = r->section;
        }
        v->lines[v->nav.n++] = (ov_line){i, format_row(r)};
    }
}

static void clear_overview(overview_view *v)
{
    for (int i = 0; i < v->nav.n; i++)
        free(v->lines[i].text);
    free(v->lines);
    v->lines = NULL;
    v->nav.n = 0;
    fw_overview_free(&v->ov);
}

static bool job_stopped(void *arg)
{
    return atomic_load(&((loader *)arg)->stop);
}

static void *load_figures(void *arg)
{
    loader *job = arg;
    pthread_setname_np(pthread_self(), "fw-overview"); /* for top -H, and tui_overview_leave.sh */
    fw_ws *ws;
    int rc = fw_ws_open(job->path, &ws, &job->err);
    if (!rc) {
        rc = fw_overview_load_until(ws, 10, job_stopped, job, &job->ov, &job->err);
        fw_ws_close(ws);
    }
    atomic_store(&job->state, !rc ? JOB_DONE : rc == FW_EINTR && job_stopped(job) ? JOB_STOPPED : JOB_FAILED);
    return NULL;
}

/* Joins the worker (it has ended, or ends soon once stopped). */
static void wait_job(overview_view *v)
{
    if (!v->job.started)
        return;
    pthread_join(v->job.thread, NULL);
    v->job.started = false;
    free(v->job.path);
    v->job.path = NULL;
}

/* Starts computing the figures; the old ones stay on screen until the new ones arrive. */
static void load(fw_tui *t, overview_view *v)
{
    wait_job(v);
    /* A result never taken (the overview was not on top, e.g. reloaded after an import) is
     * dropped here; a taken one was zeroed by overview_idle. */
    fw_overview_free(&v->job.ov);
    fw_err_clear(&v->job.err);
    atomic_store(&v->job.state, JOB_RUNNING);
    atomic_store(&v->job.stop, false);
    v->job.path = fw_strdup(t->ws->path);
    if (pthread_create(&v->job.thread, NULL, load_figures, &v->job) != 0) {
        /* No thread: compute here, blocking once, rather than show nothing. */
        load_figures(&v->job);
        free(v->job.path);
        v->job.path = NULL;
        return;
    }
    v->job.started = true;
}

/* Takes the worker's result when it is ready; true when the screen changed. */
static bool overview_idle(fw_tui *t, void *p)
{
    overview_view *v = p;
    int state = atomic_load(&v->job.state);
    if (state == JOB_RUNNING || state == JOB_TAKEN)
        return false;
    if (state == JOB_STOPPED) { /* stopped when the overview was left: it is back, compute again */
        load(t, v);
        return true;
    }
    wait_job(v);
    if (state == JOB_FAILED)
        fw_tui_error(t, "%s", v->job.err.msg);
    else {
        clear_overview(v);
        v->ov = v->job.ov;
        memset(&v->job.ov, 0, sizeof v->job.ov);
        build(v);
    }
    atomic_store(&v->job.state, JOB_TAKEN);
    return true;
}

/* Another screen covers the overview: its figures are not wanted now. The worker is told to stop
 * and not waited for (it ends within milliseconds; joined when the overview is back or closed). */
static void overview_leave(fw_tui *t, void *p)
{
    (void)t;
    overview_view *v = p;
    if (v->job.started)
        atomic_store(&v->job.stop, true);
}

static void *overview_open(fw_tui *t, const char *arg)
{
    (void)arg;
    overview_view *v = fw_calloc(1, sizeof *v);
    load(t, v);
    return v;
}

static void overview_close(void *p)
{
    overview_view *v = p;
    atomic_store(&v->job.stop, true); /* quitting: no figures are wanted */
    wait_job(v);
    fw_overview_free(&v->job.ov);
    clear_overview(v);
    free(v);
}

static void overview_draw(fw_tui *t, void *p, WINDOW *w)
{
    overview_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h;
    fw_lines_scroll(&v->nav, h);
    if (v->nav.n == 0 && (atomic_load(&v->job.state) == JOB_RUNNING || atomic_load(&v->job.state) == JOB_STOPPED))
        fw_tui_put(w, 1, 2, width - 2, _("Computing the figures…"), false);
    for (int i = 0; i < h && v->nav.top + i < v->nav.n; i++) {
        int li = v->nav.top + i;
        const ov_line *l = &v->lines[li];
        attr_t a = l->row < 0 ? fw_tui_attr(t, C_HEADER) : A_NORMAL;
        if (l->row >= 0 && strcmp(v->ov.rows[l->row].section, "severity") == 0) {
            const char *s = v->ov.rows[l->row].item;
            a = fw_tui_attr(t, strcmp(s, "high") == 0 ? C_HIGH : strcmp(s, "medium") == 0 ? C_MEDIUM : C_LOW);
        }
        if (l->row >= 0 && strcmp(v->ov.rows[l->row].item, FW_OV_ORDERS_OVERDUE) == 0 && v->ov.rows[l->row].count > 0)
            a = fw_tui_attr(t, C_HIGH); /* overdue orders stand out, as on the orders screen */
        if (li == v->nav.cursor)
            a |= A_REVERSE;
        wattrset(w, a);
        fw_tui_put(w, i, 0, width, "", false);
        fw_tui_put_scrolled(w, i, 0, fw_utf8_width(l->text) > width ? fw_utf8_width(l->text) : width, l->text,
                            false, v->nav.hoff);
        wattrset(w, A_NORMAL);
    }
}

static const char *line_text(int i, void *ctx)
{
    return ((overview_view *)ctx)->lines[i].text;
}

/* The hit filter a figure stands for, or NULL. Caller frees. */
static char *filter_for(const fw_ov_row *r)
{
    if (strcmp(r->section, "category") == 0)
        return fw_printf("category=%s", r->item);
    if (strcmp(r->section, "severity") == 0)
        return fw_printf("severity=%s", r->item);
    if (strcmp(r->section, "status") == 0)
        return fw_printf("status=%s", r->item);
    if (strcmp(r->section, "total") == 0 && strcmp(r->item, "hits") == 0)
        return fw_strdup("");
    if (strcmp(r->section, "village") == 0 || strcmp(r->section, "program_month") == 0) {
        char a[128] = "", b[128] = "";
        sscanf(r->item, "%127s %127s", a, b);
        if (strcmp(r->section, "program_month") == 0)
            return fw_printf("program=%s", a);
        return b[0] ? fw_printf("township=%s village=%s", a, b) : fw_printf("township=%s", a);
    }
    return NULL;
}

/* Tab and Shift-Tab: the next (dir 1) or previous (-1) section title. */
static void sections_next(overview_view *v, int dir)
{
    for (int k = 1; k <= v->nav.n; k++) {
        int i = ((v->nav.cursor + dir * k) % v->nav.n + v->nav.n) % v->nav.n;
        if (v->lines[i].row < 0) {
            v->nav.cursor = i;
            v->nav.top = i;
            return;
        }
    }
}

static int overview_key(fw_tui *t, void *p, enum fw_action a)
{
    overview_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return true;
    switch (a) {
    case ACT_TAB: sections_next(v, 1); return FW_KEY_REDRAW;
    case ACT_TAB_PREV: sections_next(v, -1); return FW_KEY_REDRAW;
    case ACT_SCROLL_LEFT: case ACT_SCROLL_RIGHT:
        return fw_lines_hscroll(t, &v->nav, a, COLS, fw_lines_widest(&v->nav, line_text, v)) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    case ACT_ENTER: {
        if (v->nav.n == 0 || v->lines[v->nav.cursor].row < 0)
            return true;
        const fw_ov_row *r = &v->ov.rows[v->lines[v->nav.cursor].row];
        if (strcmp(r->item, FW_OV_ORDERS_OPEN) == 0 || strcmp(r->item, FW_OV_ORDERS_OVERDUE) == 0) {
            fw_tui_go(t, &fw_view_orders, NULL); /* the orders behind the figure */
            return true;
        }
        char *f = filter_for(r);
        if (f) {
            char *cmd = fw_printf("filter %s", f);
            fw_tui_command(t, cmd);
            free(cmd);
            free(f);
        } else
            fw_tui_message(t, _("This figure has no hit list behind it."));
        return true;
    }
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    default: return false;
    }
}

static void overview_search(fw_tui *t, void *p, const char *text, bool final)
{
    overview_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void overview_refresh(fw_tui *t, void *p)
{
    load(t, p);
}

static bool overview_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    return fw_lines_click(&((overview_view *)p)->nav, y);
}

static void overview_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    (void)p;
    snprintf(out, outsz, "%s", _("Enter opens the hits behind a figure · 2 hits · 3 lookup · 4 rules · 5 import · C cases"));
}

static const char *overview_title(void *p)
{
    (void)p;
    return _("Overview");
}

const fw_view_ops fw_view_overview = {
    .name = "overview",
    .scope = S_OVERVIEW,
    .open = overview_open,
    .draw = overview_draw,
    .key = overview_key,
    .reload = overview_refresh,
    .close = overview_close,
    .search = overview_search,
    .idle = overview_idle,
    .status = overview_status,
    .title = overview_title,
    .click = overview_click,
    .leave = overview_leave,
};
