/* ruledialect.c: rewrites a rule's SQLite query into PostgreSQL's spelling (see ruledialect.h).
 *
 * The text is cut into tokens the way both lexers do (quotes, comments, words, punctuation); only
 * whole tokens are replaced, so nothing inside a string literal or a comment is ever touched.
 * Each rewrite keeps the query's meaning on PostgreSQL:
 *   CROSS JOIN t ON c        -> JOIN t ON c           (SQLite: a join-order hint, PostgreSQL: an error)
 *   JOIN t (no ON/USING)     -> CROSS JOIN t          (SQLite: a cross join, PostgreSQL: an error)
 *   +x (unary, an index hint)-> x                     (PostgreSQL has no unary + for text)
 *   a IS b, a IS NOT b       -> a IS [NOT] DISTINCT FROM b   (SQLite's null-safe comparison)
 *   x IN t (a table or CTE)  -> x IN (SELECT * FROM t)
 *   CAST(x AS INTEGER/REAL)  -> BIGINT / DOUBLE PRECISION   (SQLite's INTEGER is 64-bit, REAL double)
 *   GROUP BY ..., a.rid      -> GROUP BY ..., a.rid, a.c1, a.c2 ...
 *     SQLite lets a query grouped by a row's id (the dataset views' rid) read that row's other
 *     columns bare; PostgreSQL sees no such dependency through a view and wants them grouped.
 *     Every column of a that the SELECT names is added: each is one value per rid, so the groups
 *     are the same. */
#include "audit/ruledialect.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/util.h"

enum tok_kind { T_SPACE, T_WORD, T_QUOTED, T_STRING, T_PARAM, T_PUNCT };

typedef struct tok {
    enum tok_kind kind;
    int start, len;
    int depth; /* parentheses open before it */
} tok;

typedef struct toks {
    tok *v;
    int n, cap;
} toks;

static bool word_byte(unsigned char c)
{
    return c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void push(toks *t, enum tok_kind kind, int start, int len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->v = fw_realloc(t->v, (size_t)t->cap * sizeof *t->v);
    }
    t->v[t->n++] = (tok){kind, start, len, 0};
}

/* The end of a quoted run starting at i (the quote doubled inside it). */
static int quoted_end(const char *s, int i, char q)
{
    for (i++; s[i]; i++)
        if (s[i] == q) {
            if (s[i + 1] != q)
                return i + 1;
            i++;
        }
    return i;
}

static void lex(const char *s, toks *t)
{
    int i = 0;
    while (s[i]) {
        int st = i;
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')
                i++;
            push(t, T_SPACE, st, i - st);
        } else if (c == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n')
                i++;
            push(t, T_SPACE, st, i - st);
        } else if (c == '/' && s[i + 1] == '*') {
            const char *e = strstr(s + i + 2, "*/");
            i = e ? (int)(e - s) + 2 : (int)strlen(s);
            push(t, T_SPACE, st, i - st);
        } else if (c == '\'') {
            i = quoted_end(s, i, '\'');
            push(t, T_STRING, st, i - st);
        } else if (c == '"' || c == '`') {
            i = quoted_end(s, i, (char)c);
            push(t, T_QUOTED, st, i - st);
        } else if ((c == ':' || c == '@' || c == '$') && word_byte((unsigned char)s[i + 1]) && s[i + 1] != '_' &&
                   !(i > 0 && s[i - 1] == ':')) {
            for (i++; word_byte((unsigned char)s[i]); i++)
                ;
            push(t, T_PARAM, st, i - st);
        } else if (word_byte(c)) {
            while (word_byte((unsigned char)s[i]))
                i++;
            push(t, T_WORD, st, i - st);
        } else {
            i++;
            push(t, T_PUNCT, st, 1);
        }
    }
    int depth = 0; /* a parenthesis is at the depth outside it */
    for (int k = 0; k < t->n; k++) {
        bool punct = t->v[k].kind == T_PUNCT;
        if (punct && s[t->v[k].start] == ')')
            depth--;
        t->v[k].depth = depth;
        if (punct && s[t->v[k].start] == '(')
            depth++;
    }
}

typedef struct out {
    fw_buf b;
    int *map;
    size_t cap;
} out;

static void emit(out *o, const char *s, int len, int from, bool copied)
{
    if (o->cap < o->b.len + (size_t)len + 1) {
        o->cap = (o->b.len + (size_t)len + 1) * 2;
        o->map = fw_realloc(o->map, o->cap * sizeof *o->map);
    }
    for (int k = 0; k < len; k++)
        o->map[o->b.len + (size_t)k] = copied ? from + k : from;
    fw_buf_add(&o->b, s, (size_t)len);
}

typedef struct rw {
    const char *s;
    toks t;
} rw;

static bool is_word(const rw *r, int i, const char *w)
{
    return i >= 0 && i < r->t.n && r->t.v[i].kind == T_WORD && (int)strlen(w) == r->t.v[i].len &&
           strncasecmp(r->s + r->t.v[i].start, w, (size_t)r->t.v[i].len) == 0;
}

static bool is_punct(const rw *r, int i, char c)
{
    return i >= 0 && i < r->t.n && r->t.v[i].kind == T_PUNCT && r->s[r->t.v[i].start] == c;
}

static bool word_in(const rw *r, int i, const char *const *list)
{
    for (; *list; list++)
        if (is_word(r, i, *list))
            return true;
    return false;
}

/* The next / previous token that is not blank or a comment; t.n or -1 when there is none. */
static int next_sig(const rw *r, int i)
{
    for (i++; i < r->t.n && r->t.v[i].kind == T_SPACE; i++)
        ;
    return i;
}

static int prev_sig(const rw *r, int i)
{
    for (i--; i >= 0 && r->t.v[i].kind == T_SPACE; i--)
        ;
    return i;
}

/* Words after which an expression begins (so a + there is unary), and words that end a table
 * reference (so they are not its alias). */
static const char *const expr_starters[] = {
    "SELECT", "WHERE", "AND", "OR", "NOT", "ON", "BY", "IN", "IS", "WHEN", "THEN", "ELSE", "CASE", "HAVING",
    "FROM", "AS", "BETWEEN", "LIKE", "GLOB", "DISTINCT", "ALL", "SET", "VALUES", "USING", "RETURN", "ESCAPE",
    "PARTITION", NULL};
static const char *const clause_words[] = {
    "ON", "USING", "WHERE", "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "CROSS", "NATURAL", "OUTER", "GROUP",
    "ORDER", "HAVING", "LIMIT", "WINDOW", "UNION", "EXCEPT", "INTERSECT", NULL};

/* The token after a balanced (...) starting at i. */
static int skip_parens(const rw *r, int i)
{
    int depth = 0;
    for (; i < r->t.n; i++) {
        if (is_punct(r, i, '('))
            depth++;
        else if (is_punct(r, i, ')') && --depth == 0)
            return i + 1;
    }
    return i;
}

/* Whether the table reference after the JOIN at token j has an ON or USING condition. */
static bool join_has_condition(const rw *r, int j)
{
    int i = next_sig(r, j);
    if (is_punct(r, i, '('))
        i = skip_parens(r, i);
    else {
        i++;
        while (is_punct(r, next_sig(r, i - 1), '.'))
            i = next_sig(r, next_sig(r, i - 1)) + 1;
    }
    i = next_sig(r, i - 1);
    if (is_word(r, i, "AS"))
        i = next_sig(r, i);
    if ((r->t.v[i < r->t.n ? i : 0].kind == T_WORD && i < r->t.n && !word_in(r, i, clause_words)) ||
        (i < r->t.n && r->t.v[i].kind == T_QUOTED))
        i = next_sig(r, i);
    return is_word(r, i, "ON") || is_word(r, i, "USING");
}

/* Whether token i ends an operand (so a + after it is binary). */
static bool ends_operand(const rw *r, int i)
{
    if (i < 0)
        return false;
    const tok *k = &r->t.v[i];
    if (k->kind == T_PUNCT)
        return r->s[k->start] == ')';
    if (k->kind == T_WORD)
        return !word_in(r, i, expr_starters);
    return true;
}

static void emit_tok(out *o, const rw *r, int i)
{
    emit(o, r->s + r->t.v[i].start, r->t.v[i].len, r->t.v[i].start, true);
}

static void emit_text(out *o, const rw *r, int i, const char *text)
{
    emit(o, text, (int)strlen(text), r->t.v[i].start, false);
}

static bool same_tok(const rw *r, int a, int b)
{
    return r->t.v[a].len == r->t.v[b].len &&
           strncasecmp(r->s + r->t.v[a].start, r->s + r->t.v[b].start, (size_t)r->t.v[a].len) == 0;
}

/* Whether token i is the rid of "a.rid" in a GROUP BY list; *alias gets a's token. */
static bool grouped_rid(const rw *r, int i, int *alias)
{
    int dot = prev_sig(r, i), a = prev_sig(r, dot);
    if (!is_word(r, i, "rid") || !is_punct(r, dot, '.') || a < 0 || r->t.v[a].kind != T_WORD)
        return false;
    int k = prev_sig(r, a);
    while (k >= 0 && r->t.v[k].depth >= r->t.v[a].depth && !is_word(r, k, "BY")) {
        if (r->t.v[k].depth == r->t.v[a].depth && r->t.v[k].kind == T_WORD &&
            word_in(r, k, (const char *const[]){"SELECT", "FROM", "WHERE", "HAVING", "ON", NULL}))
            return false;
        k = prev_sig(r, k);
    }
    if (!is_word(r, k, "BY") || !is_word(r, prev_sig(r, k), "GROUP"))
        return false;
    *alias = a;
    return true;
}

/* After "a.rid" of a GROUP BY: ", a.c" for every other column of a its SELECT names. */
static void group_by_rid_columns(out *o, const rw *r, int rid, int a)
{
    int depth = r->t.v[a].depth, sel = a;
    while (sel >= 0 && !(r->t.v[sel].depth == depth && is_word(r, sel, "SELECT")))
        sel--;
    for (int k = sel + 1; k < a; k++) {
        int dot = next_sig(r, k), col = next_sig(r, dot);
        if (r->t.v[k].kind != T_WORD || !same_tok(r, k, a) || !is_punct(r, dot, '.') || col >= r->t.n ||
            r->t.v[col].kind != T_WORD || is_word(r, col, "rid") || is_punct(r, prev_sig(r, k), '.'))
            continue;
        bool seen = false;
        for (int j = sel + 1; j < k && !seen; j++) {
            int d2 = next_sig(r, j), c2 = next_sig(r, d2);
            seen = r->t.v[j].kind == T_WORD && same_tok(r, j, a) && is_punct(r, d2, '.') && c2 < r->t.n &&
                   same_tok(r, c2, col);
        }
        if (seen)
            continue;
        emit_text(o, r, rid, ", ");
        emit(o, r->s + r->t.v[a].start, r->t.v[a].len, r->t.v[rid].start, false);
        emit_text(o, r, rid, ".");
        emit(o, r->s + r->t.v[col].start, r->t.v[col].len, r->t.v[rid].start, false);
    }
}

/* Rewrites token i (see the list at the top); returns the index of the last token consumed. */
static int rewrite_tok(out *o, const rw *r, int i)
{
    const tok *k = &r->t.v[i];
    if (is_word(r, i, "CROSS") && is_word(r, next_sig(r, i), "JOIN") && join_has_condition(r, next_sig(r, i)))
        return next_sig(r, i) - 1; /* drop CROSS and the blank after it: the JOIN is copied next */
    if (is_word(r, i, "JOIN") && !word_in(r, prev_sig(r, i), (const char *const[]){"LEFT", "RIGHT", "FULL", "OUTER",
                                                                                     "CROSS", "NATURAL", "INNER", NULL}) &&
        !join_has_condition(r, i)) {
        emit_text(o, r, i, "CROSS JOIN");
        return i;
    }
    if (k->kind == T_PUNCT && r->s[k->start] == '+' && !ends_operand(r, prev_sig(r, i)))
        return i;
    if (is_word(r, i, "IS")) {
        static const char *const plain[] = {"NULL", "TRUE", "FALSE", "DISTINCT", "UNKNOWN", NULL};
        int n = next_sig(r, i);
        bool negated = is_word(r, n, "NOT");
        if (!word_in(r, negated ? next_sig(r, n) : n, plain)) {
            emit_text(o, r, i, negated ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM");
            return negated ? n : i;
        }
    }
    if (is_word(r, i, "IN")) {
        int n = next_sig(r, i);
        if (n < r->t.n && (r->t.v[n].kind == T_WORD || r->t.v[n].kind == T_QUOTED) && !word_in(r, n, clause_words)) {
            emit_text(o, r, i, "IN (SELECT * FROM ");
            emit_tok(o, r, n);
            emit_text(o, r, n, ")");
            return n;
        }
    }
    if (is_word(r, prev_sig(r, i), "AS") && is_punct(r, next_sig(r, i), ')')) {
        if (is_word(r, i, "INTEGER") || is_word(r, i, "INT")) {
            emit_text(o, r, i, "BIGINT");
            return i;
        }
        if (is_word(r, i, "REAL")) {
            emit_text(o, r, i, "DOUBLE PRECISION");
            return i;
        }
    }
    int alias;
    if (grouped_rid(r, i, &alias)) {
        emit_tok(o, r, i);
        group_by_rid_columns(o, r, i, alias);
        return i;
    }
    emit_tok(o, r, i);
    return i;
}

char *fw_rule_sql_postgres(const char *sql, int **map)
{
    rw r = {.s = sql};
    lex(sql, &r.t);
    out o = {0};
    emit(&o, "", 0, 0, false);
    for (int i = 0; i < r.t.n; i++)
        i = rewrite_tok(&o, &r, i);
    emit(&o, "", 0, 0, false);
    o.map[o.b.len] = (int)strlen(sql);
    free(r.t.v);
    char *text = fw_buf_steal(&o.b);
    if (map)
        *map = o.map;
    else
        free(o.map);
    return text;
}
