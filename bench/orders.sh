#!/usr/bin/env bash
# bench/orders.sh: what verification orders cost (issue 15): a generated county or province
# (`fundwatch gen`) is imported and run once; then, on a fresh copy of that workspace for each of
# BENCH_RUNS repetitions, every case is sent out to BENCH_UNITS units (the townships, in name order,
# dealt to the units in turn; one order per unit, its cases given with --case), each workbook is
# filled in with openpyxl as a clerk would (tests/e2e/orders_fill.py), every returned workbook is
# received, and every order's answers are accepted (`orders accept ORDER --all-valid`). Prints the
# command, the machine, the cases and units, and per step (dispatch all orders, receive all
# returns, accept all answers) the wall-clock seconds summed over the orders (and the CPU seconds,
# user + system, which other programs' load moves less) and the peak memory
# (max RSS) of each run, then the median over the runs (filling in is the clerk's time, not
# fundwatch's).
#
#   bench/orders.sh                                                 20,000 persons, 8 units
#   BENCH_PERSONS=2000 BENCH_RUNS=1 bench/orders.sh                 a quick look
#   BENCH_COUNTIES=3 BENCH_PERSONS=48500 BENCH_UNITS=20 bench/orders.sh
#       a province of 3 counties (22 townships), ~10,000 cases to 20 units
#   BENCH_KEEP=FILE keeps the imported and run workspace; BENCH_BASE=FILE starts from one (the
#       setup of the province takes minutes), e.g. FW=/old/build/fundwatch BENCH_BASE=FILE ...
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$here/build/fundwatch}
persons=${BENCH_PERSONS:-20000}
counties=${BENCH_COUNTIES:-0}
units=${BENCH_UNITS:-0} # 0: one unit per township
runs=${BENCH_RUNS:-3}
export FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
base=$tmp/base.db
if [ -n "${BENCH_BASE:-}" ]; then # a workspace imported and run already (the same county again)
    cp "$BENCH_BASE" "$base"
    what="the workspace $BENCH_BASE"
elif [ "$counties" -gt 0 ]; then
    "$FW" gen "$tmp/gen" --seed 1 --counties "$counties" --persons-per-county "$persons" >/dev/null
    what="$counties counties of $persons persons"
else
    "$FW" gen "$tmp/gen" --seed 1 --persons "$persons" >/dev/null
    what="$persons persons"
fi
for f in "$tmp"/gen/*.csv; do
    [ -z "${BENCH_BASE:-}" ] || break
    ds=$(basename "$f" .csv)
    case $ds in truth|rejects-expected) continue ;; esac
    "$FW" --db "$base" import "$ds" "$f" >/dev/null
done
[ -n "${BENCH_BASE:-}" ] || "$FW" --db "$base" run >/dev/null 2>&1
[ -z "${BENCH_KEEP:-}" ] || cp "$base" "$BENCH_KEEP" # to measure another binary on the same workspace
cases=$(sqlite3 "$base" "SELECT count(*) FROM cases")
mapfile -t towns < <(sqlite3 "$base" "SELECT DISTINCT township FROM cases WHERE township IS NOT NULL ORDER BY 1")
[ "$units" -gt 0 ] || units=${#towns[@]}
# unit k gets the cases of townships k, k + units, k + 2 * units, ...: its case ids in one file
mkdir "$tmp/units"
for i in "${!towns[@]}"; do
    t=${towns[$i]//\'/\'\'}
    sqlite3 "$base" "SELECT id FROM cases WHERE township = '$t'" >>"$tmp/units/$((i % units))"
done
due=$(date -d '+30 days' +%F)
measure() { # LABEL CMD...: runs CMD under /usr/bin/time, adds its seconds (wall and CPU) and keeps the peak RSS
    /usr/bin/time -f '%e %M %U %S' -o "$tmp/t" "${@:2}" >/dev/null
    read -r s kb u k <"$tmp/t"
    eval "${1}_s=\$(echo \"\${${1}_s:-0} + $s\" | bc)"
    eval "${1}_cpu=\$(echo \"\${${1}_cpu:-0} + $u + $k\" | bc)"
    eval "[ \"$kb\" -gt \"\${${1}_kb:-0}\" ] && ${1}_kb=$kb || true"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
: >"$tmp/dispatch" && : >"$tmp/receive" && : >"$tmp/accept"
echo "command: ${BENCH_COUNTIES:+BENCH_COUNTIES=$counties }BENCH_PERSONS=$persons BENCH_UNITS=$units BENCH_RUNS=$runs bench/orders.sh"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$runs"); do
    db=$tmp/ws.db
    rm -rf "$db" "$db"-* "$tmp/out" "$tmp/back" "$tmp/evidence"
    cp "$base" "$db"
    mkdir "$tmp/out" "$tmp/back"
    unset dispatch_s dispatch_kb dispatch_cpu receive_s receive_kb receive_cpu accept_s accept_kb accept_cpu
    for u in $(seq 0 $((units - 1))); do
        [ -s "$tmp/units/$u" ] || continue
        mapfile -t ids <"$tmp/units/$u"
        measure dispatch "$FW" --db "$db" orders dispatch --to "单位$((u + 1))" --due "$due" --out "$tmp/out" --case "${ids[@]}"
    done
    for f in "$tmp"/out/*.xlsx; do
        /usr/bin/python3 "$here/tests/e2e/orders_fill.py" "$f" "$tmp/back/$(basename "$f")" clean
    done
    for f in "$tmp"/back/*.xlsx; do
        measure receive "$FW" --db "$db" orders receive "$f" --evidence-dir "$tmp/evidence"
    done
    orders=$(sqlite3 "$db" "SELECT count(*) FROM orders")
    rows=$(sqlite3 "$db" "SELECT count(*) FROM order_rows")
    answered=$(sqlite3 "$db" "SELECT count(*) FROM order_rows WHERE state = 'answered'")
    for o in $(sqlite3 "$db" "SELECT order_no FROM orders ORDER BY id"); do
        measure accept "$FW" --db "$db" orders accept "$o" --all-valid
    done
    accepted=$(sqlite3 "$db" "SELECT count(*) FROM order_rows WHERE state = 'accepted'")
    echo "run $run: $what, $cases cases; $orders units (one order each), $rows rows sent, $answered answered on return, $accepted accepted"
    printf '  dispatch all orders:  %6.2f s (CPU %.2f s), peak %d MB\n' "$dispatch_s" "$dispatch_cpu" $((dispatch_kb / 1024))
    printf '  receive all returns:  %6.2f s (CPU %.2f s), peak %d MB\n' "$receive_s" "$receive_cpu" $((receive_kb / 1024))
    printf '  accept all answers:   %6.2f s (CPU %.2f s), peak %d MB\n' "$accept_s" "$accept_cpu" $((accept_kb / 1024))
    echo "$dispatch_s" >>"$tmp/dispatch" && echo "$receive_s" >>"$tmp/receive" && echo "$accept_s" >>"$tmp/accept"
done
echo "median of $runs runs: dispatch $(median <"$tmp/dispatch") s, receive $(median <"$tmp/receive") s, accept $(median <"$tmp/accept") s"
