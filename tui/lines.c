/* lines.c: cursor and search over in-memory lines (see lines.h). */
#include "tui/lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/i18n.h"

bool fw_lines_move(fw_lines *l, enum fw_action a, int height)
{
    int page = height > 1 ? height - 1 : 1, half = height > 1 ? height / 2 : 1;
    switch (a) {
    case ACT_HALF_DOWN: l->cursor += half; l->top += half; break;
    case ACT_HALF_UP: l->cursor -= half; l->top -= half; break;
    case ACT_DOWN: l->cursor++; break;
    case ACT_UP: l->cursor--; break;
    case ACT_PAGE_DOWN: l->cursor += page; l->top += page; break;
    case ACT_PAGE_UP: l->cursor -= page; l->top -= page; break;
    case ACT_TOP: l->cursor = 0; break;
    case ACT_BOTTOM: l->cursor = l->n - 1; break;
    default: return false;
    }
    fw_lines_scroll(l, height);
    return true;
}

enum { HSCROLL_STEP = 10 };

bool fw_lines_hscroll(fw_tui *t, fw_lines *l, enum fw_action a, int screen_width, int content_width)
{
    if (a != ACT_SCROLL_LEFT && a != ACT_SCROLL_RIGHT)
        return false;
    int max = content_width - screen_width;
    if (a == ACT_SCROLL_RIGHT && l->hoff < max)
        l->hoff = l->hoff + HSCROLL_STEP < max ? l->hoff + HSCROLL_STEP : max;
    else if (a == ACT_SCROLL_LEFT && l->hoff > 0)
        l->hoff = l->hoff > HSCROLL_STEP ? l->hoff - HSCROLL_STEP : 0;
    else
        fw_tui_message(t, "%s", a == ACT_SCROLL_RIGHT ? _("Nothing more to the right.") : _("Already at the left edge."));
    return true;
}

int fw_lines_widest(const fw_lines *l, const char *(*text)(int i, void *ctx), void *ctx)
{
    int widest = 0;
    for (int i = 0; i < l->n; i++) {
        const char *s = text(i, ctx);
        int w = s ? fw_utf8_width(s) : 0;
        if (w > widest)
            widest = w;
    }
    return widest;
}

bool fw_lines_click(fw_lines *l, int row)
{
    if (row < 0 || l->top + row >= l->n)
        return false;
    l->cursor = l->top + row;
    return true;
}

void fw_lines_scroll(fw_lines *l, int height)
{
    if (l->cursor >= l->n)
        l->cursor = l->n - 1;
    if (l->cursor < 0)
        l->cursor = 0;
    if (height < 1)
        height = 1;
    if (l->top > l->n - height)
        l->top = l->n - height;
    if (l->top < 0)
        l->top = 0;
    if (l->cursor < l->top)
        l->top = l->cursor;
    if (l->cursor >= l->top + height)
        l->top = l->cursor - height + 1;
}

bool fw_lines_find(fw_lines *l, int dir, bool here, const char *(*text)(int i, void *ctx), void *ctx)
{
    if (!l->search[0] || l->n == 0)
        return false;
    for (int k = here ? 0 : 1; k <= l->n; k++) {
        int i = ((l->cursor + dir * k) % l->n + l->n) % l->n;
        const char *s = text(i, ctx);
        if (s && strstr(s, l->search)) {
            l->cursor = i;
            return true;
        }
    }
    return false;
}

bool fw_lines_search_key(fw_tui *t, fw_lines *l, enum fw_action a, int height,
                         const char *(*text)(int i, void *ctx), void *ctx)
{
    if (a == ACT_SEARCH) {
        fw_tui_prompt(t, P_SEARCH, "/", l->search);
        return true;
    }
    if (a != ACT_SEARCH_NEXT && a != ACT_SEARCH_PREV)
        return false;
    if (!fw_lines_find(l, a == ACT_SEARCH_NEXT ? 1 : -1, false, text, ctx))
        fw_tui_message(t, _("Not found: %s"), l->search);
    fw_lines_scroll(l, height);
    return true;
}

void fw_lines_search_text(fw_tui *t, fw_lines *l, const char *typed, int height,
                          const char *(*text)(int i, void *ctx), void *ctx)
{
    if (!typed)
        return;
    snprintf(l->search, sizeof l->search, "%s", typed);
    if (*typed && !fw_lines_find(l, 1, true, text, ctx))
        fw_tui_message(t, _("Not found: %s"), typed);
    fw_lines_scroll(l, height);
}

/* The display width of the UTF-8 character at s; its length in bytes in *len. */
static int char_width_at(const char *s, int *len)
{
    char one[8];
    int n = 1;
    while (n < 4 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    memcpy(one, s, (size_t)n);
    one[n] = '\0';
    *len = n;
    return fw_utf8_width(one);
}

int fw_text_wrap(const char *text, int width, char ***out)
{
    int n = 0;
    *out = NULL;
    if (width < 2)
        width = 2;
    const char *p = text;
    while (*p) {
        const char *start = p, *space = NULL;
        int cols = 0;
        while (*p && *p != '\n') {
            int len, cw = char_width_at(p, &len);
            if (cols + cw > width)
                break;
            if (*p == ' ')
                space = p;
            cols += cw;
            p += len;
        }
        const char *end = p;
        if (*p && *p != '\n' && space && space > start && (space - start) * 3 > (p - start) * 2)
            end = p = space; /* break at the space, unless it is early in the line */
        *out = fw_realloc(*out, (size_t)(n + 1) * sizeof **out);
        (*out)[n++] = fw_printf("%.*s", (int)(end - start), start);
        if (*p == ' ' || *p == '\n')
            p++;
    }
    return n;
}
