#!/usr/bin/env bash
# bench/import.sh: how fast `fundwatch import` loads a county-scale workspace, beside the sqlite3
# CLI's own `.import --csv` of the same payments file into a plain table (no validation, no
# indexes), in the same run on the same machine. Prints the machine, the commands, the median of
# BENCH_RUNS runs (rows/s, wall time, peak memory from /usr/bin/time -v) and the ratio.
# A large import leaves the dataset indexes for later (audit/indexes.c builds them before the first
# rule run, or on `fundwatch index`), so the script also times `fundwatch index` after the payments
# import and sets import + index beside a second reference: the sqlite3 CLI doing only the database
# part of that work (.import, then ds_payments' five indexes, WAL, one transaction).
#
#   bench/import.sh                      200,000 persons, ~5 million payment rows
#   BENCH_PERSONS=20000 bench/import.sh  a quick run (payments scale with persons: ×25)
#   FW=path/to/fundwatch BENCH_RUNS=3 BENCH_KEEP=dir
#
# Data comes from `fundwatch gen` when the binary has it; otherwise a small awk generator below
# writes the same columns (valid check digits, Chinese headers) so the benchmark always runs.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$here/build/fundwatch}
persons=${BENCH_PERSONS:-200000}
runs=${BENCH_RUNS:-3}
export FUNDWATCH_DATADIR=${FUNDWATCH_DATADIR:-$here}
export FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=${BENCH_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/fwbench.XXXXXX")}
mkdir -p "$tmp"
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT

echo "== machine"
echo "nproc: $(nproc); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "kernel: $(uname -sr); sqlite3 CLI: $(sqlite3 --version | cut -d' ' -f1); $("$FW" --version)"
echo "persons: $persons, runs: $runs, scratch: $tmp"

# awk fallback generator: persons.csv and payments.csv (25 monthly payments per person).
generate_awk() {
    awk -v n="$persons" -v dir="$tmp" 'BEGIN {
        split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " "); split("1 0 X 9 8 7 6 5 4 3 2", cc, " ")
        split("城乡低保 农村低保 特困人员供养 高龄补贴 城乡居民基本养老保险待遇 临时救助 教育资助", prog, " ")
        split("中山镇 河西乡 青山镇 石门乡 龙井镇", town, " ")
        pf = dir "/persons.csv"; yf = dir "/payments.csv"
        print "公民身份号码,姓名,户编号,与户主关系,行政区划代码,乡镇,行政村,人员类别,状态" > pf
        print "发放流水号,公民身份号码,姓名,项目名称,发放金额,发放日期,所属期,银行账号,乡镇,行政村" > yf
        srand(42); seq = 0
        for (i = 0; i < n; i++) {
            y = 1930 + int(rand() * 80); m = 1 + int(rand() * 12); d = 1 + int(rand() * 28)
            id17 = sprintf("520102%04d%02d%02d%03d", y, m, d, i % 1000)
            s = 0; for (k = 1; k <= 17; k++) s += substr(id17, k, 1) * w[k]
            id = id17 cc[s % 11 + 1]
            name = "张" sprintf("%05d", i % 100000); t = town[1 + i % 5]; v = "第" (1 + i % 40) "村"
            printf "%s,%s,H%07d,户主,520102,%s,%s,低保户,正常\n", id, name, int(i / 3), t, v > pf
            p = prog[1 + i % 7]; amt = 100 + int(rand() * 900)
            for (k = 0; k < 25; k++) {
                yy = 2022 + int(k / 12); mm = 1 + k % 12
                printf "PAY%09d,%s,%s,%s,%d.%02d,%04d-%02d-15,%04d-%02d,6217%012d,%s,%s\n", ++seq, id, name, p,
                    amt, int(rand() * 100), yy, mm, yy, mm, i, t, v > yf
            }
        }
    }'
}

echo "== data"
if "$FW" gen --help 2>/dev/null | grep -q -- "--persons" &&
    "$FW" gen "$tmp" --persons "$persons" >/dev/null 2>&1 && [ -f "$tmp/payments.csv" ]; then
    echo "generated with: $FW gen $tmp --persons $persons"
else
    generate_awk
    echo "generated with the awk fallback (fundwatch gen not available in this build)"
fi
# The generator also writes its answer key (truth.csv, rejects-expected.csv): not datasets.
datasets=" persons payments deaths officials relatives businesses vehicles properties prisoners students
 disabilities pensions standards "
for f in "$tmp"/*.csv; do
    case "$datasets" in *" $(basename "$f" .csv)"[[:space:]]*) ;; *) continue ;; esac
    printf '%-16s %10d rows %8.1f MB\n' "$(basename "$f")" $(($(wc -l <"$f") - 1)) \
        "$(echo "$(stat -c %s "$f") / 1048576" | bc -l)"
done

# "seconds max_rss_kb" from a /usr/bin/time -v report.
seconds_rss() {
    awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
                /Maximum resident set size/ { r = $2 }
                END { printf "%.3f %d\n", s, r }' "$1"
}

# Runs a command under /usr/bin/time -v; prints "seconds max_rss_kb".
timed() {
    /usr/bin/time -v -o "$tmp/time.txt" "$@" >/dev/null 2>"$tmp/stderr.txt" || {
        echo "command failed: $*" >&2; cat "$tmp/stderr.txt" >&2; exit 1; }
    seconds_rss "$tmp/time.txt"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# bench NAME COMMAND...: runs it $runs times on a fresh workspace; sets med_s and med_kb. With
# index_after=1 each run is followed by `fundwatch index` on that workspace, timed on its own
# (med_index_s, med_index_kb).
index_after=0
bench() {
    local name=$1; shift
    local times=() rss=() itimes=() irss=()
    for r in $(seq 1 "$runs"); do
        rm -f "$tmp/ws.db" "$tmp/ws.db-wal" "$tmp/ws.db-shm" "$tmp/plain.db"
        read -r s kb < <(timed "$@")
        times+=("$s"); rss+=("$kb")
        if [ "$index_after" = 1 ]; then
            read -r s kb < <(timed "$FW" --db "$tmp/ws.db" index)
            cp "$tmp/stderr.txt" "$tmp/index.out"
            itimes+=("$s"); irss+=("$kb")
        fi
    done
    med_s=$(printf '%s\n' "${times[@]}" | median)
    med_kb=$(printf '%s\n' "${rss[@]}" | median)
    if [ "$index_after" = 1 ]; then
        med_index_s=$(printf '%s\n' "${itimes[@]}" | median)
        med_index_kb=$(printf '%s\n' "${irss[@]}" | median)
    fi
}

echo "== fundwatch import (median of $runs; each on a fresh workspace)"
printf '%-12s %10s %9s %12s %10s\n' dataset rows seconds rows/s peak_MB
for f in "$tmp"/persons.csv "$tmp"/payments.csv "$tmp"/*.csv; do
    ds=$(basename "$f" .csv)
    case "$datasets" in *" $ds"[[:space:]]*) ;; *) continue ;; esac
    case " ${done_ds:-} " in *" $ds "*) continue ;; esac
    done_ds="${done_ds:-} $ds"
    rows=$(($(wc -l <"$f") - 1))
    [ "$ds" = payments ] && index_after=1 # the import, then the indexes it left, on the same workspace
    bench "$ds" "$FW" --db "$tmp/ws.db" import "$ds" "$f"
    index_after=0
    printf '%-12s %10d %9.2f %12.0f %10.1f\n' "$ds" "$rows" "$med_s" "$(echo "$rows / $med_s" | bc -l)" \
        "$(echo "$med_kb / 1024" | bc -l)"
    [ "$ds" = payments ] && { fw_s=$med_s; fw_kb=$med_kb; pay_rows=$rows; ix_s=$med_index_s; ix_kb=$med_index_kb; }
done
echo "command: $FW --db ws.db import DATASET FILE"
printf '%-12s %10s %9.2f %12s %10.1f\n' "  index" "" "$ix_s" "" "$(echo "$ix_kb / 1024" | bc -l)"
echo "command: $FW --db ws.db index   (after the payments import: the indexes it left for later)"
sed 's/^/    /' "$tmp/index.out"

echo "== sqlite3 CLI .import of the same payments file (median of $runs)"
bench sqlite3 sqlite3 "$tmp/plain.db" ".import --csv $tmp/payments.csv payments"
printf '%-12s %10d %9.2f %12.0f %10.1f\n' sqlite3 "$pay_rows" "$med_s" "$(echo "$pay_rows / $med_s" | bc -l)" \
    "$(echo "$med_kb / 1024" | bc -l)"
echo "command: sqlite3 plain.db '.import --csv payments.csv payments'"
sq_s=$med_s

echo "== sqlite3 CLI: the same .import plus ds_payments' five indexes, WAL, one transaction (median of $runs)"
cat >"$tmp/indexed.sql" <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
BEGIN;
.import --csv $tmp/payments.csv payments
CREATE INDEX p_id ON payments("公民身份号码");
CREATE INDEX p_program ON payments("项目名称", "公民身份号码");
CREATE INDEX p_approved ON payments("审批人身份证号");
CREATE INDEX p_import ON payments(length("发放流水号"));
CREATE INDEX p_key ON payments("发放流水号");
COMMIT;
EOF
bench sqlite3-idx sh -c "sqlite3 '$tmp/plain.db' <'$tmp/indexed.sql'"
printf '%-12s %10d %9.2f %12.0f %10.1f\n' sqlite3+idx "$pay_rows" "$med_s" "$(echo "$pay_rows / $med_s" | bc -l)" \
    "$(echo "$med_kb / 1024" | bc -l)"
echo "command: sqlite3 plain.db <indexed.sql   (no validation; what the indexes and WAL cost)"
idx_s=$med_s

# The sections above run all of one command, then all of the other: a change of load from other jobs
# in between favours one side. Here the two alternate, and each pair gives its own ratio.
echo "== payments: fundwatch import and sqlite3 .import alternately ($runs pairs)"
pair_ratios=()
for r in $(seq 1 "$runs"); do
    rm -f "$tmp/ws.db" "$tmp/ws.db-wal" "$tmp/ws.db-shm" "$tmp/plain.db"
    read -r a _ < <(timed "$FW" --db "$tmp/ws.db" import payments "$tmp/payments.csv")
    read -r b _ < <(timed sqlite3 "$tmp/plain.db" ".import --csv $tmp/payments.csv payments")
    pair_ratios+=("$(echo "$b / $a" | bc -l)")
    printf '  pair %d: fundwatch %.2f s, sqlite3 %.2f s, ratio %.2f\n' "$r" "$a" "$b" "${pair_ratios[-1]}"
done
pair_ratio=$(printf '%s\n' "${pair_ratios[@]}" | median)

echo "== ratio (sqlite3 seconds / fundwatch import seconds; > 1 means fundwatch is faster)"
echo "payments import vs .import, median of the pairs: $(echo "$pair_ratio" | cut -c1-5)"
echo "payments import vs .import:                    $(echo "$sq_s / $fw_s" | bc -l | cut -c1-5)  (fundwatch peak ${fw_kb} kB)"
echo "payments import + index vs .import + 5 indexes: $(echo "$idx_s / ($fw_s + $ix_s)" | bc -l | cut -c1-5)  ($(echo "$fw_s + $ix_s" | bc -l | cut -c1-6) s vs $idx_s s; index peak ${ix_kb} kB)"
