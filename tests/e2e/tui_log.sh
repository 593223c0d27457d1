#!/usr/bin/env bash
# tui_log: the audit-trail screen. L lists the records newest first, each as who did what to which
# object, with the fields it changed in words (no JSON); f filters by case (number), user and action
# (a prefix such as `whitelist`), a bad word is refused with the words it knows, Backspace clears;
# Enter unfolds a record into one line per field; v verifies the chain (OK with the record count and
# the head); after a record is edited behind fundwatch's back, v reports the break, names the record
# and puts the cursor on it. `:log CASE` opens one case's trail.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
"$FW" --db "$db" --user alice case note C2026-0001 "电话回访" >/dev/null
"$FW" --db "$db" --user bob case assign C2026-0001 王科长 --due 2031-01-31 >/dev/null
"$FW" --db "$db" --user bob whitelist add 520102195503120016 DEC-001 --reason 政策允许 >/dev/null
"$FW" --db "$db" --user alice case set C2026-0001 confirmed --note 属实 >/dev/null
tui_start "$db"
tui_wait "Hits by category"
tui_keys L
tui_wait "5 records"
tui_row 1 | grep -q "^ *5 .* alice *status changed *case:1 Status: verifying → confirmed" || fail "record 4: $(tui_row 1)"
tui_row 2 | grep -q "^ *4 .* bob *whitelisted *whitelist:1 ID number: 520102195503120016" || fail "record 3: $(tui_row 2)"
tui_row 3 | grep -q "^ *3 .* bob *assigned *case:1 Assignee: 李核查 → 王科长" || fail "record 2: $(tui_row 3)"
tui_row 4 | grep -q "^ *2 .* alice *note *case:1 Note: 电话回访" || fail "record 2: $(tui_row 4)"
tui_row 5 | grep -q "^ *1 .* trail begins" || fail "record 1: $(tui_row 5)"
tui_screen | grep -q '{"' && fail "JSON on the trail screen"

# Filters.
tui_keys f
tui_wait "Log filter"
tui_type "case=C2026-0001 user=bob"
tui_keys Enter
tui_wait "1 records · case=C2026-0001 user=bob"
tui_row 1 | grep -q "^ *3 .*assigned" || fail "case and user filter: $(tui_row 1)"
tui_keys f
tui_wait "Log filter"
tui_keys C-u
tui_type "action=whitelist"
tui_keys Enter
tui_wait "1 records · action=whitelist"
tui_row 1 | grep -q "^ *4 .*whitelisted" || fail "action filter: $(tui_row 1)"
tui_keys f
tui_keys C-u
tui_type "who=bob"
tui_keys Enter
tui_wait "Log filter word 'who=bob' not understood"
tui_keys BSpace
tui_wait "Filter cleared."
tui_keys j j
tui_wait "5 records · Enter unfolds"

# Enter unfolds record 3 (the cursor is on the third line) into its fields.
tui_keys Enter
tui_wait "Due: - → 2031-01-31"
tui_screen | grep -q "^ *Assignee: 李核查 → 王科长" || fail "record 3 not unfolded field by field"
tui_keys Enter
tui_wait_gone "Due: - → 2031-01-31"

# Verify: intact, then after an edit behind fundwatch's back.
tui_keys v
tui_wait "Audit trail OK: 5 records verified; head 5 "
sqlite3 "$db" "DROP TRIGGER trail_no_update; UPDATE trail SET after = replace(after, '属实', '不属实') WHERE seq = 5;
               CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
tui_keys g j j v
tui_wait "audit trail broken at record 5"
tui_keys Enter
tui_wait "Conclusion: - → 不属实"

# :log CASE opens that case's trail only.
tui_keys : 
tui_type "log C2026-0001"
tui_keys Enter
tui_wait "3 records · case=C2026-0001"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
