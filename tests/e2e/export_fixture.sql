-- export_fixture.sql: a small workspace for the export tests, loaded with the sqlite3 CLI into a
-- workspace that fundwatch created (so the schema is fundwatch's own). @RULES@ is replaced by the
-- test with the path of a rule file it writes. Covers: two townships, four categories, every
-- case state the workbook shows, an ID ending in X, a lead without a case, a gone and a
-- whitelisted hit (both must stay out of exports), evidence in payments and deaths.
INSERT INTO imports(id, dataset, file, sha256, encoding, mode, status, rows_read, rows_loaded, user, started_at, finished_at) VALUES
 (1, 'persons',  'persons.csv',  'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90', 'UTF-8', 'append', 'loaded', 5, 5, 'importer', '2026-11-01T08:00:00Z', '2026-11-01T08:00:01Z'),
 (2, 'payments', '低保发放台账2023.csv', '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0', 'GB18030', 'append', 'loaded', 6, 6, 'importer', '2026-11-01T08:01:00Z', '2026-11-01T08:01:02Z'),
 (3, 'deaths',   'deaths.csv',   '5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa5555aaaa', 'UTF-8', 'append', 'loaded', 1, 1, 'importer', '2026-11-01T08:02:00Z', '2026-11-01T08:02:00Z'),
 (4, 'payments', 'broken.csv',   'ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000', 'UTF-8', 'append', 'failed', 3, 0, 'importer', '2026-11-01T08:03:00Z', NULL);

INSERT INTO ds_persons(import_id, line, row_key, id_number, name, household_id, relation, township, village, status) VALUES
 (1, 2, 'P1', '520102195503120016', '张三', 'H001', '户主', '中华北路街道', '黔灵村', '正常'),
 (1, 3, 'P2', '520102198001011234', '王五', 'H001', '儿子', '中华北路街道', '黔灵村', '正常'),
 (1, 4, 'P3', '11010519491231002X', '李四', 'H002', '户主', '黔灵镇', '新寨村', '正常'),
 (1, 5, 'P4', '520103197502023456', '赵六', 'H003', '户主', '黔灵镇', '新寨村', '正常'),
 (1, 6, 'P5', '520103200001010011', '钱七', 'H009', '户主', '黔灵镇', '新寨村', '正常');

INSERT INTO ds_payments(import_id, line, row_key, payment_id, id_number, name, program, program_raw, amount, pay_date, period, bank_account, township, village) VALUES
 (2, 2, 'PAY-2023-04-001', 'PAY-2023-04-001', '520102195503120016', '张三', '低保', '城乡低保', 36000, '2023-04-10', '2023-04', '6222000011112222333', '中华北路街道', '黔灵村'),
 (2, 3, 'PAY-2023-05-001', 'PAY-2023-05-001', '520102195503120016', '张三', '低保', '城乡低保', 36000, '2023-05-10', '2023-05', '6222000011112222333', '中华北路街道', '黔灵村'),
 (2, 4, 'PAY-2023-01-007', 'PAY-2023-01-007', '11010519491231002X', '李四', '低保', '城乡低保', 25000, '2023-01-15', '2023-01', '6222000011119999000', '黔灵镇', '新寨村'),
 (2, 5, 'PAY-2023-06-007', 'PAY-2023-06-007', '11010519491231002X', '李四', '低保', '城乡低保', 25000, '2023-06-15', '2023-06', '6222000011119999000', '黔灵镇', '新寨村'),
 (2, 6, 'PAY-2023-03-011', 'PAY-2023-03-011', '520103197502023456', '赵六', '特困供养', '特困', 30000, '2023-03-05', '2023-03', '6222000011117777000', '黔灵镇', '新寨村'),
 (2, 7, 'PAY-2023-02-020', 'PAY-2023-02-020', '520102198001011234', '王五', '临时救助', '临时救助', 12345, '2023-02-20', '2023-02', '6222000011115555000', '中华北路街道', '黔灵村');

INSERT INTO ds_deaths(import_id, line, row_key, id_number, name, death_date, source) VALUES
 (3, 2, 'D-520102195503120016', '520102195503120016', '张三', '2023-03-10', '火化记录');

INSERT INTO runs(id, user, started_at, finished_at, status, selection, imports, hits_new) VALUES
 (1, 'analyst', '2026-11-02T09:00:00Z', '2026-11-02T09:00:05Z', 'complete', 'all', '[1,2,3]', 7);

INSERT INTO run_rules(run_id, rule_id, version, text_sha256, params, file, status, hits) VALUES
 (1, 'DEC-001', '1.0', '1111111111111111111111111111111111111111111111111111111111111111', '{"grace_months":0}', '@RULES@', 'complete', 2),
 (1, 'DEC-002', '1.0', '2222222222222222222222222222222222222222222222222222222222222222', '{"min_periods":2}', '@RULES@', 'complete', 1),
 (1, 'OFF-001', '1.1', '3333333333333333333333333333333333333333333333333333333333333333', '{}', '@RULES@', 'complete', 2),
 (1, 'VEH-001', '1.0', '4444444444444444444444444444444444444444444444444444444444444444', '{"min_value":5000000}', '@RULES@', 'complete', 1),
 (1, 'DUP-003', '1.0', '5555555555555555555555555555555555555555555555555555555555555555', '{}', '@RULES@', 'complete', 1);

INSERT INTO cases(id, case_no, subject_kind, subject, id_number, name, county, township, village, status, assignee, received_at, due_date, verify_method, verifier, verified_at, conclusion, dismiss_reason, measures, to_recover, recovered, created_at, updated_at) VALUES
 (1, 'FW-2026-000001', 'person', '520102195503120016', '520102195503120016', '张三', '云岩区', '中华北路街道', '黔灵村', 'confirmed', '陈明', '2026-11-03', '2026-12-31', '入户核查', '陈明', '2026-11-10', '死亡后继续领取低保，属实', NULL, '停发并追回', 72000, 36000, '2026-11-02T09:00:05Z', '2026-11-10T15:30:00Z'),
 (2, 'FW-2026-000002', 'person', '11010519491231002X', '11010519491231002X', '李四', '云岩区', '黔灵镇', '新寨村', 'verifying', '刘芳', '2026-11-03', '2026-12-15', NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, '2026-11-02T09:00:05Z', '2026-11-04T10:00:00Z'),
 (3, 'FW-2026-000003', 'person', '520103197502023456', '520103197502023456', '赵六', '云岩区', '黔灵镇', '新寨村', 'new', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, '2026-11-02T09:00:05Z', '2026-11-02T09:00:05Z'),
 (4, 'FW-2026-000004', 'person', '520103200001010011', '520103200001010011', '钱七', '云岩区', '黔灵镇', '新寨村', 'dismissed', '刘芳', NULL, NULL, NULL, NULL, NULL, NULL, '车辆已过户，不属实', NULL, 0, 0, '2026-11-02T09:00:05Z', '2026-11-05T10:00:00Z');

INSERT INTO hits(id, fingerprint, rule_id, category, severity, subject_kind, subject, id_number, name, household_id, township, village, program, amount, first_date, last_date, detail, evidence_hash, state, first_run_id, last_run_id, case_id) VALUES
 (1, 'fp1', 'DEC-001', 'deceased', 'high', 'person', '520102195503120016', '520102195503120016', '张三', 'H001', '中华北路街道', '黔灵村', '低保', 72000, '2023-04-10', '2023-05-10', '2023-03-10 死亡，2023-04 至 2023-05 仍发放低保 2 期', 'e1', 'present', 1, 1, 1),
 (2, 'fp2', 'DEC-002', 'deceased', 'high', 'person', '520102195503120016', '520102195503120016', '张三', 'H001', '中华北路街道', '黔灵村', '低保', 72000, '2023-04', '2023-05', '死亡后连续 2 期发放', 'e2', 'present', 1, 1, 1),
 (3, 'fp3', 'OFF-001', 'official', 'high', 'person', '11010519491231002X', '11010519491231002X', '李四', 'H002', '黔灵镇', '新寨村', '低保', 50000, '2023-01-15', '2023-06-15', '在职公职人员领取低保, "财政供养"', 'e3', 'present', 1, 1, 2),
 (4, 'fp4', 'VEH-001', 'vehicle', 'medium', 'person', '520103197502023456', '520103197502023456', '赵六', 'H003', '黔灵镇', '新寨村', '特困供养', 30000, '2023-03-05', '2023-03-05', '家庭登记有小型轿车', 'e4', 'present', 1, 1, 3),
 (5, 'fp5', 'DUP-003', 'duplicate', 'low', 'person', '520102198001011234', '520102198001011234', '王五', 'H001', '中华北路街道', '黔灵村', '临时救助', 12345, '2023-02-20', '2023-02-20', '同一期重复发放', 'e5', 'present', 1, 1, NULL),
 (6, 'fp6', 'OFF-001', 'official', 'high', 'person', '520103200001010011', '520103200001010011', '钱七', 'H009', '黔灵镇', '新寨村', '低保', 99900, '2023-01-01', '2023-01-01', '已消失的线索', 'e6', 'gone', 1, 1, 4),
 (7, 'fp7', 'DEC-001', 'deceased', 'high', 'person', '520103200001010011', '520103200001010011', '钱七', 'H009', '黔灵镇', '新寨村', '低保', 88800, '2023-01-01', '2023-01-01', '白名单线索', 'e7', 'whitelisted', 1, 1, NULL);

INSERT INTO hit_evidence(hit_id, dataset, row_key) VALUES
 (1, 'payments', 'PAY-2023-04-001'), (1, 'payments', 'PAY-2023-05-001'), (1, 'deaths', 'D-520102195503120016'),
 (2, 'payments', 'PAY-2023-04-001'), (2, 'payments', 'PAY-2023-05-001'), (2, 'deaths', 'D-520102195503120016'),
 (3, 'payments', 'PAY-2023-01-007'), (3, 'payments', 'PAY-2023-06-007'),
 (4, 'payments', 'PAY-2023-03-011'),
 (5, 'payments', 'PAY-2023-02-020');

INSERT INTO case_notes(case_id, user, at, text) VALUES
 (1, '陈明', '2026-11-05T10:00:00Z', '已入户，家属承认代领'),
 (1, '陈明', '2026-11-10T15:00:00Z', '已追回 360 元，余款分期');
