/* view_whitelist.c: the whitelist screen (W, :whitelist) and the form that adds an entry, from this
 * screen (a), from a hit (w on the hit list: its person and rule filled in) or from a person (w on the
 * person screen: the person, and the rule of the hit under the cursor). The list shows every entry
 * with its state (active, pending review, expired, removed, rejected); d removes one, A reviews a
 * pending one (a second user approves or rejects it when `case review on` is set). Each answer of
 * the form is checked as it is given by the engine's own checks (audit/whitelist.h): a bad ID
 * number or a date in the past is refused with its reason and the text stays for correcting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/cases.h"
#include "audit/i18n.h"
#include "audit/whitelist.h"
#include "tui/lines.h"

typedef struct wl_row {
    long long id;
    char *id_number, *rule_id, *reason, *user, *created_at, *until, *state, *reviewed_by;
    char *text;   /* searchable */
    bool changed; /* changed by another session since shown: `*` until the cursor is on it */
} wl_row;

typedef struct wl_view {
    wl_row *rows;
    fw_lines nav;
    int height;
    bool all; /* also expired, removed and rejected entries */
} wl_view;

static char *col_text(fw_rows *rows, int c)
{
    const char *s = fw_rows_text(rows, c);
    return fw_strdup(s ? s : "");
}

static void free_row_array(wl_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        wl_row *r = &rows[i];
        free(r->id_number), free(r->rule_id), free(r->reason), free(r->user), free(r->created_at);
        free(r->until), free(r->state), free(r->reviewed_by), free(r->text);
    }
    free(rows);
}

static void free_rows(wl_view *v)
{
    free_row_array(v->rows, v->nav.n);
    v->rows = NULL;
    v->nav.n = 0;
}

static void load(fw_tui *t, wl_view *v)
{
    int cursor = v->nav.cursor;
    free_rows(v);
    fw_err err = {0};
    fw_rows *rows;
    if (fw_whitelist_list(t->ws, v->all, NULL, &rows, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    int more;
    while ((more = fw_rows_step(rows, &err)) == 1) {
        v->rows = fw_realloc(v->rows, (size_t)(v->nav.n + 1) * sizeof *v->rows);
        wl_row *r = &v->rows[v->nav.n++];
        r->id = fw_rows_int(rows, 0);
        r->id_number = col_text(rows, 1);
        r->rule_id = col_text(rows, 2);
        r->reason = col_text(rows, 3);
        r->user = col_text(rows, 4);
        r->created_at = col_text(rows, 5);
        r->until = col_text(rows, 6);
        r->state = col_text(rows, 7);
        r->reviewed_by = col_text(rows, 8);
        r->text = fw_printf("%lld %s %s %s %s %s", r->id, r->id_number, r->rule_id, r->reason, r->user, _(r->state));
        r->changed = false;
    }
    fw_rows_close(rows);
    if (more < 0)
        fw_tui_error(t, "%s", err.msg); /* the rows read so far stay on screen */
    v->nav.cursor = cursor;
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
}

static void *wl_open(fw_tui *t, const char *arg)
{
    (void)arg;
    wl_view *v = fw_calloc(1, sizeof *v);
    load(t, v);
    return v;
}

static void wl_close(void *p)
{
    wl_view *v = p;
    free_rows(v);
    free(v);
}

/* Columns: entry, state, ID number, rule, last day, reason; added by and when on wide screens. */
static void wl_draw(fw_tui *t, void *p, WINDOW *w)
{
    wl_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    v->height = h - 1;
    fw_lines_scroll(&v->nav, v->height);
    bool wide = width >= 110;
    int x_state = 6, x_id = 16, x_rule = 35, x_until = 44, x_reason = 56;
    int w_reason = width - x_reason - (wide ? 30 : 0);
    int x_user = x_reason + w_reason + 1;
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 0, 0, width, "", false);
    fw_tui_put(w, 0, 0, 5, _("No."), true);
    fw_tui_put(w, 0, x_state, 9, _("Status"), false);
    fw_tui_put(w, 0, x_id, 18, _("ID number"), false);
    fw_tui_put(w, 0, x_rule, 8, _("Rule"), false);
    fw_tui_put(w, 0, x_until, 11, _("Until"), false);
    fw_tui_put(w, 0, x_reason, w_reason, _("Reason given"), false);
    if (wide) {
        fw_tui_put(w, 0, x_user, 10, _("Added by"), false);
        fw_tui_put(w, 0, x_user + 11, width - x_user - 11, _("Reviewed by"), false);
    }
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->nav.top + i < v->nav.n; i++) {
        int k = v->nav.top + i;
        const wl_row *r = &v->rows[k];
        char no[24], idb[32];
        snprintf(no, sizeof no, r->changed ? "*%lld" : "%lld", r->id);
        bool in_force = strcmp(r->state, "active") == 0;
        attr_t a = strcmp(r->state, "pending") == 0 ? fw_tui_attr(t, C_MEDIUM) : in_force ? A_NORMAL : A_DIM;
        wattrset(w, k == v->nav.cursor ? (a | A_REVERSE) : a);
        fw_tui_put(w, i + 1, 0, width, "", false);
        fw_tui_put(w, i + 1, 0, 5, no, true);
        fw_tui_put(w, i + 1, x_state, 9, _(r->state), false);
        fw_tui_put(w, i + 1, x_id, 18, fw_tui_id(t, r->id_number, idb), false);
        fw_tui_put(w, i + 1, x_rule, 8, r->rule_id, false);
        fw_tui_put(w, i + 1, x_until, 11, *r->until ? r->until : "-", false);
        fw_tui_put(w, i + 1, x_reason, w_reason, r->reason, false);
        if (wide) {
            fw_tui_put(w, i + 1, x_user, 10, r->user, false);
            fw_tui_put(w, i + 1, x_user + 11, width - x_user - 11, r->reviewed_by, false);
        }
        wattrset(w, A_NORMAL);
    }
    if (v->nav.n == 0)
        fw_tui_put(w, 2, 2, width - 4,
                   v->all ? _("No whitelist entries: a adds one (or w on a hit or a person).")
                          : _("No entry in force or pending: a adds one, Tab shows expired and removed ones too."),
                   false);
}

/* --- removing and reviewing ------------------------------------------------------------------------ */

typedef struct wl_pick {
    long long id;
} wl_pick;

static void pick_free(void *p) { free(p); }

static void remove_answered(fw_tui *t, void *p, const char *text)
{
    wl_pick *k = p;
    if (strcmp(text, "y") != 0 && strcmp(text, "Y") != 0 && strcmp(text, _("y")) != 0) {
        fw_tui_message(t, _("Entry %lld kept."), k->id);
        free(k);
        return;
    }
    fw_err err = {0};
    if (fw_whitelist_remove(t->ws, k->id, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        fw_tui_reload(t);
        fw_tui_message(t, _("Entry %lld removed: its hits come back at the next rule run."), k->id);
    }
    free(k);
}

static void review_answered(fw_tui *t, void *p, const char *text)
{
    wl_pick *k = p;
    bool approve = strcmp(text, "a") == 0, reject = strcmp(text, "r") == 0;
    if (!approve && !reject) {
        fw_tui_error(t, _("Type a to approve or r to reject (Esc leaves the entry pending)."));
        fw_tui_ask(t, _("Review: a approve, r reject: "), text, review_answered, pick_free, k);
        return;
    }
    fw_err err = {0};
    if (fw_whitelist_approve(t->ws, k->id, reject, &err))
        fw_tui_error(t, "%s", err.msg);
    else {
        fw_tui_reload(t);
        fw_tui_message(t, approve ? _("Entry %lld approved by %s: it takes effect at the next rule run.")
                                  : _("Entry %lld rejected by %s: it suppresses nothing."),
                       k->id, fw_user());
    }
    free(k);
}

static void ask_remove(fw_tui *t, const wl_row *r)
{
    if (strcmp(r->state, "removed") == 0 || strcmp(r->state, "rejected") == 0) {
        fw_tui_error(t, _("Entry %lld is already %s."), r->id, _(r->state));
        return;
    }
    wl_pick *k = fw_calloc(1, sizeof *k);
    k->id = r->id;
    char idb[32];
    char *label = fw_printf(_("Remove entry %lld (%s %s)? y/n: "), r->id, r->rule_id, fw_tui_id(t, r->id_number, idb));
    fw_tui_ask(t, label, "", remove_answered, pick_free, k);
    free(label);
}

static void ask_review(fw_tui *t, const wl_row *r)
{
    if (strcmp(r->state, "pending") != 0) {
        fw_tui_error(t, _("Entry %lld awaits no review: only pending entries (case review on) are reviewed."), r->id);
        return;
    }
    if (strcmp(r->user, fw_user()) == 0) {
        fw_tui_error(t, _("Entry %lld was added by you (%s): a second user reviews it."), r->id, r->user);
        return;
    }
    wl_pick *k = fw_calloc(1, sizeof *k);
    k->id = r->id;
    fw_tui_ask(t, _("Review: a approve, r reject: "), "", review_answered, pick_free, k);
}

/* --- the form: ID number, rule, reason, last day ---------------------------------------------------- */

enum { F_ID, F_RULE, F_REASON, F_UNTIL, F_COUNT };

typedef struct wl_form {
    int step;
    char *values[F_COUNT];
} wl_form;

static void form_free(void *p)
{
    wl_form *f = p;
    for (int i = 0; i < F_COUNT; i++)
        free(f->values[i]);
    free(f);
}

static const char *field_label(int field)
{
    switch (field) {
    case F_ID: return _("Whitelist: ID number: ");
    case F_RULE: return _("Whitelist: rule (e.g. DEC-001): ");
    case F_REASON: return _("Whitelist: reason (why these hits are not leads): ");
    default: return _("Whitelist: last day (YYYY-MM-DD, empty = until removed): ");
    }
}

/* A rule the workspace knows: in a rule file or in a run. */
static bool rule_known(fw_tui *t, const char *rule_id)
{
    fw_rule_row *rows;
    int n;
    fw_err err = {0};
    if (fw_rules_list(t->ws, &rows, &n, &err))
        return true; /* cannot tell: the engine's syntax check stands */
    bool found = false;
    for (int i = 0; i < n && !found; i++)
        found = strcmp(rows[i].rule_id, rule_id) == 0;
    fw_rules_free(rows, n);
    return found;
}

/* Checks one answer; on success the value, normalized (ID number and rule in upper case), goes
 * into the form. */
static int check_field(fw_tui *t, wl_form *f, const char *text, fw_err *err)
{
    char out[40];
    int rc;
    switch (f->step) {
    case F_ID: rc = fw_whitelist_check_id(text, out, err); break;
    case F_RULE:
        rc = fw_whitelist_check_rule(text, out, err);
        if (!rc && !rule_known(t, out))
            rc = fw_fail(err, FW_EDATA,
                         _("%s is neither in the rule files nor in a run; the rules screen (4) lists them."), out);
        break;
    case F_REASON: rc = fw_whitelist_check_reason(text, f->values[F_RULE], err); break;
    default: rc = fw_whitelist_check_until(text, err); break;
    }
    if (rc)
        return rc;
    free(f->values[f->step]);
    f->values[f->step] = fw_strdup(f->step == F_ID || f->step == F_RULE ? out : text);
    return FW_OK;
}

static void ask_next(fw_tui *t, wl_form *f);

static void submit(fw_tui *t, wl_form *f)
{
    long long id = 0;
    fw_err err = {0};
    const char *until = f->values[F_UNTIL] && *f->values[F_UNTIL] ? f->values[F_UNTIL] : NULL;
    if (fw_whitelist_add(t->ws, f->values[F_ID], f->values[F_RULE], f->values[F_REASON], until, &id, &err)) {
        fw_tui_error(t, "%s", err.msg);
        form_free(f);
        return;
    }
    fw_tui_reload(t);
    if (fw_case_review_required(t->ws))
        fw_tui_message(t, _("Whitelist entry %lld added (%s %s): it awaits a second user's review (W, then A)."), id,
                       f->values[F_RULE], f->values[F_ID]);
    else
        fw_tui_message(t, _("Whitelist entry %lld added (%s %s): it takes effect at the next rule run."), id,
                       f->values[F_RULE], f->values[F_ID]);
    form_free(f);
}

static void field_answered(fw_tui *t, void *p, const char *text)
{
    wl_form *f = p;
    fw_err err = {0};
    if (check_field(t, f, text, &err)) {
        /* Refused with its reason; the text stays in the prompt to be corrected. */
        fw_tui_error(t, "%s", err.msg);
        fw_tui_ask(t, field_label(f->step), text, field_answered, form_free, f);
        return;
    }
    f->step++;
    ask_next(t, f);
}

static void ask_next(fw_tui *t, wl_form *f)
{
    if (f->step == F_COUNT) {
        submit(t, f);
        return;
    }
    fw_tui_ask(t, field_label(f->step), f->values[f->step], field_answered, form_free, f);
}

void fw_whitelist_form_start(fw_tui *t, const char *id_number, const char *rule_id)
{
    wl_form *f = fw_calloc(1, sizeof *f);
    const char *given[] = {id_number, rule_id};
    /* What the hit or person gave is checked like an answer: the form starts at the first field
     * that is missing or refused (a ledger's ID number can fail its check character), saying why. */
    for (f->step = F_ID; f->step <= F_RULE; f->step++) {
        const char *g = given[f->step];
        fw_err err = {0};
        if (!g || !*g)
            break;
        if (check_field(t, f, g, &err)) {
            free(f->values[f->step]);
            f->values[f->step] = fw_strdup(g);
            fw_tui_error(t, "%s", err.msg);
            break;
        }
    }
    ask_next(t, f);
}

/* --- keys ------------------------------------------------------------------------------------------ */

static const char *line_text(int i, void *ctx)
{
    return ((wl_view *)ctx)->rows[i].text;
}

static int wl_key(fw_tui *t, void *p, enum fw_action a)
{
    wl_view *v = p;
    if (fw_lines_move(&v->nav, a, v->height)) {
        if (v->nav.cursor < v->nav.n)
            v->rows[v->nav.cursor].changed = false; /* seen: the mark goes */
        return FW_KEY_REDRAW;
    }
    const wl_row *r = v->nav.n ? &v->rows[v->nav.cursor] : NULL;
    switch (a) {
    case ACT_WL_ADD: fw_whitelist_form_start(t, NULL, NULL); return FW_KEY_REDRAW;
    case ACT_WL_REMOVE:
        if (r)
            ask_remove(t, r);
        return FW_KEY_REDRAW;
    case ACT_WL_REVIEW:
        if (r)
            ask_review(t, r);
        return FW_KEY_REDRAW;
    case ACT_TAB:
        v->all = !v->all;
        v->nav.cursor = v->nav.top = 0;
        load(t, v);
        return FW_KEY_REDRAW;
    case ACT_ENTER:
        if (r)
            fw_tui_push(t, &fw_view_person, r->id_number);
        return FW_KEY_REDRAW;
    case ACT_SEARCH: case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        return fw_lines_search_key(t, &v->nav, a, v->height, line_text, v);
    default: return FW_KEY_UNHANDLED;
    }
}

static void wl_search(fw_tui *t, void *p, const char *text, bool final)
{
    wl_view *v = p;
    (void)final;
    fw_lines_search_text(t, &v->nav, text, v->height, line_text, v);
}

static void wl_reload(fw_tui *t, void *p) { load(t, p); }

static const wl_row *entry_numbered(const wl_row *rows, int n, long long id)
{
    for (int i = 0; i < n; i++)
        if (rows[i].id == id)
            return &rows[i];
    return NULL;
}

/* What of an entry a reviewer follows: its state, its last day, who reviewed it. */
static bool entry_moved(const wl_row *was, const wl_row *now)
{
    return strcmp(was->state, now->state) != 0 || strcmp(was->until, now->until) != 0 ||
           strcmp(was->reviewed_by, now->reviewed_by) != 0;
}

static const char *entries_changed_text(int n)
{
    return ngettext("%d whitelist entry changed by others", "%d whitelist entries changed by others", n);
}

/* Another session changed the workspace (an entry added, reviewed or removed elsewhere): the list
 * is read again, the cursor stays on its entry, and an entry that is new or whose state moved is
 * marked until the cursor is on it; marks not yet seen stay. Returns how many entries changed. */
static int wl_others_changed(fw_tui *t, void *p, const long long *ids, int n, bool all)
{
    (void)ids, (void)n, (void)all; /* the notices name cases: the entries are compared */
    wl_view *v = p;
    wl_row *was = v->rows;
    int was_n = v->nav.n, top_off = v->nav.cursor - v->nav.top;
    long long at = v->nav.cursor < was_n ? was[v->nav.cursor].id : 0;
    v->rows = NULL, v->nav.n = 0; /* kept in was to compare */
    load(t, v);
    int changed = 0;
    for (int i = 0; i < v->nav.n; i++) {
        wl_row *r = &v->rows[i];
        const wl_row *before = entry_numbered(was, was_n, r->id);
        bool moved = !before || entry_moved(before, r);
        r->changed = moved || before->changed;
        changed += moved;
        if (r->id == at) {
            v->nav.cursor = i;
            v->nav.top = i - top_off > 0 ? i - top_off : 0;
        }
    }
    free_row_array(was, was_n);
    fw_lines_scroll(&v->nav, v->height ? v->height : 1);
    return changed;
}

static void wl_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    wl_view *v = p;
    int pending = 0;
    for (int i = 0; i < v->nav.n; i++)
        pending += strcmp(v->rows[i].state, "pending") == 0;
    snprintf(out, outsz, _("%d entries%s · %d pending review · a add · d remove · A review · Tab %s"), v->nav.n,
             v->all ? _(" (all)") : "", pending, v->all ? _("in force only") : _("all entries"));
}

static const char *wl_title(void *p)
{
    (void)p;
    return _("Whitelist");
}

const fw_view_ops fw_view_whitelist = {
    .name = "whitelist",
    .scope = S_WHITELIST,
    .open = wl_open,
    .draw = wl_draw,
    .key = wl_key,
    .reload = wl_reload,
    .close = wl_close,
    .search = wl_search,
    .status = wl_status,
    .title = wl_title,
    .others_changed = wl_others_changed,
    .changed_text = entries_changed_text,
};
