/* gen_plant.c: the planted anomalies. For every rule of docs/catalogue.md outside `statistical`
 * this builds households of its own (marked planted, so the clean generator adds nothing to them)
 * that are a clear case of the rule as written there, at month level, and records the case in
 * truth.csv. When a case necessarily trips another rule too (DEC-002 implies DEC-001), both are
 * recorded. Look-alikes that must NOT be flagged (a payment in the death month, a motorcycle, a
 * cadre's cousin, ...) are planted beside them and recorded nowhere.
 *
 * Reading of "a member of the recipient's household" (OFF-002, VEH-002, BUS-003): another member,
 * not the recipient himself, who has rules of his own (OFF-001, VEH-001, BUS-001). docs/gen.md
 * lists every case and which id_number truth.csv names for household and account subjects. */
#include <string.h>

#include "gen/gen_model.h"

const char *const gen_planted_rules[] = {
    "DEC-001", "DEC-002", "DEC-003", "DEC-004", "DEC-005", "DEC-006", "IDN-001", "IDN-002", "IDN-003", "IDN-004",
    "IDN-005", "OFF-001", "OFF-002", "OFF-003", "OFF-004", "OFF-005", "REL-001", "REL-002", "REL-003", "REL-004",
    "REL-005", "BUS-001", "BUS-002", "BUS-003", "BUS-004", "VEH-001", "VEH-002", "VEH-003", "PRO-001", "PRO-002",
    "PRO-003", "DUP-001", "DUP-002", "DUP-003", "DUP-004", "DUP-005", "DUP-006", "STD-001", "STD-002", "STD-003",
    "ELI-001", "ELI-002", "ELI-003", "ELI-004", "ELI-005", "ELI-006", "ELI-007", "TIM-001", "TIM-002", "TIM-003",
    "TIM-004", "ACC-001", "ACC-002", "ACC-003", "HH-001", "HH-002", "HH-003", "HH-004",
    /* the near-match rules of rules/near.ini (issue 16) */
    "DEC-101", "OFF-101", "ELI-103", "VEH-101", "BUS-101", "REL-101", "REL-105"};
const int gen_nplanted_rules = (int)(sizeof gen_planted_rules / sizeof gen_planted_rules[0]);

/* --- building blocks --------------------------------------------------------------------------- */
static int new_hh(gen *g, int cls, int village)
{
    int hh = gen_household_new(g, village < 0 ? gen_random_village(g) : village, cls);
    g->households.v[hh].planted = true;
    return hh;
}

static int add(gen *g, int hh, int relation, int sex, int lo, int hi)
{
    int p = gen_person_add(g, hh, relation, sex, lo, hi);
    g->persons.v[p].flags |= PF_PLANTED;
    return p;
}

static int single(gen *g, int cls, int lo, int hi)
{
    return add(g, new_hh(g, cls, -1), RL_HEAD, -1, lo, hi);
}

static int single_in(gen *g, int cls, int village, int lo, int hi)
{
    return add(g, new_hh(g, cls, village), RL_HEAD, -1, lo, hi);
}

static int rnd(gen *g, int lo, int hi)
{
    return gen_rng_int(&g->rng, lo, hi);
}

static gen_grant *once(gen *g, int p, int program, long amount, int m);

/* Day d of a random month of a random year in y0..y1 (draws in a fixed order: C leaves the order
 * of evaluation of arguments open, and the output must not depend on the compiler). */
static int some_day(gen *g, int y0, int y1, int d)
{
    int y = rnd(g, y0, y1);
    int m = rnd(g, 1, 12);
    return gen_day(y, m, d);
}

/* One-off aid of a random amount (lo..hi units) in a random month m0..m1. */
static gen_grant *once_random(gen *g, int p, int program, int lo, int hi, long unit, int m0, int m1)
{
    long amount = rnd(g, lo, hi) * unit;
    int m = rnd(g, m0, m1);
    return once(g, p, program, amount, m);
}

static int month(int m)
{
    return gen_period(GEN_YEAR, m);
}

static int day(int m, int d)
{
    return gen_day(GEN_YEAR, m, d);
}

static gen_grant *dibao(gen *g, int p, int first, int last)
{
    int tier = g->households.v[g->persons.v[p].household].dibao_tier;
    gen_grant *gr = gen_grant_monthly(g, p, PG_DIBAO, gen_dibao_amount(tier, GEN_P0), first, last);
    gr->amount2_fen = gen_dibao_amount(tier, GEN_P1);
    return gr;
}

static gen_grant *year(gen *g, int p, int program, long amount)
{
    if (program == PG_DIBAO)
        return dibao(g, p, GEN_P0, GEN_P1);
    return gen_grant_monthly(g, p, program, amount, GEN_P0, GEN_P1);
}

static gen_grant *once(gen *g, int p, int program, long amount, int m)
{
    static const int pay_day[PG_COUNT] = {[PG_LINSHI] = 22, [PG_YILIAO] = 24, [PG_WEIFANG] = 26, [PG_CHANYE] = 18};
    return gen_grant_once(g, p, program, amount, month(m), pay_day[program] ? pay_day[program] : 20);
}

static int elder(gen *g)
{
    return single(g, HC_GENERAL, 82, 88);
}

static void official(gen *g, int p, const char *kind, const char *employer, const char *position, int end)
{
    gen_official_add(g, p, kind, employer, position, some_day(g, 2010, 2020, 1), end);
}

static void cadre(gen *g, int p, int end)
{
    const gen_village *v = &g->villages[g->persons.v[p].village];
    char employer[64];
    snprintf(employer, sizeof employer, "%s%s村民委员会", v->township, v->name);
    official(g, p, "村干部", employer, gen_rng_chance(&g->rng, 500) ? "村委会主任" : "村党支部书记", end);
}

static void public_official(gen *g, int p)
{
    static const char *const employers[] = {"黄平县民政局", "黄平县财政局", "黄平县自然资源局", "黄平县水务局"};
    char employer[64];
    gen_county_text(g, g->persons.v[p].village, GEN_PICK(&g->rng, employers), employer);
    official(g, p, "公务员", employer, "科员", 0);
}

/* An official's household: the official heads it with a spouse (an ordinary general household). */
static int official_home(gen *g, int village)
{
    int hh = new_hh(g, HC_GENERAL, village);
    int head = add(g, hh, RL_HEAD, 1, 32, 52);
    add(g, hh, RL_SPOUSE, 0, 30, 50);
    return head;
}

static void truth(gen *g, int p, const char *rule)
{
    gen_truth_add(g, p, rule);
}

/* --- deceased ---------------------------------------------------------------------------------- */
static void plant_deceased(gen *g)
{
    /* DEC-001: dies in month M; 高龄津贴 paid for M+1 and M+2 into his own account */
    int p = elder(g), m = rnd(g, 3, 9);
    gen_death_add(g, p, day(m, rnd(g, 5, 25)));
    gen_grant_monthly(g, p, PG_GAOLING, 5000, GEN_P0, month(m + 2));
    truth(g, p, "DEC-001");

    /* DEC-002: dies in month M (Feb-Jun), paid to December: at least six periods after */
    p = elder(g);
    m = rnd(g, 2, 6);
    gen_death_add(g, p, day(m, rnd(g, 1, 28)));
    year(g, p, PG_GAOLING, 5000);
    truth(g, p, "DEC-001");
    truth(g, p, "DEC-002");

    /* DEC-003: the resident pension paid for two months after the death month */
    p = single(g, HC_GENERAL, 68, 78);
    m = rnd(g, 5, 9);
    gen_death_add(g, p, day(m, rnd(g, 1, 28)));
    gen_grant_monthly(g, p, PG_YANGLAO, rnd(g, 14000, 19000), GEN_P0, month(m + 2));
    truth(g, p, "DEC-001");
    truth(g, p, "DEC-003");

    /* DEC-004: died in Feb-Jul, payments stop, but persons still says 正常 */
    p = elder(g);
    m = rnd(g, 2, 7);
    g->persons.v[p].flags |= PF_OLD_STATUS;
    gen_death_add(g, p, day(m, rnd(g, 1, 28)));
    gen_grant_monthly(g, p, PG_GAOLING, 5000, GEN_P0, month(m));
    truth(g, p, "DEC-004");

    /* DEC-005: 临时救助 approved days after the death, paid for the death month itself */
    p = single(g, HC_TUOPIN, 55, 70);
    m = rnd(g, 3, 10);
    int died = day(m, rnd(g, 2, 8));
    gen_death_add(g, p, died);
    gen_grant *gr = once(g, p, PG_LINSHI, rnd(g, 5, 30) * 10000L, m);
    gr->approval = died + rnd(g, 4, 10);
    truth(g, p, "DEC-005");

    /* DEC-006: a 低保 household's mother dies; her 低保 goes on for two months into the head's
     * account (account name: the head) */
    int hh = new_hh(g, HC_DIBAO, -1);
    int head = add(g, hh, RL_HEAD, -1, 45, 55);
    add(g, hh, RL_SPOUSE, -1, 43, 55);
    int mother = add(g, hh, RL_MOTHER, 0, 72, 79);
    m = rnd(g, 3, 9);
    gen_death_add(g, mother, day(m, rnd(g, 1, 28)));
    year(g, head, PG_DIBAO, 0);
    year(g, head + 1, PG_DIBAO, 0);
    dibao(g, mother, GEN_P0, month(m + 2));
    truth(g, mother, "DEC-001");
    truth(g, mother, "DEC-006");
    /* paid for a dead member, the household's 低保 exceeds the standard times its living members */
    truth(g, head, "HH-002");
}

/* --- identity ---------------------------------------------------------------------------------- */
static void plant_identity(gen *g)
{
    /* IDN-001: a 临时救助 payee the registry does not know */
    int p = gen_person_add(g, -1, RL_HEAD, -1, 35, 60);
    g->persons.v[p].flags |= PF_PLANTED | PF_GHOST;
    g->registered--;
    once_random(g, p, PG_LINSHI, 5, 30, 10000L, 2, 11);
    truth(g, p, "IDN-001");

    /* IDN-002: the ledger spells the name with another last character */
    p = elder(g);
    gen_grant *gr = year(g, p, PG_GAOLING, 5000);
    const char *name = g->persons.v[p].name;
    size_t n = strlen(name);
    const char *swap = strcmp(name + n - 3, "芳") == 0 ? "方" : "芳";
    char **alt = GEN_PUSH(g->alt_names);
    *alt = fw_printf("%.*s%s", (int)(n - 3), name, swap);
    gr->name_person = g->alt_names.n - 1;
    truth(g, p, "IDN-002");

    /* IDN-003: a grown son listed in his parents' household and as the head of his own */
    int hh = new_hh(g, HC_GENERAL, -1);
    add(g, hh, RL_HEAD, 1, 58, 66);
    add(g, hh, RL_SPOUSE, 0, 56, 64);
    int son = add(g, hh, RL_SON, 1, 28, 34);
    int hh2 = new_hh(g, HC_GENERAL, g->persons.v[son].village);
    g->households.v[hh2].head = son;
    g->persons.v[son].household2 = hh2;
    g->persons.v[son].relation2 = RL_HEAD;
    add(g, hh2, RL_SPOUSE, 0, 25, 32);
    truth(g, son, "IDN-003");

    /* IDN-004: a baby born in mid-2023 whose 低保 runs from January */
    hh = new_hh(g, HC_DIBAO, -1);
    int head = add(g, hh, RL_HEAD, 1, 26, 34);
    add(g, hh, RL_SPOUSE, 0, 24, 32);
    int relation = gen_rng_chance(&g->rng, 500) ? RL_SON : RL_DAUGHTER;
    int born_month = rnd(g, 5, 8);
    int baby = gen_person_add_born(g, hh, relation, -1, day(born_month, rnd(g, 1, 28)));
    g->persons.v[baby].flags |= PF_PLANTED;
    year(g, head, PG_DIBAO, 0);
    year(g, head + 1, PG_DIBAO, 0);
    year(g, baby, PG_DIBAO, 0);
    truth(g, baby, "IDN-004");

    /* IDN-005: an ID whose province code 59 does not exist */
    p = single(g, HC_GENERAL, 65, 75);
    gen_id_make(g, &g->persons.v[p], "590102");
    year(g, p, PG_YANGLAO, rnd(g, 14000, 19000));
    truth(g, p, "IDN-005");
}

/* --- officials --------------------------------------------------------------------------------- */
static void plant_officials(gen *g)
{
    /* OFF-001: a public official in post draws 低保 himself */
    int o = official_home(g, -1);
    public_official(g, o);
    g->households.v[g->persons.v[o].household].dibao_tier = 2;
    year(g, o, PG_DIBAO, 0);
    truth(g, o, "OFF-001");

    /* OFF-002: a 医疗救助 recipient whose son, in the same household, is a teacher */
    int hh = new_hh(g, HC_TUOPIN, -1);
    int head = add(g, hh, RL_HEAD, 1, 60, 70);
    int son = add(g, hh, RL_SON, 1, 30, 40);
    char school[64];
    official(g, son, "事业单位人员", gen_county_text(g, g->persons.v[son].village, "黄平县第一中学", school), "教师", 0);
    once_random(g, head, PG_YILIAO, 50000, 400000, 1L, 2, 11);
    truth(g, head, "OFF-002");

    /* OFF-003: a public official in post receives 产业奖补 */
    o = official_home(g, -1);
    public_official(g, o);
    once_random(g, o, PG_CHANYE, 10, 50, 10000L, 3, 10);
    truth(g, o, "OFF-003");

    /* OFF-004: a retired civil servant with ¥3,200 a month on 低保 */
    int p = single(g, HC_DIBAO, 65, 75);
    int by, bm, bd;
    gen_ymd(g->persons.v[p].birth, &by, &bm, &bd);
    gen_pension_add(g, p, rnd(g, 300, 380) * 1000L, gen_day(by + 60, bm, 1));
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "OFF-004");

    /* OFF-005: a village cadre approves his own 公益岗位 wage */
    o = official_home(g, -1);
    cadre(g, o, 0);
    gen_grant *gr = year(g, o, PG_GONGYI, 70000);
    gr->approver = o;
    truth(g, o, "OFF-005");

    /* look-alike: a cadre who left in April 2023, on 低保 from June (approved in June) */
    o = official_home(g, -1);
    cadre(g, o, day(4, 30));
    gr = dibao(g, o, month(6), GEN_P1);
    gr->approval = day(6, 3);
}

/* --- relatives --------------------------------------------------------------------------------- */
static void plant_relatives(gen *g)
{
    /* REL-001: a cadre's brother, in his own household, on 低保 */
    int c = official_home(g, -1);
    cadre(g, c, 0);
    int v = g->persons.v[c].village;
    int hh = new_hh(g, HC_DIBAO, v);
    int r = add(g, hh, RL_HEAD, 1, 40, 55);
    int wife = add(g, hh, RL_SPOUSE, 0, 38, 55);
    year(g, r, PG_DIBAO, 0);
    year(g, wife, PG_DIBAO, 0);
    gen_relative_add(g, c, r, "兄弟");
    truth(g, r, "REL-001");

    /* REL-002: a township official approves 临时救助 for his father-in-law; a relative of a public
     * official on means-tested aid is REL-005 as well */
    int father_in_law = single(g, HC_TUOPIN, 62, 75);
    v = g->persons.v[father_in_law].village;
    int a = official_home(g, v);
    char employer[64];
    snprintf(employer, sizeof employer, "%s人民政府", g->villages[v].township);
    official(g, a, "公务员", employer, "民政专干", 0);
    gen_relative_add(g, a, father_in_law, "岳父");
    gen_grant *gr = once_random(g, father_in_law, PG_LINSHI, 5, 30, 10000L, 2, 11);
    gr->approver = a;
    truth(g, father_in_law, "REL-002");
    truth(g, father_in_law, "REL-005");

    /* REL-003: a cadre in post on 低保 himself (his wife is on the relatives register, unpaid) */
    c = official_home(g, -1);
    cadre(g, c, 0);
    gen_relative_add(g, c, c + 1, "配偶");
    year(g, c, PG_DIBAO, 0);
    truth(g, c, "REL-003");

    /* REL-004: a cadre whose father (临时救助) and sister (低保) both draw means-tested aid */
    c = official_home(g, -1);
    cadre(g, c, 0);
    v = g->persons.v[c].village;
    int father = single_in(g, HC_TUOPIN, v, 62, 80);
    int sister = single_in(g, HC_DIBAO, v, 30, 50);
    gen_relative_add(g, c, father, "父亲");
    gen_relative_add(g, c, sister, "姐妹");
    once_random(g, father, PG_LINSHI, 5, 30, 10000L, 2, 11);
    year(g, sister, PG_DIBAO, 0);
    truth(g, c, "REL-004");
    truth(g, father, "REL-001");
    truth(g, sister, "REL-001");

    /* REL-005: a county official's mother on 低保 in her own household */
    int o = official_home(g, -1);
    public_official(g, o);
    int mother = single_in(g, HC_DIBAO, g->persons.v[o].village, 60, 75);
    gen_relative_add(g, o, mother, "母亲");
    year(g, mother, PG_DIBAO, 0);
    truth(g, mother, "REL-005");

    /* look-alike: a cadre's cousin (堂兄, not a near relative) on 低保 */
    c = official_home(g, -1);
    cadre(g, c, 0);
    r = single_in(g, HC_DIBAO, g->persons.v[c].village, 40, 60);
    gen_relative_add(g, c, r, "堂兄");
    year(g, r, PG_DIBAO, 0);
}

/* --- business, vehicles, property -------------------------------------------------------------- */
static void plant_wealth(gen *g)
{
    /* BUS-001 / BUS-002: a 临时救助 recipient is the legal representative of a company */
    for (int big = 0; big < 2; big++) {
        int p = single(g, HC_TUOPIN, 35, 55);
        long long capital = big ? rnd(g, 100, 500) * 1000000LL : rnd(g, 10, 80) * 1000000LL;
        gen_business_add(g, p, 0, "法定代表人", capital, "存续", some_day(g, 2016, 2021, 10));
        once_random(g, p, PG_LINSHI, 5, 30, 10000L, 2, 11);
        truth(g, p, "BUS-001");
        if (big)
            truth(g, p, "BUS-002");
    }
    /* BUS-003: the son of a 医疗救助 recipient runs a shop */
    int hh = new_hh(g, HC_TUOPIN, -1);
    int head = add(g, hh, RL_HEAD, 1, 55, 65);
    int son = add(g, hh, RL_SON, 1, 28, 38);
    gen_business_add(g, son, 1, "经营者", -1, "存续", gen_day(2020, rnd(g, 1, 12), 8));
    once_random(g, head, PG_YILIAO, 50000, 400000, 1L, 2, 11);
    truth(g, head, "BUS-003");

    /* BUS-004: a 特困 person operates an individual business (credit code type 2) */
    int p = single(g, HC_TEKUN, 62, 75);
    gen_business_add(g, p, 1, "经营者", -1, "存续", some_day(g, 2015, 2021, 3));
    year(g, p, PG_TEKUN, 47000);
    truth(g, p, "BUS-001");
    truth(g, p, "BUS-004");

    /* VEH-001: a 临时救助 recipient owns a car */
    p = single(g, HC_TUOPIN, 35, 55);
    gen_vehicle_add(g, p, "小型轿车", some_day(g, 2018, 2021, 12));
    once_random(g, p, PG_LINSHI, 5, 30, 10000L, 2, 11);
    truth(g, p, "VEH-001");

    /* VEH-002: the son of a 医疗救助 recipient owns a light truck */
    hh = new_hh(g, HC_TUOPIN, -1);
    head = add(g, hh, RL_HEAD, 1, 55, 65);
    son = add(g, hh, RL_SON, 1, 28, 38);
    gen_vehicle_add(g, son, "轻型货车", gen_day(2019, rnd(g, 1, 12), 20));
    once_random(g, head, PG_YILIAO, 50000, 400000, 1L, 2, 11);
    truth(g, head, "VEH-002");

    /* VEH-003: a 低保 recipient registers a minibus in June 2023 */
    p = single(g, HC_DIBAO, 40, 55);
    gen_vehicle_add(g, p, "小型普通客车", day(6, 18));
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "VEH-001");
    truth(g, p, "VEH-003");

    /* PRO-001: a 低保 recipient bought a flat */
    p = single(g, HC_DIBAO, 45, 60);
    gen_property_add(g, p, "商品房", "住宅", gen_day(2021, rnd(g, 1, 12), 15));
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "PRO-001");

    /* PRO-002: a 低保 recipient with a village house and a resettlement flat */
    p = single(g, HC_DIBAO, 45, 60);
    gen_property_add(g, p, "自建房", "住宅", gen_day(2012, rnd(g, 1, 12), 15));
    gen_property_add(g, p, "安置房", "住宅", gen_day(2020, rnd(g, 1, 12), 15));
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "PRO-002");

    /* PRO-003: a 低保 recipient owns a shop front */
    p = single(g, HC_DIBAO, 45, 60);
    gen_property_add(g, p, "自建房", "商业", gen_day(2018, rnd(g, 1, 12), 15));
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "PRO-003");

    /* look-alikes: a deregistered company, a shop registered after the aid, vehicles that do not
     * count (one registered while on 低保), and a single resettlement flat */
    p = single(g, HC_DIBAO, 40, 60);
    gen_business_add(g, p, 0, "法定代表人", 30000000LL, "注销", gen_day(2015, 4, 1));
    year(g, p, PG_DIBAO, 0);
    p = single(g, HC_TUOPIN, 35, 55);
    gen_business_add(g, p, 1, "经营者", -1, "存续", day(11, 10));
    once(g, p, PG_LINSHI, rnd(g, 5, 30) * 10000L, 3);
    static const char *const uncounted[] = {"普通二轮摩托车", "拖拉机", "残疾人专用车", "三轮汽车", "低速货车"};
    p = single(g, HC_DIBAO, 40, 60);
    gen_vehicle_add(g, p, GEN_PICK(&g->rng, uncounted), day(5, 9));
    year(g, p, PG_DIBAO, 0);
    p = single(g, HC_DIBAO, 40, 60);
    gen_property_add(g, p, "安置房", "住宅", gen_day(2020, 6, 1));
    year(g, p, PG_DIBAO, 0);
}

/* --- duplicates and standards ------------------------------------------------------------------ */
static void plant_duplicates(gen *g)
{
    /* DUP-001: 高龄津贴 (¥50) paid twice for one month; the ¥100 total is still the standard */
    int p = elder(g), m = rnd(g, 1, 12);
    gen_grant *gr = year(g, p, PG_GAOLING, 5000);
    gen_extra_from(g, gr, month(m), day(m, 28), 5000);
    truth(g, p, "DUP-001");

    /* DUP-002: 低保 and 特困 for the same person all year */
    p = single(g, HC_DIBAO, 65, 75);
    year(g, p, PG_DIBAO, 0);
    year(g, p, PG_TEKUN, 47000);
    truth(g, p, "DUP-002");

    /* DUP-003: a retired worker (¥1,800) also on the resident pension */
    p = single(g, HC_GENERAL, 65, 72);
    int by, bm, bd;
    gen_ymd(g->persons.v[p].birth, &by, &bm, &bd);
    gen_pension_add(g, p, 180000, gen_day(by + 60, bm, 1));
    year(g, p, PG_YANGLAO, rnd(g, 14000, 19000));
    truth(g, p, "DUP-003");

    /* DUP-004: one month of 高龄津贴 also paid in 凯里市 (522601) */
    p = elder(g);
    m = rnd(g, 1, 12);
    gr = year(g, p, PG_GAOLING, 5000);
    gen_extra *e = gen_extra_from(g, gr, month(m), day(m, 21), 5000);
    e->region_override = "522601103201";
    truth(g, p, "DUP-001");
    truth(g, p, "DUP-004");

    /* DUP-005: 危房改造 in 2021 and again in 2023 */
    p = single(g, HC_TUOPIN, 50, 65);
    m = rnd(g, 3, 10);
    gr = once(g, p, PG_WEIFANG, rnd(g, 10, 30) * 100000L, m);
    e = gen_extra_from(g, gr, gen_period(2021, 6), gen_day(2021, 6, 26), rnd(g, 10, 25) * 100000L);
    e->approval = gen_day(2021, 6, 10);
    truth(g, p, "DUP-005");

    /* DUP-006: month M's row carries the payment id of month M-1's row */
    p = elder(g);
    gr = year(g, p, PG_GAOLING, 5000);
    gr->flags |= GF_REUSE_PID;
    gr->special = month(rnd(g, 2, 12));
    truth(g, p, "DUP-006");

    /* look-alike: a staff pension from July 2023; the resident pension stops in June */
    p = single(g, HC_GENERAL, 61, 64);
    gen_pension_add(g, p, 190000, day(7, 1));
    gen_grant_monthly(g, p, PG_YANGLAO, rnd(g, 14000, 19000), GEN_P0, month(6));

    /* STD-001: one month of the disability subsidy at ¥260 (the standard is ¥160) */
    p = single(g, HC_TUOPIN, 30, 55);
    g->persons.v[p].flags |= PF_DISABLED;
    gen_disability_add(g, p, "有效");
    m = rnd(g, 1, 12);
    gr = year(g, p, PG_CANJI, 16000);
    gr->skip |= 1u << (m - 1);
    gen_extra_from(g, gr, month(m), day(m, 15), 26000);
    truth(g, p, "STD-001"); /* a single payment: not STD-002, which needs two or more */

    /* STD-002: one month of 高龄津贴 split into two payments of ¥70 */
    p = elder(g);
    m = rnd(g, 1, 12);
    gr = year(g, p, PG_GAOLING, 5000);
    gr->skip |= 1u << (m - 1);
    gen_extra_from(g, gr, month(m), day(m, 20), 7000);
    gen_extra_from(g, gr, month(m), day(m, 27), 7000);
    truth(g, p, "STD-002");
    truth(g, p, "DUP-001");

    /* STD-003: a reversal for a month that was never paid */
    p = elder(g);
    m = rnd(g, 1, 12);
    gr = year(g, p, PG_GAOLING, 5000);
    gr->skip |= 1u << (m - 1);
    gen_extra_from(g, gr, month(m), day(m, 25), -5000);
    truth(g, p, "STD-003");

    /* look-alike: a payment reversed in the same month (the positive row exists) */
    p = elder(g);
    m = rnd(g, 1, 12);
    gr = year(g, p, PG_GAOLING, 5000);
    gen_extra_from(g, gr, month(m), day(m, 27), -5000);
}

/* --- eligibility ------------------------------------------------------------------------------- */
static void plant_eligibility(gen *g)
{
    /* ELI-001: 高龄津贴 at 76-78 */
    int p = single(g, HC_GENERAL, 76, 78);
    year(g, p, PG_GAOLING, 5000);
    truth(g, p, "ELI-001");

    /* ELI-002: the resident pension at 52-56 */
    p = single(g, HC_GENERAL, 52, 56);
    year(g, p, PG_YANGLAO, rnd(g, 13000, 16000));
    truth(g, p, "ELI-002");

    /* ELI-003: on 低保 while in custody from March to September */
    p = single(g, HC_DIBAO, 30, 45);
    gen_prisoner_add(g, p, day(3, 10), day(9, 20));
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "ELI-003");

    /* ELI-004: a pupil who left school in June still paid for the autumn term */
    int hh = new_hh(g, HC_TUOPIN, -1);
    add(g, hh, RL_HEAD, 1, 40, 50);
    int pupil = add(g, hh, RL_SON, 1, 15, 16);
    gen_student_add(g, pupil, day(6, 30));
    g->students.v[g->students.n - 1].status = "辍学";
    gen_grant *gr = year(g, pupil, PG_JIAOYU, 100000);
    gr->flags |= GF_TERMS;
    truth(g, pupil, "ELI-004");

    /* ELI-005: the disability subsidy with a cancelled certificate, or none */
    p = single(g, HC_TUOPIN, 40, 55);
    if (gen_rng_chance(&g->rng, 500))
        gen_disability_add(g, p, "注销");
    year(g, p, PG_CANJI, 16000);
    truth(g, p, "ELI-005");

    /* ELI-006: 教育资助 to a 30-year-old enrolled at the open university */
    p = single(g, HC_TUOPIN, 30, 34);
    gen_student *s = GEN_PUSH(g->students);
    s->person = p;
    s->school = "贵州开放大学";
    s->stage = "大学";
    s->status = "在读";
    s->start = gen_day(GEN_YEAR - 1, 9, 1);
    gr = year(g, p, PG_JIAOYU, 165000);
    gr->flags |= GF_TERMS;
    truth(g, p, "ELI-006");

    /* ELI-007: 特困 at 40-50 without a disability certificate */
    p = single(g, HC_TEKUN, 40, 50);
    year(g, p, PG_TEKUN, 47000);
    truth(g, p, "ELI-007");

    /* look-alikes: released in 2022; detained for two weeks inside one month */
    p = single(g, HC_DIBAO, 30, 45);
    gen_prisoner_add(g, p, gen_day(2021, 3, 1), gen_day(2022, 8, 31));
    year(g, p, PG_DIBAO, 0);
    p = single(g, HC_DIBAO, 30, 45);
    gen_prisoner_add(g, p, day(5, 3), day(5, 20));
    year(g, p, PG_DIBAO, 0);
}

/* --- timing ------------------------------------------------------------------------------------ */
static void plant_timing(gen *g)
{
    /* TIM-001: moved away in month M, the resident pension goes on */
    int p = single(g, HC_GENERAL, 65, 75);
    int m = rnd(g, 3, 8);
    g->persons.v[p].status = ST_MOVED;
    g->persons.v[p].status_date = day(m, 10);
    year(g, p, PG_YANGLAO, rnd(g, 14000, 19000));
    truth(g, p, "TIM-001");

    /* TIM-002: 低保 paid from month M, approved three months later */
    p = single(g, HC_DIBAO, 40, 60);
    m = rnd(g, 3, 6);
    gen_grant *gr = dibao(g, p, month(m), GEN_P1);
    gr->approval = day(m + 3, 15);
    truth(g, p, "TIM-002");

    /* TIM-003: one pension month paid eight months late, or three months early */
    p = single(g, HC_GENERAL, 65, 75);
    gr = year(g, p, PG_YANGLAO, rnd(g, 14000, 19000));
    if (gen_rng_chance(&g->rng, 500)) {
        m = rnd(g, 1, 4);
        gr->skip |= 1u << (m - 1);
        gen_extra_from(g, gr, month(m), day(m + 8, 20), gr->amount_fen);
    } else {
        gr->skip |= 1u << 11;
        gen_extra_from(g, gr, month(12), day(9, 15), gr->amount_fen);
    }
    truth(g, p, "TIM-003");

    /* TIM-004: January to August of 低保 paid at once in September (also eight months late) */
    p = single(g, HC_DIBAO, 40, 60);
    gr = year(g, p, PG_DIBAO, 0);
    gr->approval = gen_day(GEN_YEAR - 1, 12, 15);
    gr->backpay_last = month(8);
    gr->backpay_date = day(9, 20);
    truth(g, p, "TIM-004");
    truth(g, p, "TIM-003");

    /* look-alike: died in early December, persons not yet updated (within DEC-004's grace), paid
     * for December, the death month */
    p = elder(g);
    g->persons.v[p].flags |= PF_OLD_STATUS;
    gen_death_add(g, p, day(12, 5));
    year(g, p, PG_GAOLING, 5000);
}

/* --- accounts and households ------------------------------------------------------------------- */
static void plant_accounts(gen *g)
{
    /* ACC-001: three old people of three households paid into the first one's card; the hit is
     * about the account, so truth names its holder only */
    int r1 = elder(g), v = g->persons.v[r1].village;
    int acct = gen_account_of_person(g, r1);
    year(g, r1, PG_GAOLING, 5000);
    truth(g, r1, "ACC-001");
    for (int k = 0; k < 2; k++) {
        int r = single_in(g, HC_GENERAL, v, 82, 88);
        year(g, r, PG_GAOLING, 5000)->account = acct;
        truth(g, r, "ACC-002");
    }

    /* ACC-002: the resident pension paid into a neighbour's account */
    int p = single(g, HC_GENERAL, 65, 75);
    int neighbour = single_in(g, HC_GENERAL, g->persons.v[p].village, 35, 55);
    /* (separate statements: both sides of one assignment may open accounts, in either order) */
    gen_grant *paid = year(g, p, PG_YANGLAO, rnd(g, 14000, 19000));
    paid->account = gen_account_of_person(g, neighbour);
    truth(g, p, "ACC-002");

    /* ACC-003: 低保 paid into the account of the village's cadre */
    int c = official_home(g, -1);
    cadre(g, c, 0);
    p = single_in(g, HC_DIBAO, g->persons.v[c].village, 45, 65);
    paid = year(g, p, PG_DIBAO, 0);
    paid->account = gen_account_of_person(g, c);
    truth(g, p, "ACC-003");
    truth(g, p, "ACC-002");

    /* HH-001: a 低保 household whose grown son (not covered) owns a car and runs a shop */
    int hh = new_hh(g, HC_DIBAO, -1);
    int head = add(g, hh, RL_HEAD, 1, 55, 65);
    add(g, hh, RL_SPOUSE, 0, 53, 63);
    int son = add(g, hh, RL_SON, 1, 28, 38);
    gen_vehicle_add(g, son, "小型轿车", gen_day(2021, rnd(g, 1, 12), 6));
    gen_business_add(g, son, 1, "经营者", -1, "存续", gen_day(2020, rnd(g, 1, 12), 6));
    year(g, head, PG_DIBAO, 0);
    truth(g, head, "HH-001");
    truth(g, head, "VEH-002");
    truth(g, head, "BUS-003");

    /* HH-002: a one-person 低保 household paid twice for one month */
    p = single(g, HC_DIBAO, 50, 70);
    g->households.v[g->persons.v[p].household].dibao_tier = 0;
    int m = rnd(g, 1, 12);
    gen_grant *gr = year(g, p, PG_DIBAO, 0);
    gen_extra_from(g, gr, month(m), day(m, 26), gen_dibao_amount(0, month(m)));
    truth(g, p, "HH-002");
    truth(g, p, "DUP-001");
    truth(g, p, "STD-002");

    /* HH-003: a 低保 household of a wife whose husband, the head, is not in the registry */
    hh = new_hh(g, HC_DIBAO, -1);
    p = add(g, hh, RL_SPOUSE, 0, 40, 60);
    g->households.v[hh].head = p; /* the account holder; persons shows no 户主 */
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "HH-003");

    /* HH-004: a father split off as a one-person 低保 household, paid into his son's household card */
    hh = new_hh(g, HC_DIBAO, -1);
    head = add(g, hh, RL_HEAD, 1, 40, 50);
    add(g, hh, RL_SPOUSE, 0, 38, 50);
    year(g, head, PG_DIBAO, 0);
    year(g, head + 1, PG_DIBAO, 0);
    int father = single_in(g, HC_DIBAO, g->persons.v[head].village, 70, 79);
    paid = year(g, father, PG_DIBAO, 0);
    paid->account = gen_account_of_household(g, hh);
    truth(g, father, "HH-004");
    truth(g, father, "ACC-002");
}

/* --- near matches (issue 16, rules/near.ini) --------------------------------------------------- */
/* Registries disagree with the persons registry: an ID mistyped (one digit, two neighbours swapped,
 * the check character), a name written in traditional characters or as a homophone, a relatives
 * register giving only the relative's name, village and birth month. Each case is written so that
 * the exact rule cannot join it and its near rule must; look-alikes (near-lookalikes.list) must be
 * left alone. The character tables below only make test names: the rules read the keys OpenCC and
 * ICU compute at import, never these. */
static const char *const trad_pairs[][2] = {
    {"陈", "陳"}, {"刘", "劉"}, {"张", "張"}, {"杨", "楊"}, {"赵", "趙"}, {"黄", "黃"}, {"吴", "吳"}, {"孙", "孫"},
    {"罗", "羅"}, {"龙", "龍"}, {"韦", "韋"}, {"邓", "鄧"}, {"蒋", "蔣"}, {"谢", "謝"}, {"卢", "盧"}, {"马", "馬"},
    {"伟", "偉"}, {"强", "強"}, {"军", "軍"}, {"华", "華"}, {"国", "國"}, {"涛", "濤"}, {"刚", "剛"}, {"辉", "輝"},
    {"鹏", "鵬"}, {"杰", "傑"}, {"飞", "飛"}, {"云", "雲"}, {"贵", "貴"}, {"学", "學"}, {"荣", "榮"}, {"顺", "順"},
    {"发", "發"}, {"泽", "澤"}, {"丽", "麗"}, {"兰", "蘭"}, {"静", "靜"}, {"红", "紅"}, {"艳", "艷"}, {"凤", "鳳"},
    {"娇", "嬌"}, {"银", "銀"}, {"欧", "歐"}, {"阳", "陽"}, {"宋", "宋"}};
static const char *const homophone_pairs[][2] = {
    {"伟", "玮"}, {"军", "君"}, {"勇", "永"}, {"明", "铭"}, {"华", "桦"}, {"建", "健"}, {"国", "果"}, {"平", "萍"},
    {"志", "智"}, {"文", "雯"}, {"林", "琳"}, {"涛", "滔"}, {"斌", "彬"}, {"刚", "钢"}, {"辉", "晖"}, {"杰", "洁"},
    {"云", "芸"}, {"福", "富"}, {"贵", "桂"}, {"忠", "中"}, {"学", "雪"}, {"永", "勇"}, {"新", "欣"}, {"荣", "蓉"},
    {"富", "福"}, {"祥", "翔"}, {"洪", "红"}, {"芳", "方"}, {"丽", "莉"}, {"英", "瑛"}, {"秀", "绣"}, {"兰", "岚"},
    {"梅", "玫"}, {"霞", "侠"}, {"燕", "艳"}, {"琴", "勤"}, {"娟", "鹃"}, {"静", "婧"}, {"玲", "铃"}, {"桂", "贵"},
    {"花", "华"}, {"红", "宏"}, {"艳", "燕"}, {"萍", "平"}, {"婷", "亭"}, {"雪", "学"}, {"慧", "惠"}, {"莉", "丽"},
    {"珍", "贞"}, {"翠", "萃"}, {"仙", "先"}, {"春", "椿"}, {"月", "悦"}, {"琳", "林"}, {"佳", "家"}, {"欣", "新"},
    {"娇", "姣"}, {"芬", "纷"}, {"香", "湘"}, {"才", "财"}, {"成", "诚"}, {"兵", "冰"}, {"飞", "菲"}, {"光", "广"}};

/* The bytes of the UTF-8 character at s. */
static int char_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* name rewritten with pairs[*][0] -> pairs[*][1]: every character (all = true) or the first one of
 * the given name that has a pair. Returns whether anything changed. */
static bool respell(const char *name, const char *const (*pairs)[2], int npairs, bool all, char out[40])
{
    size_t w = 0;
    bool changed = false;
    for (const char *c = name; *c;) {
        int n = char_len(c);
        const char *to = NULL;
        if ((all || (!changed && c != name)) && n > 1)
            for (int k = 0; k < npairs && !to; k++)
                if ((int)strlen(pairs[k][0]) == n && memcmp(c, pairs[k][0], (size_t)n) == 0)
                    to = pairs[k][1];
        const char *from = to ? to : c;
        size_t len = to ? strlen(to) : (size_t)n;
        if (w + len < 40) {
            memcpy(out + w, from, len);
            w += len;
        }
        changed |= to != NULL && strcmp(to, "宋") != 0;
        c += n;
    }
    out[w] = 0;
    return changed;
}

#define NPAIRS(t) ((int)(sizeof t / sizeof t[0]))

static void traditional(const char *name, char out[40])
{
    respell(name, trad_pairs, NPAIRS(trad_pairs), true, out);
}

/* A homophone of name (one character of the given name); the traditional spelling when none. */
static bool homophone(const char *name, char out[40])
{
    if (respell(name, homophone_pairs, NPAIRS(homophone_pairs), false, out))
        return true;
    traditional(name, out);
    return false;
}

/* id with one typing error that keeps the birth date: kind 0 a sequence digit (15 or 16) changed,
 * 1 two sequence neighbours swapped, 2 the check character, 3 a digit of the region code. Every
 * such change breaks the check (GB 11643's weights are all non-zero mod 11 and differ between
 * neighbours), so the importer keeps the row flagged as invalid-ID. */
static void mistype(gen *g, const char *id, int kind, char out[19])
{
    memcpy(out, id, 19);
    int pos = kind == 3 ? rnd(g, 2, 5) : rnd(g, 14, 15);
    if (kind == 1 && id[pos] != id[pos + 1]) {
        out[pos] = id[pos + 1];
        out[pos + 1] = id[pos];
        return;
    }
    if (kind == 2) {
        static const char checks[] = "0123456789X";
        int k = rnd(g, 1, 10);
        const char *at = strchr(checks, id[17]);
        out[17] = checks[((at ? at - checks : 0) + k) % 11];
        return;
    }
    out[pos] = (char)('0' + (id[pos] - '0' + rnd(g, 1, 9)) % 10);
}

/* The birth year or month as a register writes it: 1975, 1975-03 or 1975年3月. */
static void birth_words(gen *g, int birth, char out[16])
{
    int y, m, d;
    gen_ymd(birth, &y, &m, &d);
    int form = rnd(g, 0, 2);
    if (form == 0)
        snprintf(out, 16, "%d", y);
    else if (form == 1)
        snprintf(out, 16, "%d-%02d", y, m);
    else
        snprintf(out, 16, "%d年%d月", y, m);
}

static gen_relative *name_only(gen *g, int official, int relative, const char *relation, const char *name, int birth)
{
    gen_relative_add(g, official, relative, relation);
    gen_relative *r = &g->relatives.v[g->relatives.n - 1];
    r->name_only = true;
    snprintf(r->name_as, sizeof r->name_as, "%s", name);
    if (birth)
        birth_words(g, birth, r->birth_as);
    return r;
}

static void lookalike(gen *g, int p, const char *kind)
{
    gen_truth *t = GEN_PUSH(g->lookalikes);
    t->person = p;
    t->rule = kind;
}

static void plant_near(gen *g)
{
    /* DEC-101: the death registry has the ID with a sequence digit wrong and the name in traditional
     * characters; persons still lists him alive, 高龄津贴 goes on for two months */
    int p = elder(g), m = rnd(g, 3, 9);
    gen_death *d = GEN_PUSH(g->deaths);
    d->person = p;
    d->date = day(m, rnd(g, 5, 25));
    d->source = "殡葬火化";
    mistype(g, g->persons.v[p].id, rnd(g, 0, 2), d->id_as);
    traditional(g->persons.v[p].name, d->name_as);
    gen_grant_monthly(g, p, PG_GAOLING, 5000, GEN_P0, month(m + 2));
    truth(g, p, "DEC-101");

    /* OFF-101: a public official on 低保; the officials list has his ID mistyped, his name in
     * traditional characters (his name is unique, as every official's) */
    int o = official_home(g, -1);
    public_official(g, o);
    gen_official *off = &g->officials.v[g->officials.n - 1];
    mistype(g, g->persons.v[o].id, rnd(g, 0, 3), off->id_as);
    traditional(g->persons.v[o].name, off->name_as);
    g->households.v[g->persons.v[o].household].dibao_tier = 2;
    year(g, o, PG_DIBAO, 0);
    truth(g, o, "OFF-101");

    /* ELI-103: on 低保 while in custody; the custody list has two digits of the ID swapped */
    p = single(g, HC_DIBAO, 30, 45);
    gen_prisoner_add(g, p, day(3, 10), day(9, 20));
    gen_prisoner *pr = &g->prisoners.v[g->prisoners.n - 1];
    mistype(g, g->persons.v[p].id, 1, pr->id_as);
    year(g, p, PG_DIBAO, 0);
    truth(g, p, "ELI-103");

    /* VEH-101: 临时救助 to the owner of a car whose registration has a homophone of his name and
     * the check character wrong */
    p = single(g, HC_TUOPIN, 35, 55);
    gen_vehicle *v = gen_vehicle_add(g, p, "小型轿车", some_day(g, 2018, 2021, 12));
    mistype(g, g->persons.v[p].id, 2, v->id_as);
    homophone(g->persons.v[p].name, v->name_as);
    once_random(g, p, PG_LINSHI, 5, 30, 10000L, 2, 11);
    truth(g, p, "VEH-101");

    /* BUS-101: 临时救助 to a company's legal representative registered with a region digit wrong */
    p = single(g, HC_TUOPIN, 35, 55);
    gen_business *b = gen_business_add(g, p, 0, "法定代表人", rnd(g, 10, 80) * 1000000LL, "存续",
                                       some_day(g, 2016, 2021, 10));
    mistype(g, g->persons.v[p].id, 3, b->id_as);
    once_random(g, p, PG_LINSHI, 5, 30, 10000L, 2, 11);
    truth(g, p, "BUS-101");

    /* REL-101: a cadre's 姐妹 and 兄弟 on 低保 in his village, on the register by name, village and
     * birth month only: one in traditional characters, one as a homophone */
    int c = official_home(g, -1);
    cadre(g, c, 0);
    int vil = g->persons.v[c].village;
    char as[40];
    for (int k = 0; k < 2; k++) {
        int r = add(g, new_hh(g, HC_DIBAO, vil), RL_HEAD, k, 35, 60);
        year(g, r, PG_DIBAO, 0);
        if (k == 0)
            traditional(g->persons.v[r].name, as);
        else
            homophone(g->persons.v[r].name, as);
        name_only(g, c, r, k ? "兄弟" : "姐妹", as, g->persons.v[r].birth);
        truth(g, r, "REL-101");
    }

    /* REL-105: a county official's 母亲 on 低保 in his village, registered by name only */
    o = official_home(g, -1);
    public_official(g, o);
    int mother = add(g, new_hh(g, HC_DIBAO, g->persons.v[o].village), RL_HEAD, 0, 62, 75);
    year(g, mother, PG_DIBAO, 0);
    traditional(g->persons.v[mother].name, as);
    name_only(g, o, mother, "母亲", as, g->persons.v[mother].birth);
    truth(g, mother, "REL-105");

    /* look-alike: a common name twice in the cadre's village (and once elsewhere), both on 低保;
     * the register names a 姐妹 of that name without a birth month, so it cannot tell them apart */
    c = official_home(g, -1);
    cadre(g, c, 0);
    vil = g->persons.v[c].village;
    int same[3];
    bool named = true;
    for (int k = 0; k < 3; k++) {
        same[k] = add(g, new_hh(g, HC_DIBAO, k < 2 ? vil : -1), RL_HEAD, 0, 30, 70);
        if (k > 0)
            named = gen_name_set(g, same[k], g->persons.v[same[0]].name) && named;
        if (k < 2)
            year(g, same[k], PG_DIBAO, 0);
    }
    if (named) { /* else (an official's name) the register row is left out: it would name one */
        name_only(g, c, same[0], "姐妹", g->persons.v[same[0]].name, 0);
        lookalike(g, same[0], "common_name");
        lookalike(g, same[1], "common_name");
    }

    /* look-alike: a sibling's number one typing error away; the vehicle registry row (a car) has
     * the brother's name (not paid) and the check character of the sibling (on 临时救助) */
    int hh = new_hh(g, HC_GENERAL, -1);
    int sib = add(g, hh, RL_HEAD, 1, 35, 50);
    int bro = add(g, hh, RL_BROTHER, 1, 35, 50);
    gen_name_unique(g, bro); /* never the sibling's own name */
    v = gen_vehicle_add(g, bro, "小型轿车", some_day(g, 2018, 2021, 12));
    mistype(g, g->persons.v[sib].id, 0, v->id_as);
    once_random(g, sib, PG_LINSHI, 5, 30, 10000L, 2, 11);
    lookalike(g, sib, "sibling_id");

    /* look-alike: the register's 兄弟 of a cadre, by name, village and birth year; a man of a
     * homophone name born that year lives in another village and is on 低保 */
    c = official_home(g, -1);
    cadre(g, c, 0);
    vil = g->persons.v[c].village;
    int other = vil;
    while (other == vil && g->nvillages > 1)
        other = gen_random_village(g);
    int h = add(g, new_hh(g, HC_DIBAO, other), RL_HEAD, 1, 35, 60);
    year(g, h, PG_DIBAO, 0);
    if (homophone(g->persons.v[h].name, as)) {
        gen_relative *r = name_only(g, c, h, "兄弟", as, g->persons.v[h].birth);
        r->relative = c; /* the village written is the cadre's, not the man's */
        lookalike(g, h, "homophone_elsewhere");
    }
}

void gen_plant_all(gen *g)
{
    for (int k = 0; k < g->per_rule; k++) {
        plant_deceased(g);
        plant_identity(g);
        plant_officials(g);
        plant_relatives(g);
        plant_wealth(g);
        plant_duplicates(g);
        plant_eligibility(g);
        plant_timing(g);
        plant_accounts(g);
        plant_near(g);
    }
}

/* --- across counties (a province: gen --counties N) -------------------------------------------- */
/* Each rule of rules/cross_county.ini sees a county as the first 6 digits of a region code; the
 * cases below put a person's registry (persons, officials) in county A and a payment in county B.
 * Payments in another county carry a village of that county and its approvers. */

/* Two (or three) distinct counties, drawn in a fixed order. */
static void other_counties(gen *g, int *a, int *b, int *c)
{
    int n = g->ncounties;
    *a = rnd(g, 0, n - 1);
    *b = (*a + rnd(g, 1, n - 1)) % n;
    if (c) {
        *c = *a;
        if (n >= 3)
            while (*c == *a || *c == *b)
                *c = rnd(g, 0, n - 1);
    }
}

/* Makes county `county` pay the grant: its rows carry one of its villages and its approver. */
static void paid_by(gen *g, gen_grant *gr, int county)
{
    int v = gen_random_village_in(g, county);
    gr->pay_village = v + 1;
    if (gen_program_means_tested(gr->program) && gr->program != PG_WEIFANG)
        gr->approver = g->township_approver[g->villages[v].township_index];
    else
        gr->approver = g->county_approver[county][gr->program];
}

static int elder_in(gen *g, int county)
{
    return single_in(g, HC_GENERAL, gen_random_village_in(g, county), 82, 88);
}

void gen_plant_cross_county(gen *g)
{
    for (int k = 0; k < g->per_rule; k++) {
        int a, b, c;
        /* XC-001: 高龄津贴 from home all year, and one month also from county B (as DUP-004, but
         * both counties are the workspace's) */
        other_counties(g, &a, &b, NULL);
        int p = elder_in(g, a), m = rnd(g, 1, 12);
        gen_grant *gr = year(g, p, PG_GAOLING, 5000);
        gen_extra *e = gen_extra_from(g, gr, month(m), day(m, 21), 5000);
        e->village = gen_random_village_in(g, b);
        e->approver = g->county_approver[b][PG_GAOLING];
        truth(g, p, "XC-001");
        truth(g, p, "DUP-004");
        truth(g, p, "DUP-001");
        /* look-alike: the resident pension from home, 高龄津贴 from county B (two programs) */
        other_counties(g, &a, &b, NULL);
        p = elder_in(g, a);
        year(g, p, PG_YANGLAO, rnd(g, 14000, 19000));
        paid_by(g, year(g, p, PG_GAOLING, 5000), b);

        /* XC-002: a village cadre of county A whose brother heads a 低保 household in county B */
        other_counties(g, &a, &b, NULL);
        int cad = official_home(g, gen_random_village_in(g, a));
        cadre(g, cad, 0);
        int hh = new_hh(g, HC_DIBAO, gen_random_village_in(g, b));
        int r = add(g, hh, RL_HEAD, 1, 40, 55);
        int wife = add(g, hh, RL_SPOUSE, 0, 38, 55);
        year(g, r, PG_DIBAO, 0);
        year(g, wife, PG_DIBAO, 0);
        gen_relative_add(g, cad, r, "兄弟");
        truth(g, r, "XC-002");
        truth(g, r, "REL-001");
        /* look-alike: a cadre of county A whose cousin (堂兄, not a near relative) is on 低保 in B */
        other_counties(g, &a, &b, NULL);
        cad = official_home(g, gen_random_village_in(g, a));
        cadre(g, cad, 0);
        r = single_in(g, HC_DIBAO, gen_random_village_in(g, b), 40, 60);
        year(g, r, PG_DIBAO, 0);
        gen_relative_add(g, cad, r, "堂兄");

        /* XC-003: old people of three counties paid into the first one's card (needs three) */
        if (g->ncounties >= 3) {
            other_counties(g, &a, &b, &c);
            int holder = elder_in(g, a);
            int acct = gen_account_of_person(g, holder);
            year(g, holder, PG_GAOLING, 5000);
            truth(g, holder, "XC-003");
            truth(g, holder, "ACC-001");
            int from[2] = {b, c};
            for (int i = 0; i < 2; i++) {
                r = elder_in(g, from[i]);
                year(g, r, PG_GAOLING, 5000)->account = acct;
                truth(g, r, "ACC-002");
            }
        }
        /* look-alike: one card for payees of two counties (below the three counties) */
        other_counties(g, &a, &b, NULL);
        int holder = elder_in(g, a);
        int acct = gen_account_of_person(g, holder);
        year(g, holder, PG_GAOLING, 5000);
        r = elder_in(g, b);
        year(g, r, PG_GAOLING, 5000)->account = acct;
        truth(g, r, "ACC-002");

        /* XC-004: registered in county A, dies in M; county B pays his 高龄津贴 for M+1, M+2 */
        other_counties(g, &a, &b, NULL);
        p = elder_in(g, a);
        m = rnd(g, 3, 9);
        gen_death_add(g, p, day(m, rnd(g, 5, 25)));
        paid_by(g, gen_grant_monthly(g, p, PG_GAOLING, 5000, GEN_P0, month(m + 2)), b);
        truth(g, p, "XC-004");
        truth(g, p, "DEC-001");
        /* look-alike: the same, county B stopping after the death month */
        other_counties(g, &a, &b, NULL);
        p = elder_in(g, a);
        m = rnd(g, 3, 9);
        gen_death_add(g, p, day(m, rnd(g, 5, 25)));
        paid_by(g, gen_grant_monthly(g, p, PG_GAOLING, 5000, GEN_P0, month(m)), b);
    }
}
