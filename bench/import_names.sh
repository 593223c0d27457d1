#!/usr/bin/env bash
# bench/import_names.sh: what the name keys (issue 16, audit/namekey.c) add to import time; the
# issue's limit is 15%. Imports every dataset of one `fundwatch gen` county into a fresh workspace
# (persons first, as a county is loaded), with the keys and without them, alternately, and prints
# the median of BENCH_RUNS runs of each, the ratio, and the same for persons alone (the first import
# of a workspace: it builds ICU's transliterator, which later imports skip with the readings the
# workspace keeps) and for the registries keyed after it.
# The reference run sets FUNDWATCH_BENCH_NO_NAMEKEYS=1, which the importer honours for this bench
# only: the key columns stay NULL, everything else is the same work.
#
#   bench/import_names.sh                      50,000 persons (~1.3 million payment rows), 3 runs
#   BENCH_PERSONS=20000 BENCH_RUNS=5 FW=path/to/fundwatch bench/import_names.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$here/build/fundwatch}
persons=${BENCH_PERSONS:-50000}
runs=${BENCH_RUNS:-3}
export FUNDWATCH_DATADIR=${FUNDWATCH_DATADIR:-$here}
export FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwnames.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "== machine"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "kernel: $(uname -sr); $("$FW" --version); load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$FW" gen "$tmp/data" --persons "$persons" >/dev/null
echo "data: $FW gen DIR --persons $persons; runs: $runs"

datasets="persons payments deaths officials relatives businesses vehicles properties prisoners students
 disabilities pensions standards"

# One county into a fresh workspace; prints "total persons registries" seconds of wall time, then
# the same three in CPU seconds (user + system: less sensitive to other jobs on a shared machine).
# Registries: the datasets after persons that have a name column, i.e. all but payments, standards.
county() {
    rm -f "$tmp/ws.db" "$tmp/ws.db-wal" "$tmp/ws.db-shm"
    local total=0 pers=0 regs=0 ctotal=0 cpers=0 cregs=0 s c
    for ds in $datasets; do
        /usr/bin/time -f '%e %U %S' -o "$tmp/t" "$FW" --db "$tmp/ws.db" import "$ds" "$tmp/data/$ds.csv" \
            >/dev/null 2>"$tmp/err" || { echo "import $ds failed:" >&2; cat "$tmp/err" >&2; exit 1; }
        read -r s u k < <(tail -1 "$tmp/t")
        c=$(echo "$u + $k" | bc)
        total=$(echo "$total + $s" | bc); ctotal=$(echo "$ctotal + $c" | bc)
        case $ds in
        persons) pers=$s cpers=$c ;;
        payments | standards) ;;
        *) regs=$(echo "$regs + $s" | bc); cregs=$(echo "$cregs + $c" | bc) ;;
        esac
    done
    echo "$total $pers $regs $ctotal $cpers $cregs"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -a with=() without=()
echo "== runs (wall seconds: all datasets, persons, registries; then the same in CPU seconds)"
for r in $(seq 1 "$runs"); do
    without+=("$(FUNDWATCH_BENCH_NO_NAMEKEYS=1 county)")
    with+=("$(county)")
    echo "  run $r: without keys ${without[-1]}; with keys ${with[-1]}"
done
col() { local i=$1; shift; printf '%s\n' "$@" | awk -v i="$i" '{ print $i }' | median; }
echo "== median of $runs (command: $FW --db ws.db import DATASET FILE, each dataset in turn)"
for i in 1 2 3 4 5 6; do
    case $i in 1 | 4) what="all 13 datasets" ;; 2 | 5) what="persons (first)" ;; 3 | 6) what="named registries" ;; esac
    [ "$i" -le 3 ] && unit=wall || unit=cpu
    a=$(col "$i" "${without[@]}"); b=$(col "$i" "${with[@]}")
    printf '%-4s %-18s without %7.2f s  with %7.2f s  ratio %.3f\n' "$unit" "$what" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
