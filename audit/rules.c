/* rules.c: loading, assembling and checking rule files (see rules.h and docs/rules.md).
 *
 * Why a pre-scan before iniparser: iniparser 4.1 gives no line numbers, silently keeps only the
 * quoted part of a value that starts with a quote, cuts values at an unquoted ; or #, and refuses a
 * whole file for one line longer than its buffer. So each file is first read line by line here,
 * the way iniparser will read it, to map every section and key to its line and to turn each of
 * those traps into a "file:line: message" before iniparser sees the file. iniparser then supplies
 * the values. */
#include "audit/rules.h"
#include "audit/i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <iniparser.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audit/dataset.h"
#include "audit/paths.h"
#include "audit/ruledialect.h"
#include "audit/vocab.h"

/* ---- diagnostics ---------------------------------------------------------------------------- */

void fw_diag_add(fw_diags *d, enum fw_diag_level level, const char *file, int line, const char *fmt, ...)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = fw_realloc(d->v, (size_t)d->cap * sizeof *d->v);
    }
    fw_diag *g = &d->v[d->n++];
    g->level = level;
    g->file = fw_strdup(file ? file : "");
    g->line = line;
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = fw_strdup(fmt);
    va_end(ap);
    g->msg = msg;
    if (level == FW_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

/* Diagnostics print in file and line order (they are found in several passes); ties keep the
 * order found. */
static int cmp_diag(const void *a, const void *b)
{
    const fw_diag *x = *(const fw_diag *const *)a, *y = *(const fw_diag *const *)b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line - y->line;
    return x < y ? -1 : x > y;
}

void fw_diags_print(const fw_diags *d, FILE *out)
{
    const fw_diag **order = fw_malloc((size_t)(d->n + 1) * sizeof *order);
    for (int i = 0; i < d->n; i++)
        order[i] = &d->v[i];
    qsort(order, (size_t)d->n, sizeof *order, cmp_diag);
    for (int i = 0; i < d->n; i++) {
        const fw_diag *g = order[i];
        const char *lv = g->level == FW_DIAG_ERROR ? "error" : "warning";
        if (g->line > 0)
            fprintf(out, "%s:%d: %s: %s\n", g->file, g->line, lv, g->msg);
        else
            fprintf(out, "%s: %s: %s\n", g->file, lv, g->msg);
    }
    free(order);
}

void fw_diags_free(fw_diags *d)
{
    for (int i = 0; i < d->n; i++) {
        free(d->v[i].file);
        free(d->v[i].msg);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

/* ---- vocabulary ------------------------------------------------------------------------------ */

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

/* Metadata keys (single), query keys (numbered), and the other key families. */
static const char *const meta_keys[] = {"name", "name_en", "category", "severity", "description",
                                        "basis", "datasets", "status", "enabled", "author", "version",
                                        "false_positives", "subject", "time_limit", "postgres.work_mem",
#define FW_PG_HINT_KEY(name, key, setting) key,
                                        FW_PG_JOIN_HINTS(FW_PG_HINT_KEY)
#undef FW_PG_HINT_KEY
                                        NULL};
static const char *const required_meta[] = {"name", "name_en", "category", "severity", "description",
                                            "basis", "datasets", "version", NULL};
enum clause { C_WITH, C_SELECT, C_FROM, C_JOIN, C_WHERE, C_GROUP_BY, C_HAVING, C_ORDER_BY, C_NCLAUSES };
static const char *const clause_keys[] = {"with", "select", "from", "join", "where", "group_by",
                                          "having", "order_by", NULL};
static const char *const output_columns[] = {"subject", "id_number", "amount", "first_date",
                                             "last_date", "detail", "evidence", NULL};

/* The closest known key to an unknown one, or NULL when nothing is close. */
static char suggestion[160];

static const char *did_you_mean(const char *key)
{
    static const char *const extra[] = {"example.hit", "example.clean", "expect.hit", "param.NAME", "param.NAME.type",
                                        NULL};
    const char *const *lists[] = {meta_keys, clause_keys, extra};
    char base[128];
    snprintf(base, sizeof base, "%s", key);
    char *dot = strrchr(base, '.');
    const char *number = "";
    if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1)) {
        number = key + (dot - base); /* compare "wehre.2" as "wehre", suggest "where.2" */
        *dot = '\0';
    }
    const char *known[64];
    int n = 0;
    for (int l = 0; l < 3; l++)
        for (const char *const *k = lists[l]; *k && n < 63; k++)
            known[n++] = *k;
    known[n] = NULL;
    const char *best = fw_closest(base, known);
    if (!best)
        return NULL;
    snprintf(suggestion, sizeof suggestion, "%s%s", best, number);
    return suggestion;
}

/* ---- pre-scan -------------------------------------------------------------------------------- */

typedef struct scan_key {
    char *key;   /* lower case, as iniparser stores it */
    int line;
} scan_key;

typedef struct scan_section {
    char *name;  /* lower case */
    int line;
    size_t text_start, text_end; /* byte range of the section in the file (for its hash) */
    scan_key *keys;
    int nkeys, cap;
} scan_section;

typedef struct scan_file {
    char *bytes;
    size_t len;
    scan_section *secs;
    int nsecs, cap;
    bool fatal; /* iniparser would refuse the file: do not hand it over */
} scan_file;

static void scan_free(scan_file *s)
{
    for (int i = 0; i < s->nsecs; i++) {
        for (int k = 0; k < s->secs[i].nkeys; k++)
            free(s->secs[i].keys[k].key);
        free(s->secs[i].keys);
        free(s->secs[i].name);
    }
    free(s->secs);
    free(s->bytes);
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return fw_strndup(s, n);
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static bool is_query_key_base(const char *base)
{
    return in_list(base, clause_keys);
}

/* The key's family without its number: "where.2" -> "where". */
static void key_base(const char *key, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s", key);
    char *dot = strchr(out, '.');
    if (dot)
        *dot = '\0';
}

/* Checks one logical line's value for the iniparser traps. `value` is everything after '='. */
static void scan_value(const char *path, int line, const char *key, const char *value, fw_diags *d)
{
    while (*value == ' ' || *value == '\t')
        value++;
    if (*value == '"' || *value == '\'') {
        const char *close = strchr(value + 1, *value);
        if (close) {
            const char *rest = close + 1;
            while (*rest == ' ' || *rest == '\t')
                rest++;
            if (*rest && *rest != ';' && *rest != '#')
                fw_diag_add(d, FW_DIAG_ERROR, path, line,
                            "the value of %s starts with a quote, so only the quoted part would be kept "
                            "(\"%.*s\" and the rest dropped); wrap the whole value in double quotes, or "
                            "start it with something else",
                            key, (int)(close - value - 1), value + 1);
        }
        return;
    }
    char base[64];
    key_base(key, base, sizeof base);
    if (!is_query_key_base(base))
        return;
    /* In SQL an unquoted ; or # inside a string literal would silently cut the clause. */
    bool in_str = false;
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            in_str = !in_str;
        else if ((*p == ';' || *p == '#') && in_str) {
            fw_diag_add(d, FW_DIAG_ERROR, path, line,
                        "the '%c' inside a string literal of %s would end the value (iniparser reads it "
                        "as a comment); wrap the whole value in double quotes",
                        *p, key);
            return;
        }
    }
}

static scan_section *scan_add_section(scan_file *s, char *name, int line, size_t start)
{
    if (s->nsecs == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->secs = fw_realloc(s->secs, (size_t)s->cap * sizeof *s->secs);
    }
    scan_section *sec = &s->secs[s->nsecs++];
    memset(sec, 0, sizeof *sec);
    sec->name = name;
    sec->line = line;
    sec->text_start = start;
    return sec;
}

static void scan_add_key(scan_section *sec, char *key, int line)
{
    if (sec->nkeys == sec->cap) {
        sec->cap = sec->cap ? sec->cap * 2 : 32;
        sec->keys = fw_realloc(sec->keys, (size_t)sec->cap * sizeof *sec->keys);
    }
    sec->keys[sec->nkeys++] = (scan_key){key, line};
}

/* Handles one logical line (continuations joined) that starts on `line`. */
static void scan_logical_line(scan_file *s, const char *path, const char *text, int line, size_t start,
                              fw_diags *d)
{
    size_t n = strlen(text);
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (p >= text + n || *p == ';' || *p == '#')
        return;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(text + n - p));
        if (!close) {
            fw_diag_add(d, FW_DIAG_ERROR, path, line, "section header without ']'; write [RULE-ID]");
            s->fatal = true;
            return;
        }
        char *name = trim_dup(p + 1, (size_t)(close - p - 1));
        lower(name);
        if (s->nsecs)
            s->secs[s->nsecs - 1].text_end = start;
        for (int i = 0; i < s->nsecs; i++)
            if (strcmp(s->secs[i].name, name) == 0)
                fw_diag_add(d, FW_DIAG_ERROR, path, line,
                            "rule [%s] is already defined at line %d of this file; give it another id",
                            name, s->secs[i].line);
        scan_add_section(s, name, line, start);
        return;
    }
    const char *eq = memchr(p, '=', (size_t)(text + n - p));
    if (!eq) {
        fw_diag_add(d, FW_DIAG_ERROR, path, line,
                    "expected 'key = value', a [RULE-ID] header or a comment (; or #)");
        s->fatal = true;
        return;
    }
    char *key = trim_dup(p, (size_t)(eq - p));
    lower(key);
    if (!*key) {
        fw_diag_add(d, FW_DIAG_ERROR, path, line, "a value without a key; write 'key = value'");
        free(key);
        return;
    }
    if (!s->nsecs) {
        fw_diag_add(d, FW_DIAG_ERROR, path, line,
                    "key %s before any [RULE-ID] section; start the rule with its [ID] header", key);
        free(key);
        return;
    }
    scan_section *sec = &s->secs[s->nsecs - 1];
    for (int i = 0; i < sec->nkeys; i++)
        if (strcmp(sec->keys[i].key, key) == 0)
            fw_diag_add(d, FW_DIAG_ERROR, path, line,
                        "key %s is already set at line %d (only the last one would count); remove one or "
                        "number them (where.1, where.2)",
                        key, sec->keys[i].line);
    char *value = fw_strndup(eq + 1, (size_t)(text + n - eq - 1));
    scan_value(path, line, key, value, d);
    free(value);
    scan_add_key(sec, key, line);
}

/* Rule files must be UTF-8: the texts of a rule reach hits, cases and workbooks, and bytes in
 * another encoding (a file saved as GBK by Notepad) would end up as text no reader can open.
 * Reports the first bad byte's line and column and refuses the file. */
static bool check_utf8(const char *path, scan_file *s, fw_diags *d)
{
    const unsigned char *b = (const unsigned char *)s->bytes;
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < s->len;) {
        if (b[i] == '\n') {
            line++;
            line_start = ++i;
            continue;
        }
        size_t k = fw_utf8_char_len(b + i, s->len - i);
        if (k) {
            i += k;
            continue;
        }
        fw_diag_add(d, FW_DIAG_ERROR, path, line,
                    "not valid UTF-8 (byte 0x%02X at column %zu); rule files must be saved as UTF-8: "
                    "convert it, e.g. `iconv -f GB18030 -t UTF-8 %s > NEW.ini`, or save it as UTF-8 in the editor",
                    b[i], i - line_start + 1, path);
        s->fatal = true;
        return false;
    }
    return true;
}

/* Reads the whole file and walks it as iniparser will. */
static int scan_read(const char *path, scan_file *s, fw_diags *d)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fw_diag_add(d, FW_DIAG_ERROR, path, 0, "cannot read: %s", strerror(errno));
        return -1;
    }
    fw_buf b = {0};
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fw_buf_add(&b, chunk, got);
    fclose(f);
    s->len = b.len;
    s->bytes = fw_buf_steal(&b);
    if (memchr(s->bytes, '\0', s->len)) {
        fw_diag_add(d, FW_DIAG_ERROR, path, 0, "contains NUL bytes: not a text file");
        s->fatal = true;
        return 0;
    }
    if (!check_utf8(path, s, d))
        return 0;

    fw_buf logical = {0};
    int lineno = 0, logical_line = 0;
    size_t logical_start = 0;
    for (size_t pos = 0; pos < s->len;) {
        const char *ln = s->bytes + pos;
        const char *nl = memchr(ln, '\n', s->len - pos);
        size_t n = nl ? (size_t)(nl - ln) : s->len - pos;
        size_t line_start = pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        if (n > 0 && ln[n - 1] == '\r')
            n--;
        if (n > FW_RULE_MAX_LINE) {
            fw_diag_add(d, FW_DIAG_ERROR, path, lineno,
                        "line longer than %d bytes (%zu); split the clause into numbered keys "
                        "(where.2, join.2 ...)",
                        FW_RULE_MAX_LINE, n);
            s->fatal = true;
        }
        if (logical.len == 0) {
            logical_line = lineno;
            logical_start = line_start;
        }
        size_t t = n;
        while (t && isspace((unsigned char)ln[t - 1]))
            t--;
        if (t && ln[t - 1] == '\\') { /* continuation: iniparser drops the backslash and joins */
            fw_buf_add(&logical, ln, t - 1);
            if (logical.len > FW_RULE_MAX_LINE) {
                fw_diag_add(d, FW_DIAG_ERROR, path, logical_line,
                            "value continued with \\ is longer than %d bytes once joined; split the "
                            "clause into numbered keys (where.2, join.2 ...)",
                            FW_RULE_MAX_LINE);
                s->fatal = true;
            }
            continue;
        }
        fw_buf_add(&logical, ln, n);
        if (logical.len > FW_RULE_MAX_LINE && logical_line != lineno) {
            fw_diag_add(d, FW_DIAG_ERROR, path, logical_line,
                        "value continued with \\ is longer than %d bytes once joined; split the clause "
                        "into numbered keys (where.2, join.2 ...)",
                        FW_RULE_MAX_LINE);
            s->fatal = true;
        }
        scan_logical_line(s, path, logical.data, logical_line, logical_start, d);
        fw_buf_reset(&logical);
    }
    if (logical.len)
        scan_logical_line(s, path, logical.data, logical_line, logical_start, d);
    fw_buf_free(&logical);
    if (s->nsecs)
        s->secs[s->nsecs - 1].text_end = s->len;
    return 0;
}

/* ---- building rules from a loaded file -------------------------------------------------------- */

static char iniparser_msg[512];

/* iniparser reports through a printf-like callback; keep its last message for ours. */
static int capture_iniparser_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(iniparser_msg, sizeof iniparser_msg, fmt, ap);
    va_end(ap);
    size_t n = strlen(iniparser_msg);
    while (n && (iniparser_msg[n - 1] == '\n'))
        iniparser_msg[--n] = '\0';
    return 0;
}

static void rule_free(fw_rule *r)
{
    char **strs[] = {&r->id, &r->file, &r->name, &r->name_en, &r->category, &r->severity,
                     &r->description, &r->basis, &r->datasets, &r->status, &r->author, &r->version,
                     &r->false_positives, &r->subject_kind, &r->expect_hit, &r->sql};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(*strs[i]);
    for (int i = 0; i < r->nparams; i++) {
        free(r->params[i].name);
        free(r->params[i].value);
    }
    free(r->params);
    for (int i = 0; i < r->nhit_examples; i++)
        free(r->hit_examples[i].text);
    for (int i = 0; i < r->nclean_examples; i++)
        free(r->clean_examples[i].text);
    free(r->hit_examples);
    free(r->clean_examples);
    free(r->segments);
    memset(r, 0, sizeof *r);
}

/* Parses "base.N" into base and N (1 when there is no number). Returns false when the suffix is
 * not a positive number. */
static bool numbered(const char *key, const char *base, int *num)
{
    size_t n = strlen(base);
    if (strncmp(key, base, n) != 0)
        return false;
    if (key[n] == '\0') {
        *num = 1;
        return true;
    }
    if (key[n] != '.' || !key[n + 1] || strspn(key + n + 1, "0123456789") != strlen(key + n + 1))
        return false;
    *num = atoi(key + n + 1);
    return *num > 0;
}

typedef struct clause_part {
    int num, line;
    const char *text;
} clause_part;

static int cmp_part(const void *a, const void *b)
{
    const clause_part *x = a, *y = b;
    return x->num - y->num;
}

static void add_segment(fw_rule *r, int offset, int line)
{
    r->segments = fw_realloc(r->segments, (size_t)(r->nsegments + 1) * sizeof *r->segments);
    r->segments[r->nsegments++] = (struct fw_rule_segment){offset, line};
}

/* Assembles the SELECT from the clause parts (see docs/rules.md). */
static void assemble_sql(fw_rule *r, clause_part *parts[C_NCLAUSES], int nparts[C_NCLAUSES])
{
    static const char *const lead[C_NCLAUSES] = {"WITH ", "SELECT ", "FROM ", "", "WHERE ",
                                                 "GROUP BY ", "HAVING ", "ORDER BY "};
    fw_buf b = {0};
    for (int c = 0; c < C_NCLAUSES; c++) {
        if (!nparts[c])
            continue;
        qsort(parts[c], (size_t)nparts[c], sizeof *parts[c], cmp_part);
        if (b.len)
            fw_buf_putc(&b, '\n');
        fw_buf_puts(&b, lead[c]);
        for (int i = 0; i < nparts[c]; i++) {
            if (i) {
                if (c == C_WITH || c == C_SELECT)
                    fw_buf_puts(&b, ",\n  ");
                else if (c == C_WHERE)
                    fw_buf_puts(&b, "\n  AND ");
                else
                    fw_buf_puts(&b, "\n");
            }
            if (c == C_WHERE)
                fw_buf_putc(&b, '(');
            add_segment(r, (int)b.len, parts[c][i].line);
            fw_buf_puts(&b, parts[c][i].text);
            if (c == C_WHERE)
                fw_buf_putc(&b, ')');
        }
    }
    r->sql = fw_buf_steal(&b);
}

int fw_rule_line_at(const fw_rule *r, int offset)
{
    int line = r->query_line ? r->query_line : r->line;
    for (int i = 0; i < r->nsegments; i++)
        if (r->segments[i].offset <= offset)
            line = r->segments[i].line;
    return line;
}

static void add_param(fw_rule *r, const char *name, const char *value, int line)
{
    r->params = fw_realloc(r->params, (size_t)(r->nparams + 1) * sizeof *r->params);
    r->params[r->nparams++] = (fw_rule_param){.name = fw_strdup(name), .value = fw_strdup(value), .line = line};
}

/* ---- parameter types ------------------------------------------------------------------------- */

/* A whole number within 64 bits, written plainly: an optional '-' and digits, nothing else (no
 * spaces, '+', hex or exponent), so that what the user typed is exactly what is compared. */
static bool parse_int64(const char *s, long long *out)
{
    const char *d = *s == '-' ? s + 1 : s;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* A finite decimal number (1, -2.5, 0.015, 1e3); no hex, inf or nan. */
static bool parse_number(const char *s, double *out)
{
    if (!*s || strspn(s, "0123456789.eE+-") != strlen(s) || !strpbrk(s, "0123456789"))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* Reads a declaration "integer MIN..MAX", "number MIN..MAX" or "text" into p. */
static bool parse_param_type(const char *decl, fw_rule_param *p)
{
    while (isspace((unsigned char)*decl))
        decl++;
    size_t klen = strcspn(decl, " \t");
    char *rest = trim_dup(decl + klen, strlen(decl + klen));
    const char *dots = strstr(rest, "..");
    bool ok = false;
    if (klen == 4 && strncmp(decl, "text", 4) == 0)
        ok = !*rest;
    else if (dots) {
        char *lo = trim_dup(rest, (size_t)(dots - rest)), *hi = trim_dup(dots + 2, strlen(dots + 2));
        if (klen == 7 && strncmp(decl, "integer", 7) == 0)
            ok = parse_int64(lo, &p->imin) && parse_int64(hi, &p->imax) && p->imin <= p->imax;
        else if (klen == 6 && strncmp(decl, "number", 6) == 0)
            ok = parse_number(lo, &p->min) && parse_number(hi, &p->max) && p->min <= p->max;
        free(lo);
        free(hi);
    }
    free(rest);
    if (ok)
        p->type = *decl == 'i' ? FW_PARAM_INTEGER : *decl == 'n' ? FW_PARAM_NUMBER : FW_PARAM_TEXT;
    return ok;
}

typedef struct param_decl {
    char *name, *text;
    int line;
} param_decl;

/* Gives every parameter its declared type and checks the declarations and the defaults: a
 * parameter without a type, a type without a parameter, a malformed type, a default outside it. */
static void apply_param_types(fw_rule *r, const char *path, param_decl *decls, int ndecls, fw_diags *d)
{
    for (int i = 0; i < ndecls; i++) {
        fw_rule_param *p = (fw_rule_param *)fw_rule_find_param(r, decls[i].name);
        if (!p) {
            fw_diag_add(d, FW_DIAG_ERROR, path, decls[i].line,
                        "[%s] param.%s.type declares a parameter the rule does not have; add 'param.%s = DEFAULT' "
                        "or remove the declaration",
                        r->id, decls[i].name, decls[i].name);
            r->broken = true;
        } else if (!parse_param_type(decls[i].text, p)) {
            fw_diag_add(d, FW_DIAG_ERROR, path, decls[i].line,
                        "[%s] param.%s.type = '%s' is not a type; write 'integer MIN..MAX' (whole numbers, "
                        "MIN <= MAX), 'number MIN..MAX' or 'text'",
                        r->id, decls[i].name, decls[i].text);
            r->broken = true;
        }
        if (p)
            p->type_line = decls[i].line;
        free(decls[i].name);
        free(decls[i].text);
    }
    free(decls);
    for (int i = 0; i < r->nparams; i++) {
        fw_rule_param *p = &r->params[i];
        fw_err why = {0};
        if (p->type == FW_PARAM_UNDECLARED) {
            if (!p->type_line) { /* a malformed declaration was reported above */
                fw_diag_add(d, FW_DIAG_ERROR, path, p->line,
                            "[%s] param.%s has no declared type; add 'param.%s.type = integer MIN..MAX' (or "
                            "number MIN..MAX, or text) so that values outside it are refused",
                            r->id, p->name, p->name);
                r->broken = true;
            }
        } else if (fw_rule_param_check(p, p->value, &why)) {
            fw_diag_add(d, FW_DIAG_ERROR, path, p->line, "[%s] the default of %s", r->id, why.msg);
            r->broken = true;
        }
    }
}

static void add_example(fw_rule_example **v, int *n, const char *text, int line)
{
    *v = fw_realloc(*v, (size_t)(*n + 1) * sizeof **v);
    (*v)[(*n)++] = (fw_rule_example){fw_strdup(text), line};
}

static char **meta_slot(fw_rule *r, const char *key)
{
    static const char *const names[] = {"name", "name_en", "category", "severity", "description", "basis",
                                        "datasets", "status", "author", "version", "false_positives",
                                        "subject"};
    char **slots[] = {&r->name, &r->name_en, &r->category, &r->severity, &r->description, &r->basis,
                      &r->datasets, &r->status, &r->author, &r->version, &r->false_positives,
                      &r->subject_kind};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(key, names[i]) == 0)
            return slots[i];
    return NULL;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") || !strcasecmp(v, "on"))
        *out = true;
    else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") || !strcasecmp(v, "off"))
        *out = false;
    else
        return false;
    return true;
}

/* A memory size as PostgreSQL writes one ("16MB", "512kB", "1GB"), in kB, within what one rule may
 * ask for: at least the server's minimum (64 kB), at most 1 GB, since every sort and hash of the
 * query, in each of the run's threads, may take that much. */
static bool parse_pg_memory(const char *v, int *kb)
{
    static const struct { const char *unit; long long kb; } units[] = {{"kB", 1}, {"MB", 1024}, {"GB", 1024 * 1024}};
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (end == v || errno || n <= 0 || !isdigit((unsigned char)*v))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strcmp(end, units[i].unit) == 0 && n <= 1024LL * 1024 / units[i].kb && n * units[i].kb >= 64) {
            *kb = (int)(n * units[i].kb);
            return true;
        }
    return false;
}

/* A join-method hint (FW_PG_JOIN_HINTS): on or off, anything else an error naming the key. False
 * when key is not one. */
static bool read_join_hint(fw_rule *r, const char *key, const char *v, const char *path, int line, fw_diags *d)
{
    static const struct { const char *key; unsigned bit; } hints[] = {
#define FW_PG_HINT_ROW(name, k, setting) {k, FW_PG_NO(name)},
        FW_PG_JOIN_HINTS(FW_PG_HINT_ROW)
#undef FW_PG_HINT_ROW
    };
    for (size_t i = 0; i < sizeof hints / sizeof *hints; i++) {
        if (strcmp(key, hints[i].key) != 0)
            continue;
        bool on = true;
        if (!parse_bool(v, &on)) {
            fw_diag_add(d, FW_DIAG_ERROR, path, line, "[%s] %s must be on or off, not '%s'", r->id, key, v);
            r->broken = true;
        }
        r->pg_joins_off = on ? r->pg_joins_off & ~hints[i].bit : r->pg_joins_off | hints[i].bit;
        return true;
    }
    return false;
}

static bool valid_param_name(const char *n)
{
    if (!*n || !(isalpha((unsigned char)*n) || *n == '_'))
        return false;
    for (; *n; n++)
        if (!(isalnum((unsigned char)*n) || *n == '_'))
            return false;
    return true;
}

static void check_datasets(fw_rule *r, int line, fw_diags *d)
{
    char *copy = fw_strdup(r->datasets);
    for (char *save = NULL, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (!fw_dataset_find(t)) {
            fw_diag_add(d, FW_DIAG_ERROR, r->file, line,
                        "[%s] datasets: unknown dataset '%s'; use names from `fundwatch datasets` "
                        "(persons, payments, deaths, ...)",
                        r->id, t);
            r->broken = true;
        }
    free(copy);
}

/* Checks the metadata values once all keys are read. */
static void check_metadata(fw_rule *r, const scan_section *sec, fw_diags *d)
{
    for (const char *const *k = required_meta; *k; k++) {
        char **slot = meta_slot(r, *k);
        if (!*slot || !**slot) {
            fw_diag_add(d, FW_DIAG_ERROR, r->file, r->line, "[%s] missing %s; add '%s = ...'", r->id, *k, *k);
            r->broken = true;
        }
    }
    struct { const char *key; char *val; const fw_label *allowed; } enums[] = {
        {"category", r->category, fw_categories},
        {"severity", r->severity, fw_severities},
        {"status", r->status, fw_rule_statuses},
        {"subject", r->subject_kind, fw_subject_kinds},
    };
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        if (!enums[i].val || !*enums[i].val || fw_label_find(enums[i].allowed, enums[i].val))
            continue;
        int line = r->line;
        for (int k = 0; k < sec->nkeys; k++)
            if (strcmp(sec->keys[k].key, enums[i].key) == 0)
                line = sec->keys[k].line;
        fw_buf allowed = {0};
        for (const fw_label *l = enums[i].allowed; l->key; l++)
            fw_buf_printf(&allowed, "%s%s", allowed.len ? " " : "", l->key);
        fw_diag_add(d, FW_DIAG_ERROR, r->file, line, "[%s] %s '%s' is not one of: %s", r->id, enums[i].key,
                    enums[i].val, allowed.data);
        fw_buf_free(&allowed);
        r->broken = true;
    }
    if (r->datasets && *r->datasets) {
        int line = r->line;
        for (int k = 0; k < sec->nkeys; k++)
            if (strcmp(sec->keys[k].key, "datasets") == 0)
                line = sec->keys[k].line;
        check_datasets(r, line, d);
    }
    if (!r->nhit_examples || !r->expect_hit || !r->nclean_examples) {
        fw_diag_add(d, FW_DIAG_ERROR, r->file, r->line,
                    "[%s] missing examples: every rule needs example.hit.N rows, expect.hit (the subjects "
                    "they must hit) and example.clean.N look-alike rows that must not hit",
                    r->id);
        r->broken = true;
    }
}

/* Builds one rule from its section: every key is classified, unknown keys get a suggestion. */
static void build_rule(fw_rule *r, const char *path, const scan_section *sec, const scan_file *sf,
                       dictionary *ini, fw_diags *d)
{
    memset(r, 0, sizeof *r);
    r->id = fw_strdup(sec->name);
    for (char *c = r->id; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    r->file = fw_strdup(path);
    r->line = sec->line;
    r->enabled = true;
    fw_sha256_hex(sf->bytes + sec->text_start, sec->text_end - sec->text_start, r->text_sha256);

    clause_part *parts[C_NCLAUSES] = {0};
    int nparts[C_NCLAUSES] = {0};
    param_decl *decls = NULL;
    int ndecls = 0;
    for (int k = 0; k < sec->nkeys; k++) {
        const char *key = sec->keys[k].key;
        int line = sec->keys[k].line;
        char *full = fw_printf("%s:%s", sec->name, key);
        const char *v = iniparser_getstring(ini, full, NULL);
        free(full);
        if (!v)
            v = "";
        char **slot = meta_slot(r, key);
        int num = 0;
        if (slot) {
            free(*slot);
            *slot = fw_strdup(v);
            continue;
        }
        if (strcmp(key, "enabled") == 0) {
            if (!parse_bool(v, &r->enabled)) {
                fw_diag_add(d, FW_DIAG_ERROR, path, line, "[%s] enabled must be true or false, not '%s'", r->id, v);
                r->broken = true;
            }
            continue;
        }
        if (read_join_hint(r, key, v, path, line, d))
            continue;
        if (strcmp(key, "postgres.work_mem") == 0) {
            if (!parse_pg_memory(v, &r->pg_work_mem_kb)) {
                fw_diag_add(d, FW_DIAG_ERROR, path, line,
                            "[%s] postgres.work_mem must be a size from 64kB to 1GB written as PostgreSQL does "
                            "(16MB, 512kB), not '%s'", r->id, v);
                r->broken = true;
            }
            continue;
        }
        if (strcmp(key, "time_limit") == 0) {
            char *end;
            r->time_limit_s = strtod(v, &end);
            if (end == v || *end || r->time_limit_s <= 0) {
                fw_diag_add(d, FW_DIAG_ERROR, path, line,
                            "[%s] time_limit must be a positive number of seconds, not '%s'", r->id, v);
                r->broken = true;
            }
            continue;
        }
        size_t klen = strlen(key);
        if (strncmp(key, "param.", 6) == 0 && klen > 11 && strcmp(key + klen - 5, ".type") == 0) {
            char *pname = fw_strndup(key + 6, klen - 11);
            if (!valid_param_name(pname)) {
                fw_diag_add(d, FW_DIAG_ERROR, path, line,
                            "[%s] parameter name '%s' must be letters, digits and _ (param.grace_days.type)",
                            r->id, pname);
                r->broken = true;
                free(pname);
            } else {
                decls = fw_realloc(decls, (size_t)(ndecls + 1) * sizeof *decls);
                decls[ndecls++] = (param_decl){pname, fw_strdup(v), line};
            }
            continue;
        }
        if (strncmp(key, "param.", 6) == 0) {
            if (!valid_param_name(key + 6)) {
                fw_diag_add(d, FW_DIAG_ERROR, path, line,
                            "[%s] parameter name '%s' must be letters, digits and _ (param.grace_days)",
                            r->id, key + 6);
                r->broken = true;
            } else
                add_param(r, key + 6, v, line);
            continue;
        }
        if (numbered(key, "example.hit", &num)) {
            add_example(&r->hit_examples, &r->nhit_examples, v, line);
            continue;
        }
        if (numbered(key, "example.clean", &num)) {
            add_example(&r->clean_examples, &r->nclean_examples, v, line);
            continue;
        }
        if (strcmp(key, "expect.hit") == 0) {
            free(r->expect_hit);
            r->expect_hit = fw_strdup(v);
            r->expect_hit_line = line;
            continue;
        }
        int c;
        for (c = 0; c < C_NCLAUSES; c++)
            if (numbered(key, clause_keys[c], &num))
                break;
        if (c < C_NCLAUSES) {
            for (int i = 0; i < nparts[c]; i++)
                if (parts[c][i].num == num) {
                    fw_diag_add(d, FW_DIAG_ERROR, path, line,
                                "[%s] %s is the same key as the one at line %d (a key without a number is .1); "
                                "renumber one",
                                r->id, key, parts[c][i].line);
                    r->broken = true;
                }
            if (!*v) {
                fw_diag_add(d, FW_DIAG_ERROR, path, line, "[%s] %s is empty; remove it or give it a clause",
                            r->id, key);
                r->broken = true;
            }
            parts[c] = fw_realloc(parts[c], (size_t)(nparts[c] + 1) * sizeof *parts[c]);
            parts[c][nparts[c]++] = (clause_part){num, line, v};
            if (!r->query_line || line < r->query_line)
                r->query_line = line;
            continue;
        }
        const char *hint = did_you_mean(key);
        if (hint)
            fw_diag_add(d, FW_DIAG_ERROR, path, line, "[%s] unknown key '%s'; did you mean '%s'?", r->id, key, hint);
        else
            fw_diag_add(d, FW_DIAG_ERROR, path, line,
                        "[%s] unknown key '%s'; see docs/rules.md for the keys a rule may have", r->id, key);
        r->broken = true;
    }
    char **all[] = {&r->name, &r->name_en, &r->category, &r->severity, &r->description, &r->basis,
                    &r->datasets, &r->status, &r->author, &r->version, &r->false_positives, &r->subject_kind};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!*all[i])
            *all[i] = fw_strdup("");
    if (!*r->status) {
        free(r->status);
        r->status = fw_strdup("stable");
    }
    if (!*r->subject_kind) {
        free(r->subject_kind);
        r->subject_kind = fw_strdup("person");
    }
    if (!nparts[C_SELECT] || !nparts[C_FROM]) {
        fw_diag_add(d, FW_DIAG_ERROR, path, r->line,
                    "[%s] missing the query: a rule needs select.N keys and a from key (docs/rules.md)", r->id);
        r->broken = true;
    } else
        assemble_sql(r, parts, nparts);
    for (int c = 0; c < C_NCLAUSES; c++)
        free(parts[c]);
    apply_param_types(r, path, decls, ndecls, d);
    check_metadata(r, sec, d);
}

static void set_add(fw_ruleset *set, fw_rule *r)
{
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 64;
        set->rules = fw_realloc(set->rules, (size_t)set->cap * sizeof *set->rules);
    }
    set->rules[set->n++] = *r;
}

fw_rule *fw_ruleset_find(fw_ruleset *set, const char *id)
{
    for (int i = 0; i < set->n; i++)
        if (strcasecmp(set->rules[i].id, id) == 0)
            return &set->rules[i];
    return NULL;
}

bool fw_rules_file_refused(const fw_ruleset *set, const char *file)
{
    for (int i = 0; i < set->nrefused; i++)
        if (strcmp(set->refused[i], file) == 0)
            return true;
    return false;
}

/* Loads one file into out (a per-source list). Returns false when the whole file is refused
 * (unreadable, not UTF-8, a line iniparser cannot take): nothing of it is loaded. */
static bool load_file(const char *path, const char *source, fw_ruleset *out, fw_diags *d)
{
    scan_file sf;
    if (scan_read(path, &sf, d) != 0)
        return false;
    if (sf.fatal) { /* iniparser would refuse the whole file; the reasons are already reported */
        scan_free(&sf);
        return false;
    }
    iniparser_msg[0] = '\0';
    iniparser_set_error_callback(capture_iniparser_error);
    dictionary *ini = iniparser_load(path);
    iniparser_set_error_callback(NULL);
    if (!ini) {
        fw_diag_add(d, FW_DIAG_ERROR, path, 0, "iniparser could not read the file: %s",
                    iniparser_msg[0] ? iniparser_msg : "unknown reason");
        scan_free(&sf);
        return false;
    }
    for (int i = 0; i < sf.nsecs; i++) {
        fw_rule r;
        build_rule(&r, path, &sf.secs[i], &sf, ini, d);
        r.source = source;
        set_add(out, &r);
    }
    iniparser_freedict(ini);
    scan_free(&sf);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The *.ini files of a folder, sorted so that loading order (and so overriding) is stable; a path
 * to a single file is itself. missing_ok: a folder that does not exist is no error. */
static int list_ini(const char *path, bool missing_ok, char ***out, int *n, fw_err *err)
{
    struct stat st;
    *out = NULL;
    *n = 0;
    if (stat(path, &st) != 0) {
        if (missing_ok && errno == ENOENT)
            return FW_OK;
        return fw_fail(err, FW_EFAIL, _("%s: cannot read rules: %s"), path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode)) {
        *out = fw_malloc(sizeof **out);
        (*out)[(*n)++] = fw_strdup(path);
        return FW_OK;
    }
    DIR *dir = opendir(path);
    if (!dir)
        return fw_fail(err, FW_EFAIL, _("%s: cannot read rules folder: %s"), path, strerror(errno));
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".ini"))
            continue;
        *out = fw_realloc(*out, (size_t)(*n + 1) * sizeof **out);
        (*out)[(*n)++] = fw_printf("%s/%s", path, e->d_name);
    }
    closedir(dir);
    qsort(*out, (size_t)*n, sizeof **out, cmp_str);
    return FW_OK;
}

/* Loads one source set; duplicate ids within it are errors; then merges into set, replacing rules
 * of earlier sources with the same id. */
static int load_source(const char *const *paths, int npaths, bool missing_ok, const char *source,
                       fw_ruleset *set, fw_diags *d, fw_err *err)
{
    fw_ruleset part = {0};
    for (int p = 0; p < npaths; p++) {
        char **files;
        int nfiles;
        if (list_ini(paths[p], missing_ok, &files, &nfiles, err)) {
            fw_ruleset_free(&part);
            return err->code;
        }
        for (int i = 0; i < nfiles; i++) {
            if (!load_file(files[i], source, &part, d)) {
                set->refused = fw_realloc(set->refused, (size_t)(set->nrefused + 1) * sizeof *set->refused);
                set->refused[set->nrefused++] = fw_strdup(files[i]);
            }
            set->files = fw_realloc(set->files, (size_t)(set->nfiles + 1) * sizeof *set->files);
            set->files[set->nfiles++] = files[i];
        }
        free(files);
    }
    /* Duplicates first, while every rule of the source is whole: merging frees the rules it
     * replaces, and a later look at them would read freed memory. */
    for (int i = 0; i < part.n; i++) {
        fw_rule *r = &part.rules[i];
        for (int j = 0; j < i; j++)
            if (strcmp(part.rules[j].id, r->id) == 0) {
                fw_diag_add(d, FW_DIAG_ERROR, r->file, r->line,
                            "rule id %s is already used at %s:%d; rule ids must be unique", r->id,
                            part.rules[j].file, part.rules[j].line);
                r->broken = true;
                part.rules[j].broken = true;
                break;
            }
    }
    for (int i = 0; i < part.n; i++) {
        fw_rule *r = &part.rules[i];
        fw_rule *old = fw_ruleset_find(set, r->id);
        if (old) {
            rule_free(old);
            *old = *r;
        } else
            set_add(set, r);
    }
    free(part.rules);
    return FW_OK;
}

fw_rule_sources fw_rule_default_sources(const char *extra_dir)
{
    static char shipped[4096], user[4096];
    snprintf(shipped, sizeof shipped, "%s/rules", fw_datadir());
    snprintf(user, sizeof user, "%s/rules", fw_configdir());
    return (fw_rule_sources){shipped, user, extra_dir};
}

int fw_rules_load(const fw_rule_sources *src, fw_ruleset *set, fw_diags *diags, fw_err *err)
{
    memset(set, 0, sizeof *set);
    if (src->shipped_dir && load_source(&src->shipped_dir, 1, true, "shipped", set, diags, err))
        return err->code;
    if (src->user_dir && load_source(&src->user_dir, 1, true, "user", set, diags, err))
        return err->code;
    if (src->extra_dir && load_source(&src->extra_dir, 1, false, "--rules", set, diags, err))
        return err->code;
    return FW_OK;
}

int fw_rules_load_paths(const char *const *paths, int npaths, fw_ruleset *set, fw_diags *diags, fw_err *err)
{
    memset(set, 0, sizeof *set);
    return load_source(paths, npaths, false, "--rules", set, diags, err);
}

void fw_ruleset_free(fw_ruleset *set)
{
    for (int i = 0; i < set->n; i++)
        rule_free(&set->rules[i]);
    free(set->rules);
    for (int i = 0; i < set->nfiles; i++)
        free(set->files[i]);
    free(set->files);
    for (int i = 0; i < set->nrefused; i++)
        free(set->refused[i]);
    free(set->refused);
    memset(set, 0, sizeof *set);
}

/* ---- the read-only guard ---------------------------------------------------------------------- */

/* Functions a rule may call: SQLite's built-in scalar, aggregate, window, date, math and JSON
 * functions, and ours (audit/store/sqlite_funcs.c; on PostgreSQL audit/store/pg_compat.sql).
 * Anything else (load_extension above all) is refused. The store checks them while compiling on SQLite; on
 * PostgreSQL it cannot (store.h, fw_db_prepare_query): the rule sandbox is to guard there. The JSON
 * table functions (json_each, json_tree) are SQLite's own and stay SQLite-only for now. */
static const char *const allowed_functions[] = {
    /* core scalar */
    "abs", "char", "coalesce", "concat", "concat_ws", "format", "glob", "hex", "ifnull", "iif", "instr",
    "length", "like", "likelihood", "likely", "lower", "ltrim", "max", "min", "nullif", "octet_length",
    "printf", "quote", "random", "randomblob", "replace", "round", "rtrim", "sign", "soundex", "substr",
    "substring", "trim", "typeof", "unhex", "unicode", "unlikely", "upper", "zeroblob", "changes",
    /* date */
    "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
    /* aggregate */
    "avg", "count", "group_concat", "string_agg", "sum", "total",
    /* window */
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
    /* math */
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh",
    "degrees", "exp", "floor", "ln", "log", "log10", "log2", "mod", "pi", "pow", "power", "radians",
    "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
    /* JSON */
    "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object",
    "json_patch", "json_remove", "json_replace", "json_set", "json_type", "json_valid", "json_quote",
    "json_group_array", "json_group_object", "json_each", "json_tree",
    /* ours */
    "id_birth", "id_sex", "age_on", "month_of", "month_add", "months_between", "ev", "yuan",
    "is_near_relation", "is_counted_vehicle", NULL};

/* The text the workspace's engine runs: r->sql itself on SQLite, its PostgreSQL spelling
 * (ruledialect.c) on PostgreSQL, with *map set to the offsets back into r->sql (the caller frees
 * the text and the map when *map is set). */
static char *rule_sql_for(fw_ws *ws, const fw_rule *r, int **map)
{
    *map = NULL;
    if (fw_db_engine(ws->store) != FW_DB_POSTGRES)
        return r->sql;
    return fw_rule_sql_postgres(r->sql, map);
}

char *fw_rule_engine_sql(fw_ws *ws, const fw_rule *r)
{
    int *map;
    char *sql = rule_sql_for(ws, r, &map);
    if (!map)
        return fw_strdup(sql);
    free(map);
    return sql;
}

int fw_rule_prepare(fw_ws *ws, const fw_rule *r, fw_rows **rows, fw_err *err)
{
    *rows = NULL;
    if (!r->sql)
        return fw_fail(err, FW_EDATA, _("%s:%d: [%s] has no query"), r->file, r->line, r->id);
    fw_query_check chk;
    fw_err why = {0};
    fw_stmt *st;
    int *map = NULL;
    char *sql = rule_sql_for(ws, r, &map);
    int failed = fw_db_prepare_query(ws->store, sql, allowed_functions, &st, &chk, &why);
    if (map) { /* offsets of the engine's text back to r->sql's */
        if (chk.error_offset >= 0 && chk.error_offset <= (int)strlen(sql))
            chk.error_offset = map[chk.error_offset];
        if (chk.tail_offset >= 0 && chk.tail_offset <= (int)strlen(sql))
            chk.tail_offset = map[chk.tail_offset];
        free(sql);
        free(map);
    }
    if (!failed) {
        *rows = fw_rows_of(st);
        return FW_OK;
    }
    if (chk.tail_offset >= 0)
        return fw_fail(err, FW_EDATA,
                       _("%s:%d: [%s] the query holds more than one statement (text after ';'); "
                       "a rule is a single SELECT"),
                       r->file, fw_rule_line_at(r, chk.tail_offset), r->id);
    if (chk.empty)
        return fw_fail(err, FW_EDATA, _("%s:%d: [%s] the query is empty"), r->file, r->line, r->id);
    if (chk.writes)
        return fw_fail(err, FW_EDATA, _("%s:%d: [%s] rules may only read: the query would write"), r->file,
                       r->query_line, r->id);
    int line = chk.error_offset >= 0 ? fw_rule_line_at(r, chk.error_offset) : (r->query_line ? r->query_line : r->line);
    if (chk.function[0])
        return fw_fail(err, FW_EDATA,
                       "%s:%d: [%s] function %s() is not allowed in rules; use SQLite's built-in functions or the "
                       "helpers in docs/rules.md",
                       r->file, line, r->id, chk.function);
    if (chk.refused[0])
        return fw_fail(err, FW_EDATA,
                       "%s:%d: [%s] rules may only read: %s is refused; write a single SELECT (WITH ... SELECT)",
                       r->file, line, r->id, chk.refused);
    if (fw_db_fault(ws->store) == FW_DBF_LOST || fw_db_fault(ws->store) == FW_DBF_BUSY) /* not the rule's fault */
        return fw_fail(err, why.code, "%s:%d: [%s] %s", r->file, line, r->id, why.msg);
    return fw_fail(err, FW_EDATA, _("%s:%d: [%s] SQL error: %s; run `fundwatch rules show %s` to see the "
                                  "assembled query"),
                   r->file, line, r->id, fw_db_err_words(ws->store, &why), r->id);
}

/* ---- parameters ------------------------------------------------------------------------------ */

const fw_rule_param *fw_rule_find_param(const fw_rule *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcasecmp(r->params[i].name, name) == 0)
            return &r->params[i];
    return NULL;
}

void fw_rule_param_type_text(const fw_rule_param *p, char *out, size_t n)
{
    if (p->type == FW_PARAM_INTEGER)
        snprintf(out, n, "integer %lld..%lld", p->imin, p->imax);
    else if (p->type == FW_PARAM_NUMBER)
        snprintf(out, n, "number %.17g..%.17g", p->min, p->max);
    else
        snprintf(out, n, "%s", p->type == FW_PARAM_TEXT ? "text" : "undeclared");
}

/* What p accepts, for messages: "an integer from 0 to 120". */
static void describe_type(const fw_rule_param *p, char *out, size_t n)
{
    if (p->type == FW_PARAM_INTEGER)
        snprintf(out, n, "an integer from %lld to %lld", p->imin, p->imax);
    else if (p->type == FW_PARAM_NUMBER)
        snprintf(out, n, "a number from %.17g to %.17g", p->min, p->max);
    else
        snprintf(out, n, "text");
}

int fw_rule_param_check(const fw_rule_param *p, const char *value, fw_err *err)
{
    char want[128];
    describe_type(p, want, sizeof want);
    long long n;
    double d;
    switch (p->type) {
    case FW_PARAM_INTEGER:
        if (parse_int64(value, &n) && n >= p->imin && n <= p->imax)
            return FW_OK;
        break;
    case FW_PARAM_NUMBER:
        if (parse_number(value, &d) && d >= p->min && d <= p->max)
            return FW_OK;
        break;
    case FW_PARAM_TEXT:
        return FW_OK;
    default:
        return fw_fail(err, FW_EDATA, _("param.%s has no declared type; declare it in the rule file "
                                      "(param.%s.type = integer MIN..MAX, number MIN..MAX or text)"),
                       p->name, p->name);
    }
    return fw_fail(err, FW_EUSAGE, _("param.%s must be %s, not '%s'"), p->name, want, value);
}

static const fw_sql q_rule_setting = {"rules.setting", "SELECT value FROM rule_settings WHERE rule_id = ? AND key = ?",
                                       NULL, NULL};

/* A workspace override, or NULL (none, or the workspace cannot say: the file's value holds). */
static char *rule_setting(fw_ws *ws, const char *rule_id, const char *key)
{
    if (!ws)
        return NULL;
    fw_stmt *st;
    fw_err err = {0};
    char *v = NULL;
    if (fw_db_cached(ws->store, &q_rule_setting, &st, &err))
        return NULL;
    fw_stmt_bind_text(st, 1, rule_id, -1);
    fw_stmt_bind_text(st, 2, key, -1);
    if (fw_stmt_step(st, &err) == 1 && !fw_stmt_is_null(st, 0))
        v = fw_strdup(fw_stmt_text(st, 0));
    fw_stmt_reset(st);
    return v;
}

const char *fw_rule_param_value(fw_ws *ws, const fw_rule *r, const fw_rule_param *p, char **owned)
{
    char *key = fw_printf("param.%s", p->name);
    *owned = rule_setting(ws, r->id, key);
    free(key);
    return *owned ? *owned : p->value;
}

bool fw_rule_enabled(fw_ws *ws, const fw_rule *r)
{
    char *v = rule_setting(ws, r->id, "enabled");
    bool on = r->enabled;
    if (v)
        parse_bool(v, &on);
    free(v);
    return on;
}

/* A parameter is bound as its declared type (checked before), so that comparisons with numeric
 * columns behave. An undeclared one (a broken rule) as an integer or a real when it reads as one,
 * otherwise as text. */
static void bind_value(fw_stmt *st, int i, enum fw_param_type type, const char *v)
{
    long long n;
    double d;
    if (type == FW_PARAM_INTEGER && parse_int64(v, &n)) {
        fw_stmt_bind_int64(st, i, n);
        return;
    }
    if (type == FW_PARAM_NUMBER && parse_number(v, &d)) {
        fw_stmt_bind_double(st, i, d);
        return;
    }
    if (type == FW_PARAM_TEXT) {
        fw_stmt_bind_text(st, i, v, -1);
        return;
    }
    char *end;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (*v && !*end && errno == 0) {
        fw_stmt_bind_int64(st, i, n);
        return;
    }
    double dv = strtod(v, &end);
    if (*v && !*end) {
        fw_stmt_bind_double(st, i, dv);
        return;
    }
    fw_stmt_bind_text(st, i, v, -1);
}

int fw_rule_bind_params(fw_ws *ws, const fw_rule *r, fw_rows *rows, fw_err *err)
{
    fw_stmt *st = fw_rows_stmt(rows);
    int n = fw_stmt_param_count(st);
    for (int i = 1; i <= n; i++) {
        const char *name = fw_stmt_param_name(st, i);
        if (!name || name[0] != ':')
            return fw_fail(err, FW_EDATA,
                           _("%s:%d: [%s] parameter %s: write parameters as :name with a param.name = default key"),
                           r->file, r->query_line, r->id, name ? name : "?");
        const fw_rule_param *p = fw_rule_find_param(r, name + 1);
        if (!p)
            return fw_fail(err, FW_EDATA, _("%s:%d: [%s] %s is not a declared parameter; add 'param.%s = DEFAULT'"),
                           r->file, r->query_line, r->id, name, name + 1);
        char *owned;
        const char *v = fw_rule_param_value(ws, r, p, &owned);
        fw_err why = {0};
        if (p->type != FW_PARAM_UNDECLARED && fw_rule_param_check(p, v, &why)) {
            fw_fail(err, FW_EDATA, _("%s:%d: [%s] %s (%s); change it with `fundwatch rules set %s param.%s VALUE` "
                                   "or `fundwatch rules reset %s param.%s`"),
                    r->file, p->type_line, r->id, why.msg, owned ? "a workspace override" : "the default", r->id,
                    p->name, r->id, p->name);
            free(owned);
            return FW_EDATA;
        }
        bind_value(st, i, p->type, v);
        free(owned);
    }
    return FW_OK;
}

char *fw_rule_params_json(fw_ws *ws, const fw_rule *r)
{
    fw_buf b = {0};
    fw_buf_putc(&b, '{');
    for (int i = 0; i < r->nparams; i++) {
        char *owned;
        const char *v = fw_rule_param_value(ws, r, &r->params[i], &owned);
        fw_buf_printf(&b, "%s\"", i ? ", " : "");
        for (const char *c = r->params[i].name; *c; c++)
            fw_buf_putc(&b, *c);
        fw_buf_puts(&b, "\": \"");
        for (const unsigned char *c = (const unsigned char *)v; *c; c++) {
            if (*c == '"' || *c == '\\')
                fw_buf_printf(&b, "\\%c", *c);
            else if (*c < 0x20)
                fw_buf_printf(&b, "\\u%04x", *c);
            else
                fw_buf_putc(&b, (char)*c);
        }
        fw_buf_putc(&b, '"');
        free(owned);
    }
    fw_buf_putc(&b, '}');
    return fw_buf_steal(&b);
}

/* ---- checks that need a database ------------------------------------------------------------ */

static void check_columns(fw_rows *rows, fw_rule *r, fw_diags *d)
{
    int n = fw_rows_ncols(rows);
    for (const char *const *want = output_columns; *want; want++) {
        bool found = false;
        for (int i = 0; i < n && !found; i++)
            found = strcasecmp(fw_rows_name(rows, i), *want) == 0;
        if (!found) {
            fw_diag_add(d, FW_DIAG_ERROR, r->file, r->query_line,
                        "[%s] the query has no output column '%s'; every rule returns subject, id_number, "
                        "amount, first_date, last_date, detail, evidence (name them with AS)",
                        r->id, *want);
            r->broken = true;
        }
    }
}

static void check_params(fw_rows *rows, fw_rule *r, fw_diags *d)
{
    fw_stmt *st = fw_rows_stmt(rows);
    int n = fw_stmt_param_count(st);
    bool *used = fw_calloc((size_t)r->nparams + 1, sizeof *used);
    for (int i = 1; i <= n; i++) {
        const char *name = fw_stmt_param_name(st, i);
        int line = r->query_line;
        if (name) { /* find the clause that mentions it, for the line number */
            const char *at = strstr(r->sql, name);
            if (at)
                line = fw_rule_line_at(r, (int)(at - r->sql));
        }
        if (!name || name[0] != ':') {
            fw_diag_add(d, FW_DIAG_ERROR, r->file, line,
                        "[%s] parameter %s: write parameters as :name with a param.name = default key", r->id,
                        name ? name : "?");
            r->broken = true;
            continue;
        }
        const fw_rule_param *p = fw_rule_find_param(r, name + 1);
        if (!p) {
            fw_diag_add(d, FW_DIAG_ERROR, r->file, line,
                        "[%s] %s is not bound: no 'param.%s = DEFAULT' key in the rule", r->id, name, name + 1);
            r->broken = true;
        } else
            used[p - r->params] = true;
    }
    for (int i = 0; i < r->nparams; i++)
        if (!used[i])
            fw_diag_add(d, FW_DIAG_WARNING, r->file, r->params[i].line,
                        "[%s] param.%s is never used as :%s in the query", r->id, r->params[i].name,
                        r->params[i].name);
    free(used);
}

/* A full scan of a dataset table that is not the outer loop of its join runs once per outer row. */
/* "SCAN ds_x USING INDEX i" (not a COVERING index, no search term) on the ledger or the registry,
 * the two tables that reach millions of rows: SQLite walks the whole index
 * and reads the table row behind every entry in index order, a random read per row. It picks
 * this to avoid a sort; on a multi-gigabyte ledger it is 20-40 times slower than scanning the
 * table in storage order and sorting. */
static bool full_index_walk(const char *detail, char *table, size_t size)
{
    char fmt[32];
    snprintf(fmt, sizeof fmt, "SCAN %%%zus USING INDEX", size - 1);
    return (strncmp(detail, "SCAN ds_payments ", 17) == 0 || strncmp(detail, "SCAN ds_persons ", 16) == 0) &&
           strstr(detail, " USING INDEX ") &&
           !strstr(detail, "COVERING") && sscanf(detail, fmt, table) == 1;
}

/* The warnings read SQLite's words ("SCAN ds_x", "SEARCH ds_x"); PostgreSQL's plan ("Seq Scan on
 * ds_x") matches none of them, so there the check says nothing (rules are tuned on SQLite). */
static void check_plan(fw_ws *ws, fw_rule *r, fw_diags *d)
{
    fw_plan plan;
    fw_err err = {0};
    char *sql = fw_rule_engine_sql(ws, r);
    int failed = fw_db_plan(ws->store, sql, &plan, &err);
    free(sql);
    if (failed)
        return;
    enum { MAXP = 512 };
    int parents[MAXP], nloops[MAXP], np = 0;
    for (int s = 0; s < plan.n; s++) {
        int parent = plan.v[s].parent;
        const char *detail = plan.v[s].detail;
        if (!detail || (strncmp(detail, "SCAN ", 5) && strncmp(detail, "SEARCH ", 7)))
            continue;
        int k;
        for (k = 0; k < np && parents[k] != parent; k++)
            ;
        if (k == np && np < MAXP) {
            parents[np] = parent;
            nloops[np++] = 0;
        }
        if (k == MAXP)
            continue;
        int pos = nloops[k]++;
        char table[128] = "";
        if (full_index_walk(detail, table, sizeof table))
            fw_diag_add(d, FW_DIAG_WARNING, r->file, r->query_line,
                        "[%s] the query plan walks all of %s through an index (\"%s\"), one random table read "
                        "per row, usually to save sorting a GROUP BY or ORDER BY; on a large ledger a plain scan "
                        "and a sort is mostly many times faster: write the grouping term as +p.column (e.g. "
                        "group_by = +p.id_number) and compare `fundwatch run --only ID` times (keep the "
                        "walk when each row is then probed in another table in the same order)",
                        r->id, table + 3, detail);
        if (strncmp(detail, "SCAN ds_", 8) == 0 && pos > 0 && sscanf(detail + 5, "%127s", table) == 1 &&
            strcmp(table, "ds_standards") != 0)
            fw_diag_add(d, FW_DIAG_WARNING, r->file, r->query_line,
                        "[%s] the query plan scans all of %s inside a join (\"%s\"): it runs once per row "
                        "of the outer table; join it on an indexed column (id_number) or reorder the joins",
                        r->id, table + 3, detail);
    }
    fw_plan_free(&plan);
}

void fw_rules_check_sql(fw_ws *ws, fw_ruleset *set, fw_diags *diags)
{
    for (int i = 0; i < set->n; i++) {
        fw_rule *r = &set->rules[i];
        if (!r->sql)
            continue;
        fw_rows *rows;
        fw_err err = {0};
        if (fw_rule_prepare(ws, r, &rows, &err)) {
            /* err.msg is already "file:line: ..."; split it back for the diagnostic list */
            const char *p = err.msg + strlen(r->file) + 1;
            int line = atoi(p);
            const char *msg = strchr(p, ' ');
            fw_diag_add(diags, FW_DIAG_ERROR, r->file, line, "%s", msg ? msg + 1 : err.msg);
            r->broken = true;
            continue;
        }
        check_columns(rows, r, diags);
        check_params(rows, r, diags);
        fw_rows_close(rows);
        check_plan(ws, r, diags);
    }
}
