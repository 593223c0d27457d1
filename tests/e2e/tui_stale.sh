#!/usr/bin/env bash
# tui_stale: every screen shows the state after an action and after R. On the hit list two marked
# hits get a batch status change (new -> verifying): both rows, the top one included, show the new
# status at once and after R (the top row used to keep its cached status until paged away). A
# status changed on the person screen is on the hit list's row when q goes back, without R.
. "$(dirname "$0")/../tui/lib.sh"
ws=$(tui_pipeline_ws)
tui_start "$ws"
tui_wait "Hits by category"
tui_keys 2
tui_wait "1 of "
row1=$(tui_row 1); row2=$(tui_row 2); row3=$(tui_row 3)
hit1=$(awk '{print $1}' <<<"$row1"); hit2=$(awk '{print $1}' <<<"$row2"); hit3=$(awk '{print $1}' <<<"$row3")
for r in "$row1" "$row2" "$row3"; do grep -q " new " <<<"$r" || fail "expected new hits on top: $r"; done

# Batch: mark the first two rows, c -> verifying for both cases.
tui_keys Space Space
tui_wait "2 marked"
tui_keys c
tui_wait "1 verifying"
tui_keys Enter
tui_wait "Verification method"
tui_type visit
tui_keys Enter
tui_wait "Verifier"
tui_type 王核查
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "new → verifying"
tui_row 1 | grep -q "^ *\*\? *$hit1 .* verifying " || fail "the top row (hit $hit1) still shows its old status: $(tui_row 1)"
tui_row 2 | grep -q "^ *\*\? *$hit2 .* verifying " || fail "row 2 (hit $hit2) does not show verifying: $(tui_row 2)"
tui_keys R
tui_wait "Reloaded."
tui_row 1 | grep -q "$hit1 .* verifying " || fail "after R the top row (hit $hit1) shows: $(tui_row 1)"
tui_row 2 | grep -q "$hit2 .* verifying " || fail "after R row 2 (hit $hit2) shows: $(tui_row 2)"

# From the person screen (the cursor is on the third row after two marks): its case goes to
# verifying; back on the list the row shows so.
tui_keys Enter
tui_wait "Registry record"
tui_keys c
tui_wait "1 verifying"
tui_keys Enter
tui_wait "Verification method"
tui_type online
tui_keys Enter
tui_wait "Verifier"
tui_type 李核查
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "new → verifying"
tui_keys q
# "Status" is also a column of the person screen's household table: wait for the list's own footer.
tui_wait "sort Severity"
tui_screen | grep -q "^ *\*\? *$hit3 .* verifying " || fail "back on the list, hit $hit3 does not show verifying: $(tui_screen | grep " $hit3 ")"
tui_keys Q
# the two marks would be lost: quitting asks first (y quits)
tui_wait "y quits"
tui_keys y
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
