/* xlsxpair.c: a label/value pair read back from a workbook's sheet (see xlsxpair.h). Three XML
 * parts are read in turn, each streamed through expat: xl/workbook.xml (the sheet's relationship
 * id), xl/_rels/workbook.xml.rels (the part that holds it), the sheet (the rows' columns A and B);
 * then, when those cells refer to it, xl/sharedStrings.xml for just the strings they name. The zip
 * and the XML are audit/xlsxread.h's (libzip, expat), as for every workbook fundwatch reads. */
#include "export/xlsxpair.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "audit/xlsxread.h"

/* --- one XML part, streamed ---------------------------------------------------------------------- */

#define local fw_xml_local

/* The value of attribute `name` (local part; in namespace ns_hint when not NULL), or NULL. */
static const char *attr(const char **atts, const char *name, const char *ns_hint)
{
    for (int i = 0; atts[i]; i += 2) {
        if (strcmp(local(atts[i]), name) != 0)
            continue;
        if (!ns_hint || strstr(atts[i], ns_hint))
            return atts[i + 1];
    }
    return NULL;
}

typedef struct part_reader {
    fw_xml_handlers h;
    void *ctx;
} part_reader;

/* Streams part `name` of the open workbook through r. */
static int read_part(fw_xlsxr *x, const char *file, const char *name, const part_reader *r, fw_err *err)
{
    int i = fw_xlsxr_find(x, name);
    if (i < 0)
        return fw_fail(err, FW_EDATA, _("%s: not a workbook fundwatch can read (it has no part %s)"), file, name);
    return fw_xlsxr_parse(x, i, &r->h, r->ctx, err);
}

/* --- xl/workbook.xml and its relationships: where the sheet is ----------------------------------- */

typedef struct find_sheet {
    const char *sheet;
    char *rid; /* the sheet's relationship id, once found */
} find_sheet;

static void sheet_start(void *ctx, const char *name, const char **atts)
{
    find_sheet *f = ctx;
    if (f->rid || strcmp(local(name), "sheet") != 0)
        return;
    const char *n = attr(atts, "name", NULL), *id = attr(atts, "id", "relationships");
    if (n && id && strcmp(n, f->sheet) == 0)
        f->rid = fw_strdup(id);
}

typedef struct find_target {
    const char *rid;
    char *target;
} find_target;

static void rel_start(void *ctx, const char *name, const char **atts)
{
    find_target *f = ctx;
    if (f->target || strcmp(local(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id", NULL), *target = attr(atts, "Target", NULL);
    if (id && target && strcmp(id, f->rid) == 0)
        f->target = target[0] == '/' ? fw_strdup(target + 1) : fw_printf("xl/%s", target);
}

/* The zip part name of the sheet called `sheet`. */
static int sheet_part(fw_xlsxr *x, const char *file, const char *sheet, char **part, fw_err *err)
{
    find_sheet fs = {.sheet = sheet};
    part_reader r = {{sheet_start, NULL, NULL}, &fs};
    if (read_part(x, file, "xl/workbook.xml", &r, err)) {
        free(fs.rid); /* found before the part turned out malformed */
        return err->code;
    }
    if (!fs.rid)
        return fw_fail(err, FW_EDATA, _("%s: the workbook has no sheet %s"), file, sheet);
    find_target ft = {.rid = fs.rid};
    r = (part_reader){{rel_start, NULL, NULL}, &ft};
    int rc = read_part(x, file, "xl/_rels/workbook.xml.rels", &r, err);
    if (rc == FW_OK && !ft.target)
        rc = fw_fail(err, FW_EDATA, _("%s: the workbook names sheet %s but not the part holding it"), file, sheet);
    free(fs.rid);
    if (rc) {
        free(ft.target); /* found before the part turned out malformed */
        ft.target = NULL;
    }
    *part = ft.target;
    return rc;
}

/* --- the sheet: columns A and B of every row ------------------------------------------------------ */

enum cell_kind { CELL_NONE, CELL_SHARED, CELL_TEXT };

typedef struct cell {
    enum cell_kind kind;
    long shared; /* index into the shared strings */
    char *text;  /* owned */
} cell;

typedef struct pair_row {
    cell a, b;
} pair_row;

typedef struct sheet_reader {
    pair_row *rows;
    size_t nrows, cap;
    pair_row cur;
    int col;          /* column of the cell being read (0 = A), -1 before the first */
    int in_cell, shared, in_value, in_inline, in_phonetic;
    fw_buf text;
} sheet_reader;

/* Column index of a cell reference "B12" (0 = A); -1 when it has no letters. */
static int ref_column(const char *ref)
{
    int col = 0, letters = 0;
    for (; *ref >= 'A' && *ref <= 'Z' && letters < 4; ref++, letters++)
        col = col * 26 + (*ref - 'A' + 1);
    return letters ? col - 1 : -1;
}

static void cell_free(cell *c)
{
    free(c->text);
    memset(c, 0, sizeof *c);
}

static void cells_start(void *ctx, const char *name, const char **atts)
{
    sheet_reader *s = ctx;
    const char *l = local(name);
    if (strcmp(l, "row") == 0) {
        cell_free(&s->cur.a);
        cell_free(&s->cur.b);
        s->col = -1;
    } else if (strcmp(l, "c") == 0) {
        const char *ref = attr(atts, "r", NULL), *t = attr(atts, "t", NULL);
        int c = ref ? ref_column(ref) : -1;
        s->col = c >= 0 ? c : s->col + 1;
        s->in_cell = 1;
        s->shared = t && strcmp(t, "s") == 0;
        fw_buf_reset(&s->text);
    } else if (s->in_cell && strcmp(l, "v") == 0) {
        s->in_value = 1;
    } else if (s->in_cell && strcmp(l, "rPh") == 0) {
        s->in_phonetic++; /* phonetic guides are not the cell's text */
    } else if (s->in_cell && strcmp(l, "t") == 0 && !s->in_phonetic) {
        s->in_inline = 1;
    }
}

static void cells_text(void *ctx, const char *text, int n)
{
    sheet_reader *s = ctx;
    if (s->in_value || s->in_inline)
        fw_buf_add(&s->text, text, (size_t)n);
}

static void cells_end(void *ctx, const char *name)
{
    sheet_reader *s = ctx;
    const char *l = local(name);
    if (strcmp(l, "v") == 0) {
        s->in_value = 0;
    } else if (strcmp(l, "t") == 0) {
        s->in_inline = 0;
    } else if (strcmp(l, "rPh") == 0) {
        if (s->in_phonetic)
            s->in_phonetic--;
    } else if (strcmp(l, "c") == 0 && s->in_cell) {
        s->in_cell = 0;
        cell *c = s->col == 0 ? &s->cur.a : s->col == 1 ? &s->cur.b : NULL;
        if (c) {
            cell_free(c);
            if (s->shared) {
                char *end;
                long i = strtol(s->text.data ? s->text.data : "", &end, 10);
                if (s->text.len && !*end && i >= 0)
                    *c = (cell){CELL_SHARED, i, NULL};
            } else {
                *c = (cell){CELL_TEXT, 0, fw_strdup(s->text.data ? s->text.data : "")};
            }
        }
    } else if (strcmp(l, "row") == 0 && s->cur.a.kind != CELL_NONE) {
        if (s->nrows == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 32;
            s->rows = fw_realloc(s->rows, s->cap * sizeof *s->rows);
        }
        s->rows[s->nrows++] = s->cur;
        memset(&s->cur, 0, sizeof s->cur);
    }
}

static void sheet_reader_free(sheet_reader *s)
{
    for (size_t i = 0; i < s->nrows; i++) {
        cell_free(&s->rows[i].a);
        cell_free(&s->rows[i].b);
    }
    free(s->rows);
    cell_free(&s->cur.a);
    cell_free(&s->cur.b);
    fw_buf_free(&s->text);
}

/* --- xl/sharedStrings.xml: only the strings the pairs refer to ------------------------------------ */

typedef struct shared_reader {
    cell **wanted;  /* the cells referring to shared strings, sorted by index */
    size_t nwanted;
    long index;     /* of the <si> being read */
    int in_t, in_phonetic;
    fw_buf text;
} shared_reader;

static void shared_start(void *ctx, const char *name, const char **atts)
{
    (void)atts;
    shared_reader *r = ctx;
    const char *l = local(name);
    if (strcmp(l, "si") == 0)
        fw_buf_reset(&r->text);
    else if (strcmp(l, "rPh") == 0)
        r->in_phonetic++;
    else if (strcmp(l, "t") == 0 && !r->in_phonetic)
        r->in_t = 1;
}

static void shared_text(void *ctx, const char *text, int n)
{
    shared_reader *r = ctx;
    if (r->in_t)
        fw_buf_add(&r->text, text, (size_t)n);
}

static int by_shared_index(const void *x, const void *y)
{
    long a = (*(cell *const *)x)->shared, b = (*(cell *const *)y)->shared;
    return (a > b) - (a < b);
}

static void shared_end(void *ctx, const char *name)
{
    shared_reader *r = ctx;
    const char *l = local(name);
    if (strcmp(l, "t") == 0) {
        r->in_t = 0;
    } else if (strcmp(l, "rPh") == 0) {
        if (r->in_phonetic)
            r->in_phonetic--;
    } else if (strcmp(l, "si") == 0) {
        cell key = {.shared = r->index}, *kp = &key;
        cell **hit = bsearch(&kp, r->wanted, r->nwanted, sizeof *r->wanted, by_shared_index);
        /* Several cells may name the same string: walk back to the first, then fill each. */
        while (hit && hit > r->wanted && hit[-1]->shared == r->index)
            hit--;
        for (; hit && hit < r->wanted + r->nwanted && (*hit)->shared == r->index; hit++) {
            (*hit)->kind = CELL_TEXT;
            (*hit)->text = fw_strdup(r->text.data ? r->text.data : "");
        }
        r->index++;
    }
}

/* Replaces every shared-string cell of the rows by its text (a dangling index becomes "" ). */
static int resolve_shared(fw_xlsxr *x, const char *file, sheet_reader *s, fw_err *err)
{
    shared_reader r = {0};
    r.wanted = fw_malloc((2 * s->nrows + 1) * sizeof *r.wanted);
    for (size_t i = 0; i < s->nrows; i++) {
        if (s->rows[i].a.kind == CELL_SHARED)
            r.wanted[r.nwanted++] = &s->rows[i].a;
        if (s->rows[i].b.kind == CELL_SHARED)
            r.wanted[r.nwanted++] = &s->rows[i].b;
    }
    int rc = FW_OK;
    if (r.nwanted) {
        qsort(r.wanted, r.nwanted, sizeof *r.wanted, by_shared_index);
        part_reader pr = {{shared_start, shared_end, shared_text}, &r};
        rc = read_part(x, file, "xl/sharedStrings.xml", &pr, err);
        for (size_t i = 0; i < r.nwanted; i++)
            if (r.wanted[i]->kind == CELL_SHARED)
                *r.wanted[i] = (cell){CELL_TEXT, 0, fw_strdup("")};
    }
    free(r.wanted);
    fw_buf_free(&r.text);
    return rc;
}

/* --- the pair -------------------------------------------------------------------------------------- */

static int read_pair(fw_xlsxr *x, const char *file, const char *sheet, const char *label, char **value,
                     fw_err *err)
{
    char *part = NULL;
    if (sheet_part(x, file, sheet, &part, err))
        return err->code;
    sheet_reader s = {.col = -1};
    part_reader r = {{cells_start, cells_end, cells_text}, &s};
    int rc = read_part(x, file, part, &r, err);
    if (rc == FW_OK)
        rc = resolve_shared(x, file, &s, err);
    if (rc == FW_OK) {
        size_t i = 0;
        while (i < s.nrows && strcmp(s.rows[i].a.text ? s.rows[i].a.text : "", label) != 0)
            i++;
        if (i == s.nrows)
            rc = fw_fail(err, FW_EDATA, _("%s: sheet %s has no row %s"), file, sheet, label);
        else if (s.rows[i].b.kind != CELL_TEXT || !s.rows[i].b.text[0])
            rc = fw_fail(err, FW_EDATA, _("%s: sheet %s, row %s has no value"), file, sheet, label);
        else
            *value = fw_strdup(s.rows[i].b.text);
    }
    sheet_reader_free(&s);
    free(part);
    return rc;
}

/* A part bigger than this unpacked is not a workbook fundwatch wrote or anyone re-saved from it. */
enum { MAX_PART_BYTES = 256 << 20 };

static int read_opened(fw_xlsxr *x, const char *file, const char *sheet, const char *label, char **value,
                       fw_err *err)
{
    fw_xlsxr_set_part_limit(x, MAX_PART_BYTES);
    int rc = read_pair(x, file, sheet, label, value, err);
    fw_xlsxr_close(x);
    return rc;
}

int fw_xlsx_read_pair(const char *path, const char *sheet, const char *label, char **value, fw_err *err)
{
    *value = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fw_fail(err, FW_EFAIL, _("cannot read %s: %s"), path, strerror(errno));
    fclose(f);
    fw_xlsxr *x;
    if (fw_xlsxr_open(path, &x, err))
        return err->code;
    return read_opened(x, path, sheet, label, value, err);
}

int fw_xlsx_read_pair_mem(const void *data, size_t n, const char *name, const char *sheet, const char *label,
                          char **value, fw_err *err)
{
    *value = NULL;
    fw_xlsxr *x;
    if (fw_xlsxr_open_mem(data, n, name, &x, err))
        return err->code;
    return read_opened(x, name, sheet, label, value, err);
}
