#!/usr/bin/env bash
# tui_forms: the case forms check each answer when it is given, with the engine's checks: an unknown
# verification method, dismissal reason or measure, or an amount that is not one, is refused with
# its reason and the typed text stays in the prompt for correcting (the form goes on from there, it
# is not lost at the end); a required answer left empty is asked again; reason `other` needs its
# text; a measures list with a blank after the comma is the same list. What was finally answered is
# what the case holds.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
sql() { sqlite3 "$db" "$1"; }
sql "UPDATE cases SET status = 'new' WHERE id = 1;
     INSERT INTO cases(id, case_no, subject_kind, subject, id_number, name, status, created_at, updated_at)
       VALUES (2, 'C2026-0002', 'person', '520102196805050031', '520102196805050031', '王五', 'verifying',
               '2026-01-02T08:00:05Z', '2026-01-02T08:00:05Z');
     UPDATE hits SET case_id = 2 WHERE id = 2"
tui_start "$db"
tui_wait "Hits by category"
tui_keys 2
tui_wait "of 63"

# new -> verifying: a method that is not one is refused and kept.
tui_keys c
tui_wait "1 verifying"
tui_keys Enter
tui_wait "Verification method (online, visit)"
tui_type "walk"
tui_keys Enter
tui_wait "unknown verification method 'walk'"
tui_screen | grep -q "Verification method (online, visit): walk" || fail "the refused method is not kept for correcting"
tui_keys C-u
tui_type "visit"
tui_keys Enter
tui_wait "Verifier"
tui_type "王五"
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "new → verifying"

# verifying -> confirmed: the conclusion is required.
tui_keys c
tui_wait "1 confirmed"
tui_type "confirmed"
tui_keys Enter
tui_wait "Note:"
tui_keys Enter
tui_wait "Note is required"
tui_type "入户核实属实"
tui_keys Enter
tui_wait "verifying → confirmed"

# confirmed -> rectifying: measures with a blank after the comma; an amount with three decimals.
tui_keys c
tui_wait "1 rectifying"
tui_keys Enter
tui_wait "Measures (comma list)"
tui_type "stop_payment, recover_fund"
tui_keys Enter
tui_wait "unknown measure 'recover_fund'"
tui_screen | grep -q "^Measures (comma list).*stop_payment,recover_fund *$" || fail "the measures are not kept for correcting"
tui_type "s"
tui_keys Enter
tui_wait "Amount to recover"
tui_type "12.345"
tui_keys Enter
tui_wait "'12.345' is not an amount in yuan"
tui_screen | grep -q "Amount to recover (yuan) \[optional\]: 12.345" || fail "the amount is not kept for correcting"
tui_keys C-u
tui_type "3,240"
tui_keys Enter
tui_wait "Amount recovered"
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "confirmed → rectifying"
[ "$(sql "SELECT status || ' ' || verify_method || ' ' || measures || ' ' || to_recover FROM cases WHERE id = 1")" = \
  "rectifying visit stop_payment,recover_funds 324000" ] || fail "case 1 holds: $(sql 'SELECT status, verify_method, measures, to_recover FROM cases WHERE id = 1')"

# verifying -> dismissed on the second hit's case: the reason, then its text for `other`.
tui_keys Down c
tui_wait "3 dismissed"
tui_type "dismissed"
tui_keys Enter
tui_wait "Dismissal reason"
tui_type "wrong"
tui_keys Enter
tui_wait "unknown dismissal reason 'wrong'"
tui_keys C-u
tui_type "other"
tui_keys Enter
tui_wait "Reason text"
tui_keys Enter
tui_wait "required when the reason is 'other'"
tui_type "同名不同人"
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "verifying → dismissed"
[ "$(sql "SELECT status || ' ' || dismiss_reason || ' ' || dismiss_text FROM cases WHERE id = 2")" = "dismissed other 同名不同人" ] ||
    fail "case 2 holds: $(sql 'SELECT status, dismiss_reason, dismiss_text FROM cases WHERE id = 2')"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
"$FW" --db "$db" log verify >/dev/null || fail "log verify"
echo ok
