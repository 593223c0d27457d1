/* cli.h: what every command sees: the global options, the workspace opener and the output
 * printer. Each command lives in its own cli/cmd_*.c and is listed once in main.c's table. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "audit/hitfilter.h"
#include "audit/rows.h"
#include "audit/store.h"
#include "audit/util.h"

enum fw_format { FW_FMT_TABLE, FW_FMT_CSV, FW_FMT_JSON };

typedef struct fw_cli {
    const char *db_path;  /* --db, else $FUNDWATCH_DB, else ./fundwatch.db */
    enum fw_format format;
    const char *command;  /* the command's name, for messages */
} fw_cli;

typedef int (*fw_cmd_fn)(fw_cli *cli, int argc, char **argv);

typedef struct fw_command {
    const char *name;
    fw_cmd_fn run;
    const char *synopsis; /* one line for `fundwatch --help` */
    const char *usage;    /* full text for `fundwatch COMMAND --help` */
} fw_command;

/* Opens the workspace named by the global options as mode says: FW_WS_READ for commands that only
 * read it, FW_WS_WRITE for those that change it, FW_WS_CREATE only for those that create one (init,
 * import). Prints the error and returns its code on failure. */
int fw_cli_open(fw_cli *cli, enum fw_ws_mode mode, fw_ws **ws);

/* The one option parser of the commands: getopt_long over long options only, reporting problems
 * itself: an unknown option by name with the closest known one ("unknown option --categroy; did
 * you mean --category?"), an ambiguous abbreviation, a missing value. Returns the option's val, -1
 * at the end, or '?' after such a report (the caller then returns fw_cli_usage). */
int fw_cli_getopt(fw_cli *cli, int argc, char **argv, const struct option *opts);
/* The same report for the parsers that read words themselves (export's --case ID...): arg is the
 * word that is no option of opts. Prints it with a suggestion, then the usage; returns FW_EUSAGE. */
int fw_cli_unknown_option(fw_cli *cli, const char *arg, const struct option *opts);
/* The filter options of the commands that take a set of leads (export, orders dispatch): the
 * same words as the hit list's filter, read in one place. FW_CLI_FILTER_OPTIONS are their entries
 * for an option table (for "did you mean"). fw_cli_filter_option looks at arg, the word before
 * argv[*i]: when it is a filter option it takes its value(s) (moving *i on; the strings point into
 * argv; --case's words go into *cases, an owned array the caller frees) and sets *taken. Returns
 * FW_OK, or FW_EUSAGE after printing what is wrong. */
#define FW_CLI_FILTER_OPTIONS                                                                      \
    {"category", required_argument, NULL, 0}, {"rule", required_argument, NULL, 0},               \
        {"status", required_argument, NULL, 0}, {"township", required_argument, NULL, 0},         \
        {"severity", required_argument, NULL, 0}, {"village", required_argument, NULL, 0},        \
        {"program", required_argument, NULL, 0}, {"search", required_argument, NULL, 0},          \
        {"all-states", no_argument, NULL, 0}, {"min-amount", required_argument, NULL, 0},         \
        {"max-amount", required_argument, NULL, 0}, {"case", required_argument, NULL, 0}
int fw_cli_filter_option(fw_cli *cli, const char *arg, int argc, char **argv, int *i, fw_hit_filter *f,
                         const char ***cases, bool *taken);
/* "unknown WHAT 'word'; did you mean X?" for a command or subcommand name among names
 * (NULL-terminated), then the usage; returns FW_EUSAGE. */
int fw_cli_unknown_word(fw_cli *cli, const char *what, const char *word, const char *const *names);

/* Ctrl-C (SIGINT) and SIGTERM both call handler while a long command (run, import, index, export)
 * works, so that either stops it cleanly (complete work kept, exit 130) instead of killing it in
 * the middle of a write. No SA_RESTART: a blocking open or read returns EINTR and the command
 * stops. fw_cli_restore_stops puts the previous handlers back. */
typedef struct fw_cli_stops {
    struct sigaction old_int, old_term;
} fw_cli_stops;
void fw_cli_catch_stops(void (*handler)(int), fw_cli_stops *saved);
void fw_cli_restore_stops(const fw_cli_stops *saved);

/* Prints a message "fundwatch COMMAND: ..." to stderr and returns code. */
int fw_cli_error(fw_cli *cli, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints err's message and returns its code. */
int fw_cli_report(fw_cli *cli, const fw_err *err);
/* Prints s padded with spaces to width display columns (Chinese characters count two). */
void fw_cli_pad(FILE *out, const char *s, int width);
/* Prints the command's usage to stderr and returns FW_EUSAGE. */
int fw_cli_usage(fw_cli *cli);
/* True when argv holds -h or --help; the command then prints its usage to stdout and exits 0. */
int fw_cli_wants_help(int argc, char **argv);
int fw_cli_help(fw_cli *cli);

/* Prints every row of a query (audit/rows.h) in the chosen format: table (display-width aligned,
 * control characters shown as ^[ by fw_visible), csv (UTF-8, header row, RFC 4180 quoting, text
 * cells neutralised against formula injection by fw_csv_text; numbers as they are) or json (an
 * array of objects; integers stay numbers; control characters as \u001b).
 * Column names come from the statement (use AS to name them). Returns the row count, or -1 on an
 * error (message in err). Money columns (named like *amount*, recovered, to_recover) are
 * printed in yuan with two decimals in every format (12345 -> 123.45; a JSON number); a column
 * named ..._fen keeps fen. In table format a stored UTC time ("2026-12-05T07:48:30Z") reads in local
 * time ("2026-12-05 15:48"); csv and json keep the stored ISO time. */
long fw_print_rows(fw_cli *cli, fw_rows *rows, FILE *out, fw_err *err);

/* Command entry points (one file each under cli/). */
int cmd_init(fw_cli *, int, char **);
int cmd_import(fw_cli *, int, char **);
int cmd_datasets(fw_cli *, int, char **);
int cmd_index(fw_cli *, int, char **);
int cmd_rejects(fw_cli *, int, char **);
int cmd_programs(fw_cli *, int, char **);
int cmd_gen(fw_cli *, int, char **);
int cmd_rules(fw_cli *, int, char **);
int cmd_run(fw_cli *, int, char **);
int cmd_hits(fw_cli *, int, char **);
int cmd_case(fw_cli *, int, char **);
int cmd_log(fw_cli *, int, char **);
int cmd_whitelist(fw_cli *, int, char **);
int cmd_export(fw_cli *, int, char **);
int cmd_overview(fw_cli *, int, char **);
int cmd_status(fw_cli *, int, char **);
int cmd_shard(fw_cli *, int, char **);
int cmd_tui(fw_cli *, int, char **);
int cmd_orders(fw_cli *, int, char **);
int cmd_repairs(fw_cli *, int, char **);
int cmd_kiosk(fw_cli *, int, char **);

/* Usage texts, each defined beside its command (printed by `fundwatch COMMAND --help`). */
/* Prints "building INDEX (k of n)… 4.2 s" lines on stderr: the progress of audit/indexes.h. */
typedef struct fw_cli_index_progress {
    double index_started;
    const char *last; /* the index being built, NULL before the first and after the last */
} fw_cli_index_progress;
int fw_cli_report_index(void *ctx, int done, int total, const char *index);

extern const char usage_init[];
extern const char usage_import[];
extern const char usage_datasets[];
extern const char usage_index[];
extern const char usage_rejects[];
extern const char usage_programs[];
extern const char usage_gen[];
extern const char usage_rules[];
extern const char usage_run[];
extern const char usage_hits[];
extern const char usage_case[];
extern const char usage_log[];
extern const char usage_whitelist[];
extern const char usage_export[];
extern const char usage_orders[];
extern const char usage_overview[];
extern const char usage_status[];
extern const char usage_shard[];
extern const char usage_tui[];
extern const char usage_kiosk[];
int cmd_copy(fw_cli *, int, char **);
extern const char usage_copy[];
extern const char usage_repairs[];
int cmd_user(fw_cli *, int, char **);
extern const char usage_user[];

#endif
