/* SPDX-License-Identifier: MIT
 * smtp_utf8 - strict UTF-8 validation for SMTPUTF8 addresses and for
 * sanitising text received from remote servers.
 *
 * Input: untrusted bytes. Strict means RFC 3629: no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated or
 * stray continuation bytes. Control characters are the caller's concern.
 * See also: smtp_addr.h, smtp_reply.h, RFC 6531.
 */
#ifndef PETREL_SMTP_UTF8_H
#define PETREL_SMTP_UTF8_H

#include <stddef.h>

/* smtp_utf8_seq - the length (1-4) of the valid UTF-8 sequence at s (at
 * most len bytes available), or 0 when s does not start one */
size_t smtp_utf8_seq(const unsigned char *s, size_t len);

#endif
