/* known.c: checking filter values against what exists (see known.h). Vocabulary words are looked
 * up in audit/vocab.h; data values with one query that stops at the first row that has the value
 * (each table is tried in turn, the indexed hits first), so a known value costs an index probe. The
 * list of known values is only gathered for the error message. The queries go through the store
 * (ws->store), in SQL both engines take. */
#include "audit/known.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/rules.h"
#include "audit/store/store.h"
#include "audit/vocab.h"

enum { LIST_MAX = 40 }; /* known values named in a message; more are counted */

const char *fw_known_name(enum fw_known_field field)
{
    switch (field) {
    case FW_KNOWN_CATEGORY: return N_("category");
    case FW_KNOWN_SEVERITY: return N_("severity");
    case FW_KNOWN_STATUS:
    case FW_KNOWN_CASE_STATUS: return N_("status");
    case FW_KNOWN_STATE: return N_("state");
    case FW_KNOWN_RULE: return N_("rule");
    case FW_KNOWN_TOWNSHIP: return N_("township");
    case FW_KNOWN_VILLAGE: return N_("village");
    case FW_KNOWN_PROGRAM: return N_("program");
    }
    return "?";
}

/* --- vocabulary fields ------------------------------------------------------------------------- */

static const fw_label state_all[] = {{"all", "全部", "all"}, {NULL, NULL, NULL}};
static const fw_label pending_review[] = {{"pending_review", "待复核", "pending review"}, {NULL, NULL, NULL}};

/* The vocabularies a field accepts: one table, or two (a status list and its extra word). */
static int field_tables(enum fw_known_field field, const fw_label *tables[2])
{
    tables[1] = NULL;
    switch (field) {
    case FW_KNOWN_CATEGORY: tables[0] = fw_categories; return 1;
    case FW_KNOWN_SEVERITY: tables[0] = fw_severities; return 1;
    case FW_KNOWN_STATUS: tables[0] = fw_case_statuses; return 1;
    case FW_KNOWN_CASE_STATUS: tables[0] = fw_case_statuses, tables[1] = pending_review; return 2;
    case FW_KNOWN_STATE: tables[0] = fw_hit_states, tables[1] = state_all; return 2;
    default: tables[0] = NULL; return 0;
    }
}

static char *vocabulary_value(enum fw_known_field field, const char *value, fw_err *err)
{
    const fw_label *tables[2];
    int n = field_tables(field, tables);
    const char *words[64];
    int nwords = 0;
    fw_buf choices = {0};
    fw_buf_puts(&choices, "");
    for (int t = 0; t < n; t++) {
        const fw_label *l = fw_label_parse(tables[t], value);
        if (l) {
            fw_buf_free(&choices);
            return fw_strdup(l->key);
        }
        for (l = tables[t]; l->key && nwords < 60; l++) {
            fw_buf_printf(&choices, "%s%s %s", choices.len ? ", " : "", l->key, l->zh);
            words[nwords++] = l->key;
            words[nwords++] = l->zh;
        }
    }
    words[nwords] = NULL;
    const char *near = fw_closest(value, words);
    if (near)
        fw_fail(err, FW_ENOTFOUND, _("unknown %s '%s'; did you mean %s? Known: %s"), _(fw_known_name(field)), value,
                near, choices.data);
    else
        fw_fail(err, FW_ENOTFOUND, _("unknown %s '%s'; known: %s"), _(fw_known_name(field)), value, choices.data);
    fw_buf_free(&choices);
    return NULL;
}

/* --- data fields ------------------------------------------------------------------------------- */

typedef struct data_field {
    const char *find;  /* ?1 = the value; one row (the stored value) when it is known */
    const char *list;  /* the known values, sorted, for the message */
} data_field;

/* Townships and villages: hits (what a filter filters), cases, the registry and the ledger. The
 * message lists those of the hits and the registry (the ledger is not read whole for a message). */
#define PLACE_FIELD(col)                                                                                   \
    {"SELECT " col " FROM hits WHERE " col " = ?1 UNION ALL SELECT " col " FROM cases WHERE " col " = ?1 " \
     "UNION ALL SELECT " col " FROM ds_persons WHERE " col " = ?1 "                                        \
     "UNION ALL SELECT " col " FROM ds_payments WHERE " col " = ?1 LIMIT 1",                                \
     "SELECT " col " FROM hits WHERE " col " <> '' UNION SELECT " col " FROM ds_persons WHERE " col         \
     " <> '' ORDER BY 1"}

static const data_field place_township = PLACE_FIELD("township");
static const data_field place_village = PLACE_FIELD("village");
/* Programs: the canonical names of the profile, the hits, the ledger (indexed by program). */
static const data_field program_field = {
    "SELECT program FROM hits WHERE program = ?1 UNION ALL SELECT name FROM programs WHERE name = ?1 "
    "UNION ALL SELECT program FROM ds_payments WHERE program = ?1 LIMIT 1",
    "SELECT program FROM hits WHERE program <> '' UNION SELECT name FROM programs ORDER BY 1"};
/* Rules: those that ever ran here (run_rules), those with hits (ids are stored as written in the
 * rule file, upper case by convention, so the index on hits is probed with upper()). Rule ids are
 * ASCII, so upper() on both sides matches as COLLATE NOCASE did, which PostgreSQL lacks. */
static const data_field rule_field = {
    "SELECT rule_id FROM run_rules WHERE upper(rule_id) = upper(?1) "
    "UNION ALL SELECT rule_id FROM hits WHERE rule_id = upper(?1) LIMIT 1",
    "SELECT rule_id FROM run_rules UNION SELECT rule_id FROM hits ORDER BY 1"};

static const data_field *data_field_of(enum fw_known_field field)
{
    switch (field) {
    case FW_KNOWN_TOWNSHIP: return &place_township;
    case FW_KNOWN_VILLAGE: return &place_village;
    case FW_KNOWN_PROGRAM: return &program_field;
    case FW_KNOWN_RULE: return &rule_field;
    default: return NULL;
    }
}

/* The stored value when known (caller frees), NULL when not; -1 in *failed on a query error. */
static char *find_value(fw_ws *ws, const data_field *d, const char *value, int *failed, fw_err *err)
{
    fw_stmt *st;
    *failed = 0;
    if (fw_db_prepare(ws->store, d->find, &st, err)) {
        *failed = -1;
        return NULL;
    }
    fw_stmt_bind_text(st, 1, value, -1);
    char *found = NULL;
    int rc = fw_stmt_step(st, err);
    if (rc == 1)
        found = fw_strdup(fw_stmt_text(st, 0));
    else if (rc < 0) {
        /* The store's message goes behind the module's (fw_fail rewrites err->msg: copied first). */
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        fw_fail(err, err->code, _("checking '%s' in the workspace: %s"), value, why);
        *failed = -1;
    }
    fw_stmt_finalize(st);
    return found;
}

/* Known values of a data field, NULL-terminated (caller frees with fw_strv_free): the workspace's,
 * and for rules also the catalogue's. */
static char **known_values(fw_ws *ws, enum fw_known_field field, fw_ruleset *set)
{
    int n = 0, cap = 16;
    char **v = fw_calloc((size_t)cap, sizeof *v);
    fw_stmt *st;
    fw_err ignored = {0}; /* only a message's list: what could be read is listed */
    if (fw_db_prepare(ws->store, data_field_of(field)->list, &st, &ignored) == FW_OK) {
        while (fw_stmt_step(st, &ignored) == 1 && fw_stmt_text(st, 0)) {
            if (n + 2 >= cap)
                v = fw_realloc(v, (size_t)(cap *= 2) * sizeof *v);
            v[n++] = fw_strdup(fw_stmt_text(st, 0));
        }
        fw_stmt_finalize(st);
    }
    for (int i = 0; set && i < set->n; i++) {
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = strcmp(v[k], set->rules[i].id) == 0;
        if (seen)
            continue;
        if (n + 2 >= cap)
            v = fw_realloc(v, (size_t)(cap *= 2) * sizeof *v);
        v[n++] = fw_strdup(set->rules[i].id);
    }
    v[n] = NULL;
    return v;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void unknown_data_value(fw_ws *ws, enum fw_known_field field, const char *value, fw_ruleset *set,
                               fw_err *err)
{
    char **v = known_values(ws, field, set);
    int n = 0;
    while (v[n])
        n++;
    qsort(v, (size_t)n, sizeof *v, compare_strings);
    fw_buf list = {0};
    fw_buf_puts(&list, "");
    for (int i = 0; i < n && i < LIST_MAX; i++)
        fw_buf_printf(&list, "%s%s", i ? ", " : "", v[i]);
    if (n > LIST_MAX)
        fw_buf_printf(&list, _(" … (%d more)"), n - LIST_MAX);
    const char *near = fw_closest(value, (const char *const *)v);
    if (n == 0)
        fw_fail(err, FW_ENOTFOUND, _("unknown %s '%s': the workspace has none yet (load data and run the rules)"),
                _(fw_known_name(field)), value);
    else if (near)
        fw_fail(err, FW_ENOTFOUND, _("unknown %s '%s'; did you mean %s? Known: %s"), _(fw_known_name(field)), value,
                near, list.data);
    else
        fw_fail(err, FW_ENOTFOUND, _("unknown %s '%s'; known: %s"), _(fw_known_name(field)), value, list.data);
    fw_buf_free(&list);
    fw_strv_free(v);
}

static char *data_value(fw_ws *ws, enum fw_known_field field, const char *value, fw_err *err)
{
    int failed;
    char *found = find_value(ws, data_field_of(field), value, &failed, err);
    if (found || failed)
        return found;
    fw_ruleset set = {0}, *catalogue = NULL;
    if (field == FW_KNOWN_RULE) {
        /* A catalogue rule that never ran here is known too (its list is just empty). */
        fw_rule_sources src = fw_rule_default_sources(NULL);
        fw_diags d = {0};
        fw_err ignored = {0};
        if (fw_rules_load(&src, &set, &d, &ignored) == FW_OK) {
            catalogue = &set;
            fw_rule *r = fw_ruleset_find(&set, value);
            if (r)
                found = fw_strdup(r->id);
        }
        fw_diags_free(&d);
    }
    if (!found)
        unknown_data_value(ws, field, value, catalogue, err);
    fw_ruleset_free(&set);
    return found;
}

char *fw_known_value(fw_ws *ws, enum fw_known_field field, const char *value, fw_err *err)
{
    if (!value)
        return NULL;
    if (data_field_of(field))
        return data_value(ws, field, value, err);
    return vocabulary_value(field, value, err);
}

/* --- the hit list's filter ----------------------------------------------------------------------- */

int fw_hit_filter_resolve(fw_ws *ws, fw_hit_filter *f, fw_err *err)
{
    struct { enum fw_known_field field; char **slot; } fields[] = {
        {FW_KNOWN_CATEGORY, &f->category}, {FW_KNOWN_RULE, &f->rule_id},   {FW_KNOWN_SEVERITY, &f->severity},
        {FW_KNOWN_STATUS, &f->status},     {FW_KNOWN_TOWNSHIP, &f->township}, {FW_KNOWN_VILLAGE, &f->village},
        {FW_KNOWN_PROGRAM, &f->program},
    };
    enum { N = (int)(sizeof fields / sizeof fields[0]) };
    char *resolved[N] = {0};
    for (int i = 0; i < N; i++) {
        if (!*fields[i].slot || !**fields[i].slot)
            continue;
        if (!(resolved[i] = fw_known_value(ws, fields[i].field, *fields[i].slot, err))) {
            for (int k = 0; k < i; k++)
                free(resolved[k]);
            return err->code ? err->code : FW_ENOTFOUND;
        }
    }
    for (int i = 0; i < N; i++)
        if (resolved[i]) {
            free(*fields[i].slot);
            *fields[i].slot = resolved[i];
        }
    return FW_OK;
}
