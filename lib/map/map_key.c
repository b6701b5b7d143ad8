/* SPDX-License-Identifier: MIT
 * map_key - canonical map keys (ASCII case folding, trailing-dot removal on
 * domains, refusal of bytes that have no place in a key) and the lookup
 * order of an address with a recipient delimiter.
 *
 * Trusts nothing: input may come from the network (RCPT TO) or from a table
 * file. Every output is bounded by MAP_KEY_MAX.
 */
#include "map/map_key.h"

#include <stdio.h>
#include <string.h>

#include "util/err.h"

#define QUOTE_MAX 80

/* quote - a printable, bounded rendering of in[0..len) for error messages */
static const char *quote(const char *in, size_t len, char *out, size_t size)
{
    size_t i, o = 0;

    for (i = 0; i < len && o + 8 < size; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (i < len)
        o += (size_t)snprintf(out + o, size - o, "...");
    out[o] = '\0';
    return out;
}

/* bad_byte - why byte c may not appear in a key, or NULL if it may */
static const char *bad_byte(unsigned char c)
{
    if (c == '\0')
        return "contains a NUL byte";
    if (c == ' ' || c == '\t')
        return "contains white space";
    if (c < 0x20 || c == 0x7f)
        return "contains a control character";
    if (c == '"' || c == '\\')
        return "contains a quote or backslash (give the address unquoted)";
    return NULL;
}

/* check_domain - validate the domain d[0..len) (already folded, trailing dot
 * removed); NULL, or why it is invalid */
static const char *check_domain(const char *d, size_t len)
{
    size_t i;

    if (len == 0)
        return "has an empty domain";
    if (d[0] == '.' || d[len - 1] == '.')
        return "has an empty domain label";
    for (i = 0; i + 1 < len; i++) {
        if (d[i] == '.' && d[i + 1] == '.')
            return "has an empty domain label";
    }
    if (memchr(d, '@', len) != NULL)
        return "contains \"@\" (a domain has no local part)";
    return NULL;
}

/* fold - copy with ASCII upper case folded; NULL, or why a byte is refused */
static const char *fold(const char *in, size_t len, char *out)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        const char *why = bad_byte(c);

        if (why != NULL)
            return why;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    return NULL;
}

/* canon_parts - fold and check out[0..*len_r) of the given kind in place,
 * removing a domain's trailing dot; NULL, or why the key is invalid */
static const char *canon_parts(char *out, size_t *len_r, enum map_key_kind kind)
{
    size_t len = *len_r;
    char *at = memrchr(out, '@', len);
    size_t dom;

    if (kind == MAP_KEY_ANY)
        kind = at != NULL ? MAP_KEY_ADDRESS : MAP_KEY_DOMAIN;
    if (kind == MAP_KEY_LOCAL)
        return at != NULL ? "contains \"@\" (a local name has no domain)" : NULL;
    if (kind == MAP_KEY_ADDRESS && at == NULL)
        return "has no \"@\" (want local@domain or @domain)";
    if (kind == MAP_KEY_ADDRESS && memchr(out, '@', (size_t)(at - out)) != NULL)
        return "contains more than one \"@\"";
    dom = kind == MAP_KEY_ADDRESS ? (size_t)(at - out) + 1 : 0;
    if (len > dom && out[len - 1] == '.')
        len--;
    *len_r = len;
    return check_domain(out + dom, len - dom);
}

/* map_key_canon - canonical form of a key */
int map_key_canon(const char *in, size_t len, enum map_key_kind kind, char out[MAP_KEY_MAX + 1],
                  const char **error_r)
{
    char q[QUOTE_MAX];
    const char *why;
    size_t orig_len = len;

    if (len == 0)
        return errf(error_r, "empty key");
    if (len > MAP_KEY_MAX)
        return errf(error_r, "key \"%s\" is longer than %d bytes", quote(in, len, q, sizeof(q)), MAP_KEY_MAX);
    why = fold(in, len, out);
    if (why == NULL)
        why = canon_parts(out, &len, kind);
    if (why != NULL) {
        out[0] = '\0';
        return errf(error_r, "invalid key \"%s\": %s", quote(in, orig_len, q, sizeof(q)), why);
    }
    out[len] = '\0';
    return 0;
}

/* add_candidate - append key to the list unless it is already there */
static void add_candidate(struct map_key_candidates *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->count; i++) {
        if (strcmp(c->key[i], key) == 0)
            return;
    }
    snprintf(c->key[c->count++], sizeof(c->key[0]), "%s", key);
}

/* split_ext - remove the extension from the canonical address key (in place)
 * and copy it, case kept, from the original input; 1 if there was one */
static int split_ext(char *key, const char *orig, const char *delims, char *ext, size_t ext_size)
{
    char *at = strrchr(key, '@');
    size_t i, local = (size_t)(at - key);

    if (delims == NULL)
        return 0;
    for (i = 1; i < local; i++) {
        if (strchr(delims, key[i]) != NULL) {
            snprintf(ext, ext_size, "%.*s", (int)(local - i - 1), orig + i + 1);
            memmove(key + i, at, strlen(at) + 1);
            return 1;
        }
    }
    return 0;
}

/* map_key_candidates - lookup keys for an address, most specific first */
int map_key_candidates(const char *addr, size_t len, const char *delims, struct map_key_candidates *c,
                       const char **error_r)
{
    char key[MAP_KEY_MAX + 1];

    memset(c, 0, sizeof(*c));
    if (map_key_canon(addr, len, MAP_KEY_ADDRESS, key, error_r) < 0)
        return -1;
    add_candidate(c, key);
    c->has_ext = split_ext(key, addr, delims, c->ext, sizeof(c->ext));
    add_candidate(c, key);
    add_candidate(c, strrchr(key, '@'));
    return 0;
}
