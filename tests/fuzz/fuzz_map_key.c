/* SPDX-License-Identifier: MIT
 * fuzz_map_key - addresses into map keys (THREATS fuzz_table_key).
 *
 * Input: one selector byte (bits 0-1: the key kind; bit 2: delimiters "+"
 * or "+-"), then "X\nY": two candidate keys. Properties checked (abort on
 * failure), for each accepted input of the selected kind:
 *   - the key is at most MAP_KEY_MAX bytes, has no ASCII upper case, no
 *     byte <= 0x20, no DEL, quote or backslash;
 *   - canonicalisation is idempotent: canon(canon(x)) == canon(x);
 *   - no collision beyond the stated rule: canon(X) == canon(Y) exactly when
 *     X and Y are equal after ASCII folding and removal of the domain's
 *     trailing dot (computed here independently of map_key.c);
 *   - lookup candidates of an address: 1 to 3 keys, the first is canon(X),
 *     each is canonical, the last is "@domain", and a split address is the
 *     base local part + a delimiter + the extension.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "map/map_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_chars - the bytes a canonical key may hold */
static void check_chars(const char *k)
{
    size_t i, len = strlen(k);

    if (len == 0 || len > MAP_KEY_MAX)
        abort();
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)k[i];

        if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\' || (c >= 'A' && c <= 'Z'))
            abort();
    }
}

/* reference - ASCII-folded copy with the domain's trailing dot removed */
static size_t reference(const char *in, size_t len, enum map_key_kind kind, char *out)
{
    size_t i;

    for (i = 0; i < len; i++)
        out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] - 'A' + 'a' : in[i]);
    if (kind != MAP_KEY_LOCAL && len > 0 && out[len - 1] == '.')
        len--;
    return len;
}

/* check_candidates - the lookup order of an accepted address */
static void check_candidates(const char *in, size_t len, const char *canon, const char *delims)
{
    struct map_key_candidates c;
    char again[MAP_KEY_MAX + 1];
    size_t i, blen;

    if (map_key_candidates(in, len, delims, &c, NULL) < 0)
        abort();
    if (c.count < 1 || c.count > MAP_KEY_CANDIDATES_MAX || strcmp(c.key[0], canon) != 0)
        abort();
    for (i = 0; i < c.count; i++) {
        if (map_key_canon(c.key[i], strlen(c.key[i]), MAP_KEY_ADDRESS, again, NULL) < 0
            || strcmp(again, c.key[i]) != 0)
            abort();
    }
    if (c.key[c.count - 1][0] != '@' || strcmp(c.key[c.count - 1], strrchr(canon, '@')) != 0)
        abort();
    if (c.has_ext) {
        if (c.count != 3)
            abort();
        blen = (size_t)(strrchr(c.key[1], '@') - c.key[1]);
        if (strncmp(c.key[1], canon, blen) != 0 || strchr(delims, canon[blen]) == NULL
            || strncasecmp(canon + blen + 1, c.ext, strlen(c.ext)) != 0
            || canon[blen + 1 + strlen(c.ext)] != '@')
            abort();
    }
}

/* LLVMFuzzerTestOneInput - one input: canonicalise both halves, check */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char kx[MAP_KEY_MAX + 1], ky[MAP_KEY_MAX + 1], again[MAP_KEY_MAX + 1];
    char rx[MAP_KEY_MAX + 2], ry[MAP_KEY_MAX + 2];
    const char *text, *nl, *delims;
    enum map_key_kind kind;
    size_t xlen, ylen, rxl, ryl;
    int okx, oky;

    if (size < 1)
        return 0;
    kind = (enum map_key_kind)(data[0] & 3);
    delims = (data[0] & 4) ? "+-" : "+";
    text = (const char *)data + 1;
    size--;
    nl = memchr(text, '\n', size);
    xlen = nl != NULL ? (size_t)(nl - text) : size;
    ylen = nl != NULL ? size - xlen - 1 : 0;
    okx = map_key_canon(text, xlen, kind, kx, NULL) == 0;
    oky = nl != NULL && map_key_canon(nl + 1, ylen, kind, ky, NULL) == 0;
    if (okx) {
        check_chars(kx);
        if (map_key_canon(kx, strlen(kx), kind, again, NULL) < 0 || strcmp(again, kx) != 0)
            abort();
        if (kind == MAP_KEY_ADDRESS)
            check_candidates(text, xlen, kx, delims);
    }
    if (okx && oky) {
        rxl = reference(text, xlen, kind, rx);
        ryl = reference(nl + 1, ylen, kind, ry);
        if ((strcmp(kx, ky) == 0) != (rxl == ryl && memcmp(rx, ry, rxl) == 0))
            abort();
    }
    return 0;
}
