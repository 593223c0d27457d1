/* xlsxread.h: reading an .xlsx workbook as the container it is: a zip archive (libzip) of XML
 * parts (expat). It lives beside the CSV reader because it is a reader: today an export reads its
 * own workbook back before reporting the file's SHA-256, so a workbook that Excel or openpyxl could
 * not open is never handed on as evidence; the same API is meant for reading workbooks that come
 * back (verification results filled in by township staff): open, walk the parts, stream a part
 * through element and text callbacks, or just check that every part is well-formed.
 *
 * zip.h and expat.h are included by xlsxread.c only. Every part is streamed: memory does not grow
 * with the size of a part or of the workbook. */
#ifndef FW_AUDIT_XLSXREAD_H
#define FW_AUDIT_XLSXREAD_H

#include "audit/util.h"

typedef struct fw_xlsxr fw_xlsxr;

/* What a caller wants to see of one XML part; any callback may be NULL. attrs is NULL-terminated
 * name, value, name, value, ...; text arrives in pieces (not NUL-terminated). Names are namespace
 * qualified, "URI|local" (expat's form), because writers choose prefixes freely (Excel writes none,
 * others x: or r:): compare fw_xml_local(name), and the URI where two namespaces share a name. */
typedef struct fw_xml_handlers {
    void (*start)(void *ctx, const char *element, const char **attrs);
    void (*end)(void *ctx, const char *element);
    void (*text)(void *ctx, const char *s, int len);
} fw_xml_handlers;

/* Opens path and reads the zip's end record and central directory. FW_EDATA with the reason
 * ("path: not a readable workbook: Not a zip archive") when it is not a readable zip (a truncated
 * file has no end record); FW_EFAIL when it cannot be opened at all. */
int fw_xlsxr_open(const char *path, fw_xlsxr **out, fw_err *err);
/* The same for a workbook held in memory (n bytes at data, kept by the caller until close); name
 * stands for the file in messages. */
int fw_xlsxr_open_mem(const void *data, size_t n, const char *name, fw_xlsxr **out, fw_err *err);
void fw_xlsxr_close(fw_xlsxr *r);

/* Refuses to unpack more than max_bytes of any one part (a zip bomb, or not a workbook this reader
 * is for); 0, the default, sets no limit. */
void fw_xlsxr_set_part_limit(fw_xlsxr *r, long long max_bytes);

/* The local part of a qualified name "URI|local" (the name itself when it has no namespace). */
const char *fw_xml_local(const char *name);

/* The parts (zip entries), in archive order. */
int fw_xlsxr_nparts(const fw_xlsxr *r);
const char *fw_xlsxr_part(const fw_xlsxr *r, int i);
/* The index of the part with this name ("xl/workbook.xml"), or -1. */
int fw_xlsxr_find(const fw_xlsxr *r, const char *name);
/* True for the parts that are XML (names ending in .xml or .rels). */
int fw_xlsxr_is_xml(const fw_xlsxr *r, int i);

/* Streams part i through an XML parser, calling h (NULL: only check). FW_EDATA when the part cannot
 * be decompressed (a CRC error) or is not well-formed XML (invalid UTF-8 and characters XML does
 * not allow included): the message names the part, line and column. */
int fw_xlsxr_parse(fw_xlsxr *r, int i, const fw_xml_handlers *h, void *ctx, fw_err *err);

/* The parts every workbook has ([Content_Types].xml, xl/workbook.xml) are there and every XML
 * part is well-formed. */
int fw_xlsxr_check(fw_xlsxr *r, fw_err *err);

/* Open, check, close: a workbook that Excel, LibreOffice and openpyxl can open as far as its
 * container and XML go. */
int fw_xlsxr_check_file(const char *path, fw_err *err);

#endif
