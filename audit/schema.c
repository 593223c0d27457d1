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
#include <stdlib.h>
#include <string.h>

#include "audit/dataset.h"
#include "audit/namekey.h"
#include "audit/partition.h"
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

static int repairs_v6_apply(fw_db *db, void *ctx, fw_err *err)
{
    (void)ctx;
    if (fw_db_engine(db) != FW_DB_POSTGRES)
        return fw_db_exec(db, repairs_v6, err);
    fw_buf sql = {0};
    pg_tables(repairs_v6, &sql);
    fw_sqlfunc_views_sql(true, &sql); /* the rule-facing views gain the name keys and id_number_raw */
    int rc = fw_db_exec(db, sql.data, err);
    fw_buf_free(&sql);
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
    fw_buf_puts(&after, "DROP TABLE ds_payments_unpartitioned;\n");
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

const fw_db_migration fw_migrations[] = {
    {1, "initial schema", NULL, NULL, NULL, apply_v1},
    {2, "trail chain version, workspace id", NULL, trail_v2, trail_v2_pg, NULL},
    {3, "whitelist second reviewer", NULL, whitelist_review_v3, whitelist_review_v3_pg, NULL},
    {4, "name keys of the person registries, invalid IDs kept", NULL, NULL, NULL, name_keys_v4},
    {5, "verification orders", NULL, NULL, NULL, orders_v5_apply},
    {6, "ICU readings of name characters, ID repairs", NULL, NULL, NULL, repairs_v6_apply},
    {12, "payments partitioned by county and year (PostgreSQL)", NULL, NULL, NULL, partition_v12_apply},
};
const int fw_nmigrations = (int)(sizeof fw_migrations / sizeof fw_migrations[0]);
