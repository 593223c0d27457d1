/* cmd_rules.c: the `rules` command: list, show, check and test the rule catalogue, and set
 * per-workspace overrides (enabled, parameters). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/engine.h"
#include "audit/i18n.h"
#include "audit/profile.h"
#include "audit/rules.h"
#include "audit/ruletest.h"
#include "cli/cli.h"

const char usage_rules[] =
    N_("usage: fundwatch rules [list] [--category C] [--rules DIR]\n"
    "       fundwatch rules show ID [--rules DIR]\n"
    "       fundwatch rules check [--rules DIR] [PATH...]\n"
    "       fundwatch rules test [--rules DIR] [ID...]\n"
    "       fundwatch rules set ID enabled|param.NAME VALUE\n"
    "       fundwatch rules reset ID enabled|param.NAME\n"
    "\n"
    "Rules come from the shipped catalogue (<datadir>/rules/*.ini), then the user's folder\n"
    "($XDG_CONFIG_HOME/fundwatch/rules/*.ini), then --rules DIR; a later source replaces a rule with\n"
    "the same id. The file format is described in docs/rules.md.\n"
    "\n"
    "  list    id, category, severity, status, enabled, name, hits and time of the last run, source\n"
    "  show    metadata, parameters with their effective values, the assembled SQL, the examples and\n"
    "          the rule's last results\n"
    "  check   every problem of the rule files (or of PATH: files or folders) as file:line: message;\n"
    "          exit 3 when there are errors, 0 when there are only warnings\n"
    "  test    runs each rule (or each ID) on its examples in scratch workspaces: the hit rows must\n"
    "          hit exactly expect.hit, the clean rows nothing; prints PASS/FAIL; exit 3 on a failure.\n"
    "          With a PostgreSQL workspace (--db postgresql://...) each rule is tested on SQLite and\n"
    "          in scratch schemas on that server, and passes only when it passes on both\n"
    "  set     overrides a parameter or enables/disables a rule in this workspace (audit-trailed)\n"
    "  reset   removes an override\n");

typedef struct rules_args {
    const char *rules_dir, *category;
    char **pos;
    int npos;
} rules_args;

static int parse_args(fw_cli *cli, int argc, char **argv, int first, rules_args *a)
{
    memset(a, 0, sizeof *a);
    a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
    for (int i = first; i < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0 || strcmp(argv[i], "--category") == 0) {
            if (i + 1 >= argc) {
                free(a->pos);
                a->pos = NULL;
                return fw_cli_error(cli, FW_EUSAGE, _("%s needs a value"), argv[i]);
            }
            if (argv[i][2] == 'r')
                a->rules_dir = argv[++i];
            else
                a->category = argv[++i];
        } else if (strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
            static const struct option known[] = {
                {"rules", required_argument, NULL, 0}, {"category", required_argument, NULL, 0}, {NULL, 0, NULL, 0}};
            free(a->pos);
            a->pos = NULL;
            return fw_cli_unknown_option(cli, argv[i], known);
        } else
            a->pos[a->npos++] = argv[i];
    }
    return FW_OK;
}

/* Loads the default sources plus --rules; errors in rule files are reported by the caller. */
static int load_rules(fw_cli *cli, const char *rules_dir, fw_ruleset *set, fw_diags *d)
{
    fw_rule_sources src = fw_rule_default_sources(rules_dir);
    fw_err err = {0};
    if (fw_rules_load(&src, set, d, &err))
        return fw_cli_report(cli, &err);
    return FW_OK;
}

static void note_broken(fw_cli *cli, const fw_diags *d)
{
    if (d->errors)
        fprintf(stderr, _("fundwatch %s: %d problem(s) in rule files; run `fundwatch rules check` for details\n"),
                cli->command, d->errors);
}

static int rules_list(fw_cli *cli, rules_args *a)
{
    fw_ruleset set;
    fw_diags d = {0};
    fw_ws *ws = NULL;
    int rc = load_rules(cli, a->rules_dir, &set, &d);
    if (rc)
        goto out;
    if ((rc = fw_cli_open(cli, FW_WS_READ, &ws)))
        goto out;
    note_broken(cli, &d);
    fw_rows *rows;
    fw_err err = {0};
    if (fw_rules_list_rows(ws, &set, a->category, &rows, &err)) {
        rc = fw_cli_report(cli, &err);
        goto out;
    }
    if (fw_print_rows(cli, rows, stdout, &err) < 0)
        rc = fw_cli_report(cli, &err);
    fw_rows_close(rows);
out:
    fw_ws_close(ws);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return rc;
}

static void print_field(const char *label, const char *value)
{
    if (value && *value)
        printf("%-16s %s\n", label, value);
}

static int rules_show(fw_cli *cli, rules_args *a)
{
    if (a->npos != 1)
        return fw_cli_error(cli, FW_EUSAGE, _("usage: fundwatch rules show ID"));
    fw_ruleset set;
    fw_diags d = {0};
    fw_ws *ws = NULL;
    int rc = load_rules(cli, a->rules_dir, &set, &d);
    if (rc)
        goto out;
    fw_rule *r = fw_ruleset_find(&set, a->pos[0]);
    if (!r) {
        rc = fw_cli_error(cli, FW_ENOTFOUND, _("no rule %s; `fundwatch rules list` shows the rules"), a->pos[0]);
        goto out;
    }
    if ((rc = fw_cli_open(cli, FW_WS_READ, &ws)))
        goto out;
    printf("[%s] %s\n", r->id, r->name);
    print_field("name_en", r->name_en);
    print_field("category", r->category);
    print_field("severity", r->severity);
    print_field("status", r->broken ? "BROKEN (see `fundwatch rules check`)" : r->status);
    print_field("enabled", fw_rule_enabled(ws, r) ? "yes" : "no");
    print_field("subject", r->subject_kind);
    print_field("description", r->description);
    print_field("basis", r->basis);
    print_field("datasets", r->datasets);
    print_field("false_positives", r->false_positives);
    print_field("author", r->author);
    print_field("version", r->version);
    char *where = fw_printf("%s:%d (%s)", r->file, r->line, r->source);
    print_field("file", where);
    free(where);
    print_field("text_sha256", r->text_sha256);
    if (r->nparams) {
        printf(_("\nparameters (effective value, default, type):\n"));
        for (int i = 0; i < r->nparams; i++) {
            const fw_rule_param *p = &r->params[i];
            char *owned;
            const char *v = fw_rule_param_value(ws, r, p, &owned);
            char type[128];
            fw_rule_param_type_text(p, type, sizeof type);
            printf(_("  %-20s %-12s default %-10s %s%s\n"), p->name, v, p->value, type,
                   owned ? "  (workspace override)" : "");
            free(owned);
        }
    }
    if (r->sql)
        printf("\nSQL:\n%s\n", r->sql);
    char *engine_sql = r->sql ? fw_rule_engine_sql(ws, r) : NULL;
    if (engine_sql && strcmp(engine_sql, r->sql) != 0) /* PostgreSQL: what its error positions count in */
        printf("\n%s\n%s\n", _("SQL as run on PostgreSQL (the rule assembler's spelling):"), engine_sql);
    free(engine_sql);
    printf(_("\nexamples:\n"));
    for (int i = 0; i < r->nhit_examples; i++)
        printf("  hit   %s\n", r->hit_examples[i].text);
    if (r->expect_hit)
        printf("  expect.hit %s\n", r->expect_hit);
    for (int i = 0; i < r->nclean_examples; i++)
        printf("  clean %s\n", r->clean_examples[i].text);
    printf(_("\nlast results:\n"));
    fflush(stdout);
    fw_rows *rows;
    fw_err err = {0};
    if (fw_rule_history_rows(ws, r->id, &rows, &err)) {
        rc = fw_cli_report(cli, &err);
        goto out;
    }
    if (fw_print_rows(cli, rows, stdout, &err) < 0)
        rc = fw_cli_report(cli, &err);
    fw_rows_close(rows);
out:
    fw_ws_close(ws);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return rc;
}

/* A scratch workspace for compiling rules when there may be no workspace at all. */
static int open_scratch(fw_cli *cli, char **dir, fw_ws **ws)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    *dir = fw_printf("%s/fwcheck.XXXXXX", base);
    *ws = NULL;
    if (!mkdtemp(*dir)) {
        free(*dir);
        *dir = NULL;
        return fw_cli_error(cli, FW_EFAIL, _("%s: cannot make a scratch folder"), base);
    }
    char *path = fw_printf("%s/check.db", *dir);
    fw_err err = {0};
    int rc = fw_ws_open(path, ws, &err);
    free(path);
    return rc ? fw_cli_report(cli, &err) : FW_OK;
}

static void close_scratch(fw_ws *ws, char *dir)
{
    if (ws) {
        char *p = fw_strdup(ws->path);
        fw_ws_close(ws);
        const char *suffix[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            char *f = fw_printf("%s%s", p, suffix[i]);
            unlink(f);
            free(f);
        }
        free(p);
    }
    if (dir)
        rmdir(dir);
    free(dir);
}

static int rules_check(fw_cli *cli, rules_args *a)
{
    fw_ruleset set;
    fw_diags d = {0};
    fw_err err = {0};
    int rc;
    if (a->npos)
        rc = fw_rules_load_paths((const char *const *)a->pos, a->npos, &set, &d, &err) ? fw_cli_report(cli, &err) : 0;
    else
        rc = load_rules(cli, a->rules_dir, &set, &d);
    if (rc) {
        fw_diags_free(&d);
        return rc;
    }
    char *dir = NULL;
    fw_ws *ws = NULL;
    if ((rc = open_scratch(cli, &dir, &ws)) == FW_OK)
        fw_rules_check_sql(ws, &set, &d);
    close_scratch(ws, dir);
    if (!rc) {
        fw_diags_print(&d, stdout);
        printf(_("%d rules in %d files: %d errors, %d warnings\n"), set.n, set.nfiles, d.errors, d.warnings);
        rc = d.errors ? FW_EDATA : FW_OK;
    }
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return rc;
}

static int rules_test(fw_cli *cli, rules_args *a)
{
    fw_ruleset set;
    fw_diags d = {0};
    int rc = load_rules(cli, a->rules_dir, &set, &d);
    if (rc) {
        fw_diags_free(&d);
        return rc;
    }
    fw_profile *profile = NULL;
    fw_err err = {0};
    if (fw_profile_load(NULL, &profile, &err)) {
        rc = fw_cli_report(cli, &err);
        goto out;
    }
    for (int i = 0; i < a->npos; i++)
        if (!fw_ruleset_find(&set, a->pos[i])) {
            rc = fw_cli_error(cli, FW_ENOTFOUND, _("no rule %s"), a->pos[i]);
            goto out;
        }
    /* Scratch SQLite files always; with a server workspace, scratch schemas on that server too, so
     * that a rule author sees a rule that works on one engine only. */
    const char *places[2] = {NULL, cli->db_path};
    const char *names[2] = {"sqlite", "postgresql"};
    int nplaces = cli->db_path && fw_ws_target_is_server(cli->db_path) ? 2 : 1;
    if (nplaces == 2 && fw_rule_test_server_usable(cli->db_path, &err)) {
        /* A user who may not make schemas there (an inspector) still tests on SQLite, told why not. */
        fprintf(stderr, _("fundwatch rules test: the examples run on SQLite only, not on the server: %s\n"), err.msg);
        memset(&err, 0, sizeof err);
        nplaces = 1;
    }
    /* A rule file refused whole (unreadable, not UTF-8, over-long lines) fails the test too, with
     * the lines at fault. */
    int passed = 0, failed = 0;
    for (int i = 0; i < d.n; i++)
        if (d.v[i].level == FW_DIAG_ERROR && fw_rules_file_refused(&set, d.v[i].file)) {
            if (d.v[i].line > 0)
                printf("FAIL %s:%d: %s\n", d.v[i].file, d.v[i].line, d.v[i].msg);
            else
                printf("FAIL %s: %s\n", d.v[i].file, d.v[i].msg);
            failed++;
        }
    for (int i = 0; i < set.n; i++) {
        fw_rule *r = &set.rules[i];
        bool want = !a->npos;
        for (int k = 0; k < a->npos; k++)
            want |= strcasecmp(a->pos[k], r->id) == 0;
        if (!want)
            continue;
        bool ok = true;
        for (int e = 0; e < nplaces; e++) {
            fw_ruletest_result res;
            if (fw_rule_test(&set, r, profile, places[e], &res, &err)) {
                rc = fw_cli_report(cli, &err);
                goto out;
            }
            if (!res.passed) {
                if (nplaces > 1)
                    printf("FAIL %s [%s]: %s\n", r->id, names[e], res.reason);
                else
                    printf("FAIL %s: %s\n", r->id, res.reason);
                ok = false;
            }
        }
        if (ok)
            printf("PASS %s\n", r->id);
        ok ? passed++ : failed++;
        fflush(stdout);
    }
    if (!a->npos && d.errors && failed == 0)
        note_broken(cli, &d);
    if (nplaces > 1)
        printf(_("%d passed, %d failed (each on SQLite and on PostgreSQL)\n"), passed, failed);
    else
        printf("%d passed, %d failed\n", passed, failed);
    rc = failed ? FW_EDATA : FW_OK;
out:
    fw_profile_free(profile);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return rc;
}

static int rules_set(fw_cli *cli, rules_args *a, bool reset)
{
    if (a->npos != (reset ? 2 : 3))
        return fw_cli_error(cli, FW_EUSAGE, reset ? "usage: fundwatch rules reset ID KEY"
                                                  : "usage: fundwatch rules set ID KEY VALUE");
    fw_ruleset set;
    fw_diags d = {0};
    fw_ws *ws = NULL;
    int rc = load_rules(cli, a->rules_dir, &set, &d);
    if (rc)
        goto out;
    fw_rule *r = fw_ruleset_find(&set, a->pos[0]);
    if (!r) {
        rc = fw_cli_error(cli, FW_ENOTFOUND, _("no rule %s"), a->pos[0]);
        goto out;
    }
    if ((rc = fw_cli_open(cli, FW_WS_WRITE, &ws)))
        goto out;
    fw_err err = {0};
    if (fw_rule_set(ws, r, a->pos[1], reset ? NULL : a->pos[2], &err))
        rc = fw_cli_report(cli, &err);
out:
    fw_ws_close(ws);
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return rc;
}

int cmd_rules(fw_cli *cli, int argc, char **argv)
{
    const char *sub = argc > 1 && strncmp(argv[1], "--", 2) != 0 ? argv[1] : "list";
    int first = argc > 1 && strncmp(argv[1], "--", 2) != 0 ? 2 : 1;
    rules_args a;
    int rc = parse_args(cli, argc, argv, first, &a);
    if (rc)
        return rc;
    if (strcmp(sub, "list") == 0)
        rc = rules_list(cli, &a);
    else if (strcmp(sub, "show") == 0)
        rc = rules_show(cli, &a);
    else if (strcmp(sub, "check") == 0)
        rc = rules_check(cli, &a);
    else if (strcmp(sub, "test") == 0)
        rc = rules_test(cli, &a);
    else if (strcmp(sub, "set") == 0)
        rc = rules_set(cli, &a, false);
    else if (strcmp(sub, "reset") == 0)
        rc = rules_set(cli, &a, true);
    else
        rc = fw_cli_unknown_word(cli, _("subcommand"), sub,
                                 (const char *const[]){"list", "show", "check", "test", "set", "reset", NULL});
    free(a.pos);
    return rc;
}
