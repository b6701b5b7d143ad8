/* SPDX-License-Identifier: MIT
 * cli_template - the shipped configuration templates, rendered.
 *
 * Two templates ship in PREFIX/share/petrel: petrel.conf (the packaged
 * defaults: a commented file that sets only what differs from the built-in
 * defaults) and master.conf (the service table, whose listen columns carry
 * placeholders). "petrel init" renders both for an instance; the package
 * build renders master.conf with the packaged values.
 *
 * Placeholders are "@NAME@" with NAME made of A-Z, 0-9 and '_', starting
 * with a letter; any other '@' is plain text. A placeholder without a value
 * is an error naming the file and line, so a template never yields a file
 * that still holds one. A placeholder whose value is empty also removes one
 * ':' right after it: "@LISTEN@:@PORT_SMTP@" is "127.0.0.1:10025" in an
 * instance and "25" (every address) in a packaged install.
 *
 * Input: the templates are trusted (shipped with the program); values come
 * from the admin's command line and are checked by the caller.
 *
 * See also: cli_init.c, conf/, lib/mail/service_table.h.
 */
#ifndef PETREL_CLI_TEMPLATE_H
#define PETREL_CLI_TEMPLATE_H

#include <stddef.h>

struct buf;

/* The largest template or rendered file, in bytes. */
#define CLI_TEMPLATE_MAX (1024 * 1024)

/* The port base of an instance when --port-base is not given. */
#define CLI_TEMPLATE_PORT_BASE_DEFAULT 10000
/* The listen address of an instance: loopback only. */
#define CLI_TEMPLATE_INSTANCE_LISTEN "127.0.0.1"

/* One name and its value; arrays end with { NULL, NULL }. */
struct cli_template_var {
    const char *name;
    const char *value;
};

/* One service port: its placeholder ("PORT_SMTP"), a label for people
 * ("SMTP") and the standard port (25). An instance uses base + port. */
struct cli_template_port {
    const char *token;
    const char *label;
    int port;
};

/* cli_template_ports - every service port; ends with { NULL, NULL, 0 } */
extern const struct cli_template_port cli_template_ports[];

/* cli_template_render - append text to out with every @NAME@ replaced by
 * its value from vars; -1 with "FILE line N: ..." for a placeholder that
 * vars does not name, or when out would pass its maximum */
int cli_template_render(const char *file_name, const char *text, size_t len,
                        const struct cli_template_var *vars, struct buf *out, const char **error_r);

/* cli_template_port_base_check - every port base + N must lie in 1024..65535 */
int cli_template_port_base_check(long long base, const char **error_r);
/* cli_template_port_base_parse - a decimal port base, checked as above */
int cli_template_port_base_parse(const char *text, int *base_r, const char **error_r);

/* The account that owns the mail store in a packaged install. */
#define CLI_TEMPLATE_MAILBOX_OWNER "vmail"
/* cli_template_master_conf - render the master.conf template: listen is the
 * address of inet services (NULL or "": every address), each port is
 * port_base + the standard port, and @MAILBOX_OWNER@ (the user column of
 * the delivery agent) is mailbox_owner (NULL: CLI_TEMPLATE_MAILBOX_OWNER).
 * An instance passes CLI_TEMPLATE_INSTANCE_LISTEN, a checked base and its
 * mailbox owner; a packaged install passes NULL, 0 and NULL. */
int cli_template_master_conf(const char *file_name, const char *text, size_t len, const char *listen,
                             int port_base, const char *mailbox_owner, struct buf *out, const char **error_r);

/* cli_template_petrel_conf - append the petrel.conf template to out, with
 * each entry that sets one of settings commented out, followed by a block
 * that starts with heading (lines, each written as a "# " comment) and sets
 * settings ("name = value", '$' written as "$$"). Every name must be a
 * parameter of lib/mail/params.def; a value must be one line of printable
 * text without white space at either end. */
int cli_template_petrel_conf(const char *file_name, const char *text, size_t len,
                             const struct cli_template_var *settings, const char *heading, struct buf *out,
                             const char **error_r);

#endif
