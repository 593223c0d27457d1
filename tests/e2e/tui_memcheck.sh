#!/usr/bin/env bash
# tui_memcheck: a whole session (every screen, search, filter, sort, drill-down, resize, help)
# under AddressSanitizer (build-asan/fundwatch, or $FW when it is that build) or else valgrind;
# any memory error or leak makes the exit status non-zero.
. "$(dirname "$0")/../tui/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
db=$(tui_fixture)
if [[ $FW == *build-asan* ]]; then
    TUI_BIN=$FW
elif [ -x "$root/build-asan/fundwatch" ] && ! [ "$FW" -nt "$root/build-asan/fundwatch" ]; then
    # an ASan build at least as new as the binary under test (a stale one would test old code)
    TUI_BIN=$root/build-asan/fundwatch
elif command -v valgrind >/dev/null; then
    TUI_WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
else
    echo "FAIL: neither a current ASan build nor valgrind (scripts/install-deps.sh installs valgrind)"; exit 1
fi
# The import screen starts in the cwd: a CSV with one good and one rejected row, and a sub-directory.
mkdir -p "$TUI_TMP/data/sub"
printf '公民身份号码,姓名,死亡日期,备注\n520102195503120016,张三,2023-03-10,x\n520102198505050027,王二,2023-13-45,y\n' \
    >"$TUI_TMP/data/死亡名单.csv"
cd "$TUI_TMP/data"
tui_start "$db" ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
tui_wait "Hits by category" 60
tui_keys 2
tui_wait "of " 30
tui_keys s s S j j C-f C-b G g / 
tui_type "测试0"
tui_keys Enter
tui_wait "1 of 9 " 30
tui_keys BSpace Enter
tui_wait "Registry evidence" 30
tui_keys / 
tui_type "王五"
tui_keys Enter n N Tab Enter
tmux -L "$TUI_SOCK" resize-window -x 80 -y 24
tui_keys ? j q q 3
tui_type "张三"
tui_keys Enter
tui_wait "people match" 30
tui_keys Enter
tui_wait "Registry record" 30
tui_keys 4
tui_wait "DEC-001" 30
tui_keys Space 5 1 : 
tui_type "rule REL-001"
tui_keys Enter
tui_wait "1 of 1" 30
# Import: browse (all files, into sub/ and back), preview, change the dataset, import, rejects.
tui_keys 5
tui_wait "Pick a CSV file" 30
tui_keys . . j Enter h G Enter
tui_wait "guessed from the headers" 30
tui_keys d Enter r r Enter
tui_wait "rows into deaths" 30
tui_keys Enter
tui_wait "Rejected rows of import" 30
tui_keys q q R q
tui_keys Q
rc=$(tui_exit_code)
[ "$rc" = 0 ] || fail "exit status $rc under the memory checker"
echo ok
