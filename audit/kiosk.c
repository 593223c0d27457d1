/* kiosk.c: the citizen kiosk's lookup and report (see kiosk.h). Two paths with one outcome: on
 * PostgreSQL the server's functions do the checking, the rate limit and the trail (migration 8,
 * audit/schema.c), since the kiosk's login may do nothing else; on SQLite the same steps run here,
 * in one write transaction so that the trail record and what it records commit together. */
#include "audit/kiosk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/i18n.h"
#include "audit/normalize.h"
#include "audit/schema.h"
#include "audit/store/store.h"
#include "audit/trail.h"

bool fw_kiosk_id_valid(const char *typed, char out[19])
{
    out[0] = '\0';
    if (!typed || strlen(typed) != 18)
        return false;
    char id[19];
    for (int i = 0; i < 18; i++) {
        char c = typed[i];
        if (i == 17 && (c == 'x' || c == 'X'))
            c = 'X';
        else if (!isdigit((unsigned char)c))
            return false;
        id[i] = c;
    }
    id[18] = '\0';
    if (fw_id_check_char(id) != id[17])
        return false;
    memcpy(out, id, 19);
    return true;
}

void fw_kiosk_mask_name(const char *name, char *out, size_t n)
{
    if (!n)
        return;
    out[0] = '\0';
    if (!name || !*name)
        return;
    /* the first UTF-8 character whole, then one * per further character */
    size_t first = 1;
    while (name[first] && ((unsigned char)name[first] & 0xC0) == 0x80)
        first++;
    size_t len = first < n ? first : n - 1;
    memcpy(out, name, len);
    size_t o = len;
    int more = 0;
    for (const char *p = name + first; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            more++;
    if (more == 0)
        more = 1; /* a one-character name still hides that it is one */
    for (int i = 0; i < more && o + 1 < n; i++)
        out[o++] = '*';
    out[o] = '\0';
}

void fw_kiosk_id_hash(fw_ws *ws, const char *id_number, char out[65])
{
    char *wid = fw_ws_setting(ws, FW_WORKSPACE_ID_KEY);
    char *s = fw_printf("fundwatch-kiosk:%s:%s", wid ? wid : "", id_number ? id_number : "");
    fw_sha256_hex(s, strlen(s), out);
    free(s);
    free(wid);
}

void fw_kiosk_result_free(fw_kiosk_result *r)
{
    for (int i = 0; i < r->n; i++) {
        free(r->rows[i].program);
        free(r->rows[i].period);
        free(r->rows[i].department);
        free(r->rows[i].payment_key);
        free(r->rows[i].pay_date);
    }
    free(r->rows);
    memset(r, 0, sizeof *r);
}

static char *dup_col(fw_stmt *st, int i)
{
    const char *t = fw_stmt_is_null(st, i) ? NULL : fw_stmt_text(st, i);
    return fw_strdup(t ? t : "");
}

static void add_row(fw_kiosk_result *r, fw_stmt *st, int c_name, int c_prog)
{
    /* columns from c_prog on: program, period, amount, department, payment_key, pay_date */
    if (r->n == 0 && !fw_stmt_is_null(st, c_name))
        fw_kiosk_mask_name(fw_stmt_text(st, c_name), r->name, sizeof r->name);
    r->rows = fw_realloc(r->rows, (size_t)(r->n + 1) * sizeof *r->rows);
    fw_kiosk_payment *p = &r->rows[r->n++];
    p->program = dup_col(st, c_prog);
    p->period = dup_col(st, c_prog + 1);
    p->amount = fw_stmt_int64(st, c_prog + 2);
    p->department = dup_col(st, c_prog + 3);
    p->payment_key = dup_col(st, c_prog + 4);
    p->pay_date = dup_col(st, c_prog + 5);
}

/* "YYYY-MM" moved by delta months. */
static void month_add(const char *ym, int delta, char out[8])
{
    int y = atoi(ym), m = atoi(ym + 5);
    int t = y * 12 + (m - 1) + delta;
    if (t < 0)
        t = 0;
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d", t / 12 % 10000, t % 12 + 1);
    memcpy(out, buf, 7);
    out[7] = '\0';
}

/* --- PostgreSQL: the server's functions --------------------------------------------------------- */

/* A missing function means the workspace was never migrated to schema 8 by its owner. */
static int pg_failed(fw_ws *ws, fw_err *err)
{
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    if (strstr(why, "does not exist"))
        return fw_fail(err, FW_EWORKSPACE,
                       _("%s: the workspace has no kiosk functions (schema older than 8): let its owner run "
                         "any fundwatch command on it once (%s)"),
                       fw_ws_where(ws), why);
    return fw_fail(err, FW_EWORKSPACE, _("kiosk: %s"), why);
}

static int pg_lookup(fw_ws *ws, const char *kiosk, const char *id, int rate, fw_kiosk_result *out, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      "SELECT status, name, program, period, amount, department, payment_key, pay_date, "
                      "window_from, window_to FROM fw_kiosk_lookup(?, ?, CAST(? AS INTEGER))",
                      &st, err))
        return pg_failed(ws, err);
    fw_stmt_bind_text(st, 1, id, -1);
    fw_stmt_bind_text(st, 2, kiosk, -1);
    fw_stmt_bind_int64(st, 3, rate);
    int step;
    out->status = FW_KIOSK_NONE;
    while ((step = fw_stmt_step(st, err)) == 1) {
        const char *status = fw_stmt_text(st, 0);
        if (!fw_stmt_is_null(st, 8)) {
            snprintf(out->from, sizeof out->from, "%s", fw_stmt_text(st, 8));
            snprintf(out->to, sizeof out->to, "%s", fw_stmt_text(st, 9));
        }
        if (status && strcmp(status, "ok") == 0) {
            out->status = FW_KIOSK_FOUND;
            add_row(out, st, 1, 2);
        } else if (status && strcmp(status, "rate") == 0) {
            out->status = FW_KIOSK_RATE;
            out->rate = (int)fw_stmt_int64(st, 4);
        } else if (status && strcmp(status, "bad_id") == 0)
            out->status = FW_KIOSK_BAD_ID;
    }
    fw_stmt_finalize(st);
    return step < 0 ? pg_failed(ws, err) : FW_OK;
}

static int pg_report(fw_ws *ws, const char *kiosk, const char *id, const char *key, long long *report_id,
                     fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT fw_kiosk_report(?, ?, ?)", &st, err))
        return pg_failed(ws, err);
    fw_stmt_bind_text(st, 1, id, -1);
    fw_stmt_bind_text(st, 2, key, -1);
    fw_stmt_bind_text(st, 3, kiosk, -1);
    int step = fw_stmt_step(st, err);
    if (step == 1)
        *report_id = fw_stmt_int64(st, 0);
    fw_stmt_finalize(st);
    if (step < 0) {
        if (strstr(err->msg, "no such payment"))
            return fw_fail(err, FW_EDATA, _("this payment is not one paid to this ID number"));
        return pg_failed(ws, err);
    }
    return FW_OK;
}

/* --- SQLite: the same steps here ---------------------------------------------------------------- */

static int trail_json(fw_ws *ws, const char *action, const char *kiosk, const char *why, long long report,
                      const char *payment_key, const char *id, fw_err *err)
{
    char h[65];
    fw_kiosk_id_hash(ws, id, h);
    fw_buf after = {0}, object = {0};
    fw_buf_puts(&after, "{");
    if (why)
        fw_json_field_str(&after, "why", why);
    if (report > 0)
        fw_json_field_int(&after, "report", report);
    if (payment_key) {
        char *ev = fw_printf("payments:%s", payment_key);
        fw_json_field_str(&after, "payment", ev);
        free(ev);
    }
    fw_json_field_str(&after, "id_sha256", h);
    fw_buf_puts(&after, "}");
    fw_buf_printf(&object, "kiosk:%s", kiosk);
    int rc = fw_trail_append(ws, action, object.data, NULL, after.data, err);
    fw_buf_free(&after);
    fw_buf_free(&object);
    return rc;
}

static int lookups_last_minute(fw_ws *ws, const char *kiosk, long long *n, fw_err *err)
{
    char since[32];
    time_t t = time(NULL) - 60;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      "SELECT count(*) FROM trail WHERE action = 'kiosk.lookup' AND at > ? AND object = ?", &st,
                      err))
        return err->code;
    char *object = fw_printf("kiosk:%s", kiosk);
    fw_stmt_bind_text(st, 1, since, -1);
    fw_stmt_bind_text(st, 2, object, -1);
    int step = fw_stmt_step(st, err);
    *n = step == 1 ? fw_stmt_int64(st, 0) : 0;
    fw_stmt_finalize(st);
    free(object);
    return step < 0 ? err->code : FW_OK;
}

static int sq_rows(fw_ws *ws, const char *id, fw_kiosk_result *out, fw_err *err)
{
    fw_stmt *st;
    /* The window ends at the latest payment month of the workspace (a ledger loaded months after it
     * was paid still shows its last 24 months), else this month. */
    if (fw_db_prepare(ws->store, "SELECT max(COALESCE(period, substr(pay_date, 1, 7))) FROM ds_payments", &st, err))
        return err->code;
    int step = fw_stmt_step(st, err);
    const char *last = step == 1 && !fw_stmt_is_null(st, 0) ? fw_stmt_text(st, 0) : NULL;
    if (last && strlen(last) >= 7)
        snprintf(out->to, sizeof out->to, "%.7s", last);
    else {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(out->to, sizeof out->to, "%Y-%m", &tm);
    }
    fw_stmt_finalize(st);
    if (step < 0)
        return err->code;
    month_add(out->to, -(FW_KIOSK_MONTHS - 1), out->from);
    if (fw_db_prepare(ws->store,
                      "SELECT name, program, COALESCE(period, substr(pay_date, 1, 7)) AS month, amount, township, "
                      "row_key, pay_date FROM ds_payments WHERE id_number = ? "
                      "AND COALESCE(period, substr(pay_date, 1, 7)) BETWEEN ? AND ? "
                      "ORDER BY 3 DESC, pay_date DESC, rowid",
                      &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, id, -1);
    fw_stmt_bind_text(st, 2, out->from, -1);
    fw_stmt_bind_text(st, 3, out->to, -1);
    while ((step = fw_stmt_step(st, err)) == 1)
        add_row(out, st, 0, 1);
    fw_stmt_finalize(st);
    if (step < 0)
        return err->code;
    out->status = out->n ? FW_KIOSK_FOUND : FW_KIOSK_NONE;
    return FW_OK;
}

static int sq_lookup(fw_ws *ws, const char *kiosk, const char *id, int rate, fw_kiosk_result *out, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    long long n = 0;
    int rc = lookups_last_minute(ws, kiosk, &n, err);
    if (rc == FW_OK && n >= rate) {
        out->status = FW_KIOSK_RATE;
        out->rate = rate;
        rc = trail_json(ws, "kiosk.refused", kiosk, "rate", 0, NULL, id, err);
    } else if (rc == FW_OK) {
        rc = trail_json(ws, "kiosk.lookup", kiosk, NULL, 0, NULL, id, err);
        if (rc == FW_OK)
            rc = sq_rows(ws, id, out, err);
    }
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc) {
        fw_ws_rollback(ws);
        fw_kiosk_result_free(out);
    }
    return rc;
}

/* Inserts a report on the payment (key) of id, in the caller's transaction; *report_id its id. */
static int insert_report(fw_ws *ws, const char *kiosk, const char *id, const char *key, long long *report_id,
                         fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      "INSERT INTO citizen_reports(payment_key, id_number, program, period, amount, reported_at, "
                      "kiosk, reported_by) SELECT row_key, id_number, program, COALESCE(period, substr(pay_date, 1, 7)), "
                      "amount, ?, ?, ? FROM ds_payments WHERE id_number = ? AND row_key = ? LIMIT 1 RETURNING id",
                      &st, err))
        return err->code;
    char at[32];
    fw_now_iso(at);
    fw_stmt_bind_text(st, 1, at, -1);
    fw_stmt_bind_text(st, 2, kiosk, -1);
    fw_stmt_bind_text(st, 3, fw_user(), -1);
    fw_stmt_bind_text(st, 4, id, -1);
    fw_stmt_bind_text(st, 5, key, -1);
    int step = fw_stmt_step(st, err);
    if (step == 1)
        *report_id = fw_stmt_int64(st, 0);
    fw_stmt_finalize(st);
    if (step < 0)
        return err->code;
    if (step == 0)
        return fw_fail(err, FW_EDATA, _("this payment is not one paid to this ID number"));
    return FW_OK;
}

static int sq_report(fw_ws *ws, const char *kiosk, const char *id, const char *key, long long *report_id,
                     fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    int rc = insert_report(ws, kiosk, id, key, report_id, err);
    if (rc == FW_OK)
        rc = trail_json(ws, "kiosk.report", kiosk, NULL, *report_id, key, id, err);
    if (rc == FW_OK)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    return rc;
}

/* --- the interface ------------------------------------------------------------------------------ */

int fw_kiosk_lookup(fw_ws *ws, const char *kiosk, const char *id_number, int rate, fw_kiosk_result *out,
                    fw_err *err)
{
    memset(out, 0, sizeof *out);
    char id[19];
    if (!fw_kiosk_id_valid(id_number, id)) {
        out->status = FW_KIOSK_BAD_ID;
        return FW_OK;
    }
    if (rate <= 0)
        rate = FW_KIOSK_DEFAULT_RATE;
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES)
        return pg_lookup(ws, kiosk, id, rate, out, err);
    return sq_lookup(ws, kiosk, id, rate, out, err);
}

int fw_kiosk_report(fw_ws *ws, const char *kiosk, const char *id_number, const char *payment_key,
                    long long *report_id, fw_err *err)
{
    *report_id = 0;
    char id[19];
    if (!fw_kiosk_id_valid(id_number, id))
        return fw_fail(err, FW_EDATA, _("not a valid ID number"));
    if (fw_db_engine(ws->store) == FW_DB_POSTGRES)
        return pg_report(ws, kiosk, id, payment_key, report_id, err);
    return sq_report(ws, kiosk, id, payment_key, report_id, err);
}

bool fw_kiosk_reconnect(fw_ws **ws)
{
    enum fw_db_fault f = fw_db_fault((*ws)->store);
    if (f != FW_DBF_LOST && f != FW_DBF_UNREACHABLE)
        return false;
    fw_ws *fresh;
    fw_err err = {0};
    if (fw_ws_open_mode((*ws)->path, FW_WS_KIOSK, &fresh, &err))
        return false;
    fw_ws_close(*ws);
    *ws = fresh;
    return true;
}

int fw_kiosk_example(fw_ws *ws, int n, const char *const *names, const char *const *values, fw_err *err)
{
    const char *payment_id = NULL, *kiosk = "example";
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "payment_id") == 0)
            payment_id = values[i];
        else if (strcmp(names[i], "kiosk") == 0)
            kiosk = values[i];
        else
            return fw_fail(err, FW_EDATA, _("a citizen_reports example has payment_id and kiosk, not '%s'"),
                           names[i]);
    }
    if (!payment_id)
        return fw_fail(err, FW_EDATA, _("a citizen_reports example needs payment_id (of a payments example above it)"));
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT id_number, row_key FROM ds_payments WHERE payment_id = ? LIMIT 1", &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, payment_id, -1);
    int step = fw_stmt_step(st, err);
    char *id = step == 1 ? fw_strdup(fw_stmt_text(st, 0)) : NULL, *key = step == 1 ? fw_strdup(fw_stmt_text(st, 1)) : NULL;
    fw_stmt_finalize(st);
    int rc = step < 0 ? err->code : FW_OK;
    if (rc == FW_OK && step == 0)
        rc = fw_fail(err, FW_EDATA, _("no payments example has payment_id '%s'"), payment_id);
    long long rid = 0;
    if (rc == FW_OK)
        rc = insert_report(ws, kiosk, id, key, &rid, err);
    free(id);
    free(key);
    return rc;
}
