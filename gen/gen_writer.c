/* gen_writer.c: writing the generated files as county systems export them: Chinese headers, UTF-8
 * with or without BOM or GB18030 (through iconv), CRLF or LF, RFC 4180 quoting, and a small share
 * of messy-but-valid cells. Every file is written as NAME.tmp and renamed only when all files are
 * complete. Also writes the registry files from the model. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"
#include "audit/i18n.h"
#include "gen/gen_model.h"

struct gen_file {
    FILE *fp;
    char *path;      /* the temporary file */
    fw_buf buf;      /* UTF-8 rows not yet written */
    fw_buf conv;     /* GB18030 output */
    iconv_t cd;
    int encoding;
    bool crlf, row_started;
    long line;       /* line number of the row being built (1 = header) */
};

gen_file *gen_file_open(const char *dir, const char *name, int encoding, bool crlf, fw_err *err)
{
    gen_file *f = fw_calloc(1, sizeof *f);
    f->path = fw_printf("%s/%s.tmp", dir, name);
    f->encoding = encoding;
    f->crlf = crlf;
    f->line = 1;
    f->cd = (iconv_t)-1;
    if (encoding == GE_GB18030) {
        f->cd = iconv_open("GB18030", "UTF-8");
        if (f->cd == (iconv_t)-1) {
            fw_fail(err, FW_EFAIL, _("cannot convert to GB18030: %s"), strerror(errno));
            free(f->path);
            free(f);
            return NULL;
        }
    }
    f->fp = fopen(f->path, "wb");
    if (!f->fp) {
        fw_fail(err, FW_EFAIL, _("%s: cannot write: %s; give a writable output directory"), f->path, strerror(errno));
        if (f->cd != (iconv_t)-1)
            iconv_close(f->cd);
        free(f->path);
        free(f);
        return NULL;
    }
    if (encoding == GE_UTF8_BOM)
        fw_buf_add(&f->buf, "\xEF\xBB\xBF", 3);
    return f;
}

void gen_cell_raw(gen_file *f, const char *s, size_t n)
{
    if (f->row_started)
        fw_buf_putc(&f->buf, ',');
    f->row_started = true;
    fw_buf_add(&f->buf, s, n);
}

void gen_cell(gen_file *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        gen_cell_raw(f, s, strlen(s));
        return;
    }
    gen_cell_raw(f, "\"", 1);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            fw_buf_putc(&f->buf, '"');
        fw_buf_putc(&f->buf, *c);
    }
    fw_buf_putc(&f->buf, '"');
}

void gen_format_date(int day, char out[11])
{
    int y, m, d;
    gen_ymd(day, &y, &m, &d);
    /* by hand: faster than snprintf on millions of rows, and no truncation to reason about */
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

void gen_cell_date(gen_file *f, int day)
{
    char s[11] = "";
    if (day)
        gen_format_date(day, s);
    gen_cell(f, s);
}

void gen_cell_int(gen_file *f, long long v)
{
    char s[24];
    snprintf(s, sizeof s, "%lld", v);
    gen_cell(f, s);
}

static void format_money(long long fen, char *out, size_t n)
{
    long long a = fen < 0 ? -fen : fen;
    snprintf(out, n, "%s%lld.%02lld", fen < 0 ? "-" : "", a / 100, a % 100);
}

void gen_cell_money(gen_file *f, long long fen)
{
    char s[32];
    format_money(fen, s, sizeof s);
    gen_cell(f, s);
}

static int flush(gen_file *f, fw_err *err)
{
    const char *out = f->buf.data;
    size_t n = f->buf.len;
    if (f->encoding == GE_GB18030 && n) {
        if (f->conv.cap < n * 2 + 16) {
            f->conv.cap = n * 2 + 16;
            f->conv.data = fw_realloc(f->conv.data, f->conv.cap);
        }
        char *in = f->buf.data, *o = f->conv.data;
        size_t inleft = n, outleft = f->conv.cap;
        if (iconv(f->cd, &in, &inleft, &o, &outleft) == (size_t)-1)
            return fw_fail(err, FW_EFAIL, _("%s: cannot convert a row to GB18030: %s"), f->path, strerror(errno));
        out = f->conv.data;
        n = f->conv.cap - outleft;
    }
    if (n && fwrite(out, 1, n, f->fp) != n)
        return fw_fail(err, FW_EFAIL, _("%s: write failed: %s"), f->path, strerror(errno));
    fw_buf_reset(&f->buf);
    return FW_OK;
}

int gen_row_end(gen_file *f, fw_err *err)
{
    fw_buf_add(&f->buf, f->crlf ? "\r\n" : "\n", f->crlf ? 2 : 1);
    f->row_started = false;
    f->line++;
    return f->buf.len >= 1 << 16 ? flush(f, err) : FW_OK;
}

long gen_file_line(const gen_file *f)
{
    return f->line;
}

static void file_free(gen_file *f)
{
    if (f->cd != (iconv_t)-1)
        iconv_close(f->cd);
    fw_buf_free(&f->buf);
    free(f->conv.data);
    free(f->path);
    free(f);
}

int gen_file_close(gen_file *f, fw_err *err)
{
    int rc = flush(f, err);
    if (fclose(f->fp) != 0 && !rc)
        rc = fw_fail(err, FW_EFAIL, _("%s: write failed: %s"), f->path, strerror(errno));
    if (rc)
        remove(f->path);
    file_free(f);
    return rc;
}

void gen_file_abort(gen_file *f)
{
    fclose(f->fp);
    remove(f->path);
    file_free(f);
}

int gen_file_commit(const char *dir, const char *name, fw_err *err)
{
    char *from = fw_printf("%s/%s.tmp", dir, name), *to = fw_printf("%s/%s", dir, name);
    int rc = rename(from, to) == 0 ? FW_OK
                                   : fw_fail(err, FW_EFAIL, _("%s: cannot rename into place: %s"), to, strerror(errno));
    free(from);
    free(to);
    return rc;
}

/* --- messy-but-valid spellings ----------------------------------------------------------------- */
const char *gen_mess_date(gen_rng *r, int day, char buf[32], int per_mille)
{
    int y, m, d;
    gen_ymd(day, &y, &m, &d);
    if (!gen_rng_chance(r, per_mille)) {
        gen_format_date(day, buf);
        return buf;
    }
    switch (gen_rng_int(r, 0, 2)) {
    case 0: snprintf(buf, 32, "%d/%d/%d", y, m, d); break;
    case 1: snprintf(buf, 32, "%d年%d月%d日", y, m, d); break;
    default: snprintf(buf, 32, "%04d%02d%02d", y, m, d); break;
    }
    return buf;
}

const char *gen_mess_money(gen_rng *r, long long fen, char buf[48], int per_mille)
{
    if (fen < 0 || !gen_rng_chance(r, per_mille)) {
        format_money(fen, buf, 48);
        return buf;
    }
    long long yuan = fen / 100, cents = fen % 100;
    if (gen_rng_chance(r, 500)) {
        /* ¥1,234,567.50: thousands separators, grouped from the right */
        char digits[24], grouped[40];
        int n = snprintf(digits, sizeof digits, "%lld", yuan), k = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0 && (n - i) % 3 == 0)
                grouped[k++] = ',';
            grouped[k++] = digits[i];
        }
        grouped[k] = '\0';
        snprintf(buf, 48, "¥%s.%02lld", grouped, cents);
    } else if (cents == 0) {
        snprintf(buf, 48, "%lld元", yuan);
    } else {
        snprintf(buf, 48, "%lld.%02lld元", yuan, cents);
    }
    return buf;
}

const char *gen_mess_id(gen_rng *r, const gen_person *p, char buf[24], int per_mille)
{
    snprintf(buf, 24, "%s", p->id);
    if (!gen_rng_chance(r, per_mille))
        return buf;
    if (strncmp(p->id + 6, "19", 2) == 0 && p->id[8] < '5') {
        /* an old person's legacy 15-digit number: no century, no check character */
        snprintf(buf, 24, "%.6s%.9s", p->id, p->id + 8);
    } else if (p->id[17] == 'X') {
        buf[17] = 'x';
    }
    return buf;
}

const char *gen_mess_name(gen_rng *r, const char *name, char buf[64], int per_mille)
{
    if (gen_rng_chance(r, per_mille))
        snprintf(buf, 64, "\u3000%s\u3000", name);
    else
        snprintf(buf, 64, "%s", name);
    return buf;
}

/* --- registry files ---------------------------------------------------------------------------- */
/* Headers as the county systems print them: dataset.c's label, except where a system is known to
 * use another name. The importer accepts all of them. */
static const struct { const char *dataset, *column, *header; } header_overrides[] = {
    {"persons", "status", "人员状态"},
    {"officials", "end_date", "结束日期"},
    {"businesses", "reg_date", "登记日期"},
    {"students", "id_number", "身份证号码"},
    {"disabilities", "id_number", "身份证号码"},
    {"vehicles", "id_number", "证件号码"},
};

typedef struct reg_writer {
    gen *g;
    gen_file *f;
    gen_rng mess;
    const char *dataset;
    fw_err *err;
} reg_writer;

static int open_dataset(reg_writer *w, const char *dir, const char *dataset, int encoding, bool crlf)
{
    char *name = fw_printf("%s.csv", dataset);
    w->f = gen_file_open(dir, name, encoding, crlf, w->err);
    free(name);
    if (!w->f)
        return w->err->code;
    w->dataset = dataset;
    const fw_dataset *ds = fw_dataset_find(dataset);
    for (int c = 0; c < ds->ncolumns; c++) {
        const char *h = ds->columns[c].label_zh;
        for (size_t k = 0; k < sizeof header_overrides / sizeof header_overrides[0]; k++)
            if (strcmp(header_overrides[k].dataset, dataset) == 0 &&
                strcmp(header_overrides[k].column, ds->columns[c].name) == 0)
                h = header_overrides[k].header;
        gen_cell(w->f, h);
    }
    return gen_row_end(w->f, w->err);
}

static int close_dataset(reg_writer *w, int rc)
{
    if (rc) {
        gen_file_abort(w->f);
        return rc;
    }
    return gen_file_close(w->f, w->err);
}

static void cell_id(reg_writer *w, int person)
{
    char buf[24];
    gen_cell(w->f, gen_mess_id(&w->mess, &w->g->persons.v[person], buf, 20));
}

static void cell_name(reg_writer *w, int person)
{
    char buf[64];
    gen_cell(w->f, gen_mess_name(&w->mess, w->g->persons.v[person].name, buf, 5));
}

/* A near-match plant's registry row: the ID and the name as typed there (gen_model.h, id_as). */
static void cell_id_as(reg_writer *w, int person, const char *id_as)
{
    if (id_as[0])
        gen_cell(w->f, id_as);
    else
        cell_id(w, person);
}

static void cell_name_as(reg_writer *w, int person, const char *name_as)
{
    if (name_as[0])
        gen_cell(w->f, name_as);
    else
        cell_name(w, person);
}

static void cell_date(reg_writer *w, int day)
{
    char buf[32];
    gen_cell(w->f, day ? gen_mess_date(&w->mess, day, buf, 15) : "");
}

const char *const gen_class_name[] = {"一般户", "低保户", "特困供养户", "脱贫户", "监测户"};
const char *const gen_relation_name[RL_COUNT] = {"户主", "配偶", "儿子", "女儿", "父亲", "母亲",
                                                 "儿媳", "孙子", "孙女", "兄弟", "姐妹"};

typedef struct person_row {
    int person;
    bool second; /* the IDN-003 second listing */
} person_row;

static int person_row_cmp(const void *a, const void *b, void *ctx)
{
    const gen *g = ctx;
    const person_row *x = a, *y = b;
    int hx = x->second ? g->persons.v[x->person].household2 : g->persons.v[x->person].household;
    int hy = y->second ? g->persons.v[y->person].household2 : g->persons.v[y->person].household;
    const gen_household *a1 = &g->households.v[hx], *b1 = &g->households.v[hy];
    if (a1->village != b1->village)
        return a1->village - b1->village;
    if (a1->number != b1->number)
        return a1->number - b1->number;
    /* the head first, then in the order added */
    int rx = x->second ? g->persons.v[x->person].relation2 : g->persons.v[x->person].relation;
    int ry = y->second ? g->persons.v[y->person].relation2 : g->persons.v[y->person].relation;
    if ((rx == RL_HEAD) != (ry == RL_HEAD))
        return rx == RL_HEAD ? -1 : 1;
    return x->person - y->person;
}

static const char *status_name(gen_rng *r, int status)
{
    switch (status) {
    case ST_DEAD: return "死亡";
    case ST_MOVED: return "迁出";
    case ST_CANCELLED: return "注销";
    case ST_EXITED: return "退出";
    default: return gen_rng_chance(r, 100) ? "在册" : "正常";
    }
}

static int write_persons(reg_writer *w, const char *dir)
{
    gen *g = w->g;
    int rc = open_dataset(w, dir, "persons", GE_GB18030, true);
    if (rc)
        return rc;
    person_row *rows = fw_malloc(((size_t)g->persons.n * 2 + 1) * sizeof *rows);
    int n = 0;
    for (int i = 0; i < g->persons.n; i++) {
        const gen_person *p = &g->persons.v[i];
        if ((p->flags & PF_GHOST) || p->household < 0)
            continue;
        rows[n++] = (person_row){i, false};
        if (p->household2 >= 0)
            rows[n++] = (person_row){i, true};
    }
    qsort_r(rows, (size_t)n, sizeof *rows, person_row_cmp, g);
    for (int k = 0; k < n && !rc; k++) {
        const gen_person *p = &g->persons.v[rows[k].person];
        int hh = rows[k].second ? p->household2 : p->household;
        const gen_household *h = &g->households.v[hh];
        const gen_village *v = &g->villages[h->village];
        char hid[24];
        snprintf(hid, sizeof hid, "%s%04d", v->code, h->number);
        for (int pass = 0; pass < (k == 40 ? 2 : 1) && !rc; pass++) {
            if (pass == 0 && k == 40) {
                /* a row the importer must refuse: the ID's check character is wrong */
                char id[19];
                memcpy(id, p->id, 19);
                id[17] = id[17] == '3' ? '4' : '3';
                gen_cell(w->f, id);
                gen_reject_expect(g, "persons", gen_file_line(w->f), "id_number", "bad check digit");
            } else {
                cell_id(w, rows[k].person);
            }
            cell_name(w, rows[k].person);
            gen_cell(w->f, hid);
            gen_cell(w->f, gen_relation_name[rows[k].second ? p->relation2 : p->relation]);
            gen_cell(w->f, v->code);
            gen_cell(w->f, v->township);
            gen_cell(w->f, v->name);
            gen_cell(w->f, gen_class_name[h->cls]);
            gen_cell(w->f, status_name(&w->mess, p->status));
            cell_date(w, p->status == ST_ACTIVE ? 0 : p->status_date);
            rc = gen_row_end(w->f, w->err);
        }
    }
    free(rows);
    return close_dataset(w, rc);
}

static int write_deaths(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "deaths", GE_GB18030, false);
    for (int i = 0; i < w->g->deaths.n && !rc; i++) {
        const gen_death *d = &w->g->deaths.v[i];
        for (int pass = 0; pass < (i == 3 ? 2 : 1) && !rc; pass++) {
            cell_id_as(w, d->person, d->id_as);
            cell_name_as(w, d->person, d->name_as);
            if (pass == 0 && i == 3) {
                gen_cell(w->f, "2023-02-30");
                gen_reject_expect(w->g, "deaths", gen_file_line(w->f), "death_date", "impossible date");
            } else {
                cell_date(w, d->date);
            }
            gen_cell(w->f, d->source);
            rc = gen_row_end(w->f, w->err);
        }
    }
    return close_dataset(w, rc);
}

static int write_officials(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "officials", GE_GB18030, true);
    for (int i = 0; i < w->g->officials.n && !rc; i++) {
        const gen_official *o = &w->g->officials.v[i];
        cell_id_as(w, o->person, o->id_as);
        cell_name_as(w, o->person, o->name_as);
        gen_cell(w->f, o->employer);
        gen_cell(w->f, o->position);
        gen_cell(w->f, o->kind);
        gen_cell(w->f, o->region);
        cell_date(w, o->start);
        cell_date(w, o->end);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_relatives(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "relatives", GE_UTF8, false);
    for (int i = 0; i < w->g->relatives.n && !rc; i++) {
        const gen_relative *r = &w->g->relatives.v[i];
        cell_id(w, r->official);
        if (r->name_only) /* a 近亲属备案 row without the relative's ID (issue 16) */
            gen_cell(w->f, "");
        else
            cell_id(w, r->relative);
        gen_cell(w->f, r->relation);
        gen_cell(w->f, r->name_only ? r->name_as : "");
        gen_cell(w->f, r->name_only ? w->g->villages[w->g->persons.v[r->relative].village].name : "");
        gen_cell(w->f, r->name_only ? r->birth_as : "");
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_businesses(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "businesses", GE_UTF8_BOM, false);
    for (int i = 0; i < w->g->businesses.n && !rc; i++) {
        const gen_business *b = &w->g->businesses.v[i];
        char code[19], money[48];
        memcpy(code, b->credit, 19);
        if (gen_rng_chance(&w->mess, 20))
            for (char *c = code; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
        cell_id_as(w, b->owner, b->id_as);
        cell_name_as(w, b->owner, b->name_as);
        gen_cell(w->f, b->name);
        gen_cell(w->f, code);
        gen_cell(w->f, b->role);
        gen_cell(w->f, b->capital_fen < 0 ? "" : gen_mess_money(&w->mess, b->capital_fen, money, 30));
        gen_cell(w->f, b->status);
        cell_date(w, b->reg_date);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_vehicles(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "vehicles", GE_GB18030, false);
    for (int i = 0; i < w->g->vehicles.n && !rc; i++) {
        const gen_vehicle *v = &w->g->vehicles.v[i];
        cell_id_as(w, v->owner, v->id_as);
        cell_name_as(w, v->owner, v->name_as);
        gen_cell(w->f, v->plate);
        gen_cell(w->f, v->type);
        cell_date(w, v->reg_date);
        gen_cell(w->f, v->status);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_properties(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "properties", GE_UTF8, false);
    for (int i = 0; i < w->g->properties.n && !rc; i++) {
        const gen_property *p = &w->g->properties.v[i];
        char area[32];
        snprintf(area, sizeof area, "%d.%d%s", p->area_dm2 / 100, p->area_dm2 % 100 / 10,
                 gen_rng_chance(&w->mess, 30) ? "平方米" : "");
        cell_id(w, p->owner);
        cell_name(w, p->owner);
        gen_cell(w->f, p->address);
        gen_cell(w->f, area);
        gen_cell(w->f, p->usage);
        gen_cell(w->f, p->kind);
        cell_date(w, p->reg_date);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_prisoners(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "prisoners", GE_UTF8_BOM, true);
    for (int i = 0; i < w->g->prisoners.n && !rc; i++) {
        const gen_prisoner *p = &w->g->prisoners.v[i];
        cell_id_as(w, p->person, p->id_as);
        cell_name_as(w, p->person, p->name_as);
        cell_date(w, p->start);
        cell_date(w, p->end);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_students(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "students", GE_GB18030, true);
    for (int i = 0; i < w->g->students.n && !rc; i++) {
        const gen_student *s = &w->g->students.v[i];
        cell_id(w, s->person);
        cell_name(w, s->person);
        gen_cell(w->f, s->school);
        gen_cell(w->f, s->stage);
        gen_cell(w->f, s->status);
        cell_date(w, s->start);
        cell_date(w, s->end);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_disabilities(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "disabilities", GE_UTF8, false);
    for (int i = 0; i < w->g->disabilities.n && !rc; i++) {
        const gen_disability *d = &w->g->disabilities.v[i];
        cell_id(w, d->person);
        cell_name(w, d->person);
        gen_cell(w->f, d->grade);
        gen_cell(w->f, d->kind);
        cell_date(w, d->issue);
        gen_cell(w->f, d->status);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

static int write_pensions(reg_writer *w, const char *dir)
{
    int rc = open_dataset(w, dir, "pensions", GE_UTF8_BOM, false);
    for (int i = 0; i < w->g->pensions.n && !rc; i++) {
        const gen_pension *p = &w->g->pensions.v[i];
        char money[48];
        cell_id(w, p->person);
        cell_name(w, p->person);
        gen_cell(w->f, p->kind);
        gen_cell(w->f, gen_mess_money(&w->mess, p->monthly_fen, money, 30));
        cell_date(w, p->start);
        rc = gen_row_end(w->f, w->err);
    }
    return close_dataset(w, rc);
}

/* One standard per program and county, 2020 to 2023; 低保's rises in July 2023. Every county a
 * payment can come from is covered (the demo county and the other county of DUP-004). */
static int write_standards(reg_writer *w, const char *dir)
{
    static const char *const counties[] = {"520102", "520103", "520111", "520112", "520113", "520121", "520122",
                                           "520123", "520181", "522301", "522601", GEN_COUNTY_CODE, "522701"};
    int rc = open_dataset(w, dir, "standards", GE_UTF8, false);
    int from = gen_day(2020, 1, 1), july = gen_day(GEN_YEAR, 7, 1), to = gen_day(GEN_YEAR, 12, 31);
    /* the list, then the province's counties it lacks (none for 黄平县 alone) */
    const char *list[sizeof counties / sizeof counties[0] + 16];
    size_t n = 0;
    for (size_t c = 0; c < sizeof counties / sizeof counties[0]; c++)
        list[n++] = counties[c];
    for (int c = 0; c < w->g->ncounties && n < sizeof list / sizeof list[0]; c++) {
        bool listed = false;
        for (size_t k = 0; k < n && !listed; k++)
            listed = strcmp(list[k], gen_counties[c].code) == 0;
        if (!listed)
            list[n++] = gen_counties[c].code;
    }
    for (size_t c = 0; c < n && !rc; c++) {
        for (int pg = 0; pg < PG_COUNT && !rc; pg++) {
            bool split = pg == PG_DIBAO;
            for (int part = 0; part < (split ? 2 : 1) && !rc; part++) {
                int a = split && part ? july : from, b = split && !part ? july - 1 : to;
                gen_cell(w->f, gen_program_name[pg]);
                gen_cell(w->f, list[c]);
                gen_cell_money(w->f, gen_standard_fen(pg, a));
                gen_cell_date(w->f, a);
                gen_cell_date(w->f, b);
                rc = gen_row_end(w->f, w->err);
            }
        }
    }
    return close_dataset(w, rc);
}

int gen_write_registries(gen *g, const char *dir, fw_err *err)
{
    reg_writer w = {.g = g, .err = err};
    gen_rng_seed(&w.mess, g->seed ^ 0x5265676973747279ULL);
    int (*const writers[])(reg_writer *, const char *) = {
        write_persons, write_deaths, write_officials, write_relatives, write_businesses, write_vehicles,
        write_properties, write_prisoners, write_students, write_disabilities, write_pensions, write_standards};
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
        int rc = writers[i](&w, dir);
        if (rc)
            return rc;
    }
    return FW_OK;
}
