/* SPDX-License-Identifier: MIT
 * cli_user - "petrel user add|del|list|passwd|quota": virtual mailboxes
 * (the mailboxes map: address -> Maildir path below virtual_mailbox_base),
 * their passwords (the passwords map: address -> crypt(3) hash) and their
 * optional quotas (the quotas map: address -> "BYTES[,MESSAGES]").
 *
 * Invariants kept across the two maps, which cannot share a transaction:
 * a password never exists without its mailbox (add writes the mailbox
 * first and takes it back if the password cannot be stored; del removes
 * the password first), a quota never without its mailbox (set after the
 * mailbox, removed before it), a mailbox never without its domain, and an address
 * is a mailbox or an alias, never both. Maildirs are never created or
 * removed here: local creates one at the first delivery, and a deleted
 * mailbox's mail stays on disk.
 *
 * Trusts: the administrator's command line (checked: cli_maps_address);
 * passwords are wiped from memory as soon as they are hashed.
 *
 * Quota usage is counted here from the file sizes in new/ and cur/ of the
 * Maildir and its folders, read-only: maildirsize belongs to the mailbox
 * owner (local writes it), so root must not recreate it.
 *
 * See also: cli_maps.h, cli_password.h, cli_domain.c, docs/maildir.md.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "cli_maps.h"
#include "cli_password.h"
#include "mail/config.h"
#include "mail/params.h"
#include "util/alloc.h"
#include "util/err.h"

#define CMD "user"
#define FLAG_STDIN 1u
#define FLAG_QUOTA 2u
/* "BYTES,MESSAGES" with at most 13 + 18 digits */
#define QUOTA_VALUE_MAX 40

static const char *const user_flags[] = { "--password-stdin", "--quota", NULL };

static const char user_help[] =
    "Usage: petrel [-c DIR] user add [--password-stdin] [--quota SIZE[,MESSAGES]]\n"
    "                                ADDRESS\n"
    "       petrel [-c DIR] user del ADDRESS\n"
    "       petrel [-c DIR] user list [DOMAIN]\n"
    "       petrel [-c DIR] user passwd [--password-stdin] ADDRESS\n"
    "       petrel [-c DIR] user quota ADDRESS [SIZE[,MESSAGES]]\n"
    "\n"
    "Manage mailboxes of the virtual domains (petrel domain) and their\n"
    "passwords. Changes take effect at once: no reload.\n"
    "\n"
    "  add ADDRESS     create the mailbox LOCAL@DOMAIN (stored in lower case; the\n"
    "                  domain must exist) with the Maildir DOMAIN/LOCAL/ below\n"
    "                  virtual_mailbox_base, and set its password (and quota)\n"
    "  del ADDRESS     delete the mailbox, its password and quota; the Maildir and\n"
    "                  the mail in it are kept on disk\n"
    "  list [DOMAIN]   every mailbox (of DOMAIN) as \"ADDRESS MAILDIR\", sorted\n"
    "  passwd ADDRESS  set a new password\n"
    "  quota ADDRESS [SIZE[,MESSAGES]]\n"
    "                  show the quota and usage of the mailbox, or set its quota:\n"
    "                  SIZE in bytes or with k, m or g (at most 1024g), MESSAGES a\n"
    "                  count; 0 is no limit. Without a quota of its own a mailbox\n"
    "                  has mailbox_quota_default; over quota, mail is deferred\n"
    "                  (4.2.2) or, with mailbox_quota_action = bounce, returned\n"
    "                  (5.2.2)\n"
    "\n"
    "The password is asked twice on the terminal, without echo. With\n"
    "--password-stdin it is the first line of standard input instead (for\n"
    "scripts; a password is never taken from the command line). It is stored\n"
    "as a yescrypt hash (crypt(3)). A local part is at most 64 bytes of\n"
    "letters, digits, dots (not first, last or doubled) and !#$%&'*+=?^_`{|}~-.\n"
    "\n"
    "Exit status: 0 done; 64 bad command line; 65 invalid address, password or\n"
    "quota; "
    "69 no such domain or mailbox, or the mailbox exists (add); 74 a map\n"
    "could not be read or written; 78 broken configuration.\n";

/* new_hash - read a new password and hash it; the password is wiped */
static int new_hash(bool from_stdin, char hash[CLI_PASSWORD_HASH_MAX])
{
    char pw[CLI_PASSWORD_MAX];
    const char *error;
    int ret;

    ret = cli_password_read(from_stdin, pw, sizeof(pw), &error);
    if (ret == 0)
        ret = cli_password_hash(pw, NULL, hash, CLI_PASSWORD_HASH_MAX, &error);
    explicit_bzero(pw, sizeof(pw));
    if (ret < 0)
        cli_error(CMD, "%s", error);
    return ret;
}

/* check_new - the domain exists, and the address is neither a mailbox
 * nor an alias yet; EX_OK or an exit status (printed) */
static int check_new(struct cli_maps *mm, const char *addr)
{
    const char *domain = cli_maps_domain_of(addr);
    int dom = cli_maps_exists(mm, CLI_MAP_DOMAINS, domain);
    int mb = dom > 0 ? cli_maps_exists(mm, CLI_MAP_MAILBOXES, addr) : 0;
    int al = dom > 0 && mb == 0 ? cli_maps_exists(mm, CLI_MAP_ALIASES, addr) : 0;

    if (dom < 0 || mb < 0 || al < 0)
        return EX_IOERR;
    if (dom == 0)
        cli_error(CMD, "no domain %s (add it first: petrel domain add %s)", domain, domain);
    else if (mb > 0)
        cli_error(CMD, "mailbox %s already exists (petrel user passwd changes its password)", addr);
    else if (al > 0)
        cli_error(CMD, "%s is an alias; delete it first (petrel alias del %s)", addr, addr);
    return dom == 0 || mb > 0 || al > 0 ? EX_UNAVAILABLE : EX_OK;
}

/* parse_quota - "SIZE[,MESSAGES]" (SIZE as mailbox_quota_default takes
 * it) to the quotas map's value "BYTES" or "BYTES,MESSAGES" */
static int parse_quota(const char *in, char out[QUOTA_VALUE_MAX], const char **error_r)
{
    char size[32];
    const char *comma = strchr(in, ','), *error, *p;
    size_t len = comma != NULL ? (size_t)(comma - in) : strlen(in);
    struct params scratch;
    uint64_t count = 0;

    if (len == 0 || len >= sizeof(size))
        return errf(error_r, "quota \"%.40s\": give SIZE[,MESSAGES]", in);
    memcpy(size, in, len);
    size[len] = '\0';
    if (param_parse(param_lookup("mailbox_quota_default"), size, &scratch, &error) < 0)
        return errf(error_r, "quota size \"%s\": a number of bytes, or with k, m or g, at most 1024g", size);
    if (comma != NULL) {
        for (p = comma + 1; *p >= '0' && *p <= '9' && p - comma <= 18; p++)
            count = count * 10 + (uint64_t)(*p - '0');
        if (p == comma + 1 || *p != '\0')
            return errf(error_r, "quota messages \"%.40s\": a count of 1 to 18 digits", comma + 1);
    }
    if (count > 0)
        snprintf(out, QUOTA_VALUE_MAX, "%" PRId64 ",%" PRIu64, scratch.mailbox_quota_default, count);
    else
        snprintf(out, QUOTA_VALUE_MAX, "%" PRId64, scratch.mailbox_quota_default);
    return 0;
}

/* count_dir - add the sizes and number of the files in dir to the sums */
static void count_dir(const char *dir, uint64_t *bytes, uint64_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.' && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
            && S_ISREG(st.st_mode)) {
            *bytes += (uint64_t)st.st_size;
            (*count)++;
        }
    }
    closedir(d);
}

/* count_usage - new/ and cur/ of the Maildir root and of each folder */
static void count_usage(const char *root, uint64_t *bytes, uint64_t *count)
{
    DIR *d = opendir(root);
    struct dirent *e;
    char *sub;

    *bytes = *count = 0;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;

        if (strcmp(name, "new") != 0 && strcmp(name, "cur") != 0
            && (name[0] != '.' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0))
            continue;
        if (name[0] == '.') {
            sub = xasprintf("%s/%s/new", root, name);
            count_dir(sub, bytes, count);
            xfree(sub);
            sub = xasprintf("%s/%s/cur", root, name);
        } else {
            sub = xasprintf("%s/%s", root, name);
        }
        count_dir(sub, bytes, count);
        xfree(sub);
    }
    closedir(d);
}

/* user_quota - show the quota and usage of a mailbox, or set its quota */
static int user_quota(struct cli_maps *mm, const char *addr, const char *value)
{
    char *path = NULL, *quota = NULL, *root;
    uint64_t bytes, count;
    int mb = cli_maps_lookup(mm, CLI_MAP_MAILBOXES, addr, &path);
    int q = mb > 0 && value == NULL ? cli_maps_lookup(mm, CLI_MAP_QUOTAS, addr, &quota) : 0;

    if (mb == 0)
        cli_error(CMD, "no mailbox %s", addr);
    if (mb <= 0 || q < 0 || (value != NULL && cli_maps_put(mm, CLI_MAP_QUOTAS, addr, value) < 0)) {
        xfree(path);
        return mb == 0 ? EX_UNAVAILABLE : EX_IOERR;
    }
    if (value != NULL) {
        printf("set the quota of %s to %s\n", addr, value);
    } else {
        root = xasprintf("%s/%s", cli_maps_mailbox_base(mm), path);
        count_usage(root, &bytes, &count);
        if (q > 0)
            printf("quota %s\n", quota);
        else
            printf("quota %" PRId64 " (mailbox_quota_default)\n",
                   config_params(mm->cfg)->mailbox_quota_default);
        printf("usage %" PRIu64 ",%" PRIu64 "\n", bytes, count);
        xfree(root);
    }
    xfree(quota);
    xfree(path);
    return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* put_quota - store the quota, or remove a stale entry (petrel domain del
 * leaves quotas behind) so that it does not apply to a new mailbox */
static int put_quota(struct cli_maps *mm, const char *addr, const char *quota)
{
    if (quota == NULL)
        return cli_maps_delete(mm, CLI_MAP_QUOTAS, addr);
    return cli_maps_put(mm, CLI_MAP_QUOTAS, addr, quota);
}

/* user_add - mailbox first, then its quota and password */
static int user_add(struct cli_maps *mm, const char *addr, bool from_stdin, const char *quota)
{
    char path[MAP_KEY_MAX + 2], hash[CLI_PASSWORD_HASH_MAX];
    int rc;

    if ((rc = check_new(mm, addr)) != EX_OK)
        return rc;
    if (cli_maps_mailbox_path(addr, path, sizeof(path)) < 0) {
        cli_error(CMD, "%s: the Maildir path is too long", addr);
        return EX_DATAERR;
    }
    if (new_hash(from_stdin, hash) < 0)
        return EX_DATAERR;
    if (cli_maps_put(mm, CLI_MAP_MAILBOXES, addr, path) < 0)
        return EX_IOERR;
    if (put_quota(mm, addr, quota) < 0 || cli_maps_put(mm, CLI_MAP_PASSWORDS, addr, hash) < 0) {
        if (cli_maps_delete(mm, CLI_MAP_QUOTAS, addr) < 0 || cli_maps_delete(mm, CLI_MAP_MAILBOXES, addr) < 0)
            cli_error(CMD, "mailbox %s was created without a password; delete it with petrel user del %s",
                      addr, addr);
        return EX_IOERR;
    }
    printf("added mailbox %s: %s/%s\n", addr, cli_maps_mailbox_base(mm), path);
    return EX_OK;
}

/* warn_aliases - name the aliases that still send mail to addr */
static void warn_aliases(struct cli_maps *mm, const char *addr)
{
    struct cli_map_entries all;
    size_t i, n = 0;

    if (cli_maps_collect(mm, CLI_MAP_ALIASES, NULL, &all) < 0)
        return;
    for (i = 0; i < all.count; i++) {
        if (!cli_maps_list_has(all.e[i].value, addr))
            continue;
        if (n++ == 0)
            fprintf(stderr, "petrel %s: warning: aliases still name %s as a target:", CMD, addr);
        fprintf(stderr, " %s", all.e[i].key);
    }
    if (n > 0)
        fputc('\n', stderr);
    cli_map_entries_free(&all);
}

/* user_del - the password and quota first, then the mailbox; the Maildir
 * stays */
static int user_del(struct cli_maps *mm, const char *addr)
{
    char *path;
    int mb = cli_maps_lookup(mm, CLI_MAP_MAILBOXES, addr, &path);
    int pw = mb >= 0 ? cli_maps_exists(mm, CLI_MAP_PASSWORDS, addr) : 0;
    int rc = EX_IOERR;

    if (mb == 0 && pw == 0) {
        cli_error(CMD, "no mailbox %s", addr);
        rc = EX_UNAVAILABLE;
    } else if (mb >= 0 && pw >= 0 && cli_maps_delete(mm, CLI_MAP_PASSWORDS, addr) == 0
               && cli_maps_delete(mm, CLI_MAP_QUOTAS, addr) == 0
               && cli_maps_delete(mm, CLI_MAP_MAILBOXES, addr) == 0) {
        if (mb > 0)
            printf("deleted mailbox %s; mail is kept at %s/%s\n", addr, cli_maps_mailbox_base(mm), path);
        else
            printf("deleted the password of %s (it had no mailbox)\n", addr);
        warn_aliases(mm, addr);
        rc = EX_OK;
    }
    xfree(path);
    return rc;
}

/* user_passwd - replace the password of an existing mailbox */
static int user_passwd(struct cli_maps *mm, const char *addr, bool from_stdin)
{
    char hash[CLI_PASSWORD_HASH_MAX];
    int mb = cli_maps_exists(mm, CLI_MAP_MAILBOXES, addr);

    if (mb < 0)
        return EX_IOERR;
    if (mb == 0) {
        cli_error(CMD, "no mailbox %s", addr);
        return EX_UNAVAILABLE;
    }
    if (new_hash(from_stdin, hash) < 0)
        return EX_DATAERR;
    if (cli_maps_put(mm, CLI_MAP_PASSWORDS, addr, hash) < 0)
        return EX_IOERR;
    printf("changed the password of %s\n", addr);
    return EX_OK;
}

/* user_list - "ADDRESS MAILDIR" lines, of one domain or all */
static int user_list(struct cli_maps *mm, const char *domain)
{
    return cli_maps_list(mm, CLI_MAP_MAILBOXES, domain);
}

/* check_operands - the address (and the quota) in canonical form; with
 * --quota the operand with an '@' is the address, the other the quota */
static int check_operands(const struct cli_args *a, char key[MAP_KEY_MAX + 1], char quota[QUOTA_VALUE_MAX],
                          bool *has_quota_r)
{
    bool list = strcmp(a->action, "list") == 0;
    int addr = a->count == 2 && strchr(a->operands[0], '@') == NULL ? 1 : 0;
    const char *error = NULL;
    int bad = 0;

    *has_quota_r = a->count == 2;
    if (!list)
        bad = cli_maps_address(a->operands[addr], false, key, &error) < 0;
    else if (a->count == 1)
        bad = cli_maps_domain(a->operands[0], key, &error) < 0;
    if (!bad && !list && a->count == 2)
        bad = parse_quota(a->operands[1 - addr], quota, &error) < 0;
    if (bad)
        cli_error(CMD, "%s", error);
    return bad ? EX_DATAERR : EX_OK;
}

/* user_run - check the operands, open the maps, do the action */
static int user_run(const char *config_dir, const struct cli_args *a)
{
    char key[MAP_KEY_MAX + 1], quota[QUOTA_VALUE_MAX];
    struct cli_maps mm;
    bool list = strcmp(a->action, "list") == 0, from_stdin = (a->flags & FLAG_STDIN) != 0, has_quota;
    bool show = strcmp(a->action, "quota") == 0 && a->count == 1;
    int rc;

    if ((rc = check_operands(a, key, quota, &has_quota)) != EX_OK)
        return rc;
    if ((rc = cli_maps_open(&mm, CMD, config_dir, !list && !show)) != EX_OK)
        return rc;
    if (list)
        rc = user_list(&mm, a->count == 1 ? key : NULL);
    else if (strcmp(a->action, "add") == 0)
        rc = user_add(&mm, key, from_stdin, has_quota ? quota : NULL);
    else if (strcmp(a->action, "del") == 0)
        rc = user_del(&mm, key);
    else if (strcmp(a->action, "quota") == 0)
        rc = user_quota(&mm, key, has_quota ? quota : NULL);
    else
        rc = user_passwd(&mm, key, from_stdin);
    cli_maps_close(&mm);
    return rc;
}

/* check_usage - the action and its operands; NULL or the problem */
static const char *check_usage(const struct cli_args *a)
{
    bool takes_pw, quota_flag = (a->flags & FLAG_QUOTA) != 0;

    if (a->action == NULL)
        return "give an action: add, del, list, passwd or quota";
    takes_pw = strcmp(a->action, "add") == 0 || strcmp(a->action, "passwd") == 0;
    if (strcmp(a->action, "list") == 0)
        return a->count <= 1 && a->flags == 0 ? NULL : "list takes at most a DOMAIN";
    if (strcmp(a->action, "quota") == 0)
        return (a->count == 1 || a->count == 2) && a->flags == 0 ? NULL
                                                                 : "quota takes ADDRESS [SIZE[,MESSAGES]]";
    if (!takes_pw && strcmp(a->action, "del") != 0)
        return "unknown action (want add, del, list, passwd or quota)";
    if (quota_flag && strcmp(a->action, "add") != 0)
        return "--quota is only for add";
    if (a->count != (quota_flag ? 2 : 1))
        return quota_flag ? "give one ADDRESS and --quota SIZE[,MESSAGES]" : "give exactly one ADDRESS";
    if ((a->flags & FLAG_STDIN) && !takes_pw)
        return "--password-stdin is only for add and passwd";
    return NULL;
}

/* cli_user - petrel user add|del|list|passwd|quota */
int cli_user(const char *config_dir, int argc, char **argv)
{
    struct cli_args a;
    const char *why;
    int rc = cli_maps_args(CMD, argc, argv, user_flags, &a);

    if (rc == EX_OK && a.help) {
        fputs(user_help, stdout);
    } else if (rc == EX_OK && (why = check_usage(&a)) != NULL) {
        cli_error(CMD, "%s%s%s (see petrel user --help)", a.action ? a.action : "", a.action ? ": " : "",
                  why);
        rc = EX_USAGE;
    } else if (rc == EX_OK) {
        rc = user_run(config_dir, &a);
    }
    cli_args_free(&a);
    return rc;
}
