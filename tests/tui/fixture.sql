-- tests/tui/fixture.sql: a small workspace for the TUI tests and docs captures. Pipe it into
-- `sqlite3 WORKSPACE` after `fundwatch overview` has created the workspace. It plants:
--   张三 (dead 2023-03-10, paid 低保 through 2023-06: DEC-001, three implicated payments),
--   his wife 李四 in household H001, who shares a bank account with 王五,
--   王五, brother of village cadre 赵六 (REL-001, the relation path),
--   欧阳·买买提 (a minority name with a middle dot) who owns a car (VEH-001),
--   and 60 filler hits (测试01..测试60, DUP-001) so lists page.
BEGIN;
INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, rows_read, rows_loaded, rows_rejected,
                    min_date, max_date, user, started_at, finished_at) VALUES
 (1, 'persons',  'persons.csv',  'a1', 'UTF-8', 'append', 'loaded', 5, 5, 0, NULL, NULL, 'tester', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z'),
 (2, 'payments', 'payments.csv', 'a2', 'GB18030', 'append', 'loaded', 14, 12, 2, '2023-01-10', '2023-06-10', 'tester', '2026-01-01T00:01:00Z', '2026-01-01T00:01:01Z'),
 (3, 'deaths',   'deaths.csv',   'a3', 'UTF-8', 'append', 'loaded', 1, 1, 0, '2023-03-10', '2023-03-10', 'tester', '2026-01-01T00:02:00Z', '2026-01-01T00:02:01Z'),
 (4, 'officials','officials.csv','a4', 'UTF-8', 'append', 'loaded', 1, 1, 0, NULL, NULL, 'tester', '2026-01-01T00:03:00Z', '2026-01-01T00:03:01Z'),
 (5, 'relatives','relatives.csv','a5', 'UTF-8', 'append', 'loaded', 1, 1, 0, NULL, NULL, 'tester', '2026-01-01T00:04:00Z', '2026-01-01T00:04:01Z'),
 (6, 'vehicles', 'vehicles.csv', 'a6', 'UTF-8', 'append', 'loaded', 1, 1, 0, NULL, NULL, 'tester', '2026-01-01T00:05:00Z', '2026-01-01T00:05:01Z');
INSERT INTO rejects(import_id, line, col, column_name, value, reason) VALUES
 (2, 9, 5, 'amount', 'abc', 'not an amount'), (2, 12, 2, 'id_number', '123', 'not an ID number');

INSERT INTO ds_persons(import_id, line, row_key, id_number, name, household_id, relation, township, village, category, status) VALUES
 (1, 2, 'p1', '520102195503120016', '张三', 'H001', '户主', '花溪镇', '青岩村', '低保', '正常'),
 (1, 3, 'p2', '520102195801020024', '李四', 'H001', '配偶', '花溪镇', '青岩村', '低保', '正常'),
 (1, 4, 'p3', '520102196805050031', '王五', 'H002', '户主', '花溪镇', '石板村', '低保', '正常'),
 (1, 5, 'p4', '652101198001010012', '欧阳·买买提', 'H003', '户主', '孟关乡', '沙坡村', '特困', '正常'),
 (1, 6, 'p5', '520102196501010058', '赵六', 'H004', '户主', '花溪镇', '石板村', '', '正常');

INSERT INTO ds_payments(import_id, line, row_key, payment_id, id_number, name, program, amount, pay_date, period, bank_account, account_name, township, village) VALUES
 (2, 2, 'PAY-0101', 'PAY-0101', '520102195503120016', '张三', '低保', 36000, '2023-01-10', '2023-01', '6222000011112222', '张三', '花溪镇', '青岩村'),
 (2, 3, 'PAY-0102', 'PAY-0102', '520102195503120016', '张三', '低保', 36000, '2023-02-10', '2023-02', '6222000011112222', '张三', '花溪镇', '青岩村'),
 (2, 4, 'PAY-0103', 'PAY-0103', '520102195503120016', '张三', '低保', 36000, '2023-03-10', '2023-03', '6222000011112222', '张三', '花溪镇', '青岩村'),
 (2, 5, 'PAY-0104', 'PAY-0104', '520102195503120016', '张三', '低保', 36000, '2023-04-10', '2023-04', '6222000011112222', '张三', '花溪镇', '青岩村'),
 (2, 6, 'PAY-0105', 'PAY-0105', '520102195503120016', '张三', '低保', 36000, '2023-05-10', '2023-05', '6222000011112222', '张三', '花溪镇', '青岩村'),
 (2, 7, 'PAY-0106', 'PAY-0106', '520102195503120016', '张三', '低保', 36000, '2023-06-10', '2023-06', '6222000011112222', '张三', '花溪镇', '青岩村'),
 (2, 8, 'PAY-0201', 'PAY-0201', '520102195801020024', '李四', '低保', 36000, '2023-01-10', '2023-01', '6222000099998888', '李四', '花溪镇', '青岩村'),
 (2, 10, 'PAY-0301', 'PAY-0301', '520102196805050031', '王五', '低保', 42000, '2023-01-10', '2023-01', '6222000099998888', '李四', '花溪镇', '石板村'),
 (2, 11, 'PAY-0302', 'PAY-0302', '520102196805050031', '王五', '低保', 42000, '2023-02-10', '2023-02', '6222000099998888', '李四', '花溪镇', '石板村'),
 (2, 13, 'PAY-0401', 'PAY-0401', '652101198001010012', '欧阳·买买提', '特困供养', 58000, '2023-01-10', '2023-01', '6222000077776666', '欧阳·买买提', '孟关乡', '沙坡村'),
 (2, 14, 'PAY-0402', 'PAY-0402', '652101198001010012', '欧阳·买买提', '特困供养', 58000, '2023-02-10', '2023-02', '6222000077776666', '欧阳·买买提', '孟关乡', '沙坡村'),
 (2, 15, 'PAY-0403', 'PAY-0403', '652101198001010012', '欧阳·买买提', '特困供养', 58000, '2023-03-10', '2023-03', '6222000077776666', '欧阳·买买提', '孟关乡', '沙坡村');
INSERT INTO ds_deaths(import_id, line, row_key, id_number, name, death_date, source) VALUES
 (3, 2, 'd1', '520102195503120016', '张三', '2023-03-10', '火化记录');
INSERT INTO ds_officials(import_id, line, row_key, id_number, name, employer, position, kind, start_date) VALUES
 (4, 2, 'o1', '520102196501010058', '赵六', '石板村村民委员会', '村主任', '村干部', '2018-01-01');
INSERT INTO ds_relatives(import_id, line, row_key, id_number, relative_id_number, relation) VALUES
 (5, 2, 'r1', '520102196501010058', '520102196805050031', '兄弟');
INSERT INTO ds_vehicles(import_id, line, row_key, id_number, name, plate, vehicle_type, reg_date, status) VALUES
 (6, 2, 'v1', '652101198001010012', '欧阳·买买提', '贵A12345', '小型轿车', '2022-06-01', '正常');

INSERT INTO runs(id, user, started_at, finished_at, status, selection, hits_new, hits_present)
 VALUES (1, 'tester', '2026-01-02T08:00:00Z', '2026-01-02T08:00:05Z', 'complete', 'all', 63, 0);
INSERT INTO run_rules(run_id, rule_id, text_sha256, status, hits, ms) VALUES
 (1, 'DEC-001', 'x', 'complete', 1, 3), (1, 'REL-001', 'x', 'complete', 1, 4),
 (1, 'VEH-001', 'x', 'complete', 1, 2), (1, 'DUP-001', 'x', 'complete', 60, 9);
INSERT INTO cases(id, case_no, subject_kind, subject, id_number, name, township, village, status, assignee, created_at, updated_at)
 VALUES (1, 'C2026-0001', 'person', '520102195503120016', '520102195503120016', '张三', '花溪镇', '青岩村', 'verifying', '李核查', '2026-01-02T08:00:05Z', '2026-01-03T09:00:00Z');
INSERT INTO case_notes(case_id, user, at, text) VALUES (1, '李核查', '2026-01-03T09:00:00Z', '已入户走访，家属称不知情');

INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, household_id,
                 township, village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id, last_run_id, case_id) VALUES
 (1, 'f1', 'DEC-001', 'deceased', 'high', 'person', '520102195503120016', '520102195503120016', '张三', 'H001',
  '花溪镇', '青岩村', '低保', 108000, '2023-04', '2023-06', '死亡（2023-03-10）后仍发放低保3期，计1080.00元', 'e1', 1, 1, 1),
 (2, 'f2', 'REL-001', 'relative', 'high', 'person', '520102196805050031', '520102196805050031', '王五', 'H002',
  '花溪镇', '石板村', '低保', 84000, '2023-01', '2023-02', '村干部赵六（村主任）的兄弟享受低保', 'e2', 1, 1, NULL),
 (3, 'f3', 'VEH-001', 'vehicle', 'medium', 'person', '652101198001010012', '652101198001010012', '欧阳·买买提', 'H003',
  '孟关乡', '沙坡村', '特困供养', 174000, '2023-01', '2023-03', '名下有小型轿车贵A12345仍享受特困供养', 'e3', 1, 1, NULL);
INSERT INTO hit_evidence(hit_id, dataset, row_key) VALUES
 (1, 'payments', 'PAY-0104'), (1, 'payments', 'PAY-0105'), (1, 'payments', 'PAY-0106'), (1, 'deaths', 'd1'),
 (2, 'payments', 'PAY-0301'), (2, 'payments', 'PAY-0302'), (2, 'relatives', 'r1'),
 (3, 'payments', 'PAY-0401'), (3, 'vehicles', 'v1');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60)
INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, household_id,
                 township, village, program, amount, first_date, last_date, detail, evidence_hash, first_run_id, last_run_id)
SELECT 100 + i, 'fill' || i, 'DUP-001', 'duplicate', 'low', 'person', printf('5201021990%08d', i), printf('5201021990%08d', i),
       printf('测试%02d', i), NULL, '孟关乡', '沙坡村', '临时救助', 1000 * i, '2023-07', '2023-07',
       '同一项目同一期重复发放', 'ef' || i, 1, 1
FROM n;
COMMIT;
