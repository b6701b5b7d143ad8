/* SPDX-License-Identifier: MIT
 * service_table - master.conf, the table of services the master runs.
 *
 * One entry per line (a line starting with white space continues the
 * previous one; '#' lines and blank lines are comments):
 *
 *   name  type  listen            private user chroot wakeup maxproc command [args...]
 *   smtp  inet  127.0.0.1:10025   n       -    n      -      -       smtpd
 *   anvil unix  -                 y       -    n      -      1       anvil
 *
 *   type     inet or unix
 *   listen   inet: HOST:PORT, [IPV6]:PORT or PORT (all addresses);
 *            unix: a socket path, relative to queue_directory; "-" means
 *            private/NAME (private y) or public/NAME (private n)
 *   private  y/n/- : unix socket mode 0600 (y, the default for unix) or
 *            0666; inet services must say n or -
 *   user     the account the daemon runs as; "-" means mail_owner; root is
 *            refused for inet services (network parsers never run as root)
 *   chroot   y/n/- (default n): chroot into queue_directory
 *   wakeup   seconds between on_wakeup calls; "-" or 0: none
 *   maxproc  most processes for the service; "-": default_process_limit
 *   command  a program name in daemon_directory (no '/'), then arguments;
 *            "-o name=value" arguments override petrel.conf for that service
 *
 * The pair (name, type) is unique, and so is each listen address (as
 * written for inet; the resolved path for unix). Errors name file and line.
 *
 * Checked: names, commands and users are [A-Za-z0-9_.-]+ (not "." or "..");
 * inet hosts are an IPv4 literal, [IPv6], "*" or a name of [A-Za-z0-9.-];
 * ports are 1..65535 in digits; a unix path is at most 107 bytes; user
 * "root" (or "0") is refused for inet; wakeup is 0..86400 or "-"; maxproc
 * is 1..10000 or "-" (0 is refused: it would mean "no limit" in Postfix);
 * "-o" is followed by name=value naming a known parameter (the value is
 * checked when the daemon loads its configuration). At most 1000 services
 * of at most 256 command words; line limits as in conf_reader.h.
 *
 * See also: master/ (the consumer), config.h.
 */
#ifndef PETREL_MAIL_SERVICE_TABLE_H
#define PETREL_MAIL_SERVICE_TABLE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

enum service_type { SERVICE_INET, SERVICE_UNIX };

struct service_entry {
    char *name;
    enum service_type type;
    char *listen; /* resolved: never "-" (unix: relative or absolute path) */
    bool private_socket;
    char *user; /* NULL: mail_owner */
    bool chroot;
    int wakeup;  /* seconds, 0: none */
    int maxproc; /* 0: default_process_limit */
    char **argv; /* command and arguments, NULL-terminated */
    int argc;
    int line; /* where it stands in the file */
};

struct service_table {
    struct service_entry *entries;
    size_t count;
};

/* service_table_parse - parse text; file_name is used in messages */
int service_table_parse(const char *file_name, const char *text, size_t len, struct service_table **t_r,
                        const char **error_r);
/* service_table_load - read and parse DIR/master.conf */
int service_table_load(const char *config_dir, struct service_table **t_r, const char **error_r);
void service_table_destroy(struct service_table **t_r);

/* service_table_find - the entry (name, type), or NULL */
const struct service_entry *service_table_find(const struct service_table *t, const char *name,
                                               enum service_type type);
/* service_type_name / service_type_parse - "inet", "unix" */
const char *service_type_name(enum service_type type);
int service_type_parse(const char *s, enum service_type *type_r);

/* service_entry_render - append one line (no newline) in master.conf
 * syntax, columns padded as "postconf -M" does; a unix socket at its
 * default path shows "-", inet private shows "n"; the line parses back to
 * an equal entry */
void service_entry_render(const struct service_entry *e, struct buf *out);

/* service_inet_split - "host:port", "[v6]:port" or "port" into host (NULL
 * for all addresses, "*"; "[v6]" without brackets) and port (malloc'd, in
 * plain decimal); the port must be 1..65535 */
int service_inet_split(const char *listen, char **host_r, char **port_r, const char **error_r);

/* service_table_edit_text - replace (entry != NULL) or delete the entry
 * NAME/TYPE in text, keeping every other line (comment lines between its
 * continuation lines too); entry is the whole new line ("name type listen
 * ...", one line, starting with NAME and TYPE). Adding appends at the end;
 * deleting an entry that is not there is an error. The whole new text is
 * parsed before it is returned, so its errors carry file:line. */
int service_table_edit_text(const char *file_name, const char *text, size_t len, const char *name,
                            const char *type, const char *entry, char **new_text_r, const char **error_r);
/* service_table_edit_file - the same on DIR/master.conf, atomically and durably */
int service_table_edit_file(const char *config_dir, const char *name, const char *type, const char *entry,
                            const char **error_r);

#endif
