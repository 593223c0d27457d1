/* common.c: helpers shared by the commands: opening the workspace, error reporting, the option
 * parser with its "did you mean" hints, --help. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/normalize.h"
#include "audit/runlock.h"
#include "cli/cli.h"

/* Runs left 'running' by a fundwatch that was killed become 'interrupted' (audit/runlock.h);
 * failing to do so does not stop the command. A read-only opening marks them through a write
 * connection of its own when there is any such run and the file may be written. */
static void mark_abandoned_runs(fw_cli *cli, enum fw_ws_mode mode, fw_ws *ws)
{
    fw_err err = {0};
    fw_ws *writer = ws;
    if (mode == FW_WS_READ) {
        if (fw_ws_int(ws, "SELECT EXISTS (SELECT 1 FROM runs WHERE status = 'running')") == 0 ||
            access(cli->db_path, W_OK) != 0 || fw_ws_open_mode(cli->db_path, FW_WS_WRITE, &writer, &err))
            return;
    }
    int marked = 0;
    if (fw_runs_mark_abandoned(writer, &marked, &err))
        fprintf(stderr, _("fundwatch %s: warning: could not mark abandoned runs: %s\n"), cli->command, err.msg);
    else if (marked)
        fprintf(stderr, _("fundwatch %s: %d run(s) left 'running' by a fundwatch that ended without finishing "
                          "them are now marked interrupted\n"),
                cli->command, marked);
    if (writer != ws)
        fw_ws_close(writer);
}

int fw_cli_open(fw_cli *cli, enum fw_ws_mode mode, fw_ws **ws)
{
    fw_err err = {0};
    if (fw_ws_open_mode(cli->db_path, mode, ws, &err))
        return fw_cli_report(cli, &err);
    mark_abandoned_runs(cli, mode, *ws);
    return FW_OK;
}

void fw_cli_catch_stops(void (*handler)(int), fw_cli_stops *saved)
{
    struct sigaction sa = {0};
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &saved->old_int);
    sigaction(SIGTERM, &sa, &saved->old_term);
}

void fw_cli_restore_stops(const fw_cli_stops *saved)
{
    sigaction(SIGINT, &saved->old_int, NULL);
    sigaction(SIGTERM, &saved->old_term, NULL);
}

int fw_cli_error(fw_cli *cli, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fundwatch %s: ", cli->command ? cli->command : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int fw_cli_report(fw_cli *cli, const fw_err *err)
{
    return fw_cli_error(cli, err->code ? err->code : FW_EFAIL, "%s", err->msg);
}

int fw_cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

int fw_cli_report_index(void *ctx, int done, int total, const char *index)
{
    fw_cli_index_progress *p = ctx;
    if (index && index == p->last) /* still building it */
        return 0;
    double now = fw_now_seconds();
    if (p->last)
        fprintf(stderr, "%.1f s\n", now - p->index_started);
    if (index)
        fprintf(stderr, _("building %s (%d of %d)… "), index, done + 1, total);
    p->last = index;
    p->index_started = now;
    return 0;
}

/* ---- options ----------------------------------------------------------------------------------- */

/* The global options main.c takes anywhere: a misspelt one reaches the command. */
static const char *const global_options[] = {"--db", "--user", "--format", "--help", "--version"};
enum { NGLOBAL = (int)(sizeof global_options / sizeof global_options[0]) };

/* "--name" of every option of opts and the global ones, NULL-terminated (caller frees each). */
static char **option_names(const struct option *opts)
{
    int n = 0;
    while (opts && opts[n].name)
        n++;
    char **names = fw_calloc((size_t)(n + NGLOBAL + 1), sizeof *names);
    for (int i = 0; i < n; i++)
        names[i] = fw_printf("--%s", opts[i].name);
    for (int i = 0; i < NGLOBAL; i++)
        names[n + i] = fw_strdup(global_options[i]);
    return names;
}

static void free_names(char **names)
{
    for (char **p = names; *p; p++)
        free(*p);
    free(names);
}

/* Prints why arg is not an option: ambiguous among several, or unknown with the closest. */
static void report_option(fw_cli *cli, const char *arg, const struct option *opts)
{
    size_t len = strcspn(arg, "=");
    char *word = fw_strndup(arg, len);
    char **names = option_names(opts);
    fw_buf among = {0};
    int prefixed = 0;
    for (char **p = names; *p && len > 2; p++)
        if (strncmp(*p, word, len) == 0) {
            fw_buf_printf(&among, "%s%s", prefixed ? ", " : "", *p);
            prefixed++;
        }
    const char *near = fw_closest(word, (const char *const *)names);
    if (prefixed > 1)
        fw_cli_error(cli, FW_EUSAGE, _("option %s is ambiguous: %s"), word, among.data);
    else if (near)
        fw_cli_error(cli, FW_EUSAGE, _("unknown option %s; did you mean %s?"), word, near);
    else
        fw_cli_error(cli, FW_EUSAGE, _("unknown option %s"), word);
    fw_buf_free(&among);
    free_names(names);
    free(word);
}

int fw_cli_getopt(fw_cli *cli, int argc, char **argv, const struct option *opts)
{
    opterr = 0; /* the reports below replace getopt's own */
    int c = getopt_long(argc, argv, ":", opts, NULL);
    if (c == ':') {
        fw_cli_error(cli, FW_EUSAGE, _("%s needs a value"), argv[optind - 1]);
        return '?';
    }
    if (c == '?') {
        report_option(cli, argv[optind - 1], opts);
        return '?';
    }
    return c;
}

int fw_cli_unknown_option(fw_cli *cli, const char *arg, const struct option *opts)
{
    report_option(cli, arg, opts);
    return fw_cli_usage(cli);
}

/* --case ID...: the words after it up to the next option. */
static int take_cases(int argc, char **argv, int *i, fw_hit_filter *f, const char ***cases)
{
    while (*i < argc && argv[*i][0] != '-') {
        *cases = fw_realloc(*cases, (size_t)(f->ncases + 1) * sizeof **cases);
        (*cases)[f->ncases++] = argv[(*i)++];
    }
    f->cases = *cases;
    return f->ncases > 0;
}

int fw_cli_filter_option(fw_cli *cli, const char *arg, int argc, char **argv, int *i, fw_hit_filter *f,
                         const char ***cases, bool *taken)
{
    struct { const char *opt; char **slot; } text[] = {
        {"--category", &f->category}, {"--rule", &f->rule_id},     {"--status", &f->status},
        {"--township", &f->township}, {"--severity", &f->severity}, {"--village", &f->village},
        {"--program", &f->program},   {"--search", &f->search},
    };
    const char *next = *i < argc ? argv[*i] : NULL;
    *taken = true;
    for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
        if (strcmp(arg, text[k].opt) == 0) {
            if (!next)
                return fw_cli_error(cli, FW_EUSAGE, _("%s needs a value"), arg);
            *text[k].slot = argv[(*i)++];
            return FW_OK;
        }
    if (strcmp(arg, "--all-states") == 0) {
        f->state = "all";
        return FW_OK;
    }
    bool is_min = strcmp(arg, "--min-amount") == 0;
    if (is_min || strcmp(arg, "--max-amount") == 0) {
        char why[FW_WHY_SIZE] = "";
        if (!next)
            return fw_cli_error(cli, FW_EUSAGE, _("%s needs a value"), arg);
        if (fw_norm_money(next, false, is_min ? &f->min_amount : &f->max_amount, why) != FW_NORM_OK)
            return fw_cli_error(cli, FW_EUSAGE, "%s: %s", arg, why);
        *(is_min ? &f->has_min : &f->has_max) = 1;
        (*i)++;
        return FW_OK;
    }
    if (strcmp(arg, "--case") == 0)
        return take_cases(argc, argv, i, f, cases)
                   ? FW_OK
                   : fw_cli_error(cli, FW_EUSAGE, _("--case needs one or more case numbers"));
    *taken = false;
    return FW_OK;
}

int fw_cli_unknown_word(fw_cli *cli, const char *what, const char *word, const char *const *names)
{
    const char *near = fw_closest(word, names);
    if (near)
        fw_cli_error(cli, FW_EUSAGE, _("unknown %s '%s'; did you mean %s?"), what, word, near);
    else
        fw_cli_error(cli, FW_EUSAGE, _("unknown %s '%s'"), what, word);
    return fw_cli_usage(cli);
}

void fw_cli_pad(FILE *out, const char *s, int width)
{
    int w = fw_utf8_width(s);
    fprintf(out, "%s%*s", s, w < width ? width - w : 0, "");
}
