/* vocab.h: every closed vocabulary fundwatch stores and shows, each declared once here: the stored
 * code (what the database, rule files, CSV/JSON and the command line hold), the English label and
 * the Chinese label. The enums, the label tables, the parsing of what people type (the code or either
 * label), the choices the forms offer and the lists in error messages are generated from these lists
 * (X-macros), so a word cannot be added in one place and forgotten in another. (The usage texts name
 * the words too, but they are translated whole, so they are written out.)
 *
 * Why the Chinese label is written here rather than only in po/zh_CN.po: workbooks are Chinese
 * whatever the interface language, and Chinese typed input is accepted in any interface language,
 * so the Chinese must be at hand without a catalogue. Which label a screen shows is still gettext's
 * choice: the Chinese one when the "fundwatch" catalogue in use is Chinese (fw_i18n_chinese()). */
#ifndef FW_VOCAB_H
#define FW_VOCAB_H

#include <stddef.h>

#include "audit/util.h"

/* X(ENUM, code, English label, Chinese label) */

/* Rule categories (a rule file's `category`, hits.category). */
#define FW_CATEGORY_LIST(X)                                                                        \
    X(DECEASED, "deceased", "deceased", "死亡人员")                                                \
    X(IDENTITY, "identity", "identity", "身份异常")                                                \
    X(OFFICIAL, "official", "official", "公职人员")                                                \
    X(RELATIVE, "relative", "relative", "亲属关联")                                                \
    X(BUSINESS, "business", "business", "工商登记")                                                \
    X(VEHICLE, "vehicle", "vehicle", "车辆")                                                       \
    X(PROPERTY, "property", "property", "房产")                                                    \
    X(DUPLICATE, "duplicate", "duplicate", "重复享受")                                             \
    X(STANDARD, "standard", "standard", "超标准发放")                                              \
    X(ELIGIBILITY, "eligibility", "eligibility", "资格条件")                                       \
    X(TIMING, "timing", "timing", "时间异常")                                                      \
    X(ACCOUNT, "account", "account", "账户异常")                                                   \
    X(HOUSEHOLD, "household", "household", "家庭情况")                                             \
    X(STATISTICAL, "statistical", "statistical", "统计异常")                                       \
    X(CROSS_COUNTY, "cross_county", "cross-county", "跨县交叉")                                   \
    X(CITIZEN_REPORT, "citizen_report", "citizen report", "群众反映")

/* Risk levels of rules and hits, highest first. */
#define FW_SEVERITY_LIST(X)                                                                        \
    X(HIGH, "high", "high", "高")                                                                  \
    X(MEDIUM, "medium", "medium", "中")                                                            \
    X(LOW, "low", "low", "低")

/* Case statuses, in workflow order (cases.status; a hit without a case is shown as new). */
#define FW_CASE_STATUS_LIST(X)                                                                     \
    X(NEW, "new", "new", "待核查")                                                                 \
    X(VERIFYING, "verifying", "verifying", "核查中")                                               \
    X(CONFIRMED, "confirmed", "confirmed", "属实")                                                 \
    X(PARTLY_CONFIRMED, "partly_confirmed", "partly confirmed", "部分属实")                        \
    X(DISMISSED, "dismissed", "dismissed", "不属实")                                               \
    X(RECTIFYING, "rectifying", "rectifying", "整改中")                                            \
    X(CLOSED, "closed", "closed", "已办结")

/* How a case is verified. */
#define FW_VERIFY_METHOD_LIST(X)                                                                   \
    X(ONLINE, "online", "online check", "线上核查")                                                \
    X(VISIT, "visit", "home visit", "入户核查")

/* Why a case is dismissed ('other' also needs the reason written out). */
#define FW_DISMISS_REASON_LIST(X)                                                                  \
    X(DATA_ERROR, "data_error", "data error", "数据错误")                                          \
    X(ALLOWED_BY_POLICY, "allowed_by_policy", "allowed by policy", "政策允许")                     \
    X(ALREADY_HANDLED, "already_handled", "already handled", "已处理")                             \
    X(OTHER, "other", "other", "其他")

/* Rectification measures (a case's comma list). */
#define FW_MEASURE_LIST(X)                                                                         \
    X(STOP_PAYMENT, "stop_payment", "stop payment", "停发")                                        \
    X(REMOVE_FROM_ROLL, "remove_from_roll", "remove from the roll", "清退")                        \
    X(RECOVER_FUNDS, "recover_funds", "recover funds", "追缴")                                     \
    X(TALK, "talk", "reminder talk", "谈话提醒")                                                   \
    X(WARNING, "warning", "criticism or warning", "批评教育/警告")                                 \
    X(SANCTION, "sanction", "party or administrative sanction", "党纪政务处分")                    \
    X(TRANSFER, "transfer", "transfer to prosecution or another body", "移送司法/移交")

/* Rule runs and each rule's part in one (runs.status, run_rules.status). */
#define FW_RUN_STATUS_LIST(X)                                                                      \
    X(RUNNING, "running", "running", "运行中")                                                     \
    X(COMPLETE, "complete", "complete", "完成")                                                    \
    X(INTERRUPTED, "interrupted", "interrupted", "中断")                                           \
    X(FAILED, "failed", "failed", "失败")                                                          \
    X(SKIPPED, "skipped", "skipped", "跳过")

/* Whether a hit still holds at the last run (hits.state). */
#define FW_HIT_STATE_LIST(X)                                                                       \
    X(PRESENT, "present", "present", "存在")                                                       \
    X(GONE, "gone", "gone", "已消失")                                                              \
    X(WHITELISTED, "whitelisted", "whitelisted", "白名单")

/* What a hit or case is about (hits.subject_kind, a rule file's `subject`). */
#define FW_SUBJECT_KIND_LIST(X)                                                                    \
    X(PERSON, "person", "person", "个人")                                                          \
    X(HOUSEHOLD, "household", "household", "户")                                                   \
    X(ACCOUNT, "account", "account", "账户")                                                       \
    X(VILLAGE, "village", "village", "村")

/* A rule's maturity (a rule file's `status`). */
#define FW_RULE_STATUS_LIST(X)                                                                     \
    X(STABLE, "stable", "stable", "正式")                                                          \
    X(TEST, "test", "test", "测试")                                                                \
    X(EXPERIMENTAL, "experimental", "experimental", "试验")                                        \
    X(DEPRECATED, "deprecated", "deprecated", "停用")

/* What an audit-trail record records (trail.action); "note" is a case note shown beside them. */
#define FW_TRAIL_ACTION_LIST(X)                                                                    \
    X(CASE_MADE, "case.made", "case made", "生成案件")                                             \
    X(CASE_STATUS, "case.status", "status changed", "状态变更")                                    \
    X(CASE_ASSIGN, "case.assign", "assigned", "交办")                                              \
    X(CASE_NOTE, "case.note", "note added", "添加备注")                                            \
    X(NOTE, "note", "note", "备注")                                                                \
    X(CASE_APPROVE, "case.approve", "verdict approved", "复核通过")                                \
    X(CASE_REVIEW_REQUESTED, "case.review_requested", "review requested", "提请复核")              \
    X(CASE_REVIEW_REJECTED, "case.review_rejected", "verdict rejected", "复核驳回")                \
    X(CASE_REOPEN, "case.reopen", "reopened", "重新打开")                                          \
    X(CASE_RESOLVED_BY_DATA, "case.resolved_by_data", "resolved by data", "数据消解")              \
    X(CASE_LEADS, "case.leads", "leads changed", "线索变化")                                       \
    X(CASES_SYNC, "cases.sync", "cases updated after a run", "运行后更新案件")                     \
    X(IMPORT, "import", "import", "导入")                                                          \
    X(IMPORT_FAILED, "import.failed", "import failed", "导入失败")                                 \
    X(IMPORT_CORRECT, "import.correct", "correcting import", "更正导入")                           \
    X(EXPORT, "export", "export", "导出")                                                          \
    X(RUN, "run", "rule run", "规则运行")                                                          \
    X(SETTING, "setting", "setting changed", "设置变更")                                           \
    X(WHITELIST_ADD, "whitelist.add", "whitelisted", "加入白名单")                                 \
    X(WHITELIST_REMOVE, "whitelist.remove", "removed from the whitelist", "移出白名单")            \
    X(WHITELIST_APPROVE, "whitelist.approve", "whitelist entry approved", "白名单复核通过")        \
    X(WHITELIST_REVIEW_REJECTED, "whitelist.review_rejected", "whitelist entry rejected", "白名单复核退回") \
    X(TRAIL_START, "trail.start", "trail begins", "日志开始")                                       \
    X(ORDER_DISPATCH, "order.dispatch", "verification order sent", "核查工单下发")                  \
    X(ORDER_RECEIVE, "order.receive", "verification order returned", "核查工单回收")                \
    X(ORDER_ACCEPT, "order.accept", "order answer accepted", "采纳核查结果")                        \
    X(ORDER_SEND_BACK, "order.send_back", "order answer sent back", "退回核查结果")               \
    X(KIOSK_LOOKUP, "kiosk.lookup", "kiosk lookup", "一体机查询")                                   \
    X(KIOSK_REFUSED, "kiosk.refused", "kiosk lookup refused", "一体机查询被拒")                     \
    X(KIOSK_REPORT, "kiosk.report", "citizen report at a kiosk", "一体机群众反映")                     \
    X(USER_ADD, "user.add", "user added", "添加用户")                                               \
    X(USER_REMOVE, "user.remove", "user removed", "移除用户")                     \
    X(ORDER_CANCEL, "order.cancel", "verification order cancelled", "核查工单撤销")

/* A verification order (orders.state, docs/orders.md): sent to a unit, its workbook returned (once
 * or more), every row settled. */
#define FW_ORDER_STATE_LIST(X)                                                                     \
    X(DISPATCHED, "dispatched", "dispatched", "已下发")                                            \
    X(RETURNED, "returned", "returned", "已回收")                                                  \
    X(SETTLED, "settled", "settled", "已办结")                                                     \
    X(CANCELLED, "cancelled", "cancelled", "已撤销") /* orders.cancelled_at set (migration 10) */

/* One row of an order (order_rows.state): what the unit's answer for that case came to. */
#define FW_ORDER_ROW_STATE_LIST(X)                                                                 \
    X(OPEN, "open", "open", "待反馈")                                                              \
    X(ANSWERED, "answered", "answered (proposed)", "待采纳")                                       \
    X(ACCEPTED, "accepted", "accepted", "已采纳")                                                  \
    X(SENT_BACK, "sent_back", "sent back", "已退回")                                               \
    X(CONFLICT, "conflict", "conflict", "有冲突")                                                  \
    X(INVALID, "invalid", "invalid", "填报有误")

/* 核查结论 as a unit answers it in an order's workbook (order_rows.conclusion). */
#define FW_ORDER_CONCLUSION_LIST(X)                                                                \
    X(TRUE, "confirmed", "true", "属实")                                                           \
    X(PARTLY, "partly_confirmed", "partly true", "部分属实")                                       \
    X(UNTRUE, "dismissed", "not true", "不属实")                                                   \
    X(DATA_ERROR, "data_error", "data error", "数据错误")

/* Who a user of a shared PostgreSQL workspace is (users.role, `fundwatch user add --role`,
 * docs/users.md); each code is also the middle of the workspace's group role fw_<group>_<id>
 * (fw_user_group_role, audit/users.h). X(ENUM, code, English, Chinese, group). Kept as its own
 * list shape because the group word is part of what a role is. */
#define FW_USER_ROLE_LIST(X)                                                                       \
    X(INSPECTOR, "inspector", "inspector", "核查员", "inspector")                                  \
    X(SUPERVISOR, "supervisor", "supervisor", "督导员", "supervisor")                              \
    X(AUTHOR, "rule_author", "rule author", "规则编写员", "author")                                \
    X(AUDITOR, "auditor", "auditor", "审计员", "auditor")                                          \
    X(KIOSK, "kiosk", "kiosk", "一体机", "kiosk")

#define FW_CAT_ENUM_(e, code, en, zh) FW_CAT_##e,
#define FW_SEV_ENUM_(e, code, en, zh) FW_SEV_##e,
#define FW_CS_ENUM_(e, code, en, zh) FW_CS_##e,
#define FW_RUNST_ENUM_(e, code, en, zh) FW_RUNST_##e,
#define FW_HITST_ENUM_(e, code, en, zh) FW_HITST_##e,
#define FW_UROLE_ENUM_(e, code, en, zh, group) FW_UROLE_##e,
enum fw_category { FW_CATEGORY_LIST(FW_CAT_ENUM_) FW_NCATEGORIES };
enum fw_severity { FW_SEVERITY_LIST(FW_SEV_ENUM_) FW_NSEVERITIES };
enum fw_case_status { FW_CASE_STATUS_LIST(FW_CS_ENUM_) FW_NCASE_STATUSES };
enum fw_run_status { FW_RUN_STATUS_LIST(FW_RUNST_ENUM_) FW_NRUN_STATUSES };
enum fw_hit_state { FW_HIT_STATE_LIST(FW_HITST_ENUM_) FW_NHIT_STATES };
enum fw_user_role { FW_USER_ROLE_LIST(FW_UROLE_ENUM_) FW_NUSER_ROLES };

/* One entry of a vocabulary. */
typedef struct fw_label {
    const char *key; /* the code: stored, typed on the command line, exported to CSV/JSON */
    const char *zh;  /* shown in the Chinese interface and in workbooks */
    const char *en;  /* shown in the English interface */
} fw_label;

/* The tables, in list order, each ending with an entry whose key is NULL. */
extern const fw_label fw_categories[];
extern const fw_label fw_severities[];
extern const fw_label fw_case_statuses[];
extern const fw_label fw_verify_methods[];
extern const fw_label fw_dismiss_reasons[];
extern const fw_label fw_measures[];
extern const fw_label fw_run_statuses[];
extern const fw_label fw_hit_states[];
extern const fw_label fw_subject_kinds[];
extern const fw_label fw_rule_statuses[];
extern const fw_label fw_trail_actions[];
extern const fw_label fw_order_states[];
extern const fw_label fw_order_row_states[];
extern const fw_label fw_order_conclusions[];
extern const fw_label fw_user_roles[];       /* in enum fw_user_role order */
extern const char *const fw_user_role_groups[]; /* the group word of each role, same order */

/* The entry whose code is key (exactly), or NULL. */
const fw_label *fw_label_find(const fw_label *table, const char *key);
/* The entry a person typed: its code or English label (ASCII case ignored) or its Chinese label,
 * blanks around ignored; NULL when none. */
const fw_label *fw_label_parse(const fw_label *table, const char *text);
/* The code for typed text (see fw_label_parse), or NULL. */
const char *fw_label_code(const fw_label *table, const char *text);
/* The label in the interface's language. */
const char *fw_label_text(const fw_label *l);
/* The label of a stored code in the interface's language; the code itself when the table does not
 * know it (a value from a newer fundwatch, or a category of a user's own rule file). */
const char *fw_label_show(const fw_label *table, const char *code);
/* The Chinese label of a stored code (workbooks), else the code. */
const char *fw_label_zh(const fw_label *table, const char *code);
/* The codes joined with ", " into buf (for messages). */
void fw_label_keys(const fw_label *table, char *buf, size_t n);
/* "code 中文, code 中文, ..." (caller frees), for messages listing what may be typed. */
char *fw_label_choices(const fw_label *table);
/* A comma list typed by a person ("停发, 追缴", "stop_payment, recover_funds"; commas may be
 * full-width or 、, blanks around items ignored) as codes joined by "," (caller frees). On an
 * unknown or empty item returns NULL with err (FW_EDATA) naming it and the choices; `what` names the
 * list in that message ("measure"). A repeated item is kept (the caller decides about repeats). */
char *fw_label_parse_list(const fw_label *table, const char *what, const char *text, fw_err *err);

#endif
