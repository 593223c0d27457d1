/* exportq.h: the engine-side queries behind exports (workbooks, CSV lists). Each query is an
 * fw_xquery: a cursor over rows whose columns carry a Chinese label and a kind (text, ID number,
 * money in fen, date, ...), so writers know how to present a cell without knowing any SQL. Rows
 * are streamed one at a time, never collected, so a million leads take no more memory than ten.
 *
 * All SQL of the export lives here; export/ only writes what these cursors return. */
#ifndef FW_EXPORTQ_H
#define FW_EXPORTQ_H

#include "audit/hitfilter.h"
#include "audit/store.h"

/* What a list shows: the hits of a filter (audit/hitfilter.h), the same type and the same query
 * as the hit list's and `fundwatch hits`', so `x` on the list exports exactly what it shows. Its
 * cases name case numbers (FW-2026-000001) or numeric case ids; status takes the stored value
 * (verifying) or the Chinese label (核查中). */

/* How a column is presented. */
enum fw_xkind {
    FW_XK_TEXT,     /* plain text */
    FW_XK_ID,       /* resident ID number: always text, masked on request */
    FW_XK_MONEY,    /* integer fen, shown as yuan */
    FW_XK_DATE,     /* ISO date (YYYY-MM-DD) or month (YYYY-MM) */
    FW_XK_DATETIME, /* ISO timestamp (YYYY-MM-DDTHH:MM:SSZ), shown in local time */
    FW_XK_STAMP,    /* the same where the time is evidence: local time with seconds and offset */
    FW_XK_LONGTEXT, /* text that may be long (a finding, a policy basis, a history line): wrapped */
    FW_XK_INT,      /* a count or number */
    FW_XK_REAL      /* a decimal number (area in m2) */
};

typedef struct fw_xcol {
    const char *label;  /* Chinese column header */
    enum fw_xkind kind;
} fw_xcol;

typedef struct fw_xquery fw_xquery;

/* Steps to the next row: 1 = a row, 0 = done, -1 = the workspace could not be read (err set). */
int fw_xq_step(fw_xquery *q, fw_err *err);
int fw_xq_ncols(const fw_xquery *q);
const fw_xcol *fw_xq_col(const fw_xquery *q, int i);
/* The current row's cell: text (NULL when the cell is NULL) or integer (0 when NULL). Stored
 * codes are translated here: a case status reads 待核查, a category 死亡人员, a severity 高. */
const char *fw_xq_text(fw_xquery *q, int i);
long long fw_xq_int(fw_xquery *q, int i);
double fw_xq_real(fw_xquery *q, int i);
int fw_xq_is_null(fw_xquery *q, int i);
void fw_xq_close(fw_xquery *q);

/* Checks a filter against the workspace: an unknown status is FW_EUSAGE, an unknown case
 * FW_ENOTFOUND (message names it). */
int fw_xq_check_filter(fw_ws *ws, const fw_hit_filter *f, fw_err *err);

/* The filter as one line of Chinese text for the workbook ("全部" when empty). Caller frees. */
char *fw_xq_filter_text(const fw_hit_filter *f);
/* The filter as a JSON object, for the audit trail. Caller frees. */
char *fw_xq_filter_json(const fw_hit_filter *f);

/* The Chinese label of a case status (待核查 for new, ...); the input itself when unknown. */
const char *fw_xq_status_label(const char *status);

/* Number of leads the filter selects (present hits unless its state says otherwise). -1 on error. */
long long fw_xq_count_leads(fw_ws *ws, const fw_hit_filter *f, fw_err *err);

/* The leads list: one row per selected hit, in hit id order. */
int fw_xq_leads(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err);

/* Leads and money at issue grouped by each dimension, in one pass. Columns: dim (an fw_xdim;
 * FW_XDIM_COUNT_ is the whole selection, key 合计), key (shown in Chinese), leads, amount (each
 * payment once, audit/money.h: so a dimension's 合计 is its FW_XDIM_COUNT_ row, not the sum of
 * its rows) and the figures not based on payments (village statistics). The whole selection's
 * row first (none when nothing is selected), then by dim, most leads first. */
enum fw_xdim { FW_XDIM_CATEGORY, FW_XDIM_RULE, FW_XDIM_STATUS, FW_XDIM_TOWNSHIP, FW_XDIM_COUNT_ };
int fw_xq_summary(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err);

/* The cases behind the selected leads, one row each, in case id order. */
int fw_xq_cases(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err);

/* Provenance: the imports, runs and rule set (with hashes and parameters) behind the leads. */
int fw_xq_prov_imports(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err);
int fw_xq_prov_runs(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err);
int fw_xq_prov_rules(fw_ws *ws, const fw_hit_filter *f, fw_xquery **out, fw_err *err);

/* --- one case in detail (the evidence sheet of a case workbook) --------------------------------- */

/* The case ids the filter names (its cases list), in the order given. *ids is malloc'd; caller
 * frees. Unknown cases are FW_ENOTFOUND. */
int fw_xq_case_ids(fw_ws *ws, const fw_hit_filter *f, long long **ids, int *n, fw_err *err);

/* The case record itself: one row, many columns (a writer lays it out as label/value pairs). */
int fw_xq_case_record(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err);
/* The case number (caller frees) or NULL when the case does not exist. */
char *fw_xq_case_no(fw_ws *ws, long long case_id);
/* The person (registry rows for the case's ID number) and the household members. */
int fw_xq_case_person(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err);
int fw_xq_case_household(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err);
/* Payments named as evidence by the case's leads. */
int fw_xq_case_payments(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err);
/* The case's leads with their rule's name and basis (read from the rule file the run loaded). */
int fw_xq_case_rules(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err);
/* The registries (other than payments) holding evidence for the case, as dataset names. *names
 * is a malloc'd array of malloc'd strings; free with fw_xq_free_names. */
int fw_xq_case_evidence_sets(fw_ws *ws, long long case_id, char ***names, int *n, fw_err *err);
void fw_xq_free_names(char **names, int n);
/* The evidence rows of one registry for the case, with the registry's own columns. */
int fw_xq_case_evidence(fw_ws *ws, long long case_id, const char *dataset, fw_xquery **out,
                        fw_err *err);
/* The case's history: its audit-trail records (notes included) in time order, one line per change
 * in words (audit/history.h). */
int fw_xq_case_history(fw_ws *ws, long long case_id, fw_xquery **out, fw_err *err);
/* The money at issue of the leads fw_xq_case_rules lists (every hit of the case), each payment
 * once: the total under that table. */
struct fw_money;
int fw_xq_case_money(fw_ws *ws, long long case_id, struct fw_money *out, fw_err *err);

#endif
