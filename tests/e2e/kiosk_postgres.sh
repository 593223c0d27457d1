#!/usr/bin/env bash
# kiosk_postgres: the citizen kiosk on PostgreSQL (docs/kiosk.md). Migration 8 makes the NOLOGIN
# group role fw_kiosk_<workspace id>; a login in it (made here with psql, as `fundwatch user add NAME
# --role kiosk` will) can SELECT no table or view (permission denied on the ledger, the trail, the
# settings, the reports), cannot call the trail writer, but the kiosk works through the two SECURITY
# DEFINER functions: lookup with the masked name, the wrong check digit refused, the server's rate
# limit (a client asking for more than the setting still gets the setting), a report that becomes a
# CIT-001 hit; the trail appended in plpgsql still verifies (`fundwatch log verify`), and the trail
# records the login (session_user), not a name the client typed; kiosk appends and a fundwatch's at
# the same moment neither deadlock nor break the chain; a kiosk whose connection was killed reconnects. The kiosk screen itself runs in
# tmux as that login. Needs FUNDWATCH_TEST_PG (docs/store.md).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
set -u
fail() { echo "FAIL: $*" >&2; [ -n "${sock:-}" ] && tmux -L "$sock" capture-pane -p >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester} LC_ALL=${LC_ALL:-C.UTF-8}
dir=$(mktemp -d)
schema="fw_e2e_kiosk_$$"
login="fw_e2e_k1_$$"
sock="fwkiosk$$"
cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null
    pg_drop_workspace "$schema" "$login"
    rm -rf "$dir"
}
trap cleanup EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
"$FW" gen "$dir/g" --seed 1 --persons 1000 >/dev/null || fail gen
for n in persons payments; do "$FW" --db "$pg" import "$n" "$dir/g/$n.csv" >/dev/null || fail "import $n"; done
q() { psql "$pg" -XAtqc "$1"; }
wid=$(q "SELECT value FROM settings WHERE key = 'workspace.id'")
role="fw_kiosk_$wid"
[ "$(q "SELECT rolcanlogin::text FROM pg_roles WHERE rolname = '$role'")" = false ] || fail "no NOLOGIN role $role"
[ "$(q "SELECT has_function_privilege('public', 'fw_kiosk_lookup(text, text, integer)', 'EXECUTE')")" = f ] \
    || fail "PUBLIC may execute the lookup"
psql "$FUNDWATCH_TEST_PG" -qc "CREATE ROLE $login LOGIN PASSWORD 'kiosk-pw' IN ROLE $role" >/dev/null || fail "create login"
k1="$FUNDWATCH_TEST_PG user=$login password=kiosk-pw options='-c search_path=$schema'"
kq() { PGPASSWORD= psql "$k1" -XAtq -v ON_ERROR_STOP=1 -c "$1" 2>&1; }

read -r id name < <(q "SELECT id_number || ' ' || max(name) FROM ds_payments GROUP BY id_number ORDER BY id_number LIMIT 1")
masked=$(python3 -c 'import sys; n=sys.argv[1]; print(n[0] + "*" * max(len(n) - 1, 1))' "$name")
n24=$(q "SELECT count(*) FROM ds_payments WHERE id_number = '$id'")

# No table, view or trail function for the kiosk login.
for t in ds_payments ds_persons payments persons trail settings citizen_reports reports cases hits fundwatch_schema; do
    out=$(kq "SELECT count(*) FROM $t")
    echo "$out" | grep -q "permission denied" || fail "$login could read $t: $out"
done
# ... and no privilege on any table, view or sequence of the workspace, nor any function but the two.
n=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = '$schema'
       AND c.relkind IN ('r', 'v', 'm', 'S', 'p') AND (has_table_privilege('$login', c.oid, 'SELECT, INSERT, UPDATE, DELETE')
       OR (c.relkind = 'S' AND has_sequence_privilege('$login', c.oid, 'USAGE, SELECT, UPDATE')))")
[ "$n" = 0 ] || fail "$login has privileges on $n tables, views or sequences"
fns=$(q "SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
         WHERE s.nspname = '$schema' AND has_function_privilege('$login', p.oid, 'EXECUTE') AND p.proname LIKE 'fw_kiosk%'")
[ "$fns" = "fw_kiosk_lookup,fw_kiosk_report" ] || fail "$login may execute: $fns"
out=$(kq "INSERT INTO citizen_reports(payment_key, id_number, reported_at, kiosk, reported_by) VALUES ('x', 'y', 'z', 'k', 'u')")
echo "$out" | grep -q "permission denied" || fail "$login could insert a report: $out"
out=$(kq "SELECT fw_kiosk_trail('kiosk.lookup', 'kiosk:forged', '{}')")
echo "$out" | grep -q "permission denied" || fail "$login could write the trail: $out"

# The functions work for it: the person's payments, name masked, nothing else.
out=$(kq "SELECT status, name, count(*) FROM fw_kiosk_lookup('$id', 'psql') GROUP BY 1, 2")
[ "$out" = "ok|$masked|$n24" ] || fail "lookup as $login: '$out' (want ok|$masked|$n24)"
bad=${id:0:17}$(( (${id:17:1} + 1) % 10 ))
[ "$(kq "SELECT status FROM fw_kiosk_lookup('$bad', 'psql')")" = bad_id ] || fail "a wrong check digit was looked up"
[ "$(q "SELECT \"user\" FROM trail WHERE action = 'kiosk.lookup' ORDER BY seq DESC LIMIT 1")" = "$login" ] \
    || fail "the trail does not record the login"
q "SELECT after FROM trail WHERE action LIKE 'kiosk.%'" | grep -q "$id" && fail "the trail holds the ID in clear"
"$FW" --db "$pg" log verify >/dev/null || fail "log verify after plpgsql appends: $("$FW" --db "$pg" log verify 2>&1)"

# The screen as the kiosk login: lookup and report.
printf '#!/bin/sh\nenv LC_ALL=C.UTF-8 TERM=xterm-256color PGPASSWORD= %q --db %q kiosk --kiosk V1 --rate 100\necho $? >%q\n' \
    "$FW" "$k1" "$dir/rc" >"$dir/run.sh"
chmod +x "$dir/run.sh"
tmux -L "$sock" -f /dev/null new-session -d -x 80 -y 24 "$dir/run.sh; sleep 60"
wait_for() {
    for _ in $(seq 200); do tmux -L "$sock" capture-pane -p | grep -qF -- "$1" && return 0; sleep 0.05; done
    fail "timed out waiting for: $1"
}
wait_for "请输入18位身份证号码"
tmux -L "$sock" send-keys -l "$id"; tmux -L "$sock" send-keys Enter
wait_for "姓名：$masked"
tmux -L "$sock" send-keys Enter; wait_for "您确认“这笔钱我没有收到”吗"
tmux -L "$sock" send-keys Enter; wait_for "已记录您的反映（编号 1）"
[ "$(q "SELECT kiosk || '|' || reported_by || '|' || id_number FROM citizen_reports")" = "V1|$login|$id" ] \
    || fail "the report row: $(q "SELECT * FROM citizen_reports")"

# The server restarts under a running kiosk (its connection killed): the next lookup reconnects.
[ "$(q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '$login'")" = 1 ] || fail "the kiosk's connection was not there to kill"
tmux -L "$sock" send-keys Escape
tmux -L "$sock" send-keys -l "$id"; tmux -L "$sock" send-keys Enter
wait_for "姓名：$masked"

# The server's rate limit: the setting (10) holds even when the client asks for 1000.
used=$(q "SELECT count(*) FROM trail WHERE action = 'kiosk.lookup' AND \"user\" = '$login' \
          AND at > to_char((now() - interval '50 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
for i in $(seq $((10 - used))); do
    [ "$(kq "SELECT DISTINCT status FROM fw_kiosk_lookup('$id', 'psql', 1000)")" = ok ] || fail "lookup $i refused early"
done
[ "$(kq "SELECT status FROM fw_kiosk_lookup('$id', 'psql', 1000)")" = rate ] || fail "the 11th lookup of the minute was answered"
[ "$(kq "SELECT status FROM fw_kiosk_lookup('$id', 'other-kiosk-name', 1000)")" = rate ] \
    || fail "another kiosk name got round the limit"
[ "$(q "SELECT count(*) FROM trail WHERE action = 'kiosk.refused' AND after LIKE '%\"rate\"%'")" = 2 ] \
    || fail "the refusals are not in the trail"

# Appends at the same time: three kiosk clients (as the owner, with the setting raised so that the
# limit does not stop them) and a fundwatch changing a rule setting (a C append) must all succeed,
# each record chained once: no deadlock, no duplicate sequence number, `log verify` OK.
q "INSERT INTO settings(key, value) VALUES ('kiosk.rate', '100000')" || fail "setting kiosk.rate"
before=$(q "SELECT count(*) FROM trail")
for c in 1 2 3; do
    (for i in $(seq 20); do psql "$pg" -XAtqc "SELECT count(*) FROM fw_kiosk_lookup('$id', 'load$c')" || echo ERR; done \
        >"$dir/load$c.out" 2>&1) &
done
(for i in $(seq 10); do "$FW" --db "$pg" rules set DEC-001 param.grace_months $((i % 3)) >/dev/null || echo ERR; done \
    >"$dir/loadc.out") &
wait
! grep -q "ERR\|ERROR\|deadlock" "$dir"/load*.out || fail "a concurrent append failed: $(grep -h "ERR\|ERROR" "$dir"/load*.out | head -3)"
added=$(($(q "SELECT count(*) FROM trail") - before))
[ "$added" -ge 60 ] || fail "only $added records for 60 kiosk lookups and the setting changes"
out=$("$FW" --db "$pg" log verify 2>&1) || fail "log verify after concurrent appends: $out"
q "DELETE FROM settings WHERE key = 'kiosk.rate'"

# The inspectors' side, as the owner: the report is a CIT-001 hit; the trail verifies.
"$FW" --db "$pg" run --only CIT-001 >/dev/null 2>&1 || fail "run CIT-001: $("$FW" --db "$pg" run --only CIT-001 2>&1 | tail -3)"
"$FW" --db "$pg" --format csv hits --rule CIT-001 | grep -q "CIT-001,citizen_report,high,present,$id," \
    || fail "no CIT-001 hit on PostgreSQL"
out=$("$FW" --db "$pg" log verify 2>&1) || fail "log verify: $out"
echo "$out" | grep -q "audit trail OK" || fail "log verify: $out"
echo ok
