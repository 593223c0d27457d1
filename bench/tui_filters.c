/* tui_filters.c: for bench/tui.sh, the hit list's page times for every single equality filter under
 * every sort, both directions, on a workspace: the first page and two pages down through
 * fw_hits_page (what the TUI calls), printing the worst of the three in ms per cell. Usage:
 * tui_filters WORKSPACE [FILTER...] (default: a rule, a category, both ends of severity, two
 * statuses, a township and two programs of bench/tui_fixture.sql). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/browse.h"

enum { PAGE = 37, PAGES = 3 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The worst page time of PAGES pages forward; -1 on error (message printed). */
static double worst_page(fw_ws *ws, const fw_hit_filter *f, enum fw_hit_sort sort, bool desc)
{
    fw_hit_row rows[PAGE], anchor = {0};
    bool have_anchor = false;
    double worst = 0;
    for (int p = 0; p < PAGES; p++) {
        fw_err err = {0};
        int got = 0;
        double t0 = now_ms();
        if (fw_hits_page(ws, f, sort, desc, have_anchor ? &anchor : NULL, false, PAGE, rows, &got, &err)) {
            fprintf(stderr, "tui_filters: %s\n", err.msg);
            worst = -1;
            break;
        }
        double ms = now_ms() - t0;
        worst = ms > worst ? ms : worst;
        if (got == 0)
            break;
        fw_hit_row_clear(&anchor);
        anchor = rows[got - 1];
        memset(&rows[got - 1], 0, sizeof rows[0]);
        have_anchor = true;
        for (int i = 0; i < got - 1; i++)
            fw_hit_row_clear(&rows[i]);
    }
    fw_hit_row_clear(&anchor);
    return worst;
}

int main(int argc, char **argv)
{
    static const char *const fixture_filters[] = {"rule=R-005", "category=cat5", "severity=high", "severity=low",
                                                  "status=new", "status=confirmed", "township=乡7",
                                                  "program=低保", "program=临时救助"};
    if (argc < 2) {
        fprintf(stderr, "usage: tui_filters WORKSPACE [FILTER...]\n");
        return 2;
    }
    const char *const *filters = argc > 2 ? (const char *const *)argv + 2 : fixture_filters;
    int nfilters = argc > 2 ? argc - 2 : (int)(sizeof fixture_filters / sizeof fixture_filters[0]);
    fw_ws *ws;
    fw_err err = {0};
    if (fw_ws_open(argv[1], &ws, &err)) {
        fprintf(stderr, "tui_filters: %s\n", err.msg);
        return 1;
    }
    printf("%-20s", "filter \\ sort +/-");
    for (int s = 0; s < FW_SORT_COUNT_; s++)
        printf(" %13s", fw_hit_sort_name((enum fw_hit_sort)s));
    printf("\n");
    double worst = 0;
    int rc = 0;
    for (int i = 0; i < nfilters && !rc; i++) {
        fw_hit_filter f;
        fw_hit_filter_init(&f);
        if (fw_hit_filter_parse(&f, filters[i], &err)) {
            fprintf(stderr, "tui_filters: %s\n", err.msg);
            rc = 2;
            break;
        }
        printf("%-20s", filters[i]);
        for (int s = 0; s < FW_SORT_COUNT_ && !rc; s++) {
            double up = worst_page(ws, &f, (enum fw_hit_sort)s, false);
            double down = worst_page(ws, &f, (enum fw_hit_sort)s, true);
            if (up < 0 || down < 0)
                rc = 1;
            printf(" %6.0f/%-6.0f", up, down);
            worst = up > worst ? up : worst;
            worst = down > worst ? down : worst;
        }
        printf("\n");
        fw_hit_filter_free(&f);
    }
    printf("worst page: %.0f ms\n", worst);
    fw_ws_close(ws);
    return rc;
}
