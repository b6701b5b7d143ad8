/* SPDX-License-Identifier: MIT
 * smtpd_policy - mynetworks matching, recipient checks and the relay
 * decision.
 *
 * Owns: the parsed mynetworks blocks, and (smtpd_maps) the three
 * read-only map handles. Trusts: nothing from the client; addresses come
 * parsed and bounded from smtp_addr. A map failure is always a temporary
 * failure (451 4.3.0), never "unknown user" and never "relay allowed".
 *
 * Relay tricks (THREATS.md b.2 #17, #18) are closed here: a source route
 * is always refused, and a local part holding '%', '!' or '@' is refused
 * when the domain is ours, so nothing routes through us to a third party.
 *
 * See also: smtpd_policy.h, map.h, map_key.h.
 */
#include "smtpd_policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "mail/word_list.h"
#include "map/map_key.h"
#include "smtp/smtp_addr.h"
#include "util/alloc.h"
#include "util/err.h"
#include "util/msg.h"

/* net_parse_addr - an IPv4 or IPv6 address into mapped 16 bytes; *v4_r */
static int net_parse_addr(const char *s, unsigned char out[16], bool *v4_r)
{
    struct in_addr a4;

    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &a4, 4);
        *v4_r = true;
        return 0;
    }
    *v4_r = false;
    return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

/* net_parse_one - one entry "addr[/len]" or "[v6]/len" */
static int net_parse_one(const char *tok, size_t len, struct smtpd_network *n, const char **error_r)
{
    const char *slash = memchr(tok, '/', len), *a = tok, *p;
    size_t alen = slash != NULL ? (size_t)(slash - tok) : len, plen;
    unsigned long prefix = 0;
    char addr[64];
    bool v4;

    if (alen >= 2 && a[0] == '[' && a[alen - 1] == ']') {
        a++;
        alen -= 2;
    }
    if (alen == 0 || alen >= sizeof(addr))
        return errf(error_r, "bad mynetworks entry \"%.*s\"", (int)(len > 64 ? 64 : len), tok);
    memcpy(addr, a, alen);
    addr[alen] = '\0';
    if (net_parse_addr(addr, n->addr, &v4) < 0)
        return errf(error_r, "bad mynetworks address \"%s\"", addr);
    if (slash == NULL) {
        prefix = v4 ? 32 : 128;
    } else {
        p = slash + 1;
        plen = len - (size_t)(p - tok);
        if (plen == 0 || plen > 3 || strspn(p, "0123456789") < plen)
            return errf(error_r, "bad mynetworks prefix in \"%.*s\"", (int)(len > 64 ? 64 : len), tok);
        for (; plen > 0; plen--, p++)
            prefix = prefix * 10 + (unsigned long)(*p - '0');
        if (prefix > (v4 ? 32ul : 128ul))
            return errf(error_r, "mynetworks prefix length too large in \"%.*s\"", (int)(len > 64 ? 64 : len),
                        tok);
    }
    n->prefix = (unsigned)prefix + (v4 ? 96 : 0);
    return 0;
}

/* smtpd_networks_parse - a list separated by spaces or commas */
int smtpd_networks_parse(const char *text, struct smtpd_networks *nets, const char **error_r)
{
    const char *p = text;
    size_t len;

    nets->count = 0;
    for (;;) {
        p += strspn(p, " \t,");
        if (*p == '\0')
            return 0;
        len = strcspn(p, " \t,");
        if (nets->count == SMTPD_NETWORKS_MAX) {
            nets->count = 0;
            return errf(error_r, "more than %d mynetworks entries", SMTPD_NETWORKS_MAX);
        }
        if (net_parse_one(p, len, &nets->net[nets->count], error_r) < 0) {
            nets->count = 0;
            return -1;
        }
        nets->count++;
        p += len;
    }
}

/* net_match - is addr inside block n? */
static bool net_match(const struct smtpd_network *n, const unsigned char addr[16])
{
    unsigned full = n->prefix / 8, rest = n->prefix % 8;
    unsigned char mask;

    if (memcmp(n->addr, addr, full) != 0)
        return false;
    if (rest == 0)
        return true;
    mask = (unsigned char)(0xff << (8 - rest));
    return (n->addr[full] & mask) == (addr[full] & mask);
}

/* smtpd_networks_match_text - textual address against every block */
bool smtpd_networks_match_text(const struct smtpd_networks *nets, const char *addr)
{
    unsigned char a[16];
    size_t i;
    bool v4;

    if (net_parse_addr(addr, a, &v4) < 0)
        return false;
    for (i = 0; i < nets->count; i++)
        if (net_match(&nets->net[i], a))
            return true;
    return false;
}

/* refuse - fill a refusal */
static int refuse(struct smtpd_rcpt_result *r, enum smtpd_verdict v, int code, const char *ecode,
                  const char *text)
{
    r->verdict = v;
    r->code = code;
    r->ecode = ecode;
    r->text = text;
    return -1;
}

/* accept_rcpt - fill an acceptance */
static int accept_rcpt(struct smtpd_rcpt_result *r, enum smtpd_verdict v)
{
    r->verdict = v;
    r->code = 250;
    r->ecode = "2.1.5";
    r->text = "Ok";
    return 0;
}

/* local_part_unsafe - a local part that can never name a mailbox here:
 * path or program characters (THREATS.md b.6 #47-#49) */
static bool local_part_unsafe(const char *local)
{
    return local[0] == '.' || local[0] == ':' || strpbrk(local, "/|\\") != NULL;
}

/* user_exists - the address in mailboxes, or through aliases: the full
 * address, without its extension, or the "@domain" catch-all */
static enum map_result user_exists(const struct smtpd_policy *pol, const char *addr, const char **error_r)
{
    struct map_key_candidates c;
    enum map_result mr;
    const char *error;
    size_t i;

    if (map_key_candidates(addr, strlen(addr), pol->recipient_delimiter, &c, &error) < 0)
        return MAP_NOTFOUND; /* cannot be a key of any map */
    for (i = 0; i < c.count; i++) {
        if (c.key[i][0] != '@') {
            mr = pol->lookup(pol->lookup_ctx, SMTPD_MAP_MAILBOXES, c.key[i], NULL, error_r);
            if (mr != MAP_NOTFOUND)
                return mr;
        }
        mr = pol->lookup(pol->lookup_ctx, SMTPD_MAP_ALIASES, c.key[i], NULL, error_r);
        if (mr != MAP_NOTFOUND)
            return mr;
    }
    return MAP_NOTFOUND;
}

/* system_alias_exists - a local name of a mydestination domain: its keys
 * ("name+ext", "name") in alias_maps */
static enum map_result system_alias_exists(const struct smtpd_policy *pol, const char *addr,
                                           const char **error_r)
{
    char keys[2][MAP_KEY_MAX + 1];
    enum map_result mr;
    const char *error;
    size_t n, i;

    if (map_sysalias_keys(addr, pol->recipient_delimiter, keys, &n, &error) < 0)
        return MAP_NOTFOUND;
    for (i = 0; i < n; i++)
        if ((mr = pol->lookup(pol->lookup_ctx, SMTPD_MAP_SYSTEM_ALIASES, keys[i], NULL, error_r))
            != MAP_NOTFOUND)
            return mr;
    return MAP_NOTFOUND;
}

/* rcpt_lookup_fn - does the address name a mailbox or an alias here? */
typedef enum map_result rcpt_lookup_fn(const struct smtpd_policy *pol, const char *addr,
                                       const char **error_r);

/* rcpt_ours - a recipient in one of our domains: no routing in the local
 * part, a local part that is safe, and an address lookup finds; with
 * postmaster_ok, "postmaster" is accepted without a lookup (RFC 5321 4.5.1) */
static int rcpt_ours(const struct smtpd_policy *pol, const struct smtp_addr *rcpt, rcpt_lookup_fn *lookup,
                     bool postmaster_ok, struct smtpd_rcpt_result *r)
{
    enum map_result mr;

    r->relay_allowed = false;
    if (rcpt->local_routing)
        return refuse(r, SMTPD_RCPT_ROUTING, 554, "5.7.1", "Relay access denied");
    if (postmaster_ok && strcasecmp(rcpt->local, "postmaster") == 0)
        return accept_rcpt(r, SMTPD_RCPT_LOCAL);
    if (local_part_unsafe(rcpt->local))
        return refuse(r, SMTPD_RCPT_BAD_LOCAL, 550, "5.1.3", "Bad recipient address syntax");
    mr = lookup(pol, rcpt->addr, &r->error);
    if (mr == MAP_TEMPFAIL)
        return refuse(r, SMTPD_RCPT_TEMPFAIL, 451, "4.3.0", "Temporary lookup failure");
    if (mr == MAP_NOTFOUND)
        return refuse(r, SMTPD_RCPT_UNKNOWN, 550, "5.1.1", "Recipient address rejected: User unknown");
    return accept_rcpt(r, SMTPD_RCPT_LOCAL);
}

/* domain_is_ours - is the domain in the domains map? */
static enum map_result domain_is_ours(const struct smtpd_policy *pol, const char *domain,
                                      const char **error_r)
{
    char key[MAP_KEY_MAX + 1];
    const char *error;

    if (domain[0] == '\0' || domain[0] == '[')
        return MAP_NOTFOUND; /* address literals are never our domain */
    if (map_key_canon(domain, strlen(domain), MAP_KEY_DOMAIN, key, &error) < 0)
        return MAP_NOTFOUND;
    return pol->lookup(pol->lookup_ctx, SMTPD_MAP_DOMAINS, key, NULL, error_r);
}

/* smtpd_policy_rcpt - the whole recipient decision */
int smtpd_policy_rcpt(const struct smtpd_policy *pol, const struct smtp_addr *rcpt, bool trusted,
                      struct smtpd_rcpt_result *r)
{
    enum map_result mr;

    memset(r, 0, sizeof(*r));
    r->relay_allowed = trusted;
    if (rcpt->is_postmaster) {
        /* RFC 5321 4.5.1: <postmaster> is always accepted. */
        snprintf(r->address, sizeof(r->address), "postmaster@%s", pol->mydomain);
        return accept_rcpt(r, SMTPD_RCPT_LOCAL);
    }
    snprintf(r->address, sizeof(r->address), "%s", rcpt->addr);
    if (rcpt->had_source_route)
        return refuse(r, SMTPD_RCPT_ROUTING, 554, "5.7.1", "Relay access denied");
    if (rcpt->domain[0] != '[' && map_sysalias_domains_match(pol->mydestination, rcpt->domain))
        return rcpt_ours(pol, rcpt, system_alias_exists, true, r);
    mr = domain_is_ours(pol, rcpt->domain, &r->error);
    if (mr == MAP_TEMPFAIL)
        return refuse(r, SMTPD_RCPT_TEMPFAIL, 451, "4.3.0", "Temporary lookup failure");
    if (mr == MAP_FOUND)
        return rcpt_ours(pol, rcpt, user_exists, false, r);
    if (!trusted)
        return refuse(r, SMTPD_RCPT_RELAY_DENIED, 554, "5.7.1", "Relay access denied");
    /* The client may relay (relay_allowed stays true), but there is no
     * outbound delivery yet (the mail-out issue): until there is, refuse
     * it like any relay. That work only has to accept SMTPD_RCPT_RELAY. */
    return refuse(r, SMTPD_RCPT_RELAY, 554, "5.7.1", "Relay access denied");
}

/* list_names - does the alias value (targets separated by commas or
 * spaces) name the account user (compared canonically)? */
static bool list_names(const char *value, const char *user)
{
    char canon[MAP_KEY_MAX + 1];
    const char *w;
    size_t n;

    while (word_list_next(&value, &w, &n))
        if (map_key_canon(w, n, MAP_KEY_ADDRESS, canon, NULL) == 0 && strcmp(canon, user) == 0)
            return true;
    return false;
}

/* smtpd_policy_sender_owned - see smtpd_policy.h */
int smtpd_policy_sender_owned(const struct smtpd_policy *pol, const char *sender, const char *user,
                              bool *owned_r, const char **error_r)
{
    char user_canon[MAP_KEY_MAX + 1];
    struct map_key_candidates c;
    enum map_result mr;
    char *value;
    size_t i;

    *owned_r = sender[0] == '\0';
    if (*owned_r)
        return 0;
    if (map_key_canon(user, strlen(user), MAP_KEY_ANY, user_canon, NULL) < 0
        || map_key_candidates(sender, strlen(sender), pol->recipient_delimiter, &c, NULL) < 0)
        return 0; /* a name no address can equal, or a sender no key can be */
    for (i = 0; i < c.count && !*owned_r; i++) {
        if (c.key[i][0] == '@')
            continue; /* a catch-all makes nobody the owner of a domain */
        if (strcmp(c.key[i], user_canon) == 0) {
            *owned_r = true;
            break;
        }
        value = NULL;
        mr = pol->lookup(pol->lookup_ctx, SMTPD_MAP_ALIASES, c.key[i], &value, error_r);
        if (mr == MAP_TEMPFAIL)
            return -1;
        if (mr == MAP_FOUND)
            *owned_r = list_names(value, user_canon);
        free(value);
    }
    return 0;
}

struct smtpd_maps {
    char *path[3];
    struct map *map[3];
    struct map_sysalias_domains mydestination;
    struct map_sysalias *system; /* alias_maps, or NULL */
};

static const char *const smtpd_map_names[3] = { "domains", "mailboxes", "aliases" };

/* smtpd_policy_maps_open - remember the three paths; maps open lazily */
struct smtpd_maps *smtpd_policy_maps_open(const char *data_directory)
{
    struct smtpd_maps *m = xcalloc(1, sizeof(*m));
    size_t i;

    for (i = 0; i < 3; i++)
        m->path[i] = xasprintf("%s/maps/%s", data_directory, smtpd_map_names[i]);
    return m;
}

/* smtpd_policy_maps_set_system - mydestination and alias_maps */
int smtpd_policy_maps_set_system(struct smtpd_maps *m, const char *mydestination, const char *alias_maps,
                                 const char **error_r)
{
    return map_sysalias_configure(mydestination, alias_maps, &m->mydestination, &m->system, error_r);
}

/* smtpd_policy_maps_mydestination - the parsed domains */
const struct map_sysalias_domains *smtpd_policy_maps_mydestination(const struct smtpd_maps *m)
{
    return &m->mydestination;
}

/* smtpd_policy_maps_close - close and free */
void smtpd_policy_maps_close(struct smtpd_maps **m_r)
{
    struct smtpd_maps *m = *m_r;
    size_t i;

    if (m == NULL)
        return;
    *m_r = NULL;
    for (i = 0; i < 3; i++) {
        map_close(&m->map[i]);
        free(m->path[i]);
    }
    map_sysalias_destroy(&m->system);
    free(m);
}

/* smtpd_policy_maps_lookup - a map that was never created is empty; once
 * opened, the map's own three-way results apply */
enum map_result smtpd_policy_maps_lookup(void *ctx, enum smtpd_map_id id, const char *key, char **value_r,
                                         const char **error_r)
{
    struct smtpd_maps *m = ctx;
    struct stat st;
    char *value = NULL;
    enum map_result r;

    if (id == SMTPD_MAP_SYSTEM_ALIASES) {
        if (m->system == NULL)
            return MAP_NOTFOUND;
        r = map_sysalias_lookup_key(m->system, key, &value, error_r);
        if (r == MAP_FOUND && value_r != NULL)
            *value_r = value;
        else
            free(value);
        return r;
    }
    if (m->map[id] == NULL) {
        if (stat(m->path[id], &st) < 0 && errno == ENOENT)
            return MAP_NOTFOUND;
        if (map_open(m->path[id], MAP_RDONLY | MAP_DEFER_ERRORS, 0, &m->map[id], error_r) < 0)
            return MAP_TEMPFAIL;
    }
    r = map_lookup(m->map[id], key, &value, error_r);
    if (r == MAP_FOUND && value_r != NULL)
        *value_r = value;
    else
        free(value);
    return r;
}
