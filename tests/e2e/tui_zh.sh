#!/usr/bin/env bash
# tui_zh: the Chinese UI (LANGUAGE=zh_CN with LC_ALL=C.UTF-8), the ID mask toggle saved in the
# workspace settings, and a key rebound in config.ini ([keys] sort = o) showing in the help.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
export XDG_CONFIG_HOME="$TUI_TMP/config"
mkdir -p "$XDG_CONFIG_HOME/fundwatch"
printf '[keys]\nsort = o\n' >"$XDG_CONFIG_HOME/fundwatch/config.ini"

tui_start "$db" LANGUAGE=zh_CN XDG_CONFIG_HOME="$XDG_CONFIG_HOME"
tui_wait "疑点按类别"
tui_screen | grep -qE "死亡人员 +1 +¥1,080.00" || fail "category not translated with its figures"
tui_keys 2
tui_wait "共 63 条"
tui_screen | grep -q "身份证号" || fail "column titles not translated"
tui_screen | grep -q "核查中" || fail "case status not translated"

# The rebound key sorts; the old one no longer does.
tui_keys o
tui_wait "按 规则 ↑ 排序"
tui_keys m
tui_wait "身份证号已遮蔽"
tui_screen | grep -q "520102\*\*\*\*\*\*\*\*0016" || fail "ID not masked"
tui_screen | grep -q "520102195503120016" && fail "full ID still shown"
tui_keys ?
tui_wait "全局按键"
tui_screen | grep -qE "^  o +sort" || fail "help does not show the rebound sort key"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status"
[ "$(sqlite3 "$db" "SELECT value FROM settings WHERE key = 'mask_ids'")" = 1 ] || fail "mask not saved"
echo ok
