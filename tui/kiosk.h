/* kiosk.h: the citizen kiosk's screen (`fundwatch kiosk`, docs/kiosk.md): its own full-screen
 * program, apart from the inspectors' TUI, with no way out for the person in front of it. */
#ifndef FW_TUI_KIOSK_H
#define FW_TUI_KIOSK_H

#include "audit/store.h"

typedef struct fw_kiosk_opts {
    const char *kiosk; /* this terminal's id: --kiosk, else the hostname */
    int idle_s;        /* the screen clears after this many seconds without a key (60) */
    int rate;          /* lookups a minute (10) */
} fw_kiosk_opts;

/* Runs until SIGTERM or SIGHUP (the keyboard cannot end it). Returns an exit code. *ws may be
 * replaced by a new connection after the server restarted (fw_kiosk_reconnect); the caller closes
 * *ws afterwards. */
int fw_kiosk_run(fw_ws **ws, const fw_kiosk_opts *o);

#endif
