#!/usr/bin/env bash
# import_signals.sh: Ctrl-C (SIGINT) and SIGTERM stop an import cleanly, exit 130 and load nothing,
# also while it waits on a FIFO: for a writer to open it, and for data from a silent writer.
# (Before, SIGINT at the open exited 3 as if the file were bad, and SIGTERM killed the import.)
set -eu
tmp=$(mktemp -d)
writer=""
trap '[ -z "$writer" ] || kill "$writer" 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
mkfifo fifo

# Whether pid has handlers for SIGINT (2) and SIGTERM (15): until then a background job ignores
# SIGINT, and a slow start (ASan, a busy machine) would swallow the signal.
catching() {
    local mask
    mask=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
    [ -n "$mask" ] && (( (16#$mask >> 1 & 1) && (16#$mask >> 14 & 1) ))
}
stop_import() { # signal what -> checks exit 130, the message and that nothing was loaded
    "$FW" --db w.db import payments fifo >out.txt 2>err.txt &
    local pid=$!
    for _ in $(seq 200); do catching "$pid" && break; sleep 0.05; done
    sleep 0.3 # into the open (or the read) it blocks in
    kill -0 "$pid" 2>/dev/null || fail "$2: the import ended before the signal: $(cat err.txt)"
    kill -"$1" "$pid"
    set +e
    wait "$pid"; local rc=$?
    set -e
    [ "$rc" = 130 ] || fail "SIG$1 $2: exit $rc, want 130 ($(cat err.txt))"
    grep -q "nothing was loaded" err.txt || fail "SIG$1 $2: $(cat err.txt)"
    [ "$(sqlite3 w.db "SELECT count(*) FROM imports WHERE status = 'loaded'")" = 0 ] || fail "SIG$1 $2: loaded"
}
for sig in INT TERM; do
    stop_import "$sig" "waiting for a writer"
    grep -q "fifo: interrupted while waiting to open it (a FIFO with no writer?)" err.txt || fail "message: $(cat err.txt)"
    sleep 30 >fifo & # a writer that opens the FIFO and sends nothing
    writer=$!
    stop_import "$sig" "waiting for data"
    grep -q "fifo:1: interrupted while waiting for data" err.txt || fail "message: $(cat err.txt)"
    kill "$writer"
    wait "$writer" 2>/dev/null || true
    writer=""
done
echo "import_signals: ok"
