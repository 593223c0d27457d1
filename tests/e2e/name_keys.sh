# name_keys.sh: the name keys of issue 16 (audit/namekey.c) are stored at import beside each name of
# a registry (陳建國 -> 陈建国 / chen jian guo / cen jian guo), NULL for an empty name, and a workspace
# made before the keys existed gets the columns, their indexes and the keys of its rows on first
# open (migration 4). The same on PostgreSQL when FUNDWATCH_TEST_PG is set (docs/store.md).
. "$(dirname "$0")/case_seed.inc"

printf '公民身份号码,姓名,死亡日期\n11010519491231002X,陳建國,2023-01-05\n520102195503120016,阿依古丽·买买提,2023-02-01\n110101199003071233,,2023-03-01\n' >"$dir/deaths.csv"
printf '公民身份号码,姓名\n11010519491231002X,张晓燕\n' >"$dir/persons.csv"
want_deaths='110101199003071233|||
11010519491231002X|陈建国|chen jian guo|cen jian guo
520102195503120016|阿依古丽·买买提|a yi gu li mai mai ti|a yi gu li mai mai ti'
keys_sql="SELECT id_number, name_simp, name_pinyin, name_fuzzy FROM ds_deaths ORDER BY id_number"

expect_exit 0 "$FW" import deaths "$dir/deaths.csv"
[ "$(sql "$keys_sql")" = "$want_deaths" ] || fail "deaths keys: $(sql "$keys_sql")"
[ "$(sql "SELECT count(*) FROM ds_deaths WHERE name_simp IS NULL")" = 1 ] || fail "an empty name must get NULL keys"
expect_exit 0 "$FW" import persons "$dir/persons.csv"
[ "$(sql "SELECT name_pinyin FROM ds_persons")" = "zhang xiao yan" ] || fail "persons keys: $(sql "SELECT * FROM ds_persons")"
# ICU's readings are kept in the workspace (name_readings, migration 6) and used by the next import
# instead of building ICU's transliterator again: a reading changed in the table shows in new keys.
[ "$(sql "SELECT latin FROM name_readings WHERE cp = 24352")" = zhang ] || fail "张's reading was not kept: $(sql "SELECT * FROM name_readings")"
sql "UPDATE name_readings SET latin = 'qqq' WHERE cp = 24352"
printf '公民身份号码,姓名\n520102195503120016,张晓燕\n' >"$dir/persons2.csv"
expect_exit 0 "$FW" import persons "$dir/persons2.csv" --replace
[ "$(sql "SELECT name_pinyin FROM ds_persons")" = "qqq xiao yan" ] || fail "the kept reading was not used: $(sql "SELECT name_pinyin FROM ds_persons")"

# The payments ledger has no key columns (names reach rules through persons).
sql "SELECT name_simp FROM ds_payments" 2>/dev/null && fail "ds_payments should have no name keys"
"$FW" index >/dev/null 2>&1 || true
[ "$(sql "SELECT count(*) FROM sqlite_master WHERE name IN ('ds_deaths_name_simp', 'ds_deaths_name_fuzzy')")" = 2 ] ||
    fail "the key indexes are missing"

# A workspace without steps 4 and 6 (no key columns, no indexes, no readings): opening it applies
# the missing steps (store.c step_applied) and fills the keys.
sql "DROP INDEX ds_deaths_name_simp; DROP INDEX ds_deaths_name_fuzzy;
     ALTER TABLE ds_deaths DROP COLUMN name_simp; ALTER TABLE ds_deaths DROP COLUMN name_pinyin;
     ALTER TABLE ds_deaths DROP COLUMN name_fuzzy; DELETE FROM fundwatch_schema WHERE version IN (4, 6);
     DROP TABLE name_readings; DROP TABLE id_repairs; PRAGMA user_version = 3;"
expect_exit 0 "$FW" datasets
[ "$(sql "SELECT count(*) FROM fundwatch_schema WHERE version = 4")" = 1 ] || fail "migration 4 was not recorded"
[ "$(sql "$keys_sql")" = "$want_deaths" ] || fail "backfilled keys: $(sql "$keys_sql")"
[ "$(sql "SELECT count(*) FROM sqlite_master WHERE name IN ('ds_deaths_name_simp', 'ds_deaths_name_fuzzy')")" = 2 ] ||
    fail "migration 4 did not index the keys"

# A death registry row whose ID fails only its check character (a mistyped digit) is kept, flagged,
# with the number as written; Excel's rounding (...000) is still rejected. Rules matching on the ID
# never join the kept row: the payment to the valid number is not a "paid after death" hit of it.
db=$dir/bad.db
export FUNDWATCH_DB=$db
printf '公民身份号码,姓名,死亡日期\n110105194912310021,陳建國,2023-01-05\n520102195503120000,王五,2023-02-01\n' >"$dir/bad.csv"
expect_exit 0 "$FW" import deaths "$dir/bad.csv"
expect_out "2 read, 1 loaded, 1 rejected, 1 flagged"
[ "$(sql "SELECT id_number, id_number_raw, name_simp FROM ds_deaths WHERE id_number_raw IS NOT NULL")" = \
  '!110105194912310021@deaths:2|110105194912310021|陈建国' ] || fail "the invalid-ID row: $(sql "SELECT * FROM ds_deaths")"
[ "$(sql "SELECT count(*) FROM flags WHERE line = 2 AND value = '110105194912310021' AND note LIKE '%check character%invalid-ID%'")" = 1 ] ||
    fail "the kept row is not among the import's notes: $(sql "SELECT * FROM flags")"
[ "$(sql "SELECT count(*) FROM rejects WHERE value = '520102195503120000'")" = 1 ] || fail "Excel's rounded ID must stay rejected"
printf '公民身份号码,姓名,项目名称,发放金额,发放日期\n11010519491231002X,陈建国,低保,300,2023-06-05\n110105194912310021,陈建国,低保,300,2023-06-05\n' >"$dir/pay.csv"
expect_exit 0 "$FW" import payments "$dir/pay.csv"
expect_out "2 read, 1 loaded, 1 rejected"
expect_exit 0 "$FW" run
[ "$(sql "SELECT count(*) FROM hits WHERE id_number LIKE '!%' OR id_number = '11010519491231002X'")" = 0 ] ||
    fail "a rule joined the invalid-ID row: $(sql "SELECT rule_id, id_number, detail FROM hits")"

if [ -z "${FUNDWATCH_TEST_PG:-}" ]; then
    echo "name keys on PostgreSQL: NOT TESTED (set FUNDWATCH_TEST_PG)"
    exit 0
fi
s=fw_e2e_$$_keys
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
trap 'psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1; rm -rf "$dir"' EXIT
pgws="$FUNDWATCH_TEST_PG options='-c search_path=$s'"
pg() { PGOPTIONS="-c search_path=$s" psql "$FUNDWATCH_TEST_PG" -XAtqc "$1"; }
expect_exit 0 "$FW" --db "$pgws" import deaths "$dir/deaths.csv"
[ "$(pg "$keys_sql")" = "$want_deaths" ] || fail "PostgreSQL deaths keys: $(pg "$keys_sql")"
pg "ALTER TABLE ds_deaths DROP COLUMN name_simp CASCADE, DROP COLUMN name_pinyin CASCADE, DROP COLUMN name_fuzzy CASCADE;
    DELETE FROM fundwatch_schema WHERE version IN (4, 6); DROP TABLE name_readings; DROP TABLE id_repairs" >/dev/null
expect_exit 0 "$FW" --db "$pgws" datasets
[ "$(pg "$keys_sql")" = "$want_deaths" ] || fail "PostgreSQL backfilled keys: $(pg "$keys_sql")"
[ "$(pg "SELECT count(*) FROM pg_indexes WHERE schemaname = '$s' AND indexname LIKE 'ds_deaths_name_%'")" = 2 ] ||
    fail "PostgreSQL: migration 4 did not index the keys"
echo "name keys on PostgreSQL: tested"
