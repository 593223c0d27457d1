/* dataset.h: the data contract. Every dataset fundwatch imports (persons, payments, deaths, ...),
 * its canonical columns, their types and which are required. The importer, the schema, the
 * generator, the rule views and the docs all read this one table, so a column is declared once. */
#ifndef FW_DATASET_H
#define FW_DATASET_H

#include <stdbool.h>

/* How a cell is validated and stored. Storage is always in the ds_<dataset> table column of the
 * same name. */
enum fw_coltype {
    FW_COL_TEXT,    /* trimmed text */
    FW_COL_ID,      /* resident ID number, GB 11643-1999: stored as 18 characters, X upper-case */
    FW_COL_DATE,    /* any accepted date form: stored ISO YYYY-MM-DD */
    FW_COL_PERIOD,  /* a month: stored YYYY-MM (accepts the date forms and 2023-01, 202301, 2023年1月) */
    FW_COL_MONEY,   /* yuan in any accepted form: stored as INTEGER fen */
    FW_COL_NUMBER,  /* a plain decimal number (area in m2): stored REAL */
    FW_COL_CREDIT,  /* unified social credit code, GB 32100-2015: stored upper-case */
    FW_COL_PROGRAM, /* program name: stored canonical (via the profile); the raw text in program_raw */
    FW_COL_REGION   /* administrative region code: 6, 9 or 12 digits, stored as text */
};

typedef struct fw_column {
    const char *name;     /* canonical name, also the SQL column name */
    enum fw_coltype type;
    bool required;
    bool negative_ok;     /* MONEY only: negative amounts (reversals) are accepted and flagged */
    const char *label_zh; /* the usual Chinese header, for docs and exports */
    /* 0: in the table since the first schema; else the migration that added the column. The
     * rule-facing views list such columns last, after the name keys and id_number_raw, so that
     * PostgreSQL's CREATE OR REPLACE VIEW of a later migration only appends them. */
    int since;
} fw_column;

typedef struct fw_dataset {
    const char *name;     /* the import argument, e.g. "payments"; table is ds_<name> */
    const char *label_zh; /* e.g. 资金发放台账 */
    const char *label_en;
    const fw_column *columns;
    int ncolumns;
} fw_dataset;

extern const fw_dataset fw_datasets[];
extern const int fw_ndatasets;

const fw_dataset *fw_dataset_find(const char *name);
const fw_column *fw_dataset_column(const fw_dataset *ds, const char *name);

/* Whether ds_<name> carries the name keys of audit/namekey.h (name_simp, name_pinyin, name_fuzzy),
 * filled at import: the registries that name a person. Not the payments ledger (names repeat there
 * per payment and rules reach a payee's name through persons). */
bool fw_dataset_has_name_keys(const fw_dataset *ds);
extern const char *const fw_name_key_columns[3];

/* The column whose name keys ds_<name> stores, and the three key columns (in fw_name_key_columns'
 * order) into *keys: "name" and fw_name_key_columns where fw_dataset_has_name_keys; for relatives
 * (issue 16: the 近亲属备案 registers that give a relative's name, relation and village without an
 * ID) "relative_name" and relative_name_simp, _pinyin, _fuzzy; NULL for the others. */
const char *fw_dataset_keyed_name(const fw_dataset *ds, const char *const **keys);
extern const char *const fw_relative_name_key_columns[3];

/* The column that may stand in for a required-looking one: a relatives row needs
 * relative_id_number or relative_name (a name-only register row). Returns the other column's name
 * when column may be empty because that one is filled, else NULL. */
const char *fw_dataset_alternative(const fw_dataset *ds, const char *column);

/* Whether ds_<name> keeps a row whose id_number fails only its check character (issue 16: a
 * mistyped digit in a death registry must not hide the pension paid to that person): the row is
 * loaded with the number as written in id_number_raw and, in id_number, "!<raw>@<dataset>:<line>",
 * which no valid number equals, so rules that match on id_number never join it. The registries;
 * not the payments ledger (money) nor the persons registry (the reference the repair reads). */
bool fw_dataset_keeps_bad_ids(const fw_dataset *ds);

/* Appends to buf the CREATE TABLE statement for ds_<name>. Besides the canonical columns every
 * table has: import_id (which import loaded the row), line (line number in the source file),
 * row_key (a stable key for the row: payment_id when present, else a hash of the normalized
 * values, so evidence keys survive a re-import), for FW_COL_PROGRAM, program_raw, and the name keys
 * where fw_dataset_has_name_keys, and id_number_raw where fw_dataset_keeps_bad_ids. */
struct fw_buf;
void fw_dataset_ddl(const fw_dataset *ds, struct fw_buf *buf);

/* One secondary index of a dataset table: what rules, drill-down and evidence lookups read by.
 * A bulk import drops them and leaves them to audit/indexes.c to build when first needed. */
typedef struct fw_dataset_index {
    char name[64];     /* ds_<dataset>_<what> */
    char columns[128]; /* the indexed expression list, as in CREATE INDEX ... ON t(<columns>) */
} fw_dataset_index;

enum { FW_DATASET_MAX_INDEXES = 10 };

/* Fills out[] with ds's indexes; returns how many. */
int fw_dataset_indexes(const fw_dataset *ds, fw_dataset_index out[FW_DATASET_MAX_INDEXES]);

/* Appends "CREATE INDEX IF NOT EXISTS <name> ON ds_<name>(<columns>);" to buf. */
void fw_dataset_index_sql(const fw_dataset *ds, const fw_dataset_index *ix, struct fw_buf *buf);

#endif
