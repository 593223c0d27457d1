#!/usr/bin/env bash
# tui_orders: the verification orders screen. A workspace with a returned order (a valid answer on
# row 1, a changed fact on row 2) and a dispatched one: O lists both with their states, the returned
# one counting its answered row and its problem; :orders reaches the same screen; Enter shows the
# rows with their answers and the problem in full; a accepts row 1 through the same call as the CLI
# and the case's status changes (fundwatch case show; Enter on the row opens the case); b sends row 2 back with a note typed at the
# prompt; an order past its due date is shown as overdue; the screen speaks Chinese; with a second
# reviewer required the accepted verdict waits for another user. Then, in a fresh workspace, from the
# screens alone: D with nothing marked offers the whole list, all or a sample (plain or per rule and
# township), saying how many cases will go; two marked hits are dispatched (D and :dispatch: marked
# or list, sample, unit, due date and folder checked as they are typed), the filled workbook is received with r (a typed path, Tab completing) and its
# rows show the answer and the problem, A accepts every answered row after saying how many, X
# cancels an order (a reason required; refused for an order with an accepted row), and the
# cancelled order's workbook is refused naming the cancellation. The overview counts the open and the
# overdue orders.
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
tui_wait "a 采纳 · A 全部采纳 · b 退回"

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

# --- from the screens alone, in a fresh workspace ------------------------------------------------
tui_keys Q
sleep 0.5
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
rm -rf "$db" "$db.evidence" "$dir/out.d" && mkdir "$dir/out.d"
seed_cases
seed_third_case
tui_start "$db" FUNDWATCH_USER=tester
tui_wait "Hits by category"
tui_keys 2
tui_wait "张三"
# D with nothing marked: the whole list goes, all or a sample, and the form says how many before
# the unit is asked (a bad sample is asked again); Esc sends nothing
tui_keys D
tui_wait "3 cases. Sample: empty = all"
tui_type "x"
tui_keys Enter
tui_wait "Type the sample as N SEED"
tui_keys BSpace
tui_type "2 7"
tui_keys Enter
tui_wait "Dispatch 2 cases: unit that checks them"
tui_keys Escape
tui_keys D
tui_wait "3 cases. Sample: empty = all"
tui_type "1 7 s"
tui_keys Enter
# one per rule and township: DEC-001 and VEH-001 in 城关镇 (cases 2 and 3), two strata
tui_wait "Dispatch 2 cases: unit that checks them"
tui_keys Escape
[ "$(sql "SELECT count(*) FROM orders")" = 0 ] || fail "a cancelled dispatch form sent an order"
# the first two hits (张三's DEC-001 and 李四's VEH-001, highest severity first) are marked
tui_keys g Space Space
tui_wait "2 marked"
tui_keys :
tui_type "dispatch"
tui_keys Enter
tui_wait "Send m = the cases of the 2 marked hits (2), l = the list's 3 cases"
tui_type "q"
tui_keys Enter
tui_wait "Type m (the marked hits) or l (the whole list)."
tui_keys BSpace
tui_type "m"
tui_keys Enter
tui_wait "2 cases. Sample: empty = all"
tui_keys Enter
tui_wait "Dispatch 2 cases: unit that checks them"
tui_keys Enter
tui_wait "names the unit that checks the cases"
tui_type "城关镇人民政府"
tui_keys Enter
tui_wait "Answers due (YYYY-MM-DD, today or later):"
tui_type "2020-01-01"
tui_keys Enter
tui_wait "is in the past"
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tui_type "$due"
tui_keys Enter
tui_wait "Write the workbook to folder"
tui_type "$dir/nosuch"
tui_keys Enter
tui_wait "is not a folder"
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace
tui_type "out.d"
tui_keys Enter
tui_wait "Order HC-"
marked=$(sql "SELECT order_no FROM orders")
tui_wait "Order $marked to 城关镇人民政府: 2 cases, due $due, workbook written to ${dir:0:12}"
[ -f "$dir/out.d/$marked.xlsx" ] || fail "no workbook $dir/out.d/$marked.xlsx"
[ "$(sql "SELECT group_concat(case_id) FROM (SELECT case_id FROM order_rows ORDER BY row_no)")" = "1,2" ] ||
    fail "the order does not hold the marked hits' cases: $(sql "SELECT group_concat(case_id) FROM order_rows")"
[ "$(sql "SELECT count(*) FROM cases WHERE assignee = '城关镇人民政府' AND due_date = '$due'")" = 2 ] ||
    fail "the marked cases were not assigned"
[ "$(sql "SELECT count(*) FROM trail WHERE action = 'order.dispatch'")" = 1 ] || fail "no order.dispatch record"

# r on the orders screen: the typed path (Tab completes the file name), then the order's rows
$FILL "$dir/out.d/$marked.xlsx" "$dir/changed-return.xlsx" changed_fact
tui_keys O
tui_wait "Verification orders"
tui_keys r
tui_wait "Returned workbook (path; Tab completes):"
tui_type "$dir/changed-re"
tui_keys Tab
tui_wait "changed-return.xlsx"
tui_keys Enter
tui_wait "Order $marked · 城关镇人民政府 · returned"
tui_wait "Order $marked: 1 answered (proposed), 0 open, 1 invalid"
tui_screen | grep -q "1 *FW-2026-000001 *张三 *answered" || fail "row 1 not shown answered"
tui_screen | grep -q "2 *FW-2026-000002 *李四 *invalid .*姓名 was changed" || fail "row 2's problem not shown"
[ "$(sql "SELECT count(*) FROM order_files")" = 1 ] || fail "the receipt was not recorded"
# the same file again: nothing changed, and says so
tui_keys r
tui_type "$dir/changed-return.xlsx"
tui_keys Enter
tui_wait "was received already for order $marked"

# A: every answered row after a question saying how many
tui_keys A
tui_wait "Accept 1 answered rows of $marked (1 cases change)? y accepts"
tui_keys n
tui_wait "Cancelled"
[ "$(sql "SELECT status FROM cases WHERE id = 1")" = new ] || fail "n accepted anyway"
tui_keys A
tui_wait "Accept 1 answered rows"
tui_keys y
tui_wait "Order $marked: 1 answers accepted and applied to their cases"
tui_screen | grep -q "1 *FW-2026-000001 *张三 *accepted" || fail "row 1 not shown accepted"
[ "$(sql "SELECT status FROM cases WHERE id = 1")" != new ] || fail "case 1 did not change"
tui_keys A
tui_wait "has no answered rows to accept"
# X on an order with an accepted row is refused
tui_keys X
tui_wait "Cancel the order: reason:"
tui_type "测试"
tui_keys Enter
tui_wait "1 accepted rows"

# X on the list: a new order of case 3 is cancelled; its workbook is refused afterwards
expect_exit 0 "$FW" orders dispatch --to 民政局 --due "$due" --out "$dir/out.d" --case FW-2026-000003
third=$(sql "SELECT order_no FROM orders ORDER BY id DESC LIMIT 1")
$FILL "$dir/out.d/$third.xlsx" "$dir/third-return.xlsx" clean
tui_keys q
tui_wait "Verification orders"
tui_keys R g
tui_wait "$third"
tui_keys X
tui_wait "Cancel the order: reason:"
tui_keys Enter
tui_wait "Cancelling needs a reason"
tui_type "发错单位"
tui_keys Enter
tui_wait "Order $third cancelled: 1 cases got their assignment back"
tui_screen | grep -q "$third *民政局.*cancelled" || fail "the order is not shown cancelled"
[ "$(sql "SELECT coalesce(assignee, 'none') FROM cases WHERE id = 3")" = none ] || fail "case 3 still assigned"
tui_keys r
tui_type "$dir/third-return.xlsx"
tui_keys Enter
tui_wait "order $third was cancelled on"
[ "$(sql "SELECT count(*) FROM order_files")" = 1 ] || fail "the cancelled order's workbook was recorded"

# the overview counts the open orders (the cancelled one is not) and the overdue ones; Enter on the
# figure opens the orders; in Chinese with the vocabulary's words
tui_keys 1
tui_wait "open verification orders"
tui_screen | grep -q "open verification orders *1 *$" || fail "open orders on the overview: $(tui_screen | grep 'verification orders')"
tui_screen | grep -q "overdue verification orders *0 *$" || fail "overdue orders on the overview"
tui_keys Q
sleep 0.5
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
sql "UPDATE orders SET due_date = '2020-01-01' WHERE order_no = '$marked'"
tui_start "$db" FUNDWATCH_USER=tester LANGUAGE=zh_CN
tui_wait "未办结核查工单"
tui_screen | grep -q "逾期核查工单 *1 *$" || fail "overdue orders in Chinese: $(tui_screen | grep '核查工单')"
tui_keys /
tui_type "逾期核查"
tui_keys Enter Enter
tui_wait "承办单位"
echo "tui_orders: ok"
