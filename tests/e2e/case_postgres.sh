# case_postgres.sh: the case workflow on both engines (issue 11). The same run, hits, payments and
# cases (case_seed.inc's, written with SQL both engines take) in a SQLite file and a PostgreSQL
# workspace; the same commands on each: note, verify, confirm, rectify with yuan, close, assign with a
# due date, the second-reviewer rule (a verdict awaiting approval, the same user refused, another
# approving), a stale --expect-version refused; then `case list`, `case show N`, `log` (whole and
# --case, --limit) and `hits` as csv must be identical on both (times masked: the two run a second
# apart), non-empty, with money in yuan; `log verify` passes on both; the workbook's case dossier
# (its history in Chinese words) is the same on both.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo, docs/store.md) and psql; without it the script says it
# did not test, and fails instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
. "$(dirname "$0")/case_seed.inc"

. "$(dirname "$0")/pg.inc"
pg_needed

schema="fw_e2e_case_$$"
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
trap 'psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1; rm -rf "$dir"' EXIT
pgws="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
unset FUNDWATCH_DB

expect_exit 0 "$FW" --db "$db" init
seed_sql_portable | sqlite3 "$db" || fail "cannot seed the SQLite workspace"
expect_exit 0 "$FW" --db "$pgws" init
seed_sql_portable | PGOPTIONS="-c search_path=$schema" psql "$FUNDWATCH_TEST_PG" -q -v ON_ERROR_STOP=1 >/dev/null 2>"$dir/pgerr" ||
    fail "cannot seed the PostgreSQL workspace: $(cat "$dir/pgerr")"

# The workflow, the same on each engine; every step must succeed (or be refused) alike.
workflow() { # workflow TARGET
    local w=$1
    expect_exit 0 "$FW" --db "$w" case note 1 "电话回访，家属称不知情"
    expect_exit 0 "$FW" --db "$w" --user 王五 case set FW-2026-000001 verifying --method visit --verifier "民政局 王五"
    expect_exit 0 "$FW" --db "$w" case set 1 confirmed --note "9 months paid after death, confirmed with the family"
    expect_exit 0 "$FW" --db "$w" case set 1 rectifying --measures stop_payment,recover_funds --to-recover 3,240.00
    expect_exit 0 "$FW" --db "$w" case set 1 closed --recovered "¥3240" --note 已全额追回
    expect_out "rectifying -> closed"
    expect_exit 0 "$FW" --db "$w" case assign 2 县民政局 --due 2020-01-31
    expect_exit 0 "$FW" --db "$w" case note 2 "村委会说车已卖掉"
    expect_exit 0 "$FW" --db "$w" case review on
    expect_exit 0 "$FW" --db "$w" --user alice case set 2 verifying --method online --verifier alice
    expect_exit 0 "$FW" --db "$w" --user alice case set 2 dismissed --reason other --reason-text "车辆已于2022年过户"
    expect_out "awaits approval"
    expect_exit 0 "$FW" --db "$w" case list --status pending_review
    expect_out FW-2026-000002
    expect_exit 6 "$FW" --db "$w" --user alice case approve 2
    expect_err "different user"
    expect_exit 0 "$FW" --db "$w" --user bob case approve FW-2026-000002
    expect_exit 0 "$FW" --db "$w" --format json case show 2
    v=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["version"])' "$dir/out")
    expect_exit 0 "$FW" --db "$w" --user carol case assign 2 乡镇纪委 --expect-version "$v"
    expect_exit 6 "$FW" --db "$w" --user dave case assign 2 县纪委 --expect-version "$v"
    expect_err "was changed meanwhile by carol at "
    expect_exit 0 "$FW" --db "$w" log verify
    expect_out "audit trail OK"
}
workflow "$db"
workflow "$pgws"

# The listings as csv, times masked (ISO UTC times and the local dates the commands stamp today).
today=$(date +%Y-%m-%d)
listing() { # listing NAME TARGET ARGS...: $dir/NAME.ENGINE.csv
    local name=$1 w=$2 engine=sqlite
    shift 2
    [ "$w" = "$db" ] || engine=pg
    expect_exit 0 "$FW" --db "$w" --format csv "$@"
    sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/TIME/g' -e "s/$today( [0-9]{2}:[0-9]{2})?/TODAY/g" \
        "$dir/out" >"$dir/$name.$engine.csv"
    # The trail's user: fw_user() on SQLite, the role that logged in (session_user) on PostgreSQL
    # (docs/users.md); every PostgreSQL record after trail.start must name that role. Then the
    # column is masked on both for the comparison.
    case $name in log* | show*)
        /usr/bin/python3 - "$dir/$name.$engine.csv" "$engine" "$pguser" <<'PY' || fail "$name on $engine: the trail's users"
import csv, sys
path, engine, pguser = sys.argv[1:4]
rows = list(csv.reader(open(path, newline="")))
# the trail's part: from its header row (user, action ...) on, rows as wide as it (case show has
# other parts before it)
start = next(i for i, r in enumerate(rows) if "user" in r and "action" in r)
head = rows[start]
col, act = head.index("user"), head.index("action")
records = [r for r in rows[start + 1:] if len(r) == len(head)]
assert records, "no trail records in %s" % path
if engine == "pg":
    bad = [r for r in records if r[act] != "trail.start" and r[col] != pguser]
    assert not bad, "records not by the session user %s: %s" % (pguser, bad[:3])
for r in records:
    r[col] = "USER"
csv.writer(open(path, "w", newline=""), lineterminator="\n").writerows(rows)
PY
    esac
    [ "$(wc -l <"$dir/$name.$engine.csv")" -gt 1 ] || fail "$* on $engine printed nothing: $(cat "$dir/out")"
}
pguser=$(psql "$FUNDWATCH_TEST_PG" -XAtqc "SELECT session_user")
for w in "$db" "$pgws"; do
    listing list "$w" case list
    listing show1 "$w" case show 1
    listing show2 "$w" case show FW-2026-000002
    listing log "$w" log
    listing logcase "$w" log --case 1
    listing loglimit "$w" log --limit 3
    listing hits "$w" hits
done
for name in list show1 show2 log logcase loglimit hits; do
    diff "$dir/$name.sqlite.csv" "$dir/$name.pg.csv" >"$dir/diff" ||
        fail "$name differs between SQLite (<) and PostgreSQL (>): $(cat "$dir/diff")"
done

# What the listings say, once for both (they are identical): money in yuan, never fen.
grep -q '""status"":""closed"",""recovered"":3240.00,' "$dir/log.pg.csv" ||
    fail "the log's record is not in yuan: $(cat "$dir/log.pg.csv")"
grep -q "status rectifying → closed; recovered ¥0.00 → ¥3,240.00" "$dir/show1.pg.csv" ||
    fail "case show's history in words: $(cat "$dir/show1.pg.csv")"
grep -q 324000 "$dir/show1.pg.csv" "$dir/list.pg.csv" && fail "a listing prints fen"
grep -q "^1,FW-2026-000001,closed,.*,360.00," "$dir/list.pg.csv" || fail "case list: $(cat "$dir/list.pg.csv")"
grep -q "^2,FW-2026-000002,dismissed,.*乡镇纪委" "$dir/list.pg.csv" || fail "case list: $(cat "$dir/list.pg.csv")"
grep -q "case.approve" "$dir/log.pg.csv" || fail "the approval is not in the log"
[ "$(grep -c '^[0-9]' "$dir/loglimit.pg.csv")" = 3 ] || fail "log --limit 3: $(cat "$dir/loglimit.pg.csv")"
grep -q "case:2" "$dir/logcase.pg.csv" && fail "log --case 1 shows case 2's records"
grep -q "^1,DEC-001,.*,360.00," "$dir/hits.pg.csv" || fail "hits: $(cat "$dir/hits.pg.csv")"

# The case dossier of a workbook: its history in Chinese words, the same on both engines.
expect_exit 0 "$FW" --db "$db" export "$dir/case_sqlite.xlsx" --case 1 --case 2 --quiet
expect_exit 0 "$FW" --db "$pgws" export "$dir/case_pg.xlsx" --case 1 --case 2 --quiet
/usr/bin/python3 "$(dirname "$0")/xlsx_same.py" "$dir/case_sqlite.xlsx" "$dir/case_pg.xlsx" --trail-users >"$dir/xdiff" ||
    fail "the case workbook differs between SQLite (<) and PostgreSQL (>): $(cat "$dir/xdiff")"
/usr/bin/python3 - "$dir/case_pg.xlsx" <<'PY' || fail "the PostgreSQL dossier's history is not in words"
import openpyxl, sys
rows = [r for r in openpyxl.load_workbook(sys.argv[1])["FW-2026-000001"].iter_rows(values_only=True)]
words = [r[1] for r in rows if isinstance(r[1], str)]
assert "状态 整改中 → 已办结；已追回 ¥0.00 → ¥3,240.00；办结日期 TODAY；办结说明 已全额追回".replace(
    "TODAY", __import__("datetime").date.today().isoformat()) in words, words
PY
echo ok
