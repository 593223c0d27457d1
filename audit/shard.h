/* shard.h: counties whose payments live on other PostgreSQL servers (issue 12, docs/scale.md). A
 * province outgrows one server; PostgreSQL's own postgres_fdw makes a county's partition a foreign
 * table on a shard, so the coordinator's ds_payments, its views and the rules stay as they are. This
 * module adds and removes shards, moves counties to and from them (rows moved in one transaction on
 * each side), tells status which shards answer, and prepares a run: partitionwise plans, the run
 * lock that keeps counties from moving under it, and the counties it cannot check (shard down or of
 * another schema version), left out of the rules' view of the payments and recorded. */
#ifndef FW_SHARD_H
#define FW_SHARD_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/store.h"
#include "audit/util.h"

struct fw_rows;

/* The version a shard's fundwatch_shard table must carry: the shard's tables are made with the
 * coordinator's columns, so a shard made by another schema is refused by name. */
#define FW_SHARD_META_TABLE "fundwatch_shard"
/* The session setting a run with unchecked counties sets to their codes ("520102,520103"), read by the
 * policies that look into the payments (migration 20, schema.c), and how many of its codes they
 * read: migration 20 wrote that many into the policies, so changing it needs a new migration. */
#define FW_SHARD_UNCHECKED_SETTING "fw.unchecked_counties"
#define FW_SHARD_UNCHECKED_SLOTS 16

/* Adds the PostgreSQL server at target as a shard (FOREIGN SERVER fw_shard_N with async_capable,
 * a user mapping for PUBLIC) and moves counties (a comma list, may be "") there. name gets the
 * shard's name. FW_EUSAGE: SQLite, bad county; FW_EWORKSPACE: unreachable, other schema version. */
int fw_shard_add(fw_ws *ws, const char *target, const char *counties, char *name, size_t cap, fw_err *err);
/* Moves each county of the list to shard (NULL or "": back to the coordinator). Refused while a
 * run is going (FW_EBUSY-like FW_EWORKSPACE naming the reason). */
int fw_shard_move(fw_ws *ws, const char *counties, const char *shard, fw_err *err);
/* Moves the shard's counties back and drops the server (its tables on the shard are left empty). */
int fw_shard_remove(fw_ws *ws, const char *name, fw_err *err);
/* One row per shard: shard, place, counties, rows, reachable (yes/no), schema (the shard's
 * version, NULL when unreachable), problem. NULL rows (*out NULL) when there are no shards. */
int fw_shard_list(fw_ws *ws, struct fw_rows **out, fw_err *err);
/* SQL list of the counties whose shard does not answer or has another version ("'520102','520103'"
 * or "" when none), for a query that must not touch them (status). *why: one line saying which. */
int fw_shard_down(fw_ws *ws, fw_buf *list, fw_buf *why, fw_err *err);

/* Before a run's rules (PostgreSQL with shards; otherwise nothing): partitionwise aggregation and
 * join for the session, the shared run lock, and the counties it cannot check recorded in
 * run_unchecked and hidden from the rules (TEMP views over the reachable partitions, readable by
 * rule_role). unchecked: "520102, 520103 (fw_shard_1 ...: why)" or ""; hidden: their SQL list
 * ("'520102', '520103'" or ""), for the workers. */
int fw_shard_run_begin(fw_ws *ws, long long run_id, const char *rule_role, char *unchecked, size_t cap,
                       char *hidden, size_t hcap, fw_err *err);
/* The rules' queries run on worker connections (engine.c), not the run's: each gets the same planner
 * settings and, hidden being the SQL list fw_shard_run_begin gave ("" when none), the same TEMP views
 * leaving the unchecked counties out. Nothing on a workspace without shards. */
int fw_shard_worker_begin(fw_ws *ws, const char *hidden, const char *rule_role, fw_err *err);
/* After the run's final status: the TEMP views dropped, the settings and run lock let go. */
void fw_shard_run_end(fw_ws *ws);

#endif
