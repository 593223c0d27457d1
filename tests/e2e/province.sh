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

# An independent reading of docs/catalogue.md's cross-county rules in Python, over the rows the
# importer stored (not the rules' SQL): it must find exactly truth.csv's XC rows.
/usr/bin/python3 - "$db" "$dir/truth.csv" <<'PY'
import csv, sqlite3, sys
from collections import defaultdict
db, truth_path = sys.argv[1:]
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
q = lambda sql: con.execute(sql).fetchall()
NEAR = set("配偶 夫妻 父亲 母亲 父母 儿子 女儿 子女 兄弟 姐妹 兄弟姐妹 公公 婆婆 岳父 岳母 儿媳 女婿".split())
means = {n for n, m in q("SELECT name, means_tested FROM programs") if m}
home = defaultdict(set)  # person -> counties of his persons rows
for i, r in q("SELECT id_number, region_code FROM ds_persons WHERE region_code IS NOT NULL"):
    home[i].add(r[:6])
wc = set().union(*home.values())
pays = [(i, n, prog, period or pay[:7], (reg or "")[:6], acct, acct_name)
        for i, n, prog, pay, period, reg, acct, acct_name in
        q("SELECT id_number, name, program, pay_date, period, region_code, bank_account, account_name FROM ds_payments")]
pays = [p for p in pays if p[4] in wc]
found = set()
# XC-001: one person, program and month paid by two counties of the workspace
seen = defaultdict(set)
for i, _, prog, period, county, _, _ in pays:
    seen[i, prog, period].add(county)
found |= {(i, "XC-001") for (i, _, _), c in seen.items() if len(c) > 1}
# XC-002: an official's near relative paid means-tested aid by another county while he is in post
officials = defaultdict(list)
for i, reg, start, end in q("SELECT id_number, region_code, start_date, end_date FROM ds_officials"):
    if reg and reg[:6] in wc:
        officials[i].append((reg[:6], (start or "")[:7], (end or "9999")[:7]))
relatives = defaultdict(list)
for o, rel, relation in q("SELECT id_number, relative_id_number, relation FROM ds_relatives"):
    if relation in NEAR and rel != o:
        relatives[rel] += officials[o]
for i, _, prog, period, county, _, _ in pays:
    if prog in means and any(oc != county and s <= period <= e for oc, s, e in relatives.get(i, ())):
        found.add((i, "XC-002"))
# XC-003: one account paid by three counties or more; the holder: the payee named like the account
acc = defaultdict(lambda: (set(), set(), set()))
for i, name, _, _, county, a, a_name in pays:
    if a:
        acc[a][0].add(county)
        acc[a][1].add(i)
        if name == a_name:
            acc[a][2].add(i)
for counties, payees, named in acc.values():
    if len(counties) >= 3:
        found.add((min(named or payees), "XC-003"))
# XC-004: registered in one county, died, paid by another after the death month
death = {}
for i, d in q("SELECT id_number, death_date FROM ds_deaths"):
    death[i] = min(d, death.get(i, d))
for i, _, _, period, county, _, _ in pays:
    if i in death and i in home and period > death[i][:7] and county not in home[i]:
        found.add((i, "XC-004"))
truth = {(r["id_number"], r["rule_id"]) for r in csv.DictReader(open(truth_path, encoding="utf-8"))
         if r["rule_id"].startswith("XC-")}
for x in sorted(truth - found):
    print("planted but not found by the Python reading:", *x)
for x in sorted(found - truth):
    print("found by the Python reading but not planted:", *x)
sys.exit(1 if truth != found or not truth else 0)
PY

# --- one county: the cross_county rules stay silent ----------------------------------------------------
db1="$tmp/one.db"
for ds in persons payments deaths officials relatives; do
    "$FW" --db "$db1" import "$ds" "$tmp/one/$ds.csv" >/dev/null
done
"$FW" --db "$db1" run --category cross_county >/dev/null 2>&1
"$FW" --db "$db1" run --only DUP-004 >/dev/null 2>&1
"$FW" --db "$db1" hits --state all --category cross_county --format csv >"$tmp/one_xc.csv"
n=$(tail -n +2 "$tmp/one_xc.csv" | wc -l)
[ "$n" = 0 ] || fail "$n cross_county hits on one county"
"$FW" --db "$db1" rules list --category cross_county >"$tmp/one_rules.txt"
[ "$(grep -c 'XC-00[1-4]' "$tmp/one_rules.txt")" = 4 ] || fail "the four XC rules are not in the catalogue"
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
    "$FW" --db "$ws" hits --state all --category cross_county --format csv >"$tmp/pg_hits.csv"
    tail -n +2 "$tmp/pg_hits.csv" | cut -d, -f2,6 | sort >"$tmp/pg_xc.csv"
    xc_truth | diff - "$tmp/pg_xc.csv" || fail "PostgreSQL's cross_county hits differ from truth.csv"
    echo "province: PostgreSQL finds the same $(wc -l <"$tmp/pg_xc.csv") cross_county hits"
else
    [ "${FUNDWATCH_REQUIRE_PG:-}" = 1 ] && fail "FUNDWATCH_REQUIRE_PG=1 but FUNDWATCH_TEST_PG is not set"
    echo "province: PostgreSQL NOT TESTED (set FUNDWATCH_TEST_PG, see docs/store.md)"
fi
echo "province: OK"
