/* SPDX-License-Identifier: MIT
 * map_sysalias - system aliases: the domains of mydestination, whose local
 * parts are system names (root, postmaster, a cron job's user), and the
 * aliases(5) maps of alias_maps that alone resolve them (Postfix's
 * mydestination + alias_maps). smtpd (RCPT) and qmgr (routing) share it.
 *
 * mydestination: domains separated by spaces, tabs or commas; each is
 * kept in canonical form (map_key MAP_KEY_DOMAIN: lower case, no trailing
 * dot); an entry that is not a valid domain (or an address literal) is a
 * configuration error. alias_maps: FILE names separated the same way; each
 * FILE is read as the LMDB map FILE.lmdb that newaliases compiles, keys
 * canonical local names (MAP_KEY_LOCAL). A FILE.lmdb that does not exist
 * is an empty map (opened at the first lookup after it appears).
 *
 * Lookup order for a local part: with a recipient delimiter, "name+ext"
 * then "name" (map_key_candidates' split); for each key every map in
 * alias_maps order; the first hit wins. A map error ends the search with
 * MAP_TEMPFAIL (never "not found", never a less specific key).
 *
 * Trusts: the parameters (checked); the local part comes from a submitter
 * and is checked by map_key. Limits: MAP_SYSALIAS_MAX domains and maps.
 *
 * See also: map_key.h, map_text.h (MAP_TEXT_ALIASES), docs/queue.md.
 */
#ifndef PETREL_MAP_MAP_SYSALIAS_H
#define PETREL_MAP_MAP_SYSALIAS_H

#include <stdbool.h>
#include <stddef.h>

#include "map/map.h"

#define MAP_SYSALIAS_MAX 64

/* The parsed mydestination. */
struct map_sysalias_domains {
    size_t count;
    char name[MAP_SYSALIAS_MAX][MAP_KEY_MAX + 1];
};

struct map_sysalias;

/* map_sysalias_domains_parse - parse mydestination into d (canonical);
 * 0, or -1 with an error naming the bad entry (d is then empty) */
int map_sysalias_domains_parse(const char *text, struct map_sysalias_domains *d, const char **error_r);
/* map_sysalias_domains_match - is domain (any case, an optional trailing
 * dot) one of d's? false for NULL d or an invalid domain */
bool map_sysalias_domains_match(const struct map_sysalias_domains *d, const char *domain);

/* map_sysalias_create - remember the maps of alias_maps (nothing opened);
 * 0, or -1 with an error (too many entries, a name too long) */
int map_sysalias_create(const char *alias_maps, struct map_sysalias **a_r, const char **error_r);
/* map_sysalias_destroy - close the maps and free; accepts NULL */
void map_sysalias_destroy(struct map_sysalias **a_r);
/* map_sysalias_configure - parse mydestination into *d and replace *a_r
 * with the maps of alias_maps (smtpd and qmgr at start); 0, or -1 with an
 * error (then *a_r is unchanged) */
int map_sysalias_configure(const char *mydestination, const char *alias_maps, struct map_sysalias_domains *d,
                           struct map_sysalias **a_r, const char **error_r);

/* map_sysalias_keys - the canonical local-name keys of address
 * ("local@domain"), most specific first: "name+ext", then "name" when a
 * character of delims splits it. 0, or -1 (not a valid address). */
int map_sysalias_keys(const char *address, const char *delims, char keys[2][MAP_KEY_MAX + 1], size_t *count_r,
                      const char **error_r);
/* map_sysalias_lookup_key - one canonical local-name key in every map in
 * order: MAP_FOUND with *value_r (malloc'd), MAP_NOTFOUND, MAP_TEMPFAIL */
enum map_result map_sysalias_lookup_key(struct map_sysalias *a, const char *key, char **value_r,
                                        const char **error_r);
/* map_sysalias_lookup - look the keys of address up in every map in
 * order; MAP_FOUND with *value_r (malloc'd), MAP_NOTFOUND (also for an
 * address without a valid local part), or MAP_TEMPFAIL with *error_r */
enum map_result map_sysalias_lookup(struct map_sysalias *a, const char *address, const char *delims,
                                    char **value_r, const char **error_r);

#endif
