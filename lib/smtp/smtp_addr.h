/* SPDX-License-Identifier: MIT
 * smtp_addr - RFC 5321 paths (MAIL FROM / RCPT TO) into a canonical
 * address plus the facts the relay check needs.
 *
 * Input: the command argument from smtp_cmd (untrusted), starting at the
 * path; ESMTP parameters may follow after a space. Accepted grammar (RFC
 * 5321 4.1.2, 4.1.3): "<>" (reverse-path only), an optional source route
 * "@a,@b:" (accepted, flagged and dropped as Appendix C says), Local-part
 * as Dot-string or Quoted-string with quoted-pairs, "@", then a Domain of
 * LDH labels (no leading or trailing hyphen, folded to lower case) or an
 * address literal [IPv4] or [IPv6:...] checked with inet_pton. General
 * address literals ([tag:...]) are refused. With SMTP_ADDR_UTF8 (the
 * client sent SMTPUTF8) strictly valid UTF-8 is allowed in the local part
 * and in domain labels; otherwise any byte >= 0x80 is an error (5.6.7).
 * Control bytes (NUL, CR, LF, TAB, DEL, ...) are never accepted.
 *
 * Limits (RFC 5321 4.5.3.1): local part 64 octets and domain 255 octets as
 * sent, path 256 octets with brackets and source route. The canonical form
 * is never longer than the path as sent.
 * See also: smtp_cmd.h, smtp_param.h, smtp_utf8.h, THREATS.md b.2.
 */
#ifndef PETREL_SMTP_ADDR_H
#define PETREL_SMTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define SMTP_LOCAL_MAX 64
#define SMTP_DOMAIN_MAX 255
#define SMTP_PATH_MAX 256

#define SMTP_ADDR_UTF8 (1u << 0)        /* SMTPUTF8: UTF-8 allowed */
#define SMTP_ADDR_REVERSE (1u << 1)     /* MAIL FROM: "<>" allowed; 5.1.7 */
#define SMTP_ADDR_POSTMASTER (1u << 2)  /* RCPT TO: "<postmaster>" allowed */
#define SMTP_ADDR_NO_BRACKETS (1u << 3) /* tolerate a path without "<>" */

struct smtp_addr {
    /* canonical "local@domain": local part quoted only when it must be,
     * domain in lower case; "" for "<>", "postmaster" for <postmaster> */
    char addr[SMTP_PATH_MAX + 1];
    size_t addr_len;
    char local[SMTP_LOCAL_MAX + 1];   /* the local part without quoting */
    char domain[SMTP_DOMAIN_MAX + 1]; /* "" when there is none */
    bool is_null;                     /* "<>" */
    bool is_postmaster;               /* "<postmaster>" without a domain */
    bool had_source_route;            /* "@a,@b:" was given and dropped */
    bool local_routing;               /* local part has '%', '!' or '@' */
    bool local_quoted;                /* local part was sent quoted */
    bool domain_literal;              /* domain is [IPv4] or [IPv6:...] */
    bool has_utf8;                    /* some byte >= 0x80 */
    const char *ecode;                /* on error: suggested enhanced code */
};

/* smtp_addr_parse - parse the path at the start of s (len bytes) into
 * addr_r. flags: SMTP_ADDR_*. On success *end_r is where the parameters
 * start (after the spaces that follow the path), len if there are none.
 * Returns 0, or -1 with *error_r a reason and addr_r->ecode "5.1.7"
 * (with SMTP_ADDR_REVERSE) or "5.1.3" for bad syntax, "5.6.7" for
 * non-ASCII without SMTP_ADDR_UTF8. */
int smtp_addr_parse(const char *s, size_t len, unsigned flags, struct smtp_addr *addr_r, size_t *end_r,
                    const char **error_r);

#endif
