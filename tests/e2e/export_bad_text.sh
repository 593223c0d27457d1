#!/usr/bin/env bash
# export_bad_text.sh: text that is not UTF-8 never reaches a workbook. A rule saved as GBK puts GBK
# bytes into what an export writes: a lead's finding (put into the workspace directly with the
# sqlite3 CLI, as a GBK rule's SQL would), and a rule's name read from its rule file for a case
# sheet. Either way the export fails with exit 3, naming sheet!cell, the column and the row, and
# leaves no file and no temporary file; before, it wrote a workbook openpyxl could not open and
# reported success. Control characters in the data are kept (as Excel's _xHHHH_ escapes) and the
# workbook opens.
set -eu
. "$(dirname "$0")/export_lib.bash"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
make_fixture "$dir"
ws="$dir/ws.db"
exports() { sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'export'"; }
no_file() { [ ! -e "$1" ] || fail "$1 was written"; ! ls -A . | grep -q "^\.$1\." || fail "temporary file left: $(ls -A)"; }
gbk() { printf '%s' "$1" | iconv -f UTF-8 -t GBK | xxd -p | tr -d '\n'; }

# A finding in GBK bytes.
sqlite3 "$ws" "UPDATE hits SET detail = CAST(X'$(gbk 公职人员领取低保)' AS TEXT) WHERE id = 3"
set +e
"$FW" --db "$ws" export leads.xlsx 2>err.txt; rc=$?
set -e
[ $rc = 3 ] || fail "GBK finding: exit $rc, want 3 ($(cat err.txt))"
grep -q "线索清单!N4 (疑点描述, in the row of 线索号 3): the text is not valid UTF-8" err.txt ||
    fail "the message does not say where: $(cat err.txt)"
grep -q "no workbook was written" err.txt && grep -q "rules check" err.txt || fail "no way on: $(cat err.txt)"
no_file leads.xlsx
[ "$(exports)" = 0 ] || fail "a failed export was recorded"
sqlite3 "$ws" "UPDATE hits SET detail = '在职公职人员领取低保' WHERE id = 3"

# A rule name in GBK in the rule file the run loaded (shown on the case's evidence sheet).
/usr/bin/python3 - "$dir/rules.ini" <<'EOF'
import sys
path = sys.argv[1]
text = open(path, encoding='utf-8').read()
head, sep, tail = text.partition('name = 公职人员领取低保')
open(path, 'wb').write(head.encode() + b'name = ' + '公职人员领取低保'.encode('gbk') + tail.encode())
EOF
set +e
"$FW" --db "$ws" export case2.xlsx --case FW-2026-000002 2>err.txt; rc=$?
set -e
[ $rc = 3 ] || fail "GBK rule name: exit $rc, want 3 ($(cat err.txt))"
grep -q "FW-2026-000002!C[0-9]* (规则名称, in the row of 线索号 3): the text is not valid UTF-8 (byte 0xB9 at the start)" err.txt ||
    fail "the message does not name the rule's cell: $(cat err.txt)"
no_file case2.xlsx
[ "$(exports)" = 0 ] || fail "a failed export was recorded"

# Control characters are data: the workbook is written, opens, and keeps them.
sqlite3 "$ws" "UPDATE hits SET name = '李' || char(27) || ']0;x' || char(7) || '四' WHERE id = 3"
"$FW" --db "$ws" export leads.xlsx >/dev/null
/usr/bin/python3 - leads.xlsx <<'EOF'
import sys
import openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['线索清单']
names = [r[4].value for r in ws.iter_rows(min_row=2)]
# openpyxl leaves Excel's _xHHHH_ escapes as written; Excel shows the characters.
if '李_x001B_]0;x_x0007_四' not in names:
    sys.exit('control characters not kept: %r' % names)
EOF
[ "$(exports)" = 1 ] || fail "the export was not recorded"
echo "export_bad_text: ok"
