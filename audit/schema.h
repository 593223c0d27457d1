/* schema.h: the list of schema migrations applied by store.c. */
#ifndef FW_SCHEMA_H
#define FW_SCHEMA_H

typedef struct fw_migration {
    int version;                  /* PRAGMA user_version after this migration */
    const char *what;
    const char *const *sections;  /* NULL-terminated list of SQL scripts */
    int with_datasets;            /* 1: also create the ds_* tables from dataset.c */
} fw_migration;

extern const fw_migration fw_migrations[];
extern const int fw_nmigrations;

#endif
