/* freq.h: the frequency of a column of the hit list (the TUI's F, VisiData's Shift-F): each value
 * of one column among the hits of a filter, with its number of hits and its money at issue (each
 * payment once, audit/money.h), counted in slices of hit ids so a screen stays live and can stop
 * between two slices.
 *
 * Why a module of its own: the counting is not SQL's GROUP BY (which sorts every row: seconds at a
 * million hits on a column of a million values) but one pass over the hits into a hash table, and
 * the money of each value is summed in the same pass (fw_money_sets); that is neither paging nor a
 * figure of the screens' other queries (browse.c). */
#ifndef FW_FREQ_H
#define FW_FREQ_H

#include <stdbool.h>

#include "audit/hitfilter.h"
#include "audit/money.h"
#include "audit/store.h"

/* The columns whose values can be counted, each with the filter words that select one value. */
enum fw_freq_col {
    FW_FREQ_SEVERITY, FW_FREQ_RULE, FW_FREQ_CATEGORY, FW_FREQ_STATUS, FW_FREQ_TOWNSHIP, FW_FREQ_VILLAGE,
    FW_FREQ_PROGRAM, FW_FREQ_NAME, FW_FREQ_ID_NUMBER, FW_FREQ_AMOUNT, FW_FREQ_COUNT_
};
const char *fw_freq_col_name(enum fw_freq_col c); /* "rule", ... (stable, English) */

typedef struct fw_freq_row {
    long long count;   /* hits */
    double paid;       /* fen, unrounded: money at issue of the hits, each payment once (fw_freq_paid) */
    long long other;   /* fen: figures of its hits not based on payments (village statistics) */
    long long key;     /* the amount column: the amount (fen), compared as a number */
    size_t value;      /* offset of the value's text in fw_freq.text ("" = none) */
    unsigned first;    /* order of first appearance: ties keep the list's id order; the money's set */
    unsigned hash;     /* of the value, kept so the table grows without hashing again */
    bool null;         /* the column is empty on these hits */
} fw_freq_row;

/* The counts of one column's values among the hits of a filter. A value's money counts a payment
 * once however many of its hits cite it; the total counts it once over all values, so a payment
 * cited by hits of two values counts under each value and once in the total. */
typedef struct fw_freq {
    enum fw_freq_col col;
    fw_freq_row *rows;
    int n, cap;
    fw_buf text;             /* the values, NUL-separated */
    struct fw_freq_slot { unsigned hash; int row; } *slots; /* row index + 1 (0 = free) with its
                             * value's hash, so a probe reads no row; NULL after a sort */
    int nslots, min_slots;   /* min_slots: the first size (the table grows as values come) */
    long long count;         /* hits over all values */
    long long top;           /* the largest count so far */
    fw_money_sets money;     /* the money per value (set = row's first) and the total */
    long long next_id, max_id;
    bool done, sorted;
    bool sized;          /* the arrays were sized once for the values to come (freq_foresee) */
    bool in_first_order; /* rows still in order of first appearance (not sorted yet) */
} fw_freq;

void fw_freq_init(fw_ws *ws, fw_freq *fq, enum fw_freq_col col);
/* One slice; 1 when done, 0 when more is left, < 0 on error (err set). */
int fw_freq_step(fw_ws *ws, const fw_hit_filter *f, fw_freq *fq, long long slice, fw_err *err);
/* The same, stopped inside the slice as soon as stop(ctx) says so (asked about every millisecond
 * while the slice's query runs, on the calling thread: the screen's look at the keyboard): 2, the
 * hits read whole before it counted (fq->next_id the first one not counted), the rest not. */
int fw_freq_step_until(fw_ws *ws, const fw_hit_filter *f, fw_freq *fq, long long slice, bool (*stop)(void *ctx),
                       void *ctx, fw_err *err);
/* Orders the rows by count, largest first (ties: first seen first). */
void fw_freq_sort(fw_freq *fq);
const char *fw_freq_value(const fw_freq *fq, const fw_freq_row *r);
/* A value's money at issue, fen, rounded as every other screen rounds it (audit/money.h). */
long long fw_freq_paid(const fw_freq_row *r);
/* The total over every value counted so far: payment-based (each payment once) and not. */
long long fw_freq_total_paid(const fw_freq *fq);
long long fw_freq_total_other(const fw_freq *fq);
/* The filter words that select a row's value ("rule=DEC-001", "township=X village=Y",
 * "amount>=12.00 amount<=12.00"), or for a name or ID number the search text; caller frees. NULL
 * when the value cannot be selected (empty, or with a space a filter word cannot hold). *is_search
 * tells which. */
char *fw_freq_selection(const fw_freq *fq, const fw_freq_row *r, bool *is_search);
void fw_freq_free(fw_freq *fq);

#endif
