#!/bin/bash
# partition_postgres.sh: payments partitioned by county and year on PostgreSQL (issue 12,
# docs/scale.md). A small province (3 counties): the partitions made at import; an --append of one
# county's month writes only that county-year's partition (the others' relfilenode and n_tup_ins
# unchanged, and it goes through while another session holds the other counties' partitions against
# writers); --replace --county --year swaps that partition only; a --replace of one county whose
# file mixes counties is refused naming them with their rows; a region code outside the workspace's
# counties is a reject with its code and line; `fundwatch status` lists counties and partitions.
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
dir=$(mktemp -d)
schema="fw_e2e_part_$$"
holder=
cleanup() {
    [ -n "$holder" ] && kill "$holder" 2>/dev/null
    psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
q() { psql "$pg" -XAtqc "$1"; }

"$FW" gen "$dir/prov" --counties 3 --persons-per-county 1500 >/dev/null || fail "gen"
# The ledger split: one month of 施秉县 (522623) apart, the rest as the province's base; a year file
# of 522623 for --replace; that file with rows of two other counties mixed in; a row of 520999.
python3 - "$dir" <<'PY' || fail "split"
import csv, sys
d = sys.argv[1]
rows = list(csv.reader(open(d + "/prov/payments.csv", encoding="utf-8-sig", newline="")))
h, body = rows[0], rows[1:]
ri, pi, di = h.index("行政区划代码"), h.index("所属期"), h.index("发放日期")
def county(r): return r[ri][:6]
def year(r): return (r[pi] or r[di])[:4]
def month(r): return (r[pi] or r[di])[:7]
b = [r for r in body if county(r) == "522623" and year(r) == "2023"]
from collections import Counter
last = Counter(month(r) for r in b).most_common(1)[0][0]
def write(name, rs):
    with open(d + "/" + name, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n"); w.writerow(h); w.writerows(rs)
mon = [r for r in b if month(r) == last]
write("month.csv", mon)
write("base.csv", [r for r in body if not (county(r) == "522623" and month(r) == last)])
year23 = [r for r in b if month(r) != last]
write("year.csv", year23)
other = ([r for r in body if county(r) == "522622" and year(r) == "2023"][:7] +
         [r for r in body if county(r) == "522624" and year(r) == "2023"][:5])
write("mixed.csv", year23[:100] + other)
ai = h.index("发放金额")
def plain(r):
    try: float(r[ai].replace(",", "")); return True
    except ValueError: return False
mon_ok = [r for r in mon if plain(r)]
bad = [list(mon_ok[0])]
bad[0][ri] = "520999" + bad[0][ri][6:]
bad[0][0] = "BADCOUNTY1"
write("badcounty.csv", bad + [list(r) for r in mon_ok[:1]])
bj = list(mon_ok[1]); bj[ri] = "110101001"; bj[0] = "MOVE1"
write("beijing.csv", [bj])
open(d + "/counts", "w").write("%d %d %d\n" % (len(mon), len(year23), len(b)))
PY
read -r n_month n_year n_b < "$dir/counts"
[ "$n_month" -gt 100 ] || fail "the month file is too small ($n_month rows)"

"$FW" --db "$pg" import persons "$dir/prov/persons.csv" >/dev/null 2>&1 || fail "import persons"
"$FW" --db "$pg" import payments "$dir/base.csv" > "$dir/out" 2>&1 || { cat "$dir/out"; fail "import base"; }
# (a bulk load into the empty table: its indexes are built afterwards, as `run` would)
"$FW" --db "$pg" index > "$dir/out" 2>&1 || { cat "$dir/out"; fail "index"; }

# Layout: the parent partitioned by county, each county by year.
[ "$(q "SELECT relkind FROM pg_class WHERE oid = to_regclass('ds_payments')")" = p ] || fail "ds_payments is not partitioned"
for c in 522622 522623 522624; do
    [ "$(q "SELECT relkind FROM pg_class WHERE oid = to_regclass('ds_payments_c$c')")" = p ] || fail "no county partition $c"
    [ "$(q "SELECT relkind FROM pg_class WHERE oid = to_regclass('ds_payments_c${c}_y2023')")" = r ] || fail "no partition $c 2023"
done
[ "$(q "SELECT count(*) FROM ds_payments_c522601_y2023")" -gt 0 ] || fail "凯里市's DUP-004 payments have no partition"
[ "$(q "SELECT count(*) FROM ds_payments")" = "$(q "SELECT count(*) FROM payments")" ] || fail "the rule view does not see every payment"
# The indexes are the parent's, so each partition has them.
[ "$(q "SELECT count(*) FROM pg_indexes WHERE tablename = 'ds_payments_c522622_y2023'")" -ge 4 ] || fail "partition without indexes"
"$FW" --db "$pg" status > "$dir/status" || fail "status"
grep -q "^engine *PostgreSQL" "$dir/status" || { cat "$dir/status"; fail "status: engine"; }
grep -q "^schema *16" "$dir/status" || fail "status: schema"
grep -q "password" "$dir/status" && fail "status names a password"
grep -Eq "^522623 +施秉县 +[0-9]+ +2021,2023 +2$" "$dir/status" || { cat "$dir/status"; fail "status: 施秉县's row"; }
"$FW" --db "$pg" --format json status | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert {r["county"] for r in rows} >= {"522622", "522623", "522624"}, rows
assert all(r["engine"] == "PostgreSQL" and r["schema"] == 16 and "partitions" in r for r in rows), rows
' || fail "status --format json"

# A row written by SQL for a county without a partition waits in the DEFAULT partition; when an
# import makes that county's partition, the row moves into it.
q "INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date, region_code)
   SELECT import_id, 9999999, 'SQLROW', id_number, name, program, amount, '2023-05-05', '110101001' FROM ds_payments LIMIT 1" >/dev/null
[ "$(q "SELECT count(*) FROM ds_payments_cother")" = 1 ] || fail "the SQL row is not in the default partition"

# Snapshot of every partition but 施秉县 2023's: file node and rows inserted.
snap() {
    q "SELECT s.relname, c.relfilenode, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.schemaname = '$schema' AND s.relname LIKE 'ds\_payments\_c%' AND s.relname <> 'ds_payments_c522623_y2023' ORDER BY 1"
}
sleep 1
snap > "$dir/before"
[ "$(wc -l < "$dir/before")" -ge 4 ] || fail "snapshot: $(cat "$dir/before")"
ins0=$(q "SELECT count(*) FROM ds_payments_c522623_y2023") # rows, not the statistics, which lag

# Another session keeps the other counties' partitions from writers (EXCLUSIVE lets readers in)
# while the month is appended: the append must not wait for them.
psql "$pg" -Xq -c "BEGIN; LOCK TABLE ds_payments_c522622_y2023, ds_payments_c522624_y2023, ds_payments_c522601_y2023 IN EXCLUSIVE MODE; SELECT pg_sleep(40); COMMIT;" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
    [ "$(q "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'ds_payments_c522622_y2023' AND l.mode = 'ExclusiveLock' AND l.granted")" = 1 ] && break
    sleep 0.2
done
start=$(date +%s)
timeout 30 "$FW" --db "$pg" import payments "$dir/month.csv" --append > "$dir/out" 2>&1 || { cat "$dir/out"; fail "the month's append waited for or failed on other counties' partitions"; }
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
[ $(( $(date +%s) - start )) -lt 25 ] || fail "the append took as long as the other session's lock"
sleep 1
snap > "$dir/after"
diff "$dir/before" "$dir/after" > "$dir/diff" || { cat "$dir/diff"; fail "the append touched other counties' partitions"; }
ins1=$(q "SELECT count(*) FROM ds_payments_c522623_y2023")
loaded=$(grep -oE '[0-9]+ loaded' "$dir/out" | cut -d' ' -f1) # the file's rows but its rejects (gen plants a few)
[ "$loaded" -gt 0 ] && [ "$loaded" -le "$n_month" ] || { cat "$dir/out"; fail "the month's import loaded '$loaded' of $n_month rows"; }
[ $((ins1 - ins0)) = "$loaded" ] || fail "the month's partition got $((ins1 - ins0)) rows, not the $loaded loaded"

# --replace --county --year: a new partition for 施秉县 2023 (new file node) with the year file's
# rows; 2021 and the other counties as they were.
node0=$(q "SELECT relfilenode FROM pg_class WHERE relname = 'ds_payments_c522623_y2023'")
n2021=$(q "SELECT count(*) FROM ds_payments_c522623_y2021")
snap > "$dir/before"
"$FW" --db "$pg" import payments "$dir/year.csv" --replace --county 522623 --year 2023 > "$dir/out" 2>&1 || { cat "$dir/out"; fail "replace county year"; }
node1=$(q "SELECT relfilenode FROM pg_class WHERE relname = 'ds_payments_c522623_y2023'")
[ "$node0" != "$node1" ] || fail "the county-year's partition was not swapped"
loaded=$(grep -oE '[0-9]+ loaded' "$dir/out" | cut -d' ' -f1)
[ "$loaded" -gt 0 ] && [ "$loaded" -le "$n_year" ] || { cat "$dir/out"; fail "the year's import loaded '$loaded' of $n_year rows"; }
[ "$(q "SELECT count(*) FROM ds_payments_c522623_y2023")" = "$loaded" ] || fail "the county-year holds not the $loaded rows loaded from the year file"
[ "$(q "SELECT count(*) FROM ds_payments_c522623_y2021")" = "$n2021" ] || fail "the county's other year changed"
sleep 1
snap > "$dir/after"
diff "$dir/before" "$dir/after" >/dev/null || fail "the replace touched other counties' partitions"

# The same on a mixed file: refused, naming the other counties and their rows; nothing changed.
total=$(q "SELECT count(*) FROM ds_payments")
"$FW" --db "$pg" import payments "$dir/mixed.csv" --replace --county 522623 --year 2023 > "$dir/out" 2>&1
rc=$?
[ $rc = 3 ] || { cat "$dir/out"; fail "a mixed file's replace: exit $rc, not 3"; }
grep -q "522622 2023 (7 rows)" "$dir/out" && grep -q "522624 2023 (5 rows)" "$dir/out" && grep -q "100 rows are of 522623 2023" "$dir/out" \
    || { cat "$dir/out"; fail "the refusal does not name the counties with their rows"; }
[ "$(q "SELECT count(*) FROM ds_payments")" = "$total" ] || fail "the refused replace changed rows"
[ "$(q "SELECT relfilenode FROM pg_class WHERE relname = 'ds_payments_c522623_y2023'")" = "$node1" ] || fail "the refused replace swapped the partition"
"$FW" --db "$pg" import payments "$dir/year.csv" --county 522623 --year 2023 > "$dir/out" 2>&1
[ $? = 2 ] || fail "--county without --replace is not a usage error"

# The import that makes 110101's partition moves the SQL row out of the default into it.
"$FW" --db "$pg" import payments "$dir/beijing.csv" > "$dir/out" 2>&1 || { cat "$dir/out"; fail "import 110101"; }
[ "$(q "SELECT count(*) FROM ds_payments_cother")" = 0 ] || fail "the default partition still holds the SQL row"
[ "$(q "SELECT count(*) FROM ds_payments_c110101_y2023")" = 2 ] || fail "110101's partition lacks the SQL row or the file's"

# Unknown county: with the workspace's counties set, a payment of 520999 is a reject (code, line).
"$FW" --db "$pg" status --set-counties 522601,522622,522623,522624 >/dev/null || fail "set counties"
"$FW" --db "$pg" status --set-counties 52262 >/dev/null 2>&1
[ $? = 2 ] || fail "a 5-digit county was accepted"
"$FW" --db "$pg" import payments "$dir/badcounty.csv" --append --correct > "$dir/out" 2>&1
"$FW" --db "$pg" --format csv rejects > "$dir/rejects" 2>&1 || fail "rejects"
grep -q "520999.*belongs to no known county" "$dir/rejects" || { cat "$dir/out" "$dir/rejects"; fail "the unknown county's row is not a reject naming its code"; }
grep "520999" "$dir/rejects" | grep -q ",2," || { cat "$dir/rejects"; fail "the reject does not give line 2"; }
[ "$(q "SELECT count(*) FROM ds_payments WHERE payment_id = 'BADCOUNTY1'")" = 0 ] || fail "the unknown county's row was loaded"
[ "$(q "SELECT count(*) FROM pg_class WHERE relname = 'ds_payments_c520999'")" = 0 ] || fail "a partition was made for the unknown county"
# --max-rejects applies to them as to any reject.
"$FW" --db "$pg" import payments "$dir/badcounty.csv" --append --correct --max-rejects 0 > "$dir/out" 2>&1
[ $? = 3 ] || { cat "$dir/out"; fail "--max-rejects 0 let the unknown county's row pass"; }
echo "partition_postgres: ok"
