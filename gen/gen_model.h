/* gen_model.h: the generator's in-memory model, shared by its parts (internal to audit/gen*.c).
 *
 * Persons (the roster and, flagged PF_RESIDENT, the residents outside it who appear only in
 * payments), households and every registry are small enough to hold (about 100 bytes a person);
 * payments are not held: a person's entitlements are kept as grants (program, first and last
 * period, amount, account, approval), and gen_payments.c expands them month by month straight
 * into the file. The few rows that fit no grant (duplicates, late or reversed payments, a payment
 * in another county) are kept as extra rows, placed into the stream in their pay month.
 *
 * Dates are day numbers (days since 1970-01-01); periods are month numbers (year * 12 + month - 1).
 * Money is integer fen. */
#ifndef FW_GEN_MODEL_H
#define FW_GEN_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gen/gen.h"
#include "audit/util.h"

/* --- random numbers: xoshiro256**, seeded through splitmix64 (never rand()) ------------------- */
typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;
void gen_rng_seed(gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(gen_rng *r);
int gen_rng_int(gen_rng *r, int lo, int hi); /* uniform in [lo, hi] */
bool gen_rng_chance(gen_rng *r, int per_mille);
#define GEN_PICK(r, arr) ((arr)[gen_rng_int((r), 0, (int)(sizeof(arr) / sizeof((arr)[0])) - 1)])

/* --- calendar ---------------------------------------------------------------------------------- */
int gen_day(int y, int m, int d);
void gen_ymd(int day, int *y, int *m, int *d);
int gen_days_in_month(int y, int m);
static inline int gen_period(int y, int m) { return y * 12 + m - 1; }
static inline int gen_period_year(int p) { return p / 12; }
static inline int gen_period_month(int p) { return p % 12 + 1; }
int gen_period_of_day(int day);
int gen_day_in_period(int period, int d); /* day d of the period's month, clamped to its length */
int gen_age_on(int birth, int day);       /* completed years */

#define GEN_YEAR 2023
#define GEN_P0 gen_period(GEN_YEAR, 1)   /* first paid period */
#define GEN_P1 gen_period(GEN_YEAR, 12)  /* last paid period */

/* --- programs ---------------------------------------------------------------------------------- */
enum gen_program {
    PG_DIBAO, PG_TEKUN, PG_LINSHI, PG_YILIAO, PG_WEIFANG, /* means-tested */
    PG_GAOLING, PG_YANGLAO, PG_CANJI, PG_JIAOYU, PG_CHANYE, PG_GONGYI,
    PG_COUNT
};
extern const char *const gen_program_name[PG_COUNT];
bool gen_program_means_tested(int program);
/* The standard (max_monthly_amount, fen) of a program on a day; the same in every county. */
long gen_standard_fen(int program, int day);

/* --- places ------------------------------------------------------------------------------------ */
typedef struct gen_village {
    char code[13];      /* 12-digit village code */
    const char *township;
    const char *name;
    int township_index; /* over all counties: county * townships per county + township */
    int county;         /* index into gen_counties */
} gen_village;

/* The counties of a province (--counties N takes the first N; without it, the first alone). The
 * first is 黄平县, the county the single-county generator has always written. */
typedef struct gen_county {
    const char *code, *name; /* 6-digit region code, name */
    const char *towns[7];    /* township names; codes follow: 镇 county+100.., 乡 county+200.. */
} gen_county;
extern const gen_county gen_counties[];

#define GEN_COUNTY_CODE "522622"
#define GEN_COUNTY_NAME "黄平县"

/* --- persons and households -------------------------------------------------------------------- */
enum gen_relation {
    RL_HEAD, RL_SPOUSE, RL_SON, RL_DAUGHTER, RL_FATHER, RL_MOTHER, RL_DAUGHTER_IN_LAW, RL_GRANDSON,
    RL_GRANDDAUGHTER, RL_BROTHER, RL_SISTER, RL_COUNT
};
extern const char *const gen_relation_name[RL_COUNT];

enum gen_status { ST_ACTIVE, ST_DEAD, ST_MOVED, ST_CANCELLED, ST_EXITED };

enum gen_hh_class { HC_GENERAL, HC_DIBAO, HC_TEKUN, HC_TUOPIN, HC_MONITOR };
extern const char *const gen_class_name[];

/* Person flags */
enum {
    PF_GHOST = 1 << 0,      /* not written to persons.csv (a payee the registry lacks) */
    PF_OFFICIAL = 1 << 1,   /* in officials.csv (any kind) */
    PF_PENSIONER = 1 << 2,  /* in pensions.csv */
    PF_DISABLED = 1 << 3,   /* holds a valid disability certificate */
    PF_STUDENT = 1 << 4,    /* enrolled all year */
    PF_PLANTED = 1 << 5,    /* built by the anomaly planter: the clean generator leaves it alone */
    PF_OLD_STATUS = 1 << 6, /* keeps status 正常 in persons although dead (DEC-004 cases) */
    PF_CUSTODY = 1 << 7,    /* in prisoners.csv */
    PF_RESIDENT = 1 << 8,   /* a resident outside the roster: paid universal programs, in no registry */
};

typedef struct gen_person {
    char id[19];
    char name[40];
    int household;     /* index, -1 for none */
    int household2;    /* IDN-003: a second household listing the same person, else -1 */
    int village;
    int birth;         /* day */
    int death;         /* day, 0 = alive */
    int status_date;   /* day, 0 = none */
    int account;       /* own bank account, -1 = none yet */
    uint16_t flags;
    uint8_t relation, relation2, sex, status;
} gen_person;

typedef struct gen_household {
    int head;          /* person index (the 户主 even when HH-003 hides him) */
    int village;
    int account;       /* the household's account (the head's), -1 = none yet */
    int number;        /* household_id sequence, assigned after shuffling */
    uint8_t cls;
    uint8_t dibao_tier;
    bool wealthy;      /* may own vehicles, commercial housing, businesses */
    bool official;     /* an official or cadre lives here */
    bool planted;
} gen_household;

typedef struct gen_account {
    char number[20];
    int holder;        /* person index: account_name is the holder's name */
} gen_account;

/* --- registries -------------------------------------------------------------------------------- */
typedef struct gen_official {
    int person;
    const char *kind;       /* 公务员, 事业单位人员, 村干部 */
    char employer[64];
    const char *position;
    char region[13];
    int start, end;         /* days; end 0 = in post */
    char id_as[19], name_as[40]; /* near-match plants (issue 16): the ID and name as the row writes them; "" = the person's */
} gen_official;

typedef struct gen_relative {
    int official, relative;
    const char *relation;   /* from the official's point of view */
    bool name_only;         /* written without relative_id_number: name_as, the village, birth_as */
    char name_as[40];
    char birth_as[16];      /* "" or the birth year/month as a register writes it */
} gen_relative;

typedef struct gen_business {
    int owner;
    char name[96];
    char credit[19];
    const char *role, *status;
    long long capital_fen;  /* -1 = not given */
    int reg_date;
    char id_as[19], name_as[40]; /* near-match plants (issue 16): the ID and name as the row writes them; "" = the person's */
} gen_business;

typedef struct gen_vehicle {
    int owner;
    char plate[16];
    const char *type, *status;
    int reg_date;
    char id_as[19], name_as[40]; /* near-match plants (issue 16): the ID and name as the row writes them; "" = the person's */
} gen_vehicle;

typedef struct gen_property {
    int owner;
    char address[128];
    int area_dm2;           /* square metres * 100 */
    const char *usage, *kind;
    int reg_date;
} gen_property;

typedef struct gen_prisoner {
    int person, start, end; /* end 0 = still in custody */
    char id_as[19], name_as[40]; /* near-match plants (issue 16): the ID and name as the row writes them; "" = the person's */
} gen_prisoner;

typedef struct gen_student {
    int person;
    const char *school, *stage, *status;
    int start, end;         /* end 0 = open */
} gen_student;

typedef struct gen_disability {
    int person;
    const char *grade, *kind, *status;
    int issue;
} gen_disability;

typedef struct gen_pension {
    int person;
    const char *kind;
    long monthly_fen;
    int start;
} gen_pension;

typedef struct gen_death {
    int person;
    int date;
    const char *source;
    char id_as[19], name_as[40]; /* near-match plants (issue 16): the ID and name as the row writes them; "" = the person's */
} gen_death;

/* --- entitlements and payments ----------------------------------------------------------------- */
enum {
    GF_TERMS = 1 << 0,       /* paid in March and September only (教育资助) */
    GF_REUSE_PID = 1 << 1,   /* DUP-006: the row of period `special` reuses the previous row's id */
};

typedef struct gen_grant {
    int person;
    int program;
    int first, last;        /* periods, inclusive */
    long amount_fen;        /* per period up to June 2023 */
    long amount2_fen;       /* per period from July 2023 (the 低保 standard rises) */
    int approval;           /* day */
    int approver;           /* person index of the approving official */
    int account;
    int pay_village;        /* 1 + the village of another county that pays it; 0 = the person's */
    int pay_day;            /* day of the month */
    int backpay_last;       /* periods first..backpay_last are all paid on backpay_date; -1 = none */
    int backpay_date;
    uint16_t skip;          /* bit i: no regular row for period GEN_P0 + i */
    uint16_t flags;
    int special;            /* period for GF_REUSE_PID */
    int name_person;        /* IDN-002: the row's name comes from this spelling index, -1 = own */
} gen_grant;

/* A fully specified payment row outside the grants. */
typedef struct gen_extra {
    int person, program, period, pay_date;
    long amount_fen;
    int account, approval, approver;
    int village;            /* region of the row; -1 = the person's */
    const char *region_override; /* a 12-digit code in another county (DUP-004) */
} gen_extra;

/* --- growable arrays --------------------------------------------------------------------------- */
#define GEN_VEC(T) struct { T *v; int n, cap; }
#define GEN_PUSH(vec) \
    (((vec).n == (vec).cap ? ((vec).cap = (vec).cap ? (vec).cap * 2 : 64, \
                              (vec).v = fw_realloc((vec).v, (size_t)(vec).cap * sizeof *(vec).v)) : 0), \
     memset(&(vec).v[(vec).n], 0, sizeof *(vec).v), &(vec).v[(vec).n++])

typedef struct gen_truth {
    int person;
    const char *rule;
} gen_truth;

/* A row the importer must refuse, recorded as it is written. */
typedef struct gen_reject {
    const char *dataset, *column, *hint;
    long line;
} gen_reject;

/* The whole model. */
typedef struct gen {
    gen_rng rng;
    uint64_t seed;
    long target_persons;
    long registered;        /* persons that persons.csv will list */
    long residents;         /* PF_RESIDENT persons (payments only) */
    int per_rule;           /* planted cases per rule */

    gen_village *villages;
    int nvillages;
    int ncounties;          /* 1 for a single county */
    int villages_per_county, townships_per_county;
    char (*school_names)[3][64]; /* township schools by (township_index, stage), built on first use */
    char (*high_school_names)[2][64]; /* each county's two high schools, built on first use */

    GEN_VEC(gen_person) persons;
    GEN_VEC(gen_household) households;
    GEN_VEC(gen_account) accounts;
    GEN_VEC(gen_official) officials;
    GEN_VEC(gen_relative) relatives;
    GEN_VEC(gen_business) businesses;
    GEN_VEC(gen_vehicle) vehicles;
    GEN_VEC(gen_property) properties;
    GEN_VEC(gen_prisoner) prisoners;
    GEN_VEC(gen_student) students;
    GEN_VEC(gen_disability) disabilities;
    GEN_VEC(gen_pension) pensions;
    GEN_VEC(gen_death) deaths;
    GEN_VEC(gen_grant) grants;
    GEN_VEC(gen_extra) extras;
    GEN_VEC(gen_truth) truth;
    GEN_VEC(gen_truth) lookalikes; /* near-match look-alikes (rule: their kind), near-lookalikes.list */
    GEN_VEC(gen_reject) rejects;
    GEN_VEC(char *) alt_names; /* spellings used by IDN-002 rows (owned) */

    /* approvers: civil affairs staff per township, and one official per county bureau */
    int *township_approver; /* [ntownships] */
    int ntownships;
    int (*county_approver)[PG_COUNT]; /* [ncounties]: the county bureaus' approvers */

    struct gen_nameset *names; /* every name in use, to give officials unique names */
    struct gen_idset *ids;     /* every ID prefix in use */
    int plate_seq, credit_seq;
} gen;

static inline const char *gen_county_code(const gen *g, int village)
{
    return gen_counties[g->villages[village].county].code;
}

static inline const char *gen_county_name(const gen *g, int village)
{
    return gen_counties[g->villages[village].county].name;
}

/* --- population (gen_population.c) ------------------------------------------------------------ */
void gen_places_init(gen *g);
int gen_household_new(gen *g, int village, int cls);
/* Adds a person to household hh (or none when hh < 0) aged age_lo..age_hi completed years on
 * 2023-01-01; sex 1 male, 0 female, -1 by chance. The surname follows the relation. */
int gen_person_add(gen *g, int hh, int relation, int sex, int age_lo, int age_hi);
/* A person born on an exact day. */
int gen_person_add_born(gen *g, int hh, int relation, int sex, int birth);
int gen_random_village(gen *g);
int gen_random_village_in(gen *g, int county); /* a village of that county */
/* Replaces a leading "黄平县" of text by the village's county name (bureaus, schools). */
const char *gen_county_text(const gen *g, int village, const char *text, char out[64]);
/* A new household with a whole family (head aged head_lo..head_hi) in village. */
int gen_family_new(gen *g, int village, int cls, int head_lo, int head_hi);
void gen_population_build(gen *g);  /* the clean population up to the target size */
/* The county's residents aged 59+ outside the roster, who appear only in payments (universal
 * 城乡居民养老金 and 高龄津贴); added after the registries, so no registry row names them. */
void gen_residents_build(gen *g);
void gen_name_unique(gen *g, int person); /* renames a person until no one else has the name */
void gen_name_reserve(gen *g, int person); /* gen_name_unique, and no one added later gets it */
/* Gives person the name (counted in the set of names); false, nothing changed, when it is reserved. */
bool gen_name_set(gen *g, int person, const char *name);
int gen_name_count(gen *g, const char *name); /* persons holding name */
void gen_id_make(gen *g, gen_person *p, const char *region6);
int gen_account_of_household(gen *g, int hh);
int gen_account_of_person(gen *g, int person);
void gen_shuffle_households(gen *g);

/* --- registries (gen_registries.c) ------------------------------------------------------------- */
gen_official *gen_official_add(gen *g, int person, const char *kind, const char *employer,
                               const char *position, int start, int end);
void gen_relative_add(gen *g, int official, int relative, const char *relation);
gen_business *gen_business_add(gen *g, int owner, int individual, const char *role, long long capital,
                               const char *status, int reg_date);
gen_vehicle *gen_vehicle_add(gen *g, int owner, const char *type, int reg_date);
gen_property *gen_property_add(gen *g, int owner, const char *kind, const char *usage, int reg_date);
gen_disability *gen_disability_add(gen *g, int person, const char *status);
void gen_student_add(gen *g, int person, int end);
void gen_pension_add(gen *g, int person, long monthly_fen, int start);
void gen_death_add(gen *g, int person, int day);
void gen_prisoner_add(gen *g, int person, int start, int end);
void gen_officials_build(gen *g);   /* approvers, bureau staff, village cadres */
void gen_registries_build(gen *g);  /* the clean population's registry rows */
const char *gen_stage_for_age(int age);

/* --- entitlements (gen_payments.c) ------------------------------------------------------------- */
gen_grant *gen_grant_monthly(gen *g, int person, int program, long amount_fen, int first, int last);
gen_grant *gen_grant_once(gen *g, int person, int program, long amount_fen, int period, int pay_day);
gen_extra *gen_extra_from(gen *g, const gen_grant *like, int period, int pay_date, long amount_fen);
long gen_dibao_amount(int tier, int period);
void gen_grants_build(gen *g);      /* the clean population's entitlements */
int gen_approver(gen *g, int person, int program);

/* --- anomalies (gen_plant.c) ------------------------------------------------------------------- */
void gen_plant_all(gen *g);
void gen_plant_cross_county(gen *g); /* the cross_county cases, for two counties or more */
void gen_truth_add(gen *g, int person, const char *rule);
extern const char *const gen_planted_rules[];
extern const int gen_nplanted_rules;

/* --- writing (gen_writer.c, gen_payments.c) ---------------------------------------------------- */
enum gen_encoding { GE_UTF8, GE_UTF8_BOM, GE_GB18030 };
typedef struct gen_file gen_file;
gen_file *gen_file_open(const char *dir, const char *name, int encoding, bool crlf, fw_err *err);
void gen_cell(gen_file *f, const char *s);       /* appends a cell (quoted when needed) */
void gen_cell_date(gen_file *f, int day);          /* ISO; 0 = empty */
void gen_cell_int(gen_file *f, long long v);
void gen_cell_money(gen_file *f, long long fen);   /* 1234.50 */
void gen_cell_raw(gen_file *f, const char *s, size_t n); /* appends without quoting */
int gen_row_end(gen_file *f, fw_err *err);         /* ends the row; flushes when the buffer is full */
long gen_file_line(const gen_file *f);             /* line number of the row being written */
int gen_file_close(gen_file *f, fw_err *err);      /* flushes and closes; frees f */
void gen_file_abort(gen_file *f);                  /* closes and removes the temporary file */
int gen_file_commit(const char *dir, const char *name, fw_err *err); /* renames NAME.tmp to NAME */

/* Messy-but-valid spellings, chosen by rng; each returns a pointer into buf. */
const char *gen_mess_date(gen_rng *r, int day, char buf[32], int per_mille);
const char *gen_mess_money(gen_rng *r, long long fen, char buf[48], int per_mille);
const char *gen_mess_id(gen_rng *r, const gen_person *p, char buf[24], int per_mille);
const char *gen_mess_name(gen_rng *r, const char *name, char buf[64], int per_mille);
void gen_format_date(int day, char out[11]);

/* Records a row the importer must refuse (dataset, line, canonical column, reason). */
void gen_reject_expect(gen *g, const char *dataset, long line, const char *column, const char *hint);

/* Each writes its files under temporary names (see gen_file_commit). */
int gen_write_registries(gen *g, const char *dir, fw_err *err);
int gen_write_payments(gen *g, const char *dir, long *rows, fw_err *err);

#endif
