/* engine.h: running rules over a workspace. A run records who ran what, when, over which imports,
 * and per rule its version, the SHA-256 of its text, its parameter values, its status, hit count
 * and time. Each rule's results are written in their own transaction, so an interrupted or failed
 * rule leaves nothing behind while the rules that completed before it are kept.
 *
 * Hits: one per rule and subject (one row of the rule's query). A hit's fingerprint is the SHA-256
 * of the rule id, the subject and the sorted evidence keys; re-running finds the same hit again
 * (still present), new fingerprints are new hits, and hits no longer produced become 'gone' (never
 * deleted). evidence_hash covers the content of the evidence rows, so a changed row under the same
 * key sets evidence_changed. */
#ifndef FW_ENGINE_H
#define FW_ENGINE_H

#include <signal.h>

#include "audit/rules.h"
#include "audit/store.h"

enum { FW_RUN_DEFAULT_TIME_LIMIT_S = 600 };
/* A rule returning more rows than this is stopped as wrong ("too many hits") and nothing of it is
 * kept: the larger of FW_RUN_DEFAULT_MAX_HITS and FW_RUN_MAX_HITS_PERCENT of the payments loaded,
 * unless the setting run.max_hits or fw_run_opts.max_hits says otherwise. */
enum { FW_RUN_DEFAULT_MAX_HITS = 100000, FW_RUN_MAX_HITS_PERCENT = 10 };

typedef struct fw_rule_result {
    const char *rule_id;      /* points into the ruleset */
    const char *category;
    char status[16];          /* complete, interrupted, failed, skipped */
    long hits, hits_new, hits_present, hits_gone;
    long rows_discarded;      /* rows read before an interruption or failure (rolled back) */
    long long ms;
    char message[512];
} fw_rule_result;

typedef struct fw_run_opts {
    const char *category;             /* NULL: every category */
    const char *const *only;          /* rule ids; NULL/0: every enabled rule */
    int nonly;
    const char *selection;            /* what was asked, for the record (NULL: derived) */
    volatile sig_atomic_t *interrupt; /* set (by a signal handler or the TUI) to stop the run, even
                                       * while a rule's hits are being saved */
    double time_limit_s;              /* per rule, reading and saving its hits together; caps a rule's own
                                       * time_limit; 0: the rule's, else setting run.time_limit, else
                                       * the default */
    long max_hits;                    /* 0: setting run.max_hits, else the default (above) */
    /* Called before (res->status "" ) and after each rule; may be NULL. */
    void (*progress)(void *ctx, const fw_rule_result *res);
    /* Called while the dataset indexes a bulk import left out are built, before the first rule
     * (audit/indexes.h: done of total, index NULL at the end); may be NULL. Same ctx. */
    int (*indexing)(void *ctx, int done, int total, const char *index);
    void *progress_ctx;
} fw_run_opts;

typedef struct fw_run_result {
    long long run_id;
    char status[16];                  /* complete, interrupted, failed */
    fw_rule_result *rules;
    int nrules;
    long hits_new, hits_present, hits_gone;
    char sandbox_note[512];           /* PostgreSQL: why rules did not run as the rule role ("" when they did) */
    char unchecked[1024];             /* shards: the counties not checked and why ("" when none; shard.h) */
} fw_run_result;

/* Runs the selected rules of set. Returns FW_OK when every rule completed; FW_EINTR when
 * interrupted (complete rules kept); FW_EDATA when a rule failed or was skipped as broken (the
 * others' results kept); FW_ENOTFOUND when --only names an unknown rule; FW_EWORKSPACE on a database
 * error. res is filled in every case; free it with fw_run_result_free. */
int fw_run(fw_ws *ws, fw_ruleset *set, const fw_run_opts *opts, fw_run_result *res, fw_err *err);
void fw_run_result_free(fw_run_result *res);
/* PostgreSQL: drops the workspace's rule roles (fw_rules_ and fw_rules_all_ + its id) and their
 * grants and policies, for a workspace about to be dropped (rules test's scratch schemas); nothing on
 * SQLite. */
int fw_rules_role_drop(fw_ws *ws, fw_err *err);

/* The fingerprint and evidence-key parsing, exposed for tests. keys: sorted, unique. */
void fw_hit_fingerprint(const char *rule_id, const char *subject, char *const *keys, int nkeys, char out[65]);
int fw_evidence_split(const char *evidence, char ***keys);
void fw_evidence_free(char **keys, int n);

/* ---- listings (printed by the CLI through fw_print_rows; the hits: audit/hitfilter.h) --------- */
/* One row per rule of set: id, category, severity, status, enabled, name, last_hits, last_ms,
 * last_run, source (file). Rules are put in a TEMP table first, so the rows own no pointers into
 * set. The caller closes *rows. */
int fw_rules_list_rows(fw_ws *ws, fw_ruleset *set, const char *category, fw_rows **rows, fw_err *err);
/* The last runs of one rule: run_id, started_at, user, status, hits, ms, version, params, message. */
int fw_rule_history_rows(fw_ws *ws, const char *rule_id, fw_rows **rows, fw_err *err);

/* Per-workspace overrides: key 'enabled' or 'param.NAME'; value NULL removes the override. Writes
 * an audit-trail record. FW_ENOTFOUND for an unknown parameter; FW_EUSAGE for a value outside the
 * parameter's declared type and range (the message names them). */
int fw_rule_set(fw_ws *ws, const fw_rule *r, const char *key, const char *value, fw_err *err);

/* PostgreSQL: makes or brings up to date a rule role (the role each rule's query runs as,
 * docs/rules.md) and its grants; role gets its name ("" when this user cannot, and rules then run in
 * READ ONLY transactions only), note says why not. for_run: the role the caller's run reads as, which
 * for the workspace's administrator is fw_rules_all_<workspace id> (every row, and row estimates the
 * planner can trust), for anybody else fw_rules_<workspace id> (their regions); otherwise always
 * fw_rules_<workspace id>: `user add` asks for it, to make the users' groups its members. Nothing on
 * SQLite. */
void fw_rule_role_prepare(fw_ws *ws, bool for_run, char *role, size_t rsize, char *note, size_t nsize);

#endif
