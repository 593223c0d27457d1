/* kiosk.c: the screen of the citizen kiosk (民生监督一体机, docs/kiosk.md). A villager types the
 * 18-digit ID number (or a keyboard-wedge card reader types it and Enter) and sees the benefits paid
 * in that name over the last 24 months, the name masked; on a payment they may say "这笔钱我没有收到",
 * which becomes a citizen report for the inspectors (audit/kiosk.h). The terminal stands in a public
 * place, so the keyboard cannot leave it: raw mode (Ctrl-C, Ctrl-Z, Ctrl-\ arrive as bytes and are
 * ignored), those signals ignored as well, F-keys, `:` and `q` do nothing; only SIGTERM or SIGHUP
 * from the machine's owner end it. Whatever was shown is wiped after the idle time, so the next
 * person does not see the last one's payments. Large text: bold, the ID number spaced out, and more
 * space between rows when the terminal is taller than 80x24. */
#include "tui/kiosk.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/i18n.h"
#include "audit/kiosk.h"
#include "audit/util.h"
#include "tui/lines.h"

enum kstate { K_ENTRY, K_RESULT, K_CONFIRM };
enum { P_TITLE = 1, P_ERROR, P_OK }; /* colour pairs */

typedef struct kiosk {
    fw_ws **ws;
    const fw_kiosk_opts *o;
    enum kstate state;
    char typed[20];
    int ntyped;
    char id[19]; /* the ID of the result shown */
    fw_kiosk_result res;
    bool have_res;
    bool looked; /* Enter was pressed on the number shown: the next digit starts a new one */
    int cursor, top;
    char msg[512];
    int msg_kind; /* 0 none, P_ERROR, P_OK */
    time_t last_key;
} kiosk;

/* Said by the screen's own check and, should a client skip it, by the server's. */
static const char bad_id_msg[] = N_("This ID number is not valid (its check digit is wrong). Please check it and type "
                                    "it again. Nothing was looked up.");

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void set_msg(kiosk *k, int kind, const char *text)
{
    snprintf(k->msg, sizeof k->msg, "%s", text);
    k->msg_kind = kind;
}

/* Forgets everything shown: back to an empty entry. */
static void clear_all(kiosk *k)
{
    fw_kiosk_result_free(&k->res);
    k->have_res = false;
    k->state = K_ENTRY;
    k->ntyped = 0;
    k->typed[0] = k->id[0] = '\0';
    k->cursor = k->top = 0;
    k->msg[0] = '\0';
    k->msg_kind = 0;
    k->looked = false;
}

static void yuan(long long fen, char out[32])
{
    const char *sign = fen < 0 ? "-" : "";
    long long a = fen < 0 ? -fen : fen;
    snprintf(out, 32, "%s%lld.%02lld", sign, a / 100, a % 100);
}

/* Draws s at row y centred, or from column x when x >= 0. */
static void put(int y, int x, const char *s)
{
    int w = fw_utf8_width(s);
    if (x < 0)
        x = (COLS - w) / 2 > 0 ? (COLS - w) / 2 : 0;
    char fit[1024];
    fw_utf8_fit(s, COLS - x, fit, sizeof fit);
    mvaddstr(y, x, fit);
}

/* Text padded to w display columns. */
static void cell(int y, int x, const char *s, int w)
{
    char fit[512];
    int got = fw_utf8_fit(s, w, fit, sizeof fit);
    mvaddstr(y, x, fit);
    for (int i = got; i < w; i++)
        addch(' ');
}

static void draw_title(void)
{
    attron(A_BOLD | A_REVERSE | COLOR_PAIR(P_TITLE));
    move(0, 0);
    for (int i = 0; i < COLS; i++)
        addch(' ');
    put(0, -1, _("Citizen kiosk: benefits paid in your name"));
    attroff(A_BOLD | A_REVERSE | COLOR_PAIR(P_TITLE));
}

/* Digits three rows tall in box-drawing characters, for a terminal with the room (BIG_COLS x
 * BIG_LINES): 0-9, X and _ (a place still to type). */
enum { BIG_COLS = 18 * 5 + 2, BIG_LINES = 30 };
static const char *const glyphs[12][3] = {
    {"┌─┐", "│ │", "└─┘"}, {"  ╷", "  │", "  ╵"}, {"╶─┐", "┌─┘", "└─╴"}, {"╶─┐", " ─┤", "╶─┘"},
    {"╷ ╷", "└─┤", "  ╵"}, {"┌─╴", "└─┐", "╶─┘"}, {"┌─╴", "├─┐", "└─┘"}, {"╶─┐", "  │", "  ╵"},
    {"┌─┐", "├─┤", "└─┘"}, {"┌─┐", "└─┤", "╶─┘"}, {"╲ ╱", " ╳ ", "╱ ╲"}, {"   ", "   ", "╶─╴"},
};

static bool big(void)
{
    return COLS >= BIG_COLS && LINES >= BIG_LINES;
}

/* The ID number large: at 80x24 each character bold in a cell of three or four columns, blanks as
 * underscores; with the room, three rows tall in box-drawing characters. Returns the rows used. */
static int draw_entry(kiosk *k, int y)
{
    attron(A_BOLD);
    put(y, -1, _("Type your 18-digit ID number, or put your ID card on the reader"));
    if (big()) {
        int x0 = (COLS - 18 * 5) / 2;
        for (int i = 0; i < 18; i++) {
            char c = i < k->ntyped ? k->typed[i] : '_';
            int g = c == 'X' ? 10 : c == '_' ? 11 : c - '0';
            for (int r = 0; r < 3; r++)
                mvaddstr(y + 2 + r, x0 + i * 5 + 1, glyphs[g][r]);
        }
        attroff(A_BOLD);
        return 6;
    }
    int cellw = COLS >= 18 * 4 + 4 ? 4 : 3;
    int x0 = (COLS - 18 * cellw) / 2;
    if (x0 < 0)
        x0 = 0;
    for (int i = 0; i < 18; i++) {
        char c[2] = {i < k->ntyped ? k->typed[i] : '_', 0};
        mvaddstr(y + 2, x0 + i * cellw + cellw / 2, c);
    }
    attroff(A_BOLD);
    return 4;
}

static void draw_message(kiosk *k, int y)
{
    if (!k->msg[0])
        return;
    int pair = k->msg_kind == P_ERROR ? P_ERROR : P_OK;
    attron(A_BOLD | COLOR_PAIR(pair));
    char **lines = NULL;
    int n = fw_text_wrap(k->msg, COLS - 4, &lines);
    for (int i = 0; i < n; i++) {
        put(y + i, -1, lines[i]);
        free(lines[i]);
    }
    free(lines);
    attroff(A_BOLD | COLOR_PAIR(pair));
}

static long long total_of(const fw_kiosk_result *r)
{
    long long t = 0;
    for (int i = 0; i < r->n; i++)
        t += r->rows[i].amount;
    return t;
}

/* The payments between rows y and bottom: a summary line, the column titles, the rows (the selected
 * one reversed; a blank line between rows on a tall terminal), scrolled to keep the cursor shown. */
static void draw_result(kiosk *k, int y, int bottom)
{
    const fw_kiosk_result *r = &k->res;
    char line[512], tot[32];
    yuan(total_of(r), tot);
    snprintf(line, sizeof line, _("Name: %s    %s to %s: %d payments, %s yuan in all"), r->name, r->from, r->to,
             r->n, tot);
    attron(A_BOLD);
    put(y, -1, line);
    attroff(A_BOLD);
    int wm = 9, wa = 12, wp, wd;
    int width = COLS - 4 < 100 ? COLS - 4 : 100;
    int rest = width - wm - wa - 6;
    wp = rest * 55 / 100;
    wd = rest - wp;
    int x0 = (COLS - width) / 2;
    if (x0 < 0)
        x0 = 0;
    attron(A_UNDERLINE);
    cell(y + 2, x0, _("Month"), wm + 2);
    cell(y + 2, x0 + wm + 2, _("Program"), wp + 2);
    char am[64];
    snprintf(am, sizeof am, "%*s", wa, _("Amount (yuan)"));
    cell(y + 2, x0 + wm + wp + 4, am, wa + 2);
    cell(y + 2, x0 + wm + wp + wa + 6, _("Paid by"), wd);
    attroff(A_UNDERLINE);
    int gap = LINES >= 40 ? 1 : 0;
    int per = 1 + gap;
    int room = (bottom - (y + 3)) / per;
    if (room < 1)
        room = 1;
    if (k->cursor < k->top)
        k->top = k->cursor;
    if (k->cursor >= k->top + room)
        k->top = k->cursor - room + 1;
    for (int i = k->top; i < r->n && i < k->top + room; i++) {
        const fw_kiosk_payment *p = &r->rows[i];
        int yy = y + 3 + (i - k->top) * per;
        bool sel = i == k->cursor;
        if (sel)
            attron(A_REVERSE | A_BOLD);
        char a[32], ar[48];
        yuan(p->amount, a);
        snprintf(ar, sizeof ar, "%*s", wa, a);
        cell(yy, x0, p->period, wm + 2);
        cell(yy, x0 + wm + 2, p->program, wp + 2);
        cell(yy, x0 + wm + wp + 4, ar, wa + 2);
        cell(yy, x0 + wm + wp + wa + 6, p->department, wd);
        if (sel)
            attroff(A_REVERSE | A_BOLD);
    }
    if (r->n > room) {
        snprintf(line, sizeof line, _("(%d of %d, arrows scroll)"), k->cursor + 1, r->n);
        put(bottom, -1, line);
    }
}

static void draw_keys(kiosk *k)
{
    const char *keys = k->state == K_ENTRY    ? _("Enter: look up    Backspace: delete a digit")
                       : k->state == K_RESULT ? _("Up/Down: choose a payment    Enter: I did not receive this money    "
                                                  "Esc: new lookup")
                                              : _("Enter: yes, report it    Esc: no, go back");
    attron(A_BOLD | A_REVERSE);
    move(LINES - 1, 0);
    for (int i = 0; i < COLS; i++)
        addch(' ');
    put(LINES - 1, -1, keys);
    attroff(A_BOLD | A_REVERSE);
}

static void draw(kiosk *k)
{
    erase();
    draw_title();
    int y = LINES >= 40 ? 3 : 2;
    y += draw_entry(k, y);
    draw_message(k, y);
    y += 3;
    if (k->have_res && k->res.status == FW_KIOSK_FOUND && k->state != K_ENTRY) {
        if (k->state == K_CONFIRM) {
            const fw_kiosk_payment *p = &k->res.rows[k->cursor];
            char a[32], line[512];
            yuan(p->amount, a);
            snprintf(line, sizeof line, _("%s  %s  %s yuan  (%s)"), p->period, p->program, a, p->department);
            attron(A_BOLD);
            put(y, -1, line);
            put(y + 2, -1, _("You say you did NOT receive this money. Report it to the inspectors?"));
            attroff(A_BOLD);
        } else
            draw_result(k, y, LINES - 3);
    }
    draw_keys(k);
    refresh();
}

static void lookup(kiosk *k)
{
    fw_kiosk_result_free(&k->res);
    k->have_res = false;
    k->cursor = k->top = 0;
    k->looked = true;
    char id[19];
    k->typed[k->ntyped] = '\0';
    if (k->ntyped != 18) {
        set_msg(k, P_ERROR, _("An ID number has 18 characters. Please type it again."));
        return;
    }
    if (!fw_kiosk_id_valid(k->typed, id)) {
        set_msg(k, P_ERROR, _(bad_id_msg));
        return;
    }
    fw_err err = {0};
    int rc = fw_kiosk_lookup(*k->ws, k->o->kiosk, id, k->o->rate, &k->res, &err);
    if (rc && fw_kiosk_reconnect(k->ws)) {
        memset(&err, 0, sizeof err);
        rc = fw_kiosk_lookup(*k->ws, k->o->kiosk, id, k->o->rate, &k->res, &err);
    }
    if (rc) {
        char m[512];
        snprintf(m, sizeof m, _("The lookup is not available now; please ask the staff. (%s)"), err.msg);
        set_msg(k, P_ERROR, m);
        return;
    }
    k->have_res = true;
    memcpy(k->id, id, sizeof k->id);
    char m[512];
    switch (k->res.status) {
    case FW_KIOSK_FOUND:
        k->state = K_RESULT;
        k->msg[0] = '\0';
        k->msg_kind = 0;
        break;
    case FW_KIOSK_NONE:
        snprintf(m, sizeof m, _("No payment to this ID number from %s to %s."), k->res.from, k->res.to);
        set_msg(k, P_OK, m);
        break;
    case FW_KIOSK_BAD_ID:
        set_msg(k, P_ERROR, _(bad_id_msg));
        break;
    case FW_KIOSK_RATE:
        snprintf(m, sizeof m, _("Too many lookups: this kiosk answers at most %d a minute. Please wait a minute and "
                                "try again."),
                 k->res.rate);
        set_msg(k, P_ERROR, m);
        break;
    }
    /* The number stays on the screen until a new one is typed, Esc or the idle clear. */
}

static void report(kiosk *k)
{
    const fw_kiosk_payment *p = &k->res.rows[k->cursor];
    long long rid = 0;
    fw_err err = {0};
    char m[512];
    int rc = fw_kiosk_report(*k->ws, k->o->kiosk, k->id, p->payment_key, &rid, &err);
    if (rc && fw_kiosk_reconnect(k->ws)) {
        memset(&err, 0, sizeof err);
        rc = fw_kiosk_report(*k->ws, k->o->kiosk, k->id, p->payment_key, &rid, &err);
    }
    if (rc)
        snprintf(m, sizeof m, _("The report could not be recorded; please ask the staff. (%s)"), err.msg);
    else
        snprintf(m, sizeof m, _("Recorded (report %lld): %s %s %s. The discipline inspectors will check it."), rid,
                 p->period, p->program, p->department);
    set_msg(k, rid ? P_OK : P_ERROR, m);
    k->state = K_RESULT;
}

static void on_key(kiosk *k, int ch)
{
    bool digit = (ch >= '0' && ch <= '9') || ch == 'x' || ch == 'X';
    if (digit && k->state != K_CONFIRM) {
        if (k->state == K_RESULT || k->looked) /* a new number begins: the last one and its answer go */
            clear_all(k);
        if ((ch == 'x' || ch == 'X') && k->ntyped != 17)
            return; /* X is only the check character */
        if (k->ntyped < 18) {
            k->typed[k->ntyped++] = (char)(ch == 'x' ? 'X' : ch);
            k->typed[k->ntyped] = '\0';
        }
        if (k->msg_kind == P_ERROR)
            k->msg[0] = '\0', k->msg_kind = 0;
        return;
    }
    switch (ch) {
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (k->state == K_ENTRY && k->ntyped > 0)
            k->typed[--k->ntyped] = '\0';
        else if (k->state == K_CONFIRM)
            k->state = K_RESULT;
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        if (k->state == K_ENTRY)
            lookup(k);
        else if (k->state == K_RESULT && k->res.n > 0) {
            k->state = K_CONFIRM;
            k->msg[0] = '\0';
        } else if (k->state == K_CONFIRM)
            report(k);
        break;
    case 27: /* Esc */
        if (k->state == K_CONFIRM)
            k->state = K_RESULT;
        else
            clear_all(k);
        break;
    case KEY_UP:
        if (k->state == K_RESULT && k->cursor > 0)
            k->cursor--;
        break;
    case KEY_DOWN:
        if (k->state == K_RESULT && k->cursor + 1 < k->res.n)
            k->cursor++;
        break;
    case KEY_PPAGE:
        if (k->state == K_RESULT)
            k->cursor = k->cursor > 10 ? k->cursor - 10 : 0;
        break;
    case KEY_NPAGE:
        if (k->state == K_RESULT)
            k->cursor = k->cursor + 10 < k->res.n ? k->cursor + 10 : (k->res.n ? k->res.n - 1 : 0);
        break;
    default:
        /* Ctrl-C (3), Ctrl-Z (26), Ctrl-\ (28), F-keys, ':', 'q' and everything else: nothing. */
        break;
    }
}

int fw_kiosk_run(fw_ws **ws, const fw_kiosk_opts *o)
{
    /* Raw mode already turns the keys into bytes; ignoring the signals as well covers a terminal
     * whose settings are changed behind our back (and a child's job control). */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    set_escdelay(25);
    if (!initscr()) {
        fprintf(stderr, "fundwatch kiosk: cannot start the terminal screen (is TERM set?)\n");
        return FW_EFAIL;
    }
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    timeout(200);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(P_TITLE, COLOR_WHITE, COLOR_BLUE);
        init_pair(P_ERROR, COLOR_RED, -1);
        init_pair(P_OK, COLOR_GREEN, -1);
    }
    kiosk k = {.ws = ws, .o = o, .last_key = time(NULL)};
    clear_all(&k);
    draw(&k);
    while (!stop_flag) {
        int ch = getch();
        time_t now = time(NULL);
        if (ch == ERR) {
            bool shown = k.ntyped > 0 || k.have_res || k.msg[0];
            if (shown && now - k.last_key >= o->idle_s) {
                clear_all(&k);
                draw(&k);
            }
            continue;
        }
        k.last_key = now;
        if (ch != KEY_RESIZE)
            on_key(&k, ch);
        draw(&k);
    }
    clear_all(&k);
    endwin();
    return FW_OK;
}
