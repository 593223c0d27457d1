#!/usr/bin/env bash
# index_cli.sh: a large import leaves the dataset indexes for later and says so; `fundwatch index`
# builds them (with progress on stderr) and then finds none missing; a rule run builds the ones a
# later bulk import dropped before its first rule, and its hits equal those of a run on a
# workspace whose indexes were kept all along (the same data loaded in small files).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here" FUNDWATCH_USER=tester
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/ws.db"
fw() { "$FW" --db "$db" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
indexes() { sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ds_$2'"; }

"$FW" gen "$tmp/data" --seed 7 --persons 1500 >/dev/null
[ "$(stat -c %s "$tmp/data/payments.csv")" -gt $((4 << 20)) ] || fail "payments.csv must be over the bulk threshold"
fw init >/dev/null
all=$(indexes "$db" payments)
[ "$all" -ge 3 ] || fail "a new workspace has the payments indexes: $all"

out=$(fw import payments "$tmp/data/payments.csv")
grep -q "indexes    left for later" <<<"$out" || fail "import does not say the indexes were left: $out"
[ "$(indexes "$db" payments)" -eq 0 ] || fail "bulk import kept indexes"
[ "$(sqlite3 "$db" 'PRAGMA journal_mode')" = wal ] || fail "workspace not back in WAL"

fw index >"$tmp/index.out" 2>"$tmp/index.err" || fail "index failed: $(cat "$tmp/index.err")"
grep -q "^$all indexes built in" "$tmp/index.out" || fail "index summary: $(cat "$tmp/index.out")"
grep -q "building ds_payments_person (.* of $all)… [0-9.]* s" "$tmp/index.err" || fail "index progress: $(cat "$tmp/index.err")"
[ "$(indexes "$db" payments)" -eq "$all" ] || fail "indexes not rebuilt"
[ "$(fw index)" = "all indexes present" ] || fail "second index run"
rc=0; fw index --bogus >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "index --bogus: exit $rc, 2 (usage) expected"

# The other datasets, the payments again (--replace: a bulk load again), then a run: it builds what
# the bulk load left out before its first rule.
for f in "$tmp"/data/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in payments | truth | rejects-expected) continue ;; esac
    fw import "$ds" "$f" >/dev/null
done
fw import payments "$tmp/data/payments.csv" --replace | grep -q "indexes    left for later" || fail "replace not bulk"
fw run --category deceased >"$tmp/run.out" 2>"$tmp/run.err" || fail "run failed: $(cat "$tmp/run.err")"
grep -q "building ds_payments_person" "$tmp/run.err" || fail "run did not build the indexes: $(head "$tmp/run.err")"
[ "$(fw index)" = "all indexes present" ] || fail "indexes missing after the run"

# The same data loaded in slices under the bulk threshold keeps its indexes all along: same hits.
db2="$tmp/ws2.db"
for f in "$tmp"/data/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    head -1 "$f" >"$tmp/head.csv"
    tail -n +2 "$f" | split -l 10000 - "$tmp/slice."
    for s in "$tmp"/slice.*; do
        cat "$tmp/head.csv" "$s" >"$s.csv"
        "$FW" --db "$db2" import "$ds" "$s.csv" --max-rejects 100 >/dev/null
        rm -f "$s" "$s.csv"
    done
done
[ "$(indexes "$db2" payments)" -eq "$all" ] || fail "sliced loads dropped indexes"
"$FW" --db "$db2" run --category deceased >/dev/null 2>&1
a=$(fw --format csv hits | cut -d, -f1,5,7 | sort | md5sum)
b=$("$FW" --db "$db2" --format csv hits | cut -d, -f1,5,7 | sort | md5sum)
[ "$a" = "$b" ] || fail "hits differ between bulk and row-by-row loads"
[ "$(fw --format csv hits | wc -l)" -gt 1 ] || fail "no hits at all"
echo ok
