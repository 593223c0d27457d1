/* keys.c: the one declarative key table: key -> action per view scope. The help screen and the
 * function-key bar are generated from it, and the user's config.ini [keys] section rebinds it. */
#include <ctype.h>
#include <iniparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/tui.h"

#define CTRL(c) ((c) & 0x1f)
#define FN(k) FW_KEY_FN(k)

static const struct {
    const char *name, *help, *label;
} actions[ACT_COUNT_] = {
    [ACT_NONE] = {"none", "", ""},
    [ACT_QUIT] = {"quit", N_("Quit fundwatch"), N_("Quit")},
    [ACT_BACK] = {"back", N_("Back to the previous screen (quit on the first)"), N_("Back")},
    [ACT_HELP] = {"help", N_("Show the keys of this screen"), N_("Help")},
    [ACT_COMMAND] = {"command", N_("Command line (:rule DEC-001, :lookup NAME, :filter ..., :q)"), N_("Cmd")},
    [ACT_MASK] = {"mask", N_("Mask or show ID numbers (saved in the workspace)"), N_("Mask")},
    [ACT_REFRESH] = {"refresh", N_("Reload the data of this screen"), N_("Reload")},
    [ACT_GO_OVERVIEW] = {"overview", N_("Go to the overview"), N_("Overview")},
    [ACT_GO_HITS] = {"hits", N_("Go to the hit list"), N_("Hits")},
    [ACT_GO_LOOKUP] = {"lookup", N_("Look up a person by ID number or name"), N_("Lookup")},
    [ACT_GO_RULES] = {"rules", N_("Go to the rule catalogue"), N_("Rules")},
    [ACT_GO_IMPORT] = {"import", N_("Go to the import screen"), N_("Import")},
    [ACT_GO_CASES] = {"cases", N_("Go to the cases (my queue, overdue, by status, by assignee, systemic)"), N_("Cases")},
    [ACT_DOWN] = {"down", N_("Next line"), N_("Down")},
    [ACT_UP] = {"up", N_("Previous line"), N_("Up")},
    [ACT_PAGE_DOWN] = {"page_down", N_("Next page"), N_("PgDn")},
    [ACT_PAGE_UP] = {"page_up", N_("Previous page"), N_("PgUp")},
    [ACT_TOP] = {"top", N_("First line"), N_("Top")},
    [ACT_BOTTOM] = {"bottom", N_("Last line"), N_("End")},
    [ACT_ENTER] = {"enter", N_("Open the selected line (drill down)"), N_("Open")},
    [ACT_TAB] = {"tab", N_("Next section or pane"), N_("Pane")},
    [ACT_SEARCH] = {"search", N_("Search by name or ID number (narrows the list as you type)"), N_("Search")},
    [ACT_SEARCH_NEXT] = {"search_next", N_("Next match"), N_("Next")},
    [ACT_SEARCH_PREV] = {"search_prev", N_("Previous match"), N_("Prev")},
    [ACT_SORT] = {"sort", N_("Sort by the next column"), N_("Sort")},
    [ACT_SORT_REVERSE] = {"sort_reverse", N_("Reverse the sort order"), N_("Reverse")},
    [ACT_FILTER] = {"filter", N_("Filter: category= rule= severity= status= township= village= amount>="), N_("Filter")},
    [ACT_FILTER_CLEAR] = {"filter_clear", N_("Clear the filter and the search"), N_("Clear")},
    [ACT_MARK] = {"mark", N_("Mark or unmark the line (act on several hits)"), N_("Mark")},
    [ACT_CASE_STATUS] = {"case_status", N_("Set the case status of the hit(s)"), N_("Status")},
    [ACT_CASE_NOTE] = {"case_note", N_("Add a note to the case"), N_("Note")},
    [ACT_CASE_ASSIGN] = {"case_assign", N_("Assign the case to a verifier"), N_("Assign")},
    [ACT_EXPORT] = {"export", N_("Export the list or the case to Excel"), N_("Export")},
    [ACT_RULE_TOGGLE] = {"rule_toggle", N_("Enable or disable the rule in this workspace"), N_("On/off")},
    [ACT_RULE_EDIT] = {"rule_edit", N_("Edit the rule in $EDITOR"), N_("Edit")},
    [ACT_RULE_RUN] = {"rule_run", N_("Run the selected rule (Esc stops)"), N_("Run")},
    [ACT_RULE_RUN_ALL] = {"rule_run_all", N_("Run every enabled rule (Esc stops the run, even inside a rule)"), N_("Run all")},
    [ACT_CASES_VALUE] = {"cases_value", N_("Next status or assignee of the tab (by status, by assignee)"), N_("Next")},
    [ACT_DIR_UP] = {"dir_up", N_("Up to the parent directory (file browser)"), N_("Up dir")},
    [ACT_ALL_FILES] = {"all_files", N_("Show all files or only .csv files (file browser)"), N_("All files")},
    [ACT_IMPORT_DATASET] = {"import_dataset", N_("Choose the dataset the file is loaded into"), N_("Dataset")},
    [ACT_IMPORT_REPLACE] = {"import_replace", N_("Replace the dataset's rows or append to them"), N_("Replace")},
    [ACT_HALF_DOWN] = {"half_page_down", N_("Half a page down"), N_("½PgDn")},
    [ACT_HALF_UP] = {"half_page_up", N_("Half a page up"), N_("½PgUp")},
    [ACT_TAB_PREV] = {"tab_prev", N_("Previous section or pane"), N_("Prev pane")},
    [ACT_SORT_LEFT] = {"sort_left", N_("Sort by the column to the left"), N_("Sort ←")},
    [ACT_SORT_RIGHT] = {"sort_right", N_("Sort by the column to the right"), N_("Sort →")},
    [ACT_SCROLL_LEFT] = {"scroll_left", N_("Scroll left (columns or text cut at the right edge)"), N_("Left")},
    [ACT_SCROLL_RIGHT] = {"scroll_right", N_("Scroll right to what does not fit"), N_("Right")},
    [ACT_DETAIL] = {"detail", N_("Show or hide the detail pane: every field of the line, wrapped"), N_("Details")},
    [ACT_IMPORT_PATH] = {"import_path", N_("Type the path of a file or directory (Tab completes)"), N_("Path")},
    [ACT_GO_WHITELIST] = {"whitelist", N_("Go to the whitelist (known exceptions: list, add, remove, review)"), N_("Whitelist")},
    [ACT_GO_LOG] = {"log", N_("Go to the audit trail (browse, filter, verify)"), N_("Log")},
    [ACT_WL_ADD] = {"whitelist_add", N_("Whitelist a person for a rule (from a hit: its person and rule)"), N_("Add")},
    [ACT_WL_REMOVE] = {"whitelist_remove", N_("Remove the whitelist entry (kept in the list as removed)"), N_("Remove")},
    [ACT_WL_REVIEW] = {"whitelist_review", N_("Approve or reject a pending whitelist entry (second reviewer)"), N_("Review")},
    [ACT_LOG_VERIFY] = {"log_verify", N_("Verify the audit trail's hash chain (Esc stops)"), N_("Verify")},
    [ACT_FREQ] = {"frequency", N_("Frequency of the sorted column's values: count, money, share (Enter filters)"), N_("Freq")},
    [ACT_MARK_FILTER] = {"mark_filter", N_("Mark the hits of the list matching a filter (empty: all of the list)"), N_("Mark…")},
    [ACT_MARK_INVERT] = {"mark_invert", N_("Invert the marks over the whole list"), N_("Invert")},
    [ACT_MARK_CLEAR] = {"mark_clear", N_("Unmark every hit"), N_("Unmark")},
    [ACT_GO_ORDERS] = {"orders", N_("Go to the verification orders (dispatched, overdue, returned, answers to review)"), N_("Orders")},
    [ACT_ORDER_ACCEPT] = {"order_accept", N_("Accept the row's answer: it is applied to the case"), N_("Accept")},
    [ACT_ORDER_SEND_BACK] = {"send_back", N_("Send the row back to the unit with a note"), N_("Send back")},
    [ACT_ORDER_RECEIVE] = {"receive", N_("Receive a returned workbook (its path; Tab completes)"), N_("Receive")},
    [ACT_ORDER_ACCEPT_ALL] = {"accept_all", N_("Accept every answered row of the order (asks first)"), N_("Accept all")},
    [ACT_ORDER_CANCEL] = {"order_cancel", N_("Cancel the order: its cases get their assignment back (asks the reason)"), N_("Cancel")},
    [ACT_ORDER_DISPATCH] = {"dispatch", N_("Send the cases of the marked hits to a unit as a verification order (:dispatch)"), N_("Dispatch")},
};

/* The screens whose lines can be wider than the window (scrolled with h/l, Left/Right). */
#define S_WIDE (S_HITS | S_PERSON | S_CASE | S_OVERVIEW | S_CASES | S_HELP)

static const fw_binding defaults[] = {
    {ACT_HELP, '?', S_ALL, true},
    {ACT_HELP, FN(KEY_F(1)), S_ALL, false},
    {ACT_QUIT, 'Q', S_ALL, false},
    {ACT_BACK, 'q', S_ALL, true},
    {ACT_BACK, 27, S_ALL, false},
    {ACT_BACK, CTRL('c'), S_FREQ, false}, /* stops the counting, as Esc (no SIGINT in raw mode) */
    {ACT_COMMAND, ':', S_ALL, false},
    {ACT_MASK, 'm', S_ALL, false},
    {ACT_REFRESH, 'R', S_ALL, false},
    {ACT_REFRESH, CTRL('l'), S_ALL, false},
    {ACT_GO_OVERVIEW, '1', S_ALL, false},
    {ACT_GO_HITS, '2', S_ALL, false},
    {ACT_GO_LOOKUP, '3', S_ALL, false},
    {ACT_GO_RULES, '4', S_ALL, false},
    {ACT_GO_IMPORT, '5', S_ALL, false},
    {ACT_GO_CASES, 'C', S_ALL, false},
    {ACT_GO_CASES, 'C', S_OVERVIEW, true}, /* the same key, shown in the overview's key bar */
    {ACT_DOWN, 'j', S_ALL, false},
    {ACT_DOWN, FN(KEY_DOWN), S_ALL, false},
    {ACT_UP, 'k', S_ALL, false},
    {ACT_UP, FN(KEY_UP), S_ALL, false},
    {ACT_PAGE_DOWN, CTRL('f'), S_ALL, false},
    {ACT_PAGE_DOWN, FN(KEY_NPAGE), S_ALL, false},
    {ACT_PAGE_UP, CTRL('b'), S_ALL, false},
    {ACT_PAGE_UP, FN(KEY_PPAGE), S_ALL, false},
    {ACT_TOP, 'g', S_ALL, false},
    {ACT_TOP, FN(KEY_HOME), S_ALL, false},
    {ACT_BOTTOM, 'G', S_ALL, false},
    {ACT_BOTTOM, FN(KEY_END), S_ALL, false},
    {ACT_ENTER, '\n', S_OVERVIEW | S_HITS | S_PERSON | S_LOOKUP | S_RULES | S_IMPORT | S_CASES | S_CASE, true},
    {ACT_ENTER, '\r', S_OVERVIEW | S_HITS | S_PERSON | S_LOOKUP | S_RULES | S_IMPORT | S_CASES | S_CASE, false},
    {ACT_ENTER, FN(KEY_ENTER), S_OVERVIEW | S_HITS | S_PERSON | S_LOOKUP | S_RULES | S_IMPORT | S_CASES | S_CASE, false},
    {ACT_TAB, '\t', S_PERSON | S_OVERVIEW | S_CASES | S_CASE, true},
    {ACT_SEARCH, '/', S_HITS | S_PERSON | S_LOOKUP | S_HELP | S_OVERVIEW | S_RULES | S_IMPORT | S_CASES | S_CASE, true},
    {ACT_SEARCH_NEXT, 'n', S_HITS | S_PERSON | S_HELP | S_OVERVIEW | S_RULES | S_IMPORT | S_CASES | S_CASE, false},
    {ACT_SEARCH_PREV, 'N', S_HITS | S_PERSON | S_HELP | S_OVERVIEW | S_RULES | S_IMPORT | S_CASES | S_CASE, false},
    {ACT_SORT, 's', S_HITS, true},
    {ACT_SORT_REVERSE, 'S', S_HITS, false},
    {ACT_FILTER, 'f', S_HITS, true},
    {ACT_MARK, ' ', S_HITS, true},
    {ACT_CASE_STATUS, 'c', S_HITS | S_PERSON | S_CASES | S_CASE, true},
    {ACT_CASE_NOTE, 'o', S_HITS | S_PERSON | S_CASES | S_CASE, false},
    {ACT_CASE_ASSIGN, 'a', S_HITS | S_PERSON | S_CASES | S_CASE, false},
    {ACT_EXPORT, 'x', S_HITS | S_PERSON | S_CASE, true},
    {ACT_RULE_TOGGLE, ' ', S_RULES, true},
    {ACT_RULE_EDIT, 'e', S_RULES, true},
    {ACT_RULE_RUN, 'r', S_RULES, true},
    {ACT_RULE_RUN_ALL, 'A', S_RULES, true},
    {ACT_CASES_VALUE, 'v', S_CASES, true},
    {ACT_CASES_VALUE, FN(KEY_RIGHT), S_CASES, false},
    {ACT_DIR_UP, FN(KEY_BACKSPACE), S_IMPORT, true},
    {ACT_DIR_UP, 127, S_IMPORT, false},
    {ACT_DIR_UP, 8, S_IMPORT, false},
    {ACT_DIR_UP, 'h', S_IMPORT, false},
    {ACT_ALL_FILES, '.', S_IMPORT, true},
    {ACT_IMPORT_DATASET, 'd', S_IMPORT, true},
    {ACT_IMPORT_REPLACE, 'r', S_IMPORT, true},
    {ACT_IMPORT_PATH, 'p', S_IMPORT, true},
    {ACT_HALF_DOWN, CTRL('d'), S_ALL, false},
    {ACT_HALF_UP, CTRL('u'), S_ALL, false},
    {ACT_TAB_PREV, FN(KEY_BTAB), S_PERSON | S_OVERVIEW | S_CASES | S_CASE, false},
    {ACT_SORT_LEFT, '<', S_HITS, false},
    {ACT_SORT_RIGHT, '>', S_HITS, true},
    {ACT_SCROLL_LEFT, 'h', S_WIDE, false},
    {ACT_SCROLL_LEFT, FN(KEY_LEFT), S_WIDE, false},
    {ACT_SCROLL_RIGHT, 'l', S_WIDE, false},
    {ACT_SCROLL_RIGHT, FN(KEY_RIGHT), S_WIDE & ~S_CASES, false},
    {ACT_DETAIL, 'd', S_HITS, true},
    /* whitelist, audit trail, frequency view, marks at scale */
    {ACT_GO_WHITELIST, 'W', S_ALL, false},
    {ACT_GO_LOG, 'L', S_ALL, false},
    {ACT_ENTER, '\n', S_WHITELIST | S_LOG | S_FREQ, true},
    {ACT_ENTER, '\r', S_WHITELIST | S_LOG | S_FREQ, false},
    {ACT_ENTER, FN(KEY_ENTER), S_WHITELIST | S_LOG | S_FREQ, false},
    {ACT_TAB, '\t', S_WHITELIST | S_FREQ, true},
    {ACT_SEARCH, '/', S_WHITELIST | S_LOG | S_FREQ, true},
    {ACT_SEARCH_NEXT, 'n', S_WHITELIST | S_LOG | S_FREQ, false},
    {ACT_SEARCH_PREV, 'N', S_WHITELIST | S_LOG | S_FREQ, false},
    {ACT_WL_ADD, 'a', S_WHITELIST, true},
    {ACT_WL_ADD, 'w', S_HITS | S_PERSON, false},
    {ACT_WL_REMOVE, 'd', S_WHITELIST, true},
    {ACT_WL_REVIEW, 'A', S_WHITELIST, true},
    {ACT_FILTER, 'f', S_LOG, true},
    {ACT_FILTER_CLEAR, FN(KEY_BACKSPACE), S_HITS | S_LOG, false},
    {ACT_FILTER_CLEAR, 127, S_HITS | S_LOG, false},
    {ACT_FILTER_CLEAR, 8, S_HITS | S_LOG, false},
    {ACT_LOG_VERIFY, 'v', S_LOG, true},
    {ACT_FREQ, 'F', S_HITS, true},
    {ACT_MARK_FILTER, '+', S_HITS, false},
    {ACT_MARK_INVERT, '*', S_HITS, false},
    {ACT_MARK_CLEAR, '-', S_HITS, false},
    /* verification orders */
    {ACT_GO_ORDERS, 'O', S_ALL, false},
    {ACT_ENTER, '\n', S_ORDERS | S_ORDER, true},
    {ACT_ENTER, '\r', S_ORDERS | S_ORDER, false},
    {ACT_ENTER, FN(KEY_ENTER), S_ORDERS | S_ORDER, false},
    {ACT_SEARCH, '/', S_ORDERS | S_ORDER, true},
    {ACT_SEARCH_NEXT, 'n', S_ORDERS | S_ORDER, false},
    {ACT_SEARCH_PREV, 'N', S_ORDERS | S_ORDER, false},
    {ACT_ORDER_ACCEPT, 'a', S_ORDER, true},
    {ACT_ORDER_SEND_BACK, 'b', S_ORDER, true},
    {ACT_ORDER_RECEIVE, 'r', S_ORDERS | S_ORDER, true},
    {ACT_ORDER_ACCEPT_ALL, 'A', S_ORDERS | S_ORDER, true},
    {ACT_ORDER_CANCEL, 'X', S_ORDERS | S_ORDER, true},
    {ACT_ORDER_DISPATCH, 'D', S_HITS, false},
};

enum { MAX_BINDINGS = 128 };
static fw_binding table[MAX_BINDINGS];
static int ntable = -1;

void fw_keys_reset(void)
{
    ntable = (int)(sizeof defaults / sizeof defaults[0]);
    memcpy(table, defaults, sizeof defaults);
}

const fw_binding *fw_bindings(int *n)
{
    if (ntable < 0)
        fw_keys_reset();
    *n = ntable;
    return table;
}

const char *fw_action_name(enum fw_action a) { return a < ACT_COUNT_ ? actions[a].name : "?"; }
const char *fw_action_help(enum fw_action a) { return a < ACT_COUNT_ ? actions[a].help : ""; }
const char *fw_action_label(enum fw_action a) { return a < ACT_COUNT_ ? actions[a].label : ""; }

enum fw_action fw_key_action(int key, int scope)
{
    int n;
    const fw_binding *b = fw_bindings(&n);
    /* A binding made for this view alone wins over one that applies everywhere. */
    enum fw_action found = ACT_NONE;
    for (int i = 0; i < n; i++)
        if (b[i].key == key && (b[i].scope & scope)) {
            if (b[i].scope != S_ALL)
                return b[i].action;
            found = b[i].action;
        }
    return found;
}

static const struct {
    const char *name;
    int key;
} named[] = {
    {"Enter", '\n'}, {"Enter", FN(KEY_ENTER)}, {"Esc", 27}, {"Tab", '\t'}, {"Space", ' '},
    {"Up", FN(KEY_UP)}, {"Down", FN(KEY_DOWN)}, {"Left", FN(KEY_LEFT)}, {"Right", FN(KEY_RIGHT)},
    {"PgUp", FN(KEY_PPAGE)}, {"PgDn", FN(KEY_NPAGE)}, {"Home", FN(KEY_HOME)}, {"End", FN(KEY_END)},
    {"Backspace", FN(KEY_BACKSPACE)}, {"Del", FN(KEY_DC)}, {"S-Tab", FN(KEY_BTAB)},
};

void fw_key_name(int key, char out[16])
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (named[i].key == key) {
            snprintf(out, 16, "%s", named[i].name);
            return;
        }
    if (key & 0x40000000) {
        int k = key & ~0x40000000;
        if (k >= KEY_F(1) && k <= KEY_F(12))
            snprintf(out, 16, "F%d", k - KEY_F0);
        else
            snprintf(out, 16, "#%d", k);
    } else if (key == '\r') {
        snprintf(out, 16, "Enter");
    } else if (key < 32) {
        snprintf(out, 16, "C-%c", key + 'a' - 1);
    } else if (key < 128) {
        snprintf(out, 16, "%c", key);
    } else {
        snprintf(out, 16, "U+%04X", key);
    }
}

int fw_key_parse(const char *name)
{
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (strcasecmp(named[i].name, name) == 0)
            return named[i].key;
    if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && isalpha((unsigned char)name[2]) && !name[3])
        return CTRL(tolower((unsigned char)name[2]));
    if ((name[0] == 'F' || name[0] == 'f') && isdigit((unsigned char)name[1])) {
        int k = atoi(name + 1);
        if (k >= 1 && k <= 12)
            return FN(KEY_F(k));
    }
    if (name[0] && !name[1] && (unsigned char)name[0] > 32 && (unsigned char)name[0] < 127)
        return (unsigned char)name[0];
    return -1;
}

/* Replaces the keys of one action with the listed ones, keeping each binding's scope. */
static bool rebind(enum fw_action a, const char *list)
{
    int scope = 0;
    bool bar = false;
    int keys[8], nk = 0;
    char *copy = fw_strdup(list);
    for (char *save = NULL, *w = strtok_r(copy, ", ", &save); w && nk < 8; w = strtok_r(NULL, ", ", &save)) {
        int k = fw_key_parse(w);
        if (k < 0) {
            free(copy);
            return false;
        }
        keys[nk++] = k;
    }
    free(copy);
    if (nk == 0)
        return false;
    int out = 0;
    for (int i = 0; i < ntable; i++) {
        if (table[i].action == a) {
            scope |= table[i].scope;
            bar |= table[i].bar;
            continue;
        }
        table[out++] = table[i];
    }
    ntable = out;
    if (!scope)
        scope = S_ALL;
    /* The new key leaves whatever it did before in these screens. */
    for (int k = 0; k < nk; k++) {
        out = 0;
        for (int i = 0; i < ntable; i++) {
            if (table[i].key == keys[k])
                table[i].scope &= ~scope;
            if (table[i].scope)
                table[out++] = table[i];
        }
        ntable = out;
    }
    for (int i = 0; i < nk && ntable < MAX_BINDINGS; i++)
        table[ntable++] = (fw_binding){a, keys[i], scope, i == 0 && bar};
    return true;
}

void fw_keys_load_config(const char *path, char *msg, size_t msgsz)
{
    fw_keys_reset();
    msg[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fclose(f);
    dictionary *ini = iniparser_load(path);
    if (!ini) {
        snprintf(msg, msgsz, _("%s: cannot be read as an INI file; default keys in use."), path);
        return;
    }
    int nkeys = iniparser_getsecnkeys(ini, "keys");
    if (nkeys > 0) {
        const char **names = fw_calloc((size_t)nkeys, sizeof *names);
        iniparser_getseckeys(ini, "keys", names);
        for (int i = 0; i < nkeys; i++) {
            const char *action = strchr(names[i], ':') ? strchr(names[i], ':') + 1 : names[i];
            enum fw_action a = ACT_NONE;
            for (int k = 1; k < ACT_COUNT_; k++)
                if (strcmp(actions[k].name, action) == 0)
                    a = (enum fw_action)k;
            const char *val = iniparser_getstring(ini, names[i], "");
            if (a == ACT_NONE || !rebind(a, val))
                snprintf(msg, msgsz, _("%s: [keys] %s = %s not understood (action names are in the help "
                                       "screen; keys look like j, C-f, F2, PgDn)."),
                         path, action, val);
        }
        free(names);
    }
    iniparser_freedict(ini);
}
