/* gen_payments.c: what each person is entitled to (grants), and the payments ledger expanded
 * from the grants month by month straight into payments.csv, so memory stays flat however many
 * rows are written.
 *
 * The clean entitlements follow the programs' rules as a county applies them: 低保 per covered
 * member in three tiers into the household's account; 特困 for people living alone who are old or
 * severely disabled; 高龄津贴 from 80 and 城乡居民养老金 from 60, both from the month after the
 * birthday; 残疾人两项补贴 with a valid certificate; 教育资助 per term to enrolled pupils of poor
 * households; one-off 临时救助, 医疗救助, 危房改造 and 产业奖补; monthly 公益岗位 wages. Nobody is
 * paid before approval, after death, moving away or exit, while in custody, or while an official. */
#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"
#include "gen/gen_model.h"

/* --- grants ------------------------------------------------------------------------------------ */
static const int program_pay_day[PG_COUNT] = {
    [PG_DIBAO] = 10, [PG_TEKUN] = 10, [PG_YANGLAO] = 5, [PG_GAOLING] = 20, [PG_CANJI] = 15,
    [PG_GONGYI] = 25, [PG_JIAOYU] = 20, [PG_LINSHI] = 22, [PG_YILIAO] = 24, [PG_WEIFANG] = 26, [PG_CHANYE] = 18};

int gen_approver(gen *g, int person, int program)
{
    if (gen_program_means_tested(program) && program != PG_WEIFANG)
        return g->township_approver[g->villages[g->persons.v[person].village].township_index];
    return g->county_approver[g->villages[g->persons.v[person].village].county][program];
}

/* The account a payment goes to: the household's (the head's) for 低保 and pupils, else the
 * person's own. A dead or departed head's account is not used for the others. */
static int default_account(gen *g, int person, int program)
{
    gen_person *p = &g->persons.v[person];
    if ((program == PG_DIBAO || program == PG_JIAOYU) && p->household >= 0) {
        const gen_person *head = &g->persons.v[g->households.v[p->household].head];
        if (head->status == ST_ACTIVE && head->death == 0 && !(head->flags & PF_OFFICIAL))
            return gen_account_of_household(g, p->household);
    }
    return gen_account_of_person(g, person);
}

gen_grant *gen_grant_monthly(gen *g, int person, int program, long amount_fen, int first, int last)
{
    gen_grant *gr = GEN_PUSH(g->grants);
    gr->person = person;
    gr->program = program;
    gr->first = first;
    gr->last = last;
    gr->amount_fen = gr->amount2_fen = amount_fen;
    gr->approver = gen_approver(g, person, program);
    gr->account = default_account(g, person, program);
    gr->pay_day = program_pay_day[program];
    gr->backpay_last = -1;
    gr->name_person = -1;
    /* approved some time before the first payment */
    int lo = gen_day(2015, 1, 1);
    int hi = gen_day_in_period(first, 1) - 20;
    gr->approval = hi <= lo ? gen_day_in_period(first, 1) : gen_rng_int(&g->rng, lo, hi);
    return gr;
}

gen_grant *gen_grant_once(gen *g, int person, int program, long amount_fen, int period, int pay_day)
{
    gen_grant *gr = gen_grant_monthly(g, person, program, amount_fen, period, period);
    gr->pay_day = pay_day;
    /* approved in the same month, a few days before it is paid */
    gr->approval = gen_day_in_period(period, pay_day > 5 ? pay_day - gen_rng_int(&g->rng, 1, 5) : 1);
    return gr;
}

gen_extra *gen_extra_from(gen *g, const gen_grant *like, int period, int pay_date, long amount_fen)
{
    gen_extra *e = GEN_PUSH(g->extras);
    e->person = like->person;
    e->program = like->program;
    e->period = period;
    e->pay_date = pay_date;
    e->amount_fen = amount_fen;
    e->account = like->account;
    e->approval = like->approval;
    e->approver = like->approver;
    e->village = -1;
    return e;
}

long gen_dibao_amount(int tier, int period)
{
    static const long h1[] = {36000, 32000, 28000}, h2[] = {38000, 34000, 30000};
    return period < gen_period(GEN_YEAR, 7) ? h1[tier] : h2[tier];
}

static long term_amount(const char *stage)
{
    if (strcmp(stage, "大学") == 0)
        return 165000;
    if (strcmp(stage, "高中") == 0)
        return 100000;
    if (strcmp(stage, "初中") == 0)
        return 62500;
    return 50000;
}

/* The last period a person may be paid for (death, move, exit, cancellation), or -1. */
static int last_payable(const gen_person *p)
{
    int last = GEN_P1;
    if (p->death) {
        int m = gen_period_of_day(p->death);
        last = m < last ? m : last;
    }
    if (p->status != ST_ACTIVE && p->status != ST_DEAD && p->status_date) {
        int m = gen_period_of_day(p->status_date);
        last = m < last ? m : last;
    }
    return last < GEN_P0 ? -1 : last;
}

static bool clean_person(const gen *g, int i)
{
    const gen_person *p = &g->persons.v[i];
    return !(p->flags & (PF_PLANTED | PF_GHOST | PF_OFFICIAL | PF_CUSTODY)) &&
           (p->household < 0 || !g->households.v[p->household].planted);
}

/* Households leaving or joining 低保 during the year (the status 退出 covers all members). */
static void dibao_changes(gen *g, int *enrol, int *exit_month)
{
    for (int hh = 0; hh < g->households.n; hh++) {
        gen_household *h = &g->households.v[hh];
        enrol[hh] = exit_month[hh] = -1;
        if (h->cls != HC_DIBAO || h->planted)
            continue;
        int x = gen_rng_int(&g->rng, 0, 99);
        if (x < 5) {
            enrol[hh] = gen_period(GEN_YEAR, gen_rng_int(&g->rng, 2, 10));
        } else if (x < 8) {
            exit_month[hh] = gen_period(GEN_YEAR, gen_rng_int(&g->rng, 4, 11));
            int day = gen_day_in_period(exit_month[hh], gen_rng_int(&g->rng, 1, 28));
            for (int i = h->head; i < g->persons.n && g->persons.v[i].household == hh; i++)
                if (g->persons.v[i].household == hh && g->persons.v[i].status == ST_ACTIVE &&
                    !g->persons.v[i].death) {
                    g->persons.v[i].status = ST_EXITED;
                    g->persons.v[i].status_date = day;
                }
        }
    }
}

static void person_grants(gen *g, int i, const int *enrol, const int *disability_of, const int *student_of)
{
    gen_person *p = &g->persons.v[i];
    int last = last_payable(p);
    if (last < 0)
        return;
    int hh = p->household;
    int cls = hh >= 0 ? g->households.v[hh].cls : HC_GENERAL;
    bool poor = cls != HC_GENERAL;
    int by, bm, bd;
    gen_ymd(p->birth, &by, &bm, &bd);
    gen_rng *r = &g->rng;
    int jan1 = gen_day(GEN_YEAR, 1, 1);
    int age = gen_age_on(p->birth, jan1);
    if (by >= GEN_YEAR)
        return; /* born this year: not yet on any roll */

    if (cls == HC_DIBAO) {
        int first = enrol[hh] >= 0 ? enrol[hh] : GEN_P0;
        if (first <= last) {
            int tier = g->households.v[hh].dibao_tier;
            gen_grant *gr = gen_grant_monthly(g, i, PG_DIBAO, gen_dibao_amount(tier, GEN_P0), first, last);
            gr->amount2_fen = gen_dibao_amount(tier, GEN_P1);
            if (enrol[hh] >= 0) {
                /* enrolled this year: approved in the month, the first two months paid together */
                gr->approval = gen_day_in_period(first, 12 + hh % 10);
                if (first < last) {
                    gr->backpay_last = first;
                    gr->backpay_date = gen_day_in_period(first + 1, gr->pay_day);
                }
            }
        }
    }
    if (cls == HC_TEKUN) {
        static const long care[] = {47000, 52000, 60000};
        gen_grant_monthly(g, i, PG_TEKUN, GEN_PICK(r, care), GEN_P0, last);
    }
    if (by <= 1962 && !(p->flags & PF_PENSIONER) && gen_rng_chance(r, 930)) {
        gen_grant *gr = gen_grant_monthly(g, i, PG_YANGLAO, gen_rng_int(r, 13000, 20000), GEN_P0, last);
        gr->approval = gen_day(by + 60, bm, 1) + gen_days_in_month(by + 60, bm);
    } else if (by == 1963 && bm < 12 && !(p->flags & PF_PENSIONER) && gen_period(GEN_YEAR, bm + 1) <= last) {
        /* turns 60 this year: from the month after the birthday */
        gen_grant *gr = gen_grant_monthly(g, i, PG_YANGLAO, gen_rng_int(r, 13000, 16000), gen_period(GEN_YEAR, bm + 1), last);
        gr->approval = gen_day(GEN_YEAR, bm + 1, 1);
    }
    if (by <= 1942) {
        gen_grant_monthly(g, i, PG_GAOLING, age >= 90 ? 10000 : 5000, GEN_P0, last);
    } else if (by == 1943 && bm < 12 && gen_period(GEN_YEAR, bm + 1) <= last) {
        gen_grant *gr = gen_grant_monthly(g, i, PG_GAOLING, 5000, gen_period(GEN_YEAR, bm + 1), last);
        gr->approval = gen_day(GEN_YEAR, bm + 1, 1);
    }
    int d = disability_of[i];
    if (d >= 0 && strcmp(g->disabilities.v[d].status, "有效") == 0) {
        const char *grade = g->disabilities.v[d].grade;
        bool severe = strcmp(grade, "一级") == 0 || strcmp(grade, "二级") == 0;
        long amount = (poor ? 7000 : 0) + (severe ? 9000 : 0);
        if (amount)
            gen_grant_monthly(g, i, PG_CANJI, amount, GEN_P0, last);
    }
    if (!poor)
        return;
    int s = student_of[i];
    if (s >= 0 && by >= 2000 && by <= 2018) {
        int end = g->students.v[s].end ? gen_period_of_day(g->students.v[s].end) : GEN_P1;
        gen_grant *gr = gen_grant_monthly(g, i, PG_JIAOYU, term_amount(g->students.v[s].stage), GEN_P0,
                                          end < last ? end : last);
        gr->flags |= GF_TERMS;
    }
    if (cls == HC_TUOPIN || cls == HC_MONITOR) {
        if (p->relation == RL_HEAD && gen_rng_chance(r, 150)) {
            int m = gen_rng_int(r, GEN_P0 + 2, GEN_P0 + 10);
            if (m <= last)
                gen_grant_once(g, i, PG_CHANYE, gen_rng_int(r, 10, 50) * 10000L, m, program_pay_day[PG_CHANYE]);
        }
        /* 乡村公益性岗位 (cleaners, road and forest keepers): about one in four of working age */
        if (age >= 19 && age <= 57 && gen_rng_chance(r, 250)) {
            int first = gen_rng_int(r, GEN_P0, GEN_P0 + 6);
            int len = gen_rng_int(r, 6, 12);
            int end = first + len - 1 < last ? first + len - 1 : last;
            if (first <= end)
                gen_grant_monthly(g, i, PG_GONGYI, gen_rng_int(r, 60, 80) * 1000L, first, end);
        }
    }
    /* one-off aid: at most one of each per person and year */
    int m = gen_rng_int(r, GEN_P0, last);
    if (p->relation == RL_HEAD && gen_rng_chance(r, 30))
        gen_grant_once(g, i, PG_LINSHI, gen_rng_int(r, 5, 30) * 10000L, m, program_pay_day[PG_LINSHI]);
    if (age >= 40 && gen_rng_chance(r, 150)) {
        /* a chronic illness (门诊慢特病): the outpatient costs the insurance leaves are reimbursed
         * every month; one row a month, so never a second 医疗救助 in the same period */
        gen_grant_monthly(g, i, PG_YILIAO, gen_rng_int(r, 80, 300) * 100L, GEN_P0, last);
    } else if (gen_rng_chance(r, 40)) {
        long amount = gen_rng_int(r, 20000, 500000);
        gen_grant_once(g, i, PG_YILIAO, amount, gen_rng_int(r, GEN_P0, last), program_pay_day[PG_YILIAO]);
    }
    if (p->relation == RL_HEAD && gen_rng_chance(r, 10)) {
        long amount = gen_rng_int(r, 10, 30) * 100000L;
        gen_grant_once(g, i, PG_WEIFANG, amount, gen_rng_int(r, GEN_P0, last), program_pay_day[PG_WEIFANG]);
    }
}

/* Nobody clean is approved after his death: a grant approved on or after it is dropped (aid
 * approved late in the month a person died in). Grants from index `from` are the person's. */
static void drop_approved_after_death(gen *g, int from)
{
    int kept = from;
    for (int k = from; k < g->grants.n; k++) {
        const gen_person *p = &g->persons.v[g->grants.v[k].person];
        if (p->death && g->grants.v[k].approval >= p->death)
            continue;
        g->grants.v[kept++] = g->grants.v[k];
    }
    g->grants.n = kept;
}

void gen_grants_build(gen *g)
{
    int *enrol = fw_malloc((size_t)g->households.n * sizeof *enrol);
    int *exit_month = fw_malloc((size_t)g->households.n * sizeof *exit_month);
    int *disability_of = fw_malloc((size_t)g->persons.n * sizeof *disability_of);
    int *student_of = fw_malloc((size_t)g->persons.n * sizeof *student_of);
    for (int i = 0; i < g->persons.n; i++)
        disability_of[i] = student_of[i] = -1;
    for (int d = 0; d < g->disabilities.n; d++)
        disability_of[g->disabilities.v[d].person] = d;
    for (int s = 0; s < g->students.n; s++)
        student_of[g->students.v[s].person] = s;
    dibao_changes(g, enrol, exit_month);
    for (int i = 0; i < g->persons.n; i++) {
        if (!clean_person(g, i))
            continue;
        int from = g->grants.n;
        person_grants(g, i, enrol, disability_of, student_of);
        drop_approved_after_death(g, from);
    }
    free(student_of);
    free(enrol);
    free(exit_month);
    free(disability_of);
}

/* --- the ledger -------------------------------------------------------------------------------- */
typedef struct ledger {
    gen *g;
    gen_file *f;
    gen_rng mess;
    long rows;
    long seq;
    int invalid_done;
    fw_err *err;
} ledger;

typedef struct row {
    int person, program, period, pay_date, account, approval, approver, village;
    long amount_fen;
    const char *name;         /* NULL = the person's */
    const char *region;       /* NULL = the village's */
    char pid[48];
} row;

static void payment_id(ledger *l, int pay_date, char out[48])
{
    int y, m, d;
    gen_ymd(pay_date, &y, &m, &d);
    snprintf(out, 48, "HP%04d%02d%08ld", y % 10000, m % 100, ++l->seq % 100000000L);
}

/* Writes one row; `bad` names the column to spoil for the importer's reject test (NULL = none). */
static int emit(ledger *l, const row *rw, const char *bad)
{
    gen *g = l->g;
    gen_file *f = l->f;
    const gen_person *p = &g->persons.v[rw->person];
    char buf[64];
    gen_cell(f, rw->pid);
    if (bad && strcmp(bad, "id_number") == 0) {
        char id[19];
        memcpy(id, p->id, 19);
        id[17] = id[17] == '0' ? '1' : id[17] == 'X' ? '0' : (char)(id[17] == '9' ? 'X' : id[17] + 1);
        gen_cell(f, id);
    } else {
        gen_cell(f, gen_mess_id(&l->mess, p, buf, 30));
    }
    gen_cell(f, gen_mess_name(&l->mess, rw->name ? rw->name : p->name, buf, 5));
    gen_cell(f, gen_program_name[rw->program]);
    if (bad && strcmp(bad, "amount") == 0)
        gen_cell(f, "abc");
    else
        gen_cell(f, gen_mess_money(&l->mess, rw->amount_fen, buf, 15));
    if (bad && strcmp(bad, "pay_date") == 0)
        gen_cell(f, "2023-02-30");
    else
        gen_cell(f, gen_mess_date(&l->mess, rw->pay_date, buf, 15));
    int pm = gen_period_month(rw->period), py = gen_period_year(rw->period);
    if (gen_rng_chance(&l->mess, 10))
        snprintf(buf, sizeof buf, gen_rng_chance(&l->mess, 500) ? "%d年%d月" : "%d%02d", py, pm);
    else
        snprintf(buf, sizeof buf, "%d-%02d", py, pm);
    gen_cell(f, buf);
    const gen_account *a = &g->accounts.v[rw->account];
    gen_cell(f, a->number);
    gen_cell(f, g->persons.v[a->holder].name);
    const gen_village *v = &g->villages[rw->village >= 0 ? rw->village : p->village];
    if (rw->region) {
        gen_cell(f, rw->region);
        gen_cell(f, "三棵树镇");
        gen_cell(f, "季刀村");
    } else {
        gen_cell(f, v->code);
        gen_cell(f, v->township);
        gen_cell(f, v->name);
    }
    gen_cell(f, g->persons.v[rw->approver].id);
    gen_cell_date(f, rw->approval);
    if (bad)
        gen_reject_expect(g, "payments", gen_file_line(f), bad,
                          strcmp(bad, "id_number") == 0 ? "bad check digit"
                          : strcmp(bad, "amount") == 0 ? "amount is not a number"
                                                       : "impossible date");
    l->rows += !bad;
    return gen_row_end(f, l->err);
}

/* Three rows the importer must refuse, written just before the first row of March, June and
 * September: a copy of that row with one cell spoiled (and a payment id of its own). */
static int maybe_invalid(ledger *l, const row *rw)
{
    static const char *const spoil[] = {"id_number", "pay_date", "amount"};
    int month = gen_period_month(gen_period_of_day(rw->pay_date));
    if (l->invalid_done >= 3 || month != 3 + 3 * l->invalid_done)
        return FW_OK;
    row bad = *rw;
    payment_id(l, rw->pay_date, bad.pid);
    return emit(l, &bad, spoil[l->invalid_done++]);
}

static int emit_grant_row(ledger *l, const gen_grant *gr, int period, int pay_date, uint64_t *last_pid)
{
    row rw = {.person = gr->person, .program = gr->program, .period = period, .pay_date = pay_date,
              .account = gr->account, .approval = gr->approval, .approver = gr->approver,
              .village = gr->pay_village - 1};
    rw.amount_fen = period < gen_period(GEN_YEAR, 7) ? gr->amount_fen : gr->amount2_fen;
    if (gr->name_person >= 0)
        rw.name = l->g->alt_names.v[gr->name_person];
    if ((gr->flags & GF_REUSE_PID) && period == gr->special && *last_pid) {
        snprintf(rw.pid, sizeof rw.pid, "HP%06llu%08llu", (unsigned long long)(*last_pid / 100000000ULL),
                 (unsigned long long)(*last_pid % 100000000ULL));
    } else {
        payment_id(l, pay_date, rw.pid);
        int y, m, d;
        gen_ymd(pay_date, &y, &m, &d);
        *last_pid = (uint64_t)(y * 100 + m) * 100000000ULL + (uint64_t)l->seq;
    }
    int rc = maybe_invalid(l, &rw);
    return rc ? rc : emit(l, &rw, NULL);
}

/* The rows a grant yields in pay month `month`. */
static int emit_grant_month(ledger *l, const gen_grant *gr, int month, uint64_t *last_pid)
{
    int rc = FW_OK;
    if (gr->backpay_last >= 0 && month == gen_period_of_day(gr->backpay_date))
        for (int p = gr->first; p <= gr->backpay_last && !rc; p++)
            rc = emit_grant_row(l, gr, p, gr->backpay_date, last_pid);
    if (rc || month < gr->first || month > gr->last || month <= gr->backpay_last)
        return rc;
    if (month >= GEN_P0 && month <= GEN_P1 && (gr->skip >> (month - GEN_P0) & 1))
        return FW_OK;
    if ((gr->flags & GF_TERMS) && gen_period_month(month) != 3 && gen_period_month(month) != 9)
        return FW_OK;
    return emit_grant_row(l, gr, month, gen_day_in_period(month, gr->pay_day), last_pid);
}

static int emit_extra(ledger *l, const gen_extra *e)
{
    row rw = {.person = e->person, .program = e->program, .period = e->period, .pay_date = e->pay_date,
              .account = e->account, .approval = e->approval, .approver = e->approver, .village = e->village,
              .amount_fen = e->amount_fen, .region = e->region_override};
    payment_id(l, e->pay_date, rw.pid);
    return emit(l, &rw, NULL);
}

static int extra_cmp(const void *a, const void *b)
{
    const gen_extra *x = a, *y = b;
    if (x->pay_date != y->pay_date)
        return x->pay_date < y->pay_date ? -1 : 1;
    return x->person - y->person;
}

int gen_write_payments(gen *g, const char *dir, long *rows, fw_err *err)
{
    const fw_dataset *ds = fw_dataset_find("payments");
    gen_file *f = gen_file_open(dir, "payments.csv", GE_UTF8_BOM, true, err);
    if (!f)
        return err->code;
    for (int c = 0; c < ds->ncolumns; c++)
        gen_cell(f, ds->columns[c].label_zh);
    ledger l = {.g = g, .f = f, .err = err};
    gen_rng_seed(&l.mess, g->seed ^ 0x5061796d656e7473ULL);
    int rc = gen_row_end(f, err);
    qsort(g->extras.v, (size_t)g->extras.n, sizeof *g->extras.v, extra_cmp);
    uint64_t *last_pid = fw_calloc((size_t)g->grants.n + 1, sizeof *last_pid);
    int e = 0;
    for (; e < g->extras.n && !rc && gen_period_of_day(g->extras.v[e].pay_date) < GEN_P0; e++)
        rc = emit_extra(&l, &g->extras.v[e]);
    for (int month = GEN_P0; month <= GEN_P1 && !rc; month++) {
        for (int i = 0; i < g->grants.n && !rc; i++)
            rc = emit_grant_month(&l, &g->grants.v[i], month, &last_pid[i]);
        for (; e < g->extras.n && !rc && gen_period_of_day(g->extras.v[e].pay_date) <= month; e++)
            rc = emit_extra(&l, &g->extras.v[e]);
    }
    for (; e < g->extras.n && !rc; e++)
        rc = emit_extra(&l, &g->extras.v[e]);
    free(last_pid);
    if (rc) {
        gen_file_abort(f);
        return rc;
    }
    *rows = l.rows;
    return gen_file_close(f, err);
}
