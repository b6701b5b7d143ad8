/* SPDX-License-Identifier: MIT
 * cli_domain - "petrel domain add|del|list": the virtual domains the
 * instance receives mail for (the domains map, docs/queue.md).
 *
 * Changes take effect at once: daemons read the maps on every lookup. A
 * refused command changes nothing. Deleting a domain that still has
 * mailboxes or aliases is refused unless --force, which removes them too,
 * one batch per map, in the order that keeps every remaining entry valid:
 * aliases, passwords, mailboxes, and the domain last. Maildirs are never
 * removed.
 *
 * Trusts: the administrator's command line (checked: cli_maps_domain).
 *
 * See also: cli_maps.h, cli_user.c, cli_alias.c.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_maps.h"
#include "util/alloc.h"

#define CMD "domain"
#define FLAG_FORCE 1u

static const char *const domain_flags[] = { "--force", NULL };

static const char domain_help[] =
    "Usage: petrel [-c DIR] domain add DOMAIN\n"
    "       petrel [-c DIR] domain del [--force] DOMAIN\n"
    "       petrel [-c DIR] domain list\n"
    "\n"
    "Manage the virtual domains this instance receives mail for (the domains\n"
    "map in $data_directory/maps). Changes take effect at once: no reload.\n"
    "\n"
    "  add DOMAIN   accept mail for DOMAIN; then add mailboxes (petrel user add)\n"
    "               and aliases (petrel alias add). DOMAIN is a host name of\n"
    "               letters, digits, hyphens and dots, stored in lower case; IP\n"
    "               addresses and [literals] are refused.\n"
    "  del DOMAIN   stop accepting mail for DOMAIN. Refused while the domain has\n"
    "               mailboxes or aliases, unless --force, which deletes them too\n"
    "               (and their passwords). Maildirs are kept on disk.\n"
    "  list         every domain, one a line, sorted\n"
    "\n"
    "Exit status: 0 done; 64 bad command line; 65 invalid domain; 69 the domain\n"
    "exists (add), is missing or still in use (del); 74 a map could not be read\n"
    "or written; 78 broken configuration.\n";

/* plural - "1 mailbox", "2 mailboxes" */
static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* domain_add - add one domain */
static int domain_add(struct cli_maps *mm, const char *domain)
{
    int found = cli_maps_exists(mm, CLI_MAP_DOMAINS, domain);

    if (found < 0)
        return EX_IOERR;
    if (found > 0) {
        cli_error(CMD, "domain %s already exists", domain);
        return EX_UNAVAILABLE;
    }
    if (cli_maps_put(mm, CLI_MAP_DOMAINS, domain, CLI_MAPS_DOMAIN_VALUE) < 0)
        return EX_IOERR;
    printf("added domain %s\n", domain);
    return EX_OK;
}

/* domain_purge - remove the domain's aliases, passwords and mailboxes, in
 * that order, one batch each */
static int domain_purge(struct cli_maps *mm, struct cli_map_entries *al, struct cli_map_entries *pw,
                        struct cli_map_entries *mb)
{
    if (cli_maps_delete_all(mm, CLI_MAP_ALIASES, al) < 0)
        return -1;
    if (cli_maps_delete_all(mm, CLI_MAP_PASSWORDS, pw) < 0) {
        cli_error(CMD, "the %zu %s were deleted; run the command again", al->count,
                  plural(al->count, "alias", "aliases"));
        return -1;
    }
    if (cli_maps_delete_all(mm, CLI_MAP_MAILBOXES, mb) < 0) {
        cli_error(CMD, "the aliases and passwords were deleted; run the command again");
        return -1;
    }
    return 0;
}

/* domain_del - delete a domain (with --force, its mailboxes and aliases) */
static int domain_del(struct cli_maps *mm, const char *domain, bool force)
{
    struct cli_map_entries mb = { 0 }, al = { 0 }, pw = { 0 };
    int found = cli_maps_exists(mm, CLI_MAP_DOMAINS, domain), rc = EX_IOERR;

    if (found == 0) {
        cli_error(CMD, "no domain %s", domain);
        return EX_UNAVAILABLE;
    }
    if (found < 0 || cli_maps_collect(mm, CLI_MAP_MAILBOXES, domain, &mb) < 0
        || cli_maps_collect(mm, CLI_MAP_ALIASES, domain, &al) < 0
        || cli_maps_collect(mm, CLI_MAP_PASSWORDS, domain, &pw) < 0)
        goto out;
    if ((mb.count > 0 || al.count > 0) && !force) {
        cli_error(
            CMD,
            "domain %s still has %zu %s and %zu %s; delete them first, or give --force to delete them too",
            domain, mb.count, plural(mb.count, "mailbox", "mailboxes"), al.count,
            plural(al.count, "alias", "aliases"));
        rc = EX_UNAVAILABLE;
        goto out;
    }
    if (domain_purge(mm, &al, &pw, &mb) < 0 || cli_maps_delete(mm, CLI_MAP_DOMAINS, domain) < 0)
        goto out;
    printf("deleted domain %s", domain);
    if (mb.count > 0 || al.count > 0)
        printf(" with %zu %s and %zu %s; mail is kept in %s/%s/", mb.count,
               plural(mb.count, "mailbox", "mailboxes"), al.count, plural(al.count, "alias", "aliases"),
               cli_maps_mailbox_base(mm), domain);
    printf("\n");
    rc = EX_OK;
out:
    cli_map_entries_free(&mb);
    cli_map_entries_free(&al);
    cli_map_entries_free(&pw);
    return rc;
}

/* domain_list - print every domain */
static int domain_list(struct cli_maps *mm)
{
    struct cli_map_entries all;
    size_t i;

    if (cli_maps_collect(mm, CLI_MAP_DOMAINS, NULL, &all) < 0)
        return EX_IOERR;
    for (i = 0; i < all.count; i++)
        printf("%s\n", all.e[i].key);
    cli_map_entries_free(&all);
    return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* domain_run - open the maps and do the action */
static int domain_run(const char *config_dir, const struct cli_args *a)
{
    char domain[MAP_KEY_MAX + 1];
    struct cli_maps mm;
    const char *error;
    bool list = strcmp(a->action, "list") == 0;
    int rc;

    if (!list && cli_maps_domain(a->operands[0], domain, &error) < 0) {
        cli_error(CMD, "%s", error);
        return EX_DATAERR;
    }
    if ((rc = cli_maps_open(&mm, CMD, config_dir, !list)) != EX_OK)
        return rc;
    if (list)
        rc = domain_list(&mm);
    else if (strcmp(a->action, "add") == 0)
        rc = domain_add(&mm, domain);
    else
        rc = domain_del(&mm, domain, (a->flags & FLAG_FORCE) != 0);
    cli_maps_close(&mm);
    return rc;
}

/* check_usage - the action and its operand count; NULL or the problem */
static const char *check_usage(const struct cli_args *a)
{
    if (a->action == NULL)
        return "give an action: add, del or list";
    if (strcmp(a->action, "list") == 0)
        return a->count == 0 && a->flags == 0 ? NULL : "list takes no arguments";
    if (strcmp(a->action, "add") != 0 && strcmp(a->action, "del") != 0)
        return "unknown action (want add, del or list)";
    if (a->count != 1)
        return "give exactly one DOMAIN";
    if ((a->flags & FLAG_FORCE) && strcmp(a->action, "del") != 0)
        return "--force is only for del";
    return NULL;
}

/* cli_domain - petrel domain add|del|list */
int cli_domain(const char *config_dir, int argc, char **argv)
{
    struct cli_args a;
    const char *why;
    int rc = cli_maps_args(CMD, argc, argv, domain_flags, &a);

    if (rc == EX_OK && a.help) {
        fputs(domain_help, stdout);
    } else if (rc == EX_OK && (why = check_usage(&a)) != NULL) {
        cli_error(CMD, "%s%s%s (see petrel domain --help)", a.action ? a.action : "", a.action ? ": " : "",
                  why);
        rc = EX_USAGE;
    } else if (rc == EX_OK) {
        rc = domain_run(config_dir, &a);
    }
    cli_args_free(&a);
    return rc;
}
