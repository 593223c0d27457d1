/* fuzz_rules.c: libFuzzer target for the rule-file parser (audit/rules.c: the pre-scan that maps
 * lines and catches iniparser's traps, iniparser itself, the assembly of each rule's SELECT, the
 * parameter declarations) and for the checks that compile a rule's SQL against a workspace. Every
 * input is one rule file. Nothing may crash, leak or read out of bounds, and what is loaded must
 * keep the loader's promises: a file that is not UTF-8 (or holds NUL bytes) is refused whole; a
 * loaded rule has an upper-case id and metadata, its texts are UTF-8, every diagnostic points at a
 * line of the file, and a rule without errors has every parameter declared with a default inside
 * its range. Seeds: tests/fuzz/corpus/rules (the shipped catalogue). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audit/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;             /* the input, as a file the loader can open by name */
static char path[64];
static char dir[256], db[320]; /* a scratch workspace for the SQL checks */
static fw_ws *ws;

static void remove_scratch(void)
{
    fw_ws_close(ws);
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 0; i < 4; i++) {
        char f[340];
        snprintf(f, sizeof f, "%s%s", db, suffix[i]);
        unlink(f);
    }
    rmdir(dir);
}

static void set_up(void)
{
    fd = memfd_create("fuzz.ini", 0);
    if (fd < 0)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(dir, sizeof dir, "%s/fuzzrules.XXXXXX", tmp);
    if (!mkdtemp(dir))
        abort();
    snprintf(db, sizeof db, "%s/fuzz.db", dir);
    fw_err err = {0};
    if (fw_ws_open(db, &ws, &err))
        abort();
    atexit(remove_scratch);
}

static bool is_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = s[i] ? fw_utf8_char_len(s + i, n - i) : 0;
        if (!k)
            return false;
        i += k;
    }
    return true;
}

static bool text_ok(const char *s)
{
    return s && is_utf8((const uint8_t *)s, strlen(s));
}

static void check_rule(const fw_rule *r, int nlines)
{
    if (!r->id[0] || r->line < 1 || r->line > nlines)
        abort();
    for (const char *c = r->id; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            abort();
    const char *texts[] = {r->id, r->name, r->name_en, r->category, r->severity, r->description, r->basis,
                           r->datasets, r->status, r->author, r->version, r->false_positives, r->subject_kind};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        if (!text_ok(texts[i]))
            abort();
    if (r->sql && (!r->sql[0] || !text_ok(r->sql)))
        abort();
    for (int i = 0; r->sql && i < (int)strlen(r->sql); i += 7) {
        int line = fw_rule_line_at(r, i);
        if (line < 1 || line > nlines)
            abort();
    }
    for (int i = 0; i < r->nparams; i++) {
        const fw_rule_param *p = &r->params[i];
        fw_err err = {0};
        if (!text_ok(p->value) || p->line < 1 || p->line > nlines)
            abort();
        if (!r->broken && (p->type == FW_PARAM_UNDECLARED || fw_rule_param_check(p, p->value, &err) != FW_OK))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0)
        set_up();
    if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    int nlines = 1;
    for (size_t i = 0; i < size; i++)
        nlines += data[i] == '\n';
    fw_ruleset set;
    fw_diags d = {0};
    fw_err err = {0};
    const char *paths[] = {path};
    if (fw_rules_load_paths(paths, 1, &set, &d, &err) != FW_OK)
        abort();
    bool refused = set.nrefused == 1;
    if (set.nrefused > 1 || (refused && set.n) || (refused && !d.errors))
        abort();
    if (!is_utf8(data, size) && !refused)
        abort();
    for (int i = 0; i < set.n; i++)
        check_rule(&set.rules[i], nlines);
    fw_rules_check_sql(ws, &set, &d);
    for (int i = 0; i < d.n; i++)
        if (!d.v[i].msg[0] || strcmp(d.v[i].file, path) != 0 || d.v[i].line < 0 || d.v[i].line > nlines)
            abort();
    fw_ruleset_free(&set);
    fw_diags_free(&d);
    return 0;
}
