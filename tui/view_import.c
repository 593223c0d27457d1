/* view_import.c: the import screen ("load data"), in five steps on one screen:
 *   browse   a file browser starting in the current directory: directories first, then *.csv
 *            (`.` shows every file), with size and modification time; Enter descends or picks,
 *            Backspace or h goes up;
 *   preview  the picked file against a dataset (guessed from the file name, else from the headers;
 *            `d` changes it): each CSV column and the canonical column it maps to or "(ignored)",
 *            required columns the file lacks in red, the detected encoding and the first rows;
 *            `r` switches between appending and replacing the dataset's rows; Enter imports;
 *   dataset  the pick list of the datasets;
 *   result   rows loaded, rejected, flagged; Enter lists the rejects;
 *   rejects  line, column, value and reason of every rejected row.
 * The import itself is the engine's (audit/import.h): all-or-nothing, so Esc during the progress
 * bar (progress.c) leaves the workspace exactly as before. No SQL here: the rejects come from the
 * importer's prepared listing. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/i18n.h"
#include "audit/import.h"
#include "audit/indexes.h"
#include "tui/lines.h"

enum import_step { STEP_BROWSE, STEP_PREVIEW, STEP_DATASET, STEP_RESULT, STEP_REJECTS };
enum guess_source { GUESS_NONE, GUESS_FILE_NAME, GUESS_HEADERS, GUESS_CHOSEN };
enum { SAMPLE_ROWS = 3 };

typedef struct dir_entry {
    char *name;
    bool is_dir;
    long long size;
    time_t mtime;
} dir_entry;

typedef struct reject_row {
    long long line;
    char *column, *value, *reason;
} reject_row;

/* The first data rows of the picked file, shown beside the mapping. */
typedef struct sample_row {
    long line;
    int n;
    char **cells;
} sample_row;

typedef struct import_view {
    enum import_step step;
    int height;
    /* browse */
    char *dir;
    dir_entry *entries;
    fw_lines files;
    bool all_files;
    /* preview */
    char *path;
    int dataset; /* index into fw_datasets */
    enum guess_source guess;
    bool replace;
    bool has_preview;
    fw_import_preview pv;
    char *preview_error;
    sample_row sample[SAMPLE_ROWS];
    int nsample;
    fw_lines map;
    fw_lines datasets;
    /* result */
    bool has_result;
    fw_import_result res;
    char *result_error; /* why a kept (failed) import loaded nothing */
    reject_row *rejects;
    fw_lines rej;
} import_view;

/* --- small helpers -------------------------------------------------------------------------------- */

static void human_size(long long n, char out[24])
{
    if (n < 1024)
        snprintf(out, 24, "%lld B", n);
    else if (n < 1024 * 1024)
        snprintf(out, 24, "%.1f KB", n / 1024.0);
    else if (n < 1024LL * 1024 * 1024)
        snprintf(out, 24, "%.1f MB", n / (1024.0 * 1024));
    else
        snprintf(out, 24, "%.1f GB", n / (1024.0 * 1024 * 1024));
}

static bool is_csv(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

static char *join_path(const char *dir, const char *name)
{
    return fw_printf("%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}


/* --- browse ---------------------------------------------------------------------------------------- */

static void free_entries(import_view *v)
{
    for (int i = 0; i < v->files.n; i++)
        free(v->entries[i].name);
    free(v->entries);
    v->entries = NULL;
    v->files.n = 0;
}

/* "..", then directories, then files, each by name. */
static int entry_order(const void *a, const void *b)
{
    const dir_entry *x = a, *y = b;
    if (strcmp(x->name, "..") == 0 || strcmp(y->name, "..") == 0)
        return strcmp(x->name, "..") == 0 ? -1 : 1;
    if (x->is_dir != y->is_dir)
        return x->is_dir ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void read_dir(fw_tui *t, import_view *v, const char *select)
{
    free_entries(v);
    DIR *d = opendir(v->dir);
    if (!d) {
        fw_tui_error(t, _("Cannot read the directory %s: %s."), v->dir, strerror(errno));
        return;
    }
    int cap = 16;
    v->entries = fw_calloc((size_t)cap, sizeof *v->entries);
    struct dirent *de;
    bool root = strcmp(v->dir, "/") == 0;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || (root && strcmp(de->d_name, "..") == 0))
            continue;
        if (de->d_name[0] == '.' && strcmp(de->d_name, "..") != 0 && !v->all_files)
            continue; /* hidden files appear with "all files" */
        char *full = join_path(v->dir, de->d_name);
        struct stat st;
        int ok = stat(full, &st) == 0;
        free(full);
        if (!ok)
            continue;
        bool dir = S_ISDIR(st.st_mode);
        if (!dir && (!S_ISREG(st.st_mode) || (!v->all_files && !is_csv(de->d_name))))
            continue;
        if (v->files.n == cap) {
            cap *= 2;
            v->entries = fw_realloc(v->entries, (size_t)cap * sizeof *v->entries);
        }
        v->entries[v->files.n++] = (dir_entry){fw_strdup(de->d_name), dir, (long long)st.st_size, st.st_mtime};
    }
    closedir(d);
    qsort(v->entries, (size_t)v->files.n, sizeof *v->entries, entry_order);
    v->files.cursor = v->files.top = 0;
    for (int i = 0; select && i < v->files.n; i++)
        if (strcmp(v->entries[i].name, select) == 0)
            v->files.cursor = i;
}

static void change_dir(fw_tui *t, import_view *v, const char *name)
{
    char *target = strcmp(name, "..") == 0 ? NULL : join_path(v->dir, name);
    char *came_from = NULL;
    if (!target) { /* up: the parent, with the cursor on the directory we leave */
        char *slash = strrchr(v->dir, '/');
        came_from = fw_strdup(slash ? slash + 1 : "");
        target = slash && slash != v->dir ? fw_printf("%.*s", (int)(slash - v->dir), v->dir) : fw_strdup("/");
    }
    char resolved[PATH_MAX];
    if (!realpath(target, resolved) || access(resolved, R_OK | X_OK) != 0) {
        fw_tui_error(t, _("Cannot open the directory %s: %s."), target, strerror(errno));
        free(target);
        free(came_from);
        return;
    }
    free(target);
    free(v->dir);
    v->dir = fw_strdup(resolved);
    read_dir(t, v, came_from);
    free(came_from);
}

static void draw_browse(fw_tui *t, import_view *v, WINDOW *w, int h, int width)
{
    v->height = h - 2;
    fw_lines_scroll(&v->files, v->height);
    int size_w = 10, time_w = 16, name_w = width - size_w - time_w - 4;
    char *where = fw_printf(_("Pick a CSV file to load: %s"), v->dir);
    fw_tui_put(w, 0, 0, width, where, false);
    free(where);
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 1, 0, width, "", false);
    fw_tui_put(w, 1, 0, name_w, _("File name"), false);
    fw_tui_put(w, 1, name_w + 2, size_w, _("Size"), true);
    fw_tui_put(w, 1, name_w + size_w + 4, time_w, _("Modified"), false);
    wattrset(w, A_NORMAL);
    for (int i = 0; i < v->height && v->files.top + i < v->files.n; i++) {
        int k = v->files.top + i;
        const dir_entry *e = &v->entries[k];
        char *name = fw_printf("%s%s", e->name, e->is_dir ? "/" : "");
        char size[24] = "", when[32] = "";
        if (!e->is_dir)
            human_size(e->size, size);
        if (strcmp(e->name, "..") != 0)
            strftime(when, sizeof when, "%Y-%m-%d %H:%M", localtime(&e->mtime));
        wattrset(w, k == v->files.cursor ? A_REVERSE : (e->is_dir ? A_BOLD : A_NORMAL));
        fw_tui_put(w, i + 2, 0, width, "", false);
        fw_tui_put(w, i + 2, 0, name_w, name, false);
        fw_tui_put(w, i + 2, name_w + 2, size_w, size, true);
        fw_tui_put(w, i + 2, name_w + size_w + 4, time_w, when, false);
        wattrset(w, A_NORMAL);
        free(name);
    }
    if (v->files.n == 0 || (v->files.n == 1 && strcmp(v->entries[0].name, "..") == 0))
        fw_tui_put(w, 3, 2, width - 4, v->all_files ? _("This directory is empty.")
                                                    : _("No .csv files here: . shows every file."), false);
}

/* --- preview ---------------------------------------------------------------------------------------- */

static void free_preview(import_view *v)
{
    if (v->has_preview)
        fw_import_preview_free(&v->pv);
    v->has_preview = false;
    free(v->preview_error);
    v->preview_error = NULL;
    for (int i = 0; i < v->nsample; i++) {
        for (int c = 0; c < v->sample[i].n; c++)
            free(v->sample[i].cells[c]);
        free(v->sample[i].cells);
    }
    v->nsample = 0;
}

/* The first data rows, read with the same reader the importer uses (encoding detected the same). */
static void read_sample(import_view *v)
{
    fw_csv *csv;
    fw_err err = {0};
    if (fw_csv_open(v->path, FW_ENC_AUTO, &csv, &err))
        return;
    fw_csv_record rec;
    bool header = true;
    while (v->nsample < SAMPLE_ROWS && fw_csv_next(csv, &rec, &err) == 1) {
        if (header) {
            header = false;
            continue;
        }
        sample_row *s = &v->sample[v->nsample++];
        s->line = rec.line;
        s->n = rec.n;
        s->cells = fw_calloc((size_t)(rec.n ? rec.n : 1), sizeof *s->cells);
        for (int c = 0; c < rec.n; c++)
            s->cells[c] = fw_strdup(rec.fields[c]);
    }
    fw_csv_close(csv);
}

static void load_preview(import_view *v)
{
    free_preview(v);
    fw_err err = {0};
    if (fw_import_preview_file(v->path, fw_datasets[v->dataset].name, NULL, FW_ENC_AUTO, &v->pv, &err)) {
        v->preview_error = fw_strdup(err.msg);
        return;
    }
    v->has_preview = true;
    v->map.n = v->pv.nheaders + v->pv.nmissing;
    v->map.cursor = v->map.top = 0;
    read_sample(v);
}

/* The dataset a file is most likely for: one whose name or Chinese label the file name contains,
 * else the one whose required columns are all present and that maps the most headers. */
static int guess_dataset(const char *path, enum guess_source *how)
{
    const char *base = base_name(path);
    for (int i = 0; i < fw_ndatasets; i++)
        if (strcasestr(base, fw_datasets[i].name) || strstr(base, fw_datasets[i].label_zh)) {
            *how = GUESS_FILE_NAME;
            return i;
        }
    int best = -1, best_mapped = 0;
    for (int i = 0; i < fw_ndatasets; i++) {
        fw_import_preview pv;
        fw_err err = {0};
        if (fw_import_preview_file(path, fw_datasets[i].name, NULL, FW_ENC_AUTO, &pv, &err))
            continue;
        int mapped = 0;
        for (int k = 0; k < pv.nheaders; k++)
            mapped += pv.mapped[k] != NULL;
        if (pv.nmissing == 0 && !pv.problem && mapped > best_mapped) {
            best = i;
            best_mapped = mapped;
        }
        fw_import_preview_free(&pv);
    }
    *how = best >= 0 ? GUESS_HEADERS : GUESS_NONE;
    return best >= 0 ? best : 0;
}

static void open_preview(import_view *v, const char *name)
{
    free(v->path);
    v->path = join_path(v->dir, name);
    v->dataset = guess_dataset(v->path, &v->guess);
    v->replace = false;
    v->step = STEP_PREVIEW;
    load_preview(v);
}

/* "death_date, name" for the required columns the file lacks; caller frees. */
static char *missing_list(const fw_import_preview *pv)
{
    fw_buf b = {0};
    for (int i = 0; i < pv->nmissing; i++)
        fw_buf_printf(&b, "%s%s", i ? ", " : "", pv->missing[i]->name);
    return fw_buf_steal(&b);
}

static const char *guess_text(enum guess_source g)
{
    switch (g) {
    case GUESS_FILE_NAME: return _("guessed from the file name");
    case GUESS_HEADERS: return _("guessed from the headers");
    case GUESS_CHOSEN: return _("chosen");
    default: return _("no dataset fits the headers: choose one with d");
    }
}

static void draw_mapping_line(fw_tui *t, import_view *v, WINDOW *w, int y, int k, int width)
{
    int hw = 22, cw = 20, sx = hw + cw + 6;
    int sw = v->nsample ? (width - sx) / v->nsample - 1 : 0;
    bool missing = k >= v->pv.nheaders;
    const fw_column *col = missing ? v->pv.missing[k - v->pv.nheaders] : v->pv.mapped[k];
    if (missing)
        wattrset(w, fw_tui_attr(t, C_ERROR));
    else if (!col)
        wattrset(w, A_DIM);
    fw_tui_put(w, y, 0, width, "", false);
    fw_tui_put(w, y, 0, hw, missing ? _("(not in the file)") : v->pv.headers[k], false);
    fw_tui_put(w, y, hw + 1, 2, "→", false);
    char *target = col ? fw_printf("%s%s", col->name, col->required ? " *" : "") : fw_strdup(_("(ignored)"));
    fw_tui_put(w, y, hw + 4, cw, target, false);
    free(target);
    if (missing)
        fw_tui_put(w, y, sx, width - sx, _("required column missing"), false);
    else
        for (int s = 0; s < v->nsample; s++)
            fw_tui_put(w, y, sx + s * (sw + 1), sw, k < v->sample[s].n ? v->sample[s].cells[k] : "", false);
    wattrset(w, A_NORMAL);
}

static void draw_preview(fw_tui *t, import_view *v, WINDOW *w, int h, int width)
{
    const fw_dataset *ds = &fw_datasets[v->dataset];
    char *line = fw_printf(_("File: %s"), v->path);
    fw_tui_put(w, 0, 0, width, line, false);
    free(line);
    line = fw_printf(_("Dataset: %s %s (%s) · d changes"), ds->name, ds->label_zh, guess_text(v->guess));
    fw_tui_put(w, 1, 0, width, line, false);
    free(line);
    line = fw_printf(_("Encoding: %s · Mode: %s · r switches"), v->has_preview ? v->pv.encoding : "?",
                     v->replace ? _("replace the dataset's rows") : _("append to the dataset"));
    fw_tui_put(w, 2, 0, width, line, false);
    free(line);
    if (v->preview_error) {
        wattrset(w, fw_tui_attr(t, C_ERROR));
        fw_tui_put(w, 4, 0, width, v->preview_error, false);
        wattrset(w, A_NORMAL);
        return;
    }
    if (v->pv.nmissing || v->pv.problem) {
        char *missing = missing_list(&v->pv);
        line = v->pv.nmissing ? fw_printf(_("Required columns missing: %s. The import would be refused."), missing)
                              : fw_strdup(v->pv.problem);
        wattrset(w, fw_tui_attr(t, C_ERROR));
        fw_tui_put(w, 3, 0, width, line, false);
        wattrset(w, A_NORMAL);
        free(line);
        free(missing);
    } else {
        fw_tui_put(w, 3, 0, width, _("Every required column is present (* = required). Enter imports."), false);
    }
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 5, 0, width, "", false);
    fw_tui_put(w, 5, 0, 22, _("CSV column"), false);
    fw_tui_put(w, 5, 26, 20, _("Loaded as"), false);
    int sx = 48, sw = v->nsample ? (width - sx) / v->nsample - 1 : 0;
    for (int s = 0; s < v->nsample; s++) {
        char *title = fw_printf(_("line %ld"), v->sample[s].line);
        fw_tui_put(w, 5, sx + s * (sw + 1), sw, title, false);
        free(title);
    }
    wattrset(w, A_NORMAL);
    v->height = h - 6;
    fw_lines_scroll(&v->map, v->height);
    for (int i = 0; i < v->height && v->map.top + i < v->map.n; i++)
        draw_mapping_line(t, v, w, i + 6, v->map.top + i, width);
}

static void draw_datasets(fw_tui *t, import_view *v, WINDOW *w, int h, int width)
{
    fw_tui_put(w, 0, 0, width, _("Load the file into which dataset? Enter chooses, q keeps the current one."), false);
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 1, 0, width, "", false);
    fw_tui_put(w, 1, 0, 14, _("Dataset"), false);
    fw_tui_put(w, 1, 14, 26, _("Chinese name"), false);
    fw_tui_put(w, 1, 40, width - 40, _("Required columns"), false);
    wattrset(w, A_NORMAL);
    v->height = h - 2;
    fw_lines_scroll(&v->datasets, v->height);
    for (int i = 0; i < v->height && v->datasets.top + i < v->datasets.n; i++) {
        int k = v->datasets.top + i;
        const fw_dataset *ds = &fw_datasets[k];
        fw_buf req = {0};
        for (int c = 0; c < ds->ncolumns; c++)
            if (ds->columns[c].required)
                fw_buf_printf(&req, "%s%s", req.len ? ", " : "", ds->columns[c].name);
        fw_buf_puts(&req, "");
        wattrset(w, k == v->datasets.cursor ? A_REVERSE : A_NORMAL);
        fw_tui_put(w, i + 2, 0, width, "", false);
        fw_tui_put(w, i + 2, 0, 14, ds->name, false);
        fw_tui_put(w, i + 2, 14, 26, ds->label_zh, false);
        fw_tui_put(w, i + 2, 40, width - 40, req.data, false);
        wattrset(w, A_NORMAL);
        fw_buf_free(&req);
    }
}

/* --- import and result ---------------------------------------------------------------------------- */

static void free_rejects(import_view *v)
{
    for (int i = 0; i < v->rej.n; i++) {
        free(v->rejects[i].column);
        free(v->rejects[i].value);
        free(v->rejects[i].reason);
    }
    free(v->rejects);
    v->rejects = NULL;
    v->rej.n = 0;
}

static void free_result(import_view *v)
{
    if (v->has_result)
        fw_import_result_free(&v->res);
    v->has_result = false;
    free(v->result_error);
    v->result_error = NULL;
    free_rejects(v);
}

/* The importer's progress callback: the bar shows bytes read of the file; Esc cancels. */
static int on_import_progress(void *p, long long rows, long long bytes, long long total)
{
    char done[24], all[24];
    human_size(bytes, done);
    human_size(total, all);
    char *text = fw_printf(_("Importing: %lld rows, %s of %s…"), rows, done, all);
    bool cancel = fw_progress_update(p, bytes, total, text);
    free(text);
    return cancel;
}

/* The index builder's progress callback: one step per index; Esc leaves the rest for later. */
static int on_index_progress(void *p, int done, int total, const char *index)
{
    char *text = index ? fw_printf(_("Indexing for the rules: %s (%d of %d)…"), index, done + 1, total)
                       : fw_strdup(_("Indexes built."));
    bool cancel = fw_progress_update(p, done, total, text);
    free(text);
    return cancel;
}

/* A bulk import leaves the dataset's indexes out (audit/indexes.h); build them now, while the
 * inspector is here watching a bar, rather than make the next drill-down or rule run slow.
 * Returns FW_OK, FW_EINTR when Esc left them for later, or another code after showing why. */
static int build_indexes(fw_tui *t)
{
    fw_progress bar;
    fw_progress_begin(&bar, t, _("Esc leaves them for the next rule run"));
    fw_index_opts o = {.progress = on_index_progress, .progress_ctx = &bar};
    fw_err err = {0};
    int rc = fw_indexes_build(t->ws, &o, &err);
    if (rc && rc != FW_EINTR)
        fw_tui_error(t, "%s", err.msg);
    return rc;
}

/* Refuses, with the reason, what the importer would refuse anyway, before touching anything. */
static bool ready_to_import(fw_tui *t, import_view *v)
{
    if (v->preview_error) {
        fw_tui_error(t, "%s", v->preview_error);
        return false;
    }
    if (v->pv.nmissing) {
        char *missing = missing_list(&v->pv);
        fw_tui_error(t, _("Not imported: the file lacks %s, required in %s. d picks another dataset."), missing,
                     fw_datasets[v->dataset].name);
        free(missing);
        return false;
    }
    if (v->pv.problem) {
        fw_tui_error(t, _("Not imported: %s"), v->pv.problem);
        return false;
    }
    return true;
}

static void start_import(fw_tui *t, import_view *v)
{
    if (!ready_to_import(t, v))
        return;
    free_result(v);
    fw_progress bar;
    fw_progress_begin(&bar, t, NULL);
    fw_progress_draw(&bar, 0, 0, _("Importing…"));
    const fw_dataset *ds = &fw_datasets[v->dataset];
    fw_import_opts o = {.dataset = ds->name, .path = v->path, .encoding = FW_ENC_AUTO, .replace = v->replace,
                        .max_rejects = -1, .progress = on_import_progress, .progress_ctx = &bar};
    fw_err err = {0};
    int rc = fw_import_file(t->ws, &o, &v->res, &err);
    v->has_result = true;
    fw_tui_changed(t); /* the screens under this one (the overview) reload when shown */
    if (rc == FW_OK) {
        v->step = STEP_RESULT;
        int indexed = v->res.indexes_deferred ? build_indexes(t) : FW_OK;
        if (indexed == FW_EINTR)
            fw_tui_message(t, _("Loaded %lld rows into %s; %lld rejected. Indexes left for the next rule run."),
                           v->res.rows_loaded, ds->name, v->res.rows_rejected);
        else if (indexed == FW_OK)
            fw_tui_message(t, _("Loaded %lld rows into %s; %lld rejected."), v->res.rows_loaded, ds->name,
                           v->res.rows_rejected);
    } else if (rc == FW_EINTR) {
        free_result(v);
        fw_tui_message(t, _("Import cancelled: nothing loaded (the workspace is as it was)."));
    } else if (rc == FW_ECONFLICT) {
        free_result(v);
        fw_tui_error(t, _("Already loaded into %s (the same bytes). r then Enter replaces its rows (import --replace)."),
                     ds->name);
    } else if (v->res.import_id > 0) { /* refused (too many rejects): its record and rejects are kept */
        v->result_error = fw_strdup(err.msg);
        v->step = STEP_RESULT;
        fw_tui_error(t, "%s", err.msg);
    } else {
        free_result(v);
        fw_tui_error(t, "%s", err.msg);
    }
}

static void load_rejects(fw_tui *t, import_view *v)
{
    free_rejects(v);
    fw_rows *rows;
    fw_err err = {0};
    if (fw_import_rejects_stmt(t->ws, v->res.import_id, &rows, &err)) {
        fw_tui_error(t, "%s", err.msg);
        return;
    }
    int cap = 0, step;
    while ((step = fw_rows_step(rows, &err)) == 1) {
        if (v->rej.n == cap) {
            cap = cap ? cap * 2 : 64;
            v->rejects = fw_realloc(v->rejects, (size_t)cap * sizeof *v->rejects);
        }
        const char *name = fw_rows_text(rows, 4);
        const char *col = fw_rows_text(rows, 3);
        const char *value = fw_rows_text(rows, 5);
        const char *reason = fw_rows_text(rows, 6);
        v->rejects[v->rej.n++] = (reject_row){fw_rows_int(rows, 2), fw_strdup(name ? name : col ? col : ""),
                                              fw_strdup(value ? value : ""), fw_strdup(reason ? reason : "")};
    }
    fw_rows_close(rows);
    if (step < 0)
        fw_tui_error(t, "%s", err.msg);
    v->rej.cursor = v->rej.top = 0;
    v->step = STEP_REJECTS;
    if (v->rej.n == 0)
        fw_tui_message(t, _("No row of this import was rejected."));
}

static void draw_count(WINDOW *w, int y, const char *label, long long n, const char *note, int width)
{
    char num[32];
    snprintf(num, sizeof num, "%lld", n);
    fw_tui_put(w, y, 2, 16, label, false);
    fw_tui_put(w, y, 18, 12, num, true);
    fw_tui_put(w, y, 32, width - 32, note, false);
}

static void draw_result(fw_tui *t, import_view *v, WINDOW *w, int width)
{
    const fw_import_result *r = &v->res;
    char *line = fw_printf(_("Import #%lld of %s into %s"), r->import_id, base_name(v->path),
                           fw_datasets[v->dataset].name);
    wattrset(w, A_BOLD);
    fw_tui_put(w, 0, 0, width, line, false);
    wattrset(w, A_NORMAL);
    free(line);
    int y = 2;
    if (v->result_error) {
        wattrset(w, fw_tui_attr(t, C_ERROR));
        fw_tui_put(w, y++, 0, width, v->result_error, false);
        wattrset(w, A_NORMAL);
        y++;
    }
    draw_count(w, y++, _("rows read"), r->rows_read, "", width);
    draw_count(w, y++, _("loaded"), v->result_error ? 0 : r->rows_loaded, "", width);
    draw_count(w, y++, _("rejected"), r->rows_rejected, r->rows_rejected ? _("Enter lists them: line, column, reason")
                                                                       : "", width);
    draw_count(w, y++, _("flagged"), r->rows_flagged, _("loaded after a documented conversion"), width);
    draw_count(w, y++, _("blank lines"), r->rows_blank, _("skipped"), width);
    y++;
    line = fw_printf(_("Encoding %s · dates %s … %s · SHA-256 %.16s…"), r->encoding, r->min_date[0] ? r->min_date : "-",
                     r->max_date[0] ? r->max_date : "-", r->sha256);
    fw_tui_put(w, y++, 2, width - 2, line, false);
    free(line);
    if (r->nunknown) {
        fw_buf b = {0};
        for (int i = 0; i < r->nunknown; i++)
            fw_buf_printf(&b, "%s%s", i ? ", " : "", r->unknown_headers[i]);
        fw_buf_puts(&b, "");
        line = fw_printf(_("Ignored columns: %s"), b.data);
        fw_tui_put(w, y++, 2, width - 2, line, false);
        free(line);
        fw_buf_free(&b);
    }
}

static void draw_rejects(fw_tui *t, import_view *v, WINDOW *w, int h, int width)
{
    char *line = fw_printf(_("Rejected rows of import #%lld (%s)"), v->res.import_id, base_name(v->path));
    fw_tui_put(w, 0, 0, width, line, false);
    free(line);
    wattrset(w, fw_tui_attr(t, C_HEADER));
    fw_tui_put(w, 1, 0, width, "", false);
    fw_tui_put(w, 1, 0, 7, _("Line"), true);
    fw_tui_put(w, 1, 9, 16, _("Column"), false);
    fw_tui_put(w, 1, 27, 19, _("Value"), false);
    fw_tui_put(w, 1, 48, width - 48, _("Reason"), false);
    wattrset(w, A_NORMAL);
    v->height = h - 2;
    fw_lines_scroll(&v->rej, v->height);
    for (int i = 0; i < v->height && v->rej.top + i < v->rej.n; i++) {
        int k = v->rej.top + i;
        const reject_row *r = &v->rejects[k];
        char num[24];
        snprintf(num, sizeof num, "%lld", r->line);
        wattrset(w, k == v->rej.cursor ? A_REVERSE : A_NORMAL);
        fw_tui_put(w, i + 2, 0, width, "", false);
        fw_tui_put(w, i + 2, 0, 7, num, true);
        fw_tui_put(w, i + 2, 9, 16, r->column, false);
        fw_tui_put(w, i + 2, 27, 19, r->value, false);
        fw_tui_put(w, i + 2, 48, width - 48, r->reason, false);
        wattrset(w, A_NORMAL);
    }
}

/* --- the view --------------------------------------------------------------------------------------- */

static void *import_open(fw_tui *t, const char *arg)
{
    import_view *v = fw_calloc(1, sizeof *v);
    char cwd[PATH_MAX];
    v->dir = fw_strdup(arg && *arg ? arg : getcwd(cwd, sizeof cwd) ? cwd : "/");
    v->datasets.n = fw_ndatasets;
    read_dir(t, v, NULL);
    return v;
}

static void import_close(void *p)
{
    import_view *v = p;
    free_entries(v);
    free_preview(v);
    free_result(v);
    free(v->dir);
    free(v->path);
    free(v);
}

static void import_draw(fw_tui *t, void *p, WINDOW *w)
{
    import_view *v = p;
    int h, width;
    getmaxyx(w, h, width);
    switch (v->step) {
    case STEP_BROWSE: draw_browse(t, v, w, h, width); break;
    case STEP_PREVIEW: draw_preview(t, v, w, h, width); break;
    case STEP_DATASET: draw_datasets(t, v, w, h, width); break;
    case STEP_RESULT: draw_result(t, v, w, width); break;
    case STEP_REJECTS: draw_rejects(t, v, w, h, width); break;
    }
}

/* --- a typed path (p), with Tab completion -------------------------------------------------------- */

/* "~/x" and "x" (relative to base) as a full path; caller frees. Shared with the orders screen's
 * typed paths (a returned workbook, the folder a dispatch writes to). */
char *fw_tui_expand_path(const char *base, const char *typed)
{
    if (typed[0] == '~' && (typed[1] == '/' || !typed[1])) {
        const char *home = getenv("HOME");
        return fw_printf("%s%s", home ? home : "", typed + 1);
    }
    return typed[0] == '/' ? fw_strdup(typed) : join_path(base, typed);
}

static char *expand_path(const import_view *v, const char *typed) { return fw_tui_expand_path(v->dir, typed); }

static int name_order(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int fw_tui_path_candidates(const char *base, const char *text, char ***out)
{
    *out = NULL;
    const char *slash = strrchr(text, '/');
    int head = slash ? (int)(slash - text) + 1 : 0; /* "dir/" as typed, kept */
    const char *prefix = text + head;
    char *typed_dir = fw_printf("%.*s", head, text);
    char *dir = head ? fw_tui_expand_path(base, typed_dir) : fw_strdup(base);
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strncmp(de->d_name, prefix, strlen(prefix)) != 0 || (de->d_name[0] == '.' && prefix[0] != '.'))
            continue;
        char *full = join_path(dir, de->d_name);
        struct stat st;
        bool is_dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
        free(full);
        *out = fw_realloc(*out, (size_t)(n + 1) * sizeof **out);
        (*out)[n++] = fw_printf("%s%s%s", typed_dir, de->d_name, is_dir ? "/" : "");
    }
    if (d)
        closedir(d);
    qsort(*out, (size_t)n, sizeof **out, name_order);
    free(typed_dir);
    free(dir);
    return n;
}

/* Whole-path candidates: the entries of the typed directory that start with the typed name. */
static int complete_path(fw_tui *t, const char *text, char ***out)
{
    import_view *v = t->ask_ctx;
    return fw_tui_path_candidates(v->dir, text, out);
}

/* The answer to "Path:": a directory is browsed, a file previewed. */
static void go_to_path(fw_tui *t, void *ctx, const char *typed)
{
    import_view *v = ctx;
    if (!*typed)
        return;
    char *full = expand_path(v, typed);
    char resolved[PATH_MAX];
    struct stat st;
    if (!realpath(full, resolved) || stat(resolved, &st) != 0) {
        fw_tui_error(t, _("%s: %s. Tab completes names; the path can be absolute, ~/… or relative to %s."), typed,
                     strerror(errno), v->dir);
        free(full);
        return;
    }
    free(full);
    if (S_ISDIR(st.st_mode)) {
        free(v->dir);
        v->dir = fw_strdup(resolved);
        read_dir(t, v, NULL);
        return;
    }
    char *slash = strrchr(resolved, '/');
    char *name = fw_strdup(slash + 1);
    free(v->dir);
    v->dir = slash == resolved ? fw_strdup("/") : fw_printf("%.*s", (int)(slash - resolved), resolved);
    read_dir(t, v, name);
    open_preview(v, name);
    free(name);
}

static void keep_view(void *ctx) { (void)ctx; /* the view owns itself */ }

static void ask_path(fw_tui *t, import_view *v)
{
    char *initial = fw_printf("%s/", strcmp(v->dir, "/") == 0 ? "" : v->dir);
    fw_tui_ask(t, _("Path (Tab completes): "), initial, go_to_path, keep_view, v);
    fw_tui_ask_complete(t, complete_path);
    free(initial);
}

/* --- keys ------------------------------------------------------------------------------------------- */

/* The lines `/` searches on the current step: file names, CSV columns, datasets, rejects. */
static fw_lines *step_lines(import_view *v)
{
    switch (v->step) {
    case STEP_BROWSE: return &v->files;
    case STEP_PREVIEW: return &v->map;
    case STEP_DATASET: return &v->datasets;
    case STEP_REJECTS: return &v->rej;
    default: return NULL;
    }
}

static const char *step_line_text(int i, void *ctx)
{
    import_view *v = ctx;
    static char buf[512];
    switch (v->step) {
    case STEP_BROWSE: return v->entries[i].name;
    case STEP_PREVIEW:
        if (i >= v->pv.nheaders)
            return v->pv.missing[i - v->pv.nheaders]->name;
        snprintf(buf, sizeof buf, "%s %s", v->pv.headers[i], v->pv.mapped[i] ? v->pv.mapped[i]->name : "");
        return buf;
    case STEP_DATASET:
        snprintf(buf, sizeof buf, "%s %s", fw_datasets[i].name, fw_datasets[i].label_zh);
        return buf;
    case STEP_REJECTS:
        snprintf(buf, sizeof buf, "%lld %s %s %s", v->rejects[i].line, v->rejects[i].column, v->rejects[i].value,
                 v->rejects[i].reason);
        return buf;
    default: return "";
    }
}

static bool browse_key(fw_tui *t, import_view *v, enum fw_action a)
{
    if (fw_lines_move(&v->files, a, v->height))
        return true;
    switch (a) {
    case ACT_DIR_UP: change_dir(t, v, ".."); return true;
    case ACT_IMPORT_PATH: ask_path(t, v); return FW_KEY_REDRAW;
    case ACT_ALL_FILES:
        v->all_files = !v->all_files;
        read_dir(t, v, NULL);
        fw_tui_message(t, v->all_files ? _("Showing every file.") : _("Showing directories and .csv files."));
        return true;
    case ACT_ENTER: {
        if (v->files.n == 0)
            return true;
        const dir_entry *e = &v->entries[v->files.cursor];
        char *name = fw_strdup(e->name);
        if (e->is_dir)
            change_dir(t, v, name);
        else
            open_preview(v, name);
        free(name);
        return true;
    }
    default: return false;
    }
}

static bool preview_key(fw_tui *t, import_view *v, enum fw_action a)
{
    if (fw_lines_move(&v->map, a, v->height))
        return true;
    switch (a) {
    case ACT_BACK:
    case ACT_DIR_UP:
        free_preview(v);
        v->step = STEP_BROWSE;
        return true;
    case ACT_IMPORT_DATASET:
        v->datasets.cursor = v->dataset;
        v->step = STEP_DATASET;
        return true;
    case ACT_IMPORT_REPLACE:
        v->replace = !v->replace;
        fw_tui_message(t, v->replace ? _("Replace: the dataset's present rows are deleted in the same transaction.")
                                     : _("Append: the file's rows are added to the dataset."));
        return true;
    case ACT_ENTER: start_import(t, v); return true;
    default: return false;
    }
}

static int import_key(fw_tui *t, void *p, enum fw_action a)
{
    import_view *v = p;
    fw_lines *lines = step_lines(v);
    if (lines && (a == ACT_SEARCH || a == ACT_SEARCH_NEXT || a == ACT_SEARCH_PREV))
        return fw_lines_search_key(t, lines, a, v->height, step_line_text, v) ? FW_KEY_REDRAW : FW_KEY_UNHANDLED;
    if (a == ACT_IMPORT_PATH && v->step != STEP_BROWSE) {
        ask_path(t, v);
        return true;
    }
    switch (v->step) {
    case STEP_BROWSE: return browse_key(t, v, a);
    case STEP_PREVIEW: return preview_key(t, v, a);
    case STEP_DATASET:
        if (fw_lines_move(&v->datasets, a, v->height))
            return true;
        if (a == ACT_ENTER) {
            v->dataset = v->datasets.cursor;
            v->guess = GUESS_CHOSEN;
            load_preview(v);
        }
        if (a == ACT_ENTER || a == ACT_BACK || a == ACT_DIR_UP) {
            v->step = STEP_PREVIEW;
            return true;
        }
        return false;
    case STEP_RESULT:
        if (a == ACT_ENTER) {
            load_rejects(t, v);
            return true;
        }
        if (a == ACT_BACK || a == ACT_DIR_UP) {
            free_result(v);
            free_preview(v);
            v->step = STEP_BROWSE;
            read_dir(t, v, base_name(v->path));
            return true;
        }
        return false;
    case STEP_REJECTS:
        if (fw_lines_move(&v->rej, a, v->height))
            return true;
        if (a == ACT_BACK || a == ACT_DIR_UP) {
            v->step = STEP_RESULT;
            return true;
        }
        return false;
    }
    return false;
}

static void import_reload(fw_tui *t, void *p)
{
    import_view *v = p;
    if (v->step == STEP_BROWSE) {
        /* read_dir frees the entries: keep the selected name to find it again */
        char *selected = v->files.n ? fw_strdup(v->entries[v->files.cursor].name) : NULL;
        read_dir(t, v, selected);
        free(selected);
    } else if (v->step == STEP_PREVIEW)
        load_preview(v);
}

static void import_search(fw_tui *t, void *p, const char *text, bool final)
{
    import_view *v = p;
    (void)final;
    fw_lines *lines = step_lines(v);
    if (lines)
        fw_lines_search_text(t, lines, text, v->height, step_line_text, v);
}

/* A click on a line of the list selects it (the lists start under their title lines). */
static bool import_click(fw_tui *t, void *p, int y, int x)
{
    (void)t;
    (void)x;
    import_view *v = p;
    fw_lines *lines = step_lines(v);
    int first = v->step == STEP_PREVIEW ? 6 : 2;
    return lines && fw_lines_click(lines, y - first);
}

static void import_status(fw_tui *t, void *p, char *out, size_t outsz)
{
    (void)t;
    import_view *v = p;
    switch (v->step) {
    case STEP_BROWSE:
        snprintf(out, outsz, _("%d entries · Enter opens · Backspace or h: up · p types a path · / finds a name · "
                               ". all files/.csv only"),
                 v->files.n);
        break;
    case STEP_PREVIEW:
        snprintf(out, outsz, "%s", _("Enter imports · d dataset · r replace/append · q back to the files"));
        break;
    case STEP_DATASET: snprintf(out, outsz, "%s", _("Enter chooses the dataset · q back")); break;
    case STEP_RESULT: snprintf(out, outsz, "%s", _("Enter lists the rejected rows · q back to the files")); break;
    case STEP_REJECTS:
        snprintf(out, outsz, _("%d rejected rows · q back to the result"), v->rej.n);
        break;
    }
}

static const char *import_title(void *p)
{
    (void)p;
    return _("Import");
}

const fw_view_ops fw_view_import = {
    .name = "import",
    .scope = S_IMPORT,
    .open = import_open,
    .draw = import_draw,
    .key = import_key,
    .reload = import_reload,
    .close = import_close,
    .search = import_search,
    .status = import_status,
    .title = import_title,
    .click = import_click,
};
