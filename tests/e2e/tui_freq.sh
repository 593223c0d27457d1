#!/usr/bin/env bash
# tui_freq: triage at scale on the hit list. F opens the frequency of the sorted column (severity):
# each value with its hits, share and money at issue (hand-computed below: each payment once, figures
# not based on payments in their own column), the counts equal to what SQL counts; two rules on the
# same payments (DEC-003 added on DEC-001's three payments) leave the money of their severity and
# the total unchanged while the hits grow; Tab goes to the next column; Enter on a value filters the list to it (on top of the list's filter), and the frequency of
# a filtered list counts that list only. A village counts with its township and filters on both.
# Esc while counting stops between two slices and keeps the partial figures (driven by a key script
# on a workspace whose hit ids span several slices). + marks the hits matching a filter, * inverts
# the marks over the list, - clears them.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
sql() { sqlite3 -cmd ".timeout 5000" "$db" "$1"; } # waits while the TUI still holds the file
# row_wait N REGEX: waits until row N matches (a count is drawn when its slices are done; a
# sanitizer build takes longer than a plain one).
row_wait() {
    for _ in $(seq 200); do tui_row "$1" | grep -qE "$2" && return 0; sleep 0.05; done
    fail "row $1 never matched $2: $(tui_row "$1")"
}
tui_start "$db"
tui_wait "Hits by category"
tui_keys 2
tui_wait "of 63"
tui_keys F
tui_wait "Frequency of Severity"
tui_wait "counted in"
# The fixture's money, by hand: DEC-001 cites three payments of ¥360.00 (¥1,080.00), REL-001 two of
# ¥420.00 (¥840.00), VEH-001 one of ¥580.00 with a figure of ¥1,740.00 (its share: the whole
# figure); the 60 DUP-001 hits cite no payment (¥305.00 each: ¥18,300.00, not payment-based).
while IFS='|' read -r sev n; do
    share=$(awk -v n="$n" 'BEGIN {printf "%.1f%%", 100 * n / 63}')
    case $sev in
    low) money='0.00 +18,300.00' ;;
    high) money='1,920.00' ;;
    medium) money='1,740.00' ;;
    esac
    tui_screen | grep -qE "^$sev +$n +$share +█+ +$money$" || fail "severity $sev: $n $share $money not on screen: $(tui_screen)"
done < <(sql "SELECT severity, count(*) FROM hits WHERE state = 'present' GROUP BY severity")
tui_row 0 | grep -qE "Money at issue +Not payment-based$" || fail "money columns' titles: $(tui_row 0)"
tui_row 1 | grep -q "^low " || fail "the largest value is not first: $(tui_row 1)"
tui_screen | grep -q "3 values · 63 hits · ¥3,660.00 · +¥18,300.00 not payment-based" || fail "status line of the severity frequency"

tui_keys Tab
tui_wait "Frequency of Rule"
row_wait 1 "^DUP-001 +60 +95.2%"
tui_keys Enter
tui_wait "of 60 · ¥0.00 · +¥18,300.00 not payment-based · sort Severity↑ · rule=DUP-001"
tui_keys F
tui_wait "Frequency of Severity · rule=DUP-001"
tui_wait "1 values · 60 hits"
tui_keys Tab Tab Tab Tab Tab
tui_wait "Frequency of Village"
row_wait 1 "^孟关乡 沙坡村 +60 +100.0%"
tui_keys Enter
tui_wait "of 60 · ¥0.00 · +¥18,300.00 not payment-based · sort Severity↑ · rule=DUP-001 township=孟关乡 vil…"

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

# Money counted once: DEC-003 on DEC-001's three payments (paid after death, two rules) adds a hit
# and no money: high stays ¥1,920.00 (¥3,000.00 if hits were added up), the total ¥3,660.00; by
# rule each of the two shows the payments' ¥1,080.00.
sql "INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
     amount, detail, evidence_hash, first_run_id, last_run_id)
     SELECT 64, 'dec3', 'DEC-003', category, 'high', subject_kind, subject, id_number, name, amount, detail, 'e3',
            first_run_id, last_run_id FROM hits WHERE rule_id = 'DEC-001';
     INSERT INTO hit_evidence(hit_id, dataset, row_key)
     SELECT 64, dataset, row_key FROM hit_evidence WHERE hit_id = (SELECT id FROM hits WHERE rule_id = 'DEC-001')"
[ "$(sql "SELECT count(*) FROM hit_evidence WHERE hit_id = 64 AND dataset = 'payments'")" = 3 ] || fail "DEC-003's evidence"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
rm -f "$TUI_RC"
tui_start "$db"
tui_wait "Hits by category"
tui_keys 2
tui_wait "of 64"
tui_keys F
tui_wait "counted in"
tui_screen | grep -qE "^high +3 +4.7% +█+ +1,920.00$" || fail "high counts DEC-001's payments twice: $(tui_screen)"
tui_screen | grep -q "3 values · 64 hits · ¥3,660.00 · +¥18,300.00 not payment-based" || fail "the total counts DEC-001's payments twice: $(tui_screen)"
tui_keys Tab
tui_wait "Frequency of Rule"
row_wait 5 "."
for rule in DEC-001 DEC-003; do
    tui_screen | grep -qE "^$rule +1 +1.6% +█+ +1,080.00$" || fail "$rule: $(tui_screen)"
done
tui_screen | grep -q "5 values · 64 hits · ¥3,660.00 · +¥18,300.00 not payment-based" || fail "the total by rule: $(tui_screen)"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
sql "DELETE FROM hit_evidence WHERE hit_id = 64; DELETE FROM hits WHERE id = 64"

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
