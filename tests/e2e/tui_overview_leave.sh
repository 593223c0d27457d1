#!/usr/bin/env bash
# tui_overview_leave: the overview computes its figures on a worker thread (seconds at a large
# workspace); leaving the overview stops that worker instead of letting it compete with the screen the
# user went to, and coming back computes the figures again. On 200,000 hits (bench/tui_fixture.sql,
# a few seconds of figures): while the overview shows "Computing the figures…" the process has two
# threads; after 2 (the hit list) it is back to one (the worker ended), and back on the overview (1)
# the figures are being computed again ("Computing the figures…", two threads) -- a worker left to
# finish would have put its figures on screen at once -- and then they arrive. Quitting while the
# worker computes ends the program at once with status 0.
. "$(dirname "$0")/../tui/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
db="$TUI_TMP/big.db"
"$FW" --db "$db" init >/dev/null
# the hits' indexes built after the load, as bench/tui.sh does (seconds instead of half a minute)
idx=$(sqlite3 "$db" "SELECT group_concat(sql || ';', char(10)) FROM sqlite_master WHERE type = 'index' \
      AND tbl_name = 'hits' AND sql IS NOT NULL")
sqlite3 "$db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hits' \
      AND sql IS NOT NULL" | sqlite3 "$db"
printf 'CREATE TEMP TABLE bench_n(v); INSERT INTO bench_n VALUES (200000);\n.read %s\n%s\n' \
    "$root/bench/tui_fixture.sql" "$idx" | sqlite3 "$db"

# threads of the fundwatch process in the pane (the main loop, and the worker while it computes)
tui_pid() { # the pane's shell runs run.sh, which runs fundwatch: the descendant named fundwatch
    local pids p
    pids=$(tmux -L "$TUI_SOCK" display -p '#{pane_pid}')
    for _ in 1 2 3 4; do
        for p in $pids; do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$(basename "$FW" | cut -c1-15)" ] && { echo "$p"; return; }; done
        pids=$(for p in $pids; do pgrep -P "$p"; done)
    done
}
threads() { ls "/proc/$1/task" 2>/dev/null | wc -l; }
# wait_threads PID N SECONDS: until the process has N threads
wait_threads() {
    for _ in $(seq $(($3 * 20))); do [ "$(threads "$1")" = "$2" ] && return 0; sleep 0.05; done
    fail "the process has $(threads "$1") threads, not $2, after $3 s"
}

tui_start "$db"
tui_wait "Computing the figures…"
pid=$(tui_pid)
[ -n "$pid" ] || fail "no fundwatch process in the pane"
[ "$(threads "$pid")" = 2 ] || fail "the worker is not computing (threads: $(threads "$pid")): the workspace is too small to tell"
tui_keys 2
tui_wait "Severity"
tui_wait_gone "Computing the figures…"
wait_threads "$pid" 1 10 # the worker has ended: stopped (a plain run needs ~3 s to finish, an ASan one more)
tui_keys 1
tui_wait "Computing the figures…"
[ "$(threads "$pid")" = 2 ] || fail "the figures are not being computed again (threads: $(threads "$pid"))"
tui_wait "Hits by category" 120
wait_threads "$pid" 1 10
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"

# Quitting while the worker computes: it is stopped, not waited for to the end.
rm -f "$TUI_RC"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
tui_start "$db"
tui_wait "Computing the figures…"
pid=$(tui_pid)
[ "$(threads "$pid")" = 2 ] || fail "the worker is not computing at the second start"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
