#!/usr/bin/env bash
# rules_postgres.sh: `rules test` on both engines (issue 11: "rules test runs every rule's examples on
# both"). With a PostgreSQL workspace, `fundwatch --db SERVER rules test` runs each rule's examples in
# scratch SQLite files and again in scratch schemas on that server, and passes a rule only when it
# passes on both. A rule written with a form that only SQLite knows (GLOB) passes alone on SQLite and
# fails on the server, naming the engine; a portable twin passes on both; the whole shipped catalogue
# passes on both; no scratch schema and no rule role is left on the server afterwards.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo, docs/store.md); without it the script says it did not
# test, and fails instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
unset FUNDWATCH_DB
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
server="$FUNDWATCH_TEST_PG"
leftovers() {
    psql "$server" -XAtqc "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'fw\_ruletest\_%')
                                || '/' || (SELECT count(*) FROM pg_roles WHERE rolname LIKE 'fw\_rules\_%')"
}
before=$(leftovers)

# Two copies of the shipped IDN-004 (paid before birth), narrowed to Guizhou IDs: one with SQLite's
# GLOB, one with the portable LIKE.
mkdir "$dir/rules"
rule() { # rule ID CONDITION
    awk -v id="$1" '/^\[IDN-004\]/ {on = 1; print "[" id "]"; next} /^\[/ {on = 0} on' rules/identity.ini |
        sed "s/^where.1 = .*/&\nwhere.2 = $2/"
}
{ rule TST-901 "p.id_number GLOB '52*'"; rule TST-902 "p.id_number LIKE '52%'"; } >"$dir/rules/t.ini"
grep -q "^where.2 = p.id_number GLOB" "$dir/rules/t.ini" || fail "could not write the test rules"

"$FW" rules test --rules "$dir/rules" TST-901 TST-902 >"$dir/out" 2>&1 || { cat "$dir/out"; fail "on SQLite alone both rules should pass"; }
grep -q "2 passed, 0 failed" "$dir/out" || { cat "$dir/out"; fail "SQLite alone: not 2 passed"; }

rc=0
"$FW" --db "$server" rules test --rules "$dir/rules" TST-901 TST-902 >"$dir/out" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || { cat "$dir/out"; fail "the SQLite-only rule on both engines: exit $rc, expected 3"; }
grep -q "^FAIL TST-901 \[postgresql\]: .*TST-901" "$dir/out" || { cat "$dir/out"; fail "the failure does not name the engine and the rule"; }
grep -q "^FAIL TST-901 \[sqlite\]" "$dir/out" && fail "TST-901 failed on SQLite too"
grep -q "^PASS TST-902$" "$dir/out" || { cat "$dir/out"; fail "the portable rule did not pass on both"; }
grep -q "1 passed, 1 failed (each on SQLite and on PostgreSQL)" "$dir/out" || { cat "$dir/out"; fail "summary"; }

"$FW" --db "$server" rules test >"$dir/out" 2>&1 || { grep -v '^PASS' "$dir/out"; fail "the shipped catalogue does not pass on both engines"; }
n=$(grep -c '^PASS ' "$dir/out")
[ "$n" -ge 60 ] || fail "only $n shipped rules passed"
grep -q "$n passed, 0 failed (each on SQLite and on PostgreSQL)" "$dir/out" || { tail -2 "$dir/out"; fail "summary"; }
[ "$(leftovers)" = "$before" ] || fail "scratch schemas/rule roles left on the server: $(leftovers), before $before"
echo "rules_postgres: $n shipped rules pass their examples on SQLite and PostgreSQL; a SQLite-only rule fails on the server, named"
