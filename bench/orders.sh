#!/usr/bin/env bash
# bench/orders.sh: what verification orders cost (issue 15): one generated county (`fundwatch gen
# --persons N`) is imported and run, then every case is sent out, one order per township (each
# township's government is a unit), each workbook is filled in with openpyxl as a clerk would
# (tests/e2e/orders_fill.py), every returned workbook is received, and every order's answers are
# accepted (`orders accept ORDER --all-valid`). Prints the machine, the cases and units, and the
# wall-clock seconds and peak memory (max RSS) of dispatching all orders, of receiving all returned
# workbooks and of accepting all answers (filling them in is the clerk's time, not fundwatch's).
#
#   bench/orders.sh                      20,000 persons
#   BENCH_PERSONS=2000 bench/orders.sh   a quick look
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$here/build/fundwatch}
persons=${BENCH_PERSONS:-20000}
export FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/ws.db
"$FW" gen "$tmp/gen" --seed 1 --persons "$persons" >/dev/null
for f in "$tmp"/gen/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth|rejects-expected) continue ;; esac
    "$FW" --db "$db" import "$ds" "$f" >/dev/null
done
"$FW" --db "$db" run >/dev/null 2>&1
cases=$(sqlite3 "$db" "SELECT count(*) FROM cases")
mapfile -t towns < <(sqlite3 "$db" "SELECT DISTINCT township FROM cases WHERE township IS NOT NULL ORDER BY 1")
due=$(date -d '+30 days' +%F)
mkdir "$tmp/out" "$tmp/back"
measure() { # LABEL CMD...: runs CMD under /usr/bin/time, adds its seconds and keeps the peak RSS
    /usr/bin/time -f '%e %M' -o "$tmp/t" "${@:2}" >/dev/null
    read -r s kb <"$tmp/t"
    eval "${1}_s=\$(echo \"\${${1}_s:-0} + $s\" | bc)"
    eval "[ \"$kb\" -gt \"\${${1}_kb:-0}\" ] && ${1}_kb=$kb || true"
}
for t in "${towns[@]}"; do
    measure dispatch "$FW" --db "$db" orders dispatch --to "${t}人民政府" --due "$due" --township "$t" --out "$tmp/out"
done
for f in "$tmp"/out/*.xlsx; do
    /usr/bin/python3 "$here/tests/e2e/orders_fill.py" "$f" "$tmp/back/$(basename "$f")" clean
done
for f in "$tmp"/back/*.xlsx; do
    measure receive "$FW" --db "$db" orders receive "$f" --evidence-dir "$tmp/evidence"
done
rows=$(sqlite3 "$db" "SELECT count(*) FROM order_rows")
answered=$(sqlite3 "$db" "SELECT count(*) FROM order_rows WHERE state = 'answered'")
for o in $(sqlite3 "$db" "SELECT order_no FROM orders ORDER BY id"); do
    measure accept "$FW" --db "$db" orders accept "$o" --all-valid
done
accepted=$(sqlite3 "$db" "SELECT count(*) FROM order_rows WHERE state = 'accepted'")
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
echo "county: $persons persons, $cases cases; ${#towns[@]} units (one order each), $rows rows sent, $answered answered on return, $accepted accepted"
printf 'dispatch all orders:  %6.2f s, peak %d MB\n' "$dispatch_s" $((dispatch_kb / 1024))
printf 'receive all returns:  %6.2f s, peak %d MB\n' "$receive_s" $((receive_kb / 1024))
printf 'accept all answers:   %6.2f s, peak %d MB\n' "$accept_s" $((accept_kb / 1024))
