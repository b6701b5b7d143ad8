/* SPDX-License-Identifier: MIT
 * sendmail - the local submission command, compatible with Postfix's
 * /usr/sbin/sendmail (also installed as mailq and newaliases, chosen by
 * argv[0]).
 *
 * Runs as the invoking user, with no set-uid or set-gid bit: it writes a
 * drop file into $queue_directory/maildrop (mode 01733), which the pickup
 * daemon reads as the mail owner. mailq and newaliases run the petrel
 * command. Exit status: <sysexits.h> (docs/sendmail.md).
 *
 * Trusts: the user's command line; the configuration directory the user
 * chose (-C, $PETREL_CONFIG_DIR); nothing in the message.
 * See also: sendmail_opts.h, sendmail_submit.h, sendmail_bs.h,
 * mail/maildrop.h, docs/sendmail.md.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "mail/config.h"
#include "sendmail_bs.h"
#include "sendmail_drop.h"
#include "sendmail_exec.h"
#include "sendmail_opts.h"
#include "sendmail_submit.h"
#include "util/alloc.h"
#include "util/msg.h"

/* login_name - the invoking user's login name, or NULL */
static const char *login_name(void)
{
    struct passwd *pw = getpwuid(getuid());

    return pw == NULL ? NULL : pw->pw_name;
}

/* run_smtp - sendmail -bs */
static int run_smtp(const struct params *p, const char *login)
{
    struct sendmail_bs_cfg bc = { 0 };
    char *login_addr = xasprintf("%s@%s", login, p->myorigin);
    const char *error;
    int status;

    if ((status = sendmail_drop_dir_open(p->queue_directory, &bc.drop_dirfd, &error)) != EX_OK) {
        msg_error("%s", error);
        xfree(login_addr);
        return status;
    }
    bc.hostname = p->myhostname;
    bc.login_addr = login_addr;
    bc.size_max = (uint64_t)p->message_size_limit;
    bc.header_max = (size_t)p->header_size_limit;
    bc.line_max = (size_t)p->smtpd_line_length_limit;
    bc.rcpt_max = (size_t)p->smtpd_recipient_limit;
    status = sendmail_bs_run(stdin, stdout, &bc);
    (void)close(bc.drop_dirfd);
    xfree(login_addr);
    return status;
}

/* run_deliver - sendmail -bm */
static int run_deliver(const struct sendmail_opts *o, const struct params *p, const char *login)
{
    struct sendmail_submit_cfg sc = {
        .opts = o,
        .queue_dir = p->queue_directory,
        .hostname = p->myhostname,
        .myorigin = p->myorigin,
        .login = login,
        .size_max = (uint64_t)p->message_size_limit,
        .header_max = (size_t)p->header_size_limit,
    };
    char name[MAILDROP_NAME_LEN + 1];
    const char *error;
    int status;

    if ((status = sendmail_submit(stdin, &sc, name, &error)) != EX_OK) {
        msg_error("%s", error);
        if (status == EX_USAGE)
            fputs(sendmail_usage, stderr);
        return status;
    }
    if (o->verbose)
        msg_info("queued as %s", name);
    return EX_OK;
}

int main(int argc, char **argv)
{
    struct sendmail_opts o;
    struct config *cfg;
    const char *error, *dir, *login;
    int status;

    msg_init("sendmail");
    if (sendmail_opts_parse(argc, argv, &o, &error) < 0) {
        msg_error("%s", error);
        fputs(sendmail_usage, stderr);
        return EX_USAGE;
    }
    msg_set_verbose(o.verbose);
    if (o.mode == SENDMAIL_MODE_HELP) {
        fputs(sendmail_help, stdout);
        return EX_OK;
    }
    dir = config_directory_default(o.config_dir);
    if (o.mode == SENDMAIL_MODE_MAILQ || o.mode == SENDMAIL_MODE_ALIASES) {
        status = sendmail_exec(o.mode, dir, &error);
        msg_error("%s", error);
        return status;
    }
    if (config_load(dir, NULL, &cfg, &error) < 0) {
        msg_error("%s", error);
        return EX_CONFIG;
    }
    if ((login = login_name()) == NULL) {
        msg_error("no login name for user id %u", (unsigned)getuid());
        config_destroy(&cfg);
        return EX_OSERR;
    }
    if (o.mode == SENDMAIL_MODE_SMTP)
        status = run_smtp(config_params(cfg), login);
    else
        status = run_deliver(&o, config_params(cfg), login);
    config_destroy(&cfg);
    return status;
}
