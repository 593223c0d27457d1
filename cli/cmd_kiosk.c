/* cmd_kiosk.c: `fundwatch kiosk`: the citizen kiosk (民生监督一体机, tui/kiosk.c, docs/kiosk.md) on a
 * locked-down terminal. Always Chinese: it speaks to villagers, whatever the machine's locale. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/kiosk.h"
#include "cli/cli.h"
#include "tui/kiosk.h"

const char usage_kiosk[] =
    N_("usage: fundwatch kiosk [--kiosk ID] [--idle SECONDS] [--rate N]\n"
    "\n"
    "The citizen kiosk: full screen, in Chinese. A citizen types an 18-digit ID number (or a card\n"
    "reader types it and Enter) and sees the benefits paid to it over the last 24 months (program,\n"
    "month, amount, paying township; the name masked as 张*), and may report a payment as not\n"
    "received (a citizen report: a hit of rule CIT-001 at the next `fundwatch run`). The keyboard\n"
    "cannot leave it (Ctrl-C, Ctrl-Z, Ctrl-\\, F-keys, : and q do nothing); SIGTERM ends it.\n"
    "\n"
    "  --kiosk ID      this terminal's name in the reports and the trail (default: the hostname)\n"
    "  --idle SECONDS  clear the screen after this long without a key (default 60)\n"
    "  --rate N        lookups a minute at this kiosk (default 10; on PostgreSQL the setting\n"
    "                  kiosk.rate is the most a kiosk may ask for)\n"
    "\n"
    "On PostgreSQL run it as a login in the workspace's kiosk role (fw_kiosk_<workspace id>), which\n"
    "may only call the kiosk functions. Every lookup and report is in the audit trail. See\n"
    "docs/kiosk.md.\n");

static int positive(fw_cli *cli, const char *opt, const char *v, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!*v || *end || errno || n <= 0 || n > 100000)
        return fw_cli_error(cli, FW_EUSAGE, _("%s needs a positive whole number, not '%s'"), opt, v);
    *out = (int)n;
    return FW_OK;
}

int cmd_kiosk(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"kiosk", required_argument, NULL, 'k'},
                                         {"idle", required_argument, NULL, 'i'},
                                         {"rate", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    char host[256] = "kiosk";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "kiosk");
    host[sizeof host - 1] = '\0';
    fw_kiosk_opts o = {.kiosk = host, .idle_s = 60, .rate = FW_KIOSK_DEFAULT_RATE};
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        switch (c) {
        case 'k':
            if (!*optarg || strlen(optarg) > 64)
                return fw_cli_error(cli, FW_EUSAGE, _("--kiosk needs a name of 1 to 64 characters"));
            o.kiosk = optarg;
            break;
        case 'i':
            if (positive(cli, "--idle", optarg, &o.idle_s))
                return FW_EUSAGE;
            break;
        case 'r':
            if (positive(cli, "--rate", optarg, &o.rate))
                return FW_EUSAGE;
            break;
        default: return fw_cli_usage(cli);
        }
    }
    if (optind != argc) {
        fw_cli_error(cli, FW_EUSAGE, _("unexpected argument '%s'"), argv[optind]);
        return fw_cli_usage(cli);
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return fw_cli_error(cli, FW_EUSAGE, _("needs a terminal (stdin and stdout)"));
    /* The villager reads Chinese whatever this machine's locale: the catalogue is chosen again. */
    setenv("LANGUAGE", "zh_CN", 1);
    textdomain(textdomain(NULL));
    fw_ws *ws;
    fw_err err = {0};
    if (fw_ws_open_mode(cli->db_path, FW_WS_KIOSK, &ws, &err))
        return fw_cli_report(cli, &err);
    int rc = fw_kiosk_run(&ws, &o);
    fw_ws_close(ws);
    return rc;
}
