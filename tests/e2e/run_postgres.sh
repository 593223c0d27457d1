#!/usr/bin/env bash
# run_postgres.sh: the shipped rule catalogue on PostgreSQL gives the same hits as on SQLite
# (issue 11). One generated county is imported into a SQLite file and into a fresh PostgreSQL
# workspace; `fundwatch run` of every rule on both must complete every shipped rule and give
# identical hits (rule, person, amount, first and last date) and identical per-rule counts, with a
# hit for every rule that fires on SQLite; `rules check` passes every shipped rule on PostgreSQL.
# Planted bad rules (a data-modifying WITH, a syntax error, a sequence's nextval(), and on
# PostgreSQL a read of the trail) are reported failed, naming their file, while every other rule
# completes. The rule sandbox: the rule role may read the views only; a user who may not create
# roles still runs rules READ ONLY (a writing function is refused) and is told so. A rule over its
# --time-limit, and one with far too many rows, are stopped promptly on PostgreSQL too.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo, docs/store.md); without it the script says it did not
# test, and fails instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
dir=$(mktemp -d)
schema="fw_e2e_run_$$"
limited="fw_e2e_limited_$$"
cleanup() {
    pg_drop_workspace "$schema"
    pg_drop_workspace "${schema}_l" "$limited"
    rm -rf "$dir"
}
trap cleanup EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
lite="$dir/w.db"
shipped=$(cat "$(dirname "$0")"/../../rules/*.ini | grep -c '^\[[A-Z]*-[0-9]*\]')

"$FW" gen "$dir/county" --persons 1000 >/dev/null || fail "gen"
for f in "$dir"/county/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$lite" import "$ds" "$f" >/dev/null 2>"$dir/err" || fail "SQLite import $ds: $(cat "$dir/err")"
    "$FW" --db "$pg" import "$ds" "$f" >/dev/null 2>"$dir/err" || fail "PostgreSQL import $ds: $(cat "$dir/err")"
done

# The planted bad rules, beside the shipped catalogue.
mkdir "$dir/bad"
cat >"$dir/bad/bad.ini" <<'EOF'
; Rules that must fail on every engine without stopping the others.
[BAD-001]
name = 写入的规则
name_en = a wrong rule
description = a wrong rule for tests/e2e/run_postgres.sh
basis = test
version = 1
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = x
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
category = statistical
severity = low
datasets = payments
with.1 = d AS (DELETE FROM hits RETURNING id)
select.1 = ('x') AS subject
select.2 = NULL AS id_number
select.3 = 0 AS amount
select.4 = NULL AS first_date
select.5 = NULL AS last_date
select.6 = ('x') AS detail
select.7 = NULL AS evidence
from = d

[BAD-002]
name = 语法错误
name_en = a wrong rule
description = a wrong rule for tests/e2e/run_postgres.sh
basis = test
version = 1
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = x
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
category = statistical
severity = low
datasets = payments
select.1 = id_number AS subject
select.2 = id_number AS id_number
select.3 = amount AS amount
select.4 = period AS first_date
select.5 = period AS last_date
select.6 = ('x') AS detail
select.7 = ev('payments', row_key) AS evidence
from = payments
where.1 = amount > AND 1

[BAD-004]
name = 调用写入函数
name_en = a wrong rule
description = a wrong rule for tests/e2e/run_postgres.sh: a function that writes (a sequence's next value)
basis = test
version = 1
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = x
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
category = statistical
severity = low
datasets = payments
select.1 = id_number AS subject
select.2 = id_number AS id_number
select.3 = nextval('hits_id_seq') AS amount
select.4 = period AS first_date
select.5 = period AS last_date
select.6 = ('x') AS detail
select.7 = ev('payments', row_key) AS evidence
from = payments
EOF
# PostgreSQL only: BAD-003 reads the trail, outside the rule views (on SQLite the rule views are
# TEMP views over the file's tables and the authorizer guards statements and functions, not tables).
mkdir "$dir/badpg"
cp "$dir/bad/bad.ini" "$dir/badpg/bad.ini"
sed -n '/^\[BAD-001\]/,/^$/p' "$dir/bad/bad.ini" |
    sed -e 's/^\[BAD-001\]/[BAD-003]/' -e 's/^with.1 = .*/with.1 = d AS (SELECT seq AS id FROM trail)/' >"$dir/badpg/bad3.ini"

run_all() { # run_all TARGET NAME RULES: runs every rule, the bad ones too; exit 3 expected
    local rc
    /usr/bin/time -f "%e" -o "$dir/$2.time" "$FW" --db "$1" run --rules "$3" >"$dir/$2.out" 2>"$dir/$2.err"
    rc=$?
    [ $rc = 3 ] || fail "$2: run exited $rc, not 3 (a rule failed): $(tail -5 "$dir/$2.err")"
    echo "$2: catalogue run in $(tail -1 "$dir/$2.time") s"
}
# rules check compiles every shipped rule on PostgreSQL as the assembler spells it there.
"$FW" --db "$pg" rules check >"$dir/check.out" 2>&1 || fail "rules check on PostgreSQL: $(tail -5 "$dir/check.out")"
grep -q "^$shipped rules in .*: 0 errors, 0 warnings" "$dir/check.out" || fail "rules check on PostgreSQL: $(tail -3 "$dir/check.out")"
# rules show gives the text PostgreSQL runs (its error positions count in it) after the rule's own.
"$FW" --db "$pg" rules show TIM-001 >"$dir/show.out" 2>&1 || fail "rules show on PostgreSQL"
sed -n '/^SQL as run on PostgreSQL/,$p' "$dir/show.out" >"$dir/show.pg"
grep -q 'JOIN payments p ON' "$dir/show.pg" && ! grep -q 'CROSS JOIN payments p ON\|BY +' "$dir/show.pg" ||
    fail "rules show on PostgreSQL does not print the assembler's text: $(head -c 600 "$dir/show.pg")"
"$FW" --db "$lite" rules show TIM-001 | grep -q 'SQL as run on PostgreSQL' && fail "rules show on SQLite prints a PostgreSQL text"
run_all "$lite" sqlite "$dir/bad"
run_all "$pg" postgresql "$dir/badpg"

for e in sqlite postgresql; do
    # the summary table of the run: rule, category, status, ... (a category label may have a blank:
    # "citizen report")
    grep -E '^(BAD|[A-Z]+)-[0-9]+ ' "$dir/$e.out" |
        awk '{for (i = 2; i <= NF; i++) if ($i ~ /^(complete|failed|skipped|interrupted|running)$/) { print $1, $i; break }}' |
        sort >"$dir/$e.status"
    n=$(grep -c ' complete$' "$dir/$e.status")
    [ "$n" = "$shipped" ] ||
        fail "$e: $n rules complete, not the $shipped shipped: $(grep -v ' complete$' "$dir/$e.status" | tr '\n' ' ')"
    for b in BAD-001 BAD-002 BAD-004 $([ $e = postgresql ] && echo BAD-003); do
        grep -qx "$b failed" "$dir/$e.status" || fail "$e: $b not reported failed"
        grep -q "bad3*.ini:[0-9]*: \[$b\]" "$dir/$e.err" || fail "$e: $b's message does not name its file: $(grep "$b" "$dir/$e.err")"
    done
done
grep -q 'BAD-002.*syntax error' "$dir/postgresql.err" || fail "PostgreSQL's message for BAD-002 is not the server's"
# The sandbox: the rule role may read the views, not the trail, nor take a sequence's value.
grep -q 'BAD-003.*permission denied for table trail' "$dir/postgresql.err" ||
    fail "BAD-003 read the trail: $(grep BAD-003 "$dir/postgresql.err")"
grep -q 'BAD-004.*permission denied for sequence hits_id_seq' "$dir/postgresql.err" ||
    fail "BAD-004 took a sequence value: $(grep BAD-004 "$dir/postgresql.err")"
grep -q 'rule role' "$dir/postgresql.err" && fail "the rule role was not set up: $(grep 'rule role' "$dir/postgresql.err")"
id=$(psql "$pg" -XAtqc "SELECT value FROM settings WHERE key = 'workspace.id'")
# The views are security_invoker (migration 7, docs/users.md), so the roles read the ds_ tables
# under them themselves, under the row-level security of the user who runs. The owner's run made
# both: fw_rules_all_ (its own) and fw_rules_ (the users').
for role in "fw_rules_$id" "fw_rules_all_$id"; do
    [ "$(psql "$pg" -XAtqc "SELECT rolcanlogin::int, has_table_privilege('$role', 'payments', 'SELECT')::int,
          has_table_privilege('$role', 'trail', 'SELECT')::int, has_table_privilege('$role', 'ds_payments', 'SELECT')::int,
          has_table_privilege('$role', 'hits', 'INSERT')::int, has_table_privilege('$role', 'cases', 'SELECT')::int
          FROM pg_roles WHERE rolname = '$role'")" = "0|1|0|1|0|0" ] ||
        fail "the rule role $role may do more (or less) than read the views and the dataset tables"
done
# The owner's role reads every row with no filter the planner must guess at (audit/engine.c): a
# policy TO it alone on each table under row-level security it reads, none for the users' role;
# and the planner's estimate of the payments, read as it, is the table's count (as the users' role,
# under `fw_is_admin() OR ...`, it was about half).
[ "$(psql "$pg" -XAtqc "SELECT count(*) FILTER (WHERE roles = ARRAY['fw_rules_all_$id']::name[]),
          count(*) FILTER (WHERE roles <> ARRAY['fw_rules_all_$id']::name[]) FROM pg_policies
          WHERE schemaname = current_schema() AND policyname = 'fw_whole' AND tablename IN ('ds_payments', 'ds_persons', 'ds_deaths')")" = "3|0" ] ||
    fail "the owner's rule role has no policy of its own on payments, persons and deaths"
estimate() { # estimate ROLE: the planner's row estimate of the payments read as ROLE
    psql "$pg" -XAtq -c "BEGIN READ ONLY" -c "SET LOCAL ROLE $1" -c "EXPLAIN SELECT * FROM payments" -c "ROLLBACK" |
        sed -n 's/^[A-Za-z ]*(cost=[^ ]* rows=\([0-9]*\).*/\1/p' | head -1
}
# The first run after the bulk import (4.6 MB of payments: the indexes dropped) built the indexes,
# then vacuumed and analyzed the tables (audit/indexes.c): each payments partition's pages are all
# visible, so an index-only scan of the covering index need not read the table, and the statistics
# the estimates below come from are there.
visible=$(psql "$pg" -XAtqc "SELECT CASE WHEN count(*) FILTER (WHERE c.relpages > 0) = 0 THEN 'no payments pages'
      ELSE COALESCE(string_agg(c.relname || ' ' || c.relallvisible || '/' || c.relpages || ' pages all-visible', ', ')
                    FILTER (WHERE c.relallvisible < c.relpages), 'all') END
      FROM pg_partition_tree('ds_payments') t JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf")
[ "$visible" = all ] || fail "the payments were not vacuumed after the first run built their indexes: $visible"
paid=$(psql "$pg" -XAtqc "SELECT count(*) FROM ds_payments")
all=$(estimate "fw_rules_all_$id") users=$(estimate "fw_rules_$id")
[ "$((all * 100 / paid))" -ge 95 ] && [ "$((all * 100 / paid))" -le 105 ] ||
    fail "the planner guesses $all of $paid payments as the owner's rule role"
[ "$((users * 100 / paid))" -le 75 ] || # the users' role keeps its policies: the guess that was the owner's
    fail "the planner guesses $users of $paid payments as the users' rule role: does the check above prove anything?"
[ "$(psql "$pg" -XAtqc "SELECT count(*) FROM hits")" -gt 0 ] || fail "BAD-001 deleted the hits on PostgreSQL"

# The hits, and how many each rule has, on both engines.
hits() { # hits TARGET: rule_id,id_number,amount,first_date,last_date per hit, sorted
    "$FW" --db "$1" --format csv hits 2>"$dir/err" | python3 -c '
import csv, sys
r = csv.DictReader(sys.stdin)
for row in r:
    print(",".join(row[k] for k in ("rule_id", "id_number", "amount", "first_date", "last_date")))' | sort
}
hits "$lite" >"$dir/sqlite.hits"
hits "$pg" >"$dir/postgresql.hits"
[ -s "$dir/sqlite.hits" ] || fail "no hits on SQLite"
cut -d, -f1 "$dir/sqlite.hits" | uniq -c >"$dir/sqlite.counts"
cut -d, -f1 "$dir/postgresql.hits" | uniq -c >"$dir/postgresql.counts"
diff "$dir/sqlite.counts" "$dir/postgresql.counts" >"$dir/counts.diff" ||
    fail "per-rule hit counts differ (SQLite <, PostgreSQL >): $(cat "$dir/counts.diff")"
diff "$dir/sqlite.hits" "$dir/postgresql.hits" >"$dir/hits.diff" ||
    fail "hits differ (SQLite <, PostgreSQL >): $(head -20 "$dir/hits.diff")"
fired=$(wc -l <"$dir/sqlite.counts")
[ "$fired" -ge 40 ] || fail "only $fired rules fire on the generated county: the comparison proves little"
echo "same hits on both engines: $(wc -l <"$dir/sqlite.hits") hits of $fired rules"

# A rule over its time limit is stopped on PostgreSQL (statement cancel) and recorded as failed.
mkdir "$dir/slow"
cat >"$dir/slow/slow.ini" <<'EOF'
[SLOW-001]
name = 慢规则
name_en = a wrong rule
description = a wrong rule for tests/e2e/run_postgres.sh
basis = test
version = 1
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = x
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
category = statistical
severity = low
datasets = payments
select.1 = a.id_number AS subject
select.2 = a.id_number AS id_number
select.3 = count(*) AS amount
select.4 = NULL AS first_date
select.5 = NULL AS last_date
select.6 = ('x') AS detail
select.7 = NULL AS evidence
from = payments a
join.1 = JOIN payments b ON b.amount <> a.amount
join.2 = JOIN payments c ON c.amount <> b.amount
group_by = a.id_number
EOF
start=$(date +%s)
"$FW" --db "$pg" run --rules "$dir/slow" --only SLOW-001 --time-limit 2 >"$dir/slow.out" 2>"$dir/slow.err"
rc=$?
took=$(($(date +%s) - start))
[ $rc = 3 ] || fail "the slow rule: exit $rc, not 3: $(tail -3 "$dir/slow.err")"
grep -q 'SLOW-001.*time limit' "$dir/slow.err" "$dir/slow.out" || fail "the slow rule was not stopped at its time limit: $(cat "$dir/slow.err")"
[ "$took" -le 15 ] || fail "the slow rule took $took s under --time-limit 2"
# A rule with far too many rows stops at --max-hits promptly: the statement is cancelled, not read
# to its end inside the sandbox's transaction (tests/data/rules/huge without SQLite's printf).
mkdir "$dir/huge"
sed -e "s/printf('S%d', i)/('S' || i)/" -e "s/printf('第%d行', i)/('第' || i || '行')/" \
    "$(dirname "$0")/../data/rules/huge/huge.ini" >"$dir/huge/huge.ini"
start=$(date +%s)
timeout 120 "$FW" --db "$pg" run --rules "$dir/huge" --only BIG-001 --max-hits 5000 >"$dir/huge.out" 2>"$dir/huge.err"
rc=$?
took=$(($(date +%s) - start))
[ $rc = 3 ] || fail "the huge rule: exit $rc, not 3: $(tail -3 "$dir/huge.err")"
grep -q 'BIG-001.*too many hits' "$dir/huge.err" || fail "the huge rule was not stopped as too many hits: $(head -3 "$dir/huge.err")"
[ "$took" -le 20 ] || fail "the huge rule took $took s to stop at --max-hits 5000"

# A rule's planner hints hold in its own transaction and in no other: HINT-001 asks for 16 MB of
# work memory and no nested loops, hash or merge joins and reads the settings back; HINT-002, run
# after it on the same connection, has the server's.
mkdir "$dir/hints"
for h in 1 2; do
    cat >>"$dir/hints/hints.ini" <<EOF
[HINT-00$h]
name = 提示
name_en = planner hints
description = the planner hints of tests/e2e/run_postgres.sh
basis = test
version = 1
category = statistical
severity = low
datasets = payments
$([ $h = 1 ] && echo 'postgres.work_mem = 16MB' && printf 'postgres.%s = off\n' nested_loops hash_joins merge_joins)
select.1 = p.id_number AS subject
select.2 = p.id_number AS id_number
select.3 = 1 AS amount
select.4 = NULL AS first_date
select.5 = NULL AS last_date
select.6 = (current_setting('work_mem') || ' ' || current_setting('enable_nestloop') || ' ' || current_setting('enable_hashjoin') || ' ' || current_setting('enable_mergejoin')) AS detail
select.7 = NULL AS evidence
from = (SELECT min(id_number) AS id_number FROM payments) p
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = 520102196001010022
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-11
EOF
done
FUNDWATCH_RUN_THREADS=1 "$FW" --db "$pg" run --rules "$dir/hints" --only HINT-001,HINT-002 >"$dir/hints.out" 2>"$dir/hints.err" ||
    fail "the hint rules: $(tail -3 "$dir/hints.err")"
server=$(psql "$pg" -XAtqc "SELECT current_setting('work_mem') || ' ' || current_setting('enable_nestloop') || ' ' ||
    current_setting('enable_hashjoin') || ' ' || current_setting('enable_mergejoin')")
"$FW" --db "$pg" --format csv hits --rule HINT-001 >"$dir/h1.csv" && "$FW" --db "$pg" --format csv hits --rule HINT-002 >"$dir/h2.csv" ||
    fail "hits of the hint rules"
grep -q ',16MB off off off,' "$dir/h1.csv" || fail "HINT-001 did not run with its hints: $(cat "$dir/h1.csv")"
[ "$server" != "16MB off off off" ] && grep -q ",$server," "$dir/h2.csv" ||
    fail "HINT-002 did not run with the server's settings ($server): $(cat "$dir/h2.csv")"

# A user who may not create roles: rules still run, in READ ONLY transactions, and the run says
# that they did not run as the rule role.
psql "$FUNDWATCH_TEST_PG" -qc "CREATE ROLE $limited LOGIN PASSWORD 'limited' NOCREATEROLE" \
    -c "CREATE SCHEMA ${schema}_l AUTHORIZATION $limited" >/dev/null || fail "cannot create the limited user"
lim="$FUNDWATCH_TEST_PG user=$limited password=limited options='-c search_path=${schema}_l'"
"$FW" --db "$lim" import payments "$dir/county/payments.csv" >/dev/null 2>"$dir/err" || fail "limited import: $(cat "$dir/err")"
"$FW" --db "$lim" run --only TIM-003 >"$dir/lim.out" 2>"$dir/lim.err"; rc=$?
[ $rc = 0 ] || fail "limited user: run exited $rc: $(cat "$dir/lim.err")"
grep -q 'could not be set up.*READ ONLY' "$dir/lim.err" || fail "limited user: not told about the sandbox: $(cat "$dir/lim.err")"
"$FW" --db "$lim" run --only BAD-004 --rules "$dir/bad" >"$dir/lim.out" 2>"$dir/lim.err"; rc=$?
[ $rc = 3 ] || fail "limited user: a writing rule ran: exit $rc"
grep -q 'BAD-004.*read-only transaction' "$dir/lim.err" || fail "limited user: BAD-004 not refused as a write: $(cat "$dir/lim.err")"
echo "PASS run_postgres"
