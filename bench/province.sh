#!/usr/bin/env bash
# bench/province.sh: what loading one county's monthly ledger costs on a partitioned PostgreSQL
# workspace that already holds a province, against the same load into an empty workspace (issue 12:
# the ratio should stay at or under 1.2, since the append writes only that county-year's partition
# and its indexes). A province of BENCH_COUNTIES counties is generated (`fundwatch gen --counties`);
# one month of 黄平县 (522622, its most common month) is cut out as the month file. Each run: a fresh
# schema, the month imported alone ("empty"); a fresh schema holding 黄平县's other months, then the
# month appended ("county"); a fresh schema holding the rest of the province, then the month
# appended ("province"). province / county isolates what the other counties cost. Prints the machine, the commands, the medians of
# BENCH_RUNS runs and the ratio.
#
#   bench/province.sh                                     5 counties of 3,000 persons, 3 runs
#   BENCH_COUNTIES=10 BENCH_PERSONS=20000 bench/province.sh   larger
#   FUNDWATCH_BENCH_PG="host=... dbname=..." bench/province.sh  an existing server (a schema per run)
#
# Without FUNDWATCH_BENCH_PG it runs itself inside a throw-away PostgreSQL 15 cluster (pg_virtualenv).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${FUNDWATCH_BENCH_PG:-}" ]; then
    command -v pg_virtualenv >/dev/null || { echo "bench/province.sh: needs pg_virtualenv or FUNDWATCH_BENCH_PG" >&2; exit 2; }
    # shellcheck disable=SC2016
    exec pg_virtualenv -t -v 15 bash -c 'FUNDWATCH_BENCH_PG="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" exec bash "$0"' "$0"
fi
FW=${FW:-$here/build/fundwatch}
counties=${BENCH_COUNTIES:-5}
persons=${BENCH_PERSONS:-3000}
runs=${BENCH_RUNS:-3}
export FUNDWATCH_DATADIR=${FUNDWATCH_DATADIR:-$here} FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwprovince.XXXXXX")
schemas=
cleanup() {
    for s in $schemas; do psql "$FUNDWATCH_BENCH_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; done
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "== machine"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kernel: $(uname -sr); $("$FW" --version); $(psql "$FUNDWATCH_BENCH_PG" -XAtc 'SELECT version()' | cut -d, -f1)"
echo "== data: $FW gen $tmp/prov --counties $counties --persons-per-county $persons"
"$FW" gen "$tmp/prov" --counties "$counties" --persons-per-county "$persons" >/dev/null
python3 - "$tmp" <<'PY'
import csv, sys
from collections import Counter
d = sys.argv[1]
rows = list(csv.reader(open(d + "/prov/payments.csv", encoding="utf-8-sig", newline="")))
h, body = rows[0], rows[1:]
ri, pi, di = h.index("行政区划代码"), h.index("所属期"), h.index("发放日期")
month = lambda r: (r[pi] or r[di])[:7]
mine = [r for r in body if r[ri][:6] == "522622"]
m = Counter(month(r) for r in mine).most_common(1)[0][0]
# The generator plants duplicate payments: the same payment_id again in a later month. Such a row
# stays with the months loaded before, since an append of rows repeating loaded ones is refused
# (exit 6) unless it says --correct, which is not the load measured here.
xi = h.index("发放流水号")
elsewhere = Counter(r[xi] for r in body if not (r[ri][:6] == "522622" and month(r) == m))
in_month = lambda r: r[ri][:6] == "522622" and month(r) == m and not (r[xi] and elsewhere[r[xi]])
def write(name, rs):
    with open(d + "/" + name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(h); w.writerows(rs)
write("month.csv", [r for r in mine if in_month(r)])
write("rest.csv", [r for r in body if not in_month(r)])
write("county.csv", [r for r in mine if not in_month(r)])
k = sum(1 for r in mine if in_month(r))
print("month %s of 522622: %d payments; the rest of the province: %d payments" % (m, k, len(body) - k))
PY

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
n=0
for run in $(seq "$runs"); do
    n=$((n + 1))
    for kind in empty county province; do
        s="fw_bench_prov_$$_${kind}_$n"
        schemas="$schemas $s"
        psql "$FUNDWATCH_BENCH_PG" -qc "CREATE SCHEMA $s" >/dev/null
        db="$FUNDWATCH_BENCH_PG options='-c search_path=$s'"
        "$FW" --db "$db" init >/dev/null
        if [ "$kind" != empty ]; then
            "$FW" --db "$db" import persons "$tmp/prov/persons.csv" >/dev/null 2>&1
            "$FW" --db "$db" import payments "$tmp/$([ "$kind" = county ] && echo county || echo rest).csv" >/dev/null 2>&1
            "$FW" --db "$db" index >/dev/null 2>&1 || true
            psql "$db" -XAqc "VACUUM ANALYZE" >/dev/null
        fi
        t0=$(now)
        "$FW" --db "$db" import payments "$tmp/month.csv" --append >/dev/null 2>"$tmp/err" ||
            { echo "the month's import into the $kind workspace failed: $(tail -3 "$tmp/err")" >&2; exit 1; }
        t1=$(now)
        echo "$(echo "$t1 - $t0" | bc)" >> "$tmp/$kind"
        # The empty workspace's load was a bulk load: its indexes are built by whatever needs them
        # next (a run, `fundwatch index`), where an append kept them up row by row. Printed beside
        # the ratio, not in it: the issue's figure is the load.
        if [ "$kind" = empty ]; then
            t0=$(now)
            "$FW" --db "$db" index >/dev/null 2>&1 || true
            t1=$(now)
            echo "$(echo "$t1 - $t0" | bc)" >> "$tmp/empty_index"
        fi
        [ "$kind" = province ] && [ "$run" = 1 ] && "$FW" --db "$db" status | sed 's/^/  /'
        psql "$FUNDWATCH_BENCH_PG" -qc "DROP SCHEMA $s CASCADE" >/dev/null 2>&1
    done
done
e=$(median < "$tmp/empty")
c=$(median < "$tmp/county")
p=$(median < "$tmp/province")
echo "== load one county's month: $FW --db DB import payments month.csv --append"
echo "runs (s), empty:    $(tr '\n' ' ' < "$tmp/empty")"
echo "runs (s), empty's indexes built afterwards (fundwatch index): $(tr '\n' ' ' < "$tmp/empty_index")"
echo "runs (s), county:   $(tr '\n' ' ' < "$tmp/county")"
echo "runs (s), province: $(tr '\n' ' ' < "$tmp/province")"
printf 'median: into an empty workspace %.2f s, into one holding the county'"'"'s other months %.2f s, into one holding %d counties %.2f s\n' \
    "$e" "$c" "$counties" "$p"
printf 'ratio province / empty %.2f (target <= 1.2); province / county alone %.2f (what the other counties cost)\n' \
    "$(echo "$p / $e" | bc -l)" "$(echo "$p / $c" | bc -l)"
