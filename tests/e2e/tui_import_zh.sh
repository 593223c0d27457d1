#!/usr/bin/env bash
# tui_import_zh: the import screen in Chinese (LANGUAGE=zh_CN): browser, mapping preview, import
# with counts equal to `fundwatch datasets --format csv`, the planted reject with its reason, a
# cancelled import that loads nothing, and the hit list sorted by case status.
. "$(dirname "$0")/../tui/lib.sh"
db=$(tui_fixture)
data="$TUI_TMP/数据"
mkdir -p "$data"
"$FW" gen "$data/gen" --persons 1000 >/dev/null
printf '公民身份号码,姓名,死亡日期,备注\n520102195503120016,张三,2023-03-10,公安\n520102198505050027,王二,2023-13-45,x\n' \
    >"$data/死亡名单.csv"
total_of() { "$FW" --db "$db" --format csv datasets | tr -d '\r' | awk -F, -v d="$1" '$1 == d && $6 == "(total)" { print $3 }'; }

cd "$data"
tui_start "$db" LANGUAGE=zh_CN -- import
tui_wait "选择要导入的 CSV 文件：$data"
tui_screen | grep -qE "^死亡名单.csv +129 B" || fail "CSV file not listed"
tui_keys G Enter
tui_wait "据表头推断"
tui_screen | grep -q "数据集：deaths" || fail "dataset not guessed"
tui_screen | grep -qE "备注 +→  （忽略）" || fail "ignored column not translated"
tui_screen | grep -qE "死亡日期 +→  death_date \*" || fail "mapping"

deaths_before=$(total_of deaths)
tui_keys Enter
tui_wait "已导入 1 行到 deaths；拒收 1 行。"
id=$(tui_screen | sed -nE 's/.*导入 #([0-9]+)：.*/\1/p')
row=$("$FW" --db "$db" --format csv datasets | tr -d '\r' | awk -F, -v i="$id" '$1 == "deaths" && $2 == i { print $3 "," $4 }')
[ "$row" = "1,1" ] || fail "CLI counts for import $id: $row"
tui_screen | grep -qE "已导入 +1$" || fail "loaded count"
tui_screen | grep -qE "拒收 +1 " || fail "rejected count"
[ "$(total_of deaths)" = $((deaths_before + 1)) ] || fail "deaths total"
tui_keys Enter
tui_wait "导入 #$id 的拒收行"
tui_screen | grep -qE "^ +3  death_date +2023-13-45 +date \"2023-13-45\" is impossible" || fail "reject line"

# Cancel a payments import with Esc: nothing loaded.
payments_before=$(total_of payments)
tui_keys q q
tui_wait "选择要导入的 CSV 文件"
tui_keys g j Enter
tui_wait "选择要导入的 CSV 文件：$data/gen"
tui_keys g j j j j j Enter
tui_wait "数据集：payments"
tui_keys Enter Escape
tui_wait "导入已取消：未导入任何数据"
[ "$(total_of payments)" = "$payments_before" ] || fail "a cancelled import changed payments"

# Sort by case status.
tui_keys 2
tui_wait "共 63 条"
for _ in 1 2 3 4 5 6 7; do tui_keys s; done
tui_wait "按 状态 ↑ 排序"
tui_screen | sed -n 3p | grep -q "待核查" || fail "ascending status does not start with 待核查"
tui_keys S
tui_wait "按 状态 ↓ 排序"
tui_screen | sed -n 3p | grep -q "核查中" || fail "descending status does not start with 核查中"
tui_keys Q
[ "$(tui_exit_code)" = 0 ] || fail "exit status"
echo ok
