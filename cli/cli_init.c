/* SPDX-License-Identifier: MIT
 * cli_init - "petrel init DIR": create a self-contained instance.
 *
 * An instance is one directory: configuration in DIR/etc (petrel.conf and
 * master.conf rendered from the shipped templates, the aliases(5) table
 * copied from its template and compiled to aliases.lmdb, tls/ with a new
 * self-signed certificate and its key), the spool in DIR/spool, the mail
 * store in DIR/mail, maps in DIR/data/maps, the log in DIR/log. Services
 * listen on 127.0.0.1 on unprivileged ports (port base + standard port).
 *
 * Ownership: the mail owner (mail_owner; "petrel" by default as root, the
 * invoking user otherwise) owns spool/private and spool/public; the
 * mailbox owner ("vmail" by default as root, the invoking user otherwise)
 * owns the mail store, so that only the delivery agent, which alone runs as
 * that user, can write mailboxes; root (or the invoking user) owns the
 * rest, including the TLS key (0600), which daemons read before they drop
 * privileges, and data/maps with the lookup maps (0644, the password map
 * 0600): the daemons read them and never write them.
 *
 * An instance is never overwritten: DIR must be missing or empty (and owned
 * by the invoker). When a step fails, everything made so far is removed.
 *
 * See also: cli_template.h, cli_cert.h, conf/.
 */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli_cert.h"
#include "cli_maps.h"
#include "cli_template.h"
#include "mail/config.h"
#include "mail/maildrop.h"
#include "mail/paths.h"
#include "mail/service_table.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/durable.h"
#include "util/msg.h"
#include "util/privdrop.h"

#define CMD "init"
#define DEFAULT_OWNER "petrel"
#define DIR_SLACK 64 /* room for the longest name made below DIR */

struct init_opts {
    const char *dir;
    const char *hostname;
    const char *owner;
    const char *mailbox_owner;
    int port_base;
    bool help;
};

struct init_ctx {
    char dir[PATH_MAX]; /* absolute, resolved */
    bool created;       /* DIR did not exist before */
    mode_t old_mode;    /* else its mode before, restored on failure */
    bool is_root;
    struct privdrop_user owner;   /* mail_owner */
    struct privdrop_user mailbox; /* owns the mail store; the delivery agent's user */
    uid_t admin_uid;              /* root or the invoker: everything else */
    gid_t admin_gid;
    char hostname[256]; /* a DNS name: 253 bytes at most */
    int port_base;
};

/* The directories of an instance, parents first. */
enum init_owner {
    OWN_ADMIN,   /* root, or the invoker */
    OWN_MAIL,    /* the mail owner (mail_owner) */
    OWN_MAILBOX, /* the mailbox owner: only the delivery agent writes the store */
};

struct init_dir {
    const char *rel;
    mode_t mode;
    enum init_owner owner;
};

static const struct init_dir init_dirs[] = {
    { "etc", 0755, OWN_ADMIN },
    { "etc/tls", 0755, OWN_ADMIN },
    { "spool", 0755, OWN_ADMIN },
    { "spool/private", 0700, OWN_MAIL },
    { "spool/public", 0755, OWN_MAIL },
    { "spool/pid", 0755, OWN_ADMIN },
    { "mail", 0700, OWN_MAILBOX },
    { "data", 0755, OWN_ADMIN },
    { "data/maps", 0755, OWN_ADMIN },
    { "log", 0755, OWN_ADMIN },
    { "spool/maildrop", MAILDROP_DIR_MODE, OWN_MAIL },
};

#define INIT_DIR_COUNT (sizeof(init_dirs) / sizeof(init_dirs[0]))

/* usage - the --help page */
static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: petrel init DIR [--port-base N] [--hostname NAME] [--owner USER]\n"
            "                        [--mailbox-owner USER]\n"
            "\n"
            "Create a self-contained Petrel instance in DIR, which is created if it is\n"
            "missing and must otherwise be an empty directory of yours:\n"
            "  DIR/etc        petrel.conf, master.conf, tls/cert.pem (a new self-signed\n"
            "                 certificate) and tls/key.pem (its key, mode 0600)\n"
            "  DIR/spool      the queue and the service sockets\n"
            "  DIR/mail       the mail store (Maildirs)\n"
            "  DIR/data/maps  lookup maps\n"
            "  DIR/log        petrel.log\n"
            "Every service listens on 127.0.0.1 only, on unprivileged ports.\n"
            "\n"
            "Options:\n"
            "  --port-base N    each port is N plus the standard one: SMTP N+25,\n"
            "                   submission N+587, SMTPS N+465, POP3 N+110, POP3S N+995,\n"
            "                   IMAP N+143, IMAPS N+993; default %d (SMTP on %d).\n"
            "                   Every port must lie in 1024..65535: N is 999..64540.\n"
            "  --hostname NAME  myhostname and the certificate's name (default: the\n"
            "                   system's host name)\n"
            "  --owner USER     the unprivileged user the daemons run as (mail_owner).\n"
            "                   As root the default is \"petrel\"; without root the\n"
            "                   instance belongs to you, and USER can only be you.\n"
            "  --mailbox-owner USER\n"
            "                   the user that owns the mail store; only the delivery\n"
            "                   agent runs as it. As root the default is \"vmail\", and\n"
            "                   it must differ from the mail owner; without root it is you.\n"
            "  -h, --help       show this page\n"
            "\n"
            "Then start the instance with: petrel -c DIR/etc start\n",
            CLI_TEMPLATE_PORT_BASE_DEFAULT, CLI_TEMPLATE_PORT_BASE_DEFAULT + 25);
}

/* bad_option - report an unknown option or a missing value */
static int bad_option(int c, char **argv)
{
    const char *opt = argv[optind - 1];

    if (c == ':')
        cli_error(CMD, "%s needs a value", opt);
    else if (optopt != 0)
        cli_error(CMD, "unknown option -%c (see petrel init --help)", optopt);
    else
        cli_error(CMD, "unknown option %s (see petrel init --help)", opt);
    return EX_USAGE;
}

/* parse_args - options and the one DIR argument */
static int parse_args(int argc, char **argv, struct init_opts *o)
{
    static const struct option longopts[] = {
        { "port-base", required_argument, NULL, 'p' },
        { "hostname", required_argument, NULL, 'H' },
        { "owner", required_argument, NULL, 'o' },
        { "mailbox-owner", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *error;
    int c;

    o->port_base = CLI_TEMPLATE_PORT_BASE_DEFAULT;
    optind = 0; /* glibc: start afresh at argv[1] whatever parsed argv before */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            o->help = true;
            return EX_OK;
        } else if (c == 'p') {
            if (cli_template_port_base_parse(optarg, &o->port_base, &error) < 0) {
                cli_error(CMD, "--port-base: %s", error);
                return EX_USAGE;
            }
        } else if (c == 'H') {
            o->hostname = optarg;
        } else if (c == 'o') {
            o->owner = optarg;
        } else if (c == 'm') {
            o->mailbox_owner = optarg;
        } else {
            return bad_option(c, argv);
        }
    }
    if (optind != argc - 1) {
        cli_error(CMD,
                  "%s (usage: petrel init DIR [--port-base N] [--hostname NAME] [--owner USER] "
                  "[--mailbox-owner USER])",
                  optind == argc ? "missing DIR" : "more than one DIR");
        return EX_USAGE;
    }
    o->dir = argv[optind];
    return EX_OK;
}

/* resolve_root_owner - as root: --owner or "petrel", never root itself */
static int resolve_root_owner(const struct init_opts *o, struct init_ctx *c)
{
    const char *error;

    c->admin_uid = 0;
    c->admin_gid = 0;
    if (privdrop_resolve(o->owner != NULL ? o->owner : DEFAULT_OWNER, &c->owner, &error) < 0) {
        if (o->owner != NULL)
            cli_error(CMD, "--owner: %s", error);
        else
            cli_error(CMD,
                      "the mail owner \"%s\" does not exist; create it with\n"
                      "  useradd --system --home-dir /var/spool/petrel --shell /usr/sbin/nologin %s\n"
                      "or name another unprivileged user with --owner USER",
                      DEFAULT_OWNER, DEFAULT_OWNER);
        return EX_NOUSER;
    }
    if (c->owner.uid == 0) {
        cli_error(CMD, "the mail owner must not be root: daemons that parse network input never run as root");
        return EX_USAGE;
    }
    return EX_OK;
}

/* resolve_root_mailbox_owner - as root: --mailbox-owner or "vmail", neither
 * root nor the mail owner (network daemons must not write mailboxes) */
static int resolve_root_mailbox_owner(const struct init_opts *o, struct init_ctx *c)
{
    const char *name = o->mailbox_owner != NULL ? o->mailbox_owner : CLI_TEMPLATE_MAILBOX_OWNER;
    const char *error;

    if (privdrop_resolve(name, &c->mailbox, &error) < 0) {
        if (o->mailbox_owner != NULL)
            cli_error(CMD, "--mailbox-owner: %s", error);
        else
            cli_error(CMD,
                      "the mailbox owner \"%s\" does not exist; create it with\n"
                      "  useradd --system --home-dir /var/mail/vhosts --shell /usr/sbin/nologin %s\n"
                      "or name another unprivileged user with --mailbox-owner USER",
                      name, name);
        return EX_NOUSER;
    }
    if (c->mailbox.uid == 0 || c->mailbox.uid == c->owner.uid) {
        cli_error(CMD,
                  "the mailbox owner must be neither root nor the mail owner (%s): only the delivery "
                  "agent may write mailboxes",
                  c->owner.name);
        return EX_USAGE;
    }
    return EX_OK;
}

/* resolve_owner - who owns what: see the header comment */
static int resolve_owner(const struct init_opts *o, struct init_ctx *c)
{
    struct privdrop_user asked;
    struct passwd *pw;
    char name[sizeof(c->owner.name)];
    const char *error;

    c->is_root = geteuid() == 0;
    if (c->is_root) {
        int status = resolve_root_owner(o, c);

        return status == EX_OK ? resolve_root_mailbox_owner(o, c) : status;
    }
    c->admin_uid = getuid();
    c->admin_gid = getgid();
    if ((pw = getpwuid(c->admin_uid)) == NULL) {
        cli_error(CMD, "uid %d has no user name (getpwuid)", (int)c->admin_uid);
        return EX_NOUSER;
    }
    snprintf(name, sizeof(name), "%s", pw->pw_name);
    if (privdrop_resolve(name, &c->owner, &error) < 0) {
        cli_error(CMD, "%s", error);
        return EX_NOUSER;
    }
    if (o->owner != NULL && privdrop_resolve(o->owner, &asked, &error) < 0) {
        cli_error(CMD, "--owner: %s", error);
        return EX_NOUSER;
    }
    if (o->owner != NULL && asked.uid != c->admin_uid) {
        cli_error(CMD, "--owner %s needs root; without root the instance belongs to you (%s)", o->owner,
                  c->owner.name);
        return EX_NOPERM;
    }
    if (o->mailbox_owner != NULL
        && (privdrop_resolve(o->mailbox_owner, &asked, &error) < 0 || asked.uid != c->admin_uid)) {
        cli_error(CMD, "--mailbox-owner %s needs root; without root the instance belongs to you (%s)",
                  o->mailbox_owner, c->owner.name);
        return EX_NOPERM;
    }
    c->mailbox = c->owner;
    return EX_OK;
}

/* resolve_hostname - --hostname, else the system's host name */
static int resolve_hostname(const struct init_opts *o, struct init_ctx *c)
{
    if (o->hostname != NULL) {
        if (!cli_cert_hostname_ok(o->hostname)) {
            cli_error(CMD,
                      "--hostname \"%s\" is not a DNS host name (letters, digits and hyphens in "
                      "dot-separated labels)",
                      o->hostname);
            return EX_USAGE;
        }
        snprintf(c->hostname, sizeof(c->hostname), "%s", o->hostname);
        return EX_OK;
    }
    if (gethostname(c->hostname, sizeof(c->hostname)) < 0) {
        cli_error(CMD, "gethostname: %s; name the host with --hostname NAME", strerror(errno));
        return EX_OSERR;
    }
    c->hostname[sizeof(c->hostname) - 1] = '\0';
    if (!cli_cert_hostname_ok(c->hostname)) {
        cli_error(CMD, "the system host name \"%s\" is not a DNS host name; name one with --hostname NAME",
                  c->hostname);
        return EX_USAGE;
    }
    return EX_OK;
}

/* path_ok - a path that petrel.conf can hold: printable, no trailing space */
static bool path_ok(const char *path)
{
    size_t n = strlen(path), i;

    for (i = 0; i < n; i++)
        if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f)
            return false;
    return n > 0 && path[n - 1] != ' ';
}

/* check_existing - an existing DIR must be an empty directory of ours */
static int check_existing(struct init_ctx *c)
{
    struct stat st;
    struct dirent *e;
    DIR *d;

    if (stat(c->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        cli_error(CMD, "%s exists and is not a directory", c->dir);
        return EX_CANTCREAT;
    }
    if (st.st_uid != geteuid()) {
        cli_error(CMD, "%s belongs to uid %d, not to you: give a directory of your own, or a new name",
                  c->dir, (int)st.st_uid);
        return EX_NOPERM;
    }
    c->old_mode = st.st_mode & 07777;
    if ((d = opendir(c->dir)) == NULL) {
        cli_error(CMD, "open %s: %s", c->dir, strerror(errno));
        return EX_CANTCREAT;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            cli_error(CMD, "%s is not empty (it holds \"%s\"); petrel init never writes over an instance",
                      c->dir, e->d_name);
            closedir(d);
            return EX_CANTCREAT;
        }
    }
    closedir(d);
    return EX_OK;
}

/* prepare_dir - create DIR or accept it empty; make its name absolute */
static int prepare_dir(const char *arg, struct init_ctx *c)
{
    char *real;
    int status;

    if (mkdir(arg, 0755) == 0)
        c->created = true;
    else if (errno != EEXIST) {
        cli_error(CMD, "create %s: %s", arg, strerror(errno));
        return EX_CANTCREAT;
    }
    if ((real = realpath(arg, NULL)) == NULL) {
        cli_error(CMD, "resolve %s: %s", arg, strerror(errno));
        if (c->created)
            rmdir(arg);
        return EX_CANTCREAT;
    }
    snprintf(c->dir, sizeof(c->dir), "%s", real);
    if (strlen(real) + DIR_SLACK >= sizeof(c->dir) || !path_ok(real)) {
        cli_error(CMD, "%s: too long, or has control characters or a trailing space", real);
        free(real);
        if (c->created)
            rmdir(arg);
        return EX_USAGE;
    }
    free(real);
    if (!c->created && (status = check_existing(c)) != EX_OK)
        return status;
    /* Daemons running as the mail owner must be able to enter DIR. */
    if (chmod(c->dir, 0755) < 0) {
        cli_error(CMD, "chmod %s: %s", c->dir, strerror(errno));
        return EX_CANTCREAT;
    }
    return EX_OK;
}

/* instance_path - DIR/rel into out (DIR_SLACK guarantees the room) */
static const char *instance_path(const struct init_ctx *c, const char *rel, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", c->dir, rel);

    ASSERT(n > 0 && (size_t)n < size);
    return out;
}

/* warn_unreachable - as root, warn when the mail owner cannot reach DIR */
static void warn_unreachable(const struct init_ctx *c)
{
    char path[PATH_MAX];
    struct stat st;
    char *slash;
    bool ok;

    snprintf(path, sizeof(path), "%s", c->dir);
    while ((slash = strrchr(path, '/')) != NULL) {
        slash[slash == path ? 1 : 0] = '\0';
        if (stat(path, &st) < 0)
            return;
        ok = (st.st_mode & S_IXOTH) || (st.st_uid == c->owner.uid && (st.st_mode & S_IXUSR))
             || (st.st_gid == c->owner.gid && (st.st_mode & S_IXGRP));
        if (!ok)
            cli_error(CMD, "warning: user %s cannot enter %s (mode %04o), so the daemons cannot reach %s",
                      c->owner.name, path, (unsigned)(st.st_mode & 07777), c->dir);
        if (slash == path)
            return;
    }
}

/* make_dirs - every directory of the instance, with mode and owner */
static int make_dirs(const struct init_ctx *c)
{
    char path[PATH_MAX];
    size_t i;

    for (i = 0; i < INIT_DIR_COUNT; i++) {
        instance_path(c, init_dirs[i].rel, path, sizeof(path));
        if (mkdir(path, init_dirs[i].mode) < 0 || chmod(path, init_dirs[i].mode) < 0) {
            cli_error(CMD, "create %s: %s", path, strerror(errno));
            return EX_CANTCREAT;
        }
        if (c->is_root && init_dirs[i].owner != OWN_ADMIN) {
            const struct privdrop_user *u = init_dirs[i].owner == OWN_MAIL ? &c->owner : &c->mailbox;

            if (lchown(path, u->uid, u->gid) < 0) {
                cli_error(CMD, "chown %s to %s: %s", path, u->name, strerror(errno));
                return EX_CANTCREAT;
            }
        }
    }
    return EX_OK;
}

/* sync_dirs - make every directory entry made so far durable */
static int sync_dirs(const struct init_ctx *c)
{
    char path[PATH_MAX];
    const char *error;
    size_t i;

    for (i = 0; i < INIT_DIR_COUNT; i++)
        if (fsync_dir(instance_path(c, init_dirs[i].rel, path, sizeof(path)), &error) < 0) {
            cli_error(CMD, "%s", error);
            return EX_IOERR;
        }
    if (fsync_dir(c->dir, &error) < 0 || (c->created && fsync_parent_dir(c->dir, &error) < 0)) {
        cli_error(CMD, "%s", error);
        return EX_IOERR;
    }
    return EX_OK;
}

/* read_template - a shipped template from PREFIX/share/petrel */
static int read_template(const char *name, char *path, size_t size, char **text_r, size_t *len_r)
{
    const char *error;

    snprintf(path, size, "%s/%s", paths_share_dir(), name);
    if (read_file(path, CLI_TEMPLATE_MAX, text_r, len_r, &error) < 0) {
        cli_error(CMD, "cannot read a shipped template: %s", error);
        return EX_OSFILE;
    }
    return EX_OK;
}

/* write_out - write a rendered file into DIR/etc */
static int write_out(const struct init_ctx *c, const char *rel, const struct buf *out)
{
    char path[PATH_MAX];
    const char *error;

    if (durable_write_file(instance_path(c, rel, path, sizeof(path)), out->data, out->len, 0644, &error)
        < 0) {
        cli_error(CMD, "%s", error);
        return EX_IOERR;
    }
    return EX_OK;
}

/* check_conf - never write a petrel.conf that does not load */
static int check_conf(const struct init_ctx *c, const char *file_name, const struct buf *out)
{
    char etc[PATH_MAX];
    struct config *cfg;
    const char *error;

    if (config_load_text(instance_path(c, "etc", etc, sizeof(etc)), file_name, out->data, out->len, NULL,
                         &cfg, &error)
        < 0) {
        cli_error(CMD, "the rendered petrel.conf does not load: %s", error);
        return EX_SOFTWARE;
    }
    config_destroy(&cfg);
    return EX_OK;
}

/* check_master - never write a master.conf that does not parse */
static int check_master(const char *file_name, const struct buf *out)
{
    struct service_table *t;
    const char *error;

    if (service_table_parse(file_name, out->data, out->len, &t, &error) < 0) {
        cli_error(CMD, "the rendered master.conf does not parse: %s", error);
        return EX_SOFTWARE;
    }
    service_table_destroy(&t);
    return EX_OK;
}

/* write_petrel_conf - the template plus the instance settings */
static int write_petrel_conf(const struct init_ctx *c)
{
    char tpl[PATH_MAX], queue[PATH_MAX], data[PATH_MAX], mail[PATH_MAX], log[PATH_MAX], cert[PATH_MAX],
        key[PATH_MAX];
    const struct cli_template_var settings[] = {
        { "queue_directory", instance_path(c, "spool", queue, sizeof(queue)) },
        { "data_directory", instance_path(c, "data", data, sizeof(data)) },
        { "virtual_mailbox_base", instance_path(c, "mail", mail, sizeof(mail)) },
        { "maillog_file", instance_path(c, "log/petrel.log", log, sizeof(log)) },
        { "myhostname", c->hostname },
        { "mail_owner", c->owner.name },
        { "tls_cert_file", instance_path(c, "etc/tls/cert.pem", cert, sizeof(cert)) },
        { "tls_key_file", instance_path(c, "etc/tls/key.pem", key, sizeof(key)) },
        { NULL, NULL },
    };
    struct buf *out = buf_create(4096, CLI_TEMPLATE_MAX);
    char *text = NULL, *heading;
    const char *error;
    size_t len;
    int status;

    heading = xasprintf("Instance settings, written by \"petrel init\" (port base %d).\n"
                        "Everything of this instance is below %s, and its services\n"
                        "listen on %s only. Change a setting with\n"
                        "  petrel -c %s/etc conf name=value",
                        c->port_base, c->dir, CLI_TEMPLATE_INSTANCE_LISTEN, c->dir);
    if ((status = read_template(CONFIG_FILE_NAME, tpl, sizeof(tpl), &text, &len)) == EX_OK) {
        if (cli_template_petrel_conf(tpl, text, len, settings, heading, out, &error) < 0) {
            cli_error(CMD, "%s", error);
            status = EX_SOFTWARE;
        } else if ((status = check_conf(c, tpl, out)) == EX_OK) {
            status = write_out(c, "etc/" CONFIG_FILE_NAME, out);
        }
    }
    xfree(heading);
    xfree(text);
    buf_destroy(&out);
    return status;
}

/* write_master_conf - the service table with this instance's ports */
static int write_master_conf(const struct init_ctx *c)
{
    struct buf *out = buf_create(4096, CLI_TEMPLATE_MAX);
    char tpl[PATH_MAX], *text = NULL;
    const char *error;
    size_t len;
    int status;

    if ((status = read_template(MASTER_FILE_NAME, tpl, sizeof(tpl), &text, &len)) == EX_OK) {
        if (cli_template_master_conf(tpl, text, len, CLI_TEMPLATE_INSTANCE_LISTEN, c->port_base,
                                     c->mailbox.name, out, &error)
            < 0) {
            cli_error(CMD, "%s", error);
            status = EX_SOFTWARE;
        } else if ((status = check_master(tpl, out)) == EX_OK) {
            status = write_out(c, "etc/" MASTER_FILE_NAME, out);
        }
    }
    xfree(text);
    buf_destroy(&out);
    return status;
}

/* write_aliases - etc/aliases from the shipped template, compiled into
 * etc/aliases.lmdb at once so that newaliases and local delivery find both */
static int write_aliases(const struct init_ctx *c)
{
    char tpl[PATH_MAX], src[PATH_MAX], *text = NULL;
    struct buf *out;
    size_t len;
    int status;

    if ((status = read_template("aliases", tpl, sizeof(tpl), &text, &len)) != EX_OK)
        return status;
    out = buf_create(len + 1, len + 1);
    if (buf_append(out, text, len) < 0) {
        cli_error(CMD, "%s: too big", tpl);
        status = EX_SOFTWARE;
    } else if ((status = write_out(c, "etc/aliases", out)) == EX_OK) {
        status =
            cli_map_compile(CMD, instance_path(c, "etc/aliases", src, sizeof(src)), MAP_TEXT_ALIASES, NULL);
    }
    xfree(text);
    buf_destroy(&out);
    return status;
}

/* make_cert - the self-signed certificate and its key, owned by root or the invoker */
static int make_cert(const struct init_ctx *c)
{
    char cert[PATH_MAX], key[PATH_MAX];
    const char *error;

    if (cli_cert_generate(c->hostname, instance_path(c, "etc/tls/cert.pem", cert, sizeof(cert)),
                          instance_path(c, "etc/tls/key.pem", key, sizeof(key)), c->admin_uid, c->admin_gid,
                          &error)
        < 0) {
        cli_error(CMD, "%s", error);
        return EX_SOFTWARE;
    }
    return EX_OK;
}

static int remove_failures;

/* remove_entry - nftw callback: remove everything below DIR */
static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    if (ftw->level == 0)
        return 0;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0) {
        cli_error(CMD, "remove %s: %s", path, strerror(errno));
        remove_failures++;
    }
    return 0;
}

/* remove_partial - undo a failed init: DIR is back as it was */
static void remove_partial(const struct init_ctx *c)
{
    remove_failures = 0;
    if (nftw(c->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0) {
        cli_error(CMD, "clean up %s: %s", c->dir, strerror(errno));
        remove_failures++;
    }
    if (remove_failures == 0 && c->created && rmdir(c->dir) < 0) {
        cli_error(CMD, "remove %s: %s", c->dir, strerror(errno));
        remove_failures++;
    }
    if (remove_failures == 0 && !c->created && chmod(c->dir, c->old_mode) < 0) {
        cli_error(CMD, "chmod %s: %s", c->dir, strerror(errno));
        remove_failures++;
    }
    if (remove_failures == 0)
        cli_error(CMD, "nothing was kept: %s is as it was before", c->dir);
    else
        cli_error(CMD, "%s holds a partial instance: remove it before trying again", c->dir);
}

/* report - what was made, and how to start it */
static void report(const struct init_ctx *c)
{
    const struct cli_template_port *p;
    const char *sep = "";

    printf("Created a Petrel instance in %s (mail owner %s, mailbox owner %s):\n", c->dir, c->owner.name,
           c->mailbox.name);
    printf("  etc/petrel.conf    configuration (instance settings at the end)\n");
    printf("  etc/master.conf    service table\n");
    printf("  etc/tls/cert.pem   self-signed certificate for %s, valid %d days\n", c->hostname,
           CLI_CERT_DAYS);
    printf("  etc/tls/key.pem    its private key (mode 0600)\n");
    printf("  spool/             queue and service sockets\n");
    printf("  mail/              mail store\n");
    printf("  data/maps/         lookup maps\n");
    printf("  log/petrel.log     log file\n");
    printf("Ports on %s: ", CLI_TEMPLATE_INSTANCE_LISTEN);
    for (p = cli_template_ports; p->token != NULL; p++, sep = ", ")
        printf("%s%s %d", sep, p->label, c->port_base + p->port);
    printf("\nStart it with:\n  %s -c %s/etc start\n", paths_petrel_program(), c->dir);
}

/* make_maps - the four lookup maps, empty, with their owners and modes, so
 * that daemons find them from the first start */
static int make_maps(const struct init_ctx *c)
{
    struct cli_maps mm = { 0 };
    char etc[PATH_MAX];
    int status;

    instance_path(c, "etc", etc, sizeof(etc));
    if ((status = cli_maps_open(&mm, CMD, etc, true)) != EX_OK)
        return status;
    cli_maps_close(&mm);
    return EX_OK;
}

/* populate - fill DIR; EX_OK or the status of the first failure */
static int populate(const struct init_ctx *c)
{
    int status;

    if (c->is_root)
        warn_unreachable(c);
    if ((status = make_dirs(c)) != EX_OK || (status = write_petrel_conf(c)) != EX_OK
        || (status = write_master_conf(c)) != EX_OK || (status = write_aliases(c)) != EX_OK
        || (status = make_cert(c)) != EX_OK || (status = make_maps(c)) != EX_OK
        || (status = sync_dirs(c)) != EX_OK)
        return status;
    return EX_OK;
}

/* cli_init - petrel init DIR [--port-base N] [--hostname NAME] [--owner USER] */
int cli_init(int argc, char **argv)
{
    struct init_opts o = { 0 };
    struct init_ctx *c;
    int status;

    if ((status = parse_args(argc, argv, &o)) != EX_OK || o.help)
        return status;
    c = xcalloc(1, sizeof(*c));
    c->port_base = o.port_base;
    if ((status = resolve_hostname(&o, c)) == EX_OK && (status = resolve_owner(&o, c)) == EX_OK
        && (status = prepare_dir(o.dir, c)) == EX_OK) {
        if ((status = populate(c)) == EX_OK)
            report(c);
        else
            remove_partial(c);
    }
    xfree(c);
    return status;
}
