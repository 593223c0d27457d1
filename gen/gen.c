/* gen.c: the generator's entry point and its basic tools: the random number generator, the
 * calendar, the program table with its standards and the two check characters. The order of the
 * steps in fw_gen_write matters for determinism only: every random draw comes from one stream. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/dataset.h"
#include "audit/i18n.h"
#include "gen/gen_model.h"

/* --- random numbers ---------------------------------------------------------------------------- */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gen_rng_seed(gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

int gen_rng_int(gen_rng *r, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int)(gen_rng_next(r) % span);
}

bool gen_rng_chance(gen_rng *r, int per_mille)
{
    return (int)(gen_rng_next(r) % 1000) < per_mille;
}

/* --- calendar (days from civil, after Howard Hinnant's algorithm) ------------------------------ */
int gen_day(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void gen_ymd(int day, int *y, int *m, int *d)
{
    int z = day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int gen_days_in_month(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

int gen_period_of_day(int day)
{
    int y, m, d;
    gen_ymd(day, &y, &m, &d);
    return gen_period(y, m);
}

int gen_day_in_period(int period, int d)
{
    int y = gen_period_year(period), m = gen_period_month(period);
    int len = gen_days_in_month(y, m);
    return gen_day(y, m, d > len ? len : d);
}

int gen_age_on(int birth, int day)
{
    int by, bm, bd, y, m, d;
    gen_ymd(birth, &by, &bm, &bd);
    gen_ymd(day, &y, &m, &d);
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

/* --- programs and standards -------------------------------------------------------------------- */
const char *const gen_program_name[PG_COUNT] = {
    [PG_DIBAO] = "低保", [PG_TEKUN] = "特困供养", [PG_LINSHI] = "临时救助", [PG_YILIAO] = "医疗救助",
    [PG_WEIFANG] = "危房改造", [PG_GAOLING] = "高龄津贴", [PG_YANGLAO] = "城乡居民养老金",
    [PG_CANJI] = "残疾人两项补贴", [PG_JIAOYU] = "教育资助", [PG_CHANYE] = "产业奖补",
    [PG_GONGYI] = "公益岗位",
};

bool gen_program_means_tested(int program)
{
    return program <= PG_WEIFANG;
}

/* The most one payment may carry. The rural 低保 standard rises in July 2023, as Guizhou's did
 * mid-year; 特困 is at least 1.3 times 低保 plus a care allowance. */
long gen_standard_fen(int program, int day)
{
    switch (program) {
    case PG_DIBAO:
        return day < gen_day(GEN_YEAR, 7, 1) ? 36000 : 38000;
    case PG_TEKUN: return 60000;
    case PG_LINSHI: return 300000;
    case PG_YILIAO: return 500000;
    case PG_WEIFANG: return 3000000;
    case PG_GAOLING: return 10000;
    case PG_YANGLAO: return 25000;
    case PG_CANJI: return 16000;
    case PG_JIAOYU: return 200000;
    case PG_CHANYE: return 500000;
    case PG_GONGYI: return 80000;
    default: return 0;
    }
}

/* --- check characters -------------------------------------------------------------------------- */
static const char credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

char fw_gen_credit_check(const char *first17)
{
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        const char *at = first17[i] ? strchr(credit_alphabet, first17[i]) : NULL;
        if (!at)
            return 0;
        sum += (int)(at - credit_alphabet) * w[i];
    }
    return credit_alphabet[(31 - sum % 31) % 31];
}

/* --- the whole run ----------------------------------------------------------------------------- */
void gen_truth_add(gen *g, int person, const char *rule)
{
    gen_truth *t = GEN_PUSH(g->truth);
    t->person = person;
    t->rule = rule;
}

void gen_reject_expect(gen *g, const char *dataset, long line, const char *column, const char *hint)
{
    gen_reject *r = GEN_PUSH(g->rejects);
    r->dataset = dataset;
    r->line = line;
    r->column = column;
    r->hint = hint;
}

void gen_nameset_free(struct gen_nameset *s);
void gen_idset_free(struct gen_idset *s);

static void gen_free(gen *g)
{
    free(g->villages);
    free(g->persons.v);
    free(g->households.v);
    free(g->accounts.v);
    free(g->officials.v);
    free(g->relatives.v);
    free(g->businesses.v);
    free(g->vehicles.v);
    free(g->properties.v);
    free(g->prisoners.v);
    free(g->students.v);
    free(g->disabilities.v);
    free(g->pensions.v);
    free(g->deaths.v);
    free(g->grants.v);
    free(g->extras.v);
    free(g->truth.v);
    free(g->lookalikes.v);
    free(g->rejects.v);
    for (int i = 0; i < g->alt_names.n; i++)
        free(g->alt_names.v[i]);
    free(g->alt_names.v);
    free(g->township_approver);
    free(g->county_approver);
    free(g->school_names);
    free(g->high_school_names);
    gen_nameset_free(g->names);
    gen_idset_free(g->ids);
}

static int truth_cmp(const void *a, const void *b)
{
    const gen_truth *x = a, *y = b;
    int c = strcmp(x->rule, y->rule);
    return c ? c : x->person - y->person;
}

/* truth.csv: one row per (id_number, rule_id), sorted by rule then person. */
static int write_truth(gen *g, const char *dir, fw_err *err)
{
    qsort(g->truth.v, (size_t)g->truth.n, sizeof *g->truth.v, truth_cmp);
    gen_file *f = gen_file_open(dir, "truth.csv", GE_UTF8, false, err);
    if (!f)
        return err->code;
    gen_cell(f, "id_number");
    gen_cell(f, "rule_id");
    int rc = gen_row_end(f, err);
    int written = 0;
    for (int i = 0; i < g->truth.n && !rc; i++) {
        if (i > 0 && truth_cmp(&g->truth.v[i - 1], &g->truth.v[i]) == 0)
            continue;
        gen_cell(f, g->persons.v[g->truth.v[i].person].id);
        gen_cell(f, g->truth.v[i].rule);
        rc = gen_row_end(f, err);
        written++;
    }
    g->truth.n = written; /* for the statistics: the rows written */
    if (rc) {
        gen_file_abort(f);
        return rc;
    }
    return gen_file_close(f, err);
}

/* near-lookalikes.list: the persons the near-match rules (rules/near.ini) must leave alone, with the
 * kind of look-alike (common_name, sibling_id, homophone_elsewhere), for bench/near.sh's false-hit
 * figure; pipeline_truth.sh sees them as part of "nothing outside truth.csv". */
static int write_lookalikes(gen *g, const char *dir, fw_err *err)
{
    gen_file *f = gen_file_open(dir, "near-lookalikes.list", GE_UTF8, false, err);
    if (!f)
        return err->code;
    gen_cell(f, "id_number");
    gen_cell(f, "kind");
    int rc = gen_row_end(f, err);
    for (int i = 0; i < g->lookalikes.n && !rc; i++) {
        gen_cell(f, g->persons.v[g->lookalikes.v[i].person].id);
        gen_cell(f, g->lookalikes.v[i].rule);
        rc = gen_row_end(f, err);
    }
    if (rc) {
        gen_file_abort(f);
        return rc;
    }
    return gen_file_close(f, err);
}

static int write_rejects(gen *g, const char *dir, fw_err *err)
{
    gen_file *f = gen_file_open(dir, "rejects-expected.csv", GE_UTF8, false, err);
    if (!f)
        return err->code;
    const char *head[] = {"dataset", "line", "column", "reason_hint"};
    for (int i = 0; i < 4; i++)
        gen_cell(f, head[i]);
    int rc = gen_row_end(f, err);
    for (int i = 0; i < g->rejects.n && !rc; i++) {
        gen_cell(f, g->rejects.v[i].dataset);
        gen_cell_int(f, g->rejects.v[i].line);
        gen_cell(f, g->rejects.v[i].column);
        gen_cell(f, g->rejects.v[i].hint);
        rc = gen_row_end(f, err);
    }
    if (rc) {
        gen_file_abort(f);
        return rc;
    }
    return gen_file_close(f, err);
}

/* Creates outdir when missing (one level, like mkdir) and checks it is a writable directory. */
static int prepare_dir(const char *dir, fw_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (mkdir(dir, 0777) != 0)
            return fw_fail(err, FW_EFAIL, _("%s: cannot create the output directory: %s; give a writable path"),
                           dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return fw_fail(err, FW_EFAIL, _("%s: exists and is not a directory; give a directory path"), dir);
    }
    return FW_OK;
}

int fw_gen_write(const char *outdir, const fw_gen_opts *opts, fw_gen_stats *stats, fw_err *err)
{
    if (opts->persons < FW_GEN_MIN_PERSONS || opts->persons > FW_GEN_MAX_PERSONS)
        return fw_fail(err, FW_EUSAGE, _("--persons must be between %d and %ld (every rule needs room for its "
                       "planted cases), not %ld"), FW_GEN_MIN_PERSONS, FW_GEN_MAX_PERSONS, opts->persons);
    if (opts->counties < 0 || opts->counties > FW_GEN_MAX_COUNTIES)
        return fw_fail(err, FW_EUSAGE, _("--counties must be between 1 and %d, not %d"), FW_GEN_MAX_COUNTIES,
                       opts->counties);
    if (opts->counties > 1 && opts->persons / opts->counties < FW_GEN_MIN_PERSONS)
        return fw_fail(err, FW_EUSAGE, _("--persons-per-county must be at least %d, not %ld"), FW_GEN_MIN_PERSONS,
                       opts->persons / opts->counties);
    int rc = prepare_dir(outdir, err);
    if (rc)
        return rc;

    gen *g = fw_calloc(1, sizeof *g);
    g->ncounties = opts->counties > 0 ? opts->counties : 1;
    g->seed = opts->seed;
    g->target_persons = opts->persons;
    g->per_rule = (int)(opts->persons / 1000 > 2 ? opts->persons / 1000 : 2);
    gen_rng_seed(&g->rng, opts->seed);

    gen_places_init(g);
    /* The clean majority first, leaving room for the planted households (about 3 persons per
     * case), then the officials who approve and the planted cases, then the rest of the clean
     * population, so that planted households sit among ordinary ones. */
    long reserve = (long)g->per_rule * gen_nplanted_rules * 3 + 200;
    g->target_persons = opts->persons - reserve > opts->persons / 2 ? opts->persons - reserve : opts->persons / 2;
    gen_population_build(g);
    gen_officials_build(g);
    gen_plant_all(g);
    if (g->ncounties > 1)
        gen_plant_cross_county(g);
    g->target_persons = opts->persons;
    gen_population_build(g);
    gen_registries_build(g);
    gen_residents_build(g);
    gen_grants_build(g);
    gen_shuffle_households(g);

    long payments = 0;
    rc = gen_write_registries(g, outdir, err);
    if (!rc)
        rc = gen_write_payments(g, outdir, &payments, err);
    if (!rc)
        rc = write_truth(g, outdir, err);
    if (!rc)
        rc = write_rejects(g, outdir, err);
    if (!rc)
        rc = write_lookalikes(g, outdir, err);
    /* All files are complete: rename them into place. */
    for (int i = 0; i < fw_ndatasets && !rc; i++) {
        char *name = fw_printf("%s.csv", fw_datasets[i].name);
        rc = gen_file_commit(outdir, name, err);
        free(name);
    }
    if (!rc)
        rc = gen_file_commit(outdir, "truth.csv", err);
    if (!rc)
        rc = gen_file_commit(outdir, "rejects-expected.csv", err);
    if (!rc)
        rc = gen_file_commit(outdir, "near-lookalikes.list", err);
    if (rc) {
        /* remove whatever temporary files are left */
        for (int i = 0; i < fw_ndatasets; i++) {
            char *tmp = fw_printf("%s/%s.csv.tmp", outdir, fw_datasets[i].name);
            remove(tmp);
            free(tmp);
        }
        char *t1 = fw_printf("%s/truth.csv.tmp", outdir), *t2 = fw_printf("%s/rejects-expected.csv.tmp", outdir),
             *t3 = fw_printf("%s/near-lookalikes.list.tmp", outdir);
        remove(t1);
        remove(t2);
        remove(t3);
        free(t1);
        free(t2);
        free(t3);
    }
    if (stats) {
        stats->persons = g->registered;
        stats->households = g->households.n;
        stats->payments = payments;
        stats->truth_rows = g->truth.n;
        stats->rejects = g->rejects.n;
        int planted = 0;
        for (int i = 0; i < g->persons.n; i++)
            planted += (g->persons.v[i].flags & PF_PLANTED) != 0;
        stats->planted = planted;
    }
    gen_free(g);
    free(g);
    return rc;
}
