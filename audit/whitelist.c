/* whitelist.c: known exceptions that suppress hits (see whitelist.h). */
#include "audit/whitelist.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/cases.h"
#include "audit/normalize.h"
#include "audit/trail.h"

static void today_local(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The importer's ID check (fw_norm_id: GB 11643-1999 check character, a real birth date), kept
 * strict: a 15-digit legacy number is refused, since hits carry the 18-character form. */
int fw_whitelist_check_id(const char *s, char out[19], fw_err *err)
{
    char why[FW_WHY_SIZE];
    int rc = s ? fw_norm_id(s, out, why) : FW_NORM_BAD;
    if (rc == FW_NORM_OK)
        return FW_OK;
    if (rc == FW_NORM_NOTE)
        return fw_fail(err, FW_EDATA, "'%s' is a 15-digit ID number; whitelist its 18-character form %s", s, out);
    return fw_fail(err, FW_EDATA, "'%s' is not a valid resident ID number: %s", s ? s : "", why);
}

int fw_whitelist_check_rule(const char *s, char out[33], fw_err *err)
{
    size_t n = s ? strlen(s) : 0;
    bool ok = n > 0 && n < 33 && isalpha((unsigned char)s[0]);
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
    if (!ok)
        return fw_fail(err, FW_EDATA, "'%s' is not a rule id (like DEC-001); `fundwatch rules` lists them",
                       s ? s : "");
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    return FW_OK;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

int fw_whitelist_check_reason(const char *reason, const char *rule_id, fw_err *err)
{
    if (blank(reason))
        return fw_fail(err, FW_EDATA, "a whitelist entry needs a reason (--reason TEXT): why is this "
                                      "person's hit of %s not a lead?", rule_id && *rule_id ? rule_id : "the rule");
    return FW_OK;
}

int fw_whitelist_check_until(const char *until, fw_err *err)
{
    char today[11];
    if (!until || !*until)
        return FW_OK;
    if (fw_case_parse_date(until, err))
        return err->code;
    today_local(today);
    if (strcmp(until, today) < 0)
        return fw_fail(err, FW_EDATA, "--until %s is in the past (today is %s); it would suppress nothing",
                       until, today);
    return FW_OK;
}

static int insert_entry(fw_ws *ws, const char *id_number, const char *rule_id, const char *reason,
                        const char *until, long long *id, fw_err *err)
{
    sqlite3_stmt *st;
    char at[32];
    fw_now_iso(at);
    /* Read inside the transaction: the setting cannot change between the check and the insert. */
    bool pending = fw_case_review_required(ws);
    if (fw_ws_prepare(ws, "INSERT INTO whitelist(id_number, rule_id, reason, user, created_at, until, pending) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                      &st, err))
        return err->code;
    sqlite3_bind_text(st, 1, id_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rule_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, fw_user(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, until, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, pending);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? FW_OK
                 : fw_fail(err, FW_EWORKSPACE, "cannot save the whitelist entry: %s", sqlite3_errmsg(ws->db));
    sqlite3_finalize(st);
    *id = sqlite3_last_insert_rowid(ws->db);
    if (rc)
        return rc;
    fw_buf after = {0};
    char object[48];
    snprintf(object, sizeof object, "whitelist:%lld", *id);
    fw_buf_puts(&after, "{");
    fw_json_field_str(&after, "id_number", id_number);
    fw_json_field_str(&after, "rule_id", rule_id);
    fw_json_field_str(&after, "reason", reason);
    fw_json_field_str(&after, "until", until);
    if (pending)
        fw_buf_puts(&after, ",\"pending\":true");
    fw_buf_puts(&after, "}");
    rc = fw_trail_append(ws, "whitelist.add", object, NULL, after.data, err);
    fw_buf_free(&after);
    return rc;
}

int fw_whitelist_add(fw_ws *ws, const char *id_number, const char *rule_id, const char *reason,
                     const char *until, long long *id, fw_err *err)
{
    char idn[19], rule[33];
    if (fw_whitelist_check_id(id_number, idn, err) || fw_whitelist_check_rule(rule_id, rule, err) ||
        fw_whitelist_check_reason(reason, rule, err) || fw_whitelist_check_until(until, err))
        return err->code;
    if (until && !*until)
        until = NULL;
    if (fw_ws_begin(ws, err))
        return err->code;
    int rc = insert_entry(ws, idn, rule, reason, until, id, err);
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    return rc;
}

static int mark_removed(fw_ws *ws, long long id, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "SELECT id_number, rule_id, reason, until, removed_at FROM whitelist WHERE id = ?", &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return fw_fail(err, FW_ENOTFOUND, "no whitelist entry %lld; `fundwatch whitelist list --all` shows them", id);
    }
    if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
        int rc = fw_fail(err, FW_ECONFLICT, "whitelist entry %lld was already removed at %s", id,
                         (const char *)sqlite3_column_text(st, 4));
        sqlite3_finalize(st);
        return rc;
    }
    fw_buf before = {0};
    fw_buf_puts(&before, "{");
    fw_json_field_str(&before, "id_number", (const char *)sqlite3_column_text(st, 0));
    fw_json_field_str(&before, "rule_id", (const char *)sqlite3_column_text(st, 1));
    fw_json_field_str(&before, "reason", (const char *)sqlite3_column_text(st, 2));
    fw_json_field_str(&before, "until", (const char *)sqlite3_column_text(st, 3));
    fw_buf_puts(&before, "}");
    sqlite3_finalize(st);

    char at[32], object[48];
    fw_now_iso(at);
    snprintf(object, sizeof object, "whitelist:%lld", id);
    int rc = fw_ws_prepare(ws, "UPDATE whitelist SET removed_at = ?, removed_by = ? WHERE id = ?", &st, err);
    if (rc == FW_OK) {
        sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, fw_user(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = fw_fail(err, FW_EWORKSPACE, "cannot remove whitelist entry %lld: %s", id, sqlite3_errmsg(ws->db));
        sqlite3_finalize(st);
    }
    if (rc == FW_OK)
        rc = fw_trail_append(ws, "whitelist.remove", object, before.data, "{\"removed\":true}", err);
    fw_buf_free(&before);
    return rc;
}

int fw_whitelist_remove(fw_ws *ws, long long id, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    int rc = mark_removed(ws, id, err);
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    return rc;
}

int fw_whitelist_list(fw_ws *ws, bool all, const char *today, sqlite3_stmt **st, fw_err *err)
{
    char t[11];
    if (today && fw_case_parse_date(today, err))
        return err->code;
    today_local(t);
    if (fw_ws_prepare(ws,
                      "SELECT * FROM ("
                      "  SELECT id, id_number, rule_id, reason, user, created_at, until, "
                      "         CASE WHEN removed_at IS NOT NULL AND pending THEN 'rejected' "
                      "              WHEN removed_at IS NOT NULL THEN 'removed' "
                      "              WHEN pending THEN 'pending' "
                      "              WHEN until < ?1 THEN 'expired' ELSE 'active' END AS state, "
                      "         reviewed_by "
                      "  FROM whitelist) WHERE ?2 OR state IN ('active', 'pending') ORDER BY id",
                      st, err))
        return err->code;
    sqlite3_bind_text(*st, 1, today ? today : t, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(*st, 2, all);
    return FW_OK;
}

bool fw_whitelist_active(fw_ws *ws, const char *id_number, const char *rule_id, const char *date)
{
    sqlite3_stmt *st;
    char t[11];
    today_local(t);
    if (sqlite3_prepare_v2(ws->db,
                           "SELECT 1 FROM whitelist WHERE id_number = ? AND rule_id = upper(?) "
                           "AND removed_at IS NULL AND pending = 0 AND (until IS NULL OR until >= ?) LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, id_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, rule_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, date ? date : t, -1, SQLITE_STATIC);
    bool on = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return on;
}

/* Approves or rejects a pending entry inside the caller's transaction. */
static int review_entry(fw_ws *ws, long long id, bool reject, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "SELECT user, pending, removed_at FROM whitelist WHERE id = ?", &st, err))
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return fw_fail(err, FW_ENOTFOUND, "no whitelist entry %lld; `fundwatch whitelist list --all` shows them", id);
    }
    char *asked_by = fw_strdup((const char *)sqlite3_column_text(st, 0));
    bool pending = sqlite3_column_int(st, 1) != 0, removed = sqlite3_column_type(st, 2) != SQLITE_NULL;
    sqlite3_finalize(st);
    int rc = FW_OK;
    if (!pending || removed)
        rc = fw_fail(err, FW_ECONFLICT, "whitelist entry %lld awaits no review (it is %s)", id,
                     removed ? "removed" : "in force");
    else if (strcmp(asked_by, fw_user()) == 0)
        rc = fw_fail(err, FW_ECONFLICT, "whitelist entry %lld was added by %s: a second user must review it", id,
                     asked_by);
    free(asked_by);
    if (rc)
        return rc;
    char at[32], object[48];
    fw_now_iso(at);
    snprintf(object, sizeof object, "whitelist:%lld", id);
    if (fw_ws_prepare(ws, reject ? "UPDATE whitelist SET reviewed_by = ?1, reviewed_at = ?2, removed_by = ?1, "
                                   "removed_at = ?2 WHERE id = ?3"
                                 : "UPDATE whitelist SET reviewed_by = ?1, reviewed_at = ?2, pending = 0 WHERE id = ?3",
                      &st, err))
        return err->code;
    sqlite3_bind_text(st, 1, fw_user(), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, at, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = fw_fail(err, FW_EWORKSPACE, "cannot review whitelist entry %lld: %s", id, sqlite3_errmsg(ws->db));
    sqlite3_finalize(st);
    if (rc == FW_OK)
        rc = fw_trail_append(ws, reject ? "whitelist.review_rejected" : "whitelist.approve", object,
                             "{\"pending\":true}", reject ? "{\"removed\":true}" : "{\"pending\":false}", err);
    return rc;
}

int fw_whitelist_approve(fw_ws *ws, long long id, bool reject, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    int rc = review_entry(ws, id, reject, err);
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    return rc;
}
