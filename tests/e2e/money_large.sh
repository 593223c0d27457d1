#!/usr/bin/env bash
# money_large.sh: money totals past 2^31 fen (¥21,474,836.47) on both engines. A county's money at
# issue passes that in a real run (bench/engines.sh at 200,000 persons: `overview` on PostgreSQL
# failed with "integer out of range"), since PostgreSQL's INTEGER is 32 bits where SQLite's is 64.
# Two payments of ¥12,000,000.00 after a death (DEC-001) make ¥24,000,000.00 at issue; every total
# a person reads (overview, hit list, case list and case, the leads workbook) must say so.
# engines: sqlite postgresql
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/ws.inc"
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
dir=$(mktemp -d)
trap 'ws_cleanup; rm -rf "$dir"' EXIT
ws_new "$dir"
export FUNDWATCH_DB=$ws
PY=/usr/bin/python3

cat >"$dir/deaths.csv" <<'CSV'
id_number,death_date
520102195503120016,2023-01-15
CSV
cat >"$dir/payments.csv" <<'CSV'
payment_id,id_number,name,program,amount,pay_date,period,township,village
L1,520102195503120016,张三,医疗救助,"12,000,000.00",2023-02-10,2023-02,龙场镇,新寨村
L2,520102195503120016,张三,医疗救助,12000000.00,2023-03-10,2023-03,龙场镇,新寨村
L0,520102195503120016,张三,医疗救助,100.00,2023-01-10,2023-01,龙场镇,新寨村
CSV
"$FW" import deaths "$dir/deaths.csv" >/dev/null || fail "import deaths"
"$FW" import payments "$dir/payments.csv" >/dev/null || fail "import payments"
"$FW" run --only DEC-001 >/dev/null 2>&1 || fail "run DEC-001"
[ "$(ws_sql "$ws" "SELECT sum(amount) FROM hits WHERE rule_id = 'DEC-001'")" = 2400000000 ] ||
    fail "premise: DEC-001 should hit the two payments after the death (2,400,000,000 fen)"

"$FW" --format csv overview >"$dir/ov.csv" 2>"$dir/err" || fail "overview: $(cat "$dir/err")"
grep -q '^total,hits,1,24000000.00,' "$dir/ov.csv" || fail "overview total: $(grep '^total,hits' "$dir/ov.csv")"
grep -q '^category,deceased,1,24000000.00,' "$dir/ov.csv" || fail "overview category: $(grep '^category' "$dir/ov.csv")"
"$FW" --format csv hits --rule DEC-001 | grep -q ',24000000.00,' || fail "hits csv amount"
"$FW" --format csv case list >"$dir/cases.csv" 2>"$dir/err" || fail "case list: $(cat "$dir/err")"
grep -q ',24000000.00' "$dir/cases.csv" || fail "case list amount: $(cat "$dir/cases.csv")"
case_no=$(ws_sql "$ws" "SELECT case_no FROM cases LIMIT 1")
"$FW" case show "$case_no" >"$dir/show.txt" 2>"$dir/err" || fail "case show: $(cat "$dir/err")"
grep -qE '^  amount +24000000\.00$' "$dir/show.txt" || fail "case show amount: $(grep amount "$dir/show.txt")"
"$FW" export "$dir/leads.xlsx" --quiet >/dev/null 2>"$dir/err" || fail "export: $(cat "$dir/err")"
$PY - "$dir/leads.xlsx" <<'PY' || fail "workbook total"
import sys
import openpyxl
rows = list(openpyxl.load_workbook(sys.argv[1])['概览'].iter_rows(values_only=True))
i = next(k for k, r in enumerate(rows) if r[0] == '按类别') + 2
while rows[i][0] != '合计':
    i += 1
assert rows[i][1:3] == (1, 24000000.00), rows[i]
PY
echo "money_large: ¥24,000,000.00 at issue reads the same in overview, hits, cases and the workbook"
