/* orders_workbook.h: the workbook a verification order is sent as (docs/orders.md): a cover sheet
 * in Chinese saying what is asked and why, one row per case with the facts locked and the answer
 * cells unlocked and validated, hidden key and MAC columns, a hidden manifest, sheet protection.
 * The layout is declared in audit/orders.h, which also reads the workbook back. */
#ifndef FW_ORDERS_WORKBOOK_H
#define FW_ORDERS_WORKBOOK_H

#include "audit/orders.h"

/* Writes the plan's workbook to path (a temporary name beside it first, renamed when complete) and
 * its SHA-256 to sha256. contact: who the unit asks (the sending user). */
int fw_order_workbook_write(const fw_order_plan *p, const char *path, const char *contact, char sha256[65],
                            fw_err *err);

/* Where fw_order_workbook_writer writes: DIR/ORDER.xlsx, and who the unit contacts. */
typedef struct fw_order_workbook_target {
    const char *dir;
    const char *contact;
} fw_order_workbook_target;
/* An fw_order_writer (audit/orders.h) for fw_order_dispatch; ctx is an fw_order_workbook_target. */
int fw_order_workbook_writer(const fw_order_plan *p, void *ctx, char **path, char sha256[65], fw_err *err);

#endif
