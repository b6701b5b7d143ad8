/* SPDX-License-Identifier: MIT
 * smtp_param - ESMTP parameters after the MAIL FROM / RCPT TO path.
 *
 * Input: the text smtp_addr_parse left after the path (untrusted):
 * "KEYWORD[=VALUE]" items separated by one or more spaces. Keywords and
 * the enumerated values are case-insensitive. Known parameters:
 *   MAIL: SIZE=n (RFC 1870, digits only, overflow-checked into uint64),
 *         BODY=7BIT|8BITMIME|BINARYMIME (RFC 6152, 3030), SMTPUTF8 (RFC
 *         6531, no value), RET=FULL|HDRS and ENVID=xtext (RFC 3461; the
 *         xtext at most 100 characters), AUTH=xtext or AUTH=<> (RFC 4954)
 *   RCPT: NOTIFY=NEVER or a list of SUCCESS, DELAY, FAILURE (RFC 3461),
 *         ORCPT=addr-type;xtext with addr-type rfc822 or utf-8 (the
 *         decoded address at most 500 characters).
 * Refused (-1): a malformed item, a parameter given twice, a value where
 * none is allowed or none where one is needed, a bad value, a parameter
 * of the other command. A keyword we do not know gives -2, so smtpd can
 * answer it differently (555 5.5.4 for both by default).
 *
 * Decoded xtext never holds control bytes (smtp_xtext). Limitation: for
 * ORCPT=utf-8; the RFC 6533 "\x{HEX}" escapes are kept as they are, and
 * raw UTF-8 in the value is refused.
 * Whether an extension was advertised (SMTPUTF8, DSN, ...) is smtpd's check.
 * See also: smtp_addr.h, smtp_xtext.h.
 */
#ifndef PETREL_SMTP_PARAM_H
#define PETREL_SMTP_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_ENVID_MAX 100
#define SMTP_ORCPT_MAX 500
#define SMTP_AUTH_PARAM_MAX 500

#define SMTP_PARAM_UNKNOWN (-2)

enum smtp_param_verb {
    SMTP_PARAM_MAIL,
    SMTP_PARAM_RCPT,
};

enum smtp_body {
    SMTP_BODY_NONE,
    SMTP_BODY_7BIT,
    SMTP_BODY_8BITMIME,
    SMTP_BODY_BINARYMIME,
};

enum smtp_ret {
    SMTP_RET_NONE,
    SMTP_RET_FULL,
    SMTP_RET_HDRS,
};

#define SMTP_NOTIFY_NEVER (1u << 0)
#define SMTP_NOTIFY_SUCCESS (1u << 1)
#define SMTP_NOTIFY_DELAY (1u << 2)
#define SMTP_NOTIFY_FAILURE (1u << 3)

struct smtp_params {
    bool has_size;
    uint64_t size;
    enum smtp_body body;
    bool smtputf8;
    enum smtp_ret ret;
    bool has_envid;
    char envid[SMTP_ENVID_MAX + 1]; /* decoded */
    bool has_auth;
    char auth[SMTP_AUTH_PARAM_MAX + 1]; /* decoded; "<>" kept as "<>" */
    unsigned notify;                    /* SMTP_NOTIFY_*; 0 when not given */
    bool has_orcpt;
    bool orcpt_utf8;                /* addr-type utf-8 (else rfc822) */
    char orcpt[SMTP_ORCPT_MAX + 1]; /* decoded address */
    unsigned seen;                  /* private: duplicate detection */
};

/* smtp_param_parse - parse s (len bytes) for verb into p_r. Returns 0,
 * -1 with *error_r for a bad parameter, or SMTP_PARAM_UNKNOWN with
 * *error_r naming the unknown keyword. */
int smtp_param_parse(const char *s, size_t len, enum smtp_param_verb verb, struct smtp_params *p_r,
                     const char **error_r);

#endif
