/* xlsxpair.h: reading a label/value pair back from a workbook, for what fundwatch wrote into a
 * provenance sheet (the trail anchor) and someone now presents as evidence. A workbook is a zip of
 * XML parts (ECMA-376): the sheet is found by name through xl/workbook.xml and its relationships,
 * and its cells may hold their text inline (as fundwatch writes them) or in the shared string
 * table (as Excel and LibreOffice save them), so a workbook re-saved by either still reads.
 * It reads through audit/xlsxread.h (libzip, expat), streaming: memory stays small whatever the file size. */
#ifndef FW_XLSXPAIR_H
#define FW_XLSXPAIR_H

#include <stddef.h>

#include "audit/util.h"

/* The text in column B of the first row of sheet `sheet` whose column A text is `label`.
 * *value is malloc'd (caller frees). FW_EDATA with a message naming the file (and the part and
 * line for malformed XML) when the file is not a readable workbook, lacks the sheet or the row;
 * FW_EFAIL when it cannot be read at all. */
int fw_xlsx_read_pair(const char *path, const char *sheet, const char *label, char **value, fw_err *err);

/* The same for a workbook held in memory (n bytes at data); name is used in messages. */
int fw_xlsx_read_pair_mem(const void *data, size_t n, const char *name, const char *sheet, const char *label,
                          char **value, fw_err *err);

#endif
