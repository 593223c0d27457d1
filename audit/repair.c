/* repair.c: proposals for mistyped registry ID numbers and the user's decisions on them (repair.h).
 * The candidates are the typing errors people make: one digit wrong, two neighbours swapped, the
 * check character wrong. A candidate is proposed only when a person of the persons registry holds it
 * (with the same simplified name key when the row gives a name), so a number two errors away, or one
 * nobody holds, is never offered; and nothing changes a row until a user accepts. */
#include "audit/repair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"
#include "audit/i18n.h"
#include "audit/normalize.h"
#include "audit/trail.h"
#include "audit/util.h"

/* --- candidates ------------------------------------------------------------------------------------ */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* typed, upper-cased, when it is 17 digits and a digit or X; else false. */
static bool shape_of(const char *typed, char out[19])
{
    if (!typed || strlen(typed) != 18)
        return false;
    for (int i = 0; i < 18; i++) {
        char c = typed[i];
        if (i == 17 && (c == 'x' || c == 'X'))
            c = 'X';
        else if (!is_digit(c))
            return false;
        out[i] = c;
    }
    out[18] = 0;
    return true;
}

/* A number the importer accepts as it is: check character right and a real birth date. */
static bool valid_id(const char id[19])
{
    char out[19], why[FW_WHY_SIZE];
    return fw_norm_id(id, out, why) == FW_NORM_OK && strcmp(out, id) == 0;
}

static int add(fw_id_candidate *out, int n, int max, const char id[19], enum fw_id_edit edit, int pos)
{
    if (n >= max || !valid_id(id))
        return n;
    for (int i = 0; i < n; i++)
        if (strcmp(out[i].id, id) == 0)
            return n;
    memcpy(out[n].id, id, 19);
    out[n].edit = edit;
    out[n].pos = pos;
    return n + 1;
}

int fw_id_candidates(const char *typed, fw_id_candidate *out, int max)
{
    char id[19], c[19];
    if (!shape_of(typed, id))
        return 0;
    int n = 0;
    for (int i = 0; i < 17; i++) /* one digit changed: the typed check character must then fit */
        for (char d = '0'; d <= '9'; d++) {
            if (d == id[i])
                continue;
            memcpy(c, id, 19);
            c[i] = d;
            n = add(out, n, max, c, FW_ID_EDIT_DIGIT, i + 1);
        }
    for (int i = 0; i < 17; i++) { /* two neighbours swapped (the check character included) */
        if (id[i] == id[i + 1] || id[i + 1] == 'X')
            continue;
        memcpy(c, id, 19);
        c[i] = id[i + 1];
        c[i + 1] = id[i];
        n = add(out, n, max, c, FW_ID_EDIT_SWAP, i + 1);
    }
    memcpy(c, id, 19); /* the check character mistyped */
    c[17] = fw_id_check_char(id);
    if (c[17] != id[17])
        n = add(out, n, max, c, FW_ID_EDIT_CHECK, 18);
    return n;
}

void fw_id_edit_words(const char *typed, const fw_id_candidate *c, char *out, size_t size)
{
    char t[19];
    if (!shape_of(typed, t)) {
        snprintf(out, size, "%s", "");
        return;
    }
    int i = c->pos - 1;
    switch (c->edit) {
    case FW_ID_EDIT_DIGIT:
        snprintf(out, size, _("digit %d typed %c, the person's number has %c"), c->pos, t[i], c->id[i]);
        break;
    case FW_ID_EDIT_SWAP:
        snprintf(out, size, _("characters %d and %d swapped (typed %c%c, the person's number has %c%c)"), c->pos,
                 c->pos + 1, t[i], t[i + 1], c->id[i], c->id[i + 1]);
        break;
    case FW_ID_EDIT_CHECK:
        snprintf(out, size, _("check character typed %c, GB 11643 gives %c"), t[17], c->id[17]);
        break;
    }
}

/* --- finding proposals ---------------------------------------------------------------------------- */

typedef struct kept_row {
    long long import_id, line;
    char *flagged, *typed, *name, *simp;
} kept_row;

static char *dup_or_null(const char *s) { return s ? fw_strdup(s) : NULL; }

static void free_rows(kept_row *r, int n)
{
    for (int i = 0; i < n; i++) {
        free(r[i].flagged);
        free(r[i].typed);
        free(r[i].name);
        free(r[i].simp);
    }
    free(r);
}

/* The kept invalid-ID rows of ds, read to the end first (one statement at a time on a connection). */
static int read_kept(fw_ws *ws, const fw_dataset *ds, kept_row **out, int *n, fw_err *err)
{
    bool named = fw_dataset_has_name_keys(ds);
    char *sql = fw_printf("SELECT import_id, line, id_number, id_number_raw, %s FROM ds_%s "
                          "WHERE id_number_raw IS NOT NULL AND id_number LIKE '!%%' ORDER BY import_id, line",
                          named ? "name, name_simp" : "NULL, NULL", ds->name);
    fw_stmt *st = NULL;
    int rc = fw_db_prepare(ws->store, sql, &st, err);
    free(sql);
    *out = NULL;
    *n = 0;
    int cap = 0;
    while (!rc && (rc = fw_stmt_step(st, err)) == 1) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = fw_realloc(*out, (size_t)cap * sizeof **out);
        }
        kept_row *r = &(*out)[(*n)++];
        r->import_id = fw_stmt_int64(st, 0);
        r->line = fw_stmt_int64(st, 1);
        r->flagged = dup_or_null(fw_stmt_text(st, 2));
        r->typed = dup_or_null(fw_stmt_text(st, 3));
        r->name = dup_or_null(fw_stmt_text(st, 4));
        r->simp = dup_or_null(fw_stmt_text(st, 5));
        rc = 0;
    }
    fw_stmt_finalize(st);
    return rc < 0 ? err->code : rc;
}

/* The name of the person holding id, agreeing with simp when simp is given; NULL when none. */
static char *person_holding(fw_ws *ws, const char *id, const char *simp, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT name FROM ds_persons WHERE id_number = ?1 "
                      "AND (CAST(?2 AS TEXT) IS NULL OR name_simp = ?2) ORDER BY rowid LIMIT 1",
                      &st, err))
        return NULL;
    fw_stmt_bind_text(st, 1, id, -1);
    fw_stmt_bind_text(st, 2, simp, -1);
    char *name = fw_stmt_step(st, err) == 1 ? dup_or_null(fw_stmt_text(st, 0)) : NULL;
    fw_stmt_finalize(st);
    return name;
}

static const fw_sql repair_insert_sql = {
    .name = "repair.insert",
    .sql = "INSERT INTO id_repairs (dataset, import_id, line, flagged, typed, proposed, row_name, person_name, why, "
           "found_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
           "ON CONFLICT (dataset, import_id, flagged, proposed) DO NOTHING",
};

static int propose(fw_ws *ws, const fw_dataset *ds, const kept_row *r, const fw_id_candidate *c, const char *person,
                   long long *found, fw_err *err)
{
    char edit[160], why[400], now[32];
    fw_id_edit_words(r->typed, c, edit, sizeof edit);
    if (r->simp && *r->simp)
        snprintf(why, sizeof why, _("%s; names agree (%s / %s)"), edit, r->name, person);
    else
        snprintf(why, sizeof why, _("%s; the row gives no name to compare (%s)"), edit, person ? person : "");
    fw_now_iso(now);
    fw_stmt *st;
    if (fw_db_cached(ws->store, &repair_insert_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, ds->name, -1);
    fw_stmt_bind_int64(st, 2, r->import_id);
    fw_stmt_bind_int64(st, 3, r->line);
    fw_stmt_bind_text(st, 4, r->flagged, -1);
    fw_stmt_bind_text(st, 5, r->typed, -1);
    fw_stmt_bind_text(st, 6, c->id, -1);
    fw_stmt_bind_text(st, 7, r->name, -1);
    fw_stmt_bind_text(st, 8, person, -1);
    fw_stmt_bind_text(st, 9, why, -1);
    fw_stmt_bind_text(st, 10, now, -1);
    int rc = fw_stmt_step(st, err);
    if (rc >= 0)
        *found += fw_stmt_changes(st);
    fw_stmt_reset(st);
    return rc < 0 ? err->code : FW_OK;
}

static int find_in(fw_ws *ws, const fw_dataset *ds, long long *found, fw_err *err)
{
    kept_row *rows;
    int n;
    int rc = read_kept(ws, ds, &rows, &n, err);
    for (int i = 0; !rc && i < n; i++) {
        fw_id_candidate c[FW_ID_CANDIDATES_MAX];
        int nc = fw_id_candidates(rows[i].typed, c, FW_ID_CANDIDATES_MAX);
        const char *simp = rows[i].simp && *rows[i].simp ? rows[i].simp : NULL;
        for (int k = 0; !rc && k < nc; k++) {
            char *person = person_holding(ws, c[k].id, simp, err);
            if (err->code)
                rc = err->code;
            else if (person)
                rc = propose(ws, ds, &rows[i], &c[k], person, found, err);
            free(person);
        }
    }
    free_rows(rows, n);
    return rc;
}

int fw_repair_find(fw_ws *ws, long long *found, fw_err *err)
{
    *found = 0;
    if (fw_ws_begin(ws, err))
        return err->code;
    int rc = FW_OK;
    for (int i = 0; !rc && i < fw_ndatasets; i++)
        if (fw_dataset_keeps_bad_ids(&fw_datasets[i]))
            rc = find_in(ws, &fw_datasets[i], found, err);
    if (!rc)
        rc = fw_ws_commit(ws, err);
    if (rc) {
        fw_ws_rollback(ws);
        *found = 0;
    }
    return rc;
}

int fw_repair_list(fw_ws *ws, bool all, fw_rows **rows, fw_err *err)
{
    *rows = NULL;
    if (fw_rows_prepare(ws->store,
                        "SELECT id, dataset, line, typed, proposed, row_name, person_name, why, status, decided_by, "
                        "reason FROM id_repairs WHERE CAST(?1 AS BIGINT) <> 0 OR status = 'proposed' ORDER BY id",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, all);
    return FW_OK;
}

/* --- decisions ------------------------------------------------------------------------------------ */

typedef struct proposal {
    char dataset[32], status[16];
    long long import_id, line;
    char *flagged, *typed, *proposed;
} proposal;

static int read_proposal(fw_ws *ws, long long id, proposal *p, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT dataset, status, import_id, line, flagged, typed, proposed FROM id_repairs WHERE id = ?",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, id);
    int rc = fw_stmt_step(st, err);
    if (rc == 1) {
        snprintf(p->dataset, sizeof p->dataset, "%s", fw_stmt_text(st, 0));
        snprintf(p->status, sizeof p->status, "%s", fw_stmt_text(st, 1));
        p->import_id = fw_stmt_int64(st, 2);
        p->line = fw_stmt_int64(st, 3);
        p->flagged = fw_strdup(fw_stmt_text(st, 4));
        p->typed = fw_strdup(fw_stmt_text(st, 5));
        p->proposed = fw_strdup(fw_stmt_text(st, 6));
    }
    fw_stmt_finalize(st);
    if (rc < 0)
        return err->code;
    if (rc == 0)
        return fw_fail(err, FW_ENOTFOUND, _("no ID repair %lld; see `fundwatch repairs --all`"), id);
    if (strcmp(p->status, "proposed") != 0)
        return fw_fail(err, FW_ECONFLICT, _("ID repair %lld is already %s; nothing changed"), id, p->status);
    return FW_OK;
}

/* Runs an UPDATE with text and integer parameters (NULL-terminated texts, then the integers). */
static long long update(fw_ws *ws, const char *sql, const char *const *texts, int ntexts, const long long *ints,
                        int nints, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store, sql, &st, err))
        return -1;
    for (int i = 0; i < ntexts; i++)
        fw_stmt_bind_text(st, i + 1, texts[i], -1);
    for (int i = 0; i < nints; i++)
        fw_stmt_bind_int64(st, ntexts + i + 1, ints[i]);
    long long changed = fw_stmt_step(st, err) < 0 ? -1 : fw_stmt_changes(st);
    fw_stmt_finalize(st);
    return changed;
}

/* The row takes the proposed number; the other proposals for it are superseded. */
static int apply_accept(fw_ws *ws, long long id, const proposal *p, const char *now, fw_err *err)
{
    const fw_dataset *ds = fw_dataset_find(p->dataset);
    if (!ds || !fw_dataset_keeps_bad_ids(ds))
        return fw_fail(err, FW_EDATA, _("ID repair %lld names an unknown dataset '%s'"), id, p->dataset);
    char *sql = fw_printf("UPDATE ds_%s SET id_number = ?1 WHERE id_number = ?2 AND id_number_raw = ?3 "
                          "AND import_id = ?4",
                          ds->name);
    long long changed = update(ws, sql, (const char *[]){p->proposed, p->flagged, p->typed}, 3, &p->import_id, 1, err);
    free(sql);
    if (changed < 0)
        return err->code;
    if (changed == 0)
        return fw_fail(err, FW_ECONFLICT,
                       _("ID repair %lld: the %s row of line %lld (typed %s) is no longer loaded as it was "
                       "(re-imported?); nothing changed; run `fundwatch repairs` again"),
                       id, ds->name, p->line, p->typed);
    char note[64];
    snprintf(note, sizeof note, "repair %lld accepted", id);
    long long keys[2] = {p->import_id, id};
    if (update(ws,
               "UPDATE id_repairs SET status = 'superseded', reason = ?1, decided_by = ?2, decided_at = ?3 "
               "WHERE dataset = ?4 AND flagged = ?5 AND import_id = ?6 AND id <> ?7 AND status = 'proposed'",
               (const char *[]){note, fw_user(), now, p->dataset, p->flagged}, 5, keys, 2, err) < 0)
        return err->code;
    return FW_OK;
}

static void trail_json(fw_buf *b, const proposal *p, const char *status, const char *reason)
{
    fw_buf_puts(b, "{");
    fw_json_field_str(b, "dataset", p->dataset);
    fw_json_field_int(b, "import_id", p->import_id);
    fw_json_field_int(b, "line", p->line);
    fw_json_field_str(b, "typed", p->typed);
    fw_json_field_str(b, "proposed", p->proposed);
    fw_json_field_str(b, "status", status);
    if (reason)
        fw_json_field_str(b, "reason", reason);
    fw_buf_puts(b, "}");
}

static int decide(fw_ws *ws, long long id, bool accept, const char *reason, proposal *p, fw_err *err)
{
    char now[32];
    fw_now_iso(now);
    if (read_proposal(ws, id, p, err))
        return err->code;
    if (accept && apply_accept(ws, id, p, now, err))
        return err->code;
    const char *status = accept ? "accepted" : "rejected";
    if (update(ws, "UPDATE id_repairs SET status = ?1, reason = ?2, decided_by = ?3, decided_at = ?4 WHERE id = ?5",
               (const char *[]){status, reason, fw_user(), now}, 4, &id, 1, err) < 0)
        return err->code;
    fw_buf before = {0}, after = {0};
    trail_json(&before, p, "proposed", NULL);
    trail_json(&after, p, status, reason);
    char object[48];
    snprintf(object, sizeof object, "repair:%lld", id);
    int rc = fw_trail_append(ws, accept ? "repair.accept" : "repair.reject", object, before.data, after.data, err);
    fw_buf_free(&before);
    fw_buf_free(&after);
    return rc;
}

int fw_repair_decide(fw_ws *ws, long long id, bool accept, const char *reason, fw_err *err)
{
    if (!accept && (!reason || !*reason))
        return fw_fail(err, FW_EDATA, _("rejecting ID repair %lld needs a reason (--reason TEXT)"), id);
    if (fw_ws_begin(ws, err))
        return err->code;
    proposal p = {0};
    int rc = decide(ws, id, accept, accept && reason && !*reason ? NULL : reason, &p, err);
    if (!rc)
        rc = fw_ws_commit(ws, err);
    if (rc)
        fw_ws_rollback(ws);
    free(p.flagged);
    free(p.typed);
    free(p.proposed);
    return rc;
}
