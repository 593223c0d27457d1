/* view_orders.c: the verification orders in the TUI (issue 15, docs/orders.md). The list (O, :orders)
 * shows each order with its unit, dates, state and what its rows came to; an overdue order stands
 * out. Enter opens one order: its rows with the unit's answers, and under them the selected row's
 * answer and problems in full; Enter on a row opens its case. On a row, a accepts the answer and b sends it back with a note,
 * through the same audit/orders.h calls as `fundwatch orders accept/send-back`, so the
 * second-reviewer rule and the trail apply; the screen reloads and shows the new state. On both
 * screens r receives a returned workbook (its path typed, Tab completing; the order's rows then show
 * what came back and every problem), A accepts every answered row of the order after a yes/no
 * question saying how many, and X cancels the order with a reason (`orders receive`, `accept
 * --all-valid`, `cancel`). The hit list's D (the dispatch form below) sends the cases of its marked hits
 * or of its whole filtered list, all of them or a recorded sample, as a new order. */
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/exportq.h"
#include "audit/i18n.h"
#include "audit/orders.h"
#include "audit/vocab.h"
#include "export/orders_workbook.h"
#include "tui/lines.h"

static char *col_text(fw_rows *rows, int c)
{
    const char *s = fw_rows_text(rows, c);
    return fw_strdup(s ? s : "");
}

/* --- the list of orders ------------------------------------------------------------------------- */

enum { OL_NO, OL_UNIT, OL_STATE, OL_DUE, OL_OVERDUE, OL_ROWS, OL_OPEN, OL_ANSWERED, OL_ACCEPTED, OL_SENT_BACK,
       OL_CONFLICT, OL_INVALID, OL_CREATED, OL_SENT_BY };

typedef struct order_line {
    char *order_no, *unit, *state, *due, *created;
    bool overdue;
    long long rows, open, answered, accepted, sent_back, problems;
    char *text; /* searchable */
} order_line;

typedef struct orders_view {
    order_line *lines;
    fw_lines nav;
    int height;
} orders_view;

static void orders_free_lines(orders_view *v)
{
    for (int i = 0; i < v->nav.n; i++) {
        order_line *o = &v->lines[i];
        free(o->order_no), free(o->unit), free(o->state), free(o->due), free(o->created), free(o->text);
    }
    free(v->lines);
    v->lines = NULL;
    v->nav.n = 0;
}

/* The state a person reads: the order's state, or overdue when it is past its due date unsettled. */
static const char *order_state_text(const order_line *o)
{
    return o->overdue ? _("overdue") : fw_label_show(fw_order_states, o->state);
}

static void orders_load(fw_tui *t, orders_view *v)
{
    int cursor = v->nav.cursor;
    orders_free_lines(v);
    fw_err err = {0};
    fw_rows *rows;
    if (fw_order_list(t->ws, &rows, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    int more;
    while ((more = fw_rows_step(rows, &err)) == 1) {
        v->lines = fw_realloc(v->lines, (size_t)(v->nav.n + 1) * sizeof *v->lines);
        order_line *o = &v->lines[v->nav.n++];
        o->order_no = col_text(rows, OL_NO);
        o->unit = col_text(rows, OL_UNIT);
        o->state = col_text(rows, OL_STATE);
        o->due = col_text(rows, OL_DUE);
        o->overdue = fw_rows_int(rows, OL_OVERDUE) == 1;
        o->rows = fw_rows_int(rows, OL_ROWS);
        o->open = fw_rows_int(rows, OL_OPEN);
        o->answered = fw_rows_int(rows, OL_ANSWERED);
        o->accepted = fw_rows_int(rows, OL_ACCEPTED);
        o->sent_back = fw_rows_int(rows, OL_SENT_BACK);
        o->problems = fw_rows_int(rows, OL_CONFLICT) + fw_rows_int(rows, OL_INVALID);
        char when[FW_TIME_SIZE];
        const char *created = fw_rows_text(rows, OL_CREATED);
        /* the day it was sent, in local time */
        o->created = fw_printf("%.10s", fw_time_local(created, FW_TIME_MINUTE, when, sizeof when));
        o->text = fw_printf("%s %s %s", o->order_no, o->unit, order_state_text(o));
    }
    fw_rows_close(rows);
    if (more < 0)
        fw_tui_error(t, "%s", err.msg); /* the orders read so far stay on screen */
    v->nav.cursor = cursor < v->nav.n ? cursor : (v->nav.n ? v->nav.n - 1 : 0);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

static void *orders_open(fw_tui *t, const char *arg)
{
    (void)arg;
    orders_view *v = fw_calloc(1, sizeof *v);
    orders_load(t, v);
    return v;
}

static void orders_close(void *p)
{
    orders_view *v = p;
    orders_free_lines(v);
    free(v);
}

/* Columns: order, unit, dispatched (the day), due, state, rows, open, answered (proposed, awaiting
 * review), accepted, sent back, problems (invalid answers and conflicts). */
static void orders_draw(fw_tui *t, void *p, WINDOW *w)
{
    orders_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 1;
    fw_lines_scroll(&v->nav, v->height);
    static const int widths[] = {13, 14, 10, 10, 10, 4, 6, 6, 6, 6, 6};
    const char *heads[] = {_("Order"), _("Unit"), _("Dispatched"), _("Due"), _("Status"), _("Rows"), _("Empty"),
                           /* short: the counts' columns are narrow (待反馈, 待采纳, 已采纳, 已退回, 问题) */
                           _("Answ."), _("Acc."), _("S.back"), _("Prob.")};
    enum { NCOLS = sizeof widths / sizeof widths[0] };
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, width, "", false);
    for (int c = 0, x = 0; c < NCOLS && x < width; x += widths[c] + 1, c++)
        fw_tui_put(w, 0, x, widths[c] < width - x ? widths[c] : width - x, heads[c], c >= 5);
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const order_line *o = &v->lines[k];
        char nums[6][24];
        long long counts[6] = {o->rows, o->open, o->answered, o->accepted, o->sent_back, o->problems};
        for (int j = 0; j < 6; j++)
            snprintf(nums[j], sizeof nums[j], "%lld", counts[j]);
        const char *cells[NCOLS] = {o->order_no, o->unit, o->created, o->due, order_state_text(o),
                                    nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]};
        attr_t a = o->overdue                                                               ? fw_tui_attr(t, C_HIGH)
                   : strcmp(o->state, "settled") == 0 || strcmp(o->state, "cancelled") == 0 ? A_DIM
                                                                                            : A_NORMAL;
        wattrset(w, k == v->nav.cursor ? (a | A_REVERSE) : a);
        fw_tui_put(w, i + 1, 0, width, "", false);
        for (int c = 0, x = 0; c < NCOLS && x < width; x += widths[c] + 1, c++)
            fw_tui_put(w, i + 1, x, widths[c] < width - x ? widths[c] : width - x, cells[c], c >= 5);
        wattrset(w, A_NORMAL);
    }
    if (v->nav.n == 0)
        fw_tui_put(w, 2, 2, width - 4, _("No verification orders: `fundwatch orders dispatch` sends one."), false);
}

/* --- receive, accept all, cancel: the same on the list and on one order ------------------------- */

static int order_action(fw_tui *t, enum fw_action a, const char *order_no, long long answered);

static const char *shown_order_no(void *order_view_state); /* the order an order screen shows */

static void no_ctx(void *ctx) { (void)ctx; }

/* Paths are typed relative to the folder fundwatch was started from. */
static char *start_dir(void)
{
    char cwd[PATH_MAX];
    return fw_strdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
}

static int complete_start_dir(fw_tui *t, const char *text, char ***out)
{
    (void)t;
    char *base = start_dir();
    int n = fw_tui_path_candidates(base, text, out);
    free(base);
    return n;
}

/* The answer to "Returned workbook:": the file is received as `orders receive` does; the order's
 * rows are then shown (pushed unless that order is already on screen) with what came back. */
static void receive_answered(fw_tui *t, void *ctx, const char *typed)
{
    (void)ctx;
    if (!*typed)
        return;
    char *base = start_dir();
    char *path = fw_tui_expand_path(base, typed);
    char *evidence = fw_order_evidence_dir(t->ws);
    fw_order_receipt r;
    fw_err err = {0};
    if (fw_order_receive(t->ws, path, evidence, &r, &err))
        fw_tui_error(t, "%s", err.msg);
    else if (r.already)
        fw_tui_message(t, _("%s was received already for order %s %s; nothing changed."), typed, r.order_no,
                       r.report.data ? r.report.data : "");
    else {
        fw_tui_reload(t);
        const fw_view_ops *top = t->depth ? t->stack[t->depth - 1].ops : NULL;
        if (top != &fw_view_order || strcmp(shown_order_no(t->stack[t->depth - 1].state), r.order_no) != 0)
            fw_tui_push(t, &fw_view_order, r.order_no);
        const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        fw_tui_message(t,
                       _("Order %s: %lld answered (proposed), %lld open, %lld invalid, %lld conflicts, %lld missing, "
                         "%lld inserted; each row shows its problems (%s)."),
                       r.order_no, r.answered, r.open, r.invalid, r.conflict, r.missing, r.inserted, name);
    }
    fw_order_receipt_free(&r);
    free(evidence);
    free(path);
    free(base);
}

/* The order a yes/no question is about (the question's answer has no context of its own). */
static char asked_order[64];

static void accept_all_yes(fw_tui *t)
{
    fw_err err = {0};
    fw_buf report = {0};
    long long accepted = 0;
    if (fw_order_accept(t->ws, asked_order, 0, &accepted, &report, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        fw_tui_reload(t);
        long long lines = 0;
        for (size_t i = 0; i < report.len; i++)
            lines += report.data[i] == '\n';
        if (lines)
            fw_tui_message(t, _("Order %s: %lld answers accepted and applied to their cases; %lld notes on the rows "
                                "(not applied, or awaiting a second reviewer)."),
                           asked_order, accepted, lines);
        else
            fw_tui_message(t, _("Order %s: %lld answers accepted and applied to their cases."), asked_order, accepted);
    }
    fw_buf_free(&report);
}

typedef struct cancel_form {
    char order_no[64];
} cancel_form;

static void cancel_answered(fw_tui *t, void *ctx, const char *text)
{
    cancel_form *k = ctx;
    if (!*text) {
        fw_tui_error(t, _("Cancelling needs a reason: it is kept in the audit trail."));
        fw_tui_ask(t, _("Cancel the order: reason: "), "", cancel_answered, free, k);
        return;
    }
    fw_err err = {0};
    long long restored = 0, kept = 0;
    if (fw_order_cancel(t->ws, k->order_no, text, &restored, &kept, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        fw_tui_reload(t);
        fw_tui_message(t, _("Order %s cancelled: %lld cases got their assignment back, %lld assigned elsewhere since "
                            "kept theirs."),
                       k->order_no, restored, kept);
    }
    free(k);
}

static int order_action(fw_tui *t, enum fw_action a, const char *order_no, long long answered)
{
    switch (a) {
    case ACT_ORDER_RECEIVE:
        fw_tui_ask(t, _("Returned workbook (path; Tab completes): "), "", receive_answered, no_ctx, NULL);
        fw_tui_ask_complete(t, complete_start_dir);
        return FW_KEY_REDRAW;
    case ACT_ORDER_ACCEPT_ALL: {
        if (!order_no)
            return FW_KEY_REDRAW;
        if (answered == 0) {
            fw_tui_error(t, _("Order %s has no answered rows to accept."), order_no);
            return FW_KEY_REDRAW;
        }
        snprintf(asked_order, sizeof asked_order, "%s", order_no);
        /* one row per case: the rows are the cases whose status changes */
        char *q = fw_printf(_("Accept %lld answered rows of %s (%lld cases change)? y accepts, other keys stay "),
                            answered, order_no, answered);
        fw_tui_confirm(t, q, accept_all_yes);
        free(q);
        return FW_KEY_REDRAW;
    }
    case ACT_ORDER_CANCEL: {
        if (!order_no)
            return FW_KEY_REDRAW;
        cancel_form *k = fw_calloc(1, sizeof *k);
        snprintf(k->order_no, sizeof k->order_no, "%s", order_no);
        fw_tui_ask(t, _("Cancel the order: reason: "), "", cancel_answered, free, k);
        return FW_KEY_REDRAW;
    }
    default: return FW_KEY_UNHANDLED;
    }
}

static const char *orders_line_text(int i, void *ctx) { return ((orders_view *)ctx)->lines[i].text; }

static int orders_key(fw_tui *t, void *p, enum fw_action a)
{
    orders_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return FW_KEY_REDRAW;
    switch (a) {
    case ACT_ENTER:
        if (v->nav.n)
            fw_tui_push(t, &fw_view_order, v->lines[v->nav.cursor].order_no);
        return FW_KEY_REDRAW;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, orders_line_text, v);
    default: {
        const order_line *o = v->nav.n ? &v->lines[v->nav.cursor] : NULL;
        return order_action(t, a, o ? o->order_no : NULL, o ? o->answered : 0);
    }
    }
}

static void orders_search(fw_tui *t, void *p, const char *text, bool final)
{
    (void)final;
    orders_view *v = p;
    fw_lines_search_text(t, &v->nav, text, v->height, orders_line_text, v);
}

static void orders_reload(fw_tui *t, void *p) { orders_load(t, p); }

static void orders_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    orders_view *v = p;
    int overdue = 0, to_review = 0;
    for (int i = 0; i < v->nav.n; i++) {
        overdue += v->lines[i].overdue;
        to_review += v->lines[i].answered > 0;
    }
    snprintf(out, outsz, _("%d orders · %d overdue · %d with answers to review · Enter opens an order"), v->nav.n,
             overdue, to_review);
}

static const char *orders_title(void *p)
{
    (void)p;
    return _("Verification orders");
}

const fw_view_ops fw_view_orders = {
    .name = "orders",
    .scope = S_ORDERS,
    .open = orders_open,
    .draw = orders_draw,
    .key = orders_key,
    .reload = orders_reload,
    .close = orders_close,
    .search = orders_search,
    .status = orders_status,
    .title = orders_title,
};

/* --- one order: its rows ------------------------------------------------------------------------ */

enum { OR_NO, OR_CASE, OR_NAME, OR_STATE, OR_VERDICT, OR_METHOD, OR_VERIFIER, OR_DATE, OR_TO_RECOVER,
       OR_RECOVERED, OR_MEASURES, OR_NOTE, OR_PROBLEMS, OR_SENT_BACK_NOTE, OR_NCOLS };

typedef struct row_line {
    long long row_no;
    char *cells[OR_NCOLS];
    char *text; /* searchable */
} row_line;

typedef struct order_view {
    char order_no[64];
    char *title;
    row_line *lines;
    fw_lines nav;
    int height;
} order_view;

static const char *shown_order_no(void *order_view_state) { return ((order_view *)order_view_state)->order_no; }

static void order_free_lines(order_view *v)
{
    for (int i = 0; i < v->nav.n; i++) {
        for (int c = 0; c < OR_NCOLS; c++)
            free(v->lines[i].cells[c]);
        free(v->lines[i].text);
    }
    free(v->lines);
    v->lines = NULL;
    v->nav.n = 0;
}

/* The title: the order, its unit, state and due date (from its header). */
static void order_load_title(fw_tui *t, order_view *v)
{
    fw_err err = {0};
    fw_rows *rows;
    free(v->title);
    v->title = NULL;
    if (fw_order_header(t->ws, v->order_no, &rows, &err))
        return;
    if (fw_rows_step(rows, &err) == 1) {
        const char *unit = fw_rows_text(rows, 1), *state = fw_rows_text(rows, 2), *due = fw_rows_text(rows, 4);
        v->title = fw_printf(_("Order %s · %s · %s · due %s"), v->order_no, unit ? unit : "",
                             fw_label_show(fw_order_states, state ? state : ""), due ? due : "");
    }
    fw_rows_close(rows);
}

static bool order_load(fw_tui *t, order_view *v)
{
    int cursor = v->nav.cursor;
    order_free_lines(v);
    fw_err err = {0};
    fw_rows *rows;
    if (fw_order_rows(t->ws, v->order_no, &rows, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return false;
    }
    int more;
    while ((more = fw_rows_step(rows, &err)) == 1) {
        v->lines = fw_realloc(v->lines, (size_t)(v->nav.n + 1) * sizeof *v->lines);
        row_line *r = &v->lines[v->nav.n++];
        r->row_no = fw_rows_int(rows, OR_NO);
        for (int c = 0; c < OR_NCOLS; c++)
            r->cells[c] = c == OR_PROBLEMS ? fw_order_problems_text(fw_rows_text(rows, c)) : col_text(rows, c);
        r->text = fw_printf("%lld %s %s %s", r->row_no, r->cells[OR_CASE], r->cells[OR_NAME], r->cells[OR_PROBLEMS]);
    }
    fw_rows_close(rows);
    if (more < 0)
        fw_tui_error(t, "%s", err.msg);
    v->nav.cursor = cursor < v->nav.n ? cursor : (v->nav.n ? v->nav.n - 1 : 0);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
    order_load_title(t, v);
    return true;
}

static void order_close(void *p)
{
    order_view *v = p;
    order_free_lines(v);
    free(v->title);
    free(v);
}

static void *order_open(fw_tui *t, const char *arg)
{
    order_view *v = fw_calloc(1, sizeof *v);
    snprintf(v->order_no, sizeof v->order_no, "%s", arg ? arg : "");
    if (!order_load(t, v)) {
        order_close(v);
        return NULL;
    }
    return v;
}

/* An amount as stored (integer fen) in yuan, or "-" when not given. */
static const char *yuan_text(const char *fen, char out[32])
{
    if (!*fen)
        return "-";
    fw_yuan(strtoll(fen, NULL, 10), out);
    return out;
}

/* Stored measure codes ("stop_payment,recover_funds") as their labels, or "-"; caller frees. */
static char *measures_text(const char *codes)
{
    if (!*codes)
        return fw_strdup("-");
    fw_buf b = {0};
    char *copy = fw_strdup(codes), *save = NULL;
    for (char *m = strtok_r(copy, ",", &save); m; m = strtok_r(NULL, ",", &save))
        fw_buf_printf(&b, "%s%s", b.len ? "、" : "", fw_label_show(fw_measures, m));
    free(copy);
    return fw_buf_steal(&b);
}

/* The selected row in full under the list: the answer, the note sent back, every problem. */
static int order_draw_detail(fw_tui *t, const row_line *r, WINDOW *w, int y, int h, int width)
{
    fw_buf b = {0};
    const char *const *c = (const char *const *)r->cells;
    fw_buf_printf(&b, _("Row %lld · %s %s · %s"), r->row_no, c[OR_CASE], c[OR_NAME],
                  fw_label_show(fw_order_row_states, c[OR_STATE]));
    if (*c[OR_VERDICT]) {
        char to_recover[32], recovered[32];
        char *measures = measures_text(c[OR_MEASURES]);
        fw_buf_printf(&b, _("\nAnswer: %s · %s · %s %s · to recover %s · recovered %s · measures %s"),
                      fw_label_show(fw_order_conclusions, c[OR_VERDICT]),
                      fw_label_show(fw_verify_methods, c[OR_METHOD]), c[OR_VERIFIER], c[OR_DATE],
                      yuan_text(c[OR_TO_RECOVER], to_recover), yuan_text(c[OR_RECOVERED], recovered), measures);
        free(measures);
    }
    if (*c[OR_NOTE])
        fw_buf_printf(&b, _("\nNote: %s"), c[OR_NOTE]);
    if (*c[OR_SENT_BACK_NOTE])
        fw_buf_printf(&b, _("\nSent back: %s"), c[OR_SENT_BACK_NOTE]);
    if (*c[OR_PROBLEMS])
        fw_buf_printf(&b, _("\nProblems:\n%s"), c[OR_PROBLEMS]);
    char **lines;
    int n = fw_text_wrap(b.data ? b.data : "", width, &lines);
    for (int i = 0; i < n; i++) {
        if (y + i < h)
            fw_tui_put(w, y + i, 0, width, lines[i], false);
        free(lines[i]);
    }
    free(lines);
    fw_buf_free(&b);
    (void)t;
    return n;
}

/* Columns: row, case, name, state, conclusion, verifier, date, problems (first line). The lower part
 * of the screen shows the selected row in full. */
static void order_draw(fw_tui *t, void *p, WINDOW *w)
{
    order_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    int detail = h > 12 ? h / 3 : 0;
    v->height = h - 1 - detail;
    fw_lines_scroll(&v->nav, v->height);
    static const int widths[] = {4, 15, 8, 11, 9, 8, 10};
    const char *heads[] = {_("No."), _("Case"), _("Name"), _("Status"), _("Conclusion"), _("Verifier"), _("Date"),
                           _("Problems")};
    enum { NCOLS = sizeof widths / sizeof widths[0] };
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, width, "", false);
    int x = 0;
    for (int c = 0; c < NCOLS && x < width; x += widths[c] + 1, c++)
        fw_tui_put(w, 0, x, widths[c] < width - x ? widths[c] : width - x, heads[c], c == 0);
    if (x < width)
        fw_tui_put(w, 0, x, width - x, heads[NCOLS], false);
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const row_line *r = &v->lines[k];
        char no[24];
        snprintf(no, sizeof no, "%lld", r->row_no);
        char *problem = fw_strdup(r->cells[OR_PROBLEMS]);
        problem[strcspn(problem, "\n")] = '\0';
        const char *cells[NCOLS + 1] = {no, r->cells[OR_CASE], r->cells[OR_NAME],
                                        fw_label_show(fw_order_row_states, r->cells[OR_STATE]),
                                        fw_label_show(fw_order_conclusions, r->cells[OR_VERDICT]),
                                        r->cells[OR_VERIFIER], r->cells[OR_DATE], problem};
        const char *st = r->cells[OR_STATE];
        attr_t a = strcmp(st, "invalid") == 0 || strcmp(st, "conflict") == 0 ? fw_tui_attr(t, C_HIGH)
                   : strcmp(st, "answered") == 0                           ? fw_tui_attr(t, C_MEDIUM)
                   : strcmp(st, "accepted") == 0                           ? A_DIM
                                                                           : A_NORMAL;
        wattrset(w, k == v->nav.cursor ? (a | A_REVERSE) : a);
        fw_tui_put(w, i + 1, 0, width, "", false);
        x = 0;
        for (int c = 0; c < NCOLS && x < width; x += widths[c] + 1, c++)
            fw_tui_put(w, i + 1, x, widths[c] < width - x ? widths[c] : width - x, cells[c], c == 0);
        if (x < width)
            fw_tui_put(w, i + 1, x, width - x, cells[NCOLS], false);
        wattrset(w, A_NORMAL);
        free(problem);
    }
    if (v->nav.n == 0)
        fw_tui_put(w, 2, 2, width - 4, _("This order has no rows."), false);
    else if (detail)
        order_draw_detail(t, &v->lines[v->nav.cursor], w, h - detail, h, width);
}

typedef struct row_pick {
    char order_no[64];
    long long row_no;
} row_pick;

static void accept_row(fw_tui *t, order_view *v, const row_line *r)
{
    fw_err err = {0};
    fw_buf report = {0};
    long long accepted = 0;
    if (fw_order_accept(t->ws, v->order_no, r->row_no, &accepted, &report, &err)) {
        fw_tui_error(t, "%s", err.msg);
    } else {
        long long row_no = r->row_no;
        fw_tui_reload(t); /* r is gone after this */
        char *said = fw_strdup(report.data ? report.data : "");
        said[strcspn(said, "\n")] = '\0';
        if (accepted == 0 && *said)
            fw_tui_error(t, "%s", said); /* not applied: the case changed since the answer was read */
        else /* applied; what the engine adds (a verdict waiting for a second reviewer) is said too */
            fw_tui_message(t, _("Order %s row %lld: %lld answers accepted, applied to the case.%s%s"), v->order_no,
                           row_no, accepted, *said ? " " : "", said);
        free(said);
    }
    fw_buf_free(&report);
}

static void send_back_answered(fw_tui *t, void *p, const char *text)
{
    row_pick *k = p;
    fw_err err = {0};
    if (!*text) {
        fw_tui_error(t, _("Sending back needs a note telling the unit what to do again."));
        fw_tui_ask(t, _("Send back: note to the unit: "), "", send_back_answered, free, k);
        return;
    }
    if (fw_order_send_back(t->ws, k->order_no, k->row_no, text, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        fw_tui_reload(t);
        fw_tui_message(t, _("Order %s row %lld sent back to the unit."), k->order_no, k->row_no);
    }
    free(k);
}

static const char *order_line_text(int i, void *ctx) { return ((order_view *)ctx)->lines[i].text; }

static int order_key(fw_tui *t, void *p, enum fw_action a)
{
    order_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height))
        return FW_KEY_REDRAW;
    const row_line *r = v->nav.n ? &v->lines[v->nav.cursor] : NULL;
    switch (a) {
    case ACT_ENTER:
        if (r)
            fw_tui_push(t, &fw_view_case, r->cells[OR_CASE]);
        return FW_KEY_REDRAW;
    case ACT_ORDER_ACCEPT:
        if (r)
            accept_row(t, v, r);
        return FW_KEY_REDRAW;
    case ACT_ORDER_SEND_BACK:
        if (r) {
            row_pick *k = fw_calloc(1, sizeof *k);
            snprintf(k->order_no, sizeof k->order_no, "%s", v->order_no);
            k->row_no = r->row_no;
            fw_tui_ask(t, _("Send back: note to the unit: "), "", send_back_answered, free, k);
        }
        return FW_KEY_REDRAW;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, order_line_text, v);
    default: {
        long long answered = 0;
        for (int i = 0; i < v->nav.n; i++)
            answered += strcmp(v->lines[i].cells[OR_STATE], "answered") == 0;
        return order_action(t, a, v->order_no, answered);
    }
    }
}

static void order_search(fw_tui *t, void *p, const char *text, bool final)
{
    (void)final;
    order_view *v = p;
    fw_lines_search_text(t, &v->nav, text, v->height, order_line_text, v);
}

static void order_reload(fw_tui *t, void *p) { order_load(t, p); }

static void order_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    order_view *v = p;
    int answered = 0, problems = 0;
    for (int i = 0; i < v->nav.n; i++) {
        const char *st = v->lines[i].cells[OR_STATE];
        answered += strcmp(st, "answered") == 0;
        problems += strcmp(st, "invalid") == 0 || strcmp(st, "conflict") == 0;
    }
    snprintf(out, outsz, _("%d rows · %d to review · %d with problems · a accept · A accept all · b send back"), v->nav.n,
             answered, problems);
}

static const char *order_title(void *p)
{
    order_view *v = p;
    return v->title ? v->title : v->order_no;
}

const fw_view_ops fw_view_order = {
    .name = "order",
    .scope = S_ORDER,
    .open = order_open,
    .draw = order_draw,
    .key = order_key,
    .reload = order_reload,
    .close = order_close,
    .search = order_search,
    .status = order_status,
    .title = order_title,
};

/* --- dispatch from the hit list: its marked hits or its whole filtered list ------------------------- */

/* The form of D / :dispatch. What goes: the marked hits' cases or the list's (its filter, as
 * `orders dispatch` with filter options), asked when there are marks; then an optional sample (N and
 * a seed, plain or N per rule and township, as --sample N --seed S [--by rule,township]); the form
 * then says how many cases will go (fw_order_preview, the same choice and draw as dispatch) and asks
 * the unit, the due date and the folder, each checked as it is answered with dispatch's own checks
 * (fw_order_check_unit, fw_order_check_due). The order is sent as `orders dispatch` sends it: the
 * same all-or-nothing call and workbook writer. */
typedef struct dispatch_form {
    fw_hit_filter list; /* the hit list's filter, a copy */
    char **case_refs;   /* the marked hits' cases' ids as text, as the filter's --case list takes them */
    long long ncases, nhits;
    bool marked;        /* the marked hits' cases go (else the list's) */
    long long sample;   /* 0: all of them */
    char *seed;
    bool stratified;
    long long count;    /* the cases that will go */
    char *unit, *due;
} dispatch_form;

static void dispatch_form_free(void *p)
{
    dispatch_form *f = p;
    for (long long i = 0; i < f->ncases; i++)
        free(f->case_refs[i]);
    free(f->case_refs);
    fw_hit_filter_free(&f->list);
    free(f->seed);
    free(f->unit);
    free(f->due);
    free(f);
}

/* The request the form has built so far; *marks is the filter of the marked cases (when they go)
 * and *selection the cover sheet's 选取条件 (always Chinese, as the whole workbook; caller frees). */
static void form_request(dispatch_form *f, fw_hit_filter *marks, fw_order_request *req, char **selection)
{
    fw_hit_filter_init(marks);
    marks->cases = (const char *const *)f->case_refs;
    marks->ncases = (int)f->ncases;
    if (f->marked)
        *selection = fw_printf("界面标记的线索 %lld 条（案件 %lld 件）", f->nhits, f->ncases);
    else {
        char *words = fw_xq_filter_text(&f->list);
        *selection = fw_printf("界面当前列表：%s", words);
        free(words);
    }
    if (f->sample > 0) {
        char *with = fw_printf("%s；抽样 %lld%s，种子 %s", *selection, f->sample, f->stratified ? "（按规则和乡镇分层）" : "",
                               f->seed);
        free(*selection);
        *selection = with;
    }
    *req = (fw_order_request){f->unit, f->due, f->marked ? marks : &f->list, f->sample, f->seed, f->stratified,
                              *selection};
}

static void dispatch_source_answered(fw_tui *t, void *p, const char *text);
static void dispatch_sample_answered(fw_tui *t, void *p, const char *text);
static void dispatch_unit_answered(fw_tui *t, void *p, const char *text);
static void dispatch_due_answered(fw_tui *t, void *p, const char *text);
static void dispatch_dir_answered(fw_tui *t, void *p, const char *text);

/* How many cases the form's choice sends (the sample not yet drawn when sample is 0); -1 refused. */
static long long preview(fw_tui *t, dispatch_form *f)
{
    fw_hit_filter marks;
    fw_order_request req;
    char *selection;
    form_request(f, &marks, &req, &selection);
    long long count = 0, skipped[3];
    fw_err err = {0};
    if (fw_order_preview(t->ws, &req, &count, skipped, &err)) {
        fw_tui_error(t, "%s", err.msg);
        count = -1;
    }
    free(selection);
    return count;
}

static void ask_source(fw_tui *t, dispatch_form *f, long long listed, const char *initial)
{
    char *q = fw_printf(_("Send m = the cases of the %lld marked hits (%lld), l = the list's %lld cases [m/l]: "),
                        f->nhits, f->ncases, listed);
    fw_tui_ask(t, q, initial, dispatch_source_answered, dispatch_form_free, f);
    free(q);
}

static void ask_sample(fw_tui *t, dispatch_form *f, const char *initial)
{
    char *q = fw_printf(_("%lld cases. Sample: empty = all; N SEED = N at random; N SEED s = N per rule and "
                          "township: "),
                        f->count);
    fw_tui_ask(t, q, initial, dispatch_sample_answered, dispatch_form_free, f);
    free(q);
}

static void ask_unit(fw_tui *t, dispatch_form *f, const char *initial)
{
    char *q = fw_printf(_("Dispatch %lld cases: unit that checks them (承办单位): "), f->count);
    fw_tui_ask(t, q, initial, dispatch_unit_answered, dispatch_form_free, f);
    free(q);
}

static void ask_due(fw_tui *t, dispatch_form *f, const char *initial)
{
    fw_tui_ask(t, _("Answers due (YYYY-MM-DD, today or later): "), initial, dispatch_due_answered, dispatch_form_free,
               f);
}

static void ask_dir(fw_tui *t, dispatch_form *f, const char *initial)
{
    fw_tui_ask(t, _("Write the workbook to folder (empty = the current one; Tab completes): "), initial,
               dispatch_dir_answered, dispatch_form_free, f);
    fw_tui_ask_complete(t, complete_start_dir);
}

/* The choice made: how many cases that is, then the sample; nothing to send ends the form. */
static void after_source(fw_tui *t, dispatch_form *f)
{
    f->count = preview(t, f);
    if (f->count <= 0) {
        if (f->count == 0)
            fw_tui_error(t, _("Nothing to send: the cases are closed, await a second reviewer or are in an order "
                              "not yet settled."));
        dispatch_form_free(f);
        return;
    }
    ask_sample(t, f, "");
}

static void dispatch_source_answered(fw_tui *t, void *p, const char *text)
{
    dispatch_form *f = p;
    if (*text && strcmp(text, "m") != 0 && strcmp(text, "l") != 0) {
        fw_tui_error(t, _("Type m (the marked hits) or l (the whole list)."));
        f->marked = false;
        long long listed = preview(t, f);
        ask_source(t, f, listed < 0 ? 0 : listed, text);
        return;
    }
    f->marked = strcmp(text, "l") != 0;
    after_source(t, f);
}

/* "N SEED" or "N SEED s": a whole number above 0, a whole-number seed, s for per rule and township. */
static bool parse_sample(const char *text, long long *n, char **seed, bool *stratified)
{
    char a[32], b[32], c[8], extra[2];
    int k = sscanf(text, "%31s %31s %7s %1s", a, b, c, extra);
    char *end;
    if (k < 2 || k > 3 || (k == 3 && strcmp(c, "s") != 0))
        return false;
    *n = strtoll(a, &end, 10);
    if (*end || *n <= 0 || strspn(b, "0123456789") != strlen(b))
        return false;
    *seed = fw_strdup(b);
    *stratified = k == 3;
    return true;
}

static void dispatch_sample_answered(fw_tui *t, void *p, const char *text)
{
    dispatch_form *f = p;
    free(f->seed);
    f->seed = NULL;
    f->sample = 0;
    f->stratified = false;
    if (*text && !parse_sample(text, &f->sample, &f->seed, &f->stratified)) {
        fw_tui_error(t, _("Type the sample as N SEED (N cases at random, SEED a whole number), add s for N per rule "
                          "and township, or leave it empty for all."));
        f->sample = 0;
        ask_sample(t, f, text);
        return;
    }
    if (f->sample > 0 && (f->count = preview(t, f)) < 0) {
        f->sample = 0;
        f->count = preview(t, f);
        ask_sample(t, f, text);
        return;
    }
    ask_unit(t, f, "");
}

static void dispatch_unit_answered(fw_tui *t, void *p, const char *text)
{
    dispatch_form *f = p;
    fw_err err = {0};
    if (fw_order_check_unit(text, &err)) {
        fw_tui_error(t, "%s", err.msg);
        ask_unit(t, f, text);
        return;
    }
    f->unit = fw_strdup(text);
    ask_due(t, f, "");
}

static void dispatch_due_answered(fw_tui *t, void *p, const char *text)
{
    dispatch_form *f = p;
    fw_err err = {0};
    if (fw_order_check_due(text, &err)) {
        fw_tui_error(t, "%s", err.msg);
        ask_due(t, f, text);
        return;
    }
    f->due = fw_strdup(text);
    ask_dir(t, f, "");
}

static void dispatch_dir_answered(fw_tui *t, void *p, const char *text)
{
    dispatch_form *f = p;
    char *base = start_dir();
    char *dir = *text ? fw_tui_expand_path(base, text) : fw_strdup(base);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fw_tui_error(t, _("%s is not a folder; type an existing folder (Tab completes)."), text);
        free(dir);
        free(base);
        ask_dir(t, f, text);
        return;
    }
    fw_hit_filter marks;
    fw_order_request req;
    char *selection;
    form_request(f, &marks, &req, &selection);
    fw_order_workbook_target target = {dir, fw_user()};
    fw_order_plan plan;
    char *path = NULL, sha[65] = "";
    fw_err err = {0};
    if (fw_order_dispatch(t->ws, &req, fw_order_workbook_writer, &target, &plan, &path, sha, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        fw_tui_reload(t);
        long long left = plan.skipped[0] + plan.skipped[1] + plan.skipped[2];
        if (left)
            fw_tui_message(t, _("Order %s to %s: %zu cases, due %s, workbook written to %s (left out: %lld closed, %lld "
                                "awaiting a second reviewer, %lld in an open order)."),
                           plan.order_no, plan.unit, plan.nlines, plan.due, path, plan.skipped[0], plan.skipped[1],
                           plan.skipped[2]);
        else
            fw_tui_message(t, _("Order %s to %s: %zu cases, due %s, workbook written to %s."), plan.order_no, plan.unit,
                           plan.nlines, plan.due, path);
        fw_order_plan_free(&plan);
    }
    free(path);
    free(selection);
    free(dir);
    free(base);
    dispatch_form_free(f);
}

void fw_order_dispatch_form_start(fw_tui *t, const fw_hit_filter *list, const long long *case_ids, long long ncases,
                                  long long nhits)
{
    dispatch_form *f = fw_calloc(1, sizeof *f);
    fw_hit_filter_copy(&f->list, list);
    f->case_refs = fw_calloc((size_t)(ncases > 0 ? ncases : 1), sizeof *f->case_refs);
    f->ncases = ncases > 0 ? ncases : 0;
    f->nhits = nhits;
    for (long long i = 0; i < f->ncases; i++)
        f->case_refs[i] = fw_printf("%lld", case_ids[i]);
    if (!f->ncases) { /* no marks: the list goes */
        after_source(t, f);
        return;
    }
    long long listed = preview(t, f); /* f->marked is false: the list */
    if (listed < 0) {
        dispatch_form_free(f);
        return;
    }
    ask_source(t, f, listed, "");
}
