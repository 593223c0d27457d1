/* schema.c: the workspace schema, as a list of versioned migrations (fw_db_migrate, store/store.h)
 * for both engines. Migration N brings a workspace from version N-1 to N inside one transaction. A
 * released migration is never edited: a change is a new entry at the end of fw_migrations.
 *
 * Migration 1 is assembled from one section per engine module (store, rules, cases, trail) so that
 * each module's tables sit together; the dataset tables (ds_*) are generated from dataset.c. The
 * SQLite text is the one of every SQLite workspace so far; PostgreSQL's tables are the same DDL with
 * its spelling (pg_tables), its views and triggers its own. */
#include "audit/schema.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"
#include "audit/namekey.h"
#include "audit/partition.h"
#include "audit/shard.h"
#include "audit/sqlfunc.h"
#include "audit/util.h"

/* --- store: settings, imports, rejects, programs ------------------------------------------------ */
static const char core_v1[] =
    "CREATE TABLE settings (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL\n"
    ");\n"
    /* One row per import attempt. A failed import keeps its row and its rejects (so the user can
     * read why) but none of its data rows. */
    "CREATE TABLE imports (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  dataset TEXT NOT NULL,\n"
    "  file TEXT NOT NULL,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  encoding TEXT NOT NULL,\n"
    "  mode TEXT NOT NULL CHECK (mode IN ('append','replace')),\n"
    "  status TEXT NOT NULL CHECK (status IN ('loaded','failed','replaced')),\n"
    "  rows_read INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_loaded INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_rejected INTEGER NOT NULL DEFAULT 0,\n"
    "  rows_flagged INTEGER NOT NULL DEFAULT 0,\n"
    "  min_date TEXT, max_date TEXT,\n"
    "  user TEXT NOT NULL,\n"
    "  started_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  message TEXT\n"
    ");\n"
    "CREATE INDEX imports_sha ON imports(sha256);\n"
    "CREATE TABLE rejects (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
    "  line INTEGER NOT NULL,\n"
    "  col INTEGER,\n"          /* 1-based column number in the file, NULL for a whole-row problem */
    "  column_name TEXT,\n"     /* canonical column, or the file's header when unknown */
    "  value TEXT,\n"
    "  reason TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX rejects_import ON rejects(import_id);\n"
    /* Rows accepted with a warning (a negative amount, a 15-digit ID converted): kept, but visible. */
    "CREATE TABLE flags (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),\n"
    "  line INTEGER NOT NULL,\n"
    "  column_name TEXT,\n"
    "  value TEXT,\n"
    "  note TEXT NOT NULL\n"
    ");\n"
    /* Canonical programs from the import profile. Payments store the canonical name; names the
     * profile does not know stay as written and show up in `fundwatch programs` as unmapped. */
    "CREATE TABLE programs (\n"
    "  name TEXT PRIMARY KEY,\n"
    "  means_tested INTEGER NOT NULL DEFAULT 0,\n"
    "  fixed_amount INTEGER NOT NULL DEFAULT 0\n"   /* 1 = a fixed standard: excluded from Benford */
    ");\n";

/* --- rules engine: runs, per-rule results, hits and their evidence ----------------------------- */
static const char rules_v1[] =
    "CREATE TABLE runs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  user TEXT NOT NULL,\n"
    "  started_at TEXT NOT NULL,\n"
    "  finished_at TEXT,\n"
    "  status TEXT NOT NULL CHECK (status IN ('running','complete','interrupted','failed')),\n"
    "  selection TEXT,\n"        /* what was asked: all, --category, --only */
    "  imports TEXT,\n"          /* JSON array of the import ids the run read */
    "  hits_new INTEGER NOT NULL DEFAULT 0,\n"
    "  hits_present INTEGER NOT NULL DEFAULT 0,\n"
    "  hits_gone INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE TABLE run_rules (\n"
    "  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  rule_id TEXT NOT NULL,\n"
    "  version TEXT,\n"
    "  text_sha256 TEXT NOT NULL,\n" /* hash of the rule's section text as loaded */
    "  params TEXT,\n"               /* JSON object of the parameter values used */
    "  file TEXT,\n"
    "  status TEXT NOT NULL CHECK (status IN ('complete','interrupted','failed','skipped')),\n"
    "  hits INTEGER NOT NULL DEFAULT 0,\n"
    "  ms INTEGER NOT NULL DEFAULT 0,\n"
    "  message TEXT,\n"
    "  PRIMARY KEY (run_id, rule_id)\n"
    ");\n"
    "CREATE TABLE hits (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  fingerprint TEXT NOT NULL UNIQUE,\n" /* sha256(rule id, subject, sorted evidence keys) */
    "  rule_id TEXT NOT NULL,\n"
    "  category TEXT NOT NULL,\n"
    "  severity TEXT NOT NULL CHECK (severity IN ('high','medium','low')),\n"
    "  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('person','household','account','village')),\n"
    "  subject TEXT NOT NULL,\n"        /* id_number, household_id, bank account or village name */
    "  id_number TEXT,\n"
    "  name TEXT,\n"
    "  household_id TEXT,\n"
    "  township TEXT,\n"
    "  village TEXT,\n"
    "  program TEXT,\n"
    "  amount INTEGER NOT NULL DEFAULT 0,\n" /* money at risk, fen */
    "  first_date TEXT,\n"
    "  last_date TEXT,\n"
    "  detail TEXT NOT NULL,\n"
    "  evidence_hash TEXT NOT NULL,\n"  /* hash of the evidence rows' content: changes reopen leads */
    "  evidence_changed INTEGER NOT NULL DEFAULT 0,\n"
    "  state TEXT NOT NULL DEFAULT 'present' CHECK (state IN ('present','gone','whitelisted')),\n"
    "  first_run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  last_run_id INTEGER NOT NULL REFERENCES runs(id),\n"
    "  case_id INTEGER REFERENCES cases(id)\n"
    ");\n"
    "CREATE INDEX hits_rule ON hits(rule_id);\n"
    "CREATE INDEX hits_category ON hits(category, severity);\n"
    "CREATE INDEX hits_id_number ON hits(id_number);\n"
    "CREATE INDEX hits_name ON hits(name);\n"
    "CREATE INDEX hits_amount ON hits(amount);\n"
    "CREATE INDEX hits_place ON hits(township, village);\n"
    "CREATE INDEX hits_case ON hits(case_id);\n"
    "CREATE TABLE hit_evidence (\n"
    "  hit_id INTEGER NOT NULL REFERENCES hits(id),\n"
    "  dataset TEXT NOT NULL,\n"
    "  row_key TEXT NOT NULL,\n"
    "  PRIMARY KEY (hit_id, dataset, row_key)\n"
    ") WITHOUT ROWID;\n"
    /* Per-workspace overrides of rule parameters and enablement. */
    "CREATE TABLE rule_settings (\n"
    "  rule_id TEXT NOT NULL,\n"
    "  key TEXT NOT NULL,\n"             /* 'enabled' or 'param.NAME' */
    "  value TEXT NOT NULL,\n"
    "  PRIMARY KEY (rule_id, key)\n"
    ");\n";

/* --- cases: leads gathered per subject, their workflow, notes and the whitelist ------------------ */
static const char cases_v1[] =
    "CREATE TABLE cases (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  case_no TEXT NOT NULL UNIQUE,\n"     /* lead number FW-YYYY-NNNNNN */
    "  subject_kind TEXT NOT NULL,\n"
    "  subject TEXT NOT NULL,\n"
    "  id_number TEXT,\n"
    "  name TEXT,\n"
    "  county TEXT, township TEXT, village TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new','verifying','confirmed',"
    "'partly_confirmed','dismissed','rectifying','closed')),\n"
    "  resolved_by_data INTEGER NOT NULL DEFAULT 0,\n" /* every hit gone in a later run: kept, shown */
    "  assignee TEXT, received_at TEXT, due_date TEXT,\n"
    "  verify_method TEXT, verifier TEXT, verified_at TEXT,\n"
    "  conclusion TEXT,\n"
    "  dismiss_reason TEXT, dismiss_text TEXT,\n"
    "  measures TEXT,\n"                    /* comma list of measure keys */
    "  to_recover INTEGER NOT NULL DEFAULT 0,\n" /* fen */
    "  recovered INTEGER NOT NULL DEFAULT 0,\n"  /* fen */
    "  rectified_at TEXT, closed_at TEXT, closure_note TEXT,\n"
    /* A verdict awaiting a second reviewer (setting review.second = 1): the status it will take,
     * who asked and when. The verdict's fields are already written; status stays 'verifying'. */
    "  pending_status TEXT, pending_by TEXT, pending_at TEXT,\n"
    "  reviewed_by TEXT, reviewed_at TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL,\n"
    "  updated_by TEXT,\n"
    "  version INTEGER NOT NULL DEFAULT 1,\n" /* optimistic concurrency: bumped on every change */
    "  UNIQUE (subject_kind, subject)\n"
    ");\n"
    "CREATE INDEX cases_status ON cases(status);\n"
    "CREATE INDEX cases_assignee ON cases(assignee);\n"
    "CREATE TABLE case_notes (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),\n"
    "  user TEXT NOT NULL,\n"
    "  at TEXT NOT NULL,\n"
    "  text TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX case_notes_case ON case_notes(case_id);\n"
    /* Removing an entry keeps the row (removed_at/removed_by) so the list can show what was
     * suppressed and why, even after the fact. */
    "CREATE TABLE whitelist (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  id_number TEXT NOT NULL,\n"
    "  rule_id TEXT NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  user TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  until TEXT,\n"                 /* ISO date, inclusive; NULL = until removed */
    "  removed_at TEXT, removed_by TEXT\n"
    ");\n"
    "CREATE INDEX whitelist_subject ON whitelist(id_number, rule_id);\n";
/* What the rule engine reads: entries that suppress hits today (local date). */
static const char whitelist_view_v1[] =
    "CREATE VIEW whitelist_active AS\n"
    "  SELECT id, id_number, rule_id, reason, until FROM whitelist\n"
    "  WHERE removed_at IS NULL AND (until IS NULL OR until >= date('now', 'localtime'));\n";

/* --- trail: the append-only, hash-chained audit log --------------------------------------------- */
static const char trail_v1[] =
    "CREATE TABLE trail (\n"
    "  seq INTEGER PRIMARY KEY,\n"
    "  at TEXT NOT NULL,\n"
    "  user TEXT NOT NULL,\n"
    "  action TEXT NOT NULL,\n"      /* import, run, case.status, case.note, case.assign, export, setting, ... */
    "  object TEXT,\n"               /* e.g. case:12, import:3, run:5 */
    "  before TEXT,\n"               /* JSON */
    "  after TEXT,\n"                /* JSON */
    "  prev_hash TEXT NOT NULL,\n"
    "  hash TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX trail_object ON trail(object);\n";
static const char trail_triggers_v1[] = FW_TRAIL_NO_UPDATE_SQL ";\n" FW_TRAIL_NO_DELETE_SQL ";\n";

#define CASE_RANK_OF_LINKED_CASE "COALESCE((SELECT " CASE_RANK("status") " FROM cases WHERE id = NEW.case_id), 0)"


/* --- browse: indexes the hit list's sort orders walk (keyset paging, see browse.h) -------------- */
static const char browse_indexes_v1[] =
    "CREATE INDEX hits_severity_rank ON hits(" SEVERITY_RANK ");\n"
    "CREATE INDEX hits_village ON hits(village);\n"
    "CREATE INDEX hits_program ON hits(program);\n"
    /* Sorting by case status: the status lives in cases, so its workflow rank is kept on the hit by
     * triggers (whoever changes a case, CLI, TUI or another process) and the list walks an index
     * instead of sorting every hit per page. 0 = new (no case yet, or a case still new). */
    "ALTER TABLE hits ADD COLUMN case_rank INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX hits_case_rank ON hits(case_rank);\n";
static const char browse_triggers_v1[] =
    "CREATE TRIGGER hits_case_rank_link AFTER UPDATE OF case_id ON hits BEGIN\n"
    "  UPDATE hits SET case_rank = " CASE_RANK_OF_LINKED_CASE "\n"
    "  WHERE id = NEW.id; END;\n"
    "CREATE TRIGGER hits_case_rank_insert AFTER INSERT ON hits WHEN NEW.case_id IS NOT NULL BEGIN\n"
    "  UPDATE hits SET case_rank = " CASE_RANK_OF_LINKED_CASE "\n"
    "  WHERE id = NEW.id; END;\n"
    "CREATE TRIGGER cases_case_rank AFTER UPDATE OF status ON cases BEGIN\n"
    "  UPDATE hits SET case_rank = " CASE_RANK("NEW.status") " WHERE case_id = NEW.id; END;\n";
static const char browse_pairs_v1[] =
    /* A filter on one column under a sort by another of few values: (filter, sort key) pairs, so
     * the filtered list is read in order. Without them the list either sorts every match per page
     * or walks the sort's index skipping the rows of other values, and both cost hundreds of ms at a
     * million hits when the two columns go together (a rule has one severity and one category,
     * its hits rarely have cases). Sorts by many values (name, amount...) mix the filter's rows
     * evenly and walk fast; the pairs with the column itself need none (the key is fixed). */
    "CREATE INDEX hits_severity ON hits(severity);\n" /* in id order: severity=high under the severity sort */
    "CREATE INDEX hits_rule_status ON hits(rule_id, case_rank);\n"
    "CREATE INDEX hits_category_status ON hits(category, case_rank);\n"
    "CREATE INDEX hits_severity_status ON hits(severity, case_rank);\n"
    "CREATE INDEX hits_township_status ON hits(township, case_rank);\n"
    "CREATE INDEX hits_program_status ON hits(program, case_rank);\n"
    "CREATE INDEX hits_rule_severity ON hits(rule_id, " SEVERITY_RANK ");\n"
    "CREATE INDEX hits_category_severity ON hits(category, " SEVERITY_RANK ");\n"
    "CREATE INDEX hits_township_severity ON hits(township, " SEVERITY_RANK ");\n"
    "CREATE INDEX hits_program_severity ON hits(program, " SEVERITY_RANK ");\n"
    "CREATE INDEX hits_category_rule ON hits(category, rule_id);\n"
    "CREATE INDEX hits_severity_rule ON hits(severity, rule_id);\n"
    "CREATE INDEX hits_township_rule ON hits(township, rule_id);\n"
    "CREATE INDEX hits_program_rule ON hits(program, rule_id);\n"
    "CREATE INDEX hits_rule_program ON hits(rule_id, program);\n"
    "CREATE INDEX hits_category_program ON hits(category, program);\n"
    "CREATE INDEX hits_severity_program ON hits(severity, program);\n"
    "CREATE INDEX hits_township_program ON hits(township, program);\n"
    /* Two sorts by many values that do go with a filter: the ID number's first six digits are the
     * place of registration, hence the township; a program's payments have their own amounts. */
    "CREATE INDEX hits_township_id_number ON hits(township, id_number);\n"
    "CREATE INDEX hits_program_amount ON hits(program, amount);\n";

/* The same tables on PostgreSQL: what differs in the table DDL is spelling, rewritten by pg_tables
 * below; views and triggers are written for each engine. */

/* The trail is append-only on PostgreSQL too: refused by the database (P0001, a constraint fault in
 * the store), whoever writes; TRUNCATE, which fires no row trigger, as well. */
static const char trail_triggers_v1_pg[] =
    "CREATE FUNCTION " FW_TRAIL_GUARD_PG_FUNCTION "() RETURNS trigger LANGUAGE plpgsql AS $$" FW_TRAIL_GUARD_PG_BODY "$$;\n"
    "CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail FOR EACH ROW EXECUTE FUNCTION " FW_TRAIL_GUARD_PG_FUNCTION "();\n"
    "CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail FOR EACH ROW EXECUTE FUNCTION " FW_TRAIL_GUARD_PG_FUNCTION "();\n"
    "CREATE TRIGGER trail_no_truncate BEFORE TRUNCATE ON trail FOR EACH STATEMENT "
    "EXECUTE FUNCTION " FW_TRAIL_GUARD_PG_FUNCTION "();\n";

/* hits.case_rank kept as SQLite's triggers keep it: set before the hit row is written (no second
 * UPDATE of the row), and for every hit of a case whose status changes. */
static const char browse_triggers_v1_pg[] =
    "CREATE FUNCTION fw_hits_case_rank() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN NEW.case_rank := " CASE_RANK_OF_LINKED_CASE "; RETURN NEW; END $$;\n"
    "CREATE TRIGGER hits_case_rank_link BEFORE UPDATE OF case_id ON hits FOR EACH ROW "
    "EXECUTE FUNCTION fw_hits_case_rank();\n"
    "CREATE TRIGGER hits_case_rank_insert BEFORE INSERT ON hits FOR EACH ROW WHEN (NEW.case_id IS NOT NULL) "
    "EXECUTE FUNCTION fw_hits_case_rank();\n"
    "CREATE FUNCTION fw_cases_case_rank() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN UPDATE hits SET case_rank = " CASE_RANK("NEW.status") " WHERE case_id = NEW.id; RETURN NULL; END $$;\n"
    "CREATE TRIGGER cases_case_rank AFTER UPDATE OF status ON cases FOR EACH ROW "
    "EXECUTE FUNCTION fw_cases_case_rank();\n";

/* The local date as SQLite's date('now', 'localtime') writes it (the session's time zone). */
#define PG_TODAY "to_char(CURRENT_DATE, 'YYYY-MM-DD')"

static const char whitelist_view_v1_pg[] =
    "CREATE VIEW whitelist_active AS\n"
    "  SELECT id, id_number, rule_id, reason, until FROM whitelist\n"
    "  WHERE removed_at IS NULL AND (until IS NULL OR until >= " PG_TODAY ");\n";

/* Rewrites SQLite table DDL for PostgreSQL: an INTEGER PRIMARY KEY (SQLite's rowid alias, numbered
 * by the engine) becomes an identity column; INTEGER is 64 bits in SQLite (BIGINT) and REAL a double;
 * "user" is a reserved word of PostgreSQL (quoted: the same column on both engines); PostgreSQL
 * tables have no rowid to go without. A dataset table (ds_*) gets an explicit rowid column, which
 * the views and queries read as SQLite's implicit one. Only for the DDL of this file and dataset.c,
 * whose words are these. */
static void pg_tables(const char *sqlite_ddl, fw_buf *out)
{
    static const struct {
        const char *from, *to;
    } words[] = {
        {" INTEGER PRIMARY KEY", " BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
        {" INTEGER", " BIGINT"},
        {" REAL", " DOUBLE PRECISION"},
        {"\n  user TEXT", "\n  \"user\" TEXT"},
        {") WITHOUT ROWID;", ");"},
    };
    for (const char *c = sqlite_ddl; *c;) {
        size_t i, n = sizeof words / sizeof words[0];
        for (i = 0; i < n; i++)
            if (strncmp(c, words[i].from, strlen(words[i].from)) == 0)
                break;
        if (i < n) {
            fw_buf_puts(out, words[i].to);
            c += strlen(words[i].from);
        } else if (strncmp(c, "CREATE TABLE ds_", 16) == 0 && strchr(c, '(')) {
            const char *open = strchr(c, '(');
            fw_buf_add(out, c, (size_t)(open - c + 1));
            fw_buf_puts(out, "\n  rowid BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,");
            c = open + 1;
        } else
            fw_buf_putc(out, *c++);
    }
}

/* The dataset tables (ds_*) and their indexes, generated from dataset.c. */
static void dataset_tables(fw_buf *ddl)
{
    for (int i = 0; i < fw_ndatasets; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
        fw_dataset_ddl(ds, ddl);
        for (int k = 0, n = fw_dataset_indexes(ds, ix); k < n; k++)
            fw_dataset_index_sql(ds, &ix[k], ddl);
    }
}

const char *const fw_schema_v1_sqlite[] = {core_v1, rules_v1, cases_v1, whitelist_view_v1, trail_v1,
                                           trail_triggers_v1, browse_indexes_v1, browse_triggers_v1,
                                           browse_pairs_v1, NULL};

/* Migration 1: the sections in order (on PostgreSQL the tables first, cases before the hits that
 * refer to them, then views and triggers), the dataset tables, and on PostgreSQL the rule-facing
 * views, which SQLite makes per connection (TEMP, sqlfunc.c). */
static int apply_v1(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    fw_buf sql = {0}, datasets = {0};
    dataset_tables(&datasets);
    if (fw_db_engine(db) == FW_DB_POSTGRES) {
        const char *tables[] = {core_v1, cases_v1, rules_v1, trail_v1, browse_indexes_v1, browse_pairs_v1,
                                datasets.data};
        for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
            pg_tables(tables[i], &sql);
        fw_buf_puts(&sql, whitelist_view_v1_pg);
        fw_buf_puts(&sql, trail_triggers_v1_pg);
        fw_buf_puts(&sql, browse_triggers_v1_pg);
        fw_sqlfunc_views_sql(true, &sql);
    } else {
        for (const char *const *sec = fw_schema_v1_sqlite; *sec; sec++)
            fw_buf_puts(&sql, *sec);
        fw_buf_puts(&sql, datasets.data);
    }
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    fw_buf_free(&datasets);
    return rc;
}

/* --- 2: trail records carry their chain version; every trail starts with one fixed record ------ */
/* Records written before this migration keep version 1 (fields joined by a separator, which a
 * field holding the separator can shift text across); new ones are written as version 2 (fields
 * length-prefixed), see trail.c. A trail nothing was written to yet gets record 1, trail.start:
 * the same in every workspace (so its hash is a constant, pinned by test_trail.c), written here so
 * that no legitimate trail is ever empty and an emptied one is always seen as broken. The id names
 * the workspace in trail anchors (`log anchor`). */
static const char trail_v2[] =
    "ALTER TABLE trail ADD COLUMN version INTEGER NOT NULL DEFAULT 1;\n"
    "INSERT OR IGNORE INTO settings(key, value) VALUES ('" FW_WORKSPACE_ID_KEY "', lower(hex(randomblob(8))));\n"
    "CREATE TEMP TABLE fresh_trail AS SELECT 1 AS yes WHERE NOT EXISTS (SELECT 1 FROM trail)\n"
    "  AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'trail.head');\n"
    "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash, version)\n"
    "  SELECT 1, '-', 'fundwatch', 'trail.start', NULL, NULL,\n"
    "         '{\"note\":\"every audit trail begins with this record\"}',\n"
    "         '0000000000000000000000000000000000000000000000000000000000000000',\n"
    "         '" FW_TRAIL_START_HASH "', 2 FROM fresh_trail;\n"
    "INSERT INTO settings(key, value) SELECT 'trail.head', '1 " FW_TRAIL_START_HASH "' FROM fresh_trail;\n"
    "DROP TABLE fresh_trail;\n";
/* PostgreSQL: a random id without an extension (gen_random_uuid is core since 13); record 1 is
 * written with its number, so the identity's sequence is moved past it. */
static const char trail_v2_pg[] =
    "ALTER TABLE trail ADD COLUMN version BIGINT NOT NULL DEFAULT 1;\n"
    "INSERT INTO settings(key, value) VALUES ('" FW_WORKSPACE_ID_KEY "', "
    "substr(replace(gen_random_uuid()::text, '-', ''), 1, 16)) ON CONFLICT DO NOTHING;\n"
    "CREATE TEMP TABLE fresh_trail AS SELECT 1 AS yes WHERE NOT EXISTS (SELECT 1 FROM trail)\n"
    "  AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'trail.head');\n"
    "INSERT INTO trail(seq, at, \"user\", action, object, before, after, prev_hash, hash, version)\n"
    "  SELECT 1, '-', 'fundwatch', 'trail.start', NULL, NULL,\n"
    "         '{\"note\":\"every audit trail begins with this record\"}',\n"
    "         '0000000000000000000000000000000000000000000000000000000000000000',\n"
    "         '" FW_TRAIL_START_HASH "', 2 FROM fresh_trail;\n"
    "SELECT setval(pg_get_serial_sequence('trail', 'seq'), (SELECT COALESCE(max(seq), 0) + 1 FROM trail), false);\n"
    "INSERT INTO settings(key, value) SELECT 'trail.head', '1 " FW_TRAIL_START_HASH "' FROM fresh_trail;\n"
    "DROP TABLE fresh_trail;\n";

/* --- 3: a second reviewer for whitelist entries ------------------------------------------------- */
/* With setting review.second = 1 a whitelist entry, which turns leads into non-leads as a dismissal
 * does, waits for a second user (pending = 1) and suppresses nothing until approved; a rejected
 * entry is kept, removed, with its reviewer. The engine reads whitelist_active, so it leaves out
 * pending entries as it leaves out removed and expired ones. */
static const char whitelist_review_v3[] =
    "ALTER TABLE whitelist ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE whitelist ADD COLUMN reviewed_by TEXT;\n"
    "ALTER TABLE whitelist ADD COLUMN reviewed_at TEXT;\n"
    "DROP VIEW whitelist_active;\n"
    "CREATE VIEW whitelist_active AS\n"
    "  SELECT id, id_number, rule_id, reason, until FROM whitelist\n"
    "  WHERE removed_at IS NULL AND pending = 0 AND (until IS NULL OR until >= date('now', 'localtime'));\n";
static const char whitelist_review_v3_pg[] =
    "ALTER TABLE whitelist ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;\n"
    "ALTER TABLE whitelist ADD COLUMN reviewed_by TEXT;\n"
    "ALTER TABLE whitelist ADD COLUMN reviewed_at TEXT;\n"
    "DROP VIEW whitelist_active;\n"
    "CREATE VIEW whitelist_active AS\n"
    "  SELECT id, id_number, rule_id, reason, until FROM whitelist\n"
    "  WHERE removed_at IS NULL AND pending = 0 AND (until IS NULL OR until >= " PG_TODAY ");\n";

/* --- 4: name keys, kept invalid IDs (issue 16) ------------------------------------------------ */
/* The registries that name a person get name_simp, name_pinyin and name_fuzzy (audit/namekey.h),
 * their indexes, and the keys of the rows already loaded; the registries that keep rows with a
 * mistyped ID get id_number_raw (dataset.h). A workspace created by this version has
 * the columns from migration 1 (the dataset DDL declares them), so a column is added only where the
 * table lacks it: asked by preparing a query of it inside a savepoint, the same on both engines. */
static bool has_column(fw_db *db, const char *table, const char *column)
{
    fw_err err = {0};
    char *sql = fw_printf("SELECT %s FROM %s WHERE 1 = 0", column, table);
    fw_stmt *st = NULL;
    bool yes = fw_db_savepoint(db, "has_column", &err) == FW_OK && fw_db_prepare(db, sql, &st, &err) == FW_OK &&
               fw_stmt_step(st, &err) == 0;
    fw_stmt_finalize(st);
    free(sql);
    if (!yes)
        fw_db_rollback_to(db, "has_column", &err);
    fw_db_release(db, "has_column", &err);
    return yes;
}

/* Fills the keys of the rows of ds_<name> that have a name and no keys yet, one update per name. */
static int backfill_name_keys(fw_db *db, fw_namekeyer *keyer, const fw_dataset *ds, fw_err *err)
{
    char *sel = fw_printf("SELECT DISTINCT name FROM ds_%s WHERE name IS NOT NULL AND name_simp IS NULL", ds->name);
    char *upd = fw_printf("UPDATE ds_%s SET name_simp = ?, name_pinyin = ?, name_fuzzy = ? "
                          "WHERE name = ? AND name_simp IS NULL", ds->name);
    fw_stmt *names = NULL, *set = NULL;
    char **todo = NULL;
    size_t n = 0, cap = 0;
    int rc = fw_db_prepare(db, sel, &names, err);
    int step = 0;
    while (!rc && (step = fw_stmt_step(names, err)) == 1) {
        if (n == cap)
            todo = fw_realloc(todo, (cap = cap ? 2 * cap : 256) * sizeof *todo);
        todo[n++] = fw_strdup(fw_stmt_text(names, 0));
    }
    if (step < 0)
        rc = err->code;
    fw_stmt_finalize(names);
    if (!rc)
        rc = fw_db_prepare(db, upd, &set, err);
    for (size_t i = 0; !rc && i < n; i++) {
        fw_namekey k;
        fw_namekey_compute(keyer, todo[i], &k);
        fw_stmt_bind_text(set, 1, k.simp, -1);
        fw_stmt_bind_text(set, 2, k.pinyin, -1);
        fw_stmt_bind_text(set, 3, k.fuzzy, -1);
        fw_stmt_bind_text(set, 4, todo[i], -1);
        if (fw_stmt_step(set, err) < 0)
            rc = err->code;
        fw_stmt_reset(set);
    }
    fw_stmt_finalize(set);
    for (size_t i = 0; i < n; i++)
        free(todo[i]);
    free(todo);
    free(sel);
    free(upd);
    return rc;
}

static int name_keys_v4(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    fw_namekeyer *keyer = NULL;
    int rc = fw_namekeyer_open(&keyer, err);
    for (int i = 0; !rc && i < fw_ndatasets; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        bool keys = fw_dataset_has_name_keys(ds);
        if (!keys && !fw_dataset_keeps_bad_ids(ds))
            continue;
        char *table = fw_printf("ds_%s", ds->name);
        if (!has_column(db, table, "row_key")) { /* no such table (a test's bare schema): nothing to key */
            free(table);
            continue;
        }
        fw_buf sql = {0};
        for (int k = 0; keys && k < 3; k++)
            if (!has_column(db, table, fw_name_key_columns[k]))
                fw_buf_printf(&sql, "ALTER TABLE %s ADD COLUMN %s TEXT;\n", table, fw_name_key_columns[k]);
        if (fw_dataset_keeps_bad_ids(ds) && !has_column(db, table, "id_number_raw"))
            fw_buf_printf(&sql, "ALTER TABLE %s ADD COLUMN id_number_raw TEXT;\n", table);
        fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
        for (int k = 0, nix = fw_dataset_indexes(ds, ix); k < nix; k++)
            if (strstr(ix[k].columns, "name_"))
                fw_dataset_index_sql(ds, &ix[k], &sql);
        rc = sql.len ? fw_db_exec(db, sql.data, err) : FW_OK;
        if (!rc && keys)
            rc = backfill_name_keys(db, keyer, ds, err);
        fw_buf_free(&sql);
        free(table);
    }
    fw_namekeyer_close(keyer);
    return rc;
}

/* --- 5: verification orders (issue 15, docs/orders.md) ------------------------------------------ */
/* An order sends cases to a unit (a township, a bureau) as a workbook and takes its answers back.
 * orders: one per workbook sent; order_rows: one per case in it, with the facts it was sent with
 * (facts, the text the row's MAC covers), the case version then, and the unit's last answer;
 * order_files: every returned workbook, by SHA-256 (a file is taken once), with the copy kept as
 * evidence. The HMAC key of the row MACs is a setting (orders.mac_key), made on first dispatch.
 * IF NOT EXISTS: a workspace taken back to an older schema by hand (tests do) keeps these tables. */
static const char orders_v5[] =
    "CREATE TABLE IF NOT EXISTS orders (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_no TEXT NOT NULL UNIQUE,\n"   /* HC-2026-0001 */
    "  unit TEXT NOT NULL,\n"
    "  window_from TEXT NOT NULL,\n"       /* the day it was sent: answers dated from then ... */
    "  due_date TEXT NOT NULL,\n"          /* ... up to the due date */
    "  selection TEXT NOT NULL,\n"         /* the filter as text, and the sample drawn */
    "  sample_method TEXT, sample_seed TEXT, sample_size INTEGER,\n"
    "  workbook_file TEXT, workbook_sha256 TEXT NOT NULL,\n"
    "  rows INTEGER NOT NULL,\n"
    "  state TEXT NOT NULL DEFAULT 'dispatched' CHECK (state IN ('dispatched','returned','settled')),\n"
    "  created_by TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS order_rows (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  row_no INTEGER NOT NULL,\n"
    "  case_id INTEGER NOT NULL REFERENCES cases(id),\n"
    "  case_version INTEGER NOT NULL,\n"
    "  facts TEXT NOT NULL,\n"
    "  mac TEXT NOT NULL,\n"
    "  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open','answered','accepted','sent_back',"
    "'conflict','invalid')),\n"
    "  conclusion TEXT, verify_method TEXT, verifier TEXT, verified_at TEXT,\n"
    "  to_recover INTEGER, recovered INTEGER,\n" /* fen */
    "  measures TEXT, note TEXT,\n"
    "  problems TEXT,\n"                   /* why it is invalid or a conflict, one per line */
    "  file_id INTEGER,\n"                 /* the returned workbook the answer came from */
    "  sent_back_note TEXT,\n"
    "  updated_at TEXT,\n"
    "  UNIQUE (order_id, row_no)\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS order_rows_case ON order_rows(case_id);\n"
    "CREATE TABLE IF NOT EXISTS order_files (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  sha256 TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL,\n"              /* the file as given */
    "  copy_path TEXT NOT NULL,\n"         /* the copy kept as evidence */
    "  summary TEXT,\n"
    "  received_by TEXT NOT NULL,\n"
    "  received_at TEXT NOT NULL\n"
    ");\n";

static int orders_v5_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    fw_buf sql = {0};
    if (fw_db_engine(db) == FW_DB_POSTGRES)
        pg_tables(orders_v5, &sql);
    else
        fw_buf_puts(&sql, orders_v5);
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- 6: ICU readings kept, ID repairs (issue 16) --------------------------------------------- */
/* name_readings: ICU's Han-Latin/Names reading of each character an import has keyed, so the next
 * import need not build the transliterator (namekey.h, fw_namekeyer_know); '' for a character ICU
 * leaves as it is. id_repairs: for a registry row kept with an invalid ID (id_number
 * '!typed@dataset:line', id_number_raw the typed value), the valid IDs one typing error away that a
 * person holds, proposed by `fundwatch repairs` and accepted or rejected by a user (audit/repair.h);
 * only an accepted one changes the row. On PostgreSQL the rule-facing views are made again: they
 * now end with the name keys and id_number_raw of the datasets that have them (sqlfunc.c; SQLite
 * makes its TEMP views on each connection). */
static const char repairs_v6[] =
    "CREATE TABLE name_readings (\n"
    "  cp INTEGER NOT NULL PRIMARY KEY,\n"
    "  latin TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE id_repairs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  dataset TEXT NOT NULL,\n"
    "  import_id INTEGER NOT NULL,\n"
    "  line INTEGER NOT NULL,\n"
    "  flagged TEXT NOT NULL,\n"
    "  typed TEXT NOT NULL,\n"
    "  proposed TEXT NOT NULL,\n"
    "  row_name TEXT,\n"
    "  person_name TEXT,\n"
    "  why TEXT NOT NULL,\n"
    "  status TEXT NOT NULL DEFAULT 'proposed',\n"
    "  found_at TEXT NOT NULL,\n"
    "  decided_by TEXT,\n"
    "  decided_at TEXT,\n"
    "  reason TEXT,\n"
    "  UNIQUE (dataset, import_id, flagged, proposed)\n"
    ");\n";

/* Whether the view builder may list table.column (sqlfunc.h): the table has it now. */
static bool view_has_column(void *db, const char *table, const char *column)
{
    return has_column(db, table, column);
}

/* The rule-facing views made again on PostgreSQL as this version writes them (audit/sqlfunc.c),
 * with only the columns the tables have so far. */
static int pg_views_again(fw_db *db, fw_err *err)
{
    fw_buf sql = {0};
    fw_sqlfunc_views_sql_having(true, view_has_column, db, &sql);
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

static int repairs_v6_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return fw_db_exec(db, repairs_v6, err);
    fw_buf sql = {0};
    pg_tables(repairs_v6, &sql);
    /* the rule-facing views gain the name keys and id_number_raw (not yet the columns of migration 11) */
    fw_sqlfunc_views_sql_having(true, view_has_column, db, &sql);
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- 7: users, roles and region scoping on PostgreSQL (issue 13, docs/users.md) --------------- */
/* users: who may work in this workspace on a shared server, as which role and over which regions
 * (a comma list of 6-, 9- or 12-digit region codes: county, township, village); the LOGIN role of
 * the same name is the server's. hits and cases get region_code, the region of their subject (the
 * 12-digit code of the person's registration or payments, a village subject's 9-digit township
 * code), filled here for what is already stored and by the run and the case making from now on.
 * On SQLite the table and columns exist too (one schema), but nothing reads users: roles do not
 * apply on one workstation. */
/* The policies that read the payments (named here since migration 12 makes them again over the
 * partitioned table). */
#define WHITELIST_POLICY                                                                             \
    "CREATE POLICY fw_region ON whitelist USING ((SELECT fw_is_admin()) "                              \
    "OR EXISTS (SELECT 1 FROM ds_persons p WHERE p.id_number = whitelist.id_number) "                  \
    "OR EXISTS (SELECT 1 FROM ds_payments p WHERE p.id_number = whitelist.id_number));\n"

static const char users_v7[] =
    "CREATE TABLE users (\n"
    "  role_name TEXT PRIMARY KEY,\n"
    "  role TEXT NOT NULL,\n"
    "  regions TEXT NOT NULL DEFAULT '',\n"
    "  created_at TEXT NOT NULL,\n"
    "  created_by TEXT NOT NULL\n"
    ");\n"
    "ALTER TABLE hits ADD COLUMN region_code TEXT;\n"
    "ALTER TABLE cases ADD COLUMN region_code TEXT;\n"
    "CREATE INDEX hits_region ON hits(region_code);\n"
    "CREATE INDEX cases_region ON cases(region_code);\n";
static const char users_v7_backfill[] =
    "UPDATE hits SET region_code = " HIT_REGION_SQL("hits.subject_kind", "hits.id_number", "hits.household_id",
                                                    "hits.subject", "hits.township") ";\n"
    "UPDATE cases SET region_code = (SELECT max(h.region_code) FROM hits h WHERE h.case_id = cases.id);\n";

/* PostgreSQL: row-level security keyed on session_user, the role that logged in, which SET ROLE
 * (the rule sandbox) does not change. The workspace's owner (who ran init, and any member of that
 * role) is the administrator and sees every row; a role in users sees the rows whose region_code
 * starts with one of its regions; any other role sees none. The checks are two SECURITY DEFINER
 * functions (they read users, which no user may) called as scalar subqueries, so each is
 * evaluated once per statement, not per row. RLS is enabled, not forced: the owner is not subject
 * to it (forcing it would refuse the owner's COPY, the import's bulk load), and the rule views
 * become security_invoker views, so that reading persons reads ds_persons as the caller (or the
 * rule role) under these policies instead of as the views' owner, who bypasses them. Rows of the
 * tables without a region (hit_evidence, case_notes, order_rows) follow their hit or case, a whitelist
 * entry the person it names (their rows in persons or payments). The
 * settings may be read by every user, written only by the owner, except the trail's head, which
 * every writer of the trail moves. */
#define PG_SEES(col) "((SELECT fw_is_admin()) OR " col " LIKE ANY (COALESCE((SELECT fw_my_region_patterns()), '{}')))"
static const char users_v7_pg_functions[] =
    "DO $fw$ BEGIN\n"
    "EXECUTE format($f$CREATE FUNCTION fw_is_admin() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = %I AS $b$ SELECT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %L AND c.relname = 'users'), 'MEMBER') $b$$f$, "
    "current_schema(), current_schema());\n"
    "EXECUTE format($f$CREATE FUNCTION fw_my_region_patterns() RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = %I AS $b$ SELECT COALESCE((SELECT array_agg(r || '%%') FROM users u, "
    "unnest(string_to_array(u.regions, ',')) r WHERE u.role_name = session_user AND r <> ''), '{}') $b$$f$, "
    "current_schema());\n"
    /* The next case number counts every case, not only those the caller sees (cases.c). */
    "EXECUTE format($f$CREATE FUNCTION fw_case_max_id() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = %I AS $b$ SELECT COALESCE(max(id), 0) FROM cases $b$$f$, current_schema());\n"
    "END $fw$;\n"
    "REVOKE ALL ON users FROM PUBLIC;\n";

static int users_v7_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    bool pg = fw_db_engine(db) == FW_DB_POSTGRES;
    fw_buf sql = {0};
    if (pg)
        pg_tables(users_v7, &sql);
    else
        fw_buf_puts(&sql, users_v7);
    if (has_column(db, "ds_persons", "region_code") && has_column(db, "ds_payments", "region_code"))
        fw_buf_puts(&sql, users_v7_backfill);
    if (pg) {
        fw_buf_puts(&sql, users_v7_pg_functions);
        for (int i = 0; i < fw_ndatasets; i++) {
            const fw_dataset *ds = &fw_datasets[i];
            fw_buf_printf(&sql, "ALTER VIEW %s SET (security_invoker = true);\n", ds->name);
            if (fw_dataset_column(ds, "region_code") && strcmp(ds->name, "standards") != 0)
                fw_buf_printf(&sql,
                              "ALTER TABLE ds_%s ENABLE ROW LEVEL SECURITY;\n"
                              "CREATE POLICY fw_region ON ds_%s USING " PG_SEES("region_code") ";\n",
                              ds->name, ds->name);
        }
        fw_buf_puts(&sql,
                    "ALTER TABLE hits ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY fw_region ON hits USING " PG_SEES("region_code") ";\n"
                    "ALTER TABLE cases ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY fw_region ON cases USING " PG_SEES("region_code") ";\n"
                    "ALTER TABLE hit_evidence ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY fw_region ON hit_evidence USING "
                    "(EXISTS (SELECT 1 FROM hits h WHERE h.id = hit_evidence.hit_id));\n"
                    "ALTER TABLE case_notes ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY fw_region ON case_notes USING "
                    "(EXISTS (SELECT 1 FROM cases c WHERE c.id = case_notes.case_id));\n"
                    "ALTER TABLE order_rows ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY fw_region ON order_rows USING "
                    "(EXISTS (SELECT 1 FROM cases c WHERE c.id = order_rows.case_id));\n"
                    /* a whitelist entry names a person: it is the regions' whose registry or
                     * ledger holds that person (those subqueries are themselves scoped) */
                    "ALTER TABLE whitelist ENABLE ROW LEVEL SECURITY;\n" WHITELIST_POLICY
                    "ALTER TABLE settings ENABLE ROW LEVEL SECURITY;\n"
                    "CREATE POLICY fw_read ON settings FOR SELECT USING (true);\n"
                    "CREATE POLICY fw_write ON settings FOR ALL USING ((SELECT fw_is_admin()) OR key = 'trail.head') "
                    "WITH CHECK ((SELECT fw_is_admin()) OR key = 'trail.head');\n");
    }
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- 8: the citizen kiosk (issue 13, docs/kiosk.md) ------------------------------------------- */
/* citizen_reports: "这笔钱我没有收到" pressed at a kiosk on one payment (payment_key: the payments
 * row_key, the evidence key; the program, month and amount copied as the citizen saw them). The view
 * `reports` is what rule CIT-001 (rules/citizen.ini) reads, so a report becomes a hit through the
 * normal run, fingerprints and cases. trail_action_at serves the kiosk's rate limit, which counts the
 * last minute's kiosk.lookup records. */
static const char kiosk_v8[] =
    "CREATE TABLE IF NOT EXISTS citizen_reports (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  payment_key TEXT NOT NULL,\n"
    "  id_number TEXT NOT NULL,\n"
    "  program TEXT,\n"
    "  period TEXT,\n"
    "  amount INTEGER,\n" /* fen */
    "  reported_at TEXT NOT NULL,\n"
    "  kiosk TEXT NOT NULL,\n"
    "  reported_by TEXT NOT NULL\n" /* the trail's user: the login (PostgreSQL: session_user) */
    ");\n"
    "CREATE INDEX IF NOT EXISTS citizen_reports_payment ON citizen_reports(payment_key);\n"
    "CREATE INDEX IF NOT EXISTS trail_action_at ON trail(action, at);\n";
/* The view's query; PostgreSQL's is security_invoker like the dataset views (sqlfunc.c), and a
 * report is seen by whoever may see its payment (row-level security, migration 7). */
static const char kiosk_v8_view[] =
    " AS SELECT id AS rid, id AS report_id, payment_key, id_number, program, period, amount,\n"
    "  reported_at, kiosk FROM citizen_reports;\n";
#define CITIZEN_REPORTS_POLICY                                                                       \
    "CREATE POLICY fw_region ON citizen_reports USING ((SELECT fw_is_admin()) OR EXISTS (SELECT 1 FROM ds_payments p " \
    "WHERE p.row_key = citizen_reports.payment_key));\n"
static const char kiosk_v8_pg_scope[] =
    "CREATE OR REPLACE VIEW reports WITH (security_invoker = true)%s"
    "ALTER TABLE citizen_reports ENABLE ROW LEVEL SECURITY;\n" CITIZEN_REPORTS_POLICY;

/* PostgreSQL: the kiosk's two SECURITY DEFINER functions and the role that may call them and
 * nothing else. They run as the workspace's owner with a fixed search_path (@S@: the workspace's
 * schema), check the ID number's check character, enforce the rate limit (setting kiosk.rate,
 * default 10 a minute per database login: a client can ask for less, never more) and append the
 * trail in chain version 2 exactly as audit/trail.c hashes it (the netstring encoding, sha256 built
 * into PostgreSQL 11+), after checking that the trail's end is the stored head, so `log verify`
 * stays green. fw_kiosk_ns is one netstring field; fw_kiosk_trail is not granted to anyone. */
static const char kiosk_v8_pg_functions[] =
    "CREATE OR REPLACE FUNCTION fw_kiosk_ns(t text) RETURNS text LANGUAGE sql IMMUTABLE\n"
    "  SET search_path = pg_catalog AS\n"
    "$f$ SELECT CASE WHEN t IS NULL THEN '-,' ELSE octet_length(t)::text || ':' || t || ',' END $f$;\n"
    "CREATE OR REPLACE FUNCTION fw_kiosk_id_ok(p text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE\n"
    "  SET search_path = pg_catalog AS $f$\n"
    "DECLARE w int[] := ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; s int := 0;\n"
    "BEGIN\n"
    "  IF p IS NULL OR p !~ '^[0-9]{17}[0-9X]$' THEN RETURN false; END IF;\n"
    "  FOR i IN 1..17 LOOP s := s + substr(p, i, 1)::int * w[i]; END LOOP;\n"
    "  RETURN substr('10X98765432', s % 11 + 1, 1) = substr(p, 18, 1);\n"
    "END $f$;\n"
    "CREATE OR REPLACE FUNCTION fw_kiosk_id_hash(p text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER\n"
    "  SET search_path = @S@, pg_temp AS\n"
    "$f$ SELECT encode(sha256(convert_to('fundwatch-kiosk:' || COALESCE((SELECT value FROM settings\n"
    "    WHERE key = 'workspace.id'), '') || ':' || COALESCE(p, ''), 'UTF8')), 'hex') $f$;\n"
    "CREATE OR REPLACE FUNCTION fw_kiosk_trail(p_action text, p_object text, p_after text) RETURNS void\n"
    "  LANGUAGE plpgsql SECURITY DEFINER SET search_path = @S@, pg_temp AS $f$\n"
    "DECLARE l_seq bigint; l_hash text; l_head text; v_seq bigint; v_at text; v_user text := session_user::text;\n"
    "  v_h text;\n"
    "BEGIN\n"
    /* One appender at a time (FW_TRAIL_PG_LOCK, audit/trail.c takes the same), before anything is
     * read: appenders wait for each other instead of taking the same number or deadlocking. */
    "  PERFORM " FW_TRAIL_PG_LOCK ";\n"
    "  SELECT value INTO l_head FROM settings WHERE key = 'trail.head';\n"
    "  SELECT seq, hash INTO l_seq, l_hash FROM trail ORDER BY seq DESC LIMIT 1;\n"
    "  IF l_seq IS NULL OR l_head IS DISTINCT FROM (l_seq::text || ' ' || l_hash) THEN\n"
    "    RAISE EXCEPTION 'refused: the audit trail was altered outside fundwatch (its last record is not the stored head); nothing was written. Run fundwatch log verify';\n"
    "  END IF;\n"
    "  v_seq := l_seq + 1;\n"
    "  v_at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"');\n"
    "  v_h := encode(sha256(convert_to('fundwatch-trail-v2' || chr(10) || fw_kiosk_ns(l_hash) || fw_kiosk_ns(v_seq::text)\n"
    "        || fw_kiosk_ns(v_at) || fw_kiosk_ns(v_user) || fw_kiosk_ns(p_action) || fw_kiosk_ns(p_object)\n"
    "        || '-,' || fw_kiosk_ns(p_after), 'UTF8')), 'hex');\n"
    "  INSERT INTO trail(seq, at, \"user\", action, object, before, after, prev_hash, hash, version)\n"
    "    VALUES (v_seq, v_at, v_user, p_action, p_object, NULL, p_after, l_hash, v_h, 2);\n"
    "  UPDATE settings SET value = v_seq::text || ' ' || v_h WHERE key = 'trail.head';\n"
    "END $f$;\n"
    "CREATE OR REPLACE FUNCTION fw_kiosk_lookup(p_id text, p_kiosk text, p_rate integer DEFAULT NULL)\n"
    "  RETURNS TABLE(status text, name text, program text, period text, amount bigint, department text,\n"
    "                payment_key text, pay_date text, window_from text, window_to text)\n"
    "  LANGUAGE plpgsql SECURITY DEFINER SET search_path = @S@, pg_temp AS $f$\n"
    "DECLARE v_obj text := 'kiosk:' || COALESCE(p_kiosk, ''); v_h text := fw_kiosk_id_hash(p_id);\n"
    "  v_rate int; v_n bigint; v_since text; v_last text; v_from text;\n"
    "BEGIN\n"
    "  IF NOT fw_kiosk_id_ok(p_id) THEN\n"
    "    PERFORM fw_kiosk_trail('kiosk.refused', v_obj, '{\"why\":\"check_digit\",\"id_sha256\":\"' || v_h || '\"}');\n"
    "    RETURN QUERY SELECT 'bad_id'::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text,\n"
    "      NULL::text, NULL::text, NULL::text, NULL::text;\n"
    "    RETURN;\n"
    "  END IF;\n"
    "  v_rate := COALESCE((SELECT value FROM settings WHERE key = 'kiosk.rate')::int, 10);\n"
    "  IF p_rate IS NOT NULL AND p_rate > 0 AND p_rate < v_rate THEN v_rate := p_rate; END IF;\n"
    "  v_since := to_char((clock_timestamp() - interval '60 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"');\n"
    "  SELECT count(*) INTO v_n FROM trail t WHERE t.action = 'kiosk.lookup' AND t.at > v_since\n"
    "    AND t.\"user\" = session_user::text;\n"
    "  IF v_n >= v_rate THEN\n"
    "    PERFORM fw_kiosk_trail('kiosk.refused', v_obj, '{\"why\":\"rate\",\"id_sha256\":\"' || v_h || '\"}');\n"
    "    RETURN QUERY SELECT 'rate'::text, NULL::text, NULL::text, NULL::text, v_rate::bigint, NULL::text,\n"
    "      NULL::text, NULL::text, NULL::text, NULL::text;\n"
    "    RETURN;\n"
    "  END IF;\n"
    "  PERFORM fw_kiosk_trail('kiosk.lookup', v_obj, '{\"id_sha256\":\"' || v_h || '\"}');\n"
    "  SELECT max(COALESCE(d.period, substr(d.pay_date, 1, 7))) INTO v_last FROM ds_payments d;\n"
    "  IF v_last IS NULL THEN v_last := to_char(CURRENT_DATE, 'YYYY-MM'); END IF;\n"
    "  v_from := to_char(to_date(v_last || '-01', 'YYYY-MM-DD') - interval '23 months', 'YYYY-MM');\n"
    "  RETURN QUERY SELECT 'ok'::text, left(d.name, 1) || repeat('*', greatest(char_length(d.name) - 1, 1)),\n"
    "      d.program, COALESCE(d.period, substr(d.pay_date, 1, 7)), d.amount, d.township, d.row_key, d.pay_date,\n"
    "      v_from, v_last\n"
    "    FROM ds_payments d WHERE d.id_number = p_id\n"
    "      AND COALESCE(d.period, substr(d.pay_date, 1, 7)) BETWEEN v_from AND v_last\n"
    "    ORDER BY 4 DESC, d.pay_date DESC, d.rowid;\n"
    "  IF NOT FOUND THEN\n"
    "    RETURN QUERY SELECT 'none'::text, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text,\n"
    "      NULL::text, NULL::text, v_from, v_last;\n"
    "  END IF;\n"
    "END $f$;\n"
    "CREATE OR REPLACE FUNCTION fw_kiosk_report(p_id text, p_payment_key text, p_kiosk text) RETURNS bigint\n"
    "  LANGUAGE plpgsql SECURITY DEFINER SET search_path = @S@, pg_temp AS $f$\n"
    "DECLARE v_r bigint; p record;\n"
    "BEGIN\n"
    "  IF NOT fw_kiosk_id_ok(p_id) THEN RAISE EXCEPTION 'not a valid ID number'; END IF;\n"
    "  SELECT d.program, COALESCE(d.period, substr(d.pay_date, 1, 7)) AS period, d.amount INTO p\n"
    "    FROM ds_payments d WHERE d.id_number = p_id AND d.row_key = p_payment_key LIMIT 1;\n"
    "  IF NOT FOUND THEN RAISE EXCEPTION 'no such payment to this ID number'; END IF;\n"
    "  INSERT INTO citizen_reports(payment_key, id_number, program, period, amount, reported_at, kiosk, reported_by)\n"
    "    VALUES (p_payment_key, p_id, p.program, p.period, p.amount,\n"
    "            to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),\n"
    "            COALESCE(p_kiosk, ''), session_user::text) RETURNING id INTO v_r;\n"
    "  PERFORM fw_kiosk_trail('kiosk.report', 'kiosk:' || COALESCE(p_kiosk, ''),\n"
    "    '{\"report\":' || v_r || ',\"payment\":' || to_json('payments:' || p_payment_key)::text\n"
    "    || ',\"id_sha256\":\"' || fw_kiosk_id_hash(p_id) || '\"}');\n"
    "  RETURN v_r;\n"
    "END $f$;\n"
    "REVOKE ALL ON FUNCTION fw_kiosk_ns(text), fw_kiosk_id_ok(text), fw_kiosk_id_hash(text),\n"
    "  fw_kiosk_trail(text, text, text), fw_kiosk_lookup(text, text, integer), fw_kiosk_report(text, text, text)\n"
    "  FROM PUBLIC;\n"
    /* The group role: roles are the server's, so one per workspace (fw_kiosk_ + its id, as the rule
     * sandbox's fw_rules_). A migrating user who may not create roles still gets the functions, with
     * a warning; docs/kiosk.md says how the owner makes the role afterwards. */
    "DO $fw$\n"
    "DECLARE r text := 'fw_kiosk_' || regexp_replace(COALESCE((SELECT value FROM settings WHERE key = 'workspace.id'),\n"
    "  'workspace'), '[^A-Za-z0-9_]', '_', 'g');\n"
    "BEGIN\n"
    "  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN\n"
    "    EXECUTE format('CREATE ROLE %I NOLOGIN', r);\n"
    "  END IF;\n"
    "  EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), r);\n"
    "  EXECUTE format('GRANT EXECUTE ON FUNCTION fw_kiosk_lookup(text, text, integer), fw_kiosk_report(text, text, text) TO %I', r);\n"
    "EXCEPTION WHEN insufficient_privilege THEN\n"
    "  RAISE WARNING 'fundwatch: the kiosk role % could not be made (%): let a user who may create roles open the workspace once', r, SQLERRM;\n"
    "END\n"
    "$fw$;\n";

static int kiosk_v8_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    fw_buf sql = {0};
    if (fw_db_engine(db) != FW_DB_POSTGRES) {
        fw_buf_printf(&sql, "%sCREATE VIEW IF NOT EXISTS reports%s", kiosk_v8, kiosk_v8_view);
        int rc = fw_db_exec(db, sql.data, err);
        fw_buf_free(&sql);
        return rc;
    }
    pg_tables(kiosk_v8, &sql);
    fw_buf_printf(&sql, kiosk_v8_pg_scope, kiosk_v8_view);
    /* The functions' search_path names the workspace's schema (a SECURITY DEFINER function must not
     * resolve names through the caller's path). */
    fw_stmt *st;
    if (fw_db_prepare(db, "SELECT quote_ident(current_schema())", &st, err)) {
        fw_buf_free(&sql);
        return err->code;
    }
    int step = fw_stmt_step(st, err);
    char *schema = step == 1 && fw_stmt_text(st, 0) ? fw_strdup(fw_stmt_text(st, 0)) : fw_strdup("public");
    fw_stmt_finalize(st);
    if (step < 0) {
        free(schema);
        fw_buf_free(&sql);
        return err->code;
    }
    for (const char *c = kiosk_v8_pg_functions; *c;) {
        if (strncmp(c, "@S@", 3) == 0) {
            fw_buf_puts(&sql, schema);
            c += 3;
        } else
            fw_buf_putc(&sql, *c++);
    }
    free(schema);
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- 9: change notices on PostgreSQL (issue 13) ------------------------------------------------ */
/* An open screen asks "did someone else change the workspace?" (fw_db_data_version). SQLite answers
 * it with PRAGMA data_version; PostgreSQL's snapshot, used before, also moves for autovacuum and
 * other databases' writes. These statement-level triggers send a notice (schema.h,
 * FW_NOTIFY_PG_BODY) when a table a screen shows changes; a statement fires once however many rows it
 * touches, and PostgreSQL folds equal notices of one transaction, so a run's million hits send one.
 * The function is SECURITY DEFINER so that any role that may write the tables (a kiosk) may also
 * read the workspace id it needs; its search_path is pg_catalog and it names the schema itself.
 * SQLite needs nothing: the step only records the version. */
static const char notify_v9_pg[] =
    "CREATE FUNCTION " FW_NOTIFY_PG_FUNCTION "() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
    "SET search_path = pg_catalog AS $$" FW_NOTIFY_PG_BODY "$$;\n"
    /* cases: the ids of the cases inserted, changed or deleted */
    "CREATE TRIGGER cases_notify_insert AFTER INSERT ON cases REFERENCING NEW TABLE AS fw_changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "('id');\n"
    "CREATE TRIGGER cases_notify_update AFTER UPDATE ON cases REFERENCING NEW TABLE AS fw_changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "('id');\n"
    "CREATE TRIGGER cases_notify_delete AFTER DELETE ON cases REFERENCING OLD TABLE AS fw_changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "('id');\n"
    /* a note belongs to a case: its case's id */
    "CREATE TRIGGER case_notes_notify_insert AFTER INSERT ON case_notes REFERENCING NEW TABLE AS fw_changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "('case_id');\n"
    "CREATE TRIGGER case_notes_notify AFTER UPDATE OR DELETE ON case_notes "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n"
    /* the others by name only: a run's hits are too many to list */
    "CREATE TRIGGER hits_notify AFTER INSERT OR UPDATE OR DELETE ON hits "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n"
    "CREATE TRIGGER whitelist_notify AFTER INSERT OR UPDATE OR DELETE ON whitelist "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n"
    "CREATE TRIGGER orders_notify AFTER INSERT OR UPDATE OR DELETE ON orders "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n"
    "CREATE TRIGGER order_rows_notify AFTER INSERT OR UPDATE OR DELETE ON order_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n"
    "CREATE TRIGGER runs_notify AFTER INSERT OR UPDATE OR DELETE ON runs "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n"
    /* the trail takes only inserts (its guard refuses the rest); log verify knows this trigger */
    "CREATE TRIGGER " FW_NOTIFY_TRAIL_TRIGGER " AFTER INSERT ON trail "
    "FOR EACH STATEMENT EXECUTE FUNCTION " FW_NOTIFY_PG_FUNCTION "();\n";

static int notify_v9_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    return fw_db_exec(db, notify_v9_pg, err);
}

/* --- 10: cancelling a verification order (docs/orders.md "Cancelling") ------------------------------
 * orders: who cancelled it, when and why (a cancelled order is one whose cancelled_at is set: the
 * state CHECK of migration 5 cannot be widened in SQLite without rebuilding the table, so the
 * state shown, 'cancelled', is derived from it). order_rows: the case's assignment before the
 * dispatch (prior_kept = 1 when recorded; rows of orders sent before this step have 0), so that a
 * cancellation gives the case back its 承办单位, date received and 办结时限. */
static const struct {
    const char *table, *column, *type;
} orders_cancel_v10[] = {
    {"orders", "cancelled_at", "TEXT"},
    {"orders", "cancelled_by", "TEXT"},
    {"orders", "cancel_reason", "TEXT"},
    {"order_rows", "prior_kept", "INTEGER NOT NULL DEFAULT 0"},
    {"order_rows", "prior_assignee", "TEXT"},
    {"order_rows", "prior_received_at", "TEXT"},
    {"order_rows", "prior_due", "TEXT"},
};

/* Each column added unless it is there already (a step recorded as undone and run again). */
static int orders_cancel_v10_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    bool pg = fw_db_engine(db) == FW_DB_POSTGRES;
    for (size_t i = 0; i < sizeof orders_cancel_v10 / sizeof orders_cancel_v10[0]; i++) {
        char *q = pg ? fw_printf("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                                 "AND table_name = '%s' AND column_name = '%s'",
                                 orders_cancel_v10[i].table, orders_cancel_v10[i].column)
                     : fw_printf("SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                                 orders_cancel_v10[i].table, orders_cancel_v10[i].column);
        long long have = 0;
        int rc = fw_db_query_int(db, q, &have, err);
        free(q);
        if (!rc && !have) {
            q = fw_printf("ALTER TABLE %s ADD COLUMN %s %s", orders_cancel_v10[i].table, orders_cancel_v10[i].column,
                          orders_cancel_v10[i].type);
            rc = fw_db_exec(db, q, err);
            free(q);
        }
        if (rc)
            return rc;
    }
    return FW_OK;
}

/* --- 11: name-only relatives (issue 16) -------------------------------------------------------- */
/* The 近亲属备案 registers often give a relative's name, relation and village without an ID:
 * ds_relatives gains relative_name, relative_village, relative_birth and the keys of relative_name
 * (dataset.c, since 11), and relative_id_number may be empty when relative_name is given. PostgreSQL
 * drops the NOT NULL and appends the columns to the view; SQLite cannot drop a NOT NULL, so its table
 * is made again from the current DDL with the rows copied, rowids kept (rules read rowid as rid).
 * A workspace created by this version already has all of it: nothing to do but the view. */
static int relatives_v11(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    const fw_dataset *ds = fw_dataset_find("relatives");
    if (!has_column(db, "ds_relatives", "row_key") || has_column(db, "ds_relatives", "relative_name")) {
        return fw_db_engine(db) == FW_DB_POSTGRES ? pg_views_again(db, err) : FW_OK;
    }
    fw_buf sql = {0}, cols = {0};
    fw_buf_puts(&cols, "import_id, line, row_key");
    for (int i = 0; i < ds->ncolumns; i++)
        if (!ds->columns[i].since)
            fw_buf_printf(&cols, ", %s", ds->columns[i].name);
    if (has_column(db, "ds_relatives", "id_number_raw"))
        fw_buf_puts(&cols, ", id_number_raw");
    if (fw_db_engine(db) == FW_DB_POSTGRES) {
        fw_buf_puts(&sql, "ALTER TABLE ds_relatives ALTER COLUMN relative_id_number DROP NOT NULL;\n");
        const char *const *keys;
        fw_dataset_keyed_name(ds, &keys);
        for (int i = 0; i < ds->ncolumns; i++)
            if (ds->columns[i].since)
                fw_buf_printf(&sql, "ALTER TABLE ds_relatives ADD COLUMN %s TEXT;\n", ds->columns[i].name);
        for (int k = 0; k < 3; k++)
            fw_buf_printf(&sql, "ALTER TABLE ds_relatives ADD COLUMN %s TEXT;\n", keys[k]);
        fw_sqlfunc_views_sql(true, &sql);
    } else {
        /* This connection's TEMP view reads the new columns already (store.c makes the views before
         * migrating), and a rename would make it follow the old table: dropped, made again after. */
        fw_buf_puts(&sql, "DROP VIEW IF EXISTS temp.relatives;\n");
        fw_buf_puts(&sql, "ALTER TABLE ds_relatives RENAME TO ds_relatives_v10;\n");
        fw_dataset_ddl(ds, &sql);
        fw_buf_printf(&sql, "INSERT INTO ds_relatives(rowid, %s) SELECT rowid, %s FROM ds_relatives_v10;\n",
                      cols.data, cols.data);
        fw_buf_puts(&sql, "DROP TABLE ds_relatives_v10;\n");
        fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
        for (int k = 0, nix = fw_dataset_indexes(ds, ix); k < nix; k++)
            fw_dataset_index_sql(ds, &ix[k], &sql);
        fw_sqlfunc_views_sql(false, &sql); /* CREATE TEMP VIEW IF NOT EXISTS: only relatives is missing */
    }
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    fw_buf_free(&cols);
    return rc;
}

/* --- 12: payments partitioned by county and year on PostgreSQL (issue 12, docs/scale.md) ------ */
/* ds_payments becomes LIST-partitioned by county (FW_PART_COUNTY_EXPR), each county by year
 * (FW_PART_YEAR_EXPR); partitions are made on demand (audit/partition.c). A partitioned table can
 * have no primary key on an expression key, so rowid (still the identity the hits cite) gets a
 * plain index. The old table's rows move with their rowids, the rule-facing views are pointed at
 * the new table, the old one is dropped: all in this migration's transaction. SQLite: nothing. */
static int partition_v12_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    const fw_dataset *ds = fw_dataset_find("payments");
    fw_buf ddl = {0}, pg = {0}, parent = {0}, after = {0}, cols = {0};
    fw_dataset_ddl(ds, &ddl);
    pg_tables(ddl.data, &pg);
    /* no primary key; the partition key */
    const char *pk = strstr(pg.data, " PRIMARY KEY,"), *end = strstr(pg.data, "\n);\n");
    fw_buf_add(&parent, pg.data, (size_t)(pk - pg.data));
    fw_buf_add(&parent, ",", 1);
    fw_buf_add(&parent, pk + 13, (size_t)(end - (pk + 13)));
    fw_buf_puts(&parent, "\n) PARTITION BY LIST (" FW_PART_COUNTY_EXPR ");\n");
    fw_buf_puts(&parent, "CREATE TABLE " FW_PART_OTHER_TABLE " PARTITION OF ds_payments DEFAULT;\n");
    fw_dataset_index ix[FW_DATASET_MAX_INDEXES];
    for (int k = 0, n = fw_dataset_indexes(ds, ix); k < n; k++) {
        fw_buf_printf(&parent, "DROP INDEX IF EXISTS %s;\n", ix[k].name); /* the old table's, by name */
        fw_dataset_index_sql(ds, &ix[k], &after);
    }
    fw_buf_puts(&after, "CREATE INDEX " FW_PART_ROWID_INDEX " ON ds_payments(rowid);\n");
    fw_sqlfunc_views_sql(true, &after);
    /* Region scoping (migration 7) goes to the new table; the policies that read the payments
     * (the citizen reports', the whitelist's) name the old one: they are made again over the new. */
    fw_buf_puts(&after, "DROP POLICY IF EXISTS fw_region ON citizen_reports;\n"
                        "DROP POLICY IF EXISTS fw_region ON whitelist;\n"
                        "DROP TABLE ds_payments_unpartitioned;\n"
                        "ALTER TABLE ds_payments ENABLE ROW LEVEL SECURITY;\n"
                        "CREATE POLICY fw_region ON ds_payments USING " PG_SEES("region_code") ";\n"
                        CITIZEN_REPORTS_POLICY WHITELIST_POLICY);
    /* the columns, as fw_dataset_ddl declares them */
    fw_buf_puts(&cols, "import_id, line, row_key");
    for (int i = 0; i < ds->ncolumns; i++) {
        fw_buf_printf(&cols, ", %s", ds->columns[i].name);
        if (ds->columns[i].type == FW_COL_PROGRAM)
            fw_buf_puts(&cols, ", program_raw");
    }
    for (int k = 0; fw_dataset_has_name_keys(ds) && k < 3; k++)
        fw_buf_printf(&cols, ", %s", fw_name_key_columns[k]);
    if (fw_dataset_keeps_bad_ids(ds))
        fw_buf_puts(&cols, ", id_number_raw");
    int rc = fw_part_migrate_v12(db, parent.data, after.data, cols.data, err);
    fw_buf_free(&ddl);
    fw_buf_free(&pg);
    fw_buf_free(&parent);
    fw_buf_free(&after);
    fw_buf_free(&cols);
    return rc;
}

/* --- 13: shards (issue 12, docs/scale.md) ------------------------------------------------------ */
/* Which PostgreSQL servers hold which counties' payments (audit/shard.c; the partitions themselves
 * are postgres_fdw foreign tables, the servers and user mappings the catalogue's), and per run the
 * counties it could not check because their shard was down: the run is incomplete for them, and
 * their hits are not marked gone. On SQLite the tables stay empty (no shards), so the engine's SQL
 * is the same on both. */
static const char shards_v13[] =
    "CREATE TABLE shards (\n"
    "  name TEXT PRIMARY KEY,\n"   /* fw_shard_1, ...: the postgres_fdw SERVER's name */
    "  place TEXT NOT NULL,\n"     /* host:port/dbname, never a password */
    "  added_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE shard_counties (\n"
    "  county TEXT PRIMARY KEY,\n"
    "  shard TEXT NOT NULL REFERENCES shards(name)\n"
    ");\n"
    "CREATE TABLE run_unchecked (\n"
    "  run_id BIGINT NOT NULL REFERENCES runs(id),\n"
    "  county TEXT NOT NULL,\n"
    "  shard TEXT NOT NULL,\n"
    "  reason TEXT NOT NULL,\n"
    "  PRIMARY KEY (run_id, county)\n"
    ");\n";

/* --- 14: the registries without a place, scoped by the person they concern (issue 13) --------- */
/* Migration 7 scoped the tables that carry a region code; the registries without one (deaths,
 * relatives, businesses, vehicles, properties, prisoners, students, disabilities, pensions) stayed
 * readable whole by every scoped user, so an inspector could read any county's deaths or vehicles.
 * A row of them concerns a person by its ID number: it is visible when that person is one the user
 * sees (a row of persons, payments or officials, each scoped by migration 7's policies, which apply
 * inside this one too), a relatives row also when the relative is. The rules join these registries
 * to persons and payments by the same ID number, so a scoped run finds the same hits of its regions
 * (bench/scope.sh: the same hits with and without these policies). A row whose typed ID number is
 * invalid (stored as '!...', the typed one in id_number_raw) names nobody exactly; the near rules
 * (rules/near.ini) link it to a person by the name keys and an ID number one or two digits away
 * or with the same birth date: such a row is visible when a person the user sees has its fuzzy
 * name and such an ID number, so the near rules keep their hits too. The owner is not subject to
 * row-level security (migration 7), so the owner's runs cost nothing more; SQLite: nothing (roles
 * do not apply). */
static const char registries_v14_pg[] =
    /* at most two of the 18 characters differ (a slip, a transposition, a check digit), or the same
     * birth date (digits 7-14): what the near rules accept */
    "CREATE FUNCTION fw_id_near(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ "
    "SELECT length(a) = 18 AND length(b) = 18 AND (substr(a, 7, 8) = substr(b, 7, 8) OR "
    "(SELECT count(*) FROM generate_series(1, 18) i WHERE substr(a, i, 1) <> substr(b, i, 1)) <= 2) $$;\n";

/* The payments of the counties a run could not check left out of a policy's subquery over ds_payments
 * (migration 20): the county of each payment (the partition key) differs from each of the first
 * FW_SHARD_UNCHECKED_SLOTS codes of the run's setting ('-', no county, for an empty slot). Each slot is
 * a stable expression of constants and current_setting(), so the executor prunes those counties'
 * partitions when it starts the plan, before postgres_fdw would connect to their shard. */
static void unchecked_out(fw_buf *sql)
{
    fw_buf_puts(sql, " AND " FW_PART_COUNTY_EXPR " <> ALL (ARRAY[");
    for (int i = 1; i <= FW_SHARD_UNCHECKED_SLOTS; i++)
        fw_buf_printf(sql,
                      "%sCOALESCE(NULLIF(split_part(current_setting('" FW_SHARD_UNCHECKED_SETTING
                      "', true), ',', %d), ''), '-')",
                      i > 1 ? ", " : "", i);
    fw_buf_puts(sql, "])");
}

/* How a registry's policy asks whether the person of t.col is in the payments the user sees: an EXISTS
 * over ds_payments, since migration 20 without the unchecked counties' payments (why: at migration 20). */
static void paid_test(bool unchecked_out_too, const char *t, const char *col, fw_buf *sql)
{
    fw_buf_printf(sql, "EXISTS (SELECT 1 FROM ds_payments p WHERE p.id_number = %s.%s", t, col);
    if (unchecked_out_too)
        unchecked_out(sql);
    fw_buf_puts(sql, ")");
}

/* The one place that writes a registry's policy (migrations 14 and 20). */
static void registry_policy(const fw_dataset *ds, bool unchecked_out_too, fw_buf *sql)
{
    char t[64];
    snprintf(t, sizeof t, "ds_%s", ds->name);
    fw_buf_printf(sql, "CREATE POLICY fw_person ON %s USING ((SELECT fw_is_admin()) OR "
                       "EXISTS (SELECT 1 FROM ds_persons p WHERE p.id_number = %s.id_number) OR ",
                  t, t);
    paid_test(unchecked_out_too, t, "id_number", sql);
    fw_buf_printf(sql, " OR EXISTS (SELECT 1 FROM ds_officials o WHERE o.id_number = %s.id_number)", t);
    if (fw_dataset_column(ds, "relative_id_number")) {
        fw_buf_printf(sql, " OR EXISTS (SELECT 1 FROM ds_persons p WHERE p.id_number = %s.relative_id_number) OR ", t);
        paid_test(unchecked_out_too, t, "relative_id_number", sql);
    }
    if (fw_dataset_has_name_keys(ds) && fw_dataset_keeps_bad_ids(ds))
        fw_buf_printf(sql, " OR (%s.id_number LIKE '!%%' AND EXISTS (SELECT 1 FROM ds_persons p WHERE "
                           "p.name_fuzzy = %s.name_fuzzy AND fw_id_near(p.id_number, upper(%s.id_number_raw))))",
                      t, t, t);
    fw_buf_puts(sql, ");\n");
}

/* The registries migration 14 scopes: those with an ID number and no region code. */
static bool unplaced_registry(const fw_dataset *ds)
{
    return fw_dataset_column(ds, "id_number") && !fw_dataset_column(ds, "region_code");
}

static int registries_v14_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    fw_buf sql = {0};
    fw_buf_puts(&sql, registries_v14_pg);
    for (int i = 0; i < fw_ndatasets; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        if (unplaced_registry(ds)) {
            fw_buf_printf(&sql, "ALTER TABLE ds_%s ENABLE ROW LEVEL SECURITY;\n", ds->name);
            registry_policy(ds, false, &sql);
        }
    }
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- 16: the hit list's sort indexes ending with the id, PostgreSQL only (issue 11) -----------------
 * The list is ordered by its sort key, then the id. SQLite's index on a key orders its ties by rowid,
 * so it serves both; PostgreSQL's does not, and the first page sorted by severity sorted the 285,000
 * high ones of the bench's million hits (2.8 s; 96 ms with the id in the index, bench/tui.sh). */
static const char *const sort_id_v16_pg =
    "CREATE INDEX hits_severity_rank_then_id ON hits(" SEVERITY_RANK ", id);\n"
    "CREATE INDEX hits_rule_then_id ON hits(rule_id, id);\n"
    "CREATE INDEX hits_name_then_id ON hits(name, id);\n"
    "CREATE INDEX hits_id_number_then_id ON hits(id_number, id);\n"
    "CREATE INDEX hits_village_then_id ON hits(village, id);\n"
    "CREATE INDEX hits_program_then_id ON hits(program, id);\n"
    "CREATE INDEX hits_amount_then_id ON hits(amount, id);\n"
    "CREATE INDEX hits_case_rank_then_id ON hits(case_rank, id);\n";

static int sort_id_v16_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    return fw_db_exec(db, sort_id_v16_pg, err);
}

/* --- 17: id repairs and orders scoped by region, PostgreSQL only (issue 13, docs/users.md) ---------
 * Migration 7 scoped every table with personal data but these three: an ID repair proposal names a
 * person (the ID number proposed, a person of persons or payments) and is seen by whoever sees that
 * person; an order is seen by whoever made it or sees one of its rows (order_rows follow their case),
 * its returned files by whoever sees the order. One policy each, for reads and writes, as migration
 * 7's (USING also checks new rows: an order is inserted by the session that makes it, created_by =
 * session_user, docs/users.md "Who acts"). The next order number counts every order through
 * fw_order_count (SECURITY DEFINER), as fw_case_max_id does for cases. The orders' MAC key
 * (orders.mac_key) is made by the first dispatch, which may be an inspector's: anybody may insert
 * it, nobody but the owner change it (the settings' policy of migration 7), so outstanding
 * workbooks keep verifying. SQLite: nothing. */
static const char scope_v17_pg[] =
    "DO $fw$ BEGIN\n"
    "EXECUTE format($f$CREATE FUNCTION fw_order_count() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER "
    "SET search_path = %I AS $b$ SELECT count(*) FROM orders $b$$f$, current_schema());\n"
    "END $fw$;\n"
    "ALTER TABLE id_repairs ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY fw_person ON id_repairs USING ((SELECT fw_is_admin()) "
    "OR EXISTS (SELECT 1 FROM ds_persons p WHERE p.id_number = id_repairs.proposed) "
    "OR EXISTS (SELECT 1 FROM ds_payments p WHERE p.id_number = id_repairs.proposed));\n"
    "ALTER TABLE orders ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY fw_region ON orders USING ((SELECT fw_is_admin()) OR created_by = session_user "
    "OR EXISTS (SELECT 1 FROM order_rows r WHERE r.order_id = orders.id));\n"
    "ALTER TABLE order_files ENABLE ROW LEVEL SECURITY;\n"
    "CREATE POLICY fw_region ON order_files USING ((SELECT fw_is_admin()) "
    "OR EXISTS (SELECT 1 FROM orders o WHERE o.id = order_files.order_id));\n"
    "CREATE POLICY fw_order_key ON settings FOR INSERT WITH CHECK (key = 'orders.mac_key');\n";

static int scope_v17_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    return fw_db_exec(db, scope_v17_pg, err);
}

/* --- 18: the filtered hit list's indexes ending with the id, PostgreSQL only (issue 11) -----------
 * A filtered list (rule=R-005 under the case status sort) is read through a (filter, sort key)
 * pair of step 1 and ordered by key, then id. As with the sort indexes before step 16, PostgreSQL's
 * pair leaves the ties of the key in no order, so its planner sorted the matches or walked the sort
 * key's index past the other rules' hits instead (868 ms for that filter, bench/tui.sh). Each pair
 * is made again ending with the id, under its name, and hits_severity, the one column read in id
 * order (severity=high), too: as many indexes as before, but larger (a key of few values is no longer
 * deduplicated once the id ends it: 10 -> 52-60 MB each at a million hits), so saving hits there
 * is about 1.5 times slower (docs/tui.md, "Issue 11: a filter on PostgreSQL").
 * The keys a village's hit leaves NULL (name, ID number, village, program) are indexed NULLS FIRST:
 * the list sorts NULL first on both engines (SQLite's order; PostgreSQL's default is last, and the
 * pages' anchors, browse.c fetch_beyond, take SQLite's side), and only an index in that order gives
 * it without a sort. The single-column indexes stay: dropping hits_case_rank, which step 16's (case_rank, id) seems
 * to cover, turned status=confirmed from 30 ms into 2 s (the planner priced the wider index higher
 * and scanned hits_case instead). */
static const char *const pair_id_v18_pg[] = {
    "hits_severity", "severity",
    "hits_rule_status", "rule_id, case_rank",
    "hits_category_status", "category, case_rank",
    "hits_severity_status", "severity, case_rank",
    "hits_township_status", "township, case_rank",
    "hits_program_status", "program, case_rank",
    "hits_rule_severity", "rule_id, " SEVERITY_RANK,
    "hits_category_severity", "category, " SEVERITY_RANK,
    "hits_township_severity", "township, " SEVERITY_RANK,
    "hits_program_severity", "program, " SEVERITY_RANK,
    "hits_category_rule", "category, rule_id",
    "hits_severity_rule", "severity, rule_id",
    "hits_township_rule", "township, rule_id",
    "hits_program_rule", "program, rule_id",
    "hits_rule_program", "rule_id, program NULLS FIRST",
    "hits_category_program", "category, program NULLS FIRST",
    "hits_severity_program", "severity, program NULLS FIRST",
    "hits_township_program", "township, program NULLS FIRST",
    "hits_township_id_number", "township, id_number NULLS FIRST",
    "hits_program_amount", "program, amount",
    /* step 16's sort indexes of the keys a village's hit leaves NULL, in the list's order */
    "hits_name_then_id", "name NULLS FIRST",
    "hits_id_number_then_id", "id_number NULLS FIRST",
    "hits_village_then_id", "village NULLS FIRST",
    "hits_program_then_id", "program NULLS FIRST",
    NULL,
};

static int pair_id_v18_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    fw_buf sql = {0};
    fw_buf_puts(&sql, "");
    for (const char *const *p = pair_id_v18_pg; *p; p += 2)
        fw_buf_printf(&sql, "DROP INDEX %s;\nCREATE INDEX %s ON hits(%s, id);\n", p[0], p[0], p[1]);
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* Migration 19 (PostgreSQL): the payments view joins the programs' tags instead of looking them up
 * per payment (audit/sqlfunc.c says why); the other views are made again unchanged. */
static int views_v19_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    return fw_db_engine(db) == FW_DB_POSTGRES ? pg_views_again(db, err) : FW_OK;
}

/* --- 20: policies that a shard down does not fail (issue 12, docs/scale.md) ------------------------
 * Migration 14's registry policies read ds_payments inline: `(SELECT fw_is_admin()) OR ... OR EXISTS
 * (SELECT 1 FROM ds_payments p ...)`, and so does the citizen reports' (migration 8, made again by
 * 12). That ds_payments is the partitioned table (bound when the policy was made; a run's TEMP view
 * leaving a stopped shard's counties out does not apply), and the executor initialises the EXISTS's
 * SubPlan even when fw_is_admin() is true and it is never evaluated; postgres_fdw connects to every
 * foreign partition in BeginForeignScan, so with a shard down every rule reading such a table
 * (deaths, vehicles, relatives, ..., CIT-001's reports) failed naming the shard, the owner's too.
 * Here each such EXISTS also leaves out the counties of the run's setting fw.unchecked_counties
 * (unchecked_out: audit/shard.c sets it on the run's and the workers' connections): a comparison of
 * the partition key with stable expressions, which the executor's initial pruning evaluates when
 * the plan starts, so the unchecked counties' foreign partitions are never begun, and the shard
 * never asked. Unset (every shard up, any other session) each slot is '-', which no county is: the
 * policies show exactly the rows migrations 14 and 8 showed, with the same plans (a plpgsql
 * function per row, tried first, made an inspector's reading of the registries 2-2.5 times slower:
 * docs/scale.md). A user setting it can only hide payments from their own policies, never reveal a
 * row; the setting is read through pg_catalog functions bound when the policy is made, so no
 * search_path or TEMP object of the user's changes what a policy sees. SQLite: nothing (roles do
 * not apply). */
static int paid_v20_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    fw_buf sql = {0};
    for (int i = 0; i < fw_ndatasets; i++) {
        const fw_dataset *ds = &fw_datasets[i];
        if (unplaced_registry(ds)) {
            fw_buf_printf(&sql, "DROP POLICY IF EXISTS fw_person ON ds_%s;\n", ds->name);
            registry_policy(ds, true, &sql);
        }
    }
    fw_buf_puts(&sql, "DROP POLICY IF EXISTS fw_region ON citizen_reports;\n"
                      "CREATE POLICY fw_region ON citizen_reports USING ((SELECT fw_is_admin()) OR EXISTS (SELECT 1 "
                      "FROM ds_payments p WHERE p.row_key = citizen_reports.payment_key");
    unchecked_out(&sql);
    fw_buf_puts(&sql, "));\n");
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

/* --- 21: the deaths registry's date for every user (PostgreSQL) ----------------------------------
 * DEC-004 measured its grace period from the newest death its reader could see: for an inspector,
 * the newest death of their region, so a person of theirs dead for months before the registry's
 * date could be within "90 days" of it and missed. deaths_newest (sqlfunc.h) is read with the
 * owner's rights. SQLite: nothing (a TEMP view on every connection, store.c). */
static int deaths_newest_v21_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return FW_OK;
    fw_buf sql = {0};
    fw_sqlfunc_deaths_newest_sql(true, &sql);
    /* Whoever may read the deaths view may read its newest date: the reader groups and rule roles
     * of a workspace that had users before this migration (later ones get it where the others'
     * grants are given: users.c's group_grants, engine.c's rule roles). */
    fw_buf_puts(&sql, "DO $fw$ DECLARE g text; BEGIN\n"
                      "FOR g IN SELECT DISTINCT r.rolname FROM pg_class c, aclexplode(c.relacl) a "
                      "JOIN pg_roles r ON r.oid = a.grantee WHERE c.oid = to_regclass('deaths') "
                      "AND a.privilege_type = 'SELECT' AND a.grantee <> c.relowner LOOP\n"
                      "  EXECUTE format('GRANT SELECT ON deaths_newest TO %I', g);\n"
                      "END LOOP; END $fw$;\n");
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
    return rc;
}

const fw_db_migration fw_migrations[] = {
    {1, "initial schema", NULL, NULL, NULL, apply_v1},
    {2, "trail chain version, workspace id", NULL, trail_v2, trail_v2_pg, NULL},
    {3, "whitelist second reviewer", NULL, whitelist_review_v3, whitelist_review_v3_pg, NULL},
    {4, "name keys of the person registries, invalid IDs kept", NULL, NULL, NULL, name_keys_v4},
    {5, "verification orders", NULL, NULL, NULL, orders_v5_apply},
    {6, "ICU readings of name characters, ID repairs", NULL, NULL, NULL, repairs_v6_apply},
    {7, "users, roles and region scoping", NULL, NULL, NULL, users_v7_apply},
    {8, "citizen kiosk: reports, lookup functions, kiosk role", NULL, NULL, NULL, kiosk_v8_apply},
    {9, "change notices on PostgreSQL", NULL, NULL, NULL, notify_v9_apply},
    {10, "cancelling verification orders", NULL, NULL, NULL, orders_cancel_v10_apply},
    {11, "name-only relatives: relative_name, relative_village, relative_birth", NULL, NULL, NULL, relatives_v11},
    {12, "payments partitioned by county and year (PostgreSQL)", NULL, NULL, NULL, partition_v12_apply},
    {13, "shards: postgres_fdw servers, their counties, counties a run could not check", shards_v13, NULL, NULL,
     NULL},
    {14, "registries without a region scoped by the person they concern (PostgreSQL)", NULL, NULL, NULL,
     registries_v14_apply},
    {16, "hit list sort indexes ending with the id (PostgreSQL)", NULL, NULL, NULL, sort_id_v16_apply},
    {17, "id repairs, orders and their files scoped by region (PostgreSQL)", NULL, NULL, NULL, scope_v17_apply},
    {18, "filtered hit list indexes ending with the id (PostgreSQL)", NULL, NULL, NULL, pair_id_v18_apply},
    {19, "payments view joins the programs' tags (PostgreSQL)", NULL, NULL, NULL, views_v19_apply},
    {20, "registries' and citizen reports' policies leave out a run's unchecked counties (PostgreSQL)", NULL, NULL,
     NULL, paid_v20_apply},
    {21, "the deaths registry's newest date readable whole by scoped users (PostgreSQL)", NULL, NULL, NULL,
     deaths_newest_v21_apply},
};
const int fw_nmigrations = (int)(sizeof fw_migrations / sizeof fw_migrations[0]);
