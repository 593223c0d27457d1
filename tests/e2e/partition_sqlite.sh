#!/bin/bash
# partition_sqlite.sh: what issue 12's payments layout means on a SQLite workspace (one table, no
# partitions): `fundwatch status` lists each county's rows and years without a partitions column;
# --replace --county --year replaces that county-year's rows only; a file mixing counties is
# refused with their counts; with the workspace's counties set, an unknown county's payment is a
# reject with its code and line (docs/scale.md).
# engines: sqlite (the SQLite half of partitioning; partition_postgres.sh is the server's)
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="$dir/w.db"
q() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"; }

"$FW" gen "$dir/prov" --counties 3 --persons-per-county 1000 >/dev/null || fail "gen"
python3 - "$dir" <<'PY' || fail "split"
import csv, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/prov/payments.csv", encoding="utf-8-sig", newline="")))
h, body = rows[0], rows[1:]
ri, pi, di = h.index("行政区划代码"), h.index("所属期"), h.index("发放日期")
year = lambda r: (r[pi] or r[di])[:4]
def write(name, rs):
    with open(d + "/" + name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(h); w.writerows(rs)
y = [r for r in body if r[ri][:6] == "522623" and year(r) == "2023"][:500]
write("year.csv", y)
write("mixed.csv", y[:50] + [r for r in body if r[ri][:6] == "522624" and year(r) == "2023"][:3])
bad = list(y[0]); bad[ri] = "520999001"; bad[0] = "BADCOUNTY1"
write("bad.csv", [bad])
PY
"$FW" --db "$db" import payments "$dir/prov/payments.csv" >/dev/null 2>&1 || fail "import"
"$FW" --db "$db" status > "$dir/status" || fail "status"
grep -q "^engine *SQLite" "$dir/status" && grep -q "^schema *16" "$dir/status" || { cat "$dir/status"; fail "status head"; }
grep -q "partitions" "$dir/status" && fail "status shows partitions on SQLite"
want=$(q "SELECT count(*) FROM ds_payments WHERE substr(region_code, 1, 6) = '522624'")
grep -Eq "^522624 +三穗县 +$want " "$dir/status" || { cat "$dir/status"; fail "status: 三穗县 should have $want rows"; }
other=$(q "SELECT count(*) FROM ds_payments WHERE NOT (substr(region_code, 1, 6) = '522623' AND substr(COALESCE(period, pay_date), 1, 4) = '2023')")
"$FW" --db "$db" import payments "$dir/year.csv" --replace --county 522623 --year 2023 > "$dir/out" 2>&1 || { cat "$dir/out"; fail "replace"; }
[ "$(q "SELECT count(*) FROM ds_payments WHERE substr(region_code, 1, 6) = '522623' AND substr(COALESCE(period, pay_date), 1, 4) = '2023'")" = 500 ] || fail "the county-year does not hold the file's 500 rows"
[ "$(q "SELECT count(*) FROM ds_payments WHERE NOT (substr(region_code, 1, 6) = '522623' AND substr(COALESCE(period, pay_date), 1, 4) = '2023')")" = "$other" ] || fail "rows of other county-years changed"
"$FW" --db "$db" import payments "$dir/mixed.csv" --replace --county 522623 --year 2023 > "$dir/out" 2>&1
[ $? = 3 ] && grep -q "522624 2023 (3 rows); 50 rows are of 522623 2023" "$dir/out" || { cat "$dir/out"; fail "mixed file"; }
"$FW" --db "$db" status --set-counties 522601,522622,522623,522624 >/dev/null || fail "set counties"
"$FW" --db "$db" import payments "$dir/bad.csv" > "$dir/out" 2>&1
"$FW" --db "$db" --format csv rejects > "$dir/rejects" || fail "rejects"
grep "520999001" "$dir/rejects" | grep -q "belongs to no known county" || { cat "$dir/rejects"; fail "no reject for the unknown county"; }
[ "$(q "SELECT count(*) FROM ds_payments WHERE payment_id = 'BADCOUNTY1'")" = 0 ] || fail "the unknown county's row was loaded"
echo "partition_sqlite: ok"
