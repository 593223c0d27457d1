#!/usr/bin/env bash
# tui_cases: the Cases screen on a workspace built by the real pipeline (gen, import, run). A case
# assigned to the test user with a past due date appears under my queue and overdue; opened, it
# shows its fields, hits and the history line of the assignment, in words and local time
# (YYYY-MM-DD HH:MM tester assigned; assignee tester; ...); a case
# confirmed through the CLI is counted in the systemic tab; q exits 0.
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
user=$(ws_owner) # who the TUI and the CLI act as: on PostgreSQL the role that logged in (docs/users.md)

# Two cases from the list: one to assign, another to confirm.
mapfile -t nos < <("$FW" --db "$ws" case list --format csv | awk -F, 'NR > 1 && $6 != "" { print $2 }' | head -2)
mine=${nos[0]:-}; other=${nos[1]:-}
[ -n "$mine" ] && [ -n "$other" ] || fail "the pipeline made fewer than two cases"
"$FW" --db "$ws" case assign "$mine" "$user" --due 2020-01-01 >/dev/null
"$FW" --db "$ws" case list --overdue --format csv | grep -q "$mine" || fail "the CLI does not see $mine overdue"

tui_start "$ws"
tui_wait "Hits by category"
tui_keys C
tui_wait "My queue"
tui_wait "$mine"
tui_screen | grep -q "$other" && fail "my queue shows a case not assigned to $user"
tui_wait "1 of 1 cases"

# Overdue: the same case, its due date shown.
tui_keys Tab
tui_wait "2020-01-01"
tui_screen | grep -qF "$mine" || fail "the overdue tab does not show $mine"

# Open it: fields, hits, and the history line of the assignment.
tui_keys Enter
tui_wait "History (audit trail)"
tui_wait "Hits (Enter opens the person)"
tui_keys G
tui_wait "assigned; assignee $user; received "
tui_wait "; due 2020-01-01"
# who: the trail's user (on PostgreSQL the login, docs/users.md)
tui_screen | grep -qE "^  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} $user assigned" \
    || fail "the history line does not start with the local time and the user"
# a stored time is ISO 8601 in UTC (2026-12-07T07:13:00Z); the pattern wants the whole stamp, since the
# title bar's temporary path can hold "T7Z" by chance (it did, in CI)
tui_screen | grep -qE "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z" \
    && fail "the case screen shows a stored UTC time"

# Enter on a hit opens the person screen.
tui_keys g
tui_keys Tab
tui_wait "Hits (Enter opens the person)"
tui_keys j Enter
tui_wait "Registry record"
tui_keys q
tui_wait "History (audit trail)"
tui_keys q
tui_wait "Tab next tab"

# Systemic: nothing confirmed yet; confirm a case through the CLI and reload.
tui_keys Tab
tui_wait "By status: "
tui_keys Tab
tui_wait "By assignee: $user"
tui_keys Tab
tui_wait "Confirmed cases by township"
tui_screen | grep -q "(no confirmed case)" || fail "the systemic tab counts cases before any was confirmed"
"$FW" --db "$ws" case set "$other" verifying --method visit --verifier 王核查 >/dev/null
"$FW" --db "$ws" case set "$other" confirmed --note 入户核实 >/dev/null
town=$("$FW" --db "$ws" case list --status confirmed --format csv | awk -F, 'NR == 2 { print $7 }')
[ -n "$town" ] || fail "the confirmed case has no township"
tui_keys R
tui_wait "1 cases"
tui_screen | grep -F "$town" | grep -q " 1 cases" || fail "the systemic tab does not count the confirmed case under $town"
tui_screen | grep -q "(no confirmed case)" && fail "a dimension is empty after a case was confirmed"

# :cases from elsewhere comes back to the screen as it was left (the systemic tab); ? lists its keys.
tui_keys 1
tui_wait "Hits by category"
tui_keys :
tui_type "cases"
tui_keys Enter
tui_wait "Confirmed cases by township"
tui_keys Tab
tui_wait "$mine"
tui_keys ?
tui_wait "cases_value"
tui_keys q
tui_wait "Tab next tab"
tui_keys q q
[ "$(tui_exit_code)" = 0 ] || fail "exit code $(cat "$TUI_RC")"
echo "ok tui_cases"
