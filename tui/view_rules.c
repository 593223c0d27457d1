/* view_rules.c: the rule catalogue grouped by category: each rule with its enablement in this
 * workspace (rule_settings), present hits, hits and time of its last run. Space enables or
 * disables, Enter lists its hits, e opens $EDITOR at the rule, r runs the selected rule and A every
 * enabled rule through the engine's run API (R reloads, as everywhere); / searches. The run goes on a worker thread with its own
 * connection, so the screen stays live: the bar shows the rule, the rules done and the time, and
 * Esc stops the run even inside a long rule (rules completed before it are kept, as with Ctrl-C on
 * `fundwatch run`). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/engine.h"
#include "audit/ruledata.h"
#include "audit/i18n.h"
#include "audit/vocab.h"
#include "tui/lines.h"

typedef struct rules_view {
    fw_rule_row *rows;
    fw_lines nav;
    int height;
} rules_view;

static void load(fw_tui *t, rules_view *v)
{
    fw_rules_free(v->rows, v->nav.n);
    v->rows = NULL;
    int cursor = v->nav.cursor;
    v->nav.n = 0;
    fw_err err = {0};
    if (fw_rules_list(t->ws, &v->rows, &v->nav.n, &err))
        fw_tui_error(t, "%s", err.msg);
    v->nav.cursor = cursor;
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

static void *rules_open(fw_tui *t, const char *arg)
{
    (void)arg;
    rules_view *v = fw_calloc(1, sizeof *v);
    load(t, v);
    return v;
}

static void rules_close(void *p)
{
    rules_view *v = p;
    fw_rules_free(v->rows, v->nav.n);
    free(v);
}

/* Column widths: on, rule, category, hits, last run; the name takes what is left after the run's
 * time and status, which get up to 30 columns but give way to at least 16 of name. */
enum { W_ON = 5, W_RULE = 9, W_CAT = 12, W_HITS = 6, W_LAST = 8, W_WHEN_MAX = 30, W_NAME_MIN = 16 };

static void rules_draw(fw_tui *t, void *p, WINDOW *w)
{
    rules_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 1;
    fw_lines_scroll(&v->nav, v->height);
    int fixed = W_ON + W_RULE + 1 + W_CAT + 1 + W_HITS + 1 + W_LAST + 2;
    int when_w = width - fixed - W_NAME_MIN - 1;
    when_w = when_w > W_WHEN_MAX ? W_WHEN_MAX : when_w < 0 ? 0 : when_w;
    int name_w = width - fixed - (when_w ? when_w + 1 : 0);
    int x_rule = W_ON, x_name = x_rule + W_RULE + 1, x_cat = x_name + name_w + 1, x_hits = x_cat + W_CAT + 1,
        x_last = x_hits + W_HITS + 1, x_when = x_last + W_LAST + 2;
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, width, "", false);
    fw_tui_put(w, 0, 0, W_ON, _("On"), false);
    fw_tui_put(w, 0, x_rule, W_RULE, _("Rule"), false);
    fw_tui_put(w, 0, x_name, name_w, _("Rule name"), false);
    fw_tui_put(w, 0, x_cat, W_CAT, _("Category"), false);
    fw_tui_put(w, 0, x_hits, W_HITS, _("Hits"), true);
    fw_tui_put(w, 0, x_last, W_LAST, _("Last run"), true);
    fw_tui_put(w, 0, x_when, when_w, _("Run at, status"), false);
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const fw_rule_row *r = &v->rows[k];
        char hits[24], last[24], when[96], at[FW_TIME_SIZE];
        snprintf(hits, sizeof hits, "%lld", r->hits);
        snprintf(last, sizeof last, "%lld", r->last_hits);
        snprintf(when, sizeof when, "%s %s",
                 r->last_run_at ? fw_time_local(r->last_run_at, FW_TIME_MINUTE, at, sizeof at) : _("never run"),
                 r->status ? fw_label_show(fw_run_statuses, r->status) : "");
        /* Every row names its category: a row read alone (after a search, at the top of a page) says
         * what it is. */
        wattrset(w, k == v->nav.cursor ? A_REVERSE : (r->enabled ? A_NORMAL : A_DIM));
        fw_tui_put(w, i + 1, 0, width, "", false);
        fw_tui_put(w, i + 1, 0, W_ON, r->enabled ? "[x]" : "[ ]", false);
        fw_tui_put(w, i + 1, x_rule, W_RULE, r->rule_id, false);
        fw_tui_put(w, i + 1, x_name, name_w, r->name, false);
        fw_tui_put(w, i + 1, x_cat, W_CAT, r->category && *r->category ? fw_label_show(fw_categories, r->category) : "", false);
        fw_tui_put(w, i + 1, x_hits, W_HITS, hits, true);
        fw_tui_put(w, i + 1, x_last, W_LAST, last, true);
        fw_tui_put(w, i + 1, x_when, when_w, when, false);
        wattrset(w, A_NORMAL);
    }
    if (v->nav.n == 0)
        fw_tui_put(w, 2, 2, width - 4, _("No rules found: neither rule files nor runs."), false);
}

/* Opens $EDITOR (else vi) at the rule's section line, with curses suspended meanwhile. */
static void edit_rule(fw_tui *t, rules_view *v, const fw_rule_row *r)
{
    if (!r->file) {
        fw_tui_error(t, _("Rule %s has no file recorded."), r->rule_id);
        return;
    }
    int line = 1, n = 0;
    FILE *f = fopen(r->file, "r");
    if (f) {
        char buf[1100];
        char *want = fw_printf("[%s]", r->rule_id);
        while (fgets(buf, sizeof buf, f)) {
            n++;
            if (strncasecmp(buf, want, strlen(want)) == 0) {
                line = n;
                break;
            }
        }
        free(want);
        fclose(f);
    }
    const char *editor = getenv("EDITOR");
    char *cmd = fw_printf("%s +%d '%s'", editor && *editor ? editor : "vi", line, r->file);
    def_prog_mode();
    endwin();
    int rc = system(cmd);
    reset_prog_mode();
    free(cmd);
    clearok(curscr, TRUE);
    char *file = fw_strdup(r->file);
    load(t, v); /* r belongs to the old list */
    if (rc != 0)
        fw_tui_error(t, _("The editor ended with an error (status %d)."), rc);
    else
        fw_tui_message(t, _("Edited %s; check it with `fundwatch rules check` before the next run."), file);
    free(file);
}

/* A rule run on a worker thread, with its own connection (WAL lets the screen's connection read
 * meanwhile). The engine's progress callback runs on the worker and writes what the screen shows
 * under the lock; the screen thread reads it, repaints and sets stop on Esc, which the engine
 * checks inside a running query too. */
typedef struct run_job {
    pthread_mutex_t lock;
    char *path;
    fw_ruleset *set;
    fw_run_opts opts;
    const char *ids[1];
    volatile sig_atomic_t stop;
    /* under lock */
    int done, total;
    char current[64]; /* the rule running now */
    int indexes_done, indexes_total; /* missing dataset indexes built before the first rule */
    char index[64];                  /* the one being built; "" when none */
    bool finished;
    /* the worker's outcome, read after the join */
    int rc;
    fw_run_result res;
    fw_err err;
} run_job;

static void on_rule(void *p, const fw_rule_result *r)
{
    run_job *j = p;
    pthread_mutex_lock(&j->lock);
    if (r->status[0])
        j->done++;
    snprintf(j->current, sizeof j->current, "%s", r->rule_id);
    pthread_mutex_unlock(&j->lock);
}

/* Before the first rule the engine builds the indexes a bulk import left out (audit/indexes.h). */
static int on_index(void *p, int done, int total, const char *index)
{
    run_job *j = p;
    pthread_mutex_lock(&j->lock);
    j->indexes_done = done;
    j->indexes_total = total;
    snprintf(j->index, sizeof j->index, "%s", index ? index : "");
    pthread_mutex_unlock(&j->lock);
    return 0; /* Esc reaches the build through the run's interrupt */
}

static void *run_worker(void *arg)
{
    run_job *j = arg;
    fw_ws *ws;
    int rc = fw_ws_open(j->path, &ws, &j->err);
    if (!rc) {
        rc = fw_run(ws, j->set, &j->opts, &j->res, &j->err);
        fw_ws_close(ws);
    }
    pthread_mutex_lock(&j->lock);
    j->rc = rc;
    j->finished = true;
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* The screen while the worker runs: the bar with the rule, the count and the time ticking, five
 * times a second; Esc asks the engine to stop. */
static void watch_run(fw_tui *t, run_job *j)
{
    fw_progress bar;
    fw_progress_begin(&bar, t, _("Esc stops the run"));
    double started = fw_now_seconds();
    for (;;) {
        pthread_mutex_lock(&j->lock);
        bool finished = j->finished;
        int done = j->done, total = j->total;
        char current[64], index[64];
        snprintf(current, sizeof current, "%s", j->current[0] ? j->current : "…");
        snprintf(index, sizeof index, "%s", j->index);
        int indexes_done = j->indexes_done, indexes_total = j->indexes_total;
        pthread_mutex_unlock(&j->lock);
        if (finished)
            break;
        int secs = (int)(fw_now_seconds() - started);
        char *text;
        if (j->stop)
            text = fw_printf(_("Stopping the run after %d:%02d…"), secs / 60, secs % 60);
        else if (index[0]) {
            text = fw_printf(_("Indexing for the rules: %s (%d of %d), %d:%02d elapsed…"), index, indexes_done + 1,
                             indexes_total, secs / 60, secs % 60);
            done = indexes_done;
            total = indexes_total;
        } else
            text = fw_printf(_("Running %s: %d of %d rules done, %d:%02d elapsed…"), current, done, total, secs / 60,
                             secs % 60);
        if (fw_progress_wait(&bar, done, total, text, 200))
            j->stop = 1;
        free(text);
    }
}

/* Runs one rule (only) or every enabled rule on a worker thread, then reloads the list. */
static void run_rules(fw_tui *t, rules_view *v, const char *only)
{
    fw_ruleset set;
    fw_diags d = {0};
    fw_err err = {0};
    fw_rule_sources src = fw_rule_default_sources(NULL);
    if (fw_rules_load(&src, &set, &d, &err)) {
        fw_diags_free(&d);
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    fw_diags_free(&d);
    char *lacking = NULL; /* rules that will find nothing: the run still goes ahead */
    if (fw_rules_data_check(t->ws, &set, NULL, only ? &only : NULL, only ? 1 : 0, &lacking, &err)) {
        fw_tui_error(t, "%s", err.msg); /* none of the rules has its data: say what to import */
        fw_ruleset_free(&set);
        return;
    }
    free(lacking);
    run_job *j = fw_calloc(1, sizeof *j);
    pthread_mutex_init(&j->lock, NULL);
    j->path = fw_strdup(t->ws->path);
    j->set = &set;
    j->total = only ? 1 : 0;
    if (!only)
        for (int i = 0; i < set.n; i++)
            j->total += set.rules[i].enabled;
    j->ids[0] = only;
    j->opts = (fw_run_opts){.only = only ? j->ids : NULL, .nonly = only ? 1 : 0, .interrupt = &j->stop,
                            .progress = on_rule, .indexing = on_index, .progress_ctx = j};
    pthread_t thread;
    if (pthread_create(&thread, NULL, run_worker, j) == 0) {
        watch_run(t, j);
        pthread_join(thread, NULL);
    } else {
        run_worker(j); /* no thread: run here, the screen frozen meanwhile, rather than not at all */
    }
    load(t, v);
    int completed = 0;
    for (int i = 0; i < j->res.nrules; i++)
        completed += strcmp(j->res.rules[i].status, "complete") == 0;
    if (j->rc == FW_EINTR && j->res.run_id == 0)
        fw_tui_error(t, _("Stopped while indexing for the rules: the indexes built are kept; no rule ran."));
    else if (j->rc == FW_EINTR)
        fw_tui_error(t, _("Run %lld stopped: %d rules completed and kept; the rest did not run."), j->res.run_id,
                     completed);
    else if (j->rc)
        fw_tui_error(t, "%s", j->err.msg);
    else
        fw_tui_message(t, _("Run %lld complete: %d rules, %ld new, %ld present, %ld gone."), j->res.run_id,
                       j->res.nrules, j->res.hits_new, j->res.hits_present, j->res.hits_gone);
    fw_run_result_free(&j->res);
    pthread_mutex_destroy(&j->lock);
    free(j->path);
    free(j);
    fw_ruleset_free(&set);
    t->data_version = fw_ws_data_version(t->ws); /* our own run is not another writer's */
}

/* What `/` searches in a rule's line: its id and category, as shown. */
static const char *rule_text(int i, void *ctx)
{
    rules_view *v = ctx;
    static char buf[160];
    snprintf(buf, sizeof buf, "%s %s %s", v->rows[i].rule_id, v->rows[i].category ? v->rows[i].category : "",
             fw_label_show(fw_categories, v->rows[i].category));
    return buf;
}

static int rules_key(fw_tui *t, void *p, enum fw_action a)
{
    rules_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return true;
    if (a == ACT_SEARCH || a == ACT_SEARCH_NEXT || a == ACT_SEARCH_PREV)
        return fw_lines_search_key(t, &v->nav, a, v->height, rule_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    if (a == ACT_RULE_RUN_ALL) {
        run_rules(t, v, NULL);
        return FW_KEY_RELOAD; /* the hits and cases changed under every screen */
    }
    if (a == ACT_RULE_RUN && v->nav.n > 0) {
        char *id = fw_strdup(v->rows[v->nav.cursor].rule_id);
        run_rules(t, v, id);
        free(id);
        return FW_KEY_RELOAD;
    }
    if (v->nav.n == 0)
        return a == ACT_RULE_TOGGLE || a == ACT_RULE_EDIT || a == ACT_ENTER;
    fw_rule_row *r = &v->rows[v->nav.cursor];
    switch (a) {
    case ACT_RULE_TOGGLE: {
        fw_err err = {0};
        if (fw_rule_set_enabled(t->ws, r->rule_id, !r->enabled, &err))
            fw_tui_error(t, "%s", err.msg);
        else {
            fw_tui_message(t, r->enabled ? _("%s disabled in this workspace.") : _("%s enabled in this workspace."),
                           r->rule_id);
            r->enabled = !r->enabled;
        }
        return true;
    }
    case ACT_RULE_EDIT: edit_rule(t, v, r); return true;
    case ACT_ENTER: {
        char *cmd = fw_printf("rule %s", r->rule_id);
        fw_tui_command(t, cmd);
        free(cmd);
        return true;
    }
    default: return false;
    }
}

static void rules_refresh(fw_tui *t, void *p)
{
    load(t, p);
}

static void rules_search(fw_tui *t, void *p, const char *text, bool final)
{
    rules_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, rule_text, v);
}

static bool rules_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    return fw_lines_click(&((rules_view *)p)->nav, y - 1);
}

static void rules_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    rules_view *v = p;
    int on = 0;
    for (int i = 0; i < v->nav.n; i++)
        on += v->rows[i].enabled;
    snprintf(out, outsz, _("%d rules, %d enabled · Space on/off · Enter hits · e edit · r run · A run all · / search"), v->nav.n, on);
}

static const char *rules_title(void *p)
{
    (void)p;
    return _("Rules");
}

const fw_view_ops fw_view_rules = {
    .name = "rules",
    .scope = S_RULES,
    .open = rules_open,
    .draw = rules_draw,
    .key = rules_key,
    .reload = rules_refresh,
    .close = rules_close,
    .search = rules_search,
    .status = rules_status,
    .title = rules_title,
    .click = rules_click,
};
