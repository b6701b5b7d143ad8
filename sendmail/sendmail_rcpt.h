/* SPDX-License-Identifier: MIT
 * sendmail_rcpt - envelope addresses of a local submission: syntax checks
 * through lib/smtp's smtp_addr parser, and the recipient list.
 *
 * An address is "local@domain" or a bare local part (pickup qualifies it
 * with @myorigin), optionally inside "<>". Either is checked as an RFC 5321
 * path (a bare local part as if it had a domain) and kept in canonical form
 * (domain in lower case, the local part quoted only when it must be).
 * Anything smtp_addr refuses is refused here, with its reason: control
 * bytes, 8-bit bytes (no SMTPUTF8 in the maildrop), over-long parts.
 *
 * The list keeps recipients in the order given and drops exact duplicates
 * of the canonical form; at most QF_RCPT_MAX.
 *
 * See also: sendmail_addr.h (address lists), smtp/smtp_addr.h.
 */
#ifndef PETREL_SENDMAIL_RCPT_H
#define PETREL_SENDMAIL_RCPT_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp/smtp_addr.h"
#include "smtp/smtp_addr_canon.h"

struct sendmail_rcpts {
    char **v;
    size_t n, cap;
};

/* sendmail_rcpts_add - check one recipient and append it unless already
 * there. 0, or -1 with "ADDRESS: reason" */
int sendmail_rcpts_add(struct sendmail_rcpts *r, const char *s, size_t len, const char **error_r);
/* sendmail_rcpts_add_list - every address of an RFC 5322 address list
 * (a command-line argument or a To:/Cc:/Bcc: value). 0, or -1 */
int sendmail_rcpts_add_list(struct sendmail_rcpts *r, const char *s, size_t len, const char **error_r);
/* sendmail_rcpts_free - free the entries; the struct is the caller's */
void sendmail_rcpts_free(struct sendmail_rcpts *r);

#endif
