# orders_postgres.sh: the verification order round trip on a PostgreSQL workspace: migration 5's
# tables exist there, dispatch writes the workbook and the order, a workbook filled with openpyxl is
# received and its answers accepted through the case workflow, and the trail still verifies.
# Needs FUNDWATCH_TEST_PG (docs/store.md); without it the script says it did not test, and fails
# instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
. "$(dirname "$0")/case_seed.inc"

. "$(dirname "$0")/pg.inc"
pg_needed
s="fw_e2e_$$_orders"
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
trap 'psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; rm -rf "$dir"' EXIT
ws="$FUNDWATCH_TEST_PG options='-c search_path=$s'"
pg() { PGOPTIONS="-c search_path=$s" psql "$FUNDWATCH_TEST_PG" -XAtqc "$1"; }
export FUNDWATCH_USER=tester
unset FUNDWATCH_DB

expect_exit 0 "$FW" --db "$ws" init
pg "INSERT INTO runs(id, \"user\", started_at, status) VALUES (1, 'engine', '2026-01-01T00:00:00Z', 'complete');
    INSERT INTO cases(id, case_no, subject_kind, subject, id_number, name, township, village, created_at, updated_at)
      VALUES (1, 'FW-2026-000001', 'person', '520102195503120016', '520102195503120016', '张三', '城关镇', '一村',
              '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z');
    INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, township,
                     village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id,
                     last_run_id, case_id)
      VALUES ('f1', 'DEC-001', 'deceased', 'high', 'person', '520102195503120016', '520102195503120016', '张三',
              '城关镇', '一村', '低保', 36000, '2023-04', '2023-12', 'paid 9 periods after death', 'e1', 1, 1, 1);" \
    >/dev/null || fail "cannot seed the PostgreSQL workspace"
due=$(date -d '+20 days' +%F)
expect_exit 0 "$FW" --db "$ws" orders dispatch --to 城关镇人民政府 --due "$due" --out "$dir"
order=$(pg "SELECT order_no FROM orders")
expect_exit 6 "$FW" --db "$ws" orders dispatch --to 另一单位 --due "$due" --out "$dir"
expect_err "1 are in an order not yet settled"
/usr/bin/python3 "$(dirname "$0")/orders_fill.py" "$dir/$order.xlsx" "$dir/clean.xlsx" clean
expect_exit 0 "$FW" --db "$ws" orders receive "$dir/clean.xlsx" --evidence-dir "$dir/evidence"
expect_out "1 answered (proposed)"
expect_exit 0 "$FW" --db "$ws" orders accept "$order" 1
[ "$(pg "SELECT status, recovered FROM cases WHERE id = 1")" = "rectifying|12000" ] ||
    fail "case not changed: $(pg "SELECT status, recovered FROM cases WHERE id = 1")"
[ "$(pg "SELECT state FROM orders")" = settled ] || fail "order not settled"
# cancelling on the server: the case gets its assignment back, the workbook is refused afterwards,
# and the overview counts the open orders (the settled one and the cancelled one are not open)
expect_exit 0 "$FW" --db "$ws" case assign 1 王科长 --due 2030-01-31
expect_exit 0 "$FW" --db "$ws" orders dispatch --to 民政局 --due "$due" --out "$dir" --all-states
second=$(pg "SELECT order_no FROM orders WHERE state = 'dispatched'")
expect_exit 0 "$FW" --db "$ws" overview
grep -q "open verification orders *1" "$dir/out" || { cat "$dir/out"; fail "the overview does not count the open order"; }
/usr/bin/python3 "$(dirname "$0")/orders_fill.py" "$dir/$second.xlsx" "$dir/second.xlsx" clean
expect_exit 0 "$FW" --db "$ws" orders cancel "$second" --reason 发错单位
[ "$(pg "SELECT assignee || '|' || due_date FROM cases WHERE id = 1")" = "王科长|2030-01-31" ] ||
    fail "the assignment was not given back: $(pg "SELECT assignee, due_date FROM cases WHERE id = 1")"
expect_exit 6 "$FW" --db "$ws" orders receive "$dir/second.xlsx" --evidence-dir "$dir/evidence"
expect_err "was cancelled on"
expect_exit 0 "$FW" --db "$ws" overview
grep -q "open verification orders *0" "$dir/out" || { cat "$dir/out"; fail "the cancelled order is counted open"; }
expect_exit 0 "$FW" --db "$ws" log verify
echo "orders_postgres: OK"
