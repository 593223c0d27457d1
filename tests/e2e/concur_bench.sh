#!/usr/bin/env bash
# concur_bench.sh: the smoke version of bench/concurrency.sh in the suite (issue 13): 4 clients for
# 10 s changing cases, listing hits and exporting on one PostgreSQL workspace (a county of 1,000
# persons); the bench itself fails on a lost update, a deadlock, a failed command or a trail that does
# not verify, and this test also requires that changes succeeded. About 20 s. Needs FUNDWATCH_TEST_PG,
# psql and jq (pg.inc).
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
command -v jq >/dev/null || fail "jq is needed by bench/concurrency.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
FUNDWATCH_BENCH_PG="$FUNDWATCH_TEST_PG" CLIENTS=4 DURATION=10 BENCH_PERSONS=1000 FW="$FW" \
    bash "$here/bench/concurrency.sh" >"$dir/out" 2>&1 || { cat "$dir/out" >&2; fail "bench/concurrency.sh failed"; }
grep -q "^concurrency: OK" "$dir/out" || { cat "$dir/out" >&2; fail "no OK line"; }
grep -q "^no lost update" "$dir/out" || { cat "$dir/out" >&2; fail "lost updates"; }
n=$(sed -n 's/^case changes: \([0-9]*\) succeeded.*/\1/p' "$dir/out")
[ "${n:-0}" -gt 0 ] || { cat "$dir/out" >&2; fail "no case change succeeded"; }
echo ok
