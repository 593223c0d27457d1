# export_lib.bash: shared by the export_*.sh tests (sourced; named .bash so tests/run.sh does not
# run it as a test). Makes a fixture workspace: created by fundwatch (so the schema is its own),
# then filled with export_fixture.sql through the sqlite3 CLI.
# shellcheck shell=bash
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3
CHECK="$here/export_check.py"

fail() { echo "FAIL: $*"; exit 1; }

# make_fixture DIR: DIR/ws.db and DIR/rules.ini
make_fixture() {
    local dir=$1
    cp "$here/export_rules.ini" "$dir/rules.ini"
    "$FW" --db "$dir/ws.db" init >/dev/null || fail "fundwatch could not create a workspace"
    sed "s|@RULES@|$dir/rules.ini|" "$here/export_fixture.sql" | sqlite3 "$dir/ws.db" ||
        fail "fixture did not load"
}
