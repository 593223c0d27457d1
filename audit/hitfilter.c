/* hitfilter.c: the one filter of hits and its query builder (see hitfilter.h). The conditions are
 * the hit list's (browse.c had them first): each equality is one indexed column of hits, the case
 * status included (as its rank kept on the hit, audit/schema.c), so every caller's query is served
 * by the same indexes. */
#include "audit/hitfilter.h"

#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/schema.h"
#include "audit/vocab.h"

void fw_hit_filter_init(fw_hit_filter *f)
{
    memset(f, 0, sizeof *f);
}

void fw_hit_filter_free(fw_hit_filter *f)
{
    char *owned[] = {f->category, f->rule_id, f->severity, f->status, f->township,
                     f->village,  f->program, f->search,   f->state};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        free(owned[i]);
    fw_hit_filter_init(f);
}

static char *dup_or_null(const char *s) { return s && *s ? fw_strdup(s) : NULL; }

void fw_hit_filter_copy(fw_hit_filter *to, const fw_hit_filter *from)
{
    *to = *from;
    to->category = dup_or_null(from->category);
    to->rule_id = dup_or_null(from->rule_id);
    to->severity = dup_or_null(from->severity);
    to->status = dup_or_null(from->status);
    to->township = dup_or_null(from->township);
    to->village = dup_or_null(from->village);
    to->program = dup_or_null(from->program);
    to->search = dup_or_null(from->search);
    to->state = dup_or_null(from->state);
}

bool fw_hit_filter_all_states(const fw_hit_filter *f)
{
    return f->state && strcmp(f->state, "all") == 0;
}

/* --- parameters ---------------------------------------------------------------------------------- */

static struct fw_hit_bind *new_bind(fw_hit_where *w)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->v = fw_realloc(w->v, (size_t)w->cap * sizeof *w->v);
    }
    struct fw_hit_bind *b = &w->v[w->n++];
    memset(b, 0, sizeof *b);
    return b;
}

static void bind_text(fw_hit_where *w, const char *s) { new_bind(w)->s = fw_strdup(s); }

static void bind_int(fw_hit_where *w, long long i)
{
    struct fw_hit_bind *b = new_bind(w);
    b->is_int = true;
    b->i = i;
}

int fw_hit_where_bind(const fw_hit_where *w, fw_stmt *st, int first)
{
    for (int i = 0; i < w->n; i++) {
        if (w->v[i].is_int)
            fw_stmt_bind_int64(st, first + i, w->v[i].i);
        else
            fw_stmt_bind_text(st, first + i, w->v[i].s, -1);
    }
    return first + w->n;
}

void fw_hit_where_free(fw_hit_where *w)
{
    for (int i = 0; i < w->n; i++)
        free(w->v[i].s);
    free(w->v);
    fw_buf_free(&w->sql);
    memset(w, 0, sizeof *w);
}

/* --- conditions ---------------------------------------------------------------------------------- */

/* The stored code of a vocabulary word typed as code or label; the text itself when unknown (it
 * then matches nothing, as an unknown township does). */
static const char *code_of(const fw_label *table, const char *text)
{
    const char *code = fw_label_code(table, text);
    return code ? code : text;
}

static bool set(const char *s) { return s && *s; }

/* Above this many stored program sets holding the program, they are not named one by one. */
enum { MAX_PROGRAM_SETS = 100 };

/* The program filter: every hit paid under the program, alone or with others (hits.program is a
 * set, audit/profile.h). The sets holding it are looked up first (a few index seeks), so the query
 * names them: one set is an equality the indexes serve in order, as for any other column. */
static int program_condition(fw_ws *ws, const char *program, const char *prefix, fw_hit_where *w, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT v FROM " PROGRAM_SETS_CONTAINING("?1") " x", &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, program, -1);
    char **sets = NULL;
    int nsets = 0, rc;
    while ((rc = fw_stmt_step(st, err)) == 1 && nsets <= MAX_PROGRAM_SETS) {
        sets = fw_realloc(sets, (size_t)(nsets + 1) * sizeof *sets);
        sets[nsets++] = fw_strdup(fw_stmt_text(st, 0));
    }
    fw_stmt_finalize(st);
    if (rc < 0) {
        for (int i = 0; i < nsets; i++)
            free(sets[i]);
        free(sets);
        return err->code;
    }
    if (nsets == 0) { /* no hit holds it: the equality finds none, through the index */
        fw_buf_printf(&w->sql, " AND %sh.program = ?", prefix);
        bind_text(w, program);
    } else if (nsets > MAX_PROGRAM_SETS) {
        fw_buf_printf(&w->sql, " AND %sh.program IN " PROGRAM_SETS_CONTAINING("?"), prefix);
        bind_text(w, program);
    } else {
        fw_buf_printf(&w->sql, " AND %sh.program IN (", prefix);
        for (int i = 0; i < nsets; i++) {
            fw_buf_puts(&w->sql, i ? ", ?" : "?");
            bind_text(w, sets[i]);
        }
        fw_buf_putc(&w->sql, ')');
    }
    for (int i = 0; i < nsets; i++)
        free(sets[i]);
    free(sets);
    return FW_OK;
}

/* " AND h.col = ?" for each equality of the filter (category, rule, severity, township, village,
 * program, and the status as its rank), the column prefixed by prefix. The status is a column of
 * cases, but its rank on the hit is indexed like the others, so a status filter is served (and
 * probed) like any equality. */
static int equalities(fw_ws *ws, const fw_hit_filter *f, const char *prefix, fw_hit_where *w, fw_err *err)
{
    char *rule = set(f->rule_id) ? fw_strdup(f->rule_id) : NULL;
    for (char *c = rule; c && *c; c++) /* rule ids are written upper-case (dec-001 finds DEC-001) */
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    const struct { const char *col; const char *v; } eq[] = {
        {"h.category", set(f->category) ? code_of(fw_categories, f->category) : NULL},
        {"h.rule_id", rule},
        {"h.severity", set(f->severity) ? code_of(fw_severities, f->severity) : NULL},
        {"h.township", f->township},
        {"h.village", f->village},
        {"h.program", f->program},
        {"h.case_rank", set(f->status) ? code_of(fw_case_statuses, f->status) : NULL},
    };
    int rc = FW_OK;
    for (size_t i = 0; i < sizeof eq / sizeof eq[0] && rc == FW_OK; i++) {
        if (!set(eq[i].v))
            continue;
        if (strcmp(eq[i].col, "h.program") == 0) {
            rc = program_condition(ws, eq[i].v, prefix, w, err);
            continue;
        }
        bool rank = strcmp(eq[i].col, "h.case_rank") == 0;
        fw_buf_printf(&w->sql, " AND %s%s = %s", prefix, eq[i].col, rank ? "(" CASE_RANK("?") ")" : "?");
        bind_text(w, eq[i].v);
    }
    free(rule);
    return rc;
}

static int state_condition(const fw_hit_filter *f, fw_hit_where *w, fw_err *err)
{
    if (!set(f->state)) {
        fw_buf_puts(&w->sql, " AND h.state = 'present'");
        return FW_OK;
    }
    if (fw_hit_filter_all_states(f))
        return FW_OK;
    const char *code = fw_label_code(fw_hit_states, f->state);
    if (!code)
        return fw_fail(err, FW_EUSAGE, _("--state must be present, gone, whitelisted or all, not '%s'"), f->state);
    fw_buf_puts(&w->sql, " AND h.state = ?");
    bind_text(w, code);
    return FW_OK;
}

/* A prefix range walks the index: [p, p + U+10FFFF), the largest code point written out here
 * (UTF-8 F4 8F BF BF) so that no engine's function is needed for it. An ID number's x is X. */
static void search_condition(const char *search, fw_hit_where *w)
{
    bool id = true;
    for (const char *s = search; *s; s++)
        if (!(*s >= '0' && *s <= '9') && *s != 'X' && *s != 'x')
            id = false;
    char *p = fw_strdup(search);
    if (id)
        for (char *c = p; *c; c++)
            if (*c == 'x')
                *c = 'X';
    const char *col = id ? "h.id_number" : "h.name";
    fw_buf_printf(&w->sql, " AND %s >= ? AND %s < ?", col, col);
    bind_text(w, p);
    char *end = fw_printf("%s\xf4\x8f\xbf\xbf", p);
    bind_text(w, end);
    free(end);
    free(p);
}

static int cases_condition(fw_ws *ws, const fw_hit_filter *f, fw_hit_where *w, fw_err *err)
{
    long long *ids;
    int n;
    if (fw_hit_filter_case_ids(ws, f, &ids, &n, err))
        return err->code;
    fw_buf_puts(&w->sql, " AND h.case_id IN (");
    for (int i = 0; i < n; i++) {
        fw_buf_puts(&w->sql, i ? ", ?" : "?");
        bind_int(w, ids[i]);
    }
    fw_buf_putc(&w->sql, ')');
    free(ids);
    return FW_OK;
}

int fw_hit_where_build(fw_ws *ws, const fw_hit_filter *f, unsigned flags, fw_hit_where *w, fw_err *err)
{
    memset(w, 0, sizeof *w);
    fw_buf_puts(&w->sql, "");
    bool searching = set(f->search);
    int rc = FW_OK;
    if (!(flags & FW_HW_EQUALITIES))
        rc = state_condition(f, w, err);
    /* With a search, its prefix range is the narrow one: the unary + keeps SQLite's planner from
     * walking an equality column's index instead (290 ms against 3 ms at a million hits).
     * PostgreSQL has no unary + for text ("operator does not exist"), and its planner weighs the
     * two by their statistics: no prefix there. */
    bool hint = fw_db_engine(ws->store) == FW_DB_SQLITE;
    const char *prefix = hint && !(flags & FW_HW_EQUALITIES) && (searching || (flags & FW_HW_WALK)) ? "+" : "";
    if (rc == FW_OK)
        rc = equalities(ws, f, prefix, w, err);
    if (rc == FW_OK && !(flags & FW_HW_EQUALITIES)) {
        if (set(f->status)) {
            const char *status = code_of(fw_case_statuses, f->status);
            if (strcmp(status, "new") == 0)
                fw_buf_puts(&w->sql, " AND (h.case_id IS NULL OR c.status = 'new')");
            else {
                fw_buf_puts(&w->sql, " AND c.status = ?");
                bind_text(w, status);
            }
        }
        if (f->has_min) {
            fw_buf_puts(&w->sql, " AND h.amount >= ?");
            bind_int(w, f->min_amount);
        }
        if (f->has_max) {
            fw_buf_puts(&w->sql, " AND h.amount <= ?");
            bind_int(w, f->max_amount);
        }
        if (searching)
            search_condition(f->search, w);
        if (f->ncases > 0)
            rc = cases_condition(ws, f, w, err);
        if (rc == FW_OK && f->run_id) {
            fw_buf_puts(&w->sql, " AND h.last_run_id = ?");
            bind_int(w, f->run_id);
        }
    }
    if (rc)
        fw_hit_where_free(w);
    return rc;
}

/* --- cases --------------------------------------------------------------------------------------- */

/* A case by its number, else (all digits) by its id: each through its index, with statements kept
 * per connection, since a dispatch of marked hits names thousands of cases (an OR of the two, with
 * the id cast to text, read every case for each one named). */
static const fw_sql case_by_no = {.name = "hitfilter.case_by_no", .sql = "SELECT id FROM cases WHERE case_no = ?"};
static const fw_sql case_by_id = {.name = "hitfilter.case_by_id", .sql = "SELECT id FROM cases WHERE id = ?"};

static int resolve_case(fw_ws *ws, const char *name, long long *id, fw_err *err)
{
    int found = 0;
    for (int pass = 0; pass < 2 && found == 0; pass++) {
        char *end = NULL;
        long long n = pass ? strtoll(name, &end, 10) : 0;
        if (pass && (!*name || *end || name[0] == '-' || name[0] == '+' || name[0] == ' '))
            break;
        fw_stmt *st;
        if (fw_db_cached(ws->store, pass ? &case_by_id : &case_by_no, &st, err))
            return err->code;
        if (pass)
            fw_stmt_bind_int64(st, 1, n);
        else
            fw_stmt_bind_text(st, 1, name, -1);
        found = fw_stmt_step(st, err);
        if (found == 1)
            *id = fw_stmt_int64(st, 0);
        fw_stmt_reset(st);
    }
    if (found < 0)
        return err->code;
    if (!found)
        return fw_fail(err, FW_ENOTFOUND,
                       _("no case '%s' in this workspace; `fundwatch case list` shows the case numbers"), name);
    return FW_OK;
}

/* Thousands of --case names (a dispatch's list) are looked up in one read transaction when the
 * caller has none open: on SQLite each lookup on its own took and dropped the file's read lock. */
int fw_hit_filter_case_ids(fw_ws *ws, const fw_hit_filter *f, long long **ids, int *n, fw_err *err)
{
    *ids = fw_calloc((size_t)f->ncases + 1, sizeof **ids);
    *n = 0;
    bool own = f->ncases > 1 && !fw_db_in_txn(ws->store);
    if (own && fw_db_begin(ws->store, FW_TXN_READ, err)) {
        free(*ids);
        *ids = NULL;
        return err->code;
    }
    for (int i = 0; i < f->ncases; i++) {
        if (resolve_case(ws, f->cases[i], &(*ids)[*n], err)) {
            if (own)
                fw_db_rollback(ws->store);
            free(*ids);
            *ids = NULL;
            return err->code;
        }
        (*n)++;
    }
    if (own)
        fw_db_rollback(ws->store); /* read only: nothing to keep */
    return FW_OK;
}

/* --- the CLI's listing --------------------------------------------------------------------------- */

int fw_hits_list(fw_ws *ws, const fw_hit_filter *f, fw_rows **out, fw_err *err)
{
    *out = NULL;
    fw_hit_where w;
    if (fw_hit_where_build(ws, f, 0, &w, err))
        return err->code;
    char *sql = fw_printf("SELECT h.id AS hit, h.rule_id, h.category, h.severity, h.state, h.id_number, h.name, "
                          "h.township, h.village, h.program, h.amount, h.first_date, h.last_date, h.detail, "
                          "COALESCE(c.status, 'new') AS status, c.case_no, h.evidence_changed" FW_HITS_FROM
                          " WHERE 1 = 1%s ORDER BY CASE h.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, "
                          "h.amount DESC, h.id",
                          w.sql.data);
    int rc = fw_rows_prepare(ws->store, sql, out, err);
    free(sql);
    if (rc == FW_OK)
        fw_hit_where_bind(&w, fw_rows_stmt(*out), 1);
    fw_hit_where_free(&w);
    return rc;
}
