#!/usr/bin/env bash
# tui_case: case work and export from the TUI on a workspace built by the real pipeline (gen, import,
# run). On the hit list, c walks the first hit's case new -> verifying (method, verifier) ->
# confirmed (note), offering only the statuses the transitions table allows; the CLI then shows the
# case confirmed (an assignment made meanwhile by another user is refused with "changed meanwhile by WHO at WHEN"), the
# audit trail holds both status changes and still verifies. x writes a workbook
# whose lead sheet has as many rows as `fundwatch export --count`; on the rules screen r runs one
# rule and R all of them (a re-run finds no new hits); x on a list filtered by severity writes
# exactly `fundwatch export --count --severity high` leads; q quits with exit 0.
# engines: sqlite postgresql
. "$(dirname "$0")/../tui/lib.sh"
ws_new "$TUI_TMP"
"$FW" gen "$TUI_TMP/gen" --seed 1 --persons 1000 >/dev/null
for f in "$TUI_TMP"/gen/*.csv; do
    name=$(basename "$f" .csv)
    case $name in truth|rejects-expected) continue ;; esac
    "$FW" --db "$ws" import "$name" "$f" >/dev/null
done
"$FW" --db "$ws" run >/dev/null 2>&1

tui_start "$ws"
tui_wait "Hits by category"
tui_keys 2
tui_wait "1 of "
tui_keys j j
tui_wait "3 of "

# new -> verifying: the only next status is offered and prefilled; method and verifier are asked.
tui_keys c
tui_wait "1 verifying"
tui_screen | grep -q "confirmed" && fail "a status not reachable from new was offered"
tui_keys Enter
tui_wait "Verification method (online check, home visit)"
tui_keys Enter
tui_wait "Verification method is required"
tui_type "visit"
tui_keys Enter
tui_wait "Verifier"
tui_type "王核查"
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "new → verifying"
case_no=$(tui_screen | grep -o 'FW-[0-9]*-[0-9]*' | head -1)
[ -n "$case_no" ] || fail "the message names no case number"

# verifying -> confirmed with a note; a status the table does not allow is refused.
tui_keys c
tui_wait "3 dismissed"
tui_type "closed"
tui_keys Enter
tui_wait "cannot follow"
tui_keys c
tui_wait "1 confirmed"
tui_type "confirmed"
tui_keys Enter
tui_wait "Note:"
tui_type "入户核实，死亡后仍领取"
tui_keys Enter
tui_wait "verifying → confirmed"

# A change made elsewhere after the form opened is refused, not overwritten.
tui_keys a
tui_wait "Assign to:"
tui_type "李科长"
tui_keys Enter
tui_wait "Due date"
"$FW" --db "$ws" case assign "$case_no" "张主任" >/dev/null
tui_type "2031-02-30"
tui_keys Enter
tui_wait "2031-02-30"
tui_screen | grep -q "Due date" || fail "a bad date did not ask again"
tui_keys C-u
tui_type "2031-03-01"
tui_keys Enter
tui_wait "changed meanwhile by tester at"
"$FW" --db "$ws" case list --format csv | grep "$case_no" | grep -q "张主任" || fail "the other user's assignment was overwritten"

# x: the whole list (no filter) to a workbook.
book="$TUI_TMP/leads.xlsx"
tui_keys x
tui_wait "Export to (.xlsx): ./fundwatch-leads-"
tui_keys C-u
tui_type "$book"
tui_keys Enter
tui_wait "Exported"

# The person screen: o adds a note to the person's case, x writes the case workbook.
tui_keys Enter
tui_wait "Registry record"
tui_keys o
tui_wait "Note:"
tui_type "电话回访"
tui_keys Enter
tui_wait "note added."
casebook="$TUI_TMP/case.xlsx"
tui_keys x
tui_wait "./fundwatch-case-"
tui_keys C-u
tui_type "$casebook"
tui_keys Enter
tui_wait "Exported"
[ -s "$casebook" ] || fail "no case workbook written"
tui_keys q
# the hit list's total equals what the CLI lists for the same workspace
total=$("$FW" --db "$ws" hits --format csv | tail -n +2 | wc -l)
[ "$total" -gt 0 ] || fail "no hits to list"
tui_wait "of $total"

# Rules screen: r runs the selected rule, A every enabled rule; a re-run finds no new hits. R
# reloads and runs nothing.
tui_keys 4
tui_wait "A run all"
tui_keys r
tui_wait "Run 2 complete: 1 rules, 0 new"
tui_keys R
tui_wait "Reloaded."
tui_keys A
tui_wait "Run 3 complete: 75 rules, 0 new"
tui_keys q
tui_wait "Hits by category"

# x on a filtered list exports what the list shows, not more and not a refusal.
highbook="$TUI_TMP/high.xlsx"
tui_keys 2
tui_wait " of "
tui_keys f
tui_wait "Filter:"
tui_keys C-u
tui_type "severity=high"
tui_keys Enter
tui_wait "severity=high"
tui_keys x
tui_wait "Export to (.xlsx): ./fundwatch-leads-"
tui_keys C-u
tui_type "$highbook"
tui_keys Enter
tui_wait "Exported"
tui_keys q
tui_wait "Hits by category"
tui_keys q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"

"$FW" --db "$ws" case list --format csv | grep -q "^[0-9]*,$case_no,confirmed," ||
    fail "case $case_no is not confirmed in the CLI: $("$FW" --db "$ws" case list --format csv | grep "$case_no")"
log=$("$FW" --db "$ws" log --format csv)
printf '%s\n' "$log" | grep "$case_no\|case:" | grep -q "verifying" || fail "no trail record of the change to verifying"
printf '%s\n' "$log" | grep "$case_no\|case:" | grep -q "confirmed" || fail "no trail record of the verdict"
"$FW" --db "$ws" log verify >/dev/null || fail "log verify failed after the TUI's changes"

want=$("$FW" --db "$ws" export --count 2>/dev/null | head -1 | grep -o '^[0-9]*')
[ -n "$want" ] && [ "$want" -gt 0 ] || fail "export --count gave '$want'"
got=$(/usr/bin/python3 -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb["线索清单"]
print(sum(1 for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], (int, float))))
' "$book")
[ "$got" = "$want" ] || fail "workbook has $got leads, export --count says $want"
want_high=$("$FW" --db "$ws" export --count --severity high 2>/dev/null | head -1 | grep -o '^[0-9]*')
[ -n "$want_high" ] && [ "$want_high" -gt 0 ] && [ "$want_high" -lt "$want" ] ||
    fail "export --count --severity high gave '$want_high' of $want"
got_high=$(/usr/bin/python3 -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb["线索清单"]
print(sum(1 for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], (int, float))))
' "$highbook")
[ "$got_high" = "$want_high" ] || fail "filtered workbook has $got_high leads, export --count --severity high says $want_high"
"$FW" --db "$ws" case show "$case_no" 2>/dev/null | grep -q "电话回访" ||
    "$FW" --db "$ws" log --format csv | grep -q "电话回访" || fail "the person screen's note is not recorded"
echo ok
