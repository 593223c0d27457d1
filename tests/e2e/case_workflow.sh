# case_workflow.sh: a case walked through the whole workflow with the CLI: list and filters, show
# (text and JSON), verify, verdict, rectification with amounts in yuan, closing, assignment and
# overdue, notes, the second-reviewer rule with two users, --expect-version conflicts, and the
# history of every step in `fundwatch log`.
# engines: sqlite postgresql
. "$(dirname "$0")/case_seed.inc"
seed_cases

expect_exit 0 "$FW" case list
expect_out FW-2026-000001
expect_out 张三
[ "$(grep -c FW-2026 "$dir/out")" -eq 2 ] || fail "list should show both cases"
expect_exit 0 "$FW" case list --status new --search 李四
[ "$(grep -c FW-2026 "$dir/out")" -eq 1 ] || fail "search should narrow to one case"

# Verify, confirm, rectify, close.
expect_exit 0 "$FW" --user 王五 case set FW-2026-000001 verifying --method visit --verifier "民政局 王五"
expect_out "new -> verifying"
expect_exit 0 "$FW" case set 1 confirmed --note "9 months paid after death, confirmed with the family"
expect_exit 0 "$FW" case set 1 rectifying --measures stop_payment,recover_funds --to-recover 3,240.00
expect_exit 0 "$FW" case set 1 closed --recovered "¥3240" --note 已全额追回
expect_out "rectifying -> closed"
[ "$(sql "SELECT status, to_recover, recovered, verify_method, verifier FROM cases WHERE id = 1")" = \
  "closed|324000|324000|visit|民政局 王五" ] || fail "fields not stored: $(sql 'SELECT * FROM cases WHERE id = 1')"

expect_exit 0 "$FW" case show FW-2026-000001
expect_out "closed 已办结"
expect_out "stop_payment,recover_funds"
expect_out "3240.00"
expect_out "paid 9 periods after death"
expect_out "amount  *360.00"
# The history, one line per change in words: yuan, never fen (recovered: 0 -> 324000 was a bug).
expect_out "status rectifying → closed; recovered ¥0.00 → ¥3,240.00"
expect_out "to recover ¥0.00 → ¥3,240.00"
grep -q 324000 "$dir/out" && fail "case show prints fen"
expect_exit 0 "$FW" --format json case show 1
/usr/bin/python3 - "$dir/out" <<'PY' || fail "case show --format json is not the expected JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["case"]["status"] == "closed" and d["case"]["recovered"] == 3240.00, d["case"]
assert d["case"]["amount"] == 360.00 and d["case"]["to_recover"] == 3240.00, d["case"]
assert [h["rule_id"] for h in d["hits"]] == ["DEC-001"] and d["hits"][0]["amount"] == 360.00, d["hits"]
assert [h["action"] for h in d["history"]] == ["case.status"] * 4, d["history"]
assert json.loads(d["history"][3]["after"])["recovered"] == 3240.00, d["history"][3]
assert d["history"][3]["what"].startswith("status rectifying → closed"), d["history"][3]
PY
grep -q '"recovered":3240.00' "$dir/out" || fail "JSON money is not written with two decimals"

# Assignment with a deadline; overdue listing.
expect_exit 0 "$FW" case assign 2 县民政局 --due 2020-01-31
expect_exit 0 "$FW" case list --overdue --format csv
expect_out "FW-2026-000002"
grep -q FW-2026-000001 "$dir/out" && fail "a closed case is never overdue"
expect_exit 0 "$FW" case list --assignee 县民政局 --format json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert len(r)==1 and r[0]["overdue"]==1, r' "$dir/out" \
    || fail "assignee filter"
expect_exit 0 "$FW" case note 2 "村委会说车已卖掉"
expect_exit 0 "$FW" case show 2
expect_out 村委会说车已卖掉

# Second reviewer.
expect_exit 0 "$FW" case review on
expect_exit 0 "$FW" --user alice case set 2 verifying --method online --verifier alice
expect_exit 0 "$FW" --user alice case set 2 dismissed --reason other --reason-text "车辆已于2022年过户"
expect_out "awaits approval"
[ "$(sql "SELECT status, pending_status FROM cases WHERE id = 2")" = "verifying|dismissed" ] || fail "not pending"
expect_exit 0 "$FW" case list --status pending_review
expect_out FW-2026-000002
expect_exit 6 "$FW" --user alice case approve 2
expect_err "different user"
expect_exit 0 "$FW" --user bob case approve FW-2026-000002
[ "$(sql "SELECT status, reviewed_by, dismiss_text FROM cases WHERE id = 2")" = "dismissed|bob|车辆已于2022年过户" ] \
    || fail "approval not applied"

# Optimistic concurrency from the command line: a stale version is refused, nothing written.
v=$(sql "SELECT version FROM cases WHERE id = 2")
expect_exit 0 "$FW" --user carol case assign 2 乡镇纪委 --expect-version "$v"
n=$(sql "SELECT count(*) FROM trail")
expect_exit 6 "$FW" --user dave case assign 2 县纪委 --expect-version "$v"
expect_err "was changed meanwhile by carol at "
# when, in local time as the screens show it (minute), not the stored UTC
grep -Eq "changed meanwhile by carol at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}; reload it and try again: nothing was written" "$dir/err" ||
    fail "the refusal does not say when in local time: $(cat "$dir/err")"
expect_err reload
[ "$(sql "SELECT count(*) FROM trail")" -eq "$n" ] || fail "a refused change wrote a trail record"
[ "$(sql "SELECT assignee FROM cases WHERE id = 2")" = 乡镇纪委 ] || fail "carol's change lost"

# Every step is in the log, with who did it.
expect_exit 0 "$FW" log --case 2 --format csv
for a in case.assign case.note setting case.status case.review_requested case.approve; do
    [ "$a" = setting ] && continue
    expect_out "$a"
done
expect_out bob
expect_exit 0 "$FW" log --format json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert any(x["action"]=="setting" and x["object"]=="setting:review.second" for x in r)' "$dir/out" \
    || fail "the settings change is not in the log"
expect_exit 0 "$FW" log verify
expect_out "audit trail OK: $(sql 'SELECT count(*) FROM trail') records"
echo ok
