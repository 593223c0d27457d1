/* profile.c: loading and merging import profiles (see profile.h). The INI files are parsed by
 * iniparser; what we keep is two small tables (header alias -> column, program alias -> program)
 * searched linearly: they hold a few hundred entries and are consulted once per header, and the
 * importer caches program lookups per distinct name. */
#include "audit/profile.h"
#include "audit/i18n.h"

#include <ctype.h>
#include <iniparser.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit/paths.h"

typedef struct alias {
    char *dataset; /* NULL: the shared [aliases] section */
    char *key;     /* folded: trimmed, ASCII lower case */
    const char *column;
} alias;

typedef struct program {
    fw_program_info info;
    char *name;
} program;

typedef struct program_alias {
    char *key;     /* folded */
    int program;   /* index into programs */
} program_alias;

struct fw_profile {
    alias *aliases;
    int naliases, capaliases;
    program *programs;
    int nprograms, capprograms;
    program_alias *palias;
    int npalias, cappalias;
    fw_buf sources;
};

/* Trims ASCII whitespace and U+3000 and lower-cases ASCII: headers and names compare in this form.
 * out has room for strlen(s) + 1. */
static void fold(const char *s, char *out)
{
    size_t n = strlen(s);
    while (n && (isspace((unsigned char)*s) || (n >= 3 && memcmp(s, "\xe3\x80\x80", 3) == 0))) {
        size_t k = isspace((unsigned char)*s) ? 1 : 3;
        s += k;
        n -= k;
    }
    while (n && (isspace((unsigned char)s[n - 1]) || (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)))
        n -= isspace((unsigned char)s[n - 1]) ? 1 : 3;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
}

static char *fold_dup(const char *s)
{
    char *out = fw_malloc(strlen(s) + 1);
    fold(s, out);
    return out;
}

/* The column name as declared by any dataset (static storage), or NULL. */
static const char *known_column(const char *name, const fw_dataset *only)
{
    for (int d = 0; d < fw_ndatasets; d++) {
        const fw_dataset *ds = &fw_datasets[d];
        if (only && ds != only)
            continue;
        const fw_column *c = fw_dataset_column(ds, name);
        if (c)
            return c->name;
    }
    return NULL;
}

/* A later file's alias for the same (dataset, key) replaces the earlier one. */
static void add_alias(fw_profile *p, const char *dataset, const char *key, const char *column)
{
    for (int i = 0; i < p->naliases; i++) {
        alias *a = &p->aliases[i];
        if (strcmp(a->key, key) == 0 && ((!a->dataset && !dataset) || (a->dataset && dataset && strcmp(a->dataset, dataset) == 0))) {
            a->column = column;
            return;
        }
    }
    if (p->naliases == p->capaliases) {
        p->capaliases = p->capaliases ? 2 * p->capaliases : 64;
        p->aliases = fw_realloc(p->aliases, (size_t)p->capaliases * sizeof *p->aliases);
    }
    p->aliases[p->naliases++] = (alias){dataset ? fw_strdup(dataset) : NULL, fw_strdup(key), column};
}

static int find_program(const fw_profile *p, const char *name)
{
    for (int i = 0; i < p->nprograms; i++)
        if (strcmp(p->programs[i].name, name) == 0)
            return i;
    return -1;
}

static int declare_program(fw_profile *p, const char *name)
{
    int i = find_program(p, name);
    if (i >= 0)
        return i;
    if (p->nprograms == p->capprograms) {
        p->capprograms = p->capprograms ? 2 * p->capprograms : 32;
        p->programs = fw_realloc(p->programs, (size_t)p->capprograms * sizeof *p->programs);
    }
    program *g = &p->programs[p->nprograms];
    g->name = fw_strdup(name);
    g->info = (fw_program_info){g->name, false, false};
    return p->nprograms++;
}

static void add_program_alias(fw_profile *p, const char *key, int prog)
{
    for (int i = 0; i < p->npalias; i++)
        if (strcmp(p->palias[i].key, key) == 0) {
            p->palias[i].program = prog;
            return;
        }
    if (p->npalias == p->cappalias) {
        p->cappalias = p->cappalias ? 2 * p->cappalias : 64;
        p->palias = fw_realloc(p->palias, (size_t)p->cappalias * sizeof *p->palias);
    }
    p->palias[p->npalias++] = (program_alias){fw_strdup(key), prog};
}

/* Calls fn for each non-empty |-separated, folded item of value. */
static int each_item(const char *value, int (*fn)(void *ctx, const char *item), void *ctx)
{
    char *copy = fw_strdup(value);
    char *item = fw_malloc(strlen(value) + 1);
    int rc = FW_OK;
    for (char *save = NULL, *tok = strtok_r(copy, "|", &save); tok && !rc; tok = strtok_r(NULL, "|", &save)) {
        fold(tok, item);
        if (*item)
            rc = fn(ctx, item);
    }
    free(item);
    free(copy);
    return rc;
}

typedef struct alias_ctx {
    fw_profile *p;
    const char *dataset;
    const char *column;
    int prog;
} alias_ctx;

static int put_alias(void *ctx, const char *item)
{
    alias_ctx *a = ctx;
    add_alias(a->p, a->dataset, item, a->column);
    return FW_OK;
}

static int put_program_alias(void *ctx, const char *item)
{
    alias_ctx *a = ctx;
    add_program_alias(a->p, item, a->prog);
    return FW_OK;
}

/* The key part of iniparser's "section:key". */
static const char *key_of(const char *full)
{
    const char *colon = strchr(full, ':');
    return colon ? colon + 1 : full;
}

/* [aliases] or [<dataset>]: column = alias|alias. */
static int load_alias_section(fw_profile *p, dictionary *d, const char *file, const char *sec,
                              const fw_dataset *ds, fw_err *err)
{
    int n = iniparser_getsecnkeys(d, sec);
    const char **keys = fw_calloc((size_t)n + 1, sizeof *keys);
    iniparser_getseckeys(d, sec, keys);
    int rc = FW_OK;
    for (int i = 0; i < n && !rc; i++) {
        const char *col = known_column(key_of(keys[i]), ds);
        if (!col) {
            rc = fw_fail(err, FW_EDATA, _("%s: [%s] %s: not a column of %s; see docs/import.md for the columns"),
                         file, sec, key_of(keys[i]), ds ? ds->name : "any dataset");
            break;
        }
        alias_ctx a = {p, ds ? ds->name : NULL, col, 0};
        rc = each_item(iniparser_getstring(d, keys[i], ""), put_alias, &a);
    }
    free(keys);
    return rc;
}

/* [programs]: canonical = alias|alias. */
static int load_programs(fw_profile *p, dictionary *d)
{
    int n = iniparser_getsecnkeys(d, "programs");
    const char **keys = fw_calloc((size_t)n + 1, sizeof *keys);
    iniparser_getseckeys(d, "programs", keys);
    for (int i = 0; i < n; i++) {
        char *name = fold_dup(key_of(keys[i]));
        alias_ctx a = {p, NULL, NULL, declare_program(p, name)};
        add_program_alias(p, name, a.prog);
        each_item(iniparser_getstring(d, keys[i], ""), put_program_alias, &a);
        free(name);
    }
    free(keys);
    return FW_OK;
}

/* [program_tags]: canonical = means_tested|fixed_amount|none. A later file replaces the tags. */
static int load_tags(fw_profile *p, dictionary *d, const char *file, fw_err *err)
{
    int n = iniparser_getsecnkeys(d, "program_tags");
    const char **keys = fw_calloc((size_t)n + 1, sizeof *keys);
    iniparser_getseckeys(d, "program_tags", keys);
    int rc = FW_OK;
    for (int i = 0; i < n && !rc; i++) {
        char *name = fold_dup(key_of(keys[i]));
        int k = declare_program(p, name);
        add_program_alias(p, name, k);
        program *g = &p->programs[k];
        g->info.means_tested = g->info.fixed_amount = false;
        char *tags = fw_strdup(iniparser_getstring(d, keys[i], ""));
        for (char *save = NULL, *t = strtok_r(tags, "|, ", &save); t; t = strtok_r(NULL, "|, ", &save)) {
            if (strcmp(t, "means_tested") == 0)
                g->info.means_tested = true;
            else if (strcmp(t, "fixed_amount") == 0)
                g->info.fixed_amount = true;
            else if (strcmp(t, "none") != 0) {
                rc = fw_fail(err, FW_EDATA,
                             _("%s: [program_tags] %s: unknown tag '%s'; use means_tested, fixed_amount or none"),
                             file, name, t);
                break;
            }
        }
        free(tags);
        free(name);
    }
    free(keys);
    return rc;
}

static int load_one(fw_profile *p, const char *file, fw_err *err)
{
    struct stat st;
    if (stat(file, &st) != 0 || !S_ISREG(st.st_mode))
        return fw_fail(err, FW_EDATA, _("%s: import profile not found or not a file"), file);
    dictionary *d = iniparser_load(file);
    if (!d)
        return fw_fail(err, FW_EDATA, _("%s: not a readable INI file; fix the syntax (see docs/import.md)"), file);
    int rc = FW_OK;
    int nsec = iniparser_getnsec(d);
    for (int s = 0; s < nsec && !rc; s++) {
        const char *sec = iniparser_getsecname(d, s);
        const fw_dataset *ds = fw_dataset_find(sec);
        if (strcmp(sec, "aliases") == 0 || ds)
            rc = load_alias_section(p, d, file, sec, ds, err);
        else if (strcmp(sec, "programs") == 0)
            rc = load_programs(p, d);
        else if (strcmp(sec, "program_tags") == 0)
            rc = load_tags(p, d, file, err);
        else
            rc = fw_fail(err, FW_EDATA,
                         _("%s: unknown section [%s]; use [aliases], a dataset name, [programs] or [program_tags]"),
                         file, sec);
    }
    iniparser_freedict(d);
    if (!rc) {
        if (p->sources.len)
            fw_buf_putc(&p->sources, ';');
        fw_buf_puts(&p->sources, file);
    }
    return rc;
}

int fw_profile_load_files(const char *const *paths, int npaths, fw_profile **out, fw_err *err)
{
    fw_profile *p = fw_calloc(1, sizeof *p);
    fw_buf_puts(&p->sources, "");
    for (int i = 0; i < npaths; i++)
        if (load_one(p, paths[i], err)) {
            fw_profile_free(p);
            *out = NULL;
            return err->code;
        }
    *out = p;
    return FW_OK;
}

int fw_profile_load(const char *extra, fw_profile **out, fw_err *err)
{
    char *shipped = fw_printf("%s/profiles/default.ini", fw_datadir());
    char *user = fw_printf("%s/import.ini", fw_configdir());
    const char *paths[3];
    int n = 0;
    struct stat st;
    int rc;
    if (stat(shipped, &st) != 0) {
        rc = fw_fail(err, FW_EFAIL, _("%s: the shipped import profile is missing; reinstall fundwatch or set "
                                    "FUNDWATCH_DATADIR to the directory holding profiles/"),
                     shipped);
        *out = NULL;
        goto done;
    }
    paths[n++] = shipped;
    if (stat(user, &st) == 0)
        paths[n++] = user;
    if (extra)
        paths[n++] = extra;
    rc = fw_profile_load_files(paths, n, out, err);
done:
    free(shipped);
    free(user);
    return rc;
}

void fw_profile_free(fw_profile *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->naliases; i++) {
        free(p->aliases[i].dataset);
        free(p->aliases[i].key);
    }
    for (int i = 0; i < p->nprograms; i++)
        free(p->programs[i].name);
    for (int i = 0; i < p->npalias; i++)
        free(p->palias[i].key);
    free(p->aliases);
    free(p->programs);
    free(p->palias);
    fw_buf_free(&p->sources);
    free(p);
}

const fw_column *fw_profile_column(const fw_profile *p, const fw_dataset *ds, const char *header)
{
    char *key = fold_dup(header);
    const fw_column *found = fw_dataset_column(ds, key);
    /* Two passes: the dataset's own section first, then the shared one. */
    for (int pass = 0; pass < 2 && !found && p; pass++)
        for (int i = 0; i < p->naliases && !found; i++) {
            const alias *a = &p->aliases[i];
            if ((pass == 0) != (a->dataset != NULL) || (a->dataset && strcmp(a->dataset, ds->name) != 0))
                continue;
            if (strcmp(a->key, key) == 0)
                found = fw_dataset_column(ds, a->column);
        }
    free(key);
    return found;
}

const fw_program_info *fw_profile_program(const fw_profile *p, const char *raw)
{
    if (!p)
        return NULL;
    char *key = fold_dup(raw);
    const fw_program_info *found = NULL;
    for (int i = 0; i < p->npalias && !found; i++)
        if (strcmp(p->palias[i].key, key) == 0)
            found = &p->programs[p->palias[i].program].info;
    free(key);
    return found;
}

int fw_profile_nprograms(const fw_profile *p)
{
    return p ? p->nprograms : 0;
}

const fw_program_info *fw_profile_program_at(const fw_profile *p, int i)
{
    return &p->programs[i].info;
}

const char *fw_profile_sources(const fw_profile *p)
{
    return p->sources.data;
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fw_program_set(const char *list)
{
    if (!list)
        return NULL;
    char *copy = fw_strdup(list), *save = NULL;
    char **names = NULL;
    size_t n = 0;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        while (*w == ' ' || *w == '\t')
            w++;
        size_t len = strlen(w);
        while (len && (w[len - 1] == ' ' || w[len - 1] == '\t'))
            w[--len] = '\0';
        if (!len)
            continue;
        names = fw_realloc(names, (n + 1) * sizeof *names);
        names[n++] = w;
    }
    if (n)
        qsort(names, n, sizeof *names, by_bytes);
    fw_buf b = {0};
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
            fw_buf_printf(&b, "%s%s", b.len ? "," : "", names[i]);
    free(names);
    free(copy);
    return b.len ? fw_buf_steal(&b) : (fw_buf_free(&b), NULL);
}
