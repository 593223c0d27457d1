#!/usr/bin/env bash
# export_libreoffice.sh: LibreOffice (headless) opens a fundwatch workbook, whose strings are
# written inline (libxlsxwriter's constant-memory mode), and converts its lead list to CSV with the
# Chinese text, the 18-character IDs and the money intact. Skipped, saying so, without soffice.
set -eu
. "$(dirname "$0")/export_lib.bash"
if ! command -v soffice >/dev/null; then
    echo "SKIP export_libreoffice: soffice (LibreOffice) is not installed"
    exit 0
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
make_fixture "$dir"
"$FW" --db "$dir/ws.db" export leads.xlsx >/dev/null
mkdir out
# Sheet 2 (线索清单) as UTF-8 CSV (token 8: 76 = UTF-8; the 12th token picks the sheet). A private
# profile keeps the run independent of any user's LibreOffice settings.
timeout 180 soffice -env:UserInstallation=file://"$dir/profile" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2' \
    --outdir out leads.xlsx >lo.log 2>&1 || fail "soffice failed: $(cat lo.log)"
csv=$(ls out/*.csv 2>/dev/null | head -n 1)
[ -n "$csv" ] || fail "soffice wrote no CSV: $(cat lo.log)"
grep -q "死亡后连续 2 期发放" "$csv" || fail "a Chinese string did not survive: $(head -c 400 "$csv")"
grep -q "11010519491231002X" "$csv" || fail "the ID ending in X did not survive as text"
grep -q "520102195503120016" "$csv" || fail "an 18-digit ID lost digits"
grep -q "待核查" "$csv" || fail "a status label did not survive"
[ "$(grep -c 'FW-2026-\|DUP-003' "$csv")" -ge 5 ] || fail "lead rows missing: $(cat "$csv")"
# Every sheet converts (-1 = all sheets, one CSV each) without error.
rm -f out/*
timeout 180 soffice -env:UserInstallation=file://"$dir/profile" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
    --outdir out leads.xlsx >lo.log 2>&1 || fail "soffice failed: $(cat lo.log)"
[ "$(ls out | wc -l)" -ge 4 ] || fail "want a CSV per sheet, got: $(ls out)"
grep -rq "数据来源与导出记录" out || fail "the provenance sheet did not survive"
echo "export_libreoffice: ok"
