/* SPDX-License-Identifier: MIT
 * map_text - the parser of aliases(5) and virtual(5) text tables: physical
 * lines into logical entries (continuations, comments), entries into a
 * canonical key and a normalised value, handed to a callback.
 *
 * Input is an admin's file: untrusted in the sense that any byte sequence
 * gives an entry or a precise "NAME:LINE: ..." error, never a crash (see
 * tests/fuzz/fuzz_map_text.c). Bounds: an entry is at most ENTRY_MAX bytes,
 * a key MAP_KEY_MAX, a value MAP_VALUE_MAX. The parser writes nothing; the
 * building of maps is in map_text_build.c.
 */
#include "map/map_text.h"

#include <stdbool.h>
#include <string.h>

#include "map/map.h"
#include "map/map_key.h"
#include "util/buf.h"
#include "util/err.h"

#define ENTRY_MAX (MAP_KEY_MAX + MAP_VALUE_MAX + 1024)

struct parser {
    const char *name;
    enum map_text_format fmt;
    map_text_entry_fn *fn;
    void *ctx;
    struct buf entry; /* the logical line being collected */
    unsigned int entry_line;
    struct buf value;
};

/* is_blank - space or tab */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* trim - strip blanks from both ends of s[0..*len) and return the start */
static const char *trim(const char *s, size_t *len)
{
    while (*len > 0 && is_blank(*s)) {
        s++;
        (*len)--;
    }
    while (*len > 0 && is_blank(s[*len - 1]))
        (*len)--;
    return s;
}

/* add_item - append one list element to the value, ", "-separated */
static int add_item(struct parser *p, const char *s, size_t len)
{
    s = trim(s, &len);
    if (len == 0)
        return 0;
    if (p->value.len > 0 && buf_append(&p->value, ", ", 2) < 0)
        return -1;
    return buf_append(&p->value, s, len);
}

/* alias_value - normalise "a ,b,, c" to "a, b, c"; commas in quotes stay */
static int alias_value(struct parser *p, const char *s, size_t len, const char **why_r)
{
    size_t i, start = 0;
    bool quoted = false;

    buf_reset(&p->value);
    for (i = 0; i <= len; i++) {
        if (i < len && s[i] == '"')
            quoted = !quoted;
        if (i < len && (quoted || s[i] != ','))
            continue;
        if (add_item(p, s + start, i - start) < 0) {
            *why_r = "value is longer than 65536 bytes";
            return -1;
        }
        start = i + 1;
    }
    if (quoted)
        *why_r = "missing closing quote in the value";
    else if (p->value.len == 0)
        *why_r = "empty value";
    else
        return 0;
    return -1;
}

/* alias_name - find the name of an aliases(5) entry; sets *rest_r past ':' */
static int alias_name(struct parser *p, const char *s, size_t len, const char **name_r, size_t *nlen_r,
                      size_t *rest_r, const char **error_r)
{
    size_t i = 0;

    if (len > 0 && s[0] == '"') {
        const char *q = memchr(s + 1, '"', len - 1);

        if (q == NULL)
            return errf(error_r, "%s:%u: missing closing quote in the alias name", p->name, p->entry_line);
        *name_r = s + 1;
        *nlen_r = (size_t)(q - s) - 1;
        i = (size_t)(q - s) + 1;
    } else {
        while (i < len && s[i] != ':' && !is_blank(s[i]))
            i++;
        *name_r = s;
        *nlen_r = i;
    }
    while (i < len && is_blank(s[i]))
        i++;
    if (i >= len || s[i] != ':')
        return errf(error_r, "%s:%u: missing \":\" after the alias name \"%.*s\"", p->name, p->entry_line,
                    (int)(*nlen_r > 64 ? 64 : *nlen_r), *name_r);
    if (*nlen_r == 0)
        return errf(error_r, "%s:%u: empty alias name", p->name, p->entry_line);
    *rest_r = i + 1;
    return 0;
}

/* split_entry - the key and the value of the current logical line */
static int split_entry(struct parser *p, char *key, const char **error_r)
{
    const char *s = p->entry.data, *name = NULL, *why = NULL, *kerr;
    size_t len = p->entry.len, nlen = 0, rest = 0;

    if (p->fmt == MAP_TEXT_ALIASES) {
        if (alias_name(p, s, len, &name, &nlen, &rest, error_r) < 0)
            return -1;
    } else {
        for (nlen = 0; nlen < len && !is_blank(s[nlen]); nlen++)
            continue;
        name = s;
        rest = nlen;
    }
    if (map_key_canon(name, nlen, p->fmt == MAP_TEXT_ALIASES ? MAP_KEY_LOCAL : MAP_KEY_ANY, key, &kerr) < 0)
        return errf(error_r, "%s:%u: %s", p->name, p->entry_line, kerr);
    len -= rest;
    s = trim(s + rest, &len);
    if (p->fmt == MAP_TEXT_ALIASES) {
        if (alias_value(p, s, len, &why) < 0)
            return errf(error_r, "%s:%u: %s for \"%s\"", p->name, p->entry_line, why, key);
    } else if (len == 0) {
        return errf(error_r, "%s:%u: missing value after the key \"%s\" (write key value)", p->name,
                    p->entry_line, key);
    } else {
        buf_reset(&p->value);
        if (buf_append(&p->value, s, len) < 0)
            return errf(error_r, "%s:%u: value is longer than %d bytes for \"%s\"", p->name, p->entry_line,
                        MAP_VALUE_MAX, key);
    }
    return 0;
}

/* flush - hand the collected entry, if any, to the callback */
static int flush(struct parser *p, const char **error_r)
{
    char key[MAP_KEY_MAX + 1];
    struct map_text_entry e;

    if (p->entry_line == 0)
        return 0;
    if (split_entry(p, key, error_r) < 0)
        return -1;
    e.key = key;
    e.value = p->value.data;
    e.line = p->entry_line;
    p->entry_line = 0;
    buf_reset(&p->entry);
    return p->fn(&e, p->ctx, error_r);
}

/* check_bytes - refuse NUL and control bytes other than tab in a line */
static int check_bytes(struct parser *p, const char *s, size_t len, unsigned int line, const char **error_r)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\0')
            return errf(error_r, "%s:%u: NUL byte in the line", p->name, line);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return errf(error_r, "%s:%u: control character 0x%02x in the line", p->name, line, c);
    }
    return 0;
}

/* add_line - one physical line: comment, continuation or a new entry */
static int add_line(struct parser *p, const char *s, size_t len, unsigned int line, const char **error_r)
{
    size_t tlen = len;
    const char *t = trim(s, &tlen);

    if (check_bytes(p, s, len, line, error_r) < 0)
        return -1;
    if (tlen == 0 || t[0] == '#')
        return 0;
    if (is_blank(s[0])) {
        if (p->entry_line == 0)
            return errf(error_r,
                        "%s:%u: continuation line without an entry before it "
                        "(an entry must not start with white space)",
                        p->name, line);
        if (buf_append_char(&p->entry, ' ') == 0 && buf_append(&p->entry, t, tlen) == 0)
            return 0;
    } else {
        if (flush(p, error_r) < 0)
            return -1;
        p->entry_line = line;
        if (buf_append(&p->entry, t, tlen) == 0)
            return 0;
    }
    return errf(error_r, "%s:%u: entry is longer than %d bytes", p->name, p->entry_line, ENTRY_MAX);
}

/* map_text_parse - parse a whole text table, entry by entry */
int map_text_parse(const char *name, const char *text, size_t len, enum map_text_format fmt,
                   map_text_entry_fn *fn, void *ctx, const char **error_r)
{
    struct parser p = { name, fmt, fn, ctx, { 0 }, 0, { 0 } };
    unsigned int line = 0;
    size_t pos = 0;
    int ret = 0;

    buf_init(&p.entry, 256, ENTRY_MAX);
    buf_init(&p.value, 256, MAP_VALUE_MAX);
    while (pos < len && ret == 0) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl != NULL ? (size_t)(nl - s) : len - pos;

        pos += n + 1;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        ret = add_line(&p, s, n, ++line, error_r);
    }
    if (ret == 0)
        ret = flush(&p, error_r);
    buf_deinit(&p.entry);
    buf_deinit(&p.value);
    return ret;
}
