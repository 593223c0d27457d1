# orders_accept_refused.sh: an answer that fundwatch refuses at accept leaves its case as it was, not
# half changed. `orders accept --all-valid` applies all answers in one transaction with a savepoint
# per row; an answer whose verdict is refused after its first step (new -> verifying) would, without
# the savepoint, leave the case in verifying. Here row 2's 不属实 answer loses its 说明 after it was
# received (as a tampered row would), so the dismissal is refused: row 2 is reported and stays
# answered with the reason, its case stays new with no trail record of its own, and row 1 is accepted.
# The reason is kept language-neutral (a message id and its arguments) and reads in the reader's
# language: accepted in English, read in Chinese, and the other way round.
. "$(dirname "$0")/case_seed.inc"
seed_cases
export FUNDWATCH_USER=tester
due=$(date -d '+20 days' +%F)
mkdir "$dir/out.d"
expect_exit 0 "$FW" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir/out.d"
order=$(sql "SELECT order_no FROM orders")
/usr/bin/python3 "$(dirname "$0")/orders_fill.py" "$dir/out.d/$order.xlsx" "$dir/clean.xlsx" clean
expect_exit 0 "$FW" orders receive "$dir/clean.xlsx"
expect_out "2 answered (proposed)"
[ "$(sql "SELECT conclusion FROM order_rows WHERE row_no = 2")" = dismissed ] || fail "row 2 is not a dismissal"
sql "UPDATE order_rows SET note = NULL WHERE row_no = 2"
version=$(sql "SELECT version FROM cases WHERE id = 2")
records=$(sql "SELECT count(*) FROM trail WHERE object = 'case:2'")
expect_exit 0 "$FW" orders accept "$order" --all-valid
expect_out "1 answers accepted"
cat "$dir/out" "$dir/err" | grep -q "row 2 (case FW-2026-000002): not applied: reason 'other' needs" ||
    { cat "$dir/out" "$dir/err" >&2; fail "the refused answer was not reported"; }
[ "$(sql "SELECT status, version FROM cases WHERE id = 2")" = "new|$version" ] ||
    fail "the refused answer left its case half changed: $(sql "SELECT status, version FROM cases WHERE id = 2")"
[ "$(sql "SELECT count(*) FROM trail WHERE object = 'case:2'")" = "$records" ] ||
    fail "the refused answer left trail records on its case"
[ "$(sql "SELECT state FROM order_rows WHERE row_no = 2")" = answered ] && sql "SELECT problems FROM order_rows WHERE row_no = 2" | grep -q "reason 'other'" ||
    fail "row 2: $(sql "SELECT state, problems FROM order_rows WHERE row_no = 2")"
[ "$(sql "SELECT state FROM order_rows WHERE row_no = 1")" = accepted ] || fail "row 1 was not accepted"
[ "$(sql "SELECT status FROM cases WHERE id = 1")" = rectifying ] || fail "row 1's answer was not applied"
[ "$(sql "SELECT count(*) FROM trail WHERE action = 'order.accept'")" = 2 ] || fail "each row's review is not in the trail"
# the reason is kept language-neutral: accepted by an English user, it reads in Chinese to a Chinese
# reader (and in English to an English one)
expect_exit 0 env LC_ALL= LANG=zh_CN.UTF-8 "$FW" orders show "$order" --format json
expect_out "原因为“其他”时须写明具体原因"
expect_exit 0 "$FW" orders show "$order" --format json
expect_out "reason 'other' needs the reason written out"
# and the other way round: a case changed after the receipt, accepted by a Chinese user, reads in
# English to an English reader
expect_exit 0 "$FW" case assign 2 县民政局
expect_exit 6 env LC_ALL= LANG=zh_CN.UTF-8 "$FW" orders accept "$order" 2
expect_err "案件 FW-2026-000002 在工单下发后"
[ "$(sql "SELECT state FROM order_rows WHERE row_no = 2")" = conflict ] ||
    fail "row 2 after a change meanwhile: $(sql "SELECT state, problems FROM order_rows WHERE row_no = 2")"
expect_exit 0 "$FW" orders show "$order" --format json
expect_out "case FW-2026-000002 was changed in fundwatch after the order was sent"
expect_exit 0 env LC_ALL= LANG=zh_CN.UTF-8 "$FW" orders show "$order" --format json
expect_out "案件 FW-2026-000002 在工单下发后已在 fundwatch 中变更（版本"
expect_exit 0 "$FW" log verify
echo "orders_accept_refused: OK"
