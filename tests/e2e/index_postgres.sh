#!/usr/bin/env bash
# index_postgres.sh: the dataset indexes on a PostgreSQL workspace (issue 11). Index lookups read
# PostgreSQL's own catalogue (pg_indexes, pg_class), not SQLite's sqlite_master, which does not
# exist there: `fundwatch index` on a new workspace finds every index present; a bulk import leaves
# them for later and `fundwatch index` builds them, each in the workspace's schema; an index on a
# dataset table that the declarations no longer list is dropped, the primary key's is kept; an
# append that repeats loaded rows is refused naming them, through the row_key index (a small append)
# and without it (after a bulk load), with nothing loaded and the workspace still usable.
# Needs FUNDWATCH_TEST_PG (a libpq conninfo, docs/store.md); without it the script says it did not
# test, and fails instead when FUNDWATCH_REQUIRE_PG=1 (CI).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
export FUNDWATCH_DATADIR="$here" FUNDWATCH_USER=tester
fail() { echo "FAIL: $*" >&2; exit 1; }

. "$(dirname "$0")/pg.inc"
pg_needed

tmp=$(mktemp -d)
s="fw_e2e_$$_index"
cleanup() {
    psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $s" >/dev/null || fail "cannot create schema $s"
ws="$FUNDWATCH_TEST_PG options='-c search_path=$s'"
fw() { "$FW" --db "$ws" "$@"; }
pg() { PGOPTIONS="-c search_path=$s" psql "$FUNDWATCH_TEST_PG" -XAtqc "$1"; }
# The indexes fundwatch declares on ds_payments (not a constraint's, such as the primary key's).
# (ds_payments_rowid stands for the primary key a partitioned table cannot have: docs/scale.md)
indexes() { pg "SELECT count(*) FROM pg_indexes i WHERE schemaname = '$s' AND tablename = 'ds_payments'
                AND indexname <> 'ds_payments_rowid' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"; }

# payments.py FILE FIRST LAST [PAD]: payment ids P000FIRST..P000LAST, each for its own person (valid
# ID numbers), one a line; PAD widens each row (to make a bulk-sized file).
cat >"$tmp/payments.py" <<'EOF'
import sys, datetime
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def idno(i):
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 1000)
    base = '520102%s%03d' % (born.strftime('%Y%m%d'), i % 1000)
    return base + '10X98765432'[sum(int(d) * w for d, w in zip(base, W)) % 11]
path, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pad = int(sys.argv[4]) if len(sys.argv) > 4 else 0
with open(path, 'w', encoding='utf-8') as f:
    f.write('发放流水号,公民身份号码,姓名,项目名称,发放金额,发放日期,所属期,行政村\n')
    for i in range(first, last + 1):
        f.write('P%06d,%s,人员%d,低保,300.00,2023-05-10,2023-05,%s\n' % (i, idno(i), i, 'V' * pad))
EOF
/usr/bin/python3 "$tmp/payments.py" "$tmp/base.csv" 1 300
/usr/bin/python3 "$tmp/payments.py" "$tmp/again.csv" 101 120
/usr/bin/python3 "$tmp/payments.py" "$tmp/bulk.csv" 1001 9000 500

fw init >/dev/null || fail "init"
all=$(indexes)
[ "$all" -ge 3 ] || fail "a new PostgreSQL workspace has the payments indexes: $all"
[ "$(fw index 2>"$tmp/err")" = "all indexes present" ] || fail "index on a new workspace: $(cat "$tmp/err")"

# A small append that repeats loaded rows: found through the row_key index, refused, nothing loaded.
fw import payments "$tmp/base.csv" >/dev/null 2>"$tmp/err" || fail "import base: $(cat "$tmp/err")"
rc=0; fw import payments "$tmp/again.csv" >/dev/null 2>"$tmp/err" || rc=$?
[ $rc = 6 ] || fail "append of repeated ids: exit $rc, want 6 ($(cat "$tmp/err"))"
grep -q "20 rows repeat rows already loaded into payments" "$tmp/err" || fail "count not named: $(cat "$tmp/err")"
grep -q "payment_id P000101 (line 2; loaded at line 102 of import 1)" "$tmp/err" || fail "first id: $(cat "$tmp/err")"
[ "$(pg "SELECT count(*) FROM ds_payments")" = 300 ] || fail "rows were loaded by a refused append"

# A bulk load (--replace) leaves the indexes for later; `fundwatch index` builds them in the schema.
out=$(fw import payments "$tmp/bulk.csv" --replace 2>"$tmp/err") || fail "bulk import: $(cat "$tmp/err")"
grep -q "indexes    left for later" <<<"$out" || fail "the bulk import does not say the indexes were left: $out"
[ "$(indexes)" = 0 ] || fail "the bulk import kept $(indexes) indexes"
# The same refusal without the row_key index (the older keys read in one pass).
/usr/bin/python3 "$tmp/payments.py" "$tmp/again.csv" 8991 9010
rc=0; fw import payments "$tmp/again.csv" >/dev/null 2>"$tmp/err" || rc=$?
[ $rc = 6 ] && grep -q "10 rows repeat rows already loaded into payments" "$tmp/err" ||
    fail "append without the index: exit $rc, $(cat "$tmp/err")"
fw index >"$tmp/out" 2>"$tmp/err" || fail "index failed: $(cat "$tmp/err")"
grep -q "^$all indexes built in" "$tmp/out" || fail "index summary: $(cat "$tmp/out") $(cat "$tmp/err")"
grep -q "building ds_payments_person (.* of $all)" "$tmp/err" || fail "index progress: $(cat "$tmp/err")"
[ "$(indexes)" = "$all" ] || fail "indexes not rebuilt: $(indexes) of $all"
[ "$(fw index)" = "all indexes present" ] || fail "second index run"

# An index the declarations do not list (an older fundwatch's) is dropped; the primary key stays.
pkeys=$(pg "SELECT count(*) FROM pg_indexes WHERE schemaname = '$s' AND tablename = 'ds_payments'")
pg "CREATE INDEX ds_payments_old_name ON ds_payments(name)" >/dev/null
[ "$(fw index)" = "all indexes present" ] || fail "index with an obsolete index"
[ "$(pg "SELECT count(*) FROM pg_indexes WHERE indexname = 'ds_payments_old_name'")" = 0 ] ||
    fail "the obsolete index was kept"
[ "$(pg "SELECT count(*) FROM pg_indexes WHERE schemaname = '$s' AND tablename = 'ds_payments'")" = "$pkeys" ] ||
    fail "an index fundwatch needs was dropped"
fw log verify >/dev/null || fail "log verify after the imports"
echo ok
