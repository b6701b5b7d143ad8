/* SPDX-License-Identifier: MIT
 * smtpd_anvil - the anvil client: connection counting per client address.
 *
 * One channel per smtpd process, shared by its sessions, opened at the
 * first request and again after a failure. Requests are answered in
 * order, so the pending ones are a FIFO. anvil counts connections per
 * channel and releases them when the channel closes, so a crashed smtpd
 * leaks nothing.
 *
 * Input: anvil's replies (a sibling daemon: checked; a broken or missing
 * anvil makes counts unknown, and the caller then accepts the client with
 * a warning: counting is protection, not a reason to refuse all mail).
 *
 * See also: anvil/anvil_proto.h (the protocol), docs/architecture.md.
 */
#ifndef PETREL_SMTPD_ANVIL_H
#define PETREL_SMTPD_ANVIL_H

#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct smtpd_anvil;
struct smtpd_anvil_req;

/* smtpd_anvil_fn - the count of open connections of the ident (this one
 * included) and its connections in the current rate window; both -1 when
 * anvil could not answer */
typedef void smtpd_anvil_fn(void *ctx, int64_t count, int64_t rate);

/* smtpd_anvil_create - a client for the socket at path (nothing is
 * connected yet) */
struct smtpd_anvil *smtpd_anvil_create(struct event_loop *loop, const char *path);
/* smtpd_anvil_destroy - close, drop pending requests (no callbacks); NULL ok */
void smtpd_anvil_destroy(struct smtpd_anvil **a_r);
/* smtpd_anvil_connect - count a connection of ident; fn gets the count
 * later (from the loop). NULL when anvil cannot be reached now (then
 * nothing was counted and fn is never called). */
struct smtpd_anvil_req *smtpd_anvil_connect(struct smtpd_anvil *a, const char *ident, smtpd_anvil_fn *fn,
                                            void *ctx);
/* smtpd_anvil_cancel - the session went away: no callback */
void smtpd_anvil_cancel(struct smtpd_anvil_req **r_r);
/* smtpd_anvil_disconnect - release one counted connection of ident */
void smtpd_anvil_disconnect(struct smtpd_anvil *a, const char *ident);

#endif
