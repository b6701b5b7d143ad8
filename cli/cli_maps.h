/* SPDX-License-Identifier: MIT
 * cli_maps - what "petrel domain", "petrel user" and "petrel alias" share:
 * the maps of an instance ($data_directory/maps/domains, mailboxes,
 * aliases, passwords, quotas; schema in docs/queue.md) and the validation of the
 * domains and addresses that become their keys.
 *
 * The quotas map is optional: a writer opens it only if it exists and
 * creates it at the first cli_maps_put; deleting from it while it does
 * not exist does nothing.
 *
 * Modes: domains, mailboxes, aliases and quotas are 0644 (daemons running as the
 * mail owner read them), passwords 0600 (only authd, before it drops
 * privileges). Run as root, every map belongs to the owner of the
 * configuration directory: root for a system or root-made instance (so the
 * mail owner can read but never change them), the user for an instance a
 * user made; run as anyone else, to the invoker. A writer creates missing
 * maps and puts a wrong owner or mode right (with a warning).
 *
 * Validation is stricter than the map keys need (map_key.h): domains are
 * LDH names, addresses are dot-atoms, so that every key is also a valid
 * unquoted address and a safe Maildir path. Canonical forms come from
 * map_key_canon. Trusts: the administrator's command line, checked anyway.
 *
 * See also: cli.h, map/map.h, map/map_key.h, docs/queue.md.
 */
#ifndef PETREL_CLI_MAPS_H
#define PETREL_CLI_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "map/map.h"

#define CLI_MAPS_DOMAIN_MAX 253
#define CLI_MAPS_LABEL_MAX 63
#define CLI_MAPS_LOCAL_MAX 64
/* the value of a domains map entry */
#define CLI_MAPS_DOMAIN_VALUE "virtual"

enum cli_map_id {
    CLI_MAP_DOMAINS,
    CLI_MAP_MAILBOXES,
    CLI_MAP_ALIASES,
    CLI_MAP_PASSWORDS,
    CLI_MAP_QUOTAS, /* optional: absent until the first quota is set */
    CLI_MAP_COUNT,
};

struct config;

struct cli_maps {
    const char *cmd; /* for error messages: "petrel CMD: ..." */
    struct config *cfg;
    char *dir; /* $data_directory/maps */
    uid_t uid; /* the maps' owner (when we are root) */
    gid_t gid;
    struct map *map[CLI_MAP_COUNT]; /* NULL: not opened, or absent (read-only) */
};

struct cli_map_entry {
    char *key, *value;
};

struct cli_map_entries {
    struct cli_map_entry *e;
    size_t count, cap;
};

struct cli_args {
    const char *action; /* argv[1]: "add", "del", ... (NULL if missing) */
    bool help;          /* -h or --help anywhere */
    unsigned int flags; /* bit i: names[i] was given */
    char **operands;    /* the rest, in order (flags taken out) */
    int count;
};

/* cli_maps_args - split a subcommand's argv: argv[1] is the action, then
 * flags (the "--name" strings in names, NULL-terminated, anywhere before
 * "--") and operands. EX_OK, or EX_USAGE after printing the error */
int cli_maps_args(const char *cmd, int argc, char **argv, const char *const *names, struct cli_args *a);
/* cli_args_free - free what cli_maps_args allocated */
void cli_args_free(struct cli_args *a);

/* cli_maps_open - load the configuration and open the maps: for writing,
 * all of them (created when missing, owner and mode put right; quotas only
 * if it exists); otherwise the public ones (all but passwords) read-only,
 * a missing one standing for an empty map.
 * EX_OK, or an exit status after printing the error */
int cli_maps_open(struct cli_maps *mm, const char *cmd, const char *config_dir, bool write);
/* cli_maps_close - close every map and free the configuration */
void cli_maps_close(struct cli_maps *mm);
/* cli_maps_mailbox_base - the value of virtual_mailbox_base */
const char *cli_maps_mailbox_base(const struct cli_maps *mm);

/* cli_maps_lookup - 1 found (*value_r malloc'd), 0 not found, -1 error
 * (printed) */
int cli_maps_lookup(struct cli_maps *mm, enum cli_map_id id, const char *key, char **value_r);
/* cli_maps_exists - 1, 0, or -1 (printed) */
int cli_maps_exists(struct cli_maps *mm, enum cli_map_id id, const char *key);
/* cli_maps_collect - the entries of a map in key order; with domain, only
 * the keys "...@domain". 0, or -1 (printed) */
int cli_maps_collect(struct cli_maps *mm, enum cli_map_id id, const char *domain,
                     struct cli_map_entries *out);
/* cli_maps_list - print "KEY VALUE" lines of map id, of one domain (which
 * must exist) or all; an exit status (errors printed as "petrel CMD: ...") */
int cli_maps_list(struct cli_maps *mm, enum cli_map_id id, const char *domain);
/* cli_map_entries_free - free collected entries */
void cli_map_entries_free(struct cli_map_entries *out);
/* cli_maps_delete_all - delete keys[0..n) from a map in one batch.
 * 0, or -1 (printed; nothing deleted) */
int cli_maps_delete_all(struct cli_maps *mm, enum cli_map_id id, const struct cli_map_entries *keys);
/* cli_maps_put - store key = value; 0, or -1 (printed) */
int cli_maps_put(struct cli_maps *mm, enum cli_map_id id, const char *key, const char *value);
/* cli_maps_delete - remove key; 0, or -1 (printed) */
int cli_maps_delete(struct cli_maps *mm, enum cli_map_id id, const char *key);

/* cli_maps_domain - check a domain name (LDH labels of 1..63 bytes, at
 * most 253 bytes, no IP address or [literal]) and write its canonical
 * form (lower case, no trailing dot). 0, or -1 with a precise error */
int cli_maps_domain(const char *in, char out[MAP_KEY_MAX + 1], const char **error_r);
/* cli_maps_address - check LOCAL@DOMAIN (or "@DOMAIN" when catchall_ok)
 * and write its canonical form. The local part is a dot-atom of at most 64
 * bytes without '/'. 0, or -1 with a precise error */
int cli_maps_address(const char *in, bool catchall_ok, char out[MAP_KEY_MAX + 1], const char **error_r);
/* cli_maps_domain_of - the domain of a canonical address key */
const char *cli_maps_domain_of(const char *addr);
/* cli_maps_mailbox_path - "DOMAIN/LOCAL/" of a canonical address: the
 * Maildir below virtual_mailbox_base. 0, or -1 if it does not fit */
int cli_maps_mailbox_path(const char *addr, char *out, size_t size);
/* cli_maps_list_has - does the target list "a, b" name addr? */
bool cli_maps_list_has(const char *list, const char *addr);
/* cli_maps_targets - check a comma-separated list of alias targets (full
 * addresses), refusing duplicates, and write the canonical list "a, b" to
 * out. 0, or -1 with a precise error */
int cli_maps_targets(const char *const *args, size_t n, char *out, size_t size, const char **error_r);

#endif
