/* rules.h: rule files. Loading the INI files of the catalogue (shipped, then the user's folder,
 * then --rules DIR, later sources overriding earlier ones by rule id), mapping every section and key
 * to its line, assembling each rule's SELECT from its clause keys, and checking rules: metadata,
 * keys, SQL that compiles as one statement that only reads, output columns, parameters and query plans.
 *
 * Every problem is a diagnostic "file:line: message" (with a hint), collected so that a rule
 * author sees all problems at once; nothing here aborts on bad input. The file format is
 * documented in docs/rules.md. */
#ifndef FW_RULES_H
#define FW_RULES_H

#include <stdbool.h>
#include <stdio.h>

#include "audit/rows.h"
#include "audit/store.h"
#include "audit/util.h"

/* iniparser 4.1 reads lines into a 1,024-byte buffer: 1,022 bytes of text, the newline and NUL.
 * A longer line (or value joined from backslash-continued lines) makes it refuse the whole file. */
enum { FW_RULE_MAX_LINE = 1022 };

/* ---- diagnostics ---------------------------------------------------------------------------- */
enum fw_diag_level { FW_DIAG_ERROR, FW_DIAG_WARNING };

typedef struct fw_diag {
    enum fw_diag_level level;
    char *file;
    int line;   /* 0 when the problem concerns the whole file */
    char *msg;  /* "what was wrong; what to do" */
} fw_diag;

typedef struct fw_diags {
    fw_diag *v;
    int n, cap;
    int errors, warnings;
} fw_diags;

void fw_diag_add(fw_diags *d, enum fw_diag_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* "file:line: error: msg" one per line. */
void fw_diags_print(const fw_diags *d, FILE *out);
void fw_diags_free(fw_diags *d);

/* ---- rules ---------------------------------------------------------------------------------- */
/* A parameter's declared type (`param.NAME.type = integer MIN..MAX`, `number MIN..MAX` or `text`):
 * values outside it are refused by `rules set`, `rules check` (the default) and the run (a
 * workspace override made before the declaration changed). */
enum fw_param_type { FW_PARAM_UNDECLARED, FW_PARAM_INTEGER, FW_PARAM_NUMBER, FW_PARAM_TEXT };

typedef struct fw_rule_param {
    char *name;   /* without "param." */
    char *value;  /* the default from the file; the workspace override is applied by the engine */
    int line;
    enum fw_param_type type;
    long long imin, imax; /* FW_PARAM_INTEGER */
    double min, max;      /* FW_PARAM_NUMBER */
    int type_line;        /* line of param.NAME.type, 0 when undeclared */
} fw_rule_param;

typedef struct fw_rule_example {
    char *text;   /* "DATASET: col=value, col=value" */
    int line;
} fw_rule_example;

/* The join methods a rule may forbid PostgreSQL's planner for its query (docs/rules.md), declared
 * once: the rule file's key (`postgres.hash_joins = off`) and the planner setting it turns off in
 * the rule's transaction. SQLite has one join method and ignores them. */
#define FW_PG_JOIN_HINTS(X)                                  \
    X(NESTED_LOOPS, "postgres.nested_loops", "enable_nestloop") \
    X(HASH_JOINS, "postgres.hash_joins", "enable_hashjoin")     \
    X(MERGE_JOINS, "postgres.merge_joins", "enable_mergejoin")

enum fw_pg_join_hint {
#define FW_PG_HINT_ENUM(name, key, setting) FW_PG_HINT_##name,
    FW_PG_JOIN_HINTS(FW_PG_HINT_ENUM)
#undef FW_PG_HINT_ENUM
};
#define FW_PG_NO(name) (1u << FW_PG_HINT_##name)

typedef struct fw_rule {
    char *id;                 /* upper case, e.g. DEC-001 */
    char *file;               /* the INI file it came from */
    const char *source;       /* "shipped", "user" or "--rules" */
    int line;                 /* line of the [section] header */
    char text_sha256[65];     /* SHA-256 of the section's text as written (provenance) */
    /* metadata (never NULL after loading; "" when missing) */
    char *name, *name_en, *category, *severity, *description, *basis, *datasets, *status, *author,
        *version, *false_positives, *subject_kind;
    bool enabled;
    double time_limit_s;      /* 0 = the run's default */
    unsigned pg_joins_off;    /* FW_PG_NO(...) bits: join methods its PostgreSQL planner may not use */
    int pg_work_mem_kb;       /* postgres.work_mem: its sorts' and hashes' memory; 0 = the server's */
    fw_rule_param *params;
    int nparams;
    fw_rule_example *hit_examples, *clean_examples;
    int nhit_examples, nclean_examples;
    char *expect_hit;         /* comma list of subjects */
    int expect_hit_line;
    /* the assembled SELECT and, for error messages, which line of the file each part came from */
    char *sql;
    int nsegments;
    struct fw_rule_segment { int offset, line; } *segments;
    int query_line;           /* line of the first query key (for whole-query messages) */
    bool broken;              /* the file-level checks found an error in this rule */
} fw_rule;

typedef struct fw_ruleset {
    fw_rule *rules;
    int n, cap;
    char **files;             /* every file read, in order */
    int nfiles;
    char **refused;           /* files refused whole (nothing loaded; errors in the diagnostics): not
                               * UTF-8, unreadable, a line iniparser cannot take */
    int nrefused;
} fw_ruleset;

/* Where rules come from. NULL members are skipped. */
typedef struct fw_rule_sources {
    const char *shipped_dir;  /* fw_datadir()/rules */
    const char *user_dir;     /* fw_configdir()/rules */
    const char *extra_dir;    /* --rules DIR (a directory or a single .ini file) */
} fw_rule_sources;

/* The default sources (shipped and user folders) plus extra_dir. The strings live in static
 * storage until the next call. */
fw_rule_sources fw_rule_default_sources(const char *extra_dir);

/* Loads every *.ini of the sources, in order; a later source's rule replaces an earlier one with the
 * same id. Problems go to diags (which may then hold errors); a broken file loads no rule (and is
 * listed in set->refused), a broken rule is loaded with broken=true so `rules check` can report all
 * of its problems. Rule files must be UTF-8. Returns FW_OK,
 * or FW_EFAIL when a folder cannot be read (err says which). */
int fw_rules_load(const fw_rule_sources *src, fw_ruleset *set, fw_diags *diags, fw_err *err);
/* Loads exactly the given paths (files or folders) as one source set (for `rules check PATH`). */
int fw_rules_load_paths(const char *const *paths, int npaths, fw_ruleset *set, fw_diags *diags,
                        fw_err *err);
void fw_ruleset_free(fw_ruleset *set);

fw_rule *fw_ruleset_find(fw_ruleset *set, const char *id);
/* Whether set->refused names file. */
bool fw_rules_file_refused(const fw_ruleset *set, const char *file);

/* Checks what needs a database: the SQL compiles as one statement that only reads, the output has
 * the required columns, every :name is a declared parameter, and the query plan does not scan a
 * large table inside a join (a warning). ws: any workspace (the tables and views must exist).
 * Marks failing rules broken. */
void fw_rules_check_sql(fw_ws *ws, fw_ruleset *set, fw_diags *diags);

/* Prepares a rule's SQL on ws as one statement that only reads (store.h, fw_db_prepare_query). On
 * failure returns FW_EDATA with err "file:line: message; hint". The caller closes *rows; bind its
 * parameters with fw_rule_bind_params before the first step. */
int fw_rule_prepare(fw_ws *ws, const fw_rule *r, fw_rows **rows, fw_err *err);

/* The value a parameter has in ws: rule_settings 'param.NAME' when set, else the file's default.
 * Returns a pointer into r or a malloc'd string in *owned (free it). */
const char *fw_rule_param_value(fw_ws *ws, const fw_rule *r, const fw_rule_param *p, char **owned);
/* p's declaration as written in a rule file: "integer 0..120", "number 0..1", "text" ("undeclared"). */
void fw_rule_param_type_text(const fw_rule_param *p, char *out, size_t n);
/* The parameter named name (case-insensitive), or NULL. */
const fw_rule_param *fw_rule_find_param(const fw_rule *r, const char *name);
/* Whether value fits p's declared type and range: FW_OK, or FW_EUSAGE with err saying
 * "param.NAME must be an integer from MIN to MAX, not 'VALUE'". */
int fw_rule_param_check(const fw_rule_param *p, const char *value, fw_err *err);
/* Binds every :NAME of st to its effective value, as its declared type. FW_EDATA on an unbound
 * name or a value outside its declaration. */
int fw_rule_bind_params(fw_ws *ws, const fw_rule *r, fw_rows *rows, fw_err *err);
/* The parameters as a JSON object of effective values (caller frees). */
char *fw_rule_params_json(fw_ws *ws, const fw_rule *r);
/* Enabled in ws: rule_settings 'enabled' when set, else the file's `enabled`. */
bool fw_rule_enabled(fw_ws *ws, const fw_rule *r);

/* The query as the workspace's engine runs it: r->sql on SQLite, the rule assembler's PostgreSQL
 * spelling of it on PostgreSQL (audit/ruledialect.h). The caller frees it. */
char *fw_rule_engine_sql(fw_ws *ws, const fw_rule *r);

/* The line of the file that produced byte `offset` of r->sql. */
int fw_rule_line_at(const fw_rule *r, int offset);

#endif
