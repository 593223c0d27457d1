#!/usr/bin/env bash
# tui_scoped_postgres.sh: the TUI as a scoped user on a shared PostgreSQL workspace (issue 13,
# docs/users.md). A generated county is imported and run by the owner; an inspector of township T1
# (the one with the most cases) logs in through the TUI in tmux. What each screen shows is counted
# against the owner's counts filtered to T1 in SQL: the overview's hit total, the hit list's count,
# the case register's count of new cases; a person of another township T2 is not there (lookup:
# "Nobody ... matches", the person screen: not their name, not their payments), a T2 case is not
# on the register; the hit list's export writes T1's leads only. The database enforces it
# (row-level security), so this checks that no screen reads around it (a SECURITY DEFINER function,
# a cached figure of the owner's). Needs FUNDWATCH_TEST_PG and psql (pg.inc).
. "$(dirname "$0")/../tui/lib.sh"
. "$(dirname "$0")/pg.inc"
pg_needed
export FUNDWATCH_USER=${FUNDWATCH_USER:-tester}
schema="fw_e2e_tuiscope_$$" insp="fwt_tinsp_$$"
admin="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
as_insp="$FUNDWATCH_TEST_PG user=$insp password=pw options='-c search_path=$schema'"
q() { psql "$admin" -XAtqc "$1"; }
trap 'tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true; pg_drop_workspace "$schema" "$insp" $(id=$(q "SELECT value FROM settings WHERE key = '"'workspace.id'"'" 2>/dev/null); [ -n "$id" ] && echo fw_inspector_$id); rm -rf "$TUI_TMP"' EXIT
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
tui_stop() { # tmux's server takes a moment to go after kill-server
    tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
    local i=0
    while tmux -L "$TUI_SOCK" list-sessions >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    sleep 0.5
}
# start CONNINFO [-- COMMAND]: tui_start, again if tmux's old server was still going away
start() {
    local i
    for i in 1 2 3; do
        tui_start "$@" 2>/dev/null || true
        sleep 0.3
        tmux -L "$TUI_SOCK" list-sessions >/dev/null 2>&1 && return 0
        sleep 1
    done
    fail "tmux did not start the TUI"
}

"$FW" gen "$TUI_TMP/county" --persons 1000 >/dev/null || fail "gen"
for f in "$TUI_TMP"/county/*.csv; do
    ds=$(basename "$f" .csv)
    case $ds in truth | rejects-expected) continue ;; esac
    "$FW" --db "$admin" import "$ds" "$f" >/dev/null 2>"$TUI_TMP/err" || fail "import $ds: $(cat "$TUI_TMP/err")"
done
"$FW" --db "$admin" run >/dev/null 2>"$TUI_TMP/err" || fail "the owner's run: $(tail -3 "$TUI_TMP/err")"
read -r t1 t2 <<<"$(q "SELECT string_agg(t, ' ') FROM (SELECT substr(region_code, 1, 9) AS t FROM cases
    WHERE region_code LIKE '522622%' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2) x")"
[ -n "$t1" ] && [ -n "$t2" ] || fail "no two townships with cases"
"$FW" --db "$admin" user add "$insp" --role inspector --region "$t1" --password pw >"$TUI_TMP/out" 2>&1 ||
    fail "user add: $(cat "$TUI_TMP/out")"
hits_t1=$(q "SELECT count(*) FROM hits WHERE state = 'present' AND region_code LIKE '$t1%'")
hits_all=$(q "SELECT count(*) FROM hits WHERE state = 'present'")
new_t1=$(q "SELECT count(*) FROM cases WHERE status = 'new' AND region_code LIKE '$t1%'")
new_all=$(q "SELECT count(*) FROM cases WHERE status = 'new'")
case2=$(q "SELECT case_no FROM cases WHERE region_code LIKE '$t2%' ORDER BY id LIMIT 1")
# a person of T2 with payments, whom nothing of T1 names (no T1 payment, registration or post)
IFS="|" read -r id2 name2 <<<"$(q "SELECT p.id_number, p.name FROM ds_persons p WHERE p.region_code LIKE '$t2%'
    AND EXISTS (SELECT 1 FROM ds_payments y WHERE y.id_number = p.id_number)
    AND p.id_number NOT IN (SELECT id_number FROM ds_payments WHERE region_code LIKE '$t1%'
                            UNION SELECT id_number FROM ds_officials WHERE region_code LIKE '$t1%')
    AND (SELECT count(*) FROM ds_persons o WHERE o.name = p.name) = 1 ORDER BY 1 LIMIT 1")"
[ -n "$id2" ] && [ -n "$name2" ] && [ "$hits_t1" -gt 0 ] && [ "$hits_t1" -lt "$hits_all" ] && [ "$new_t1" -lt "$new_all" ] ||
    fail "T1 $t1 is no proper part of the county ($hits_t1 of $hits_all hits, $new_t1 of $new_all new cases) or no T2 person"
echo "T1 $t1: $hits_t1 of $hits_all hits, $new_t1 of $new_all new cases; T2 person $id2, case $case2"

# The overview: the total of present hits is T1's, not the county's. (The datasets' row counts and
# the last run's count are the imports' and the run's records, figures without personal data.)
start "$as_insp"
tui_wait "Totals: present hits" 30
tui_screen | grep -qE -- "^  hits +$hits_t1 " || fail "the overview's total is not T1's $hits_t1 hits"
tui_keys Q
tui_stop

# The hit list: T1's hits; then exported from the screen (x): T1's leads only.
start "$as_insp" -- hits
tui_wait "of $hits_t1 · ¥" 30
tui_keys x
tui_wait "xlsx"
tui_keys C-u
tui_type "$TUI_TMP/leads.csv"
tui_keys Enter
i=0
while [ ! -s "$TUI_TMP/leads.csv" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$TUI_TMP/leads.csv" ] || fail "the hit list's export wrote no file"
sleep 0.5
grep -q -- "$id2" "$TUI_TMP/leads.csv" && fail "the export holds the T2 person $id2"
ids=$(tail -n +2 "$TUI_TMP/leads.csv" | grep -o '5[0-9]\{16\}[0-9X]' | sort -u | sed "s/.*/'&'/" | paste -sd, -)
[ -n "$ids" ] || fail "the export names nobody: $(head -3 "$TUI_TMP/leads.csv")"
stray=$(q "SELECT count(*) FROM unnest(ARRAY[$ids]) x WHERE x NOT IN (SELECT id_number FROM hits WHERE region_code LIKE '$t1%'
           UNION SELECT id_number FROM ds_persons WHERE region_code LIKE '$t1%' UNION SELECT id_number FROM ds_payments
           WHERE region_code LIKE '$t1%')")
[ "$stray" = 0 ] || fail "the export names $stray persons of no T1 hit, registration or payment"
tui_keys Q
tui_stop

# Lookup and the person screen: the T2 person is not there.
start "$as_insp" -- lookup "$id2"
tui_wait "Nobody in any dataset matches" 30
tui_screen | grep -qF -- "$name2" && fail "the lookup shows the T2 person's name"
tui_keys Q
tui_stop
start "$as_insp" -- lookup "$name2" # a name is a prefix: T1's longer names may match, never the T2 person
i=0
until tui_screen | grep -q "Nobody in any dataset matches\|match '$name2'"; do
    [ $i -lt 300 ] || fail "the lookup by name did not finish"
    sleep 0.1; i=$((i + 1))
done
tui_screen | grep -qF -- "$id2" && fail "the lookup by name shows the T2 person"
tui_keys Q
tui_stop
start "$as_insp" -- person "$id2"
sleep 2
tui_screen | grep -qF -- "$name2" && fail "the person screen shows the T2 person's name"
tui_screen | grep -q "[1-9][0-9]* payments" && fail "the person screen shows the T2 person's payments"
tui_keys Q
tui_stop

# The case register, by status (new): T1's new cases, no T2 case.
start "$as_insp" -- cases
tui_wait "cases ·" 30
tui_keys Tab Tab
tui_wait "of $new_t1 cases" 30
tui_screen | grep -qF -- "$case2" && fail "the case register shows T2's case $case2"
tui_keys Q
tui_stop
echo "PASS tui_scoped_postgres"
