#!/usr/bin/env bash
# run_limits.sh: a wrong rule returning a million rows (tests/data/rules/huge) cannot run away.
# Under `run --time-limit 3` and under Ctrl-C (SIGINT) or SIGTERM while its hits are being saved,
# the command ends promptly (saving a million hits takes minutes), keeps nothing of the rule,
# records why, and exits 3 (a rule failed) or 130 (interrupted); with `--max-hits` it stops as
# "too many hits". Peak memory (/usr/bin/time -v) stays far below what holding the rows takes.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FUNDWATCH_DATADIR="$tmp/datadir" # the profiles, not the shipped catalogue
mkdir "$FUNDWATCH_DATADIR"
ln -s "$here/profiles" "$FUNDWATCH_DATADIR/profiles"
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }
huge="$here/tests/data/rules/huge"
max_rss_kb=102400 # holding a million rows before saving them took 250 MB
# Under AddressSanitizer freed blocks wait in a quarantine (256 MB by default) before reuse; a small
# one keeps the peak about the program's own memory (no effect on a plain build). The quarantine's
# footprint is several times its nominal size (redzones, size classes): at 16 MB the ASan build's
# peak was 105 MB, flat whether the run stopped after 1 s or 3 s; at 4 MB it is 80 MB (plain: 21 MB).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
printf 'id_number,name,program,amount,pay_date\n520102196001010022,李四,低保,5000,2023-05-10\n' >payments.csv
"$FW" --db w.db import payments payments.csv >/dev/null

nothing_kept() { # run_id status message-pattern
    [ "$(sqlite3 w.db 'SELECT count(*) FROM hits')" = 0 ] || fail "run $1 kept hits"
    [ "$(sqlite3 w.db 'SELECT count(*) FROM cases')" = 0 ] || fail "run $1 kept cases"
    [ "$(sqlite3 w.db 'SELECT count(*) FROM hit_evidence')" = 0 ] || fail "run $1 kept evidence"
    [ "$(sqlite3 w.db "SELECT status FROM run_rules WHERE run_id = $1 AND rule_id = 'BIG-001'")" = "$2" ] ||
        fail "run $1: rule not recorded as $2"
    sqlite3 w.db "SELECT message FROM run_rules WHERE run_id = $1" | grep -q "$3" || fail "run $1: no reason '$3'"
}
rss_ok() { # time-output
    local kb
    kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1")
    [ "$kb" -lt "$max_rss_kb" ] || fail "peak memory $kb kB"
}

# --time-limit 3: the rule's query is done in a second; the limit stops the saving.
start=$(date +%s.%N)
set +e
/usr/bin/time -v -o t1.txt "$FW" --db w.db run --rules "$huge" --time-limit 3 >r1.out 2>r1.err; rc=$?
set -e
took=$(echo "$(date +%s.%N) - $start" | bc)
[ "$rc" = 3 ] || fail "time limit: exit $rc: $(cat r1.err)"
[ "$(echo "$took < 15" | bc)" = 1 ] || fail "time limit 3 s but the run took $took s"
grep -q 'run 1 failed' r1.out || fail "summary: $(cat r1.out)"
nothing_kept 1 failed 'time limit of 3 s'
rss_ok t1.txt

# Ctrl-C (SIGINT) and SIGTERM while the hits are being saved: 130, promptly, nothing kept.
run=2
for sig in INT TERM; do
    /usr/bin/time -v -o "t$run.txt" "$FW" --db w.db run --rules "$huge" --max-hits 10000000 >"r$run.out" 2>"r$run.err" &
    timer=$!
    pid=""
    for _ in $(seq 50); do pid=$(pgrep -P "$timer" || true); [ -n "$pid" ] && break; sleep 0.1; done
    [ -n "$pid" ] || fail "fundwatch did not start"
    # the rule has started (it is recorded as running, with its handlers in place) and the query
    # has long returned its first rows: their hits are being saved
    for _ in $(seq 200); do [ "$(sqlite3 w.db "SELECT status FROM runs WHERE id = $run")" = running ] && break; sleep 0.05; done
    sleep 2.5
    [ "$(sqlite3 w.db "SELECT count(*) FROM run_rules WHERE run_id = $run")" = 0 ] || fail "the rule ended early"
    sent=$(date +%s.%N)
    kill -"$sig" "$pid"
    set +e
    wait "$timer"; rc=$?
    set -e
    took=$(echo "$(date +%s.%N) - $sent" | bc)
    [ "$rc" = 130 ] || fail "SIG$sig: exit $rc: $(cat "r$run.err")"
    [ "$(echo "$took < 5" | bc)" = 1 ] || fail "SIG$sig: $took s to stop"
    [ "$(sqlite3 w.db "SELECT status FROM runs WHERE id = $run")" = interrupted ] || fail "SIG$sig: run not interrupted"
    nothing_kept "$run" interrupted 'interrupted after'
    rss_ok "t$run.txt"
    run=$((run + 1))
done

# More rows than --max-hits: too many hits, the rule is probably wrong.
set +e
"$FW" --db w.db run --rules "$huge" --max-hits 5000 >r4.out 2>r4.err; rc=$?
set -e
[ "$rc" = 3 ] || fail "max hits: exit $rc"
grep -q 'too many hits: the rule is probably wrong' r4.err || fail "no 'too many hits': $(cat r4.err)"
nothing_kept 4 failed 'too many hits: the rule is probably wrong (it returned more than 5000 rows'
set +e
"$FW" --db w.db run --rules "$huge" --max-hits 0 >/dev/null 2>r5.err; rc=$?
set -e
[ "$rc" = 2 ] || fail "--max-hits 0 exit $rc"
# A right rule with many hits is saved whole on a fresh workspace: 30,000 of them failed with
# "database or disk is full" while SQLite's statement journals spilled at 8 MiB (docs/store.md,
# "Statement journals": cases.create's INSERT ... SELECT with a window function).
mkdir many
sed 's/^param.rows = .*/param.rows = 30000/' "$huge/huge.ini" >many/huge.ini
"$FW" --db w2.db import payments payments.csv >/dev/null
"$FW" --db w2.db run --rules many --max-hits 100000 >r6.out 2>r6.err || fail "30,000 hits: $(tail -2 r6.err)"
[ "$(sqlite3 w2.db "SELECT count(*) FROM hits WHERE rule_id = 'BIG-001'")" = 30000 ] ||
    fail "30,000 hits: $(sqlite3 w2.db 'SELECT count(*) FROM hits') saved"
echo "run_limits: ok"
