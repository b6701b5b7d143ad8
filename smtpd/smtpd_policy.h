/* SPDX-License-Identifier: MIT
 * smtpd_policy - who may send to whom: mynetworks (client address
 * matching), recipient checks against the maps, and the relay decision.
 *
 * Pure functions over a small interface: the maps are reached through a
 * lookup callback, so the unit tests drive them with real temporary LMDB
 * maps or with a table, and the fuzz target with nothing at all.
 *
 * Input: mynetworks from petrel.conf (trusted but checked: a bad entry is
 * an error, never "match everything"); recipient addresses already parsed
 * by smtp_addr (untrusted content, bounded lengths); map values are not
 * read, only whether a key exists.
 *
 * A recipient in a mydestination domain (system names, map_sysalias.h)
 * is ours: postmaster is always accepted; otherwise the local part (then
 * the local part without its extension) must be a key of an alias_maps
 * map, else 550 5.1.1. The domains map is not consulted for it.
 * Limits: SMTPD_NETWORKS_MAX entries; keys as map_key (MAP_KEY_MAX).
 *
 * See also: smtpd_cmd.c (RCPT, VRFY), map.h, map_key.h, THREATS.md b.2.
 */
#ifndef PETREL_SMTPD_POLICY_H
#define PETREL_SMTPD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "map/map.h"
#include "map/map_sysalias.h"

#define SMTPD_NETWORKS_MAX 1024

struct smtp_addr;

/* One CIDR block: IPv4 blocks are kept as IPv4-mapped IPv6 (::ffff:a.b.c.d
 * with prefix + 96), so one comparison covers both families. */
struct smtpd_network {
    unsigned char addr[16];
    unsigned prefix; /* 0..128 */
};

struct smtpd_networks {
    size_t count;
    struct smtpd_network net[SMTPD_NETWORKS_MAX];
};

/* smtpd_networks_parse - parse "a.b.c.d/n [v6::]/n v6::/n a.b.c.d ..."
 * (separated by spaces or commas; a missing prefix means one host). 0, or
 * -1 with an error naming the first bad entry (nets is then empty). */
int smtpd_networks_parse(const char *text, struct smtpd_networks *nets, const char **error_r);
/* smtpd_networks_match_text - is the textual address (IPv4, IPv6, or
 * IPv4-mapped IPv6) inside one of the blocks? false for anything else */
bool smtpd_networks_match_text(const struct smtpd_networks *nets, const char *addr);

enum smtpd_map_id {
    SMTPD_MAP_DOMAINS,
    SMTPD_MAP_MAILBOXES,
    SMTPD_MAP_ALIASES,
    SMTPD_MAP_SYSTEM_ALIASES, /* alias_maps; keys are local names */
};

/* smtpd_lookup_fn - is key in the map? FOUND (with its value in
 * *value_r, to free, unless value_r is NULL), NOTFOUND or TEMPFAIL with
 * *error_r */
typedef enum map_result smtpd_lookup_fn(void *ctx, enum smtpd_map_id map, const char *key, char **value_r,
                                        const char **error_r);

struct smtpd_policy {
    smtpd_lookup_fn *lookup;
    void *lookup_ctx;
    const struct smtpd_networks *mynetworks;
    const char *recipient_delimiter; /* "" or NULL: no extensions */
    const char *mydomain;            /* for <postmaster> */
    /* mydestination: system domains, resolved only through alias_maps
     * (SMTPD_MAP_SYSTEM_ALIASES); NULL: none */
    const struct map_sysalias_domains *mydestination;
};

enum smtpd_verdict {
    SMTPD_RCPT_LOCAL,        /* ours, and the address exists */
    SMTPD_RCPT_RELAY,        /* not ours, relaying allowed (mynetworks) */
    SMTPD_RCPT_UNKNOWN,      /* ours, no such user: 550 5.1.1 */
    SMTPD_RCPT_BAD_LOCAL,    /* ours, a local part never valid here: 550 5.1.3 */
    SMTPD_RCPT_ROUTING,      /* source route / %, !, @ on our domain: 554 5.7.1 */
    SMTPD_RCPT_RELAY_DENIED, /* not ours, client not trusted: 554 5.7.1 */
    SMTPD_RCPT_TEMPFAIL,     /* a map lookup failed: 451 4.3.0 */
};

struct smtpd_rcpt_result {
    enum smtpd_verdict verdict;
    bool relay_allowed; /* the policy would allow relaying this one */
    int code;           /* the SMTP reply */
    const char *ecode;
    const char *text;                   /* "Recipient address rejected: User unknown" */
    char address[MAP_KEY_MAX + 1 + 16]; /* the recipient to queue ("postmaster@mydomain") */
    const char *error;                  /* TEMPFAIL: the map's reason, for the log */
};

/* smtpd_policy_rcpt - decide about one recipient for a client that is
 * (trusted) or is not in mynetworks. Returns 0 when the recipient is
 * accepted (result->code 250), -1 when refused (code/ecode/text set). */
int smtpd_policy_rcpt(const struct smtpd_policy *pol, const struct smtp_addr *rcpt, bool trusted,
                      struct smtpd_rcpt_result *result);

/* smtpd_policy_sender_owned - may the authenticated account user send
 * as sender? Yes for the null sender, for user itself (an extension
 * such as user+tag included), and for an alias (the aliases map, one
 * level, catch-alls excepted) that names user among its targets. 0 with
 * *owned_r, or -1 with an error (a map could not be read: 4xx) */
int smtpd_policy_sender_owned(const struct smtpd_policy *pol, const char *sender, const char *user,
                              bool *owned_r, const char **error_r);

/* smtpd_policy_maps_open - open the domains, mailboxes and aliases maps
 * in DIR/maps/ (read-only, errors deferred to lookups: a missing file is
 * an empty map) */
struct smtpd_maps;
struct smtpd_maps *smtpd_policy_maps_open(const char *data_directory);
/* smtpd_policy_maps_set_system - parse mydestination (kept in m: see
 * smtpd_policy_maps_mydestination) and remember the alias_maps maps; 0, or
 * -1 with an error (a bad entry: a configuration error) */
int smtpd_policy_maps_set_system(struct smtpd_maps *m, const char *mydestination, const char *alias_maps,
                                 const char **error_r);
/* smtpd_policy_maps_mydestination - the parsed mydestination, for
 * struct smtpd_policy (lives as long as m) */
const struct map_sysalias_domains *smtpd_policy_maps_mydestination(const struct smtpd_maps *m);
/* smtpd_policy_maps_close - close them all; accepts NULL */
void smtpd_policy_maps_close(struct smtpd_maps **m_r);
/* smtpd_policy_maps_lookup - the smtpd_lookup_fn for smtpd_maps */
enum map_result smtpd_policy_maps_lookup(void *ctx, enum smtpd_map_id map, const char *key, char **value_r,
                                         const char **error_r);

#endif
