#!/usr/bin/env bash
# export_stale_temp.sh: an export killed with SIGKILL leaves its temporary file behind (nothing can
# run in a killed process); the next export to that folder removes it, since its writer is gone,
# and says so. A temporary file whose writer still runs, one from another machine written within
# the day, and other hidden files are left alone; another machine's day-old one is removed.
# SIGTERM stops an export like Ctrl-C: exit 130, no file, no temporary file, nothing recorded.
set -eu
. "$(dirname "$0")/export_lib.bash"
dir=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
cd "$dir"
make_fixture "$dir"
ws="$dir/ws.db"
exports() { sqlite3 "$ws" "SELECT count(*) FROM trail WHERE action = 'export'"; }
host=$(hostname | tr -cd 'A-Za-z0-9-' | cut -c1-32)
# Enough leads that an export runs for a second or two.
sqlite3 "$ws" "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 100100)
  INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name,
                   township, amount, first_date, detail, evidence_hash, first_run_id, last_run_id)
  SELECT i, 'bulk' || i, 'DEC-001', 'deceased', 'high', 'person', printf('5201021955%08d', i),
         printf('5201021955%08d', i), '测试' || i, '黔灵镇', i * 100, '2023-01-01', 'x', 'x', 1, 1 FROM n"
mkdir out

# wait_temp NAME: waits until the export's temporary file for out/NAME exists; prints its path.
wait_temp() {
    for _ in $(seq 1 500); do
        t=$(ls -A out | grep "^\.$1\.fwtmp\.$host\." || true)
        if [ -n "$t" ]; then echo "out/$t"; return 0; fi
        sleep 0.01
    done
    fail "no temporary file appeared for $1: $(ls -A out)" >&2 # in $(...): say it on stderr
}

# SIGKILL: the temporary file stays.
"$FW" --db "$ws" export out/big.xlsx >/dev/null 2>&1 &
pid=$!
killed=$(wait_temp big.xlsx)
kill -9 $pid
wait $pid 2>/dev/null || true
[ -e "$killed" ] || fail "the killed export left no temporary file (the test proves nothing)"
[[ $killed == *".fwtmp.$host.$pid."* ]] || fail "the temporary name does not name its writer: $killed"

# Planted neighbours: a live writer (this shell), another machine's (fresh and day-old), a dotfile.
live="out/.live.xlsx.fwtmp.$host.$$.AbCdEf"
fresh="out/.far.xlsx.fwtmp.otherhost.4242.AbCdEf"
old="out/.old.xlsx.fwtmp.otherhost.4243.AbCdEf"
touch "$live" "$fresh" "$old" out/.keep
touch -d '2 days ago' "$old"

"$FW" --db "$ws" export out/small.xlsx --case FW-2026-000001 >/dev/null 2>err.txt || fail "export: $(cat err.txt)"
grep -q "removed 2 temporary files left in the folder by exports that were killed" err.txt ||
    fail "the cleanup was not reported: $(cat err.txt)"
[ ! -e "$killed" ] || fail "the killed export's temporary file is still there"
[ ! -e "$old" ] || fail "another machine's day-old temporary file is still there"
[ -e "$live" ] && [ -e "$fresh" ] && [ -e out/.keep ] || fail "a file that is not stale was removed: $(ls -A out)"
$PY "$CHECK" xlsx out/small.xlsx --db "$ws" --count 2 --cases FW-2026-000001 >/dev/null ||
    fail "the export after the cleanup is not a good workbook"

# SIGTERM: stopped cleanly.
before=$(exports)
"$FW" --db "$ws" export out/big2.xlsx >/dev/null 2>err.txt &
pid=$!
wait_temp big2.xlsx >/dev/null
kill -TERM $pid
set +e
wait $pid; rc=$?
set -e
[ $rc = 130 ] || fail "SIGTERM: exit $rc, want 130 ($(cat err.txt))"
[ ! -e out/big2.xlsx ] || fail "SIGTERM left a file"
! ls -A out | grep -q '^\.big2\.xlsx\.' || fail "SIGTERM left a temporary file: $(ls -A out)"
[ "$(exports)" = "$before" ] || fail "a stopped export was recorded"
echo "export_stale_temp: ok"
