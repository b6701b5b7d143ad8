/* SPDX-License-Identifier: MIT
 * sendmail_submit - the default mode: envelope, message, drop file (see
 * sendmail_submit.h).
 *
 * Trusts: the invoking user only as far as the syntax checks allow; the
 * message is untrusted input (sendmail_msg, sendmail_hdr).
 */
#include "sendmail_submit.h"

#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "mail/mail_header.h"
#include "sendmail_drop.h"
#include "sendmail_msg.h"
#include "sendmail_rcpt.h"
#include "smtp/smtp_addr_canon.h"
#include "util/alloc.h"
#include "util/err.h"

/* sendmail_sender - see sendmail_submit.h */
int sendmail_sender(const char *arg, const char *login, const char *myorigin, char out[SMTP_PATH_MAX + 1],
                    const char **error_r)
{
    char *full;
    const char *why;
    int rc;

    if (arg == NULL)
        full = xasprintf("%s@%s", login, myorigin);
    else
        full = xstrdup(arg);
    rc = smtp_addr_qualify(full, strlen(full), true, myorigin, out, &why);
    if (rc < 0)
        errf(error_r, "bad sender address \"%s\": %s", full, why);
    xfree(full);
    return rc < 0 ? EX_DATAERR : EX_OK;
}

/* envelope - the sender and the recipients given as arguments */
static int envelope(const struct sendmail_submit_cfg *cfg, char sender[SMTP_PATH_MAX + 1],
                    struct sendmail_rcpts *r, const char **error_r)
{
    const struct sendmail_opts *o = cfg->opts;
    const char *why;
    int i, status;

    if ((status = sendmail_sender(o->sender, cfg->login, cfg->myorigin, sender, error_r)) != EX_OK)
        return status;
    for (i = 0; i < o->nrcpts; i++) {
        if (sendmail_rcpts_add_list(r, o->rcpts[i], strlen(o->rcpts[i]), &why) < 0) {
            errf(error_r, "bad recipient \"%s\": %s", o->rcpts[i], why);
            return EX_DATAERR;
        }
    }
    if (r->n == 0 && !o->extract) {
        errf(error_r, "no recipients specified");
        return EX_USAGE;
    }
    return EX_OK;
}

/* deliver - the drop file, once the header block is known */
static int deliver(const struct sendmail_submit_cfg *cfg, struct sendmail_msg *m, int dirfd,
                   const char *sender, const struct sendmail_rcpts *r, char name_r[MAILDROP_NAME_LEN + 1],
                   const char **error_r)
{
    struct sendmail_drop d = { 0 };
    int status;

    if ((status = sendmail_drop_begin(&d, dirfd, sender, r, cfg->size_max, error_r)) != EX_OK)
        return status;
    if ((status = sendmail_msg_body(m, sendmail_drop_write, &d, error_r)) != EX_OK) {
        sendmail_drop_abort(&d);
        return status;
    }
    if ((status = sendmail_drop_commit(&d, error_r)) == EX_OK)
        memcpy(name_r, d.name, sizeof(d.name));
    return status;
}

/* read_and_deliver - header block, recipients complete, then the drop */
static int read_and_deliver(FILE *in, const struct sendmail_submit_cfg *cfg, struct sendmail_msg_cfg *mc,
                            int dirfd, const char *sender, struct sendmail_rcpts *r,
                            char name_r[MAILDROP_NAME_LEN + 1], const char **error_r)
{
    struct sendmail_msg *m = sendmail_msg_create(in, mc);
    int status;

    status = sendmail_msg_header(m, r, error_r);
    if (status == EX_OK && r->n == 0) {
        errf(error_r, "No recipient addresses found in message header");
        status = EX_DATAERR;
    }
    if (status == EX_OK)
        status = deliver(cfg, m, dirfd, sender, r, name_r, error_r);
    sendmail_msg_destroy(&m);
    return status;
}

/* sendmail_submit - see sendmail_submit.h */
int sendmail_submit(FILE *in, const struct sendmail_submit_cfg *cfg, char name_r[MAILDROP_NAME_LEN + 1],
                    const char **error_r)
{
    const struct sendmail_opts *o = cfg->opts;
    char sender[SMTP_PATH_MAX + 1], date[MAIL_HEADER_DATE_MAX], msgid[SENDMAIL_MSGID_MAX];
    struct sendmail_msg_cfg mc = { .dot_ends = o->dot_ends, .skip_from_line = true };
    struct sendmail_rcpts r = { 0 };
    char *login_addr = NULL;
    time_t now = time(NULL);
    int status, dirfd = -1;

    if ((status = envelope(cfg, sender, &r, error_r)) != EX_OK
        || (status = sendmail_drop_dir_open(cfg->queue_dir, &dirfd, error_r)) != EX_OK) {
        sendmail_rcpts_free(&r);
        return status;
    }
    if (sendmail_hdr_message_id(cfg->hostname, now, msgid, error_r) < 0) {
        status = EX_OSERR;
    } else {
        mail_header_date(date, now);
        login_addr = xasprintf("%s@%s", cfg->login, cfg->myorigin);
        mc.header_max = cfg->header_max;
        mc.size_max = cfg->size_max;
        mc.hdr.extract = o->extract;
        mc.hdr.from = sendmail_hdr_from(o->full_name, sender[0] != '\0' ? sender : login_addr);
        mc.hdr.date = date;
        mc.hdr.message_id = msgid;
        status = read_and_deliver(in, cfg, &mc, dirfd, sender, &r, name_r, error_r);
        xfree(mc.hdr.from);
        xfree(login_addr);
    }
    (void)close(dirfd);
    sendmail_rcpts_free(&r);
    return status;
}
