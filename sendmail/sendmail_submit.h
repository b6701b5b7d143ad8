/* SPDX-License-Identifier: MIT
 * sendmail_submit - "sendmail -bm" (the default mode): the envelope from
 * the command line (and with -t from the headers), the message from a
 * stream, one maildrop file.
 *
 * Order, so that nothing is left half done: the recipients given as
 * arguments are checked and the maildrop directory opened before the
 * message is read; the header block is read and processed (recipients of
 * -t added); only then is the drop file created, the envelope written and
 * the message streamed into it; exit status 0 means maildrop_commit
 * succeeded. Every failure removes the file and returns a <sysexits.h>
 * code (listed in docs/sendmail.md).
 *
 * See also: sendmail_msg.h, sendmail_drop.h, sendmail_rcpt.h.
 */
#ifndef PETREL_SENDMAIL_SUBMIT_H
#define PETREL_SENDMAIL_SUBMIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mail/maildrop.h"
#include "sendmail_opts.h"
#include "smtp/smtp_addr.h"

struct sendmail_submit_cfg {
    const struct sendmail_opts *opts;
    const char *queue_dir; /* queue_directory */
    const char *hostname;  /* myhostname, for the Message-ID */
    const char *myorigin;  /* for the default sender */
    const char *login;     /* the invoking user's login name */
    uint64_t size_max;     /* message_size_limit */
    size_t header_max;     /* header_size_limit */
};

/* sendmail_sender - the envelope sender: arg (-f; "<>" or "" for none) or
 * login@myorigin; a sender without "@" gets @myorigin. EX_OK, or
 * EX_DATAERR with *error_r */
int sendmail_sender(const char *arg, const char *login, const char *myorigin, char out[SMTP_PATH_MAX + 1],
                    const char **error_r);

/* sendmail_submit - read one message from in and drop it. EX_OK with
 * name_r set, or a sysexits code with *error_r */
int sendmail_submit(FILE *in, const struct sendmail_submit_cfg *cfg, char name_r[MAILDROP_NAME_LEN + 1],
                    const char **error_r);

#endif
