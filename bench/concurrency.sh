#!/usr/bin/env bash
# bench/concurrency.sh: many inspectors on one PostgreSQL workspace at once (issue 13). CLIENTS
# processes, each an inspector of the county logged in as their own role (`fundwatch user add`: on
# PostgreSQL everybody acts as the role that logged in, docs/users.md), loop for DURATION seconds
# over what a county team does at the same time: change a case
# (read it with `case show`, then a status move or an assignment with --expect-version of the
# version read; a "changed meanwhile" refusal is retried after reading the case again), list hits
# with filters, and export a CSV (which appends to the trail too). At the end it checks:
#   - no lost update: every successful change (from the clients' own logs) is in the trail, and each
#     case's version moved by exactly the number of successful changes to it; every change record
#     names the client role that logged in;
#   - no deadlock: SQLSTATE 40P01 / "deadlock detected" in the clients' stderr, and
#     pg_stat_database.deadlocks before and after;
#   - `fundwatch log verify` OK;
# and prints the latency of a case change (the whole `fundwatch case ...` command: p50, p95, max),
# the counts, the command, the machine and the date. Exit 1 when a check fails.
#
#   bench/concurrency.sh                          20 clients, 300 s, a county of 2,000 persons
#   CLIENTS=4 DURATION=10 bench/concurrency.sh    the smoke version
#   FUNDWATCH_BENCH_PG="host=... dbname=..." bench/concurrency.sh   an existing server (a schema of
#                                                 its own is created and dropped there)
#
# Without FUNDWATCH_BENCH_PG it runs itself again inside a throw-away PostgreSQL 15 cluster
# (pg_virtualenv), on this machine: server and clients share its cores. Needs jq and psql.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${FUNDWATCH_BENCH_PG:-}" ]; then
    command -v pg_virtualenv >/dev/null || { echo "bench/concurrency.sh: needs pg_virtualenv (apt-get install postgresql-common postgresql-15) or FUNDWATCH_BENCH_PG" >&2; exit 2; }
    # shellcheck disable=SC2016
    exec pg_virtualenv -t -v 15 bash -c 'FUNDWATCH_BENCH_PG="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" exec bash "$0"' "$0"
fi
command -v jq >/dev/null || { echo "bench/concurrency.sh: needs jq" >&2; exit 2; }
FW=${FW:-$here/build/fundwatch}
clients=${CLIENTS:-20}
duration=${DURATION:-300}
persons=${BENCH_PERSONS:-2000}
export FUNDWATCH_DATADIR=${FUNDWATCH_DATADIR:-$here} LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwconcur.XXXXXX")
schema="fw_bench_concur_$$"
pgc=$FUNDWATCH_BENCH_PG
insp() { echo "fwb_insp$1_$$"; } # client N's role
drop_all() {
    psql "$pgc" -qXc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    local c r
    for c in $(seq 1 "$clients"); do
        r=$(insp "$c")
        psql "$pgc" -qXc "DROP OWNED BY $r CASCADE" -c "DROP ROLE $r" >/dev/null 2>&1 || true
    done
    [ -z "${wsid:-}" ] || for r in fw_rules_$wsid fw_inspector_$wsid fw_kiosk_$wsid; do
        psql "$pgc" -qXc "DROP OWNED BY $r CASCADE" -c "DROP ROLE $r" >/dev/null 2>&1 || true
    done
}
trap 'rm -rf "$tmp"; drop_all' EXIT
psql "$pgc" -qXc "CREATE SCHEMA $schema" >/dev/null
ws="$pgc options='-c search_path=$schema'"
q() { PGOPTIONS="-c search_path=$schema" psql "$pgc" -qXAt -c "$1"; }

echo "== concurrency: CLIENTS=$clients DURATION=$duration BENCH_PERSONS=$persons bench/concurrency.sh"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "$("$FW" --version); $(psql "$pgc" -XAtc 'SELECT version()' | cut -d, -f1)"

echo "== workspace: gen --persons $persons, import, run"
"$FW" gen "$tmp/data" --persons "$persons" >/dev/null
for f in "$tmp"/data/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$ws" import "$ds" "$f" >/dev/null # the owner's, as is the run
done
"$FW" --db "$ws" run >/dev/null 2>&1
wsid=$(q "SELECT value FROM settings WHERE key = 'workspace.id'")
for c in $(seq 1 "$clients"); do
    "$FW" --db "$ws" user add "$(insp "$c")" --role inspector --region 522622 --password "pw-$(insp "$c")" >/dev/null
done
# the county's cases: what its inspectors see
q "SELECT id FROM cases WHERE status <> 'closed' AND region_code LIKE '522622%' ORDER BY id" >"$tmp/cases"
q "SELECT id, version FROM cases ORDER BY id" | tr '|' ' ' >"$tmp/versions.before"
start_seq=$(q "SELECT max(seq) FROM trail")
deadlocks_before=$(psql "$pgc" -XAtc "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
ncases=$(wc -l <"$tmp/cases")
echo "$ncases open cases of county 522622 ($clients inspectors of it), $(q "SELECT count(*) FROM hits") hits; trail at record $start_seq"

ms() { echo $(($(date +%s%N) / 1000000)); }

# One client: its log lines are "change CASE MS ok|gaveup TRIES", "conflict CASE", "search MS",
# "export MS", "fail WHAT"; stderr of every command goes to its .err.
client() {
    set +e # a refused command is logged, not the end of the client
    local me=$1
    local end=$(($(date +%s) + duration)) log="$tmp/client.$me.log" err="$tmp/client.$me.err"
    local ws
    ws="$pgc user=$(insp "$me") password=pw-$(insp "$me") options='-c search_path=$schema'"
    local units=(县纪委 县民政局 乡镇纪委 城关镇 石板村 第一组 第二组 审计组)
    local -a ids
    mapfile -t ids <"$tmp/cases"
    while [ "$(date +%s)" -lt "$end" ]; do
        local r=$((RANDOM % 100)) t0 t1
        if [ $r -lt 60 ]; then
            local id=${ids[$((RANDOM % ${#ids[@]}))]} tries=0 done=
            while [ $tries -lt 10 ] && [ -z "$done" ]; do
                tries=$((tries + 1))
                local json status version
                json=$("$FW" --db "$ws" --format json case show "$id" 2>>"$err") || { echo "fail show $id" >>"$log"; break; }
                status=$(jq -r .case.status <<<"$json")
                version=$(jq -r .case.version <<<"$json")
                local args=()
                if [ $((RANDOM % 4)) -eq 0 ]; then
                    case $status in
                    new) args=(case set "$id" verifying --method visit --verifier "$(insp "$me")") ;;
                    verifying) args=(case set "$id" confirmed --note "bench $me") ;;
                    confirmed | partly_confirmed) args=(case set "$id" rectifying --measures stop_payment) ;;
                    esac
                fi
                [ "$status" = closed ] && { done=closed; break; } # closed: nothing to change
                [ ${#args[@]} -eq 0 ] && args=(case assign "$id" "${units[$((RANDOM % ${#units[@]}))]}$me")
                t0=$(ms)
                local rc=0
                "$FW" --db "$ws" "${args[@]}" --expect-version "$version" >/dev/null 2>"$tmp/last.$me" || rc=$?
                t1=$(ms)
                cat "$tmp/last.$me" >>"$err"
                if [ $rc -eq 0 ]; then
                    echo "change $id $((t1 - t0)) ok $tries" >>"$log"
                    done=ok
                elif [ $rc -eq 6 ] && grep -q "changed meanwhile" "$tmp/last.$me"; then
                    echo "conflict $id" >>"$log" # reload (case show again) and retry
                else
                    echo "fail change $id rc=$rc" >>"$log"
                    done=fail
                fi
            done
            [ -z "$done" ] && echo "change $id 0 gaveup $tries" >>"$log"
        elif [ $r -lt 85 ]; then
            local filters=()
            case $((RANDOM % 4)) in
            0) filters=(--category deceased) ;;
            1) filters=(--status verifying) ;;
            2) filters=(--rule DUP-001) ;;
            3) filters=(--state all) ;;
            esac
            t0=$(ms)
            if "$FW" --db "$ws" --format csv hits "${filters[@]}" >/dev/null 2>>"$err"; then
                echo "search $(($(ms) - t0))" >>"$log"
            else
                echo "fail search ${filters[*]}" >>"$log"
            fi
        else
            local out="/tmp/fwconcur.$$.$me.csv"
            t0=$(ms)
            if "$FW" --db "$ws" export "$out" --severity high --quiet --force >/dev/null 2>>"$err"; then
                echo "export $(($(ms) - t0))" >>"$log"
            else
                echo "fail export" >>"$log"
            fi
            rm -f "$out" "$out".*
        fi
    done
}

echo "== $clients clients for $duration s"
pids=()
for c in $(seq 1 "$clients"); do
    client "$c" &
    pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
cat "$tmp"/client.*.log >"$tmp/all.log"

echo "== results"
ok=$(grep -c " ok " "$tmp/all.log" || true)
conflicts=$(grep -c "^conflict" "$tmp/all.log" || true)
gaveup=$(grep -c " gaveup " "$tmp/all.log" || true)
fails=$(grep -c "^fail" "$tmp/all.log" || true)
searches=$(grep -c "^search" "$tmp/all.log" || true)
exports=$(grep -c "^export" "$tmp/all.log" || true)
echo "case changes: $ok succeeded, $conflicts refused as changed meanwhile (retried after reload), $gaveup given up after 10 tries"
echo "searches: $searches; exports: $exports; other failures: $fails"
grep "^fail" "$tmp/all.log" | sort | uniq -c | sort -rn | head -5 | sed 's/^/  /'
bad=0

# No lost update: per case, the successful changes of the logs = the version's move = the trail's
# change records written since the start.
awk '$1 == "change" && $4 == "ok" { n[$2]++ } END { for (c in n) print c, n[c] }' "$tmp/all.log" | sort -n >"$tmp/changes"
q "SELECT id, version FROM cases ORDER BY id" | tr '|' ' ' >"$tmp/versions.after"
q "SELECT substr(object, 6), count(*) FROM trail WHERE seq > $start_seq AND object LIKE 'case:%'
   AND action IN ('case.status', 'case.assign') GROUP BY 1 ORDER BY 1" | tr '|' ' ' >"$tmp/trail.changes"
lost=$(awk 'FILENAME == ARGV[1] { before[$1] = $2; next }
            FILENAME == ARGV[2] { after[$1] = $2; next }
            FILENAME == ARGV[3] { trail[$1] = $2; next }
            { ok[$1] = $2 }
            END {
                bad = 0
                for (c in after) {
                    moved = after[c] - before[c]; o = ok[c] + 0; t = trail[c] + 0
                    if (moved != o || t != o) { bad++; if (bad <= 5) printf "  case %s: %d changes logged, version moved %d, %d in the trail\n", c, o, moved, t > "/dev/stderr" }
                }
                print bad
            }' "$tmp/versions.before" "$tmp/versions.after" "$tmp/trail.changes" "$tmp/changes")
if [ "$lost" = 0 ]; then
    echo "no lost update: every case's version moved by its successful changes, each in the trail ($ok)"
else
    echo "LOST UPDATES: $lost cases disagree"; bad=1
fi
# Who: each change record names a client's role (the one that logged in), and as many per role as
# that client's log counts.
for c in $(seq 1 "$clients"); do
    logged=$(grep -c "^change .* ok " "$tmp/client.$c.log" || true)
    recorded=$(q "SELECT count(*) FROM trail WHERE seq > $start_seq AND \"user\" = '$(insp "$c")'
                  AND action IN ('case.status', 'case.assign')")
    [ "$logged" = "$recorded" ] || { echo "client $c: $logged changes logged, $recorded in the trail as $(insp "$c")"; bad=1; }
done
echo "trail users: $(q "SELECT count(DISTINCT \"user\") FROM trail WHERE seq > $start_seq AND action IN ('case.status', 'case.assign')") roles wrote the changes"

dl_err=$(cat "$tmp"/client.*.err | grep -c "40P01\|deadlock detected" || true)
deadlocks_after=$(psql "$pgc" -XAtc "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
echo "deadlocks: $dl_err in the clients' stderr (40P01), $((deadlocks_after - deadlocks_before)) in pg_stat_database"
[ "$dl_err" = 0 ] && [ "$deadlocks_after" = "$deadlocks_before" ] || bad=1
other_err=$(cat "$tmp"/client.*.err | grep -v "changed meanwhile" | grep -c . || true)
[ "$other_err" = 0 ] || { echo "other errors on stderr: $other_err"; cat "$tmp"/client.*.err | grep -v "changed meanwhile" | sort | uniq -c | sort -rn | head -5 | sed 's/^/  /'; }

if "$FW" --db "$ws" log verify >"$tmp/verify" 2>&1; then
    echo "log verify: $(head -1 "$tmp/verify")"
else
    echo "log verify FAILED: $(head -3 "$tmp/verify")"; bad=1
fi

pct() { # pct P < sorted numbers
    awk -v p="$1" '{ a[NR] = $1 } END { if (!NR) { print "-"; exit } i = int(p * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print a[i] }'
}
awk '$1 == "change" && $4 == "ok" { print $3 }' "$tmp/all.log" | sort -n >"$tmp/lat"
awk '$1 == "search" { print $2 }' "$tmp/all.log" | sort -n >"$tmp/lat.search"
awk '$1 == "export" { print $2 }' "$tmp/all.log" | sort -n >"$tmp/lat.export"
echo "case change latency (ms, the whole command): p50 $(pct 0.5 <"$tmp/lat") p95 $(pct 0.95 <"$tmp/lat") max $(tail -1 "$tmp/lat")"
echo "search latency (ms): p50 $(pct 0.5 <"$tmp/lat.search") p95 $(pct 0.95 <"$tmp/lat.search") max $(tail -1 "$tmp/lat.search")"
echo "export latency (ms): p50 $(pct 0.5 <"$tmp/lat.export") p95 $(pct 0.95 <"$tmp/lat.export") max $(tail -1 "$tmp/lat.export")"
[ "$fails" = 0 ] || bad=1
if [ $bad = 0 ]; then echo "concurrency: OK"; else echo "concurrency: FAILED"; fi
exit $bad
