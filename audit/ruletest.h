/* ruletest.h: `fundwatch rules test`. Each rule carries example rows: example.hit.N rows that
 * must make it hit exactly the subjects in expect.hit, and example.clean.N look-alike rows that
 * must make it silent. Each set is loaded into its own scratch workspace through the importer's
 * normalizers (fw_import_record), so examples are checked like real data, and the rule is run
 * there by the engine itself. */
#ifndef FW_RULETEST_H
#define FW_RULETEST_H

#include <stdbool.h>

#include "audit/profile.h"
#include "audit/rules.h"

typedef struct fw_ruletest_result {
    bool passed;
    char reason[4096]; /* why it failed, "file:line: ..." where a line is known; empty on success */
    long hits_on_hit_rows, hits_on_clean_rows;
} fw_ruletest_result;

/* Tests one rule of set. profile NULL: fw_profile_load(NULL). where: where the scratch workspaces
 * go: a folder for SQLite files ($TMPDIR or /tmp when NULL), or a PostgreSQL target, on whose
 * server each example set gets a scratch schema of its own, dropped afterwards with its rule role
 * (so that the examples prove the rule on both engines). Returns FW_OK when the test could be
 * carried out (the verdict is in out), or an error when no scratch workspace could be made. */
int fw_rule_test(fw_ruleset *set, fw_rule *r, const fw_profile *profile, const char *where,
                 fw_ruletest_result *out, fw_err *err);

/* Whether rule tests can make their scratch schemas on the server of a PostgreSQL target (a user
 * needs CREATE on the database): FW_OK, or why not in err. */
int fw_rule_test_server_usable(const char *server, fw_err *err);

/* Parses an example "DATASET: col=value, col=value" into its dataset and pairs (exposed for tests).
 * The caller frees with fw_example_free. FW_EDATA with err on a malformed example. */
typedef struct fw_example {
    char *dataset;
    int n;
    char **names, **values;
} fw_example;
int fw_example_parse(const char *text, fw_example *out, fw_err *err);
void fw_example_free(fw_example *ex);

#endif
