/* cases.h: leads (hits) gathered into cases, one per subject (person, household, account), so a
 * person who trips three rules is verified once; the workflow a case goes through (待核查 ->
 * 核查中 -> 属实/部分属实/不属实 -> 整改中 -> 已办结); and what the CLI and the TUI need to list,
 * show and change cases. Every change is one transaction holding the change and its audit-trail
 * record; every change takes the case version the user saw (optimistic concurrency).
 *
 * The tables below (labels, transitions) are the single source of the workflow: the CLI, the TUI
 * and docs/cases.md all read them. Keys are stable English words (CLI, exports, the database);
 * labels are for people. */
#ifndef FW_CASES_H
#define FW_CASES_H

#include <stdbool.h>

#include "audit/money.h"
#include "audit/rows.h"
#include "audit/store.h"
#include "audit/vocab.h"

/* --- vocabulary: audit/vocab.h (fw_case_statuses, fw_verify_methods, fw_dismiss_reasons,
 * fw_measures and the fw_label lookups) ---------------------------------------------------------- */

/* --- the workflow ------------------------------------------------------------------------------- */

/* The fields a transition may carry (bits). */
enum fw_case_field {
    FW_CF_NOTE = 1 << 0,        /* verdicts: the conclusion; closed: the closure note; else a case note */
    FW_CF_METHOD = 1 << 1,      /* verification method: a fw_verify_methods key */
    FW_CF_VERIFIER = 1 << 2,    /* who verifies */
    FW_CF_REASON = 1 << 3,      /* dismissal reason: a fw_dismiss_reasons key ('other' also needs the text) */
    FW_CF_REASON_TEXT = 1 << 4,
    FW_CF_MEASURES = 1 << 5,    /* comma list of fw_measures keys */
    FW_CF_TO_RECOVER = 1 << 6,  /* fen */
    FW_CF_RECOVERED = 1 << 7,   /* fen */
};

/* Field names as the CLI spells them (--note ...), for messages. */
const char *fw_case_field_option(unsigned field);

typedef struct fw_transition {
    const char *from, *to;
    unsigned required;  /* fields that must be given */
    unsigned optional;  /* fields that may be given; any other field is refused */
    bool reviewed;      /* with setting review.second = 1 a second user must approve it */
} fw_transition;

extern const fw_transition fw_case_transitions[];
extern const int fw_ncase_transitions;

/* The transition from -> to, or NULL when it is not allowed. */
const fw_transition *fw_case_transition(const char *from, const char *to);
/* The statuses reachable from `from`, joined with ", " into buf ("none" when terminal). */
void fw_case_next_statuses(const char *from, char *buf, size_t n);

/* A requested change of status, as a form or the command line fills it. NULL / !has_* = not given. */
typedef struct fw_case_change {
    const char *to;
    const char *note;
    const char *method;
    const char *verifier;
    const char *reason;
    const char *reason_text;
    const char *measures;
    bool has_to_recover, has_recovered;
    long long to_recover, recovered; /* fen */
} fw_case_change;

/* Validates a change against the table without touching the database (a form can call it before
 * submitting): FW_ECONFLICT when from -> to is not allowed (message names the allowed next
 * statuses), FW_EDATA when a required field is missing or empty, a field does not apply, or a key
 * (method, reason, measure) or amount is invalid. */
int fw_case_check_change(const char *from, const fw_case_change *c, fw_err *err);
/* Reads the words of a change as a person types them (command line, form): the status, method and
 * reason as a code or either label ("属实", "入户核查", "home visit"), the measures as a comma list of
 * those ("停发, 追缴", "stop_payment, recover_funds"). Afterwards c points at the codes; the measures
 * at *measures, which the caller frees. An unknown method, reason or measure is FW_EDATA naming it
 * and the choices; an unknown status is left as typed for fw_case_check_change to refuse. */
int fw_case_change_read(fw_case_change *c, char **measures, fw_err *err);

/* One field's value as fw_case_check_change checks it (the same checks), for a form that checks
 * each answer when it is given: a method, reason or measure key, an amount in yuan, or any other
 * field not blank. FW_EDATA with the reason. */
int fw_case_check_field(unsigned field, const char *value, fw_err *err);

/* --- one case ----------------------------------------------------------------------------------- */

typedef struct fw_case {
    long long id;
    char *case_no, *subject_kind, *subject, *id_number, *name, *county, *township, *village;
    char *status;
    long long resolved_by_data;
    char *assignee, *received_at, *due_date;
    char *verify_method, *verifier, *verified_at;
    char *conclusion, *dismiss_reason, *dismiss_text;
    char *measures;
    long long to_recover, recovered;
    char *rectified_at, *closed_at, *closure_note;
    char *pending_status, *pending_by, *pending_at;
    char *reviewed_by, *reviewed_at;
    char *created_at, *updated_at, *updated_by;
    long long version;
    /* From the case's hits (read only): the lead register's rule(s), warning date, programs (a
     * set), period and amount involved (present hits only). */
    char *rules, *programs, *period_from, *period_to;
    long long amount;       /* fen: money at issue, each payment once (audit/money.h) */
    long long amount_other; /* fen: figures of hits not based on payments (village statistics) */
    long long hits_present, hits_total;
} fw_case;

/* Finds a case by numeric id or by case number (FW-2026-000001). FW_ENOTFOUND when neither
 * matches. On success *out is filled; the caller calls fw_case_free. */
int fw_case_get(fw_ws *ws, const char *ref, fw_case *out, fw_err *err);
int fw_case_get_id(fw_ws *ws, long long id, fw_case *out, fw_err *err);
/* The case's own columns only: rules, programs, period and money (its hit summary) are left empty.
 * For a change of the case (fw_case_set_status_loaded_in) that reads none of them. */
int fw_case_get_id_bare(fw_ws *ws, long long id, fw_case *out, fw_err *err);
void fw_case_free(fw_case *c);

/* Changes. Each takes the version the user saw (fw_case.version); when the case changed since,
 * returns FW_ECONFLICT "changed by WHO at WHEN; reload" and writes nothing. Each runs in one
 * transaction with its trail record, acting as fw_user().
 *
 * set_status: validates (fw_case_check_change), refuses while a verdict awaits review, then either
 * applies the change or, for a reviewed transition when review.second = 1, records it as pending. */
int fw_case_set_status(fw_ws *ws, long long id, long long seen_version, const fw_case_change *c, fw_err *err);
/* fw_case_set_status inside a transaction the caller holds (an order's accept applies its answers
 * and records its rows in one), on a case the caller loaded (fw_case_get_id) there: the same checks,
 * note and trail record. On success c becomes the changed case (its version the new one), so that
 * several steps on one case (an accepted answer: verifying, the verdict, rectifying) read it once;
 * its updated_at stays the loaded one. On failure c is unchanged and the caller rolls back. */
int fw_case_set_status_loaded_in(fw_ws *ws, fw_case *c, const fw_case_change *change, fw_err *err);
/* Approves (or with reject, discards) the pending verdict. The approver must differ from the user
 * who asked (FW_ECONFLICT otherwise); FW_ECONFLICT when nothing is pending. */
int fw_case_approve(fw_ws *ws, long long id, long long seen_version, bool reject, fw_err *err);
/* Sends the case to a person or department with an optional deadline (YYYY-MM-DD, may be NULL);
 * records the date received. Refused on a closed case. */
int fw_case_assign(fw_ws *ws, long long id, long long seen_version, const char *assignee, const char *due,
                   fw_err *err);
/* fw_case_assign inside a transaction the caller holds (an order's dispatch assigns its cases and
 * records the order in one), on a case the caller loaded (fw_case_get_id) there, so that a dispatch
 * of thousands of cases reads each once: the same checks and trail record; the update still
 * requires c->version, so the new version is c->version + 1; on failure the caller rolls back. */
int fw_case_assign_loaded_in(fw_ws *ws, const fw_case *c, const char *assignee, const char *due, fw_err *err);
/* Gives a case back the assignment it had (each of the three may be NULL: none), inside the
 * caller's transaction on a case it loaded: a cancelled order (audit/orders.h) undoes its dispatch.
 * Recorded as case.assign with the fields before and after. */
int fw_case_restore_assignment_loaded_in(fw_ws *ws, const fw_case *c, const char *assignee, const char *received_at,
                                         const char *due, fw_err *err);
/* Adds a note. Notes do not conflict with other changes, so no version is taken. */
int fw_case_add_note(fw_ws *ws, long long id, const char *text, fw_err *err);

/* Is the second-reviewer rule on (setting review.second = 1)? */
bool fw_case_review_required(fw_ws *ws);

/* --- lists for the screens and the CLI ---------------------------------------------------------- */

/* Each list is an fw_rows (audit/rows.h) that the caller steps and closes; on failure it is NULL. */

typedef struct fw_case_filter {
    const char *status;   /* a status key, or "pending_review" for verdicts awaiting approval */
    const char *assignee; /* exact */
    bool overdue;         /* due_date before today and not dismissed or closed */
    const char *search;   /* substring of case number, name or ID number */
    const char *township; /* exact */
    const char *today;    /* YYYY-MM-DD for overdue; NULL = today (local) */
    long limit, offset;   /* paging; limit <= 0 = all */
} fw_case_filter;

/* Columns of fw_case_list, in this order (the TUI reads them by index). */
enum fw_case_list_col {
    FW_CL_ID, FW_CL_CASE_NO, FW_CL_STATUS, FW_CL_PENDING, FW_CL_NAME, FW_CL_ID_NUMBER, FW_CL_TOWNSHIP,
    FW_CL_VILLAGE, FW_CL_RULES, FW_CL_HITS, FW_CL_AMOUNT, FW_CL_ASSIGNEE, FW_CL_DUE_DATE,
    FW_CL_OVERDUE, FW_CL_RESOLVED_BY_DATA, FW_CL_VERSION, FW_CL_OTHER_AMOUNT, FW_CL_NCOLS
};

/* Cases matching the filter, newest warning first (amount descending within a day). amount is the
 * case's money at issue (each payment once); other_amount its figures not based on payments. */
int fw_case_list(fw_ws *ws, const fw_case_filter *f, fw_rows **rows, fw_err *err);
/* The money at issue of all the cases the filter selects (ignores limit/offset), each payment once
 * even when it is behind two cases (a person's and the household's). */
int fw_case_list_money(fw_ws *ws, const fw_case_filter *f, fw_money *out, fw_err *err);
/* How many cases match (ignores limit/offset), for "page 3 of 12". */
long long fw_case_count(fw_ws *ws, const fw_case_filter *f, fw_err *err);
/* The case's hits: hit_id, rule_id, category, severity, state, evidence_changed, program,
 * first_date, last_date, amount, detail. */
int fw_case_hits(fw_ws *ws, long long id, fw_rows **rows, fw_err *err);
/* The case's notes: id, at, user, text (oldest first). */
int fw_case_notes(fw_ws *ws, long long id, fw_rows **rows, fw_err *err);
/* The case's history from the audit trail (fw_trail_list for object "case:ID"). */
int fw_case_history(fw_ws *ws, long long id, fw_rows **rows, fw_err *err);

/* The case's history one changed field a row: seq, at, user, action, field, before, after (oldest
 * first; a record that changed no field, such as a note, has field NULL and its text in after). */
int fw_case_history_fields(fw_ws *ws, long long id, fw_rows **rows, fw_err *err);
/* Every assignee with the number of its cases: assignee, cases (by name). */
int fw_case_assignees(fw_ws *ws, fw_rows **rows, fw_err *err);

/* Confirmed cases (confirmed, partly_confirmed, rectifying, closed) counted and summed by one
 * dimension, to see what is systemic (举一反三). */
enum fw_case_dimension { FW_CD_TOWNSHIP, FW_CD_VILLAGE, FW_CD_PROGRAM, FW_CD_RULE, FW_CD_COUNT_ };
/* Columns: value, cases, amount (fen: the money at issue of the cases' present hits under that
 * value, each payment once), other_amount (figures not based on payments), largest first. For
 * program and rule a case counts once under each program or rule of its present hits. */
int fw_case_systemic(fw_ws *ws, enum fw_case_dimension by, fw_rows **rows, fw_err *err);

/* --- after a rule run --------------------------------------------------------------------------- */

/* Call inside the run's transaction, after the hits are written. Attaches every present hit without
 * a case to its subject's case (creating cases as needed), then applies the re-run rules:
 *  - a new hit, or a hit of this run with evidence_changed = 1, on a dismissed or closed case
 *    reopens it to 'new' (verdict fields cleared; the trail record keeps them and lists what
 *    changed: hit, rule, detail); on a case in another status the trail records the new leads;
 *  - a dismissed case whose hits are unchanged stays dismissed;
 *  - a case all of whose hits are gone gets resolved_by_data = 1 (never deleted), with a trail
 *    record; if one of its hits comes back, the flag is cleared, also recorded.
 * Contract with the engine: evidence_changed is read only on hits with last_run_id = run_id and
 * must describe that run (1 = this run saw different evidence, 0 = the same). */
int fw_cases_sync(fw_ws *ws, long long run_id, fw_err *err);

/* --- input parsing shared by the CLI and the TUI forms ------------------------------------------ */

/* Money typed in yuan (1234.5, 1,234.50, ¥1234.50, 1234.50元) to fen, no floating point, at most
 * two decimals, not negative. FW_EDATA with a message naming the value otherwise.
 * (Stand-in for fw_norm_money until the csvnorm branch is merged.) */
int fw_case_parse_money(const char *s, long long *fen, fw_err *err);
/* A calendar date YYYY-MM-DD that exists. FW_EDATA otherwise. */
int fw_case_parse_date(const char *s, fw_err *err);

#endif
