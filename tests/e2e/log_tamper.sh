# log_tamper.sh: `fundwatch log verify` against an attacker with the sqlite3 shell and the file:
# after dropping the append-only triggers, each kind of tampering (edit, delete, insert, reorder,
# cut the tail, append a forged record, delete the head) is caught with exit 3 and the broken
# record named. Also: the triggers refuse UPDATE and DELETE while they are in place.
. "$(dirname "$0")/case_seed.inc"
seed_cases
# Six records through the ordinary commands.
"$FW" case note 1 "first note" >/dev/null
"$FW" case assign 1 民政局 --due 2026-12-31 >/dev/null
"$FW" case set 1 verifying --method online --verifier w >/dev/null
"$FW" whitelist add 11010519491231002X VEH-001 --reason "残疾人代步车" >/dev/null
"$FW" case note 2 "second note" >/dev/null
"$FW" case review on >/dev/null
[ "$(sql 'SELECT count(*) FROM trail')" -eq 6 ] || fail "expected 6 records, got $(sql 'SELECT count(*) FROM trail')"
expect_exit 0 "$FW" log verify
expect_out "OK: 6 records"
expect_out "head: record 6, hash [0-9a-f]\{64\}"

# The triggers hold while they exist.
sqlite3 "$db" "UPDATE trail SET user = 'x' WHERE seq = 1" 2>"$dir/err" && fail "UPDATE was allowed"
expect_err append-only
sqlite3 "$db" "DELETE FROM trail WHERE seq = 6" 2>"$dir/err" && fail "DELETE was allowed"
sql "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
cp "$db" "$dir/clean.db"

# attack NAME SQL EXPECTED...: on a fresh copy, drop the triggers, run SQL, expect exit 3 and each
# EXPECTED text in the message.
attack() {
    local name=$1 statement=$2; shift 2
    cp "$dir/clean.db" "$db"
    rm -f "$db-wal" "$db-shm"
    sqlite3 "$db" "DROP TRIGGER trail_no_update; DROP TRIGGER trail_no_delete; $statement" \
        || fail "$name: the attack itself failed"
    expect_exit 3 "$FW" log verify
    for want in "$@"; do
        grep -q -- "$want" "$dir/err" || { cat "$dir/err" >&2; fail "$name: message lacks '$want'"; }
    done
    echo "caught $name: $(head -n 1 "$dir/err")"
}

attack edited "UPDATE trail SET after = '{\"note\":\"harmless\"}' WHERE seq = 2" \
    "record 2" "content was changed"
attack edited-user "UPDATE trail SET user = 'someone_else' WHERE seq = 4" "record 4" "changed"
attack deleted "DELETE FROM trail WHERE seq = 3" "record 4" "record 3 before it is missing"
attack deleted-renumbered "DELETE FROM trail WHERE seq = 3; UPDATE trail SET seq = seq - 1 WHERE seq > 3" \
    "record 3" "does not follow record 2"
# A forger who knows the hash recipe (fields joined by 0x1f, NULL written as 0x1e) makes records
# that are internally valid; the chain around them still breaks.
forge_hash() { # prev seq at user action object after   (before is NULL)
    printf '%s\037%s\037%s\037%s\037%s\037%s\037\036\037%s\037' "$@" | sha256sum | cut -c1-64
}
h2=$(sqlite3 "$dir/clean.db" "SELECT hash FROM trail WHERE seq = 2")
forged=$(forge_hash "$h2" 3 2026-01-01T00:00:00Z mallory case.status case:1 '{"status":"dismissed"}')
attack inserted "UPDATE trail SET seq = seq + 100 WHERE seq >= 3; UPDATE trail SET seq = seq - 99 WHERE seq > 100;
                 INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash) VALUES
                 (3, '2026-01-01T00:00:00Z', 'mallory', 'case.status', 'case:1', NULL, '{\"status\":\"dismissed\"}',
                  '$h2', '$forged')" \
    "record 4" "does not follow record 3"
attack reordered "UPDATE trail SET seq = 100 WHERE seq = 2; UPDATE trail SET seq = 2 WHERE seq = 3;
                  UPDATE trail SET seq = 3 WHERE seq = 100" \
    "record 2" "does not follow record 1"
attack truncated "DELETE FROM trail WHERE seq = 6" "record 6" "tail was deleted"
attack truncated-two "DELETE FROM trail WHERE seq >= 5" "record 5" "tail was deleted"
h6=$(sqlite3 "$dir/clean.db" "SELECT hash FROM trail WHERE seq = 6")
forged=$(forge_hash "$h6" 7 2026-01-01T00:00:00Z mallory case.note case:1 '{"note":"x"}')
attack appended "INSERT INTO trail(seq, at, user, action, object, before, after, prev_hash, hash) VALUES
                 (7, '2026-01-01T00:00:00Z', 'mallory', 'case.note', 'case:1', NULL, '{\"note\":\"x\"}', '$h6', '$forged')" \
    "record 7" "outside fundwatch"
attack head-deleted "DELETE FROM settings WHERE key = 'trail.head'" "trail.head" "missing"
attack head-rewritten "DELETE FROM trail WHERE seq = 6;
                       UPDATE settings SET value = '6 0000000000000000000000000000000000000000000000000000000000000000'
                       WHERE key = 'trail.head'" \
    "record 6"
echo ok
