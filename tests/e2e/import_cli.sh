#!/usr/bin/env bash
# import_cli.sh: the import, datasets, rejects and programs commands on the real binary: summary,
# exit codes (3 bad file, 6 duplicate), csv/json listings, --replace and nothing half-loaded.
# engines: sqlite postgresql
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here"
tmp=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
. "$here/tests/e2e/ws.inc"
trap 'ws_cleanup; rm -rf "$tmp"' EXIT
ws_new "$tmp"
db=$ws
fw() { "$FW" --db "$db" "$@"; }
data="$here/tests/data/import/payments_small.csv"

out=$(fw import payments "$data")
grep -q "4 read, 3 loaded, 1 rejected, 1 flagged" <<<"$out" || fail "summary: $out"
grep -q "payments_small.csv:4:2: id_number:" <<<"$out" || fail "first rejects: $out"
grep -q "warning: header '备注'" <<<"$out" || fail "unknown header warning: $out"

csv=$(fw --format csv datasets)
head -1 <<<"$csv" | grep -q "^dataset,import_id,rows,rejected,flagged,file,sha256,encoding,user,imported_at" \
    || fail "datasets header: $csv"
sha=$(sha256sum "$data" | cut -d' ' -f1)
grep -q "^payments,1,3,1,1,.*payments_small.csv,$sha,utf-8,tester," <<<"$csv" || fail "datasets row: $csv"
grep -q "^payments,,3,1,1,(total)," <<<"$csv" || fail "datasets total: $csv"

rej=$(fw --format csv rejects)
[ "$(wc -l <<<"$rej")" -eq 2 ] || fail "one reject row expected: $rej"
grep -q "^1,.*payments_small.csv,4,2,id_number,11010519491231002Y," <<<"$rej" || fail "reject row: $rej"

json=$(fw --format json programs --unmapped)
grep -q '"program": "奇怪项目", "canonical": null' <<<"$json" || fail "unmapped: $json"
grep -q '"rows": 1' <<<"$json" || fail "unmapped count: $json"
[ "$(fw --format csv programs | grep -c '低保\|高龄')" -eq 2 ] || fail "mapped programs"

# The same bytes again: refused with 6, nothing added.
set +e
fw import payments "$data" >"$tmp/o" 2>"$tmp/e"; rc=$?
set -e
[ $rc -eq 6 ] || fail "duplicate exit $rc"
grep -q "already imported into payments as import 1" "$tmp/e" || fail "duplicate message: $(cat "$tmp/e")"
[ "$(ws_sql "$db" 'SELECT count(*) FROM ds_payments')" -eq 3 ] || fail "rows after duplicate"

# --replace: the previous rows go, the previous import is marked replaced.
fw import payments "$data" --replace >/dev/null
[ "$(ws_sql "$db" 'SELECT count(*) FROM ds_payments')" -eq 3 ] || fail "rows after replace"
[ "$(ws_sql "$db" "SELECT status FROM imports ORDER BY id" | paste -sd,)" = "replaced,loaded" ] || fail "statuses"

# Missing required column: exit 3, nothing loaded, message names file and column.
printf 'id_number,name\n11010519491231002X,a\n' >"$tmp/bad.csv"
set +e
fw import deaths "$tmp/bad.csv" 2>"$tmp/e"; rc=$?
set -e
[ $rc -eq 3 ] || fail "missing column exit $rc"
grep -q "bad.csv: required column missing for deaths: death_date (死亡日期)" "$tmp/e" || fail "$(cat "$tmp/e")"
[ "$(ws_sql "$db" "SELECT count(*) FROM imports WHERE dataset = 'deaths'")" -eq 0 ] || fail "deaths import recorded"

# Too many rejects: exit 3, no rows, the failed import and its rejects kept.
{ echo "id_number,death_date"; for i in $(seq 1 12); do echo "123,2023-01-01"; done; } >"$tmp/many.csv"
set +e
fw import deaths "$tmp/many.csv" 2>"$tmp/e"; rc=$?
set -e
[ $rc -eq 3 ] || fail "max-rejects exit $rc"
grep -q "12 of 12 rows rejected, more than the limit of 10" "$tmp/e" || fail "$(cat "$tmp/e")"
[ "$(ws_sql "$db" 'SELECT count(*) FROM ds_deaths')" -eq 0 ] || fail "deaths rows kept"
id=$(ws_sql "$db" "SELECT id FROM imports WHERE status = 'failed'")
[ "$(fw --format csv rejects --import "$id" | wc -l)" -eq 13 ] || fail "failed import's rejects"

# Usage errors.
set +e
fw import nosuch "$data" 2>/dev/null; [ $? -eq 2 ] || fail "unknown dataset exit"
fw import payments 2>/dev/null; [ $? -eq 2 ] || fail "missing file arg exit"
fw import payments "$data" --encoding latin1 2>/dev/null; [ $? -eq 2 ] || fail "bad encoding exit"
set -e
echo ok
