#!/usr/bin/env bash
# rules_cli.sh: the rules, run and hits commands end to end: check reports every problem with
# file:line and exit 3, test passes good rules, run records and re-runs, hits as csv/json, and
# Ctrl-C during a run exits 130 keeping the complete rules.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
good="$here/tests/data/rules/good"
broken="$here/tests/data/rules/broken"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A data directory with the profiles but without the shipped rules/*.ini, so that only the test
# rules load (the catalogue is tested by `fundwatch rules test` in tests/run.sh).
export FUNDWATCH_DATADIR="$tmp/datadir"
mkdir "$FUNDWATCH_DATADIR"
ln -s "$here/profiles" "$FUNDWATCH_DATADIR/profiles"
cd "$tmp"
fail() { echo "FAIL: $*" >&2; exit 1; }

# check: all problems at once, sorted by line, exit 3
set +e
"$FW" rules check "$broken" >check.out 2>&1; rc=$?
set -e
[ "$rc" = 3 ] || fail "rules check on broken rules exited $rc"
grep -q 'longline.ini:3: error: line longer than 1022 bytes' check.out || fail "long line not reported"
grep -q "problems.ini:20: error: \[BRK-001\] unknown key 'wehre.1'; did you mean 'where.1'?" check.out || fail "did-you-mean"
grep -q "problems.ini:21: error: \[BRK-001\] :limit is not bound" check.out || fail "unbound param"
grep -q "problems.ini:35: error: \[BRK-002\] SQL error: no such column" check.out || fail "sql error line"
"$FW" rules check "$good" >good.out || fail "good rules do not check: $(cat good.out)"
grep -q '0 errors' good.out || fail "good rules have errors"

# a rule file saved as GBK is refused by check, test and run, at its line
mkdir gbk
iconv -f UTF-8 -t GBK "$good/test.ini" >gbk/test.ini
for cmd in "rules check gbk" "rules test --rules gbk" "--db g.db run --rules gbk"; do
    set +e
    # shellcheck disable=SC2086
    "$FW" $cmd >gbk.out 2>&1; rc=$?
    set -e
    [ "$rc" = 3 ] || fail "$cmd on a GBK rule file exited $rc"
    grep -q 'gbk/test.ini:4: .*not valid UTF-8 (byte 0xCB at column 8); rule files must be saved as UTF-8' gbk.out ||
        fail "$cmd: $(cat gbk.out)"
done
grep -q 'cannot be used' gbk.out || fail "run did not refuse: $(cat gbk.out)"
[ ! -e g.db ] || [ "$(sqlite3 g.db 'SELECT count(*) FROM runs')" = 0 ] || fail "a run started with a GBK rule file"

# test: PASS per rule and the summary line
"$FW" rules test --rules "$good" >test.out || fail "rules test failed: $(cat test.out)"
grep -q '^PASS TST-001$' test.out || fail "TST-001 did not pass"
grep -q '^2 passed, 0 failed$' test.out || fail "summary line"

# run, re-run, hits
printf 'id_number,death_date\n520102195503120016,2023-03-10\n' >deaths.csv
printf 'id_number,name,program,amount,pay_date\n520102195503120016,张三,低保,360,2023-05-10\n520102196001010022,李四,低保,5000,2023-05-10\n' >payments.csv
"$FW" --db w.db import deaths deaths.csv >/dev/null
"$FW" --db w.db import payments payments.csv >/dev/null
"$FW" --db w.db run --rules "$good" >run1.out 2>run1.err || fail "run: $(cat run1.err)"
grep -q 'run 1 complete: 2 rules, 2 new, 0 present, 0 gone' run1.out || fail "first run summary: $(cat run1.out)"
grep -q 'TST-001' run1.err || fail "no per-rule progress on stderr"
"$FW" --db w.db run --rules "$good" >run2.out 2>/dev/null
grep -q 'run 2 complete: 2 rules, 0 new, 2 present, 0 gone' run2.out || fail "second run summary: $(cat run2.out)"
"$FW" --db w.db --format csv hits >hits.csv
head -1 hits.csv | grep -q 'rule_id,category,severity,state,id_number,name' || fail "csv header: $(head -1 hits.csv)"
grep -q '^2,TST-002,standard,low,present,520102196001010022,李四,.*,500000,' hits.csv || fail "csv amount in fen"
"$FW" --db w.db --format json hits --rule tst-001 >hits.json
/usr/bin/python3 -c 'import json,sys; h=json.load(open("hits.json")); assert len(h)==1 and h[0]["amount"]==36000 and h[0]["status"]=="new", h'
"$FW" --db w.db hits | grep -q '5000.00' || fail "table shows yuan"
"$FW" --db w.db rules list --rules "$good" | grep -q 'TST-001.*(--rules)' || fail "rules list source"
"$FW" --db w.db rules show TST-002 --rules "$good" >show.out
grep -q 'max_amount *100000 *default 100000' show.out || fail "show params"
grep -q '^SELECT p.id_number AS subject' show.out || fail "show sql"
"$FW" --db w.db rules set TST-002 param.max_amount 600000 --rules "$good"
"$FW" --db w.db rules show TST-002 --rules "$good" | grep -q 'workspace override' || fail "override not shown"
set +e
"$FW" --db w.db run --only NOPE --rules "$good" >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 5 ] || fail "unknown rule exit $rc"
"$FW" --db w.db rules show TST-001 --rules "$good" | grep -q 'grace_months  *0  *default 0  *integer 0..120' ||
    fail "show does not give the type"

# parameters are type-checked at their boundaries: exit 2 and the range named, nothing stored
for v in 4294967295 -1 121 abc 1.5 '' ' 7' 9223372036854775808; do
    set +e
    "$FW" --db w.db rules set TST-001 param.grace_months "$v" --rules "$good" >/dev/null 2>set.err; rc=$?
    set -e
    [ "$rc" = 2 ] || fail "rules set grace_months '$v' exited $rc"
    grep -q "param.grace_months must be an integer from 0 to 120, not '$v'" set.err || fail "message for '$v': $(cat set.err)"
done
[ "$(sqlite3 w.db "SELECT count(*) FROM rule_settings WHERE rule_id = 'TST-001'")" = 0 ] || fail "a refused value was stored"
"$FW" --db w.db rules set TST-001 param.grace_months 0 --rules "$good" || fail "0 refused"
"$FW" --db w.db rules set TST-001 param.grace_months 120 --rules "$good" || fail "120 refused"
"$FW" --db w.db rules reset TST-001 param.grace_months --rules "$good"
# a rule file without declarations is refused by check with file:line
mkdir untyped
sed '/^param\.[a-z_]*\.type/d' "$good/test.ini" >untyped/test.ini
set +e
"$FW" rules check untyped >untyped.out 2>&1; rc=$?
set -e
[ "$rc" = 3 ] || fail "untyped parameters: check exited $rc"
grep -q "untyped/test.ini:13: error: \[TST-001\] param.grace_months has no declared type" untyped.out ||
    fail "untyped: $(cat untyped.out)"

# Ctrl-C during a long rule: exit 130, complete rule kept, run recorded as interrupted
mkdir slow
cat >slow/slow.ini <<'INI'
[ZZZ-SLOW]
name = 慢
name_en = slow
category = statistical
severity = low
description = a rule that takes long
basis = test
datasets = payments
version = 1
param.rows = 500000000
param.rows.type = integer 1..1000000000
with = RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows)
select = count(*) AS subject, NULL AS id_number, 0 AS amount, NULL AS first_date, NULL AS last_date, printf('x') AS detail, printf('') AS evidence
from = n
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = 1
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
INI
cp "$good/test.ini" slow/a.ini
"$FW" --db i.db import payments payments.csv >/dev/null
"$FW" --db i.db run --rules slow >int.out 2>int.err &
pid=$!
for _ in $(seq 50); do grep -q 'TST-002' int.err 2>/dev/null && break; sleep 0.1; done
sleep 0.3
kill -INT $pid
set +e
wait $pid; rc=$?
set -e
[ "$rc" = 130 ] || fail "interrupted run exited $rc: $(cat int.err)"
grep -q 'interrupted' int.out || fail "summary does not say interrupted"
"$FW" --db i.db --format csv hits --state all | grep -q 'TST-002' || fail "complete rule's hits lost"
if "$FW" --db i.db --format csv hits --state all | grep -q 'ZZZ-SLOW'; then fail "partial rule kept"; fi
echo "rules_cli: ok"
