/* history.h: audit-trail records in words, for people: "2026-12-05 15:48 李明 状态 待核查 → 核查中；
 * 核查方式 入户核查". The trail keeps each change as JSON (before/after, stored keys and fen, UTC
 * times) so that it can be verified and read back by programs; a person reads it through these
 * functions: field names and codes as labels (Chinese when the UI is Chinese, or always Chinese for
 * workbooks), money in yuan, times in local time (fw_time_local). Used by the case dossier of
 * workbooks, `fundwatch case show` and `fundwatch log`, and the TUI's case and person screens. */
#ifndef FW_HISTORY_H
#define FW_HISTORY_H

#include "audit/rows.h"
#include "audit/store.h"

/* The words' language: the UI's (gettext decides, fw_ui_chinese), or Chinese whatever the UI
 * (workbooks are Chinese documents). */
enum fw_words_lang { FW_WORDS_UI, FW_WORDS_ZH };

/* What one trail record did, in words, without its time and user: "状态 待核查 → 核查中；核查方式
 * 入户核查", "备注：家属已同意退回", "新增线索 DEC-003：死亡日期 ...". action, before_json and
 * after_json as stored in the trail (either JSON may be NULL). Uses ws's connection to read the
 * JSON. Caller frees; never NULL. */
char *fw_history_what(fw_ws *ws, const char *action, const char *before_json, const char *after_json,
                      enum fw_words_lang lang);

/* What an action is called ("status changed", "导入"): the action itself when it has no name. */
const char *fw_history_action(const char *action, enum fw_words_lang lang);

/* The record's changed fields, one string each ("status new → verifying", "to recover ¥0.00 →
 * ¥283.78"); a record that is not a JSON object gives its text whole. NULL-terminated, never NULL;
 * free with fw_strv_free. */
char **fw_history_fields(fw_ws *ws, const char *before_json, const char *after_json, enum fw_words_lang lang);

/* The fields joined in one line (""; when none). Caller frees. */
char *fw_history_details(fw_ws *ws, const char *before_json, const char *after_json, enum fw_words_lang lang);

/* The whole record on one line: local time (minute), user, then fw_history_what. Caller frees. */
char *fw_history_line(fw_ws *ws, const char *at, const char *user, const char *action, const char *before_json,
                      const char *after_json, enum fw_words_lang lang);

/* A case's history in time order, one trail record a row: columns seq, at (stored UTC), user,
 * action, before, after; feed each row to fw_history_line. The caller closes *rows. */
int fw_history_case(fw_ws *ws, long long case_id, fw_rows **rows, fw_err *err);


/* The trail's records for printing (object NULL: all, else exactly that object; limit <= 0: all,
 * else the newest `limit`; oldest first). Brief (for people): seq, at (stored UTC), user, object,
 * what (the record in words, in the UI's language). Else (csv, json): seq, at, user, action,
 * object, before, after (the stored JSON with its money members, to_recover and recovered, in
 * yuan with two decimals), what. The caller closes *rows. */
int fw_history_list(fw_ws *ws, const char *object, long limit, int brief, fw_rows **rows, fw_err *err);

#endif
