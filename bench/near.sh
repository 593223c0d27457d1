#!/usr/bin/env bash
# bench/near.sh: the near-match rules of rules/near.ini (issue 16) on a generated county: how many
# of the planted cases each finds (recall), how many look-alikes they hit (false hits per 100
# look-alikes), and what they add to the whole catalogue's time.
#
# `fundwatch gen --persons N` (N = $FW_BENCH_PERSONS, default 20000) plants N / 1000 cases of each
# near rule (truth.csv) and the look-alikes beside them (near-lookalikes.list: a common name twice in
# the village, a sibling's number one typing error away, a homophone born that year in another
# village). The workspace is imported and indexed, then `fundwatch run` runs the whole catalogue
# $FW_BENCH_REPEAT times (default 3) and, as many times, the catalogue without the near rules
# (`run --only` every other rule); figures are medians. Targets (issue 16): recall >= 95% for each
# kind, <= 1 false hit in 100 look-alikes, the near rules add <= 20% to the catalogue's time.
#
# usage: bench/near.sh [BUILD_DIR]      (make all first)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
FW=$build/fundwatch
N=${FW_BENCH_PERSONS:-20000}
REPEAT=${FW_BENCH_REPEAT:-3}
export FUNDWATCH_DATADIR=$here FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $FW gen $tmp/data --persons $N"
"$FW" gen "$tmp/data" --persons "$N" | sed 's/^/   /'
ws=$tmp/ws.db
for f in "$tmp"/data/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth|rejects-expected) continue ;; esac
    "$FW" --db "$ws" import "$ds" "$f" >/dev/null
done
"$FW" --db "$ws" index >/dev/null 2>&1
near=$(awk -F'[][]' '/^\[/ {printf "%s%s", sep, toupper($2); sep=","}' "$here/rules/near.ini")
others=$("$FW" --db "$ws" rules list 2>/dev/null | awk 'NR > 1 && $1 ~ /^[A-Z]+-[0-9]+$/ {print $1}' |
         grep -vxF -f <(tr ',' '\n' <<<"$near") | paste -sd,)
echo "== near rules: $near"

to_s() { awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }'; }
for i in $(seq "$REPEAT"); do
    /usr/bin/time -v "$FW" --db "$ws" run >/dev/null 2>"$tmp/all$i.err" || true
    awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/all$i.err" | to_s >>"$tmp/wall_all"
    # per-rule lines on stderr: "  ID  category  status  N hits  M ms"
    awk -v near=",$near," '$5 == "hits" && $7 == "ms" {t += $6; if (index(near, "," $1 ",")) n += $6}
        END {printf "%.1f\n", 100 * n / t}' "$tmp/all$i.err" >>"$tmp/share"
    awk -v near=",$near," '$5 == "hits" && $7 == "ms" && index(near, "," $1 ",") {print $1, $6}' "$tmp/all$i.err" >>"$tmp/near_ms"
    /usr/bin/time -v "$FW" --db "$ws" run --only "$others" >/dev/null 2>"$tmp/exact$i.err" || true
    awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/exact$i.err" | to_s >>"$tmp/wall_exact"
    /usr/bin/time -v "$FW" --db "$ws" run --only "$near" >/dev/null 2>"$tmp/near$i.err" || true
    awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/near$i.err" | to_s >>"$tmp/wall_near"
done
all=$(median <"$tmp/wall_all") exact=$(median <"$tmp/wall_exact") share=$(median <"$tmp/share")
alone=$(median <"$tmp/wall_near")

"$FW" --db "$ws" hits --state all --format csv >"$tmp/hits.csv"
echo "== recall and false hits   (fundwatch run, whole catalogue)"
python3 - "$tmp/data" "$tmp/hits.csv" "$near" <<'PY'
import csv, sys
d, hits_path, near = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
truth = {(r["id_number"], r["rule_id"]) for r in csv.DictReader(open(d + "/truth.csv", encoding="utf-8"))}
looks = list(csv.DictReader(open(d + "/near-lookalikes.list", encoding="utf-8")))
hits = {(r["id_number"], r["rule_id"]) for r in csv.DictReader(open(hits_path, encoding="utf-8"))}
worst = 100.0
print(f"   {'rule':8} {'planted':>7} {'found':>6} {'recall':>7}")
for rule in near:
    planted = {i for i, r in truth if r == rule}
    found = {i for i in planted if (i, rule) in hits}
    if planted:
        worst = min(worst, 100 * len(found) / len(planted))
        print(f"   {rule:8} {len(planted):7} {len(found):6} {100 * len(found) / len(planted):6.1f}%")
near_hits = {(i, r) for i, r in hits if r in near}
by_kind = {}
for l in looks:
    k = by_kind.setdefault(l["kind"], [0, 0])
    k[0] += 1
    k[1] += any((l["id_number"], r) in near_hits for r in near)
false_total = sum(v[1] for v in by_kind.values())
for kind, (n, f) in sorted(by_kind.items()):
    print(f"   look-alikes {kind:20} {n:4}, hit by a near rule: {f}")
stray = sorted(near_hits - truth)
print(f"   look-alikes hit: {false_total} of {len(looks)} = {100 * false_total / max(1, len(looks)):.1f} per 100;"
      f" near hits outside truth.csv: {len(stray)}")
print(f"   worst recall {worst:.1f}% (target >= 95%)")
PY
echo "== time ($REPEAT runs, medians)"
echo "   $FW --db WS run                       whole catalogue:        ${all} s"
echo "   $FW --db WS run --only <all but near> catalogue without them: ${exact} s"
echo "   $FW --db WS run --only <near rules>  the near rules alone:    ${alone} s"
awk -v a="$all" -v e="$exact" 'BEGIN {printf "   the near rules add %.1f%% to the wall time (target <= 20%%)\n", 100 * (a - e) / e}'
awk -v n="$alone" -v e="$exact" 'BEGIN {printf "   run alone, they are %.1f%% of the catalogue without them\n", 100 * n / e}'
echo "   their share of the per-rule times in the whole run: ${share}%"
sort -k1,1 "$tmp/near_ms" | awk '{ms[$1] = ms[$1] " " $2} END {for (r in ms) print r, ms[r]}' | sort |
    while read -r rule times; do
        printf "   %-8s %s ms (median of%s)\n" "$rule" "$(tr ' ' '\n' <<<"$times" | grep . | median)" " $times"
    done
