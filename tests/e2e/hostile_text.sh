#!/usr/bin/env bash
# hostile_text.sh: ledger values written to attack whoever reads the results. Names that a
# spreadsheet would run as formulas (=cmd|' /C calc'!A0, =HYPERLINK("http://x"), +1, @SUM(A1)) are
# neutralised in every CSV fundwatch writes (a leading single quote, the cell quoted), while money
# (-12.50) stays a number: checked with Python's csv module and by LibreOffice itself, converting
# the CSV to xlsx and reading the cell types with openpyxl (strings, never formulas). A name holding
# a terminal escape (ESC ] 0 ; pwned BEL retitles the window) is shown as ^[]0;pwned^G by the CLI's
# tables, kept as data in CSV and escaped as \u001b in JSON.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here"
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
db="$tmp/ws.db"
fw() { "$FW" --db "$db" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v soffice >/dev/null || fail "soffice (libreoffice-calc-nogui) is needed: scripts/install-deps.sh"

data="$here/tests/data/hostile"
fw import payments "$data/payments.csv" >/dev/null
fw import deaths "$data/deaths.csv" >/dev/null
fw run --only DEC-001 >/dev/null 2>&1
[ "$(fw export --count)" = 5 ] || fail "want 5 leads, got $(fw export --count)"

# --- formula injection ----------------------------------------------------------------------------
fw export leads.csv >/dev/null
fw --format csv hits >hits.csv
fw --format csv case list >cases.csv
fw export cases2.csv --list cases >/dev/null
$PY - leads.csv hits.csv cases.csv cases2.csv <<'EOF'
import csv, sys
FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', '+1', '@SUM(A1)']
def rows(path):
    with open(path, encoding='utf-8-sig', newline='') as f:
        return list(csv.reader(f))
def check_names(path, name_col, amount_col=None, amount=None):
    r = rows(path)
    head, body = r[0], r[1:]
    col = head.index(name_col)
    names = [row[col] for row in body]
    for f in FORMULAS:
        if "'" + f not in names:
            sys.exit('%s: %r is not neutralised as %r: %r' % (path, f, "'" + f, names))
        if f in names:
            sys.exit('%s: %r written raw' % (path, f))
    if not any(n.startswith('\x1b]0;pwned\x07') for n in names):
        sys.exit('%s: the escape sequence in a name was not kept as data: %r' % (path, names))
    if amount_col:
        amounts = [row[head.index(amount_col)] for row in body]
        if amount not in amounts:
            sys.exit('%s: amount %s not written as a plain number: %r' % (path, amount, amounts))
    for row in body:
        for cell in row:
            if cell[:1] in ('=', '+', '-', '@', '\t', '\r') and not is_number(cell):
                sys.exit('%s: a text cell starts a formula: %r' % (path, cell))
def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False
check_names(sys.argv[1], '姓名', '涉及金额(元)', '-12.50')
check_names(sys.argv[2], 'name', 'amount', '-1250')
check_names(sys.argv[3], 'name')
check_names(sys.argv[4], '姓名')
# The township column (+乡镇, @镇, -镇) is text too.
towns = [row[7] for row in rows(sys.argv[1])[1:]]
for t in ("'+乡镇", "'@镇", "'-镇"):
    if t not in towns:
        sys.exit('township %r not neutralised: %r' % (t, towns))
EOF

# LibreOffice reads the CSV as a user opening it would: every name a string, money a number.
mkdir lo
timeout 180 soffice -env:UserInstallation=file://"$tmp/profile" --headless --infilter='CSV:44,34,76,1' \
    --convert-to xlsx --outdir lo leads.csv hits.csv >lo.log 2>&1 || fail "soffice failed: $(cat lo.log)"
$PY - lo/leads.xlsx lo/hits.xlsx <<'EOF'
import sys
import openpyxl
for path, name_col, amount_col, amount in ((sys.argv[1], '姓名', '涉及金额(元)', -12.5),
                                           (sys.argv[2], 'name', 'amount', -1250)):
    ws = openpyxl.load_workbook(path).active
    head = [c.value for c in ws[1]]
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == 'f']
    if formulas:
        sys.exit('%s: LibreOffice read formulas in %s' % (path, formulas))
    names = [row[head.index(name_col)] for row in ws.iter_rows(min_row=2)]
    for c in names:
        if c.data_type != 's' or str(c.value).startswith('='):
            sys.exit('%s: name cell %s is %r (%s), want a string' % (path, c.coordinate, c.value, c.data_type))
    amounts = [row[head.index(amount_col)] for row in ws.iter_rows(min_row=2)]
    if not any(c.data_type == 'n' and c.value == amount for c in amounts):
        sys.exit('%s: the amount %s is not a number: %r' % (path, amount, [(c.value, c.data_type) for c in amounts]))
EOF

# --- terminal control codes ------------------------------------------------------------------------
fw hits >table.txt
! grep -q $'\x1b' table.txt || fail "the table printed a raw ESC: $(cat -A table.txt | head -5)"
! grep -q $'\x07' table.txt || fail "the table printed a raw BEL"
grep -qF '^[]0;pwned^G钱七' table.txt || fail "the table does not show the escape: $(cat -A table.txt)"
fw case list >cases.txt
grep -qF '^[]0;pwned^G钱七' cases.txt && ! grep -q $'\x1b' cases.txt || fail "case list: $(cat -A cases.txt)"
# The columns stay aligned: the escaped name is measured as it is shown.
$PY - table.txt <<'EOF'
import sys
import re
import unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
lines = open(sys.argv[1], encoding='utf-8').read().splitlines()
# The column after the name (township) starts at one display column on every row.
after = set()
for line in lines[1:]:
    m = re.search(r'\d{17}[\dX]  .*?  +(?=\S)', line)
    after.add(width(line[:m.end()]) if m else None)
if len(after) != 1 or None in after:
    sys.exit('the column after the name is misaligned: %r' % after)
EOF
fw --format json hits >hits.json
grep -qF '\u001b]0;pwned\u0007钱七' hits.json || fail "JSON does not escape ESC as \\u001b: $(grep pwned hits.json)"
! grep -q $'\x1b' hits.json || fail "JSON holds a raw ESC"
$PY -c "import json,sys; d=json.load(open('hits.json')); sys.exit(0 if any(h['name'].startswith('\x1b]0;pwned') for h in d) else 'json lost the data')"
echo "hostile_text: ok"
