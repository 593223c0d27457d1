# copy_postgres.sh: `fundwatch copy --to TARGET` (issue 11) moves a whole workspace from a SQLite file
# to PostgreSQL and back: an imported dataset with its provenance and rejects, a run, hits with their
# evidence, cases worked through the CLI, a note, a whitelist entry and the trail. On each copy the
# trail verifies and ends at the source's head (the same anchor seq and hash), the listings as csv
# are the same as the source's, and the copy takes new writes (its ids carry on). A target holding
# more than `init` wrote is refused, exit 3, and keeps what it had.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo, docs/store.md) and psql; without it the script says it
# did not test, and fails instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
. "$(dirname "$0")/case_seed.inc"

. "$(dirname "$0")/pg.inc"
pg_needed

schemas=""
trap 'for s in $schemas; do psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; done; rm -rf "$dir"' EXIT
new_target() { # new_target NAME: an empty schema; prints the target that uses it
    local s="fw_e2e_copy_$$_$1"
    psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
    schemas="$schemas $s"
    echo "$FUNDWATCH_TEST_PG options='-c search_path=$s'"
}
unset FUNDWATCH_DB

# The source: a SQLite workspace with a dataset imported, a run's hits and cases, work on them.
cat >"$dir/deaths.csv" <<'CSV'
id_number,death_date
520102195503120016,2023-03-10
520102194505051021,2023-13-15
CSV
expect_exit 0 "$FW" --db "$db" init
seed_sql_portable | sqlite3 "$db" || fail "cannot seed the SQLite workspace"
"$FW" --db "$db" import deaths "$dir/deaths.csv" >"$dir/out" 2>&1 || true # one row rejected
expect_exit 0 "$FW" --db "$db" case note 1 "电话回访，家属称不知情"
expect_exit 0 "$FW" --db "$db" case set 1 verifying --method visit --verifier 王五
expect_exit 0 "$FW" --db "$db" case set 1 confirmed --note "死亡后仍发放"
expect_exit 0 "$FW" --db "$db" case set 1 rectifying --measures stop_payment,recover_funds --to-recover 360.00
expect_exit 0 "$FW" --db "$db" case assign 2 县民政局 --due 2020-01-31
expect_exit 0 "$FW" --db "$db" whitelist add 11010519491231002X VEH-001 --reason "残疾人代步车"
expect_exit 0 "$FW" --db "$db" log anchor
src_anchor=$(grep -o 'seq=[0-9]* sha256=[0-9a-f]*' "$dir/out")
[ -n "$src_anchor" ] || fail "no anchor: $(cat "$dir/out")"

listings() { # listings TARGET NAME: the listings as csv into $dir/NAME.*
    local w=$1 name=$2 i=0
    for cmd in "case list" "case show 1" "case show 2" "log" "hits" "datasets" "rejects" "whitelist list" "overview"; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        expect_exit 0 "$FW" --db "$w" --format csv $cmd
        [ -s "$dir/out" ] || fail "$cmd printed nothing on $name"
        cp "$dir/out" "$dir/$name.$i"
    done
}
same_listings() { # same_listings A B
    for i in 1 2 3 4 5 6 7 8 9; do
        diff "$dir/$1.$i" "$dir/$2.$i" >"$dir/diff" || fail "listing $i differs between $1 (<) and $2 (>): $(cat "$dir/diff")"
    done
}
listings "$db" sqlite

# SQLite -> PostgreSQL.
pgws=$(new_target pg)
expect_exit 0 "$FW" --db "$db" copy --to "$pgws"
expect_out "audit trail OK"
expect_exit 0 "$FW" --db "$pgws" log verify
expect_exit 0 "$FW" --db "$pgws" log anchor
grep -q "$src_anchor" "$dir/out" || fail "the copy's head is not the source's ($src_anchor): $(cat "$dir/out")"
listings "$pgws" pg
same_listings sqlite pg
grep -q "残疾人代步车" "$dir/pg.8" || fail "the whitelist was not copied"
grep -q "deaths" "$dir/pg.6" || fail "the dataset's provenance was not copied"

# A target that is not new: refused, nothing written (the source itself, or the copy again).
n=$(PGOPTIONS="-c search_path=fw_e2e_copy_$$_pg" psql "$FUNDWATCH_TEST_PG" -XAtc "SELECT count(*) FROM trail")
expect_exit 3 "$FW" --db "$db" copy --to "$pgws"
expect_err "already holds a workspace's data"
[ "$(PGOPTIONS="-c search_path=fw_e2e_copy_$$_pg" psql "$FUNDWATCH_TEST_PG" -XAtc "SELECT count(*) FROM trail")" = "$n" ] ||
    fail "a refused copy wrote into the target"
expect_exit 3 "$FW" --db "$pgws" copy --to "$db"
expect_err "already holds a workspace's data"

# PostgreSQL -> a new SQLite file: the same again.
expect_exit 0 "$FW" --db "$pgws" copy --to "$dir/back.db"
expect_exit 0 "$FW" --db "$dir/back.db" log verify
expect_exit 0 "$FW" --db "$dir/back.db" log anchor
grep -q "$src_anchor" "$dir/out" || fail "the copy back's head is not the source's: $(cat "$dir/out")"
listings "$dir/back.db" back
same_listings sqlite back

# Each copy takes new work: ids and the trail carry on from the copied ones.
for w in "$pgws" "$dir/back.db"; do
    expect_exit 0 "$FW" --db "$w" case note 2 "复制后的备注"
    expect_exit 0 "$FW" --db "$w" whitelist add 520102195503120016 DEC-001 --reason "复核"
    expect_out "whitelist entry 2 added"
    expect_exit 0 "$FW" --db "$w" log verify
done
echo ok
