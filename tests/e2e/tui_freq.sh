#!/usr/bin/env bash
# tui_freq: triage at scale on the hit list. F opens the frequency of the sorted column (severity):
# each value with its hits, share and hit amounts, equal to what SQL counts; Tab goes to the next
# column; Enter on a value filters the list to it (on top of the list's filter), and the frequency of
# a filtered list counts that list only. A village counts with its township and filters on both.
# Esc while counting stops between two slices and keeps the partial figures (driven by a key script
# on a workspace whose hit ids span several slices). + marks the hits matching a filter, * inverts
# the marks over the list, - clears them.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
sql() { sqlite3 "$db" "$1"; }
yuan() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)) | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta'; }
tui_start "$db"
tui_wait "Hits by category"
tui_keys 2
tui_wait "of 63"
tui_keys F
tui_wait "Frequency of Severity"
tui_wait "counted in"
while IFS='|' read -r sev n amount; do
    share=$(awk -v n="$n" 'BEGIN {printf "%.1f%%", 100 * n / 63}')
    tui_screen | grep -qE "^$sev +$n +$share +█+ +$(yuan "$amount")$" || fail "severity $sev: $n $share $(yuan "$amount") not on screen"
done < <(sql "SELECT severity, count(*), sum(amount) FROM hits WHERE state = 'present' GROUP BY severity")
tui_row 1 | grep -q "^low " || fail "the largest value is not first: $(tui_row 1)"
tui_screen | grep -q "3 values · 63 hits · ¥21,960.00" || fail "status line of the severity frequency"

tui_keys Tab
tui_wait "Frequency of Rule"
tui_row 1 | grep -qE "^DUP-001 +60 +95.2%" || fail "rule frequency: $(tui_row 1)"
tui_keys Enter
tui_wait "of 60 · ¥18,300.00 · sort severity↑ · rule=DUP-001"
tui_keys F
tui_wait "Frequency of Severity · rule=DUP-001"
tui_wait "1 values · 60 hits"
tui_keys Tab Tab Tab Tab Tab
tui_wait "Frequency of Village"
tui_row 1 | grep -qE "^孟关乡 沙坡村 +60 +100.0%" || fail "village frequency: $(tui_row 1)"
tui_keys Enter
tui_wait "of 60 · ¥18,300.00 · sort severity↑ · rule=DUP-001 township=孟关乡 village=沙坡村"

# Marks: by filter, inverted, cleared.
tui_keys BSpace
tui_wait "Filter and search cleared."
tui_keys +
tui_wait "Mark the hits of the list matching"
tui_type "rule=DUP-001"
tui_keys Enter
tui_wait "60 hits match, 60 newly marked: 60 marked."
tui_keys '*'
tui_wait "Marks inverted over 63 hits: 3 marked."
tui_keys Down
tui_wait "3 marked"
tui_screen | grep -E "^\*" | grep -c . | grep -qx 3 || fail "not the three non-DUP hits marked: $(tui_screen | grep -E '^\*')"
tui_keys +
tui_wait "Mark the hits"
tui_keys Enter
tui_wait "63 hits match, 60 newly marked: 63 marked."
tui_keys -
tui_wait "63 marks cleared."
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"

# Esc stops the counting: ids up to 350,000 make four slices of 100,000; the script presses Esc
# after the first and then leaves the screen running for the capture.
sql "INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
     amount, detail, evidence_hash, first_run_id, last_run_id) VALUES
     (150000, 'x1', 'DUP-001', 'duplicate', 'low', 'person', 's1', NULL, '甲', 100, 'd', 'e', 1, 1),
     (250000, 'x2', 'DUP-001', 'duplicate', 'low', 'person', 's2', NULL, '乙', 100, 'd', 'e', 1, 1),
     (350000, 'x3', 'DUP-001', 'duplicate', 'low', 'person', 's3', NULL, '丙', 100, 'd', 'e', 1, 1)"
printf '2\nF\nEsc\nsleep 20000\n' >"$TUI_TMP/keys"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
rm -f "$TUI_RC"
tui_start "$db" FUNDWATCH_TUI_SCRIPT="$TUI_TMP/keys"
tui_wait "Counting stopped: the figures are partial"
sleep 1 # the loop goes on meanwhile: a counting that had not stopped would now reach 66 hits
tui_screen | grep -q "Counting stopped" || fail "the message went away"
tui_screen | grep -qE "^low +60 " || fail "the partial counts are not those of the first slice: $(tui_row 1)"
echo ok
