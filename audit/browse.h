/* browse.h: the engine-side queries behind the interactive screens (tui/) and `fundwatch overview`:
 * the dashboard figures, the paged hit list with filters, search and sort, person detail, lookup
 * by ID or name, and the rule list. All SQL the screens need lives in browse.c; the screens only
 * receive plain C records (strings already copied, money in fen), so no statement outlives a call.
 *
 * Why paging by key (keyset) and not by loading rows: the hit list must stay fast at a million
 * hits. A page is fetched by its neighbour's sort key (WHERE (col, id) > (?, ?) ... LIMIT n), which
 * walks an index from the right place; counts and totals of a filter are computed in slices of ids
 * (fw_hit_totals_step) so the screen can show the list at once and fill the figures in. */
#ifndef FW_BROWSE_H
#define FW_BROWSE_H

#include <stdbool.h>

#include "audit/freq.h" /* the frequency of a column, for the screens that include this */
#include "audit/hitfilter.h"
#include "audit/money.h"
#include "audit/rows.h"
#include "audit/store.h"

/* --- overview ----------------------------------------------------------------------------------- */

/* One figure of the dashboard. section is one of: dataset, run, total, category, severity, status,
 * village, program_month. Unused numbers are -1 (printed empty). */
typedef struct fw_ov_row {
    char *section;
    char *item;
    long long count;
    long long amount;   /* fen: the payments total of a dataset; of hits the money at issue, each
                         * payment once (audit/money.h) */
    long long other;    /* fen: figures of hits not based on payments (village statistics) */
    long long rejected; /* dataset rows refused by imports */
    char *first, *last; /* dates (dataset range, run start/finish, first/last hit date) */
} fw_ov_row;

typedef struct fw_overview {
    fw_ov_row *rows;
    int n;
} fw_overview;

/* The one query that yields every figure, as rows (columns: section, item, count, amount,
 * other_amount, rejected, first, last; the caller closes them). `fundwatch overview` prints them;
 * fw_overview_load reads them, so the two cannot disagree. Clusters are limited to `top` rows each. */
int fw_overview_prepare(fw_ws *ws, int top, fw_rows **rows, fw_err *err);
int fw_overview_load(fw_ws *ws, int top, fw_overview *ov, fw_err *err);
/* The same, stopped as soon as stop(ctx) says so (asked on the calling thread, about every
 * millisecond while the query runs: a flag another thread sets, read atomically): FW_EINTR, nothing
 * loaded. The TUI's overview computes on a worker thread and stops it when the screen is left. */
/* The overview's rows (section "total") of the verification orders, present once an order exists:
 * the open ones (neither settled nor cancelled), and those of them past their due date. */
#define FW_OV_ORDERS_OPEN "open verification orders"
#define FW_OV_ORDERS_OVERDUE "overdue verification orders"
int fw_overview_load_until(fw_ws *ws, int top, bool (*stop)(void *ctx), void *ctx, fw_overview *ov, fw_err *err);
void fw_overview_free(fw_overview *ov);

/* --- the hit list -------------------------------------------------------------------------------- */

/* The columns a hit list can be sorted by, each walking an index. */
enum fw_hit_sort {
    FW_SORT_ID,
    FW_SORT_SEVERITY,
    FW_SORT_RULE,
    FW_SORT_NAME,
    FW_SORT_ID_NUMBER,
    FW_SORT_VILLAGE,
    FW_SORT_PROGRAM,
    FW_SORT_AMOUNT,
    FW_SORT_STATUS, /* case status in workflow order (new, verifying, ... dismissed); a join, see browse.c */
    FW_SORT_COUNT_
};
const char *fw_hit_sort_name(enum fw_hit_sort s); /* "amount", ... (stable, English) */

/* The filter is the one of audit/hitfilter.h (shared with the CLI and export). */
/* Parses "category=deceased rule=DEC-001 severity=high status=new township=X village=Y
 * program=P amount>=1000 amount<=5000 all" (amounts in yuan; all: state "all") into f (replacing
 * its contents except search). Returns FW_EUSAGE with err naming the bad word. */
int fw_hit_filter_parse(fw_hit_filter *f, const char *text, fw_err *err);
/* The filter as text in the same syntax (caller frees); "" when empty. */
char *fw_hit_filter_format(const fw_hit_filter *f);

typedef struct fw_hit_row {
    long long id;
    char rule_id[16], category[16], severity[8], status[20];
    char *name, *id_number, *township, *village, *program, *detail;
    long long amount;
    char first_date[11], last_date[11];
    long long case_id;           /* 0 = none */
    char state[12];              /* present, gone, whitelisted */
    char subject_kind[12];       /* person, household, village, account: what the hit is about */
    /* The sort key of this row, so the next page can be fetched after it. */
    enum fw_dbt key_type;        /* FW_DBT_INT, FW_DBT_TEXT or FW_DBT_NULL */
    long long key_int;
    char *key_text;
} fw_hit_row;

void fw_hit_row_clear(fw_hit_row *r);

/* Fetches up to n rows into out (caller provides n slots; fills *got). With anchor NULL: the first
 * rows (forward) or the last rows (backward), in list order. With an anchor: the rows after it
 * (forward) or before it (backward), still returned in list order. */
int fw_hits_page(fw_ws *ws, const fw_hit_filter *f, enum fw_hit_sort sort, bool desc,
                 const fw_hit_row *anchor, bool backward, int n, fw_hit_row *out, int *got,
                 fw_err *err);

/* Narrows f by more filter words (as fw_hit_filter_parse reads them): both must hold. A word that
 * contradicts f (rule=A on a list of rule=B) leaves no hit: *empty is set. FW_EUSAGE on a bad word. */
int fw_hit_filter_narrow(fw_hit_filter *f, const char *words, bool *empty, fw_err *err);
/* The ids of every hit of the filter, ascending (marking a whole list). Caller frees *ids. */
int fw_hit_ids(fw_ws *ws, const fw_hit_filter *f, long long **ids, long long *n, fw_err *err);
/* The distinct cases of a set of hits (ids), ascending, for a batch change; *without gets the
 * number of those hits that have no case. Caller frees *cases. */
int fw_hits_cases(fw_ws *ws, const long long *ids, long long n, long long **cases, long long *ncases,
                  long long *without, fw_err *err);

/* Count and money total of a filter, computed in slices of hit ids so a caller can keep a screen
 * responsive: init, then call step until it returns 1 (done); 0 = more to do; <0 = error; free
 * when done with it (also before an init that starts over). The money counts each payment once
 * across all slices (audit/money.h). */
typedef struct fw_hit_totals {
    long long count;
    long long amount; /* fen: money at issue, each payment once */
    long long other;  /* fen: figures of hits not based on payments (village statistics) */
    long long next_id, max_id;
    bool done;
    fw_money_acc money;
} fw_hit_totals;
void fw_hit_totals_init(fw_ws *ws, fw_hit_totals *t);
void fw_hit_totals_free(fw_hit_totals *t);
int fw_hit_totals_step(fw_ws *ws, const fw_hit_filter *f, fw_hit_totals *t, long long slice,
                       fw_err *err);
/* Distinct values of a column among hits (category, rule_id, severity, township, village,
 * program), for filter pick lists. Returns a NULL-terminated array (caller frees with
 * fw_strv_free). */
char **fw_hit_values(fw_ws *ws, const char *column, int limit, fw_err *err);
void fw_strv_free(char **v);

/* --- person detail ------------------------------------------------------------------------------ */

/* Sections of a person's page, in display order. */
enum fw_detail_section {
    FW_DS_PERSON,    /* registry record(s) */
    FW_DS_HOUSEHOLD, /* members of the household */
    FW_DS_PAYMENTS,  /* every payment; implicated ones flagged */
    FW_DS_EVIDENCE,  /* rows of each registry (death, official post, relation, vehicle, ...) */
    FW_DS_HITS,      /* every hit on this person and household */
    FW_DS_CASE,      /* case record, notes and audit trail */
    FW_DS_COUNT_
};
const char *fw_detail_section_title(enum fw_detail_section s); /* N_() English; translate to show */

enum { FW_DR_IMPLICATED = 1, FW_DR_HEADER = 2 };

/* One line of a section: cells as text (money already in yuan), an optional person to jump to
 * (link: an ID number) and flags. A FW_DR_HEADER row holds the column titles (N_() strings). */
typedef struct fw_detail_row {
    enum fw_detail_section section;
    int flags;
    char *link;      /* ID number of a related person, or NULL */
    long long hit_id; /* for FW_DS_HITS rows, else 0 */
    int ncells;
    char **cells;
} fw_detail_row;

typedef struct fw_person {
    char *id_number, *name, *household_id;
    long long case_id;
    fw_money money; /* of the present hits listed under FW_DS_HITS, each payment once */
    fw_detail_row *rows;
    int n, cap;
} fw_person;

/* Loads everything known about one ID number. FW_ENOTFOUND when no dataset and no hit mentions it. */
int fw_person_load(fw_ws *ws, const char *id_number, fw_person *p, fw_err *err);
void fw_person_free(fw_person *p);
/* The case a hit belongs to; -1 with FW_ENOTFOUND when it has none. */
long long fw_hit_case(fw_ws *ws, long long hit_id, fw_err *err);

/* --- lookup --------------------------------------------------------------------------------------- */

typedef struct fw_lookup_row {
    char *id_number, *name;
    char *sources;   /* "persons, payments ×12, deaths" */
    long long paid;  /* fen, sum of payments */
    long long hits;
} fw_lookup_row;

/* People whose ID number starts with q (when q looks like an ID) or whose name starts with q, in
 * any dataset or hit. Up to limit rows; caller frees with fw_lookup_free. */
int fw_lookup(fw_ws *ws, const char *q, int limit, fw_lookup_row **rows, int *n, fw_err *err);
void fw_lookup_free(fw_lookup_row *rows, int n);

/* --- rules --------------------------------------------------------------------------------------- */

typedef struct fw_rule_row {
    char *rule_id, *category, *file, *last_run_at, *status;
    char *name;          /* from the rule file, in the interface's language; "" when no file names it */
    long long hits;     /* present hits now */
    long long last_hits; /* hits in the last run that ran it */
    bool enabled;
} fw_rule_row;

/* Every rule seen in a run or a hit, with its enablement from rule_settings, grouped by category. */
int fw_rules_list(fw_ws *ws, fw_rule_row **rows, int *n, fw_err *err);
void fw_rules_free(fw_rule_row *rows, int n);
/* Sets rule_settings(rule, 'enabled') and records it in the audit trail. */
int fw_rule_set_enabled(fw_ws *ws, const char *rule_id, bool enabled, fw_err *err);

/* --- the audit trail in words ------------------------------------------------------------------- */

/* --- watching for other writers ------------------------------------------------------------------ */

/* Changes when another connection commits to the workspace (fw_db_data_version; on PostgreSQL our
 * own writes move it too, so a screen reads it again after writing, as the callers do). */
long long fw_ws_data_version(fw_ws *ws);
/* After fw_ws_data_version moved: the ids of the cases others changed since the last call
 * (fw_db_changed_cases; *all true when they cannot be named, then compare what is shown). */
void fw_ws_changed_cases(fw_ws *ws, long long **ids, int *n, bool *all);

/* Formats fen as yuan with thousands separators ("12,345.60"). out needs 32 bytes. */
void fw_yuan(long long fen, char out[32]);

#endif
