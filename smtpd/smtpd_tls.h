/* SPDX-License-Identifier: MIT
 * smtpd_tls - TLS in smtpd: the server context built before the privilege
 * drop, STARTTLS (RFC 3207) and implicit TLS (RFC 8314) on a session, and
 * what the session logs and records about it.
 *
 * STARTTLS: input the client pipelined after the command is discarded
 * (and logged) before the 220, because it was sent in the clear and an
 * attacker may have put it there (CVE-2011-0411, THREATS.md #22); after
 * the handshake the session starts over: no HELO, no envelope.
 * A handshake must finish within smtpd_tls_handshake_timeout.
 *
 * Levels (smtpd_tls_security_level): none, may (STARTTLS offered when the
 * certificate and key load), encrypt (MAIL refused before TLS, 530 5.7.0).
 * A certificate or key that does not load is logged once at start; the
 * STARTTLS command then gets 454 4.7.0, and an implicit-TLS listener
 * closes each connection.
 */
#ifndef PETREL_SMTPD_TLS_H
#define PETREL_SMTPD_TLS_H

#include <stdbool.h>
#include <stddef.h>

struct params;
struct smtpd_session;
struct tls_server;

/* smtpd_tls_server_create - pre_jail: the server context for these
 * parameters, or NULL (TLS off, or broken: *broken_r, logged); user is
 * the unprivileged user the key must not be readable by (NULL: none) */
struct tls_server *smtpd_tls_server_create(const struct params *p, const char *user, bool *broken_r);

/* smtpd_tls_offered - does EHLO list STARTTLS for this session? */
bool smtpd_tls_offered(const struct smtpd_session *s);
/* smtpd_tls_required - must this session start TLS before MAIL? */
bool smtpd_tls_required(const struct smtpd_session *s);
/* smtpd_tls_starttls_refusal - why STARTTLS cannot start now (code,
 * ecode, text filled), or false when it can */
bool smtpd_tls_starttls_refusal(const struct smtpd_session *s, int *code, const char **ecode,
                                const char **text);
/* smtpd_tls_starttls - the STARTTLS command passed its checks: discard
 * pipelined input, 220, handshake, reset; the session may be gone after */
void smtpd_tls_starttls(struct smtpd_session *s);
/* smtpd_tls_wrap - an implicit-TLS listener: handshake first; false when
 * the session was ended (no TLS available) */
bool smtpd_tls_wrap(struct smtpd_session *s);
/* smtpd_tls_note - log "TLS connection established" once the handshake
 * is done (called as input arrives) */
void smtpd_tls_note(struct smtpd_session *s);
/* smtpd_tls_closed - the connection ended: log a failed handshake */
void smtpd_tls_closed(struct smtpd_session *s);
/* smtpd_tls_describe - "TLSv1.3 with cipher ..." or NULL without TLS */
const char *smtpd_tls_describe(const struct smtpd_session *s);
/* smtpd_tls_end - release the session's TLS state (after its conn) */
void smtpd_tls_end(struct smtpd_session *s);

#endif
