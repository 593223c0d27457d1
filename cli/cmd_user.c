/* cmd_user.c: the command `user` — the users of a workspace on a PostgreSQL server, each a LOGIN
 * role of the server with a role of audit/vocab.h's FW_USER_ROLE_LIST and the regions it sees
 * (audit/users.h, docs/users.md). On SQLite it says that roles do not apply (exit 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/users.h"
#include "audit/vocab.h"
#include "cli/cli.h"

const char usage_user[] =
    N_("usage: fundwatch [--db TARGET] user add NAME --role ROLE --region CODE... [--password PW]\n"
    "       fundwatch [--db TARGET] user list\n"
    "       fundwatch [--db TARGET] user remove NAME\n"
    "\n"
    "The users of a workspace on a PostgreSQL server (docs/users.md). `user add` makes NAME a LOGIN\n"
    "role of the server (or takes the one it has), a member of the workspace's group role for ROLE,\n"
    "and records the regions NAME sees: the database keeps each user to the rows of their regions\n"
    "(row-level security), whatever client they use. Only the workspace's owner (the role that ran\n"
    "init, with CREATEROLE) adds and removes users.\n"
    "\n"
    "  --role ROLE        inspector (核查员): reads and works the cases of their regions, runs rules;\n"
    "                     supervisor (督导员): the same for every region below theirs (a county);\n"
    "                     rule_author (规则编写员): rule settings and `rules test`, no personal data;\n"
    "                     auditor (审计员): reads their regions and the whole trail, writes nothing;\n"
    "                     kiosk (一体机): only the kiosk's functions\n"
    "  --region CODE...   region codes, 6 digits a county, 9 a township, 12 a village; one or more\n"
    "                     (repeat the option or list them); inspector, supervisor and auditor need\n"
    "                     one, rule_author and kiosk take none\n"
    "  --password PW      the password; when omitted it is asked on the terminal without echo. Without\n"
    "                     a terminal it must be given, except for a kiosk, which is made without one\n"
    "                     (it logs in by peer or certificate authentication set up in pg_hba.conf)\n"
    "\n"
    "`user list` prints each user's role and regions in words; `user remove` takes NAME out of this\n"
    "workspace and drops the server's role when nothing else holds it.\n"
    "\n"
    "Exit codes: 0 done; 2 bad command line, or a SQLite workspace (roles do not apply to one\n"
    "workstation's file); 3 a region code no row carries (the known ones are listed); 4 the session\n"
    "may not create roles (CREATEROLE) or is not the workspace's owner; 5 no such user (remove);\n"
    "6 NAME is already a user of this workspace.\n");

/* Reads a password from the terminal with echo off. NULL when none could be read. */
static char *ask_password(const char *name)
{
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return NULL;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    fprintf(stderr, _("password for %s: "), name);
    fflush(stderr);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    char line[512];
    char *got = fgets(line, sizeof line, stdin);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (!got)
        return NULL;
    line[strcspn(line, "\r\n")] = '\0';
    return line[0] ? fw_strdup(line) : NULL;
}

static int user_add(fw_cli *cli, int argc, char **argv)
{
    const char *name = NULL, *role_text = NULL, *password = NULL;
    const char **regions = calloc((size_t)argc + 1, sizeof *regions);
    int nregions = 0;
    static const struct option opts[] = {{"role", required_argument, NULL, 0},
                                         {"region", required_argument, NULL, 0},
                                         {"password", required_argument, NULL, 0},
                                         {NULL, 0, NULL, 0}};
    int rc = FW_OK;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--role") == 0 && i + 1 < argc)
            role_text = argv[++i];
        else if (strcmp(a, "--password") == 0 && i + 1 < argc)
            password = argv[++i];
        else if (strcmp(a, "--region") == 0 && i + 1 < argc) {
            /* CODE... : every word up to the next option; commas also separate */
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
                char *words = argv[++i];
                for (char *c = strtok(words, ", "); c; c = strtok(NULL, ", "))
                    regions[nregions++] = c;
            }
        } else if (strcmp(a, "--role") == 0 || strcmp(a, "--password") == 0 || strcmp(a, "--region") == 0)
            rc = fw_cli_error(cli, FW_EUSAGE, _("option %s needs a value"), a);
        else if (strncmp(a, "--", 2) == 0)
            rc = fw_cli_unknown_option(cli, a, opts);
        else if (!name)
            name = a;
        else
            rc = fw_cli_usage(cli);
    }
    const fw_label *role = rc ? NULL : fw_label_parse(fw_user_roles, role_text);
    if (!rc && (!name || !role_text))
        rc = fw_cli_usage(cli);
    else if (!rc && !role) {
        char *choices = fw_label_choices(fw_user_roles);
        rc = fw_cli_error(cli, FW_EUSAGE, _("unknown role '%s'; one of: %s"), role_text, choices);
        free(choices);
    }
    fw_ws *ws = NULL;
    fw_err err = {0};
    if (!rc && (rc = fw_cli_open(cli, FW_WS_WRITE, &ws)) == FW_OK && fw_users_supported(ws, &err))
        rc = fw_cli_report(cli, &err);
    enum fw_user_role r = role ? (enum fw_user_role)(role - fw_user_roles) : FW_UROLE_INSPECTOR;
    char *asked = NULL;
    if (!rc && !password && r != FW_UROLE_KIOSK) {
        if (!isatty(STDIN_FILENO))
            rc = fw_cli_error(cli, FW_EUSAGE,
                              _("no --password for %s and no terminal to ask it on: give --password (only a kiosk "
                                "is made without one)"),
                              name);
        else if (!(password = asked = ask_password(name)))
            rc = fw_cli_error(cli, FW_EUSAGE, _("no password given for %s"), name);
    }
    bool existed = false;
    if (!rc && fw_user_add(ws, name, r, regions, nregions, password, &existed, &err))
        rc = fw_cli_report(cli, &err);
    if (!rc) {
        char group[64];
        fw_user_group_role(ws, r, group, sizeof group);
        printf(_("user %s added as %s (member of %s)%s\n"), name, fw_label_text(role), group,
               existed ? _("; the server already had this role, its password was left as it was") : "");
    }
    if (asked) {
        memset(asked, 0, strlen(asked));
        free(asked);
    }
    free(regions);
    fw_ws_close(ws);
    return rc;
}

static int user_list(fw_cli *cli)
{
    fw_ws *ws = NULL;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    fw_user_entry *list = NULL;
    int n = 0;
    if (!rc && fw_user_list(ws, &list, &n, &err))
        rc = fw_cli_report(cli, &err);
    for (int i = 0; !rc && i < n; i++) {
        const char *role = fw_label_show(fw_user_roles, list[i].role);
        if (cli->format == FW_FMT_CSV) {
            if (i == 0)
                printf("name,role,regions,created_at,created_by\n");
            printf("%s,%s,\"%s\",%s,%s\n", list[i].name, list[i].role, list[i].regions, list[i].created_at,
                   list[i].created_by);
            continue;
        }
        fw_cli_pad(stdout, list[i].name, 16);
        fputc(' ', stdout);
        fw_cli_pad(stdout, role, 12);
        printf(" %s  (%s %s %s)\n", list[i].regions_words, list[i].created_at, _("by"), list[i].created_by);
    }
    if (!rc && n == 0 && cli->format != FW_FMT_CSV)
        printf(_("no users: only the workspace's owner works here (fundwatch user add)\n"));
    fw_user_list_free(list, n);
    fw_ws_close(ws);
    return rc;
}

static int user_remove(fw_cli *cli, int argc, char **argv)
{
    if (argc != 2)
        return fw_cli_usage(cli);
    fw_ws *ws = NULL;
    fw_err err = {0};
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    bool dropped = false;
    if (!rc && fw_user_remove(ws, argv[1], &dropped, &err))
        rc = fw_cli_report(cli, &err);
    if (!rc)
        printf(dropped ? _("user %s removed; the server's role was dropped\n")
                       : _("user %s removed from this workspace; the server's role is kept (it belongs to another "
                           "role or owns something)\n"),
               argv[1]);
    fw_ws_close(ws);
    return rc;
}

int cmd_user(fw_cli *cli, int argc, char **argv)
{
    static const char *const words[] = {"add", "list", "remove", NULL};
    if (argc < 2)
        return fw_cli_usage(cli);
    if (strcmp(argv[1], "add") == 0)
        return user_add(cli, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return argc == 2 ? user_list(cli) : fw_cli_usage(cli);
    if (strcmp(argv[1], "remove") == 0)
        return user_remove(cli, argc - 1, argv + 1);
    return fw_cli_unknown_word(cli, "subcommand", argv[1], words);
}
