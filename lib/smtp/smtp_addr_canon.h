/* SPDX-License-Identifier: MIT
 * smtp_addr_canon - an envelope address as a local program hands it over
 * (sendmail's arguments and headers, the records of a maildrop file that
 * pickup reads): "<a@b>", "a@b" or a bare local part "a", checked as an RFC
 * 5321 path by smtp_addr_parse and written in its canonical form, so that
 * mail submitted locally obeys the same address rules as mail that came in
 * over SMTP.
 *
 * Trusts: nothing. Limits: SMTP_ADDR_CANON_MAX bytes of input; the result
 * is a path of at most SMTP_PATH_MAX bytes (a bare local part is checked
 * with a placeholder domain, so only the local part's own rules apply).
 * ASCII only: SMTPUTF8 addresses are refused (smtp_addr_parse, 5.6.7).
 *
 * See also: smtp_addr.h, sendmail/sendmail_rcpt.h, pickup/pickup_file.h.
 */
#ifndef PETREL_SMTP_ADDR_CANON_H
#define PETREL_SMTP_ADDR_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include "smtp/smtp_addr.h"

#define SMTP_ADDR_CANON_MAX 1000

/* smtp_addr_canon - check s (len bytes) and write its canonical form to
 * out; a bare local part stays bare; "" for a null sender "<>" or "",
 * allowed only with null_ok. 0, or -1 with the reason */
int smtp_addr_canon(const char *s, size_t len, bool null_ok, char out[SMTP_PATH_MAX + 1],
                    const char **error_r);
/* smtp_addr_qualify - smtp_addr_canon, then a bare local part completed
 * with "@" origin and checked again as a whole. 0, or -1 with the reason */
int smtp_addr_qualify(const char *s, size_t len, bool null_ok, const char *origin,
                      char out[SMTP_PATH_MAX + 1], const char **error_r);

#endif
