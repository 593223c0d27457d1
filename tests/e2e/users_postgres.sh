#!/usr/bin/env bash
# users_postgres.sh: who sees and does what on a shared PostgreSQL workspace (issue 13, docs/users.md).
# A generated county is imported and run by the workspace's owner (the test's server user); then a
# user of each role is added over two townships T1 and T2 (the two with the most cases): an
# inspector and an auditor of T1, a supervisor of the county, a rule author and a kiosk. For each
# role x (hit listing, case show of T1's and of T2's case, a case change, export, log verify, raw
# psql SELECT count(*) FROM ds_payments and FROM hits) the result is asserted exactly: allowed or
# denied, a denied read of another region's case is "not found" with nothing of it printed, and the
# rows a scoped user sees are those of their township, counted against the owner's counts filtered
# by region code with psql. Also: a rule whose SQL ignores regions, run by the inspector, makes hits
# of T1 only (as many as T1's payments say); the trail names the role that logged in; the inspector
# cannot rewrite the trail nor write another region's rows by hand; user add refuses a bad region
# (listing the known ones), a role without CREATEROLE, and SQLite (exit 2). The registries without
# a region (deaths, vehicles): a T2 person's rows are not there for the inspector (psql, a rule run).
# Orders, their returned files and ID repair proposals (migration 17): the inspector sees and changes
# only T1's (psql, orders list/show), numbers an order after the owner's unseen one; a typed --user
# of the inspector is said once and ignored.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo of a user who may create schemas and roles); without it
# the script says it did not test, and fails instead under FUNDWATCH_REQUIRE_PG=1 (pg.inc).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
dir=$(mktemp -d)
schema="fw_e2e_users_$$"
insp="fwt_insp_$$" sup="fwt_sup_$$" author="fwt_author_$$" aud="fwt_aud_$$" kiosk="fwt_kiosk_$$"
cleanup() {
    pg_drop_workspace "$schema" "$insp" "$sup" "$author" "$aud" "$kiosk"
    rm -rf "$dir"
}
trap cleanup EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
admin="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
as() { echo "$FUNDWATCH_TEST_PG user=$1 password=pw-$1 options='-c search_path=$schema'"; }
q() { psql "$admin" -XAtqc "$1"; } # the owner's own count, independent of fundwatch

"$FW" gen "$dir/county" --persons 1000 >/dev/null || fail "gen"
for f in "$dir"/county/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$admin" import "$ds" "$f" >/dev/null 2>"$dir/err" || fail "import $ds: $(cat "$dir/err")"
done
"$FW" --db "$admin" run >/dev/null 2>"$dir/err" || fail "the owner's run: $(tail -3 "$dir/err")"

# Every hit and case got its region (12 digits for a person, 9 for a village's township).
[ "$(q "SELECT count(*) FROM hits WHERE region_code IS NULL OR length(region_code) NOT IN (9, 12)")" = 0 ] ||
    fail "hits without a region: $(q "SELECT subject_kind, count(*) FROM hits WHERE region_code IS NULL GROUP BY 1")"
[ "$(q "SELECT count(*) FROM hits WHERE subject_kind = 'village' AND length(region_code) <> 9")" = 0 ] ||
    fail "a village subject's region is not its township's code"
[ "$(q "SELECT count(*) FROM cases WHERE region_code IS NULL")" = 0 ] || fail "cases without a region"

# T1 and T2: the two townships of the county with the most cases; a case of each.
read -r t1 t2 <<<"$(q "SELECT string_agg(t, ' ') FROM (SELECT substr(region_code, 1, 9) AS t FROM cases
    WHERE region_code LIKE '522622%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2) x")"
[ -n "$t1" ] && [ -n "$t2" ] || fail "no two townships with cases"
case1=$(q "SELECT case_no FROM cases WHERE region_code LIKE '$t1%' ORDER BY id LIMIT 1")
case2=$(q "SELECT case_no FROM cases WHERE region_code LIKE '$t2%' ORDER BY id LIMIT 1")
name2=$(q "SELECT name FROM cases WHERE case_no = '$case2'")
hits_t1=$(q "SELECT count(*) FROM hits WHERE region_code LIKE '$t1%'")
hits_county=$(q "SELECT count(*) FROM hits WHERE region_code LIKE '522622%'")
pay_t1=$(q "SELECT count(*) FROM ds_payments WHERE region_code LIKE '$t1%'")
pay_county=$(q "SELECT count(*) FROM ds_payments WHERE region_code LIKE '522622%'")
[ "$hits_t1" -gt 0 ] && [ "$hits_t1" -lt "$hits_county" ] && [ "$pay_t1" -lt "$pay_county" ] ||
    fail "T1 ($t1) is no proper part of the county: $hits_t1 of $hits_county hits, $pay_t1 of $pay_county payments"
[ "$pay_county" -lt "$(q "SELECT count(*) FROM ds_payments")" ] || fail "no payments outside the county to hide from its supervisor"
echo "T1 $t1 ($case1, $hits_t1 hits, $pay_t1 payments), T2 $t2 ($case2), county 522622 ($hits_county hits)"

# user add: what it refuses.
"$FW" --db "$admin" user add "$insp" --role inspector --region 522622999 --password x >"$dir/out" 2>&1
[ $? = 3 ] || fail "an unknown region was not refused with exit 3: $(cat "$dir/out")"
grep -q "$t1" "$dir/out" || fail "the refusal does not list the known townships: $(cat "$dir/out")"
"$FW" --db "$admin" user add "$insp" --role inspector --region 52262 --password x >"$dir/out" 2>&1
[ $? = 2 ] || fail "a 5-digit region was not refused with exit 2: $(cat "$dir/out")"
"$FW" --db "$admin" user add "$insp" --role inspector --password x >"$dir/out" 2>&1
[ $? = 2 ] || fail "an inspector without a region was not refused: $(cat "$dir/out")"
"$FW" --db "$admin" user add "$insp" --role inspector --region "$t1" </dev/null >"$dir/out" 2>&1
[ $? = 2 ] && grep -q "no --password" "$dir/out" || fail "no password and no terminal was not refused: $(cat "$dir/out")"
"$FW" --db "$admin" user add "$insp" --role chief --region "$t1" --password x >"$dir/out" 2>&1
[ $? = 2 ] && grep -q "inspector" "$dir/out" || fail "an unknown role was not refused with the choices: $(cat "$dir/out")"
[ "$(q "SELECT count(*) FROM pg_roles WHERE rolname = '$insp'")" = 0 ] || fail "a refused user add left a role"
"$FW" --db "$dir/lite.db" init >/dev/null 2>&1
"$FW" --db "$dir/lite.db" user list >"$dir/out" 2>&1
[ $? = 2 ] && grep -q "do not apply to a SQLite workspace" "$dir/out" || fail "SQLite user list: $(cat "$dir/out")"

# The users.
add() { # add NAME ROLE [REGION...]
    local n=$1 r=$2
    shift 2
    local regions=()
    [ $# -gt 0 ] && regions=(--region "$@")
    "$FW" --db "$admin" user add "$n" --role "$r" "${regions[@]}" --password "pw-$n" >"$dir/out" 2>&1 ||
        fail "user add $n $r: $(cat "$dir/out")"
}
add "$insp" inspector "$t1"
add "$sup" supervisor 522622
add "$author" rule_author
add "$aud" auditor "$t1"
add "$kiosk" kiosk
"$FW" --db "$admin" user add "$insp" --role inspector --region "$t1" --password x >"$dir/out" 2>&1
[ $? = 6 ] || fail "adding a user twice was not refused with exit 6: $(cat "$dir/out")"
"$FW" --db "$admin" user list >"$dir/list" 2>&1 || fail "user list: $(cat "$dir/list")"
grep -q "^$insp .*inspector .*($t1)" "$dir/list" && grep -q "^$sup .*supervisor .*522622" "$dir/list" &&
    grep -q "^$kiosk .*kiosk" "$dir/list" || fail "user list: $(cat "$dir/list")"
id=$(q "SELECT value FROM settings WHERE key = 'workspace.id'")
[ "$(q "SELECT pg_has_role('$kiosk', 'fw_kiosk_$id', 'MEMBER')::int")" = 1 ] || fail "the kiosk is no member of fw_kiosk_$id"

# Only a role with CREATEROLE adds users, and it is told so (the inspector has none).
"$FW" --db "$(as "$insp")" user add someone --role inspector --region "$t1" --password x >"$dir/out" 2>&1
[ $? = 4 ] && grep -q "may not create roles: adding a user needs the CREATEROLE attribute" "$dir/out" ||
    fail "a user without CREATEROLE: $(cat "$dir/out")"

# The matrix. expect ROLE WHAT RC [TEXT]: the command's exit code, and TEXT in what it printed.
check() { # check WHAT RC PATTERN: after running into $dir/out
    local what=$1 want=$2 pat=${3:-}
    [ "$rc" = "$want" ] || fail "$who: $what exited $rc, not $want: $(head -c 600 "$dir/out")"
    [ -z "$pat" ] || grep -q -- "$pat" "$dir/out" || fail "$who: $what does not say '$pat': $(head -c 600 "$dir/out")"
}
fwas() { "$FW" --db "$(as "$who")" "$@" >"$dir/out" 2>&1; rc=$?; }
raw() { psql "$(as "$who")" -XAtqc "$1" >"$dir/out" 2>&1; rc=$?; }
denied="permission denied"

wsid=$(q "SELECT value FROM settings WHERE key = 'workspace.id'")
[ "$(q "SELECT count(*) FROM pg_roles WHERE rolname = 'fw_rules_all_$wsid'")" = 1 ] ||
    fail "the owner's run made no rule role of its own"
for who in "$insp" "$sup" "$author" "$aud" "$kiosk"; do
    case $who in
    "$insp") role=inspector ;; "$sup") role=supervisor ;; "$author") role=author ;; "$aud") role=auditor ;; *) role=kiosk ;;
    esac
    # the owner's rule role reads every row (audit/engine.c): nobody else may become it
    raw "SET ROLE fw_rules_all_$wsid"
    check "SET ROLE to the owner's rule role" 1 "permission denied to set role"
    # hit listing: scoped readers see exactly their regions' hits
    fwas --format csv hits --state all
    case $role in
    inspector | auditor)
        check "hits" 0
        n=$(($(wc -l <"$dir/out") - 1))
        [ "$n" = "$hits_t1" ] || fail "$who sees $n hits, not T1's $hits_t1" ;;
    supervisor)
        check "hits" 0
        n=$(($(wc -l <"$dir/out") - 1))
        [ "$n" = "$hits_county" ] || fail "$who sees $n hits, not the county's $hits_county" ;;
    *) [ "$rc" != 0 ] && grep -q "$denied" "$dir/out" || fail "$who ($role) listed hits: rc $rc $(head -c 300 "$dir/out")" ;;
    esac
    # case show: their own region's case; another region's is not found, and nothing of it shows
    fwas case show "$case2"
    case $role in
    supervisor) check "case show $case2" 0 "$case2" ;;
    inspector | auditor)
        check "case show $case2 (T2)" 5 "no case $case2"
        grep -q -- "$name2" "$dir/out" && fail "$who: the refusal shows T2's name" ;;
    *) [ "$rc" != 0 ] || fail "$who ($role) read case $case2" ;;
    esac
    fwas case show "$case1"
    case $role in
    inspector | supervisor | auditor) check "case show $case1" 0 "$case1" ;;
    *) [ "$rc" != 0 ] || fail "$who ($role) read case $case1" ;;
    esac
    # a case change
    fwas case note "$case1" "checked by $who"
    case $role in
    inspector | supervisor) check "case note $case1" 0 ;;
    auditor) [ "$rc" != 0 ] && grep -q "$denied" "$dir/out" || fail "the auditor changed a case: rc $rc $(cat "$dir/out")" ;;
    *) [ "$rc" != 0 ] || fail "$who ($role) changed case $case1" ;;
    esac
    fwas case note "$case2" "not mine"
    case $role in
    supervisor) check "case note $case2" 0 ;;
    inspector) check "case note $case2 (T2)" 5 "no case $case2" ;;
    *) [ "$rc" != 0 ] || fail "$who ($role) changed case $case2" ;;
    esac
    # export: recorded in the trail, so a role that may not write it may not export
    fwas export "$dir/$role.csv" --quiet --all-states
    case $role in
    inspector | supervisor)
        check "export" 0
        n=$(($(wc -l <"$dir/$role.csv") - 1))
        want=$hits_t1
        [ $role = supervisor ] && want=$hits_county
        [ "$n" = "$want" ] || fail "$who exported $n leads, not $want" ;;
    *) [ "$rc" != 0 ] && [ ! -s "$dir/$role.csv" ] || fail "$who ($role) exported: rc $rc $(head -c 300 "$dir/out")" ;;
    esac
    # log verify
    fwas log verify
    case $role in
    inspector | supervisor | auditor) check "log verify" 0 "audit trail OK" ;;
    *) [ "$rc" != 0 ] && grep -q "$denied" "$dir/out" || fail "$who ($role) verified the log: rc $rc $(head -c 300 "$dir/out")" ;;
    esac
    # raw SQL
    raw "SELECT count(*) FROM ds_payments"
    case $role in
    inspector | auditor) check "SELECT count(*) FROM ds_payments" 0 && [ "$(cat "$dir/out")" = "$pay_t1" ] ||
        fail "$who counts $(cat "$dir/out") payments, not T1's $pay_t1" ;;
    supervisor) check "SELECT count(*) FROM ds_payments" 0 && [ "$(cat "$dir/out")" = "$pay_county" ] ||
        fail "$who counts $(cat "$dir/out") payments, not the county's $pay_county" ;;
    *) check "SELECT count(*) FROM ds_payments" 1 "$denied" ;;
    esac
    # a partition of the payments read directly (row-level security is the parent's): refused to all
    part=$(q "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relispartition AND c.relkind = 'r'
              AND c.relname LIKE 'ds\_payments\_c522622\_y%' ORDER BY 1 LIMIT 1")
    [ -n "$part" ] || fail "no partition of the county's payments to read"
    raw "SELECT count(*) FROM $part"
    check "SELECT count(*) FROM $part" 1 "$denied"
    raw "SELECT count(*) FROM hits"
    case $role in
    inspector | auditor) check "SELECT count(*) FROM hits" 0 && [ "$(cat "$dir/out")" = "$hits_t1" ] ||
        fail "$who counts $(cat "$dir/out") hits, not $hits_t1" ;;
    supervisor) check "SELECT count(*) FROM hits" 0 && [ "$(cat "$dir/out")" = "$hits_county" ] ||
        fail "$who counts $(cat "$dir/out") hits, not $hits_county" ;;
    *) check "SELECT count(*) FROM hits" 1 "$denied" ;;
    esac
    raw "SELECT count(*) FROM users"
    check "SELECT count(*) FROM users" 1 "$denied"
    # rules test: on the examples, in a scratch workspace of its own (no personal data)
    if [ $role = author ] || [ $role = inspector ]; then
        fwas rules test DEC-001 TIM-001
        check "rules test" 0
    fi
    echo "$role: as specified"
done

# The inspector, by hand: no trail rewrite, no other region's rows, even through the rule views.
who=$insp
raw "UPDATE trail SET \"user\" = 'x' WHERE seq = 2"
check "UPDATE trail" 1 "$denied"
raw "UPDATE cases SET name = 'x' WHERE case_no = '$case2' RETURNING id"
check "UPDATE of T2's case" 0
[ -s "$dir/out" ] && fail "the inspector updated T2's case by hand: $(cat "$dir/out")"
raw "SELECT count(*) FROM payments WHERE region_code NOT LIKE '$t1%'"
check "SELECT from the payments view" 0 && [ "$(cat "$dir/out")" = 0 ] || fail "the payments view shows other regions: $(cat "$dir/out")"
raw "INSERT INTO case_notes(case_id, \"user\", at, text) SELECT id, 'x', 'x', 'x' FROM cases WHERE case_no = '$case1'"
check "a note on T1's case" 0
raw "UPDATE settings SET value = '0' WHERE key = 'review.second' RETURNING key"
[ ! -s "$dir/out" ] || grep -q "$denied\|row-level security" "$dir/out" || fail "the inspector changed a setting: $(cat "$dir/out")"

# The second reviewer on a server is another role, not another typed name: the inspector's verdict
# is theirs (session_user) however they call themselves, and the supervisor approves it.
"$FW" --db "$admin" case review on >/dev/null 2>&1 || fail "case review on"
fwas case set "$case1" verifying --method online --verifier "$who"
check "case set verifying" 0
fwas --user someone-else case set "$case1" dismissed --reason data_error
check "a verdict awaiting a second reviewer" 0 "^fundwatch: --user someone-else ignored: on PostgreSQL you act as role $insp"
[ "$(grep -c "ignored: on PostgreSQL" "$dir/out")" = 1 ] || fail "the ignored --user is not said once: $(cat "$dir/out")"
[ "$(q "SELECT pending_by FROM cases WHERE case_no = '$case1'")" = "$insp" ] || fail "the verdict is not recorded as $insp's"
fwas --user another-name case approve "$case1"
check "the inspector approving their own verdict" 6 "cannot also approve"
who=$sup fwas case approve "$case1"
[ "$rc" = 0 ] || fail "the supervisor could not approve the inspector's verdict: $(cat "$dir/out")"
[ "$(q "SELECT status || ' ' || reviewed_by FROM cases WHERE case_no = '$case1'")" = "dismissed $sup" ] ||
    fail "the approval: $(q "SELECT status, reviewed_by FROM cases WHERE case_no = '$case1'")"
"$FW" --db "$admin" case review off >/dev/null 2>&1 || fail "case review off"
who=$insp

# A whitelist entry names a person: the inspector may make one for a person of T1, not of T2 (whose
# hits elsewhere it would suppress), and lists only T1's.
id1=$(q "SELECT id_number FROM ds_persons WHERE region_code LIKE '$t1%' LIMIT 1")
id2=$(q "SELECT id_number FROM ds_persons WHERE region_code LIKE '$t2%' AND id_number NOT IN
         (SELECT id_number FROM ds_payments WHERE region_code LIKE '$t1%') LIMIT 1")
fwas whitelist add "$id1" DEC-001 --reason "known to $who"
check "whitelist add of a T1 person" 0
fwas whitelist add "$id2" DEC-001 --reason "not mine"
[ "$rc" != 0 ] && grep -q "row-level security" "$dir/out" || fail "the inspector whitelisted a T2 person: rc $rc $(cat "$dir/out")"
"$FW" --db "$admin" whitelist add "$id2" DEC-001 --reason "the owner's" >/dev/null 2>&1 || fail "the owner's whitelist add"
fwas --format csv whitelist list
check "whitelist list" 0 "$id1"
grep -q "$id2" "$dir/out" && fail "the inspector sees T2's whitelist entry"

# The registries without a region (migration 14): the inspector reads a death or a vehicle only of a
# person they see (in persons, payments or officials of T1); a T2 person's rows are not there, through
# the table, the rule view or a rule run (the CLI), and every row they do see is a T1 person's (or has
# an invalid typed ID number near one of them, for the near rules).
t1ids="SELECT id_number FROM ds_persons WHERE region_code LIKE '$t1%' UNION SELECT id_number FROM ds_payments
       WHERE region_code LIKE '$t1%' UNION SELECT id_number FROM ds_officials WHERE region_code LIKE '$t1%'"
for reg in deaths vehicles; do
    other=$(q "SELECT id_number FROM ds_$reg WHERE id_number IN (SELECT id_number FROM ds_persons WHERE region_code
               LIKE '$t2%') AND id_number NOT IN ($t1ids) ORDER BY 1 LIMIT 1")
    mine=$(q "SELECT id_number FROM ds_$reg WHERE id_number IN ($t1ids) ORDER BY 1 LIMIT 1")
    [ -n "$other" ] && [ -n "$mine" ] || fail "no $reg rows of a T2 and of a T1 person to test with"
    for rel in "ds_$reg" "$reg"; do
        raw "SELECT count(*) FROM $rel WHERE id_number = '$other'"
        check "SELECT from $rel of a T2 person" 0 && [ "$(cat "$dir/out")" = 0 ] ||
            fail "the inspector reads a T2 person's $rel rows: $(cat "$dir/out")"
        raw "SELECT count(*) FROM $rel WHERE id_number = '$mine'"
        check "SELECT from $rel of a T1 person" 0 && [ "$(cat "$dir/out")" -gt 0 ] ||
            fail "the inspector cannot read a T1 person's $rel rows: $(cat "$dir/out")"
    done
    raw "SELECT COALESCE(string_agg(DISTINCT quote_literal(id_number), ','), 'NULL') FROM ds_$reg"
    check "SELECT the $reg ID numbers" 0
    seen=$(cat "$dir/out")
    stray=$(q "SELECT count(*) FROM ds_$reg WHERE id_number IN ($seen) AND id_number NOT LIKE '!%' AND id_number NOT IN ($t1ids)")
    [ "$stray" = 0 ] || fail "the inspector sees $stray $reg rows of persons not of T1"
    [ "$(q "SELECT count(*) FROM ds_$reg WHERE id_number IN ($seen)")" -lt "$(q "SELECT count(*) FROM ds_$reg")" ] ||
        fail "the inspector sees every $reg row"
done
mkdir "$dir/rules-deaths"
cat >"$dir/rules-deaths/deaths.ini" <<'EOF'
[TST-002]
name = 全部死亡登记
name_en = every death
description = a rule that reads every death, for tests/e2e/users_postgres.sh
basis = test
version = 1
example.hit.1 = deaths: id_number=520102196001010022, name=李四, death_date=2023-05-10
expect.hit = 520102196001010022
example.clean.1 = deaths: id_number=520102196001010022, name=李四, death_date=1950-01-01
category = statistical
severity = low
datasets = deaths
select.1 = id_number AS subject
select.2 = id_number AS id_number
select.3 = 0 AS amount
select.4 = min(death_date) AS first_date
select.5 = max(death_date) AS last_date
select.6 = ('a death') AS detail
select.7 = NULL AS evidence
from = deaths
where.1 = id_number NOT LIKE '!%' AND death_date > '1950-01-01'
group_by = id_number
EOF
fwas run --rules "$dir/rules-deaths" --only TST-002
check "the inspector's run of a rule over every death" 0
got=$(q "SELECT count(*) FROM hits WHERE rule_id = 'TST-002'")
want=$(q "SELECT count(DISTINCT id_number) FROM ds_deaths WHERE id_number IN ($t1ids) AND death_date > '1950-01-01'")
[ "$got" = "$want" ] && [ "$got" -gt 0 ] || fail "the inspector's run over every death made $got hits, not T1's $want"
[ "$(q "SELECT count(*) FROM hits WHERE rule_id = 'TST-002' AND id_number = '$other'")" = 0 ] ||
    fail "the inspector's run over every death made a hit of a T2 person"
[ "$(q "SELECT count(*) FROM hits WHERE rule_id = 'TST-002' AND id_number NOT IN ($t1ids)")" = 0 ] ||
    fail "the inspector's run over every death made hits of persons not of T1"
echo "registries without a region: scoped by their persons"

# Migration 17: ID repair proposals, orders and their files follow the regions too. The inspector
# sends the workspace's first order (of a T1 case: it makes the orders' MAC key, which they may not
# change afterwards), then the owner one of a T2 case (numbered after the inspector's); a returned
# file of each and a repair proposal for a T1 and a T2 person.
oc1=$(q "SELECT case_no FROM cases WHERE region_code LIKE '$t1%' AND status = 'new' ORDER BY id DESC LIMIT 1")
oc2=$(q "SELECT case_no FROM cases WHERE region_code LIKE '$t2%' AND status = 'new' ORDER BY id DESC LIMIT 1")
[ "$(q "SELECT count(*) FROM settings WHERE key = 'orders.mac_key'")" = 0 ] || fail "an order key before the first order"
who=$insp fwas orders dispatch --to 乡镇纪委 --due 2099-12-31 --out "$dir" --case "$oc1"
who=$insp check "the first order, of a T1 case" 0
ord1=$(q "SELECT order_no FROM orders WHERE created_by = '$insp'")
key=$(q "SELECT value FROM settings WHERE key = 'orders.mac_key'")
[ ${#key} = 64 ] || fail "the inspector's first order made no key: '$key'"
who=$insp raw "UPDATE settings SET value = repeat('0', 64) WHERE key = 'orders.mac_key' RETURNING key"
who=$insp check "UPDATE of the order key" 0 && [ ! -s "$dir/out" ] || fail "the inspector changed the order key: $(cat "$dir/out")"
[ "$(q "SELECT value FROM settings WHERE key = 'orders.mac_key'")" = "$key" ] || fail "the order key changed"
"$FW" --db "$admin" orders dispatch --to 县纪委 --due 2099-12-31 --out "$dir" --case "$oc2" >"$dir/out" 2>&1 ||
    fail "the owner's order: $(cat "$dir/out")"
ord2=$(q "SELECT order_no FROM orders WHERE created_by = session_user")
[ -n "$ord1" ] && [ -n "$ord2" ] && [ "$ord1" != "$ord2" ] || fail "the orders: '$ord1' and '$ord2'"
rid1=$(q "SELECT id_number FROM ds_persons WHERE region_code LIKE '$t1%' ORDER BY id_number LIMIT 1")
rid2=$(q "SELECT id_number FROM ds_persons WHERE region_code LIKE '$t2%' AND id_number NOT IN
          (SELECT id_number FROM ds_payments WHERE region_code LIKE '$t1%') ORDER BY id_number LIMIT 1")
q "INSERT INTO order_files(order_id, sha256, name, copy_path, received_by, received_at)
   SELECT id, 'sha-' || order_no, order_no || '.xlsx', 'copy', session_user, 'now' FROM orders;
   INSERT INTO id_repairs(dataset, import_id, line, flagged, typed, proposed, why, found_at)
   VALUES ('deaths', 1, 1, '!t1', 't1', '$rid1', 'test', 'now'), ('deaths', 1, 2, '!t2', 't2', '$rid2', 'test', 'now')" >/dev/null ||
    fail "cannot write the order files and repair proposals"
who=$insp
raw "SELECT string_agg(order_no, ',' ORDER BY order_no) FROM orders"
check "SELECT FROM orders" 0 && [ "$(cat "$dir/out")" = "$ord1" ] || fail "the inspector's orders: $(cat "$dir/out")"
raw "SELECT string_agg(name, ',' ORDER BY name) FROM order_files"
check "SELECT FROM order_files" 0 && [ "$(cat "$dir/out")" = "$ord1.xlsx" ] || fail "the inspector's order files: $(cat "$dir/out")"
raw "SELECT string_agg(proposed, ',') FROM id_repairs"
check "SELECT FROM id_repairs" 0 && [ "$(cat "$dir/out")" = "$rid1" ] || fail "the inspector's repair proposals: $(cat "$dir/out")"
raw "UPDATE orders SET unit = 'x' WHERE order_no = '$ord2' RETURNING id"
check "UPDATE of T2's order" 0 && [ ! -s "$dir/out" ] || fail "the inspector changed T2's order: $(cat "$dir/out")"
raw "UPDATE order_files SET name = 'x' WHERE name = '$ord2.xlsx' RETURNING id"
check "UPDATE of T2's order file" 0 && [ ! -s "$dir/out" ] || fail "the inspector changed T2's order file: $(cat "$dir/out")"
[ "$(q "SELECT unit || ' ' || (SELECT name FROM order_files f WHERE f.order_id = o.id) FROM orders o WHERE order_no = '$ord2'")" = "县纪委 $ord2.xlsx" ] ||
    fail "T2's order was changed"
raw "UPDATE orders SET unit = '乡镇纪委' WHERE order_no = '$ord1' RETURNING order_no"
check "UPDATE of their own order" 0 && [ "$(cat "$dir/out")" = "$ord1" ] || fail "the inspector cannot change their order: $(cat "$dir/out")"
fwas orders list
check "orders list" 0 "$ord1"
grep -q "$ord2" "$dir/out" && fail "the inspector's orders list shows T2's order: $(cat "$dir/out")"
fwas orders show "$ord2"
check "orders show of T2's order" 5
grep -q "$oc2" "$dir/out" && fail "orders show of T2's order printed its case"
who=$sup fwas orders list
who=$sup check "orders list" 0 "$ord2" && grep -q "$ord1" "$dir/out" || fail "the supervisor's orders list: $(cat "$dir/out")"
echo "orders, order files and repair proposals: scoped (migration 17)"

# The trail names the role that logged in, and still verifies for the owner.
[ "$(q "SELECT \"user\" FROM trail WHERE object = 'case:' || (SELECT id FROM cases WHERE case_no = '$case1')
      AND action = 'case.note' AND after LIKE '%checked by $insp%'")" = "$insp" ] ||
    fail "the inspector's note is not recorded as $insp in the trail"
"$FW" --db "$admin" log verify >"$dir/out" 2>&1 || fail "log verify after the users' work: $(cat "$dir/out")"

# A rule that ignores regions, run by the inspector: hits of T1 only, as many as T1's payments
# give, and cases for them numbered after every case (not only those T1 sees).
mkdir "$dir/rules"
cat >"$dir/rules/all.ini" <<'EOF'
[TST-001]
name = 全部低保
name_en = every subsistence payment
description = a rule that reads every region, for tests/e2e/users_postgres.sh
basis = test
version = 1
example.hit.1 = payments: id_number=520102196001010022, name=李四, program=低保, amount=1, pay_date=2023-05-10
expect.hit = 520102196001010022
example.clean.1 = payments: id_number=520102196001010022, name=李四, program=五保, amount=1, pay_date=2023-05-10
category = statistical
severity = low
datasets = payments
select.1 = id_number AS subject
select.2 = id_number AS id_number
select.3 = sum(amount) AS amount
select.4 = min(pay_date) AS first_date
select.5 = max(pay_date) AS last_date
select.6 = ('every payment') AS detail
select.7 = NULL AS evidence
from = payments
where.1 = amount > 0
group_by = id_number
EOF
want=$(q "SELECT count(DISTINCT id_number) FROM ds_payments WHERE region_code LIKE '$t1%' AND amount > 0")
maxcase=$(q "SELECT max(id) FROM cases")
"$FW" --db "$(as "$insp")" run --rules "$dir/rules" --only TST-001 >"$dir/out" 2>&1 || fail "the inspector's run: $(tail -5 "$dir/out")"
grep -q 'could not be set up\|READ ONLY' "$dir/out" && fail "the inspector's rule did not run as the rule role: $(cat "$dir/out")"
got=$(q "SELECT count(*) FROM hits WHERE rule_id = 'TST-001'")
[ "$got" = "$want" ] || fail "the inspector's rule made $got hits, not T1's $want"
[ "$(q "SELECT count(*) FROM hits WHERE rule_id = 'TST-001' AND region_code NOT LIKE '$t1%'")" = 0 ] ||
    fail "the inspector's rule made hits of other regions"
[ "$(q "SELECT count(*) FROM ds_payments WHERE amount > 0")" -gt "$want" ] || fail "the rule would find nothing elsewhere: proves little"
[ "$(q "SELECT count(*) FROM cases WHERE id > $maxcase AND case_no <= (SELECT max(case_no) FROM cases WHERE id <= $maxcase)")" = 0 ] ||
    fail "the inspector's new cases reuse numbers"
[ "$(q "SELECT \"user\" FROM trail WHERE action = 'run' ORDER BY seq DESC LIMIT 1")" = "$insp" ] ||
    fail "the inspector's run is not recorded as $insp"

# A hit of the inspector's subject that the owner's run placed in another township (a person paid in
# T1, registered in T2): the inspector's next run leaves it alone instead of failing on its
# fingerprint, and stores the rest as before.
p=$(q "SELECT id_number FROM hits WHERE rule_id = 'TST-001' ORDER BY id LIMIT 1")
q "UPDATE hits SET region_code = '${t2}001' WHERE rule_id = 'TST-001' AND id_number = '$p'" >/dev/null
"$FW" --db "$(as "$insp")" run --rules "$dir/rules" --only TST-001 >"$dir/out" 2>&1 ||
    fail "the inspector's run with one of its subjects' hits placed in T2: $(tail -5 "$dir/out")"
[ "$(q "SELECT count(*) || ' ' || min(region_code) FROM hits WHERE rule_id = 'TST-001' AND id_number = '$p'")" = "1 ${t2}001" ] ||
    fail "the hit placed in T2 was changed by the inspector's run"
[ "$(q "SELECT count(*) FROM hits WHERE rule_id = 'TST-001' AND state = 'present'")" = "$want" ] ||
    fail "the inspector's second run: $(q "SELECT state, count(*) FROM hits WHERE rule_id = 'TST-001' GROUP BY 1")"

# The supervisor runs the whole catalogue over the county: rules that need rows of other counties
# find less there, but a scoped run marks no hit gone that the whole data still gives.
before=$(q "SELECT state || ':' || count(*) FROM hits GROUP BY state ORDER BY 1" | tr '\n' ' ')
"$FW" --db "$(as "$sup")" run >"$dir/out" 2>&1 || fail "the supervisor's run: $(tail -5 "$dir/out")"
grep -q ', 0 gone$' "$dir/out" || fail "the supervisor's run marked hits gone: $(tail -1 "$dir/out")"
after=$(q "SELECT state || ':' || count(*) FROM hits GROUP BY state ORDER BY 1" | tr '\n' ' ')
[ "$before" = "$after" ] || fail "the supervisor's run changed the hits' states: $before -> $after"

# DEC-004 (dead but still active) counts its 90 days back from the deaths registry's newest death,
# which a scoped user must read whole (migration 21's deaths_newest): before it, the inspector's run
# counted from the newest death of T1 and missed T1's dead. Planted: a T1 person still active dies
# on 2099-01-01, T1's newest death; a T2 person on 2099-04-11, 100 days later and unseen by the
# inspector. Last, so that no later check meets the planted rows.
# First the workspace is taken back to before migration 21, as one made by the previous version with
# its users already added: upgrading it must let them read the view (they got their grants before
# it existed, and the rule roles are only brought up to date by the owner's next run).
q "DELETE FROM fundwatch_schema WHERE version = 21; DROP VIEW deaths_newest" >/dev/null ||
    fail "cannot take the workspace back to schema 20"
"$FW" --db "$admin" init >"$dir/out" 2>&1 && grep -q "upgraded the workspace from schema 20 to 21" "$dir/out" ||
    fail "init did not upgrade from schema 20: $(cat "$dir/out")"
for g in "fw_inspector_$wsid" "fw_rules_$wsid" "fw_rules_all_$wsid"; do
    [ "$(q "SELECT has_table_privilege('$g', 'deaths_newest', 'SELECT')")" = t ] ||
        fail "after migration 21 on a workspace with users, $g may not read deaths_newest"
done
[ "$(q "SELECT has_table_privilege('fw_kiosk_$wsid', 'deaths_newest', 'SELECT')")" = f ] ||
    fail "migration 21 let the kiosk read deaths_newest, which may not read deaths"
who=$insp
other=$(q "SELECT id_number FROM ds_persons WHERE region_code LIKE '$t2%' AND id_number NOT IN ($t1ids) ORDER BY 1 LIMIT 1")
alive1=$(q "SELECT p.id_number FROM ds_persons p WHERE p.region_code LIKE '$t1%' AND COALESCE(p.status, '') NOT IN
            ('注销', '死亡', '退出', '迁出') AND p.id_number NOT IN (SELECT id_number FROM ds_deaths) ORDER BY 1 LIMIT 1")
[ -n "$alive1" ] && [ -n "$other" ] || fail "no active T1 person without a death, or no T2 person, to plant deaths for"
q "INSERT INTO ds_deaths (import_id, line, row_key, id_number, name, death_date)
   SELECT min(import_id), 900001, 'planted-t1', '$alive1', 't1', '2099-01-01' FROM ds_deaths
   UNION ALL SELECT min(import_id), 900002, 'planted-t2', '$other', 't2', '2099-04-11' FROM ds_deaths" >/dev/null ||
    fail "planting two deaths"
raw "SELECT death_date FROM deaths_newest"
check "SELECT the deaths registry's date" 0 && [ "$(cat "$dir/out")" = 2099-04-11 ] ||
    fail "the inspector reads the registry's newest death as $(cat "$dir/out"), not 2099-04-11"
raw "SELECT max(death_date) FROM deaths"
[ "$(cat "$dir/out")" = 2099-01-01 ] || fail "the inspector's newest own death is $(cat "$dir/out"), not the planted T1 one"
fwas run --only DEC-004
check "the inspector's run of DEC-004" 0
[ "$(q "SELECT count(*) FROM hits WHERE rule_id = 'DEC-004' AND id_number = '$alive1' AND state = 'present'")" = 1 ] ||
    fail "the inspector's DEC-004 missed a T1 person dead 100 days before the registry's newest death"
echo "DEC-004 scoped: counted from the registry's newest death"

# user remove: the user and the server's role go.
"$FW" --db "$admin" user remove "$aud" >"$dir/out" 2>&1 || fail "user remove: $(cat "$dir/out")"
[ "$(q "SELECT count(*) FROM pg_roles WHERE rolname = '$aud'")" = 0 ] || fail "the removed user's role is still there"
"$FW" --db "$admin" user remove "$aud" >"$dir/out" 2>&1
[ $? = 5 ] || fail "removing a user twice: $(cat "$dir/out")"
echo "PASS users_postgres"
