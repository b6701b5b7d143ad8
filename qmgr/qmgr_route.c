/* SPDX-License-Identifier: MIT
 * qmgr_route - alias expansion and mailbox lookup for qmgr.
 *
 * Owns the two read-only maps and the expansion of one address into final
 * recipients. The expansion is a depth-first walk that keeps the path of
 * canonical keys it came through, so a loop is found by looking back along
 * the path, and the depth is bounded by virtual_alias_recursion_limit (and
 * the total by virtual_alias_expansion_limit). Nothing here
 * writes a file or talks to a client: qmgr_submit and qmgr_deliver turn
 * the results into records, replies and log lines.
 *
 * Trusts: nothing; addresses are checked by map_key, alias values are
 * split and checked member by member. Limits: see qmgr_route.h.
 *
 * See also: qmgr_route.h, map.h, map_key.h.
 */
#include "qmgr_route.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "map/map_sysalias.h"
#include "util/alloc.h"
#include "util/err.h"

/* A map file that may not exist yet. */
struct qmgr_map_ref {
    char *path;
    struct map *map;
};

struct qmgr_maps {
    struct qmgr_map_ref aliases, mailboxes, quotas;
    char *delims;
    struct map_sysalias_domains mydestination; /* empty: none */
    struct map_sysalias *system;               /* alias_maps, or NULL */
    unsigned depth_limit;                      /* virtual_alias_recursion_limit */
    size_t total_limit;                        /* virtual_alias_expansion_limit */
};

/* One expansion in progress. */
struct expand {
    struct qmgr_maps *m;
    struct qmgr_route_list *list;
    char path[QMGR_ROUTE_DEPTH_CAP + 1][MAP_KEY_MAX + 1];
    size_t depth;
    const char *error;
};

static enum qmgr_route_status expand_address(struct expand *x, const char *address, bool final_only);
/* qmgr_maps_create - remember where the maps are */
struct qmgr_maps *qmgr_maps_create(const char *dir, const char *delims)
{
    struct qmgr_maps *m = xcalloc(1, sizeof(*m));

    m->aliases.path = xasprintf("%s/aliases", dir);
    m->mailboxes.path = xasprintf("%s/mailboxes", dir);
    m->quotas.path = xasprintf("%s/quotas", dir);
    m->delims = xstrdup(delims != NULL ? delims : "");
    m->depth_limit = QMGR_ROUTE_DEPTH_MAX;
    m->total_limit = QMGR_ROUTE_TOTAL_MAX;
    return m;
}

/* qmgr_maps_set_limits - the expansion limits from the parameters */
void qmgr_maps_set_limits(struct qmgr_maps *m, unsigned depth, size_t total)
{
    if (depth > 0)
        m->depth_limit = depth < QMGR_ROUTE_DEPTH_CAP ? depth : QMGR_ROUTE_DEPTH_CAP;
    if (total > 0)
        m->total_limit = total;
}

/* qmgr_maps_destroy - close the maps and free */
void qmgr_maps_destroy(struct qmgr_maps **m_r)
{
    struct qmgr_maps *m = *m_r;

    if (m == NULL)
        return;
    map_close(&m->aliases.map);
    map_close(&m->mailboxes.map);
    map_close(&m->quotas.map);
    map_sysalias_destroy(&m->system);
    xfree(m->aliases.path);
    xfree(m->mailboxes.path);
    xfree(m->quotas.path);
    xfree(m->delims);
    xfree(m);
    *m_r = NULL;
}

/* qmgr_maps_set_system - mydestination and alias_maps */
int qmgr_maps_set_system(struct qmgr_maps *m, const char *mydestination, const char *alias_maps,
                         const char **error_r)
{
    return map_sysalias_configure(mydestination, alias_maps, &m->mydestination, &m->system, error_r);
}

/* ref_lookup - look key up; a map file that does not exist is empty */
static enum map_result ref_lookup(struct qmgr_map_ref *r, const char *key, char **value_r,
                                  const char **error_r)
{
    struct stat st;

    *value_r = NULL;
    if (r->map == NULL) {
        if (stat(r->path, &st) < 0 && errno == ENOENT)
            return MAP_NOTFOUND;
        if (map_open(r->path, MAP_RDONLY, 0, &r->map, error_r) < 0)
            return MAP_TEMPFAIL;
    }
    return map_lookup(r->map, key, value_r, error_r);
}

/* qmgr_route_list_free - free every entry, keep the list usable */
void qmgr_route_list_free(struct qmgr_route_list *list)
{
    size_t i;

    for (i = 0; i < list->count; i++) {
        xfree(list->v[i].address);
        xfree(list->v[i].mailbox);
    }
    xfree(list->v);
    list->count = list->cap = 0;
}

/* list_truncate - drop the entries from n on */
static void list_truncate(struct qmgr_route_list *list, size_t n)
{
    while (list->count > n) {
        list->count--;
        xfree(list->v[list->count].address);
        xfree(list->v[list->count].mailbox);
    }
}

/* add_final - one final recipient, unless its mailbox is there already */
static enum qmgr_route_status add_final(struct expand *x, const char *address, char *mailbox)
{
    struct qmgr_route_list *l = x->list;
    size_t i;

    for (i = 0; i < l->count; i++) {
        if (strcmp(l->v[i].mailbox, mailbox) == 0) {
            xfree(mailbox);
            return QMGR_ROUTE_OK;
        }
    }
    if (l->count >= x->m->total_limit) {
        xfree(mailbox);
        x->error =
            err_fmt("more than %zu final recipients (virtual_alias_expansion_limit)", x->m->total_limit);
        return QMGR_ROUTE_TOO_MANY;
    }
    if (l->count == l->cap) {
        l->cap = l->cap == 0 ? 4 : l->cap * 2;
        l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
    }
    l->v[l->count].address = xstrdup(address);
    l->v[l->count].mailbox = mailbox;
    l->count++;
    return QMGR_ROUTE_OK;
}

/* lookup_mailbox - the mailbox map on the non-catch-all candidates */
static enum map_result lookup_mailbox(struct qmgr_maps *m, const struct map_key_candidates *c,
                                      char **mailbox_r, const char **error_r)
{
    enum map_result r = MAP_NOTFOUND;
    size_t i;

    for (i = 0; i < c->count && c->key[i][0] != '@'; i++) {
        if ((r = ref_lookup(&m->mailboxes, c->key[i], mailbox_r, error_r)) != MAP_NOTFOUND)
            return r;
    }
    return r;
}

/* candidates - the lookup keys of address; only "local@domain" is routable */
static int candidates(struct qmgr_maps *m, const char *address, struct map_key_candidates *c,
                      const char **error_r)
{
    const char *at = strrchr(address, '@');

    if (at == NULL || at == address || at[1] == '\0')
        return errf(error_r, "\"%.300s\" is not of the form local@domain", address);
    return map_key_candidates(address, strlen(address), m->delims, c, error_r);
}

/* qmgr_route_mailbox - step 2 alone, for a final recipient */
enum map_result qmgr_route_mailbox(struct qmgr_maps *m, const char *address, char **mailbox_r,
                                   const char **error_r)
{
    struct map_key_candidates c;

    *mailbox_r = NULL;
    if (candidates(m, address, &c, error_r) < 0)
        return MAP_NOTFOUND;
    return lookup_mailbox(m, &c, mailbox_r, error_r);
}

/* quota_valid - "BYTES" or "BYTES,MESSAGES", 1..18 digits each (what
 * local accepts; a bad entry must not make local refuse the request) */
static bool quota_valid(const char *v)
{
    size_t digits = 0, commas = 0;

    for (; *v != '\0'; v++) {
        if (*v == ',' && digits > 0 && commas++ == 0)
            digits = 0;
        else if (*v < '0' || *v > '9' || ++digits > 18)
            return false;
    }
    return digits > 0;
}

/* qmgr_route_quota - the quotas entry of the key whose mailbox address
 * has; MAP_NOTFOUND when neither; a malformed entry is MAP_TEMPFAIL */
enum map_result qmgr_route_quota(struct qmgr_maps *m, const char *address, char **quota_r,
                                 const char **error_r)
{
    struct map_key_candidates c;
    enum map_result r;
    char *mailbox;
    size_t i;

    *quota_r = NULL;
    if (candidates(m, address, &c, error_r) < 0)
        return MAP_NOTFOUND;
    for (i = 0; i < c.count && c.key[i][0] != '@'; i++) {
        if ((r = ref_lookup(&m->mailboxes, c.key[i], &mailbox, error_r)) == MAP_NOTFOUND)
            continue;
        xfree(mailbox);
        if (r != MAP_FOUND || (r = ref_lookup(&m->quotas, c.key[i], quota_r, error_r)) != MAP_FOUND)
            return r;
        if (quota_valid(*quota_r))
            return MAP_FOUND;
        *error_r = err_fmt("quotas: the value of %s is not BYTES[,MESSAGES]", c.key[i]);
        xfree(*quota_r);
        return MAP_TEMPFAIL;
    }
    return MAP_NOTFOUND;
}

/* expand_value - expand each member of an alias value found under self;
 * with bare_domain (a system alias), a member without '@' is a local name
 * in that domain */
static enum qmgr_route_status expand_value(struct expand *x, const char *self, char *value,
                                           const char *bare_domain)
{
    enum qmgr_route_status st = QMGR_ROUTE_OK;
    char key[MAP_KEY_MAX + 1];
    char *p = value, *member;
    const char *error;
    size_t len;

    snprintf(x->path[x->depth++], sizeof(x->path[0]), "%s", self);
    while (st == QMGR_ROUTE_OK && *p != '\0') {
        p += strspn(p, ", \t\r\n");
        len = strcspn(p, ", \t\r\n");
        if (len == 0)
            continue;
        if (bare_domain != NULL && memchr(p, '@', len) == NULL)
            member = xasprintf("%.*s@%s", (int)len, p, bare_domain);
        else
            member = xstrndup(p, len);
        p += len;
        if (member[0] == '|' || member[0] == '/' || strncmp(member, ":include:", 9) == 0) {
            x->error = err_fmt("alias %s: command, file and :include: members are not supported", self);
            st = QMGR_ROUTE_TEMPFAIL;
        } else if (map_key_canon(member, strlen(member), MAP_KEY_ADDRESS, key, &error) < 0) {
            x->error = err_fmt("alias %s: bad member: %s", self, error);
            st = QMGR_ROUTE_TEMPFAIL;
        } else {
            st = expand_address(x, member, strcmp(key, self) == 0);
        }
        xfree(member);
    }
    x->depth--;
    return st;
}

/* try_alias - look key up in aliases and expand what it names */
static enum qmgr_route_status try_alias(struct expand *x, const char *self, const char *key, bool *found_r)
{
    enum qmgr_route_status st;
    const char *error;
    char *value;

    *found_r = false;
    switch (ref_lookup(&x->m->aliases, key, &value, &error)) {
    case MAP_FOUND:
        *found_r = true;
        st = expand_value(x, self, value, NULL);
        xfree(value);
        return st;
    case MAP_NOTFOUND:
        return QMGR_ROUTE_OK;
    case MAP_TEMPFAIL:
    default:
        x->error = err_fmt("aliases lookup of %s: %s", key, error);
        return QMGR_ROUTE_TEMPFAIL;
    }
}

/* check_path - refuse a key already on the expansion path, or a deep one */
static enum qmgr_route_status check_path(struct expand *x, const char *key)
{
    size_t i;

    for (i = 0; i < x->depth; i++) {
        if (strcmp(x->path[i], key) == 0) {
            x->error = err_fmt("alias loop: %s expands to itself through %s", key, x->path[x->depth - 1]);
            return QMGR_ROUTE_LOOP;
        }
    }
    if (x->depth >= x->m->depth_limit) {
        x->error = err_fmt("aliases nested more than %u deep at %s (virtual_alias_recursion_limit)",
                           x->m->depth_limit, key);
        return QMGR_ROUTE_LOOP;
    }
    return QMGR_ROUTE_OK;
}

/* expand_system - an address in a mydestination domain: alias_maps only */
static enum qmgr_route_status expand_system(struct expand *x, const char *address, const char *self,
                                            bool final_only)
{
    const char *domain = strrchr(address, '@') + 1, *error;
    enum qmgr_route_status st;
    char *value;

    if (final_only) {
        x->error = err_fmt("system alias %s names itself (there are no local mailboxes)", self);
        return QMGR_ROUTE_UNKNOWN;
    }
    if ((st = check_path(x, self)) != QMGR_ROUTE_OK)
        return st;
    switch (map_sysalias_lookup(x->m->system, address, x->m->delims, &value, &error)) {
    case MAP_FOUND:
        st = expand_value(x, self, value, domain);
        xfree(value);
        return st;
    case MAP_TEMPFAIL:
        x->error = err_fmt("alias_maps lookup of %s: %s", self, error);
        return QMGR_ROUTE_TEMPFAIL;
    case MAP_NOTFOUND:
    default:
        x->error = err_fmt("%s: no such system alias (alias_maps)", self);
        return QMGR_ROUTE_UNKNOWN;
    }
}

/* expand_address - the routing steps of qmgr_route.h for one address */
static enum qmgr_route_status expand_address(struct expand *x, const char *address, bool final_only)
{
    enum qmgr_route_status st;
    struct map_key_candidates c;
    const char *error;
    char *mailbox;
    bool found;
    size_t i;

    if (candidates(x->m, address, &c, &error) < 0) {
        x->error = err_fmt("%s", error);
        return x->depth > 0 ? QMGR_ROUTE_TEMPFAIL : QMGR_ROUTE_SYNTAX;
    }
    if (x->m->system != NULL && map_sysalias_domains_match(&x->m->mydestination, strrchr(address, '@') + 1))
        return expand_system(x, address, c.key[0], final_only);
    if (!final_only && (st = check_path(x, c.key[0])) != QMGR_ROUTE_OK)
        return st;
    for (i = 0; !final_only && i < c.count && c.key[i][0] != '@'; i++) {
        if ((st = try_alias(x, c.key[0], c.key[i], &found)) != QMGR_ROUTE_OK || found)
            return st;
    }
    switch (lookup_mailbox(x->m, &c, &mailbox, &error)) {
    case MAP_FOUND:
        return add_final(x, address, mailbox);
    case MAP_TEMPFAIL:
        x->error = err_fmt("mailboxes lookup of %s: %s", c.key[0], error);
        return QMGR_ROUTE_TEMPFAIL;
    case MAP_NOTFOUND:
    default:
        break;
    }
    for (; !final_only && i < c.count; i++) {
        if ((st = try_alias(x, c.key[0], c.key[i], &found)) != QMGR_ROUTE_OK || found)
            return st;
    }
    x->error = err_fmt("%s: no such mailbox or alias", c.key[0]);
    return QMGR_ROUTE_UNKNOWN;
}

/* qmgr_route_expand - expand address into list, all or nothing */
enum qmgr_route_status qmgr_route_expand(struct qmgr_maps *m, const char *address,
                                         struct qmgr_route_list *list, const char **error_r)
{
    struct expand *x = xcalloc(1, sizeof(*x));
    size_t before = list->count;
    enum qmgr_route_status st;

    x->m = m;
    x->list = list;
    st = expand_address(x, address, false);
    if (st != QMGR_ROUTE_OK)
        list_truncate(list, before);
    *error_r = x->error;
    xfree(x);
    return st;
}

/* qmgr_route_reply - the table from a routing failure to a reply */
void qmgr_route_reply(enum qmgr_route_status st, int *status_r, const char **dsn_r, const char **text_r)
{
    static const struct {
        int status;
        const char *dsn, *text;
    } replies[] = {
        [QMGR_ROUTE_OK] = { 0, "2.0.0", "Ok" },
        [QMGR_ROUTE_TEMPFAIL] = { 4, "4.3.0", "Temporary lookup failure" },
        [QMGR_ROUTE_UNKNOWN] = { 5, "5.1.1", "Recipient address rejected: User unknown" },
        [QMGR_ROUTE_SYNTAX] = { 5, "5.1.3", "Bad recipient address syntax" },
        [QMGR_ROUTE_LOOP] = { 5, "5.4.6", "Alias expansion loop" },
        [QMGR_ROUTE_TOO_MANY] = { 5, "5.5.3", "Too many recipients after alias expansion" },
    };

    *status_r = replies[st].status;
    *dsn_r = replies[st].dsn;
    *text_r = replies[st].text;
}
