/* export.h: writing what fundwatch found to files people pass on: the Excel workbook (summary,
 * leads, cases, one evidence sheet per selected case, provenance) and CSV lists. This is the API
 * the CLI (`fundwatch export`) and the TUI (`x` on a list) call.
 *
 * Every export is all or nothing: it is written under a temporary name in the target directory and
 * renamed into place only when complete, so a full disk, a cancel or an error leaves no partial
 * file; an existing file is replaced only when asked (force). A temporary file left by an export
 * that was killed (SIGKILL, power cut) is removed by the next export to that folder, once its
 * writer is known to be gone (see export.c). Every export that completes is
 * recorded in the audit trail with who, the filter, the row count and the file's SHA-256. */
#ifndef FW_EXPORT_H
#define FW_EXPORT_H

#include "audit/exportq.h"
#include "audit/store.h"

/* Called as rows are written: done of total leads. Return nonzero to cancel the export (it then
 * fails with FW_EINTR and leaves no file). */
typedef int (*fw_export_progress)(void *ctx, long long done, long long total);

enum fw_export_format {
    FW_EXPORT_AUTO, /* by the file name: .csv is CSV, anything else a workbook */
    FW_EXPORT_XLSX,
    FW_EXPORT_CSV
};

/* Which list a list export writes. */
enum fw_export_list { FW_LIST_LEADS, FW_LIST_CASES };

typedef struct fw_export_opts {
    enum fw_export_format format;
    int force;                  /* replace an existing file */
    int mask_ids;               /* ID numbers as 520102********1234 */
    const char *classification; /* footer mark; NULL = setting export.classification, else
                                   FW_EXPORT_DEFAULT_CLASSIFICATION */
    fw_export_progress progress;
    void *progress_ctx;
    long long rows_per_sheet;   /* leads per sheet before continuing on the next; 0 = Excel's
                                   limit (1,048,575); tests use small values */
} fw_export_opts;

#define FW_EXPORT_DEFAULT_CLASSIFICATION "内部资料 注意保密"
enum { FW_EXPORT_PROGRESS_EVERY = 4096 };

typedef struct fw_export_result {
    long long rows;   /* list rows written (leads, or cases for a case list) */
    int sheets;       /* worksheets in a workbook; 0 for CSV */
    char sha256[65];  /* of the written file */
    int stale_removed; /* temporary files of killed exports removed from the folder first */
} fw_export_result;

/* The full workbook for the leads the filter selects: 概览, 线索清单 (continued on 线索清单(2)...
 * past the sheet limit), 案件, one evidence sheet per case named in the filter, 数据来源.
 * With format CSV (or a .csv path) writes the leads list as CSV instead. */
int fw_export_workbook(fw_ws *ws, const fw_hit_filter *f, const char *path,
                       const fw_export_opts *o, fw_export_result *res, fw_err *err);

/* A case workbook: the workbook for one case (case number or id), with its evidence sheet. */
int fw_export_case(fw_ws *ws, const char *case_ref, const char *path, const fw_export_opts *o,
                   fw_export_result *res, fw_err *err);

/* What a list shows: the leads (as fw_export_workbook) or the cases list (a workbook of 案件 and
 * 数据来源, or CSV). */
int fw_export_list(fw_ws *ws, enum fw_export_list list, const fw_hit_filter *f, const char *path,
                   const fw_export_opts *o, fw_export_result *res, fw_err *err);

/* Masks an ID number: first 6 and last 4 characters kept, the rest '*'. Short values are
 * masked entirely. out must hold strlen(id) + 1 bytes (64 is always enough for IDs). */
void fw_export_mask_id(const char *id, char *out, size_t outsz);

#endif
