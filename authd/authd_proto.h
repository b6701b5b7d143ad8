/* SPDX-License-Identifier: MIT
 * authd_proto - authd's side of the auth protocol (lib/sasl/auth_proto.h):
 * one exchange per connection, the brute-force rules around it, and one
 * log line per outcome.
 *
 * Order of checks for a start: the request's attributes (a malformed one
 * ends the connection with reason "protocol"), the client address's
 * lockout, the mechanism (auth_mechanisms), then libsasl2 (authd_sasl),
 * whose hooks check the account's lockout and the password.
 *
 * A failure is counted (authd_penalty) for the client address and the
 * account name unless it was authd's own (temporary) or the mechanism
 * was not offered; its reply waits the penalty delay; the log line says
 * what authd knows and the client is not told:
 *   auth failed: service=smtp mechanism=PLAIN user=<alice@example.test>
 *     client=192.0.2.1 reason=password mismatch failures=3 delay=4000ms
 * A success clears both counts and logs "auth ok: ...". A lockout that
 * begins logs "auth lockout: KEY locked for N s after M failures".
 */
#ifndef PETREL_AUTHD_PROTO_H
#define PETREL_AUTHD_PROTO_H

#include <sys/socket.h>

struct server;

/* authd_proto_pre_jail - the passwords map (mode 0600), opened while
 * still root (petrel backend) */
void authd_proto_pre_jail(struct server *s);
/* authd_proto_init - post_jail: the tables and libsasl2 */
void authd_proto_init(struct server *s);
/* authd_proto_accept - one client connection: one exchange */
void authd_proto_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len);
/* authd_proto_deinit - on_exit */
void authd_proto_deinit(struct server *s);

#endif
