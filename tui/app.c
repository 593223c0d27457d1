/* app.c: the TUI's main loop. It reads a key (or a line of a key script), turns it into an action
 * through the key table, gives it to the prompt or the top view, lets views do a slice of
 * background work when no key is waiting, notices other writers (PRAGMA data_version) and
 * redraws: every window is staged with wnoutrefresh and the terminal updated by one doupdate per
 * turn, so nothing flickers. Signals are left to curses (KEY_RESIZE); no curses call happens in a
 * signal handler. */
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "audit/i18n.h"
#include "audit/paths.h"
#include "tui/tui.h"

/* --- small shared helpers -------------------------------------------------------------------------- */

attr_t fw_tui_attr(fw_tui *t, int pair)
{
    if (t->colors)
        return COLOR_PAIR(pair) | (pair == C_HEADER || pair == C_HIGH || pair == C_ERROR ? A_BOLD : 0);
    switch (pair) {
    case C_TITLE: case C_KEY: return A_REVERSE;
    case C_HIGH: case C_HEADER: case C_ERROR: return A_BOLD;
    case C_IMPLICATED: case C_MARKED: return A_UNDERLINE | A_BOLD;
    default: return A_NORMAL;
    }
}

static void set_message(fw_tui *t, bool error, const char *fmt, va_list ap)
{
    vsnprintf(t->msg, sizeof t->msg, fmt, ap);
    t->msg_error = error;
}

void fw_tui_message(fw_tui *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(t, false, fmt, ap);
    va_end(ap);
}

void fw_tui_error(fw_tui *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_message(t, true, fmt, ap);
    va_end(ap);
}

void fw_tui_unavailable(fw_tui *t, const char *what)
{
    fw_tui_error(t, _("%s is not part of this build yet (its engine module is still being merged)."), what);
}

void fw_tui_put(WINDOW *w, int y, int x, int width, const char *s, bool right)
{
    if (width <= 0)
        return;
    char buf[1024];
    fw_buf scratch = {0};
    int used = fw_utf8_fit(fw_visible(s ? s : "", &scratch), width, buf, sizeof buf);
    fw_buf_free(&scratch);
    int pad = width - used;
    if (right && pad > 0) {
        mvwprintw(w, y, x, "%*s", pad, "");
        waddstr(w, buf);
    } else {
        mvwaddstr(w, y, x, buf);
        if (pad > 0)
            wprintw(w, "%*s", pad, "");
    }
}

/* The display width of the one UTF-8 character at s (its byte length in *len). */
static int char_cols(const char *s, int *len)
{
    char one[8];
    int n = 1;
    while (n < 4 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    memcpy(one, s, (size_t)n);
    one[n] = '\0';
    *len = n;
    return fw_utf8_width(one);
}

void fw_tui_put_scrolled(WINDOW *w, int y, int x, int width, const char *s, bool right, int hoff)
{
    int cols = getmaxx(w);
    int from = x > hoff ? x : hoff, to = x + width < hoff + cols ? x + width : hoff + cols;
    if (hoff <= 0 || to <= from) {
        if (hoff <= 0)
            fw_tui_put(w, y, x, width < cols - x ? width : cols - x, s, right);
        return;
    }
    /* The cell as fw_tui_put would draw it, then only the columns from..to of it. */
    char fit[1024];
    int used = fw_utf8_fit(s ? s : "", width, fit, sizeof fit);
    int pad = width - used;
    fw_buf cell = {0}, out = {0};
    fw_buf_printf(&cell, "%*s%s%*s", right ? pad : 0, "", fit, right ? 0 : pad, "");
    fw_buf_puts(&out, "");
    int col = x;
    for (const char *p = cell.data; *p && col < to;) {
        int len, cw = char_cols(p, &len);
        if (col >= from && col + cw <= to)
            fw_buf_printf(&out, "%.*s", len, p);
        else if (col + cw > from && col < to) /* a wide character cut by an edge */
            fw_buf_printf(&out, "%*s", (col + cw < to ? col + cw : to) - (col > from ? col : from), "");
        col += cw;
        p += len;
    }
    fw_tui_put(w, y, from - hoff, to - from, out.data, false);
    fw_buf_free(&cell);
    fw_buf_free(&out);
}

const char *fw_tui_id(fw_tui *t, const char *id, char out[32])
{
    if (!id)
        return "";
    if (!t->mask_ids || strlen(id) != 18) {
        snprintf(out, 32, "%s", id);
        return out;
    }
    snprintf(out, 32, "%.6s********%.4s", id, id + 14);
    return out;
}

/* --- the view stack ------------------------------------------------------------------------------- */

static void *top_state(fw_tui *t) { return t->stack[t->depth - 1].state; }
static const fw_view_ops *top_ops(fw_tui *t) { return t->stack[t->depth - 1].ops; }

/* The top screen is about to be covered by another. */
static void leave_top(fw_tui *t)
{
    if (t->depth > 0 && top_ops(t)->leave)
        top_ops(t)->leave(t, top_state(t));
}

bool fw_tui_push(fw_tui *t, const fw_view_ops *ops, const char *arg)
{
    if (t->depth == (int)(sizeof t->stack / sizeof t->stack[0])) {
        fw_tui_error(t, _("Too many screens open: press q to go back first."));
        return false;
    }
    void *s = ops->open(t, arg);
    if (!s)
        return false;
    leave_top(t);
    t->stack[t->depth].ops = ops;
    t->stack[t->depth].state = s;
    t->stack[t->depth].generation = t->generation;
    t->depth++;
    return true;
}

/* The screens kept when left (their filter, sort, marks and cursor come back with them): the
 * top-level ones one returns to with 2, 4, 5 and C. */
static bool keeps_state(const fw_view_ops *ops)
{
    return ops == &fw_view_hits || ops == &fw_view_rules || ops == &fw_view_import || ops == &fw_view_cases;
}

static int parked_index(fw_tui *t, const fw_view_ops *ops)
{
    for (int i = 0; i < t->nparked; i++)
        if (t->parked[i].ops == ops)
            return i;
    return -1;
}

/* A screen under one that changed the workspace shows the change when it is back on top. */
static void reload_if_stale(fw_tui *t)
{
    if (t->stack[t->depth - 1].generation != t->generation) {
        top_ops(t)->reload(t, top_state(t));
        t->stack[t->depth - 1].generation = t->generation;
    }
}

/* Takes the top view off the stack: kept for later when it is a top-level screen over the
 * overview, else closed. */
static void take_off_top(fw_tui *t)
{
    t->depth--;
    const fw_view_ops *ops = t->stack[t->depth].ops;
    void *state = t->stack[t->depth].state;
    int at = parked_index(t, ops);
    if (t->depth == 1 && keeps_state(ops) && at < 0 && t->nparked < (int)(sizeof t->parked / sizeof t->parked[0])) {
        t->parked[t->nparked].ops = ops;
        t->parked[t->nparked++].state = state;
        return;
    }
    ops->close(state);
}

void fw_tui_pop(fw_tui *t)
{
    if (t->depth <= 1) {
        fw_tui_quit(t, false);
        return;
    }
    take_off_top(t);
    reload_if_stale(t);
}

/* Puts a kept screen back on top, reloaded: the workspace may have changed meanwhile. */
static bool unpark(fw_tui *t, const fw_view_ops *ops)
{
    int at = parked_index(t, ops);
    if (at < 0)
        return false;
    leave_top(t);
    t->stack[t->depth].ops = ops;
    t->stack[t->depth++].state = t->parked[at].state;
    t->parked[at] = t->parked[--t->nparked];
    ops->reload(t, t->stack[t->depth - 1].state);
    t->stack[t->depth - 1].generation = t->generation;
    return true;
}

void fw_tui_go(fw_tui *t, const fw_view_ops *ops, const char *arg)
{
    for (int i = 0; i < t->depth; i++)
        if (t->stack[i].ops == ops && !arg) {
            while (t->depth > i + 1)
                take_off_top(t);
            reload_if_stale(t);
            return;
        }
    while (t->depth > 1)
        take_off_top(t);
    if (ops == &fw_view_overview) {
        reload_if_stale(t);
        return;
    }
    if (arg || !unpark(t, ops))
        fw_tui_push(t, ops, arg);
}

void fw_tui_filter_hits(fw_tui *t, const char *filter)
{
    bool open = parked_index(t, &fw_view_hits) >= 0;
    for (int i = 0; i < t->depth; i++)
        open |= t->stack[i].ops == &fw_view_hits;
    if (!open) {
        fw_tui_push(t, &fw_view_hits, filter);
        return;
    }
    fw_tui_go(t, &fw_view_hits, NULL);
    fw_hits_apply_filter(t, top_state(t), filter);
}

/* --- quitting --------------------------------------------------------------------------------------- */

static void add_unsaved(fw_tui *t, const fw_view_ops *ops, void *state, char *out, size_t outsz)
{
    char what[256];
    if (ops->unsaved && ops->unsaved(t, state, what, sizeof what)) {
        size_t n = strlen(out);
        snprintf(out + n, outsz - n, "%s%s", n ? "; " : "", what);
    }
}

/* What quitting would lose, from every open or kept screen: "3 hits are marked; …"; "" if nothing. */
static void unsaved_work(fw_tui *t, char *out, size_t outsz)
{
    out[0] = '\0';
    for (int i = 0; i < t->depth; i++)
        add_unsaved(t, t->stack[i].ops, t->stack[i].state, out, outsz);
    for (int i = 0; i < t->nparked; i++)
        add_unsaved(t, t->parked[i].ops, t->parked[i].state, out, outsz);
}

static void quit_now(fw_tui *t) { t->quit = true; }

void fw_tui_quit(fw_tui *t, bool force)
{
    char what[512];
    unsaved_work(t, what, sizeof what);
    if (force || !what[0]) {
        t->quit = true;
        return;
    }
    char *q = fw_printf(_("Quit? %s. y quits, any other key stays: "), what);
    fw_tui_confirm(t, q, quit_now);
    free(q);
}

/* --- prompt and command line ---------------------------------------------------------------------- */

static void clear_completions(fw_tui *t)
{
    for (int i = 0; i < t->ncompletions; i++)
        free(t->completions[i]);
    free(t->completions);
    t->completions = NULL;
    t->ncompletions = t->completion = 0;
    if (t->msg_lists_completions)
        t->msg[0] = '\0';
    t->msg_lists_completions = false;
}

void fw_tui_prompt(fw_tui *t, enum fw_prompt_kind kind, const char *label, const char *initial)
{
    t->prompt = kind;
    snprintf(t->prompt_label, sizeof t->prompt_label, "%s", label);
    snprintf(t->prompt_text, sizeof t->prompt_text, "%s", initial ? initial : "");
    t->ask_complete = NULL;
    clear_completions(t);
    t->history[kind].browse = t->history[kind].n;
    curs_set(kind == P_CONFIRM ? 0 : 1);
}

void fw_tui_ask_complete(fw_tui *t, fw_completer complete) { t->ask_complete = complete; }

void fw_tui_confirm(fw_tui *t, const char *question, fw_confirm_yes yes)
{
    fw_tui_prompt(t, P_CONFIRM, question, "");
    t->confirm_yes = yes;
}

/* --- prompt history (Up/Down) and completion (Tab) ------------------------------------------------- */

enum { HISTORY_MAX = 100 };

static void remember(fw_tui *t, enum fw_prompt_kind kind, const char *text)
{
    if (kind == P_ASK || kind == P_CONFIRM || !*text)
        return;
    fw_prompt_history *h = &t->history[kind];
    if (h->n && strcmp(h->lines[h->n - 1], text) == 0)
        return;
    if (h->n == HISTORY_MAX) {
        free(h->lines[0]);
        memmove(h->lines, h->lines + 1, (size_t)(h->n - 1) * sizeof *h->lines);
        h->n--;
    }
    h->lines = fw_realloc(h->lines, (size_t)(h->n + 1) * sizeof *h->lines);
    h->lines[h->n++] = fw_strdup(text);
}

/* Up (dir -1) and Down (+1) through what was typed at this kind of prompt; below the newest line
 * is what was being typed before Up. */
static void browse_history(fw_tui *t, int dir)
{
    fw_prompt_history *h = &t->history[t->prompt];
    int to = h->browse + dir;
    if (to < 0 || to > h->n)
        return;
    if (h->browse == h->n)
        snprintf(h->draft, sizeof h->draft, "%s", t->prompt_text);
    h->browse = to;
    snprintf(t->prompt_text, sizeof t->prompt_text, "%s", to == h->n ? h->draft : h->lines[to]);
}

static size_t common_prefix(char **c, int n)
{
    size_t len = strlen(c[0]);
    for (int i = 1; i < n; i++) {
        size_t k = 0;
        while (k < len && c[i][k] == c[0][k])
            k++;
        len = k;
    }
    while (len > 0 && ((unsigned char)c[0][len] & 0xC0) == 0x80) /* not inside a character */
        len--;
    return len;
}

/* Tab: one candidate is taken; several extend the text to what they share and are listed in the
 * message line; Tab again cycles through them. */
static void complete(fw_tui *t)
{
    fw_completer fn = t->prompt == P_COMMAND ? fw_tui_complete_command : t->prompt == P_ASK ? t->ask_complete : NULL;
    if (!fn)
        return;
    if (t->ncompletions > 1 && t->completion >= 0) { /* Tab again: the next candidate */
        t->completion = (t->completion + 1) % t->ncompletions;
        snprintf(t->prompt_text, sizeof t->prompt_text, "%s", t->completions[t->completion]);
        return;
    }
    clear_completions(t);
    t->ncompletions = fn(t, t->prompt_text, &t->completions);
    if (t->ncompletions == 0) {
        fw_tui_message(t, "%s", _("No completion."));
        return;
    }
    size_t len = common_prefix(t->completions, t->ncompletions);
    if (t->ncompletions == 1 || len > strlen(t->prompt_text)) {
        snprintf(t->prompt_text, sizeof t->prompt_text, "%.*s", (int)len, t->completions[0]);
        t->completion = -1; /* the next Tab starts cycling */
        if (t->ncompletions == 1)
            clear_completions(t);
    } else {
        t->completion = 0;
        snprintf(t->prompt_text, sizeof t->prompt_text, "%s", t->completions[0]);
    }
    if (t->ncompletions > 1) {
        fw_buf b = {0};
        for (int i = 0; i < t->ncompletions; i++) {
            const char *c = t->completions[i];
            const char *word = strrchr(c, ' ') && c[strlen(c) - 1] != ' ' ? strrchr(c, ' ') + 1 : c;
            fw_buf_printf(&b, "%s%s", i ? "  " : "", word);
        }
        fw_tui_message(t, "%s", b.data);
        t->msg_lists_completions = true;
        fw_buf_free(&b);
    }
}

void fw_tui_ask(fw_tui *t, const char *label, const char *initial, fw_ask_answer answer, fw_ask_cancel cancel,
                void *ctx)
{
    t->ask_answer = answer;
    t->ask_cancel = cancel;
    t->ask_ctx = ctx;
    fw_tui_prompt(t, P_ASK, label, initial);
}

void fw_tui_changed(fw_tui *t)
{
    t->generation++;
    t->stack[t->depth - 1].generation = t->generation;
    t->data_version = fw_ws_data_version(t->ws); /* our own change is not another writer's */
}

void fw_tui_reload(fw_tui *t)
{
    fw_tui_changed(t);
    top_ops(t)->reload(t, top_state(t));
}

static void draw_all(fw_tui *t);

void fw_tui_paint(fw_tui *t)
{
    draw_all(t);
}

bool fw_tui_progress_wait(fw_tui *t, const char *text, int timeout_ms)
{
    fw_tui_message(t, "%s", text);
    draw_all(t);
    /* Esc pressed meanwhile cancels; other keys typed during the work are dropped. The first read
     * may wait (a job on another thread: the screen sleeps here, not in a busy loop). */
    wtimeout(t->status, timeout_ms);
    bool cancel = false;
    wint_t wc;
    int rc;
    while ((rc = wget_wch(t->status, &wc)) != ERR) {
        if (rc == OK && wc == 27)
            cancel = true;
        wtimeout(t->status, 0);
    }
    return cancel;
}

bool fw_tui_stop_typed(fw_tui *t)
{
    double now = fw_now_seconds();
    if (now - t->stop_looked < 0.02) /* asked every millisecond or so: the terminal every 20 ms */
        return false;
    t->stop_looked = now;
    struct { int rc; wint_t wc; } typed[32];
    int n = 0;
    bool stop = false;
    wtimeout(t->status, 0);
    while (n < 32 && (typed[n].rc = wget_wch(t->status, &typed[n].wc)) != ERR) {
        if (typed[n].rc == OK && (typed[n].wc == 27 || typed[n].wc == ('c' & 0x1f))) {
            stop = true; /* taken: it stopped the work */
            continue;
        }
        n++;
    }
    while (n-- > 0) /* the other keys, back in the order typed, for the loop to read */
        typed[n].rc == OK ? unget_wch((wchar_t)typed[n].wc) : ungetch((int)typed[n].wc);
    return stop;
}

static void prompt_done(fw_tui *t, bool accepted)
{
    enum fw_prompt_kind kind = t->prompt;
    t->prompt = P_NONE;
    t->msg[0] = '\0';
    curs_set(0);
    clear_completions(t);
    char text[sizeof t->prompt_text];
    snprintf(text, sizeof text, "%s", t->prompt_text);
    if (accepted)
        remember(t, kind, text);
    switch (kind) {
    case P_SEARCH:
        if (top_ops(t)->search)
            top_ops(t)->search(t, top_state(t), accepted ? text : NULL, true);
        break;
    case P_COMMAND:
        if (accepted)
            fw_tui_command(t, text);
        break;
    case P_FILTER:
        if (accepted && top_ops(t) == &fw_view_log) /* the trail's own filter: case= user= action= */
            fw_log_apply_filter(t, top_state(t), text);
        else if (accepted) {
            char *cmd = fw_printf("filter %s", text);
            fw_tui_command(t, cmd);
            free(cmd);
        }
        break;
    case P_CONFIRM: {
        fw_confirm_yes yes = t->confirm_yes;
        t->confirm_yes = NULL;
        if (accepted && yes)
            yes(t);
        else
            fw_tui_message(t, "%s", _("Cancelled."));
        break;
    }
    case P_LOOKUP:
        if (accepted && *text)
            fw_tui_go(t, &fw_view_lookup, text);
        break;
    case P_ASK: {
        fw_ask_answer answer = t->ask_answer;
        fw_ask_cancel cancel = t->ask_cancel;
        void *ctx = t->ask_ctx;
        t->ask_answer = NULL;
        t->ask_cancel = NULL;
        t->ask_ctx = NULL;
        if (accepted)
            answer(t, ctx, text);
        else {
            cancel(ctx);
            fw_tui_message(t, _("Cancelled: nothing was changed."));
        }
        break;
    }
    default:
        break;
    }
}

/* Removes the last UTF-8 character of the prompt. */
static void prompt_backspace(fw_tui *t)
{
    size_t n = strlen(t->prompt_text);
    while (n > 0 && ((unsigned char)t->prompt_text[n - 1] & 0xC0) == 0x80)
        n--;
    if (n > 0)
        n--;
    t->prompt_text[n] = '\0';
}

static void prompt_key(fw_tui *t, int key)
{
    if (t->prompt == P_CONFIRM) { /* y (or 是) says yes; any other key, no */
        prompt_done(t, key == 'y' || key == 'Y' || key == 0x662F);
        return;
    }
    if (key == '\t') {
        complete(t);
        return;
    }
    if (key != FW_KEY_FN(KEY_RESIZE) && key != FW_KEY_FN(KEY_MOUSE))
        clear_completions(t);
    if (key == FW_KEY_FN(KEY_UP) || key == FW_KEY_FN(KEY_DOWN)) {
        browse_history(t, key == FW_KEY_FN(KEY_UP) ? -1 : 1);
        if (t->prompt == P_SEARCH && top_ops(t)->search)
            top_ops(t)->search(t, top_state(t), t->prompt_text, false);
        return;
    }
    if (key == 27) {
        prompt_done(t, false);
        return;
    }
    if (key == '\n' || key == '\r' || key == FW_KEY_FN(KEY_ENTER)) {
        prompt_done(t, true);
        return;
    }
    if (key == FW_KEY_FN(KEY_BACKSPACE) || key == 127 || key == 8) {
        if (!t->prompt_text[0]) {
            prompt_done(t, false);
            return;
        }
        prompt_backspace(t);
    } else if (key == 21) { /* C-u: clear the line */
        t->prompt_text[0] = '\0';
    } else if (key >= 32 && !(key & 0x40000000)) {
        char mb[MB_LEN_MAX + 1];
        mbstate_t ps;
        memset(&ps, 0, sizeof ps);
        size_t n = wcrtomb(mb, (wchar_t)key, &ps);
        size_t len = strlen(t->prompt_text);
        if (n == (size_t)-1 || len + n + 1 >= sizeof t->prompt_text)
            return;
        memcpy(t->prompt_text + len, mb, n);
        t->prompt_text[len + n] = '\0';
    } else {
        return;
    }
    if (t->prompt == P_SEARCH && top_ops(t)->search)
        top_ops(t)->search(t, top_state(t), t->prompt_text, false);
}

/* --- global actions ------------------------------------------------------------------------------- */

static void toggle_mask(fw_tui *t)
{
    t->mask_ids = !t->mask_ids;
    fw_err err = {0};
    if (fw_ws_set_setting(t->ws, "mask_ids", t->mask_ids ? "1" : "0", &err))
        fw_tui_error(t, _("Could not save the ID mask setting; it applies to this session only."));
    else
        fw_tui_message(t, t->mask_ids ? _("ID numbers are masked.") : _("ID numbers are shown in full."));
}

static void global_action(fw_tui *t, enum fw_action a)
{
    switch (a) {
    case ACT_QUIT: fw_tui_quit(t, false); break;
    case ACT_BACK: fw_tui_pop(t); break;
    case ACT_HELP:
        if (top_ops(t) != &fw_view_help)
            fw_tui_push(t, &fw_view_help, top_ops(t)->name);
        break;
    case ACT_COMMAND: fw_tui_prompt(t, P_COMMAND, ":", ""); break;
    case ACT_MASK: toggle_mask(t); break;
    case ACT_REFRESH:
        t->stale = false;
        fw_tui_reload(t); /* the screens under this one may be as old: they reload when shown */
        fw_tui_message(t, _("Reloaded."));
        break;
    case ACT_GO_OVERVIEW: fw_tui_go(t, &fw_view_overview, NULL); break;
    case ACT_GO_HITS: fw_tui_go(t, &fw_view_hits, NULL); break;
    case ACT_GO_LOOKUP: fw_tui_prompt(t, P_LOOKUP, _("Look up ID number or name: "), ""); break;
    case ACT_GO_RULES: fw_tui_go(t, &fw_view_rules, NULL); break;
    case ACT_GO_IMPORT: fw_tui_go(t, &fw_view_import, NULL); break;
    case ACT_GO_CASES: fw_tui_go(t, &fw_view_cases, NULL); break;
    case ACT_GO_WHITELIST: fw_tui_go(t, &fw_view_whitelist, NULL); break;
    case ACT_GO_LOG: fw_tui_go(t, &fw_view_log, NULL); break;
    case ACT_GO_ORDERS: fw_tui_go(t, &fw_view_orders, NULL); break;
    default: break;
    }
}

/* --- drawing -------------------------------------------------------------------------------------- */

static void make_windows(fw_tui *t)
{
    if (t->title) {
        delwin(t->title);
        delwin(t->body);
        delwin(t->status);
    }
    int h = LINES < 4 ? 4 : LINES;
    t->title = newwin(1, COLS, 0, 0);
    t->body = newwin(h - 3, COLS, 1, 0);
    t->status = newwin(2, COLS, h - 2, 0);
    leaveok(t->body, TRUE);
    leaveok(t->title, TRUE);
}

static void draw_title(fw_tui *t)
{
    WINDOW *w = t->title;
    wbkgdset(w, ' ' | fw_tui_attr(t, C_TITLE));
    werase(w);
    wattrset(w, fw_tui_attr(t, C_TITLE));
    const fw_view_ops *ops = top_ops(t);
    char *text = fw_printf(" fundwatch │ %s │ %s%s", ops->title ? ops->title(top_state(t)) : ops->name,
                           fw_ws_where(t->ws), t->mask_ids ? _(" │ IDs masked") : "");
    fw_tui_put(w, 0, 0, COLS, text, false);
    free(text);
    wnoutrefresh(w);
}

/* The function-key bar: the keys marked for the bar in this view's scope, each at a column (the
 * same layout is drawn and clicked). */
typedef struct bar_item {
    int key, x, key_width, label_width;
    const char *label;
} bar_item;

static int bar_layout(fw_tui *t, bar_item *items, int max)
{
    int n, count = 0;
    const fw_binding *b = fw_bindings(&n);
    int scope = top_ops(t)->scope, x = 0;
    for (int i = 0; i < n && x < COLS - 4 && count < max; i++) {
        if (!b[i].bar || !(b[i].scope & scope))
            continue;
        char key[16];
        fw_key_name(b[i].key, key);
        const char *label = _(fw_action_label(b[i].action));
        int kw = fw_utf8_width(key), lw = fw_utf8_width(label);
        if (x + kw + lw + 2 > COLS)
            break;
        items[count++] = (bar_item){b[i].key, x, kw, lw, label};
        x += kw + lw + 2;
    }
    return count;
}

static void draw_bar(fw_tui *t, WINDOW *w, int y)
{
    bar_item items[64];
    int n = bar_layout(t, items, 64);
    wmove(w, y, 0);
    for (int i = 0; i < n; i++) {
        char key[16];
        fw_key_name(items[i].key, key);
        wattrset(w, fw_tui_attr(t, C_KEY));
        fw_tui_put(w, y, items[i].x, items[i].key_width, key, false);
        wattrset(w, A_NORMAL);
        fw_tui_put(w, y, items[i].x + items[i].key_width, items[i].label_width + 2, "", false);
        fw_tui_put(w, y, items[i].x + items[i].key_width + 1, items[i].label_width, items[i].label, false);
    }
    wattrset(w, A_NORMAL);
}

static void draw_status(fw_tui *t)
{
    WINDOW *w = t->status;
    werase(w);
    if (t->prompt != P_NONE) {
        /* A form's complaint about the last answer takes the key bar's line while it asks again. */
        if (t->msg[0]) {
            wattrset(w, t->msg_error ? fw_tui_attr(t, C_ERROR) : A_BOLD);
            fw_tui_put(w, 1, 0, COLS, t->msg, false);
            wattrset(w, A_NORMAL);
        } else
            draw_bar(t, w, 1);
        /* What is being typed stays in sight: a label too long for the line gives way (cut with …). */
        int tw = fw_utf8_width(t->prompt_text), lw = fw_utf8_width(t->prompt_label);
        int room = COLS - tw - 1;
        char label[sizeof t->prompt_label];
        if (lw > room && room > 1)
            lw = fw_utf8_fit(t->prompt_label, room, label, sizeof label);
        else
            snprintf(label, sizeof label, "%s", t->prompt_label);
        char *line = fw_printf("%s%s", label, t->prompt_text);
        fw_tui_put(w, 0, 0, COLS, line, false);
        int x = fw_utf8_width(line);
        free(line);
        wmove(w, 0, x < COLS ? x : COLS - 1);
        wnoutrefresh(w);
        return;
    } else if (t->msg[0]) {
        wattrset(w, t->msg_error ? fw_tui_attr(t, C_ERROR) : A_BOLD);
        fw_tui_put(w, 0, 0, COLS, t->msg, false);
        wattrset(w, A_NORMAL);
    } else {
        char line[512] = "";
        if (top_ops(t)->status)
            top_ops(t)->status(t, top_state(t), line, sizeof line);
        if (t->stale) {
            size_t n = strlen(line);
            snprintf(line + n, sizeof line - n, "%s", _("  [changed by another fundwatch: R reloads]"));
        }
        fw_tui_put(w, 0, 0, COLS, line, false);
    }
    draw_bar(t, w, 1);
    wnoutrefresh(w);
}

static void draw_all(fw_tui *t)
{
    draw_title(t);
    werase(t->body);
    top_ops(t)->draw(t, top_state(t), t->body);
    wnoutrefresh(t->body);
    draw_status(t);
    doupdate();
}

/* --- input: the terminal or a key script (FUNDWATCH_TUI_SCRIPT) --------------------------------- */

typedef struct script {
    FILE *in, *timings;
    double started;
    bool waiting;         /* a `wait` line: no key until the screen's background work is done */
    double sleep_until;   /* a `sleep MS` line: no key before then (ms), the screen going on */
    char last[256];       /* the key before the wait, and when it was pressed (ms) */
    double last_t0;
    double longest_step;  /* ms of the longest slice of background work since that key */
} script;

static double now_ms(void) { return fw_now_seconds() * 1e3; }

/* Another session changed the workspace: a screen that can refresh its rows in place does so and
 * marks what changed (the message line counts the cases); the screens under it read again when
 * they are shown. Other screens say so in the status line and R reloads them. */
static void others_changed(fw_tui *t)
{
    long long *ids;
    int n;
    bool all;
    fw_ws_changed_cases(t->ws, &ids, &n, &all);
    if (t->depth && top_ops(t)->others_changed) {
        int changed = top_ops(t)->others_changed(t, top_state(t), ids, n, all);
        for (int i = 0; i < t->depth - 1; i++)
            t->stack[i].generation = -1; /* not the TUI's generation: reloads when back on top */
        /* our own refresh reads again in a new transaction: not another writer's change */
        t->data_version = fw_ws_data_version(t->ws);
        const fw_view_ops *ops = top_ops(t);
        const char *text = ops->changed_text ? ops->changed_text(changed)
                                             : ngettext("%d case changed by others", "%d cases changed by others", changed);
        /* an error on screen and a form's question stay (an error already cleared does not count) */
        if (changed > 0 && !(t->msg_error && t->msg[0]) && t->prompt == P_NONE)
            fw_tui_message(t, text, changed);
    } else {
        t->stale = true;
    }
    free(ids);
}

/* Next key: from the script (one key name per line, "#" comments) or the terminal. Returns -1 on
 * timeout, -2 when the script ended. */
static int read_key(fw_tui *t, script *sc, int timeout_ms, char *name, size_t namesz)
{
    name[0] = '\0';
    if (sc->in && sc->sleep_until > 0) {
        if (now_ms() < sc->sleep_until) {
            napms(timeout_ms < 20 ? timeout_ms : 20);
            return -1;
        }
        sc->sleep_until = 0;
    }
    if (sc->in) {
        char line[256];
        while (fgets(line, sizeof line, sc->in)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (!line[0] || line[0] == '#')
                continue;
            snprintf(name, namesz, "%s", line);
            int k = fw_key_parse(line);
            if (k < 0 && strncmp(line, "text ", 5) == 0) /* a whole prompt reply */
                return -3;
            if (k < 0 && strcmp(line, "wait") == 0) /* until the background work is done */
                return -4;
            if (k < 0 && strncmp(line, "sleep ", 6) == 0) { /* the screen goes on meanwhile */
                sc->sleep_until = now_ms() + atof(line + 6);
                return -1;
            }
            return k < 0 ? -1 : k;
        }
        return -2;
    }
    (void)t;
    wtimeout(t->status, timeout_ms);
    wint_t wc;
    int rc = wget_wch(t->status, &wc);
    if (rc == ERR)
        return -1;
    if (rc == KEY_CODE_YES) {
        if (wc == KEY_RESIZE)
            return FW_KEY_FN(KEY_RESIZE);
        return FW_KEY_FN((int)wc);
    }
    return (int)wc;
}

static void dispatch(fw_tui *t, int key);

/* A mouse event: the wheel moves three lines, a click on the key bar presses that key, a click in
 * the body goes to the view (select the row, switch the tab). */
static void mouse_event(fw_tui *t)
{
    MEVENT ev;
    if (getmouse(&ev) != OK || t->prompt != P_NONE)
        return;
    t->msg[0] = '\0';
    if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
        enum fw_action a = ev.bstate & BUTTON4_PRESSED ? ACT_UP : ACT_DOWN;
        for (int i = 0; i < 3; i++)
            top_ops(t)->key(t, top_state(t), a);
        return;
    }
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
        return;
    int body_h = getmaxy(t->body);
    if (ev.y == LINES - 1) {
        bar_item items[64];
        int n = bar_layout(t, items, 64);
        for (int i = 0; i < n; i++)
            if (ev.x >= items[i].x && ev.x < items[i].x + items[i].key_width + items[i].label_width + 1) {
                dispatch(t, items[i].key);
                return;
            }
    } else if (ev.y >= 1 && ev.y <= body_h && top_ops(t)->click) {
        top_ops(t)->click(t, top_state(t), ev.y - 1, ev.x);
    }
}

static void dispatch(fw_tui *t, int key)
{
    if (key == FW_KEY_FN(KEY_RESIZE)) {
        make_windows(t);
        return;
    }
    if (key == FW_KEY_FN(KEY_MOUSE)) {
        mouse_event(t);
        return;
    }
    if (t->prompt != P_NONE) {
        prompt_key(t, key);
        return;
    }
    t->msg[0] = '\0';
    enum fw_action a = fw_key_action(key, top_ops(t)->scope);
    if (a == ACT_NONE) {
        char name[16];
        fw_key_name(key, name);
        fw_tui_message(t, _("The key %s does nothing here: ? shows the keys."), name);
        return;
    }
    int done = top_ops(t)->key(t, top_state(t), a);
    if (!done)
        global_action(t, a);
    else if ((done & FW_KEY_RELOAD) == FW_KEY_RELOAD)
        fw_tui_reload(t);
}

static void init_colors(fw_tui *t)
{
    t->colors = has_colors();
    if (!t->colors)
        return;
    start_color();
    use_default_colors();
    init_pair(C_TITLE, COLOR_WHITE, COLOR_BLUE);
    init_pair(C_HIGH, COLOR_RED, -1);
    init_pair(C_MEDIUM, COLOR_YELLOW, -1);
    init_pair(C_LOW, -1, -1);
    init_pair(C_IMPLICATED, COLOR_BLACK, COLOR_YELLOW);
    init_pair(C_HEADER, COLOR_CYAN, -1);
    init_pair(C_MARKED, COLOR_GREEN, -1);
    init_pair(C_KEY, COLOR_BLACK, COLOR_CYAN);
    init_pair(C_ERROR, COLOR_WHITE, COLOR_RED);
}

static void load_settings(fw_tui *t)
{
    char *mask = fw_ws_setting(t->ws, "mask_ids");
    t->mask_ids = mask && strcmp(mask, "1") == 0;
    free(mask);
    char *cfg = fw_printf("%s/config.ini", fw_configdir());
    fw_keys_load_config(cfg, t->msg, sizeof t->msg);
    t->msg_error = t->msg[0] != '\0';
    free(cfg);
}

int fw_tui_run(fw_ws *ws, const char *first_view_arg)
{
    double started = now_ms();
    fw_tui t = {.ws = ws};
    script sc = {0};
    const char *spath = getenv("FUNDWATCH_TUI_SCRIPT"), *tpath = getenv("FUNDWATCH_TUI_TIMINGS");
    if (spath && *spath && !(sc.in = fopen(spath, "r"))) {
        fprintf(stderr, "fundwatch tui: cannot read the key script %s\n", spath);
        return FW_EUSAGE;
    }
    if (tpath && *tpath)
        sc.timings = fopen(tpath, "w");
    load_settings(&t);
    set_escdelay(25);
    if (!initscr()) {
        fprintf(stderr, "fundwatch tui: cannot start the terminal screen (is TERM set?)\n");
        return FW_EFAIL;
    }
    raw();
    noecho();
    nonl();
    curs_set(0);
    init_colors(&t);
    make_windows(&t);
    keypad(t.status, TRUE);
    /* Presses only (no click synthesis, which would hold every press back to wait for a release). */
    mouseinterval(0);
    mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    t.data_version = fw_ws_data_version(ws);
    fw_tui_push(&t, &fw_view_overview, NULL);
    if (first_view_arg && t.depth == 1)
        fw_tui_command(&t, first_view_arg);
    if (fw_i18n_fallback_note()) /* the locale asked for is missing: say once what to install */
        fw_tui_error(&t, "%s", fw_i18n_fallback_note());
    int rc = t.depth ? FW_OK : FW_EFAIL;
    bool first = true;
    while (t.depth && !t.quit) {
        draw_all(&t);
        if (first && sc.timings)
            fprintf(sc.timings, "start %.2f\n", now_ms() - started);
        first = false;
        double step0 = now_ms();
        bool busy = top_ops(&t)->idle && top_ops(&t)->idle(&t, top_state(&t));
        if (busy && now_ms() - step0 > sc.longest_step)
            sc.longest_step = now_ms() - step0;
        if (sc.waiting) {
            if (busy)
                continue;
            sc.waiting = false;
            if (sc.timings) { /* the key's work in all, from the key; its longest step is how long Esc waits */
                fprintf(sc.timings, "ready-%s %.2f step %.2f\n", sc.last, now_ms() - sc.last_t0, sc.longest_step);
                fflush(sc.timings);
            }
        }
        char name[256];
        int key = read_key(&t, &sc, busy ? 0 : 100, name, sizeof name);
        if (key == -2)
            break;
        if (key == -4) {
            sc.waiting = true;
            continue;
        }
        double t0 = now_ms();
        snprintf(sc.last, sizeof sc.last, "%s", name);
        sc.last_t0 = t0;
        sc.longest_step = 0;
        if (key == -3) { /* script: "text WORDS" types the words into the open prompt */
            for (const char *p = name + 5; *p;) {
                wchar_t wc;
                int n = mbtowc(&wc, p, MB_CUR_MAX);
                if (n <= 0)
                    break;
                dispatch(&t, (int)wc);
                p += n;
            }
        } else if (key == -1) {
            long long dv = fw_ws_data_version(ws);
            if (dv != t.data_version) {
                t.data_version = dv;
                others_changed(&t);
            }
            continue;
        } else {
            dispatch(&t, key);
        }
        if (sc.timings && !t.quit && t.depth) {
            draw_all(&t);
            fprintf(sc.timings, "%s %.2f\n", name, now_ms() - t0);
        }
    }
    if (t.ask_cancel)
        t.ask_cancel(t.ask_ctx);
    while (t.depth > 0) {
        t.depth--;
        t.stack[t.depth].ops->close(t.stack[t.depth].state);
    }
    while (t.nparked > 0) {
        t.nparked--;
        t.parked[t.nparked].ops->close(t.parked[t.nparked].state);
    }
    clear_completions(&t);
    for (int k = 0; k < P_KINDS_; k++) {
        for (int i = 0; i < t.history[k].n; i++)
            free(t.history[k].lines[i]);
        free(t.history[k].lines);
    }
    delwin(t.title);
    delwin(t.body);
    delwin(t.status);
    endwin();
    if (sc.in)
        fclose(sc.in);
    if (sc.timings)
        fclose(sc.timings);
    return rc;
}
