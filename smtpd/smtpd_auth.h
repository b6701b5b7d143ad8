/* SPDX-License-Identifier: MIT
 * smtpd_auth - AUTH (RFC 4954) in smtpd: the command, its base64
 * exchange, and what being logged in changes (relaying, MAIL FROM).
 *
 * smtpd never sees a password hash and never runs libsasl2: each AUTH is
 * one exchange with authd (lib/sasl/auth_client.h), which decides. smtpd
 * checks the syntax first: the mechanism name, strict base64 for the
 * initial response and every continuation line (501 5.5.2, THREATS.md
 * #32), "*" aborts (501 5.7.0, THREATS.md #31, #35), and a line longer
 * than smtpd_line_length_limit ends the exchange (500 5.5.6).
 *
 * Replies: 235 2.7.0 success; 535 5.7.8 wrong name or password (the same
 * for an unknown user, THREATS.md #36); 454 4.7.0 locked out or authd
 * unavailable; 504 5.5.4 a mechanism not offered; 538 5.7.11 before TLS
 * with smtpd_tls_auth_only; 503 5.5.1 already logged in, or inside a
 * transaction. Every failure is logged in the form fail2ban's postfix
 * filter matches: "warning: NAME[ADDR]: SASL PLAIN authentication failed:
 * authentication failure".
 *
 * Logged in: the recipient check lets the client relay; MAIL FROM must be
 * an address the account owns (smtpd_sender_login_check); the protocol
 * becomes ESMTPA / ESMTPSA and the queue file records auth=USER.
 */
#ifndef PETREL_SMTPD_AUTH_H
#define PETREL_SMTPD_AUTH_H

#include <stdbool.h>
#include <stddef.h>

struct conn_line;
struct smtp_cmd;
struct smtpd_session;

/* smtpd_auth_ehlo - the EHLO line ("AUTH PLAIN LOGIN") into buf, or
 * false when AUTH is not offered to this session now */
bool smtpd_auth_ehlo(const struct smtpd_session *s, char *buf, size_t size);
/* smtpd_auth_refusal - why AUTH cannot start (code, ecode, text), or
 * false when it can */
bool smtpd_auth_refusal(const struct smtpd_session *s, const struct smtp_cmd *cmd, int *code,
                        const char **ecode, const char **text);
/* smtpd_auth_start - AUTH passed its checks: decode, ask authd */
void smtpd_auth_start(struct smtpd_session *s, const struct smtp_cmd *cmd);
/* smtpd_auth_line - a line while a continuation is expected (too_long:
 * the line was over the limit) */
void smtpd_auth_line(struct smtpd_session *s, const struct conn_line *line, bool too_long);
/* smtpd_auth_mail_refusal - MAIL by a session that must log in first, or
 * whose login does not own sender; false when MAIL may go on */
bool smtpd_auth_mail_refusal(const struct smtpd_session *s, const char *sender, int *code, const char **ecode,
                             const char **text);
/* smtpd_auth_reset - forget the login and any exchange (STARTTLS, end) */
void smtpd_auth_reset(struct smtpd_session *s);

#endif
