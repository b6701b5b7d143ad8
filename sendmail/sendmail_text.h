/* SPDX-License-Identifier: MIT
 * sendmail_text - the input line normaliser: message text as a local
 * program writes it (LF or CRLF line ends) into the CRLF text of a queue
 * file's M record, and the end-of-input rule.
 *
 * Byte at a time, so the caller never reads past the end of a message
 * (sendmail -bs reads the next command from the same stream):
 *  - LF becomes CRLF, CRLF stays; a CR not followed by LF is kept as it is
 *    (content, not a line end);
 *  - with dot_ends, a line that is "." alone (LF or CRLF) ends the message
 *    and is not part of it (sendmail without -i; SMTP DATA);
 *  - with unstuff, a leading "." is removed from any other line (SMTP
 *    DATA's dot-stuffing, RFC 5321 4.5.2);
 *  - at the end of input a last line without a line end gets CRLF.
 * Output goes to a struct buf the caller empties; each put adds at most
 * SENDMAIL_TEXT_PUT_MAX bytes.
 *
 * See also: sendmail_msg.h, smtp/smtp_data.h (the network's stricter rule).
 */
#ifndef PETREL_SENDMAIL_TEXT_H
#define PETREL_SENDMAIL_TEXT_H

#include <stdbool.h>

#include "util/buf.h"

#define SENDMAIL_TEXT_PUT_MAX 4

struct sendmail_text {
    bool dot_ends;
    bool unstuff;
    bool done;    /* the "." line was seen */
    bool bol;     /* the next byte starts a line */
    bool last_cr; /* the last byte written was a CR */
    int dot;      /* 0, 1 after a leading ".", 2 after ".\r" */
};

/* sendmail_text_init - start a message */
void sendmail_text_init(struct sendmail_text *t, bool dot_ends, bool unstuff);
/* sendmail_text_put - one input byte; 0, or -1 when out is full (out's
 * maximum must leave SENDMAIL_TEXT_PUT_MAX bytes, so that is a bug).
 * Nothing is consumed once done is set. */
int sendmail_text_put(struct sendmail_text *t, unsigned char c, struct buf *out);
/* sendmail_text_finish - the input ended (EOF): complete the last line */
int sendmail_text_finish(struct sendmail_text *t, struct buf *out);

#endif
