#!/usr/bin/env bash
# province.sh: a generated province (gen --counties 3) through the whole pipeline. The counties
# have distinct real region codes and ID numbers of their own; the same seed gives the same bytes;
# after import and run, every truth.csv row (the cross_county cases and the catalogue's own) is hit
# by its rule and no other non-statistical hit appears (so no planted look-alike is flagged); the
# cross_county rules are silent on a one-county workspace; the new options refuse bad values.
set -eu
tmp=$(mktemp -d)
schema=""
cleanup() {
    [ -z "$schema" ] || psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# --- arguments -------------------------------------------------------------------------------------
expect_usage() { # WORD ARGS...: exit 2, nothing written, the message names WORD
    local word=$1 rc=0
    shift
    "$FW" gen "$tmp/bad" "$@" >/dev/null 2>"$tmp/err" || rc=$?
    [ "$rc" = 2 ] || fail "gen $* exited $rc, not 2"
    [ ! -e "$tmp/bad" ] || fail "gen $* left $tmp/bad behind"
    grep -q -- "$word" "$tmp/err" || fail "gen $*: the message does not name $word: $(cat "$tmp/err")"
}
expect_usage "from 1 to 13, not '0'" --counties 0
expect_usage "from 1 to 13, not '14'" --counties 14
expect_usage "not 'x'" --counties x
expect_usage --persons-per-county --counties 3 --persons 3000
expect_usage "needs --counties" --persons-per-county 1000
expect_usage "not '999'" --counties 3 --persons-per-county 999
expect_usage "more than 2000000" --counties 13 --persons-per-county 200000

# --- one county as a province of one: the same bytes as --persons ----------------------------------
"$FW" gen "$tmp/one" --seed 5 --persons 1000 >/dev/null
"$FW" gen "$tmp/one1" --seed 5 --counties 1 --persons-per-county 1000 >/dev/null
diff -r "$tmp/one" "$tmp/one1" >/dev/null || fail "--counties 1 differs from --persons"

# --- the province: deterministic, three counties ------------------------------------------------------
dir="$tmp/p" db="$tmp/p.db"
"$FW" gen "$dir" --seed 3 --counties 3 --persons-per-county 1000 >/dev/null
"$FW" gen "$tmp/p2" --seed 3 --counties 3 --persons-per-county 1000 >/dev/null
diff -r "$dir" "$tmp/p2" >/dev/null || fail "the same seed and sizes gave different files"
"$FW" gen "$tmp/p3" --seed 4 --counties 3 --persons-per-county 1000 >/dev/null
! cmp -s "$dir/payments.csv" "$tmp/p3/payments.csv" || fail "another seed gave the same payments"

# gen_oracle.py, the independent reading of the single-county catalogue, agrees with every truth row
# of the province but the cross_county ones (which it does not implement)
here=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 "$here/tests/e2e/gen_oracle.py" "$dir" "$here/docs/catalogue.md" >"$tmp/oracle.txt" || true
grep -v '^[0-9]* truth rows' "$tmp/oracle.txt" | sort >"$tmp/oracle_problems.txt"
grep ',XC-' "$dir/truth.csv" | awk -F, '{print "planted but not found by the oracle: " $1 " " $2}' | sort \
    | diff - "$tmp/oracle_problems.txt" || fail "gen_oracle.py disagrees with the province's truth.csv"

for f in "$dir"/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth|rejects-expected) continue ;; esac
    "$FW" --db "$db" import "$ds" "$f" >/dev/null
done
"$FW" --db "$db" run >/dev/null 2>&1
"$FW" --db "$db" hits --state all --format csv >"$tmp/hits.csv"
"$FW" --db "$db" rejects --format csv >"$tmp/rejects.csv"
/usr/bin/python3 - "$dir" "$tmp/hits.csv" "$tmp/rejects.csv" <<'PY'
import csv, os, sys
from collections import Counter
d, hits_path, rejects_path = sys.argv[1:]
def rows(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as f:
        return list(csv.DictReader(f))
problems = []
# persons.csv (GB18030): three counties by region code, IDs mostly born in their own county
persons = rows(d + "/persons.csv", "gb18030")
region = next(k for k in persons[0] if "区划" in k or "region" in k.lower())
ident = next(k for k in persons[0] if "身份" in k)
counties = Counter(r[region][:6] for r in persons)
if set(counties) != {"522622", "522623", "522624"}:
    problems.append(f"persons.csv counties {sorted(counties)}, not 522622 522623 522624")
if min(counties.values()) < 900:
    problems.append(f"a county with too few persons: {dict(counties)}")
own = sum(r[ident].strip()[:6] == r[region][:6] for r in persons)
if own < 0.75 * len(persons):
    problems.append(f"only {own} of {len(persons)} ID numbers carry their county's code")
payments = rows(d + "/payments.csv", "utf-8-sig")
pregion = next(k for k in payments[0] if "区划" in k)
pay_counties = Counter(r[pregion][:6] for r in payments)
if not {"522622", "522623", "522624"} <= set(pay_counties):
    problems.append(f"payments.csv counties {sorted(pay_counties)}")

truth = {(r["id_number"], r["rule_id"]) for r in rows(d + "/truth.csv")}
hits = {(r["id_number"], r["rule_id"]) for r in rows(hits_path) if r["category"] != "statistical"}
xc = Counter(r for _, r in truth if r.startswith("XC-"))
for rule in ("XC-001", "XC-002", "XC-003", "XC-004"):
    if xc[rule] < 3:
        problems.append(f"truth.csv has {xc[rule]} cases of {rule}, not 3")
cats = {r["rule_id"]: r["category"] for r in rows(hits_path)}
for rule in xc:
    if cats.get(rule) != "cross_county":
        problems.append(f"{rule} hits have category {cats.get(rule)}")
problems += [f"planted but not hit: {i} {r}" for i, r in sorted(truth - hits)]
# the look-alikes are planted in no truth row: any hit outside truth.csv is one flagged
problems += [f"hit but not planted: {i} {r}" for i, r in sorted(hits - truth)]
want = {(r["dataset"], r["line"]) for r in rows(d + "/rejects-expected.csv")}
got = {(os.path.basename(r["file"])[:-len(".csv")], r["line"]) for r in rows(rejects_path)}
if want != got:
    problems.append(f"rejects differ: expected only {sorted(want - got)}, got only {sorted(got - want)}")
for p in problems:
    print(p)
print(f"province: {len(truth)} truth rows ({sum(xc.values())} cross_county), {len(hits)} non-statistical hits, "
      f"{len(problems)} problems")
sys.exit(1 if problems else 0)
PY

# --- one county: the cross_county rules stay silent ----------------------------------------------------
db1="$tmp/one.db"
for ds in persons payments deaths officials relatives; do
    "$FW" --db "$db1" import "$ds" "$tmp/one/$ds.csv" >/dev/null
done
"$FW" --db "$db1" run --category cross_county >/dev/null 2>&1
"$FW" --db "$db1" run --only DUP-004 >/dev/null 2>&1
n=$("$FW" --db "$db1" hits --state all --category cross_county --format csv | tail -n +2 | wc -l)
[ "$n" = 0 ] || fail "$n cross_county hits on one county"
# not vacuous: the county's DUP-004 cases (a payment in 凯里市, outside the workspace) are there
n=$("$FW" --db "$db1" hits --rule DUP-004 --format csv | tail -n +2 | wc -l)
[ "$n" -ge 2 ] || fail "one county: $n DUP-004 hits, expected the planted ones"

# --- the same cross_county hits on PostgreSQL (when FUNDWATCH_TEST_PG names a server) ---------------
xc_truth() { grep ',XC-' "$dir/truth.csv" | awk -F, '{print $2 "," $1}' | sort; }
if [ -n "${FUNDWATCH_TEST_PG:-}" ]; then
    schema="fw_e2e_$$_province"
    psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
    ws="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
    "$FW" --db "$ws" init >/dev/null
    for ds in persons payments deaths officials relatives; do
        "$FW" --db "$ws" import "$ds" "$dir/$ds.csv" >/dev/null
    done
    "$FW" --db "$ws" run --category cross_county >/dev/null 2>&1 || fail "cross_county run on PostgreSQL failed"
    "$FW" --db "$ws" hits --state all --category cross_county --format csv | tail -n +2 | cut -d, -f2,6 | sort \
        >"$tmp/pg_xc.csv"
    xc_truth | diff - "$tmp/pg_xc.csv" || fail "PostgreSQL's cross_county hits differ from truth.csv"
    echo "province: PostgreSQL finds the same $(wc -l <"$tmp/pg_xc.csv") cross_county hits"
else
    [ "${FUNDWATCH_REQUIRE_PG:-}" = 1 ] && fail "FUNDWATCH_REQUIRE_PG=1 but FUNDWATCH_TEST_PG is not set"
    echo "province: PostgreSQL NOT TESTED (set FUNDWATCH_TEST_PG, see docs/store.md)"
fi
echo "province: OK"
