#!/usr/bin/env bash
# gen_cli.sh: `fundwatch gen` from the command line: a normal run writes every file and prints a
# summary; bad arguments exit 2 with a message naming the problem; an unwritable OUTDIR exits 1
# and leaves no half-written file.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_exit() { # code message-fragment command...
    local want=$1 frag=$2; shift 2
    local rc=0
    "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne "$want" ]; then
        echo "expected exit $want, got $rc: $*"; cat "$tmp/err"; exit 1
    fi
    if ! grep -q -- "$frag" "$tmp/err"; then
        echo "expected '$frag' in the message of: $*"; cat "$tmp/err"; exit 1
    fi
}

"$FW" gen "$tmp/out1" --seed 4 --persons 1000 >"$tmp/summary"
grep -q "1000 persons" "$tmp/summary"
for f in persons payments deaths officials relatives businesses vehicles properties prisoners students \
         disabilities pensions standards truth rejects-expected; do
    [ -s "$tmp/out1/$f.csv" ] || { echo "missing $f.csv"; exit 1; }
done
[ -z "$(ls "$tmp/out1" | grep '\.tmp$' || true)" ]
# --seed=N and --persons=N forms, same bytes as the spaced forms
"$FW" gen --seed=4 --persons=1000 "$tmp/out2" >/dev/null
cmp "$tmp/out1/payments.csv" "$tmp/out2/payments.csv"

expect_exit 2 "--persons" "$FW" gen "$tmp/x" --persons 0
expect_exit 2 "--persons" "$FW" gen "$tmp/x" --persons abc
expect_exit 2 "--persons" "$FW" gen "$tmp/x" --persons -5
expect_exit 2 "--persons" "$FW" gen "$tmp/x" --persons
expect_exit 2 "--seed" "$FW" gen "$tmp/x" --seed 1.5
expect_exit 2 "OUTDIR is missing" "$FW" gen --persons 1000
expect_exit 2 "unknown option" "$FW" gen "$tmp/x" --frobnicate
expect_exit 2 "one OUTDIR only" "$FW" gen "$tmp/x" "$tmp/y"
[ ! -e "$tmp/x" ]
touch "$tmp/file"
expect_exit 1 "not a directory" "$FW" gen "$tmp/file"
expect_exit 1 "cannot create" "$FW" gen "$tmp/no/such/dir"
"$FW" gen --help | grep -q "usage: fundwatch gen OUTDIR"
echo "gen cli: ok"
