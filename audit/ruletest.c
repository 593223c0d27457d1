/* ruletest.c: running a rule on its own examples (see ruletest.h). */
#include "audit/ruletest.h"
#include "audit/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/dataset.h"
#include "audit/engine.h"
#include "audit/import.h"
#include "audit/kiosk.h"
#include "audit/store/store.h"

static char *trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return fw_strndup(s, n);
}

void fw_example_free(fw_example *ex)
{
    for (int i = 0; i < ex->n; i++) {
        free(ex->names[i]);
        free(ex->values[i]);
    }
    free(ex->names);
    free(ex->values);
    free(ex->dataset);
    memset(ex, 0, sizeof *ex);
}

int fw_example_parse(const char *text, fw_example *ex, fw_err *err)
{
    memset(ex, 0, sizeof *ex);
    const char *colon = strchr(text, ':');
    if (!colon)
        return fw_fail(err, FW_EDATA, _("an example is 'DATASET: col=value, col=value', not '%s'"), text);
    ex->dataset = trimmed(text, (size_t)(colon - text));
    if (!fw_dataset_find(ex->dataset) && strcmp(ex->dataset, FW_KIOSK_EXAMPLE_DATASET) != 0) {
        fw_fail(err, FW_EDATA, _("example names no dataset '%s'; use persons, payments, deaths, ..."), ex->dataset);
        fw_example_free(ex);
        return FW_EDATA;
    }
    for (const char *p = colon + 1; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        char *pair = trimmed(p, len);
        if (!eq) {
            bool blank = !*pair;
            if (!blank)
                fw_fail(err, FW_EDATA, _("'%s' is not col=value (values may not contain commas)"), pair);
            free(pair);
            if (!blank) {
                fw_example_free(ex);
                return FW_EDATA;
            }
        } else {
            free(pair);
            ex->names = fw_realloc(ex->names, (size_t)(ex->n + 1) * sizeof *ex->names);
            ex->values = fw_realloc(ex->values, (size_t)(ex->n + 1) * sizeof *ex->values);
            ex->names[ex->n] = trimmed(p, (size_t)(eq - p));
            ex->values[ex->n] = trimmed(eq + 1, (size_t)(p + len - eq - 1));
            ex->n++;
        }
        p += len + (end ? 1 : 0);
    }
    return FW_OK;
}

/* Loads the example rows into ws through the importer, one record each. */
static int load_examples(fw_ws *ws, const fw_rule *r, const fw_rule_example *exs, int n, const char *kind,
                         const fw_profile *profile, char *reason, size_t rsz)
{
    fw_err err = {0};
    if (fw_ws_begin(ws, &err)) {
        snprintf(reason, rsz, "%s", err.msg);
        return err.code;
    }
    for (int i = 0; i < n; i++) {
        fw_example ex;
        fw_importer *im = NULL;
        if (fw_example_parse(exs[i].text, &ex, &err)) {
            snprintf(reason, rsz, "%s:%d: [%s] %s example: %s", r->file, exs[i].line, r->id, kind, err.msg);
            fw_ws_rollback(ws);
            return FW_EDATA;
        }
        /* A citizen report (kiosk.h) is no imported dataset: it is written as the kiosk writes it. */
        if (strcmp(ex.dataset, FW_KIOSK_EXAMPLE_DATASET) == 0) {
            int e = fw_kiosk_example(ws, ex.n, (const char *const *)ex.names, (const char *const *)ex.values, &err);
            fw_example_free(&ex);
            if (e) {
                snprintf(reason, rsz, "%s:%d: [%s] %s example: %s", r->file, exs[i].line, r->id, kind, err.msg);
                fw_ws_rollback(ws);
                return FW_EDATA;
            }
            continue;
        }
        char *source = fw_printf("rule %s example line %d", r->id, exs[i].line);
        int e = fw_importer_open(ws, ex.dataset, profile, source, &im, &err);
        if (!e)
            e = fw_import_record(im, ex.n, (const char *const *)ex.names, (const char *const *)ex.values,
                                 exs[i].line, &err);
        fw_err cerr = {0};
        if (fw_importer_close(im, &cerr) && !e) {
            e = cerr.code;
            err = cerr;
        }
        free(source);
        fw_example_free(&ex);
        if (e) {
            snprintf(reason, rsz, "%s:%d: [%s] %s example rejected by the importer: %s", r->file, exs[i].line,
                     r->id, kind, err.msg);
            fw_ws_rollback(ws);
            return FW_EDATA;
        }
    }
    if (fw_ws_commit(ws, &err)) {
        snprintf(reason, rsz, "%s", err.msg);
        return err.code;
    }
    return FW_OK;
}

/* The subjects the rule hit in ws, comma-joined in order (caller frees), or NULL when the run
 * failed (reason set). */
static char *run_and_collect(fw_ws *ws, fw_ruleset *set, fw_rule *r, long *nhits, char *reason, size_t rsz)
{
    const char *only[] = {r->id};
    fw_run_opts o = {.only = only, .nonly = 1, .selection = "rules test"};
    fw_run_result res;
    fw_err err = {0};
    int e = fw_run(ws, set, &o, &res, &err);
    if (e) {
        const char *why = res.nrules && res.rules[0].message[0] ? res.rules[0].message : err.msg;
        snprintf(reason, rsz, "%s", why);
        fw_run_result_free(&res);
        return NULL;
    }
    fw_run_result_free(&res);
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT subject FROM hits WHERE rule_id = ? AND state <> 'gone' ORDER BY subject",
                      &st, &err)) {
        snprintf(reason, rsz, "%s", err.msg);
        return NULL;
    }
    fw_stmt_bind_text(st, 1, r->id, -1);
    fw_buf b = {0};
    *nhits = 0;
    int step;
    while ((step = fw_stmt_step(st, &err)) == 1) {
        fw_buf_printf(&b, "%s%s", *nhits ? "," : "", fw_stmt_text(st, 0));
        (*nhits)++;
    }
    fw_stmt_finalize(st);
    if (step < 0) { /* a list cut short would read as hits the rule did not find */
        snprintf(reason, rsz, "%s", err.msg);
        fw_buf_free(&b);
        return NULL;
    }
    return fw_buf_steal(&b);
}

/* expect.hit normalized the same way: split, trimmed, sorted, comma-joined. */
static char *sorted_list(const char *list, int *n)
{
    char **keys;
    *n = fw_evidence_split(list, &keys);
    fw_buf b = {0};
    for (int i = 0; i < *n; i++)
        fw_buf_printf(&b, "%s%s", i ? "," : "", keys[i]);
    fw_evidence_free(keys, *n);
    return fw_buf_steal(&b);
}

/* A scratch workspace: a SQLite file in a folder of its own, or a schema on the server. */
typedef struct scratch {
    char *dir, *path;
    char *schema; /* PostgreSQL: the scratch schema, made and dropped through admin */
    fw_db *admin;
    fw_ws *ws;
} scratch;

static int scratch_open_file(scratch *s, const char *tmpdir, fw_err *err)
{
    const char *base = tmpdir ? tmpdir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    s->dir = fw_printf("%s/fwruletest.XXXXXX", base);
    if (!mkdtemp(s->dir)) {
        fw_fail(err, FW_EFAIL, _("%s: cannot make a scratch folder for rule tests"), base);
        free(s->dir);
        s->dir = NULL;
        return FW_EFAIL;
    }
    s->path = fw_printf("%s/scratch.db", s->dir);
    return fw_ws_open(s->path, &s->ws, err);
}

/* A schema named for this process and a counter, so that two `rules test` on one server do not meet. */
static int scratch_open_schema(scratch *s, const char *server, fw_err *err)
{
    static unsigned seq;
    if (fw_db_open(server, NULL, &s->admin, err))
        return err->code;
    s->schema = fw_printf("fw_ruletest_%ld_%u", (long)getpid(), ++seq);
    char *sql = fw_printf("CREATE SCHEMA %s", s->schema);
    int rc = fw_db_exec(s->admin, sql, err);
    free(sql);
    if (rc) {
        free(s->schema);
        s->schema = NULL;
        return rc;
    }
    if (!(s->path = fw_db_target_in_schema(server, s->schema, err)))
        return err->code;
    return fw_ws_open(s->path, &s->ws, err);
}

static int scratch_open(scratch *s, const char *where, fw_err *err)
{
    memset(s, 0, sizeof *s);
    if (where && fw_db_engine_of(where) == FW_DB_POSTGRES)
        return scratch_open_schema(s, where, err);
    return scratch_open_file(s, where, err);
}

static void scratch_close(scratch *s)
{
    if (s->schema) {
        fw_err ignored = {0};
        if (s->ws)
            fw_rules_role_drop(s->ws, &ignored);
        fw_ws_close(s->ws);
        char *sql = fw_printf("DROP SCHEMA %s CASCADE", s->schema);
        fw_db_exec(s->admin, sql, &ignored);
        free(sql);
        free(s->schema);
    } else {
        fw_ws_close(s->ws);
        if (s->path) {
            const char *suffix[] = {"", "-wal", "-shm", "-journal", "-runs"};
            for (int i = 0; i < 5; i++) {
                char *p = fw_printf("%s%s", s->path, suffix[i]);
                unlink(p);
                free(p);
            }
        }
        if (s->dir)
            rmdir(s->dir);
    }
    fw_db_close(s->admin);
    free(s->path);
    free(s->dir);
}

/* A scratch workspace made and dropped: the schema, the migrations (which make roles) and the drop. */
int fw_rule_test_server_usable(const char *server, fw_err *err)
{
    scratch s;
    int rc = scratch_open(&s, server, err);
    scratch_close(&s);
    return rc;
}

/* Runs one example set in a fresh workspace. Returns the hit subjects (caller frees) or NULL. */
static char *try_examples(fw_ruleset *set, fw_rule *r, const fw_rule_example *exs, int n, const char *kind,
                          const fw_profile *profile, const char *where, long *nhits, fw_ruletest_result *out,
                          fw_err *err, int *fatal)
{
    scratch s;
    *fatal = scratch_open(&s, where, err);
    char *got = NULL;
    if (!*fatal && load_examples(s.ws, r, exs, n, kind, profile, out->reason, sizeof out->reason) == FW_OK)
        got = run_and_collect(s.ws, set, r, nhits, out->reason, sizeof out->reason);
    scratch_close(&s);
    return got;
}

int fw_rule_test(fw_ruleset *set, fw_rule *r, const fw_profile *profile, const char *where,
                 fw_ruletest_result *out, fw_err *err)
{
    memset(out, 0, sizeof *out);
    if (r->broken) {
        snprintf(out->reason, sizeof out->reason, "%s:%d: [%s] the rule has errors; run `fundwatch rules check %s`",
                 r->file, r->line, r->id, r->file);
        return FW_OK;
    }
    if (!r->nhit_examples || !r->nclean_examples || !r->expect_hit) {
        snprintf(out->reason, sizeof out->reason, "%s:%d: [%s] no examples (example.hit.N, expect.hit, example.clean.N)",
                 r->file, r->line, r->id);
        return FW_OK;
    }
    int fatal = 0;
    char *got = try_examples(set, r, r->hit_examples, r->nhit_examples, "hit", profile, where,
                             &out->hits_on_hit_rows, out, err, &fatal);
    if (fatal || !got) {
        free(got);
        return fatal ? err->code : FW_OK;
    }
    int nwant;
    char *want = sorted_list(r->expect_hit, &nwant);
    if (strcmp(got, want) != 0) {
        snprintf(out->reason, sizeof out->reason,
                 "%s:%d: [%s] the hit examples gave hits for {%s} but expect.hit is {%s}", r->file,
                 r->expect_hit_line, r->id, got, want);
        free(got);
        free(want);
        return FW_OK;
    }
    free(got);
    free(want);
    got = try_examples(set, r, r->clean_examples, r->nclean_examples, "clean", profile, where,
                       &out->hits_on_clean_rows, out, err, &fatal);
    if (fatal || !got) {
        free(got);
        return fatal ? err->code : FW_OK;
    }
    if (out->hits_on_clean_rows) {
        snprintf(out->reason, sizeof out->reason,
                 "%s:%d: [%s] the clean examples must give no hit but gave hits for {%s}", r->file,
                 r->clean_examples[0].line, r->id, got);
        free(got);
        return FW_OK;
    }
    free(got);
    out->passed = true;
    return FW_OK;
}
