#!/usr/bin/env bash
# bench/growth.sh: how the whole catalogue's run time grows with the province (issue 12, "Growth").
# The claim to check is that the time per million payments does not grow with the number of
# counties: every rule, the cross-county ones included, should be linear or better. For each county
# count of BENCH_GROWTH a province of that many counties of BENCH_PERSONS persons is generated
# (`fundwatch gen --counties N --persons-per-county M`), imported into a fresh PostgreSQL schema
# (every dataset), ANALYZEd as autovacuum would (every ordinary table and leaf partition; autovacuum
# never analyzes a partitioned parent, so neither does this), then `fundwatch run` is timed and
# each rule's ms is read from the run's summary (its last column). Prints the machine, the commands,
# per size the payments, the run's seconds and seconds per million payments, the least-squares slope
# of run time against payments, the ratio of the per-million time at the largest vs the smallest
# size, and the eight rules whose per-million time grows most (their ms at each size and the
# exponent b of ms ~ payments^b), so a superlinear rule shows by name.
#
# A script of its own rather than a BENCH_PARTS of province.sh: province.sh measures one append
# against three fresh workspaces per run; growth needs a workspace per size and a whole catalogue
# run in each, and no part of province.sh's setup is shared.
#
#   bench/growth.sh                                  1, 2, 5, 10 counties of 5,000 persons
#   BENCH_GROWTH="1 2 5 10" BENCH_PERSONS=200000 bench/growth.sh   the issue's size (~50 M payments; hours)
#   FUNDWATCH_BENCH_PG="host=... dbname=..." bench/growth.sh    an existing server (a schema per size,
#                                                    dropped after its run)
#
# Without FUNDWATCH_BENCH_PG it runs itself inside a throw-away PostgreSQL 15 cluster (pg_virtualenv).
# One run per size: a second run on the same workspace would find its hits present, not new, and
# do different work. Sizes follow each other, so load from other work changes the figures; the
# script prints the load before and after each size.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${FUNDWATCH_BENCH_PG:-}" ]; then
    command -v pg_virtualenv >/dev/null || { echo "bench/growth.sh: needs pg_virtualenv or FUNDWATCH_BENCH_PG" >&2; exit 2; }
    # shellcheck disable=SC2016
    exec pg_virtualenv -t -v 15 bash -c 'FUNDWATCH_BENCH_PG="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" exec bash "$0"' "$0"
fi
FW=${FW:-$here/build/fundwatch}
sizes=${BENCH_GROWTH:-1 2 5 10}
persons=${BENCH_PERSONS:-5000}
export FUNDWATCH_DATADIR=${FUNDWATCH_DATADIR:-$here} FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fwgrowth.XXXXXX")
schemas=
cleanup() {
    for s in $schemas; do psql "$FUNDWATCH_BENCH_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; done
    rm -rf "$tmp"
}
trap cleanup EXIT

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "== machine"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load: $(load)"
echo "kernel: $(uname -sr); $("$FW" --version); $(psql "$FUNDWATCH_BENCH_PG" -XAtc 'SELECT version()' | cut -d, -f1)"
echo "== commands, per size N of: $sizes (persons per county: $persons)"
echo "  $FW gen OUT --counties N --persons-per-county $persons"
echo "  $FW --db DB init; $FW --db DB import DATASET OUT/DATASET.csv (every dataset)"
echo "  ANALYZE of every ordinary table and leaf partition of the schema (as autovacuum)"
echo "  time $FW --db DB run"

now() { date +%s.%N; }
# analyze DB SCHEMA: what autovacuum would have done after the import, table by table, in one
# session.
analyze() {
    psql "$1" -XAtqc "SELECT format('ANALYZE %I.%I;', n.nspname, c.relname) FROM pg_class c
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = '$2' AND c.relkind IN ('r', 'm') ORDER BY 1" |
        psql "$1" -XAq >/dev/null
}

for n in $sizes; do
    out="$tmp/prov$n"
    "$FW" gen "$out" --counties "$n" --persons-per-county "$persons" >/dev/null
    s="fw_bench_growth_$$_$n"
    schemas="$schemas $s"
    psql "$FUNDWATCH_BENCH_PG" -qc "CREATE SCHEMA $s" >/dev/null
    db="$FUNDWATCH_BENCH_PG options='-c search_path=$s'"
    "$FW" --db "$db" init >/dev/null
    l0=$(load) t0=$(now)
    for f in "$out"/*.csv; do
        ds=$(basename "$f" .csv)
        case $ds in truth | rejects-expected) continue ;; esac
        # A dataset's rejected rows (the generator plants some) make import exit non-zero; the
        # accepted rows are in. The payments count below is what the run checks.
        "$FW" --db "$db" import "$ds" "$f" >"$tmp/import.out" 2>&1 || true
    done
    t1=$(now)
    analyze "$db" "$s"
    t2=$(now)
    rc=0
    "$FW" --db "$db" run >"$tmp/run$n.out" 2>"$tmp/run$n.err" || rc=$?
    t3=$(now)
    payments=$(psql "$db" -XAtqc "SELECT count(*) FROM ds_payments")
    awk '/^[A-Z]+-[0-9]+ / { print $1, $NF }' "$tmp/run$n.out" >"$tmp/rules$n"
    echo "$n $payments $(echo "$t3 - $t2" | bc) $(echo "$t1 - $t0" | bc) $rc" >>"$tmp/sizes"
    printf '  %2d counties: %9d payments, import %6.1f s, analyze %4.1f s, run %7.1f s (exit %d; %d rules); load %s -> %s\n' \
        "$n" "$payments" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)" "$rc" \
        "$(wc -l <"$tmp/rules$n")" "$l0" "$(load)"
    [ "$rc" = 0 ] || sed 's/^/    run: /' "$tmp/run$n.err" | tail -5
    psql "$FUNDWATCH_BENCH_PG" -qc "DROP SCHEMA $s CASCADE" >/dev/null 2>&1
    rm -rf "$out"
done

python3 - "$tmp" <<'PY'
import math, sys
d = sys.argv[1]
sizes = []  # (counties, payments, run seconds)
for line in open(d + "/sizes"):
    n, p, s, _imp, _rc = line.split()
    sizes.append((int(n), int(p), float(s)))
rules = {}
for n, _, _ in sizes:
    for line in open("%s/rules%d" % (d, n)):
        r, ms = line.split()
        rules.setdefault(r, {})[n] = float(ms)

print("== growth: whole catalogue on one PostgreSQL")
print("%9s %12s %10s %14s" % ("counties", "payments", "run s", "s / M payments"))
for n, p, s in sizes:
    print("%9d %12d %10.1f %14.2f" % (n, p, s, s / (p / 1e6)))
if len(sizes) < 2:
    sys.exit(0)
xs = [p / 1e6 for _, p, _ in sizes]
ys = [s for _, _, s in sizes]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
sxx = sum((x - mx) ** 2 for x in xs)
slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
icpt = my - slope * mx
print("least squares: run s = %.2f s per M payments x payments(M) + %.2f s" % (slope, icpt))
lo, hi = sizes[0], sizes[-1]
pm = lambda s, p: s / (p / 1e6)
print("per-million time, %d counties / %d counties: %.2f (1.00 = linear; the issue asks it not to grow)"
      % (hi[0], lo[0], pm(hi[2], hi[1]) / pm(lo[2], lo[1])))

# Per rule: the growth of its per-million time from the smallest to the largest size, and b of
# ms ~ payments^b fitted over every size (b > 1: superlinear). Rules under 20 ms at the largest size
# are timer noise and are left out of the ranking.
pay = {n: p for n, p, _ in sizes}
rows = []
for r, by in rules.items():
    if lo[0] not in by or hi[0] not in by or by[hi[0]] < 20 or by[lo[0]] <= 0:
        continue
    g = (by[hi[0]] / pay[hi[0]]) / (by[lo[0]] / pay[lo[0]])
    pts = [(math.log(pay[n]), math.log(by[n])) for n in by if by[n] > 0]
    lx = sum(a for a, _ in pts) / len(pts); ly = sum(b for _, b in pts) / len(pts)
    den = sum((a - lx) ** 2 for a, _ in pts)
    b = sum((a - lx) * (c - ly) for a, c in pts) / den if den else float("nan")
    rows.append((g, b, r, by))
rows.sort(reverse=True)
print("== the 8 rules whose per-million time grows most (ms at each size; growth = per-million ms %d / %d counties)"
      % (hi[0], lo[0]))
print("%-9s " % "rule" + " ".join("%9s" % ("%d c ms" % n) for n, _, _ in sizes) + " %7s %6s" % ("growth", "b"))
for g, b, r, by in rows[:8]:
    print("%-9s " % r + " ".join("%9s" % ("%.0f" % by[n] if n in by else "-") for n, _, _ in sizes)
          + " %7.2f %6.2f" % (g, b))
tot = {n: sum(by.get(n, 0) for by in rules.values()) for n, _, _ in sizes}
print("sum of the rules' ms: " + ", ".join("%d c %.1f s" % (n, tot[n] / 1000) for n, _, _ in sizes)
      + " (rules run on up to 4 worker connections at once, so their ms overlap and include waiting"
      + " for the cores)")
PY
echo "load at the end: $(load)"
