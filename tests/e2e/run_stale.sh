#!/usr/bin/env bash
# run_stale.sh: a run whose fundwatch is killed (SIGKILL: no handler can run) stays 'running' only
# until the workspace is next opened: then it is marked interrupted, with the time it was found and
# an audit-trail record. A run still going in another process holds its lock (audit/runlock.h) and
# is left alone, and ends itself (SIGTERM: interrupted, 130).
# engines: sqlite (run locks are a file beside the SQLite workspace; a PostgreSQL workspace has none yet, docs/store.md: a killed run there is not marked interrupted)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
export FUNDWATCH_DATADIR="$tmp/datadir"
mkdir "$FUNDWATCH_DATADIR"
ln -s "$here/profiles" "$FUNDWATCH_DATADIR/profiles"
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
huge="$here/tests/data/rules/huge" # a rule that takes minutes to save its hits
printf 'id_number,name,program,amount,pay_date\n520102196001010022,李四,低保,5000,2023-05-10\n' >payments.csv
"$FW" --db w.db import payments payments.csv >/dev/null
status() { sqlite3 w.db "SELECT status FROM runs WHERE id = $1"; }
start_run() { # waits until the run is recorded as running
    "$FW" --db w.db run --rules "$huge" --max-hits 10000000 >"run$1.out" 2>"run$1.err" &
    pids+=($!)
    for _ in $(seq 100); do [ "$(status "$1")" = running ] && return; sleep 0.1; done
    fail "run $1 did not start: $(cat "run$1.err")"
}

start_run 1
# A second run opens the workspace while run 1 is alive (and must leave it alone), then waits
# for run 1's write lock; once run 1 is killed it records itself as running.
"$FW" --db w.db run --rules "$huge" --max-hits 10000000 >run2.out 2>run2.err &
pids+=($!)
# Run 2 has opened the workspace (and looked for abandoned runs) once it sleeps in SQLite's busy
# handler, waiting for run 1's write lock (syscall 35 nanosleep or 230 clock_nanosleep).
# The busy handler alternates between sleeping and trying the lock, so what was seen is kept rather
# than read again (a second read could land on the lock attempt between two sleeps).
waiting=no
for _ in $(seq 400); do
    case $(cut -d' ' -f1 "/proc/${pids[1]}/syscall" 2>/dev/null) in 35|230) waiting=yes; break ;; esac
    sleep 0.05
done
[ "$waiting" = yes ] || fail "run 2 does not wait for run 1"
[ "$(status 1)" = running ] || fail "run 1 was marked $(status 1) while alive: $(cat run2.err)"
kill -9 "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
for _ in $(seq 100); do [ "$(status 2)" = running ] && break; sleep 0.1; done
[ "$(status 2)" = running ] || fail "run 2 did not start: $(cat run2.err)"
[ "$(status 1)" = running ] || fail "a killed run is not left running (test premise)"
# While run 2 saves hits (one long write) the workspace cannot be written: other commands do not
# wait for it and mark nothing yet.
start=$(date +%s)
"$FW" --db w.db datasets >/dev/null 2>busy.err
[ $(($(date +%s) - start)) -lt 5 ] || fail "a command waited for the running rule's write"
[ ! -s busy.err ] || fail "busy: $(cat busy.err)"
[ "$(status 1)" = running ] && [ "$(status 2)" = running ] || fail "marked while busy: $(status 1) $(status 2)"

kill -TERM "${pids[1]}"
set +e
wait "${pids[1]}"; rc=$?
set -e
[ "$rc" = 130 ] || fail "SIGTERM ended the live run with $rc: $(cat run2.err)"
[ "$(status 2)" = interrupted ] || fail "the live run ended as $(status 2)"
[ "$(sqlite3 w.db "SELECT count(*) FROM trail WHERE object = 'run:2'")" = 1 ] || fail "run 2 recorded twice"

before=$(date -u +%Y-%m-%dT%H:%M:%SZ)
"$FW" --db w.db datasets >/dev/null 2>open.err
grep -q "1 run(s) left 'running' by a fundwatch that ended without finishing them are now marked interrupted" open.err ||
    fail "no note: $(cat open.err)"
[ "$(status 1)" = interrupted ] || fail "the killed run is $(status 1)"
found=$(sqlite3 w.db "SELECT finished_at FROM runs WHERE id = 1")
[[ "$found" > "$before" || "$found" = "$before" ]] || fail "finished_at $found is not the time it was found"
sqlite3 w.db "SELECT after FROM trail WHERE action = 'run' AND object = 'run:1'" | grep -q "\"found_at\": \"$found\"" ||
    fail "no trail record for the marked run"
"$FW" --db w.db hits >/dev/null 2>again.err
[ ! -s again.err ] || fail "marked twice: $(cat again.err)"
[ "$(sqlite3 w.db 'SELECT count(*) FROM hits')" = 0 ] || fail "hits of the interrupted rules were kept"
"$FW" --db w.db log verify >/dev/null || fail "the trail does not verify"
echo "run_stale: ok"
