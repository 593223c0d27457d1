# log_tamper.sh: `fundwatch log verify` against an attacker with the sqlite3 shell and the file:
# after dropping the append-only triggers, each kind of tampering (edit, delete, insert, reorder,
# cut the tail, append a forged record, delete the head, empty the trail, move text across fields)
# is caught with exit 3 and the broken record named; an ordinary case note made afterwards does not
# hide it: when the end of the chain was touched the note is refused (exit 3, "altered", nothing
# written), and in every case `log verify` still fails the same way after it. Also: the triggers
# refuse UPDATE and DELETE while they are in place, and verify notices them dropped or replaced.
# engines: sqlite (the attacker edits the SQLite file with the sqlite3 shell and copies it; on PostgreSQL the trail's protection is the server's grants, tested by users_postgres.sh)
. "$(dirname "$0")/case_seed.inc"
seed_cases
# Record 1 is trail.start; seven more through the ordinary commands, one by a user whose name holds
# the unit separator 0x1F that chain version 1 joined fields with.
"$FW" case note 1 "first note" >/dev/null
"$FW" case assign 1 民政局 --due 2026-12-31 >/dev/null
"$FW" case set 1 verifying --method online --verifier w >/dev/null
"$FW" whitelist add 11010519491231002X VEH-001 --reason "残疾人代步车" >/dev/null
"$FW" case note 2 "second note" >/dev/null
"$FW" --user "$(printf '王五\037case.status')" case note 2 "third note" >/dev/null
"$FW" case review on >/dev/null
[ "$(sql 'SELECT count(*) FROM trail')" -eq 8 ] || fail "expected 8 records, got $(sql 'SELECT count(*) FROM trail')"
expect_exit 0 "$FW" log verify
expect_out "OK: 8 records"
expect_out "head: record 8, hash [0-9a-f]\{64\}"

# The triggers hold while they exist.
sqlite3 "$db" "UPDATE trail SET user = 'x' WHERE seq = 1" 2>"$dir/err" && fail "UPDATE was allowed"
expect_err append-only
sqlite3 "$db" "DELETE FROM trail WHERE seq = 6" 2>"$dir/err" && fail "DELETE was allowed"
sql "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp "$db" "$dir/clean.db"

# attack NAME SQL NOTE EXPECTED...: on a fresh copy, drop the triggers, run SQL (and put the
# triggers back as shipped), expect exit 3 and each EXPECTED text in the message; then an ordinary
# case note: NOTE=refused expects exit 3 ("altered", the first EXPECTED text, nothing written),
# NOTE=written expects it to pass (the end of the chain is intact); either way verify still fails
# with the same message afterwards.
attack() {
    local name=$1 statement=$2 note=$3; shift 3
    cp "$dir/clean.db" "$db"
    rm -f "$db-wal" "$db-shm"
    local update delete
    update=$(sqlite3 "$db" "SELECT sql FROM sqlite_master WHERE name = 'trail_no_update'")
    delete=$(sqlite3 "$db" "SELECT sql FROM sqlite_master WHERE name = 'trail_no_delete'")
    sqlite3 "$db" "DROP TRIGGER trail_no_update; DROP TRIGGER trail_no_delete; $statement; $update; $delete" \
        || fail "$name: the attack itself failed"
    expect_exit 3 "$FW" log verify
    for want in "$@"; do
        grep -q -- "$want" "$dir/err" || { cat "$dir/err" >&2; fail "$name: message lacks '$want'"; }
    done
    local first; first=$(head -n 1 "$dir/err")
    local rows; rows=$(sql "SELECT count(*) || ' ' || coalesce((SELECT value FROM settings WHERE key = 'trail.head'), '-') FROM trail")
    if [ "$note" = refused ]; then
        expect_exit 3 "$FW" case note 1 "an ordinary note after the attack"
        expect_err "the audit trail was altered"
        expect_err "nothing was written"
        [ "$(sql "SELECT count(*) || ' ' || coalesce((SELECT value FROM settings WHERE key = 'trail.head'), '-') FROM trail")" = "$rows" ] ||
            fail "$name: the refused note changed the trail"
        [ "$(sql "SELECT count(*) FROM case_notes WHERE text LIKE '%after the attack'")" -eq 0 ] ||
            fail "$name: the refused note was kept"
    else
        expect_exit 0 "$FW" case note 1 "an ordinary note after the attack"
    fi
    expect_exit 3 "$FW" log verify
    [ "$(head -n 1 "$dir/err")" = "$first" ] || { cat "$dir/err" >&2; fail "$name: the note changed what verify says"; }
    echo "caught $name (note $note): $first"
}

attack edited "UPDATE trail SET after = '{\"note\":\"harmless\"}' WHERE seq = 2" written \
    "record 2" "content was changed"
attack edited-user "UPDATE trail SET user = 'someone_else' WHERE seq = 4" written "record 4" "changed"
attack deleted "DELETE FROM trail WHERE seq = 3" written "record 4" "record 3 before it is missing"
attack deleted-renumbered "DELETE FROM trail WHERE seq = 3; UPDATE trail SET seq = seq - 1 WHERE seq > 3" refused \
    "record 3" "does not follow record 2"
# A forger who knows the hash recipe (version 2: "fundwatch-trail-v2\n", then each field as a
# netstring LEN:BYTES, NULL as "-,") makes records that are internally valid; the chain around them
# still breaks.
forge_hash() { # prev seq at user action object after   (before is NULL)
    { printf 'fundwatch-trail-v2\n'
      for f in "$1" "$2" "$3" "$4" "$5" "$6"; do printf '%s:%s,' "$(printf %s "$f" | wc -c)" "$f"; done
      printf -- '-,'
      printf '%s:%s,' "$(printf %s "$7" | wc -c)" "$7"; } | sha256sum | cut -c1-64
}
h2=$(sqlite3 "$dir/clean.db" "SELECT hash FROM trail WHERE seq = 2")
forged=$(forge_hash "$h2" 3 2026-01-01T00:00:00Z mallory case.status case:1 '{"status":"dismissed"}')
attack inserted "UPDATE trail SET seq = seq + 100 WHERE seq >= 3; UPDATE trail SET seq = seq - 99 WHERE seq > 100;
                 INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash, version) VALUES
                 (3, '2026-01-01T00:00:00Z', 'mallory', 'case.status', 'case:1', NULL, '{\"status\":\"dismissed\"}',
                  '$h2', '$forged', 2)" refused \
    "record 4" "does not follow record 3"
attack reordered "UPDATE trail SET seq = 100 WHERE seq = 2; UPDATE trail SET seq = 2 WHERE seq = 3;
                  UPDATE trail SET seq = 3 WHERE seq = 100" written \
    "record 2" "does not follow record 1"
attack truncated "DELETE FROM trail WHERE seq = 8" refused "record 8" "tail was deleted"
attack truncated-two "DELETE FROM trail WHERE seq >= 7" refused "record 7" "tail was deleted"
h8=$(sqlite3 "$dir/clean.db" "SELECT hash FROM trail WHERE seq = 8")
forged=$(forge_hash "$h8" 9 2026-01-01T00:00:00Z mallory case.note case:1 '{"note":"x"}')
attack appended "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash, version) VALUES
                 (9, '2026-01-01T00:00:00Z', 'mallory', 'case.note', 'case:1', NULL, '{\"note\":\"x\"}', '$h8', '$forged', 2)" \
    refused "record 9" "outside fundwatch"
attack head-deleted "DELETE FROM settings WHERE key = 'trail.head'" refused "trail.head" "missing" "record 8"
attack head-rewritten "DELETE FROM trail WHERE seq = 8;
                       UPDATE settings SET value = '8 0000000000000000000000000000000000000000000000000000000000000000'
                       WHERE key = 'trail.head'" refused \
    "record 8"
attack emptied "DELETE FROM trail; DELETE FROM settings WHERE key = 'trail.head'" refused \
    "record 1" "trail was deleted"
attack last-edited "UPDATE trail SET after = '{\"status\":\"x\"}' WHERE seq = 8" refused "record 8" "changed"
# Record 7's user holds 0x1F: moving "case.status" from the user into the action gives the same
# bytes under chain version 1, not under version 2.
attack text-moved "UPDATE trail SET user = '王五', action = 'case.status' || char(31) || action WHERE seq = 7" written \
    "record 7" "changed"
# A record forged in chain version 1 (fields joined by 0x1F) after version-2 records.
forged=$(printf '%s\037%s\037%s\037%s\037%s\037%s\037\036\037%s\037' "$h8" 9 2026-01-01T00:00:00Z mallory case.note \
         case:1 '{"note":"x"}' | sha256sum | cut -c1-64)
attack downgraded "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash, version) VALUES
                   (9, '2026-01-01T00:00:00Z', 'mallory', 'case.note', 'case:1', NULL, '{\"note\":\"x\"}', '$h8', '$forged', 1);
                   UPDATE settings SET value = '9 $forged' WHERE key = 'trail.head'" refused \
    "record 9" "version 1 after a record of version 2"

# Other writers are refused the same way: an export (its trail record) leaves no file.
cp "$dir/clean.db" "$db"; rm -f "$db-wal" "$db-shm"
sqlite3 "$db" "DROP TRIGGER trail_no_delete; DELETE FROM trail WHERE seq = 8"
expect_exit 3 "$FW" export "$dir/after.xlsx" --quiet
expect_err "the audit trail was altered"
[ ! -e "$dir/after.xlsx" ] || fail "an export was written onto an altered trail"
expect_exit 3 "$FW" whitelist add 520102195503120016 DEC-001 --reason x
expect_err "the audit trail was altered"

# The triggers themselves: dropped, or put back with a loophole, or joined by one of one's own.
trigger_attack() { # NAME SQL EXPECTED...
    local name=$1 statement=$2; shift 2
    cp "$dir/clean.db" "$db"
    rm -f "$db-wal" "$db-shm"
    sqlite3 "$db" "$statement" || fail "$name: the attack itself failed"
    expect_exit 3 "$FW" log verify
    for want in "$@"; do
        grep -q -- "$want" "$dir/err" || { cat "$dir/err" >&2; fail "$name: message lacks '$want'"; }
    done
    echo "caught $name: $(head -n 1 "$dir/err")"
}
trigger_attack trigger-dropped "DROP TRIGGER trail_no_delete" "trail_no_delete" "missing"
trigger_attack trigger-altered "DROP TRIGGER trail_no_update;
    CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail WHEN NEW.user <> 'mallory'
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END" "trail_no_update" "not the one fundwatch created"
trigger_attack trigger-added "CREATE TRIGGER hide BEFORE INSERT ON trail WHEN NEW.action = 'case.note'
    BEGIN SELECT RAISE(IGNORE); END" "hide" "did not create"
echo ok
