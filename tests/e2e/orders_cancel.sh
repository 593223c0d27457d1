#!/usr/bin/env bash
# orders_cancel.sh: cancelling a verification order (docs/orders.md "Cancelling"). An order of two
# cases — one assigned to someone before the dispatch, one not — is cancelled: each case gets back
# the assignment it had (承办单位, date received, 办结时限), its status untouched, with a case.assign
# trail record, and the order's order.cancel record names the reason; the order lists as cancelled.
# The unit's workbook returned afterwards is refused naming the cancellation, nothing written; so
# are accept, send-back and a second cancel. The cases can be sent again. A case reassigned after
# the dispatch keeps that assignment. An order with an accepted row cannot be cancelled.
. "$(dirname "$0")/case_seed.inc"
seed_cases
export FUNDWATCH_USER=tester
FILL="/usr/bin/python3 $(dirname "$0")/orders_fill.py"
seed_third_case
due=$(date -d '+20 days' +%F)
mkdir "$dir/out.d"

# case 1 had an assignment before the order; case 2 none
expect_exit 0 "$FW" case assign 1 王科长 --due 2030-01-31
before1=$(sql "SELECT assignee || '|' || received_at || '|' || due_date || '|' || status FROM cases WHERE id = 1")
expect_exit 0 "$FW" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir/out.d" --case FW-2026-000001 FW-2026-000002
order=$(sql "SELECT order_no FROM orders")
$FILL "$dir/out.d/$order.xlsx" "$dir/back.xlsx" clean
[ "$(sql "SELECT count(*) FROM cases WHERE assignee = '城关镇人民政府'")" = 2 ] || fail "not dispatched"

# usage and lookups
expect_exit 2 "$FW" orders cancel "$order"
expect_exit 2 "$FW" orders cancel "$order" --reason "   "
expect_err "reason"
expect_exit 5 "$FW" orders cancel HC-1999-0001 --reason x
expect_err "no verification order HC-1999-0001"

records=$(sql "SELECT count(*) FROM trail")
expect_exit 0 "$FW" orders cancel "$order" --reason "发错单位，应发民政局"
expect_out "order $order cancelled: 2 cases given back"
[ "$(sql "SELECT assignee || '|' || received_at || '|' || due_date || '|' || status FROM cases WHERE id = 1")" = "$before1" ] ||
    fail "case 1 did not get its assignment back: $(sql "SELECT assignee, received_at, due_date FROM cases WHERE id = 1")"
[ "$(sql "SELECT coalesce(assignee, 'none') || coalesce(due_date, 'none') || status FROM cases WHERE id = 2")" = nonenonenew ] ||
    fail "case 2 is still assigned: $(sql "SELECT assignee, due_date FROM cases WHERE id = 2")"
[ "$(sql "SELECT count(*) FROM trail WHERE action = 'order.cancel' AND after LIKE '%发错单位，应发民政局%'")" = 1 ] ||
    fail "no order.cancel record with the reason"
[ "$(sql "SELECT count(*) FROM trail")" = $((records + 3)) ] || fail "expected 2 case.assign and 1 order.cancel records"
expect_exit 0 "$FW" log verify
expect_exit 0 "$FW" orders list --format csv
grep -q "^$order,城关镇人民政府,cancelled," "$dir/out" || { cat "$dir/out"; fail "the order does not list as cancelled"; }

# afterwards: the workbook is refused naming the cancellation, nothing written
expect_exit 6 "$FW" orders receive "$dir/back.xlsx"
expect_err "order $order was cancelled on .* by tester: 发错单位，应发民政局; its workbook is not taken"
[ "$(sql "SELECT count(*) FROM order_files")" = 0 ] || fail "the refused receipt recorded a file"
[ "$(sql "SELECT count(*) FROM order_rows WHERE state <> 'open'")" = 0 ] || fail "the refused receipt changed rows"
expect_exit 6 "$FW" orders accept "$order" --all-valid
expect_err "was cancelled"
expect_exit 6 "$FW" orders send-back "$order" 1 --note x
expect_exit 6 "$FW" orders cancel "$order" --reason again
expect_err "cancelled already"

# the cases can be sent again
expect_exit 0 "$FW" orders dispatch --to 民政局 --due "$due" --out "$dir/out.d" --case FW-2026-000001 FW-2026-000002
second=$(sql "SELECT order_no FROM orders WHERE order_no <> '$order'")
# a case given to someone else after the dispatch keeps that assignment
expect_exit 0 "$FW" case assign 2 李股长
expect_exit 0 "$FW" orders cancel "$second" --reason 重复下发
expect_out "1 cases given back.*1 assigned elsewhere since kept"
[ "$(sql "SELECT assignee FROM cases WHERE id = 2")" = 李股长 ] || fail "case 2's later assignment was undone"
[ "$(sql "SELECT assignee FROM cases WHERE id = 1")" = 王科长 ] || fail "case 1 not given back again"

# an order with an accepted row cannot be cancelled
expect_exit 0 "$FW" orders dispatch --to 民政局 --due "$due" --out "$dir/out.d" --case FW-2026-000003
third=$(sql "SELECT order_no FROM orders ORDER BY id DESC LIMIT 1")
$FILL "$dir/out.d/$third.xlsx" "$dir/third.xlsx" clean
expect_exit 0 "$FW" orders receive "$dir/third.xlsx"
expect_exit 0 "$FW" orders accept "$third" 1
expect_exit 6 "$FW" orders cancel "$third" --reason x
expect_err "1 accepted rows"
[ "$(sql "SELECT count(*) FROM orders WHERE cancelled_at IS NOT NULL")" = 2 ] || fail "the third order was cancelled"
echo "orders_cancel: ok"
