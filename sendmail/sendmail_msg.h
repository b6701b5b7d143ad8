/* SPDX-License-Identifier: MIT
 * sendmail_msg - reading one message from a stream: the header block into
 * memory, then the body streamed to a writer, so a large message is never
 * held whole.
 *
 * The input goes through sendmail_text (line ends, the "." rule). The
 * header block is the leading run of header fields and their continuation
 * lines; it ends at the empty line (which is consumed: sendmail_hdr writes
 * its own), at the first line that is not a header field (that line is the
 * first of the body), or at the end of input. With skip_from_line a first
 * line "From ..." (a Unix mailbox separator) is dropped, as Postfix's
 * sendmail does. The block is at most header_max bytes; the whole message
 * as written at most size_max: either limit passed is EX_DATAERR, and the
 * rest of the message is still read (so an SMTP dialogue stays in step).
 *
 * Status values are <sysexits.h> codes: EX_OK, EX_DATAERR (limits, a bad
 * address with -t), EX_IOERR (reading failed), or the writer's own code.
 *
 * See also: sendmail_text.h, sendmail_hdr.h, sendmail_drop.h.
 */
#ifndef PETREL_SENDMAIL_MSG_H
#define PETREL_SENDMAIL_MSG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sendmail_hdr.h"
#include "sendmail_rcpt.h"

struct sendmail_msg_cfg {
    bool dot_ends;       /* a "." line ends the input */
    bool unstuff;        /* SMTP dot-unstuffing */
    bool skip_from_line; /* drop a leading "From " line */
    size_t header_max;   /* header_size_limit */
    uint64_t size_max;   /* message_size_limit */
    struct sendmail_hdr_cfg hdr;
};

/* sendmail_msg_write_fn - receives the message; 0 (EX_OK), or a sysexits
 * code with *error_r, after which nothing more is written */
typedef int sendmail_msg_write_fn(void *ctx, const char *p, size_t n, const char **error_r);

struct sendmail_msg;

/* sendmail_msg_create - a reader of one message from in */
struct sendmail_msg *sendmail_msg_create(FILE *in, const struct sendmail_msg_cfg *cfg);
void sendmail_msg_destroy(struct sendmail_msg **m_r);

/* sendmail_msg_header - read and process the header block; with
 * cfg->hdr.extract add To:/Cc:/Bcc: recipients to r. EX_OK or a code with
 * *error_r (the rest of the message has then been read and dropped). */
int sendmail_msg_header(struct sendmail_msg *m, struct sendmail_rcpts *r, const char **error_r);
/* sendmail_msg_body - write the processed header block and the body to
 * fn, reading to the end of the message. EX_OK, or a code with *error_r */
int sendmail_msg_body(struct sendmail_msg *m, sendmail_msg_write_fn *fn, void *ctx, const char **error_r);
/* sendmail_msg_drain - read and drop the rest of the message */
void sendmail_msg_drain(struct sendmail_msg *m);
/* sendmail_msg_ended - did the message end with the "." line (not EOF)? */
bool sendmail_msg_ended(const struct sendmail_msg *m);

#endif
