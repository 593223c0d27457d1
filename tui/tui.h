/* tui.h: the interactive workstation's framework. The screen is a stack of views (overview, hits,
 * person, lookup, rules, import, help); each view is a module with a small table of operations.
 * Keys are translated to actions by the one binding table in keys.c; the main loop (app.c) only
 * dispatches actions to the top view, handles resizes and prompts, and calls doupdate once per
 * turn. Views draw with wnoutrefresh only. No SQL here: data comes from audit/browse.h. */
#ifndef FW_TUI_H
#define FW_TUI_H

#include <curses.h>
#include <stdbool.h>

#include "audit/browse.h"
#include "audit/store.h"

/* --- actions and keys (keys.c) ------------------------------------------------------------------ */

enum fw_action {
    ACT_NONE,
    ACT_QUIT, ACT_BACK, ACT_HELP, ACT_COMMAND, ACT_MASK, ACT_REFRESH,
    ACT_GO_OVERVIEW, ACT_GO_HITS, ACT_GO_LOOKUP, ACT_GO_RULES, ACT_GO_IMPORT, ACT_GO_CASES,
    ACT_DOWN, ACT_UP, ACT_PAGE_DOWN, ACT_PAGE_UP, ACT_TOP, ACT_BOTTOM,
    ACT_ENTER, ACT_TAB, ACT_SEARCH, ACT_SEARCH_NEXT, ACT_SEARCH_PREV,
    ACT_SORT, ACT_SORT_REVERSE, ACT_FILTER, ACT_FILTER_CLEAR, ACT_MARK,
    ACT_CASE_STATUS, ACT_CASE_NOTE, ACT_CASE_ASSIGN, ACT_EXPORT,
    ACT_RULE_TOGGLE, ACT_RULE_EDIT, ACT_RULE_RUN, ACT_RULE_RUN_ALL,
    ACT_CASES_VALUE,
    ACT_DIR_UP, ACT_ALL_FILES, ACT_IMPORT_DATASET, ACT_IMPORT_REPLACE,
    /* moving and reading habits (half pages, previous pane, sort column, wide lines, typed path) */
    ACT_HALF_DOWN, ACT_HALF_UP, ACT_TAB_PREV, ACT_SORT_LEFT, ACT_SORT_RIGHT,
    ACT_SCROLL_LEFT, ACT_SCROLL_RIGHT, ACT_DETAIL, ACT_IMPORT_PATH,
    /* whitelist and audit-trail screens, frequency view, marks at scale */
    ACT_GO_WHITELIST, ACT_GO_LOG, ACT_WL_ADD, ACT_WL_REMOVE, ACT_WL_REVIEW, ACT_LOG_VERIFY,
    ACT_FREQ, ACT_MARK_FILTER, ACT_MARK_INVERT, ACT_MARK_CLEAR,
    /* verification orders (view_orders.c) */
    ACT_GO_ORDERS, ACT_ORDER_ACCEPT, ACT_ORDER_SEND_BACK,
    ACT_ORDER_RECEIVE, ACT_ORDER_ACCEPT_ALL, ACT_ORDER_CANCEL, ACT_ORDER_DISPATCH,
    ACT_COUNT_
};

/* Which views a binding applies to (bit mask). */
enum {
    S_OVERVIEW = 1 << 0, S_HITS = 1 << 1, S_PERSON = 1 << 2, S_LOOKUP = 1 << 3,
    S_RULES = 1 << 4, S_IMPORT = 1 << 5, S_HELP = 1 << 6, S_CASES = 1 << 7, S_CASE = 1 << 8,
    S_WHITELIST = 1 << 9, S_LOG = 1 << 10, S_FREQ = 1 << 11, S_ORDERS = 1 << 12, S_ORDER = 1 << 13,
    S_ALL = 0x3fff,
};

/* Function keys and named keys are stored above the Unicode range so a key code never collides
 * with a character. */
#define FW_KEY_FN(k) (0x40000000 | (k))

typedef struct fw_binding {
    enum fw_action action;
    int key;
    int scope;   /* S_* mask */
    bool bar;    /* shown in the function-key bar */
} fw_binding;

const char *fw_action_name(enum fw_action a);   /* "sort", as in config.ini [keys] */
const char *fw_action_help(enum fw_action a);   /* N_() text; translate to show */
const char *fw_action_label(enum fw_action a);  /* N_() short label for the key bar */
/* The action bound to key in a view scope (view bindings win over global ones). */
enum fw_action fw_key_action(int key, int scope);
/* Reads [keys] action = key[,key] from path; unknown names are reported in msg (size msgsz). */
void fw_keys_load_config(const char *path, char *msg, size_t msgsz);
void fw_keys_reset(void);
/* "C-f", "PgDn", "j" ... for a key code; out needs 16 bytes. */
void fw_key_name(int key, char out[16]);
int fw_key_parse(const char *name); /* -1 when not a key name */
/* Every binding (for help and the key bar); count in *n. */
const fw_binding *fw_bindings(int *n);

/* --- views ---------------------------------------------------------------------------------------- */

struct fw_tui;

/* What a view's key handler did. FW_KEY_REDRAW (== true): handled, the screen is drawn again.
 * FW_KEY_RELOAD: the action changed the workspace, so this screen reloads now and every screen
 * under it reloads when it comes back to the top (no screen shows rows from before the change). */
enum fw_key_result { FW_KEY_UNHANDLED = 0, FW_KEY_REDRAW = 1, FW_KEY_RELOAD = 2 | FW_KEY_REDRAW };

typedef struct fw_view_ops {
    const char *name;
    int scope; /* S_* bit of this view */
    /* Creates the view's state; arg is view-specific (a filter, an ID number, ...). NULL on error
     * (message set in the tui). */
    void *(*open)(struct fw_tui *t, const char *arg);
    void (*draw)(struct fw_tui *t, void *v, WINDOW *w);
    /* Handles an action; returns fw_key_result flags (0: not handled, the global keys get it). */
    int (*key)(struct fw_tui *t, void *v, enum fw_action a);
    void (*reload)(struct fw_tui *t, void *v); /* reload from the workspace */
    void (*close)(void *v);
    /* Optional. */
    bool (*idle)(struct fw_tui *t, void *v);    /* a step of background work; true = redraw */
    void (*search)(struct fw_tui *t, void *v, const char *text, bool final);
    void (*status)(struct fw_tui *t, void *v, char *out, size_t outsz);
    const char *(*title)(void *v);
    /* A mouse click at (y, x) of the body window: select the row there, switch to the tab there.
     * True when it did something (then the screen is redrawn). */
    bool (*click)(struct fw_tui *t, void *v, int y, int x);
    /* Work that quitting would lose (marked hits, a run going): a sentence saying what, in out;
     * false when there is none. Asked before `q` on the first screen or `Q` quits. */
    bool (*unsaved)(struct fw_tui *t, void *v, char *out, size_t outsz);
    /* Another screen goes over this one (pushed, or a kept one brought back): background work no
     * one sees any more should stop (the view's idle resumes it when it is back on top). */
    void (*leave)(struct fw_tui *t, void *v);
    /* Another session changed the workspace (fw_ws_data_version moved; issue 13): read again what
     * is on screen in place (cursor, tab, filter and marks stay) and mark the rows that changed
     * until the cursor moves onto them. ids are the cases the change notices named (n of them;
     * all: they could not be named, SQLite, so compare what was shown with what is read). Returns
     * how many cases shown changed. NULL: the status line says "changed by another fundwatch: R
     * reloads" instead. */
    int (*others_changed)(struct fw_tui *t, void *v, const long long *ids, int n, bool all);
} fw_view_ops;

/* Replaces the filter of an open hit list (state of fw_view_hits). */
void fw_hits_apply_filter(struct fw_tui *t, void *hits_state, const char *text);
/* The hit list's filter (for the frequency view), and a new filter and search for it (words in the
 * filter syntax; search NULL = none). */
const fw_hit_filter *fw_hits_list_filter(void *hits_state);
void fw_hits_set_filter(struct fw_tui *t, void *hits_state, const char *words, const char *search);
/* Replaces the filter of the audit-trail screen (state of fw_view_log): case= user= action=. */
void fw_log_apply_filter(struct fw_tui *t, void *log_state, const char *text);

extern const fw_view_ops fw_view_overview, fw_view_hits, fw_view_person, fw_view_lookup, fw_view_rules,
fw_view_import, fw_view_help, fw_view_cases, fw_view_case, fw_view_text;
extern const fw_view_ops fw_view_whitelist, fw_view_log, fw_view_freq;
extern const fw_view_ops fw_view_orders, fw_view_order; /* view_orders.c: the orders, one order's rows */

/* --- the application ------------------------------------------------------------------------------ */

enum fw_prompt_kind { P_NONE, P_COMMAND, P_SEARCH, P_FILTER, P_LOOKUP, P_ASK, P_CONFIRM, P_KINDS_ };

struct fw_tui;
/* Tab completion in the prompt line: every whole-line candidate for the text typed so far, in *out
 * (the caller frees each and the array); returns how many. */
typedef int (*fw_completer)(struct fw_tui *t, const char *text, char ***out);
/* What a yes/no question (P_CONFIRM) does on y. */
typedef void (*fw_confirm_yes)(struct fw_tui *t);
/* A question of a form asked in the prompt line (P_ASK): answer gets the accepted text and may ask
 * the next question (fw_tui_ask again with the same ctx) or finish; on Esc, cancel frees ctx. */
typedef void (*fw_ask_answer)(struct fw_tui *t, void *ctx, const char *text);
typedef void (*fw_ask_cancel)(void *ctx);

/* What was typed at one kind of prompt, newest last; browse is the line shown (n = the draft). */
typedef struct fw_prompt_history {
    char **lines;
    int n, browse;
    char draft[256];
} fw_prompt_history;

typedef struct fw_tui {
    fw_ws *ws;
    WINDOW *title, *body, *status;
    /* generation: the workspace generation the screen last loaded (fw_tui_changed) */
    struct { const fw_view_ops *ops; void *state; long long generation; } stack[16];
    int depth;
    long long generation;  /* bumped by every change this TUI makes to the workspace */
    char msg[512];
    bool msg_error;
    bool mask_ids;
    bool colors;
    bool quit;
    bool stale;            /* another process changed the workspace */
    long long data_version;
    /* the prompt line */
    enum fw_prompt_kind prompt;
    char prompt_text[256];
    char prompt_label[192];
    fw_ask_answer ask_answer; /* P_ASK: who gets the answer, with ask_ctx */
    fw_ask_cancel ask_cancel;
    void *ask_ctx;
    fw_completer ask_complete;   /* P_ASK: Tab completion, or NULL */
    fw_confirm_yes confirm_yes;  /* P_CONFIRM: what y does */
    /* Tab completion state: the text the candidates were made for and the one shown last. */
    char **completions;
    int ncompletions, completion;
    bool msg_lists_completions;  /* the message line shows them: it goes when the text changes */
    fw_prompt_history history[P_KINDS_]; /* Up/Down in the prompt, per kind of prompt */
    /* Top-level screens left with 1-5, C or q, kept with their filter, sort, marks and cursor
     * and given back (reloaded) when the user returns to them. */
    struct { const fw_view_ops *ops; void *state; } parked[8];
    int nparked;
    double stop_looked;          /* fw_tui_stop_typed: when it last read the terminal */
} fw_tui;

/* Colour pairs (with monochrome attributes when the terminal has none). */
enum { C_TITLE = 1, C_HIGH, C_MEDIUM, C_LOW, C_IMPLICATED, C_HEADER, C_MARKED, C_KEY, C_ERROR };
attr_t fw_tui_attr(fw_tui *t, int pair);

void fw_tui_message(fw_tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fw_tui_error(fw_tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pushes a view; on failure keeps the current one (the message says why). */
bool fw_tui_push(fw_tui *t, const fw_view_ops *ops, const char *arg);
void fw_tui_pop(fw_tui *t);
/* Starts a prompt; the top view's search op (P_SEARCH) or the app (others) gets the text. */
void fw_tui_prompt(fw_tui *t, enum fw_prompt_kind kind, const char *label, const char *initial);
/* Asks one question of a form in the prompt line (see fw_ask_answer). */
void fw_tui_ask(fw_tui *t, const char *label, const char *initial, fw_ask_answer answer, fw_ask_cancel cancel,
                void *ctx);
/* The workspace was changed from this screen (a form's answer, a toggle): reloads the top view
 * now and marks the ones under it to reload when they are shown again. */
void fw_tui_reload(fw_tui *t);
/* The same without reloading the top view (it shows the change itself, e.g. an import's result). */
void fw_tui_changed(fw_tui *t);
/* Shows text in the message line and updates the terminal now (progress during long work), then
 * waits up to timeout_ms for a key (0 for a job on this thread, more for the screen of a job on
 * another); returns true when the user pressed Esc meanwhile. */
bool fw_tui_progress_wait(fw_tui *t, const char *text, int timeout_ms);
/* True when Esc or Ctrl-C was typed (taken; other keys typed stay for the main loop): for work on
 * the main thread that the store asks while a statement runs (fw_freq_step_until). Looks at the
 * terminal at most every 20 ms. */
bool fw_tui_stop_typed(fw_tui *t);
/* Repaints the whole screen now (during long work, without reading keys). */
void fw_tui_paint(fw_tui *t);

/* The shared progress bar of long jobs (progress.c): `[#####-----] 42% text (Esc cancels)` in the
 * message line. Begin once per job (esc_hint NULL: "Esc cancels"), then update from the engine's
 * progress callback; update returns true once Esc has been pressed (it stays true). A total < 0
 * means the job cannot tell how far it is: the bar moves without a percentage. */
typedef struct fw_progress {
    fw_tui *t;
    const char *esc_hint;
    double last_draw; /* seconds (monotonic) of the last repaint, -1 before the first */
    bool cancelled;
} fw_progress;
void fw_progress_begin(fw_progress *p, fw_tui *t, const char *esc_hint);
bool fw_progress_update(fw_progress *p, long long done, long long total, const char *text);
/* Draws the bar without looking at the keyboard: the first frame, before the job's first step, so
 * an Esc typed ahead reaches the job's own check. */
void fw_progress_draw(fw_progress *p, long long done, long long total, const char *text);
/* For a job running on a worker thread: draws the bar, then waits up to timeout_ms for keys;
 * returns true once Esc has been pressed (it stays true). The UI thread calls it in a loop. */
bool fw_progress_wait(fw_progress *p, long long done, long long total, const char *text, int timeout_ms);

/* Case forms (case_form.c): status, assign, note for the given cases (ids), from the hit list or
 * the person screen. */
void fw_case_form_start(fw_tui *t, enum fw_action a, const long long *case_ids, int n);
/* Exports (export_form.c): the hit list's leads with its filter, or one person's case workbook. */
void fw_export_form_leads(fw_tui *t, const fw_hit_filter *f);
void fw_export_form_case(fw_tui *t, long long case_id);

/* The dispatch form (view_orders.c): a new verification order of the hit list's marked hits' cases
 * (case_ids, from nhits marked hits; ncases 0 when none is marked) or of its whole list (its filter),
 * all or a sample; then unit, due date and folder. */
void fw_order_dispatch_form_start(fw_tui *t, const fw_hit_filter *list, const long long *case_ids, long long ncases,
                                  long long nhits);

/* The whitelist form (view_whitelist.c): ID number, rule, reason, last day, each checked as it is
 * answered; id_number and rule_id (either may be NULL) are filled in from a hit or a person. */
void fw_whitelist_form_start(fw_tui *t, const char *id_number, const char *rule_id);

/* Typed paths (view_import.c): "~/x" and "x" relative to base as a full path (caller frees), and
 * the Tab candidates for a path typed so far (entries of its directory starting with its last part;
 * directories end in /); the caller frees each and *out. */
char *fw_tui_expand_path(const char *base, const char *typed);
int fw_tui_path_candidates(const char *base, const char *text, char ***out);

/* Runs a `:` command line ("rule DEC-001", "q", "lookup 张三", "filter ..."); commands.c. */
void fw_tui_command(fw_tui *t, const char *line);
/* Tab completion of the command line (commands.c). */
int fw_tui_complete_command(fw_tui *t, const char *text, char ***out);
/* ":overview · :hits · :rule ID · …", every command; caller frees. */
char *fw_tui_commands_summary(void);
/* One help line per command ("  :rule ID    the hits of one rule"); the caller frees each and *out. */
int fw_tui_commands_help(char ***out);
/* Goes to a top-level screen: back to it when open or kept, else opened over the overview. */
void fw_tui_go(fw_tui *t, const fw_view_ops *ops, const char *arg);
/* The hit list (open, kept or new) with this filter, keeping its sort. */
void fw_tui_filter_hits(fw_tui *t, const char *filter);
/* Quits, after asking when a screen holds work that would be lost (unless force). */
void fw_tui_quit(fw_tui *t, bool force);
/* Asks a yes/no question in the prompt line: y runs yes, any other key cancels. */
void fw_tui_confirm(fw_tui *t, const char *question, fw_confirm_yes yes);
/* Gives the open P_ASK question a Tab completion. */
void fw_tui_ask_complete(fw_tui *t, fw_completer complete);

/* Writes s at (y, x) in exactly `width` display columns (cut with … or padded); right-aligned when
 * right is true. Control characters from the data are shown, not obeyed (fw_visible: ESC as ^[). */
void fw_tui_put(WINDOW *w, int y, int x, int width, const char *s, bool right);
/* fw_tui_put for a screen wider than the window: the cell starts at virtual column x of a line
 * scrolled hoff columns to the left; only its visible part is drawn. */
void fw_tui_put_scrolled(WINDOW *w, int y, int x, int width, const char *s, bool right, int hoff);
/* An ID number as shown: masked (520102********1234) when the mask is on. out needs 32 bytes. */
const char *fw_tui_id(fw_tui *t, const char *id, char out[32]);
/* Tells the user an engine module this action needs is not part of this build yet. */
void fw_tui_unavailable(fw_tui *t, const char *what);

/* Runs the TUI on the open workspace until the user quits. Returns an exit code. */
int fw_tui_run(fw_ws *ws, const char *first_view_arg);

#endif
