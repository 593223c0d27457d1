# log_anchor.sh: anchoring the audit trail outside the workspace. `log anchor` prints the head as one
# line; every workbook (sheet 数据来源, row 审计日志锚点) and CSV export (its companion
# FILE.csv.provenance.json; the CSV itself stays plain) carries the head of the moment it was
# written; `log verify --against` takes the anchor from a workbook (also one re-saved by openpyxl
# and by LibreOffice, which move strings to the shared table), a CSV, a register of anchor lines or
# the line itself. A chain rewritten with the recipe from record 2 on passes `log verify` but fails
# every --against. Wrong inputs get clear errors.
set -eu
. "$(dirname "$0")/export_lib.bash"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
make_fixture "$dir"
export FUNDWATCH_DB="$dir/ws.db" TZ=Asia/Shanghai

run() { # EXIT CMD...: stdout in out, stderr in err
    local want=$1; shift
    local got=0
    "$@" >out 2>err || got=$?
    [ "$got" -eq "$want" ] || { cat out err; fail "expected exit $want, got $got: $*"; }
}
has() { grep -q -- "$2" "$1" || { cat "$1"; fail "$1 lacks '$2'"; }; }
setting() { sqlite3 ws.db "SELECT value FROM settings WHERE key = '$1'"; }
# The anchor in a workbook's provenance sheet.
wb_anchor() {
    "$PY" - "$1" <<'PY'
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1], read_only=True)['数据来源']
print([r[1] for r in ws.iter_rows(values_only=True) if r[0] == '审计日志锚点'][0])
PY
}

# --- log anchor: one line naming this workspace, the head and the local time ----------------------
"$FW" case note FW-2026-000001 "a note before the anchors" >/dev/null # so they are past trail.start
run 0 "$FW" log anchor
[ "$(wc -l <out)" -eq 1 ] || fail "log anchor printed more than a line: $(cat out)"
line=$(cat out)
head=$(setting trail.head)
echo "$line" | grep -Eq "^fundwatch-anchor ws=$(setting workspace.id) seq=${head%% *} sha256=${head#* } at=20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+08:00$" ||
    fail "anchor line '$line' is not workspace, head and local time (head $head)"

# --- exports carry the head of their moment ----------------------------------------------------------
head=$(setting trail.head)
"$FW" export a.xlsx --quiet >/dev/null
got=$(wb_anchor a.xlsx)
echo "$got" | grep -q "^fundwatch-anchor ws=$(setting workspace.id) seq=${head%% *} sha256=${head#* } at=.*+08:00$" ||
    fail "workbook anchor '$got' is not the head before the export ($head)"
head=$(setting trail.head)
"$FW" export a.csv --quiet >/dev/null
# The CSV is plain data: the byte-order mark, the header, one line per lead; no comment line.
rows=$(sqlite3 ws.db "SELECT json_extract(after, '$.rows') FROM trail WHERE action = 'export' ORDER BY seq DESC LIMIT 1")
[ "$(wc -l <a.csv)" -eq $((rows + 1)) ] || fail "a.csv has $(wc -l <a.csv) lines for $rows leads"
head -c 12 a.csv | grep -q "线索号" || fail "a.csv does not start with its header"
! grep -q "fundwatch-anchor\|^#" a.csv || fail "the CSV holds provenance text"
[ -f a.csv.provenance.json ] || fail "no companion a.csv.provenance.json"
"$PY" - "$head" "$(sha256sum a.csv | cut -c1-64)" "$rows" <<'PY' || fail "companion a.csv.provenance.json is wrong: $(cat a.csv.provenance.json)"
import json, sys
head, sha, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = json.load(open('a.csv.provenance.json', encoding='utf-8'))
seq, h = head.split()
assert p['file'] == 'a.csv' and p['sha256'] == sha and p['rows'] == rows and p['list'] == 'leads', p
assert p['trail_seq'] == int(seq) and p['trail_sha256'] == h, p
assert p['trail_anchor'].startswith('fundwatch-anchor ws=') and ('seq=%s sha256=%s ' % (seq, h)) in p['trail_anchor'], p
assert p['exported_at'].endswith('+08:00') and p['tool'].startswith('fundwatch '), p
PY
# The export record itself names the file's hash; the companion travels beside it.
[ "$(sqlite3 ws.db "SELECT count(*) FROM trail WHERE action = 'export'")" -eq 2 ] || fail "exports not recorded"

# --- --against every kind of source ------------------------------------------------------------------
for src in a.xlsx a.csv a.csv.provenance.json "$line"; do
    run 0 "$FW" log verify --against "$src"
    has out "audit trail OK"
    has out "anchor holds: record [0-9]* still has hash"
done
printf 'Register of trail anchors\n2026-11 月报 %s\n\n(next month)\n%s\n' "$line" "$(wb_anchor a.xlsx)" >register.txt
run 0 "$FW" log verify --against register.txt
[ "$(grep -c 'anchor holds' out)" -eq 2 ] || fail "the register's two anchors were not both checked: $(cat out)"
# Re-saved by openpyxl and by LibreOffice (strings move to the shared string table).
"$PY" -c "import openpyxl; openpyxl.load_workbook('a.xlsx').save('b.xlsx')"
run 0 "$FW" log verify --against b.xlsx
has out "anchor holds"
if command -v soffice >/dev/null; then
    mkdir lo
    timeout 180 soffice -env:UserInstallation=file://"$dir/profile" --headless --convert-to xlsx --outdir lo a.xlsx \
        >lo.log 2>&1 || fail "soffice failed: $(cat lo.log)"
    unzip -l lo/a.xlsx | grep -q sharedStrings.xml || fail "LibreOffice's copy has no shared strings"
    run 0 "$FW" log verify --against lo/a.xlsx
    has out "anchor holds"
else
    echo "note: soffice not installed, the LibreOffice re-save was not tried"
fi

# --- errors ----------------------------------------------------------------------------------------
run 2 "$FW" log verify --against no-such-file
has err "neither a file nor an anchor line"
run 2 "$FW" log verify --against
echo "nothing to see" >plain.txt
run 3 "$FW" log verify --against plain.txt
has err "plain.txt: no anchor line found"
echo "not a zip" >fake.xlsx
run 3 "$FW" log verify --against fake.xlsx
has err "fake.xlsx: not a readable workbook: Not a zip archive"
cp a.csv lonely.csv
run 3 "$FW" log verify --against lonely.csv
has err "lonely.csv has no provenance file lonely.csv.provenance.json"
run 3 "$FW" log verify --against "fundwatch-anchor seq=2 sha256=abc"
has err "sha256= value is malformed"
# A CSV is not exported over an existing companion without --force.
rm a.csv
run 6 "$FW" export a.csv --quiet
has err "a.csv.provenance.json already exists"
[ ! -e a.csv ] || fail "a refused export left a.csv"
run 0 "$FW" export a.csv --quiet --force
# Another workspace's anchor.
mkdir other && make_fixture "$dir/other"
run 3 "$FW" --db other/ws.db log verify --against a.xlsx
has err "the anchor is of workspace $(setting workspace.id) but this workspace is"

# --- a rewritten chain: verify cannot see it, every anchor does --------------------------------------
"$PY" - ws.db <<'PY'
# Rewrites record 2's content and every later record's hashes with the version-2 recipe, moves the
# head, and puts the triggers back exactly as they were.
import hashlib, sqlite3, sys
def field(v):
    if v is None:
        return b'-,'
    b = str(v).encode()
    return str(len(b)).encode() + b':' + b + b','
con = sqlite3.connect(sys.argv[1])
triggers = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE name IN ('trail_no_update', 'trail_no_delete')")]
con.execute("DROP TRIGGER trail_no_update")
rows = con.execute("SELECT seq, at, user, action, object, before, after, prev_hash FROM trail WHERE seq >= 2 ORDER BY seq").fetchall()
prev = rows[0][7]
for seq, at, user, action, obj, before, after, _ in rows:
    if seq == 2:
        after = '{"note":"rewritten"}'
    h = hashlib.sha256(b'fundwatch-trail-v2\n' + b''.join(field(v) for v in (prev, seq, at, user, action, obj, before, after))).hexdigest()
    con.execute("UPDATE trail SET after = ?, prev_hash = ?, hash = ? WHERE seq = ?", (after, prev, h, seq))
    prev = h
con.execute("UPDATE settings SET value = ? WHERE key = 'trail.head'", ('%d %s' % (rows[-1][0], prev),))
con.execute(triggers[0])
con.commit()
PY
run 0 "$FW" log verify
has out "audit trail OK"
for src in a.xlsx a.csv "$line" register.txt; do
    run 3 "$FW" log verify --against "$src"
    has out "audit trail OK"
    has err "was rewritten after the anchor was taken"
done
echo "log_anchor: ok"
