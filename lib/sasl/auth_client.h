/* SPDX-License-Identifier: MIT
 * auth_client - one authentication exchange with authd, on the event
 * loop: the client side of auth_proto.h for smtpd (and later pop3d and
 * imapd).
 *
 * auth_client_start connects (non-blocking) and sends the start request;
 * each reply reaches the callback from the loop; after a "continue" the
 * caller sends auth_client_step. A broken channel, a bad reply or no reply
 * within timeout_ms gives AUTH_RES_FAIL with reason "temporary". The
 * caller destroys the client when done, also from inside the callback.
 */
#ifndef PETREL_SASL_AUTH_CLIENT_H
#define PETREL_SASL_AUTH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct auth_client;
struct event_loop;

enum auth_client_status {
    AUTH_RES_CONTINUE,
    AUTH_RES_OK,
    AUTH_RES_FAIL,
};

struct auth_client_result {
    enum auth_client_status status;
    const void *challenge; /* CONTINUE: the bytes to encode */
    size_t challenge_len;
    const char *user;   /* OK */
    const char *reason; /* FAIL: an AUTH_R_* word */
};

typedef void auth_client_fn(void *ctx, const struct auth_client_result *r);

struct auth_client_request {
    const char *service;     /* "smtp" */
    const char *mechanism;   /* as the client named it, checked here */
    const char *client_addr; /* for authd's penalty and logs */
    const void *response;    /* NULL: no initial response */
    size_t response_len;
};

/* auth_client_start - connect to authd at path and send start; NULL and
 * an error when authd cannot be reached or the request is malformed */
struct auth_client *auth_client_start(struct event_loop *loop, const char *path, uint64_t timeout_ms,
                                      const struct auth_client_request *req, auth_client_fn *fn, void *ctx,
                                      const char **error_r);
/* auth_client_step - the client's next response (after CONTINUE) */
void auth_client_step(struct auth_client *c, const void *response, size_t len);
/* auth_client_destroy - close; accepts NULL */
void auth_client_destroy(struct auth_client **c_r);

#endif
