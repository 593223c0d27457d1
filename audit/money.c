/* money.c: the one query for the money at issue of sets of hits (see money.h for the rule it
 * implements and why). Everything that shows a money total builds its SQL with fw_money_ctes, or,
 * for a total summed a slice at a time, uses the running total below: the same rule with the
 * payments' shares kept in memory between slices. */
#include "audit/money.h"
#include "audit/i18n.h"
#include "audit/store/store.h"

#include <math.h>
#include <stdlib.h>

/* The CTEs, in evaluation order:
 *   fw_money_set     the (set, hit) pairs;
 *   fw_money_univ    the hits of any set, once;
 *   fw_money_ev      each payment those hits cite (ds_payments rowid, amount) with the hit's figure,
 *                    village hits left out;
 *   fw_money_base    the payment-based hits: their cited payments' total (not 0);
 *   fw_money_pshare  per set and payment, the largest share any of the set's hits gives it: the
 *                    hit's figure spread over its payments in proportion to their amounts;
 *   fw_money         per set, the totals: the shares summed (each payment once), the figures of
 *                    the hits that are not payment-based, the hits and their dates.
 * Totals are BIGINT: PostgreSQL's INTEGER is 32 bits, and a county's money at issue passes 2^31 fen
 * (tests/e2e/money_large.sh). */
static char *money_ctes(const char *set_cte, const char *universe)
{
    return fw_printf(
        "%s,\n"
        "fw_money_univ(hit_id) AS MATERIALIZED (%s),\n"
        "fw_money_ev(hit_id, pid, pa, ha) AS MATERIALIZED (SELECT h.id, p.rowid, p.amount, h.amount FROM hits h "
        "JOIN hit_evidence e ON e.hit_id = h.id AND e.dataset = 'payments' JOIN ds_payments p ON p.row_key = e.row_key "
        "WHERE h.id IN (SELECT hit_id FROM fw_money_univ) AND h.subject_kind <> 'village'),\n"
        "fw_money_base(hit_id, evsum) AS MATERIALIZED (SELECT hit_id, sum(pa) FROM fw_money_ev GROUP BY hit_id "
        "HAVING sum(pa) <> 0),\n"
        "fw_money_pshare(grp, pid, share) AS MATERIALIZED (SELECT s.grp, ev.pid, max(ev.pa * 1.0 * ev.ha / b.evsum) "
        "FROM fw_money_ev ev JOIN fw_money_base b ON b.hit_id = ev.hit_id JOIN fw_money_set s ON s.hit_id = ev.hit_id "
        "GROUP BY s.grp, ev.pid),\n"
        "fw_money(grp, paid, other, hits, first, last) AS MATERIALIZED (SELECT s.grp, "
        "CAST(round(COALESCE((SELECT sum(ps.share) FROM fw_money_pshare ps WHERE ps.grp = s.grp), 0)) AS BIGINT), "
        "sum(CASE WHEN b.hit_id IS NULL THEN h.amount ELSE 0 END), count(*), min(h.first_date), max(h.last_date) "
        "FROM fw_money_set s JOIN hits h ON h.id = s.hit_id LEFT JOIN fw_money_base b ON b.hit_id = s.hit_id "
        "GROUP BY s.grp)\n",
        set_cte, universe ? universe : "SELECT DISTINCT hit_id FROM fw_money_set");
}

char *fw_money_ctes(const char *sets)
{
    char *set_cte = fw_printf("fw_money_set(grp, hit_id) AS MATERIALIZED (%s)", sets);
    char *ctes = money_ctes(set_cte, NULL);
    free(set_cte);
    return ctes;
}

char *fw_money_ctes_on(const char *table, const char *universe)
{
    char *set_cte = fw_printf("fw_money_set(grp, hit_id) AS NOT MATERIALIZED (SELECT grp, hit_id FROM %s)", table);
    char *ctes = money_ctes(set_cte, universe);
    free(set_cte);
    return ctes;
}

int fw_money_of(fw_ws *ws, const char *hits_sql, const char *text1, fw_money *out, fw_err *err)
{
    char *sets = fw_printf("SELECT 0, x.* FROM (%s) x", hits_sql);
    char *ctes = fw_money_ctes(sets);
    char *sql = fw_printf("WITH %s SELECT paid, other, hits FROM fw_money", ctes);
    free(sets);
    free(ctes);
    fw_stmt *st;
    fw_err e = {0};
    int rc = fw_db_prepare(ws->store, sql, &st, &e);
    free(sql);
    if (rc)
        return fw_fail(err, e.code, "%s", e.msg);
    if (text1)
        fw_stmt_bind_text(st, 1, text1, -1);
    *out = (fw_money){0};
    int step = fw_stmt_step(st, &e);
    if (step == 1) {
        out->paid = fw_stmt_int64(st, 0);
        out->other = fw_stmt_int64(st, 1);
        out->hits = fw_stmt_int64(st, 2);
    }
    fw_stmt_finalize(st);
    if (step < 0)
        return fw_fail(err, e.code, _("cannot total the money at issue: %s"), e.msg);
    return FW_OK;
}

/* --- in memory, for many sets at once ------------------------------------------------------------ */

typedef struct fw_money_share {
    long long pid; /* 0 = free (payments are rowids, from 1) */
    unsigned set;
    double share;
} fw_money_share;

static size_t share_hash(long long pid, unsigned set)
{
    unsigned long long h = (unsigned long long)pid * 0x9E3779B97F4A7C15ull ^ (unsigned long long)set * 0xC2B2AE3D27D4EB4Full;
    return (size_t)(h ^ h >> 29);
}

/* The slot of (pid, set) in a table of nslots (a power of two), free or holding it. */
static fw_money_share *share_slot(fw_money_share *slots, size_t nslots, long long pid, unsigned set)
{
    size_t k = share_hash(pid, set) & (nslots - 1);
    while (slots[k].pid && (slots[k].pid != pid || slots[k].set != set))
        k = (k + 1) & (nslots - 1);
    return &slots[k];
}

/* Room for one more: the table doubles when half full. */
static void share_reserve(fw_money_share **slots, size_t *nslots, size_t used)
{
    if ((used + 1) * 2 <= *nslots)
        return;
    size_t n = *nslots ? *nslots * 2 : 1024;
    fw_money_share *t = fw_calloc(n, sizeof *t);
    for (size_t i = 0; i < *nslots; i++)
        if ((*slots)[i].pid)
            *share_slot(t, n, (*slots)[i].pid, (*slots)[i].set) = (*slots)[i];
    free(*slots);
    *slots = t;
    *nslots = n;
}

/* Raises the share of (pid, set) to share; what it rose by. */
static double share_raise(fw_money_share **slots, size_t *nslots, size_t *used, long long pid, unsigned set, double share)
{
    share_reserve(slots, nslots, *used);
    fw_money_share *s = share_slot(*slots, *nslots, pid, set);
    if (!s->pid) { /* first met: its share whole (negative too, as SQL's max over one share) */
        *s = (fw_money_share){.pid = pid, .set = set, .share = share};
        ++*used;
        return share;
    }
    if (share <= s->share)
        return 0;
    double up = share - s->share;
    s->share = share;
    return up;
}

/* --- running totals ----------------------------------------------------------------------------
 * The same rule over a set that grows a slice at a time, kept in memory: every payment met so far
 * with its largest share (the share table below). A slice's hits are read with their cited payments
 * and each adds, per payment, what its share exceeds the share already counted; the hits not based
 * on payments add their figures. In memory, not in TEMP tables: a TEMP table's write is a write
 * transaction on PostgreSQL, which other sessions' snapshots (and fw_db_data_version) see. */

int fw_money_acc_begin(fw_ws *ws, fw_money_acc *acc, fw_err *err)
{
    (void)ws, (void)err;
    fw_money_acc_end(acc);
    acc->id = 1;
    return FW_OK;
}

char *fw_money_acc_add_sql(const fw_money_acc *acc, const char *hits_sql)
{
    (void)acc;
    return fw_printf("SELECT h.id, h.amount, " FW_MONEY_EVIDENCE_COLS " FROM hits h" FW_MONEY_EVIDENCE_JOIN("h")
                     " WHERE h.id IN (%s) ORDER BY h.id",
                     hits_sql);
}

/* One hit of the slice with its n cited payments. */
static void acc_add_hit(fw_money_acc *acc, long long figure, int n, const long long *pid, const long long *pa)
{
    long long evsum = 0;
    for (int i = 0; i < n; i++)
        evsum += pa[i];
    acc->hits++;
    if (evsum == 0) { /* not payment-based: a village statistic, or no payment cited */
        acc->other += figure;
        return;
    }
    for (int i = 0; i < n; i++)
        acc->paid += share_raise(&acc->slots, &acc->nslots, &acc->used, pid[i], 0,
                                 (double)pa[i] * 1.0 * (double)figure / (double)evsum);
}

int fw_money_acc_take(fw_money_acc *acc, fw_stmt *st, fw_err *err)
{
    long long hit = 0, figure = 0, *pid = NULL, *pa = NULL;
    int n = 0, cap = 0, step;
    fw_err e = {0};
    while ((step = fw_stmt_step(st, &e)) == 1) {
        if (hit && fw_stmt_int64(st, 0) != hit) {
            acc_add_hit(acc, figure, n, pid, pa);
            n = 0;
        }
        hit = fw_stmt_int64(st, 0);
        figure = fw_stmt_int64(st, 1);
        if (fw_stmt_is_null(st, 2))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            pid = fw_realloc(pid, (size_t)cap * sizeof *pid);
            pa = fw_realloc(pa, (size_t)cap * sizeof *pa);
        }
        pid[n] = fw_stmt_int64(st, 2);
        pa[n++] = fw_stmt_int64(st, 3);
    }
    if (step == 0 && hit)
        acc_add_hit(acc, figure, n, pid, pa);
    free(pid);
    free(pa);
    if (step < 0)
        return fw_fail(err, e.code, _("cannot total the money at issue: %s"), e.msg);
    return FW_OK;
}

void fw_money_acc_end(fw_money_acc *acc)
{
    free(acc->slots);
    *acc = (fw_money_acc){0};
}

long long fw_money_acc_paid(const fw_money_acc *acc)
{
    return llround(acc->paid);
}

void fw_money_sets_add(fw_money_sets *m, unsigned set, long long figure, int n, const long long *pid,
                       const long long *pa, double *paid, long long *other)
{
    long long evsum = 0;
    for (int i = 0; i < n; i++)
        evsum += pa[i];
    if (evsum == 0) { /* not payment-based: a village statistic, or no payment cited */
        *other += figure;
        m->other += figure;
        return;
    }
    /* The figure spread over the payments in proportion to their amounts (as fw_money_pshare). */
    for (int i = 0; i < n; i++) {
        double share = (double)pa[i] * 1.0 * (double)figure / (double)evsum;
        *paid += share_raise(&m->slots, &m->nslots, &m->used, pid[i], set, share);
        m->paid += share_raise(&m->all, &m->nall, &m->used_all, pid[i], 0, share);
    }
}

void fw_money_sets_free(fw_money_sets *m)
{
    free(m->slots);
    free(m->all);
    *m = (fw_money_sets){0};
}
