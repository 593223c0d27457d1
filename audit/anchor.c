/* anchor.c: trail anchors (see anchor.h): taking one from the workspace, writing and reading the
 * anchor line, and checking an anchor against the trail. */
#include "audit/anchor.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/i18n.h"
#include "audit/schema.h"
#include "audit/store/store.h"
#include "audit/trail.h"

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

char *fw_workspace_id(fw_ws *ws)
{
    return fw_ws_setting(ws, FW_WORKSPACE_ID_KEY);
}

void fw_local_time_iso(char out[40])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char when[32], zone[8];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    if (strftime(zone, sizeof zone, "%z", &tm) != 5) /* +0800 */
        snprintf(zone, sizeof zone, "+0000");
    snprintf(out, 40, "%s%.3s:%.2s", when, zone, zone + 3);
}

int fw_anchor_take(fw_ws *ws, fw_anchor *a, fw_err *err)
{
    memset(a, 0, sizeof *a);
    fw_trail_head(ws, &a->seq, a->hash);
    if (a->seq < 0)
        return fw_fail(err, FW_EDATA, _("audit trail head (setting %s) is malformed: it was edited"),
                       FW_TRAIL_HEAD_KEY);
    if (a->seq == 0)
        snprintf(a->hash, sizeof a->hash, "%s", zero_hash);
    char *id = fw_workspace_id(ws);
    snprintf(a->workspace, sizeof a->workspace, "%s", id ? id : "");
    free(id);
    fw_local_time_iso(a->at);
    return FW_OK;
}

void fw_anchor_format(const fw_anchor *a, char out[FW_ANCHOR_LINE_MAX])
{
    int n = snprintf(out, FW_ANCHOR_LINE_MAX, FW_ANCHOR_MARK);
    if (a->workspace[0])
        n += snprintf(out + n, (size_t)(FW_ANCHOR_LINE_MAX - n), " ws=%s", a->workspace);
    n += snprintf(out + n, (size_t)(FW_ANCHOR_LINE_MAX - n), " seq=%lld sha256=%s", a->seq, a->hash);
    if (a->at[0])
        snprintf(out + n, (size_t)(FW_ANCHOR_LINE_MAX - n), " at=%s", a->at);
}

/* --- reading anchor lines ----------------------------------------------------------------------- */

/* What a key's value may consist of, and how long it may be. */
typedef struct anchor_key {
    const char *name;
    const char *chars; /* NULL: hex digits */
    size_t min, max;
} anchor_key;

static const anchor_key keys[] = {
    {"ws", NULL, 1, 32},
    {"seq", "0123456789", 1, 18},
    {"sha256", NULL, 64, 64},
    {"at", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:+-", 1, 39},
};
enum { K_WS, K_SEQ, K_SHA, K_AT, NKEYS };

static int value_char(const anchor_key *k, char c)
{
    return c && (k->chars ? strchr(k->chars, c) != NULL : isxdigit((unsigned char)c));
}

/* The key named at p (followed by '='), or -1. */
static int key_at(const char *p, const char *end)
{
    for (int i = 0; i < NKEYS; i++) {
        size_t n = strlen(keys[i].name);
        if ((size_t)(end - p) > n && memcmp(p, keys[i].name, n) == 0 && p[n] == '=')
            return i;
    }
    return -1;
}

/* Copies n bytes of v (n < cap, checked by the caller against the key's length), hex lower-cased. */
static void copy_value(char *dst, size_t cap, const char *v, size_t n, int lower)
{
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = lower ? (char)tolower((unsigned char)v[i]) : v[i];
    dst[n] = '\0';
}

static void store_value(fw_anchor *a, int key, const char *v, size_t n)
{
    char seq[24];
    switch (key) {
    case K_WS: copy_value(a->workspace, sizeof a->workspace, v, n, 1); break;
    case K_SEQ:
        copy_value(seq, sizeof seq, v, n, 0);
        a->seq = strtoll(seq, NULL, 10);
        break;
    case K_SHA: copy_value(a->hash, sizeof a->hash, v, n, 1); break;
    default: copy_value(a->at, sizeof a->at, v, n, 0); break;
    }
}

/* Parses the key=value words after a mark at p, which is on line `line`; words may continue on
 * the next lines (a mail program wraps long lines, a reply quotes them with '>'). Stops at the
 * first word that is not one. */
static int parse_one(const char *p, const char *end, int line, fw_anchor *a, fw_err *err)
{
    memset(a, 0, sizeof *a);
    int seen[NKEYS] = {0};
    for (;;) {
        /* Blanks; across a line end also the '>' a mail reply quotes with. */
        for (int newline = 0; p < end; p++) {
            if (*p == '\n')
                newline = 1;
            else if (!(*p == ' ' || *p == '\t' || *p == '\r' || (newline && *p == '>')))
                break;
        }
        int k = p < end ? key_at(p, end) : -1;
        if (k < 0)
            break;
        p += strlen(keys[k].name) + 1;
        const char *v = p;
        while (p < end && value_char(&keys[k], *p))
            p++;
        size_t n = (size_t)(p - v);
        if (seen[k]++)
            return fw_fail(err, FW_EDATA, _("line %d: the anchor has %s= twice"), line, keys[k].name);
        if (n < keys[k].min || n > keys[k].max || (p < end && (isalnum((unsigned char)*p) || *p == '_')))
            return fw_fail(err, FW_EDATA,
                           _("line %d: the anchor's %s= value is malformed (%s); copy the whole anchor line"),
                           line, keys[k].name,
                           k == K_SHA ? _("64 hexadecimal digits") : k == K_SEQ ? _("a record number") :
                           k == K_WS  ? _("the workspace id, hexadecimal") : _("a time"));
        store_value(a, k, v, n);
    }
    if (!seen[K_SEQ] || !seen[K_SHA])
        return fw_fail(err, FW_EDATA, _("line %d: the anchor lacks %s=; copy the whole anchor line"), line,
                       seen[K_SEQ] ? "sha256" : "seq");
    if (a->seq == 0 && strcmp(a->hash, zero_hash) != 0)
        return fw_fail(err, FW_EDATA, _("line %d: an anchor of record 0 must have the hash of an empty trail "
                                        "(64 zeros)"), line);
    return FW_OK;
}

/* True when the mark at p starts a word (so "xfundwatch-anchor" is not one). */
static int mark_starts_word(const char *text, const char *p)
{
    return p == text || !isalnum((unsigned char)p[-1]);
}

int fw_anchor_parse_all(const char *text, size_t n, fw_anchor **out, int *count, fw_err *err)
{
    *out = NULL;
    *count = 0;
    const char *end = text + n;
    size_t mlen = strlen(FW_ANCHOR_MARK);
    int line = 1, cap = 0;
    const char *counted = text; /* lines are counted up to here */
    for (const char *p = text; p + mlen <= end; p++) {
        p = memmem(p, (size_t)(end - p), FW_ANCHOR_MARK, mlen);
        if (!p)
            break;
        for (; counted < p; counted++)
            line += *counted == '\n';
        if (!mark_starts_word(text, p))
            continue;
        if (*count == cap) {
            cap = cap ? 2 * cap : 4;
            *out = fw_realloc(*out, (size_t)cap * sizeof **out);
        }
        if (parse_one(p + mlen, end, line, &(*out)[*count], err)) {
            free(*out);
            *out = NULL;
            *count = 0;
            return err->code;
        }
        ++*count;
    }
    if (*count == 0)
        return fw_fail(err, FW_EDATA,
                       _("no anchor line found (it starts with \"%s\", as `fundwatch log anchor` prints it)"),
                       FW_ANCHOR_MARK);
    return FW_OK;
}

int fw_anchor_parse(const char *text, fw_anchor *a, fw_err *err)
{
    fw_anchor *all;
    int n;
    if (fw_anchor_parse_all(text, strlen(text), &all, &n, err))
        return err->code;
    int rc = FW_OK;
    if (n != 1)
        rc = fw_fail(err, FW_EDATA, _("%d anchor lines where one was expected"), n);
    else
        *a = all[0];
    free(all);
    return rc;
}

int fw_anchor_from_json(fw_ws *ws, const char *json, fw_anchor *a, fw_err *err)
{
    /* The engine's JSON reader, not one written here: SQLite's json_valid and json_extract,
     * PostgreSQL's json type (a cast that fails is a failed step). A failed step is invalid JSON;
     * a trail_anchor that is not a string is none. */
    static const fw_sql read_anchor = {
        .name = "anchor.from_json",
        .sql = "SELECT json_valid(?1), CASE WHEN json_type(?1, '$.trail_anchor') = 'text' "
               "THEN json_extract(?1, '$.trail_anchor') END",
        .postgres = "SELECT 1, CASE WHEN json_typeof(CAST(?1 AS json) -> 'trail_anchor') = 'string' "
                    "THEN CAST(?1 AS json) ->> 'trail_anchor' END",
    };
    fw_stmt *st;
    if (fw_db_prepare_named(ws->store, &read_anchor, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, json, -1);
    int rc;
    fw_err step_err = {0};
    if (fw_stmt_step(st, &step_err) != 1 || !fw_stmt_int64(st, 0))
        rc = fw_fail(err, FW_EDATA, _("the provenance file is not valid JSON"));
    else if (fw_stmt_type(st, 1) != FW_DBT_TEXT)
        rc = fw_fail(err, FW_EDATA, _("the provenance file has no \"trail_anchor\""));
    else
        rc = fw_anchor_parse(fw_stmt_text(st, 1), a, err);
    fw_stmt_finalize(st);
    return rc;
}

/* --- checking an anchor ------------------------------------------------------------------------- */

static int check_workspace(fw_ws *ws, const fw_anchor *a, fw_err *err)
{
    char *id = fw_workspace_id(ws);
    int rc = FW_OK;
    if (a->workspace[0] && id && strcmp(id, a->workspace) != 0)
        rc = fw_fail(err, FW_EDATA,
                     _("the anchor is of workspace %s but this workspace is %s: check it against the "
                       "workspace it was taken from (--db)"),
                     a->workspace, id);
    free(id);
    return rc;
}

int fw_anchor_check(fw_ws *ws, const fw_anchor *a, fw_err *err)
{
    if (check_workspace(ws, a, err))
        return err->code;
    if (a->seq == 0)
        return FW_OK; /* an empty trail: every trail holds it */
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT hash FROM trail WHERE seq = ?", &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, a->seq);
    int rc = FW_OK;
    const char *taken = a->at[0] ? a->at : _("(time not given)");
    int step = fw_stmt_step(st, err);
    if (step < 0) {
        rc = err->code;
    } else if (step == 0) {
        fw_err e = {0};
        long long last = 0;
        if (fw_db_query_int(ws->store, "SELECT coalesce(max(seq), 0) FROM trail", &last, &e))
            last = 0;
        rc = fw_fail(err, FW_EDATA,
                     _("the trail no longer holds record %lld of the anchor taken %s: it ends at record %lld. "
                       "Records were removed or the trail was replaced after the anchor was taken"),
                     a->seq, taken, last);
    } else {
        const char *now = fw_stmt_text(st, 0);
        if (!now || strcmp(now, a->hash) != 0)
            rc = fw_fail(err, FW_EDATA,
                         _("record %lld has hash %s, not %s as the anchor taken %s says: the trail up to "
                           "record %lld was rewritten after the anchor was taken"),
                         a->seq, now ? now : "NULL", a->hash, taken, a->seq);
    }
    fw_stmt_finalize(st);
    return rc;
}
