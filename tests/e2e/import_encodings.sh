#!/usr/bin/env bash
# import_encodings.sh: files whose line ends or encoding are not what they seem. A file with old
# Mac line ends (CR alone) loads with the right line numbers in its rejects; a UTF-8 file with one
# row pasted from a GBK file loads its UTF-8 rows as they are and rejects that row with its line
# and column (not the whole file read as GB18030 mojibake); a GBK file behind a UTF-8 byte-order
# mark is refused, saying the mark contradicts the encoding, and loads with --encoding gb18030.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
db="$tmp/ws.db"
fw() { "$FW" --db "$db" "$@"; }
q() { sqlite3 "$db" "$1"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# CR line ends; line 4 has a bad ID number (16 digits), line 6 a bad date.
printf '公民身份号码,姓名,死亡日期\r520102195503120016,张三,2023-01-01\r520102198001011235,李四,2023-01-02\r5201021980010112,王五,2023-01-03\r520103197502023455,赵六,2023-01-04\r52010320000101001X,钱七,2023-13-01\r' >cr.csv
fw import deaths cr.csv >out.txt || fail "CR file: $(cat out.txt)"
grep -q "5 read, 3 loaded, 2 rejected" out.txt || fail "CR file summary: $(cat out.txt)"
grep -q "cr.csv:4:1: id_number" out.txt && grep -q "cr.csv:6:3: death_date" out.txt ||
    fail "rejects do not name lines 4 and 6: $(cat out.txt)"
[ "$(q "SELECT group_concat(line) FROM (SELECT line FROM ds_deaths ORDER BY line)")" = "2,3,5" ] ||
    fail "stored lines: $(q 'SELECT group_concat(line) FROM ds_deaths')"

# Mostly UTF-8, one row (line 4) in GBK.
{
    printf '公民身份号码,姓名,死亡日期\n520102196010100011,孙一,2023-02-01\n520102197005050026,周二,2023-02-02\n'
    printf '520102196001010014,'; printf '吴三' | iconv -f UTF-8 -t GBK; printf ',2023-02-03\n'
    printf '520102196001010022,郑四,2023-02-04\n'
} >mixed.csv
fw import deaths mixed.csv >out.txt || fail "mixed file: $(cat out.txt)"
grep -q "encoding   utf-8$" out.txt || fail "mixed file not read as UTF-8: $(cat out.txt)"
grep -q "4 read, 3 loaded, 1 rejected" out.txt || fail "mixed summary: $(cat out.txt)"
grep -q "mixed.csv:4:2: name: column 2: bytes not valid UTF-8, while most rows of the file are UTF-8" out.txt ||
    fail "the GBK row is not named by line and column: $(cat out.txt)"
[ "$(q "SELECT group_concat(name, ' ') FROM ds_deaths WHERE import_id = 2")" = "孙一 周二 郑四" ] ||
    fail "UTF-8 rows not loaded as written: $(q "SELECT group_concat(name) FROM ds_deaths WHERE import_id = 2")"

# GBK behind a UTF-8 byte-order mark.
{ printf '\xEF\xBB\xBF'; printf '公民身份号码,姓名,死亡日期\n520102196001010030,冯五,2023-03-01\n' | iconv -f UTF-8 -t GBK; } >bom.csv
set +e
fw import deaths bom.csv 2>err.txt; rc=$?
set -e
[ $rc = 3 ] || fail "BOM over GBK: exit $rc, want 3"
grep -q "byte-order mark, but 2 of its first 2 lines with Chinese text are not UTF-8" err.txt &&
    grep -q "the mark contradicts the encoding" err.txt || fail "BOM message: $(cat err.txt)"
fw import deaths bom.csv --encoding gb18030 >out.txt || fail "BOM file with --encoding gb18030: $(cat out.txt)"
[ "$(q "SELECT name FROM ds_deaths WHERE id_number = '520102196001010030'")" = 冯五 ] || fail "BOM file text"
echo "import_encodings: ok"
