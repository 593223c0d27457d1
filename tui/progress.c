/* progress.c: the one progress bar of the TUI, shared by the long jobs (import, rule runs,
 * export). It draws `[#####-----] 42% text (Esc cancels)` in the message line through
 * fw_tui_progress_wait, which also repaints the screen and reports an Esc typed meanwhile. Jobs call it
 * from their engine progress callbacks; it repaints at most ten times a second so a fast callback
 * does not spend its time drawing, but always draws the first and the last step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"
#include "tui/tui.h"

enum { BAR_CELLS = 20 };

void fw_progress_begin(fw_progress *p, fw_tui *t, const char *esc_hint)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    p->esc_hint = esc_hint ? esc_hint : _("Esc cancels");
    p->last_draw = -1;
}

/* "[#####---------------]  25%" for done of total; total 0 gives an empty bar. A job that cannot
 * tell how far it is (total < 0) gets a block that moves with the time and no percentage: it shows
 * the job is alive without claiming a fraction. */
static void format_bar(long long done, long long total, char *out, size_t outsz)
{
    if (total < 0) {
        char cells[BAR_CELLS + 1];
        int at = (int)(fw_now_seconds() * 8) % (BAR_CELLS - 3);
        for (int i = 0; i < BAR_CELLS; i++)
            cells[i] = i >= at && i < at + 4 ? '#' : '-';
        cells[BAR_CELLS] = '\0';
        snprintf(out, outsz, "[%s]     ", cells);
        return;
    }
    int pct = total > 0 ? (int)(done * 100 / total) : 0;
    if (pct > 100)
        pct = 100;
    if (pct < 0)
        pct = 0;
    char cells[BAR_CELLS + 1];
    int full = pct * BAR_CELLS / 100;
    for (int i = 0; i < BAR_CELLS; i++)
        cells[i] = i < full ? '#' : '-';
    cells[BAR_CELLS] = '\0';
    snprintf(out, outsz, "[%s] %3d%%", cells, pct);
}

static char *format_line(fw_progress *p, long long done, long long total, const char *text)
{
    char bar[64];
    format_bar(done, total, bar, sizeof bar);
    return fw_printf("%s %s (%s)", bar, text, p->esc_hint);
}

void fw_progress_draw(fw_progress *p, long long done, long long total, const char *text)
{
    char *line = format_line(p, done, total, text);
    fw_tui_message(p->t, "%s", line);
    fw_tui_paint(p->t);
    free(line);
}

bool fw_progress_update(fw_progress *p, long long done, long long total, const char *text)
{
    bool last = total > 0 && done >= total;
    if (p->last_draw >= 0 && fw_now_seconds() - p->last_draw < 0.1 && !last)
        return p->cancelled;
    return fw_progress_wait(p, done, total, text, 0);
}

bool fw_progress_wait(fw_progress *p, long long done, long long total, const char *text, int timeout_ms)
{
    p->last_draw = fw_now_seconds();
    char *line = format_line(p, done, total, text);
    if (fw_tui_progress_wait(p->t, line, timeout_ms))
        p->cancelled = true;
    free(line);
    return p->cancelled;
}
