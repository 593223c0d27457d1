/* hitfilter.h: "the hits matching a filter", once. The CLI's hit listing (`fundwatch hits`), the
 * TUI's hit list, its totals and frequencies, and every export (workbooks, CSV lists) select hits
 * through this one filter type and this one query builder, so `x` on the list exports exactly what
 * the list shows and `fundwatch hits` prints the same rows (issue 11, item 2).
 *
 * Why a module of its own and not browse.h: the filter is shared by three callers of which the
 * screens' queries (browse.c) are only one; export and the CLI should not depend on the screens'
 * module to say which hits they mean, and browse.c is about paging and figures, not selection.
 *
 * Vocabulary members (category, severity, status, state) take the code (deceased, high, new,
 * gone) or either label (死亡人员, 高, 待核查, 已消失): audit/vocab.h reads them; fw_known_value
 * (audit/known.h) is how a caller checks a typed value against the workspace first. */
#ifndef FW_HITFILTER_H
#define FW_HITFILTER_H

#include <stdbool.h>

#include "audit/rows.h"
#include "audit/store.h"

/* A filter; NULL or empty members do not filter. The strings are owned by the filter when it went
 * through fw_hit_filter_parse or fw_hit_filter_copy (free with fw_hit_filter_free); a caller that
 * points them at its own strings does not call free. cases is always borrowed. */
typedef struct fw_hit_filter {
    char *category, *rule_id, *severity, *status, *township, *village, *program;
    bool has_min, has_max;             /* whether min_amount / max_amount bound the amount */
    long long min_amount, max_amount;  /* fen, inclusive */
    char *search;   /* prefix of the name, or of the ID number when all digits (and X/x) */
    char *state;    /* hits.state: NULL or "" = present only; gone, whitelisted; "all" = every state */
    const char *const *cases; /* case numbers (FW-2026-000001) or numeric case ids; borrowed */
    int ncases;
    long long run_id; /* hits seen last by this run; 0 = any */
} fw_hit_filter;

void fw_hit_filter_init(fw_hit_filter *f);
void fw_hit_filter_free(fw_hit_filter *f);
/* A copy owning its strings (cases stay borrowed). */
void fw_hit_filter_copy(fw_hit_filter *to, const fw_hit_filter *from);
/* Whether the filter lets gone and whitelisted hits through (state "all"). */
bool fw_hit_filter_all_states(const fw_hit_filter *f);

/* --- the query builder (audit/ only) ----------------------------------------------------------- */

/* The table expression the conditions are written for: hits aliased h, their case c. */
#define FW_HITS_FROM " FROM hits h LEFT JOIN cases c ON c.id = h.case_id"

/* The conditions of a filter as SQL (" AND ..." each, to follow a WHERE) and the values of their
 * ? parameters in order. Only a status filter reads c: a caller that does not filter on status may
 * leave the join out. */
typedef struct fw_hit_where {
    fw_buf sql;
    int n, cap;
    struct fw_hit_bind { bool is_int; long long i; char *s; } *v;
} fw_hit_where;

enum {
    /* Write the equality columns as +col, so no index of theirs is used and the engine walks the
     * caller's sort order instead (the hit list's broad filters, browse.c). */
    FW_HW_WALK = 1u << 0,
    /* Only the equality columns the hit indexes lead with (no state, case join, amount, search):
     * an estimate of a filter's size read from its index alone. */
    FW_HW_EQUALITIES = 1u << 1,
};

/* Builds the conditions. FW_EUSAGE for a state that is none of the hit states nor "all";
 * FW_ENOTFOUND for a case the workspace does not have (the message names it); FW_EWORKSPACE when
 * the program's sets could not be read. */
int fw_hit_where_build(fw_ws *ws, const fw_hit_filter *f, unsigned flags, fw_hit_where *w, fw_err *err);
/* The same, the equality on the column `lead` (as written here: "h.rule_id", "h.case_rank"...)
 * written as the range col >= v AND col <= v. PostgreSQL drops from an ORDER BY a column equal to a
 * constant, and then may walk another index in the remaining order; a range keeps the column in the
 * order, so only the index leading with it serves (browse.c's hit list, on PostgreSQL). NULL or a
 * column the filter does not fix: as fw_hit_where_build. */
int fw_hit_where_build_lead(fw_ws *ws, const fw_hit_filter *f, unsigned flags, const char *lead, fw_hit_where *w,
                            fw_err *err);
/* Binds the values to st from parameter number first on; returns the next free number. */
int fw_hit_where_bind(const fw_hit_where *w, fw_stmt *st, int first);
void fw_hit_where_free(fw_hit_where *w);

/* The case ids the filter names (its cases), in the order given. *ids is malloc'd (caller frees).
 * FW_ENOTFOUND for an unknown case. */
int fw_hit_filter_case_ids(fw_ws *ws, const fw_hit_filter *f, long long **ids, int *n, fw_err *err);

/* --- the CLI's listing --------------------------------------------------------------------------- */

/* The hits of a filter, highest severity and largest amount first. Columns: hit, rule_id, category,
 * severity, state, id_number, name, township, village, program, amount (fen), first_date, last_date,
 * detail, status, case_no, evidence_changed. */
int fw_hits_list(fw_ws *ws, const fw_hit_filter *f, fw_rows **out, fw_err *err);

#endif
