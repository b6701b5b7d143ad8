/* SPDX-License-Identifier: MIT
 * map_sysalias - mydestination parsing and the alias_maps lookups (the
 * contract is in map_sysalias.h).
 *
 * Owns the list of alias map paths and their handles, opened lazily: a
 * map file that does not exist yet is an empty map, and lib/map follows a
 * file that newaliases replaces by rename.
 */
#include "map/map_sysalias.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "map/map_key.h"
#include "util/alloc.h"
#include "util/err.h"

#define SEPARATORS " \t\r\n,"

struct sysalias_map {
    char *path; /* FILE.lmdb */
    struct map *map;
};

struct map_sysalias {
    size_t count;
    struct sysalias_map maps[MAP_SYSALIAS_MAX];
};

/* map_sysalias_domains_parse - a list of canonical domains */
int map_sysalias_domains_parse(const char *text, struct map_sysalias_domains *d, const char **error_r)
{
    const char *p = text, *error;
    size_t len;

    d->count = 0;
    for (;;) {
        p += strspn(p, SEPARATORS);
        if (*p == '\0')
            return 0;
        len = strcspn(p, SEPARATORS);
        if (d->count == MAP_SYSALIAS_MAX) {
            d->count = 0;
            return errf(error_r, "mydestination: more than %d domains", MAP_SYSALIAS_MAX);
        }
        if (p[0] == '[' || map_key_canon(p, len, MAP_KEY_DOMAIN, d->name[d->count], &error) < 0) {
            d->count = 0;
            return errf(error_r, "mydestination: bad domain \"%.*s\"%s%s", (int)(len > 100 ? 100 : len), p,
                        p[0] == '[' ? ": an address literal" : ": ", p[0] == '[' ? "" : error);
        }
        d->count++;
        p += len;
    }
}

/* map_sysalias_domains_match - canonical comparison */
bool map_sysalias_domains_match(const struct map_sysalias_domains *d, const char *domain)
{
    char key[MAP_KEY_MAX + 1];
    const char *error;
    size_t i;

    if (d == NULL || map_key_canon(domain, strlen(domain), MAP_KEY_DOMAIN, key, &error) < 0)
        return false;
    for (i = 0; i < d->count; i++)
        if (strcmp(d->name[i], key) == 0)
            return true;
    return false;
}

/* map_sysalias_create - FILE.lmdb for each FILE of alias_maps */
int map_sysalias_create(const char *alias_maps, struct map_sysalias **a_r, const char **error_r)
{
    struct map_sysalias *a = xcalloc(1, sizeof(*a));
    const char *p = alias_maps;
    size_t len;

    for (;;) {
        p += strspn(p, SEPARATORS);
        if (*p == '\0')
            break;
        len = strcspn(p, SEPARATORS);
        if (a->count == MAP_SYSALIAS_MAX || len > 4000) {
            map_sysalias_destroy(&a);
            return errf(error_r, "alias_maps: more than %d maps, or a name over 4000 bytes",
                        MAP_SYSALIAS_MAX);
        }
        a->maps[a->count++].path = xasprintf("%.*s.lmdb", (int)len, p);
        p += len;
    }
    *a_r = a;
    return 0;
}

/* map_sysalias_destroy - close every map */
void map_sysalias_destroy(struct map_sysalias **a_r)
{
    struct map_sysalias *a = *a_r;
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->count; i++) {
        map_close(&a->maps[i].map);
        xfree(a->maps[i].path);
    }
    xfree(a);
    *a_r = NULL;
}

/* map_sysalias_configure - both settings at once */
int map_sysalias_configure(const char *mydestination, const char *alias_maps, struct map_sysalias_domains *d,
                           struct map_sysalias **a_r, const char **error_r)
{
    struct map_sysalias *a;

    if (map_sysalias_domains_parse(mydestination, d, error_r) < 0
        || map_sysalias_create(alias_maps, &a, error_r) < 0)
        return -1;
    map_sysalias_destroy(a_r);
    *a_r = a;
    return 0;
}

/* map_sysalias_keys - the local parts of the non-catch-all candidates */
int map_sysalias_keys(const char *address, const char *delims, char keys[2][MAP_KEY_MAX + 1], size_t *count_r,
                      const char **error_r)
{
    struct map_key_candidates c;
    const char *at;
    size_t i;

    *count_r = 0;
    if (map_key_candidates(address, strlen(address), delims, &c, error_r) < 0)
        return -1;
    for (i = 0; i < c.count && *count_r < 2 && c.key[i][0] != '@'; i++) {
        at = strrchr(c.key[i], '@');
        if (at == NULL
            || map_key_canon(c.key[i], (size_t)(at - c.key[i]), MAP_KEY_LOCAL, keys[*count_r], error_r) < 0)
            return errf(error_r, "\"%.300s\" has no valid local part", address);
        (*count_r)++;
    }
    if (*count_r == 0)
        return errf(error_r, "\"%.300s\" has no local part", address);
    return 0;
}

/* one_lookup - one map; a file that does not exist is empty */
static enum map_result one_lookup(struct sysalias_map *s, const char *key, char **value_r,
                                  const char **error_r)
{
    struct stat st;

    if (s->map == NULL) {
        if (stat(s->path, &st) < 0 && errno == ENOENT)
            return MAP_NOTFOUND;
        if (map_open(s->path, MAP_RDONLY, 0, &s->map, error_r) < 0)
            return MAP_TEMPFAIL;
    }
    return map_lookup(s->map, key, value_r, error_r);
}

/* map_sysalias_lookup_key - one key, every map, in order */
enum map_result map_sysalias_lookup_key(struct map_sysalias *a, const char *key, char **value_r,
                                        const char **error_r)
{
    enum map_result r;
    size_t i;

    *value_r = NULL;
    for (i = 0; i < a->count; i++) {
        r = one_lookup(&a->maps[i], key, value_r, error_r);
        if (r == MAP_TEMPFAIL)
            *error_r = err_fmt("%s: %s", a->maps[i].path, *error_r);
        if (r != MAP_NOTFOUND)
            return r;
    }
    return MAP_NOTFOUND;
}

/* map_sysalias_lookup - every key, most specific first */
enum map_result map_sysalias_lookup(struct map_sysalias *a, const char *address, const char *delims,
                                    char **value_r, const char **error_r)
{
    char keys[2][MAP_KEY_MAX + 1];
    enum map_result r;
    const char *error;
    size_t nkeys, k;

    *value_r = NULL;
    if (map_sysalias_keys(address, delims, keys, &nkeys, &error) < 0)
        return MAP_NOTFOUND; /* cannot be a key of any map */
    for (k = 0; k < nkeys; k++)
        if ((r = map_sysalias_lookup_key(a, keys[k], value_r, error_r)) != MAP_NOTFOUND)
            return r;
    return MAP_NOTFOUND;
}
