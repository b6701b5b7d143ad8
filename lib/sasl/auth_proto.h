/* SPDX-License-Identifier: MIT
 * auth_proto - the protocol between authd and the daemons that log users
 * in (smtpd today; pop3d and imapd later). One connection is one
 * authentication exchange, so every attempt gets a fresh SASL context.
 *
 * Protocol "auth", version 1, over ipc frames (util/ipc.h), on the UNIX
 * socket $queue_directory/private/auth. authd sends the hello
 * "protocol=auth, version=1". Then:
 *
 *   request=start, service=S, mechanism=M, client_addr=A [, response=DATA]
 *   request=step, response=DATA            (after a "continue" only)
 *
 * and each gets one reply:
 *
 *   status=continue, challenge=DATA        send the challenge, then a step
 *   status=ok, user=U                      logged in as U
 *   status=fail, reason=R                  R: credentials (wrong name or
 *       password, or an authzid not allowed: the client cannot tell which),
 *       locked (too many failures: try later), mechanism (not offered),
 *       temporary (authd could not check), protocol (a request out of turn)
 *
 * service is 1..16 lower-case letters; mechanism 1..20 of A-Z 0-9 - _;
 * client_addr 1..64 printable bytes; a response (absent: no initial
 * response; present and empty: "=" on the wire) is at most
 * AUTH_RESPONSE_MAX bytes, already decoded from base64 by the client
 * daemon, which also encodes challenges. authd delays a failure reply by
 * the client's penalty (auth_failure_delay); a client daemon must not
 * time out sooner than auth_failure_delay_max plus a hashing.
 */
#ifndef PETREL_SASL_AUTH_PROTO_H
#define PETREL_SASL_AUTH_PROTO_H

#define AUTH_PROTOCOL "auth"
#define AUTH_PROTOCOL_VERSION 1
#define AUTH_SOCKET "private/auth"

/* Frames: a response and its attributes fit with room to spare. */
#define AUTH_FRAME_MAX 65536
/* The most bytes of one decoded client response (THREATS.md #32). */
#define AUTH_RESPONSE_MAX 12288

#define AUTH_REQ_START "start"
#define AUTH_REQ_STEP "step"

#define AUTH_ST_CONTINUE "continue"
#define AUTH_ST_OK "ok"
#define AUTH_ST_FAIL "fail"

#define AUTH_A_REQUEST "request"
#define AUTH_A_STATUS "status"
#define AUTH_A_SERVICE "service"
#define AUTH_A_MECHANISM "mechanism"
#define AUTH_A_CLIENT_ADDR "client_addr"
#define AUTH_A_RESPONSE "response"
#define AUTH_A_CHALLENGE "challenge"
#define AUTH_A_USER "user"
#define AUTH_A_REASON "reason"

#define AUTH_R_CREDENTIALS "credentials"
#define AUTH_R_LOCKED "locked"
#define AUTH_R_MECHANISM "mechanism"
#define AUTH_R_TEMPORARY "temporary"
#define AUTH_R_PROTOCOL "protocol"

#define AUTH_SERVICE_MAX 16
#define AUTH_MECHANISM_MAX 20
#define AUTH_CLIENT_ADDR_MAX 64

#endif
