/* gen_population.c: the people of the generated county: its townships and villages, households
 * with a head and members, Chinese names (a few minority names with the middle dot), resident ID
 * numbers that agree with birth date and sex, and bank accounts. */
#include <stdlib.h>
#include <string.h>

#include "gen/gen_model.h"
#include "audit/normalize.h"

/* --- places: 黄平县 (522622) of 黔东南州; village codes are made up below real township codes --- */
static const struct {
    const char *name, *code;
    const char *villages[9];
} townships[] = {
    {"新州镇", "522622100", {"东门村", "塘都村", "望坝村", "马场村", "上坝村", "岩门村", "新华村", "兴隆村", "黄猫村"}},
    {"旧州镇", "522622101", {"寨勇村", "西街村", "朱家山村", "寨碧村", "水牛塘村", "大坪村", "山凯村", "老寨村", "冷水村"}},
    {"重安镇", "522622102", {"重兴村", "黄猫坡村", "枫香村", "大寨村", "小寨村", "龙井村", "马头村", "白堡村", "双河村"}},
    {"谷陇镇", "522622103", {"谷陇村", "大寨村", "岩英村", "乌骆村", "平山村", "翁勇村", "甲高村", "龙场村", "半坡村"}},
    {"平溪镇", "522622104", {"平溪村", "龙塘村", "冷水村", "白果村", "杉木村", "大坡村", "羊角村", "中寨村", "坪上村"}},
    {"野洞河镇", "522622105", {"野洞河村", "高寨村", "新寨村", "复兴村", "凉水村", "青山村", "桥头村", "沙坝村", "金竹村"}},
    {"一碗水乡", "522622200", {"一碗水村", "松坡村", "大塘村", "两路村", "新民村", "岩脚村", "河坝村", "杨柳村", "竹林村"}},
};
enum { NTOWNSHIPS = sizeof townships / sizeof townships[0] };

/* The province's counties: 黔东南州's, by code, 黄平县 first (the single county of old) and 凯里市
 * (522601) left out: it stays the county outside the workspace where DUP-004 plants its second
 * payment. Township names are real; township and village codes are made up below the county's. */
const gen_county gen_counties[] = {
    {"522622", "黄平县", {0}}, /* its townships and villages: the table above */
    {"522623", "施秉县", {"城关镇", "杨柳塘镇", "双井镇", "牛大场镇", "马号镇", "甘溪乡", "马溪乡"}},
    {"522624", "三穗县", {"八弓镇", "台烈镇", "瓦寨镇", "桐林镇", "雪洞镇", "长吉镇", "款场乡"}},
    {"522625", "镇远县", {"舞阳镇", "蕉溪镇", "青溪镇", "羊场镇", "都坪镇", "金堡镇", "江古镇"}},
    {"522626", "岑巩县", {"思旸镇", "水尾镇", "天马镇", "龙田镇", "大有镇", "注溪镇", "客楼镇"}},
    {"522627", "天柱县", {"凤城镇", "邦洞镇", "坪地镇", "兰田镇", "瓮洞镇", "高酿镇", "石洞镇"}},
    {"522628", "锦屏县", {"三江镇", "茅坪镇", "敦寨镇", "启蒙镇", "平秋镇", "铜鼓镇", "平略镇"}},
    {"522629", "剑河县", {"革东镇", "岑松镇", "柳川镇", "南加镇", "南明镇", "南哨镇", "太拥镇"}},
    {"522630", "台江县", {"台拱镇", "施洞镇", "南宫镇", "革一镇", "排羊乡", "台盘乡", "老屯乡"}},
    {"522631", "黎平县", {"德凤镇", "高屯镇", "中潮镇", "孟彦镇", "敖市镇", "九潮镇", "岩洞镇"}},
    {"522632", "榕江县", {"古州镇", "忠诚镇", "寨蒿镇", "平永镇", "乐里镇", "朗洞镇", "栽麻镇"}},
    {"522633", "从江县", {"丙妹镇", "贯洞镇", "洛香镇", "下江镇", "宰便镇", "西山镇", "停洞镇"}},
    {"522634", "雷山县", {"丹江镇", "西江镇", "永乐镇", "郎德镇", "大塘镇", "望丰乡", "达地水族乡"}},
};
_Static_assert(sizeof gen_counties / sizeof gen_counties[0] == FW_GEN_MAX_COUNTIES, "gen.h's county count");

/* Village names of the other counties (made up, as common as such names are). */
static const char *const other_villages[3][9] = {
    {"中寨村", "新寨村", "高坡村", "岩寨村", "大坪村", "龙塘村", "坝子村", "新民村", "平寨村"},
    {"上寨村", "下寨村", "河边村", "杉木村", "白岩村", "青山村", "田坝村", "长坡村", "红星村"},
    {"老寨村", "石桥村", "水井村", "坡脚村", "团结村", "龙井村", "桐木村", "岩脚村", "塘边村"}};

/* Township t of county c: its name, and its 9-digit code (镇 numbered from 100, 乡 from 200). */
static const char *township_of(int c, int t, char code[16])
{
    if (c == 0) {
        snprintf(code, 16, "%s", townships[t].code);
        return townships[t].name;
    }
    const char *const *towns = gen_counties[c].towns;
    int zhen = 0, xiang = 0;
    for (int i = 0; i < t; i++)
        if (strstr(towns[i], "乡"))
            xiang++;
        else
            zhen++;
    snprintf(code, 16, "%s%d", gen_counties[c].code, strstr(towns[t], "乡") ? 200 + xiang : 100 + zhen);
    return towns[t];
}

void gen_places_init(gen *g)
{
    /* About one village per 250 persons of a county: 8 villages for the demo, 60 for a whole county. */
    int nc = g->ncounties > 0 ? g->ncounties : 1;
    int n = (int)(g->target_persons / nc / 250);
    n = n < 8 ? 8 : n > 60 ? 60 : n;
    int ntown = n < 14 ? 3 : NTOWNSHIPS;
    g->ncounties = nc;
    g->villages = fw_calloc((size_t)n * (size_t)nc, sizeof *g->villages);
    g->nvillages = n * nc;
    g->villages_per_county = n;
    g->townships_per_county = ntown;
    g->ntownships = ntown * nc;
    g->school_names = fw_calloc((size_t)g->ntownships, sizeof *g->school_names);
    g->high_school_names = fw_calloc((size_t)nc, sizeof *g->high_school_names);
    for (int c = 0; c < nc; c++) {
        for (int i = 0; i < n; i++) {
            int t = i % ntown, k = i / ntown;
            gen_village *v = &g->villages[c * n + i];
            char code[16];
            v->county = c;
            v->township_index = c * ntown + t;
            v->township = township_of(c, t, code);
            v->name = c == 0 ? townships[t].villages[k % 9] : other_villages[(c + t) % 3][k % 9];
            snprintf(v->code, sizeof v->code, "%.9s2%02u", code, (unsigned)k % 99u + 1u); /* k < 20 */
        }
    }
}

int gen_random_village(gen *g)
{
    return gen_rng_int(&g->rng, 0, g->nvillages - 1);
}

int gen_random_village_in(gen *g, int county)
{
    return county * g->villages_per_county + gen_rng_int(&g->rng, 0, g->villages_per_county - 1);
}

const char *gen_county_text(const gen *g, int village, const char *text, char out[64])
{
    static const char own[] = GEN_COUNTY_NAME;
    if (strncmp(text, own, sizeof own - 1) == 0)
        snprintf(out, 64, "%s%s", gen_county_name(g, village), text + sizeof own - 1);
    else
        snprintf(out, 64, "%s", text);
    return out;
}

/* --- names ------------------------------------------------------------------------------------- */
/* Weighted by repetition: the national top ten plus surnames common among Guizhou's Miao and Dong. */
static const char *const surnames[] = {
    "王", "王", "李", "李", "张", "张", "刘", "陈", "陈", "杨", "杨", "杨", "赵", "黄", "周", "吴", "吴", "吴",
    "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "罗", "龙", "龙", "潘", "潘", "石", "韦", "田",
    "邓", "唐", "蒋", "彭", "谢", "文", "欧阳", "宋", "袁", "姚", "卢", "金", "曾", "熊"};
static const char *const male_chars[] = {
    "伟", "强", "军", "勇", "明", "华", "建", "国", "平", "志", "文", "林", "海", "波", "涛", "斌", "刚",
    "辉", "鹏", "超", "浩", "宇", "俊", "杰", "龙", "飞", "成", "兵", "云", "德", "福", "贵", "金", "才",
    "忠", "学", "光", "永", "新", "荣", "顺", "昌", "富", "发", "生", "祥", "洪", "江", "山", "泽"};
static const char *const female_chars[] = {
    "芳", "丽", "英", "秀", "兰", "梅", "霞", "燕", "琴", "娟", "敏", "静", "玲", "桂", "花", "红", "艳",
    "萍", "丹", "婷", "雪", "慧", "莉", "珍", "凤", "翠", "菊", "仙", "妹", "春", "月", "琳", "佳", "欣",
    "美", "娇", "素", "芬", "香", "银"};
/* Uyghur names (given·father's), for spouses who came from Xinjiang. */
static const char *const minority_names_f[] = {"阿依古丽·买买提", "古丽娜尔·艾买提", "热依拉·阿不都",
                                               "帕提古丽·吐尔逊", "迪丽努尔·艾力"};
static const char *const minority_names_m[] = {"艾力·吐尔逊", "买买提·依明", "努尔兰·哈力木",
                                               "阿卜杜拉·热合曼", "艾克拜尔·买买提"};

/* The set of names in use, with counts: officials get a name no one else has, so that an account
 * name can never match an official by chance (ACC-003). */
typedef struct gen_nameset {
    struct slot { char name[40]; int count; bool reserved; } *slots;
    size_t cap, used;
} gen_nameset;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct slot *nameset_find(gen_nameset *s, const char *name)
{
    size_t i = fnv1a(name) & (s->cap - 1);
    while (s->slots[i].name[0] && strcmp(s->slots[i].name, name) != 0)
        i = (i + 1) & (s->cap - 1);
    return &s->slots[i];
}

static void nameset_add(gen *g, const char *name, int delta)
{
    gen_nameset *s = g->names;
    if (!s) {
        s = g->names = fw_calloc(1, sizeof *s);
        s->cap = 1024;
        s->slots = fw_calloc(s->cap, sizeof *s->slots);
    }
    if (s->used * 2 >= s->cap) {
        struct slot *old = s->slots;
        size_t oldcap = s->cap;
        s->cap *= 2;
        s->slots = fw_calloc(s->cap, sizeof *s->slots);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].name[0])
                *nameset_find(s, old[i].name) = old[i];
        free(old);
    }
    struct slot *sl = nameset_find(s, name);
    if (!sl->name[0]) {
        snprintf(sl->name, sizeof sl->name, "%s", name);
        s->used++;
    }
    sl->count += delta;
}

static int nameset_count(gen *g, const char *name)
{
    return g->names ? nameset_find(g->names, name)->count : 0;
}

/* A reserved name (an official's) is never given to anyone born later in the run. */
static bool nameset_reserved(gen *g, const char *name)
{
    return g->names && nameset_find(g->names, name)->reserved;
}

bool gen_name_set(gen *g, int person, const char *name)
{
    if (nameset_reserved(g, name))
        return false;
    gen_person *p = &g->persons.v[person];
    nameset_add(g, p->name, -1);
    snprintf(p->name, sizeof p->name, "%s", name);
    nameset_add(g, p->name, 1);
    return true;
}

int gen_name_count(gen *g, const char *name)
{
    return nameset_count(g, name);
}

void gen_nameset_free(gen_nameset *s)
{
    if (s)
        free(s->slots);
    free(s);
}

static void compose_name(gen *g, const char *surname, int sex, int given_len, char out[40])
{
    gen_rng *r = &g->rng;
    const char *a = sex ? GEN_PICK(r, male_chars) : GEN_PICK(r, female_chars);
    const char *b = given_len > 1 ? (sex ? GEN_PICK(r, male_chars) : GEN_PICK(r, female_chars)) : "";
    const char *c = given_len > 2 ? GEN_PICK(r, male_chars) : "";
    snprintf(out, 40, "%s%s%s%s", surname, a, b, c);
}

static const char *surname_of(const char *name)
{
    return strncmp(name, "欧阳", strlen("欧阳")) == 0 ? "欧阳" : NULL;
}

/* The surname of a person: the first character, or 欧阳. Written into out. */
static void person_surname(const gen_person *p, char out[16])
{
    const char *two = surname_of(p->name);
    if (two) {
        snprintf(out, 16, "%s", two);
        return;
    }
    size_t n = 1;
    while (p->name[n] && ((unsigned char)p->name[n] & 0xC0) == 0x80)
        n++;
    snprintf(out, 16, "%.*s", (int)n, p->name);
}

void gen_name_unique(gen *g, int person)
{
    gen_person *p = &g->persons.v[person];
    if (nameset_count(g, p->name) <= 1 && !nameset_reserved(g, p->name))
        return;
    char surname[16], name[40];
    person_surname(p, surname);
    for (int tries = 0;; tries++) {
        compose_name(g, surname, p->sex, tries < 50 ? 2 : 3, name);
        if (nameset_count(g, name) == 0)
            break;
    }
    nameset_add(g, p->name, -1);
    snprintf(p->name, sizeof p->name, "%s", name);
    nameset_add(g, p->name, 1);
}

void gen_name_reserve(gen *g, int person)
{
    gen_name_unique(g, person);
    nameset_find(g->names, g->persons.v[person].name)->reserved = true;
}

/* --- ID numbers -------------------------------------------------------------------------------- */
typedef struct gen_idset {
    uint64_t *slots; /* 17-digit prefixes + 1 (0 = empty) */
    size_t cap, used;
} gen_idset;

static bool idset_insert(gen *g, uint64_t key)
{
    gen_idset *s = g->ids;
    if (!s) {
        s = g->ids = fw_calloc(1, sizeof *s);
        s->cap = 4096;
        s->slots = fw_calloc(s->cap, sizeof *s->slots);
    }
    if (s->used * 2 >= s->cap) {
        uint64_t *old = s->slots;
        size_t oldcap = s->cap;
        s->cap *= 2;
        s->slots = fw_calloc(s->cap, sizeof *s->slots);
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i])
                continue;
            size_t j = (old[i] * 0x9e3779b97f4a7c15ULL >> 20) & (s->cap - 1);
            while (s->slots[j])
                j = (j + 1) & (s->cap - 1);
            s->slots[j] = old[i];
        }
        free(old);
    }
    key += 1;
    size_t j = (key * 0x9e3779b97f4a7c15ULL >> 20) & (s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == key)
            return false;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = key;
    s->used++;
    return true;
}

void gen_idset_free(gen_idset *s)
{
    if (s)
        free(s->slots);
    free(s);
}

/* Region codes of first registration: mostly the county itself, some elsewhere in Guizhou, a few
 * from neighbouring provinces (spouses who married in). */
static const char *const guizhou_codes[] = {"520102", "520103", "520111", "520112", "520113", "520121",
                                            "520122", "520123", "520181", "522301", "522601", "522701"};
static const char *const other_codes[] = {"430521", "431202", "500101", "510502", "530381", "450321"};

static const char *random_region(gen *g, int village)
{
    int x = gen_rng_int(&g->rng, 0, 99);
    if (x < 85)
        return gen_county_code(g, village);
    if (x < 95)
        return GEN_PICK(&g->rng, guizhou_codes);
    return GEN_PICK(&g->rng, other_codes);
}

void gen_id_make(gen *g, gen_person *p, const char *region6)
{
    int y, m, d;
    gen_ymd(p->birth, &y, &m, &d);
    for (;;) {
        int seq = gen_rng_int(&g->rng, 0, 499) * 2 + (p->sex ? 1 : 0); /* odd 17th digit = male */
        char first17[18];
        snprintf(first17, sizeof first17, "%.6s%04d%02d%02d%03d", region6, y, m, d, seq);
        if (!idset_insert(g, strtoull(first17, NULL, 10)))
            continue;
        memcpy(p->id, first17, 17);
        p->id[17] = fw_id_check_char(first17);
        p->id[18] = '\0';
        return;
    }
}

/* --- households and persons -------------------------------------------------------------------- */
int gen_household_new(gen *g, int village, int cls)
{
    gen_household *h = GEN_PUSH(g->households);
    h->head = -1;
    h->village = village;
    h->account = -1;
    h->cls = (uint8_t)cls;
    h->dibao_tier = (uint8_t)gen_rng_int(&g->rng, 0, 2);
    return g->households.n - 1;
}

static int relation_sex(int relation)
{
    switch (relation) {
    case RL_SON: case RL_FATHER: case RL_GRANDSON: case RL_BROTHER:
        return 1;
    case RL_DAUGHTER: case RL_MOTHER: case RL_DAUGHTER_IN_LAW: case RL_GRANDDAUGHTER: case RL_SISTER:
        return 0;
    default:
        return -1;
    }
}

static bool takes_head_surname(int relation)
{
    return relation == RL_SON || relation == RL_DAUGHTER || relation == RL_FATHER || relation == RL_GRANDSON ||
           relation == RL_GRANDDAUGHTER || relation == RL_BROTHER || relation == RL_SISTER;
}

int gen_person_add_born(gen *g, int hh, int relation, int sex, int birth)
{
    gen_person *p = GEN_PUSH(g->persons);
    int idx = g->persons.n - 1;
    p->household = hh;
    p->household2 = -1;
    p->account = -1;
    p->relation = (uint8_t)relation;
    p->birth = birth;
    if (relation_sex(relation) >= 0)
        sex = relation_sex(relation);
    int head = hh >= 0 ? g->households.v[hh].head : -1;
    if (sex < 0) {
        if (relation == RL_SPOUSE && head >= 0)
            sex = !g->persons.v[head].sex;
        else
            sex = gen_rng_chance(&g->rng, relation == RL_HEAD ? 800 : 500);
    }
    p->sex = (uint8_t)sex;
    p->village = hh >= 0 ? g->households.v[hh].village : gen_random_village(g);
    const char *region = random_region(g, p->village);
    if (relation == RL_SPOUSE && gen_rng_chance(&g->rng, 8)) {
        /* a spouse from Xinjiang, with a Uyghur name */
        snprintf(p->name, sizeof p->name, "%s",
                 sex ? GEN_PICK(&g->rng, minority_names_m) : GEN_PICK(&g->rng, minority_names_f));
        region = "650102";
    } else {
        char surname[16];
        if (takes_head_surname(relation) && head >= 0)
            person_surname(&g->persons.v[head], surname);
        else
            snprintf(surname, sizeof surname, "%s", GEN_PICK(&g->rng, surnames));
        do
            compose_name(g, surname, sex, gen_rng_chance(&g->rng, 750) ? 2 : 1, p->name);
        while (nameset_reserved(g, p->name));
    }
    nameset_add(g, p->name, 1);
    gen_id_make(g, p, region);
    if (relation == RL_HEAD && hh >= 0)
        g->households.v[hh].head = idx;
    g->registered++;
    return idx;
}

int gen_person_add(gen *g, int hh, int relation, int sex, int age_lo, int age_hi)
{
    int age = gen_rng_int(&g->rng, age_lo, age_hi);
    int year = GEN_YEAR - 1 - age;
    int birth = gen_day(year, 1, 2) + gen_rng_int(&g->rng, 0, 362);
    return gen_person_add_born(g, hh, relation, sex, birth);
}

/* --- accounts ---------------------------------------------------------------------------------- */
static int account_new(gen *g, int holder)
{
    gen_account *a = GEN_PUSH(g->accounts);
    a->holder = holder;
    /* 19 digits: a card prefix of Guizhou's rural credit union and a number that is a bijection of
     * the index (1000003 is coprime to 10^13), so numbers never collide. */
    unsigned long long body = ((unsigned long long)(g->accounts.n - 1) * 1000003ULL + (g->seed % 1000000007ULL)) %
                              10000000000000ULL;
    snprintf(a->number, sizeof a->number, "621779%013llu", body);
    return g->accounts.n - 1;
}

int gen_account_of_household(gen *g, int hh)
{
    gen_household *h = &g->households.v[hh];
    if (h->account < 0) {
        int a = g->persons.v[h->head].account;
        if (a < 0)
            a = g->persons.v[h->head].account = account_new(g, h->head);
        h->account = a;
    }
    return h->account;
}

int gen_account_of_person(gen *g, int person)
{
    gen_person *p = &g->persons.v[person];
    if (p->account < 0)
        p->account = account_new(g, person);
    return p->account;
}

/* --- the clean population ---------------------------------------------------------------------- */
static int random_class(gen *g)
{
    int x = gen_rng_int(&g->rng, 0, 999);
    if (x < 100)
        return HC_DIBAO;
    if (x < 120)
        return HC_TEKUN;
    if (x < 370)
        return HC_TUOPIN;
    if (x < 450)
        return HC_MONITOR;
    return HC_GENERAL;
}

static bool room(const gen *g)
{
    return g->registered < g->target_persons;
}

/* A family: head, usually a spouse, children, sometimes a parent or grandchildren. */
static void build_family(gen *g, int hh, int head_lo, int head_hi)
{
    int head = gen_person_add(g, hh, RL_HEAD, -1, head_lo, head_hi);
    int head_age = GEN_YEAR - 1 - gen_period_year(gen_period_of_day(g->persons.v[head].birth));
    if (room(g) && gen_rng_chance(&g->rng, 850)) {
        int lo = head_age - 5 < 20 ? 20 : head_age - 5;
        gen_person_add(g, hh, RL_SPOUSE, -1, lo, head_age + 3);
    }
    int kids = gen_rng_int(&g->rng, 0, 3);
    for (int k = 0; k < kids && room(g); k++) {
        int hi = head_age - 20, lo = head_age - 38;
        if (hi < 0)
            break;
        gen_person_add(g, hh, gen_rng_chance(&g->rng, 520) ? RL_SON : RL_DAUGHTER, -1, lo < 0 ? 0 : lo, hi);
    }
    if (room(g) && head_age < 55 && gen_rng_chance(&g->rng, 250)) {
        int lo = head_age + 22, hi = head_age + 35 > 97 ? 97 : head_age + 35;
        gen_person_add(g, hh, gen_rng_chance(&g->rng, 450) ? RL_FATHER : RL_MOTHER, -1, lo, hi);
    }
    if (room(g) && head_age >= 58 && gen_rng_chance(&g->rng, 350))
        gen_person_add(g, hh, gen_rng_chance(&g->rng, 500) ? RL_GRANDSON : RL_GRANDDAUGHTER, -1, 1, 14);
}

int gen_family_new(gen *g, int village, int cls, int head_lo, int head_hi)
{
    long saved = g->target_persons;
    g->target_persons = FW_GEN_MAX_PERSONS * 2; /* a whole family, whatever the budget says */
    int hh = gen_household_new(g, village, cls);
    build_family(g, hh, head_lo, head_hi);
    g->target_persons = saved;
    return hh;
}

void gen_population_build(gen *g)
{
    while (room(g)) {
        int cls = random_class(g);
        int hh = gen_household_new(g, gen_random_village(g), cls);
        gen_household *h = &g->households.v[hh];
        h->wealthy = cls == HC_GENERAL && gen_rng_chance(&g->rng, 600);
        if (cls == HC_TEKUN) {
            /* living alone: old, or of working age with a severe disability */
            int p = gen_rng_chance(&g->rng, 700) ? gen_person_add(g, hh, RL_HEAD, -1, 61, 92)
                                                  : gen_person_add(g, hh, RL_HEAD, -1, 19, 57);
            if (gen_age_on(g->persons.v[p].birth, gen_day(GEN_YEAR, 1, 1)) < 60)
                g->persons.v[p].flags |= PF_DISABLED;
        } else if (cls == HC_DIBAO && gen_rng_chance(&g->rng, 300)) {
            gen_person_add(g, hh, RL_HEAD, -1, 45, 85);
        } else {
            build_family(g, hh, 24, 80);
        }
    }
}

/* Residents aged 59 and over outside the roster, per thousand registered persons. The roster
 * (persons.csv) holds the households the civil affairs and rural revitalisation bureaus follow;
 * the county's 一卡通 ledger also pays every other resident his 城乡居民养老金 and 高龄津贴, which
 * is most of a county's payment rows (docs/gen.md, "Sizes"). */
enum { RESIDENTS_PER_MILLE = 1550 };

void gen_residents_build(gen *g)
{
    long n = g->target_persons * RESIDENTS_PER_MILLE / 1000;
    for (long k = 0; k < n; k++) {
        /* ages 59 to 95 on 2023-01-01, fewer the older: the smaller of two uniform draws */
        int a = gen_rng_int(&g->rng, 0, 36);
        int b = gen_rng_int(&g->rng, 0, 36);
        int age = 59 + (a < b ? a : b);
        int birth = gen_day(GEN_YEAR - 1 - age, 1, 2) + gen_rng_int(&g->rng, 0, 362);
        int sex = gen_rng_chance(&g->rng, 470); /* women outlive men */
        int p = gen_person_add_born(g, -1, RL_HEAD, sex, birth);
        g->persons.v[p].flags |= PF_RESIDENT;
        g->registered--;
        g->residents++;
    }
}

/* Household numbers: village code + a 4-digit sequence, in a shuffled order so that planted
 * households do not stand out by their numbers. */
void gen_shuffle_households(gen *g)
{
    int n = g->households.n;
    int *order = fw_malloc((size_t)n * sizeof *order);
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = gen_rng_int(&g->rng, 0, i);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int *seq = fw_calloc((size_t)g->nvillages, sizeof *seq);
    for (int i = 0; i < n; i++) {
        gen_household *h = &g->households.v[order[i]];
        h->number = ++seq[h->village];
    }
    free(seq);
    free(order);
}
