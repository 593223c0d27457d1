#!/usr/bin/env bash
# tui_browse: the main path through the TUI on the fixture workspace: overview figures equal
# `fundwatch overview --format csv`; the hit list aligns CJK names, narrows by search and filter;
# Enter shows the planted evidence (death date, implicated payments); Enter on a household member
# opens that person; resize redraws; ? shows the help generated from the key table; q quits, exit 0.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
csv=$("$FW" --db "$db" --format csv overview)
tui_start "$db"
tui_wait "Hits by category"

# Every category and severity figure of the CLI listing is on the overview screen with its count and
# money (the screen as shown, plus the screen after G scrolled to the end).
top=$(tui_screen)
tui_keys G
tui_wait "Clusters by program and month"
screens="$top
$(tui_screen)"
tui_keys g
n=0
while IFS=, read -r section item count amount _rest; do
    case $section in category|severity) ;; *) continue ;; esac
    yuan=$(printf '%d.%02d' $((amount / 100)) $((amount % 100)) | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta')
    printf '%s\n' "$screens" | grep -E "^  $item +$count +¥$yuan" >/dev/null || fail "overview lacks $section $item $count ¥$yuan"
    n=$((n + 1))
done < <(printf '%s\n' "$csv" | tr -d '\r')
[ "$n" -ge 7 ] || fail "expected at least 7 category/severity rows in the CLI overview, got $n"
printf '%s\n' "$screens" | grep -qE "payments +12 +¥5,100.00 +2 rejected" || fail "payments dataset figures"

# Hit list: CJK names of different widths keep the ID number column aligned.
tui_keys 2
tui_wait "of 63"
c1=$(tui_column_of "张三" "520102195503120016")
c2=$(tui_column_of "欧阳·买买提" "652101198001010012")
c3=$(tui_column_of "测试01" "520102199000000001")
[ -n "$c1" ] && [ "$c1" = "$c2" ] && [ "$c1" = "$c3" ] || fail "ID column not aligned: $c1 $c2 $c3"

# Search narrows as one types.
tui_keys /
tui_type "欧阳"
tui_wait_gone "测试01"
tui_screen | grep -q "欧阳·买买提" || fail "search lost the match"
tui_keys Enter
tui_wait "1 of 1"
tui_keys BSpace
tui_wait "Filter and search cleared."
tui_wait "测试01"

# Filter by rule.
tui_keys f
tui_type "rule=DEC-001"
tui_keys Enter
tui_wait "1 of 1"
tui_screen | grep -q "rule=DEC-001" || fail "status line does not show the filter"

# Drill down: the death date and the implicated payments.
tui_keys Enter
tui_wait "Registry evidence"
tui_screen | grep -q "death_date 2023-03-10" || fail "person view lacks the death record"
[ "$(tui_screen | grep -c '^! 2023-0[456]-10')" = 3 ] || fail "expected 3 implicated payments"
tui_screen | grep -q "6 payments, 3 implicated" || fail "status line counts"

# Jump to the household member 李四 (Enter on a › line).
tui_keys /
tui_type "李四"
tui_keys Enter
tui_keys Enter
tui_wait "Person 李四"
tui_screen | grep -q "6222000099998888: 王五" || fail "shared account evidence for 李四"
tui_keys q
tui_wait "Person 张三"

# Resize redraws: the key bar stays on the last line.
tmux -L "$TUI_SOCK" resize-window -x 80 -y 24
tui_wait "Registry record"
last=$(tui_screen | sed -n 24p)
case $last in *Help*) ;; *) fail "key bar not on line 24 after resize: $last" ;; esac

# Help from the key table.
tui_keys ?
tui_wait "Keys everywhere"
tui_screen | grep -q "Open the selected line" || fail "help lacks the Enter binding"
tui_keys q q q
tui_wait "Hits by category"
tui_keys q
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
echo ok
