#!/usr/bin/env bash
# tui_person_history: the person screen's case history is in time order and in words: the making of
# the case, then each change as it happened (status, note, verdict, measures with the amount in
# yuan), never JSON. Enter on a statistical hit about a village (no one payee) opens that hit's case,
# not the person of some payment in its evidence.
. "$(dirname "$0")/../tui/lib.sh"
ws=$(tui_pipeline_ws)
sql() { sqlite3 "$ws" "$1"; }
c=$(sql "SELECT case_no FROM cases WHERE subject_kind = 'person' ORDER BY id LIMIT 1")
id=$(sql "SELECT id_number FROM cases WHERE case_no = '$c'")
"$FW" --db "$ws" --user 王五 case set "$c" verifying --method visit --verifier 王五 >/dev/null
"$FW" --db "$ws" --user 李四 case note "$c" "电话回访" >/dev/null
"$FW" --db "$ws" --user 王五 case set "$c" confirmed --note "入户核实属实" >/dev/null
"$FW" --db "$ws" --user 李四 case set "$c" rectifying --measures stop_payment --to-recover 283.78 >/dev/null
tui_start "$ws" -- person "$id"
tui_wait "Registry record"
tui_keys G
tui_wait "Case history"
hist=$(tui_screen | sed -n '/^Case history/,$p')
lines=$(printf '%s\n' "$hist" | grep "$c")
printf '%s\n' "$lines" | grep -q '{' && fail "JSON in the case history: $lines"
order=$(printf '%s\n' "$lines" | sed -E "s/.*$c //" | awk '{print $1, $2}')
want="case made
status changed
note Note:
status changed
status changed"
[ "$(printf '%s\n' "$order" | sed 's/ *$//')" = "$want" ] || fail "history not in time order: $order"
printf '%s\n' "$lines" | sed -n 2p | grep -q "王五 .*Status: new → verifying" || fail "the first change: $(printf '%s\n' "$lines" | sed -n 2p)"
printf '%s\n' "$lines" | sed -n 5p | grep -q "Status: confirmed → rectifying" || fail "the last change: $(printf '%s\n' "$lines" | sed -n 5p)"
tui_keys q
tui_wait_gone "Registry record"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
rm -f "$TUI_RC"

# The rectifying record names the amount to recover in yuan (the log screen unfolds every field).
tui_start "$ws" -- log "$c"
tui_wait "records · case=$c"
tui_keys Enter
tui_wait "To recover: 0.00 → 283.78"
tui_keys Q
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
rm -f "$TUI_RC"

# A village-level hit: Enter opens its case.
vhit=$(sql "SELECT id FROM hits WHERE subject_kind = 'village' AND id_number IS NULL AND case_id IS NOT NULL ORDER BY id LIMIT 1")
vrule=$(sql "SELECT rule_id FROM hits WHERE id = $vhit")
vcase=$(sql "SELECT c.case_no FROM cases c JOIN hits h ON h.case_id = c.id WHERE h.id = $vhit")
[ -n "$vhit" ] && [ -n "$vcase" ] || fail "the pipeline made no village-level hit with a case"
tui_start "$ws" -- rule "$vrule"
tui_wait "rule=$vrule"
# the cursor goes down to the hit's row
pos=$(tui_screen | awk -v h="$vhit" 'NR > 2 && $1 == h {print NR - 3; exit}')
[ -n "$pos" ] || fail "hit $vhit is not on the first page of rule $vrule"
for _ in $(seq 1 "$pos"); do tui_keys j; done
tui_keys Enter
tui_wait "Case $vcase"
tui_screen | grep -q "Registry record" && fail "Enter on a village-level hit opened a person"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
