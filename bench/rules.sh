#!/usr/bin/env bash
# bench/rules.sh: how long the rule catalogue takes on a county-scale workspace.
#
# Builds a workspace from `fundwatch gen --persons N` (N = $FW_BENCH_PERSONS, default 200000) and
# imports it, then times `fundwatch run` (total, per rule, peak memory via /usr/bin/time -v) and, as
# a reference, the same assembled SQL of each rule run by the sqlite3 CLI on the same file. The CLI
# gets our helper functions and views from a small loadable extension built here from
# audit/store/sqlite_funcs.c, so every rule can be compared. Each figure is the median of $FW_BENCH_REPEAT runs
# (default 3). Targets (issue 3): whole catalogue < 60 s on 2 cores, no rule > 5 s. fundwatch's
# per-rule times are taken while other rules' queries run on the other cores (see docs/rules.md),
# so they are higher than the same query alone; the CLI column is each query alone.
#
# usage: bench/rules.sh [BUILD_DIR]      (make all first; needs the gen and importer commands)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
FW=$build/fundwatch
N=${FW_BENCH_PERSONS:-200000}
REPEAT=${FW_BENCH_REPEAT:-3}
export FUNDWATCH_DATADIR=$here FUNDWATCH_USER=bench LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "-"}'; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -srm)"
echo "== fundwatch: $("$FW" --version), sqlite3 CLI $(sqlite3 --version | cut -d' ' -f1)"
[ -n "$(ls "$here"/rules/*.ini 2>/dev/null)" ] || { echo "no rules/*.ini: the catalogue is not merged yet"; exit 2; }

echo "== generating $N persons: $FW gen $tmp/data --persons $N"
if ! "$FW" gen "$tmp/data" --persons "$N" >"$tmp/gen.log" 2>&1; then
    echo "fundwatch gen failed (is the generator merged?):"; tail -5 "$tmp/gen.log"; exit 2
fi
ws=$tmp/ws.db
for f in "$tmp"/data/*.csv; do
    ds=$(basename "$f" .csv)
    "$FW" --db "$ws" import "$ds" "$f" >/dev/null 2>&1 || echo "   (skipped $ds: not an importable dataset)"
done
# Large imports leave the dataset indexes for later (audit/indexes.c); a run would build them before
# its first rule. Build them here, timed on their own, so the run below times the catalogue alone.
echo "== $FW --db WS index   (the indexes the bulk imports left for later)"
/usr/bin/time -f "   index: %e s wall, peak %M kB" "$FW" --db "$ws" index 2>&1 | sed 's/^/   /'
echo "== workspace: $(du -h "$ws" | cut -f1), $(sqlite3 "$ws" 'SELECT count(*) FROM ds_payments') payments, $(sqlite3 "$ws" 'SELECT count(*) FROM ds_persons') persons"

# --- fundwatch run ----------------------------------------------------------------------------------
echo "== fundwatch --db WS run   ($REPEAT runs)"
for i in $(seq "$REPEAT"); do
    /usr/bin/time -v "$FW" --db "$ws" run >"$tmp/run$i.out" 2>"$tmp/run$i.err" || true
    awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/run$i.err" >"$tmp/wall$i"
    awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/run$i.err" >"$tmp/rss$i"
    # per-rule lines on stderr: "  ID  category  status  N hits  M ms"
    awk '$5 == "hits" && $7 == "ms" {print $1, $6}' "$tmp/run$i.err" >"$tmp/ms$i"
done
to_s() { awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }'; }
total=$(cat "$tmp"/wall* | to_s | median)
rss=$(cat "$tmp"/rss* | median)
echo "total wall time (median): ${total} s   peak RSS (median): $((rss / 1024)) MiB"
tail -1 "$tmp/run1.out"

# --- reference: the same SQL in the sqlite3 CLI ----------------------------------------------------
cat >"$tmp/ext.c" <<'C'
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1
#include "audit/sqlfunc.h"
#include "audit/store/sqlite_funcs.h"
int sqlite3_extension_init(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    fw_sqlite_funcs_register(db); /* the same functions and TEMP views as fundwatch */
    fw_buf views = {0};
    fw_sqlfunc_views_sql(false, &views);
    fw_sqlfunc_deaths_newest_sql(false, &views);
    int rc = sqlite3_exec(db, views.data, NULL, NULL, NULL);
    fw_buf_free(&views);
    return rc;
}
C
have_ext=0
if cc -shared -fPIC -O2 -std=c11 -D_GNU_SOURCE -I"$here" -o "$tmp/fwext.so" "$tmp/ext.c" "$here/audit/store/sqlite_funcs.c" \
    "$here/audit/sqlfunc.c" "$here/audit/profile.c" "$here/audit/paths.c" "$here/audit/i18n.c" \
    "$here/audit/dataset.c" "$here/audit/util.c" -I/usr/include/iniparser -liniparser -lsqlite3 -lnettle 2>"$tmp/ext.log"; then
    have_ext=1
else
    echo "(could not build the extension; reference skipped)"; cat "$tmp/ext.log"
fi

printf '\n%-10s %10s %10s %8s\n' rule "fw ms" "cli ms" hits
slow=0
for id in $("$FW" --db "$ws" --format csv rules list | tail -n +2 | cut -d, -f1); do
    fw_ms=$(for i in $(seq "$REPEAT"); do awk -v id="$id" '$1 == id {print $2}' "$tmp/ms$i"; done | median)
    hits=$(awk -v id="$id" '$1 == id' "$tmp/run1.err" | awk '{print $4}')
    cli_ms=-
    if [ "$have_ext" = 1 ]; then
        "$FW" --db "$ws" rules show "$id" >"$tmp/show"
        { echo ".load $tmp/fwext.so"
          awk '/^parameters/ {p=1; next} /^$/ {p=0} p {print ".param set :" $1 " " $2}' "$tmp/show"
          awk '/^SQL:/ {s=1; next} /^examples:/ {s=0} s' "$tmp/show"
          echo ";"; } >"$tmp/q.sql"
        cli_ms=$(for i in $(seq "$REPEAT"); do
            s=$(date +%s%N); sqlite3 "$ws" <"$tmp/q.sql" >/dev/null 2>&1; e=$(date +%s%N)
            echo $(((e - s) / 1000000)); done | median)
    fi
    printf '%-10s %10s %10s %8s\n' "$id" "$fw_ms" "$cli_ms" "${hits:-?}" | tee -a "$tmp/table"
    [ "$fw_ms" != - ] && [ "$fw_ms" -gt 5000 ] && slow=$((slow + 1))
done
echo
# The CLI runs the rules one after another; fundwatch queries them on one thread per core and
# stores hits, so its whole-run wall time is the figure to set beside the CLI's sum.
cli_sum=$(awk '$1 ~ /^[A-Z]+-[0-9]+$/ && $3 ~ /^[0-9]+$/ {s += $3} END {printf "%.1f", s / 1000}' "$tmp/table")
echo "sqlite3 CLI, the same SQL rule after rule: ${cli_sum} s in all; fundwatch run: ${total} s" \
     "(ratio $(awk -v a="$cli_sum" -v b="$total" 'BEGIN { if (b > 0) printf "%.2f", a / b }'), > 1 means fundwatch is faster)"
awk -v t="$total" 'BEGIN { exit !(t < 60) }' && echo "target whole catalogue < 60 s: met (${total} s)" \
    || echo "target whole catalogue < 60 s: NOT met (${total} s)"
[ "$slow" -eq 0 ] && echo "target no rule > 5 s: met" || echo "target no rule > 5 s: NOT met ($slow rules)"
