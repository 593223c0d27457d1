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
# Both engines in one run (issue 11): after SQLite, the same figures on a PostgreSQL workspace
# holding the same N hits (copied from the SQLite one with COPY, then ANALYZEd as autovacuum would),
# on the server of BENCH_PG (a libpq conninfo; the workspace is its schema fw_bench_tui_N, rebuilt)
# or, without it, on a throw-away cluster the script starts with pg_virtualenv (postgresql 15).
# BENCH_ENGINES picks the engines (default "sqlite pg"; "sqlite" alone needs no server).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
engines=" ${BENCH_ENGINES:-sqlite pg} "
# No server given: the whole script again inside a throw-away cluster (it goes when the script ends).
case $engines in *" pg "*)
    if [ -z "${BENCH_PG:-}" ]; then
        command -v pg_virtualenv >/dev/null || { echo "bench/tui.sh: PostgreSQL needs BENCH_PG (a libpq conninfo) or pg_virtualenv; BENCH_ENGINES=sqlite measures SQLite alone" >&2; exit 2; }
        # shellcheck disable=SC2016 # expanded inside the cluster's environment
        exec pg_virtualenv -t -v 15 bash -c 'BENCH_PG="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" exec bash "$0" "$@"' "$0" "$@"
    fi ;;
esac
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
         /usr/bin/time -f %M -o $rss $FW --db $(printf %q "$db") tui"
    local i=0
    while tmux -L "$sock" has-session 2>/dev/null && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
    tmux -L "$sock" kill-server 2>/dev/null || true
    cat "$rss"; rm -f "$rss"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

# A workspace as printed: a conninfo's password never goes into a bench's output.
shown() { echo "$1" | sed 's/password=[^ ]*/password=…/'; }

report() { # db label
    local db=$1 label=$2 all="$dir/fw-bench-all.$$" rss=()
    : >"$all"
    for r in $(seq $runs); do
        rss+=("$(session "$db" "$dir/fw-bench-t.$$")")
        # number repeated keys so each measurement keeps its own name
        awk '{n[$1]++; k=$1; if ($1=="text"||$1=="Enter"||$1=="s"||$1=="PgDn") k=$1 n[$1]; print k, $NF}' "$dir/fw-bench-t.$$" >>"$all"
    done
    printf '%s  (%s)\n' "$label" "$(shown "$db")"
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

# The PostgreSQL workspace of n hits: schema fw_bench_tui_n on BENCH_PG, made by fundwatch init, then
# the SQLite workspace's runs, cases and hits copied in (COPY; the hits' indexes dropped during the
# load and built after it, as make_ws does), then VACUUM ANALYZE: the statistics and visibility map
# autovacuum would give it a minute later. Kept when BENCH_KEEP_WS=1 and it holds n hits.
make_pg_ws() { # n sqlite-path -> conninfo
    local n=$1 db=$2 s="fw_bench_tui_$1"
    local ws="$BENCH_PG options='-c search_path=$s'"
    if [ "${BENCH_KEEP_WS:-0}" = 1 ] && [ "$(psql "$BENCH_PG" -XAtqc "SELECT count(*) FROM $s.hits" 2>/dev/null)" = "$n" ]; then
        echo "$ws"; return
    fi
    psql "$BENCH_PG" -XqAt -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $s CASCADE" -c "CREATE SCHEMA $s" >/dev/null
    "$FW" --db "$ws" init >/dev/null
    local t cols idx="$dir/fw-bench-pgidx.$$.sql"
    # the schema's trigger functions name its tables unqualified
    export PGOPTIONS="-c search_path=$s"
    psql "$BENCH_PG" -XAtqc "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = '$s' AND tablename = 'hits' \
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = '$s.hits'::regclass)" >"$idx"
    psql "$BENCH_PG" -XAtqc "SELECT 'DROP INDEX $s.' || indexname || ';' FROM pg_indexes WHERE schemaname = '$s' \
        AND tablename = 'hits' AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = '$s.hits'::regclass)" |
        psql "$BENCH_PG" -Xq >/dev/null
    for t in runs cases hits; do
        # the columns both engines have, in the server's order
        cols=$(psql "$BENCH_PG" -XAtqc "SELECT string_agg(quote_ident(column_name), ',' ORDER BY ordinal_position) \
            FROM information_schema.columns WHERE table_schema = '$s' AND table_name = '$t' \
            AND column_name IN ($(sqlite3 "$db" "SELECT group_concat(quote(name)) FROM pragma_table_info('$t')"))")
        sqlite3 -csv -nullvalue '\N' "$db" "SELECT ${cols//\"/} FROM $t" |
            psql "$BENCH_PG" -Xq -v ON_ERROR_STOP=1 -c "\\copy $s.$t($cols) FROM STDIN WITH (FORMAT csv, NULL '\\N')" >/dev/null ||
            return 1
    done
    psql "$BENCH_PG" -Xq -v ON_ERROR_STOP=1 -f "$idx" -c "VACUUM ANALYZE" >/dev/null || return 1
    unset PGOPTIONS
    rm -f "$idx"
    echo "$ws"
}

# A bench program linked with what the Makefile links every program with (print-dep-libs), so a
# new dependency of the library (libpq for the store's PostgreSQL driver) is named once.
build_bench() { # name (bench/NAME.c -> $dir/fw-bench-NAME)
    # shellcheck disable=SC2046 # the flags are words
    cc -std=c11 -D_GNU_SOURCE -O2 -I"$root" $(make -s -C "$root" --no-print-directory print-dep-cflags) \
        -o "$dir/fw-bench-$1" "$root/bench/$1.c" "$root/build/libfundwatch.a" \
        $(make -s -C "$root" --no-print-directory print-dep-libs)
}

# Every part on one engine's pair of workspaces.
measure() { # engine big small
    local engine=$1 big=$2 small=$3
    case $parts in *" list "*)
        report "$big" "$engine, $N hits"
        report "$small" "$engine, 10000 hits" ;;
    esac
    case $parts in *" freq "*)
        freq_report "$big" "$engine, $N hits"
        echo "$engine: the same counting without the screen (bench/tui_freq.c, median of $runs), $N hits:"
        "$dir/fw-bench-tui_freq" "$big" "$runs" ;;
    esac
    case $parts in *" filters "*)
        echo "$engine: every single filter under every sort (bench/tui_filters.c: worst of three pages, ascending/descending, ms), $N hits:"
        "$dir/fw-bench-tui_filters" "$big" ;;
    esac
}

parts=" ${BENCH_PARTS:-list freq filters} "
big=$(make_ws "$N")
small=-
case $parts in *" list "*) small=$(make_ws 10000) ;; esac
pg_big= pg_small=-
case $engines in *" pg "*)
    pg_big=$(make_pg_ws "$N" "$big") || { echo "bench/tui.sh: could not load the PostgreSQL workspace" >&2; exit 1; }
    case $parts in *" list "*) pg_small=$(make_pg_ws 10000 "$small") || exit 1 ;; esac ;;
esac
echo "command: bench/tui.sh $N   binary: $FW   engines:$engines  load: $(uptime | sed 's/.*load/load/')"
echo "machine: $(uname -srm), $(nproc) cores, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
[ -z "$pg_big" ] || echo "PostgreSQL: $(psql "$BENCH_PG" -XAtqc 'SHOW server_version'), $(shown "$BENCH_PG")"
echo "keys: start=first screen drawn; 2=open hit list; PgDn1=page down; s1=sort change; s7=sort by case status;"
echo "      PgDn3=page down by case status; S=reverse it; text1=filter rule=R-005 typed;"
echo "      Enter1=filter applied; text2=search keystroke 张 (list narrows as typed)"
case $parts in *" freq "*) build_bench tui_freq ;; esac
case $parts in *" filters "*) build_bench tui_filters ;; esac
case $engines in *" sqlite "*) measure sqlite "$big" "$small" ;; esac
[ -z "$pg_big" ] || measure postgresql "$pg_big" "$pg_small"
case $parts in *" filters "*)
    echo "reference: sqlite3 CLI, first page of the list sorted by severity (same index):"
    /usr/bin/time -f '  %e s wall' sqlite3 "$big" "SELECT id, name FROM hits WHERE state = 'present' ORDER BY \
     (CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END), id LIMIT 37" >/dev/null ;;
esac
echo "load at the end: $(uptime | sed 's/.*load/load/')"
