-- bench/tui_fixture.sql: N synthetic hits (N from the temp table bench_n) over 5,000 villages, 12
-- rules and 3 severities, for bench/tui.sh. Applied to a workspace created by fundwatch.
INSERT INTO runs(id, user, started_at, finished_at, status) VALUES (1, 'bench', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'complete');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT v FROM bench_n))
INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, household_id,
                 township, village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id, last_run_id)
SELECT i, 'fp' || i, 'R-' || printf('%03d', i % 12), 'cat' || (i % 6),
       CASE i % 7 WHEN 0 THEN 'high' WHEN 1 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END, 'person',
       printf('52010219%02d%08d', i % 60, i), printf('52010219%02d%08d', i % 60, i),
       char(0x5F20 + (i % 300)) || char(0x4E09 + (i % 97)), 'H' || (i / 3),
       '乡' || (i % 40), '村' || (i % 5000), CASE i % 3 WHEN 0 THEN '低保' WHEN 1 THEN '特困供养' ELSE '临时救助' END,
       (i * 7919) % 500000, printf('2023-%02d', 1 + i % 12), printf('2023-%02d', 1 + i % 12),
       '合成疑点 ' || i, 'e' || i, 1, 1
FROM n;
-- One hit in 50 has a case, in every workflow status, so the sort by case status has something to
-- order (the triggers of audit/schema.c keep hits.case_rank as the links and statuses change).
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT v FROM bench_n) / 50)
INSERT INTO cases(id, case_no, subject_kind, subject, status, created_at, updated_at)
SELECT i, printf('FW-2026-%06d', i), 'person', 's' || i,
       CASE i % 6 WHEN 0 THEN 'new' WHEN 1 THEN 'verifying' WHEN 2 THEN 'confirmed' WHEN 3 THEN 'rectifying'
                  WHEN 4 THEN 'closed' ELSE 'dismissed' END, '2026-01-01', '2026-01-01'
FROM n;
UPDATE hits SET case_id = id / 50 WHERE id % 50 = 0;
