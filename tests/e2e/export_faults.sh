#!/usr/bin/env bash
# export_faults.sh: an export never leaves a partial or unrecorded file: an existing file is kept
# unless --force (exit 6); an unwritable or missing directory is a clear error (exit 1); a full
# disk (simulated with a file-size limit) fails cleanly with no file and no temporary file left;
# failed exports are not recorded in the audit trail.
set -eu
. "$(dirname "$0")/export_lib.bash"
dir=$(mktemp -d)
trap 'chmod -R u+w "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir"
make_fixture "$dir"
ws="$dir/ws.db"
exports() { sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'export'"; }
no_temp() { ! ls -A "$1" | grep -q '^\.' || fail "temporary file left in $1: $(ls -A "$1")"; }

# An existing file is not replaced without --force.
echo "keep me" >old.xlsx
set +e
"$FW" --db "$ws" export old.xlsx 2>err.txt; rc=$?
set -e
[ $rc = 6 ] || fail "existing file: exit $rc, want 6"
grep -q -- "--force" err.txt || fail "the message does not say how to go on: $(cat err.txt)"
[ "$(cat old.xlsx)" = "keep me" ] || fail "the existing file was changed"
"$FW" --db "$ws" export old.xlsx --force >/dev/null
$PY "$CHECK" xlsx old.xlsx --db "$ws" --count 5
[ "$(exports)" = 1 ] || fail "want exactly the forced export in the trail, got $(exports)"

# A directory that does not exist, and one that cannot be written.
set +e
"$FW" --db "$ws" export "$dir/nowhere/x.xlsx" 2>err.txt; rc=$?
set -e
[ $rc = 1 ] && grep -q "nowhere" err.txt || fail "missing directory: exit $rc, $(cat err.txt)"
if [ "$(id -u)" = 0 ]; then
    ro=/proc   # root writes through permissions; /proc refuses new files even to root
else
    ro="$dir/ro"; mkdir "$ro"; chmod 555 "$ro"
fi
set +e
"$FW" --db "$ws" export "$ro/x.xlsx" 2>err.txt; rc=$?
set -e
[ $rc = 1 ] && grep -q "cannot write" err.txt || fail "unwritable directory: exit $rc, $(cat err.txt)"
[ ! -e "$ro/x.xlsx" ] || fail "a file appeared in the unwritable directory"

# A full disk: rows whose text does not compress, and a file-size limit below what they need.
sqlite3 "$ws" "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 3100)
  INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
                   township, amount, first_date, detail, evidence_hash, first_run_id, last_run_id)
  SELECT i, 'bulk' || i, 'DEC-001', 'deceased', 'high', 'person', printf('5201021955%08d', i),
         printf('5201021955%08d', i), '测试' || i, '黔灵镇', i * 100, '2023-01-01',
         hex(randomblob(24)), 'x', 1, 1 FROM n"
mkdir full
for f in full/big.xlsx full/big.csv; do
    set +e
    ( ulimit -f 48; trap '' XFSZ; "$FW" --db "$ws" export "$f" ) 2>err.txt; rc=$?
    set -e
    [ $rc = 1 ] || fail "$f on a full disk: exit $rc, want 1 ($(cat err.txt))"
    grep -q "disk full\|too large\|No space" err.txt || fail "$f: unclear message: $(cat err.txt)"
    [ ! -e "$f" ] || fail "$f: a partial file was left"
    no_temp full
done
[ "$(exports)" = 1 ] || fail "a failed export was recorded in the trail"
# Ctrl-C while writing: exit 130, no file, no temporary file, nothing recorded.
sqlite3 "$ws" "WITH RECURSIVE n(i) AS (SELECT 10000 UNION ALL SELECT i + 1 FROM n WHERE i < 70000)
  INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
                   township, amount, first_date, detail, evidence_hash, first_run_id, last_run_id)
  SELECT i, 'bulk' || i, 'DEC-001', 'deceased', 'high', 'person', printf('5201021955%08d', i),
         printf('5201021955%08d', i), '测试' || i, '黔灵镇', i * 100, '2023-01-01', '批量', 'x', 1, 1 FROM n"
# Signal once it writes (its temporary file exists): before its handler is installed, a background
# job ignores SIGINT, and a slow start (ASan, a busy machine) would let the export finish.
started() { for _ in $(seq 200); do ls -A full | grep -q "^\.$1" && return; sleep 0.05; done; fail "$1 not started"; }
"$FW" --db "$ws" export full/int.xlsx 2>err.txt &
pid=$!
started int.xlsx
kill -INT $pid
set +e
wait $pid; rc=$?
set -e
[ $rc = 130 ] || fail "interrupted export: exit $rc, want 130 ($(cat err.txt))"
[ ! -e full/int.xlsx ] || fail "an interrupted export left a file"
no_temp full
[ "$(exports)" = 1 ] || fail "an interrupted export was recorded in the trail"
# SIGTERM (a shutdown, a job scheduler) stops it the same way.
"$FW" --db "$ws" export full/term.xlsx 2>err.txt &
pid=$!
started term.xlsx
kill -TERM $pid
set +e
wait $pid; rc=$?
set -e
[ $rc = 130 ] || fail "export stopped by SIGTERM: exit $rc, want 130 ($(cat err.txt))"
[ ! -e full/term.xlsx ] || fail "an export stopped by SIGTERM left a file"
no_temp full
sqlite3 "$ws" "DELETE FROM hits WHERE id >= 10000"

# The same export succeeds without the limit (so the limit, not the data, made it fail).
"$FW" --db "$ws" export full/big.xlsx >/dev/null
$PY "$CHECK" xlsx full/big.xlsx --db "$ws" --count 3006
no_temp full
no_temp "$dir"
echo "export_faults: ok"
