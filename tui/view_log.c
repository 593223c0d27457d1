/* view_log.c: the audit-trail screen (L, :log [CASE]): every record newest first, as who did what
 * to which object when, with the fields it changed in words (audit/history.h, the one place
 * that renders a record). f filters by case, user and action (`case=FW-2026-000001 user=王五
 * action=case.status`; an action ending in `.` or a prefix such as `case` matches every action
 * starting so), Backspace clears the filter, Enter unfolds a record into one line per field. v runs
 * `log verify` on a worker thread with its own connection: the bar moves while the chain is walked
 * (the engine cannot say how far it is), Esc stops it, and a break is reported with its record,
 * which the cursor then goes to. Records are read through the trail's public API (fw_trail_list). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/cases.h"
#include "audit/history.h"
#include "audit/i18n.h"
#include "audit/trail.h"
#include "tui/lines.h"

/* The screen holds the newest records in memory; a trail longer than this says so. */
enum { LOG_MAX = 200000 };

typedef struct log_rec {
    long long seq;
    char *at, *user, *action, *object, *before, *after;
    char *words;  /* rendered when first shown */
    char *search; /* searchable text */
} log_rec;

typedef struct log_line {
    int rec;    /* index into recs */
    int field;  /* -1: the record's line; else its field line */
} log_line;

typedef struct log_view {
    log_rec *recs;
    int nrecs;
    bool truncated;
    char **fields;   /* of the unfolded record */
    int unfolded;    /* index of the unfolded record, -1 none */
    log_line *lines;
    fw_lines nav;
    int height;
    /* the filter */
    char *case_ref, *user, *action;
    long long case_id;
    char title[96];
} log_view;

/* --- loading --------------------------------------------------------------------------------------- */

static char *dup_col(fw_rows *rows, int c)
{
    const char *s = fw_rows_text(rows, c);
    return s ? fw_strdup(s) : NULL;
}

static void free_recs(log_view *v)
{
    for (int i = 0; i < v->nrecs; i++) {
        log_rec *r = &v->recs[i];
        free(r->at), free(r->user), free(r->action), free(r->object), free(r->before), free(r->after);
        free(r->words), free(r->search);
    }
    free(v->recs);
    v->recs = NULL;
    v->nrecs = 0;
    fw_strv_free(v->fields);
    v->fields = NULL;
    v->unfolded = -1;
}

/* An action filter matches the action itself or, as a prefix, a family (`case` or `case.`). */
static bool action_matches(const char *want, const char *action)
{
    if (!want || !*want)
        return true;
    size_t n = strlen(want);
    if (strcmp(want, action) == 0)
        return true;
    return strncmp(want, action, n) == 0 && (want[n - 1] == '.' || action[n] == '.');
}

static void build_lines(log_view *v)
{
    int n = v->nrecs;
    for (char **f = v->fields; f && *f; f++)
        n++;
    free(v->lines);
    v->lines = fw_calloc((size_t)n + 1, sizeof *v->lines);
    int k = 0;
    for (int i = 0; i < v->nrecs; i++) {
        v->lines[k++] = (log_line){i, -1};
        if (i == v->unfolded)
            for (int f = 0; v->fields && v->fields[f]; f++)
                v->lines[k++] = (log_line){i, f};
    }
    v->nav.n = k;
}

static void load(fw_tui *t, log_view *v)
{
    free_recs(v);
    char object[48] = "";
    if (v->case_id > 0)
        snprintf(object, sizeof object, "case:%lld", v->case_id);
    fw_err err = {0};
    fw_rows *st;
    /* Without a user or action filter only the newest LOG_MAX records are read; with one, the whole
     * trail is read and filtered here (the trail's API filters by object only). */
    bool narrowing = (v->user && *v->user) || (v->action && *v->action);
    if (fw_trail_list(t->ws, object[0] ? object : NULL, narrowing ? 0 : LOG_MAX + 1, &st, &err)) {
        fw_tui_error(t, "%s", err.msg);
        build_lines(v);
        return;
    }
    int cap = 0;
    int step;
    while ((step = fw_rows_step(st, &err)) == 1) {
        const char *user = fw_rows_text(st, 2), *action = fw_rows_text(st, 3);
        if ((v->user && *v->user && (!user || strcmp(user, v->user) != 0)) || !action_matches(v->action, action ? action : ""))
            continue;
        if (v->nrecs == cap) {
            cap = cap ? cap * 2 : 256;
            v->recs = fw_realloc(v->recs, (size_t)cap * sizeof *v->recs);
        }
        log_rec *r = &v->recs[v->nrecs++];
        memset(r, 0, sizeof *r);
        r->seq = fw_rows_int(st, 0);
        r->at = dup_col(st, 1);
        r->user = dup_col(st, 2);
        r->action = dup_col(st, 3);
        r->object = dup_col(st, 4);
        r->before = dup_col(st, 5);
        r->after = dup_col(st, 6);
        r->search = fw_printf("%lld %s %s %s %s %s", r->seq, r->at ? r->at : "", r->user ? r->user : "",
                              r->action ? r->action : "", r->object ? r->object : "", r->after ? r->after : "");
    }
    fw_rows_close(st);
    if (step < 0)
        fw_tui_error(t, "%s", err.msg);
    /* Oldest first from the API; the screen shows the newest first (what just happened is on top).
     * Beyond LOG_MAX the oldest are dropped. */
    v->truncated = v->nrecs > LOG_MAX;
    for (int i = 0, j = v->nrecs - 1; i < j; i++, j--) {
        log_rec tmp = v->recs[i];
        v->recs[i] = v->recs[j];
        v->recs[j] = tmp;
    }
    while (v->nrecs > LOG_MAX) {
        log_rec *r = &v->recs[--v->nrecs];
        free(r->at), free(r->user), free(r->action), free(r->object), free(r->before), free(r->after), free(r->search);
    }
    build_lines(v);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

/* Parses `case=REF user=NAME action=A` into the view; a case is found by number or id. */
static int set_filter(fw_tui *t, log_view *v, const char *text, fw_err *err)
{
    char *case_ref = NULL, *user = NULL, *action = NULL;
    long long case_id = 0;
    char *copy = fw_strdup(text ? text : "");
    int rc = FW_OK;
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && !rc; w = strtok_r(NULL, " \t", &save)) {
        if (strncmp(w, "case=", 5) == 0 && w[5]) {
            fw_case c;
            if ((rc = fw_case_get(t->ws, w + 5, &c, err)) == FW_OK) {
                case_id = c.id;
                free(case_ref);
                case_ref = fw_strdup(c.case_no);
                fw_case_free(&c);
            }
        } else if (strncmp(w, "user=", 5) == 0 && w[5]) {
            free(user);
            user = fw_strdup(w + 5);
        } else if (strncmp(w, "action=", 7) == 0 && w[7]) {
            free(action);
            action = fw_strdup(w + 7);
        } else
            rc = fw_fail(err, FW_EUSAGE, _("Log filter word '%s' not understood: use case=FW-2026-000001 (or its id), "
                                           "user=NAME, action=case.status (or a prefix such as case)."),
                         w);
    }
    free(copy);
    if (rc) {
        free(case_ref), free(user), free(action);
        return rc;
    }
    free(v->case_ref), free(v->user), free(v->action);
    v->case_ref = case_ref;
    v->user = user;
    v->action = action;
    v->case_id = case_id;
    return FW_OK;
}

static char *filter_text(const log_view *v)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    if (v->case_ref)
        fw_buf_printf(&b, "case=%s", v->case_ref);
    if (v->user)
        fw_buf_printf(&b, "%suser=%s", b.len ? " " : "", v->user);
    if (v->action)
        fw_buf_printf(&b, "%saction=%s", b.len ? " " : "", v->action);
    return fw_buf_steal(&b);
}

/* arg: a case (number or id) to show the trail of, or a filter in the f syntax. */
static void *log_open(fw_tui *t, const char *arg)
{
    log_view *v = fw_calloc(1, sizeof *v);
    v->unfolded = -1;
    if (arg && *arg) {
        char *words = strchr(arg, '=') ? fw_strdup(arg) : fw_printf("case=%s", arg);
        fw_err err = {0};
        int rc = set_filter(t, v, words, &err);
        free(words);
        if (rc) {
            fw_tui_error(t, "%s", err.msg);
            free(v);
            return NULL;
        }
    }
    load(t, v);
    return v;
}

static void log_close(void *p)
{
    log_view *v = p;
    free_recs(v);
    free(v->lines);
    free(v->case_ref), free(v->user), free(v->action);
    free(v);
}

/* --- drawing --------------------------------------------------------------------------------------- */

static const char *words_of(fw_tui *t, log_rec *r)
{
    if (!r->words)
        r->words = fw_history_details(t->ws, r->before, r->after, FW_WORDS_UI);
    return r->words;
}

enum { W_SEQ = 5, W_AT = 20, W_USER = 8, W_ACTION = 16, W_OBJECT = 14 };

static void log_draw(fw_tui *t, void *p, WINDOW *w)
{
    log_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 1;
    fw_lines_scroll(&v->nav, v->height);
    /* At 80 columns the object gives way to what changed. */
    int w_object = width >= 120 ? W_OBJECT : 0;
    int x_at = W_SEQ + 1, x_user = x_at + W_AT + 1, x_action = x_user + W_USER + 1,
        x_object = x_action + W_ACTION + 1, x_what = x_object + (w_object ? w_object + 1 : 0);
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, width, "", false);
    fw_tui_put(w, 0, 0, W_SEQ, _("No."), true);
    fw_tui_put(w, 0, x_at, W_AT, _("When"), false);
    fw_tui_put(w, 0, x_user, W_USER, _("Who"), false);
    fw_tui_put(w, 0, x_action, W_ACTION, _("Action"), false);
    if (w_object)
        fw_tui_put(w, 0, x_object, w_object, _("Object"), false);
    fw_tui_put(w, 0, x_what, width - x_what, _("What changed"), false);
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const log_line *l = &v->lines[k];
        log_rec *r = &v->recs[l->rec];
        wattrset(w, k == v->nav.cursor ? A_REVERSE : A_NORMAL);
        fw_tui_put(w, i + 1, 0, width, "", false);
        if (l->field >= 0) {
            fw_tui_put(w, i + 1, x_user, width - x_user, v->fields[l->field], false);
        } else {
            char seq[24];
            snprintf(seq, sizeof seq, "%lld", r->seq);
            fw_tui_put(w, i + 1, 0, W_SEQ, seq, true);
            char when[FW_TIME_SIZE];
            fw_tui_put(w, i + 1, x_at, W_AT, fw_time_local(r->at, FW_TIME_MINUTE, when, sizeof when), false);
            fw_tui_put(w, i + 1, x_user, W_USER, r->user, false);
            fw_tui_put(w, i + 1, x_action, W_ACTION, fw_history_action(r->action, FW_WORDS_UI), false);
            if (w_object)
                fw_tui_put(w, i + 1, x_object, w_object, r->object, false);
            /* The object goes in front of the words when it has no column of its own. */
            char *what = w_object || !r->object ? fw_strdup(words_of(t, r))
                                                : fw_printf("%s %s", r->object, words_of(t, r));
            fw_tui_put(w, i + 1, x_what, width - x_what, what, false);
            free(what);
        }
        wattrset(w, A_NORMAL);
    }
    if (v->nav.n == 0)
        fw_tui_put(w, 2, 2, width - 4,
                   v->case_ref || v->user || v->action ? _("No record matches the filter (Backspace clears it).")
                                                       : _("The audit trail is empty."),
                   false);
}

static void log_reload(fw_tui *t, void *p);

/* --- verify on a worker thread --------------------------------------------------------------------- */

typedef struct verify_job {
    pthread_mutex_t lock;
    fw_ws *ws; /* the worker's own connection, opened by the screen so Esc can interrupt it */
    bool finished;
    int rc;
    long long checked;
    fw_err err;
} verify_job;

static void *verify_worker(void *arg)
{
    verify_job *j = arg;
    long long checked = 0;
    fw_err err = {0};
    int rc = fw_trail_verify(j->ws, &checked, &err);
    pthread_mutex_lock(&j->lock);
    j->rc = rc;
    j->checked = checked;
    j->err = err;
    j->finished = true;
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* Moves the cursor to the record a verification named ("record N: ..."). */
static void go_to_record(log_view *v, const char *msg)
{
    const char *p = strstr(msg, "record ");
    long long seq;
    if (!p || sscanf(p, "record %lld", &seq) != 1)
        return;
    for (int i = 0; i < v->nav.n; i++)
        if (v->lines[i].field < 0 && v->recs[v->lines[i].rec].seq == seq) {
            v->nav.cursor = i;
            fw_lines_scroll(&v->nav, v->height ? v->height : 1);
            return;
        }
}

static void run_verify(fw_tui *t, log_view *v)
{
    long long head_seq;
    char head[65];
    fw_trail_head(t->ws, &head_seq, head);
    verify_job *j = fw_calloc(1, sizeof *j);
    pthread_mutex_init(&j->lock, NULL);
    if (fw_ws_open(t->ws->path, &j->ws, &j->err)) {
        fw_tui_error(t, "%s", j->err.msg);
        pthread_mutex_destroy(&j->lock);
        free(j);
        return;
    }
    fw_progress bar;
    fw_progress_begin(&bar, t, _("Esc stops"));
    double started = fw_now_seconds();
    pthread_t thread;
    bool threaded = pthread_create(&thread, NULL, verify_worker, j) == 0;
    if (!threaded)
        verify_worker(j); /* no thread: verify here, the screen still meanwhile */
    bool stopped = false;
    for (;;) {
        pthread_mutex_lock(&j->lock);
        bool finished = j->finished;
        pthread_mutex_unlock(&j->lock);
        if (finished)
            break;
        int secs = (int)(fw_now_seconds() - started);
        char *text = fw_printf(_("Verifying the audit trail: %lld records, %d:%02d elapsed…"), head_seq, secs / 60,
                               secs % 60);
        if (fw_progress_wait(&bar, 0, -1, text, 100) && !stopped) {
            stopped = true;
            fw_ws_cancel(j->ws);
        }
        free(text);
    }
    if (threaded)
        pthread_join(thread, NULL);
    /* The list shows what was verified: records written or altered meanwhile are read again. */
    log_reload(t, v);
    t->data_version = fw_ws_data_version(t->ws);
    t->stale = false;
    if (stopped && j->rc)
        fw_tui_message(t, _("Verification stopped: nothing was concluded (v starts it again)."));
    else if (j->rc) {
        fw_tui_error(t, "%s", j->err.msg);
        go_to_record(v, j->err.msg);
    } else {
        fw_trail_head(t->ws, &head_seq, head);
        fw_tui_message(t, _("Audit trail OK: %lld records verified; head %lld %.16s… (write it down to compare later)."),
                       j->checked, head_seq, head);
    }
    fw_ws_close(j->ws);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

/* --- keys ------------------------------------------------------------------------------------------ */

static const char *line_text(int i, void *ctx)
{
    log_view *v = ctx;
    const log_line *l = &v->lines[i];
    return l->field >= 0 ? v->fields[l->field] : v->recs[l->rec].search;
}

static void toggle_unfold(fw_tui *t, log_view *v)
{
    if (!v->nav.n)
        return;
    int rec = v->lines[v->nav.cursor].rec;
    fw_strv_free(v->fields);
    v->fields = NULL;
    if (v->unfolded == rec)
        v->unfolded = -1;
    else {
        log_rec *r = &v->recs[rec];
        v->fields = fw_history_fields(t->ws, r->before, r->after, FW_WORDS_UI);
        v->unfolded = rec;
        if (!v->fields || !v->fields[0])
            fw_tui_message(t, _("Record %lld changed no field."), r->seq);
    }
    build_lines(v);
    for (int i = 0; i < v->nav.n; i++)
        if (v->lines[i].rec == rec && v->lines[i].field < 0)
            v->nav.cursor = i;
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

static int log_key(fw_tui *t, void *p, enum fw_action a)
{
    log_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return FW_KEY_REDRAW;
    switch (a) {
    case ACT_ENTER: toggle_unfold(t, v); return FW_KEY_REDRAW;
    case ACT_FILTER: {
        char *f = filter_text(v);
        fw_tui_prompt(t, P_FILTER, _("Log filter (case= user= action=): "), f);
        free(f);
        return FW_KEY_REDRAW;
    }
    case ACT_FILTER_CLEAR:
        set_filter(t, v, "", &(fw_err){0});
        v->nav.cursor = v->nav.top = 0;
        load(t, v);
        fw_tui_message(t, _("Filter cleared."));
        return FW_KEY_REDRAW;
    case ACT_LOG_VERIFY: run_verify(t, v); return FW_KEY_REDRAW;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v);
    default: return FW_KEY_UNHANDLED;
    }
}

void fw_log_apply_filter(fw_tui *t, void *p, const char *text)
{
    log_view *v = p;
    fw_err err = {0};
    if (set_filter(t, v, text, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    v->nav.cursor = v->nav.top = 0;
    load(t, v);
}

static void log_search(fw_tui *t, void *p, const char *text, bool final)
{
    log_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void log_reload(fw_tui *t, void *p)
{
    log_view *v = p;
    long long seq = v->nav.n ? v->recs[v->lines[v->nav.cursor].rec].seq : -1;
    load(t, v);
    for (int i = 0; seq >= 0 && i < v->nav.n; i++) /* the same record stays selected */
        if (v->recs[v->lines[i].rec].seq == seq)
            v->nav.cursor = i;
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

static void log_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    log_view *v = p;
    char *f = filter_text(v);
    snprintf(out, outsz, _("%d records%s%s%s · Enter unfolds · f filter · v verify the chain"), v->nrecs,
             v->truncated ? _(" (the newest)") : "", *f ? " · " : "", f);
    free(f);
}

static const char *log_title(void *p)
{
    log_view *v = p;
    snprintf(v->title, sizeof v->title, "%s", _("Audit trail"));
    return v->title;
}

const fw_view_ops fw_view_log = {
    .name = "log",
    .scope = S_LOG,
    .open = log_open,
    .draw = log_draw,
    .key = log_key,
    .reload = log_reload,
    .close = log_close,
    .search = log_search,
    .status = log_status,
    .title = log_title,
};
