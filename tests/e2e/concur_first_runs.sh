#!/usr/bin/env bash
# concur_first_runs.sh: two runs that start together on a PostgreSQL workspace just loaded (two
# inspectors after the morning's import). The first runs after a bulk import build the indexes it
# left, set up the rule roles and their grants, and number new cases; two at once used to collide in
# each: the second CREATE INDEX of a name ("duplicate key value violates unique constraint
# pg_class_relname_nsp_index", the run failed; 3 of 4 tries here), two GRANTs on one table ("tuple
# concurrently updated", the rule role left half made; 2 of 6 tries with the indexes built before)
# and two case numbers from the same largest id (a rule failed on cases_case_no_key; 1 of 8). Now
# the builds, the role setup and the numbering take the workspace's locks (docs/store.md, "Other
# writers"). The first part tries three fresh workspaces, each must give two clean runs, distinct
# case numbers and a trail that verifies; the second forces the numbering race by holding the
# trail's lock while both runs start (it fails on the old numbering every time). Needs
# FUNDWATCH_TEST_PG and psql (pg.inc).
set -eu
dir=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
schemas=
trap 'for s in $schemas; do pg_drop_workspace $s; done; rm -rf "$dir"' EXIT

"$FW" gen "$dir/county" --persons 1000 >/dev/null || fail "gen"
for try in 1 2 3; do
    schema="fw_e2e_first_runs_$$_$try"
    schemas="$schemas $schema"
    psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
    pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
    q() { PGOPTIONS="-c search_path=$schema" psql "$FUNDWATCH_TEST_PG" -qAt -c "$1"; }
    for ds in persons payments; do
        "$FW" --db "$pg" import "$ds" "$dir/county/$ds.csv" >/dev/null 2>"$dir/err" || fail "import $ds: $(cat "$dir/err")"
    done
    [ "$(q "SELECT count(*) FROM pg_indexes WHERE schemaname = '$schema' AND indexname = 'ds_payments_person'")" = 0 ] ||
        fail "try $try: the bulk import left the payments' indexes in place; the runs would not build them"
    "$FW" --db "$pg" run --only DUP-001 >"$dir/a.out" 2>&1 &
    apid=$!
    "$FW" --db "$pg" run --only DUP-002 >"$dir/b.out" 2>&1 || fail "try $try: the second run failed: $(grep -v '^building' "$dir/b.out" | head -5)"
    wait "$apid" || fail "try $try: the first run failed: $(grep -v '^building' "$dir/a.out" | head -5)"
    grep -h "could not be" "$dir/a.out" "$dir/b.out" && fail "try $try: a run could not set up its rule role"
    for id in DUP-001 DUP-002; do
        [ "$(q "SELECT count(*) FROM hits WHERE rule_id = '$id'")" -gt 0 ] || fail "try $try: $id found nothing on the county"
    done
    [ "$(q "SELECT count(*) - count(DISTINCT case_no) FROM cases")" = 0 ] && [ "$(q "SELECT count(*) FROM cases")" -gt 0 ] ||
        fail "try $try: case numbers: $(q "SELECT count(*), count(DISTINCT case_no) FROM cases")"
    [ "$(q "SELECT count(*) FROM hits WHERE state = 'present' AND case_id IS NULL")" = 0 ] ||
        fail "try $try: present hits left without a case"
    "$FW" --db "$pg" log verify >"$dir/v.out" 2>&1 || fail "try $try: log verify: $(cat "$dir/v.out")"
    echo "try $try: two first runs at once, $(q "SELECT count(*) FROM cases") cases"
done

# The case numbers, forced: the indexes and roles are made first (one run), then a session holds the
# trail's lock while the two runs start. Each run numbers its new cases, then appends to the trail
# in the same transaction; with the numbering under the trail's lock both wait before numbering,
# without it the second numbered the same cases as the first and waited for its commit, then failed.
schema="fw_e2e_first_runs_$$_held"
schemas="$schemas $schema"
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
for ds in persons payments; do
    "$FW" --db "$pg" import "$ds" "$dir/county/$ds.csv" >/dev/null 2>"$dir/err" || fail "import $ds: $(cat "$dir/err")"
done
"$FW" --db "$pg" run --only DUP-005 >"$dir/a.out" 2>&1 || fail "the run before: $(grep -v '^building' "$dir/a.out" | head -5)"
before=$(q "SELECT count(*) FROM cases")
PGAPPNAME=fw_e2e_hold_$$ psql "$FUNDWATCH_TEST_PG" -qAtc "SELECT pg_advisory_lock(hashtext('fundwatch.trail:$schema'))" \
    -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
i=0
until [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -ge 1 ]; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "the holding session never took the trail's lock"; sleep 0.05
done
"$FW" --db "$pg" run --only DUP-001 >"$dir/a.out" 2>&1 &
apid=$!
"$FW" --db "$pg" run --only DUP-002 >"$dir/b.out" 2>&1 &
bpid=$!
i=0
until [ "$(q "SELECT count(*) FROM pg_locks WHERE NOT granted")" -ge 2 ]; do
    i=$((i + 1)); [ $i -lt 600 ] || fail "the two runs never both waited: $(q "SELECT locktype, granted FROM pg_locks")"
    sleep 0.05
done
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'fw_e2e_hold_$$'" >/dev/null
wait "$holder" 2>/dev/null || true
wait "$apid" || fail "held: the DUP-001 run failed: $(grep -v '^building' "$dir/a.out" | head -5)"
wait "$bpid" || fail "held: the DUP-002 run failed: $(grep -v '^building' "$dir/b.out" | head -5)"
[ "$(q "SELECT count(*) - count(DISTINCT case_no) FROM cases")" = 0 ] && [ "$(q "SELECT count(*) FROM cases")" -gt "$before" ] ||
    fail "held: case numbers: $(q "SELECT count(*), count(DISTINCT case_no) FROM cases") (before: $before)"
"$FW" --db "$pg" log verify >"$dir/v.out" 2>&1 || fail "held: log verify: $(cat "$dir/v.out")"
echo "held trail lock: both runs numbered their cases in turn ($before -> $(q "SELECT count(*) FROM cases") cases)"
echo "PASS concur_first_runs"
