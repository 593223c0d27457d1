# tests/tui/lib.sh: helpers for the TUI end-to-end tests. Source it; it expects $FW (the binary).
# Each test drives the real binary in its own tmux server (a private -L socket, killed on exit),
# waits by polling the pane for text (never fixed sleeps) and asserts on the captured screen.
set -eu
here_tui=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TUI_TMP=$(mktemp -d)
TUI_SOCK="fwtest$$"
TUI_RC="$TUI_TMP/rc"
fail() { echo "FAIL: $*" >&2; echo "--- screen ---" >&2; tui_screen >&2 || true; exit 1; }
# The workspaces of the scripts that run on either engine (tests/e2e/ws.inc, FW_TEST_ENGINE).
. "$here_tui/../e2e/ws.inc"
trap 'tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true; ws_cleanup; rm -rf "$TUI_TMP"' EXIT

# A workspace with the fixture of tests/tui/fixture.sql on the engine of FW_TEST_ENGINE (ws.inc);
# prints its target.
tui_fixture() {
    ws_new "$TUI_TMP"
    "$FW" --db "$ws" init >/dev/null
    ws_load "$ws" <"$here_tui/fixture.sql" || fail "cannot load tests/tui/fixture.sql"
    echo "$ws"
}

# tui_start DB [ENV=VALUE...] [-- COMMAND WORDS]: starts `fundwatch --db DB tui` at 100x30.
tui_start() {
    local db=$1; shift
    local envs=() args=()
    while [ $# -gt 0 ]; do
        if [ "$1" = -- ]; then shift; args=("$@"); break; fi
        envs+=("$1"); shift
    done
    local bin=${TUI_BIN:-$FW}
    printf '#!/bin/sh\nenv LC_ALL=C.UTF-8 TERM=xterm-256color %s %s %s --db %q tui %s\necho $? >%q\n' \
        "${envs[*]:-}" "${TUI_WRAP:-}" "$bin" "$db" "${args[*]:-}" "$TUI_RC" >"$TUI_TMP/run.sh"
    chmod +x "$TUI_TMP/run.sh"
    # A test that starts again first kills the server; tmux's server takes a moment to go, and a
    # new-session sent to the one going away fails with "server exited unexpectedly" (CI, under
    # ASan): wait until no server answers, and try again if it still met the old one.
    local i=0
    while tmux -L "$TUI_SOCK" list-sessions >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    for i in 1 2 3; do
        tmux -L "$TUI_SOCK" -f /dev/null new-session -d -x 100 -y 30 "$TUI_TMP/run.sh; sleep 60" && return 0
        sleep 0.3
    done
    fail "tmux could not start a session for the TUI"
}

tui_screen() { tmux -L "$TUI_SOCK" capture-pane -p; }
tui_keys() { tmux -L "$TUI_SOCK" send-keys "$@"; }
tui_type() { tmux -L "$TUI_SOCK" send-keys -l "$1"; }

# tui_wait TEXT [SECONDS]: waits until the screen shows TEXT (fixed string).
# It returns once the text is there and the screen has held still for one poll: curses draws a
# change line by line, and a capture taken mid-draw can show the new first line beside the old rest
# (a check after the wait then saw a line the program had already replaced, in CI).
tui_wait() {
    local text=$1 limit=${2:-10} i=0 now before=
    while [ $i -lt $((limit * 20)) ]; do
        now=$(tui_screen) || now= # a pane not there yet (or gone) is a screen without the text
        if [ "$now" = "$before" ] && printf '%s\n' "$now" | grep -qF -- "$text"; then return 0; fi
        before=$now
        sleep 0.05
        i=$((i + 1))
    done
    fail "timed out waiting for: $text"
}

# tui_wait_gone TEXT: waits until TEXT has left the screen.
tui_wait_gone() {
    local text=$1 i=0
    while [ $i -lt 200 ]; do
        if ! tui_screen | grep -qF -- "$text"; then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    fail "still on screen: $text"
}

# tui_exit_code: waits for the program to end and prints its exit status.
tui_exit_code() {
    local i=0
    while [ ! -s "$TUI_RC" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
    [ -s "$TUI_RC" ] || fail "the TUI did not exit"
    cat "$TUI_RC"
}

# Display column (0-based) where NEEDLE starts on the screen line containing KEY.
tui_column_of() {
    tui_screen | /usr/bin/python3 -c '
import sys, unicodedata
key, needle = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    if key in line and needle in line:
        prefix = line[:line.index(needle)]
        print(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in prefix))
        break
' "$1" "$2"
}

# A workspace built by the real pipeline (gen --persons 1000, import every file, run); prints its path.
tui_pipeline_ws() {
    local ws="$TUI_TMP/pipeline.db" f name
    "$FW" gen "$TUI_TMP/gen" --seed 1 --persons 1000 >/dev/null
    for f in "$TUI_TMP"/gen/*.csv; do
        name=$(basename "$f" .csv)
        case $name in truth|rejects-expected) continue ;; esac
        "$FW" --db "$ws" import "$name" "$f" >/dev/null
    done
    "$FW" --db "$ws" run >/dev/null 2>&1
    echo "$ws"
}

# tui_row N: line N (1 = the first row under the column titles) of the screen's body.
tui_row() { tui_screen | sed -n "$(($1 + 2))p"; }

# tui_bench_ws N: a workspace of N synthetic hits (bench/tui_fixture.sql: ids 1..N, no case links
# but one in 50, no evidence), its hits' indexes built after the load as bench/tui.sh does (seconds
# instead of minutes); prints its path. For work that must take long enough to be stopped.
tui_bench_ws() {
    local db="$TUI_TMP/bench-$1.db" idx
    "$FW" --db "$db" init >/dev/null
    idx=$(sqlite3 "$db" "SELECT group_concat(sql || ';', char(10)) FROM sqlite_master WHERE type = 'index' \
          AND tbl_name = 'hits' AND sql IS NOT NULL")
    sqlite3 "$db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' \
          AND tbl_name = 'hits' AND sql IS NOT NULL" | sqlite3 "$db"
    printf 'CREATE TEMP TABLE bench_n(v); INSERT INTO bench_n VALUES (%d);\n.read %s\n%s\n' "$1" \
        "$here_tui/../../bench/tui_fixture.sql" "$idx" | sqlite3 "$db"
    echo "$db"
}

# tui_pid: the process id of the program in the pane (the pane's shell runs run.sh, which runs it).
tui_pid() {
    local pids p name
    name=$(basename "${TUI_BIN:-$FW}" | cut -c1-15)
    pids=$(tmux -L "$TUI_SOCK" display -p '#{pane_pid}')
    for _ in 1 2 3 4; do
        for p in $pids; do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$name" ] && { echo "$p"; return; }; done
        pids=$(for p in $pids; do pgrep -P "$p"; done)
    done
}
