/* orders.c: verification orders (orders.h): choosing and dispatching cases, the row MACs, reading a
 * returned workbook back (audit/xlsxread.h: libzip + expat, the sheet streamed), and applying the
 * accepted answers through the case workflow (audit/cases.h). Every SQL statement of orders is here. */
#include "audit/orders.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/cases.h"
#include "audit/exportq.h"
#include "audit/i18n.h"
#include "audit/schema.h"
#include "audit/trail.h"
#include "audit/vocab.h"
#include "audit/xlsxread.h"

#define MAC_KEY_SETTING "orders.mac_key"
#define ROW_DOMAIN "fundwatch-order-row-v1"
#define MANIFEST_DOMAIN "fundwatch-order-manifest-v1"

/* --- layout ------------------------------------------------------------------------------------- */

#define LABEL_(e, label) label,
static const char *const column_labels[] = {FW_ORDER_FACT_LIST(LABEL_) FW_ORDER_ANSWER_LIST(LABEL_)
                                                FW_ORDER_KEY_LIST(LABEL_)};

const char *fw_order_column_label(int c)
{
    return c >= 0 && c < FW_ORDER_NCOLS ? column_labels[c] : "";
}

/* The Chinese labels of audit/vocab.h's lists, so a word added there reaches the workbook. */
#define FW_ORDER_ZH_(e, code, en, zh) zh,
const char *const fw_order_conclusion_choices[] = {FW_ORDER_CONCLUSION_LIST(FW_ORDER_ZH_) NULL};
const char *const fw_order_method_choices[] = {FW_VERIFY_METHOD_LIST(FW_ORDER_ZH_) NULL};
const char *const fw_order_measure_choices[] = {FW_MEASURE_LIST(FW_ORDER_ZH_) "无", NULL};
#undef FW_ORDER_ZH_

static void today_local(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* --- the MAC ------------------------------------------------------------------------------------ */

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int fw_order_mac_key(fw_ws *ws, bool create, unsigned char key[FW_ORDER_KEY_BYTES], fw_err *err)
{
    char *hex = fw_ws_setting(ws, MAC_KEY_SETTING);
    if (hex && strlen(hex) == 2 * FW_ORDER_KEY_BYTES) {
        for (int i = 0; i < FW_ORDER_KEY_BYTES; i++) {
            int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                free(hex);
                return fw_fail(err, FW_EWORKSPACE, _("the setting %s is not a key fundwatch wrote"), MAC_KEY_SETTING);
            }
            key[i] = (unsigned char)(hi << 4 | lo);
        }
        free(hex);
        return FW_OK;
    }
    if (hex) {
        free(hex);
        return fw_fail(err, FW_EWORKSPACE, _("the setting %s is not a key fundwatch wrote"), MAC_KEY_SETTING);
    }
    if (!create)
        return fw_fail(err, FW_ENOTFOUND, _("this workspace has sent no verification order (it has no order key)"));
    if (getrandom(key, FW_ORDER_KEY_BYTES, 0) != FW_ORDER_KEY_BYTES)
        return fw_fail(err, FW_EFAIL, _("cannot make the order key: %s"), strerror(errno));
    char out[2 * FW_ORDER_KEY_BYTES + 1];
    for (int i = 0; i < FW_ORDER_KEY_BYTES; i++)
        snprintf(out + 2 * i, 3, "%02x", key[i]);
    return fw_ws_set_setting(ws, MAC_KEY_SETTING, out, err);
}

static void netstring(fw_buf *b, const char *s)
{
    if (!s)
        fw_buf_puts(b, "-,");
    else {
        fw_buf_printf(b, "%zu:", strlen(s));
        fw_buf_puts(b, s);
        fw_buf_putc(b, ',');
    }
}

void fw_order_mac(const unsigned char key[FW_ORDER_KEY_BYTES], const char *domain, const char *const *fields,
                  int n, char out[65])
{
    fw_buf b = {0};
    fw_buf_puts(&b, domain);
    fw_buf_putc(&b, '\n');
    for (int i = 0; i < n; i++)
        netstring(&b, fields[i]);
    struct hmac_sha256_ctx ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    hmac_sha256_set_key(&ctx, FW_ORDER_KEY_BYTES, key);
    hmac_sha256_update(&ctx, b.len, (const uint8_t *)b.data);
    hmac_sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    fw_buf_free(&b);
}

/* The fields a row's MAC covers: the workspace, the order, the case and its version, the facts. */
static void row_mac(const unsigned char *key, const char *ws_id, const char *order_no, long long case_id,
                    long long version, char *const *facts, char out[65])
{
    char cid[24], ver[24];
    snprintf(cid, sizeof cid, "%lld", case_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *f[4 + FW_OF_N] = {ws_id, order_no, cid, ver};
    for (int i = 0; i < FW_OF_N; i++)
        f[4 + i] = facts[i];
    fw_order_mac(key, ROW_DOMAIN, f, 4 + FW_OF_N, out);
}

/* The manifest's MAC: the order, the workspace, the number of rows and every row's MAC in order. */
static void manifest_mac(const unsigned char *key, const char *ws_id, const char *order_no, const char *unit,
                         const char *window_from, const char *due, long long nrows, const char *const *macs,
                         char out[65])
{
    char n[24];
    snprintf(n, sizeof n, "%lld", nrows);
    fw_buf all = {0};
    for (long long i = 0; i < nrows; i++)
        fw_buf_puts(&all, macs[i]);
    const char *f[] = {FW_ORDER_FORMAT, ws_id, order_no, unit, window_from, due, n, all.data ? all.data : ""};
    fw_order_mac(key, MANIFEST_DOMAIN, f, (int)(sizeof f / sizeof f[0]), out);
    fw_buf_free(&all);
}

/* The facts as stored (order_rows.facts): netstrings, so any text survives. */
static char *facts_pack(char *const *facts)
{
    fw_buf b = {0};
    for (int i = 0; i < FW_OF_N; i++)
        netstring(&b, facts[i]);
    return fw_buf_steal(&b);
}

static bool facts_unpack(const char *s, char *facts[FW_OF_N])
{
    memset(facts, 0, FW_OF_N * sizeof *facts);
    for (int i = 0; i < FW_OF_N; i++) {
        if (s[0] == '-' && s[1] == ',') {
            s += 2;
            continue;
        }
        char *end;
        unsigned long len = strtoul(s, &end, 10);
        if (*end != ':' || strnlen(end + 1, len + 1) < len + 1 || end[1 + len] != ',')
            return false;
        facts[i] = fw_strndup(end + 1, len);
        s = end + 2 + len;
    }
    return *s == '\0';
}

static void facts_free(char *facts[FW_OF_N])
{
    for (int i = 0; i < FW_OF_N; i++) {
        free(facts[i]);
        facts[i] = NULL;
    }
}

/* --- the sample --------------------------------------------------------------------------------- */

static unsigned long long splitmix64(unsigned long long *state)
{
    unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform integer below n, without modulo bias (rejection). */
static unsigned long long below(unsigned long long *state, unsigned long long n)
{
    unsigned long long limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = splitmix64(state);
    while (x >= limit);
    return x % n;
}

static int by_stratum_then_id(const void *a, const void *b)
{
    const fw_order_candidate *x = a, *y = b;
    int c = strcmp(x->stratum ? x->stratum : "", y->stratum ? y->stratum : "");
    return c ? c : (x->case_id > y->case_id) - (x->case_id < y->case_id);
}

static int by_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

void fw_order_sample(fw_order_candidate *cands, size_t n, long long size, unsigned long long seed, bool stratified,
                     long long **out, size_t *nout)
{
    if (!stratified)
        for (size_t i = 0; i < n; i++)
            cands[i].stratum = NULL;
    qsort(cands, n, sizeof *cands, by_stratum_then_id);
    long long *chosen = fw_malloc((n ? n : 1) * sizeof *chosen);
    size_t m = 0;
    unsigned long long state = seed;
    for (size_t start = 0; start < n;) {
        size_t end = start + 1;
        while (end < n && stratified && by_stratum_then_id(&(fw_order_candidate){0, cands[start].stratum},
                                                           &(fw_order_candidate){0, cands[end].stratum}) == 0)
            end++;
        if (!stratified)
            end = n;
        size_t k = end - start, take = size < 0 ? 0 : (size_t)size < k ? (size_t)size : k;
        /* partial Fisher-Yates: position i gets a uniform pick from i..k-1 */
        for (size_t i = 0; i < take; i++) {
            size_t j = i + (size_t)below(&state, k - i);
            fw_order_candidate t = cands[start + i];
            cands[start + i] = cands[start + j];
            cands[start + j] = t;
            chosen[m++] = cands[start + i].case_id;
        }
        start = end;
    }
    qsort(chosen, m, sizeof *chosen, by_id);
    *out = chosen;
    *nout = m;
}

/* --- dispatch ------------------------------------------------------------------------------------ */

typedef struct candidate_row {
    long long case_id;
    char *stratum;
    int severity_rank;
    long long nrules;
    long long amount;
    int blocked; /* BLOCKED_*: why it is not sent */
    fw_case *loaded; /* read for its money at issue (priority order); fill_plan takes it */
} candidate_row;

enum { BLOCKED_NONE, BLOCKED_CLOSED, BLOCKED_PENDING, BLOCKED_IN_ORDER };

static void candidates_free(candidate_row *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].stratum);
        if (c[i].loaded)
            fw_case_free(c[i].loaded);
        free(c[i].loaded);
    }
    free(c);
}

/* The cases behind the filter's leads, with what the sample and the priority order need. */
static int read_candidates(fw_ws *ws, const fw_hit_filter *f, candidate_row **out, size_t *nout, fw_err *err)
{
    fw_hit_where w = {0};
    if (fw_hit_where_build(ws, f, 0, &w, err))
        return err->code;
    /* blocked: why the case cannot be sent (enum blocked), 0 when it can */
    char *sql = fw_printf("SELECT h.case_id, MIN(h.rule_id), MIN(c.township), "
                          "MIN(CASE h.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), "
                          "COUNT(DISTINCT h.rule_id), "
                          "CASE WHEN MAX(c.status) = 'closed' THEN 1 WHEN MAX(c.pending_status) IS NOT NULL THEN 2 "
                          "WHEN EXISTS (SELECT 1 FROM order_rows r WHERE r.case_id = h.case_id AND r.state <> 'accepted' "
                          "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.order_id AND o.cancelled_at IS NOT NULL)) "
                          "THEN 3 ELSE 0 END" FW_HITS_FROM " WHERE h.case_id IS NOT NULL%s "
                          "GROUP BY h.case_id ORDER BY h.case_id",
                          w.sql.data ? w.sql.data : "");
    fw_stmt *st = NULL;
    int rc = fw_db_prepare(ws->store, sql, &st, err);
    free(sql);
    candidate_row *c = NULL;
    size_t n = 0, cap = 0;
    int step = 0;
    if (!rc) {
        fw_hit_where_bind(&w, st, 1);
        while ((step = fw_stmt_step(st, err)) == 1) {
            if (n == cap)
                c = fw_realloc(c, (cap = cap ? 2 * cap : 64) * sizeof *c);
            const char *rule = fw_stmt_text(st, 1), *town = fw_stmt_text(st, 2);
            c[n] = (candidate_row){fw_stmt_int64(st, 0), fw_printf("%s|%s", rule ? rule : "", town ? town : ""),
                                   (int)fw_stmt_int64(st, 3), fw_stmt_int64(st, 4), 0, (int)fw_stmt_int64(st, 5),
                                   NULL};
            n++;
        }
        if (step < 0)
            rc = err->code;
    }
    fw_stmt_finalize(st);
    fw_hit_where_free(&w);
    if (rc) {
        candidates_free(c, n);
        return rc;
    }
    *out = c;
    *nout = n;
    return FW_OK;
}

/* Priority when not sampling: severity, then money at issue, then the number of rules. */
static int by_priority(const void *a, const void *b)
{
    const candidate_row *x = a, *y = b;
    if (x->severity_rank != y->severity_rank)
        return x->severity_rank - y->severity_rank;
    if (x->amount != y->amount)
        return x->amount > y->amount ? -1 : 1;
    if (x->nrules != y->nrules)
        return x->nrules > y->nrules ? -1 : 1;
    return (x->case_id > y->case_id) - (x->case_id < y->case_id);
}

/* The order the case is already in, unless its row there was accepted: a case is sent once. */
static char *open_order_of(fw_ws *ws, long long case_id)
{
    fw_stmt *st = NULL;
    fw_err err = {0};
    char *found = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT o.order_no, r.row_no, r.state FROM order_rows r JOIN orders o ON o.id = r.order_id "
                      "WHERE r.case_id = ? AND r.state <> 'accepted' AND o.cancelled_at IS NULL ORDER BY r.id DESC",
                      &st, &err) == FW_OK) {
        fw_stmt_bind_int64(st, 1, case_id);
        if (fw_stmt_step(st, &err) == 1)
            found = fw_printf("%s row %lld (%s)", fw_stmt_text(st, 0), fw_stmt_int64(st, 1),
                              fw_label_show(fw_order_row_states, fw_stmt_text(st, 2)));
    }
    fw_stmt_finalize(st);
    return found;
}

/* The rule's entry on the cover, made on first sight: its name and basis are read from the rule
 * file (fw_xq_text of those columns parses it), so once per rule, not once per lead. */
static const fw_order_rule *rule_of(fw_order_plan *p, fw_xquery *q, const char *id)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].rule_id, id) == 0)
            return &p->rules[i];
    const char *name = fw_xq_text(q, 2), *basis = fw_xq_text(q, 5);
    p->rules = fw_realloc(p->rules, (p->nrules + 1) * sizeof *p->rules);
    p->rules[p->nrules] = (fw_order_rule){fw_strdup(id), fw_strdup(name ? name : id), fw_strdup(basis ? basis : "")};
    return &p->rules[p->nrules++];
}

/* The case's facts as the row shows them; rules and evidence from its present leads. */
static int read_facts(fw_ws *ws, fw_order_plan *p, const fw_case *c, long long row_no, fw_order_line *line,
                      fw_err *err)
{
    char **f = line->facts;
    f[FW_OF_ROW_NO] = fw_printf("%lld", row_no);
    f[FW_OF_CASE_NO] = fw_strdup(c->case_no);
    f[FW_OF_NAME] = fw_strdup(c->name ? c->name : "");
    f[FW_OF_ID_NUMBER] = fw_strdup(c->id_number ? c->id_number : "");
    f[FW_OF_TOWNSHIP] = fw_strdup(c->township ? c->township : "");
    f[FW_OF_VILLAGE] = fw_strdup(c->village ? c->village : "");
    f[FW_OF_PROGRAMS] = fw_strdup(c->programs ? c->programs : "");
    f[FW_OF_PERIOD] = c->period_from ? fw_printf("%s 至 %s", c->period_from, c->period_to ? c->period_to : "")
                                     : fw_strdup("");
    f[FW_OF_AMOUNT] = fw_printf("%lld", c->amount);
    fw_xquery *q = NULL;
    if (fw_xq_case_rules(ws, c->id, &q, err))
        return err->code;
    fw_buf rules = {0}, evidence = {0};
    int step;
    while ((step = fw_xq_step(q, err)) == 1) {
        const char *id = fw_xq_text(q, 1), *detail = fw_xq_text(q, 6);
        if (!id)
            continue;
        const char *name = rule_of(p, q, id)->name;
        if (!strstr(rules.data ? rules.data : "", name)) {
            if (rules.len)
                fw_buf_puts(&rules, "；");
            fw_buf_puts(&rules, name);
        }
        if (detail && evidence.len < 30000) {
            if (evidence.len)
                fw_buf_putc(&evidence, '\n');
            fw_buf_puts(&evidence, detail);
        }
    }
    fw_xq_close(q);
    f[FW_OF_RULES] = rules.data ? fw_buf_steal(&rules) : fw_strdup("");
    f[FW_OF_EVIDENCE] = evidence.data ? fw_buf_steal(&evidence) : fw_strdup("");
    fw_buf_free(&rules);
    fw_buf_free(&evidence);
    return step < 0 ? err->code : FW_OK;
}

static int next_order_no(fw_ws *ws, char out[32])
{
    char today[11];
    today_local(today);
    long long n = fw_ws_int(ws, "SELECT COUNT(*) FROM orders");
    snprintf(out, 32, "HC-%.4s-%04lld", today, n + 1);
    return FW_OK;
}

/* Parses the seed: a decimal integer (what the order and the trail record). */
static int parse_seed(const char *s, unsigned long long *out, fw_err *err)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return fw_fail(err, FW_EUSAGE, _("--seed must be a whole number (0 to 18446744073709551615), not '%s'"),
                       s ? s : "");
    *out = strtoull(s, &end, 10);
    if (errno || *end)
        return fw_fail(err, FW_EUSAGE, _("--seed must be a whole number (0 to 18446744073709551615), not '%s'"), s);
    return FW_OK;
}

/* Which cases go: all the filter selects in priority order, or the sample. In priority order each
 * case is read (with its hit summary, for its money) and *loaded holds them, in order, for fill_plan,
 * which would otherwise read each again (the same transaction: they cannot have changed); a sample
 * reads none and *loaded is NULL. */
static int choose_cases(fw_ws *ws, const fw_order_request *req, fw_order_plan *p, long long **ids, size_t *nids,
                        fw_case **loaded, fw_err *err)
{
    *loaded = NULL;
    candidate_row *c = NULL;
    size_t n = 0;
    if (read_candidates(ws, req->filter, &c, &n, err))
        return err->code;
    if (n == 0) {
        free(c);
        return fw_fail(err, FW_ENOTFOUND, _("the filter selects no lead with a case: nothing to send"));
    }
    /* Cases that cannot go are left out, counted, and said (a closed case, a verdict awaiting its
     * second reviewer, a case in an order not yet settled), so "send the rest" is one command. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i].blocked == BLOCKED_NONE)
            c[kept++] = c[i];
        else {
            p->skipped[c[i].blocked - 1]++;
            free(c[i].stratum);
        }
    }
    if (kept == 0) {
        free(c);
        return fw_fail(err, FW_ECONFLICT,
                       _("nothing to send: of the %zu cases the filter selects, %lld are closed, %lld have a verdict "
                         "awaiting a second reviewer and %lld are in an order not yet settled"),
                       n, p->skipped[0], p->skipped[1], p->skipped[2]);
    }
    n = kept;
    *ids = fw_malloc(n * sizeof **ids);
    if (req->sample > 0) {
        unsigned long long seed = 0;
        if (parse_seed(req->seed, &seed, err)) {
            candidates_free(c, n);
            return err->code;
        }
        fw_order_candidate *oc = fw_malloc(n * sizeof *oc);
        for (size_t i = 0; i < n; i++)
            oc[i] = (fw_order_candidate){c[i].case_id, c[i].stratum};
        long long *chosen;
        fw_order_sample(oc, n, req->sample, seed, req->by_rule_township, &chosen, nids);
        memcpy(*ids, chosen, *nids * sizeof *chosen);
        free(chosen);
        free(oc);
        p->sample_method = fw_strdup(req->by_rule_township ? "stratified:rule,township" : "random");
        p->sample_seed = fw_strdup(req->seed);
        p->sample_size = req->sample;
    } else {
        for (size_t i = 0; i < n; i++) {
            fw_case *k = fw_malloc(sizeof *k);
            if (fw_case_get_id(ws, c[i].case_id, k, err)) {
                free(k);
                candidates_free(c, n);
                free(*ids);
                *ids = NULL;
                return err->code;
            }
            c[i].loaded = k;
            c[i].amount = k->amount;
        }
        qsort(c, n, sizeof *c, by_priority);
        *loaded = fw_malloc(n * sizeof **loaded);
        for (size_t i = 0; i < n; i++) {
            (*ids)[i] = c[i].case_id;
            (*loaded)[i] = *c[i].loaded; /* its strings now owned by *loaded */
            free(c[i].loaded);
            c[i].loaded = NULL;
        }
        *nids = n;
    }
    candidates_free(c, n);
    return FW_OK;
}

/* How many cases a request would send, without sending: the candidates less those that cannot go,
 * then the sample (the same draw as dispatch). For a form that says what will go before it goes. */
int fw_order_preview(fw_ws *ws, const fw_order_request *req, long long *count, long long skipped[3], fw_err *err)
{
    *count = 0;
    skipped[0] = skipped[1] = skipped[2] = 0;
    unsigned long long seed = 0;
    if (req->sample > 0 && parse_seed(req->seed, &seed, err))
        return err->code;
    candidate_row *c = NULL;
    size_t n = 0, kept = 0;
    if (read_candidates(ws, req->filter, &c, &n, err))
        return err->code;
    fw_order_candidate *oc = fw_malloc((n ? n : 1) * sizeof *oc);
    for (size_t i = 0; i < n; i++) {
        if (c[i].blocked == BLOCKED_NONE)
            oc[kept++] = (fw_order_candidate){c[i].case_id, c[i].stratum};
        else
            skipped[c[i].blocked - 1]++;
    }
    *count = (long long)kept;
    if (req->sample > 0 && kept > 0) {
        long long *chosen;
        size_t m;
        fw_order_sample(oc, kept, req->sample, seed, req->by_rule_township, &chosen, &m);
        free(chosen);
        *count = (long long)m;
    }
    free(oc);
    candidates_free(c, n);
    return FW_OK;
}

/* A case that cannot be sent: closed, awaiting review, or in an open order. */
static int check_sendable(fw_ws *ws, const fw_case *c, fw_err *err)
{
    if (strcmp(c->status, "closed") == 0)
        return fw_fail(err, FW_ECONFLICT, _("case %s is closed; a closed case is not sent out again: nothing was sent"),
                       c->case_no);
    if (c->pending_status)
        return fw_fail(err, FW_ECONFLICT,
                       _("case %s has a verdict awaiting a second reviewer; approve or reject it first: nothing was "
                         "sent"),
                       c->case_no);
    char *in = open_order_of(ws, c->id);
    if (in) {
        fw_fail(err, FW_ECONFLICT, _("case %s is already in order %s; receive or settle that first: nothing was sent"),
                c->case_no, in);
        free(in);
        return err->code;
    }
    return FW_OK;
}

/* Fills the plan inside the dispatch's transaction: each case is read once, checked (a refusal rolls
 * back the cases assigned before it), assigned to the unit, and its facts, new version and MAC
 * taken. The assignment changes no fact, so the case read before it gives the facts. */
static int fill_plan(fw_ws *ws, const unsigned char *key, const long long *ids, fw_case *loaded, size_t n,
                     fw_order_plan *p, fw_err *err)
{
    p->lines = fw_calloc(n ? n : 1, sizeof *p->lines);
    for (size_t i = 0; i < n; i++) {
        fw_case c;
        if (loaded) { /* read by choose_cases in this transaction; taken over (freed below) */
            c = loaded[i];
            memset(&loaded[i], 0, sizeof loaded[i]);
        } else if (fw_case_get_id(ws, ids[i], &c, err))
            return err->code;
        int rc = check_sendable(ws, &c, err);
        fw_order_line *line = &p->lines[p->nlines++];
        line->prior_assignee = c.assignee ? fw_strdup(c.assignee) : NULL;
        line->prior_received_at = c.received_at ? fw_strdup(c.received_at) : NULL;
        line->prior_due = c.due_date ? fw_strdup(c.due_date) : NULL;
        if (!rc)
            rc = fw_case_assign_loaded_in(ws, &c, p->unit, p->due, err);
        line->case_id = c.id;
        line->version = rc ? 0 : c.version + 1; /* the assignment's update bumped the version it read */
        if (!rc)
            rc = read_facts(ws, p, &c, (long long)(i + 1), line, err);
        fw_case_free(&c);
        if (rc)
            return rc;
        row_mac(key, p->workspace_id, p->order_no, line->case_id, line->version, line->facts, line->mac);
    }
    const char **macs = fw_malloc((n ? n : 1) * sizeof *macs);
    for (size_t i = 0; i < n; i++)
        macs[i] = p->lines[i].mac;
    manifest_mac(key, p->workspace_id, p->order_no, p->unit, p->window_from, p->due, (long long)n, macs,
                 p->manifest_mac);
    free(macs);
    return FW_OK;
}

static int record_order(fw_ws *ws, const fw_order_plan *p, const char *workbook, const char *sha256, fw_err *err);

int fw_order_check_unit(const char *unit, fw_err *err)
{
    if (blank(unit))
        return fw_fail(err, FW_EUSAGE, _("--to names the unit that checks the cases (a township, a bureau)"));
    return FW_OK;
}

int fw_order_check_due(const char *due, fw_err *err)
{
    if (!due || fw_case_parse_date(due, err))
        return due ? err->code : fw_fail(err, FW_EUSAGE, _("--due needs the date the answers are due (YYYY-MM-DD)"));
    char today[11];
    today_local(today);
    if (strcmp(due, today) < 0)
        return fw_fail(err, FW_EUSAGE, _("--due %s is in the past (today is %s)"), due, today);
    return FW_OK;
}

int fw_order_dispatch(fw_ws *ws, const fw_order_request *req, fw_order_writer write, void *ctx, fw_order_plan *p,
                      char **path, char sha256[65], fw_err *err)
{
    memset(p, 0, sizeof *p);
    *path = NULL;
    if (fw_order_check_unit(req->unit, err) || fw_order_check_due(req->due, err))
        return err->code;
    char today[11];
    today_local(today);
    unsigned char key[FW_ORDER_KEY_BYTES];
    if (fw_order_mac_key(ws, true, key, err))
        return err->code;
    char *wsid = fw_ws_setting(ws, FW_WORKSPACE_ID_KEY);
    snprintf(p->workspace_id, sizeof p->workspace_id, "%s", wsid ? wsid : "");
    free(wsid);
    p->unit = fw_strdup(req->unit);
    p->due = fw_strdup(req->due);
    p->window_from = fw_strdup(today);
    p->selection = fw_strdup(req->selection ? req->selection : "全部");
    long long *ids = NULL;
    size_t n = 0;
    /* One transaction: the choice, the assignments, the order and its trail record, or none of them;
     * the workbook is written inside it and removed when the transaction does not commit. The choice
     * is inside it too: its thousands of reads then share one read lock (outside, SQLite took and
     * dropped its file lock and checked its cache for each). */
    int rc = fw_ws_begin(ws, err);
    if (rc)
        goto done;
    fw_case *loaded = NULL;
    if ((rc = choose_cases(ws, req, p, &ids, &n, &loaded, err))) {
        fw_ws_rollback(ws);
        goto done;
    }
    next_order_no(ws, p->order_no);
    rc = fill_plan(ws, key, ids, loaded, n, p, err);
    for (size_t i = 0; loaded && i < n; i++) /* the cases fill_plan did not reach (it failed) */
        fw_case_free(&loaded[i]);
    free(loaded);
    if (!rc)
        rc = write(p, ctx, path, sha256, err);
    bool written = !rc;
    if (!rc)
        rc = record_order(ws, p, *path, sha256, err);
    if (!rc)
        rc = fw_ws_commit(ws, err);
    if (rc) {
        fw_ws_rollback(ws);
        if (written)
            unlink(*path);
        free(*path);
        *path = NULL;
    }
done:
    free(ids);
    if (rc)
        fw_order_plan_free(p);
    return rc;
}

void fw_order_plan_free(fw_order_plan *p)
{
    for (size_t i = 0; i < p->nlines; i++) {
        facts_free(p->lines[i].facts);
        free(p->lines[i].prior_assignee);
        free(p->lines[i].prior_received_at);
        free(p->lines[i].prior_due);
    }
    free(p->lines);
    for (size_t i = 0; i < p->nrules; i++) {
        free(p->rules[i].rule_id);
        free(p->rules[i].name);
        free(p->rules[i].basis);
    }
    free(p->rules);
    free(p->unit);
    free(p->due);
    free(p->window_from);
    free(p->selection);
    free(p->sample_method);
    free(p->sample_seed);
    memset(p, 0, sizeof *p);
}

static int step_done(fw_stmt *st, fw_err *err)
{
    int rc = fw_stmt_step(st, err) < 0 ? err->code : FW_OK;
    fw_stmt_reset(st);
    return rc;
}

/* The order, its rows and its trail record, inside the dispatch's transaction. */
static int record_order(fw_ws *ws, const fw_order_plan *p, const char *workbook, const char *sha256, fw_err *err)
{
    char at[32];
    fw_now_iso(at);
    fw_stmt *st = NULL;
    int rc = fw_db_prepare(ws->store,
                           "INSERT INTO orders(order_no, unit, window_from, due_date, selection, sample_method, "
                           "sample_seed, sample_size, workbook_file, workbook_sha256, rows, created_by, created_at) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           &st, err);
    if (!rc) {
        fw_stmt_bind_text(st, 1, p->order_no, -1);
        fw_stmt_bind_text(st, 2, p->unit, -1);
        fw_stmt_bind_text(st, 3, p->window_from, -1);
        fw_stmt_bind_text(st, 4, p->due, -1);
        fw_stmt_bind_text(st, 5, p->selection, -1);
        fw_stmt_bind_text(st, 6, p->sample_method, -1);
        fw_stmt_bind_text(st, 7, p->sample_seed, -1);
        if (p->sample_method)
            fw_stmt_bind_int64(st, 8, p->sample_size);
        else
            fw_stmt_bind_null(st, 8);
        fw_stmt_bind_text(st, 9, workbook, -1);
        fw_stmt_bind_text(st, 10, sha256, -1);
        fw_stmt_bind_int64(st, 11, (long long)p->nlines);
        fw_stmt_bind_text(st, 12, fw_user(), -1);
        fw_stmt_bind_text(st, 13, at, -1);
        rc = step_done(st, err);
    }
    fw_stmt_finalize(st);
    st = NULL;
    long long order_id = 0;
    if (!rc) {
        char *q = fw_printf("SELECT id FROM orders WHERE order_no = '%s'", p->order_no);
        rc = fw_db_query_int(ws->store, q, &order_id, err);
        free(q);
    }
    if (!rc)
        rc = fw_db_prepare(ws->store,
                           "INSERT INTO order_rows(order_id, row_no, case_id, case_version, facts, mac, updated_at, "
                           "prior_kept, prior_assignee, prior_received_at, prior_due) VALUES (?,?,?,?,?,?,?,1,?,?,?)",
                           &st, err);
    for (size_t i = 0; !rc && i < p->nlines; i++) {
        const fw_order_line *l = &p->lines[i];
        char *facts = facts_pack(l->facts);
        fw_stmt_bind_int64(st, 1, order_id);
        fw_stmt_bind_int64(st, 2, (long long)(i + 1));
        fw_stmt_bind_int64(st, 3, l->case_id);
        fw_stmt_bind_int64(st, 4, l->version);
        fw_stmt_bind_text(st, 5, facts, -1);
        fw_stmt_bind_text(st, 6, l->mac, -1);
        fw_stmt_bind_text(st, 7, at, -1);
        fw_stmt_bind_text(st, 8, l->prior_assignee, -1);
        fw_stmt_bind_text(st, 9, l->prior_received_at, -1);
        fw_stmt_bind_text(st, 10, l->prior_due, -1);
        rc = step_done(st, err);
        free(facts);
    }
    fw_stmt_finalize(st);
    if (!rc) {
        fw_buf after = {0};
        fw_buf_putc(&after, '{');
        fw_json_field_str(&after, "order", p->order_no);
        fw_json_field_str(&after, "unit", p->unit);
        fw_json_field_str(&after, "due", p->due);
        fw_json_field_int(&after, "rows", (long long)p->nlines);
        fw_json_field_str(&after, "selection", p->selection);
        if (p->sample_method) {
            fw_json_field_str(&after, "sample", p->sample_method);
            fw_json_field_str(&after, "seed", p->sample_seed);
            fw_json_field_int(&after, "size", p->sample_size);
        }
        fw_json_field_str(&after, "file", workbook);
        fw_json_field_str(&after, "sha256", sha256);
        fw_buf_putc(&after, '}');
        char object[48];
        snprintf(object, sizeof object, "order:%lld", order_id);
        rc = fw_trail_append(ws, "order.dispatch", object, NULL, after.data, err);
        fw_buf_free(&after);
    }
    return rc;
}

int fw_order_file_sha256(const char *path, char out[65], fw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fw_fail(err, FW_EFAIL, _("%s: cannot read: %s"), path, strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return fw_fail(err, FW_EFAIL, _("%s: cannot read"), path);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return FW_OK;
}

/* --- reading a returned workbook ------------------------------------------------------------------ */

/* One cell as the sheet holds it. */
typedef struct cell {
    bool present, formula;
    char type[12];  /* the t attribute: "" (number), s, str, inlineStr, b, e, d */
    fw_buf raw;     /* <v> or the inline string's text */
} cell;

/* The reading of one XML part: the text of the elements the handlers ask for. */
typedef struct reader {
    /* shared strings */
    char **sst;
    size_t nsst, capsst;
    int depth_si, in_rph, in_t;
    fw_buf text;
    /* workbook.xml and its rels */
    char *sheet_rid[2];              /* rows sheet, manifest */
    char **sheet_names;
    size_t nsheets;
    char *sheet_target[2];
    /* a sheet */
    long long row;
    cell cells[FW_ORDER_NCOLS];
    int cur_col, in_v, in_is, in_f;
    bool overflow;                   /* a value right of the order's columns */
    void (*on_row)(void *ctx, long long row, cell *cells);
    void *row_ctx;
    /* the manifest: key/value in columns A and B */
    char *manifest[16][2];
    int nmanifest;
} reader;

static const char *attr(const char **attrs, const char *name)
{
    for (int i = 0; attrs && attrs[i]; i += 2)
        if (strcmp(fw_xml_local(attrs[i]), name) == 0)
            return attrs[i + 1];
    return NULL;
}

static void sst_start(void *ctx, const char *el, const char **attrs)
{
    (void)attrs;
    reader *r = ctx;
    const char *n = fw_xml_local(el);
    if (strcmp(n, "si") == 0) {
        r->depth_si = 1;
        fw_buf_reset(&r->text);
        fw_buf_puts(&r->text, "");
    } else if (strcmp(n, "rPh") == 0)
        r->in_rph = 1;
    else if (strcmp(n, "t") == 0 && r->depth_si && !r->in_rph)
        r->in_t = 1;
}

static void sst_end(void *ctx, const char *el)
{
    reader *r = ctx;
    const char *n = fw_xml_local(el);
    if (strcmp(n, "si") == 0) {
        if (r->nsst == r->capsst)
            r->sst = fw_realloc(r->sst, (r->capsst = r->capsst ? 2 * r->capsst : 256) * sizeof *r->sst);
        r->sst[r->nsst++] = fw_strdup(r->text.data ? r->text.data : "");
        r->depth_si = 0;
    } else if (strcmp(n, "rPh") == 0)
        r->in_rph = 0;
    else if (strcmp(n, "t") == 0)
        r->in_t = 0;
}

static void any_text(void *ctx, const char *s, int len)
{
    reader *r = ctx;
    if (r->in_t)
        fw_buf_add(&r->text, s, (size_t)len);
}

static void wb_start(void *ctx, const char *el, const char **attrs)
{
    reader *r = ctx;
    if (strcmp(fw_xml_local(el), "sheet") != 0)
        return;
    const char *name = attr(attrs, "name"), *rid = attr(attrs, "id");
    if (!name || !rid)
        return;
    r->sheet_names = fw_realloc(r->sheet_names, (r->nsheets + 1) * sizeof *r->sheet_names);
    r->sheet_names[r->nsheets++] = fw_strdup(name);
    if (strcmp(name, FW_ORDER_SHEET_ROWS) == 0)
        r->sheet_rid[0] = fw_strdup(rid);
    else if (strcmp(name, FW_ORDER_SHEET_MANIFEST) == 0)
        r->sheet_rid[1] = fw_strdup(rid);
}

static void rels_start(void *ctx, const char *el, const char **attrs)
{
    reader *r = ctx;
    if (strcmp(fw_xml_local(el), "Relationship") != 0)
        return;
    const char *id = attr(attrs, "Id"), *target = attr(attrs, "Target");
    for (int i = 0; id && target && i < 2; i++)
        if (r->sheet_rid[i] && strcmp(r->sheet_rid[i], id) == 0)
            r->sheet_target[i] = target[0] == '/' ? fw_strdup(target + 1) : fw_printf("xl/%s", target);
}

/* "L5" -> column 11 (0-based); -1 when not a reference. */
static int ref_col(const char *ref)
{
    int c = 0, n = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++)
        c = c * 26 + (*ref - 'A' + 1);
    return n ? c - 1 : -1;
}

static void col_letters(int col, char out[8])
{
    char tmp[8];
    int n = 0;
    for (col++; col > 0 && n < 7; col = (col - 1) / 26)
        tmp[n++] = (char)('A' + (col - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static void clear_cells(reader *r)
{
    for (int i = 0; i < FW_ORDER_NCOLS; i++) {
        r->cells[i].present = r->cells[i].formula = false;
        r->cells[i].type[0] = '\0';
        fw_buf_reset(&r->cells[i].raw);
    }
    r->overflow = false;
}

static void sheet_start(void *ctx, const char *el, const char **attrs)
{
    reader *r = ctx;
    const char *n = fw_xml_local(el);
    if (strcmp(n, "row") == 0) {
        const char *rn = attr(attrs, "r");
        r->row = rn ? atoll(rn) : r->row + 1;
        r->cur_col = -1;
        clear_cells(r);
    } else if (strcmp(n, "c") == 0) {
        const char *ref = attr(attrs, "r"), *t = attr(attrs, "t");
        r->cur_col = ref ? ref_col(ref) : r->cur_col + 1;
        if (r->cur_col >= 0 && r->cur_col < FW_ORDER_NCOLS) {
            cell *c = &r->cells[r->cur_col];
            c->present = true;
            snprintf(c->type, sizeof c->type, "%s", t ? t : "");
        }
    } else if (strcmp(n, "v") == 0)
        r->in_v = 1;
    else if (strcmp(n, "f") == 0) {
        if (r->cur_col >= 0 && r->cur_col < FW_ORDER_NCOLS)
            r->cells[r->cur_col].formula = true;
    } else if (strcmp(n, "is") == 0)
        r->in_is = 1;
    else if (strcmp(n, "rPh") == 0)
        r->in_rph = 1;
    else if (strcmp(n, "t") == 0 && r->in_is && !r->in_rph)
        r->in_t = 1;
}

static void sheet_text(void *ctx, const char *s, int len)
{
    reader *r = ctx;
    if ((r->in_v || r->in_t) && r->cur_col >= 0) {
        if (r->cur_col < FW_ORDER_NCOLS)
            fw_buf_add(&r->cells[r->cur_col].raw, s, (size_t)len);
        else
            r->overflow = true;
    }
}

static void sheet_end(void *ctx, const char *el)
{
    reader *r = ctx;
    const char *n = fw_xml_local(el);
    if (strcmp(n, "v") == 0)
        r->in_v = 0;
    else if (strcmp(n, "is") == 0)
        r->in_is = 0;
    else if (strcmp(n, "rPh") == 0)
        r->in_rph = 0;
    else if (strcmp(n, "t") == 0)
        r->in_t = 0;
    else if (strcmp(n, "row") == 0 && r->on_row)
        r->on_row(r->row_ctx, r->row, r->cells);
}

/* A cell's value as text (a shared string looked up), or NULL when empty. */
static const char *cell_text(const reader *r, const cell *c)
{
    if (!c->present || !c->raw.data)
        return NULL;
    if (strcmp(c->type, "s") == 0) {
        long i = atol(c->raw.data);
        return i >= 0 && (size_t)i < r->nsst ? r->sst[i] : NULL;
    }
    return c->raw.data;
}

static bool cell_is_text(const cell *c)
{
    return strcmp(c->type, "s") == 0 || strcmp(c->type, "inlineStr") == 0 || strcmp(c->type, "str") == 0;
}

static bool cell_is_number(const cell *c)
{
    return c->type[0] == '\0' || strcmp(c->type, "n") == 0;
}

static void manifest_row(void *ctx, long long row, cell *cells)
{
    (void)row;
    reader *r = ctx;
    if (r->nmanifest >= 16)
        return;
    const char *k = cell_text(r, &cells[0]), *v = cell_text(r, &cells[1]);
    if (k) {
        r->manifest[r->nmanifest][0] = fw_strdup(k);
        r->manifest[r->nmanifest][1] = fw_strdup(v ? v : "");
        r->nmanifest++;
    }
}

static const char *manifest_get(const reader *r, const char *key)
{
    for (int i = 0; i < r->nmanifest; i++)
        if (strcmp(r->manifest[i][0], key) == 0)
            return r->manifest[i][1];
    return NULL;
}

static void reader_free(reader *r)
{
    for (size_t i = 0; i < r->nsst; i++)
        free(r->sst[i]);
    free(r->sst);
    for (size_t i = 0; i < r->nsheets; i++)
        free(r->sheet_names[i]);
    free(r->sheet_names);
    for (int i = 0; i < 2; i++) {
        free(r->sheet_rid[i]);
        free(r->sheet_target[i]);
    }
    for (int i = 0; i < r->nmanifest; i++) {
        free(r->manifest[i][0]);
        free(r->manifest[i][1]);
    }
    for (int i = 0; i < FW_ORDER_NCOLS; i++)
        fw_buf_free(&r->cells[i].raw);
    fw_buf_free(&r->text);
}

static int parse_part(fw_xlsxr *x, const char *name, const fw_xml_handlers *h, reader *r, bool required,
                      const char *file, fw_err *err)
{
    int i = fw_xlsxr_find(x, name);
    if (i < 0)
        return required ? fw_fail(err, FW_EDATA, _("%s: not a workbook of a verification order: it has no %s"),
                                  file, name)
                        : FW_OK;
    return fw_xlsxr_parse(x, i, h, r, err);
}

/* Opens the workbook and reads what is needed before the rows: shared strings, which part holds
 * which sheet, and the manifest. */
static int read_structure(fw_xlsxr *x, reader *r, const char *file, fw_err *err)
{
    fw_xml_handlers sst = {sst_start, sst_end, any_text}, wb = {wb_start, NULL, NULL},
                    rels = {rels_start, NULL, NULL};
    if (parse_part(x, "xl/sharedStrings.xml", &sst, r, false, file, err) ||
        parse_part(x, "xl/workbook.xml", &wb, r, true, file, err))
        return err->code;
    if (!r->sheet_rid[1])
        return fw_fail(err, FW_EDATA,
                       _("%s: not a workbook of a verification order: it has no sheet %s (it was deleted, or the "
                         "file is not the one fundwatch sent)"),
                       file, FW_ORDER_SHEET_MANIFEST);
    if (!r->sheet_rid[0]) {
        fw_buf names = {0};
        for (size_t i = 0; i < r->nsheets; i++)
            fw_buf_printf(&names, "%s%s", i ? ", " : "", r->sheet_names[i]);
        fw_fail(err, FW_EDATA,
                _("%s: the sheet %s is missing (the sheets are: %s); it was renamed or deleted: name it %s again "
                  "and receive the file again"),
                file, FW_ORDER_SHEET_ROWS, names.data ? names.data : "", FW_ORDER_SHEET_ROWS);
        fw_buf_free(&names);
        return err->code;
    }
    if (parse_part(x, "xl/_rels/workbook.xml.rels", &rels, r, true, file, err))
        return err->code;
    for (int i = 0; i < 2; i++)
        if (!r->sheet_target[i])
            return fw_fail(err, FW_EDATA, _("%s: the workbook does not say where its sheet %s is"), file,
                           i ? FW_ORDER_SHEET_MANIFEST : FW_ORDER_SHEET_ROWS);
    fw_xml_handlers sheet = {sheet_start, sheet_end, sheet_text};
    r->on_row = manifest_row;
    r->row_ctx = r;
    return parse_part(x, r->sheet_target[1], &sheet, r, true, file, err);
}

/* --- receipt --------------------------------------------------------------------------------------- */

typedef struct stored_row {
    long long id, row_no, case_id, case_version;
    char *facts[FW_OF_N];
    char mac[65];
    char state[16];
    bool seen;
    /* what this receipt makes of it */
    bool update;
    char new_state[16];
    char *answer[FW_OA_N]; /* conclusion/method/measures as codes; dates ISO; amounts as fen text */
    fw_buf problems;
} stored_row;

typedef struct receipt_ctx {
    fw_ws *ws;
    reader *rd;
    fw_order_receipt *out;
    const unsigned char *key;
    const char *ws_id, *order_no, *window_from, *due;
    stored_row *rows;
    size_t nrows;
    stored_row **by_mac; /* rows sorted by MAC, to find a row whose 序号 was changed */
    bool header_ok;
    int fatal;       /* a problem that refuses the whole file */
    fw_err *err;
} receipt_ctx;

/* A problem is stored on its row language-neutral: PROBLEM_MARK, the message's id (its English
 * format, as in po/) and each argument already formatted, after ARG_SEP; fw_order_problems_text
 * translates the id when the row is shown, so a problem recorded by an English receipt reads in
 * Chinese to a Chinese user and the other way round. Problems stored before (plain text) and the
 * reasons an accept gives (an fw_err message) are shown as they are. */
#define PROBLEM_MARK '\x1e'
#define ARG_SEP '\x1f'

static void put_arg(fw_buf *b, const char *arg)
{
    fw_buf_putc(b, ARG_SEP);
    for (const char *p = arg ? arg : ""; *p; p++) /* one problem a line, its parts apart */
        fw_buf_putc(b, *p == '\n' || *p == PROBLEM_MARK || *p == ARG_SEP ? ' ' : *p);
}

/* The id and its arguments, each formatted by its own conversion (%s, %d, %lld, %02lld, %zu). */
static void problem_encode(fw_buf *b, const char *fmt, va_list ap)
{
    fw_buf_putc(b, PROBLEM_MARK);
    fw_buf_puts(b, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || *++p == '%')
            continue;
        char spec[16] = "%", text[64];
        size_t n = 1;
        while (*p && strchr("0123456789.-+ #", *p) && n < 8)
            spec[n++] = *p++;
        int ls = 0;
        bool z = false;
        while (*p == 'l' || *p == 'z') {
            ls += *p == 'l';
            z |= *p == 'z';
            spec[n++] = *p++;
        }
        spec[n++] = *p;
        spec[n] = '\0';
        switch (*p) {
        case 's': put_arg(b, va_arg(ap, const char *)); continue;
        case 'd': case 'i': case 'u':
            if (z)
                snprintf(text, sizeof text, spec, va_arg(ap, size_t));
            else if (ls >= 2)
                snprintf(text, sizeof text, spec, va_arg(ap, long long));
            else if (ls == 1)
                snprintf(text, sizeof text, spec, va_arg(ap, long));
            else
                snprintf(text, sizeof text, spec, va_arg(ap, int));
            put_arg(b, text);
            continue;
        default: return; /* no other conversion is used in a problem */
        }
    }
}

/* One stored problem in the reader's language: its id translated, the arguments put in (also by
 * position, %2$s, as a translation may reorder them). */
static void problem_render(fw_buf *out, const char *id_and_args)
{
    char *copy = fw_strdup(id_and_args);
    const char *args[16];
    int nargs = 0;
    char *sep = strchr(copy, ARG_SEP);
    while (sep && nargs < 16) {
        *sep = '\0';
        args[nargs++] = sep + 1;
        sep = strchr(sep + 1, ARG_SEP);
    }
    const char *f = gettext(copy);
    int next = 0;
    for (const char *p = f; *p; p++) {
        if (*p != '%') {
            fw_buf_putc(out, *p);
            continue;
        }
        if (*++p == '%') {
            fw_buf_putc(out, '%');
            continue;
        }
        int k = -1;
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            q++;
        if (*q == '$' && q > p) {
            k = atoi(p) - 1;
            p = q + 1;
        }
        while (*p && strchr("0123456789.-+ #lzh", *p))
            p++;
        if (!*p)
            break;
        if (k < 0)
            k = next++;
        if (k < nargs)
            fw_buf_puts(out, args[k]);
    }
    free(copy);
}

char *fw_order_problems_text(const char *stored)
{
    fw_buf out = {0};
    fw_buf_puts(&out, "");
    const char *line = stored ? stored : "";
    while (*line) {
        size_t len = strcspn(line, "\n");
        char *one = fw_printf("%.*s", (int)len, line);
        char *mark = strchr(one, PROBLEM_MARK);
        if (out.len)
            fw_buf_putc(&out, '\n');
        if (mark) {
            *mark = '\0';
            fw_buf_puts(&out, one); /* the cell: "C3: " */
            problem_render(&out, mark + 1);
        } else
            fw_buf_puts(&out, one);
        free(one);
        line += len;
        if (*line == '\n')
            line++;
    }
    return fw_buf_steal(&out);
}

static void problem(fw_buf *b, fw_order_receipt *out, long long row, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void problem(fw_buf *b, fw_order_receipt *out, long long row, int col, const char *fmt, ...)
{
    char letters[8];
    col_letters(col, letters);
    char msg[1024];
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    vsnprintf(msg, sizeof msg, _(fmt), ap); /* the receipt's report: the receiver's language */
    va_end(ap);
    fw_buf_printf(&out->report, "%s!%s%lld: %s\n", FW_ORDER_SHEET_ROWS, letters, row, msg);
    if (b) { /* kept on the row language-neutral, shown in the reader's language (fw_order_problems_text) */
        if (b->len)
            fw_buf_putc(b, '\n');
        fw_buf_printf(b, "%s%lld: ", letters, row);
        problem_encode(b, fmt, again);
    }
    va_end(again);
}

/* A number cell as integer fen; false when it is not a number with at most two decimals. */
static bool number_fen(const char *s, long long *fen)
{
    if (!s || !*s)
        return false;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return false;
    double cents = v * 100.0;
    long long r = llround(cents);
    if (fabs(cents - (double)r) > 1e-6)
        return false;
    *fen = r;
    return true;
}

/* An Excel date serial (days since 1899-12-30) as YYYY-MM-DD; false when not a plain day. */
static bool serial_date(const char *s, char out[16])
{
    char *end;
    double v = strtod(s, &end);
    if (*end || v < 1 || v > 2958465 || v != floor(v))
        return false;
    long long z = (long long)v - 25569 + 719468; /* days since 1970-01-01, shifted to 0000-03-01 */
    long long era = z / 146097, doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, 16, "%04d-%02d-%02d", (int)(y + (m <= 2)) % 10000, (int)m % 100, (int)d % 100);
    return true;
}

/* The fact as the cell holds it, in the form the MAC covers (amount in fen, numbers as integers). */
static char *fact_of_cell(const reader *rd, int f, const cell *c)
{
    const char *t = cell_text(rd, c);
    if (!t)
        return fw_strdup("");
    if (cell_is_number(c)) {
        long long fen;
        if (f == FW_OF_AMOUNT && number_fen(t, &fen))
            return fw_printf("%lld", fen);
        if (f == FW_OF_ROW_NO && number_fen(t, &fen) && fen % 100 == 0)
            return fw_printf("%lld", fen / 100);
    }
    return fw_strdup(t);
}

/* A fact as a person reads it in a message: the amount in yuan, the rest as written. */
static char *shown_fact(int f, const char *v)
{
    char *end;
    long long fen = v ? strtoll(v, &end, 10) : 0;
    if (f == FW_OF_AMOUNT && v && *v && !*end)
        return fw_printf("%s%lld.%02lld", fen < 0 ? "-" : "", llabs(fen) / 100, llabs(fen) % 100);
    return fw_strdup(v ? v : "");
}

static int mac_order(const void *a, const void *b)
{
    return strcmp((*(stored_row *const *)a)->mac, (*(stored_row *const *)b)->mac);
}

static stored_row *row_by_mac(receipt_ctx *x, const char *mac)
{
    if (!mac || strlen(mac) != 64)
        return NULL;
    stored_row key, *k = &key;
    snprintf(key.mac, sizeof key.mac, "%s", mac);
    stored_row **hit = bsearch(&k, x->by_mac, x->nrows, sizeof *x->by_mac, mac_order);
    return hit ? *hit : NULL;
}

static stored_row *row_by_no(receipt_ctx *x, long long no)
{
    return no >= 1 && (size_t)no <= x->nrows && x->rows[no - 1].row_no == no ? &x->rows[no - 1] : NULL;
}

static void check_header(receipt_ctx *x, cell *cells)
{
    for (int c = 0; c < FW_ORDER_NCOLS; c++) {
        const char *t = cell_text(x->rd, &cells[c]);
        if (!t || strcmp(t, fw_order_column_label(c)) != 0) {
            char letters[8];
            col_letters(c, letters);
            fw_fail(x->err, FW_EDATA,
                    _("%s!%s1: the column header is '%s', not '%s': columns were moved, inserted or deleted; "
                      "undo that (or fill in the workbook fundwatch sent) and receive the file again"),
                    FW_ORDER_SHEET_ROWS, letters, t ? t : "", fw_order_column_label(c));
            x->fatal = FW_EDATA;
            return;
        }
    }
    x->header_ok = true;
}

/* Compares the row's facts and keys with what was sent; false (with the changed cells reported) when
 * the row's MAC does not hold. */
static bool row_intact(receipt_ctx *x, stored_row *s, long long row, cell *cells)
{
    char *facts[FW_OF_N];
    for (int f = 0; f < FW_OF_N; f++)
        facts[f] = fact_of_cell(x->rd, f, &cells[f]);
    const char *order_no = cell_text(x->rd, &cells[FW_ORDER_COL_KEY(FW_OKEY_ORDER_NO)]);
    const char *cid = cell_text(x->rd, &cells[FW_ORDER_COL_KEY(FW_OKEY_CASE_ID)]);
    const char *ver = cell_text(x->rd, &cells[FW_ORDER_COL_KEY(FW_OKEY_VERSION)]);
    const char *mac = cell_text(x->rd, &cells[FW_ORDER_COL_KEY(FW_OKEY_MAC)]);
    char computed[65];
    row_mac(x->key, x->ws_id, order_no ? order_no : "", cid ? atoll(cid) : 0, ver ? atoll(ver) : 0, facts, computed);
    bool ok = strcmp(computed, s->mac) == 0 && mac && strcmp(mac, s->mac) == 0;
    if (!ok) {
        fw_buf_reset(&s->problems);
        for (int f = 0; f < FW_OF_N; f++)
            if (strcmp(facts[f], s->facts[f] ? s->facts[f] : "") != 0) {
                char *sent = shown_fact(f, s->facts[f]), *got = shown_fact(f, facts[f]);
                problem(&s->problems, x->out, row, f,
                        N_("%s was changed (sent '%s', returned '%s'); the row is not taken: put the value sent "
                          "back, or write the correction in 说明"),
                        fw_order_column_label(f), sent, got);
                free(sent);
                free(got);
            }
        if (!s->problems.len)
            problem(&s->problems, x->out, row, FW_ORDER_COL_KEY(FW_OKEY_ORDER_NO),
                    N_("the hidden order keys or check code of this row were changed; the row is not taken: "
                      "fill in the workbook fundwatch sent"));
    }
    facts_free(facts);
    return ok;
}

static const char *answer_text(receipt_ctx *x, cell *cells, int a)
{
    const char *t = cell_text(x->rd, &cells[FW_ORDER_COL_ANSWER(a)]);
    return blank(t) ? NULL : t;
}

/* An answer that is none of its list's words (typed over, or pasted past the validation): the
 * words are the list the cell offers, so the message cannot drift from the workbook. */
static void not_a_choice(stored_row *s, receipt_ctx *x, long long row, int a, const char *typed,
                         const char *const *choices)
{
    fw_buf list = {0};
    fw_buf_puts(&list, "");
    for (const char *const *c = choices; *c; c++)
        fw_buf_printf(&list, "%s%s", c == choices ? "" : fw_i18n_chinese() ? "、" : ", ", *c);
    problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(a), N_("%s is '%s', not one of %s; pick one from the list"),
            fw_order_column_label(FW_ORDER_COL_ANSWER(a)), typed, list.data);
    fw_buf_free(&list);
}

/* An amount answer: a number, not text with 元, not a formula. */
static void read_amount(receipt_ctx *x, stored_row *s, long long row, cell *cells, int a)
{
    cell *c = &cells[FW_ORDER_COL_ANSWER(a)];
    const char *t = answer_text(x, cells, a);
    int col = FW_ORDER_COL_ANSWER(a);
    if (c->formula) {
        problem(&s->problems, x->out, row, col, N_("%s is a formula; type the amount itself (a number in yuan)"),
                fw_order_column_label(col));
        return;
    }
    if (!t)
        return;
    long long fen;
    if (cell_is_number(c) && number_fen(t, &fen) && fen >= 0) {
        s->answer[a] = fw_printf("%lld", fen);
        return;
    }
    if (strstr(t, "元") || strstr(t, "¥") || strstr(t, "￥"))
        problem(&s->problems, x->out, row, col,
                N_("%s is '%s', text with a currency sign; type the number only (e.g. 3240.50), without 元"),
                fw_order_column_label(col), t);
    else
        problem(&s->problems, x->out, row, col,
                N_("%s is '%s', not an amount; type a number in yuan, at most two decimals, not negative"),
                fw_order_column_label(col), t);
}

static void read_answers(receipt_ctx *x, stored_row *s, long long row, cell *cells)
{
    for (int a = 0; a < FW_OA_N; a++) {
        free(s->answer[a]);
        s->answer[a] = NULL;
        if (cells[FW_ORDER_COL_ANSWER(a)].formula && a != FW_OA_TO_RECOVER && a != FW_OA_RECOVERED)
            problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(a), N_("%s is a formula; type the answer itself"),
                    fw_order_column_label(FW_ORDER_COL_ANSWER(a)));
    }
    const char *t;
    if ((t = answer_text(x, cells, FW_OA_CONCLUSION))) {
        const char *code = fw_label_code(fw_order_conclusions, t);
        if (code)
            s->answer[FW_OA_CONCLUSION] = fw_strdup(code);
        else
            not_a_choice(s, x, row, FW_OA_CONCLUSION, t, fw_order_conclusion_choices);
    }
    if ((t = answer_text(x, cells, FW_OA_METHOD))) {
        const char *code = fw_label_code(fw_verify_methods, t);
        if (code)
            s->answer[FW_OA_METHOD] = fw_strdup(code);
        else
            not_a_choice(s, x, row, FW_OA_METHOD, t, fw_order_method_choices);
    }
    if ((t = answer_text(x, cells, FW_OA_VERIFIER)))
        s->answer[FW_OA_VERIFIER] = fw_strdup(t);
    cell *d = &cells[FW_ORDER_COL_ANSWER(FW_OA_VERIFIED_AT)];
    if ((t = answer_text(x, cells, FW_OA_VERIFIED_AT))) {
        char iso[16];
        int col = FW_ORDER_COL_ANSWER(FW_OA_VERIFIED_AT);
        if (cell_is_text(d))
            problem(&s->problems, x->out, row, col,
                    N_("核查日期 '%s' was typed as text; enter it as a date (e.g. %s) so the cell shows a date"), t,
                    x->window_from);
        else if (!(cell_is_number(d) ? serial_date(t, iso) : strcmp(d->type, "d") == 0 && strlen(t) >= 10 &&
                                                                  snprintf(iso, sizeof iso, "%.10s", t) > 0))
            problem(&s->problems, x->out, row, col, N_("核查日期 is not a date; enter the day of the check"));
        else if (strcmp(iso, x->window_from) < 0 || strcmp(iso, x->due) > 0)
            problem(&s->problems, x->out, row, col,
                    N_("核查日期 %s is outside the order's window %s to %s; enter the day the check was made"), iso,
                    x->window_from, x->due);
        else
            s->answer[FW_OA_VERIFIED_AT] = fw_strdup(iso);
    }
    read_amount(x, s, row, cells, FW_OA_TO_RECOVER);
    read_amount(x, s, row, cells, FW_OA_RECOVERED);
    if ((t = answer_text(x, cells, FW_OA_MEASURES)) && strcmp(t, "无") != 0) {
        fw_err e = {0};
        char *codes = fw_label_parse_list(fw_measures, "measure", t, &e);
        if (codes)
            s->answer[FW_OA_MEASURES] = codes;
        else
            problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(FW_OA_MEASURES),
                    N_("整改措施 '%s' is not in the list; pick one from the list"), t);
    }
    if ((t = answer_text(x, cells, FW_OA_NOTE)))
        s->answer[FW_OA_NOTE] = fw_strdup(t);
}

static bool answers_empty(receipt_ctx *x, cell *cells)
{
    for (int a = 0; a < FW_OA_N; a++)
        if (answer_text(x, cells, a) || cells[FW_ORDER_COL_ANSWER(a)].formula)
            return false;
    return true;
}

/* What must hold together: the fields a conclusion needs, amounts that add up. */
static void check_answer_whole(receipt_ctx *x, stored_row *s, long long row)
{
    if (s->problems.len)
        return;
    static const int needed[] = {FW_OA_CONCLUSION, FW_OA_METHOD, FW_OA_VERIFIER, FW_OA_VERIFIED_AT};
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++)
        if (!s->answer[needed[i]])
            problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(needed[i]),
                    N_("%s is empty; a row that is answered needs 核查结论, 核查方式, 核查人 and 核查日期"),
                    fw_order_column_label(FW_ORDER_COL_ANSWER(needed[i])));
    const char *concl = s->answer[FW_OA_CONCLUSION];
    if (concl && strcmp(concl, "dismissed") == 0 && !s->answer[FW_OA_NOTE])
        problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(FW_OA_NOTE),
                N_("说明 is empty; 不属实 needs the reason written in 说明"));
    bool verdict_true = concl && (strcmp(concl, "confirmed") == 0 || strcmp(concl, "partly_confirmed") == 0);
    if (concl && !verdict_true &&
        (s->answer[FW_OA_MEASURES] || s->answer[FW_OA_TO_RECOVER] || s->answer[FW_OA_RECOVERED]))
        problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(FW_OA_MEASURES),
                N_("整改措施 and amounts apply only to 属实 or 部分属实; clear them or change 核查结论"));
    long long to = s->answer[FW_OA_TO_RECOVER] ? atoll(s->answer[FW_OA_TO_RECOVER]) : -1;
    long long rec = s->answer[FW_OA_RECOVERED] ? atoll(s->answer[FW_OA_RECOVERED]) : -1;
    long long at_issue = atoll(s->facts[FW_OF_AMOUNT] ? s->facts[FW_OF_AMOUNT] : "0");
    if (rec >= 0 && to >= 0 && rec > to)
        problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(FW_OA_RECOVERED),
                N_("已追缴金额 %lld.%02lld is more than 应追缴金额 %lld.%02lld; correct one of them"), rec / 100,
                rec % 100, to / 100, to % 100);
    else if (rec >= 0 && at_issue > 0 && rec > at_issue)
        problem(&s->problems, x->out, row, FW_ORDER_COL_ANSWER(FW_OA_RECOVERED),
                N_("已追缴金额 %lld.%02lld is more than the amount at issue %lld.%02lld; correct it or explain in 说明 "
                  "and ask the inspector"),
                rec / 100, rec % 100, at_issue / 100, at_issue % 100);
}

/* The case's version now (0 when it cannot be read), asked once per returned row: prepared once. */
static long long case_version_now(fw_ws *ws, long long case_id)
{
    static const fw_sql q = {.name = "orders.case_version", .sql = "SELECT version FROM cases WHERE id = ?"};
    fw_stmt *st;
    fw_err ignored = {0};
    long long v = 0;
    if (fw_db_cached(ws->store, &q, &st, &ignored))
        return 0;
    fw_stmt_bind_int64(st, 1, case_id);
    if (fw_stmt_step(st, &ignored) == 1)
        v = fw_stmt_int64(st, 0);
    fw_stmt_reset(st);
    return v;
}

static void on_data_row(void *ctx, long long row, cell *cells)
{
    receipt_ctx *x = ctx;
    if (x->fatal)
        return;
    if (row == 1) {
        check_header(x, cells);
        return;
    }
    if (!x->header_ok) {
        fw_fail(x->err, FW_EDATA, _("%s!A1: the header row is missing; fill in the workbook fundwatch sent"),
                FW_ORDER_SHEET_ROWS);
        x->fatal = FW_EDATA;
        return;
    }
    bool any = x->rd->overflow;
    for (int c = 0; c < FW_ORDER_NCOLS && !any; c++)
        any = cell_text(x->rd, &cells[c]) != NULL;
    if (!any)
        return;
    const char *no = cell_text(x->rd, &cells[FW_OF_ROW_NO]);
    const char *mac = cell_text(x->rd, &cells[FW_ORDER_COL_KEY(FW_OKEY_MAC)]);
    long long fen;
    /* The row is the one its check code names; failing that, the one its 序号 names (its check code
     * or key was changed, which row_intact reports); neither: a row that was not sent. */
    stored_row *s = row_by_mac(x, mac);
    if (!s && no && number_fen(no, &fen) && fen % 100 == 0)
        s = row_by_no(x, fen / 100);
    if (!s || s->seen) {
        x->out->inserted++;
        problem(NULL, x->out, row, 0,
                s && s->seen ? N_("a copy of row %s was added (inserted); it is not taken: delete it")
                             : _("a row that was not sent was added (inserted)%s; it is not taken: delete it, or "
                                 "report the case to the inspector"),
                s && s->seen ? s->facts[FW_OF_ROW_NO] : "");
        return;
    }
    s->seen = true;
    if (strcmp(s->state, "accepted") == 0) {
        x->out->kept++;
        return;
    }
    s->update = true;
    fw_buf_reset(&s->problems);
    if (!row_intact(x, s, row, cells)) {
        snprintf(s->new_state, sizeof s->new_state, "invalid");
        x->out->invalid++;
        return;
    }
    if (answers_empty(x, cells)) {
        snprintf(s->new_state, sizeof s->new_state, "%s", strcmp(s->state, "sent_back") == 0 ? "sent_back" : "open");
        x->out->open++;
        return;
    }
    read_answers(x, s, row, cells);
    check_answer_whole(x, s, row);
    if (s->problems.len) {
        snprintf(s->new_state, sizeof s->new_state, "invalid");
        x->out->invalid++;
    } else if (case_version_now(x->ws, s->case_id) != s->case_version) {
        problem(&s->problems, x->out, row, FW_OF_CASE_NO,
                N_("case %s was changed in fundwatch after the order was sent; the answer is kept as a conflict: "
                  "compare it with the case (fundwatch case show %s), then accept or send back"),
                s->facts[FW_OF_CASE_NO], s->facts[FW_OF_CASE_NO]);
        snprintf(s->new_state, sizeof s->new_state, "conflict");
        x->out->conflict++;
    } else {
        snprintf(s->new_state, sizeof s->new_state, "answered");
        x->out->answered++;
    }
}

/* The order's id for "HC-2026-0001" or a numeric id; FW_ENOTFOUND otherwise. */
static int order_id_of(fw_ws *ws, const char *ref, long long *id, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store, "SELECT id FROM orders WHERE order_no = ?1 OR CAST(id AS TEXT) = ?1", &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, ref, -1);
    int step = fw_stmt_step(st, err);
    if (step == 1)
        *id = fw_stmt_int64(st, 0);
    fw_stmt_finalize(st);
    if (step < 0)
        return err->code;
    return step == 1 ? FW_OK
                     : fw_fail(err, FW_ENOTFOUND, _("no verification order %s (fundwatch orders list shows them)"), ref);
}

static void stored_rows_free(stored_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        facts_free(rows[i].facts);
        for (int a = 0; a < FW_OA_N; a++)
            free(rows[i].answer[a]);
        fw_buf_free(&rows[i].problems);
    }
    free(rows);
}

static int load_stored_rows(fw_ws *ws, long long order_id, stored_row **out, size_t *nout, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT id, row_no, case_id, case_version, facts, mac, state FROM order_rows "
                      "WHERE order_id = ? ORDER BY row_no",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, order_id);
    stored_row *rows = NULL;
    size_t n = 0, cap = 0;
    int step, rc = FW_OK;
    while ((step = fw_stmt_step(st, err)) == 1) {
        if (n == cap)
            rows = fw_realloc(rows, (cap = cap ? 2 * cap : 64) * sizeof *rows);
        stored_row *s = &rows[n++];
        memset(s, 0, sizeof *s);
        s->id = fw_stmt_int64(st, 0);
        s->row_no = fw_stmt_int64(st, 1);
        s->case_id = fw_stmt_int64(st, 2);
        s->case_version = fw_stmt_int64(st, 3);
        if (!facts_unpack(fw_stmt_text(st, 4), s->facts))
            rc = fw_fail(err, FW_EWORKSPACE, _("order row %lld: its stored facts are unreadable"), s->id);
        snprintf(s->mac, sizeof s->mac, "%s", fw_stmt_text(st, 5));
        snprintf(s->state, sizeof s->state, "%s", fw_stmt_text(st, 6));
    }
    if (step < 0)
        rc = err->code;
    fw_stmt_finalize(st);
    if (rc) {
        stored_rows_free(rows, n);
        return rc;
    }
    *out = rows;
    *nout = n;
    return FW_OK;
}

typedef struct order_head {
    long long id;
    char order_no[32], window_from[16], due[16], state[16];
    char *unit;
    char *cancelled; /* "on WHEN by WHO: REASON" when the order was cancelled, else NULL */
} order_head;

static void head_free(order_head *h)
{
    free(h->unit);
    free(h->cancelled);
    h->unit = h->cancelled = NULL;
}

static int load_head(fw_ws *ws, const char *ref, order_head *h, fw_err *err)
{
    memset(h, 0, sizeof *h);
    if (order_id_of(ws, ref, &h->id, err))
        return err->code;
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT order_no, window_from, due_date, unit, state, cancelled_at, cancelled_by, cancel_reason "
                      "FROM orders WHERE id = ?",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, h->id);
    int step = fw_stmt_step(st, err);
    if (step == 1) {
        snprintf(h->order_no, sizeof h->order_no, "%s", fw_stmt_text(st, 0));
        snprintf(h->window_from, sizeof h->window_from, "%s", fw_stmt_text(st, 1));
        snprintf(h->due, sizeof h->due, "%s", fw_stmt_text(st, 2));
        h->unit = fw_strdup(fw_stmt_text(st, 3));
        snprintf(h->state, sizeof h->state, "%s", fw_stmt_text(st, 4));
        if (fw_stmt_text(st, 5)) {
            char local[FW_TIME_SIZE];
            h->cancelled = fw_printf(_("on %s by %s: %s"),
                                     fw_time_local(fw_stmt_text(st, 5), FW_TIME_MINUTE, local, sizeof local),
                                     fw_stmt_text(st, 6), fw_stmt_text(st, 7));
        }
    }
    fw_stmt_finalize(st);
    return step == 1 ? FW_OK : step < 0 ? err->code : fw_fail(err, FW_ENOTFOUND, _("no verification order %s"), ref);
}

/* A cancelled order takes no answer, accept or send-back any more. */
static int refuse_cancelled(const order_head *h, fw_err *err)
{
    if (!h->cancelled)
        return FW_OK;
    return fw_fail(err, FW_ECONFLICT, _("order %s was cancelled %s: nothing was written"), h->order_no, h->cancelled);
}

/* The manifest names this workspace and this order, unchanged. */
static int check_manifest(fw_ws *ws, const reader *rd, const char *file, const char *ws_id, order_head *h,
                          fw_err *err)
{
    const char *fmt = manifest_get(rd, "format"), *mws = manifest_get(rd, "workspace"),
               *mno = manifest_get(rd, "order"), *mmac = manifest_get(rd, "mac");
    if (!fmt || strcmp(fmt, FW_ORDER_FORMAT) != 0 || !mws || !mno || !mmac)
        return fw_fail(err, FW_EDATA, _("%s: not a workbook of a verification order (its sheet %s is not one "
                                        "fundwatch wrote)"),
                       file, FW_ORDER_SHEET_MANIFEST);
    if (strcmp(mws, ws_id) != 0)
        return fw_fail(err, FW_ENOTFOUND,
                       _("%s: order %s was sent from another workspace (%s), not this one (%s); receive it in the "
                         "workspace that sent it: nothing was read"),
                       file, mno, mws, ws_id);
    if (load_head(ws, mno, h, err))
        return fw_fail(err, FW_ENOTFOUND, _("%s: order %s is not an order of this workspace: nothing was read"), file,
                       mno);
    if (h->cancelled)
        return fw_fail(err, FW_ECONFLICT,
                       _("%s: order %s was cancelled %s; its workbook is not taken: nothing was read"), file,
                       h->order_no, h->cancelled);
    return FW_OK;
}

/* The manifest's MAC recomputed from the rows as sent. */
static int check_manifest_mac(const reader *rd, const char *file, const char *ws_id, const unsigned char *key,
                              const order_head *h, stored_row *rows, size_t n, fw_err *err)
{
    const char **macs = fw_malloc((n ? n : 1) * sizeof *macs);
    for (size_t i = 0; i < n; i++)
        macs[i] = rows[i].mac;
    char want[65];
    manifest_mac(key, ws_id, h->order_no, h->unit, h->window_from, h->due, (long long)n, macs, want);
    free(macs);
    /* Every field as written must be the order's: the MAC is recomputed from the order as recorded,
     * so a field edited in the sheet would otherwise go unseen. */
    char nrows[24];
    snprintf(nrows, sizeof nrows, "%zu", n);
    const char *fields[][2] = {{"unit", h->unit}, {"window_from", h->window_from}, {"due", h->due}, {"rows", nrows}};
    bool same = true;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = manifest_get(rd, fields[i][0]);
        same = same && v && strcmp(v, fields[i][1]) == 0;
    }
    const char *mmac = manifest_get(rd, "mac");
    if (!same || !mmac || strcmp(mmac, want) != 0)
        return fw_fail(err, FW_EDATA,
                       _("%s: the sheet %s was changed (its check code does not match order %s): nothing was read; "
                         "fill in the workbook fundwatch sent"),
                       file, FW_ORDER_SHEET_MANIFEST, h->order_no);
    return FW_OK;
}

static int copy_file(const char *from, const char *dir, const char *sha, char **out, fw_err *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return fw_fail(err, FW_EFAIL, _("%s: cannot make the evidence folder: %s"), dir, strerror(errno));
    char *to = fw_printf("%s/%s.xlsx", dir, sha);
    char *tmp = fw_printf("%s.tmp", to);
    FILE *in = fopen(from, "rb"), *o = in ? fopen(tmp, "wb") : NULL;
    int rc = FW_OK;
    if (!in || !o)
        rc = fw_fail(err, FW_EFAIL, _("%s: cannot keep a copy: %s"), !in ? from : tmp, strerror(errno));
    char buf[65536];
    size_t n;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, o) != n)
            rc = fw_fail(err, FW_EFAIL, _("%s: cannot write: %s"), tmp, strerror(errno));
    if (in)
        fclose(in);
    if (o && (fflush(o) || fsync(fileno(o))) && !rc)
        rc = fw_fail(err, FW_EFAIL, _("%s: cannot write: %s"), tmp, strerror(errno));
    if (o)
        fclose(o);
    if (!rc && rename(tmp, to) != 0)
        rc = fw_fail(err, FW_EFAIL, _("%s: cannot write: %s"), to, strerror(errno));
    if (rc)
        unlink(tmp);
    free(tmp);
    if (rc)
        free(to);
    else
        *out = to;
    return rc;
}

static int record_receipt(fw_ws *ws, const order_head *h, const char *file, stored_row *rows, size_t n,
                          fw_order_receipt *r, fw_err *err)
{
    char at[32];
    fw_now_iso(at);
    if (fw_ws_begin(ws, err))
        return err->code;
    fw_stmt *st = NULL;
    char *summary = fw_printf("answered %lld, open %lld, invalid %lld, conflict %lld, missing %lld, inserted %lld",
                              r->answered, r->open, r->invalid, r->conflict, r->missing, r->inserted);
    int rc = fw_db_prepare(ws->store,
                           "INSERT INTO order_files(order_id, sha256, name, copy_path, summary, received_by, "
                           "received_at) VALUES (?,?,?,?,?,?,?)",
                           &st, err);
    if (!rc) {
        fw_stmt_bind_int64(st, 1, h->id);
        fw_stmt_bind_text(st, 2, r->sha256, -1);
        fw_stmt_bind_text(st, 3, file, -1);
        fw_stmt_bind_text(st, 4, r->copy_path, -1);
        fw_stmt_bind_text(st, 5, summary, -1);
        fw_stmt_bind_text(st, 6, fw_user(), -1);
        fw_stmt_bind_text(st, 7, at, -1);
        rc = step_done(st, err);
    }
    fw_stmt_finalize(st);
    st = NULL;
    long long file_id = 0;
    if (!rc) {
        char *q = fw_printf("SELECT id FROM order_files WHERE sha256 = '%s'", r->sha256);
        rc = fw_db_query_int(ws->store, q, &file_id, err);
        free(q);
    }
    if (!rc)
        rc = fw_db_prepare(ws->store,
                           "UPDATE order_rows SET state = ?, conclusion = ?, verify_method = ?, verifier = ?, "
                           "verified_at = ?, to_recover = ?, recovered = ?, measures = ?, note = ?, problems = ?, "
                           "file_id = ?, updated_at = ? WHERE id = ?",
                           &st, err);
    for (size_t i = 0; !rc && i < n; i++) {
        stored_row *s = &rows[i];
        if (!s->update)
            continue;
        fw_stmt_bind_text(st, 1, s->new_state, -1);
        static const int text_answers[] = {FW_OA_CONCLUSION, FW_OA_METHOD, FW_OA_VERIFIER, FW_OA_VERIFIED_AT};
        for (int k = 0; k < 4; k++)
            fw_stmt_bind_text(st, 2 + k, s->answer[text_answers[k]], -1);
        for (int k = 0; k < 2; k++) {
            const char *v = s->answer[k ? FW_OA_RECOVERED : FW_OA_TO_RECOVER];
            if (v)
                fw_stmt_bind_int64(st, 6 + k, atoll(v));
            else
                fw_stmt_bind_null(st, 6 + k);
        }
        fw_stmt_bind_text(st, 8, s->answer[FW_OA_MEASURES], -1);
        fw_stmt_bind_text(st, 9, s->answer[FW_OA_NOTE], -1);
        fw_stmt_bind_text(st, 10, s->problems.len ? s->problems.data : NULL, -1);
        fw_stmt_bind_int64(st, 11, file_id);
        fw_stmt_bind_text(st, 12, at, -1);
        fw_stmt_bind_int64(st, 13, s->id);
        rc = step_done(st, err);
    }
    fw_stmt_finalize(st);
    if (!rc) {
        char *q = fw_printf("UPDATE orders SET state = 'returned' WHERE id = %lld AND state = 'dispatched'", h->id);
        rc = fw_db_exec(ws->store, q, err);
        free(q);
    }
    if (!rc) {
        fw_buf after = {0};
        fw_buf_putc(&after, '{');
        fw_json_field_str(&after, "order", h->order_no);
        fw_json_field_str(&after, "file", file);
        fw_json_field_str(&after, "sha256", r->sha256);
        fw_json_field_str(&after, "copy", r->copy_path);
        fw_json_field_str(&after, "result", summary);
        fw_buf_putc(&after, '}');
        char object[48];
        snprintf(object, sizeof object, "order:%lld", h->id);
        rc = fw_trail_append(ws, "order.receive", object, NULL, after.data, err);
        fw_buf_free(&after);
    }
    free(summary);
    if (!rc)
        return fw_ws_commit(ws, err);
    fw_ws_rollback(ws);
    return rc;
}

/* Was this very file received before? Fills r->order_no and says when. */
static bool received_before(fw_ws *ws, fw_order_receipt *r)
{
    fw_stmt *st = NULL;
    fw_err e = {0};
    bool yes = false;
    if (fw_db_prepare(ws->store,
                      "SELECT o.order_no, f.received_at, f.received_by FROM order_files f JOIN orders o ON "
                      "o.id = f.order_id WHERE f.sha256 = ?",
                      &st, &e) == FW_OK) {
        fw_stmt_bind_text(st, 1, r->sha256, -1);
        if (fw_stmt_step(st, &e) == 1) {
            yes = true;
            snprintf(r->order_no, sizeof r->order_no, "%s", fw_stmt_text(st, 0));
            char local[FW_TIME_SIZE];
            fw_buf_printf(&r->report, _("on %s by %s"),
                          fw_time_local(fw_stmt_text(st, 1), FW_TIME_MINUTE, local, sizeof local),
                          fw_stmt_text(st, 2));
        }
    }
    fw_stmt_finalize(st);
    return yes;
}

int fw_order_receive(fw_ws *ws, const char *path, const char *evidence_dir, fw_order_receipt *r, fw_err *err)
{
    memset(r, 0, sizeof *r);
    if (fw_order_file_sha256(path, r->sha256, err))
        return err->code;
    if (received_before(ws, r)) {
        r->already = true;
        return FW_OK;
    }
    unsigned char key[FW_ORDER_KEY_BYTES];
    if (fw_order_mac_key(ws, false, key, err))
        return err->code;
    fw_xlsxr *x = NULL;
    if (fw_xlsxr_open(path, &x, err))
        return err->code == FW_EDATA
                   ? fw_fail(err, FW_EDATA, _("%s: not an Excel workbook (.xlsx): %s; receive the file the unit "
                                              "filled in, saved as .xlsx"),
                             path, strstr(err->msg, ": ") ? strstr(err->msg, ": ") + 2 : err->msg)
                   : err->code;
    fw_xlsxr_set_part_limit(x, 512LL << 20);
    reader rd = {0};
    order_head h = {0};
    stored_row *rows = NULL;
    size_t n = 0;
    char *ws_id = fw_ws_setting(ws, FW_WORKSPACE_ID_KEY);
    int rc = read_structure(x, &rd, path, err);
    if (!rc)
        rc = check_manifest(ws, &rd, path, ws_id ? ws_id : "", &h, err);
    if (!rc)
        rc = load_stored_rows(ws, h.id, &rows, &n, err);
    if (!rc)
        rc = check_manifest_mac(&rd, path, ws_id ? ws_id : "", key, &h, rows, n, err);
    if (!rc) {
        snprintf(r->order_no, sizeof r->order_no, "%s", h.order_no);
        receipt_ctx ctx = {ws, &rd, r, key, ws_id ? ws_id : "", h.order_no, h.window_from, h.due, rows, n,
                           fw_malloc((n ? n : 1) * sizeof(stored_row *)), false, 0, err};
        for (size_t i = 0; i < n; i++)
            ctx.by_mac[i] = &rows[i];
        qsort(ctx.by_mac, n, sizeof *ctx.by_mac, mac_order);
        fw_xml_handlers sheet = {sheet_start, sheet_end, sheet_text};
        rd.on_row = on_data_row;
        rd.row_ctx = &ctx;
        rd.row = 0;
        rc = parse_part(x, rd.sheet_target[0], &sheet, &rd, true, path, err);
        if (!rc && ctx.fatal)
            rc = ctx.fatal;
        if (!rc && !ctx.header_ok)
            rc = fw_fail(err, FW_EDATA, _("%s: the sheet %s is empty; fill in the workbook fundwatch sent"), path,
                         FW_ORDER_SHEET_ROWS);
        free(ctx.by_mac);
    }
    fw_xlsxr_close(x);
    for (size_t i = 0; !rc && i < n; i++)
        if (!rows[i].seen && strcmp(rows[i].state, "accepted") != 0) {
            r->missing++;
            fw_buf_printf(&r->report, _("%s: row %lld (case %s) is missing from the returned workbook (deleted); it "
                                        "stays %s: ask the unit to return it\n"),
                          FW_ORDER_SHEET_ROWS, rows[i].row_no, rows[i].facts[FW_OF_CASE_NO],
                          fw_label_show(fw_order_row_states, rows[i].state));
        }
    if (!rc)
        rc = copy_file(path, evidence_dir, r->sha256, &r->copy_path, err);
    if (!rc)
        rc = record_receipt(ws, &h, path, rows, n, r, err);
    stored_rows_free(rows, n);
    reader_free(&rd);
    head_free(&h);
    free(ws_id);
    return rc;
}

char *fw_order_evidence_dir(fw_ws *ws)
{
    if (fw_ws_target_is_server(ws->path))
        return fw_strdup("fundwatch-evidence");
    return fw_printf("%s.evidence", ws->path);
}

void fw_order_receipt_free(fw_order_receipt *r)
{
    fw_buf_free(&r->report);
    free(r->copy_path);
    r->copy_path = NULL;
}

/* --- review ------------------------------------------------------------------------------------------ */

typedef struct answer_row {
    long long id, row_no, case_id, case_version;
    char *case_no, *conclusion, *method, *verifier, *verified_at, *measures, *note;
    bool has_to, has_rec;
    long long to_recover, recovered;
} answer_row;

static void answer_rows_free(answer_row *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].case_no);
        free(a[i].conclusion);
        free(a[i].method);
        free(a[i].verifier);
        free(a[i].verified_at);
        free(a[i].measures);
        free(a[i].note);
    }
    free(a);
}

static char *dup_col(fw_stmt *st, int i)
{
    return fw_stmt_is_null(st, i) ? NULL : fw_strdup(fw_stmt_text(st, i));
}

static int load_answers(fw_ws *ws, long long order_id, long long row_no, answer_row **out, size_t *nout, fw_err *err)
{
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT r.id, r.row_no, r.case_id, r.case_version, c.case_no, r.conclusion, r.verify_method, "
                      "r.verifier, r.verified_at, r.measures, r.note, r.to_recover, r.recovered, r.state "
                      "FROM order_rows r JOIN cases c ON c.id = r.case_id "
                      "WHERE r.order_id = ?1 AND (?2 = 0 OR r.row_no = ?2) ORDER BY r.row_no",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, order_id);
    fw_stmt_bind_int64(st, 2, row_no);
    answer_row *a = NULL;
    size_t n = 0, cap = 0;
    int step, rc = FW_OK;
    while ((step = fw_stmt_step(st, err)) == 1) {
        const char *state = fw_stmt_text(st, 13);
        if (strcmp(state, "answered") != 0) {
            if (row_no)
                rc = fw_fail(err, FW_ECONFLICT, _("row %lld is %s; only an answered row can be accepted"), row_no,
                             fw_label_show(fw_order_row_states, state));
            continue;
        }
        if (n == cap)
            a = fw_realloc(a, (cap = cap ? 2 * cap : 32) * sizeof *a);
        answer_row *r = &a[n++];
        r->id = fw_stmt_int64(st, 0);
        r->row_no = fw_stmt_int64(st, 1);
        r->case_id = fw_stmt_int64(st, 2);
        r->case_version = fw_stmt_int64(st, 3);
        r->case_no = dup_col(st, 4);
        r->conclusion = dup_col(st, 5);
        r->method = dup_col(st, 6);
        r->verifier = dup_col(st, 7);
        r->verified_at = dup_col(st, 8);
        r->measures = dup_col(st, 9);
        r->note = dup_col(st, 10);
        r->has_to = !fw_stmt_is_null(st, 11);
        r->to_recover = fw_stmt_int64(st, 11);
        r->has_rec = !fw_stmt_is_null(st, 12);
        r->recovered = fw_stmt_int64(st, 12);
    }
    if (step < 0)
        rc = err->code;
    fw_stmt_finalize(st);
    if (!rc && row_no && n == 0 && !err->code)
        rc = fw_fail(err, FW_ENOTFOUND, _("the order has no row %lld"), row_no);
    if (rc) {
        answer_rows_free(a, n);
        return rc;
    }
    *out = a;
    *nout = n;
    return FW_OK;
}

/* Prepared once per connection: an accept sets thousands of rows. */
static const fw_sql set_row_state_sql = {
    .name = "orders.set_row_state",
    .sql = "UPDATE order_rows SET state = ?, problems = COALESCE(?, problems), "
           "sent_back_note = COALESCE(?, sent_back_note), updated_at = ? WHERE id = ?",
};

static int set_row_state(fw_ws *ws, long long row_id, const char *state, const char *problems, const char *note,
                         fw_err *err)
{
    char at[32];
    fw_now_iso(at);
    fw_stmt *st = NULL;
    if (fw_db_cached(ws->store, &set_row_state_sql, &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, state, -1);
    fw_stmt_bind_text(st, 2, problems, -1);
    fw_stmt_bind_text(st, 3, note, -1);
    fw_stmt_bind_text(st, 4, at, -1);
    fw_stmt_bind_int64(st, 5, row_id);
    int rc = step_done(st, err);
    fw_stmt_reset(st);
    return rc;
}

/* Records a review step on an order row with its trail record, inside the caller's transaction. */
static int record_row_in(fw_ws *ws, long long order_id, const char *order_no, long long row_id, long long row_no,
                         const char *case_no, const char *state, const char *problems, const char *note,
                         const char *action, fw_err *err)
{
    int rc = set_row_state(ws, row_id, state, problems, note, err);
    if (!rc) {
        fw_buf after = {0};
        fw_buf_putc(&after, '{');
        fw_json_field_str(&after, "order", order_no);
        fw_json_field_int(&after, "row", row_no);
        fw_json_field_str(&after, "case", case_no);
        fw_json_field_str(&after, "state", state);
        if (note)
            fw_json_field_str(&after, "note", note);
        fw_buf_putc(&after, '}');
        char object[48];
        snprintf(object, sizeof object, "order:%lld", order_id);
        rc = fw_trail_append(ws, action, object, NULL, after.data, err);
        fw_buf_free(&after);
    }
    return rc;
}

/* The same, in a transaction of its own. */
static int record_row(fw_ws *ws, long long order_id, const char *order_no, long long row_id, long long row_no,
                      const char *case_no, const char *state, const char *problems, const char *note,
                      const char *action, fw_err *err)
{
    if (fw_ws_begin(ws, err))
        return err->code;
    int rc = record_row_in(ws, order_id, order_no, row_id, row_no, case_no, state, problems, note, action, err);
    if (!rc)
        return fw_ws_commit(ws, err);
    fw_ws_rollback(ws);
    return rc;
}

/* A refusal of an accept: err in the accepting user's language (the report), *why kept on the row
 * language-neutral (problem_encode, as a receipt's problems) so each reader sees it in their own. */
static int refuse(fw_buf *why, fw_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int refuse(fw_buf *why, fw_err *err, int code, const char *fmt, ...)
{
    char msg[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, _(fmt), ap);
    va_end(ap);
    va_start(ap, fmt);
    problem_encode(why, fmt, ap);
    va_end(ap);
    return fw_fail(err, code, "%s", msg);
}

/* The refusals a case change can give an accepted answer, checked here first so that they are kept
 * language-neutral (the same messages as audit/cases.c): a verdict awaiting its second reviewer, a
 * transition the case's status does not allow. Anything else the change refuses is kept as said. */
static int check_change(const fw_case *c, const char *to, fw_buf *why, fw_err *err)
{
    if (c->pending_status)
        return refuse(why, err, FW_ECONFLICT,
                      N_("case %s has a verdict (%s) awaiting a second reviewer, asked by %s at %s; "
                         "another user must run `fundwatch case approve %s` (or --reject) first"),
                      c->case_no, c->pending_status, c->pending_by, c->pending_at, c->case_no);
    if (!fw_case_transition(c->status, to)) {
        char next[256];
        fw_case_next_statuses(c->status, next, sizeof next);
        return refuse(why, err, FW_ECONFLICT, N_("a case that is %s cannot become %s; allowed next: %s"), c->status,
                      to, next);
    }
    return FW_OK;
}

/* The case changes one answer makes: verifying (when still new), the verdict, and rectifying when
 * measures came with a true finding (unless the verdict waits for a second reviewer). Inside the
 * accept's transaction; on failure the caller rolls back to the row's savepoint; *why then holds
 * the refusal language-neutral when it is one of those checked here (else it stays empty). */
static int apply_answer(fw_ws *ws, const char *order_no, const answer_row *a, bool review, fw_buf *report,
                        fw_buf *why, fw_err *err)
{
    fw_case c;
    if (fw_case_get_id_bare(ws, a->case_id, &c, err))
        return err->code;
    int rc = FW_OK;
    bool dismissed = strcmp(a->conclusion, "dismissed") == 0 || strcmp(a->conclusion, "data_error") == 0;
    if (c.version != a->case_version)
        rc = refuse(why, err, FW_ECONFLICT,
                    N_("case %s was changed in fundwatch after the order was sent (version %lld, now %lld)"),
                    c.case_no, a->case_version, c.version);
    if (!rc && strcmp(c.status, "new") == 0 && !(rc = check_change(&c, "verifying", why, err))) {
        fw_case_change ch = {.to = "verifying", .method = a->method, .verifier = a->verifier};
        rc = fw_case_set_status_loaded_in(ws, &c, &ch, err);
    }
    if (!rc)
        rc = check_change(&c, dismissed ? "dismissed" : a->conclusion, why, err);
    if (!rc && strcmp(a->conclusion, "dismissed") == 0 && blank(a->note)) /* 不属实 is dismissed as 'other' */
        rc = refuse(why, err, FW_EDATA, N_("reason 'other' needs the reason written out: add --reason-text TEXT"));
    char *note = fw_printf("核查工单 %s 第%lld行（核查日期 %s，核查人 %s）%s%s", order_no, a->row_no, a->verified_at,
                           a->verifier, a->note ? "：" : "", a->note ? a->note : "");
    if (!rc) {
        fw_case_change ch = {.to = dismissed ? "dismissed" : a->conclusion, .note = note};
        if (dismissed) {
            ch.reason = strcmp(a->conclusion, "data_error") == 0 ? "data_error" : "other";
            if (strcmp(ch.reason, "other") == 0)
                ch.reason_text = a->note;
        }
        rc = fw_case_set_status_loaded_in(ws, &c, &ch, err);
    }
    if (!rc && !dismissed && (a->measures || a->has_to || a->has_rec)) {
        if (review)
            fw_buf_printf(report, _("row %lld (case %s): the verdict awaits a second reviewer; the measures are "
                                    "applied after `case approve`, with `case set %s rectifying`\n"),
                          a->row_no, c.case_no, c.case_no);
        else {
            fw_case_change ch = {.to = "rectifying", .measures = a->measures ? a->measures : "recover_funds",
                                 .has_to_recover = a->has_to, .to_recover = a->to_recover,
                                 .has_recovered = a->has_rec, .recovered = a->recovered};
            rc = fw_case_set_status_loaded_in(ws, &c, &ch, err);
        }
    }
    free(note);
    fw_case_free(&c);
    return rc;
}

/* One row of an accept, inside the accept's transaction: its answer applied and the row accepted,
 * or (the answer refused: a conflict, a refused change) the case left as it was and the row marked
 * with why. *refused holds the refusal's code (0 when applied); the return is a database failure. */
static int accept_row(fw_ws *ws, const order_head *h, const answer_row *a, bool review, fw_buf *report,
                      fw_err *refused, fw_err *err)
{
    if (fw_db_savepoint(ws->store, "order_accept_row", err))
        return err->code;
    int rc;
    fw_buf why = {0};
    if (apply_answer(ws, h->order_no, a, review, report, &why, refused) == FW_OK)
        rc = record_row_in(ws, h->id, h->order_no, a->id, a->row_no, a->case_no, "accepted", NULL, NULL,
                           "order.accept", err);
    else if (!(rc = fw_db_rollback_to(ws->store, "order_accept_row", err))) {
        fw_buf_printf(report, _("row %lld (case %s): not applied: %s\n"), a->row_no, a->case_no, refused->msg);
        const char *state = refused->code == FW_ECONFLICT ? "conflict" : "answered";
        rc = record_row_in(ws, h->id, h->order_no, a->id, a->row_no, a->case_no, state,
                           why.len ? why.data : refused->msg, NULL, "order.accept", err);
    }
    fw_buf_free(&why);
    return rc ? rc : fw_db_release(ws->store, "order_accept_row", err);
}

/* Every answer is applied and its row recorded in one transaction (a savepoint per row keeps a
 * refused answer from leaving half its changes): thousands of rows, one commit. */
int fw_order_accept(fw_ws *ws, const char *order_ref, long long row_no, long long *accepted, fw_buf *report,
                    fw_err *err)
{
    *accepted = 0;
    order_head h;
    if (load_head(ws, order_ref, &h, err))
        return err->code;
    if (refuse_cancelled(&h, err)) {
        head_free(&h);
        return err->code;
    }
    answer_row *a = NULL;
    size_t n = 0;
    fw_err refused = {0};
    int rc = load_answers(ws, h.id, row_no, &a, &n, err);
    bool review = fw_case_review_required(ws); /* one setting for the whole accept, read once */
    if (!rc)
        rc = fw_ws_begin(ws, err);
    for (size_t i = 0; !rc && i < n; i++) {
        fw_err e = {0};
        rc = accept_row(ws, &h, &a[i], review, report, &e, err);
        if (!rc && e.code)
            refused = e;
        else if (!rc)
            (*accepted)++;
    }
    if (!rc) {
        char *q = fw_printf("UPDATE orders SET state = 'settled' WHERE id = %lld AND NOT EXISTS (SELECT 1 FROM "
                            "order_rows WHERE order_id = %lld AND state <> 'accepted')",
                            h.id, h.id);
        rc = fw_ws_exec(ws, q, err);
        free(q);
        if (!rc)
            rc = fw_ws_commit(ws, err);
    }
    if (rc) {
        fw_ws_rollback(ws);
        *accepted = 0;
    } else if (row_no && refused.code)
        rc = fw_fail(err, refused.code, "%s", refused.msg);
    answer_rows_free(a, n);
    head_free(&h);
    return rc;
}

int fw_order_send_back(fw_ws *ws, const char *order_ref, long long row_no, const char *note, fw_err *err)
{
    if (blank(note))
        return fw_fail(err, FW_EUSAGE, _("--note says the unit what to correct"));
    order_head h;
    if (load_head(ws, order_ref, &h, err))
        return err->code;
    if (refuse_cancelled(&h, err)) {
        head_free(&h);
        return err->code;
    }
    fw_stmt *st = NULL;
    int rc = fw_db_prepare(ws->store,
                           "SELECT r.id, r.state, c.case_no FROM order_rows r JOIN cases c ON c.id = r.case_id "
                           "WHERE r.order_id = ? AND r.row_no = ?",
                           &st, err);
    long long id = 0;
    char state[16] = "", case_no[40] = "";
    if (!rc) {
        fw_stmt_bind_int64(st, 1, h.id);
        fw_stmt_bind_int64(st, 2, row_no);
        int step = fw_stmt_step(st, err);
        if (step == 1) {
            id = fw_stmt_int64(st, 0);
            snprintf(state, sizeof state, "%s", fw_stmt_text(st, 1));
            snprintf(case_no, sizeof case_no, "%s", fw_stmt_text(st, 2));
        } else
            rc = step < 0 ? err->code : fw_fail(err, FW_ENOTFOUND, _("order %s has no row %lld"), h.order_no, row_no);
    }
    fw_stmt_finalize(st);
    if (!rc && strcmp(state, "accepted") == 0)
        rc = fw_fail(err, FW_ECONFLICT, _("row %lld was accepted already; its case changed: nothing was written"),
                     row_no);
    if (!rc)
        rc = record_row(ws, h.id, h.order_no, id, row_no, case_no, "sent_back", NULL, note, "order.send_back", err);
    head_free(&h);
    return rc;
}

/* --- cancelling ---------------------------------------------------------------------------------- */

typedef struct cancel_row {
    long long case_id;
    bool prior_kept;
    char *assignee, *received_at, *due;
} cancel_row;

static char *text_or_null(fw_stmt *st, int i)
{
    const char *v = fw_stmt_text(st, i);
    return v ? fw_strdup(v) : NULL;
}

/* The order's rows with the assignment each case had before the dispatch; *accepted counts the
 * rows already accepted (which forbid the cancellation). */
static int load_cancel_rows(fw_ws *ws, long long order_id, cancel_row **out, size_t *nout, long long *accepted,
                            fw_err *err)
{
    *out = NULL;
    *nout = 0;
    *accepted = 0;
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT case_id, prior_kept, prior_assignee, prior_received_at, prior_due, state FROM order_rows "
                      "WHERE order_id = ? ORDER BY row_no",
                      &st, err))
        return err->code;
    fw_stmt_bind_int64(st, 1, order_id);
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        *out = fw_realloc(*out, (*nout + 1) * sizeof **out);
        cancel_row *r = &(*out)[(*nout)++];
        r->case_id = fw_stmt_int64(st, 0);
        r->prior_kept = fw_stmt_int64(st, 1) == 1;
        r->assignee = text_or_null(st, 2);
        r->received_at = text_or_null(st, 3);
        r->due = text_or_null(st, 4);
        *accepted += strcmp(fw_stmt_text(st, 5), "accepted") == 0;
    }
    fw_stmt_finalize(st);
    return step < 0 ? err->code : FW_OK;
}

static void cancel_rows_free(cancel_row *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(r[i].assignee), free(r[i].received_at), free(r[i].due);
    free(r);
}

static bool same_or_both_null(const char *a, const char *b) { return (!a && !b) || (a && b && strcmp(a, b) == 0); }

int fw_order_cancel(fw_ws *ws, const char *order_ref, const char *reason, long long *restored, long long *kept,
                    fw_err *err)
{
    *restored = *kept = 0;
    if (blank(reason))
        return fw_fail(err, FW_EUSAGE, _("--reason says why the order is cancelled (it is kept in the trail)"));
    order_head h;
    if (load_head(ws, order_ref, &h, err))
        return err->code;
    cancel_row *rows = NULL;
    size_t n = 0;
    long long accepted = 0;
    int rc = h.cancelled ? fw_fail(err, FW_ECONFLICT, _("order %s was cancelled already %s"), h.order_no, h.cancelled)
                         : load_cancel_rows(ws, h.id, &rows, &n, &accepted, err);
    if (!rc && accepted)
        rc = fw_fail(err, FW_ECONFLICT,
                     _("order %s has %lld accepted rows: their answers changed the cases, so the order cannot be "
                       "cancelled: nothing was written"),
                     h.order_no, accepted);
    if (!rc)
        rc = fw_ws_begin(ws, err);
    bool begun = !rc;
    for (size_t i = 0; !rc && i < n; i++) {
        fw_case c;
        if ((rc = fw_case_get_id(ws, rows[i].case_id, &c, err)))
            break;
        /* Only an assignment that is still the order's is undone: a case given to someone else since
         * keeps that. */
        if (rows[i].prior_kept && same_or_both_null(c.assignee, h.unit) && same_or_both_null(c.due_date, h.due)) {
            rc = fw_case_restore_assignment_loaded_in(ws, &c, rows[i].assignee, rows[i].received_at, rows[i].due,
                                                      err);
            (*restored)++;
        } else
            (*kept)++;
        fw_case_free(&c);
    }
    if (!rc) {
        char at[32];
        fw_now_iso(at);
        fw_stmt *st = NULL;
        rc = fw_db_prepare(ws->store, "UPDATE orders SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?",
                           &st, err);
        if (!rc) {
            fw_stmt_bind_text(st, 1, at, -1);
            fw_stmt_bind_text(st, 2, fw_user(), -1);
            fw_stmt_bind_text(st, 3, reason, -1);
            fw_stmt_bind_int64(st, 4, h.id);
            rc = step_done(st, err);
        }
        fw_stmt_finalize(st);
    }
    if (!rc) {
        fw_buf after = {0};
        fw_buf_putc(&after, '{');
        fw_json_field_str(&after, "order", h.order_no);
        fw_json_field_str(&after, "reason", reason);
        fw_json_field_int(&after, "rows", (long long)n);
        fw_json_field_int(&after, "restored", *restored);
        fw_json_field_int(&after, "kept", *kept);
        fw_buf_putc(&after, '}');
        char object[48];
        snprintf(object, sizeof object, "order:%lld", h.id);
        rc = fw_trail_append(ws, "order.cancel", object, NULL, after.data, err);
        fw_buf_free(&after);
    }
    if (!rc)
        rc = fw_ws_commit(ws, err);
    if (rc && begun) {
        fw_ws_rollback(ws);
        *restored = *kept = 0;
    }
    cancel_rows_free(rows, n);
    head_free(&h);
    return rc;
}

int fw_order_open_counts(fw_ws *ws, long long *open, long long *overdue, fw_err *err)
{
    *open = *overdue = 0;
    char today[11];
    today_local(today);
    fw_stmt *st = NULL;
    if (fw_db_prepare(ws->store,
                      "SELECT count(*), COALESCE(SUM(CASE WHEN due_date < ? THEN 1 ELSE 0 END), 0) FROM orders "
                      "WHERE state <> 'settled' AND cancelled_at IS NULL",
                      &st, err))
        return err->code;
    fw_stmt_bind_text(st, 1, today, -1);
    int step = fw_stmt_step(st, err);
    if (step == 1) {
        *open = fw_stmt_int64(st, 0);
        *overdue = fw_stmt_int64(st, 1);
    }
    fw_stmt_finalize(st);
    return step < 0 ? err->code : FW_OK;
}

/* --- lists ------------------------------------------------------------------------------------------- */

int fw_order_list(fw_ws *ws, fw_rows **rows, fw_err *err)
{
    char today[11];
    today_local(today);
    if (fw_rows_prepare(ws->store,
                        "SELECT o.order_no, o.unit, CASE WHEN o.cancelled_at IS NOT NULL THEN 'cancelled' ELSE o.state END "
                        "AS order_state, o.due_date, "
                        "CASE WHEN o.state <> 'settled' AND o.cancelled_at IS NULL AND o.due_date < ?1 THEN 1 ELSE 0 "
                        "END AS overdue, o.rows, "
                        "SUM(CASE WHEN r.state = 'open' THEN 1 ELSE 0 END) AS open, "
                        "SUM(CASE WHEN r.state = 'answered' THEN 1 ELSE 0 END) AS answered, "
                        "SUM(CASE WHEN r.state = 'accepted' THEN 1 ELSE 0 END) AS accepted, "
                        "SUM(CASE WHEN r.state = 'sent_back' THEN 1 ELSE 0 END) AS sent_back, "
                        "SUM(CASE WHEN r.state = 'conflict' THEN 1 ELSE 0 END) AS conflict, "
                        "SUM(CASE WHEN r.state = 'invalid' THEN 1 ELSE 0 END) AS invalid, "
                        "o.created_at, o.created_by AS sent_by "
                        "FROM orders o LEFT JOIN order_rows r ON r.order_id = o.id "
                        "GROUP BY o.id, o.order_no, o.unit, o.state, o.cancelled_at, o.due_date, o.rows, o.created_at, "
                        "o.created_by "
                        "ORDER BY o.id DESC",
                        rows, err))
        return err->code;
    fw_stmt_bind_text(fw_rows_stmt(*rows), 1, today, -1);
    return FW_OK;
}

int fw_order_rows(fw_ws *ws, const char *order_ref, fw_rows **rows, fw_err *err)
{
    long long id;
    if (order_id_of(ws, order_ref, &id, err))
        return err->code;
    if (fw_rows_prepare(ws->store,
                        "SELECT r.row_no, c.case_no, c.name, r.state AS row_state, r.conclusion AS verdict, r.verify_method, r.verifier, "
                        "r.verified_at, r.to_recover, r.recovered, r.measures, r.note, r.problems, r.sent_back_note "
                        "FROM order_rows r JOIN cases c ON c.id = r.case_id WHERE r.order_id = ? ORDER BY r.row_no",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, id);
    return FW_OK;
}

int fw_order_header(fw_ws *ws, const char *order_ref, fw_rows **rows, fw_err *err)
{
    long long id;
    if (order_id_of(ws, order_ref, &id, err))
        return err->code;
    if (fw_rows_prepare(ws->store,
                        "SELECT order_no, unit, CASE WHEN cancelled_at IS NOT NULL THEN 'cancelled' ELSE state END AS order_state, "
                        "window_from, due_date, selection, sample_method, sample_seed, "
                        "sample_size, workbook_file, workbook_sha256, rows, created_by AS sent_by, created_at, "
                        "cancelled_at, cancelled_by, cancel_reason FROM orders "
                        "WHERE id = ?",
                        rows, err))
        return err->code;
    fw_stmt_bind_int64(fw_rows_stmt(*rows), 1, id);
    return FW_OK;
}
