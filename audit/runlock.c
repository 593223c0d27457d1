/* runlock.c: run liveness locks and marking abandoned runs (see runlock.h). */
#include "audit/runlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/trail.h"

/* WORKSPACE-runs, or NULL for a workspace that is not a file. */
static char *lock_path(const fw_ws *ws)
{
    if (!ws->path || !*ws->path || strcmp(ws->path, ":memory:") == 0)
        return NULL;
    return fw_printf("%s-runs", ws->path);
}

static int open_lock_file(const fw_ws *ws)
{
    char *path = lock_path(ws);
    int fd = path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    free(path);
    return fd;
}

static struct flock run_byte(short type, long long run_id)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl); /* l_pid must be 0 for OFD locks */
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = (off_t)run_id;
    fl.l_len = 1;
    return fl;
}

int fw_runlock_take(fw_ws *ws, long long run_id, fw_runlock *lk, fw_err *err)
{
    lk->fd = -1;
    char *path = lock_path(ws);
    if (!path)
        return FW_OK;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct flock fl = run_byte(F_WRLCK, run_id);
    if (fd < 0 || fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        fw_fail(err, FW_EWORKSPACE, "%s: cannot lock run %lld: %s; the folder of the workspace must be writable",
                path, run_id, strerror(errno));
        if (fd >= 0)
            close(fd);
        free(path);
        return FW_EWORKSPACE;
    }
    free(path);
    lk->fd = fd;
    return FW_OK;
}

void fw_runlock_release(fw_runlock *lk)
{
    if (lk->fd >= 0)
        close(lk->fd); /* closing the description drops its OFD locks */
    lk->fd = -1;
}

/* Whether a live process holds run_id's lock. */
static bool run_alive(int fd, long long run_id)
{
    struct flock fl = run_byte(F_WRLCK, run_id);
    if (fcntl(fd, F_OFD_GETLK, &fl) != 0)
        return true; /* cannot tell: leave it alone */
    return fl.l_type != F_UNLCK;
}

/* The ids of the runs recorded as 'running' whose lock nobody holds. */
static int dead_runs(fw_ws *ws, int fd, long long **ids, fw_err *err)
{
    *ids = NULL;
    int n = 0;
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "SELECT id FROM runs WHERE status = 'running' ORDER BY id", &st, err))
        return -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        if (run_alive(fd, id))
            continue;
        *ids = fw_realloc(*ids, (size_t)(n + 1) * sizeof **ids);
        (*ids)[n++] = id;
    }
    sqlite3_finalize(st);
    return n;
}

static int mark_one(fw_ws *ws, long long id, const char *now, int *marked, fw_err *err)
{
    sqlite3_stmt *st;
    if (fw_ws_prepare(ws, "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'",
                      &st, err))
        return err->code;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return fw_fail(err, FW_EWORKSPACE, "marking run %lld interrupted: %s", id, sqlite3_errmsg(ws->db));
    if (!sqlite3_changes(ws->db))
        return FW_OK; /* it ended meanwhile */
    char object[48], *after = fw_printf(
        "{\"status\": \"interrupted\", \"found_at\": \"%s\", \"reason\": \"the fundwatch that ran it ended "
        "without finishing it (killed or crashed); marked when the workspace was next opened\"}", now);
    snprintf(object, sizeof object, "run:%lld", id);
    int e = fw_trail_append(ws, "run", object, NULL, after, err);
    free(after);
    if (!e)
        (*marked)++;
    return e;
}

int fw_runs_mark_abandoned(fw_ws *ws, int *marked, fw_err *err)
{
    *marked = 0;
    if (!fw_ws_int(ws, "SELECT count(*) FROM runs WHERE status = 'running'"))
        return FW_OK;
    int fd = open_lock_file(ws);
    if (fd < 0)
        return FW_OK;
    long long *ids;
    int e = FW_OK, n = dead_runs(ws, fd, &ids, err);
    /* Another fundwatch may be writing for minutes (a rule's hits): do not wait for it, the next
     * start will mark them. */
    sqlite3_busy_timeout(ws->db, 0);
    bool busy = n > 0 && fw_ws_begin(ws, err) != FW_OK;
    sqlite3_busy_timeout(ws->db, FW_WS_BUSY_TIMEOUT_MS);
    if (busy) {
        fw_err_clear(err);
        n = 0;
    }
    if (n > 0) {
        /* Again under the write lock: a run that ended meanwhile has its status committed before it
         * lets go of its lock, so a run still 'running' here and unlocked is really gone. */
        free(ids);
        n = dead_runs(ws, fd, &ids, err);
        char now[32];
        fw_now_iso(now);
        for (int i = 0; !e && i < n; i++)
            e = mark_one(ws, ids[i], now, marked, err);
        if (n < 0)
            e = err->code;
        if (e) {
            fw_ws_rollback(ws);
            *marked = 0;
        } else
            e = fw_ws_commit(ws, err);
    } else if (n < 0)
        e = err->code;
    free(ids);
    close(fd);
    return e;
}
