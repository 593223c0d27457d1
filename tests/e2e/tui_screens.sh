#!/usr/bin/env bash
# tui_screens: the rules screen names each rule and its category on every row (not only on the
# first row of a category), with its last run's count; the hit list filtered with `all` shows a state
# column (present, gone, whitelisted) that the plain list does not; x on the case screen writes the
# case's workbook, as on the person screen.
# engines: sqlite postgresql
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
ws_sql "$db" "UPDATE hits SET state = 'gone' WHERE id = 2; UPDATE hits SET state = 'whitelisted' WHERE id = 3"
tui_start "$db"
tui_wait "Hits by category"

# Rules: every row has its name and category; DEC-002 (second of its category) included.
tui_keys 4
tui_wait "A run all"
tui_screen | grep -qE "^\[x\] +DEC-001 +Payment after death +deceased +1 +1 " || fail "DEC-001 row: $(tui_screen | grep DEC-001)"
tui_screen | grep -qE "^\[x\] +DEC-002 +Prolonged payment.* +deceased +0 +0 " || fail "DEC-002 row: $(tui_screen | grep DEC-002)"
tui_screen | grep -qE "^\[x\] +DUP-002 +.+ duplicate +0 +0 " || fail "DUP-002 row lacks its category: $(tui_screen | grep DUP-002)"
tui_screen | grep -qE "^\[x\] +DUP-001 +Same program paid twice.* duplicate +60 +60 " || fail "DUP-001 row: $(tui_screen | grep DUP-001)"

# Hit list: no state column by default; with `all` one, saying what each hit is.
tui_keys 2
tui_wait "of 61"
tui_screen | grep -q "State" && fail "a state column without all"
tui_keys f C-u
tui_type "all"
tui_keys Enter
tui_wait "of 63"
tui_screen | sed -n 2p | grep -q "State" || fail "no state column with all: $(tui_screen | sed -n 2p)"
tui_screen | grep -qE "^ +1 .* present " || fail "hit 1 not shown present"
tui_screen | grep -qE "^ +2 .* gone " || fail "hit 2 not shown gone"
tui_screen | grep -qE "^ +3 .* whitelisted " || fail "hit 3 not shown whitelisted"

# x on the case screen: the case workbook.
book="$TUI_TMP/case1.xlsx"
tui_keys : 
tui_type "case C2026-0001"
tui_keys Enter
tui_wait "History (audit trail)"
tui_keys x
tui_wait "Export to (.xlsx): ./fundwatch-case-"
tui_keys C-u
tui_type "$book"
tui_keys Enter
tui_wait "Exported"
[ -s "$book" ] || fail "no workbook written from the case screen"
/usr/bin/python3 -c '
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
text = " ".join(str(c) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for c in r if c is not None)
assert "C2026-0001" in text, "the case number is not in the workbook"
' "$book" || fail "the case workbook does not hold the case"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
