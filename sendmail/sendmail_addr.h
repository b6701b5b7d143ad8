/* SPDX-License-Identifier: MIT
 * sendmail_addr - RFC 5322 address lists (To:, Cc:, Bcc: headers and the
 * recipient arguments of sendmail) into the addr-specs they name.
 *
 * Input: untrusted header text (folded lines allowed: CR and LF count as
 * white space). Grammar (RFC 5322 3.4 with the obsolete forms of 4.4 that
 * real mail uses): address *("," address), empty elements allowed; an
 * address is a mailbox ("addr-spec", or "[display name] <[route:]addr-
 * spec>") or a group ("name: [mailbox, ...];"). Display names may hold
 * atoms, quoted strings (commas inside them do not split), dots and encoded
 * words, which are left alone. Comments "(...)", nested and with quoted
 * pairs, are removed wherever they stand. An addr-spec may lack "@domain"
 * (a bare local part; the caller qualifies it).
 *
 * Refused, never skipped: an unterminated comment, quoted string, domain
 * literal, "<" or group; a stray ")", "]", ">" or "\"; two words without
 * "." or "@" between them in an address; an empty "<>"; a group inside a
 * group; a control byte other than CR, LF and TAB; an address longer than
 * SENDMAIL_ADDR_MAX. Each address found is passed to a callback as written,
 * minus comments and white space (e.g. "\"a b\"@example.com"); checking
 * it as an SMTP address is the caller's job (sendmail_rcpt.h).
 *
 * See also: sendmail_rcpt.h, sendmail_hdr.h, RFC 5322 3.4 and 4.4.
 */
#ifndef PETREL_SENDMAIL_ADDR_H
#define PETREL_SENDMAIL_ADDR_H

#include <stddef.h>

#include "smtp/smtp_addr_canon.h"

/* one address of a list: no longer than smtp_addr_canon will check */
#define SENDMAIL_ADDR_MAX SMTP_ADDR_CANON_MAX

/* sendmail_addr_fn - receives one address (not NUL-terminated input, but
 * addr is NUL-terminated); return 0, or -1 with an error to stop */
typedef int sendmail_addr_fn(void *ctx, const char *addr, size_t len, const char **error_r);

/* sendmail_addr_list_parse - parse s (len bytes) and call fn for each
 * address in order. 0, or -1 with *error_r saying what is wrong and where
 * (fn's own error is passed through). */
int sendmail_addr_list_parse(const char *s, size_t len, sendmail_addr_fn *fn, void *ctx,
                             const char **error_r);

#endif
