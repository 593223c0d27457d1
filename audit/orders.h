/* orders.h: verification orders (核查工单, issue 15). An inspector sends cases to the unit that
 * must check them (a township government, a bureau) as an Excel workbook; the unit fills in its
 * findings and sends the file back; fundwatch reads the answers, checks that nobody changed the
 * facts it sent (a per-row HMAC-SHA-256 with a key kept in the workspace), validates every answer
 * again, and keeps the valid ones as *proposed* changes that only an inspector's accept applies,
 * through the case workflow (audit/cases.h), so the second-reviewer rule and the trail still hold.
 *
 * This module owns the orders' data and the reading of returned workbooks (audit/xlsxread.h);
 * export/orders_workbook.c writes the workbook from an fw_order_plan. The layout both agree on (sheet
 * names, columns) is declared here, once. docs/orders.md describes the states and commands. */
#ifndef FW_ORDERS_H
#define FW_ORDERS_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/hitfilter.h"
#include "audit/rows.h"
#include "audit/store.h"

/* --- the workbook's layout ------------------------------------------------------------------- */

#define FW_ORDER_SHEET_COVER "说明"
#define FW_ORDER_SHEET_ROWS "核查清单"
#define FW_ORDER_SHEET_MANIFEST "工单信息"
#define FW_ORDER_FORMAT "fundwatch-order-v1"

/* The facts of a row, in column order (locked cells). The MAC covers them as text: the amount as
 * integer fen, the rest as written. */
#define FW_ORDER_FACT_LIST(X)                                                                      \
    X(ROW_NO, "序号")                                                                              \
    X(CASE_NO, "线索编号")                                                                         \
    X(NAME, "姓名")                                                                                \
    X(ID_NUMBER, "身份证号")                                                                       \
    X(TOWNSHIP, "乡镇")                                                                            \
    X(VILLAGE, "村")                                                                               \
    X(PROGRAMS, "项目")                                                                            \
    X(PERIOD, "期间")                                                                              \
    X(AMOUNT, "涉及金额(元)")                                                                      \
    X(RULES, "疑点类型")                                                                           \
    X(EVIDENCE, "比对依据")
/* The answers (unlocked cells, validated), after the facts. */
#define FW_ORDER_ANSWER_LIST(X)                                                                    \
    X(CONCLUSION, "核查结论")                                                                      \
    X(METHOD, "核查方式")                                                                          \
    X(VERIFIER, "核查人")                                                                          \
    X(VERIFIED_AT, "核查日期")                                                                     \
    X(TO_RECOVER, "应追缴金额(元)")                                                                \
    X(RECOVERED, "已追缴金额(元)")                                                                 \
    X(MEASURES, "整改措施")                                                                        \
    X(NOTE, "说明")
/* Hidden columns after the answers: the keys and the MAC. */
#define FW_ORDER_KEY_LIST(X)                                                                       \
    X(ORDER_NO, "工单号")                                                                          \
    X(CASE_ID, "案件键")                                                                           \
    X(VERSION, "版本")                                                                             \
    X(MAC, "校验码")

#define FW_OF_ENUM_(e, label) FW_OF_##e,
#define FW_OA_ENUM_(e, label) FW_OA_##e,
#define FW_OK_ENUM_(e, label) FW_OKEY_##e,
enum fw_order_fact { FW_ORDER_FACT_LIST(FW_OF_ENUM_) FW_OF_N };
enum fw_order_answer { FW_ORDER_ANSWER_LIST(FW_OA_ENUM_) FW_OA_N };
enum fw_order_key { FW_ORDER_KEY_LIST(FW_OK_ENUM_) FW_OKEY_N };
/* Columns (0-based) of the rows sheet. */
#define FW_ORDER_COL_ANSWER(a) (FW_OF_N + (a))
#define FW_ORDER_COL_KEY(k) (FW_OF_N + FW_OA_N + (k))
#define FW_ORDER_NCOLS (FW_OF_N + FW_OA_N + FW_OKEY_N)
/* The header of column c. */
const char *fw_order_column_label(int c);

/* The lists the answer cells offer (Chinese, as the unit picks them). */
extern const char *const fw_order_conclusion_choices[]; /* 属实 部分属实 不属实 数据错误 */
extern const char *const fw_order_method_choices[];  /* 线上核查 入户核查 */
extern const char *const fw_order_measure_choices[]; /* the measures' Chinese labels and 无 */

/* --- the row MAC ------------------------------------------------------------------------------ */

enum { FW_ORDER_KEY_BYTES = 32 };
/* The workspace's MAC key: read from the setting orders.mac_key, or made (getrandom, 32 bytes) and
 * stored there when create is true (inside the caller's transaction or its own). FW_ENOTFOUND when
 * there is none and create is false. */
int fw_order_mac_key(fw_ws *ws, bool create, unsigned char key[FW_ORDER_KEY_BYTES], fw_err *err);
/* HMAC-SHA-256 under key over "fundwatch-order-row-v1\n" and each field as a netstring (LEN:BYTES,),
 * NULL as "-,", as 64 hex characters: unambiguous, so text cannot move from one field to the next. */
void fw_order_mac(const unsigned char key[FW_ORDER_KEY_BYTES], const char *domain, const char *const *fields,
                  int n, char out[65]);

/* --- the sample --------------------------------------------------------------------------------- */

/* A reproducible draw: the candidates sorted by case id (strata by key, then case id), a
 * SplitMix64 stream from seed, and a partial Fisher-Yates shuffle taking size of them (of each
 * stratum when stratified); the chosen ids come back sorted. The same candidates, size and seed
 * give the same cases on any machine. */
typedef struct fw_order_candidate {
    long long case_id;
    const char *stratum; /* the rule and township ("DEC-001|城关镇"), or NULL when not stratified */
} fw_order_candidate;
/* Sorts cands in place and writes the chosen case ids to *out (malloc'd, ascending); *nout. */
void fw_order_sample(fw_order_candidate *cands, size_t n, long long size, unsigned long long seed, bool stratified,
                     long long **out, size_t *nout);

/* --- dispatch ------------------------------------------------------------------------------------- */

typedef struct fw_order_rule {
    char *rule_id, *name, *basis; /* name and basis from the rule file the run loaded */
} fw_order_rule;

typedef struct fw_order_line {
    long long case_id, version;
    char *facts[FW_OF_N];
    char mac[65];
    char *prior_assignee, *prior_received_at, *prior_due; /* the case's assignment before (NULL: none) */
} fw_order_line;

typedef struct fw_order_plan {
    char order_no[32];
    char workspace_id[40];
    char *unit, *due, *window_from, *selection, *sample_method, *sample_seed;
    long long sample_size;
    fw_order_line *lines;
    size_t nlines;
    fw_order_rule *rules;
    size_t nrules;
    char manifest_mac[65];
    long long skipped[3]; /* cases the filter selects that were left out: closed, verdict awaiting review,
                           * in an order not yet settled */
} fw_order_plan;

typedef struct fw_order_request {
    const char *unit, *due;
    const fw_hit_filter *filter;
    long long sample;        /* 0: every case the filter selects */
    const char *seed;        /* required with sample: an integer */
    bool by_rule_township;   /* stratified sample: sample cases per (rule, township) */
    const char *selection;   /* the filter in words, for the cover sheet and the order */
} fw_order_request;

/* How many cases req would send (*count), and how many it would leave out (skipped: closed, verdict
 * awaiting review, in an order not yet settled), without changing anything: what a dispatch form
 * shows before the unit is asked. FW_EUSAGE for a sample without a whole-number seed. */
int fw_order_preview(fw_ws *ws, const fw_order_request *req, long long *count, long long skipped[3], fw_err *err);

/* Writes the plan's workbook (export/orders_workbook.h): the file's path (malloc'd) and SHA-256. */
typedef int (*fw_order_writer)(const fw_order_plan *plan, void *ctx, char **path, char sha256[65], fw_err *err);

/* The checks dispatch makes of its unit (not blank) and due date (YYYY-MM-DD, today or later), for
 * a form that checks each answer as it is given (the TUI's dispatch). FW_EUSAGE or the date's code. */
int fw_order_check_unit(const char *unit, fw_err *err);
int fw_order_check_due(const char *due, fw_err *err);

/* Sends an order, all or nothing: selects the cases (those behind the filter's leads, in priority
 * order: severity, money at issue, number of rules; or the sample) leaving out (and counting in
 * plan->skipped) closed cases, cases with a verdict awaiting review and cases in an order whose row
 * was not accepted (FW_ECONFLICT when none is left), then in one
 * transaction assigns each case to the unit with the due date (fw_case_assign_loaded_in: the case's
 * 承办单位 and 办结时限, with its trail record), reads the facts, versions and MACs, has write make
 * the workbook, and records the order, its rows and its trail record with the workbook's SHA-256.
 * On failure nothing is kept: the transaction is rolled back and the workbook removed. On success
 * the caller frees *plan (fw_order_plan_free) and *path. */
int fw_order_dispatch(fw_ws *ws, const fw_order_request *req, fw_order_writer write, void *ctx,
                      fw_order_plan *plan, char **path, char sha256[65], fw_err *err);
void fw_order_plan_free(fw_order_plan *plan);

/* SHA-256 of a file as hex. */
int fw_order_file_sha256(const char *path, char out[65], fw_err *err);

/* --- receipt -------------------------------------------------------------------------------------- */

typedef struct fw_order_receipt {
    char order_no[32];
    char sha256[65];
    bool already;             /* this very file was received before: nothing changed */
    long long answered, open, invalid, conflict, missing, inserted, kept;
    fw_buf report;            /* one problem a line: "核查清单!L5: ... ; what to do" */
    char *copy_path;
} fw_order_receipt;

/* Reads a returned workbook, checks it belongs to this workspace and one of its orders, checks every
 * row's MAC and answers, and records the answers (proposed, not applied), the file's SHA-256 and a
 * copy (in evidence_dir) in one transaction with its trail record. FW_EDATA for a file that is not a
 * workbook of an order (not xlsx, sheet renamed, manifest changed), FW_ENOTFOUND for an order or
 * workspace that is not this one's. The same file twice: FW_OK with already set. */
int fw_order_receive(fw_ws *ws, const char *path, const char *evidence_dir, fw_order_receipt *r, fw_err *err);
void fw_order_receipt_free(fw_order_receipt *r);
/* Where a receipt keeps its copy unless told: WORKSPACE.evidence/ beside a workspace file,
 * ./fundwatch-evidence/ for a server workspace; caller frees. */
char *fw_order_evidence_dir(fw_ws *ws);

/* A row's problems as stored (order_rows.problems, fw_order_rows' column problems) in the reader's
 * language, one a line: receipts store them language-neutral. Caller frees. */
char *fw_order_problems_text(const char *stored);

/* --- review ----------------------------------------------------------------------------------------- */

/* Applies answered rows to their cases through fw_case_set_status (verifying, then the verdict, then
 * rectifying when measures were given): row_no 0 = every answered row. A row whose case changed
 * since the answer was read becomes a conflict. *accepted counts the rows applied. */
int fw_order_accept(fw_ws *ws, const char *order_ref, long long row_no, long long *accepted, fw_buf *report,
                    fw_err *err);
/* Sends a row back to the unit with a note (its answer is kept for the record, not applied). */
int fw_order_send_back(fw_ws *ws, const char *order_ref, long long row_no, const char *note, fw_err *err);

/* Cancels an order none of whose rows was accepted (FW_ECONFLICT otherwise, or when it is cancelled
 * already): in one transaction each case gets back the assignment it had before the dispatch
 * (承办单位, date received, 办结时限; a case assigned elsewhere since keeps that assignment and is
 * counted in *kept), the order records who cancelled it, when and why, and the trail record
 * order.cancel names the reason. The cases' statuses are not touched (dispatch did not change them).
 * A later receipt of its workbook is refused, naming the cancellation. *restored counts the cases
 * given back. */
int fw_order_cancel(fw_ws *ws, const char *order_ref, const char *reason, long long *restored, long long *kept,
                    fw_err *err);
/* The orders still open (neither settled nor cancelled) and how many of them are overdue. */
int fw_order_open_counts(fw_ws *ws, long long *open, long long *overdue, fw_err *err);

/* Orders, newest first: order_no, unit, order_state, due_date, overdue (0/1), rows, open, answered,
 * accepted, sent_back, conflict, invalid, created_at, sent_by. */
int fw_order_list(fw_ws *ws, fw_rows **rows, fw_err *err);
/* One order's rows: row_no, case_no, name, row_state, verdict (an fw_order_conclusions code),
 * verify_method, verifier, verified_at, to_recover, recovered, measures, note, problems, sent_back_note. */
int fw_order_rows(fw_ws *ws, const char *order_ref, fw_rows **rows, fw_err *err);
/* The order's header as rows of one row: order_no, unit, order_state, window_from, due_date, selection,
 * sample_method, sample_seed, sample_size, workbook_file, workbook_sha256, rows, sent_by, created_at. */
int fw_order_header(fw_ws *ws, const char *order_ref, fw_rows **rows, fw_err *err);

#endif
