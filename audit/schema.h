/* schema.h: the list of schema migrations applied by store.c. */
#ifndef FW_SCHEMA_H
#define FW_SCHEMA_H

typedef struct fw_migration {
    int version;                  /* PRAGMA user_version after this migration */
    const char *what;
    const char *const *sections;  /* NULL-terminated list of SQL scripts */
    int with_datasets;            /* 1: also create the ds_* tables from dataset.c */
} fw_migration;

extern const fw_migration fw_migrations[];
extern const int fw_nmigrations;

/* Expressions the schema indexes and audit/browse.c queries by: written once, since the planner
 * uses an index on an expression only for a query that spells it the same way. */

/* A case status's place in the workflow, the order the hit list sorts by (0 = new); kept on the
 * hit as hits.case_rank by triggers. */
#define CASE_RANK(status)                                                                           \
    "CASE " status " WHEN 'new' THEN 0 WHEN 'verifying' THEN 1 WHEN 'confirmed' THEN 2 "             \
    "WHEN 'partly_confirmed' THEN 3 WHEN 'rectifying' THEN 4 WHEN 'closed' THEN 5 "                  \
    "WHEN 'dismissed' THEN 6 ELSE 7 END"

/* The audit trail's append-only triggers, exactly as migration 1 creates them: `log verify` checks
 * that the workspace still has these and no others on the trail or the settings. */
#define FW_TRAIL_NO_UPDATE_SQL                                                                      \
    "CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail\n"                                       \
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
#define FW_TRAIL_NO_DELETE_SQL                                                                      \
    "CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail\n"                                       \
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"

/* The hash of record 1 of every trail started under migration 2 (trail.start, fixed content). */
#define FW_TRAIL_START_HASH "e38fd3f6242867b98ffa2a0418efe5d1fe29e31c8e67582a1639a5254562c725"

/* The settings key of the workspace's random id (migration 2), which trail anchors name. */
#define FW_WORKSPACE_ID_KEY "workspace.id"

/* The severity order of the hit list. */
#define SEVERITY_RANK "(CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)"

#endif
