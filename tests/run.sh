#!/usr/bin/env bash
# tests/run.sh BUILD [unit|e2e|e2e-pg|rules|all]: runs the test suites against the binaries in BUILD and
# ends with one summary line "N passed, N failed". A suite is a cmocka binary (build/tests/test_*),
# an end-to-end script (tests/e2e/*.sh, given the binary in $FW) or the rule examples
# (`fundwatch rules test`). With FUNDWATCH_TEST_PG set, the e2e scripts marked
# `# engines: sqlite postgresql` run a second time on PostgreSQL (FW_TEST_ENGINE=postgresql), as
# e2e-pg/NAME, unless FW_E2E_PG_PASS=0 (the ASan build: CI's time); `e2e-pg` runs that pass alone.
# See docs/store.md.
set -u
build=${1:-build}
what=${2:-all}
here=$(cd "$(dirname "$0")/.." && pwd)
export FW="$here/$build/fundwatch"
export LC_ALL=C.UTF-8
export TMPDIR=${TMPDIR:-/tmp}
export FUNDWATCH_USER=tester
unset FW_TEST_ENGINE # the first pass is SQLite's; the second sets it
export XDG_CONFIG_HOME="$(mktemp -d)"
passed=0 failed=0 failures=()

run_suite() { # name command...
    local name=$1; shift
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then
        passed=$((passed + 1))
        echo "PASS $name"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "FAIL $name"
        sed 's/^/    /' "$log" | tail -n 60
    fi
    rm -f "$log"
}

if [ "$what" = unit ] || [ "$what" = all ]; then
    for t in "$here/$build"/tests/test_*; do
        [ -x "$t" ] || continue
        run_suite "unit/$(basename "$t")" "$t"
    done
    # test_store_drivers runs its driver tests on PostgreSQL too when given a server (docs/store.md)
    if [ -n "${FUNDWATCH_TEST_PG:-}" ]; then
        echo "PostgreSQL: store tests ran on the server of FUNDWATCH_TEST_PG"
    else
        echo "PostgreSQL: NOT TESTED (FUNDWATCH_TEST_PG is not set: only the SQLite half of the store tests ran)"
    fi
fi
if [ "$what" = e2e ] || [ "$what" = all ] || [ "$what" = e2e-pg ]; then
    for t in "$here"/tests/e2e/*.sh; do
        [ -f "$t" ] && [ "$what" != e2e-pg ] || continue
        run_suite "e2e/$(basename "$t" .sh)" bash "$t"
    done
    if [ -n "${FUNDWATCH_TEST_PG:-}" ] && [ "${FW_E2E_PG_PASS:-1}" != 0 ]; then
        pg_start=$(date +%s)
        for t in "$here"/tests/e2e/*.sh; do
            grep -q '^# engines: sqlite postgresql' "$t" || continue
            run_suite "e2e-pg/$(basename "$t" .sh)" env FW_TEST_ENGINE=postgresql FUNDWATCH_REQUIRE_PG=1 bash "$t"
        done
        echo "PostgreSQL: the e2e scripts marked for both engines ran again on it in $(($(date +%s) - pg_start)) s"
    elif [ -z "${FUNDWATCH_TEST_PG:-}" ]; then
        echo "PostgreSQL: NOT TESTED (FUNDWATCH_TEST_PG is not set: the e2e scripts ran on SQLite only)"
    fi
fi
if [ "$what" = rules ] || [ "$what" = all ]; then
    if [ -n "$(ls "$here"/rules/*.ini 2>/dev/null)" ]; then
        run_suite "rules/examples" "$FW" rules test
    fi
fi

echo
[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
