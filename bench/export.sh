#!/usr/bin/env bash
# bench/export.sh [SIZES...]: time and peak memory of `fundwatch export` (full workbook: summary,
# leads, cases, provenance; constant-memory libxlsxwriter) beside bench/export_floor.c, a bare
# libxlsxwriter loop writing the same lead cells from the same SELECT: the floor. Default sizes
# 100000 and 1000000 leads. Prints the commands, the machine, medians of 3 runs and the ratios.
# Targets: time within 1.5x of the floor, peak memory under 64 MB at every size.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
FW=${FW:-$here/build/fundwatch}
sizes=${*:-100000 1000000}
runs=3
work=$(mktemp -d "${TMPDIR:-/tmp}/fwbench-export.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x "$FW" ] || { echo "build fundwatch first (make)"; exit 1; }
cc -O2 -o "$work/export_floor" "$here/bench/export_floor.c" $(pkg-config --cflags --libs xlsxwriter sqlite3)

echo "machine: $(uname -srm); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(nproc) cores; $(free -g | awk '/Mem:/ {print $2}') GB"
echo "fundwatch: $FW ($("$FW" --version)); libxlsxwriter $(sed -n "s/^#define LXW_VERSION \"\(.*\)\"/\1/p" /usr/include/xlsxwriter.h); sqlite3 $(sqlite3 --version | cut -d' ' -f1)"

# A workspace made by fundwatch, filled with N leads by a recursive CTE: 20 townships, 6
# categories, Chinese names and text, 18-character IDs, one lead in ten attached to a case.
make_ws() { # N FILE
    local n=$1 ws=$2
    "$FW" --db "$ws" init >/dev/null
    sqlite3 "$ws" >/dev/null <<SQL
PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, rows_read, rows_loaded, user, started_at)
  VALUES (1, 'payments', 'payments.csv', printf('%064d', 1), 'UTF-8', 'append', 'loaded', $n, $n, 'bench', '2026-01-01T00:00:00Z');
INSERT INTO runs(id, user, started_at, finished_at, status, imports) VALUES (1, 'bench', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'complete', '[1]');
INSERT INTO run_rules(run_id, rule_id, text_sha256, status) VALUES (1, 'DEC-001', printf('%064d', 2), 'complete');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n / 10)
INSERT INTO cases(id, case_no, subject_kind, subject, status, assignee, due_date, created_at, updated_at)
  SELECT i, printf('FW-2026-%06d', i), 'person', printf('5201021955%08d', i * 10),
         CASE i % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'verifying' WHEN 2 THEN 'confirmed' ELSE 'dismissed' END,
         '核查员' || (i % 7), '2026-12-31', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n)
INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
                 household_id, township, village, program, amount, first_date, last_date, detail,
                 evidence_hash, first_run_id, last_run_id, case_id)
  SELECT i, 'fp' || i, printf('DEC-%03d', i % 9 + 1),
         CASE i % 6 WHEN 0 THEN 'deceased' WHEN 1 THEN 'official' WHEN 2 THEN 'vehicle'
                    WHEN 3 THEN 'duplicate' WHEN 4 THEN 'standard' ELSE 'timing' END,
         'high', 'person', printf('5201021955%08d', i), printf('5201021955%08d', i),
         '张' || char(19968 + i % 2000) || char(19968 + i % 977), printf('H%07d', i / 3),
         '乡镇' || (i % 20), '村' || (i % 300), '低保', 30000 + i % 50000,
         printf('2023-%02d-%02d', i % 12 + 1, i % 28 + 1), printf('2024-%02d-%02d', i % 12 + 1, i % 28 + 1),
         '死亡后仍发放低保 ' || (i % 12 + 1) || ' 期，合计金额待核实', 'e', 1, 1,
         CASE WHEN i % 10 = 0 THEN i / 10 END
  FROM n;
COMMIT;
SQL
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

measure() { # label cmd...: prints "seconds maxrss_kb" per run, one line each
    for _ in $(seq $runs); do
        rm -f "$work"/out.xlsx
        /usr/bin/time -v "$@" 2>"$work/time.txt" >/dev/null || { cat "$work/time.txt"; exit 1; }
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt" |
               awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
        echo "$wall $rss"
    done
}

table="$work/table.txt"
printf '%-10s %-10s %10s %10s %18s %8s %6s\n' leads what median_s median_MB runs_s xlsx_MB ratio >"$table"
for n in $sizes; do
    ws="$work/ws-$n.db"
    t0=$(date +%s)
    make_ws "$n" "$ws"
    echo "fixture: $n leads in $(( $(date +%s) - t0 )) s"
    fw_cmd=("$FW" --db "$ws" export "$work/out.xlsx" --quiet)
    floor_cmd=("$work/export_floor" "$ws" "$work/out.xlsx")
    echo "command: ${fw_cmd[*]}"
    echo "floor:   ${floor_cmd[*]}"
    measure "${fw_cmd[@]}" >"$work/fw.txt"
    fw_size=$(stat -c %s "$work/out.xlsx")
    measure "${floor_cmd[@]}" >"$work/floor.txt"
    floor_size=$(stat -c %s "$work/out.xlsx")
    fw_t=$(cut -d' ' -f1 "$work/fw.txt" | median); fw_m=$(cut -d' ' -f2 "$work/fw.txt" | median)
    fl_t=$(cut -d' ' -f1 "$work/floor.txt" | median); fl_m=$(cut -d' ' -f2 "$work/floor.txt" | median)
    ratio=$(awk -v a="$fw_t" -v b="$fl_t" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    printf '%-10s %-10s %10s %10.1f %18s %8.1f %6s\n' "$n" fundwatch "$fw_t" "$(echo "$fw_m / 1024" | bc -l)" \
        "$(cut -d' ' -f1 "$work/fw.txt" | paste -sd/)" "$(echo "$fw_size / 1048576" | bc -l)" "$ratio" >>"$table"
    printf '%-10s %-10s %10s %10.1f %18s %8.1f %6s\n' "$n" floor "$fl_t" "$(echo "$fl_m / 1024" | bc -l)" \
        "$(cut -d' ' -f1 "$work/floor.txt" | paste -sd/)" "$(echo "$floor_size / 1048576" | bc -l)" 1.00 >>"$table"
    verdict=ok
    awk -v r="$ratio" 'BEGIN { exit !(r > 1.5) }' && verdict="SLOWER than 1.5x the floor"
    [ "$fw_m" -lt $((64 * 1024)) ] || verdict="$verdict; peak memory over 64 MB"
    echo "$n leads: $verdict"
    rm -f "$ws"
done
echo
echo "medians of $runs runs; peak memory = maximum resident set size (/usr/bin/time -v)"
cat "$table"
