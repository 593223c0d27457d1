#!/usr/bin/env bash
# tui_batch: 5,000 DUP-006 hits, each with its own case, are one action: + rule=DUP-006 marks them
# all (the 200 other hits stay unmarked), c changes the status of their 5,000 cases in one form,
# with the progress bar; every case ends verifying with its trail record, the others are untouched,
# and the list shows the new status on its first row at once. (The seed's numbers are written with
# substr and CAST, not printf, so that both engines take it.)
# engines: sqlite postgresql
. "$(dirname "$0")/../tui/lib.sh"
ws_new "$TUI_TMP" batch
db=$ws
"$FW" --db "$db" init >/dev/null
ws_load "$db" <<'SQL' || fail "cannot load the 5,200 hits and cases"
INSERT INTO runs(id, "user", started_at, finished_at, status) VALUES (1, 't', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'complete');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5200)
INSERT INTO cases(id, case_no, subject_kind, subject, id_number, name, status, created_at, updated_at)
SELECT i, 'FW-2026-' || substr(CAST(1000000 + i AS TEXT), 2), 'person',
       '5201021990' || substr(CAST(100000000 + i AS TEXT), 2),
       '5201021990' || substr(CAST(100000000 + i AS TEXT), 2),
       '测试' || i, 'new', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5200)
INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, township,
                 village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id, last_run_id, case_id)
SELECT i, 'f' || i, CASE WHEN i % 26 = 0 THEN 'DUP-001' ELSE 'DUP-006' END, 'duplicate', 'medium', 'person',
       '5201021990' || substr(CAST(100000000 + i AS TEXT), 2),
       '5201021990' || substr(CAST(100000000 + i AS TEXT), 2), '测试' || i, '花溪镇', '村' || (i % 7), '低保',
       1000 + i, '2023-01', '2023-01', '同一发放流水号重复', 'e' || i, 1, 1, i FROM n;
SQL
[ "$(ws_sql "$db" "SELECT count(*) FROM hits WHERE rule_id = 'DUP-006'")" = 5000 ] || fail "fixture: not 5,000 DUP-006 hits"
tui_start "$db"
tui_wait "Hits by category"
tui_keys 2
tui_wait "of 5200"
tui_keys +
tui_wait "Mark the hits of the list matching"
tui_type "rule=DUP-006"
tui_keys Enter
tui_wait "5000 hits match, 5000 newly marked: 5000 marked."
tui_keys c
tui_wait "1 verifying" 60
tui_keys Enter
tui_wait "Verification method"
tui_type visit
tui_keys Enter
tui_wait "Verifier"
tui_type 王核查
tui_keys Enter
tui_wait "Note [optional]"
tui_keys Enter
tui_wait "5000 cases: status new → verifying." 300
[ "$(ws_sql "$db" "SELECT count(*) FROM cases WHERE status = 'verifying'")" = 5000 ] || fail "not 5,000 cases verifying"
[ "$(ws_sql "$db" "SELECT count(*) FROM cases c JOIN hits h ON h.case_id = c.id WHERE c.status = 'verifying' AND h.rule_id <> 'DUP-006'")" = 0 ] ||
    fail "a case of an unmarked hit changed"
[ "$(ws_sql "$db" "SELECT count(*) FROM trail WHERE action = 'case.status'")" = 5000 ] || fail "not one trail record per case"
top=$(tui_row 1 | grep -o '[0-9]\+' | head -1)
[ "$(ws_sql "$db" "SELECT rule_id FROM hits WHERE id = $top")" = DUP-006 ] || fail "the first row is not a DUP-006 hit: $(tui_row 1)"
tui_row 1 | grep -q " verifying " || fail "the first row does not show its new status: $(tui_row 1)"
tui_keys Q
# the marks would be lost: quitting asks first (y quits)
tui_wait "y quits" 10 || fail "Q with 5,000 marks did not ask: $(tui_screen 2>/dev/null | tail -2)"
tui_keys y
[ "$(tui_exit_code)" = 0 ] || fail "exit status $(cat "$TUI_RC")"
"$FW" --db "$db" log verify >/dev/null || fail "log verify after the batch"
echo ok
