/* cmd_gen.c: the `gen` command: writes a synthetic county's (or, with --counties, a province's)
 * ledgers and registries with planted anomalies (gen/gen.h does the work; this file reads the
 * arguments and prints the summary). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "gen/gen.h"
#include "cli/cli.h"

const char usage_gen[] =
    N_("usage: fundwatch gen OUTDIR [--seed N] [--persons N]\n"
    "       fundwatch gen OUTDIR [--seed N] --counties N [--persons-per-county M]\n"
    "\n"
    "Writes a synthetic county (黄平县, Guizhou) into OUTDIR: one CSV file per dataset\n"
    "(persons.csv, payments.csv, deaths.csv, officials.csv, relatives.csv, businesses.csv,\n"
    "vehicles.csv, properties.csv, prisoners.csv, students.csv, disabilities.csv, pensions.csv,\n"
    "standards.csv) with Chinese headers, mixed encodings (UTF-8, UTF-8 with BOM, GB18030) and\n"
    "some messy-but-valid cells; truth.csv (id_number,rule_id) lists the planted anomalies and\n"
    "rejects-expected.csv (dataset,line,column,reason_hint) the rows an import must refuse.\n"
    "The same seed and size give the same bytes.\n"
    "\n"
    "options:\n"
    "  --seed N      random seed (default 1)\n"
    "  --persons N   registered persons, 1000 to 2000000 (default 2000); at least two\n"
    "                cases of every non-statistical rule, about one per 1000 persons\n"
    "  --counties N  a province instead: N counties of 黔东南州 (1 to 13, 黄平县 first), each\n"
    "                with its own region codes, townships, villages and ID numbers, in the\n"
    "                same files (region_code tells the county), plus cases planted across\n"
    "                counties for the cross_county rules (XC-003 needs 3 counties)\n"
    "  --persons-per-county M  registered persons of each county, 1000 or more (default\n"
    "                2000); N * M at most 2000000\n"
    "\n"
    "exit codes: 0 written, 1 the files could not be written, 2 bad arguments\n");

/* Parses a whole decimal number into *out; false for anything else (empty, sign, trailing junk). */
static bool parse_count(const char *s, unsigned long long *out)
{
    if (!s || !*s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]; returns the value, or NULL when absent. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *matched)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    *matched = false;
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=') {
        *matched = true;
        return a + n + 1;
    }
    if (a[n] != '\0')
        return NULL;
    *matched = true;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

int cmd_gen(fw_cli *cli, int argc, char **argv)
{
    fw_gen_opts opts = {.seed = 1, .persons = FW_GEN_DEFAULT_PERSONS};
    const char *outdir = NULL;
    bool persons_given = false;
    long per_county = 0;
    for (int i = 1; i < argc; i++) {
        bool matched;
        const char *v = option_value(argc, argv, &i, "--seed", &matched);
        if (matched) {
            unsigned long long seed;
            if (!parse_count(v, &seed))
                return fw_cli_error(cli, FW_EUSAGE, _("--seed needs a whole non-negative number, not '%s'"),
                                    v ? v : "");
            opts.seed = seed;
            continue;
        }
        v = option_value(argc, argv, &i, "--persons", &matched);
        if (matched) {
            unsigned long long n;
            if (!parse_count(v, &n) || n < FW_GEN_MIN_PERSONS || n > (unsigned long long)FW_GEN_MAX_PERSONS)
                return fw_cli_error(cli, FW_EUSAGE,
                                    _("--persons needs a whole number from %d to %ld (room for every planted "
                                    "case), not '%s'"),
                                    FW_GEN_MIN_PERSONS, FW_GEN_MAX_PERSONS, v ? v : "");
            opts.persons = (long)n;
            persons_given = true;
            continue;
        }
        v = option_value(argc, argv, &i, "--counties", &matched);
        if (matched) {
            unsigned long long n;
            if (!parse_count(v, &n) || n < 1 || n > FW_GEN_MAX_COUNTIES)
                return fw_cli_error(cli, FW_EUSAGE, _("--counties needs a whole number from 1 to %d, not '%s'"),
                                    FW_GEN_MAX_COUNTIES, v ? v : "");
            opts.counties = (int)n;
            continue;
        }
        v = option_value(argc, argv, &i, "--persons-per-county", &matched);
        if (matched) {
            unsigned long long n;
            if (!parse_count(v, &n) || n < FW_GEN_MIN_PERSONS || n > (unsigned long long)FW_GEN_MAX_PERSONS)
                return fw_cli_error(cli, FW_EUSAGE,
                                    _("--persons-per-county needs a whole number from %d to %ld, not '%s'"),
                                    FW_GEN_MIN_PERSONS, FW_GEN_MAX_PERSONS, v ? v : "");
            per_county = (long)n;
            continue;
        }
        static const struct option known[] = {
            {"seed", required_argument, NULL, 0}, {"persons", required_argument, NULL, 0},
            {"counties", required_argument, NULL, 0}, {"persons-per-county", required_argument, NULL, 0},
            {NULL, 0, NULL, 0}};
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return fw_cli_unknown_option(cli, argv[i], known);
        if (outdir)
            return fw_cli_error(cli, FW_EUSAGE, _("one OUTDIR only ('%s' and '%s'); see `fundwatch gen --help`"),
                                outdir, argv[i]);
        outdir = argv[i];
    }
    if (!outdir)
        return fw_cli_error(cli, FW_EUSAGE, _("OUTDIR is missing; usage: fundwatch gen OUTDIR [--seed N] [--persons N]"));
    if (opts.counties && persons_given)
        return fw_cli_error(cli, FW_EUSAGE, _("--persons is the size of one county; with --counties give "
                                              "--persons-per-county instead"));
    if (per_county && !opts.counties)
        return fw_cli_error(cli, FW_EUSAGE, _("--persons-per-county needs --counties N"));
    if (opts.counties) {
        long m = per_county ? per_county : FW_GEN_DEFAULT_PERSONS;
        if (m > FW_GEN_MAX_PERSONS / opts.counties)
            return fw_cli_error(cli, FW_EUSAGE, _("--counties %d with --persons-per-county %ld makes more than %ld "
                                                  "persons; give fewer"),
                                opts.counties, m, FW_GEN_MAX_PERSONS);
        opts.persons = m * opts.counties;
    }
    fw_err err = {0};
    fw_gen_stats st = {0};
    int rc = fw_gen_write(outdir, &opts, &st, &err);
    if (rc)
        return fw_cli_report(cli, &err);
    printf(_("wrote %s: %ld persons in %ld households, %ld payments, %ld planted persons, "
             "%ld truth rows, %ld rows to reject (seed %llu)\n"),
           outdir, st.persons, st.households, st.payments, st.planted, st.truth_rows, st.rejects,
           (unsigned long long)opts.seed);
    return FW_OK;
}
