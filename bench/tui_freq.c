/* tui_freq.c: for bench/tui.sh, the frequency view's counting alone (what the TUI's idle loop calls:
 * fw_freq_step slice after slice, then fw_freq_sort) on every column of a workspace's hit list,
 * printing the ms of the whole counting and of its longest slice (what Esc waits at most), so the
 * query is measured apart from drawing and tmux, in wall and CPU time (this process's: what a loaded
 * machine does not blur). Usage: tui_freq WORKSPACE [RUNS [COLUMN]] (medians printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/browse.h"

enum { SLICE = 100000 };

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One counting of a column: its time and longest slice; -1 on error (message printed). */
static double count_column(fw_ws *ws, enum fw_freq_col col, double *slice_ms, double *cpu_ms, int *values)
{
    fw_hit_filter f;
    fw_hit_filter_init(&f);
    fw_freq fq;
    fw_err err = {0};
    double t0 = now_ms(), c0 = clock_ms(CLOCK_PROCESS_CPUTIME_ID), worst = 0;
    fw_freq_init(ws, &fq, col);
    int rc;
    do {
        double s0 = now_ms();
        rc = fw_freq_step(ws, &f, &fq, SLICE, &err);
        worst = now_ms() - s0 > worst ? now_ms() - s0 : worst;
    } while (rc == 0);
    if (rc < 0) {
        fprintf(stderr, "tui_freq: %s\n", err.msg);
        fw_freq_free(&fq);
        return -1;
    }
    fw_freq_sort(&fq);
    double ms = now_ms() - t0;
    *cpu_ms = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
    *slice_ms = worst;
    *values = fq.n;
    fw_freq_free(&fq);
    return ms;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tui_freq WORKSPACE [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1 || runs > 99)
        runs = 3;
    fw_ws *ws;
    fw_err err = {0};
    if (fw_ws_open(argv[1], &ws, &err)) {
        fprintf(stderr, "tui_freq: %s\n", err.msg);
        return 1;
    }
    int status = 0;
    for (int c = 0; c < FW_FREQ_COUNT_ && !status; c++) {
        if (argc > 3 && strcmp(argv[3], fw_freq_col_name((enum fw_freq_col)c)) != 0)
            continue;
        double ms[99], sl[99], cpu[99];
        int values = 0;
        for (int r = 0; r < runs && !status; r++)
            status = (ms[r] = count_column(ws, (enum fw_freq_col)c, &sl[r], &cpu[r], &values)) < 0;
        if (status)
            break;
        qsort(ms, (size_t)runs, sizeof ms[0], by_value);
        qsort(sl, (size_t)runs, sizeof sl[0], by_value);
        qsort(cpu, (size_t)runs, sizeof cpu[0], by_value);
        printf("  %-10s %8d values  median %7.0f ms (cpu %7.0f ms)   longest slice %5.0f ms\n",
               fw_freq_col_name((enum fw_freq_col)c), values, ms[runs / 2], cpu[runs / 2], sl[runs / 2]);
    }
    fw_ws_close(ws);
    return status;
}
