/* case_form.c: the case forms of the hit list and the person screen, asked one question at a time
 * in the prompt line: change status (only the next statuses the transitions table of
 * audit/cases.h allows, then exactly the fields that transition names), assign (who, due date),
 * add a note. The form remembers the version of each case when it opened; the engine refuses a
 * change when the case changed since ("changed by X; reload"), so two people cannot overwrite each
 * other. Validation is the engine's (fw_case_check_field as each answer is given, then
 * fw_case_check_change, fw_case_parse_*): one set of rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/cases.h"
#include "audit/i18n.h"
#include "tui/tui.h"

/* The fields a status change may ask, in the order they are asked (the note last: it sums up). */
static const unsigned field_order[] = {FW_CF_METHOD, FW_CF_VERIFIER, FW_CF_REASON, FW_CF_REASON_TEXT,
                                       FW_CF_MEASURES, FW_CF_TO_RECOVER, FW_CF_RECOVERED, FW_CF_NOTE};
enum { NFIELDS = sizeof field_order / sizeof field_order[0] };

typedef struct case_form {
    enum fw_action kind;
    long long *ids, *versions;
    int n;
    char *case_no;           /* of the first case, for messages */
    char from[24];
    const fw_transition *tr; /* status: the chosen transition */
    int step;                /* status: index into field_order of the question asked */
    char *values[NFIELDS];   /* status: answers by field_order index; assign: [0] who */
} case_form;

static void form_free(void *p)
{
    case_form *f = p;
    free(f->ids);
    free(f->versions);
    free(f->case_no);
    for (int i = 0; i < NFIELDS; i++)
        free(f->values[i]);
    free(f);
}

/* The Chinese labels when the interface speaks Chinese (the message catalogue is in use). */
static bool chinese_ui(void)
{
    return strcmp(_("Status"), "Status") != 0;
}

static const char *status_label(const char *key)
{
    const fw_label *l = fw_label_find(fw_case_statuses, key);
    return l ? (chinese_ui() ? l->zh : l->en) : key;
}

/* --- after the last answer ---------------------------------------------------------------------- */

typedef int (*apply_fn)(fw_tui *t, case_form *f, int i, fw_err *err);

/* Applies one change to every case; stops at the first refusal (reported with its case). Each case
 * is its own transaction, so a batch of thousands shows the shared progress bar, and Esc stops it
 * between two cases: the cases changed so far stay changed (each with its trail record), the
 * message says how many. */
static void apply_all(fw_tui *t, case_form *f, apply_fn apply, const char *done_msg)
{
    int ok = 0;
    fw_progress bar;
    fw_progress_begin(&bar, t, _("Esc stops after the case being changed"));
    for (int i = 0; i < f->n; i++) {
        fw_err err = {0};
        if (f->n > 1) {
            char *text = fw_printf(_("Changing cases: %d of %d…"), i, f->n);
            bool stop = fw_progress_update(&bar, i, f->n, text);
            free(text);
            if (stop) {
                fw_tui_reload(t);
                fw_tui_error(t, _("Stopped: %d of %d cases changed, the others are as they were."), ok, f->n);
                return;
            }
        }
        if (apply(t, f, i, &err)) {
            fw_tui_reload(t);
            fw_tui_error(t, _("Case %lld: %s (%d of %d cases changed)"), f->ids[i], err.msg, ok, f->n);
            return;
        }
        ok++;
    }
    fw_tui_reload(t);
    if (f->n == 1)
        fw_tui_message(t, "%s: %s", f->case_no ? f->case_no : "", done_msg);
    else
        fw_tui_message(t, _("%d cases: %s"), f->n, done_msg);
}

static const char *value_of(const case_form *f, unsigned field)
{
    for (int i = 0; i < NFIELDS; i++)
        if (field_order[i] == field)
            return f->values[i] && *f->values[i] ? f->values[i] : NULL;
    return NULL;
}

/* Fills the change from the answers; FW_EDATA when an amount does not parse. */
static int build_change(const case_form *f, fw_case_change *c, fw_err *err)
{
    memset(c, 0, sizeof *c);
    c->to = f->tr->to;
    c->note = value_of(f, FW_CF_NOTE);
    c->method = value_of(f, FW_CF_METHOD);
    c->verifier = value_of(f, FW_CF_VERIFIER);
    c->reason = value_of(f, FW_CF_REASON);
    c->reason_text = value_of(f, FW_CF_REASON_TEXT);
    c->measures = value_of(f, FW_CF_MEASURES);
    const char *s;
    if ((s = value_of(f, FW_CF_TO_RECOVER))) {
        if (fw_case_parse_money(s, &c->to_recover, err))
            return err->code;
        c->has_to_recover = true;
    }
    if ((s = value_of(f, FW_CF_RECOVERED))) {
        if (fw_case_parse_money(s, &c->recovered, err))
            return err->code;
        c->has_recovered = true;
    }
    return FW_OK;
}

static int apply_status(fw_tui *t, case_form *f, int i, fw_err *err)
{
    fw_case_change c;
    if (build_change(f, &c, err))
        return err->code;
    return fw_case_set_status(t->ws, f->ids[i], f->versions[i], &c, err);
}

static void submit_status(fw_tui *t, case_form *f)
{
    fw_case_change c;
    fw_err err = {0};
    if (build_change(f, &c, &err) || fw_case_check_change(f->from, &c, &err)) {
        fw_tui_error(t, "%s", err.msg);
        form_free(f);
        return;
    }
    char *done = fw_printf(_("status %s → %s."), status_label(f->from), status_label(f->tr->to));
    apply_all(t, f, apply_status, done);
    free(done);
    form_free(f);
}

/* --- the status questions ----------------------------------------------------------------------- */

static const fw_label *field_table(unsigned field)
{
    switch (field) {
    case FW_CF_METHOD: return fw_verify_methods;
    case FW_CF_REASON: return fw_dismiss_reasons;
    case FW_CF_MEASURES: return fw_measures;
    default: return NULL;
    }
}

static const char *field_title(unsigned field)
{
    switch (field) {
    case FW_CF_NOTE: return _("Note");
    case FW_CF_METHOD: return _("Verification method");
    case FW_CF_VERIFIER: return _("Verifier");
    case FW_CF_REASON: return _("Dismissal reason");
    case FW_CF_REASON_TEXT: return _("Reason text");
    case FW_CF_MEASURES: return _("Measures (comma list)");
    case FW_CF_TO_RECOVER: return _("Amount to recover (yuan)");
    case FW_CF_RECOVERED: return _("Amount recovered (yuan)");
    default: return "?";
    }
}

static void ask_field(fw_tui *t, case_form *f);

/* A measures list as typed, with the blanks around its commas dropped ("stop_payment, recover_funds"
 * is the same list as without the space). Caller frees. */
static char *tidy_list(const char *text)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t') {
            const char *q = p;
            while (*q == ' ' || *q == '\t')
                q++;
            bool by_comma = *q == ',' || *q == '\0' || b.len == 0 || b.data[b.len - 1] == ',';
            if (by_comma) {
                p = q - 1;
                continue;
            }
        }
        fw_buf_putc(&b, *p);
    }
    return fw_buf_steal(&b);
}

static const char *answer_of(const case_form *f, unsigned field)
{
    for (int i = 0; i < NFIELDS; i++)
        if (field_order[i] == field)
            return f->values[i];
    return NULL;
}

/* Each answer is checked when it is given, with the engine's checks (fw_case_check_field): a bad
 * key, amount or an empty required field is refused with its reason and asked again with the text
 * kept for correcting, instead of the whole form failing at the end. */
static void field_answered(fw_tui *t, void *p, const char *typed)
{
    case_form *f = p;
    unsigned field = field_order[f->step];
    char *text = field == FW_CF_MEASURES ? tidy_list(typed) : fw_strdup(typed);
    fw_err err = {0};
    const char *reason = answer_of(f, FW_CF_REASON);
    if (!*text && (f->tr->required & field)) {
        fw_tui_error(t, _("%s is required for %s → %s."), field_title(field), status_label(f->from),
                     status_label(f->tr->to));
    } else if (!*text && field == FW_CF_REASON_TEXT && reason && strcmp(reason, "other") == 0) {
        fw_tui_error(t, _("%s is required when the reason is 'other'."), field_title(field));
    } else if (*text && fw_case_check_field(field, text, &err)) {
        fw_tui_error(t, "%s: %s", field_title(field), err.msg);
    } else {
        free(f->values[f->step]);
        f->values[f->step] = text;
        f->step++;
        ask_field(t, f);
        return;
    }
    /* Asked again with what was typed, to correct it. */
    free(f->values[f->step]);
    f->values[f->step] = text;
    ask_field(t, f);
}

/* Asks the next field the transition names, or submits when none is left. */
static void ask_field(fw_tui *t, case_form *f)
{
    unsigned wanted = f->tr->required | f->tr->optional;
    while (f->step < NFIELDS && !(wanted & field_order[f->step]))
        f->step++;
    if (f->step == NFIELDS) {
        submit_status(t, f);
        return;
    }
    unsigned field = field_order[f->step];
    char keys[256] = "";
    const fw_label *table = field_table(field);
    if (table)
        fw_label_keys(table, keys, sizeof keys);
    char *label = fw_printf("%s%s%s%s%s: ", field_title(field), table ? " (" : "", keys, table ? ")" : "",
                            f->tr->required & field ? "" : _(" [optional]"));
    fw_tui_ask(t, label, f->values[f->step], field_answered, form_free, f);
    free(label);
}

/* The typed status: a key, a label, or the number of the choice. */
static const fw_transition *pick_transition(const case_form *f, const char *text)
{
    int k = 0;
    int num = atoi(text);
    for (int i = 0; i < fw_ncase_transitions; i++) {
        const fw_transition *tr = &fw_case_transitions[i];
        if (strcmp(tr->from, f->from) != 0)
            continue;
        k++;
        const fw_label *l = fw_label_find(fw_case_statuses, tr->to);
        if (strcmp(text, tr->to) == 0 || num == k || (l && (strcmp(text, l->zh) == 0 || strcmp(text, l->en) == 0)))
            return tr;
    }
    return NULL;
}

static void status_answered(fw_tui *t, void *p, const char *text)
{
    case_form *f = p;
    f->tr = pick_transition(f, text);
    if (!f->tr) {
        char next[256];
        fw_case_next_statuses(f->from, next, sizeof next);
        fw_tui_error(t, _("'%s' cannot follow %s: choose one of %s."), text, status_label(f->from), next);
        form_free(f);
        return;
    }
    f->step = 0;
    ask_field(t, f);
}

static void ask_status(fw_tui *t, case_form *f)
{
    fw_buf b = {0};
    fw_buf_printf(&b, _("%s → "), status_label(f->from));
    int k = 0;
    const char *only = NULL;
    for (int i = 0; i < fw_ncase_transitions; i++)
        if (strcmp(fw_case_transitions[i].from, f->from) == 0) {
            only = fw_case_transitions[i].to;
            const char *label = status_label(only);
            fw_buf_printf(&b, "%s%d %s%s%s", k ? ", " : "", k + 1, only, strcmp(label, only) ? " " : "",
                          strcmp(label, only) ? label : "");
            k++;
        }
    if (k == 0) {
        fw_tui_error(t, _("%s is %s: no status can follow."), f->case_no ? f->case_no : "", status_label(f->from));
        free(fw_buf_steal(&b));
        form_free(f);
        return;
    }
    fw_buf_puts(&b, ": ");
    char *label = fw_buf_steal(&b);
    fw_tui_ask(t, label, k == 1 ? only : "", status_answered, form_free, f);
    free(label);
}

/* --- assign, note --------------------------------------------------------------------------------- */

static int apply_assign(fw_tui *t, case_form *f, int i, fw_err *err)
{
    return fw_case_assign(t->ws, f->ids[i], f->versions[i], f->values[0], f->values[1], err);
}

static void due_answered(fw_tui *t, void *p, const char *text)
{
    case_form *f = p;
    fw_err err = {0};
    if (*text && fw_case_parse_date(text, &err)) {
        fw_tui_error(t, "%s", err.msg);
        fw_tui_ask(t, _("Due date (YYYY-MM-DD, empty = none): "), text, due_answered, form_free, f);
        return;
    }
    f->values[1] = *text ? fw_strdup(text) : NULL;
    char *done = fw_printf(_("assigned to %s."), f->values[0]);
    apply_all(t, f, apply_assign, done);
    free(done);
    form_free(f);
}

static void assignee_answered(fw_tui *t, void *p, const char *text)
{
    case_form *f = p;
    if (!*text) {
        fw_tui_error(t, _("Type who the case goes to (a person or department), or Esc."));
        fw_tui_ask(t, _("Assign to: "), "", assignee_answered, form_free, f);
        return;
    }
    f->values[0] = fw_strdup(text);
    fw_tui_ask(t, _("Due date (YYYY-MM-DD, empty = none): "), "", due_answered, form_free, f);
}

static int apply_note(fw_tui *t, case_form *f, int i, fw_err *err)
{
    return fw_case_add_note(t->ws, f->ids[i], f->values[0], err);
}

static void note_answered(fw_tui *t, void *p, const char *text)
{
    case_form *f = p;
    if (!*text) {
        fw_tui_message(t, _("Empty note: nothing added."));
        form_free(f);
        return;
    }
    f->values[0] = fw_strdup(text);
    apply_all(t, f, apply_note, _("note added."));
    form_free(f);
}

/* --- start ---------------------------------------------------------------------------------------- */

/* Reads each case's status and version now: the version is what the user saw when deciding. */
static bool load_cases(fw_tui *t, case_form *f)
{
    fw_progress bar;
    fw_progress_begin(&bar, t, NULL);
    for (int i = 0; i < f->n; i++) {
        fw_case c;
        fw_err err = {0};
        if (f->n > 1) {
            char *text = fw_printf(_("Reading the cases: %d of %d…"), i, f->n);
            bool stop = fw_progress_update(&bar, i, f->n, text);
            free(text);
            if (stop) {
                fw_tui_message(t, _("Cancelled: nothing was changed."));
                return false;
            }
        }
        if (fw_case_get_id(t->ws, f->ids[i], &c, &err)) {
            fw_tui_error(t, "%s", err.msg);
            return false;
        }
        f->versions[i] = c.version;
        bool differs = i > 0 && strcmp(f->from, c.status) != 0;
        if (i == 0) {
            snprintf(f->from, sizeof f->from, "%s", c.status);
            f->case_no = fw_strdup(c.case_no);
        }
        fw_case_free(&c);
        if (differs && f->kind == ACT_CASE_STATUS) {
            fw_tui_error(t, _("The marked hits' cases are in different statuses: mark cases of one status."));
            return false;
        }
    }
    t->msg[0] = '\0'; /* the bar's last frame is not the form's first complaint */
    return true;
}

void fw_case_form_start(fw_tui *t, enum fw_action a, const long long *case_ids, int n)
{
    if (n <= 0)
        return;
    case_form *f = fw_calloc(1, sizeof *f);
    f->kind = a;
    f->n = n;
    f->ids = fw_calloc((size_t)n, sizeof *f->ids);
    f->versions = fw_calloc((size_t)n, sizeof *f->versions);
    memcpy(f->ids, case_ids, (size_t)n * sizeof *f->ids);
    if (!load_cases(t, f)) {
        form_free(f);
        return;
    }
    switch (a) {
    case ACT_CASE_STATUS: ask_status(t, f); break;
    case ACT_CASE_ASSIGN: fw_tui_ask(t, _("Assign to: "), "", assignee_answered, form_free, f); break;
    case ACT_CASE_NOTE: fw_tui_ask(t, _("Note: "), "", note_answered, form_free, f); break;
    default: form_free(f); break;
    }
}
