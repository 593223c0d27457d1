#!/usr/bin/env bash
# tests/tui/golden.sh [CASE...]: golden-screen tests in the tig style. Each case in tests/tui/golden/
# (NAME.case) is a key script and the screens it must produce, compared whole. The harness starts
# the real TUI in its own tmux server at the case's size and language, on a fresh copy of the fixture
# workspace (tests/tui/fixture.sql) with a fixed clock and time zone, sends the keys one at a time,
# waits for the screen to settle after each, captures it and diffs it against the expected text.
#
#   FW=build/fundwatch tests/tui/golden.sh                 every case
#   FW=build/fundwatch tests/tui/golden.sh hits_sort_pick  the named cases
#   GOLDEN_UPDATE=1 FW=... tests/tui/golden.sh NAME        writes what the screens show now into the
#                                                          case (review the diff before committing)
#
# The case format, its directives and how to write one are in docs/tui.md ("Golden-screen tests").
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${FW:?set FW to the fundwatch binary}"
FW=$(cd "$(dirname "$FW")" && pwd)/$(basename "$FW")
update=${GOLDEN_UPDATE:-}
faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
[ -r "$faketime_lib" ] || faketime_lib=$(dpkg -L libfaketime 2>/dev/null | grep 'libfaketimeMT.so' | head -n1)
if [ ! -r "${faketime_lib:-}" ]; then
    echo "golden: libfaketime is missing (apt-get install faketime; scripts/install-deps.sh does it)" >&2
    exit 1
fi
# A sanitizer build (make check-asan, gcc) links libasan as a shared library, which must come
# first in the preload list or it refuses to start.
preload=$faketime_lib
asan_lib=$(ldd "$FW" 2>/dev/null | awk '/libasan\.so/ {print $3; exit}')
[ -n "$asan_lib" ] && preload="$asan_lib:$faketime_lib"

# The fixed world every case sees: the clock (advancing from this instant, so timeouts still work),
# the time zone, the user, an empty config, and the temporary directory's name (replaced by one of
# the same length in captures: /tmp/fwg.XXXXXX).
CLOCK='2026-01-05 10:00:00'
ZONE=Asia/Shanghai

# Texts a screen shows while it is still computing: a screen showing one has not settled.
busy_texts=("Computing the figures…" "(counting…)")
while IFS= read -r t; do busy_texts+=("$t"); done < <(
    awk '/^msgid "Computing the figures…"$/ { getline; sub(/^msgstr "/, ""); sub(/"$/, ""); print }
         /^msgid "%s of ≥%lld \(counting…\) · ¥%s"$/ { print "统计中…" }' "$here/../../po/zh_CN.po" 2>/dev/null)

passed=0 failed=0 failures=()

# --- one case ------------------------------------------------------------------------------------

raw_capture() { tmux -L "$sock" capture-pane -p -e -t fw; }
# The screen as the golden file holds it (screen.py: text, reverse-video gutter, temp dir masked).
capture() {
    raw_capture | /usr/bin/python3 "$here/screen.py" "$height" "$dir" "/tmp/fwg.XXXXXX"
}

screen_busy() {
    local s=$1 t
    for t in "${busy_texts[@]}"; do
        case $s in *"$t"*) return 0 ;; esac
    done
    return 1
}

# After input: waits for the screen to change (1 s at most: some keys change nothing), then until
# it has stayed the same for 0.2 s and shows no busy text (10 s at most).
settle() {
    local prev="" cur stable=0 i=0
    if [ -n "${before_input:-}" ]; then
        while [ $i -lt 20 ] && [ "$(raw_capture)" = "$before_input" ]; do
            sleep 0.05
            i=$((i + 1))
        done
        before_input="" i=0
    fi
    while [ $i -lt 400 ]; do
        cur=$(raw_capture)
        if [ "$cur" = "$prev" ] && ! screen_busy "$cur"; then
            stable=$((stable + 1))
            [ $stable -ge 4 ] && return 0
        else
            stable=0
        fi
        prev=$cur
        sleep 0.05
        i=$((i + 1))
    done
    echo "    the screen did not settle (line $lineno of $case_file)" >&2
    return 1
}

# After start: waits until the program has drawn something (10 s at most), since a blank screen
# that stays blank looks settled while a slow start (a sanitizer build) is still loading.
wait_drawn() {
    local i=0
    while [ $i -lt 200 ]; do
        [ -n "$(raw_capture | tr -d ' \n')" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    echo "    the program drew nothing (line $lineno of $case_file)" >&2
    return 1
}

wait_text() {
    local i=0
    while [ $i -lt 200 ]; do
        tmux -L "$sock" capture-pane -p -t fw | grep -qF -- "$1" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    echo "    timed out waiting for '$1' (line $lineno of $case_file)" >&2
    return 1
}

send_key() { before_input=$(raw_capture); tmux -L "$sock" send-keys -t fw -- "$1"; }
send_raw() { before_input=$(raw_capture); tmux -L "$sock" send-keys -t fw -l -- "$1"; }

# SGR mouse reports (what xterm sends with mode 1006): button;column;row, M press, m release.
mouse() { # mouse click|wheel-up|wheel-down COL ROW
    case $1 in
    click) send_raw $'\e'"[<0;$2;$3M"; tmux -L "$sock" send-keys -t fw -l -- $'\e'"[<0;$2;$3m" ;;
    wheel-up) send_raw $'\e'"[<64;$2;$3M" ;;
    wheel-down) send_raw $'\e'"[<65;$2;$3M" ;;
    *) echo "    unknown mouse event '$1' (line $lineno of $case_file)" >&2; return 1 ;;
    esac
}

start_tui() {
    local envs=(TERM=xterm-256color LC_ALL=C.UTF-8 TZ=$ZONE HOME="$dir" XDG_CONFIG_HOME="$dir/config"
                FUNDWATCH_USER=tester EDITOR=true LD_PRELOAD="$preload" FAKETIME="@$CLOCK"
                FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1 NO_FAKE_STAT=1)
    case $lang in
    en) envs+=(LANGUAGE=en) ;;
    zh) envs+=(LANG=zh_CN.UTF-8 LANGUAGE=zh_CN) ;;
    *) echo "    unknown language '$lang'" >&2; return 1 ;;
    esac
    printf '#!/bin/sh\ncd %q || exit 1\nenv %s %q --db ws.db tui %s\necho "[exit $?]"\nexec sleep 600\n' \
        "$dir" "$(printf '%q ' "${envs[@]}")" "$FW" "$args" >"$dir/run.sh"
    chmod +x "$dir/run.sh"
    tmux -L "$sock" -f /dev/null new-session -d -s fw -x "$width" -y "$height" "$dir/run.sh"
    tmux -L "$sock" set-option -t fw status off >/dev/null
}

# The workspace and files a case starts from: the fixture, and under data/ a few files for the
# import browser, all with one modification time.
make_world() {
    mkdir -p "$dir/config/fundwatch"
    "$FW" --db "$dir/ws.db" init >/dev/null 2>&1 || return 1
    sqlite3 "$dir/ws.db" <"$here/fixture.sql" || return 1
    cp -r "$here/golden/data" "$dir/data" || return 1
    find "$dir/data" "$dir/config" -exec env TZ=$ZONE touch -h -d "2026-01-04 09:30:00" {} +
}

# Compares one expected block with the screen; in update mode the screen replaces it.
check_screen() { # expected-file
    local actual="$dir/actual" label="$case_name:$lineno"
    capture >"$actual"
    if [ -n "$update" ]; then
        cat "$actual" >>"$out"
        return 0
    fi
    if ! cmp -s "$1" "$actual"; then
        echo "    screen at line $lineno differs (- expected, + actual):"
        diff -u --label "expected $label" --label "actual $label" "$1" "$actual" | sed 's/^/    /'
        ok=false
    fi
    cat "$1" >>"$out"
}

# The next line of the case file into $line (a line a screen block gave back first).
next_line() {
    if $has_pending; then
        line=$pending has_pending=false
        return 0
    fi
    IFS= read -r line <&3
}

run_case() {
    case_file=$1
    case_name=$(basename "$case_file" .case)
    width=80 height=24 lang=en args="" started=false ok=true lineno=0
    dir=$(mktemp -d /tmp/fwg.XXXXXX)
    sock="fwg$$-$case_name"
    out="$dir/case.out"
    : >"$out"
    make_world || { echo "    cannot build the fixture workspace"; ok=false; }
    exec 3<"$case_file"
    pending="" has_pending=false
    while $ok && next_line; do
        lineno=$((lineno + 1))
        printf '%s\n' "$line" >>"$out"
        case $line in '' | '#'*) continue ;; esac
        local word=${line%% *} rest=""
        [ "$word" != "$line" ] && rest=${line#* }
        if ! $started; then
            case $word in
            size) width=${rest%x*}; height=${rest#*x}; continue ;;
            lang) lang=$rest; continue ;;
            args) args=$rest; continue ;;
            sql) sqlite3 "$dir/ws.db" "$rest" || ok=false; continue ;;
            esac
            start_tui || { ok=false; break; }
            started=true
            wait_drawn && settle || { ok=false; break; }
        fi
        case $word in
        keys)
            for k in $rest; do
                send_key "$k"
                settle || { ok=false; break; }
            done ;;
        type) send_raw "$rest"; settle || ok=false ;;
        raw) send_raw "$(printf '%b' "$rest")"; settle || ok=false ;;
        mouse) mouse $rest && settle || ok=false ;;
        wait) wait_text "$rest" && settle || ok=false ;;
        resize)
            width=${rest%x*}; height=${rest#*x}
            tmux -L "$sock" resize-window -t fw -x "$width" -y "$height"
            settle || ok=false ;;
        sql) sqlite3 "$dir/ws.db" "$rest" || ok=false ;;
        ---)
            # The block: up to $height lines, each empty or behind its gutter (' ' or '>'). A
            # directive ends it early (a new case's blocks are empty until GOLDEN_UPDATE fills them).
            local expected="$dir/expected" n=0
            : >"$expected"
            while [ $n -lt "$height" ] && next_line; do
                case $line in '' | ' '* | '>'*) ;; *) pending=$line has_pending=true; break ;; esac
                printf '%s\n' "$line" >>"$expected"
                n=$((n + 1))
            done
            check_screen "$expected"
            lineno=$((lineno + n)) ;;
        *) echo "    line $lineno: unknown directive '$word' (see docs/tui.md)"; ok=false ;;
        esac
    done
    exec 3<&-
    tmux -L "$sock" kill-server 2>/dev/null
    if $ok && [ -n "$update" ]; then
        cp "$out" "$case_file"
    fi
    rm -rf "$dir"
    $ok
}

# --- all cases -----------------------------------------------------------------------------------

cases=()
if [ $# -gt 0 ]; then
    for n in "$@"; do cases+=("$here/golden/${n%.case}.case"); done
else
    cases=("$here"/golden/*.case)
fi
for c in "${cases[@]}"; do
    [ -f "$c" ] || { echo "FAIL $(basename "$c"): no such case"; failed=$((failed + 1)); continue; }
    if run_case "$c"; then
        passed=$((passed + 1))
        echo "PASS $(basename "$c" .case)${update:+ (updated)}"
    else
        failed=$((failed + 1))
        failures+=("$(basename "$c" .case)")
        echo "FAIL $(basename "$c" .case)"
    fi
done
echo "golden: $passed passed, $failed failed${failures:+ (${failures[*]})}"
[ "$failed" -eq 0 ]
