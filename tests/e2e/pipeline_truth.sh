#!/usr/bin/env bash
# pipeline_truth.sh: the whole pipeline on generated data finds exactly what was planted.
# gen -> import every dataset -> run; then (a) every truth.csv row is hit by its rule, (b) no hit
# outside the statistical category is missing from truth.csv, (c) the rejected rows are exactly
# rejects-expected.csv (dataset + line). Differences are printed on failure.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for seed in 1 2; do
    dir="$tmp/s$seed" db="$tmp/s$seed.db"
    "$FW" gen "$dir" --seed "$seed" --persons 2000 >/dev/null
    for f in "$dir"/*.csv; do
        ds=$(basename "$f" .csv)
        case $ds in truth|rejects-expected) continue ;; esac
        "$FW" --db "$db" import "$ds" "$f" >/dev/null
    done
    "$FW" --db "$db" run >/dev/null 2>&1
    "$FW" --db "$db" hits --state all --format csv >"$tmp/hits.csv"
    "$FW" --db "$db" rejects --format csv >"$tmp/rejects.csv"
    /usr/bin/python3 - "$dir" "$tmp/hits.csv" "$tmp/rejects.csv" "$seed" <<'PY'
import csv, os, sys
d, hits_path, rejects_path, seed = sys.argv[1:]
def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
truth = {(r["id_number"], r["rule_id"]) for r in rows(d + "/truth.csv")}
hits = {(r["id_number"], r["rule_id"]) for r in rows(hits_path) if r["category"] != "statistical"}
want = {(r["dataset"], r["line"]) for r in rows(d + "/rejects-expected.csv")}
# every file was imported as the dataset of its name, so the file names the dataset
got = {(os.path.basename(r["file"])[:-len(".csv")], r["line"]) for r in rows(rejects_path)}
problems = [f"planted but not hit: {i} {r}" for i, r in sorted(truth - hits)]
problems += [f"hit but not planted: {i} {r}" for i, r in sorted(hits - truth)]
problems += [f"expected reject not reported: {ds} line {n}" for ds, n in sorted(want - got)]
problems += [f"unexpected reject: {ds} line {n}" for ds, n in sorted(got - want)]
if not truth or not want:
    problems.append("truth.csv or rejects-expected.csv is empty")
for p in problems:
    print(f"seed {seed}: {p}")
print(f"seed {seed}: {len(truth)} truth rows, {len(hits)} non-statistical hits, {len(got)} rejects, "
      f"{len(problems)} problems")
sys.exit(1 if problems else 0)
PY
done
