# store_open.sh: why a workspace cannot be opened reaches the user (a file that is not SQLite, a
# schema newer than this fundwatch: the path once and the reason), and a workspace on read-only
# media can still be read: a 0444 file in a 0555 folder, used by a user who may not write either
# (as root, which ignores permissions, the commands run as nobody through setpriv). Read commands
# work and show the data; writing commands are refused naming the cause; a WAL whose changes would
# need the missing -shm file is refused rather than read stale.
# engines: sqlite (how a SQLite file is opened: modes, read-only media, -wal; PostgreSQL opening is store_postgres.sh and pg_faults.sh)
. "$(dirname "$0")/case_seed.inc"
seed_cases

# Not a database: the reason is kept and the path said once.
echo "just notes, not a workspace" >"$dir/notes.db"
expect_exit 4 "$FW" --db "$dir/notes.db" hits
expect_err "$dir/notes.db: not a usable fundwatch workspace: file is not a database"
[ "$(grep -o "$dir/notes.db" "$dir/err" | wc -l)" = 1 ] || fail "the path is repeated: $(cat "$dir/err")"
# A newer schema: said, with both versions.
cp "$db" "$dir/newer.db"
sqlite3 "$dir/newer.db" "PRAGMA user_version = 999"
expect_exit 4 "$FW" --db "$dir/newer.db" case list
expect_err "workspace schema 999 is newer than this fundwatch understands"
[ "$(grep -o "$dir/newer.db" "$dir/err" | wc -l)" = 1 ] || fail "the path is repeated: $(cat "$dir/err")"

# Read-only media: a copy nobody may write, in a folder nobody may write.
ro=$dir/ro
mkdir "$ro"
sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$db" "$ro/ws.db"
chmod 0444 "$ro/ws.db"
chmod 0555 "$ro"
chmod 0755 "$dir"
as_reader() { # runs fundwatch as a user without write access
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$dir" XDG_CONFIG_HOME="$dir/xdg" "$FW" "$@"
    else
        "$FW" "$@"
    fi
}
if [ "$(id -u)" = 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "touch '$ro/probe' 2>/dev/null" &&
        fail "the reader can write in $ro: the test would prove nothing"
fi
for cmd in "hits" "case list" "case show 1" "log" "log verify" "overview" "export --count" "whitelist list" \
           "datasets" "rules list"; do
    # shellcheck disable=SC2086
    expect_exit 0 as_reader --db "$ro/ws.db" $cmd
done
expect_exit 0 as_reader --db "$ro/ws.db" --format csv case list
expect_out "FW-2026-000001"
expect_exit 0 as_reader --db "$ro/ws.db" --format csv hits
[ "$(tail -n +2 "$dir/out" | wc -l)" = 2 ] || fail "the read-only workspace lists $(tail -n +2 "$dir/out" | wc -l) hits, not 2"
expect_exit 4 as_reader --db "$ro/ws.db" case note 1 "a note"
expect_err "this command changes the workspace, which cannot be written"
[ "$(ls "$ro")" = ws.db ] || fail "reading left files in the read-only folder: $(ls "$ro")"

# Changes still in the WAL, with no -shm to read them through: refused, not read stale.
ro2=$dir/ro2
mkdir "$ro2"
cp "$db" "$dir/wal.db"
/usr/bin/python3 - "$dir/wal.db" <<'EOF'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("INSERT INTO settings(key, value) VALUES ('probe', 'in the wal')")
c.commit()
os._exit(0)  # as if killed: the WAL keeps the change
EOF
[ -s "$dir/wal.db-wal" ] || fail "the fixture left no WAL"
cp "$dir/wal.db" "$dir/wal.db-wal" "$ro2/"
chmod 0444 "$ro2"/*
chmod 0555 "$ro2"
expect_exit 4 as_reader --db "$ro2/wal.db" hits
expect_err "its last changes are still in $ro2/wal.db-wal"
# With the -shm beside it the WAL is read.
chmod 0755 "$ro2"
cp "$dir/wal.db-shm" "$ro2/"
chmod 0444 "$ro2/wal.db-shm"
chmod 0555 "$ro2"
expect_exit 0 as_reader --db "$ro2/wal.db" hits
chmod -R u+w "$ro" "$ro2"
echo ok
