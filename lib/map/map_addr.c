/* SPDX-License-Identifier: MIT
 * map_addr - recipient lookups in the documented order: the full address,
 * the address without its extension, the "@domain" catch-all.
 *
 * The one rule that matters: a MAP_TEMPFAIL at any step ends the search.
 * Going on to a less specific key after a failure would let a catch-all
 * (or "not found") answer for a mailbox whose entry could not be read.
 */
#include <string.h>

#include "map/map.h"
#include "map/map_key.h"

/* map_lookup_address - the first of the candidate keys that is found */
enum map_result map_lookup_address(struct map *m, const char *addr, const char *delims,
                                   struct map_key_candidates *c, size_t *matched_r, char **value_r,
                                   const char **error_r)
{
    enum map_result r = MAP_NOTFOUND;
    size_t i;

    *value_r = NULL;
    *matched_r = 0;
    if (map_key_candidates(addr, strlen(addr), delims, c, error_r) < 0)
        return MAP_NOTFOUND;
    for (i = 0; i < c->count; i++) {
        r = map_lookup(m, c->key[i], value_r, error_r);
        if (r != MAP_NOTFOUND) {
            *matched_r = i;
            return r;
        }
    }
    return MAP_NOTFOUND;
}
