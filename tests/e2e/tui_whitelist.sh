#!/usr/bin/env bash
# tui_whitelist: the whitelist from the TUI. w on a hit asks only the reason and the last day (the
# hit's person and rule are filled in); an impossible date and a day in the past are refused with
# their reason while the typed text stays for correcting; the entry is then in the engine's list.
# w on a person asks the rule: a malformed id and an unknown rule are refused, a lower-case one is
# taken upper-cased; a hit whose ID number fails its check is refused before anything is asked. W lists both; d removes one after y. With `case review on` an entry added by
# alice is pending, alice cannot review it, bob approves it; an entry carol adds from the command line
# shows up on bob's open screen, marked; the trail records it all and verifies.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
sql() { sqlite3 "$db" "$1"; }
tui_start "$db" FUNDWATCH_USER=alice
tui_wait "Hits by category"
tui_keys 2
tui_wait "of 63"
tui_row 1 | grep -q "DEC-001 *张三" || fail "the first hit is not 张三's DEC-001: $(tui_row 1)"

# From the hit: reason, then the last day, checked as it is typed.
tui_keys w
tui_wait "Whitelist: reason"
tui_keys Enter
tui_wait "needs a reason"
tui_type "家属已退回多领资金"
tui_keys Enter
tui_wait "Whitelist: last day"
tui_type "2031-02-30"
tui_keys Enter
tui_wait "is not a date"
tui_screen | grep -q "last day (YYYY-MM-DD, empty = until removed): 2031-02-30" || fail "the bad date was not kept for correcting"
tui_keys C-u
tui_type "2001-01-01"
tui_keys Enter
tui_wait "in the past"
tui_keys C-u
tui_type "2031-03-01"
tui_keys Enter
tui_wait "Whitelist entry 1 added (DEC-001 520102195503120016)"
[ "$(sql "SELECT id_number || ' ' || rule_id || ' ' || reason || ' ' || until FROM whitelist")" = \
  "520102195503120016 DEC-001 家属已退回多领资金 2031-03-01" ] || fail "entry 1 as stored: $(sql 'SELECT * FROM whitelist')"

# From a person: the rule is asked and checked. A hit's person whose ID number fails its check
# character is refused at once, with the reason, and the form waits for a corrected one.
tui_keys Enter
tui_wait "Registry record"
tui_keys w
tui_wait "Whitelist: rule"
tui_type "VEH 001"
tui_keys Enter
tui_wait "is not a rule id"
tui_keys C-u
tui_type "XYZ-009"
tui_keys Enter
tui_wait "neither in the rule files nor in a run"
tui_keys C-u
tui_type "veh-001"
tui_keys Enter
tui_wait "Whitelist: reason"
tui_type "残疾人代步车"
tui_keys Enter
tui_wait "Whitelist: last day"
tui_keys Enter
tui_wait "Whitelist entry 2 added (VEH-001 520102195503120016)"
tui_keys q
tui_wait "of 63"
tui_keys Down w
tui_wait "check character"
tui_screen | grep -q "Whitelist: ID number: 520102196805050031" || fail "the refused ID number is not offered for correcting"
tui_keys Escape
tui_wait "Cancelled"

# The list: both entries, active; d removes entry 2 after y (n keeps it).
tui_keys W
tui_wait "2 entries"
tui_screen | grep -q "1 *active *520102195503120016 *DEC-001 *2031-03-01 *家属已退回多领资金" || fail "entry 1 not listed"
tui_screen | grep -q "2 *active *520102195503120016 *VEH-001 *- *残疾人代步车" || fail "entry 2 not listed"
tui_keys Down d
tui_wait "Remove entry 2 (VEH-001"
tui_type n
tui_keys Enter
tui_wait "Entry 2 kept."
tui_keys d
tui_wait "Remove entry 2"
tui_type y
tui_keys Enter
tui_wait "Entry 2 removed"
tui_screen | grep -q "VEH-001" && fail "the removed entry is still listed among those in force"
tui_keys Tab
tui_wait "2 entries (all)"
tui_screen | grep -q "2 *removed" || fail "the removed entry is not shown as removed"
[ "$(sql "SELECT removed_by FROM whitelist WHERE id = 2")" = alice ] || fail "entry 2 not removed by alice"

# Second reviewer: with review on, alice's new entry is pending and hers to review is refused.
"$FW" --db "$db" case review on >/dev/null
tui_keys a
tui_wait "Whitelist: ID number"
tui_type "11010519491231002Y"
tui_keys Enter
tui_wait "not a valid resident ID number"
tui_keys C-u
tui_type "11010519491231002x"
tui_keys Enter
tui_wait "Whitelist: rule"
tui_type "VEH-001"
tui_keys Enter
tui_wait "Whitelist: reason"
tui_type "同名不同人"
tui_keys Enter
tui_wait "Whitelist: last day"
tui_keys Enter
tui_wait "awaits a second user's review"
tui_screen | grep -q "3 *pending *11010519491231002X *VEH-001" || fail "entry 3 is not pending"
tui_keys G A
tui_wait "was added by you (alice)"
[ "$(sql "SELECT count(*) FROM whitelist_active WHERE id = 3")" = 0 ] || fail "a pending entry is in force"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"

tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
rm -f "$TUI_RC"
tui_start "$db" FUNDWATCH_USER=bob -- whitelist
tui_wait "pending review"
tui_keys G A
tui_wait "Review: a approve, r reject"
tui_type a
tui_keys Enter
tui_wait "Entry 3 approved by bob"
tui_keys k
tui_wait "0 pending review"
[ "$(sql "SELECT count(*) FROM whitelist_active WHERE id = 3")" = 1 ] || fail "the approved entry is not in force"
# an entry added by another user from the command line shows up by itself, marked until the cursor
# is on it
"$FW" --db "$db" --user carol whitelist add 11010519491231002X DEC-001 --reason "另一位审核人添加" >/dev/null ||
    fail "carol could not add an entry"
tui_wait "1 whitelist entry changed by others" 5
tui_screen | grep -q "^ *\*4 *pending *11010519491231002X *DEC-001" || fail "entry 4 not shown marked: $(tui_screen)"
tui_keys G
tui_wait "1 pending review"
tui_screen | grep -q "^ *4 *pending" || fail "the mark stayed after the cursor came: $(tui_screen)"
tui_keys Q
"$FW" --db "$db" log --format csv | grep -q "bob,whitelist.approve,whitelist:3" || fail "no trail record of bob's approval"
"$FW" --db "$db" log verify >/dev/null || fail "log verify failed after the whitelist changes"
echo ok
