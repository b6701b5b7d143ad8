/* SPDX-License-Identifier: MIT
 * qmgr_route - where a recipient goes: alias expansion and the mailbox map.
 *
 * Owns the read-only maps qmgr routes with ($data_directory/maps/aliases
 * and .../mailboxes, and the system aliases of alias_maps). A map file that does not exist is an empty map; it is
 * opened at the first lookup after it appears, and from then on lib/map
 * follows replacements. Any lookup error is a temporary failure.
 *
 * An address whose domain is one of mydestination's (system names: root,
 * postmaster, a cron job's user; map_sysalias.h) is resolved ONLY through
 * the alias_maps maps, keys the canonical local part ("name+ext", then
 * "name"), maps in order; not found is 5.1.1. Its value is expanded like a
 * virtual alias, except that a member without '@' is a local name in the
 * same mydestination domain; "|command", "/file" and ":include:" members
 * are not supported (a configuration error: temporary failure). A system
 * alias naming itself cannot be final (there are no local mailboxes).
 *
 * The order for any other address (each step on its canonical keys,
 * map_key.h):
 *   1. aliases: "user+ext@domain", then "user@domain";
 *   2. mailboxes: the same two keys: found = a final recipient;
 *   3. aliases: "@domain" (the catch-all catches only addresses that are
 *      neither an alias nor a mailbox);
 *   4. otherwise the address routes nowhere (5.1.1).
 * An alias value is a comma-separated list; each member is expanded the
 * same way. A member equal to the address it came from is final (step 2
 * only), so "alice: alice, archive" keeps a copy. Any other repetition on
 * the expansion path is a loop (5.4.6).
 *
 * Trusts: the maps' contents are the administrator's (a malformed member
 * is a configuration error: temporary failure, the mail stays queued);
 * the address comes from a submitter and is checked by map_key.
 * Limits: virtual_alias_recursion_limit nested aliases (at most
 * QMGR_ROUTE_DEPTH_CAP), virtual_alias_expansion_limit final
 * recipients per message (deduplicated by mailbox).
 *
 * See also: docs/queue.md ("Maps the mail path reads"), map.h, map_key.h.
 */
#ifndef PETREL_QMGR_ROUTE_H
#define PETREL_QMGR_ROUTE_H

#include <stddef.h>

#include "map/map.h"

/* Defaults of virtual_alias_recursion_limit and virtual_alias_expansion_limit
 * (qmgr_maps_set_limits), and the largest depth the parameter allows. */
#define QMGR_ROUTE_DEPTH_MAX 20
#define QMGR_ROUTE_TOTAL_MAX 1000
#define QMGR_ROUTE_DEPTH_CAP 100

enum qmgr_route_status {
    QMGR_ROUTE_OK,
    QMGR_ROUTE_TEMPFAIL, /* 4.3.0: a map could not be read, or a bad alias */
    QMGR_ROUTE_UNKNOWN,  /* 5.1.1: no alias and no mailbox */
    QMGR_ROUTE_SYNTAX,   /* 5.1.3: not a valid address */
    QMGR_ROUTE_LOOP,     /* 5.4.6: alias loop or nesting too deep */
    QMGR_ROUTE_TOO_MANY, /* 5.5.3: more than QMGR_ROUTE_TOTAL_MAX finals */
};

struct qmgr_maps;

/* One final recipient of a message. */
struct qmgr_final {
    char *address; /* as written by the client or in the alias value */
    char *mailbox; /* Maildir path below virtual_mailbox_base */
};

/* The final recipients of one message so far (deduplicated by mailbox). */
struct qmgr_route_list {
    struct qmgr_final *v;
    size_t count, cap;
};

/* qmgr_maps_create - the maps in dir (aliases, mailboxes); delims is the
 * recipient_delimiter (copied; "" for none). Nothing is opened yet. */
struct qmgr_maps *qmgr_maps_create(const char *dir, const char *delims);
/* qmgr_maps_set_system - the mydestination domains and the alias_maps
 * maps (map_sysalias.h); without this call no domain is a system domain.
 * 0, or -1 with an error (a bad mydestination entry: a configuration
 * error) */
int qmgr_maps_set_system(struct qmgr_maps *m, const char *mydestination, const char *alias_maps,
                         const char **error_r);
/* qmgr_maps_set_limits - the nesting depth (capped at QMGR_ROUTE_DEPTH_CAP)
 * and the final-recipient total of one expansion; 0 keeps a default */
void qmgr_maps_set_limits(struct qmgr_maps *m, unsigned depth, size_t total);
/* qmgr_maps_destroy - close and free; accepts NULL */
void qmgr_maps_destroy(struct qmgr_maps **m_r);

/* qmgr_route_expand - append the final recipients of address to list
 * (skipping mailboxes already there). On failure the list keeps what it
 * had; *error_r says why (for the log). */
enum qmgr_route_status qmgr_route_expand(struct qmgr_maps *m, const char *address,
                                         struct qmgr_route_list *list, const char **error_r);
/* qmgr_route_mailbox - the mailbox of a final recipient (step 2 only):
 * MAP_FOUND with *mailbox_r (malloc'd), MAP_NOTFOUND, or MAP_TEMPFAIL */
enum map_result qmgr_route_mailbox(struct qmgr_maps *m, const char *address, char **mailbox_r,
                                   const char **error_r);
/* qmgr_route_list_free - free the entries (the list can be reused) */
void qmgr_route_list_free(struct qmgr_route_list *list);
/* qmgr_route_reply - the status (4 or 5), dsn and client text of a failure */
void qmgr_route_reply(enum qmgr_route_status st, int *status_r, const char **dsn_r, const char **text_r);

/* qmgr_route_quota - the "quotas" entry ("BYTES[,MESSAGES]") of the key
 * under which address has its mailbox; MAP_NOTFOUND when there is none; a
 * malformed entry or a map error is MAP_TEMPFAIL */
enum map_result qmgr_route_quota(struct qmgr_maps *m, const char *address, char **quota_r,
                                 const char **error_r);

#endif
