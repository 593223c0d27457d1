#!/usr/bin/env bash
# bench/scope.sh: what scoping the registries without a region (migration 14, docs/users.md) costs
# and whether a scoped run still finds its region's hits. A generated county (PERSONS persons) is
# imported and run by the owner; an inspector of the township T1 with the most hits is added. Then
# the whole catalogue is run as the owner and as the inspector (after one unmeasured run of the
# inspector's): with the registries' policies on ("after") and disabled by the owner ("before",
# what migration 7 left), alternately on/off/on/off so that a warming cache favours neither.
# Prints each run's wall time, the ratio of the means after/before, the load before and after, and compares the hits each inspector run found (last_run_id = that run)
# between the two (must be identical) and with the owner's present hits of T1.
#
#   bench/scope.sh                      1,000 persons, in a throw-away PostgreSQL 15 cluster
#   PERSONS=3000 bench/scope.sh
#   FUNDWATCH_BENCH_PG="host=... dbname=..." bench/scope.sh   an existing server (own schema, dropped)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${FUNDWATCH_BENCH_PG:-}" ]; then
    # shellcheck disable=SC2016
    exec pg_virtualenv -t -v 15 bash -c 'FUNDWATCH_BENCH_PG="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" exec bash "$0"' "$0"
fi
FW=${FW:-$here/build/fundwatch}
PERSONS=${PERSONS:-1000}
export FUNDWATCH_USER=${FUNDWATCH_USER:-bench} LC_ALL=C.UTF-8
dir=$(mktemp -d)
schema="fw_bench_scope_$$" insp="fwb_insp_$$"
admin="$FUNDWATCH_BENCH_PG options='-c search_path=$schema'"
as_insp="$FUNDWATCH_BENCH_PG user=$insp password=pw options='-c search_path=$schema'"
q() { psql "$admin" -XAtqc "$1"; }
cleanup() {
    local id
    id=$(q "SELECT value FROM settings WHERE key = 'workspace.id'" 2>/dev/null || true)
    psql "$FUNDWATCH_BENCH_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    for r in $insp ${id:+fw_rules_$id fw_inspector_$id}; do
        psql "$FUNDWATCH_BENCH_PG" -qc "DROP OWNED BY $r CASCADE" -c "DROP ROLE $r" >/dev/null 2>&1 || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT
psql "$FUNDWATCH_BENCH_PG" -qc "CREATE SCHEMA $schema" >/dev/null
"$FW" gen "$dir/county" --persons "$PERSONS" >/dev/null
for f in "$dir"/county/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$admin" import "$ds" "$f" >/dev/null
done
"$FW" --db "$admin" run >/dev/null 2>&1
t1=$(q "SELECT substr(region_code, 1, 9) FROM hits WHERE region_code LIKE '522622%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
"$FW" --db "$admin" user add "$insp" --role inspector --region "$t1" --password pw >/dev/null
registries=$(q "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND p.polname = 'fw_person'")
[ -n "$registries" ] || { echo "no fw_person policies: is this build's migration 14 there?" >&2; exit 1; }
policies() { for t in $registries; do q "ALTER TABLE $t $1 ROW LEVEL SECURITY" >/dev/null; done; }
timed() { # timed LABEL CONNINFO: one catalogue run; prints the seconds, keeps the run's hits in $dir/LABEL
    local s e run
    s=$(date +%s.%N)
    "$FW" --db "$2" run >"$dir/$1.out" 2>&1 || { echo "run $1 failed: $(tail -3 "$dir/$1.out")" >&2; exit 1; }
    e=$(date +%s.%N)
    run=$(q "SELECT max(id) FROM runs")
    q "SELECT fingerprint FROM hits WHERE last_run_id = $run ORDER BY 1" >"$dir/$1"
    echo "$e - $s" | bc
}
declare -A t
load0=$(uptime)
timed warm "$as_insp" >/dev/null # the inspector's first run refreshes what the owner's left: not measured
for round in on1 off1 on2 off2; do
    case $round in off*) policies DISABLE ;; *) policies ENABLE ;; esac
    t[owner_$round]=$(timed "owner_$round" "$admin")
    t[insp_$round]=$(timed "insp_$round" "$as_insp")
done
policies ENABLE
q "SELECT fingerprint FROM hits WHERE state = 'present' AND region_code LIKE '$t1%' ORDER BY 1" >"$dir/owner_t1"
mean() { echo "scale=3; (${t[${1}_${2}1]} + ${t[${1}_${2}2]}) / 2" | bc; }
echo "bench/scope.sh: PERSONS=$PERSONS, inspector of $t1; registries scoped: $registries"
echo "load before: $load0"
echo "load after:  $(uptime)"
for who in owner insp; do
    printf '%-6s before %6.2f s %6.2f s  after %6.2f s %6.2f s  ratio of the means after/before %s\n' "$who" \
        "${t[${who}_off1]}" "${t[${who}_off2]}" "${t[${who}_on1]}" "${t[${who}_on2]}" \
        "$(echo "scale=3; $(mean "$who" on) / $(mean "$who" off)" | bc)"
done
echo "inspector's hits: $(wc -l <"$dir/insp_on1") after, $(wc -l <"$dir/insp_off1") before," \
    "owner's present hits of $t1: $(wc -l <"$dir/owner_t1")"
if cmp -s "$dir/insp_on1" "$dir/insp_off1" && cmp -s "$dir/insp_on2" "$dir/insp_off1" && cmp -s "$dir/insp_off2" "$dir/insp_off1"; then
    echo "same hits with and without the registries' policies: yes"
else
    echo "same hits with and without the registries' policies: NO; found only without them:"
    comm -23 "$dir/insp_off1" "$dir/insp_on1" | while read -r fp; do
        q "SELECT rule_id, subject_kind, subject, region_code, detail FROM hits WHERE fingerprint = '$fp'"
    done
    exit 1
fi
echo "inspector's hits in $t1 not found by the owner: $(comm -23 <(q "SELECT fingerprint FROM hits WHERE region_code LIKE '$t1%' AND fingerprint IN ($(sed "s/.*/'&'/" "$dir/insp_on1" | paste -sd, -)) ORDER BY 1") "$dir/owner_t1" | wc -l)," \
    "owner's hits of $t1 the inspector's run did not find: $(comm -13 "$dir/insp_on1" "$dir/owner_t1" | wc -l)"
comm -13 "$dir/insp_on1" "$dir/owner_t1" | head -20 | while read -r fp; do q "SELECT rule_id, subject FROM hits WHERE fingerprint = '$fp'"; done | cut -d'|' -f1 | sort | uniq -c
