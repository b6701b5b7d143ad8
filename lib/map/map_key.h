/* SPDX-License-Identifier: MIT
 * map_key - the canonical form of every address, domain and alias name that
 * becomes a map key, and the order in which an address is looked up.
 *
 * Input is an address in internal (unquoted) form, as smtpd or qmgr hold it,
 * or a table key as an admin wrote it. The canonical form:
 *   - ASCII letters are folded to lower case, in the local part and in the
 *     domain (Petrel treats local parts as case-insensitive); bytes >= 0x80
 *     are kept as they are (no Unicode folding);
 *   - one trailing dot of a domain is removed ("Example.COM." -> "example.com");
 *   - the result is at most MAP_KEY_MAX bytes.
 * Refused (with a precise error): an empty key, NUL, control bytes, space,
 * DEL, '"' and '\' (a quoted local part must never turn into a second key for
 * the same mailbox), an address with more than one '@', an empty domain,
 * an empty domain label ("a..b", ".a", "a.."), a key over MAP_KEY_MAX.
 *
 * Guarantee (tested, and checked by tests/fuzz/fuzz_map_key.c): for accepted
 * inputs x and y of the same kind, canon(x) == canon(y) exactly when x and y
 * are equal after ASCII case folding and removal of the domain's trailing
 * dot; and canon(canon(x)) == canon(x). Nothing else merges two inputs.
 *
 * See also: map.h (the maps), map_text.h (tables compiled from text).
 */
#ifndef PETREL_MAP_MAP_KEY_H
#define PETREL_MAP_MAP_KEY_H

#include <stddef.h>

/* LMDB's default maximum key size */
#define MAP_KEY_MAX 511
/* full address, address without extension, "@domain" */
#define MAP_KEY_CANDIDATES_MAX 3

enum map_key_kind {
    MAP_KEY_ADDRESS, /* "local@domain", or "@domain" (a catch-all) */
    MAP_KEY_DOMAIN,  /* "domain" */
    MAP_KEY_LOCAL,   /* a local name without '@' (aliases(5) names) */
    MAP_KEY_ANY,     /* an address if it holds '@', else a domain (virtual(5) keys) */
};

/* map_key_canon - write the canonical form of in[0..len) to out (room for
 * MAP_KEY_MAX + 1 bytes, NUL-terminated); 0, or -1 with an error that quotes
 * the input (escaped) and says what is wrong */
int map_key_canon(const char *in, size_t len, enum map_key_kind kind, char out[MAP_KEY_MAX + 1],
                  const char **error_r);

struct map_key_candidates {
    size_t count; /* keys to try, in order */
    char key[MAP_KEY_CANDIDATES_MAX][MAP_KEY_MAX + 1];
    char ext[MAP_KEY_MAX + 1]; /* extension, case kept; "" if none */
    int has_ext;               /* 1 when the address had one */
};

/* map_key_candidates - the keys to look an address up under, most specific
 * first: "user+ext@domain", "user@domain" (only when a character of delims
 * splits the local part), "@domain". The local part is split at the first
 * delimiter that is not its first byte, so "+x@d" has no extension. delims
 * may be NULL or "" (no extension handling). 0, or -1 with an error. */
int map_key_candidates(const char *addr, size_t len, const char *delims, struct map_key_candidates *c,
                       const char **error_r);

#endif
