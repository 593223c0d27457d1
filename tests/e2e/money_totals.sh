#!/usr/bin/env bash
# money_totals.sh: money counted once, end to end. Ledgers are imported with the CLI and the real
# rules run (DEC-001, DEC-003, DUP-001), so several rules hit the same payments; a village
# statistic and a hit citing no payment are added as those rules would store them. Every total a
# person sees is checked against sums computed by hand (see tests/unit/test_money.c for the story):
#
#   张三 283.78 (two rules, not 567.56) · 李秀英 360.00 · 黄梅 600.00 (two rules, not 900.00)
#   · 王五 500.00 · everything 1,743.78 · not payment-based apart: 5,000.00 + 123.45 = 5,123.45
#
# Where: CLI overview (csv, json, table), hits and case list (csv, json: yuan, two decimals), case
# show, the leads workbook (概览 tables and 合计, 案件) and the case workbook read with openpyxl, and
# the TUI's overview, hit-list footer, case and person screens. Times: case show in local time under
# TZ=Asia/Shanghai and TZ=UTC.
# engines: sqlite postgresql
. "$(dirname "$0")/../tui/lib.sh"
dir=$TUI_TMP
ws_new "$dir"
db=$ws
export FUNDWATCH_DB=$db
PY=/usr/bin/python3

cat >"$dir/deaths.csv" <<'CSV'
id_number,death_date
520102195503120016,2023-03-10
520102194505051021,2023-01-15
520102196001010022,2023-01-15
CSV
cat >"$dir/payments.csv" <<'CSV'
payment_id,id_number,name,program,amount,pay_date,period,township,village
A1,520102195503120016,张三,城乡居民养老金,146.56,2023-02-10,2023-02,龙场镇,新寨村
A2,520102195503120016,张三,城乡居民养老金,146.56,2023-04-10,2023-04,龙场镇,新寨村
A3,520102195503120016,张三,城乡居民养老金,137.22,2023-05-10,2023-05,龙场镇,新寨村
B1,11010519491231002X,李秀英,低保,360.00,2023-05-10,2023-05,龙场镇,新寨村
B2,11010519491231002X,李秀英,低保,360.00,2023-05-20,2023-05,龙场镇,新寨村
C1,520102194505051021,黄梅,低保,300.00,2023-03-10,2023-03,新场镇,大坪村
C2,520102194505051021,黄梅,低保,300.00,2023-03-20,2023-03,新场镇,大坪村
D1,520102196001010022,王五,医疗救助,200.00,2023-02-10,2023-02,新场镇,大坪村
D2,520102196001010022,王五,低保,300.00,2023-02-12,2023-02,新场镇,大坪村
CSV
"$FW" import deaths "$dir/deaths.csv" >/dev/null
"$FW" import payments "$dir/payments.csv" >/dev/null
"$FW" run --only DEC-001,DEC-003,DUP-001 >/dev/null 2>&1
ws_sql "$db" "INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, township, village,
                 program, amount, detail, evidence_hash, first_run_id, last_run_id)
               VALUES ('v1', 'STA-001', 'statistical', 'low', 'village', '龙场镇/新寨村', '龙场镇', '新寨村',
                 '城乡居民养老金', 500000, '本村金额离群', 'ev', 1, 1);
               INSERT INTO hit_evidence VALUES ((SELECT id FROM hits WHERE fingerprint = 'v1'), 'payments', 'A2');
               INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
                 township, village, amount, detail, evidence_hash, first_run_id, last_run_id)
               VALUES ('n1', 'IDN-004', 'identity', 'medium', 'person', '520102199001010011', '520102199001010011',
                 '赵六', '新场镇', '大坪村', 12345, '未引用发放记录', 'en', 1, 1);"
# The premise: the rules did hit the same payments.
[ "$(ws_sql "$db" "SELECT sum(amount) FROM hits WHERE subject = '520102195503120016'")" = 56756 ] ||
    fail "DEC-001 and DEC-003 did not both hit 张三's two payments"

# --- CLI --------------------------------------------------------------------------------------------
"$FW" --format csv overview >"$dir/ov.csv"
row() { grep "^$1,$2," "$dir/ov.csv" | cut -d, -f"$3"; }
[ "$(row total hits 4)" = 1743.78 ] || fail "overview total $(row total hits 4), want 1743.78"
[ "$(row total hits 5)" = 5123.45 ] || fail "overview not payment-based $(row total hits 5), want 5123.45"
[ "$(row category deceased 4)" = 1383.78 ] || fail "overview deceased $(row category deceased 4), want 1383.78"
[ "$(row category duplicate 4)" = 660.00 ] || fail "overview duplicate $(row category duplicate 4), want 660.00"
[ "$(row category statistical 4),$(row category statistical 5)" = 0.00,5000.00 ] || fail "statistical category"
[ "$(row village '龙场镇 新寨村' 4)" = 643.78 ] || fail "village cluster $(row village '龙场镇 新寨村' 4)"
[ "$(row program_month '医疗救助 2023-02' 4)" = 500.00 ] || fail "program cluster by one program"
grep -q '^program_month,[^,]*,[^,]*,' "$dir/ov.csv" && grep '^program_month' "$dir/ov.csv" | cut -d, -f2 | grep -q , &&
    fail "a cluster of several programs"
"$FW" --format json overview | $PY -c '
import json, sys
rows = json.load(sys.stdin)
t = next(r for r in rows if r["section"] == "total" and r["item"] == "hits")
assert t["amount"] == 1743.78 and t["other_amount"] == 5123.45, t' || fail "overview json"
"$FW" overview >"$dir/ov.txt"
grep -qE '^total +hits +8 +1743\.78 +5123\.45' "$dir/ov.txt" || fail "overview table: $(grep total "$dir/ov.txt")"

"$FW" --format csv case list >"$dir/cases.csv"
$PY -c '
import csv, sys
got = {r["name"]: r["amount"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
assert got == {"张三": "283.78", "李秀英": "360.00", "黄梅": "600.00", "王五": "500.00"}, got' "$dir/cases.csv" ||
    fail "case list amounts"
zs=$(ws_sql "$db" "SELECT case_no FROM cases WHERE name = '张三'")
TZ=Asia/Shanghai "$FW" case show "$zs" >"$dir/show.txt"
grep -qE '^  amount +283\.78$' "$dir/show.txt" || fail "case show amount: $(grep amount "$dir/show.txt")"
created=$(ws_sql "$db" "SELECT created_at FROM cases WHERE case_no = '$zs'")
sh_time=$(TZ=Asia/Shanghai date -d "$created" '+%Y-%m-%d %H:%M')
utc_time=$(TZ=UTC date -d "$created" '+%Y-%m-%d %H:%M')
[ "$sh_time" != "$utc_time" ] || fail "test premise: the two zones agree"
grep -q "warning date     $sh_time" "$dir/show.txt" || fail "case show not in Shanghai time $sh_time"
TZ=UTC "$FW" case show "$zs" | grep -q "warning date     $utc_time" || fail "case show not in UTC $utc_time"
grep -q "T..:..:..Z" "$dir/show.txt" && fail "case show prints a stored UTC time"
"$FW" --format json case show "$zs" | $PY -c '
import json, sys
d = json.load(sys.stdin)
assert d["case"]["amount"] == 283.78, d["case"]
assert sorted(h["amount"] for h in d["hits"]) == [283.78, 283.78], d["hits"]' || fail "case show json"
"$FW" --format csv hits --rule DUP-001 | grep -q ',360.00,' || fail "hits csv: money in yuan"

# --- workbooks (openpyxl) -----------------------------------------------------------------------
"$FW" export "$dir/leads.xlsx" --quiet >/dev/null
"$FW" export "$dir/case.xlsx" --case "$zs" --quiet >/dev/null
$PY - "$dir/leads.xlsx" "$dir/case.xlsx" "$zs" <<'PY' || fail "workbook totals"
import sys
import openpyxl
leads = openpyxl.load_workbook(sys.argv[1])
rows = list(leads['概览'].iter_rows(values_only=True))
def table(title):
    i = next(k for k, r in enumerate(rows) if r[0] == title) + 2
    out = {}
    while rows[i][0] not in (None, '(无)'):
        out[rows[i][0]] = rows[i][1:4]
        if rows[i][0] == '合计':
            break
        i += 1
    return out
cat = table('按类别')
assert cat['死亡人员'][:2] == (4, 1383.78), cat
assert cat['重复享受'][1] == 660.00, cat
assert cat['统计异常'][1:] == (0.0, 5000.00), cat
assert cat['合计'] == (8, 1743.78, 5123.45), cat          # not the rows added up
town = table('按乡镇')
assert town['龙场镇'][1] == 643.78 and town['新场镇'][1] == 1100.00, town
assert town['合计'][1] == 1743.78, town
rule = table('按规则')
assert rule['DEC-001'][1] == 1383.78 and rule['DEC-003'][1] == 283.78, rule
cases = {r[1]: r[14] for r in leads['案件'].iter_rows(min_row=2, values_only=True)}
assert cases == {'张三': 283.78, '李秀英': 360.00, '黄梅': 600.00, '王五': 500.00}, cases
book = openpyxl.load_workbook(sys.argv[2])
dossier = list(book[sys.argv[3]].iter_rows(values_only=True))
record = {r[0]: r[1] for r in dossier if r[0]}
assert record['涉及金额(元)'] == 283.78, record
total = next(r for r in dossier if r[0] == '合计')
assert total[2] == 283.78, total                            # under the two rules: once
evidence = list(book[sys.argv[3] + '证据'].iter_rows(values_only=True))
paid = next(r for r in evidence if r[0] == '合计')
assert 283.78 in paid, paid
PY

# --- TUI --------------------------------------------------------------------------------------------
tui_start "$db" TZ=Asia/Shanghai
tui_wait "Hits by category"
tui_wait "¥1,743.78"
tui_screen | grep -E "hits +8 +¥1,743.78 +\+¥5,123.45 not payment-based" >/dev/null || fail "overview total"
tui_screen | grep -E "deceased +4 +¥1,383.78" >/dev/null || fail "overview deceased"
tui_keys 2
tui_wait "of 8 · ¥1,743.78 · +¥5,123.45 not payment-based"
tui_keys f
tui_type "category=deceased"
tui_keys Enter
tui_wait "of 4 · ¥1,383.78"
tui_keys /
tui_type "张三"
tui_keys Enter
tui_wait "of 2 · ¥283.78"
tui_keys Enter
tui_wait "¥283.78 at issue"
tui_keys q
tui_wait "of 2 · ¥283.78"
tui_keys C
tui_wait "Tab next tab"
tui_keys Tab Tab
tui_wait "By status: "
tui_wait "4 cases · ¥1,743.78 · Tab next tab"
tui_keys Q
echo "money_totals: ok"
