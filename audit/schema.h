/* schema.h: the schema migrations store.c applies (fw_db_migrate, on both engines), and the SQL
 * expressions the schema and its queries share. */
#ifndef FW_SCHEMA_H
#define FW_SCHEMA_H

#include "audit/store/store.h"

extern const fw_db_migration fw_migrations[];
extern const int fw_nmigrations;

/* Migration 1's SQLite sections without the dataset tables (NULL-terminated): tests build the
 * workspace of an older fundwatch from them. */
extern const char *const fw_schema_v1_sqlite[];

/* Expressions the schema indexes and audit/browse.c queries by: written once, since the planner
 * uses an index on an expression only for a query that spells it the same way. */

/* A case status's place in the workflow, the order the hit list sorts by (0 = new); kept on the
 * hit as hits.case_rank by triggers. */
#define CASE_RANK(status)                                                                           \
    "CASE " status " WHEN 'new' THEN 0 WHEN 'verifying' THEN 1 WHEN 'confirmed' THEN 2 "             \
    "WHEN 'partly_confirmed' THEN 3 WHEN 'rectifying' THEN 4 WHEN 'closed' THEN 5 "                  \
    "WHEN 'dismissed' THEN 6 ELSE 7 END"

/* The stored program sets (hits.program, audit/profile.h) that contain the program given as the SQL
 * expression p: a filter on one program matches every hit paid under it, alone or with others.
 * The distinct sets are found by seeking the hits_program index from one value to the next (a few
 * seeks, however many hits), so `h.program IN (...)` still uses the index. */
#define PROGRAM_SETS_CONTAINING(p)                                                                  \
    "(WITH RECURSIVE fw_ps(v) AS (SELECT min(program) FROM hits UNION ALL "                       \
    "SELECT (SELECT min(program) FROM hits WHERE program > fw_ps.v) FROM fw_ps WHERE fw_ps.v IS NOT NULL) " \
    "SELECT v FROM fw_ps WHERE v IS NOT NULL AND instr(',' || v || ',', ',' || " p " || ',') > 0)"

/* The audit trail's append-only triggers, exactly as migration 1 creates them: `log verify` checks
 * that the workspace still has these and no others on the trail or the settings. */
#define FW_TRAIL_NO_UPDATE_SQL                                                                      \
    "CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail\n"                                       \
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
#define FW_TRAIL_NO_DELETE_SQL                                                                      \
    "CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail\n"                                       \
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"

/* PostgreSQL's guard of the trail (migration 1): the body of the trigger function fw_trail_append_only,
 * which triggers trail_no_update, trail_no_delete and trail_no_truncate call; `log verify` checks it. */
#define FW_TRAIL_GUARD_PG_FUNCTION "fw_trail_append_only"
#define FW_TRAIL_GUARD_PG_BODY "\nBEGIN RAISE EXCEPTION 'the audit trail is append-only'; END "

/* On PostgreSQL every append to the trail first takes this transaction-level advisory lock (per
 * workspace schema; any role may take it, unlike LOCK TABLE): audit/trail.c's appends and the
 * kiosk's functions (migration 8) then follow one another, none reading an end that another is
 * about to move. */
#define FW_TRAIL_PG_LOCK FW_PG_XACT_LOCK("trail")

/* On PostgreSQL whatever grants on a workspace's tables or makes its roles (a run setting up its rule
 * role, `user add` its group's grants) first takes this lock: two such transactions at once failed
 * with "tuple concurrently updated" (two GRANTs rewriting one table's privileges), and two first
 * runs could both find the rule role missing and both CREATE it. */
#define FW_ROLES_PG_LOCK FW_PG_XACT_LOCK("roles")

/* The hash of record 1 of every trail started under migration 2 (trail.start, fixed content). */
#define FW_TRAIL_START_HASH "e38fd3f6242867b98ffa2a0418efe5d1fe29e31c8e67582a1639a5254562c725"

/* The settings key of the workspace's random id (migration 2), which trail anchors name. */
#define FW_WORKSPACE_ID_KEY "workspace.id"

/* PostgreSQL's change notices (migration 9, issue 13): statement-level AFTER triggers on the tables
 * screens show call FW_NOTIFY_PG_FUNCTION, which sends pg_notify on the channel FW_NOTIFY_CHANNEL_PREFIX
 * || the workspace id with the table's name, and for cases and case notes ":" and the ids of the
 * cases changed ("cases:3,17"; "cases:many" past 500 ids or 7000 bytes of them, a notice's payload must
 * stay under 8000 bytes). A session LISTENs (fw_db_listen) and counts the notices other sessions
 * sent (fw_db_data_version). The workspace id is read when the trigger fires, so a copied workspace
 * (fw_ws_copy writes the source's id) notifies the channel its users listen on. `log verify`
 * accepts the trail's notice trigger only with this body. */
#define FW_NOTIFY_CHANNEL_PREFIX "fw_"
#define FW_NOTIFY_PG_FUNCTION "fw_notify_change"
#define FW_NOTIFY_TRAIL_TRIGGER "trail_notify"
#define FW_NOTIFY_PG_BODY                                                                              \
    "\nDECLARE ch text; ids text; n bigint; payload text := TG_TABLE_NAME;\n"                         \
    "BEGIN\n"                                                                                         \
    "  EXECUTE format('SELECT value FROM %I.settings WHERE key = $1', TG_TABLE_SCHEMA)\n"             \
    "    INTO ch USING '" FW_WORKSPACE_ID_KEY "';\n"                                                  \
    "  IF ch IS NULL THEN RETURN NULL; END IF;\n"                                                     \
    "  IF TG_NARGS > 0 THEN\n"                                                                        \
    "    EXECUTE format('SELECT count(*), string_agg(x, '','') FROM (SELECT DISTINCT %I::text AS x'\n" \
    "      || ' FROM fw_changed LIMIT 501) d', TG_ARGV[0]) INTO n, ids;\n"                             \
    "    IF n > 500 OR length(ids) > 7000 THEN ids := 'many'; END IF;\n"                              \
    "    IF ids IS NOT NULL THEN payload := payload || ':' || ids; END IF;\n"                          \
    "  END IF;\n"                                                                                     \
    "  PERFORM pg_notify('" FW_NOTIFY_CHANNEL_PREFIX "' || ch, payload);\n"                          \
    "  RETURN NULL;\n"                                                                                \
    "END "
/* The region code of a hit's subject (migration 7, the run's insert in engine.c), from the SQL
 * expressions of its columns: the person's registration in persons, else their latest payment's
 * region; a household's from persons; an account's from the payments into it; else (a village
 * subject) the 9-digit code of its township. NULL when none of the datasets knows it. */
#define HIT_REGION_SQL(kind, id_number, household, subject, township)                                 \
    "COALESCE((SELECT region_code FROM ds_persons WHERE id_number = " id_number                        \
    " AND region_code IS NOT NULL LIMIT 1), "                                                           \
    "(SELECT region_code FROM ds_payments WHERE id_number = " id_number                                 \
    " AND region_code IS NOT NULL ORDER BY pay_date DESC LIMIT 1), "                                   \
    "(SELECT region_code FROM ds_persons WHERE household_id = " household                               \
    " AND region_code IS NOT NULL LIMIT 1), "                                                           \
    "CASE WHEN " kind " = 'account' THEN (SELECT region_code FROM ds_payments WHERE bank_account = "    \
    subject " AND region_code IS NOT NULL LIMIT 1) END, "                                               \
    "(SELECT substr(region_code, 1, 9) FROM ds_persons WHERE township = " township                     \
    " AND region_code IS NOT NULL LIMIT 1), "                                                           \
    "(SELECT substr(region_code, 1, 9) FROM ds_payments WHERE township = " township                    \
    " AND region_code IS NOT NULL LIMIT 1))"

/* The severity order of the hit list. */
#define SEVERITY_RANK "(CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END)"

#endif
