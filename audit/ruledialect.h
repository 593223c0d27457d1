/* ruledialect.h: the rule assembler's PostgreSQL spelling of a rule's SQLite query.
 *
 * Why: the shipped rules are written for SQLite and carry its planner hints (CROSS JOIN ... ON to
 * fix the join order, a unary + to keep a column off an index), its shorthands (x IS y for
 * null-safe equality, x IN cte, JOIN without ON) and its type names (INTEGER is 64-bit, REAL is
 * double). PostgreSQL refuses or reads them differently. Rewriting those few forms here lets one
 * rule text run on both engines (issue 11: no forked rule files); everything else is
 * audit/store/pg_compat.sql's (functions) and the rule's own (docs/rules.md, "PostgreSQL"). */
#ifndef FW_RULEDIALECT_H
#define FW_RULEDIALECT_H

/* The PostgreSQL text of sql. *map (when map is not NULL) receives, for every byte offset of the
 * result (and one past its end), the offset in sql it came from, so an error position maps back to
 * the rule file's line. The caller frees both. String literals, quoted names and comments are
 * copied unchanged. */
char *fw_rule_sql_postgres(const char *sql, int **map);

#endif
