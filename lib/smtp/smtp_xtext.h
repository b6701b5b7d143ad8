/* SPDX-License-Identifier: MIT
 * smtp_xtext - RFC 3461 section 4 xtext, used by ENVID=, ORCPT= and AUTH=.
 *
 * xtext is *( xchar / hexchar ): an xchar is a byte 33..126 other than "+"
 * and "="; a hexchar is "+" and two UPPER-case hex digits. Decoding takes
 * untrusted text and refuses anything that would produce a control byte
 * (NUL, CR, LF, TAB, DEL, ...), so no decoded value can split a record or
 * a header (Exim CVE-2020-28021/28026, THREATS.md b.2 #12). Bytes >= 0x80
 * may be produced by "+HH" and are left to the caller.
 * See also: smtp_param.h.
 */
#ifndef PETREL_SMTP_XTEXT_H
#define PETREL_SMTP_XTEXT_H

#include <stddef.h>

#include "util/buf.h"

/* smtp_xtext_decode - decode s (len bytes) into out, which has room for
 * out_size bytes including a terminating NUL; *out_len_r is the decoded
 * length. Returns 0, or -1 with *error_r for malformed xtext, a decoded
 * control byte, or a result that does not fit. */
int smtp_xtext_decode(const char *s, size_t len, char *out, size_t out_size, size_t *out_len_r,
                      const char **error_r);

/* smtp_xtext_encode - append the xtext form of n bytes to out (bytes
 * outside 33..126, "+" and "=" as "+HH"); 0, or -1 past out's maximum */
int smtp_xtext_encode(const void *p, size_t n, struct buf *out);

#endif
