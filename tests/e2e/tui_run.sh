#!/usr/bin/env bash
# tui_run: a run of every rule from the rules screen keeps the screen alive and stops on Esc. On a
# generated county large enough for the run to take seconds, the progress line changes while the
# run goes on (elapsed time ticks, rules get done), Esc stops it with the "stopped" message, and the
# workspace records the run as interrupted with the rules completed before Esc kept.
. "$(dirname "$0")/../tui/lib.sh"
db="$TUI_TMP/ws.db"
"$FW" gen "$TUI_TMP/gen" --seed 3 --persons 8000 >/dev/null
for f in "$TUI_TMP"/gen/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth|rejects-expected) continue ;; esac
    "$FW" --db "$db" import "$ds" "$f" >/dev/null 2>&1
done
tui_start "$db"
tui_wait "Datasets"
tui_keys 4
tui_wait "Run all"
tui_keys A
tui_wait "elapsed" 60 # after the indexes a bulk import left out, if any

# The screen is alive: the progress bar's line changes while the run goes on (the time ticks,
# indexes get built, rules get done), polled with a deadline.
progress_line() { tui_screen | grep -E '^\[[#-]{20}\]' || true; }
first=$(progress_line)
changed=""
for _ in $(seq 200); do
    now=$(progress_line)
    [ -n "$now" ] || fail "the run ended before the screen could be watched (make the county larger)"
    if [ "$now" != "$first" ]; then changed=$now; break; fi
    sleep 0.1
done
[ -n "$changed" ] || fail "the progress line did not change in 20 s: $first"
# A rule completed, so that stopping keeps something (polled; a rule takes well under a minute).
for _ in $(seq 600); do
    progress_line | grep -qE ' [1-9][0-9]* of [0-9]+ rules done' && break
    progress_line | grep -q . || fail "the run ended before a rule was seen done (make the county larger)"
    sleep 0.1
done
progress_line | grep -qE ' [1-9][0-9]* of [0-9]+ rules done' || fail "no rule done in 60 s"

# Esc stops the run, also inside a rule; the completed rules are kept.
tui_keys Escape
tui_wait "stopped:" 30
msg=$(tui_screen | grep -F "stopped:")
run=$(printf '%s\n' "$msg" | sed -nE 's/.*Run ([0-9]+) stopped: ([0-9]+) rules completed.*/\1/p')
kept=$(printf '%s\n' "$msg" | sed -nE 's/.*Run ([0-9]+) stopped: ([0-9]+) rules completed.*/\2/p')
[ -n "$run" ] && [ -n "$kept" ] || fail "no run number and count in: $msg"
"$FW" --db "$db" overview --format csv | grep -q "^run,#$run interrupted," || fail "overview does not show run $run interrupted"
complete=$(sqlite3 "$db" "SELECT count(*) FROM run_rules WHERE run_id = $run AND status = 'complete'")
[ "$complete" = "$kept" ] || fail "the message says $kept rules kept, the workspace has $complete"
total=$(sqlite3 "$db" "SELECT count(*) FROM run_rules WHERE run_id = $run")
[ "$total" -lt 63 ] || [ "$(sqlite3 "$db" "SELECT count(*) FROM run_rules WHERE run_id = $run AND status = 'interrupted'")" -ge 1 ] \
    || fail "run $run recorded all rules and none interrupted"
tui_keys q
tui_wait "Datasets"
tui_keys q
[ "$(tui_exit_code)" = 0 ] || fail "the TUI did not exit cleanly"
