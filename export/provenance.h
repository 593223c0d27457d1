/* provenance.h: what an export says about where it came from that concerns the audit trail: the
 * trail anchor (audit/anchor.h) it carries, and reading that anchor back from a file someone
 * presents later. A workbook carries the anchor line in its 数据来源 sheet (row 审计日志锚点). A
 * CSV stays plain data that any program reads (no comment lines); its provenance goes into a
 * companion JSON file beside it, FILE.csv.provenance.json, written and renamed into place together
 * with the CSV (docs/export.md). */
#ifndef FW_PROVENANCE_H
#define FW_PROVENANCE_H

#include "audit/anchor.h"
#include "export/export.h"

/* The label of the anchor's row in a workbook's provenance sheet, and that sheet's name. */
#define FW_PROVENANCE_SHEET "数据来源"
#define FW_PROVENANCE_ANCHOR_LABEL "审计日志锚点"

/* The companion's suffix: the CSV's name + this. */
#define FW_PROVENANCE_SUFFIX ".provenance.json"

/* The companion's name for a CSV path (caller frees). */
char *fw_provenance_path(const char *csv_path);

/* What the companion records besides the anchor. */
typedef struct fw_provenance {
    const char *file;           /* the CSV's base name */
    const char *sha256;         /* the CSV's SHA-256 */
    const char *workspace;      /* the workspace file's base name */
    const char *filter;         /* the filter, as the workbook's 筛选条件 */
    const char *list;           /* "leads" or "cases" */
    long long rows;
    const char *classification; /* the mark the workbook would print */
} fw_provenance;

/* Writes the companion JSON to path: the fields of p, who and when (local time), the tool
 * version, the trail head and its anchor line (member "trail_anchor"). */
int fw_provenance_write(fw_ws *ws, const fw_provenance *p, const char *path, fw_err *err);

/* The anchors `what` holds: a workbook (.xlsx), a CSV (its companion), a companion (.json), any
 * other text file (every anchor line in it: a register, a saved e-mail), or else `what` itself as
 * an anchor line. *out (caller frees) and *n get them. FW_EUSAGE when `what` is neither a file nor
 * an anchor line; FW_EDATA when a file holds none or a malformed one. */
int fw_provenance_read_anchors(fw_ws *ws, const char *what, fw_anchor **out, int *n, fw_err *err);

#endif
