/* lines.h: cursor, scrolling and text search over a list of lines held in memory, shared by the
 * screens whose content is small (overview, person, lookup, rules, help). The hit list pages from
 * the workspace instead (view_hits.c). */
#ifndef FW_TUI_LINES_H
#define FW_TUI_LINES_H

#include <stdbool.h>

#include "tui/tui.h"

typedef struct fw_lines {
    int n;        /* number of lines */
    int cursor;   /* selected line */
    int top;      /* first line shown */
    int hoff;     /* columns scrolled to the left (h/l), for lines wider than the window */
    char search[128];
} fw_lines;

/* Moves for a movement action (down, up, pages, top, bottom) given the visible height; true when
 * the action was a movement. */
bool fw_lines_move(fw_lines *l, enum fw_action a, int height);
/* Scrolls sideways for ACT_SCROLL_LEFT/RIGHT, by a few columns, while part of the widest line
 * (content_width columns) is still hidden at that side; true when a was one of them. */
bool fw_lines_hscroll(fw_tui *t, fw_lines *l, enum fw_action a, int screen_width, int content_width);
/* The widest of the lines text(0..n-1), in display columns. */
int fw_lines_widest(const fw_lines *l, const char *(*text)(int i, void *ctx), void *ctx);
/* A click on the row-th line shown (0 = the first line under the view's titles): selects it.
 * False when no line is there. */
bool fw_lines_click(fw_lines *l, int row);
/* Keeps the cursor inside the visible window of `height` lines. */
void fw_lines_scroll(fw_lines *l, int height);
/* Moves the cursor to the next (dir 1) or previous (-1) line whose text contains l->search,
 * starting after (or at, when `here`) the cursor. text(i, ctx) returns line i's searchable text.
 * False when nothing matches. */
bool fw_lines_find(fw_lines *l, int dir, bool here, const char *(*text)(int i, void *ctx), void *ctx);

/* The search keys of a line screen: `/` opens the search prompt, n and N move to the next and
 * previous match (saying so when there is none). True when a was one of them. */
bool fw_lines_search_key(fw_tui *t, fw_lines *l, enum fw_action a, int height,
                         const char *(*text)(int i, void *ctx), void *ctx);
/* Applies what was typed at the search prompt: moves to the first match at or after the cursor. */
void fw_lines_search_text(fw_tui *t, fw_lines *l, const char *typed, int height,
                          const char *(*text)(int i, void *ctx), void *ctx);

/* Breaks text into lines of at most width display columns (at a space when one is near, else
 * anywhere: Chinese has no spaces; a newline always breaks). *out gets the lines (caller frees
 * each and the array); returns how many. */
int fw_text_wrap(const char *text, int width, char ***out);

#endif
