#!/usr/bin/env bash
# concur_run.sh: a rule run by one user and case work by another at the same time on PostgreSQL
# (issue 13). A county of 1,000 persons is imported and run once (cases made); a second
# `fundwatch run` starts (the owner's), and while its run is `running` another process, another user
# (an inspector of the case's county, logged in as their own role), moves a case to verifying and
# adds a note to it. Both succeed (exit 0) without waiting for the run to end (the
# run is still running when they are done), the run completes, the case shows the change and the
# note, the trail holds both records and verifies. Needs FUNDWATCH_TEST_PG and psql (pg.inc).
set -eu
dir=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$(dirname "$0")/pg.inc"
pg_needed
schema="fw_e2e_concur_run_$$"
runpid=
wang="fwt_wang_$$"
trap '[ -n "$runpid" ] && kill "$runpid" 2>/dev/null; pg_drop_workspace $schema $wang; rm -rf "$dir"' EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
q() { PGOPTIONS="-c search_path=$schema" psql "$FUNDWATCH_TEST_PG" -qAt -c "$1"; }

"$FW" gen "$dir/county" --persons 1000 >/dev/null || fail "gen"
for f in "$dir"/county/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$pg" import "$ds" "$f" >/dev/null 2>"$dir/err" || fail "import $ds: $(cat "$dir/err")"
done
"$FW" --db "$pg" run >/dev/null 2>"$dir/err" || fail "first run: $(cat "$dir/err")"
case_no=$(q "SELECT case_no FROM cases WHERE status = 'new' ORDER BY id LIMIT 1")
[ -n "$case_no" ] || fail "the first run made no case"
pg_user_add "$pg" "$wang" inspector "$(q "SELECT substr(region_code, 1, 6) FROM cases WHERE case_no = '$case_no'")"

trail_before=$(q "SELECT max(seq) FROM trail")
"$FW" --db "$pg" run >"$dir/run.out" 2>"$dir/run.err" &
runpid=$!
i=0
until [ "$(q "SELECT count(*) FROM runs WHERE status = 'running'")" = 1 ]; do
    i=$((i + 1)); [ $i -lt 200 ] || fail "the second run never showed as running"
    kill -0 "$runpid" 2>/dev/null || fail "the second run ended before it was seen running"
    sleep 0.02
done
"$FW" --db "$(pg_as "$pg" "$wang")" case set "$case_no" verifying --method visit --verifier 王核查 >/dev/null 2>"$dir/err" ||
    fail "the status change during the run failed: $(cat "$dir/err")"
"$FW" --db "$(pg_as "$pg" "$wang")" case note "$case_no" "运行期间的记录" >/dev/null 2>"$dir/err" ||
    fail "the note during the run failed: $(cat "$dir/err")"
[ "$(q "SELECT count(*) FROM runs WHERE status = 'running'")" = 1 ] ||
    fail "the run had ended before the case work was done: nothing ran at the same time"
wait "$runpid" || fail "the run failed: $(cat "$dir/run.err")"
runpid=
[ "$(q "SELECT status FROM runs ORDER BY id DESC LIMIT 1")" = complete ] || fail "the second run is not complete"
[ "$(q "SELECT status FROM cases WHERE case_no = '$case_no'")" = verifying ] || fail "the status change was lost"
[ "$(q "SELECT count(*) FROM case_notes n JOIN cases c ON c.id = n.case_id WHERE c.case_no = '$case_no' AND n.text = '运行期间的记录'")" = 1 ] ||
    fail "the note was lost"
# The trail names the role that logged in (session_user, docs/users.md): the inspector's.
[ "$(q "SELECT count(*) FROM trail WHERE \"user\" = '$wang' AND action IN ('case.status', 'case.note')
        AND seq > $trail_before")" = 2 ] ||
    fail "the trail lacks the two records: $(q "SELECT action FROM trail WHERE seq > $trail_before")"
"$FW" --db "$pg" log verify >"$dir/out" 2>&1 || fail "log verify: $(cat "$dir/out")"
grep -q "audit trail OK" "$dir/out" || fail "log verify: $(cat "$dir/out")"
echo ok
