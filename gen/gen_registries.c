/* gen_registries.c: the registries the ledgers are compared with: deaths, officials and village
 * cadres with their relatives, businesses, vehicles, properties, custody, enrolment, disability
 * certificates and staff pensions. For the clean population they are drawn so that nobody who
 * receives a means-tested payment owns wealth or sits in an official's household (the planted
 * cases in gen_plant.c break exactly that). */
#include <string.h>

#include "gen/gen_model.h"

/* --- adding rows ------------------------------------------------------------------------------- */
gen_official *gen_official_add(gen *g, int person, const char *kind, const char *employer, const char *position,
                               int start, int end)
{
    gen_official *o = GEN_PUSH(g->officials);
    gen_person *p = &g->persons.v[person];
    o->person = person;
    o->kind = kind;
    snprintf(o->employer, sizeof o->employer, "%s", employer);
    o->position = position;
    o->start = start;
    o->end = end;
    if (strcmp(kind, "村干部") == 0)
        snprintf(o->region, sizeof o->region, "%s", g->villages[p->village].code);
    else if (strstr(employer, "人民政府"))
        snprintf(o->region, sizeof o->region, "%.9s", g->villages[p->village].code);
    else
        snprintf(o->region, sizeof o->region, "%s", gen_county_code(g, p->village));
    p->flags |= PF_OFFICIAL;
    if (p->household >= 0)
        g->households.v[p->household].official = true;
    gen_name_reserve(g, person);
    return o;
}

void gen_relative_add(gen *g, int official, int relative, const char *relation)
{
    gen_relative *r = GEN_PUSH(g->relatives);
    r->official = official;
    r->relative = relative;
    r->relation = relation;
}

static const char *const shop_kinds[] = {"百货店", "农家乐", "五金店", "小吃店", "农资店", "养殖场", "汽修店", "服装店"};
static const char *const firm_words[] = {"兴黔", "苗岭", "舞阳", "飞云", "浪洞", "金谷", "源丰", "鑫盛", "恒达", "惠农"};
static const char *const firm_trades[] = {"农业开发", "建材", "商贸", "生态养殖", "茶业", "运输", "建筑工程", "食品"};
static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* individual: 1 = 个体工商户 (credit code type 2), 2 = 农民专业合作社 (type 3), 0 = company (type 1). */
gen_business *gen_business_add(gen *g, int owner, int individual, const char *role, long long capital,
                               const char *status, int reg_date)
{
    gen_business *b = GEN_PUSH(g->businesses);
    gen_person *p = &g->persons.v[owner];
    const gen_village *v = &g->villages[p->village];
    b->owner = owner;
    b->role = role;
    b->capital_fen = capital;
    b->status = status;
    b->reg_date = reg_date;
    const char *shop = GEN_PICK(&g->rng, shop_kinds);
    const char *word = GEN_PICK(&g->rng, firm_words);
    const char *trade = GEN_PICK(&g->rng, firm_trades);
    const char *county = gen_county_name(g, p->village);
    if (individual == 1)
        snprintf(b->name, sizeof b->name, "%s%s%s%s", county, v->township, p->name, shop);
    else if (individual == 2)
        snprintf(b->name, sizeof b->name, "%s%s%s种养殖农民专业合作社", county, v->township, v->name);
    else
        snprintf(b->name, sizeof b->name, "%s%s%s有限公司", county, word, trade);
    char code[19];
    code[0] = '9';
    code[1] = individual == 1 ? '2' : individual == 2 ? '3' : '1';
    memcpy(code + 2, gen_county_code(g, p->village), 6);
    for (int i = 8; i < 17; i++)
        code[i] = credit_chars[gen_rng_int(&g->rng, 0, 30)];
    code[17] = fw_gen_credit_check(code);
    code[18] = '\0';
    memcpy(b->credit, code, 19);
    return b;
}

gen_vehicle *gen_vehicle_add(gen *g, int owner, const char *type, int reg_date)
{
    static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    gen_vehicle *v = GEN_PUSH(g->vehicles);
    v->owner = owner;
    v->type = type;
    v->reg_date = reg_date;
    v->status = "正常";
    int seq = g->plate_seq++ * 7919 + 1234; /* 7919 is coprime to 24 * 10000: plates never repeat */
    seq %= 240000;
    snprintf(v->plate, sizeof v->plate, "贵H%c%04d", letters[seq / 10000], seq % 10000);
    return v;
}

static const char *const streets[] = {"舞阳路", "府后街", "环城西路", "民族路", "新民街", "且兰大道"};
static const char *const estates[] = {"阳光花园", "且兰国际", "舞阳新城", "金科世界城", "御景湾"};

gen_property *gen_property_add(gen *g, int owner, const char *kind, const char *usage, int reg_date)
{
    gen_property *pr = GEN_PUSH(g->properties);
    gen_person *p = &g->persons.v[owner];
    const gen_village *v = &g->villages[p->village];
    gen_rng *r = &g->rng;
    pr->owner = owner;
    pr->kind = kind;
    pr->usage = usage;
    pr->reg_date = reg_date;
    /* every draw in its own statement: argument evaluation order is up to the compiler */
    int x[6];
    for (int k = 0; k < 6; k++)
        x[k] = gen_rng_int(r, 1, 400);
    const char *street = GEN_PICK(r, streets), *estate = GEN_PICK(r, estates);
    /* the county seat: 新州镇 in 黄平县, the first township elsewhere */
    const char *county = gen_county_name(g, p->village);
    const char *seat = g->villages[p->village].county == 0 ? "新州镇"
                                                           : gen_counties[g->villages[p->village].county].towns[0];
    char town_seat[64];
    snprintf(town_seat, sizeof town_seat, "%s%s", county, seat);
    if (strcmp(usage, "住宅") != 0) {
        snprintf(pr->address, sizeof pr->address, "%s%s%d号门面", town_seat, street, x[0] % 300 + 1);
        pr->area_dm2 = gen_rng_int(r, 2500, 12000);
    } else if (strstr(kind, "商品房")) {
        snprintf(pr->address, sizeof pr->address, "%s%s%d号%s%d栋%d单元%d室",
                 x[1] % 5 < 2 ? "凯里市" : town_seat, street, x[0], estate, x[2] % 20 + 1, x[3] % 4 + 1,
                 (x[4] % 28 + 1) * 100 + x[5] % 4 + 1);
        pr->area_dm2 = gen_rng_int(r, 7000, 14500);
    } else if (strstr(kind, "安置房")) {
        snprintf(pr->address, sizeof pr->address, "%s易地扶贫搬迁安置区%d栋%d单元%d室", town_seat,
                 x[0] % 30 + 1, x[1] % 3 + 1, (x[2] % 9 + 1) * 100 + x[3] % 4 + 1);
        pr->area_dm2 = gen_rng_int(r, 4000, 10000);
    } else {
        snprintf(pr->address, sizeof pr->address, "%s%s%s%d组%d号", county, v->township, v->name,
                 x[0] % 12 + 1, x[1] % 80 + 1);
        pr->area_dm2 = gen_rng_int(r, 6000, 22000);
    }
    pr->area_dm2 -= pr->area_dm2 % 10; /* one decimal, as deeds print it */
    return pr;
}

static const char *const disability_kinds[] = {"视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"};
static const char *const disability_grades[] = {"一级", "二级", "三级", "四级"};

gen_disability *gen_disability_add(gen *g, int person, const char *status)
{
    gen_disability *d = GEN_PUSH(g->disabilities);
    gen_person *p = &g->persons.v[person];
    d->person = person;
    d->kind = GEN_PICK(&g->rng, disability_kinds);
    d->grade = (p->flags & PF_DISABLED) ? disability_grades[gen_rng_int(&g->rng, 0, 1)]
                                        : GEN_PICK(&g->rng, disability_grades);
    d->status = status;
    int lo = p->birth + 3 * 365 > gen_day(2010, 1, 1) ? p->birth + 3 * 365 : gen_day(2010, 1, 1);
    d->issue = gen_rng_int(&g->rng, lo, gen_day(2022, 10, 31));
    return d;
}

const char *gen_stage_for_age(int age)
{
    return age < 6 ? "学前" : age < 12 ? "小学" : age < 15 ? "初中" : age < 18 ? "高中" : "大学";
}

/* Enrols a person from the start of the current stage; end 0 = still enrolled. */
void gen_student_add(gen *g, int person, int end)
{
    gen_person *p = &g->persons.v[person];
    const gen_village *v = &g->villages[p->village];
    int age = gen_age_on(p->birth, gen_day(GEN_YEAR, 1, 1));
    gen_student *s = GEN_PUSH(g->students);
    s->person = person;
    s->stage = gen_stage_for_age(age);
    static char const *const colleges[] = {"贵州大学", "凯里学院", "黔东南民族职业技术学院", "贵州师范大学"};
    static char const *const highs[] = {"黄平县第一中学", "黄平民族中学"};
    int stage_start_age = age < 6 ? 3 : age < 12 ? 6 : age < 15 ? 12 : age < 18 ? 15 : 18;
    int by, bm, bd;
    gen_ymd(p->birth, &by, &bm, &bd);
    s->start = gen_day(by + stage_start_age + (bm >= 9), 9, 1);
    if (s->start > gen_day(GEN_YEAR - 1, 9, 1))
        s->start = gen_day(GEN_YEAR - 1, 9, 1);
    s->end = end;
    s->status = end ? "毕业" : "在读";
    if (strcmp(s->stage, "大学") == 0)
        s->school = GEN_PICK(&g->rng, colleges);
    else if (strcmp(s->stage, "高中") == 0) {
        /* the county's high schools (黄平县第一中学, 施秉县第一中学, ...), named once per county */
        const char *high = GEN_PICK(&g->rng, highs);
        int k = high == highs[0] ? 0 : 1;
        char *name = g->high_school_names[v->county][k];
        if (!name[0]) {
            if (v->county == 0)
                snprintf(name, sizeof g->high_school_names[0][0], "%s", high);
            else
                snprintf(name, sizeof g->high_school_names[0][0], "%s%s", gen_county_name(g, p->village),
                         k == 0 ? "第一中学" : "民族中学");
        }
        s->school = name;
    } else {
        /* a township school: the name is built once per (township, stage) and kept in a table */
        static const char *const suffix[] = {"中心幼儿园", "中心小学", "中学"};
        int t = v->township_index, k = age < 6 ? 0 : age < 12 ? 1 : 2;
        char *name = g->school_names[t][k];
        if (!name[0])
            snprintf(name, sizeof g->school_names[t][k], "%s%s%s", gen_county_name(g, p->village), v->township,
                     suffix[k]);
        s->school = name;
    }
    p->flags |= PF_STUDENT;
}

void gen_pension_add(gen *g, int person, long monthly_fen, int start)
{
    gen_pension *pn = GEN_PUSH(g->pensions);
    pn->person = person;
    pn->kind = monthly_fen >= 300000 ? "机关事业单位退休" : "企业职工退休";
    pn->monthly_fen = monthly_fen;
    pn->start = start;
    g->persons.v[person].flags |= PF_PENSIONER;
}

void gen_death_add(gen *g, int person, int day)
{
    static const char *const sources[] = {"公安户籍注销", "殡葬火化", "卫健死亡医学证明"};
    gen_death *d = GEN_PUSH(g->deaths);
    gen_person *p = &g->persons.v[person];
    d->person = person;
    d->date = day;
    d->source = GEN_PICK(&g->rng, sources);
    p->death = day;
    if (!(p->flags & PF_OLD_STATUS)) {
        p->status = ST_DEAD;
        p->status_date = day;
    }
}

void gen_prisoner_add(gen *g, int person, int start, int end)
{
    gen_prisoner *pr = GEN_PUSH(g->prisoners);
    pr->person = person;
    pr->start = start;
    pr->end = end;
}

/* --- officials --------------------------------------------------------------------------------- */
static const char *const bureaus[] = {"黄平县财政局", "黄平县公安局", "黄平县自然资源局", "黄平县卫生健康局",
                                      "黄平县市场监督管理局", "黄平县人民医院", "黄平县第一中学"};

/* An official heads a new household of the general class; his household's members become his
 * relatives in relatives.csv, as the 亲属备案 register lists them. */
static int official_household(gen *g, int village, const char *kind, const char *employer, const char *position,
                              bool register_relatives)
{
    int hh = gen_family_new(g, village, HC_GENERAL, 28, 56);
    gen_household *h = &g->households.v[hh];
    h->wealthy = gen_rng_chance(&g->rng, 500);
    int person = h->head;
    int start_year = gen_rng_int(&g->rng, 2005, 2021);
    int start = gen_day(start_year, gen_rng_int(&g->rng, 1, 12), 1);
    gen_official_add(g, person, kind, employer, position, start, 0);
    if (register_relatives) {
        for (int i = person + 1; i < g->persons.n && g->persons.v[i].household == hh; i++) {
            static const char *const from_head[RL_COUNT] = {
                [RL_SPOUSE] = "配偶", [RL_SON] = "儿子", [RL_DAUGHTER] = "女儿", [RL_FATHER] = "父亲",
                [RL_MOTHER] = "母亲", [RL_GRANDSON] = "孙子", [RL_GRANDDAUGHTER] = "孙女"};
            const char *rel = from_head[g->persons.v[i].relation];
            if (rel)
                gen_relative_add(g, person, i, rel);
        }
    }
    return person;
}

void gen_officials_build(gen *g)
{
    char employer[64];
    g->township_approver = fw_calloc((size_t)g->ntownships, sizeof *g->township_approver);
    /* civil affairs staff of each township: the approvers of means-tested aid */
    for (int t = 0; t < g->ntownships; t++) {
        /* villages are laid out county by county, township by township */
        int village = t / g->townships_per_county * g->villages_per_county + t % g->townships_per_county;
        snprintf(employer, sizeof employer, "%s人民政府", g->villages[village].township);
        g->township_approver[t] = official_household(g, village, "公务员", employer, "民政办主任", true);
        official_household(g, village, "公务员", employer, "副镇长", true);
    }
    /* county bureaus approving the other programs */
    static const struct { int program; const char *employer, *position; } county[] = {
        {PG_GAOLING, "黄平县民政局", "社会救助股股长"},
        {PG_YANGLAO, "黄平县人力资源和社会保障局", "城乡居民养老保险中心主任"},
        {PG_CANJI, "黄平县残疾人联合会", "康复部部长"},
        {PG_JIAOYU, "黄平县教育局", "学生资助中心主任"},
        {PG_CHANYE, "黄平县农业农村局", "产业发展股股长"},
        {PG_GONGYI, "黄平县乡村振兴局", "科员"},
        {PG_WEIFANG, "黄平县住房和城乡建设局", "村镇建设股股长"},
    };
    g->county_approver = fw_calloc((size_t)g->ncounties, sizeof *g->county_approver);
    for (int c = 0; c < g->ncounties; c++) {
        for (size_t i = 0; i < sizeof county / sizeof county[0]; i++) {
            int village = gen_random_village_in(g, c);
            gen_county_text(g, village, county[i].employer, employer);
            g->county_approver[c][county[i].program] =
                official_household(g, village, "公务员", employer, county[i].position, true);
        }
    }
    /* other public officials and staff of public institutions: about 1 in 150 residents */
    long others = g->target_persons / 150;
    for (long i = 0; i < others; i++) {
        const char *employer_name = GEN_PICK(&g->rng, bureaus);
        bool institution = strstr(employer_name, "医院") || strstr(employer_name, "中学");
        int village = gen_random_village(g);
        official_household(g, village, institution ? "事业单位人员" : "公务员",
                           gen_county_text(g, village, employer_name, employer),
                           institution ? (strstr(employer_name, "医院") ? "医生" : "教师") : "科员", true);
    }
    /* three cadres in every village committee */
    static const char *const cadre_posts[] = {"村党支部书记", "村委会主任", "村会计"};
    for (int v = 0; v < g->nvillages; v++) {
        snprintf(employer, sizeof employer, "%s%s村民委员会", g->villages[v].township, g->villages[v].name);
        for (int k = 0; k < 3; k++)
            official_household(g, v, "村干部", employer, cadre_posts[k], true);
    }
}

/* --- the clean population's registry rows ------------------------------------------------------ */
static bool is_clean(const gen *g, int i)
{
    const gen_person *p = &g->persons.v[i];
    return !(p->flags & (PF_PLANTED | PF_GHOST)) && (p->household < 0 || !g->households.v[p->household].planted);
}

static bool poor(const gen *g, int hh)
{
    return hh >= 0 && g->households.v[hh].cls != HC_GENERAL;
}

static int random_day(gen *g, int y0, int y1)
{
    return gen_rng_int(&g->rng, gen_day(y0, 1, 1), gen_day(y1, 12, 31));
}

/* Deaths, moves and cancellations. Officials stay alive and in post. */
static void build_statuses(gen *g)
{
    int jan1 = gen_day(GEN_YEAR, 1, 1);
    int oldest_for_newest = -1;
    for (int i = 0; i < g->persons.n; i++) {
        gen_person *p = &g->persons.v[i];
        if (!is_clean(g, i) || (p->flags & PF_OFFICIAL))
            continue;
        int age = gen_age_on(p->birth, jan1);
        int per_mille = age >= 80 ? 80 : age >= 70 ? 30 : age >= 60 ? 10 : 1;
        if (gen_rng_chance(&g->rng, per_mille * 2)) {
            int y = gen_rng_chance(&g->rng, 500) ? GEN_YEAR - 1 : GEN_YEAR;
            int day = random_day(g, y, y);
            if (day > gen_day(GEN_YEAR, 12, 20))
                day = gen_day(GEN_YEAR, 12, 20);
            gen_death_add(g, i, day);
            continue;
        }
        if (age >= 80 && oldest_for_newest < 0)
            oldest_for_newest = i;
        if (age >= 18 && age < 60 && gen_rng_chance(&g->rng, 6)) {
            p->status = ST_MOVED; /* moved away: paid up to and including the month of the move */
            p->status_date = random_day(g, GEN_YEAR - 1, GEN_YEAR);
        } else if (gen_rng_chance(&g->rng, 1)) {
            p->status = ST_CANCELLED;
            p->status_date = random_day(g, GEN_YEAR - 2, GEN_YEAR - 1);
        }
    }
    /* the newest death of the data: late December, so that older deaths are past DEC-004's grace */
    if (oldest_for_newest >= 0)
        gen_death_add(g, oldest_for_newest, gen_day(GEN_YEAR, 12, 27));
    /* a few death records of people the county registry does not hold */
    for (long k = 0; k < g->target_persons / 500 + 1; k++) {
        int p = gen_person_add(g, -1, RL_HEAD, -1, 50, 90);
        g->persons.v[p].flags |= PF_GHOST;
        g->registered--;
        gen_death_add(g, p, random_day(g, GEN_YEAR - 1, GEN_YEAR - 1));
    }
}

static const char *const counted_types[] = {"小型轿车", "小型轿车", "小型普通客车", "轻型货车"};
static const char *const farm_types[] = {"普通二轮摩托车", "普通二轮摩托车", "普通二轮摩托车", "三轮汽车", "拖拉机",
                                         "低速货车"};

static void build_household_assets(gen *g, int hh)
{
    gen_household *h = &g->households.v[hh];
    int head = h->head;
    gen_rng *r = &g->rng;
    /* the family home */
    /* (each draw in its own statement: argument evaluation order is up to the compiler) */
    if (gen_rng_chance(r, 700)) {
        const char *kind = poor(g, hh) && gen_rng_chance(r, 100) ? "安置房" : "自建房";
        gen_property_add(g, head, kind, "住宅", random_day(g, 2012, 2022));
    }
    if (gen_rng_chance(r, 250)) {
        const char *type = GEN_PICK(r, farm_types);
        gen_vehicle_add(g, head, type, random_day(g, 2010, 2022));
    }
    if (!h->wealthy) {
        /* a business given up long ago does not count */
        if (gen_rng_chance(r, 20)) {
            const char *status = gen_rng_chance(r, 500) ? "注销" : "吊销";
            gen_business_add(g, head, 1, "经营者", -1, status, random_day(g, 2008, 2015));
        }
        return;
    }
    int spouse = head + 1 < g->persons.n && g->persons.v[head + 1].household == hh &&
                         g->persons.v[head + 1].relation == RL_SPOUSE ? head + 1 : head;
    if (gen_rng_chance(r, 600)) {
        int owner = gen_rng_chance(r, 800) ? head : spouse;
        const char *type = GEN_PICK(r, counted_types);
        gen_vehicle_add(g, owner, type, random_day(g, 2012, 2023));
    }
    if (gen_rng_chance(r, 150)) {
        const char *type = GEN_PICK(r, counted_types);
        gen_vehicle_add(g, head, type, random_day(g, 2015, 2023));
    }
    if (gen_rng_chance(r, 400)) {
        int owner = gen_rng_chance(r, 700) ? head : spouse;
        gen_property_add(g, owner, "商品房", "住宅", random_day(g, 2014, 2023));
    }
    if (gen_rng_chance(r, 100))
        gen_property_add(g, head, "商品房", "商业", random_day(g, 2016, 2023));
    if (gen_rng_chance(r, 250)) {
        int owner = gen_rng_chance(r, 600) ? head : spouse;
        if (gen_rng_chance(r, 700)) {
            long long capital = gen_rng_int(r, 1, 30) * 1000000LL;
            gen_business_add(g, owner, 1, "经营者", capital, "存续", random_day(g, 2012, 2022));
        } else {
            const char *role = gen_rng_chance(r, 600) ? "法定代表人" : "股东";
            long long capital = gen_rng_int(r, 1, 50) * 10000000LL;
            gen_business_add(g, owner, 0, role, capital, "存续", random_day(g, 2010, 2022));
        }
    }
}

static void build_person_registries(gen *g, int i)
{
    gen_person *p = &g->persons.v[i];
    gen_rng *r = &g->rng;
    int jan1 = gen_day(GEN_YEAR, 1, 1);
    int age = gen_age_on(p->birth, jan1);
    bool alive = p->death == 0 || p->death >= jan1;
    bool general = p->household >= 0 && g->households.v[p->household].cls == HC_GENERAL;
    if ((p->flags & PF_DISABLED) || (age >= 5 && gen_rng_chance(r, 50)))
        gen_disability_add(g, i, "有效");
    else if (age >= 5 && gen_rng_chance(r, 3))
        gen_disability_add(g, i, "注销"); /* cancelled long ago; such people are not paid */
    int birth_year = GEN_YEAR - 1 - age;
    if (alive && p->status == ST_ACTIVE && birth_year >= 2000 && birth_year <= 2018 &&
        gen_rng_chance(r, birth_year >= 2005 ? 960 : 500)) {
        /* the oldest students graduate in June */
        gen_student_add(g, i, birth_year <= 2001 ? gen_day(GEN_YEAR, 6, 30) : 0);
    }
    if (general && !(p->flags & PF_OFFICIAL) && age >= 61 && gen_rng_chance(r, 150)) {
        int by, bm, bd;
        gen_ymd(p->birth, &by, &bm, &bd);
        long monthly = gen_rng_chance(r, 600) ? gen_rng_int(r, 1800, 3500) * 100L : gen_rng_int(r, 3000, 6500) * 100L;
        gen_pension_add(g, i, monthly, gen_day(by + (p->sex ? 60 : 55), bm, 1));
    }
    if (general && !(p->flags & PF_OFFICIAL) && age >= 20 && age <= 50 && alive && gen_rng_chance(r, 3)) {
        int start = random_day(g, 2019, GEN_YEAR - 1);
        int end = gen_rng_chance(r, 500) ? 0 : gen_day(GEN_YEAR + 2, gen_rng_int(r, 1, 12), 15);
        gen_prisoner_add(g, i, start, end);
        p->flags |= PF_CUSTODY;
    }
}

void gen_registries_build(gen *g)
{
    build_statuses(g);
    for (int hh = 0; hh < g->households.n; hh++)
        if (!g->households.v[hh].planted)
            build_household_assets(g, hh);
    for (int i = 0; i < g->persons.n; i++)
        if (is_clean(g, i))
            build_person_registries(g, i);
}
