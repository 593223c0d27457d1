# case_errors.sh: bad input and faults on the case commands: each refused with a clear message and
# its documented exit code (2 usage, 3 invalid value, 5 unknown case or filter value, 6 refused by
# state), and in every case nothing written. Then a fault inside the transaction (the trail table
# refusing the record, as a full disk would) leaves neither the change nor its record.
# engines: sqlite postgresql
. "$(dirname "$0")/case_seed.inc"
seed_cases

snapshot() { sql "SELECT count(*) FROM trail; SELECT status || version FROM cases ORDER BY id;
                  SELECT count(*) FROM case_notes;"; }
unchanged() { [ "$(snapshot)" = "$before" ] || fail "something was written: $before -> $(snapshot)"; }
before=$(snapshot)

expect_exit 5 "$FW" case show 99
expect_err "no case with id 99"
expect_exit 5 "$FW" case set FW-1999-000001 verifying --method visit --verifier w
expect_err "no case FW-1999-000001"
expect_exit 5 "$FW" log --case 42

expect_exit 6 "$FW" case set 1 closed
expect_err "cannot become closed; allowed next: verifying"
expect_exit 3 "$FW" case set 1 verifying --method visit
expect_err "needs --verifier"
expect_exit 3 "$FW" case set 1 verifying --method phone --verifier w
expect_err "online 线上核查, visit 入户核查"
expect_exit 3 "$FW" case set 1 verifying --method visit --verifier w --reason data_error
expect_err "does not apply"
expect_exit 3 "$FW" case set 1 bogus
expect_err "unknown status"
unchanged

expect_exit 0 "$FW" case set 1 verifying --method visit --verifier w
before=$(snapshot)
expect_exit 3 "$FW" case set 1 dismissed --reason ""
expect_err "needs --reason"
expect_exit 3 "$FW" case set 1 dismissed --reason other
expect_err "reason-text"
expect_exit 3 "$FW" case set 1 confirmed --note "   "
expect_exit 3 "$FW" case note 1 ""
expect_err "empty"
unchanged

expect_exit 0 "$FW" case set 1 confirmed --note ok
before=$(snapshot)
expect_exit 3 "$FW" case set 1 rectifying --measures stop_payment --to-recover 12.345
expect_err "not an amount"
expect_exit 3 "$FW" case set 1 rectifying --measures stop_payment --to-recover -5
expect_exit 3 "$FW" case set 1 rectifying --measures stop_payment --recovered 1e5
expect_exit 3 "$FW" case set 1 rectifying --measures fine
expect_err "unknown measure 'fine'"
expect_exit 3 "$FW" case assign 1 民政局 --due 2026-02-30
expect_err "YYYY-MM-DD"
expect_exit 3 "$FW" case assign 1 "" --due 2026-02-01
expect_exit 2 "$FW" case set 1 rectifying --bogus
expect_exit 2 "$FW" case set 1
expect_exit 2 "$FW" case frobnicate
expect_exit 2 "$FW" case list --limit many
expect_exit 5 "$FW" case list --status open # an unknown filter value: exit 5 with the known ones
expect_err "known: new 待核查"
unchanged

# A fault inside the transaction: the change and its record vanish together.
if ws_is sqlite; then
    sql "CREATE TRIGGER fault BEFORE INSERT ON trail BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END;"
else
    sql "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS \$\$
           BEGIN RAISE EXCEPTION 'disk I/O error (simulated)'; END \$\$;
         CREATE TRIGGER fault BEFORE INSERT ON trail FOR EACH ROW EXECUTE FUNCTION fault();"
fi
expect_exit 4 "$FW" case set 1 rectifying --measures stop_payment --to-recover 100
expect_err "simulated"
expect_exit 4 "$FW" case note 1 "lost?"
unchanged
if ws_is sqlite; then sql "DROP TRIGGER fault;"; else sql "DROP TRIGGER fault ON trail;"; fi
expect_exit 0 "$FW" case set 1 rectifying --measures stop_payment --to-recover 100
expect_exit 0 "$FW" log verify
echo ok
