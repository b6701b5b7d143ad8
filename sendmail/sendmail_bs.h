/* SPDX-License-Identifier: MIT
 * sendmail_bs - "sendmail -bs": an SMTP dialogue on a pair of streams,
 * for programs that submit mail by SMTP over a pipe.
 *
 * The peer is the local user who ran sendmail, trusted as Postfix's
 * "sendmail -bs" trusts it: any syntactically valid recipient is taken
 * (no relay check), and each accepted message becomes one maildrop file
 * ("250 2.0.0 Ok: queued as NAME"). The message is taken as the client
 * sent it, except that Bcc: fields are removed: an SMTP client writes its
 * own From:, Date: and Message-ID:, and sendmail -bs adds none (unlike
 * -bm). The Received: header is pickup's to add.
 *
 * Commands: EHLO (PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES), HELO,
 * MAIL FROM (SIZE= and BODY= taken; parameters of extensions not offered
 * get 555 5.5.4), RCPT TO (a full address or <postmaster>), DATA, RSET,
 * NOOP, QUIT, HELP; VRFY 502 5.5.1; anything else 500 5.5.2; a command out
 * of order 503 5.5.1. Lines end in CRLF or LF, on commands and in DATA
 * alike ("." alone on a line ends the data; leading dots are unstuffed):
 * this is a local pipe, not the network, so smtpd's strict CRLF rule does
 * not apply. Limits: line_max bytes a command line (500 5.5.2 beyond),
 * rcpt_max recipients (452 4.5.3), size_max bytes a message (552 5.3.4).
 * Commands are parsed by lib/smtp (smtp_cmd, smtp_addr, smtp_param).
 *
 * See also: smtp/smtp_cmd.h, sendmail_msg.h, sendmail_drop.h.
 */
#ifndef PETREL_SENDMAIL_BS_H
#define PETREL_SENDMAIL_BS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sendmail_bs_cfg {
    const char *hostname;   /* myhostname */
    const char *login_addr; /* login@myorigin: From: of a message from <> */
    uint64_t size_max;      /* message_size_limit */
    size_t header_max;      /* header_size_limit */
    size_t line_max;        /* smtpd_line_length_limit */
    size_t rcpt_max;        /* smtpd_recipient_limit */
    int drop_dirfd;         /* the maildrop directory (O_PATH) */
};

/* sendmail_bs_run - the whole dialogue, until QUIT or end of input.
 * EX_OK, or EX_IOERR when a reply cannot be written. */
int sendmail_bs_run(FILE *in, FILE *out, const struct sendmail_bs_cfg *cfg);

#endif
