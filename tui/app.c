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

bool fw_tui_push(fw_tui *t, const fw_view_ops *ops, const char *arg)
{
    if (t->depth == (int)(sizeof t->stack / sizeof t->stack[0])) {
        fw_tui_error(t, _("Too many screens open: press q to go back first."));
        return false;
    }
    void *s = ops->open(t, arg);
    if (!s)
        return false;
    t->stack[t->depth].ops = ops;
    t->stack[t->depth].state = s;
    t->stack[t->depth].generation = t->generation;
    t->depth++;
    return true;
}

void fw_tui_pop(fw_tui *t)
{
    if (t->depth <= 1) {
        t->quit = true;
        return;
    }
    t->depth--;
    t->stack[t->depth].ops->close(t->stack[t->depth].state);
    /* A screen under one that changed the workspace shows the change when it is back on top. */
    if (t->stack[t->depth - 1].generation != t->generation) {
        top_ops(t)->reload(t, top_state(t));
        t->stack[t->depth - 1].generation = t->generation;
    }
}

/* Goes to a top-level screen: back to it when it is open, else opened over the overview. */
static void go_to(fw_tui *t, const fw_view_ops *ops, const char *arg)
{
    for (int i = 0; i < t->depth; i++)
        if (t->stack[i].ops == ops && !arg) {
            while (t->depth > i + 1)
                fw_tui_pop(t);
            return;
        }
    while (t->depth > 1)
        fw_tui_pop(t);
    if (ops != &fw_view_overview)
        fw_tui_push(t, ops, arg);
}

/* --- prompt and command line ---------------------------------------------------------------------- */

void fw_tui_prompt(fw_tui *t, enum fw_prompt_kind kind, const char *label, const char *initial)
{
    t->prompt = kind;
    snprintf(t->prompt_label, sizeof t->prompt_label, "%s", label);
    snprintf(t->prompt_text, sizeof t->prompt_text, "%s", initial ? initial : "");
    curs_set(1);
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

static void prompt_done(fw_tui *t, bool accepted)
{
    enum fw_prompt_kind kind = t->prompt;
    t->prompt = P_NONE;
    t->msg[0] = '\0';
    curs_set(0);
    char text[sizeof t->prompt_text];
    snprintf(text, sizeof text, "%s", t->prompt_text);
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
    case P_LOOKUP:
        if (accepted && *text)
            go_to(t, &fw_view_lookup, text);
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

/* Applies a filter to the hit list: the open one (keeping its sort), or a new one. */
static void command_filter(fw_tui *t, const char *filter)
{
    for (int i = 0; i < t->depth; i++)
        if (t->stack[i].ops == &fw_view_hits) {
            while (t->depth > i + 1)
                fw_tui_pop(t);
            fw_hits_apply_filter(t, t->stack[i].state, filter);
            return;
        }
    fw_tui_push(t, &fw_view_hits, filter);
}

void fw_tui_command(fw_tui *t, const char *line)
{
    while (*line == ' ' || *line == ':')
        line++;
    char word[32] = "";
    int n = 0;
    sscanf(line, "%31s%n", word, &n);
    const char *rest = line + n;
    while (*rest == ' ')
        rest++;
    if (!*word)
        return;
    if (strcmp(word, "q") == 0 || strcmp(word, "quit") == 0 || strcmp(word, "q!") == 0)
        t->quit = true;
    else if (strcmp(word, "rule") == 0 && *rest) {
        char *f = fw_printf("rule=%s", rest);
        command_filter(t, f);
        free(f);
    } else if (strcmp(word, "filter") == 0)
        command_filter(t, rest);
    else if ((strcmp(word, "lookup") == 0 || strcmp(word, "l") == 0) && *rest)
        go_to(t, &fw_view_lookup, rest);
    else if (strcmp(word, "person") == 0 && *rest)
        fw_tui_push(t, &fw_view_person, rest);
    else if (strcmp(word, "overview") == 0)
        go_to(t, &fw_view_overview, NULL);
    else if (strcmp(word, "hits") == 0)
        go_to(t, &fw_view_hits, NULL);
    else if (strcmp(word, "rules") == 0)
        go_to(t, &fw_view_rules, NULL);
    else if (strcmp(word, "import") == 0)
        go_to(t, &fw_view_import, NULL);
    else if (strcmp(word, "cases") == 0)
        go_to(t, &fw_view_cases, NULL);
    else if (strcmp(word, "case") == 0 && *rest)
        fw_tui_push(t, &fw_view_case, rest);
    else if (strcmp(word, "whitelist") == 0)
        go_to(t, &fw_view_whitelist, NULL);
    else if (strcmp(word, "log") == 0)
        go_to(t, &fw_view_log, *rest ? rest : NULL);
    else if (strcmp(word, "help") == 0)
        fw_tui_push(t, &fw_view_help, NULL);
    else
        fw_tui_error(t, _("Unknown command '%s': try :rule ID, :filter ..., :lookup NAME, :person ID, "
                          ":hits, :rules, :cases, :whitelist, :log [CASE], :overview, :help, :q."),
                     word);
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
    case ACT_QUIT: t->quit = true; break;
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
    case ACT_GO_OVERVIEW: go_to(t, &fw_view_overview, NULL); break;
    case ACT_GO_HITS: go_to(t, &fw_view_hits, NULL); break;
    case ACT_GO_LOOKUP: fw_tui_prompt(t, P_LOOKUP, _("Look up ID number or name: "), ""); break;
    case ACT_GO_RULES: go_to(t, &fw_view_rules, NULL); break;
    case ACT_GO_IMPORT: go_to(t, &fw_view_import, NULL); break;
    case ACT_GO_CASES: go_to(t, &fw_view_cases, NULL); break;
    case ACT_GO_WHITELIST: go_to(t, &fw_view_whitelist, NULL); break;
    case ACT_GO_LOG: go_to(t, &fw_view_log, NULL); break;
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
                           t->ws->path, t->mask_ids ? _(" │ IDs masked") : "");
    fw_tui_put(w, 0, 0, COLS, text, false);
    free(text);
    wnoutrefresh(w);
}

/* The function-key bar: the keys marked for the bar in this view's scope. */
static void draw_bar(fw_tui *t, WINDOW *w, int y)
{
    int n;
    const fw_binding *b = fw_bindings(&n);
    int scope = top_ops(t)->scope, x = 0;
    wmove(w, y, 0);
    for (int i = 0; i < n && x < COLS - 4; i++) {
        if (!b[i].bar || !(b[i].scope & scope))
            continue;
        char key[16];
        fw_key_name(b[i].key, key);
        const char *label = _(fw_action_label(b[i].action));
        int kw = fw_utf8_width(key), lw = fw_utf8_width(label);
        if (x + kw + lw + 2 > COLS)
            break;
        wattrset(w, fw_tui_attr(t, C_KEY));
        fw_tui_put(w, y, x, kw, key, false);
        wattrset(w, A_NORMAL);
        fw_tui_put(w, y, x + kw, lw + 2, "", false);
        fw_tui_put(w, y, x + kw + 1, lw, label, false);
        x += kw + lw + 2;
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
    char last[64];        /* the key before the wait, and when it was pressed (ms) */
    double last_t0;
    double longest_step;  /* ms of the longest slice of background work since that key */
} script;

static double now_ms(void) { return fw_now_seconds() * 1e3; }

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

static void dispatch(fw_tui *t, int key)
{
    if (key == FW_KEY_FN(KEY_RESIZE)) {
        make_windows(t);
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
                t.stale = true;
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
