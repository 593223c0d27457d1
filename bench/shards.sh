#!/bin/bash
# bench/shards.sh: the coordinator's share of a sharded run (issue 12, docs/scale.md). Shards on one
# 2-core machine cannot show a speed-up; what they can show is how many rows each rule makes the
# shards send to the coordinator and how long the rule takes there. Two PostgreSQL 15 shards are
# started with pg_stat_statements; a generated province is imported with BENCH_SHARDED of its
# counties on the shards; each rule of BENCH_RULES runs alone (`run --only`), and the rows the
# shards returned to postgres_fdw's cursors (pg_stat_statements' rows of FETCH and of the remote
# SELECTs) are its rows moved. Prints command, machine, load and a table rule / rows moved / s.
#
#   pg_virtualenv -t -v 15 bash -c 'FUNDWATCH_TEST_PG="host=$PGHOST port=$PGPORT user=$PGUSER \
#     dbname=$PGDATABASE" BENCH_COUNTIES=4 BENCH_PERSONS=1000 bench/shards.sh'
set -eu
FW=${FW:-$PWD/build/fundwatch}
counties=${BENCH_COUNTIES:-4} persons=${BENCH_PERSONS:-1000}
rules=${BENCH_RULES:-DUP-001,XC-001,XC-003,DEC-001,ACC-001,STA-001}
bin=/usr/lib/postgresql/15/bin
[ -n "${FUNDWATCH_TEST_PG:-}" ] || { echo "set FUNDWATCH_TEST_PG (see the header)" >&2; exit 2; }
dir=$(mktemp -d) schema="fw_bench_sh_$$"
me=$(id -un) as=
if [ "$(id -u)" = 0 ]; then me=postgres as="runuser -u postgres --"; chown postgres "$dir"; fi
cleanup() {
    for s in 1 2; do [ -d "$dir/s$s" ] && $as "$bin/pg_ctl" -D "$dir/s$s" -m immediate stop >/dev/null 2>&1; done
    psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1
    for s in 1 2; do psql "$FUNDWATCH_TEST_PG" -qc "DROP SERVER IF EXISTS fw_shard_$s CASCADE" >/dev/null 2>&1; done
    rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
for s in 1 2; do
    port=$(free_port); eval "port$s=$port"
    $as "$bin/initdb" -D "$dir/s$s" -U "$me" --auth=trust >/dev/null
    $as "$bin/pg_ctl" -D "$dir/s$s" -l "$dir/s$s.log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 \
        -c shared_preload_libraries=pg_stat_statements" start >/dev/null
    psql "host=127.0.0.1 port=$port dbname=postgres user=$me" -qc "CREATE EXTENSION pg_stat_statements" >/dev/null
done
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null
pg="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
"$FW" gen "$dir/prov" --counties "$counties" --persons-per-county "$persons" >/dev/null
codes=$(python3 - "$dir/prov/payments.csv" <<'PY'
import csv, sys
from collections import Counter
r = csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""))
print(" ".join(sorted(c for c, _ in Counter(row["行政区划代码"][:6] for row in r).most_common())))
PY
)
set -- $codes
"$FW" --db "$pg" init >/dev/null 2>&1 || true
"$FW" --db "$pg" shard add "host=127.0.0.1 port=$port1 dbname=postgres user=$me" --counties "$1" >/dev/null
"$FW" --db "$pg" shard add "host=127.0.0.1 port=$port2 dbname=postgres user=$me" --counties "$2" >/dev/null
for f in "$dir"/prov/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$pg" import "$ds" "$f" >/dev/null 2>&1 || true
done
payments=$(psql "$pg" -XAtqc "SELECT count(*) FROM ds_payments")
moved() { # rows the shards returned to remote cursors and selects since the last reset
    local n=0 s p
    for p in $port1 $port2; do
        s=$(psql "host=127.0.0.1 port=$p dbname=postgres user=$me" -XAtqc \
            "SELECT COALESCE(sum(rows), 0) FROM pg_stat_statements WHERE query ~* '^(FETCH|SELECT)'")
        n=$((n + s))
    done
    echo $n
}
reset() { for p in $port1 $port2; do psql "host=127.0.0.1 port=$p dbname=postgres user=$me" -XAtqc "SELECT pg_stat_statements_reset()" >/dev/null; done; }
echo "command: BENCH_COUNTIES=$counties BENCH_PERSONS=$persons BENCH_RULES=$rules bench/shards.sh"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "province: $counties counties, $payments payments; on shards: $1 (fw_shard_1), $2 (fw_shard_2)"
printf '%-10s %14s %10s\n' rule rows_moved seconds
IFS=, read -ra list <<<"$rules"
for r in "${list[@]}"; do
    reset
    t0=$(date +%s.%N)
    "$FW" --db "$pg" run --only "$r" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    printf '%-10s %14s %10.2f\n' "$r" "$(moved)" "$(echo "$t1 - $t0" | bc)"
done
