/* freq.c: the frequency of a column of the hit list (see freq.h), on the store interface. One pass
 * over a slice of hit ids reads each hit's value and figure, and its cited payments read just before
 * for the whole slice (one range scan); the values are counted
 * in a hash table here and each hit's money goes to its value's set (audit/money.c's rule, in
 * memory), so no SQL GROUP BY sorts a million rows and a column of a million values costs about
 * what a column of three does. */
#include "audit/freq.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/store/store.h"

static const struct {
    const char *name;
    const char *expr; /* one value per hit */
} freq_cols[FW_FREQ_COUNT_] = {
    [FW_FREQ_SEVERITY] = {"severity", "h.severity"},
    [FW_FREQ_RULE] = {"rule", "h.rule_id"},
    [FW_FREQ_CATEGORY] = {"category", "h.category"},
    [FW_FREQ_STATUS] = {"status", "coalesce(c.status, 'new')"},
    [FW_FREQ_TOWNSHIP] = {"township", "h.township"},
    /* The village carries its township (same names recur): joined here, township '\x1f' village
     * (freq_village), not by the engine's || (a string made per hit: a tenth of the pass). */
    [FW_FREQ_VILLAGE] = {"village", "h.village"},
    [FW_FREQ_PROGRAM] = {"program", "h.program"},
    [FW_FREQ_NAME] = {"name", "h.name"},
    [FW_FREQ_ID_NUMBER] = {"id_number", "h.id_number"},
    [FW_FREQ_AMOUNT] = {"amount", "h.amount"},
};

const char *fw_freq_col_name(enum fw_freq_col c)
{
    return c < FW_FREQ_COUNT_ ? freq_cols[c].name : "?";
}

void fw_freq_init(fw_ws *ws, fw_freq *fq, enum fw_freq_col col)
{
    memset(fq, 0, sizeof *fq);
    fq->col = col < FW_FREQ_COUNT_ ? col : FW_FREQ_RULE;
    fq->max_id = fw_ws_int(ws, "SELECT coalesce(max(id), 0) FROM hits");
    fq->next_id = 1;
    fq->done = fq->max_id == 0;
    fq->in_first_order = true;
    /* The table grows as values come: one sized for a value per hit would spread 5,000 villages
     * over 16 MB and miss the cache on every hit (it doubled their counting). */
    fq->min_slots = 1024;
    fw_buf_puts(&fq->text, ""); /* offset 0: the empty value */
}

void fw_freq_free(fw_freq *fq)
{
    free(fq->rows);
    free(fq->slots);
    fw_buf_free(&fq->text);
    fw_money_sets_free(&fq->money);
    memset(fq, 0, sizeof *fq);
}

const char *fw_freq_value(const fw_freq *fq, const fw_freq_row *r)
{
    return fq->text.data + r->value;
}

long long fw_freq_paid(const fw_freq_row *r)
{
    return llround(r->paid);
}

long long fw_freq_total_paid(const fw_freq *fq)
{
    return llround(fq->money.paid);
}

long long fw_freq_total_other(const fw_freq *fq)
{
    return fq->money.other;
}

/* Asks for transparent huge pages on a large array (Debian's kernel gives them on request,
 * "madvise"): a million values fill tens of MB of fresh memory, and faulting it in 4 KB at a time
 * was four tenths of the counting (44,000 page faults; with huge pages 6,000, and the counting of a
 * million ID numbers 1.9 s -> 1.1 s of CPU, bench/tui_freq.c). A hint only: nothing changes where
 * the kernel says no. */
static void huge_pages(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (n < (size_t)4 << 20)
        return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a = ((uintptr_t)p + page - 1) & ~(page - 1),
              e = ((uintptr_t)p + n) & ~(page - 1);
    if (e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
    (void)p, (void)n;
#endif
}

static unsigned fnv1a(const char *s, size_t n, bool null)
{
    unsigned h = 2166136261u ^ (unsigned)null;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static unsigned int_hash(long long v)
{
    unsigned long long h = (unsigned long long)v * 0x9E3779B97F4A7C15ull;
    return (unsigned)(h >> 32);
}

/* Rebuilds the table with room for twice the rows (kept at most half full), or for twice `rows`
 * when more. */
static void freq_rehash_for(fw_freq *fq, long long rows)
{
    int nslots = fq->min_slots;
    while (nslots <= 2 * (rows > fq->n ? rows : fq->n) + 1 && nslots < (1 << 30))
        nslots *= 2;
    free(fq->slots);
    fq->slots = fw_calloc((size_t)nslots, sizeof *fq->slots);
    huge_pages(fq->slots, (size_t)nslots * sizeof *fq->slots);
    fq->nslots = nslots;
    for (int i = 0; i < fq->n; i++) {
        size_t k = fq->rows[i].hash & (unsigned)(nslots - 1);
        while (fq->slots[k].row)
            k = (k + 1) & (size_t)(nslots - 1);
        fq->slots[k] = (struct fw_freq_slot){fq->rows[i].hash, i + 1};
    }
}

static void freq_rehash(fw_freq *fq)
{
    freq_rehash_for(fq, 0);
}

/* After the first slice, when most of its hits brought a value of their own (ID numbers, amounts),
 * sizes the rows, the values' text and the hash table once for the values the rest of the ids will
 * bring at the same rate: growing them by doubling copied each array again and again (realloc) and
 * rebuilt the table at every doubling, a third of the counting of a million ID numbers (perf). A
 * column of few values (villages) keeps the table small enough to stay in the cache. The sizes are
 * a guess: too small, the arrays grow as before; too large, the untouched part costs no memory. */
static void freq_foresee(fw_freq *fq)
{
    long long seen = fq->next_id - 1; /* ids looked at so far */
    fq->sized = true;
    if (seen <= 0 || fq->n < 10000 || 2 * (long long)fq->n < fq->count || fq->max_id <= seen)
        return;
    double rate = (double)fq->n / (double)seen;
    long long rows = (long long)(rate * (double)fq->max_id * 1.05) + 1024;
    if (rows > fq->max_id + 1)
        rows = fq->max_id + 1;
    if (rows > (1 << 28) || rows <= fq->cap)
        return;
    fq->cap = (int)rows;
    fq->rows = fw_realloc(fq->rows, (size_t)fq->cap * sizeof *fq->rows);
    huge_pages(fq->rows, (size_t)fq->cap * sizeof *fq->rows);
    size_t per_value = fq->text.len / (size_t)fq->n + 1;
    fw_buf_reserve(&fq->text, (size_t)(rows - fq->n) * per_value);
    huge_pages(fq->text.data, fq->text.cap);
    freq_rehash_for(fq, rows);
}

/* The index of a value's row, made on first sight. A hand-made table because glibc's hsearch can
 * neither grow nor be walked. The amount column is matched as a number (its text is made once, for
 * a new value), the others as text. */
static unsigned freq_hash(const fw_freq *fq, const char *v, size_t len, bool null, long long key)
{
    return fq->col == FW_FREQ_AMOUNT ? int_hash(key) ^ (unsigned)null : fnv1a(v, len, null);
}

static int freq_row(fw_freq *fq, const char *v, size_t len, bool null, long long key, unsigned h)
{
    bool by_key = fq->col == FW_FREQ_AMOUNT;
    if (!fq->slots || (fq->n + 1) * 2 > fq->nslots)
        freq_rehash(fq);
    size_t mask = (size_t)(fq->nslots - 1), k = h & mask;
    for (; fq->slots[k].row; k = (k + 1) & mask) {
        if (fq->slots[k].hash != h)
            continue;
        fw_freq_row *r = &fq->rows[fq->slots[k].row - 1];
        if (r->null != null)
            continue;
        if (by_key ? r->key == key : strncmp(fq->text.data + r->value, v, len) == 0 && fq->text.data[r->value + len] == '\0')
            return fq->slots[k].row - 1;
    }
    if (fq->n == fq->cap) {
        fq->cap = fq->cap ? fq->cap * 2 : 256;
        fq->rows = fw_realloc(fq->rows, (size_t)fq->cap * sizeof *fq->rows);
        huge_pages(fq->rows, (size_t)fq->cap * sizeof *fq->rows);
    }
    fw_freq_row *r = &fq->rows[fq->n];
    memset(r, 0, sizeof *r);
    r->null = null;
    r->hash = h;
    r->key = key;
    r->first = (unsigned)fq->n;
    char num[24];
    if (by_key && !null)
        len = (size_t)snprintf(num, sizeof num, "%lld", key), v = num;
    if (len) {
        size_t cap = fq->text.cap;
        r->value = fq->text.len + 1;
        fw_buf_add(&fq->text, "", 1); /* the NUL ending the previous value */
        fw_buf_add(&fq->text, v, len);
        if (fq->text.cap != cap)
            huge_pages(fq->text.data, fq->text.cap);
    }
    fq->slots[k] = (struct fw_freq_slot){h, ++fq->n};
    fq->sorted = false;
    return fq->n - 1;
}

/* Hits read from the slice, counted in batches: each hit's value is hashed when it is read and its
 * slot in the table asked of the memory then (a prefetch), and the batch is counted once BATCH hits
 * have come, when the slots are in the cache. A column of a million values misses the cache on
 * nearly every probe (a slot table of 16 MB): waited for one at a time, those misses were a third of
 * the counting (perf); asked for together they overlap. */
enum { BATCH = 32 };
typedef struct freq_pending {
    long long id, figure, key;
    size_t value;    /* offset of the value's text in the batch's buffer */
    size_t len;
    unsigned hash;
    int pay, npay;   /* the hit's cited payments: from pay in the batch's arrays */
    bool null;
} freq_pending;

typedef struct freq_batch {
    freq_pending hits[BATCH];
    int n;
    fw_buf text;
    long long *pid, *pa;
    int npay, cap;
} freq_batch;

/* Counts the first n hits of the batch (all but the last when the slice was stopped while it was
 * read) and empties it. */
static void batch_count(fw_freq *fq, freq_batch *b, int n)
{
    for (int i = 0; i < n; i++) {
        const freq_pending *p = &b->hits[i];
        int k = freq_row(fq, b->text.data + p->value, p->len, p->null, p->key, p->hash);
        fw_freq_row *r = &fq->rows[k];
        fw_money_sets_add(&fq->money, r->first, p->figure, p->npay, b->pid + p->pay, b->pa + p->pay, &r->paid, &r->other);
        if (++r->count > fq->top)
            fq->top = r->count;
        fq->count++;
    }
    b->n = 0;
    b->text.len = 0;
    b->npay = 0;
}

/* A new hit read from the slice: its value hashed and its slot asked for. */
static void batch_begin(fw_freq *fq, freq_batch *b, long long id, long long figure, const char *v, bool null,
                        long long key)
{
    size_t len = strlen(v);
    freq_pending *p = &b->hits[b->n++];
    *p = (freq_pending){.id = id, .figure = figure, .key = key, .value = b->text.len, .len = len,
                        .hash = freq_hash(fq, v, len, null, key), .pay = b->npay, .null = null};
    fw_buf_add(&b->text, v, len);
    fw_buf_add(&b->text, "", 1);
    if (fq->slots)
        __builtin_prefetch(&fq->slots[p->hash & (unsigned)(fq->nslots - 1)]);
}

static void batch_payment(freq_batch *b, long long pid, long long amount)
{
    if (b->npay == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 64;
        b->pid = fw_realloc(b->pid, (size_t)b->cap * sizeof *b->pid);
        b->pa = fw_realloc(b->pa, (size_t)b->cap * sizeof *b->pa);
    }
    b->pid[b->npay] = pid;
    b->pa[b->npay++] = amount;
    b->hits[b->n - 1].npay++;
}

static void batch_free(freq_batch *b)
{
    fw_buf_free(&b->text);
    free(b->pid);
    free(b->pa);
}

/* The slice's statement: value, the township (for the village) or NULL, figure, hit id, subject kind;
 * a row per hit. Its cited payments are read apart (slice_evidence). */
static char *freq_sql(const fw_freq *fq, const fw_hit_filter *f, const fw_hit_where *w)
{
    /* The cases are joined only when the status is counted or filtered on (the only condition of
     * the filter that reads c): a join per hit is a quarter of the time of a pass. */
    bool join = fq->col == FW_FREQ_STATUS || (f->status && *f->status);
    return fw_printf("SELECT %s, %s, h.amount, h.id, h.subject_kind FROM hits h%s WHERE h.id >= ? AND h.id < ?%s"
                     " ORDER BY h.id",
                     freq_cols[fq->col].expr, fq->col == FW_FREQ_VILLAGE ? "h.township" : "NULL",
                     join ? " LEFT JOIN cases c ON c.id = h.case_id" : "", w->sql.data);
}

/* The payments cited by a slice's hits, in hit id order (audit/money.h): read before the hits, in
 * one range scan of hit_evidence, where a LEFT JOIN from each hit probed it once per hit (a fifth of
 * the pass at a million hits, for the bench fixture's hits that cite none). */
typedef struct slice_evidence {
    long long *hit, *pid, *pa;
    size_t n, cap, at;
} slice_evidence;

static int evidence_read(fw_ws *ws, long long from, long long to, slice_evidence *ev, fw_err *e)
{
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, FW_MONEY_EVIDENCE_OF_IDS, &st, e);
    if (rc != FW_OK)
        return rc;
    fw_stmt_bind_int64(st, 1, from);
    fw_stmt_bind_int64(st, 2, to);
    while ((rc = fw_stmt_step(st, e)) == 1) {
        if (fw_stmt_is_null(st, 1))
            continue;
        if (ev->n == ev->cap) {
            ev->cap = ev->cap ? ev->cap * 2 : 256;
            ev->hit = fw_realloc(ev->hit, ev->cap * sizeof *ev->hit);
            ev->pid = fw_realloc(ev->pid, ev->cap * sizeof *ev->pid);
            ev->pa = fw_realloc(ev->pa, ev->cap * sizeof *ev->pa);
        }
        ev->hit[ev->n] = fw_stmt_int64(st, 0);
        ev->pid[ev->n] = fw_stmt_int64(st, 1);
        ev->pa[ev->n++] = fw_stmt_int64(st, 2);
    }
    fw_stmt_finalize(st);
    return rc;
}

/* Hands hit `id`'s payments to the batch's last hit; none for a hit about a village (the money
 * rule's, FW_MONEY_EVIDENCE_JOIN). */
static void evidence_take(slice_evidence *ev, long long id, bool village, freq_batch *b)
{
    while (ev->at < ev->n && ev->hit[ev->at] < id)
        ev->at++;
    for (; ev->at < ev->n && ev->hit[ev->at] == id; ev->at++)
        if (!village)
            batch_payment(b, ev->pid[ev->at], ev->pa[ev->at]);
}

static void evidence_free(slice_evidence *ev)
{
    free(ev->hit);
    free(ev->pid);
    free(ev->pa);
}

/* The village's value: its township (empty when none), the separator, the village; into buf. */
static const char *freq_village(fw_stmt *st, fw_buf *buf)
{
    buf->len = 0;
    fw_buf_puts(buf, fw_stmt_is_null(st, 1) ? "" : fw_stmt_text(st, 1));
    fw_buf_add(buf, "\x1f", 1);
    fw_buf_puts(buf, fw_stmt_text(st, 0));
    return buf->data;
}

/* Reads the slice's hits into the batch, counting it each time it fills. */
static int slice_read(fw_ws *ws, const fw_hit_filter *f, fw_freq *fq, const fw_hit_where *w, long long slice,
                      slice_evidence *ev, freq_batch *b, fw_err *e)
{
    char *sql = freq_sql(fq, f, w);
    fw_stmt *st;
    int rc = fw_db_prepare(ws->store, sql, &st, e);
    free(sql);
    if (rc != FW_OK)
        return rc;
    fw_stmt_bind_int64(st, 1, fq->next_id);
    fw_stmt_bind_int64(st, 2, fq->next_id + slice);
    fw_hit_where_bind(w, st, 3);
    fw_buf village = {0};
    while ((rc = fw_stmt_step(st, e)) == 1) {
        if (b->n == BATCH)
            batch_count(fq, b, BATCH);
        long long id = fw_stmt_int64(st, 3);
        bool null = fw_stmt_is_null(st, 0);
        long long key = fq->col == FW_FREQ_AMOUNT ? fw_stmt_int64(st, 0) : 0;
        const char *v = null || fq->col == FW_FREQ_AMOUNT ? ""
                        : fq->col == FW_FREQ_VILLAGE       ? freq_village(st, &village)
                                                           : fw_stmt_text(st, 0);
        batch_begin(fq, b, id, fw_stmt_int64(st, 2), v, null, key);
        evidence_take(ev, id, strcmp(fw_stmt_text(st, 4), "village") == 0, b);
    }
    fw_buf_free(&village);
    fw_stmt_finalize(st);
    return rc;
}

int fw_freq_step(fw_ws *ws, const fw_hit_filter *f, fw_freq *fq, long long slice, fw_err *err)
{
    return fw_freq_step_until(ws, f, fq, slice, NULL, NULL, err);
}

int fw_freq_step_until(fw_ws *ws, const fw_hit_filter *f, fw_freq *fq, long long slice, bool (*stop)(void *ctx),
                       void *ctx, fw_err *err)
{
    if (fq->done)
        return 1;
    fw_hit_where w;
    if (fw_hit_where_build(ws, f, 0, &w, err))
        return -1;
    fw_err e = {0};
    freq_batch b = {0};
    slice_evidence ev = {0};
    if (stop)
        fw_db_watch_fn(ws->store, stop, ctx);
    int rc = evidence_read(ws, fq->next_id, fq->next_id + slice, &ev, &e);
    if (rc == FW_OK)
        rc = slice_read(ws, f, fq, &w, slice, &ev, &b, &e);
    if (stop)
        fw_db_watch_fn(ws->store, NULL, NULL);
    fw_hit_where_free(&w);
    evidence_free(&ev);
    if (rc == FW_OK)
        batch_count(fq, &b, b.n);
    if (rc != FW_OK && stop && e.code == FW_EINTR) {
        /* Stopped inside the slice: the hits read are counted whole (each came with its payments,
         * in id order); the counting ends there. */
        if (b.n) {
            fq->next_id = b.hits[b.n - 1].id + 1;
            batch_count(fq, &b, b.n);
        }
        batch_free(&b);
        return 2;
    }
    batch_free(&b);
    if (rc != FW_OK) {
        fw_fail(err, FW_EWORKSPACE, _("Could not read %s from the workspace (%s)."), _("the frequency of the column"), e.msg);
        return -1;
    }
    fq->next_id += slice;
    fq->done = fq->next_id > fq->max_id;
    if (!fq->sized && !fq->done)
        freq_foresee(fq);
    return fq->done ? 1 : 0;
}
static int freq_order(const void *a, const void *b)
{
    const fw_freq_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Rows still in order of first appearance, by count descending: a stable counting sort, linear in
 * the rows (a million ID numbers, nearly all counted once, sort in a tenth of qsort's time). The
 * rows are moved in place along the cycles of the permutation, not copied to a new array: zeroing
 * fresh pages for a copy of a million rows was a tenth of the counting. */
static void freq_counting_sort(fw_freq *fq)
{
    long long max = 0;
    for (int i = 0; i < fq->n; i++)
        if (fq->rows[i].count > max)
            max = fq->rows[i].count;
    long long *start = fw_calloc((size_t)max + 2, sizeof *start);
    for (int i = 0; i < fq->n; i++) /* counts descending: the bucket of count c is max - c */
        start[max - fq->rows[i].count + 1]++;
    for (long long c = 1; c <= max + 1; c++)
        start[c] += start[c - 1];
    int *dest = fw_malloc((size_t)fq->n * sizeof *dest); /* where each row goes */
    for (int i = 0; i < fq->n; i++)
        dest[i] = (int)start[max - fq->rows[i].count]++;
    free(start);
    for (int i = 0; i < fq->n; i++)
        while (dest[i] != i) { /* the row at i goes to dest[i]; the one there comes to i, and on */
            int j = dest[i];
            fw_freq_row r = fq->rows[j];
            fq->rows[j] = fq->rows[i];
            fq->rows[i] = r;
            dest[i] = dest[j];
            dest[j] = j;
        }
    free(dest);
}

void fw_freq_sort(fw_freq *fq)
{
    if (fq->sorted)
        return;
    if (fq->in_first_order && fq->n > 10000 && fq->count <= 100LL * fq->n)
        freq_counting_sort(fq);
    else
        qsort(fq->rows, (size_t)fq->n, sizeof *fq->rows, freq_order);
    fq->in_first_order = false;
    free(fq->slots); /* row indexes moved: the table is rebuilt if counting goes on (not when done) */
    fq->slots = NULL;
    fq->nslots = 0;
    fq->sorted = true;
}

/* A filter word's value cannot hold a space (words are split on spaces). */
static bool has_space(const char *s)
{
    return strpbrk(s, " \t") != NULL;
}

char *fw_freq_selection(const fw_freq *fq, const fw_freq_row *r, bool *is_search)
{
    const char *v = fw_freq_value(fq, r);
    *is_search = false;
    if (r->null || !*v)
        return NULL;
    switch (fq->col) {
    case FW_FREQ_NAME: case FW_FREQ_ID_NUMBER:
        *is_search = true;
        return fw_strdup(v);
    case FW_FREQ_AMOUNT: {
        long long fen = strtoll(v, NULL, 10);
        return fw_printf("amount>=%lld.%02lld amount<=%lld.%02lld", fen / 100, fen % 100, fen / 100, fen % 100);
    }
    case FW_FREQ_VILLAGE: {
        const char *sep = strchr(v, '\x1f');
        if (!sep || has_space(v))
            return NULL;
        return sep == v ? fw_printf("village=%s", sep + 1) : fw_printf("township=%.*s village=%s", (int)(sep - v), v, sep + 1);
    }
    default: {
        static const char *const key[FW_FREQ_COUNT_] = {
            [FW_FREQ_SEVERITY] = "severity", [FW_FREQ_RULE] = "rule", [FW_FREQ_CATEGORY] = "category",
            [FW_FREQ_STATUS] = "status", [FW_FREQ_TOWNSHIP] = "township", [FW_FREQ_PROGRAM] = "program",
        };
        return has_space(v) ? NULL : fw_printf("%s=%s", key[fq->col], v);
    }
    }
}

