/* export.c: the export API (see export.h): picks the format, writes under a temporary name beside
 * the target, reads a workbook back (audit/xlsxread.h), hashes the result, records it in the audit
 * trail and renames it into place. */
#include "export/export.h"
#include "audit/i18n.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/trail.h"
#include "audit/xlsxread.h"
#include "export/csvout.h"
#include "export/provenance.h"
#include "export/workbook.h"

void fw_export_mask_id(const char *id, char *out, size_t outsz)
{
    size_t n = id ? strlen(id) : 0;
    if (outsz == 0)
        return;
    if (n + 1 > outsz)
        n = outsz - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = n >= 10 && (i < 6 || i >= n - 4) ? id[i] : '*';
    out[n] = '\0';
}

static int ends_with_csv(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcasecmp(path + n - 4, ".csv") == 0;
}

/* --- the file: temporary name, hash, rename --------------------------------------------------- */

/* Temporary files are named .NAME.fwtmp.HOST.PID.XXXXXX: an export killed by SIGKILL (or by a
 * power cut) cannot remove its own, so the next export to the folder removes those whose writer
 * is gone, and the name says who the writer was. */
#define TEMP_MARK ".fwtmp."
enum { FOREIGN_STALE_SECONDS = 24 * 3600, HOST_MAX = 32 };

/* This machine's name reduced to letters, digits and '-', for the temporary names. */
static void host_tag(char out[HOST_MAX + 1])
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    int n = 0;
    for (const char *p = host; *p && n < HOST_MAX; p++)
        if (isalnum((unsigned char)*p) || *p == '-')
            out[n++] = *p;
    if (n == 0)
        out[n++] = 'x';
    out[n] = '\0';
}

/* Whether a temporary file named by an export is stale: written on this machine by a process
 * that no longer runs, or elsewhere (its process cannot be asked) and untouched for a day. */
static int is_stale_temp(const char *name, const struct stat *st, const char *host, time_t now)
{
    const char *mark = strstr(name, TEMP_MARK);
    if (!mark || name[0] != '.' || !S_ISREG(st->st_mode) || st->st_uid != getuid())
        return 0;
    const char *h = mark + strlen(TEMP_MARK), *dot = strchr(h, '.');
    char *end;
    long pid = dot ? strtol(dot + 1, &end, 10) : 0;
    if (!dot || pid <= 0 || *end != '.')
        return 0;
    if ((size_t)(dot - h) == strlen(host) && strncmp(h, host, (size_t)(dot - h)) == 0)
        return pid != getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    return now - st->st_mtime > FOREIGN_STALE_SECONDS;
}

/* Removes the stale temporary files of earlier exports in dir; returns how many. */
static int remove_stale_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char host[HOST_MAX + 1];
    host_tag(host);
    time_t now = time(NULL);
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && is_stale_temp(e->d_name, &st, host, now) &&
            unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* Creates an empty temporary file beside path (same directory, so the final rename is atomic and
 * never crosses file systems), after clearing the stale ones of killed exports there. Mode 0600:
 * the contents are personal data. */
static int make_temp(const char *path, char **tmp, int *stale_removed, fw_err *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dirlen = slash ? (int)(slash - path) : 0;
    char *dir = slash ? fw_printf("%.*s", dirlen ? dirlen : 1, dirlen ? path : "/") : fw_strdup(".");
    *stale_removed = remove_stale_temps(dir);
    char host[HOST_MAX + 1];
    host_tag(host);
    *tmp = fw_printf("%s/.%s" TEMP_MARK "%s.%ld.XXXXXX", dir, base, host, (long)getpid());
    free(dir);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        int e = errno;
        free(*tmp);
        *tmp = NULL;
        return fw_fail(err, FW_EFAIL, _("cannot write in the directory of %s: %s; choose a writable directory"),
                       path, strerror(e));
    }
    close(fd);
    return FW_OK;
}

/* Reads the written workbook back as Excel would (the zip's directory and CRCs, every XML part
 * well-formed) before its hash is reported and it is recorded as evidence: a workbook that cannot
 * be opened must never leave fundwatch. A failure here is a fault of fundwatch or its library,
 * not of the user's data (that is refused earlier, cell by cell), so the message says so. */
static int read_back(const char *tmp, const char *path, fw_err *err)
{
    fw_err why = {0};
    if (fw_xlsxr_check_file(tmp, &why) == FW_OK)
        return FW_OK;
    return fw_fail(err, FW_EFAIL, _("the workbook written for %s does not read back (%s); it was removed and nothing "
                                  "was recorded; please report this with the command you ran"),
                   path, why.msg);
}

/* Flushes the file to disk and computes its SHA-256, so the hash in the trail is of the bytes
 * that will stay on disk. */
static int sync_and_hash(const char *tmp, char out[65], fw_err *err)
{
    int fd = open(tmp, O_RDONLY);
    if (fd < 0)
        return fw_fail(err, FW_EFAIL, _("cannot reopen %s: %s"), tmp, strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    static _Thread_local unsigned char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        sha256_update(&ctx, (size_t)n, buf);
    int rc = n < 0 || fsync(fd) != 0 ? fw_fail(err, FW_EFAIL, _("cannot read back %s: %s"), tmp, strerror(errno))
                                      : FW_OK;
    close(fd);
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return rc;
}

/* The classification mark: the option, else the workspace setting, else the default. *owned gets
 * anything allocated here (caller frees). */
static const char *classification_of(fw_ws *ws, const fw_export_opts *o, char **owned)
{
    *owned = NULL;
    if (o->classification && *o->classification)
        return o->classification;
    *owned = fw_ws_setting(ws, "export.classification");
    if (*owned && **owned)
        return *owned;
    return FW_EXPORT_DEFAULT_CLASSIFICATION;
}

static int write_csv(fw_ws *ws, enum fw_export_list list, const fw_hit_filter *f, const char *tmp,
                     const fw_export_opts *o, fw_export_result *res, fw_err *err)
{
    fw_xquery *q;
    long long total = fw_xq_count_leads(ws, f, err);
    if (total < 0)
        return err->code;
    if ((list == FW_LIST_CASES ? fw_xq_cases(ws, f, &q, err) : fw_xq_leads(ws, f, &q, err)))
        return err->code;
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        fw_xq_close(q);
        return fw_fail(err, FW_EFAIL, _("cannot write %s: %s"), tmp, strerror(errno));
    }
    int rc = fw_csv_write(out, q, o, total, &res->rows, err);
    fw_xq_close(q);
    if (fclose(out) != 0 && rc == FW_OK)
        rc = fw_fail(err, FW_EFAIL, _("writing the CSV failed: %s (disk full?)"), strerror(errno));
    return rc;
}

/* The absolute name path will have, found through the temporary file beside it (path itself
 * does not exist yet), so the trail says where the file went whatever the working directory. */
static char *absolute_path(const char *tmp, const char *path)
{
    char *real = realpath(tmp, NULL);
    if (!real)
        return fw_strdup(path);
    const char *base = strrchr(path, '/');
    char *slash = strrchr(real, '/');
    *slash = '\0';
    char *abs = fw_printf("%s/%s", real, base ? base + 1 : path);
    free(real);
    return abs;
}

/* A CSV's provenance companion (export/provenance.h), written under a temporary name beside it. */
static int write_companion(fw_ws *ws, enum fw_export_list list, const fw_hit_filter *f, const char *path,
                           const char *side, const char *classification, const fw_export_result *res,
                           char **side_tmp, fw_err *err)
{
    int stale_again; /* the folder's stale temporary files went with the CSV's own make_temp */
    if (make_temp(side, side_tmp, &stale_again, err))
        return err->code;
    const char *base = strrchr(path, '/');
    char *filter = fw_xq_filter_text(f);
    fw_provenance p = {.file = base ? base + 1 : path,
                       .sha256 = res->sha256,
                       .workspace = fw_ws_label(ws),
                       .filter = filter,
                       .list = list == FW_LIST_CASES ? "cases" : "leads",
                       .rows = res->rows,
                       .classification = classification};
    int rc = fw_provenance_write(ws, &p, *side_tmp, err);
    free(filter);
    return rc;
}

/* Records the export and moves the file (and a CSV's companion, side) into place, together: the
 * trail record commits only if the renames succeeded, and they are undone if the commit fails. */
static int record_and_rename(fw_ws *ws, const fw_hit_filter *f, const char *tmp, const char *path,
                             const char *side_tmp, const char *side, const char *format,
                             const fw_export_result *res, fw_err *err)
{
    char *filter = fw_xq_filter_json(f);
    char *where = absolute_path(tmp, path);
    fw_buf after = {0};
    fw_buf_puts(&after, "{\"file\":");
    fw_json_string(&after, where);
    fw_buf_printf(&after, ",\"format\":\"%s\",\"filter\":%s,\"rows\":%lld,\"sheets\":%d,\"sha256\":\"%s\"}",
                  format, filter, res->rows, res->sheets, res->sha256);
    free(filter);
    char *object = fw_printf("file:%s", where);
    free(where);
    int rc = fw_ws_begin(ws, err);
    if (rc == FW_OK && (rc = fw_trail_append(ws, "export", object, NULL, after.data, err)) == FW_OK) {
        if (rename(tmp, path) != 0) {
            rc = fw_fail(err, FW_EFAIL, _("cannot move the export into place as %s: %s"), path, strerror(errno));
        } else if (side_tmp && rename(side_tmp, side) != 0) {
            rc = fw_fail(err, FW_EFAIL, _("cannot move the export into place as %s: %s"), side, strerror(errno));
            unlink(path);
        } else if ((rc = fw_ws_commit(ws, err)) != FW_OK) {
            unlink(path);
            if (side_tmp)
                unlink(side);
        }
    }
    if (rc)
        fw_ws_rollback(ws);
    free(object);
    fw_buf_free(&after);
    return rc;
}

/* The common path of every export: check, write to a temporary file, hash, record, rename. */
static int export_file(fw_ws *ws, enum fw_export_list list, const fw_hit_filter *f, const char *path,
                       const fw_export_opts *o, fw_export_result *res, fw_err *err)
{
    memset(res, 0, sizeof *res);
    if (!path || !*path)
        return fw_fail(err, FW_EUSAGE, _("no output file given"));
    struct stat st;
    if (!o->force && lstat(path, &st) == 0)
        return fw_fail(err, FW_ECONFLICT, _("%s already exists; use --force to replace it"), path);
    if (o->force && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return fw_fail(err, FW_EUSAGE, _("%s is a directory; name a file"), path);
    if (fw_xq_check_filter(ws, f, err))
        return err->code;
    int csv = o->format == FW_EXPORT_CSV || (o->format == FW_EXPORT_AUTO && ends_with_csv(path));
    char *side = csv ? fw_provenance_path(path) : NULL, *side_tmp = NULL;
    if (side && !o->force && lstat(side, &st) == 0) {
        int rc = fw_fail(err, FW_ECONFLICT, _("%s already exists; use --force to replace it"), side);
        free(side);
        return rc;
    }
    char *tmp;
    if (make_temp(path, &tmp, &res->stale_removed, err)) {
        free(side);
        return err->code;
    }
    char *owned;
    const char *classification = classification_of(ws, o, &owned);
    int rc = csv ? write_csv(ws, list, f, tmp, o, res, err)
                 : fw_wb_write(ws, f, list == FW_LIST_CASES ? FW_WB_CASE_LIST : FW_WB_FULL, tmp,
                               classification, o, res, err);
    if (rc == FW_OK && !csv)
        rc = read_back(tmp, path, err);
    if (rc == FW_OK)
        rc = sync_and_hash(tmp, res->sha256, err);
    /* Reading back and hashing a large workbook takes a while: a cancel meanwhile still counts. */
    if (rc == FW_OK && o->progress && o->progress(o->progress_ctx, res->rows, res->rows))
        rc = fw_fail(err, FW_EINTR, _("export cancelled; no file was written"));
    if (rc == FW_OK && csv)
        rc = write_companion(ws, list, f, path, side, classification, res, &side_tmp, err);
    free(owned);
    if (rc == FW_OK)
        rc = record_and_rename(ws, f, tmp, path, side_tmp, side, csv ? "csv" : "xlsx", res, err);
    if (rc) {
        unlink(tmp);
        if (side_tmp)
            unlink(side_tmp);
    }
    free(tmp);
    free(side_tmp);
    free(side);
    return rc;
}

int fw_export_workbook(fw_ws *ws, const fw_hit_filter *f, const char *path,
                       const fw_export_opts *o, fw_export_result *res, fw_err *err)
{
    return export_file(ws, FW_LIST_LEADS, f, path, o, res, err);
}

int fw_export_list(fw_ws *ws, enum fw_export_list list, const fw_hit_filter *f, const char *path,
                   const fw_export_opts *o, fw_export_result *res, fw_err *err)
{
    return export_file(ws, list, f, path, o, res, err);
}

int fw_export_case(fw_ws *ws, const char *case_ref, const char *path, const fw_export_opts *o,
                   fw_export_result *res, fw_err *err)
{
    const char *cases[] = {case_ref};
    fw_hit_filter f = {.cases = cases, .ncases = 1};
    return export_file(ws, FW_LIST_LEADS, &f, path, o, res, err);
}
