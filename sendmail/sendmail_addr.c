/* SPDX-License-Identifier: MIT
 * sendmail_addr - RFC 5322 address lists into addr-specs: a tokenizer
 * (atoms, quoted strings, domain literals, specials; comments and white
 * space dropped) and a parser over the tokens. See sendmail_addr.h.
 *
 * Trusts: nothing in the input. Limits: the token array grows with the
 * input, which the caller bounds (header_size_limit); each address at most
 * SENDMAIL_ADDR_MAX bytes. No recursion: groups cannot nest.
 */
#include "sendmail_addr.h"

#include <stdbool.h>
#include <string.h>

#include "util/alloc.h"
#include "util/err.h"

enum tok_kind {
    TOK_ATOM,
    TOK_QSTR,
    TOK_DLIT,
    TOK_SPECIAL,
};

struct tok {
    enum tok_kind kind;
    const char *p;
    size_t len;
};

struct toks {
    struct tok *v;
    size_t n, cap;
};

/* is_special - RFC 5322 specials that stand alone as tokens */
static bool is_special(unsigned char c)
{
    return c != '\0' && strchr("<>:;@,.", c) != NULL;
}

/* is_atom_byte - a byte that may be part of an atom (8-bit bytes too:
 * raw UTF-8 in display names is common; smtp_addr refuses it in addresses) */
static bool is_atom_byte(unsigned char c)
{
    return c > 0x20 && c != 0x7f && strchr("()<>[]:;@\\,.\"", c) == NULL;
}

/* push - append one token */
static void push(struct toks *t, enum tok_kind kind, const char *p, size_t len)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
    }
    t->v[t->n++] = (struct tok){ kind, p, len };
}

/* skip_comment - s[*i] is '('; move past the matching ')' */
static int skip_comment(const char *s, size_t len, size_t *i, const char **error_r)
{
    size_t depth = 0, start = *i;

    for (; *i < len; (*i)++) {
        if (s[*i] == '\\') {
            (*i)++;
        } else if (s[*i] == '(') {
            depth++;
        } else if (s[*i] == ')' && --depth == 0) {
            (*i)++;
            return 0;
        }
    }
    return errf(error_r, "unterminated comment at offset %zu", start);
}

/* scan_quoted - s[*i] is open; find close (skipping quoted pairs); the token
 * includes both delimiters */
static int scan_quoted(const char *s, size_t len, size_t *i, char close, const char **error_r)
{
    size_t start = *i;

    for ((*i)++; *i < len; (*i)++) {
        if (s[*i] == '\\' && close == '"')
            (*i)++;
        else if (s[*i] == close) {
            (*i)++;
            return 0;
        }
    }
    return errf(error_r, "unterminated %s at offset %zu", close == '"' ? "quoted string" : "domain literal",
                start);
}

/* tokenize - split s into tokens */
static int tokenize(const char *s, size_t len, struct toks *t, const char **error_r)
{
    size_t i = 0, start;
    unsigned char c;

    while (i < len) {
        c = (unsigned char)s[i];
        start = i;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
        } else if (c == '(') {
            if (skip_comment(s, len, &i, error_r) < 0)
                return -1;
        } else if (c == '"' || c == '[') {
            if (scan_quoted(s, len, &i, c == '"' ? '"' : ']', error_r) < 0)
                return -1;
            push(t, c == '"' ? TOK_QSTR : TOK_DLIT, s + start, i - start);
        } else if (is_special(c)) {
            push(t, TOK_SPECIAL, s + i, 1);
            i++;
        } else if (is_atom_byte(c)) {
            while (i < len && is_atom_byte((unsigned char)s[i]))
                i++;
            push(t, TOK_ATOM, s + start, i - start);
        } else if (c < 0x20 || c == 0x7f) {
            return errf(error_r, "control character 0x%02x at offset %zu", c, i);
        } else {
            return errf(error_r, "unexpected \"%c\" at offset %zu", c, i);
        }
    }
    return 0;
}

/* is_sp - is token k the special c? */
static bool is_sp(const struct toks *t, size_t k, char c)
{
    return k < t->n && t->v[k].kind == TOK_SPECIAL && t->v[k].p[0] == c;
}

/* emit - join tokens [from, to) into an address, check that words are
 * separated by specials, and pass it on. route: ',' and ':' allowed (a
 * source route inside "<>"). */
static int emit(const struct toks *t, size_t from, size_t to, bool route, sendmail_addr_fn *fn, void *ctx,
                const char **error_r)
{
    char addr[SENDMAIL_ADDR_MAX + 1];
    size_t len = 0, k;
    bool prev_word = false;

    for (k = from; k < to; k++) {
        const struct tok *x = &t->v[k];
        bool word = x->kind != TOK_SPECIAL;

        if (word && prev_word)
            return errf(error_r, "words without \".\" or \"@\" between them in an address (missing \"<>\"?)");
        if (!word && x->p[0] != '.' && x->p[0] != '@' && !(route && (x->p[0] == ',' || x->p[0] == ':')))
            return errf(error_r, "unexpected \"%c\" in an address", x->p[0]);
        if (x->len > SENDMAIL_ADDR_MAX - len)
            return errf(error_r, "address longer than %d bytes", SENDMAIL_ADDR_MAX);
        memcpy(addr + len, x->p, x->len);
        len += x->len;
        prev_word = word;
    }
    addr[len] = '\0';
    if (len == 0)
        return errf(error_r, "empty address");
    return fn(ctx, addr, len, error_r);
}

/* parse_mailbox - one address starting at *k; groups only when allow_group */
static int parse_mailbox(const struct toks *t, size_t *k, bool allow_group, sendmail_addr_fn *fn, void *ctx,
                         const char **error_r)
{
    size_t j = *k, close;

    while (j < t->n && !is_sp(t, j, '<') && !is_sp(t, j, ':') && !is_sp(t, j, ',') && !is_sp(t, j, ';')
           && !is_sp(t, j, '>'))
        j++;
    if (is_sp(t, j, '<')) {
        for (close = j + 1; close < t->n && !is_sp(t, close, '>'); close++) {
            if (is_sp(t, close, '<') || is_sp(t, close, ';'))
                return errf(error_r, "unexpected \"%c\" inside \"<>\"", t->v[close].p[0]);
        }
        if (close == t->n)
            return errf(error_r, "\"<\" without \">\"");
        if (close == j + 1)
            return errf(error_r, "empty address \"<>\"");
        if (emit(t, j + 1, close, true, fn, ctx, error_r) < 0)
            return -1;
        *k = close + 1;
        return 0;
    }
    if (is_sp(t, j, ':')) {
        if (!allow_group)
            return errf(error_r, "a group inside a group");
        if (j == *k)
            return errf(error_r, "a group without a name");
        return -2; /* the caller handles the group */
    }
    if (is_sp(t, j, '>'))
        return errf(error_r, "\">\" without \"<\"");
    if (emit(t, *k, j, false, fn, ctx, error_r) < 0)
        return -1;
    *k = j;
    return 0;
}

/* parse_group - "name: [mailbox, ...];" with *k at the group's name */
static int parse_group(const struct toks *t, size_t *k, sendmail_addr_fn *fn, void *ctx, const char **error_r)
{
    while (!is_sp(t, *k, ':'))
        (*k)++;
    for ((*k)++; *k < t->n;) {
        if (is_sp(t, *k, ';')) {
            (*k)++;
            return 0;
        }
        if (is_sp(t, *k, ',')) {
            (*k)++;
            continue;
        }
        if (parse_mailbox(t, k, false, fn, ctx, error_r) < 0)
            return -1;
        if (*k < t->n && !is_sp(t, *k, ',') && !is_sp(t, *k, ';'))
            return errf(error_r, "expected \",\" or \";\" after an address in a group");
    }
    return errf(error_r, "a group without its closing \";\"");
}

/* sendmail_addr_list_parse - see sendmail_addr.h */
int sendmail_addr_list_parse(const char *s, size_t len, sendmail_addr_fn *fn, void *ctx, const char **error_r)
{
    struct toks t = { 0 };
    size_t k = 0;
    int rc = 0;

    if (tokenize(s, len, &t, error_r) < 0) {
        xfree(t.v);
        return -1;
    }
    while (k < t.n && rc == 0) {
        if (is_sp(&t, k, ',')) {
            k++;
            continue;
        }
        rc = parse_mailbox(&t, &k, true, fn, ctx, error_r);
        if (rc == -2)
            rc = parse_group(&t, &k, fn, ctx, error_r);
        if (rc == 0 && k < t.n && !is_sp(&t, k, ','))
            rc = errf(error_r, "expected \",\" after an address, found \"%.*s\"", (int)t.v[k].len, t.v[k].p);
    }
    xfree(t.v);
    return rc < 0 ? -1 : 0;
}
