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
 * starts an accumulator on this connection (acc zeroed, or one begun before: it is ended first).
 * Per slice: run the statement of add_sql (built from a SELECT of the slice's hit ids; its
 * positional parameters are the caller's to bind), then take, which adds the slice to paid, other
 * and hits. End drops the accumulator. */
typedef struct fw_money_acc {
    struct fw_db *db; /* the connection holding the accumulator */
    long long id;  /* 0 = none */
    double paid;   /* fen, unrounded */
    long long other, hits;
} fw_money_acc;
int fw_money_acc_begin(fw_ws *ws, fw_money_acc *acc, fw_err *err);
char *fw_money_acc_add_sql(const fw_money_acc *acc, const char *hits_sql);
int fw_money_acc_take(fw_money_acc *acc, fw_err *err);
void fw_money_acc_end(fw_money_acc *acc);
/* The accumulated payment-based money, rounded to the fen. */
long long fw_money_acc_paid(const fw_money_acc *acc);

#endif
