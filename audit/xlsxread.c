/* xlsxread.c: the workbook reader declared in xlsxread.h: libzip for the container (the end
 * record and central directory; reading an entry to its end checks its CRC) and expat for each XML
 * part (well-formedness, UTF-8 and the characters XML allows). */
#include "audit/xlsxread.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

enum { READ_BLOCK = 1 << 16 };

struct fw_xlsxr {
    zip_t *za;
    char *path;
    int nparts;
    long long part_limit; /* 0: none */
};

static int opened(zip_t *za, const char *path, fw_xlsxr **out, fw_err *err)
{
    zip_int64_t n = zip_get_num_entries(za, 0);
    if (n < 0 || n > 1000000) {
        zip_discard(za);
        return fw_fail(err, FW_EDATA, "%s: not a readable workbook: the zip directory is unusable", path);
    }
    fw_xlsxr *r = fw_calloc(1, sizeof *r);
    r->za = za;
    r->path = fw_strdup(path);
    r->nparts = (int)n;
    *out = r;
    return FW_OK;
}

static int not_a_zip(zip_error_t *ze, const char *path, fw_err *err)
{
    int code = zip_error_code_zip(ze);
    int rc = code == ZIP_ER_OPEN || code == ZIP_ER_NOENT || code == ZIP_ER_MEMORY ? FW_EFAIL : FW_EDATA;
    return fw_fail(err, rc, "%s: not a readable workbook: %s", path, zip_error_strerror(ze));
}

int fw_xlsxr_open(const char *path, fw_xlsxr **out, fw_err *err)
{
    *out = NULL;
    int code = 0;
    /* Not ZIP_CHECKCONS: it also compares each local header with the central directory, and
     * minizip's zip64 local headers (libxlsxwriter's) differ by design (version 45 and a zeroed
     * zip64 field where the directory has version 20 and the sizes), though Excel, LibreOffice and
     * openpyxl read them. The directory is still read and checked here, and fw_xlsxr_parse reads
     * each part through its local header to the end, where libzip checks its CRC. */
    zip_t *za = zip_open(path, ZIP_RDONLY, &code);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, code);
        int rc = not_a_zip(&ze, path, err);
        zip_error_fini(&ze);
        return rc;
    }
    return opened(za, path, out, err);
}

int fw_xlsxr_open_mem(const void *data, size_t n, const char *name, fw_xlsxr **out, fw_err *err)
{
    *out = NULL;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, n, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    if (!za) {
        zip_source_free(src);
        int rc = not_a_zip(&ze, name, err);
        zip_error_fini(&ze);
        return rc;
    }
    zip_error_fini(&ze);
    return opened(za, name, out, err);
}

void fw_xlsxr_set_part_limit(fw_xlsxr *r, long long max_bytes) { r->part_limit = max_bytes; }

const char *fw_xml_local(const char *name)
{
    const char *bar = strrchr(name, '|');
    return bar ? bar + 1 : name;
}

void fw_xlsxr_close(fw_xlsxr *r)
{
    if (!r)
        return;
    zip_discard(r->za); /* opened read-only: nothing to write back */
    free(r->path);
    free(r);
}

int fw_xlsxr_nparts(const fw_xlsxr *r) { return r->nparts; }

const char *fw_xlsxr_part(const fw_xlsxr *r, int i)
{
    const char *name = i >= 0 && i < r->nparts ? zip_get_name(r->za, (zip_uint64_t)i, ZIP_FL_ENC_GUESS) : NULL;
    return name ? name : "";
}

int fw_xlsxr_find(const fw_xlsxr *r, const char *name)
{
    zip_int64_t i = zip_name_locate(r->za, name, 0);
    return i < 0 ? -1 : (int)i;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

int fw_xlsxr_is_xml(const fw_xlsxr *r, int i)
{
    const char *name = fw_xlsxr_part(r, i);
    return ends_with(name, ".xml") || ends_with(name, ".rels");
}

/* ---- one part through expat ----------------------------------------------------------------- */

typedef struct relay {
    const fw_xml_handlers *h;
    void *ctx;
} relay;

static void XMLCALL on_start(void *u, const XML_Char *name, const XML_Char **attrs)
{
    relay *r = u;
    r->h->start(r->ctx, name, attrs);
}

static void XMLCALL on_end(void *u, const XML_Char *name)
{
    relay *r = u;
    r->h->end(r->ctx, name);
}

static void XMLCALL on_text(void *u, const XML_Char *s, int len)
{
    relay *r = u;
    r->h->text(r->ctx, s, len);
}

static XML_Parser make_parser(const fw_xml_handlers *h, relay *rl)
{
    XML_Parser p = XML_ParserCreateNS(NULL, '|');
    if (!p)
        return NULL;
    if (h) {
        XML_SetUserData(p, rl);
        XML_SetElementHandler(p, h->start ? on_start : NULL, h->end ? on_end : NULL);
        if (h->text)
            XML_SetCharacterDataHandler(p, on_text);
    }
    return p;
}

int fw_xlsxr_parse(fw_xlsxr *r, int i, const fw_xml_handlers *h, void *ctx, fw_err *err)
{
    const char *name = fw_xlsxr_part(r, i);
    zip_file_t *zf = zip_fopen_index(r->za, (zip_uint64_t)i, 0);
    if (!zf)
        return fw_fail(err, FW_EDATA, "%s: part %s cannot be read: %s", r->path, name, zip_strerror(r->za));
    relay rl = {h, ctx};
    XML_Parser p = make_parser(h, &rl);
    if (!p) {
        zip_fclose(zf);
        return fw_fail(err, FW_EFAIL, "out of memory for an XML parser");
    }
    char *buf = fw_malloc(READ_BLOCK);
    int rc = FW_OK;
    long long total = 0;
    for (;;) {
        zip_int64_t n = zip_fread(zf, buf, READ_BLOCK);
        if (n < 0) {
            rc = fw_fail(err, FW_EDATA, "%s: part %s cannot be read: %s", r->path, name, zip_file_strerror(zf));
            break;
        }
        total += n;
        if (r->part_limit && total > r->part_limit) {
            rc = fw_fail(err, FW_EDATA, "%s: part %s is larger than %lld MiB unpacked; not a workbook this "
                         "reader is for", r->path, name, r->part_limit >> 20);
            break;
        }
        if (XML_Parse(p, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
            rc = fw_fail(err, FW_EDATA, "%s: part %s, line %lu, column %lu: not well-formed XML: %s", r->path, name,
                         (unsigned long)XML_GetCurrentLineNumber(p), (unsigned long)XML_GetCurrentColumnNumber(p) + 1,
                         XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (n == 0)
            break;
    }
    free(buf);
    XML_ParserFree(p);
    zip_fclose(zf);
    return rc;
}

int fw_xlsxr_check(fw_xlsxr *r, fw_err *err)
{
    static const char *const required[] = {"[Content_Types].xml", "xl/workbook.xml"};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (fw_xlsxr_find(r, required[k]) < 0)
            return fw_fail(err, FW_EDATA, "%s: not a workbook: the part %s is missing", r->path, required[k]);
    for (int i = 0; i < r->nparts; i++)
        if (fw_xlsxr_is_xml(r, i) && fw_xlsxr_parse(r, i, NULL, NULL, err))
            return err->code;
    return FW_OK;
}

int fw_xlsxr_check_file(const char *path, fw_err *err)
{
    fw_xlsxr *r;
    if (fw_xlsxr_open(path, &r, err))
        return err->code;
    int rc = fw_xlsxr_check(r, err);
    fw_xlsxr_close(r);
    return rc;
}
