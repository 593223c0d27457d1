#!/usr/bin/env bash
# tui_orders: the verification orders screen. A workspace with a returned order (a valid answer on
# row 1, a changed fact on row 2) and a dispatched one: O lists both with their states, the returned
# one counting its answered row and its problem; :orders reaches the same screen; Enter shows the
# rows with their answers and the problem in full; a accepts row 1 through the same call as the CLI
# and the case's status changes (fundwatch case show; Enter on the row opens the case); b sends row 2 back with a note typed at the
# prompt; an order past its due date is shown as overdue; the screen speaks Chinese; with a second
# reviewer required the accepted verdict waits for another user.
. "$(dirname "$0")/case_seed.inc"
seed_cases
seed_dir=$dir
. "$(dirname "$0")/../tui/lib.sh"
trap 'tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true; rm -rf "$TUI_TMP" "$seed_dir"' EXIT
export FUNDWATCH_USER=tester
FILL="/usr/bin/python3 $(dirname "$0")/orders_fill.py"
seed_third_case
due=$(date -d '+20 days' +%F)
mkdir "$dir/out.d"
expect_exit 0 "$FW" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir/out.d" --case FW-2026-000001 FW-2026-000002
returned=$(sql "SELECT order_no FROM orders")
$FILL "$dir/out.d/$returned.xlsx" "$dir/changed.xlsx" changed_fact
expect_exit 0 "$FW" orders receive "$dir/changed.xlsx"
expect_out "1 answered (proposed)"
expect_exit 0 "$FW" orders dispatch --to 民政局 --due "$due" --out "$dir/out.d" --case FW-2026-000003
dispatched=$(sql "SELECT order_no FROM orders WHERE order_no <> '$returned'")
[ "$(sql "SELECT status FROM cases WHERE id = 1")" = new ] || fail "case 1 changed before any accept"

tui_start "$db" FUNDWATCH_USER=tester
tui_wait "Hits by category"
tui_keys O
tui_wait "Verification orders"
row_of() { tui_screen | grep -F "$1" || fail "no line for $1"; }
row_of "$dispatched" | grep -q "民政局.*$due *dispatched *1 *1 *0 *0 *0 *0" || fail "the dispatched order: $(row_of "$dispatched")"
row_of "$returned" | grep -q "城关镇人民政府.*$due *returned *2 *0 *1 *0 *0 *1" || fail "the returned order: $(row_of "$returned")"
tui_wait "2 orders · 0 overdue · 1 with answers to review"

# :orders reaches the same screen from elsewhere
tui_keys 1
tui_wait "Hits by category"
tui_keys :
tui_type "orders"
tui_keys Enter
tui_wait "Verification orders"

# Enter on the returned order: its rows, the answer and the problem
tui_keys g
[ "$(tui_screen | grep -c "$dispatched")" = 1 ] || fail "newest first: $dispatched should be first"
tui_keys Down Enter
tui_wait "Order $returned · 城关镇人民政府 · returned"
tui_screen | grep -q "1 *FW-2026-000001 *张三 *answered.*true *王五" || fail "row 1 and its answer: $(tui_screen)"
tui_screen | grep -q "2 *FW-2026-000002 *李四 *invalid .*姓名 was changed" || fail "row 2 and its problem"
tui_wait "Row 1 · FW-2026-000001 张三 · answered (proposed)"
tui_wait "Answer: true · home visit · 王五"
tui_keys Down
tui_wait "Row 2 · FW-2026-000002 李四 · invalid"
tui_wait "C3: 姓名 was changed (sent '李四', returned '李四四')"

# a on row 2 is refused (nothing answered to accept); a on row 1 applies it to the case
tui_keys a
tui_wait "only an answered row can be accepted"
tui_keys Up a
tui_wait "row 1: 1 answers accepted"
tui_screen | grep -q "1 *FW-2026-000001 *张三 *accepted" || fail "row 1 not shown accepted"
expect_exit 0 "$FW" case show 1
grep -q "confirmed\|verified\|rectif" "$dir/out" || { cat "$dir/out" >&2; fail "case 1's status did not change"; }
[ "$(sql "SELECT status FROM cases WHERE id = 1")" != new ] || fail "case 1 is still new"
[ "$(sql "SELECT count(*) FROM trail WHERE action = 'order.accept'")" = 1 ] || fail "no order.accept trail record"
# Enter on the row opens its case, which shows the accepted answer's status
tui_keys Enter
tui_wait "Case FW-2026-000001"
tui_wait "FW-2026-000001 · "
tui_screen | grep -q "FW-2026-000001 · rectifying · version" || fail "the case screen does not show the accepted status"
tui_keys q
tui_wait "Order $returned"

# b sends row 2 back with a note: an empty note is refused
tui_keys Down b
tui_wait "Send back: note to the unit:"
tui_keys Enter
tui_wait "needs a note"
tui_type "姓名核对有误，请重新填报"
tui_keys Enter
tui_wait "row 2 sent back to the unit"
tui_screen | grep -q "2 *FW-2026-000002 *李四 *sent back" || fail "row 2 not shown sent back"
[ "$(sql "SELECT sent_back_note FROM order_rows WHERE row_no = 2 AND order_id = (SELECT id FROM orders WHERE order_no = '$returned')")" = "姓名核对有误，请重新填报" ] ||
    fail "the note was not kept"

# back on the list the counts follow
tui_keys q
tui_wait "Verification orders"
row_of "$returned" | grep -q "returned *2 *0 *0 *1 *1 *0" || fail "the returned order after review: $(row_of "$returned")"

# an order past its due date is overdue and says so
tui_keys Q
sleep 0.5
sql "UPDATE orders SET due_date = '2020-01-01' WHERE order_no = '$dispatched'"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
tui_start "$db" FUNDWATCH_USER=tester -- 
tui_wait "Hits by category"
tui_keys O
tui_wait "1 overdue"
row_of "$dispatched" | grep -q "2020-01-01 *overdue" || fail "the overdue order: $(row_of "$dispatched")"

# in Chinese: the states and headings are the vocabulary's words (audit/vocab.h, po/zh_CN.po)
tui_keys Q
sleep 0.5
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
tui_start "$db" FUNDWATCH_USER=tester LANGUAGE=zh_CN
tui_wait "fundwatch"
tui_keys O
tui_wait "承办单位"
row_of "$dispatched" | grep -q "2020-01-01 *逾期" || fail "overdue in Chinese: $(row_of "$dispatched")"
row_of "$returned" | grep -q "已回收" || fail "returned in Chinese: $(row_of "$returned")"
tui_keys Down Enter
tui_wait "已采纳"
tui_wait "已退回"
tui_wait "a 采纳 · b 退回"

# with a second reviewer (case review on) the verdict accepted from the screen waits for another
# user, as with `orders accept`: the dispatched order comes back answered, tester accepts its row
tui_keys Q
sleep 0.5
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
sql "UPDATE orders SET due_date = '$due' WHERE order_no = '$dispatched'" # the manifest's window again
$FILL "$dir/out.d/$dispatched.xlsx" "$dir/clean.xlsx" clean
expect_exit 0 "$FW" orders receive "$dir/clean.xlsx"
expect_out "1 answered (proposed)"
expect_exit 0 "$FW" case review on
tui_start "$db" FUNDWATCH_USER=tester
tui_wait "fundwatch"
tui_keys :
tui_type "orders"
tui_keys Enter
tui_wait "Verification orders"
tui_keys g Enter
tui_wait "Order $dispatched"
tui_keys a
tui_wait "1 answers accepted"
[ "$(sql "SELECT status, pending_status, pending_by FROM cases WHERE id = 3")" = "verifying|confirmed|tester" ] ||
    fail "the verdict did not wait for a second reviewer: $(sql "SELECT status, pending_status, pending_by FROM cases WHERE id = 3")"
tui_screen | grep -q "1 *FW-2026-000003 *王五 *accepted" || fail "the row is not shown accepted"
echo "tui_orders: ok"
