# id_repairs.sh: the repair step of issue 16 (audit/repair.c, `fundwatch repairs`). Death registry
# rows whose ID fails its check are kept as invalid-ID; `repairs` proposes the persons' numbers one
# typing error away with the same name key (a changed digit, a swapped pair), and not a number held
# by someone of another name nor one two errors away; nothing changes a row until a user accepts;
# accept makes the row join the exact rules (the pension paid after death is then a hit), reject
# needs a reason; both are in the audit trail. On PostgreSQL too when FUNDWATCH_TEST_PG is set.
. "$(dirname "$0")/case_seed.inc"

printf '公民身份号码,姓名\n11010519491231002X,陈建国\n520102195503120016,王芳\n' >"$dir/persons.csv"
# 1: digit 16 of 陈建国's number typed 7 (in traditional characters); 2: 王芳's 16th/17th swapped;
# 3: one digit off 王芳's number but another name; 4: two digits off 陈建国's number.
printf '公民身份号码,姓名,死亡日期\n11010519491231072X,陳建國,2023-01-05\n520102195503120106,王芳,2023-02-01
520102195503120616,赵六,2023-02-01\n11010519491231507X,陈建国,2023-01-05\n' >"$dir/deaths.csv"
printf '公民身份号码,姓名,项目名称,发放金额,发放日期,所属期\n11010519491231002X,陈建国,低保,300,2023-06-05,2023-06\n' >"$dir/pay.csv"

# scenario DB QUERY-FUNCTION RUN-RULES WHO: the whole story on one workspace. RUN-RULES no: the rule
# catalogue is not run (its PostgreSQL spelling is another piece of work); the join on the ID that
# every exact rule makes is checked instead. WHO: the user a decision is recorded under (on
# PostgreSQL the role that logged in, docs/users.md "Who acts").
scenario() {
    local ws=$1 q=$2 rules=$3 who=$4
    joined="SELECT count(*) FROM ds_deaths d JOIN ds_payments p ON p.id_number = d.id_number"
    for ds in persons deaths payments; do
        f=$dir/$ds.csv; [ "$ds" = payments ] && f=$dir/pay.csv
        expect_exit 0 "$FW" --db "$ws" import "$ds" "$f"
    done
    [ "$($q "SELECT count(*) FROM ds_deaths WHERE id_number LIKE '!%'")" = 4 ] || fail "4 kept invalid-ID rows expected"
    [ "$($q "$joined")" = 0 ] || fail "an invalid-ID row joins the payments"
    if [ "$rules" = yes ]; then
        expect_exit 0 "$FW" --db "$ws" run
        [ "$($q "SELECT count(*) FROM hits WHERE rule_id LIKE 'DEC-00%' AND id_number = '11010519491231002X'")" = 0 ] ||
            fail "an exact deceased rule fired before any repair"
        # The near-match rule (rules/near.ini) finds the person by name key and birth date, one
        # severity lower, saying how; 王芳's mistyped row matches no paid person (no payment).
        [ "$($q "SELECT rule_id || '|' || severity FROM hits WHERE id_number = '11010519491231002X'")" = "DEC-101|medium" ] ||
            fail "DEC-101 near match: $($q "SELECT rule_id, id_number, detail FROM hits")"
        $q "SELECT detail FROM hits WHERE rule_id = 'DEC-101'" | grep -q "近似匹配.*陳建國/陈建国 一致，出生日期 19491231 一致" ||
            fail "DEC-101 detail: $($q "SELECT detail FROM hits WHERE rule_id = 'DEC-101'")"
    fi

    expect_exit 0 "$FW" --db "$ws" repairs
    expect_err "2 new ID repair proposal(s)"
    expect_out "11010519491231072X"
    [ "$($q "SELECT typed || '>' || proposed FROM id_repairs ORDER BY id")" = "11010519491231072X>11010519491231002X
520102195503120106>520102195503120016" ] || fail "proposals: $($q "SELECT * FROM id_repairs")"
    [ "$($q "SELECT why FROM id_repairs WHERE id = 1")" = "digit 16 typed 7, the person's number has 0; names agree (陳建國 / 陈建国)" ] ||
        fail "why of 1: $($q "SELECT why FROM id_repairs WHERE id = 1")"
    $q "SELECT why FROM id_repairs WHERE id = 2" | grep -q "characters 16 and 17 swapped" || fail "why of 2"
    [ "$($q "SELECT count(*) FROM ds_deaths WHERE id_number LIKE '!%'")" = 4 ] || fail "a proposal changed a row"
    expect_exit 0 "$FW" --db "$ws" repairs
    expect_err "0 new ID repair proposal(s)"

    expect_exit 3 "$FW" --db "$ws" repairs reject 2
    expect_err "needs a reason"
    expect_exit 0 "$FW" --db "$ws" repairs reject 2 --reason "王芳 is alive: the death registry row is someone else's"
    [ "$($q "SELECT status || '|' || decided_by FROM id_repairs WHERE id = 2")" = "rejected|$who" ] || fail "reject not recorded: $($q "SELECT status, decided_by FROM id_repairs WHERE id = 2")"
    [ "$($q "SELECT count(*) FROM ds_deaths WHERE id_number = '520102195503120016'")" = 0 ] || fail "reject changed the row"
    expect_exit 0 "$FW" --db "$ws" repairs accept 1
    [ "$($q "SELECT id_number || '|' || id_number_raw FROM ds_deaths WHERE name = '陳建國'")" = \
      "11010519491231002X|11010519491231072X" ] || fail "accept: $($q "SELECT * FROM ds_deaths")"
    expect_exit 6 "$FW" --db "$ws" repairs accept 1
    expect_err "already accepted"
    expect_exit 5 "$FW" --db "$ws" repairs accept 99
    expect_exit 0 "$FW" --db "$ws" repairs --all
    expect_out "rejected"
    expect_out "accepted"
    [ "$($q "SELECT action || ' ' || object FROM trail WHERE action LIKE 'repair.%' ORDER BY seq")" = "repair.reject repair:2
repair.accept repair:1" ] || fail "trail: $($q "SELECT action, object FROM trail")"
    expect_exit 0 "$FW" --db "$ws" log verify

    [ "$($q "$joined")" = 1 ] || fail "the accepted row does not join the payments by ID"
    if [ "$rules" = yes ]; then
        expect_exit 0 "$FW" --db "$ws" run
        [ "$($q "SELECT count(*) FROM hits WHERE rule_id = 'DEC-001' AND state = 'present' AND id_number = '11010519491231002X'")" = 1 ] ||
            fail "the accepted repair did not make the row join the deceased rules: $($q "SELECT rule_id, id_number FROM hits")"
        # Where the exact rule fires, the near-match one does not.
        [ "$($q "SELECT count(*) FROM hits WHERE rule_id = 'DEC-101' AND state = 'present'")" = 0 ] ||
            fail "DEC-101 still fires beside DEC-001: $($q "SELECT rule_id, state, detail FROM hits")"
    fi
}

scenario "$db" sql yes tester
echo "ID repairs on SQLite: tested"
if [ -z "${FUNDWATCH_TEST_PG:-}" ]; then
    echo "ID repairs on PostgreSQL: NOT TESTED (set FUNDWATCH_TEST_PG)"
    exit 0
fi
s=fw_e2e_$$_repairs
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
trap 'psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; rm -rf "$dir"' EXIT
pg() { PGOPTIONS="-c search_path=$s" psql "$FUNDWATCH_TEST_PG" -XAtqc "$1"; }
scenario "$FUNDWATCH_TEST_PG options='-c search_path=$s'" pg no "$(pg "SELECT session_user")"
echo "ID repairs on PostgreSQL: tested"
