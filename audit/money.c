/* money.c: the one query for the money at issue of sets of hits (see money.h for the rule it
 * implements and why). Everything that shows a money total builds its SQL with fw_money_ctes. */
#include "audit/money.h"

#include <math.h>
#include <stdlib.h>

/* The CTEs, in evaluation order:
 *   fw_money_set   the (set, hit) pairs;
 *   fw_money_hit   the hits of any set, with their figure and whether they can be payment-based;
 *   fw_money_ev    each cited payment of those hits (ds_payments rowid and amount);
 *   fw_money_base  the payment-based hits: their cited payments' total (not 0);
 *   fw_money_hs    each payment's share of its hit's figure;
 *   fw_money_share per set and payment, the largest share (the payment counted once);
 *   fw_money_other per set, the hits and the figures of those not payment-based;
 *   fw_money       per set, the totals. */
char *fw_money_ctes(const char *sets)
{
    return fw_printf(
        "fw_money_set(grp, hit_id) AS MATERIALIZED (%s),\n"
        "fw_money_hit(hit_id, ha, counted) AS MATERIALIZED (SELECT h.id, h.amount, h.subject_kind <> 'village' "
        "FROM hits h WHERE h.id IN (SELECT hit_id FROM fw_money_set)),\n"
        "fw_money_ev(hit_id, pid, pa, ha) AS MATERIALIZED (SELECT mh.hit_id, p.rowid, p.amount, mh.ha "
        "FROM fw_money_hit mh JOIN hit_evidence e ON e.hit_id = mh.hit_id AND e.dataset = 'payments' "
        "JOIN ds_payments p ON p.row_key = e.row_key WHERE mh.counted),\n"
        "fw_money_base(hit_id, evsum) AS MATERIALIZED (SELECT hit_id, sum(pa) FROM fw_money_ev "
        "GROUP BY hit_id HAVING sum(pa) <> 0),\n"
        "fw_money_hs(hit_id, pid, share) AS (SELECT ev.hit_id, ev.pid, ev.pa * 1.0 * ev.ha / b.evsum "
        "FROM fw_money_ev ev JOIN fw_money_base b ON b.hit_id = ev.hit_id),\n"
        "fw_money_share(grp, pid, share) AS MATERIALIZED (SELECT s.grp, hs.pid, max(hs.share) "
        "FROM fw_money_set s JOIN fw_money_hs hs ON hs.hit_id = s.hit_id GROUP BY s.grp, hs.pid),\n"
        "fw_money_other(grp, other, hits) AS (SELECT s.grp, "
        "sum(CASE WHEN b.hit_id IS NULL THEN mh.ha ELSE 0 END), count(*) FROM fw_money_set s "
        "JOIN fw_money_hit mh ON mh.hit_id = s.hit_id LEFT JOIN fw_money_base b ON b.hit_id = s.hit_id "
        "GROUP BY s.grp),\n"
        "fw_money(grp, paid, other, hits) AS MATERIALIZED (SELECT o.grp, CAST(round(COALESCE(p.paid, 0)) AS INTEGER), "
        "o.other, o.hits FROM fw_money_other o LEFT JOIN (SELECT grp, sum(share) AS paid FROM fw_money_share "
        "GROUP BY grp) p ON p.grp = o.grp)\n",
        sets);
}

int fw_money_of(fw_ws *ws, const char *hits_sql, const char *text1, fw_money *out, fw_err *err)
{
    char *sets = fw_printf("SELECT 0, x.* FROM (%s) x", hits_sql);
    char *ctes = fw_money_ctes(sets);
    char *sql = fw_printf("WITH %s SELECT paid, other, hits FROM fw_money", ctes);
    free(sets);
    free(ctes);
    sqlite3_stmt *st;
    int rc = fw_ws_prepare(ws, sql, &st, err);
    free(sql);
    if (rc)
        return rc;
    if (text1)
        sqlite3_bind_text(st, 1, text1, -1, SQLITE_TRANSIENT);
    *out = (fw_money){0};
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        out->paid = sqlite3_column_int64(st, 0);
        out->other = sqlite3_column_int64(st, 1);
        out->hits = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return fw_fail(err, FW_EWORKSPACE, "cannot total the money at issue: %s", sqlite3_errmsg(ws->db));
    return FW_OK;
}

/* --- running totals ----------------------------------------------------------------------------- */

static long long next_acc_id(void)
{
    static long long last;
    return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

int fw_money_acc_begin(fw_ws *ws, fw_money_acc *acc, fw_err *err)
{
    fw_money_acc_end(acc);
    acc->db = ws->db;
    acc->id = next_acc_id();
    char *sql = fw_printf("CREATE TEMP TABLE fw_money_acc_%lld(pid INTEGER PRIMARY KEY, share REAL NOT NULL)",
                          acc->id);
    int rc = sqlite3_exec(ws->db, sql, NULL, NULL, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        *acc = (fw_money_acc){0};
        return fw_fail(err, FW_EWORKSPACE, "cannot start a money total: %s", sqlite3_errmsg(ws->db));
    }
    return FW_OK;
}

char *fw_money_acc_add_sql(const fw_money_acc *acc, const char *sets)
{
    char *ctes = fw_money_ctes(sets);
    /* What the slice adds: for each payment, how much its share exceeds what earlier slices gave it. */
    char *sql = fw_printf("WITH %s SELECT (SELECT COALESCE(sum(max(ms.share - COALESCE(a.share, 0), 0)), 0) "
                          "FROM fw_money_share ms LEFT JOIN temp.fw_money_acc_%lld a ON a.pid = ms.pid), "
                          "(SELECT COALESCE(sum(other), 0) FROM fw_money), (SELECT COALESCE(sum(hits), 0) FROM fw_money)",
                          ctes, acc->id);
    free(ctes);
    return sql;
}

char *fw_money_acc_merge_sql(const fw_money_acc *acc, const char *sets)
{
    char *ctes = fw_money_ctes(sets);
    char *sql = fw_printf("WITH %s INSERT INTO temp.fw_money_acc_%lld(pid, share) SELECT pid, share "
                          "FROM fw_money_share WHERE true ON CONFLICT(pid) DO UPDATE SET share = "
                          "max(share, excluded.share)",
                          ctes, acc->id);
    free(ctes);
    return sql;
}

void fw_money_acc_end(fw_money_acc *acc)
{
    if (acc->id > 0 && acc->db) {
        char *sql = fw_printf("DROP TABLE IF EXISTS temp.fw_money_acc_%lld", acc->id);
        sqlite3_exec(acc->db, sql, NULL, NULL, NULL);
        free(sql);
    }
    *acc = (fw_money_acc){0};
}

long long fw_money_acc_paid(const fw_money_acc *acc)
{
    return llround(acc->paid);
}
