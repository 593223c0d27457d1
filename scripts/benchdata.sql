-- benchdata.sql: a synthetic county for timing the rule catalogue before the generator exists.
-- Fills the ds_* tables of a fresh workspace (create it with `fundwatch --db WS datasets`) with
-- 200,000 persons and about 5 million payments over 36 months, plus registries of realistic
-- size. The values are plausible, not meaningful: ID numbers keep the birth date in place but
-- carry no valid check character (rules never check it). Usage:
--     sqlite3 WS < scripts/benchdata.sql
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
INSERT OR IGNORE INTO imports(id, dataset, file, sha256, encoding, mode, status, user, started_at)
VALUES (1, 'bench', 'benchdata.sql', '-', 'UTF-8', 'append', 'loaded', 'bench', '2026-01-01T00:00:00Z');
INSERT OR IGNORE INTO programs(name, means_tested, fixed_amount) VALUES
 ('低保',1,0),('特困供养',1,0),('临时救助',1,0),('医疗救助',1,0),('危房改造',1,0),
 ('高龄津贴',0,1),('城乡居民养老金',0,1),('残疾人两项补贴',0,1),('教育资助',0,1),('公益岗位',0,1);

CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000) INSERT INTO n SELECT i FROM c;
CREATE TEMP TABLE pid(i INTEGER PRIMARY KEY, id TEXT, name TEXT, birth INTEGER, vil INTEGER);
INSERT INTO pid SELECT i,
  '52' || printf('%04d', i % 10000) || printf('%04d%02d%02d', 1925 + (i * 7) % 95, 1 + i % 12, 1 + i % 28)
       || printf('%03d', i / 10000) || '0',
  '村民' || i, 1925 + (i * 7) % 95, i % 300 FROM n;

INSERT INTO ds_persons(import_id, line, row_key, id_number, name, household_id, relation, region_code,
                       township, village, status)
SELECT 1, i, 'r' || i, id, name, 'H' || (i / 3), CASE i % 3 WHEN 0 THEN '户主' WHEN 1 THEN '配偶' ELSE '子女' END,
       '520102' || printf('%03d%03d', vil / 15, vil), '镇' || (vil / 15), '村' || vil,
       CASE WHEN i % 97 = 0 THEN '迁出' ELSE '正常' END FROM pid;
UPDATE ds_persons SET status_date = '2022-06-15' WHERE status = '迁出';

CREATE TEMP TABLE m(k INTEGER PRIMARY KEY, period TEXT);
WITH RECURSIVE c(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM c WHERE k < 35)
INSERT INTO m SELECT k, printf('%04d-%02d', 2021 + k / 12, 1 + k % 12) FROM c;

-- who receives what: 低保 40k (every fifth household), 特困 5k, 城乡居民养老金 everyone born before 1963, 高龄津贴 born
-- before 1943, 残疾人两项补贴 8k, 教育资助 students each half year, one-off aids.
CREATE TEMP TABLE plan(i INTEGER, program TEXT, amount INTEGER, every INTEGER);
INSERT INTO plan SELECT i, '低保', 30000 + (i % 7) * 2500, 1 FROM pid WHERE (i / 3) % 5 = 0;
INSERT INTO plan SELECT i, '特困供养', 60000 + (i % 3) * 5000, 1 FROM pid WHERE i % 40 = 3;
INSERT INTO plan SELECT i, '城乡居民养老金', 15000, 1 FROM pid WHERE birth < 1963 AND i % 2 = 0;
INSERT INTO plan SELECT i, '高龄津贴', 5000, 1 FROM pid WHERE birth < 1943;
INSERT INTO plan SELECT i, '残疾人两项补贴', 8000, 1 FROM pid WHERE i % 25 = 7;
INSERT INTO plan SELECT i, '教育资助', 62500, 6 FROM pid WHERE birth >= 2005 AND i % 3 = 0;
INSERT INTO plan SELECT i, '临时救助', 100000 + (i % 13) * 1000, 12 FROM pid WHERE i % 50 = 11;
INSERT INTO plan SELECT i, '医疗救助', 50000 + (i % 17) * 3700, 12 FROM pid WHERE i % 30 = 13;

INSERT INTO ds_payments(import_id, line, row_key, payment_id, id_number, name, program, amount, pay_date,
                        period, bank_account, account_name, region_code, township, village,
                        approved_by, approval_date)
SELECT 1, 0, 'P' || plan.i || '-' || plan.program || '-' || m.k, 'P' || plan.i || '-' || plan.program || '-' || m.k,
       pid.id, pid.name, plan.program, plan.amount, m.period || '-10', m.period,
       '62284800' || printf('%08d', plan.i), pid.name,
       '520102' || printf('%03d%03d', pid.vil / 15, pid.vil), '镇' || (pid.vil / 15), '村' || pid.vil,
       NULL, '2020-12-01'
FROM plan JOIN pid ON pid.i = plan.i JOIN m ON m.k % plan.every = plan.i % plan.every;

-- registries
INSERT INTO ds_deaths(import_id, line, row_key, id_number, name, death_date, source)
SELECT 1, i, 'd' || i, id, name, '2022-' || printf('%02d', 1 + i % 12) || '-15', '民政' FROM pid WHERE i % 70 = 5;
INSERT INTO ds_officials(import_id, line, row_key, id_number, name, employer, position, kind, region_code, start_date, end_date)
SELECT 1, i, 'o' || i, id, name, CASE WHEN i % 4 = 0 THEN '村' || vil || '村委会' ELSE '某县某局' || (i % 40) END,
       '科员', CASE WHEN i % 4 = 0 THEN '村干部' ELSE '公务员' END, '520102' || printf('%03d', vil / 15),
       '2015-01-01', CASE WHEN i % 9 = 0 THEN '2020-12-31' END FROM pid WHERE i % 25 = 2 AND ((i / 3) % 5 <> 0 OR i % 500 = 0);
INSERT INTO ds_relatives(import_id, line, row_key, id_number, relative_id_number, relation)
SELECT 1, o.i, 'k' || o.i || '-' || r.i, o.id, r.id, CASE (o.i + r.i) % 4 WHEN 0 THEN '配偶' WHEN 1 THEN '儿子' WHEN 2 THEN '孙子' ELSE '兄弟' END
FROM pid o JOIN pid r ON r.i IN (o.i + 1, o.i + 2, o.i + 3) WHERE o.i % 25 = 2 AND ((o.i / 3) % 5 <> 0 OR o.i % 500 = 0);
INSERT INTO ds_businesses(import_id, line, row_key, id_number, name, enterprise_name, credit_code, role, capital, status, reg_date)
SELECT 1, i, 'b' || i, id, name, '某某商贸' || i, '9' || (1 + i % 2) || '520102MA' || printf('%08d', i), CASE WHEN i % 2 THEN '经营者' ELSE '法定代表人' END,
       (i % 50) * 10000000, CASE WHEN i % 5 = 0 THEN '注销' ELSE '存续' END, '2019-05-01' FROM pid WHERE i % 20 = 6 AND ((i / 3) % 5 <> 0 OR i % 500 = 0);
INSERT INTO ds_vehicles(import_id, line, row_key, id_number, name, plate, vehicle_type, reg_date, status)
SELECT 1, i, 'v' || i, id, name, '贵A' || printf('%05d', i % 100000), CASE WHEN i % 3 = 0 THEN '普通二轮摩托车' ELSE '小型普通客车' END,
       '20' || printf('%02d', 10 + i % 14) || '-03-01', '正常' FROM pid WHERE i % 10 = 4 AND ((i / 3) % 5 <> 0 OR i % 500 = 0);
INSERT INTO ds_properties(import_id, line, row_key, id_number, name, address, area, usage, kind, reg_date)
SELECT 1, i, 'h' || i, id, name, '某县某路' || i || '号', 90, CASE WHEN i % 11 = 0 THEN '商业' ELSE '住宅' END,
       CASE WHEN i % 2 THEN '商品房' ELSE '自建房' END, '2018-06-01' FROM pid WHERE i % 7 = 5 AND ((i / 3) % 5 <> 0 OR i % 500 = 0);
INSERT INTO ds_prisoners(import_id, line, row_key, id_number, name, start_date, end_date)
SELECT 1, i, 'j' || i, id, name, '2022-01-10', '2023-06-10' FROM pid WHERE i % 400 = 9;
INSERT INTO ds_students(import_id, line, row_key, id_number, name, school, stage, status, start_date, end_date)
SELECT 1, i, 's' || i, id, name, '某县中学', '初中', '在读', '2018-09-01', NULL FROM pid WHERE birth >= 2005 AND i % 5 <> 0;
INSERT INTO ds_disabilities(import_id, line, row_key, id_number, name, grade, kind, issue_date, status)
SELECT 1, i, 'x' || i, id, name, '二级', '肢体', '2015-01-01', CASE WHEN i % 8 = 0 THEN '注销' ELSE '有效' END FROM pid WHERE i % 25 = 7 OR i % 33 = 1;
INSERT INTO ds_pensions(import_id, line, row_key, id_number, name, kind, monthly_amount, start_date)
SELECT 1, i, 'i' || i, id, name, '企业职工', 150000 + (i % 20) * 10000, '2019-01-01' FROM pid WHERE birth < 1963 AND i % 13 = 0;
INSERT INTO ds_standards(import_id, line, row_key, program, region_code, max_monthly_amount, valid_from, valid_to) VALUES
 (1, 1, 'st1', '低保', '520102', 45000, '2021-01-01', '2023-12-31'),
 (1, 2, 'st2', '特困供养', '520102', 70000, '2021-01-01', '2023-12-31'),
 (1, 3, 'st3', '高龄津贴', '520000', 5000, '2021-01-01', '2023-12-31'),
 (1, 4, 'st4', '城乡居民养老金', '520000', 15000, '2021-01-01', '2023-12-31');
