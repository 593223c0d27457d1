/* commands.c: the `:` command line. One declarative table names every command, the screen it
 * opens or what it does, and the words after it that Tab can complete; the command line's help,
 * its "unknown command" message and its completion are generated from it, as the key bar and the
 * help screen are from the key table (keys.c).
 *
 * Screens written in other modules join here by one line each: a command whose `view` is NULL
 * reports cleanly that its screen is not part of this build. */
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/tui.h"

/* Hooks for the screens of other modules (NULL until they are part of the build). */
#define FW_VIEW_WHITELIST (&fw_view_whitelist) /* tui/view_whitelist.c */
#define FW_VIEW_LOG (&fw_view_log)             /* tui/view_log.c */

typedef void (*command_fn)(fw_tui *t, const char *rest);

enum arg_kind { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };
enum complete_kind { COMPLETE_NOTHING, COMPLETE_RULES, COMPLETE_FILTER };

typedef struct command {
    const char *name, *alias;
    enum arg_kind arg;
    const char *arg_hint;      /* shown in the help: "ID", "NAME" */
    const fw_view_ops *view;   /* the screen it opens (fw_tui_go), or NULL with fn */
    command_fn fn;             /* what it does instead, or NULL */
    const char *unavailable;   /* the screen's name when `view` is a hook not filled yet */
    enum complete_kind complete;
    const char *help;          /* N_() */
} command;

static void cmd_quit(fw_tui *t, const char *rest) { (void)rest; fw_tui_quit(t, false); }
static void cmd_quit_now(fw_tui *t, const char *rest) { (void)rest; fw_tui_quit(t, true); }

static void cmd_rule(fw_tui *t, const char *rest)
{
    char *f = fw_printf("rule=%s", rest);
    fw_tui_filter_hits(t, f);
    free(f);
}

static void cmd_filter(fw_tui *t, const char *rest) { fw_tui_filter_hits(t, rest); }
static void cmd_person(fw_tui *t, const char *rest) { fw_tui_push(t, &fw_view_person, rest); }
static void cmd_case(fw_tui *t, const char *rest) { fw_tui_push(t, &fw_view_case, rest); }
static void cmd_help(fw_tui *t, const char *rest) { (void)rest; fw_tui_push(t, &fw_view_help, NULL); }
static void cmd_lookup(fw_tui *t, const char *rest) { fw_tui_go(t, &fw_view_lookup, rest); }
/* :log CASE opens the trail filtered to one case; :log alone, the whole trail. */
static void cmd_log(fw_tui *t, const char *rest) { fw_tui_go(t, FW_VIEW_LOG, *rest ? rest : NULL); }

/* :dispatch: D of the hit list (its marked hits, or its filtered list, go out as a verification order). */
static void cmd_dispatch(fw_tui *t, const char *rest)
{
    (void)rest;
    if (!t->depth || t->stack[t->depth - 1].ops != &fw_view_hits) {
        fw_tui_error(t, _("Go to the hit list (2) for :dispatch (its marked hits, or the whole list)."));
        return;
    }
    t->stack[t->depth - 1].ops->key(t, t->stack[t->depth - 1].state, ACT_ORDER_DISPATCH);
}

static const command commands[] = {
    {"overview", NULL, ARG_NONE, NULL, &fw_view_overview, NULL, NULL, COMPLETE_NOTHING, N_("the overview")},
    {"hits", NULL, ARG_NONE, NULL, &fw_view_hits, NULL, NULL, COMPLETE_NOTHING, N_("the hit list")},
    {"filter", NULL, ARG_OPTIONAL, "category=… rule=…", NULL, cmd_filter, NULL, COMPLETE_FILTER,
     N_("the hit list with this filter")},
    {"rule", NULL, ARG_REQUIRED, "ID", NULL, cmd_rule, NULL, COMPLETE_RULES, N_("the hits of one rule")},
    {"rules", NULL, ARG_NONE, NULL, &fw_view_rules, NULL, NULL, COMPLETE_NOTHING, N_("the rule catalogue")},
    {"lookup", "l", ARG_REQUIRED, N_("NAME"), NULL, cmd_lookup, NULL, COMPLETE_NOTHING,
     N_("look up a person by ID number or name")},
    {"person", NULL, ARG_REQUIRED, "ID", NULL, cmd_person, NULL, COMPLETE_NOTHING, N_("one person")},
    {"cases", NULL, ARG_NONE, NULL, &fw_view_cases, NULL, NULL, COMPLETE_NOTHING, N_("the case register")},
    {"case", NULL, ARG_REQUIRED, "ID", NULL, cmd_case, NULL, COMPLETE_NOTHING, N_("one case")},
    {"import", NULL, ARG_NONE, NULL, &fw_view_import, NULL, NULL, COMPLETE_NOTHING, N_("load a CSV file")},
    {"whitelist", NULL, ARG_NONE, NULL, FW_VIEW_WHITELIST, NULL, N_("The whitelist screen"), COMPLETE_NOTHING,
     N_("known exceptions")},
    {"log", NULL, ARG_OPTIONAL, "[CASE]", NULL, cmd_log, N_("The audit-trail screen"), COMPLETE_NOTHING,
     N_("the audit trail")},
    {"orders", NULL, ARG_NONE, NULL, &fw_view_orders, NULL, NULL, COMPLETE_NOTHING, N_("the verification orders")},
    {"dispatch", NULL, ARG_NONE, NULL, NULL, cmd_dispatch, NULL, COMPLETE_NOTHING,
     N_("send the marked hits' cases to a unit as a verification order")},
    {"help", NULL, ARG_NONE, NULL, NULL, cmd_help, NULL, COMPLETE_NOTHING, N_("the keys")},
    {"quit", "q", ARG_NONE, NULL, NULL, cmd_quit, NULL, COMPLETE_NOTHING, N_("quit (asks when work would be lost)")},
    {"q!", NULL, ARG_NONE, NULL, NULL, cmd_quit_now, NULL, COMPLETE_NOTHING, N_("quit without asking")},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static const command *find_command(const char *word)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, word) == 0 || (commands[i].alias && strcmp(commands[i].alias, word) == 0))
            return &commands[i];
    return NULL;
}

/* ":rule ID · :filter … · …" for messages and the help screen; caller frees. */
char *fw_tui_commands_summary(void)
{
    fw_buf b = {0};
    for (int i = 0; i < NCOMMANDS; i++)
        fw_buf_printf(&b, "%s:%s%s%s", i ? " · " : "", commands[i].name, commands[i].arg_hint ? " " : "",
                      commands[i].arg_hint ? _(commands[i].arg_hint) : "");
    return fw_buf_steal(&b);
}

int fw_tui_commands_help(char ***out)
{
    *out = fw_calloc(NCOMMANDS, sizeof **out);
    for (int i = 0; i < NCOMMANDS; i++) {
        char *usage = fw_printf(":%s%s%s", commands[i].name, commands[i].arg_hint ? " " : "",
                                commands[i].arg_hint ? _(commands[i].arg_hint) : "");
        int w = fw_utf8_width(usage);
        (*out)[i] = fw_printf("  %s%*s %s", usage, w < 24 ? 24 - w : 0, "", _(commands[i].help));
        free(usage);
    }
    return NCOMMANDS;
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
    const command *c = find_command(word);
    if (!c) {
        char *all = fw_tui_commands_summary();
        fw_tui_error(t, _("Unknown command '%s': the commands are %s (Tab completes)."), word, all);
        free(all);
        return;
    }
    if (c->arg == ARG_REQUIRED && !*rest) {
        fw_tui_error(t, _(":%s needs %s (:%s %s)."), c->name, _(c->arg_hint), c->name, _(c->arg_hint));
        return;
    }
    if (c->fn)
        c->fn(t, rest);
    else if (c->view)
        fw_tui_go(t, c->view, NULL);
    else
        fw_tui_unavailable(t, _(c->unavailable));
}

/* --- Tab completion ---------------------------------------------------------------------------- */

static void add_candidate(char ***out, int *n, char *s)
{
    *out = fw_realloc(*out, (size_t)(*n + 1) * sizeof **out);
    (*out)[(*n)++] = s;
}

/* Whole-line candidates for the command line as typed so far. */
int fw_tui_complete_command(fw_tui *t, const char *text, char ***out)
{
    int n = 0;
    *out = NULL;
    const char *space = strchr(text, ' ');
    if (!space) { /* the command name */
        for (int i = 0; i < NCOMMANDS; i++)
            if (strncmp(commands[i].name, text, strlen(text)) == 0)
                add_candidate(out, &n, fw_printf("%s%s", commands[i].name, commands[i].arg != ARG_NONE ? " " : ""));
        return n;
    }
    char word[32];
    snprintf(word, sizeof word, "%.*s", (int)(space - text) < 31 ? (int)(space - text) : 31, text);
    const command *c = find_command(word);
    if (!c)
        return 0;
    const char *arg = space + 1;
    const char *last = strrchr(arg, ' ') ? strrchr(arg, ' ') + 1 : arg; /* the word being typed */
    int head = (int)(last - text);
    if (c->complete == COMPLETE_RULES) {
        fw_rule_row *rows = NULL;
        int nrows = 0;
        fw_err err = {0};
        if (fw_rules_list(t->ws, &rows, &nrows, &err) == FW_OK)
            for (int i = 0; i < nrows; i++)
                if (strncasecmp(rows[i].rule_id, last, strlen(last)) == 0)
                    add_candidate(out, &n, fw_printf("%.*s%s", head, text, rows[i].rule_id));
        fw_rules_free(rows, nrows);
    } else if (c->complete == COMPLETE_FILTER) {
        static const char *const keys[] = {"category=", "rule=", "severity=", "status=", "township=", "village=",
                                           "program=", "amount>=", "amount<=", "all"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strncmp(keys[i], last, strlen(last)) == 0)
                add_candidate(out, &n, fw_printf("%.*s%s", head, text, keys[i]));
    }
    return n;
}
