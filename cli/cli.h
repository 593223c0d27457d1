/* cli.h: what every command sees: the global options, the workspace opener and the output
 * printer. Each command lives in its own cli/cmd_*.c and is listed once in main.c's table. */
#ifndef FW_CLI_H
#define FW_CLI_H

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>

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

/* Opens the workspace named by the global options; prints the error and returns its code on
 * failure. */
int fw_cli_open(fw_cli *cli, fw_ws **ws);

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
/* Prints the command's usage to stderr and returns FW_EUSAGE. */
int fw_cli_usage(fw_cli *cli);
/* True when argv holds -h or --help; the command then prints its usage to stdout and exits 0. */
int fw_cli_wants_help(int argc, char **argv);
int fw_cli_help(fw_cli *cli);

/* Prints every row of a prepared statement in the chosen format: table (display-width aligned,
 * control characters shown as ^[ by fw_visible), csv (UTF-8, header row, RFC 4180 quoting, text
 * cells neutralised against formula injection by fw_csv_text; numbers as they are) or json (an
 * array of objects; integers stay numbers; control characters as \u001b).
 * Column names come from the statement (use AS to name them). Returns the row count, or -1 on an
 * SQLite error (message in err). Columns named like *amount* or ending in _fen are printed as yuan
 * (12345 -> 123.45) in table format only; csv and json carry the stored value. */
long fw_print_rows(fw_cli *cli, sqlite3_stmt *st, FILE *out, fw_err *err);

/* Command entry points (one file each under cli/). */
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
int cmd_tui(fw_cli *, int, char **);

/* Usage texts, each defined beside its command (printed by `fundwatch COMMAND --help`). */
/* Prints "building INDEX (k of n)… 4.2 s" lines on stderr: the progress of audit/indexes.h. */
typedef struct fw_cli_index_progress {
    double index_started;
    const char *last; /* the index being built, NULL before the first and after the last */
} fw_cli_index_progress;
int fw_cli_report_index(void *ctx, int done, int total, const char *index);

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
extern const char usage_overview[];
extern const char usage_tui[];

#endif
