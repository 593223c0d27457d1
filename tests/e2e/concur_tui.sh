#!/usr/bin/env bash
# concur_tui.sh: an open case register notices what another process changes, without a key (issue
# 13). On SQLite (PRAGMA data_version) and, with FUNDWATCH_TEST_PG, on PostgreSQL (migration 9's
# change notices): the register (my queue) is open in tmux; `fundwatch case set` from another process,
# as another user, moves a case that is not under the cursor to verifying; within a few polls the
# row shows the new status with its `*` mark, the message line says "1 case changed by others", and
# the mark goes when the cursor moves onto the row. A note by another user (no new version) is marked
# on PostgreSQL, whose notices name the case. Writes that are not the workspace's (another schema of
# the same database, a VACUUM) mark nothing and do not say "changed by another fundwatch": the
# snapshot comparison used before did. Then the hit list: the second hit's case moves on from another
# process; its row shows the new status with `+` (bold), which goes when the cursor moves onto it.
# A case's own screen shows another user's assignment without a key. The user at the TUI (me) and
# the others (bob, carol, dave) are inspectors who log in as their own roles on PostgreSQL (fundwatch
# user add: a typed --user does not count there, docs/users.md), --user names on SQLite.
. "$(dirname "$0")/case_seed.inc"
seed_dir=$dir
. "$(dirname "$0")/../tui/lib.sh"
trap 'tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true; rm -rf "$TUI_TMP" "$seed_dir"; [ -n "${schema:-}" ] && { psql "$FUNDWATCH_TEST_PG" -qc "DROP SCHEMA IF EXISTS ${schema}_other CASCADE" >/dev/null 2>&1; pg_drop_workspace $schema $me $bob $carol $dave; }; true' EXIT
unset FUNDWATCH_DB
me="fwt_me_$$" bob="fwt_bob_$$" carol="fwt_carol_$$" dave="fwt_dave_$$"

# fw_as TARGET NAME ARGS...: fundwatch as NAME: --user NAME on SQLite, logged in as NAME on PostgreSQL.
fw_as() {
    local w=$1 n=$2
    shift 2
    if [ "$w" = "$db" ]; then "$FW" --db "$w" --user "$n" "$@"; else "$FW" --db "$(pg_as "$w" "$n")" "$@"; fi
}
# tui_as TARGET ARGS...: the TUI in tmux as me.
tui_as() {
    local w=$1
    shift
    if [ "$w" = "$db" ]; then tui_start "$w" FUNDWATCH_USER="$me" "$@"; else tui_start "$(pg_as "$w" "$me")" "$@"; fi
}

tui_stop() {
    tmux -L "$TUI_SOCK" kill-server 2>/dev/null || true
    local i=0
    while tmux -L "$TUI_SOCK" list-sessions >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    sleep 0.1
}

# The register's row of a case (the screen's line that names it).
row_of() { tui_screen | grep -- "$1" || true; }

watch_changes() { # watch_changes TARGET ENGINE
    local w=$1 engine=$2
    fw_as "$w" "$me" case assign 1 "$me" >/dev/null || fail "$engine: cannot assign case 1"
    fw_as "$w" "$me" case assign 2 "$me" >/dev/null || fail "$engine: cannot assign case 2"
    tui_as "$w" -- cases
    tui_wait "FW-2026-000002"
    tui_wait "FW-2026-000001"
    # the cursor is on the first row; the case changed is the other one
    local first other
    first=$(tui_screen | grep -o "FW-2026-00000[12]" | head -1)
    other=FW-2026-000001; [ "$first" = FW-2026-000001 ] && other=FW-2026-000002
    row_of "$other" | grep -q " new " || fail "$engine: $other is not new at first: $(row_of "$other")"

    # another process, another user
    fw_as "$w" "$bob" case set "$other" verifying --method visit --verifier 王核查 >/dev/null ||
        fail "$engine: bob's change failed"
    tui_wait "1 case changed by others" 5
    row_of "$other" | grep -q "\*$other  *verif" || fail "$engine: the row of $other lacks the new status or its mark: $(row_of "$other")"
    row_of "$first" | grep -q "\*" && fail "$engine: the unchanged case $first is marked: $(row_of "$first")"
    # the mark stays until the cursor is on the row
    tui_keys j
    sleep 0.3
    row_of "$other" | grep -q "\*$other" && fail "$engine: the mark stayed after the cursor moved onto $other"
    row_of "$other" | grep -q "verif" || fail "$engine: $other lost its status: $(row_of "$other")"

    if [ "$engine" = PostgreSQL ]; then
        # writes that are not this workspace's: no mark, no "changed by another fundwatch"
        psql "$FUNDWATCH_TEST_PG" -q -c "CREATE SCHEMA ${schema}_other" -c "CREATE TABLE ${schema}_other.t(x int)" \
            -c "INSERT INTO ${schema}_other.t VALUES (1)" -c "VACUUM ANALYZE ${schema}_other.t" >/dev/null
        sleep 1.5
        tui_screen | grep -q "changed by another fundwatch" && fail "$engine: another schema's write was taken for a change"
        tui_screen | grep -q "changed by others" && fail "$engine: another schema's write marked cases"
        # a note adds no version; the notice names the case: marked
        tui_keys k
        sleep 0.3
        fw_as "$w" "$carol" case note "$other" "电话回访" >/dev/null || fail "$engine: carol's note failed"
        tui_wait "1 case changed by others" 5
        row_of "$other" | grep -q "\*$other" || fail "$engine: a note by another user did not mark $other: $(row_of "$other")"
    fi
    tui_keys Q
    tui_stop

    # The hit list: the second row's case (FW-2026-000002, the medium hit) moves on from another
    # process; the row shows the new status with `+` and bold, the cursor row is not marked.
    tui_as "$w"
    tui_wait "Hits by category"
    tui_keys 2
    tui_wait "1 of 2"
    local st next args
    st=$("$FW" --db "$w" --format json case show FW-2026-000002 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["case"]["status"])')
    if [ "$st" = new ]; then next=verifying; args=(--method visit --verifier 王核查); else next=confirmed; args=(--note "核实属实"); fi
    tui_row 2 | grep -q "$next" && fail "$engine: the hit list shows $next before the change"
    fw_as "$w" "$bob" case set FW-2026-000002 "$next" "${args[@]}" >/dev/null || fail "$engine: bob's change ($st -> $next) failed"
    tui_wait "1 case changed by others" 5
    tui_row 2 | grep -q "^ *+ .*${next:0:6}" || fail "$engine: the hit row of FW-2026-000002 lacks + or $next: $(tui_row 2)"
    tui_row 1 | grep -q "^ *+" && fail "$engine: the unchanged first hit is marked: $(tui_row 1)"
    tui_keys j
    sleep 0.3
    tui_row 2 | grep -q "^ *+" && fail "$engine: the + stayed after the cursor moved onto the hit"
    tui_keys Q
    tui_stop

    # One case's screen: another user's assignment is shown without a key.
    tui_as "$w" -- case FW-2026-000002
    tui_wait "History (audit trail)"
    fw_as "$w" "$dave" case assign FW-2026-000002 县审计局 >/dev/null || fail "$engine: dave's assignment failed"
    tui_wait "县审计局" 5
    tui_wait "1 case changed by others" 5
    tui_keys Q
    tui_stop
}

expect_exit 0 "$FW" --db "$db" init
seed_sql_portable | sqlite3 "$db" || fail "cannot seed the SQLite workspace"
watch_changes "$db" SQLite
"$FW" --db "$db" log verify >/dev/null || fail "SQLite: log verify"

if [ -z "${FUNDWATCH_TEST_PG:-}" ]; then
    [ "${FUNDWATCH_REQUIRE_PG:-}" = 1 ] && fail "FUNDWATCH_REQUIRE_PG=1 but FUNDWATCH_TEST_PG is not set"
    echo "ok (PostgreSQL: NOT TESTED, set FUNDWATCH_TEST_PG)"
    exit 0
fi
command -v psql >/dev/null || fail "psql is needed"
schema="fw_e2e_concur_$$"
psql "$FUNDWATCH_TEST_PG" -qc "CREATE SCHEMA $schema" >/dev/null || fail "cannot create schema $schema"
pgws="$FUNDWATCH_TEST_PG options='-c search_path=$schema'"
expect_exit 0 "$FW" --db "$pgws" init
seed_sql_portable | PGOPTIONS="-c search_path=$schema" psql "$FUNDWATCH_TEST_PG" -q -v ON_ERROR_STOP=1 >/dev/null 2>"$TUI_TMP/pgerr" ||
    fail "cannot seed the PostgreSQL workspace: $(cat "$TUI_TMP/pgerr")"
for u in "$me" "$bob" "$carol" "$dave"; do pg_user_add "$pgws" "$u" inspector 520102001; done
watch_changes "$pgws" PostgreSQL
"$FW" --db "$pgws" log verify >/dev/null || fail "PostgreSQL: log verify"
echo ok
