/* SPDX-License-Identifier: MIT
 * cli_alias - "petrel alias add|del|list": virtual aliases (the aliases
 * map: "local@domain" or "@domain" (catch-all) -> "a@x, b@y").
 *
 * The aliased address must be in a domain of ours and must not be a
 * mailbox (an address is one or the other); the targets are full
 * addresses, anywhere, stored canonical and without duplicates. Direct
 * loops are refused here: an alias that names itself, and a catch-all
 * "@d" naming an address of d that has no entry of its own (the catch-all
 * would get that mail back). Longer loops are found by qmgr when it
 * expands aliases. A target in our domains that nothing receives is only
 * warned about (it may be added next). Replacing an alias takes --replace.
 *
 * Trusts: the administrator's command line (checked: cli_maps_address,
 * cli_maps_targets).
 *
 * See also: cli_maps.h, cli_user.c, docs/queue.md.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "cli_maps.h"
#include "util/alloc.h"

#define CMD "alias"
#define FLAG_REPLACE 1u

static const char *const alias_flags[] = { "--replace", NULL };

static const char alias_help[] =
    "Usage: petrel [-c DIR] alias add [--replace] ADDRESS TARGET[,TARGET...] [TARGET...]\n"
    "       petrel [-c DIR] alias del ADDRESS\n"
    "       petrel [-c DIR] alias list [DOMAIN]\n"
    "\n"
    "Manage aliases of the virtual domains (petrel domain): mail to ADDRESS\n"
    "goes to every TARGET instead. Changes take effect at once: no reload.\n"
    "\n"
    "  add ADDRESS TARGET...  ADDRESS is LOCAL@DOMAIN, or @DOMAIN for a catch-all\n"
    "                         (mail to any address of DOMAIN without a mailbox or\n"
    "                         an alias of its own); DOMAIN must exist, ADDRESS must\n"
    "                         not be a mailbox. TARGETs are full addresses, here or\n"
    "                         elsewhere, given as separate arguments or separated\n"
    "                         by commas. --replace replaces the targets of an\n"
    "                         existing alias (otherwise that is refused).\n"
    "                         Refused as mail loops: an alias naming itself, and\n"
    "                         a catch-all naming an address of its own domain\n"
    "                         that has no mailbox or alias. A target in one of\n"
    "                         our domains that nothing receives gets a warning.\n"
    "  del ADDRESS            delete the alias\n"
    "  list [DOMAIN]          every alias (of DOMAIN) as \"ADDRESS TARGET, TARGET\"\n"
    "\n"
    "Example: petrel alias add postmaster@example.org alice@example.org,bob@example.org\n"
    "\n"
    "Exit status: 0 done; 64 bad command line; 65 invalid address or target, or\n"
    "an alias to itself; 69 no such domain or alias, the alias exists (add), or\n"
    "ADDRESS is a mailbox; 74 a map could not be read or written; 78 broken\n"
    "configuration.\n";

/* check_target_loop - refuse an alias that is one of its own targets */
static int check_target_loop(const char *addr, const char *targets)
{
    if (!cli_maps_list_has(targets, addr))
        return 0;
    cli_error(CMD, "alias %s names itself as a target (a mail loop)", addr);
    return -1;
}

/* has_own_entry - 1 if target has a mailbox or an alias of its own, 0 if
 * not, -1 on a map error (printed) */
static int has_own_entry(struct cli_maps *mm, const char *target)
{
    int r = cli_maps_exists(mm, CLI_MAP_MAILBOXES, target);

    return r != 0 ? r : cli_maps_exists(mm, CLI_MAP_ALIASES, target);
}

/* is_known - 1 if mail to target has somewhere to go here, or target is
 * not in a domain of ours; 0 if not; -1 on a map error (printed) */
static int is_known(struct cli_maps *mm, const char *target)
{
    const char *domain = cli_maps_domain_of(target);
    int r = cli_maps_exists(mm, CLI_MAP_DOMAINS, domain);

    if (r != 1)
        return r == 0 ? 1 : -1;
    if ((r = has_own_entry(mm, target)) != 0)
        return r;
    return cli_maps_exists(mm, CLI_MAP_ALIASES, domain - 1); /* its "@domain" */
}

/* next_target - end the current item of a canonical list "a, b" (in
 * place) and return the next one, or NULL */
static char *next_target(char *t)
{
    char *next = strstr(t, ", ");

    if (next == NULL)
        return NULL;
    *next = '\0';
    return next + 2;
}

/* check_catchall_loop - a catch-all "@d" whose target in d has no entry
 * of its own would receive its own mail again: refuse it. EX_OK, or an
 * exit status (printed) */
static int check_catchall_loop(struct cli_maps *mm, const char *addr, const char *targets)
{
    char *list = xstrdup(targets), *t, *next;
    int rc = EX_OK, r;

    for (t = list; addr[0] == '@' && t != NULL && rc == EX_OK; t = next) {
        next = next_target(t);
        if (strcmp(cli_maps_domain_of(t), addr + 1) != 0)
            continue;
        if ((r = has_own_entry(mm, t)) < 0) {
            rc = EX_IOERR;
        } else if (r == 0) {
            cli_error(CMD, "catch-all %s sends to %s, which has no mailbox or alias of its own: a mail loop",
                      addr, t);
            rc = EX_DATAERR;
        }
    }
    xfree(list);
    return rc;
}

/* warn_unknown - name the targets in our domains where nothing receives
 * mail (usually a typo); the alias is stored anyway */
static void warn_unknown(struct cli_maps *mm, const char *targets)
{
    char *list = xstrdup(targets), *t, *next;

    for (t = list; t != NULL; t = next) {
        next = next_target(t);
        if (is_known(mm, t) == 0)
            cli_error(CMD, "warning: %s has no mailbox or alias (and its domain no catch-all)", t);
    }
    xfree(list);
}

/* alias_add - add (or with --replace, replace) one alias */
static int alias_add(struct cli_maps *mm, const char *addr, const char *targets, bool replace)
{
    const char *domain = cli_maps_domain_of(addr);
    int dom = cli_maps_exists(mm, CLI_MAP_DOMAINS, domain);
    int mb = dom > 0 ? cli_maps_exists(mm, CLI_MAP_MAILBOXES, addr) : 0;
    int al = dom > 0 && mb == 0 ? cli_maps_exists(mm, CLI_MAP_ALIASES, addr) : 0;
    int rc;

    if (dom < 0 || mb < 0 || al < 0)
        return EX_IOERR;
    if (dom == 0) {
        cli_error(CMD, "no domain %s (add it first: petrel domain add %s)", domain, domain);
        return EX_UNAVAILABLE;
    }
    if (mb > 0) {
        cli_error(CMD, "%s is a mailbox; an address is either a mailbox or an alias", addr);
        return EX_UNAVAILABLE;
    }
    if (al > 0 && !replace) {
        cli_error(CMD, "alias %s already exists (give --replace to replace its targets)", addr);
        return EX_UNAVAILABLE;
    }
    if ((rc = check_catchall_loop(mm, addr, targets)) != EX_OK)
        return rc;
    if (cli_maps_put(mm, CLI_MAP_ALIASES, addr, targets) < 0)
        return EX_IOERR;
    warn_unknown(mm, targets);
    printf("%s alias %s: %s\n", al > 0 ? "replaced" : "added", addr, targets);
    return EX_OK;
}

/* alias_del - delete one alias */
static int alias_del(struct cli_maps *mm, const char *addr)
{
    int al = cli_maps_exists(mm, CLI_MAP_ALIASES, addr);

    if (al < 0)
        return EX_IOERR;
    if (al == 0) {
        cli_error(CMD, "no alias %s", addr);
        return EX_UNAVAILABLE;
    }
    if (cli_maps_delete(mm, CLI_MAP_ALIASES, addr) < 0)
        return EX_IOERR;
    printf("deleted alias %s\n", addr);
    return EX_OK;
}

/* alias_list - "ADDRESS TARGETS" lines, of one domain or all */
static int alias_list(struct cli_maps *mm, const char *domain)
{
    return cli_maps_list(mm, CLI_MAP_ALIASES, domain);
}

/* check_operands - validate the operands into key and targets (for add) */
static int check_operands(const struct cli_args *a, bool list, char key[MAP_KEY_MAX + 1], char *targets)
{
    const char *error;
    int ret = 0;

    if (!list)
        ret = cli_maps_address(a->operands[0], true, key, &error);
    else if (a->count == 1)
        ret = cli_maps_domain(a->operands[0], key, &error);
    if (ret == 0 && strcmp(a->action, "add") == 0)
        ret = cli_maps_targets((const char *const *)a->operands + 1, (size_t)a->count - 1, targets,
                               MAP_VALUE_MAX + 1, &error);
    if (ret < 0) {
        cli_error(CMD, "%s", error);
        return -1;
    }
    if (strcmp(a->action, "add") == 0)
        return check_target_loop(key, targets);
    return 0;
}

/* alias_run - check the operands, open the maps, do the action */
static int alias_run(const char *config_dir, const struct cli_args *a)
{
    char key[MAP_KEY_MAX + 1], *targets = xmalloc(MAP_VALUE_MAX + 1);
    struct cli_maps mm;
    bool list = strcmp(a->action, "list") == 0;
    int rc;

    if (check_operands(a, list, key, targets) < 0)
        rc = EX_DATAERR;
    else if ((rc = cli_maps_open(&mm, CMD, config_dir, !list)) == EX_OK) {
        if (list)
            rc = alias_list(&mm, a->count == 1 ? key : NULL);
        else if (strcmp(a->action, "add") == 0)
            rc = alias_add(&mm, key, targets, (a->flags & FLAG_REPLACE) != 0);
        else
            rc = alias_del(&mm, key);
        cli_maps_close(&mm);
    }
    xfree(targets);
    return rc;
}

/* check_usage - the action and its operand count; NULL or the problem */
static const char *check_usage(const struct cli_args *a)
{
    if (a->action == NULL)
        return "give an action: add, del or list";
    if (strcmp(a->action, "list") == 0)
        return a->count <= 1 && a->flags == 0 ? NULL : "list takes at most a DOMAIN";
    if (strcmp(a->action, "add") == 0)
        return a->count >= 2 ? NULL : "give an ADDRESS and at least one TARGET";
    if (strcmp(a->action, "del") != 0)
        return "unknown action (want add, del or list)";
    if (a->flags & FLAG_REPLACE)
        return "--replace is only for add";
    return a->count == 1 ? NULL : "give exactly one ADDRESS";
}

/* cli_alias - petrel alias add|del|list */
int cli_alias(const char *config_dir, int argc, char **argv)
{
    struct cli_args a;
    const char *why;
    int rc = cli_maps_args(CMD, argc, argv, alias_flags, &a);

    if (rc == EX_OK && a.help) {
        fputs(alias_help, stdout);
    } else if (rc == EX_OK && (why = check_usage(&a)) != NULL) {
        cli_error(CMD, "%s%s%s (see petrel alias --help)", a.action ? a.action : "", a.action ? ": " : "",
                  why);
        rc = EX_USAGE;
    } else if (rc == EX_OK) {
        rc = alias_run(config_dir, &a);
    }
    cli_args_free(&a);
    return rc;
}
