/* ruledata.c: the datasets a run's rules need, and which of them are empty (see ruledata.h). */
#include "audit/ruledata.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/dataset.h"
#include "audit/i18n.h"

enum { LACKING_NAMED = 10 }; /* rule ids named in the warning */

/* The same choice fw_run makes (engine.c). */
static bool chosen(fw_ws *ws, const fw_rule *r, const char *category, const char *const *only, int nonly)
{
    if (r->broken)
        return false;
    if (nonly) {
        for (int i = 0; i < nonly; i++)
            if (strcasecmp(only[i], r->id) == 0)
                return true;
        return false;
    }
    if (category && strcmp(category, r->category) != 0)
        return false;
    return fw_rule_enabled(ws, r);
}

static bool dataset_empty(fw_ws *ws, const char *name)
{
    if (!fw_dataset_find(name))
        return false; /* `rules check` reports an unknown dataset */
    char *sql = fw_printf("SELECT NOT EXISTS (SELECT 1 FROM ds_%s)", name);
    bool empty = fw_ws_int(ws, sql) != 0;
    free(sql);
    return empty;
}

/* Adds name to the space-separated list when it is not there yet. */
static void add_once(fw_buf *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list->data; p && (p = strstr(p, name)); p += n)
        if ((p == list->data || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return;
    fw_buf_printf(list, "%s%s", list->len ? " " : "", name);
}

int fw_rules_data_check(fw_ws *ws, fw_ruleset *set, const char *category, const char *const *only, int nonly,
                        char **warning, fw_err *err)
{
    *warning = NULL;
    fw_buf empty = {0}, lacking = {0};
    int nchosen = 0, nready = 0;
    for (int i = 0; i < set->n; i++) {
        const fw_rule *r = &set->rules[i];
        if (!chosen(ws, r, category, only, nonly))
            continue;
        nchosen++;
        bool ready = true;
        char *copy = fw_strdup(r->datasets ? r->datasets : "");
        for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
            if (dataset_empty(ws, t)) {
                ready = false;
                add_once(&empty, t);
            }
        free(copy);
        if (ready)
            nready++;
        else if (nchosen - nready <= LACKING_NAMED)
            fw_buf_printf(&lacking, "%s%s", lacking.len ? " " : "", r->id);
        else if (nchosen - nready == LACKING_NAMED + 1)
            fw_buf_puts(&lacking, " …");
    }
    int rc = FW_OK;
    if (nchosen > 0 && nready == 0)
        rc = fw_fail(err, FW_ENOTFOUND,
                     _("nothing to run on: the rules read %s, which hold no rows; load them first with "
                       "`fundwatch import DATASET FILE` (`fundwatch datasets` shows what is loaded)"),
                     empty.data);
    else if (lacking.len)
        *warning = fw_printf(_("%d of %d rules will find nothing because %s hold no rows: %s"), nchosen - nready,
                             nchosen, empty.data, lacking.data);
    fw_buf_free(&empty);
    fw_buf_free(&lacking);
    return rc;
}
