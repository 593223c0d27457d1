/* store/sqlite_funcs.h: the rules' SQL helper functions as C functions of the SQLite driver
 * (store/sqlite_funcs.c); private to audit/store/. */
#ifndef FW_STORE_SQLITE_FUNCS_H
#define FW_STORE_SQLITE_FUNCS_H

#include <sqlite3.h>

/* Registers id_birth, id_sex, age_on, month_of, month_add, months_between, ev, yuan,
 * is_near_relation, is_counted_vehicle and the aggregate program_set on a connection. */
void fw_sqlite_funcs_register(sqlite3 *db);

#endif
