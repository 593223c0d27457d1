#!/usr/bin/env bash
# import_profile.sh: a user's --profile adds header aliases and program names; a GBK file with
# Chinese headers loads with encoding gb18030.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/ws.db"
fw() { "$FW" --db "$db" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

printf '身份证件号,领款人,资金名称,金额,发放日期\n11010519491231002X,张三,低保补助,360,2023-05-10\n' \
    | iconv -f UTF-8 -t GB18030 >"$tmp/gbk.csv"
set +e
fw import payments "$tmp/gbk.csv" 2>"$tmp/e"; rc=$?
set -e
[ $rc -eq 3 ] || fail "without profile: exit $rc"
grep -q "required column missing for payments: id_number" "$tmp/e" || fail "$(cat "$tmp/e")"

cat >"$tmp/my.ini" <<'INI'
[aliases]
id_number = 身份证件号
[payments]
name = 领款人
[programs]
低保 = 低保补助
INI
out=$(fw --format json import payments "$tmp/gbk.csv" --profile "$tmp/my.ini")
grep -q '"encoding": "gb18030"' <<<"$out" || fail "encoding: $out"
grep -q '"rows_loaded": 1' <<<"$out" || fail "loaded: $out"
[ "$(sqlite3 "$db" "SELECT program || '/' || program_raw || '/' || name FROM ds_payments")" = "低保/低保补助/张三" ] \
    || fail "mapped row"
echo ok
