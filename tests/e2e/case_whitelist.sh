# case_whitelist.sh: `fundwatch whitelist add/list/remove`: input checked with clear errors and
# nothing written; entries listed with their state (active, expired, removed); expired entries no
# longer suppress (the whitelist_active view the engine reads); every change in the audit trail.
# engines: sqlite postgresql
. "$(dirname "$0")/case_seed.inc"
"$FW" init >/dev/null

expect_exit 3 "$FW" whitelist add 520102195503120017 DEC-001 --reason "x"
expect_err "check character"
expect_exit 3 "$FW" whitelist add 520102195503120016 DEC-001 --reason " "
expect_err reason
expect_exit 2 "$FW" whitelist add 520102195503120016 DEC-001
expect_err "needs --reason"
expect_exit 3 "$FW" whitelist add 520102195503120016 DEC-001 --reason x --until 2026-13-01
expect_exit 3 "$FW" whitelist add 520102195503120016 DEC-001 --reason x --until 2001-01-01
expect_err "in the past"
[ "$(sql 'SELECT count(*) FROM whitelist') $(sql "SELECT count(*) FROM trail WHERE action <> 'trail.start'")" = "0 0" ] || fail "bad input wrote"

expect_exit 0 "$FW" whitelist add 520102195503120016 dec-001 --reason "丧葬补助, 政策允许" --until 2099-12-31
expect_out "entry 1 added"
expect_exit 0 "$FW" whitelist add 11010519491231002x VEH-001 --reason "残疾人代步车"
expect_exit 0 "$FW" whitelist list --format csv
expect_out "1,520102195503120016,DEC-001"
expect_out "2,11010519491231002X,VEH-001"
[ "$(sql 'SELECT count(*) FROM whitelist_active')" -eq 2 ] || fail "both should be in force"

# Expiry: an entry whose last day has passed (as if written long ago) stops suppressing.
sql "UPDATE whitelist SET until = '2020-06-30' WHERE id = 1"
[ "$(sql 'SELECT rule_id FROM whitelist_active')" = VEH-001 ] || fail "expired entry still active"
expect_exit 0 "$FW" whitelist list
grep -q DEC-001 "$dir/out" && fail "an expired entry is listed as active"
expect_exit 0 "$FW" whitelist list --all --format json
/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["state"] for x in r]==["expired","active"], r' "$dir/out" \
    || fail "states in whitelist list --all"

expect_exit 0 "$FW" --user bob whitelist remove 2
expect_exit 6 "$FW" whitelist remove 2
expect_err "already removed"
expect_exit 5 "$FW" whitelist remove 9
expect_exit 2 "$FW" whitelist remove two
[ "$(sql 'SELECT count(*) FROM whitelist_active')" -eq 0 ] || fail "removed entry still active"
[ "$(sql 'SELECT count(*) FROM whitelist')" -eq 2 ] || fail "removal must keep the row"

expect_exit 0 "$FW" log --format csv
expect_out "whitelist.add,whitelist:1"
expect_out "$(ws_trail_user "$db" bob),whitelist.remove,whitelist:2"
expect_exit 0 "$FW" log verify
expect_out "OK: 4 records" # trail.start and three changes

# Second reviewer: with `case review on` a new entry waits; its author cannot approve it, another
# user can, and only then does it suppress.
expect_exit 0 "$FW" case review on
expect_exit 0 "$FW" --user alice whitelist add 11010519491231002X DEC-001 --reason "待复核"
expect_out "awaits approval by a second user"
[ "$(sql "SELECT count(*) FROM whitelist_active WHERE id = 3")" -eq 0 ] || fail "a pending entry is in force"
expect_exit 0 "$FW" whitelist list --format csv
expect_out "pending"
expect_exit 6 "$FW" --user alice whitelist approve 3
expect_err "second user"
expect_exit 0 "$FW" --user bob whitelist approve 3
expect_out "approved by bob"
[ "$(sql "SELECT count(*) FROM whitelist_active WHERE id = 3")" -eq 1 ] || fail "the approved entry is not in force"
expect_exit 6 "$FW" --user bob whitelist approve 3
expect_exit 0 "$FW" log verify
echo ok
