/* vocab.c: the vocabulary tables generated from the lists of vocab.h, and the lookups every
 * screen, command and export uses to show a code and to read what a person typed. */
#include "audit/vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/i18n.h"

#define FW_LABEL_ENTRY_(e, code, en, zh) {code, zh, en},
const fw_label fw_categories[] = {FW_CATEGORY_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_severities[] = {FW_SEVERITY_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_case_statuses[] = {FW_CASE_STATUS_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_verify_methods[] = {FW_VERIFY_METHOD_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_dismiss_reasons[] = {FW_DISMISS_REASON_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_measures[] = {FW_MEASURE_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_run_statuses[] = {FW_RUN_STATUS_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_hit_states[] = {FW_HIT_STATE_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_subject_kinds[] = {FW_SUBJECT_KIND_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_rule_statuses[] = {FW_RULE_STATUS_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_trail_actions[] = {FW_TRAIL_ACTION_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_order_states[] = {FW_ORDER_STATE_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_order_row_states[] = {FW_ORDER_ROW_STATE_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
const fw_label fw_order_conclusions[] = {FW_ORDER_CONCLUSION_LIST(FW_LABEL_ENTRY_){NULL, NULL, NULL}};
#define FW_ROLE_ENTRY_(e, code, en, zh, group) {code, zh, en},
#define FW_ROLE_GROUP_(e, code, en, zh, group) group,
const fw_label fw_user_roles[] = {FW_USER_ROLE_LIST(FW_ROLE_ENTRY_){NULL, NULL, NULL}};
const char *const fw_user_role_groups[] = {FW_USER_ROLE_LIST(FW_ROLE_GROUP_) NULL};

const fw_label *fw_label_find(const fw_label *table, const char *key)
{
    for (const fw_label *l = table; key && l->key; l++)
        if (strcmp(l->key, key) == 0)
            return l;
    return NULL;
}

/* s without the blanks around it (ASCII and the full-width space), as [*start, *start + *len). */
static void trimmed(const char *s, const char **start, size_t *len)
{
    static const char ideographic_space[] = "\xe3\x80\x80";
    for (;;) {
        if (*s == ' ' || *s == '\t')
            s++;
        else if (strncmp(s, ideographic_space, 3) == 0)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, ideographic_space, 3) == 0)
            n -= 3;
        else
            break;
    }
    *start = s;
    *len = n;
}

const fw_label *fw_label_parse(const fw_label *table, const char *text)
{
    if (!text)
        return NULL;
    const char *s;
    size_t n;
    trimmed(text, &s, &n);
    if (n == 0)
        return NULL;
    for (const fw_label *l = table; l->key; l++)
        if ((strlen(l->key) == n && strncasecmp(l->key, s, n) == 0) ||
            (strlen(l->en) == n && strncasecmp(l->en, s, n) == 0) || (strlen(l->zh) == n && memcmp(l->zh, s, n) == 0))
            return l;
    return NULL;
}

const char *fw_label_code(const fw_label *table, const char *text)
{
    const fw_label *l = fw_label_parse(table, text);
    return l ? l->key : NULL;
}

const char *fw_label_text(const fw_label *l)
{
    return fw_i18n_chinese() ? l->zh : l->en;
}

const char *fw_label_show(const fw_label *table, const char *code)
{
    const fw_label *l = fw_label_find(table, code);
    return l ? fw_label_text(l) : code ? code : "";
}

const char *fw_label_zh(const fw_label *table, const char *code)
{
    const fw_label *l = fw_label_find(table, code);
    return l ? l->zh : code ? code : "";
}

void fw_label_keys(const fw_label *table, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const fw_label *l = table; l->key && used < n; l++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", l == table ? "" : ", ", l->key);
}

char *fw_label_choices(const fw_label *table)
{
    fw_buf b = {0};
    fw_buf_puts(&b, "");
    for (const fw_label *l = table; l->key; l++)
        fw_buf_printf(&b, "%s%s %s", l == table ? "" : ", ", l->key, l->zh);
    return fw_buf_steal(&b);
}

/* The length of the list separator at s (",", "，" or "、"), 0 when none. */
static size_t separator(const char *s)
{
    if (*s == ',')
        return 1;
    if (strncmp(s, "\xef\xbc\x8c", 3) == 0 || strncmp(s, "\xe3\x80\x81", 3) == 0)
        return 3;
    return 0;
}

char *fw_label_parse_list(const fw_label *table, const char *what, const char *text, fw_err *err)
{
    fw_buf out = {0};
    fw_buf_puts(&out, "");
    const char *p = text ? text : "";
    for (;;) {
        const char *end = p;
        while (*end && !separator(end))
            end++;
        char *item = fw_strndup(p, (size_t)(end - p));
        const fw_label *l = fw_label_parse(table, item);
        if (!l) {
            char *choices = fw_label_choices(table);
            const char *s;
            size_t n;
            trimmed(item, &s, &n);
            if (n == 0)
                fw_fail(err, FW_EDATA, _("'%s' has an empty %s; give a comma list such as %s,%s"), text, what,
                        table[0].key, table[1].key ? table[1].key : table[0].key);
            else {
                char *word = fw_strndup(s, n);
                fw_fail(err, FW_EDATA, _("unknown %s '%s'; use one of: %s"), what, word, choices);
                free(word);
            }
            free(choices);
            free(item);
            fw_buf_free(&out);
            return NULL;
        }
        fw_buf_printf(&out, "%s%s", out.len ? "," : "", l->key);
        free(item);
        if (!*end)
            break;
        p = end + separator(end);
    }
    return fw_buf_steal(&out);
}
