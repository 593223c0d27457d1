/* runlock.h: telling a run that is still going from one whose process is gone. A run is recorded
 * as 'running' when it starts and gets its final status when it ends; a fundwatch killed by SIGKILL
 * (or a crash, or a power cut) never writes that status, and the run would stay 'running' forever.
 *
 * Why a lock and not a pid: the process that runs holds an open-file-description lock (Linux
 * F_OFD_SETLK) on byte RUN_ID of the file WORKSPACE-runs beside the workspace, from the moment the
 * run is recorded until its final status is committed. The kernel drops the lock when the process
 * dies, however it dies, so "locked" means "a live process is running it" with no pid reuse, pid
 * namespace or clock to go wrong, and a second fundwatch in another process (or another thread of
 * the TUI) is never mistaken for a dead one. OFD locks, unlike POSIX record locks, are not lost when
 * the same process closes another descriptor of the file. */
#ifndef FW_RUNLOCK_H
#define FW_RUNLOCK_H

#include "audit/store.h"

typedef struct fw_runlock {
    int fd; /* -1: none held */
} fw_runlock;

/* Locks run_id for this process. Call it inside the transaction that records the run as
 * 'running', before the commit, so that nobody sees the run without its lock. FW_EWORKSPACE when
 * the lock file cannot be made or locked. A workspace that is not a file needs no lock. */
int fw_runlock_take(fw_ws *ws, long long run_id, fw_runlock *lk, fw_err *err);
/* Call after the run's final status is committed. */
void fw_runlock_release(fw_runlock *lk);

/* Marks every run left 'running' by a process that no longer holds its lock as 'interrupted',
 * with finished_at the time it was found, and records each in the audit trail (action "run",
 * found_at). Runs whose lock is held are left alone. *marked: how many were marked. Costs one
 * query when no run is 'running'; when the lock file cannot be opened nothing is marked (a live
 * run cannot be told from a dead one). */
int fw_runs_mark_abandoned(fw_ws *ws, int *marked, fw_err *err);

#endif
