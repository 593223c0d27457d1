# orders_roundtrip.sh: a verification order's round trip with a real reader/writer on the other
# side: dispatch from a small workspace, fill the workbook with openpyxl as a township clerk would
# (tests/e2e/orders_fill.py keeps validation and protection), receive it. Covers a clean return, a
# partial return, a changed fact, a deleted row, an inserted row, each bad answer kind (conclusion
# not in the list, date outside the window, date typed as text, amount with 元, amount as a formula,
# recovered above the amount to recover), the same file twice, a file that is not xlsx, a renamed
# sheet, a case changed since dispatch (conflict), accept and send back. A problem recorded by an
# English receipt reads in Chinese to a Chinese reader (stored language-neutral).
. "$(dirname "$0")/case_seed.inc"
seed_cases
export FUNDWATCH_USER=tester
PY=/usr/bin/python3
FILL="$PY $(dirname "$0")/orders_fill.py"
# a third case, so that a deleted row sits between two others
seed_third_case
due=$(date -d '+20 days' +%F)
mkdir "$dir/out.d"

# --- dispatch -------------------------------------------------------------------------------------
expect_exit 2 "$FW" orders dispatch --to 城关镇人民政府
expect_err "needs --to UNIT and --due"
expect_exit 2 "$FW" orders dispatch --to 城关镇 --due "$due" --sample 2
expect_err "go together"
expect_exit 5 "$FW" orders dispatch --to 城关镇 --due "$due" --township 不存在镇
# all or nothing: a workbook that cannot be written leaves no assignment, order or trail record
records=$(sql "SELECT count(*) FROM trail")
expect_exit 1 "$FW" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir/no/such/dir"
expect_err "cannot write the workbook"
[ "$(sql "SELECT count(*) FROM cases WHERE assignee IS NOT NULL") $(sql "SELECT count(*) FROM orders")" = "0 0" ] &&
    [ "$(sql "SELECT count(*) FROM trail")" = "$records" ] || fail "a failed dispatch left something behind"
expect_exit 0 "$FW" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir/out.d"
expect_out "order HC-"
order=$(sql "SELECT order_no FROM orders")
wb="$dir/out.d/$order.xlsx"
[ -f "$wb" ] || fail "no workbook $wb"
[ "$(sql "SELECT count(*) FROM cases WHERE assignee = '城关镇人民政府' AND due_date = '$due'")" = 3 ] ||
    fail "the cases were not assigned to the unit with the due date"
sha=$(sha256sum "$wb" | cut -d' ' -f1)
[ "$(sql "SELECT count(*) FROM trail WHERE action = 'order.dispatch' AND after LIKE '%$sha%'")" = 1 ] ||
    fail "the workbook's SHA-256 is not in the trail"
# the highest severity first (DEC-001 high), then by amount
[ "$(sql "SELECT group_concat(case_id, ',') FROM (SELECT case_id FROM order_rows ORDER BY row_no)")" = "1,2,3" ] ||
    fail "rows not in priority order"
# what the unit sees: the sheets, the hidden manifest and key columns, protection, validation
$PY - "$wb" <<'PYEOF' || fail "the workbook is not laid out as sent"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["说明", "核查清单", "工单信息"], wb.sheetnames
assert wb["工单信息"].sheet_state == "hidden"
ws = wb["核查清单"]
assert ws.protection.sheet and ws.protection.insertRows and ws.protection.deleteRows  # True: not allowed
heads = [c.value for c in ws[1]]
assert heads[11] == "核查结论" and heads[-1] == "校验码", heads
for letter in ("T", "U", "V", "W"):
    assert ws.column_dimensions[letter].hidden, letter
assert ws["C2"].protection.locked and not ws["L2"].protection.locked
kinds = sorted(dv.type for dv in ws.data_validations.dataValidation)
assert kinds.count("list") == 3 and "date" in kinds and kinds.count("decimal") == 2, kinds
assert ws["C2"].value == "张三" and ws["D3"].value == "11010519491231002X"
cover = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
assert "DEC-001" in cover and "反馈截止日期" in cover, cover
PYEOF
# a case already in an open order is not sent again
expect_exit 6 "$FW" orders dispatch --to 另一单位 --due "$due" --out "$dir/out.d"
expect_err "nothing to send: of the 3 cases the filter selects, 0 are closed, 0 have a verdict awaiting a second reviewer and 3 are in an order not yet settled"

# --- files that are refused whole -----------------------------------------------------------------
printf 'name,amount\n' > "$dir/not.xlsx"
expect_exit 3 "$FW" orders receive "$dir/not.xlsx"
expect_err "not an Excel workbook"
$FILL "$wb" "$dir/renamed.xlsx" renamed_sheet
expect_exit 3 "$FW" orders receive "$dir/renamed.xlsx"
expect_err "the sheet 核查清单 is missing (the sheets are: 说明, Sheet1, 工单信息)"
[ "$(sql "SELECT count(*) FROM order_files")" = 0 ] || fail "a refused file was recorded"

# --- bad answers: reported with sheet!cell, the row not taken ------------------------------------
receive_case() { # SCENARIO EXPECTED-TEXT
    $FILL "$wb" "$dir/$1.xlsx" "$1"
    expect_exit 0 "$FW" orders receive "$dir/$1.xlsx"
    expect_out "$2"
}
receive_case bad_conclusion "核查清单!L2: 核查结论 is '差不多属实', not one of 属实, 部分属实, 不属实, 数据错误; pick one from the list"
[ "$(sql "SELECT state FROM order_rows WHERE row_no = 1")" = invalid ] || fail "a bad conclusion was taken"
receive_case date_outside "核查清单!O2: 核查日期 .* is outside the order's window"
receive_case date_text "核查清单!O2: 核查日期 '.*' was typed as text"
receive_case amount_yuan "核查清单!P2: 应追缴金额(元) is '3240元', text with a currency sign; type the number only"
receive_case amount_formula "核查清单!P2: 应追缴金额(元) is a formula"
receive_case recovered_over "核查清单!Q2: 已追缴金额 100.00 is more than 应追缴金额 1.00\|核查清单!Q2: 已追缴金额 200.00 is more than 应追缴金额 100.00"
receive_case dismissed_no_note "核查清单!S2: 说明 is empty; 不属实 needs the reason"
[ "$(sql "SELECT count(*) FROM order_rows WHERE state = 'invalid'")" = 1 ] || fail "only row 1 was answered, badly"

# --- tampering ----------------------------------------------------------------------------------------
receive_case changed_fact "核查清单!C3: 姓名 was changed (sent '李四', returned '李四四')"
[ "$(sql "SELECT state FROM order_rows WHERE row_no = 2")" = invalid ] || fail "a changed row was taken"
[ "$(sql "SELECT state FROM order_rows WHERE row_no = 1")" = answered ] || fail "an intact row was not taken"
# the problem was recorded by an English receipt; it reads in the reader's language, also as JSON
expect_exit 0 env LANGUAGE=zh_CN "$FW" orders show "$order" --format json
expect_out "C3: 姓名 被改动（下发为“李四”，交回为“李四四”）"
expect_exit 0 "$FW" orders show "$order"
expect_out "C3: 姓名 was changed (sent '李四', returned '李四四')"
receive_case changed_rowno "核查清单!A3: 序号 was changed (sent '2', returned '7')"
expect_out "0 inserted"
receive_case copied_row "核查清单!A5: a copy of row 1 was added (inserted)"
receive_case deleted_row "row 2 (case FW-2026-000002) is missing from the returned workbook (deleted)"
expect_out "1 missing"
$FILL "$wb" "$dir/manifest.xlsx" manifest_changed
expect_exit 3 "$FW" orders receive "$dir/manifest.xlsx"
expect_err "the sheet 工单信息 was changed"
receive_case inserted_row "核查清单!A5: a row that was not sent was added (inserted)"
expect_out "1 inserted"

# --- the same file twice ------------------------------------------------------------------------------
files=$(sql "SELECT count(*) FROM order_files"); records=$(sql "SELECT count(*) FROM trail")
expect_exit 0 "$FW" orders receive "$dir/inserted_row.xlsx"
expect_out "was received already for order $order"
[ "$(sql "SELECT count(*) FROM order_files")" = "$files" ] && [ "$(sql "SELECT count(*) FROM trail")" = "$records" ] ||
    fail "receiving the same file twice changed something"

# --- partial return, then a case changed in fundwatch meanwhile (conflict), then the clean return ----
receive_case partial "1 answered (proposed), 2 open"
[ "$(sql "SELECT group_concat(state, ',') FROM (SELECT state FROM order_rows ORDER BY row_no)")" = "answered,open,open" ] ||
    fail "partial return: $(sql "SELECT row_no, state FROM order_rows")"
[ "$(sql "SELECT status FROM cases WHERE id = 1")" = new ] || fail "an answer was applied before it was accepted"
expect_exit 0 "$FW" case assign 3 县民政局
receive_case clean "2 answered (proposed), 0 open, 0 invalid, 1 conflicts"
expect_out "case FW-2026-000003 was changed in fundwatch after the order was sent"
copy=$(sql "SELECT copy_path FROM order_files WHERE name LIKE '%clean.xlsx'")
[ "$(sha256sum < "$copy" | cut -d' ' -f1)" = "$(sha256sum < "$dir/clean.xlsx" | cut -d' ' -f1)" ] ||
    fail "the returned file was not kept as evidence"

# --- review: only accepted answers change cases --------------------------------------------------------
expect_exit 6 "$FW" orders accept "$order" 3
expect_err "only an answered row can be accepted"
expect_exit 0 "$FW" orders accept "$order" 1
expect_out "1 answers accepted"
# with a second reviewer the verdict waits for another user, as for `case set`
expect_exit 0 "$FW" case review on
expect_exit 0 "$FW" orders accept "$order" --all-valid
expect_out "1 answers accepted"
[ "$(sql "SELECT status, pending_status, pending_by FROM cases WHERE id = 2")" = "verifying|dismissed|tester" ] ||
    fail "the verdict did not wait for a second reviewer: $(sql "SELECT status, pending_status FROM cases WHERE id = 2")"
expect_exit 6 "$FW" case approve 2
expect_exit 0 "$FW" --user 李审核 case approve 2
expect_exit 0 "$FW" case review off
[ "$(sql "SELECT status, measures, to_recover, recovered FROM cases WHERE id = 1")" = "rectifying|recover_funds|36000|12000" ] ||
    fail "case 1: $(sql "SELECT status, measures, to_recover, recovered FROM cases WHERE id = 1")"
[ "$(sql "SELECT status, dismiss_reason FROM cases WHERE id = 2")" = "dismissed|other" ] || fail "case 2 not dismissed"
[ "$(sql "SELECT status FROM cases WHERE id = 3")" = new ] || fail "the conflicting answer was applied"
expect_exit 0 "$FW" orders send-back "$order" 3 --note "案件已改派，请重新核实"
[ "$(sql "SELECT state, sent_back_note FROM order_rows WHERE row_no = 3")" = "sent_back|案件已改派，请重新核实" ] ||
    fail "send back not recorded"
expect_exit 6 "$FW" orders send-back "$order" 1 --note x
expect_err "accepted already"
[ "$(sql "SELECT count(*) FROM trail WHERE action IN ('order.accept', 'order.send_back')")" = 3 ] ||
    fail "review steps missing from the trail"
expect_exit 0 "$FW" orders list
expect_out "$order"
sql "UPDATE orders SET due_date = '2020-01-01'"
expect_exit 0 "$FW" orders list --format csv
grep -q "^$order,城关镇人民政府,returned,2020-01-01,1," "$dir/out" || fail "an order past its due date is not overdue: $(cat "$dir/out")"
expect_exit 0 "$FW" orders show "$order"
expect_out "sent_back"
expect_exit 5 "$FW" orders show HC-1999-0001
expect_exit 0 "$FW" log verify
# the rest can be sent in one command: the case still in the order is left out, and said so
expect_exit 0 "$FW" orders dispatch --to 县民政局 --due "$due" --out "$dir/out.d"
expect_out ", 2 cases, "
expect_out "left out: 0 closed, 0 with a verdict awaiting a second reviewer, 1 in an order not yet settled"
[ "$(sql "SELECT group_concat(case_id) FROM order_rows WHERE order_id = 2")" = "1,2" ] || fail "the wrong cases were sent"

# --- a workbook of another workspace ------------------------------------------------------------------
other=$dir/other.db
FUNDWATCH_DB=$other "$FW" init >/dev/null
expect_exit 5 env FUNDWATCH_DB="$other" "$FW" orders receive "$dir/clean.xlsx"
expect_err "has sent no verification order"
sqlite3 "$other" "INSERT INTO settings(key, value) VALUES ('orders.mac_key', printf('%064d', 7))"
expect_exit 5 env FUNDWATCH_DB="$other" "$FW" orders receive "$dir/clean.xlsx"
expect_err "was sent from another workspace"
echo "orders_roundtrip: OK"
