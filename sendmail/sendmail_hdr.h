/* SPDX-License-Identifier: MIT
 * sendmail_hdr - the header block of a locally submitted message: Bcc:
 * removal, recipients from To:/Cc:/Bcc: (sendmail -t), and the From:,
 * Date: and Message-ID: headers added when missing.
 *
 * Input: the header block as read (CRLF lines, no empty separator line),
 * untrusted: field names are compared case-insensitively, values are
 * parsed by sendmail_addr and every address checked by sendmail_rcpt.
 * Every Bcc: field is removed, with or without -t (Postfix does the same
 * for local submissions). Added headers go after the existing ones, in
 * the order From:, Date:, Message-ID: (none with cfg->from NULL: sendmail
 * -bs takes an SMTP client's header as it is). The output ends with the empty
 * line that separates header and body.
 *
 * See also: sendmail_msg.h (reading the block), sendmail_addr.h,
 * RFC 5322 3.6.
 */
#ifndef PETREL_SENDMAIL_HDR_H
#define PETREL_SENDMAIL_HDR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sendmail_rcpt.h"
#include "util/buf.h"

#define SENDMAIL_MSGID_MAX (SMTP_DOMAIN_MAX + 64)

struct sendmail_hdr_cfg {
    bool extract;           /* -t: recipients from To:, Cc:, Bcc: */
    const char *from;       /* value of an added From:; NULL: add no header at all */
    const char *date;       /* value of an added Date: */
    const char *message_id; /* value of an added Message-ID: */
};

/* sendmail_hdr_is_field - does line start a header field: one or more
 * printable characters other than ':' and space, optional white space,
 * then ':' (RFC 5322 2.2 and the obsolete space before the colon)? */
bool sendmail_hdr_is_field(const char *line, size_t len);

/* sendmail_hdr_process - write the processed header block of text (len
 * bytes) to out, and with cfg->extract add the recipients of To:, Cc: and
 * Bcc: to r. 0, or -1 with an error naming the header and the reason (out
 * full is "header too big") */
int sendmail_hdr_process(const char *text, size_t len, const struct sendmail_hdr_cfg *cfg,
                         struct sendmail_rcpts *r, struct buf *out, const char **error_r);

/* sendmail_hdr_message_id - "<YYYYMMDDhhmmss.RANDOM@hostname>" (64 random
 * bits); 0, or -1 when no random bytes or the hostname does not fit */
int sendmail_hdr_message_id(const char *hostname, time_t t, char out[SENDMAIL_MSGID_MAX],
                            const char **error_r);
/* sendmail_hdr_from - "Full Name <addr>" (the name quoted when it holds
 * specials, control bytes made spaces), or addr when name is NULL or
 * empty; malloc'd */
char *sendmail_hdr_from(const char *name, const char *addr);

#endif
