/* cmd_import.c: the commands around loading data: `init` (an empty workspace), `import` (one CSV
 * file into a dataset),
 * `datasets` (what is loaded, with provenance), `rejects` (rows refused, with line, column and
 * reason) and `programs` (program names in the payments and how the profile maps them). */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/import.h"
#include "audit/indexes.h"
#include "cli/cli.h"

enum { SUMMARY_REJECTS = 10 };

const char usage_init[] =
    N_("usage: fundwatch init\n"
    "\n"
    "Creates an empty workspace (mode 0600) at --db FILE, else $FUNDWATCH_DB, else ./fundwatch.db.\n"
    "Only init and import create a workspace: every other command on a missing one stops with exit 4\n"
    "naming the path, so that a mistyped --db is not taken for an empty workspace.\n"
    "On an existing workspace init changes nothing but upgrading its schema to this fundwatch's.\n"
    "With --db postgresql://USER@HOST:PORT/DB (or a libpq conninfo: service=NAME, host=H dbname=D)\n"
    "it initialises an empty PostgreSQL database: the schema, the compatibility functions, and the\n"
    "migrations recorded in fundwatch_schema; a database with another application's tables is refused.\n"
    "\n"
    "Exit: 0 created or already a workspace, 2 usage, 4 the file cannot be created or is no workspace.\n");

const char usage_import[] =
    /* xgettext:no-c-format */
    N_("usage: fundwatch import DATASET FILE [--profile INI] [--encoding auto|utf-8|gb18030]\n"
    "                        [--replace|--append [--correct]] [--max-rejects N]\n"
    "\n"
    "Loads FILE (CSV, UTF-8 or GB18030/GBK, header row first) into DATASET, all or nothing.\n"
    "Headers are matched to canonical columns through the import profile (shipped, then\n"
    "$XDG_CONFIG_HOME/fundwatch/import.ini, then --profile INI). Every cell is validated; invalid\n"
    "rows go to `fundwatch rejects`. Datasets: persons payments deaths officials relatives\n"
    "businesses vehicles properties prisoners students disabilities pensions standards.\n"
    "Creates the workspace when it does not exist.\n"
    "\n"
    "  --profile INI     an extra import profile merged over the shipped one\n"
    "  --encoding E      auto (default), utf-8 or gb18030\n"
    "  --append          add to the rows already loaded (default)\n"
    "  --replace         replace the dataset's rows (also allows loading the same file again)\n"
    "  --correct         the file corrects rows already loaded: rows whose payment_id (or, without\n"
    "                    one, whose every value) repeats a loaded row replace that row; recorded in\n"
    "                    the audit trail. Without it such an append is refused (exit 6)\n"
    "  --max-rejects N   fail the whole file when more than N rows are rejected\n"
    "                    (default: 1% of the rows read, at least 10)\n"
    "\n"
    "Ctrl-C or SIGTERM stops the import, also while it waits for a FIFO's writer; nothing is loaded.\n"
    "\n"
    "Exit: 0 loaded, 2 usage, 3 bad file or too many rejects, 6 same file already loaded or rows\n"
    "repeating loaded rows without --correct,\n"
    "130 interrupted (nothing loaded).\n");

const char usage_index[] =
    N_("usage: fundwatch index\n"
    "\n"
    "Builds the dataset indexes that a large import left out (a bulk load sorts them in afterwards,\n"
    "which is several times faster than keeping them up to date row by row). `fundwatch run` and\n"
    "the TUI build them when they first need them; this command does it now, with progress on\n"
    "stderr. Ctrl-C stops; the indexes already built are kept.\n"
    "\n"
    "Exit: 0 built (or none missing), 4 workspace error, 130 interrupted.\n");

const char usage_datasets[] =
    N_("usage: fundwatch datasets [--format table|csv|json]\n"
    "\n"
    "One row per loaded import (dataset, import_id, rows, rejected, flagged, file, sha256,\n"
    "encoding, user, imported_at, min_date, max_date), then one '(total)' row per dataset with the\n"
    "rows now in it.\n");

const char usage_rejects[] =
    N_("usage: fundwatch rejects [--import ID] [--format table|csv|json]\n"
    "\n"
    "One row per rejected row: import_id, file, line, column, column_name, value, reason.\n");

const char usage_programs[] =
    N_("usage: fundwatch programs [--unmapped] [--format table|csv|json]\n"
    "\n"
    "Distinct program names in the payments with their canonical program (empty when the profile\n"
    "does not know the name), means_tested, fixed_amount, rows and amount. --unmapped: only the\n"
    "names the profile does not map; add them to [programs] in your import profile.\n");

/* ---- progress, Ctrl-C and SIGTERM ----------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void on_stop(int sig)
{
    (void)sig;
    interrupted = 1;
}

typedef struct progress {
    int show; /* stderr is a terminal */
} progress;

static int report_progress(void *ctx, long long rows, long long done, long long total)
{
    const progress *p = ctx;
    if (p->show && total > 0)
        fprintf(stderr, "\r%lld rows, %.1f of %.1f MB (%d%%)  ", rows, done / 1048576.0, total / 1048576.0,
                (int)(100 * done / total));
    return interrupted;
}

/* ---- import ---------------------------------------------------------------------------------------- */

static int parse_encoding(const char *s, enum fw_encoding *enc)
{
    if (strcmp(s, "auto") == 0)
        *enc = FW_ENC_AUTO;
    else if (strcmp(s, "utf-8") == 0 || strcmp(s, "utf8") == 0)
        *enc = FW_ENC_UTF8;
    else if (strcmp(s, "gb18030") == 0 || strcmp(s, "gbk") == 0)
        *enc = FW_ENC_GB18030;
    else
        return -1;
    return 0;
}

/* Prints the first rejects of an import as file:line:column: reason. */
static void print_first_rejects(fw_ws *ws, long long import_id, FILE *out)
{
    fw_rows *rows;
    fw_err err = {0};
    if (import_id <= 0 || fw_import_rejects_stmt(ws, import_id, &rows, &err))
        return;
    for (int n = 0; n < SUMMARY_REJECTS && fw_rows_step(rows, &err) == 1; n++) {
        const char *file = fw_rows_text(rows, 1);
        long long line = fw_rows_int(rows, 2);
        const char *name = fw_rows_text(rows, 4);
        const char *reason = fw_rows_text(rows, 6);
        if (fw_rows_is_null(rows, 3))
            fprintf(out, "  %s:%lld: %s\n", file, line, reason);
        else
            fprintf(out, "  %s:%lld:%lld: %s: %s\n", file, line, fw_rows_int(rows, 3), name ? name : "", reason);
    }
    fw_rows_close(rows);
}

static void print_summary_text(const char *dataset, const char *file, const fw_import_result *r)
{
    printf(_("imported %s into %s (import %lld)\n"), file, dataset, r->import_id);
    printf(_("  encoding   %s\n"), r->encoding);
    printf(_("  rows       %lld read, %lld loaded, %lld rejected, %lld flagged"), r->rows_read, r->rows_loaded,
           r->rows_rejected, r->rows_flagged);
    if (r->rows_blank)
        printf(_(", %lld blank lines skipped"), r->rows_blank);
    putchar('\n');
    if (r->rows_replaced)
        printf("  correction %lld rows replaced %lld earlier rows with the same payment_id or values "
               "(recorded in the audit trail)\n", r->rows_repeating, r->rows_replaced);
    if (r->min_date[0])
        printf(_("  dates      %s .. %s\n"), r->min_date, r->max_date);
    printf(_("  sha256     %s\n"), r->sha256);
    if (r->indexes_deferred)
        printf(_("  indexes    left for later: built by the next `fundwatch run`, or now by `fundwatch index`\n"));
    for (int i = 0; i < r->nunknown; i++)
        printf(_("  warning: header '%s' matches no column of %s and was ignored\n"), r->unknown_headers[i], dataset);
    if (r->rows_rejected)
        printf(_("rejected rows (first %d; all with `fundwatch rejects --import %lld`):\n"), SUMMARY_REJECTS,
               r->import_id);
}

static int print_summary(fw_cli *cli, fw_ws *ws, const fw_import_opts *o, const fw_import_result *r)
{
    if (cli->format == FW_FMT_TABLE) {
        print_summary_text(o->dataset, o->path, r);
        print_first_rejects(ws, r->import_id, stdout);
        return FW_OK;
    }
    fw_rows *rows;
    fw_err err = {0};
    if (fw_import_summary_stmt(ws, r->import_id, &rows, &err))
        return fw_cli_report(cli, &err);
    long n = fw_print_rows(cli, rows, stdout, &err);
    fw_rows_close(rows);
    for (int i = 0; i < r->nunknown; i++)
        fprintf(stderr, _("fundwatch import: warning: header '%s' matches no column of %s and was ignored\n"),
                r->unknown_headers[i], o->dataset);
    return n < 0 ? fw_cli_report(cli, &err) : FW_OK;
}

static int parse_import_args(fw_cli *cli, int argc, char **argv, fw_import_opts *o, const char **profile)
{
    static const struct option longopts[] = {
        {"profile", required_argument, NULL, 'p'},   {"encoding", required_argument, NULL, 'e'},
        {"replace", no_argument, NULL, 'r'},         {"append", no_argument, NULL, 'a'},
        {"max-rejects", required_argument, NULL, 'm'}, {"correct", no_argument, NULL, 'c'},
        {"county", required_argument, NULL, 'C'},    {"year", required_argument, NULL, 'Y'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, longopts)) != -1) {
        char *end;
        switch (c) {
        case 'p': *profile = optarg; break;
        case 'e':
            if (parse_encoding(optarg, &o->encoding))
                return fw_cli_error(cli, FW_EUSAGE, _("--encoding must be auto, utf-8 or gb18030, not '%s'"), optarg);
            break;
        case 'r': o->replace = true; break;
        case 'a': o->replace = false; break;
        case 'c': o->correct = true; break;
        case 'C':
            if (strlen(optarg) != 6 || strspn(optarg, "0123456789") != 6)
                return fw_cli_error(cli, FW_EUSAGE, _("--county needs a 6-digit county code, not '%s'"), optarg);
            o->county = optarg;
            break;
        case 'Y':
            if (strlen(optarg) != 4 || strspn(optarg, "0123456789") != 4)
                return fw_cli_error(cli, FW_EUSAGE, _("--year needs a year like 2023, not '%s'"), optarg);
            o->year = optarg;
            break;
        case 'm':
            o->max_rejects = strtoll(optarg, &end, 10);
            if (*optarg == '\0' || *end || o->max_rejects < 0)
                return fw_cli_error(cli, FW_EUSAGE, _("--max-rejects needs a number >= 0, not '%s'"), optarg);
            break;
        default:
            return fw_cli_usage(cli);
        }
    }
    if (argc - optind != 2) {
        fw_cli_error(cli, FW_EUSAGE, _("needs DATASET and FILE"));
        return fw_cli_usage(cli);
    }
    o->dataset = argv[optind];
    o->path = argv[optind + 1];
    return FW_OK;
}

int cmd_import(fw_cli *cli, int argc, char **argv)
{
    fw_import_opts o = {.encoding = FW_ENC_AUTO, .max_rejects = -1};
    const char *profile_path = NULL;
    int rc = parse_import_args(cli, argc, argv, &o, &profile_path);
    if (rc)
        return rc;
    fw_err err = {0};
    fw_profile *profile = NULL;
    if (fw_profile_load(profile_path, &profile, &err))
        return fw_cli_report(cli, &err);
    fw_ws *ws;
    if ((rc = fw_cli_open(cli, FW_WS_CREATE, &ws))) {
        fw_profile_free(profile);
        return rc;
    }
    progress pr = {isatty(STDERR_FILENO)};
    o.profile = profile;
    o.progress = report_progress;
    o.progress_ctx = &pr;
    o.interrupt = &interrupted; /* also stops a long statement, not only between rows */
    fw_cli_stops stops;
    fw_cli_catch_stops(on_stop, &stops);
    fw_import_result res;
    rc = fw_import_file(ws, &o, &res, &err);
    fw_cli_restore_stops(&stops);
    if (pr.show)
        fputs("\r\033[K", stderr);
    if (rc == FW_OK) {
        rc = print_summary(cli, ws, &o, &res);
    } else {
        fw_cli_report(cli, &err);
        if (res.import_id > 0) {
            fprintf(stderr, _("rejected rows (first %d; all with `fundwatch rejects --import %lld`):\n"),
                    SUMMARY_REJECTS, res.import_id);
            print_first_rejects(ws, res.import_id, stderr);
        }
    }
    fw_import_result_free(&res);
    fw_ws_close(ws);
    fw_profile_free(profile);
    return rc;
}

/* Rejects arguments for the commands that take none. */
static int no_arguments(fw_cli *cli, int argc, char **argv)
{
    if (argc > 1 && argv[1][0] == '-')
        return fw_cli_unknown_option(cli, argv[1], NULL);
    if (argc > 1) {
        fw_cli_error(cli, FW_EUSAGE, _("takes no arguments"));
        return fw_cli_usage(cli);
    }
    return FW_OK;
}

/* ---- init ----------------------------------------------------------------------------------------- */

int cmd_init(fw_cli *cli, int argc, char **argv)
{
    int rc = no_arguments(cli, argc, argv);
    if (rc)
        return rc;
    fw_ws *ws;
    if ((rc = fw_cli_open(cli, FW_WS_CREATE, &ws)))
        return rc;
    long long schema = fw_ws_schema_version(ws);
    if (!ws->created && ws->schema_before < schema)
        printf(_("%s: upgraded the workspace from schema %d to %lld\n"), fw_ws_where(ws), ws->schema_before, schema);
    else if (!ws->created)
        printf(_("%s is already a fundwatch workspace (schema %lld); nothing changed\n"), fw_ws_where(ws), schema);
    else
        printf(_("created workspace %s (schema %lld); load data with `fundwatch import DATASET FILE`\n"),
               fw_ws_where(ws), schema);
    fw_ws_close(ws);
    return FW_OK;
}

/* ---- index ---------------------------------------------------------------------------------------- */

int cmd_index(fw_cli *cli, int argc, char **argv)
{
    fw_ws *ws;
    int rc = no_arguments(cli, argc, argv);
    if (rc || (rc = fw_cli_open(cli, FW_WS_WRITE, &ws)))
        return rc;
    double started = fw_now_seconds();
    fw_cli_index_progress p = {0};
    fw_index_opts o = {.interrupt = &interrupted, .progress = fw_cli_report_index, .progress_ctx = &p};
    fw_cli_stops stops;
    fw_cli_catch_stops(on_stop, &stops);
    int missing = fw_indexes_missing(ws);
    fw_err err = {0};
    rc = fw_indexes_build(ws, &o, &err);
    fw_cli_restore_stops(&stops);
    if (rc) {
        if (p.last)
            fputc('\n', stderr);
        rc = fw_cli_report(cli, &err);
    } else if (missing == 0) {
        printf(_("all indexes present\n"));
    } else {
        printf(_("%d indexes built in %.1f s\n"), missing, fw_now_seconds() - started);
    }
    fw_ws_close(ws);
    return rc;
}

/* ---- listings -------------------------------------------------------------------------------------- */

static int print_listing(fw_cli *cli, fw_rows *rows)
{
    fw_err err = {0};
    long n = fw_print_rows(cli, rows, stdout, &err);
    fw_rows_close(rows);
    return n < 0 ? fw_cli_report(cli, &err) : FW_OK;
}

int cmd_datasets(fw_cli *cli, int argc, char **argv)
{
    int rc = no_arguments(cli, argc, argv);
    fw_ws *ws;
    if (rc || (rc = fw_cli_open(cli, FW_WS_READ, &ws)))
        return rc;
    fw_rows *rows;
    fw_err err = {0};
    rc = fw_import_datasets_stmt(ws, &rows, &err) ? fw_cli_report(cli, &err) : print_listing(cli, rows);
    fw_ws_close(ws);
    return rc;
}

int cmd_rejects(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"import", required_argument, NULL, 'i'}, {NULL, 0, NULL, 0}};
    long long import_id = 0;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        char *end;
        if (c != 'i')
            return fw_cli_usage(cli);
        import_id = strtoll(optarg, &end, 10);
        if (!*optarg || *end || import_id <= 0)
            return fw_cli_error(cli, FW_EUSAGE, _("--import needs an import id (see `fundwatch datasets`), not '%s'"),
                                optarg);
    }
    if (optind != argc) {
        fw_cli_error(cli, FW_EUSAGE, _("unexpected argument '%s'"), argv[optind]);
        return fw_cli_usage(cli);
    }
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_rows *rows;
    fw_err err = {0};
    rc = fw_import_rejects_stmt(ws, import_id, &rows, &err) ? fw_cli_report(cli, &err) : print_listing(cli, rows);
    fw_ws_close(ws);
    return rc;
}

int cmd_programs(fw_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"unmapped", no_argument, NULL, 'u'}, {NULL, 0, NULL, 0}};
    bool unmapped = false;
    int c;
    while ((c = fw_cli_getopt(cli, argc, argv, opts)) != -1) {
        if (c != 'u')
            return fw_cli_usage(cli);
        unmapped = true;
    }
    if (optind != argc) {
        fw_cli_error(cli, FW_EUSAGE, _("unexpected argument '%s'"), argv[optind]);
        return fw_cli_usage(cli);
    }
    fw_ws *ws;
    int rc = fw_cli_open(cli, FW_WS_READ, &ws);
    if (rc)
        return rc;
    fw_rows *rows;
    fw_err err = {0};
    rc = fw_import_programs_stmt(ws, unmapped, &rows, &err) ? fw_cli_report(cli, &err) : print_listing(cli, rows);
    fw_ws_close(ws);
    return rc;
}
