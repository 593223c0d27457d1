/* money.h: the money at issue of a set of hits, each payment counted once.
 *
 * Several rules often hit the same payments (paid after death: DEC-001 and DEC-003 cite the same
 * two payments), so adding up hits.amount counts a payment once per rule. Every money total a
 * person sees (a case, a person, the overview, the hit list's footer, workbooks, the CLI) is
 * computed by the one query built here, from the payments each hit cites (hit_evidence):
 *
 *  - A hit's money at risk (hits.amount, the rule's own figure) is spread over the payments it
 *    cites in proportion to their amounts. A rule that puts whole payments at risk (paid after
 *    death) gives each payment its full amount; one that puts part of them at risk (a duplicate,
 *    the excess over a standard) gives each payment its share of that part.
 *  - A payment cited by several hits of the set counts once, with the largest share any of them
 *    gives it. So one hit's money is its own figure; hits on different payments add up; two rules
 *    on the same payments count those payments once, and never more than they were paid.
 *  - A hit about a village (the statistical rules: the figure describes the village, the payments
 *    cited are a sample) or citing no payment is not payment-based: its figure is reported apart
 *    ("other") and never added to the payment-based money.
 *
 * Contract with the rules (docs/rules.md): a rule's evidence cites every payment its amount sums. */
#ifndef FW_MONEY_H
#define FW_MONEY_H

#include "audit/store.h"

/* The money of sets of hits as SQL, for a WITH clause. `sets` is a SELECT yielding (grp, hit_id)
 * rows: which hits form each set (each pair once; grp must not be NULL; a hit may be in several
 * sets; positional parameters in it are allowed, it appears once). The CTEs defined include
 *   fw_money(grp, paid, other, hits, first, last): per set, paid = fen of the payments behind its
 *       payment-based hits, each payment once (rounded to the fen); other = sum of the figures of
 *       its hits that are not payment-based; hits = number of hits; first, last = the earliest
 *       first_date and latest last_date of its hits.
 * Caller frees. */
char *fw_money_ctes(const char *sets);
/* The same over the (grp, hit_id) rows of a CTE or table the caller's WITH clause already made
 * (materialized once, read here as it is); universe, when not NULL, is a SELECT of every hit id the
 * sets hold, each once (saves finding them). Caller frees. */
char *fw_money_ctes_on(const char *table, const char *universe);

typedef struct fw_money {
    long long paid;  /* fen, each payment once */
    long long other; /* fen, figures not based on payments (village statistics) */
    long long hits;
} fw_money;

/* The money of one set: `hits_sql` selects hit ids (one column); text1, when not NULL, is bound to
 * ?1 in it. */
int fw_money_of(fw_ws *ws, const char *hits_sql, const char *text1, fw_money *out, fw_err *err);

/* A running total over a set that grows in slices (the hit list's footer, summed a slice of hit
 * ids at a time so the screen stays live): each payment still counts once across slices. Begin
 * starts an accumulator (acc zeroed, or one begun before: it is ended first). Per slice: prepare
 * the statement of add_sql (built from a SELECT of the slice's hit ids; its positional parameters
 * are the caller's to bind), then take, which reads it to its end and adds the slice to paid, other
 * and hits (the caller finalizes it). End frees the accumulator. It is kept in memory, so summing
 * writes nothing to the workspace (on PostgreSQL, no other session sees a transaction). */
struct fw_stmt;
typedef struct fw_money_acc {
    long long id;  /* 0 = not begun */
    double paid;   /* fen, unrounded */
    long long other, hits;
    struct fw_money_share *slots; /* every payment met so far with its largest share */
    size_t nslots, used;
} fw_money_acc;
int fw_money_acc_begin(fw_ws *ws, fw_money_acc *acc, fw_err *err);
char *fw_money_acc_add_sql(const fw_money_acc *acc, const char *hits_sql);
int fw_money_acc_take(fw_money_acc *acc, struct fw_stmt *st, fw_err *err);
void fw_money_acc_end(fw_money_acc *acc);
/* The accumulated payment-based money, rounded to the fen. */
long long fw_money_acc_paid(const fw_money_acc *acc);

/* --- in memory, for many sets at once ------------------------------------------------------------
 * The same rule for a caller that reads the hits itself, one pass, and sums them into as many sets
 * as it likes (the frequency view: a million hits into a million ID numbers, where a SQL GROUP BY
 * per set would sort every row). Each hit's cited payments come from FW_MONEY_EVIDENCE_JOIN, one
 * row per payment (NULLs when it cites none), the rows of a hit together (ORDER BY the hit's id);
 * the caller gathers them and hands the hit over with fw_money_sets_add. Sets are numbered by the
 * caller (any unsigned number, stable while counting); the total over every set is kept too, each
 * payment once across all of them. */
#define FW_MONEY_EVIDENCE_JOIN(h)                                                                           \
    " LEFT JOIN hit_evidence fw_me ON fw_me.hit_id = " h ".id AND fw_me.dataset = 'payments' AND " h          \
    ".subject_kind <> 'village' LEFT JOIN ds_payments fw_mp ON fw_mp.row_key = fw_me.row_key"
#define FW_MONEY_EVIDENCE_COLS "fw_mp.rowid, fw_mp.amount" /* the payment and its amount, or NULLs */
/* The same payments for a range of hit ids read apart from the hits (hit id, payment, amount; ids
 * bound as ?1 <= hit id < ?2), in hit id order: a range scan of hit_evidence instead of a probe per
 * hit. The caller drops those of hits about a village, as the join's condition does. */
#define FW_MONEY_EVIDENCE_OF_IDS                                                                            \
    "SELECT fw_me.hit_id, " FW_MONEY_EVIDENCE_COLS " FROM hit_evidence fw_me JOIN ds_payments fw_mp ON "      \
    "fw_mp.row_key = fw_me.row_key WHERE fw_me.dataset = 'payments' AND fw_me.hit_id >= ? AND "               \
    "fw_me.hit_id < ? ORDER BY fw_me.hit_id"

typedef struct fw_money_sets {
    struct fw_money_share *slots; /* open addressing on (set, payment); at most half full */
    size_t nslots, used;
    struct fw_money_share *all;   /* the same on the payment alone: the total's shares */
    size_t nall, used_all;
    double paid;                  /* the total, fen unrounded */
    long long other;
} fw_money_sets;

/* One hit of set `set`: its figure (hits.amount) and the n payments it cites (payment ids, amounts;
 * n = 0 for none, or for a hit about a village). Adds to *paid (the set's payment-based money, fen,
 * unrounded: what the hit's shares exceed the shares the set already holds) or to *other. */
void fw_money_sets_add(fw_money_sets *m, unsigned set, long long figure, int n, const long long *pid,
                       const long long *pa, double *paid, long long *other);
void fw_money_sets_free(fw_money_sets *m); /* zeroed: ready again */

#endif
