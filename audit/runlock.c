/* runlock.c: run liveness locks and marking abandoned runs (see runlock.h). */
#include "audit/runlock.h"
#include "audit/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/store/store.h"
#include "audit/trail.h"

/* WORKSPACE-runs, or NULL for a workspace that is not a file. */
static char *lock_path(const fw_ws *ws)
{
    /* A workspace that is no file (PostgreSQL) has no folder for a lock file: its runs are not
     * locked, and not marked abandoned, until the server gives a lock of its own (issue 11). */
    if (!ws->path || !*ws->path || strcmp(ws->path, ":memory:") == 0 || !fw_db_has(ws->store, FW_DBCAP_FILE))
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
        fw_fail(err, FW_EWORKSPACE, _("%s: cannot lock run %lld: %s; the folder of the workspace must be writable"),
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
    fw_stmt *st;
    if (fw_db_prepare(ws->store, "SELECT id FROM runs WHERE status = 'running' ORDER BY id", &st, err))
        return -1;
    int step;
    while ((step = fw_stmt_step(st, err)) == 1) {
        long long id = fw_stmt_int64(st, 0);
        if (run_alive(fd, id))
            continue;
        *ids = fw_realloc(*ids, (size_t)(n + 1) * sizeof **ids);
        (*ids)[n++] = id;
    }
    fw_stmt_finalize(st);
    if (step < 0) {
        free(*ids);
        *ids = NULL;
        return -1;
    }
    return n;
}

static int mark_one(fw_ws *ws, long long id, const char *now, int *marked, fw_err *err)
{
    fw_stmt *st;
    if (fw_db_prepare(ws->store,
                      "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ? AND status = 'running'", &st,
                      err))
        return err->code;
    fw_stmt_bind_text(st, 1, now, -1);
    fw_stmt_bind_int64(st, 2, id);
    int rc = fw_stmt_step(st, err);
    long long changed = rc < 0 ? 0 : fw_stmt_changes(st);
    fw_stmt_finalize(st);
    if (rc < 0) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fw_fail(err, FW_EWORKSPACE, _("marking run %lld interrupted: %s"), id, why);
    }
    if (!changed)
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
    fw_err count_err = {0};
    long long running = 0;
    if (fw_db_query_int(ws->store, "SELECT count(*) FROM runs WHERE status = 'running'", &running, &count_err) ||
        !running)
        return FW_OK;
    int fd = open_lock_file(ws);
    if (fd < 0)
        return FW_OK;
    long long *ids;
    int e = FW_OK, n = dead_runs(ws, fd, &ids, err);
    /* Another fundwatch may be writing for minutes (a rule's hits): do not wait for it, the next
     * start will mark them. */
    fw_err ignored = {0};
    fw_db_set_lock_wait(ws->store, 0, &ignored);
    bool busy = n > 0 && fw_ws_begin(ws, err) != FW_OK;
    fw_db_set_lock_wait(ws->store, FW_DB_LOCK_WAIT_AT_OPEN, &ignored);
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
