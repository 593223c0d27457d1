#!/usr/bin/env bash
# bench/tui.sh [N]: TUI responsiveness on a workspace with N hits (default 1,000,000) against 10,000.
# Builds the workspaces with bench/tui_fixture.sql (cached under $BENCH_DIR, default /tmp), then
# runs a key script (FUNDWATCH_TUI_SCRIPT) in a detached tmux pane five times, with the TUI writing
# the milliseconds of every key (FUNDWATCH_TUI_TIMINGS): start to first screen, page down, sort
# change, filter change, one search keystroke. Prints medians, peak memory (max RSS) of both sizes,
# the command and the machine, and a reference: the sqlite3 CLI fetching the same first page.
# Then the frequency view (F) on the whole list of N hits: from the key to the counts complete
# (`wait` in the key script) for every column, and how soon Esc stops a counting (one slice); and
# the same counting without the screen (bench/tui_freq.c: wall and CPU time, the CPU time being what
# a machine loaded by other work does not blur).
# BENCH_PARTS picks what runs (default "list freq filters"): BENCH_PARTS=freq bench/tui.sh measures
# the frequency view alone; BENCH_PARTS=ws only builds the workspaces.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$root/build/fundwatch}
N=${1:-1000000}
dir=${BENCH_DIR:-/tmp}
runs=5

make_ws() { # n -> path
    local n=$1 db="$dir/fw-bench-tui-$1.db"
    # rebuilt when the fixture or the binary (hence perhaps the schema) is newer than the cached one;
    # BENCH_KEEP_WS=1 keeps a cached one (before/after measurements of a change to the schema-free
    # code, on the same workspace, without minutes of rebuilding it for each binary)
    if [ ! -s "$db" ] || { [ "${BENCH_KEEP_WS:-0}" != 1 ] && { [ "$root/bench/tui_fixture.sql" -nt "$db" ] || [ "$FW" -nt "$db" ]; }; }; then
        rm -f "$db" "$db"-*
        "$FW" --db "$db" init >/dev/null
        # the hits' indexes are dropped during the load and built after it (minutes less than
        # inserting a million rows into thirty indexes); the workspace ends as fundwatch made it
        local idx="$dir/fw-bench-idx.$$.sql"
        sqlite3 "$db" "SELECT sql || ';' FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hits' \
            AND sql IS NOT NULL" >"$idx"
        sqlite3 "$db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type = 'index' \
            AND tbl_name = 'hits' AND sql IS NOT NULL" | sqlite3 "$db"
        printf 'CREATE TEMP TABLE bench_n(v); INSERT INTO bench_n VALUES (%d);\n.read %s\n.read %s\n' "$n" \
            "$root/bench/tui_fixture.sql" "$idx" | sqlite3 "$db"
        rm -f "$idx"
    fi
    echo "$db"
}

script="$dir/fw-bench-tui.keys"
cat >"$script" <<'KEYS'
# go to the hit list, page down twice, change the sort, go on to the case status sort (the 8th),
# page down and reverse it, filter, search one keystroke
2
PgDn
PgDn
s
s
s
s
s
s
s
PgDn
S
f
text rule=R-005
Enter
/
text 张
Enter
Q
KEYS

# The frequency view: F on the whole list (its column: severity, the list's sort), then Tab through
# every other column, each counted to the end (wait). A script's keys are read between two slices
# of the counting, so the longest slice is the longest a script's Esc can wait (an Esc typed on the
# keyboard stops the counting inside a slice). The script first stays on the overview while its
# worker thread computes the figures (BENCH_SETTLE_MS, default 20 s: at a million hits it computes
# for 10 to 15 s on one of the machine's two cores). Since the worker stops when the overview is
# left, BENCH_SETTLE_MS=0 measures the same; a binary whose worker went on computing after 2 shared
# the machine with it for its first seconds.
freq_script="$dir/fw-bench-tui-freq.keys"
{
    printf 'sleep %d\n2\nwait\nF\nwait\n' "${BENCH_SETTLE_MS:-20000}"
    for _ in 1 2 3 4 5 6 7 8 9; do printf 'Tab\nwait\n'; done
    printf 'Q\n'
} >"$freq_script"

session() { # db timings-file [script] -> prints max RSS kB
    local db=$1 out=$2 keys=${3:-$script} sock="fwbench$$" rss="$dir/fw-bench-rss.$$"
    tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 \
        "env LC_ALL=C.UTF-8 TERM=xterm-256color FUNDWATCH_TUI_SCRIPT=$keys FUNDWATCH_TUI_TIMINGS=$out \
         /usr/bin/time -f %M -o $rss $FW --db $db tui"
    local i=0
    while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
    tmux -L "$sock" kill-server 2>/dev/null || true
    cat "$rss"; rm -f "$rss"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

report() { # db label
    local db=$1 label=$2 all="$dir/fw-bench-all.$$" rss=()
    : >"$all"
    for r in $(seq $runs); do
        rss+=("$(session "$db" "$dir/fw-bench-t.$$")")
        # number repeated keys so each measurement keeps its own name
        awk '{n[$1]++; k=$1; if ($1=="text"||$1=="Enter"||$1=="s"||$1=="PgDn") k=$1 n[$1]; print k, $NF}' "$dir/fw-bench-t.$$" >>"$all"
    done
    printf '%s  (%s)\n' "$label" "$db"
    for k in start 2 PgDn1 s1 s7 PgDn3 S text1 Enter1 text2; do
        printf '  %-8s median %7s ms\n' "$k" "$(awk -v k="$k" '$1==k {print $2}' "$all" | median)"
    done
    printf '  peak RSS median %s kB\n' "$(printf '%s\n' "${rss[@]}" | median)"
    rm -f "$all" "$dir/fw-bench-t.$$"
}

freq_report() { # db label
    local db=$1 label=$2 all="$dir/fw-bench-freq.$$" rss=()
    : >"$all"
    for r in $(seq $runs); do
        rss+=("$(session "$db" "$dir/fw-bench-t.$$" "$freq_script")")
        # ready-F1 (severity), ready-Tab1..9: ms to the counts complete, and the longest slice
        awk '$1 ~ /^ready-/ {n[$1]++; print $1 n[$1], $2, $4}' "$dir/fw-bench-t.$$" >>"$all"
    done
    printf '%s: frequency view, ms from the key to the counts complete (median of %d; overview settled %s ms before)\n' \
        "$label" "$runs" "${BENCH_SETTLE_MS:-20000}"
    local cols=(severity rule category status township village program name id_number amount) i=0
    local keys=(ready-F1 ready-Tab1 ready-Tab2 ready-Tab3 ready-Tab4 ready-Tab5 ready-Tab6 ready-Tab7 ready-Tab8 ready-Tab9)
    for i in 0 1 2 3 4 5 6 7 8 9; do
        printf '  %-10s median %7s ms   longest slice (what a script'"'"'s Esc waits at most) %6s ms\n' "${cols[$i]}" \
            "$(awk -v k="${keys[$i]}" '$1 == k {print $2}' "$all" | median)" \
            "$(awk -v k="${keys[$i]}" '$1 == k {print $3}' "$all" | median)"
    done
    printf '  peak RSS median %s kB\n' "$(printf '%s\n' "${rss[@]}" | median)"
    rm -f "$all" "$dir/fw-bench-t.$$"
}

big=$(make_ws "$N")
case " ${BENCH_PARTS:-list} " in *" list "*) small=$(make_ws 10000) ;; esac
echo "command: bench/tui.sh $N   binary: $FW"
echo "machine: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "keys: start=first screen drawn; 2=open hit list; PgDn1=page down; s1=sort change; s7=sort by case status;"
echo "      PgDn3=page down by case status; S=reverse it; text1=filter rule=R-005 typed;"
echo "      Enter1=filter applied; text2=search keystroke 张 (list narrows as typed)"
# A bench program linked with what the Makefile links every program with (print-dep-libs), so a
# new dependency of the library (libpq for the store's PostgreSQL driver) is named once.
build_bench() { # name (bench/NAME.c -> $dir/fw-bench-NAME)
    # shellcheck disable=SC2046 # the flags are words
    cc -std=c11 -D_GNU_SOURCE -O2 -I"$root" $(make -s -C "$root" --no-print-directory print-dep-cflags) \
        -o "$dir/fw-bench-$1" "$root/bench/$1.c" "$root/build/libfundwatch.a" \
        $(make -s -C "$root" --no-print-directory print-dep-libs)
}
parts=" ${BENCH_PARTS:-list freq filters} "
case $parts in *" list "*)
    report "$big" "$N hits"
    report "$small" "10000 hits" ;;
esac
case $parts in *" freq "*)
    freq_report "$big" "$N hits"
    echo "the same counting without the screen (bench/tui_freq.c, median of $runs), $N hits:"
    build_bench tui_freq
    "$dir/fw-bench-tui_freq" "$big" "$runs" ;;
esac
case $parts in *" filters "*)
    echo "every single filter under every sort (bench/tui_filters.c: worst of three pages, ascending/descending, ms), $N hits:"
    build_bench tui_filters
    "$dir/fw-bench-tui_filters" "$big"
    echo "reference: sqlite3 CLI, first page of the list sorted by severity (same index):"
    /usr/bin/time -f '  %e s wall' sqlite3 "$big" "SELECT id, name FROM hits WHERE state = 'present' ORDER BY \
     (CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), id LIMIT 37" >/dev/null ;;
esac
