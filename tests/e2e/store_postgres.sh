# store_postgres.sh: a PostgreSQL workspace (issue 11). `fundwatch init --db TARGET` makes a working
# schema in an empty database (here an empty schema of its own, first on the search path): the
# migrations recorded in fundwatch_schema, the compatibility functions, the rule-facing views, the
# trail's first record and its append-only triggers, which refuse UPDATE, DELETE and TRUNCATE to
# anyone, and `log verify` checks the chain and that guard; the case-rank triggers keep hits in step with their case; a second init changes nothing;
# a commands' read works through the store; the overview prints the same figures as on SQLite; a schema newer than this fundwatch and another
# application's tables are refused with the messages a SQLite workspace gets; a command whose module
# does not yet work on PostgreSQL says so and never crashes.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo, docs/store.md); without it the script says it did not
# test, and fails instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
. "$(dirname "$0")/case_seed.inc"

. "$(dirname "$0")/pg.inc"
pg_needed

# One scratch schema per workspace, dropped at the end: the workspace is the first schema of the path.
schemas=""
cleanup_pg() {
    for s in $schemas; do psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; done
    rm -rf "$dir"
}
trap cleanup_pg EXIT
new_target() { # new_target NAME: an empty schema; prints the target that uses it
    local s="fw_e2e_$$_$1"
    psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
    schemas="$schemas $s"
    echo "$FUNDWATCH_TEST_PG options='-c search_path=$s'"
}
pg() { # pg TARGET SCHEMA SQL: the result, unaligned (psql on the schema; TARGET names the workspace)
    PGOPTIONS="-c search_path=$2" psql "$FUNDWATCH_TEST_PG" -XAtqc "$3" 2>"$dir/pgerr"
}

ws=$(new_target ws)
s=fw_e2e_$$_ws
# The newest schema, as a SQLite init says it (so a new migration does not need this script edited).
newest=$("$FW" --db "$dir/newest.db" init | grep -oE 'schema [0-9]+') || fail "init of a SQLite file"
expect_exit 0 "$FW" --db "$ws" init
expect_out "created workspace postgresql://"
expect_out "($newest)"
expect_exit 0 "$FW" --db "$ws" init
expect_out "already a fundwatch workspace ($newest)"

steps=$(sqlite3 "$dir/newest.db" "SELECT group_concat(version, ',') FROM (SELECT version FROM fundwatch_schema ORDER BY version)")
[ "$(pg "$ws" "$s" "SELECT string_agg(version::text, ',' ORDER BY version) FROM fundwatch_schema")" = "$steps" ] ||
    fail "the migrations are not all recorded: $(pg "$ws" "$s" "SELECT * FROM fundwatch_schema")"
# The version of pg_compat.sql this fundwatch installs, as its header declares it.
compat=$(grep -oE 'FW_DB_PG_COMPAT_VERSION = [0-9]+' "$(dirname "$0")/../../audit/store/store.h" | grep -oE '[0-9]+$')
[ -n "$compat" ] || fail "FW_DB_PG_COMPAT_VERSION not found in audit/store/store.h"
[ "$(pg "$ws" "$s" "SELECT fw_compat_version()")" = "$compat" ] || fail "the compatibility functions are missing or not version $compat"
[ "$(pg "$ws" "$s" "SELECT count(*) FROM trail WHERE seq = 1 AND action = 'trail.start'")" = 1 ] ||
    fail "the trail does not start with trail.start"
pg "$ws" "$s" "SELECT value FROM settings WHERE key = 'workspace.id'" | grep -Eqx '[0-9a-f]{16}' ||
    fail "no 16-hex-digit workspace id"
# The rule-facing views read the dataset tables, with their row ids and derived columns.
pg "$ws" "$s" "INSERT INTO imports(dataset, file, sha256, encoding, mode, status, \"user\", started_at)
               VALUES ('payments', 'p.csv', 'x', 'utf-8', 'append', 'loaded', 't', 'now');
               INSERT INTO programs VALUES ('低保', 1, 0);
               INSERT INTO ds_payments(import_id, line, row_key, id_number, name, program, amount, pay_date, region_code)
               VALUES (1, 2, 'P1', '110101199003071234', '张三', '低保', 50000, '2024-03-05', '110101001')" >/dev/null ||
    fail "cannot load a payment: $(cat "$dir/pgerr")"
[ "$(pg "$ws" "$s" "SELECT rid, period, means_tested, county_code FROM payments")" = "1|2024-03|1|110101" ] ||
    fail "the payments view reads wrong: $(pg "$ws" "$s" "SELECT * FROM payments") $(cat "$dir/pgerr")"
[ "$(pg "$ws" "$s" "SELECT program_set(program || ', 医疗救助') FROM payments")" = "低保,医疗救助" ] ||
    fail "program_set: $(pg "$ws" "$s" "SELECT program_set(program || ', 医疗救助') FROM payments") $(cat "$dir/pgerr")"

# The trail is append-only in the database itself.
for change in "UPDATE trail SET \"user\" = 'x'" "DELETE FROM trail" "TRUNCATE trail"; do
    pg "$ws" "$s" "$change" && fail "the trail allowed: $change"
    grep -q "the audit trail is append-only" "$dir/pgerr" || fail "$change: $(cat "$dir/pgerr")"
done
[ "$(pg "$ws" "$s" "SELECT count(*) FROM trail")" = 1 ] || fail "the trail changed"

# hits.case_rank follows the linked case's status, as on SQLite.
pg "$ws" "$s" "INSERT INTO runs(\"user\", started_at, status) VALUES ('t', 'now', 'complete');
               INSERT INTO cases(case_no, subject_kind, subject, status, created_at, updated_at)
               VALUES ('FW-2026-000001', 'person', '110101199003071234', 'verifying', 'now', 'now');
               INSERT INTO hits(fingerprint, rule_id, category, severity, subject_kind, subject, detail,
                                evidence_hash, first_run_id, last_run_id, case_id)
               VALUES ('f1', 'R', 'c', 'high', 'person', 's', 'd', 'e', 1, 1, 1),
                      ('f2', 'R', 'c', 'high', 'person', 's', 'd', 'e', 1, 1, NULL)" >/dev/null ||
    fail "cannot write a hit: $(cat "$dir/pgerr")"
[ "$(pg "$ws" "$s" "SELECT string_agg(case_rank::text, ',' ORDER BY id) FROM hits")" = "1,0" ] ||
    fail "case_rank on insert: $(pg "$ws" "$s" "SELECT id, case_rank FROM hits")"
pg "$ws" "$s" "UPDATE cases SET status = 'closed'; UPDATE hits SET case_id = 1 WHERE fingerprint = 'f2'" >/dev/null
[ "$(pg "$ws" "$s" "SELECT string_agg(case_rank::text, ',' ORDER BY id) FROM hits")" = "5,5" ] ||
    fail "case_rank after a status change: $(pg "$ws" "$s" "SELECT id, case_rank FROM hits")"

# The trail verifies there, records written by fundwatch on PostgreSQL included; its guard is checked.
expect_exit 0 "$FW" --db "$ws" log verify
expect_out "audit trail OK: 1 records verified"
expect_exit 0 "$FW" --db "$ws" whitelist add 520102195503120016 DEC-001 --reason "verified in person"
expect_exit 0 "$FW" --db "$ws" log verify
expect_out "audit trail OK: 2 records verified"
pg "$ws" "$s" "ALTER TABLE trail DISABLE TRIGGER trail_no_update" >/dev/null
expect_exit 3 "$FW" --db "$ws" log verify
expect_err "trigger trail_no_update is not the one fundwatch created"
pg "$ws" "$s" "ALTER TABLE trail ENABLE TRIGGER trail_no_update;
               CREATE FUNCTION pass() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RETURN NEW; END \$\$;
               CREATE TRIGGER sneaky BEFORE INSERT ON settings FOR EACH ROW EXECUTE FUNCTION pass()" >/dev/null ||
    fail "$(cat "$dir/pgerr")"
expect_exit 3 "$FW" --db "$ws" log verify
expect_err "a trigger fundwatch did not create (sneaky, on settings)"
pg "$ws" "$s" "DROP TRIGGER sneaky ON settings; DROP TRIGGER trail_no_delete ON trail" >/dev/null
expect_exit 3 "$FW" --db "$ws" log verify
expect_err "trigger trail_no_delete is missing"
pg "$ws" "$s" "CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail FOR EACH ROW EXECUTE FUNCTION fw_trail_append_only()" \
    >/dev/null
expect_exit 0 "$FW" --db "$ws" log verify

# Commands through the store work there; one whose module still needs SQLite says so, exit 4, no crash.
expect_exit 0 "$FW" --db "$ws" whitelist list
expect_exit 0 "$FW" --db "$ws" datasets
expect_exit 0 "$FW" --db "$ws" overview
expect_out "^dataset *payments *1 "

# The overview reads the same figures on both engines: the same ledgers imported with the CLI into
# a fresh PostgreSQL workspace and a SQLite file, the same run, hits (two rules on the same payments,
# a village statistic not based on payments) and cases written with the same SQL, and the overview
# printed as csv. Money counts each payment once on both: 张三 283.78 (two rules, not 567.56).
ovt=$(new_target ov)
ovs=fw_e2e_$$_ov
cat >"$dir/ov_deaths.csv" <<'CSV'
id_number,death_date
520102195503120016,2023-03-10
520102194505051021,2023-01-15
CSV
cat >"$dir/ov_payments.csv" <<'CSV'
payment_id,id_number,name,program,amount,pay_date,period,township,village
A1,520102195503120016,张三,城乡居民养老金,146.56,2023-02-10,2023-02,龙场镇,新寨村
A2,520102195503120016,张三,城乡居民养老金,146.56,2023-04-10,2023-04,龙场镇,新寨村
A3,520102195503120016,张三,城乡居民养老金,137.22,2023-05-10,2023-05,龙场镇,新寨村
C1,520102194505051021,黄梅,低保,300.00,2023-03-10,2023-03,新场镇,大坪村
C2,520102194505051021,黄梅,低保,300.00,2023-03-20,2023-03,新场镇,大坪村
CSV
ov_sql="INSERT INTO runs(id, \"user\", started_at, finished_at, status, hits_new, hits_present)
          VALUES (1, 'engine', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'complete', 4, 0);
        INSERT INTO cases(id, case_no, subject_kind, subject, id_number, status, to_recover, created_at, updated_at)
          VALUES (1, 'FW-2026-000001', 'person', '520102195503120016', '520102195503120016', 'verifying', 28378,
                  '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z');
        INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, township,
                         village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id,
                         last_run_id, case_id)
          VALUES (1, 'f1', 'DEC-001', 'deceased', 'high', 'person', '520102195503120016', '520102195503120016', '张三',
                  '龙场镇', '新寨村', '城乡居民养老金', 28378, '2023-04', '2023-05', 'd', 'e', 1, 1, 1),
                 (2, 'f2', 'DEC-003', 'deceased', 'medium', 'person', '520102195503120016', '520102195503120016', '张三',
                  '龙场镇', '新寨村', '城乡居民养老金', 28378, '2023-04', '2023-05', 'd', 'e', 1, 1, 1),
                 (3, 'f3', 'DEC-001', 'deceased', 'high', 'person', '520102194505051021', '520102194505051021', '黄梅',
                  '新场镇', '大坪村', '低保', 60000, '2023-03', '2023-03', 'd', 'e', 1, 1, NULL),
                 (4, 'f4', 'STA-001', 'statistical', 'low', 'village', '龙场镇/新寨村', NULL, NULL,
                  '龙场镇', '新寨村', '城乡居民养老金', 500000, NULL, NULL, 'd', 'e', 1, 1, NULL);
        INSERT INTO hit_evidence(hit_id, dataset, row_key)
          SELECT h.id, 'payments', p.row_key FROM hits h JOIN ds_payments p ON p.id_number = h.id_number
          WHERE h.id IN (1, 2) AND p.pay_date >= '2023-04-01' OR h.id = 3 AND p.id_number = h.id_number;"
expect_exit 0 "$FW" --db "$ovt" init
# The imports and exports name who made them: on PostgreSQL the role that logged in (docs/users.md),
# so the SQLite workspace's are made under that name too.
pguser=$(psql "$FUNDWATCH_TEST_PG" -XAtqc "SELECT session_user")
for w in "$ovt" "$dir/ov.db"; do
    for ds in deaths payments; do
        expect_exit 0 "$FW" --db "$w" --user "$pguser" import "$ds" "$dir/ov_$ds.csv"
    done
done
pg "$ovt" "$ovs" "$ov_sql" >/dev/null || fail "cannot write the overview's hits: $(cat "$dir/pgerr")"
sqlite3 "$dir/ov.db" "$ov_sql" || fail "cannot write the overview's hits on SQLite"
expect_exit 0 "$FW" --db "$dir/ov.db" --format csv overview
sort "$dir/out" >"$dir/ov_sqlite.csv"
expect_exit 0 "$FW" --db "$ovt" --format csv overview
sort "$dir/out" >"$dir/ov_pg.csv"
grep -q '^total,hits,4,883.78,5000.00,,2023-03,2023-05' "$dir/ov_sqlite.csv" ||
    fail "the SQLite overview's premise: $(cat "$dir/ov_sqlite.csv")"
diff "$dir/ov_sqlite.csv" "$dir/ov_pg.csv" >"$dir/ov_diff" ||
    fail "the overview differs between SQLite (<) and PostgreSQL (>): $(cat "$dir/ov_diff")"
# The workbook too: every sheet the same on both engines, but for times and each workspace's own
# name and trail anchor (xlsx_same.py). The server's workspace is named without its conninfo.
expect_exit 0 "$FW" --db "$dir/ov.db" --user "$pguser" export "$dir/ov_sqlite.xlsx"
expect_exit 0 "$FW" --db "$ovt" export "$dir/ov_pg.xlsx"
/usr/bin/python3 "$(dirname "$0")/xlsx_same.py" "$dir/ov_sqlite.xlsx" "$dir/ov_pg.xlsx" >"$dir/xdiff" ||
    fail "the workbook differs between SQLite (<) and PostgreSQL (>): $(cat "$dir/xdiff")"
/usr/bin/python3 -c 'import openpyxl,sys
ws = openpyxl.load_workbook(sys.argv[1])["数据来源"]
print(next(r[1] for r in ws.iter_rows(values_only=True) if r[0] == "工作区"))' "$dir/ov_pg.xlsx" >"$dir/xws"
grep -q '^postgresql://' "$dir/xws" || fail "the workbook names the server workspace as: $(cat "$dir/xws")"
expect_exit 0 "$FW" --db "$ovt" export --format csv "$dir/leads_pg.csv"
expect_exit 0 "$FW" --db "$dir/ov.db" export --format csv "$dir/leads_sqlite.csv"
diff "$dir/leads_sqlite.csv" "$dir/leads_pg.csv" >"$dir/cdiff" ||
    fail "the CSV leads differ between SQLite (<) and PostgreSQL (>): $(cat "$dir/cdiff")"
# Each export is traced back to the server's trail, from the workbook and from the CSV's provenance
# file (read with the server's JSON functions).
expect_exit 0 "$FW" --db "$ovt" log verify --against "$dir/ov_pg.xlsx"
expect_exit 0 "$FW" --db "$ovt" log verify --against "$dir/leads_pg.csv"

# The trail and the cases work there (case_postgres.sh compares their output with SQLite's).
for cmd in "log" "log --case 1" "log --limit 2" "case list" "case show 1" "case note 1 x" "hits"; do
    # shellcheck disable=SC2086
    expect_exit 0 "$FW" --db "$ws" $cmd
done
expect_exit 0 "$FW" --db "$ws" log --case 1
expect_out "note: x"
# Whatever a command's module does on PostgreSQL today, it ends with an exit code, not a signal.
for cmd in "overview" "rules list" "export --count" "rejects" "programs" "index" "run"; do
    rc=0
    # shellcheck disable=SC2086
    "$FW" --db "$ws" $cmd >"$dir/out" 2>"$dir/err" </dev/null || rc=$?
    [ "$rc" -lt 128 ] || fail "'$cmd' on PostgreSQL ended with signal $((rc - 128)): $(cat "$dir/err")"
    [ "$rc" = 0 ] || [ -s "$dir/err" ] || fail "'$cmd' on PostgreSQL failed ($rc) without a message"
done

# A run left 'running' on a server workspace: a writing command neither crashes nor leaves a lock
# file named after the target in the current folder (run locks are a file workspace's).
pg "$ws" "$s" "INSERT INTO runs(\"user\", started_at, status) VALUES ('t', 'now', 'running')" >/dev/null
mkdir "$dir/cwd"
(cd "$dir/cwd" && "$FW" --db "$ws" whitelist add 520102195503120016 DEC-002 --reason "same person" \
    >"$dir/out" 2>"$dir/err") || fail "whitelist add with a running run: $(cat "$dir/err")"
[ -z "$(ls "$dir/cwd")" ] || fail "a PostgreSQL workspace left files in the current folder: $(ls "$dir/cwd")"

# The same workspace named by $FUNDWATCH_DB, and as a libpq URI (when the conninfo gives its parts).
FUNDWATCH_DB="$ws" expect_exit 0 "$FW" log verify
expect_out "audit trail OK"
uri=""
for kv in $FUNDWATCH_TEST_PG; do case $kv in host=*|port=*|user=*|dbname=*) eval "pg_${kv%%=*}=\${kv#*=}";; esac; done
if [ -n "${pg_host:-}" ] && [ -n "${pg_user:-}" ] && [ -n "${pg_dbname:-}" ]; then
    uri="postgresql://$pg_user@$pg_host:${pg_port:-5432}/$pg_dbname?options=-c%20search_path%3D$s"
    expect_exit 0 "$FW" --db "$uri" init
    expect_out "already a fundwatch workspace ($newest)"
    expect_out "postgresql://$pg_user@$pg_host:${pg_port:-5432}/$pg_dbname"
fi

# A workspace three migrations behind (19, the payments view's program tags joined, not looked up per
# payment; 20, the registries' and citizen reports' policies leaving out a run's unchecked counties,
# here taken back by dropping those policies; 21, the view deaths_newest, dropped): `init` brings it
# up to date and says so, instead of "nothing changed".
old=$(new_target old)
expect_exit 0 "$FW" --db "$old" init
pg "$old" fw_e2e_$$_old "DELETE FROM fundwatch_schema WHERE version IN (19, 20, 21); DROP VIEW deaths_newest;
    DO \$\$ DECLARE t text; BEGIN
    FOR t IN SELECT polrelid::regclass::text FROM pg_policy WHERE polname = 'fw_person' AND polrelid::regclass::text LIKE 'ds\_%' LOOP
      EXECUTE format('DROP POLICY fw_person ON %s', t);
    END LOOP; END \$\$;
    DROP POLICY fw_region ON citizen_reports" >/dev/null || fail "cannot take the workspace back to schema 18: $(cat "$dir/pgerr")"
expect_exit 0 "$FW" --db "$old" init
expect_out "upgraded the workspace from schema 18 to 21"
[ "$(pg "$old" fw_e2e_$$_old "SELECT count(*) FROM deaths_newest")" = 1 ] || fail "migration 21: no view deaths_newest"
[ "$(pg "$old" fw_e2e_$$_old "SELECT pg_get_viewdef('payments') LIKE '%LEFT JOIN programs g%'")" = t ] ||
    fail "migration 19: the payments view does not join programs"
# every registry without a region (deaths, relatives, ...) and the citizen reports leave the unchecked
# counties out of their look into the payments
pol=$(pg "$old" fw_e2e_$$_old "SELECT count(*), count(*) FILTER (WHERE pg_get_expr(polqual, polrelid) LIKE '%ds_payments%'
      AND pg_get_expr(polqual, polrelid) LIKE '%current_setting(''fw.unchecked_counties''::text, true), '',''::text, 16)%')
      FROM pg_policy WHERE (polname = 'fw_person' AND polrelid::regclass::text LIKE 'ds\_%')
      OR (polname = 'fw_region' AND polrelid = 'citizen_reports'::regclass)")
[ "${pol%|*}" -ge 10 ] && [ "${pol#*|}" = "${pol%|*}" ] ||
    fail "migration 20: policies | of them leaving the unchecked counties out: $pol"

# A schema newer than this fundwatch: refused with the versions, as for a file.
newer=$(new_target newer)
expect_exit 0 "$FW" --db "$newer" init
pg "$newer" fw_e2e_$$_newer "INSERT INTO fundwatch_schema VALUES (99, 'future', 'now', 't', '9.9')" >/dev/null
expect_exit 4 "$FW" --db "$newer" whitelist list
expect_err "workspace schema 99 is newer than this fundwatch understands (${newest#schema })"

# Another application's tables: refused, naming them; nothing created.
other=$(new_target other)
pg "$other" fw_e2e_$$_other "CREATE TABLE customers (id int)" >/dev/null
expect_exit 4 "$FW" --db "$other" init
expect_err "belongs to another application"
expect_err "customers"
[ "$(pg "$other" fw_e2e_$$_other "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")" = 1 ] ||
    fail "init wrote into another application's schema"

# The password of a target never reaches a message.
expect_exit 4 "$FW" --db "postgresql://nobody:s3cret@127.0.0.1:1/none" init
grep -q s3cret "$dir/err" "$dir/out" && fail "the password was printed: $(cat "$dir/err")"
echo ok
