#!/usr/bin/env bash
# workbook_print.sh: every kind of workbook (leads, a case's, the case list) printed as a supervisor
# would: LibreOffice (headless) renders it to PDF, pdftotext reads the pages, print_check.py checks
# them: no English code or JSON, the list header on every page, charts and tables never cut, long
# findings wrapped whole, the case dossier readable with its history in words, a bounded page count,
# local times (TZ=Asia/Shanghai), the provenance's with their offset (+08:00, and +00:00 under UTC).
# The workspace is a generated county run through the real pipeline; one case, on which two rules
# hit the same payments, is walked through the workflow first.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "FAIL: $*"; exit 1; }
for tool in soffice pdftotext; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export FUNDWATCH_DB=$dir/ws.db TZ=Asia/Shanghai
"$FW" gen "$dir/gen" --seed 1 --persons 3000 >/dev/null
for f in "$dir"/gen/*.csv; do
    name=$(basename "$f" .csv)
    case $name in truth|rejects-expected) continue ;; esac
    "$FW" import "$name" "$f" >/dev/null
done
"$FW" run >/dev/null 2>&1 || true
# A case where DEC-001 and DEC-003 cite the same payments, walked to rectification.
case_id=$(sqlite3 "$FUNDWATCH_DB" "SELECT a.case_id FROM hits a JOIN hits b ON a.case_id = b.case_id
    WHERE a.rule_id = 'DEC-001' AND b.rule_id = 'DEC-003' LIMIT 1")
[ -n "$case_id" ] || fail "the generated county has no case hit by DEC-001 and DEC-003"
no=$(sqlite3 "$FUNDWATCH_DB" "SELECT case_no FROM cases WHERE id = $case_id")
"$FW" case assign "$no" 县民政局 --due 2027-01-31 >/dev/null
"$FW" case set "$no" verifying --method visit --verifier 李明 >/dev/null
"$FW" case set "$no" confirmed --note "入户核实，本人已于死亡月份后停止领取资格" >/dev/null
"$FW" case set "$no" rectifying --measures stop_payment,recover_funds --to-recover 283.78 --note 停发 >/dev/null
"$FW" case note "$no" "家属已同意退回" >/dev/null
# A dismissed case too, so a dismissal reason has to print in words.
other=$(sqlite3 "$FUNDWATCH_DB" "SELECT case_no FROM cases WHERE id <> $case_id AND status = 'new' LIMIT 1")
"$FW" case set "$other" verifying --method online --verifier 王五 >/dev/null
"$FW" case set "$other" dismissed --reason data_error >/dev/null

cd "$dir"
"$FW" export leads.xlsx --quiet >/dev/null
minute=$(date '+%Y-%m-%d %H:%M')
"$FW" export case.xlsx --case "$no" --quiet >/dev/null
"$FW" export cases.xlsx --list cases --quiet >/dev/null
TZ=UTC "$FW" export cases-utc.xlsx --list cases --quiet >/dev/null
mkdir pdf
timeout 300 soffice -env:UserInstallation=file://"$dir/profile" --headless --convert-to pdf --outdir pdf \
    leads.xlsx case.xlsx cases.xlsx cases-utc.xlsx >lo.log 2>&1 || fail "soffice failed: $(cat lo.log)"
leads=$(("$(sqlite3 "$FUNDWATCH_DB" "SELECT count(*) FROM hits WHERE state = 'present'")"))
cases=$(("$(sqlite3 "$FUNDWATCH_DB" "SELECT count(*) FROM cases")"))
PY=/usr/bin/python3
# Page budgets: the summary, then at least 8 list rows a page, then provenance.
$PY "$here/print_check.py" pdf/leads.pdf --kind leads --xlsx leads.xlsx --max-pages $((8 + leads / 8 + cases / 8 + 6)) \
    --tz-offset +08:00 || fail "the leads workbook as printed"
$PY "$here/print_check.py" pdf/case.pdf --kind case --case "$no" --xlsx case.xlsx --max-pages 16 \
    --tz-offset +08:00 || fail "the case workbook as printed"
$PY "$here/print_check.py" pdf/cases.pdf --kind cases --xlsx cases.xlsx --max-pages $((cases / 8 + 6)) \
    --tz-offset +08:00 --local-minute "$minute" || fail "the case list workbook as printed"
$PY "$here/print_check.py" pdf/cases-utc.pdf --kind cases --xlsx cases-utc.xlsx --max-pages $((cases / 8 + 6)) \
    --tz-offset +00:00 || fail "the case list workbook exported under TZ=UTC"
echo "workbook_print: ok"
