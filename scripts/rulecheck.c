/* rulecheck.c: a stand-alone checker for the shipped rule catalogue, used while the engine's
 * `fundwatch rules test` did not exist yet and kept for timing rules on a big workspace.
 *
 *   cc -std=c11 -D_GNU_SOURCE -I. -I/usr/include/iniparser scripts/rulecheck.c build/libfundwatch.a \
 *      -lsqlite3 -lnettle -liniparser -lcsv -lm -o build/rulecheck
 *   build/rulecheck test rules/NAME.ini            examples: hit rows hit exactly expect.hit, clean none
 *   build/rulecheck time DB rules/NAME.ini         runs every rule on workspace DB, prints ms and rows
 *   build/rulecheck plan DB RULE rules/NAME.ini    EXPLAIN QUERY PLAN of one rule
 *
 * It assembles the SELECT the way docs/rules.md describes and loads example rows straight into
 * ds_* tables (money in yuan -> fen, every other value as written), so examples must already be
 * in stored form. The programs table is seeded with the default profile's programs. */
#include <iniparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit/dataset.h"
#include "audit/store.h"

static const char *seed_programs =
    "INSERT OR IGNORE INTO programs(name, means_tested, fixed_amount) VALUES "
    "('低保',1,0),('特困供养',1,0),('临时救助',1,0),('医疗救助',1,0),('危房改造',1,0),"
    "('高龄津贴',0,1),('城乡居民养老金',0,1),('残疾人两项补贴',0,1),('教育资助',0,1),('公益岗位',0,1);";

static const char *get(dictionary *d, const char *sec, const char *key)
{
    char k[256];
    snprintf(k, sizeof k, "%s:%s", sec, key);
    return iniparser_getstring(d, k, NULL);
}

/* Appends the numbered values of sec:base.1 .. base.N (or sec:base) joined by sep. */
static int join_numbered(dictionary *d, const char *sec, const char *base, const char *sep, fw_buf *out)
{
    int n = 0;
    const char *v = get(d, sec, base);
    if (v) {
        fw_buf_puts(out, v);
        n++;
    }
    for (int i = 1; i < 100; i++) {
        char k[64];
        snprintf(k, sizeof k, "%s.%d", base, i);
        v = get(d, sec, k);
        if (!v)
            continue;
        if (n++)
            fw_buf_puts(out, sep);
        fw_buf_puts(out, v);
    }
    return n;
}

static char *assemble(dictionary *d, const char *sec)
{
    fw_buf b = {0}, w = {0};
    if (join_numbered(d, sec, "with", ",\n", &w)) {
        fw_buf_puts(&b, "WITH ");
        fw_buf_puts(&b, w.data);
        fw_buf_puts(&b, "\n");
    }
    fw_buf_reset(&w);
    fw_buf_puts(&b, "SELECT ");
    join_numbered(d, sec, "select", ",\n", &b);
    fw_buf_printf(&b, "\nFROM %s\n", get(d, sec, "from"));
    join_numbered(d, sec, "join", "\n", &b);
    if (join_numbered(d, sec, "where", ") AND (", &w))
        fw_buf_printf(&b, "\nWHERE (%s)", w.data);
    const char *g = get(d, sec, "group_by"), *h = get(d, sec, "having"), *o = get(d, sec, "order_by");
    if (g)
        fw_buf_printf(&b, "\nGROUP BY %s", g);
    if (h)
        fw_buf_printf(&b, "\nHAVING %s", h);
    if (o)
        fw_buf_printf(&b, "\nORDER BY %s", o);
    fw_buf_free(&w);
    return fw_buf_steal(&b);
}

static int bind_params(sqlite3_stmt *st, dictionary *d, const char *sec)
{
    for (int i = 1; i <= sqlite3_bind_parameter_count(st); i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        char k[128];
        snprintf(k, sizeof k, "param.%s", name + 1);
        const char *v = get(d, sec, k);
        if (!v) {
            fprintf(stderr, "%s: no default for %s\n", sec, name);
            return 1;
        }
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*v && !*end)
            sqlite3_bind_int64(st, i, n);
        else {
            double x = strtod(v, &end);
            if (*v && !*end)
                sqlite3_bind_double(st, i, x);
            else
                sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
        }
    }
    return 0;
}

static long long yuan_to_fen(const char *s)
{
    int neg = *s == '-';
    if (neg)
        s++;
    long long y = atoll(s), f = 0;
    const char *dot = strchr(s, '.');
    if (dot) {
        f = (dot[1] ? (dot[1] - '0') * 10 : 0) + (dot[1] && dot[2] ? dot[2] - '0' : 0);
    }
    return (neg ? -1 : 1) * (y * 100 + f);
}

/* Inserts one example row "dataset: col=val, col=val". */
static int load_row(fw_ws *ws, const char *sec, const char *row, int line)
{
    char *copy = fw_strdup(row), *colon = strchr(copy, ':');
    int rc = 1;
    if (!colon) {
        fprintf(stderr, "%s: example without dataset: %s\n", sec, row);
        free(copy);
        return 1;
    }
    *colon = 0;
    const fw_dataset *ds = fw_dataset_find(copy);
    if (!ds) {
        fprintf(stderr, "%s: unknown dataset %s\n", sec, copy);
        free(copy);
        return 1;
    }
    fw_buf cols = {0}, vals = {0};
    char key[64];
    snprintf(key, sizeof key, "ex%d", line);
    char *rk = key;
    fw_buf_printf(&cols, "INSERT INTO ds_%s(import_id, line", ds->name);
    fw_buf_printf(&vals, ") VALUES (1, %d", line);
    for (char *tok = strtok(colon + 1, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        char *eq = strchr(tok, '=');
        if (!eq)
            goto out;
        *eq = 0;
        char *v = eq + 1;
        const fw_column *c = fw_dataset_column(ds, tok);
        if (!c) {
            fprintf(stderr, "%s: %s has no column %s\n", sec, ds->name, tok);
            goto out;
        }
        if (strcmp(tok, "payment_id") == 0)
            rk = v;
        fw_buf_printf(&cols, ", %s", tok);
        if (c->type == FW_COL_MONEY)
            fw_buf_printf(&vals, ", %lld", yuan_to_fen(v));
        else if (c->type == FW_COL_NUMBER)
            fw_buf_printf(&vals, ", %s", v);
        else {
            char *q = sqlite3_mprintf(", %Q", v);
            fw_buf_puts(&vals, q);
            sqlite3_free(q);
        }
    }
    fw_buf_printf(&cols, ", row_key");
    char *q = sqlite3_mprintf(", %Q)", rk);
    fw_buf_puts(&vals, q);
    sqlite3_free(q);
    fw_buf_puts(&cols, vals.data);
    fw_err err = {0};
    rc = fw_ws_exec(ws, cols.data, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n  %s\n", sec, err.msg, cols.data);
out:
    fw_buf_free(&cols);
    fw_buf_free(&vals);
    free(copy);
    return rc;
}

/* Runs the rule's query; appends "subject;" for every row to subjects. Returns rows or -1. */
static int run_rule(fw_ws *ws, dictionary *d, const char *sec, fw_buf *subjects, int show)
{
    char *sql = assemble(d, sec);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ws->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n%s\n", sec, sqlite3_errmsg(ws->db), sql);
        free(sql);
        return -1;
    }
    free(sql);
    if (bind_params(st, d, sec)) {
        sqlite3_finalize(st);
        return -1;
    }
    int n = 0, rc;
    static const char *need[] = {"subject", "id_number", "amount", "first_date", "last_date", "detail", "evidence"};
    for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
        int found = 0;
        for (int c = 0; c < sqlite3_column_count(st); c++)
            found |= strcmp(sqlite3_column_name(st, c), need[i]) == 0;
        if (!found) {
            fprintf(stderr, "%s: result lacks column %s\n", sec, need[i]);
            sqlite3_finalize(st);
            return -1;
        }
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        n++;
        if (subjects) {
            fw_buf_puts(subjects, (const char *)sqlite3_column_text(st, 0));
            fw_buf_putc(subjects, ';');
        }
        if (show)
            for (int c = 0; c < sqlite3_column_count(st); c++)
                printf("    %s = %s\n", sqlite3_column_name(st, c), (const char *)sqlite3_column_text(st, c));
    }
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "%s: %s\n", sec, sqlite3_errmsg(ws->db));
        n = -1;
    }
    sqlite3_finalize(st);
    return n;
}

static fw_ws *scratch(const char *path)
{
    unlink(path);
    char wal[512];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    fw_ws *ws;
    fw_err err = {0};
    if (fw_ws_open(path, &ws, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    fw_ws_exec(ws, seed_programs, &err);
    fw_ws_exec(ws, "INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, user, started_at) "
                   "VALUES (1, 'x', 'x', 'x', 'UTF-8', 'append', 'loaded', 'x', 'x')",
               &err);
    return ws;
}

/* Loads example.<kind>.N rows; returns the number loaded or -1. */
static int load_examples(fw_ws *ws, dictionary *d, const char *sec, const char *kind)
{
    int n = 0;
    for (int i = 1; i < 5000; i++) {
        char k[64];
        snprintf(k, sizeof k, "example.%s.%d", kind, i);
        const char *v = get(d, sec, k);
        if (!v)
            continue;
        if (load_row(ws, sec, v, i))
            return -1;
        n++;
    }
    return n;
}

static int same_set(const char *got, const char *want)
{
    /* both are lists; compare as sorted unique sets via a tiny O(n^2) check */
    char *g = fw_strdup(got), *w = fw_strdup(want);
    int ok = 1;
    for (char *t = strtok(w, ","); t && ok; t = strtok(NULL, ",")) {
        while (*t == ' ')
            t++;
        char pat[64];
        snprintf(pat, sizeof pat, "%s;", t);
        ok = strstr(got, pat) != NULL;
    }
    free(w);
    for (char *t = strtok(g, ";"); t && ok; t = strtok(NULL, ";"))
        ok = strstr(want, t) != NULL;
    free(g);
    return ok;
}

static int test_rule(dictionary *d, const char *sec, int verbose)
{
    const char *path = "/tmp/rulecheck_scratch.db";
    int fail = 0;
    fw_ws *ws = scratch(path);
    fw_buf got = {0};
    fw_buf_puts(&got, "");
    const char *want = get(d, sec, "expect.hit");
    if (load_examples(ws, d, sec, "hit") <= 0 || !want) {
        fprintf(stderr, "%s: no hit examples or expect.hit\n", sec);
        fail = 1;
    } else {
        int n = run_rule(ws, d, sec, &got, verbose);
        if (n < 0 || !same_set(got.data, want)) {
            fprintf(stderr, "%s: hit example gave [%s], want [%s]\n", sec, got.data, want);
            fail = 1;
        }
    }
    fw_ws_close(ws);
    ws = scratch(path);
    if (load_examples(ws, d, sec, "clean") <= 0) {
        fprintf(stderr, "%s: no clean examples\n", sec);
        fail = 1;
    } else {
        fw_buf_reset(&got);
        fw_buf_puts(&got, "");
        int n = run_rule(ws, d, sec, &got, verbose);
        if (n != 0) {
            fprintf(stderr, "%s: clean example gave %d rows [%s]\n", sec, n, got.data);
            fail = 1;
        }
    }
    fw_ws_close(ws);
    fw_buf_free(&got);
    return fail;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: rulecheck test FILE... | time DB FILE... | plan DB RULE FILE...\n");
        return 2;
    }
    const char *mode = argv[1];
    int first = strcmp(mode, "test") == 0 ? 2 : strcmp(mode, "time") == 0 ? 3 : 4;
    const char *only = getenv("ONLY");
    fw_ws *ws = NULL;
    if (first > 2) {
        fw_err err = {0};
        if (fw_ws_open(argv[2], &ws, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
    }
    int fails = 0, rules = 0;
    double total = 0;
    for (int a = first; a < argc; a++) {
        dictionary *d = iniparser_load(argv[a]);
        if (!d) {
            fprintf(stderr, "%s: cannot load\n", argv[a]);
            fails++;
            continue;
        }
        for (int s = 0; s < iniparser_getnsec(d); s++) {
            const char *sec = iniparser_getsecname(d, s);
            if (only && strcasecmp(only, sec) != 0)
                continue;
            if (first == 4 && strcasecmp(argv[3], sec) != 0)
                continue;
            rules++;
            if (first == 2) {
                fails += test_rule(d, sec, getenv("VERBOSE") != NULL);
            } else if (first == 3) {
                double t0 = now_ms();
                int n = run_rule(ws, d, sec, NULL, 0);
                double ms = now_ms() - t0;
                total += ms;
                printf("%-8s %8.0f ms %7d rows\n", sec, ms, n);
                fails += n < 0;
            } else {
                char *sql = assemble(d, sec), *eqp = fw_printf("EXPLAIN QUERY PLAN %s", sql);
                sqlite3_stmt *st;
                if (sqlite3_prepare_v2(ws->db, eqp, -1, &st, NULL) == SQLITE_OK) {
                    bind_params(st, d, sec);
                    while (sqlite3_step(st) == SQLITE_ROW)
                        printf("%3d %3d %s\n", sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
                               (const char *)sqlite3_column_text(st, 3));
                    sqlite3_finalize(st);
                } else
                    fprintf(stderr, "%s\n", sqlite3_errmsg(ws->db));
                printf("%s\n", sql);
                free(eqp);
                free(sql);
            }
        }
        iniparser_freedict(d);
    }
    if (first == 3)
        printf("total %.0f ms\n", total);
    fw_ws_close(ws);
    printf("%d rules, %d failed\n", rules, fails);
    return fails != 0;
}
