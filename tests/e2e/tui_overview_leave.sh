#!/usr/bin/env bash
# tui_overview_leave: the overview computes its figures on a worker thread (seconds at a large
# workspace); leaving the overview stops that worker instead of letting it compete with the screen the
# user went to, and coming back computes the figures again. On 200,000 hits (bench/tui_fixture.sql,
# a few seconds of figures): while the overview shows "Computing the figures…" the process has its
# worker thread (fw-overview); after 2 (the hit list) it has none (the worker ended), and back on the
# overview (1) the figures are being computed again ("Computing the figures…", a worker) -- one left to
# finish would have put its figures on screen at once -- and then they arrive. Quitting while the
# worker computes ends the program at once with status 0.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_bench_ws 200000)

# the overview's worker threads of the process in the pane (named fw-overview; a sanitizer's own
# threads are not counted)
workers() { grep -lx fw-overview /proc/"$1"/task/*/comm 2>/dev/null | wc -l; }
# wait_workers PID N SECONDS: until the process has N workers
wait_workers() {
    for _ in $(seq $(($3 * 20))); do [ "$(workers "$1")" = "$2" ] && return 0; sleep 0.05; done
    fail "the process has $(workers "$1") overview workers, not $2, after $3 s"
}

tui_start "$db"
tui_wait "Computing the figures…"
pid=$(tui_pid)
[ -n "$pid" ] || fail "no fundwatch process in the pane"
[ "$(workers "$pid")" = 1 ] || fail "the worker is not computing: the workspace is too small to tell"
tui_keys 2
tui_wait "Severity"
tui_wait_gone "Computing the figures…"
wait_workers "$pid" 0 10 # the worker has ended: stopped (a plain run needs ~3 s to finish, an ASan one more)
tui_keys 1
tui_wait "Computing the figures…"
[ "$(workers "$pid")" = 1 ] || fail "the figures are not being computed again (no worker)"
tui_wait "Hits by category" 120
wait_workers "$pid" 0 10
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"

# Quitting while the worker computes: it is stopped, not waited for to the end.
rm -f "$TUI_RC"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
tui_start "$db"
tui_wait "Computing the figures…"
pid=$(tui_pid)
[ "$(workers "$pid")" = 1 ] || fail "the worker is not computing at the second start"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
