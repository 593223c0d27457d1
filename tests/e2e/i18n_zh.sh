#!/usr/bin/env bash
# i18n_zh: Chinese in and out.
# 1. The catalogue is complete: xgettext over every source, merged with po/zh_CN.po, leaves no
#    untranslated or fuzzy message.
# 2. A missing zh_CN locale (LANG=zh_CN.UTF-8 with an empty LOCPATH) falls back to C.UTF-8 with the
#    Chinese catalogue kept: the CLI says once on stderr what to install and speaks Chinese; the TUI
#    says it on its status line and draws Chinese, not ~T~B. With the locale generated (localedef
#    into a private LOCPATH) nothing is said.
# 3. Every screen in Chinese shows no ASCII words but codes, IDs, key names and paths.
# 4. What the screens show in Chinese is accepted as typed: the filter line (类别=死亡人员
#    status=核查中 风险=高), and an unknown value there is refused on the status line with the
#    filter kept; the status form's 不属实 and 不属实原因 数据错误 (a wrong word refused, kept for correcting).
. "$(dirname "$0")/../tui/lib.sh"
src=$(cd "$here_tui/../.." && pwd)

# --- 1. the catalogue ------------------------------------------------------------------------------
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --no-wrap -o "$TUI_TMP/all.pot" \
    "$src"/audit/*.c "$src"/audit/store/*.c "$src"/gen/*.c "$src"/export/*.c "$src"/tui/*.c "$src"/cli/*.c 2>/dev/null
msgmerge --quiet --no-wrap "$src/po/zh_CN.po" "$TUI_TMP/all.pot" -o "$TUI_TMP/merged.po"
stats=$(msgfmt --check --statistics -o /dev/null "$TUI_TMP/merged.po" 2>&1)
echo "$stats" | grep -qE '^[0-9]+ translated messages\.$' || fail "catalogue incomplete: $stats"
[ "$(grep -c '^msgid' "$TUI_TMP/all.pot")" -gt 700 ] || fail "xgettext found too few messages"

# --- 2. a missing locale, then a present one ------------------------------------------------------
nolocales=$TUI_TMP/nolocales
mkdir -p "$nolocales"
zh_env=(env -u LC_ALL -u LANGUAGE -u LC_MESSAGES -u LC_CTYPE LOCPATH="$nolocales" LANG=zh_CN.UTF-8)
"${zh_env[@]}" "$FW" --db "$TUI_TMP/typo.db" hits 2>"$TUI_TMP/err" && fail "a missing workspace succeeded"
[ "$(grep -c '本机未安装区域设置 zh_CN.UTF-8' "$TUI_TMP/err")" = 1 ] || fail "the missing locale is not said once: $(cat "$TUI_TMP/err")"
grep -q 'localedef -i zh_CN -f UTF-8 zh_CN.UTF-8' "$TUI_TMP/err" || fail "no way to install the locale given"
grep -q "没有这个工作区" "$TUI_TMP/err" || fail "messages not in Chinese after the fallback: $(cat "$TUI_TMP/err")"

withzh=$TUI_TMP/locales
mkdir -p "$withzh"
localedef -i zh_CN -f UTF-8 "$withzh/zh_CN.UTF-8" || fail "localedef could not make zh_CN.UTF-8"
env -u LC_ALL -u LANGUAGE LOCPATH="$withzh" LANG=zh_CN.UTF-8 "$FW" --db "$TUI_TMP/typo.db" hits 2>"$TUI_TMP/err" &&
    fail "a missing workspace succeeded"
grep -q "本机未安装" "$TUI_TMP/err" && fail "an installed locale is reported missing"
grep -q "没有这个工作区" "$TUI_TMP/err" || fail "messages not in Chinese with the locale: $(cat "$TUI_TMP/err")"

db=$(tui_fixture)
tui_start "$db" LC_ALL= LANGUAGE= LOCPATH="$nolocales" LANG=zh_CN.UTF-8
tui_wait "本机未安装区域设置 zh_CN.UTF-8"
# the overview counts money once in the background: wait for its first table rather than the title
tui_wait "疑点按类别" || fail "the TUI does not draw Chinese after the fallback"
tui_screen | grep -q "~" && fail "garbled characters on the screen"
tui_keys Q
tui_exit_code >/dev/null

# --- 3. every screen without English ---------------------------------------------------------------
TUI_RC="$TUI_TMP/rc2"
tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
mkdir -p "$TUI_TMP/台账" # the file browser starts here: a folder of Chinese-named ledgers
printf '公民身份号码,姓名,死亡日期\n' >"$TUI_TMP/台账/死亡名单.csv"
cd "$TUI_TMP/台账"
tui_start "$db" LANGUAGE=zh_CN
# ASCII words allowed on a Chinese screen: key names, the program's name, rule id prefixes, CSV,
# the fixture's payment ids (PAY-0101).
allowed=" Enter Tab Space Esc Backspace PgDn PgUp Down Up fundwatch CSV csv ACC BUS CIT DEC DUP ELI HH IDN OFF PRO REL STD STA TIM VEH XC FW PAY "
# ... and the words of the paths shown (the workspace in the title, the folder in the file browser).
for w in $(printf '%s %s' "$db" "$PWD" | grep -oE '[A-Za-z][A-Za-z_]+'); do allowed="$allowed$w "; done
english() { # SCREEN: ASCII words that are not allowed
    tui_screen | grep -oE '[A-Za-z][A-Za-z_]+' | sort -u | while read -r w; do
        case "$allowed" in *" $w "*) ;; *) printf '%s ' "$w" ;; esac
    done
}
check() { # NAME: the screen has no English
    local words
    words=$(english)
    [ -z "$words" ] || fail "English on the $1 screen: $words"
}
tui_wait "疑点按类别"
check overview
tui_keys 2
tui_wait "共 63 条"
check "hit list"
tui_keys f
tui_wait "筛选："
tui_keys C-u
tui_type "类别=死亡人员 status=核查中 风险=高"
tui_keys Enter
tui_wait "共 1 条"
tui_wait "类别=死亡人员 风险=高 状态=核查中"
check "filtered hit list"
tui_keys f
tui_wait "筛选："
tui_keys C-u
tui_type "乡镇=不存在镇"
tui_keys Enter
tui_wait "未知的乡镇“不存在镇”"
tui_screen | grep -q "已知：孟关乡, 花溪镇" || fail "the known townships are not listed"
tui_keys f # the filter in force stays
tui_wait "筛选：类别=死亡人员 风险=高 状态=核查中"
tui_keys Escape
tui_keys Enter
tui_wait "核查记录"
check person
tui_keys q
tui_keys q
tui_keys 4
tui_wait "启用"
check rules
tui_keys q
tui_keys 3
tui_type "张"
tui_keys Enter
tui_wait "查询 张"
check lookup
tui_keys q
tui_keys 5
tui_wait "选择要导入的 CSV 文件"
check import
tui_screen | grep -q "文件名" || fail "the file browser's name column is not headed 文件名"
tui_keys q
tui_keys C
tui_wait "我的待办"
check cases
tui_keys q
tui_keys '?'
tui_wait "本界面按键（总览）"
tui_keys q

# --- 4. the status form takes Chinese words -----------------------------------------------------------
tui_keys 2
tui_wait "类别=死亡人员 风险=高 状态=核查中" # the hit list keeps the filter it was left with
tui_keys f
tui_wait "筛选："
tui_keys C-u
tui_type "类别=死亡人员"
tui_keys Enter
tui_wait "共 1 条"
tui_keys c
tui_wait "核查中 → 1 属实, 2 部分属实, 3 不属实"
tui_type "不属实"
tui_keys Enter
tui_wait "不属实原因 (数据错误, 政策允许, 已处理, 其他)"
tui_type "电话"
tui_keys Enter
tui_wait "未知的不属实原因“电话”"
tui_screen | grep -q "不属实原因.*电话" || fail "the refused answer is not kept for correcting"
tui_keys C-u
tui_type "数据错误"
tui_keys Enter
tui_wait "原因说明"
tui_keys Enter
tui_wait "备注"
tui_keys Enter
tui_wait "核查中 → 不属实"
tui_keys Q
tui_exit_code >/dev/null
[ "$(sqlite3 "$db" "SELECT status || ' ' || dismiss_reason FROM cases WHERE id = 1")" = "dismissed data_error" ] ||
    fail "不属实/数据错误 were not stored as dismissed/data_error"
echo ok
