-- pg_compat.sql: what the rule files need from PostgreSQL that SQLite has built in or that the
-- SQLite driver registers as C functions (store/sqlite_funcs.c), so the same rule text runs on both
-- engines. Installed by `fundwatch init` (fw_db_migrate) in one transaction; every statement can
-- run again (CREATE OR REPLACE), and fw_compat_version() tells which version a database has.
--
-- Each function gives the result of its SQLite counterpart on the same input (tests/unit/
-- test_store_drivers.c checks them side by side), including C's atoi() reading of malformed text.
-- They are one SQL expression each, IMMUTABLE and without STRICT, so the planner inlines them into
-- the query instead of calling a function per row, and PARALLEL SAFE, so rules can use workers.
-- Booleans: is_near_relation and is_counted_vehicle return boolean here (rules write them as
-- conditions: WHERE is_counted_vehicle(t) AND ...); the store reads a boolean as 1 or 0, as SQLite.

DO $$
BEGIN
  IF current_setting('server_encoding') <> 'UTF8' THEN
    RAISE EXCEPTION 'the database encoding is %, fundwatch needs UTF8', current_setting('server_encoding')
      USING HINT = 'create the database with ENCODING ''UTF8'' (createdb -E UTF8 -T template0 NAME)';
  END IF;
END
$$;

-- C's (int) of a 64-bit value: the low 32 bits, signed (SQLite's sqlite3_value_int).
CREATE OR REPLACE FUNCTION fw_int32(n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN (n & 4294967295) >= 2147483648 THEN (n & 4294967295) - 4294967296 ELSE n & 4294967295 END
$$;

-- C's atoi() as glibc does it: leading blanks, a sign, digits; 0 when there are none; strtol's
-- clamp to 64 bits, then the int's low 32 bits.
CREATE OR REPLACE FUNCTION fw_atoi(s text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT fw_int32(COALESCE(LEAST(GREATEST(
           (substring(s FROM '^[ \t\n\r\f\v]*([+-]?[0-9]+)'))::numeric,
           -9223372036854775808), 9223372036854775807)::bigint, 0))
$$;

-- printf("%0*ld", w, n): zero-padded to w characters, the sign inside the width.
CREATE OR REPLACE FUNCTION fw_zero_pad(n bigint, w integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN n < 0 THEN '-' || lpad((-(n::numeric))::text, greatest(w - 1, length((-(n::numeric))::text)), '0')
              ELSE lpad(n::text, greatest(w, length(n::text)), '0') END
$$;

-- A month as a count of months (year * 12 + month - 1) from 'YYYY-MM' or 'YYYY-MM-DD'; NULL when
-- malformed (sqlite_funcs.c's month_index returning -1). The first branch is the well-formed month
-- every imported period and date is, read with one regular expression and two casts: the atoi()
-- reading below costs about 100 µs a row, which made month rules five times slower than on SQLite.
CREATE OR REPLACE FUNCTION fw_month_index(s text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s ~ '^[1-9][0-9]{3}-(0[1-9]|1[0-2])([^0-9]|$)'
              THEN substr(s, 1, 4)::bigint * 12 + substr(s, 6, 2)::bigint - 1
              WHEN octet_length(s) >= 7 AND substr(s, 5, 1) = '-' AND fw_atoi(s) >= 1000
              AND fw_atoi(substr(s, 6)) BETWEEN 1 AND 12
         THEN fw_atoi(s) * 12 + fw_atoi(substr(s, 6)) - 1 END
$$;

-- id_birth(id) -> 'YYYY-MM-DD' from an 18-character ID number, NULL otherwise.
CREATE OR REPLACE FUNCTION id_birth(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(id) = 18
         THEN substr(id, 7, 4) || '-' || substr(id, 11, 2) || '-' || substr(id, 13, 2) END
$$;

-- id_sex(id) -> 'M' or 'F' (the 17th digit odd = male), NULL when not an 18-character ID.
CREATE OR REPLACE FUNCTION id_sex(id text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(id) = 18 AND substr(id, 17, 1) ~ '^[0-9]$'
         THEN CASE WHEN substr(id, 17, 1)::integer % 2 = 1 THEN 'M' ELSE 'F' END END
$$;

-- age_on's reading of a malformed date or ID number, as C's atoi() reads them. A function of its own,
-- plpgsql so that it is never inlined, with COST 1: the planner adds the cost of every arm of a CASE
-- to each row it filters, and this arm's regexes and numeric casts, inlined, made a sequential scan
-- of the payments look dearer than an index scan of most of them in random order (ELI-002 at county
-- scale: 24.5 s with the index, 7.3 s with the scan; docs/store.md). Well-formed rows never call it.
CREATE OR REPLACE FUNCTION fw_age_on_malformed(id text, d text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1 AS $$
BEGIN
  RETURN fw_int32(fw_atoi(d) - fw_atoi(substr(id, 7, 4))
                  - CASE WHEN fw_int32(fw_atoi(substr(d, 6)) * 100 + fw_atoi(substr(d, 9)))
                              < fw_atoi(substr(id, 11, 4)) THEN 1 ELSE 0 END);
END
$$;

-- age_on(id, date) -> whole years of age on date (birth date from the ID number). The well-formed
-- test (the ID's eight birth digits, a date of digits 'YYYY-MM-DD' not followed by a digit) is a
-- LIKE and two translate()s, not two regular expressions: ELI-002's filter over a county's 3.76
-- million pension payments took 13.6 s with the expressions, 9.5 s so (compat 5; docs/store.md).
CREATE OR REPLACE FUNCTION age_on(id text, d text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN octet_length(id) = 18 AND d LIKE '____-__-__%'
                   AND translate(substr(id, 7, 8), '0123456789', '') = ''
                   AND translate(substr(d, 1, 10), '0123456789', '') = '--'
                   AND (octet_length(d) = 10 OR strpos('0123456789', substr(d, 11, 1)) = 0)
         THEN substr(d, 1, 4)::bigint - substr(id, 7, 4)::bigint
              - CASE WHEN substr(d, 6, 2)::bigint * 100 + substr(d, 9, 2)::bigint < substr(id, 11, 4)::bigint
                     THEN 1 ELSE 0 END
         WHEN octet_length(id) = 18 AND octet_length(d) >= 10
         THEN fw_age_on_malformed(id, d) END
$$;

-- month_of(date) -> 'YYYY-MM'.
CREATE OR REPLACE FUNCTION month_of(d text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN fw_month_index(d) IS NOT NULL THEN substr(d, 1, 7) END
$$;

-- month_add(period_or_date, n) -> 'YYYY-MM' n months later (n may be negative, 64 bits); a result
-- outside the years 1000-9999 is an error, as in store/sqlite_funcs.c, never a wrapped or truncated month.
CREATE OR REPLACE FUNCTION month_add(p text, n bigint) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  m bigint := fw_month_index(p);
BEGIN
  IF m IS NULL OR n IS NULL THEN
    RETURN NULL;
  END IF;
  IF n > 9999 * 12 + 11 - m OR n < 1000 * 12 - m THEN
    RAISE EXCEPTION 'month_add: % months from % is outside the years 1000-9999', n, substr(p, 1, 7)
      USING ERRCODE = '22008';
  END IF;
  RETURN fw_zero_pad((m + n) / 12, 4) || '-' || fw_zero_pad((m + n) % 12 + 1, 2);
END
$$;

-- months_between(a, b) -> months from a's month to b's month (b - a).
CREATE OR REPLACE FUNCTION months_between(a text, b text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT fw_month_index(b) - fw_month_index(a)
$$;

-- ev(dataset, row_key) -> 'dataset:row_key', the evidence key.
CREATE OR REPLACE FUNCTION ev(ds text, row_key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ds || ':' || row_key
$$;

-- yuan(fen) -> '1,234.50'. The argument is numeric so that sum() of integers (numeric here) fits;
-- like SQLite's sqlite3_value_int64 it is truncated toward zero and clamped to 64 bits.
CREATE OR REPLACE FUNCTION yuan(fen numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN fen IS NOT NULL THEN
           CASE WHEN trunc(fen) < 0 THEN '-' ELSE '' END
           || regexp_replace(trunc(abs(LEAST(GREATEST(trunc(fen), -9223372036854775808), 9223372036854775807)) / 100)::text,
                             '(\d)(?=(\d{3})+$)', '\1,', 'g')
           || '.' || lpad((abs(LEAST(GREATEST(trunc(fen), -9223372036854775808), 9223372036854775807)) % 100)::text, 2, '0')
         END
$$;

-- is_near_relation(relation): spouse, parents, children, siblings and in-laws; false for NULL.
CREATE OR REPLACE FUNCTION is_near_relation(r text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT COALESCE(r ~ '配偶|夫|妻|父|母|子|女|儿|兄|弟|姐|妹|公公|婆婆|岳|媳|婿'
                  AND r !~ '孙|外|侄|甥|堂|表|叔|伯|舅|姑|姨|祖', false)
$$;

-- is_counted_vehicle(vehicle_type): false for motorcycles, farm and low-speed vehicles and
-- disability mobility vehicles, which policy does not count as wealth; true otherwise (and for NULL).
CREATE OR REPLACE FUNCTION is_counted_vehicle(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT NOT COALESCE(t ~ '摩托|三轮汽车|低速货车|拖拉机|农用|残疾人', false)
$$;

-- instr(haystack, needle): SQLite's 1-based position of the first occurrence, 0 when absent.
CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT strpos(haystack, needle)
$$;

-- group_concat(x [, separator]): SQLite's aggregate. NULLs are skipped, no value gives NULL, the
-- separator defaults to ','. DISTINCT works as for any PostgreSQL aggregate; the order of values
-- is unspecified on both engines (PostgreSQL's DISTINCT sorts them, SQLite keeps the first seen).
-- One argument: any type, collected with array_append (a C function) and joined once at the end.
CREATE OR REPLACE FUNCTION fw_group_concat_final(acc anycompatiblearray) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_string(NULLIF(array_remove(acc, NULL), '{}'), ',')
$$;

CREATE OR REPLACE AGGREGATE group_concat(anycompatible) (
  SFUNC = array_append, STYPE = anycompatiblearray, FINALFUNC = fw_group_concat_final, PARALLEL = SAFE
);

CREATE OR REPLACE FUNCTION fw_group_concat_step(acc text, v text, sep text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v ELSE acc || COALESCE(sep, '') || v END
$$;

CREATE OR REPLACE AGGREGATE group_concat(text, text) (
  SFUNC = fw_group_concat_step, STYPE = text, PARALLEL = SAFE
);

-- program_set(list): the programs of every row's comma list as one set, as audit/profile.c's
-- fw_program_set writes it: names trimmed of blanks and tabs, empty ones dropped, each once, in byte
-- order, joined by ','; NULL when there is none.
CREATE OR REPLACE FUNCTION fw_program_set_step(acc text, v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL OR v = '' THEN acc WHEN acc IS NULL THEN v ELSE acc || ',' || v END
$$;

CREATE OR REPLACE FUNCTION fw_program_set_final(acc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg(w, ',' ORDER BY w COLLATE "C")
  FROM (SELECT DISTINCT btrim(x, E' \t') AS w FROM regexp_split_to_table(acc, ',') AS x) s
  WHERE w <> ''
$$;

CREATE OR REPLACE AGGREGATE program_set(text) (
  SFUNC = fw_program_set_step, STYPE = text, FINALFUNC = fw_program_set_final, PARALLEL = SAFE
);

-- round(x, digits) of a real: SQLite's round(), a real; PostgreSQL has it for numeric only. (The
-- numeric rounds a half away from zero on the decimal digits PostgreSQL prints for x.)
CREATE OR REPLACE FUNCTION round(x double precision, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT round(x::numeric, digits)::double precision
$$;

-- date(text [, '±N days']): SQLite's date() of a 'YYYY-MM-DD...' text, as 'YYYY-MM-DD'. Only the
-- day modifier is supported (the one rules use: month arithmetic at a month's end differs between
-- the engines); NULL for anything else, as SQLite gives NULL for what it cannot read.
CREATE OR REPLACE FUNCTION date(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' THEN to_char(substr(t, 1, 10)::date, 'YYYY-MM-DD') END
$$;

CREATE OR REPLACE FUNCTION date(t text, modifier text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN t ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' AND modifier ~ '^\s*[+-]?[0-9]{1,9}\s+days?\s*$'
         THEN to_char(substr(t, 1, 10)::date + (substring(modifier FROM '[+-]?[0-9]+'))::integer, 'YYYY-MM-DD') END
$$;

CREATE OR REPLACE FUNCTION fw_compat_version() RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 5 $$;
