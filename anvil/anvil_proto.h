/* SPDX-License-Identifier: MIT
 * anvil_proto - the anvil protocol: request checks, replies, and the
 * channel of each client of anvil.
 *
 * Protocol "anvil", version 1, over ipc frames (ipc.h). On connect the
 * server sends the hello "protocol=anvil, version=1". Then each request is
 * one message and gets exactly one reply, in order:
 *
 *   request=connect, service=S, ident=I
 *       -> status=0, count=C, rate=R   C: connections open for (S, I),
 *                                      this one included; R: connections
 *                                      in the current rate window
 *   request=disconnect, service=S, ident=I     -> status=0
 *   request=message|recipient|auth_fail, service=S, ident=I
 *       -> status=0, rate=R            R: events of that kind in the window
 *   request=lookup, service=S, ident=I
 *       -> status=0, count=C, connect_rate=R, message_rate=R,
 *          recipient_rate=R, auth_fail_rate=R      (changes nothing)
 *   anything refused -> status=1, reason="..." (unknown request, missing or
 *       mistyped attribute, bad service or ident, "table full")
 *
 * service and ident are each 1..255 bytes of printable ASCII without space
 * (0x21..0x7e). Attributes other than these are ignored. A frame over
 * 64 KiB (ANVIL_FRAME_MAX) or one that does not decode ends the channel.
 * Connections are counted per client channel: when a client closes its
 * channel (or dies), every connection it registered and did not disconnect
 * is released, and a disconnect only releases a connection the same client
 * registered. A rate window lasts anvil_rate_time_unit from the key's first
 * event; every kind of event counts in the same window.
 *
 * See also: anvil_table.h (the accounting), ipc.h, server.h.
 */
#ifndef PETREL_ANVIL_PROTO_H
#define PETREL_ANVIL_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "anvil_table.h"

#define ANVIL_PROTOCOL "anvil"
#define ANVIL_PROTOCOL_VERSION 1

/* The largest frame anvil accepts (if ipc_max_frame_size is not smaller):
 * a valid request is under 1 KiB, the rest is room for new attributes. */
#define ANVIL_FRAME_MAX 65536

#define ANVIL_STATUS_OK 0
#define ANVIL_STATUS_REFUSED 1

struct ipc_msg;
struct server;

enum anvil_request_type {
    ANVIL_REQ_CONNECT,
    ANVIL_REQ_DISCONNECT,
    ANVIL_REQ_MESSAGE,
    ANVIL_REQ_RECIPIENT,
    ANVIL_REQ_AUTH_FAIL,
    ANVIL_REQ_LOOKUP,
};

/* A checked request; the strings point into the message it came from. */
struct anvil_request {
    enum anvil_request_type type;
    const char *name; /* "connect", ... */
    const char *service;
    const char *ident;
};

/* anvil_proto_check_name - is s (what: "service" or "ident") 1..255 bytes
 * of printable ASCII without space? -1 with the reason otherwise */
int anvil_proto_check_name(const char *what, const char *s, const char **error_r);
/* anvil_proto_check - parse and validate a request message (pure) */
int anvil_proto_check(const struct ipc_msg *m, struct anvil_request *req_r, const char **error_r);
/* anvil_proto_proceed - apply a checked request for owner o at now and
 * build its reply (status=1 "table full" when the table refuses a key) */
struct ipc_msg *anvil_proto_proceed(struct anvil_table *t, struct anvil_owner *o,
                                    const struct anvil_request *req, uint64_t now);
/* anvil_proto_refusal - a reply "status=1, reason=..." */
struct ipc_msg *anvil_proto_refusal(const char *reason);
/* anvil_proto_handle - check then proceed: the reply to any message; for a
 * malformed request *error_r (not NULL) says why, for logging */
struct ipc_msg *anvil_proto_handle(struct anvil_table *t, struct anvil_owner *o, const struct ipc_msg *m,
                                   uint64_t now, const char **error_r);

/* The daemon's callbacks (server.h). */
/* anvil_proto_init - post_jail: create the table and the timers */
void anvil_proto_init(struct server *s);
/* anvil_proto_accept - on_connection: a channel for a new client, hello first */
void anvil_proto_accept(struct server *s, int fd, const struct sockaddr *peer, socklen_t peer_len);
/* anvil_proto_deinit - on_exit: log the statistics, close every client, free */
void anvil_proto_deinit(struct server *s);

#endif
