#!/usr/bin/env bash
# tui_hostile: a ledger name holding a terminal escape (ESC ] 0 ; pwned BEL, which sets the window
# title) is shown in the hit list as ^[]0;pwned^G (cut to its column), through the one function
# the CLI's tables use (fw_visible); the terminal obeys none of it (the pane's title stays), and
# the cell is measured as shown, so the ID column stays aligned.
. "$(dirname "$0")/../tui/lib.sh"
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here"
db="$TUI_TMP/ws.db"
"$FW" --db "$db" import payments "$here/tests/data/hostile/payments.csv" >/dev/null
"$FW" --db "$db" import deaths "$here/tests/data/hostile/deaths.csv" >/dev/null
"$FW" --db "$db" run --only DEC-001 >/dev/null 2>&1
tui_start "$db" -- hits
tui_wait "of 5"
tui_wait '^[]0;pwned^…'
title=$(tmux -L "$TUI_SOCK" display-message -p '#{pane_title}')
[ "$title" != pwned ] || fail "the escape in the data set the terminal's title"
# The name's cell is measured as shown: the ID numbers after the names stay in one column.
c1=$(tui_column_of '^[]0;pwned' "520102196010100011")
c2=$(tui_column_of "@SUM(A1)" "52010320000101001X")
[ -n "$c1" ] && [ "$c1" = "$c2" ] || fail "ID column not aligned after the escaped name: $c1 $c2"
tui_keys q
echo "tui_hostile: ok"
