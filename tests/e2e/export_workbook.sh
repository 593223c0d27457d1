#!/usr/bin/env bash
# export_workbook.sh: `fundwatch export` writes workbooks and CSV lists that openpyxl reads as
# promised: sheet names, lead counts equal to `export --count` for the same filter, IDs as text,
# money as numbers in yuan, real dates, frozen header, autofilter, print set-up, footer mark,
# provenance hashes equal to the imports table; every export lands in the audit trail.
set -eu
. "$(dirname "$0")/export_lib.bash"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
make_fixture "$dir"
ws="$dir/ws.db"

# Everything: 5 present leads (the gone and the whitelisted hit stay out).
n=$("$FW" --db "$ws" export --count)
[ "$n" = 5 ] || fail "count of all leads is $n, want 5"
"$FW" --db "$ws" export all.xlsx >out.txt
grep -q "5 leads" out.txt || fail "export did not report 5 leads: $(cat out.txt)"
$PY "$CHECK" xlsx all.xlsx --db "$ws" --count "$n" --expect-x

# A filter: the count and the workbook agree.
n=$("$FW" --db "$ws" export --count --township 黔灵镇)
[ "$n" = 2 ] || fail "township count $n, want 2"
"$FW" --db "$ws" export town.xlsx --township 黔灵镇 >/dev/null
$PY "$CHECK" xlsx town.xlsx --db "$ws" --count "$n" --expect-x
n=$("$FW" --db "$ws" export --count --status 属实 --category deceased)
[ "$n" = 2 ] || fail "status+category count $n, want 2"
"$FW" --db "$ws" export st.xlsx --status confirmed --category deceased >/dev/null
$PY "$CHECK" xlsx st.xlsx --db "$ws" --count "$n"

# A case workbook: evidence sheets named by case number, masked IDs, classification from the setting.
sqlite3 "$ws" "INSERT INTO settings(key, value) VALUES ('export.classification', '秘密★1年')"
n=$("$FW" --db "$ws" export --count --case FW-2026-000001 2)
[ "$n" = 3 ] || fail "case count $n, want 3"
"$FW" --db "$ws" export case.xlsx --case FW-2026-000001 2 --mask-ids >/dev/null
$PY "$CHECK" xlsx case.xlsx --db "$ws" --count "$n" --cases FW-2026-000001,FW-2026-000002 --mask \
    --classification '秘密★1年'
# The option beats the setting.
"$FW" --db "$ws" export opt.xlsx --classification '机密 & 内部' >/dev/null
$PY "$CHECK" xlsx opt.xlsx --db "$ws" --count 5 --classification '机密 & 内部'

# CSV, by extension and by --format.
"$FW" --db "$ws" export all.csv >/dev/null
$PY "$CHECK" csv all.csv --db "$ws" --count 5
"$FW" --db "$ws" export masked.txt --format csv --mask-ids >/dev/null
$PY "$CHECK" csv masked.txt --db "$ws" --count 5 --mask
"$FW" --db "$ws" export cases.csv --list cases >/dev/null
[ "$(($(wc -l <cases.csv) - 1))" = 3 ] || fail "case list CSV should hold the 3 cases with present leads"

# The trail: one record per export, with the filter, row count and the file's hash.
got=$(sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'export'")
[ "$got" = 8 ] || fail "trail holds $got export records, want 8"
sha=$(sha256sum case.xlsx | cut -d' ' -f1)
rec=$(sqlite3 "$ws" "SELECT after FROM trail WHERE object = 'file:$dir/case.xlsx'")
case "$rec" in *"\"sha256\":\"$sha\""*"" ) ;; *) fail "trail record lacks the file hash: $rec" ;; esac
case "$rec" in *'"rows":3'*) ;; *) fail "trail record lacks the row count: $rec" ;; esac
case "$rec" in *'"cases":["FW-2026-000001","2"]'*) ;; *) fail "trail record lacks the filter: $rec" ;; esac
[ "$(sqlite3 "$ws" "SELECT user FROM trail WHERE object = 'file:$dir/case.xlsx'")" = "$FUNDWATCH_USER" ] ||
    fail "trail record names the wrong user"

# Bad filters are refused clearly.
set +e
"$FW" --db "$ws" export x.xlsx --status maybe 2>err.txt; rc=$?
[ $rc = 5 ] && grep -q "unknown status 'maybe'; known: new 待核查" err.txt || fail "bad status: exit $rc, $(cat err.txt)"
[ ! -e x.xlsx ] || fail "a bad filter wrote a file"
"$FW" --db "$ws" export x.xlsx --township 不存在镇 2>err.txt; rc=$?
[ $rc = 5 ] && grep -q "unknown township '不存在镇'; known: .*黔灵镇" err.txt || fail "bad township: exit $rc, $(cat err.txt)"
[ ! -e x.xlsx ] || fail "a bad filter wrote a file"
"$FW" --db "$ws" export x.xlsx --case FW-1999-000009 2>err.txt; rc=$?
[ $rc = 5 ] && grep -q "FW-1999-000009" err.txt || fail "unknown case: exit $rc, $(cat err.txt)"
[ ! -e x.xlsx ] || fail "a refused export left a file"
echo "export_workbook: ok"
