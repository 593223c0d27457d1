#!/bin/bash
# shards_postgres.sh: counties on postgres_fdw shards (issue 12, docs/scale.md, audit/shard.c). Two
# extra PostgreSQL 15 clusters are started here as shards (initdb + pg_ctl, temporary directories,
# free ports; the coordinator is FUNDWATCH_TEST_PG). A generated 6-county province is imported on a
# SQLite file, on one PostgreSQL workspace and on a sharded one (counties added to shards before the
# import, so its rows go through the foreign partitions, and counties moved with their rows after
# it, there and back); the three give the same hits (rule, subject, fingerprint), cross-county ones
# included. Then: a move while a run holds the run lock is refused; one shard stopped, the run says
# which counties it did not check, exits 3, records them in run_unchecked, and the other counties'
# hits stand while none of the unchecked counties' is marked gone; every rule completes, those reading
# a registry without a county too (migration 20), with the same hits of the checked counties as with
# every shard up, for the owner and for a scoped inspector; status says the shard does not answer; an
# inspector's run with the shard down records the same (users.c's grant); a shard whose
# fundwatch_shard says another schema version is refused by name.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/initdb" ] || fail "$bin/initdb is needed to start the shards"
dir=$(mktemp -d)
plain="fw_e2e_shp_$$" sharded="fw_e2e_shs_$$" insp="fwt_shinsp_$$" sid=
holder=
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    for s in 1 2; do
        [ -d "$dir/s$s" ] && ctl -D "$dir/s$s" -m immediate stop >/dev/null 2>&1
    done
    psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $plain CASCADE" >/dev/null 2>&1
    pg_drop_workspace "$sharded" "$insp" "fw_inspector_$sid"
    for s in 1 2 3; do
        psql "$FUNDWATCH_TEST_PG" -qc "DROP SERVER IF EXISTS fw_shard_$s CASCADE" >/dev/null 2>&1
    done
    rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# The clusters run as the current user; as root (a CI container) as postgres, which initdb requires.
me=$(id -un) as=
if [ "$(id -u)" = 0 ]; then
    me=postgres as="runuser -u postgres --"
    chown postgres "$dir"
fi
ctl() { $as "$bin/pg_ctl" "$@"; }
for s in 1 2; do
    port=$(free_port)
    eval "port$s=$port"
    $as "$bin/initdb" -D "$dir/s$s" -U "$me" --auth=trust >"$dir/initdb$s.log" 2>&1 || fail "initdb of shard $s: $(tail -3 "$dir/initdb$s.log")"
    ctl -D "$dir/s$s" -l "$dir/s$s.log" -w \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=40" start >/dev/null ||
        fail "shard $s did not start: $(tail -3 "$dir/s$s.log")"
done
shard1="host=127.0.0.1 port=$port1 dbname=postgres user=$me"
shard2="host=127.0.0.1 port=$port2 dbname=postgres user=$me"

for s in $plain $sharded; do
    psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
done
pgp="$FUNDWATCH_TEST_PG options='-c search_path=$plain'"
pgs="$FUNDWATCH_TEST_PG options='-c search_path=$sharded'"
q() { psql "$pgs" -XAtqc "$1"; }

"$FW" gen "$dir/prov" --counties 6 --persons-per-county 1000 >/dev/null || fail "gen"
counties=$(python3 - "$dir/prov/payments.csv" <<'PY'
import csv, sys
from collections import Counter
r = csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""))
print(" ".join(sorted(c for c, _ in Counter(row["行政区划代码"][:6] for row in r).most_common(6))))
PY
)
set -- $counties
[ $# = 6 ] || fail "the province has not 6 counties: $counties"
c1=$1 c2=$2 c3=$3 c4=$4 c5=$5 c6=$6

import_all() { # DB
    for f in "$dir"/prov/*.csv; do
        ds=$(basename "$f" .csv)
        case $ds in truth | rejects-expected) continue ;; esac
        "$FW" --db "$1" import "$ds" "$f" >/dev/null 2>"$dir/import.err" || true
        grep -q "FATAL\|cannot\|refused" "$dir/import.err" && fail "import $ds into $1: $(cat "$dir/import.err")"
    done
}
hits_of() { # DB OUT: rule, subject, fingerprint of every hit, sorted (the store's own columns)
    local sql="SELECT rule_id || ',' || subject || ',' || fingerprint FROM hits ORDER BY 1"
    case $1 in
    *.db) python3 -c 'import sqlite3, sys; [print(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])]' \
        "$1" "$sql" >"$2" ;;
    *) psql "$1" -XAtqc "$sql" >"$2" ;;
    esac || fail "hits of $1"
    LC_ALL=C sort -o "$2" "$2"
}

# --- SQLite and one PostgreSQL --------------------------------------------------------------------------
import_all "$dir/p.db"
"$FW" --db "$dir/p.db" run >/dev/null 2>&1
hits_of "$dir/p.db" "$dir/sqlite.txt"
import_all "$pgp"
"$FW" --db "$pgp" run >/dev/null 2>&1
hits_of "$pgp" "$dir/pg.txt"

# --- sharded: c1, c2 on shard 1 and c3 on shard 2 before the import (rows go through postgres_fdw) ----
"$FW" --db "$pgs" init >/dev/null 2>&1 || "$FW" --db "$pgs" status >/dev/null 2>&1
"$FW" --db "$pgs" shard add "$shard1" --counties "$c1,$c2" >"$dir/out" 2>&1 || fail "shard add 1: $(cat "$dir/out")"
grep -q "fw_shard_1" "$dir/out" || fail "shard add did not name the shard: $(cat "$dir/out")"
"$FW" --db "$pgs" shard add "$shard2" --counties "$c3" >"$dir/out" 2>&1 || fail "shard add 2: $(cat "$dir/out")"
import_all "$pgs"
[ "$(q "SELECT relkind FROM pg_class WHERE oid = to_regclass('ds_payments_c$c1')")" = f ] ||
    fail "county $c1 is not a foreign partition"
on1=$(psql "$shard1" -XAtqc "SELECT count(*) FROM ds_payments_c$c1")
[ "$on1" -gt 0 ] || fail "the import put no row of $c1 on shard 1"
# c4 moves with its rows to shard 2; c1 goes home and back
before4=$(q "SELECT count(*) FROM ds_payments WHERE substr(region_code, 1, 6) = '$c4'")
"$FW" --db "$pgs" shard move "$c4" --to fw_shard_2 >"$dir/out" 2>&1 || fail "move $c4: $(cat "$dir/out")"
[ "$(psql "$shard2" -XAtqc "SELECT count(*) FROM ds_payments_c$c4")" = "$before4" ] ||
    fail "shard 2 does not hold the $before4 rows of $c4"
"$FW" --db "$pgs" shard move "$c1" --to coordinator >"$dir/out" 2>&1 || fail "move $c1 home: $(cat "$dir/out")"
[ "$(q "SELECT relkind FROM pg_class WHERE oid = to_regclass('ds_payments_c$c1')")" = p ] ||
    fail "county $c1 did not come home as a partitioned table"
[ "$(psql "$shard1" -XAtqc "SELECT count(*) FROM ds_payments_c$c1")" = 0 ] || fail "rows of $c1 stayed on shard 1"
[ "$(q "SELECT count(*) FROM ds_payments WHERE substr(region_code, 1, 6) = '$c1'")" = "$on1" ] ||
    fail "county $c1 did not keep its $on1 rows coming home"
"$FW" --db "$pgs" shard move "$c1" --to fw_shard_1 >"$dir/out" 2>&1 || fail "move $c1 back: $(cat "$dir/out")"
"$FW" --db "$pgs" shard list --format csv >"$dir/list.csv" || fail "shard list"
grep -q "^fw_shard_2,.*$c3,$c4\|^fw_shard_2,.*\"$c3,$c4\"" "$dir/list.csv" || fail "shard list: $(cat "$dir/list.csv")"

"$FW" --db "$pgs" run >"$dir/run.out" 2>&1 || fail "the sharded run failed: $(grep -v ' complete ' "$dir/run.out")"
allup=$(q "SELECT max(id) FROM runs")
hits_of "$pgs" "$dir/sharded.txt"
grep -q ",XC-\|^XC-" "$dir/sqlite.txt" || fail "no cross-county hit on SQLite"
diff "$dir/sqlite.txt" "$dir/pg.txt" >"$dir/d1" || fail "SQLite and PostgreSQL differ: $(head "$dir/d1")"
diff "$dir/pg.txt" "$dir/sharded.txt" >"$dir/d2" || fail "one PostgreSQL and the sharded differ: $(head "$dir/d2")"
echo "same hits on SQLite, PostgreSQL and shards: $(wc -l <"$dir/sqlite.txt") ($(grep -c '^XC-' "$dir/sqlite.txt") cross-county)"

# --- a move while a run holds the run lock is refused ------------------------------------------------------
psql "$pgs" -XAtqc "SELECT pg_advisory_lock_shared(7152012), pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
sleep 1
rc=0
"$FW" --db "$pgs" shard move "$c5" --to fw_shard_1 >"$dir/out" 2>&1 || rc=$?
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
[ "$rc" = 6 ] || fail "a move during a run exited $rc, not 6: $(cat "$dir/out")"
grep -q "run is going" "$dir/out" || fail "the refused move does not say why: $(cat "$dir/out")"

# --- an inspector (not the owner: row-level security, the rule role's grants) who will run with a shard down
sid=$(q "SELECT value FROM settings WHERE key = 'workspace.id'")
"$FW" --db "$pgs" user add "$insp" --role inspector --region "$c5" --password "pw-$insp" >"$dir/out" 2>&1 ||
    fail "user add $insp: $(cat "$dir/out")"

# Rules reading a registry without a county (deaths, relatives, vehicles), whose row-level security
# policies read the payments: with a shard down they must still complete (migration 20).
reg_rules=DEC-001,REL-001,VEH-001
in_reg="rule_id IN ('${reg_rules//,/\', \'}')"
# A hit of a checked county may rest on payments of an unchecked one (a death registered in one county
# while another pays: the hit's region is the person's, its evidence the other county's payments);
# those, found while every shard is up, are left out of the comparison on both sides.
q "SELECT DISTINCT h.fingerprint FROM hits h JOIN hit_evidence e ON e.hit_id = h.id AND e.dataset = 'payments'
   JOIN ds_payments p ON p.row_key = e.row_key WHERE $in_reg AND substr(h.region_code, 1, 6) NOT IN ('$c1', '$c2')
   AND substr(p.region_code, 1, 6) IN ('$c1', '$c2')" \
    >"$dir/touching.txt" || fail "the hits resting on payments of $c1, $c2"
reg_hits() { # RUN: rule, subject, fingerprint of the registry rules' hits RUN saw outside c1, c2
    q "SELECT rule_id || ',' || subject || ',' || fingerprint FROM hits WHERE last_run_id = $1 AND $in_reg
       AND substr(region_code, 1, 6) NOT IN ('$c1', '$c2') ORDER BY 1" | grep -v -F -f "$dir/touching.txt"
}
reg_hits "$allup" >"$dir/reg_allup.txt"
[ -s "$dir/reg_allup.txt" ] || fail "no hit of $reg_rules outside $c1, $c2 to compare"
# the inspector's own all-up run of them, to compare with theirs with shard 1 down
as_insp="$FUNDWATCH_TEST_PG user=$insp password=pw-$insp options='-c search_path=$sharded'"
"$FW" --db "$as_insp" run --only "$reg_rules" >"$dir/run.out" 2>&1 ||
    fail "the inspector's run with every shard up failed: $(tail -3 "$dir/run.out")"
reg_hits "$(q "SELECT max(id) FROM runs")" >"$dir/reg_insp_allup.txt"
[ -s "$dir/reg_insp_allup.txt" ] || fail "the inspector of $c5 found no hit of $reg_rules to compare"

# --- shard 1 down ----------------------------------------------------------------------------------------
down_rules=DUP-001,XC-001,XC-003,DEC-001,REL-001,VEH-001,STA-004
in_down="rule_id IN ('${down_rules//,/\', \'}')"
present_other=$(q "SELECT count(*) FROM hits WHERE state = 'present' AND $in_down AND substr(region_code, 1, 6) NOT IN ('$c1', '$c2')")
[ "$present_other" -gt 0 ] || fail "no present hit of $down_rules outside $c1, $c2 to stand"
states_down=$(q "SELECT string_agg(id || state, ',' ORDER BY id) FROM hits WHERE substr(region_code, 1, 6) IN ('$c1', '$c2')")
ctl -D "$dir/s1" -m fast stop >/dev/null || fail "cannot stop shard 1"
rc=0
# a few rules of each kind (one county, registries, cross-county), not the catalogue again: time
"$FW" --db "$pgs" run --only "$down_rules" >"$dir/run.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "the run with shard 1 down exited $rc, not 3: $(tail -3 "$dir/run.out")"
grep -q "incomplete" "$dir/run.out" && grep -q "$c1,$c2 (fw_shard_1" "$dir/run.out" ||
    fail "the run does not say which counties it did not check: $(tail -3 "$dir/run.out")"
run=$(q "SELECT max(id) FROM runs")
[ "$(q "SELECT string_agg(county, ',' ORDER BY county) FROM run_unchecked WHERE run_id = $run")" = "$c1,$c2" ] ||
    fail "run_unchecked of run $run: $(q "SELECT * FROM run_unchecked")"
# Every rule runs over the other counties: those over payments alone, the cross-county ones, and those
# reading a registry without a county (deaths, relatives, vehicles), whose row-level security policy
# asks the payments through fw_paid, which leaves the unchecked counties out (migration 20; before it
# the policy's subplan opened every foreign partition, the stopped shard's too, docs/scale.md).
[ "$(q "SELECT string_agg(rule_id, ',' ORDER BY rule_id) FROM run_rules WHERE run_id = $run AND status = 'complete'")" = \
    "$(tr , '\n' <<<"$down_rules" | LC_ALL=C sort | paste -sd,)" ] ||
    fail "not every rule of run $run completed over the other counties: $(q "SELECT rule_id, status, message FROM run_rules WHERE run_id = $run AND status <> 'complete'")"
reg_hits "$run" >"$dir/reg_down.txt"
diff "$dir/reg_allup.txt" "$dir/reg_down.txt" >"$dir/d3" ||
    fail "the registry rules' hits of the checked counties differ with shard 1 down (< all up, > down): $(head "$dir/d3")"
[ "$(q "SELECT count(*) FROM hits WHERE state = 'present' AND $in_down AND substr(region_code, 1, 6) NOT IN ('$c1', '$c2')")" = "$present_other" ] ||
    fail "the other counties' hits did not stand: $(q "SELECT rule_id || ' ' || subject || ' ' || state FROM hits WHERE state <> 'present' AND $in_down")"
[ "$(q "SELECT string_agg(id || state, ',' ORDER BY id) FROM hits WHERE substr(region_code, 1, 6) IN ('$c1', '$c2')")" = "$states_down" ] ||
    fail "hits of the unchecked counties changed state"
"$FW" --db "$pgs" status >"$dir/status.out" 2>&1 || fail "status with a shard down: $(cat "$dir/status.out")"
grep -q "fw_shard_1.*no.*unreachable" "$dir/status.out" || fail "status does not say shard 1 is down: $(cat "$dir/status.out")"

rc=0
"$FW" --db "$as_insp" run --only "DUP-001,$reg_rules" >"$dir/run.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "the inspector's run with shard 1 down exited $rc, not 3: $(tail -3 "$dir/run.out")"
run=$(q "SELECT max(id) FROM runs")
[ "$(q "SELECT string_agg(county, ',' ORDER BY county) FROM run_unchecked WHERE run_id = $run")" = "$c1,$c2" ] ||
    fail "the inspector's run $run did not record the unchecked counties: $(tail -3 "$dir/run.out")"
[ "$(q "SELECT string_agg(rule_id || ' ' || status, ',' ORDER BY rule_id) FROM run_rules WHERE run_id = $run")" = \
    "DEC-001 complete,DUP-001 complete,REL-001 complete,VEH-001 complete" ] ||
    fail "not every rule of the inspector's run completed: $(q "SELECT rule_id, status, message FROM run_rules WHERE run_id = $run")"
reg_hits "$run" >"$dir/reg_insp_down.txt"
diff "$dir/reg_insp_allup.txt" "$dir/reg_insp_down.txt" >"$dir/d4" ||
    fail "the inspector's registry hits differ with shard 1 down (< all up, > down): $(head "$dir/d4")"
echo "with shard 1 down every rule completed; registry rules' hits of the checked counties as all up:" \
    "owner $(wc -l <"$dir/reg_down.txt"), inspector of $c5 $(wc -l <"$dir/reg_insp_down.txt")" \
    "(left out: $(wc -l <"$dir/touching.txt") of the checked counties resting on payments of $c1, $c2)"

# --- a shard of another schema version ------------------------------------------------------------------------
psql "$shard2" -qc "CREATE DATABASE other" >/dev/null || fail "createdb on shard 2"
psql "host=127.0.0.1 port=$port2 dbname=other user=$me" -qc \
    "CREATE TABLE fundwatch_shard (version integer NOT NULL, workspace text NOT NULL); INSERT INTO fundwatch_shard VALUES (99, 'x')" ||
    fail "seeding the old shard"
rc=0
"$FW" --db "$pgs" shard add "host=127.0.0.1 port=$port2 dbname=other user=$me" --counties "$c6" >"$dir/out" 2>&1 || rc=$?
[ "$rc" = 6 ] || fail "a shard of version 99 was not refused (exit $rc): $(cat "$dir/out")"
grep -q "schema version 99" "$dir/out" || fail "the refusal does not name the version: $(cat "$dir/out")"
[ "$(q "SELECT count(*) FROM shards")" = 2 ] || fail "the refused shard was recorded"
echo "shards: ok"
