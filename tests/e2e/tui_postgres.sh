#!/usr/bin/env bash
# tui_postgres.sh: the screens that read through audit/browse.c on a PostgreSQL workspace (issue 11):
# the overview, the lookup, the person page (registry record, household, payments with the implicated ones, the relation path
# to an official and the shared bank account, the hits, the case history) and the rule list show
# what they show on SQLite for the fixture of tests/tui/fixture.sql; the hit list with its money
# total, the case register and a case's screen never report a change of their own. Needs FUNDWATCH_TEST_PG (see
# docs/store.md) and psql; without it the script says it did not test (fails under
# FUNDWATCH_REQUIRE_PG=1).
# engines: both in one run (it compares the two itself, or is about the server: roles, grants, COPY), so not again in the second pass
. "$(dirname "$0")/../tui/lib.sh"

. "$(dirname "$0")/pg.inc"
pg_needed

# The workspace: ws.inc's, on PostgreSQL whatever FW_TEST_ENGINE says (the script is about it).
FW_TEST_ENGINE=postgresql
. "$(dirname "$0")/ws.inc"
ws=$(tui_fixture)
# The screens below must not take their own readings for another writer's change. PostgreSQL's
# snapshot (fw_db_data_version) also moves for any transaction of the server that writes, and
# autovacuum's ANALYZE of the catalogs, which the tests' CREATE and DROP SCHEMA churn, is one: analyse
# now, so that it is not due while the screens are watched.
psql "$FUNDWATCH_TEST_PG" -qc "ANALYZE" >/dev/null 2>&1 || true
# tmux's server takes a moment to go after kill-server; a new session started meanwhile fails
# ("server exited unexpectedly").
tui_stop() {
    tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
    local i=0
    while tmux -L "$TUI_SOCK" list-sessions >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    sleep 0.1
}

# 王五: brother of village cadre 赵六, paid into 李四's account.
tui_start "$ws" -- person 520102196805050031
tui_wait "Registry evidence"
tui_wait "赵六 (石板村村民委员会 村主任) —兄弟→ 520102196805050031"
tui_wait "6222000099998888: 李四 520102195801020024 ×1"
tui_wait "REL-001"
tui_wait "420.00"
tui_keys q
tui_stop

# 张三: dead, his case with its note in the history, his wife in the household.
tui_start "$ws" -- person 520102195503120016
tui_wait "Case history"
tui_wait "已入户走访，家属称不知情"
tui_wait "李四"
tui_wait "DEC-001"
tui_keys q
tui_stop

# The rule list: every rule file's rule, the run's with their hits and run time; listing them
# writes nothing, so the screen does not take its own reading for another writer's change.
tui_start "$ws" -- rules
tui_wait "75 rules, 75 enabled"
tui_wait "2026-01-02 08:00 complete"
tui_screen | grep -q "DEC-001.*deceased *1 *1 " || fail "DEC-001's hits on the rule list"
sleep 1.5 # the screen looks for other writers about once a second
tui_screen | grep -q "changed by another fundwatch" && fail "the rule list took its own reading for a change"
tui_keys q
tui_stop

# Lookup by the start of a name (the prefix range's end bound as U+10FFFF on both engines) and of an ID.
tui_start "$ws" -- lookup 欧阳
tui_wait "652101198001010012"
tui_stop
tui_start "$ws" -- lookup 5201021958
tui_wait "李四"
tui_stop

# The hit list and its running money total, the case register and a case with its history: none
# of them writes while it reads (the total is summed in memory, not in TEMP tables, whose writes
# PostgreSQL gives a transaction id), so none takes its own reading for another writer's change.
no_change_of_its_own() { # no_change_of_its_own WHAT
    sleep 2.5 # the screen looks for other writers about once a second
    tui_screen | grep -q "changed by another fundwatch" && fail "$1 took its own reading for a change"
    return 0
}
tui_start "$ws" -- hits
tui_wait "欧阳·买买提"
tui_wait "¥3,660.00"
no_change_of_its_own "the hit list"
tui_keys q
tui_stop
tui_start "$ws" -- cases
tui_wait "0 of 0 cases"
no_change_of_its_own "the case register"
tui_keys q
tui_stop
"$FW" --db "$ws" --user 李核查 case note 1 "电话回访，已退回" >/dev/null || fail "case note on PostgreSQL"
tui_start "$ws" -- case 1
tui_wait "电话回访，已退回"
tui_wait "李核查"
no_change_of_its_own "the case screen"
tui_keys q
tui_stop

# The frequency view counts on the server too, the village column included (it joins township and
# village with a separator written into the SQL, which both engines must accept).
tui_start "$ws" -- hits
tui_wait "欧阳·买买提"
tui_keys F
tui_wait "Frequency of Severity"
tui_keys Tab Tab Tab Tab Tab
tui_wait "Frequency of Village"
tui_wait "counted in"
tui_screen >"$TUI_TMP/freq_village"
grep -q "3 hits" "$TUI_TMP/freq_village" || fail "the village frequency on PostgreSQL: $(cat "$TUI_TMP/freq_village")"
tui_keys q q
tui_stop

# The overview screen reads the overview's query.
tui_start "$ws"
tui_wait "Hits by severity"
tui_screen | grep -q "^  hits  *63  *¥3,660.00" || fail "the overview's total of hits"
echo ok
