/* SPDX-License-Identifier: MIT
 * sendmail_opts - the sendmail command line (the options Postfix's
 * sendmail takes, as far as Petrel implements them).
 *
 * The mode comes from argv[0] ("mailq": -bp, "newaliases": -bi) unless a
 * -b option sets it. Options stop at the first argument that is not one,
 * or at "--"; the rest are recipients. Taken: -bm -bs -bp -bi -I -C DIR
 * -f SENDER -r SENDER -F NAME -i -oi -t -v; accepted and ignored as
 * Postfix does: other -oX, -B TYPE, -N DSN, -R RET, -V ENVID, -X LOG, -G,
 * -h N, -L LABEL, -O OPTION, -U. Anything else is a usage error. Option
 * arguments may be attached (-fme@x) or separate (-f me@x).
 *
 * See also: docs/sendmail.md.
 */
#ifndef PETREL_SENDMAIL_OPTS_H
#define PETREL_SENDMAIL_OPTS_H

#include <stdbool.h>

enum sendmail_mode {
    SENDMAIL_MODE_DELIVER, /* -bm: a message on stdin */
    SENDMAIL_MODE_SMTP,    /* -bs: SMTP on stdin/stdout */
    SENDMAIL_MODE_MAILQ,   /* -bp, "mailq" */
    SENDMAIL_MODE_ALIASES, /* -bi, -I, "newaliases" */
    SENDMAIL_MODE_HELP,    /* --help */
};

struct sendmail_opts {
    enum sendmail_mode mode;
    const char *config_dir; /* -C, or NULL */
    const char *sender;     /* -f/-r, or NULL for the login name */
    const char *full_name;  /* -F, or NULL */
    bool dot_ends;          /* false with -i / -oi */
    bool extract;           /* -t */
    bool verbose;           /* -v */
    char **rcpts;           /* the arguments after the options */
    int nrcpts;
};

/* sendmail_opts_parse - parse argv into o. 0, or -1 with *error_r (a
 * usage error: the caller prints it with the usage line) */
int sendmail_opts_parse(int argc, char **argv, struct sendmail_opts *o, const char **error_r);

/* sendmail_usage - the one-line usage text */
extern const char sendmail_usage[];
/* sendmail_help - the --help page (flags and exit codes) */
extern const char sendmail_help[];

#endif
