/* SPDX-License-Identifier: MIT
 * cli_maps - opening the four maps of an instance with the right owner and
 * mode, small wrappers that print map errors, and the validation of the
 * domains, addresses and alias targets the admin commands store.
 *
 * Every map file is opened by us first with O_NOFOLLOW, checked to be a
 * plain file with one link, and given its owner (the configuration
 * directory's, when we are root) and mode before LMDB opens it;
 * afterwards the path must still name that file. Errors are printed as
 * "petrel CMD: text" here, so callers only choose the exit status.
 *
 * See also: cli_maps.h, map/map.h, map/map_key.h.
 */
#include "cli_maps.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "mail/config.h"
#include "map/map_key.h"
#include "util/alloc.h"
#include "util/err.h"

struct map_spec {
    const char *name;
    mode_t mode;
};

static const struct map_spec map_specs[CLI_MAP_COUNT] = {
    { "domains", 0644 },   { "mailboxes", 0644 }, { "aliases", 0644 },
    { "passwords", 0600 }, { "quotas", 0644 },
};

/* cli_maps_args - action, flags and operands */
int cli_maps_args(const char *cmd, int argc, char **argv, const char *const *names, struct cli_args *a)
{
    bool options = true;
    int i, k;

    memset(a, 0, sizeof(*a));
    a->operands = xcalloc((size_t)argc + 1, sizeof(*a->operands));
    for (i = 1; i < argc; i++) {
        if (options && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            a->help = true;
        } else if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
            for (k = 0; names[k] != NULL && strcmp(names[k], argv[i]) != 0; k++)
                continue;
            if (names[k] == NULL || a->action == NULL) {
                cli_error(cmd, "unknown option \"%s\" (see petrel %s --help)", argv[i], cmd);
                return EX_USAGE;
            }
            a->flags |= 1u << k;
        } else if (a->action == NULL) {
            a->action = argv[i];
        } else {
            a->operands[a->count++] = argv[i];
        }
    }
    return EX_OK;
}

/* cli_args_free - free the operand array */
void cli_args_free(struct cli_args *a)
{
    xfree(a->operands);
    a->count = 0;
}

/* open_map_file - create path exclusively, else open the existing file;
 * never through a symbolic link */
static int open_map_file(const char *path, mode_t mode, bool *created_r)
{
    int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
    int fd = open(path, flags | O_CREAT | O_EXCL, mode);

    *created_r = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, flags);
    return fd;
}

/* fix_owner_mode - give the file the maps' owner (as root) and exactly
 * mode; a change to an existing map is worth a warning */
static const char *fix_owner_mode(const struct cli_maps *mm, const char *path, int fd, const struct stat *st,
                                  mode_t mode, bool created)
{
    bool owner = geteuid() == 0 && (st->st_uid != mm->uid || st->st_gid != mm->gid);
    bool perm = (st->st_mode & 07777) != mode;

    if (owner && fchown(fd, mm->uid, mm->gid) < 0)
        return strerror(errno);
    if (perm && fchmod(fd, mode) < 0)
        return strerror(errno);
    if ((owner || perm) && !created)
        cli_error(mm->cmd, "warning: map %s had owner %ld:%ld and mode %04o; now %ld:%ld, mode %04o", path,
                  (long)st->st_uid, (long)st->st_gid, (unsigned int)(st->st_mode & 07777),
                  (long)(owner ? mm->uid : st->st_uid), (long)(owner ? mm->gid : st->st_gid),
                  (unsigned int)mode);
    return NULL;
}

/* prepare_file - create or check path: a plain file with one link, with
 * the maps' owner (as root) and exactly mode; fills *st_r */
static int prepare_file(const struct cli_maps *mm, const char *path, mode_t mode, struct stat *st_r)
{
    bool created;
    int fd = open_map_file(path, mode, &created);
    const char *why = NULL;

    if (fd < 0) {
        cli_error(mm->cmd, "open map %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, st_r) < 0)
        why = strerror(errno);
    else if (!S_ISREG(st_r->st_mode))
        why = "not a regular file";
    else if (st_r->st_nlink != 1)
        why = "the file has more than one link";
    else
        why = fix_owner_mode(mm, path, fd, st_r, mode, created);
    if (why == NULL && fstat(fd, st_r) < 0)
        why = strerror(errno);
    close(fd);
    if (why != NULL) {
        cli_error(mm->cmd, "map %s: %s", path, why);
        return -1;
    }
    return 0;
}

/* open_one - open one map for writing (created if missing) or reading (a
 * missing map stays NULL) */
static int open_one(struct cli_maps *mm, enum cli_map_id id, bool write)
{
    char *path = xasprintf("%s/%s", mm->dir, map_specs[id].name);
    struct stat st, now;
    const char *error = NULL;
    int ret = 0;

    if (write) {
        if (prepare_file(mm, path, map_specs[id].mode, &st) < 0)
            ret = -1; /* already printed */
        else if (map_open(path, MAP_RDWR, map_specs[id].mode, &mm->map[id], &error) < 0)
            ret = -1;
        else if (lstat(path, &now) < 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev)
            ret = errf(&error, "map %s: the file was replaced while it was opened", path);
    } else if (access(path, F_OK) == 0 || errno != ENOENT) {
        ret = map_open(path, MAP_RDONLY, 0, &mm->map[id], &error);
    }
    if (ret < 0 && error != NULL)
        cli_error(mm->cmd, "%s", error);
    if (ret < 0)
        map_close(&mm->map[id]);
    xfree(path);
    return ret;
}

/* optional_exists - does the file of an optional map exist (or is it
 * unknown: then opening it reports the error)? */
static bool optional_exists(const struct cli_maps *mm, enum cli_map_id id)
{
    char *path = xasprintf("%s/%s", mm->dir, map_specs[id].name);
    bool exists = access(path, F_OK) == 0 || errno != ENOENT;

    xfree(path);
    return exists;
}

/* cli_maps_open - the configuration, then the maps */
int cli_maps_open(struct cli_maps *mm, const char *cmd, const char *config_dir, bool write)
{
    struct stat st;
    const char *error;
    int id;

    memset(mm, 0, sizeof(*mm));
    mm->cmd = cmd;
    if (config_load(config_dir, NULL, &mm->cfg, &error) < 0) {
        cli_error(cmd, "%s", error);
        return EX_CONFIG;
    }
    if (stat(config_dir, &st) < 0) {
        cli_error(cmd, "stat %s: %s", config_dir, strerror(errno));
        cli_maps_close(mm);
        return EX_CONFIG;
    }
    mm->uid = st.st_uid;
    mm->gid = st.st_gid;
    mm->dir = xasprintf("%s/maps", config_params(mm->cfg)->data_directory);
    if (write && mkdir(mm->dir, 0755) < 0 && errno != EEXIST) {
        cli_error(cmd, "create %s: %s", mm->dir, strerror(errno));
        cli_maps_close(mm);
        return EX_IOERR;
    }
    for (id = 0; id < CLI_MAP_COUNT; id++) {
        if (!write && id == CLI_MAP_PASSWORDS)
            continue;
        if (write && id == CLI_MAP_QUOTAS && !optional_exists(mm, (enum cli_map_id)id))
            continue;
        if (open_one(mm, (enum cli_map_id)id, write) < 0) {
            cli_maps_close(mm);
            return EX_IOERR;
        }
    }
    return EX_OK;
}

/* cli_maps_close - close all */
void cli_maps_close(struct cli_maps *mm)
{
    int id;

    for (id = 0; id < CLI_MAP_COUNT; id++)
        map_close(&mm->map[id]);
    xfree(mm->dir);
    config_destroy(&mm->cfg);
}

/* cli_maps_mailbox_base - virtual_mailbox_base */
const char *cli_maps_mailbox_base(const struct cli_maps *mm)
{
    return config_params(mm->cfg)->virtual_mailbox_base;
}

/* cli_maps_lookup - look up, printing a failure */
int cli_maps_lookup(struct cli_maps *mm, enum cli_map_id id, const char *key, char **value_r)
{
    const char *error;

    *value_r = NULL;
    if (mm->map[id] == NULL)
        return 0;
    switch (map_lookup(mm->map[id], key, value_r, &error)) {
    case MAP_FOUND:
        return 1;
    case MAP_NOTFOUND:
        return 0;
    default:
        cli_error(mm->cmd, "%s", error);
        return -1;
    }
}

/* cli_maps_exists - is key in the map? */
int cli_maps_exists(struct cli_maps *mm, enum cli_map_id id, const char *key)
{
    char *value;
    int ret = cli_maps_lookup(mm, id, key, &value);

    xfree(value);
    return ret;
}

/* add_entry - append a copy of key and value */
static void add_entry(struct cli_map_entries *out, const char *key, const char *value)
{
    if (out->count == out->cap) {
        out->cap = out->cap == 0 ? 32 : out->cap * 2;
        out->e = xreallocarray(out->e, out->cap, sizeof(*out->e));
    }
    out->e[out->count].key = xstrdup(key);
    out->e[out->count].value = xstrdup(value);
    out->count++;
}

/* cli_maps_collect - entries of a map, optionally of one domain; they are
 * copied so that the shared lock is not held while the caller prints */
int cli_maps_collect(struct cli_maps *mm, enum cli_map_id id, const char *domain, struct cli_map_entries *out)
{
    struct map_iter *it;
    const char *key, *value, *error = NULL;
    enum map_result r;

    memset(out, 0, sizeof(*out));
    if (mm->map[id] == NULL)
        return 0;
    if (map_iter_begin(mm->map[id], &it, &error) < 0) {
        cli_error(mm->cmd, "%s", error);
        return -1;
    }
    while ((r = map_iter_next(it, &key, &value, &error)) == MAP_FOUND) {
        const char *at = strrchr(key, '@');

        if (domain == NULL || (at != NULL && strcmp(at + 1, domain) == 0))
            add_entry(out, key, value);
    }
    map_iter_end(&it);
    if (r == MAP_TEMPFAIL) {
        cli_error(mm->cmd, "%s", error);
        cli_map_entries_free(out);
        return -1;
    }
    return 0;
}

/* cli_map_entries_free - free a collection */
void cli_map_entries_free(struct cli_map_entries *out)
{
    size_t i;

    for (i = 0; i < out->count; i++) {
        xfree(out->e[i].key);
        xfree(out->e[i].value);
    }
    xfree(out->e);
    out->count = out->cap = 0;
}

/* cli_maps_delete_all - one batch of deletions */
int cli_maps_delete_all(struct cli_maps *mm, enum cli_map_id id, const struct cli_map_entries *keys)
{
    const char *error;
    size_t i;

    if (keys->count == 0 || mm->map[id] == NULL)
        return 0;
    if (map_write_begin(mm->map[id], &error) < 0) {
        cli_error(mm->cmd, "%s", error);
        return -1;
    }
    for (i = 0; i < keys->count; i++) {
        if (map_delete(mm->map[id], keys->e[i].key, &error) < 0) {
            map_write_abort(mm->map[id]);
            cli_error(mm->cmd, "%s", error);
            return -1;
        }
    }
    if (map_write_commit(mm->map[id], &error) < 0) {
        cli_error(mm->cmd, "%s", error);
        return -1;
    }
    return 0;
}

/* cli_maps_put - store one entry; an optional map is created now */
int cli_maps_put(struct cli_maps *mm, enum cli_map_id id, const char *key, const char *value)
{
    const char *error;

    if (mm->map[id] == NULL && open_one(mm, id, true) < 0)
        return -1;
    if (map_put(mm->map[id], key, value, &error) < 0) {
        cli_error(mm->cmd, "%s", error);
        return -1;
    }
    return 0;
}

/* cli_maps_delete - remove one entry (none: an absent optional map) */
int cli_maps_delete(struct cli_maps *mm, enum cli_map_id id, const char *key)
{
    const char *error;

    if (mm->map[id] == NULL)
        return 0;
    if (map_delete(mm->map[id], key, &error) < 0) {
        cli_error(mm->cmd, "%s", error);
        return -1;
    }
    return 0;
}

#define QUOTE_MAX 100

/* quote - a printable, bounded rendering of in for error messages */
static const char *quote(const char *in, char *out, size_t size)
{
    size_t i, o = 0;

    for (i = 0; in[i] != '\0' && o + 8 < size; i++) {
        unsigned char c = (unsigned char)in[i];

        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    if (in[i] != '\0')
        o += (size_t)snprintf(out + o, size - o, "...");
    out[o] = '\0';
    return out;
}

/* is_ldh - letter, digit or hyphen (ASCII, whatever the locale) */
static bool is_ldh(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* label_why - check one label d[0..n); NULL, or what is wrong */
static const char *label_why(const char *d, size_t n)
{
    if (n == 0)
        return "has an empty label (\"..\", or a dot at the start)";
    if (n > CLI_MAPS_LABEL_MAX)
        return "has a label longer than 63 bytes";
    if (d[0] == '-' || d[n - 1] == '-')
        return "has a label that starts or ends with \"-\"";
    return NULL;
}

/* domain_why - check the domain d[0..n) and canonicalise it into out;
 * NULL, or what is wrong */
static const char *domain_why(const char *d, size_t n, char out[MAP_KEY_MAX + 1])
{
    const char *label, *dot, *error;
    size_t i, last = 0;

    if (n == 0)
        return "is empty";
    if (d[0] == '[')
        return "is an address literal (give a domain name)";
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];

        if (c < 0x20 || c == 0x7f)
            return "contains a control character";
        if (c >= 0x80)
            return "contains non-ASCII bytes (give an internationalised name in its xn-- form)";
        if (c == '@')
            return "contains \"@\" (a domain has no local part)";
        if (!is_ldh(c) && c != '.')
            return err_fmt("contains \"%c\" (a domain name has only letters, digits, hyphens and dots)", c);
    }
    if (n > 1 && d[n - 1] == '.')
        n--; /* one trailing dot: the root */
    if (n > CLI_MAPS_DOMAIN_MAX)
        return "is longer than 253 bytes";
    for (label = d; label <= d + n; label = dot + 1) {
        const char *why;

        dot = memchr(label, '.', (size_t)(d + n - label));
        if (dot == NULL)
            dot = d + n;
        if ((why = label_why(label, (size_t)(dot - label))) != NULL)
            return why;
        last = (size_t)(label - d);
    }
    for (i = last; i < n && d[i] >= '0' && d[i] <= '9'; i++)
        continue;
    if (i == n)
        return "is an IP address, or ends in a numeric label (give a domain name)";
    if (map_key_canon(d, n, MAP_KEY_DOMAIN, out, &error) < 0)
        return error;
    return NULL;
}

/* cli_maps_domain - check and canonicalise a domain */
int cli_maps_domain(const char *in, char out[MAP_KEY_MAX + 1], const char **error_r)
{
    char q[QUOTE_MAX];
    const char *why = domain_why(in, strlen(in), out);

    if (why != NULL)
        return errf(error_r, "invalid domain \"%s\": %s", quote(in, q, sizeof(q)), why);
    return 0;
}

/* is_atext - may c appear in a dot-atom local part (RFC 5322 atext)? */
static bool is_atext(unsigned char c)
{
    return is_ldh(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~", c) != NULL);
}

/* local_why - check the local part l[0..n); NULL, or what is wrong */
static const char *local_why(const char *l, size_t n)
{
    size_t i;

    if (n > CLI_MAPS_LOCAL_MAX)
        return "has a local part longer than 64 bytes";
    if (l[0] == '.')
        return "has a local part that starts with \".\"";
    if (l[n - 1] == '.')
        return "has a local part that ends with \".\"";
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)l[i];

        if (c == '.' && l[i + 1] == '.')
            return "has \"..\" in its local part";
        if (c < 0x20 || c == 0x7f)
            return "has a control character in its local part";
        if (c >= 0x80)
            return "has non-ASCII bytes in its local part (not supported)";
        if (c == '/')
            return "has \"/\" in its local part";
        if (c == '@')
            return "contains more than one \"@\"";
        if (!is_atext(c) && c != '.')
            return err_fmt("has \"%c\" in its local part", c);
    }
    return NULL;
}

/* cli_maps_address - check and canonicalise an address or catch-all */
int cli_maps_address(const char *in, bool catchall_ok, char out[MAP_KEY_MAX + 1], const char **error_r)
{
    const char *at = strrchr(in, '@'), *why = NULL, *dwhy;
    char q[QUOTE_MAX], dom[MAP_KEY_MAX + 1];

    if (at == NULL)
        why = "has no \"@\" (want LOCAL@DOMAIN)";
    else if (at == in && !catchall_ok)
        why = "has an empty local part (\"@DOMAIN\", a catch-all, is only for aliases)";
    else if (at > in)
        why = local_why(in, (size_t)(at - in));
    if (why == NULL && (dwhy = domain_why(at + 1, strlen(at + 1), dom)) != NULL)
        why = err_fmt("has a domain that %s", dwhy);
    if (why != NULL)
        return errf(error_r, "invalid address \"%s\": %s", quote(in, q, sizeof(q)), why);
    return map_key_canon(in, strlen(in), MAP_KEY_ADDRESS, out, error_r);
}

/* cli_maps_domain_of - the part after the last '@' */
const char *cli_maps_domain_of(const char *addr)
{
    const char *at = strrchr(addr, '@');

    return at != NULL ? at + 1 : addr;
}

/* cli_maps_mailbox_path - "DOMAIN/LOCAL/" */
int cli_maps_mailbox_path(const char *addr, char *out, size_t size)
{
    const char *at = strrchr(addr, '@');
    int n;

    if (at == NULL || at == addr)
        return -1;
    n = snprintf(out, size, "%s/%.*s/", at + 1, (int)(at - addr), addr);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* cli_maps_list_has - addr as a whole item of a canonical list */
bool cli_maps_list_has(const char *list, const char *addr)
{
    size_t n = strlen(addr);
    const char *p;

    for (p = list; n > 0 && (p = strstr(p, addr)) != NULL; p += n) {
        if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return true;
    }
    return false;
}

/* add_target - validate one trimmed target t[0..n) and append it to out */
static int add_target(const char *t, size_t n, char *out, size_t size, const char **error_r)
{
    char canon[MAP_KEY_MAX + 1], *item = xstrndup(t, n);
    size_t len = strlen(out), clen;
    int ret = cli_maps_address(item, false, canon, error_r);

    xfree(item);
    if (ret < 0)
        return -1;
    clen = strlen(canon);
    if (cli_maps_list_has(out, canon))
        return errf(error_r, "target %s is given twice", canon);
    if (len + clen + 3 > size || len + clen + 2 > MAP_VALUE_MAX)
        return errf(error_r, "the target list is longer than %d bytes", MAP_VALUE_MAX);
    snprintf(out + len, size - len, "%s%s", len > 0 ? ", " : "", canon);
    return 0;
}

/* cli_maps_targets - a checked, canonical target list "a, b" */
int cli_maps_targets(const char *const *args, size_t n, char *out, size_t size, const char **error_r)
{
    char q[QUOTE_MAX];
    size_t i;

    if (size == 0)
        return errf(error_r, "no room for targets");
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *p = args[i], *end;

        for (;;) {
            while (*p == ' ' || *p == '\t')
                p++;
            end = strchr(p, ',');
            if (end == NULL)
                end = p + strlen(p);
            while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            if (end == p)
                return errf(error_r, "empty target in \"%s\" (two commas, or a comma at an end)",
                            quote(args[i], q, sizeof(q)));
            if (add_target(p, (size_t)(end - p), out, size, error_r) < 0)
                return -1;
            p = strchr(end, ',');
            if (p == NULL)
                break;
            p++;
            /* "a, b" typed as two arguments: "a," then "b" */
            if (i + 1 < n && p[strspn(p, " \t")] == '\0')
                break;
        }
    }
    return 0;
}

/* cli_maps_list - "KEY VALUE" lines, of one domain or all */
int cli_maps_list(struct cli_maps *mm, enum cli_map_id id, const char *domain)
{
    struct cli_map_entries all;
    size_t i;
    int found = domain != NULL ? cli_maps_exists(mm, CLI_MAP_DOMAINS, domain) : 1;

    if (found < 0)
        return EX_IOERR;
    if (found == 0) {
        cli_error(mm->cmd, "no domain %s", domain);
        return EX_UNAVAILABLE;
    }
    if (cli_maps_collect(mm, id, domain, &all) < 0)
        return EX_IOERR;
    for (i = 0; i < all.count; i++)
        printf("%s %s\n", all.e[i].key, all.e[i].value);
    cli_map_entries_free(&all);
    return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
