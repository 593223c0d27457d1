/* cmd_tui.c: `fundwatch tui` (also `fundwatch` alone on a terminal): opens the interactive
 * workstation (tui/) on the workspace. An optional command line (as typed after `:` in the TUI)
 * opens a screen directly: `fundwatch tui rule DEC-001`, `fundwatch tui lookup 张三`. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/util.h"
#include "audit/i18n.h"
#include "cli/cli.h"
#include "tui/tui.h"

const char usage_tui[] =
    N_("usage: fundwatch tui [COMMAND...]\n"
    "\n"
    "Opens the keyboard-driven workstation: overview, hit list (sort, filter, search, marks), person\n"
    "detail with every payment and registry record, lookup by ID number or name, rule catalogue.\n"
    "Press ? on any screen for its keys; q goes back, Q quits. COMMAND is what you would type after\n"
    "':' in the TUI, e.g. `fundwatch tui rule DEC-001` or `fundwatch tui lookup 张三`.\n"
    "\n"
    "Keys can be rebound in $XDG_CONFIG_HOME/fundwatch/config.ini, section [keys] (action = key).\n"
    "Environment: FUNDWATCH_TUI_SCRIPT=FILE reads keys from FILE (one key name per line, `text WORDS`\n"
    "types into a prompt) and FUNDWATCH_TUI_TIMINGS=FILE writes the milliseconds each key took.\n"
    "See docs/tui.md.\n");

int cmd_tui(fw_cli *cli, int argc, char **argv)
{
    if (!getenv("FUNDWATCH_TUI_SCRIPT") && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
        return fw_cli_error(cli, FW_EUSAGE, _("needs a terminal (stdin and stdout); for figures use "
                                            "`fundwatch overview` or `fundwatch hits`"));
    fw_buf first = {0};
    for (int i = 1; i < argc; i++)
        fw_buf_printf(&first, "%s%s", i > 1 ? " " : "", argv[i]);
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_WRITE, &ws);
    if (!rc) {
        rc = fw_tui_run(ws, first.data);
        fw_ws_close(ws);
    }
    fw_buf_free(&first);
    return rc;
}
