/* workbook.h: which sheets a workbook has and what goes in them (the layout), on top of xlsx.h.
 * The file itself (temporary name, rename, trail) is export.c's business. */
#ifndef FW_WORKBOOK_H
#define FW_WORKBOOK_H

#include "export/export.h"

/* What to put in the workbook. */
enum fw_wb_content {
    FW_WB_FULL,      /* 概览, 线索清单..., 案件, case sheets, 数据来源 */
    FW_WB_CASE_LIST  /* 案件, 数据来源 */
};

/* Writes the workbook to path (which the caller has created and will rename or remove).
 * res->rows and res->sheets are filled in. */
int fw_wb_write(fw_ws *ws, const fw_hit_filter *f, enum fw_wb_content what, const char *path,
                const char *classification, const fw_export_opts *o, fw_export_result *res,
                fw_err *err);

#endif
